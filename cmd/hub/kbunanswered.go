package main

import (
	"context"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/tebingtinggi/hub/inbox"
	"github.com/tebingtinggi/hub/internal/safetext"
	"github.com/tebingtinggi/hub/training"
)

// kbUnanswered lists the questions the bot did not answer (handed over,
// or marked "Belum 👎") since --since, grouped by similarity, biggest
// group first: the gaps to fill first.
func (a *app) kbUnanswered(ctx context.Context, fs *flag.FlagSet, args []string) error {
	since := fs.String("since", "7d", "seberapa jauh ke belakang: hari (7d) atau durasi (12h)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return fmt.Errorf("%w: kb unanswered tidak memerlukan argumen, hanya --since", errUsage)
	}
	span, err := parseSpan(*since)
	if err != nil || span <= 0 {
		return fmt.Errorf("%w: --since %q: isi jumlah hari seperti 7d atau durasi seperti 12h", errUsage, *since)
	}
	c, err := a.config()
	if err != nil {
		return err
	}
	db, err := a.openDB(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	groups, err := inbox.New(db).Unanswered(ctx, time.Now().Add(-span))
	if err != nil {
		return err
	}
	if len(groups) == 0 {
		fmt.Fprintf(a.stdout, "tidak ada pertanyaan yang belum terjawab dalam %s terakhir\n", training.Until(span))
		return nil
	}
	w := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "JUMLAH\tPERTANYAAN\tTIKET")
	for _, g := range groups {
		ids := make([]string, 0, len(g.TicketIDs))
		for i, id := range g.TicketIDs {
			if i == 5 {
				ids = append(ids, "…")
				break
			}
			ids = append(ids, "#"+strconv.FormatInt(id, 10))
		}
		fmt.Fprintf(w, "%d\t%s\t%s\n", g.Count, oneLine(g.Question), strings.Join(ids, " "))
		for _, ex := range g.Examples {
			fmt.Fprintf(w, "\t  juga: %s\t\n", oneLine(ex))
		}
	}
	return w.Flush()
}

// oneLine keeps a citizen's message on one table row, inert on a
// terminal.
func oneLine(s string) string { return safetext.Line(strings.Join(strings.Fields(s), " ")) }

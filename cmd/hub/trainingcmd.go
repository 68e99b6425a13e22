package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/tebingtinggi/hub/internal/safetext"
	"github.com/tebingtinggi/hub/outbox"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/training"
)

// trainingCmd manages the training catalogue:
// hub training import trainings|sessions|enrolments|jp FILE | list.
func (a *app) trainingCmd(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: training memerlukan subperintah: import atau list", errUsage)
	}
	sub := args[0]
	fs := a.flagSet("training " + sub)
	pos, err := parseFlags(fs, args[1:])
	if err != nil {
		return err
	}
	switch sub {
	case "import":
		if len(pos) != 2 || (pos[0] != "trainings" && pos[0] != "sessions" && pos[0] != "enrolments" && pos[0] != "jp") {
			return fmt.Errorf("%w: training import memerlukan trainings, sessions, enrolments atau jp, dan satu BERKAS", errUsage)
		}
	case "list":
		if len(pos) != 0 {
			return fmt.Errorf("%w: training list tidak memerlukan argumen", errUsage)
		}
	default:
		return fmt.Errorf("%w: subperintah training %q tidak dikenal", errUsage, sub)
	}
	db, store, err := a.trainingStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	if sub == "list" {
		return a.trainingList(ctx, store)
	}
	kind, path := pos[0], pos[1]
	switch kind {
	case "trainings":
		var n int
		if err := importFile(path, func(f *os.File) (err error) { n, err = store.ImportTrainings(ctx, f, path); return err }); err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "%d pelatihan diimpor dari %s\n", n, path)
	case "enrolments":
		var n int
		if err := importFile(path, func(f *os.File) (err error) { n, err = store.ImportEnrolments(ctx, f, path); return err }); err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "%d peserta diimpor dari %s\n", n, path)
	case "jp":
		var n int
		if err := importFile(path, func(f *os.File) (err error) { n, err = store.ImportJP(ctx, f, path); return err }); err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "%d catatan JP diimpor dari %s\n", n, path)
	case "sessions":
		return a.importSessions(ctx, db, store, path)
	}
	return nil
}

// importSessions imports a session file and queues the notices of changed
// sessions (new time or place, cancelled, scheduled again) for the
// enrolled ASN in the outbox, where the running hub's dispatcher finds
// them, in one transaction: the sessions do not change without their
// notices. Their idempotency keys name the change, so importing the same
// file twice announces nothing twice.
func (a *app) importSessions(ctx context.Context, db *storage.DB, store *training.Store, path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return unopened(path, err)
	}
	parsed, err := training.ParseSessions(bytes.NewReader(data), path)
	if err != nil {
		return err
	}
	var changes []training.SessionChange
	var planned, queued int
	err = db.InTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		changes, err = store.ImportSessionsIn(ctx, tx, bytes.NewReader(data), path)
		if err != nil || len(changes) == 0 {
			return err
		}
		notices, err := store.ChangeNotices(ctx, tx, changes, time.Now())
		if err != nil {
			return fmt.Errorf("pemberitahuan perubahan tidak dapat direncanakan (tidak ada yang diimpor): %w", err)
		}
		msgs := training.OutboxMessages(notices)
		planned = len(msgs)
		queued, err = outbox.Enqueue(ctx, tx, msgs...)
		if err != nil {
			return fmt.Errorf("pemberitahuan perubahan tidak dapat diantrekan (tidak ada yang diimpor): %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "%d sesi diimpor dari %s; %d perubahan pada sesi yang sudah ada\n", len(parsed), path, len(changes))
	past, err := training.PastSessions(bytes.NewReader(data), path, time.Now())
	if err != nil {
		return err
	}
	for _, w := range past {
		fmt.Fprintf(a.stdout, "peringatan: %s:%d: sesi %s sudah berakhir (%s); tetap diimpor, tetapi tidak ada pengingat yang dikirim untuknya\n",
			safetext.Line(w.File), w.Line, safetext.Line(w.Session), training.FormatWIB(w.End))
	}
	if len(changes) == 0 {
		return nil
	}
	for _, c := range changes {
		fmt.Fprintf(a.stdout, "  %s %s: %s\n", safetext.Line(c.New.Code), changeWords[c.Kind], safetext.Line(describeChange(c)))
	}
	fmt.Fprintf(a.stdout, "%d pemberitahuan perubahan diantrekan untuk ASN peserta (%d direncanakan; sisanya sudah diantrekan sebelumnya); hub yang berjalan mengirimkannya\n", queued, planned)
	return nil
}

func describeChange(c training.SessionChange) string {
	switch c.Kind {
	case training.ChangeRescheduled:
		return training.FormatWIB(c.Old.Start) + " → " + training.FormatWIB(c.New.Start)
	case training.ChangeMoved:
		return placeOf(c.Old) + " → " + placeOf(c.New)
	case training.ChangeCancelled:
		return "dibatalkan"
	case training.ChangeReinstated:
		return "dijadwalkan kembali pada " + training.FormatWIB(c.New.Start)
	}
	return string(c.Kind)
}

// changeWords name the kinds of session change in the officers' language.
var changeWords = map[training.ChangeKind]string{
	training.ChangeRescheduled: "jadwal berubah",
	training.ChangeMoved:       "tempat berubah",
	training.ChangeCancelled:   "dibatalkan",
	training.ChangeReinstated:  "dijadwalkan kembali",
}

func sessionStatusWords(s training.SessionStatus) string {
	if s == training.Cancelled {
		return "dibatalkan"
	}
	return "terjadwal"
}

func roundStatusWords(s training.RoundStatus) string {
	if s == training.RoundClosed {
		return "ditutup"
	}
	return "dibuka"
}

func placeOf(s training.Session) string {
	var parts []string
	if s.Place != "" {
		parts = append(parts, s.Place)
	}
	if s.OnlineURL != "" {
		parts = append(parts, s.OnlineURL)
	}
	return strings.Join(parts, " / ")
}

// trainingList prints the catalogue with each training's sessions
// (enrolments and RSVPs) and their survey rounds, then the periodic
// rounds: the ids that hub report takes.
func (a *app) trainingList(ctx context.Context, store *training.Store) error {
	ts, err := store.Trainings(ctx)
	if err != nil {
		return err
	}
	rounds, err := store.Rounds(ctx, 0)
	if err != nil {
		return err
	}
	bySession := map[int64][]training.Round{}
	var periodic []training.Round
	for _, r := range rounds {
		if r.SessionID == nil {
			periodic = append(periodic, r)
		} else {
			bySession[*r.SessionID] = append(bySession[*r.SessionID], r)
		}
	}
	// Codes, titles, providers and places come from imported files.
	w, line := a.stdout, safetext.Line
	if len(ts) == 0 {
		fmt.Fprintln(w, "belum ada pelatihan; impor katalog dengan hub training import trainings BERKAS")
	}
	for _, t := range ts {
		fmt.Fprintf(w, "pelatihan %d  %s  %s\n", t.ID, line(t.Code), line(t.Title))
		fmt.Fprintf(w, "  %s, %d JP, %s\n", line(orDash(t.Competency)), t.Hours, line(orDash(t.Provider)))
		sessions, err := store.Sessions(ctx, t.ID)
		if err != nil {
			return err
		}
		if len(sessions) == 0 {
			fmt.Fprintln(w, "  belum ada sesi")
			continue
		}
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "  SESI\tMULAI (WIB)\tSTATUS\tPESERTA\tHADIR\tBERHALANGAN\tTEMPAT")
		for _, s := range sessions {
			es, err := store.Enrolments(ctx, s.ID)
			if err != nil {
				return err
			}
			var yes, no int
			for _, e := range es {
				switch e.RSVP {
				case training.RSVPYes:
					yes++
				case training.RSVPNo:
					no++
				}
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%d\t%d\t%d\t%s\n", line(s.Code), s.Start.In(training.WIB).Format("2006-01-02 15:04"),
				sessionStatusWords(s.Status), len(es), yes, no, line(placeOf(s)))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		for _, s := range sessions {
			for _, r := range bySession[s.ID] {
				fmt.Fprintf(w, "  putaran survei %d  %s  %s (sesi %s)\n", r.ID, line(r.TemplateCode), roundStatusWords(r.Status), line(s.Code))
			}
		}
	}
	if len(periodic) > 0 {
		fmt.Fprintln(w, "putaran survei berkala:")
		for _, r := range periodic {
			fmt.Fprintf(w, "  putaran survei %d  %s  %s, dibuka %s\n", r.ID, line(r.TemplateCode), roundStatusWords(r.Status), training.FormatDateWIB(r.OpenedAt))
		}
	}
	return nil
}

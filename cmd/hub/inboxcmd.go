package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/tebingtinggi/hub/handlers"
	"github.com/tebingtinggi/hub/inbox"
	"github.com/tebingtinggi/hub/internal/safetext"
	"github.com/tebingtinggi/hub/knowledge"
)

// inboxCmd is the officers' help desk on the command line:
// hub inbox list [--status S] | show ID [--full] | reply ID "teks" [--new-faq |
// --alternate-of SLUG] | close ID | release ID. Flags may follow the
// arguments.
func (a *app) inboxCmd(ctx context.Context, args []string) (err error) {
	var asked int64 // the ticket number given, for the error when there is none
	defer func() {
		if asked > 0 {
			err = ticketError(args[0], asked, err)
		}
	}()
	if len(args) == 0 {
		return fmt.Errorf("%w: inbox memerlukan subperintah: list, show, reply, close atau release", errUsage)
	}
	fs := a.flagSet("inbox " + args[0])
	status := fs.String("status", "", "list: hanya tiket berstatus ini: open/\"menunggu petugas\", answered/\"sudah dijawab\" atau closed/selesai")
	limit := fs.Int("limit", inbox.DefaultLimit, "list: jumlah tiket yang ditampilkan")
	newFAQ := fs.Bool("new-faq", false, "reply: simpan juga pertanyaan dan balasannya sebagai draf entri FAQ")
	alternateOf := fs.String("alternate-of", "", "reply: tambahkan juga pertanyaan warga sebagai variasi entri FAQ dengan id ini")
	full := fs.Bool("full", false, "show: setiap pesan selengkapnya, termasuk jawaban bot")
	rest, err := parseInterspersed(fs, args[1:])
	if err != nil {
		return err
	}
	if err := inboxFlagsFit(fs, args[0]); err != nil {
		return err
	}
	want, err := statusFlag(*status, inbox.TicketStatus.Word, inbox.Open, inbox.Answered, inbox.Closed)
	if err != nil {
		return err
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
	set, err := loadSettings(ctx, db, c, a.logger(c))
	if err != nil {
		return err
	}
	store := inbox.New(db)
	store.Terms = deskTerms(set)
	desk := &handlers.Desk{Inbox: store, DB: db}

	ticketID := func() (int64, error) {
		if len(rest) == 0 {
			return 0, fmt.Errorf("%w: inbox %s memerlukan nomor tiket", errUsage, args[0])
		}
		id, err := strconv.ParseInt(strings.TrimPrefix(rest[0], "#"), 10, 64)
		if err != nil || id <= 0 {
			return 0, fmt.Errorf("%w: %q bukan nomor tiket", errUsage, rest[0])
		}
		asked = id
		return id, nil
	}
	switch args[0] {
	case "list":
		return a.inboxList(ctx, store, want, *limit)
	case "show":
		id, err := ticketID()
		if err != nil {
			return err
		}
		return a.inboxShow(ctx, store, id, *full)
	case "reply":
		id, err := ticketID()
		if err != nil {
			return err
		}
		text := strings.TrimSpace(strings.Join(rest[1:], " "))
		if text == "" {
			return fmt.Errorf("%w: inbox reply memerlukan teks balasan: hub inbox reply ID \"teks\"", errUsage)
		}
		lesson := handlers.Lesson{NewFAQ: *newFAQ, AlternateOf: strings.TrimSpace(*alternateOf)}
		return a.inboxReply(ctx, c, store, desk, id, text, lesson)
	case "release":
		id, err := ticketID()
		if err != nil {
			return err
		}
		// The terminal is the operator's: it hands back whoever's claim,
		// for an officer who is away.
		held, err := store.Release(ctx, id, a.cliAuthor(), true)
		if err != nil {
			return err
		}
		if held == "" {
			fmt.Fprintf(a.stdout, "tiket #%d tidak sedang diambil siapa pun\n", id)
		} else {
			fmt.Fprintf(a.stdout, "tiket #%d dilepas dari %s; petugas lain kini dapat mengambilnya\n", id, safetext.Line(held))
		}
		return nil
	case "close":
		id, err := ticketID()
		if err != nil {
			return err
		}
		// The operator's terminal, like release: it closes whoever's
		// claim.
		t, told, err := desk.CloseAndTell(ctx, id, a.cliAuthor(), true)
		if err != nil {
			return err
		}
		switch told {
		case handlers.NoticeRating:
			fmt.Fprintf(a.stdout, "tiket #%d ditutup; warga diminta memberi penilaian\n", t.ID)
		case handlers.NoticeUnanswered:
			fmt.Fprintf(a.stdout, "tiket #%d ditutup tanpa jawaban tertulis; warga diberi tahu bahwa tiketnya ditutup tanpa jawaban dan dapat menulis lagi (penilaian tidak diminta)\n", t.ID)
		default:
			fmt.Fprintf(a.stdout, "tiket #%d ditutup; penilaian tidak diminta: warga sudah menghapus datanya, jadi tidak ada chat untuk memintanya\n", t.ID)
		}
		return nil
	default:
		return fmt.Errorf("%w: subperintah inbox %q tidak dikenal", errUsage, args[0])
	}
}

// inboxReply answers a ticket as the CLI's officer and applies the
// lesson, if any, to the knowledge base, in one transaction: the reply is
// sent with its lesson or not at all. The officer claims the ticket
// first: one claimed by another officer (in Slack, say) is theirs.
func (a *app) inboxReply(ctx context.Context, c config, store *inbox.Store, desk *handlers.Desk, id int64, text string, lesson handlers.Lesson) error {
	if lesson.NewFAQ && lesson.AlternateOf != "" {
		return fmt.Errorf("%w: pilih salah satu, --new-faq atau --alternate-of, tidak keduanya", errUsage)
	}
	ks := knowledge.NewStore(desk.DB)
	if !lesson.Empty() {
		// Checked before the ticket is claimed, so that a typo, a reply
		// too long for a FAQ entry, or a second run on the same ticket,
		// is told before anything happens;
		// the reply and its lesson then check again as they are saved.
		det, err := store.Get(ctx, id)
		if err != nil {
			return err
		}
		if err := lessonRefusal(id, lesson, handlers.CheckLesson(ctx, ks, det.Question(), text, lesson)); err != nil {
			return err
		}
		if lesson.NewFAQ {
			ix := knowledge.NewIndex(c.Engine)
			if err := (&knowledge.Live{DB: desk.DB, Store: ks, Index: ix}).Reload(ctx); err != nil {
				return err
			}
			lesson.Like = handlers.LikeFor(ix, det.Question())
		}
	}
	// Replying takes the ticket on; one another officer has claimed is
	// refused (inbox.Store.Reply).
	officer := a.cliAuthor()
	done, err := desk.ReplyAndTeach(ctx, id, officer, text, ks, lesson, officer)
	if refusal := lessonRefusal(id, lesson, err); refusal != nil {
		// Another officer drafted the question since the check, say.
		return refusal
	}
	if errors.Is(err, inbox.ErrSameReply) && !lesson.Empty() {
		return fmt.Errorf("%w; --new-faq atau --alternate-of pada perintah ini juga tidak diterapkan", ticketError("reply", id, err))
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "tiket #%d dijawab; balasan masuk antrean untuk dikirim ke warga\n", done.Ticket.ID)
	e := done.Entry
	switch {
	case lesson.NewFAQ:
		fmt.Fprintf(a.stdout, "draf entri FAQ %s tersimpan (kategori %s); terbitkan dengan: hub kb publish %s\n", safetext.Line(e.Slug), safetext.Line(e.Category), safetext.Line(e.Slug))
	case done.Known:
		fmt.Fprintln(a.stdout, safetext.Line(handlers.KnownWordingText(e.Slug)))
	case lesson.AlternateOf != "":
		fmt.Fprintf(a.stdout, "pertanyaan warga kini menjadi variasi entri %s (versi %d)\n", safetext.Line(e.Slug), e.Version)
		if note := handlers.UnpublishedLessonText(e); note != "" {
			fmt.Fprintf(a.stdout, "%s Terbitkan dengan: hub kb publish %s\n", safetext.Line(note), safetext.Line(e.Slug))
		}
	}
	return nil
}

// lessonRefusal is what the officer reads when the knowledge base refuses
// the lesson of their reply to ticket id (err, from handlers.CheckLesson
// or Desk.ReplyAndTeach): nothing was sent. It is nil for any other err.
func lessonRefusal(id int64, lesson handlers.Lesson, err error) error {
	r, ok := handlers.LessonRefused(lesson, err)
	if !ok {
		return nil
	}
	text, slug := safetext.Line(r.Text), safetext.Line(r.Entry)
	switch r.Kind {
	case handlers.RefusedTaken:
		return fmt.Errorf("tiket #%d: %s Tidak ada yang dikirim. Ubah entri itu (lihat hub kb show %s), atau balas tanpa --new-faq", id, text, slug)
	case handlers.RefusedTakenElsewhere:
		return fmt.Errorf("tiket #%d: %s Tidak ada yang dikirim. Balas dengan --alternate-of %s, atau ubah dulu entri itu (lihat hub kb show %s)", id, text, slug, slug)
	case handlers.RefusedNoEntry:
		return fmt.Errorf("tiket #%d: %s Tidak ada yang dikirim; lihat id entri dengan hub kb list", id, text)
	case handlers.RefusedAnswer:
		return fmt.Errorf("tiket #%d: %s Tidak ada yang dikirim; untuk mengirimnya saja, balas tanpa --new-faq", id, text)
	case handlers.RefusedUnwritten:
		return fmt.Errorf("tiket #%d: %s Tidak ada yang dikirim; balas tanpa --new-faq atau --alternate-of, dan tulis entri FAQ untuk hal ini sendiri di halaman Basis pengetahuan web admin (atau dengan hub kb import)", id, text)
	}
	return fmt.Errorf("tiket #%d: %s Tidak ada yang dikirim; balas tanpa --new-faq atau --alternate-of", id, text)
}

// inboxSubcommands are the inbox's subcommands; an unknown one is told
// as such, whatever its flags.
var inboxSubcommands = map[string]bool{"list": true, "show": true, "reply": true, "close": true, "release": true}

// inboxFlags names the subcommand each inbox flag belongs to.
var inboxFlags = map[string]string{"status": "list", "limit": "list", "full": "show", "new-faq": "reply", "alternate-of": "reply"}

// inboxFlagsFit refuses a flag set for another subcommand than sub: it
// would be ignored, and `inbox close 7 --new-faq` would close the ticket
// and teach nothing.
func inboxFlagsFit(fs *flag.FlagSet, sub string) error {
	var err error
	fs.Visit(func(f *flag.Flag) {
		if owner, ok := inboxFlags[f.Name]; ok && owner != sub && err == nil && inboxSubcommands[sub] {
			err = fmt.Errorf("%w: inbox %s tidak menerima --%s; --%s dipakai dengan inbox %s", errUsage, sub, f.Name, f.Name, owner)
		}
	})
	return err
}

// parseInterspersed parses flags that may come before, between or after
// the arguments, and returns the arguments.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return rest, nil
		}
		rest = append(rest, args[0])
		args = args[1:]
	}
}

func (a *app) inboxList(ctx context.Context, store *inbox.Store, status inbox.TicketStatus, limit int) error {
	res, err := store.List(ctx, inbox.Filter{Status: status, Limit: limit})
	if err != nil {
		return err
	}
	now := time.Now()
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TIKET\tSTATUS\tPLATFORM\tDIBUKA\tTENGGAT\tPERTANYAAN")
	for _, lt := range res.Tickets {
		t := lt.Ticket
		due := t.DueAt.In(inbox.Jakarta()).Format("02-01 15:04")
		if t.Overdue(now) {
			due += " (lewat tenggat)"
		}
		fmt.Fprintf(tw, "#%d\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Status.Word(), lt.Conversation.Platform,
			t.CreatedAt.In(inbox.Jakarta()).Format("02-01 15:04"), due, safetext.Line(t.Subject))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "%d dari %d tiket ditampilkan; %s %d, %s %d, %s %d\n", len(res.Tickets), res.Total,
		inbox.Open.Word(), res.Counts[inbox.Open], inbox.Answered.Word(), res.Counts[inbox.Answered],
		inbox.Closed.Word(), res.Counts[inbox.Closed])
	return nil
}

// inboxShow prints a ticket and its messages. Compactly by default: the
// bot's replies as its decision and the FAQ entries concerned (the
// officer knows those answers), every other message on one line; full
// shows every message as written.
func (a *app) inboxShow(ctx context.Context, store *inbox.Store, id int64, full bool) error {
	d, err := store.Get(ctx, id)
	if err != nil {
		return err
	}
	claimedBy, err := store.ClaimedBy(ctx, id)
	if err != nil {
		return err
	}
	// Everything below but ids, statuses and times was typed by citizens
	// or officers: shown inert, never obeyed by the terminal.
	t := d.Ticket
	w := &outputWriter{w: a.stdout}
	line := safetext.Line
	fmt.Fprintf(w, "tiket #%d   %s\n", t.ID, t.Status.Word())
	fmt.Fprintf(w, "alasan     %s\n", t.Reason.Word())
	fmt.Fprintf(w, "warga      %s di %s (chat %s)\n", line(d.Conversation.DisplayName), d.Conversation.Platform, line(d.Conversation.ChatID))
	fmt.Fprintf(w, "dibuka     %s, tenggat %s\n", fmtTime(t.CreatedAt), fmtTime(t.DueAt))
	if claimedBy != "" && t.Status != inbox.Closed {
		fmt.Fprintf(w, "diambil    oleh %s (hanya dia yang dapat membalas; hub inbox release %d melepasnya)\n", line(claimedBy), t.ID)
	}
	if t.AnsweredAt != nil {
		fmt.Fprintf(w, "dijawab    %s oleh %s\n", fmtTime(*t.AnsweredAt), line(t.AnsweredBy))
	}
	if t.ClosedAt != nil {
		fmt.Fprintf(w, "ditutup    %s oleh %s\n", fmtTime(*t.ClosedAt), line(t.ClosedBy))
	}
	if t.Rating != nil {
		fmt.Fprintf(w, "penilaian  %d/5 %s\n", *t.Rating, line(t.RatingComment))
	}
	fmt.Fprintf(w, "pertanyaan %s\n\n", line(t.Subject))
	shortened := false
	for _, m := range d.Messages {
		who := m.AuthorKind.Word()
		if m.AuthorName != "" {
			who += " " + line(m.AuthorName)
		}
		if m.Edited() {
			// A correction of an earlier message, shown above it.
			who += " " + inbox.EditedLabel
		}
		if m.FileKind != "" {
			// The file stays on the platform; its id lets an officer's
			// tools fetch it (Telegram's getFile).
			who += " mengirim " + inbox.FileWord(m.FileKind) + " (file_id " + line(m.FileID) + ")"
		}
		if l := m.Location(); l != nil {
			// The text says where in words; the link opens it.
			who += " membagikan lokasi (peta " + l.MapURL() + ")"
		}
		switch {
		case full:
			if m.Decision != "" {
				who += " (" + line(decisionWords(m.Decision)) + ")"
			}
			fmt.Fprintf(w, "[%s] %s:\n  %s\n", fmtTime(m.CreatedAt), who, strings.ReplaceAll(safetext.Block(m.Text), "\n", "\n  "))
		case m.AuthorKind == inbox.Bot && m.Decision != "":
			fmt.Fprintf(w, "[%s] %s: %s\n", fmtTime(m.CreatedAt), who, line(decisionWords(m.Decision)))
			shortened = true
		default:
			text, cut := shorten(m.Text, maxShownLine)
			shortened = shortened || cut
			fmt.Fprintf(w, "[%s] %s: %s\n", fmtTime(m.CreatedAt), who, text)
		}
	}
	if shortened {
		fmt.Fprintf(w, "\n(dipersingkat; hub inbox show %d --full menampilkan setiap pesan selengkapnya)\n", t.ID)
	}
	return w.Err()
}

// maxShownLine is how much of a message the compact view shows, in
// characters.
const maxShownLine = 160

// shorten is oneLine cut to at most max characters with "…", and whether
// anything was left out.
func shorten(s string, max int) (string, bool) {
	r := []rune(oneLine(s))
	if len(r) <= max {
		return string(r), false
	}
	return strings.TrimSpace(string(r[:max-1])) + "…", true
}

func fmtTime(t time.Time) string { return t.In(inbox.Jakarta()).Format("2006-01-02 15:04 MST") }

package handlers_test

import (
	"github.com/jmoiron/sqlx"

	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/handlers"
	"github.com/tebingtinggi/hub/inbox"
	"github.com/tebingtinggi/hub/knowledge"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

func TestStartPayloadHook(t *testing.T) {
	c := &handlers.Citizen{}
	link := handlers.HandlerFunc(func(ctx context.Context, in *handlers.Update) ([]bots.Outgoing, error) {
		return []bots.Outgoing{{Text: "tautan " + in.Args}}, nil
	})
	if err := c.OnStart("asn-", link); err != nil {
		t.Fatal(err)
	}
	if err := c.OnStart("asn-", link); !errors.Is(err, handlers.ErrDuplicateRoute) {
		t.Fatalf("duplicate start hook: %v", err)
	}
	m, err := handlers.NewCitizenMux(c)
	if err != nil {
		t.Fatal(err)
	}
	start := func(args string) string {
		outs, err := m.Handle(context.Background(), &handlers.Update{Incoming: bots.Incoming{Kind: bots.Text, Command: "start", Args: args,
			ChatID: "1", ChatType: bots.Private, UserID: "1", Addressed: true}})
		if err != nil || len(outs) != 1 {
			t.Fatalf("/start %s: %v %v", args, outs, err)
		}
		return outs[0].Text
	}
	if got := start("asn-XYZ123"); got != "tautan asn-XYZ123" {
		t.Errorf("/start asn-XYZ123 → %q, want the hook", got)
	}
	if got := start("lainnya"); !strings.Contains(got, "asisten virtual") {
		t.Errorf("/start with an unknown payload → %q, want the welcome", got)
	}
	if err := m.Command("start", link); !errors.Is(err, handlers.ErrDuplicateRoute) {
		t.Errorf("registering /start again: %v", err)
	}
}

// smallTalk lists messages that must get a friendly reply and no search,
// and questions that must be searched.
var smallTalk = []struct {
	text  string
	small bool
}{
	{"halo", true},
	{"Selamat pagi min", true},
	{"assalamualaikum", true},
	{"makasih ya kak", true},
	{"ok siap", true},
	{"👍", true},
	{"🙏🙏", true},
	{"terima kasih banyak pak", true},
	{"slmt sore", true},
	{"p", true},
	{"pagi min", true},
	{"makasih bnyk", true},
	// Everyday spellings that used to open a ticket.
	{"assalamualaikum warahmatullahi wabarakatuh", true},
	{"ass min", true},
	{"terima kasih banyak atas infonya", true},
	{"makasih atas bantuannya", true},
	{"thx infonya min", true},
	{"hlo", true},
	{"hy min", true},
	{"hei", true},
	{"min?", true},
	{"bang", true},
	{"ada orang?", true},
	{"horas bah", true},
	{"misi min", true},
	{"baik, saya tunggu", true},
	{"ok ditunggu min", true},
	{"saya mau tanya", true},
	{"sudah terjawab", true},
	{"makasih lae", true},
	{"mantap kali wak", true},
	{"oh gitu ya bang", true},
	{"horas ito", true},
	{"slamat pagi", true},
	{"salam sejahtera", true},
	{"maaf mengganggu min", true},
	{"ok siap laksanakan", true},
	{"sampai jumpa", true},
	{"hmmm", true},
	{"mohon maaf, ktp saya hilang", false},
	{"oke jelas, sangat membantu", true},
	{"belum jelas", false},
	{"min, kk hilang", false},
	{"info ktp", false},
	{"ada orang buang sampah di parit", false},
	{"halo min, ktp saya hilang gmn", false},
	{"selamat pagi, jadwal sampah kapan?", false},
	{"akta", false},
	{"ok tapi syaratnya apa saja", false},
}

// starterCitizen is the citizen handler on the starter knowledge base,
// with a real inbox, and the mux the bots route through.
func starterCitizen(t *testing.T, db *storage.DB) (*knowledge.Store, *knowledge.Index, *inbox.Store, *handlers.Citizen, *handlers.Mux) {
	t.Helper()
	store, ix := loadStarter(t, db)
	in := inbox.New(db)
	c := &handlers.Citizen{Index: ix, Entries: store, Inbox: in, Calendar: inbox.DefaultCalendar()}
	m, err := handlers.NewCitizenMux(c)
	if err != nil {
		t.Fatal(err)
	}
	return store, ix, in, c, m
}

func TestSmallTalkGetsNoTicket(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		_, _, in, _, m := starterCitizen(t, db)
		for _, st := range smallTalk {
			var outs []bots.Outgoing
			err := db.InTx(context.Background(), func(tx *sqlx.Tx) error {
				var err error
				outs, err = m.Handle(context.Background(), &handlers.Update{Tx: tx, Incoming: bots.Incoming{Platform: bots.Console,
					Kind: bots.Text, Text: st.text, ChatID: "st", ChatType: bots.Private, UserID: "st", Addressed: true}})
				return err
			})
			if err != nil || len(outs) != 1 {
				t.Fatalf("%q: %v %v", st.text, outs, err)
			}
			friendly := len(outs[0].Buttons) == 0 && !strings.Contains(outs[0].Text, "tiket")
			isSmall := friendly && (strings.Contains(outs[0].Text, "Ada yang bisa saya bantu") || strings.Contains(outs[0].Text, "Sama-sama") ||
				strings.Contains(outs[0].Text, "Baik!"))
			if isSmall != st.small {
				t.Errorf("%q → %q: small talk %v, want %v", st.text, outs[0].Text, isSmall, st.small)
			}
		}
		res, err := in.List(context.Background(), inbox.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, lt := range res.Tickets {
			for _, st := range smallTalk {
				if st.small && lt.Ticket.Subject == st.text {
					t.Errorf("small talk %q opened a ticket", st.text)
				}
			}
		}
	})
}

// TestDeclineOpensNoTicketUntilPressed: a question that is not about public
// services gets a polite note and a button; only pressing it hands the
// question over.
func TestDeclineOpensNoTicketUntilPressed(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		_, _, in, _, m := starterCitizen(t, db)
		msg := bots.Incoming{Platform: bots.Console, Kind: bots.Text, Text: "siapa juara liga inggris musim ini bang",
			ChatID: "dc", ChatType: bots.Private, UserID: "dc", Addressed: true}
		outs, err := handleInTx(db, m, msg)
		if err != nil || len(outs) != 1 {
			t.Fatalf("decline: %v %v", outs, err)
		}
		if !strings.Contains(outs[0].Text, "layanan Pemerintah Kota Tebingtinggi") || len(outs[0].Buttons) != 1 || len(outs[0].Buttons[0]) != 1 {
			t.Fatalf("decline reply: %+v", outs[0])
		}
		tickets := func() int {
			res, err := in.List(context.Background(), inbox.Filter{})
			if err != nil {
				t.Fatal(err)
			}
			return len(res.Tickets)
		}
		if n := tickets(); n != 0 {
			t.Fatalf("a declined question opened %d tickets", n)
		}
		press := msg
		press.Kind, press.Text, press.Data = bots.Press, "", outs[0].Buttons[0][0].Data
		outs, err = handleInTx(db, m, press)
		if err != nil || len(outs) != 1 || !strings.Contains(outs[0].Text, "tiket") {
			t.Fatalf("pressing ask-an-officer: %v %v", outs, err)
		}
		res, err := in.List(context.Background(), inbox.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Tickets) != 1 || res.Tickets[0].Ticket.Subject != msg.Text {
			t.Fatalf("after the press, tickets: %+v", res.Tickets)
		}
	})
}

func TestButtonText(t *testing.T) {
	long := "Apa itu Kartu Identitas Anak (KIA) dan bagaimana cara membuatnya untuk anak saya yang baru lahir?"
	got := handlers.ButtonText(long)
	if n := len([]rune(got)); n > 60 || !strings.HasSuffix(got, "…") || !strings.HasPrefix(long, strings.TrimSuffix(got, "…")) {
		t.Errorf("ButtonText(%q) = %q (%d runes)", long, got, n)
	}
	if got := handlers.ButtonText("Pendek  saja?"); got != "Pendek saja?" {
		t.Errorf("short text changed: %q", got)
	}
}

// handleInTx has h handle in in a transaction of db, as the Router does.
func handleInTx(db *storage.DB, h handlers.Handler, in bots.Incoming) (outs []bots.Outgoing, err error) {
	err = db.InTx(context.Background(), func(tx *sqlx.Tx) error {
		outs, err = h.Handle(context.Background(), &handlers.Update{Incoming: in, Tx: tx})
		return err
	})
	return outs, err
}

// TestRateLimitedMessagesAreKept: a citizen over the per-person limit
// hears nothing more, but every message they wrote is in the conversation,
// for the officers (and joins their open ticket).
func TestRateLimitedMessagesAreKept(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		_, _, _, c, m := starterCitizen(t, db)
		r := newRouter(t, handlers.Config{DB: db, Handler: m, RateLimit: 2, Dropped: handlers.HandlerFunc(c.Dropped)})
		texts := []string{"bagaimana cara mengurus ktp yang hilang", "halo?", "kok diam", "tolong dijawab", "/start"}
		for i, s := range texts {
			msg := text(fmt.Sprint("limited-", i), "704", s)
			if strings.HasPrefix(s, "/") {
				msg.Command = strings.TrimPrefix(s, "/")
			}
			if err := r.Deliver(ctx, msg); err != nil {
				t.Fatal(err)
			}
		}
		var replies int
		for _, row := range outboxRows(t, db) {
			if row.Chat == "704" {
				replies++
			}
		}
		// Two answered, one slow-down notice, then silence.
		if replies != 3 {
			t.Errorf("%d replies to chat 704, want 3", replies)
		}
		var logged []string
		if err := db.SelectContext(ctx, &logged, `SELECT m.text FROM messages m JOIN conversations c ON c.id = m.conversation_id
			WHERE c.chat_id = '704' AND m.direction = 'in' ORDER BY m.id`); err != nil {
			t.Fatal(err)
		}
		// "halo?" is small talk, which the bot answers without logging;
		// each silenced message is logged, but not a command.
		want := []string{texts[0], texts[2], texts[3]}
		if !slices.Equal(logged, want) {
			t.Errorf("the conversation holds %q, want %q", logged, want)
		}
	})
}

// TestFilesFromCitizensReachTheirTicket: the bot cannot read a photo or a
// document, so it keeps its reference and caption with the citizen's
// ticket, opening one when there is none.
func TestFilesFromCitizensReachTheirTicket(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		_, _, in, _, m := starterCitizen(t, db)
		send := func(media, fileID, caption string) []bots.Outgoing {
			t.Helper()
			outs, err := handleInTx(db, m, bots.Incoming{Platform: bots.Telegram, Kind: bots.File, Media: media, FileID: fileID, Text: caption,
				ChatID: "f1", ChatType: bots.Private, UserID: "f1", Addressed: true})
			if err != nil || len(outs) != 1 {
				t.Fatalf("%s: %v %v", media, outs, err)
			}
			return outs
		}
		outs := send("photo", "AgACph0t0", "KTP saya rusak begini, bisa diganti?")
		res, err := in.List(context.Background(), inbox.Filter{})
		if err != nil || len(res.Tickets) != 1 {
			t.Fatalf("tickets after a photo: %+v, %v", res.Tickets, err)
		}
		id := res.Tickets[0].Ticket.ID
		if !strings.Contains(outs[0].Text, fmt.Sprintf("#%d", id)) || res.Tickets[0].Ticket.Subject != "KTP saya rusak begini, bisa diganti?" {
			t.Fatalf("reply %q, ticket %+v", outs[0].Text, res.Tickets[0].Ticket)
		}
		outs = send("document", "BQACd0c", "")
		if !strings.Contains(outs[0].Text, "Berkas Anda sudah kami terima") || !strings.Contains(outs[0].Text, fmt.Sprintf("#%d", id)) {
			t.Errorf("reply to a document: %q", outs[0].Text)
		}
		det, err := in.Get(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		var files []string
		for _, msg := range det.Messages {
			if msg.FileKind != "" {
				files = append(files, msg.FileKind+":"+msg.FileID+":"+msg.Text)
			}
		}
		if want := []string{"photo:AgACph0t0:", "document:BQACd0c:"}; !slices.Equal(files, want) {
			t.Errorf("files with the ticket %q, want %q", files, want)
		}
	})
}

// TestTypedRatingRatesTheClosedTicket: a citizen who types the number
// (or copies a button, "4 ⭐") instead of pressing one rates the ticket
// just closed; it opens no new ticket for "5".
func TestTypedRatingRatesTheClosedTicket(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		_, _, in, _, m := starterCitizen(t, db)
		desk := &handlers.Desk{Inbox: in, DB: db}
		say := func(user, text string) string {
			t.Helper()
			outs, err := handleInTx(db, m, bots.Incoming{Platform: bots.Telegram, Kind: bots.Text, Text: text,
				ChatID: user, ChatType: bots.Private, UserID: user, Addressed: true})
			if err != nil || len(outs) != 1 {
				t.Fatalf("%q: %v %v", text, outs, err)
			}
			return outs[0].Text
		}
		tickets := func() int {
			t.Helper()
			res, err := in.List(ctx, inbox.Filter{})
			if err != nil {
				t.Fatal(err)
			}
			return res.Total
		}
		closed := func(user string) int64 {
			t.Helper()
			if got := say(user, "zzq blorf wibble kapan bisa?"); !strings.Contains(got, "teruskan kepada petugas") {
				t.Fatalf("hand-over: %q", got)
			}
			ts, err := in.OpenTicketsFor(ctx, db, bots.Telegram, user)
			if err != nil || len(ts) != 1 {
				t.Fatalf("open tickets of %s: %v %v", user, ts, err)
			}
			if _, err := desk.Reply(ctx, ts[0].ID, "Petugas Ani", "Silakan datang ke kantor kelurahan."); err != nil {
				t.Fatal(err)
			}
			if _, told, err := desk.CloseAndTell(ctx, ts[0].ID, "Petugas Ani", false); err != nil || told != handlers.NoticeRating {
				t.Fatalf("close: told %v, %v", told, err)
			}
			return ts[0].ID
		}
		rating := func(id int64) int {
			t.Helper()
			d, err := in.Get(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if d.Ticket.Rating == nil {
				return 0
			}
			return *d.Ticket.Rating
		}

		for _, tc := range []struct {
			user, typed string
			want        int
		}{{"r1", "5", 5}, {"r2", " 4 ⭐", 4}, {"r3", "3 bintang", 3}, {"r4", "⭐⭐", 2},
			// As citizens also write it: none of these is a question.
			{"w1", "bintang 5", 5}, {"w2", "5/5", 5}, {"w3", "nilai 4 ya min", 4}, {"w4", "lima", 5},
			{"w5", "5!", 5}, {"w6", "kasih 3 deh", 3}, {"w7", "4 dari 5", 4},
			{"w8", "bintang 5 lae", 5}} {
			id := closed(tc.user)
			before := tickets()
			if got := say(tc.user, tc.typed); !strings.Contains(got, "penilaian") {
				t.Errorf("%q after the rating prompt: %q", tc.typed, got)
			}
			if n := tickets(); n != before {
				t.Errorf("%q opened a ticket (%d tickets, want %d)", tc.typed, n, before)
			}
			if got := rating(id); got != tc.want {
				t.Errorf("%q: rating %d, want %d", tc.typed, got, tc.want)
			}
			// Typed again: rated once only.
			if got := say(tc.user, "1"); !strings.Contains(got, "sudah Anda nilai") {
				t.Errorf("a second typed rating: %q", got)
			}
			if got := rating(id); got != tc.want {
				t.Errorf("a second typed rating changed %d to %d", tc.want, got)
			}
		}

		// A rating with a judgement: the judgement is its comment.
		for _, tc := range []struct {
			user, typed string
			want        int
		}{{"c1", "1 bintang, lambat sekali", 1}, {"c2", "5 mantap", 5}} {
			id := closed(tc.user)
			if got := say(tc.user, tc.typed); !strings.Contains(got, "penilaian dan komentar") {
				t.Errorf("%q after the rating prompt: %q", tc.typed, got)
			}
			d, err := in.Get(ctx, id)
			if err != nil || d.Ticket.Rating == nil || *d.Ticket.Rating != tc.want || d.Ticket.RatingComment != tc.typed {
				t.Errorf("%q: ticket %+v, %v; want rated %d with it as the comment", tc.typed, d.Ticket, err, tc.want)
			}
		}
		// Two numbers are no rating.
		id := closed("n1")
		say("n1", "4,5")
		if got := rating(id); got != 0 {
			t.Errorf("\"4,5\" rated the ticket %d", got)
		}

		// A ticket closed without any reply asked for no rating: a digit
		// typed then does not rate it.
		if got := say("u1", "zzq blorf wibble kapan bisa?"); !strings.Contains(got, "teruskan kepada petugas") {
			t.Fatalf("hand-over: %q", got)
		}
		ts, err := in.OpenTicketsFor(ctx, db, bots.Telegram, "u1")
		if err != nil || len(ts) != 1 {
			t.Fatalf("open tickets of u1: %v %v", ts, err)
		}
		if _, told, err := desk.CloseAndTell(ctx, ts[0].ID, "Petugas Ani", false); err != nil || told != handlers.NoticeUnanswered {
			t.Fatalf("closing an unanswered ticket: told %v, %v", told, err)
		}
		if got := say("u1", "5"); strings.Contains(got, "penilaian") || rating(ts[0].ID) != 0 {
			t.Errorf("a digit after an unanswered ticket's close: %q, rating %d", got, rating(ts[0].ID))
		}

		// Someone without a closed ticket who types a digit is not rating
		// anything: the message goes the usual way.
		if got := say("r9", "5"); strings.Contains(got, "penilaian") || strings.Contains(got, "sudah Anda nilai") {
			t.Errorf("a digit without a closed ticket: %q", got)
		}
		// Nor is one who has asked something since the ticket closed: a
		// digit then may answer that ("1" for the first choice offered).
		id = closed("r8")
		if got := say("r8", "ktp saya hilang gimana ngurusnya"); strings.Contains(got, "penilaian") {
			t.Fatalf("a question after the close: %q", got)
		}
		if got := say("r8", "1"); strings.Contains(got, "penilaian") || strings.Contains(got, "sudah Anda nilai") {
			t.Errorf("a digit after a later question: %q", got)
		}
		if got := rating(id); got != 0 {
			t.Errorf("a digit after a later question rated the closed ticket %d", got)
		}
	})
}

// TestGreetingRemindsOfOpenTickets: "halo?" from a citizen whose ticket
// is still open greets them with its number, more likely what they are
// asking after, in a private chat. In a group, where /status lists
// nothing, the greeting is the usual one: no number, no pointer to
// /status. Without an open ticket the greeting is the usual one.
func TestGreetingRemindsOfOpenTickets(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newHumanChat(t, db)
		const user = "waiting"
		id := ticketNumber(t, h.say(user, qHandoffs[1]))
		for _, hello := range []string{"halo?", "assalamualaikum"} {
			out := h.say(user, hello)
			if !strings.Contains(out.Text, fmt.Sprintf("Tiket Anda #%d masih terbuka", id)) {
				t.Errorf("%q with ticket #%d open: %q, want its number", hello, id, out.Text)
			}
		}
		group := text("", user, "@bot halo")
		group.ChatID, group.ChatType = "-100", bots.Group
		if out := h.deliver(group); strings.Contains(out.Text, fmt.Sprintf("#%d", id)) || strings.Contains(out.Text, "/status") || !strings.Contains(out.Text, "Halo!") {
			t.Errorf("\"halo\" in a group with ticket #%d open: %q, want the plain greeting, no ticket number and no pointer to a /status the group refuses", id, out.Text)
		}
		if out := h.say("new", "halo?"); strings.Contains(out.Text, "Tiket") || !strings.Contains(out.Text, "Halo!") {
			t.Errorf("\"halo?\" without a ticket: %q", out.Text)
		}
	})
}

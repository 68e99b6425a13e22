package handlers_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/handlers"
	"github.com/tebingtinggi/hub/inbox"
	"github.com/tebingtinggi/hub/knowledge"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
	"github.com/tebingtinggi/hub/training"
)

// /hapusdata from an ASN's chat erases everything they typed, in every
// table: their question and its ticket (closed, saying why), their
// Berhalangan reason, their free text in a named survey, and their
// unfinished anonymous response with the token that tied it to their NIP.
// What others typed, and a completed anonymous response, stay.
func TestForgetErasesWhatAnASNTyped(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newASNHub(t, db, wib("2026-11-20 10:00"))
		ctx := context.Background()
		h.link(nipBudi, chatBudi)
		h.link(nipSiti, chatSiti)
		inTx := func(f func(tx *sqlx.Tx) error) {
			t.Helper()
			if _, err := storagetest.InTx(db, func(tx *sqlx.Tx) (struct{}, error) { return struct{}{}, f(tx) }); err != nil {
				t.Fatal(err)
			}
		}
		now := h.clock.now()

		// Budi's question goes to an officer.
		question := "Nama saya Sri Wahyuningsih NIK 1276012345678901 soal nikah siri kecamatan"
		h.expectDecision(question, knowledge.Handoff)
		h.srv.PushText(chatBudi, chatBudi, question)
		ticket := ticketOf(t, h.next(chatBudi))

		// Berhalangan with a reason, Budi's and Siti's.
		for nip, reason := range map[string]string{nipBudi: "Dinas luar kota, istri XQZBUDI sakit", nipSiti: "Cuti XQZSITI"} {
			e := h.enrolment("ANL-2026-01", nip)
			inTx(func(tx *sqlx.Tx) error {
				_, err := h.training.RecordRSVP(ctx, tx, e.ID, nip, false, reason, now)
				return err
			})
		}

		// A named survey answered in full, an anonymous one half-way by
		// Budi and in full by Siti.
		named := openRound(t, h, training.Template{Code: "uji-bernama", Title: "Uji bernama", Questions: []training.Question{
			{ID: "catatan", Kind: training.FreeText, Text: "Catatan?", Required: true},
			{ID: "nilai", Kind: training.Likert5, Text: "Nilai?", Required: true},
		}})
		anon := openRound(t, h, training.Template{Code: "uji-anonim", Title: "Uji anonim", Anonymous: true, Questions: []training.Question{
			{ID: "saran", Kind: training.FreeText, Text: "Saran?", Required: true},
			{ID: "nilai", Kind: training.Likert5, Text: "Nilai?", Required: true},
		}})
		inTx(func(tx *sqlx.Tx) error {
			for _, step := range []func() error{
				func() error { _, err := h.training.Start(ctx, tx, named, nipBudi, now); return err },
				func() error {
					_, err := h.training.AnswerText(ctx, tx, named, nipBudi, "Atasan saya XQZNAMED", now)
					return err
				},
				func() error { _, err := h.training.Answer(ctx, tx, named, nipBudi, "nilai", "4", now); return err },
				func() error { _, err := h.training.Start(ctx, tx, anon, nipBudi, now); return err },
				func() error {
					_, err := h.training.AnswerText(ctx, tx, anon, nipBudi, "Saran XQZANONBUDI", now)
					return err
				},
				func() error { _, err := h.training.Start(ctx, tx, anon, nipSiti, now); return err },
				func() error {
					_, err := h.training.AnswerText(ctx, tx, anon, nipSiti, "Saran XQZANONSITI", now)
					return err
				},
				func() error { _, err := h.training.Answer(ctx, tx, anon, nipSiti, "nilai", "5", now); return err },
			} {
				if err := step(); err != nil {
					return err
				}
			}
			return nil
		})
		var token string
		if err := db.GetContext(ctx, &token, db.Rebind(`SELECT token FROM survey_invitations WHERE round_id = ? AND nip = ?`), anon, nipBudi); err != nil || token == "" {
			t.Fatalf("Budi's unfinished anonymous response has no token: %q %v", token, err)
		}
		for _, typed := range []string{"Wahyuningsih", "XQZBUDI", "XQZNAMED", "XQZANONBUDI", token} {
			if len(storagetest.Containing(t, db, typed)) == 0 {
				t.Fatalf("%q is nowhere before /hapusdata: the test does not test", typed)
			}
		}

		h.srv.PushText(chatBudi, chatBudi, "/hapusdata")
		m := h.next(chatBudi)
		h.srv.PushPress(chatBudi, chatBudi, m.MessageID, buttonData(t, m, "Ya, hapus data saya"))
		if m := h.next(chatBudi); !strings.Contains(m.Plain, "sudah kami hapus") {
			t.Fatalf("after confirming: %q", m.Plain)
		}

		for _, typed := range []string{"Wahyuningsih", "1276012345678901", "XQZBUDI", "XQZNAMED", "XQZANONBUDI", token} {
			if where := storagetest.Containing(t, db, typed); len(where) > 0 {
				t.Errorf("%q is still in %v after /hapusdata", typed, where)
			}
		}
		// The chat's ids are gone from every table that held them (but
		// for the goodbye, sent after the erasure).
		chat := strconv.Itoa(chatBudi)
		for _, q := range []string{
			`SELECT COUNT(*) FROM conversations WHERE chat_id = ? OR user_id = ?`,
			`SELECT COUNT(*) FROM account_links WHERE chat_id = ? OR user_id = ?`,
			`SELECT COUNT(*) FROM chat_sessions WHERE chat_id = ? OR user_id = ?`,
			`SELECT COUNT(*) FROM processed_updates WHERE (chat_id = ? OR user_id = ?) AND status <> 'pending'`,
			`SELECT COUNT(*) FROM outbox WHERE (chat_id = ? OR chat_id = ?) AND CAST(payload AS TEXT) NOT LIKE '%sudah kami hapus%'`,
		} {
			if n := count(t, db, q, chat, chat); n != 0 {
				t.Errorf("%s: %d after /hapusdata", q, n)
			}
		}
		// Others' text stays: Siti's reason and her completed anonymous
		// answer, as the NIP's records of Budi (enrolment, scores).
		for typed, want := range map[string][]string{
			"XQZSITI":     {"enrolments.rsvp_reason"},
			"XQZANONSITI": {"survey_answers.value"},
		} {
			if where := storagetest.Containing(t, db, typed); !slices.Equal(where, want) {
				t.Errorf("%q is in %v after Budi's /hapusdata, want %v", typed, where, want)
			}
		}
		if e := h.enrolment("ANL-2026-01", nipBudi); e.RSVP != training.RSVPNo || e.RSVPReason != "" {
			t.Errorf("Budi's enrolment after /hapusdata: %+v, want Berhalangan without its reason", e)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM survey_answers WHERE round_id = ? AND respondent = ? AND question_id = 'nilai' AND value = '4'`,
			named, nipBudi); n != 1 {
			t.Errorf("Budi's score in the named round: %d rows, want it kept", n)
		}
		var state string
		var left *string
		if err := db.QueryRowxContext(ctx, db.Rebind(`SELECT state, token FROM survey_invitations WHERE round_id = ? AND nip = ?`), anon, nipBudi).
			Scan(&state, &left); err != nil || state != "invited" || left != nil {
			t.Errorf("Budi's anonymous invitation: %q token %v (%v), want invited without a token", state, left, err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM survey_responses WHERE round_id = ?`, anon); n != 1 {
			t.Errorf("%d anonymous responses left, want Siti's only", n)
		}

		// The ticket is closed, says why, and no open ticket is left
		// without a citizen.
		d, err := h.inbox.Get(ctx, ticket)
		if err != nil || d.Ticket.Status != inbox.Closed || d.Ticket.ClosedBy != inbox.ForgottenCloser || d.Ticket.Subject != "" {
			t.Fatalf("Budi's ticket after /hapusdata: %+v %v", d.Ticket, err)
		}
		if len(d.Messages) != 1 || d.Messages[0].Text != inbox.ForgottenNote {
			t.Errorf("the ticket's history after /hapusdata: %+v, want only the note", d.Messages)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM tickets t JOIN conversations c ON c.id = t.conversation_id
			WHERE t.status <> 'closed' AND c.user_id LIKE 'forgotten:%'`); n != 0 {
			t.Errorf("%d open tickets without a citizen", n)
		}
		if _, err := h.training.LinkFor(ctx, db, "telegram", strconv.Itoa(chatSiti)); err != nil {
			t.Errorf("Siti's link: %v", err)
		}
		h.quiet(chatBudi)
	})
}

// openRound saves tmpl and opens a periodic round of it for every linked
// ASN, returning its id.
func openRound(t *testing.T, h *asnHub, tmpl training.Template) int64 {
	t.Helper()
	ctx := context.Background()
	if err := h.training.SaveTemplate(ctx, tmpl); err != nil {
		t.Fatal(err)
	}
	r, opened, err := h.training.OpenPeriodicRound(ctx, tmpl.Code, h.clock.now())
	if err != nil || !opened {
		t.Fatalf("open %s: %v %v", tmpl.Code, opened, err)
	}
	return r.ID
}

func count(t *testing.T, db *storage.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.GetContext(context.Background(), &n, db.Rebind(q), args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// A conversation state untouched for the retention period goes (it may
// hold a person's unfinished input); a recent one stays.
func TestPurgeSessionsBefore(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		cut := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
		for user, at := range map[string]time.Time{"old": cut.Add(-time.Hour), "new": cut.Add(time.Hour)} {
			if _, err := db.ExecContext(ctx, db.Rebind(`INSERT INTO chat_sessions (platform, chat_id, user_id, state, updated_at) VALUES ('telegram', ?, ?, '{"data":{"x":"XQZ"}}', ?)`),
				user, user, at); err != nil {
				t.Fatal(err)
			}
		}
		for i, want := range []int64{1, 0} {
			if n, err := handlers.PurgeSessionsBefore(ctx, db, cut); err != nil || n != want {
				t.Fatalf("run %d: PurgeSessionsBefore = %d, %v; want %d", i+1, n, err, want)
			}
		}
		var left []string
		if err := db.SelectContext(ctx, &left, `SELECT user_id FROM chat_sessions`); err != nil || len(left) != 1 || left[0] != "new" {
			t.Errorf("sessions left: %v %v; want the new one", left, err)
		}
	})
}

// TestForgetConfirmedByTyping: the /hapusdata question answered by
// typing rather than pressing is taken at its word: "iya hapus aja"
// erases, "gak jadi" keeps the data, and neither opens a ticket or reads
// as small talk (a "Baik!" to "ya" would let the citizen believe their
// data gone). Only the reply right after the question counts: a "ya"
// after a question in between erases nothing, and the buttons expire.
func TestForgetConfirmedByTyping(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newHumanChat(t, db)
		command := func(user, cmd string) bots.Outgoing {
			t.Helper()
			in := text("", user, "/"+cmd)
			in.Command = cmd
			return h.deliver(in)
		}
		secret := "nama saya Siti Rahmawati, soal nikah siri kecamatan"
		kept := func(user string) bool {
			t.Helper()
			return slices.Contains(h.logged(user), secret)
		}
		start := func(user string) {
			t.Helper()
			h.say(user, secret)
			if !kept(user) {
				t.Fatalf("%s: %q is not logged: the test does not test", user, secret)
			}
			if out := command(user, "hapusdata"); len(out.Buttons) == 0 {
				t.Fatalf("/hapusdata: %q without buttons", out.Text)
			}
		}

		for i, yes := range []string{"ya, hapus", "hapus", "iya hapus aja", "Ya, hapus semua data saya", "ya yakin", "hapus aja bos"} {
			user := "yes" + strconv.Itoa(i)
			start(user)
			if out := h.say(user, yes); !strings.Contains(out.Text, "sudah kami hapus") || kept(user) {
				t.Errorf("%q after /hapusdata: %q, data kept %v", yes, out.Text, kept(user))
			}
		}
		for i, no := range []string{"gak jadi", "batal", "jangan dihapus", "tidak", "batal lae", "jangan dihapus dulu", "tidak jadi dihapus ya bg"} {
			user := "no" + strconv.Itoa(i)
			start(user)
			before := len(h.tickets(user))
			if out := h.say(user, no); out.Text != "Baik, data Anda tidak dihapus." || !kept(user) || len(h.tickets(user)) != before {
				t.Errorf("%q after /hapusdata: %q, data kept %v, tickets %d→%d", no, out.Text, kept(user), before, len(h.tickets(user)))
			}
			if out := h.press(user, "del:yes"); strings.Contains(out.Text, "sudah kami hapus") || !kept(user) {
				t.Errorf("the button pressed after %q erased the data", no)
			}
		}

		// A bare agreement is too casual to erase on: the question is
		// asked again, and an explicit answer then erases.
		for i, vague := range []string{"ya", "ok", "oke", "boleh", "lanjut"} {
			user := "vague" + strconv.Itoa(i)
			start(user)
			out := h.say(user, vague)
			if strings.Contains(out.Text, "sudah kami hapus") || !kept(user) || !strings.Contains(out.Text, `ketik "ya, hapus"`) || len(out.Buttons) == 0 {
				t.Errorf("%q after /hapusdata: %q %v, data kept %v; want the question again", vague, out.Text, out.Buttons, kept(user))
			}
			if out := h.say(user, "ya, hapus"); !strings.Contains(out.Text, "sudah kami hapus") || kept(user) {
				t.Errorf("\"ya, hapus\" after %q: %q, data kept %v", vague, out.Text, kept(user))
			}
		}

		start("later")
		h.say("later", h.answered())
		if out := h.say("later", "ya"); strings.Contains(out.Text, "sudah kami hapus") || !kept("later") {
			t.Errorf("a \"ya\" after a question in between: %q, data kept %v", out.Text, kept("later"))
		}
		if out := h.press("later", "del:yes"); strings.Contains(out.Text, "sudah kami hapus") || !kept("later") {
			t.Errorf("the button pressed after a question in between erased the data: %q", out.Text)
		}
	})
}

// TestForgetTypedConfirmationExpires: a typed answer confirms /hapusdata
// only within a few minutes of the question. Later, an "ok" to an
// officer's reply, or even a "ya, hapus", is a message like any other and
// erases nothing; right before the window closes it still does.
func TestForgetTypedConfirmationExpires(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newHumanChat(t, db)
		hapusdata := func(user string) {
			t.Helper()
			in := text("", user, "/hapusdata")
			in.Command = "hapusdata"
			if out := h.deliver(in); len(out.Buttons) == 0 {
				t.Fatalf("/hapusdata: %q without buttons", out.Text)
			}
		}

		const user = "stale"
		out := h.say(user, qHandoffs[1])
		id := ticketNumber(t, out)
		hapusdata(user)
		h.clock.add(26 * time.Hour)
		desk := &handlers.Desk{Inbox: h.inbox, DB: h.db, Now: h.clock.now}
		if _, err := desk.Reply(context.Background(), id, "Petugas Ani", "Silakan datang ke kantor besok pagi ya."); err != nil {
			t.Fatal(err)
		}
		for _, typed := range []string{"ok", "ya, hapus"} {
			if out := h.say(user, typed); strings.Contains(out.Text, "sudah kami hapus") || !slices.Contains(h.logged(user), qHandoffs[1]) {
				t.Errorf("%q a day after an unanswered /hapusdata: %q; the data and ticket #%d are erased", typed, out.Text, id)
			}
		}

		const late = "late"
		h.say(late, qHandoffs[1])
		hapusdata(late)
		h.clock.add(6 * time.Minute)
		if out := h.say(late, "ya, hapus"); strings.Contains(out.Text, "sudah kami hapus") || !slices.Contains(h.logged(late), qHandoffs[1]) {
			t.Errorf("\"ya, hapus\" six minutes after /hapusdata: %q; the data are erased", out.Text)
		}

		const prompt = "prompt"
		h.say(prompt, qHandoffs[1])
		hapusdata(prompt)
		h.clock.add(4 * time.Minute)
		if out := h.say(prompt, "ya, hapus"); !strings.Contains(out.Text, "sudah kami hapus") || slices.Contains(h.logged(prompt), qHandoffs[1]) {
			t.Errorf("\"ya, hapus\" four minutes after /hapusdata: %q; want the data erased", out.Text)
		}
	})
}

// TestForgetConfirmationReadsEverydayWords: everyday agreement typed to
// the /hapusdata question ("yaudah hapus", "udah hapus aja") erases as
// "ya, hapus" does, and a bare "yaudah" asks again as "ya" does. A reply
// that names the erasure among words that are neither yes nor no ("hapus
// bg tp jgn tiket sy") asks again too: it is no question for an officer.
func TestForgetConfirmationReadsEverydayWords(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newHumanChat(t, db)
		q := h.answered()
		start := func(user string) {
			t.Helper()
			h.say(user, q)
			in := text("", user, "/hapusdata")
			in.Command = "hapusdata"
			if out := h.deliver(in); len(out.Buttons) == 0 {
				t.Fatalf("/hapusdata: %q without buttons", out.Text)
			}
		}
		kept := func(user string) bool { return slices.Contains(h.logged(user), q) }
		for i, yes := range []string{"yaudah hapus", "yauda hapus bg", "udah hapus aja", "iya hapus", "ya udah hapus deh"} {
			user := "yes" + strconv.Itoa(i)
			start(user)
			if out := h.say(user, yes); !strings.Contains(out.Text, "sudah kami hapus") || kept(user) {
				t.Errorf("%q after /hapusdata: %q, data kept %v", yes, out.Text, kept(user))
			}
		}
		for i, again := range []string{"yaudah", "udah", "hapus bg tp jgn tiket sy"} {
			user := "again" + strconv.Itoa(i)
			start(user)
			out := h.say(user, again)
			if !strings.Contains(out.Text, `ketik "ya, hapus"`) || len(out.Buttons) == 0 || !kept(user) || len(h.tickets(user)) != 0 {
				t.Errorf("%q after /hapusdata: %q %v, data kept %v, tickets %d; want the question again", again, out.Text, out.Buttons, kept(user), len(h.tickets(user)))
			}
			if out := h.say(user, "batal"); out.Text != "Baik, data Anda tidak dihapus." || !kept(user) {
				t.Errorf("\"batal\" after %q: %q, data kept %v", again, out.Text, kept(user))
			}
		}
	})
}

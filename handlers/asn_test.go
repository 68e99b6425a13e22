package handlers_test

import (
	"github.com/jmoiron/sqlx"

	"context"
	"errors"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/bots/telegram"
	"github.com/tebingtinggi/hub/bots/telegram/telegramtest"
	"github.com/tebingtinggi/hub/handlers"
	"github.com/tebingtinggi/hub/inbox"
	"github.com/tebingtinggi/hub/knowledge"
	"github.com/tebingtinggi/hub/outbox"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
	"github.com/tebingtinggi/hub/training"
)

// The NIPs of training/testdata/asn.csv.
const (
	nipBudi = "198001012005011001"
	nipSiti = "199203152019032002"
	nipAndi = "198507202010011003"
	nipRina = "199011112015032004" // inactive
)

// Telegram chats (private: chat id = user id) of the people in these tests.
const (
	chatBudi  = 6101
	chatSiti  = 6102
	chatAndi  = 6103
	chatWarga = 6199 // a citizen who is not an ASN
)

// clock is a settable clock, read by the handlers' goroutines.
type clock struct{ ns atomic.Int64 }

func newClock(t time.Time) *clock {
	c := &clock{}
	c.set(t)
	return c
}

func (c *clock) set(t time.Time)     { c.ns.Store(t.UnixNano()) }
func (c *clock) now() time.Time      { return time.Unix(0, c.ns.Load()) }
func (c *clock) add(d time.Duration) { c.set(c.now().Add(d)) }

func wib(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, training.WIB)
	if err != nil {
		panic(err)
	}
	return t
}

// asnHub is the whole chat path with the citizens' and the ASN flows on
// one database, the training data of training/testdata imported.
type asnHub struct {
	*hub
	training *training.Store
	clock    *clock
	disp     *outbox.Dispatcher
}

func newASNHub(t *testing.T, db *storage.DB, start time.Time) *asnHub {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	log, logs := testLogger()
	srv := telegramtest.NewServer(t)
	a, err := telegram.New(ctx, telegram.Config{
		Token: srv.Token(), APIURL: srv.URL(), PollTimeout: time.Second, Logger: log,
		Limits: telegram.Limits{PerChat: telegram.Rate{Events: 100, Per: time.Second}},
	})
	if err != nil {
		t.Fatal(err)
	}
	store, ix := loadStarter(t, db)
	in := inbox.New(db)
	disp := &outbox.Dispatcher{DB: db, Senders: map[bots.Platform]bots.Sender{bots.Telegram: a},
		PollInterval: 50 * time.Millisecond, Logger: log, Backoff: func(int) time.Duration { return 50 * time.Millisecond }}
	citizen := &handlers.Citizen{Index: ix, Entries: store, Inbox: in, Calendar: inbox.DefaultCalendar(), Outbox: outbox.New(db)}
	mux, err := handlers.NewCitizenMux(citizen)
	if err != nil {
		t.Fatal(err)
	}
	clk := newClock(start)
	ts := trainingFixture(t, db)
	asn := &handlers.ASN{Training: ts, Now: clk.now}
	if err := asn.Register(mux, citizen); err != nil {
		t.Fatal(err)
	}
	router := newRouter(t, handlers.Config{DB: db, Handler: mux, Waker: disp, Logger: log, RateLimit: 1000})
	h := &hub{t: t, db: db, srv: srv, adapter: a, router: router, inbox: in, index: ix, logs: logs,
		desk: &handlers.Desk{Inbox: in, DB: db, Waker: disp}, seen: map[int64]int{}}
	var wg sync.WaitGroup
	wg.Go(func() { _ = disp.Run(ctx) })
	wg.Go(func() { _ = a.Run(ctx, router) })
	t.Cleanup(func() {
		cancel()
		wg.Wait()
		for _, secret := range []string{nipBudi, nipSiti, "Budi Santoso", "Dinas luar kota"} {
			if strings.Contains(logs.String(), secret) {
				t.Errorf("personal data %q appears in the logs", secret)
			}
		}
	})
	return &asnHub{hub: h, training: ts, clock: clk, disp: disp}
}

// trainingFixture imports the training package's example files.
func trainingFixture(t *testing.T, db *storage.DB) *training.Store {
	t.Helper()
	ctx := context.Background()
	s := training.New(db, training.Options{})
	for _, f := range []struct {
		name string
		imp  func(ctx context.Context, file *os.File, name string) error
	}{
		{"units.csv", func(ctx context.Context, f *os.File, n string) error { _, err := s.ImportUnits(ctx, f, n); return err }},
		{"asn.csv", func(ctx context.Context, f *os.File, n string) error { _, err := s.ImportASN(ctx, f, n); return err }},
		{"trainings.csv", func(ctx context.Context, f *os.File, n string) error {
			_, err := s.ImportTrainings(ctx, f, n)
			return err
		}},
		{"sessions.csv", func(ctx context.Context, f *os.File, n string) error {
			_, err := s.ImportSessions(ctx, f, n)
			return err
		}},
		{"enrolments.csv", func(ctx context.Context, f *os.File, n string) error {
			_, err := s.ImportEnrolments(ctx, f, n)
			return err
		}},
	} {
		file, err := os.Open("../training/testdata/" + f.name)
		if err != nil {
			t.Fatal(err)
		}
		err = f.imp(ctx, file, f.name)
		file.Close()
		if err != nil {
			t.Fatalf("import %s: %v", f.name, err)
		}
	}
	if err := s.EnsureTemplates(ctx); err != nil {
		t.Fatal(err)
	}
	return s
}

// code issues a link code for nip at the hub's current time.
func (h *asnHub) code(nip string) string {
	h.t.Helper()
	code, err := h.training.IssueLinkCode(context.Background(), nip, h.clock.now())
	if err != nil {
		h.t.Fatal(err)
	}
	return code
}

// link links nip to the private chat with the deep link and checks the
// welcome.
func (h *asnHub) link(nip string, chat int64) {
	h.t.Helper()
	h.srv.PushText(chat, chat, "/start "+h.code(nip))
	if m := h.next(chat); !strings.Contains(m.Plain, "kini tertaut") {
		h.t.Fatalf("linking %d: %q", chat, m.Plain)
	}
}

// deliver puts planned messages (reminders, invitations) in the outbox as
// the scheduler would, but due now in real time: the training clock of
// these tests is not the dispatcher's.
func (h *asnHub) deliver(ps []training.Planned) {
	h.t.Helper()
	var msgs []outbox.Message
	for _, p := range ps {
		msgs = append(msgs, outbox.Message{Key: p.Key, Out: p.Out})
	}
	if _, err := outbox.Enqueue(context.Background(), h.db, msgs...); err != nil {
		h.t.Fatal(err)
	}
	h.disp.Wake()
}

// remindDue delivers the reminders due at the training clock, failing
// unless there are want of them (any number when want < 0).
func (h *asnHub) remindDue(want int) {
	h.t.Helper()
	ps, err := h.training.DueReminders(context.Background(), h.clock.now(), nil, 0)
	if err != nil || (want >= 0 && len(ps) != want) {
		h.t.Fatalf("reminders: %d, %v; want %d", len(ps), err, want)
	}
	h.deliver(ps)
}

// surveyDue moves the clock to two hours after ANL-2026-01 ends, opens its
// post-training survey round and delivers the invitations due, which must
// be want of them (any number when want < 0).
func (h *asnHub) surveyDue(want int) {
	h.t.Helper()
	ctx := context.Background()
	h.clock.set(wib("2026-12-03 18:00"))
	if _, err := h.training.OpenPostTrainingRounds(ctx, h.clock.now(), 2*time.Hour); err != nil {
		h.t.Fatal(err)
	}
	inv, err := h.training.Invitations(ctx, h.clock.now())
	if err != nil || (want >= 0 && len(inv) != want) {
		h.t.Fatalf("invitations: %d, %v; want %d", len(inv), err, want)
	}
	h.deliver(inv)
}

func (h *asnHub) enrolment(sessionCode, nip string) training.Enrolment {
	h.t.Helper()
	ctx := context.Background()
	all, err := h.training.Sessions(ctx, 0)
	if err != nil {
		h.t.Fatal(err)
	}
	for _, s := range all {
		if s.Code != sessionCode {
			continue
		}
		es, err := h.training.Enrolments(ctx, s.ID)
		if err != nil {
			h.t.Fatal(err)
		}
		for _, e := range es {
			if e.NIP == nip {
				return e
			}
		}
	}
	h.t.Fatalf("no enrolment of %s in %s", nip, sessionCode)
	return training.Enrolment{}
}

func buttonData(t *testing.T, m telegramtest.SentMessage, text string) string {
	t.Helper()
	for _, b := range buttons(m) {
		if b.Text == text || strings.HasPrefix(b.Text, text) {
			return b.Data
		}
	}
	t.Fatalf("no button %q in %q %v", text, m.Plain, m.Buttons)
	return ""
}

func TestASNLinking(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newASNHub(t, db, wib("2026-11-20 10:00"))
		ctx := context.Background()

		// A fresh code by deep link: welcome with the name; the link is
		// recorded with its platform and chat.
		code := h.code(nipBudi)
		h.srv.PushText(chatBudi, chatBudi, "/start "+code)
		m := h.next(chatBudi)
		if !strings.Contains(m.Plain, "Bapak/Ibu Budi Santoso") || !strings.Contains(m.Plain, "Akun Telegram Anda kini tertaut") ||
			!strings.Contains(m.Plain, "/berhenti") {
			t.Fatalf("welcome: %q", m.Plain)
		}
		l, err := h.training.LinkFor(ctx, db, bots.Telegram, strconv.Itoa(chatBudi))
		if err != nil || l.NIP != nipBudi || l.ChatID != strconv.Itoa(chatBudi) || l.Paused {
			t.Fatalf("link %+v, %v", l, err)
		}

		// The same code again, from another account: used.
		h.srv.PushText(chatSiti, chatSiti, "/start "+code)
		if m := h.next(chatSiti); !strings.Contains(m.Plain, "sudah pernah dipakai") {
			t.Fatalf("used code: %q", m.Plain)
		}
		// An expired code (issued eight days ago), typed with /daftar in
		// lower case with a hyphen.
		old, err := h.training.IssueLinkCode(ctx, nipSiti, h.clock.now().Add(-8*24*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		h.srv.PushText(chatSiti, chatSiti, "/daftar "+strings.ToLower(old[:4]+"-"+old[4:]))
		if m := h.next(chatSiti); !strings.Contains(m.Plain, "kedaluwarsa") {
			t.Fatalf("expired code: %q", m.Plain)
		}
		// Unknown codes, by /daftar and by deep link; /daftar alone explains.
		h.srv.PushText(chatSiti, chatSiti, "/daftar ZZZZ9999")
		if m := h.next(chatSiti); !strings.Contains(m.Plain, "tidak dikenal") {
			t.Fatalf("unknown code: %q", m.Plain)
		}
		h.srv.PushText(chatSiti, chatSiti, "/start ABCD2345")
		if m := h.next(chatSiti); !strings.Contains(m.Plain, "tidak dikenal") {
			t.Fatalf("unknown deep-link code: %q", m.Plain)
		}
		h.srv.PushText(chatSiti, chatSiti, "/daftar")
		if m := h.next(chatSiti); !strings.Contains(m.Plain, "/daftar diikuti kode") {
			t.Fatalf("/daftar without a code: %q", m.Plain)
		}
		// Other /start payloads still get the citizens' welcome.
		h.srv.PushText(chatSiti, chatSiti, "/start")
		if m := h.next(chatSiti); !strings.Contains(m.Plain, "asisten virtual") {
			t.Fatalf("/start: %q", m.Plain)
		}
		if _, err := h.training.LinkFor(ctx, db, bots.Telegram, strconv.Itoa(chatSiti)); err == nil {
			t.Fatal("a refused code linked the account")
		}
		// An inactive ASN gets no code; a group is no place to link.
		if _, err := h.training.IssueLinkCode(ctx, nipRina, h.clock.now()); err == nil {
			t.Fatal("a code for an inactive ASN")
		}
		const group = -6200
		h.srv.PushText(group, chatSiti, "/daftar@"+telegramtest.BotUsername+" "+h.code(nipSiti))
		if m := h.next(group); !strings.Contains(m.Plain, "chat pribadi") {
			t.Fatalf("linking in a group: %q", m.Plain)
		}
		// Budi's account cannot take Siti's code.
		h.srv.PushText(chatBudi, chatBudi, "/daftar "+h.code(nipSiti))
		if m := h.next(chatBudi); !strings.Contains(m.Plain, "sudah tertaut ke ASN lain") {
			t.Fatalf("account in use: %q", m.Plain)
		}

		// Pause and resume.
		h.srv.PushText(chatBudi, chatBudi, "/berhenti")
		if m := h.next(chatBudi); !strings.Contains(m.Plain, "kami hentikan sementara") {
			t.Fatalf("/berhenti: %q", m.Plain)
		}
		if l, _ := h.training.LinkFor(ctx, db, bots.Telegram, strconv.Itoa(chatBudi)); !l.Paused {
			t.Fatal("not paused")
		}
		h.srv.PushText(chatBudi, chatBudi, "/lanjut")
		if m := h.next(chatBudi); !strings.Contains(m.Plain, "aktif kembali") {
			t.Fatalf("/lanjut: %q", m.Plain)
		}
		if l, _ := h.training.LinkFor(ctx, db, bots.Telegram, strconv.Itoa(chatBudi)); l.Paused {
			t.Fatal("still paused")
		}
		h.srv.PushText(chatWarga, chatWarga, "/berhenti")
		if m := h.next(chatWarga); !strings.Contains(m.Plain, "belum tertaut") {
			t.Fatalf("/berhenti without a link: %q", m.Plain)
		}

		// A linked ASN is a citizen too: ordinary questions get answers.
		q, _ := h.find(knowledge.Answer, qAnswers)
		h.srv.PushText(chatBudi, chatBudi, q)
		if m := h.next(chatBudi); !hasButton(m, "Terjawab 👍") {
			t.Fatalf("FAQ question of a linked ASN: %q", m.Plain)
		}

		// Unlink, with confirmation.
		h.srv.PushText(chatBudi, chatBudi, "/putus")
		m = h.next(chatBudi)
		if !hasButton(m, "Ya, putuskan") || !hasButton(m, "Batal") {
			t.Fatalf("/putus: %q %v", m.Plain, m.Buttons)
		}
		h.srv.PushPress(chatBudi, chatBudi, m.MessageID, buttonData(t, m, "Batal"))
		if m := h.next(chatBudi); !strings.Contains(m.Plain, "tetap aktif") {
			t.Fatalf("cancelled /putus: %q", m.Plain)
		}
		h.srv.PushPress(chatBudi, chatBudi, m.MessageID, buttonData(t, m, "Ya, putuskan"))
		if m := h.next(chatBudi); !strings.Contains(m.Plain, "tidak berlaku") {
			t.Fatalf("stale confirmation: %q", m.Plain)
		}
		h.srv.PushText(chatBudi, chatBudi, "/putus")
		m = h.next(chatBudi)
		h.srv.PushPress(chatBudi, chatBudi, m.MessageID, buttonData(t, m, "Ya, putuskan"))
		if m := h.next(chatBudi); !strings.Contains(m.Plain, "sudah diputus") {
			t.Fatalf("confirmed /putus: %q", m.Plain)
		}
		if _, err := h.training.LinkFor(ctx, db, bots.Telegram, strconv.Itoa(chatBudi)); err == nil {
			t.Fatal("still linked after /putus")
		}
		h.srv.PushText(chatBudi, chatBudi, "/putus")
		if m := h.next(chatBudi); !strings.Contains(m.Plain, "belum tertaut") {
			t.Fatalf("/putus without a link: %q", m.Plain)
		}
		for _, c := range []int64{chatBudi, chatSiti, chatWarga, group} {
			h.quiet(c)
		}
	})
}

func TestASNRSVP(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newASNHub(t, db, wib("2026-12-02 09:00"))
		h.link(nipBudi, chatBudi)
		h.link(nipSiti, chatSiti)

		// The 1-day reminder of ANL-2026-01 (2026-12-03 09:00) with its
		// buttons.
		h.remindDue(2)
		m := h.next(chatBudi)
		if !strings.Contains(m.Plain, "Pengingat") || !hasButton(m, "Hadir") || !hasButton(m, "Berhalangan") {
			t.Fatalf("reminder: %q %v", m.Plain, m.Buttons)
		}
		reminderSiti := h.next(chatSiti)
		yes, no := buttonData(t, m, "Hadir"), buttonData(t, m, "Berhalangan")

		// Hadir.
		h.srv.PushPress(chatBudi, chatBudi, m.MessageID, yes)
		if got := h.next(chatBudi); !strings.Contains(got.Plain, "kehadiran Anda pada pelatihan \"Analisis Data") {
			t.Fatalf("Hadir: %q", got.Plain)
		}
		if e := h.enrolment("ANL-2026-01", nipBudi); e.RSVP != training.RSVPYes {
			t.Fatalf("RSVP %q after Hadir", e.RSVP)
		}
		// Someone else's button: refused, nothing recorded.
		h.srv.PushPress(chatSiti, chatSiti, reminderSiti.MessageID, no)
		if got := h.next(chatSiti); !strings.Contains(got.Plain, "bukan untuk Anda") {
			t.Fatalf("Siti pressing Budi's button: %q", got.Plain)
		}
		h.srv.PushPress(chatWarga, chatWarga, 1, no)
		if got := h.next(chatWarga); !strings.Contains(got.Plain, "belum tertaut") {
			t.Fatalf("an unlinked person pressing Budi's button: %q", got.Plain)
		}
		if e := h.enrolment("ANL-2026-01", nipBudi); e.RSVP != training.RSVPYes {
			t.Fatalf("Budi's RSVP changed to %q by others", e.RSVP)
		}
		if e := h.enrolment("ANL-2026-01", nipSiti); e.RSVP != training.RSVPNone {
			t.Fatalf("Siti's RSVP %q", e.RSVP)
		}
		h.srv.PushPress(chatBudi, chatBudi, m.MessageID, "rsvp:abc:y")
		if got := h.next(chatBudi); !strings.Contains(got.Plain, "tidak berlaku") {
			t.Fatalf("forged RSVP data: %q", got.Plain)
		}

		// Berhalangan: the next text is the reason, even one that looks
		// like a question.
		h.srv.PushPress(chatBudi, chatBudi, m.MessageID, no)
		got := h.next(chatBudi)
		if !strings.Contains(got.Plain, "alasan singkat") || !hasButton(got, "Lewati") {
			t.Fatalf("Berhalangan: %q %v", got.Plain, got.Buttons)
		}
		if e := h.enrolment("ANL-2026-01", nipBudi); e.RSVP != training.RSVPNo {
			t.Fatalf("RSVP %q after Berhalangan", e.RSVP)
		}
		skipBudi := buttonData(t, got, "Lewati")
		h.srv.PushText(chatBudi, chatBudi, "Dinas luar kota ke Medan, bagaimana?")
		if got := h.next(chatBudi); !strings.Contains(got.Plain, "alasan Anda sudah kami catat") {
			t.Fatalf("reason: %q", got.Plain)
		}
		if e := h.enrolment("ANL-2026-01", nipBudi); e.RSVP != training.RSVPNo || e.RSVPReason != "Dinas luar kota ke Medan, bagaimana?" {
			t.Fatalf("after the reason: %+v", e)
		}
		// The reason was taken: the next question is a question again, and
		// the old "Lewati" has expired.
		q, _ := h.find(knowledge.Answer, qAnswers)
		h.srv.PushText(chatBudi, chatBudi, q)
		if got := h.next(chatBudi); !hasButton(got, "Terjawab 👍") {
			t.Fatalf("question after the reason: %q", got.Plain)
		}
		h.srv.PushPress(chatBudi, chatBudi, got.MessageID, skipBudi)
		if got := h.next(chatBudi); !strings.Contains(got.Plain, "tidak berlaku") {
			t.Fatalf("stale Lewati: %q", got.Plain)
		}

		// Siti: Berhalangan, then Lewati.
		h.srv.PushPress(chatSiti, chatSiti, reminderSiti.MessageID, buttonData(t, reminderSiti, "Berhalangan"))
		got = h.next(chatSiti)
		h.srv.PushPress(chatSiti, chatSiti, got.MessageID, buttonData(t, got, "Lewati"))
		if got := h.next(chatSiti); !strings.Contains(got.Plain, "ketidakhadiran Anda sudah kami catat") {
			t.Fatalf("Lewati: %q", got.Plain)
		}
		if e := h.enrolment("ANL-2026-01", nipSiti); e.RSVP != training.RSVPNo || e.RSVPReason != "" {
			t.Fatalf("Siti after Lewati: %+v", e)
		}

		// A reason not given within the idle time: later text is a
		// question again.
		h.srv.PushPress(chatSiti, chatSiti, reminderSiti.MessageID, buttonData(t, reminderSiti, "Berhalangan"))
		h.next(chatSiti)
		h.clock.add(2 * time.Hour)
		h.srv.PushText(chatSiti, chatSiti, q)
		if got := h.next(chatSiti); !hasButton(got, "Terjawab 👍") {
			t.Fatalf("question long after Berhalangan: %q", got.Plain)
		}
		if e := h.enrolment("ANL-2026-01", nipSiti); e.RSVPReason != "" {
			t.Fatalf("a late question became the reason: %q", e.RSVPReason)
		}

		// Once the session has started, the RSVP cannot change.
		h.clock.set(wib("2026-12-03 09:30"))
		h.srv.PushPress(chatBudi, chatBudi, m.MessageID, yes)
		if got := h.next(chatBudi); !strings.Contains(got.Plain, "sudah dimulai") {
			t.Fatalf("RSVP after the start: %q", got.Plain)
		}
		if e := h.enrolment("ANL-2026-01", nipBudi); e.RSVP != training.RSVPNo {
			t.Fatalf("RSVP changed after the start: %q", e.RSVP)
		}
		for _, c := range []int64{chatBudi, chatSiti, chatWarga} {
			h.quiet(c)
		}
	})
}

// An ASN may change their answer until the session starts: with the
// fresh button on each confirmation, or by typing "hadir", "bisa hadir",
// "tidak bisa". The same words from someone with nothing to answer, or
// after the start, get a polite reply and change nothing.
func TestASNRSVPChangeOfMind(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newASNHub(t, db, wib("2026-12-02 09:00"))
		ctx := context.Background()
		h.link(nipBudi, chatBudi)
		h.link(nipSiti, chatSiti)
		h.link(nipAndi, chatAndi)
		rsvp := func(session, nip string) (training.RSVP, string) {
			e := h.enrolment(session, nip)
			return e.RSVP, e.RSVPReason
		}
		h.remindDue(-1)
		reminder := h.next(chatBudi)
		h.next(chatSiti)
		h.next(chatAndi) // SPBE-2026-02's

		// Berhalangan, with a reason; the confirmation offers the way back.
		h.srv.PushPress(chatBudi, chatBudi, reminder.MessageID, buttonData(t, reminder, "Berhalangan"))
		got := h.next(chatBudi)
		if !hasButton(got, "Lewati") || !hasButton(got, "Ternyata bisa hadir") {
			t.Fatalf("Berhalangan: %q %v", got.Plain, got.Buttons)
		}
		h.srv.PushText(chatBudi, chatBudi, "Dinas luar kota")
		got = h.next(chatBudi)
		if !strings.Contains(got.Plain, "alasan Anda sudah kami catat") || !hasButton(got, "Ternyata bisa hadir") {
			t.Fatalf("reason: %q %v", got.Plain, got.Buttons)
		}
		// The fresh button: Hadir after all, with a Berhalangan button.
		h.srv.PushPress(chatBudi, chatBudi, got.MessageID, buttonData(t, got, "Ternyata bisa hadir"))
		got = h.next(chatBudi)
		if !strings.Contains(got.Plain, "kehadiran Anda pada pelatihan") || !hasButton(got, "Berhalangan") {
			t.Fatalf("change to Hadir: %q %v", got.Plain, got.Buttons)
		}
		if r, _ := rsvp("ANL-2026-01", nipBudi); r != training.RSVPYes {
			t.Fatalf("RSVP %q after the change", r)
		}
		// Typed: "tidak bisa" asks for the reason; "Bisa hadir!" instead of
		// a reason changes the answer back.
		h.srv.PushText(chatBudi, chatBudi, "tidak bisa")
		if got := h.next(chatBudi); !strings.Contains(got.Plain, "alasan singkat") {
			t.Fatalf("typed tidak bisa: %q", got.Plain)
		}
		if r, _ := rsvp("ANL-2026-01", nipBudi); r != training.RSVPNo {
			t.Fatalf("RSVP %q after typing tidak bisa", r)
		}
		h.srv.PushText(chatBudi, chatBudi, "Bisa hadir!")
		if got := h.next(chatBudi); !strings.Contains(got.Plain, "kehadiran Anda pada pelatihan") {
			t.Fatalf("typed Bisa hadir: %q", got.Plain)
		}
		if r, why := rsvp("ANL-2026-01", nipBudi); r != training.RSVPYes || why != "" {
			t.Fatalf("RSVP %q (%q) after typing Bisa hadir", r, why)
		}

		// Andi has one session ahead (SPBE-2026-02): "hadir" is for it.
		h.srv.PushText(chatAndi, chatAndi, "hadir")
		if got := h.next(chatAndi); !strings.Contains(got.Plain, "kehadiran Anda pada pelatihan \"Dasar-Dasar SPBE") {
			t.Fatalf("Andi typing hadir: %q", got.Plain)
		}
		if r, _ := rsvp("SPBE-2026-02", nipAndi); r != training.RSVPYes {
			t.Fatalf("Andi's RSVP %q", r)
		}
		// Budi enrolled in two sessions: which one?
		if _, err := h.training.ImportEnrolments(ctx, strings.NewReader("session,nip\nSPBE-2026-02,"+nipBudi+"\n"), "more.csv"); err != nil {
			t.Fatal(err)
		}
		h.srv.PushText(chatBudi, chatBudi, "gak bisa hadir")
		got = h.next(chatBudi)
		if !strings.Contains(got.Plain, "1. Analisis Data") || !strings.Contains(got.Plain, "2. Dasar-Dasar SPBE") || !hasButton(got, "2. Berhalangan") {
			t.Fatalf("two sessions: %q %v", got.Plain, got.Buttons)
		}
		if r, _ := rsvp("ANL-2026-01", nipBudi); r != training.RSVPYes {
			t.Fatalf("an ambiguous typed RSVP changed ANL-2026-01 to %q", r)
		}
		h.srv.PushPress(chatBudi, chatBudi, got.MessageID, buttonData(t, got, "2. Berhalangan"))
		got = h.next(chatBudi)
		if r, _ := rsvp("SPBE-2026-02", nipBudi); r != training.RSVPNo {
			t.Fatalf("SPBE-2026-02 RSVP %q", r)
		}
		h.srv.PushPress(chatBudi, chatBudi, got.MessageID, buttonData(t, got, "Lewati"))
		if got := h.next(chatBudi); !strings.Contains(got.Plain, "ketidakhadiran Anda sudah kami catat") || !hasButton(got, "Ternyata bisa hadir") {
			t.Fatalf("Lewati: %q %v", got.Plain, got.Buttons)
		}

		// A citizen with nothing to answer: a polite reply, nothing else.
		h.srv.PushText(chatWarga, chatWarga, "hadir")
		if got := h.next(chatWarga); !strings.Contains(got.Plain, "tidak ada pelatihan yang menunggu konfirmasi") {
			t.Fatalf("a citizen typing hadir: %q", got.Plain)
		}

		// Once ANL-2026-01 has started: Siti's words and Budi's old button
		// change nothing.
		h.clock.set(wib("2026-12-03 09:30"))
		h.srv.PushText(chatSiti, chatSiti, "bisa hadir")
		if got := h.next(chatSiti); !strings.Contains(got.Plain, "sudah dimulai") {
			t.Fatalf("typed hadir after the start: %q", got.Plain)
		}
		if r, _ := rsvp("ANL-2026-01", nipSiti); r != training.RSVPNone {
			t.Fatalf("Siti's RSVP %q after the start", r)
		}
		h.srv.PushPress(chatBudi, chatBudi, reminder.MessageID, buttonData(t, reminder, "Berhalangan"))
		if got := h.next(chatBudi); !strings.Contains(got.Plain, "sudah dimulai") {
			t.Fatalf("button after the start: %q", got.Plain)
		}
		if r, _ := rsvp("ANL-2026-01", nipBudi); r != training.RSVPYes {
			t.Fatalf("Budi's RSVP %q after the start", r)
		}
		for _, c := range []int64{chatBudi, chatSiti, chatAndi, chatWarga} {
			h.quiet(c)
		}
	})
}

func TestASNSurvey(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newASNHub(t, db, wib("2026-11-20 10:00"))
		ctx := context.Background()
		h.link(nipBudi, chatBudi)
		h.link(nipSiti, chatSiti)
		h.link(nipAndi, chatAndi)
		for _, nip := range []string{nipBudi, nipSiti} {
			e := h.enrolment("ANL-2026-01", nip)
			if _, err := storagetest.InTx(db, func(tx *sqlx.Tx) (training.Session, error) {
				return h.training.RecordRSVP(ctx, tx, e.ID, nip, true, "", h.clock.now())
			}); err != nil {
				t.Fatal(err)
			}
		}
		// ANL-2026-01 ends 2026-12-03 16:00; two hours later its
		// post-training survey opens for Budi and Siti.
		h.clock.set(wib("2026-12-03 18:00"))
		rounds, err := h.training.OpenPostTrainingRounds(ctx, h.clock.now(), 2*time.Hour)
		if err != nil || len(rounds) != 1 {
			t.Fatalf("rounds: %v, %v", rounds, err)
		}
		round := rounds[0]
		inv, err := h.training.Invitations(ctx, h.clock.now())
		if err != nil || len(inv) != 2 {
			t.Fatalf("invitations: %d, %v", len(inv), err)
		}
		h.deliver(inv)
		invitation := h.next(chatBudi)
		if !strings.Contains(invitation.Plain, "Mohon kesediaan Anda mengisi survei") || !hasButton(invitation, "Mulai survei") {
			t.Fatalf("invitation: %q %v", invitation.Plain, invitation.Buttons)
		}
		invitationSiti := h.next(chatSiti)
		startData := buttonData(t, invitation, "Mulai survei")

		answers := func() int {
			var n int
			if err := db.GetContext(context.Background(), &n, `SELECT COUNT(*) FROM survey_answers`); err != nil {
				t.Fatal(err)
			}
			return n
		}

		// Start: question 1 with the 1–5 buttons.
		h.srv.PushPress(chatBudi, chatBudi, invitation.MessageID, startData)
		q1 := h.next(chatBudi)
		if !strings.Contains(q1.Plain, "Pertanyaan 1 dari 6") || len(buttons(q1)) != 5 {
			t.Fatalf("question 1: %q %v", q1.Plain, q1.Buttons)
		}
		// Typed text where a button is expected: a polite hint with the
		// question again; nothing recorded.
		h.srv.PushText(chatBudi, chatBudi, "bagus sekali")
		got := h.next(chatBudi)
		if !strings.Contains(got.Plain, "menekan salah satu tombol") || !strings.Contains(got.Plain, "Pertanyaan 1 dari 6") || len(buttons(got)) != 5 {
			t.Fatalf("typed text for a button question: %q", got.Plain)
		}
		// A value no button has.
		h.srv.PushPress(chatBudi, chatBudi, q1.MessageID, "sv:"+strconv.FormatInt(round.ID, 10)+":relevansi:9")
		if got := h.next(chatBudi); !strings.Contains(got.Plain, "tidak dapat kami proses") {
			t.Fatalf("invalid value: %q", got.Plain)
		}
		if n := answers(); n != 0 {
			t.Fatalf("%d answers recorded from wrong input", n)
		}
		// Someone else's survey: Andi was not invited.
		h.srv.PushPress(chatAndi, chatAndi, 1, startData)
		if got := h.next(chatAndi); !strings.Contains(got.Plain, "bukan untuk Anda") {
			t.Fatalf("Andi pressing Budi's survey: %q", got.Plain)
		}
		h.srv.PushPress(chatAndi, chatAndi, 1, buttonData(t, q1, "4"))
		if got := h.next(chatAndi); !strings.Contains(got.Plain, "bukan untuk Anda") {
			t.Fatalf("Andi answering Budi's survey: %q", got.Plain)
		}
		if n := answers(); n != 0 {
			t.Fatalf("%d answers recorded from the wrong person", n)
		}

		// Two answers, then a pause.
		h.srv.PushPress(chatBudi, chatBudi, q1.MessageID, buttonData(t, q1, "4"))
		q2 := h.next(chatBudi)
		if !strings.Contains(q2.Plain, "Pertanyaan 2 dari 6") {
			t.Fatalf("question 2: %q", q2.Plain)
		}
		h.srv.PushPress(chatBudi, chatBudi, q2.MessageID, buttonData(t, q2, "5"))
		if got := h.next(chatBudi); !strings.Contains(got.Plain, "Pertanyaan 3 dari 6") {
			t.Fatalf("question 3: %q", got.Plain)
		}
		// A day later Budi asks an ordinary question: the FAQ answers it,
		// the half-done survey does not swallow it.
		h.clock.add(24 * time.Hour)
		q, _ := h.find(knowledge.Answer, qAnswers)
		h.srv.PushText(chatBudi, chatBudi, q)
		if got := h.next(chatBudi); !hasButton(got, "Terjawab 👍") {
			t.Fatalf("question during a paused survey: %q", got.Plain)
		}
		// Resume from the invitation's button: where he left off.
		h.srv.PushPress(chatBudi, chatBudi, invitation.MessageID, startData)
		q3 := h.next(chatBudi)
		if !strings.Contains(q3.Plain, "Pertanyaan 3 dari 6") {
			t.Fatalf("resume: %q", q3.Plain)
		}
		last := q3
		for i := 3; i <= 5; i++ {
			h.srv.PushPress(chatBudi, chatBudi, last.MessageID, buttonData(t, last, "3"))
			last = h.next(chatBudi)
		}
		if !strings.Contains(last.Plain, "Pertanyaan 6 dari 6") || !strings.Contains(last.Plain, "ketik jawaban") || !hasButton(last, "Lewati") {
			t.Fatalf("question 6: %q %v", last.Plain, last.Buttons)
		}
		// The text question takes typed text.
		h.srv.PushText(chatBudi, chatBudi, "Perlu lebih banyak praktik langsung.")
		if got := h.next(chatBudi); !strings.Contains(got.Plain, "Terima kasih! Jawaban Anda") {
			t.Fatalf("thanks: %q", got.Plain)
		}
		if n := answers(); n != 6 {
			t.Fatalf("%d answers recorded, want 6", n)
		}
		// Done: buttons of the survey are refused politely; text is a
		// question again.
		h.srv.PushPress(chatBudi, chatBudi, q1.MessageID, buttonData(t, q1, "1"))
		if got := h.next(chatBudi); !strings.Contains(got.Plain, "sudah mengisi survei ini") {
			t.Fatalf("answer after completion: %q", got.Plain)
		}
		h.srv.PushText(chatBudi, chatBudi, q)
		if got := h.next(chatBudi); !hasButton(got, "Terjawab 👍") {
			t.Fatalf("question after the survey: %q", got.Plain)
		}

		// Siti starts, answers once; the round closes; her next press is
		// refused and nothing is recorded.
		h.srv.PushPress(chatSiti, chatSiti, invitationSiti.MessageID, buttonData(t, invitationSiti, "Mulai survei"))
		s1 := h.next(chatSiti)
		h.srv.PushPress(chatSiti, chatSiti, s1.MessageID, buttonData(t, s1, "2"))
		s2 := h.next(chatSiti)
		if err := h.training.CloseRound(ctx, round.ID, h.clock.now()); err != nil {
			t.Fatal(err)
		}
		h.srv.PushPress(chatSiti, chatSiti, s2.MessageID, buttonData(t, s2, "2"))
		if got := h.next(chatSiti); !strings.Contains(got.Plain, "survei ini sudah ditutup") {
			t.Fatalf("closed round: %q", got.Plain)
		}
		h.srv.PushText(chatSiti, chatSiti, q)
		if got := h.next(chatSiti); !hasButton(got, "Terjawab 👍") {
			t.Fatalf("question after the round closed: %q", got.Plain)
		}
		if n := answers(); n != 7 {
			t.Fatalf("%d answers recorded, want 7 (Budi's 6 and Siti's first)", n)
		}
		rep, err := h.training.RoundReport(ctx, round.ID)
		if err != nil || rep.Invited != 2 || rep.Responded != 1 || rep.Started != 2 {
			t.Fatalf("report %+v, %v", rep, err)
		}
		for _, c := range []int64{chatBudi, chatSiti, chatAndi} {
			h.quiet(c)
		}
	})
}

// TestASNSurveyStartedElsewhere checks that a survey started elsewhere (here: by the
// store, as another platform would) takes typed answers in this chat.
func TestASNSurveyStartedElsewhere(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newASNHub(t, db, wib("2026-11-20 10:00"))
		ctx := context.Background()
		h.link(nipBudi, chatBudi)
		r, opened, err := h.training.OpenPeriodicRound(ctx, training.TemplateCompetency, h.clock.now())
		if err != nil || !opened {
			t.Fatalf("periodic round: %v %v", opened, err)
		}
		// Started elsewhere an hour and a bit ago: a question is a
		// question.
		if _, err := storagetest.InTx(db, func(tx *sqlx.Tx) (training.Step, error) {
			return h.training.Start(ctx, tx, r.ID, nipBudi, h.clock.now())
		}); err != nil {
			t.Fatal(err)
		}
		h.clock.add(handlers.DefaultIdle + time.Minute)
		h.srv.PushText(chatBudi, chatBudi, "ktp saya hilang bagaimana mengurusnya")
		if got := h.next(chatBudi); strings.Contains(got.Plain, "menekan salah satu tombol") || strings.Contains(got.Plain, "Pertanyaan") {
			t.Fatalf("a survey left an hour ago swallowed a question: %q", got.Plain)
		}
		// Resumed elsewhere just now: typed text answers it.
		if _, err := storagetest.InTx(db, func(tx *sqlx.Tx) (training.Step, error) {
			return h.training.Start(ctx, tx, r.ID, nipBudi, h.clock.now())
		}); err != nil {
			t.Fatal(err)
		}
		h.srv.PushText(chatBudi, chatBudi, "5")
		got := h.next(chatBudi)
		if !strings.Contains(got.Plain, "tombol angka 1 sampai 5") || !strings.Contains(got.Plain, "Pertanyaan 1 dari 7") {
			t.Fatalf("typed answer to a survey started elsewhere: %q", got.Plain)
		}
		h.quiet(chatBudi)
	})
}

// /hapusdata also unlinks the chat account from the ASN record; Siti's
// link, and Budi's record, stay.
func TestForgetUnlinksASN(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newASNHub(t, db, wib("2026-11-20 10:00"))
		ctx := context.Background()
		h.link(nipBudi, chatBudi)
		h.link(nipSiti, chatSiti)
		h.srv.PushText(chatBudi, chatBudi, "/hapusdata")
		m := h.next(chatBudi)
		if !strings.Contains(m.Plain, "tautannya juga diputus") {
			t.Fatalf("/hapusdata does not say the ASN link goes too: %q", m.Plain)
		}
		h.srv.PushPress(chatBudi, chatBudi, m.MessageID, buttonData(t, m, "Ya, hapus data saya"))
		if m := h.next(chatBudi); !strings.Contains(m.Plain, "sudah kami hapus") {
			t.Fatalf("after confirming: %q", m.Plain)
		}
		if _, err := h.training.LinkFor(ctx, db, bots.Telegram, strconv.Itoa(chatBudi)); !errors.Is(err, training.ErrNotLinked) {
			t.Errorf("Budi's link after /hapusdata: %v, want ErrNotLinked", err)
		}
		if l, err := h.training.LinkFor(ctx, db, bots.Telegram, strconv.Itoa(chatSiti)); err != nil || l.NIP != nipSiti {
			t.Errorf("Siti's link: %+v, %v", l, err)
		}
		var n int
		if err := db.GetContext(ctx, &n, db.Rebind(`SELECT COUNT(*) FROM asn WHERE nip = ?`), nipBudi); err != nil || n != 1 {
			t.Errorf("Budi's ASN record: %d, %v; want it kept", n, err)
		}
		// An unlinked person's /hapusdata works as before.
		const warga = 6199
		h.srv.PushText(warga, warga, "/hapusdata")
		m = h.next(warga)
		h.srv.PushPress(warga, warga, m.MessageID, buttonData(t, m, "Ya, hapus data saya"))
		if m := h.next(warga); !strings.Contains(m.Plain, "sudah kami hapus") {
			t.Fatalf("an unlinked person's /hapusdata: %q", m.Plain)
		}
		h.quiet(chatBudi)
	})
}

func TestIsLinkCode(t *testing.T) {
	for _, c := range []struct {
		payload string
		want    bool
	}{
		{"ABCD2345", true},
		{"abcd-2345", true},
		{"ABCD 2345", true},
		{"ABCD234", false},   // too short
		{"ABCD23456", false}, // too long
		{"ABCD0345", false},  // 0 is not in the alphabet
		{"ABCDI345", false},  // nor I
		{"asn-ABCD2345", false},
		{"", false},
	} {
		if got := handlers.IsLinkCode(c.payload); got != c.want {
			t.Errorf("IsLinkCode(%q) = %v, want %v", c.payload, got, c.want)
		}
	}
}

func TestASNRegisterAfterCitizens(t *testing.T) {
	c := &handlers.Citizen{}
	asn := &handlers.ASN{Training: &training.Store{}}
	if err := asn.Register(handlers.NewMux(), c); err == nil {
		t.Fatal("registering the ASN flows before the citizens' flows must fail: their text handling would be lost")
	}
	m, err := handlers.NewCitizenMux(c)
	if err != nil {
		t.Fatal(err)
	}
	if err := asn.Register(m, c); err != nil {
		t.Fatal(err)
	}
	if err := asn.Register(m, c); err == nil {
		t.Fatal("registering the ASN flows twice must fail")
	}
}

// A survey completed on the ASN's other platform while this chat still
// had it in progress does not swallow the next text typed here: it is an
// ordinary question, not told "sudah mengisi survei ini".
func TestASNSurveyCompletedElsewhere(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newASNHub(t, db, wib("2026-11-20 10:00"))
		ctx := context.Background()
		h.link(nipBudi, chatBudi)
		e := h.enrolment("ANL-2026-01", nipBudi)
		if _, err := storagetest.InTx(db, func(tx *sqlx.Tx) (training.Session, error) {
			return h.training.RecordRSVP(ctx, tx, e.ID, nipBudi, true, "", h.clock.now())
		}); err != nil {
			t.Fatal(err)
		}
		h.surveyDue(1)
		invitation := h.next(chatBudi)
		h.srv.PushPress(chatBudi, chatBudi, invitation.MessageID, buttonData(t, invitation, "Mulai survei"))
		q := h.next(chatBudi)
		h.srv.PushPress(chatBudi, chatBudi, q.MessageID, buttonData(t, q, "4"))
		h.next(chatBudi)
		// The rest answered on Slack (here: by the store, as that
		// platform's flow would).
		round, err := strconv.ParseInt(strings.Split(buttonData(t, invitation, "Mulai survei"), ":")[1], 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		for done := false; !done; {
			st, err := storagetest.InTx(db, func(tx *sqlx.Tx) (training.Step, error) {
				cur, err := h.training.Next(ctx, tx, round, nipBudi, h.clock.now())
				if err != nil {
					return cur, err
				}
				if len(cur.Out.Buttons) == 0 {
					return h.training.AnswerText(ctx, tx, round, nipBudi, "Cukup baik.", h.clock.now())
				}
				p, _ := training.ParseSurveyButton(cur.Out.Buttons[0][0].Data)
				return h.training.Answer(ctx, tx, round, nipBudi, p.QuestionID, p.Value, h.clock.now())
			})
			if err != nil {
				t.Fatal(err)
			}
			done = st.Done
		}
		question, _ := h.find(knowledge.Answer, qAnswers)
		h.srv.PushText(chatBudi, chatBudi, question)
		if got := h.next(chatBudi); !hasButton(got, "Terjawab 👍") || strings.Contains(got.Plain, "sudah mengisi survei") {
			t.Fatalf("a question typed here after the survey was completed on Slack: %q", got.Plain)
		}
		h.quiet(chatBudi)
	})
}

// Budi paused and links his new phone's Telegram account: the welcome
// says his reminders are still paused and how to resume them, and they
// are.
func TestASNLinkingWhilePaused(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newASNHub(t, db, wib("2026-11-20 10:00"))
		ctx := context.Background()
		const newPhone = 6111
		h.srv.PushText(chatBudi, chatBudi, "/start "+h.code(nipBudi))
		if m := h.next(chatBudi); !strings.Contains(m.Plain, "kini tertaut") || strings.Contains(m.Plain, "dihentikan sementara") {
			t.Fatalf("welcome: %q", m.Plain)
		}
		h.srv.PushText(chatBudi, chatBudi, "/berhenti")
		if m := h.next(chatBudi); !strings.Contains(m.Plain, "kami hentikan sementara") {
			t.Fatalf("/berhenti: %q", m.Plain)
		}
		h.srv.PushText(newPhone, newPhone, "/start "+h.code(nipBudi))
		if m := h.next(newPhone); !strings.Contains(m.Plain, "kini tertaut") || !strings.Contains(m.Plain, "dihentikan sementara") ||
			!strings.Contains(m.Plain, "/lanjut") {
			t.Fatalf("welcome while paused: %q", m.Plain)
		}
		if l, err := h.training.LinkFor(ctx, db, bots.Telegram, strconv.Itoa(newPhone)); err != nil || !l.Paused {
			t.Fatalf("new link %+v, %v; want paused", l, err)
		}
		h.srv.PushText(newPhone, newPhone, "/lanjut")
		if m := h.next(newPhone); !strings.Contains(m.Plain, "aktif kembali") {
			t.Fatalf("/lanjut: %q", m.Plain)
		}
	})
}

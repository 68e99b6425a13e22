package handlers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/bots/telegram"
	"github.com/tebingtinggi/hub/bots/telegram/telegramtest"
	"github.com/tebingtinggi/hub/handlers"
	"github.com/tebingtinggi/hub/inbox"
	"github.com/tebingtinggi/hub/knowledge"
	"github.com/tebingtinggi/hub/knowledge/starter"
	"github.com/tebingtinggi/hub/outbox"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

// hub is the whole chat path on one database: the real Telegram adapter
// against the fake Bot API, the Router with the citizens' flows, the
// outbox Dispatcher and the officers' Desk.
type hub struct {
	t       *testing.T
	db      *storage.DB
	srv     *telegramtest.Server
	adapter *telegram.Adapter
	router  *handlers.Router
	inbox   *inbox.Store
	desk    *handlers.Desk
	index   *knowledge.Index
	logs    *syncBuffer
	seen    map[int64]int // messages per chat already consumed by next
}

type hubOptions struct {
	webhookURL, secret string
	// rateLimit, when set, is the Router's per-person limit, with the
	// citizens' Dropped recording what it silences.
	rateLimit int
}

func loadStarter(t testing.TB, db *storage.DB) (*knowledge.Store, *knowledge.Index) {
	t.Helper()
	ctx := context.Background()
	store := knowledge.NewStore(db)
	entries, err := knowledge.ParseJSON(bytes.NewReader(starter.JSON), "starter.json")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.Import(ctx, entries, knowledge.ImportOptions{Author: "test"}); err != nil {
		t.Fatal(err)
	}
	ix := knowledge.NewIndex(knowledge.DefaultConfig())
	if err := (&knowledge.Live{DB: db, Store: store, Index: ix}).Reload(ctx); err != nil {
		t.Fatal(err)
	}
	return store, ix
}

func newHub(t *testing.T, db *storage.DB, opt hubOptions) *hub {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	log, logs := testLogger()
	srv := telegramtest.NewServer(t)
	a, err := telegram.New(ctx, telegram.Config{
		Token: srv.Token(), APIURL: srv.URL(), PollTimeout: time.Second, Logger: log,
		WebhookURL: opt.webhookURL, WebhookSecret: opt.secret,
		// Fast limits keep the tests quick; the fault test checks the real
		// per-chat limit.
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
	cfg := handlers.Config{DB: db, Handler: mux, Waker: disp, Logger: log}
	if opt.rateLimit > 0 {
		cfg.RateLimit, cfg.Dropped = opt.rateLimit, handlers.HandlerFunc(citizen.Dropped)
	}
	router := newRouter(t, cfg)
	h := &hub{t: t, db: db, srv: srv, adapter: a, router: router, inbox: in, index: ix, logs: logs,
		desk: &handlers.Desk{Inbox: in, DB: db, Waker: disp}, seen: map[int64]int{}}
	var wg sync.WaitGroup
	wg.Go(func() { _ = disp.Run(ctx) })
	if opt.webhookURL == "" {
		wg.Go(func() { _ = a.Run(ctx, router) })
	}
	t.Cleanup(func() {
		cancel()
		wg.Wait()
		if strings.Contains(logs.String(), srv.Token()) {
			t.Errorf("the bot token appears in the logs")
		}
	})
	return h
}

// next waits for the next message the bot sends to chat.
func (h *hub) next(chat int64) telegramtest.SentMessage {
	h.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		var mine []telegramtest.SentMessage
		for _, m := range h.srv.Sent() {
			if m.ChatID == chat {
				mine = append(mine, m)
			}
		}
		if len(mine) > h.seen[chat] {
			m := mine[h.seen[chat]]
			h.seen[chat]++
			return m
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("no message %d to chat %d within 10s; logs:\n%s", h.seen[chat]+1, chat, h.logs.String())
		}
		<-tick.C
	}
}

// quiet checks that nothing more was sent to chat.
func (h *hub) quiet(chat int64) {
	h.t.Helper()
	n := 0
	for _, m := range h.srv.Sent() {
		if m.ChatID == chat {
			n++
		}
	}
	if n != h.seen[chat] {
		h.t.Fatalf("chat %d got %d messages, want %d", chat, n, h.seen[chat])
	}
}

func buttons(m telegramtest.SentMessage) []telegramtest.Button {
	var out []telegramtest.Button
	for _, row := range m.Buttons {
		out = append(out, row...)
	}
	return out
}

func hasButton(m telegramtest.SentMessage, text string) bool {
	for _, b := range buttons(m) {
		if b.Text == text {
			return true
		}
	}
	return false
}

var ticketRE = regexp.MustCompile(`#(\d+)`)

func ticketOf(t *testing.T, m telegramtest.SentMessage) int64 {
	t.Helper()
	sm := ticketRE.FindStringSubmatch(m.Plain)
	if sm == nil {
		t.Fatalf("no ticket number in %q", m.Plain)
	}
	id, _ := strconv.ParseInt(sm[1], 10, 64)
	return id
}

// Questions for each decision; the tests take the first one the engine
// (tuned independently) decides that way, so that retuning it does not
// break them.
var (
	qAnswers  = []string{"ktp saya hilang gmn", "KTP saya hilang, bagaimana mengurusnya?", "Apa yang harus dilakukan jika KTP-el saya hilang?"}
	qClarify  = []string{"akta", "ktp", "bpjs", "sampah", "cara bayar pajak", "lapor", "pajak", "surat", "izin", "daftar"}
	qHandoffs = []string{"bagaimana cara daftar nikah siri online lewat kecamatan?", "zzq blorf wibble nikah siri kecamatan"}
)

func (h *hub) find(want knowledge.Decision, qs []string) (string, knowledge.Result) {
	h.t.Helper()
	for _, q := range qs {
		if res := h.index.Search(q); res.Decision == want {
			return q, res
		}
	}
	h.t.Fatalf("the engine decides none of %q as %s: add a question to the list", qs, want)
	return "", knowledge.Result{}
}

func (h *hub) expectDecision(q string, want knowledge.Decision) knowledge.Result {
	h.t.Helper()
	res := h.index.Search(q)
	if res.Decision != want {
		h.t.Fatalf("the engine decides %s for %q; this test needs %s: pick another question", res.Decision, q, want)
	}
	return res
}

func TestEndToEndTelegram(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newHub(t, db, hubOptions{})
		ctx := context.Background()
		const chat, user = 4242, 4242

		h.srv.PushText(chat, user, "/start")
		if m := h.next(chat); !strings.Contains(m.Plain, "asisten virtual") || !strings.Contains(m.Plain, "/hapusdata") {
			t.Fatalf("/start: %q", m.Plain)
		}

		h.srv.PushText(chat, user, "halo min, selamat pagi")
		if m := h.next(chat); !strings.Contains(m.Plain, "Ada yang bisa saya bantu") {
			t.Fatalf("greeting: %q", m.Plain)
		}

		// Question → answer with the feedback buttons.
		qAnswer, res := h.find(knowledge.Answer, qAnswers)
		h.srv.PushText(chat, user, qAnswer)
		m := h.next(chat)
		if !strings.HasPrefix(m.Plain, res.Entry.Answer[:40]) || !hasButton(m, "Terjawab 👍") || !hasButton(m, "Belum 👎") || !hasButton(m, "Tanya petugas") {
			t.Fatalf("answer: %q with %v", m.Plain, m.Buttons)
		}
		up := h.srv.PushPress(chat, user, m.MessageID, buttons(m)[0].Data)
		if m := h.next(chat); !strings.Contains(m.Plain, "Terima kasih atas tanggapan") {
			t.Fatalf("thumbs up: %q", m.Plain)
		}
		h.srv.WaitAnswered(t, 1, 5*time.Second)

		// Clarify → press a candidate → its answer; the press is answered.
		qClarify, res := h.find(knowledge.Clarify, qClarify)
		h.srv.PushText(chat, user, qClarify)
		m = h.next(chat)
		bs := buttons(m)
		if !strings.Contains(m.Plain, "Maksud Anda") || len(bs) != len(res.Candidates)+1 || bs[len(bs)-1].Text != "Bukan semuanya" {
			t.Fatalf("clarify: %q with %v", m.Plain, bs)
		}
		pick := res.Candidates[1]
		press := h.srv.PushPress(chat, user, m.MessageID, "c:"+pick.Slug)
		m = h.next(chat)
		entry, err := knowledge.NewStore(db).Get(ctx, pick.Slug)
		if err != nil {
			t.Fatal(err)
		}
		if m.Plain != entry.Answer || !hasButton(m, "Terjawab 👍") {
			t.Fatalf("candidate press answered %q, want the answer of %s", m.Plain, pick.Slug)
		}
		answered := h.srv.WaitAnswered(t, 2, 5*time.Second)
		if answered[0] != telegramtest.PressID(up) || answered[1] != telegramtest.PressID(press) {
			t.Fatalf("callback queries answered %v", answered)
		}

		// An expired or forged press gets a polite reply.
		h.srv.PushPress(chat, user, m.MessageID, "c:tidak-ada-entri-ini")
		if m := h.next(chat); !strings.Contains(m.Plain, "tidak berlaku") {
			t.Fatalf("unknown candidate: %q", m.Plain)
		}

		// Handoff → ticket, with when an officer replies.
		qHandoff, _ := h.find(knowledge.Handoff, qHandoffs)
		h.srv.PushText(chat, user, qHandoff)
		m = h.next(chat)
		if !strings.Contains(m.Plain, "teruskan kepada petugas") || !strings.Contains(m.Plain, "akan membalas") {
			t.Fatalf("handoff: %q", m.Plain)
		}
		id := ticketOf(t, m)
		d, err := h.inbox.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if d.Ticket.Status != inbox.Open || d.Ticket.Reason != inbox.NoMatch || d.Messages[0].Text != qHandoff {
			t.Fatalf("ticket %+v, messages %+v", d.Ticket, d.Messages)
		}

		// /status lists it.
		h.srv.PushText(chat, user, "/status")
		if m := h.next(chat); !strings.Contains(m.Plain, "#"+strconv.FormatInt(id, 10)) {
			t.Fatalf("/status: %q", m.Plain)
		}

		// The officer replies; the citizen receives it.
		if _, err := h.desk.Reply(ctx, id, "Petugas Ani", "Silakan datang ke kantor KUA kecamatan."); err != nil {
			t.Fatal(err)
		}
		m = h.next(chat)
		if !strings.Contains(m.Plain, "Balasan petugas untuk tiket #"+strconv.FormatInt(id, 10)) || !strings.Contains(m.Plain, "kantor KUA") {
			t.Fatalf("officer reply: %q", m.Plain)
		}

		// The citizen answers back into the same ticket.
		h.srv.PushText(chat, user, "zzq blorf wibble kapan bisa?")
		m = h.next(chat)
		if ticketOf(t, m) != id {
			t.Fatalf("follow-up went to %q, want ticket %d", m.Plain, id)
		}
		if d, _ := h.inbox.Get(ctx, id); d.Ticket.Status != inbox.Open || len(d.Messages) < 3 {
			t.Fatalf("after the citizen's follow-up: %+v, %d messages", d.Ticket, len(d.Messages))
		}

		// Close → rating prompt → rating → comment.
		if _, err := h.desk.Close(ctx, id, "Petugas Ani", false); err != nil {
			t.Fatal(err)
		}
		m = h.next(chat)
		if !strings.Contains(m.Plain, "puas") || len(buttons(m)) != 5 {
			t.Fatalf("rating prompt: %q %v", m.Plain, m.Buttons)
		}
		rate5 := buttons(m)[4].Data
		// Someone else's press is refused.
		const other = 5151
		h.srv.PushPress(other, other, m.MessageID, rate5)
		if m := h.next(other); !strings.Contains(m.Plain, "bukan untuk Anda") {
			t.Fatalf("another person's rating press: %q", m.Plain)
		}
		h.srv.PushPress(chat, user, m.MessageID, rate5)
		m = h.next(chat)
		if !strings.Contains(m.Plain, "penilaian") || !hasButton(m, "Lewati") {
			t.Fatalf("after rating: %q", m.Plain)
		}
		h.srv.PushText(chat, user, "Petugasnya ramah dan cepat")
		if m := h.next(chat); !strings.Contains(m.Plain, "komentar Anda sudah kami simpan") {
			t.Fatalf("comment: %q", m.Plain)
		}
		d, _ = h.inbox.Get(ctx, id)
		if d.Ticket.Rating == nil || *d.Ticket.Rating != 5 || d.Ticket.RatingComment != "Petugasnya ramah dan cepat" {
			t.Fatalf("rating %v, comment %q", d.Ticket.Rating, d.Ticket.RatingComment)
		}
		// Only once.
		h.srv.PushPress(chat, user, m.MessageID, buttons(m)[0].Data)
		h.srv.PushPress(chat, user, m.MessageID, "r:"+strconv.FormatInt(id, 10)+":1")
		h.next(chat) // the stale "Lewati"
		if m := h.next(chat); !strings.Contains(m.Plain, "sudah Anda nilai") {
			t.Fatalf("second rating: %q", m.Plain)
		}

		// Media, long text and edits.
		msg := h.srv.Message(chat, user, "")
		msg.Sticker = &tgbotapi.Sticker{FileID: "s1", Emoji: "😀"}
		h.srv.PushUpdate(tgbotapi.Update{Message: msg})
		if m := h.next(chat); !strings.Contains(m.Plain, "hanya bisa membaca pesan teks") {
			t.Fatalf("sticker: %q", m.Plain)
		}
		edited := h.srv.Message(chat, user, qAnswer)
		edited.EditDate = int(time.Now().Unix())
		h.srv.PushUpdate(tgbotapi.Update{EditedMessage: edited})
		h.srv.PushText(chat, user, strings.Repeat("panjang ", 600))
		if m := h.next(chat); !strings.Contains(m.Plain, "terlalu panjang") {
			t.Fatalf("long text (the edit before it must be ignored): %q", m.Plain)
		}

		// "Bukan semuanya" hands the question over, in a new ticket.
		h.srv.PushText(chat, user, qClarify)
		m = h.next(chat)
		h.srv.PushPress(chat, user, m.MessageID, buttons(m)[len(buttons(m))-1].Data)
		m = h.next(chat)
		if next := ticketOf(t, m); next == id || !strings.Contains(m.Plain, "teruskan kepada petugas") {
			t.Fatalf("none of these: %q", m.Plain)
		} else if d, _ := h.inbox.Get(ctx, next); d.Messages[0].Text != qClarify {
			t.Fatalf("the new ticket starts with %q, want the question %q", d.Messages[0].Text, qClarify)
		}
		h.quiet(chat)
	})
}

// Small talk stores no conversation (the person's name and ids); the
// first question does, and its exchange is logged to it.
func TestConversationOnlyForQuestions(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newHub(t, db, hubOptions{})
		const chat = 8181
		conversations := func() int {
			t.Helper()
			var n int
			if err := db.GetContext(context.Background(), &n, `SELECT COUNT(*) FROM conversations WHERE chat_id = '8181'`); err != nil {
				t.Fatal(err)
			}
			return n
		}
		for _, text := range []string{"halo", "terima kasih"} {
			h.srv.PushText(chat, chat, text)
			h.next(chat)
		}
		h.srv.WaitPending(t, 0, 5*time.Second)
		if n := conversations(); n != 0 {
			t.Fatalf("%d conversations after small talk only, want none", n)
		}
		q, _ := h.find(knowledge.Answer, qAnswers)
		h.srv.PushText(chat, chat, q)
		if m := h.next(chat); !hasButton(m, "Terjawab 👍") {
			t.Fatalf("question: %q", m.Plain)
		}
		if n := conversations(); n != 1 {
			t.Fatalf("%d conversations after a question, want 1", n)
		}
		var logged []string
		if err := db.SelectContext(context.Background(), &logged, `SELECT m.direction FROM messages m JOIN conversations c ON c.id = m.conversation_id
			WHERE c.chat_id = '8181' ORDER BY m.id`); err != nil || !slices.Equal(logged, []string{"in", "out"}) {
			t.Fatalf("logged %v, %v; want the question and the answer", logged, err)
		}
		// The new conversation's last message is that exchange.
		var last, newest []time.Time
		if err := db.SelectContext(context.Background(), &last, `SELECT last_message_at FROM conversations WHERE chat_id = '8181'`); err != nil {
			t.Fatal(err)
		}
		if err := db.SelectContext(context.Background(), &newest, `SELECT m.created_at FROM messages m JOIN conversations c ON c.id = m.conversation_id
			WHERE c.chat_id = '8181' ORDER BY m.id DESC LIMIT 1`); err != nil {
			t.Fatal(err)
		}
		if len(last) != 1 || len(newest) != 1 || !last[0].Equal(newest[0]) {
			t.Errorf("last_message_at %v, newest message %v", last, newest)
		}
		h.quiet(chat)
	})
}

func TestGroupChatOnlyWhenAddressed(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newHub(t, db, hubOptions{})
		qAnswer, _ := h.find(knowledge.Answer, qAnswers)
		const group, user = -7001, 7002
		h.srv.PushText(group, user, qAnswer)
		msg := h.srv.Message(group, user, "/start")
		h.srv.PushUpdate(tgbotapi.Update{ChannelPost: &tgbotapi.Message{MessageID: 9, Date: msg.Date,
			Chat: &tgbotapi.Chat{ID: -1009999, Type: "channel"}, Text: "pengumuman"}})
		h.srv.PushText(group, user, "@"+telegramtest.BotUsername+" "+qAnswer)
		m := h.next(group)
		if !hasButton(m, "Terjawab 👍") {
			t.Fatalf("addressed question in a group: %q", m.Plain)
		}
		h.srv.WaitPending(t, 0, 5*time.Second)
		h.quiet(group)
		if n := len(h.srv.Sent()); n != 1 {
			t.Fatalf("%d messages sent, want only the addressed answer", n)
		}
	})
}

// TestGroupBystanderPressRefused: in a group, another member's press on
// "Belum 👎" under the answer the bot gave someone else is refused, as a
// rating press on another's ticket is, and leaves nothing in their name;
// the asker's own press hands their question over.
func TestGroupBystanderPressRefused(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newHub(t, db, hubOptions{})
		const group, asker, bystander = -8601, 8602, 8603
		qa, _ := h.find(knowledge.Answer, qAnswers)
		h.srv.PushText(group, asker, "@"+telegramtest.BotUsername+" "+qa)
		m := h.next(group)
		data := buttonData(t, m, "Belum 👎")
		h.srv.PushPress(group, bystander, m.MessageID, data)
		if r := h.next(group); !strings.Contains(r.Plain, "bukan untuk Anda") {
			t.Errorf("a bystander's press: %q, want it refused", r.Plain)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM conversations WHERE user_id = ?`, strconv.Itoa(bystander)); n != 0 {
			t.Errorf("a bystander's press left %d conversations in their name", n)
		}
		h.srv.PushPress(group, asker, m.MessageID, data)
		id := ticketOf(t, h.next(group))
		var subject, user string
		if err := db.QueryRowxContext(context.Background(), db.Rebind(`SELECT t.subject, c.user_id FROM tickets t
			JOIN conversations c ON c.id = t.conversation_id WHERE t.id = ?`), id).Scan(&subject, &user); err != nil {
			t.Fatal(err)
		}
		if subject != qa || user != strconv.Itoa(asker) {
			t.Errorf("the asker's press opened ticket #%d about %q for %s, want %q for %d", id, subject, user, qa, asker)
		}
	})
}

// TestGroupOldPressIsRefusedOnlyUnderAnothersReply: past the lookback
// (eight days later) the log still shows whose the reply was: a
// bystander's press is refused, the asker's own hands over the entry's
// question, as the README promises. With the log purged by retention,
// nothing shows the reply went to someone else: the press hands over
// the entry's question in the presser's name.
func TestGroupOldPressIsRefusedOnlyUnderAnothersReply(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		h := newHub(t, db, hubOptions{})
		const group, asker, bystander = -8701, 8702, 8703
		qa, _ := h.find(knowledge.Answer, qAnswers)
		h.srv.PushText(group, asker, "@"+telegramtest.BotUsername+" "+qa)
		m := h.next(group)
		data := buttonData(t, m, "Belum 👎")
		// Eight days pass (the messages' own time, as the hub's clock would).
		if _, err := db.ExecContext(ctx, db.Rebind(`UPDATE messages SET created_at = ?
			WHERE conversation_id IN (SELECT id FROM conversations WHERE user_id = ?)`),
			time.Now().UTC().Add(-8*24*time.Hour), strconv.Itoa(asker)); err != nil {
			t.Fatal(err)
		}
		h.srv.PushPress(group, bystander, m.MessageID, data)
		if r := h.next(group); !strings.Contains(r.Plain, "bukan untuk Anda") {
			t.Errorf("a bystander's press a week later: %q, want it refused", r.Plain)
		}
		h.srv.PushPress(group, asker, m.MessageID, data)
		if r := h.next(group); strings.Contains(r.Plain, "bukan untuk Anda") {
			t.Errorf("the asker's own press a week later: %q, want the entry's question handed over", r.Plain)
		} else {
			ticketOf(t, r)
		}

		// Retention purged the log: the press is the presser's.
		if _, err := db.ExecContext(ctx, `DELETE FROM messages`); err != nil {
			t.Fatal(err)
		}
		h.srv.PushPress(group, bystander, m.MessageID, data)
		r := h.next(group)
		if strings.Contains(r.Plain, "bukan untuk Anda") {
			t.Fatalf("a press with no log left: %q, want the entry's question handed over", r.Plain)
		}
		id := ticketOf(t, r)
		var user string
		if err := db.QueryRowxContext(ctx, db.Rebind(`SELECT c.user_id FROM tickets t
			JOIN conversations c ON c.id = t.conversation_id WHERE t.id = ?`), id).Scan(&user); err != nil {
			t.Fatal(err)
		}
		if user != strconv.Itoa(bystander) {
			t.Errorf("the press with no log left opened ticket #%d for %s, want %d", id, user, bystander)
		}
	})
}

// TestStatusInAGroupShowsNoSubjects: /status typed in a group lists
// nothing of the person's tickets there, whose subjects are questions
// they asked in private (here with a phone number): it says to ask in
// the private chat, where the list still comes.
func TestStatusInAGroupShowsNoSubjects(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newHub(t, db, hubOptions{})
		const chat, group, user = 8101, -8102, 8101
		q, _ := h.find(knowledge.Handoff, qHandoffs)
		h.srv.PushText(chat, user, q+" hp saya 081234567890")
		id := ticketOf(t, h.next(chat))
		h.srv.PushText(group, user, "/status")
		g := h.next(group)
		if strings.Contains(g.Plain, "081234567890") || strings.Contains(g.Plain, q[:20]) || strings.Contains(g.Plain, "#") ||
			!strings.Contains(g.Plain, "obrolan pribadi") {
			t.Errorf("/status in a group: %q, want only a pointer to the private chat", g.Plain)
		}
		h.srv.PushText(chat, user, "/status")
		if m := h.next(chat); !strings.Contains(m.Plain, fmt.Sprintf("#%d", id)) || !strings.Contains(m.Plain, "081234567890") {
			t.Errorf("/status in the private chat: %q, want ticket #%d with its subject", m.Plain, id)
		}
	})
}

func TestWebhook(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newHub(t, db, hubOptions{webhookURL: "https://hub.example.go.id/telegram/hook", secret: "rahasia_webhook-1"})
		web := httptest.NewServer(h.adapter.WebhookHandler(h.router))
		t.Cleanup(web.Close)
		qAnswer, _ := h.find(knowledge.Answer, qAnswers)
		update := func(id int) []byte {
			b, _ := json.Marshal(tgbotapi.Update{UpdateID: id, Message: h.srv.Message(31, 31, qAnswer)})
			return b
		}
		post := func(secret string, body []byte) int {
			req, _ := http.NewRequest(http.MethodPost, web.URL, bytes.NewReader(body))
			if secret != "" {
				req.Header.Set(telegram.SecretHeader, secret)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp.StatusCode
		}
		processed := func() int {
			var n int
			if err := db.GetContext(context.Background(), &n, `SELECT COUNT(*) FROM processed_updates`); err != nil {
				t.Fatal(err)
			}
			return n
		}
		if code := post("salah", update(1)); code != http.StatusUnauthorized {
			t.Fatalf("wrong secret: %d, want 401", code)
		}
		if code := post("", update(1)); code != http.StatusUnauthorized {
			t.Fatalf("no secret: %d, want 401", code)
		}
		if code := post("rahasia_webhook-1", []byte("{not json")); code != http.StatusBadRequest {
			t.Fatalf("bad body: %d, want 400", code)
		}
		if n := processed(); n != 0 {
			t.Fatalf("%d updates processed after refused requests", n)
		}
		if code := post("rahasia_webhook-1", update(1)); code != http.StatusOK {
			t.Fatalf("right secret: %d, want 200", code)
		}
		if code := post("rahasia_webhook-1", update(1)); code != http.StatusOK {
			t.Fatalf("redelivery: %d, want 200", code)
		}
		if m := h.next(31); !hasButton(m, "Terjawab 👍") {
			t.Fatalf("webhook answer: %q", m.Plain)
		}
		if n := processed(); n != 1 {
			t.Fatalf("%d updates processed, want 1", n)
		}
		h.quiet(31)
	})
}

func TestForgetRemovesPersonalText(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newHub(t, db, hubOptions{})
		ctx := context.Background()
		const chat = 8080
		secret := "Nama saya Siti Rahmawati NIK 1276012345678901 soal nikah siri kecamatan"
		h.expectDecision(secret, knowledge.Handoff)
		h.srv.PushText(chat, chat, secret)
		id := ticketOf(t, h.next(chat))
		h.srv.PushText(chat, chat, "/hapusdata")
		m := h.next(chat)
		if !hasButton(m, "Ya, hapus data saya") {
			t.Fatalf("/hapusdata: %q %v", m.Plain, m.Buttons)
		}
		h.srv.PushPress(chat, chat, m.MessageID, "del:yes")
		if m := h.next(chat); !strings.Contains(m.Plain, "sudah kami hapus") {
			t.Fatalf("after confirming: %q", m.Plain)
		}
		h.srv.WaitPending(t, 0, 5*time.Second)
		for _, q := range []string{
			`SELECT COUNT(*) FROM messages WHERE text LIKE '%Rahmawati%'`,
			`SELECT COUNT(*) FROM tickets WHERE subject LIKE '%Rahmawati%'`,
			`SELECT COUNT(*) FROM conversations WHERE chat_id = '8080' OR user_id = '8080' OR display_name <> ''`,
			`SELECT COUNT(*) FROM chat_sessions`,
			`SELECT COUNT(*) FROM processed_updates WHERE payload LIKE '%Rahmawati%' OR (user_id = '8080' AND status <> 'pending')`,
			`SELECT COUNT(*) FROM outbox WHERE CAST(payload AS TEXT) LIKE '%Rahmawati%'`,
		} {
			var n int
			if err := db.GetContext(context.Background(), &n, q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			if n != 0 {
				t.Errorf("%s = %d after /hapusdata", q, n)
			}
		}
		// The ticket stays for statistics, closed: nobody is left to
		// answer.
		d, err := h.inbox.Get(ctx, id)
		if err != nil || d.Ticket.Status != inbox.Closed || d.Ticket.ClosedBy != inbox.ForgottenCloser {
			t.Fatalf("the anonymous ticket after /hapusdata: %+v %v, want it kept and closed", d.Ticket, err)
		}
	})
}

// A clarification about one entry asks a yes or no: the entry's button,
// and "Bukan, tanya petugas", which hands the question over.
// TestForgetLeavesNothingOfTheChat: after /hapusdata, once its
// confirmation is sent, no row names the person's chat or user id or
// holds their words: not the officer's reply or the rating question, and
// not the confirmation itself, which goes once sent.
func TestForgetLeavesNothingOfTheChat(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		h := newHub(t, db, hubOptions{})
		const chat, user = 8401, 8401
		q, _ := h.find(knowledge.Handoff, qHandoffs)
		h.srv.PushText(chat, user, q+" rumah saya di jalan kenanga 7")
		id := ticketOf(t, h.next(chat))
		if _, err := h.desk.Reply(ctx, id, "siti", "Baik, untuk jalan kenanga 7 silakan datang ke kantor camat."); err != nil {
			t.Fatal(err)
		}
		h.next(chat)
		if _, err := h.desk.Close(ctx, id, "siti", true); err != nil {
			t.Fatal(err)
		}
		if m := h.next(chat); !strings.Contains(m.Plain, "Seberapa puas") {
			t.Fatalf("rating ask: %q", m.Plain)
		}
		qa, _ := h.find(knowledge.Answer, qAnswers)
		h.srv.PushText(chat, user, qa)
		h.next(chat)
		h.srv.PushText(chat, user, "/hapusdata")
		ask := h.next(chat)
		h.srv.PushPress(chat, user, ask.MessageID, "del:yes")
		if m := h.next(chat); !strings.Contains(m.Plain, "sudah kami hapus") {
			t.Fatalf("erasure: %.100q", m.Plain)
		}
		h.srv.WaitPending(t, 0, 5*time.Second)
		ids := strconv.Itoa(chat)
		// The confirmation's row goes once its send is recorded, just
		// after the send.
		deadline := time.Now().Add(10 * time.Second)
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for count(t, db, `SELECT COUNT(*) FROM outbox WHERE chat_id = ?`, ids) != 0 {
			if time.Now().After(deadline) {
				t.Fatalf("the outbox still holds rows to the chat 10s after /hapusdata: %v", outboxRows(t, db))
			}
			<-tick.C
		}
		for _, c := range []struct {
			name, query string
			args        []any
		}{
			{"processed_updates ids", `SELECT COUNT(*) FROM processed_updates WHERE (user_id = ? OR chat_id = ?) AND status <> 'pending'`, []any{ids, ids}},
			{"processed_updates payload", `SELECT COUNT(*) FROM processed_updates WHERE CAST(payload AS TEXT) LIKE '%kenanga%'`, nil},
			{"chat_sessions", `SELECT COUNT(*) FROM chat_sessions WHERE user_id = ? OR chat_id = ?`, []any{ids, ids}},
			{"conversations", `SELECT COUNT(*) FROM conversations WHERE user_id = ? OR chat_id = ?`, []any{ids, ids}},
			{"messages", `SELECT COUNT(*) FROM messages WHERE text LIKE '%kenanga%'`, nil},
			{"tickets", `SELECT COUNT(*) FROM tickets WHERE subject LIKE '%kenanga%'`, nil},
			{"outbox payload", `SELECT COUNT(*) FROM outbox WHERE CAST(payload AS TEXT) LIKE '%kenanga%'`, nil},
		} {
			if n := count(t, db, c.query, c.args...); n != 0 {
				t.Errorf("%s: %d rows after /hapusdata", c.name, n)
			}
		}
	})
}

// TestForgetFromAGroupErasesThePrivateChat: /hapusdata confirmed in a
// group erases what the hub sent to the person's private chat too, the
// officer's reply with their NIK included; the group's own messages stay.
func TestForgetFromAGroupErasesThePrivateChat(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		h := newHub(t, db, hubOptions{})
		const chat, group, user = 8301, -8302, 8301
		q, _ := h.find(knowledge.Handoff, qHandoffs)
		h.srv.PushText(chat, user, q+" NIK saya 1271010101010001")
		id := ticketOf(t, h.next(chat))
		if _, err := h.desk.Reply(ctx, id, "siti", "Baik Bapak, NIK 1271010101010001 atas nama Budi sudah kami cek."); err != nil {
			t.Fatal(err)
		}
		if m := h.next(chat); !strings.Contains(m.Plain, "1271010101010001") {
			t.Fatalf("officer reply: %q", m.Plain)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM outbox WHERE chat_id = ?`, strconv.Itoa(chat)); n == 0 {
			t.Fatal("nothing in the outbox for the private chat: the test does not test")
		}
		h.srv.PushText(group, user, "/hapusdata")
		ask := h.next(group)
		h.srv.PushPress(group, user, ask.MessageID, "del:yes")
		if m := h.next(group); !strings.Contains(m.Plain, "sudah kami hapus") {
			t.Fatalf("erasure: %q", m.Plain)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM outbox WHERE chat_id = ?`, strconv.Itoa(chat)); n != 0 {
			t.Errorf("%d outbox rows to the private chat after /hapusdata confirmed in a group", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM outbox WHERE CAST(payload AS TEXT) LIKE '%1271010101010001%'`); n != 0 {
			t.Errorf("%d outbox rows with the NIK after /hapusdata confirmed in a group", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM outbox WHERE chat_id = ?`, strconv.Itoa(group)); n == 0 {
			t.Errorf("the group's messages went with the person's")
		}
	})
}

func TestClarifyOneCandidate(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newHub(t, db, hubOptions{})
		ctx := context.Background()
		const chat, user = 5151, 5151
		q, res := h.find(knowledge.Clarify, []string{"ktp sy rusak kena air", "ktp saya rusak kena air"})
		if len(res.Candidates) != 1 {
			t.Fatalf("%q offers %d candidates; this test needs one: pick another question", q, len(res.Candidates))
		}
		h.srv.PushText(chat, user, q)
		m := h.next(chat)
		bs := buttons(m)
		if m.Plain != "Apakah ini yang Anda maksud?" || len(bs) != 2 || bs[0].Data != "c:"+res.Candidates[0].Slug || bs[1].Text != "Bukan, tanya petugas" {
			t.Fatalf("one-candidate clarify: %q with %v", m.Plain, bs)
		}
		h.srv.PushPress(chat, user, m.MessageID, bs[1].Data)
		m = h.next(chat)
		id := ticketOf(t, m)
		if d, err := h.inbox.Get(ctx, id); err != nil || d.Messages[0].Text != q {
			t.Fatalf("the ticket after \"Bukan\": %+v, %v", d, err)
		}
		h.quiet(chat)
	})
}

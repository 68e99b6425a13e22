package slack_test

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tebingtinggi/hub/bots"
	hubslack "github.com/tebingtinggi/hub/bots/slack"
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

const deskChannel = "CDESK"

// hub is the whole path on one database: citizens on the fake Telegram
// API, officers on the fake Slack, the Router with the citizens' flows,
// the outbox dispatcher with both senders, and the Slack desk and /faq.
type hub struct {
	t      *testing.T
	db     *storage.DB
	tg     *telegramtest.Server
	slack  *fakeSlack
	mux    *http.ServeMux
	inbox  *inbox.Store
	store  *knowledge.Store
	index  *knowledge.Index
	desk   *hubslack.Desk
	logs   *syncBuffer
	seq    int
	seenTG int
	// clock of the signed requests: one second apart, so none is a replay.
	signedAt time.Time
}

func newHub(t *testing.T, db *storage.DB) *hub { return newHubOpts(t, db, hubOptions{}) }

// newHubWith is newHub with more flows: register adds them to the Router's
// mux after the citizens' (as hub serve adds the ASN flows).
func newHubWith(t *testing.T, db *storage.DB, register func(*handlers.Mux, *handlers.Citizen) error) *hub {
	t.Helper()
	return newHubOpts(t, db, hubOptions{register: register})
}

// hubOptions change the hub newHubOpts starts.
type hubOptions struct {
	// register adds flows to the Router's mux after the citizens'.
	register func(*handlers.Mux, *handlers.Citizen) error
	// maxFile is the largest file uploaded to Slack (0: the default).
	maxFile int64
	// deskDown keeps the desk from running by itself at all (otherwise a
	// round every 20 ms), as in a process that stopped: the test runs its
	// rounds, all of them, and presses nothing on the desk, which would
	// need the desk running.
	deskDown bool
	// deskNow is the clock of handlers.Desk (nil: time.Now).
	deskNow func() time.Time
	// officers is HUB_SLACK_OFFICERS ("": U1 and U2).
	officers string
}

// newHubOpts is newHub with opts.
func newHubOpts(t *testing.T, db *storage.DB, opts hubOptions) *hub {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	log, logs := testLogger(t)
	tg := telegramtest.NewServer(t)
	t.Cleanup(func() {
		// The file downloads' URLs hold the Telegram token.
		if strings.Contains(logs.String(), tg.Token()) {
			t.Errorf("the Telegram token appears in the logs:\n%s", logs.String())
		}
	})
	tgAdapter, err := telegram.New(ctx, telegram.Config{Token: tg.Token(), APIURL: tg.URL(), PollTimeout: time.Second, Logger: log,
		Limits: telegram.Limits{PerChat: telegram.Rate{Events: 100, Per: time.Second}}})
	if err != nil {
		t.Fatal(err)
	}
	f := newFakeSlack(t)
	files, err := telegram.NewFiles(tg.Token(), tg.URL())
	if err != nil {
		t.Fatal(err)
	}
	sa, err := hubslack.New(hubslack.Config{BotToken: botToken, SigningSecret: secret, APIURL: f.URL(), DB: db, Logger: log,
		PerChannel: time.Millisecond, Files: map[bots.Platform]bots.FileFetcher{bots.Telegram: files}, MaxFile: opts.maxFile})
	if err != nil {
		t.Fatal(err)
	}
	store := knowledge.NewStore(db)
	entries, err := knowledge.ParseJSON(bytes.NewReader(starter.JSON), "starter.json")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.Import(ctx, entries, knowledge.ImportOptions{Author: "test"}); err != nil {
		t.Fatal(err)
	}
	ix := knowledge.NewIndex(knowledge.DefaultConfig())
	live := &knowledge.Live{DB: db, Store: store, Index: ix, Logger: log, Poll: 20 * time.Millisecond}
	if err := live.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	in := inbox.New(db)
	disp := &outbox.Dispatcher{DB: db, Senders: map[bots.Platform]bots.Sender{bots.Telegram: tgAdapter, bots.Slack: sa},
		PollInterval: 20 * time.Millisecond, Logger: log, Backoff: func(int) time.Duration { return 20 * time.Millisecond }}
	citizen := &handlers.Citizen{Index: ix, Entries: store, Inbox: in, Calendar: inbox.DefaultCalendar(), Outbox: outbox.New(db)}
	citizen.OnForget(hubslack.ForgetOnDesk(db, in)) // as hub serve and hub chat wire it
	cmux, err := handlers.NewCitizenMux(citizen)
	if err != nil {
		t.Fatal(err)
	}
	if opts.register != nil {
		if err := opts.register(cmux, citizen); err != nil {
			t.Fatal(err)
		}
	}
	router, err := handlers.NewRouter(handlers.Config{DB: db, Handler: cmux, Waker: disp, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	officers, err := sa.NewOfficers(cmp.Or(opts.officers, "U1,U2"))
	if err != nil {
		t.Fatal(err)
	}
	desk, err := sa.NewDesk(hubslack.DeskConfig{Channel: deskChannel, Inbox: in, Desk: &handlers.Desk{Inbox: in, DB: db, Waker: disp, Now: opts.deskNow},
		Knowledge: store, Index: ix, Officers: officers, Waker: disp, Every: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	faq, err := sa.NewCurator(hubslack.CuratorConfig{Knowledge: store, Index: ix, Inbox: in, Officers: officers})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	sa.Mount(mux)
	var wg sync.WaitGroup
	wg.Go(func() { _ = disp.Run(ctx) })
	wg.Go(func() { _ = tgAdapter.Run(ctx, router) })
	wg.Go(func() { _ = live.Run(ctx) })
	running := hubslack.Handlers{Sink: router, Desk: desk, FAQ: faq}
	if opts.deskDown {
		running.Desk = nil
	}
	wg.Go(func() { _ = sa.Run(ctx, running) })
	t.Cleanup(func() { cancel(); wg.Wait() })
	return &hub{t: t, db: db, tg: tg, slack: f, mux: mux, inbox: in, store: store, index: ix, desk: desk, logs: logs, signedAt: time.Now()}
}

// post sends a signed request to the hub's Slack endpoint, checks that
// it was acknowledged and returns the acknowledgement's body.
func (h *hub) post(path, body string) string {
	h.t.Helper()
	h.signedAt = h.signedAt.Add(time.Second)
	ctype := formType
	if path == hubslack.PathEvents {
		ctype = jsonType
	}
	w := httptest.NewRecorder()
	h.mux.ServeHTTP(w, signed(path, ctype, body, h.signedAt))
	if w.Code != http.StatusOK {
		h.t.Fatalf("%s: status %d: %s", path, w.Code, w.Body.String())
	}
	return w.Body.String()
}

// interact sends an interaction payload.
func (h *hub) interact(payload map[string]any) {
	h.t.Helper()
	h.interactAck(payload)
}

// interactAck sends an interaction payload and returns the
// acknowledgement's body.
func (h *hub) interactAck(payload map[string]any) string {
	h.t.Helper()
	b, err := json.Marshal(payload)
	if err != nil {
		h.t.Fatal(err)
	}
	return h.post(hubslack.PathInteractivity, "payload="+url.QueryEscape(string(b)))
}

// viewErrors reads an acknowledgement that keeps a modal open: the
// message under each field, by block id (nil for a plain one).
func viewErrors(t *testing.T, ack string) map[string]string {
	t.Helper()
	if ack == "" {
		return nil
	}
	var r struct {
		Action string            `json:"response_action"`
		Errors map[string]string `json:"errors"`
	}
	if err := json.Unmarshal([]byte(ack), &r); err != nil || r.Action != "errors" {
		t.Fatalf("acknowledgement %q is no response_action errors (%v)", ack, err)
	}
	return r.Errors
}

// press presses a desk button as a Slack user.
func (h *hub) press(user, name, data string) {
	h.seq++
	h.interact(map[string]any{
		"type": "block_actions", "trigger_id": fmt.Sprintf("trig-%d", h.seq), "user": map[string]any{"id": user, "name": name},
		"container": map[string]any{"type": "message", "channel_id": deskChannel, "message_ts": "1700000000.000001"},
		"channel":   map[string]any{"id": deskChannel},
		"actions":   []map[string]any{{"type": "button", "block_id": "row0", "action_id": "b0_0", "value": data, "action_ts": "1"}},
	})
}

// submitAnswer submits the Jawab modal viewID and returns the
// acknowledgement.
func (h *hub) submitAnswer(user, name, viewID string, ticket int64, text, lesson, altSlug string) string {
	values := map[string]any{
		"answer":   map[string]any{"input": map[string]any{"type": "plain_text_input", "value": text}},
		"lesson":   map[string]any{"input": map[string]any{"type": "radio_buttons", "selected_option": map[string]any{"value": lesson}}},
		"alt_slug": map[string]any{"input": map[string]any{"type": "plain_text_input", "value": altSlug}},
	}
	return h.interactAck(map[string]any{
		"type": "view_submission", "user": map[string]any{"id": user, "name": name},
		"view": map[string]any{"id": viewID, "callback_id": "desk_answer", "private_metadata": fmt.Sprint(ticket),
			"state": map[string]any{"values": values}},
	})
}

// nextTG waits for the bot's next Telegram message to chat.
func (h *hub) nextTG(chat int64) telegramtest.SentMessage {
	h.t.Helper()
	var m telegramtest.SentMessage
	waitFor(h.t, 15*time.Second, "a Telegram message", func() bool {
		var mine []telegramtest.SentMessage
		for _, s := range h.tg.Sent() {
			if s.ChatID == chat {
				mine = append(mine, s)
			}
		}
		if len(mine) > h.seenTG {
			m = mine[h.seenTG]
			h.seenTG++
			return true
		}
		return false
	})
	return m
}

// ephemeralTo waits for an ephemeral message to user containing want.
func (h *hub) ephemeralTo(user, want string) {
	h.t.Helper()
	waitFor(h.t, 15*time.Second, fmt.Sprintf("an ephemeral %q to %s", want, user), func() bool {
		return slices.ContainsFunc(h.slack.Calls("chat.postEphemeral"), func(c call) bool {
			return c.Form.Get("user") == user && strings.Contains(c.Form.Get("text"), want)
		})
	})
}

// deskMessage waits for a desk post or edit whose text contains want.
func (h *hub) deskMessage(want string) call {
	h.t.Helper()
	var got call
	waitFor(h.t, 15*time.Second, fmt.Sprintf("a desk message with %q", want), func() bool {
		for _, m := range []string{"chat.postMessage", "chat.update"} {
			for _, c := range h.slack.Calls(m) {
				if c.Form.Get("channel") == deskChannel && strings.Contains(c.Form.Get("text"), want) {
					got = c
					return true
				}
			}
		}
		return false
	})
	return got
}

func buttonValues(t *testing.T, c call) []string {
	var out []string
	for _, b := range blocksOf(t, c) {
		if b["type"] != "actions" {
			continue
		}
		for _, e := range b["elements"].([]any) {
			out = append(out, e.(map[string]any)["value"].(string))
		}
	}
	return out
}

// TestDeskTeachesTheBot is the whole loop: a citizen's question the bot
// cannot answer reaches the desk, an officer claims it and answers it
// from the modal, teaching the bot the citizen's wording as a variation
// of an entry; the citizen gets the answer on Telegram, and asking the
// same again is answered by the bot.
func TestDeskTeachesTheBot(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newHub(t, db)
		const chat = 4242
		question := "nikah siri apakah sah secara hukum negara? wa saya 0812-3456-7890"
		if res := h.index.Search(question); res.Decision != knowledge.Handoff {
			t.Fatalf("the engine decides %s for the test question; pick one it hands over", res.Decision)
		}
		h.tg.PushText(chat, chat, question)
		if m := h.nextTG(chat); !strings.Contains(m.Plain, "#1") {
			t.Fatalf("hand-over reply = %q; want the ticket number", m.Plain)
		}

		post := h.deskMessage("Tiket #1")
		text := post.Form.Get("text")
		if !strings.Contains(text, "nikah siri") || strings.Contains(text, "3456") || !strings.Contains(text, "Batas SLA") {
			t.Errorf("desk message = %q; want the question without the phone number, and the SLA", text)
		}
		if got := buttonValues(t, post); !slices.Equal(got, []string{"desk:claim:1", "desk:answer:1", "desk:faq:1", "desk:close:1"}) {
			t.Errorf("desk buttons = %v", got)
		}

		// A user who is no officer may not act; of two officers, the
		// first claim wins and the other is told.
		h.press("U9", "tamu", "desk:claim:1")
		h.ephemeralTo("U9", "hanya petugas")
		h.press("U1", "ani", "desk:claim:1")
		h.deskMessage("diambil oleh @ani")
		h.press("U2", "budi", "desk:claim:1")
		h.ephemeralTo("U2", "sudah diambil oleh @ani")
		if by, err := h.inbox.ClaimedBy(context.Background(), 1); err != nil || by != "@ani" {
			t.Fatalf("ClaimedBy = %q, %v", by, err)
		}

		// Jawab opens the modal, with the lesson choices.
		h.press("U1", "ani", "desk:answer:1")
		opened := h.slack.waitCalls(t, "views.open", 1)[0]
		view, _ := json.Marshal(opened.JSON["view"])
		for _, want := range []string{`"callback_id":"desk_answer"`, "Simpan sebagai FAQ baru", "Tambahkan sebagai variasi dari"} {
			if !strings.Contains(string(view), want) {
				t.Errorf("modal lacks %s: %s", want, view)
			}
		}
		if strings.Contains(string(view), "3456") {
			t.Errorf("modal shows the phone number: %s", view)
		}

		answer := "Untuk pernikahan, urus surat pengantar nikah di kelurahan lalu daftar di KUA."
		h.submitAnswer("U1", "ani", "V-answer-1", 1, answer, "alt", "pengantar-nikah")
		h.submitAnswer("U1", "ani", "V-answer-1", 1, answer, "alt", "pengantar-nikah") // submitted twice
		if m := h.nextTG(chat); !strings.Contains(m.Plain, answer) {
			t.Fatalf("citizen got %q; want the officer's answer", m.Plain)
		}
		h.ephemeralTo("U1", "variasi dari FAQ pengantar-nikah")
		// The same answer from another form (a second "Jawab") is not sent again.
		h.submitAnswer("U1", "ani", "V-answer-2", 1, answer, "alt", "pengantar-nikah")
		h.ephemeralTo("U1", "Balasan yang sama sudah dikirim, atau sedang dikirim, ke warga sebagai pesan terakhir tiket #1, jadi tidak dikirim dua kali.")
		h.deskMessage("sudah dijawab oleh @ani")
		e, err := h.store.Get(context.Background(), "pengantar-nikah")
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(e.Alternates, "nikah siri apakah sah secara hukum negara? wa saya") || e.UpdatedBy != "@ani" {
			t.Errorf("entry after the lesson: alternates %q, by %q", e.Alternates, e.UpdatedBy)
		}

		// The bot learnt: the same question is answered now.
		waitFor(t, 15*time.Second, "the index to learn", func() bool {
			return h.index.Search(question).Decision == knowledge.Answer
		})
		h.tg.PushText(chat, chat, question)
		if m := h.nextTG(chat); !strings.Contains(m.Plain, e.Answer[:30]) {
			t.Errorf("asked again, the citizen got %q; want the entry's answer", m.Plain)
		}

		// Closing from Slack, then a late answer: refused, nothing sent.
		h.press("U1", "ani", "desk:close:1")
		h.deskMessage("selesai, ditutup oleh @ani")
		rating := h.nextTG(chat)
		if !strings.Contains(rating.Plain, "#1") {
			t.Errorf("after closing the citizen got %q; want the rating question", rating.Plain)
		}
		// The form stays open saying so, so that the officer can still
		// copy what they wrote.
		late := viewErrors(t, h.submitAnswer("U1", "ani", "V-answer-late", 1, "terlambat", "none", ""))
		if late["answer"] != "Tiket #1 sudah ditutup; tidak ada yang dikirim ke warga." {
			t.Errorf("an answer to a closed ticket: errors %v", late)
		}
		for _, m := range h.tg.Sent() {
			if strings.Contains(m.Plain, "terlambat") {
				t.Errorf("a reply to a closed ticket reached the citizen: %q", m.Plain)
			}
		}
		var answers int
		for _, m := range h.tg.Sent() {
			if strings.Contains(m.Plain, answer) {
				answers++
			}
		}
		if answers != 1 {
			t.Errorf("the citizen got the answer %d times; want once", answers)
		}
	})
}

// TestDeskDraftsAQuestionOnce: "Simpan sebagai FAQ baru" drafts the
// ticket's question once. A second modal on the same ticket, or another
// officer's on another citizen's ticket with the same question, stays
// open naming the draft under "Ajari bot"; nothing is sent and no second
// draft is made.
func TestDeskDraftsAQuestionOnce(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newHub(t, db)
		ctx := context.Background()
		// Two citizens' chats: waited on by what they receive.
		sentTo := func(chat int64, want string) {
			t.Helper()
			waitFor(t, 15*time.Second, fmt.Sprintf("%q in chat %d", want, chat), func() bool {
				return slices.ContainsFunc(h.tg.Sent(), func(m telegramtest.SentMessage) bool {
					return m.ChatID == chat && strings.Contains(m.Plain, want)
				})
			})
		}
		const question = "zzq blorf wibble izin pentas kuda lumping di lapangan"
		if res := h.index.Search(question); res.Decision != knowledge.Handoff {
			t.Fatalf("the engine decides %s for the test question; pick one it hands over", res.Decision)
		}
		h.tg.PushText(5151, 5151, question)
		h.deskMessage("Tiket #1")
		drafts, err := h.store.Count(ctx, knowledge.Draft)
		if err != nil {
			t.Fatal(err)
		}
		if errs := viewErrors(t, h.submitAnswer("U1", "ani", "V-new-1", 1, "Bawa KTP dan ijazah ke Disnaker.", "new", "")); errs != nil {
			t.Fatalf("the first draft: form errors %v", errs)
		}
		h.ephemeralTo("U1", "Draf FAQ baru zzq-blorf-wibble-izin-pentas-kuda tersimpan")
		sentTo(5151, "Bawa KTP dan ijazah ke Disnaker.")

		h.tg.PushText(5252, 5252, "ZZQ blorf  wibble izin pentas kuda lumping di  lapangan")
		h.deskMessage("Tiket #2")
		for _, again := range []struct {
			user, name, view string
			ticket           int64
		}{{"U1", "ani", "V-new-2", 1}, {"U2", "budi", "V-new-3", 2}} {
			errs := viewErrors(t, h.submitAnswer(again.user, again.name, again.view, again.ticket, "Jawaban kedua.", "new", ""))
			if msg := errs["lesson"]; !strings.Contains(msg, "FAQ zzq-blorf-wibble-izin-pentas-kuda (draf)") ||
				!strings.Contains(msg, "entri baru tidak dibuat") || len(errs) != 1 {
				t.Errorf("%s on ticket #%d: form errors %v; want the draft named under the lesson", again.name, again.ticket, errs)
			}
		}
		if n, err := h.store.Count(ctx, knowledge.Draft); err != nil || n != drafts+1 {
			t.Errorf("%d drafts (%v); want the one", n-drafts, err)
		}
		// The same answer without the lesson goes out.
		if errs := viewErrors(t, h.submitAnswer("U2", "budi", "V-plain", 2, "Jawaban ketiga.", "none", "")); errs != nil {
			t.Fatalf("an answer without the lesson: form errors %v", errs)
		}
		sentTo(5252, "Jawaban ketiga.")
		for _, m := range h.tg.Sent() {
			if strings.Contains(m.Plain, "Jawaban kedua") {
				t.Errorf("a refused answer reached a citizen: %q", m.Plain)
			}
		}
	})
}

// TestDeskSendsAnFAQAnswer: Pakai jawaban FAQ sends an entry's answer
// (an id that does not exist is refused, nothing sent), and the ticket
// can be handled from the CLI's side too: a claim by another officer
// stops the Slack officer.
func TestDeskSendsAnFAQAnswer(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	h := newHub(t, db)
	const chat = 777
	h.tg.PushText(chat, chat, "zzq blorf wibble jam buka kantor walikota hari sabtu")
	h.nextTG(chat)
	post := h.deskMessage("Tiket #1")

	// The citizen writes again: the message shows it, its thread has it.
	h.tg.PushText(chat, chat, "zzq blorf wibble minggu juga buka? wa 081298765432")
	h.nextTG(chat)
	h.deskMessage("+1 pesan lanjutan")
	posts := h.slack.waitCalls(t, "chat.postMessage", 2)
	ts := "1700000000.000001" // the fake's first ts: the desk post
	if post.Form.Get("channel") != deskChannel || posts[1].Form.Get("thread_ts") != ts ||
		!strings.Contains(posts[1].Form.Get("text"), "minggu juga buka") || strings.Contains(posts[1].Form.Get("text"), "98765") {
		t.Errorf("thread note = %v; want the follow-up, masked, in the post's thread", posts[1].Form)
	}

	h.press("U1", "ani", "desk:faq:1")
	opened := h.slack.waitCalls(t, "views.open", 1)[0]
	if v, _ := opened.JSON["view"].(map[string]any); v["callback_id"] != "desk_faq" {
		t.Fatalf("Pakai jawaban FAQ opened %v", opened.JSON["view"])
	}
	submit := func(viewID, ticket, slug, edit string) string {
		return h.interactAck(map[string]any{"type": "view_submission", "user": map[string]any{"id": "U1", "name": "ani"},
			"view": map[string]any{"id": viewID, "callback_id": "desk_faq", "private_metadata": ticket,
				"state": map[string]any{"values": map[string]any{
					"faq_slug": map[string]any{"input": map[string]any{"type": "plain_text_input", "value": slug}},
					"edit":     map[string]any{"input": map[string]any{"type": "plain_text_input", "value": edit}},
				}}}})
	}
	// An id that does not exist keeps the form open, saying so.
	if errs := viewErrors(t, submit("V-faq-1", "1", "jam-kantor-tidak-ada", "")); errs["faq_slug"] != `FAQ "jam-kantor-tidak-ada" tidak ditemukan.` {
		t.Errorf("an unknown FAQ id: errors %v", errs)
	}
	submit("V-faq-2", "1", "jam-layanan", "")
	e, err := h.store.Get(context.Background(), "jam-layanan")
	if err != nil {
		t.Fatal(err)
	}
	if m := h.nextTG(chat); !strings.Contains(m.Plain, e.Answer[:40]) || !strings.Contains(m.Plain, "tiket #1") {
		t.Errorf("citizen got %q; want the entry's answer as the officer's reply", m.Plain)
	}

	// Another officer holds the next ticket (claimed from the CLI, say):
	// the Slack officer is told, and nothing is sent.
	const other = 778
	h.tg.PushText(other, other, "zzq blorf wibble parkir liar depan pasar")
	h.deskMessage("Tiket #2")
	if _, err := h.inbox.Claim(context.Background(), 2, "cli:budi", time.Now()); err != nil {
		t.Fatal(err)
	}
	submit("V-faq-3", "2", "jam-layanan", "Jawaban lain")
	h.ephemeralTo("U1", "sudah diambil oleh cli:budi")
	for _, m := range h.tg.Sent() {
		if strings.Contains(m.Plain, "Jawaban lain") {
			t.Errorf("an answer to a ticket another officer holds was sent: %q", m.Plain)
		}
	}
}

// TestDeskMentionIsAnOfficersNote: an officer who mentions the app in the
// desk channel (in a ticket's thread, say) is writing an internal note,
// like any reply there: it is no citizen's question, so it opens no
// ticket and the bot answers nothing in the desk channel.
func TestDeskMentionIsAnOfficersNote(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	h := newHub(t, db)
	ctx := context.Background()
	h.post(hubslack.PathEvents, fmt.Sprintf(`{"type":"event_callback","event_id":"EvMention","event_time":%d,"event":{"type":"app_mention",`+
		`"channel":%q,"user":"U1","text":"<@UHUBBOT> kenapa bot tidak menjawab ktp hilang? warga 081234567890","ts":"1700000500.000001",`+
		`"thread_ts":"1700000000.000001"}}`, time.Now().Unix(), deskChannel))
	// A mention elsewhere is a question to the bot: it is answered.
	h.post(hubslack.PathEvents, fmt.Sprintf(`{"type":"event_callback","event_id":"EvElsewhere","event_time":%d,"event":{"type":"app_mention",`+
		`"channel":"CUMUM","user":"U7","text":"<@UHUBBOT> ktp saya hilang gimana","ts":"1700000600.000001"}}`, time.Now().Unix()))
	waitFor(t, 15*time.Second, "both events processed", func() bool {
		var n int
		err := db.GetContext(ctx, &n, `SELECT COUNT(*) FROM slack_requests WHERE status = 'done'`)
		return err == nil && n == 2
	})
	var ids []string
	if err := db.SelectContext(ctx, &ids, `SELECT update_id FROM processed_updates WHERE platform = 'slack' ORDER BY update_id`); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ids, []string{"EvElsewhere"}) {
		t.Errorf("updates handed to the flows: %v; want only the mention outside the desk", ids)
	}
}

// TestDeskLessonFailureLogsNoCitizenText: a lesson the knowledge base
// refuses (nothing is left of the citizen's wording once its numbers are
// hidden) is told to the officer and sends nothing, and the log names the
// problem without the citizen's words.
func TestDeskLessonFailureLogsNoCitizenText(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	h := newHub(t, db)
	const chat = 7171
	h.tg.PushText(chat, chat, "0812 3456 7890")
	h.nextTG(chat)
	h.deskMessage("Tiket #1")
	h.submitAnswer("U1", "ani", "V-lesson", 1, "Silakan datang ke kelurahan.", "alt", "ktp-hilang")
	h.ephemeralTo("U1", "tidak ada kata yang tersisa. Jawaban belum dikirim")
	waitFor(t, 15*time.Second, "the lesson's refusal in the log", func() bool {
		return strings.Contains(h.logs.String(), "refused the lesson")
	})
	if strings.Contains(h.logs.String(), "3456") {
		t.Errorf("the citizen's words are in the log:\n%s", h.logs.String())
	}
	if det, err := h.inbox.Get(context.Background(), 1); err != nil || det.Ticket.Status != inbox.Open {
		t.Errorf("ticket #1 after the refused lesson: %+v, %v; want it open", det.Ticket, err)
	}
	for _, m := range h.tg.Sent() {
		if strings.Contains(m.Plain, "Silakan datang ke kelurahan") {
			t.Errorf("the answer of a refused lesson reached the citizen: %q", m.Plain)
		}
	}
}

// TestDeskAnswerAndLessonAreOneStep: a question another officer drafts
// after the modal's checks, before the answer is saved (the desk's clock
// is read in between), refuses the answer too: the officer is told whose
// draft it is, and nothing reaches the citizen. A question an entry has
// is no variation of another entry, told in the form or, when it was
// taught meanwhile, after it; a question an entry has as an alternate is
// no new entry either; as that entry's alternate it is sent, adding
// nothing, and said so.
func TestDeskAnswerAndLessonAreOneStep(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		var (
			mu sync.Mutex
			// meanwhile runs once, the next time the desk reads its clock.
			meanwhile func()
		)
		h := newHubOpts(t, db, hubOptions{deskNow: func() time.Time {
			mu.Lock()
			f := meanwhile
			meanwhile = nil
			mu.Unlock()
			if f != nil {
				f()
			}
			return time.Now()
		}})
		const question = "zzq blorf wibble izin pentas kuda lumping di lapangan"
		const other = "zzq blorf wibble ktp tercecer di angkot"
		for _, q := range []string{question, other} {
			if res := h.index.Search(q); res.Decision != knowledge.Handoff {
				t.Fatalf("the engine decides %s for %q; pick one it hands over", res.Decision, q)
			}
		}
		h.tg.PushText(6161, 6161, question)
		h.deskMessage("Tiket #1")
		var budis knowledge.Entry
		drafted := make(chan struct{})
		mu.Lock()
		meanwhile = func() {
			defer close(drafted)
			var err error
			if budis, err = h.store.Draft(ctx, question, "Jawaban Budi.", "", "@budi"); err != nil {
				t.Errorf("Budi's draft: %v", err)
			}
		}
		mu.Unlock()
		if errs := viewErrors(t, h.submitAnswer("U1", "ani", "V-race", 1, "Jawaban Ani.", "new", "")); errs != nil {
			t.Fatalf("the form: errors %v; want it accepted, nothing drafted yet", errs)
		}
		h.ephemeralTo("U1", "Jawaban belum dikirim")
		<-drafted
		h.ephemeralTo("U1", "FAQ "+budis.Slug+" (draf)")
		if det, err := h.inbox.Get(ctx, 1); err != nil || det.Ticket.Status != inbox.Open {
			t.Errorf("ticket #1 after the refusal: %+v, %v; want it open", det.Ticket, err)
		}
		for _, m := range h.tg.Sent() {
			if strings.Contains(m.Plain, "Jawaban Ani") {
				t.Errorf("the refused answer reached the citizen: %q", m.Plain)
			}
		}

		// Nor does Budi's question become a variation of another entry:
		// the form says so under the entry chosen.
		errs := viewErrors(t, h.submitAnswer("U1", "ani", "V-alt-other", 1, "Jawaban Ani.", "alt", "pengantar-nikah"))
		for _, want := range []string{"sudah ada sebagai pertanyaan entri FAQ " + budis.Slug + " (draf), jadi tidak ditambahkan sebagai variasi entri FAQ pengantar-nikah",
			"Pilih FAQ " + budis.Slug} {
			if !strings.Contains(errs["alt_slug"], want) {
				t.Errorf("a variation of another entry's question: form errors %v; want %q under the entry", errs, want)
			}
		}

		h.tg.PushText(6262, 6262, other)
		h.nextTG(6262) // the hand-over
		h.deskMessage("Tiket #2")
		// Budi teaches the question to ktp-hilang after the form was
		// checked: Ani's variation of pengantar-nikah is refused.
		nikah, err := h.store.Get(ctx, "pengantar-nikah")
		if err != nil {
			t.Fatal(err)
		}
		taught := make(chan struct{})
		mu.Lock()
		meanwhile = func() {
			defer close(taught)
			if _, err := h.store.AddAlternate(ctx, "ktp-hilang", other, "@budi"); err != nil {
				t.Errorf("Budi's lesson: %v", err)
			}
		}
		mu.Unlock()
		if errs := viewErrors(t, h.submitAnswer("U1", "ani", "V-alt-race", 2, "Jawaban Ani.", "alt", "pengantar-nikah")); errs != nil {
			t.Fatalf("the form: errors %v; want it accepted, nothing taught yet", errs)
		}
		<-taught
		h.ephemeralTo("U1", "sudah ada sebagai variasi pertanyaan entri FAQ ktp-hilang (terbit), jadi tidak ditambahkan sebagai variasi entri FAQ pengantar-nikah")
		h.ephemeralTo("U1", "Jawaban belum dikirim; kirim lagi dengan variasi dari FAQ ktp-hilang")
		if e, err := h.store.Get(ctx, "pengantar-nikah"); err != nil || e.Version != nikah.Version {
			t.Errorf("pengantar-nikah at version %d (%v); want it unchanged at %d", e.Version, err, nikah.Version)
		}
		if det, err := h.inbox.Get(ctx, 2); err != nil || det.Ticket.Status != inbox.Open {
			t.Errorf("ticket #2 after the refusal: %+v, %v; want it open", det.Ticket, err)
		}
		before, err := h.store.Get(ctx, "ktp-hilang")
		if err != nil {
			t.Fatal(err)
		}
		errs = viewErrors(t, h.submitAnswer("U1", "ani", "V-alt-new", 2, "Lapor ke kelurahan.", "new", ""))
		if want := "sudah ada sebagai variasi pertanyaan entri FAQ ktp-hilang (terbit)"; !strings.Contains(errs["lesson"], want) {
			t.Errorf("a new FAQ of an alternate: form errors %v; want %q under the lesson", errs, want)
		}
		if errs := viewErrors(t, h.submitAnswer("U1", "ani", "V-alt", 2, "Lapor ke kelurahan.", "alt", "ktp-hilang")); errs != nil {
			t.Fatalf("an alternate the entry has: form errors %v", errs)
		}
		h.ephemeralTo("U1", "FAQ ktp-hilang sudah memuat pertanyaan warga ini")
		if m := h.nextTG(6262); !strings.Contains(m.Plain, "Lapor ke kelurahan.") {
			t.Errorf("the citizen got %q; want the answer", m.Plain)
		}
		if e, err := h.store.Get(ctx, "ktp-hilang"); err != nil || e.Version != before.Version {
			t.Errorf("ktp-hilang at version %d (%v); want it unchanged at %d", e.Version, err, before.Version)
		}
	})
}

// TestDeskLongAnswerIsNoFAQ: an answer longer than a FAQ entry's answer
// may be, submitted from Jawab with "Simpan sebagai FAQ baru", is refused
// in the form, under the answer, before the ticket is claimed: the
// message names the answer (not the citizen's question) and nothing is
// sent or drafted. With "Kirim saja" the same answer reaches the citizen,
// once.
func TestDeskLongAnswerIsNoFAQ(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		h := newHub(t, db)
		const chat = 8181
		h.tg.PushText(chat, chat, "zzq blorf wibble sewa tenda untuk hajatan di kelurahan")
		h.nextTG(chat) // the hand-over
		h.deskMessage("Tiket #1")
		drafts, err := h.store.Count(ctx, knowledge.Draft)
		if err != nil {
			t.Fatal(err)
		}
		long := strings.Repeat("Bawa KTP asli. ", knowledge.MaxAnswerLen/15+1)

		errs := viewErrors(t, h.submitAnswer("U1", "ani", "V-long", 1, long, "new", ""))
		for _, want := range []string{"Balasan ini terlalu panjang untuk disimpan sebagai entri FAQ", "paling panjang 4096 karakter", "pilih “Kirim saja”"} {
			if !strings.Contains(errs["answer"], want) {
				t.Errorf("form errors %v; want %q under the answer", errs, want)
			}
		}
		if strings.Contains(errs["answer"], "Pertanyaan warga") {
			t.Errorf("the refusal blames the citizen's question: %q", errs["answer"])
		}
		det, err := h.inbox.Get(ctx, 1)
		if err != nil || det.Ticket.Status != inbox.Open || det.Ticket.AnsweredBy != "" {
			t.Errorf("ticket #1 after the refusal: %+v, %v; want it open", det.Ticket, err)
		}
		if by, err := h.inbox.ClaimedBy(ctx, 1); by != "" || err != nil {
			t.Errorf("ticket #1 is claimed by %q (%v); want nobody", by, err)
		}
		if n, err := h.store.Count(ctx, knowledge.Draft); err != nil || n != drafts {
			t.Errorf("%d drafts made (%v); want none", n-drafts, err)
		}

		if errs := viewErrors(t, h.submitAnswer("U1", "ani", "V-long-send", 1, long, "none", "")); errs != nil {
			t.Fatalf("the long answer alone: form errors %v", errs)
		}
		h.ephemeralTo("U1", "Jawaban untuk tiket #1 sudah dikirim ke warga.")
		if m := h.nextTG(chat); !strings.Contains(m.Plain, "Balasan petugas untuk tiket #1") {
			t.Errorf("the citizen's next message is %q; want the answer", m.Plain)
		}
		// The refused submission sent nothing before it: the answer
		// arrives once.
		replies := 0
		for _, m := range h.tg.Sent() {
			if strings.Contains(m.Plain, "Balasan petugas untuk tiket #1") {
				replies++
			}
		}
		if replies != 1 {
			t.Errorf("the answer reached the citizen %d times; want once", replies)
		}
	})
}

// TestDeskReleasesAClaim: an officer who pressed "Jawab" and left the
// form holds the ticket until they hand it back with "Lepas"; nobody
// else may, and then anyone may take it on.
func TestDeskReleasesAClaim(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newHub(t, db)
		const chat = 4343
		h.tg.PushText(chat, chat, "nikah siri apakah sah secara hukum negara?")
		if m := h.nextTG(chat); !strings.Contains(m.Plain, "#1") {
			t.Fatalf("hand-over reply = %q; want the ticket number", m.Plain)
		}
		h.deskMessage("Tiket #1")
		h.press("U1", "ani", "desk:answer:1")
		h.slack.waitCalls(t, "views.open", 1)
		claimed := h.deskMessage("diambil oleh @ani")
		if got := buttonValues(t, claimed); !slices.Equal(got, []string{"desk:answer:1", "desk:faq:1", "desk:close:1", "desk:release:1"}) {
			t.Errorf("buttons of a claimed ticket = %v", got)
		}
		h.press("U2", "budi", "desk:release:1")
		h.ephemeralTo("U2", "Tiket #1 diambil oleh @ani; hanya @ani yang dapat melepasnya")
		if by, err := h.inbox.ClaimedBy(context.Background(), 1); err != nil || by != "@ani" {
			t.Fatalf("after another officer's release, ClaimedBy = %q, %v", by, err)
		}
		h.press("U1", "ani", "desk:release:1")
		h.ephemeralTo("U1", "Anda melepaskan tiket #1; petugas lain kini dapat mengambilnya.")
		if by, err := h.inbox.ClaimedBy(context.Background(), 1); err != nil || by != "" {
			t.Fatalf("after the release, ClaimedBy = %q, %v", by, err)
		}
		waitFor(t, 15*time.Second, "the desk message to offer Ambil again", func() bool {
			edits := h.slack.Calls("chat.update")
			return len(edits) > 0 && slices.Equal(buttonValues(t, edits[len(edits)-1]), []string{"desk:claim:1", "desk:answer:1", "desk:faq:1", "desk:close:1"})
		})
		h.press("U2", "budi", "desk:claim:1")
		h.deskMessage("diambil oleh @budi")
		h.press("U1", "ani", "desk:release:1")
		h.ephemeralTo("U1", "Tiket #1 diambil oleh @budi; hanya @budi yang dapat melepasnya")
		// Nor may she close it under him.
		h.press("U1", "ani", "desk:close:1")
		h.ephemeralTo("U1", "Tiket #1 sedang ditangani @budi; hanya @budi yang dapat menutupnya")
		if det, err := h.inbox.Get(context.Background(), 1); err != nil || det.Ticket.Status == inbox.Closed {
			t.Fatalf("after a colleague's close, the ticket is %q, %v; want it open", det.Ticket.Status, err)
		}

		// Its holder answers, teaching an archived entry: kept, and said
		// to be unpublished.
		old := knowledge.Entry{Slug: "nikah-lama", Category: "umum", Question: "Syarat nikah zaman dulu?", Answer: "Lihat aturan lama.", Status: knowledge.Archived}
		if _, err := h.store.Save(context.Background(), old, "test"); err != nil {
			t.Fatal(err)
		}
		h.submitAnswer("U2", "budi", "V-answer-9", 1, "Nikah siri tidak tercatat negara.", "alt", "nikah-lama")
		h.ephemeralTo("U2", "Pertanyaan warga ditambahkan sebagai variasi dari FAQ nikah-lama. Entri FAQ nikah-lama berstatus arsip, jadi bot belum menjawab dengannya sampai entri itu diterbitkan. Terbitkan dengan /faq terbit nikah-lama.")
		h.submitAnswer("U2", "budi", "V-answer-10", 1, "Nikah siri tidak tercatat negara.", "alt", "nikah-lama")
		h.ephemeralTo("U2", "Balasan yang sama sudah dikirim, atau sedang dikirim, ke warga sebagai pesan terakhir tiket #1, jadi tidak dikirim dua kali. Pilihan Ajari bot pada kiriman ini juga tidak disimpan.")
	})
}

// TestDeskAsksBeforeClosingAnUnansweredTicket: "Tutup" on a ticket
// nobody answered closes nothing but asks the officer, alone, to confirm
// that the citizen gets no written answer, as the web desk does; the
// confirmation closes it and the citizen is told, once however often it
// is pressed. (An answered ticket closes at once: TestDeskTeachesTheBot.)
func TestDeskAsksBeforeClosingAnUnansweredTicket(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newHub(t, db)
		const chat = 4545
		h.openTicket(chat)

		h.press("U1", "ani", "desk:close:1")
		h.ephemeralTo("U1", "Tiket #1 belum dibalas petugas. Bila ditutup sekarang, warga tidak mendapat jawaban tertulis")
		var ask call
		for _, c := range h.slack.Calls("chat.postEphemeral") {
			if strings.Contains(c.Form.Get("text"), "belum dibalas petugas") {
				ask = c
			}
		}
		if got := buttonValues(t, ask); !slices.Equal(got, []string{"desk:close-unanswered:1"}) {
			t.Fatalf("buttons of the confirmation = %v; want the one that closes ticket 1", got)
		}
		if det, err := h.inbox.Get(context.Background(), 1); err != nil || det.Ticket.Status == inbox.Closed {
			t.Fatalf("after Tutup alone, the ticket is %q, %v; want it still open", det.Ticket.Status, err)
		}

		// Confirmed twice (a double press): closed once, the citizen told once.
		h.press("U1", "ani", "desk:close-unanswered:1")
		h.press("U1", "ani", "desk:close-unanswered:1")
		h.deskMessage("selesai, ditutup oleh @ani")
		h.ephemeralTo("U1", "Tiket #1 sudah ditutup; tidak ada yang dikirim ke warga.")
		if m := h.nextTG(chat); !strings.Contains(m.Plain, "Tiket #1 ditutup oleh petugas tanpa jawaban tertulis") {
			t.Errorf("after the confirmed close the citizen got %q; want the closed-unanswered notice", m.Plain)
		}
		var told int
		for _, m := range h.tg.Sent() {
			if strings.Contains(m.Plain, "tanpa jawaban tertulis") {
				told++
			}
		}
		if told != 1 {
			t.Errorf("the citizen was told of the close %d times; want once", told)
		}
	})
}

// TestDeskSearchesNothingForAFileWithoutWords: a ticket opened by a voice
// note without words has no question for the bot to search for: its desk
// message offers no candidates and says why, nor do its modals; teaching
// the bot with it is refused in the form, whatever the lesson, saying so
// (a variation before its entry is asked for); the answer alone goes.
func TestDeskSearchesNothingForAFileWithoutWords(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newHub(t, db)
		ctx := context.Background()
		if len(h.index.Search(inbox.NoCaption("voice")).Candidates) == 0 {
			t.Fatalf("the bot has no candidate for %q: the test shows nothing", inbox.NoCaption("voice"))
		}
		const chat = 7272
		h.tg.PushVoice(chat, chat, "AwACn0w0rds")
		h.nextTG(chat)
		msg := h.deskMessage("Tiket #1")
		if text := msg.Form.Get("text"); strings.Contains(text, "Kandidat jawaban bot:\n") || !strings.Contains(text, "tidak dicari, karena warga mengirim berkas atau lokasi tanpa keterangan") {
			t.Errorf("the desk message of a voice note without words:\n%s", text)
		}
		h.press("U1", "ani", "desk:answer:1")
		h.press("U1", "ani", "desk:faq:1")
		for _, opened := range h.slack.waitCalls(t, "views.open", 2) {
			view, _ := json.Marshal(opened.JSON["view"])
			if strings.Contains(string(view), `"alt_pick"`) || strings.Contains(string(view), `"faq_pick"`) {
				t.Errorf("a modal offers the bot's candidates: %s", view)
			}
		}
		answer := "Mohon tuliskan keperluan Anda, pesan suara belum bisa kami putar."
		for _, c := range []struct{ lesson, slug string }{{"new", ""}, {"alt", "ktp-hilang"}, {"alt", ""}} {
			// A variation is refused before any entry is asked for.
			errs := viewErrors(t, h.submitAnswer("U1", "ani", "V-nowords-"+c.lesson+c.slug, 1, answer, c.lesson, c.slug))
			if msg := errs["lesson"]; !strings.Contains(msg, "bukan pertanyaan tertulis") || !strings.Contains(msg, "/faq tambah") || len(errs) != 1 {
				t.Errorf("lesson %s: errors %v; want the lesson refused in the form", c.lesson, errs)
			}
		}
		if det, err := h.inbox.Get(ctx, 1); err != nil || det.Ticket.Status != inbox.Open {
			t.Fatalf("ticket #1 after the refused lessons: %+v, %v; want it open", det.Ticket, err)
		}
		h.submitAnswer("U1", "ani", "V-nowords-none", 1, answer, "none", "")
		if m := h.nextTG(chat); !strings.Contains(m.Plain, answer) {
			t.Errorf("citizen got %q; want the officer's answer", m.Plain)
		}
		if e, err := h.store.Get(ctx, "ktp-hilang"); err != nil || slices.Contains(e.Alternates, inbox.NoCaption("voice")) {
			t.Errorf("ktp-hilang after the refused lesson: %+v, %v", e.Alternates, err)
		}
	})
}

package handlers_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/handlers"
	"github.com/tebingtinggi/hub/inbox"
	"github.com/tebingtinggi/hub/knowledge"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

// humanChat is the citizen's flows on the starter knowledge base behind a
// Router, which keeps the conversation state between updates, all on one
// settable clock.
type humanChat struct {
	t     *testing.T
	db    *storage.DB
	index *knowledge.Index
	inbox *inbox.Store
	clock *clock
	r     *handlers.Router
	n     int
	mu    sync.Mutex
	last  []bots.Outgoing
}

func newHumanChat(t *testing.T, db *storage.DB) *humanChat {
	t.Helper()
	_, ix, in, c, m := starterCitizen(t, db)
	h := &humanChat{t: t, db: db, index: ix, inbox: in, clock: newClock(wib("2026-12-07 10:00"))}
	c.Now, in.Now = h.clock.now, h.clock.now
	capture := handlers.HandlerFunc(func(ctx context.Context, u *handlers.Update) ([]bots.Outgoing, error) {
		outs, err := m.Handle(ctx, u)
		h.mu.Lock()
		h.last = outs
		h.mu.Unlock()
		return outs, err
	})
	h.r = newRouter(t, handlers.Config{DB: db, Handler: capture, Now: h.clock.now})
	return h
}

// deliver sends in through the Router and returns the one reply.
func (h *humanChat) deliver(in bots.Incoming) bots.Outgoing {
	h.t.Helper()
	h.n++
	in.UpdateID = fmt.Sprint("human-", h.n)
	h.mu.Lock()
	h.last = nil
	h.mu.Unlock()
	if err := h.r.Deliver(context.Background(), in); err != nil {
		h.t.Fatal(err)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.last) != 1 {
		h.t.Fatalf("%q: %d replies %+v, want one", in.Text+in.Data, len(h.last), h.last)
	}
	return h.last[0]
}

func (h *humanChat) say(user, s string) bots.Outgoing {
	h.t.Helper()
	return h.deliver(text("", user, s))
}

func (h *humanChat) press(user, data string) bots.Outgoing {
	h.t.Helper()
	return h.deliver(bots.Incoming{Platform: bots.Telegram, ChatID: user, ChatType: bots.Private, UserID: user,
		Kind: bots.Press, Data: data, Addressed: true, Time: time.Now()})
}

// tickets lists the tickets of user's chat, oldest first.
func (h *humanChat) tickets(user string) []inbox.Ticket {
	h.t.Helper()
	res, err := h.inbox.List(context.Background(), inbox.Filter{Limit: inbox.MaxLimit})
	if err != nil {
		h.t.Fatal(err)
	}
	var ts []inbox.Ticket
	for i := len(res.Tickets) - 1; i >= 0; i-- {
		if lt := res.Tickets[i]; lt.Conversation.ChatID == user {
			ts = append(ts, lt.Ticket)
		}
	}
	return ts
}

// logged lists what user wrote, as the conversation keeps it.
func (h *humanChat) logged(user string) []string {
	h.t.Helper()
	var texts []string
	if err := h.db.SelectContext(context.Background(), &texts, h.db.Rebind(`SELECT m.text FROM messages m
		JOIN conversations c ON c.id = m.conversation_id WHERE c.chat_id = ? AND m.direction = 'in' ORDER BY m.id`), user); err != nil {
		h.t.Fatal(err)
	}
	return texts
}

// answered is a question the starter knowledge base answers.
func (h *humanChat) answered() string {
	h.t.Helper()
	for _, q := range qAnswers {
		if h.index.Search(q).Decision == knowledge.Answer {
			return q
		}
	}
	h.t.Fatalf("the engine answers none of %q", qAnswers)
	return ""
}

func ticketNumber(t *testing.T, out bots.Outgoing) int64 {
	t.Helper()
	sm := ticketRE.FindStringSubmatch(out.Text)
	if sm == nil {
		t.Fatalf("no ticket number in %q", out.Text)
	}
	var id int64
	fmt.Sscan(sm[1], &id)
	return id
}

// isPrompt tells the bot's request for the question from other replies,
// the FAQ's answer on reaching an officer among them.
func isPrompt(out bots.Outgoing) bool {
	return strings.Contains(out.Text, "akan saya teruskan kepada petugas") && len(out.Buttons) == 0 && !strings.Contains(out.Text, "#")
}

// TestTypedHumanRequestHandsOverTheRecentQuestion: a citizen who types
// that they want an officer after a question the bot did not resolve gets
// a ticket about that question, as the "Tanya petugas" button would open;
// the request itself is neither the ticket's subject nor logged. A
// question they marked "Terjawab", or one asked over an hour ago, is not
// handed over: the bot asks what the officer should read.
func TestTypedHumanRequestHandsOverTheRecentQuestion(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newHumanChat(t, db)
		q := h.answered()

		answer := h.say("h1", q)
		if len(answer.Buttons) == 0 || len(h.tickets("h1")) != 0 {
			t.Fatalf("%q: %+v, tickets %v; want an answer with buttons and no ticket", q, answer, h.tickets("h1"))
		}
		h.clock.add(20 * time.Minute)
		out := h.say("h1", "mau bicara sama petugas")
		ts := h.tickets("h1")
		if len(ts) != 1 || ticketNumber(t, out) != ts[0].ID || !strings.Contains(out.Text, "teruskan kepada petugas") {
			t.Fatalf("request after an answer: %q, tickets %+v", out.Text, ts)
		}
		if ts[0].Subject != q || ts[0].Reason != inbox.AskedHuman {
			t.Errorf("ticket subject %q, reason %s; want %q, %s", ts[0].Subject, ts[0].Reason, q, inbox.AskedHuman)
		}
		for _, s := range h.logged("h1") {
			if knowledge.AsksForHuman(s) {
				t.Errorf("the request %q was logged", s)
			}
		}

		// The same, pressed: the button and the typed request agree.
		h.say("h2", q)
		if out := h.press("h2", answer.Buttons[len(answer.Buttons)-1][0].Data); !strings.Contains(out.Text, "tiket #") {
			t.Fatalf("pressing %q: %q", answer.Buttons[len(answer.Buttons)-1][0].Text, out.Text)
		}
		if ts := h.tickets("h2"); len(ts) != 1 || ts[0].Subject != q || ts[0].Reason != inbox.AskedHuman {
			t.Errorf("pressed: tickets %+v", ts)
		}

		// Marked "Terjawab": resolved.
		answer = h.say("h3", q)
		if out := h.press("h3", answer.Buttons[0][0].Data); !strings.Contains(out.Text, "Terima kasih") {
			t.Fatalf("pressing %q: %q", answer.Buttons[0][0].Text, out.Text)
		}
		if out := h.say("h3", "hubungi operator"); !isPrompt(out) || len(h.tickets("h3")) != 0 {
			t.Errorf("request after \"Terjawab\": %q, tickets %v; want the question asked for", out.Text, h.tickets("h3"))
		}

		// Asked over an hour ago: another matter.
		h.say("h4", q)
		h.clock.add(61 * time.Minute)
		if out := h.say("h4", "minta disambungkan ke admin"); !isPrompt(out) || len(h.tickets("h4")) != 0 {
			t.Errorf("request an hour after the question: %q, tickets %v; want the question asked for", out.Text, h.tickets("h4"))
		}
	})
}

// TestTypedHumanRequestAsksForTheQuestion: without a recent question, the
// bot asks for one; small talk does not end the wait, and the next
// question goes to an officer as it is, though the engine would have
// answered it. A wait over an hour old is over.
func TestTypedHumanRequestAsksForTheQuestion(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newHumanChat(t, db)
		q := h.answered()

		if out := h.say("p1", "tanya petugas"); !isPrompt(out) || len(out.Buttons) != 0 {
			t.Fatalf("request with no question: %+v; want the question asked for", out)
		}
		if ts := h.tickets("p1"); len(ts) != 0 {
			t.Fatalf("the request opened tickets %+v", ts)
		}
		if out := h.say("p1", "ok"); isPrompt(out) || strings.Contains(out.Text, "#") {
			t.Fatalf("\"ok\" while the question is awaited: %q", out.Text)
		}
		if ts := h.tickets("p1"); len(ts) != 0 {
			t.Fatalf("small talk opened tickets %+v", ts)
		}
		h.clock.add(5 * time.Minute)
		out := h.say("p1", q)
		ts := h.tickets("p1")
		if len(ts) != 1 || ticketNumber(t, out) != ts[0].ID {
			t.Fatalf("the awaited question: %q, tickets %+v; want it handed over", out.Text, ts)
		}
		if ts[0].Subject != q || ts[0].Reason != inbox.AskedHuman {
			t.Errorf("ticket subject %q, reason %s; want %q, %s", ts[0].Subject, ts[0].Reason, q, inbox.AskedHuman)
		}
		var states int
		if err := db.GetContext(context.Background(), &states, db.Rebind(`SELECT COUNT(*) FROM chat_sessions WHERE chat_id = ?`), "p1"); err != nil {
			t.Fatal(err)
		}
		if states != 0 {
			t.Errorf("the wait is still stored after the question came")
		}

		// Prompted, then silent for over an hour: the question goes to
		// the engine, which answers it.
		if out := h.say("p2", "cs nya mana"); !isPrompt(out) {
			t.Fatalf("request with no question: %q", out.Text)
		}
		h.clock.add(61 * time.Minute)
		if out := h.say("p2", q); len(out.Buttons) == 0 || strings.Contains(out.Text, "tiket #") {
			t.Errorf("a question after the wait ran out: %+v; want the engine's answer", out)
		}
		if ts := h.tickets("p2"); len(ts) != 0 {
			t.Errorf("a question after the wait ran out opened tickets %+v", ts)
		}
	})
}

// TestTypedHumanRequestCalledOff: asked for their question, a citizen
// who calls the request off ("ga jadi", "nanti aja") is told it is not
// handed over, and no ticket is opened with "ga jadi" for its question;
// their next message is searched as usual.
func TestTypedHumanRequestCalledOff(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newHumanChat(t, db)
		q := h.answered()
		for i, off := range []string{"ga jadi deh", "batal", "nanti aja min", "tidak usah"} {
			user := fmt.Sprint("off", i)
			if out := h.say(user, "mau bicara sama petugas"); !isPrompt(out) {
				t.Fatalf("request with no question: %q", out.Text)
			}
			if out := h.say(user, off); !strings.Contains(out.Text, "tidak kami teruskan") || len(h.tickets(user)) != 0 {
				t.Errorf("%q after the prompt: %q, tickets %+v; want the request called off", off, out.Text, h.tickets(user))
			}
			if out := h.say(user, q); len(out.Buttons) == 0 || len(h.tickets(user)) != 0 {
				t.Errorf("a question after %q: %q, tickets %+v; want the engine's answer", off, out.Text, h.tickets(user))
			}
		}
	})
}

// TestTypedHumanRequestWithAnOpenTicket: a citizen whose ticket is still
// open is told its number; no ticket is opened and nothing is added to
// theirs.
func TestTypedHumanRequestWithAnOpenTicket(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newHumanChat(t, db)
		out := h.say("o1", "zzq blorf wibble kapan bisa?")
		ts := h.tickets("o1")
		if len(ts) != 1 || !strings.Contains(out.Text, "tiket #") {
			t.Fatalf("hand-over: %q, tickets %+v", out.Text, ts)
		}
		before, err := h.inbox.Get(context.Background(), ts[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, req := range []string{"bisa chat dgn orang asli?", "mau bicara sama petugas"} {
			out := h.say("o1", req)
			if ticketNumber(t, out) != ts[0].ID || !strings.Contains(out.Text, "masih terbuka") {
				t.Errorf("%q with ticket #%d open: %q", req, ts[0].ID, out.Text)
			}
		}
		if got := h.tickets("o1"); len(got) != 1 {
			t.Errorf("tickets %+v; want the one", got)
		}
		after, err := h.inbox.Get(context.Background(), ts[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(after.Messages) != len(before.Messages) {
			t.Errorf("the ticket had %d messages, has %d", len(before.Messages), len(after.Messages))
		}
	})
}

package handlers_test

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/handlers"
	"github.com/tebingtinggi/hub/inbox"
	"github.com/tebingtinggi/hub/outbox"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

// acceptingSender accepts every message.
type acceptingSender struct{}

func (acceptingSender) Send(ctx context.Context, out bots.Outgoing) (string, error) { return "1", nil }

// runningDispatcher starts a dispatcher on db, so that a Router waking it
// claims its replies as it enqueues them and hands them over after the
// commit. It polls once an hour: only a Wake makes it claim.
func runningDispatcher(t *testing.T, db *storage.DB) *outbox.Dispatcher {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	d := &outbox.Dispatcher{DB: db, Senders: map[bots.Platform]bots.Sender{bots.Telegram: acceptingSender{}},
		PollInterval: time.Hour, Direct: 16, Backoff: func(int) time.Duration { return time.Minute }}
	var wg sync.WaitGroup
	wg.Go(func() { _ = d.Run(ctx) })
	t.Cleanup(func() { cancel(); wg.Wait() })
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
		if c := d.Reserve(1); c != nil {
			c.Release()
			return d
		}
		if time.Now().After(deadline) {
			t.Fatal("the dispatcher did not start")
		}
	}
}

// firstQuestion is a handler that answers like the question flow: it
// creates the conversation on first contact and logs the exchange, in the
// update's transaction. before, if set, runs first with the number of the
// call.
func firstQuestion(db *storage.DB, calls *atomic.Int32, before func(n int32)) handlers.Handler {
	store := inbox.New(db)
	return handlers.HandlerFunc(func(ctx context.Context, in *handlers.Update) ([]bots.Outgoing, error) {
		if n := calls.Add(1); before != nil {
			before(n)
		}
		conv, ticket, err := store.EnsureConversationTicket(ctx, in.Tx, in.Platform, in.ChatID, in.UserID, in.UserName)
		if err != nil {
			return nil, err
		}
		if err := store.LogExchange(ctx, in.Tx, conv, ticket, "", in.Text, "jawaban", "answer jawaban"); err != nil {
			return nil, err
		}
		return []bots.Outgoing{{Text: "jawaban"}}, nil
	})
}

// handledOnce checks that chat holds one conversation, one exchange and
// one reply.
func handledOnce(t *testing.T, db *storage.DB, chat string) {
	t.Helper()
	var convs, msgs, replies int
	q := func(dest *int, query string) {
		if err := db.GetContext(context.Background(), dest, db.Rebind(query), chat); err != nil {
			t.Fatal(err)
		}
	}
	q(&convs, `SELECT COUNT(*) FROM conversations WHERE chat_id = ?`)
	q(&msgs, `SELECT COUNT(*) FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE c.chat_id = ?`)
	q(&replies, `SELECT COUNT(*) FROM outbox WHERE chat_id = ?`)
	if convs != 1 || msgs != 2 || replies != 1 {
		t.Errorf("chat %s: %d conversations, %d messages, %d replies; want 1, 2, 1", chat, convs, msgs, replies)
	}
}

// Two replicas handle a citizen's first question at the same time (a
// redelivery while the first is still at work), with direct delivery: the
// second waits for the first (at the person's lock, taken before the
// update's record), and when the first commits it meets the primary key,
// counts the update as a duplicate, logs no failure, and nothing of its
// run remains.
func TestReplicasRaceOnAFirstQuestion(t *testing.T) {
	db := storagetest.Open(t, storage.Postgres)
	for i, handler := range []string{"echo", "first question"} {
		t.Run(handler, func(t *testing.T) {
			chat := strconv.Itoa(701 + i)
			in := text("first-"+chat, chat, "ktp saya hilang")
			reg := prometheus.NewRegistry()
			log, logs := testLogger()
			var calls atomic.Int32
			var r2 *handlers.Router
			second := make(chan error, 1)
			// The first run lets the other replica start on the same update
			// and waits until it is blocked behind the first.
			before := func(n int32) {
				if n != 1 {
					return
				}
				go func() { second <- r2.Deliver(context.Background(), in) }()
				waitForLockWait(t, db)
			}
			h := firstQuestion(db, &calls, before)
			if handler == "echo" {
				h = handlers.HandlerFunc(func(ctx context.Context, in *handlers.Update) ([]bots.Outgoing, error) {
					before(calls.Add(1))
					return echo(ctx, in)
				})
			}
			r1 := newRouter(t, handlers.Config{DB: db, Waker: runningDispatcher(t, db), Handler: h})
			r2 = newRouter(t, handlers.Config{DB: db, Registry: reg, Logger: log, Waker: runningDispatcher(t, db), Handler: firstQuestion(db, &calls, nil)})
			if err := r1.Deliver(context.Background(), in); err != nil {
				t.Fatal(err)
			}
			if err := <-second; err != nil {
				t.Fatal(err)
			}
			if n := calls.Load(); n != 1 {
				t.Fatalf("handler ran %d times, want once (the second replica stops at the record)", n)
			}
			var replies int
			if err := db.GetContext(context.Background(), &replies, db.Rebind(`SELECT COUNT(*) FROM outbox WHERE chat_id = ?`), chat); err != nil || replies != 1 {
				t.Errorf("%d replies (%v), want 1", replies, err)
			}
			if handler != "echo" {
				handledOnce(t, db, chat)
			}
			if got := counters(t, reg)["hub_updates_duplicate_total"]; got != 1 {
				t.Errorf("second replica counted %v duplicates, want 1", got)
			}
			if s := logs.String(); strings.Contains(s, "failed") {
				t.Errorf("the duplicate was logged as a failure:\n%s", s)
			}
		})
	}
}

// waitForLockWait returns once a session of db waits for a lock.
func waitForLockWait(t *testing.T, db *storage.DB) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		var n int
		if err := db.GetContext(context.Background(), &n, `SELECT COUNT(*) FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock'`); err != nil {
			t.Error(err)
			return
		}
		if n > 0 {
			return
		}
	}
	t.Error("the second replica never waited for the first")
}

// Many deliveries of one first question at once, on two replicas with
// direct delivery: one conversation, one exchange, one reply, and every
// delivery is acknowledged.
func TestReplicasShareFirstQuestions(t *testing.T) {
	db := storagetest.Open(t, storage.Postgres)
	var calls atomic.Int32
	h := firstQuestion(db, &calls, nil)
	r1 := newRouter(t, handlers.Config{DB: db, Handler: h, Waker: runningDispatcher(t, db)})
	r2 := newRouter(t, handlers.Config{DB: db, Handler: h, Waker: runningDispatcher(t, db)})
	for i := range 10 {
		chat := strconv.Itoa(800 + i)
		in := text("shared-"+chat, chat, "ktp saya hilang")
		var wg sync.WaitGroup
		for _, r := range []*handlers.Router{r1, r2, r1, r2} {
			wg.Go(func() {
				if err := r.Deliver(context.Background(), in); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		handledOnce(t, db, chat)
	}
}

// Two processors of one update, one without direct delivery and one with
// it, take their locks in the same order, the person's and the update's
// record first: the second waits for the first and then finds the update
// recorded, instead of deadlocking with it. A trigger that pauses after the record is
// written stands for the round trips between the first processor's
// statements.
func TestReplicasWithDifferentDeliveriesDoNotDeadlock(t *testing.T) {
	db := storagetest.Open(t, storage.Postgres)
	if _, err := db.ExecContext(context.Background(), `CREATE FUNCTION pause_after_record() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN PERFORM pg_sleep(0.5); RETURN NEW; END $$;
		CREATE TRIGGER pause_after_record AFTER INSERT ON processed_updates FOR EACH ROW EXECUTE FUNCTION pause_after_record()`); err != nil {
		t.Fatal(err)
	}
	var calls atomic.Int32
	log, logs := testLogger()
	r1 := newRouter(t, handlers.Config{DB: db, Logger: log, Handler: firstQuestion(db, &calls, nil)})
	r2 := newRouter(t, handlers.Config{DB: db, Logger: log, Handler: firstQuestion(db, &calls, nil), Waker: runningDispatcher(t, db)})
	in := text("mixed", "901", "ktp saya hilang")
	var wg sync.WaitGroup
	for _, r := range []*handlers.Router{r1, r2} {
		wg.Go(func() {
			if err := r.Deliver(context.Background(), in); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	handledOnce(t, db, "901")
	if s := logs.String(); strings.Contains(s, "deadlock") || strings.Contains(s, "failed") {
		t.Errorf("a processor failed:\n%s", s)
	}
}

// One person's two messages arrive at the same moment at two replicas (a
// webhook's parallel deliveries, or Slack's connections): the second waits
// for the first, as it would within one process, and reads the
// conversation state the first left, so that a flow's next step (a
// /hapusdata confirmation, an awaited question) is read in its place. A
// handler counts the person's messages in their state; the first pauses
// until the second is waiting for it or has finished.
func TestReplicasTakeOnePersonsMessagesInTurn(t *testing.T) {
	db := storagetest.Open(t, storage.Postgres)
	second := make(chan error, 1)
	var r2 *handlers.Router
	var calls atomic.Int32
	count := handlers.HandlerFunc(func(ctx context.Context, in *handlers.Update) ([]bots.Outgoing, error) {
		if calls.Add(1) == 1 {
			go func() { second <- r2.Deliver(context.Background(), text("turn-2", "777", "ya, hapus")) }()
			waitForLockWaitOr(t, db, second)
		}
		n, _ := strconv.Atoi(in.Session.State.Data["n"])
		if in.Session.State.Data == nil {
			in.Session.State.Data = map[string]string{}
		}
		in.Session.State.Data["n"] = strconv.Itoa(n + 1)
		return []bots.Outgoing{{Text: "pesan ke-" + strconv.Itoa(n+1)}}, nil
	})
	r1 := newRouter(t, handlers.Config{DB: db, Handler: count})
	r2 = newRouter(t, handlers.Config{DB: db, Handler: count})
	if err := r1.Deliver(context.Background(), text("turn-1", "777", "/hapusdata")); err != nil {
		t.Fatal(err)
	}
	if err := <-second; err != nil {
		t.Fatal(err)
	}
	var state string
	if err := db.GetContext(context.Background(), &state, `SELECT state FROM chat_sessions WHERE chat_id = '777'`); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(state, `"n":"2"`) {
		t.Errorf("state after two messages on two replicas = %s; want both counted (n 2)", state)
	}
}

// waitForLockWaitOr waits until a session of db waits for a lock, or done
// has a value (which it puts back).
func waitForLockWaitOr(t *testing.T, db *storage.DB, done chan error) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		select {
		case err := <-done:
			done <- err
			return
		default:
		}
		var n int
		if err := db.GetContext(context.Background(), &n, `SELECT COUNT(*) FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock'`); err != nil {
			t.Error(err)
			return
		}
		if n > 0 {
			return
		}
	}
	t.Error("the second message neither waited nor finished")
}

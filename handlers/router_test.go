package handlers_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/handlers"
	"github.com/tebingtinggi/hub/internal/testlog"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

func TestMain(m *testing.M) { os.Exit(storagetest.Main(m)) }

// syncBuffer collects output written from several goroutines.
type syncBuffer = testlog.Buffer

func testLogger() (*slog.Logger, *syncBuffer) {
	buf := &syncBuffer{}
	return slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug})), buf
}

// echo replies with the text it got.
var echo = handlers.HandlerFunc(func(ctx context.Context, in *handlers.Update) ([]bots.Outgoing, error) {
	return []bots.Outgoing{{Text: "echo: " + in.Text}}, nil
})

func text(id, user, s string) bots.Incoming {
	return bots.Incoming{Platform: bots.Telegram, UpdateID: id, ChatID: user, ChatType: bots.Private, UserID: user,
		UserName: "Warga Rahasia", Kind: bots.Text, Text: s, Addressed: true, Time: time.Now()}
}

type outRow struct {
	Key  string `db:"idempotency_key"`
	Chat string `db:"chat_id"`
	Body string `db:"payload"`
}

func outboxRows(t *testing.T, db *storage.DB) []outRow {
	t.Helper()
	var rows []outRow
	if err := db.SelectContext(context.Background(), &rows, `SELECT idempotency_key, chat_id, payload FROM outbox ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	return rows
}

func newRouter(t *testing.T, cfg handlers.Config) *handlers.Router {
	t.Helper()
	r, err := handlers.NewRouter(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestMuxRoutes(t *testing.T) {
	m := handlers.NewMux()
	named := func(name string) handlers.Handler {
		return handlers.HandlerFunc(func(ctx context.Context, in *handlers.Update) ([]bots.Outgoing, error) {
			return []bots.Outgoing{{Text: name}}, nil
		})
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(m.Command("start", named("start")))
	must(m.Press("fb:", named("fb")))
	must(m.Press("fb:up:", named("fb-up"))) // after "fb:": never reached
	must(m.Press("c:", named("candidate")))
	m.Default(named("default"))
	if err := m.Command("/Start", named("again")); !errors.Is(err, handlers.ErrDuplicateRoute) {
		t.Errorf("duplicate command: err %v, want ErrDuplicateRoute", err)
	}
	if err := m.Press("c:", named("again")); !errors.Is(err, handlers.ErrDuplicateRoute) {
		t.Errorf("duplicate prefix: err %v, want ErrDuplicateRoute", err)
	}
	cases := []struct {
		in   bots.Incoming
		want string
	}{
		{bots.Incoming{Kind: bots.Text, Command: "start"}, "start"},
		{bots.Incoming{Kind: bots.Text, Command: "other"}, "default"},
		{bots.Incoming{Kind: bots.Text, Text: "halo"}, "default"},
		{bots.Incoming{Kind: bots.Press, Data: "fb:up:ktp"}, "fb"},
		{bots.Incoming{Kind: bots.Press, Data: "c:ktp"}, "candidate"},
		{bots.Incoming{Kind: bots.Press, Data: "zz"}, "default"},
		{bots.Incoming{Kind: bots.Unsupported, Media: "sticker"}, "default"},
	}
	for _, c := range cases {
		outs, err := m.Handle(context.Background(), &handlers.Update{Incoming: c.in})
		if err != nil || len(outs) != 1 || outs[0].Text != c.want {
			t.Errorf("%+v routed to %v (%v), want %q", c.in, outs, err, c.want)
		}
	}
}

func TestChainOrder(t *testing.T) {
	var order []string
	mw := func(name string) handlers.Middleware {
		return func(next handlers.Handler) handlers.Handler {
			return handlers.HandlerFunc(func(ctx context.Context, in *handlers.Update) ([]bots.Outgoing, error) {
				order = append(order, name)
				return next.Handle(ctx, in)
			})
		}
	}
	h := handlers.Chain(echo, mw("a"), mw("b"), mw("c"))
	if _, err := h.Handle(context.Background(), &handlers.Update{}); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(order, ","); got != "a,b,c" {
		t.Fatalf("middleware ran %s, want a,b,c", got)
	}
}

func TestRouter(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()

		if _, err := db.ExecContext(context.Background(), `CREATE TABLE handler_writes (update_id TEXT NOT NULL, how TEXT NOT NULL)`); err != nil {
			t.Fatal(err)
		}
		// writing is a handler that writes one row in its update's
		// transaction and echoes.
		writing := func(calls *atomic.Int32, how string, before func(n int32)) handlers.Handler {
			return handlers.HandlerFunc(func(ctx context.Context, in *handlers.Update) ([]bots.Outgoing, error) {
				n := calls.Add(1)
				if before != nil {
					before(n)
				}
				if _, err := in.Tx.ExecContext(ctx, in.Tx.Rebind(`INSERT INTO handler_writes (update_id, how) VALUES (?, ?)`), in.UpdateID, how); err != nil {
					return nil, err
				}
				return echo(ctx, in)
			})
		}
		// once checks that update id left one reply in chat and one row
		// of the handler's.
		once := func(t *testing.T, id, chat string) {
			t.Helper()
			var n int
			if err := db.GetContext(context.Background(), &n, db.Rebind(`SELECT COUNT(*) FROM outbox WHERE chat_id = ?`), chat); err != nil || n != 1 {
				t.Errorf("%d replies enqueued (%v), want 1", n, err)
			}
			if err := db.GetContext(context.Background(), &n, db.Rebind(`SELECT COUNT(*) FROM handler_writes WHERE update_id = ?`), id); err != nil || n != 1 {
				t.Errorf("the handler's write is there %d times (%v), want 1", n, err)
			}
			var payload string
			if err := db.GetContext(context.Background(), &payload, db.Rebind(`SELECT payload FROM processed_updates WHERE update_id = ?`), id); err != nil || payload != "" {
				t.Errorf("finished update keeps payload %q (%v): personal data must be blanked", payload, err)
			}
		}

		for i, how := range []string{"in the transaction"} {
			t.Run("redelivered update is handled once, writing "+how, func(t *testing.T) {
				var calls atomic.Int32
				h := writing(&calls, how, nil)
				// Two replicas on one database, each receiving the update
				// twice, concurrently.
				r1 := newRouter(t, handlers.Config{DB: db, Handler: h})
				r2 := newRouter(t, handlers.Config{DB: db, Handler: h})
				id, chat := fmt.Sprintf("dup-%d", i), fmt.Sprint(501+i*10)
				in := text(id, chat, "apa kabar")
				var wg sync.WaitGroup
				for _, r := range []*handlers.Router{r1, r2, r1, r2} {
					wg.Go(func() {
						if err := r.Deliver(ctx, in); err != nil {
							t.Error(err)
						}
					})
				}
				wg.Wait()
				if n := calls.Load(); n < 1 {
					t.Fatalf("handler ran %d times", n)
				}
				once(t, id, chat)
				// Delivered once more, later: the update is not handled again.
				n := calls.Load()
				if err := r1.Deliver(ctx, in); err != nil {
					t.Fatal(err)
				}
				if calls.Load() != n {
					t.Fatal("a finished update was handled again")
				}
			})
		}

		if db.Dialect == storage.Postgres {
			// Two processors may handle one update at the same time (a
			// redelivery while the first is still at work); the second
			// waits at the update's record, meets its primary key when the
			// first commits, and counts a duplicate. SQLite serialises them
			// at BEGIN instead.
			t.Run("update recorded meanwhile by another replica", func(t *testing.T) {
				var calls atomic.Int32
				id, chat := "race-0", "601"
				in := text(id, chat, "apa kabar")
				reg := prometheus.NewRegistry()
				var r2 *handlers.Router
				second := make(chan error, 1)
				// The first run, before it writes, lets the other replica
				// start on the same update and waits until it is blocked.
				r1 := newRouter(t, handlers.Config{DB: db, Handler: writing(&calls, "first", func(n int32) {
					if n == 1 {
						go func() { second <- r2.Deliver(context.Background(), in) }()
						waitForLockWait(t, db)
					}
				})})
				r2 = newRouter(t, handlers.Config{DB: db, Registry: reg, Handler: writing(&calls, "second", nil)})
				if err := r1.Deliver(ctx, in); err != nil {
					t.Fatal(err)
				}
				if err := <-second; err != nil {
					t.Fatal(err)
				}
				if n := calls.Load(); n != 1 {
					t.Fatalf("handler ran %d times, want once", n)
				}
				once(t, id, chat)
				if got := counters(t, reg)["hub_updates_duplicate_total"]; got != 1 {
					t.Errorf("second replica counted %v duplicates, want 1", got)
				}
			})
		}

		t.Run("flood gets one notice", func(t *testing.T) {
			r := newRouter(t, handlers.Config{DB: db, Handler: echo})
			for i := range 50 {
				if err := r.Deliver(ctx, text(fmt.Sprintf("flood-%d", i), "502", fmt.Sprint("pesan ", i))); err != nil {
					t.Fatal(err)
				}
			}
			var echoes, notices int
			for _, row := range outboxRows(t, db) {
				if row.Chat != "502" {
					continue
				}
				switch {
				case strings.Contains(row.Body, "echo: "):
					echoes++
				case strings.Contains(row.Body, "terlalu banyak pesan"):
					notices++
				default:
					t.Errorf("unexpected reply %s", row.Body)
				}
			}
			if echoes != handlers.DefaultRateLimit || notices != 1 {
				t.Fatalf("%d answers and %d notices for 50 messages in a minute, want %d and 1", echoes, notices, handlers.DefaultRateLimit)
			}
		})

		t.Run("group chatter neither counts nor gets a notice", func(t *testing.T) {
			r := newRouter(t, handlers.Config{DB: db, Handler: echo, RateLimit: 2})
			group := func(id string, addressed bool) bots.Incoming {
				in := text(id, "601", "obrolan grup")
				in.ChatID, in.ChatType, in.Addressed = "-600", bots.Group, addressed
				return in
			}
			for i := range 5 {
				if err := r.Deliver(ctx, group(fmt.Sprint("chatter-", i), false)); err != nil {
					t.Fatal(err)
				}
			}
			// Five unaddressed messages used none of the quota of two.
			if err := r.Deliver(ctx, text("chatter-private", "601", "pertanyaan pribadi")); err != nil {
				t.Fatal(err)
			}
			for i := range 3 {
				if err := r.Deliver(ctx, group(fmt.Sprint("chatter-addressed-", i), true)); err != nil {
					t.Fatal(err)
				}
			}
			var private, groupNotices int
			for _, row := range outboxRows(t, db) {
				switch {
				case row.Chat == "601" && strings.Contains(row.Body, "echo: pertanyaan pribadi"):
					private++
				case row.Chat == "-600" && strings.Contains(row.Body, "terlalu banyak"):
					groupNotices++
				}
			}
			if private != 1 {
				t.Errorf("the private question got %d answers after group chatter, want 1", private)
			}
			if groupNotices != 0 {
				t.Errorf("%d slow-down notices posted into the group, want none", groupNotices)
			}
		})

		t.Run("rate limit lifts after the window", func(t *testing.T) {
			now := time.Now()
			var mu sync.Mutex
			clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
			r := newRouter(t, handlers.Config{DB: db, Handler: echo, RateLimit: 2, Now: clock})
			for i := range 4 {
				if err := r.Deliver(ctx, text(fmt.Sprintf("win-%d", i), "503", "x")); err != nil {
					t.Fatal(err)
				}
			}
			mu.Lock()
			now = now.Add(2 * time.Minute)
			mu.Unlock()
			if err := r.Deliver(ctx, text("win-late", "503", "lagi")); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, row := range outboxRows(t, db) {
				if row.Chat == "503" {
					switch {
					case strings.Contains(row.Body, "terlalu banyak"):
						got = append(got, "notice")
					default:
						got = append(got, "answer")
					}
				}
			}
			if strings.Join(got, ",") != "answer,answer,notice,answer" {
				t.Fatalf("replies %v, want answer,answer,notice,answer", got)
			}
		})

		t.Run("panic becomes a log and a polite reply", func(t *testing.T) {
			log, buf := testLogger()
			boom := handlers.HandlerFunc(func(ctx context.Context, in *handlers.Update) ([]bots.Outgoing, error) {
				panic("kaboom: " + in.Text) // the text must not reach the log
			})
			r := newRouter(t, handlers.Config{DB: db, Handler: boom, Logger: log})
			if err := r.Deliver(ctx, text("panic-1", "504", "rahasia pribadi")); err != nil {
				t.Fatal(err)
			}
			rows := outboxRows(t, db)
			last := rows[len(rows)-1]
			if last.Chat != "504" || !strings.Contains(last.Body, "gangguan") {
				t.Fatalf("last reply %+v, want the apology to chat 504", last)
			}
			logs := buf.String()
			if !strings.Contains(logs, "level=ERROR") || !strings.Contains(logs, "update_id=panic-1") || !strings.Contains(logs, "router_test.go") {
				t.Fatalf("panic not logged as an error:\n%s", logs)
			}
			if strings.Contains(logs, "rahasia pribadi") || strings.Contains(logs, "Warga Rahasia") {
				t.Fatalf("logs contain personal data:\n%s", logs)
			}
		})

		t.Run("failed processing is recovered", func(t *testing.T) {
			now := time.Now()
			var mu sync.Mutex
			clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
			var fail atomic.Bool
			fail.Store(true)
			flaky := handlers.HandlerFunc(func(ctx context.Context, in *handlers.Update) ([]bots.Outgoing, error) {
				if fail.Load() {
					return nil, errors.New("database hiccup")
				}
				return echo(ctx, in)
			})
			log, _ := testLogger()
			r := newRouter(t, handlers.Config{DB: db, Handler: flaky, Now: clock, Logger: log})
			if err := r.Deliver(ctx, text("rec-1", "505", "tolong")); err != nil {
				t.Fatalf("Deliver must succeed once the update is recorded: %v", err)
			}
			if n, err := r.Recover(ctx); err != nil || n != 0 {
				t.Fatalf("recovered %d (%v) before the lease ran out", n, err)
			}
			fail.Store(false)
			mu.Lock()
			now = now.Add(handlers.DefaultLease + time.Second)
			mu.Unlock()
			if n, err := r.Recover(ctx); err != nil || n != 1 {
				t.Fatalf("recovered %d (%v), want 1", n, err)
			}
			if n, err := r.Recover(ctx); err != nil || n != 0 {
				t.Fatalf("recovered %d (%v) again, want 0", n, err)
			}
			var n int
			if err := db.GetContext(context.Background(), &n, `SELECT COUNT(*) FROM outbox WHERE chat_id = '505'`); err != nil || n != 1 {
				t.Fatalf("%d replies (%v), want 1", n, err)
			}
		})

		t.Run("a failed or panicking attempt leaves nothing behind", func(t *testing.T) {
			// The handler writes in the update's transaction, as the
			// stores do, and then fails: the write is rolled back with the
			// attempt, so a retry starts afresh.
			var mode atomic.Int32 // 0 fail, 1 panic, 2 succeed
			writer := handlers.HandlerFunc(func(ctx context.Context, in *handlers.Update) ([]bots.Outgoing, error) {
				if _, err := in.Tx.ExecContext(ctx, in.Tx.Rebind(`INSERT INTO rate_notices (platform, user_id, noticed_at) VALUES ('probe', ?, ?)`),
					in.UpdateID, time.Now().UTC()); err != nil {
					return nil, err
				}
				switch mode.Load() {
				case 0:
					return nil, errors.New("database hiccup")
				case 1:
					panic("kaboom")
				}
				return echo(ctx, in)
			})
			log, _ := testLogger()
			r := newRouter(t, handlers.Config{DB: db, Handler: writer, Logger: log})
			probes := func(id string) int {
				var n int
				if err := db.GetContext(context.Background(), &n, db.Rebind(`SELECT COUNT(*) FROM rate_notices WHERE platform = 'probe' AND user_id = ?`), id); err != nil {
					t.Fatal(err)
				}
				return n
			}
			status := func(id string) string {
				var s string
				if err := db.GetContext(context.Background(), &s, db.Rebind(`SELECT status FROM processed_updates WHERE update_id = ?`), id); err != nil {
					t.Fatal(err)
				}
				return s
			}
			if err := r.Deliver(ctx, text("undo-1", "508", "x")); err != nil {
				t.Fatal(err)
			}
			if probes("undo-1") != 0 || status("undo-1") != "pending" {
				t.Fatalf("failed attempt: %d writes kept, status %s; want 0 and pending", probes("undo-1"), status("undo-1"))
			}
			mode.Store(1)
			if err := r.Deliver(ctx, text("undo-2", "509", "x")); err != nil {
				t.Fatal(err)
			}
			if probes("undo-2") != 0 || status("undo-2") != "done" {
				t.Fatalf("panicked attempt: %d writes kept, status %s; want 0 and done", probes("undo-2"), status("undo-2"))
			}
			mode.Store(2)
			if err := r.Deliver(ctx, text("undo-3", "510", "x")); err != nil {
				t.Fatal(err)
			}
			if probes("undo-3") != 1 || status("undo-3") != "done" {
				t.Fatalf("handled update: %d writes kept, status %s; want 1 and done", probes("undo-3"), status("undo-3"))
			}
		})

		t.Run("long replies are split with buttons on the last part", func(t *testing.T) {
			long := strings.Repeat("Paragraf panjang tentang layanan. ", 100) + "\n\n" + strings.Repeat("Kedua. ", 300)
			h := handlers.HandlerFunc(func(ctx context.Context, in *handlers.Update) ([]bots.Outgoing, error) {
				return []bots.Outgoing{{Text: long, Buttons: [][]bots.Button{{{Text: "ok", Data: "x"}}}}}, nil
			})
			r := newRouter(t, handlers.Config{DB: db, Handler: h})
			if err := r.Deliver(ctx, text("long-1", "506", "?")); err != nil {
				t.Fatal(err)
			}
			var parts []outRow
			for _, row := range outboxRows(t, db) {
				if row.Chat == "506" {
					parts = append(parts, row)
				}
			}
			if len(parts) != 2 {
				t.Fatalf("%d parts, want 2", len(parts))
			}
			if parts[0].Key != "reply:telegram:long-1:0" || parts[1].Key != "reply:telegram:long-1:1" {
				t.Fatalf("keys %q, %q", parts[0].Key, parts[1].Key)
			}
			var first, second bots.Outgoing
			if err := json.Unmarshal([]byte(parts[0].Body), &first); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal([]byte(parts[1].Body), &second); err != nil {
				t.Fatal(err)
			}
			if len(first.Buttons) != 0 || len(second.Buttons) != 1 || len([]rune(first.Text)) > handlers.MaxPartLen {
				t.Fatalf("buttons must be on the last part only, parts within %d: %d/%d buttons, %d chars",
					handlers.MaxPartLen, len(first.Buttons), len(second.Buttons), len([]rune(first.Text)))
			}
		})

		t.Run("metrics", func(t *testing.T) {
			reg := prometheus.NewRegistry()
			r := newRouter(t, handlers.Config{DB: db, Handler: echo, Registry: reg})
			_ = r.Deliver(ctx, text("m-1", "507", "a"))
			_ = r.Deliver(ctx, text("m-1", "507", "a"))
			if seen := counters(t, reg); seen["hub_updates_total"] != 1 || seen["hub_updates_duplicate_total"] != 1 || seen["hub_handler_duration_seconds"] != 1 {
				t.Fatalf("metrics %v", seen)
			}
		})
	})
}

// counters sums each counter of reg over its labels, and counts each
// histogram's samples, by name.
func counters(t *testing.T, reg *prometheus.Registry) map[string]float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			if c := m.GetCounter(); c != nil {
				seen[mf.GetName()] += c.GetValue()
			}
			if h := m.GetHistogram(); h != nil {
				seen[mf.GetName()] += float64(h.GetSampleCount())
			}
		}
	}
	return seen
}

func TestSplitText(t *testing.T) {
	cases := []struct {
		in   string
		max  int
		want []string
	}{
		{"pendek", 10, []string{"pendek"}},
		{"satu dua\n\ntiga empat", 12, []string{"satu dua", "tiga empat"}},
		{"satu dua tiga empat", 10, []string{"satu dua", "tiga empat"}},
		{"abcdefghij", 4, []string{"abcd", "efgh", "ij"}},
		{"ééééé ééééé", 6, []string{"ééééé", "ééééé"}},
	}
	for _, c := range cases {
		got := handlers.SplitText(c.in, c.max)
		if strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("SplitText(%q, %d) = %q, want %q", c.in, c.max, got, c.want)
		}
	}
}

// TestOnePersonsUpdatesOneAtATime pins the Router's per-person locks: while
// one update of a person is being handled, the next one of the same person
// waits (its conversation state is read after the first one's is saved),
// and another person's update does not. On PostgreSQL, where the updates
// run on connections of their own; SQLite's one connection serialises
// every update anyway.
func TestOnePersonsUpdatesOneAtATime(t *testing.T) {
	db := storagetest.Open(t, storage.Postgres)
	ctx := context.Background()
	entered := map[string]chan struct{}{"A": make(chan struct{}), "B": make(chan struct{}), "C": make(chan struct{})}
	left := make(chan struct{})
	var bDuringA, cWaited atomic.Bool
	h := handlers.HandlerFunc(func(ctx context.Context, in *handlers.Update) ([]bots.Outgoing, error) {
		close(entered[in.UpdateID])
		if in.UpdateID != "A" {
			return nil, nil
		}
		defer close(left)
		// Another person is served meanwhile…
		select {
		case <-entered["C"]:
		case <-time.After(10 * time.Second):
			cWaited.Store(true)
		}
		// …but not the same person, however long this one takes.
		select {
		case <-entered["B"]:
			bDuringA.Store(true)
		case <-time.After(300 * time.Millisecond):
		}
		return nil, nil
	})
	r := newRouter(t, handlers.Config{DB: db, Handler: h})
	var wg sync.WaitGroup
	errs := make(chan error, 3)
	deliver := func(in bots.Incoming) { wg.Go(func() { errs <- r.Deliver(ctx, in) }) }
	deliver(text("A", "901", "pertama"))
	<-entered["A"]
	deliver(text("B", "901", "kedua"))
	deliver(text("C", "902", "orang lain"))
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if cWaited.Load() {
		t.Error("another person's update waited for the first one")
	}
	if bDuringA.Load() {
		t.Fatal("two updates of one person were handled at once")
	}
	select {
	case <-left:
	default:
		t.Fatal("the first update did not finish")
	}
	select {
	case <-entered["B"]:
	default:
		t.Fatal("the second update was not handled")
	}
}

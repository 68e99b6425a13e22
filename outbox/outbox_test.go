package outbox_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/internal/testlog"
	"github.com/tebingtinggi/hub/outbox"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

func TestMain(m *testing.M) { os.Exit(storagetest.Main(m)) }

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

// newClock starts at the present, at the microsecond precision the
// database keeps.
func newClock() *clock { return &clock{t: time.Now().Truncate(time.Microsecond)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// fakeSender stands in for a remote platform. It records what it was asked
// to send and answers with script (success when nil).
type fakeSender struct {
	mu     sync.Mutex
	sent   []bots.Outgoing
	calls  int
	script func(call int, out bots.Outgoing) error
	notify chan bots.Outgoing
}

func (f *fakeSender) Send(_ context.Context, out bots.Outgoing) (string, error) {
	f.mu.Lock()
	f.calls++
	call := f.calls
	var err error
	if f.script != nil {
		err = f.script(call, out)
	}
	if err == nil {
		f.sent = append(f.sent, out)
	}
	f.mu.Unlock()
	if err != nil {
		return "", err
	}
	if f.notify != nil {
		f.notify <- out
	}
	return fmt.Sprintf("m%d", call), nil
}

func (f *fakeSender) Sent() []bots.Outgoing {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]bots.Outgoing(nil), f.sent...)
}

func (f *fakeSender) Calls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls
}

// syncBuffer collects output written from several goroutines.
type syncBuffer = testlog.Buffer

func msg(key, chat, text string) outbox.Message {
	return outbox.Message{Key: key, Out: bots.Outgoing{Platform: bots.Telegram, ChatID: chat, Text: text}}
}

func newDispatcher(db *storage.DB, clk *clock, s bots.Sender) (*outbox.Dispatcher, *syncBuffer) {
	logs := &syncBuffer{}
	return &outbox.Dispatcher{
		DB:      db,
		Senders: map[bots.Platform]bots.Sender{bots.Telegram: s},
		Now:     clk.Now,
		Backoff: func(int) time.Duration { return time.Minute },
		Logger:  slog.New(slog.NewTextHandler(logs, nil)),
	}, logs
}

// drain runs DispatchOnce until nothing is due.
func drain(t *testing.T, d *outbox.Dispatcher) int {
	t.Helper()
	total := 0
	for range 1000 {
		n, err := d.DispatchOnce(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return total
		}
		total += n
	}
	t.Fatal("drain: outbox never ran dry")
	return 0
}

func get(t *testing.T, db *storage.DB, key string) outbox.Record {
	t.Helper()
	r, err := outbox.New(db).Get(context.Background(), key)
	if err != nil {
		t.Fatalf("get %s: %v", key, err)
	}
	return r
}

func TestEnqueueIsIdempotent(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		n, err := outbox.Enqueue(ctx, db, msg("k1", "c1", "a"), msg("k2", "c1", "b"), msg("k1", "c1", "again"))
		if err != nil || n != 2 {
			t.Fatalf("Enqueue = %d, %v; want 2, nil", n, err)
		}
		n, err = outbox.Enqueue(ctx, db, msg("k1", "c1", "a"), msg("k2", "c1", "b"), msg("k3", "c1", "c"))
		if err != nil || n != 1 {
			t.Fatalf("second Enqueue = %d, %v; want 1, nil", n, err)
		}
		if r := get(t, db, "k1"); r.Out.Text != "a" || r.Status != outbox.Pending || r.ChatID != "c1" {
			t.Fatalf("k1 = %+v; the first enqueue must win", r)
		}

		// Inside a caller's transaction: rolled back with it, or committed.
		err = db.InTx(ctx, func(tx *sqlx.Tx) error {
			if _, err := outbox.Enqueue(ctx, tx, msg("tx1", "c2", "x")); err != nil {
				return err
			}
			return errors.New("handler failed")
		})
		if err == nil {
			t.Fatal("InTx: want the handler's error")
		}
		if _, err := outbox.New(db).Get(ctx, "tx1"); !errors.Is(err, outbox.ErrNotFound) {
			t.Fatalf("rolled-back enqueue: Get = %v, want ErrNotFound", err)
		}
		err = db.InTx(ctx, func(tx *sqlx.Tx) error {
			n, err := outbox.Enqueue(ctx, tx, msg("tx1", "c2", "x"), msg("tx2", "c2", "y"))
			if n != 2 {
				t.Errorf("enqueue in tx = %d, want 2", n)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		stats, err := outbox.New(db).Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if stats["pending"] != 5 || stats["sent"] != 0 || len(stats) != len(outbox.Statuses) {
			t.Fatalf("Stats = %v, want 5 pending and every status present", stats)
		}

		for _, bad := range []outbox.Message{
			{Key: "", Out: bots.Outgoing{Platform: bots.Telegram, ChatID: "1"}},
			{Key: "k", Out: bots.Outgoing{ChatID: "1"}},
			{Key: "k", Out: bots.Outgoing{Platform: bots.Telegram}},
		} {
			if _, err := outbox.Enqueue(ctx, db, bad); err == nil {
				t.Errorf("Enqueue(%+v): want error", bad)
			}
		}
	})
}

func TestDispatchDeliversInPerChatOrder(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		clk := newClock()
		// A reminder scheduled for later must not hold back the chat's
		// replies, although it was enqueued first.
		later := msg("reminder", "A", "reminder")
		later.NotBefore = clk.Now().Add(time.Hour)
		if _, err := outbox.Enqueue(ctx, db, later,
			msg("a1", "A", "a1"), msg("b1", "B", "b1"), msg("a2", "A", "a2"),
			msg("a3", "A", "a3"), msg("b2", "B", "b2")); err != nil {
			t.Fatal(err)
		}
		clk.Advance(time.Millisecond)
		s := &fakeSender{}
		d, _ := newDispatcher(db, clk, s)

		// One claim takes at most one message per chat.
		n, err := d.DispatchOnce(ctx)
		if err != nil || n != 2 {
			t.Fatalf("first DispatchOnce = %d, %v; want 2 (a1 and b1)", n, err)
		}
		if got := drain(t, d); got != 3 {
			t.Fatalf("drained %d more, want 3", got)
		}
		perChat := map[string][]string{}
		for _, o := range s.Sent() {
			perChat[o.ChatID] = append(perChat[o.ChatID], o.Text)
		}
		if got := strings.Join(perChat["A"], ","); got != "a1,a2,a3" {
			t.Errorf("chat A got %s, want a1,a2,a3", got)
		}
		if got := strings.Join(perChat["B"], ","); got != "b1,b2" {
			t.Errorf("chat B got %s, want b1,b2", got)
		}
		r := get(t, db, "a2")
		if r.Status != outbox.Sent || r.MessageID == "" || r.SentAt == nil || r.Attempts != 1 || r.LeaseUntil != nil {
			t.Errorf("a2 after sending = %+v", r)
		}
		if r := get(t, db, "reminder"); r.Status != outbox.Pending {
			t.Errorf("reminder = %s, want still pending", r.Status)
		}
		clk.Advance(time.Hour)
		if got := drain(t, d); got != 1 || get(t, db, "reminder").Status != outbox.Sent {
			t.Errorf("reminder not sent at its time")
		}
	})
}

func TestRetryAfterIsHonoured(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		if _, err := outbox.Enqueue(ctx, db, msg("m1", "A", "one"), msg("m2", "A", "two")); err != nil {
			t.Fatal(err)
		}
		clk := newClock()
		s := &fakeSender{script: func(call int, _ bots.Outgoing) error {
			if call == 1 {
				return &bots.SendError{RetryAfter: 30 * time.Second, Err: errors.New("Too Many Requests")}
			}
			return nil
		}}
		d, _ := newDispatcher(db, clk, s)
		start := clk.Now()
		if n := drain(t, d); n != 1 {
			t.Fatalf("claimed %d, want 1", n)
		}
		r := get(t, db, "m1")
		if r.Status != outbox.Pending || r.Attempts != 0 || r.NextAttemptAt.Before(start.Add(30*time.Second)) {
			t.Fatalf("after 429: %+v; want pending, attempts not counted, next attempt ≥ +30s", r)
		}
		if !strings.Contains(r.LastError, "Too Many Requests") {
			t.Errorf("last_error = %q", r.LastError)
		}
		clk.Advance(29 * time.Second)
		if n := drain(t, d); n != 0 {
			t.Fatalf("claimed %d before retry_after passed (m2 must wait behind m1 too)", n)
		}
		clk.Advance(time.Second)
		if n := drain(t, d); n != 2 {
			t.Fatalf("claimed %d after retry_after, want 2", n)
		}
		if got := s.Sent(); len(got) != 2 || got[0].Text != "one" || got[1].Text != "two" {
			t.Fatalf("sent %+v", got)
		}
	})
}

func TestTemporaryFailuresAreRetried(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		if _, err := outbox.Enqueue(ctx, db, msg("m1", "A", "one")); err != nil {
			t.Fatal(err)
		}
		clk := newClock()
		s := &fakeSender{script: func(call int, _ bots.Outgoing) error {
			switch call {
			case 1:
				return &bots.SendError{Temporary: true, Err: errors.New("502 Bad Gateway")}
			case 2:
				return errors.New("connection reset") // unknown errors are temporary
			}
			return nil
		}}
		d, _ := newDispatcher(db, clk, s)
		for i := range 2 {
			drain(t, d)
			r := get(t, db, "m1")
			if r.Status != outbox.Pending || r.Attempts != i+1 {
				t.Fatalf("after failure %d: %+v", i+1, r)
			}
			if n := drain(t, d); n != 0 {
				t.Fatal("retried before the backoff passed")
			}
			clk.Advance(time.Minute)
		}
		drain(t, d)
		if r := get(t, db, "m1"); r.Status != outbox.Sent || r.Attempts != 3 {
			t.Fatalf("after success: %+v", r)
		}
	})
}

func TestGivesUpVisibly(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		secret := "Nomor KTP saya 1234567890"
		// Keys name people (a reminder's key holds the ASN's NIP, which
		// encodes birth date and gender) and chat ids are personal too:
		// neither may reach a log.
		const nip, chat = "199203152019032002", "987654321"
		temp := "reminder:" + nip + ":3:7d"
		if _, err := outbox.Enqueue(ctx, db, msg(temp, chat, secret), msg("perm", "B", secret),
			outbox.Message{Key: "slack", Out: bots.Outgoing{Platform: bots.Slack, ChatID: "C", Text: secret}}); err != nil {
			t.Fatal(err)
		}
		clk := newClock()
		s := &fakeSender{script: func(_ int, out bots.Outgoing) error {
			if out.ChatID == "B" {
				return &bots.SendError{Err: errors.New("Forbidden: bot was blocked by the user")}
			}
			return &bots.SendError{Temporary: true, Err: errors.New("503")}
		}}
		d, logs := newDispatcher(db, clk, s)
		d.MaxAttempts = 3
		for range 5 {
			drain(t, d)
			clk.Advance(time.Minute)
		}
		if r := get(t, db, temp); r.Status != outbox.Failed || r.Attempts != 3 || !strings.Contains(r.LastError, "503") {
			t.Errorf("temp = %+v; want failed after 3 attempts", r)
		}
		if r := get(t, db, "perm"); r.Status != outbox.Failed || r.Attempts != 1 || !strings.Contains(r.LastError, "blocked") {
			t.Errorf("perm = %+v; want failed at once", r)
		}
		if r := get(t, db, "slack"); r.Status != outbox.Failed || !strings.Contains(r.LastError, "no sender") {
			t.Errorf("slack = %+v; want failed for want of a sender", r)
		}
		if s.Calls() != 4 {
			t.Errorf("sender called %d times, want 4", s.Calls())
		}
		out := logs.String()
		if strings.Count(out, "level=WARN") != 3 {
			t.Errorf("want 3 WARN give-ups, logs:\n%s", out)
		}
		if strings.Contains(out, "1234567890") {
			t.Errorf("logs contain message text:\n%s", out)
		}
		if strings.Contains(out, nip) || strings.Contains(out, chat) {
			t.Errorf("logs contain a NIP or a chat id:\n%s", out)
		}
		if !strings.Contains(out, "outbox_id=") {
			t.Errorf("logs do not name the outbox row:\n%s", out)
		}
		failed, err := outbox.New(db).List(ctx, outbox.Failed, 10)
		if err != nil || len(failed) != 3 {
			t.Fatalf("List(failed) = %d, %v; want 3", len(failed), err)
		}
	})
}

func TestExpiredMessagesAreSkipped(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		clk := newClock()
		m := msg("reminder:p1:s1:h-1:1", "A", "Besok pelatihan")
		m.ExpiresAt = clk.Now().Add(time.Minute)
		// Even a row waiting for a retry is skipped once expired.
		m2 := msg("reminder:p2:s1:h-1:1", "B", "Besok pelatihan")
		m2.NotBefore = clk.Now().Add(time.Hour)
		m2.ExpiresAt = clk.Now().Add(time.Minute)
		if _, err := outbox.Enqueue(ctx, db, m, m2); err != nil {
			t.Fatal(err)
		}
		s := &fakeSender{}
		d, _ := newDispatcher(db, clk, s)
		clk.Advance(2 * time.Minute)
		drain(t, d)
		for _, k := range []string{m.Key, m2.Key} {
			if r := get(t, db, k); r.Status != outbox.Skipped {
				t.Errorf("%s = %s, want skipped", k, r.Status)
			}
		}
		if s.Calls() != 0 {
			t.Errorf("expired message was sent")
		}
	})
}

func TestCrashedClaimIsReclaimed(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		if _, err := outbox.Enqueue(ctx, db, msg("dead", "A", "x"), msg("alive", "B", "y"), msg("after", "A", "z")); err != nil {
			t.Fatal(err)
		}
		clk := newClock()
		now := clk.Now().UTC()
		// A dispatcher died while sending "dead"; another one is busy with
		// "alive" and its lease still runs.
		for _, c := range []struct {
			key   string
			lease time.Time
		}{{"dead", now.Add(-time.Second)}, {"alive", now.Add(time.Minute)}} {
			if _, err := db.ExecContext(ctx, db.Rebind(`UPDATE outbox SET status = 'sending', lease_until = ?, claim_token = 'gone', attempts = 1 WHERE idempotency_key = ?`), c.lease, c.key); err != nil {
				t.Fatal(err)
			}
		}
		s := &fakeSender{}
		d, _ := newDispatcher(db, clk, s)
		if n := drain(t, d); n != 2 {
			t.Fatalf("claimed %d, want dead and then after", n)
		}
		if r := get(t, db, "dead"); r.Status != outbox.Sent || r.Attempts != 2 {
			t.Errorf("dead = %+v; want reclaimed and sent", r)
		}
		if r := get(t, db, "alive"); r.Status != outbox.Sending {
			t.Errorf("alive = %s; a live lease must be respected", r.Status)
		}
		if got := s.Sent(); len(got) != 2 || got[0].Text != "x" || got[1].Text != "z" {
			t.Errorf("sent %+v", got)
		}
		// A message whose lease keeps running out is given up.
		if _, err := db.ExecContext(ctx, db.Rebind(`UPDATE outbox SET lease_until = ?, attempts = 8 WHERE idempotency_key = 'alive'`), now.Add(-time.Second)); err != nil {
			t.Fatal(err)
		}
		drain(t, d)
		if r := get(t, db, "alive"); r.Status != outbox.Failed || !strings.Contains(r.LastError, "lease expired") {
			t.Errorf("alive = %+v; want failed after 8 lost leases", r)
		}
	})
}

func TestRunSendsPromptlyAfterWake(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		s := &fakeSender{notify: make(chan bots.Outgoing, 10)}
		reg := prometheus.NewRegistry()
		d := &outbox.Dispatcher{
			DB: db, Senders: map[bots.Platform]bots.Sender{bots.Telegram: s},
			PollInterval: time.Hour, // only Wake can make it look
			Logger:       slog.New(slog.NewTextHandler(&syncBuffer{}, nil)),
		}
		if err := d.RegisterMetrics(reg); err != nil {
			t.Fatal(err)
		}
		done := make(chan error)
		go func() { done <- d.Run(ctx) }()
		if _, err := outbox.Enqueue(ctx, db, msg("r1", "A", "halo"), msg("r2", "A", "apa kabar")); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		d.Wake()
		for _, want := range []string{"halo", "apa kabar"} {
			select {
			case got := <-s.notify:
				if got.Text != want {
					t.Fatalf("sent %q, want %q", got.Text, want)
				}
			case <-time.After(waitFor):
				t.Fatal("nothing sent after Wake")
			}
		}
		t.Logf("two-part reply delivered %s after Wake", time.Since(start))
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if got := counterValue(t, reg, "outbox_sent_total"); got != 2 {
			t.Errorf("outbox_sent_total = %v, want 2", got)
		}
		// A message for tomorrow waits: the gauges read it at the scrape.
		later := msg("r3", "B", "besok")
		later.NotBefore = time.Now().Add(24 * time.Hour)
		if _, err := outbox.Enqueue(context.Background(), db, later); err != nil {
			t.Fatal(err)
		}
		mfs, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		pending, byStatus := -1.0, map[string]float64{}
		for _, mf := range mfs {
			switch mf.GetName() {
			case "outbox_pending":
				pending = mf.GetMetric()[0].GetGauge().GetValue()
			case "outbox_messages":
				for _, m := range mf.GetMetric() {
					byStatus[m.GetLabel()[0].GetValue()] = m.GetGauge().GetValue()
				}
			}
		}
		if pending != 1 {
			t.Errorf("outbox_pending = %v, want 1", pending)
		}
		// Delivered rows are outbox_sent_total's; the gauge does not scan for them.
		want := map[string]float64{"pending": 1, "sending": 0, "failed": 0, "skipped": 0}
		if !maps.Equal(byStatus, want) {
			t.Errorf("outbox_messages = %v, want %v", byStatus, want)
		}
	})
}

// counterValue returns the counter name{platform="telegram"} from reg.
func counterValue(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			if m.GetLabel()[0].GetValue() == "telegram" {
				return m.GetCounter().GetValue()
			}
		}
	}
	t.Fatalf("%s{platform=telegram} not exported", name)
	return 0
}

// TestTwoDispatchersDeliverEachMessageOnce runs two dispatchers, each with
// its own connection pool as if in two processes, on one database.
func TestTwoDispatchersDeliverEachMessageOnce(t *testing.T) {
	for _, dialect := range storagetest.Backends {
		t.Run(string(dialect), func(t *testing.T) {
			ctx := context.Background()
			url := storagetest.URL(t, dialect)
			var dbs []*storage.DB
			for range 2 {
				db, err := storage.Open(ctx, url)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
				dbs = append(dbs, db)
			}
			if _, err := dbs[0].Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			total, chats := 2000, 40
			if dialect == storage.SQLite && raceEnabled {
				total = 300 // the race detector slows the pure-Go SQLite a hundredfold
			}
			msgs := make([]outbox.Message, total)
			for i := range msgs {
				chat := fmt.Sprint(i % chats)
				msgs[i] = msg(fmt.Sprintf("k%d", i), chat, fmt.Sprintf("%d", i))
			}
			if n, err := outbox.Enqueue(ctx, dbs[0], msgs...); err != nil || n != total {
				t.Fatalf("Enqueue = %d, %v", n, err)
			}
			s := &fakeSender{notify: make(chan bots.Outgoing, total)}
			runCtx, cancel := context.WithCancel(ctx)
			var wg sync.WaitGroup
			for _, db := range dbs {
				d := &outbox.Dispatcher{DB: db, Senders: map[bots.Platform]bots.Sender{bots.Telegram: s},
					Workers: 4, Logger: slog.New(slog.NewTextHandler(&syncBuffer{}, nil))}
				wg.Go(func() {
					if err := d.Run(runCtx); err != nil {
						t.Error(err)
					}
				})
				d.Wake()
			}
			for i := range total {
				select {
				case <-s.notify:
				case <-time.After(120 * time.Second):
					cancel()
					wg.Wait()
					t.Fatalf("only %d of %d delivered", i, total)
				}
			}
			cancel()
			wg.Wait()

			perKey := map[string]int{}
			last := map[string]int{}
			for _, o := range s.Sent() {
				perKey[o.Text]++
				var n int
				fmt.Sscan(o.Text, &n)
				if prev, ok := last[o.ChatID]; ok && n < prev {
					t.Errorf("chat %s: %d sent after %d", o.ChatID, n, prev)
				}
				last[o.ChatID] = n
			}
			if len(perKey) != total {
				t.Errorf("%d distinct messages delivered, want %d", len(perKey), total)
			}
			for k, n := range perKey {
				if n != 1 {
					t.Errorf("message %s delivered %d times", k, n)
				}
			}
			stats, err := outbox.New(dbs[1]).Stats(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if stats["sent"] != total {
				t.Errorf("Stats = %v, want all %d sent", stats, total)
			}
		})
	}
}

func TestListAndPurge(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		st := outbox.New(db)
		if _, err := st.Enqueue(ctx, msg("a", "A", "1"), msg("b", "B", "2"), msg("c", "C", "3")); err != nil {
			t.Fatal(err)
		}
		clk := newClock()
		d, _ := newDispatcher(db, clk, &fakeSender{})
		d.Batch = 2
		if _, err := d.DispatchOnce(ctx); err != nil {
			t.Fatal(err)
		}
		all, err := st.List(ctx, "", 0)
		if err != nil || len(all) != 3 || all[0].Key != "c" {
			t.Fatalf("List(all) = %+v, %v; want 3, newest first", all, err)
		}
		pending, err := st.List(ctx, outbox.Pending, 10)
		if err != nil || len(pending) != 1 || pending[0].Key != "c" || pending[0].Out.Text != "3" {
			t.Fatalf("List(pending) = %+v, %v", pending, err)
		}
		if _, err := st.List(ctx, "bogus", 10); err == nil {
			t.Error("List(bogus): want error")
		}
		n, err := st.PurgeBefore(ctx, time.Now().Add(-time.Hour))
		if err != nil || n != 0 {
			t.Fatalf("PurgeBefore(an hour ago) = %d, %v; want none: every row is newer", n, err)
		}
		n, err = st.PurgeBefore(ctx, time.Now().Add(time.Hour))
		if err != nil || n != 2 {
			t.Fatalf("PurgeBefore = %d, %v; want the 2 sent rows", n, err)
		}
		n, err = st.ForgetChat(ctx, db, bots.Telegram, "C")
		if err != nil || n != 1 {
			t.Fatalf("ForgetChat = %d, %v", n, err)
		}
	})
}

// Retention goes by id, but a row stamped far in the future (a machine
// whose clock ran ahead wrote it) neither holds the others back nor goes
// before its time.
func TestPurgeBeforePastAFutureStamp(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		if _, err := outbox.Enqueue(ctx, db, msg("f1", "A", "1"), msg("f2", "B", "2"), msg("f3", "C", "3"), msg("f4", "D", "4")); err != nil {
			t.Fatal(err)
		}
		now := time.Now().UTC()
		stamp := func(key string, at time.Time) {
			t.Helper()
			if _, err := db.ExecContext(context.Background(), db.Rebind(`UPDATE outbox SET status = 'sent', created_at = ? WHERE idempotency_key = ?`), at, key); err != nil {
				t.Fatal(err)
			}
		}
		stamp("f1", now.AddDate(1, 0, 0)) // the oldest row, stamped a year ahead
		stamp("f2", now.AddDate(0, 0, -100))
		stamp("f3", now.AddDate(0, 0, -100))
		stamp("f4", now) // kept: newer than the cutoff
		n, err := outbox.New(db).PurgeBefore(ctx, now.AddDate(0, 0, -30))
		if err != nil || n != 2 {
			t.Fatalf("PurgeBefore = %d, %v; want f2 and f3", n, err)
		}
		var left []string
		if err := db.SelectContext(context.Background(), &left, `SELECT idempotency_key FROM outbox ORDER BY id`); err != nil || !slices.Equal(left, []string{"f1", "f4"}) {
			t.Fatalf("left %v, %v; want f1 (not yet due by its stamp) and f4", left, err)
		}
	})
}

func TestRunRejectsMisconfiguration(t *testing.T) {
	if err := (&outbox.Dispatcher{}).Run(context.Background()); err == nil {
		t.Error("Run without DB: want error")
	}
	db := storagetest.Open(t, storage.SQLite)
	if err := (&outbox.Dispatcher{DB: db, SendTimeout: 3 * time.Minute}).Run(context.Background()); err == nil {
		t.Error("Run with a send timeout beyond the lease: want error")
	}
}

func TestDefaultBackoff(t *testing.T) {
	for attempt, want := range map[int]time.Duration{1: 2 * time.Second, 2: 4 * time.Second, 5: 32 * time.Second, 20: 10 * time.Minute} {
		for range 20 {
			got := outbox.DefaultBackoff(attempt)
			if got < want/2 || got > want {
				t.Errorf("DefaultBackoff(%d) = %s, want in [%s, %s]", attempt, got, want/2, want)
			}
		}
	}
}

func enqueue10k(tb testing.TB, db *storage.DB, prefix string) {
	msgs := make([]outbox.Message, 10_000)
	for i := range msgs {
		msgs[i] = outbox.Message{
			Key: fmt.Sprintf("reminder:%s:%d:h-1:1", prefix, i),
			Out: bots.Outgoing{Platform: bots.Telegram, ChatID: fmt.Sprint(100000 + i),
				Text: "Pengingat: pelatihan pelayanan publik besok pukul 09.00 WIB di Aula Balai Kota."},
			NotBefore: time.Now().Add(time.Hour),
		}
	}
	n, err := outbox.Enqueue(context.Background(), db, msgs...)
	if err != nil || n != len(msgs) {
		tb.Fatalf("Enqueue = %d, %v", n, err)
	}
}

// TestEnqueue10k enqueues 10,000 rows in one call and finds every one
// pending; how fast that goes is BenchmarkEnqueue10k's business.
func TestEnqueue10k(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		enqueue10k(t, db, "t")
		var n int
		if err := db.GetContext(context.Background(), &n, `SELECT COUNT(*) FROM outbox WHERE status = 'pending'`); err != nil {
			t.Fatal(err)
		}
		if n != 10000 {
			t.Errorf("%d rows pending, want 10000", n)
		}
	})
}

func BenchmarkEnqueue10k(b *testing.B) {
	for _, dialect := range storagetest.Backends {
		b.Run(string(dialect), func(b *testing.B) {
			db := storagetest.Open(b, dialect)
			i := 0
			for b.Loop() {
				enqueue10k(b, db, fmt.Sprint(i))
				i++
			}
		})
	}
}

// gateSender holds every send to the chat "slow" until release is closed,
// and reports the texts it sent.
type gateSender struct {
	release chan struct{}
	sent    chan string
}

func (g *gateSender) Send(ctx context.Context, out bots.Outgoing) (string, error) {
	if out.ChatID == "slow" {
		select {
		case <-g.release:
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
	g.sent <- out.Text
	return "m-" + out.Text, nil
}

// TestSlowChatHoldsBackNoOther: a chat whose send waits (on its per-chat
// limit, a slow API) does not hold back the next message of another chat
// claimed in the same batch: that chat's outcome is recorded as soon as it
// is known, and its next message goes out while the slow send still waits.
func TestSlowChatHoldsBackNoOther(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		g := &gateSender{release: make(chan struct{}), sent: make(chan string, 10)}
		d := &outbox.Dispatcher{
			DB: db, Senders: map[bots.Platform]bots.Sender{bots.Telegram: g},
			PollInterval: time.Hour, // only Wake makes a worker look
			Logger:       slog.New(slog.NewTextHandler(&syncBuffer{}, nil)),
		}
		if _, err := outbox.Enqueue(ctx, db, msg("s1", "slow", "pelan"), msg("f1", "fast", "satu"), msg("f2", "fast", "dua")); err != nil {
			t.Fatal(err)
		}
		done := make(chan error)
		go func() { done <- d.Run(ctx) }()
		d.Wake()
		for _, want := range []string{"satu", "dua"} {
			select {
			case got := <-g.sent:
				if got != want {
					t.Fatalf("sent %q, want %q", got, want)
				}
			case <-time.After(waitFor):
				t.Fatalf("%q was not sent while another chat's send waited", want)
			}
		}
		close(g.release)
		select {
		case got := <-g.sent:
			if got != "pelan" {
				t.Fatalf("sent %q, want the slow chat's message", got)
			}
		case <-time.After(waitFor):
			t.Fatal("the slow chat's message was not sent once released")
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		for _, key := range []string{"s1", "f1", "f2"} {
			if r := get(t, db, key); r.Status != outbox.Sent {
				t.Errorf("%s is %s after Run, want sent", key, r.Status)
			}
		}
	})
}

// TestTransientMessagesGoOnceFinished: a transient message is deleted
// as soon as its outcome is final, sent or given up on, and kept while it
// waits for a retry; other messages stay for retention.
func TestTransientMessagesGoOnceFinished(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		transient := func(key, chat string) outbox.Message {
			m := msg(key, chat, "Data Anda sudah kami hapus.")
			m.Transient = true
			return m
		}
		if _, err := outbox.Enqueue(ctx, db, transient("sent", "A"), transient("refused", "B"), transient("retried", "C"),
			msg("kept", "D", "halo")); err != nil {
			t.Fatal(err)
		}
		s := &fakeSender{script: func(_ int, out bots.Outgoing) error {
			switch out.ChatID {
			case "B":
				return &bots.SendError{Err: errors.New("Forbidden: bot was blocked by the user")}
			case "C":
				return &bots.SendError{Temporary: true, Err: errors.New("503")}
			}
			return nil
		}}
		d, _ := newDispatcher(db, newClock(), s)
		drain(t, d)
		for _, key := range []string{"sent", "refused"} {
			if r, err := outbox.New(db).Get(ctx, key); !errors.Is(err, outbox.ErrNotFound) {
				t.Errorf("%s: %+v, %v; want the transient row gone", key, r, err)
			}
		}
		if r := get(t, db, "retried"); r.Status != outbox.Pending {
			t.Errorf("retried = %+v; want it kept, pending", r)
		}
		if r := get(t, db, "kept"); r.Status != outbox.Sent {
			t.Errorf("kept = %+v; want it kept, sent", r)
		}
	})
}

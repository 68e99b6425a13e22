package outbox_test

import (
	"context"
	"errors"
	"log/slog"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/outbox"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

// Tests of direct delivery (direct.go): replies claimed by the INSERT that
// records them and handed to the running Dispatcher once the transaction
// commits. Every dispatcher here polls once an hour, so a message that
// arrives quickly was delivered directly or after a wake-up, never by the
// poll.

// waitFor bounds every wait for something that must happen. It only
// catches a hang: a loaded machine (several race-enabled test binaries on
// two cores) may take seconds for what takes milliseconds alone.
const waitFor = time.Minute

// eventually polls cond until it holds, failing the test after waitFor.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", waitFor, what)
		}
		<-tick.C
	}
}

// runner is a Dispatcher's Run in the background.
type runner struct {
	cancel context.CancelFunc
	done   chan error
	once   sync.Once
	t      *testing.T
}

// start runs d until the test ends or stop is called.
func start(t *testing.T, d *outbox.Dispatcher) *runner {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := &runner{cancel: cancel, done: make(chan error, 1), t: t}
	go func() { r.done <- d.Run(ctx) }()
	t.Cleanup(r.stop)
	return r
}

// stop ends Run's context and waits for Run to return.
func (r *runner) stop() {
	r.once.Do(func() {
		r.cancel()
		select {
		case err := <-r.done:
			if err != nil {
				r.t.Errorf("Run: %v", err)
			}
		case <-time.After(waitFor):
			r.t.Errorf("Run did not return within %s after its context ended", waitFor)
		}
	})
}

// newDirect returns a dispatcher on db that sends through s, polls once an
// hour and has room for direct deliveries.
func newDirect(db *storage.DB, s bots.Sender, direct int) (*outbox.Dispatcher, *syncBuffer) {
	logs := &syncBuffer{}
	return &outbox.Dispatcher{
		DB:           db,
		Senders:      map[bots.Platform]bots.Sender{bots.Telegram: s},
		PollInterval: time.Hour, // only direct delivery or Wake can explain a prompt send
		Direct:       direct,
		Backoff:      func(int) time.Duration { return time.Minute },
		Logger:       slog.New(slog.NewTextHandler(logs, nil)),
	}, logs
}

// reserve waits until Run is up and d has room for n replies.
func reserve(t *testing.T, d *outbox.Dispatcher, n int) *outbox.Claim {
	t.Helper()
	var c *outbox.Claim
	eventually(t, "Reserve to succeed", func() bool {
		c = d.Reserve(n)
		return c != nil
	})
	return c
}

// enqueueClaimed enqueues msgs with EnqueueClaimed under c in a committed
// transaction and returns how many rows it inserted. The claim is released
// if the transaction fails.
func enqueueClaimed(t *testing.T, db *storage.DB, c *outbox.Claim, msgs ...outbox.Message) int {
	t.Helper()
	var n int
	// No t.Fatal inside the transaction: it would leave it open.
	err := db.InTx(context.Background(), func(tx *sqlx.Tx) error {
		var err error
		n, err = outbox.EnqueueClaimed(context.Background(), tx, c, msgs...)
		return err
	})
	if err != nil {
		c.Release()
		t.Fatalf("EnqueueClaimed: %v", err)
	}
	return n
}

// direct reserves room for msgs, enqueues them claimed and delivers them,
// as the handlers do; it returns what Deliver returned.
func direct(t *testing.T, db *storage.DB, d *outbox.Dispatcher, msgs ...outbox.Message) bool {
	t.Helper()
	c := reserve(t, d, len(msgs))
	if n := enqueueClaimed(t, db, c, msgs...); n != len(msgs) {
		t.Fatalf("EnqueueClaimed inserted %d rows, want %d", n, len(msgs))
	}
	return c.Deliver()
}

// receive waits for the sender to deliver want, in this order.
func receive(t *testing.T, s *fakeSender, want ...string) {
	t.Helper()
	for _, w := range want {
		select {
		case got := <-s.notify:
			if got.Text != w {
				t.Fatalf("sent %q, want %q", got.Text, w)
			}
		case <-time.After(waitFor):
			t.Fatalf("%q not sent within %s", w, waitFor)
		}
	}
}

// waitStatus waits until the row with key has status st and returns it.
func waitStatus(t *testing.T, db *storage.DB, key string, st outbox.Status) outbox.Record {
	t.Helper()
	var r outbox.Record
	eventually(t, key+" to become "+string(st), func() bool {
		var err error
		r, err = outbox.New(db).Get(context.Background(), key)
		if err != nil {
			t.Fatalf("get %s: %v", key, err)
		}
		return r.Status == st
	})
	return r
}

// waitRoom waits until d has room for n direct replies again (deliveries
// give their room back when their sends end), then gives it back.
func waitRoom(t *testing.T, d *outbox.Dispatcher, n int) {
	t.Helper()
	reserve(t, d, n).Release()
}

// gatedSender is a fakeSender whose sends of chosen texts wait until the
// test lets them go.
type gatedSender struct {
	*fakeSender
	mu      sync.Mutex
	gates   map[string]chan struct{}
	started chan string
}

func newGatedSender() *gatedSender {
	return &gatedSender{
		fakeSender: &fakeSender{notify: make(chan bots.Outgoing, 32)},
		gates:      map[string]chan struct{}{},
		started:    make(chan string, 32),
	}
}

// hold makes the next send of text wait until release is called, or the
// test ends.
func (g *gatedSender) hold(t *testing.T, text string) (release func()) {
	gate := make(chan struct{})
	g.mu.Lock()
	g.gates[text] = gate
	g.mu.Unlock()
	var once sync.Once
	release = func() { once.Do(func() { close(gate) }) }
	// Registered after start's, so it runs before Run is stopped, which
	// waits for the send.
	t.Cleanup(release)
	return release
}

func (g *gatedSender) Send(ctx context.Context, out bots.Outgoing) (string, error) {
	g.mu.Lock()
	gate := g.gates[out.Text]
	delete(g.gates, out.Text)
	g.mu.Unlock()
	if gate != nil {
		g.started <- out.Text
		<-gate
	}
	return g.fakeSender.Send(ctx, out)
}

// waitStarted waits until the held send of text has begun.
func (g *gatedSender) waitStarted(t *testing.T, text string) {
	t.Helper()
	select {
	case got := <-g.started:
		if got != text {
			t.Fatalf("held send of %q began, want %q", got, text)
		}
	case <-time.After(waitFor):
		t.Fatalf("send of %q did not begin within %s", text, waitFor)
	}
}

func TestDirectReserve(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		var nilClaim *outbox.Claim
		nilClaim.Release() // both are allowed on a nil Claim
		if nilClaim.Deliver() {
			t.Error("Deliver on a nil Claim = true")
		}
		if c := (*outbox.Dispatcher)(nil).Reserve(1); c != nil {
			t.Error("Reserve on a nil Dispatcher: want nil")
		}

		s := &fakeSender{notify: make(chan bots.Outgoing, 8)}
		d, _ := newDirect(db, s, 2)
		if c := d.Reserve(1); c != nil {
			t.Fatal("Reserve before Run: want nil")
		}
		r := start(t, d)
		c1 := reserve(t, d, 1)
		for _, n := range []int{0, -1, 3} {
			if c := d.Reserve(n); c != nil {
				t.Errorf("Reserve(%d) with Direct 2: want nil", n)
			}
		}
		c2 := d.Reserve(1)
		if c2 == nil {
			t.Fatal("second Reserve(1) with Direct 2: want room")
		}
		if c := d.Reserve(1); c != nil {
			t.Fatal("third Reserve(1) with Direct 2: want nil, the room is taken")
		}
		c1.Release()
		c1.Release() // a second Release must not give the room back twice
		c3 := d.Reserve(1)
		if c3 == nil {
			t.Fatal("Reserve after Release: want room")
		}
		if c := d.Reserve(1); c != nil {
			t.Fatal("Reserve(1) with c2 and c3 held: want nil (was a slot given back twice?)")
		}
		c2.Release()
		c3.Release()
		c4 := d.Reserve(2)
		if c4 == nil {
			t.Fatal("Reserve(2) after every claim was released: want room")
		}
		// A delivery that claimed no row gives its room back at once.
		if c4.Deliver() {
			t.Error("Deliver of an unused claim = true")
		}
		if c := d.Reserve(2); c == nil {
			t.Fatal("Reserve(2) after an unused claim was delivered: want room")
		} else {
			c.Release()
		}

		r.stop()
		if c := d.Reserve(1); c != nil {
			t.Error("Reserve after Run returned: want nil")
		}
		if s.Calls() != 0 {
			t.Errorf("sender called %d times, want 0", s.Calls())
		}
	})
}

func TestDirectDeliveryHappyPath(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		s := &fakeSender{notify: make(chan bots.Outgoing, 8)}
		d, logs := newDirect(db, s, 2)
		start(t, d)

		before := time.Now()
		c := reserve(t, d, 1)
		if n := enqueueClaimed(t, db, c, msg("reply:1:0", "A", "halo")); n != 1 {
			t.Fatalf("EnqueueClaimed = %d, want 1", n)
		}
		// Committed, not yet delivered: the row is claimed already.
		r := get(t, db, "reply:1:0")
		if r.Status != outbox.Sending || r.Attempts != 1 || r.LeaseUntil == nil {
			t.Fatalf("before Deliver: %+v; want sending, attempts 1, under a lease", r)
		}
		if lease := *r.LeaseUntil; lease.Before(before.Add(outbox.DefaultLease-time.Second)) ||
			lease.After(time.Now().Add(outbox.DefaultLease+time.Second)) {
			t.Errorf("lease until %s, want about now + %s", lease, outbox.DefaultLease)
		}
		if s.Calls() != 0 {
			t.Fatal("sent before Deliver")
		}

		if c.Deliver() {
			t.Error("Deliver = true; nothing was enqueued pending")
		}
		receive(t, s, "halo")
		r = waitStatus(t, db, "reply:1:0", outbox.Sent)
		if r.MessageID != "m1" || r.Attempts != 1 || r.SentAt == nil || r.LeaseUntil != nil || r.LastError != "" {
			t.Errorf("after delivery: %+v; want sent as m1 at attempt 1, lease cleared", r)
		}
		stats, err := outbox.New(db).Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if stats["sent"] != 1 || stats["pending"]+stats["sending"]+stats["failed"]+stats["skipped"] != 0 {
			t.Errorf("Stats = %v, want one sent row and nothing else", stats)
		}
		waitRoom(t, d, 2)
		if s.Calls() != 1 {
			t.Errorf("sender called %d times, want 1", s.Calls())
		}
		if strings.Contains(logs.String(), "level=WARN") {
			t.Errorf("unexpected warnings:\n%s", logs.String())
		}
	})
}

func TestDirectDeliveryToBusyChatGoesPendingInOrder(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		// The chat's earlier row is being sent by a worker's claim.
		t.Run("behind a worker's claim", func(t *testing.T) {
			db := storagetest.Open(t, db.Dialect) // a fresh database for each case
			ctx := context.Background()
			g := newGatedSender()
			d, _ := newDirect(db, g, 2)
			start(t, d)
			release := g.hold(t, "first")
			if _, err := outbox.Enqueue(ctx, db, msg("w:first", "X", "first")); err != nil {
				t.Fatal(err)
			}
			d.Wake()
			g.waitStarted(t, "first")
			if r := get(t, db, "w:first"); r.Status != outbox.Sending {
				t.Fatalf("first = %s, want sending", r.Status)
			}

			c := reserve(t, d, 1)
			if n := enqueueClaimed(t, db, c, msg("w:second", "X", "second")); n != 1 {
				t.Fatalf("EnqueueClaimed = %d, want 1", n)
			}
			if r := get(t, db, "w:second"); r.Status != outbox.Pending || r.Attempts != 0 || r.LeaseUntil != nil {
				t.Fatalf("second = %+v; want pending behind first, unclaimed", r)
			}
			if !c.Deliver() {
				t.Fatal("Deliver = false; the row went in pending, a worker must be woken")
			}
			d.Wake() // as Deliver asks
			release()
			receive(t, g.fakeSender, "first", "second")
			first := waitStatus(t, db, "w:first", outbox.Sent)
			second := waitStatus(t, db, "w:second", outbox.Sent)
			if first.Attempts != 1 || second.Attempts != 1 || second.SentAt.Before(*first.SentAt) {
				t.Errorf("first = %+v, second = %+v; want both sent once, in order", first, second)
			}
			waitRoom(t, d, 2)
		})

		// The chat's earlier row is itself a direct delivery in flight.
		t.Run("behind a direct delivery", func(t *testing.T) {
			db := storagetest.Open(t, db.Dialect) // a fresh database for each case
			g := newGatedSender()
			d, _ := newDirect(db, g, 2)
			start(t, d)
			release := g.hold(t, "first")
			if direct(t, db, d, msg("d:first", "Y", "first")) {
				t.Fatal("Deliver of the first reply = true, want false")
			}
			g.waitStarted(t, "first")

			c := reserve(t, d, 1)
			if n := enqueueClaimed(t, db, c, msg("d:second", "Y", "second")); n != 1 {
				t.Fatalf("EnqueueClaimed = %d, want 1", n)
			}
			if r := get(t, db, "d:second"); r.Status != outbox.Pending || r.Attempts != 0 {
				t.Fatalf("second = %+v; want pending behind the first", r)
			}
			if !c.Deliver() {
				t.Fatal("Deliver = false; the row went in pending, a worker must be woken")
			}
			d.Wake()
			release()
			receive(t, g.fakeSender, "first", "second")
			waitStatus(t, db, "d:first", outbox.Sent)
			if r := waitStatus(t, db, "d:second", outbox.Sent); r.Attempts != 1 {
				t.Errorf("second = %+v; want sent at attempt 1", r)
			}
			waitRoom(t, d, 2)
		})
	})
}

func TestDirectDeliveryRolledBack(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		s := &fakeSender{notify: make(chan bots.Outgoing, 8)}
		d, _ := newDirect(db, s, 2)
		start(t, d)

		c := reserve(t, d, 2)
		err := db.InTx(ctx, func(tx *sqlx.Tx) error {
			n, err := outbox.EnqueueClaimed(ctx, tx, c, msg("rb:0", "A", "lost 1"), msg("rb:1", "A", "lost 2"))
			if err != nil {
				return err
			}
			if n != 2 {
				return errors.New("EnqueueClaimed inserted fewer than 2 rows")
			}
			return errors.New("handler failed")
		})
		if err == nil || err.Error() != "handler failed" {
			t.Fatalf("InTx = %v, want the handler's error", err)
		}
		c.Release()
		if c.Deliver() {
			t.Error("Deliver after Release = true")
		}
		for _, key := range []string{"rb:0", "rb:1"} {
			if _, err := outbox.New(db).Get(ctx, key); !errors.Is(err, outbox.ErrNotFound) {
				t.Errorf("rolled-back %s: Get = %v, want ErrNotFound", key, err)
			}
		}
		stats, err := outbox.New(db).Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range stats {
			if n != 0 {
				t.Errorf("Stats = %v, want no rows", stats)
				break
			}
		}
		// The room is back: all of it, at once.
		c2 := d.Reserve(2)
		if c2 == nil {
			t.Fatal("Reserve(2) after Release: want room")
		}
		// And the keys are free: the same replies go out when enqueued
		// again (this also makes sure nothing rolled back went out
		// before).
		if n := enqueueClaimed(t, db, c2, msg("rb:0", "A", "again 1"), msg("rb:1", "A", "again 2")); n != 2 {
			t.Fatalf("EnqueueClaimed after the rollback = %d, want 2", n)
		}
		if c2.Deliver() {
			t.Error("Deliver = true, want false")
		}
		receive(t, s, "again 1", "again 2")
		waitStatus(t, db, "rb:1", outbox.Sent)
		if got := s.Sent(); len(got) != 2 {
			t.Errorf("sent %+v, want only the two replies enqueued again", got)
		}
	})
}

func TestDirectDeliveryIsIdempotent(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		s := &fakeSender{notify: make(chan bots.Outgoing, 8)}
		d, _ := newDirect(db, s, 2)
		start(t, d)

		// A key that was delivered already.
		direct(t, db, d, msg("id:sent", "A", "original"))
		receive(t, s, "original")
		sent := waitStatus(t, db, "id:sent", outbox.Sent)
		c := reserve(t, d, 1)
		if n := enqueueClaimed(t, db, c, msg("id:sent", "A", "duplicate")); n != 0 {
			t.Fatalf("EnqueueClaimed of a delivered key = %d, want 0", n)
		}
		if c.Deliver() {
			t.Error("Deliver after inserting nothing = true")
		}

		// A key that waits, pending, for later.
		later := msg("id:pending", "B", "later")
		later.NotBefore = time.Now().Add(time.Hour)
		if _, err := outbox.Enqueue(ctx, db, later); err != nil {
			t.Fatal(err)
		}
		c = reserve(t, d, 1)
		if n := enqueueClaimed(t, db, c, msg("id:pending", "B", "duplicate")); n != 0 {
			t.Fatalf("EnqueueClaimed of a pending key = %d, want 0", n)
		}
		c.Deliver()

		// A key repeated within one call is enqueued once (which of the
		// two is TestDirectDeliveryOfARepeatedKeySendsTheStoredMessage's
		// business).
		c = reserve(t, d, 2)
		if n := enqueueClaimed(t, db, c, msg("id:twice", "C", "once"), msg("id:twice", "C", "once")); n != 1 {
			t.Fatalf("EnqueueClaimed of a key twice = %d, want 1", n)
		}
		if c.Deliver() {
			t.Error("Deliver = true, want false")
		}

		// A later reply to chat A is the barrier: once it is out, anything
		// sent twice would have been sent too.
		direct(t, db, d, msg("id:barrier", "A", "barrier"))
		receiveWithin(t, s, waitFor, "barrier", "once")
		waitStatus(t, db, "id:barrier", outbox.Sent)
		waitStatus(t, db, "id:twice", outbox.Sent)
		waitRoom(t, d, 2)
		if got := s.Calls(); got != 3 {
			t.Errorf("sender called %d times (%+v), want 3: nothing twice", got, s.Sent())
		}
		if r := get(t, db, "id:sent"); r.Out.Text != "original" || r.MessageID != sent.MessageID || r.Attempts != 1 {
			t.Errorf("id:sent = %+v; the first enqueue must win and stay delivered once", r)
		}
		if r := get(t, db, "id:pending"); r.Out.Text != "later" || r.Status != outbox.Pending || r.Attempts != 0 {
			t.Errorf("id:pending = %+v; want untouched", r)
		}
		stats, err := outbox.New(db).Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if stats["sent"] != 3 || stats["pending"] != 1 || stats["sending"] != 0 {
			t.Errorf("Stats = %v, want 3 sent and 1 pending", stats)
		}
	})
}

func TestDirectDeliveryAfterShutdown(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		// Deliver after Run returned hands the rows back.
		t.Run("deliver after Run returned", func(t *testing.T) {
			db := storagetest.Open(t, db.Dialect) // a fresh database for each case
			ctx := context.Background()
			s := &fakeSender{notify: make(chan bots.Outgoing, 8)}
			d, _ := newDirect(db, s, 2)
			r := start(t, d)
			c := reserve(t, d, 2)
			if n := enqueueClaimed(t, db, c, msg("late:0", "A", "one"), msg("late:1", "A", "two")); n != 2 {
				t.Fatalf("EnqueueClaimed = %d, want 2", n)
			}
			r.stop()
			if !c.Deliver() {
				t.Error("Deliver after Run returned = false; the rows are handed back pending, a worker must be woken")
			}
			for _, key := range []string{"late:0", "late:1"} {
				rec := get(t, db, key)
				if rec.Status != outbox.Pending || rec.Attempts != 0 || rec.LeaseUntil != nil {
					t.Errorf("%s = %+v; want pending, attempts 0 (the claim did not count), no lease", key, rec)
				}
			}
			if s.Calls() != 0 {
				t.Fatalf("sender called %d times after Run returned", s.Calls())
			}

			// The next run delivers them, in order.
			s2 := &fakeSender{notify: make(chan bots.Outgoing, 8)}
			d2, _ := newDirect(db, s2, 2)
			start(t, d2)
			d2.Wake()
			receive(t, s2, "one", "two")
			for _, key := range []string{"late:0", "late:1"} {
				if rec := waitStatus(t, db, key, outbox.Sent); rec.Attempts != 1 {
					t.Errorf("%s = %+v; want sent at attempt 1", key, rec)
				}
			}
			stats, err := outbox.New(db).Stats(ctx)
			if err != nil || stats["sent"] != 2 || stats["pending"] != 0 || stats["sending"] != 0 {
				t.Errorf("Stats = %v, %v; want 2 sent", stats, err)
			}
		})

		// Run finishes a direct send in flight and records it before it
		// returns; the rows of that delivery not begun yet are handed back.
		t.Run("send in flight at shutdown", func(t *testing.T) {
			db := storagetest.Open(t, db.Dialect) // a fresh database for each case
			g := newGatedSender()
			d, _ := newDirect(db, g, 2)
			r := start(t, d)
			release := g.hold(t, "in flight")
			direct(t, db, d, msg("fly:0", "B", "in flight"), msg("fly:1", "B", "not begun"))
			g.waitStarted(t, "in flight")
			r.cancel()
			select {
			case <-r.done:
				t.Fatal("Run returned while a direct send was in flight")
			default:
			}
			if c := d.Reserve(1); c != nil {
				t.Error("Reserve after Run's context ended: want nil")
			}
			release()
			r.stop()
			// Recorded before Run returned: no waiting here.
			if rec := get(t, db, "fly:0"); rec.Status != outbox.Sent || rec.Attempts != 1 || rec.MessageID == "" {
				t.Errorf("fly:0 = %+v; want sent and recorded before Run returned", rec)
			}
			if rec := get(t, db, "fly:1"); rec.Status != outbox.Pending || rec.Attempts != 0 || rec.LeaseUntil != nil {
				t.Errorf("fly:1 = %+v; want handed back: pending, attempts 0, no lease", rec)
			}
			if got := g.Sent(); len(got) != 1 || got[0].Text != "in flight" {
				t.Errorf("sent %+v, want only the send in flight", got)
			}

			s2 := &fakeSender{notify: make(chan bots.Outgoing, 8)}
			d2, _ := newDirect(db, s2, 2)
			start(t, d2)
			d2.Wake()
			receive(t, s2, "not begun")
			if rec := waitStatus(t, db, "fly:1", outbox.Sent); rec.Attempts != 1 {
				t.Errorf("fly:1 = %+v; want sent at attempt 1", rec)
			}
		})
	})
}

func TestDirectDeliveryRecordsFailures(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		clk := newClock()
		tries := map[string]int{}
		s := &fakeSender{notify: make(chan bots.Outgoing, 8), script: func(_ int, out bots.Outgoing) error {
			tries[out.ChatID]++ // script runs under the sender's lock
			if tries[out.ChatID] > 1 {
				return nil
			}
			switch out.ChatID {
			case "perm":
				return &bots.SendError{Err: errors.New("Forbidden: bot was blocked by the user")}
			case "rate":
				return &bots.SendError{RetryAfter: 30 * time.Second, Err: errors.New("Too Many Requests")}
			case "temp":
				return &bots.SendError{Temporary: true, Err: errors.New("502 Bad Gateway")}
			}
			return nil
		}}
		d, logs := newDispatcher(db, clk, s)
		d.PollInterval, d.Direct = time.Hour, 10
		start(t, d)
		now := clk.Now()

		for _, chat := range []string{"perm", "rate", "temp"} {
			if direct(t, db, d, msg(chat, chat, "text for "+chat)) {
				t.Errorf("Deliver for %s = true, want false", chat)
			}
		}
		perm := waitStatus(t, db, "perm", outbox.Failed)
		if perm.Attempts != 1 || !strings.Contains(perm.LastError, "blocked") || perm.MessageID != "" ||
			perm.SentAt != nil || perm.LeaseUntil != nil {
			t.Errorf("perm = %+v; want failed at its first attempt with the platform's error", perm)
		}
		eventually(t, "the failures to be recorded", func() bool {
			return get(t, db, "rate").Status != outbox.Sending && get(t, db, "temp").Status != outbox.Sending
		})
		rate := get(t, db, "rate")
		if rate.Status != outbox.Pending || rate.Attempts != 0 || rate.LeaseUntil != nil ||
			rate.NextAttemptAt.Before(now.Add(30*time.Second)) || !strings.Contains(rate.LastError, "Too Many Requests") {
			t.Errorf("rate = %+v; want pending, attempt not counted, next attempt ≥ now+30s (%s)", rate, now.Add(30*time.Second).UTC())
		}
		temp := get(t, db, "temp")
		if temp.Status != outbox.Pending || temp.Attempts != 1 || temp.LeaseUntil != nil ||
			temp.NextAttemptAt.Before(now.Add(time.Minute)) || !strings.Contains(temp.LastError, "502") {
			t.Errorf("temp = %+v; want pending after attempt 1, next attempt ≥ now+1m (backoff)", temp)
		}
		if out := logs.String(); !strings.Contains(out, "permanent send failure") || strings.Count(out, "level=WARN") != 1 {
			t.Errorf("want one WARN for the permanent failure, logs:\n%s", out)
		}
		waitRoom(t, d, 10)

		// Due again: a worker sends them.
		clk.Advance(time.Minute)
		d.Wake()
		receiveWithin(t, s, waitFor, "text for rate", "text for temp")
		if r := waitStatus(t, db, "rate", outbox.Sent); r.Attempts != 1 {
			t.Errorf("rate = %+v; want sent at attempt 1", r)
		}
		if r := waitStatus(t, db, "temp", outbox.Sent); r.Attempts != 2 {
			t.Errorf("temp = %+v; want sent at attempt 2", r)
		}
		if s.Calls() != 5 {
			t.Errorf("sender called %d times, want 5", s.Calls())
		}
	})
}

// The tests below pin down bugs found in direct.go as of commit 448cc46
// (each of them fails there, on both backends); see each test's comment.

// promptly bounds the wait for a message that a woken dispatcher must send
// at once: the poll comes only after an hour, so a minute still tells the
// two apart on a loaded machine.
const promptly = time.Minute

// receiveWithin is receive with its own deadline, for any order.
func receiveWithin(t *testing.T, s *fakeSender, within time.Duration, want ...string) {
	t.Helper()
	var got []string
	deadline := time.After(within)
	for len(got) < len(want) {
		select {
		case o := <-s.notify:
			got = append(got, o.Text)
		case <-deadline:
			t.Fatalf("sent only %q within %s, want %q", got, within, want)
		}
	}
	slices.Sort(got)
	want = slices.Clone(want)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("sent %q, want %q", got, want)
	}
}

// waitSettled waits until the workers have started and no goroutine of
// package outbox is running, claiming or recording: the workers wait
// idle, with no wake-up pending (a Wake hands its token to a waiting
// worker, which then shows as runnable), and the recorder waits for work.
// Nothing else tells a test that a worker looked and found nothing, so it
// reads the goroutines' stacks. A goroutine running on another thread
// shows no stack, so any such one means not settled yet. Run waiting for
// its workers shows they have started: before that, Reserve already
// succeeds while Run still beats its first heartbeat, and the workers'
// first look is still to come.
func waitSettled(t *testing.T) {
	t.Helper()
	buf := make([]byte, 1<<20)
	eventually(t, "the dispatcher to settle", func() bool {
		n := runtime.Stack(buf, true)
		for n == len(buf) {
			buf = make([]byte, 2*len(buf))
			n = runtime.Stack(buf, true)
		}
		started := false
		for _, g := range strings.Split(string(buf[:n]), "\n\n") {
			if strings.Contains(g, "stack unavailable") {
				// Running on another thread: it could be a worker.
				return false
			}
			if !strings.Contains(g, "hub/outbox.(*Dispatcher)") {
				continue
			}
			header, _, _ := strings.Cut(g, "\n")
			for _, state := range []string{"[running", "[runnable", "[syscall"} {
				if strings.Contains(header, state) {
					return false
				}
			}
			for _, busy := range []string{"dispatch(", "claim(", "record(", "recordOne(", "recordPostgres(", "Wake(", "heartbeat("} {
				if strings.Contains(g, "hub/outbox.(*Dispatcher)."+busy) {
					return false
				}
			}
			if strings.Contains(g, "sync.(*WaitGroup).Wait") && strings.Contains(g, "hub/outbox.(*Dispatcher).Run(") {
				started = true
			}
		}
		return started
	})
}

// When EnqueueClaimed cannot claim (messages to several chats, a
// NotBefore, more messages than the claim has room for) it falls back to
// Enqueue: the rows go in pending. Deliver must then report pending rows,
// so that the caller wakes a worker (handlers.Router.deliver wakes only
// when Deliver returns true); otherwise the replies wait for the next poll.
func TestDirectDeliverReportsFallbackRowsAsPending(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		for _, tc := range []struct {
			name string
			room int
			msgs func() []outbox.Message
		}{
			{"two chats", 2, func() []outbox.Message {
				return []outbox.Message{msg("two:a", "A", "to A"), msg("two:b", "B", "to B")}
			}},
			{"not before now", 1, func() []outbox.Message {
				m := msg("nb", "A", "scheduled now")
				m.NotBefore = time.Now()
				return []outbox.Message{m}
			}},
			{"more than reserved", 1, func() []outbox.Message {
				return []outbox.Message{msg("more:0", "C", "part 1"), msg("more:1", "C", "part 2")}
			}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				db := storagetest.Open(t, db.Dialect) // a fresh database for each case
				s := &fakeSender{notify: make(chan bots.Outgoing, 8)}
				d, _ := newDirect(db, s, 10)
				start(t, d)
				ms := tc.msgs()
				c := reserve(t, d, tc.room)
				// The workers' first look, as Run starts, is over: now only
				// a Wake makes them look again.
				waitSettled(t)
				// The rows' status is read before the commit: once
				// committed, a worker may take them at any time.
				var n int
				var statuses []string
				err := db.InTx(context.Background(), func(tx *sqlx.Tx) error {
					var err error
					if n, err = outbox.EnqueueClaimed(context.Background(), tx, c, ms...); err != nil {
						return err
					}
					for _, m := range ms {
						var st string
						if err := tx.GetContext(context.Background(), &st, tx.Rebind(`SELECT status FROM outbox WHERE idempotency_key = ?`), m.Key); err != nil {
							return err
						}
						statuses = append(statuses, m.Key+" "+st)
					}
					return nil
				})
				if err != nil || n != len(ms) {
					c.Release()
					t.Fatalf("EnqueueClaimed = %d, %v; want %d", n, err, len(ms))
				}
				for _, st := range statuses {
					if !strings.HasSuffix(st, " pending") {
						t.Fatalf("%s, want pending (not claimed directly)", st)
					}
				}
				if !c.Deliver() {
					t.Fatal("Deliver = false, but the rows were enqueued pending: nobody wakes a worker for them")
				}
				d.Wake()
				var texts []string
				for _, m := range ms {
					texts = append(texts, m.Out.Text)
				}
				receiveWithin(t, s, promptly, texts...)
			})
		}
	})
}

// A row queued behind a direct delivery in flight (same chat) can only be
// claimed once that delivery is recorded, and only recordLoop knows when
// that is. It wakes the workers only if heldBack was set since its last
// batch, and heldBack is a single flag for every chat: recording some
// other chat's delivery first clears it, and plain Enqueue never sets it.
// Either way the queued row waits for the next poll (PollInterval, 500ms
// by default, an hour here) instead of going out right after the row
// before it. Before direct delivery, the worker that sent the earlier row
// claimed again at once.
func TestDirectDeliveryWakesRowsQueuedBehindIt(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		t.Run("flag taken by another chat's delivery", func(t *testing.T) {
			db := storagetest.Open(t, db.Dialect) // a fresh database for each case
			g := newGatedSender()
			d, _ := newDirect(db, g, 10)
			start(t, d)
			release := g.hold(t, "X first")
			direct(t, db, d, msg("x:1", "X", "X first"))
			g.waitStarted(t, "X first")

			// X's next reply queues behind the first (this sets heldBack).
			c := reserve(t, d, 1)
			if n := enqueueClaimed(t, db, c, msg("x:2", "X", "X second")); n != 1 {
				t.Fatalf("EnqueueClaimed = %d, want 1", n)
			}
			if !c.Deliver() {
				t.Fatal("Deliver = false, want true: the reply went in pending")
			}
			d.Wake() // as Deliver asks; the worker finds x:2 held back

			// Another chat's reply is delivered and recorded meanwhile.
			direct(t, db, d, msg("y:1", "Y", "Y only"))
			receive(t, g.fakeSender, "Y only")
			waitStatus(t, db, "y:1", outbox.Sent)
			// Its recording woke a worker, which found x:2 still held back.
			waitSettled(t)

			release()
			receive(t, g.fakeSender, "X first")
			waitStatus(t, db, "x:1", outbox.Sent)
			receiveWithin(t, g.fakeSender, promptly, "X second")
		})

		t.Run("row enqueued with Enqueue", func(t *testing.T) {
			db := storagetest.Open(t, db.Dialect) // a fresh database for each case
			g := newGatedSender()
			d, _ := newDirect(db, g, 10)
			start(t, d)
			release := g.hold(t, "Z reply")
			direct(t, db, d, msg("z:1", "Z", "Z reply"))
			g.waitStarted(t, "Z reply")

			// Say an officer's answer to the same chat, enqueued as the
			// desk does: Enqueue, then Wake.
			if _, err := outbox.Enqueue(context.Background(), db, msg("z:officer", "Z", "Z officer")); err != nil {
				t.Fatal(err)
			}
			d.Wake()
			waitSettled(t) // the woken worker found z:officer held back

			release()
			receive(t, g.fakeSender, "Z reply")
			waitStatus(t, db, "z:1", outbox.Sent)
			receiveWithin(t, g.fakeSender, promptly, "Z officer")
		})
	})
}

// A transaction that calls EnqueueClaimed twice on one Claim (Reserve(2),
// one reply each time) loses the rows of the first call: EnqueueClaimed
// starts c.rows afresh, so Deliver never sends them, and they stay
// 'sending' under the claim's lease until another claim takes them over
// when the lease ends (2 minutes by default), holding back their chat
// meanwhile.
func TestDirectSeveralEnqueueClaimedOnOneClaim(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		s := &fakeSender{notify: make(chan bots.Outgoing, 8)}
		d, _ := newDirect(db, s, 10)
		start(t, d)
		c := reserve(t, d, 2)
		err := db.InTx(ctx, func(tx *sqlx.Tx) error {
			for _, m := range []outbox.Message{msg("many:a", "A", "to A"), msg("many:b", "B", "to B")} {
				if n, err := outbox.EnqueueClaimed(ctx, tx, c, m); err != nil || n != 1 {
					return errors.Join(err, errors.New("EnqueueClaimed did not insert the row"))
				}
			}
			return nil
		})
		if err != nil {
			c.Release()
			t.Fatal(err)
		}
		if c.Deliver() {
			d.Wake()
		}
		receiveWithin(t, s, promptly, "to A", "to B")
	})
}

// EnqueueClaimed with a key repeated in msgs stores the first message, as
// Enqueue does, but hands the last one to the dispatcher (its map from key
// to message keeps the last), so what the platform gets is not what the
// outbox holds (and resends after a hand-back or a crash).
func TestDirectDeliveryOfARepeatedKeySendsTheStoredMessage(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		s := &fakeSender{notify: make(chan bots.Outgoing, 8)}
		d, _ := newDirect(db, s, 10)
		start(t, d)
		c := reserve(t, d, 2)
		if n := enqueueClaimed(t, db, c, msg("rep", "A", "first"), msg("rep", "A", "second")); n != 1 {
			t.Fatalf("EnqueueClaimed = %d, want 1", n)
		}
		stored := get(t, db, "rep").Out.Text
		if stored != "first" {
			t.Errorf("stored %q, want the first message, as Enqueue keeps", stored)
		}
		c.Deliver()
		select {
		case o := <-s.notify:
			if o.Text != stored {
				t.Errorf("sent %q, but the outbox row holds %q", o.Text, stored)
			}
		case <-time.After(waitFor):
			t.Fatal("nothing sent")
		}
	})
}

// A message scheduled for later (tomorrow's reminder) does not make its
// chat busy: a reply enqueued now is claimed and sent directly, and the
// reminder keeps waiting.
func TestDirectDeliveryPassesMessagesScheduledForLater(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		s := &fakeSender{notify: make(chan bots.Outgoing, 8)}
		d, _ := newDirect(db, s, 2)
		start(t, d)

		later := msg("reminder:X:tomorrow", "X", "besok pelatihan")
		later.NotBefore = time.Now().Add(24 * time.Hour)
		if _, err := outbox.Enqueue(ctx, db, later); err != nil {
			t.Fatal(err)
		}
		c := reserve(t, d, 1)
		enqueueClaimed(t, db, c, msg("reply:X:0", "X", "jawaban"))
		if r := get(t, db, "reply:X:0"); r.Status != outbox.Sending {
			t.Fatalf("reply went in %s; a message due tomorrow must not hold it back", r.Status)
		}
		if c.Deliver() {
			t.Error("Deliver = true; nothing was enqueued pending")
		}
		receive(t, s, "jawaban")
		waitStatus(t, db, "reply:X:0", outbox.Sent)
		if r := get(t, db, "reminder:X:tomorrow"); r.Status != outbox.Pending {
			t.Errorf("reminder is %s, want still pending", r.Status)
		}
	})
}

// A reply in several parts, claimed together: when the first part must be
// tried again (a 429), the next one is handed back instead of sent, so
// the parts never arrive out of order.
func TestDirectDeliveryKeepsPartsInOrderAcrossARetry(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		clk := newClock()
		first := true
		s := &fakeSender{notify: make(chan bots.Outgoing, 8), script: func(_ int, out bots.Outgoing) error {
			if out.Text == "bagian 1" && first { // script runs under the sender's lock
				first = false
				return &bots.SendError{RetryAfter: 30 * time.Second, Err: errors.New("Too Many Requests")}
			}
			return nil
		}}
		d, _ := newDispatcher(db, clk, s)
		d.PollInterval, d.Direct = time.Hour, 10
		start(t, d)

		direct(t, db, d, msg("part:0", "A", "bagian 1"), msg("part:1", "A", "bagian 2"))
		eventually(t, "both parts to be recorded", func() bool {
			return get(t, db, "part:0").Status == outbox.Pending && get(t, db, "part:1").Status == outbox.Pending
		})
		if sent := s.Sent(); len(sent) != 0 {
			t.Fatalf("sent %+v while the first part waits for its retry_after; want nothing", sent)
		}
		if r := get(t, db, "part:1"); r.Attempts != 0 {
			t.Errorf("handed-back part has %d attempts, want 0 (it was not tried)", r.Attempts)
		}

		clk.Advance(31 * time.Second)
		d.Wake()
		receive(t, s, "bagian 1", "bagian 2")
	})
}

// TestDirectTransientGoesOnceSent: a transient reply delivered directly
// is deleted once its send is recorded.
func TestDirectTransientGoesOnceSent(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		s := &fakeSender{notify: make(chan bots.Outgoing, 8)}
		d, logs := newDirect(db, s, 2)
		start(t, d)
		m := msg("reply:1:0", "A", "Data Anda sudah kami hapus.")
		m.Transient = true
		c := reserve(t, d, 1)
		if n := enqueueClaimed(t, db, c, m); n != 1 {
			t.Fatalf("EnqueueClaimed = %d, want 1", n)
		}
		if r := get(t, db, "reply:1:0"); r.Status != outbox.Sending {
			t.Fatalf("before Deliver: %+v; want it claimed for direct delivery", r)
		}
		c.Deliver()
		receive(t, s, "Data Anda sudah kami hapus.")
		eventually(t, "the transient row to go", func() bool {
			_, err := outbox.New(db).Get(context.Background(), "reply:1:0")
			return errors.Is(err, outbox.ErrNotFound)
		})
		if strings.Contains(logs.String(), "level=WARN") {
			t.Errorf("unexpected warnings:\n%s", logs.String())
		}
	})
}

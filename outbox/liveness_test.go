package outbox_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/outbox"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

// claimFor leaves the row with key claimed as a dispatcher with the given
// heartbeat id leaves it: 'sending', its lease (two minutes) still running.
func claimFor(t *testing.T, db *storage.DB, key, dispatcher string) {
	t.Helper()
	if _, err := db.ExecContext(context.Background(), db.Rebind(`UPDATE outbox SET status = 'sending', attempts = 1,
		lease_until = ?, claim_token = ? WHERE idempotency_key = ?`), time.Now().Add(2*time.Minute).UTC(), dispatcher+"0123456789abcdef", key); err != nil {
		t.Fatal(err)
	}
}

// beat writes a heartbeat as a dispatcher's last one: alive until until.
func beat(t *testing.T, db *storage.DB, dispatcher string, until time.Time) {
	t.Helper()
	if _, err := db.ExecContext(context.Background(), db.Rebind(`INSERT INTO outbox_dispatchers (id, alive_until) VALUES (?, ?)`), dispatcher, until.UTC()); err != nil {
		t.Fatal(err)
	}
}

// TestDeadDispatchersClaimsAreReleasedWithinSeconds is a process killed
// while sending: its row stays 'sending' under a lease of two minutes and
// its heartbeat stops. A dispatcher started afterwards sends that row, and
// the chat's messages behind it in order, as soon as the heartbeat has run
// out, not at the lease's end; another chat is served meanwhile.
func TestDeadDispatchersClaimsAreReleasedWithinSeconds(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		if _, err := outbox.Enqueue(ctx, db, msg("a1", "A", "a1"), msg("b1", "B", "b1"), msg("a2", "A", "a2")); err != nil {
			t.Fatal(err)
		}
		const dead = "deaddeaddeaddead"
		claimFor(t, db, "a1", dead)
		beat(t, db, dead, time.Now().Add(time.Second))
		s := &fakeSender{notify: make(chan bots.Outgoing, 8)}
		d, _ := newDirect(db, s, 0)
		d.PollInterval, d.Alive = 50*time.Millisecond, time.Second
		reg := prometheus.NewRegistry()
		if err := d.RegisterMetrics(reg); err != nil {
			t.Fatal(err)
		}
		started := time.Now()
		start(t, d)
		receive(t, s, "b1") // not held back by chat A
		receive(t, s, "a1", "a2")
		// Within seconds alone; the bound only has to fall well before the
		// lease's end, which a loaded machine cannot reach by stalling.
		if took := time.Since(started); took > outbox.DefaultLease/2 {
			t.Errorf("the dead dispatcher's claim was released after %s; want within seconds, not at the lease's end (%s)", took, outbox.DefaultLease)
		}
		if r := get(t, db, "a1"); r.Attempts != 2 {
			t.Errorf("a1 attempts = %d; the dead claim counts as one", r.Attempts)
		}
		if n := counterValue(t, reg, "outbox_released_total"); n != 1 {
			t.Errorf("outbox_released_total = %v; want the one dead claim", n)
		}
	})
}

// TestLiveDispatchersClaimsAreKept: a dispatcher whose send takes longer
// than several heartbeats keeps its claim; another dispatcher running
// beside it (another replica, or hub chat beside hub serve) neither sends
// that row nor the chat's next one, and still serves other chats.
func TestLiveDispatchersClaimsAreKept(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		slow := newGatedSender()
		first, _ := newDirect(db, slow, 0)
		// Alive is long enough that a loaded machine's stalls do not make
		// a live dispatcher look dead, and short enough that the check
		// below spans several of its lifetimes.
		const alive = time.Second
		// One worker, busy with a1: b1 can only go through the second.
		first.Workers, first.PollInterval, first.Alive = 1, 20*time.Millisecond, alive
		start(t, first)
		release := slow.hold(t, "a1")
		if _, err := outbox.Enqueue(ctx, db, msg("a1", "A", "a1"), msg("a2", "A", "a2")); err != nil {
			t.Fatal(err)
		}
		first.Wake()
		slow.waitStarted(t, "a1")

		other := &fakeSender{notify: make(chan bots.Outgoing, 8)}
		second, _ := newDirect(db, other, 0)
		second.PollInterval, second.Alive = 20*time.Millisecond, alive
		start(t, second)
		// Three of the first one's lifetimes, fifteen of its heartbeats,
		// and as many of the second's releases.
		if _, err := outbox.Enqueue(ctx, db, msg("b1", "B", "b1")); err != nil {
			t.Fatal(err)
		}
		second.Wake()
		receive(t, other, "b1")
		deadline := time.Now().Add(3 * alive)
		for time.Now().Before(deadline) {
			if r := get(t, db, "a1"); r.Status != outbox.Sending {
				t.Fatalf("a1 is %s while its dispatcher sends it; want sending", r.Status)
			}
			time.Sleep(10 * time.Millisecond)
		}
		release()
		waitStatus(t, db, "a2", outbox.Sent)
		if r := get(t, db, "a1"); r.Status != outbox.Sent || r.Attempts != 1 {
			t.Errorf("a1 = %s after %d attempts; want sent once", r.Status, r.Attempts)
		}
		for _, out := range other.Sent() {
			if out.Text == "a1" {
				t.Error("the second dispatcher sent a1, claimed by a live one")
			}
		}
	})
}

// TestWaitingChatDoesNotHoldBackOthers: a chat whose head waits (a retry
// after a 429's retry_after, or a live claim) is passed over, its later
// messages kept behind it, while the chats after it are served in order.
func TestWaitingChatDoesNotHoldBackOthers(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		if _, err := outbox.Enqueue(ctx, db, msg("a1", "A", "a1"), msg("c1", "C", "c1"), msg("a2", "A", "a2"),
			msg("c2", "C", "c2"), msg("b1", "B", "b1"), msg("b2", "B", "b2")); err != nil {
			t.Fatal(err)
		}
		clk := newClock()
		// a1 was told to come back in an hour; c1 is being sent by a live
		// dispatcher.
		if _, err := db.ExecContext(ctx, db.Rebind(`UPDATE outbox SET next_attempt_at = ? WHERE idempotency_key = 'a1'`), clk.Now().Add(time.Hour).UTC()); err != nil {
			t.Fatal(err)
		}
		const live = "1111111111111111"
		claimFor(t, db, "c1", live)
		beat(t, db, live, clk.Now().Add(time.Hour))
		s := &fakeSender{}
		d, _ := newDispatcher(db, clk, s)
		drain(t, d)
		if got := texts(s.Sent(), ""); got != "b1 b2" {
			t.Fatalf("sent %q; want chat B in order, chats A and C waiting", got)
		}
		// An hour on, a1 is due and c1's lease has run out too.
		clk.Advance(time.Hour)
		drain(t, d)
		for chat, want := range map[string]string{"A": "a1 a2", "B": "b1 b2", "C": "c1 c2"} {
			if got := texts(s.Sent(), chat); got != want {
				t.Errorf("chat %s got %q; want %q", chat, got, want)
			}
		}
	})
}

// texts lists the texts sent to chat (to any chat when chat is empty), in
// order, separated by spaces.
func texts(outs []bots.Outgoing, chat string) string {
	var got []string
	for _, o := range outs {
		if chat == "" || o.ChatID == chat {
			got = append(got, o.Text)
		}
	}
	return strings.Join(got, " ")
}

// TestDispatchersCountTheirPeers: each running dispatcher learns, at every
// heartbeat, how many dispatchers are alive on the database (two replicas
// here), so that the senders can split an overall rate limit between them;
// when one stops, the other learns that it sends alone.
func TestDispatchersCountTheirPeers(t *testing.T) {
	db := storagetest.Open(t, storage.Postgres)
	var peers [2]atomic.Int32
	var runners [2]*runner
	for i := range runners {
		d, _ := newDirect(db, &fakeSender{}, 0)
		d.Alive = 250 * time.Millisecond
		d.Peers = func(n int) { peers[i].Store(int32(n)) }
		runners[i] = start(t, d)
	}
	eventually(t, "both dispatchers to count two", func() bool { return peers[0].Load() == 2 && peers[1].Load() == 2 })
	runners[1].stop()
	eventually(t, "the remaining dispatcher to count itself alone", func() bool { return peers[0].Load() == 1 })
}

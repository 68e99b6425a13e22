package outbox

import (
	"context"
	"fmt"
	"time"

	"github.com/tebingtinggi/hub/bots"
)

// Liveness: while Run runs, the dispatcher renews its row in
// outbox_dispatchers every beat (a fifth of Alive), saying it is alive
// until now + Alive. Its claim tokens start with its id. On each beat it
// also releases, back to pending, the rows whose claim has ended (see
// releaseSQL). Releasing rather than claiming them lets the ordinary claim
// take them, in each chat's order, with everything else.

// beatSQL writes the dispatcher's heartbeat.
const beatSQL = `INSERT INTO outbox_dispatchers (id, alive_until) VALUES (?, ?)
ON CONFLICT (id) DO UPDATE SET alive_until = excluded.alive_until`

// releaseSQL hands back the claims that ended. A claim ends
//  1. when its dispatcher (the token's first idLen characters) is known
//     dead: its heartbeat has run out, or it stopped. This is the crash
//     case, and it takes seconds;
//  2. when its lease has run out and its dispatcher has no heartbeat
//     (DispatchOnce without Run, or one dead for so long that its row was
//     forgotten).
//
// A dispatcher never releases its own claims, even when its own heartbeat
// failed to renew (a busy SQLite): it is alive, and its sends may be under
// way. A live dispatcher's claim is never taken from it, not even at the end of
// its lease: its send may have gone out with the outcome still on its way
// to the database (a busy SQLite, a slow disk), and taking the row over
// would send it twice. It records or hands back what it claims; what it
// fails to record is released when it stops or dies. The claim already
// counted as an attempt, so a message that kills its dispatcher every
// time is still given up after MaxAttempts. Only 'sending' rows are read,
// a few per running dispatcher, through outbox_leased.
const releaseSQL = `UPDATE outbox SET status = 'pending', lease_until = NULL
WHERE status = 'sending' AND substr(claim_token, 1, 16) <> ? AND (
	substr(claim_token, 1, 16) IN (SELECT id FROM outbox_dispatchers WHERE alive_until <= ?)
	OR (lease_until <= ? AND substr(claim_token, 1, 16) NOT IN (SELECT id FROM outbox_dispatchers)))
RETURNING platform`

// forgetSQL deletes the heartbeats of dispatchers dead for longer than a
// lease: every claim they made has ended by then anyway.
const forgetSQL = `DELETE FROM outbox_dispatchers WHERE alive_until <= ?`

func (d *Dispatcher) alive() time.Duration { return orDefault(d.Alive, DefaultAlive) }

// heartbeat renews the dispatcher's heartbeat and releases the claims that
// ended. Failures are logged: the next beat tries again, and meanwhile
// late stops the sends that would risk going out twice.
func (d *Dispatcher) heartbeat(ctx context.Context) {
	now := utc(d.now())
	if _, err := d.DB.ExecContext(ctx, d.DB.Rebind(beatSQL), d.id, now.Add(d.alive())); err != nil {
		d.logger().Warn("outbox: unable to renew the dispatcher's heartbeat", "error", err)
	} else {
		// Others read the row with their own clocks: stop starting sends
		// one beat before it runs out.
		d.safeUntil.Store(now.Add(d.alive() - d.alive()/5).UnixNano())
	}
	n, err := d.releaseDead(ctx, now)
	if err != nil {
		d.logger().Warn("outbox: unable to release ended claims", "error", err)
	}
	if n > 0 {
		d.logger().Info("outbox: released the claims of a dispatcher that stopped", "messages", n)
		d.Wake()
	}
	if _, err := d.DB.ExecContext(ctx, d.DB.Rebind(forgetSQL), now.Add(-orDefault(d.Lease, DefaultLease))); err != nil {
		d.logger().Warn("outbox: unable to forget dead dispatchers", "error", err)
	}
	if d.Peers != nil {
		var n int
		if err := d.DB.GetContext(ctx, &n, d.DB.Rebind(`SELECT COUNT(*) FROM outbox_dispatchers WHERE alive_until > ?`), now); err != nil {
			d.logger().Warn("outbox: unable to count the live dispatchers", "error", err)
		} else {
			d.Peers(max(n, 1))
		}
	}
}

// releaseDead hands back the claims that ended by now and says how many.
func (d *Dispatcher) releaseDead(ctx context.Context, now time.Time) (int, error) {
	var platforms []string
	if err := d.DB.SelectContext(ctx, &platforms, d.DB.Rebind(releaseSQL), d.id, now, now); err != nil {
		return 0, fmt.Errorf("outbox: unable to release ended claims: %w", err)
	}
	for _, p := range platforms {
		d.metrics.released(bots.Platform(p))
	}
	return len(platforms), nil
}

// heartbeatLoop beats until stop is closed.
func (d *Dispatcher) heartbeatLoop(stop <-chan struct{}) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ticker := time.NewTicker(d.alive() / 5)
	defer ticker.Stop()
	for {
		select {
		case <-stop:
			return
		case <-ticker.C:
			d.heartbeat(ctx)
		}
	}
}

// stopped marks the dispatcher dead when Run ends, having finished or
// handed back its claims: a claim it made that is left (a direct delivery
// whose transaction commits later, in a process that then dies) is
// released at once rather than at its lease's end.
func (d *Dispatcher) stopped() {
	d.safeUntil.Store(0)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := d.DB.ExecContext(ctx, d.DB.Rebind(`UPDATE outbox_dispatchers SET alive_until = ? WHERE id = ?`), utc(d.now()), d.id); err != nil {
		d.logger().Warn("outbox: unable to mark the dispatcher stopped", "error", err)
	}
}

// late reports whether the heartbeat is too old to start a send at now:
// others may release this dispatcher's claims soon.
func (d *Dispatcher) late(now time.Time) bool {
	safe := d.safeUntil.Load()
	return safe != 0 && now.UnixNano() > safe
}

package outbox

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/tebingtinggi/hub/bots"

	"github.com/tebingtinggi/hub/storage"
)

// Direct delivery: a reply enqueued while a Dispatcher runs in the same
// process is claimed for that dispatcher by the INSERT that records it,
// and handed to it as soon as the transaction commits. The reply then
// skips the round trip through the database that a claim costs (and the
// wait for a worker to wake up and make it), which is most of the work of
// answering a chat update. Everything else stays as for claimed rows: the
// row is 'sending' under a lease, so if this process dies before it
// records the outcome another dispatcher takes the row over when the lease
// ends; and a chat that has undelivered rows already gets its new rows as
// pending, to go out after the others, in order.

// DefaultDirect is how many directly claimed replies may wait for one
// dispatcher at once; beyond it replies are enqueued as pending.
const DefaultDirect = 1000

// Claim is room on a running Dispatcher for replies that a transaction
// enqueues with EnqueueClaimed. After the transaction, call Deliver if it
// committed or Release if it did not; both may be called on a nil Claim.
type Claim struct {
	d          *Dispatcher
	token      string
	claimedAt  time.Time
	leaseUntil time.Time
	slots      int
	rows       []claimed
	behind     bool // some rows went in as pending behind the chat's others
}

// Reserve makes room for n replies to be claimed as they are enqueued. It
// returns nil when the dispatcher is not running or has no room: the
// replies are then enqueued as pending, as with Enqueue.
func (d *Dispatcher) Reserve(n int) *Claim {
	if d == nil || n <= 0 {
		return nil
	}
	d.setup()
	d.directMu.Lock()
	defer d.directMu.Unlock()
	if d.directCtx == nil || d.directCtx.Err() != nil || d.direct+n > orDefault(d.Direct, DefaultDirect) {
		return nil
	}
	d.direct += n
	now := d.now()
	return &Claim{d: d, token: newToken(), claimedAt: now,
		leaseUntil: utc(now.Add(orDefault(d.Lease, DefaultLease))), slots: n}
}

// free gives back n reserved slots.
func (d *Dispatcher) free(n int) {
	d.directMu.Lock()
	d.direct -= n
	d.directMu.Unlock()
}

// Release gives the room back without delivering: the transaction that
// enqueued the replies rolled back, so no row exists.
func (c *Claim) Release() {
	if c == nil || c.slots == 0 {
		return
	}
	c.d.free(c.slots)
	c.slots, c.rows = 0, nil
}

// Deliver hands the claimed rows to the dispatcher, to be sent at once,
// after the transaction that enqueued them committed. It does not wait
// for the sends. It reports whether some rows were enqueued as pending
// instead (their chat had undelivered rows already): a worker must be
// woken for those.
func (c *Claim) Deliver() (pending bool) {
	if c == nil {
		return false
	}
	rows, slots, behind := c.rows, c.slots, c.behind
	c.slots, c.rows = 0, nil
	d := c.d
	if len(rows) < slots {
		d.free(slots - len(rows))
	}
	if len(rows) == 0 {
		return behind
	}
	d.directMu.Lock()
	ctx := d.directCtx
	running := ctx != nil && ctx.Err() == nil
	if running {
		d.directWG.Add(1)
	}
	d.directMu.Unlock()
	if !running {
		// Run has returned: hand the rows back for the next dispatcher.
		d.free(len(rows))
		outs := make([]outcome, len(rows))
		for i := range outs {
			outs[i] = outcome{status: Pending, release: true}
		}
		if err := d.record(context.Background(), rows, outs); err != nil {
			d.logger().Warn("outbox: unable to hand back messages", "error", err)
		}
		return true
	}
	go func() {
		defer d.directWG.Done()
		outs := d.send(ctx, c.claimedAt, rows)
		d.free(len(rows))
		d.results <- recordJob{rows: rows, outs: outs}
	}()
	return behind
}

// recordJob is the outcome of one direct delivery, for the recorder.
type recordJob struct {
	rows []claimed
	outs []outcome
}

// maxRecord bounds the rows recorded by one statement.
const maxRecord = 500

// recordLoop records the outcomes of direct deliveries, each time all
// those that arrived meanwhile together, until stop is closed and nothing
// is left. One goroutine writing in batches keeps the deliveries from
// taking connections from the chat updates one each.
func (d *Dispatcher) recordLoop(stop <-chan struct{}) {
	for {
		var job recordJob
		select {
		case job = <-d.results:
		case <-stop:
			select {
			case job = <-d.results:
			default:
				return
			}
		}
		rows, outs := job.rows, job.outs
	gather:
		for len(rows) < maxRecord {
			select {
			case more := <-d.results:
				rows, outs = append(rows, more.rows...), append(outs, more.outs...)
			default:
				break gather
			}
		}
		if err := d.record(context.Background(), rows, outs); err != nil {
			d.logger().Warn("outbox: unable to record sent messages", "error", err)
		}
		if d.heldBack.Swap(false) {
			// Rows of these chats may wait behind the ones just recorded.
			d.Wake()
		}
	}
}

// Querier is a transaction (or database handle) that EnqueueClaimed
// writes through.
type Querier interface {
	Execer
	SelectContext(ctx context.Context, dest any, query string, args ...any) error
}

// EnqueueClaimed is Enqueue for replies to be delivered directly: the rows
// of msgs whose chat has no undelivered rows are inserted already claimed
// under c. With a nil c, messages to more than one chat or more than
// enqueueBatch messages, it is Enqueue. q must belong to c's dispatcher's
// database.
func EnqueueClaimed(ctx context.Context, q Querier, c *Claim, msgs ...Message) (int, error) {
	if c == nil || len(msgs) == 0 || len(msgs) > enqueueBatch || len(msgs) > c.slots {
		return Enqueue(ctx, q, msgs...)
	}
	platform, chat := msgs[0].Out.Platform, msgs[0].Out.ChatID
	for _, m := range msgs {
		if m.Out.Platform != platform || m.Out.ChatID != chat || !m.NotBefore.IsZero() {
			return Enqueue(ctx, q, msgs...)
		}
	}
	d := c.d
	if d.Senders[platform] == nil || (len(d.Platforms) > 0 && !slices.Contains(d.Platforms, platform)) {
		return Enqueue(ctx, q, msgs...)
	}
	rows, err := encodeRows(msgs)
	if err != nil {
		return 0, err
	}
	// The rows go in claimed unless the chat has undelivered rows, which
	// then go first. INSERT … SELECT rather than VALUES, so that every row
	// reads the one test; PostgreSQL then needs the parameters' types.
	val, ts, js := "?", "?", "?"
	if d.DB.Dialect == storage.Postgres {
		ts, js = "CAST(? AS timestamptz)", "CAST(? AS jsonb)"
	}
	row := `SELECT ` + val + `, ` + val + `, ` + val + `, ` + js + `, ` + ts + `, ` + ts + `, ` + ts + `, ` + ts + `,
		CASE WHEN b.busy THEN 'pending' ELSE 'sending' END, CASE WHEN b.busy THEN 0 ELSE 1 END,
		CASE WHEN b.busy THEN NULL ELSE ` + ts + ` END, CASE WHEN b.busy THEN '' ELSE ? END
		FROM b WHERE 1 = 1`
	var sb strings.Builder
	sb.WriteString(`WITH b AS (SELECT EXISTS (SELECT 1 FROM outbox e
			WHERE e.platform = ? AND e.chat_id = ? AND e.status IN ('pending', 'sending')) AS busy)
		INSERT INTO outbox (idempotency_key, platform, chat_id, payload, not_before, next_attempt_at, expires_at, created_at,
			status, attempts, lease_until, claim_token) `)
	args := make([]any, 0, 2+len(rows)/perRow*(perRow+2))
	args = append(args, string(platform), chat)
	for i := 0; i < len(rows); i += perRow {
		if i > 0 {
			sb.WriteString(" UNION ALL ")
		}
		sb.WriteString(row)
		args = append(args, rows[i:i+perRow]...)
		args = append(args, c.leaseUntil, c.token)
	}
	sb.WriteString(` ON CONFLICT (idempotency_key) DO NOTHING
		RETURNING id, idempotency_key, platform, chat_id, attempts, expires_at, status`)
	var got []enqueued
	if err := q.SelectContext(ctx, &got, q.Rebind(sb.String()), args...); err != nil {
		return 0, fmt.Errorf("outbox: unable to insert messages: %w", err)
	}
	slices.SortFunc(got, func(a, b enqueued) int { return cmp.Compare(a.ID, b.ID) })
	outs := make(map[string]*bots.Outgoing, len(msgs))
	for i := range msgs {
		outs[msgs[i].Key] = &msgs[i].Out
	}
	c.rows = c.rows[:0]
	for _, g := range got {
		// The message is at hand: no need to read its payload back.
		g.token, g.out = c.token, outs[g.Key]
		if g.Status == string(Sending) {
			c.rows = append(c.rows, g.claimed)
		} else {
			c.behind = true
			d.heldBack.Store(true)
		}
	}
	return len(got), nil
}

// enqueued is a row EnqueueClaimed inserted.
type enqueued struct {
	claimed
	Status string `db:"status"`
}

var _ Querier = (*sqlx.Tx)(nil)

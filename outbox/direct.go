package outbox

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"sync"
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
// pending, to go out after the others, in order. (Two updates of one chat
// committed at the same moment, from two people in a group or in two
// processes, may both find it idle and be sent in parallel, in no set
// order, as concurrent updates have none.)

// DefaultDirect is how many directly claimed replies may be on their way
// through one dispatcher at once (until sent and handed to the recorder);
// beyond it replies are enqueued as pending, for the workers. About seven
// seconds of Telegram's 30 messages a second: more would wait on the
// sender's rate limit longer than is useful.
const DefaultDirect = 200

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
	return &Claim{d: d, token: d.newToken(), claimedAt: now,
		leaseUntil: utc(now.Add(orDefault(d.Lease, DefaultLease))), slots: n}
}

// free gives back n reserved slots.
func (d *Dispatcher) free(n int) {
	d.directMu.Lock()
	d.direct -= n
	d.directMu.Unlock()
}

// Release gives the room back without delivering, when the transaction
// that enqueued the replies failed. (Should it have committed after all,
// its claimed rows are sent when their lease ends.)
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
		if _, err := d.record(context.Background(), rows, outs, false); err != nil {
			d.logger().Warn("outbox: unable to hand back messages", "error", err)
		}
		return true
	}
	go func() {
		defer d.directWG.Done()
		outs := d.send(ctx, c.claimedAt, rows, nil)
		d.free(len(rows))
		d.results <- recordJob{rows: rows, outs: outs}
	}()
	return behind
}

// recordJob is the outcome of one direct delivery, or of one chat of a
// worker's batch, for the recorder. done, when set, is called once the
// outcomes are recorded (or given up on).
type recordJob struct {
	rows []claimed
	outs []outcome
	done func()
}

// maxRecord bounds the rows recorded by one statement, and recordGather
// how long the recorder waits for more before writing.
const (
	maxRecord    = 500
	recordGather = 5 * time.Millisecond
)

// recordLoop records the outcomes of direct deliveries and of the
// workers' chats (see dispatch), each time all those that arrived
// meanwhile together, until stop is closed and nothing is left. One
// goroutine writing in batches keeps the deliveries from taking
// connections from the chat updates one each.
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
		jobs := []recordJob{job}
		rows, outs := job.rows, job.outs
		// Gather what comes within a moment: under load one statement
		// then records dozens of messages instead of one or two. The
		// messages are out already; only the chat's next claim waits.
		gatherer := time.NewTimer(recordGather)
	gather:
		for len(rows) < maxRecord {
			select {
			case more := <-d.results:
				jobs = append(jobs, more)
				rows, outs = append(rows, more.rows...), append(outs, more.outs...)
			case <-gatherer.C:
				break gather
			case <-stop:
				break gather
			}
		}
		gatherer.Stop()
		waiting, err := d.record(context.Background(), rows, outs, true)
		for pause := 250 * time.Millisecond; err != nil && pause <= 2*time.Second; pause *= 2 {
			// Unrecorded, the rows would be sent again when their lease
			// ends: worth a few tries while the database recovers.
			d.logger().Warn("outbox: unable to record sent messages; retrying", "error", err, "retry_in", pause)
			time.Sleep(pause)
			waiting, err = d.record(context.Background(), rows, outs, true)
		}
		if err != nil {
			d.logger().Error("outbox: unable to record sent messages; they will be sent again when their lease ends",
				"error", err, "messages", len(rows))
		}
		for _, j := range jobs {
			if j.done != nil {
				j.done()
			}
		}
		if waiting {
			// Messages of these chats wait behind the ones just recorded.
			d.Wake()
		}
	}
}

// Querier is the transaction EnqueueClaimed writes through.
type Querier interface {
	Execer
	SelectContext(ctx context.Context, dest any, query string, args ...any) error
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// EnqueueClaimed is Enqueue for replies to be delivered directly: the rows
// of msgs whose chat has no undelivered rows are inserted already claimed
// under c, in the caller's transaction q. With a nil c, messages to more
// than one chat or more than enqueueBatch messages, messages for later,
// for a platform the dispatcher does not serve or with a condition, it is
// Enqueue (and c's Deliver reports the rows as pending). q must belong to
// c's dispatcher's database.
func EnqueueClaimed(ctx context.Context, q Querier, c *Claim, msgs ...Message) (int, error) {
	if c == nil || len(msgs) == 0 {
		return Enqueue(ctx, q, msgs...)
	}
	pending := func() (int, error) {
		n, err := Enqueue(ctx, q, msgs...)
		if n > 0 {
			c.behind = true
		}
		return n, err
	}
	if len(msgs) > enqueueBatch || len(c.rows)+len(msgs) > c.slots {
		return pending()
	}
	platform, chat := msgs[0].Out.Platform, msgs[0].Out.ChatID
	for _, m := range msgs {
		// A message with a condition is checked before it is sent, which
		// direct delivery does not do; replies have none.
		if m.Out.Platform != platform || m.Out.ChatID != chat || !m.NotBefore.IsZero() || m.Condition != "" {
			return pending()
		}
	}
	d := c.d
	if d.Senders[platform] == nil || (len(d.Platforms) > 0 && !slices.Contains(d.Platforms, platform)) ||
		(len(d.Chats) > 0 && !slices.Contains(d.Chats, chat)) {
		return pending()
	}
	rows, err := encodeRows(msgs)
	if err != nil {
		return 0, err
	}
	n := len(rows) / perRow
	args := make([]any, 0, 3+n*(perRow+2))
	args = append(args, string(platform), chat, rows[4]) // the rows' not_before
	for i := 0; i < len(rows); i += perRow {
		args = append(args, rows[i:i+perRow]...)
		args = append(args, c.leaseUntil, c.token)
	}
	got, err := scanEnqueued(q.QueryContext(ctx, claimedInsert(q, d.DB.Dialect, n), args...))
	if err != nil {
		return 0, fmt.Errorf("outbox: unable to insert messages: %w", err)
	}
	slices.SortFunc(got, func(a, b enqueued) int { return cmp.Compare(a.ID, b.ID) })
	outs := make(map[string]*bots.Outgoing, len(msgs))
	for i := range msgs {
		if outs[msgs[i].Key] == nil { // a repeated key: the first one is stored
			outs[msgs[i].Key] = &msgs[i].Out
		}
	}
	for _, g := range got {
		// The message is at hand: no need to read its payload back.
		g.token, g.out = c.token, outs[g.Key]
		if g.Status == string(Sending) {
			c.rows = append(c.rows, g.claimed)
		} else {
			c.behind = true
		}
	}
	return len(got), nil
}

// insertShape is what EnqueueClaimed's statement text depends on.
type insertShape struct {
	dialect storage.Dialect
	rows    int
}

// insertTexts caches EnqueueClaimed's statements by shape: building and
// rebinding the text anew was a quarter of what a chat update allocated.
var insertTexts sync.Map // insertShape → string

// claimedInsert is the statement that inserts rows messages of one chat,
// claimed unless the chat has undelivered rows (which then go first). Its
// parameters: platform, chat id and the rows' not_before, then each row's
// values (encodeRows), lease and token.
func claimedInsert(q Querier, dialect storage.Dialect, rows int) string {
	key := insertShape{dialect: dialect, rows: rows}
	// A reply has a few parts; other shapes are built each time.
	cacheable := rows <= 8
	if cacheable {
		if text, ok := insertTexts.Load(key); ok {
			return text.(string)
		}
	}
	// INSERT … SELECT rather than VALUES, so that every row reads the one
	// test; PostgreSQL then needs the parameters' types.
	ts, js, bs := "?", "?", "?"
	if dialect == storage.Postgres {
		ts, js, bs = "CAST(? AS timestamptz)", "CAST(? AS jsonb)", "CAST(? AS boolean)"
	}
	row := `SELECT ?, ?, ?, ` + js + `, ` + ts + `, ` + ts + `, ` + ts + `, ` + ts + `, ?, ` + bs + `,
		CASE WHEN b.busy THEN 'pending' ELSE 'sending' END, CASE WHEN b.busy THEN 0 ELSE 1 END,
		CASE WHEN b.busy THEN NULL ELSE ` + ts + ` END, CASE WHEN b.busy THEN '' ELSE ? END
		FROM b WHERE TRUE`
	var sb strings.Builder
	// As for a claim, a message scheduled for later does not hold the
	// chat's earlier ones back. MATERIALIZED: the test runs once, not once
	// for each CASE that reads it.
	sb.WriteString(`WITH b AS MATERIALIZED (SELECT EXISTS (SELECT 1 FROM outbox e
			WHERE e.platform = ? AND e.chat_id = ? AND e.status IN ('pending', 'sending')
			AND e.not_before <= ` + ts + `) AS busy)
		INSERT INTO outbox (idempotency_key, platform, chat_id, payload, not_before, next_attempt_at, expires_at, created_at,
			send_condition, transient, status, attempts, lease_until, claim_token) `)
	for i := range rows {
		if i > 0 {
			sb.WriteString(" UNION ALL ")
		}
		sb.WriteString(row)
	}
	sb.WriteString(` ON CONFLICT (idempotency_key) DO NOTHING
		RETURNING id, idempotency_key, platform, chat_id, attempts, expires_at, transient, status`)
	text := q.Rebind(sb.String())
	if cacheable {
		insertTexts.Store(key, text)
	}
	return text
}

// enqueued is a row EnqueueClaimed inserted.
type enqueued struct {
	claimed
	Status string `db:"status"`
}

// scanEnqueued reads the rows of claimedInsert's RETURNING list.
func scanEnqueued(rows *sql.Rows, err error) ([]enqueued, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var got []enqueued
	for rows.Next() {
		var e enqueued
		var expires sql.NullTime
		if err := rows.Scan(&e.ID, &e.Key, &e.Platform, &e.ChatID, &e.Attempts, &expires, &e.Transient, &e.Status); err != nil {
			return nil, err
		}
		if expires.Valid {
			e.ExpiresAt = &expires.Time
		}
		got = append(got, e)
	}
	return got, rows.Err()
}

var _ Querier = (*sqlx.Tx)(nil)

package outbox

import (
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/internal/panics"
	"github.com/tebingtinggi/hub/storage"
)

// Dispatcher defaults.
const (
	DefaultWorkers      = 2
	DefaultMaxAttempts  = 8
	DefaultLease        = 2 * time.Minute
	DefaultPollInterval = 500 * time.Millisecond
	DefaultSendTimeout  = 30 * time.Second
	// DefaultAlive is how long a dispatcher counts as alive after its last
	// heartbeat (see Dispatcher.Alive).
	DefaultAlive = 5 * time.Second
	// DefaultBatch is how many rows one worker claims at a time.
	DefaultBatch = 10
	// maxErrorLen bounds last_error.
	maxErrorLen = 1000
)

// Dispatcher delivers the outbox. Set the fields, then call Run; the zero
// value of each optional field means its default. Several dispatchers, in
// one process or many, may share a database.
//
// How claims work: a dispatcher takes a row by setting it to 'sending'
// under a claim token that starts with the dispatcher's own id, and while
// Run runs it renews a heartbeat row (outbox_dispatchers) saying it is
// alive for the next few seconds (Alive). A claim is released, back to
// pending, as soon as its dispatcher's heartbeat has run out: so when a
// process dies, the others (or the process itself, started again) resend
// its rows within seconds. Every running dispatcher does these releases,
// once a heartbeat; one starting does them before its first claim. The
// lease bounds the claims that have no heartbeat behind them (DispatchOnce
// without Run); a live dispatcher's claims are never taken over (see
// releaseSQL).
//
// Outcomes of a send:
//   - success: status sent, with the platform's message id and sent_at;
//   - rate limited (bots.SendError.RetryAfter > 0): back to pending, next
//     attempt no earlier than now + RetryAfter. The platform told us when to
//     come back; this is not a failure, so it does not count towards
//     MaxAttempts (ExpiresAt bounds how long a message may wait);
//   - temporary failure (SendError.Temporary, or any error that is not a
//     SendError): back to pending after Backoff(attempts); after MaxAttempts
//     attempts the row is failed, with a WARN log;
//   - permanent failure, or no Sender for the platform: failed at once, with
//     a WARN log;
//   - a panic in the Sender or in Conditions: failed at once, with one
//     ERROR log (the row's id and the stack) and hub_panics_total;
//   - claimed at or after its ExpiresAt, or with a Condition that no
//     longer holds (asked of Conditions just before the send): skipped,
//     not sent. A condition that cannot be checked (the database is
//     unreachable) is a temporary failure; a row with a condition and no
//     Conditions to ask fails.
//
// A claim counts as an attempt, so a message whose claim keeps ending
// unrecorded (a send that crashes the process) is also given up after
// MaxAttempts.
//
// Delivery is at least once: a message that the platform accepted from a
// process that died before recording it is sent again once its claim is
// released.
type Dispatcher struct {
	// DB is the database holding the outbox.
	DB *storage.DB
	// Senders deliver per platform.
	Senders map[bots.Platform]bots.Sender
	// Workers is the number of concurrent claim-and-send loops (default 2).
	// Each sends the chats of its batch in parallel; more loops mostly
	// mean more, smaller claims.
	Workers int
	// Batch is how many rows a worker claims at once (default 10).
	Batch int
	// MaxAttempts is how many attempts a message gets (default 8).
	MaxAttempts int
	// Backoff is the pause after the attempt-th failed attempt (attempt
	// counts from 1); default DefaultBackoff.
	Backoff func(attempt int) time.Duration
	// Lease is how long a claim without a heartbeat lasts before another
	// dispatcher may take the row over (default 2 minutes); a dispatcher
	// starts no send that could outlast it.
	Lease time.Duration
	// Alive is how long this dispatcher's claims stay its own after its
	// last heartbeat; Run beats every fifth of it (default 5 seconds).
	// Others release its claims once it has passed, so a dead process's
	// rows wait about this long. Dispatchers' clocks must agree to well
	// within it.
	Alive time.Duration
	// SendTimeout bounds one send (default 30 seconds). It must be well
	// below Lease.
	SendTimeout time.Duration
	// PollInterval is how often an idle worker looks for due rows when
	// nobody calls Wake (default 500ms).
	PollInterval time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Logger receives delivery problems; it is never given message text or
	// names (default slog.Default()).
	Logger *slog.Logger
	// Platforms, when set, restricts the dispatcher to the rows of these
	// platforms, so that processes with different senders (hub serve with
	// Telegram, hub chat with the console) can share one outbox without
	// failing each other's messages. Empty means every platform.
	Platforms []bots.Platform
	// Chats, when set, restricts the dispatcher further to the rows of
	// these chat ids, so that `hub chat --as budi` delivers budi's
	// messages and leaves the other console users' queued for their own
	// session. Empty means every chat.
	Chats []string
	// Direct is how many replies claimed as they are enqueued (see
	// Reserve) may wait for this dispatcher at once (default 1000).
	Direct int
	// Conditions tells whether the conditions of messages
	// (Message.Condition) still hold. Needed when any message has one.
	Conditions Conditions
	// Peers, if set, is called after each heartbeat with how many
	// dispatchers are alive on the database, this one included (the
	// replicas', and `hub chat`'s beside `hub serve`), so that the senders
	// can split a platform's overall rate limit between them.
	Peers func(n int)

	initOnce sync.Once
	wake     chan struct{}
	metrics  *metrics
	// id is the dispatcher's heartbeat id, the start of its claim tokens.
	id string
	// safeUntil (Unix nanoseconds) is when, missing further heartbeats,
	// this dispatcher must stop starting sends: others may release its
	// claims soon after. Zero when no heartbeat runs.
	safeUntil atomic.Int64

	// Direct delivery (direct.go): Run's context while it runs, the slots
	// reserved, the deliveries in flight, and their outcomes on the way to
	// the recorder.
	directMu  sync.Mutex
	directCtx context.Context
	direct    int
	directWG  sync.WaitGroup
	results   chan recordJob
}

// Conditions checks the conditions messages are enqueued with
// (Message.Condition), for the package that gave them. HoldsFor reports
// whether condition still holds for a message to chatID on platform (the
// package may also ask whether that chat is still the person's); an
// error means it could not tell, and the message is tried again later.
type Conditions interface {
	HoldsFor(ctx context.Context, platform bots.Platform, chatID, condition string) (bool, error)
}

// DefaultBackoff doubles from 2 seconds per attempt up to 10 minutes, with
// equal jitter (the pause is between half and all of that).
func DefaultBackoff(attempt int) time.Duration {
	const base, limit = 2 * time.Second, 10 * time.Minute
	d := base
	for i := 1; i < attempt && d < limit; i++ {
		d *= 2
	}
	d = min(d, limit)
	half := d / 2
	return half + rand.N(half+1)
}

func (d *Dispatcher) setup() {
	d.initOnce.Do(func() {
		d.id = randomHex(idLen / 2)
		d.wake = make(chan struct{}, 1)
		d.results = make(chan recordJob, 256)
	})
}

// Wake nudges an idle worker to look for due rows now, so that a freshly
// enqueued reply goes out in milliseconds instead of at the next poll. It
// never blocks and may be called before Run, and from any goroutine.
func (d *Dispatcher) Wake() {
	d.setup()
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

func (d *Dispatcher) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

func (d *Dispatcher) logger() *slog.Logger {
	if d.Logger != nil {
		return d.Logger
	}
	return slog.Default()
}

func orDefault[T int | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

// Run delivers until ctx ends, then finishes the sends in flight, hands the
// rows it claimed but did not send back, and returns nil. Database errors
// are logged and retried at the next poll; Run fails only when the
// Dispatcher is misconfigured.
func (d *Dispatcher) Run(ctx context.Context) error {
	if d.DB == nil {
		return errors.New("outbox: dispatcher has no database")
	}
	if st, l := orDefault(d.SendTimeout, DefaultSendTimeout), orDefault(d.Lease, DefaultLease); st >= l {
		return fmt.Errorf("outbox: send timeout %s must be shorter than lease %s", st, l)
	}
	d.setup()
	workers := orDefault(d.Workers, DefaultWorkers)
	poll := orDefault(d.PollInterval, DefaultPollInterval)
	batch := orDefault(d.Batch, DefaultBatch)
	// The heartbeat outlives ctx: until Run returns, the sends in flight
	// and the direct deliveries being finished are still this dispatcher's.
	stopBeating := make(chan struct{})
	var beating sync.WaitGroup
	d.heartbeat(ctx) // and release dead dispatchers' claims before claiming
	beating.Go(func() { d.heartbeatLoop(stopBeating) })
	defer func() {
		close(stopBeating)
		beating.Wait()
		d.stopped()
	}()
	d.directMu.Lock()
	d.directCtx = ctx
	d.directMu.Unlock()
	stopRecording := make(chan struct{})
	var recorder sync.WaitGroup
	recorder.Go(func() { d.recordLoop(stopRecording) })
	// Direct deliveries begun are finished (or handed back) and recorded
	// before Run returns; Deliver hands back the rows of any that come
	// later.
	defer func() {
		d.directMu.Lock()
		d.directCtx = nil
		d.directMu.Unlock()
		d.directWG.Wait()
		close(stopRecording)
		recorder.Wait()
	}()
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			timer := time.NewTimer(poll)
			defer timer.Stop()
			for ctx.Err() == nil {
				n, err := d.dispatch(ctx, true)
				if err != nil && ctx.Err() == nil {
					d.logger().Warn("outbox: dispatch failed", "error", err)
				}
				if err == nil && n > 0 {
					// The chats just served may have more to send, and a
					// full batch may have left rows behind: for those, pass
					// the nudge on so that an idle worker helps. Rows
					// enqueued meanwhile come with nudges of their own.
					if n >= batch {
						d.Wake()
					}
					continue
				}
				timer.Reset(poll)
				select {
				case <-ctx.Done():
				case <-d.wake:
				case <-timer.C:
				}
			}
		})
	}
	wg.Wait()
	return nil
}

// claimed is a row taken by one claim.
type claimed struct {
	ID        int64      `db:"id"`
	Key       string     `db:"idempotency_key"`
	Platform  string     `db:"platform"`
	ChatID    string     `db:"chat_id"`
	Payload   string     `db:"payload"`
	Attempts  int        `db:"attempts"`
	ExpiresAt *time.Time `db:"expires_at"`
	Condition string     `db:"send_condition"`
	Transient bool       `db:"transient"`
	// token is the claim token the row was taken under.
	token string
	// out, when set, is the message itself (Payload then is not read).
	out *bots.Outgoing
}

// claimSQL takes due pending rows that no earlier-scheduled undelivered
// row of the same chat holds back, so a chat's messages go out one at a
// time, in order, while the chats behind a waiting one are served: a row
// whose chat's head waits (for a retry, on a rate limit, or under another
// dispatcher's claim) is passed over, not waited for. Each claim counts as
// an attempt. It walks outbox_pending in id order and stops at the limit.
const claimSQL = `UPDATE outbox
SET status = 'sending', lease_until = ?, claim_token = ?, attempts = attempts + 1
WHERE id IN (
	SELECT o.id FROM outbox o
	WHERE o.status = 'pending' AND (o.next_attempt_at <= ? OR o.expires_at <= ?)
	AND NOT EXISTS (
		SELECT 1 FROM outbox e
		WHERE e.platform = o.platform AND e.chat_id = o.chat_id AND e.id < o.id
		AND e.status IN ('pending', 'sending') AND e.not_before <= o.not_before)
	%s
	ORDER BY o.id
	LIMIT ?
	%s)
RETURNING id, idempotency_key, platform, chat_id, payload, attempts, expires_at, send_condition, transient`

// claim takes up to limit due rows under a fresh claim token.
//
// The LIMIT is nearly always the same from one claim to the next, which
// matters on SQLite: a statement whose LIMIT changes is planned again.
func (d *Dispatcher) claim(ctx context.Context, now time.Time, limit int) (rows []claimed, err error) {
	token := d.newToken()
	now = utc(now)
	args := []any{now.Add(orDefault(d.Lease, DefaultLease)), token, now, now}
	lock := ""
	if d.DB.Dialect == storage.Postgres {
		// Concurrent dispatchers skip each other's rows instead of
		// waiting; SQLite serialises writers by itself.
		lock = "FOR UPDATE OF o SKIP LOCKED"
	}
	only := ""
	if len(d.Platforms) > 0 {
		only = "AND o.platform IN (?" + strings.Repeat(", ?", len(d.Platforms)-1) + ")"
		for _, p := range d.Platforms {
			args = append(args, string(p))
		}
	}
	if len(d.Chats) > 0 {
		only += " AND o.chat_id IN (?" + strings.Repeat(", ?", len(d.Chats)-1) + ")"
		for _, c := range d.Chats {
			args = append(args, c)
		}
	}
	args = append(args, limit)
	q := d.DB.Rebind(fmt.Sprintf(claimSQL, only, lock))
	if err := d.DB.SelectContext(ctx, &rows, q, args...); err != nil {
		return nil, fmt.Errorf("outbox: unable to claim messages: %w", err)
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].ID < rows[j].ID })
	for i := range rows {
		rows[i].token = token
	}
	return rows, nil
}

// idLen is the length of a dispatcher's id, the start of each of its
// claim tokens (which add as many random characters).
const idLen = 16

// newToken returns a fresh claim token: the dispatcher's id, so that the
// claim is known to be its, and a random part for this claim.
func (d *Dispatcher) newToken() string {
	d.setup()
	return d.id + randomHex(idLen/2)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = crand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}

// DispatchOnce releases the claims of dispatchers that died, then claims
// one batch of due rows, delivers it and records the outcomes; it returns
// how many rows it claimed. Tests and one-shot tools may call it; Run
// claims in a loop and releases on its heartbeat.
func (d *Dispatcher) DispatchOnce(ctx context.Context) (int, error) {
	if d.DB == nil {
		return 0, errors.New("outbox: dispatcher has no database")
	}
	if _, err := d.releaseDead(ctx, utc(d.now())); err != nil {
		return 0, err
	}
	return d.dispatch(ctx, false)
}

// dispatch claims, delivers and records one batch.
//
// The chats of a batch are served in parallel, each chat's rows one after
// the other in claim order. A chat's next message cannot be claimed before
// its previous one's outcome is recorded, so per-chat order holds.
//
// With viaRecorder (Run's workers), each chat's outcomes go to Run's
// recorder as soon as that chat's sends end, so that a chat whose send
// waits (on its per-chat limit, a slow API) holds back none of the
// batch's other chats: the recorder wakes a worker for their next
// messages. The recorder writes what arrives together in one statement.
// dispatch still returns only once every outcome of its batch is
// recorded: a worker never claims more while messages it sent are
// unrecorded, so a process killed at any moment has no more messages to
// send twice than its workers hold claimed. Without the recorder
// (DispatchOnce), the outcomes are recorded together when the batch is
// done.
func (d *Dispatcher) dispatch(ctx context.Context, viaRecorder bool) (int, error) {
	claimedAt := d.now()
	rows, err := d.claim(ctx, claimedAt, orDefault(d.Batch, DefaultBatch))
	if err != nil || len(rows) == 0 {
		return 0, err
	}
	if viaRecorder {
		var recorded sync.WaitGroup
		d.send(ctx, claimedAt, rows, func(rows []claimed, outs []outcome) {
			recorded.Add(1)
			d.results <- recordJob{rows: rows, outs: outs, done: recorded.Done}
		})
		recorded.Wait()
		return len(rows), nil
	}
	outs := d.send(ctx, claimedAt, rows, nil)
	// Outcomes are recorded even when ctx ended meanwhile, and tried again
	// while the database recovers: nobody takes a live dispatcher's claims
	// over, so until they are recorded their chats wait. Rows waiting
	// behind these are taken by the next claim, which Run makes at once.
	_, err = d.record(context.WithoutCancel(ctx), rows, outs, false)
	for pause := 250 * time.Millisecond; err != nil && pause <= 8*time.Second; pause *= 2 {
		d.logger().Warn("outbox: unable to record outcomes; retrying", "error", err, "retry_in", pause)
		time.Sleep(pause)
		_, err = d.record(context.WithoutCancel(ctx), rows, outs, false)
	}
	return len(rows), err
}

// send delivers rows claimed at claimedAt: the chats in parallel, each
// chat's rows one after the other in claim order, and hands each chat's
// rows and outcomes to chatDone (when set) as soon as they are known. A
// row whose send could no longer finish within its lease, that comes up
// after ctx ended, or when this dispatcher's heartbeat is late (others
// may be releasing its claims) is handed back, and so are a chat's rows
// after one that is to be tried again: they must not overtake it.
func (d *Dispatcher) send(ctx context.Context, claimedAt time.Time, rows []claimed, chatDone func([]claimed, []outcome)) []outcome {
	sendTimeout := orDefault(d.SendTimeout, DefaultSendTimeout)
	// A send begun later could outlive the lease, after which another
	// dispatcher may send the same row.
	lastStart := claimedAt.Add(orDefault(d.Lease, DefaultLease) - sendTimeout)
	outs := make([]outcome, len(rows))
	var wg sync.WaitGroup
	for _, chat := range byChat(rows) {
		wg.Go(func() {
			held := false
			for _, i := range chat {
				if now := d.now(); held || ctx.Err() != nil || now.After(lastStart) || d.late(now) {
					outs[i] = outcome{status: Pending, release: true} // hand it back
					continue
				}
				outs[i] = d.deliver(ctx, rows[i], sendTimeout)
				held = outs[i].status == Pending
			}
			if chatDone != nil {
				chatRows, chatOuts := make([]claimed, len(chat)), make([]outcome, len(chat))
				for k, i := range chat {
					chatRows[k], chatOuts[k] = rows[i], outs[i]
				}
				chatDone(chatRows, chatOuts)
			}
		})
	}
	wg.Wait()
	return outs
}

// byChat groups the indexes of rows by chat, keeping their order.
func byChat(rows []claimed) [][]int {
	type chat struct{ platform, id string }
	at := make(map[chat]int, len(rows))
	var groups [][]int
	for i, r := range rows {
		c := chat{r.Platform, r.ChatID}
		g, ok := at[c]
		if !ok {
			g = len(groups)
			at[c] = g
			groups = append(groups, nil)
		}
		groups[g] = append(groups[g], i)
	}
	return groups
}

// outcome is what became of one claimed row, to be recorded.
type outcome struct {
	// status is Sent, Failed, Skipped, or Pending for another attempt.
	status    Status
	lastError string
	messageID string
	at        time.Time
	// For Pending: attempts to record and when the next may start, or
	// release to hand the row back without counting the claim.
	attempts int
	next     time.Time
	release  bool
}

// rowLog names a row by its id only: keys hold personal identifiers (a
// reminder's key holds the ASN's NIP) and so do chat ids; an officer finds
// the row by its id in the outbox table.
func (d *Dispatcher) rowLog(r claimed) *slog.Logger {
	return d.logger().With("outbox_id", r.ID, "platform", r.Platform, "attempt", r.Attempts)
}

// deliver sends one claimed row and says what became of it.
func (d *Dispatcher) deliver(ctx context.Context, r claimed, sendTimeout time.Duration) outcome {
	maxAttempts := orDefault(d.MaxAttempts, DefaultMaxAttempts)
	now := d.now()
	platform := bots.Platform(r.Platform)
	final := func(st Status, lastError, messageID string) outcome {
		return outcome{status: st, lastError: lastError, messageID: messageID, at: now}
	}
	switch {
	case r.ExpiresAt != nil && !now.Before(*r.ExpiresAt):
		d.metrics.skipped(platform)
		return final(Skipped, "expired before delivery", "")
	case r.Attempts > maxAttempts:
		// Only reachable through leases that kept running out.
		d.rowLog(r).Warn("outbox: giving up on message: its sends never completed", "attempts", r.Attempts-1)
		d.metrics.failed(platform)
		return final(Failed, fmt.Sprintf("gave up after %d attempts: lease expired during send", r.Attempts-1), "")
	}
	if r.Condition != "" && d.Conditions == nil {
		d.rowLog(r).Warn("outbox: giving up on message: nothing checks its condition")
		d.metrics.failed(platform)
		return final(Failed, "no Conditions to check its condition", "")
	}
	sender := d.Senders[platform]
	if sender == nil {
		d.rowLog(r).Warn("outbox: giving up on message: no sender for its platform")
		d.metrics.failed(platform)
		return final(Failed, fmt.Sprintf("no sender for platform %q", r.Platform), "")
	}
	var out bots.Outgoing
	if r.out != nil {
		out = *r.out
	} else if err := json.Unmarshal([]byte(r.Payload), &out); err != nil {
		d.rowLog(r).Warn("outbox: giving up on message: undecodable payload", "error", err)
		d.metrics.failed(platform)
		return final(Failed, "undecodable payload: "+err.Error(), "")
	}
	sendCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), sendTimeout)
	var msgID string
	var holds bool
	// A panic in the condition's check or the sender is a bug that another
	// attempt would only repeat: the message fails at once, and the worker
	// and the other chats of the batch go on.
	sendErr := panics.Call(func() error {
		var err error
		if holds, err = d.holds(sendCtx, r); err != nil || !holds {
			return err
		}
		msgID, err = sender.Send(sendCtx, out)
		return err
	})
	cancel()
	now = d.now()
	if p, ok := errors.AsType[*panics.Error](sendErr); ok {
		panics.Log(d.rowLog(r), "outbox", "outbox: panic while sending a message; failed, not retried", p)
		d.metrics.failed(platform)
		return final(Failed, p.Error(), "")
	}
	if sendErr == nil && !holds {
		d.metrics.skipped(platform)
		return final(Skipped, "withdrawn: its condition no longer holds", "")
	}
	if sendErr == nil {
		d.metrics.sent(platform)
		return final(Sent, "", msgID)
	}
	errText := truncateError(sendErr.Error())
	retry, after := bots.Retryable(sendErr)
	switch {
	case retry && after > 0:
		d.metrics.retried(platform)
		d.rowLog(r).Info("outbox: rate limited, retrying later", "retry_after", after)
		return outcome{status: Pending, lastError: errText, attempts: r.Attempts - 1, next: now.Add(after)}
	case retry && r.Attempts < maxAttempts:
		d.metrics.retried(platform)
		backoff := DefaultBackoff
		if d.Backoff != nil {
			backoff = d.Backoff
		}
		wait := backoff(r.Attempts)
		d.rowLog(r).Info("outbox: temporary send failure, retrying later", "retry_in", wait, "error", errText)
		return outcome{status: Pending, lastError: errText, attempts: r.Attempts, next: now.Add(wait)}
	case retry:
		d.rowLog(r).Warn("outbox: giving up on message after repeated temporary failures", "error", errText)
		d.metrics.failed(platform)
		return final(Failed, errText, "")
	default:
		d.rowLog(r).Warn("outbox: giving up on message: permanent send failure", "error", errText)
		d.metrics.failed(platform)
		return final(Failed, errText, "")
	}
}

// holds reports whether r may be sent as far as its condition goes: it
// has none, or it still holds. It is asked right before the send, at
// every attempt, so that a message withdrawn while it waited for a retry
// is not sent.
func (d *Dispatcher) holds(ctx context.Context, r claimed) (bool, error) {
	if r.Condition == "" {
		return true, nil
	}
	ok, err := d.Conditions.HoldsFor(ctx, bots.Platform(r.Platform), r.ChatID, r.Condition)
	if err != nil {
		return false, fmt.Errorf("outbox: unable to check the message's condition: %w", err)
	}
	return ok, nil
}

func truncateError(s string) string {
	if len(s) <= maxErrorLen {
		return s
	}
	// Cut on a rune boundary.
	cut := maxErrorLen
	for cut > 0 && s[cut]&0xC0 == 0x80 {
		cut--
	}
	return s[:cut] + "…"
}

// record writes the outcomes of a batch, provided the claims are still
// ours: on PostgreSQL in one statement, on SQLite in one transaction. With
// probe, it reports whether any of their chats has messages waiting
// behind them (Run's workers need not know: they claim again at once).
func (d *Dispatcher) record(ctx context.Context, rows []claimed, outs []outcome, probe bool) (waiting bool, err error) {
	if waiting, err = d.recordOutcomes(ctx, rows, outs, probe); err == nil {
		d.dropTransient(ctx, rows, outs)
	}
	return waiting, err
}

// dropTransient deletes the transient rows among rows whose outcome in
// outs is final, once recorded. A row it fails to delete stays until
// retention purges it, as any other: the failure is logged, not returned,
// so that the outcomes are not recorded again.
func (d *Dispatcher) dropTransient(ctx context.Context, rows []claimed, outs []outcome) {
	var ids []any
	for i, r := range rows {
		if o := outs[i]; r.Transient && !o.release && o.status != Pending {
			ids = append(ids, r.ID)
		}
	}
	if len(ids) == 0 {
		return
	}
	if _, err := d.DB.ExecContext(ctx, d.DB.Rebind(`DELETE FROM outbox WHERE status IN ('sent', 'failed', 'skipped')
		AND id IN (?`+strings.Repeat(", ?", len(ids)-1)+`)`), ids...); err != nil {
		d.logger().Warn("outbox: unable to delete transient messages; retention will", "messages", len(ids), "error", err)
	}
}

// recordOutcomes is record without dropTransient.
func (d *Dispatcher) recordOutcomes(ctx context.Context, rows []claimed, outs []outcome, probe bool) (waiting bool, err error) {
	if len(rows) == 1 {
		// Cheaper than the arrays' statement for one row.
		return d.recordOne(ctx, d.DB, rows[0], outs[0], probe)
	}
	if d.DB.Dialect == storage.Postgres {
		return d.recordPostgres(ctx, rows, outs)
	}
	err = d.DB.InTx(ctx, func(tx *sqlx.Tx) error {
		for i := range rows {
			w, err := d.recordOne(ctx, tx, rows[i], outs[i], probe)
			if err != nil {
				return err
			}
			waiting = waiting || w
		}
		return nil
	})
	return waiting, err
}

// recordPostgresSQL sets each row to its outcome, passed as parallel
// arrays; columns an outcome leaves alone keep their values. The
// statement's text is the same for any number of rows, so it is prepared
// once per connection; "id = ANY" lets its generic plan find the rows
// through the primary key whatever the number.
const recordPostgresSQL = `UPDATE outbox AS o SET
	status = v.status,
	attempts = v.attempts,
	next_attempt_at = COALESCE(NULLIF(v.next_attempt_at, '')::timestamptz, o.next_attempt_at),
	last_error = CASE WHEN v.keep_error THEN o.last_error ELSE v.last_error END,
	message_id = CASE WHEN v.status = 'pending' THEN o.message_id ELSE v.message_id END,
	sent_at = NULLIF(v.sent_at, '')::timestamptz,
	lease_until = NULL
FROM unnest($1::bigint[], $2::text[], $3::int[], $4::text[], $5::bool[], $6::text[], $7::text[], $8::text[], $9::text[])
	AS v(id, status, attempts, next_attempt_at, keep_error, last_error, message_id, sent_at, token)
WHERE o.id = ANY($1::bigint[]) AND o.id = v.id AND o.claim_token = v.token AND o.status = 'sending'
RETURNING o.id, EXISTS (SELECT 1 FROM outbox p
	WHERE p.platform = o.platform AND p.chat_id = o.chat_id
	AND p.status IN ('pending', 'sending') AND p.status <> 'sending') AS waiting`

func (d *Dispatcher) recordPostgres(ctx context.Context, rows []claimed, outs []outcome) (waiting bool, err error) {
	n := len(rows)
	var (
		ids       = make([]int64, n)
		statuses  = make([]string, n)
		attempts  = make([]int64, n)
		next      = make([]string, n)
		keepError = make([]bool, n)
		lastError = make([]string, n)
		messageID = make([]string, n)
		sentAt    = make([]string, n)
		tokens    = make([]string, n)
	)
	for i, r := range rows {
		o := outs[i]
		ids[i], statuses[i], attempts[i], tokens[i] = r.ID, string(o.status), int64(r.Attempts), r.token
		switch {
		case o.release:
			// Not sent: the claim does not count as an attempt.
			statuses[i], attempts[i], keepError[i] = string(Pending), int64(r.Attempts-1), true
		case o.status == Pending:
			attempts[i], next[i], lastError[i] = int64(o.attempts), timeText(utcCeil(o.next)), o.lastError
		default:
			lastError[i], messageID[i] = o.lastError, o.messageID
			if o.status == Sent {
				sentAt[i] = timeText(utc(o.at))
			}
		}
	}
	var done []struct {
		ID      int64 `db:"id"`
		Waiting bool  `db:"waiting"`
	}
	err = d.DB.SelectContext(ctx, &done, recordPostgresSQL, pq.Array(ids), pq.Array(statuses), pq.Array(attempts),
		pq.Array(next), pq.Array(keepError), pq.Array(lastError), pq.Array(messageID), pq.Array(sentAt), pq.Array(tokens))
	if err != nil {
		return false, fmt.Errorf("outbox: unable to record outcomes of %d messages: %w", n, err)
	}
	for _, r := range done {
		waiting = waiting || r.Waiting
	}
	if len(done) < n {
		recorded := make(map[int64]bool, len(done))
		for _, r := range done {
			recorded[r.ID] = true
		}
		for _, r := range rows {
			if !recorded[r.ID] {
				d.rowLog(r).Warn("outbox: lost the claim on a message before recording its outcome")
			}
		}
	}
	return waiting, nil
}

// timeText formats t for a PostgreSQL timestamptz, to the microsecond.
func timeText(t time.Time) string { return t.Format("2006-01-02T15:04:05.999999Z07:00") }

// waitingSQL, in a RETURNING clause, tells whether the chat (platform and
// chat id, its two parameters) of the row just recorded has messages
// waiting behind it. Parameters rather than a reference to the row, and
// the IN term, let SQLite search outbox_chat_queue instead of scanning it.
// "<> 'sending'" rather than "= 'pending'": the latter lets the planners
// walk outbox_pending instead, every pending row of every chat (and, on
// PostgreSQL, every dead entry of rows sent since the last vacuum) for
// each row recorded; recordPostgresSQL's test is written the same way.
const waitingSQL = `EXISTS (SELECT 1 FROM outbox p WHERE p.platform = ? AND p.chat_id = ?
	AND p.status IN ('pending', 'sending') AND p.status <> 'sending') AS waiting`

// recordOne records one row's outcome; with probe, it also reports whether
// the row's chat has messages waiting behind it.
func (d *Dispatcher) recordOne(ctx context.Context, q Querier, r claimed, o outcome, probe bool) (waiting bool, err error) {
	token := r.token
	var query string
	var args []any
	switch {
	case o.release:
		// Not sent: the claim does not count as an attempt.
		query = `UPDATE outbox SET status = 'pending', attempts = attempts - 1, lease_until = NULL`
		args = []any{r.ID, token}
	case o.status == Pending:
		query = `UPDATE outbox SET status = 'pending', attempts = ?, next_attempt_at = ?, last_error = ?, lease_until = NULL`
		args = []any{o.attempts, utcCeil(o.next), o.lastError, r.ID, token}
	default:
		var sentAt *time.Time
		if o.status == Sent {
			t := utc(o.at)
			sentAt = &t
		}
		query = `UPDATE outbox SET status = ?, last_error = ?, message_id = ?, sent_at = ?, lease_until = NULL`
		args = []any{string(o.status), o.lastError, o.messageID, sentAt, r.ID, token}
	}
	where := `
		WHERE id = ? AND claim_token = ? AND status = 'sending'`
	lost := func() {
		// Our claim ended (lease, or a late heartbeat) and another
		// dispatcher took the row over, or the chat was forgotten: its
		// outcome wins.
		d.rowLog(r).Warn("outbox: lost the claim on a message before recording its outcome")
	}
	if !probe {
		res, err := q.ExecContext(ctx, q.Rebind(query+where), args...)
		if err != nil {
			return false, fmt.Errorf("outbox: unable to record outcome of message %d: %w", r.ID, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return false, fmt.Errorf("outbox: unable to record outcome of message %d: %w", r.ID, err)
		} else if n == 0 {
			lost()
		}
		return false, nil
	}
	var got []bool
	if err := q.SelectContext(ctx, &got, q.Rebind(query+where+`
		RETURNING `+waitingSQL), append(args, r.Platform, r.ChatID)...); err != nil {
		return false, fmt.Errorf("outbox: unable to record outcome of message %d: %w", r.ID, err)
	}
	if len(got) == 0 {
		lost()
		return false, nil
	}
	return got[0], nil
}

// utcCeil is utc rounded up, so that a demanded pause is never shortened.
func utcCeil(t time.Time) time.Time {
	u := utc(t)
	if u.Before(t) {
		u = u.Add(time.Microsecond)
	}
	return u
}

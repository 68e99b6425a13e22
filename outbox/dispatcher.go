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
	"time"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/storage"
)

// Dispatcher defaults.
const (
	DefaultWorkers      = 4
	DefaultMaxAttempts  = 8
	DefaultLease        = 2 * time.Minute
	DefaultPollInterval = 500 * time.Millisecond
	DefaultSendTimeout  = 30 * time.Second
	// DefaultBatch is how many rows one worker claims at a time.
	DefaultBatch = 10
	// maxErrorLen bounds last_error.
	maxErrorLen = 1000
)

// Dispatcher delivers the outbox. Set the fields, then call Run; the zero
// value of each optional field means its default. Several dispatchers, in
// one process or many, may share a database: rows are claimed with a lease,
// and a row whose dispatcher died is claimed again when its lease ends.
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
//   - claimed at or after its ExpiresAt: skipped, not sent.
//
// A claim counts as an attempt, so a message whose lease keeps running out
// (a send that crashes the process) is also given up after MaxAttempts.
//
// Delivery is at least once: a process that dies after the platform
// accepted a message but before recording it sends that message again when
// the lease ends.
type Dispatcher struct {
	// DB is the database holding the outbox.
	DB *storage.DB
	// Senders deliver per platform.
	Senders map[bots.Platform]bots.Sender
	// Workers is the number of concurrent claim-and-send loops (default 4).
	Workers int
	// Batch is how many rows a worker claims at once (default 10).
	Batch int
	// MaxAttempts is how many attempts a message gets (default 8).
	MaxAttempts int
	// Backoff is the pause after the attempt-th failed attempt (attempt
	// counts from 1); default DefaultBackoff.
	Backoff func(attempt int) time.Duration
	// Lease is how long a claim lasts before another dispatcher may take
	// the row over (default 2 minutes). Dispatchers' clocks must agree to
	// well within it.
	Lease time.Duration
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

	initOnce sync.Once
	wake     chan struct{}
	metrics  *metrics
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
		d.wake = make(chan struct{}, 1)
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
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			timer := time.NewTimer(poll)
			defer timer.Stop()
			for ctx.Err() == nil {
				n, err := d.DispatchOnce(ctx)
				if err != nil && ctx.Err() == nil {
					d.logger().Warn("outbox: dispatch failed", "error", err)
				}
				if err == nil && n > 0 {
					// There may be more; pass the nudge on so that an idle
					// worker helps.
					d.Wake()
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
	Payload   string     `db:"payload"`
	Attempts  int        `db:"attempts"`
	ExpiresAt *time.Time `db:"expires_at"`
}

// The claim takes due rows (pending and due or expired, or sending with an
// expired lease) that no earlier-scheduled undelivered row of the same chat
// holds back, so a chat's messages go out one at a time, in order. Each
// claim counts as an attempt.
const claimSQL = `UPDATE outbox
SET status = 'sending', lease_until = ?, claim_token = ?, attempts = attempts + 1
WHERE id IN (
	SELECT o.id FROM outbox o
	WHERE ((o.status = 'pending' AND (o.next_attempt_at <= ? OR o.expires_at <= ?))
		OR (o.status = 'sending' AND o.lease_until <= ?))
	AND NOT EXISTS (
		SELECT 1 FROM outbox e
		WHERE e.platform = o.platform AND e.chat_id = o.chat_id AND e.id < o.id
		AND e.status IN ('pending', 'sending') AND e.not_before <= o.not_before)
	%s
	ORDER BY o.id
	LIMIT ?
	%s)
RETURNING id, idempotency_key, platform, payload, attempts, expires_at`

// claim takes up to limit due rows under a fresh claim token.
func (d *Dispatcher) claim(ctx context.Context, now time.Time, limit int) (token string, rows []claimed, err error) {
	token = newToken()
	lock := ""
	if d.DB.Dialect == storage.Postgres {
		// Concurrent dispatchers skip each other's rows instead of
		// waiting; SQLite serialises writers by itself.
		lock = "FOR UPDATE OF o SKIP LOCKED"
	}
	now = utc(now)
	leaseUntil := now.Add(orDefault(d.Lease, DefaultLease))
	args := []any{leaseUntil, token, now, now, now}
	only := ""
	if len(d.Platforms) > 0 {
		only = "AND o.platform IN (?" + strings.Repeat(", ?", len(d.Platforms)-1) + ")"
		for _, p := range d.Platforms {
			args = append(args, string(p))
		}
	}
	args = append(args, limit)
	q := d.DB.Rebind(fmt.Sprintf(claimSQL, only, lock))
	if err := d.DB.SelectContext(ctx, &rows, q, args...); err != nil {
		return "", nil, fmt.Errorf("outbox: unable to claim messages: %w", err)
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].ID < rows[j].ID })
	return token, rows, nil
}

func newToken() string {
	var b [12]byte
	_, _ = crand.Read(b[:]) // crypto/rand.Read never fails
	return hex.EncodeToString(b[:])
}

// DispatchOnce claims one batch of due rows, delivers it and records the
// outcomes; it returns how many rows it claimed. Run calls it in a loop;
// tests and one-shot tools may call it directly.
func (d *Dispatcher) DispatchOnce(ctx context.Context) (int, error) {
	if d.DB == nil {
		return 0, errors.New("outbox: dispatcher has no database")
	}
	claimedAt := d.now()
	token, rows, err := d.claim(ctx, claimedAt, orDefault(d.Batch, DefaultBatch))
	if err != nil || len(rows) == 0 {
		return 0, err
	}
	// Outcomes are recorded even when ctx ends meanwhile.
	store := context.WithoutCancel(ctx)
	sendTimeout := orDefault(d.SendTimeout, DefaultSendTimeout)
	lease := orDefault(d.Lease, DefaultLease)
	for i, r := range rows {
		// Stop at shutdown, and before a send could outlive the lease (after
		// which another dispatcher may send the same row): hand the rest
		// back.
		if ctx.Err() != nil || d.now().Add(sendTimeout).After(claimedAt.Add(lease)) {
			return len(rows), d.release(store, token, rows[i:])
		}
		if err := d.deliver(ctx, store, token, r, sendTimeout); err != nil {
			// Hand the rest back (best effort: the lease frees them anyway).
			_ = d.release(store, token, rows[i+1:])
			return len(rows), err
		}
	}
	return len(rows), nil
}

// deliver sends one claimed row and records the outcome.
func (d *Dispatcher) deliver(ctx, store context.Context, token string, r claimed, sendTimeout time.Duration) error {
	log := d.logger().With("outbox_id", r.ID, "key", r.Key, "platform", r.Platform, "attempt", r.Attempts)
	maxAttempts := orDefault(d.MaxAttempts, DefaultMaxAttempts)
	now := d.now()
	platform := bots.Platform(r.Platform)
	switch {
	case r.ExpiresAt != nil && !now.Before(*r.ExpiresAt):
		d.metrics.skipped(platform)
		return d.finish(store, log, token, r.ID, Skipped, "expired before delivery", "", now)
	case r.Attempts > maxAttempts:
		// Only reachable through leases that kept running out.
		log.Warn("outbox: giving up on message: its sends never completed", "attempts", r.Attempts-1)
		d.metrics.failed(platform)
		return d.finish(store, log, token, r.ID, Failed, fmt.Sprintf("gave up after %d attempts: lease expired during send", r.Attempts-1), "", now)
	}
	sender := d.Senders[platform]
	if sender == nil {
		log.Warn("outbox: giving up on message: no sender for its platform")
		d.metrics.failed(platform)
		return d.finish(store, log, token, r.ID, Failed, fmt.Sprintf("no sender for platform %q", r.Platform), "", now)
	}
	var out bots.Outgoing
	if err := json.Unmarshal([]byte(r.Payload), &out); err != nil {
		log.Warn("outbox: giving up on message: undecodable payload", "error", err)
		d.metrics.failed(platform)
		return d.finish(store, log, token, r.ID, Failed, "undecodable payload: "+err.Error(), "", now)
	}
	sendCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), sendTimeout)
	msgID, sendErr := sender.Send(sendCtx, out)
	cancel()
	now = d.now()
	if sendErr == nil {
		d.metrics.sent(platform)
		return d.finish(store, log, token, r.ID, Sent, "", msgID, now)
	}
	errText := truncateError(sendErr.Error())
	retry, after := bots.Retryable(sendErr)
	switch {
	case retry && after > 0:
		d.metrics.retried(platform)
		log.Info("outbox: rate limited, retrying later", "retry_after", after)
		return d.retry(store, log, token, r.ID, r.Attempts-1, now.Add(after), errText)
	case retry && r.Attempts < maxAttempts:
		d.metrics.retried(platform)
		backoff := DefaultBackoff
		if d.Backoff != nil {
			backoff = d.Backoff
		}
		wait := backoff(r.Attempts)
		log.Info("outbox: temporary send failure, retrying later", "retry_in", wait, "error", errText)
		return d.retry(store, log, token, r.ID, r.Attempts, now.Add(wait), errText)
	case retry:
		log.Warn("outbox: giving up on message after repeated temporary failures", "error", errText)
		d.metrics.failed(platform)
		return d.finish(store, log, token, r.ID, Failed, errText, "", now)
	default:
		log.Warn("outbox: giving up on message: permanent send failure", "error", errText)
		d.metrics.failed(platform)
		return d.finish(store, log, token, r.ID, Failed, errText, "", now)
	}
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

// finish records a final outcome (sent, failed or skipped), provided the
// claim is still ours.
func (d *Dispatcher) finish(ctx context.Context, log *slog.Logger, token string, id int64, status Status, lastError, messageID string, now time.Time) error {
	var sentAt *time.Time
	if status == Sent {
		t := utc(now)
		sentAt = &t
	}
	res, err := d.DB.ExecContext(ctx, d.DB.Rebind(`UPDATE outbox
		SET status = ?, last_error = ?, message_id = ?, sent_at = ?, lease_until = NULL
		WHERE id = ? AND claim_token = ? AND status = 'sending'`),
		string(status), lastError, messageID, sentAt, id, token)
	if err != nil {
		return fmt.Errorf("outbox: unable to record outcome of message %d: %w", id, err)
	}
	return checkClaim(log, res)
}

// retry puts a row back to pending for another attempt at next.
func (d *Dispatcher) retry(ctx context.Context, log *slog.Logger, token string, id int64, attempts int, next time.Time, lastError string) error {
	res, err := d.DB.ExecContext(ctx, d.DB.Rebind(`UPDATE outbox
		SET status = 'pending', attempts = ?, next_attempt_at = ?, last_error = ?, lease_until = NULL
		WHERE id = ? AND claim_token = ? AND status = 'sending'`),
		attempts, utcCeil(next), lastError, id, token)
	if err != nil {
		return fmt.Errorf("outbox: unable to reschedule message %d: %w", id, err)
	}
	return checkClaim(log, res)
}

// release hands claimed but unsent rows back, without counting the claim as
// an attempt.
func (d *Dispatcher) release(ctx context.Context, token string, rows []claimed) error {
	for _, r := range rows {
		if _, err := d.DB.ExecContext(ctx, d.DB.Rebind(`UPDATE outbox
			SET status = 'pending', attempts = attempts - 1, lease_until = NULL
			WHERE id = ? AND claim_token = ? AND status = 'sending'`), r.ID, token); err != nil {
			return fmt.Errorf("outbox: unable to release message %d: %w", r.ID, err)
		}
	}
	return nil
}

// utcCeil is utc rounded up, so that a demanded pause is never shortened.
func utcCeil(t time.Time) time.Time {
	u := utc(t)
	if u.Before(t) {
		u = u.Add(time.Microsecond)
	}
	return u
}

func checkClaim(log *slog.Logger, res interface{ RowsAffected() (int64, error) }) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("outbox: unable to record outcome: %w", err)
	}
	if n == 0 {
		// Our lease ran out and another dispatcher took the row over (or
		// the chat was forgotten): its outcome wins.
		log.Warn("outbox: lost the claim on a message before recording its outcome")
	}
	return nil
}

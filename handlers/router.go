package handlers

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/internal/logid"
	"github.com/tebingtinggi/hub/outbox"
	"github.com/tebingtinggi/hub/storage"
)

// Waker is told when replies were written to the outbox, so that they go
// out at once; *outbox.Dispatcher implements it.
type Waker interface{ Wake() }

// directDelivery is a Waker that can also take replies claimed as they
// are enqueued and send them as soon as the update commits, without a
// round trip to claim them (outbox.Dispatcher).
type directDelivery interface {
	Reserve(n int) *outbox.Claim
}

// Router defaults.
const (
	DefaultLease         = 30 * time.Second
	DefaultMaxAttempts   = 5
	DefaultRateLimit     = 20
	DefaultRateWindow    = time.Minute
	DefaultRecoveryEvery = 15 * time.Second
	// MaxPartLen is the longest part a reply is split into before it is
	// enqueued, in characters; a little under Telegram's 4,096 so that the
	// adapter never has to split again.
	MaxPartLen = 4000
)

// Config configures a Router. DB and Handler are required.
type Config struct {
	DB *storage.DB
	// Handler is the innermost handler, usually the citizens' flows.
	Handler Handler
	// Waker is nudged after replies were enqueued (may be nil).
	Waker Waker
	// Registry receives the handler metrics (may be nil).
	Registry *prometheus.Registry
	Logger   *slog.Logger
	// LogHash names the person of an update in the logs (may be nil: no
	// person attribute).
	LogHash *logid.Hasher
	// RateLimit is how many updates a person may send per RateWindow before
	// the bot falls silent (default 20 per minute).
	RateLimit  int
	RateWindow time.Duration
	// Dropped, when set, is handed the updates the rate limit silences, in
	// their transaction, so that it can record them (Citizen.Dropped
	// logs the citizen's message); what it returns is not sent.
	Dropped Handler
	// Lease is how long one processor owns an unfinished update before
	// recovery may take it over (default 30s).
	Lease time.Duration
	// MaxAttempts is how many times an update that keeps failing is
	// processed before the citizen gets an apology instead (default 5).
	MaxAttempts int
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Router is the Sink of every platform adapter: Deliver records an update
// durably, processes it through the middleware chain and the flows, and
// writes the replies to the outbox. It is safe for concurrent use, and
// several Routers (in several processes) may share one database.
type Router struct {
	db          *storage.DB
	chain       Handler
	waker       Waker
	direct      directDelivery
	limiter     *rateLimiter
	log         *slog.Logger
	logHash     *logid.Hasher
	now         func() time.Time
	lease       time.Duration
	maxAttempts int
	metrics     *Metrics
	// insertRecord is the text of record's first-attempt INSERT.
	insertRecord recordStatements
	// locks serialise the processing of one person's updates within this
	// process, so that conversation state is read and written in order.
	// One is held for a whole update, including its wait for a database
	// connection, so unrelated people who hash to the same lock queue
	// behind each other: with 64 locks and ~100 updates in flight that
	// was most of the webhook latency on PostgreSQL under load. Enough
	// locks that such collisions are rare (a few tens of kB).
	locks [4096]sync.Mutex
}

// NewRouter builds the Router and its middleware chain: recover → log →
// metrics → rate limit → conversation state → cfg.Handler.
func NewRouter(cfg Config) (*Router, error) {
	if cfg.DB == nil || cfg.Handler == nil {
		return nil, errors.New("handlers: Config.DB and Config.Handler are required")
	}
	r := &Router{
		db:          cfg.DB,
		waker:       cfg.Waker,
		log:         cfg.Logger,
		logHash:     cfg.LogHash,
		now:         cfg.Now,
		lease:       cfg.Lease,
		maxAttempts: cfg.MaxAttempts,
	}
	r.direct, _ = cfg.Waker.(directDelivery)
	r.insertRecord = newRecordStatements(cfg.DB.Dialect)
	if r.log == nil {
		r.log = slog.Default()
	}
	if r.now == nil {
		r.now = time.Now
	}
	if r.lease <= 0 {
		r.lease = DefaultLease
	}
	if r.maxAttempts <= 0 {
		r.maxAttempts = DefaultMaxAttempts
	}
	m, err := NewMetrics(cfg.Registry)
	if err != nil {
		return nil, err
	}
	r.metrics = m
	limit := &rateLimiter{db: cfg.DB, limit: cfg.RateLimit, window: cfg.RateWindow, now: r.now, dropped: cfg.Dropped}
	r.limiter = limit
	if limit.limit <= 0 {
		limit.limit = DefaultRateLimit
	}
	if limit.window <= 0 {
		limit.window = DefaultRateWindow
	}
	r.chain = Chain(cfg.Handler,
		Recover(r.log),
		Log(r.log, cfg.LogHash),
		m.Middleware(),
		limit.Middleware(),
		sessions(),
	)
	return r, nil
}

func utc(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// processTimeout bounds the handling of one update.
const processTimeout = 30 * time.Second

// Deliver records in and processes it. It returns nil once the update is
// durably recorded (and at once for an update recorded before: a
// redelivery); processing failures after that are retried by Recover.
// It implements the adapters' Sink.
//
// An update that is handled at the first try is one transaction: its
// record, everything the flows write, its conversation state and its
// replies in the outbox commit together, before the platform is told it
// arrived. Only when that fails is the update recorded on its own, as
// pending, for Recover.
func (r *Router) Deliver(ctx context.Context, in bots.Incoming) error {
	if in.Platform == "" || in.UpdateID == "" {
		return errors.New("handlers: an update needs a platform and an update id")
	}
	// Once begun, the work is finished even if the platform hangs up: the
	// update is then recorded, and a redelivery finds it done.
	// The time-out is a safety net: a query that cannot get a connection
	// fails after it instead of stalling every update behind it, and the
	// update is retried by recovery.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), processTimeout)
	defer cancel()
	err := r.process(ctx, in, 1)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, errFinished):
		r.metrics.duplicate(in.Platform)
		return nil
	}
	payload, jerr := json.Marshal(in)
	if jerr != nil {
		return fmt.Errorf("handlers: unable to encode update: %w", jerr)
	}
	now := utc(r.now())
	if _, err := r.db.ExecContext(ctx, r.db.Rebind(`INSERT INTO processed_updates
		(platform, update_id, user_id, chat_id, received_at, status, attempts, lease_until, payload, addressed)
		VALUES (?, ?, ?, ?, ?, 'pending', 1, ?, ?, ?)
		ON CONFLICT (platform, update_id) DO NOTHING`),
		string(in.Platform), in.UpdateID, in.UserID, in.ChatID, now, now.Add(r.lease), string(payload), forTheBot(in)); err != nil {
		return fmt.Errorf("handlers: unable to record update: %w", err)
	}
	return nil
}

// errFinished: the update was recorded before, by this or another
// processor; nothing is left to do here.
var errFinished = errors.New("handlers: update already recorded")

// errPanicked rolls back what a handler wrote before it panicked.
var errPanicked = errors.New("handlers: handler panicked")

func (r *Router) lockFor(in bots.Incoming) *sync.Mutex {
	return &r.locks[personHash(in)%uint32(len(r.locks))]
}

// personLockClass is the first half of the Postgres advisory locks that
// serialise one person's updates across replicas ("hub\x00"); the second
// is the person's hash. The two-key form keeps them apart from the
// one-key locks (migrations, the scheduler, Telegram polling).
const personLockClass int32 = 0x68756200

// lockPerson serialises the processing of one person's updates across
// replicas, as r.locks does within this process: on Postgres a lock held
// until tx ends, taken before anything of the person is read, so that an
// update arriving at another replica at the same moment reads the
// conversation state this one leaves. SQLite has one process.
func (r *Router) lockPerson(ctx context.Context, tx *sqlx.Tx, in bots.Incoming) error {
	if r.db.Dialect != storage.Postgres {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1, $2)`, personLockClass, int32(personHash(in))); err != nil {
		return fmt.Errorf("handlers: unable to lock the person's updates: %w", err)
	}
	return nil
}

// personHash hashes who sent in: the platform, the chat and the user.
func personHash(in bots.Incoming) uint32 {
	h := fnv.New32a()
	h.Write([]byte(in.Platform))
	h.Write([]byte{0})
	h.Write([]byte(in.ChatID))
	h.Write([]byte{0})
	h.Write([]byte(in.UserID))
	return h.Sum32()
}

// process handles in, attempt counting from 1, in one transaction, and
// settles the outcome. It returns nil when the update is finished
// (handled, or given up after repeated failures), errFinished when it had
// been recorded before, and otherwise the failure: the update stays to be
// retried. An attempt that fails leaves nothing behind, so a retry starts
// afresh.
func (r *Router) process(ctx context.Context, in bots.Incoming, attempt int) error {
	mu := r.lockFor(in)
	mu.Lock()
	defer mu.Unlock()
	var outs []bots.Outgoing
	var claim *outbox.Claim
	defer func() {
		if p := recover(); p != nil {
			claim.Release() // no slot of the dispatcher's is lost to a panic
			panic(p)
		}
	}()
	u := &Update{Incoming: in}
	err := r.db.InTx(ctx, func(tx *sqlx.Tx) error {
		u.Tx = tx
		if err := r.lockPerson(ctx, tx, in); err != nil {
			return err
		}
		// The record is the first write: a concurrent processor of the
		// same update waits for this transaction (at the person's lock,
		// or at the record's primary key), and then finds the update
		// recorded (or takes over if this one rolls back).
		var err error
		if u.stored, err = r.record(ctx, tx, in, "done", attempt, r.limiter.applies(in)); err != nil {
			return err
		}
		if outs, err = r.chain.Handle(ctx, u); err != nil {
			return err
		}
		if u.panicked {
			return errPanicked
		}
		if u.forgotten {
			// The person erased their data while this update was handled:
			// its record keeps no identifiers either.
			if err := r.blank(ctx, tx, in); err != nil {
				return err
			}
		}
		if u.Session != nil {
			if err := u.Session.save(ctx, tx, utc(r.now())); err != nil {
				return err
			}
		}
		// The replies to an erasure (its confirmation) go once sent: kept,
		// they would name the chat whose rows the erasure deleted.
		claim, err = r.enqueue(ctx, tx, in, outs, u.forgotten)
		return err
	})
	if err != nil {
		claim.Release()
	}
	switch {
	case err == nil:
		r.deliver(claim, outs)
		return nil
	case errors.Is(err, errFinished):
		return err
	case errors.Is(err, errPanicked):
		// Recover logged it and left the apology in outs; the update
		// counts as handled, since retrying a bug would only repeat it.
		return r.settle(ctx, in, "done", attempt, outs)
	case attempt < r.maxAttempts:
		r.log.Warn("handlers: processing failed; will retry", "platform", in.Platform, "update_id", in.UpdateID,
			r.logHash.Attr(string(in.Platform), in.UserID), "attempt", attempt, "error", err)
		return err
	}
	r.log.Error("handlers: giving up on update after repeated failures", "platform", in.Platform,
		"update_id", in.UpdateID, r.logHash.Attr(string(in.Platform), in.UserID), "attempts", attempt, "error", err)
	outs = nil
	if in.ChatID != "" && in.Addressed {
		outs = []bots.Outgoing{{Text: textError}}
	}
	return r.settle(ctx, in, "failed", attempt, outs)
}

// record writes the update's record, finished with status, as the first
// write of tx. At the first attempt it inserts the record: an update
// recorded before, finished or pending (another processor's, or Recover's
// to retry), meets the primary key, and so does a concurrent processor of
// the same update once this transaction commits. A retry by Recover
// finishes the pending record it claimed, unless another processor
// finished it meanwhile. Either way errFinished says there is nothing to
// do. With counts, the first attempt's insert also returns what the rate
// limiter reads about the person (its counts and their conversation
// state), saving the update a round trip; otherwise, and on a retry, it
// returns nil.
func (r *Router) record(ctx context.Context, tx *sqlx.Tx, in bots.Incoming, status string, attempt int, counts bool) (*rateCounts, error) {
	if attempt == 1 {
		now := utc(r.now())
		args := []any{string(in.Platform), in.UpdateID, in.UserID, in.ChatID, now, status, forTheBot(in)}
		var c *rateCounts
		var err error
		if counts {
			c = new(rateCounts)
			err = tx.GetContext(ctx, c, r.insertRecord.counts, append(args, now.Add(-r.limiter.window))...)
		} else {
			_, err = tx.ExecContext(ctx, r.insertRecord.plain, args...)
		}
		switch {
		case storage.IsUniqueViolation(err):
			return nil, errFinished
		case err != nil:
			return nil, fmt.Errorf("handlers: unable to record update: %w", err)
		}
		return c, nil
	}
	res, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE processed_updates SET status = ?, payload = '', lease_until = NULL
		WHERE platform = ? AND update_id = ? AND status = 'pending'`), status, string(in.Platform), in.UpdateID)
	if err != nil {
		return nil, fmt.Errorf("handlers: unable to record update: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return nil, fmt.Errorf("handlers: unable to record update: %w", err)
	}
	if n == 0 {
		return nil, errFinished
	}
	return nil, nil
}

// recordStatements are the texts of the INSERT that records an update at
// its first attempt, in one dialect, built once rather than for every
// update. Parameters: platform, update id, user id, chat id, received_at,
// status, addressed, and for counts the start of the rate limiter's
// window.
type recordStatements struct {
	plain string
	// counts also returns the rate limiter's counts (rateCounts).
	counts string
}

func newRecordStatements(d storage.Dialect) recordStatements {
	ph := placeholders(d, 8)
	plain := `INSERT INTO processed_updates
		(platform, update_id, user_id, chat_id, received_at, status, attempts, payload, addressed)
		VALUES (` + strings.Join(ph[:6], ", ") + `, 1, '', ` + ph[6] + `)`
	return recordStatements{plain: plain,
		counts: plain + ` RETURNING ` + rateCountsColumns(ph[0], ph[1], ph[2], ph[3], ph[7])}
}

// blank removes the identifiers from the update's record.
func (r *Router) blank(ctx context.Context, tx *sqlx.Tx, in bots.Incoming) error {
	if _, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE processed_updates SET user_id = '', chat_id = ''
		WHERE platform = ? AND update_id = ?`), string(in.Platform), in.UpdateID); err != nil {
		return fmt.Errorf("handlers: unable to blank the update's record: %w", err)
	}
	return nil
}

// enqueue writes the replies to the outbox in tx, transient (deleted once
// sent) if so. When the dispatcher in this process has room, the replies
// are claimed for it as they are written: the returned Claim is to be
// delivered once tx commits (or released if it does not).
func (r *Router) enqueue(ctx context.Context, tx *sqlx.Tx, in bots.Incoming, outs []bots.Outgoing, transient bool) (*outbox.Claim, error) {
	msgs := replies(in, outs)
	for i := range msgs {
		msgs[i].Transient = transient
	}
	var claim *outbox.Claim
	if r.direct != nil {
		claim = r.direct.Reserve(len(msgs))
	}
	if _, err := outbox.EnqueueClaimed(ctx, tx, claim, msgs...); err != nil {
		claim.Release()
		return nil, fmt.Errorf("handlers: unable to enqueue replies: %w", err)
	}
	return claim, nil
}

// settle finishes an update without its handler's writes or state: records
// it with status and enqueues outs.
func (r *Router) settle(ctx context.Context, in bots.Incoming, status string, attempt int, outs []bots.Outgoing) error {
	var claim *outbox.Claim
	err := r.db.InTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := r.record(ctx, tx, in, status, attempt, false); err != nil {
			return err
		}
		var err error
		claim, err = r.enqueue(ctx, tx, in, outs, false)
		return err
	})
	if err != nil {
		claim.Release()
		if !errors.Is(err, errFinished) {
			r.log.Warn("handlers: unable to finish update; will retry", "platform", in.Platform, "update_id", in.UpdateID, "error", err)
		}
		return err
	}
	r.deliver(claim, outs)
	return nil
}

// deliver hands directly claimed replies to the dispatcher after their
// transaction committed, and wakes it for the others.
func (r *Router) deliver(claim *outbox.Claim, outs []bots.Outgoing) {
	if claim == nil || claim.Deliver() {
		r.wake(outs)
	}
}

// wake tells the dispatcher about enqueued replies.
func (r *Router) wake(outs []bots.Outgoing) {
	if len(outs) > 0 && r.waker != nil {
		r.waker.Wake()
	}
}

// replies addresses the handler's replies to the update's chat, splits
// long ones and gives every part a deterministic idempotency key, so that
// reprocessing the update enqueues nothing twice.
func replies(in bots.Incoming, outs []bots.Outgoing) []outbox.Message {
	var msgs []outbox.Message
	for _, out := range outs {
		if out.Platform == "" {
			out.Platform = in.Platform
		}
		if out.ChatID == "" {
			out.ChatID = in.ChatID
		}
		for _, part := range SplitOutgoing(out, MaxPartLen) {
			key := "reply:" + string(in.Platform) + ":" + in.UpdateID + ":" + strconv.Itoa(len(msgs))
			msgs = append(msgs, outbox.Message{Key: key, Out: part})
		}
	}
	return msgs
}

// Recover reprocesses the updates that were recorded but not finished
// (their processor failed or died) once their lease has run out, and
// returns how many it took on.
func (r *Router) Recover(ctx context.Context) (int, error) {
	now := utc(r.now())
	var rows []struct {
		Platform string `db:"platform"`
		UpdateID string `db:"update_id"`
	}
	if err := r.db.SelectContext(ctx, &rows, r.db.Rebind(`SELECT platform, update_id FROM processed_updates
		WHERE status = 'pending' AND lease_until <= ? ORDER BY received_at LIMIT 100`), now); err != nil {
		return 0, fmt.Errorf("handlers: unable to find unfinished updates: %w", err)
	}
	taken := 0
	for _, row := range rows {
		var claimed struct {
			Attempts int    `db:"attempts"`
			Payload  string `db:"payload"`
		}
		err := r.db.GetContext(ctx, &claimed, r.db.Rebind(`UPDATE processed_updates
			SET attempts = attempts + 1, lease_until = ?
			WHERE platform = ? AND update_id = ? AND status = 'pending' AND lease_until <= ?
			RETURNING attempts, payload`), now.Add(r.lease), row.Platform, row.UpdateID, now)
		if errors.Is(err, sql.ErrNoRows) {
			continue // another processor took it
		}
		if err != nil {
			return taken, fmt.Errorf("handlers: unable to claim unfinished update: %w", err)
		}
		var in bots.Incoming
		if err := json.Unmarshal([]byte(claimed.Payload), &in); err != nil {
			r.log.Error("handlers: unfinished update has an unreadable payload; dropping it", "platform", row.Platform, "update_id", row.UpdateID)
			in = bots.Incoming{Platform: bots.Platform(row.Platform), UpdateID: row.UpdateID}
			_ = r.settle(ctx, in, "failed", claimed.Attempts, nil)
			continue
		}
		taken++
		r.metrics.recovered(in.Platform)
		_ = r.process(ctx, in, claimed.Attempts) // failures are logged and retried later
	}
	return taken, nil
}

// RunRecovery calls Recover at once and then every interval (default
// DefaultRecoveryEvery) until ctx ends. Failures are logged once per
// streak, not once per attempt.
func (r *Router) RunRecovery(ctx context.Context, interval time.Duration) {
	if interval <= 0 {
		interval = DefaultRecoveryEvery
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	failing := false
	for {
		n, err := r.Recover(ctx)
		switch {
		case err != nil && ctx.Err() == nil && !failing:
			failing = true
			r.log.Error("handlers: recovery of unfinished updates failed", "error", err)
		case err == nil && failing:
			failing = false
			r.log.Info("handlers: recovery of unfinished updates works again")
		}
		if n > 0 {
			r.log.Info("handlers: reprocessed unfinished updates", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// PurgeBefore deletes the records of updates finished before t (they
// only serve de-duplication, and platforms redeliver within a day) and
// returns how many it deleted.
func (r *Router) PurgeBefore(ctx context.Context, t time.Time) (int64, error) {
	return PurgeUpdatesBefore(ctx, r.db, t)
}

// PurgeUpdatesBefore is Router.PurgeBefore without a Router.
func PurgeUpdatesBefore(ctx context.Context, db *storage.DB, t time.Time) (int64, error) {
	res, err := db.ExecContext(ctx, db.Rebind(`DELETE FROM processed_updates WHERE received_at < ? AND status <> 'pending'`), utc(t))
	if err != nil {
		return 0, fmt.Errorf("handlers: unable to purge processed updates: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("handlers: unable to purge processed updates: %w", err)
	}
	return n, nil
}

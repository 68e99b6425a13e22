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
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/outbox"
	"github.com/tebingtinggi/hub/storage"
)

// Waker is told when replies were written to the outbox, so that they go
// out at once; *outbox.Dispatcher implements it.
type Waker interface{ Wake() }

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
	Handler bots.Handler
	// Waker is nudged after replies were enqueued (may be nil).
	Waker Waker
	// Registry receives the handler metrics (may be nil).
	Registry *prometheus.Registry
	Logger   *slog.Logger
	// RateLimit is how many updates a person may send per RateWindow before
	// the bot falls silent (default 20 per minute).
	RateLimit  int
	RateWindow time.Duration
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
	chain       bots.Handler
	waker       Waker
	log         *slog.Logger
	now         func() time.Time
	lease       time.Duration
	maxAttempts int
	metrics     *Metrics
	// locks serialise the processing of one person's updates within this
	// process, so that conversation state is read and written in order.
	locks [64]sync.Mutex
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
		now:         cfg.Now,
		lease:       cfg.Lease,
		maxAttempts: cfg.MaxAttempts,
	}
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
	limit := &rateLimiter{db: cfg.DB, limit: cfg.RateLimit, window: cfg.RateWindow, now: r.now}
	if limit.limit <= 0 {
		limit.limit = DefaultRateLimit
	}
	if limit.window <= 0 {
		limit.window = DefaultRateWindow
	}
	r.chain = Chain(cfg.Handler,
		Recover(r.log),
		Log(r.log),
		m.Middleware(),
		limit.Middleware(),
		sessions(cfg.DB),
	)
	return r, nil
}

func utc(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// Deliver records in and processes it. It returns nil once the update is
// durably recorded (and at once for an update recorded before: a
// redelivery); processing failures after that are retried by Recover.
// It implements the adapters' Sink.
func (r *Router) Deliver(ctx context.Context, in bots.Incoming) error {
	if in.Platform == "" || in.UpdateID == "" {
		return errors.New("handlers: an update needs a platform and an update id")
	}
	payload, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("handlers: unable to encode update: %w", err)
	}
	now := utc(r.now())
	res, err := r.db.ExecContext(ctx, r.db.Rebind(`INSERT INTO processed_updates
		(platform, update_id, user_id, chat_id, received_at, status, attempts, lease_until, payload)
		VALUES (?, ?, ?, ?, ?, 'pending', 1, ?, ?)
		ON CONFLICT (platform, update_id) DO NOTHING`),
		string(in.Platform), in.UpdateID, in.UserID, in.ChatID, now, now.Add(r.lease), string(payload))
	if err != nil {
		return fmt.Errorf("handlers: unable to record update: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("handlers: unable to record update: %w", err)
	}
	if n == 0 {
		r.metrics.duplicate(in.Platform)
		return nil
	}
	// Recorded: from here on a failure is retried by recovery, not by the
	// platform.
	r.process(context.WithoutCancel(ctx), in, 1)
	return nil
}

func (r *Router) lockFor(in bots.Incoming) *sync.Mutex {
	h := fnv.New32a()
	h.Write([]byte(in.Platform))
	h.Write([]byte{0})
	h.Write([]byte(in.ChatID))
	h.Write([]byte{0})
	h.Write([]byte(in.UserID))
	return &r.locks[h.Sum32()%uint32(len(r.locks))]
}

// process runs the chain and finishes the update; attempt counts from 1.
func (r *Router) process(ctx context.Context, in bots.Incoming, attempt int) {
	mu := r.lockFor(in)
	mu.Lock()
	defer mu.Unlock()
	ctx, tr := withTrace(ctx)
	outs, err := r.chain.Handle(ctx, in)
	if err != nil {
		if attempt < r.maxAttempts {
			r.log.Warn("handlers: processing failed; will retry", "platform", in.Platform, "update_id", in.UpdateID,
				"attempt", attempt, "error", err)
			return
		}
		r.log.Error("handlers: giving up on update after repeated failures", "platform", in.Platform,
			"update_id", in.UpdateID, "attempts", attempt, "error", err)
		outs = nil
		if in.ChatID != "" && in.Addressed {
			outs = []bots.Outgoing{{Text: textError}}
		}
		tr.session = nil // do not save state from a failed run
		if err := r.finish(ctx, in, "failed", outs, nil, false); err != nil {
			r.log.Warn("handlers: unable to record a failed update", "update_id", in.UpdateID, "error", err)
		}
		return
	}
	if err := r.finish(ctx, in, "done", outs, tr.session, tr.forgotten); err != nil {
		r.log.Warn("handlers: unable to finish update; will retry", "platform", in.Platform, "update_id", in.UpdateID, "error", err)
	}
}

// finish marks the update done (or failed), saves the conversation state
// and enqueues the replies, all in one transaction, then wakes the
// dispatcher.
//
// blank also removes the update's identifiers: the person erased their
// data while it was handled.
func (r *Router) finish(ctx context.Context, in bots.Incoming, status string, outs []bots.Outgoing, sess *Session, blank bool) error {
	msgs := replies(in, outs)
	var mine bool
	err := r.db.InTx(ctx, func(tx *sqlx.Tx) error {
		q := `UPDATE processed_updates SET status = ?, payload = '', lease_until = NULL
			WHERE platform = ? AND update_id = ? AND status = 'pending'`
		if blank {
			q = `UPDATE processed_updates SET status = ?, payload = '', lease_until = NULL, user_id = '', chat_id = ''
			WHERE platform = ? AND update_id = ? AND status = 'pending'`
		}
		res, err := tx.ExecContext(ctx, r.db.Rebind(q), status, string(in.Platform), in.UpdateID)
		if err != nil {
			return fmt.Errorf("handlers: unable to mark update %s: %w", status, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("handlers: unable to mark update %s: %w", status, err)
		}
		if n == 0 {
			return nil // finished meanwhile by another processor
		}
		mine = true
		if sess != nil {
			if err := sess.save(ctx, tx, r.db, utc(r.now())); err != nil {
				return err
			}
		}
		if _, err := outbox.Enqueue(ctx, tx, msgs...); err != nil {
			return fmt.Errorf("handlers: unable to enqueue replies: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if mine && len(msgs) > 0 && r.waker != nil {
		r.waker.Wake()
	}
	return nil
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
			_ = r.finish(ctx, in, "failed", nil, nil, false)
			continue
		}
		taken++
		r.metrics.recovered(in.Platform)
		r.process(ctx, in, claimed.Attempts)
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

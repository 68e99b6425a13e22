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
	"github.com/tebingtinggi/hub/inbox"
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
	direct      directDelivery
	limiter     *rateLimiter
	log         *slog.Logger
	now         func() time.Time
	lease       time.Duration
	maxAttempts int
	metrics     *Metrics
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
		now:         cfg.Now,
		lease:       cfg.Lease,
		maxAttempts: cfg.MaxAttempts,
	}
	r.direct, _ = cfg.Waker.(directDelivery)
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
	r.limiter = limit
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

// processTimeout bounds the handling of one update.
const processTimeout = 30 * time.Second

// Deliver records in and processes it. It returns nil once the update is
// durably recorded (and at once for an update recorded before: a
// redelivery); processing failures after that are retried by Recover.
// It implements the adapters' Sink.
//
// An update that is handled at the first try is one unit of work:
// recording it, everything the flows write, its conversation state, its
// replies in the outbox and marking it done commit together, before the
// platform is told it arrived (on PostgreSQL often as one statement, see
// process). Only when that fails is the update recorded on its own, as
// pending, for Recover.
func (r *Router) Deliver(ctx context.Context, in bots.Incoming) error {
	if in.Platform == "" || in.UpdateID == "" {
		return errors.New("handlers: an update needs a platform and an update id")
	}
	// Once begun, the work is finished even if the platform hangs up: the
	// update is then recorded, and a redelivery finds it done.
	// The time-out is a safety net: a query that cannot get a connection
	// (on SQLite's single connection, one made outside the update's
	// context) fails after it instead of stalling every update behind it,
	// and the update is retried by recovery.
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
		(platform, update_id, user_id, chat_id, received_at, status, attempts, lease_until, payload)
		VALUES (?, ?, ?, ?, ?, 'pending', 1, ?, ?)
		ON CONFLICT (platform, update_id) DO NOTHING`),
		string(in.Platform), in.UpdateID, in.UserID, in.ChatID, now, now.Add(r.lease), string(payload)); err != nil {
		return fmt.Errorf("handlers: unable to record update: %w", err)
	}
	return nil
}

// errFinished: the update was finished before, by this or another
// processor; nothing is left to do.
var errFinished = errors.New("handlers: update already finished")

// errPanicked rolls back what a handler wrote before it panicked.
var errPanicked = errors.New("handlers: handler panicked")

func (r *Router) lockFor(in bots.Incoming) *sync.Mutex {
	h := fnv.New32a()
	h.Write([]byte(in.Platform))
	h.Write([]byte{0})
	h.Write([]byte(in.ChatID))
	h.Write([]byte{0})
	h.Write([]byte(in.UserID))
	return &r.locks[h.Sum32()%uint32(len(r.locks))]
}

// process handles in, attempt counting from 1, and settles the outcome.
// It returns nil when the update is finished (handled, or given up after
// repeated failures), errFinished when it had been finished before, and
// otherwise the failure: the update stays to be retried. An attempt that
// fails leaves nothing behind, so a retry starts afresh.
func (r *Router) process(ctx context.Context, in bots.Incoming, attempt int) error {
	mu := r.lockFor(in)
	mu.Lock()
	defer mu.Unlock()
	ctx, tr := withTrace(ctx)
	var outs []bots.Outgoing
	var claim *outbox.Claim
	defer func() {
		if p := recover(); p != nil {
			claim.Release() // no slot of the dispatcher's is lost to a panic
			panic(p)
		}
	}()
	// On PostgreSQL the unit of work is lazy: an update whose flows only
	// read and defer their writes (a question answered from the knowledge
	// base) costs two statements and no transaction: claimUpdate's read,
	// and the last one, with everything written (storage.Final).
	err := r.db.InLazyTxContext(ctx, func(ctx context.Context) error {
		ctx, err := r.claimUpdate(ctx, in, tr)
		if err != nil {
			return err
		}
		if outs, err = r.chain.Handle(ctx, in); err != nil {
			return err
		}
		if tr.panicked {
			return errPanicked
		}
		var also []storage.Statement
		if !tr.marked {
			// The person may have erased their data while this update was
			// handled: its record then keeps no identifiers either.
			also = append(also, r.markStatement(in, "done", tr.forgotten))
		} else if tr.forgotten {
			if err := r.mark(ctx, r.db, in, "done", true); err != nil {
				return err
			}
		}
		claim, err = r.enqueue(ctx, r.db, in, outs, tr.session, also...)
		return err
	})
	if isFinishedGuard(err) {
		err = errFinished
	}
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
		return r.settle(ctx, in, "done", outs)
	case attempt < r.maxAttempts:
		r.log.Warn("handlers: processing failed; will retry", "platform", in.Platform, "update_id", in.UpdateID,
			"attempt", attempt, "error", err)
		return err
	}
	r.log.Error("handlers: giving up on update after repeated failures", "platform", in.Platform,
		"update_id", in.UpdateID, "attempts", attempt, "error", err)
	outs = nil
	if in.ChatID != "" && in.Addressed {
		outs = []bots.Outgoing{{Text: textError}}
	}
	return r.settle(ctx, in, "failed", outs)
}

// claimUpdate starts the handling of an update. On SQLite, and for an
// update without a person or a chat, it marks the update done at the
// start of its transaction (see mark): another
// processor of the same update waits for the transaction and then finds
// it done, or takes over if this one rolls back.
//
// On PostgreSQL, for an update with a person and a chat, one read outside
// the transaction finds whether the update was finished before and reads
// what the rate limiter and the session middleware need, into tr; for a
// citizen's message in a private chat, which the question flow logs, it
// also looks up the conversation (inbox.PrefetchConversation) and returns
// ctx carrying it. The update is then marked done by the unit's last
// statement (markStatement), which fails if another processor finished it
// in the meantime, so all that this one wrote is undone.
func (r *Router) claimUpdate(ctx context.Context, in bots.Incoming, tr *trace) (context.Context, error) {
	if r.db.Dialect != storage.Postgres || in.UserID == "" || in.ChatID == "" {
		tr.marked = true
		return ctx, r.mark(ctx, r.db, in, "done", false)
	}
	now := utc(r.now())
	var status sql.NullString
	var c rateCounts
	dest := []any{&status, &c.N, &c.Noticed, &c.State}
	with, columns := "", ""
	args := []any{string(in.Platform), in.UpdateID, in.UserID, in.ChatID, now.Add(-r.limiter.window)}
	if in.ChatType == bots.Private && in.Kind == bots.Text && in.Command == "" {
		conv := new(inbox.Prefetched)
		cte, cols := inbox.PrefetchConversation("$1", "$4", "$3")
		with, columns = "WITH "+cte+" ", ", "+cols
		dest = append(dest, conv.Scan(in.Platform, in.ChatID, in.UserID)...)
		ctx = inbox.WithPrefetched(ctx, conv)
	}
	// On the pool, not in the unit: a read needs no transaction.
	err := r.db.DB.QueryRowContext(ctx, with+`SELECT
		(SELECT status FROM processed_updates WHERE platform = $1 AND update_id = $2) AS status, `+
		rateCountsColumns("$1", "$2", "$3", "$4", "$5")+columns,
		args...).Scan(dest...)
	if err != nil {
		return ctx, fmt.Errorf("handlers: unable to read update state: %w", err)
	}
	if status.Valid && status.String != "pending" {
		return ctx, errFinished
	}
	tr.rate = &c
	return ctx, nil
}

// finishedGuard is the text of the error with which markStatement fails
// for an update that was finished before.
const finishedGuard = "update already finished"

// markStatement is mark as a single statement to travel with others: it
// inserts the record of a fresh update or finishes the pending record of
// one that failed before, and fails (isFinishedGuard) when the update was
// finished already, undoing everything that travels with it. blank also
// removes the update's identifiers. PostgreSQL only.
func (r *Router) markStatement(in bots.Incoming, status string, blank bool) storage.Statement {
	user, chat, query := in.UserID, in.ChatID, markGuarded
	if blank {
		user, chat, query = "", "", markGuardedBlank
	}
	return storage.Statement{SQL: query, Args: []any{string(in.Platform), in.UpdateID, user, chat, utc(r.now()), status}}
}

// markGuarded and markGuardedBlank are markStatement's texts. SQL cannot
// raise an error by itself; casting a text that is no boolean does, and
// only when the CASE reaches it.
const (
	markGuardedHead = `INSERT INTO processed_updates
		(platform, update_id, user_id, chat_id, received_at, status, attempts, payload)
		VALUES (?, ?, ?, ?, ?, ?, 1, '')
		ON CONFLICT (platform, update_id) DO UPDATE SET status = excluded.status, payload = '', lease_until = NULL`
	markGuardedTail = `
		WHERE CASE WHEN processed_updates.status = 'pending' THEN TRUE
			ELSE CAST('` + finishedGuard + `: ' || processed_updates.status AS boolean) END`
	markGuarded      = markGuardedHead + markGuardedTail
	markGuardedBlank = markGuardedHead + `, user_id = '', chat_id = ''` + markGuardedTail
)

// isFinishedGuard reports whether err is markStatement's failure for an
// update finished before.
func isFinishedGuard(err error) bool {
	var pqErr interface{ SQLState() string }
	return errors.As(err, &pqErr) && pqErr.SQLState() == "22P02" && strings.Contains(err.Error(), finishedGuard)
}

// execer runs a statement: a transaction, or the DB (in the unit of work
// the context carries, if any).
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// mark records the update as finished with status: it inserts the record
// of a fresh update, or finishes the pending record of one that failed
// before. It returns errFinished when the update was finished already.
// blank also removes the update's identifiers.
func (r *Router) mark(ctx context.Context, q execer, in bots.Incoming, status string, blank bool) error {
	user, chat := in.UserID, in.ChatID
	set := `status = excluded.status, payload = '', lease_until = NULL`
	where := `WHERE processed_updates.status = 'pending'`
	if blank {
		user, chat = "", ""
		set += `, user_id = '', chat_id = ''`
		where = ""
	}
	now := utc(r.now())
	res, err := q.ExecContext(ctx, r.db.Rebind(`INSERT INTO processed_updates
		(platform, update_id, user_id, chat_id, received_at, status, attempts, payload)
		VALUES (?, ?, ?, ?, ?, ?, 1, '')
		ON CONFLICT (platform, update_id) DO UPDATE SET `+set+` `+where),
		string(in.Platform), in.UpdateID, user, chat, now, status)
	if err != nil {
		return fmt.Errorf("handlers: unable to mark update %s: %w", status, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("handlers: unable to mark update %s: %w", status, err)
	}
	if n == 0 {
		return errFinished
	}
	return nil
}

// enqueue saves the conversation state and writes the replies to the
// outbox, in the update's unit of work, after also and with the writes the
// flows deferred (on PostgreSQL, when the replies are claimed directly,
// all in one statement). It is the unit's last call.
// When the dispatcher in this process has room, the replies are claimed
// for it as they are written: the returned Claim is to be delivered once
// the unit commits (or released if it does not).
func (r *Router) enqueue(ctx context.Context, q outbox.Querier, in bots.Incoming, outs []bots.Outgoing, sess *Session, also ...storage.Statement) (*outbox.Claim, error) {
	// The writes the flows deferred (the message log) and the state go
	// with the replies, and so does also.
	also = append(also, r.db.TakeDeferred(ctx)...)
	if sess != nil {
		save, err := sess.saving(utc(r.now()))
		if err != nil {
			return nil, err
		}
		if save.SQL != "" {
			also = append(also, save)
		}
	}
	msgs := replies(in, outs)
	var claim *outbox.Claim
	if r.direct != nil {
		claim = r.direct.Reserve(len(msgs))
	}
	if _, err := outbox.EnqueueClaimedWith(ctx, q, claim, also, msgs...); err != nil {
		claim.Release()
		return nil, fmt.Errorf("handlers: unable to save conversation state and enqueue replies: %w", err)
	}
	return claim, nil
}

// settle finishes an update without its handler's writes or state: marks
// it with status and enqueues outs.
func (r *Router) settle(ctx context.Context, in bots.Incoming, status string, outs []bots.Outgoing) error {
	var claim *outbox.Claim
	err := r.db.InTx(ctx, func(tx *sqlx.Tx) error {
		if err := r.mark(ctx, tx, in, status, false); err != nil {
			return err
		}
		var err error
		claim, err = r.enqueue(ctx, tx, in, outs, nil)
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
			_ = r.settle(ctx, in, "failed", nil)
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

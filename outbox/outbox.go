// Package outbox is the hub's durable outbox. A reply or a scheduled message
// is recorded as an outbox row before it is sent, so that a crash at any
// point loses nothing: the row stays in the database until a Dispatcher has
// delivered it, given up on it or found that its moment has passed.
//
// Rows are written with Enqueue, usually inside the same transaction that
// records the update being answered, under a deterministic idempotency key
// ("reply:telegram:<update_id>:<n>", "reminder:<person>:<session>:<kind>:<round>")
// so that a redelivered update or a re-run scheduler enqueues nothing twice.
//
// A Dispatcher (one or several, in one or several processes) claims due rows
// with a lease, sends them through the platform's bots.Sender and records the
// outcome. Messages of one chat are delivered strictly in order; messages of
// different chats go out in parallel.
package outbox

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/storage"
)

// Status is a row's place in its life cycle.
type Status string

// The outbox statuses.
const (
	// Pending rows wait for their next attempt.
	Pending Status = "pending"
	// Sending rows are claimed by a dispatcher while it is alive and its
	// lease runs.
	Sending Status = "sending"
	// Sent rows were delivered; MessageID holds the platform's id.
	Sent Status = "sent"
	// Failed rows were given up; LastError says why.
	Failed Status = "failed"
	// Skipped rows expired before they could be sent.
	Skipped Status = "skipped"
)

// Statuses lists every status, in life-cycle order.
var Statuses = []Status{Pending, Sending, Sent, Failed, Skipped}

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	for _, v := range Statuses {
		if s == v {
			return true
		}
	}
	return false
}

// Message is one message to enqueue.
type Message struct {
	// Key is the idempotency key: enqueueing a key that exists already does
	// nothing. It must be deterministic, e.g. "reply:telegram:<update_id>:<n>".
	Key string
	// Out is the message itself; Out.Platform and Out.ChatID say where it
	// goes.
	Out bots.Outgoing
	// NotBefore delays the first attempt; zero means now. It also orders
	// the chat's queue: a message scheduled for later does not hold back the
	// chat's earlier-scheduled messages.
	NotBefore time.Time
	// ExpiresAt, when set, is the moment after which the message is no
	// longer worth sending (a reminder whose moment passed): a message
	// claimed at or after it is marked skipped instead of sent.
	ExpiresAt time.Time
	// Condition, when set, is what must still be true for the message to
	// be worth sending, in the words of the package that enqueued it (a
	// reminder: "its session still takes place at the time it names"):
	// before each attempt the dispatcher asks its Conditions, and a
	// message whose condition no longer holds is skipped, not sent. So a
	// message waiting for a retry, or for its moment, is withdrawn by the
	// change that makes it wrong, whichever process makes it, without
	// that change having to find the message. The outbox does not read
	// it. It must hold no personal data: officers' lists show it.
	Condition string
	// Transient messages are deleted as soon as their outcome is final
	// (sent, failed or skipped) instead of kept until retention purges
	// them: the confirmation of a person's erasure, which would otherwise
	// keep their chat's id after the erasure deleted the chat's rows.
	Transient bool
}

// Record is one outbox row as stored.
type Record struct {
	ID            int64
	Key           string
	Platform      bots.Platform
	ChatID        string
	Out           bots.Outgoing
	Status        Status
	Attempts      int
	NotBefore     time.Time
	NextAttemptAt time.Time
	ExpiresAt     *time.Time
	LeaseUntil    *time.Time
	LastError     string
	MessageID     string
	CreatedAt     time.Time
	SentAt        *time.Time
	Condition     string
}

// Execer is a database handle Enqueue writes through: a *storage.DB, or a
// caller's *sqlx.Tx so that the rows commit (or roll back) together with
// the caller's other writes.
type Execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	Rebind(query string) string
}

// enqueueBatch is the number of rows per multi-row INSERT: 10 parameters a
// row keeps a statement well under both backends' parameter limits.
const enqueueBatch = 500

// Enqueue records msgs for delivery and returns how many rows it inserted.
// A message whose key exists already (or repeats an earlier key in msgs) is
// skipped, so re-enqueueing is safe. Rows are written with batched
// multi-row INSERTs; when q is a database handle and more than one batch is
// needed they run in one transaction, so either all are recorded or none.
//
// Call Dispatcher.Wake after the caller's transaction commits so the
// messages go out at once.
func Enqueue(ctx context.Context, q Execer, msgs ...Message) (inserted int, err error) {
	if len(msgs) == 0 {
		return 0, nil
	}
	rows, err := encodeRows(msgs)
	if err != nil {
		return 0, err
	}
	n := len(rows) / perRow
	if db, ok := q.(*storage.DB); ok && n > enqueueBatch {
		err = db.InTx(ctx, func(tx *sqlx.Tx) error {
			inserted, err = insertBatches(ctx, tx, rows, n)
			return err
		})
		return inserted, err
	}
	return insertBatches(ctx, q, rows, n)
}

// perRow is the number of values encodeRows gives each message.
const perRow = 10

// encodeRows validates msgs and lays them out as INSERT values, perRow a
// message, in insertBatches' column order; a key repeated in msgs is
// left out.
func encodeRows(msgs []Message) ([]any, error) {
	now := utc(time.Now())
	rows := make([]any, 0, len(msgs)*perRow)
	seen := make(map[string]bool, len(msgs))
	for i, m := range msgs {
		if err := m.validate(); err != nil {
			return nil, fmt.Errorf("outbox: unable to enqueue message %d: %w", i, err)
		}
		if seen[m.Key] {
			continue
		}
		seen[m.Key] = true
		payload, err := json.Marshal(m.Out)
		if err != nil {
			// By position, not key: keys hold NIPs and chat ids.
			return nil, fmt.Errorf("outbox: unable to encode message %d: %w", i, err)
		}
		notBefore := now
		if !m.NotBefore.IsZero() {
			notBefore = utc(m.NotBefore)
		}
		var expires *time.Time
		if !m.ExpiresAt.IsZero() {
			e := utc(m.ExpiresAt)
			expires = &e
		}
		rows = append(rows, m.Key, string(m.Out.Platform), m.Out.ChatID, string(payload),
			notBefore, notBefore, expires, now, m.Condition, m.Transient)
	}
	return rows, nil
}

func insertBatches(ctx context.Context, q Execer, rows []any, n int) (int, error) {
	const head = `INSERT INTO outbox (idempotency_key, platform, chat_id, payload, not_before, next_attempt_at, expires_at, created_at, send_condition, transient) VALUES `
	const tuple = `(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	inserted := 0
	for start := 0; start < n; start += enqueueBatch {
		end := min(start+enqueueBatch, n)
		var sb strings.Builder
		sb.Grow(len(head) + (end-start)*(len(tuple)+2) + 48)
		sb.WriteString(head)
		for i := start; i < end; i++ {
			if i > start {
				sb.WriteString(", ")
			}
			sb.WriteString(tuple)
		}
		sb.WriteString(` ON CONFLICT (idempotency_key) DO NOTHING`)
		res, err := q.ExecContext(ctx, q.Rebind(sb.String()), rows[start*perRow:end*perRow]...)
		if err != nil {
			return 0, fmt.Errorf("outbox: unable to insert messages: %w", err)
		}
		affected, err := res.RowsAffected()
		if err != nil {
			return 0, fmt.Errorf("outbox: unable to count inserted messages: %w", err)
		}
		inserted += int(affected)
	}
	return inserted, nil
}

func (m Message) validate() error {
	switch {
	case strings.TrimSpace(m.Key) == "":
		return errors.New("empty idempotency key")
	case m.Out.Platform == "":
		return errors.New("no platform")
	case m.Out.ChatID == "":
		return errors.New("no chat id")
	}
	return nil
}

// utc normalises a time for storage: UTC, microsecond precision (what
// Postgres keeps), so that values compare the same on both backends.
func utc(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// Store reads and maintains the outbox for officers' screens, metrics and
// retention. Dispatchers deliver; Enqueue writes.
type Store struct {
	db *storage.DB
}

// New returns a Store on db.
func New(db *storage.DB) *Store { return &Store{db: db} }

// Enqueue is the package-level Enqueue on the store's database.
func (s *Store) Enqueue(ctx context.Context, msgs ...Message) (int, error) {
	return Enqueue(ctx, s.db, msgs...)
}

// Stats counts rows by status; every status is present, zero or not.
func (s *Store) Stats(ctx context.Context) (map[string]int, error) {
	return stats(ctx, s.db)
}

func stats(ctx context.Context, db *storage.DB) (map[string]int, error) {
	var rows []struct {
		Status string `db:"status"`
		N      int    `db:"n"`
	}
	if err := db.SelectContext(ctx, &rows, `SELECT status, COUNT(*) AS n FROM outbox GROUP BY status`); err != nil {
		return nil, fmt.Errorf("outbox: unable to count messages: %w", err)
	}
	out := make(map[string]int, len(Statuses))
	for _, st := range Statuses {
		out[string(st)] = 0
	}
	for _, r := range rows {
		out[r.Status] = r.N
	}
	return out, nil
}

// scrapeStatuses are the statuses the metrics read at each scrape: the
// undelivered and given-up rows, each counted through its own partial
// index. Sent rows are nearly the whole table (a full scan per scrape);
// outbox_sent_total counts them instead.
var scrapeStatuses = []Status{Pending, Sending, Failed, Skipped}

// scrapeStats counts the rows of scrapeStatuses.
func scrapeStats(ctx context.Context, db *storage.DB) (map[string]int, error) {
	var cols []string
	for _, st := range scrapeStatuses {
		// Constant literals, as in List, so that the planners pick the
		// status's partial index.
		cols = append(cols, `(SELECT COUNT(*) FROM outbox WHERE status = '`+string(st)+`')`)
	}
	row := db.QueryRowContext(ctx, `SELECT `+strings.Join(cols, ", "))
	n := make([]int, len(scrapeStatuses))
	dest := make([]any, len(n))
	for i := range n {
		dest[i] = &n[i]
	}
	if err := row.Scan(dest...); err != nil {
		return nil, fmt.Errorf("outbox: unable to count messages: %w", err)
	}
	out := make(map[string]int, len(n))
	for i, st := range scrapeStatuses {
		out[string(st)] = n[i]
	}
	return out, nil
}

// record is the row as scanned.
type record struct {
	ID            int64      `db:"id"`
	Key           string     `db:"idempotency_key"`
	Platform      string     `db:"platform"`
	ChatID        string     `db:"chat_id"`
	Payload       string     `db:"payload"`
	Status        string     `db:"status"`
	Attempts      int        `db:"attempts"`
	NotBefore     time.Time  `db:"not_before"`
	NextAttemptAt time.Time  `db:"next_attempt_at"`
	ExpiresAt     *time.Time `db:"expires_at"`
	LeaseUntil    *time.Time `db:"lease_until"`
	LastError     string     `db:"last_error"`
	MessageID     string     `db:"message_id"`
	CreatedAt     time.Time  `db:"created_at"`
	SentAt        *time.Time `db:"sent_at"`
	Condition     string     `db:"send_condition"`
}

const recordColumns = `id, idempotency_key, platform, chat_id, payload, status, attempts, not_before,
	next_attempt_at, expires_at, lease_until, last_error, message_id, created_at, sent_at, send_condition`

func (r record) toRecord() (Record, error) {
	out := Record{
		ID: r.ID, Key: r.Key, Platform: bots.Platform(r.Platform), ChatID: r.ChatID,
		Status: Status(r.Status), Attempts: r.Attempts,
		NotBefore: r.NotBefore.UTC(), NextAttemptAt: r.NextAttemptAt.UTC(),
		ExpiresAt: utcPtr(r.ExpiresAt), LeaseUntil: utcPtr(r.LeaseUntil),
		LastError: r.LastError, MessageID: r.MessageID,
		CreatedAt: r.CreatedAt.UTC(), SentAt: utcPtr(r.SentAt), Condition: r.Condition,
	}
	if err := json.Unmarshal([]byte(r.Payload), &out.Out); err != nil {
		return out, fmt.Errorf("outbox: unable to decode message %d: %w", r.ID, err)
	}
	return out, nil
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// DefaultListLimit and MaxListLimit bound List.
const (
	DefaultListLimit = 50
	MaxListLimit     = 500
)

// List returns the newest rows with the given status (all statuses when
// status is empty), newest first, at most limit (DefaultListLimit when
// limit ≤ 0, never more than MaxListLimit).
func (s *Store) List(ctx context.Context, status Status, limit int) ([]Record, error) {
	if status != "" && !status.Valid() {
		return nil, fmt.Errorf("outbox: unable to list messages: unknown status %q", status)
	}
	if limit <= 0 {
		limit = DefaultListLimit
	}
	limit = min(limit, MaxListLimit)
	var rows []record
	var err error
	if status == "" {
		err = s.db.SelectContext(ctx, &rows, s.db.Rebind(`SELECT `+recordColumns+` FROM outbox ORDER BY id DESC LIMIT ?`), limit)
	} else {
		// The status, checked above, is written into the query so that the
		// planners can match it to the partial indexes on status.
		err = s.db.SelectContext(ctx, &rows, s.db.Rebind(`SELECT `+recordColumns+` FROM outbox WHERE status = '`+string(status)+`' ORDER BY id DESC LIMIT ?`), limit)
	}
	if err != nil {
		return nil, fmt.Errorf("outbox: unable to list messages: %w", err)
	}
	return toRecords(rows)
}

func toRecords(rows []record) ([]Record, error) {
	out := make([]Record, 0, len(rows))
	for _, r := range rows {
		rec, err := r.toRecord()
		if err != nil {
			return nil, err
		}
		out = append(out, rec)
	}
	return out, nil
}

// ErrNotFound is returned when no row has the requested key.
var ErrNotFound = errors.New("outbox: message not found")

// Get returns the row with the given idempotency key.
func (s *Store) Get(ctx context.Context, key string) (Record, error) {
	var r record
	err := s.db.GetContext(ctx, &r, s.db.Rebind(`SELECT `+recordColumns+` FROM outbox WHERE idempotency_key = ?`), key)
	if errors.Is(err, sql.ErrNoRows) {
		return Record{}, ErrNotFound
	}
	if err != nil {
		return Record{}, fmt.Errorf("outbox: unable to get message: %w", err)
	}
	return r.toRecord()
}

// PurgeBefore deletes finished rows (sent, failed, skipped) created before
// t, for retention, and returns how many it deleted. Undelivered rows are
// kept whatever their age. Rows are found by id (see storage.OlderThan).
func (s *Store) PurgeBefore(ctx context.Context, t time.Time) (int64, error) {
	older, args := storage.OlderThan("outbox", t, time.Now())
	res, err := s.db.ExecContext(ctx, s.db.Rebind(`DELETE FROM outbox WHERE `+older+`
		AND status IN ('sent', 'failed', 'skipped')`), args...)
	if err != nil {
		return 0, fmt.Errorf("outbox: unable to purge messages: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("outbox: unable to count purged messages: %w", err)
	}
	return n, nil
}

// ForgetChat deletes every row addressed to the chat, delivered or not:
// part of a person's right to erasure. It returns how many it deleted.
func (s *Store) ForgetChat(ctx context.Context, q storage.Querier, platform bots.Platform, chatID string) (int64, error) {
	res, err := q.ExecContext(ctx, s.db.Rebind(`DELETE FROM outbox WHERE platform = ? AND chat_id = ?`), string(platform), chatID)
	if err != nil {
		return 0, fmt.Errorf("outbox: unable to forget chat: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("outbox: unable to count forgotten messages: %w", err)
	}
	return n, nil
}

// Package inbox keeps the help desk's human side: one conversation per
// citizen and chat, the log of messages exchanged, and the tickets handed
// over to officers when the bot cannot answer, with their SLA (computed on
// a service-hours Calendar), replies, closing and the citizen's rating.
//
// All state lives in the database and every status change is guarded in
// SQL, so several hub processes may share one Postgres database. Message
// texts and names are personal data: this package stores them, never logs
// them, purges them after the retention period (PurgeMessagesBefore) and
// erases them on request (Forget).
package inbox

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/storage"
)

// The errors of the ticket life cycle.
var (
	ErrNotFound      = errors.New("inbox: not found")
	ErrClosed        = errors.New("inbox: ticket is closed")
	ErrNotClosed     = errors.New("inbox: ticket is not closed yet")
	ErrAlreadyRated  = errors.New("inbox: ticket is already rated")
	ErrInvalidRating = errors.New("inbox: rating must be 1 to 5")
	// ErrSameReply: the ticket's last message is the same officer's
	// reply with the same text (a form sent twice, a command run
	// twice); it is not sent again.
	ErrSameReply = errors.New("inbox: the ticket's last message is this officer's same reply")
)

// SameReplyError is ErrSameReply with when the earlier reply was logged,
// which names its message in the outbox (see handlers.Desk).
type SameReplyError struct{ At time.Time }

func (e *SameReplyError) Error() string { return ErrSameReply.Error() }

// Is makes errors.Is(err, ErrSameReply) hold.
func (e *SameReplyError) Is(target error) bool { return target == ErrSameReply }

// Defaults and limits.
const (
	// DefaultSLA is how many working hours officers have for a first reply.
	DefaultSLA = 8 * time.Hour
	// DefaultRetention is how long messages are kept; the caller purges
	// with PurgeMessagesBefore(now - retention).
	DefaultRetention = 365 * 24 * time.Hour
	// SubjectLen is the longest ticket subject, in characters.
	SubjectLen = 120
	// CommentLen is the longest rating comment kept, in characters.
	CommentLen = 1000
	// DefaultLimit and MaxLimit bound List pages.
	DefaultLimit = 50
	MaxLimit     = 500
)

// Store is the inbox's database access. A method that makes several writes
// takes the caller's transaction (*sqlx.Tx), so that they commit with the
// rest of the caller's work; one that reads, or writes a single row, takes
// a storage.Querier (that transaction, or the database). Set Calendar, SLA
// and Now (if needed) before use; New fills in the defaults.
type Store struct {
	db *storage.DB
	// Calendar gives the service hours that SLA due times count in.
	Calendar Calendar
	// SLA is the working time allowed for a first reply.
	SLA time.Duration
	// Terms, when set, gives the calendar and SLA in force at each call
	// (the admin's settings, which change while the hub runs); it
	// overrides Calendar and SLA.
	Terms func() (Calendar, time.Duration)
	// Now is the clock for the methods that take no time argument.
	Now func() time.Time
}

// New returns a Store on db with DefaultCalendar, DefaultSLA and time.Now.
func New(db *storage.DB) *Store {
	return &Store{db: db, Calendar: DefaultCalendar(), SLA: DefaultSLA, Now: time.Now}
}

// InForce returns the calendar and SLA that apply now.
func (s *Store) InForce() (Calendar, time.Duration) {
	cal, sla := s.Calendar, s.SLA
	if s.Terms != nil {
		cal, sla = s.Terms()
	}
	if sla <= 0 {
		sla = DefaultSLA
	}
	return cal, sla
}

func (s *Store) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// utc normalises a time for storage: UTC at the microsecond precision
// Postgres keeps.
func utc(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// ForgottenCloser is the closed_by of a ticket closed because its citizen
// erased their data.
const ForgottenCloser = "/hapusdata"

// ForgottenNote is the message a ticket closed by erasure keeps in its
// history, so that officers see why it closed and that nobody can be
// answered any more.
const ForgottenNote = "Tiket ditutup otomatis: warga menghapus datanya dengan /hapusdata, sehingga balasan tidak dapat dikirim."

// TicketsOf returns the ids of every ticket of a person on a platform,
// open or closed, across their chats, oldest first: what /hapusdata
// erases, read through q (its transaction) before Forget replaces the
// person's ids.
func (s *Store) TicketsOf(ctx context.Context, q storage.Querier, platform bots.Platform, userID string) ([]int64, error) {
	var ids []int64
	if err := q.SelectContext(ctx, &ids, s.db.Rebind(`SELECT t.id FROM tickets t JOIN conversations c ON c.id = t.conversation_id
		WHERE c.platform = ? AND c.user_id = ? ORDER BY t.id`), string(platform), userID); err != nil {
		return nil, fmt.Errorf("inbox: unable to list a person's tickets: %w", err)
	}
	return ids, nil
}

// Forget erases a person on a platform (the right to erasure), in tx: the
// messages of all their conversations are deleted, their tickets' subjects
// and rating comments blanked and every ticket of theirs marked Erased
// (so that copies shown elsewhere, such as the Slack desk's, are taken
// back, closed tickets too), their open and answered tickets closed with
// ForgottenNote as their history (nobody is left to answer), and their
// chat id, user id and name replaced by an anonymous tombstone
// ("forgotten:<conversation id>"). Tickets keep their times and rating,
// so statistics stay right. It returns the chat ids the person had
// conversations in, so that the caller can erase what other packages keep
// about those chats.
func (s *Store) Forget(ctx context.Context, tx *sqlx.Tx, platform bots.Platform, userID string) ([]string, error) {
	var chats []string
	if err := tx.SelectContext(ctx, &chats, s.db.Rebind(`SELECT chat_id FROM conversations WHERE platform = ? AND user_id = ? ORDER BY id`),
		string(platform), userID); err != nil {
		return nil, fmt.Errorf("inbox: unable to forget person: %w", err)
	}
	const theirs = `(SELECT id FROM conversations WHERE platform = ? AND user_id = ?)`
	var active []Ticket
	if err := tx.SelectContext(ctx, &active, s.db.Rebind(`SELECT `+ticketColumns+` FROM tickets
		WHERE status <> 'closed' AND conversation_id IN `+theirs+` ORDER BY id`), string(platform), userID); err != nil {
		return nil, fmt.Errorf("inbox: unable to forget person: %w", err)
	}
	for _, stmt := range []string{
		`DELETE FROM messages WHERE conversation_id IN ` + theirs,
		`UPDATE tickets SET subject = '', rating_comment = '', erased = TRUE WHERE conversation_id IN ` + theirs,
	} {
		if _, err := tx.ExecContext(ctx, s.db.Rebind(stmt), string(platform), userID); err != nil {
			return nil, fmt.Errorf("inbox: unable to forget person: %w", err)
		}
	}
	now := s.now()
	for _, t := range active {
		if _, err := s.Close(ctx, tx, t.ID, ForgottenCloser, true, now); err != nil {
			return nil, fmt.Errorf("inbox: unable to forget person: %w", err)
		}
		if _, err := s.logMessage(ctx, tx, t.ConversationID, t.ID, Out, Author{Kind: Bot}, ForgottenNote, now); err != nil {
			return nil, fmt.Errorf("inbox: unable to forget person: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, s.db.Rebind(`UPDATE conversations SET chat_id = 'forgotten:' || id, user_id = 'forgotten:' || id, display_name = ''
		WHERE platform = ? AND user_id = ?`), string(platform), userID); err != nil {
		return nil, fmt.Errorf("inbox: unable to forget person: %w", err)
	}
	return chats, nil
}

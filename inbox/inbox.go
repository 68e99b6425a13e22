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
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/storage"
)

// TicketStatus is a ticket's place in its life cycle.
type TicketStatus string

// The ticket statuses.
const (
	// Open tickets wait for an officer.
	Open TicketStatus = "open"
	// Answered tickets got an officer's reply; a citizen's further message
	// opens them again.
	Answered TicketStatus = "answered"
	// Closed tickets are done and may be rated.
	Closed TicketStatus = "closed"
)

// Valid reports whether s is a known status.
func (s TicketStatus) Valid() bool { return s == Open || s == Answered || s == Closed }

// Reason says why a question was handed over to officers.
type Reason string

// The usual handoff reasons; others may be recorded too.
const (
	// NoMatch: the knowledge base had no answer.
	NoMatch Reason = "no_match"
	// AskedHuman: the citizen asked for an officer.
	AskedHuman Reason = "asked_human"
	// UnhelpfulAnswer: the citizen said the bot's answer did not help.
	UnhelpfulAnswer Reason = "unhelpful_answer"
)

// Direction tells messages to the hub from messages from it.
type Direction string

// The directions.
const (
	In  Direction = "in"
	Out Direction = "out"
)

// AuthorKind says who wrote a message.
type AuthorKind string

// The author kinds.
const (
	Citizen AuthorKind = "citizen"
	Bot     AuthorKind = "bot"
	Officer AuthorKind = "officer"
)

// Author is who wrote a message; Name is set for officers.
type Author struct {
	Kind AuthorKind
	Name string
}

// The errors of the ticket life cycle.
var (
	ErrNotFound      = errors.New("inbox: not found")
	ErrClosed        = errors.New("inbox: ticket is closed")
	ErrNotClosed     = errors.New("inbox: ticket is not closed yet")
	ErrAlreadyRated  = errors.New("inbox: ticket is already rated")
	ErrInvalidRating = errors.New("inbox: rating must be 1 to 5")
)

// Conversation is one citizen in one chat on one platform.
type Conversation struct {
	ID       int64         `db:"id"`
	Platform bots.Platform `db:"platform"`
	ChatID   string        `db:"chat_id"`
	UserID   string        `db:"user_id"`
	// DisplayName is personal data: show it to officers, never log it.
	DisplayName   string    `db:"display_name"`
	CreatedAt     time.Time `db:"created_at"`
	LastMessageAt time.Time `db:"last_message_at"`
}

// Ticket is a question handed over to officers.
type Ticket struct {
	ID             int64        `db:"id"`
	ConversationID int64        `db:"conversation_id"`
	Status         TicketStatus `db:"status"`
	// Subject is the first question, shortened to SubjectLen characters.
	Subject         string     `db:"subject"`
	Reason          Reason     `db:"reason"`
	CreatedAt       time.Time  `db:"created_at"`
	DueAt           time.Time  `db:"due_at"`
	FirstResponseAt *time.Time `db:"first_response_at"`
	AnsweredBy      string     `db:"answered_by"`
	AnsweredAt      *time.Time `db:"answered_at"`
	ClosedAt        *time.Time `db:"closed_at"`
	ClosedBy        string     `db:"closed_by"`
	Rating          *int       `db:"rating"`
	RatingComment   string     `db:"rating_comment"`
	RatedAt         *time.Time `db:"rated_at"`
}

// Overdue reports whether the ticket still waits for its first officer
// reply after its due time.
func (t Ticket) Overdue(now time.Time) bool {
	return t.Status == Open && t.FirstResponseAt == nil && now.After(t.DueAt)
}

// Message is one logged message.
type Message struct {
	ID             int64      `db:"id"`
	ConversationID int64      `db:"conversation_id"`
	TicketID       *int64     `db:"ticket_id"`
	Direction      Direction  `db:"direction"`
	AuthorKind     AuthorKind `db:"author_kind"`
	AuthorName     string     `db:"author_name"`
	Text           string     `db:"text"`
	CreatedAt      time.Time  `db:"created_at"`
}

// TicketDetail is a ticket with its conversation and its messages, oldest
// first.
type TicketDetail struct {
	Ticket       Ticket
	Conversation Conversation
	Messages     []Message
}

// Filter selects tickets for List; the zero Filter lists every ticket,
// newest first, DefaultLimit at a time.
type Filter struct {
	// Status, when set, keeps only tickets with it. Open and answered
	// tickets come most urgent (earliest due) first, closed ones most
	// recently closed first.
	Status TicketStatus
	Limit  int
	Offset int
}

// ListedTicket is a ticket with its conversation, as listed.
type ListedTicket struct {
	Ticket       Ticket
	Conversation Conversation
}

// ListResult is one page of tickets for an officers' screen.
type ListResult struct {
	Tickets []ListedTicket
	// Total is how many tickets match the filter, over all pages.
	Total int
	// Counts are the numbers of tickets per status, for tabs.
	Counts map[TicketStatus]int
}

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

// Store is the inbox's database access. Set Calendar, SLA and Now (if
// needed) before use; New fills in the defaults.
type Store struct {
	db *storage.DB
	// Calendar gives the service hours that SLA due times count in.
	Calendar Calendar
	// SLA is the working time allowed for a first reply.
	SLA time.Duration
	// Now is the clock for the methods that take no time argument.
	Now func() time.Time
}

// New returns a Store on db with DefaultCalendar, DefaultSLA and time.Now.
func New(db *storage.DB) *Store {
	return &Store{db: db, Calendar: DefaultCalendar(), SLA: DefaultSLA, Now: time.Now}
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

func (c *Conversation) normalize() {
	c.CreatedAt, c.LastMessageAt = c.CreatedAt.UTC(), c.LastMessageAt.UTC()
}

func (t *Ticket) normalize() {
	t.CreatedAt, t.DueAt = t.CreatedAt.UTC(), t.DueAt.UTC()
	t.FirstResponseAt, t.AnsweredAt = utcPtr(t.FirstResponseAt), utcPtr(t.AnsweredAt)
	t.ClosedAt, t.RatedAt = utcPtr(t.ClosedAt), utcPtr(t.RatedAt)
}

const (
	conversationColumns = `id, platform, chat_id, user_id, display_name, created_at, last_message_at`
	ticketColumns       = `id, conversation_id, status, subject, reason, created_at, due_at, first_response_at,
		answered_by, answered_at, closed_at, closed_by, rating, rating_comment, rated_at`
	messageColumns = `id, conversation_id, ticket_id, direction, author_kind, author_name, text, created_at`
)

// querier is what the store's helpers read and write through: the
// database or a transaction.
type querier interface {
	sqlx.ExtContext
	GetContext(ctx context.Context, dest any, query string, args ...any) error
	SelectContext(ctx context.Context, dest any, query string, args ...any) error
}

// PrefetchConversation is the part of a PostgreSQL statement that looks
// up a conversation, for a caller that reads other things in the same
// round trip (the Router, at the start of a citizen's message). Given the
// placeholders of platform, chat id and user id, it returns WITH queries
// to put first and the select list that reads the result; Prefetched.Scan
// takes the six columns, and WithPrefetched hands them to the next
// EnsureConversationTicket. When there is no conversation yet, the
// statement reserves an id for it: the conversation is then created only
// if EnsureConversationTicket is called, with a write that travels with
// the update's last statement (storage.DB.Defer), not a round trip of
// its own. Nothing is written for a message that no flow logs.
func PrefetchConversation(platform, chat, user string) (with, columns string) {
	with = `conv AS (
			SELECT c.id, c.display_name, c.created_at, c.last_message_at,
				(SELECT t.id FROM tickets t WHERE t.conversation_id = c.id AND t.status <> 'closed') AS active_ticket
			FROM conversations c WHERE c.platform = ` + platform + ` AND c.chat_id = ` + chat + ` AND c.user_id = ` + user + `)`
	columns = `(SELECT id FROM conv) AS conv_id, (SELECT display_name FROM conv) AS conv_name,
		(SELECT created_at FROM conv) AS conv_created, (SELECT last_message_at FROM conv) AS conv_last,
		(SELECT active_ticket FROM conv) AS conv_ticket,
		CASE WHEN NOT EXISTS (SELECT 1 FROM conv) THEN nextval(pg_get_serial_sequence('conversations', 'id')) END AS conv_reserved`
	return with, columns
}

// Prefetched is a conversation looked up by a PrefetchConversation
// statement, or the id reserved for it.
type Prefetched struct {
	id, reserved   sql.NullInt64
	name           sql.NullString
	created, last  sql.NullTime
	ticket         sql.NullInt64
	platform       bots.Platform
	chatID, userID string
	used           bool
	// insert is the arguments of the deferred write that creates the
	// conversation under the reserved id; see touchPending.
	insert []any
}

// Scan returns the destinations of PrefetchConversation's columns, in
// order, for the conversation of userID in chatID on platform.
func (p *Prefetched) Scan(platform bots.Platform, chatID, userID string) []any {
	p.platform, p.chatID, p.userID = platform, chatID, userID
	return []any{&p.id, &p.name, &p.created, &p.last, &p.ticket, &p.reserved}
}

type prefetchKey struct{}

// WithPrefetched makes p the answer of the next EnsureConversationTicket
// for its conversation in ctx (and of that one only: what the update does
// afterwards, such as opening a ticket, is not in p).
func WithPrefetched(ctx context.Context, p *Prefetched) context.Context {
	return context.WithValue(ctx, prefetchKey{}, p)
}

// prefetched answers EnsureConversationTicket from the prefetched
// conversation of ctx if it is the one asked for: the conversation found
// under the same name, or a new one under the reserved id, created by a
// deferred write (which needs a unit of work on PostgreSQL). A unique
// violation of that write (another replica created the conversation in
// the meantime) fails the update, whose retry then finds it.
func (s *Store) prefetched(ctx context.Context, platform bots.Platform, chatID, userID, displayName string) (Conversation, int64, bool, error) {
	p, _ := ctx.Value(prefetchKey{}).(*Prefetched)
	if p == nil || p.used || p.platform != platform || p.chatID != chatID || p.userID != userID {
		return Conversation{}, 0, false, nil
	}
	switch {
	case p.id.Valid && p.name.String == displayName:
		p.used = true
		c := Conversation{ID: p.id.Int64, Platform: platform, ChatID: chatID, UserID: userID, DisplayName: p.name.String,
			CreatedAt: p.created.Time, LastMessageAt: p.last.Time}
		c.normalize()
		return c, p.ticket.Int64, true, nil
	case p.reserved.Valid && s.db.Dialect == storage.Postgres && s.db.AtUnitTop(ctx):
		// Not inside a savepoint, whose rollback would drop the write
		// and leave the caller with the id of no conversation.
		p.used = true
		now := utc(s.now())
		c := Conversation{ID: p.reserved.Int64, Platform: platform, ChatID: chatID, UserID: userID, DisplayName: displayName,
			CreatedAt: now, LastMessageAt: now}
		p.insert = []any{c.ID, string(platform), chatID, userID, displayName, now, now}
		err := s.db.Defer(ctx, storage.Statement{SQL: `INSERT INTO conversations (id, platform, chat_id, user_id, display_name, created_at, last_message_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, Args: p.insert})
		if err != nil {
			return Conversation{}, 0, false, fmt.Errorf("inbox: unable to ensure conversation: %w", err)
		}
		return c, 0, true, nil
	}
	return Conversation{}, 0, false, nil
}

// touchPending moves the last_message_at of a conversation created by a
// deferred write of this update (see prefetched) to now, in the write's
// own arguments: the deferred UPDATE of last_message_at may travel in the
// same statement as the INSERT and would not see its row. If the INSERT
// has run already, the change is moot and the UPDATE finds the row.
func touchPending(ctx context.Context, convID int64, now time.Time) {
	if p, _ := ctx.Value(prefetchKey{}).(*Prefetched); p != nil && len(p.insert) == 7 && p.insert[0] == any(convID) {
		p.insert[6] = now
	}
}

// EnsureConversation returns the conversation of userID in chatID on
// platform, creating it on first contact; an existing conversation takes
// the current display name.
func (s *Store) EnsureConversation(ctx context.Context, platform bots.Platform, chatID, userID, displayName string) (Conversation, error) {
	c, _, err := s.EnsureConversationTicket(ctx, platform, chatID, userID, displayName)
	return c, err
}

// EnsureConversationTicket is EnsureConversation that also returns the id
// of the conversation's ticket that is not closed, or 0, in the same
// round trip.
func (s *Store) EnsureConversationTicket(ctx context.Context, platform bots.Platform, chatID, userID, displayName string) (Conversation, int64, error) {
	if platform == "" || chatID == "" || userID == "" {
		return Conversation{}, 0, errors.New("inbox: unable to ensure conversation: platform, chat id and user id are required")
	}
	if c, ticket, ok, err := s.prefetched(ctx, platform, chatID, userID, displayName); ok || err != nil {
		return c, ticket, err
	}
	const activeTicket = `(SELECT t.id FROM tickets t WHERE t.conversation_id = conversations.id AND t.status <> 'closed') AS active_ticket`
	var row struct {
		Conversation
		Ticket sql.NullInt64 `db:"active_ticket"`
	}
	now := utc(s.now())
	var err error
	if s.db.Dialect == storage.Postgres {
		// Usually the conversation exists under the same name, or not at
		// all: one statement finds it or creates it. (It finds nothing
		// when another transaction has just created it; the upsert below
		// then returns that one.)
		var stored string
		err = s.db.QueryRowContext(ctx, `WITH ins AS (
				INSERT INTO conversations (platform, chat_id, user_id, display_name, created_at, last_message_at)
				SELECT $1, $2, $3, $4, CAST($5 AS timestamptz), CAST($5 AS timestamptz)
				WHERE NOT EXISTS (SELECT 1 FROM conversations e WHERE e.platform = $1 AND e.chat_id = $2 AND e.user_id = $3)
				ON CONFLICT (platform, chat_id, user_id) DO NOTHING
				RETURNING `+conversationColumns+`, CAST(NULL AS bigint) AS active_ticket)
			SELECT * FROM ins
			UNION ALL
			SELECT `+conversationColumns+`, `+activeTicket+`
			FROM conversations WHERE platform = $1 AND chat_id = $2 AND user_id = $3`,
			string(platform), chatID, userID, displayName, now).
			Scan(&row.ID, &stored, &row.ChatID, &row.UserID, &row.DisplayName, &row.CreatedAt, &row.LastMessageAt, &row.Ticket)
		row.Platform = bots.Platform(stored)
	} else {
		// Usually the conversation exists under the same name: a read,
		// not a write, is enough.
		err = s.db.GetContext(ctx, &row, s.db.Rebind(`SELECT `+conversationColumns+`, `+activeTicket+`
			FROM conversations WHERE platform = ? AND chat_id = ? AND user_id = ?`),
			string(platform), chatID, userID)
	}
	switch {
	case err == nil && row.DisplayName == displayName:
	case err == nil || errors.Is(err, sql.ErrNoRows):
		err = s.db.GetContext(ctx, &row, s.db.Rebind(`INSERT INTO conversations (platform, chat_id, user_id, display_name, created_at, last_message_at)
			VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (platform, chat_id, user_id) DO UPDATE SET display_name = excluded.display_name
			RETURNING `+conversationColumns+`, `+activeTicket),
			string(platform), chatID, userID, displayName, now, now)
	}
	if err != nil {
		return Conversation{}, 0, fmt.Errorf("inbox: unable to ensure conversation: %w", err)
	}
	row.Conversation.normalize()
	return row.Conversation, row.Ticket.Int64, nil
}

// LogMessage records one message of a conversation, tied to a ticket when
// ticketID is not zero, at the store's clock.
func (s *Store) LogMessage(ctx context.Context, convID, ticketID int64, dir Direction, author Author, text string) (Message, error) {
	if s.db.Dialect == storage.Postgres {
		// One statement (see logMessage): all or nothing on its own, so
		// it joins the caller's unit of work without a savepoint (its
		// failure then fails the unit of work, as every caller wants).
		return s.logMessage(ctx, s.db, convID, ticketID, dir, author, text, s.now())
	}
	var m Message
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		m, err = s.logMessage(ctx, tx, convID, ticketID, dir, author, text, s.now())
		return err
	})
	return m, err
}

// LogExchange logs a citizen's message and the bot's reply to it, like two
// LogMessage calls, all or nothing. On PostgreSQL, in a unit of work (a
// chat update), the writes are deferred to travel with its last statement.
func (s *Store) LogExchange(ctx context.Context, convID, ticketID int64, question, reply string) error {
	now := utc(s.now())
	if s.db.Dialect != storage.Postgres {
		return s.db.InTx(ctx, func(tx *sqlx.Tx) error {
			if _, err := s.logMessage(ctx, tx, convID, ticketID, In, Author{Kind: Citizen}, question, now); err != nil {
				return err
			}
			_, err := s.logMessage(ctx, tx, convID, ticketID, Out, Author{Kind: Bot}, reply, now)
			return err
		})
	}
	var ticket *int64
	if ticketID != 0 {
		ticket = &ticketID
	}
	// Nobody reads the log back in this update: the writes travel with
	// the update's last statement (storage.DB.Defer). Rows are numbered in
	// VALUES order: the question comes first.
	log := func(ctx context.Context) error {
		touchPending(ctx, convID, now)
		for _, st := range []storage.Statement{
			{SQL: `INSERT INTO messages (conversation_id, ticket_id, direction, author_kind, author_name, text, created_at)
				VALUES (?, ?, 'in', 'citizen', '', ?, ?), (?, ?, 'out', 'bot', '', ?, ?)`,
				Args: []any{convID, ticket, question, now, convID, ticket, reply, now}},
			{SQL: `UPDATE conversations SET last_message_at = ? WHERE id = ? AND last_message_at < ?`,
				Args: []any{now, convID, now}},
		} {
			if err := s.db.Defer(ctx, st); err != nil {
				return fmt.Errorf("inbox: unable to log message: %w", err)
			}
		}
		return nil
	}
	if s.db.InUnit(ctx) {
		return log(ctx)
	}
	return s.db.InTxContext(ctx, func(ctx context.Context, _ *sqlx.Tx) error { return log(ctx) })
}

// LastQuestion is the text of the newest message the citizen wrote in a
// conversation, "" when there is none (or it was erased).
func (s *Store) LastQuestion(ctx context.Context, convID int64) (string, error) {
	var text string
	err := s.db.GetContext(ctx, &text, s.db.Rebind(`SELECT text FROM messages
		WHERE conversation_id = ? AND direction = 'in' ORDER BY id DESC LIMIT 1`), convID)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("inbox: unable to read the last question: %w", err)
	}
	return text, nil
}

func (s *Store) logMessage(ctx context.Context, q querier, convID, ticketID int64, dir Direction, author Author, text string, now time.Time) (Message, error) {
	switch {
	case dir != In && dir != Out:
		return Message{}, fmt.Errorf("inbox: unable to log message: unknown direction %q", dir)
	case author.Kind != Citizen && author.Kind != Bot && author.Kind != Officer:
		return Message{}, fmt.Errorf("inbox: unable to log message: unknown author kind %q", author.Kind)
	case author.Kind == Officer && strings.TrimSpace(author.Name) == "":
		return Message{}, errors.New("inbox: unable to log message: an officer's message needs the officer's name")
	}
	now = utc(now)
	var ticket *int64
	if ticketID != 0 {
		ticket = &ticketID
	}
	m := Message{ConversationID: convID, TicketID: ticket, Direction: dir, AuthorKind: author.Kind,
		AuthorName: author.Name, Text: text, CreatedAt: now}
	if s.db.Dialect == storage.Postgres {
		// The message and the conversation's last_message_at in one
		// statement: one round trip, atomic without a transaction. The
		// table has no foreign keys on PostgreSQL (migration 0007): the
		// statement checks that the conversation exists and that the
		// ticket is one of its own.
		err := q.QueryRowxContext(ctx, `WITH m AS (
				INSERT INTO messages (conversation_id, ticket_id, direction, author_kind, author_name, text, created_at)
				SELECT $1, $2, $3, $4, $5, $6, $7
				WHERE EXISTS (SELECT 1 FROM conversations WHERE id = $1)
				AND (CAST($2 AS bigint) IS NULL OR EXISTS (SELECT 1 FROM tickets WHERE id = $2 AND conversation_id = $1))
				RETURNING id
			), c AS (
				UPDATE conversations SET last_message_at = $7 WHERE id = $1 AND last_message_at < $7
			)
			SELECT id FROM m`,
			convID, ticket, string(dir), string(author.Kind), author.Name, text, now).Scan(&m.ID)
		if errors.Is(err, sql.ErrNoRows) {
			if ticket != nil {
				return Message{}, fmt.Errorf("inbox: unable to log message: conversation %d does not exist or has no ticket %d", convID, ticketID)
			}
			return Message{}, fmt.Errorf("inbox: unable to log message: conversation %d does not exist", convID)
		}
		if err != nil {
			return Message{}, fmt.Errorf("inbox: unable to log message: %w", err)
		}
		return m, nil
	}
	err := q.QueryRowxContext(ctx, s.db.Rebind(`INSERT INTO messages (conversation_id, ticket_id, direction, author_kind, author_name, text, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`),
		convID, ticket, string(dir), string(author.Kind), author.Name, text, now).Scan(&m.ID)
	if err != nil {
		return Message{}, fmt.Errorf("inbox: unable to log message: %w", err)
	}
	if _, err := q.ExecContext(ctx, s.db.Rebind(`UPDATE conversations SET last_message_at = ? WHERE id = ? AND last_message_at < ?`), now, convID, now); err != nil {
		return Message{}, fmt.Errorf("inbox: unable to log message: %w", err)
	}
	return m, nil
}

// subjectOf shortens a question to a one-line subject.
func subjectOf(question string) string {
	return truncate(strings.Join(strings.Fields(question), " "), SubjectLen)
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

// errRaced restarts OpenTicket when another process opened the
// conversation's ticket at the same moment.
var errRaced = errors.New("inbox: concurrent ticket opening")

// OpenTicket hands a citizen's question over to officers. When the
// conversation already has a ticket that is not closed, the question joins
// it (an answered ticket opens again) and created is false; otherwise a new
// open ticket is created, due after the store's SLA in working time. Either
// way the question is logged to the ticket.
func (s *Store) OpenTicket(ctx context.Context, convID int64, question string, reason Reason, now time.Time) (t Ticket, created bool, err error) {
	for range 2 {
		err = s.db.InTx(ctx, func(tx *sqlx.Tx) error {
			var err error
			t, created, err = s.openTicket(ctx, tx, convID, question, reason, now)
			return err
		})
		if !errors.Is(err, errRaced) {
			return t, created, err
		}
	}
	return Ticket{}, false, fmt.Errorf("inbox: unable to open ticket: %w", err)
}

func (s *Store) openTicket(ctx context.Context, tx *sqlx.Tx, convID int64, question string, reason Reason, now time.Time) (Ticket, bool, error) {
	t, found, err := s.activeTicket(ctx, tx, convID)
	if err != nil {
		return Ticket{}, false, err
	}
	if found {
		if t, err = s.join(ctx, tx, t, question, now); err != nil {
			return Ticket{}, false, err
		}
		return t, false, nil
	}
	var exists int
	if err := tx.GetContext(ctx, &exists, s.db.Rebind(`SELECT COUNT(*) FROM conversations WHERE id = ?`), convID); err != nil {
		return Ticket{}, false, fmt.Errorf("inbox: unable to open ticket: %w", err)
	}
	if exists == 0 {
		return Ticket{}, false, ErrNotFound
	}
	sla := s.SLA
	if sla <= 0 {
		sla = DefaultSLA
	}
	created := utc(now)
	due := utc(s.Calendar.AddWorkingTime(now, sla))
	var id int64
	err = tx.QueryRowxContext(ctx, s.db.Rebind(`INSERT INTO tickets (conversation_id, status, subject, reason, created_at, due_at)
		VALUES (?, 'open', ?, ?, ?, ?) RETURNING id`),
		convID, subjectOf(question), string(reason), created, due).Scan(&id)
	if storage.IsUniqueViolation(err) {
		return Ticket{}, false, errRaced
	}
	if err != nil {
		return Ticket{}, false, fmt.Errorf("inbox: unable to open ticket: %w", err)
	}
	if _, err := s.logMessage(ctx, tx, convID, id, In, Author{Kind: Citizen}, question, now); err != nil {
		return Ticket{}, false, err
	}
	t, err = s.ticket(ctx, tx, id)
	return t, true, err
}

// join adds a citizen's message to an active ticket, opening it again if
// it was answered. It fails with errRaced when the ticket was closed
// meanwhile by another process.
func (s *Store) join(ctx context.Context, tx *sqlx.Tx, t Ticket, text string, now time.Time) (Ticket, error) {
	res, err := tx.ExecContext(ctx, s.db.Rebind(`UPDATE tickets SET status = 'open' WHERE id = ? AND status <> 'closed'`), t.ID)
	if err != nil {
		return Ticket{}, fmt.Errorf("inbox: unable to add to ticket: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return Ticket{}, fmt.Errorf("inbox: unable to add to ticket: %w", err)
	} else if n == 0 {
		return Ticket{}, errRaced
	}
	if _, err := s.logMessage(ctx, tx, t.ConversationID, t.ID, In, Author{Kind: Citizen}, text, now); err != nil {
		return Ticket{}, err
	}
	return s.ticket(ctx, tx, t.ID)
}

// activeTicket returns the conversation's ticket that is not closed.
func (s *Store) activeTicket(ctx context.Context, q querier, convID int64) (Ticket, bool, error) {
	var t Ticket
	err := q.GetContext(ctx, &t, s.db.Rebind(`SELECT `+ticketColumns+` FROM tickets WHERE conversation_id = ? AND status <> 'closed'`), convID)
	if errors.Is(err, sql.ErrNoRows) {
		return Ticket{}, false, nil
	}
	if err != nil {
		return Ticket{}, false, fmt.Errorf("inbox: unable to find open ticket: %w", err)
	}
	t.normalize()
	return t, true, nil
}

func (s *Store) ticket(ctx context.Context, q querier, id int64) (Ticket, error) {
	var t Ticket
	err := q.GetContext(ctx, &t, s.db.Rebind(`SELECT `+ticketColumns+` FROM tickets WHERE id = ?`), id)
	if errors.Is(err, sql.ErrNoRows) {
		return Ticket{}, ErrNotFound
	}
	if err != nil {
		return Ticket{}, fmt.Errorf("inbox: unable to get ticket: %w", err)
	}
	t.normalize()
	return t, nil
}

func (s *Store) conversation(ctx context.Context, q querier, id int64) (Conversation, error) {
	var c Conversation
	err := q.GetContext(ctx, &c, s.db.Rebind(`SELECT `+conversationColumns+` FROM conversations WHERE id = ?`), id)
	if errors.Is(err, sql.ErrNoRows) {
		return Conversation{}, ErrNotFound
	}
	if err != nil {
		return Conversation{}, fmt.Errorf("inbox: unable to get conversation: %w", err)
	}
	c.normalize()
	return c, nil
}

// CitizenReply adds a citizen's message to the conversation's ticket that
// is not closed (an answered ticket opens again). found is false, and
// nothing is logged, when the conversation has no such ticket.
func (s *Store) CitizenReply(ctx context.Context, convID int64, text string, now time.Time) (t Ticket, found bool, err error) {
	for range 2 {
		found = false
		err = s.db.InTx(ctx, func(tx *sqlx.Tx) error {
			active, ok, err := s.activeTicket(ctx, tx, convID)
			if err != nil || !ok {
				return err
			}
			t, err = s.join(ctx, tx, active, text, now)
			found = err == nil
			return err
		})
		if !errors.Is(err, errRaced) {
			return t, found, err
		}
	}
	return Ticket{}, false, fmt.Errorf("inbox: unable to add to ticket: %w", err)
}

// Reply records an officer's reply to a ticket that is not closed: the
// message is logged and the ticket becomes answered (its first response
// time kept from the first reply). It returns the ticket and its
// conversation, for sending the reply.
func (s *Store) Reply(ctx context.Context, ticketID int64, officer, text string, now time.Time) (Ticket, Conversation, error) {
	if strings.TrimSpace(officer) == "" {
		return Ticket{}, Conversation{}, errors.New("inbox: unable to reply: officer name is required")
	}
	var t Ticket
	var c Conversation
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		at := utc(now)
		res, err := tx.ExecContext(ctx, s.db.Rebind(`UPDATE tickets
			SET status = 'answered', first_response_at = COALESCE(first_response_at, ?), answered_by = ?, answered_at = ?
			WHERE id = ? AND status <> 'closed'`), at, officer, at, ticketID)
		if err != nil {
			return fmt.Errorf("inbox: unable to reply: %w", err)
		}
		if err := s.checkTransition(ctx, tx, res, ticketID); err != nil {
			return err
		}
		if t, err = s.ticket(ctx, tx, ticketID); err != nil {
			return err
		}
		if _, err := s.logMessage(ctx, tx, t.ConversationID, ticketID, Out, Author{Kind: Officer, Name: officer}, text, now); err != nil {
			return err
		}
		c, err = s.conversation(ctx, tx, t.ConversationID)
		return err
	})
	if err != nil {
		return Ticket{}, Conversation{}, err
	}
	return t, c, nil
}

// checkTransition explains a guarded UPDATE that changed no ticket:
// ErrNotFound or ErrClosed.
func (s *Store) checkTransition(ctx context.Context, q querier, res sql.Result, ticketID int64) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("inbox: unable to update ticket: %w", err)
	}
	if n > 0 {
		return nil
	}
	if _, err := s.ticket(ctx, q, ticketID); err != nil {
		return err
	}
	return ErrClosed
}

// Close closes a ticket that is not closed yet; closing it again fails
// with ErrClosed.
func (s *Store) Close(ctx context.Context, ticketID int64, officer string, now time.Time) (Ticket, error) {
	var t Ticket
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, s.db.Rebind(`UPDATE tickets SET status = 'closed', closed_at = ?, closed_by = ?
			WHERE id = ? AND status <> 'closed'`), utc(now), officer, ticketID)
		if err != nil {
			return fmt.Errorf("inbox: unable to close ticket: %w", err)
		}
		if err := s.checkTransition(ctx, tx, res, ticketID); err != nil {
			return err
		}
		t, err = s.ticket(ctx, tx, ticketID)
		return err
	})
	return t, err
}

// Rate records the citizen's rating (1–5) and comment of a closed ticket,
// once: ErrNotClosed before closing, ErrAlreadyRated after a first rating.
func (s *Store) Rate(ctx context.Context, ticketID int64, rating int, comment string) (Ticket, error) {
	if rating < 1 || rating > 5 {
		return Ticket{}, ErrInvalidRating
	}
	var t Ticket
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, s.db.Rebind(`UPDATE tickets SET rating = ?, rating_comment = ?, rated_at = ?
			WHERE id = ? AND status = 'closed' AND rating IS NULL`),
			rating, truncate(strings.TrimSpace(comment), CommentLen), utc(s.now()), ticketID)
		if err != nil {
			return fmt.Errorf("inbox: unable to rate ticket: %w", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("inbox: unable to rate ticket: %w", err)
		}
		if t, err = s.ticket(ctx, tx, ticketID); err != nil {
			return err
		}
		switch {
		case n > 0:
			return nil
		case t.Status != Closed:
			return ErrNotClosed
		default:
			return ErrAlreadyRated
		}
	})
	if err != nil {
		return Ticket{}, err
	}
	return t, nil
}

// Get returns a ticket with its conversation and its messages.
func (s *Store) Get(ctx context.Context, ticketID int64) (TicketDetail, error) {
	t, err := s.ticket(ctx, s.db, ticketID)
	if err != nil {
		return TicketDetail{}, err
	}
	c, err := s.conversation(ctx, s.db, t.ConversationID)
	if err != nil {
		return TicketDetail{}, err
	}
	var msgs []Message
	if err := s.db.SelectContext(ctx, &msgs, s.db.Rebind(`SELECT `+messageColumns+` FROM messages WHERE ticket_id = ? ORDER BY id`), ticketID); err != nil {
		return TicketDetail{}, fmt.Errorf("inbox: unable to get ticket messages: %w", err)
	}
	for i := range msgs {
		msgs[i].CreatedAt = msgs[i].CreatedAt.UTC()
	}
	return TicketDetail{Ticket: t, Conversation: c, Messages: msgs}, nil
}

// listedRow is a ticket joined with its conversation.
type listedRow struct {
	Ticket
	ConvPlatform      string    `db:"conv_platform"`
	ConvChatID        string    `db:"conv_chat_id"`
	ConvUserID        string    `db:"conv_user_id"`
	ConvDisplayName   string    `db:"conv_display_name"`
	ConvCreatedAt     time.Time `db:"conv_created_at"`
	ConvLastMessageAt time.Time `db:"conv_last_message_at"`
}

const listedSelect = `SELECT t.id, t.conversation_id, t.status, t.subject, t.reason, t.created_at, t.due_at,
	t.first_response_at, t.answered_by, t.answered_at, t.closed_at, t.closed_by, t.rating, t.rating_comment, t.rated_at,
	c.platform AS conv_platform, c.chat_id AS conv_chat_id, c.user_id AS conv_user_id,
	c.display_name AS conv_display_name, c.created_at AS conv_created_at, c.last_message_at AS conv_last_message_at
	FROM tickets t JOIN conversations c ON c.id = t.conversation_id`

func (r listedRow) listed() ListedTicket {
	r.Ticket.normalize()
	c := Conversation{ID: r.ConversationID, Platform: bots.Platform(r.ConvPlatform), ChatID: r.ConvChatID,
		UserID: r.ConvUserID, DisplayName: r.ConvDisplayName, CreatedAt: r.ConvCreatedAt, LastMessageAt: r.ConvLastMessageAt}
	c.normalize()
	return ListedTicket{Ticket: r.Ticket, Conversation: c}
}

// List returns one page of tickets with the total and the per-status
// counts.
func (s *Store) List(ctx context.Context, f Filter) (ListResult, error) {
	if f.Status != "" && !f.Status.Valid() {
		return ListResult{}, fmt.Errorf("inbox: unable to list tickets: unknown status %q", f.Status)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	limit = min(limit, MaxLimit)
	offset := max(f.Offset, 0)

	var counts []struct {
		Status string `db:"status"`
		N      int    `db:"n"`
	}
	if err := s.db.SelectContext(ctx, &counts, `SELECT status, COUNT(*) AS n FROM tickets GROUP BY status`); err != nil {
		return ListResult{}, fmt.Errorf("inbox: unable to count tickets: %w", err)
	}
	res := ListResult{Counts: map[TicketStatus]int{Open: 0, Answered: 0, Closed: 0}}
	for _, c := range counts {
		res.Counts[TicketStatus(c.Status)] = c.N
		if f.Status == "" || TicketStatus(c.Status) == f.Status {
			res.Total += c.N
		}
	}

	var rows []listedRow
	var err error
	switch f.Status {
	case "":
		err = s.db.SelectContext(ctx, &rows, s.db.Rebind(listedSelect+` ORDER BY t.id DESC LIMIT ? OFFSET ?`), limit, offset)
	case Closed:
		err = s.db.SelectContext(ctx, &rows, s.db.Rebind(listedSelect+` WHERE t.status = ? ORDER BY t.closed_at DESC, t.id DESC LIMIT ? OFFSET ?`), string(f.Status), limit, offset)
	default:
		err = s.db.SelectContext(ctx, &rows, s.db.Rebind(listedSelect+` WHERE t.status = ? ORDER BY t.due_at, t.id LIMIT ? OFFSET ?`), string(f.Status), limit, offset)
	}
	if err != nil {
		return ListResult{}, fmt.Errorf("inbox: unable to list tickets: %w", err)
	}
	res.Tickets = make([]ListedTicket, 0, len(rows))
	for _, r := range rows {
		res.Tickets = append(res.Tickets, r.listed())
	}
	return res, nil
}

// OpenTicketsFor returns the tickets not yet closed of a person on a
// platform, across their chats, oldest first.
func (s *Store) OpenTicketsFor(ctx context.Context, platform bots.Platform, userID string) ([]Ticket, error) {
	var ts []Ticket
	err := s.db.SelectContext(ctx, &ts, s.db.Rebind(`SELECT t.id, t.conversation_id, t.status, t.subject, t.reason, t.created_at, t.due_at,
		t.first_response_at, t.answered_by, t.answered_at, t.closed_at, t.closed_by, t.rating, t.rating_comment, t.rated_at
		FROM tickets t JOIN conversations c ON c.id = t.conversation_id
		WHERE c.platform = ? AND c.user_id = ? AND t.status <> 'closed' ORDER BY t.id`), string(platform), userID)
	if err != nil {
		return nil, fmt.Errorf("inbox: unable to list open tickets: %w", err)
	}
	for i := range ts {
		ts[i].normalize()
	}
	return ts, nil
}

// PurgeMessagesBefore enforces retention: it deletes the messages logged
// before t, and blanks the subject and rating comment of tickets closed
// before t, which quote the citizen too. It returns how many messages it
// deleted. Tickets themselves stay, for statistics.
func (s *Store) PurgeMessagesBefore(ctx context.Context, t time.Time) (int64, error) {
	var n int64
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		// Found by id (see storage.OlderThan).
		older, args := storage.OlderThan("messages", t, s.now())
		res, err := tx.ExecContext(ctx, s.db.Rebind(`DELETE FROM messages WHERE `+older), args...)
		if err != nil {
			return fmt.Errorf("inbox: unable to purge messages: %w", err)
		}
		if n, err = res.RowsAffected(); err != nil {
			return fmt.Errorf("inbox: unable to purge messages: %w", err)
		}
		if _, err := tx.ExecContext(ctx, s.db.Rebind(`UPDATE tickets SET subject = '', rating_comment = ''
			WHERE status = 'closed' AND closed_at < ? AND (subject <> '' OR rating_comment <> '')`), utc(t)); err != nil {
			return fmt.Errorf("inbox: unable to purge ticket subjects: %w", err)
		}
		return nil
	})
	return n, err
}

// Forget erases a person on a platform (the right to erasure): the
// messages of all their conversations are deleted, their tickets' subjects
// and rating comments blanked, and their chat id, user id and name replaced
// by an anonymous tombstone ("forgotten:<conversation id>"). Tickets keep
// their status, times and rating, so statistics stay right. It returns the
// chat ids the person had conversations in, so that the caller can erase
// what other packages keep about those chats.
func (s *Store) Forget(ctx context.Context, platform bots.Platform, userID string) ([]string, error) {
	var chats []string
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		if err := tx.SelectContext(ctx, &chats, s.db.Rebind(`SELECT chat_id FROM conversations WHERE platform = ? AND user_id = ? ORDER BY id`),
			string(platform), userID); err != nil {
			return fmt.Errorf("inbox: unable to forget person: %w", err)
		}
		const theirs = `(SELECT id FROM conversations WHERE platform = ? AND user_id = ?)`
		for _, stmt := range []string{
			`DELETE FROM messages WHERE conversation_id IN ` + theirs,
			`UPDATE tickets SET subject = '', rating_comment = '' WHERE conversation_id IN ` + theirs,
			`UPDATE conversations SET chat_id = 'forgotten:' || id, user_id = 'forgotten:' || id, display_name = ''
				WHERE platform = ? AND user_id = ?`,
		} {
			if _, err := tx.ExecContext(ctx, s.db.Rebind(stmt), string(platform), userID); err != nil {
				return fmt.Errorf("inbox: unable to forget person: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return chats, nil
}

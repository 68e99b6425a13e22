package inbox

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/internal/safetext"
	"github.com/tebingtinggi/hub/storage"
)

// TicketStatus is a ticket's place in its life cycle.
type TicketStatus string

// The ticket statuses.
const (
	// Open tickets wait for an officer.
	Open TicketStatus = "open"
	// Answered tickets got an officer's reply; a citizen's further
	// message that the bot does not answer itself (or a file) opens them
	// again.
	Answered TicketStatus = "answered"
	// Closed tickets are done and may be rated.
	Closed TicketStatus = "closed"
)

// Valid reports whether s is a known status.
func (s TicketStatus) Valid() bool { return s == Open || s == Answered || s == Closed }

// Word is the status as officers read it everywhere (the web desk
// capitalises it): "menunggu petugas", "sudah dijawab" or "selesai"; an
// unknown status as it is.
func (s TicketStatus) Word() string { return cmp.Or(ticketStatusWords[s], string(s)) }

var ticketStatusWords = map[TicketStatus]string{Open: "menunggu petugas", Answered: "sudah dijawab", Closed: "selesai"}

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

// Word says why the question was handed over, as officers read it
// everywhere (the web desk capitalises it): "bot tidak menemukan
// jawaban", say; another reason as it is.
func (r Reason) Word() string { return cmp.Or(reasonWords[r], string(r)) }

var reasonWords = map[Reason]string{
	NoMatch: "bot tidak menemukan jawaban", AskedHuman: "warga meminta petugas", UnhelpfulAnswer: "jawaban bot tidak membantu",
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
	// Erased is set when the citizen erased their data (/hapusdata),
	// whether the ticket was open or closed then.
	Erased bool `db:"erased"`
}

// Overdue reports whether the ticket still waits for its first officer
// reply after its due time.
func (t Ticket) Overdue(now time.Time) bool {
	return t.Status == Open && t.FirstResponseAt == nil && now.After(t.DueAt)
}

// Replied reports whether an officer has replied to the ticket at least
// once.
func (t Ticket) Replied() bool { return t.FirstResponseAt != nil }

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

// ticketFields are the tickets table's columns that Ticket holds.
var ticketFields = []string{"id", "conversation_id", "status", "subject", "reason", "created_at", "due_at", "first_response_at",
	"answered_by", "answered_at", "closed_at", "closed_by", "rating", "rating_comment", "rated_at", "erased"}

// ticketColumns selects a Ticket from tickets; ticketColumnsOf from
// tickets under an alias, in a join.
var ticketColumns = strings.Join(ticketFields, ", ")

func ticketColumnsOf(alias string) string {
	return alias + "." + strings.Join(ticketFields, ", "+alias+".")
}

func (t *Ticket) normalize() {
	t.CreatedAt, t.DueAt = t.CreatedAt.UTC(), t.DueAt.UTC()
	t.FirstResponseAt, t.AnsweredAt = utcPtr(t.FirstResponseAt), utcPtr(t.AnsweredAt)
	t.ClosedAt, t.RatedAt = utcPtr(t.ClosedAt), utcPtr(t.RatedAt)
}

// subjectOf shortens a question to a one-line subject.
func subjectOf(question string) string {
	return safetext.Shorten(strings.Join(strings.Fields(question), " "), SubjectLen)
}

// errRaced: another process changed the conversation's active ticket
// between this one's read and write; the read is made again.
var errRaced = errors.New("inbox: concurrent ticket change")

// raceRetries bounds how often OpenTicket and CitizenReply read again
// after a concurrent change.
const raceRetries = 3

// OpenTicket hands a citizen's question over to officers, in tx. When the
// conversation already has a ticket that is not closed, the question joins
// it (an answered ticket opens again) and created is false; otherwise a new
// open ticket is created, due after the store's SLA in working time. Either
// way the question is logged to the ticket.
func (s *Store) OpenTicket(ctx context.Context, tx *sqlx.Tx, convID int64, messageID, question string, reason Reason, now time.Time) (t Ticket, created bool, err error) {
	for range raceRetries {
		t, created, err = s.openTicket(ctx, tx, convID, messageID, question, reason, now)
		if !errors.Is(err, errRaced) {
			return t, created, err
		}
	}
	return Ticket{}, false, fmt.Errorf("inbox: unable to open ticket: %w", err)
}

// openTicket is one try of OpenTicket. Its writes are guarded so that a
// concurrent change makes them write nothing (never fail, which would
// abort tx on PostgreSQL): errRaced then asks for another try.
func (s *Store) openTicket(ctx context.Context, tx *sqlx.Tx, convID int64, messageID, question string, reason Reason, now time.Time) (Ticket, bool, error) {
	t, found, err := s.activeTicket(ctx, tx, convID)
	if err != nil {
		return Ticket{}, false, err
	}
	if found {
		if t, err = s.join(ctx, tx, t, messageID, question, now); err != nil {
			return Ticket{}, false, err
		}
		return t, false, nil
	}
	if _, err := s.conversation(ctx, tx, convID); err != nil {
		return Ticket{}, false, err
	}
	cal, sla := s.InForce()
	due := utc(cal.AddWorkingTime(now, sla))
	// A ticket opened meanwhile by another process meets the partial
	// unique index: nothing is inserted, and the next try joins it.
	var id int64
	err = tx.QueryRowxContext(ctx, s.db.Rebind(`INSERT INTO tickets (conversation_id, status, subject, reason, created_at, due_at)
		VALUES (?, 'open', ?, ?, ?, ?)
		ON CONFLICT (conversation_id) WHERE status <> 'closed' DO NOTHING
		RETURNING id`),
		convID, subjectOf(question), string(reason), utc(now), due).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return Ticket{}, false, errRaced
	}
	if err != nil {
		return Ticket{}, false, fmt.Errorf("inbox: unable to open ticket: %w", err)
	}
	if _, err := s.logMessage(ctx, tx, convID, id, In, Author{Kind: Citizen, MessageID: messageID}, question, now); err != nil {
		return Ticket{}, false, err
	}
	t, err = s.ticket(ctx, tx, id)
	return t, true, err
}

// join adds a citizen's message to an active ticket, opening it again if
// it was answered. It fails with errRaced when the ticket was closed
// meanwhile by another process.
func (s *Store) join(ctx context.Context, tx *sqlx.Tx, t Ticket, messageID, text string, now time.Time) (Ticket, error) {
	res, err := tx.ExecContext(ctx, s.db.Rebind(`UPDATE tickets SET status = 'open' WHERE id = ? AND status <> 'closed'`), t.ID)
	if err != nil {
		return Ticket{}, fmt.Errorf("inbox: unable to add to ticket: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return Ticket{}, fmt.Errorf("inbox: unable to add to ticket: %w", err)
	} else if n == 0 {
		return Ticket{}, errRaced
	}
	// A question the ticket already has as the citizen's last message
	// (asked, answered with a choice, then handed over with "Bukan
	// semuanya" or "Tanya petugas") is not logged twice.
	var last []string
	if err := tx.SelectContext(ctx, &last, s.db.Rebind(`SELECT text FROM messages WHERE ticket_id = ? AND direction = ? ORDER BY id DESC LIMIT 1`), t.ID, string(In)); err != nil {
		return Ticket{}, fmt.Errorf("inbox: unable to add to ticket: %w", err)
	}
	if len(last) == 0 || last[0] != text {
		if _, err := s.logMessage(ctx, tx, t.ConversationID, t.ID, In, Author{Kind: Citizen, MessageID: messageID}, text, now); err != nil {
			return Ticket{}, err
		}
	}
	return s.ticket(ctx, tx, t.ID)
}

// activeTicket returns the conversation's ticket that is not closed.
func (s *Store) activeTicket(ctx context.Context, q storage.Querier, convID int64) (Ticket, bool, error) {
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

func (s *Store) ticket(ctx context.Context, q storage.Querier, id int64) (Ticket, error) {
	return s.readTicket(ctx, q, id, ``)
}

// lockTicket reads a ticket and, on PostgreSQL, locks its row until the
// transaction q ends (SQLite's transactions here take the write lock at
// once). What changes a ticket's claim or closes it takes this lock first,
// before the claim's row, as Reply's UPDATE does: so a claim and a close
// happen one after the other, each seeing what the other did, and
// without deadlocks between them.
func (s *Store) lockTicket(ctx context.Context, q storage.Querier, id int64) (Ticket, error) {
	lock := ``
	if s.db.Dialect == storage.Postgres {
		// The lock an UPDATE of the row takes: not the stronger FOR UPDATE,
		// which would also wait for every transaction inserting a claim or
		// a message that refers to the ticket.
		lock = ` FOR NO KEY UPDATE`
	}
	return s.readTicket(ctx, q, id, lock)
}

func (s *Store) readTicket(ctx context.Context, q storage.Querier, id int64, lock string) (Ticket, error) {
	var t Ticket
	err := q.GetContext(ctx, &t, s.db.Rebind(`SELECT `+ticketColumns+` FROM tickets WHERE id = ?`+lock), id)
	if errors.Is(err, sql.ErrNoRows) {
		return Ticket{}, ErrNotFound
	}
	if err != nil {
		return Ticket{}, fmt.Errorf("inbox: unable to get ticket: %w", err)
	}
	t.normalize()
	return t, nil
}

// CitizenReply adds a citizen's message to the conversation's ticket that
// is not closed (an answered ticket opens again), in tx. found is false,
// and nothing is logged, when the conversation has no such ticket.
func (s *Store) CitizenReply(ctx context.Context, tx *sqlx.Tx, convID int64, text string, now time.Time) (t Ticket, found bool, err error) {
	for range raceRetries {
		active, ok, err := s.activeTicket(ctx, tx, convID)
		if err != nil || !ok {
			return Ticket{}, false, err
		}
		t, err = s.join(ctx, tx, active, "", text, now)
		if !errors.Is(err, errRaced) {
			return t, err == nil, err
		}
	}
	return Ticket{}, false, fmt.Errorf("inbox: unable to add to ticket: %w", errRaced)
}

// Reply records an officer's reply to a ticket that is not closed, in tx:
// the message is logged and the ticket becomes answered (its first
// response time kept from the first reply). It returns the ticket. A
// reply whose text and officer are those of the ticket's last message is
// refused with ErrSameReply (a *SameReplyError naming when the first was
// logged): a double click or a command run twice reaches the citizen
// once. tx is then rolled back, or, when the first never reached the
// citizen, the caller sends it again in tx (see handlers.Desk). The check follows the
// ticket's update, which holds its row, so that of two such replies at
// once the second sees the first. A ticket another officer has claimed
// is refused with *ClaimedError; an unclaimed one becomes the officer's.
func (s *Store) Reply(ctx context.Context, tx *sqlx.Tx, ticketID int64, officer, text string, now time.Time) (Ticket, error) {
	return s.reply(ctx, tx, ticketID, officer, sql.NullInt64{}, text, now)
}

// ReplyForAccount is Reply by the officer of a web account (its
// admin_users id): a claim the reply takes records the account, as
// ClaimForAccount's does, so that it moves with the account's desk name
// (MoveClaims).
func (s *Store) ReplyForAccount(ctx context.Context, tx *sqlx.Tx, ticketID int64, officer string, account int64, text string, now time.Time) (Ticket, error) {
	return s.reply(ctx, tx, ticketID, officer, sql.NullInt64{Int64: account, Valid: true}, text, now)
}

func (s *Store) reply(ctx context.Context, tx *sqlx.Tx, ticketID int64, officer string, account sql.NullInt64, text string, now time.Time) (Ticket, error) {
	if strings.TrimSpace(officer) == "" {
		return Ticket{}, errors.New("inbox: unable to reply: officer name is required")
	}
	at := utc(now)
	res, err := tx.ExecContext(ctx, s.db.Rebind(`UPDATE tickets
		SET status = 'answered', first_response_at = COALESCE(first_response_at, ?), answered_by = ?, answered_at = ?
		WHERE id = ? AND status <> 'closed'`), at, officer, at, ticketID)
	if err != nil {
		return Ticket{}, fmt.Errorf("inbox: unable to reply: %w", err)
	}
	if err := s.checkTransition(ctx, tx, res, ticketID); err != nil {
		return Ticket{}, err
	}
	// Replying takes the claim when nobody holds it, and a claim another
	// officer holds refuses the reply: the desks claim before they reply,
	// but a claim may be released and taken by a colleague in between,
	// and the citizen must not get both answers. The claim's unique key
	// makes a colleague's claim being written meanwhile wait for it.
	if _, err := tx.ExecContext(ctx, s.db.Rebind(`INSERT INTO ticket_claims (ticket_id, officer, claimed_at, web_account)
		VALUES (?, ?, ?, ?) ON CONFLICT (ticket_id) DO NOTHING`), ticketID, strings.TrimSpace(officer), at, account); err != nil {
		return Ticket{}, fmt.Errorf("inbox: unable to reply: %w", err)
	}
	if holder, err := claimer(ctx, tx, s.db.Rebind, ticketID); err != nil {
		return Ticket{}, err
	} else if holder != strings.TrimSpace(officer) {
		return Ticket{}, &ClaimedError{By: holder}
	}
	var last []Message
	if err := tx.SelectContext(ctx, &last, s.db.Rebind(`SELECT `+messageColumns+` FROM messages WHERE ticket_id = ? ORDER BY id DESC LIMIT 1`), ticketID); err != nil {
		return Ticket{}, fmt.Errorf("inbox: unable to reply: %w", err)
	}
	if len(last) == 1 && last[0].Direction == Out && last[0].AuthorKind == Officer && last[0].AuthorName == officer && last[0].Text == text {
		return Ticket{}, &SameReplyError{At: last[0].CreatedAt}
	}
	t, err := s.ticket(ctx, tx, ticketID)
	if err != nil {
		return Ticket{}, err
	}
	if _, err := s.logMessage(ctx, tx, t.ConversationID, ticketID, Out, Author{Kind: Officer, Name: officer}, text, now); err != nil {
		return Ticket{}, err
	}
	return t, nil
}

// checkTransition explains a guarded UPDATE that changed no ticket:
// ErrNotFound or ErrClosed.
func (s *Store) checkTransition(ctx context.Context, q storage.Querier, res sql.Result, ticketID int64) error {
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
// with ErrClosed. A ticket another officer has claimed is theirs to close,
// as only they may answer it: closing it is a *ClaimedError naming them,
// unless anyone (an admin, the operator's terminal, the hub itself).
// q should be a transaction: Close locks the ticket's row first, so that
// a claim being taken meanwhile is seen here once it is taken, or finds
// the ticket closed.
func (s *Store) Close(ctx context.Context, q storage.Querier, ticketID int64, officer string, anyone bool, now time.Time) (Ticket, error) {
	officer = strings.TrimSpace(officer)
	if officer == "" {
		return Ticket{}, errors.New("inbox: unable to close ticket: officer name is required")
	}
	if _, err := s.lockTicket(ctx, q, ticketID); err != nil {
		return Ticket{}, err
	}
	query, args := `UPDATE tickets SET status = 'closed', closed_at = ?, closed_by = ?
		WHERE id = ? AND status <> 'closed'`, []any{utc(now), officer, ticketID}
	if !anyone {
		// On PostgreSQL this statement reads the claims as committed
		// after the lock above was taken.
		query += ` AND NOT EXISTS (SELECT 1 FROM ticket_claims k WHERE k.ticket_id = tickets.id AND k.officer <> ?)`
		args = append(args, officer)
	}
	res, err := q.ExecContext(ctx, s.db.Rebind(query), args...)
	if err != nil {
		return Ticket{}, fmt.Errorf("inbox: unable to close ticket: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return Ticket{}, fmt.Errorf("inbox: unable to close ticket: %w", err)
	}
	t, err := s.ticket(ctx, q, ticketID)
	switch {
	case err != nil:
		return Ticket{}, err
	case n > 0:
		return t, nil
	case t.Status == Closed:
		return Ticket{}, ErrClosed
	}
	holder, err := claimer(ctx, q, s.db.Rebind, ticketID)
	if err != nil {
		return Ticket{}, err
	}
	return Ticket{}, &ClaimedError{By: holder}
}

// Rate records the citizen's rating (1–5) and comment of a closed ticket,
// once: ErrNotClosed before closing, ErrAlreadyRated after a first rating.
func (s *Store) Rate(ctx context.Context, q storage.Querier, ticketID int64, rating int, comment string) (Ticket, error) {
	if rating < 1 || rating > 5 {
		return Ticket{}, ErrInvalidRating
	}
	res, err := q.ExecContext(ctx, s.db.Rebind(`UPDATE tickets SET rating = ?, rating_comment = ?, rated_at = ?
		WHERE id = ? AND status = 'closed' AND rating IS NULL`),
		rating, safetext.Shorten(strings.TrimSpace(comment), CommentLen), utc(s.now()), ticketID)
	if err != nil {
		return Ticket{}, fmt.Errorf("inbox: unable to rate ticket: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return Ticket{}, fmt.Errorf("inbox: unable to rate ticket: %w", err)
	}
	t, err := s.ticket(ctx, q, ticketID)
	switch {
	case err != nil:
		return Ticket{}, err
	case n > 0:
		return t, nil
	case t.Status != Closed:
		return Ticket{}, ErrNotClosed
	default:
		return Ticket{}, ErrAlreadyRated
	}
}

// AddRatingComment records the citizen's optional comment on a ticket they
// rated already (the rating comes first, as a button press; the comment,
// if any, follows as a message). It keeps the first comment: it changes
// nothing when the ticket is not rated or already has one, and reports
// whether it saved the comment.
func (s *Store) AddRatingComment(ctx context.Context, q storage.Querier, ticketID int64, comment string) (bool, error) {
	comment = safetext.Shorten(strings.TrimSpace(comment), CommentLen)
	if comment == "" {
		return false, nil
	}
	res, err := q.ExecContext(ctx, s.db.Rebind(`UPDATE tickets SET rating_comment = ?
		WHERE id = ? AND rating IS NOT NULL AND rating_comment = ''`), comment, ticketID)
	if err != nil {
		return false, fmt.Errorf("inbox: unable to save rating comment: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("inbox: unable to save rating comment: %w", err)
	}
	return n > 0, nil
}

// Get returns a ticket with its conversation and its messages.
func (s *Store) Get(ctx context.Context, ticketID int64) (TicketDetail, error) {
	return s.GetIn(ctx, s.db, ticketID)
}

// GetIn is Get through q, the caller's transaction.
func (s *Store) GetIn(ctx context.Context, q storage.Querier, ticketID int64) (TicketDetail, error) {
	t, err := s.ticket(ctx, q, ticketID)
	if err != nil {
		return TicketDetail{}, err
	}
	c, err := s.conversation(ctx, q, t.ConversationID)
	if err != nil {
		return TicketDetail{}, err
	}
	var msgs []Message
	if err := q.SelectContext(ctx, &msgs, s.db.Rebind(`SELECT `+messageColumns+` FROM messages WHERE ticket_id = ? ORDER BY id`), ticketID); err != nil {
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

var listedSelect = `SELECT ` + ticketColumnsOf("t") + `,
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

// ClosedLastTicketIn returns the ticket of userID's conversation in
// chatID on platform that a rating typed as a message would be about:
// the conversation's newest ticket, when it is closed and the citizen has
// written nothing since it closed. found is false otherwise.
func (s *Store) ClosedLastTicketIn(ctx context.Context, q storage.Querier, platform bots.Platform, chatID, userID string) (t Ticket, found bool, err error) {
	err = q.GetContext(ctx, &t, s.db.Rebind(`SELECT `+ticketColumnsOf("t")+`
		FROM conversations c JOIN tickets t ON t.id = (SELECT MAX(l.id) FROM tickets l WHERE l.conversation_id = c.id)
		WHERE c.platform = ? AND c.chat_id = ? AND c.user_id = ?
			AND t.status = 'closed' AND c.last_message_at <= t.closed_at`), string(platform), chatID, userID)
	if errors.Is(err, sql.ErrNoRows) {
		return Ticket{}, false, nil
	}
	if err != nil {
		return Ticket{}, false, fmt.Errorf("inbox: unable to find the last closed ticket: %w", err)
	}
	t.normalize()
	return t, true, nil
}

// OpenTicketsFor returns the tickets not yet closed of a person on a
// platform, across their chats, oldest first.
func (s *Store) OpenTicketsFor(ctx context.Context, q storage.Querier, platform bots.Platform, userID string) ([]Ticket, error) {
	var ts []Ticket
	err := q.SelectContext(ctx, &ts, s.db.Rebind(`SELECT `+ticketColumnsOf("t")+`
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

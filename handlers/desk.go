package handlers

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/inbox"
	"github.com/tebingtinggi/hub/internal/safetext"
	"github.com/tebingtinggi/hub/knowledge"
	"github.com/tebingtinggi/hub/outbox"
	"github.com/tebingtinggi/hub/storage"
)

// ErrForgotten is returned when an officer writes to a citizen who erased
// their data: there is no chat to send to any more.
var ErrForgotten = errors.New("handlers: the citizen erased their data; the reply cannot be delivered")

// Desk carries officers' actions on tickets back to the citizens' chats:
// a reply is recorded in the inbox and enqueued to the citizen, closing a
// ticket enqueues the rating prompt. The command line, the web admin and
// Slack all use it.
type Desk struct {
	Inbox *inbox.Store
	// DB holds the inbox and the outbox.
	DB *storage.DB
	// Waker is nudged after enqueueing (may be nil: another process's
	// dispatcher then finds the message at its next poll).
	Waker Waker
	// Now is the clock (default time.Now), read before an action's
	// transaction begins.
	Now func() time.Time
}

func (d *Desk) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

func deliverable(c inbox.Conversation) bool {
	return c.ChatID != "" && !strings.HasPrefix(c.ChatID, "forgotten:")
}

// Reply records an officer's reply to a ticket and enqueues it to the
// citizen's chat, in one transaction: the ticket's status, the message log
// and the outbox row are written together or not at all. A ticket of a
// citizen who erased their data is refused (ErrForgotten) before anything
// is written.
func (d *Desk) Reply(ctx context.Context, ticketID int64, officer, text string) (inbox.Ticket, error) {
	a, err := d.ReplyAndTeach(ctx, ticketID, officer, text, nil, Lesson{}, "")
	return a.Ticket, err
}

// Answered is what ReplyAndTeach did.
type Answered struct {
	Ticket inbox.Ticket
	// Entry is the entry the lesson drafted or gave the citizen's
	// question to; zero without a lesson.
	Entry knowledge.Entry
	// Known is set when the entry of an alternate lesson already had the
	// citizen's question, as its question or an alternate: nothing was
	// added to it (KnownWordingText says so).
	Known bool
}

// ReplyAndTeach is Reply that also applies the lesson of the answer to
// the knowledge base ks (on the desk's database), as a revision by
// author: the reply, its queued message and the lesson are one
// transaction. A lesson the knowledge base refuses (a
// *knowledge.QuestionTaken when an entry has the question by now, or
// another entry than the alternate lesson's has it, an
// error wrapping knowledge.ErrNotFound for an alternate of no entry, a
// *knowledge.FieldError for a question it cannot learn or a reply it
// cannot keep as a draft's answer; LessonRefused words them) leaves the
// ticket unanswered and nothing queued, so that the officer can choose
// again and answer once; a reply that cannot be made (a closed ticket)
// leaves the knowledge base as it was.
func (d *Desk) ReplyAndTeach(ctx context.Context, ticketID int64, officer, text string, ks *knowledge.Store, l Lesson, author string) (Answered, error) {
	return d.replyAndTeach(ctx, ticketID, officer, sql.NullInt64{}, text, ks, l, author)
}

// ReplyAndTeachForAccount is ReplyAndTeach by the officer of a web
// account (its admin_users id), which a claim the reply takes records
// (inbox.Store.ReplyForAccount).
func (d *Desk) ReplyAndTeachForAccount(ctx context.Context, ticketID int64, officer string, account int64, text string, ks *knowledge.Store, l Lesson, author string) (Answered, error) {
	return d.replyAndTeach(ctx, ticketID, officer, sql.NullInt64{Int64: account, Valid: true}, text, ks, l, author)
}

func (d *Desk) replyAndTeach(ctx context.Context, ticketID int64, officer string, account sql.NullInt64, text string, ks *knowledge.Store, l Lesson, author string) (Answered, error) {
	// Officers' text enters here from the terminal, the web admin and
	// Slack alike: cleaned once, as chat input is, so that a NUL typed or
	// pasted stores the same on both backends.
	officer, text = safetext.Clean(officer), replyText(text)
	if text == "" {
		return Answered{}, errors.New("handlers: the reply is empty")
	}
	if l.NewFAQ && l.AlternateOf != "" {
		return Answered{}, ErrTwoLessons
	}
	if !l.Empty() && ks == nil {
		return Answered{}, errors.New("handlers: a lesson needs the knowledge base")
	}
	now := d.now()
	var a Answered
	err := d.DB.InTx(ctx, func(tx *sqlx.Tx) error {
		det, err := d.Inbox.GetIn(ctx, tx, ticketID)
		if err != nil {
			return err
		}
		if !deliverable(det.Conversation) {
			return ErrForgotten
		}
		// The lesson first: it takes the knowledge base's write lock
		// before the ticket's row is written, the order every knowledge
		// write keeps.
		if !l.Empty() {
			if a.Entry, a.Known, err = teachIn(ctx, tx, ks, []string{det.Question()}, text, l, author); err != nil {
				return err
			}
		}
		key := replyKey(ticketID, now)
		if account.Valid {
			a.Ticket, err = d.Inbox.ReplyForAccount(ctx, tx, ticketID, officer, account.Int64, text, now)
		} else {
			a.Ticket, err = d.Inbox.Reply(ctx, tx, ticketID, officer, text, now)
		}
		var same *inbox.SameReplyError
		if errors.As(err, &same) {
			// The same reply again is refused while the first is on its
			// way or delivered; one the dispatcher gave up on (every try
			// of it) is sent again, under its key, and logged once.
			first := replyKey(ticketID, same.At)
			failed, ferr := outbox.AllFailedUnder(ctx, tx, first)
			if ferr != nil || !failed {
				return cmp.Or(ferr, err)
			}
			if det, err = d.Inbox.GetIn(ctx, tx, ticketID); err != nil {
				return err
			}
			a.Ticket = det.Ticket
			key = first + ":again" + strconv.FormatInt(utc(now).UnixMicro(), 10)
		} else if err != nil {
			return err
		}
		out := bots.Outgoing{Platform: det.Conversation.Platform, ChatID: det.Conversation.ChatID, Text: fmt.Sprintf(textOfficerReply, a.Ticket.ID, text)}
		return enqueueParts(ctx, tx, key, out)
	})
	if err != nil {
		return Answered{}, err
	}
	d.wake()
	return a, nil
}

// replyKey is the outbox key of an officer's reply to ticket logged at.
func replyKey(ticket int64, at time.Time) string {
	return "officer:reply:" + strconv.FormatInt(ticket, 10) + ":" + strconv.FormatInt(utc(at).UnixMicro(), 10)
}

// replyText is an officer's reply as the desk sends and saves it.
func replyText(text string) string { return strings.TrimSpace(safetext.Clean(text)) }

// Close closes a ticket and tells the citizen, in one transaction: a
// ticket an officer answered asks for a rating (1–5); one closed without
// any officer reply says so, and that the citizen may write again, with
// no rating to give. A ticket a colleague has claimed is refused with an
// *inbox.ClaimedError naming them, unless anyone (an admin, the
// operator's terminal): the rule of inbox.Store.Close, for every desk.
func (d *Desk) Close(ctx context.Context, ticketID int64, officer string, anyone bool) (inbox.Ticket, error) {
	t, _, err := d.CloseAndTell(ctx, ticketID, officer, anyone)
	return t, err
}

// CloseNotice is what the citizen was told of their ticket's closing.
type CloseNotice int

// The notices of a closed ticket.
const (
	// NoticeNone: the citizen erased their data, leaving no chat to tell.
	NoticeNone CloseNotice = iota
	// NoticeRating: an officer answered; the citizen is asked to rate.
	NoticeRating
	// NoticeUnanswered: nobody answered; the citizen is told the ticket
	// was closed without a written answer and may write again.
	NoticeUnanswered
)

// CloseAndTell is Close that also reports what the citizen was told.
func (d *Desk) CloseAndTell(ctx context.Context, ticketID int64, officer string, anyone bool) (t inbox.Ticket, told CloseNotice, err error) {
	err = d.DB.InTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		told = NoticeNone
		if t, err = d.Inbox.Close(ctx, tx, ticketID, officer, anyone, d.now()); err != nil {
			return err
		}
		det, err := d.Inbox.GetIn(ctx, tx, ticketID)
		if err != nil {
			return err
		}
		if !deliverable(det.Conversation) {
			return nil // nobody to tell
		}
		id := strconv.FormatInt(t.ID, 10)
		if !t.Replied() {
			// Nothing was answered: there is nothing to rate, and the
			// citizen's question may still be open for them.
			out := bots.Outgoing{Platform: det.Conversation.Platform, ChatID: det.Conversation.ChatID, Text: fmt.Sprintf(textClosedUnanswered, t.ID)}
			told = NoticeUnanswered
			return enqueueParts(ctx, tx, "officer:closed:"+id, out)
		}
		var row []bots.Button
		for n := 1; n <= 5; n++ {
			row = append(row, bots.Button{Text: strconv.Itoa(n) + " ⭐", Data: dataRate + id + ":" + strconv.Itoa(n)})
		}
		out := bots.Outgoing{Platform: det.Conversation.Platform, ChatID: det.Conversation.ChatID,
			Text: fmt.Sprintf(textRatingAsk, t.ID), Buttons: [][]bots.Button{row}}
		told = NoticeRating
		return enqueueParts(ctx, tx, "officer:rating:"+id, out)
	})
	if err != nil {
		return inbox.Ticket{}, NoticeNone, err
	}
	d.wake()
	return t, told, nil
}

// enqueueParts writes out, split into parts, to the outbox in tx.
func enqueueParts(ctx context.Context, tx *sqlx.Tx, key string, out bots.Outgoing) error {
	var msgs []outbox.Message
	for i, part := range SplitOutgoing(out, MaxPartLen) {
		msgs = append(msgs, outbox.Message{Key: key + ":" + strconv.Itoa(i), Out: part})
	}
	if _, err := outbox.Enqueue(ctx, tx, msgs...); err != nil {
		return fmt.Errorf("handlers: unable to enqueue the message to the citizen: %w", err)
	}
	return nil
}

func (d *Desk) wake() {
	if d.Waker != nil {
		d.Waker.Wake()
	}
}

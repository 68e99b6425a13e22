package handlers

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/inbox"
	"github.com/tebingtinggi/hub/outbox"
	"github.com/tebingtinggi/hub/storage"
)

// ErrForgotten is returned when an officer writes to a citizen who erased
// their data: there is no chat to send to any more.
var ErrForgotten = errors.New("handlers: the citizen erased their data; the reply cannot be delivered")

// Desk carries officers' actions on tickets back to the citizens' chats:
// a reply is recorded in the inbox and enqueued to the citizen, closing a
// ticket enqueues the rating prompt. The CLI uses it today; the Slack and
// web desks will use it too.
type Desk struct {
	Inbox *inbox.Store
	// DB holds the outbox.
	DB *storage.DB
	// Waker is nudged after enqueueing (may be nil: another process's
	// dispatcher then finds the message at its next poll).
	Waker Waker
	// Now is the clock (default time.Now).
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
// citizen's chat.
func (d *Desk) Reply(ctx context.Context, ticketID int64, officer, text string) (inbox.Ticket, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return inbox.Ticket{}, errors.New("handlers: the reply is empty")
	}
	now := d.now()
	t, conv, err := d.Inbox.Reply(ctx, ticketID, officer, text, now)
	if err != nil {
		return inbox.Ticket{}, err
	}
	if !deliverable(conv) {
		return t, ErrForgotten
	}
	out := bots.Outgoing{Platform: conv.Platform, ChatID: conv.ChatID, Text: fmt.Sprintf(textOfficerReply, t.ID, text)}
	key := "officer:reply:" + strconv.FormatInt(t.ID, 10) + ":" + strconv.FormatInt(utc(now).UnixMicro(), 10)
	if err := d.enqueue(ctx, key, out); err != nil {
		return t, err
	}
	return t, nil
}

// Close closes a ticket and enqueues the rating prompt (1–5) to the
// citizen.
func (d *Desk) Close(ctx context.Context, ticketID int64, officer string) (inbox.Ticket, error) {
	t, err := d.Inbox.Close(ctx, ticketID, officer, d.now())
	if err != nil {
		return inbox.Ticket{}, err
	}
	det, err := d.Inbox.Get(ctx, ticketID)
	if err != nil {
		return t, err
	}
	if !deliverable(det.Conversation) {
		return t, nil // nobody to ask for a rating
	}
	id := strconv.FormatInt(t.ID, 10)
	var row []bots.Button
	for n := 1; n <= 5; n++ {
		row = append(row, bots.Button{Text: strconv.Itoa(n) + " ⭐", Data: dataRate + id + ":" + strconv.Itoa(n)})
	}
	out := bots.Outgoing{Platform: det.Conversation.Platform, ChatID: det.Conversation.ChatID,
		Text: fmt.Sprintf(textRatingAsk, t.ID), Buttons: [][]bots.Button{row}}
	return t, d.enqueue(ctx, "officer:rating:"+id, out)
}

func (d *Desk) enqueue(ctx context.Context, key string, out bots.Outgoing) error {
	var msgs []outbox.Message
	for i, part := range SplitOutgoing(out, MaxPartLen) {
		msgs = append(msgs, outbox.Message{Key: key + ":" + strconv.Itoa(i), Out: part})
	}
	if _, err := outbox.Enqueue(ctx, d.DB, msgs...); err != nil {
		return fmt.Errorf("handlers: unable to enqueue the message to the citizen: %w", err)
	}
	if d.Waker != nil {
		d.Waker.Wake()
	}
	return nil
}

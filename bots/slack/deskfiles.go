package slack

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/inbox"
	"github.com/tebingtinggi/hub/outbox"
)

// threadMessage is the i-th follow-up of ticket id in its desk message's
// thread (ts): a note, or a file the citizen sent, which the adapter
// fetches and uploads when it sends (see Adapter.Send). Files have keys of
// their own so that the ones that could not be shown are found and noted
// (see noteFailedFiles).
func (d *Desk) threadMessage(postKey, ts string, id int64, i int, f followUp) outbox.Message {
	out := bots.Outgoing{Platform: bots.Slack, ChatID: d.cfg.Channel, ReplyTo: ts, Text: textFollowUp + "\n" + f.Text}
	if f.File == nil {
		return outbox.Message{Key: postKey + ":note:" + strconv.Itoa(i), Out: out}
	}
	out.Text = strings.TrimSpace(textFollowUp + "\n" + fmt.Sprintf(textFileFrom, inbox.FileWord(f.File.Kind), id) + "\n" + f.Text)
	out.Attachment = f.File
	return outbox.Message{Key: postKey + fileKeyPart + strconv.Itoa(i), Out: out}
}

// takeBack deletes from Slack what the desk posted in the thread of an
// erased citizen's ticket: their follow-ups, their files and the notes
// standing for them. First it waits, round after round, until none of
// the ticket's messages is queued or being sent: a post in flight when
// the citizen erased their data lands in Slack after the erasure, and its
// id is only known once recorded. Then, with the guarded UPDATE that
// marks the desk row final (so that one replica does it), it enqueues the
// deletion of each post whose id was recorded and, behind them, one of
// every post of the bot that the thread still holds (see
// Adapter.removeThread): the copies whose ids were never recorded, as
// after a crash between a send and its record. The desk message and
// officers' replies stay. It reports whether it enqueued the deletions.
func (d *Desk) takeBack(ctx context.Context, id int64, row deskRow) (bool, error) {
	db := d.a.cfg.DB
	ob := outbox.New(db)
	busy, err := ob.Undelivered(ctx, db, bots.Slack, row.Channel, row.PostKey)
	if err != nil || busy > 0 {
		return false, err
	}
	// Listed after the wait, so that a post recorded meanwhile is in.
	sent, err := ob.SentUnder(ctx, db, row.PostKey)
	if err != nil {
		return false, err
	}
	// The ticket's files that could not be shown and were not noted yet
	// are never to be noted: a note posted after the deletions below
	// would put content back into the erased thread. Their notes are
	// recorded already expired (the outbox skips them), so that no later
	// round of noteFailedFiles, on any replica, posts one (its keys are
	// taken); a note another replica enqueued first is sent before the
	// deletions below, and the thread's deletion takes it.
	unnoted, err := ob.FailedUnfollowed(ctx, row.PostKey+fileKeyPart+"%", failedKeyPart, maxTicketFiles)
	if err != nil {
		return false, fmt.Errorf("slack: unable to look for ticket %d's files the desk could not show: %w", id, err)
	}
	var msgs []outbox.Message
	for _, rec := range unnoted {
		note := fileNote(rec)
		note.ExpiresAt = d.a.now()
		msgs = append(msgs, note)
	}
	for _, rec := range sent {
		if strings.Contains(rec.Key, editKeyPart) {
			continue
		}
		out := bots.Outgoing{Platform: bots.Slack, ChatID: rec.Out.ChatID, EditOf: rec.MessageID, Delete: true}
		msgs = append(msgs, outbox.Message{Key: row.PostKey + eraseKeyPart + strconv.FormatInt(rec.ID, 10), Out: out})
	}
	if row.TS != "" {
		// Kept in the desk row (see keepTS): found even after retention
		// purged the post's record, and the thread's reading then finds
		// the posts whose own records went with it.
		thread := bots.Outgoing{Platform: bots.Slack, ChatID: row.Channel, ReplyTo: row.TS, Delete: true}
		msgs = append(msgs, outbox.Message{Key: row.PostKey + eraseKeyPart + "thread", Out: thread})
	}
	err = guarded(ctx, db, `UPDATE slack_desk SET final = ?, updated_at = ? WHERE ticket_id = ? AND NOT final`,
		[]any{true, utc(d.a.now()), id}, enqueue(ctx, msgs...))
	if err != nil {
		return false, fmt.Errorf("slack: unable to take ticket %d's thread back from the desk: %w", id, err)
	}
	return true, nil
}

// Keys of the desk's files: <post key>:file:<i>, and the note about one
// that failed <post key>:file:<i>:failed.
const (
	fileKeyPart   = ":file:"
	failedKeyPart = ":failed"
	// editKeyPart marks the edits of a desk message, eraseKeyPart the
	// deletions of its thread posts (<post key>:erase:<outbox row id>)
	// and of the bot's whole part of the thread (<post key>:erase:thread).
	editKeyPart  = ":edit:"
	eraseKeyPart = ":erase:"
	// failedBatch bounds the failures noted in one round.
	failedBatch = 100
	// maxTicketFiles is more files than one ticket's thread holds.
	maxTicketFiles = 100000
)

// noteFailedFiles tells the desk about the citizens' files that could not
// be shown (the platform no longer has the file, or fetching or uploading
// it failed until the outbox gave up): a note in the ticket's thread
// points the officers to where the file can still be seen. It reports
// whether it enqueued any.
func (d *Desk) noteFailedFiles(ctx context.Context) (bool, error) {
	db := d.a.cfg.DB
	failed, err := outbox.New(db).FailedUnfollowed(ctx, "slack:desk:%"+fileKeyPart+"%", failedKeyPart, failedBatch)
	if err != nil {
		return false, fmt.Errorf("slack: unable to look for files the desk could not show: %w", err)
	}
	var msgs []outbox.Message
	for _, rec := range failed {
		msgs = append(msgs, fileNote(rec))
	}
	n, err := outbox.Enqueue(ctx, db, msgs...)
	if err != nil {
		return false, fmt.Errorf("slack: unable to note the files the desk could not show: %w", err)
	}
	return n > 0, nil
}

// fileNote is the note in the ticket's thread about the citizen's file
// that the failed send rec could not show (a placeholder when the file's
// send was redacted).
func fileNote(rec outbox.Record) outbox.Message {
	out := bots.Outgoing{Platform: bots.Slack, ChatID: rec.Out.ChatID, ReplyTo: rec.Out.ReplyTo, Text: textErased}
	if att := rec.Out.Attachment; att != nil {
		id := ticketOfKey(rec.Key)
		out.Text = fmt.Sprintf(textFileFailed, inbox.FileWord(att.Kind), id, id)
	}
	return outbox.Message{Key: rec.Key + failedKeyPart, Out: out}
}

// ticketOfKey is the ticket id in a desk key, "slack:desk:<id>:…".
func ticketOfKey(key string) string {
	rest := strings.TrimPrefix(key, "slack:desk:")
	id, _, _ := strings.Cut(rest, ":")
	return id
}

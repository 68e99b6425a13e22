package slack

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/tebingtinggi/hub/bots"
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
	out.Text = strings.TrimSpace(textFollowUp + "\n" + fmt.Sprintf(textFileFrom, fileLabel(f.File.Kind), id) + "\n" + f.Text)
	out.Attachment = f.File
	return outbox.Message{Key: postKey + fileKeyPart + strconv.Itoa(i), Out: out}
}

// takeBack are the deletions of the thread posts under postKey that were
// sent (the citizen's follow-ups, their files or the notes standing for
// them): one per post, keyed <post key>:erase:<outbox row id>, so that
// replicas and later rounds never enqueue one twice. The desk message's
// own edits are not thread posts, and officers' replies in the thread are
// not the hub's: both stay.
func (d *Desk) takeBack(ctx context.Context, postKey string) ([]outbox.Message, error) {
	db := d.a.cfg.DB
	sent, err := outbox.New(db).SentUnder(ctx, db, postKey)
	if err != nil {
		return nil, err
	}
	var msgs []outbox.Message
	for _, rec := range sent {
		if strings.Contains(rec.Key, editKeyPart) || strings.Contains(rec.Key, eraseKeyPart) {
			continue
		}
		out := bots.Outgoing{Platform: bots.Slack, ChatID: rec.Out.ChatID, EditOf: rec.MessageID, Delete: true}
		msgs = append(msgs, outbox.Message{Key: postKey + eraseKeyPart + strconv.FormatInt(rec.ID, 10), Out: out})
	}
	return msgs, nil
}

// Keys of the desk's files: <post key>:file:<i>, and the note about one
// that failed <post key>:file:<i>:failed.
const (
	fileKeyPart   = ":file:"
	failedKeyPart = ":failed"
	// editKeyPart marks the edits of a desk message, eraseKeyPart the
	// deletions of its thread posts.
	editKeyPart  = ":edit:"
	eraseKeyPart = ":erase:"
	// failedBatch bounds the failures noted in one round.
	failedBatch = 100
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
		out := bots.Outgoing{Platform: bots.Slack, ChatID: rec.Out.ChatID, ReplyTo: rec.Out.ReplyTo, Text: textErased}
		if att := rec.Out.Attachment; att != nil {
			id := ticketOfKey(rec.Key)
			out.Text = fmt.Sprintf(textFileFailed, fileLabel(att.Kind), id, id)
		}
		msgs = append(msgs, outbox.Message{Key: rec.Key + failedKeyPart, Out: out})
	}
	n, err := outbox.Enqueue(ctx, db, msgs...)
	if err != nil {
		return false, fmt.Errorf("slack: unable to note the files the desk could not show: %w", err)
	}
	return n > 0, nil
}

// ticketOfKey is the ticket id in a desk key, "slack:desk:<id>:…".
func ticketOfKey(key string) string {
	rest := strings.TrimPrefix(key, "slack:desk:")
	id, _, _ := strings.Cut(rest, ":")
	return id
}

// fileLabel names a kind of file in Indonesian.
func fileLabel(kind string) string {
	switch kind {
	case "photo":
		return "foto"
	case "document":
		return "dokumen"
	}
	return "berkas"
}

package slack

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/tebingtinggi/hub/bots"
)

// upload shares data as a file named name in out.ChatID (in out.ReplyTo's
// thread), with out.Text as its comment, and returns the file's Slack id.
// It makes Slack's external upload's three calls itself so that the file
// is never out of reach: files.getUploadURLExternal names the file, and
// its id is written to slack_uploads before the bytes go to the upload
// URL and deleted once files.completeUploadExternal shared the file.
// Slack keeps an upload that is never completed as a file that no
// message shows (its documentation says it discards such files, not
// when), and a citizen's photo must not stay there: an attempt that
// fails deletes its file at once, and when it cannot (the process
// stopped, ctx ended), the next attempt of the same send deletes the
// earlier attempts' files before it uploads, so that a retry leaves no
// second copy, and so does the deletion of the thread (see removeThread).
func (a *Adapter) upload(ctx context.Context, out bots.Outgoing, name string, data []byte) (string, error) {
	key := sendKey(out)
	if err := a.dropUploads(ctx, `send_key = ?`, key); err != nil {
		return "", err
	}
	if err := a.pace(ctx, out.ChatID); err != nil {
		return "", err
	}
	u, err := a.api.GetUploadURLExternalContext(ctx, slack.GetUploadURLExternalParameters{FileName: name, FileSize: len(data)})
	if err != nil {
		return "", a.classify(out.ChatID, err)
	}
	db := a.cfg.DB
	if _, err := db.ExecContext(ctx, db.Rebind(`INSERT INTO slack_uploads (file_id, channel, thread_ts, send_key, started_at)
		VALUES (?, ?, ?, ?, ?)`), u.FileID, out.ChatID, out.ReplyTo, key, utc(a.now())); err != nil {
		// Nothing of the file was sent: the named file is empty.
		return "", &bots.SendError{Temporary: true, Err: fmt.Errorf("slack: unable to record an upload: %w", err)}
	}
	err = a.api.UploadToURL(ctx, slack.UploadToURLParameters{UploadURL: u.UploadURL, Reader: bytes.NewReader(data), Filename: name})
	if err == nil {
		_, err = a.api.CompleteUploadExternalContext(ctx, slack.CompleteUploadExternalParameters{
			Files: []slack.FileSummary{{ID: u.FileID, Title: name}}, Channel: out.ChatID, ThreadTimestamp: out.ReplyTo,
			InitialComment: Escape(strings.TrimSpace(out.Text)),
		})
	}
	if err != nil {
		failed := a.classify(out.ChatID, err)
		// Deleted now, since a permanent failure has no next attempt;
		// the file may also have been shared with the answer lost, and
		// the next attempt uploads it again. Unpaced: one file, and the
		// channel may just have been told to wait.
		if gone(a.api.DeleteFileContext(ctx, u.FileID)) == nil {
			_ = a.forgetUpload(ctx, u.FileID) // else the next attempt finds the file gone
		}
		return "", failed
	}
	// Should the record stay, the next attempt deletes the shared file
	// and shares it again: a record left would make a later send of the
	// same file to the thread delete this one.
	if err := a.forgetUpload(ctx, u.FileID); err != nil {
		return "", err
	}
	return u.FileID, nil
}

// forgetUpload deletes the record of an upload whose file is shared or
// deleted.
func (a *Adapter) forgetUpload(ctx context.Context, fileID string) error {
	db := a.cfg.DB
	if _, err := db.ExecContext(ctx, db.Rebind(`DELETE FROM slack_uploads WHERE file_id = ?`), fileID); err != nil {
		return &bots.SendError{Temporary: true, Err: fmt.Errorf("slack: unable to delete the record of an upload: %w", err)}
	}
	return nil
}

// dropUploads deletes from Slack, at the channel's pace, the files of the
// recorded uploads that where (a condition on slack_uploads) selects,
// and their records; what Slack no longer has counts as deleted.
func (a *Adapter) dropUploads(ctx context.Context, where string, args ...any) error {
	db := a.cfg.DB
	var rows []struct {
		FileID  string `db:"file_id"`
		Channel string `db:"channel"`
	}
	if err := db.SelectContext(ctx, &rows, db.Rebind(`SELECT file_id, channel FROM slack_uploads WHERE `+where+` ORDER BY started_at`), args...); err != nil {
		return &bots.SendError{Temporary: true, Err: fmt.Errorf("slack: unable to read the unfinished uploads: %w", err)}
	}
	for _, r := range rows {
		if err := a.deletePaced(ctx, r.Channel, r.FileID); err != nil {
			return err
		}
		if err := a.forgetUpload(ctx, r.FileID); err != nil {
			return err
		}
	}
	return nil
}

// sendKey names what a send uploads where without the platform's
// reference to the file: the same for every attempt of one outbox
// message (and for another that uploads the same file to the same
// thread, whose unfinished upload is as much a stray copy).
func sendKey(out bots.Outgoing) string {
	h := sha256.New()
	for _, s := range []string{out.ChatID, out.ReplyTo, string(out.Attachment.Platform), out.Attachment.Kind, out.Attachment.ID} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

package outbox

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/storage"
)

// Redact replaces the text of the message keyed key, and of every row
// keyed key + ":…" (its edits, parts and thread replies), with text and
// drops their buttons and attachments, delivered or not: part of a
// person's right to erasure for the copies of their words and files sent
// elsewhere (the Slack desk).
// The rows stay, so that a later edit still finds the message's id. It
// returns how many rows it changed.
func (s *Store) Redact(ctx context.Context, q storage.Querier, key, text string) (int64, error) {
	var rows []struct {
		ID      int64  `db:"id"`
		Payload string `db:"payload"`
	}
	prefix := key + ":"
	if err := q.SelectContext(ctx, &rows, s.db.Rebind(`SELECT id, payload FROM outbox
		WHERE idempotency_key = ? OR substr(idempotency_key, 1, ?) = ?`), key, len(prefix), prefix); err != nil {
		return 0, fmt.Errorf("outbox: unable to redact messages: %w", err)
	}
	for _, r := range rows {
		var out bots.Outgoing
		if err := json.Unmarshal([]byte(r.Payload), &out); err != nil {
			return 0, fmt.Errorf("outbox: unable to redact message %d: %w", r.ID, err)
		}
		out.Text, out.Buttons, out.Attachment = text, nil, nil
		b, err := json.Marshal(out)
		if err != nil {
			return 0, fmt.Errorf("outbox: unable to redact message %d: %w", r.ID, err)
		}
		if _, err := q.ExecContext(ctx, s.db.Rebind(`UPDATE outbox SET payload = ? WHERE id = ?`), string(b), r.ID); err != nil {
			return 0, fmt.Errorf("outbox: unable to redact message %d: %w", r.ID, err)
		}
	}
	return int64(len(rows)), nil
}

// SentUnder lists the delivered rows keyed key + ":…" that recorded the
// platform's id of what they created, oldest first: the messages and
// files a sender may have to take back when a person erases their data
// (the Slack desk's thread posts).
func (s *Store) SentUnder(ctx context.Context, q storage.Querier, key string) ([]Record, error) {
	var rows []record
	prefix := key + ":"
	if err := q.SelectContext(ctx, &rows, s.db.Rebind(`SELECT `+recordColumns+` FROM outbox
		WHERE status = 'sent' AND message_id <> '' AND substr(idempotency_key, 1, ?) = ?
		ORDER BY id`), len(prefix), prefix); err != nil {
		return nil, fmt.Errorf("outbox: unable to list sent messages: %w", err)
	}
	return toRecords(rows)
}

// Undelivered counts the rows of the chat keyed key or key + ":…" that
// are still to be sent or being sent, so that a sender can wait for what
// is in flight before taking it back. It reads the chat's queue
// (outbox_chat_queue), not the whole table.
func (s *Store) Undelivered(ctx context.Context, q storage.Querier, platform bots.Platform, chatID, key string) (int, error) {
	var n int
	prefix := key + ":"
	if err := q.GetContext(ctx, &n, s.db.Rebind(`SELECT COUNT(*) FROM outbox
		WHERE platform = ? AND chat_id = ? AND status IN ('pending', 'sending')
		AND (idempotency_key = ? OR substr(idempotency_key, 1, ?) = ?)`), string(platform), chatID, key, len(prefix), prefix); err != nil {
		return 0, fmt.Errorf("outbox: unable to count undelivered messages: %w", err)
	}
	return n, nil
}

// AllFailedUnder reports whether the rows keyed key or key + ":…" exist
// and the dispatcher gave up on every one: a message that never reached
// its chat, which its sender may send again (under a key that key
// prefixes, so that the new rows count here too).
func AllFailedUnder(ctx context.Context, q storage.Querier, key string) (bool, error) {
	var n struct {
		All    int `db:"all_rows"`
		Failed int `db:"failed_rows"`
	}
	prefix := key + ":"
	if err := q.GetContext(ctx, &n, q.Rebind(`SELECT COUNT(*) AS all_rows, COALESCE(SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END), 0) AS failed_rows
		FROM outbox WHERE idempotency_key = ? OR substr(idempotency_key, 1, ?) = ?`), key, len(prefix), prefix); err != nil {
		return false, fmt.Errorf("outbox: unable to count failed messages: %w", err)
	}
	return n.All > 0 && n.Failed == n.All, nil
}

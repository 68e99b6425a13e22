package inbox

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/tebingtinggi/hub/bots"
)

// EditedLabel marks, wherever officers read a conversation, a citizen's
// message that corrects an earlier one (Message.Edited).
const EditedLabel = "(disunting)"

// Edited reports whether m is a citizen's edit of an earlier message.
func (m Message) Edited() bool { return m.EditOf != nil }

// LogEdit records, in tx, a citizen's edit of their platform message
// messageID in a chat: when that message was logged with the
// conversation's ticket that is not closed, text joins the ticket as a
// new citizen's message marked as an edit of it (Message.EditOf, the
// first message logged from it), which officers read beside the original,
// and an answered ticket is open again, as for a follow-up. It returns
// the ticket and logged true then. An edit of any other message (one the
// bot answered from the FAQ, even while the ticket was open; one of a
// closed ticket; one erased by Forget), an edit
// without words and one that leaves the words as they were log nothing.
func (s *Store) LogEdit(ctx context.Context, tx *sqlx.Tx, platform bots.Platform, chatID, userID, messageID, text string) (t Ticket, logged bool, err error) {
	if messageID == "" || text == "" {
		return Ticket{}, false, nil
	}
	conv, found, err := s.FindConversation(ctx, tx, platform, chatID, userID)
	if err != nil || !found {
		return Ticket{}, false, err
	}
	t, found, err = s.activeTicket(ctx, tx, conv.ID)
	if err != nil || !found {
		return Ticket{}, false, err
	}
	var edited struct {
		First  sql.NullInt64  `db:"first"`
		Latest sql.NullString `db:"latest"`
	}
	// The message as first logged, and its words as last seen.
	err = tx.GetContext(ctx, &edited, s.db.Rebind(`SELECT
		(SELECT id FROM messages WHERE conversation_id = ? AND ticket_id = ? AND author_kind = 'citizen' AND platform_message_id = ?
			ORDER BY id LIMIT 1) AS first,
		(SELECT text FROM messages WHERE conversation_id = ? AND ticket_id = ? AND author_kind = 'citizen' AND platform_message_id = ?
			ORDER BY id DESC LIMIT 1) AS latest`),
		conv.ID, t.ID, messageID, conv.ID, t.ID, messageID)
	if err != nil {
		return Ticket{}, false, fmt.Errorf("inbox: unable to find the edited message: %w", err)
	}
	if !edited.First.Valid || edited.Latest.String == text {
		return Ticket{}, false, nil
	}
	// A question the bot answered from the FAQ while the ticket was open
	// (logged with it, its answer next) went to no officer.
	var answered int
	if err := tx.GetContext(ctx, &answered, s.db.Rebind(`SELECT COUNT(*) FROM messages
		WHERE id = (SELECT MIN(id) FROM messages WHERE conversation_id = ? AND id > ?)
		AND author_kind = 'bot' AND (decision = 'answer' OR decision LIKE 'answer %')`), conv.ID, edited.First.Int64); err != nil {
		return Ticket{}, false, fmt.Errorf("inbox: unable to find the edited message: %w", err)
	}
	if answered > 0 {
		return Ticket{}, false, nil
	}
	res, err := tx.ExecContext(ctx, s.db.Rebind(`UPDATE tickets SET status = 'open' WHERE id = ? AND status <> 'closed'`), t.ID)
	if err != nil {
		return Ticket{}, false, fmt.Errorf("inbox: unable to add an edit to ticket %d: %w", t.ID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return Ticket{}, false, fmt.Errorf("inbox: unable to add an edit to ticket %d: %w", t.ID, err)
	} else if n == 0 {
		return Ticket{}, false, nil // closed meanwhile: an edit of a closed ticket's message
	}
	now := utc(s.now())
	if _, err := tx.ExecContext(ctx, s.db.Rebind(`INSERT INTO messages (conversation_id, ticket_id, direction, author_kind, author_name, text, created_at, platform_message_id, edit_of)
		VALUES (?, ?, 'in', 'citizen', '', ?, ?, ?, ?)`), conv.ID, t.ID, text, now, messageID, edited.First.Int64); err != nil {
		return Ticket{}, false, fmt.Errorf("inbox: unable to log an edit: %w", err)
	}
	if err := s.touch(ctx, tx, conv.ID, now); err != nil {
		return Ticket{}, false, err
	}
	t, err = s.ticket(ctx, tx, t.ID)
	return t, err == nil, err
}

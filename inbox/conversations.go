package inbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/storage"
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

const conversationColumns = `id, platform, chat_id, user_id, display_name, created_at, last_message_at`

func (c *Conversation) normalize() {
	c.CreatedAt, c.LastMessageAt = c.CreatedAt.UTC(), c.LastMessageAt.UTC()
}

// EnsureConversation returns the conversation of userID in chatID on
// platform, creating it on first contact; an existing conversation takes
// the current display name. Like EnsureConversationTicket, it counts as
// the citizen's activity (last_message_at).
func (s *Store) EnsureConversation(ctx context.Context, q storage.Querier, platform bots.Platform, chatID, userID, displayName string) (Conversation, error) {
	c, _, err := s.EnsureConversationTicket(ctx, q, platform, chatID, userID, displayName)
	return c, err
}

// upsertConversation creates a conversation or, for one that exists,
// takes the display name and moves last_message_at forward, never back.
// Parameters: platform, chat id, user id, display name, created_at,
// last_message_at.
const upsertConversation = `INSERT INTO conversations (platform, chat_id, user_id, display_name, created_at, last_message_at)
	VALUES (?, ?, ?, ?, ?, ?)
	ON CONFLICT (platform, chat_id, user_id) DO UPDATE SET display_name = excluded.display_name,
		last_message_at = CASE WHEN conversations.last_message_at < excluded.last_message_at
			THEN excluded.last_message_at ELSE conversations.last_message_at END`

// activeTicket, in upsertConversation's RETURNING list, is the id of the
// conversation's ticket that is not closed, or NULL.
const activeTicket = `(SELECT t.id FROM tickets t WHERE t.conversation_id = conversations.id AND t.status <> 'closed') AS active_ticket`

// EnsureConversationTicket is EnsureConversation that also returns the id
// of the conversation's ticket that is not closed, or 0. It is called as
// the citizen writes: the conversation's last_message_at moves forward to
// now, so that logging the citizen's message next (LogExchange) need not.
// One statement whether the conversation is new or not: an update costs
// one round trip here.
func (s *Store) EnsureConversationTicket(ctx context.Context, q storage.Querier, platform bots.Platform, chatID, userID, displayName string) (Conversation, int64, error) {
	if platform == "" || chatID == "" || userID == "" {
		return Conversation{}, 0, errors.New("inbox: unable to ensure conversation: platform, chat id and user id are required")
	}
	var row struct {
		Conversation
		Ticket sql.NullInt64 `db:"active_ticket"`
	}
	now := utc(s.now())
	err := q.GetContext(ctx, &row, s.db.Rebind(upsertConversation+`
		RETURNING `+conversationColumns+`, `+activeTicket),
		string(platform), chatID, userID, displayName, now, now)
	if err != nil {
		return Conversation{}, 0, fmt.Errorf("inbox: unable to ensure conversation: %w", err)
	}
	row.Conversation.normalize()
	return row.Conversation, row.Ticket.Int64, nil
}

// FindConversation returns the conversation of userID in chatID on
// platform without creating it or counting as activity: found is false
// when there is none.
func (s *Store) FindConversation(ctx context.Context, q storage.Querier, platform bots.Platform, chatID, userID string) (c Conversation, found bool, err error) {
	err = q.GetContext(ctx, &c, s.db.Rebind(`SELECT `+conversationColumns+` FROM conversations
		WHERE platform = ? AND chat_id = ? AND user_id = ?`), string(platform), chatID, userID)
	if errors.Is(err, sql.ErrNoRows) {
		return Conversation{}, false, nil
	}
	if err != nil {
		return Conversation{}, false, fmt.Errorf("inbox: unable to find conversation: %w", err)
	}
	c.normalize()
	return c, true, nil
}

func (s *Store) conversation(ctx context.Context, q storage.Querier, id int64) (Conversation, error) {
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

package handlers

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/storage"
)

// State is what the bot remembers about one person in one chat between
// updates. It may hold personal data (a flow's input) and is erased by
// /hapusdata. The citizen's last question is not kept here: a press that
// hands it over reads it from the message log.
type State struct {
	// Awaiting names what the next text message is: AwaitComment for a
	// rating comment.
	Awaiting string `json:"awaiting,omitempty"`
	// Ticket is the ticket the awaited input belongs to.
	Ticket int64 `json:"ticket,omitempty"`
	// ConfirmForget is set while the /hapusdata confirmation is pending.
	ConfirmForget bool `json:"confirm_forget,omitempty"`
	// Data is free-form state for other flows (registration, surveys).
	Data map[string]string `json:"data,omitempty"`
}

// AwaitComment marks a pending rating comment in State.Awaiting.
const AwaitComment = "comment"

// Session is the conversation state of the update being handled; flows
// change State and the Router saves it together with the replies.
type Session struct {
	Platform bots.Platform
	ChatID   string
	UserID   string
	State    State
	loaded   string
}

// SessionFrom returns the session of the update being handled, or nil
// outside the session middleware (e.g. for rate-limited updates).
func SessionFrom(ctx context.Context) *Session { return traceOf(ctx).session }

// sessions is the conversation-state middleware: it loads the person's
// state before the handler runs. Updates without a user (channel posts)
// get none.
func sessions(db *storage.DB) Middleware {
	return func(next bots.Handler) bots.Handler {
		return bots.HandlerFunc(func(ctx context.Context, in bots.Incoming) ([]bots.Outgoing, error) {
			if in.UserID != "" && in.ChatID != "" {
				s, err := loadSession(ctx, db, in.Platform, in.ChatID, in.UserID, traceOf(ctx).state)
				if err != nil {
					return nil, err
				}
				traceOf(ctx).session = s
			}
			return next.Handle(ctx, in)
		})
	}
}

// loadSession loads the person's state, or takes it from prefetched (a
// null string: none stored) when the caller read it already.
func loadSession(ctx context.Context, db *storage.DB, platform bots.Platform, chatID, userID string, prefetched *sql.NullString) (*Session, error) {
	s := &Session{Platform: platform, ChatID: chatID, UserID: userID, loaded: "{}"}
	var raw string
	if prefetched != nil {
		if !prefetched.Valid {
			return s, nil
		}
		raw = prefetched.String
	} else {
		err := db.GetContext(ctx, &raw, db.Rebind(`SELECT state FROM chat_sessions WHERE platform = ? AND chat_id = ? AND user_id = ?`),
			string(platform), chatID, userID)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return s, nil
		case err != nil:
			return nil, fmt.Errorf("handlers: unable to load conversation state: %w", err)
		}
	}
	if err := json.Unmarshal([]byte(raw), &s.State); err != nil {
		// Unreadable state is forgotten rather than blocking the person.
		s.State = State{}
	}
	s.loaded = raw
	return s, nil
}

// saving is the statement that stores the state if it changed (an empty
// state deletes the row); none when it did not change.
func (s *Session) saving(now time.Time) (storage.Statement, error) {
	b, err := json.Marshal(s.State)
	if err != nil {
		return storage.Statement{}, fmt.Errorf("handlers: unable to encode conversation state: %w", err)
	}
	switch string(b) {
	case s.loaded:
		return storage.Statement{}, nil
	case "{}":
		return storage.Statement{SQL: `DELETE FROM chat_sessions WHERE platform = ? AND chat_id = ? AND user_id = ?`,
			Args: []any{string(s.Platform), s.ChatID, s.UserID}}, nil
	}
	return storage.Statement{SQL: `INSERT INTO chat_sessions (platform, chat_id, user_id, state, updated_at)
		VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (platform, chat_id, user_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`,
		Args: []any{string(s.Platform), s.ChatID, s.UserID, string(b), now}}, nil
}

// ForgetPerson erases what this package keeps about a person: their
// conversation state in every chat, and the payloads and identifiers of
// their finished updates (an unfinished one is blanked when it finishes). Part of /hapusdata; the inbox and outbox erase their own.
func ForgetPerson(ctx context.Context, db *storage.DB, platform bots.Platform, userID string) error {
	return db.InTx(ctx, func(tx *sqlx.Tx) error {
		for _, q := range []string{
			`DELETE FROM chat_sessions WHERE platform = ? AND user_id = ?`,
			`UPDATE processed_updates SET payload = '', user_id = '', chat_id = '' WHERE platform = ? AND user_id = ? AND status <> 'pending'`,
			`DELETE FROM rate_notices WHERE platform = ? AND user_id = ?`,
		} {
			if _, err := tx.ExecContext(ctx, db.Rebind(q), string(platform), userID); err != nil {
				return fmt.Errorf("handlers: unable to forget person: %w", err)
			}
		}
		return nil
	})
}

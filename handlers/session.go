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
	// rating comment, AwaitQuestion for a question for an officer.
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

// AwaitQuestion marks, in State.Awaiting, that the citizen asked for a
// person and the bot asked for their question: the next text goes to an
// officer unsearched.
const AwaitQuestion = "question"

// Session is the conversation state of the update being handled; flows
// change State and the Router saves it together with the replies.
type Session struct {
	Platform bots.Platform
	ChatID   string
	UserID   string
	State    State
	loaded   string
}

// sessions is the conversation-state middleware: it loads the person's
// state before the handler runs. Updates without a user (channel posts)
// get none.
func sessions() Middleware {
	return func(next Handler) Handler {
		return HandlerFunc(func(ctx context.Context, in *Update) ([]bots.Outgoing, error) {
			if in.UserID != "" && in.ChatID != "" {
				s, err := loadSession(ctx, in)
				if err != nil {
					return nil, err
				}
				in.Session = s
			}
			return next.Handle(ctx, in)
		})
	}
}

// loadSession loads the person's state, or takes it from what the rate
// limiter read with its counts (a null string: none stored).
func loadSession(ctx context.Context, in *Update) (*Session, error) {
	if in.stored == nil {
		return readSession(ctx, in.Tx, in.Platform, in.ChatID, in.UserID)
	}
	s := &Session{Platform: in.Platform, ChatID: in.ChatID, UserID: in.UserID, loaded: "{}"}
	if !in.stored.State.Valid {
		return s, nil
	}
	s.decode(in.stored.State.String)
	return s, nil
}

// readSession reads a person's state in a chat in tx: the update's, or
// the same person's in their chat on another platform.
func readSession(ctx context.Context, tx *sqlx.Tx, platform bots.Platform, chatID, userID string) (*Session, error) {
	s := &Session{Platform: platform, ChatID: chatID, UserID: userID, loaded: "{}"}
	var raw string
	err := tx.GetContext(ctx, &raw, tx.Rebind(`SELECT state FROM chat_sessions WHERE platform = ? AND chat_id = ? AND user_id = ?`),
		string(platform), chatID, userID)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return s, nil
	case err != nil:
		return nil, fmt.Errorf("handlers: unable to load conversation state: %w", err)
	}
	s.decode(raw)
	return s, nil
}

// decode sets the state from its stored form.
func (s *Session) decode(raw string) {
	if err := json.Unmarshal([]byte(raw), &s.State); err != nil {
		// Unreadable state is forgotten rather than blocking the person.
		s.State = State{}
	}
	s.loaded = raw
}

// save stores the state in tx if it changed; an empty state deletes the
// row.
func (s *Session) save(ctx context.Context, tx *sqlx.Tx, now time.Time) error {
	b, err := json.Marshal(s.State)
	if err != nil {
		return fmt.Errorf("handlers: unable to encode conversation state: %w", err)
	}
	switch string(b) {
	case s.loaded:
		return nil
	case "{}":
		_, err = tx.ExecContext(ctx, tx.Rebind(`DELETE FROM chat_sessions WHERE platform = ? AND chat_id = ? AND user_id = ?`),
			string(s.Platform), s.ChatID, s.UserID)
	default:
		_, err = tx.ExecContext(ctx, tx.Rebind(`INSERT INTO chat_sessions (platform, chat_id, user_id, state, updated_at)
			VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (platform, chat_id, user_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`),
			string(s.Platform), s.ChatID, s.UserID, string(b), now)
	}
	if err != nil {
		return fmt.Errorf("handlers: unable to save conversation state: %w", err)
	}
	return nil
}

// ForgetPerson erases, in tx, what this package keeps about a person:
// their conversation state in every chat, and the payloads and identifiers
// of their finished updates (an unfinished one is blanked when it
// finishes). Part of /hapusdata; the inbox and outbox erase their own.
func ForgetPerson(ctx context.Context, tx *sqlx.Tx, platform bots.Platform, userID string) error {
	for _, q := range []string{
		`DELETE FROM chat_sessions WHERE platform = ? AND user_id = ?`,
		`UPDATE processed_updates SET payload = '', user_id = '', chat_id = '' WHERE platform = ? AND user_id = ? AND status <> 'pending'`,
		`DELETE FROM rate_notices WHERE platform = ? AND user_id = ?`,
	} {
		if _, err := tx.ExecContext(ctx, tx.Rebind(q), string(platform), userID); err != nil {
			return fmt.Errorf("handlers: unable to forget person: %w", err)
		}
	}
	return nil
}

// PurgeSessionsBefore enforces retention on conversation state: it deletes
// the states untouched since before t (a flow abandoned long ago may hold
// a person's unfinished input) and returns how many it deleted.
func PurgeSessionsBefore(ctx context.Context, db *storage.DB, t time.Time) (int64, error) {
	res, err := db.ExecContext(ctx, db.Rebind(`DELETE FROM chat_sessions WHERE updated_at < ?`), t.UTC())
	if err != nil {
		return 0, fmt.Errorf("handlers: unable to purge conversation states: %w", err)
	}
	return res.RowsAffected()
}

// Package bots is the contract between the chat platforms and the hub's
// handler layer: platform-neutral incoming and outgoing messages, a Handler
// that turns one into the other, and a Sender that delivers. Nothing here is
// specific to Telegram, Slack or any other platform; each adapter lives in
// its own sub-package and translates to and from these types.
package bots

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Platform names a chat platform. A person's platform is a field, not a type.
type Platform string

// The platforms the hub speaks.
const (
	Telegram Platform = "telegram"
	Slack    Platform = "slack"
	Console  Platform = "console"
)

// ChatType tells private conversations from groups and channels.
type ChatType string

// The chat types.
const (
	Private ChatType = "private"
	Group   ChatType = "group"
	Channel ChatType = "channel"
)

// Kind says what an incoming update carries.
type Kind string

// The kinds of incoming updates.
const (
	// Text is a typed message (commands included: Command is set).
	Text Kind = "text"
	// Press is a button press; Data holds the button's data.
	Press Kind = "press"
	// Unsupported is content the hub does not keep (sticker, animation,
	// contact, poll, …); Media names it and nothing else of it is carried.
	Unsupported Kind = "unsupported"
	// Edited is an edit of an earlier message.
	Edited Kind = "edited"
	// File is a photo, document, voice note, audio, video or video note:
	// Media names which, FileID is the platform's reference to it and
	// Text its caption.
	File Kind = "file"
	// Location is a shared location or venue: Place holds it, Media
	// says "location" or "venue".
	Location Kind = "location"
)

// Incoming is one update from a platform, after the adapter verified its
// origin.
type Incoming struct {
	Platform Platform
	// UpdateID is unique per platform and stable across redeliveries; the
	// handler layer de-duplicates on (Platform, UpdateID).
	UpdateID string
	ChatID   string
	ChatType ChatType
	UserID   string
	// UserName is the display name: personal data, never logged.
	UserName  string
	MessageID string
	Kind      Kind
	Text      string
	// Command and Args are set for "/cmd args" messages (Command without
	// the slash and without any @botname suffix, lowercased).
	Command string
	Args    string
	// Data is the pressed button's data; MessageID is then the message that
	// carried the button.
	Data string
	// Media names unsupported content ("sticker", "contact", …), a
	// File's kind ("photo", "document", "voice", "audio", "video",
	// "video_note") or a Location's ("location", "venue").
	Media string
	// FileID is the platform's id of a File, to fetch it while it is
	// needed; the hub keeps the id, never the file.
	FileID string
	// Place is the shared place of a Location, nil otherwise.
	Place *Place
	// Addressed is true in private chats, and in groups when the bot was
	// mentioned or replied to.
	Addressed bool
	Time      time.Time
}

// Place is a location a person shared: coordinates in degrees (WGS 84)
// and, for a venue, the place's name and address.
type Place struct {
	Latitude  float64
	Longitude float64
	Title     string
	Address   string
}

// Button is one inline button.
type Button struct {
	Text string
	Data string
}

// Outgoing is one message to send, platform-neutral. Text is plain text:
// the adapter escapes and formats it for its platform.
type Outgoing struct {
	Platform Platform
	ChatID   string
	Text     string
	// Buttons are laid out in rows.
	Buttons [][]Button
	// ReplyTo quotes an earlier message, by platform message id.
	ReplyTo string
	// EditOf, when set, replaces the text and buttons of that earlier
	// message instead of sending a new one.
	EditOf string
	// Delete, with EditOf, takes that earlier message back instead of
	// editing it (for Slack, EditOf may also be the id of a file the bot
	// uploaded); with ReplyTo instead, it takes back every message (and
	// file) the bot posted in that message's thread, the ones whose ids
	// were never recorded included. A message already gone counts as
	// deleted. Only the Slack adapter honours it: the desk takes back its
	// copies of an erased citizen's words and files.
	Delete bool `json:",omitempty"`
	// Attachment, when set, is a file to show with Text (which is then
	// its comment). The Slack adapter uploads it; the others send Text
	// alone.
	Attachment *Attachment `json:",omitempty"`
}

// Handler turns one incoming update into the replies to send.
type Handler interface {
	Handle(ctx context.Context, in Incoming) ([]Outgoing, error)
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(ctx context.Context, in Incoming) ([]Outgoing, error)

// Handle calls f.
func (f HandlerFunc) Handle(ctx context.Context, in Incoming) ([]Outgoing, error) { return f(ctx, in) }

// Sender delivers one outgoing message and returns the platform's id of
// the message it created or edited.
type Sender interface {
	Send(ctx context.Context, out Outgoing) (messageID string, err error)
}

// SendError classifies a failed send so that callers know whether and when
// to try again.
type SendError struct {
	// RetryAfter is the platform's demanded pause (HTTP 429); the message
	// must not be sent again before it has passed.
	RetryAfter time.Duration
	// Temporary failures (5xx, time-outs, network) may be retried with
	// backoff; the others (blocked bot, chat not found, bad request) not.
	Temporary bool
	Err       error
}

func (e *SendError) Error() string {
	switch {
	case e.RetryAfter > 0:
		return fmt.Sprintf("send: rate limited, retry after %s: %v", e.RetryAfter, e.Err)
	case e.Temporary:
		return fmt.Sprintf("send: temporary failure: %v", e.Err)
	default:
		return fmt.Sprintf("send: permanent failure: %v", e.Err)
	}
}

func (e *SendError) Unwrap() error { return e.Err }

// Retryable reports whether err may succeed if sent again, and the least
// pause before trying.
func Retryable(err error) (bool, time.Duration) {
	var se *SendError
	if errors.As(err, &se) {
		return se.Temporary || se.RetryAfter > 0, se.RetryAfter
	}
	// Unknown errors (context deadline, network) are treated as temporary.
	return err != nil, 0
}

package handlers

import (
	"context"

	"github.com/jmoiron/sqlx"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/knowledge"
)

// Update is one update being handled: what arrived, the transaction its
// writes go to, the person's conversation state, and what the layers learn
// about it for the log and the metrics. The Router makes one per update
// and hands it down the middleware chain; it belongs to one goroutine.
type Update struct {
	bots.Incoming
	// Tx is the update's transaction, begun and committed by the Router:
	// every read and write a flow makes for the update goes through it.
	Tx *sqlx.Tx
	// Session is the person's conversation state in the chat, saved by
	// the Router in Tx; nil for updates without a person or a chat, and for
	// rate-limited ones.
	Session *Session

	route    string
	decision string
	limited  bool
	// forgotten: the person erased their data while this update was
	// handled, so its record keeps no identifiers either.
	forgotten bool
	// panicked: a handler panicked; what it wrote is rolled back.
	panicked bool
	// stored is the person's stored conversation state (null: none), read
	// by the rate limiter with its counts for the session middleware.
	stored *rateCounts
}

// Handler handles one update and returns the replies to send.
type Handler interface {
	Handle(ctx context.Context, u *Update) ([]bots.Outgoing, error)
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(ctx context.Context, u *Update) ([]bots.Outgoing, error)

// Handle calls f.
func (f HandlerFunc) Handle(ctx context.Context, u *Update) ([]bots.Outgoing, error) {
	return f(ctx, u)
}

func (u *Update) setRoute(r string) {
	if u.route == "" {
		u.route = r
	}
}

// NoteDecision records the engine's decision for the update, for logs and
// metrics.
func (u *Update) NoteDecision(d knowledge.Decision) { u.decision = string(d) }

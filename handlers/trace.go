package handlers

import (
	"context"
	"database/sql"

	"github.com/tebingtinggi/hub/knowledge"
)

// trace is what the layers learn about one update while it is handled:
// the route taken, the engine's decision and the session. It lives in the
// context and belongs to one goroutine.
type trace struct {
	route    string
	decision string
	limited  bool
	// forgotten: the person erased their data while this update was
	// handled, so its record keeps no identifiers either.
	forgotten bool
	// panicked: a handler panicked; what it wrote is rolled back.
	panicked bool
	// marked: the update was marked done at the start of its unit of
	// work (claimUpdate), not by its last statement.
	marked  bool
	session *Session
	// state is the person's stored conversation state (null: none) when
	// the rate limiter already read it.
	state *sql.NullString
	// rate is what the rate limiter reads, when the Router read it
	// already (claimUpdate).
	rate *rateCounts
}

type traceKey struct{}

func withTrace(ctx context.Context) (context.Context, *trace) {
	t := &trace{}
	return context.WithValue(ctx, traceKey{}, t), t
}

// traceOf returns the update's trace, or a throwaway one outside a Router
// (a flow called directly in a test).
func traceOf(ctx context.Context) *trace {
	if t, ok := ctx.Value(traceKey{}).(*trace); ok {
		return t
	}
	return &trace{}
}

func (t *trace) setRoute(r string) {
	if t.route == "" {
		t.route = r
	}
}

// NoteDecision records the engine's decision for the update being handled,
// for logs and metrics.
func NoteDecision(ctx context.Context, d knowledge.Decision) { traceOf(ctx).decision = string(d) }

// Package handlers is the hub's platform-neutral handler layer: it receives
// every adapter's bots.Incoming durably (de-duplicated in the database and
// reprocessed after a crash), runs it through a middleware chain (recover,
// structured log, Prometheus metrics, per-user rate limit, conversation
// state), routes it to a flow and writes the replies to the durable outbox,
// committed together with the update's record that marks it done.
//
// The citizens' flows (FAQ answers, "maksud Anda…?" clarifications,
// hand-over to officers, feedback, ratings, /status, /hapusdata) live here
// too, as does the Desk that carries officers' replies back to citizens,
// and the civil servants' (ASN) flows: account linking, reminder RSVPs and
// evaluation surveys answered in the chat.
// Nothing in this package imports a platform adapter.
package handlers

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/tebingtinggi/hub/bots"
)

// Middleware wraps a handler, go-telegram/bot style: func(next) next.
type Middleware func(next Handler) Handler

// Chain applies middleware so that the first one listed runs first.
func Chain(h Handler, mw ...Middleware) Handler {
	for i := len(mw) - 1; i >= 0; i-- {
		h = mw[i](h)
	}
	return h
}

// ErrDuplicateRoute is returned when a command or button prefix is
// registered twice.
var ErrDuplicateRoute = errors.New("handlers: route registered twice")

// Mux routes an update to the first matching handler: a command by name
// (text messages with Incoming.Command set), a button press by the first
// registered prefix of its data, and everything else to the default
// handler. Registrations happen before use; Mux is then
// safe for concurrent use.
type Mux struct {
	commands map[string]Handler
	presses  []pressRoute
	fallback Handler
}

type pressRoute struct {
	prefix string
	h      Handler
}

// NewMux returns an empty Mux whose default handler replies nothing.
func NewMux() *Mux {
	return &Mux{commands: map[string]Handler{}}
}

// Command routes "/name" (lowercase, without the slash) to h.
func (m *Mux) Command(name string, h Handler) error {
	name = strings.ToLower(strings.TrimPrefix(name, "/"))
	if name == "" || h == nil {
		return errors.New("handlers: a command needs a name and a handler")
	}
	if _, dup := m.commands[name]; dup {
		return fmt.Errorf("%w: command /%s", ErrDuplicateRoute, name)
	}
	m.commands[name] = h
	return nil
}

// Press routes button presses whose data starts with prefix to h. Prefixes
// are tried in registration order and the first match wins, so register
// the more specific ones first.
func (m *Mux) Press(prefix string, h Handler) error {
	if prefix == "" || h == nil {
		return errors.New("handlers: a press route needs a prefix and a handler")
	}
	for _, r := range m.presses {
		if r.prefix == prefix {
			return fmt.Errorf("%w: button prefix %q", ErrDuplicateRoute, prefix)
		}
	}
	m.presses = append(m.presses, pressRoute{prefix, h})
	return nil
}

// Route is one registration for Mux.Routes: a command (without the slash)
// or a button-data prefix, and its handler.
type Route struct {
	Command string
	Prefix  string
	Handler HandlerFunc
}

// Routes registers routes in order, stopping at the first rejected one.
func (m *Mux) Routes(rs ...Route) error {
	for _, r := range rs {
		var err error
		if r.Command != "" {
			err = m.Command(r.Command, r.Handler)
		} else {
			err = m.Press(r.Prefix, r.Handler)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// Default sets the handler for everything no other route takes.
func (m *Mux) Default(h Handler) { m.fallback = h }

// Handle routes in; it implements Handler.
func (m *Mux) Handle(ctx context.Context, in *Update) ([]bots.Outgoing, error) {
	switch {
	case in.Kind == bots.Text && in.Command != "":
		if h, ok := m.commands[in.Command]; ok {
			in.setRoute("/" + in.Command)
			return h.Handle(ctx, in)
		}
	case in.Kind == bots.Press:
		for _, r := range m.presses {
			if strings.HasPrefix(in.Data, r.prefix) {
				in.setRoute("press:" + r.prefix)
				return r.h.Handle(ctx, in)
			}
		}
	}
	if m.fallback == nil {
		return nil, nil
	}
	in.setRoute("default")
	return m.fallback.Handle(ctx, in)
}

// Package panics turns a panic while processing one item (a Slack request,
// an outbox message, a scheduled job's run) into an error that the caller
// settles like any other failure: logged once, counted, and the item set
// aside, while the process and the other items go on. Without it one
// poisoned item, recorded durably and retried after every restart, would
// take every replica down in turn.
package panics

import (
	"fmt"
	"log/slog"
	"runtime"
	"runtime/debug"

	"github.com/prometheus/client_golang/prometheus"
)

// Total counts the panics recovered, by component (slack, outbox,
// scheduler, handlers) as hub_panics_total. It is one series for the
// whole process, like the Go runtime's own; cmd/hub registers it.
var Total = prometheus.NewCounterVec(prometheus.CounterOpts{
	Name: "hub_panics_total", Help: "Panics recovered while processing one item, by component.",
}, []string{"component"})

// Error is a recovered panic.
type Error struct {
	// Value is what was passed to panic. It may hold the data being
	// processed: log Describe's account of it, never the value.
	Value any
	// Stack is the panicking goroutine's stack.
	Stack []byte
}

// Error describes the panic as Describe does.
func (e *Error) Error() string { return "panic: " + Describe(e.Value) }

// Attrs are the log attributes of the panic: what it was and where.
func (e *Error) Attrs() []any {
	return []any{"panic", Describe(e.Value), "stack", string(e.Stack)}
}

// Describe tells what a panic was without the data it may carry. The
// runtime's own panics (a nil dereference, an index out of range) name
// no data and are given whole; any other value (panic(fmt.Sprintf(…)))
// may be built from a message or a name, so only its type is given, and
// the stack says where it came from.
func Describe(v any) string {
	if err, ok := v.(runtime.Error); ok {
		return err.Error()
	}
	return fmt.Sprintf("value of type %T", v)
}

// Call runs fn and returns its error, or an *Error when fn panics. The
// caller logs it (Attrs), counts it (Count) and sets the item aside.
func Call(fn func() error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &Error{Value: v, Stack: debug.Stack()}
		}
	}()
	return fn()
}

// Count adds a recovered panic in component to Total.
func Count(component string) { Total.WithLabelValues(component).Inc() }

// Log writes the one line a recovered panic gets, at error level, with
// the item's identifying attributes (never its content) and the panic's.
func Log(log *slog.Logger, component, msg string, p *Error, item ...any) {
	Count(component)
	log.Error(msg, append(item, p.Attrs()...)...)
}

// Recovered returns how many panics Total has counted for component (for
// tests, which compare it before and after).
func Recovered(component string) float64 {
	reg := prometheus.NewRegistry()
	if err := reg.Register(Total); err != nil {
		return 0
	}
	families, err := reg.Gather()
	if err != nil {
		return 0
	}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "component" && l.GetValue() == component {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	return 0
}

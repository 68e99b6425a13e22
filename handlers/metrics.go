package handlers

import (
	"context"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tebingtinggi/hub/bots"
)

// Metrics are the handler layer's Prometheus series:
//
//   - hub_updates_total{platform,kind}: updates handled (redeliveries not
//     counted). A run that is undone counts too: an update retried after
//     a failure, or handled by two replicas at once (on PostgreSQL; the
//     one that finishes second is rolled back and counts as a duplicate),
//     counts once for each run, as does what the other series count;
//   - hub_updates_duplicate_total{platform}: redeliveries ignored;
//   - hub_updates_recovered_total{platform}: unfinished updates reprocessed;
//   - hub_decisions_total{decision}: updates by how they were decided, the
//     engine's decision names (answer, clarify, handoff, decline,
//     smalltalk) and the flows' own (helpful, rated, asn_linked, …); the label
//     takes any name, so a new decision needs no change here;
//   - hub_rate_limited_total{platform}: updates silenced by the rate limit;
//   - hub_handler_duration_seconds{platform}: time spent in the handlers.
//
// A nil *Metrics records nothing.
type Metrics struct {
	updates    *prometheus.CounterVec
	duplicates *prometheus.CounterVec
	recoveries *prometheus.CounterVec
	decisions  *prometheus.CounterVec
	limited    *prometheus.CounterVec
	latency    *prometheus.HistogramVec
}

// NewMetrics creates the series and registers them on reg; with a nil reg
// the series count but are not exported.
func NewMetrics(reg *prometheus.Registry) (*Metrics, error) {
	m := &Metrics{
		updates: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hub_updates_total", Help: "Chat updates handled, by platform and kind.",
		}, []string{"platform", "kind"}),
		duplicates: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hub_updates_duplicate_total", Help: "Redelivered chat updates ignored, by platform.",
		}, []string{"platform"}),
		recoveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hub_updates_recovered_total", Help: "Unfinished chat updates reprocessed, by platform.",
		}, []string{"platform"}),
		decisions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hub_decisions_total", Help: "Chat updates by decision: the engine's (answer, clarify, handoff, decline, smalltalk) or a flow's.",
		}, []string{"decision"}),
		limited: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hub_rate_limited_total", Help: "Chat updates silenced by the per-user rate limit, by platform.",
		}, []string{"platform"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "hub_handler_duration_seconds", Help: "Time spent handling one chat update, by platform.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"platform"}),
	}
	if reg != nil {
		for _, c := range []prometheus.Collector{m.updates, m.duplicates, m.recoveries, m.decisions, m.limited, m.latency} {
			if err := reg.Register(c); err != nil {
				return nil, fmt.Errorf("handlers: unable to register metrics: %w", err)
			}
		}
	}
	return m, nil
}

// Middleware counts updates, decisions and rate-limited updates and times
// the handlers below.
func (m *Metrics) Middleware() Middleware {
	return func(next Handler) Handler {
		return HandlerFunc(func(ctx context.Context, in *Update) ([]bots.Outgoing, error) {
			start := time.Now()
			outs, err := next.Handle(ctx, in)
			if m == nil {
				return outs, err
			}
			m.latency.WithLabelValues(string(in.Platform)).Observe(time.Since(start).Seconds())
			m.updates.WithLabelValues(string(in.Platform), string(in.Kind)).Inc()
			tr := in
			if tr.decision != "" {
				m.decisions.WithLabelValues(tr.decision).Inc()
			}
			if tr.limited {
				m.limited.WithLabelValues(string(in.Platform)).Inc()
			}
			return outs, err
		})
	}
}

func (m *Metrics) duplicate(p bots.Platform) {
	if m != nil {
		m.duplicates.WithLabelValues(string(p)).Inc()
	}
}

func (m *Metrics) recovered(p bots.Platform) {
	if m != nil {
		m.recoveries.WithLabelValues(string(p)).Inc()
	}
}

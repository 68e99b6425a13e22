package outbox

import (
	"context"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tebingtinggi/hub/bots"
)

// metrics are the dispatcher's Prometheus series; a nil *metrics records
// nothing.
type metrics struct {
	sentTotal    *prometheus.CounterVec
	failedTotal  *prometheus.CounterVec
	retriesTotal *prometheus.CounterVec
	skippedTotal *prometheus.CounterVec
	// releasedTotal counts claims handed back because their dispatcher
	// died or stopped (see releaseSQL).
	releasedTotal *prometheus.CounterVec
}

// RegisterMetrics registers the dispatcher's metrics on reg (never the
// global default registry) and starts counting. Call it once, before Run.
//
//   - outbox_sent_total{platform}: messages delivered;
//   - outbox_failed_total{platform}: messages given up;
//   - outbox_retries_total{platform}: attempts rescheduled (rate limits and
//     temporary failures);
//   - outbox_skipped_total{platform}: messages expired before delivery;
//   - outbox_released_total{platform}: claims handed back to be sent again
//     because their dispatcher died (a crash shows here);
//   - outbox_pending: undelivered rows (pending or sending), read from the
//     database at each scrape;
//   - outbox_messages{status}: undelivered and given-up rows (pending,
//     sending, failed, skipped), read at each scrape from their indexes;
//     delivered ones are counted by outbox_sent_total.
func (d *Dispatcher) RegisterMetrics(reg prometheus.Registerer) error {
	if d.DB == nil {
		return fmt.Errorf("outbox: unable to register metrics: dispatcher has no database")
	}
	m := &metrics{
		sentTotal: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "outbox_sent_total", Help: "Outbox messages delivered, by platform.",
		}, []string{"platform"}),
		failedTotal: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "outbox_failed_total", Help: "Outbox messages given up, by platform.",
		}, []string{"platform"}),
		retriesTotal: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "outbox_retries_total", Help: "Outbox send attempts rescheduled after a rate limit or temporary failure, by platform.",
		}, []string{"platform"}),
		skippedTotal: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "outbox_skipped_total", Help: "Outbox messages skipped because they expired before delivery, by platform.",
		}, []string{"platform"}),
		releasedTotal: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "outbox_released_total", Help: "Outbox claims handed back because their dispatcher died or stopped, by platform.",
		}, []string{"platform"}),
	}
	for _, c := range []prometheus.Collector{m.sentTotal, m.failedTotal, m.retriesTotal, m.skippedTotal, m.releasedTotal, &statsCollector{d: d}} {
		if err := reg.Register(c); err != nil {
			return fmt.Errorf("outbox: unable to register metrics: %w", err)
		}
	}
	d.metrics = m
	return nil
}

func (m *metrics) sent(p bots.Platform) {
	if m != nil {
		m.sentTotal.WithLabelValues(string(p)).Inc()
	}
}

func (m *metrics) failed(p bots.Platform) {
	if m != nil {
		m.failedTotal.WithLabelValues(string(p)).Inc()
	}
}

func (m *metrics) retried(p bots.Platform) {
	if m != nil {
		m.retriesTotal.WithLabelValues(string(p)).Inc()
	}
}

func (m *metrics) released(p bots.Platform) {
	if m != nil {
		m.releasedTotal.WithLabelValues(string(p)).Inc()
	}
}

func (m *metrics) skipped(p bots.Platform) {
	if m != nil {
		m.skippedTotal.WithLabelValues(string(p)).Inc()
	}
}

var (
	pendingDesc  = prometheus.NewDesc("outbox_pending", "Outbox messages not yet delivered (pending or sending).", nil, nil)
	messagesDesc = prometheus.NewDesc("outbox_messages", "Outbox rows not delivered (pending, sending) or given up (failed, skipped), by status.", []string{"status"}, nil)
)

// statsCollector reads the outbox's counts by status at each scrape.
type statsCollector struct{ d *Dispatcher }

func (c *statsCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- pendingDesc
	ch <- messagesDesc
}

func (c *statsCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	counts, err := scrapeStats(ctx, c.d.DB)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(pendingDesc, err)
		return
	}
	ch <- prometheus.MustNewConstMetric(pendingDesc, prometheus.GaugeValue, float64(counts[string(Pending)]+counts[string(Sending)]))
	for _, st := range scrapeStatuses {
		ch <- prometheus.MustNewConstMetric(messagesDesc, prometheus.GaugeValue, float64(counts[string(st)]), string(st))
	}
}

package inbox

import (
	"context"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

var (
	ticketsOpenedDesc   = prometheus.NewDesc("hub_tickets_opened_total", "Help-desk tickets opened.", nil, nil)
	ticketsAnsweredDesc = prometheus.NewDesc("hub_tickets_answered_total", "Help-desk tickets an officer answered at least once.", nil, nil)
	ticketsClosedDesc   = prometheus.NewDesc("hub_tickets_closed_total", "Help-desk tickets closed.", nil, nil)
	ticketsDesc         = prometheus.NewDesc("hub_tickets", "Help-desk tickets by current status (open, answered, closed).", []string{"status"}, nil)
)

// RegisterMetrics registers the help desk's series on reg. They are read
// from the tickets at each scrape rather than counted in this process, so
// that they include what other processes did: officers answer and close
// tickets with `hub inbox` or from another replica.
//
//   - hub_tickets_opened_total: tickets opened;
//   - hub_tickets_answered_total: tickets answered at least once;
//   - hub_tickets_closed_total: tickets closed;
//   - hub_tickets{status}: tickets by their current status.
//
// Tickets are never deleted (erasure and retention blank their texts), so
// the totals only grow.
func (s *Store) RegisterMetrics(reg prometheus.Registerer) error {
	if err := reg.Register(ticketCollector{s}); err != nil {
		return fmt.Errorf("inbox: unable to register metrics: %w", err)
	}
	return nil
}

type ticketCollector struct{ s *Store }

func (c ticketCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{ticketsOpenedDesc, ticketsAnsweredDesc, ticketsClosedDesc, ticketsDesc} {
		ch <- d
	}
}

func (c ticketCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var n struct {
		Opened, Answered, Closed int64
		Now                      [3]int64 // open, answered, closed
	}
	err := c.s.db.QueryRowContext(ctx, `SELECT COUNT(*), COUNT(answered_at), COUNT(closed_at),
		COUNT(CASE WHEN status = 'open' THEN 1 END), COUNT(CASE WHEN status = 'answered' THEN 1 END),
		COUNT(CASE WHEN status = 'closed' THEN 1 END)
		FROM tickets`).Scan(&n.Opened, &n.Answered, &n.Closed, &n.Now[0], &n.Now[1], &n.Now[2])
	if err != nil {
		ch <- prometheus.NewInvalidMetric(ticketsOpenedDesc, fmt.Errorf("inbox: unable to count tickets: %w", err))
		return
	}
	ch <- prometheus.MustNewConstMetric(ticketsOpenedDesc, prometheus.CounterValue, float64(n.Opened))
	ch <- prometheus.MustNewConstMetric(ticketsAnsweredDesc, prometheus.CounterValue, float64(n.Answered))
	ch <- prometheus.MustNewConstMetric(ticketsClosedDesc, prometheus.CounterValue, float64(n.Closed))
	for i, st := range []TicketStatus{Open, Answered, Closed} {
		ch <- prometheus.MustNewConstMetric(ticketsDesc, prometheus.GaugeValue, float64(n.Now[i]), string(st))
	}
}

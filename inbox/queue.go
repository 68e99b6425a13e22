package inbox

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Queue is one of the desk's views of the tickets.
type Queue string

// The desk's queues.
const (
	// QueueOpen: every ticket not closed yet, most urgent first.
	QueueOpen Queue = "open"
	// QueueMine: the tickets not closed yet that the officer claimed or
	// answered.
	QueueMine Queue = "mine"
	// QueueOverdue: open tickets past their due time without a first
	// reply (see Ticket.Overdue).
	QueueOverdue Queue = "overdue"
	// QueueClosed: closed tickets, most recently closed first.
	QueueClosed Queue = "closed"
)

// Queues lists the queues in the order a desk shows them.
var Queues = []Queue{QueueOpen, QueueMine, QueueOverdue, QueueClosed}

// QueueFilter selects one page of a queue.
type QueueFilter struct {
	Queue Queue
	// Officer is whose tickets QueueMine lists.
	Officer string
	// Now decides what is overdue.
	Now    time.Time
	Limit  int
	Offset int
}

// QueuePage is one page of a queue, with how many tickets each queue
// holds (for tabs).
type QueuePage struct {
	Tickets []ListedTicket
	Counts  map[Queue]int
}

// ListQueue returns one page of a desk queue and the size of every queue.
func (s *Store) ListQueue(ctx context.Context, f QueueFilter) (QueuePage, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	limit = min(limit, MaxLimit)
	now := utc(f.Now)
	conds := map[Queue]struct {
		where string
		args  []any
		order string
	}{
		QueueOpen: {`t.status <> 'closed'`, nil, `t.due_at, t.id`},
		// IN, not a correlated EXISTS: the officer's claims are read once,
		// not once for each of thousands of open tickets.
		QueueMine: {`t.status <> 'closed' AND (t.answered_by = ? OR t.id IN (SELECT k.ticket_id FROM ticket_claims k WHERE k.officer = ?))`,
			[]any{f.Officer, f.Officer}, `t.due_at, t.id`},
		QueueOverdue: {`t.status = 'open' AND t.first_response_at IS NULL AND t.due_at < ?`, []any{now}, `t.due_at, t.id`},
		QueueClosed:  {`t.status = 'closed'`, nil, `t.closed_at DESC, t.id DESC`},
	}
	c, ok := conds[f.Queue]
	if !ok {
		return QueuePage{}, fmt.Errorf("inbox: unable to list tickets: unknown queue %q", f.Queue)
	}
	// Every queue's size in one statement, each counted from its index.
	var counts []string
	var countArgs []any
	for _, q := range Queues {
		counts = append(counts, `(SELECT COUNT(*) FROM tickets t WHERE `+conds[q].where+`)`)
		countArgs = append(countArgs, conds[q].args...)
	}
	n := make([]int, len(Queues))
	dest := make([]any, len(n))
	for i := range n {
		dest[i] = &n[i]
	}
	if err := s.db.QueryRowxContext(ctx, s.db.Rebind(`SELECT `+strings.Join(counts, `, `)), countArgs...).Scan(dest...); err != nil {
		return QueuePage{}, fmt.Errorf("inbox: unable to count tickets: %w", err)
	}
	page := QueuePage{Counts: map[Queue]int{}}
	for i, q := range Queues {
		page.Counts[q] = n[i]
	}
	var rows []listedRow
	args := append(append([]any{}, c.args...), limit, max(f.Offset, 0))
	if err := s.db.SelectContext(ctx, &rows, s.db.Rebind(listedSelect+` WHERE `+c.where+` ORDER BY `+c.order+` LIMIT ? OFFSET ?`), args...); err != nil {
		return QueuePage{}, fmt.Errorf("inbox: unable to list tickets: %w", err)
	}
	page.Tickets = make([]ListedTicket, 0, len(rows))
	for _, r := range rows {
		page.Tickets = append(page.Tickets, r.listed())
	}
	return page, nil
}

package outbox

import (
	"context"
	"fmt"
)

// FailedUnfollowed lists the failed rows whose idempotency key matches the
// SQL LIKE pattern like and that no row keyed <key><suffix> follows up
// yet, oldest first, at most limit; rows keyed …<suffix> are follow-ups
// themselves and never listed. A sender that wants to tell someone about
// its given-up messages (the Slack desk, about a citizen's file it could
// not show) enqueues the follow-up under that key, which ends the row's
// listing.
func (s *Store) FailedUnfollowed(ctx context.Context, like, suffix string, limit int) ([]Record, error) {
	var rows []record
	// 'failed' is written into the query so that the planners use the
	// partial index on failed rows.
	err := s.db.SelectContext(ctx, &rows, s.db.Rebind(`SELECT `+recordColumns+` FROM outbox o
		WHERE o.status = 'failed' AND o.idempotency_key LIKE ? AND o.idempotency_key NOT LIKE ?
		AND NOT EXISTS (SELECT 1 FROM outbox f WHERE f.idempotency_key = o.idempotency_key || ?)
		ORDER BY o.id LIMIT ?`), like, "%"+suffix, suffix, limit)
	if err != nil {
		return nil, fmt.Errorf("outbox: unable to list failed messages: %w", err)
	}
	return toRecords(rows)
}

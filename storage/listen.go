package storage

import (
	"context"
	"time"

	"github.com/lib/pq"
)

// Listen subscribes to a Postgres NOTIFY channel and signals on the
// returned channel after each notification, and after every reconnect
// (when notifications may have been missed). On SQLite, which has no
// notifications, it returns nil: callers poll instead. The subscription
// ends with ctx.
func (db *DB) Listen(ctx context.Context, channel string) (<-chan struct{}, error) {
	if db.Dialect != Postgres {
		return nil, nil
	}
	l := pq.NewListener(db.dsn, 100*time.Millisecond, 10*time.Second, nil)
	if err := l.Listen(channel); err != nil {
		l.Close()
		return nil, err
	}
	out := make(chan struct{}, 1)
	go func() {
		defer l.Close()
		for {
			select {
			case <-ctx.Done():
				return
			case <-l.Notify:
				// A nil notification means the connection was re-established;
				// signal anyway so the caller re-reads what it watches.
				select {
				case out <- struct{}{}:
				default:
				}
			}
		}
	}()
	return out, nil
}

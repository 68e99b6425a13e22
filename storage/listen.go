package storage

import (
	"context"
	"log/slog"
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

// Watch calls refresh after each notification on channel and at every
// poll, until ctx ends: the way a process keeps an in-memory copy of
// shared state (named what, for the log) current. poll <= 0 means every
// 2s, or 30s (a safety net) when notifications arrive; a failure to
// listen is logged and leaves polling. Of a run of failed refreshes only
// the first is logged, and the recovery.
func (db *DB) Watch(ctx context.Context, channel string, poll time.Duration, log *slog.Logger, what string, refresh func(context.Context) error) {
	notify, err := db.Listen(ctx, channel)
	if err != nil {
		log.Warn("storage: cannot listen for changes; polling only", "channel", channel, "err", err)
	}
	if poll <= 0 {
		poll = 2 * time.Second
		if notify != nil {
			poll = 30 * time.Second
		}
	}
	t := time.NewTicker(poll)
	defer t.Stop()
	failing := false
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-notify:
		}
		err := refresh(ctx)
		switch {
		case err != nil && ctx.Err() == nil && !failing:
			failing = true
			log.Error("storage: cannot refresh "+what, "err", err)
		case err == nil && failing:
			failing = false
			log.Info("storage: refreshing " + what + " recovered")
		}
	}
}

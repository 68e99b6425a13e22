package storage

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"time"

	"github.com/lib/pq"
)

// HoldLock makes this process the one of several replicas on a Postgres
// database that holds the session advisory lock key, waiting as long as
// another session holds it. The lock lives on a connection of its own,
// outside the pool, so that it goes with the session: a replica that dies
// or loses its connection frees it at once for the next one waiting.
//
// The returned held context ends when ctx ends, when release is called, or
// when the lock's connection fails a check (one every check), after which
// this process must act as if it no longer held the lock: another replica
// may hold it already. release ends held and closes the connection,
// freeing the lock; it must be called once held is no longer needed, and
// may be called more than once. waiting, if not nil, is called when the
// lock is taken and HoldLock starts to wait for it.
//
// On SQLite, whose database belongs to one process, the lock is held at
// once.
func (db *DB) HoldLock(ctx context.Context, key int64, check time.Duration, waiting func()) (held context.Context, release func(), err error) {
	if db.Dialect != Postgres {
		held, cancel := context.WithCancel(ctx)
		return held, cancel, nil
	}
	connector, err := pq.NewConnector(db.dsn)
	if err != nil {
		return nil, nil, fmt.Errorf("storage: unable to connect for lock %d: %w", key, err)
	}
	own := sql.OpenDB(connector)
	own.SetMaxOpenConns(1)
	conn, err := own.Conn(ctx)
	if err != nil {
		own.Close()
		return nil, nil, fmt.Errorf("storage: unable to connect for lock %d: %w", key, err)
	}
	// Closing the connection ends the session and with it the lock, also
	// when it was taken by a query that ctx cut short.
	closeConn := func() {
		_ = conn.Close()
		_ = own.Close()
	}
	var got bool
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1)`, key).Scan(&got); err != nil {
		closeConn()
		return nil, nil, fmt.Errorf("storage: unable to take lock %d: %w", key, err)
	}
	if !got {
		if waiting != nil {
			waiting()
		}
		// The wait may last for days: a statement_timeout set for the
		// database or its role must not end it.
		if _, err := conn.ExecContext(ctx, `SET statement_timeout = 0`); err != nil {
			closeConn()
			return nil, nil, fmt.Errorf("storage: unable to wait for lock %d: %w", key, err)
		}
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, key); err != nil {
			closeConn()
			return nil, nil, fmt.Errorf("storage: unable to wait for lock %d: %w", key, err)
		}
	}
	held, cancel := context.WithCancel(ctx)
	var checks sync.WaitGroup
	checks.Go(func() {
		t := time.NewTicker(check)
		defer t.Stop()
		for {
			select {
			case <-held.Done():
				return
			case <-t.C:
			}
			if err := conn.PingContext(held); err != nil {
				cancel() // the session, and with it the lock, is gone
				return
			}
		}
	})
	return held, sync.OnceFunc(func() {
		cancel()
		checks.Wait()
		// Unlock before closing: the server ends a closed session a
		// moment after the client has let go of it, and the lock would
		// outlive release by that moment. A connection that failed its
		// check answers at once, with an error.
		unlock, stop := context.WithTimeout(context.Background(), time.Second)
		_, _ = conn.ExecContext(unlock, `SELECT pg_advisory_unlock($1)`, key)
		stop()
		closeConn()
	}), nil
}

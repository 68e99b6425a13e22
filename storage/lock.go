package storage

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
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
// when the lock's connection fails a check (one every check, each to be
// answered within check, and never less than a second), after which this
// process must act as if it no longer held the lock: another replica may
// hold it already. So a holder whose session is gone learns it within two
// checks, also when its connection neither answers nor resets. release
// ends held, unlocks and closes the connection, freeing the lock; it waits
// for a connection that does not answer no longer than two checks take.
// It must be called once held is no longer needed, and may be called more
// than once. waiting, if not nil, is
// called when the lock is taken and HoldLock starts to wait for it. The
// connection has TCP keepalive (probes every check), so that a server that
// vanishes while this process waits for the lock ends the wait with an
// error.
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
	sockets := &lockSockets{dialer: net.Dialer{KeepAliveConfig: net.KeepAliveConfig{
		Enable: true, Idle: check, Interval: check, Count: 3,
	}}}
	connector.Dialer(sockets)
	own := sql.OpenDB(connector)
	own.SetMaxOpenConns(1)
	// A query's context only asks the server to cancel the query, which a
	// stalled connection never delivers: while the lock is sought, the end
	// of ctx closes the sockets themselves.
	stopWatch := context.AfterFunc(ctx, sockets.close)
	defer stopWatch()
	// Closing the connection ends the session and with it the lock, also
	// when it was taken by a query that ctx cut short.
	closeConn := func(conn *sql.Conn) {
		if conn != nil {
			_ = conn.Close()
		}
		_ = own.Close()
		sockets.close()
	}
	conn, err := own.Conn(ctx)
	if err != nil {
		closeConn(nil)
		return nil, nil, fmt.Errorf("storage: unable to connect for lock %d: %w", key, err)
	}
	var got bool
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1)`, key).Scan(&got); err != nil {
		closeConn(conn)
		return nil, nil, fmt.Errorf("storage: unable to take lock %d: %w", key, err)
	}
	if !got {
		if waiting != nil {
			waiting()
		}
		// The wait may last for days: a statement_timeout set for the
		// database or its role must not end it.
		if _, err := conn.ExecContext(ctx, `SET statement_timeout = 0`); err != nil {
			closeConn(conn)
			return nil, nil, fmt.Errorf("storage: unable to wait for lock %d: %w", key, err)
		}
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, key); err != nil {
			closeConn(conn)
			return nil, nil, fmt.Errorf("storage: unable to wait for lock %d: %w", key, err)
		}
	}
	if !stopWatch() {
		// ctx ended just as the lock was taken, and its sockets are closed.
		closeConn(conn)
		return nil, nil, fmt.Errorf("storage: unable to take lock %d: %w", key, context.Cause(ctx))
	}
	// A check slower than this is taken as a lost session; below a second
	// a busy moment would pass for one.
	answerWithin := max(check, time.Second)
	held, cancel := context.WithCancel(ctx)
	var lost atomic.Bool
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
			// The sockets' deadline bounds the check, not held: a check
			// under way when release is called ends in its own time, and
			// leaves the connection fit to unlock.
			sockets.setDeadline(time.Now().Add(answerWithin))
			if err := conn.PingContext(context.WithoutCancel(held)); err != nil {
				lost.Store(true)
				cancel() // the session, and with it the lock, is gone or out of reach
				return
			}
			sockets.setDeadline(time.Time{})
		}
	})
	return held, sync.OnceFunc(func() {
		cancel()
		sockets.setDeadline(time.Now().Add(answerWithin))
		checks.Wait()
		if !lost.Load() {
			// Unlocking, rather than only closing, frees the lock before
			// release returns: the server ends a closed session in its own
			// time. Bounded by the sockets' deadline.
			sockets.setDeadline(time.Now().Add(answerWithin))
			_, _ = conn.ExecContext(context.WithoutCancel(held), `SELECT pg_advisory_unlock($1)`, key)
		}
		closeConn(conn)
	}), nil
}

// lockSockets dials the network connections of a lock's session (the
// session's own, and any that asks the server to cancel a query on it)
// and keeps them, so that a session that stopped answering can be ended
// without its answer.
type lockSockets struct {
	dialer net.Dialer
	mu     sync.Mutex
	conns  []net.Conn
	closed bool
}

func (s *lockSockets) Dial(network, address string) (net.Conn, error) {
	return s.DialContext(context.Background(), network, address)
}

func (s *lockSockets) DialTimeout(network, address string, timeout time.Duration) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return s.DialContext(ctx, network, address)
}

func (s *lockSockets) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	c, err := s.dialer.DialContext(ctx, network, address)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		c.Close()
		return nil, net.ErrClosed
	}
	s.conns = append(s.conns, c)
	return c, nil
}

// setDeadline sets the read and write deadline of every connection: a
// read or write still waiting then fails.
func (s *lockSockets) setDeadline(t time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.conns {
		_ = c.SetDeadline(t)
	}
}

// close closes every connection and refuses new ones.
func (s *lockSockets) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	for _, c := range s.conns {
		_ = c.Close()
	}
	s.conns = nil
}

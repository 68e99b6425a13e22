package storage

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strconv"
	"sync/atomic"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// OpenRollback opens a PostgreSQL database for a rehearsal: one
// connection inside a transaction that done rolls back, so nothing its
// users write reaches the database. The transactions they begin (InTx,
// Begin) become savepoints of that one, the only place the hub uses
// savepoints.
func OpenRollback(ctx context.Context, rawURL string) (*DB, func(), error) {
	connector, err := pq.NewConnector(rawURL)
	if err != nil {
		return nil, nil, fmt.Errorf("storage: invalid Postgres URL %q: %w", Redact(rawURL), err)
	}
	raw, err := connector.Connect(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("storage: unable to reach Postgres at %s: %w", Redact(rawURL), err)
	}
	inner, ok := raw.(rollbackInner)
	if !ok {
		raw.Close()
		return nil, nil, errors.New("storage: the Postgres driver lacks the context interfaces")
	}
	outer, err := inner.BeginTx(ctx, driver.TxOptions{})
	if err != nil {
		raw.Close()
		return nil, nil, fmt.Errorf("storage: unable to begin the rehearsal transaction: %w", err)
	}
	// The rehearsal must not hold up the running hub: give up rather than
	// wait long for its locks.
	if _, err := inner.ExecContext(ctx, `SET LOCAL lock_timeout = '5s'`, nil); err != nil {
		_ = outer.Rollback()
		raw.Close()
		return nil, nil, err
	}
	rc := &rollbackConn{inner: inner}
	sqldb := sql.OpenDB(&rollbackConnector{conn: rc, drv: connector.Driver()})
	sqldb.SetMaxOpenConns(1)
	sqldb.SetMaxIdleConns(1)
	db := &DB{db: sqlx.NewDb(sqldb, "postgres"), Dialect: Postgres, URL: Redact(rawURL), calls: new(atomic.Uint64)}
	return db, func() {
		_ = sqldb.Close()
		_ = outer.Rollback()
		_ = raw.Close()
	}, nil
}

// rollbackInner is what the rehearsal needs of a driver connection.
type rollbackInner interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
}

// rollbackConnector always hands out the one connection.
type rollbackConnector struct {
	conn *rollbackConn
	drv  driver.Driver
}

func (c *rollbackConnector) Connect(context.Context) (driver.Conn, error) { return c.conn, nil }
func (c *rollbackConnector) Driver() driver.Driver                        { return c.drv }

// rollbackConn forwards to the connection in the outer transaction and
// turns transactions into savepoints. Close is left to openRollback's done.
type rollbackConn struct {
	inner rollbackInner
	depth int
}

func (c *rollbackConn) Prepare(q string) (driver.Stmt, error) { return c.inner.Prepare(q) }
func (c *rollbackConn) PrepareContext(ctx context.Context, q string) (driver.Stmt, error) {
	return c.inner.PrepareContext(ctx, q)
}
func (c *rollbackConn) Close() error { return nil }
func (c *rollbackConn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}
func (c *rollbackConn) BeginTx(ctx context.Context, _ driver.TxOptions) (driver.Tx, error) {
	c.depth++
	name := "hub_rehearsal_" + strconv.Itoa(c.depth)
	if _, err := c.inner.ExecContext(ctx, "SAVEPOINT "+name, nil); err != nil {
		c.depth--
		return nil, err
	}
	return &savepoint{c: c, name: name}, nil
}
func (c *rollbackConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	return c.inner.ExecContext(ctx, q, args)
}
func (c *rollbackConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	return c.inner.QueryContext(ctx, q, args)
}
func (c *rollbackConn) CheckNamedValue(nv *driver.NamedValue) error {
	if ch, ok := c.inner.(driver.NamedValueChecker); ok {
		return ch.CheckNamedValue(nv)
	}
	return driver.ErrSkip
}

// savepoint is a transaction of the rehearsal's users.
type savepoint struct {
	c    *rollbackConn
	name string
}

func (s *savepoint) Commit() error {
	s.c.depth--
	_, err := s.c.inner.ExecContext(context.Background(), "RELEASE SAVEPOINT "+s.name, nil)
	return err
}

func (s *savepoint) Rollback() error {
	s.c.depth--
	_, err := s.c.inner.ExecContext(context.Background(), "ROLLBACK TO SAVEPOINT "+s.name, nil)
	if err == nil {
		_, err = s.c.inner.ExecContext(context.Background(), "RELEASE SAVEPOINT "+s.name, nil)
	}
	return err
}

package storage

import (
	"container/list"
	"context"
	"database/sql/driver"
	"reflect"
	"sync/atomic"
)

// stmtCacheSize bounds the prepared statements kept per connection. The
// hub's repeated queries number a few dozen; statements built with a
// varying number of placeholders (multi-row INSERTs, IN lists) are the
// ones that fall out.
const stmtCacheSize = 128

// cachingConnector keeps a cache of prepared statements on every
// connection it opens. Without it each query is parsed and planned again:
// on SQLite that was a third of the CPU the webhook path spent, and on
// PostgreSQL an unprepared query with parameters costs two round trips
// (parse, then bind and execute) instead of one.
type cachingConnector struct {
	driver.Connector
	// bare: also cache statements without arguments. Worth it on SQLite,
	// where BEGIN and COMMIT would otherwise be parsed on every update; on
	// PostgreSQL such statements take the simple query protocol, one round
	// trip already.
	bare bool
	// pgTimes: the driver is lib/pq (see pgTimeText).
	pgTimes bool
	// calls counts what the connections send (see DB.Calls).
	calls *atomic.Uint64
}

// Connect opens a connection with a statement cache.
func (c cachingConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	full, ok := conn.(fullConn)
	if !ok {
		return conn, nil // a driver without the context interfaces: no cache
	}
	return &cachingConn{fullConn: full, bare: c.bare, pgTimes: c.pgTimes, calls: c.calls, stmts: make(map[string]*list.Element)}, nil
}

// fullConn is what both drivers' connections implement and what
// database/sql looks for; the wrapper must forward all of it.
type fullConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

// cachingConn runs queries with arguments through prepared statements,
// reused by query text. database/sql uses a connection from one goroutine
// at a time, so the cache needs no lock. Unless bare is set, queries
// without arguments (migrations) go to the driver as they are.
type cachingConn struct {
	fullConn
	bare    bool
	pgTimes bool                     // see CheckNamedValue
	stmts   map[string]*list.Element // values are *cachedStmt
	lru     list.List                // most recently used at the front
	calls   *atomic.Uint64
	// txDone is the Done channel of the context of the lib/pq transaction
	// under way, nil outside one (see statementContext).
	txDone <-chan struct{}
}

// BeginTx implements driver.ConnBeginTx, counting the BEGIN and the
// transaction's end.
func (c *cachingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	c.calls.Add(1)
	tx, err := c.fullConn.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	if c.pgTimes {
		c.txDone = ctx.Done()
	}
	return &countedTx{Tx: tx, conn: c}, nil
}

// countedTx counts its COMMIT or ROLLBACK.
type countedTx struct {
	driver.Tx
	conn *cachingConn
}

func (t *countedTx) Commit() error {
	t.conn.calls.Add(1)
	t.conn.txDone = nil
	return t.Tx.Commit()
}

func (t *countedTx) Rollback() error {
	t.conn.calls.Add(1)
	t.conn.txDone = nil
	return t.Tx.Rollback()
}

// statementContext is the context to hand the driver for a statement run
// with ctx. lib/pq watches the context of a transaction from BEGIN to its
// end, and cancels the statement under way when it ends; it also starts a
// goroutine to watch each statement's context, which inside a transaction
// begun with the same context watches nothing more and costs a goroutine
// and two switches per statement, most of the statements of a chat
// update. Such a statement gets ctx without its cancellation; the
// transaction's watch still cancels it.
func (c *cachingConn) statementContext(ctx context.Context) context.Context {
	if c.txDone != nil && ctx.Done() == c.txDone {
		return context.WithoutCancel(ctx)
	}
	return ctx
}

type cachedStmt struct {
	query string
	stmt  driver.Stmt
	// busy: rows read from the statement are still open, so it cannot run
	// again until they are closed.
	busy bool
	// cached: in the cache; a statement evicted or never cached is closed
	// once it is no longer busy.
	cached bool
}

var (
	_ fullConn                 = (*cachingConn)(nil)
	_ driver.NamedValueChecker = (*cachingConn)(nil)
)

// Unwrap returns the driver's connection (modernc.org/sqlite looks for it).
func (c *cachingConn) Unwrap() driver.Conn { return c.fullConn }

// CheckNamedValue lets the driver convert arguments as it would without
// the wrapper, except UTC times on PostgreSQL (see pgTimeText).
func (c *cachingConn) CheckNamedValue(nv *driver.NamedValue) error {
	if c.pgTimes && pgTimeText(nv) {
		return nil
	}
	if nvc, ok := c.fullConn.(driver.NamedValueChecker); ok {
		return nvc.CheckNamedValue(nv)
	}
	return driver.ErrSkip
}

// acquire returns a statement for query, from the cache when it is there
// and free, and marks it busy.
func (c *cachingConn) acquire(ctx context.Context, query string) (*cachedStmt, error) {
	if e, ok := c.stmts[query]; ok {
		cs := e.Value.(*cachedStmt)
		if !cs.busy {
			c.lru.MoveToFront(e)
			cs.busy = true
			return cs, nil
		}
	}
	c.calls.Add(1)
	st, err := c.fullConn.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if _, ok := st.(driver.StmtExecContext); !ok {
		st.Close()
		return nil, driver.ErrSkip
	}
	if _, ok := st.(driver.StmtQueryContext); !ok {
		st.Close()
		return nil, driver.ErrSkip
	}
	cs := &cachedStmt{query: query, stmt: st, busy: true}
	if _, taken := c.stmts[query]; !taken {
		// A statement busy under the same text stays the cached one; this
		// one is used once.
		cs.cached = true
		c.stmts[query] = c.lru.PushFront(cs)
		if c.lru.Len() > stmtCacheSize {
			c.evict(c.lru.Back())
		}
	}
	return cs, nil
}

func (c *cachingConn) evict(e *list.Element) {
	cs := e.Value.(*cachedStmt)
	c.lru.Remove(e)
	delete(c.stmts, cs.query)
	cs.cached = false
	if !cs.busy {
		cs.stmt.Close()
	}
}

func (c *cachingConn) release(cs *cachedStmt) {
	cs.busy = false
	if !cs.cached {
		cs.stmt.Close()
	}
}

// ExecContext implements driver.ExecerContext.
func (c *cachingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	c.calls.Add(1)
	ctx = c.statementContext(ctx)
	if len(args) == 0 && !c.bare {
		return c.fullConn.ExecContext(ctx, query, args)
	}
	cs, err := c.acquire(ctx, query)
	if err != nil {
		return nil, err
	}
	defer c.release(cs)
	return cs.stmt.(driver.StmtExecContext).ExecContext(ctx, args)
}

// QueryContext implements driver.QueryerContext.
func (c *cachingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	c.calls.Add(1)
	ctx = c.statementContext(ctx)
	if len(args) == 0 && !c.bare {
		return c.fullConn.QueryContext(ctx, query, args)
	}
	cs, err := c.acquire(ctx, query)
	if err != nil {
		return nil, err
	}
	rows, err := cs.stmt.(driver.StmtQueryContext).QueryContext(ctx, args)
	if err != nil {
		c.release(cs)
		return nil, err
	}
	return &cachedRows{Rows: rows, release: func() { c.release(cs) }}, nil
}

// Close closes the cached statements, then the connection.
func (c *cachingConn) Close() error {
	for e := c.lru.Front(); e != nil; e = e.Next() {
		e.Value.(*cachedStmt).stmt.Close()
	}
	c.lru.Init()
	clear(c.stmts)
	return c.fullConn.Close()
}

// cachedRows frees its statement for the next query when closed, and
// forwards the column details database/sql asks for.
type cachedRows struct {
	driver.Rows
	release func()
}

func (r *cachedRows) Close() error {
	err := r.Rows.Close()
	if r.release != nil {
		r.release()
		r.release = nil
	}
	return err
}

func (r *cachedRows) ColumnTypeScanType(i int) reflect.Type {
	if t, ok := r.Rows.(driver.RowsColumnTypeScanType); ok {
		return t.ColumnTypeScanType(i)
	}
	return reflect.TypeFor[any]()
}

func (r *cachedRows) ColumnTypeDatabaseTypeName(i int) string {
	if t, ok := r.Rows.(driver.RowsColumnTypeDatabaseTypeName); ok {
		return t.ColumnTypeDatabaseTypeName(i)
	}
	return ""
}

func (r *cachedRows) ColumnTypeLength(i int) (int64, bool) {
	if t, ok := r.Rows.(driver.RowsColumnTypeLength); ok {
		return t.ColumnTypeLength(i)
	}
	return 0, false
}

func (r *cachedRows) ColumnTypeNullable(i int) (nullable, ok bool) {
	if t, ok := r.Rows.(driver.RowsColumnTypeNullable); ok {
		return t.ColumnTypeNullable(i)
	}
	return false, false
}

func (r *cachedRows) ColumnTypePrecisionScale(i int) (precision, scale int64, ok bool) {
	if t, ok := r.Rows.(driver.RowsColumnTypePrecisionScale); ok {
		return t.ColumnTypePrecisionScale(i)
	}
	return 0, 0, false
}

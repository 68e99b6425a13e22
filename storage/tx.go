package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"github.com/jmoiron/sqlx"
)

// A unit of work is a transaction carried by a context: InTxContext starts
// one and hands fn a context that carries it, and every query made through
// the DB with that context, or one derived from it, joins the transaction.
// That lets the handler layer run a whole chat update, including what the
// stores of other packages write (they take only a ctx and a *DB), as one
// transaction: one commit instead of one per store call, and nothing half
// done after a failure or a crash.
//
// The query methods below shadow sqlx.DB's so that the stores need no
// change. InTx inside a unit of work becomes a savepoint, so that a store
// that handles the failure of its own transaction (and retries, say) keeps
// working: on PostgreSQL a failed statement would otherwise abort the
// whole transaction.

type unitKey struct{}

// unit is the transaction of a unit of work.
type unit struct {
	db *sql.DB // the database it belongs to
	tx *sqlx.Tx
	// lazy is the DB a lazy unit (InLazyTxContext) begins its transaction
	// on, at its first statement, with the unit's context, lazyCtx (not the
	// statement's: the transaction ends with the context it began with);
	// tx is nil until then.
	lazy    *DB
	lazyCtx context.Context
	// ended: the unit's last statement (Final) ran on its own, outside a
	// transaction; it may make no other.
	ended bool
	depth int // savepoints open
	// deferred are writes waiting to go with a later statement (Defer).
	deferred []Statement
	// flushErr is a deferred write's failure met where it could not be
	// returned (a QueryRow); the unit of work fails with it.
	flushErr error
}

// Statement is a write with "?" placeholders, and its arguments.
type Statement struct {
	SQL  string
	Args []any
}

// Defer queues stmt, a write (INSERT, UPDATE or DELETE, without
// RETURNING) whose result nobody reads, on the unit of work ctx carries, to travel with a later
// statement of the unit instead of making a round trip of its own: a
// caller that writes last may take the deferred writes (TakeDeferred) and
// send them as part of its statement. Every query made through db in the
// unit, a savepoint and the commit first run what is still deferred, so
// what the unit reads through db afterwards includes them (reads through
// the raw *sqlx.Tx do not flush them). A write deferred inside a
// savepoint is dropped if the savepoint rolls back. Writes sent together
// by a taker run on one snapshot, in no set order: deferred writes must
// not read or touch each other's rows. Outside a unit of work, and on
// SQLite (which has no round trip to save), stmt runs at once.
func (db *DB) Defer(ctx context.Context, stmt Statement) error {
	u := db.unitOf(ctx)
	if u == nil || db.Dialect != Postgres {
		_, err := db.ExecContext(ctx, db.Rebind(stmt.SQL), stmt.Args...)
		return err
	}
	if u.ended {
		return errEnded
	}
	u.deferred = append(u.deferred, stmt)
	return nil
}

// InUnit reports whether ctx carries a unit of work on db.
func (db *DB) InUnit(ctx context.Context) bool { return db.unitOf(ctx) != nil }

// AtUnitTop reports whether ctx carries a unit of work on db and no
// savepoint of it is open: a write deferred now is dropped only if the
// whole unit rolls back.
func (db *DB) AtUnitTop(ctx context.Context) bool {
	u := db.unitOf(ctx)
	return u != nil && u.depth == 0
}

// TakeDeferred removes the writes deferred on the unit of work ctx
// carries and returns them; the caller must run them, before the unit
// commits.
func (db *DB) TakeDeferred(ctx context.Context) []Statement {
	u := db.unitOf(ctx)
	if u == nil {
		return nil
	}
	d := u.deferred
	u.deferred = nil
	return d
}

// flush runs the deferred writes.
func (u *unit) flush(ctx context.Context) error {
	for len(u.deferred) > 0 {
		st := u.deferred[0]
		u.deferred = u.deferred[1:]
		if _, err := u.tx.ExecContext(ctx, u.tx.Rebind(st.SQL), st.Args...); err != nil {
			u.deferred = nil
			return fmt.Errorf("storage: deferred write failed: %w", err)
		}
	}
	return nil
}

// errEnded: a statement or deferred write after a unit's last statement.
var errEnded = errors.New("storage: the unit of work made its last statement already")

// ready begins a lazy unit's transaction if it has not begun. Its failure
// fails the unit, so that no later statement of the unit can commit
// without the one that could not run.
func (u *unit) ready() error {
	switch {
	case u.ended:
		return errEnded
	case u.tx != nil:
		return nil
	}
	tx, err := u.lazy.BeginTxx(u.lazyCtx, nil)
	if err != nil {
		err = fmt.Errorf("storage: unable to begin transaction: %w", err)
		if u.flushErr == nil {
			u.flushErr = err
		}
		return err
	}
	u.tx = tx
	return nil
}

// in returns the unit of work ctx carries on db, its transaction begun and
// its deferred writes run, or nil.
func (db *DB) in(ctx context.Context) (*unit, error) {
	u := db.unitOf(ctx)
	if u == nil {
		return nil, nil
	}
	if err := u.ready(); err != nil {
		if u.flushErr == nil {
			u.flushErr = err
		}
		return u, err
	}
	if len(u.deferred) == 0 {
		return u, nil
	}
	return u, u.flush(ctx)
}

// inRow is in for the QueryRow methods, which cannot return an error
// before the query: a failed deferred write fails the unit of work (and
// the query, in the aborted transaction). So does a transaction that could
// not begin; the query then runs nowhere (on a cancelled context) and
// fails too.
func (db *DB) inRow(ctx context.Context) (*unit, context.Context) {
	u, err := db.in(ctx)
	if err != nil && u.flushErr == nil {
		u.flushErr = err
	}
	if u != nil && u.tx == nil {
		failed, cancel := context.WithCancelCause(ctx)
		cancel(u.flushErr)
		return nil, failed
	}
	return u, ctx
}

type finalKey struct{}

// Final marks the statement made with the returned context as the last
// one of the unit of work ctx carries. In a lazy unit (InLazyTxContext)
// whose transaction has not begun and that has nothing deferred, it then
// runs on its own, outside a transaction (a single statement is atomic by
// itself), which saves the BEGIN and COMMIT round trips; the unit can make
// no other statement or deferred write. Elsewhere the mark changes
// nothing.
func Final(ctx context.Context) context.Context { return context.WithValue(ctx, finalKey{}, true) }

// alone reports whether a statement made with ctx runs on its own (see
// Final), and if so ends its unit.
func (db *DB) alone(ctx context.Context) bool {
	u := db.unitOf(ctx)
	if u == nil || u.tx != nil || u.ended || u.lazy == nil || len(u.deferred) > 0 || u.flushErr != nil || ctx.Value(finalKey{}) == nil {
		return false
	}
	u.ended = true
	return true
}

// unitOf returns the unit of work ctx carries on db, or nil.
func (db *DB) unitOf(ctx context.Context) *unit {
	u, _ := ctx.Value(unitKey{}).(*unit)
	if u == nil || db.DB == nil || u.db != db.DB.DB {
		return nil
	}
	return u
}

// InTxContext runs fn inside a transaction like InTx and gives it a
// context that carries the transaction: queries made through db with that
// context join it (see above). Inside another unit of work it becomes a
// savepoint of that one.
func (db *DB) InTxContext(ctx context.Context, fn func(ctx context.Context, tx *sqlx.Tx) error) error {
	if u := db.unitOf(ctx); u != nil {
		return u.savepoint(ctx, func(tx *sqlx.Tx) error { return fn(ctx, tx) })
	}
	return db.begin(ctx, func(tx *sqlx.Tx) error {
		u := &unit{db: db.DB.DB, tx: tx}
		err := fn(context.WithValue(ctx, unitKey{}, u), tx)
		if u.flushErr != nil {
			return u.flushErr
		}
		if err != nil {
			return err
		}
		return u.flush(ctx)
	})
}

// InLazyTxContext is InTxContext for a unit of work that often makes only
// one statement, or none: on PostgreSQL its transaction begins with its
// first statement made through db (not with its deferred writes), and a
// last statement marked Final that comes first runs on its own, without
// a transaction at all. Queries made directly on the pool (db.DB) are not
// part of the unit. On SQLite, and inside another unit of work, it is
// InTxContext.
func (db *DB) InLazyTxContext(ctx context.Context, fn func(ctx context.Context) error) (err error) {
	if db.Dialect != Postgres || db.unitOf(ctx) != nil {
		return db.InTxContext(ctx, func(ctx context.Context, _ *sqlx.Tx) error { return fn(ctx) })
	}
	u := &unit{db: db.DB.DB, lazy: db, lazyCtx: ctx}
	defer func() {
		if u.tx == nil {
			return
		}
		if p := recover(); p != nil {
			_ = u.tx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = u.tx.Rollback()
		}
	}()
	if err = fn(context.WithValue(ctx, unitKey{}, u)); err == nil {
		err = u.flushErr
	}
	if err != nil {
		return err
	}
	if u.tx == nil && len(u.deferred) == 0 {
		return nil // nothing to do, or done by the last statement alone
	}
	if err = u.ready(); err != nil {
		return err
	}
	if err = u.flush(ctx); err != nil {
		return err
	}
	if err = u.tx.Commit(); err != nil {
		return fmt.Errorf("storage: unable to commit transaction: %w", err)
	}
	return nil
}

// InTx runs fn inside a transaction and commits it when fn returns nil; any
// error or panic rolls everything back. Inside a unit of work (see
// InTxContext) it runs fn in a savepoint of that transaction instead, with
// the same all-or-nothing effect on what fn does.
func (db *DB) InTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	if u := db.unitOf(ctx); u != nil {
		return u.savepoint(ctx, fn)
	}
	return db.begin(ctx, fn)
}

func (db *DB) begin(ctx context.Context, fn func(tx *sqlx.Tx) error) (err error) {
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("storage: unable to begin transaction: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	if err = tx.Commit(); err != nil {
		return fmt.Errorf("storage: unable to commit transaction: %w", err)
	}
	return nil
}

func (u *unit) savepoint(ctx context.Context, fn func(tx *sqlx.Tx) error) (err error) {
	if err := u.ready(); err != nil {
		return err
	}
	// What was deferred before the savepoint is not undone by its rollback.
	if err := u.flush(ctx); err != nil {
		return err
	}
	u.depth++
	name := "hub_sp" + strconv.Itoa(u.depth)
	defer func() { u.depth-- }()
	if _, err := u.tx.ExecContext(ctx, "SAVEPOINT "+name); err != nil {
		return fmt.Errorf("storage: unable to begin transaction: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			u.deferred = nil // deferred inside the savepoint: undone with it
			_, _ = u.tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT "+name)
			panic(p)
		}
		if err != nil {
			// Rolled back and released: the enclosing transaction goes on,
			// without what was deferred inside the savepoint either.
			u.deferred = nil
			_, _ = u.tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT "+name)
			_, _ = u.tx.ExecContext(ctx, "RELEASE SAVEPOINT "+name)
		}
	}()
	if err = fn(u.tx); err != nil {
		return err
	}
	if _, err = u.tx.ExecContext(ctx, "RELEASE SAVEPOINT "+name); err != nil {
		return fmt.Errorf("storage: unable to commit transaction: %w", err)
	}
	return nil
}

// ExecContext is sqlx.DB's, in the unit of work ctx carries if any.
func (db *DB) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if db.alone(ctx) {
		return db.DB.ExecContext(ctx, query, args...)
	}
	if u, err := db.in(ctx); err != nil {
		return nil, err
	} else if u != nil {
		return u.tx.ExecContext(ctx, query, args...)
	}
	return db.DB.ExecContext(ctx, query, args...)
}

// QueryContext is sqlx.DB's, in the unit of work ctx carries if any.
func (db *DB) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if db.alone(ctx) {
		return db.DB.QueryContext(ctx, query, args...)
	}
	if u, err := db.in(ctx); err != nil {
		return nil, err
	} else if u != nil {
		return u.tx.QueryContext(ctx, query, args...)
	}
	return db.DB.QueryContext(ctx, query, args...)
}

// QueryRowContext is sqlx.DB's, in the unit of work ctx carries if any.
func (db *DB) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	u, ctx := db.inRow(ctx)
	if u != nil {
		return u.tx.QueryRowContext(ctx, query, args...)
	}
	return db.DB.QueryRowContext(ctx, query, args...)
}

// QueryxContext is sqlx.DB's, in the unit of work ctx carries if any.
func (db *DB) QueryxContext(ctx context.Context, query string, args ...any) (*sqlx.Rows, error) {
	if u, err := db.in(ctx); err != nil {
		return nil, err
	} else if u != nil {
		return u.tx.QueryxContext(ctx, query, args...)
	}
	return db.DB.QueryxContext(ctx, query, args...)
}

// QueryRowxContext is sqlx.DB's, in the unit of work ctx carries if any.
func (db *DB) QueryRowxContext(ctx context.Context, query string, args ...any) *sqlx.Row {
	u, ctx := db.inRow(ctx)
	if u != nil {
		return u.tx.QueryRowxContext(ctx, query, args...)
	}
	return db.DB.QueryRowxContext(ctx, query, args...)
}

// GetContext is sqlx.DB's, in the unit of work ctx carries if any.
func (db *DB) GetContext(ctx context.Context, dest any, query string, args ...any) error {
	if u, err := db.in(ctx); err != nil {
		return err
	} else if u != nil {
		return u.tx.GetContext(ctx, dest, query, args...)
	}
	return db.DB.GetContext(ctx, dest, query, args...)
}

// SelectContext is sqlx.DB's, in the unit of work ctx carries if any.
func (db *DB) SelectContext(ctx context.Context, dest any, query string, args ...any) error {
	if u, err := db.in(ctx); err != nil {
		return err
	} else if u != nil {
		return u.tx.SelectContext(ctx, dest, query, args...)
	}
	return db.DB.SelectContext(ctx, dest, query, args...)
}

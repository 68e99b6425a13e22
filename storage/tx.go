package storage

import (
	"context"
	"database/sql"
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
	db    *sql.DB // the database it belongs to
	tx    *sqlx.Tx
	depth int // savepoints open
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
		return fn(context.WithValue(ctx, unitKey{}, &unit{db: db.DB.DB, tx: tx}), tx)
	})
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
	u.depth++
	name := "hub_sp" + strconv.Itoa(u.depth)
	defer func() { u.depth-- }()
	if _, err := u.tx.ExecContext(ctx, "SAVEPOINT "+name); err != nil {
		return fmt.Errorf("storage: unable to begin transaction: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			_, _ = u.tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT "+name)
			panic(p)
		}
		if err != nil {
			// Rolled back and released: the enclosing transaction goes on.
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
	if u := db.unitOf(ctx); u != nil {
		return u.tx.ExecContext(ctx, query, args...)
	}
	return db.DB.ExecContext(ctx, query, args...)
}

// QueryContext is sqlx.DB's, in the unit of work ctx carries if any.
func (db *DB) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if u := db.unitOf(ctx); u != nil {
		return u.tx.QueryContext(ctx, query, args...)
	}
	return db.DB.QueryContext(ctx, query, args...)
}

// QueryRowContext is sqlx.DB's, in the unit of work ctx carries if any.
func (db *DB) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if u := db.unitOf(ctx); u != nil {
		return u.tx.QueryRowContext(ctx, query, args...)
	}
	return db.DB.QueryRowContext(ctx, query, args...)
}

// QueryxContext is sqlx.DB's, in the unit of work ctx carries if any.
func (db *DB) QueryxContext(ctx context.Context, query string, args ...any) (*sqlx.Rows, error) {
	if u := db.unitOf(ctx); u != nil {
		return u.tx.QueryxContext(ctx, query, args...)
	}
	return db.DB.QueryxContext(ctx, query, args...)
}

// QueryRowxContext is sqlx.DB's, in the unit of work ctx carries if any.
func (db *DB) QueryRowxContext(ctx context.Context, query string, args ...any) *sqlx.Row {
	if u := db.unitOf(ctx); u != nil {
		return u.tx.QueryRowxContext(ctx, query, args...)
	}
	return db.DB.QueryRowxContext(ctx, query, args...)
}

// GetContext is sqlx.DB's, in the unit of work ctx carries if any.
func (db *DB) GetContext(ctx context.Context, dest any, query string, args ...any) error {
	if u := db.unitOf(ctx); u != nil {
		return u.tx.GetContext(ctx, dest, query, args...)
	}
	return db.DB.GetContext(ctx, dest, query, args...)
}

// SelectContext is sqlx.DB's, in the unit of work ctx carries if any.
func (db *DB) SelectContext(ctx context.Context, dest any, query string, args ...any) error {
	if u := db.unitOf(ctx); u != nil {
		return u.tx.SelectContext(ctx, dest, query, args...)
	}
	return db.DB.SelectContext(ctx, dest, query, args...)
}

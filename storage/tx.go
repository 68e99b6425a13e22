package storage

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// Querier is what a domain store reads and writes through: a transaction
// a caller began and hands down (*sqlx.Tx), or the database itself (*DB)
// for a single statement that needs no transaction of its own.
type Querier interface {
	sqlx.ExtContext
	GetContext(ctx context.Context, dest any, query string, args ...any) error
	SelectContext(ctx context.Context, dest any, query string, args ...any) error
}

var (
	_ Querier = (*sqlx.Tx)(nil)
	_ Querier = (*DB)(nil)
)

// Begin starts a transaction. The caller commits or rolls it back; InTx
// does both for a function.
func (db *DB) Begin(ctx context.Context) (*sqlx.Tx, error) {
	tx, err := db.db.BeginTxx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("storage: unable to begin transaction: %w", err)
	}
	return tx, nil
}

// InTx runs fn inside a transaction of its own and commits it when fn
// returns nil; any error or panic rolls everything back.
func (db *DB) InTx(ctx context.Context, fn func(tx *sqlx.Tx) error) (err error) {
	tx, err := db.Begin(ctx)
	if err != nil {
		return err
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

// The methods below are the database's single statements, outside any
// transaction; a caller that needs several to be atomic uses InTx or
// Begin and runs them on the transaction.

// ExecContext runs a statement that returns no rows.
func (db *DB) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return db.db.ExecContext(ctx, query, args...)
}

// QueryContext runs a query.
func (db *DB) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return db.db.QueryContext(ctx, query, args...)
}

// QueryRowContext runs a query that returns at most one row.
func (db *DB) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return db.db.QueryRowContext(ctx, query, args...)
}

// QueryxContext runs a query whose rows scan into structs.
func (db *DB) QueryxContext(ctx context.Context, query string, args ...any) (*sqlx.Rows, error) {
	return db.db.QueryxContext(ctx, query, args...)
}

// QueryRowxContext runs a query that returns at most one row, which scans
// into a struct.
func (db *DB) QueryRowxContext(ctx context.Context, query string, args ...any) *sqlx.Row {
	return db.db.QueryRowxContext(ctx, query, args...)
}

// GetContext scans the one row of a query into dest.
func (db *DB) GetContext(ctx context.Context, dest any, query string, args ...any) error {
	return db.db.GetContext(ctx, dest, query, args...)
}

// SelectContext scans the rows of a query into dest, a slice.
func (db *DB) SelectContext(ctx context.Context, dest any, query string, args ...any) error {
	return db.db.SelectContext(ctx, dest, query, args...)
}

// Rebind turns a query's "?" placeholders into the dialect's.
func (db *DB) Rebind(query string) string { return db.db.Rebind(query) }

// DriverName is the name of the database/sql driver.
func (db *DB) DriverName() string { return db.db.DriverName() }

// Conn takes one connection from the pool, for what must stay on one
// session (an advisory lock); the caller closes it.
func (db *DB) Conn(ctx context.Context) (*sql.Conn, error) { return db.db.Conn(ctx) }

// Stats is the connection pool's statistics.
func (db *DB) Stats() sql.DBStats { return db.db.Stats() }

// Close closes the database.
func (db *DB) Close() error { return db.db.Close() }

// BindNamed turns a query with :name parameters into the dialect's, with
// the arguments taken from arg.
func (db *DB) BindNamed(query string, arg any) (string, []any, error) {
	return db.db.BindNamed(query, arg)
}

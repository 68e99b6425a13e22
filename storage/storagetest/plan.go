package storagetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/tebingtinggi/hub/storage"
)

// Plan returns the query plan of query on db, one line per plan row, after
// running the statements of before (such as dropping an index) in the same
// transaction, which is then rolled back. On Postgres sequential scans are
// priced out: a test table is small enough to be read whole whatever its
// indexes, and the question is which index the planner takes when it
// takes one.
func Plan(t testing.TB, db *storage.DB, before []string, query string, args ...any) string {
	t.Helper()
	ctx := context.Background()
	prefix := `EXPLAIN QUERY PLAN `
	if db.Dialect == storage.Postgres {
		prefix = `EXPLAIN `
		before = append([]string{`SET LOCAL enable_seqscan = off`}, before...)
	}
	var plan strings.Builder
	errRollback := errors.New("rollback")
	err := db.InTx(ctx, func(tx *sqlx.Tx) error {
		for _, stmt := range before {
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				return err
			}
		}
		rows, err := tx.QueryxContext(ctx, prefix+query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			cols, err := rows.SliceScan()
			if err != nil {
				return err
			}
			fmt.Fprintln(&plan, cols...)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Fatal(err)
	}
	return plan.String()
}

package storage_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

// Deferred writes wait in the unit of work (on PostgreSQL) until a later
// query, a savepoint, the commit or a caller that takes them; whichever
// comes first, the unit sees them and they commit or roll back with it.
func TestDeferredWrites(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		set := func(g int) storage.Statement {
			return storage.Statement{SQL: `UPDATE kb_generation SET generation = ?`, Args: []any{g}}
		}
		generation := func(ctx context.Context) int { return kbGeneration(t, ctx, db) }

		// A later query of the unit reads the deferred write.
		err := db.InTxContext(ctx, func(ctx context.Context, _ *sqlx.Tx) error {
			if err := db.Defer(ctx, set(3)); err != nil {
				return err
			}
			if g := generation(ctx); g != 3 {
				t.Errorf("read after Defer: generation %d, want 3", g)
			}
			return nil
		})
		if err != nil || generation(ctx) != 3 {
			t.Fatalf("unit = %v, generation %d; want nil and 3", err, generation(ctx))
		}

		// Nobody reads or takes it: it is written at commit.
		err = db.InTxContext(ctx, func(ctx context.Context, _ *sqlx.Tx) error {
			return db.Defer(ctx, set(4))
		})
		if err != nil || generation(ctx) != 4 {
			t.Fatalf("unit = %v, generation %d; want nil and 4", err, generation(ctx))
		}

		// Taken: the caller runs it (here, never), so it is not written.
		err = db.InTxContext(ctx, func(ctx context.Context, _ *sqlx.Tx) error {
			if err := db.Defer(ctx, set(5)); err != nil {
				return err
			}
			taken := db.TakeDeferred(ctx)
			if db.Dialect == storage.Postgres && len(taken) != 1 {
				t.Errorf("TakeDeferred = %v, want the one write", taken)
			}
			if db.Dialect == storage.SQLite && len(taken) != 0 {
				t.Errorf("TakeDeferred = %v on SQLite, where Defer writes at once", taken)
			}
			return nil
		})
		want := 4
		if db.Dialect == storage.SQLite {
			want = 5
		}
		if err != nil || generation(ctx) != want {
			t.Fatalf("unit = %v, generation %d; want nil and %d", err, generation(ctx), want)
		}

		// A savepoint's rollback does not undo what was deferred before
		// it; the unit's rollback does.
		boom := errors.New("boom")
		err = db.InTxContext(ctx, func(ctx context.Context, _ *sqlx.Tx) error {
			if err := db.Defer(ctx, set(6)); err != nil {
				return err
			}
			if err := db.InTx(ctx, func(tx *sqlx.Tx) error {
				if _, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE kb_generation SET generation = ?`), 99); err != nil {
					return err
				}
				return boom
			}); !errors.Is(err, boom) {
				t.Errorf("savepoint = %v, want boom", err)
			}
			if g := generation(ctx); g != 6 {
				t.Errorf("after the savepoint's rollback: generation %d, want 6", g)
			}
			return nil
		})
		if err != nil || generation(ctx) != 6 {
			t.Fatalf("unit = %v, generation %d; want nil and 6", err, generation(ctx))
		}
		err = db.InTxContext(ctx, func(ctx context.Context, _ *sqlx.Tx) error {
			if err := db.Defer(ctx, set(7)); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) || generation(ctx) != 6 {
			t.Fatalf("unit = %v, generation %d; want boom and 6", err, generation(ctx))
		}

		// A deferred write that fails fails the unit, which commits
		// nothing, and the error names the write.
		err = db.InTxContext(ctx, func(ctx context.Context, _ *sqlx.Tx) error {
			if _, err := db.ExecContext(ctx, db.Rebind(`UPDATE kb_generation SET generation = ?`), 8); err != nil {
				return err
			}
			return db.Defer(ctx, storage.Statement{SQL: `UPDATE no_such_table SET x = 1`})
		})
		if err == nil || generation(ctx) != 6 {
			t.Fatalf("unit with a failing deferred write = %v, generation %d; want an error and 6", err, generation(ctx))
		}

		// Outside a unit of work it is written at once.
		if err := db.Defer(ctx, set(9)); err != nil || generation(ctx) != 9 {
			t.Fatalf("Defer outside a unit = %v, generation %d; want nil and 9", err, generation(ctx))
		}
	})
}

// A write deferred inside a savepoint that rolls back is dropped with it.
func TestDeferredWriteInARolledBackSavepoint(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		boom := errors.New("boom")
		err := db.InTxContext(ctx, func(ctx context.Context, _ *sqlx.Tx) error {
			err := db.InTxContext(ctx, func(ctx context.Context, _ *sqlx.Tx) error {
				if err := db.Defer(ctx, storage.Statement{SQL: `UPDATE kb_generation SET generation = ?`, Args: []any{11}}); err != nil {
					return err
				}
				return boom
			})
			if !errors.Is(err, boom) {
				t.Errorf("savepoint = %v, want boom", err)
			}
			return nil
		})
		var g int
		if err2 := db.GetContext(ctx, &g, `SELECT generation FROM kb_generation`); err != nil || err2 != nil || g == 11 {
			t.Fatalf("unit = %v, generation %d (%v); want nil and the write undone", err, g, err2)
		}
	})
}

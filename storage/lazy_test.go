package storage_test

import (
	"context"
	"errors"
	"testing"

	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

// A lazy unit of work is all or nothing like any other; on PostgreSQL its
// transaction begins with its first statement, and a last statement
// (storage.Final) that comes first runs on its own and ends the unit.
func TestLazyUnitOfWork(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		pg := db.Dialect == storage.Postgres
		const update = `UPDATE kb_generation SET generation = ?`
		set := func(g int) storage.Statement { return storage.Statement{SQL: update, Args: []any{g}} }
		exec := func(ctx context.Context, g int) error {
			_, err := db.ExecContext(ctx, db.Rebind(update), g)
			return err
		}
		generation := func() int {
			t.Helper()
			var g int
			if err := db.GetContext(ctx, &g, `SELECT generation FROM kb_generation`); err != nil {
				t.Fatal(err)
			}
			return g
		}
		boom := errors.New("boom")

		// The last statement, first: it commits by itself on PostgreSQL,
		// and the unit can do nothing more.
		err := db.InLazyTxContext(ctx, func(ctx context.Context) error {
			if err := exec(storage.Final(ctx), 1); err != nil {
				return err
			}
			err := exec(ctx, 2)
			if pg && err == nil {
				t.Error("a statement after the last one ran")
			}
			if !pg && err != nil {
				t.Errorf("SQLite, where Final changes nothing: %v", err)
			}
			if err := db.Defer(ctx, set(3)); pg && err == nil {
				t.Error("a write deferred after the last statement was taken")
			}
			return nil
		})
		want := 1
		if !pg {
			want = 3
		}
		if err != nil || generation() != want {
			t.Fatalf("unit = %v, generation %d; want nil and %d", err, generation(), want)
		}

		// Writes deferred before the last statement: it goes in a
		// transaction with them, and the unit can go on.
		err = db.InLazyTxContext(ctx, func(ctx context.Context) error {
			if err := db.Defer(ctx, set(4)); err != nil {
				return err
			}
			if err := exec(storage.Final(ctx), 5); err != nil {
				return err
			}
			return exec(ctx, 6)
		})
		if err != nil || generation() != 6 {
			t.Fatalf("unit = %v, generation %d; want nil and 6", err, generation())
		}

		// Deferred writes alone are written at the end.
		err = db.InLazyTxContext(ctx, func(ctx context.Context) error { return db.Defer(ctx, set(7)) })
		if err != nil || generation() != 7 {
			t.Fatalf("unit = %v, generation %d; want nil and 7", err, generation())
		}

		// A failure undoes everything: what was written, what was
		// deferred, and the last statement after a first one.
		for name, fn := range map[string]func(ctx context.Context) error{
			"deferred": func(ctx context.Context) error { return db.Defer(ctx, set(8)) },
			"written":  func(ctx context.Context) error { return exec(ctx, 8) },
			"written, then last": func(ctx context.Context) error {
				if err := exec(ctx, 8); err != nil {
					return err
				}
				return exec(storage.Final(ctx), 9)
			},
		} {
			err = db.InLazyTxContext(ctx, func(ctx context.Context) error {
				if err := fn(ctx); err != nil {
					return err
				}
				return boom
			})
			if !errors.Is(err, boom) || generation() != 7 {
				t.Fatalf("%s: unit = %v, generation %d; want boom and 7", name, err, generation())
			}
		}

		// A transaction that cannot begin (on PostgreSQL, where it begins
		// late) fails the query that needed it, and the unit, with the
		// reason.
		err = db.InLazyTxContext(ctx, func(ctx context.Context) error {
			cancelled, cancel := context.WithCancel(ctx)
			cancel()
			var g int
			if err := db.QueryRowContext(cancelled, `SELECT generation FROM kb_generation`).Scan(&g); err == nil {
				t.Error("a query without its transaction succeeded")
			}
			return nil
		})
		if pg && !errors.Is(err, context.Canceled) {
			t.Fatalf("unit whose transaction could not begin = %v, want context.Canceled", err)
		}

		// A savepoint inside a lazy unit begins its transaction first.
		err = db.InLazyTxContext(ctx, func(ctx context.Context) error {
			if err := db.Defer(ctx, set(10)); err != nil {
				return err
			}
			if err := db.InLazyTxContext(ctx, func(ctx context.Context) error {
				if err := exec(ctx, 11); err != nil {
					return err
				}
				return boom
			}); !errors.Is(err, boom) {
				t.Errorf("savepoint = %v, want boom", err)
			}
			return nil
		})
		if err != nil || generation() != 10 {
			t.Fatalf("unit = %v, generation %d; want nil and 10", err, generation())
		}
	})
}

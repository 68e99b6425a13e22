package storage_test

import (
	"context"
	"errors"
	"testing"
	"time"

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
		generation := func() int { return kbGeneration(t, ctx, db) }
		boom := errors.New("boom")

		// The last statement, first: it commits by itself on PostgreSQL.
		err := db.InLazyTxContext(ctx, func(ctx context.Context) error {
			return exec(storage.Final(ctx), 1)
		})
		if err != nil || generation() != 1 {
			t.Fatalf("unit = %v, generation %d; want nil and 1", err, generation())
		}
		// Then the unit can do nothing more: trying fails it.
		err = db.InLazyTxContext(ctx, func(ctx context.Context) error {
			if err := exec(storage.Final(ctx), 2); err != nil {
				return err
			}
			err := exec(ctx, 3)
			if pg && err == nil {
				t.Error("a statement after the last one ran")
			}
			if !pg && err != nil {
				t.Errorf("SQLite, where Final changes nothing: %v", err)
			}
			if err := db.Defer(ctx, set(3)); pg && err == nil {
				t.Error("a write deferred after the last statement was taken")
			}
			return nil // the failures above ignored
		})
		if pg && (err == nil || generation() != 2) {
			t.Fatalf("unit with a statement after its last = %v, generation %d; want an error, and 2 from the last statement", err, generation())
		}
		if !pg && (err != nil || generation() != 3) {
			t.Fatalf("unit = %v, generation %d; want nil and 3", err, generation())
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
		// reason, even when the query's caller ignores its error.
		unitCtx, cancel := context.WithCancel(ctx)
		err = db.InLazyTxContext(unitCtx, func(ctx context.Context) error {
			cancel()
			var g int
			if err := db.QueryRowContext(ctx, `SELECT generation FROM kb_generation`).Scan(&g); err == nil && pg {
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

// The transaction of a lazy unit belongs to the unit, not to the
// statement that began it: a first query bounded by its own time-out does
// not end it.
func TestLazyUnitOutlivesItsFirstStatementsContext(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		err := db.InLazyTxContext(ctx, func(ctx context.Context) error {
			qctx, cancel := context.WithTimeout(ctx, time.Minute)
			var g int
			err := db.GetContext(qctx, &g, `SELECT generation FROM kb_generation`)
			cancel()
			if err != nil {
				return err
			}
			// database/sql ends a transaction when its context ends, from a
			// goroutine of its own: the unit's statements keep working
			// for a while after, polled until a deadline.
			for deadline := time.Now().Add(50 * time.Millisecond); time.Now().Before(deadline); {
				if _, err := db.ExecContext(ctx, `UPDATE kb_generation SET generation = 41`); err != nil {
					return err
				}
			}
			return nil
		})
		var g int
		if err2 := db.Get(&g, `SELECT generation FROM kb_generation`); err != nil || err2 != nil || g != 41 {
			t.Fatalf("unit = %v, generation %d (%v); want nil and 41", err, g, err2)
		}
	})
}

// A last statement that runs on its own and fails at its commit (here a
// deferred foreign key) reports it, and leaves nothing.
func TestFinalStatementReportsItsCommit(t *testing.T) {
	db := storagetest.Open(t, storage.Postgres)
	ctx := context.Background()
	if _, err := db.Exec(`CREATE TABLE parent (id INT PRIMARY KEY);
		CREATE TABLE child (id INT, parent INT REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)`); err != nil {
		t.Fatal(err)
	}
	err := db.InLazyTxContext(ctx, func(ctx context.Context) error {
		rows, err := db.QueryContext(storage.Final(ctx), `INSERT INTO child VALUES ($1, $2) RETURNING id`, 1, 42)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
		}
		return rows.Err()
	})
	var n int
	if err2 := db.Get(&n, `SELECT COUNT(*) FROM child`); err == nil || err2 != nil || n != 0 {
		t.Fatalf("unit = %v, %d rows (%v); want the commit's failure and none", err, n, err2)
	}
}

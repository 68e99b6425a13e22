package storage_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

func TestMain(m *testing.M) { os.Exit(storagetest.Main(m)) }

// kbGeneration reads the knowledge base's generation counter, the row the
// unit-of-work tests write, in the unit of work ctx carries if any.
func kbGeneration(t *testing.T, ctx context.Context, db *storage.DB) int {
	t.Helper()
	var g int
	if err := db.GetContext(ctx, &g, `SELECT generation FROM kb_generation`); err != nil {
		t.Fatal(err)
	}
	return g
}

func TestMigrateIsIdempotentAndVersioned(t *testing.T) {
	for _, d := range storagetest.Backends {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			db := storagetest.OpenUnmigrated(t, d)
			if err := db.CheckSchema(ctx); err == nil {
				t.Fatal("CheckSchema on an empty database: want error")
			}
			n, err := db.Migrate(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if n != storage.LatestVersion() || n == 0 {
				t.Fatalf("applied %d migrations, want %d", n, storage.LatestVersion())
			}
			if n, err := db.Migrate(ctx); err != nil || n != 0 {
				t.Fatalf("second Migrate = %d, %v; want 0, nil", n, err)
			}
			if err := db.CheckSchema(ctx); err != nil {
				t.Fatalf("CheckSchema after migrate: %v", err)
			}
			// A database touched by a newer binary is refused.
			if _, err := db.ExecContext(ctx, db.Rebind(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'future', CURRENT_TIMESTAMP)`), storage.LatestVersion()+1); err != nil {
				t.Fatal(err)
			}
			var tooNew storage.ErrSchemaTooNew
			if err := db.CheckSchema(ctx); !errors.As(err, &tooNew) {
				t.Fatalf("CheckSchema on newer database = %v, want ErrSchemaTooNew", err)
			}
			if _, err := db.Migrate(ctx); !errors.As(err, &tooNew) {
				t.Fatalf("Migrate on newer database = %v, want ErrSchemaTooNew", err)
			}
		})
	}
}

func TestOpenRejectsBadURLs(t *testing.T) {
	ctx := context.Background()
	cases := []struct{ url, want string }{
		{"mysql://localhost/hub", "unsupported database URL"},
		{"sqlite://", "no file path"},
		{"postgres://hub:secret@127.0.0.1:1/hub?sslmode=disable&connect_timeout=2", "unable to reach Postgres"},
	}
	for _, c := range cases {
		_, err := storage.Open(ctx, c.url)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Open(%q) = %v, want error containing %q", c.url, err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("Open(%q) error leaks the password: %v", c.url, err)
		}
	}
}

func TestInTxRollsBackOnError(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		boom := errors.New("boom")
		err := db.InTx(ctx, func(tx *sqlx.Tx) error {
			if _, err := tx.ExecContext(ctx, `UPDATE kb_generation SET generation = 42`); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("InTx = %v, want boom", err)
		}
		var g int
		if err := db.GetContext(ctx, &g, `SELECT generation FROM kb_generation`); err != nil {
			t.Fatal(err)
		}
		if g != 0 {
			t.Fatalf("generation = %d after rollback, want 0", g)
		}
	})
}

func TestUnitOfWork(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		generation := func() int { return kbGeneration(t, ctx, db) }
		set := func(ctx context.Context, g int) error {
			_, err := db.ExecContext(ctx, db.Rebind(`UPDATE kb_generation SET generation = ?`), g)
			return err
		}
		boom := errors.New("boom")

		// Queries made through db with the unit's context join it: they
		// roll back with it.
		err := db.InTxContext(ctx, func(ctx context.Context, _ *sqlx.Tx) error {
			if err := set(ctx, 7); err != nil {
				return err
			}
			var g int
			if err := db.GetContext(ctx, &g, `SELECT generation FROM kb_generation`); err != nil || g != 7 {
				t.Errorf("inside the unit: generation %d (%v), want 7", g, err)
			}
			return boom
		})
		if !errors.Is(err, boom) || generation() != 0 {
			t.Fatalf("unit = %v, generation %d; want boom and 0", err, generation())
		}

		// A nested InTx is a savepoint: its failure, handled by its caller,
		// undoes only its own work, even after a failed statement (which
		// aborts a whole PostgreSQL transaction without the savepoint).
		err = db.InTxContext(ctx, func(ctx context.Context, _ *sqlx.Tx) error {
			if err := set(ctx, 1); err != nil {
				return err
			}
			inner := db.InTx(ctx, func(tx *sqlx.Tx) error {
				if err := set(ctx, 2); err != nil {
					return err
				}
				_, err := tx.ExecContext(ctx, `INSERT INTO no_such_table VALUES (1)`)
				return err
			})
			if inner == nil {
				t.Error("nested InTx with a failing statement: want error")
			}
			return db.InTx(ctx, func(tx *sqlx.Tx) error { return set(ctx, generationAfter(t, ctx, db)+10) })
		})
		if err != nil {
			t.Fatal(err)
		}
		if g := generation(); g != 11 {
			t.Fatalf("generation %d after the unit, want 11 (1, the failed savepoint undone, then +10)", g)
		}

		// Another database does not join.
		other := storagetest.Open(t, db.Dialect)
		err = db.InTxContext(ctx, func(ctx context.Context, _ *sqlx.Tx) error {
			if _, err := other.ExecContext(ctx, `UPDATE kb_generation SET generation = 5`); err != nil {
				return err
			}
			return boom
		})
		var g int
		if err := other.GetContext(ctx, &g, `SELECT generation FROM kb_generation`); err != nil || g != 5 {
			t.Fatalf("other database: generation %d (%v), want 5 committed on its own", g, err)
		}
	})
}

func generationAfter(t *testing.T, ctx context.Context, db *storage.DB) int {
	t.Helper()
	var g int
	if err := db.GetContext(ctx, &g, `SELECT generation FROM kb_generation`); err != nil {
		t.Fatal(err)
	}
	return g
}

func TestStatementCache(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		q := db.Rebind(`SELECT generation FROM kb_generation WHERE generation >= ?`)
		// The same statement again while its rows are still open (same
		// connection, inside a transaction) must not disturb them. SQLite
		// allows that; PostgreSQL's protocol does not, cache or not.
		err := db.InTx(ctx, func(tx *sqlx.Tx) error {
			if db.Dialect != storage.SQLite {
				return nil
			}
			rows, err := tx.QueryxContext(ctx, q, 0)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var inner []int
				if err := tx.SelectContext(ctx, &inner, q, 0); err != nil || len(inner) != 1 {
					t.Errorf("inner query: %v, %v", inner, err)
				}
			}
			return rows.Err()
		})
		if err != nil {
			t.Fatal(err)
		}
		// More distinct statements than the cache holds, twice over.
		for round := range 2 {
			for i := range 300 {
				var g int
				if err := db.GetContext(ctx, &g, db.Rebind(fmt.Sprintf(`SELECT generation + %d FROM kb_generation WHERE generation >= ?`, i)), 0); err != nil || g != i {
					t.Fatalf("round %d, statement %d: %d, %v", round, i, g, err)
				}
			}
		}
	})
}

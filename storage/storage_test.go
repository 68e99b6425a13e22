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

// The statement cache is what makes a query with arguments one round trip
// on PostgreSQL: without it lib/pq prepares an unnamed statement each time,
// which the server does not list. With it the query is prepared once per
// connection, under a name, and reused.
func TestStatementCachePreparesOnceOnTheServer(t *testing.T) {
	db := storagetest.Open(t, storage.Postgres)
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	q := `SELECT generation FROM kb_generation WHERE generation >= $1`
	for range 5 {
		var g int
		if err := conn.QueryRowContext(ctx, q, 0).Scan(&g); err != nil {
			t.Fatal(err)
		}
	}
	var n int
	if err := conn.QueryRowContext(ctx, `SELECT COUNT(*) FROM pg_prepared_statements WHERE statement = $1`, q).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Fatalf("the query is prepared %d times on the server's session, want once (kept by the statement cache)", n)
	}
}

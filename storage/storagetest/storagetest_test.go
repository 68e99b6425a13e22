package storagetest

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/tebingtinggi/hub/storage"
)

// Subtests of one name are numbered "name#01", "name#02": each must get a
// database of its own, at the path its URL names, not a file cut at the
// '#' and shared by every repetition (and kept for the next run).
func TestSQLiteURLOfRepeatedSubtests(t *testing.T) {
	for range 3 {
		t.Run("same", func(t *testing.T) {
			u := URL(t, storage.SQLite)
			db, err := storage.Open(context.Background(), u)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			ctx := context.Background()
			if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS runs (n INTEGER)`); err != nil {
				t.Fatal(err)
			}
			if _, err := db.ExecContext(ctx, `INSERT INTO runs (n) VALUES (1)`); err != nil {
				t.Fatal(err)
			}
			var n int
			if err := db.GetContext(ctx, &n, `SELECT COUNT(*) FROM runs`); err != nil {
				t.Fatal(err)
			}
			if n != 1 {
				t.Errorf("%s: the database has %d rows, want 1: another test's database was reused", t.Name(), n)
			}
			path := strings.TrimPrefix(u, "sqlite://")
			if _, err := os.Stat(path); err != nil {
				t.Errorf("%s: no database at the URL's path: %v", t.Name(), err)
			}
		})
	}
}

func TestSQLiteURLOfOddNames(t *testing.T) {
	for _, name := range []string{"a#b", "100%", "a?b=c", "spasi dan titik."} {
		t.Run(name, func(t *testing.T) {
			u := URL(t, storage.SQLite)
			db, err := storage.Open(context.Background(), u)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := db.ExecContext(context.Background(), `CREATE TABLE t (n INTEGER)`); err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(strings.TrimPrefix(u, "sqlite://")); err != nil {
				t.Errorf("no database at the URL's path: %v", err)
			}
		})
	}
}

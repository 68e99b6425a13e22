package storage_test

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

// Both backends enforce the same integrity: the migrated schemas have the
// same primary keys, unique constraints and indexes (partial or not),
// foreign keys, and number of CHECK constraints per table.
func TestBackendsHaveTheSameConstraints(t *testing.T) {
	lite := constraints(t, storagetest.Open(t, storage.SQLite))
	pg := constraints(t, storagetest.Open(t, storage.Postgres))
	for _, c := range lite {
		if !slices.Contains(pg, c) {
			t.Errorf("SQLite has %s, PostgreSQL does not", c)
		}
	}
	for _, c := range pg {
		if !slices.Contains(lite, c) {
			t.Errorf("PostgreSQL has %s, SQLite does not", c)
		}
	}
	if len(lite) < 10 {
		t.Fatalf("only %d constraints found on SQLite: %v", len(lite), lite)
	}
}

// constraints lists db's constraints in a form both backends share.
func constraints(t *testing.T, db *storage.DB) []string {
	t.Helper()
	var out []string
	add := func(q string, args ...any) {
		t.Helper()
		var rows []string
		if err := db.SelectContext(context.Background(), &rows, q, args...); err != nil {
			t.Fatal(err)
		}
		out = append(out, rows...)
	}
	if db.Dialect == storage.Postgres {
		// An index on an expression (LOWER(name)) has no column there.
		const cols = `(SELECT string_agg(COALESCE(a.attname, '(expr)'), ',' ORDER BY k.ord) FROM unnest(%s) WITH ORDINALITY k(attnum, ord)
			LEFT JOIN pg_attribute a ON a.attrelid = %s AND a.attnum = k.attnum)`
		add(`SELECT t.relname || CASE WHEN i.indisprimary THEN ' primary key (' ELSE ' unique (' END || ` +
			fmt.Sprintf(cols, `i.indkey::int2[]`, `i.indrelid`) + ` || ')' || CASE WHEN i.indpred IS NOT NULL THEN ' partial' ELSE '' END
			FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
			WHERE i.indisunique AND n.nspname = current_schema()`)
		add(`SELECT c.conrelid::regclass::text || ' foreign key (' || ` + fmt.Sprintf(cols, `c.conkey`, `c.conrelid`) +
			` || ') references ' || c.confrelid::regclass::text
			FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE c.contype = 'f' AND n.nspname = current_schema()`)
		add(`SELECT c.conrelid::regclass::text || ' checks ' || COUNT(*)
			FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE c.contype = 'c' AND n.nspname = current_schema()
			GROUP BY c.conrelid`)
		slices.Sort(out)
		return out
	}
	var tables []struct {
		Name string `db:"name"`
		SQL  string `db:"sql"`
	}
	if err := db.SelectContext(context.Background(), &tables, `SELECT name, sql FROM sqlite_master
		WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`); err != nil {
		t.Fatal(err)
	}
	checks := regexp.MustCompile(`(?i)\bCHECK\s*\(`)
	for _, tb := range tables {
		add(`SELECT ? || ' primary key (' || group_concat(name, ',') || ')' FROM
			(SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk) HAVING COUNT(*) > 0`, tb.Name, tb.Name)
		add(`SELECT ? || ' unique (' || (SELECT group_concat(name, ',') FROM (SELECT COALESCE(name, '(expr)') AS name FROM pragma_index_info(l.name) ORDER BY seqno)) || ')' ||
			CASE WHEN l.partial THEN ' partial' ELSE '' END
			FROM pragma_index_list(?) l WHERE l."unique" AND l.origin <> 'pk'`, tb.Name, tb.Name)
		add(`SELECT ? || ' foreign key (' || group_concat("from", ',') || ') references ' || "table"
			FROM (SELECT * FROM pragma_foreign_key_list(?) ORDER BY id, seq) GROUP BY id`, tb.Name, tb.Name)
		if n := len(checks.FindAllString(tb.SQL, -1)); n > 0 {
			out = append(out, tb.Name+" checks "+fmt.Sprint(n))
		}
	}
	slices.Sort(out)
	return slices.DeleteFunc(out, func(s string) bool { return strings.TrimSpace(s) == "" })
}

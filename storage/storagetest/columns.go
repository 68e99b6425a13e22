package storagetest

import (
	"context"
	"strings"
	"testing"

	"github.com/tebingtinggi/hub/storage"
)

// Column is a column of the migrated schema.
type Column struct {
	Table, Name, Type string
	// Text is true for types that can hold text: SQLite's text affinity
	// (and BLOB, or no type at all), PostgreSQL's character, JSON and byte
	// types.
	Text bool
}

// Qualified is the column's "table.column".
func (c Column) Qualified() string { return c.Table + "." + c.Name }

// Columns lists every column of db's tables, in table and column order.
func Columns(t testing.TB, db *storage.DB) []Column {
	t.Helper()
	var rows []struct {
		Table  string `db:"table_name"`
		Column string `db:"column_name"`
		Type   string `db:"data_type"`
	}
	var err error
	if db.Dialect == storage.Postgres {
		err = db.SelectContext(context.Background(), &rows, `SELECT table_name, column_name, data_type FROM information_schema.columns
			WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position`)
	} else {
		err = db.SelectContext(context.Background(), &rows, `SELECT m.name AS table_name, c.name AS column_name, c.type AS data_type
			FROM sqlite_master m JOIN pragma_table_info(m.name) c
			WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY m.name, c.cid`)
	}
	if err != nil {
		t.Fatalf("list columns: %v", err)
	}
	out := make([]Column, len(rows))
	for i, r := range rows {
		out[i] = Column{Table: r.Table, Name: r.Column, Type: r.Type, Text: textLike(r.Type)}
	}
	return out
}

func textLike(typ string) bool {
	u := strings.ToUpper(typ)
	for _, s := range []string{"CHAR", "CLOB", "TEXT", "JSON", "BLOB", "BYTEA"} {
		if strings.Contains(u, s) {
			return true
		}
	}
	return u == "" || u == "USER-DEFINED" || u == "ARRAY"
}

// Containing lists the text columns ("table.column") of which some row
// holds needle, anywhere in the value: a test of erasure asks it for what
// a person typed, in every table at once.
func Containing(t testing.TB, db *storage.DB, needle string) []string {
	t.Helper()
	var out []string
	for _, c := range Columns(t, db) {
		if !c.Text {
			continue
		}
		var n int
		q := `SELECT COUNT(*) FROM ` + c.Table + ` WHERE instr(CAST(` + c.Name + ` AS TEXT), ?) > 0`
		if db.Dialect == storage.Postgres {
			q = `SELECT COUNT(*) FROM ` + c.Table + ` WHERE strpos(CAST(` + c.Name + ` AS TEXT), $1) > 0`
		}
		if err := db.GetContext(context.Background(), &n, q, needle); err != nil {
			t.Fatalf("search %s: %v", c.Qualified(), err)
		}
		if n > 0 {
			out = append(out, c.Qualified())
		}
	}
	return out
}

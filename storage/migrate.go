package storage

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migration is one numbered schema step. Its SQL is written once for both
// backends; the few type names that differ are written as placeholders
// (see dialectTypes) and filled in per dialect. A line that starts with
// {{postgres}} runs on PostgreSQL only.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// dialectTypes maps the placeholders used in migration files to each
// backend's column types.
var dialectTypes = map[Dialect]*strings.Replacer{
	SQLite: strings.NewReplacer(
		"{{id}}", "INTEGER PRIMARY KEY AUTOINCREMENT",
		"{{time}}", "TIMESTAMP",
		"{{bool}}", "BOOLEAN",
		"{{json}}", "TEXT",
		"{{bigint}}", "INTEGER",
		"{{postgres}}", "-- ",
	),
	Postgres: strings.NewReplacer(
		"{{id}}", "BIGSERIAL PRIMARY KEY",
		"{{time}}", "TIMESTAMPTZ",
		"{{bool}}", "BOOLEAN",
		"{{json}}", "JSONB",
		"{{bigint}}", "BIGINT",
		"{{postgres}}", "",
	),
}

// Migrations returns the embedded migrations in order. File names are
// NNNN_name.sql; numbers start at 1 and have no gaps.
func Migrations() ([]Migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, fmt.Errorf("storage: unable to read embedded migrations: %w", err)
	}
	var out []Migration
	for _, e := range entries {
		name := e.Name()
		num, rest, ok := strings.Cut(name, "_")
		if !ok || !strings.HasSuffix(name, ".sql") {
			return nil, fmt.Errorf("storage: migration file %s is not named NNNN_name.sql", name)
		}
		v, err := strconv.Atoi(num)
		if err != nil {
			return nil, fmt.Errorf("storage: migration file %s: bad number: %w", name, err)
		}
		body, err := migrationFiles.ReadFile("migrations/" + name)
		if err != nil {
			return nil, fmt.Errorf("storage: unable to read migration %s: %w", name, err)
		}
		out = append(out, Migration{Version: v, Name: strings.TrimSuffix(rest, ".sql"), SQL: string(body)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	for i, m := range out {
		if m.Version != i+1 {
			return nil, fmt.Errorf("storage: migration versions must run 1..N without gaps; found %d at position %d", m.Version, i+1)
		}
	}
	return out, nil
}

// LatestVersion is the schema version this binary knows.
func LatestVersion() int {
	ms, err := Migrations()
	if err != nil {
		return 0
	}
	return len(ms)
}

// SchemaVersion returns the version the database is at (0 when it has never
// been migrated).
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	var exists int
	var q string
	if db.Dialect == Postgres {
		q = `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'schema_migrations'`
	} else {
		q = `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`
	}
	if err := db.GetContext(ctx, &exists, q); err != nil {
		return 0, fmt.Errorf("storage: unable to read schema version: %w", err)
	}
	if exists == 0 {
		return 0, nil
	}
	var v int
	if err := db.GetContext(ctx, &v, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`); err != nil {
		return 0, fmt.Errorf("storage: unable to read schema version: %w", err)
	}
	return v, nil
}

// ErrSchemaTooNew is returned when the database was migrated by a newer hub.
type ErrSchemaTooNew struct{ Database, Binary int }

func (e ErrSchemaTooNew) Error() string {
	return fmt.Sprintf("storage: database schema version %d is newer than this hub binary supports (%d); run a newer hub", e.Database, e.Binary)
}

// CheckSchema fails when the database is not at exactly the version this
// binary knows.
func (db *DB) CheckSchema(ctx context.Context) error {
	v, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	latest := LatestVersion()
	switch {
	case v > latest:
		return ErrSchemaTooNew{Database: v, Binary: latest}
	case v < latest:
		return fmt.Errorf("storage: database schema version %d is older than this hub binary (%d); run `hub migrate`", v, latest)
	}
	return nil
}

// migrationLockKey is the Postgres advisory lock that serialises migrations
// when several replicas start at once.
const migrationLockKey = 7_311_204_001

// Migrate applies every pending migration, each in its own transaction, and
// returns how many it applied. A database newer than the binary is refused.
func (db *DB) Migrate(ctx context.Context) (int, error) {
	ms, err := Migrations()
	if err != nil {
		return 0, err
	}
	if db.Dialect == Postgres {
		conn, err := db.db.Connx(ctx)
		if err != nil {
			return 0, fmt.Errorf("storage: unable to get connection for migration: %w", err)
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, migrationLockKey); err != nil {
			return 0, fmt.Errorf("storage: unable to take migration lock: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, migrationLockKey) //nolint:errcheck
	}
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY,
		name TEXT NOT NULL,
		applied_at `+dialectTypes[db.Dialect].Replace("{{time}}")+` NOT NULL)`); err != nil {
		return 0, fmt.Errorf("storage: unable to create schema_migrations: %w", err)
	}
	current, err := db.SchemaVersion(ctx)
	if err != nil {
		return 0, err
	}
	if current > len(ms) {
		return 0, ErrSchemaTooNew{Database: current, Binary: len(ms)}
	}
	applied := 0
	for _, m := range ms[current:] {
		body := dialectTypes[db.Dialect].Replace(m.SQL)
		err := db.InTx(ctx, func(tx *sqlx.Tx) error {
			for _, stmt := range splitStatements(body) {
				if _, err := tx.ExecContext(ctx, stmt); err != nil {
					return fmt.Errorf("storage: migration %04d_%s failed: %w", m.Version, m.Name, err)
				}
			}
			_, err := tx.ExecContext(ctx, db.Rebind(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`),
				m.Version, m.Name, time.Now().UTC())
			return err
		})
		if err != nil {
			return applied, err
		}
		applied++
	}
	return applied, nil
}

// splitStatements splits a migration on semicolons at line ends. Migration
// files keep one statement per semicolon-terminated block and never put a
// semicolon at the end of a line inside a string.
func splitStatements(body string) []string {
	var out []string
	var cur strings.Builder
	for _, line := range strings.Split(body, "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "--") {
			continue
		}
		cur.WriteString(line)
		cur.WriteByte('\n')
		if strings.HasSuffix(trimmed, ";") {
			if s := strings.TrimSpace(cur.String()); s != ";" {
				out = append(out, s)
			}
			cur.Reset()
		}
	}
	if s := strings.TrimSpace(cur.String()); s != "" {
		out = append(out, s)
	}
	return out
}

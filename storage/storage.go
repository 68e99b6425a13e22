// Package storage opens the hub's database from one URL (embedded SQLite or
// PostgreSQL), runs the embedded migrations and checks the schema version.
//
// Domain packages (knowledge, inbox, training, …) own their tables and their
// SQL; this package only knows how to reach the database and how to bring its
// schema up to date.
package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"modernc.org/sqlite"
)

// Dialect names the SQL backend behind a DB.
type Dialect string

// The supported backends.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DefaultURL is the embedded database used when HUB_DATABASE_URL is unset.
const DefaultURL = "sqlite://./data/hub.db"

// DB is an open database together with its dialect. Its methods run
// single statements; several that must be atomic run on a transaction
// (InTx, Begin) that the caller hands to the stores.
type DB struct {
	db      *sqlx.DB
	Dialect Dialect
	// URL is the connection URL with any password removed, safe to log.
	URL string
	// dsn is the full connection string, kept for LISTEN connections.
	dsn string
	// calls counts what the connections send to the database.
	calls *atomic.Uint64
}

// Calls is how many statements, prepares, BEGINs, COMMITs and ROLLBACKs
// the database's connections have sent since it was opened: on
// PostgreSQL, each is a round trip to the server.
func (db *DB) Calls() uint64 { return db.calls.Load() }

// Open connects to the database named by rawURL ("sqlite://PATH" or
// "postgres://…") and checks that it answers. It does not migrate.
func Open(ctx context.Context, rawURL string) (*DB, error) {
	if strings.TrimSpace(rawURL) == "" {
		rawURL = DefaultURL
	}
	switch {
	case strings.HasPrefix(rawURL, "sqlite:"):
		return openSQLite(ctx, rawURL)
	case strings.HasPrefix(rawURL, "postgres://"), strings.HasPrefix(rawURL, "postgresql://"):
		return openPostgres(ctx, rawURL)
	default:
		return nil, fmt.Errorf("storage: unsupported database URL %q: want sqlite://PATH or postgres://USER@HOST/DB", Redact(rawURL))
	}
}

// sqlitePath extracts the file path from sqlite://PATH, sqlite:PATH or
// sqlite:///ABSOLUTE/PATH.
func sqlitePath(rawURL string) (string, error) {
	p := strings.TrimPrefix(rawURL, "sqlite:")
	p = strings.TrimPrefix(p, "//")
	if i := strings.IndexByte(p, '?'); i >= 0 {
		p = p[:i]
	}
	if p == "" {
		return "", fmt.Errorf("storage: database URL %q has no file path", rawURL)
	}
	if p == ":memory:" {
		return "", fmt.Errorf("storage: in-memory SQLite is not supported; give a file path")
	}
	return p, nil
}

// sqliteConns is the size of the SQLite connection pool (see openSQLite).
const sqliteConns = 1

func openSQLite(ctx context.Context, rawURL string) (*DB, error) {
	path, err := sqlitePath(rawURL)
	if err != nil {
		return nil, err
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("storage: unable to create directory for %s: %w", path, err)
		}
	}
	// WAL lets readers run beside the writer; busy_timeout makes writers wait
	// for each other instead of failing; _txlock=immediate takes the write
	// lock at BEGIN so two read-then-write transactions cannot deadlock.
	dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)" +
		"&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate&_time_format=sqlite"
	connector, err := sqlite.NewConnector(dsn)
	if err != nil {
		return nil, fmt.Errorf("storage: unable to open SQLite database %s: %w", path, err)
	}
	calls := new(atomic.Uint64)
	sqldb := sql.OpenDB(cachingConnector{Connector: connector, bare: true, calls: calls})
	// SQLite has one writer at a time. Writers on several connections
	// wait for each other inside SQLite's busy handler, which sleeps 1, 2,
	// 5, 10… ms between tries: under load that, not the work, set the
	// latency. One connection makes them queue in database/sql instead, in
	// order and without sleeping; SQLite runs in this process, so a second
	// connection would only add parallel reads on a machine whose other
	// cores are busy with HTTP and search anyway. Idle connections are kept
	// because opening one parses the whole schema again.
	sqldb.SetMaxOpenConns(sqliteConns)
	sqldb.SetMaxIdleConns(sqliteConns)
	db := &DB{db: sqlx.NewDb(sqldb, "sqlite3"), Dialect: SQLite, URL: rawURL, calls: calls}
	if err := db.ping(ctx); err != nil {
		sqldb.Close()
		return nil, fmt.Errorf("storage: unable to open SQLite database %s: %w", path, err)
	}
	return db, nil
}

func openPostgres(ctx context.Context, rawURL string) (*DB, error) {
	if _, err := url.Parse(rawURL); err != nil {
		return nil, fmt.Errorf("storage: invalid Postgres URL %q: %w", Redact(rawURL), err)
	}
	connector, err := pq.NewConnector(rawURL)
	if err != nil {
		return nil, fmt.Errorf("storage: invalid Postgres URL %q: %w", Redact(rawURL), err)
	}
	calls := new(atomic.Uint64)
	sqldb := sql.OpenDB(cachingConnector{Connector: connector, pgTimes: true, calls: calls})
	// A few connections, all kept: a new one starts a server process and
	// prepares its statements again, and more transactions at once than
	// the machines have cores only make them wait for each other. On the
	// 2-core benchmark machine 4 connections sustained two to three times
	// the webhook load of 20.
	conns := max(4, 2*runtime.GOMAXPROCS(0))
	sqldb.SetMaxOpenConns(conns)
	sqldb.SetMaxIdleConns(conns)
	sqldb.SetConnMaxIdleTime(5 * time.Minute)
	db := &DB{db: sqlx.NewDb(sqldb, "postgres"), Dialect: Postgres, URL: Redact(rawURL), dsn: rawURL, calls: calls}
	if err := db.ping(ctx); err != nil {
		sqldb.Close()
		return nil, fmt.Errorf("storage: unable to reach Postgres at %s: %w", Redact(rawURL), err)
	}
	return db, nil
}

func (db *DB) ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return db.PingContext(ctx)
}

// PingContext checks that the database answers.
func (db *DB) PingContext(ctx context.Context) error { return db.db.PingContext(ctx) }

// Redact removes the password from a database URL so that it can be
// logged: the user part's, and the password parameters that lib/pq reads
// too (password, sslpassword).
func Redact(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		if strings.Contains(rawURL, "@") || strings.Contains(strings.ToLower(rawURL), "password") {
			return "(unparseable URL)"
		}
		return rawURL
	}
	masked := false
	if u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
			masked = true
		}
	}
	// The query is masked pair by pair over its raw text: url.Query drops
	// a pair it cannot decode ("password=Rahasia%Kota"), which would then
	// be left as it is. A pair that names a password anywhere (also after
	// a ";", which some drivers read as a separator) loses its value.
	if u.RawQuery != "" {
		pairs := strings.Split(u.RawQuery, "&")
		for i, p := range pairs {
			text := p
			if t, err := url.QueryUnescape(p); err == nil {
				text = t
			}
			if strings.Contains(strings.ToLower(text), "password") {
				key, _, _ := strings.Cut(p, "=")
				pairs[i], masked = key+"=xxxxx", true
			}
		}
		if masked {
			u.RawQuery = strings.Join(pairs, "&")
		}
	}
	if !masked {
		return rawURL
	}
	return u.String()
}

// IsUniqueViolation reports whether err is a unique-constraint failure on
// either backend.
func IsUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	var pqErr interface{ SQLState() string }
	if errors.As(err, &pqErr) && pqErr.SQLState() == "23505" {
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "UNIQUE constraint failed") || strings.Contains(msg, "duplicate key value")
}

// OlderThan is a condition on table's rows for retention, with its
// arguments: the rows created before cutoff, found by id. Ids grow with
// created_at, so the first row created at or after cutoff is found
// walking the primary key from the oldest row, about a retention run's
// worth of rows, without an index on created_at; the rows before it go. A
// stamp more than a day after now (a writer's clock far ahead) is not
// taken for that first row, so it cannot hold retention back; the row
// itself stays until cutoff passes it. A row stamped before cutoff but
// numbered after the first row waits for a later run. table is one of the
// hub's own, with an id primary key and a created_at column.
func OlderThan(table string, cutoff, now time.Time) (string, []any) {
	cutoff, horizon := cutoff.UTC(), now.UTC().Add(24*time.Hour)
	return `id < COALESCE((SELECT b.id FROM ` + table + ` b WHERE b.created_at >= ? AND b.created_at < ? ORDER BY b.id LIMIT 1),
		(SELECT MAX(m.id) + 1 FROM ` + table + ` m), 0) AND created_at < ?`, []any{cutoff, horizon, cutoff}
}

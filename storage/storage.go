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
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq"  // registers the "postgres" driver
	_ "modernc.org/sqlite" // registers the "sqlite" driver
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

// DB is an open database together with its dialect.
type DB struct {
	*sqlx.DB
	Dialect Dialect
	// URL is the connection URL with any password removed, safe to log.
	URL string
	// dsn is the full connection string, kept for LISTEN connections.
	dsn string
}

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
	sqldb, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("storage: unable to open SQLite database %s: %w", path, err)
	}
	db := &DB{DB: sqlx.NewDb(sqldb, "sqlite3"), Dialect: SQLite, URL: rawURL}
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
	sqldb, err := sql.Open("postgres", rawURL)
	if err != nil {
		return nil, fmt.Errorf("storage: invalid Postgres URL %q: %w", Redact(rawURL), err)
	}
	sqldb.SetMaxOpenConns(20)
	sqldb.SetMaxIdleConns(10)
	sqldb.SetConnMaxIdleTime(5 * time.Minute)
	db := &DB{DB: sqlx.NewDb(sqldb, "postgres"), Dialect: Postgres, URL: Redact(rawURL), dsn: rawURL}
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

// Redact removes the password from a database URL so that it can be logged.
func Redact(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil || u.User == nil {
		if err != nil && strings.Contains(rawURL, "@") {
			return "(unparseable URL)"
		}
		return rawURL
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// InTx runs fn inside a transaction and commits it when fn returns nil; any
// error or panic rolls everything back.
func (db *DB) InTx(ctx context.Context, fn func(tx *sqlx.Tx) error) (err error) {
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("storage: unable to begin transaction: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	if err = tx.Commit(); err != nil {
		return fmt.Errorf("storage: unable to commit transaction: %w", err)
	}
	return nil
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

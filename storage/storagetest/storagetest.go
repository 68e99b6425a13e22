// Package storagetest gives tests real databases: a SQLite file in a
// temporary directory, and a fresh database on a throwaway PostgreSQL server
// started from the machine's binaries (or the server named by
// HUB_TEST_POSTGRES_URL). Tests never mock the hub's own store.
package storagetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq" // the Postgres driver

	"github.com/tebingtinggi/hub/storage"
)

// Backends lists the backends that Each runs a test on.
var Backends = []storage.Dialect{storage.SQLite, storage.Postgres}

// Each runs fn as a subtest once per backend, each with a fresh migrated
// database.
func Each(t *testing.T, fn func(t *testing.T, db *storage.DB)) {
	t.Helper()
	for _, d := range Backends {
		t.Run(string(d), func(t *testing.T) {
			fn(t, Open(t, d))
		})
	}
}

// Open returns a fresh, migrated database of the given dialect, closed when
// the test ends.
func Open(t testing.TB, d storage.Dialect) *storage.DB {
	t.Helper()
	db := OpenUnmigrated(t, d)
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate %s: %v", d, err)
	}
	return db
}

// OpenUnmigrated is Open without the migrations.
func OpenUnmigrated(t testing.TB, d storage.Dialect) *storage.DB {
	t.Helper()
	db, err := storage.Open(context.Background(), URL(t, d))
	if err != nil {
		t.Fatalf("open %s: %v", d, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// URL returns the URL of a fresh, empty database of the given dialect.
func URL(t testing.TB, d storage.Dialect) string {
	t.Helper()
	if d == storage.Postgres {
		return PostgresURL(t)
	}
	return "sqlite://" + filepath.Join(sqliteDir(t), "hub.db")
}

// sqliteDir is a fresh directory for a test's SQLite file, removed when
// the test ends. t.TempDir names it after the test, keeping characters
// such as '#' (Go numbers repeated subtest names "name#01") and '%' that
// mean something in the file: URI SQLite is opened with: there the path
// would be cut or decoded, and the database land elsewhere, shared with
// other tests and kept from one run to the next. Here the test's name
// keeps letters, digits, '-', '_' and '.' only.
func sqliteDir(t testing.TB) string {
	t.Helper()
	name := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			return r
		}
		return '_'
	}, t.Name())
	if len(name) > 64 {
		name = name[:64]
	}
	dir, err := os.MkdirTemp("", name+"-")
	if err != nil {
		t.Fatalf("create a directory for the SQLite database: %v", err)
	}
	t.Cleanup(func() {
		if err := os.RemoveAll(dir); err != nil {
			t.Errorf("remove the SQLite test directory: %v", err)
		}
	})
	return dir
}

// PostgresURL creates a fresh database on the test server and returns its
// URL; the database is dropped when the test ends. Without a server the test
// is skipped, or fails when HUB_REQUIRE_POSTGRES=1.
func PostgresURL(t testing.TB) string {
	t.Helper()
	admin, err := server()
	if err != nil {
		if os.Getenv("HUB_REQUIRE_POSTGRES") == "1" {
			t.Fatalf("PostgreSQL is required (HUB_REQUIRE_POSTGRES=1) but unavailable: %v", err)
		}
		t.Skipf("skipping PostgreSQL test: %v", err)
	}
	name := "hubtest_" + randomHex(8)
	db, err := sql.Open("postgres", admin)
	if err != nil {
		t.Fatalf("postgres admin connection: %v", err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE DATABASE ` + name); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	u, _ := url.Parse(admin)
	u.Path = "/" + name
	t.Cleanup(func() {
		db, err := sql.Open("postgres", admin)
		if err != nil {
			return
		}
		defer db.Close()
		_, _ = db.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`)
	})
	return u.String()
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

var (
	srvOnce sync.Once
	srvURL  string
	srvErr  error
	srvStop func()
)

// Main runs the package's tests and then stops the PostgreSQL server that
// they started, if any. Use it from TestMain: os.Exit(storagetest.Main(m)).
func Main(m *testing.M) int {
	code := m.Run()
	if srvStop != nil {
		srvStop()
	}
	return code
}

// server returns an admin URL (database "postgres") of a running server:
// HUB_TEST_POSTGRES_URL when set, else one started for this test binary.
func server() (string, error) {
	srvOnce.Do(func() {
		if u := os.Getenv("HUB_TEST_POSTGRES_URL"); u != "" {
			srvURL = u
			return
		}
		srvURL, srvStop, srvErr = startServer()
	})
	return srvURL, srvErr
}

// postgresBinDir finds the newest /usr/lib/postgresql/*/bin with initdb.
func postgresBinDir() (string, error) {
	if dir := os.Getenv("HUB_TEST_POSTGRES_BIN"); dir != "" {
		return dir, nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool {
		vi, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[i])))
		vj, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[j])))
		return vi > vj
	})
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", fmt.Errorf("no PostgreSQL server binaries found (looked for /usr/lib/postgresql/*/bin/initdb and initdb on PATH); install PostgreSQL or set HUB_TEST_POSTGRES_URL")
}

// startServer runs initdb and postgres in a temporary directory, as the
// "postgres" user when the tests run as root (initdb refuses root).
func startServer() (string, func(), error) {
	bin, err := postgresBinDir()
	if err != nil {
		return "", nil, err
	}
	dir, err := os.MkdirTemp("", "hub-pgtest-")
	if err != nil {
		return "", nil, err
	}
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return "", nil, fmt.Errorf("running as root and no 'postgres' user to run PostgreSQL as: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chown(dir, uid, gid); err != nil {
			return "", nil, err
		}
	}
	data := filepath.Join(dir, "data")
	initdb := exec.Command(filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync", "--locale=C")
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	initdb.Dir = dir
	if out, err := initdb.CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return "", nil, fmt.Errorf("initdb failed: %v: %s", err, strings.TrimSpace(string(out)))
	}
	port, err := freePort()
	if err != nil {
		return "", nil, err
	}
	logFile, err := os.Create(filepath.Join(dir, "postgres.log"))
	if err != nil {
		return "", nil, err
	}
	pg := exec.Command(filepath.Join(bin, "postgres"), "-D", data, "-p", strconv.Itoa(port),
		"-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="+dir,
		"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
		"-c", "max_connections=300", "-c", "shared_buffers=64MB")
	// Pdeathsig stops the server even if the test binary dies without
	// running Main's cleanup.
	pg.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGQUIT, Setpgid: true}
	pg.Stdout, pg.Stderr = logFile, logFile
	pg.Dir = dir
	if err := pg.Start(); err != nil {
		return "", nil, fmt.Errorf("start postgres: %v", err)
	}
	stop := func() {
		_ = pg.Process.Signal(syscall.SIGINT)
		done := make(chan struct{})
		go func() { _ = pg.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = pg.Process.Kill()
			<-done
		}
		logFile.Close()
		os.RemoveAll(dir)
	}
	admin := fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
	if err := waitReady(admin, 30*time.Second); err != nil {
		stop()
		return "", nil, err
	}
	return admin, stop, nil
}

func waitReady(admin string, within time.Duration) error {
	deadline := time.Now().Add(within)
	var last error
	for time.Now().Before(deadline) {
		db, err := sql.Open("postgres", admin)
		if err == nil {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			last = db.PingContext(ctx)
			cancel()
			db.Close()
			if last == nil {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("postgres did not become ready within %s: %v", within, last)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// InTx runs fn in a transaction of db, committed when fn returns no error,
// and returns fn's results: for calling, from a test, a store method that
// takes its caller's transaction.
func InTx[T any](db *storage.DB, fn func(tx *sqlx.Tx) (T, error)) (T, error) {
	var v T
	err := db.InTx(context.Background(), func(tx *sqlx.Tx) error {
		var err error
		v, err = fn(tx)
		return err
	})
	return v, err
}

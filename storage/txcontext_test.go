package storage_test

import (
	"context"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

// A statement in a PostgreSQL transaction begun with the same context is
// run without a watch of its own (lib/pq starts a goroutine per watched
// statement): while it runs no such goroutine exists, and cancelling the
// context still stops it on the server, through the transaction's watch.
func TestStatementsInATransactionShareItsCancellation(t *testing.T) {
	db := storagetest.Open(t, storage.Postgres)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tx, err := db.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	done := make(chan error, 1)
	go func() {
		_, err := tx.ExecContext(ctx, `SELECT pg_sleep($1)`, 30)
		done <- err
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var n int
		if err := db.GetContext(context.Background(), &n, `SELECT COUNT(*) FROM pg_stat_activity
			WHERE state = 'active' AND query = 'SELECT pg_sleep($1)' AND datname = current_database()`); err != nil {
			t.Fatal(err)
		}
		if n == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the statement never showed as running on the server")
		}
		runtime.Gosched() // polling the server, with a deadline
	}
	buf := make([]byte, 1<<20)
	stacks := string(buf[:runtime.Stack(buf, true)])
	if strings.Contains(stacks, "lib/pq.(*stmt).watchCancel") {
		t.Error("the statement has a cancellation watch of its own beside the transaction's")
	}
	cancel()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("the statement finished without error after its context was cancelled")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("cancelling the transaction's context did not stop the statement under way")
	}
}

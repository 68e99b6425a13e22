package storage_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

// Two replicas start at the same moment on an empty Postgres database: one
// applies every migration, the other waits for it and applies none, and
// neither fails. The test holds the migration lock until both wait for it,
// so that they are released onto the empty database together.
func TestTwoReplicasMigrateAnEmptyDatabaseOnce(t *testing.T) {
	ctx := context.Background()
	url := storagetest.URL(t, storage.Postgres)
	open := func() *storage.DB {
		db, err := storage.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	gate, a, b := open(), open(), open()
	conn, err := gate.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, storage.MigrationLockKey); err != nil {
		t.Fatal(err)
	}
	unlocked := false
	unlock := func() {
		if !unlocked {
			unlocked = true
			if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_unlock($1)`, storage.MigrationLockKey); err != nil {
				t.Fatal(err)
			}
		}
	}
	defer unlock()

	var wg sync.WaitGroup
	applied := make([]int, 2)
	errs := make([]error, 2)
	for i, db := range []*storage.DB{a, b} {
		wg.Go(func() { applied[i], errs[i] = db.Migrate(ctx) })
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	// Both replicas must be waiting for the lock, not migrating.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		var waiting int
		if err := gate.GetContext(ctx, &waiting, `SELECT COUNT(*) FROM pg_locks
			WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`); err != nil {
			t.Fatal(err)
		}
		if waiting == 2 {
			break
		}
		select {
		case <-done:
			t.Fatalf("the replicas migrated without waiting for the lock (applied %v, errors %v)", applied, errs)
		default:
		}
		if time.Now().After(deadline) {
			unlock()
			<-done
			t.Fatalf("%d of 2 replicas wait for the migration lock (applied %v, errors %v)", waiting, applied, errs)
		}
	}
	unlock()
	<-done
	for i, err := range errs {
		if err != nil {
			t.Fatalf("replica %d: Migrate: %v", i+1, err)
		}
	}
	latest := storage.LatestVersion()
	if !(applied[0] == latest && applied[1] == 0) && !(applied[0] == 0 && applied[1] == latest) {
		t.Errorf("the replicas applied %d and %d migrations; want %d by one and 0 by the other", applied[0], applied[1], latest)
	}
	var rows int
	if err := gate.GetContext(ctx, &rows, `SELECT COUNT(*) FROM schema_migrations`); err != nil {
		t.Fatal(err)
	}
	if rows != latest {
		t.Errorf("schema_migrations holds %d rows, want %d", rows, latest)
	}
	for _, db := range []*storage.DB{a, b} {
		if err := db.CheckSchema(ctx); err != nil {
			t.Error(err)
		}
	}
}

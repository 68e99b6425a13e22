package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

const testLock int64 = 42

// holdLock runs HoldLock in the background and returns what it returned
// once it does; waiting is closed when it starts to wait.
func holdLock(ctx context.Context, db *storage.DB) (result <-chan heldLock, waiting <-chan struct{}) {
	res, w := make(chan heldLock, 1), make(chan struct{})
	go func() {
		held, release, err := db.HoldLock(ctx, testLock, 20*time.Millisecond, func() { close(w) })
		res <- heldLock{held, release, err}
	}()
	return res, w
}

type heldLock struct {
	held    context.Context
	release func()
	err     error
}

func gotLock(t *testing.T, who string, res <-chan heldLock) heldLock {
	t.Helper()
	select {
	case h := <-res:
		if h.err != nil {
			t.Fatalf("%s: HoldLock: %v", who, h.err)
		}
		t.Cleanup(h.release)
		return h
	case <-time.After(10 * time.Second):
		t.Fatalf("%s did not get the lock", who)
	}
	return heldLock{}
}

// One replica holds the lock, the next waits for it and gets it the moment
// the first releases it, and a third gets it when the second's connection
// is cut (its session ended by the server), while the second learns that it
// lost it.
func TestHoldLockPassesToTheNextReplica(t *testing.T) {
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
	dbs := []*storage.DB{open(), open(), open()}

	resA, waitA := holdLock(ctx, dbs[0])
	a := gotLock(t, "the first replica", resA)
	select {
	case <-waitA:
		t.Fatal("the first replica waited for a free lock")
	default:
	}

	resB, waitB := holdLock(ctx, dbs[1])
	<-waitB
	select {
	case <-resB:
		t.Fatal("the second replica got the lock while the first held it")
	default:
	}
	a.release()
	if a.held.Err() == nil {
		t.Error("released, the first replica's held context goes on")
	}
	b := gotLock(t, "the second replica", resB)

	resC, waitC := holdLock(ctx, dbs[2])
	<-waitC
	var cut bool
	if err := dbs[2].GetContext(ctx, &cut, `SELECT pg_terminate_backend(pid) FROM pg_locks
		WHERE locktype = 'advisory' AND granted AND objid = $1
		AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`, testLock); err != nil || !cut {
		t.Fatalf("cutting the holder's session: %v, %v", cut, err)
	}
	gotLock(t, "the third replica", resC)
	select {
	case <-b.held.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the second replica did not notice that it lost the lock")
	}
}

// A replica waiting for the lock stops waiting when its context ends.
func TestHoldLockWaitEndsWithItsContext(t *testing.T) {
	ctx := context.Background()
	url := storagetest.URL(t, storage.Postgres)
	a, err := storage.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := storage.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	resA, _ := holdLock(ctx, a)
	gotLock(t, "the first replica", resA)
	wctx, cancel := context.WithCancel(ctx)
	resB, waitB := holdLock(wctx, b)
	<-waitB
	cancel()
	select {
	case h := <-resB:
		if h.err == nil {
			h.release()
			t.Fatal("HoldLock returned no error after its context ended")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("HoldLock kept waiting after its context ended")
	}
}

// On SQLite the one process holds the lock at once.
func TestHoldLockOnSQLite(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	held, release, err := db.HoldLock(context.Background(), testLock, time.Second, func() { t.Error("waited on SQLite") })
	if err != nil {
		t.Fatal(err)
	}
	if held.Err() != nil {
		t.Fatal("held ended at once")
	}
	release()
	if held.Err() == nil {
		t.Error("released, held goes on")
	}
}

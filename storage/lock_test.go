package storage_test

import (
	"context"
	"net"
	"net/url"
	"sync"
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

// stallProxy forwards TCP to a Postgres server until stall is called;
// from then on it keeps every connection open but drops what either side
// sends, as a connection to a database that failed over or a network
// that silently lost the route does: no reset, no answer.
type stallProxy struct {
	ln      net.Listener
	mu      sync.Mutex
	stalled bool
	conns   []net.Conn
}

func newStallProxy(t *testing.T, target string) *stallProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &stallProxy{ln: ln}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, up)
			p.mu.Unlock()
			go p.pipe(up, c)
			go p.pipe(c, up)
		}
	}()
	return p
}

func (p *stallProxy) pipe(dst, src net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			p.mu.Lock()
			stalled := p.stalled
			p.mu.Unlock()
			if !stalled {
				if _, werr := dst.Write(buf[:n]); werr != nil {
					return
				}
			}
		}
		if err != nil { // io.EOF or the connection cut
			return
		}
	}
}

func (p *stallProxy) stall() {
	p.mu.Lock()
	p.stalled = true
	p.mu.Unlock()
}

// cut closes every proxied connection (what the kernel does at last, after
// its retransmission time-out, some fifteen minutes later).
func (p *stallProxy) cut() {
	p.ln.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
}

// The lock holder's session ends on the server (terminated here; a
// failover or a server-side time-out in production) while its TCP
// connection neither answers nor resets. Another replica takes the lock at
// once. The first must learn within a few checks that it no longer holds
// the lock, and not only when the kernel gives up on the connection (some
// fifteen minutes later): else both replicas act as the holder, two
// scheduler leaders or two Telegram pollers. Its release must not wait for
// the stalled connection either.
func TestHoldLockEndsWhenItsSessionIsGoneBehindAStalledConnection(t *testing.T) {
	ctx := context.Background()
	proxy, viaProxy, other := stalledReplicas(t)

	const check = 50 * time.Millisecond
	heldA, releaseA, err := viaProxy.HoldLock(ctx, testLock, check, nil)
	if err != nil {
		t.Fatal(err)
	}
	released := make(chan struct{})
	defer func() {
		proxy.cut() // lets the hanging ping fail, so that release returns
		select {
		case <-released:
		case <-time.After(20 * time.Second):
			t.Error("releasing the first holder's lock hangs even after its connection is closed")
		}
	}()
	proxy.stall()
	var cut bool
	if err := other.GetContext(ctx, &cut, `SELECT pg_terminate_backend(pid) FROM pg_locks
		WHERE locktype = 'advisory' AND granted AND objid = $1
		AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`, testLock); err != nil || !cut {
		t.Fatalf("ending the holder's session: %v, %v", cut, err)
	}
	heldB, releaseB, err := other.HoldLock(ctx, testLock, check, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer releaseB()
	if heldB.Err() != nil {
		t.Fatal("the second replica's hold ended at once")
	}
	select {
	case <-heldA.Done():
	case <-time.After(40 * check):
		t.Errorf("the second replica holds the lock, and %v later the first still believes it holds it too (its check ping has no time-out)", 40*check)
	}
	// Stopping the replica (scheduler.Stop, hub serve's shutdown) releases
	// the lock: that must not hang on the stalled connection either.
	go func() { releaseA(); close(released) }()
	select {
	case <-released:
	case <-time.After(5 * time.Second):
		t.Error("release (and with it scheduler.Stop and the hub's ordered shutdown) hangs on the stalled lock connection")
	}
}

// A replica waiting for the lock behind a connection that stalls stops
// waiting when its context ends, though the server never hears the
// cancellation.
func TestHoldLockWaitEndsWithItsContextBehindAStalledConnection(t *testing.T) {
	ctx := context.Background()
	proxy, viaProxy, holder := stalledReplicas(t)
	defer proxy.cut()

	gotLock(t, "the first replica", func() <-chan heldLock { r, _ := holdLock(ctx, holder); return r }())
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	res, waiting := holdLock(wctx, viaProxy)
	<-waiting
	proxy.stall()
	cancel()
	select {
	case h := <-res:
		if h.err == nil {
			h.release()
			t.Fatal("HoldLock returned no error after its context ended")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("HoldLock kept waiting on the stalled connection after its context ended")
	}
}

// stalledReplicas opens two replicas' stores on one fresh Postgres
// database: viaProxy reaches it through proxy, which can stall or cut its
// connections, direct without one. Both are closed when the test ends.
func stalledReplicas(t *testing.T) (proxy *stallProxy, viaProxy, direct *storage.DB) {
	t.Helper()
	ctx := context.Background()
	dsn := storagetest.URL(t, storage.Postgres)
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	proxy = newStallProxy(t, u.Host)
	u.Host = proxy.ln.Addr().String()
	if viaProxy, err = storage.Open(ctx, u.String()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { viaProxy.Close() })
	if direct, err = storage.Open(ctx, dsn); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { direct.Close() })
	return proxy, viaProxy, direct
}

package scheduler_test

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tebingtinggi/hub/internal/testlog"
	"github.com/tebingtinggi/hub/scheduler"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

func TestMain(m *testing.M) {
	code := storagetest.Main(m)
	if dispatcherDir != "" {
		_ = os.RemoveAll(dispatcherDir)
	}
	os.Exit(code)
}

func TestPurgeMessages(t *testing.T) {
	now := time.Date(2026, 11, 27, 2, 30, 0, 0, time.UTC)
	got := map[string]time.Time{}
	rec := func(name string) scheduler.Purger {
		return func(ctx context.Context, before time.Time) (int64, error) {
			got[name] = before
			return 3, nil
		}
	}
	deps := scheduler.Retention{Messages: rec("messages"), Training: rec("training"), Sessions: rec("sessions"),
		Outbox: rec("outbox"), Updates: rec("updates"), Logins: rec("logins"), Keep: 30 * 24 * time.Hour}
	job := scheduler.MessageRetention(deps)
	if job.Name != "message-retention" || job.Spec != scheduler.MessageRetentionSpec {
		t.Fatalf("job %+v", job)
	}
	if err := job.Run(context.Background(), now); err != nil {
		t.Fatal(err)
	}
	want := map[string]time.Time{
		"messages": now.AddDate(0, 0, -30),
		"training": now.AddDate(0, 0, -30),
		"sessions": now.AddDate(0, 0, -30),
		"outbox":   now.AddDate(0, 0, -30),
		"updates":  now.AddDate(0, 0, -7),
		"logins":   now, // by their own windows
	}
	for k, v := range want {
		if !got[k].Equal(v) {
			t.Errorf("%s purged before %s, want %s", k, got[k], v)
		}
	}
	deps.Outbox = func(context.Context, time.Time) (int64, error) { return 0, errors.New("down") }
	if err := scheduler.PurgeMessages(context.Background(), deps, now); err == nil {
		t.Fatal("a failing purger must fail the job")
	}
}

func TestAddRefusesDuplicatesAndBadSpecs(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	s, err := scheduler.New(scheduler.Config{DB: db})
	if err != nil {
		t.Fatal(err)
	}
	run := func(context.Context, time.Time) error { return nil }
	if err := s.Add(scheduler.Job{Name: "a", Spec: "@every 1h", Run: run}); err != nil {
		t.Fatal(err)
	}
	if err := s.Add(scheduler.Job{Name: "a", Spec: "@every 1h", Run: run}); err == nil {
		t.Error("duplicate job name accepted")
	}
	if err := s.Add(scheduler.Job{Name: "b", Spec: "every day", Run: run}); err == nil {
		t.Error("bad spec accepted")
	}
	if !s.IsLeader() {
		t.Error("with SQLite the one process is the leader")
	}
	s.Start()
	s.Stop()
}

func TestOneLeaderOnPostgres(t *testing.T) {
	db := storagetest.Open(t, storage.Postgres)
	var ss []*scheduler.Scheduler
	for range 2 {
		s, err := scheduler.New(scheduler.Config{DB: db, LeaderCheck: 20 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		s.Start()
		ss = append(ss, s)
	}
	// The leader is named by the same look that sees one leader: looking
	// again could find none, were its check of the lock to take over a
	// second on a loaded machine.
	leader := -1
	waitFor(t, func() bool {
		n := 0
		for i, s := range ss {
			if s.IsLeader() {
				n, leader = n+1, i
			}
		}
		return n == 1
	})
	// The leader leaves; the other takes over.
	ss[leader].Stop()
	rest := ss[1-leader]
	waitFor(t, rest.IsLeader)
	rest.Stop()
}

// TestStandbyLeadsAtOnceWhenTheLeaderGoes: a standby waits for the lock
// rather than asking again at every check, so it leads the moment the
// leader stops, or its connection is cut, not a check interval (an hour
// here) later.
func TestStandbyLeadsAtOnceWhenTheLeaderGoes(t *testing.T) {
	db := storagetest.Open(t, storage.Postgres)
	start := func() *scheduler.Scheduler {
		s, err := scheduler.New(scheduler.Config{DB: db, LeaderCheck: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		s.Start()
		t.Cleanup(s.Stop)
		return s
	}
	first := start()
	waitFor(t, first.IsLeader)
	second := start()
	third := start()
	first.Stop()
	waitFor(t, func() bool { return second.IsLeader() != third.IsLeader() })
	last := third
	if third.IsLeader() {
		last = second
	}
	// The server ends the leader's session, as when its connection dies;
	// the last standby leads at once (the cut leader learns it at its
	// next check).
	var cut bool
	if err := db.GetContext(context.Background(), &cut, `SELECT pg_terminate_backend(pid) FROM pg_locks
		WHERE locktype = 'advisory' AND objsubid = 1 AND granted
		AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
		AND (classid::bigint << 32 | objid::bigint) = $1`, scheduler.LockKey); err != nil || !cut {
		t.Fatalf("cutting the leader's session: %v, %v", cut, err)
	}
	waitFor(t, last.IsLeader)
}

// TestStoppedLeaderReleasesItsLock: a leader that stops hands its
// connection back to the pool, so it must release the session lock first;
// otherwise the lock stays held by an idle pooled connection and no other
// process can lead while this one lives.
func TestStoppedLeaderReleasesItsLock(t *testing.T) {
	db := storagetest.Open(t, storage.Postgres)
	s, err := scheduler.New(scheduler.Config{DB: db, LeaderCheck: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	s.Start()
	waitFor(t, s.IsLeader)
	s.Stop()
	var held int
	err = db.QueryRowContext(context.Background(), `SELECT count(*) FROM pg_locks
		WHERE locktype = 'advisory' AND objsubid = 1 AND granted
		AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
		AND (classid::bigint << 32 | objid::bigint) = $1`, scheduler.LockKey).Scan(&held)
	if err != nil {
		t.Fatal(err)
	}
	if held != 0 {
		t.Fatalf("the leader's advisory lock is still held after Stop (%d holders)", held)
	}
}

// waitFor polls cond until it holds. Its deadline only catches a hang: a
// loaded machine (several race-enabled test binaries on two cores) may
// take seconds for what takes milliseconds alone.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(hang)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not reached within %s", hang)
		}
		<-tick.C
	}
}

// hang bounds every wait for something that must happen.
const hang = 60 * time.Second

// lockSessions returns the Postgres backends that hold (granted) or wait
// for (not granted) the leader lock.
func lockSessions(t *testing.T, db *storage.DB, granted bool) []int {
	t.Helper()
	var pids []int
	if err := db.SelectContext(context.Background(), &pids, `SELECT pid FROM pg_locks
		WHERE locktype = 'advisory' AND objsubid = 1 AND granted = $2
		AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
		AND (classid::bigint << 32 | objid::bigint) = $1`, scheduler.LockKey, granted); err != nil {
		t.Fatal(err)
	}
	return pids
}

// TestRunningJobStopsWhenLeadershipEnds: a job running on a leader whose
// lock is gone (its session ended by the server, as when its connection
// dies) has its context cancelled, rather than working on beside the next
// leader, which takes over at once.
//
// Every step waits on a signal, not on time: the job says it started, the
// standby is seen waiting for the lock in pg_locks before the leader's
// session is cut (a standby still connecting would let the cut leader
// take the lock back first), and the job says it was cancelled.
func TestRunningJobStopsWhenLeadershipEnds(t *testing.T) {
	db := storagetest.Open(t, storage.Postgres)
	var mu sync.Mutex
	now := time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	logs := &testlog.Buffer{}
	first, err := scheduler.New(scheduler.Config{DB: db, Now: clock, Manual: true, LeaderCheck: 20 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	started, ended := make(chan struct{}), make(chan error, 1)
	if err := first.Add(scheduler.Job{Name: "digest", Spec: "* * * * *", Run: func(ctx context.Context, _ time.Time) error {
		close(started)
		<-ctx.Done()
		ended <- ctx.Err()
		return ctx.Err()
	}}); err != nil {
		t.Fatal(err)
	}
	first.Start()
	t.Cleanup(first.Stop)
	waitFor(t, first.IsLeader)
	tickCtx, cancelTick := context.WithCancel(context.Background())
	t.Cleanup(cancelTick) // frees the job if it does not stop by itself
	first.Tick(tickCtx)   // the starting point
	go func() {
		poll := time.NewTicker(10 * time.Millisecond)
		defer poll.Stop()
		for tickCtx.Err() == nil {
			mu.Lock()
			now = now.Add(time.Minute)
			mu.Unlock()
			if len(first.Tick(tickCtx)) > 0 {
				return
			}
			// Not leading at that moment: a check of the lock that took
			// over a second on a loaded machine counts as a lost session.
			// The job runs at a later moment once this process leads
			// again; the wait for started below bounds this loop.
			for !first.IsLeader() && tickCtx.Err() == nil {
				<-poll.C
			}
		}
	}()
	select {
	case <-started:
	case <-time.After(hang):
		t.Fatalf("the job did not start on the leader within %s (leader now: %v)", hang, first.IsLeader())
	}

	second, err := scheduler.New(scheduler.Config{DB: db, LeaderCheck: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	second.Start()
	t.Cleanup(second.Stop)
	waitFor(t, func() bool { return len(lockSessions(t, db, false)) == 1 })
	var cut bool
	if err := db.GetContext(context.Background(), &cut, `SELECT pg_terminate_backend(pid) FROM pg_locks
		WHERE locktype = 'advisory' AND objsubid = 1 AND granted
		AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
		AND (classid::bigint << 32 | objid::bigint) = $1`, scheduler.LockKey); err != nil || !cut {
		t.Fatalf("cutting the leader's session: %v, %v", cut, err)
	}
	select {
	case err := <-ended:
		if err == nil {
			t.Error("the job's context ended without an error")
		}
	case <-time.After(hang):
		t.Fatalf("the job on the leader that lost the lock is still running %s later", hang)
	}
	waitFor(t, second.IsLeader)
	if first.IsLeader() {
		t.Error("the first scheduler still says it leads")
	}
	waitFor(t, func() bool { return strings.Contains(logs.String(), "no longer leads") })
	if strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("a job stopped by the end of leadership is logged as failed:\n%s", logs.String())
	}
}

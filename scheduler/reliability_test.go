package scheduler_test

import (
	"github.com/jmoiron/sqlx"

	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/bots/telegram"
	"github.com/tebingtinggi/hub/bots/telegram/telegramtest"
	"github.com/tebingtinggi/hub/outbox"
	"github.com/tebingtinggi/hub/scheduler"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
	"github.com/tebingtinggi/hub/training"
	"github.com/tebingtinggi/hub/training/trainingtest"
)

// fast are flood limits the fake does not need: the tests here are about
// delivery, not pacing (bench/dispatch_test.go measures pacing).
var fast = telegram.Limits{Global: telegram.Rate{Events: 100000, Per: time.Second}, PerChat: telegram.Rate{Events: 100000, Per: time.Second}}

func newAdapter(tb testing.TB, ctx context.Context, apiURL, token string) *telegram.Adapter {
	tb.Helper()
	a, err := telegram.New(ctx, telegram.Config{Token: token, APIURL: apiURL, Logger: quiet, Limits: fast})
	if err != nil {
		tb.Fatal(err)
	}
	return a
}

// poll waits until cond holds, failing the test after timeout.
func poll(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not reached within %s", what, timeout)
		}
		time.Sleep(5 * time.Millisecond) // a polling interval, not a wait for an outcome
	}
}

func countRows(t *testing.T, db *storage.DB, where string, args ...any) int {
	t.Helper()
	var n int
	if err := db.GetContext(context.Background(), &n, db.Rebind(`SELECT COUNT(*) FROM outbox WHERE `+where), args...); err != nil {
		t.Fatal(err)
	}
	return n
}

// sentTexts counts the fake's deliveries per chat and text.
func sentTexts(srv *telegramtest.Server) map[string]int {
	out := map[string]int{}
	for _, m := range srv.Sent() {
		out[strconv.FormatInt(m.ChatID, 10)+"\x00"+m.Plain]++
	}
	return out
}

// outboxTexts counts the outbox's rows with status per chat and text.
func outboxTexts(t *testing.T, db *storage.DB, status outbox.Status) map[string]int {
	t.Helper()
	var rows []struct {
		Chat    string `db:"chat_id"`
		Payload string `db:"payload"`
	}
	if err := db.SelectContext(context.Background(), &rows, db.Rebind(`SELECT chat_id, payload FROM outbox WHERE status = ?`), string(status)); err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, r := range rows {
		var o struct{ Text string }
		if err := json.Unmarshal([]byte(r.Payload), &o); err != nil {
			t.Fatal(err)
		}
		out[r.Chat+"\x00"+o.Text]++
	}
	return out
}

// TestTwoReplicasSendOnce runs two replicas (scheduler and dispatcher,
// each with its own pool) on one Postgres through a simulated week and a
// half in one-hour steps; the leader dies half-way and the other takes
// over. Every reminder, invitation and nudge reaches its person exactly
// once.
func TestTwoReplicasSendOnce(t *testing.T) {
	url := storagetest.PostgresURL(t)
	ctx := context.Background()
	setup, err := storage.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer setup.Close()
	if _, err := setup.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	first := wib("2026-12-01 09:00") // Tuesday
	const people, sessions = 8, 3
	w := trainingtest.Build(t, setup, trainingtest.Spec{ASN: people, Sessions: sessions, Start: first, Gap: 24 * time.Hour})
	for _, sess := range w.Sessions {
		es, err := w.Store.Enrolments(ctx, sess)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range es {
			if _, err := storagetest.InTx(setup, func(tx *sqlx.Tx) (training.Session, error) {
				return w.Store.RecordRSVP(ctx, tx, e.ID, e.NIP, true, "", first.Add(-10*24*time.Hour))
			}); err != nil {
				t.Fatal(err)
			}
		}
	}
	srv := telegramtest.NewServer(t)
	var clock atomic.Pointer[time.Time]
	set := func(t time.Time) { clock.Store(&t) }
	now := func() time.Time { return *clock.Load() }
	set(first.Add(-4 * 24 * time.Hour))

	type replica struct {
		db    *storage.DB
		sched *scheduler.Scheduler
		stop  func()
	}
	start := func() *replica {
		db, err := storage.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		runCtx, cancel := context.WithCancel(ctx)
		// The clock jumps an hour at each step, and the dispatchers read
		// each other's heartbeats with it: Alive must outlast the whole
		// simulated span (dispatchers' clocks must agree well within it),
		// or a live peer whose last beat came before a jump would look
		// dead and have its sends in flight taken over and sent twice.
		disp := &outbox.Dispatcher{DB: db, Senders: map[bots.Platform]bots.Sender{bots.Telegram: newAdapter(t, ctx, srv.URL(), srv.Token())},
			Conditions: training.New(db, training.Options{}), Workers: 2, PollInterval: 10 * time.Millisecond, Now: now, Logger: quiet,
			Alive: 1000 * time.Hour}
		s, err := scheduler.New(scheduler.Config{DB: db, Now: now, Logger: quiet, LeaderCheck: 20 * time.Millisecond, Manual: true})
		if err != nil {
			t.Fatal(err)
		}
		deps := scheduler.Training{
			Store: training.New(db, training.Options{}),
			Enqueue: func(ctx context.Context, msgs ...outbox.Message) (int, error) {
				return outbox.Enqueue(ctx, db, msgs...)
			},
			Wake: disp.Wake, Logger: quiet,
			Offsets: []time.Duration{3 * 24 * time.Hour, 24 * time.Hour, 2 * time.Hour}, NudgeSpacing: 24 * time.Hour,
		}
		for _, j := range scheduler.TrainingJobs(deps) {
			if err := s.Add(j); err != nil {
				t.Fatal(err)
			}
		}
		var wg sync.WaitGroup
		wg.Go(func() { _ = disp.Run(runCtx) })
		s.Start()
		r := &replica{db: db, sched: s}
		r.stop = func() { s.Stop(); cancel(); wg.Wait(); db.Close() }
		return r
	}
	reps := []*replica{start(), start()}
	defer func() {
		for _, r := range reps {
			r.stop()
		}
	}()
	leaders := func() (n int, who int) {
		for i, r := range reps {
			if r.sched.IsLeader() {
				n, who = n+1, i
			}
		}
		return n, who
	}
	poll(t, hang, "one leader", func() bool { n, _ := leaders(); return n == 1 })
	quiet := func() bool {
		return countRows(t, setup, `status = 'sending' OR (status = 'pending' AND next_attempt_at <= ?)`, now().UTC()) == 0
	}
	end := first.Add(time.Duration(sessions-1)*24*time.Hour + 7*time.Hour + 2*time.Hour + 2*24*time.Hour + time.Hour)
	handedOver := false
	for at := now(); !at.After(end); at = at.Add(time.Hour) {
		set(at)
		var wg sync.WaitGroup
		for _, r := range reps {
			wg.Go(func() { r.sched.Tick(ctx) })
		}
		wg.Wait()
		poll(t, hang, "outbox drained at "+at.String(), quiet)
		if !handedOver && at.After(first.Add(24*time.Hour)) {
			// The leader dies; the other replica takes over.
			_, who := leaders()
			reps[who].stop()
			reps = append(reps[:who], reps[who+1:]...)
			poll(t, hang, "hand-over", func() bool { return reps[0].sched.IsLeader() })
			handedOver = true
		}
	}
	// 3 reminders per session, and per session one invitation and two
	// nudges, per person; and the quarterly JP message of 1 December
	// (no attendance is recorded, so everyone is behind).
	const perPerson = sessions*(3+1+2) + 1
	if n := countRows(t, setup, `status = 'sent'`); n != people*perPerson {
		t.Errorf("%d messages sent, want %d", n, people*perPerson)
	}
	if n := countRows(t, setup, `status <> 'sent'`); n != 0 {
		t.Errorf("%d messages not sent", n)
	}
	want := outboxTexts(t, setup, outbox.Sent)
	got := sentTexts(srv)
	perChat := map[int64]int{}
	for _, m := range srv.Sent() {
		perChat[m.ChatID]++
	}
	for _, chat := range w.ChatIDs {
		id, _ := strconv.ParseInt(chat, 10, 64)
		if perChat[id] != perPerson {
			t.Errorf("chat %s received %d messages, want %d", chat, perChat[id], perPerson)
		}
	}
	for k, n := range got {
		if want[k] != n {
			t.Errorf("delivered %d times, recorded %d times: %q", n, want[k], k)
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d distinct messages delivered, %d recorded", len(got), len(want))
	}
	t.Logf("two replicas, simulated %s: %d messages to %d people, each exactly once", end.Sub(first.Add(-4*24*time.Hour)), len(srv.Sent()), people)
}

// dispatcherDir holds the built dispatcher; TestMain removes it.
var dispatcherDir string

// dispatcherBinary builds testdata/dispatcher once per test binary,
// without the race detector.
var dispatcherBinary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "hub-dispatcher-")
	if err != nil {
		return "", err
	}
	dispatcherDir = dir
	bin := filepath.Join(dir, "dispatcher")
	cmd := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "build", "-o", bin, "./testdata/dispatcher")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./testdata/dispatcher: %v\n%s", err, out)
	}
	return bin, nil
})

// TestKillDispatcher kills (SIGKILL) the process dispatching 10,000
// reminders half-way and starts it again: every reminder is delivered, and
// duplicates are no more than the sends in flight at the kill (the rows it
// held claimed).
func TestKillDispatcher(t *testing.T) {
	for _, d := range storagetest.Backends {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			url := storagetest.URL(t, d)
			db, err := storage.Open(ctx, url)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			people, sessions := 1000, 10
			if testing.Short() {
				people = 200
			}
			total := people * sessions
			now := time.Now()
			// Sessions start within the next hours; with a 2-hour offset
			// every reminder is due now and none has expired.
			w := trainingtest.Build(t, db, trainingtest.Spec{ASN: people, Sessions: sessions, Start: now.Add(time.Hour).Truncate(time.Minute), Gap: time.Minute})
			deps := scheduler.Training{Store: w.Store, Logger: quiet, Offsets: []time.Duration{2 * time.Hour},
				Enqueue: func(ctx context.Context, msgs ...outbox.Message) (int, error) {
					return outbox.Enqueue(ctx, db, msgs...)
				}}
			if err := scheduler.SendDueReminders(ctx, deps, now); err != nil {
				t.Fatal(err)
			}
			if n := countRows(t, db, `status = 'pending'`); n != total {
				t.Fatalf("%d reminders enqueued, want %d", n, total)
			}
			bin, err := dispatcherBinary()
			if err != nil {
				t.Fatal(err)
			}
			srv := telegramtest.NewServer(t)
			child := func() *exec.Cmd {
				cmd := exec.Command(bin)
				cmd.Env = append(os.Environ(), "HUB_DATABASE_URL="+url,
					"HUB_TELEGRAM_API_URL="+srv.URL(), "HUB_TELEGRAM_TOKEN="+srv.Token())
				cmd.Stderr = os.Stderr
				out, err := cmd.StdoutPipe()
				if err != nil {
					t.Fatal(err)
				}
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				line, _ := bufio.NewReader(out).ReadString('\n')
				if line != "ready\n" {
					_ = cmd.Process.Kill()
					_ = cmd.Wait()
					t.Fatalf("child said %q", line)
				}
				return cmd
			}
			started := time.Now()
			cmd := child()
			poll(t, 120*time.Second, "half the reminders sent", func() bool { return len(srv.Sent()) >= total/2 })
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			_ = cmd.Wait()
			atKill := len(srv.Sent())
			inFlight := countRows(t, db, `status = 'sending'`)
			recorded := countRows(t, db, `status = 'sent'`)

			cmd = child()
			defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
			poll(t, 180*time.Second, "every reminder sent", func() bool { return countRows(t, db, `status = 'sent'`) == total })
			elapsed := time.Since(started)

			got := sentTexts(srv)
			dups := 0
			for _, n := range got {
				dups += n - 1
			}
			if len(got) != total {
				t.Errorf("%d distinct reminders delivered, want %d", len(got), total)
			}
			if dups > inFlight {
				t.Errorf("%d duplicates, more than the %d sends in flight at the kill", dups, inFlight)
			}
			if n := countRows(t, db, `status <> 'sent'`); n != 0 {
				t.Errorf("%d reminders not sent", n)
			}
			t.Logf("%s: killed after %d deliveries (%d recorded, %d claimed in flight); %d duplicates; all %d delivered in %s",
				d, atKill, recorded, inFlight, dups, total, elapsed.Round(time.Millisecond))
		})
	}
}

// TestFlakyAPIDeliversOrFails sends 1,000 messages through a fake API that
// fails 20 % of sends: every message ends delivered or failed after
// MaxAttempts tries, with its error recorded, and nothing is lost.
func TestFlakyAPIDeliversOrFails(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		srv := telegramtest.NewServer(t)
		var mu sync.Mutex
		rng := rand.New(rand.NewPCG(4, 20))
		srv.SetFaults(func(method string, chatID int64) telegramtest.Fault {
			if method != "sendMessage" {
				return telegramtest.Fault{}
			}
			mu.Lock()
			defer mu.Unlock()
			if rng.Float64() < 0.2 {
				return telegramtest.Fault{Status: 502}
			}
			return telegramtest.Fault{}
		})
		const total, maxAttempts = 1000, 3
		msgs := make([]outbox.Message, total)
		for i := range msgs {
			chat := strconv.Itoa(200000 + i%500)
			msgs[i] = outbox.Message{Key: "flaky:" + strconv.Itoa(i), Out: bots.Outgoing{Platform: bots.Telegram, ChatID: chat, Text: "Pesan uji nomor " + strconv.Itoa(i)}}
		}
		if _, err := outbox.Enqueue(ctx, db, msgs...); err != nil {
			t.Fatal(err)
		}
		runCtx, cancel := context.WithCancel(ctx)
		d := &outbox.Dispatcher{DB: db, Senders: map[bots.Platform]bots.Sender{bots.Telegram: newAdapter(t, ctx, srv.URL(), srv.Token())},
			Workers: 8, MaxAttempts: maxAttempts, Backoff: func(int) time.Duration { return time.Millisecond },
			PollInterval: 5 * time.Millisecond, Logger: quiet}
		var wg sync.WaitGroup
		wg.Go(func() { _ = d.Run(runCtx) })
		poll(t, 120*time.Second, "every message settled", func() bool { return countRows(t, db, `status IN ('pending', 'sending')`) == 0 })
		cancel()
		wg.Wait()

		sent, failed := countRows(t, db, `status = 'sent'`), countRows(t, db, `status = 'failed'`)
		if sent+failed != total {
			t.Fatalf("%d sent + %d failed ≠ %d", sent, failed, total)
		}
		if n := countRows(t, db, db.Rebind(`status = 'failed' AND (attempts <> ? OR last_error = '')`), maxAttempts); n != 0 {
			t.Errorf("%d failed messages without %d attempts and an error", n, maxAttempts)
		}
		listed, err := outbox.New(db).List(ctx, outbox.Failed, outbox.MaxListLimit)
		if err != nil || len(listed) != failed {
			t.Errorf("officers see %d failed messages, want %d (%v)", len(listed), failed, err)
		}
		got, want := sentTexts(srv), outboxTexts(t, db, outbox.Sent)
		for k, n := range want {
			if got[k] != n {
				t.Errorf("recorded as sent %d times, delivered %d times: %q", n, got[k], k)
			}
		}
		if len(srv.Sent()) != sent {
			t.Errorf("%d deliveries, %d recorded as sent", len(srv.Sent()), sent)
		}
		attempts := len(srv.Attempts())
		t.Logf("20%% failing API: %d delivered, %d failed after %d tries (expected ≈ %.0f), %d attempts for %d messages",
			sent, failed, maxAttempts, total*0.008, attempts, total)
	})
}

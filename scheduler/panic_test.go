package scheduler_test

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tebingtinggi/hub/internal/panics"
	"github.com/tebingtinggi/hub/internal/testlog"
	"github.com/tebingtinggi/hub/scheduler"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

func TestPanickingJobRunIsAbandoned(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		var mu sync.Mutex
		now := time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)
		clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
		advance := func() { mu.Lock(); defer mu.Unlock(); now = now.Add(time.Minute) }
		logs := &testlog.Buffer{}
		// No check of the lock during the test: on a loaded machine one
		// that took over a second would end the leadership between ticks.
		s, err := scheduler.New(scheduler.Config{DB: db, Now: clock, Manual: true, LeaderCheck: time.Hour,
			Logger: slog.New(slog.NewTextHandler(logs, nil))})
		if err != nil {
			t.Fatal(err)
		}
		poisonRuns, afterRuns := 0, 0
		const private = "NIP 199203152019032002 atas nama Budi"
		for _, j := range []scheduler.Job{
			{Name: "poison", Spec: "* * * * *", Run: func(context.Context, time.Time) error {
				poisonRuns++
				panic("unable to remind " + private) // must not reach the log
			}},
			{Name: "after", Spec: "* * * * *", Run: func(context.Context, time.Time) error { afterRuns++; return nil }},
		} {
			if err := s.Add(j); err != nil {
				t.Fatal(err)
			}
		}
		s.Start()
		t.Cleanup(s.Stop)
		waitFor(t, s.IsLeader)
		before := panics.Recovered("scheduler")
		s.Tick(context.Background()) // the starting point
		for i := range 2 {
			advance()
			if ran := s.Tick(context.Background()); !slices.Equal(ran, []string{"poison", "after"}) {
				t.Fatalf("tick %d ran %v; want both jobs", i, ran)
			}
		}
		// The job after the panicking one ran each time, and the panicking
		// one ran once a moment, not again at once nor never again.
		if poisonRuns != 2 || afterRuns != 2 {
			t.Errorf("poison ran %d times, after %d; want 2 each", poisonRuns, afterRuns)
		}
		if got := panics.Recovered("scheduler") - before; got != 2 {
			t.Errorf("hub_panics_total{component=scheduler} grew by %v; want 2", got)
		}
		out := logs.String()
		if n := strings.Count(out, "level=ERROR"); n != 2 || strings.Count(out, "job=poison") != 2 || !strings.Contains(out, "panic_test.go") {
			t.Errorf("want one ERROR line per run naming the job, with the stack; logs:\n%s", out)
		}
		for _, p := range []string{"199203152019032002", "Budi"} {
			if strings.Contains(out, p) {
				t.Errorf("the log gives away the panic's data (%q):\n%s", p, out)
			}
		}
	})
}

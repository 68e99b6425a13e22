// Package scheduler runs the hub's periodic jobs on robfig/cron in the
// city's time zone (Asia/Jakarta, WIB). A job is a named function taking
// its dependencies and the time it runs for, so that tests call it
// directly with any clock. With Postgres and several replicas, jobs run
// only on the leader: the process holding a Postgres advisory lock on a
// dedicated connection. With SQLite the one process is always the leader.
// A job's run ends (its context is cancelled) when its process stops
// leading, so that a leader that lost the lock stops working beside the
// next one.
package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
	_ "time/tzdata" // Asia/Jakarta must resolve on hosts without tzdata

	"github.com/robfig/cron/v3"

	"github.com/tebingtinggi/hub/internal/panics"
	"github.com/tebingtinggi/hub/storage"
)

// Job is one named periodic task.
type Job struct {
	// Name identifies the job in logs; names are unique per Scheduler.
	Name string
	// Spec is a standard five-field cron spec in the Scheduler's location,
	// e.g. "30 2 * * *" (daily at 02:30), or a descriptor like "@every 1m".
	Spec string
	// Run does the work for the moment now.
	Run func(ctx context.Context, now time.Time) error
}

// LockKey is the Postgres advisory lock key that elects the leader
// ("hubsched" in ASCII).
const LockKey int64 = 0x6875627363686564

// Config configures a Scheduler; DB is required.
type Config struct {
	DB *storage.DB
	// Location is the time zone of the specs (default Asia/Jakarta).
	Location *time.Location
	// Now is the clock handed to jobs (default time.Now).
	Now    func() time.Time
	Logger *slog.Logger
	// LeaderCheck is how often the leader checks that it still holds the
	// lock, and how long a check may take and a failed attempt to seek the
	// lock waits (default 5s, so that a leader that lost its connection
	// stops within 15 seconds); a standby waits for the lock and leads as
	// soon as it is free.
	LeaderCheck time.Duration
	// Manual leaves the wall-clock cron off: jobs run only when Tick is
	// called (tests and tools driving a simulated clock). Leadership is
	// still sought.
	Manual bool
}

// Scheduler runs jobs on the leader.
type Scheduler struct {
	cfg   Config
	cron  *cron.Cron
	log   *slog.Logger
	names map[string]bool
	jobs  []*entry
	// leading ends when this process stops leading; nil while it does not
	// lead.
	leading atomic.Pointer[context.Context]

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// New returns a Scheduler; add jobs, then Start it.
func New(cfg Config) (*Scheduler, error) {
	if cfg.DB == nil {
		return nil, errors.New("scheduler: Config.DB is required")
	}
	if cfg.Location == nil {
		loc, err := time.LoadLocation("Asia/Jakarta")
		if err != nil {
			return nil, fmt.Errorf("scheduler: unable to load Asia/Jakarta: %w", err)
		}
		cfg.Location = loc
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.LeaderCheck <= 0 {
		cfg.LeaderCheck = 5 * time.Second
	}
	s := &Scheduler{cfg: cfg, log: cfg.Logger, names: map[string]bool{}}
	s.cron = cron.New(cron.WithLocation(cfg.Location))
	s.ctx, s.cancel = context.WithCancel(context.Background())
	if cfg.DB.Dialect != storage.Postgres {
		s.leading.Store(&s.ctx)
	}
	return s, nil
}

// entry is a job with its parsed schedule.
type entry struct {
	job     Job
	sched   cron.Schedule
	running sync.Mutex // held while the job runs: runs never overlap
	// last is the moment up to which Tick has considered the job.
	last time.Time
}

// ParseSpec checks a cron spec as Add reads it: five fields (minute, hour,
// day of month, month, day of week) or a descriptor such as "@daily" or
// "@every 1m".
func ParseSpec(spec string) (cron.Schedule, error) {
	return cron.ParseStandard(spec)
}

// Add schedules job; a duplicate name or a bad spec is refused.
func (s *Scheduler) Add(job Job) error {
	if job.Name == "" || job.Run == nil {
		return errors.New("scheduler: a job needs a name and a function")
	}
	if s.names[job.Name] {
		return fmt.Errorf("scheduler: job %q added twice", job.Name)
	}
	sched, err := ParseSpec(job.Spec)
	if err != nil {
		return fmt.Errorf("scheduler: job %q: bad spec %q: %w", job.Name, job.Spec, err)
	}
	e := &entry{job: job, sched: sched}
	s.cron.Schedule(sched, cron.FuncJob(func() { s.run(s.ctx, e, s.cfg.Now()) }))
	s.names[job.Name] = true
	s.jobs = append(s.jobs, e)
	return nil
}

// IsLeader reports whether this process runs the jobs now.
func (s *Scheduler) IsLeader() bool { return s.leadership() != nil }

// leadership returns the context of this process's leadership, or nil
// when it does not lead.
func (s *Scheduler) leadership() context.Context {
	lead := s.leading.Load()
	if lead == nil || (*lead).Err() != nil {
		return nil
	}
	return *lead
}

// run runs e for now on the leader, unless its previous run is still
// going (a slow run is not stacked up behind itself); it reports whether it
// ran. The run's context ends with ctx and with the leadership.
func (s *Scheduler) run(ctx context.Context, e *entry, now time.Time) bool {
	lead := s.leadership()
	if lead == nil {
		return false
	}
	if !e.running.TryLock() {
		s.log.Warn("scheduler: job still running, skipping this turn", "job", e.job.Name)
		return false
	}
	defer e.running.Unlock()
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	stop := context.AfterFunc(lead, func() { cancel(errLostLeadership) })
	defer stop()
	start := time.Now()
	// A panic ends this run only: the process, the other jobs and this
	// job's next run (at its next moment, not at once) go on. A run is not
	// a recorded item that comes back after a restart; what it had done
	// stays done, and its jobs are written to pick up what it left.
	err := panics.Call(func() error { return e.job.Run(ctx, now) })
	if p, ok := errors.AsType[*panics.Error](err); ok {
		panics.Log(s.log, "scheduler", "scheduler: panic in a job's run; run abandoned", p, "job", e.job.Name)
		return true
	}
	if errors.Is(context.Cause(ctx), errLostLeadership) && s.ctx.Err() == nil {
		s.log.Warn("scheduler: job stopped: this process no longer leads", "job", e.job.Name)
		return true
	}
	if err != nil && ctx.Err() == nil {
		s.log.Error("scheduler: job failed", "job", e.job.Name, "error", err)
		return true
	}
	s.log.Debug("scheduler: job done", "job", e.job.Name, "duration", time.Since(start))
	return true
}

// errLostLeadership ends a job's run when its process stops leading.
var errLostLeadership = errors.New("scheduler: this process no longer leads")

// Tick runs, on the leader and one after the other in the order they were
// added, the jobs with a scheduled moment in (previous Tick, Config.Now()],
// each once however many moments passed. The first Tick only sets the
// starting point. Tick lets a test (or a tool) drive the jobs with a
// simulated clock instead of the wall clock that Start uses; it returns the
// names of the jobs it ran.
func (s *Scheduler) Tick(ctx context.Context) []string {
	now := s.cfg.Now().In(s.cfg.Location)
	var ran []string
	for _, e := range s.jobs {
		due := !e.last.IsZero() && !e.sched.Next(e.last).After(now)
		if e.last.IsZero() || now.After(e.last) {
			e.last = now
		}
		if due && s.run(ctx, e, now) {
			ran = append(ran, e.job.Name)
		}
	}
	return ran
}

// Start begins running jobs (and, on Postgres, seeking leadership).
func (s *Scheduler) Start() {
	if s.cfg.DB.Dialect == storage.Postgres {
		s.wg.Add(1)
		go func() { defer s.wg.Done(); s.elect(s.ctx) }()
	}
	if !s.cfg.Manual {
		s.cron.Start()
	}
}

// Stop stops scheduling, lets running jobs finish (their context is
// cancelled), gives up leadership and returns once all is done.
func (s *Scheduler) Stop() {
	done := s.cron.Stop()
	s.cancel()
	<-done.Done()
	s.wg.Wait()
}

// elect holds the advisory lock (storage.DB.HoldLock): a standby waits for
// it and leads the moment the leader stops, dies or loses its connection,
// which the leader checks every LeaderCheck.
func (s *Scheduler) elect(ctx context.Context) {
	for ctx.Err() == nil {
		held, release, err := s.cfg.DB.HoldLock(ctx, LockKey, s.cfg.LeaderCheck, nil)
		if err != nil {
			if ctx.Err() == nil {
				s.log.Warn("scheduler: unable to seek leadership; retrying", "error", err)
			}
			t := time.NewTimer(s.cfg.LeaderCheck)
			select {
			case <-ctx.Done():
			case <-t.C:
			}
			t.Stop()
			continue
		}
		s.leading.Store(&held)
		s.log.Info("scheduler: this process is the leader")
		<-held.Done()
		s.leading.Store(nil)
		release()
		if ctx.Err() == nil {
			s.log.Warn("scheduler: lost leadership with the lock's database connection")
		}
	}
}

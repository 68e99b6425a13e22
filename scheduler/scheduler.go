// Package scheduler runs the hub's periodic jobs on robfig/cron in the
// city's time zone (Asia/Jakarta, WIB). A job is a named function taking
// its dependencies and the time it runs for, so that tests call it
// directly with any clock. With Postgres and several replicas, jobs run
// only on the leader: the process holding a Postgres advisory lock on a
// dedicated connection. With SQLite the one process is always the leader.
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
	// LeaderCheck is how often leadership is sought or verified (default
	// 15s).
	LeaderCheck time.Duration
}

// Scheduler runs jobs on the leader.
type Scheduler struct {
	cfg    Config
	cron   *cron.Cron
	log    *slog.Logger
	names  map[string]bool
	leader atomic.Bool

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
		cfg.LeaderCheck = 15 * time.Second
	}
	s := &Scheduler{cfg: cfg, log: cfg.Logger, names: map[string]bool{}}
	s.cron = cron.New(cron.WithLocation(cfg.Location))
	s.ctx, s.cancel = context.WithCancel(context.Background())
	if cfg.DB.Dialect != storage.Postgres {
		s.leader.Store(true)
	}
	return s, nil
}

// Add schedules job; a duplicate name or a bad spec is refused.
func (s *Scheduler) Add(job Job) error {
	if job.Name == "" || job.Run == nil {
		return errors.New("scheduler: a job needs a name and a function")
	}
	if s.names[job.Name] {
		return fmt.Errorf("scheduler: job %q added twice", job.Name)
	}
	if _, err := s.cron.AddFunc(job.Spec, func() { s.run(job) }); err != nil {
		return fmt.Errorf("scheduler: job %q: bad spec %q: %w", job.Name, job.Spec, err)
	}
	s.names[job.Name] = true
	return nil
}

// IsLeader reports whether this process runs the jobs now.
func (s *Scheduler) IsLeader() bool { return s.leader.Load() }

func (s *Scheduler) run(job Job) {
	if !s.IsLeader() {
		return
	}
	start := time.Now()
	err := job.Run(s.ctx, s.cfg.Now())
	if err != nil && s.ctx.Err() == nil {
		s.log.Error("scheduler: job failed", "job", job.Name, "error", err)
		return
	}
	s.log.Info("scheduler: job done", "job", job.Name, "duration", time.Since(start))
}

// Start begins running jobs (and, on Postgres, seeking leadership).
func (s *Scheduler) Start() {
	if s.cfg.DB.Dialect == storage.Postgres {
		s.wg.Add(1)
		go func() { defer s.wg.Done(); s.elect(s.ctx) }()
	}
	s.cron.Start()
}

// Stop stops scheduling, lets running jobs finish (their context is
// cancelled), gives up leadership and returns once all is done.
func (s *Scheduler) Stop() {
	done := s.cron.Stop()
	s.cancel()
	<-done.Done()
	s.wg.Wait()
}

// elect holds the advisory lock on a dedicated connection: the session
// lock lives as long as the connection, so a crashed leader frees it at
// once. Leadership is re-checked every LeaderCheck.
func (s *Scheduler) elect(ctx context.Context) {
	var conn interface {
		PingContext(context.Context) error
		Close() error
	}
	defer func() {
		if conn != nil {
			_ = conn.Close()
		}
		s.leader.Store(false)
	}()
	t := time.NewTicker(s.cfg.LeaderCheck)
	defer t.Stop()
	for {
		if conn != nil {
			if err := conn.PingContext(ctx); err != nil {
				// The connection and with it the lock are gone.
				_ = conn.Close()
				conn = nil
				if s.leader.Swap(false) {
					s.log.Warn("scheduler: lost leadership", "error", err)
				}
			}
		}
		if conn == nil && ctx.Err() == nil {
			c, err := s.cfg.DB.Conn(ctx)
			if err == nil {
				var got bool
				err = c.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1)`, LockKey).Scan(&got)
				if err == nil && got {
					conn = c
					s.leader.Store(true)
					s.log.Info("scheduler: this process is the leader")
				} else {
					_ = c.Close()
				}
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

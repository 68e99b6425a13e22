package scheduler

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/robfig/cron/v3"
)

// MaxRehearsalSteps bounds the simulated moments of one Rehearse.
const MaxRehearsalSteps = 200_000

// Rehearse runs jobs as a leader would between from and to, on a simulated
// clock: at from, then every step, and also at each scheduled moment of the
// jobs that run less often than step, every job with a moment in the
// interval since its last run runs once, with the simulated time. Jobs that
// run more often than step are thus run every step, so the times of what
// they plan are accurate to step; the others run at their exact moments.
//
// before, when set, is told each simulated moment before the jobs run at
// it. Rehearse writes whatever the jobs write: give it jobs on a scratch
// database (a copy, or a transaction that is rolled back afterwards), with
// an Enqueuer that records. It stops at the first failing job.
func Rehearse(ctx context.Context, jobs []Job, from, to time.Time, step time.Duration, loc *time.Location, before func(time.Time)) error {
	if loc == nil {
		loc = time.UTC
	}
	if step < time.Minute {
		return errors.New("scheduler: a rehearsal step must be at least one minute")
	}
	if !to.After(from) {
		return errors.New("scheduler: a rehearsal needs its end after its start")
	}
	if to.Sub(from)/step > MaxRehearsalSteps {
		return fmt.Errorf("scheduler: a rehearsal of %s in steps of %s is too long; take a larger step", to.Sub(from), step)
	}
	from, to = from.In(loc), to.In(loc)
	type planned struct {
		job   Job
		sched cron.Schedule
		last  time.Time
	}
	ps := make([]*planned, 0, len(jobs))
	var moments []time.Time
	for t := from; !t.After(to); t = t.Add(step) {
		moments = append(moments, t)
	}
	for _, j := range jobs {
		sched, err := ParseSpec(j.Spec)
		if err != nil {
			return fmt.Errorf("scheduler: job %q: bad spec %q: %w", j.Name, j.Spec, err)
		}
		ps = append(ps, &planned{job: j, sched: sched, last: from.Add(-step)})
		first := sched.Next(from)
		if sched.Next(first).Sub(first) <= step {
			continue // frequent: every step
		}
		for t := sched.Next(from.Add(-time.Nanosecond)); !t.IsZero() && !t.After(to); t = sched.Next(t) {
			moments = append(moments, t)
			if len(moments) > MaxRehearsalSteps {
				return fmt.Errorf("scheduler: job %q runs too often for a rehearsal of %s", j.Name, to.Sub(from))
			}
		}
	}
	slices.SortFunc(moments, time.Time.Compare)
	moments = slices.CompactFunc(moments, time.Time.Equal)
	for _, now := range moments {
		if err := ctx.Err(); err != nil {
			return err
		}
		if before != nil {
			before(now)
		}
		for _, p := range ps {
			if p.sched.Next(p.last).After(now) {
				continue
			}
			p.last = now
			if err := p.job.Run(ctx, now); err != nil {
				return fmt.Errorf("scheduler: job %q at %s: %w", p.job.Name, now.Format(time.RFC3339), err)
			}
		}
	}
	return nil
}

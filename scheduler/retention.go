package scheduler

import (
	"context"
	"errors"
	"log/slog"
	"time"
)

// Purger deletes (or blanks) what is older than a moment and says how
// much it deleted: inbox.Store.PurgeMessagesBefore, outbox.Store.PurgeBefore,
// training.Store.PurgeBefore and handlers.PurgeUpdatesBefore fit. Every
// package that keeps personal data gives the job one, so that the README's
// personal data inventory holds for every column.
type Purger func(ctx context.Context, before time.Time) (int64, error)

// Retention are the dependencies of the message-retention job.
type Retention struct {
	// Messages purges the message log, the personal text of tickets and
	// the names and ids of idle conversations after Keep.
	Messages Purger
	// Training blanks what ASN typed (Berhalangan reasons, named survey
	// rounds' free text) and deletes expired link codes after Keep.
	Training Purger
	// Sessions deletes conversation states untouched for Keep.
	Sessions Purger
	// Outbox purges delivered messages after Keep.
	Outbox Purger
	// Updates purges the records of handled updates after KeepUpdates:
	// they only serve de-duplication.
	Updates Purger
	// Logins deletes the web admin's expired failed logins and sessions,
	// by its own windows: it is given the job's moment, not a cut-off.
	Logins Purger
	// Keep is the message retention (HUB_MESSAGE_RETENTION_DAYS).
	Keep time.Duration
	// KeepUpdates defaults to 7 days.
	KeepUpdates time.Duration
	Logger      *slog.Logger
}

// MessageRetentionSpec runs the retention job daily at 02:30 WIB.
const MessageRetentionSpec = "30 2 * * *"

// MessageRetention is the daily job enforcing the message retention.
func MessageRetention(deps Retention) Job {
	return Job{Name: "message-retention", Spec: MessageRetentionSpec, Run: func(ctx context.Context, now time.Time) error {
		return PurgeMessages(ctx, deps, now)
	}}
}

// PurgeMessages deletes what deps says is past its retention at now.
func PurgeMessages(ctx context.Context, deps Retention, now time.Time) error {
	if deps.Keep <= 0 {
		return errors.New("scheduler: message retention must be positive")
	}
	keepUpdates := deps.KeepUpdates
	if keepUpdates <= 0 {
		keepUpdates = 7 * 24 * time.Hour
	}
	log := deps.Logger
	if log == nil {
		log = slog.Default()
	}
	var errs []error
	counts := []any{}
	for _, p := range []struct {
		name   string
		purge  Purger
		before time.Time
	}{
		{"messages", deps.Messages, now.Add(-deps.Keep)},
		{"training", deps.Training, now.Add(-deps.Keep)},
		{"sessions", deps.Sessions, now.Add(-deps.Keep)},
		{"outbox", deps.Outbox, now.Add(-deps.Keep)},
		{"updates", deps.Updates, now.Add(-keepUpdates)},
		{"logins", deps.Logins, now},
	} {
		if p.purge == nil {
			continue
		}
		n, err := p.purge(ctx, p.before)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		counts = append(counts, p.name, n)
	}
	log.Info("scheduler: retention enforced", counts...)
	return errors.Join(errs...)
}

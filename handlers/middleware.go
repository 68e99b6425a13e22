package handlers

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/internal/logid"
	"github.com/tebingtinggi/hub/internal/panics"
	"github.com/tebingtinggi/hub/storage"
)

// Recover turns a panic in the handlers below into an error log (with the
// stack, never the message text nor the panic's value, which may hold it:
// see panics.Describe), a count in hub_panics_total and a polite apology
// to the person. The update then counts as handled: a panic is a bug, and
// retrying it would only repeat it. The Router rolls back what the
// handlers wrote before the panic.
func Recover(log *slog.Logger) Middleware {
	return func(next Handler) Handler {
		return HandlerFunc(func(ctx context.Context, in *Update) (outs []bots.Outgoing, err error) {
			defer func() {
				if p := recover(); p != nil {
					panics.Count("handlers")
					log.Error("handlers: panic while handling an update", "platform", in.Platform, "update_id", in.UpdateID,
						"kind", in.Kind, "route", in.route, "panic", panics.Describe(p), "stack", string(debug.Stack()))
					in.Session = nil // the state may be half-changed
					in.panicked = true
					outs, err = nil, nil
					if in.ChatID != "" && forTheBot(in.Incoming) {
						outs = []bots.Outgoing{{Text: textError}}
					}
				}
			}()
			return next.Handle(ctx, in)
		})
	}
}

// Log writes one structured line per update: ids, kind, route, decision,
// reply count and duration, and the person as a keyed hash (see logid)
// when ph is set. Message text, names and chat ids are personal data and
// are never logged.
func Log(log *slog.Logger, ph *logid.Hasher) Middleware {
	return func(next Handler) Handler {
		return HandlerFunc(func(ctx context.Context, in *Update) ([]bots.Outgoing, error) {
			start := time.Now()
			outs, err := next.Handle(ctx, in)
			if err == nil && !log.Enabled(ctx, slog.LevelDebug) {
				return outs, nil
			}
			tr := in
			attrs := []any{"platform", in.Platform, "update_id", in.UpdateID, "chat_type", in.ChatType, "kind", in.Kind,
				"route", tr.route, "replies", len(outs), "duration", time.Since(start)}
			if a := ph.Attr(string(in.Platform), in.UserID); a.Key != "" {
				attrs = append(attrs, a)
			}
			if tr.decision != "" {
				attrs = append(attrs, "decision", tr.decision)
			}
			if tr.limited {
				attrs = append(attrs, "rate_limited", true)
			}
			if err != nil {
				log.Warn("handlers: update failed", append(attrs, "error", err)...)
			} else {
				log.Debug("handlers: update handled", attrs...)
			}
			return outs, err
		})
	}
}

// rateLimiter counts a person's recent updates in the database, so that
// every replica agrees. Above the limit the person gets one notice and
// then silence until their rate drops below it again.
type rateLimiter struct {
	db     *storage.DB
	limit  int
	window time.Duration
	now    func() time.Time
	// dropped records what the limit silences (Config.Dropped; may be nil).
	dropped Handler
}

func (l *rateLimiter) Middleware() Middleware {
	return func(next Handler) Handler {
		return HandlerFunc(func(ctx context.Context, in *Update) ([]bots.Outgoing, error) {
			// Only what is addressed to the bot counts: group chatter
			// must not use up a person's quota.
			if !l.applies(in.Incoming) {
				return next.Handle(ctx, in)
			}
			over, notify, err := l.check(ctx, in)
			if err != nil {
				return nil, err
			}
			if !over {
				return next.Handle(ctx, in)
			}
			in.limited = true
			in.setRoute("rate_limited")
			if l.dropped != nil {
				// Silenced, not lost: the message stays in the
				// conversation for the officers.
				if _, err := l.dropped.Handle(ctx, in); err != nil {
					return nil, err
				}
			}
			// The notice is personal: it goes to a private chat or
			// nowhere, never into a group.
			if notify && in.ChatID != "" && in.ChatType == bots.Private {
				return []bots.Outgoing{{Text: textSlowDown}}, nil
			}
			return nil, nil
		})
	}
}

// rateCounts is what the rate limiter reads about a person: their other
// updates within the window, whether they have had the slow-down notice,
// and (saving the session middleware a round trip, see loadSession) their
// conversation state.
type rateCounts struct {
	N       int            `db:"n"`
	Noticed int            `db:"noticed"`
	State   sql.NullString `db:"state"`
}

// rateCountsColumns is the select list that reads rateCounts, given the
// placeholders of platform, update id, user id, chat id and the start of
// the window, in the dialect at hand (numbered, as each is used twice or
// more).
func rateCountsColumns(platform, update, user, chat, since string) string {
	return `(SELECT COUNT(*) FROM processed_updates WHERE platform = ` + platform + ` AND user_id = ` + user +
		` AND received_at > ` + since + ` AND update_id <> ` + update + ` AND addressed) AS n,
		(SELECT COUNT(*) FROM rate_notices WHERE platform = ` + platform + ` AND user_id = ` + user + `) AS noticed,
		(SELECT state FROM chat_sessions WHERE platform = ` + platform + ` AND chat_id = ` + chat + ` AND user_id = ` + user + `) AS state`
}

// applies reports whether the limit concerns in, and so whether check
// needs the person's counts.
func (l *rateLimiter) applies(in bots.Incoming) bool { return in.UserID != "" && forTheBot(in) }

// placeholders are the dialect's numbered placeholders $1…$n (?1…?n on
// SQLite), for statements that use some of their arguments twice.
func placeholders(d storage.Dialect, n int) []string {
	mark := "$"
	if d == storage.SQLite {
		mark = "?"
	}
	ph := make([]string, n)
	for i := range ph {
		ph[i] = mark + strconv.Itoa(i+1)
	}
	return ph
}

// check reports whether the person is over the limit and, if so, whether
// this update is the one that should carry the notice. It reads the
// person's counts unless the Router did as it recorded the update.
func (l *rateLimiter) check(ctx context.Context, in *Update) (over, notify bool, err error) {
	now := utc(l.now())
	c := in.stored
	if c == nil {
		c = new(rateCounts)
		ph := placeholders(l.db.Dialect, 5)
		if err := in.Tx.GetContext(ctx, c, `SELECT `+rateCountsColumns(ph[0], ph[1], ph[2], ph[3], ph[4]),
			string(in.Platform), in.UpdateID, in.UserID, in.ChatID, now.Add(-l.window)); err != nil {
			return false, false, fmt.Errorf("handlers: unable to count recent updates: %w", err)
		}
		in.stored = c
	}
	// The count leaves out the update at hand.
	if c.N+1 <= l.limit {
		if c.Noticed > 0 {
			if _, err := in.Tx.ExecContext(ctx, in.Tx.Rebind(`DELETE FROM rate_notices WHERE platform = ? AND user_id = ?`),
				string(in.Platform), in.UserID); err != nil {
				return false, false, fmt.Errorf("handlers: unable to clear rate notice: %w", err)
			}
		}
		return false, false, nil
	}
	if c.Noticed > 0 {
		return true, false, nil
	}
	res, err := in.Tx.ExecContext(ctx, in.Tx.Rebind(`INSERT INTO rate_notices (platform, user_id, noticed_at) VALUES (?, ?, ?)
		ON CONFLICT (platform, user_id) DO NOTHING`), string(in.Platform), in.UserID, now)
	if err != nil {
		return true, false, fmt.Errorf("handlers: unable to record rate notice: %w", err)
	}
	inserted, err := res.RowsAffected()
	if err != nil {
		return true, false, fmt.Errorf("handlers: unable to record rate notice: %w", err)
	}
	return true, inserted > 0, nil
}

// forTheBot reports whether in was meant for the bot: addressed to it, or
// a press of one of its buttons.
func forTheBot(in bots.Incoming) bool { return in.Addressed || in.Kind == bots.Press }

package slack

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/tebingtinggi/hub/internal/panics"
)

// The kinds of requests Slack sends.
const (
	kindEvent       = "event"
	kindInteraction = "interaction"
	kindCommand     = "command"
)

// request is one request from Slack, parsed far enough to know its
// identity: id is stable across Slack's retries.
type request struct {
	id      string
	kind    string
	payload []byte
}

// errIgnored marks a well-formed request the hub has nothing to do with
// (a closed modal, an event type it does not use): acknowledged, not
// recorded.
var errIgnored = errors.New("slack: request needs no processing")

// parseEvent reads an Events API body. A url_verification request returns
// its challenge instead of a request.
func parseEvent(body []byte) (req request, challenge string, err error) {
	var outer struct {
		Type      string          `json:"type"`
		Challenge string          `json:"challenge"`
		EventID   string          `json:"event_id"`
		Event     json.RawMessage `json:"event"`
	}
	if err := json.Unmarshal(body, &outer); err != nil {
		return request{}, "", fmt.Errorf("slack: event body is not JSON: %w", err)
	}
	switch outer.Type {
	case slackevents.URLVerification:
		if outer.Challenge == "" {
			return request{}, "", errors.New("slack: url_verification without a challenge")
		}
		return request{}, outer.Challenge, nil
	case slackevents.CallbackEvent:
	case "":
		return request{}, "", errors.New("slack: event body has no type")
	default:
		return request{}, "", errIgnored
	}
	if outer.EventID == "" || len(outer.Event) == 0 {
		return request{}, "", errors.New("slack: event_callback without event_id or event")
	}
	var inner struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(outer.Event, &inner); err != nil || inner.Type == "" {
		return request{}, "", errors.New("slack: event_callback's event has no type")
	}
	return request{id: "event:" + outer.EventID, kind: kindEvent, payload: body}, "", nil
}

// parseInteraction reads an interaction's JSON payload (the "payload"
// form field in HTTP mode).
func parseInteraction(payload []byte) (request, error) {
	var cb slack.InteractionCallback
	if err := json.Unmarshal(payload, &cb); err != nil {
		return request{}, fmt.Errorf("slack: interaction payload is not valid: %w", err)
	}
	if cb.User.ID == "" {
		return request{}, errors.New("slack: interaction payload has no user")
	}
	var id string
	switch cb.Type {
	case slack.InteractionTypeViewSubmission:
		// One submission per modal: a double submit is the same request.
		if cb.View.ID == "" {
			return request{}, errors.New("slack: view_submission without a view id")
		}
		id = "view:" + cb.View.ID
	case slack.InteractionTypeBlockActions:
		if len(cb.ActionCallback.BlockActions) == 0 {
			return request{}, errors.New("slack: block_actions without actions")
		}
		a := cb.ActionCallback.BlockActions[0]
		id = "action:" + cb.TriggerID
		if cb.TriggerID == "" {
			id = "action:" + cb.User.ID + ":" + a.ActionTs + ":" + a.ActionID
		}
	case slack.InteractionTypeViewClosed:
		return request{}, errIgnored
	case "":
		return request{}, errors.New("slack: interaction payload has no type")
	default:
		return request{}, errIgnored
	}
	return request{id: id, kind: kindInteraction, payload: payload}, nil
}

// parseCommand reads a slash command's form body.
func parseCommand(form url.Values) (request, error) {
	cmd := slack.SlashCommand{
		Command: form.Get("command"), Text: form.Get("text"), TriggerID: form.Get("trigger_id"),
		UserID: form.Get("user_id"), UserName: form.Get("user_name"), ChannelID: form.Get("channel_id"),
		ChannelName: form.Get("channel_name"), TeamID: form.Get("team_id"), ResponseURL: form.Get("response_url"),
	}
	return commandRequest(cmd)
}

func commandRequest(cmd slack.SlashCommand) (request, error) {
	if !strings.HasPrefix(cmd.Command, "/") || cmd.UserID == "" || cmd.ChannelID == "" || cmd.TriggerID == "" {
		return request{}, errors.New("slack: slash command needs command, user_id, channel_id and trigger_id")
	}
	payload, err := json.Marshal(cmd)
	if err != nil {
		return request{}, fmt.Errorf("slack: unable to encode slash command: %w", err)
	}
	return request{id: "command:" + cmd.TriggerID, kind: kindCommand, payload: payload}, nil
}

// record writes req durably and reports whether it is new; a request
// received before (a retry by Slack, a replay, a second replica's copy)
// is not.
func (a *Adapter) record(ctx context.Context, req request) (bool, error) {
	db := a.cfg.DB
	res, err := db.ExecContext(ctx, db.Rebind(`INSERT INTO slack_requests (id, kind, payload, status, received_at)
		VALUES (?, ?, ?, 'pending', ?) ON CONFLICT (id) DO NOTHING`),
		req.id, req.kind, string(req.payload), utc(a.now()))
	if err != nil {
		return false, fmt.Errorf("slack: unable to record request: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("slack: unable to record request: %w", err)
	}
	return n == 1, nil
}

func utc(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// Processing limits.
const (
	// requestLease is how long one processor owns a request before
	// recovery may take it over.
	requestLease = 30 * time.Second
	// maxRequestAttempts is how often a failing request is processed.
	maxRequestAttempts = 5
	// recoverEvery is how often unfinished requests are looked for.
	recoverEvery = 5 * time.Second
)

// take claims a pending request for processing and returns it; ok is
// false when it is finished or another processor holds it.
func (a *Adapter) take(ctx context.Context, id string) (req request, attempts int, ok bool, err error) {
	db := a.cfg.DB
	now := utc(a.now())
	var row struct {
		Kind     string `db:"kind"`
		Payload  string `db:"payload"`
		Attempts int    `db:"attempts"`
	}
	err = db.GetContext(ctx, &row, db.Rebind(`UPDATE slack_requests SET attempts = attempts + 1, lease_until = ?
		WHERE id = ? AND status = 'pending' AND (lease_until IS NULL OR lease_until <= ?)
		RETURNING kind, payload, attempts`), now.Add(requestLease), id, now)
	if errors.Is(err, sql.ErrNoRows) {
		return request{}, 0, false, nil
	}
	if err != nil {
		return request{}, 0, false, fmt.Errorf("slack: unable to take request: %w", err)
	}
	return request{id: id, kind: row.Kind, payload: []byte(row.Payload)}, row.Attempts, true, nil
}

// finish marks a request done (or failed) and drops its payload.
func (a *Adapter) finish(ctx context.Context, id, status string) error {
	db := a.cfg.DB
	if _, err := db.ExecContext(ctx, db.Rebind(`UPDATE slack_requests SET status = ?, payload = '', lease_until = NULL WHERE id = ?`), status, id); err != nil {
		return fmt.Errorf("slack: unable to finish request: %w", err)
	}
	return nil
}

// processOne takes the request and processes it, once.
//
// A panic while processing it is a bug that a retry would only repeat:
// the request is failed at once, logged by its id, and the processor goes
// on with the next one. A request whose processing never ended at all
// (the process died on it, of a crash no recover catches) is failed
// without another try once it has had its attempts, so that it cannot
// take the hub down after each restart.
func (a *Adapter) processOne(ctx context.Context, id string) {
	req, attempts, ok, err := a.take(ctx, id)
	if err != nil {
		a.log.Warn("slack: unable to take request", "error", err)
		return
	}
	if !ok {
		return
	}
	if attempts > maxRequestAttempts {
		a.log.Error("slack: giving up on request: its processing never completed", "request_id", logID(id),
			"kind", req.kind, "attempts", attempts-1)
		if err := a.finish(ctx, id, "failed"); err != nil {
			a.log.Warn("slack: unable to finish request", "error", err)
		}
		return
	}
	a.procMu.RLock()
	p := a.proc
	a.procMu.RUnlock()
	if p == nil {
		return // not serving yet: recovery takes it once the lease ends
	}
	err = panics.Call(func() error { return p.handle(ctx, req) })
	status := "done"
	if perr, ok := errors.AsType[*panics.Error](err); ok {
		panics.Log(a.log, "slack", "slack: panic while processing a request; failed, not retried", perr,
			"request_id", logID(id), "kind", req.kind, "attempt", attempts)
		status = "failed"
	} else if err != nil {
		if attempts < maxRequestAttempts {
			a.log.Warn("slack: processing failed; will retry", "kind", req.kind, "attempt", attempts, "error", err)
			return
		}
		a.log.Error("slack: giving up on request after repeated failures", "request_id", logID(id), "kind", req.kind, "attempts", attempts, "error", err)
		status = "failed"
	}
	if err := a.finish(ctx, id, status); err != nil {
		a.log.Warn("slack: unable to finish request", "error", err)
	}
}

// logID is how the logs name request id: as slack_requests has it, except
// that a press without a trigger id is named without the Slack user in it.
func logID(id string) string {
	if rest, ok := strings.CutPrefix(id, "action:"); ok {
		if _, after, ok := strings.Cut(rest, ":"); ok {
			return "action:…:" + after
		}
	}
	return id
}

// recoverPending processes the requests whose processor failed or died,
// once their lease ran out, and returns how many it found.
func (a *Adapter) recoverPending(ctx context.Context) (int, error) {
	db := a.cfg.DB
	var ids []string
	now := utc(a.now())
	if err := db.SelectContext(ctx, &ids, db.Rebind(`SELECT id FROM slack_requests
		WHERE status = 'pending' AND (lease_until IS NULL OR lease_until <= ?) AND received_at <= ?
		ORDER BY received_at LIMIT 100`), now, now.Add(-requestLease/10)); err != nil {
		return 0, fmt.Errorf("slack: unable to find unfinished requests: %w", err)
	}
	for _, id := range ids {
		a.processOne(ctx, id)
	}
	return len(ids), nil
}

// PurgeBefore deletes the records of requests finished before t (they
// serve de-duplication only) and returns how many it deleted.
func (a *Adapter) PurgeBefore(ctx context.Context, t time.Time) (int64, error) {
	db := a.cfg.DB
	res, err := db.ExecContext(ctx, db.Rebind(`DELETE FROM slack_requests WHERE received_at < ? AND status <> 'pending'`), utc(t))
	if err != nil {
		return 0, fmt.Errorf("slack: unable to purge requests: %w", err)
	}
	return res.RowsAffected()
}

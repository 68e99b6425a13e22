package telegram

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// Run receives updates until ctx is done and then returns nil.
//
// In polling mode (no WebhookURL) it calls deleteWebhook once and then
// getUpdates in a loop, delivering each update to sink in order. The offset
// is advanced past an update only after sink.Deliver returned nil; while it
// fails, the same update is retried with exponential backoff (capped at
// about 30s), so no update is lost or skipped.
//
// In webhook mode it calls setWebhook (URL, secret token, allowed updates)
// and then waits for ctx; updates arrive through WebhookHandler, which must
// be mounted on the hub's HTTP server at WebhookPath.
//
// Telegram being unreachable is retried with backoff and logged once; Run
// returns an error only when Telegram rejects the setup for good (e.g. an
// invalid token or webhook URL).
func (a *Adapter) Run(ctx context.Context, sink Sink) error {
	if a.webhookURL != "" {
		return a.runWebhook(ctx)
	}
	return a.runPolling(ctx, sink)
}

// backoff is an exponential, capped, cancellable pause.
type backoff struct {
	min, max, cur time.Duration
}

func (a *Adapter) newBackoff() *backoff { return &backoff{min: a.backoffMin, max: a.backoffMax} }

// wait pauses for the current delay and doubles it; false if ctx ended.
func (b *backoff) wait(ctx context.Context) bool {
	if b.cur < b.min {
		b.cur = b.min
	}
	t := time.NewTimer(b.cur)
	defer t.Stop()
	b.cur = min(2*b.cur, b.max)
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

func (b *backoff) reset() { b.cur = 0 }

// setup calls a setup method until it succeeds, retrying temporary
// failures; permanent ones are returned.
func (a *Adapter) setup(ctx context.Context, method string, params tgbotapi.Params) error {
	bo := a.newBackoff()
	for {
		_, d, err := a.call(ctx, a.client, method, params)
		if err == nil {
			a.failures.OK(failSetup)
			return nil
		}
		if ctx.Err() != nil {
			return nil
		}
		if se := classify(err, d); !se.Temporary && se.RetryAfter == 0 {
			return fmt.Errorf("telegram: %s: %w", method, err)
		}
		a.failures.Fail(failSetup, "method", method, "error", err.Error())
		if !bo.wait(ctx) {
			return nil
		}
	}
}

func (a *Adapter) runWebhook(ctx context.Context) error {
	allowed, _ := json.Marshal(AllowedUpdates)
	params := tgbotapi.Params{
		"url":             a.webhookURL,
		"secret_token":    a.secret,
		"allowed_updates": string(allowed),
	}
	if err := a.setup(ctx, "setWebhook", params); err != nil {
		return err
	}
	if ctx.Err() == nil {
		a.log.Info("telegram: receiving updates by webhook", "path", a.webhookPath)
	}
	<-ctx.Done()
	return nil
}

func (a *Adapter) runPolling(ctx context.Context, sink Sink) error {
	if err := a.setup(ctx, "deleteWebhook", nil); err != nil {
		return err
	}
	if ctx.Err() != nil {
		return nil
	}
	a.log.Info("telegram: receiving updates by long polling", "bot", a.Username())
	allowed, _ := json.Marshal(AllowedUpdates)
	timeout := strconv.Itoa(int(a.pollTimeout / time.Second))
	var answers sync.WaitGroup // answerCallbackQuery calls, awaited on return
	defer answers.Wait()
	offset := 0
	bo := a.newBackoff()
	for {
		params := tgbotapi.Params{"timeout": timeout, "allowed_updates": string(allowed)}
		if offset != 0 {
			params["offset"] = strconv.Itoa(offset)
		}
		resp, _, err := a.call(ctx, a.pollClient, "getUpdates", params)
		if err == nil {
			var raws []json.RawMessage
			if err = json.Unmarshal(resp.Result, &raws); err != nil {
				err = fmt.Errorf("decoding getUpdates result: %w", err)
			} else {
				bo.reset()
				a.failures.OK(failGetUpdates)
				var ok bool
				if offset, ok = a.deliverAll(ctx, sink, raws, offset, &answers); !ok {
					return nil
				}
				continue
			}
		}
		if ctx.Err() != nil {
			return nil
		}
		a.failures.Fail(failGetUpdates, "error", err.Error())
		if !bo.wait(ctx) {
			return nil
		}
	}
}

// deliverAll delivers a batch in order and returns the next offset; ok is
// false if ctx ended first.
func (a *Adapter) deliverAll(ctx context.Context, sink Sink, raws []json.RawMessage, offset int, answers *sync.WaitGroup) (next int, ok bool) {
	for _, raw := range raws {
		var probe struct {
			UpdateID *int `json:"update_id"`
		}
		if err := json.Unmarshal(raw, &probe); err != nil || probe.UpdateID == nil {
			a.failures.Fail(failUndecodable, "error", "update without update_id")
			continue
		}
		id := *probe.UpdateID
		if id < offset {
			continue // already acknowledged
		}
		var u tgbotapi.Update
		if err := json.Unmarshal(raw, &u); err != nil {
			// A shape the library cannot read would fail forever: skip it
			// rather than block every later update.
			a.failures.Fail(failUndecodable, "update_id", id, "error", err.Error())
			offset = id + 1
			continue
		}
		a.failures.OK(failUndecodable)
		bo := a.newBackoff()
		for {
			err := a.process(ctx, sink, &u, answers)
			if err == nil {
				break
			}
			if ctx.Err() != nil || !bo.wait(ctx) {
				return offset, false
			}
		}
		offset = id + 1
	}
	return offset, ctx.Err() == nil
}

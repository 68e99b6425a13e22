package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/bots/telegram"
)

// telegramBot starts the Telegram adapter in the background: getMe is
// retried until Telegram answers, so a hub started while Telegram is
// unreachable comes up and connects by itself. Until then the sender
// reports a temporary failure (the outbox retries) and the webhook answers
// 503 (Telegram redelivers).
type telegramBot struct {
	cfg     telegram.Config
	log     *slog.Logger
	adapter atomic.Pointer[telegram.Adapter]
}

var errTelegramNotReady = errors.New("telegram: the bot is not connected yet")

// Send implements bots.Sender.
func (b *telegramBot) Send(ctx context.Context, out bots.Outgoing) (string, error) {
	a := b.adapter.Load()
	if a == nil {
		return "", &bots.SendError{Temporary: true, Err: errTelegramNotReady}
	}
	return a.Send(ctx, out)
}

// webhook returns the handler to mount at the webhook URL's path.
func (b *telegramBot) webhook(sink telegram.Sink) http.Handler {
	var h atomic.Pointer[http.Handler]
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p := h.Load(); p != nil {
			(*p).ServeHTTP(w, r)
			return
		}
		a := b.adapter.Load()
		if a == nil {
			http.Error(w, "bot not ready", http.StatusServiceUnavailable)
			return
		}
		wh := a.WebhookHandler(sink)
		h.CompareAndSwap(nil, &wh)
		(*h.Load()).ServeHTTP(w, r)
	})
}

// run connects (retrying) and then receives updates until ctx ends.
func (b *telegramBot) run(ctx context.Context, sink telegram.Sink) error {
	wait, failing := time.Second, false
	for {
		a, err := telegram.New(ctx, b.cfg)
		if err == nil {
			b.adapter.Store(a)
			b.log.Info("telegram: connected", "bot", a.Username())
			return a.Run(ctx, sink)
		}
		if ctx.Err() != nil {
			return nil
		}
		if !failing {
			failing = true
			// err never contains the token (the adapter scrubs it).
			b.log.Error("telegram: cannot connect; retrying", "error", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
		wait = min(2*wait, time.Minute)
	}
}

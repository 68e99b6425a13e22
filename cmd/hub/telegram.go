package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/bots/telegram"
	"github.com/tebingtinggi/hub/storage"
)

// telegramBot starts the Telegram adapter in the background: getMe is
// retried until Telegram answers, so a hub started while Telegram is
// unreachable comes up and connects by itself. Until then the sender
// reports a temporary failure (the outbox retries) and the webhook answers
// 503 (Telegram redelivers).
//
// With long polling, Telegram serves one getUpdates caller per bot and
// answers a second one with 409 Conflict, so of several replicas on one
// Postgres database only the one holding the bot's polling lock polls; the
// others stand by, waiting for the lock, and the first to get it takes
// over when the poller stops or dies. Webhook updates reach any replica.
type telegramBot struct {
	cfg telegram.Config
	log *slog.Logger
	db  *storage.DB
	// lockCheck is how often the poller checks that it still holds the
	// polling lock.
	lockCheck time.Duration
	adapter   atomic.Pointer[telegram.Adapter]
	role      atomic.Value // a telegramRole, for /readyz
	// peers is how many dispatchers share the bot's global send rate,
	// this replica's included (see sharePeers).
	peers atomic.Int32
}

// sharePeers splits the bot's global send rate between the n dispatchers
// alive on the database (outbox.Dispatcher.Peers): two replicas sending
// at the full rate each would together go past Telegram's limit.
func (b *telegramBot) sharePeers(n int) {
	if old := int(b.peers.Swap(int32(n))); old == n || old == 0 && n == 1 {
		return // unchanged, or alone from the start
	}
	if a := b.adapter.Load(); a != nil {
		a.ShareLimits(n)
	}
	b.log.Info("telegram: sending at a share of the global rate", "dispatchers", n)
}

// telegramRole is what a replica does for the bot, as /readyz reports it.
type telegramRole string

const (
	roleConnecting telegramRole = "connecting"
	roleWebhook    telegramRole = "webhook"
	rolePolling    telegramRole = "polling"
	roleStandby    telegramRole = "standby"
)

// telegramPollLock is the base of the advisory lock keys that let one
// replica poll a bot ("tg" in ASCII in the top bytes); the bot's id, the
// number before the token's colon, is added to it.
const telegramPollLock int64 = 0x7467 << 48

// pollLock is the polling lock key of the bot with token.
func pollLock(token string) int64 {
	id, _, _ := strings.Cut(token, ":")
	n, _ := strconv.ParseInt(id, 10, 64) // loadConfig checked the form
	return telegramPollLock + n&(1<<48-1)
}

// Role is what this replica does for the bot now.
func (b *telegramBot) Role() telegramRole {
	if r, ok := b.role.Load().(telegramRole); ok {
		return r
	}
	return roleConnecting
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
			if n := b.peers.Load(); n > 1 {
				a.ShareLimits(int(n))
			}
			b.log.Info("telegram: connected", "bot", a.Username())
			if b.cfg.WebhookURL != "" {
				b.role.Store(roleWebhook)
				return a.Run(ctx, sink)
			}
			return b.poll(ctx, a, sink)
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

// poll receives updates by long polling while this replica holds the
// bot's polling lock, and stands by while another replica holds it.
func (b *telegramBot) poll(ctx context.Context, a *telegram.Adapter, sink telegram.Sink) error {
	wait, failing := time.Second, false
	for {
		b.role.Store(roleStandby)
		held, release, err := b.db.HoldLock(ctx, pollLock(b.cfg.Token), b.lockCheck, func() {
			b.log.Info("telegram: another replica polls for updates; this one stands by", "role", roleStandby)
		})
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			if !failing {
				failing = true
				b.log.Error("telegram: cannot take the polling lock; retrying", "error", err)
			}
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(wait):
			}
			wait = min(2*wait, time.Minute)
			continue
		}
		wait, failing = time.Second, false
		b.role.Store(rolePolling)
		b.log.Info("telegram: this replica polls for updates", "role", rolePolling)
		err = a.Run(held, sink)
		lost := ctx.Err() == nil && held.Err() != nil
		release()
		if err != nil || !lost {
			return err
		}
		b.log.Warn("telegram: lost the polling lock with its database connection; polling stopped", "role", roleStandby)
	}
}

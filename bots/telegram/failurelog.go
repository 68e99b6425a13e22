package telegram

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// failureKind names one way of failing, with the line logged when it starts
// and the one logged when it ends.
type failureKind struct {
	failing   string
	recovered string
}

// The adapter's failure kinds.
var (
	failGetUpdates    = failureKind{"telegram: getUpdates failing", "telegram: getUpdates recovered"}
	failSetup         = failureKind{"telegram: webhook setup failing", "telegram: webhook setup recovered"}
	failDeliver       = failureKind{"telegram: handler could not record update", "telegram: handler recording updates again"}
	failRateLimited   = failureKind{"telegram: rate limited by Telegram (429)", "telegram: no longer rate limited"}
	failSend          = failureKind{"telegram: sending failing", "telegram: sending recovered"}
	failAnswer        = failureKind{"telegram: answerCallbackQuery failing", "telegram: answerCallbackQuery recovered"}
	failUndecodable   = failureKind{"telegram: undecodable update skipped", "telegram: updates decodable again"}
	failWebhookSecret = failureKind{"telegram: rejecting webhook requests without the right secret", "telegram: webhook secret accepted again"}
	failWebhookInput  = failureKind{"telegram: rejecting malformed webhook requests", "telegram: webhook requests well-formed again"}
)

// failureLog logs one clear line when a kind of failure starts, stays quiet
// while it repeats, and logs one line when it recovers: an outage produces
// two lines, not one per message.
type failureLog struct {
	log *slog.Logger
	mu  sync.Mutex
	on  map[string]*failureState
}

type failureState struct {
	since time.Time
	count int
}

func newFailureLog(log *slog.Logger) *failureLog {
	return &failureLog{log: log, on: make(map[string]*failureState)}
}

// Fail records a failure of kind k; only the first of a run is logged, with
// attrs (which must hold no personal data and no token).
func (f *failureLog) Fail(k failureKind, attrs ...any) {
	f.mu.Lock()
	st, ok := f.on[k.failing]
	if ok {
		st.count++
		f.mu.Unlock()
		return
	}
	f.on[k.failing] = &failureState{since: time.Now(), count: 1}
	f.mu.Unlock()
	f.log.Log(context.Background(), slog.LevelWarn, k.failing, attrs...)
}

// OK records a success of kind k and logs the recovery if k was failing.
func (f *failureLog) OK(k failureKind) {
	f.mu.Lock()
	st, ok := f.on[k.failing]
	if !ok {
		f.mu.Unlock()
		return
	}
	delete(f.on, k.failing)
	f.mu.Unlock()
	f.log.Info(k.recovered, "failures", st.count, "duration", time.Since(st.since).Round(time.Millisecond).String())
}

// Failing reports whether kind k is currently failing.
func (f *failureLog) Failing(k failureKind) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	_, ok := f.on[k.failing]
	return ok
}

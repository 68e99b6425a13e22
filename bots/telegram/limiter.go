package telegram

import (
	"context"
	"sync"
	"time"
)

// limiter spaces sends after Telegram's flood limits: a global minimum gap
// between any two sends, and a minimum gap between two sends to one chat
// (one for private chats, a longer one for groups and channels, which have
// negative ids). Sends to one chat are serialised and the gap is measured
// from the end of the previous call, so that Telegram sees at least the gap
// whatever the network jitter; sends to different chats proceed in
// parallel, only spaced by the global gap.
//
// When Telegram answers 429, block keeps the chat closed until retry_after
// has passed. Telegram does not say whether a 429 is about one chat or the
// whole bot, so the limiter infers it: only when globalFloodAfter sends in a
// row are refused with 429, with no send succeeding in between, is flood
// control taken to be global, and all sends wait. A single chat's 429 (or
// two unrelated ones close together, common when a few per cent of sends
// are refused) closes only those chats: stopping every chat for it would
// cost the whole bot a second or two each time.
//
// State is kept only for chats that are busy, blocked or sent to within
// their gap; idle chats are swept, so memory stays bounded.
//
// Several processes sending for one bot (replicas) split the global rate:
// with n of them, each keeps n global gaps between its sends (share).
type limiter struct {
	chat, group time.Duration
	globalAlone time.Duration // the global gap of a process sending alone

	mu            sync.Mutex
	global        time.Duration // the global gap now, globalAlone × processes
	globalNext    time.Time     // earliest start of the next send
	globalBlocked time.Time
	floods        int // 429s since the last send that succeeded
	chats         map[int64]*chatState
	releases      int
}

type chatState struct {
	turn    chan struct{} // holds one token while a send to the chat runs
	next    time.Time     // earliest start of the chat's next send
	blocked time.Time     // 429: no send before this
	refs    int           // goroutines holding or waiting for the turn
}

func newLimiter(global, chat, group time.Duration) *limiter {
	return &limiter{global: global, globalAlone: global, chat: chat, group: group, chats: make(map[int64]*chatState)}
}

// share makes this process's sends one of n processes' that share the
// global rate.
func (l *limiter) share(n int) {
	l.mu.Lock()
	l.global = l.globalAlone * time.Duration(max(n, 1))
	l.mu.Unlock()
}

func (l *limiter) gap(chatID int64) time.Duration {
	if chatID < 0 {
		return l.group
	}
	return l.chat
}

// state returns the chat's state; l.mu must be held.
func (l *limiter) state(chatID int64) *chatState {
	st, ok := l.chats[chatID]
	if !ok {
		st = &chatState{turn: make(chan struct{}, 1)}
		l.chats[chatID] = st
	}
	return st
}

// acquire waits until a send to chatID is allowed and returns the function
// to call when the send has completed. It fails only if ctx ends first.
func (l *limiter) acquire(ctx context.Context, chatID int64) (release func(), err error) {
	l.mu.Lock()
	st := l.state(chatID)
	st.refs++
	l.mu.Unlock()

	select {
	case st.turn <- struct{}{}:
	case <-ctx.Done():
		l.mu.Lock()
		st.refs--
		l.mu.Unlock()
		return nil, ctx.Err()
	}

	var slot time.Time // a reserved global slot, if any
	for {
		l.mu.Lock()
		now := time.Now()
		wait := latest(st.next, st.blocked, l.globalBlocked)
		if !wait.After(now) {
			if slot.IsZero() {
				slot = latest(now, l.globalNext)
				l.globalNext = slot.Add(l.global)
			}
			if !slot.After(now) {
				l.mu.Unlock()
				return func() { l.release(chatID, st, true) }, nil
			}
			wait = slot
		} else {
			// A block appeared after the slot was reserved: let it go.
			slot = time.Time{}
		}
		l.mu.Unlock()
		if err := sleepUntil(ctx, wait); err != nil {
			l.release(chatID, st, false)
			return nil, err
		}
	}
}

func (l *limiter) release(chatID int64, st *chatState, sent bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	if sent {
		st.next = now.Add(l.gap(chatID))
	}
	st.refs--
	<-st.turn
	l.releases++
	if l.releases%256 == 0 {
		l.sweep(now)
	}
}

// sweep drops the state of idle chats; l.mu must be held.
func (l *limiter) sweep(now time.Time) {
	for id, st := range l.chats {
		if st.refs == 0 && !st.next.After(now) && !st.blocked.After(now) {
			delete(l.chats, id)
		}
	}
}

// globalFloodAfter is how many 429s in a row, with no successful send in
// between, make the limiter take flood control to be global. At the few
// per cent of 429s a busy bot sees, three in a row is rare (about one in
// ten thousand sends); when the whole bot is limited, every send is refused
// and three are quickly reached.
const globalFloodAfter = 3

// block closes chatID until until, and everything if flood control looks
// global (see limiter).
func (l *limiter) block(chatID int64, until time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	st := l.state(chatID)
	st.blocked = latest(st.blocked, until)
	l.floods++
	if l.floods >= globalFloodAfter {
		l.globalBlocked = latest(l.globalBlocked, until)
	}
}

// succeeded notes a send Telegram accepted: the 429s before it were not
// global flood control.
func (l *limiter) succeeded() {
	l.mu.Lock()
	l.floods = 0
	l.mu.Unlock()
}

// size is the number of chats with state, for tests.
func (l *limiter) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.chats)
}

func latest(t time.Time, more ...time.Time) time.Time {
	for _, u := range more {
		if u.After(t) {
			t = u
		}
	}
	return t
}

// sleepUntil waits until t or until ctx ends.
func sleepUntil(ctx context.Context, t time.Time) error {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err()
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

package telegram

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/bots/telegram/telegramtest"
)

// logBuffer collects log output safely across goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// count is how many log lines contain s.
func (b *logBuffer) count(s string) int {
	n := 0
	for _, line := range strings.Split(b.String(), "\n") {
		if strings.Contains(line, s) {
			n++
		}
	}
	return n
}

// newLogger returns a logger into a buffer that, when the test ends, must
// hold neither the token nor any of the secrets given.
func newLogger(t *testing.T, secrets ...string) (*slog.Logger, *logBuffer) {
	t.Helper()
	buf := &logBuffer{}
	t.Cleanup(func() {
		out := buf.String()
		for _, s := range secrets {
			if s != "" && strings.Contains(out, s) {
				t.Errorf("log output contains a secret or personal data %q:\n%s", s, out)
			}
		}
	})
	return slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug})), buf
}

type fixture struct {
	srv *telegramtest.Server
	a   *Adapter
	log *logBuffer
}

// newFixture starts a fake Bot API and an adapter on it with fast backoff.
func newFixture(t *testing.T, mod func(*Config)) *fixture {
	t.Helper()
	srv := telegramtest.NewServer(t)
	logger, buf := newLogger(t, srv.Token())
	cfg := Config{
		Token:       srv.Token(),
		APIURL:      srv.URL(),
		PollTimeout: 2 * time.Second,
		HTTPTimeout: 5 * time.Second,
		Logger:      logger,
	}
	if mod != nil {
		mod(&cfg)
	}
	a, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	a.backoffMin, a.backoffMax = 5*time.Millisecond, 40*time.Millisecond
	return &fixture{srv: srv, a: a, log: buf}
}

// run starts a.Run in the background; it is stopped and awaited when the
// test ends.
func (f *fixture) run(t *testing.T, sink Sink) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.a.Run(ctx, sink) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Errorf("Run did not return after cancel")
		}
	})
}

// recSink records deliveries; fail, when set, decides failures.
type recSink struct {
	mu   sync.Mutex
	got  []bots.Incoming
	ch   chan bots.Incoming
	fail func(in bots.Incoming) bool
}

func newSink() *recSink { return &recSink{ch: make(chan bots.Incoming, 1000)} }

var errSink = errors.New("sink: database unavailable")

func (s *recSink) Deliver(ctx context.Context, in bots.Incoming) error {
	s.mu.Lock()
	fail := s.fail
	s.mu.Unlock()
	s.ch <- in
	if fail != nil && fail(in) {
		return errSink
	}
	s.mu.Lock()
	s.got = append(s.got, in)
	s.mu.Unlock()
	return nil
}

func (s *recSink) setFail(f func(bots.Incoming) bool) {
	s.mu.Lock()
	s.fail = f
	s.mu.Unlock()
}

// recorded returns the successfully delivered updates.
func (s *recSink) recorded() []bots.Incoming {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]bots.Incoming(nil), s.got...)
}

// next waits for the next Deliver call.
func (s *recSink) next(t *testing.T) bots.Incoming {
	t.Helper()
	select {
	case in := <-s.ch:
		return in
	case <-time.After(10 * time.Second):
		t.Fatalf("no delivery within 10s")
		return bots.Incoming{}
	}
}

// none asserts that no Deliver call is pending right now.
func (s *recSink) none(t *testing.T) {
	t.Helper()
	select {
	case in := <-s.ch:
		t.Fatalf("unexpected delivery of update %s", in.UpdateID)
	default:
	}
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		<-tick.C
	}
}

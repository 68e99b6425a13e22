package slack_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tebingtinggi/hub/bots"
	hubslack "github.com/tebingtinggi/hub/bots/slack"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

// recordingSink keeps what the adapter hands the handlers.
type recordingSink struct {
	mu  sync.Mutex
	ins []bots.Incoming
}

func (s *recordingSink) Deliver(_ context.Context, in bots.Incoming) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ins = append(s.ins, in)
	return nil
}

func (s *recordingSink) got() []bots.Incoming {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]bots.Incoming(nil), s.ins...)
}

func newHTTPAdapter(t *testing.T, db *storage.DB, f *fakeSlack) (*hubslack.Adapter, *http.ServeMux) {
	t.Helper()
	log, _ := testLogger(t)
	a, err := hubslack.New(hubslack.Config{BotToken: botToken, SigningSecret: secret, APIURL: f.URL(), DB: db, Logger: log,
		PerChannel: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	a.Mount(mux)
	return a, mux
}

// signed builds a request to path signed at ts as Slack signs it.
func signed(path, contentType, body string, ts time.Time) *http.Request {
	r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	r.Header.Set("Content-Type", contentType)
	r.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(ts.Unix(), 10))
	r.Header.Set("X-Slack-Signature", hubslack.Sign(secret, ts.Unix(), []byte(body)))
	return r
}

func serve(mux http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, r)
	return w
}

func dmEvent(eventID, user, text string) string {
	b, _ := json.Marshal(map[string]any{
		"type": "event_callback", "event_id": eventID, "event_time": 1700000000,
		"event": map[string]any{"type": "message", "channel": "D1", "channel_type": "im", "user": user, "text": text, "ts": "1700000000.1"},
	})
	return string(b)
}

func requestCount(t *testing.T, db *storage.DB) int {
	t.Helper()
	var n int
	if err := db.GetContext(context.Background(), &n, `SELECT COUNT(*) FROM slack_requests`); err != nil {
		t.Fatal(err)
	}
	return n
}

const jsonType, formType = "application/json", "application/x-www-form-urlencoded"

func TestHTTPRefusesUnsignedStaleAndReplayed(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	f := newFakeSlack(t)
	_, mux := newHTTPAdapter(t, db, f)
	now := time.Now()
	body := dmEvent("Ev1", "U1", "halo")
	cases := []struct {
		name string
		req  func() *http.Request
	}{
		{"wrong signature", func() *http.Request {
			r := signed(hubslack.PathEvents, jsonType, body, now)
			r.Header.Set("X-Slack-Signature", hubslack.Sign("another-secret", now.Unix(), []byte(body)))
			return r
		}},
		{"body changed after signing", func() *http.Request {
			r := signed(hubslack.PathEvents, jsonType, body, now)
			r.Body = httptest.NewRequest(http.MethodPost, "/", strings.NewReader(dmEvent("Ev1", "U1", "HALO"))).Body
			return r
		}},
		{"no signature", func() *http.Request {
			r := signed(hubslack.PathEvents, jsonType, body, now)
			r.Header.Del("X-Slack-Signature")
			return r
		}},
		{"no timestamp", func() *http.Request {
			r := signed(hubslack.PathEvents, jsonType, body, now)
			r.Header.Del("X-Slack-Request-Timestamp")
			return r
		}},
		{"stale timestamp", func() *http.Request { return signed(hubslack.PathEvents, jsonType, body, now.Add(-6*time.Minute)) }},
		{"future timestamp", func() *http.Request { return signed(hubslack.PathEvents, jsonType, body, now.Add(6*time.Minute)) }},
		{"command signed wrongly", func() *http.Request {
			r := signed(hubslack.PathCommands, formType, "command=%2Ffaq&user_id=U1&channel_id=C1&trigger_id=T1", now)
			r.Header.Set("X-Slack-Signature", "v0=00")
			return r
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if w := serve(mux, c.req()); w.Code != http.StatusUnauthorized {
				t.Errorf("status = %d; want 401", w.Code)
			}
			if n := requestCount(t, db); n != 0 {
				t.Errorf("%d requests recorded; want none", n)
			}
		})
	}

	// The genuine request passes once; the same bytes again are a replay.
	if w := serve(mux, signed(hubslack.PathEvents, jsonType, body, now)); w.Code != http.StatusOK {
		t.Fatalf("genuine request: status %d", w.Code)
	}
	if w := serve(mux, signed(hubslack.PathEvents, jsonType, body, now)); w.Code != http.StatusUnauthorized {
		t.Errorf("replayed request: status %d; want 401", w.Code)
	}
	if n := requestCount(t, db); n != 1 {
		t.Errorf("%d requests recorded; want 1", n)
	}
}

func TestHTTPMalformedAndChallenge(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	f := newFakeSlack(t)
	_, mux := newHTTPAdapter(t, db, f)
	now := time.Now()
	cases := []struct {
		name, path, ctype, body string
		status                  int
		reply                   string
	}{
		{"url verification", hubslack.PathEvents, jsonType, `{"type":"url_verification","challenge":"abc123"}`, 200, "abc123"},
		{"event not JSON", hubslack.PathEvents, jsonType, `{"type":`, 400, ""},
		{"event without id", hubslack.PathEvents, jsonType, `{"type":"event_callback","event":{"type":"message"}}`, 400, ""},
		{"event of no interest", hubslack.PathEvents, jsonType, `{"type":"app_rate_limited"}`, 200, ""},
		{"interaction not JSON", hubslack.PathInteractivity, formType, "payload=%7Bnope", 400, ""},
		{"interaction without user", hubslack.PathInteractivity, formType, "payload=" + url.QueryEscape(`{"type":"block_actions","actions":[{"value":"x"}]}`), 400, ""},
		{"block actions without actions", hubslack.PathInteractivity, formType, "payload=" + url.QueryEscape(`{"type":"block_actions","user":{"id":"U1"}}`), 400, ""},
		{"closed modal", hubslack.PathInteractivity, formType, "payload=" + url.QueryEscape(`{"type":"view_closed","user":{"id":"U1"}}`), 200, ""},
		{"command without trigger", hubslack.PathCommands, formType, "command=%2Ffaq&user_id=U1&channel_id=C1", 400, ""},
		{"form not a form", hubslack.PathCommands, formType, "%zz", 400, ""},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// Each request its own second, so that none is a replay.
			w := serve(mux, signed(c.path, c.ctype, c.body, now.Add(time.Duration(i)*time.Second)))
			if w.Code != c.status || (c.reply != "" && w.Body.String() != c.reply) {
				t.Errorf("status %d body %q; want %d %q", w.Code, w.Body.String(), c.status, c.reply)
			}
		})
	}
	if n := requestCount(t, db); n != 0 {
		t.Errorf("%d requests recorded; want none", n)
	}
}

func TestHTTPRecordsOnceAndProcessesAfterAck(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newFakeSlack(t)
		a, mux := newHTTPAdapter(t, db, f)
		now := time.Now()
		body := dmEvent("Ev42", "U7", "ktp saya hilang &amp; bingung")
		// Received before the processors run: recorded and acknowledged,
		// and processed once they start (as after a crash).
		if w := serve(mux, signed(hubslack.PathEvents, jsonType, body, now)); w.Code != http.StatusOK {
			t.Fatalf("status %d", w.Code)
		}
		// Slack's retry of the same event: a new signature, the same id.
		retry := signed(hubslack.PathEvents, jsonType, body, now.Add(time.Second))
		retry.Header.Set("X-Slack-Retry-Num", "1")
		retry.Header.Set("X-Slack-Retry-Reason", "http_timeout")
		if w := serve(mux, retry); w.Code != http.StatusOK {
			t.Fatalf("retry: status %d", w.Code)
		}
		sink := &recordingSink{}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { _ = a.Run(ctx, hubslack.Handlers{Sink: sink}); close(done) }()
		t.Cleanup(func() { cancel(); <-done })
		waitFor(t, 15*time.Second, "the event to reach the handlers", func() bool { return len(sink.got()) > 0 })
		// A command and a press from the person's DM come through as well.
		cmd := url.Values{"command": {"/daftar"}, "text": {"ABC123"}, "user_id": {"U7"}, "channel_id": {"D7"}, "trigger_id": {"T9"}}
		if w := serve(mux, signed(hubslack.PathCommands, formType, cmd.Encode(), now.Add(2*time.Second))); w.Code != http.StatusOK {
			t.Fatalf("command: status %d", w.Code)
		}
		press, _ := json.Marshal(map[string]any{"type": "block_actions", "trigger_id": "T10", "user": map[string]any{"id": "U7"},
			"container": map[string]any{"type": "message", "channel_id": "D1", "message_ts": "1700000000.000009"},
			"actions":   []map[string]any{{"type": "button", "block_id": "row0", "action_id": "b0_0", "value": "survey:3:5", "action_ts": "1"}}})
		if w := serve(mux, signed(hubslack.PathInteractivity, formType, "payload="+url.QueryEscape(string(press)), now.Add(3*time.Second))); w.Code != http.StatusOK {
			t.Fatalf("press: status %d", w.Code)
		}
		waitFor(t, 15*time.Second, "three updates", func() bool { return len(sink.got()) >= 3 })
		got := sink.got()
		if len(got) != 3 {
			t.Fatalf("handlers got %d updates; want 3 (the retry is no second one): %+v", len(got), got)
		}
		// The processors work in parallel: take the updates by kind.
		var msg, command, pressed bots.Incoming
		for _, in := range got {
			switch {
			case in.Kind == bots.Press:
				pressed = in
			case in.Command != "":
				command = in
			default:
				msg = in
			}
		}
		if msg.Platform != bots.Slack || msg.UpdateID != "Ev42" || msg.ChatID != "D1" || msg.UserID != "U7" ||
			msg.Kind != bots.Text || msg.Text != "ktp saya hilang & bingung" || msg.ChatType != bots.Private || !msg.Addressed {
			t.Errorf("message = %+v", msg)
		}
		if command.Command != "daftar" || command.Args != "ABC123" || command.ChatType != bots.Private {
			t.Errorf("command = %+v", command)
		}
		if pressed.Kind != bots.Press || pressed.Data != "survey:3:5" || pressed.MessageID != "1700000000.000009" || pressed.ChatID != "D1" {
			t.Errorf("press = %+v", pressed)
		}
		waitFor(t, 15*time.Second, "the requests to be finished", func() bool {
			var pending int
			_ = db.GetContext(context.Background(), &pending, `SELECT COUNT(*) FROM slack_requests WHERE status <> 'done' OR payload <> ''`)
			return pending == 0
		})
	})
}

func TestHTTPCleansInput(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	f := newFakeSlack(t)
	a, mux := newHTTPAdapter(t, db, f)
	if w := serve(mux, signed(hubslack.PathEvents, jsonType, dmEvent("EvNul", "U1", "ktp\x00 hilang"), time.Now())); w.Code != http.StatusOK {
		t.Fatalf("status %d", w.Code)
	}
	sink := &recordingSink{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = a.Run(ctx, hubslack.Handlers{Sink: sink}); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	waitFor(t, 15*time.Second, "the event", func() bool { return len(sink.got()) == 1 })
	if got := sink.got()[0].Text; got != "ktp\uFFFD hilang" {
		t.Errorf("text = %q; want NUL replaced", got)
	}
}

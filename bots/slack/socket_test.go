package slack_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/tebingtinggi/hub/bots"
	hubslack "github.com/tebingtinggi/hub/bots/slack"
	"github.com/tebingtinggi/hub/inbox"
	"github.com/tebingtinggi/hub/knowledge"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

// socketLink is a fake Socket Mode endpoint: each connection gets hello
// and the next envelope, and is dropped once the envelope is acknowledged.
type socketLink struct {
	mu        sync.Mutex
	envelopes []map[string]any
	acks      []string
	payloads  []json.RawMessage
	opens     int
}

func (l *socketLink) serve(w http.ResponseWriter, r *http.Request) {
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	c, err := up.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	defer c.Close()
	l.mu.Lock()
	var env map[string]any
	if len(l.envelopes) > 0 {
		env, l.envelopes = l.envelopes[0], l.envelopes[1:]
	}
	l.mu.Unlock()
	_ = c.WriteJSON(map[string]any{"type": "hello", "num_connections": 1})
	if env == nil {
		// Nothing more to send: stay connected until the client leaves.
		for {
			if _, _, err := c.ReadMessage(); err != nil {
				return
			}
		}
	}
	_ = c.WriteJSON(env)
	var ack struct {
		EnvelopeID string          `json:"envelope_id"`
		Payload    json.RawMessage `json:"payload"`
	}
	if err := c.ReadJSON(&ack); err != nil {
		return
	}
	l.mu.Lock()
	l.acks = append(l.acks, ack.EnvelopeID)
	l.payloads = append(l.payloads, ack.Payload)
	l.mu.Unlock()
	// Drop the connection without a goodbye, as a network failure would.
}

func (l *socketLink) state() (acks []string, opens int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.acks...), l.opens
}

func TestSocketModeRecordsAcksAndReconnects(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	link := &socketLink{}
	event := json.RawMessage(dmEvent("EvSock", "U5", "jam layanan kantor?"))
	for i, id := range []string{"env-1", "env-2"} {
		// The second is Slack's retry of the first (not acknowledged in
		// time, as far as Slack knows).
		link.envelopes = append(link.envelopes, map[string]any{"type": "events_api", "envelope_id": id,
			"payload": event, "retry_attempt": i, "accepts_response_payload": false})
	}
	var f *fakeSlack
	f = newFakeSlackWith(t, func(mux customMux) {
		mux.Handle("/apps.connections.open", func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") != "Bearer "+appToken {
				_, _ = w.Write([]byte(`{"ok":false,"error":"invalid_auth"}`))
				return
			}
			link.mu.Lock()
			link.opens++
			link.mu.Unlock()
			url := "ws://" + strings.TrimPrefix(strings.TrimSuffix(f.URL(), "/"), "http://") + "/link"
			_ = json.NewEncoder(w).Encode(map[string]any{"ok": true, "url": url})
		})
		mux.Handle("/link", link.serve)
	})
	log, logs := testLogger(t)
	a, err := hubslack.New(hubslack.Config{BotToken: botToken, AppToken: appToken, APIURL: f.URL(), DB: db, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	if !a.SocketMode() || a.Ready() == nil {
		t.Fatal("a Socket Mode adapter must not be ready before it connected")
	}
	sink := &recordingSink{}
	done := make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	go func() { _ = a.Run(ctx, hubslack.Handlers{Sink: sink}); close(done) }()
	t.Cleanup(func() { cancel(); <-done })

	waitFor(t, 30*time.Second, "both envelopes acknowledged over two connections", func() bool {
		acks, opens := link.state()
		return len(acks) == 2 && opens >= 3
	})
	waitFor(t, 15*time.Second, "the link to be up again", func() bool { return a.Ready() == nil })
	// An event is processed after its acknowledgement: the handlers have
	// it once its record is done (the retry made no record of its own).
	waitFor(t, 15*time.Second, "the event to be processed", func() bool {
		var done int
		err := db.GetContext(ctx, &done, `SELECT COUNT(*) FROM slack_requests WHERE status = 'done'`)
		return err == nil && done == 1
	})
	if n := requestCount(t, db); n != 1 {
		t.Errorf("%d requests recorded; want the event and its retry as one", n)
	}
	if got := sink.got(); len(got) != 1 || got[0].UpdateID != "EvSock" || got[0].Kind != bots.Text || got[0].Text != "jam layanan kantor?" {
		t.Errorf("handlers got %+v; want the event once", got)
	}
	for _, want := range []string{"Socket Mode connected", "Socket Mode connection is down"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("the log lacks %q:\n%s", want, logs.String())
		}
	}
}

// TestSocketModeRefusesAFormInPlace: over Socket Mode too, a /faq form
// with a blank field is acknowledged with the errors that keep the modal
// open, and is not recorded.
func TestSocketModeRefusesAFormInPlace(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	link := &socketLink{}
	view, _ := json.Marshal(map[string]any{"type": "view_submission", "user": map[string]any{"id": "U1", "name": "ani"},
		"view": map[string]any{"id": "V-sock", "callback_id": "faq_new", "state": map[string]any{"values": map[string]any{
			"question": textValue("Jam buka perpustakaan?"), "answer": textValue("   "),
		}}}})
	link.envelopes = append(link.envelopes, map[string]any{"type": "interactive", "envelope_id": "env-form",
		"payload": json.RawMessage(view), "accepts_response_payload": true})
	var f *fakeSlack
	f = newFakeSlackWith(t, func(mux customMux) {
		mux.Handle("/apps.connections.open", func(w http.ResponseWriter, r *http.Request) {
			url := "ws://" + strings.TrimPrefix(strings.TrimSuffix(f.URL(), "/"), "http://") + "/link"
			_ = json.NewEncoder(w).Encode(map[string]any{"ok": true, "url": url})
		})
		mux.Handle("/link", link.serve)
	})
	log, _ := testLogger(t)
	a, err := hubslack.New(hubslack.Config{BotToken: botToken, AppToken: appToken, APIURL: f.URL(), DB: db, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	store := knowledge.NewStore(db)
	officers, err := a.NewOfficers("U1")
	if err != nil {
		t.Fatal(err)
	}
	faq, err := a.NewCurator(hubslack.CuratorConfig{Knowledge: store, Index: knowledge.NewIndex(knowledge.DefaultConfig()),
		Inbox: inbox.New(db), Officers: officers})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	go func() { _ = a.Run(ctx, hubslack.Handlers{Sink: &recordingSink{}, FAQ: faq}); close(done) }()
	t.Cleanup(func() { cancel(); <-done })

	var ack json.RawMessage
	waitFor(t, 30*time.Second, "the form acknowledged", func() bool {
		link.mu.Lock()
		defer link.mu.Unlock()
		if len(link.payloads) == 0 {
			return false
		}
		ack = link.payloads[0]
		return true
	})
	if errs := viewErrors(t, string(ack)); errs["answer"] != "Jawaban wajib diisi." || len(errs) != 1 {
		t.Errorf("acknowledged with %s; want the blank answer named", ack)
	}
	if n := requestCount(t, db); n != 0 {
		t.Errorf("%d requests recorded for a refused form; want none", n)
	}
}

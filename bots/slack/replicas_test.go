package slack_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	hubslack "github.com/tebingtinggi/hub/bots/slack"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

// TestSocketModeEventOnTwoReplicasIsHandledOnce: Slack spreads events
// over an app's Socket Mode connections and sends one again, over another
// connection, when it missed the acknowledgement. Two replicas on one
// Postgres database each get the same event at the same moment over their
// own connection: both acknowledge it, it is recorded once and handed to
// the handlers once.
func TestSocketModeEventOnTwoReplicasIsHandledOnce(t *testing.T) {
	db := storagetest.Open(t, storage.Postgres)
	event := json.RawMessage(dmEvent("EvTwice", "U7", "jam layanan kantor?"))
	var links [2]*socketLink
	var sinks [2]*recordingSink
	var adapters [2]*hubslack.Adapter
	for i, envelope := range []string{"env-a", "env-b"} {
		link := &socketLink{envelopes: []map[string]any{{"type": "events_api", "envelope_id": envelope,
			"payload": event, "retry_attempt": i, "accepts_response_payload": false}}}
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
		links[i], sinks[i], adapters[i] = link, &recordingSink{}, a
	}
	ctx, cancel := context.WithCancel(context.Background())
	var running sync.WaitGroup
	t.Cleanup(func() { cancel(); running.Wait() })
	for i, a := range adapters {
		running.Go(func() { _ = a.Run(ctx, hubslack.Handlers{Sink: sinks[i]}) })
	}
	waitFor(t, 30*time.Second, "both replicas to acknowledge the event", func() bool {
		a, _ := links[0].state()
		b, _ := links[1].state()
		return len(a) == 1 && len(b) == 1
	})
	waitFor(t, 15*time.Second, "the event to be processed", func() bool {
		var done int
		err := db.GetContext(ctx, &done, `SELECT COUNT(*) FROM slack_requests WHERE status = 'done'`)
		return err == nil && done == 1
	})
	if n := requestCount(t, db); n != 1 {
		t.Errorf("%d requests recorded; want the event once", n)
	}
	if got := len(sinks[0].got()) + len(sinks[1].got()); got != 1 {
		t.Errorf("the handlers got the event %d times over the two replicas; want once", got)
	}
}

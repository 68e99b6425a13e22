package slack_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	hubslack "github.com/tebingtinggi/hub/bots/slack"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

// Anyone can send the endpoints unsigned requests: a stream of them is
// one warning, not one log line each, and a genuine request afterwards
// says verification works again.
func TestRefusedRequestsDoNotFloodTheLog(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	f := newFakeSlack(t)
	log, buf := testLogger(t)
	a, err := hubslack.New(hubslack.Config{BotToken: botToken, SigningSecret: secret, APIURL: f.URL(), DB: db, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	a.Mount(mux)
	now := time.Now()
	for i := range 200 {
		r := signed(hubslack.PathEvents, jsonType, dmEvent("Ev1", "U1", "halo"), now)
		r.Header.Set("X-Slack-Signature", "v0=forged"+strings.Repeat("0", i%5))
		if w := serve(mux, r); w.Code != http.StatusUnauthorized {
			t.Fatalf("forged request %d: status %d", i, w.Code)
		}
	}
	if n := strings.Count(buf.String(), "level=WARN"); n != 1 {
		t.Errorf("200 forged requests logged %d warnings, want 1:\n%s", n, buf.String())
	}
	if w := serve(mux, signed(hubslack.PathEvents, jsonType, dmEvent("Ev2", "U1", "halo"), now)); w.Code != http.StatusOK {
		t.Fatalf("genuine request: status %d", w.Code)
	}
	if !strings.Contains(buf.String(), "refused=200") {
		t.Errorf("the recovery does not count the refused requests:\n%s", buf.String())
	}
}

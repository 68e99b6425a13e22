package slack_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tebingtinggi/hub/bots"
	hubslack "github.com/tebingtinggi/hub/bots/slack"
	"github.com/tebingtinggi/hub/internal/panics"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

// poisonSink panics on the updates whose text starts with "racun" and
// records the others.
type poisonSink struct{ recordingSink }

func (s *poisonSink) Deliver(ctx context.Context, in bots.Incoming) error {
	if strings.HasPrefix(in.Text, "racun") {
		panic("unable to handle " + in.Text) // the text must not reach the log
	}
	return s.recordingSink.Deliver(ctx, in)
}

func (s *poisonSink) updateIDs() []string {
	var ids []string
	for _, in := range s.got() {
		ids = append(ids, in.UpdateID)
	}
	return ids
}

// requestState reads a request's record.
func requestState(t *testing.T, db *storage.DB, id string) (status string, attempts int, payload string) {
	t.Helper()
	var row struct {
		Status   string `db:"status"`
		Attempts int    `db:"attempts"`
		Payload  string `db:"payload"`
	}
	if err := db.GetContext(context.Background(), &row, db.Rebind(`SELECT status, attempts, payload FROM slack_requests WHERE id = ?`), id); err != nil {
		t.Fatal(err)
	}
	return row.Status, row.Attempts, row.Payload
}

func TestPanickingRequestIsSetAside(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		a, mux, logs := httpAdapterLogged(t, db)
		sink := &poisonSink{}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { _ = a.Run(ctx, hubslack.Handlers{Sink: sink}); close(done) }()
		t.Cleanup(func() { cancel(); <-done })
		before := panics.Recovered("slack")

		const poison = "racun NIK 1271010101010001 atas nama Budi"
		now := time.Now()
		for i, ev := range []struct{ id, text string }{{"EvBefore", "halo"}, {"EvPoison", poison}, {"EvAfter", "ktp hilang"}} {
			if w := serve(mux, signed(hubslack.PathEvents, jsonType, dmEvent(ev.id, "U7", ev.text), now.Add(time.Duration(i)*time.Second))); w.Code != http.StatusOK {
				t.Fatalf("%s: status %d", ev.id, w.Code)
			}
		}
		waitFor(t, 15*time.Second, "the poisoned request to be failed", func() bool {
			status, _, _ := requestState(t, db, "event:EvPoison")
			return status == "failed"
		})
		waitFor(t, 15*time.Second, "the other requests to reach the handlers", func() bool { return len(sink.got()) == 2 })
		// The processors are still there for what arrives next.
		if w := serve(mux, signed(hubslack.PathEvents, jsonType, dmEvent("EvLater", "U7", "akta lahir"), now.Add(5*time.Second))); w.Code != http.StatusOK {
			t.Fatalf("later event: status %d", w.Code)
		}
		waitFor(t, 15*time.Second, "the later request to reach the handlers", func() bool { return len(sink.got()) == 3 })
		if ids := sink.updateIDs(); strings.Contains(strings.Join(ids, " "), "EvPoison") {
			t.Errorf("handlers got %v", ids)
		}

		// Failed at the first attempt, its personal data dropped, and not
		// taken up again by recovery.
		status, attempts, payload := requestState(t, db, "event:EvPoison")
		if status != "failed" || attempts != 1 || payload != "" {
			t.Errorf("poisoned request: status %q, %d attempts, payload %q; want failed after 1, blanked", status, attempts, payload)
		}
		if got := panics.Recovered("slack") - before; got != 1 {
			t.Errorf("hub_panics_total{component=slack} grew by %v; want 1", got)
		}
		out := logs.String()
		if n := strings.Count(out, "panic while processing a request"); n != 1 || !strings.Contains(out, "request_id=event:EvPoison") ||
			!strings.Contains(out, "panic_test.go") {
			t.Errorf("want one line naming the request, with the stack; log:\n%s", out)
		}
		for _, private := range []string{"1271010101010001", "Budi", "racun"} {
			if strings.Contains(out, private) {
				t.Errorf("the log gives away the message (%q):\n%s", private, out)
			}
		}
	})
}

// A request whose processing never ended (each try killed the process,
// as no recover can stop) is failed without another try once its
// attempts are used up.
func TestRequestThatNeverCompletesIsGivenUp(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		a, mux, logs := httpAdapterLogged(t, db)
		now := time.Now()
		if w := serve(mux, signed(hubslack.PathEvents, jsonType, dmEvent("EvCrash", "U7", "racun"), now)); w.Code != http.StatusOK {
			t.Fatalf("status %d", w.Code)
		}
		// Five processes took it and died before finishing it.
		if _, err := db.ExecContext(context.Background(), `UPDATE slack_requests SET attempts = 5`); err != nil {
			t.Fatal(err)
		}
		sink := &poisonSink{}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { _ = a.Run(ctx, hubslack.Handlers{Sink: sink}); close(done) }()
		t.Cleanup(func() { cancel(); <-done })
		waitFor(t, 15*time.Second, "the request to be given up", func() bool {
			status, _, _ := requestState(t, db, "event:EvCrash")
			return status == "failed"
		})
		if _, attempts, payload := requestState(t, db, "event:EvCrash"); attempts != 6 || payload != "" {
			t.Errorf("%d attempts, payload %q; want 6 (the last not tried), blanked", attempts, payload)
		}
		if !strings.Contains(logs.String(), "its processing never completed") || !strings.Contains(logs.String(), "request_id=event:EvCrash") {
			t.Errorf("log:\n%s", logs.String())
		}
	})
}

// httpAdapterLogged is an HTTP-mode adapter on db, against a fake Slack,
// mounted on mux, whose log the test reads.
func httpAdapterLogged(t *testing.T, db *storage.DB) (a *hubslack.Adapter, mux *http.ServeMux, logs *syncBuffer) {
	t.Helper()
	f := newFakeSlack(t)
	log, logs := testLogger(t)
	a, err := hubslack.New(hubslack.Config{BotToken: botToken, SigningSecret: secret, APIURL: f.URL(), DB: db, Logger: log,
		PerChannel: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	mux = http.NewServeMux()
	a.Mount(mux)
	return a, mux, logs
}

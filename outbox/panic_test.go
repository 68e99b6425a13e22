package outbox_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/internal/panics"
	"github.com/tebingtinggi/hub/outbox"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

// panicSender panics on the messages whose text starts with "racun" and
// hands the others to next.
type panicSender struct{ next bots.Sender }

func (p panicSender) Send(ctx context.Context, out bots.Outgoing) (string, error) {
	if strings.HasPrefix(out.Text, "racun") {
		panic("unable to send " + out.Text) // the text must not reach the log
	}
	return p.next.Send(ctx, out)
}

func TestPanickingSendFailsOneMessage(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		s := &fakeSender{notify: make(chan bots.Outgoing, 10)}
		logs := &syncBuffer{}
		reg := prometheus.NewRegistry()
		d := &outbox.Dispatcher{
			DB: db, Senders: map[bots.Platform]bots.Sender{bots.Telegram: panicSender{next: s}},
			PollInterval: time.Hour, // only Wake makes it look
			Logger:       slog.New(slog.NewTextHandler(logs, nil)),
		}
		if err := d.RegisterMetrics(reg); err != nil {
			t.Fatal(err)
		}
		before := panics.Recovered("outbox")
		done := make(chan error)
		go func() { done <- d.Run(ctx) }()
		const poison = "racun NIK 1271010101010001 atas nama Budi"
		if _, err := outbox.Enqueue(ctx, db, msg("a1", "A", "satu"), msg("a2", "A", poison), msg("a3", "A", "tiga"), msg("b1", "B", "dua")); err != nil {
			t.Fatal(err)
		}
		d.Wake()
		sent := map[string]bool{}
		deadline := time.After(waitFor)
		for len(sent) < 3 {
			select {
			case out := <-s.notify:
				sent[out.Text] = true
			case <-deadline:
				t.Fatalf("sent only %v; want the three messages around the poisoned one", sent)
			case err := <-done:
				t.Fatalf("Run returned %v", err)
			}
		}
		// The worker goes on with what comes next.
		if _, err := outbox.Enqueue(ctx, db, msg("a4", "A", "empat")); err != nil {
			t.Fatal(err)
		}
		d.Wake()
		select {
		case out := <-s.notify:
			if out.Text != "empat" {
				t.Errorf("sent %q; want empat", out.Text)
			}
		case <-time.After(waitFor):
			t.Fatal("nothing sent after the poisoned message")
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}

		r := get(t, db, "a2")
		if r.Status != outbox.Failed || r.Attempts != 1 || !strings.Contains(r.LastError, "panic") {
			t.Errorf("poisoned message = %+v; want failed at the first attempt, for a panic", r)
		}
		out := logs.String()
		if n := strings.Count(out, "level=ERROR"); n != 1 || !strings.Contains(out, fmt.Sprintf("outbox_id=%d ", r.ID)) ||
			!strings.Contains(out, "panic_test.go") {
			t.Errorf("want one ERROR line naming the row, with the stack; logs:\n%s", out)
		}
		for _, private := range []string{"1271010101010001", "Budi", "racun"} {
			if strings.Contains(out+r.LastError, private) {
				t.Errorf("the log or last_error gives away the message (%q): %q\n%s", private, r.LastError, out)
			}
		}
		if got := panics.Recovered("outbox") - before; got != 1 {
			t.Errorf("hub_panics_total{component=outbox} grew by %v; want 1", got)
		}
		if got := counterValue(t, reg, "outbox_failed_total"); got != 1 {
			t.Errorf("outbox_failed_total = %v; want 1", got)
		}
	})
}

package outbox_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/outbox"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

// FailedUnfollowed lists the failed rows of a pattern until a follow-up
// row is enqueued for each, and never the follow-ups themselves.
func TestFailedUnfollowed(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		slackMsg := func(key string) outbox.Message {
			return outbox.Message{Key: key, Out: bots.Outgoing{Platform: bots.Slack, ChatID: "CDESK", Text: key}}
		}
		if _, err := outbox.Enqueue(ctx, db, slackMsg("slack:desk:1:file:0"), slackMsg("slack:desk:1:note:1"),
			slackMsg("slack:desk:2:file:3"), msg("telegram:file:1", "42", "sent")); err != nil {
			t.Fatal(err)
		}
		// No Slack sender: the Slack rows fail, the Telegram one is sent.
		clk := newClock()
		d, _ := newDispatcher(db, clk, &fakeSender{})
		drain(t, d)
		s := outbox.New(db)
		keys := func() []string {
			t.Helper()
			recs, err := s.FailedUnfollowed(ctx, "slack:desk:%:file:%", ":failed", 10)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, r := range recs {
				out = append(out, r.Key)
			}
			return out
		}
		if got, want := keys(), []string{"slack:desk:1:file:0", "slack:desk:2:file:3"}; !slices.Equal(got, want) {
			t.Fatalf("failed files = %v; want %v", got, want)
		}
		if _, err := outbox.Enqueue(ctx, db, slackMsg("slack:desk:1:file:0:failed")); err != nil {
			t.Fatal(err)
		}
		clk.Advance(time.Second)
		drain(t, d) // the follow-up fails too
		if r := get(t, db, "slack:desk:1:file:0:failed"); r.Status != outbox.Failed {
			t.Fatalf("follow-up is %s; want failed", r.Status)
		}
		if got, want := keys(), []string{"slack:desk:2:file:3"}; !slices.Equal(got, want) {
			t.Errorf("failed files after a follow-up = %v; want %v", got, want)
		}
	})
}

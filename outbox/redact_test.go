package outbox_test

import (
	"context"
	"testing"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/outbox"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

// Redact reaches a message, its edits and thread replies, and nothing
// whose key merely begins with the same characters.
func TestRedactReachesAMessageAndItsFollowers(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		keys := []string{"slack:desk:1", "slack:desk:1:edit:5", "slack:desk:1:note:0", "slack:desk:10", "slack:desk:10:note:0"}
		var msgs []outbox.Message
		for _, k := range keys {
			msgs = append(msgs, outbox.Message{Key: k, Out: bots.Outgoing{Platform: bots.Slack, ChatID: "CDESK", Text: "Nama saya Wati, " + k,
				Buttons: [][]bots.Button{{{Text: "Ambil", Data: "desk:claim:1"}}}}})
		}
		if _, err := outbox.Enqueue(ctx, db, msgs...); err != nil {
			t.Fatal(err)
		}
		s := outbox.New(db)
		for i, want := range []int64{3, 3} { // idempotent
			if n, err := s.Redact(ctx, db, "slack:desk:1", "(dihapus)"); err != nil || n != want {
				t.Fatalf("run %d: Redact = %d, %v; want %d", i+1, n, err, want)
			}
		}
		for i, k := range keys {
			r, err := s.Get(ctx, k)
			if err != nil {
				t.Fatal(err)
			}
			redacted := i < 3
			if got := r.Out.Text == "(dihapus)" && r.Out.Buttons == nil && r.Out.ChatID == "CDESK"; got != redacted {
				t.Errorf("%s after Redact: %+v; redacted %v, want %v", k, r.Out, got, redacted)
			}
		}
	})
}

// Undelivered counts a message and its followers in the chat while they
// wait or are being sent, and not the rows of other chats or of keys
// that merely begin with the same characters.
func TestUndeliveredCountsWhatIsQueuedOrInFlight(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		var msgs []outbox.Message
		for _, k := range []string{"slack:desk:1", "slack:desk:1:note:0", "slack:desk:10", "slack:desk:10:note:0"} {
			msgs = append(msgs, outbox.Message{Key: k, Out: bots.Outgoing{Platform: bots.Slack, ChatID: "CDESK", Text: k}})
		}
		msgs = append(msgs, outbox.Message{Key: "slack:desk:1:note:1", Out: bots.Outgoing{Platform: bots.Slack, ChatID: "COTHER", Text: "x"}})
		if _, err := outbox.Enqueue(ctx, db, msgs...); err != nil {
			t.Fatal(err)
		}
		undelivered := func() int {
			t.Helper()
			n, err := outbox.New(db).Undelivered(ctx, db, bots.Slack, "CDESK", "slack:desk:1")
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n := undelivered(); n != 2 {
			t.Fatalf("Undelivered = %d with the message and its follower queued; want 2", n)
		}
		entered, release := make(chan struct{}), make(chan struct{})
		s := &fakeSender{script: func(_ int, out bots.Outgoing) error {
			if out.Text == "slack:desk:1:note:0" {
				close(entered)
				<-release
			}
			return nil
		}}
		d := &outbox.Dispatcher{DB: db, Senders: map[bots.Platform]bots.Sender{bots.Slack: s}}
		if _, err := d.DispatchOnce(ctx); err != nil { // the head of each chat
			t.Fatal(err)
		}
		if n := undelivered(); n != 1 {
			t.Fatalf("Undelivered = %d once the message was sent; want its follower", n)
		}
		done := make(chan error, 1)
		go func() { _, err := d.DispatchOnce(ctx); done <- err }()
		<-entered
		n := undelivered()
		close(release)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Errorf("Undelivered = %d while the follower is being sent; want 1", n)
		}
		if n := undelivered(); n != 0 {
			t.Errorf("Undelivered = %d once everything was sent; want 0", n)
		}
	})
}

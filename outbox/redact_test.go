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

package outbox_test

import (
	"context"
	"testing"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/outbox"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

type okSender struct{}

func (okSender) Send(context.Context, bots.Outgoing) (string, error) { return "1", nil }

// TestDispatcherPlatforms: a dispatcher restricted to some platforms
// leaves the others' rows alone (hub chat and hub serve share the outbox).
func TestDispatcherPlatforms(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		if _, err := outbox.Enqueue(ctx, db,
			outbox.Message{Key: "tg", Out: bots.Outgoing{Platform: bots.Telegram, ChatID: "1", Text: "a"}},
			outbox.Message{Key: "con", Out: bots.Outgoing{Platform: bots.Console, ChatID: "1", Text: "b"}},
		); err != nil {
			t.Fatal(err)
		}
		d := &outbox.Dispatcher{DB: db, Senders: map[bots.Platform]bots.Sender{bots.Console: okSender{}},
			Platforms: []bots.Platform{bots.Console}}
		if n, err := d.DispatchOnce(ctx); err != nil || n != 1 {
			t.Fatalf("claimed %d (%v), want only the console row", n, err)
		}
		s := outbox.New(db)
		for key, want := range map[string]outbox.Status{"tg": outbox.Pending, "con": outbox.Sent} {
			r, err := s.Get(ctx, key)
			if err != nil || r.Status != want {
				t.Errorf("%s: %s (%v), want %s", key, r.Status, err, want)
			}
		}
	})
}

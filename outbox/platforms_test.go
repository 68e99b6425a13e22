package outbox_test

import (
	"context"
	"testing"
	"time"

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

// TestDispatcherChats: a dispatcher restricted to some chats (hub chat
// serves one console user) leaves the other chats' rows queued for their
// own session, neither sent nor failed, whether claimed by a worker or
// enqueued while it runs.
func TestDispatcherChats(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		if _, err := outbox.Enqueue(ctx, db,
			outbox.Message{Key: "andi", Out: bots.Outgoing{Platform: bots.Console, ChatID: "andi", Text: "a"}},
			outbox.Message{Key: "budi", Out: bots.Outgoing{Platform: bots.Console, ChatID: "budi", Text: "b"}},
		); err != nil {
			t.Fatal(err)
		}
		d := &outbox.Dispatcher{DB: db, Senders: map[bots.Platform]bots.Sender{bots.Console: okSender{}},
			Platforms: []bots.Platform{bots.Console}, Chats: []string{"budi"}, PollInterval: time.Hour}
		if n, err := d.DispatchOnce(ctx); err != nil || n != 1 {
			t.Fatalf("claimed %d (%v), want only budi's row", n, err)
		}

		// A message for citra enqueued while the dispatcher runs (one
		// that budi's update caused), her chat otherwise idle, is not
		// claimed for it either.
		r := start(t, d)
		c := reserve(t, d, 1)
		if n := enqueueClaimed(t, db, c, outbox.Message{Key: "citra", Out: bots.Outgoing{Platform: bots.Console, ChatID: "citra", Text: "c"}}); n != 1 {
			t.Fatalf("enqueued %d rows, want 1", n)
		}
		if !c.Deliver() {
			t.Error("Deliver did not report citra's row as pending")
		}
		r.stop()

		s := outbox.New(db)
		for key, want := range map[string]outbox.Status{"andi": outbox.Pending, "citra": outbox.Pending, "budi": outbox.Sent} {
			r, err := s.Get(ctx, key)
			if err != nil || r.Status != want {
				t.Errorf("%s: %s (%v), want %s", key, r.Status, err, want)
			}
		}
	})
}

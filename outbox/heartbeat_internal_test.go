package outbox

import (
	"context"
	"testing"
	"time"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

// A dispatcher whose own heartbeat failed to renew (a busy SQLite) is still
// alive and may be sending what it claimed: its beat releases the claims of
// a dead dispatcher, never its own.
func TestHeartbeatNeverReleasesOwnClaims(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		d := &Dispatcher{DB: db}
		d.setup()
		const dead = "deaddeaddeaddead"
		msgs := []Message{
			{Key: "own", Out: bots.Outgoing{Platform: bots.Telegram, ChatID: "1", Text: "milik sendiri"}},
			{Key: "dead", Out: bots.Outgoing{Platform: bots.Telegram, ChatID: "2", Text: "milik yang mati"}},
		}
		if _, err := Enqueue(ctx, db, msgs...); err != nil {
			t.Fatal(err)
		}
		now := time.Now().UTC()
		for key, owner := range map[string]string{"own": d.id, "dead": dead} {
			if _, err := db.ExecContext(ctx, db.Rebind(`UPDATE outbox SET status = 'sending', attempts = 1, lease_until = ?, claim_token = ?
				WHERE idempotency_key = ?`), now.Add(2*time.Minute), owner+"0123456789abcdef", key); err != nil {
				t.Fatal(err)
			}
			if _, err := db.ExecContext(ctx, db.Rebind(`INSERT INTO outbox_dispatchers (id, alive_until) VALUES (?, ?)`), owner, now.Add(-time.Second)); err != nil {
				t.Fatal(err)
			}
		}
		n, err := d.releaseDead(ctx, now)
		if err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Errorf("released %d claims, want 1 (the dead dispatcher's)", n)
		}
		for key, want := range map[string]string{"own": "sending", "dead": "pending"} {
			var status string
			if err := db.GetContext(ctx, &status, db.Rebind(`SELECT status FROM outbox WHERE idempotency_key = ?`), key); err != nil {
				t.Fatal(err)
			}
			if status != want {
				t.Errorf("%s claim is %q, want %q", key, status, want)
			}
		}
	})
}

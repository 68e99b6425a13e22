package handlers_test

import (
	"context"
	"errors"
	"testing"

	"github.com/tebingtinggi/hub/handlers"
	"github.com/tebingtinggi/hub/inbox"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

// The same reply again is refused while the first is queued or
// delivered, and sent again, logged once, when the outbox gave up on it:
// resending is then the only way to reach the citizen.
func TestSameReplyIsSentAgainOnlyWhenItFailed(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		in := inbox.New(db)
		desk := &handlers.Desk{Inbox: in, DB: db}
		const chat, text = "3131", "Silakan datang ke kantor kelurahan besok pagi."
		id := openTicket(t, db, in, chat, "izin keramaian bagaimana")
		rows := func(status string) int {
			t.Helper()
			var n int
			if err := db.GetContext(ctx, &n, db.Rebind(`SELECT COUNT(*) FROM outbox WHERE chat_id = ? AND status = ?`), chat, status); err != nil {
				t.Fatal(err)
			}
			return n
		}
		giveUp := func() {
			t.Helper()
			if _, err := db.ExecContext(ctx, db.Rebind(`UPDATE outbox SET status = 'failed', last_error = 'HTTP 502' WHERE chat_id = ? AND status = 'pending'`), chat); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := desk.Reply(ctx, id, "@ani", text); err != nil {
			t.Fatal(err)
		}
		if _, err := desk.Reply(ctx, id, "@ani", text); !errors.Is(err, inbox.ErrSameReply) {
			t.Fatalf("the same reply while the first is queued: %v, want ErrSameReply", err)
		}
		giveUp()
		if _, err := desk.Reply(ctx, id, "@ani", text); err != nil {
			t.Fatalf("the same reply after the first failed: %v, want it sent again", err)
		}
		if rows("pending") != 1 || rows("failed") != 1 {
			t.Fatalf("outbox: %d pending, %d failed; want the reply queued again beside the failed one", rows("pending"), rows("failed"))
		}
		// Queued again: a third press is refused, until that one fails too.
		if _, err := desk.Reply(ctx, id, "@ani", text); !errors.Is(err, inbox.ErrSameReply) {
			t.Fatalf("the same reply while the resend is queued: %v, want ErrSameReply", err)
		}
		giveUp()
		if _, err := desk.Reply(ctx, id, "@ani", text); err != nil || rows("pending") != 1 {
			t.Fatalf("after the resend failed too: %v, %d pending", err, rows("pending"))
		}
		d, err := in.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		replies := 0
		for _, m := range d.Messages {
			if m.AuthorKind == inbox.Officer {
				replies++
			}
		}
		if replies != 1 {
			t.Fatalf("the ticket logs %d replies, want the one", replies)
		}
	})
}

package inbox_test

import (
	"context"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/inbox"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

// With a ticket open, a question the bot answered with a choice and the
// citizen then handed over ("Bukan semuanya") is in the ticket once; the
// same words written again after something else are logged again.
func TestHandingOverALoggedQuestionLogsItOnce(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		s := inbox.New(db)
		now := time.Now()
		c, err := s.EnsureConversation(ctx, db, bots.Telegram, "9", "9", "Warga")
		if err != nil {
			t.Fatal(err)
		}
		tk, _, err := openTicket(db, s, c.ID, "izin keramaian bagaimana", inbox.NoMatch, now)
		if err != nil {
			t.Fatal(err)
		}
		exchange := func(q string) {
			t.Helper()
			if err := db.InTx(ctx, func(tx *sqlx.Tx) error {
				return s.LogChatExchange(ctx, tx, bots.Telegram, "9", "9", "Warga", "", q, "Maksud Anda salah satu dari ini?", "clarify")
			}); err != nil {
				t.Fatal(err)
			}
		}
		const q = "akta"
		exchange(q)
		if _, _, err := openTicket(db, s, c.ID, q, inbox.NoMatch, now); err != nil {
			t.Fatal(err)
		}
		exchange("halo")
		if _, _, err := openTicket(db, s, c.ID, q, inbox.NoMatch, now); err != nil {
			t.Fatal(err)
		}
		det, err := s.Get(ctx, tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		var asked []string
		for _, m := range det.Messages {
			if m.Direction == inbox.In {
				asked = append(asked, m.Text)
			}
		}
		want := []string{"izin keramaian bagaimana", q, "halo", q}
		if len(asked) != len(want) {
			t.Fatalf("the citizen's messages in the ticket: %q, want %q", asked, want)
		}
		for i := range want {
			if asked[i] != want[i] {
				t.Fatalf("the citizen's messages in the ticket: %q, want %q", asked, want)
			}
		}
	})
}

package inbox_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/inbox"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

// A reply that repeats the ticket's last message, by the same officer (a
// form sent twice, a command run twice), is refused and writes nothing,
// also when both arrive at once; the same text after anything else, or
// by another officer, is a reply of its own.
func TestReplyRefusesTheSameReplyTwice(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		now := wib(11, 27, 10, 0)
		s := newStore(db, &now)
		c, err := s.EnsureConversation(ctx, db, bots.Telegram, "1", "1", "Siti")
		if err != nil {
			t.Fatal(err)
		}
		tk, _, err := openTicket(db, s, c.ID, "KTP saya hilang", inbox.NoMatch, now)
		if err != nil {
			t.Fatal(err)
		}
		reply := func(officer, text string) error {
			_, err := storagetest.InTx(db, func(tx *sqlx.Tx) (inbox.Ticket, error) {
				return s.Reply(ctx, tx, tk.ID, officer, text, now)
			})
			return err
		}
		const text = "Silakan ke Disdukcapil."
		const n = 6
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() { errs[i] = reply("Ani", text) })
		}
		wg.Wait()
		sent := 0
		for _, err := range errs {
			switch {
			case err == nil:
				sent++
			case !errors.Is(err, inbox.ErrSameReply):
				t.Errorf("a repeated reply at once: %v; want ErrSameReply", err)
			}
		}
		if sent != 1 {
			t.Errorf("%d of %d identical replies at once were logged; want 1", sent, n)
		}
		for _, step := range []struct {
			officer, text string
			want          error
			// handedOver: the claim the replies took is released first.
			handedOver bool
		}{
			{"Ani", text, inbox.ErrSameReply, false},
			{"Ani", "Bawa surat kehilangan dari polisi.", nil, false},
			{"Ani", text, nil, false}, // another reply came between
			{"Budi", text, nil, true},
			{"Budi", text, inbox.ErrSameReply, false},
		} {
			if step.handedOver {
				if _, err := s.Release(ctx, tk.ID, "", true); err != nil {
					t.Fatal(err)
				}
			}
			if err := reply(step.officer, step.text); !errors.Is(err, step.want) {
				t.Errorf("%s replies %q: %v; want %v", step.officer, step.text, err, step.want)
			}
		}
		if _, _, err := citizenReply(db, s, c.ID, "terima kasih", now); err != nil {
			t.Fatal(err)
		}
		if err := reply("Budi", text); err != nil {
			t.Errorf("the same reply after the citizen wrote: %v", err)
		}
		d, err := s.Get(ctx, tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, m := range d.Messages {
			got = append(got, m.AuthorName+": "+m.Text)
		}
		want := []string{": KTP saya hilang", "Ani: " + text, "Ani: Bawa surat kehilangan dari polisi.", "Ani: " + text,
			"Budi: " + text, ": terima kasih", "Budi: " + text}
		if len(got) != len(want) {
			t.Fatalf("messages %q; want %q", got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("message %d: %q; want %q", i, got[i], want[i])
			}
		}
	})
}

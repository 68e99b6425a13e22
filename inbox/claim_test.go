package inbox_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/inbox"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

func TestClaimFirstWins(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		now := wib(12, 1, 10, 0)
		s := newStore(db, &now)
		c, err := s.EnsureConversation(ctx, db, bots.Telegram, "77", "77", "")
		if err != nil {
			t.Fatal(err)
		}
		tk, _, err := openTicket(db, s, c.ID, "izin keramaian gimana", inbox.NoMatch, now)
		if err != nil {
			t.Fatal(err)
		}
		if by, err := s.ClaimedBy(ctx, tk.ID); err != nil || by != "" {
			t.Fatalf("ClaimedBy before any claim = %q, %v", by, err)
		}

		officers := []string{"ani", "budi", "citra", "dedi"}
		errs := make([]error, len(officers))
		var wg sync.WaitGroup
		for i, o := range officers {
			wg.Go(func() { _, errs[i] = s.Claim(ctx, tk.ID, o, now) })
		}
		wg.Wait()
		winner := ""
		for i, err := range errs {
			var ce *inbox.ClaimedError
			switch {
			case err == nil:
				if winner != "" {
					t.Fatalf("both %s and %s won the claim", winner, officers[i])
				}
				winner = officers[i]
			case errors.As(err, &ce):
			default:
				t.Fatalf("Claim by %s: %v", officers[i], err)
			}
		}
		if winner == "" {
			t.Fatal("nobody won the claim")
		}
		for i, err := range errs {
			var ce *inbox.ClaimedError
			if officers[i] != winner && (!errors.As(err, &ce) || ce.By != winner) {
				t.Errorf("Claim by %s = %v; want ClaimedError by %s", officers[i], err, winner)
			}
		}
		if by, err := s.ClaimedBy(ctx, tk.ID); err != nil || by != winner {
			t.Errorf("ClaimedBy = %q, %v; want %q", by, err, winner)
		}
		if _, err := s.Claim(ctx, tk.ID, winner, now); err != nil {
			t.Errorf("claiming again as the holder: %v", err)
		}

		if _, err := s.Close(ctx, db, tk.ID, winner, false, now); err != nil {
			t.Fatal(err)
		}
		tk2, _, err := openTicket(db, s, c.ID, "lagi", inbox.NoMatch, now)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Close(ctx, db, tk2.ID, "ani", false, now); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Claim(ctx, tk2.ID, "ani", now); !errors.Is(err, inbox.ErrClosed) {
			t.Errorf("claiming a closed ticket = %v; want ErrClosed", err)
		}
		if _, err := s.Claim(ctx, 99999, "ani", now); !errors.Is(err, inbox.ErrNotFound) {
			t.Errorf("claiming a missing ticket = %v; want ErrNotFound", err)
		}
		if _, err := s.Claim(ctx, tk.ID, " ", now); err == nil {
			t.Error("claim without an officer name: want error")
		}
	})
}

// A claim is handed back by its holder (or by anyone, for an operator),
// after which another officer may take the ticket on; nobody else may
// hand it back, and a closed ticket has nothing to hand back.
func TestReleaseHandsTheClaimBack(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		now := wib(12, 1, 10, 0)
		s := newStore(db, &now)
		c, err := s.EnsureConversation(ctx, db, bots.Telegram, "78", "78", "")
		if err != nil {
			t.Fatal(err)
		}
		tk, _, err := openTicket(db, s, c.ID, "izin keramaian gimana", inbox.NoMatch, now)
		if err != nil {
			t.Fatal(err)
		}
		if held, err := s.Release(ctx, tk.ID, "ani", false); held != "" || err != nil {
			t.Errorf("Release of an unclaimed ticket = %q, %v; want nothing", held, err)
		}
		if _, err := s.Claim(ctx, tk.ID, "ani", now); err != nil {
			t.Fatal(err)
		}
		var ce *inbox.ClaimedError
		if held, err := s.Release(ctx, tk.ID, "budi", false); held != "" || !errors.As(err, &ce) || ce.By != "ani" {
			t.Errorf("Release by another officer = %q, %v; want ClaimedError by ani", held, err)
		}
		if held, err := s.Release(ctx, tk.ID, "ani", false); held != "ani" || err != nil {
			t.Errorf("Release by the holder = %q, %v", held, err)
		}
		if by, err := s.ClaimedBy(ctx, tk.ID); by != "" || err != nil {
			t.Errorf("ClaimedBy after the release = %q, %v", by, err)
		}
		if _, err := s.Claim(ctx, tk.ID, "budi", now); err != nil {
			t.Errorf("a claim after the release: %v", err)
		}
		if held, err := s.Release(ctx, tk.ID, "cli:operator", true); held != "budi" || err != nil {
			t.Errorf("Release by anyone = %q, %v; want budi's claim", held, err)
		}
		if _, err := s.Release(ctx, 9999, "ani", false); !errors.Is(err, inbox.ErrNotFound) {
			t.Errorf("Release of no ticket: %v", err)
		}
		if _, err := s.Claim(ctx, tk.ID, "ani", now); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Close(ctx, db, tk.ID, "ani", false, now); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Release(ctx, tk.ID, "ani", false); !errors.Is(err, inbox.ErrClosed) {
			t.Errorf("Release of a closed ticket: %v", err)
		}
	})
}

// A claimed ticket is its holder's to close, as it is theirs to answer:
// a colleague's close is refused naming the holder and changes nothing;
// the holder, or anyone (an admin, the operator), closes it.
func TestCloseRespectsTheClaim(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		now := wib(12, 1, 10, 0)
		s := newStore(db, &now)
		var ids []int64
		for i, q := range []string{"izin keramaian gimana", "izin reklame gimana", "izin usaha gimana"} {
			chat := fmt.Sprint(80 + i)
			c, err := s.EnsureConversation(ctx, db, bots.Telegram, chat, chat, "")
			if err != nil {
				t.Fatal(err)
			}
			tk, _, err := openTicket(db, s, c.ID, q, inbox.NoMatch, now)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.Claim(ctx, tk.ID, "siti", now); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, tk.ID)
		}
		var ce *inbox.ClaimedError
		if _, err := s.Close(ctx, db, ids[0], "budi", false, now); !errors.As(err, &ce) || ce.By != "siti" {
			t.Errorf("a colleague closes siti's ticket: %v; want ClaimedError by siti", err)
		}
		if tk, err := s.Get(ctx, ids[0]); err != nil || tk.Ticket.Status == inbox.Closed || tk.Ticket.ClosedBy != "" {
			t.Errorf("after a refused close the ticket is %+v, %v; want it open", tk.Ticket, err)
		}
		if tk, err := s.Close(ctx, db, ids[0], "siti", false, now); err != nil || tk.ClosedBy != "siti" {
			t.Errorf("the holder closes: %+v, %v", tk, err)
		}
		if tk, err := s.Close(ctx, db, ids[1], "ani", true, now); err != nil || tk.ClosedBy != "ani" {
			t.Errorf("anyone (an admin) closes: %+v, %v", tk, err)
		}
		if _, err := s.Close(ctx, db, ids[1], "budi", false, now); !errors.Is(err, inbox.ErrClosed) {
			t.Errorf("closing a closed ticket: %v; want ErrClosed", err)
		}
		if _, err := s.Close(ctx, db, 99999, "budi", false, now); !errors.Is(err, inbox.ErrNotFound) {
			t.Errorf("closing a missing ticket: %v; want ErrNotFound", err)
		}
		if _, err := s.Release(ctx, ids[2], "siti", false); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Close(ctx, db, ids[2], "budi", false, now); err != nil {
			t.Errorf("closing a ticket nobody holds: %v", err)
		}
	})
}

package inbox_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

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

// TestCloseAndAClaimInFlight: on Postgres, officer siti claims a ticket
// while officer budi closes it. Siti's claim is held up at its insert (by
// a transaction that rolls back) while budi closes, to make the window of
// a few milliseconds certain: the close must then wait for the claim and
// see it, or the claim must find the ticket closed; not both succeed.
// (SQLite has one writer at a time: no race there.)
func TestCloseAndAClaimInFlight(t *testing.T) {
	db := storagetest.Open(t, storage.Postgres)
	ctx := context.Background()
	now := wib(12, 1, 10, 0)
	s := newStore(db, &now)
	c, err := s.EnsureConversation(ctx, db, bots.Telegram, "91", "91", "")
	if err != nil {
		t.Fatal(err)
	}
	tk, _, err := openTicket(db, s, c.ID, "izin keramaian gimana", inbox.NoMatch, now)
	if err != nil {
		t.Fatal(err)
	}
	blocker, err := db.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer blocker.Rollback()
	if _, err := blocker.ExecContext(ctx, `INSERT INTO ticket_claims (ticket_id, officer, claimed_at) VALUES ($1, 'x', $2)`, tk.ID, now); err != nil {
		t.Fatal(err)
	}
	claimed := make(chan error, 1)
	go func() {
		_, err := s.Claim(ctx, tk.ID, "siti", now)
		claimed <- err
	}()
	waitForLockWait(t, db, `INSERT INTO ticket_claims%`, claimed)
	select {
	case err := <-claimed:
		t.Fatalf("siti's claim ended before its insert waited: %v", err)
	default:
	}
	closed := make(chan error, 1)
	go func() {
		_, err := s.Close(ctx, db, tk.ID, "budi", false, now)
		closed <- err
	}()
	waitForLockWait(t, db, `%FROM tickets WHERE id = $1 FOR NO KEY UPDATE`, closed)
	if err := blocker.Rollback(); err != nil {
		t.Fatal(err)
	}
	claimErr, closeErr := <-claimed, <-closed
	det, err := s.Get(ctx, tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	holder, err := s.ClaimedBy(ctx, tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	if closeErr == nil && claimErr == nil {
		t.Errorf("budi's close and siti's claim both succeeded: ticket %s (closed by %q) and claimed by %q; want the claim to find it closed (ErrClosed) or the close to see the claim",
			det.Ticket.Status, det.Ticket.ClosedBy, holder)
	}
	if closeErr == nil && claimErr != nil && !errors.Is(claimErr, inbox.ErrClosed) {
		t.Errorf("siti's claim after the close: %v; want ErrClosed", claimErr)
	}
	if claimed, ok := errors.AsType[*inbox.ClaimedError](closeErr); closeErr != nil && (!ok || claimed.By != "siti") {
		t.Errorf("budi's close after siti's claim: %v; want a *ClaimedError naming siti", closeErr)
	}
}

// TestClaimWaitsForACloseInFlight: on Postgres, a claim taken while a
// close is being written (its transaction not yet committed) waits for it
// and finds the ticket closed, rather than claiming a closed ticket.
func TestClaimWaitsForACloseInFlight(t *testing.T) {
	db := storagetest.Open(t, storage.Postgres)
	ctx := context.Background()
	now := wib(12, 1, 10, 0)
	s := newStore(db, &now)
	c, err := s.EnsureConversation(ctx, db, bots.Telegram, "92", "92", "")
	if err != nil {
		t.Fatal(err)
	}
	tk, _, err := openTicket(db, s, c.ID, "jam buka kantor camat", inbox.NoMatch, now)
	if err != nil {
		t.Fatal(err)
	}
	tx, err := db.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := s.Close(ctx, tx, tk.ID, "budi", false, now); err != nil {
		t.Fatal(err)
	}
	claimed := make(chan error, 1)
	go func() {
		_, err := s.Claim(ctx, tk.ID, "siti", now)
		claimed <- err
	}()
	waitForLockWait(t, db, `%FROM tickets WHERE id = $1 FOR NO KEY UPDATE`, claimed)
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := <-claimed; !errors.Is(err, inbox.ErrClosed) {
		holder, _ := s.ClaimedBy(ctx, tk.ID)
		t.Errorf("siti's claim while budi's close was being written: %v (claimed by %q); want ErrClosed", err, holder)
	}
}

// waitForLockWait polls the server, with a deadline, until a statement
// like pattern waits for a lock, or until done (if not nil) has a result,
// which it leaves there.
func waitForLockWait(t *testing.T, db *storage.DB, pattern string, done chan error) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		select {
		case err := <-done:
			done <- err
			return
		default:
		}
		var waiting int
		if err := db.GetContext(context.Background(), &waiting, `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE $1`, pattern); err != nil {
			t.Fatal(err)
		}
		if waiting > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no statement like %q came to wait for a lock", pattern)
		}
		time.Sleep(5 * time.Millisecond) // polling the server, with a deadline
	}
}

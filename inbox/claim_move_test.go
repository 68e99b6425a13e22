package inbox_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/inbox"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

// MoveClaims moves only the claims the web account took: one that a Slack
// officer took under the same name, or another account, stays theirs.
// From the account's own name every claim moves (nobody else has that
// name), recorded as the account's, so that it moves back too.
func TestMoveClaimsMovesOnlyTheAccountsClaims(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		now := wib(12, 1, 10, 0)
		s := newStore(db, &now)
		ticket := func(user string) int64 {
			t.Helper()
			c, err := s.EnsureConversation(ctx, db, bots.Telegram, user, user, "")
			if err != nil {
				t.Fatal(err)
			}
			tk, _, err := openTicket(db, s, c.ID, "izin keramaian di lapangan "+user, inbox.NoMatch, now)
			if err != nil {
				t.Fatal(err)
			}
			return tk.ID
		}
		const andi, budi = 7, 8
		byAndi, bySiti, byBudi, byAndiUnmapped := ticket("81"), ticket("82"), ticket("83"), ticket("84")
		for _, c := range []struct {
			id      int64
			officer string
			account int64
		}{{byAndi, "@siti", andi}, {bySiti, "@siti", 0}, {byBudi, "@siti", budi}, {byAndiUnmapped, "andi", 0}} {
			var err error
			if c.account == 0 {
				_, err = s.Claim(ctx, c.id, c.officer, now) // in Slack, or by a reply
			} else {
				_, err = s.ClaimForAccount(ctx, c.id, c.officer, c.account, now)
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		move := func(from, to string, ownName bool) int64 {
			t.Helper()
			var n int64
			err := db.InTx(ctx, func(tx *sqlx.Tx) error {
				var err error
				n, err = inbox.MoveClaims(ctx, tx, andi, from, to, ownName)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		holders := func() string {
			t.Helper()
			var out string
			for i, id := range []int64{byAndi, bySiti, byBudi, byAndiUnmapped} {
				by, err := s.ClaimedBy(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				out += fmt.Sprintf("%d:%s ", i, by)
			}
			return out
		}

		if n, got, want := move("@siti", "@andi", false), holders(), "0:@andi 1:@siti 2:@siti 3:andi "; n != 1 || got != want {
			t.Errorf("andi's account moved from @siti to @andi: %d moved, claims %q; want 1, %q", n, got, want)
		}
		if n, got, want := move("andi", "@andi", true), holders(), "0:@andi 1:@siti 2:@siti 3:@andi "; n != 1 || got != want {
			t.Errorf("from andi's own name: %d moved, claims %q; want 1, %q", n, got, want)
		}
		if n, got, want := move("@andi", "andi", false), holders(), "0:andi 1:@siti 2:@siti 3:andi "; n != 2 || got != want {
			t.Errorf("unmapped again: %d moved, claims %q; want 2, %q", n, got, want)
		}
		if n := move("@siti", "@siti", false); n != 0 {
			t.Errorf("a move to the same name moved %d", n)
		}
		err := db.InTx(ctx, func(tx *sqlx.Tx) error {
			_, err := inbox.MoveClaims(ctx, tx, andi, " ", "@andi", false)
			return err
		})
		if err == nil {
			t.Error("a move from an empty name is accepted")
		}
	})
}

// A claim from before the desks recorded the web account on the claims
// it takes (migration 0040 marks them account_unknown) moves with the
// account mapped to its Slack name: the officer took it on, or answered
// it, on the web desk then as likely as in Slack. A claim without an
// account taken since (Slack, the command line) stays.
func TestMoveClaimsMovesClaimsOfUnknownAccount(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		now := wib(12, 1, 10, 0)
		s := newStore(db, &now)
		var ids []int64
		for _, user := range []string{"91", "92", "93"} {
			c, err := s.EnsureConversation(ctx, db, bots.Telegram, user, user, "")
			if err != nil {
				t.Fatal(err)
			}
			tk, _, err := openTicket(db, s, c.ID, "izin keramaian di lapangan "+user, inbox.NoMatch, now)
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, tk.ID)
			if _, err := s.Claim(ctx, tk.ID, "@andi", now); err != nil {
				t.Fatal(err)
			}
		}
		old, oldReply := ids[0], ids[1] // ids[2]: taken in Slack since
		// As migration 0040 finds them: claims without an account.
		if _, err := db.ExecContext(ctx, db.Rebind(`UPDATE ticket_claims SET account_unknown = ? WHERE ticket_id IN (?, ?)`), true, old, oldReply); err != nil {
			t.Fatal(err)
		}
		var n int64
		err := db.InTx(ctx, func(tx *sqlx.Tx) error {
			var err error
			n, err = inbox.MoveClaims(ctx, tx, 7, "@andi", "@andi2", false)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		var got string
		for _, id := range ids {
			by, err := s.ClaimedBy(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			got += by + " "
		}
		if want := "@andi2 @andi2 @andi "; n != 2 || got != want {
			t.Errorf("account 7 moved from @andi to @andi2: %d moved, claims %q; want 2, %q", n, got, want)
		}
		// Moved, they are the account's now, and move back with it alone.
		err = db.InTx(ctx, func(tx *sqlx.Tx) error {
			var err error
			if n, err = inbox.MoveClaims(ctx, tx, 8, "@andi2", "@budi", false); err != nil || n != 0 {
				return fmt.Errorf("another account moved %d claims (%v), want none", n, err)
			}
			if n, err = inbox.MoveClaims(ctx, tx, 7, "@andi2", "@andi", false); err != nil || n != 2 {
				return fmt.Errorf("the account moved %d claims back (%v), want 2", n, err)
			}
			return nil
		})
		if err != nil {
			t.Error(err)
		}
	})
}

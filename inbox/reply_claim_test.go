package inbox_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/inbox"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

// A claim released and taken by a colleague between an officer's claim
// and their reply refuses the reply: the citizen gets one answer. A reply
// to an unclaimed ticket claims it.
func TestReplyHonoursTheClaimHeldNow(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		s := inbox.New(db)
		now := time.Now()
		reply := func(id int64, officer string) error {
			return db.InTx(ctx, func(tx *sqlx.Tx) error {
				_, err := s.Reply(ctx, tx, id, officer, "Silakan datang ke kantor kelurahan.", now)
				return err
			})
		}
		open := func(chat, question string) int64 {
			t.Helper()
			c, err := s.EnsureConversation(ctx, db, bots.Telegram, chat, chat, "Warga")
			if err != nil {
				t.Fatal(err)
			}
			tk, _, err := openTicket(db, s, c.ID, question, inbox.NoMatch, now)
			if err != nil {
				t.Fatal(err)
			}
			return tk.ID
		}
		id := open("100", "izin keramaian bagaimana")
		if _, err := s.Claim(ctx, id, "@ani", now); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Release(ctx, id, "operator", true); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Claim(ctx, id, "@budi", now); err != nil {
			t.Fatal(err)
		}
		if err := reply(id, "@budi"); err != nil {
			t.Fatal(err)
		}
		var claimed *inbox.ClaimedError
		if err := reply(id, "@ani"); !errors.As(err, &claimed) || claimed.By != "@budi" {
			t.Fatalf("ani's reply after her claim went to budi: %v, want a claim by @budi", err)
		}
		det, err := s.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		replies := 0
		for _, m := range det.Messages {
			if m.Direction == inbox.Out {
				replies++
			}
		}
		if replies != 1 || det.Ticket.AnsweredBy != "@budi" {
			t.Fatalf("%d replies, answered by %q; want budi's alone", replies, det.Ticket.AnsweredBy)
		}

		other := open("200", "jam buka kantor camat")
		if err := reply(other, "@ani"); err != nil {
			t.Fatal(err)
		}
		if by, err := s.ClaimedBy(ctx, other); err != nil || by != "@ani" {
			t.Fatalf("a reply to an unclaimed ticket left it claimed by %q (%v), want @ani", by, err)
		}
	})
}

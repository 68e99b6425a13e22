package inbox_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/inbox"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

func TestUnansweredGroupsBySimilarity(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		now := wib(12, 2, 10, 0)
		s := newStore(db, &now)
		asked := []struct {
			q      string
			reason inbox.Reason
			at     time.Time
		}{
			{"cara bikin paspor gimana?", inbox.NoMatch, now.Add(-30 * 24 * time.Hour)}, // too old
			{"izin keramaian untuk pesta bagaimana", inbox.NoMatch, now},
			{"cara bikin paspor gimana?", inbox.NoMatch, now},
			{"bikin paspor di mana", inbox.AskedHuman, now},
			{"cara bikin paspor", inbox.UnhelpfulAnswer, now},
			// Files and places without words hold no question.
			{inbox.NoCaption("voice"), inbox.NoMatch, now},
			{inbox.NoCaption("voice"), inbox.NoMatch, now},
			{inbox.NoCaption("location"), inbox.NoMatch, now},
			{inbox.NoCaption("photo"), inbox.NoMatch, now},
		}
		for i, a := range asked {
			c, err := s.EnsureConversation(ctx, db, bots.Telegram, fmt.Sprint(100+i), fmt.Sprint(100+i), "")
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := openTicket(db, s, c.ID, a.q, a.reason, a.at); err != nil {
				t.Fatal(err)
			}
		}
		groups, err := s.Unanswered(ctx, now.Add(-7*24*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if len(groups) != 2 {
			t.Fatalf("groups = %+v; want 2", groups)
		}
		g := groups[0]
		if g.Count != 3 || g.Question != "cara bikin paspor gimana?" || fmt.Sprint(g.TicketIDs) != "[3 4 5]" ||
			g.Reasons[inbox.NoMatch] != 1 || g.Reasons[inbox.AskedHuman] != 1 || g.Reasons[inbox.UnhelpfulAnswer] != 1 ||
			len(g.Examples) != 2 {
			t.Errorf("biggest group = %+v", g)
		}
		if groups[1].Count != 1 || groups[1].Question != "izin keramaian untuk pesta bagaimana" {
			t.Errorf("second group = %+v", groups[1])
		}
	})
}

// TestUnansweredCacheGroupsOnlyAfterAChange pins the cache: asking again
// with nothing changed groups nothing again, while a new question, one
// leaving the window and an erasure each show on the very next call.
func TestUnansweredCacheGroupsOnlyAfterAChange(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		now := wib(12, 2, 10, 0)
		s := newStore(db, &now)
		c := inbox.NewUnansweredCache(s)
		ask := func(user, q string, at time.Time) {
			t.Helper()
			conv, err := s.EnsureConversation(ctx, db, bots.Telegram, user, user, "")
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := openTicket(db, s, conv.ID, q, inbox.NoMatch, at); err != nil {
				t.Fatal(err)
			}
		}
		// check compares the cache with the store's own grouping and the
		// cache's grouping runs with runs.
		check := func(what string, since time.Time, runs int, want string) {
			t.Helper()
			got, err := c.Unanswered(ctx, since)
			if err != nil {
				t.Fatal(err)
			}
			fresh, err := s.Unanswered(ctx, since)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got) != fmt.Sprint(fresh) {
				t.Errorf("%s: cached groups %+v, fresh %+v", what, got, fresh)
			}
			var qs []string
			for _, g := range got {
				qs = append(qs, fmt.Sprintf("%s ×%d", g.Question, g.Count))
			}
			if fmt.Sprint(qs) != want {
				t.Errorf("%s: groups %v, want %s", what, qs, want)
			}
			if c.Runs() != runs {
				t.Errorf("%s: %d groupings, want %d", what, c.Runs(), runs)
			}
		}
		week := now.Add(-7 * 24 * time.Hour)
		ask("1", "cara bikin paspor gimana", now.Add(-6*24*time.Hour))
		ask("2", "jam buka kantor camat", now.Add(-time.Hour))
		check("first", week, 1, "[cara bikin paspor gimana ×1 jam buka kantor camat ×1]")
		check("again", week, 1, "[cara bikin paspor gimana ×1 jam buka kantor camat ×1]")
		check("a later start with the same tickets", week.Add(time.Minute), 1, "[cara bikin paspor gimana ×1 jam buka kantor camat ×1]")

		ask("3", "bikin paspor di mana", now)
		check("a new question", week, 2, "[cara bikin paspor gimana ×2 jam buka kantor camat ×1]")
		check("a new question, again", week, 2, "[cara bikin paspor gimana ×2 jam buka kantor camat ×1]")

		check("the oldest question out of the window", now.Add(-2*24*time.Hour), 3, "[jam buka kantor camat ×1 bikin paspor di mana ×1]")
		check("the week kept beside it", week, 3, "[cara bikin paspor gimana ×2 jam buka kantor camat ×1]")

		if _, err := storagetest.InTx(db, func(tx *sqlx.Tx) ([]string, error) { return s.Forget(ctx, tx, bots.Telegram, "2") }); err != nil {
			t.Fatal(err)
		}
		check("an erased citizen", week, 4, "[cara bikin paspor gimana ×2]")
	})
}

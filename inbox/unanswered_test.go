package inbox_test

import (
	"context"
	"fmt"
	"testing"
	"time"

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

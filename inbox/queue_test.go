package inbox_test

import (
	"github.com/jmoiron/sqlx"

	"context"
	"slices"
	"testing"
	"time"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/inbox"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

func TestQueuesAndStats(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC) // a Monday
		s := inbox.New(db)
		s.Calendar, s.SLA = inbox.Calendar{}, time.Hour // open around the clock
		s.Now = func() time.Time { return now }
		open := func(user string, at time.Time, reason inbox.Reason) int64 {
			c, err := s.EnsureConversation(ctx, db, bots.Telegram, user, user, "Warga "+user)
			if err != nil {
				t.Fatal(err)
			}
			tk, _, err := openTicket(db, s, c.ID, "pertanyaan "+user, reason, at)
			if err != nil {
				t.Fatal(err)
			}
			return tk.ID
		}
		late := open("1", now.Add(-2*time.Hour), inbox.NoMatch)        // due an hour ago
		fresh := open("2", now.Add(-10*time.Minute), inbox.AskedHuman) // due in 50 minutes
		answered := open("3", now.Add(-3*time.Hour), inbox.NoMatch)
		if _, err := storagetest.InTx(db, func(tx *sqlx.Tx) (inbox.Ticket, error) {
			return s.Reply(ctx, tx, answered, "siti", "jawaban", now.Add(-150*time.Minute))
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Claim(ctx, fresh, "budi", now); err != nil {
			t.Fatal(err)
		}
		done := open("4", now.Add(-4*time.Hour), inbox.UnhelpfulAnswer)
		if _, err := s.Close(ctx, db, done, "budi", false, now.Add(-time.Hour)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Rate(ctx, db, done, 4, ""); err != nil {
			t.Fatal(err)
		}
		ids := func(q inbox.Queue, officer string) []int64 {
			p, err := s.ListQueue(ctx, inbox.QueueFilter{Queue: q, Officer: officer, Now: now})
			if err != nil {
				t.Fatal(err)
			}
			var out []int64
			for _, lt := range p.Tickets {
				out = append(out, lt.Ticket.ID)
			}
			if p.Counts[q] != len(out) {
				t.Errorf("%s: count %d, listed %d", q, p.Counts[q], len(out))
			}
			return out
		}
		for _, c := range []struct {
			q       inbox.Queue
			officer string
			want    []int64
		}{
			{inbox.QueueOpen, "", []int64{answered, late, fresh}}, // earliest due first
			{inbox.QueueOverdue, "", []int64{late}},
			{inbox.QueueMine, "siti", []int64{answered}},
			{inbox.QueueMine, "budi", []int64{fresh}}, // claimed, not answered yet
			{inbox.QueueClosed, "", []int64{done}},
		} {
			if got := ids(c.q, c.officer); !slices.Equal(got, c.want) {
				t.Errorf("%s (%s): %v, want %v", c.q, c.officer, got, c.want)
			}
		}
		if _, err := s.ListQueue(ctx, inbox.QueueFilter{Queue: "mystery"}); err == nil {
			t.Error("an unknown queue is listed")
		}

		st, err := s.Stats(ctx, now, time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		if st.QuestionsToday != 4 || st.QuestionsWeek != 4 || len(st.QuestionsByDay) != 7 || !st.QuestionsByDay[6].Day.Equal(time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("questions: today %d, week %d, days %v", st.QuestionsToday, st.QuestionsWeek, st.QuestionsByDay)
		}
		if st.Ratings != [5]int{0, 0, 0, 1, 0} {
			t.Errorf("ratings %v", st.Ratings)
		}
		if st.Reasons[inbox.NoMatch] != 2 || st.Reasons[inbox.AskedHuman] != 1 || st.Reasons[inbox.UnhelpfulAnswer] != 1 {
			t.Errorf("reasons %v", st.Reasons)
		}
	})
}

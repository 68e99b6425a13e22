package inbox

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// DayCount is a number of events on one day.
type DayCount struct {
	Day time.Time // midnight, in the location asked for
	N   int
}

// Stats are the desk's numbers for a dashboard.
type Stats struct {
	// QuestionsByDay counts the citizens' messages on each of the last
	// seven days, oldest first; the last is today.
	QuestionsByDay []DayCount
	QuestionsToday int
	QuestionsWeek  int
	// Ratings counts closed tickets rated 1 to 5 (index 0 is 1 star).
	Ratings [5]int
	// Reasons counts tickets by why they were handed over.
	Reasons map[Reason]int
}

// Stats returns the dashboard's numbers (ListQueue counts the queues) as of now, days counted in loc.
func (s *Store) Stats(ctx context.Context, now time.Time, loc *time.Location) (Stats, error) {
	var st Stats
	local := now.In(loc)
	today := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc)
	// One query, one index range per day: the week's citizen messages are
	// all in messages_citizen_created, so no message row is read.
	var counts []string
	var args []any
	for i := 6; i >= 0; i-- {
		from := today.AddDate(0, 0, -i)
		counts = append(counts, `(SELECT COUNT(*) FROM messages WHERE author_kind = 'citizen' AND created_at >= ? AND created_at < ?)`)
		args = append(args, utc(from), utc(from.AddDate(0, 0, 1)))
		st.QuestionsByDay = append(st.QuestionsByDay, DayCount{Day: from})
	}
	n := make([]int, len(counts))
	dest := make([]any, len(n))
	for i := range n {
		dest[i] = &n[i]
	}
	if err := s.db.QueryRowxContext(ctx, s.db.Rebind(`SELECT `+strings.Join(counts, `, `)), args...).Scan(dest...); err != nil {
		return Stats{}, fmt.Errorf("inbox: unable to count questions: %w", err)
	}
	for i := range n {
		st.QuestionsByDay[i].N = n[i]
		st.QuestionsWeek += n[i]
	}
	st.QuestionsToday = st.QuestionsByDay[6].N
	var ratings []struct {
		Rating int `db:"rating"`
		N      int `db:"n"`
	}
	if err := s.db.SelectContext(ctx, &ratings, `SELECT rating, COUNT(*) AS n FROM tickets WHERE rating IS NOT NULL GROUP BY rating`); err != nil {
		return Stats{}, fmt.Errorf("inbox: unable to count ratings: %w", err)
	}
	for _, r := range ratings {
		if r.Rating >= 1 && r.Rating <= 5 {
			st.Ratings[r.Rating-1] = r.N
		}
	}
	var reasons []struct {
		Reason string `db:"reason"`
		N      int    `db:"n"`
	}
	if err := s.db.SelectContext(ctx, &reasons, `SELECT reason, COUNT(*) AS n FROM tickets GROUP BY reason`); err != nil {
		return Stats{}, fmt.Errorf("inbox: unable to count handoff reasons: %w", err)
	}
	st.Reasons = map[Reason]int{}
	for _, r := range reasons {
		st.Reasons[Reason(r.Reason)] = r.N
	}
	return st, nil
}

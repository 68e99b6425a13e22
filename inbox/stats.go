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
	// Decisions counts the bot's messages of the last seven days by the
	// engine's decision they carry out (see Decision), by DecisionKinds.
	Decisions map[string]int
}

// DecisionKinds are the engine's decisions that Stats counts: answered,
// asked back, handed over, declined.
var DecisionKinds = []string{"answer", "clarify", "handoff", "decline"}

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
	// One pass over the week's decided bot messages (an index holds them):
	// a decision is its kind, then perhaps entry ids ("answer ktp-hilang").
	var sums []string
	var dargs []any
	for _, k := range DecisionKinds {
		sums = append(sums, `COALESCE(SUM(CASE WHEN decision = ? OR decision LIKE ? THEN 1 ELSE 0 END), 0)`)
		dargs = append(dargs, k, k+" %")
	}
	dargs = append(dargs, utc(today.AddDate(0, 0, -6)), utc(today.AddDate(0, 0, 1)))
	dn := make([]int, len(DecisionKinds))
	ddest := make([]any, len(dn))
	for i := range dn {
		ddest[i] = &dn[i]
	}
	if err := s.db.QueryRowxContext(ctx, s.db.Rebind(`SELECT `+strings.Join(sums, `, `)+
		` FROM messages WHERE decision <> '' AND created_at >= ? AND created_at < ?`), dargs...).Scan(ddest...); err != nil {
		return Stats{}, fmt.Errorf("inbox: unable to count decisions: %w", err)
	}
	st.Decisions = map[string]int{}
	for i, k := range DecisionKinds {
		st.Decisions[k] = dn[i]
	}
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

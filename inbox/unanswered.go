package inbox

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/tebingtinggi/hub/knowledge/textid"
)

// UnansweredGroup is a set of similar questions the bot did not answer:
// handed over because nothing matched, because the citizen asked for an
// officer, or because they marked the bot's answer "Belum 👎".
type UnansweredGroup struct {
	// Question is the group's first question, as asked.
	Question string
	// Count is how many tickets asked it.
	Count int
	// TicketIDs are those tickets, oldest first.
	TicketIDs []int64
	// Reasons counts the tickets per handoff reason.
	Reasons map[Reason]int
	// Examples are up to MaxExamples other wordings of the group.
	Examples []string
	// First and Last are when the group's oldest and newest tickets were
	// opened.
	First, Last time.Time
}

// Grouping parameters.
const (
	// MaxExamples bounds UnansweredGroup.Examples.
	MaxExamples = 3
	// similarEnough is the least share of the shorter question's stemmed
	// words that the other question has too, for both to be grouped. The
	// shorter one counts, not the union: "bikin paspor di mana" belongs
	// with "cara bikin paspor gimana", though the question words differ.
	similarEnough = 0.6
)

// Unanswered groups the questions of the tickets opened since since by
// similarity, biggest group first, so that officers fill the largest gaps
// in the knowledge base first. The CLI, Slack's /faq belum and the web
// admin show the same groups.
func (s *Store) Unanswered(ctx context.Context, since time.Time) ([]UnansweredGroup, error) {
	rows, err := s.unansweredRows(ctx, since)
	if err != nil {
		return nil, err
	}
	return groupUnanswered(rows), nil
}

// unansweredRow is one ticket's question as the grouping reads it.
type unansweredRow struct {
	ID        int64     `db:"id"`
	Reason    string    `db:"reason"`
	Question  string    `db:"question"`
	CreatedAt time.Time `db:"created_at"`
}

func (s *Store) unansweredRows(ctx context.Context, since time.Time) ([]unansweredRow, error) {
	var rows []unansweredRow
	err := s.db.SelectContext(ctx, &rows, s.db.Rebind(`SELECT t.id, t.reason, t.created_at,
		COALESCE((SELECT m.text FROM messages m WHERE m.ticket_id = t.id AND m.author_kind = 'citizen' AND m.direction = 'in'
			ORDER BY m.id LIMIT 1), t.subject) AS question
		FROM tickets t WHERE t.created_at >= ? ORDER BY t.id`), utc(since))
	if err != nil {
		return nil, fmt.Errorf("inbox: unable to list unanswered questions: %w", err)
	}
	return rows, nil
}

// groupUnanswered groups rows, in ticket order, by similarity.
func groupUnanswered(rows []unansweredRow) []UnansweredGroup {
	type group struct {
		UnansweredGroup
		terms map[string]bool
	}
	var groups []*group
	// byTerm lists, for each term, the groups whose terms hold it: a
	// question meets only the groups it shares a term with (any other
	// overlap is 0), and counts the shared terms on the way, which makes
	// 10,000 questions a fraction of a second instead of a comparison
	// with every group.
	byTerm := map[string][]int{}
	var common []int // shared terms per group, zero outside seen
	var seen []int
	for _, r := range rows {
		if r.Question == "" || IsNoCaption(r.Question) {
			continue // purged or forgotten, or a file or place without words
		}
		terms := termSet(r.Question)
		seen = seen[:0]
		for t := range terms {
			for _, gi := range byTerm[t] {
				if common[gi] == 0 {
					seen = append(seen, gi)
				}
				common[gi]++
			}
		}
		// In creation order, as a scan of every group would meet them,
		// so that ties go to the older group.
		sort.Ints(seen)
		var into *group
		best := 0.0
		for _, gi := range seen {
			g := groups[gi]
			sim := float64(common[gi]) / float64(min(len(terms), len(g.terms)))
			common[gi] = 0
			if sim >= similarEnough && sim > best {
				into, best = g, sim
			}
		}
		at := r.CreatedAt.UTC()
		if into == nil {
			into = &group{UnansweredGroup: UnansweredGroup{Question: r.Question, Reasons: map[Reason]int{}, First: at}, terms: terms}
			for t := range terms {
				byTerm[t] = append(byTerm[t], len(groups))
			}
			groups = append(groups, into)
			common = append(common, 0)
		} else if len(into.Examples) < MaxExamples && r.Question != into.Question {
			into.Examples = append(into.Examples, r.Question)
		}
		into.Count++
		into.TicketIDs = append(into.TicketIDs, r.ID)
		into.Reasons[Reason(r.Reason)]++
		into.Last = at
	}
	sort.SliceStable(groups, func(i, j int) bool { return groups[i].Count > groups[j].Count })
	out := make([]UnansweredGroup, len(groups))
	for i, g := range groups {
		out[i] = g.UnansweredGroup
	}
	return out
}

// termSet is the set of a question's stemmed content words.
func termSet(q string) map[string]bool {
	set := map[string]bool{}
	for _, t := range textid.Terms(q) {
		set[t] = true
	}
	return set
}

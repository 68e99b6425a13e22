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
	var rows []struct {
		ID       int64  `db:"id"`
		Reason   string `db:"reason"`
		Question string `db:"question"`
	}
	err := s.db.SelectContext(ctx, &rows, s.db.Rebind(`SELECT t.id, t.reason,
		COALESCE((SELECT m.text FROM messages m WHERE m.ticket_id = t.id AND m.author_kind = 'citizen' AND m.direction = 'in'
			ORDER BY m.id LIMIT 1), t.subject) AS question
		FROM tickets t WHERE t.created_at >= ? ORDER BY t.id`), utc(since))
	if err != nil {
		return nil, fmt.Errorf("inbox: unable to list unanswered questions: %w", err)
	}
	type group struct {
		UnansweredGroup
		terms map[string]bool
	}
	var groups []*group
	for _, r := range rows {
		if r.Question == "" {
			continue // purged or forgotten
		}
		terms := termSet(r.Question)
		var into *group
		best := 0.0
		for _, g := range groups {
			if sim := overlap(terms, g.terms); sim >= similarEnough && sim > best {
				into, best = g, sim
			}
		}
		if into == nil {
			into = &group{UnansweredGroup: UnansweredGroup{Question: r.Question, Reasons: map[Reason]int{}}, terms: terms}
			groups = append(groups, into)
		} else if len(into.Examples) < MaxExamples && r.Question != into.Question {
			into.Examples = append(into.Examples, r.Question)
		}
		into.Count++
		into.TicketIDs = append(into.TicketIDs, r.ID)
		into.Reasons[Reason(r.Reason)]++
	}
	sort.SliceStable(groups, func(i, j int) bool { return groups[i].Count > groups[j].Count })
	out := make([]UnansweredGroup, len(groups))
	for i, g := range groups {
		out[i] = g.UnansweredGroup
	}
	return out, nil
}

// termSet is the set of a question's stemmed content words.
func termSet(q string) map[string]bool {
	set := map[string]bool{}
	for _, t := range textid.Terms(q) {
		set[t] = true
	}
	return set
}

// overlap is the share of the smaller set's terms that the other has.
func overlap(a, b map[string]bool) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	if len(a) > len(b) {
		a, b = b, a
	}
	common := 0
	for t := range a {
		if b[t] {
			common++
		}
	}
	return float64(common) / float64(len(a))
}

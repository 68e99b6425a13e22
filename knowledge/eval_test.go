package knowledge

import (
	"bytes"
	"strings"
	"testing"
)

// TestEvaluateTop1: the ranking figure counts an in-scope question whose
// right entry comes first whatever the decision (answered, offered first,
// or first of a hand-over's candidates), and nothing else.
func TestEvaluateTop1(t *testing.T) {
	results := map[string]Result{
		"answered":  {Decision: Answer, Entry: &Entry{Slug: "a"}, Candidates: []Candidate{{Slug: "a"}}},
		"offered":   {Decision: Clarify, Candidates: []Candidate{{Slug: "b"}, {Slug: "a"}}},
		"handedoff": {Decision: Handoff, Candidates: []Candidate{{Slug: "c"}, {Slug: "b"}}},
		"declined":  {Decision: Decline},
		"outside":   {Decision: Handoff, Candidates: []Candidate{{Slug: "a"}}},
	}
	search := func(q string) Result { return results[q] }
	queries := []EvalQuery{
		{Q: "answered", Expect: []string{"a"}},
		{Q: "offered", Expect: []string{"a"}},
		{Q: "handedoff", Expect: []string{"c"}},
		{Q: "declined", Expect: []string{"a"}},
		{Q: "outside"},
	}
	r := Evaluate(search, queries)
	if r.InScope != 4 || r.Top1 != 0.5 {
		t.Fatalf("in scope %d, top1 %v; want 4 and 0.5", r.InScope, r.Top1)
	}
	var out bytes.Buffer
	if err := r.WriteText(&out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "right entry ranked first:            50.0%") {
		t.Fatalf("report lacks the top-1 line:\n%s", out.String())
	}
}

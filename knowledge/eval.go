package knowledge

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// EvalQuery is one labelled question: Expect is the entry that answers it,
// or empty when none does and the right move is a hand-over.
type EvalQuery struct {
	Q      string  `json:"q"`
	Expect *string `json:"expect"`
}

// ParseEvalQueries reads JSON lines {"q": …, "expect": "slug" | null}.
// Blank lines are skipped; any other bad line is an error naming it.
func ParseEvalQueries(r io.Reader, name string) ([]EvalQuery, error) {
	var out []EvalQuery
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		var q EvalQuery
		dec := json.NewDecoder(strings.NewReader(text))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&q); err != nil {
			return nil, fmt.Errorf("%s:%d: %v", name, line, err)
		}
		out = append(out, q)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s:%d: %w", name, line+1, err)
	}
	return out, nil
}

// Miss is a question the engine did not handle as labelled.
type Miss struct {
	Query    string   `json:"q"`
	Expect   string   `json:"expect"`
	Decision Decision `json:"decision"`
	Got      []string `json:"got"`
}

// EvalReport scores the engine on labelled questions. Shares are in [0,1].
type EvalReport struct {
	Total, InScope, OutOfScope int
	// Correct: in-scope questions answered directly with the right entry,
	// as a share of in-scope questions.
	Correct float64
	// CorrectOrClarified: answered correctly, or clarified with the right
	// entry among the choices, as a share of in-scope questions.
	CorrectOrClarified float64
	// Wrong: questions answered directly with a wrong entry (including
	// out-of-scope questions answered), as a share of all questions.
	Wrong float64
	// Clarified: questions answered with a clarification, share of all.
	Clarified float64
	// HandedOff: out-of-scope questions handed off, share of out-of-scope.
	HandedOff float64
	Misses    []Miss
}

// Evaluate runs every query through search and scores the decisions.
func Evaluate(search func(string) Result, queries []EvalQuery) EvalReport {
	var r EvalReport
	var correct, correctOrClar, wrong, clar, handedOff int
	for _, q := range queries {
		res := search(q.Q)
		r.Total++
		expect := ""
		if q.Expect != nil {
			expect = *q.Expect
		}
		var got []string
		for _, c := range res.Candidates {
			got = append(got, c.Slug)
		}
		if res.Decision == Clarify {
			clar++
		}
		ok := false
		if expect == "" {
			r.OutOfScope++
			switch res.Decision {
			case Handoff:
				handedOff++
				ok = true
			case Answer:
				wrong++
			}
		} else {
			r.InScope++
			switch res.Decision {
			case Answer:
				if res.Entry != nil && res.Entry.Slug == expect {
					correct++
					correctOrClar++
					ok = true
				} else {
					wrong++
				}
			case Clarify:
				for _, g := range got {
					if g == expect {
						correctOrClar++
						ok = true
					}
				}
			}
		}
		if !ok || (expect != "" && res.Decision != Answer) {
			r.Misses = append(r.Misses, Miss{Query: q.Q, Expect: expect, Decision: res.Decision, Got: got})
		}
	}
	share := func(n, of int) float64 {
		if of == 0 {
			return 0
		}
		return float64(n) / float64(of)
	}
	r.Correct = share(correct, r.InScope)
	r.CorrectOrClarified = share(correctOrClar, r.InScope)
	r.Wrong = share(wrong, r.Total)
	r.Clarified = share(clar, r.Total)
	r.HandedOff = share(handedOff, r.OutOfScope)
	return r
}

// WriteText prints the report for people: the five figures, then misses.
func (r EvalReport) WriteText(w io.Writer) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "questions: %d (in scope %d, out of scope %d)\n", r.Total, r.InScope, r.OutOfScope)
	fmt.Fprintf(bw, "answered correctly:                 %5.1f%% of in-scope\n", 100*r.Correct)
	fmt.Fprintf(bw, "answered correctly or clarified:    %5.1f%% of in-scope\n", 100*r.CorrectOrClarified)
	fmt.Fprintf(bw, "wrong answers:                      %5.1f%% of all\n", 100*r.Wrong)
	fmt.Fprintf(bw, "clarifications:                     %5.1f%% of all\n", 100*r.Clarified)
	fmt.Fprintf(bw, "out-of-scope handed off:            %5.1f%% of out-of-scope\n", 100*r.HandedOff)
	if len(r.Misses) > 0 {
		fmt.Fprintf(bw, "\nmisses (%d):\n", len(r.Misses))
		for _, m := range r.Misses {
			expect := m.Expect
			if expect == "" {
				expect = "(handoff)"
			}
			fmt.Fprintf(bw, "  %-8s expect %-20s got %-40s %q\n", m.Decision, expect, strings.Join(m.Got, ","), m.Query)
		}
	}
	return bw.Flush()
}

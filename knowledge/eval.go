package knowledge

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// EvalQuery is one labelled question: Expect lists the entries that answer
// it (any one of them is right), or is empty when none does and the right
// move is a hand-over or a polite decline.
type EvalQuery struct {
	Q      string
	Expect []string
	// Line is the line of the file ParseEvalQueries read it from.
	Line int
}

// UnmarshalJSON reads {"q": …, "expect": "slug" | ["slug", …] | null}.
// Its errors are worded in Indonesian for the officer who wrote the file.
func (q *EvalQuery) UnmarshalJSON(data []byte) error {
	var raw struct {
		Q      *string         `json:"q"`
		Expect json.RawMessage `json:"expect"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		return errors.New(evalLineProblem(err))
	}
	if raw.Q == nil {
		return errors.New(`kolom "q" (pertanyaan) tidak ada`)
	}
	*q = EvalQuery{Q: *raw.Q}
	exp := bytes.TrimSpace(raw.Expect)
	switch {
	case len(exp) == 0 || string(exp) == "null":
	case exp[0] == '"':
		var one string
		if err := json.Unmarshal(exp, &one); err != nil {
			return fmt.Errorf(`kolom "expect": %s`, evalLineProblem(err))
		}
		if one != "" {
			q.Expect = []string{one}
		}
	case exp[0] == '[':
		if err := json.Unmarshal(exp, &q.Expect); err != nil {
			return fmt.Errorf(`kolom "expect" harus berupa daftar id dalam tanda kutip: %s`, evalLineProblem(err))
		}
	default:
		return fmt.Errorf(`kolom "expect" harus berupa id, daftar id, atau null, bukan %s`, exp)
	}
	return nil
}

// evalLineProblem words a decoding error of one line of a labelled
// question file in Indonesian: an unknown field by its name, a wrong type
// by the field, bad JSON as jsonProblem words it.
func evalLineProblem(err error) string {
	var te *json.UnmarshalTypeError
	msg := err.Error()
	switch {
	case errors.As(err, &te) && te.Field != "":
		return fmt.Sprintf("kolom %q berisi nilai yang salah jenis (%s)", te.Field, te.Value)
	case errors.As(err, &te):
		return "baris ini harus berupa satu objek JSON {\"q\": …, \"expect\": …}"
	case strings.HasPrefix(msg, "json: unknown field "):
		return fmt.Sprintf("kolom %s tidak dikenal (yang dikenal: \"q\" dan \"expect\")", strings.TrimPrefix(msg, "json: unknown field "))
	}
	return "JSON rusak: " + jsonProblem(msg)
}

// MarshalJSON writes the form UnmarshalJSON reads.
func (q EvalQuery) MarshalJSON() ([]byte, error) {
	var exp any
	switch len(q.Expect) {
	case 0:
	case 1:
		exp = q.Expect[0]
	default:
		exp = q.Expect
	}
	return json.Marshal(struct {
		Q      string `json:"q"`
		Expect any    `json:"expect"`
	}{q.Q, exp})
}

// ParseEvalQueries reads JSON lines {"q": …, "expect": "slug" | ["slug",
// …] | null}. Blank lines are skipped; any other bad line is an error
// naming it.
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
		if err := json.Unmarshal([]byte(text), &q); err != nil {
			// encoding/json checks the syntax before UnmarshalJSON
			// sees the line, so that error is worded here.
			var se *json.SyntaxError
			if errors.As(err, &se) {
				return nil, fmt.Errorf("%s:%d: %s", name, line, evalLineProblem(err))
			}
			return nil, fmt.Errorf("%s:%d: %w", name, line, err)
		}
		q.Line = line
		out = append(out, q)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("%s:%d: baris terlalu panjang (paling banyak 1 MB)", name, line+1)
		}
		return nil, fmt.Errorf("%s:%d: tidak dapat dibaca: %w", name, line+1, err)
	}
	return out, nil
}

// Miss is a question the engine did not handle as labelled.
type Miss struct {
	Query    string   `json:"q"`
	Expect   []string `json:"expect"`
	Decision Decision `json:"decision"`
	Got      []string `json:"got"`
}

// Scored is one answer the engine gave, for calibration: its confidence and
// whether the entry was right.
type Scored struct {
	Confidence float64 `json:"confidence"`
	Correct    bool    `json:"correct"`
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
	// Top1: in-scope questions whose right entry is the first one the
	// engine ranks (answered, offered first, or first among those it
	// would have offered when handing over), share of in-scope. It tells
	// ranking apart from the decision to answer.
	Top1 float64
	// Separation: the chance that an in-scope question whose first entry
	// is right gets a higher confidence than one whose first entry is
	// wrong (ties count half; 0.5 is no better than chance). The engine
	// can only answer more questions without more wrong answers as far as
	// its confidence separates them.
	Separation float64
	// SeparationPairs is how many (right first, wrong first) pairs
	// Separation compares; with none it is undefined (and 0).
	SeparationPairs int
	// HandedOff: out-of-scope questions handed off, declined or taken as
	// small talk (anything but an answer or a clarification), share of
	// out-of-scope.
	HandedOff float64
	// OutOfScopeSplit counts the out-of-scope questions by decision.
	OutOfScopeSplit map[Decision]int
	// Answers are the direct answers given, for calibration.
	Answers []Scored `json:"-"`
	Misses  []Miss
}

// Evaluate runs every query through search and scores the decisions.
func Evaluate(search func(string) Result, queries []EvalQuery) EvalReport {
	r := EvalReport{OutOfScopeSplit: make(map[Decision]int)}
	var correct, correctOrClar, wrong, clar, handedOff, top1 int
	var rightFirst, wrongFirst []float64
	for _, q := range queries {
		res := search(q.Q)
		r.Total++
		var got []string
		for _, c := range res.Candidates {
			got = append(got, c.Slug)
		}
		if res.Decision == Clarify {
			clar++
		}
		ok := false
		if len(q.Expect) == 0 {
			r.OutOfScope++
			r.OutOfScopeSplit[res.Decision]++
			switch res.Decision {
			case Handoff, Decline, Smalltalk:
				handedOff++
				ok = true
			case Answer:
				wrong++
				r.Answers = append(r.Answers, Scored{Confidence: res.Confidence})
			}
		} else {
			r.InScope++
			if len(got) > 0 {
				if slices.Contains(q.Expect, got[0]) {
					top1++
					rightFirst = append(rightFirst, res.Confidence)
				} else {
					wrongFirst = append(wrongFirst, res.Confidence)
				}
			}
			switch res.Decision {
			case Answer:
				right := res.Entry != nil && slices.Contains(q.Expect, res.Entry.Slug)
				r.Answers = append(r.Answers, Scored{Confidence: res.Confidence, Correct: right})
				if right {
					correct++
					correctOrClar++
					ok = true
				} else {
					wrong++
				}
			case Clarify:
				for _, g := range got {
					if slices.Contains(q.Expect, g) {
						correctOrClar++
						ok = true
						break
					}
				}
			}
		}
		if !ok || (len(q.Expect) > 0 && res.Decision != Answer) {
			r.Misses = append(r.Misses, Miss{Query: q.Q, Expect: q.Expect, Decision: res.Decision, Got: got})
		}
	}
	r.Correct = share(correct, r.InScope)
	r.CorrectOrClarified = share(correctOrClar, r.InScope)
	r.Wrong = share(wrong, r.Total)
	r.Clarified = share(clar, r.Total)
	r.HandedOff = share(handedOff, r.OutOfScope)
	r.Top1 = share(top1, r.InScope)
	r.Separation = separation(rightFirst, wrongFirst)
	r.SeparationPairs = len(rightFirst) * len(wrongFirst)
	return r
}

// separation is the area under the ROC curve of scores for positives pos
// against negatives neg: the share of (positive, negative) pairs in which
// the positive scores higher, ties counting half. With no pair it is 0.
func separation(pos, neg []float64) float64 {
	if len(pos) == 0 || len(neg) == 0 {
		return 0
	}
	neg = slices.Clone(neg)
	slices.Sort(neg)
	var sum float64
	for _, p := range pos {
		below, _ := slices.BinarySearch(neg, p)
		upto := below
		for upto < len(neg) && neg[upto] == p {
			upto++
		}
		sum += float64(below) + float64(upto-below)/2
	}
	return sum / float64(len(pos)*len(neg))
}

func share(n, of int) float64 {
	if of == 0 {
		return 0
	}
	return float64(n) / float64(of)
}

// WriteText prints the report for people, in Indonesian: the figures,
// then the misses.
func (r EvalReport) WriteText(w io.Writer) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "pertanyaan: %d (%d dalam cakupan, %d luar cakupan)\n", r.Total, r.InScope, r.OutOfScope)
	fmt.Fprintf(bw, "dijawab benar:                       %6s%% dari yang dalam cakupan\n", comma(100*r.Correct, 1))
	fmt.Fprintf(bw, "dijawab benar atau ditanya balik:    %6s%% dari yang dalam cakupan\n", comma(100*r.CorrectOrClarified, 1))
	fmt.Fprintf(bw, "entri benar di urutan pertama:       %6s%% dari yang dalam cakupan\n", comma(100*r.Top1, 1))
	if r.SeparationPairs > 0 {
		fmt.Fprintf(bw, "keyakinan memisahkan yang benar:     %6s (0,5 sama dengan menebak)\n", comma(r.Separation, 3))
	} else {
		fmt.Fprintf(bw, "keyakinan memisahkan yang benar:     tidak terukur (tidak ada pertanyaan yang entri pertamanya salah, atau yang benar, untuk dibandingkan)\n")
	}
	fmt.Fprintf(bw, "jawaban salah:                       %6s%% dari semua\n", comma(100*r.Wrong, 1))
	fmt.Fprintf(bw, "ditanya balik:                       %6s%% dari semua\n", comma(100*r.Clarified, 1))
	fmt.Fprintf(bw, "luar cakupan yang tidak dijawab:     %6s%% dari yang luar cakupan (%s)\n", comma(100*r.HandedOff, 1), r.splitText())
	if len(r.Misses) > 0 {
		fmt.Fprintf(bw, "\nmeleset (%d):\n", len(r.Misses))
		for _, m := range r.Misses {
			expect := strings.Join(m.Expect, "|")
			if expect == "" {
				expect = "(tidak ada)"
			}
			fmt.Fprintf(bw, "  %-13s harapan %-20s hasil %-40s %q\n", evalWord(m.Decision), expect, strings.Join(m.Got, ","), m.Query)
		}
	}
	return bw.Flush()
}

// splitText is the out-of-scope split, "diserahkan 20, ditolak 8, …".
func (r EvalReport) splitText() string {
	var parts []string
	for _, d := range []Decision{Handoff, Decline, Smalltalk, Clarify, Answer} {
		parts = append(parts, fmt.Sprintf("%s %d", evalWord(d), r.OutOfScopeSplit[d]))
	}
	return strings.Join(parts, ", ")
}

// evalWord is a decision in a report's columns: shorter than Word, which
// reads as a sentence.
func evalWord(d Decision) string {
	if w, ok := map[Decision]string{Answer: "dijawab", Clarify: "ditanya-balik", Handoff: "diserahkan",
		Decline: "ditolak", Smalltalk: "sapaan"}[d]; ok {
		return w
	}
	return string(d)
}

// comma formats x with places decimals and a decimal comma, as Indonesian
// writes numbers.
func comma(x float64, places int) string {
	return strings.Replace(strconv.FormatFloat(x, 'f', places, 64), ".", ",", 1)
}

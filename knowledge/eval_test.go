package knowledge

import (
	"bytes"
	"strings"
	"testing"
)

// TestEvaluateTop1: the ranking figure counts an in-scope question whose
// right entry comes first whatever the decision (answered, offered first,
// or first of a hand-over's candidates), and nothing else; the separation
// compares the confidences of right and wrong first entries.
func TestEvaluateTop1(t *testing.T) {
	results := map[string]Result{
		"answered":  {Decision: Answer, Entry: &Entry{Slug: "a"}, Candidates: []Candidate{{Slug: "a"}}, Confidence: 0.9},
		"offered":   {Decision: Clarify, Candidates: []Candidate{{Slug: "b"}, {Slug: "a"}}, Confidence: 0.5},
		"handedoff": {Decision: Handoff, Candidates: []Candidate{{Slug: "c"}, {Slug: "b"}}, Confidence: 0.3},
		"tied":      {Decision: Handoff, Candidates: []Candidate{{Slug: "b"}}, Confidence: 0.3},
		"declined":  {Decision: Decline},
		"outside":   {Decision: Handoff, Candidates: []Candidate{{Slug: "a"}}},
	}
	search := func(q string) Result { return results[q] }
	queries := []EvalQuery{
		{Q: "answered", Expect: []string{"a"}},
		{Q: "offered", Expect: []string{"a"}},
		{Q: "handedoff", Expect: []string{"c"}},
		{Q: "declined", Expect: []string{"a"}},
		{Q: "tied", Expect: []string{"a"}},
		{Q: "outside"},
	}
	r := Evaluate(search, queries)
	if r.InScope != 5 || r.Top1 != 0.4 {
		t.Fatalf("in scope %d, top1 %v; want 5 and 0.4", r.InScope, r.Top1)
	}
	// Right first at 0.9 and 0.3, wrong first at 0.5 and 0.3: of four
	// pairs, two are in order and one is tied.
	if r.Separation != 0.625 {
		t.Fatalf("separation %v; want 0.625", r.Separation)
	}
	var out bytes.Buffer
	if err := r.WriteText(&out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "entri benar di urutan pertama:         40,0% dari yang dalam cakupan") {
		t.Fatalf("report lacks the top-1 line:\n%s", out.String())
	}
}

func TestSeparation(t *testing.T) {
	for _, c := range []struct {
		pos, neg []float64
		want     float64
	}{
		{[]float64{0.9, 0.8}, []float64{0.1, 0.2}, 1},
		{[]float64{0.1}, []float64{0.5, 0.9}, 0},
		{[]float64{0.5}, []float64{0.5}, 0.5},
		{[]float64{0.7}, nil, 0},
	} {
		if got := separation(c.pos, c.neg); got != c.want {
			t.Errorf("separation(%v, %v) = %v; want %v", c.pos, c.neg, got, c.want)
		}
	}
}

// TestSeparationWithoutPairsIsNotZero: when every first entry is right
// (or every one wrong) nothing can be compared, and the report says so
// instead of printing 0.000, which reads as worse than chance.
func TestSeparationWithoutPairsIsNotZero(t *testing.T) {
	search := func(q string) Result {
		return Result{Decision: Answer, Entry: &Entry{Slug: "a"}, Candidates: []Candidate{{Slug: "a"}}, Confidence: 0.9}
	}
	r := Evaluate(search, []EvalQuery{{Q: "ktp ilang", Expect: []string{"a"}}, {Q: "harga emas"}})
	var out bytes.Buffer
	if err := r.WriteText(&out); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "0,000") || !strings.Contains(out.String(), "keyakinan memisahkan yang benar:     tidak terukur") {
		t.Fatalf("separation without a pair to compare:\n%s", out.String())
	}
}

// A labelled question file is written by hand: each bad line is refused
// with its file, its line and, in Indonesian, what is wrong there.
func TestParseEvalQueriesSaysWhatAndWhere(t *testing.T) {
	for _, c := range []struct {
		name, input, want string
	}{
		{"not JSON", "{\"q\": \"ktp\", \"expect\": \"ktp-baru\"}\n\ngarbage\n", `labels.jsonl:3: JSON rusak: karakter 'g' tidak diharapkan`},
		{"no question", `{"expect": "ktp-baru"}`, `labels.jsonl:1: kolom "q" (pertanyaan) tidak ada`},
		{"unknown field", `{"q": "ktp", "expected": "ktp-baru"}`, `labels.jsonl:1: kolom "expected" tidak dikenal`},
		{"number as question", `{"q": 5, "expect": null}`, `labels.jsonl:1: kolom "q" berisi nilai yang salah jenis`},
		{"expect a number", `{"q": "ktp", "expect": 5}`, `labels.jsonl:1: kolom "expect" harus berupa id, daftar id, atau null, bukan 5`},
		{"expect list of numbers", `{"q": "ktp", "expect": [1]}`, `labels.jsonl:1: kolom "expect" harus berupa daftar id dalam tanda kutip`},
		{"a list, not an object", `["ktp"]`, `labels.jsonl:1: baris ini harus berupa satu objek JSON`},
		{"line too long", `{"q": "` + strings.Repeat("a", 1<<20) + `"}`, `labels.jsonl:1: baris terlalu panjang`},
	} {
		t.Run(c.name, func(t *testing.T) {
			qs, err := ParseEvalQueries(strings.NewReader(c.input), "labels.jsonl")
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one containing %q", err, c.want)
			}
			if qs != nil {
				t.Errorf("questions %v came back with the error; want none", qs)
			}
		})
	}
	qs, err := ParseEvalQueries(strings.NewReader("{\"q\": \"ktp hilang\", \"expect\": [\"ktp-hilang\", \"ktp-baru\"]}\n{\"q\": \"cuaca\", \"expect\": null}\n"), "labels.jsonl")
	if err != nil || len(qs) != 2 || len(qs[0].Expect) != 2 || qs[1].Expect != nil || qs[1].Line != 2 {
		t.Fatalf("good file read as %+v, %v", qs, err)
	}
}

// FuzzParseEvalQueries: any input is read or refused with its place named,
// never a panic.
func FuzzParseEvalQueries(f *testing.F) {
	f.Add([]byte("{\"q\": \"ktp\", \"expect\": \"ktp-baru\"}\n"))
	f.Add([]byte("{\"q\": \"x\", \"expect\": [\"a\", 1]}"))
	f.Add([]byte("\xff{\"q\""))
	f.Fuzz(func(t *testing.T, data []byte) {
		qs, err := ParseEvalQueries(bytes.NewReader(data), "f.jsonl")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "f.jsonl:") {
				t.Fatalf("error %q does not name the file and line", err)
			}
			return
		}
		for _, q := range qs {
			if q.Line < 1 {
				t.Fatalf("question %+v has no line", q)
			}
		}
	})
}

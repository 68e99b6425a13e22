package slack

import (
	"errors"
	"strings"
	"testing"

	"github.com/tebingtinggi/hub/knowledge"
)

// TestEntryProblem: a refusal of the knowledge base reaches the /faq
// form under its field, worded by its kind: the officer reads the same
// whatever the knowledge base's own wording, and any other problem as
// the knowledge base words it.
func TestEntryProblem(t *testing.T) {
	ok := knowledge.Entry{Slug: "x", Question: "q", Answer: "a", Status: knowledge.Draft}
	refusal := func(change func(e *knowledge.Entry)) *knowledge.FieldError {
		e := ok
		change(&e)
		fe, isFE := errors.AsType[*knowledge.FieldError](knowledge.Validate(e))
		if !isFE {
			t.Fatalf("Validate(%+v) refused nothing", e)
		}
		return fe
	}
	tests := []struct {
		name      string
		fe        *knowledge.FieldError
		block     string
		want      string
		wantStart bool // want is the message's start
	}{
		{"question missing", refusal(func(e *knowledge.Entry) { e.Question = "" }), blockQuestion, "Pertanyaan wajib diisi.", false},
		{"answer missing", refusal(func(e *knowledge.Entry) { e.Answer = "" }), blockAnswer, "Jawaban wajib diisi.", false},
		{"answer too long", refusal(func(e *knowledge.Entry) { e.Answer = strings.Repeat("a", knowledge.MaxAnswerLen+1) }), blockAnswer,
			"Jawaban paling panjang 4096 karakter.", false},
		{"missing, worded otherwise", &knowledge.FieldError{Field: "answer", Kind: knowledge.FieldMissing, Msg: "kosong"}, blockAnswer, "Jawaban wajib diisi.", false},
		{"too long, worded otherwise", &knowledge.FieldError{Field: "answer", Kind: knowledge.FieldTooLong, Msg: "terlalu panjang"}, blockAnswer,
			"Jawaban paling panjang 4096 karakter.", false},
		{"question too long", refusal(func(e *knowledge.Entry) { e.Question = strings.Repeat("a", knowledge.MaxQuestionLen+1) }), blockQuestion,
			"Pertanyaan paling panjang 1000 karakter.", false},
		{"an alternate too long", refusal(func(e *knowledge.Entry) {
			e.Alternates = []string{"b", strings.Repeat("a", knowledge.MaxQuestionLen+1)}
		}),
			blockAlternates, "Setiap variasi paling panjang 1000 karakter.", false},
		{"question too long, worded otherwise", &knowledge.FieldError{Field: "question", Kind: knowledge.FieldTooLong, Msg: "terlalu panjang"}, blockQuestion,
			"Pertanyaan paling panjang 1000 karakter.", false},
		{"category too long", refusal(func(e *knowledge.Entry) { e.Category = strings.Repeat("k", knowledge.MaxCategoryLen+1) }), blockCategory,
			"Kategori paling panjang 100 karakter.", false},
		{"too many alternates", refusal(func(e *knowledge.Entry) {
			for i := range knowledge.MaxAlternates + 1 {
				e.Alternates = append(e.Alternates, "variasi "+strings.Repeat("x", i+1))
			}
		}), blockAlternates, "Paling banyak 200 variasi pertanyaan per entri (ada 201).", false},
		{"an alternate with |", refusal(func(e *knowledge.Entry) { e.Alternates = []string{"a|b"} }), blockAlternates, "Butir 1 (", true},
		{"a problem without words", &knowledge.FieldError{Field: "category"}, blockCategory, textFieldBad, false},
		{"an id the form has no field for", refusal(func(e *knowledge.Entry) { e.Slug = "" }), blockQuestion, textFieldBad, false},
	}
	for _, tt := range tests {
		block, msg := entryProblem(tt.fe)
		if block != tt.block || !tt.wantStart && msg != tt.want || tt.wantStart && !strings.HasPrefix(msg, tt.want) {
			t.Errorf("%s: %q under %q; want %q under %q", tt.name, msg, block, tt.want, tt.block)
		}
	}
}

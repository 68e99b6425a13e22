package knowledge_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/tebingtinggi/hub/knowledge"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

// TestQuestionLengthLimit: a question or an alternate longer than
// MaxQuestionLen characters is refused by every write, as a FieldTooLong
// on its field, and nothing is written; one at the limit, in characters
// that take several bytes, is kept.
func TestQuestionLengthLimit(t *testing.T) {
	atLimit := strings.Repeat("é", knowledge.MaxQuestionLen)
	over := strings.Repeat("a", knowledge.MaxQuestionLen+1)
	wantMsg := "lebih dari 1000 karakter (1001)"
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		s := knowledge.NewStore(db)
		if _, err := s.Save(ctx, knowledge.Entry{Slug: "ktp-hilang", Question: "KTP saya hilang", Answer: "Lapor ke kelurahan."}, "test"); err != nil {
			t.Fatal(err)
		}
		before := written(t, db, s)
		tooLong := func(what string, err error, field string) {
			t.Helper()
			fe, ok := errors.AsType[*knowledge.FieldError](err)
			if !ok || fe.Field != field || fe.Kind != knowledge.FieldTooLong || !strings.Contains(fe.Msg, wantMsg) {
				t.Errorf("%s: %v; want %q too long (%q)", what, err, field, wantMsg)
			}
		}
		long := knowledge.Entry{Slug: "panjang", Question: over, Answer: "Jawaban."}
		longAlt := knowledge.Entry{Slug: "panjang", Question: "Pertanyaan?", Alternates: []string{"variasi", over}, Answer: "Jawaban."}
		_, err := s.Save(ctx, long, "test")
		tooLong("Save, question", err, "question")
		_, err = s.Save(ctx, longAlt, "test")
		tooLong("Save, alternate", err, "alternates")
		if fe, _ := errors.AsType[*knowledge.FieldError](err); fe == nil || !strings.HasPrefix(fe.Msg, "butir 2: ") {
			t.Errorf("Save, alternate: %v; want the alternate's place named", err)
		}
		_, err = s.Import(ctx, []knowledge.Entry{{Slug: "lain", Question: "Lain?", Answer: "Ya."}, long}, knowledge.ImportOptions{Author: "test"})
		tooLong("Import, question", err, "question")
		_, err = s.Import(ctx, []knowledge.Entry{longAlt}, knowledge.ImportOptions{Author: "test"})
		tooLong("Import, alternate", err, "alternates")
		_, err = s.AddDraft(ctx, knowledge.Entry{Question: over, Answer: "Jawaban."}, "test")
		tooLong("AddDraft", err, "question")
		_, err = s.Draft(ctx, over, "Jawaban.", "", "test")
		tooLong("Draft, question", err, "question")
		if we, ok := errors.AsType[*knowledge.WordingError](err); !ok || we.Index != 0 {
			t.Errorf("Draft, question: %v; want the first wording named", err)
		}
		_, err = s.Draft(ctx, "Pertanyaan?", "Jawaban.", "", "test", "variasi", over)
		tooLong("Draft, alternate", err, "alternates")
		if we, ok := errors.AsType[*knowledge.WordingError](err); !ok || we.Index != 2 {
			t.Errorf("Draft, alternate: %v; want the third wording named", err)
		}
		_, err = s.AddAlternates(ctx, "ktp-hilang", []string{"ktp ilang", over}, "test")
		tooLong("AddAlternates", err, "alternates")
		_, err = s.AddAlternate(ctx, "ktp-hilang", over, "test")
		tooLong("AddAlternate", err, "alternates")
		tooLong("Validate", knowledge.Validate(long), "question")
		if after := written(t, db, s); after != before {
			t.Errorf("refused writes wrote: %v, then %v", before, after)
		}

		if _, err := s.Save(ctx, knowledge.Entry{Slug: "batas", Question: atLimit, Alternates: []string{"x" + atLimit[2:]}, Answer: "Jawaban."}, "test"); err != nil {
			t.Errorf("Save at the limit: %v", err)
		}
		if _, err := s.AddAlternates(ctx, "ktp-hilang", []string{"y" + atLimit[2:]}, "test"); err != nil {
			t.Errorf("AddAlternates at the limit: %v", err)
		}
		if _, err := s.Draft(ctx, "z"+atLimit[2:], "Jawaban.", "", "test", "w"+atLimit[2:]); err != nil {
			t.Errorf("Draft at the limit: %v", err)
		}
	})
}

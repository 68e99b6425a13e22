package knowledge_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/tebingtinggi/hub/knowledge"
	"github.com/tebingtinggi/hub/knowledge/knowledgetest"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

// written counts the rows of the knowledge tables and the generation:
// what a refused write must leave as it was.
func written(t *testing.T, db *storage.DB, s *knowledge.Store) [3]int64 {
	t.Helper()
	var n [3]int64
	for i, q := range []string{`SELECT COUNT(*) FROM faq_entries`, `SELECT COUNT(*) FROM faq_revisions`} {
		if err := db.GetContext(context.Background(), &n[i], q); err != nil {
			t.Fatal(err)
		}
	}
	g, err := s.Generation(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	n[2] = g
	return n
}

// wordingCases are wordings the knowledge base refuses as an alternate,
// each after a good one.
var wordingCases = []struct {
	name, wording string
	kind          knowledge.FieldErrorKind
}{
	{"control character", "paspor\x01 umroh", knowledge.FieldInvalid},
	{"not UTF-8", "paspor \xff umroh", knowledge.FieldInvalid},
	{"blank", " \n\t ", knowledge.FieldMissing},
	{"list separator", "paspor | visa umroh", knowledge.FieldInvalid},
	{"too long", strings.Repeat("paspor ", 150), knowledge.FieldTooLong},
}

// TestDraftWithAlternates: a draft's question and alternates are saved
// in one revision, each wording once; a refused wording, or a database
// failure while writing, leaves nothing.
func TestDraftWithAlternates(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		s := knowledge.NewStore(db)
		before := written(t, db, s)
		e, err := s.Draft(ctx, "Syarat paspor umroh apa?", "Bawa KTP, KK dan rekomendasi Kemenag.", "", "@ani",
			"paspor umroh syaratnya", "SYARAT paspor  umroh apa?", "Paspor Umroh syaratnya", "  umroh\tbutuh paspor? ")
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"paspor umroh syaratnya", "umroh butuh paspor?"}
		if e.Question != "Syarat paspor umroh apa?" || !slices.Equal(e.Alternates, want) || e.Version != 1 || e.Status != knowledge.Draft {
			t.Errorf("draft %+v; want the question and the alternates %q, each once", e, want)
		}
		revs, err := s.Revisions(ctx, e.Slug)
		if err != nil || len(revs) != 1 || revs[0].Action != knowledge.ActionCreate || revs[0].Author != "@ani" ||
			!slices.Equal(revs[0].Entry.Alternates, want) {
			t.Errorf("revisions %+v, %v; want one, by @ani, with every alternate", revs, err)
		}
		if after := written(t, db, s); after != [3]int64{before[0] + 1, before[1] + 1, before[2] + 1} {
			t.Errorf("rows and generation %v, then %v; want one entry, one revision, one generation more", before, after)
		}

		before = written(t, db, s)
		for _, c := range wordingCases {
			_, err := s.Draft(ctx, "jadwal vaksin anak", "Setiap Senin.", "", "@ani", "vaksin anak kapan", c.wording)
			we, ok := errors.AsType[*knowledge.WordingError](err)
			if !ok || we.Index != 2 || we.Problem.Field != "alternates" || we.Problem.Kind != c.kind {
				t.Errorf("%s: %v; want the third wording refused as an alternate", c.name, err)
			}
		}
		_, err = s.Draft(ctx, "jadwal\x07 vaksin", "Setiap Senin.", "", "@ani", "vaksin anak kapan")
		if we, ok := errors.AsType[*knowledge.WordingError](err); !ok || we.Index != 0 || we.Problem.Field != "question" {
			t.Errorf("a question with a control character: %v; want the first wording refused as the question", err)
		}
		if after := written(t, db, s); after != before {
			t.Errorf("refused drafts wrote: %v, then %v", before, after)
		}

		knowledgetest.FailRevisionsWith(t, db, "ditolak-basis-data")
		_, err = s.Draft(ctx, "jadwal vaksin anak", "Setiap Senin.", "", "@ani", "vaksin anak kapan", "vaksin ditolak-basis-data")
		if err == nil || errors.As(err, new(*knowledge.FieldError)) {
			t.Errorf("a draft the database refuses: %v; want a database error", err)
		}
		if after := written(t, db, s); after != before {
			t.Errorf("a draft the database refused left rows: %v, then %v", before, after)
		}
		if _, ok, err := s.EntryWithQuestion(ctx, "jadwal vaksin anak"); ok || err != nil {
			t.Errorf("the refused draft is there: %v, %v", ok, err)
		}
	})
}

// TestAddAlternates: several alternates are added in one revision, each
// once; a refused one, or a database failure while writing, leaves the
// entry as it was.
func TestAddAlternates(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		s := knowledge.NewStore(db)
		if _, err := s.Save(ctx, knowledge.Entry{Slug: "ktp-hilang", Question: "KTP saya hilang", Answer: "Lapor ke kelurahan.",
			Alternates: []string{"kehilangan ktp"}}, "test"); err != nil {
			t.Fatal(err)
		}
		e, err := s.AddAlternates(ctx, "ktp-hilang", []string{"ktp ilang gmn", "KEHILANGAN  ktp", "ktp ilang  GMN", "ktp saya HILANG", "e-ktp raib"}, "@budi")
		want := []string{"kehilangan ktp", "ktp ilang gmn", "e-ktp raib"}
		if err != nil || !slices.Equal(e.Alternates, want) || e.Version != 2 {
			t.Fatalf("%+v, %v; want version 2 with the alternates %q", e, err, want)
		}
		revs, err := s.Revisions(ctx, "ktp-hilang")
		if err != nil || len(revs) != 2 || revs[0].Action != knowledge.ActionAlternate || revs[0].Author != "@budi" {
			t.Errorf("revisions %+v, %v; want one more, by @budi", revs, err)
		}
		before := written(t, db, s)
		if e, err := s.AddAlternates(ctx, "ktp-hilang", []string{"E-KTP raib", "ktp saya hilang"}, "@budi"); err != nil || e.Version != 2 {
			t.Errorf("alternates it has: version %d, %v; want nothing changed", e.Version, err)
		}
		for _, c := range wordingCases {
			_, err := s.AddAlternates(ctx, "ktp-hilang", []string{"ktp baru", c.wording}, "@budi")
			we, ok := errors.AsType[*knowledge.WordingError](err)
			if !ok || we.Index != 1 || we.Problem.Field != "alternates" || we.Problem.Kind != c.kind {
				t.Errorf("%s: %v; want the second wording refused", c.name, err)
			}
		}
		if _, err := s.AddAlternates(ctx, "ktp-hilang", nil, "@budi"); !errors.As(err, new(*knowledge.FieldError)) {
			t.Errorf("no alternates: %v; want a field error", err)
		}
		if _, err := s.AddAlternates(ctx, "tidak-ada", []string{"ktp baru"}, "@budi"); !errors.Is(err, knowledge.ErrNotFound) {
			t.Errorf("a missing entry: %v", err)
		}
		knowledgetest.FailRevisionsWith(t, db, "ditolak-basis-data")
		if _, err := s.AddAlternates(ctx, "ktp-hilang", []string{"ktp hilang di pasar", "ktp ditolak-basis-data"}, "@budi"); err == nil {
			t.Error("alternates the database refuses: saved")
		}
		if after := written(t, db, s); after != before {
			t.Errorf("refused alternates wrote: %v, then %v", before, after)
		}
		if e, err := s.Get(ctx, "ktp-hilang"); err != nil || e.Version != 2 || !slices.Equal(e.Alternates, want) {
			t.Errorf("the entry changed: %+v, %v", e, err)
		}
	})
}

package knowledge_test

import (
	"context"
	"testing"

	"github.com/tebingtinggi/hub/knowledge"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

var slugifyCases = []struct{ in, want string }{
	{"Cara urus KTP hilang?", "cara-urus-ktp-hilang"},
	{"  Bagaimana   cara daftar nikah siri online lewat kecamatan? ", "bagaimana-cara-daftar-nikah-siri-online"},
	{"Pajak 2026: bayar di mana?!", "pajak-2026-bayar-di-mana"},
	{"¿¡🙏!?", "pertanyaan-warga"},
	{"Émile café", "mile-caf"},
}

func TestSlugify(t *testing.T) {
	for _, c := range slugifyCases {
		if got := knowledge.Slugify(c.in); got != c.want {
			t.Errorf("Slugify(%q) = %q; want %q", c.in, got, c.want)
		}
	}
}

func TestDraftTakesAFreeIDAndTheSuggestedCategory(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		s := knowledge.NewStore(db)
		like, err := s.Save(ctx, knowledge.Entry{Slug: "pengantar-nikah", Category: "nikah", Question: "Surat pengantar nikah?",
			Answer: "Di kelurahan.", Tags: []string{"nikah", "kua"}}, "test")
		if err != nil {
			t.Fatal(err)
		}
		first, err := s.Draft(ctx, "Cara nikah di KUA?", "Daftar di KUA.", like.Slug, "@ani")
		if err != nil {
			t.Fatal(err)
		}
		if first.Slug != "cara-nikah-di-kua" || first.Status != knowledge.Draft || first.Category != "nikah" ||
			len(first.Tags) != 2 || first.UpdatedBy != "@ani" {
			t.Errorf("draft = %+v", first)
		}
		second, err := s.Draft(ctx, "cara nikah di kua", "Lain.", "tidak-ada", "@budi")
		if err != nil {
			t.Fatal(err)
		}
		if second.Slug != "cara-nikah-di-kua-2" || second.Category != knowledge.DraftCategory {
			t.Errorf("second draft = %+v; want the next free id and the default category", second)
		}
		if got, _ := s.Get(ctx, first.Slug); got.Answer != "Daftar di KUA." {
			t.Errorf("the first draft was overwritten: %+v", got)
		}
		if _, err := s.AddDraft(ctx, knowledge.Entry{Slug: first.Slug, Question: "q", Answer: "a"}, "x"); err == nil {
			t.Error("AddDraft over an existing id: want an error")
		}
		if _, err := s.Draft(ctx, "q", "", "", "x"); err == nil {
			t.Error("a draft without an answer: want an error")
		}
	})
}

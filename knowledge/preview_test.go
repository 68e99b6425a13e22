package knowledge

import (
	"context"
	"fmt"
	"testing"

	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

// TestPreviewIndexAnswersAsPublishing: the preview of a draft decides
// every question as the live index does once the draft is published, and
// leaves the live index as it was.
func TestPreviewIndexAnswersAsPublishing(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		s := NewStore(db)
		mustSave(t, s, Entry{Slug: "paspor-baru", Category: "imigrasi", Question: "Bagaimana cara membuat paspor baru?",
			Answer: "Daftar antrean paspor secara daring, lalu datang ke kantor imigrasi."})
		mustSave(t, s, Entry{Slug: "ktp-hilang", Category: "dukcapil", Question: "KTP saya hilang, bagaimana mengurusnya?",
			Answer: "Bawa surat kehilangan dari polisi dan KK ke Disdukcapil."})
		if _, err := s.Save(ctx, Entry{Slug: "umroh-paspor", Category: "imigrasi", Status: Draft, Question: "Apa syarat paspor untuk umroh?",
			Alternates: []string{"paspor umroh syaratnya apa"}, Answer: "Bawa KTP, KK dan surat rekomendasi Kemenag."}, "t"); err != nil {
			t.Fatal(err)
		}
		live := &Live{DB: db, Store: s, Index: NewIndex(DefaultConfig())}
		if err := live.Reload(ctx); err != nil {
			t.Fatal(err)
		}
		draft, err := s.Get(ctx, "umroh-paspor")
		if err != nil {
			t.Fatal(err)
		}
		preview, err := s.PreviewIndex(ctx, live.Index.Config(), draft)
		if err != nil {
			t.Fatal(err)
		}
		questions := []string{"paspor umroh syaratnya apa", "syarat paspor umroh", "cara bikin paspor baru", "ktp hilang gimana"}
		verdicts := func(ix *Index) string {
			var out string
			for _, q := range questions {
				v := ix.Search(q).Verdict()
				out += fmt.Sprintf("%s: %s %s %.3f\n", q, v.Decision, v.FAQID, v.Confidence)
			}
			return out
		}
		if got := preview.Search(questions[0]).Verdict(); got.Decision != Answer || got.FAQID != "umroh-paspor" {
			t.Errorf("the preview does not answer with the draft: %+v", got)
		}
		if got := live.Index.Search(questions[0]).Verdict(); got.FAQID == "umroh-paspor" {
			t.Errorf("the live index answers with a draft: %+v", got)
		}
		previewed := verdicts(preview)
		if _, err := s.SetStatus(ctx, "umroh-paspor", Published, "t"); err != nil {
			t.Fatal(err)
		}
		if err := live.Reload(ctx); err != nil {
			t.Fatal(err)
		}
		if published := verdicts(live.Index); published != previewed {
			t.Errorf("published:\n%s\npreviewed:\n%s", published, previewed)
		}
	})
}

package admin

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tebingtinggi/hub/knowledge"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

// TestPreviewShowsTheDraftsEffectBeforePublishing: a viewer sees what the
// bot would answer with a draft published, escaped; the preview index is
// built again only after a change, and the draft stays unpublished.
func TestPreviewShowsTheDraftsEffectBeforePublishing(t *testing.T) {
	const attack = `<script>alert(1)</script>`
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		h, c := loggedIn(t, db, "vera", RoleViewer)
		h.publish(t, pasporEntry)
		draft := knowledge.Entry{Slug: "paspor-umroh", Category: "imigrasi", Status: knowledge.Draft, Question: "Apa syarat paspor untuk umroh?",
			Alternates: []string{"paspor umroh syaratnya apa " + attack}, Answer: "Bawa KTP, KK dan surat rekomendasi Kemenag."}
		if _, err := h.kb.Save(ctx, draft, "test"); err != nil {
			t.Fatal(err)
		}
		view := func(what, path string, builds int, want ...string) string {
			t.Helper()
			res, body := c.get(path)
			wantStatus(t, what, res, body, http.StatusOK)
			for _, w := range want {
				if !strings.Contains(body, w) {
					t.Errorf("%s: the page lacks %q:\n%s", what, w, body)
				}
			}
			if strings.Contains(body, "<script>alert") {
				t.Errorf("%s: not escaped:\n%s", what, body)
			}
			if got := h.server.previews.built(); got != builds {
				t.Errorf("%s: %d preview indexes built, want %d", what, got, builds)
			}
			return body
		}
		res, body := c.get("/admin/kb/entry/paspor-umroh")
		wantStatus(t, "the draft", res, body, http.StatusOK)
		if !strings.Contains(body, `href="/admin/kb/entry/paspor-umroh/try"`) {
			t.Errorf("the draft's page does not offer the preview:\n%s", body)
		}
		const path = "/admin/kb/entry/paspor-umroh/try"
		view("first view", path, 1, "Sekarang bot menjawab 0 dari 2 pertanyaan; bila terbit 2 dari 2, 2 di antaranya dengan entri ini.",
			"&lt;script&gt;alert(1)&lt;/script&gt;")
		view("again", path, 1)
		view("with another question", path+"?q="+url.QueryEscape("jam buka kantor lurah "+attack), 1,
			"dari 3 pertanyaan", `<input type="hidden" name="q" value="jam buka kantor lurah &lt;script&gt;`)
		if v := h.index.Search("paspor umroh syaratnya apa").Verdict(); v.FAQID == "paspor-umroh" {
			t.Errorf("the live bot answers with the draft: %+v", v)
		}

		// A new version of the draft is previewed as it is now.
		draft.Alternates = append(draft.Alternates, "umroh perlu paspor apa saja")
		if _, err := h.kb.Save(ctx, draft, "test"); err != nil {
			t.Fatal(err)
		}
		view("after an edit", path, 2, "<td>umroh perlu paspor apa saja</td>", "bila terbit 3 dari 3")
		view("after an edit, again", path, 2)

		res, body = c.get("/admin/kb/entry/tidak-ada/try")
		wantStatus(t, "a missing entry", res, body, http.StatusNotFound)
	})
}

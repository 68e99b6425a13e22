package admin

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tebingtinggi/hub/knowledge"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

// TestEntryFormLimits: a category or tag longer than the knowledge base
// keeps, or too many tags, is refused on the entry form naming the field
// and the limit, and nothing is saved.
func TestEntryFormLimits(t *testing.T) {
	tags := make([]string, knowledge.MaxTags+1)
	for i := range tags {
		tags[i] = fmt.Sprintf("tag%d", i+1)
	}
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h, c := loggedIn(t, db, "otto", RoleOfficer)
		for _, tt := range []struct {
			name, field, value, want string
		}{
			{"long category", "category", strings.Repeat("k", knowledge.MaxCategoryLen+1), "Kategori: lebih dari 100 karakter (101)"},
			{"long tag", "tags", "ktp, " + strings.Repeat("t", knowledge.MaxTagLen+1), "Tag: butir 2: lebih dari 100 karakter (101)"},
			{"too many tags", "tags", strings.Join(tags, ", "), "Tag: paling banyak 30 tag per entri (ada 31)"},
		} {
			form := url.Values{"slug": {"paspor-baru"}, "question": {"Bagaimana cara membuat paspor baru?"},
				"answer": {"Daftar antrean paspor secara daring."}, "status": {"draft"}}
			form.Set(tt.field, tt.value)
			res, body := c.post("/admin/kb/new", form)
			wantStatus(t, tt.name, res, body, http.StatusUnprocessableEntity)
			if !strings.Contains(body, tt.want) {
				t.Errorf("%s: the page does not say %q:\n%s", tt.name, tt.want, body)
			}
		}
		if _, err := h.kb.Get(context.Background(), "paspor-baru"); err != knowledge.ErrNotFound {
			t.Fatalf("a refused entry was saved: %v", err)
		}
	})
}

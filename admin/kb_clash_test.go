package admin

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/tebingtinggi/hub/knowledge"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

// TestEntryFormRefusesAnotherEntrysWording: a new or edited entry whose
// question or alternate another entry, draft or published, has is not
// saved, and the form says which entry has it, its status and how; an
// entry keeps its own wordings. An archived entry's wording is free, and
// publishing that entry again is then refused, naming the entry that
// has it.
func TestEntryFormRefusesAnotherEntrysWording(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h, c := loggedIn(t, db, "otto", RoleOfficer)
		ctx := context.Background()
		for _, e := range []knowledge.Entry{
			{Slug: "akta-lahir", Question: "Cara urus akta lahir?", Answer: "Ke Disdukcapil.", Alternates: []string{"bikin akta"}},
			{Slug: "akta-tua", Question: "Akta tua hilang", Answer: "Ke Disdukcapil.", Status: knowledge.Draft},
			{Slug: "akta-lama", Question: "Akta lama hilang", Answer: "Ke Disdukcapil.", Status: knowledge.Archived},
		} {
			if _, err := h.kb.Save(ctx, e, "test"); err != nil {
				t.Fatal(err)
			}
		}
		res, body := c.post("/admin/kb/new", url.Values{"csrf": {c.csrf}, "slug": {"akta-baru"}, "question": {"CARA URUS  akta lahir?"},
			"answer": {"Ke kantor."}, "status": {"draft"}})
		wantStatus(t, "another entry's question", res, body, http.StatusUnprocessableEntity)
		if !strings.Contains(body, "sudah dipakai entri &#34;akta-lahir&#34; (terbit) sebagai pertanyaannya") {
			t.Errorf("the refusal does not name the entry:\n%s", body)
		}
		if _, err := h.kb.Get(ctx, "akta-baru"); !errors.Is(err, knowledge.ErrNotFound) {
			t.Fatalf("a refused entry was saved: %v", err)
		}

		cur, err := h.kb.Get(ctx, "akta-lahir")
		if err != nil {
			t.Fatal(err)
		}
		edit := url.Values{"csrf": {c.csrf}, "question": {cur.Question}, "answer": {"Ke Disdukcapil, gratis."},
			"alternates": {"bikin akta\nakta tua HILANG"}, "status": {"published"}, "version": {strconv.Itoa(cur.Version)}}
		res, body = c.post("/admin/kb/entry/akta-lahir", edit)
		wantStatus(t, "a draft's question as an alternate", res, body, http.StatusUnprocessableEntity)
		if !strings.Contains(body, "sudah dipakai entri &#34;akta-tua&#34; (draf) sebagai pertanyaannya") {
			t.Errorf("the refusal does not name the draft:\n%s", body)
		}
		edit.Set("alternates", "bikin akta\nakta lama HILANG")
		res, body = c.post("/admin/kb/entry/akta-lahir", edit)
		wantStatus(t, "the entry's own wordings and an archived entry's question", res, body, http.StatusSeeOther)

		res, body = c.post("/admin/kb/entry/akta-lama/status", url.Values{"csrf": {c.csrf}, "status": {"published"}})
		wantStatus(t, "an archived entry published again", res, body, http.StatusUnprocessableEntity)
		if !strings.Contains(body, "sudah dipakai entri &#34;akta-lahir&#34; (terbit) sebagai variasi pertanyaannya") {
			t.Errorf("the refused publication does not name the entry:\n%s", body)
		}
		if e, err := h.kb.Get(ctx, "akta-lama"); err != nil || e.Status != knowledge.Archived || e.Version != 1 {
			t.Fatalf("a refused publication changed the entry: %+v, %v", e, err)
		}

		// A version whose wording another entry took since is not
		// restored.
		edit.Set("alternates", "")
		edit.Set("version", strconv.Itoa(cur.Version+1))
		res, body = c.post("/admin/kb/entry/akta-lahir", edit)
		wantStatus(t, "an alternate removed", res, body, http.StatusSeeOther)
		if _, err := h.kb.Save(ctx, knowledge.Entry{Slug: "akta-cepat", Question: "Bikin  akta", Answer: "Ke Disdukcapil."}, "test"); err != nil {
			t.Fatal(err)
		}
		res, body = c.post("/admin/kb/entry/akta-lahir/restore", url.Values{"csrf": {c.csrf}, "version": {strconv.Itoa(cur.Version + 1)}})
		wantStatus(t, "restoring a wording another entry took", res, body, http.StatusUnprocessableEntity)
		if !strings.Contains(body, "sudah dipakai entri &#34;akta-cepat&#34; (terbit)") {
			t.Errorf("the refused restore does not name the entry:\n%s", body)
		}
	})
}

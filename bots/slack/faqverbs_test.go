package slack_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tebingtinggi/hub/knowledge"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

// ephemeralsTo is every ephemeral text shown to user so far.
func (h *hub) ephemeralsTo(user string) []string {
	var out []string
	for _, c := range h.slack.Calls("chat.postEphemeral") {
		if c.Form.Get("user") == user {
			out = append(out, c.Form.Get("text"))
		}
	}
	return out
}

// TestFAQVerbWithoutIDAnswersUsage: /faq ubah, terbit or arsip without an
// id says how to use /faq, not that FAQ "" does not exist.
func TestFAQVerbWithoutIDAnswersUsage(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	h := newHub(t, db)
	for _, verb := range []string{"ubah", "terbit", "arsip  "} {
		h.command("U1", "ani", verb)
	}
	waitFor(t, 15*time.Second, "three answers", func() bool { return len(h.ephemeralsTo("U1")) >= 3 })
	for _, e := range h.ephemeralsTo("U1") {
		if !strings.HasPrefix(e, "Pemakaian /faq:") || strings.Contains(e, "tidak ditemukan") {
			t.Errorf("a /faq verb without its id answers %q; want the usage", e)
		}
	}
	if n := len(h.slack.Calls("views.open")); n != 0 {
		t.Errorf("%d forms opened", n)
	}
}

// TestFAQIDInCapitals: an id typed with capitals finds its entry, as ids
// are lower case.
func TestFAQIDInCapitals(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	h := newHub(t, db)
	ctx := context.Background()
	h.command("U1", "ani", "ubah KTP-Hilang")
	waitFor(t, 15*time.Second, "the form", func() bool { return len(h.slack.Calls("views.open")) == 1 })
	h.command("U1", "ani", "arsip KTP-HILANG")
	h.ephemeralTo("U1", "ktp-hilang sekarang berstatus arsip")
	h.command("U1", "ani", "terbit Ktp-Hilang")
	h.ephemeralTo("U1", "ktp-hilang sekarang berstatus terbit")
	if e, err := h.store.Get(ctx, "ktp-hilang"); err != nil || e.Status != knowledge.Published {
		t.Fatalf("after arsip and terbit: %+v, %v", e, err)
	}
}

// TestFAQEditClearsCategory: a category cleared in a /faq ubah form is
// cleared, as on the web admin, not silently kept.
func TestFAQEditClearsCategory(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	h := newHub(t, db)
	ctx := context.Background()
	e, err := h.store.Get(ctx, "ktp-hilang")
	if err != nil || e.Category == "" {
		t.Fatalf("%+v, %v", e, err)
	}
	ack := h.submitView("V-edit-cat", "faq_edit", e.Slug+"@"+strconv.Itoa(e.Version), map[string]any{
		"question": textValue(e.Question), "answer": textValue(e.Answer),
		"alternates": textValue(strings.Join(e.Alternates, "\n")), "category": textValue(""),
	})
	if errs := viewErrors(t, ack); errs != nil {
		t.Fatalf("refused: %v", errs)
	}
	waitFor(t, 15*time.Second, "the edit", func() bool {
		g, err := h.store.Get(ctx, "ktp-hilang")
		return err == nil && g.Version > e.Version
	})
	g, _ := h.store.Get(ctx, "ktp-hilang")
	if g.Category != "" || g.Answer != e.Answer || strings.Join(g.Tags, ",") != strings.Join(e.Tags, ",") {
		t.Errorf("after clearing the category: category %q (was %q), tags %v (were %v)", g.Category, e.Category, g.Tags, e.Tags)
	}
}

// TestFAQNewFormDropsRepeatedWordings: in a /faq tambah form, an
// alternate that is the question again, or another alternate again
// (case and spacing aside), is not kept in the draft.
func TestFAQNewFormDropsRepeatedWordings(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	h := newHub(t, db)
	ctx := context.Background()
	ack := h.submitView("V-new-dup", "faq_new", "", map[string]any{
		"question": textValue("Di mana membuat kartu perpustakaan?"), "answer": textValue("Di Dinas Perpustakaan."),
		"alternates": textValue("di mana  MEMBUAT kartu perpustakaan?\nkartu perpus\nKartu  Perpus"), "category": textValue(""),
	})
	if errs := viewErrors(t, ack); errs != nil {
		t.Fatalf("refused: %v", errs)
	}
	var d knowledge.Entry
	waitFor(t, 15*time.Second, "the draft", func() bool {
		es, err := h.store.List(ctx, knowledge.Filter{Status: knowledge.Draft})
		for _, e := range es {
			if e.Question == "Di mana membuat kartu perpustakaan?" {
				d = e
			}
		}
		return err == nil && d.Slug != ""
	})
	if len(d.Alternates) != 1 || d.Alternates[0] != "kartu perpus" {
		t.Errorf("draft %s keeps alternates %q; want only \"kartu perpus\"", d.Slug, d.Alternates)
	}
}

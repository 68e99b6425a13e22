package knowledge

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

// TestEntryOverNewLimitsCanStillChange: an entry saved before the
// category, tag and alternate limits existed (here 31 tags, 200
// alternates and a 120-character category, written as Save wrote them
// then) can still be archived, restored, published and corrected after
// the upgrade; a change that makes an over-limit field worse (one more
// tag, one more alternate, a longer category) is refused naming the
// limit, and so is a lesson's alternate, before it is sent too.
func TestEntryOverNewLimitsCanStillChange(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		s := NewStore(db)
		mustSave(t, s, Entry{Slug: "ktp-hilang", Question: "KTP saya hilang?", Answer: "Ke Disdukcapil.", Tags: []string{"ktp"}})
		tags := make([]string, MaxTags+1)
		for i := range tags {
			tags[i] = fmt.Sprintf("tag%d", i+1)
		}
		alts := make([]string, MaxAlternates)
		for i := range alts {
			alts[i] = fmt.Sprintf("ktp hilang varian nomor %d", i+1)
		}
		category := strings.Repeat("k", MaxCategoryLen+20)
		jt, _ := json.Marshal(tags)
		ja, _ := json.Marshal(alts)
		if _, err := db.ExecContext(ctx, db.Rebind(`UPDATE faq_entries SET tags = ?, alternates = ?, category = ? WHERE slug = ?`),
			string(jt), string(ja), category, "ktp-hilang"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SetStatus(ctx, "ktp-hilang", Archived, "tester"); err != nil {
			t.Errorf("archiving an existing entry with %d tags: %v", len(tags), err)
		}
		if _, err := s.SetStatus(ctx, "ktp-hilang", Published, "tester"); err != nil {
			t.Errorf("publishing it again: %v", err)
		}
		if _, err := s.Restore(ctx, "ktp-hilang", 1, "tester"); err != nil {
			t.Errorf("restoring its first version: %v", err)
		}
		if _, err := s.Restore(ctx, "ktp-hilang", 3, "tester"); err != nil {
			t.Errorf("restoring the version over the limits: %v", err)
		}
		e, err := s.Get(ctx, "ktp-hilang")
		if err != nil || len(e.Tags) != len(tags) || len(e.Alternates) != MaxAlternates || e.Category != category {
			t.Fatalf("after the restore: %d tags, %d alternates, category %q, %v", len(e.Tags), len(e.Alternates), e.Category, err)
		}
		fix := e
		fix.Answer = "Ke Disdukcapil dengan surat kehilangan."
		fix.Tags = fix.Tags[1:]
		if _, err := s.SaveVersion(ctx, fix, e.Version, "tester"); err != nil {
			t.Errorf("correcting the answer and dropping a tag: %v", err)
		}
		e, _ = s.Get(ctx, "ktp-hilang")
		for _, worse := range []struct {
			field string
			kind  FieldErrorKind
			edit  func(*Entry)
		}{
			{"tags", FieldTooMany, func(e *Entry) { e.Tags = append(append([]string(nil), e.Tags...), "baru1", "baru2") }},
			{"alternates", FieldTooMany, func(e *Entry) { e.Alternates = append(append([]string(nil), e.Alternates...), "ktp raib") }},
			{"category", FieldTooLong, func(e *Entry) { e.Category += "x" }},
		} {
			w := e
			worse.edit(&w)
			_, err := s.SaveVersion(ctx, w, e.Version, "tester")
			if fe, ok := errors.AsType[*FieldError](err); !ok || fe.Field != worse.field || fe.Kind != worse.kind {
				t.Errorf("an edit making %s worse: %v", worse.field, err)
			}
		}
		_, err = s.AddAlternates(ctx, "ktp-hilang", []string{"ktp saya raib"}, "tester")
		if fe, ok := errors.AsType[*FieldError](err); !ok || fe.Field != "alternates" || fe.Kind != FieldTooMany ||
			!strings.Contains(fe.Msg, fmt.Sprintf("paling banyak %d variasi pertanyaan", MaxAlternates)) {
			t.Errorf("an alternate added to an entry with %d: %v", MaxAlternates, err)
		}
		if err := s.AlternateFull(ctx, "ktp-hilang", "ktp saya raib"); err == nil {
			t.Errorf("AlternateFull of a new phrase for an entry with %d alternates: nil", MaxAlternates)
		}
		if err := s.AlternateFull(ctx, "ktp-hilang", alts[0]); err != nil {
			t.Errorf("AlternateFull of a phrase the entry has: %v", err)
		}
		// A new entry still meets every limit.
		_, err = s.Save(ctx, Entry{Slug: "baru", Question: "Entri baru?", Answer: "Ya.", Tags: tags}, "tester")
		if fe, ok := errors.AsType[*FieldError](err); !ok || fe.Field != "tags" {
			t.Errorf("a new entry with %d tags: %v", len(tags), err)
		}
	})
}

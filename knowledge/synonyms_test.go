package knowledge

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

func terms(groups []SynonymGroup) [][]string {
	var out [][]string
	for _, g := range groups {
		out = append(out, g.Terms)
	}
	return out
}

func TestSynonymGroups(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		s := NewStore(db)
		g, err := s.SaveSynonymGroup(ctx, SynonymGroup{Terms: []string{" KTP", "e-KTP", "ktp", "", "Kartu  Tanda Penduduk "}}, "petugas")
		if err != nil {
			t.Fatal(err)
		}
		if g.ID == 0 || g.UpdatedBy != "petugas" || g.UpdatedAt.IsZero() ||
			!reflect.DeepEqual(g.Terms, []string{"ktp", "e-ktp", "kartu tanda penduduk"}) {
			t.Fatalf("saved %+v", g)
		}
		kk, err := s.SaveSynonymGroup(ctx, SynonymGroup{Terms: []string{"kk", "kartu keluarga"}}, "petugas")
		if err != nil {
			t.Fatal(err)
		}
		all, err := s.Synonyms(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 2 || !reflect.DeepEqual(all[0], g) || all[1].ID != kk.ID {
			t.Fatalf("Synonyms = %+v", all)
		}

		gen := generation(t, s)
		same, err := s.SaveSynonymGroup(ctx, SynonymGroup{ID: g.ID, Terms: []string{"KTP", "e-ktp", "kartu tanda penduduk"}}, "other")
		if err != nil || same.UpdatedBy != "petugas" || generation(t, s) != gen {
			t.Fatalf("unchanged save: %+v %v", same, err)
		}
		upd, err := s.SaveSynonymGroup(ctx, SynonymGroup{ID: g.ID, Terms: []string{"ktp", "ktp-el"}}, "other")
		if err != nil || upd.ID != g.ID || generation(t, s) != gen+1 {
			t.Fatalf("update: %+v %v", upd, err)
		}

		bad := []struct {
			name string
			g    SynonymGroup
			want error
			msg  string
		}{
			{"one term", SynonymGroup{Terms: []string{"ktp", " KTP "}}, nil, "paling sedikit dua"},
			{"no terms", SynonymGroup{}, nil, "paling sedikit dua"},
			{"invalid utf8", SynonymGroup{Terms: []string{"a", "\xff"}}, nil, "UTF-8"},
			{"term in another group", SynonymGroup{Terms: []string{"kk", "ktp"}}, nil, `"ktp" sudah ada di kelompok`},
			{"missing group", SynonymGroup{ID: 999, Terms: []string{"x", "y"}}, ErrSynonymGroupNotFound, ""},
		}
		for _, b := range bad {
			gen := generation(t, s)
			_, err := s.SaveSynonymGroup(ctx, b.g, "t")
			if err == nil || b.want != nil && !errors.Is(err, b.want) || !strings.Contains(err.Error(), b.msg) {
				t.Errorf("%s: %v", b.name, err)
			}
			if generation(t, s) != gen {
				t.Errorf("%s: generation moved", b.name)
			}
		}

		if err := s.DeleteSynonymGroup(ctx, kk.ID, "t"); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteSynonymGroup(ctx, kk.ID, "t"); !errors.Is(err, ErrSynonymGroupNotFound) {
			t.Fatalf("second delete: %v", err)
		}
		all, _ = s.Synonyms(ctx)
		if !reflect.DeepEqual(terms(all), [][]string{{"ktp", "ktp-el"}}) {
			t.Fatalf("after delete: %v", terms(all))
		}
		if generation(t, s) != gen+2 {
			t.Fatalf("generation %d, want %d", generation(t, s), gen+2)
		}
	})
}

func TestImportFileSynonyms(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		s := NewStore(db)
		for _, g := range [][]string{{"ktp", "e-ktp"}, {"kk", "kartu keluarga"}, {"pbb", "pajak bumi dan bangunan"}} {
			if _, err := s.SaveSynonymGroup(ctx, SynonymGroup{Terms: g}, "t"); err != nil {
				t.Fatal(err)
			}
		}
		in := `{"entries": [{"id": "a", "question": "q", "answer": "a"}],
  "synonyms": [["ktp", "e-ktp", "ktp-el"], ["kk", "kartu keluarga"], ["sim", "surat izin mengemudi"]]}`
		f, err := ParseJSONFile(strings.NewReader(in), "kb.json")
		if err != nil {
			t.Fatal(err)
		}
		res, err := s.ImportFile(ctx, f, ImportOptions{Author: "imp"})
		if err != nil {
			t.Fatal(err)
		}
		if res.Created != 1 || res.SynonymGroups != 2 {
			t.Fatalf("result %+v", res)
		}
		all, _ := s.Synonyms(ctx)
		want := [][]string{{"ktp", "e-ktp", "ktp-el"}, {"kk", "kartu keluarga"}, {"pbb", "pajak bumi dan bangunan"}, {"sim", "surat izin mengemudi"}}
		if !reflect.DeepEqual(terms(all), want) {
			t.Fatalf("merged synonyms %v", terms(all))
		}

		res, err = s.ImportFile(ctx, f, ImportOptions{Author: "imp", Replace: true})
		if err != nil || res.SynonymGroups != 1 || res.Unchanged != 1 {
			t.Fatalf("replace: %+v %v", res, err)
		}
		all, _ = s.Synonyms(ctx)
		if !reflect.DeepEqual(terms(all), f.Synonyms) {
			t.Fatalf("replaced synonyms %v, want %v", terms(all), f.Synonyms)
		}

		// Export gives back what was imported.
		out, err := s.ExportFile(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(out.Synonyms, f.Synonyms) || len(out.Entries) != 1 || !reflect.DeepEqual(content(out.Entries[0]), f.Entries[0]) {
			t.Fatalf("export %#v", out)
		}

		// A file group spanning two stored groups is refused, atomically.
		gen := generation(t, s)
		bad := File{Entries: []Entry{entry("b", "", "q b")}, Synonyms: [][]string{{"ktp", "kk"}}}
		var fe *FieldError
		if _, err := s.ImportFile(ctx, bad, ImportOptions{}); !errors.As(err, &fe) || fe.Field != "synonyms" || !strings.Contains(fe.Msg, "gabungkan") {
			t.Fatalf("overlapping import: %v", err)
		}
		if n, _ := s.Count(ctx, ""); n != 1 || generation(t, s) != gen {
			t.Fatal("failed import wrote something")
		}
	})
}

// A synonym group typed as the README writes one is split into its
// terms; a term that still holds a separator is refused, saying so.
func TestSynonymTermsAndSeparators(t *testing.T) {
	for _, c := range []struct {
		text string
		want []string
	}{
		{"ktp = e-ktp = kartu tanda penduduk", []string{"ktp", "e-ktp", "kartu tanda penduduk"}},
		{"kk = kartu keluarga\r\nKK elektronik", []string{"kk", "kartu keluarga", "KK elektronik"}},
		{"sim, surat izin mengemudi", []string{"sim", "surat izin mengemudi"}},
		{"akta\nakte\n\n", []string{"akta", "akte"}},
	} {
		if got := ParseSynonymTerms(c.text); !slices.Equal(got, c.want) {
			t.Errorf("ParseSynonymTerms(%q) = %q, want %q", c.text, got, c.want)
		}
	}
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		s := NewStore(db)
		for _, terms := range [][]string{{"kk = kartu keluarga", "kk elektronik"}, {"sim", "surat izin, mengemudi"}, {"akta", "akte\nlahir"}} {
			_, err := s.SaveSynonymGroup(context.Background(), SynonymGroup{Terms: terms}, "test")
			var fe *FieldError
			if !errors.As(err, &fe) || !strings.Contains(fe.Msg, "pemisah") {
				t.Errorf("SaveSynonymGroup(%q) = %v; want a FieldError naming the separator", terms, err)
			}
		}
		if groups, err := s.Synonyms(context.Background()); err != nil || len(groups) != 0 {
			t.Errorf("refused groups were saved: %v, %v", groups, err)
		}
	})
}

package knowledge

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

// fieldErrors are the *FieldErrors that err joins.
func fieldErrors(t *testing.T, err error) []*FieldError {
	t.Helper()
	var out []*FieldError
	var walk func(error)
	walk = func(err error) {
		if fe, ok := err.(*FieldError); ok {
			out = append(out, fe)
			return
		}
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range j.Unwrap() {
				walk(e)
			}
			return
		}
		if e := errors.Unwrap(err); e != nil {
			walk(e)
		}
	}
	walk(err)
	return out
}

// A file in which two entries share a wording (case and spacing aside)
// is refused, each clash naming the file, the line, the entry and the
// field, and the entry and the line that had it first.
func TestParseSharedWording(t *testing.T) {
	json := `{"entries": [
  {"id": "a", "question": "Cara buat KTP", "answer": "x",
   "alternates": ["ktp baru"]},
  {"id": "b", "question": "cara  BUAT ktp", "answer": "y"},
  {"id": "c", "question": "KK", "answer": "z",
   "alternates": ["kk hilang", "KTP  baru"]},
  {"id": "d", "question": "Akta", "answer": "w", "alternates": ["akta"]}
]}`
	csv := "id,category,question,alternates,answer,tags\n" +
		"a,,Cara buat KTP,ktp baru,x,\n" +
		"b,,cara  BUAT ktp,,y,\n" +
		"c,,KK,kk hilang | KTP  baru,z,\n" +
		"d,,Akta,akta,w,\n"
	for _, tc := range []struct {
		name string
		in   string
		want []FieldError
	}{
		{"kb.json", json, []FieldError{
			{File: "kb.json", Line: 4, ID: "b", Field: "question", Msg: `entri "a" di baris 2 sebagai pertanyaannya`},
			{File: "kb.json", Line: 6, ID: "c", Field: "alternates", Msg: `entri "a" di baris 3 sebagai variasi pertanyaannya`},
		}},
		{"kb.csv", csv, []FieldError{
			{File: "kb.csv", Line: 3, ID: "b", Field: "question", Msg: `entri "a" di baris 2 sebagai pertanyaannya`},
			{File: "kb.csv", Line: 4, ID: "c", Field: "alternates", Msg: `entri "a" di baris 2 sebagai variasi pertanyaannya`},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := ParseNamed(strings.NewReader(tc.in), tc.name)
			if f.Entries != nil {
				t.Errorf("entries returned with an error: %v", f.Entries)
			}
			got := fieldErrors(t, err)
			if len(got) != len(tc.want) {
				t.Fatalf("got %d problems, want %d: %v", len(got), len(tc.want), err)
			}
			for i, w := range tc.want {
				g := got[i]
				if g.File != w.File || g.Line != w.Line || g.ID != w.ID || g.Field != w.Field || !strings.Contains(g.Msg, "sudah dipakai "+w.Msg) {
					t.Errorf("problem %d: %v, want %s:%d entri %q kolom %q ... %s", i, g, w.File, w.Line, w.ID, w.Field, w.Msg)
				}
			}
			if !strings.Contains(got[1].Msg, `variasi ke-2 ("KTP baru")`) {
				t.Errorf("the alternate is not named: %v", got[1])
			}
		})
	}
}

// Import refuses the wording two of its entries share, and, merging, the
// wording of a stored entry that the file does not hold, naming it and
// its status; nothing is written. Replacing archives the stored entry and
// takes its wording; an entry of the file takes back the wordings it had.
func TestImportSharedWording(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		s := NewStore(db)
		old := entry("ktp-lama", "", "Cara buat KTP")
		old.Alternates = []string{"ktp baru"}
		old.Status = Draft
		if _, err := s.Import(ctx, []Entry{old, entry("kk", "", "KK hilang")}, ImportOptions{}); err != nil {
			t.Fatal(err)
		}
		gen := generation(t, s)

		_, err := s.Import(ctx, []Entry{entry("x", "", "Q sama"), entry("y", "", "q  SAMA")}, ImportOptions{})
		fes := fieldErrors(t, err)
		if len(fes) != 1 || fes[0].ID != "y" || fes[0].Field != "question" || !strings.Contains(fes[0].Msg, `sudah dipakai entri "x" (entri ke-1)`) {
			t.Fatalf("shared within the import: %v", err)
		}

		file, err := ParseNamed(strings.NewReader(`{"entries": [
  {"id": "ktp", "question": "cara BUAT ktp", "answer": "x"},
  {"id": "kk", "question": "KK", "answer": "y",
   "alternates": ["KTP baru"]}
]}`), "baru.json")
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.ImportFile(ctx, file, ImportOptions{})
		fes = fieldErrors(t, err)
		if len(fes) != 2 {
			t.Fatalf("merge: %v", err)
		}
		for i, w := range []struct {
			line      int
			id, field string
			msg       string
		}{
			{2, "ktp", "question", `pertanyaan ini sudah dipakai entri "ktp-lama" (draf), yang tidak ada di berkas, sebagai pertanyaannya;`},
			{4, "kk", "alternates", `variasi ke-1 ("KTP baru") sudah dipakai entri "ktp-lama" (draf), yang tidak ada di berkas, sebagai variasi pertanyaannya`},
		} {
			if fe := fes[i]; fe.File != "baru.json" || fe.Line != w.line || fe.ID != w.id || fe.Field != w.field || !strings.Contains(fe.Msg, w.msg) {
				t.Errorf("merge problem %d: %v", i, fe)
			}
		}
		if generation(t, s) != gen {
			t.Fatal("a refused import wrote something")
		}
		if e, err := s.Get(ctx, "kk"); err != nil || e.Question != "KK hilang" {
			t.Fatalf("kk after a refused import: %+v, %v", e, err)
		}

		// The entry that has the wording may be in the file, with it or
		// without it.
		moved := entry("ktp-lama", "", "KTP lama")
		if _, err := s.Import(ctx, []Entry{moved, entry("ktp", "", "Cara buat KTP")}, ImportOptions{}); err != nil {
			t.Fatalf("a wording moved within the file: %v", err)
		}
		if _, err := s.Import(ctx, []Entry{entry("kk", "", "ktp lama")}, ImportOptions{Replace: true}); err != nil {
			t.Fatalf("replace: %v", err)
		}
	})
}

// Save refuses a question or an alternate that another entry, draft or
// published, has, naming it, its status and how it has it; an entry keeps
// its own wordings. An archived entry holds none: its question is saved
// in another entry, and publishing it again is then refused.
func TestSaveSharedWording(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		s := NewStore(db)
		a := entry("ktp", "", "Cara buat KTP")
		a.Alternates = []string{"bikin ktp", "KTP baru"}
		b := entry("akta", "", "Akta hilang")
		b.Status = Archived
		for _, e := range []Entry{a, b} {
			if _, err := s.Save(ctx, e, "test"); err != nil {
				t.Fatal(err)
			}
		}
		gen := generation(t, s)
		withAlt := entry("kk", "", "KK")
		withAlt.Alternates = []string{"kk hilang", "ktp  BARU"}
		for _, tc := range []struct {
			e          Entry
			field, msg string
		}{
			{entry("kk", "", " cara  buat ktp"), "question", `pertanyaan ini sudah dipakai entri "ktp" (terbit) sebagai pertanyaannya;`},
			{entry("kk", "", "BIKIN ktp"), "question", `pertanyaan ini sudah dipakai entri "ktp" (terbit) sebagai variasi pertanyaannya;`},
			{withAlt, "alternates", `variasi ke-2 ("ktp BARU") sudah dipakai entri "ktp" (terbit) sebagai variasi pertanyaannya;`},
		} {
			_, err := s.Save(ctx, tc.e, "test")
			fe, ok := errors.AsType[*FieldError](err)
			if !ok || fe.ID != "kk" || fe.Field != tc.field || !strings.Contains(fe.Msg, tc.msg) {
				t.Errorf("save %q %q: %v, want kolom %q: %s", tc.e.Question, tc.e.Alternates, err, tc.field, tc.msg)
			}
		}
		draft := entry("", "", "Apa saja syaratnya?")
		draft.Alternates = []string{"bikin  KTP"}
		_, err := s.AddDraft(ctx, draft, "test")
		if fe, ok := errors.AsType[*FieldError](err); !ok || fe.Field != "alternates" || !strings.Contains(fe.Msg, `sudah dipakai entri "ktp" (terbit)`) {
			t.Errorf("a draft with another entry's alternate: %v", err)
		}
		if generation(t, s) != gen {
			t.Fatal("a refused save wrote something")
		}
		if fe, err := s.WordingTaken(ctx, "ktp", "KTP baru", []string{"cara buat ktp"}); fe != nil || err != nil {
			t.Errorf("an entry's own wordings are taken: %v, %v", fe, err)
		}
		if fe, err := s.WordingTaken(ctx, "", "Baru", []string{"akta  hilang"}); err != nil || fe != nil {
			t.Errorf("WordingTaken of an archived entry's question: %v, %v; want nothing", fe, err)
		}
		a.Answer = "Jawaban baru."
		a.Alternates = []string{"KTP  baru", "bikin ktp"}
		if _, err := s.Save(ctx, a, "test"); err != nil {
			t.Fatalf("an entry keeping its own wordings: %v", err)
		}
		if _, err := s.Save(ctx, entry("kk", "", "akta HILANG"), "test"); err != nil {
			t.Fatalf("an archived entry's question in another entry: %v", err)
		}
		b.Answer = "Diubah dalam arsip."
		if _, err := s.Save(ctx, b, "test"); err != nil {
			t.Fatalf("an archived entry saved in the archive: %v", err)
		}
		gen = generation(t, s)
		b.Status = Published
		_, err = s.Save(ctx, b, "test")
		if fe, ok := errors.AsType[*FieldError](err); !ok || fe.ID != "akta" || fe.Field != "question" ||
			!strings.Contains(fe.Msg, `pertanyaan ini sudah dipakai entri "kk" (terbit) sebagai pertanyaannya;`) {
			t.Errorf("an archived entry published again with another entry's question: %v", err)
		}
		if generation(t, s) != gen {
			t.Fatal("a refused save wrote something")
		}
	})
}

// Restore refuses a version with a wording that another entry has taken
// since, naming it; nothing is written.
func TestRestoreSharedWording(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		s := NewStore(db)
		a := entry("ktp", "", "Cara buat KTP")
		a.Alternates = []string{"ktp baru"}
		if _, err := s.Save(ctx, a, "test"); err != nil {
			t.Fatal(err)
		}
		a.Alternates = nil
		if _, err := s.Save(ctx, a, "test"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Save(ctx, entry("ktp-el", "", "KTP  baru"), "test"); err != nil {
			t.Fatal(err)
		}
		gen := generation(t, s)
		_, err := s.Restore(ctx, "ktp", 1, "test")
		if fe, ok := errors.AsType[*FieldError](err); !ok || fe.Field != "alternates" || !strings.Contains(fe.Msg, `sudah dipakai entri "ktp-el" (terbit) sebagai pertanyaannya`) {
			t.Errorf("restoring another entry's wording: %v", err)
		}
		if generation(t, s) != gen {
			t.Fatal("a refused restore wrote something")
		}
		if _, err := s.Save(ctx, entry("ktp-el", "", "KTP elektronik"), "test"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Restore(ctx, "ktp", 1, "test"); err != nil {
			t.Errorf("restoring a wording no other entry has: %v", err)
		}
	})
}

// An archived entry holds no wording: a city re-importing its FAQ with
// --replace and renamed ids archives the old entries, and the new live
// ones, which have their wordings, are saved as usual afterwards. An
// archived entry leaving the archive, by any path, is refused while a
// live entry has one of its wordings, naming that entry and its status;
// nothing is written.
func TestArchivedHoldsNoWording(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		s := NewStore(db)
		ktp := entry("ktp-hilang", "", "KTP hilang")
		ktp.Alternates = []string{"kehilangan ktp"}
		if _, err := s.Import(ctx, []Entry{ktp, entry("kk-baru", "", "KK baru")}, ImportOptions{}); err != nil {
			t.Fatal(err)
		}
		// The new edition, its ids renamed, with the same wordings.
		renamed := entry("ktp-01", "", "ktp  HILANG")
		renamed.Alternates = []string{"Kehilangan KTP"}
		res, err := s.Import(ctx, []Entry{renamed, entry("kk-01", "", "KK baru")}, ImportOptions{Replace: true})
		if err != nil || res.Created != 2 || res.Archived != 2 {
			t.Fatalf("replace with renamed ids: %+v, %v", res, err)
		}
		renamed.Answer = "Jawaban yang diperbarui."
		renamed.Alternates = append(renamed.Alternates, "ktp saya hilang")
		if _, err := s.Save(ctx, renamed, "test"); err != nil {
			t.Fatalf("saving a live entry that shares wordings with an archived one: %v", err)
		}
		if _, err := s.SetStatus(ctx, "kk-01", Draft, "test"); err != nil {
			t.Fatalf("a live entry made a draft: %v", err)
		}
		if _, err := s.AddAlternates(ctx, "kk-01", []string{"kk hilang"}, "test"); err != nil {
			t.Fatalf("an alternate added to a live entry: %v", err)
		}
		if taken, err := s.Taken(ctx, "kk baru"); err != nil || taken == nil || taken.Entry.Slug != "kk-01" {
			t.Errorf("Taken(kk baru) = %+v, %v; want the live kk-01", taken, err)
		}
		if _, err := s.AddDraft(ctx, entry("", "", "Kehilangan  KTP"), "test"); err == nil {
			t.Error("a draft of a live entry's alternate: want refused")
		}

		// The archived entry edited in the archive is saved; leaving it is
		// refused, whichever way.
		old, err := s.Get(ctx, "ktp-hilang")
		if err != nil {
			t.Fatal(err)
		}
		old.Answer = "Catatan lama."
		if old, err = s.Save(ctx, old, "test"); err != nil {
			t.Fatalf("an archived entry saved in the archive: %v", err)
		}
		gen := generation(t, s)
		want := `pertanyaan ini sudah dipakai entri "ktp-01" (terbit) sebagai pertanyaannya;`
		refused := func(how string, err error, field, msg string) {
			t.Helper()
			fe, ok := errors.AsType[*FieldError](err)
			if !ok || fe.ID != "ktp-hilang" || fe.Field != field || !strings.Contains(fe.Msg, msg) {
				t.Errorf("%s: %v; want kolom %q: %s", how, err, field, msg)
			}
			if generation(t, s) != gen {
				t.Fatalf("%s: a refused change wrote something", how)
			}
		}
		_, err = s.SetStatus(ctx, "ktp-hilang", Published, "test")
		refused("published again", err, "question", want)
		_, err = s.SetStatus(ctx, "ktp-hilang", Draft, "test")
		refused("made a draft again", err, "question", want)
		old.Status = Published
		_, err = s.Save(ctx, old, "test")
		refused("saved as published", err, "question", want)
		_, err = s.SaveVersion(ctx, old, old.Version, "test")
		refused("saved as published from its version", err, "question", want)
		revs, err := s.Revisions(ctx, "ktp-hilang")
		if err != nil {
			t.Fatal(err)
		}
		published := 0
		for _, r := range revs {
			if r.Entry.Status == Published {
				published = r.Version
				break
			}
		}
		if published == 0 {
			t.Fatalf("no published version of ktp-hilang: %+v", revs)
		}
		_, err = s.Restore(ctx, "ktp-hilang", published, "test")
		refused("a published version restored", err, "question", want)
		back := old
		back.Slug, back.Status = "ktp-hilang", Published
		_, err = s.Import(ctx, []Entry{back}, ImportOptions{})
		refused("published again by a merging import", err, "question", `pertanyaan ini sudah dipakai entri "ktp-01" (terbit), yang tidak ada di berkas, sebagai pertanyaannya;`)
		back.Question = "KTP lama hilang"
		_, err = s.Import(ctx, []Entry{back}, ImportOptions{})
		refused("published again by a merging import, keeping an alternate", err, "alternates", `variasi ke-1 ("kehilangan ktp") sudah dipakai entri "ktp-01" (terbit), yang tidak ada di berkas, sebagai variasi pertanyaannya;`)

		if fe, err := s.WordingTaken(ctx, "ktp-hilang", "KTP hilang", []string{"kehilangan ktp"}); fe != nil || err != nil {
			t.Errorf("WordingTaken of the archived entry, kept in the archive: %v, %v; want nothing", fe, err)
		}
		if fe, err := s.WordingTaken(ctx, "kk-01", "KK baru", []string{"kehilangan  KTP"}); err != nil || fe == nil || fe.Field != "alternates" ||
			!strings.Contains(fe.Msg, `sudah dipakai entri "ktp-01" (terbit) sebagai variasi pertanyaannya`) {
			t.Errorf("WordingTaken of a live entry taking a live entry's alternate: %v, %v", fe, err)
		}

		// Once the live entry is archived in its turn, the old one comes
		// back.
		if _, err := s.SetStatus(ctx, "ktp-01", Archived, "test"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Restore(ctx, "ktp-hilang", published, "test"); err != nil {
			t.Errorf("a published version restored, no live entry having its wordings: %v", err)
		}

		// The whole base, archived entries included, exports and imports
		// back as it is.
		f, err := s.ExportFile(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var buf strings.Builder
		if err := WriteJSONFile(&buf, f); err != nil {
			t.Fatal(err)
		}
		back2, err := ParseNamed(strings.NewReader(buf.String()), "ekspor.json")
		if err != nil {
			t.Fatalf("an export with archived entries sharing wordings, parsed: %v", err)
		}
		if res, err := s.ImportFile(ctx, back2, ImportOptions{Replace: true}); err != nil || res.Created+res.Updated+res.Archived != 0 {
			t.Fatalf("the export imported back: %+v, %v", res, err)
		}
	})
}

// An archived entry keeps any alternate added to it, as Save keeps any
// wording there: it holds none. Taking it out of the archive is refused
// while a live entry has the alternate, naming it; nothing is written.
func TestArchivedEntryTakesAlternates(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		s := NewStore(db)
		live := entry("ktp-01", "", "KTP hilang")
		live.Alternates = []string{"ktp saya hilang"}
		old := entry("ktp-lama", "", "KTP lama hilang")
		old.Status = Archived
		for _, e := range []Entry{live, old} {
			if _, err := s.Save(ctx, e, "test"); err != nil {
				t.Fatal(err)
			}
		}
		if taken, err := s.AlternateTaken(ctx, "ktp-lama", "KTP saya  hilang"); taken != nil || err != nil {
			t.Errorf("AlternateTaken on an archived entry: %+v, %v; want nothing", taken, err)
		}
		if taken, err := s.AlternateTaken(ctx, "ktp-01", "KTP lama  hilang"); taken != nil || err != nil {
			t.Errorf("AlternateTaken of an archived entry's question: %+v, %v; want nothing", taken, err)
		}
		got, err := s.AddAlternates(ctx, "ktp-lama", []string{"KTP saya  hilang", "kehilangan ktp lama"}, "test")
		if err != nil {
			t.Fatalf("alternates added to an archived entry: %v", err)
		}
		if got.Status != Archived || strings.Join(got.Alternates, "|") != "KTP saya hilang|kehilangan ktp lama" {
			t.Errorf("the archived entry after AddAlternates: %s %q", got.Status, got.Alternates)
		}

		gen := generation(t, s)
		want := `variasi ke-1 ("KTP saya hilang") sudah dipakai entri "ktp-01" (terbit) sebagai variasi pertanyaannya;`
		for _, st := range []Status{Published, Draft} {
			_, err := s.SetStatus(ctx, "ktp-lama", st, "test")
			if fe, ok := errors.AsType[*FieldError](err); !ok || fe.ID != "ktp-lama" || fe.Field != "alternates" || !strings.Contains(fe.Msg, want) {
				t.Errorf("the archived entry made %s: %v; want kolom alternates: %s", st, err, want)
			}
		}
		if generation(t, s) != gen {
			t.Fatal("a refused change wrote something")
		}
		// A live entry is still refused another live entry's wording.
		if _, err := s.AddAlternates(ctx, "ktp-01", []string{"x", "kehilangan KTP lama"}, "test"); err != nil {
			t.Errorf("a live entry given an archived entry's alternate: %v", err)
		}
		if _, err := s.AddAlternates(ctx, "ktp-01", []string{"KTP lama hilang"}, "test"); err != nil {
			t.Errorf("a live entry given an archived entry's question: %v", err)
		}
		if _, err := s.Save(ctx, entry("kk", "", "KK baru"), "test"); err != nil {
			t.Fatal(err)
		}
		_, err = s.AddAlternates(ctx, "kk", []string{"kk hilang", "KTP  SAYA hilang"}, "test")
		if we, ok := errors.AsType[*WordingError](err); !ok || we.Index != 1 || we.Taken == nil || we.Taken.Entry.Slug != "ktp-01" {
			t.Errorf("a live entry given another live entry's alternate: %v", err)
		}
		// Once the live entry lets the wording go, the old one comes back.
		live, err = s.Get(ctx, "ktp-01")
		if err != nil {
			t.Fatal(err)
		}
		live.Alternates = nil
		if _, err := s.Save(ctx, live, "test"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SetStatus(ctx, "ktp-lama", Published, "test"); err != nil {
			t.Errorf("the archived entry published, no live entry having its wordings: %v", err)
		}
	})
}

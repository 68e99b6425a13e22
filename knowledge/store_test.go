package knowledge

import (
	"context"
	"errors"
	"os"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lib/pq"

	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

func TestMain(m *testing.M) { os.Exit(storagetest.Main(m)) }

func entry(slug, category, question string) Entry {
	return Entry{Slug: slug, Category: category, Question: question, Answer: "Jawaban untuk " + slug + "."}
}

// content strips the fields the store sets, for comparisons.
func content(e Entry) Entry {
	e.Version, e.UpdatedAt, e.UpdatedBy = 0, time.Time{}, ""
	return e
}

func mustSave(t *testing.T, s *Store, e Entry) Entry {
	t.Helper()
	out, err := s.Save(context.Background(), e, "tester")
	if err != nil {
		t.Fatalf("save %s: %v", e.Slug, err)
	}
	return out
}

func generation(t *testing.T, s *Store) int64 {
	t.Helper()
	g, err := s.Generation(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestSaveGetListCount(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		s := NewStore(db)
		if _, err := s.Get(ctx, "nope"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("Get missing: %v", err)
		}
		e := Entry{Slug: "ktp-hilang", Category: "Kependudukan", Question: " KTP saya hilang? ",
			Alternates: []string{"ktp hilang", " ", "KTP  hilang"}, Answer: "Bawa surat kehilangan 🙏 ke Disdukcapil.",
			Tags: []string{"ktp", "hilang"}}
		before := time.Now().UTC().Add(-time.Second)
		saved := mustSave(t, s, e)
		want := Entry{Slug: "ktp-hilang", Category: "Kependudukan", Question: "KTP saya hilang?",
			Alternates: []string{"ktp hilang"}, Answer: "Bawa surat kehilangan 🙏 ke Disdukcapil.",
			Tags: []string{"ktp", "hilang"}, Status: Published}
		if !reflect.DeepEqual(content(saved), want) {
			t.Fatalf("saved %#v\nwant %#v", content(saved), want)
		}
		if saved.Version != 1 || saved.UpdatedBy != "tester" || saved.UpdatedAt.Location() != time.UTC || saved.UpdatedAt.Before(before) {
			t.Fatalf("audit fields: %+v", saved)
		}
		got, err := s.Get(ctx, "ktp-hilang")
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, saved) {
			t.Fatalf("Get %#v\nwant %#v", got, saved)
		}

		mustSave(t, s, entry("akta-lahir", "Kependudukan", "Cara membuat akta kelahiran"))
		mustSave(t, s, entry("pbb-bayar", "Pajak", "Bayar PBB_online 100%"))
		d := entry("draf", "Pajak", "Draf pertanyaan")
		d.Status = Draft
		mustSave(t, s, d)

		slugs := func(es []Entry) string {
			var out []string
			for _, e := range es {
				out = append(out, e.Slug)
			}
			return strings.Join(out, ",")
		}
		tests := []struct {
			name string
			f    Filter
			want string
		}{
			{"all", Filter{}, "akta-lahir,ktp-hilang,draf,pbb-bayar"},
			{"published", Filter{Status: Published}, "akta-lahir,ktp-hilang,pbb-bayar"},
			{"draft", Filter{Status: Draft}, "draf"},
			{"category", Filter{Category: "Pajak"}, "draf,pbb-bayar"},
			{"text in question, any case", Filter{Text: "AKTA"}, "akta-lahir"},
			{"text in slug", Filter{Text: "bayar"}, "pbb-bayar"},
			{"text with LIKE wildcards", Filter{Text: "100%"}, "pbb-bayar"},
			{"underscore is literal", Filter{Text: "b_o"}, "pbb-bayar"},
			{"underscore does not match any", Filter{Text: "a_t"}, ""},
			{"limit", Filter{Limit: 2}, "akta-lahir,ktp-hilang"},
			{"limit offset", Filter{Limit: 2, Offset: 1}, "ktp-hilang,draf"},
			{"offset only", Filter{Offset: 3}, "pbb-bayar"},
			{"combined", Filter{Status: Published, Category: "Pajak", Text: "pbb"}, "pbb-bayar"},
		}
		for _, tt := range tests {
			got, err := s.List(ctx, tt.f)
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			if slugs(got) != tt.want {
				t.Errorf("%s: got %q, want %q", tt.name, slugs(got), tt.want)
			}
		}
		if _, err := s.List(ctx, Filter{Status: "bogus"}); err == nil {
			t.Error("List with a bad status succeeded")
		}
		pub, err := s.Published(ctx)
		if err != nil || slugs(pub) != "akta-lahir,ktp-hilang,pbb-bayar" {
			t.Fatalf("Published: %q %v", slugs(pub), err)
		}
		for st, want := range map[Status]int{"": 4, Published: 3, Draft: 1, Archived: 0} {
			if n, err := s.Count(ctx, st); err != nil || n != want {
				t.Errorf("Count(%q) = %d, %v; want %d", st, n, err, want)
			}
		}
	})
}

func TestSaveValidates(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		s := NewStore(db)
		_, err := s.Save(context.Background(), Entry{Slug: "a", Question: "q", Answer: strings.Repeat("x", MaxAnswerLen+1)}, "t")
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != "answer" {
			t.Fatalf("want a FieldError on answer, got %v", err)
		}
		if n, _ := s.Count(context.Background(), ""); n != 0 {
			t.Fatalf("%d entries after a rejected save", n)
		}
	})
}

func TestVersionsRevisionsRestore(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		s := NewStore(db)
		g0 := generation(t, s)
		v1 := mustSave(t, s, entry("kk-baru", "Kependudukan", "Cara membuat KK baru"))
		g1 := generation(t, s)
		if g1 != g0+1 {
			t.Fatalf("generation %d after create, want %d", g1, g0+1)
		}

		// Saving the same content again is a no-op.
		same, err := s.Save(ctx, entry("kk-baru", "Kependudukan", "  Cara membuat KK baru "), "someone-else")
		if err != nil {
			t.Fatal(err)
		}
		if same.Version != 1 || same.UpdatedBy != "tester" || generation(t, s) != g1 {
			t.Fatalf("no-op save changed something: %+v, generation %d", same, generation(t, s))
		}

		e2 := v1
		e2.Answer = "Jawaban baru."
		v2, err := s.Save(ctx, e2, "officer-b")
		if err != nil {
			t.Fatal(err)
		}
		if v2.Version != 2 || v2.UpdatedBy != "officer-b" || generation(t, s) != g1+1 {
			t.Fatalf("update: %+v, generation %d", v2, generation(t, s))
		}
		v3, err := s.SetStatus(ctx, "kk-baru", Draft, "officer-c")
		if err != nil {
			t.Fatal(err)
		}
		if v3.Version != 3 || v3.Status != Draft || v3.Answer != "Jawaban baru." {
			t.Fatalf("SetStatus: %+v", v3)
		}

		revs, err := s.Revisions(ctx, "kk-baru")
		if err != nil {
			t.Fatal(err)
		}
		type brief struct {
			Version int
			Action  Action
			Author  string
			Status  Status
			Answer  string
		}
		var got []brief
		for _, r := range revs {
			got = append(got, brief{r.Version, r.Action, r.Author, r.Entry.Status, r.Entry.Answer})
			if r.At.IsZero() || r.At.Location() != time.UTC || r.Entry.Version != r.Version || r.Entry.Slug != "kk-baru" {
				t.Errorf("revision %d: %+v", r.Version, r)
			}
		}
		want := []brief{
			{3, ActionStatus, "officer-c", Draft, "Jawaban baru."},
			{2, ActionUpdate, "officer-b", Published, "Jawaban baru."},
			{1, ActionCreate, "tester", Published, v1.Answer},
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("revisions\n got %+v\nwant %+v", got, want)
		}
		if !reflect.DeepEqual(content(revs[2].Entry), content(v1)) {
			t.Fatalf("snapshot of v1 %#v\nwant %#v", revs[2].Entry, v1)
		}

		// Restore version 1: content (status included) comes back as version 4.
		v4, err := s.Restore(ctx, "kk-baru", 1, "officer-d")
		if err != nil {
			t.Fatal(err)
		}
		if v4.Version != 4 || !reflect.DeepEqual(content(v4), content(v1)) {
			t.Fatalf("restored %#v\nwant content of %#v", v4, v1)
		}
		revs, _ = s.Revisions(ctx, "kk-baru")
		if len(revs) != 4 || revs[0].Action != ActionRestore || revs[0].Author != "officer-d" {
			t.Fatalf("after restore: %+v", revs[0])
		}
		// Restoring identical content again writes nothing.
		g := generation(t, s)
		if again, err := s.Restore(ctx, "kk-baru", 1, "x"); err != nil || again.Version != 4 || generation(t, s) != g {
			t.Fatalf("second restore: %+v %v", again, err)
		}
		if _, err := s.Restore(ctx, "kk-baru", 9, "x"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("restore of a missing version: %v", err)
		}
		if _, err := s.Restore(ctx, "nope", 1, "x"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("restore of a missing entry: %v", err)
		}
		if _, err := s.Revisions(ctx, "nope"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("revisions of a missing entry: %v", err)
		}
	})
}

func TestSetStatusAndPublished(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		s := NewStore(db)
		for _, slug := range []string{"a", "b", "c"} {
			mustSave(t, s, entry(slug, "", "Pertanyaan "+slug))
		}
		if _, err := s.SetStatus(ctx, "b", Archived, "t"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SetStatus(ctx, "c", Draft, "t"); err != nil {
			t.Fatal(err)
		}
		g := generation(t, s)
		if e, err := s.SetStatus(ctx, "c", Draft, "t"); err != nil || e.Version != 2 || generation(t, s) != g {
			t.Fatalf("same status again: %+v %v", e, err)
		}
		if _, err := s.SetStatus(ctx, "c", "gone", "t"); err == nil {
			t.Fatal("invalid status accepted")
		}
		if _, err := s.SetStatus(ctx, "zzz", Draft, "t"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("missing entry: %v", err)
		}
		pub, err := s.Published(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(pub) != 1 || pub[0].Slug != "a" {
			t.Fatalf("Published = %+v", pub)
		}
	})
}

func TestAddAlternate(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		s := NewStore(db)
		e := entry("ktp-hilang", "", "KTP saya hilang")
		e.Alternates = []string{"kehilangan ktp"}
		mustSave(t, s, e)

		got, err := s.AddAlternate(ctx, "ktp-hilang", "  gimana  kalau KTP  hilang?\n", "petugas")
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"kehilangan ktp", "gimana kalau KTP hilang?"}; !reflect.DeepEqual(got.Alternates, want) || got.Version != 2 {
			t.Fatalf("alternates %q version %d", got.Alternates, got.Version)
		}
		g := generation(t, s)
		for _, dup := range []string{"GIMANA kalau ktp hilang?", "Kehilangan   KTP", "ktp saya HILANG"} {
			e, err := s.AddAlternate(ctx, "ktp-hilang", dup, "petugas")
			if err != nil || e.Version != 2 || len(e.Alternates) != 2 {
				t.Fatalf("duplicate %q: %+v %v", dup, e, err)
			}
		}
		if generation(t, s) != g {
			t.Fatal("duplicate alternates bumped the generation")
		}
		revs, _ := s.Revisions(ctx, "ktp-hilang")
		if revs[0].Action != ActionAlternate || revs[0].Author != "petugas" {
			t.Fatalf("revision %+v", revs[0])
		}
		for _, bad := range []string{" ", "a | b", "\xff"} {
			if _, err := s.AddAlternate(ctx, "ktp-hilang", bad, "p"); err == nil {
				t.Errorf("phrase %q accepted", bad)
			}
		}
		if _, err := s.AddAlternate(ctx, "nope", "x", "p"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("missing entry: %v", err)
		}
	})
}

func TestImport(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		s := NewStore(db)
		mustSave(t, s, entry("lama", "", "Entri lama"))
		arch := entry("arsip", "", "Sudah diarsip")
		arch.Status = Archived
		mustSave(t, s, arch)
		mustSave(t, s, entry("tetap", "", "Tidak berubah"))
		g := generation(t, s)

		changed := entry("lama", "", "Entri lama")
		changed.Answer = "Jawaban yang diperbarui."
		batch := []Entry{changed, entry("tetap", "", "Tidak berubah"), entry("baru", "", "Entri baru")}
		res, err := s.Import(ctx, batch, ImportOptions{Author: "import-1"})
		if err != nil {
			t.Fatal(err)
		}
		if want := (ImportResult{Created: 1, Updated: 1, Unchanged: 1}); res != want {
			t.Fatalf("result %+v, want %+v", res, want)
		}
		if generation(t, s) != g+1 {
			t.Fatalf("generation %d, want %d (one bump per import)", generation(t, s), g+1)
		}
		if e, _ := s.Get(ctx, "lama"); e.Version != 2 || e.UpdatedBy != "import-1" || e.Answer != changed.Answer {
			t.Fatalf("lama after import: %+v", e)
		}

		// The same import again changes nothing.
		res, err = s.Import(ctx, batch, ImportOptions{Author: "import-1"})
		if err != nil || res != (ImportResult{Unchanged: 3}) || generation(t, s) != g+1 {
			t.Fatalf("repeat import: %+v %v generation %d", res, err, generation(t, s))
		}

		// Replace: entries missing from the file are archived, history kept.
		res, err = s.Import(ctx, []Entry{entry("baru", "", "Entri baru")}, ImportOptions{Replace: true, Author: "import-2"})
		if err != nil {
			t.Fatal(err)
		}
		if want := (ImportResult{Unchanged: 1, Archived: 2}); res != want {
			t.Fatalf("replace result %+v, want %+v", res, want)
		}
		for slug, want := range map[string]Status{"baru": Published, "lama": Archived, "tetap": Archived, "arsip": Archived} {
			e, err := s.Get(ctx, slug)
			if err != nil || e.Status != want {
				t.Errorf("%s: %+v %v, want status %s", slug, e, err, want)
			}
		}
		revs, _ := s.Revisions(ctx, "lama")
		if len(revs) != 3 || revs[0].Action != ActionStatus || revs[0].Author != "import-2" || revs[1].Action != ActionImport {
			t.Fatalf("lama history: %+v", revs)
		}
		if arch, _ := s.Get(ctx, "arsip"); arch.Version != 1 {
			t.Fatalf("already archived entry was rewritten: %+v", arch)
		}
		// Refused as a problem with the file, which the web admin shows to
		// the officer, not as a failure of the hub.
		var fe *FieldError
		if _, err := s.Import(ctx, nil, ImportOptions{Replace: true}); !errors.As(err, &fe) || !strings.Contains(fe.Msg, "tidak berisi entri") {
			t.Fatalf("replacing with nothing: %v", err)
		}
	})
}

func TestImportIsAllOrNothing(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		s := NewStore(db)
		mustSave(t, s, entry("ada", "", "Sudah ada"))
		g := generation(t, s)
		bad := entry("rusak", "", "Jawaban terlalu panjang")
		bad.Answer = strings.Repeat("a", MaxAnswerLen+1)
		changed := entry("ada", "", "Sudah ada, diubah")
		tests := []struct {
			name  string
			batch []Entry
			want  string
		}{
			{"invalid entry", []Entry{entry("satu", "", "Satu"), changed, bad, entry("dua", "", "Dua")}, `entri "rusak": kolom "answer"`},
			{"duplicate slug", []Entry{entry("satu", "", "Satu"), changed, entry("satu", "", "Lagi")}, `entri "satu": kolom "id": id ganda (entri ke-1 dan ke-3)`},
		}
		for _, tt := range tests {
			_, err := s.Import(ctx, tt.batch, ImportOptions{Replace: true})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("%s: error %v, want %q", tt.name, err, tt.want)
			}
			if n, _ := s.Count(ctx, ""); n != 1 {
				t.Fatalf("%s: %d entries after a failed import", tt.name, n)
			}
			if e, _ := s.Get(ctx, "ada"); e.Version != 1 || e.Status != Published {
				t.Fatalf("%s: existing entry changed: %+v", tt.name, e)
			}
			if generation(t, s) != g {
				t.Fatalf("%s: generation moved", tt.name)
			}
		}
	})
}

func TestImportRollsBackOnDatabaseError(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		s := NewStore(db)
		mustSave(t, s, entry("ada", "", "Sudah ada"))
		// A revision row already taken for the entry's next version makes the
		// last write of the batch fail inside the transaction.
		var id int64
		if err := db.GetContext(ctx, &id, `SELECT id FROM faq_entries WHERE slug = 'ada'`); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, db.Rebind(`INSERT INTO faq_revisions (entry_id, version, action, snapshot, author, created_at) VALUES (?, 2, 'x', '{}', '', ?)`), id, time.Now().UTC()); err != nil {
			t.Fatal(err)
		}
		g := generation(t, s)
		_, err := s.Import(ctx, []Entry{entry("baru", "", "Baru"), entry("ada", "", "Diubah")}, ImportOptions{})
		if err == nil {
			t.Fatal("import succeeded despite the conflict")
		}
		if n, _ := s.Count(ctx, ""); n != 1 || generation(t, s) != g {
			t.Fatalf("partial import: %d entries, generation %d (was %d)", n, generation(t, s), g)
		}
	})
}

func TestImportParsedFile(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		s := NewStore(db)
		want := trickyEntries()
		if _, err := s.Import(ctx, want, ImportOptions{Author: "seed"}); err != nil {
			t.Fatal(err)
		}
		got, err := s.List(ctx, Filter{})
		if err != nil {
			t.Fatal(err)
		}
		bySlug := map[string]Entry{}
		for _, e := range got {
			bySlug[e.Slug] = content(e)
		}
		for _, w := range want {
			if !reflect.DeepEqual(bySlug[w.Slug], w) {
				t.Errorf("%s stored as %#v\nwant %#v", w.Slug, bySlug[w.Slug], w)
			}
		}
	})
}

func TestGenerationCountsWrites(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		s := NewStore(db)
		e := entry("a", "", "Q")
		steps := []struct {
			name   string
			write  func() error
			change bool
		}{
			{"create", func() error { _, err := s.Save(ctx, e, "t"); return err }, true},
			{"same save", func() error { _, err := s.Save(ctx, e, "t"); return err }, false},
			{"status", func() error { _, err := s.SetStatus(ctx, "a", Draft, "t"); return err }, true},
			{"same status", func() error { _, err := s.SetStatus(ctx, "a", Draft, "t"); return err }, false},
			{"alternate", func() error { _, err := s.AddAlternate(ctx, "a", "q lain", "t"); return err }, true},
			{"restore", func() error { _, err := s.Restore(ctx, "a", 1, "t"); return err }, true},
			{"failed save", func() error { _, _ = s.Save(ctx, Entry{Slug: "b"}, "t"); return nil }, false},
			{"synonym", func() error {
				_, err := s.SaveSynonymGroup(ctx, SynonymGroup{Terms: []string{"ktp", "e-ktp"}}, "t")
				return err
			}, true},
		}
		for _, st := range steps {
			before := generation(t, s)
			if err := st.write(); err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
			after := generation(t, s)
			if st.change && after != before+1 || !st.change && after != before {
				t.Errorf("%s: generation %d → %d", st.name, before, after)
			}
		}
	})
}

func TestNotifyOnWrite(t *testing.T) {
	db := storagetest.Open(t, storage.Postgres)
	ctx := context.Background()
	s := NewStore(db)
	l := pq.NewListener(db.URL, 10*time.Millisecond, time.Second, nil)
	defer l.Close()
	if err := l.Listen(NotifyChannel); err != nil {
		t.Fatal(err)
	}
	expect := func(what string) {
		t.Helper()
		want := strconv.FormatInt(generation(t, s), 10)
		deadline := time.After(10 * time.Second)
		for {
			select {
			case n := <-l.Notify:
				if n == nil {
					continue // reconnected
				}
				if n.Channel != NotifyChannel || n.Extra != want {
					t.Fatalf("%s: notification %+v, want payload %s", what, n, want)
				}
				return
			case <-deadline:
				t.Fatalf("%s: no notification within 10s", what)
			}
		}
	}
	e := mustSave(t, s, entry("a", "", "Q"))
	expect("save")
	// A no-op writes and notifies nothing: the next notification carries
	// the next generation.
	mustSave(t, s, e)
	if _, err := s.SetStatus(ctx, "a", Draft, "t"); err != nil {
		t.Fatal(err)
	}
	expect("status after a no-op save")
	if _, err := s.SaveSynonymGroup(ctx, SynonymGroup{Terms: []string{"a", "b"}}, "t"); err != nil {
		t.Fatal(err)
	}
	expect("synonyms")
}

func TestConcurrentWrites(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		s := NewStore(db)
		mustSave(t, s, entry("ramai", "", "Banyak petugas"))
		g := generation(t, s)
		const n = 8
		errs := make(chan error, 3*n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(3)
			go func() {
				defer wg.Done()
				_, err := s.AddAlternate(ctx, "ramai", "pertanyaan nomor "+strconv.Itoa(i), "p"+strconv.Itoa(i))
				errs <- err
			}()
			go func() {
				defer wg.Done()
				_, err := s.Save(ctx, entry("baru-"+strconv.Itoa(i), "", "Q "+strconv.Itoa(i)), "p")
				errs <- err
			}()
			go func() {
				defer wg.Done()
				_, err := s.Save(ctx, entry("sama", "", "Q sama"), "p") // all but one are no-ops
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		e, err := s.Get(ctx, "ramai")
		if err != nil {
			t.Fatal(err)
		}
		revs, _ := s.Revisions(ctx, "ramai")
		if len(e.Alternates) != n || e.Version != n+1 || len(revs) != n+1 {
			t.Fatalf("after concurrent alternates: %d alternates, version %d, %d revisions", len(e.Alternates), e.Version, len(revs))
		}
		if sama, _ := s.Get(ctx, "sama"); sama.Version != 1 {
			t.Fatalf("sama: version %d", sama.Version)
		}
		if got, want := generation(t, s), g+2*n+1; got != want {
			t.Fatalf("generation %d, want %d", got, want)
		}
	})
}

// The same form sent twice: SaveVersion from a base the first save moved
// on from finds the entry with the very content it brings, which is no
// conflict; a different content from that base is one.
func TestSaveVersionSameContentTwice(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		s := NewStore(db)
		e := entry("izin-keramaian", "Perizinan", "Bagaimana cara mengurus izin keramaian?")
		first, err := s.SaveVersion(ctx, e, 0, "web:budi")
		if err != nil {
			t.Fatal(err)
		}
		g := generation(t, s)
		again, err := s.SaveVersion(ctx, e, 0, "web:budi")
		if err != nil || again.Version != first.Version {
			t.Fatalf("a new entry saved twice: version %d, %v; want version %d, no error", again.Version, err, first.Version)
		}
		e.Answer = "Ajukan ke Polres paling lambat 14 hari sebelumnya."
		second, err := s.SaveVersion(ctx, e, 1, "web:budi")
		if err != nil || second.Version != 2 {
			t.Fatalf("the edit: version %d, %v", second.Version, err)
		}
		if again, err := s.SaveVersion(ctx, e, 1, "web:budi"); err != nil || again.Version != 2 {
			t.Errorf("the edit sent twice: version %d, %v; want version 2, no error", again.Version, err)
		}
		if g2 := generation(t, s); g2 != g+1 {
			t.Errorf("generation %d after one edit and two repeats, want %d", g2, g+1)
		}
		e.Answer = "Jawaban lain."
		var conflict *VersionConflict
		if _, err := s.SaveVersion(ctx, e, 1, "web:siti"); !errors.As(err, &conflict) || conflict.Current.Version != 2 {
			t.Errorf("a different change from version 1: %v; want a VersionConflict at version 2", err)
		}
	})
}

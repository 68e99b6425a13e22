package knowledge_test

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/tebingtinggi/hub/knowledge"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

var slugifyCases = []struct{ in, want string }{
	{"Cara urus KTP hilang?", "urus-ktp-hilang"},
	{"  Bagaimana   cara daftar nikah siri online lewat kecamatan? ", "daftar-nikah-siri-online-kecamatan"},
	{"Pajak 2026: bayar di mana?!", "pajak-2026-bayar"},
	{"¿¡🙏!?", "pertanyaan-warga"},
	{"Émile café", "emile-cafe"},
	// What the question is about, in standard spelling, not how it opens.
	{"saya mau tanya soal sengketa tanah warisan dengan tetangga", "sengketa-tanah-warisan-tetangga"},
	{"kk ilang cemana bikin yg baru", "kk-hilang-buat-baru"},
	// Nothing but question words: they are kept.
	{"apa itu?", "apa-itu"},
	{"satu dua tiga empat lima enam tujuh delapan", "satu-dua-tiga-empat-lima-enam"},
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
		if first.Slug != "nikah-kua" || first.Status != knowledge.Draft || first.Category != "nikah" ||
			len(first.Tags) != 2 || first.UpdatedBy != "@ani" {
			t.Errorf("draft = %+v", first)
		}
		second, err := s.Draft(ctx, "cara nikah di kua", "Lain.", "tidak-ada", "@budi")
		if err != nil {
			t.Fatal(err)
		}
		if second.Slug != "nikah-kua-2" || second.Category != knowledge.DraftCategory {
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

// TestDraftOnceAQuestion: a draft whose question an entry, draft or
// published, already has (case and spacing aside) is refused, naming
// that entry and its status, and nothing is written; a question that only
// contains it, or differs in one letter outside ASCII, or that only an
// archived entry has, is drafted.
func TestDraftOnceAQuestion(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		s := knowledge.NewStore(db)
		if _, err := s.Save(ctx, knowledge.Entry{Slug: "kartu-lama", Question: "Kartu  perpustakaan 100%_hilang\nÉ?",
			Answer: "Lapor ke dinas.", Status: knowledge.Draft}, "test"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Save(ctx, knowledge.Entry{Slug: "akta-lama", Question: "Akta  kelahiran", Answer: "Lama.",
			Status: knowledge.Archived}, "test"); err != nil {
			t.Fatal(err)
		}
		first, err := s.Draft(ctx, "Surat pindah é", "Di Disdukcapil.", "", "@ani")
		if err != nil {
			t.Fatal(err)
		}
		gen, err := s.Generation(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for q, want := range map[string]string{
			" surat PINDAH  é ":                 first.Slug,
			"kartu perpustakaan 100%_hilang é?": "kartu-lama",
		} {
			_, err := s.Draft(ctx, q, "Lain.", "", "@budi")
			taken, ok := errors.AsType[*knowledge.QuestionTaken](err)
			if !ok || taken.Entry.Slug != want {
				t.Errorf("%q: %v; want refused for %s", q, err, want)
				continue
			}
			if e, found, err := s.EntryWithQuestion(ctx, q); err != nil || !found || e.Slug != want {
				t.Errorf("EntryWithQuestion(%q) = %q %v %v; want %s", q, e.Slug, found, err, want)
			}
		}
		if taken, _ := errors.AsType[*knowledge.QuestionTaken](func() error {
			_, err := s.Draft(ctx, "kartu perpustakaan 100%_hilang é?", "x", "", "@budi")
			return err
		}()); taken == nil || taken.Entry.Status != knowledge.Draft {
			t.Errorf("the refusal does not name the draft's status: %+v", taken)
		}
		if got, err := s.Generation(ctx); err != nil || got != gen {
			t.Errorf("generation %d after refused drafts, was %d (%v): something was written", got, gen, err)
		}
		for _, q := range []string{"surat pindah é, bagaimana", "surat pindah è", "surat pindah", "kartu perpustakaan 100% hilang é?", "akta kelahiran"} {
			if e, found, err := s.EntryWithQuestion(ctx, q); err != nil || found {
				t.Errorf("EntryWithQuestion(%q) = %q (%v); want nothing", q, e.Slug, err)
			}
			if _, err := s.Draft(ctx, q, "Jawab.", "", "@ani"); err != nil {
				t.Errorf("%q: %v; want a draft", q, err)
			}
		}
		// AddDraft, an officer's own new entry, may not share a question
		// either: it is refused as Save refuses it, naming the entry.
		_, err = s.AddDraft(ctx, knowledge.Entry{Question: "Surat pindah é", Answer: "a"}, "@ani")
		if fe, ok := errors.AsType[*knowledge.FieldError](err); !ok || fe.Field != "question" || !strings.Contains(fe.Msg, `sudah dipakai entri "surat-pindah-e" (draf)`) {
			t.Errorf("AddDraft of a drafted question: %v", err)
		}
	})
}

// TestDraftOnceUnderConcurrency: officers drafting the same question at
// the same moment make one draft; every other attempt is refused naming
// it.
func TestDraftOnceUnderConcurrency(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		s := knowledge.NewStore(db)
		const officers = 8
		start := make(chan struct{})
		var wg sync.WaitGroup
		slugs := make([]string, officers)
		errs := make([]error, officers)
		for i := range officers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				e, err := s.Draft(ctx, "Cara urus akta kelahiran anak?", "Di Disdukcapil.", "", "@petugas"+strconv.Itoa(i))
				slugs[i], errs[i] = e.Slug, err
			}()
		}
		close(start)
		wg.Wait()
		var made []string
		for i, err := range errs {
			if err == nil {
				made = append(made, slugs[i])
			} else if taken, ok := errors.AsType[*knowledge.QuestionTaken](err); !ok || taken.Entry.Slug != "urus-akta-kelahiran-anak" {
				t.Errorf("officer %d: %v; want the one draft named", i, err)
			}
		}
		if len(made) != 1 {
			t.Errorf("drafts made: %v; want exactly one", made)
		}
		if entries, err := s.List(ctx, knowledge.Filter{Text: "akta kelahiran"}); err != nil || len(entries) != 1 {
			t.Errorf("entries: %d, %v; want one", len(entries), err)
		}
	})
}

// TestStatusWord: every surface names a status with the same word.
func TestStatusWord(t *testing.T) {
	for s, want := range map[knowledge.Status]string{knowledge.Draft: "draf", knowledge.Published: "terbit", knowledge.Archived: "arsip", "weird": "weird"} {
		if got := s.Word(); got != want {
			t.Errorf("%q.Word() = %q, want %q", s, got, want)
		}
	}
}

// TestDraftOnceAnAlternate: a draft whose question an entry already has
// as an alternate (case and spacing aside) is refused too, naming that
// entry, its status and that it is an alternate; characters that the
// stored list escapes are no way around it. An entry whose question it
// is comes first.
func TestDraftOnceAnAlternate(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		s := knowledge.NewStore(db)
		alts := []string{`kartu "KIA" <anak> & bayi`, `surat\pindah  keluar`, "izin keramaian 50%_penuh", "É-KTP rusak", "akta lahir"}
		if _, err := s.Save(ctx, knowledge.Entry{Slug: "kartu-anak", Question: "Cara membuat KIA?", Answer: "Di Disdukcapil.",
			Alternates: alts}, "test"); err != nil {
			t.Fatal(err)
		}
		// An old conflict, from before Save refused it.
		if _, err := s.Save(ctx, knowledge.Entry{Slug: "akta-lahir", Question: "Akta", Answer: "Di Disdukcapil.",
			Status: knowledge.Draft}, "test"); err != nil {
			t.Fatal(err)
		}
		plantWordings(t, db, "akta-lahir", "Akta  LAHIR")
		gen, err := s.Generation(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{`KARTU "kia"  <anak> & BAYI`, ` surat\pindah keluar`, "izin keramaian 50%_penuh", "é-ktp RUSAK"} {
			_, err := s.Draft(ctx, q, "Lain.", "", "@budi")
			if taken, ok := errors.AsType[*knowledge.QuestionTaken](err); !ok || taken.Entry.Slug != "kartu-anak" ||
				!taken.Alternate || taken.Entry.Status != knowledge.Published {
				t.Errorf("%q: %v; want refused as an alternate of the published kartu-anak", q, err)
			}
			if taken, err := s.Taken(ctx, q); err != nil || taken == nil || taken.Entry.Slug != "kartu-anak" || !taken.Alternate {
				t.Errorf("Taken(%q) = %+v, %v; want kartu-anak's alternate", q, taken, err)
			}
		}
		// The question of one entry and an alternate of another: the
		// entry whose question it is is named.
		if taken, err := s.Taken(ctx, "akta lahir"); err != nil || taken == nil || taken.Entry.Slug != "akta-lahir" || taken.Alternate {
			t.Errorf("Taken(akta lahir) = %+v, %v; want the draft whose question it is", taken, err)
		}
		if got, err := s.Generation(ctx); err != nil || got != gen {
			t.Errorf("generation %d after refused drafts, was %d (%v): something was written", got, gen, err)
		}
		for _, q := range []string{`kartu "KIA" <anak>`, "surat pindah keluar", "izin keramaian 50% penuh", "è-ktp rusak", "kia"} {
			if taken, err := s.Taken(ctx, q); err != nil || taken != nil {
				t.Errorf("Taken(%q) = %+v, %v; want nothing", q, taken, err)
			}
			if _, err := s.Draft(ctx, q, "Jawab.", "", "@ani"); err != nil {
				t.Errorf("%q: %v; want a draft", q, err)
			}
		}
	})
}

// TestDraftInTheCallersTransaction: DraftIn and AddAlternatesIn write in
// the caller's transaction, reading through it (on SQLite, whose one
// connection the transaction holds, anything else would wait for ever),
// and leave nothing when it rolls back; AddAlternatesIn tells how many
// wordings were new.
func TestDraftInTheCallersTransaction(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		s := knowledge.NewStore(db)
		if _, err := s.Save(ctx, knowledge.Entry{Slug: "ktp-hilang", Category: "kependudukan", Question: "KTP saya hilang",
			Answer: "Lapor ke kelurahan.", Alternates: []string{"kehilangan ktp"}}, "test"); err != nil {
			t.Fatal(err)
		}
		before := written(t, db, s)
		rollback := errors.New("the caller changes its mind")
		err := db.InTx(ctx, func(tx *sqlx.Tx) error {
			e, err := s.DraftIn(ctx, tx, "ktp rusak kena banjir", "Ke Disdukcapil.", "ktp-hilang", "@ani")
			if err != nil || e.Category != "kependudukan" {
				t.Errorf("DraftIn: %+v, %v; want a draft in the category of the entry it is like", e, err)
			}
			if _, err := s.DraftIn(ctx, tx, "KTP  rusak kena banjir", "Lain.", "", "@budi"); !errors.As(err, new(*knowledge.QuestionTaken)) {
				t.Errorf("a second DraftIn in the same transaction: %v; want the first named", err)
			}
			for _, c := range []struct {
				phrases []string
				added   int
			}{{[]string{"KEHILANGAN  ktp", "ktp saya hilang"}, 0}, {[]string{"ktp ilang", "kehilangan ktp", "ktp ilang"}, 1}} {
				if _, added, err := s.AddAlternatesIn(ctx, tx, "ktp-hilang", c.phrases, "@ani"); err != nil || added != c.added {
					t.Errorf("AddAlternatesIn(%q): %d added, %v; want %d", c.phrases, added, err, c.added)
				}
			}
			return rollback
		})
		if !errors.Is(err, rollback) {
			t.Fatal(err)
		}
		if after := written(t, db, s); after != before {
			t.Errorf("a rolled back transaction left rows: %v, then %v", before, after)
		}
		if _, ok, err := s.EntryWithQuestion(ctx, "ktp rusak kena banjir"); ok || err != nil {
			t.Errorf("the rolled back draft is there: %v, %v", ok, err)
		}
	})
}

// TestWordingOfAnotherEntry: a wording that one entry has, as its
// question or an alternate (case and spacing aside), is refused as a new
// alternate of another entry and as any wording of a new draft, naming
// the entry, how it has the wording and its place; nothing is written.
// The entry that has it already may be given it again, which adds
// nothing.
func TestWordingOfAnotherEntry(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		s := knowledge.NewStore(db)
		for _, e := range []knowledge.Entry{
			{Slug: "ktp-hilang", Question: "KTP saya hilang", Answer: "Lapor ke kelurahan.", Alternates: []string{"kehilangan ktp"}},
			{Slug: "kk-baru", Question: "Cara membuat KK baru", Answer: "Di Disdukcapil.", Status: knowledge.Draft},
			{Slug: "ktp-rusak", Question: "ktp rusak", Answer: "Ganti di Disdukcapil.", Alternates: []string{"e-ktp patah"}},
			{Slug: "ktp-ganti", Question: "Ganti KTP", Answer: "Di Disdukcapil."},
		} {
			if _, err := s.Save(ctx, e, "test"); err != nil {
				t.Fatal(err)
			}
		}
		// An old conflict, from before Save refused it: both have "ktp rusak".
		plantWordings(t, db, "ktp-ganti", "Ganti KTP", "KTP  rusak")
		before := written(t, db, s)
		for _, c := range []struct {
			name, phrase, entry string
			alternate           bool
		}{
			{"an alternate of another entry", "KEHILANGAN  ktp", "ktp-hilang", true},
			{"the question of another entry", "ktp SAYA hilang", "ktp-hilang", false},
			{"the question of a draft", "cara membuat kk  baru", "kk-baru", false},
		} {
			_, err := s.AddAlternates(ctx, "ktp-rusak", []string{"ktp retak", "ktp retak", c.phrase}, "@ani")
			we, ok := errors.AsType[*knowledge.WordingError](err)
			if !ok || we.Index != 2 || we.Taken == nil || we.Taken.Entry.Slug != c.entry || we.Taken.Alternate != c.alternate ||
				we.Taken.AlternateOf != "ktp-rusak" || !errors.As(err, new(*knowledge.QuestionTaken)) {
				t.Errorf("AddAlternates, %s: %v; want the third wording refused naming %s", c.name, err, c.entry)
			}
			taken, err := s.AlternateTaken(ctx, "ktp-rusak", c.phrase)
			if err != nil || taken == nil || taken.Entry.Slug != c.entry || taken.Alternate != c.alternate || taken.AlternateOf != "ktp-rusak" {
				t.Errorf("AlternateTaken, %s: %+v, %v; want %s named", c.name, taken, err, c.entry)
			}
			_, err = s.Draft(ctx, "ktp retak kena banjir", "Jawab.", "", "@ani", "ktp retak", c.phrase)
			if we, ok := errors.AsType[*knowledge.WordingError](err); !ok || we.Index != 2 || we.Taken == nil ||
				we.Taken.Entry.Slug != c.entry || we.Taken.AlternateOf != "" {
				t.Errorf("Draft, %s: %v; want its second alternate refused naming %s", c.name, err, c.entry)
			}
		}
		if _, err := s.Draft(ctx, "Kehilangan KTP", "Jawab.", "", "@ani"); !errors.As(err, new(*knowledge.QuestionTaken)) {
			t.Errorf("a draft of an alternate: %v; want refused", err)
		}
		if after := written(t, db, s); after != before {
			t.Errorf("refused wordings wrote: %v, then %v", before, after)
		}
		// An entry given a wording it has adds nothing, even when another
		// entry has it too; a wording nobody has is added.
		for _, slug := range []string{"ktp-rusak", "ktp-ganti"} {
			if taken, err := s.AlternateTaken(ctx, slug, "ktp  RUSAK"); taken != nil || err != nil {
				t.Errorf("AlternateTaken(%s) of its own wording: %+v, %v; want nothing in the way", slug, taken, err)
			}
			if _, added, err := addIn(ctx, db, s, slug, "ktp  RUSAK"); added != 0 || err != nil {
				t.Errorf("%s given its own wording: %d added, %v", slug, added, err)
			}
		}
		if _, err := s.AlternateTaken(ctx, "tidak-ada", "ktp retak"); !errors.Is(err, knowledge.ErrNotFound) {
			t.Errorf("AlternateTaken of no entry: %v", err)
		}
		if e, err := s.AddAlternates(ctx, "ktp-rusak", []string{"ktp retak", "e-ktp PATAH"}, "@ani"); err != nil || len(e.Alternates) != 2 {
			t.Errorf("a new wording: %+v, %v; want it added", e, err)
		}
	})
}

// addIn is AddAlternatesIn of phrase in a transaction of its own.
func addIn(ctx context.Context, db *storage.DB, s *knowledge.Store, slug, phrase string) (e knowledge.Entry, added int, err error) {
	err = db.InTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		e, added, err = s.AddAlternatesIn(ctx, tx, slug, []string{phrase}, "@ani")
		return err
	})
	return e, added, err
}

// plantWordings gives the stored entry slug question and alternates
// behind the store's back, as an entry saved before the store refused a
// wording that another entry has may have them.
func plantWordings(t *testing.T, db *storage.DB, slug, question string, alternates ...string) {
	t.Helper()
	alts, err := json.Marshal(append([]string{}, alternates...))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(context.Background(), db.Rebind(`UPDATE faq_entries SET question = ?, alternates = ? WHERE slug = ?`),
		question, string(alts), slug); err != nil {
		t.Fatal(err)
	}
}

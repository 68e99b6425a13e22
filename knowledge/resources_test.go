package knowledge

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeTemp(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadThesaurus(t *testing.T) {
	// A Latin-1 file, as the LibreOffice thesauri are.
	p := writeTemp(t, "th.dat", "ISO8859-1\nselokan|1\n[n]|got|parit|saluran air\nhidup|2\n[v]|bernyawa\n[ant]|mati\ncaf\xe9|1\n[n]|kedai\n")
	th, err := LoadThesaurus(p)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(th.Synonyms("selokan"), ","); got != "got,parit" {
		t.Errorf("selokan → %q, want the single words got,parit", got)
	}
	if got := th.Synonyms("hidup"); len(got) != 1 || got[0] != "bernyawa" {
		t.Errorf("hidup → %q: antonyms must be left out", got)
	}
	// "café" is read as Latin-1 but, not being a plain Indonesian word,
	// is left out.
	if th.Len() != 2 {
		t.Errorf("%d headwords, want 2", th.Len())
	}
	for name, text := range map[string]string{
		"bad count":   "UTF-8\nselokan|x\n",
		"short":       "UTF-8\nselokan|2\n[n]|got\n",
		"bad charset": "KOI8-R\nselokan|1\n[n]|got\n",
		"empty":       "",
	} {
		if _, err := LoadThesaurus(writeTemp(t, "bad.dat", text)); err == nil || !strings.Contains(err.Error(), "bad.dat") {
			t.Errorf("%s: %v, want an error naming the file", name, err)
		}
	}
}

func TestLoadResourcesRunsWithout(t *testing.T) {
	dict := writeTemp(t, "id.dic", "3\nabad/i0\nparit\npaspor/Dk\n")
	res, err := LoadResources(filepath.Join(t.TempDir(), "missing.dat"), dict)
	if err == nil || !strings.Contains(err.Error(), "without a thesaurus") {
		t.Fatalf("a missing thesaurus: %v", err)
	}
	if res.Thesaurus != nil || !res.Dictionary.Has("paspor") || res.Dictionary.Has("dk") {
		t.Fatalf("resources: %+v", res)
	}
	if s := res.String(); !strings.Contains(s, "thesaurus: none") || !strings.Contains(s, "id.dic (3 words)") {
		t.Errorf("String() = %q", s)
	}
	// The engine works with what it has.
	cfg := DefaultConfig()
	cfg.Resources = res
	ix := NewIndex(cfg)
	ix.Load(testKB, nil)
	if r := ix.Search("ktp sy ilang gmn"); r.Decision != Answer || r.Entry.Slug != "ktp-hilang" {
		t.Errorf("with a dictionary only: %+v", r)
	}
}

// TestThesaurusReachesUnknownWords: a question word the knowledge base
// lacks reaches an entry through its synonym, but a word the knowledge
// base knows is never swapped for a synonym (the thesaurus lists
// "meninggal" under "hilang").
func TestThesaurusReachesUnknownWords(t *testing.T) {
	th, err := LoadThesaurus(writeTemp(t, "th.dat", "UTF-8\nselokan|1\n[n]|got|parit\nhilang|1\n[v]|lenyap|meninggal\n"))
	if err != nil {
		t.Fatal(err)
	}
	kb := []Entry{
		{Slug: "parit-tersumbat", Question: "Bagaimana melaporkan parit yang tersumbat?", Answer: "Lapor ke Dinas PUPR.", Status: Published},
		{Slug: "akta-kematian", Question: "Bagaimana mengurus akta kematian bagi yang meninggal?", Answer: "Ke Disdukcapil.", Status: Published},
		{Slug: "ktp-hilang", Question: "Bagaimana mengganti KTP yang hilang?", Answer: "Ke Disdukcapil.", Status: Published},
	}
	top := func(res Resources, q string) string {
		cfg := DefaultConfig()
		cfg.Resources = res
		ix := NewIndex(cfg)
		ix.Load(kb, nil)
		if c := ix.Search(q).Candidates; len(c) > 0 {
			return c[0].Slug
		}
		return ""
	}
	with := Resources{Thesaurus: th}
	if got := top(with, "selokan tersumbat"); got != "parit-tersumbat" {
		t.Errorf("with the thesaurus, \"selokan tersumbat\" → %q", got)
	}
	if got := top(Resources{}, "selokan mampet"); got == "parit-tersumbat" {
		t.Errorf("without the thesaurus, \"selokan mampet\" reached the entry through nothing")
	}
	if got := top(with, "ktp hilang"); got != "ktp-hilang" {
		t.Errorf("\"ktp hilang\" → %q, want the lost-KTP entry, not a synonym's", got)
	}
}

// TestDictionaryTellsTyposFromUnknownWords: an unknown word the dictionary
// lacks (a typo, slang) weighs little; a real word the knowledge base
// lacks, or an acronym, keeps its full weight against answering.
func TestDictionaryTellsTyposFromUnknownWords(t *testing.T) {
	d, err := LoadDictionary(writeTemp(t, "id.dic", "2\npaspor\nkantor\n"))
	if err != nil {
		t.Fatal(err)
	}
	s := buildSnapshot(testKB, nil, DefaultModel(), Resources{Dictionary: d})
	for word, want := range map[string]bool{"pasporr": true, "paspor": false, "bpkb": false, "npwpd": false, "kantornya": false} {
		if got := s.misspelt(word); got != want {
			t.Errorf("misspelt(%q) = %v, want %v", word, got, want)
		}
	}
	weight := func(res Resources, q string) float64 {
		qts, _ := buildSnapshot(testKB, nil, DefaultModel(), res).queryTerms(q)
		return qts[0].weight
	}
	if typo, none := weight(Resources{Dictionary: d}, "pasporr"), weight(Resources{}, "pasporr"); typo >= none {
		t.Errorf("a typo weighs %.2f with the dictionary, %.2f without", typo, none)
	}
}

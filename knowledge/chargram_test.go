package knowledge

import (
	"math"
	"slices"
	"testing"

	"github.com/tebingtinggi/hub/knowledge/textid"
)

// charKB has near neighbours (two KTP entries) and unrelated entries, so
// that char similarity must tell apart entries that share words.
var charKB = []Entry{
	{Slug: "ktp-baru", Question: "Bagaimana cara membuat KTP-el untuk pertama kali?",
		Alternates: []string{"Syarat perekaman KTP elektronik bagi pemula"}, Tags: []string{"perekaman"}},
	{Slug: "ktp-rusak", Question: "Bagaimana cara mengganti KTP-el yang rusak?",
		Alternates: []string{"KTP saya patah, bagaimana menggantinya?", "Chip KTP elektronik tidak terbaca"}, Tags: []string{"cetak ulang"}},
	{Slug: "jadwal-sampah", Question: "Kapan jadwal pengangkutan sampah di lingkungan saya?", Tags: []string{"truk sampah"}},
	{Slug: "izin-usaha", Question: "Apa syarat mengurus izin usaha mikro?", Tags: []string{"NIB", "usaha kecil"}},
	{Slug: "bayar-pbb", Question: "Di mana membayar Pajak Bumi dan Bangunan?", Tags: []string{"SPPT"}},
}

// charOf runs charEvidence on the named entries, in that order, and
// returns their evidence by slug.
func charOf(t *testing.T, s *snapshot, query string, slugs ...string) map[string]scored {
	t.Helper()
	var ranked []scored
	for _, slug := range slugs {
		d := docIndex(s, slug)
		if d < 0 {
			t.Fatalf("no entry %s", slug)
		}
		ranked = append(ranked, scored{doc: d})
	}
	s.charEvidence(textid.Tokens(query), ranked)
	out := make(map[string]scored)
	for _, r := range ranked {
		out[s.docs[r.doc].entry.Slug] = r
	}
	return out
}

// TestCharSimilarityPrefersItsEntry: a question with typos, clipped or
// slang words shares more three-letter pieces with the entry it
// means than with a neighbour that shares its other words, and leads it.
func TestCharSimilarityPrefersItsEntry(t *testing.T) {
	s := buildSnapshot(charKB, nil, DefaultModel(), Resources{})
	cases := []struct {
		q, want, other string
	}{
		{"perekamn ktp elektronik dmn", "ktp-baru", "ktp-rusak"},
		{"ktp sy patahh gmn gantinya", "ktp-rusak", "ktp-baru"},
		{"jadwl pengangkutn sampa", "jadwal-sampah", "izin-usaha"},
		{"syarat ngurus ijin usaha mikro", "izin-usaha", "ktp-baru"},
	}
	for _, c := range cases {
		ev := charOf(t, s, c.q, c.other, c.want)
		w, o := ev[c.want], ev[c.other]
		if w.char <= o.char || w.char < 0.3 {
			t.Errorf("%q: char %s %.3f, %s %.3f; want %s clearly higher", c.q, c.want, w.char, c.other, o.char, c.want)
		}
		if w.charLead <= 0 || o.charLead != o.char-w.char {
			t.Errorf("%q: lead %s %.3f, %s %.3f", c.q, c.want, w.charLead, c.other, o.charLead)
		}
	}
}

// TestCharCover: the cover is the share of the question's grams an entry
// has in its phrasings or tags, and only there.
func TestCharCover(t *testing.T) {
	s := buildSnapshot(charKB, nil, DefaultModel(), Resources{})
	cases := []struct {
		q, slug  string
		min, max float64
	}{
		{"jadwal sampah", "jadwal-sampah", 1, 1},
		{"jadwal sampah", "bayar-pbb", 0, 0.2},
		// Only in the tags: the cover sees it, the similarity with the
		// phrasings does not.
		{"sppt", "bayar-pbb", 1, 1},
		{"ktp", "jadwal-sampah", 0, 0},
	}
	for _, c := range cases {
		got := charOf(t, s, c.q, c.slug)[c.slug]
		if got.charCover < c.min || got.charCover > c.max {
			t.Errorf("%q in %s: cover %.3f, want %.2f–%.2f", c.q, c.slug, got.charCover, c.min, c.max)
		}
	}
	if ev := charOf(t, s, "sppt", "bayar-pbb")["bayar-pbb"]; ev.char != 0 {
		t.Errorf("sppt: char %.3f with phrasings that lack it", ev.char)
	}
	// A question worded as an alternate is that phrasing exactly.
	if ev := charOf(t, s, "ktp saya patah, bagaimana menggantinya", "ktp-rusak")["ktp-rusak"]; math.Abs(ev.char-1) > 1e-6 || ev.charCover != 1 {
		t.Errorf("an alternate's own words: char %.6f, cover %.3f; want 1, 1", ev.char, ev.charCover)
	}
}

// TestCharEvidenceWithoutGrams: a question of stopwords only has no grams,
// and gets no char evidence rather than NaN.
func TestCharEvidenceWithoutGrams(t *testing.T) {
	s := buildSnapshot(charKB, nil, DefaultModel(), Resources{})
	for _, ev := range charOf(t, s, "yang dan di", "ktp-baru", "bayar-pbb") {
		if ev.char != 0 || ev.charCover != 0 || ev.charLead != 0 || math.IsNaN(ev.charCover) {
			t.Fatalf("stopwords only: %+v", ev)
		}
	}
	if empty := buildSnapshot(nil, nil, DefaultModel(), Resources{}); len(empty.chars.weights) != 0 {
		t.Fatalf("empty index has %d grams", len(empty.chars.weights))
	}
}

func TestCharGrams(t *testing.T) {
	grams := func(text string) []uint32 { return charGrams(textid.Tokens(text)) }
	g := grams("KTP")
	want := []uint32{gramHash([]byte(" kt")), gramHash([]byte("ktp")), gramHash([]byte("tp "))}
	slices.Sort(want)
	if !slices.Equal(g, want) {
		t.Fatalf("charGrams(KTP) = %v, want %v", g, want)
	}
	if g := grams("ktp ktp yang"); !slices.Equal(g, want) {
		t.Fatalf("repeated word and stopword: %v, want %v", g, want)
	}
	if g := grams("yang dan"); len(g) != 0 {
		t.Fatalf("stopwords gave grams %v", g)
	}
}

// TestCharFeaturesAnswerOnly: the fitted candidates model gives the char
// features no weight, while the answer model uses them.
func TestCharFeaturesAnswerOnly(t *testing.T) {
	m := Fit(testCorpora(), DefaultConfig())
	used := false
	for _, name := range answerOnlyFeatures {
		i := slices.Index(featureNames, name)
		if i < 0 {
			t.Fatalf("%s is not a feature", name)
		}
		if m.Candidates[i+1] != 0 {
			t.Errorf("candidates weight of %s is %v", name, m.Candidates[i+1])
		}
		used = used || m.Answer[i+1] != 0
	}
	if !used {
		t.Error("the answer model gives no char feature a weight")
	}
}

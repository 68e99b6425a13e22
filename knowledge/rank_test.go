package knowledge

import (
	"slices"
	"testing"
)

// TestAdjacentWordsRankFirst: of two entries that both have "surat" and
// "pindah", the one where they stand together is meant by "surat pindah",
// although by single words the shorter other entry scores higher.
func TestAdjacentWordsRankFirst(t *testing.T) {
	entries := []Entry{
		{Slug: "keterangan", Question: "Surat keterangan pindah", Answer: "Datang ke kelurahan."},
		{Slug: "pindah-keluar", Question: "Bagaimana cara mengurus surat pindah penduduk ke luar kota?",
			Answer: "Minta pengantar kelurahan lalu ke Disdukcapil."},
		{Slug: "jauh", Question: "Pelayanan kantor kelurahan", Answer: "Bawa surat pengantar bila akan pindah."},
	}
	s := buildSnapshot(entries, nil, DefaultModel(), Resources{})
	ranked := s.rank("surat pindah")
	if len(ranked) < 2 || s.docs[ranked[0].doc].entry.Slug != "pindah-keluar" {
		t.Fatalf("first is %s; want pindah-keluar", s.docs[ranked[0].doc].entry.Slug)
	}
	// Without the bonus for the pair, the shorter entry would lead.
	bonus := make([]scored, len(ranked))
	for i, r := range ranked {
		bonus[i] = scored{doc: r.doc}
	}
	s.bigramBonus("surat pindah", bonus)
	byDoc := func(slug string) (score, extra float64) {
		for i, r := range ranked {
			if s.docs[r.doc].entry.Slug == slug {
				return r.score, bonus[i].score
			}
		}
		t.Fatalf("%s not ranked", slug)
		return 0, 0
	}
	top, topBonus := byDoc("pindah-keluar")
	other, otherBonus := byDoc("keterangan")
	if topBonus <= 0 || otherBonus != 0 || top-topBonus >= other {
		t.Fatalf("pindah-keluar %.3f (bonus %.3f), keterangan %.3f (bonus %.3f): the pair should decide", top, topBonus, other, otherBonus)
	}
	// Words apart in an entry earn nothing; a pair that stands together
	// only in its answer text earns half.
	if _, b := byDoc("jauh"); b != 0 {
		t.Fatalf("jauh got %.3f for words that stand apart", b)
	}
	half := []scored{{doc: docIndex(s, "jauh")}, {doc: docIndex(s, "pindah-keluar")}}
	s.bigramBonus("surat pengantar", half)
	surat, ok1 := s.terms["surat"]
	antar, ok2 := s.terms["antar"]
	if !ok1 || !ok2 {
		t.Fatalf("terms: %v", s.terms)
	}
	want := bigramWeight * bigramAnswer * float64(min(s.idf[surat], s.idf[antar]))
	if half[0].score != want || half[1].score != 0 {
		t.Fatalf("surat pengantar: jauh %.3f (want %.3f), pindah-keluar %.3f (want 0)", half[0].score, want, half[1].score)
	}
}

func docIndex(s *snapshot, slug string) int32 {
	return int32(slices.IndexFunc(s.docs, func(d doc) bool { return d.entry.Slug == slug }))
}

package knowledge

import (
	"os"
	"path/filepath"
	"testing"
)

// A clarification never offers an entry about something else than the
// document the question names, only because it shares another word
// ("rusak" of a damaged road for a damaged KTP): with nothing else meant,
// it asks about the one entry.
func TestClarificationOffersOnlyTheNamedDocument(t *testing.T) {
	f, err := os.Open(filepath.Join("starter", "starter.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	entries, err := ParseJSON(f, "starter.json")
	if err != nil {
		t.Fatal(err)
	}
	ix := NewIndex(DefaultConfig())
	ix.Load(entries, nil)
	const q = "ktp sy rusak kena air"
	res := ix.Search(q)
	if res.Decision != Clarify {
		t.Fatalf("%q: decision %s, this test needs a clarification: pick another question", q, res.Decision)
	}
	if len(res.Candidates) != 1 || res.Candidates[0].Slug != "ktp-rusak" {
		t.Fatalf("%q offers %+v, want ktp-rusak alone", q, res.Candidates)
	}
	// The rank itself is unchanged: an officer still sees the others.
	var ranked []string
	for _, r := range ix.snap.Load().rank(q)[:2] {
		ranked = append(ranked, ix.snap.Load().docs[r.doc].entry.Slug)
	}
	if ranked[0] != "ktp-rusak" || ranked[1] == "ktp-rusak" {
		t.Fatalf("ranked %v", ranked)
	}
}

func TestMeantKeepsCandidatesNamingAsMuch(t *testing.T) {
	cands := []Candidate{{Slug: "a"}, {Slug: "b"}, {Slug: "c"}, {Slug: "d"}}
	for _, tc := range []struct {
		name  string
		offer []scored
		want  string
	}{
		{"all agree, third strong enough", []scored{{score: 10, agree: 1}, {score: 9, agree: 1}, {score: 6, agree: 1}, {score: 4, agree: 1}}, "abc"},
		{"second always kept when it agrees", []scored{{score: 10}, {score: 1}, {score: 1}, {score: 1}}, "ab"},
		{"second names less", []scored{{score: 10, agree: 1}, {score: 9}, {score: 8, agree: 1}, {score: 7}}, "ac"},
		{"none names as much", []scored{{score: 10, agree: 2}, {score: 9, agree: 1}, {score: 8, agree: 1}, {score: 7}}, "a"},
	} {
		var got string
		for _, c := range meant(cands[:len(tc.offer)], tc.offer) {
			got += c.Slug
		}
		if got != tc.want {
			t.Errorf("%s: kept %q, want %q", tc.name, got, tc.want)
		}
		if s := cands[0].Slug + cands[1].Slug + cands[2].Slug + cands[3].Slug; s != "abcd" {
			t.Fatalf("%s: meant changed the candidates it was given to %q", tc.name, s)
		}
	}
}

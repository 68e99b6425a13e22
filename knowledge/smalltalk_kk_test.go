package knowledge

import "testing"

// A bare "KK" names the family card as often as it addresses someone
// ("kk" for "kakak"): it is a question, not small talk. Other bare forms
// of address call for attention.
func TestBareKKIsNoSmallTalk(t *testing.T) {
	for _, q := range []string{"kk", "KK", "kk?", "KK min"} {
		if k := SmallTalk(q); k != "" {
			t.Errorf("SmallTalk(%q) = %s, want none: KK is the family card", q, k)
		}
	}
	for _, q := range []string{"kak", "bang?", "min", "makasih kk", "pagi kk"} {
		if k := SmallTalk(q); k == "" {
			t.Errorf("SmallTalk(%q) is none, want small talk", q)
		}
	}
}

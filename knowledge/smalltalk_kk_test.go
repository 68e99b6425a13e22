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

// "Sama-sama", the answer to a thanks, is an acknowledgement in its
// spellings; one "sama" is no small talk of its own.
func TestYoureWelcomeIsSmallTalk(t *testing.T) {
	for _, q := range []string{"sama sama", "sama-sama", "sm sm", "sama2", "sama sama min", "iya sama-sama kak"} {
		if k := SmallTalk(q); k == "" {
			t.Errorf("SmallTalk(%q) is none, want an acknowledgement", q)
		}
	}
	for _, q := range []string{"sama", "sm", "sama siapa urus ktp di sini"} {
		if k := SmallTalk(q); k == Ack {
			t.Errorf("SmallTalk(%q) = %s, want no acknowledgement", q, k)
		}
	}
}

// A bare "?" or "..." asks whether anyone is there: the bot invites a
// question, as for a greeting, rather than declining it as off-topic.
func TestBareQuestionMarkIsANudge(t *testing.T) {
	for _, q := range []string{"?", "??", " ??? ", "...", "?!", "…"} {
		if k := SmallTalk(q); k != Greeting {
			t.Errorf("SmallTalk(%q) = %q, want a greeting", q, k)
		}
	}
	for _, q := range []string{"", "-", "ktp?", "😡"} {
		if k := SmallTalk(q); k == Greeting {
			t.Errorf("SmallTalk(%q) is a greeting", q)
		}
	}
}

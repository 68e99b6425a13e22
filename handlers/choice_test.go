package handlers_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/inbox"
	"github.com/tebingtinggi/hub/knowledge"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

// clarified has user ask q, which the engine clarifies, and returns the
// buttons offered (the last is "Bukan semuanya").
func (h *humanChat) clarified(user, q string) []bots.Button {
	h.t.Helper()
	if res := h.index.Search(q); res.Decision != knowledge.Clarify || len(res.Candidates) < 2 {
		h.t.Fatalf("the engine does not clarify %q (%s): pick another question", q, res.Decision)
	}
	out := h.say(user, q)
	var bs []bots.Button
	for _, row := range out.Buttons {
		bs = append(bs, row...)
	}
	if !strings.Contains(out.Text, "Maksud Anda") || len(bs) < 3 {
		h.t.Fatalf("%q: %q %v, want a clarification", q, out.Text, out.Buttons)
	}
	return bs
}

// TestTypedChoice: a citizen who types their choice from a "Maksud Anda"
// list instead of pressing its button ("2", "yang kedua", "bukan
// semua") gets what the button gives: the answer they chose, or their
// question handed to an officer. The choice is no new question: it opens
// no ticket named "yang kedua".
func TestTypedChoice(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newHumanChat(t, db)
		const q = "akta"
		for i, tc := range []struct {
			text string
			pick int // 1-based; 0: none of them
		}{
			{"2", 2},
			{"1", 1},
			{"nomor 2", 2},
			{"no. 1 min", 1},
			{"yang kedua", 2},
			{"yg pertama aja kak", 1},
			// Forms of address knowledge knows, Medan's among them.
			{"yang kedua lae", 2},
			{"nomor 1 bos", 1},
			{"yg kedua ito", 2},
			{"ke-2", 2},
			{"bukan semua", 0},
			{"ga ada yang cocok", 0},
			{"bukan", 0},
		} {
			user := fmt.Sprint("pick", i)
			bs := h.clarified(user, q)
			out := h.say(user, tc.text)
			if tc.pick == 0 {
				ts := h.tickets(user)
				if len(ts) != 1 || ts[0].Subject != q || ts[0].Reason != inbox.NoMatch || ticketNumber(t, out) != ts[0].ID {
					t.Errorf("%q after the list: %q, tickets %+v, want %q handed over", tc.text, out.Text, ts, q)
				}
				continue
			}
			want := h.press(user+"-pressed", bs[tc.pick-1].Data)
			if out.Text != want.Text || len(h.tickets(user)) != 0 {
				t.Errorf("%q after the list: %.60q, want the answer of %q, no ticket", tc.text, out.Text, bs[tc.pick-1].Text)
			}
		}

		// The number of the "Bukan semuanya" button is none of them; a
		// number beyond it is a message like any other.
		bs := h.clarified("last", q)
		if out := h.say("last", fmt.Sprint(len(bs))); !strings.Contains(out.Text, "tiket #") {
			t.Errorf("%d, the place of \"Bukan semuanya\": %q", len(bs), out.Text)
		}
		if ts := h.tickets("last"); len(ts) != 1 || ts[0].Subject != q {
			t.Errorf("%d, the place of \"Bukan semuanya\": tickets %+v", len(bs), ts)
		}

		// Only the message right after the list chooses: a question in
		// between, a button pressed, or an hour gone, and "2" is no
		// choice.
		for _, tc := range []struct {
			user   string
			before func(user string, bs []bots.Button)
		}{
			{"q", func(user string, _ []bots.Button) { h.say(user, "syarat bikin kk baru") }},
			{"b", func(user string, bs []bots.Button) { h.press(user, bs[0].Data) }},
			{"t", func(string, []bots.Button) { h.clock.add(time.Hour + time.Minute) }},
		} {
			bs := h.clarified(tc.user, q)
			tc.before(tc.user, bs)
			if out := h.say(tc.user, "2"); out.Text == h.press(tc.user+"-pressed", bs[1].Data).Text {
				t.Errorf("%s: \"2\" chose from a list no longer current", tc.user)
			}
		}
	})
}

// Asked about one entry ("Apakah ini yang Anda maksud?"), a typed yes
// gets its answer and a typed no hands the question over, as the two
// buttons do.
func TestTypedYesOrNo(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newHumanChat(t, db)
		const q = "ktp sy rusak kena air"
		if res := h.index.Search(q); res.Decision != knowledge.Clarify || len(res.Candidates) != 1 {
			t.Fatalf("the engine does not ask about one entry for %q (%s, %d)", q, res.Decision, len(res.Candidates))
		}
		for i, tc := range []struct {
			text string
			yes  bool
		}{
			{"iya", true},
			{"ya betul", true},
			{"iya min itu", true},
			{"oke", true},
			{"bukan", false},
			{"gak", false},
			{"bkn itu", false},
		} {
			user := fmt.Sprint("yn", i)
			out := h.say(user, q)
			if out.Text != "Apakah ini yang Anda maksud?" || len(out.Buttons) != 2 {
				t.Fatalf("%q: %q %v, want a yes-or-no clarification", q, out.Text, out.Buttons)
			}
			button := out.Buttons[0][0]
			out = h.say(user, tc.text)
			if !tc.yes {
				if ts := h.tickets(user); len(ts) != 1 || ts[0].Subject != q || ticketNumber(t, out) != ts[0].ID {
					t.Errorf("%q: %q, tickets %+v, want %q handed over", tc.text, out.Text, ts, q)
				}
				continue
			}
			if want := h.press(user+"-pressed", button.Data); out.Text != want.Text || len(h.tickets(user)) != 0 {
				t.Errorf("%q: %.60q, want the answer of %q, no ticket", tc.text, out.Text, button.Text)
			}
		}
		// With two or more candidates, "iya" chooses none of them.
		h.clarified("many", "akta")
		if out := h.say("many", "iya"); strings.Contains(out.Text, "tiket #") {
			t.Errorf("\"iya\" after a list of several: %q", out.Text)
		}
	})
}

// TestTypedFeedback: what a citizen types right after an answer instead
// of pressing its buttons is taken as the buttons: "belum terjawab",
// "kurang jelas" or "bukan itu maksud saya" hands the question to an
// officer, as "Belum 👎" does, rather than being searched (and met with a
// choice of unrelated services); "sudah terjawab" thanks them. Only the
// message right after the answer counts.
func TestTypedFeedback(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newHumanChat(t, db)
		q := h.answered()
		for i, no := range []string{"belum terjawab", "Belum 👎", "kurang jelas min", "bukan itu maksud saya", "masih belum jelas", "jawabannya tidak sesuai", "belum terjawab lae",
			"tidak membantu sama sekali", "ga membantu sm skali bang"} {
			user := fmt.Sprint("no", i)
			h.say(user, q)
			out := h.say(user, no)
			ts := h.tickets(user)
			if len(ts) != 1 || ts[0].Subject != q || ts[0].Reason != inbox.UnhelpfulAnswer || ticketNumber(t, out) != ts[0].ID {
				t.Errorf("%q after an answer: %q, tickets %+v; want %q handed over as unhelpfully answered", no, out.Text, ts, q)
			}
		}
		for i, yes := range []string{"sudah terjawab", "jelas, sangat membantu", "mantap bg", "udh"} {
			user := fmt.Sprint("yes", i)
			h.say(user, q)
			if out := h.say(user, yes); !strings.Contains(out.Text, "Terima kasih atas tanggapan") || len(h.tickets(user)) != 0 {
				t.Errorf("%q after an answer: %q, tickets %+v; want thanks", yes, out.Text, h.tickets(user))
			}
			// Resolved: a request for a person asks for a new question.
			if out := h.say(user, "mau bicara sama petugas"); !isPrompt(out) {
				t.Errorf("a request for a person after %q: %q, want the question asked for", yes, out.Text)
			}
		}
		// Pressed first, or with a message in between: no feedback.
		h.say("pressed", q)
		h.press("pressed", "fb:up:"+h.index.Search(q).Entry.Slug)
		h.say("between", q)
		h.say("between", "makasih")
		for _, user := range []string{"pressed", "between"} {
			if out := h.say(user, "belum terjawab"); strings.Contains(out.Text, "tiket #") && h.tickets(user)[0].Reason == inbox.UnhelpfulAnswer {
				t.Errorf("%s: \"belum terjawab\" handed the answered question over: %q", user, out.Text)
			}
		}
	})
}

// TestTypedThumbsAfterAnAnswer: a thumb typed right after an answer is
// its button: "👎" hands the answered question over, as "Belum 👎" does,
// rather than being declined as off-topic (whose officer button then
// opened a ticket about "👎"); "👍" thanks, as "Terjawab 👍" does.
func TestTypedThumbsAfterAnAnswer(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newHumanChat(t, db)
		q := h.answered()
		for i, no := range []string{"👎", "👎🏽", "👎 👎"} {
			user := fmt.Sprint("down", i)
			h.say(user, q)
			out := h.say(user, no)
			if ts := h.tickets(user); len(ts) != 1 || ts[0].Subject != q || ts[0].Reason != inbox.UnhelpfulAnswer || ticketNumber(t, out) != ts[0].ID {
				t.Errorf("%q after an answer: %q, tickets %+v; want %q handed over as unhelpfully answered", no, out.Text, ts, q)
			}
		}
		for i, yes := range []string{"👍", "👍🏻", "👍\uFE0F"} {
			user := fmt.Sprint("up", i)
			h.say(user, q)
			if out := h.say(user, yes); !strings.Contains(out.Text, "Terima kasih atas tanggapan") || len(h.tickets(user)) != 0 {
				t.Errorf("%q after an answer: %q, tickets %+v; want thanks", yes, out.Text, h.tickets(user))
			}
		}
		// Both thumbs, or a thumb with no answer before it, say nothing
		// of an answer.
		h.say("both", q)
		if out := h.say("both", "👍👎"); strings.Contains(out.Text, "tiket #") || strings.Contains(out.Text, "Terima kasih atas tanggapan") {
			t.Errorf("\"👍👎\" after an answer: %q", out.Text)
		}
		if out := h.say("none", "👎"); strings.Contains(out.Text, "tiket #") || strings.Contains(out.Text, "Terima kasih atas tanggapan") {
			t.Errorf("\"👎\" without an answer: %q", out.Text)
		}
	})
}

// TestChoiceByWords: a citizen may also name their choice by its words
// ("yang meninggal", "kelahiran anak"): the one candidate whose question,
// alternates or tags hold them is answered. Words that several
// candidates hold choose none: the text is then a message like any other.
func TestChoiceByWords(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newHumanChat(t, db)
		// Replies the engine alone does not answer with the candidate
		// named, and one it does.
		for i, tc := range []struct{ q, text, slug string }{
			{"akta", "yg nikah min", "akta-perkawinan"},
			{"akta", "yang bayi", "akta-kelahiran"},
			{"ktp", "yang baru", "ktp-baru"},
			{"akta", "yang meninggal", "akta-kematian"},
			{"akta", "yang nikah wak", "akta-perkawinan"},
		} {
			user := fmt.Sprint("word", i)
			bs := h.clarified(user, tc.q)
			i := slices.IndexFunc(bs, func(b bots.Button) bool { return b.Data == "c:"+tc.slug })
			if i < 0 {
				t.Fatalf("%q offers no %s: %v", tc.q, tc.slug, bs)
			}
			want := h.press(user+"-pressed", bs[i].Data)
			if out := h.say(user, tc.text); out.Text != want.Text || len(h.tickets(user)) != 0 {
				t.Errorf("%q after the list: %.60q, want the answer of %s, no ticket", tc.text, out.Text, tc.slug)
			}
		}
		h.clarified("all", "akta")
		if out := h.say("all", "akta"); !strings.Contains(out.Text, "Maksud Anda") {
			t.Errorf("a word of every candidate chose one: %.60q", out.Text)
		}
	})
}

// TestDeclineAcceptedByTyping: a polite decline offers an officer; "iya"
// typed right after it accepts as "Tanya petugas" does, handing the
// declined question over, instead of a "Baik!" that leaves the citizen
// believing it went. "Ok" (understood), or "iya" later, hands nothing
// over.
func TestDeclineAcceptedByTyping(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newHumanChat(t, db)
		const q = "siapa juara liga inggris musim ini bang"
		if res := h.index.Search(q); res.Decision != knowledge.Decline {
			t.Fatalf("the engine does not decline %q (%s): pick another question", q, res.Decision)
		}
		for i, yes := range []string{"iya", "boleh min", "ya mau dong", "boleh lae"} {
			user := fmt.Sprint("yes", i)
			h.say(user, q)
			out := h.say(user, yes)
			ts := h.tickets(user)
			if len(ts) != 1 || ts[0].Subject != q || ts[0].Reason != inbox.AskedHuman || ticketNumber(t, out) != ts[0].ID {
				t.Errorf("%q after a decline: %q, tickets %+v; want the question handed over", yes, out.Text, ts)
			}
		}
		h.say("ok", q)
		h.say("ok", "ok")
		h.say("later", q)
		h.say("later", "makasih")
		h.say("later", "iya")
		h.say("pressed", q)
		h.press("pressed", "h:")
		h.say("pressed", "iya")
		for user, want := range map[string]int{"ok": 0, "later": 0, "pressed": 1} {
			if ts := h.tickets(user); len(ts) != want {
				t.Errorf("%s: tickets %+v, want %d", user, ts, want)
			}
		}
	})
}

// TestStalePressHandsOverItsOwnQuestion: a button pressed under an
// earlier reply, after the citizen asked something else, hands over the
// question that reply was for, not the newest message: "Belum 👎" and
// "Tanya petugas" under an answer, "Bukan semuanya" under a
// clarification, "Tanya petugas" under a decline. A "Bukan semuanya"
// from before it named its clarification hands over the newest one.
func TestStalePressHandsOverItsOwnQuestion(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newHumanChat(t, db)
		answered := h.answered()
		const declined = "siapa pemenang piala dunia 2022"
		if d := h.index.Search(declined).Decision; d != knowledge.Decline {
			t.Fatalf("the engine decides %s for %q; this test needs a decline", d, declined)
		}
		slug := h.index.Search(answered).Entry.Slug
		for _, tc := range []struct {
			user, first, then string
			press             func(first bots.Outgoing) string
		}{
			{"not-helpful", answered, declined, func(bots.Outgoing) string { return "fb:dn:" + slug }},
			{"ask-officer", answered, declined, func(bots.Outgoing) string { return "h:" + slug }},
			{"none", "akta", answered, func(first bots.Outgoing) string {
				last := first.Buttons[len(first.Buttons)-1]
				return last[0].Data
			}},
			{"none-unnamed", "akta", answered, func(bots.Outgoing) string { return "cn" }},
			{"decline", declined, answered, func(bots.Outgoing) string { return "h:" }},
		} {
			first := h.say(tc.user, tc.first)
			h.say(tc.user, tc.then)
			out := h.press(tc.user, tc.press(first))
			if ts := h.tickets(tc.user); len(ts) != 1 || ts[0].Subject != tc.first || ticketNumber(t, out) != ts[0].ID {
				t.Errorf("%s: %q, tickets %+v; want %q handed over", tc.user, out.Text, ts, tc.first)
			}
		}
	})
}

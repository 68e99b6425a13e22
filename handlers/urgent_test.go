package handlers_test

import (
	"context"
	"strings"
	"testing"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/inbox"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

// TestEmergencyGoesToAnOfficerWithTheEmergencyNumber: a parent whose child
// is missing is not offered "KTP hilang"; they are told the emergency
// number and their message reaches an officer. An emergency the knowledge
// base answers (the fire brigade's entry) is answered from it.
func TestEmergencyGoesToAnOfficerWithTheEmergencyNumber(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		store, ix, in, _, m := starterCitizen(t, db)
		say := func(user, text string) bots.Outgoing {
			t.Helper()
			outs, err := handleInTx(db, m, bots.Incoming{Platform: bots.Telegram, Kind: bots.Text, Text: text,
				ChatID: user, ChatType: bots.Private, UserID: user, Addressed: true})
			if err != nil || len(outs) != 1 {
				t.Fatalf("%q: %v %v", text, outs, err)
			}
			return outs[0]
		}
		if r := ix.Search("anak sy hilang sejak tadi pagi"); r.Decision == "answer" {
			t.Fatalf("the starter knowledge base answers a missing child with %s", r.Entry.Slug)
		}
		out := say("71", "anak sy hilang sejak tadi pagi")
		if !strings.Contains(out.Text, "112") || !strings.Contains(out.Text, "tiket #") || len(out.Buttons) != 0 {
			t.Errorf("a missing child: %q %v; want the emergency number and a ticket, no choices", out.Text, out.Buttons)
		}
		res, err := in.List(context.Background(), inbox.Filter{})
		if err != nil || res.Total != 1 {
			t.Fatalf("tickets %d, %v; want the emergency handed over", res.Total, err)
		}
		fire, err := store.Get(context.Background(), "kebakaran")
		if err != nil {
			t.Fatal(err)
		}
		if r := ix.Search(fire.Question); r.Decision != "answer" {
			t.Fatalf("the fire entry's own question is not answered: %s", r.Decision)
		}
		if out := say("72", fire.Question); out.Text != fire.Answer {
			t.Errorf("a fire, which an entry answers, got %q", out.Text)
		}
		// A fire reported without a plea, outside the knowledge base's
		// own wording: the emergency number before the officer.
		if out := say("74", "ada kebakaran di jalan sudirman"); !strings.Contains(out.Text, "112") {
			t.Errorf("a fire reported: %q, want the emergency number", out.Text)
		}
		if out := say("73", "akta anak saya hilang, cemana urusnya"); strings.Contains(out.Text, "112") {
			t.Errorf("a lost document is taken for an emergency: %q", out.Text)
		}
	})
}

// TestDocumentDamagedInAFloodIsNoEmergency: a citizen asking how to
// replace a document damaged in a past flood, "sekarang" and all, is not
// in an emergency: no emergency number.
func TestDocumentDamagedInAFloodIsNoEmergency(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newHumanChat(t, db)
		for i, q := range []string{
			"kk saya rusak kena banjir, sekarang bagaimana urusnya?",
			"ktp rusak kena banjir bulan lalu, sekarang syaratnya apa",
		} {
			res := h.index.Search(q)
			if out := h.say(string(rune('a'+i))+"-flood", q); strings.Contains(out.Text, "112") {
				t.Errorf("%q (engine: %s): %q", q, res.Decision, out.Text)
			}
		}
	})
}

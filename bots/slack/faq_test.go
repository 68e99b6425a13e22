package slack_test

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	hubslack "github.com/tebingtinggi/hub/bots/slack"
	"github.com/tebingtinggi/hub/knowledge"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

// command sends /faq text as user.
func (h *hub) command(user, name, text string) {
	h.seq++
	form := url.Values{"command": {"/faq"}, "text": {text}, "user_id": {user}, "user_name": {name},
		"channel_id": {"CWORK"}, "trigger_id": {"cmd-" + time.Now().Format("150405.000000") + name + text}}
	h.post(hubslack.PathCommands, form.Encode())
}

func TestFAQCommands(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	h := newHub(t, db)
	ctx := context.Background()

	// Searching is for everyone, and only the asker sees the result.
	h.command("U9", "tamu", "cari ktp saya hilang gimana")
	h.ephemeralTo("U9", "ktp-hilang")
	// Changing is for officers only.
	h.command("U9", "tamu", "ubah ktp-hilang")
	h.ephemeralTo("U9", "hanya petugas")
	h.command("U9", "tamu", "arsip ktp-hilang")
	if e, _ := h.store.Get(ctx, "ktp-hilang"); e.Status != knowledge.Published {
		t.Fatalf("a non-officer archived an entry: %s", e.Status)
	}

	h.command("U1", "ani", "ubah tidak-ada")
	h.ephemeralTo("U1", `FAQ "tidak-ada" tidak ditemukan`)
	h.command("U1", "ani", "arsip ktp-hilang")
	h.ephemeralTo("U1", "ktp-hilang sekarang berstatus arsip")
	e, err := h.store.Get(ctx, "ktp-hilang")
	if err != nil || e.Status != knowledge.Archived || e.UpdatedBy != "@ani" {
		t.Fatalf("after /faq arsip: %+v, %v", e, err)
	}
	revs, err := h.store.Revisions(ctx, "ktp-hilang")
	if err != nil || len(revs) < 2 || revs[0].Author != "@ani" { // newest first
		t.Errorf("the change is no revision by the Slack user: %d revisions, %v", len(revs), err)
	}
	// Its question, free while it is archived, is taken by a new entry:
	// publishing it again is refused, naming that entry.
	if _, err := h.store.Save(ctx, knowledge.Entry{Slug: "ktp-hilang-baru", Question: "  " + strings.ToUpper(e.Question),
		Answer: "Lapor ke kelurahan."}, "test"); err != nil {
		t.Fatalf("an archived entry's question in a new entry: %v", err)
	}
	h.command("U1", "ani", "terbit ktp-hilang")
	h.ephemeralTo("U1", `FAQ ktp-hilang tidak dijadikan terbit (kolom Pertanyaan): Pertanyaan ini sudah dipakai entri "ktp-hilang-baru" (terbit) sebagai pertanyaannya`)
	if got, err := h.store.Get(ctx, "ktp-hilang"); err != nil || got.Status != knowledge.Archived || got.Version != e.Version {
		t.Fatalf("a refused /faq terbit changed the entry: %+v, %v", got, err)
	}
	if _, err := h.store.SetStatus(ctx, "ktp-hilang-baru", knowledge.Archived, "test"); err != nil {
		t.Fatal(err)
	}
	h.command("U1", "ani", "terbit ktp-hilang")
	h.ephemeralTo("U1", "ktp-hilang sekarang berstatus terbit")

	h.command("U2", "budi", "sinonim kartu keluarga = kk, kartu kk")
	h.ephemeralTo("U2", "Sinonim tersimpan")
	h.command("U2", "budi", "sinonim satu")
	h.ephemeralTo("U2", "tidak tersimpan: satu kelompok sinonim perlu paling sedikit dua istilah")
	// A term of another group: which one, and where, is said.
	h.command("U2", "budi", "sinonim kk = kartu famili")
	h.ephemeralTo("U2", `tidak tersimpan: istilah "kk" sudah ada di kelompok`)

	// tambah opens a form; its submission saves a draft by the officer.
	h.command("U1", "ani", "tambah")
	opened := h.slack.waitCalls(t, "views.open", 1)[0]
	if v, _ := opened.JSON["view"].(map[string]any); v["callback_id"] != "faq_new" {
		t.Fatalf("tambah opened %v", opened.JSON["view"])
	}
	input := func(v string) map[string]any {
		return map[string]any{"input": map[string]any{"type": "plain_text_input", "value": v}}
	}
	h.interact(map[string]any{"type": "view_submission", "user": map[string]any{"id": "U1", "name": "ani"},
		"view": map[string]any{"id": "V-new-1", "callback_id": "faq_new", "state": map[string]any{"values": map[string]any{
			"question": input("Di mana membuat kartu perpustakaan?"), "answer": input("Di Dinas Perpustakaan, gratis."),
			"alternates": input("kartu perpus\nbikin kartu perpustakaan"), "category": input("pendidikan"),
		}}}})
	waitFor(t, 15*time.Second, "the draft", func() bool {
		d, err := h.store.Get(ctx, "membuat-kartu-perpustakaan")
		return err == nil && d.Status == knowledge.Draft && d.Category == "pendidikan" && len(d.Alternates) == 2 && d.UpdatedBy == "@ani"
	})

	h.command("U1", "ani", "belum")
	h.ephemeralTo("U1", "belum terjawab")
	h.command("U1", "ani", "apa ini")
	h.ephemeralTo("U1", "Pemakaian /faq")
}

// TestFAQUnansweredIsForOfficers: /faq belum lists what citizens wrote,
// names, addresses and complaints included, and the workspace has other
// members than the officers (ASN get their reminders and surveys there):
// only HUB_SLACK_OFFICERS may read it, anyone else is refused as for
// the changes. /faq cari, open to all, shows nothing from the inbox.
func TestFAQUnansweredIsForOfficers(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	h := newHub(t, db)
	const chat = 6161
	h.tg.PushText(chat, chat, "zzq blorf saya Siti Aminah jalan Melati gang buntu, suami saya memukul saya")
	h.nextTG(chat)
	h.deskMessage("Tiket #1")
	// U9 is not among the officers (U1, U2) of the test hub.
	h.command("U9", "asn-biasa", "belum")
	h.ephemeralTo("U9", "hanya petugas yang terdaftar (HUB_SLACK_OFFICERS)")
	h.command("U9", "asn-biasa", "cari zzq blorf suami memukul")
	h.ephemeralTo("U9", "Keputusan bot")
	for _, c := range h.slack.Calls("chat.postEphemeral") {
		if c.Form.Get("user") == "U9" && (strings.Contains(c.Form.Get("text"), "Siti Aminah") || strings.Contains(c.Form.Get("text"), "Melati")) {
			t.Errorf("a non-officer reads a citizen's question with name and address: %q", c.Form.Get("text"))
		}
	}
	h.command("U1", "ani", "belum")
	h.ephemeralTo("U1", "Siti Aminah jalan Melati")
}

// TestFAQUnansweredHidesNumbers: the citizens' questions /faq belum lists
// have the numbers that could identify them masked, as on the desk.
func TestFAQUnansweredHidesNumbers(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	h := newHub(t, db)
	const chat = 5151
	h.tg.PushText(chat, chat, "zzq blorf wibble tolong hubungi saya di 0812-3456-7890 atau NIK 1271012345678901")
	h.nextTG(chat)
	h.deskMessage("Tiket #1")
	h.command("U1", "ani", "belum")
	h.ephemeralTo("U1", "zzq blorf wibble")
	for _, c := range h.slack.Calls("chat.postEphemeral") {
		text := c.Form.Get("text")
		if strings.Contains(text, "3456") || strings.Contains(text, "12710123") {
			t.Errorf("/faq belum shows a citizen's number: %q", text)
		}
	}
}

// TestFAQEditTooLongForSlack: Slack's text inputs hold at most 3000
// characters, and an answer may have 4096: /faq ubah of such an entry
// opens no form that Slack would refuse (or cut), but says where to edit
// it.
func TestFAQEditTooLongForSlack(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	h := newHub(t, db)
	ctx := context.Background()
	long := strings.Repeat("Bawa KTP asli dan fotokopi. ", 125) // 3500 characters
	if _, err := h.store.Save(ctx, knowledge.Entry{Slug: "syarat-panjang", Category: "umum", Question: "Apa saja syaratnya?",
		Answer: long, Status: knowledge.Published}, "test"); err != nil {
		t.Fatal(err)
	}
	h.command("U1", "ani", "ubah syarat-panjang")
	h.ephemeralTo("U1", "/admin/kb/entry/syarat-panjang")
	h.ephemeralTo("U1", "paling banyak 3000")
	if n := len(h.slack.Calls("views.open")); n != 0 {
		t.Errorf("views.open called %d times for an answer Slack cannot hold", n)
	}
	// An entry that fits opens its form with its values.
	h.command("U1", "ani", "ubah ktp-hilang")
	opened := h.slack.waitCalls(t, "views.open", 1)[0]
	if v, _ := opened.JSON["view"].(map[string]any); v["private_metadata"] != "ktp-hilang@1" {
		t.Errorf("ubah ktp-hilang opened %v", opened.JSON["view"])
	}
}

// TestFAQAnswerWhenTheResponseURLExpired: a command processed after its
// response_url expired (30 minutes; recovered after a long outage, say)
// is still answered, as an ephemeral message.
func TestFAQAnswerWhenTheResponseURLExpired(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	h := newHub(t, db)
	form := url.Values{"command": {"/faq"}, "text": {"cari ktp hilang"}, "user_id": {"U9"}, "user_name": {"tamu"},
		"channel_id": {"CWORK"}, "trigger_id": {"cmd-expired"}, "response_url": {h.slack.ResponseURL("expired-1")}}
	h.post(hubslack.PathCommands, form.Encode())
	h.ephemeralTo("U9", "ktp-hilang")
}

// TestCommandTextIsUnescaped: Slack sends a command's text with "&", "<"
// and ">" escaped, as it does a message's; the officer's "&" is kept as
// typed.
func TestCommandTextIsUnescaped(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	h := newHub(t, db)
	h.command("U2", "budi", "sinonim surat &amp; dokumen = berkas")
	h.ephemeralTo("U2", "Sinonim tersimpan")
	groups, err := h.store.Synonyms(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range groups {
		if slices.Contains(g.Terms, "surat & dokumen") {
			return
		}
	}
	t.Errorf("synonym groups %v; want the term %q as typed", groups, "surat & dokumen")
}

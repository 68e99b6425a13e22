package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tebingtinggi/hub/inbox"
	"github.com/tebingtinggi/hub/knowledge"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

// TestInboxReplyTeaches: an officer's reply from the CLI teaches the bot
// in the same step, and `kb unanswered` shows what is still open.
func TestInboxReplyTeaches(t *testing.T) {
	ta := newTestApp(t, "sqlite://"+filepath.Join(t.TempDir(), "hub.db"))
	questions := []string{
		"bagaimana cara daftar nikah siri online lewat kecamatan?",
		"cara daftar nikah siri online lewat kecamatan gimana?",
		"zzq blorf wibble kartu perpustakaan daerah hilang",
	}
	for i, q := range questions {
		// Each question from its own citizen, so each opens a ticket.
		if code, _, errOut := ta.run("/start\n"+q+"\n", "chat", "--as", "warga"+string(rune('a'+i))); code != 0 {
			t.Fatalf("chat exited %d: %s", code, errOut)
		}
	}
	code, out, errOut := ta.run("", "kb", "unanswered", "--since", "1d")
	if code != 0 {
		t.Fatalf("kb unanswered: %d %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) < 3 || !strings.HasPrefix(lines[1], "2 ") || !strings.Contains(lines[1], "nikah siri") ||
		!strings.Contains(lines[1], "#1 #2") || !strings.Contains(out, "perpustakaan") {
		t.Fatalf("kb unanswered: the two nikah questions should be one group of 2, first:\n%s", out)
	}
	if code, _, errOut := ta.run("", "kb", "unanswered", "--since", "kemarin"); code != 2 || !strings.Contains(errOut, "--since") {
		t.Errorf("bad --since: %d %s", code, errOut)
	}

	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"inbox", "reply", "1", "teks", "--new-faq", "--alternate-of", "pengantar-nikah"}, 2, "tidak keduanya"},
		{[]string{"inbox", "reply", "1", "teks", "--alternate-of", "tidak-ada"}, 1, `Tidak ada entri FAQ dengan id "tidak-ada".`},
		// A flag of another subcommand is refused, not ignored: closing
		// with --new-faq would otherwise close and teach nothing.
		{[]string{"inbox", "close", "1", "--new-faq"}, 2, "inbox close tidak menerima --new-faq"},
		{[]string{"inbox", "close", "1", "--alternate-of", "pengantar-nikah"}, 2, "--alternate-of dipakai dengan inbox reply"},
		{[]string{"inbox", "reply", "1", "teks", "--full"}, 2, "inbox reply tidak menerima --full"},
		{[]string{"inbox", "show", "1", "--status", "open"}, 2, "inbox show tidak menerima --status"},
		{[]string{"inbox", "list", "--new-faq"}, 2, "inbox list tidak menerima --new-faq"},
	} {
		if code, _, errOut := ta.run("", c.args...); code != c.code || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: %d %s; want %d saying %q", c.args, code, errOut, c.code, c.want)
		}
	}
	if _, out, _ := ta.run("", "inbox", "show", "1"); strings.Contains(out, "teks") || strings.Contains(out, "selesai") || strings.Contains(out, "ditutup") {
		t.Errorf("a refused reply or close reached the ticket:\n%s", out)
	}

	code, out, errOut = ta.run("", "inbox", "reply", "1", "Urus surat pengantar nikah di kelurahan.", "--alternate-of", "pengantar-nikah")
	if code != 0 || !strings.Contains(out, "variasi entri pengantar-nikah") {
		t.Fatalf("reply --alternate-of: %d %s %s", code, out, errOut)
	}
	if _, show, _ := ta.run("", "kb", "show", "pengantar-nikah"); !strings.Contains(show, questions[0]) {
		t.Errorf("the entry did not learn the question:\n%s", show)
	}
	if _, ask, _ := ta.run("", "kb", "search", questions[0]); !strings.Contains(ask, "answer") || !strings.Contains(ask, "pengantar-nikah") {
		t.Errorf("the bot does not answer the learnt question:\n%s", ask)
	}
	if strings.Contains(out, "berstatus") {
		t.Errorf("a lesson to a published entry says it is not:\n%s", out)
	}
	// The same command again sends nothing, nor teaches.
	code, _, errOut = ta.run("", "inbox", "reply", "1", "Urus surat pengantar nikah di kelurahan.", "--alternate-of", "pengantar-nikah")
	if code != 1 || !strings.Contains(errOut, "tidak dikirim dua kali; --new-faq atau --alternate-of pada perintah ini juga tidak diterapkan") {
		t.Errorf("the same reply and lesson again: %d %s", code, errOut)
	}
	// An archived entry learns as well; the officer reads that the bot
	// does not answer with it yet.
	if code, _, errOut := ta.run("", "kb", "archive", "pengantar-nikah"); code != 0 {
		t.Fatalf("kb archive: %d %s", code, errOut)
	}
	code, out, errOut = ta.run("", "inbox", "reply", "2", "Urus surat pengantar nikah di kelurahan.", "--alternate-of", "pengantar-nikah")
	if code != 0 || !strings.Contains(out, "variasi entri pengantar-nikah") ||
		!strings.Contains(out, "Entri FAQ pengantar-nikah berstatus arsip, jadi bot belum menjawab dengannya sampai entri itu diterbitkan. Terbitkan dengan: hub kb publish pengantar-nikah") {
		t.Errorf("reply --alternate-of an archived entry: %d %s %s", code, out, errOut)
	}

	code, out, errOut = ta.run("", "inbox", "reply", "3", "Kartu perpustakaan diurus di Dinas Perpustakaan.", "--new-faq")
	if code != 0 || !strings.Contains(out, "draf entri FAQ") {
		t.Fatalf("reply --new-faq: %d %s %s", code, out, errOut)
	}
	if _, list, _ := ta.run("", "kb", "list", "--status", "draft"); !strings.Contains(list, "zzq-blorf-wibble-kartu-perpustakaan-daerah") {
		t.Errorf("no draft entry:\n%s", list)
	}

	// The same again is refused before anything is sent, naming the draft
	// already made from the ticket's question, instead of a second draft.
	code, out, errOut = ta.run("", "inbox", "reply", "3", "Kartu perpustakaan diurus di Dinas Perpustakaan.", "--new-faq")
	if code != 1 || !strings.Contains(errOut, "FAQ zzq-blorf-wibble-kartu-perpustakaan-daerah (draf)") || !strings.Contains(errOut, "Tidak ada yang dikirim") {
		t.Fatalf("reply --new-faq again: %d %s %s; want a refusal naming the draft", code, out, errOut)
	}
	if _, list, _ := ta.run("", "kb", "list", "--status", "draft"); strings.Contains(list, "perpustakaan-daerah-2") {
		t.Errorf("a second draft was made:\n%s", list)
	}
	if _, show, _ := ta.run("", "inbox", "show", "3", "--full"); strings.Count(show, "Kartu perpustakaan diurus") != 1 {
		t.Errorf("the refused reply reached the ticket:\n%s", show)
	}
	// Without --new-faq the officer can still write to the citizen again.
	if code, out, errOut := ta.run("", "inbox", "reply", "3", "Buka Senin sampai Jumat."); code != 0 || !strings.Contains(out, "dijawab") {
		t.Errorf("a further reply: %d %s %s", code, out, errOut)
	}
}

// TestInboxReplyAndLessonAreOneStep: a question another officer drafts
// after `inbox reply --new-faq` checked it, and before the reply is saved
// (the officer's name is read in between), refuses the reply too: nothing
// is sent, and the officer reads whose draft it is. A question an entry
// has as an alternate is no new entry either, nor an alternate of
// another entry; as that entry's alternate it is sent, adding nothing,
// and said so.
func TestInboxReplyAndLessonAreOneStep(t *testing.T) {
	for _, d := range storagetest.Backends {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			dbURL := storagetest.URL(t, d)
			ta := newTestApp(t, dbURL)
			questions := []string{"zzq blorf wibble izin pentas kuda lumping", "zzq blorf wibble surat nikah tercecer di angkot"}
			for i, q := range questions {
				if code, _, errOut := ta.run("/start\n"+q+"\n", "chat", "--as", "warga"+string(rune('a'+i))); code != 0 {
					t.Fatalf("chat exited %d: %s", code, errOut)
				}
			}
			db, err := storage.Open(ctx, dbURL)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			ks := knowledge.NewStore(db)

			var budis knowledge.Entry
			var out, errb bytes.Buffer
			a := &app{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: func(k string) string {
				if k == "HUB_AUTHOR" && budis.Slug == "" {
					var err error
					if budis, err = ks.Draft(ctx, questions[0], "Jawaban Budi.", "", "@budi"); err != nil {
						t.Errorf("Budi's draft: %v", err)
					}
				}
				return ta.env[k]
			}}
			code := a.run(ctx, []string{"inbox", "reply", "1", "Jawaban dari terminal.", "--new-faq"})
			if budis.Slug == "" || code != 1 || !strings.Contains(errb.String(), "FAQ "+budis.Slug+" (draf)") || !strings.Contains(errb.String(), "Tidak ada yang dikirim") {
				t.Errorf("a reply whose question was drafted meanwhile: %d %s %s; want refused naming Budi's draft %q", code, out.String(), errb.String(), budis.Slug)
			}
			if _, show, _ := ta.run("", "inbox", "show", "1", "--full"); strings.Contains(show, "Jawaban dari terminal") || !strings.Contains(show, "menunggu petugas") {
				t.Errorf("the refused reply reached the ticket:\n%s", show)
			}

			if _, err := ks.AddAlternate(ctx, "pengantar-nikah", questions[1], "@budi"); err != nil {
				t.Fatal(err)
			}
			code, stdout, errOut := ta.run("", "inbox", "reply", "2", "Lapor ke kelurahan.", "--new-faq")
			if code != 1 || !strings.Contains(errOut, "sudah ada sebagai variasi pertanyaan entri FAQ pengantar-nikah (terbit)") || !strings.Contains(errOut, "Tidak ada yang dikirim") {
				t.Errorf("a new FAQ of an alternate: %d %s %s", code, stdout, errOut)
			}
			// Nor an alternate of another entry: the bot's answer to it
			// would flip between the two.
			ktp, err := ks.Get(ctx, "ktp-hilang")
			if err != nil {
				t.Fatal(err)
			}
			code, stdout, errOut = ta.run("", "inbox", "reply", "2", "Lapor ke kelurahan.", "--alternate-of", "ktp-hilang")
			if code != 1 || !strings.Contains(errOut, "sudah ada sebagai variasi pertanyaan entri FAQ pengantar-nikah (terbit), jadi tidak ditambahkan sebagai variasi entri FAQ ktp-hilang") ||
				!strings.Contains(errOut, "Tidak ada yang dikirim. Balas dengan --alternate-of pengantar-nikah") {
				t.Errorf("an alternate of another entry's alternate: %d %s %s", code, stdout, errOut)
			}
			if e, err := ks.Get(ctx, "ktp-hilang"); err != nil || e.Version != ktp.Version {
				t.Errorf("ktp-hilang after the refused lesson: version %d, %v; want %d", e.Version, err, ktp.Version)
			}
			if _, show, _ := ta.run("", "inbox", "show", "2", "--full"); strings.Contains(show, "Lapor ke kelurahan") {
				t.Errorf("the refused reply reached the ticket:\n%s", show)
			}
			code, stdout, errOut = ta.run("", "inbox", "reply", "2", "Lapor ke kelurahan.", "--alternate-of", "pengantar-nikah")
			if code != 0 || !strings.Contains(stdout, "dijawab") || !strings.Contains(stdout, "pengantar-nikah sudah memuat pertanyaan warga ini") {
				t.Errorf("an alternate the entry has: %d %s %s", code, stdout, errOut)
			}
		})
	}
}

// TestInboxReplyLongAnswerIsNoFAQ: `inbox reply ID TEXT --new-faq` with a
// reply longer than a FAQ entry's answer may be is refused before the
// ticket is claimed, naming the reply (not the citizen's question):
// nothing is sent or drafted and the ticket is as it was. Without
// --new-faq the same reply is sent.
func TestInboxReplyLongAnswerIsNoFAQ(t *testing.T) {
	for _, d := range storagetest.Backends {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			dbURL := storagetest.URL(t, d)
			ta := newTestApp(t, dbURL)
			if code, _, errOut := ta.run("/start\nzzq blorf sewa tenda untuk hajatan di kelurahan\n", "chat", "--as", "warga"); code != 0 {
				t.Fatalf("chat exited %d: %s", code, errOut)
			}
			db, err := storage.Open(ctx, dbURL)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			ks, in := knowledge.NewStore(db), inbox.New(db)
			drafts, err := ks.Count(ctx, knowledge.Draft)
			if err != nil {
				t.Fatal(err)
			}
			// The chat's own replies went through the outbox.
			var before int
			if err := db.GetContext(ctx, &before, `SELECT COUNT(*) FROM outbox`); err != nil {
				t.Fatal(err)
			}
			long := strings.Repeat("Bawa KTP asli. ", knowledge.MaxAnswerLen/15+1)

			code, stdout, errOut := ta.run("", "inbox", "reply", "1", long, "--new-faq")
			if code != 1 || stdout != "" {
				t.Errorf("a long reply as a new FAQ: exit %d, stdout %q; want 1 and nothing", code, stdout)
			}
			for _, want := range []string{"tiket #1: Balasan ini terlalu panjang untuk disimpan sebagai entri FAQ", "paling panjang 4096 karakter",
				"Tidak ada yang dikirim; untuk mengirimnya saja, balas tanpa --new-faq"} {
				if !strings.Contains(errOut, want) {
					t.Errorf("the refusal lacks %q:\n%s", want, errOut)
				}
			}
			if strings.Contains(errOut, "Pertanyaan warga") {
				t.Errorf("the refusal blames the citizen's question:\n%s", errOut)
			}
			det, err := in.Get(ctx, 1)
			if err != nil || det.Ticket.Status != inbox.Open || det.Ticket.AnsweredBy != "" {
				t.Errorf("ticket #1 after the refusal: %+v, %v; want it open", det.Ticket, err)
			}
			if by, err := in.ClaimedBy(ctx, 1); by != "" || err != nil {
				t.Errorf("ticket #1 is claimed by %q (%v); want nobody", by, err)
			}
			var rows int
			if err := db.GetContext(ctx, &rows, `SELECT COUNT(*) FROM outbox`); err != nil || rows != before {
				t.Errorf("%d outbox rows more (%v); want nothing sent", rows-before, err)
			}
			if n, err := ks.Count(ctx, knowledge.Draft); err != nil || n != drafts {
				t.Errorf("%d drafts made (%v); want none", n-drafts, err)
			}

			if code, stdout, errOut := ta.run("", "inbox", "reply", "1", long); code != 0 || !strings.Contains(stdout, "dijawab") {
				t.Errorf("the long reply alone: %d %s %s", code, stdout, errOut)
			}
		})
	}
}

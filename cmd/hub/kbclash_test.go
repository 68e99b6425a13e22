package main

import (
	"strings"
	"testing"

	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

// TestKBImportRefusesSharedWordings: `hub kb import` refuses a file two
// of whose entries share a wording, naming the file, the lines and both
// entries, and, merging, a wording of a stored entry the file does not
// hold; nothing is written. Replacing archives that entry instead.
func TestKBImportRefusesSharedWordings(t *testing.T) {
	ta := newTestApp(t, storagetest.URL(t, storage.SQLite))
	ta.cli(t, 0, "1 entri diimpor", "kb", "import", writeFile(t, "awal.json",
		`{"entries": [{"id": "ktp-hilang", "question": "KTP saya hilang", "answer": "Lapor ke kelurahan."}]}`))

	code, _, errOut := ta.run("", "kb", "import", writeFile(t, "dobel.csv",
		"id,category,question,alternates,answer,tags\n"+
			"kk-baru,,Cara buat KK,,Di Disdukcapil.,\n"+
			"kk-lagi,,KK,cara  buat kk | kk hilang,Di Disdukcapil.,\n"))
	if code != 1 || !strings.Contains(errOut, `dobel.csv:3: entri "kk-lagi": kolom "alternates": variasi ke-1 ("cara buat kk") sudah dipakai entri "kk-baru" di baris 2`) {
		t.Errorf("a file sharing a wording: exit %d\n%s", code, errOut)
	}

	merge := writeFile(t, "baru.json", "{\"entries\": [\n"+
		`{"id": "ktp-baru", "question": "ktp  SAYA hilang", "answer": "Lapor."}`+"\n]}")
	code, _, errOut = ta.run("", "kb", "import", merge)
	if code != 1 || !strings.Contains(errOut, `baru.json:2: entri "ktp-baru": kolom "question": pertanyaan ini sudah dipakai entri "ktp-hilang" (terbit), yang tidak ada di berkas,`) {
		t.Errorf("a merge with a stored entry's wording: exit %d\n%s", code, errOut)
	}
	ta.cli(t, 0, "0 dibuat", "kb", "import", writeFile(t, "awal2.json",
		`{"entries": [{"id": "ktp-hilang", "question": "KTP saya hilang", "answer": "Lapor ke kelurahan."}]}`))
	ta.cli(t, 0, "1 diarsipkan", "kb", "import", "--replace", merge)
}

// TestKBReplaceWithRenamedIDs: a city re-importing its FAQ with --replace
// and renamed ids archives the old entries, which share their wordings
// with the new ones; the new ones are saved afterwards as usual, and an
// old one is not published or restored again while a live entry has its
// wording, the refusal naming that entry and its status.
func TestKBReplaceWithRenamedIDs(t *testing.T) {
	for _, d := range []storage.Dialect{storage.SQLite, storage.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			ta := newTestApp(t, storagetest.URL(t, d))
			ta.cli(t, 0, "2 dibuat", "kb", "import", writeFile(t, "faq-2025.json", `{"entries": [
{"id": "ktp-hilang", "question": "KTP saya hilang", "alternates": ["kehilangan ktp"], "answer": "Lapor ke kelurahan."},
{"id": "kk-baru", "question": "Cara buat KK", "answer": "Di Disdukcapil."}]}`))
			ta.cli(t, 0, "2 dibuat, 0 diubah, 0 tetap, 2 diarsipkan", "kb", "import", "--replace", writeFile(t, "faq-2026.json", `{"entries": [
{"id": "ktp-01", "question": "KTP saya hilang", "alternates": ["kehilangan ktp"], "answer": "Lapor ke kelurahan."},
{"id": "kk-01", "question": "Cara buat KK", "answer": "Di Disdukcapil."}]}`))
			ta.cli(t, 0, "1 diubah", "kb", "import", writeFile(t, "ktp-01.json", `{"entries": [
{"id": "ktp-01", "question": "KTP saya hilang", "alternates": ["kehilangan ktp", "ktp hilang"], "answer": "Lapor ke kelurahan, bawa KK."}]}`))
			ta.cli(t, 0, "sekarang berstatus draf", "kb", "draft", "kk-01")

			ta.cli(t, 1, `status tidak diubah menjadi terbit: entri "ktp-hilang": kolom "question": pertanyaan ini sudah dipakai entri "ktp-01" (terbit) sebagai pertanyaannya`,
				"kb", "publish", "ktp-hilang")
			ta.cli(t, 1, `versi 1 tidak dipulihkan: entri "ktp-hilang": kolom "question": pertanyaan ini sudah dipakai entri "ktp-01" (terbit) sebagai pertanyaannya`,
				"kb", "restore", "ktp-hilang", "1")
			ta.cli(t, 1, `status tidak diubah menjadi draf: entri "kk-baru": kolom "question": pertanyaan ini sudah dipakai entri "kk-01" (draf) sebagai pertanyaannya`,
				"kb", "draft", "kk-baru")
			if out := ta.cli(t, 0, "ktp-hilang", "kb", "list", "--status", "arsip"); !strings.Contains(out, "kk-baru") {
				t.Errorf("the refused entries left the archive:\n%s", out)
			}

			// Once the new entry is archived, the old one comes back.
			ta.cli(t, 0, "sekarang berstatus arsip", "kb", "archive", "ktp-01")
			ta.cli(t, 0, "dipulihkan dari versi 1", "kb", "restore", "ktp-hilang", "1")
		})
	}
}

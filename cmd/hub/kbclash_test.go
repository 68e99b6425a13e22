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

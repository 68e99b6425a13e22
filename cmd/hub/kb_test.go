package main

import (
	"strings"
	"testing"
	"time"

	"github.com/tebingtinggi/hub/inbox"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

// An officer checks when an entry was last changed with `hub kb show`:
// the version and revision times are in WIB and say so, as the web admin
// and `hub inbox show` say them.
func TestKBShowTimesInWIB(t *testing.T) {
	ta := newTestApp(t, storagetest.URL(t, storage.SQLite))
	before := time.Now()
	ta.cli(t, 0, "1 entri diimpor", "kb", "import", writeFile(t, "awal.json",
		`{"entries": [{"id": "ktp-hilang", "question": "KTP saya hilang", "answer": "Lapor ke kelurahan."}]}`))
	after := time.Now()
	_, out, _ := ta.run("", "kb", "show", "ktp-hilang")
	var wib []string
	for _, at := range []time.Time{before, after} {
		wib = append(wib, at.In(inbox.Jakarta()).Format("2006-01-02 15:04")+" WIB")
	}
	seen := 0
	for _, line := range strings.Split(out, "\n") {
		if !strings.HasPrefix(line, "versi:") && !strings.HasPrefix(strings.TrimSpace(line), "v1 ") {
			continue
		}
		seen++
		if !strings.Contains(line, wib[0]) && !strings.Contains(line, wib[1]) {
			t.Errorf("kb show prints %q; want the time in WIB (%s)", line, wib[1])
		}
	}
	if seen != 2 {
		t.Errorf("kb show has %d lines with the version's time, want 2 (versi and v1):\n%s", seen, out)
	}
}

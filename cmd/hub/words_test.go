package main

import (
	"errors"
	"strings"
	"testing"

	"github.com/tebingtinggi/hub/inbox"
	"github.com/tebingtinggi/hub/knowledge"
)

// TestStatusFlagTakesTheIdentifierOrThePrintedWord: an officer may type
// the status as the tables print it.
func TestStatusFlagTakesTheIdentifierOrThePrintedWord(t *testing.T) {
	for _, c := range []struct {
		in   string
		want knowledge.Status
	}{
		{"", ""}, {"published", knowledge.Published}, {"terbit", knowledge.Published},
		{" DRAF ", knowledge.Draft}, {"archived", knowledge.Archived}, {"Arsip", knowledge.Archived},
	} {
		got, err := entryStatus(c.in)
		if err != nil || got != c.want {
			t.Errorf("entryStatus(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	got, err := statusFlag("menunggu petugas", inbox.TicketStatus.Word, inbox.Open, inbox.Answered, inbox.Closed)
	if err != nil || got != inbox.Open {
		t.Errorf(`ticket status "menunggu petugas" = %q, %v; want open`, got, err)
	}
	_, err = statusFlag("terbuka", inbox.TicketStatus.Word, inbox.Open, inbox.Answered, inbox.Closed)
	const want = `--status "terbuka": isi open (menunggu petugas), answered (sudah dijawab) atau closed (selesai)`
	if !errors.Is(err, errUsage) || err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("unknown ticket status: %v; want a usage error containing %q", err, want)
	}
}

// TestDecisionWordsNameEveryLoggedDecision: what the message log records
// of the bot is told in Indonesian, the citizen's "Terjawab" included.
func TestDecisionWordsNameEveryLoggedDecision(t *testing.T) {
	for logged, want := range map[string]string{
		"answer ktp-hilang":  "menjawab dengan entri ktp-hilang",
		"clarify a,b":        "bertanya balik dengan pilihan a, b",
		"handoff":            "menyerahkan ke petugas",
		"helpful ktp-hilang": "berterima kasih: warga menandai jawaban entri ktp-hilang sebagai terjawab",
		"helpful":            "berterima kasih: warga menandai jawabannya sebagai terjawab",
		"answer":             "menjawab",
		"decline":            "menolak karena di luar layanan",
		"smalltalk":          "membalas sapaan",
		"merge a,b":          "merge a,b",
	} {
		if got := decisionWords(logged); got != want {
			t.Errorf("decisionWords(%q) = %q, want %q", logged, got, want)
		}
	}
}

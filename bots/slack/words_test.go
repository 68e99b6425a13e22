package slack

import (
	"strings"
	"testing"
	"time"

	"github.com/tebingtinggi/hub/inbox"
	"github.com/tebingtinggi/hub/knowledge"
)

// TestSearchReportNamesEveryDecision: /faq cari says what the bot would do
// in the words every surface uses, whatever the decision (a decline and
// small talk included).
func TestSearchReportNamesEveryDecision(t *testing.T) {
	for _, d := range []knowledge.Decision{knowledge.Answer, knowledge.Clarify, knowledge.Handoff, knowledge.Decline, knowledge.Smalltalk} {
		want := "Keputusan bot: " + d.Word() + " (keyakinan 40%)"
		if got := searchReport(knowledge.Result{Decision: d, Confidence: 0.4}); !strings.Contains(got, want) || d.Word() == string(d) {
			t.Errorf("%s: %q; want %q", d, got, want)
		}
	}
}

// TestStatusTextSaysTheStatusWord: the desk message names where a ticket
// stands in the status's word, as the web desk and the terminal do, and
// who moved it there.
func TestStatusTextSaysTheStatusWord(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	replied := now.Add(-time.Hour)
	for _, c := range []struct {
		t         inbox.Ticket
		claimedBy string
		want      string
	}{
		{inbox.Ticket{Status: inbox.Open, DueAt: now.Add(time.Hour)}, "", "menunggu petugas"},
		{inbox.Ticket{Status: inbox.Open, DueAt: now.Add(time.Hour), FirstResponseAt: &replied}, "@ani", "menunggu petugas · warga membalas lagi · diambil oleh @ani"},
		{inbox.Ticket{Status: inbox.Open, DueAt: now.Add(-time.Hour)}, "", "menunggu petugas · ⚠️ LEWAT SLA"},
		{inbox.Ticket{Status: inbox.Answered, AnsweredBy: "@ani", DueAt: now.Add(time.Hour)}, "", "sudah dijawab oleh @ani"},
		{inbox.Ticket{Status: inbox.Closed, ClosedBy: "cli:budi"}, "@ani", "selesai, ditutup oleh cli:budi"},
		{inbox.Ticket{Status: inbox.Closed}, "", "selesai"},
	} {
		if got := statusText(c.t, c.claimedBy, now); got != c.want {
			t.Errorf("%+v: %q, want %q", c.t, got, c.want)
		}
	}
}

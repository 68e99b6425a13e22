package main

import (
	"io"
	"path/filepath"
	"strings"
	"testing"
)

// hostile is text an attacker types: an OSC title change and a screen
// clear, a right-to-left override and a C1 control sequence introducer.
const hostile = "\x1b]0;PWNED\x07\x1b[2J \u202egnp.exe \u009b31m"

// assertInert fails if out holds a control character or bidi override
// that a terminal would obey.
func assertInert(t *testing.T, what, out string) {
	t.Helper()
	if i := strings.IndexAny(out, "\x1b\x07\u202e\u009b\r"); i >= 0 {
		t.Errorf("%s prints a raw control character at byte %d:\n%q", what, i, out)
	}
}

// TestCLIOutputIsInert: what citizens and officers typed reaches the
// officer's terminal inert, in hub inbox, hub kb and hub chat.
func TestCLIOutputIsInert(t *testing.T) {
	ta := newTestApp(t, "sqlite://"+filepath.Join(t.TempDir(), "hub.db"))
	ta.env["HUB_AUTHOR"] = "petugas " + hostile
	code, out, errOut := ta.run("bagaimana cara daftar nikah siri online lewat kecamatan? "+hostile+"\n1\n", "chat", "--as", "budi")
	if code != 0 || !strings.Contains(out, "(tiket #1)") {
		t.Fatalf("chat: %d %s %s", code, out, errOut)
	}
	if code, out, errOut := ta.run("", "inbox", "reply", "1", "Silakan ke KUA. "+hostile); code != 0 {
		t.Fatalf("inbox reply: %d %s %s", code, out, errOut)
	}
	for _, args := range [][]string{{"inbox", "list"}, {"inbox", "show", "1"}} {
		code, out, errOut := ta.run("", args...)
		if code != 0 || !strings.Contains(out, "PWNED") {
			t.Fatalf("%v: %d %s %s", args, code, out, errOut)
		}
		assertInert(t, strings.Join(args, " "), out)
	}
	// The citizen's next session shows the officer's reply.
	code, out, _ = ta.run("", "chat", "--as", "budi")
	if code != 0 || !strings.Contains(out, "Silakan ke KUA") {
		t.Fatalf("chat: %d %s", code, out)
	}
	assertInert(t, "hub chat", out)

	// The import refuses control characters; what it lets through (a bidi
	// override) must still reach the terminal inert.
	const override = "\u202egnp.exe"
	faq := writeFile(t, "faq.json", `{"entries":[{"id":"jahat","category":"Umum `+override+`","question":"Pertanyaan `+override+`?",
		"alternates":["alternatif `+override+`"],"answer":"Jawaban `+override+`","tags":["tag"]}]}`)
	if code, out, errOut := ta.run("", "kb", "import", faq); code != 0 {
		t.Fatalf("kb import: %d %s %s", code, out, errOut)
	}
	for _, args := range [][]string{{"kb", "list"}, {"kb", "show", "jahat"}} {
		code, out, errOut := ta.run("", args...)
		if code != 0 || !strings.Contains(out, "gnp.exe") {
			t.Fatalf("%v: %d %s %s", args, code, out, errOut)
		}
		assertInert(t, strings.Join(args, " "), out)
	}
}

func TestReportTextIsInert(t *testing.T) {
	var out strings.Builder
	a := &app{stdout: &out}
	err := a.writeInert(func(w io.Writer) error {
		_, err := io.WriteString(w, "Jawaban bebas:\n  - "+hostile+"\n")
		return err
	})
	if err != nil || !strings.Contains(out.String(), "PWNED") || !strings.Contains(out.String(), "\n  - ") {
		t.Fatalf("%q, %v", out.String(), err)
	}
	assertInert(t, "report", out.String())
}

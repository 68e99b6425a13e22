package safetext

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestClean(t *testing.T) {
	cases := []struct{ in, want string }{
		{"", ""},
		{"ktp saya hilang gmn 😀", "ktp saya hilang gmn 😀"},
		{"a\x00b", "a\uFFFDb"},
		{"bad \xff\xfe utf-8", "bad \uFFFD utf-8"},
		{"lone surrogate \xed\xa0\x80.", "lone surrogate \uFFFD."},
		{"keeps\ttabs,\nnewlines and \x1b escapes", "keeps\ttabs,\nnewlines and \x1b escapes"},
	}
	for _, c := range cases {
		if got := Clean(c.in); got != c.want {
			t.Errorf("Clean(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestLineAndBlock(t *testing.T) {
	cases := []struct{ in, line, block string }{
		{"Bagaimana cara urus KTP?", "Bagaimana cara urus KTP?", "Bagaimana cara urus KTP?"},
		{"title \x1b]0;PWNED\x07\x1b[2J", "title ␛]0;PWNED␇␛[2J", "title ␛]0;PWNED␇␛[2J"},
		{"two\nlines\tand tab", "two␊lines␉and tab", "two\nlines\tand tab"},
		{"over\rwrite", "over␍write", "over␍write"},
		{"del\x7f c1\u009b31m", "del␡ c1\uFFFD31m", "del␡ c1\uFFFD31m"},
		{"nama \u202eexe.txt \u2066x\u2069 \u200f", "nama \uFFFDexe.txt \uFFFDx\uFFFD \uFFFD", "nama \uFFFDexe.txt \uFFFDx\uFFFD \uFFFD"},
		{"sep\u2028arator", "sep\uFFFDarator", "sep\uFFFDarator"},
		{"bad \xff", "bad \uFFFD", "bad \uFFFD"},
		{"emoji 👨\u200d👩\u200d👧 ok", "emoji 👨\u200d👩\u200d👧 ok", "emoji 👨\u200d👩\u200d👧 ok"},
	}
	for _, c := range cases {
		if got := Line(c.in); got != c.line {
			t.Errorf("Line(%q) = %q, want %q", c.in, got, c.line)
		}
		if got := Block(c.in); got != c.block {
			t.Errorf("Block(%q) = %q, want %q", c.in, got, c.block)
		}
	}
}

func TestCell(t *testing.T) {
	cases := []struct{ in, want string }{
		{"", ""},
		{"KTP", "KTP"},
		{"=HYPERLINK(\"http://x\",\"klik\")", "'=HYPERLINK(\"http://x\",\"klik\")"},
		{"=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"},
		{"+62 812 3456", "'+62 812 3456"},
		{"- bawa KK", "'- bawa KK"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\tx", "'\tx"},
		{"\rx", "'\rx"},
		{"'quoted", "'quoted"},
		{"'=already", "''=already"},
		{"''", "''"},
		{"a=b", "a=b"},
	}
	for _, c := range cases {
		got := Cell(c.in)
		if got != c.want {
			t.Errorf("Cell(%q) = %q, want %q", c.in, got, c.want)
		}
		if back := Uncell(got); back != c.in {
			t.Errorf("Uncell(%q) = %q, want %q", got, back, c.in)
		}
	}
}

func TestCSVWriter(t *testing.T) {
	var buf bytes.Buffer
	w := NewCSVWriter(&buf)
	if err := w.Write([]string{"1", "=1+2", "-", "+62"}); err != nil {
		t.Fatal(err)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		t.Fatal(err)
	}
	rec, err := csv.NewReader(&buf).Read()
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"1", "'=1+2", "'-", "'+62"}; strings.Join(rec, ",") != strings.Join(want, ",") {
		t.Errorf("written %q, want %q", rec, want)
	}
}

func FuzzSafetext(f *testing.F) {
	for _, s := range []string{"", "halo", "\x1b]0;x\x07", "=1", "'=1", "''+", "\x00\xff\xed\xa0\x80", "\u202e\u2028\r\n\t\x7f\u0085"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := Clean(s)
		if !utf8.ValidString(c) || strings.Contains(c, "\x00") {
			t.Fatalf("Clean(%q) = %q", s, c)
		}
		if utf8.ValidString(s) && !strings.Contains(s, "\x00") && c != s {
			t.Fatalf("Clean changed clean text %q to %q", s, c)
		}
		for _, multiline := range []bool{false, true} {
			out := neutralise(s, multiline)
			if !utf8.ValidString(out) || !isInert(out, multiline) {
				t.Fatalf("neutralise(%q, %v) = %q, not inert", s, multiline, out)
			}
			if isInert(s, multiline) != (out == s) {
				t.Fatalf("neutralise(%q, %v) = %q changed inert text or kept harmful text", s, multiline, out)
			}
		}
		e := Cell(s)
		if e != "" && strings.IndexByte("=+-@\t\r", e[0]) >= 0 {
			t.Fatalf("Cell(%q) = %q begins with a formula character", s, e)
		}
		if Uncell(e) != s {
			t.Fatalf("Uncell(Cell(%q)) = %q", s, Uncell(e))
		}
	})
}

func TestShorten(t *testing.T) {
	for _, c := range []struct {
		in   string
		n    int
		want string
	}{
		{"KTP hilang", 10, "KTP hilang"},
		{"KTP hilang", 9, "KTP hila…"},
		{"KTP hilang", 5, "KTP…"}, // no space before the mark
		{"Izin usaha mikro", 1, "…"},
		{"é è ê ë", 4, "é è…"},
	} {
		if got := Shorten(c.in, c.n); got != c.want {
			t.Errorf("Shorten(%q, %d) = %q, want %q", c.in, c.n, got, c.want)
		}
	}
}

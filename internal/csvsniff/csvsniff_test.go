package csvsniff

import (
	"strings"
	"testing"
)

var commaTests = []struct {
	data string
	want rune
}{
	{"", ','},
	{"id,name\na;b\n", ','},
	{"id;name\na,b;c\n", ';'},
	{"id;name\r\na;b\r\n", ';'},
	{"id;name,title\n", ','},    // a comma in the header wins, as before
	{"id;name\ra,b;c,d\r", ';'}, // an old Mac file: the header ends at its CR
	{"id\nx;y\n", ','},
	{"\ufeffid;name\n", ';'},
}

func TestComma(t *testing.T) {
	for _, tt := range commaTests {
		if got := Comma([]byte(tt.data)); got != tt.want {
			t.Errorf("Comma(%q) = %q, want %q", tt.data, got, tt.want)
		}
	}
}

var loneCRTests = []struct {
	data  string
	lone  bool
	fixed string
}{
	{"", false, ""},
	{"a,b\nc,d\n", false, "a,b\nc,d\n"},
	{"a,b\r\nc,\"x\ry\"\r\n", false, "a,b\r\nc,\"x\ny\"\r\n"},
	{"a,b\rc,d\r", true, "a,b\nc,d\n"},
	{"a,b\r", true, "a,b\n"},
	{"a;b\rc;\"x\r\ny\"\r", true, "a;b\nc;\"x\r\ny\"\n"},
	{"a,b", false, "a,b"},
}

func TestLoneCR(t *testing.T) {
	for _, tt := range loneCRTests {
		if got := LoneCR([]byte(tt.data)); got != tt.lone {
			t.Errorf("LoneCR(%q) = %v, want %v", tt.data, got, tt.lone)
		}
		in := []byte(tt.data)
		if got := string(LoneCRToLF(in)); got != tt.fixed {
			t.Errorf("LoneCRToLF(%q) = %q, want %q", tt.data, got, tt.fixed)
		}
		if string(in) != tt.data {
			t.Errorf("LoneCRToLF changed its input to %q", in)
		}
	}
}

func TestQuoteHint(t *testing.T) {
	if got := QuoteHint(','); !strings.Contains(got, "memuat koma") {
		t.Errorf("QuoteHint(',') = %q", got)
	}
	if got := QuoteHint(';'); !strings.Contains(got, "memuat titik koma") {
		t.Errorf("QuoteHint(';') = %q", got)
	}
}

package csvsniff

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
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
	{"\r\n  \r\nid;name\r\n", ';'}, // blank lines before the header
	{";;;\r\nid,name\r\n", ';'},    // a cleared row before the header: its separators tell
	{"id\tname\r\na\tb\r\n", '\t'},
	{"id\tname;x\n", ';'},
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

var positionTests = []struct {
	data      string
	off       int
	line, col int
}{
	{"", 0, 1, 1},
	{"ab\ncd\xff\n", 4, 2, 2},
	{"ab\r\ncd\xff\r\n", 5, 2, 2},
	{"ab\rcd\rée\xff\r", 9, 3, 3},   // old Mac: each CR ends a line
	{"ab\r\n\"c\rd\"\xff", 9, 2, 6}, // a CR inside a quoted cell of a CRLF file ends nothing
	{"ab\rcd", 99, 2, 3},
}

func TestPosition(t *testing.T) {
	for _, tt := range positionTests {
		if line, col := Position([]byte(tt.data), tt.off); line != tt.line || col != tt.col {
			t.Errorf("Position(%q, %d) = %d:%d, want %d:%d", tt.data, tt.off, line, col, tt.line, tt.col)
		}
	}
}

var sepLineTests = []struct {
	line string
	want rune
}{
	{"sep=;", ';'},
	{"SEP=,", ','},
	{"sep=\t", '\t'},
	{"sep=|", '|'},
	{" sep=; ", ';'},
	{`"sep=;";;;`, ';'},
	{"sep=;;;", ';'},
	{"sep=", 0},
	{"sep=x", 0},
	{"sep=;,", 0},
	{`"sep=;`, 0},
	{"sep=;a", 0},
	{"sep", 0},
	{"separator=;", 0},
	{"id;name", 0},
}

func TestSepLine(t *testing.T) {
	for _, tt := range sepLineTests {
		if got := sepLine([]byte(tt.line)); got != tt.want {
			t.Errorf("sepLine(%q) = %q, want %q", tt.line, got, tt.want)
		}
	}
}

// readAll reads every record of data with a Reader, as "line:cell|cell".
func readAll(data string) ([]string, rune, error) {
	r := NewReader([]byte(data))
	var got []string
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return got, r.Comma(), nil
		}
		if err != nil {
			return got, r.Comma(), err
		}
		line, _ := r.FieldPos(0)
		got = append(got, fmt.Sprintf("%d:%s", line, strings.Join(rec, "|")))
	}
}

var readerTests = []struct {
	name  string
	data  string
	comma rune
	want  []string
}{
	{"comma, LF", "id,name\na,b\n", ',', []string{"1:id|name", "2:a|b"}},
	{"semicolons, CRLF, no break at the end", "id;name\r\na;b", ';', []string{"1:id|name", "2:a|b"}},
	{"cleared rows at the end", "id;name\r\na;b\r\n;\r\n;\r\n", ';', []string{"1:id|name", "2:a|b"}},
	{"cleared rows in between keep later lines", "id;name;;\r\n;;;\r\n ; ;;\r\na;b;;\r\n", ';', []string{"1:id|name||", "4:a|b||"}},
	{"cleared rows of another width", "id,name\n,,,,,\n,\na,b\n", ',', []string{"1:id|name", "4:a|b"}},
	{"quoted empty cells are empty", "id,name\n\"\",\" \"\na,b\n", ',', []string{"1:id|name", "3:a|b"}},
	{"a row partly filled is kept", "id;name\r\n;b\r\na;\r\n", ';', []string{"1:id|name", "2:|b", "3:a|"}},
	{"cleared rows before the header", ";;\r\n;;\r\nid;name\r\na;b\r\n", ';', []string{"3:id|name", "4:a|b"}},
	{"blank lines", "\n\nid,name\n\n  \na,b\n", ',', []string{"3:id|name", "6:a|b"}},
	{"sep line", "sep=;\r\nid;name\r\na;b,c\r\n", ';', []string{"2:id|name", "3:a|b,c"}},
	{"sep line overrides the header's commas", "sep=;\nid,x;name\na;b,c\n", ';', []string{"2:id,x|name", "3:a|b,c"}},
	{"sep line, comma", "sep=,\nid;x,name\n", ',', []string{"2:id;x|name"}},
	{"sep line, quoted by Excel", "\"sep=;\";\r\nid;name\r\na;b\r\n", ';', []string{"2:id|name", "3:a|b"}},
	{"sep line, lone CR", "sep=;\rid;name\ra;b\r", ';', []string{"2:id|name", "3:a|b"}},
	{"lone CR", "id;name\ra;\"x\ny\"\r;;\rb;c\r", ';', []string{"1:id|name", "2:a|x\ny", "5:b|c"}},
	{"lone CR, no break at the end", "id,name\ra,b", ',', []string{"1:id|name", "2:a|b"}},
	{"CRLF keeps a CR inside quotes", "id,name\r\na,\"x\ry\"\r\n", ',', []string{"1:id|name", "2:a|x\ry"}},
	{"tabs", "id\tname\r\na\tb;c\r\n", '\t', []string{"1:id|name", "2:a|b;c"}},
	{"only cleared rows", ";;;\r\n;;;\r\n", ';', nil},
	{"a sep line and nothing else", "sep=;\r\n", ';', nil},
	{"a header called sep", "sep\na\n", ',', []string{"1:sep", "2:a"}},
}

func TestReader(t *testing.T) {
	for _, tt := range readerTests {
		t.Run(tt.name, func(t *testing.T) {
			got, comma, err := readAll(tt.data)
			if err != nil {
				t.Fatalf("%q: %v", tt.data, err)
			}
			if comma != tt.comma || !slices.Equal(got, tt.want) {
				t.Errorf("%q: comma %q, records %q; want %q, %q", tt.data, comma, got, tt.comma, tt.want)
			}
		})
	}
}

// A parse error names the file's line, after a sep line and lone CRs too,
// and Text has the lines the error counts.
func TestReaderErrorLines(t *testing.T) {
	for _, data := range []string{
		"sep=;\nid;name\n;;\na;b\"c\n",
		"sep=;\rid;name\r;;\ra;b\"c\r",
		"id;name\r\n\r\n;;\r\na;b\"c\r\n",
	} {
		r := NewReader([]byte(data))
		var err error
		for err == nil {
			_, err = r.Read()
		}
		var pe *csv.ParseError
		if !errors.As(err, &pe) || pe.Line != 4 || !errors.Is(pe.Err, csv.ErrBareQuote) {
			t.Errorf("%q: error %v, want a bare quote on line 4", data, err)
			continue
		}
		if lines := strings.Split(string(r.Text()), "\n"); len(lines) < 4 || !strings.Contains(lines[3], `b"c`) {
			t.Errorf("%q: Text %q has not the quote on line 4", data, r.Text())
		}
	}
}

// FuzzReader: a Reader never panics, returns no blank record, and, on a
// file without a "sep=" line or old Mac line ends, returns what
// encoding/csv does with the same separator less the blank records, at
// the same lines.
func FuzzReader(f *testing.F) {
	for _, tt := range readerTests {
		f.Add(tt.data)
	}
	f.Add("id;name\r\n\"a\r\nb\";;\r\n;\"\";\r\n")
	f.Add("sep=\t\nid\tname\n\t\n")
	f.Fuzz(func(t *testing.T, data string) {
		r := NewReader([]byte(data))
		plain := !LoneCR([]byte(data)) && sepLine(firstLine([]byte(data))) == 0
		cr := csv.NewReader(strings.NewReader(data))
		cr.FieldsPerRecord, cr.Comma = -1, r.Comma()
		lines := 1 + strings.Count(data, "\n") + strings.Count(data, "\r")
		for {
			rec, err := r.Read()
			if err == nil && Blank(rec) {
				t.Fatalf("blank record %q", rec)
			}
			if err == nil {
				if line, _ := r.FieldPos(0); line < 1 || line > lines {
					t.Fatalf("record %q on line %d of %d", rec, line, lines)
				}
			}
			if !plain {
				if err != nil {
					return
				}
				continue
			}
			want, werr := cr.Read()
			for werr == nil && Blank(want) {
				want, werr = cr.Read()
			}
			if (err == nil) != (werr == nil) || !slices.Equal(rec, want) {
				t.Fatalf("Reader: %q, %v; encoding/csv: %q, %v", rec, err, want, werr)
			}
			if err != nil {
				return
			}
			l1, c1 := r.FieldPos(len(rec) - 1)
			l2, c2 := cr.FieldPos(len(rec) - 1)
			if l1 != l2 || c1 != c2 {
				t.Fatalf("record %q at %d:%d, encoding/csv says %d:%d", rec, l1, c1, l2, c2)
			}
		}
	})
}

// TestWidthProblem: a row may stop anywhere after the header's named
// columns; fewer cells, or more than the header has, are named.
func TestWidthProblem(t *testing.T) {
	r := NewReader([]byte("code;name;;;\nA;Satu\n"))
	for _, c := range []struct {
		cells int
		want  string
	}{
		{2, ""}, {4, ""},
		{1, "1 kolom; seharusnya 2 seperti baris judul"},
		{5, "5 kolom; seharusnya 4 seperti baris judul" + QuoteHint(';')},
	} {
		if got := r.WidthProblem(c.cells, 2, 4); got != c.want {
			t.Errorf("%d cells: %q, want %q", c.cells, got, c.want)
		}
	}
}

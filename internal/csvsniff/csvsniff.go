// Package csvsniff reads CSV files as spreadsheets save them: it tells
// which separator the cells use and how the lines end, honours Excel's
// "sep=" first line, and skips the rows Excel writes for cells once used
// and cleared. Every importer reads through it, so that the files Excel
// saves on computers set to Indonesian are read alike everywhere.
package csvsniff

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strings"
	"unicode/utf8"
)

// firstLine is data up to the first line break of either kind.
func firstLine(data []byte) []byte {
	if i := bytes.IndexAny(data, "\r\n"); i >= 0 {
		return data[:i]
	}
	return data
}

// headerLine is the first line of data with something other than spaces
// in it: the CSV reader skips blank lines before the header too.
func headerLine(data []byte) []byte {
	for len(data) > 0 {
		line := firstLine(data)
		if len(bytes.TrimSpace(line)) > 0 {
			return line
		}
		data = data[len(line):]
		data = data[min(len(data), 1):] // the CR or LF that ended it
	}
	return nil
}

// Comma returns the separator of data's cells as the header line shows
// it: a semicolon when the header has semicolons and no comma (Excel uses
// the regional list separator, a semicolon where the comma is the decimal
// separator, as in Indonesia), a tab when it has neither but tabs (Excel's
// "Text (Tab delimited)"), a comma otherwise. Excel's "sep=" line is not
// looked at here; NewReader honours it.
func Comma(data []byte) rune {
	h := headerLine(data)
	switch {
	case bytes.ContainsRune(h, ','):
		return ','
	case bytes.ContainsRune(h, ';'):
		return ';'
	case bytes.ContainsRune(h, '\t'):
		return '\t'
	}
	return ','
}

// LoneCR reports whether data's first line break is a carriage return
// that no line feed follows: the line break of old Mac exports ("CSV
// (Macintosh)"), which encoding/csv takes for part of a cell. The first
// break decides, not the absence of line feeds: such files may still hold
// a line feed inside a quoted cell, where Excel puts a cell's own line
// breaks.
func LoneCR(data []byte) bool {
	i := len(firstLine(data))
	return i < len(data) && data[i] == '\r' && (i+1 == len(data) || data[i+1] != '\n')
}

// LoneCRToLF returns a copy of data in which every carriage return that no
// line feed follows is a line feed; "\r\n" stays. The length, and so every
// byte offset, is unchanged.
func LoneCRToLF(data []byte) []byte {
	out := bytes.Clone(data)
	for i, c := range out {
		if c == '\r' && (i+1 == len(out) || out[i+1] != '\n') {
			out[i] = '\n'
		}
	}
	return out
}

// Position converts a byte offset of data (a whole file, without its
// byte order mark) into the 1-based line and column (in characters) that
// a Reader of data would name: in an old Mac file a lone CR ends a line.
func Position(data []byte, off int) (line, col int) {
	off = min(max(off, 0), len(data))
	if LoneCR(data) {
		data = LoneCRToLF(data)
	}
	before := data[:off]
	start := bytes.LastIndexByte(before, '\n') + 1
	return 1 + bytes.Count(before, []byte("\n")), utf8.RuneCount(before[start:]) + 1
}

// sepLine returns the separator that a first line "sep=;" declares, the
// line Excel reads (and some exporters write) to name the separator, or 0
// when line is no such line. The line may be quoted and followed by
// empty cells: "sep=;" saved again by Excel as a cell's value.
func sepLine(line []byte) rune {
	s := strings.Trim(string(line), " ") // not TrimSpace: the separator may be a tab
	quoted := strings.HasPrefix(s, `"`)
	if quoted {
		s = s[1:]
	}
	if len(s) < 5 || !strings.EqualFold(s[:4], "sep=") || !strings.ContainsRune(",;\t|", rune(s[4])) {
		return 0
	}
	c, rest := rune(s[4]), s[5:]
	if quoted {
		if !strings.HasPrefix(rest, `"`) {
			return 0
		}
		rest = rest[1:]
	}
	if strings.Trim(rest, string(c)+" ") != "" {
		return 0
	}
	return c
}

// Reader reads the records of a CSV file, UTF-8 text without its byte
// order mark, as a spreadsheet saved it:
//   - cells separated as the header line shows (see Comma), or as a first
//     line "sep=;" says; that line is skipped, and still counted;
//   - lines ended by CRLF, LF, or (old Mac) a lone CR;
//   - blank lines, and rows whose every cell is empty or spaces (Excel
//     writes ";;;;" for a row once used and cleared), skipped.
//
// Line numbers (FieldPos, csv.ParseError) are the file's own.
type Reader struct {
	r     *csv.Reader
	data  []byte
	comma rune
}

// NewReader returns a Reader of data.
func NewReader(data []byte) *Reader {
	if LoneCR(data) {
		// Each CR that ended a line becomes LF, so that lines keep
		// their numbers.
		data = LoneCRToLF(data)
	}
	comma := Comma(data)
	if c := sepLine(firstLine(data)); c != 0 {
		// The line's text goes, its line break stays: the CSV reader
		// skips the blank line and counts it.
		comma, data = c, data[len(firstLine(data)):]
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	cr.Comma = comma
	return &Reader{r: cr, data: data, comma: comma}
}

// Read returns the next record with something in it, or io.EOF after the
// last; its errors are csv.Reader's.
func (r *Reader) Read() ([]string, error) {
	for {
		rec, err := r.r.Read()
		if err != nil || !Blank(rec) {
			return rec, err
		}
	}
}

// Blank reports whether every cell of rec is empty or spaces.
func Blank(rec []string) bool {
	for _, cell := range rec {
		if strings.TrimSpace(cell) != "" {
			return false
		}
	}
	return true
}

// FieldPos returns the line and column where the cell with the given
// index of the record last read starts, as csv.Reader.FieldPos.
func (r *Reader) FieldPos(field int) (line, column int) {
	return r.r.FieldPos(field)
}

// Comma returns the separator the Reader splits cells on.
func (r *Reader) Comma() rune { return r.comma }

// Text returns the text the Reader reads: data with lone CRs made LF and
// the "sep=" line's text removed, so that its lines are the file's lines,
// for a caller that looks again at where a parse error is.
func (r *Reader) Text() []byte { return r.data }

// WidthProblem says, in Indonesian, what is wrong with the number of cells
// of a row under a header of total columns whose last named one is
// column named (the rest are unnamed, as "code;name;;;" leaves them), or
// "" when the row fits: it may stop anywhere after the named columns.
func (r *Reader) WidthProblem(cells, named, total int) string {
	switch {
	case cells > total:
		return fmt.Sprintf("%d kolom; seharusnya %d seperti baris judul%s", cells, total, QuoteHint(r.comma))
	case cells < named:
		return fmt.Sprintf("%d kolom; seharusnya %d seperti baris judul", cells, named)
	}
	return ""
}

// QuoteHint is the advice, in Indonesian, for a row with more cells than
// its header: a value holding the separator (comma) must be quoted. It
// starts with "; " to follow the importer's own message.
func QuoteHint(comma rune) string {
	sep := "koma"
	switch comma {
	case ';':
		sep = "titik koma"
	case '\t':
		sep = "tab"
	case '|':
		sep = "garis tegak (|)"
	}
	return "; nilai yang memuat " + sep + " harus diapit tanda kutip (\")"
}

// Package safetext makes text that came from outside (citizens, ASN,
// officers, imported files) harmless where it goes next: in the database
// (Clean), on an officer's terminal (Line, Block) and in a spreadsheet
// opened from a CSV file (Cell, Uncell).
package safetext

import (
	"encoding/csv"
	"io"
	"strings"
	"unicode/utf8"
)

// Clean replaces NUL and every invalid UTF-8 sequence (lone surrogates
// included) with U+FFFD, so that chat input is stored the same on SQLite
// and PostgreSQL, which refuses both. Everything else is kept as typed.
func Clean(s string) string {
	if utf8.ValidString(s) && !strings.Contains(s, "\x00") {
		return s
	}
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}

// Line makes s inert on a terminal as one line: control characters
// (C0, DEL and C1, newlines and tabs included) become visible stand-ins,
// and so do the invisible characters that reorder or split what a
// terminal shows (bidirectional overrides, isolates and marks, line and
// paragraph separators); invalid UTF-8 becomes U+FFFD. An escape sequence
// such as "\x1b]0;title\x07" is then printed, not obeyed.
func Line(s string) string { return neutralise(s, false) }

// Block is Line for text of several lines: newlines and tabs are kept,
// carriage returns are not (they would let one line overwrite another).
func Block(s string) string { return neutralise(s, true) }

func neutralise(s string, multiline bool) string {
	if isInert(s, multiline) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for _, r := range s { // an invalid byte comes as U+FFFD
		switch {
		case !harmful(r, multiline):
			b.WriteRune(r)
		case r < 0x20:
			b.WriteRune(0x2400 + r) // Unicode's control pictures: ␀ … ␟
		case r == 0x7f:
			b.WriteRune(0x2421) // ␡
		default:
			b.WriteRune(utf8.RuneError)
		}
	}
	return b.String()
}

// isInert reports whether s needs no change.
func isInert(s string, multiline bool) bool {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || harmful(r, multiline) {
			return false
		}
		i += size
	}
	return true
}

// harmful reports whether a terminal could obey r rather than show it.
func harmful(r rune, multiline bool) bool {
	switch {
	case multiline && (r == '\n' || r == '\t'):
		return false
	case r < 0x20, r == 0x7f, r >= 0x80 && r < 0xa0:
		return true
	}
	return isFormatting(r)
}

// isFormatting reports whether r is one of the invisible characters that
// change the order or the lines of what surrounds it.
func isFormatting(r rune) bool {
	switch {
	case r == 0x061c, r == 0x200e, r == 0x200f: // bidi marks
		return true
	case r >= 0x202a && r <= 0x202e: // bidi embeddings and overrides
		return true
	case r >= 0x2066 && r <= 0x2069: // bidi isolates
		return true
	case r == 0x2028, r == 0x2029: // line and paragraph separators
		return true
	}
	return false
}

// Cell escapes a CSV cell that a spreadsheet would take for a formula:
// one that begins with "=", "+", "-", "@", a tab or a carriage return
// (OWASP's rule) gets a leading "'", which spreadsheets show as text.
// A cell that already begins with "'"s before such a character gets one
// more, so that Uncell can always undo Cell exactly.
func Cell(s string) string {
	if needsQuote(s) {
		return "'" + s
	}
	return s
}

// Uncell undoes Cell, for importing a file that was exported with it.
func Uncell(s string) string {
	if strings.HasPrefix(s, "'") && needsQuote(s) {
		return s[1:]
	}
	return s
}

// needsQuote reports whether s, after any leading "'"s, begins with a
// character that makes a spreadsheet cell a formula.
func needsQuote(s string) bool {
	rest := strings.TrimLeft(s, "'")
	return rest != "" && strings.IndexByte("=+-@\t\r", rest[0]) >= 0
}

// CSVWriter writes CSV records like csv.Writer, every cell escaped with
// Cell: the writer for any CSV file made from text that came from outside.
type CSVWriter struct{ w *csv.Writer }

// NewCSVWriter returns a CSVWriter writing to w.
func NewCSVWriter(w io.Writer) *CSVWriter { return &CSVWriter{w: csv.NewWriter(w)} }

// Write writes one record, its cells escaped.
func (w *CSVWriter) Write(record []string) error {
	escaped := make([]string, len(record))
	for i, c := range record {
		escaped[i] = Cell(c)
	}
	return w.w.Write(escaped)
}

// Flush writes any buffered data; Error reports whether it failed.
func (w *CSVWriter) Flush() { w.w.Flush() }

// Error reports any error of a previous Write or Flush.
func (w *CSVWriter) Error() error { return w.w.Error() }

// Shorten cuts s to at most n runes (n ≥ 1), ending a cut text with "…"
// rather than a space before it.
func Shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

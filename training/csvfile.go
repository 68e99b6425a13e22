package training

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/tebingtinggi/hub/internal/csvsniff"
	"github.com/tebingtinggi/hub/internal/safetext"
)

// maxImportErrors caps how many problems one import reports, so that a badly
// broken file still yields a readable message.
const maxImportErrors = 20

// maxImportBytes bounds an import file (the city has a few thousand ASN).
const maxImportBytes = 32 << 20

// ImportError is one problem with an import file: where (file, line, the
// column's name) and what.
type ImportError struct {
	File  string
	Line  int // 1-based; 0 when the problem concerns the whole file
	Field string
	Msg   string
}

// Error formats the problem as `file:line: kolom "f": message`.
func (e *ImportError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	if e.Field != "" {
		fmt.Fprintf(&b, ": kolom %q", e.Field)
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	return b.String()
}

// ImportErrors lists the problems of one import file (at most 20); when an
// import returns it, nothing was imported.
type ImportErrors []*ImportError

// Error lists the problems, one per line.
func (es ImportErrors) Error() string {
	parts := make([]string, 0, len(es)+1)
	for _, e := range es {
		parts = append(parts, e.Error())
	}
	if len(es) >= maxImportErrors {
		parts = append(parts, "(masalah lainnya tidak ditampilkan)")
	}
	return strings.Join(parts, "\n")
}

// problems collects ImportErrors up to the cap.
type problems struct {
	file string
	errs ImportErrors
}

func (p *problems) add(line int, field, format string, args ...any) {
	if len(p.errs) < maxImportErrors {
		p.errs = append(p.errs, &ImportError{File: p.file, Line: line, Field: field, Msg: fmt.Sprintf(format, args...)})
	}
}

func (p *problems) full() bool { return len(p.errs) >= maxImportErrors }

// err returns the problems in file order (the database's findings come
// after the file's own), or nil.
func (p *problems) err() error {
	if len(p.errs) == 0 {
		return nil
	}
	slices.SortStableFunc(p.errs, func(a, b *ImportError) int { return a.Line - b.Line })
	return p.errs
}

// parseRows reads an import file (see readCSV) and turns each data row
// into a T with row, which reports every problem of the row to p. It
// returns all rows, those with problems too (an importer may check them
// against the database as well), and the problems; it stops early only
// when the problems reach their cap.
func parseRows[T any](r io.Reader, name string, required, optional []string, row func(rec csvRecord, p *problems) T) ([]T, *problems, error) {
	p := &problems{file: name}
	recs, err := readCSV(r, name, required, optional, p)
	if err != nil {
		return nil, nil, err
	}
	out := make([]T, 0, len(recs))
	for _, rec := range recs {
		if p.full() {
			break
		}
		checkCells(rec, p)
		out = append(out, row(rec, p))
	}
	return out, p, nil
}

// Every cell of an import file is one line of text: a name, a title, a
// code, a date. maxCellChars bounds them (a URL gets maxURLChars), far
// above any real value, so that a pasted document is refused rather than
// stored.
const (
	maxCellChars = 200
	maxURLChars  = 2000
)

// checkCells refuses control characters (newlines and tabs included), the
// invisible characters that reorder a line, and absurd lengths in every
// cell of rec: such a name or title would corrupt every message, report
// and terminal it reaches.
func checkCells(rec csvRecord, p *problems) {
	for _, field := range slices.Sorted(maps.Keys(rec.cells)) {
		v := rec.cells[field]
		if r, bad := safetext.Unprintable(v); bad {
			what := fmt.Sprintf("karakter kendali %U", r)
			switch r {
			case '\n', '\r':
				what = "pemisah baris"
			case utf8.RuneError:
				what = "karakter tidak sah"
			}
			p.add(rec.at(field), field, "ada %s dalam nilai; %s harus berupa satu baris teks biasa", what, field)
		}
		limit := maxCellChars
		if strings.HasSuffix(field, "url") {
			limit = maxURLChars
		}
		if n := utf8.RuneCountInString(v); n > limit {
			p.add(rec.at(field), field, "%d karakter; paling banyak %d", n, limit)
		}
	}
}

// once reports a key seen on an earlier row as a duplicate of field, and
// otherwise remembers the row's line for it.
func (p *problems) once(first map[string]int, key string, rec csvRecord, field, what string) {
	if l, dup := first[key]; dup {
		p.add(rec.at(field), field, "%s ganda, pertama kali pada baris %d", what, l)
		return
	}
	first[key] = rec.line
}

// code checks the row's code (column "code") against pattern, which allows
// at most maxLen characters, and that no earlier row of the file has it;
// kind names what the code is of ("pelatihan", "OPD", "sesi").
func (p *problems) code(rec csvRecord, first map[string]int, pattern *regexp.Regexp, maxLen int, kind, code string) {
	if !pattern.MatchString(code) {
		p.add(rec.at("code"), "code", "kode %s %q: gunakan huruf, angka, '.', '_' atau '-', paling banyak %d karakter", kind, code, maxLen)
		return
	}
	p.once(first, code, rec, "code", kind+" "+code)
}

// csvRecord is one data row of an import file.
type csvRecord struct {
	line   int               // line where the row starts
	cells  map[string]string // trimmed cell per column name
	lineOf map[string]int    // line of each cell (quoted cells may span lines)
}

func (r csvRecord) at(field string) int {
	if l, ok := r.lineOf[field]; ok {
		return l
	}
	return r.line
}

// readCSV reads an import file whose header names every column in required
// and possibly some in optional, in any order and any case, as Excel
// saves it (see csvsniff.Reader: blank rows and rows of separators alone
// are skipped). Cells are trimmed. Malformed CSV, a bad header or invalid
// UTF-8 is returned as ImportErrors; a row with too many or too few cells,
// or a value under an unnamed column, is reported to p and left out.
func readCSV(r io.Reader, name string, required, optional []string, p *problems) ([]csvRecord, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxImportBytes+1))
	if err != nil {
		return nil, fmt.Errorf("training: unable to read %s: %w", name, err)
	}
	if len(data) > maxImportBytes {
		return nil, ImportErrors{{File: name, Msg: fmt.Sprintf("berkas lebih besar dari %d MB", maxImportBytes>>20)}}
	}
	// The encoding first: a UTF-16 file read as UTF-8 would be refused
	// for an "unknown column" spelled with NULs.
	text, err := safetext.UTF8(data)
	if err != nil {
		var ee *safetext.EncodingError
		if !errors.As(err, &ee) {
			return nil, err
		}
		line := 0
		if ee.Offset > 0 {
			line, _ = csvsniff.Position(bytes.TrimPrefix(data, []byte("\uFEFF")), ee.Offset)
		}
		return nil, ImportErrors{{File: name, Line: line, Msg: ee.Msg}}
	}
	// Excel's ways of saving CSV (separator, line ends, a "sep=" line,
	// rows once used and cleared) are csvsniff's to know.
	cr := csvsniff.NewReader(text)
	data = cr.Text()
	var header []string
	csvErr := func(err error) error {
		var pe *csv.ParseError
		if !errors.As(err, &pe) {
			return ImportErrors{{File: name, Msg: "CSV rusak: " + csvsniff.Problem(err)}}
		}
		if errors.Is(pe.Err, csv.ErrQuote) || errors.Is(pe.Err, csv.ErrBareQuote) {
			return ImportErrors{quoteError(data, name, header, cr.Comma(), pe)}
		}
		return ImportErrors{{File: name, Line: pe.Line, Msg: "CSV rusak: " + csvsniff.Problem(pe.Err)}}
	}
	want := strings.Join(required, ",")
	header, err = cr.Read()
	if err == io.EOF {
		return nil, ImportErrors{{File: name, Line: 1, Msg: "berkas kosong; baris judul yang diharapkan: " + want}}
	}
	if err != nil {
		return nil, csvErr(err)
	}
	headerLine, _ := cr.FieldPos(0) // after a "sep=" line or cleared rows, not 1
	for i := range header {
		header[i] = strings.ToLower(strings.TrimSpace(header[i]))
	}
	named := 0 // columns up to the last one with a name
	for i, h := range header {
		if h == "" {
			continue // Excel's separator after the last column: checked per row below
		}
		named = i + 1
		if !slices.Contains(required, h) && !slices.Contains(optional, h) {
			return nil, ImportErrors{{File: name, Line: headerLine, Field: h, Msg: fmt.Sprintf("kolom tidak dikenal; baris judulnya %s (opsional: %s)", want, strings.Join(optional, ","))}}
		}
		if slices.Index(header, h) != i {
			return nil, ImportErrors{{File: name, Line: headerLine, Field: h, Msg: "kolom muncul dua kali"}}
		}
	}
	for _, h := range required {
		if !slices.Contains(header, h) {
			return nil, ImportErrors{{File: name, Line: headerLine, Field: h, Msg: "kolom tidak ada; baris judulnya " + want}}
		}
	}
	var out []csvRecord
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, csvErr(err)
		}
		line, _ := cr.FieldPos(0)
		// A row may stop before the unnamed columns at the header's end
		// (a header typed as "code;name;;;"): it reads as it would under
		// the header without them.
		if msg := cr.WidthProblem(len(rec), named, len(header)); msg != "" {
			// The row is left out; the others are still read, so that one
			// run names every problem of the file.
			p.add(line, "", "%s", msg)
			continue
		}
		row := csvRecord{line: line, cells: make(map[string]string, len(header)), lineOf: make(map[string]int, len(header))}
		bad := false
		for i, h := range header[:len(rec)] {
			if h == "" {
				if strings.TrimSpace(rec[i]) != "" {
					l, _ := cr.FieldPos(i)
					p.add(l, "", "ada isi di kolom ke-%d tanpa nama di baris judul; hapus isinya, atau beri kolom itu salah satu nama yang dikenal (%s)",
						i+1, strings.Join(append(slices.Clone(required), optional...), ", "))
					bad = true
				}
				continue
			}
			row.cells[h] = strings.TrimSpace(rec[i])
			row.lineOf[h], _ = cr.FieldPos(i)
		}
		if !bad {
			out = append(out, row)
		}
	}
	return out, nil
}

// quoteError names the line and column of a misplaced quote that the CSV
// reader (separating cells with comma) stopped at (pe), in words an
// officer can act on. A quoted cell left open swallows the rows after
// it, and the reader reports where it ran out: the error names where the
// cell opened instead. header names the columns (nil while reading the
// header itself).
func quoteError(data []byte, name string, header []string, comma rune, pe *csv.ParseError) *ImportError {
	e := &ImportError{File: name, Line: pe.Line}
	// Find where the record starts and read it again, cell by cell.
	off := 0
	for line := 1; line < pe.StartLine && off < len(data); line++ {
		i := bytes.IndexByte(data[off:], '\n')
		if i < 0 {
			off = len(data)
			break
		}
		off += i + 1
	}
	field, at, inQuote, quoted, start := 0, -1, false, false, true
	kind := ""
scan:
	for i := off; i < len(data); i++ {
		c := data[i]
		switch {
		case inQuote && c == '"' && i+1 < len(data) && data[i+1] == '"':
			i++ // an escaped quote
		case inQuote && c == '"':
			inQuote, quoted = false, true
		case inQuote:
		case rune(c) == comma:
			field, start, quoted = field+1, true, false
		case c == '\n' || c == '\r':
			break scan
		case quoted:
			kind, at = "after", i
			break scan
		case c == '"' && start:
			inQuote, at, start = true, i, false
		case c == '"':
			kind, at = "bare", i
			break scan
		default:
			start = false
		}
	}
	if inQuote {
		kind = "open"
	}
	if at >= 0 {
		e.Line = pe.StartLine + bytes.Count(data[off:at], []byte("\n"))
	}
	if field < len(header) {
		e.Field = header[field]
	}
	switch kind {
	case "open":
		e.Msg = "tanda kutip (\") pembuka tidak ditutup, sehingga baris-baris berikutnya terbaca sebagai isi nilai ini"
		if pe.Line > e.Line {
			e.Msg += fmt.Sprintf(" (sampai baris %d)", pe.Line)
		}
		e.Msg += "; tutup nilainya dengan tanda kutip"
	case "after":
		e.Msg = "ada karakter setelah tanda kutip (\") penutup; tanda kutip di dalam nilai ditulis dua kali (\"\")"
	case "bare":
		e.Msg = "tanda kutip (\") di tengah nilai yang tidak diawali tanda kutip; apit seluruh nilai dengan tanda kutip dan tulis tanda kutip di dalamnya dua kali (\"\")"
	default:
		e.Msg = "CSV rusak: tanda kutip (\") salah tempat"
	}
	return e
}

// parseFlag reads a yes/no cell; empty means def.
func parseFlag(s string, def bool) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "":
		return def, true
	case "ya", "y", "yes", "true", "1", "aktif":
		return true, true
	case "tidak", "t", "no", "n", "false", "0", "nonaktif", "tidak aktif":
		return false, true
	}
	return false, false
}

const flagHint = `isi "ya" atau "tidak" (juga 1/0, true/false, aktif/nonaktif)`

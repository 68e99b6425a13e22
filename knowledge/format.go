package knowledge

import (
	"bytes"
	"cmp"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/tebingtinggi/hub/internal/csvsniff"
	"github.com/tebingtinggi/hub/internal/safetext"
)

// This file holds the knowledge base's file formats (JSON and CSV, for import
// and export) and the validation every entry passes before it is stored.

// MaxSlugLen is the longest entry id accepted, in bytes.
const MaxSlugLen = 100

// MaxFileSize is the largest import file read, in bytes.
const MaxFileSize = 32 << 20

// maxErrors caps how many problems one parse reports, so that a badly broken
// file yields a readable message.
const maxErrors = 20

// listSeparator separates the items of a list (alternates, tags) in a CSV
// cell.
const listSeparator = " | "

var slugPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// FieldError describes one problem with one entry, or with an import file.
// Parse functions fill in File, and Line (and Column for syntax errors) when
// they know them; Validate leaves them zero.
type FieldError struct {
	File   string // file name as given to the parse function, or ""
	Line   int    // 1-based line of the problem, 0 when unknown
	Column int    // 1-based column (in characters) for syntax errors, else 0
	ID     string // the entry's id, when known
	Field  string // the field's name in the file format ("answer", "tags", …)
	// Kind says what is wrong, for a caller that words the problem its
	// own way (a form that names the field it belongs to); Msg says it
	// to officers, and its wording may change.
	Kind FieldErrorKind
	Msg  string
}

// FieldErrorKind is what a FieldError's problem is, as far as a caller
// needs to tell.
type FieldErrorKind uint8

const (
	// FieldInvalid is any problem that has no kind of its own: the value
	// is there but not acceptable, or the problem is with a file.
	FieldInvalid FieldErrorKind = iota
	// FieldMissing is a required value left empty (or blank).
	FieldMissing
	// FieldTooLong is a value longer than its field holds.
	FieldTooLong
	// FieldTooMany is a list (alternates, tags) with more items than an
	// entry holds.
	FieldTooMany
)

// missingField is the problem of a required field of entry id left empty.
func missingField(id, field string) *FieldError {
	return &FieldError{ID: id, Field: field, Kind: FieldMissing, Msg: "belum diisi"}
}

// tooManyItems is the problem of a list field of entry id with n items,
// more than the most it holds; noun names the items in Indonesian.
func tooManyItems(id, field, noun string, most, n int) *FieldError {
	return &FieldError{ID: id, Field: field, Kind: FieldTooMany, Msg: fmt.Sprintf("paling banyak %d %s per entri (ada %d)", most, noun, n)}
}

// tooLongField is the problem of a field of entry id that is n long, more
// than its limit (characters, or bytes for an id).
func tooLongField(id, field string, limit, n int) *FieldError {
	return &FieldError{ID: id, Field: field, Kind: FieldTooLong, Msg: fmt.Sprintf("lebih dari %d karakter (%d)", limit, n)}
}

// Error formats the problem as `file:line: entri "id": kolom "f": message`,
// leaving out the parts that are unknown; like the message, it is in
// Indonesian, since officers read it wherever they import or edit.
func (e *FieldError) Error() string {
	var b strings.Builder
	switch {
	case e.File != "" && e.Line > 0:
		fmt.Fprintf(&b, "%s:%d", e.File, e.Line)
	case e.File != "":
		b.WriteString(e.File)
	case e.Line > 0:
		fmt.Fprintf(&b, "baris %d", e.Line)
	}
	if e.Column > 0 {
		fmt.Fprintf(&b, ":%d", e.Column)
	}
	sep := func() {
		if b.Len() > 0 {
			b.WriteString(": ")
		}
	}
	if e.ID != "" {
		sep()
		fmt.Fprintf(&b, "entri %q", e.ID)
	}
	if e.Field != "" {
		sep()
		fmt.Fprintf(&b, "kolom %q", e.Field)
	}
	sep()
	b.WriteString(e.Msg)
	return b.String()
}

// Validate reports the first problem with e as a *FieldError, or nil when e
// can be stored. An empty status is valid (it means published); list items
// are checked after trimming, and empty ones are ignored.
func Validate(e Entry) error {
	_, err := normalize(e)
	return err
}

// normalize returns e in the canonical form the store and the file formats
// use, or the first problem as a *FieldError: line endings become "\n",
// text is trimmed, list items are trimmed with inner whitespace collapsed,
// empty and duplicate (case-insensitive) items are dropped, and so are
// alternates equal to the question (case and spacing aside), empty lists
// become nil and an empty status becomes published. normalize is
// idempotent.
func normalize(e Entry) (Entry, error) { return normalizeWithin(e, nil) }

// noLimits is the was of normalizeWithin that lifts every limit.
var noLimits = &Entry{}

// normalizeWithin is normalize for a change of was, the stored entry (nil
// for a new one): a category, alternates or tags already over their limit
// in was (saved before the limit existed) pass as long as the change does
// not make them worse, so that such an entry can still be corrected,
// archived or restored. was is in normalized form; noLimits as was
// checks no limit, for a caller that checks them once it has read the
// stored entry.
func normalizeWithin(e Entry, was *Entry) (Entry, error) {
	id := func() string {
		if !utf8.ValidString(e.Slug) {
			return strings.ToValidUTF8(e.Slug, "\uFFFD")
		}
		return e.Slug
	}
	fail := func(field, format string, args ...any) (Entry, error) {
		return Entry{}, &FieldError{ID: id(), Field: field, Msg: fmt.Sprintf(format, args...)}
	}
	var err error
	text := func(field, s string) string {
		if err != nil {
			return ""
		}
		s, msg := cleanText(s)
		if msg != "" {
			_, err = fail(field, "%s", msg)
		}
		return s
	}
	e.Slug = text("id", e.Slug)
	e.Category = text("category", e.Category)
	e.Question = text("question", e.Question)
	if err != nil {
		return Entry{}, err
	}
	switch {
	case e.Slug == "":
		return Entry{}, missingField(id(), "id")
	case len(e.Slug) > MaxSlugLen:
		return Entry{}, tooLongField(id(), "id", MaxSlugLen, len(e.Slug))
	case !slugPattern.MatchString(e.Slug):
		return fail("id", "hanya boleh berisi huruf kecil, angka, dan tanda hubung tunggal di antaranya (seperti \"ktp-hilang\")")
	case e.Question == "":
		return Entry{}, missingField(id(), "question")
	}
	if n := utf8.RuneCountInString(e.Question); n > MaxQuestionLen {
		return Entry{}, tooLongField(id(), "question", MaxQuestionLen, n)
	}
	if n := utf8.RuneCountInString(e.Category); n > MaxCategoryLen && was != noLimits && (was == nil || n > utf8.RuneCountInString(was.Category)) {
		return Entry{}, tooLongField(id(), "category", MaxCategoryLen, n)
	}
	var fe *FieldError
	if e.Answer, fe = cleanAnswer(id(), e.Answer); fe != nil {
		return Entry{}, fe
	}
	e.Status = Status(strings.ToLower(strings.TrimSpace(string(e.Status))))
	if e.Status == "" {
		e.Status = Published
	}
	if !e.Status.Valid() {
		return fail("status", "%q bukan salah satu dari draft, published, archived", string(e.Status))
	}
	for _, l := range []struct {
		field string
		list  *[]string
	}{{"alternates", &e.Alternates}, {"tags", &e.Tags}} {
		out, msg := cleanList(*l.list)
		if msg != "" {
			return fail(l.field, "%s", msg)
		}
		*l.list = out
	}
	// An alternate that is the question again adds nothing to search.
	e.Alternates = slices.DeleteFunc(e.Alternates, func(a string) bool { return phraseKey(a) == phraseKey(e.Question) })
	if len(e.Alternates) == 0 {
		e.Alternates = nil
	}
	var wasAlternates, wasTags []string
	if was != nil {
		wasAlternates, wasTags = was.Alternates, was.Tags
	}
	for _, l := range []struct {
		field, noun string
		list, was   []string
		most, long  int
	}{{"alternates", "variasi pertanyaan", e.Alternates, wasAlternates, MaxAlternates, MaxQuestionLen}, {"tags", "tag", e.Tags, wasTags, MaxTags, MaxTagLen}} {
		if was == noLimits {
			continue
		}
		if len(l.list) > l.most && (was == nil || len(l.list) > len(l.was)) {
			// Not FieldTooLong: no one item is too long.
			return Entry{}, tooManyItems(id(), l.field, l.noun, l.most, len(l.list))
		}
		for i, it := range l.list {
			if n := utf8.RuneCountInString(it); n > l.long && !slices.Contains(l.was, it) {
				fe := tooLongField(id(), l.field, l.long, n)
				fe.Msg = fmt.Sprintf("butir %d: %s", i+1, fe.Msg)
				return Entry{}, fe
			}
		}
	}
	return e, nil
}

// ValidateAnswer reports the problem with answer as an entry's answer,
// as Validate and every save report it (a *FieldError whose Field is
// "answer"), or nil: a desk checks an officer's reply with it before the
// reply, saved as a draft's answer, is sent.
func ValidateAnswer(answer string) error {
	if _, fe := cleanAnswer("", answer); fe != nil {
		return fe
	}
	return nil
}

// cleanAnswer is answer as entry id keeps it (see cleanText), or the
// problem with it.
func cleanAnswer(id, answer string) (string, *FieldError) {
	s, msg := cleanText(answer)
	switch n := utf8.RuneCountInString(s); {
	case msg != "":
		return "", &FieldError{ID: id, Field: "answer", Msg: msg}
	case s == "":
		return "", missingField(id, "answer")
	case n > MaxAnswerLen:
		return "", tooLongField(id, "answer", MaxAnswerLen, n)
	}
	return s, nil
}

// cleanText normalises line endings and trims s; it returns a message when s
// is not acceptable text.
func cleanText(s string) (string, string) {
	if !utf8.ValidString(s) {
		return "", "bukan UTF-8 yang sah"
	}
	if strings.IndexByte(s, '\r') >= 0 {
		s = strings.ReplaceAll(s, "\r\n", "\n")
		s = strings.ReplaceAll(s, "\r", "\n")
	}
	for _, r := range s {
		if r != '\n' && r != '\t' && unicode.IsControl(r) {
			return "", fmt.Sprintf("berisi karakter kendali %U", r)
		}
	}
	return strings.TrimSpace(s), ""
}

// cleanList cleans each item, collapses inner whitespace and drops empty and
// duplicate items; it returns nil for an empty result.
func cleanList(items []string) ([]string, string) {
	var out []string
	seen := make(map[string]bool, len(items))
	for i, it := range items {
		it, msg := cleanText(it)
		if msg != "" {
			return nil, fmt.Sprintf("butir %d: %s", i+1, msg)
		}
		it = strings.Join(strings.Fields(it), " ")
		if it == "" {
			continue
		}
		if strings.Contains(it, "|") {
			return nil, fmt.Sprintf("butir %d (%q) berisi \"|\", tanda pemisah butir daftar di berkas CSV", i+1, it)
		}
		key := strings.ToLower(it)
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, it)
	}
	return out, ""
}

// phraseKey is the form in which two phrases are compared for duplicates:
// lowercase with whitespace collapsed.
func phraseKey(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}

// normalizeTerms lowercases, trims and de-duplicates the terms of a synonym
// group and checks that at least two distinct terms remain.
func normalizeTerms(terms []string) ([]string, error) {
	var out []string
	seen := make(map[string]bool, len(terms))
	for i, t := range terms {
		t, msg := cleanText(t)
		if msg != "" {
			return nil, fmt.Errorf("istilah %d: %s", i+1, msg)
		}
		if strings.ContainsAny(t, termSeparators) {
			return nil, fmt.Errorf("istilah %d (%q) memuat pemisah \"=\", \",\" atau baris baru, jadi tidak akan cocok dengan pertanyaan mana pun: "+
				"tulis satu istilah saja di setiap bagian, misalnya ktp = e-ktp = kartu tanda penduduk", i+1, safetext.Shorten(t, 60))
		}
		t = phraseKey(t)
		if t == "" || seen[t] {
			continue
		}
		seen[t] = true
		out = append(out, t)
	}
	if len(out) < 2 {
		return nil, fmt.Errorf("satu kelompok sinonim perlu paling sedikit dua istilah yang berbeda (ada %d)", len(out))
	}
	return out, nil
}

// checkSynonymOverlap fails when a term appears in more than one group;
// groups must be normalised.
func checkSynonymOverlap(groups [][]string) (int, error) {
	owner := make(map[string]int)
	for i, g := range groups {
		for _, t := range g {
			if j, ok := owner[t]; ok && j != i {
				return i, fmt.Errorf("istilah %q ada di kelompok sinonim %d dan %d; gabungkan keduanya", t, j+1, i+1)
			}
			owner[t] = i
		}
	}
	return 0, nil
}

// File is the content of a JSON knowledge-base file: its entries and the
// optional synonym groups.
type File struct {
	Entries  []Entry
	Synonyms [][]string
	// name and lines say where the entries were read, when a parse
	// function read them: the file's name and, for each entry, the line
	// of each of its fields ("" the entry's own), so that an import names
	// them in a problem that only the store finds.
	name  string
	lines []map[string]int
}

// at fills in where in the file the field of fe, a problem of the i-th
// entry (from 0), is, when f was read from one.
func (f File) at(fe *FieldError, i int) *FieldError {
	fe.File = f.name
	if i < len(f.lines) {
		fe.Line = cmp.Or(f.lines[i][fe.Field], f.lines[i][""])
	}
	return fe
}

// wordingAt is where a wording of an import was first seen.
type wordingAt struct {
	slug      string
	line      int // 0 when unknown
	place     int // the entry's place in the import, from 1
	alternate bool
}

// sharedWordings finds the wordings (questions and alternates, compared
// ignoring case and spacing, see phraseKey) that two entries of one
// import share: the bot's answer to such a wording would flip between
// them, as the store refuses it elsewhere (see Store.Taken). An archived
// entry's wordings are left out (see Status.HoldsWordings).
type sharedWordings map[string]wordingAt

// add records the wordings of e, the place-th entry (from 1), and
// returns the problem of each that an earlier entry has; line gives the
// line of one of e's fields, 0 when unknown.
func (s sharedWordings) add(e Entry, place int, line func(field string) int) []*FieldError {
	if !e.Status.HoldsWordings() {
		return nil
	}
	var out []*FieldError
	for i, w := range append([]string{e.Question}, e.Alternates...) {
		field := "question"
		if i > 0 {
			field = "alternates"
		}
		key := phraseKey(w)
		prev, seen := s[key]
		if !seen {
			s[key] = wordingAt{slug: e.Slug, line: line(field), place: place, alternate: i > 0}
			continue
		}
		if prev.slug == e.Slug {
			continue // an entry may have its question among its alternates
		}
		where := fmt.Sprintf("di baris %d", prev.line)
		if prev.line == 0 {
			where = fmt.Sprintf("(entri ke-%d)", prev.place)
		}
		out = append(out, &FieldError{ID: e.Slug, Field: field, Line: line(field),
			Msg: fmt.Sprintf("%s sudah dipakai entri %q %s %s; %s", wordingName(i, w), prev.slug, where, holding(prev.alternate), oneEntryRule)})
	}
	return out
}

// oneEntryRule says why a wording is refused that another entry has.
const oneEntryRule = "satu kalimat tanya hanya boleh ada di satu entri, agar jawaban bot untuk kalimat itu tidak berganti-ganti"

// wordingName names the i-th wording of an entry, w: its question (0)
// or one of its alternates (from 1).
func wordingName(i int, w string) string {
	if i == 0 {
		return "pertanyaan ini"
	}
	return fmt.Sprintf("variasi ke-%d (%q)", i, w)
}

// holding says how an entry has a wording.
func holding(alternate bool) string {
	if alternate {
		return "sebagai variasi pertanyaannya"
	}
	return "sebagai pertanyaannya"
}

// takenField is the problem of the i-th wording w (see wordingName) of
// entry slug that entry taken already has; notInFile tells that an
// import file holds slug and not taken.
func takenField(slug string, i int, w string, taken *QuestionTaken, notInFile bool) *FieldError {
	field := "question"
	if i > 0 {
		field = "alternates"
	}
	who := fmt.Sprintf("entri %q (%s)", taken.Entry.Slug, taken.Entry.Status.Word())
	if notInFile {
		who += ", yang tidak ada di berkas,"
	}
	msg := fmt.Sprintf("%s sudah dipakai %s %s", wordingName(i, w), who, holding(taken.Alternate))
	return &FieldError{ID: slug, Field: field, Msg: msg + "; " + oneEntryRule}
}

// jsonEntry is an entry as written in files and revision snapshots.
type jsonEntry struct {
	ID         string   `json:"id"`
	Category   string   `json:"category"`
	Question   string   `json:"question"`
	Alternates []string `json:"alternates"`
	Answer     string   `json:"answer"`
	Tags       []string `json:"tags"`
	Status     Status   `json:"status"`
}

func toJSONEntry(e Entry) jsonEntry {
	j := jsonEntry{ID: e.Slug, Category: e.Category, Question: e.Question, Alternates: e.Alternates,
		Answer: e.Answer, Tags: e.Tags, Status: e.Status}
	if j.Alternates == nil {
		j.Alternates = []string{}
	}
	if j.Tags == nil {
		j.Tags = []string{}
	}
	if j.Status == "" {
		j.Status = Published
	}
	return j
}

func (j jsonEntry) entry() Entry {
	return Entry{Slug: j.ID, Category: j.Category, Question: j.Question, Alternates: j.Alternates,
		Answer: j.Answer, Tags: j.Tags, Status: j.Status}
}

// ParseFile reads an import file, choosing the format by its extension
// (.json or .csv). Errors name the file by its base name.
func ParseFile(path string) ([]Entry, error) {
	f, err := ParseFileWithSynonyms(path)
	return f.Entries, err
}

// ParseFileWithSynonyms is ParseFile that also returns the synonym groups of
// a JSON file (CSV files have none).
func ParseFileWithSynonyms(path string) (File, error) {
	name := filepath.Base(path)
	ext := strings.ToLower(filepath.Ext(path))
	if ext != ".json" && ext != ".csv" {
		return File{}, unknownFormat(name)
	}
	fh, err := os.Open(path)
	if err != nil {
		return File{}, fmt.Errorf("knowledge: unable to open import file: %w", err)
	}
	defer fh.Close()
	return ParseNamed(fh, name)
}

// ParseNamed parses an import file read from r, choosing the format by the
// extension of name (.json or .csv), which errors name: what an upload
// gives.
func ParseNamed(r io.Reader, name string) (File, error) {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv":
		return parseCSV(r, name)
	case ".json":
		return ParseJSONFile(r, name)
	}
	return File{}, unknownFormat(name)
}

// unknownFormat is the problem of an import file named name that is
// neither .json nor .csv, as officers read it.
func unknownFormat(name string) *FieldError {
	kind := fmt.Sprintf("jenis berkas %q tidak dikenal", filepath.Ext(name))
	if filepath.Ext(name) == "" {
		kind = "jenis berkas tidak dikenal (namanya tanpa akhiran)"
	}
	return &FieldError{File: name, Msg: kind + ": hanya berkas .json atau .csv yang dapat diimpor " +
		"(simpan lembar kerja sebagai CSV UTF-8, atau pakai JSON hasil ekspor)"}
}

// readInput reads at most MaxFileSize bytes, checks that the content is
// UTF-8 (see safetext.UTF8) and strips a UTF-8 byte order mark. pos
// converts a byte offset into the line and column the format counts.
func readInput(r io.Reader, name string, pos func(data []byte, off int) (line, col int)) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("knowledge: unable to read %s: %w", name, err)
	}
	if len(data) > MaxFileSize {
		return nil, &FieldError{File: name, Msg: fmt.Sprintf("lebih besar dari %d MiB", MaxFileSize>>20)}
	}
	// The encoding first: a UTF-16 file is named as such, not parsed
	// into NUL-spelled garbage.
	text, err := safetext.UTF8(data)
	var ee *safetext.EncodingError
	if errors.As(err, &ee) {
		if ee.Offset == 0 {
			return nil, &FieldError{File: name, Msg: ee.Msg}
		}
		line, col := pos(bytes.TrimPrefix(data, []byte("\uFEFF")), ee.Offset)
		return nil, &FieldError{File: name, Line: line, Column: col, Msg: ee.Msg}
	}
	return text, err
}

// position converts a byte offset into a 1-based line and column (in
// characters).
func position(data []byte, off int) (line, col int) {
	return newLineIndex(data).position(off)
}

// lineIndex finds the line of a byte offset in O(log n). A line ends at
// LF, CRLF or a lone CR (as files saved on old Macs end them), so the
// line named is the one an editor shows.
type lineIndex struct {
	data     []byte
	newlines []int // offsets of the last byte of each line end
}

func newLineIndex(data []byte) *lineIndex {
	li := &lineIndex{data: data}
	for i, b := range data {
		if b == '\n' || b == '\r' && (i+1 == len(data) || data[i+1] != '\n') {
			li.newlines = append(li.newlines, i)
		}
	}
	return li
}

// line converts a byte offset into a 1-based line number. Unlike position
// it does not count the characters before off, which on a file written as
// one long line would make every lookup as slow as the file is long.
func (li *lineIndex) line(off int) int {
	off = min(max(off, 0), len(li.data))
	n, _ := slices.BinarySearch(li.newlines, off) // newlines before off
	return n + 1
}

// position converts a byte offset into a 1-based line and column (in
// characters).
func (li *lineIndex) position(off int) (line, col int) {
	off = min(max(off, 0), len(li.data))
	line = li.line(off)
	start := 0
	if line > 1 {
		start = li.newlines[line-2] + 1
	}
	return line, utf8.RuneCount(li.data[start:off]) + 1
}

// collector gathers the problems found in a file, up to maxErrors.
type collector struct {
	errs []error
}

func (c *collector) add(err error) {
	if len(c.errs) == maxErrors {
		c.errs = append(c.errs, errors.New("terlalu banyak masalah; perbaiki yang di atas dahulu"))
	}
	if len(c.errs) < maxErrors {
		c.errs = append(c.errs, err)
	}
}

func (c *collector) full() bool { return len(c.errs) > maxErrors }

func (c *collector) err() error {
	if len(c.errs) == 1 {
		return c.errs[0]
	}
	return errors.Join(c.errs...)
}

// ParseJSON parses a JSON knowledge-base file: {"entries": [...]}. name is
// used in error messages. See ParseJSONFile.
func ParseJSON(r io.Reader, name string) ([]Entry, error) {
	f, err := ParseJSONFile(r, name)
	return f.Entries, err
}

// ParseJSONFile parses a JSON knowledge-base file with its optional
// "synonyms" list of term lists. Entries come back validated and normalised
// (a missing status means published). On any problem it returns no entries
// and an error listing each problem (up to 20) as a *FieldError with the
// file name and line.
func ParseJSONFile(r io.Reader, name string) (File, error) {
	data, err := readInput(r, name, position)
	if err != nil {
		return File{}, err
	}
	p := &jsonParser{name: name, data: data, lines: newLineIndex(data), dec: json.NewDecoder(bytes.NewReader(data)), shared: sharedWordings{}}
	f, err := p.parse()
	if err != nil {
		return File{}, err
	}
	if len(p.c.errs) > 0 {
		return File{}, p.c.err()
	}
	f.name, f.lines = name, p.entryLines
	return f, nil
}

type jsonParser struct {
	name  string
	data  []byte
	lines *lineIndex
	dec   *json.Decoder
	c     collector
	// shared and entryLines are the wordings and the field lines of the
	// entries read so far.
	shared     sharedWordings
	entryLines []map[string]int
}

// errAt is a problem at a byte offset.
func (p *jsonParser) errAt(off int, id, field, format string, args ...any) *FieldError {
	return &FieldError{File: p.name, Line: p.lines.line(off), ID: id, Field: field, Msg: fmt.Sprintf(format, args...)}
}

// lineAt is the line where the next value starts.
func (p *jsonParser) lineAt() int {
	return p.lines.line(p.valueStart())
}

// syntax turns a decoding error that leaves the decoder unusable into a
// *FieldError. The decoder's own offsets are not absolute once Token and
// Decode are mixed, so the position comes from validating the whole input.
func (p *jsonParser) syntax(err error) error {
	var se *json.SyntaxError
	if !errors.As(err, &se) && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return &FieldError{File: p.name, Msg: "JSON rusak: " + jsonProblem(err.Error())}
	}
	var raw json.RawMessage
	if verr := json.Unmarshal(p.data, &raw); errors.As(verr, &se) {
		off := int(se.Offset)
		if off > 0 && off < len(p.data) {
			off-- // Offset counts the offending byte
		}
		line, col := p.lines.position(off)
		return &FieldError{File: p.name, Line: line, Column: col, Msg: "JSON rusak: " + jsonProblem(se.Error())}
	}
	if se != nil {
		return &FieldError{File: p.name, Msg: "JSON rusak: " + jsonProblem(se.Error())}
	}
	line, col := p.lines.position(len(p.data))
	return &FieldError{File: p.name, Line: line, Column: col, Msg: "JSON rusak: berkas berakhir sebelum waktunya"}
}

// jsonProblem words, in Indonesian for the officer who imports the file,
// what encoding/json's message says is wrong: which character, where a
// value, a name, ":" or "," was expected.
func jsonProblem(msg string) string {
	if m := invalidCharRE.FindStringSubmatch(msg); m != nil {
		where := "di tempat ini"
		for _, c := range jsonContexts {
			if strings.Contains(m[2], c.english) {
				where = c.words
				break
			}
		}
		return "karakter " + m[1] + " tidak diharapkan " + where
	}
	switch {
	case strings.Contains(msg, "unexpected end of JSON input"):
		return "berkas berakhir sebelum waktunya"
	case strings.Contains(msg, "expected comma"):
		return "seharusnya ada koma (,) di sini"
	case strings.Contains(msg, "expected colon"):
		return "seharusnya ada titik dua (:) setelah nama kolom"
	}
	return "isi berkas tidak dapat dibaca sebagai JSON"
}

var invalidCharRE = regexp.MustCompile(`^invalid character ('(?:[^'\\]|\\.)*'|\S+) (.*)$`)

// jsonContexts word encoding/json's "invalid character … <context>",
// the longest first where one contains another.
var jsonContexts = []struct{ english, words string }{
	{"looking for beginning of object key string", "di tempat nama kolom (dalam tanda kutip) seharusnya dimulai"},
	{"looking for beginning of value", "di tempat sebuah nilai seharusnya dimulai"},
	{"after object key:value pair", "setelah pasangan nama dan nilai (seharusnya koma atau })"},
	{"after object key", "setelah nama kolom (seharusnya titik dua)"},
	{"after array element", "setelah unsur daftar (seharusnya koma atau ])"},
	{"after top-level value", "setelah akhir isi berkas"},
	{"in string literal", "di dalam teks (karakter kendali seperti tab atau baris baru ditulis dengan \\)"},
	{"in string escape code", "setelah garis miring terbalik (\\)"},
	{"in \\u hexadecimal character escape", "pada kode \\u (seharusnya empat angka heksadesimal)"},
	{"in numeric literal", "di dalam angka"},
	{"in literal", "di dalam true, false atau null"},
}

// valueStart is the offset where the next value starts: the decoder's
// position with blanks and separators skipped.
func (p *jsonParser) valueStart() int {
	off := int(p.dec.InputOffset())
	for off < len(p.data) && strings.IndexByte(" \t\r\n,:", p.data[off]) >= 0 {
		off++
	}
	return off
}

// decodeValue decodes the next value into v. A type mismatch is recorded
// (the decoder stays usable) and reported as false; a syntax error is
// returned.
func (p *jsonParser) decodeValue(v any, id, field string) (bool, error) {
	// Decode reads from just after the pending separator, blanks included.
	start := int(p.dec.InputOffset())
	for start < len(p.data) && strings.IndexByte(" \t\r\n", p.data[start]) >= 0 {
		start++
	}
	if start < len(p.data) && (p.data[start] == ',' || p.data[start] == ':') {
		start++
	}
	err := p.dec.Decode(v)
	if err == nil {
		return true, nil
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		// te.Offset is relative to the value and just after the culprit.
		off := start + max(int(te.Offset)-1, 0)
		p.c.add(p.errAt(off, id, field, "seharusnya %s, bukan %s", typeName(te.Type), jsonValueName(te.Value)))
		return false, nil
	}
	return false, p.syntax(err)
}

func typeName(t reflect.Type) string {
	switch {
	case t == nil:
		return "jenis lain"
	case t.Kind() == reflect.String:
		return "teks"
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Slice:
		return "daftar berisi daftar teks"
	case t.Kind() == reflect.Slice:
		return "daftar teks"
	default:
		return t.String()
	}
}

// expectDelim reads the next token and checks that it opens an object or a
// list; when the value is something else it is consumed and reported.
func (p *jsonParser) expectDelim(d json.Delim, id, field, what string) (bool, error) {
	line := p.lineAt()
	tok, err := p.dec.Token()
	if err != nil {
		return false, p.syntax(err)
	}
	if tok == d {
		return true, nil
	}
	got := jsonKind(tok)
	if delim, ok := tok.(json.Delim); ok {
		// Skip the rest of the unexpected object or list.
		if err := p.skipRest(delim); err != nil {
			return false, err
		}
	}
	p.c.add(&FieldError{File: p.name, Line: line, ID: id, Field: field, Msg: fmt.Sprintf("seharusnya %s, bukan %s", what, got)})
	return false, nil
}

// skipRest consumes tokens up to the end of a just-opened object or list.
func (p *jsonParser) skipRest(open json.Delim) error {
	depth := 1
	for depth > 0 {
		tok, err := p.dec.Token()
		if err != nil {
			return p.syntax(err)
		}
		if d, ok := tok.(json.Delim); ok {
			if d == '[' || d == '{' {
				depth++
			} else {
				depth--
			}
		}
	}
	return nil
}

func jsonKind(tok json.Token) string {
	switch v := tok.(type) {
	case json.Delim:
		if v == '{' {
			return "objek"
		}
		return "daftar"
	case string:
		return "teks"
	case bool:
		return "nilai benar/salah"
	case nil:
		return "null"
	default:
		return "angka"
	}
}

// jsonValueName names, for an officer, the kind of value that
// encoding/json reports in an UnmarshalTypeError ("number", "bool", …).
func jsonValueName(v string) string {
	switch {
	case v == "number" || strings.HasPrefix(v, "number "):
		return "angka"
	case v == "bool":
		return "nilai benar/salah"
	case v == "string":
		return "teks"
	case v == "array":
		return "daftar"
	case v == "object":
		return "objek"
	}
	return v
}

// key reads the next object key.
func (p *jsonParser) key() (string, int, error) {
	tok, err := p.dec.Token()
	if err != nil {
		return "", 0, p.syntax(err)
	}
	k, _ := tok.(string)
	return k, p.lines.line(int(p.dec.InputOffset())), nil
}

// end reads the closing token of an object or list.
func (p *jsonParser) end() error {
	if _, err := p.dec.Token(); err != nil {
		return p.syntax(err)
	}
	return nil
}

func (p *jsonParser) parse() (File, error) {
	var f File
	ok, err := p.expectDelim('{', "", "", `objek seperti {"entries": [...]}`)
	if err != nil || !ok {
		return File{}, err
	}
	seen := map[string]bool{}
	for p.dec.More() && !p.c.full() {
		k, line, err := p.key()
		if err != nil {
			return File{}, err
		}
		if seen[k] {
			p.c.add(&FieldError{File: p.name, Line: line, Msg: fmt.Sprintf("kolom %q muncul dua kali", k)})
		}
		seen[k] = true
		switch k {
		case "entries":
			f.Entries, err = p.entries()
		case "synonyms":
			f.Synonyms, err = p.synonyms()
		default:
			p.c.add(&FieldError{File: p.name, Line: line, Msg: fmt.Sprintf("kolom %q tidak dikenal (yang dikenal: \"entries\" dan, bila perlu, \"synonyms\")", k)})
			var skip json.RawMessage
			_, err = p.decodeValue(&skip, "", k)
		}
		if err != nil {
			return File{}, err
		}
	}
	if p.c.full() {
		return File{}, nil
	}
	if err := p.end(); err != nil {
		return File{}, err
	}
	if _, err := p.dec.Token(); err != io.EOF {
		if err != nil {
			return File{}, p.syntax(err)
		}
		return File{}, p.errAt(int(p.dec.InputOffset()), "", "", "ada data lain setelah objek utama")
	}
	if !seen["entries"] {
		p.c.add(&FieldError{File: p.name, Msg: `daftar "entries" tidak ada`})
	}
	return f, nil
}

// entries parses the "entries" list.
func (p *jsonParser) entries() ([]Entry, error) {
	ok, err := p.expectDelim('[', "", "entries", "daftar entri")
	if err != nil || !ok {
		return nil, err
	}
	var out []Entry
	firstLine := map[string]int{}
	for p.dec.More() && !p.c.full() {
		e, lines, ok, err := p.entry()
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		ne, err := normalize(e)
		if err != nil {
			fe := err.(*FieldError)
			fe.File = p.name
			fe.Line = lines[fe.Field]
			if fe.Line == 0 {
				fe.Line = lines[""]
			}
			p.c.add(fe)
			continue
		}
		if first, dup := firstLine[ne.Slug]; dup {
			p.c.add(&FieldError{File: p.name, Line: lines["id"], ID: ne.Slug, Field: "id",
				Msg: fmt.Sprintf("id ganda, sudah dipakai di baris %d", first)})
			continue
		}
		clash := false
		for _, fe := range p.shared.add(ne, len(out)+1, func(field string) int { return cmp.Or(lines[field], lines[""]) }) {
			fe.File = p.name
			p.c.add(fe)
			clash = true
		}
		if clash {
			continue
		}
		firstLine[ne.Slug] = max(lines["id"], lines[""])
		out = append(out, ne)
		p.entryLines = append(p.entryLines, lines)
	}
	if p.c.full() {
		return nil, nil
	}
	return out, p.end()
}

// entry parses one entry object, returning the line of each field (and of
// the entry itself under ""). ok is false when a problem was recorded.
func (p *jsonParser) entry() (Entry, map[string]int, bool, error) {
	lines := map[string]int{"": p.lineAt()}
	ok, err := p.expectDelim('{', "", "entries", "objek entri")
	if err != nil || !ok {
		return Entry{}, nil, false, err
	}
	var j jsonEntry
	good := true
	for p.dec.More() {
		k, line, err := p.key()
		if err != nil {
			return Entry{}, nil, false, err
		}
		if _, dup := lines[k]; dup {
			p.c.add(&FieldError{File: p.name, Line: line, ID: j.ID, Field: k, Msg: "muncul dua kali dalam entri"})
			good = false
		}
		lines[k] = line
		var target any
		switch k {
		case "id":
			target = &j.ID
		case "category":
			target = &j.Category
		case "question":
			target = &j.Question
		case "alternates":
			target = &j.Alternates
		case "answer":
			target = &j.Answer
		case "tags":
			target = &j.Tags
		case "status":
			target = &j.Status
		default:
			p.c.add(&FieldError{File: p.name, Line: line, ID: j.ID, Field: k,
				Msg: "kolom tidak dikenal (yang dikenal: id, category, question, alternates, answer, tags, status)"})
			good = false
			target = new(json.RawMessage)
		}
		decoded, err := p.decodeValue(target, j.ID, k)
		if err != nil {
			return Entry{}, nil, false, err
		}
		good = good && decoded
	}
	if err := p.end(); err != nil {
		return Entry{}, nil, false, err
	}
	return j.entry(), lines, good, nil
}

// synonyms parses the optional "synonyms" list of term lists.
func (p *jsonParser) synonyms() ([][]string, error) {
	ok, err := p.expectDelim('[', "", "synonyms", "daftar berisi daftar istilah")
	if err != nil || !ok {
		return nil, err
	}
	var out [][]string
	var lines []int
	for p.dec.More() && !p.c.full() {
		line := p.lineAt()
		var terms []string
		ok, err := p.decodeValue(&terms, "", "synonyms")
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		terms, err = normalizeTerms(terms)
		if err != nil {
			p.c.add(&FieldError{File: p.name, Line: line, Field: "synonyms", Msg: err.Error()})
			continue
		}
		out = append(out, terms)
		lines = append(lines, line)
	}
	if p.c.full() {
		return nil, nil
	}
	if i, err := checkSynonymOverlap(out); err != nil {
		p.c.add(&FieldError{File: p.name, Line: lines[i], Field: "synonyms", Msg: err.Error()})
	}
	return out, p.end()
}

// WriteJSON writes entries as an indented JSON knowledge-base file, in the
// order given, with every field (including status) present.
func WriteJSON(w io.Writer, entries []Entry) error {
	return WriteJSONFile(w, File{Entries: entries})
}

// WriteJSONFile writes a JSON knowledge-base file with its synonym groups
// (left out when there are none).
func WriteJSONFile(w io.Writer, f File) error {
	out := struct {
		Entries  []jsonEntry `json:"entries"`
		Synonyms [][]string  `json:"synonyms,omitempty"`
	}{Entries: make([]jsonEntry, 0, len(f.Entries)), Synonyms: f.Synonyms}
	for _, e := range f.Entries {
		out.Entries = append(out.Entries, toJSONEntry(e))
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("knowledge: unable to write JSON: %w", err)
	}
	return nil
}

// csvColumns is the CSV header; the status column is optional on import.
var csvColumns = []string{"id", "category", "question", "alternates", "answer", "tags", "status"}

// ParseCSV parses a CSV knowledge-base file whose header is exactly
// id,category,question,alternates,answer,tags (optionally followed by
// status). Lists are separated by " | ". It reads the CSV Excel saves
// with Indonesian regional settings too (see csvsniff.Reader): cells
// separated by semicolons, a "sep=" first line, lines ended by a lone
// carriage return (old Mac), rows of separators alone (cleared rows)
// skipped, and empty columns without a name after the last one. Entries
// come back validated and normalised; on any problem it returns no
// entries and an error listing each problem (up to 20) as a *FieldError
// with the file name and line.
func ParseCSV(r io.Reader, name string) ([]Entry, error) {
	f, err := parseCSV(r, name)
	return f.Entries, err
}

// parseCSV is ParseCSV returning a File that says where each entry is.
func parseCSV(r io.Reader, name string) (File, error) {
	data, err := readInput(r, name, csvsniff.Position)
	if err != nil {
		return File{}, err
	}
	// In an old Mac file a CR inside a quoted cell becomes LF, as
	// normalize would make it.
	cr := csvsniff.NewReader(data)
	csvErr := func(err error) error {
		var pe *csv.ParseError
		if errors.As(err, &pe) && pe.StartLine > 0 && pe.StartLine < pe.Line {
			// A quoted cell ran over line ends: most often its closing
			// quote is missing, and the reader stopped rows later.
			return &FieldError{File: name, Line: pe.StartLine, Msg: fmt.Sprintf(
				"CSV rusak: %s di baris %d, kolom %d, di dalam nilai bertanda kutip yang dibuka di baris %d: apakah tanda kutip (\") penutupnya hilang di baris itu?",
				csvsniff.Problem(pe.Err), pe.Line, pe.Column, pe.StartLine)}
		}
		if errors.As(err, &pe) {
			return &FieldError{File: name, Line: pe.Line, Column: pe.Column, Msg: "CSV rusak: " + csvsniff.Problem(pe.Err)}
		}
		return &FieldError{File: name, Msg: "CSV rusak: " + csvsniff.Problem(err)}
	}
	header, err := cr.Read()
	if err == io.EOF {
		return File{}, &FieldError{File: name, Line: 1, Msg: "berkas kosong; baris judul yang diharapkan: " + strings.Join(csvColumns[:6], ",")}
	}
	if err != nil {
		return File{}, csvErr(err)
	}
	headerLine, _ := cr.FieldPos(0) // after a "sep=" line or cleared rows, not 1
	for i := range header {
		header[i] = strings.ToLower(strings.TrimSpace(header[i]))
	}
	// Excel ends each line with a separator when a cell right of the data
	// was ever touched: columns without a name after the last one are
	// allowed, as long as they stay empty.
	named := len(header)
	for named > 0 && header[named-1] == "" {
		named--
	}
	if !slices.Equal(header[:named], csvColumns[:6]) && !slices.Equal(header[:named], csvColumns) {
		return File{}, &FieldError{File: name, Line: headerLine, Msg: fmt.Sprintf("baris judulnya %q; seharusnya %q (boleh diikuti \",status\")",
			strings.Join(header, ","), strings.Join(csvColumns[:6], ","))}
	}
	var c collector
	var out []Entry
	var entryLines []map[string]int
	shared := sharedWordings{}
	firstLine := map[string]int{}
	for !c.full() {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return File{}, csvErr(err)
		}
		line, _ := cr.FieldPos(0)
		// A row may stop before the unnamed columns at the header's end
		// (a header typed as "id;…;tags;;;"): it reads as it would under
		// the header without them.
		if msg := cr.WidthProblem(len(rec), named, len(header)); msg != "" {
			c.add(&FieldError{File: name, Line: line, Msg: msg})
			continue
		}
		unnamed := false
		for i := named; i < len(rec); i++ {
			if strings.TrimSpace(rec[i]) != "" {
				l, _ := cr.FieldPos(i)
				c.add(&FieldError{File: name, Line: l, Msg: fmt.Sprintf(
					"ada isi di kolom ke-%d, yang tidak bernama di baris judul; hapus isinya, atau pindahkan ke kolom yang benar (%s)",
					i+1, strings.Join(header[:named], ", "))})
				unnamed = true
				break
			}
		}
		if unnamed {
			continue
		}
		rec = rec[:named]
		for i := range rec {
			rec[i] = safetext.Uncell(rec[i]) // as WriteCSV escaped it
		}
		e := Entry{Slug: rec[0], Category: rec[1], Question: rec[2], Alternates: splitList(rec[3]),
			Answer: rec[4], Tags: splitList(rec[5])}
		if len(rec) == 7 {
			e.Status = Status(rec[6])
		}
		ne, err := normalize(e)
		if err != nil {
			fe := err.(*FieldError)
			fe.File = name
			fe.Line = line
			if i := slices.Index(csvColumns, fe.Field); i >= 0 {
				fe.Line, _ = cr.FieldPos(i)
			}
			c.add(fe)
			continue
		}
		if first, dup := firstLine[ne.Slug]; dup {
			c.add(&FieldError{File: name, Line: line, ID: ne.Slug, Field: "id", Msg: "id ganda, sudah dipakai di baris " + strconv.Itoa(first)})
			continue
		}
		fieldLines := map[string]int{"": line}
		for _, field := range []string{"question", "alternates"} {
			fieldLines[field], _ = cr.FieldPos(slices.Index(csvColumns, field))
		}
		clash := false
		for _, fe := range shared.add(ne, len(out)+1, func(field string) int { return fieldLines[field] }) {
			fe.File = name
			c.add(fe)
			clash = true
		}
		if clash {
			continue
		}
		firstLine[ne.Slug] = line
		out = append(out, ne)
		entryLines = append(entryLines, fieldLines)
	}
	if len(c.errs) > 0 {
		return File{}, c.err()
	}
	return File{Entries: out, name: name, lines: entryLines}, nil
}

// splitList splits a CSV list cell on "|"; items are trimmed and empty ones
// dropped later by normalize.
func splitList(cell string) []string {
	if strings.TrimSpace(cell) == "" {
		return nil
	}
	return strings.Split(cell, "|")
}

// WriteCSV writes entries as a CSV knowledge-base file with a status column,
// in the order given. A cell that a spreadsheet would take for a formula
// (beginning with "=", "+", "-", "@", a tab or a carriage return) gets a
// leading "'", which ParseCSV removes again. It fails when a list item contains "|", which CSV
// files cannot represent.
func WriteCSV(w io.Writer, entries []Entry) error {
	cw := safetext.NewCSVWriter(w) // ParseCSV undoes the escaping
	if err := cw.Write(csvColumns); err != nil {
		return fmt.Errorf("knowledge: unable to write CSV: %w", err)
	}
	for _, e := range entries {
		for _, l := range []struct {
			field string
			items []string
		}{{"alternates", e.Alternates}, {"tags", e.Tags}} {
			for _, it := range l.items {
				if strings.Contains(it, "|") {
					return fmt.Errorf("knowledge: unable to write CSV: %w", &FieldError{ID: e.Slug, Field: l.field,
						Msg: fmt.Sprintf("butir %q berisi \"|\"", it)})
				}
			}
		}
		st := e.Status
		if st == "" {
			st = Published
		}
		rec := []string{e.Slug, e.Category, e.Question, strings.Join(e.Alternates, listSeparator),
			e.Answer, strings.Join(e.Tags, listSeparator), string(st)}
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("knowledge: unable to write CSV: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("knowledge: unable to write CSV: %w", err)
	}
	return nil
}

package knowledge

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tebingtinggi/hub/knowledge/textid"
)

// Thesaurus holds synonym sets read from a MyThes file (the format of the
// LibreOffice thesauri, such as Debian's mythes-id): for each normalised
// headword, its single-word synonyms (antonyms are left out). The engine
// uses it only for question words its knowledge base does not know, and
// weighs a word reached through it less than one typed.
type Thesaurus struct {
	// Name is the file's base name, for reports.
	Name     string
	synonyms map[string][]string
}

// Len is the number of headwords.
func (t *Thesaurus) Len() int {
	if t == nil {
		return 0
	}
	return len(t.synonyms)
}

// Synonyms returns the synonyms of a normalised word.
func (t *Thesaurus) Synonyms(word string) []string {
	if t == nil {
		return nil
	}
	return t.synonyms[word]
}

// LoadThesaurus reads a MyThes .dat file: an encoding line, then for each
// headword "word|n" followed by n lines "(pos)|syn|syn…". A malformed file
// is an error naming the line.
func LoadThesaurus(path string) (*Thesaurus, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("knowledge: unable to read thesaurus: %w", err)
	}
	name := filepath.Base(path)
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	line := 0
	next := func() (string, bool) {
		if !sc.Scan() {
			return "", false
		}
		line++
		return sc.Text(), true
	}
	enc, ok := next()
	if !ok {
		return nil, fmt.Errorf("knowledge: thesaurus %s is empty", name)
	}
	latin1 := strings.EqualFold(strings.TrimSpace(enc), "ISO8859-1") || strings.EqualFold(strings.TrimSpace(enc), "ISO-8859-1")
	if !latin1 && !strings.EqualFold(strings.TrimSpace(enc), "UTF-8") {
		return nil, fmt.Errorf("knowledge: thesaurus %s:1: unknown encoding %q", name, enc)
	}
	th := &Thesaurus{Name: name, synonyms: make(map[string][]string)}
	for {
		head, ok := next()
		if !ok {
			break
		}
		word, count, found := strings.Cut(decodeLine(head, latin1), "|")
		n, err := strconv.Atoi(count)
		if !found || err != nil || n < 0 || n > 1000 {
			return nil, fmt.Errorf("knowledge: thesaurus %s:%d: want \"word|count\", got %.60q", name, line, head)
		}
		key := oneToken(word)
		seen := make(map[string]bool)
		if key != "" {
			for _, syn := range th.synonyms[key] {
				seen[syn] = true
			}
		}
		for i := 0; i < n; i++ {
			senses, ok := next()
			if !ok {
				return nil, fmt.Errorf("knowledge: thesaurus %s:%d: %q announces %d meanings, the file ends after %d", name, line, word, n, i)
			}
			fields := strings.Split(decodeLine(senses, latin1), "|")
			if strings.HasPrefix(fields[0], "[ant]") || strings.HasPrefix(fields[0], "(ant") {
				continue
			}
			if key == "" {
				continue
			}
			for _, f := range fields[1:] {
				if syn := oneToken(f); syn != "" && syn != key && !seen[syn] {
					seen[syn] = true
					th.synonyms[key] = append(th.synonyms[key], syn)
				}
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("knowledge: thesaurus %s:%d: %w", name, line+1, err)
	}
	if len(th.synonyms) == 0 {
		return nil, fmt.Errorf("knowledge: thesaurus %s has no synonyms", name)
	}
	return th, nil
}

// decodeLine turns a Latin-1 line into UTF-8; a UTF-8 file's lines pass
// unchanged.
func decodeLine(s string, latin1 bool) string {
	if !latin1 {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		b.WriteRune(rune(s[i]))
	}
	return b.String()
}

// oneToken is a single-word thesaurus term in lower case, or "" for a
// phrase, an abbreviation with punctuation or a stopword. Thesaurus words
// are standard Indonesian, the form the normaliser produces, so they are
// not normalised again (which would make loading the file slow).
func oneToken(term string) string {
	w := strings.ToLower(strings.TrimSpace(term))
	if w == "" || textid.IsStopword(w) {
		return ""
	}
	for _, r := range w {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') {
			return ""
		}
	}
	return w
}

// Dictionary is a list of correctly spelled Indonesian words (a Hunspell
// .dic file's stems, affix flags dropped).
type Dictionary struct {
	Name  string
	words map[string]bool
}

// Len is the number of words.
func (d *Dictionary) Len() int {
	if d == nil {
		return 0
	}
	return len(d.words)
}

// Has reports whether a normalised word is in the dictionary.
func (d *Dictionary) Has(word string) bool {
	return d != nil && d.words[word]
}

// LoadDictionary reads a Hunspell .dic file: a first line with the word
// count, then one "word[/flags]" a line.
func LoadDictionary(path string) (*Dictionary, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("knowledge: unable to read dictionary: %w", err)
	}
	name := filepath.Base(path)
	if !utf8.Valid(data) {
		return nil, fmt.Errorf("knowledge: dictionary %s is not UTF-8", name)
	}
	lines := strings.Split(string(data), "\n")
	if _, err := strconv.Atoi(strings.TrimSpace(lines[0])); err != nil {
		return nil, fmt.Errorf("knowledge: dictionary %s:1: want the word count, got %.40q", name, lines[0])
	}
	d := &Dictionary{Name: name, words: make(map[string]bool, len(lines))}
	for _, l := range lines[1:] {
		w, _, _ := strings.Cut(strings.TrimSpace(l), "/")
		if w != "" {
			d.words[strings.ToLower(w)] = true
		}
	}
	if len(d.words) == 0 {
		return nil, fmt.Errorf("knowledge: dictionary %s has no words", name)
	}
	return d, nil
}

// Resources are the linguistic resources the engine runs with; either may
// be nil.
type Resources struct {
	Thesaurus  *Thesaurus
	Dictionary *Dictionary
}

// Default paths of the shipped resources, relative to the repository (or
// the folder the hub runs in).
const (
	DefaultThesaurusPath  = "langdata/thesaurus/th_id_ID_v2.dat"
	DefaultDictionaryPath = "langdata/dictionary/id_ID.dic"
)

// Where Debian's mythes-id and hunspell-id packages install the same
// resources; used when the shipped files are not found.
const (
	SystemThesaurusPath  = "/usr/share/mythes/th_id_ID_v2.dat"
	SystemDictionaryPath = "/usr/share/hunspell/id_ID.dic"
)

// LoadResources reads the thesaurus and dictionary at the given paths
// (empty: not wanted). A file that is missing or unreadable is left out
// and reported in the returned error, which is for a single log line: the
// engine works without them.
func LoadResources(thesaurusPath, dictionaryPath string) (Resources, error) {
	var r Resources
	var errs []error
	if thesaurusPath != "" {
		th, err := LoadThesaurus(thesaurusPath)
		if err != nil {
			errs = append(errs, fmt.Errorf("running without a thesaurus: %w", err))
		}
		r.Thesaurus = th
	}
	if dictionaryPath != "" {
		d, err := LoadDictionary(dictionaryPath)
		if err != nil {
			errs = append(errs, fmt.Errorf("running without a dictionary: %w", err))
		}
		r.Dictionary = d
	}
	return r, errors.Join(errs...)
}

// String says which resources are in use, for reports and logs.
func (r Resources) String() string {
	th, dict := "none", "none"
	if r.Thesaurus != nil {
		th = fmt.Sprintf("%s (%d headwords)", r.Thesaurus.Name, r.Thesaurus.Len())
	}
	if r.Dictionary != nil {
		dict = fmt.Sprintf("%s (%d words)", r.Dictionary.Name, r.Dictionary.Len())
	}
	return "thesaurus: " + th + "; dictionary: " + dict
}

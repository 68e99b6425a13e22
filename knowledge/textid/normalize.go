package textid

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Normalize turns a citizen's message or a piece of FAQ text into a
// canonical lowercase form, returned as tokens joined by single spaces.
//
// The steps are:
//   - lowercase, fold accented Latin letters and full-width forms to ASCII,
//     drop combining marks, and treat every other symbol, punctuation mark
//     or emoji as a word break, keeping letters and digits; an apostrophe
//     inside a word is dropped ("jum'at" -> "jumat") and "50.000" -> "50000";
//   - hyphenated words: reduplication keeps one copy ("anak-anak" ->
//     "anak", "kecil-kecilan" -> "kecilan", "sehari-hari" -> "sehari"),
//     anything else is split ("KTP-el" -> "ktp el", handled below);
//     reduplication written with "2" works the same ("anak2" -> "anak");
//   - runs of three or more equal letters collapse to one ("bangettt" ->
//     "banget"), or to two when that gives a known word ("maaaf" -> "maaf");
//   - a number glued to a unit is split ("50rb" -> "50 ribu");
//   - slang, abbreviations and Medan forms are expanded through the
//     lexicon ("gmn" -> "bagaimana", "awak" -> "saya", "kereta" -> "motor"),
//     including multi-word forms ("kek mana" -> "bagaimana", "di mana" ->
//     "dimana"), and all KTP spellings become "ktp" ("e-KTP", "KTP-el",
//     "KTP elektronik", "kartu tanda penduduk"); "kartu keluarga" becomes
//     "kk", so the spelled-out and the abbreviated forms meet;
//   - "-nya" is split off an acronym or a lexicon word ("ktpnya" -> "ktp
//     nya"), since the stemmer leaves short words alone.
//
// Normalize is idempotent: Normalize(Normalize(s)) == Normalize(s). It
// accepts any input, including invalid UTF-8, and never panics; the output
// is valid UTF-8 and contains only letters, digits and single spaces.
func Normalize(s string) string {
	return strings.Join(Tokens(s), " ")
}

// Tokens returns the words of Normalize(s), in order. It returns nil when s
// holds no word.
func Tokens(s string) []string {
	n := normalizer{out: make([]string, 0, len(s)/5+1)}
	n.scan(s)
	if len(n.out) == 0 {
		return nil
	}
	return n.out
}

// maxPhraseDepth bounds how many phrase rewrites may cascade from a single
// token, as a safety net against a badly written lexicon.
const maxPhraseDepth = 8

// normalizer accumulates canonical tokens. Every token is pushed through
// push, which rewrites a phrase as soon as its last word arrives.
type normalizer struct {
	out   []string
	depth int
}

// scan splits s into raw words and hands each to word.
func (n *normalizer) scan(s string) {
	var stack [64]byte
	buf := stack[:0]
	start := -1      // byte offset in s of the current word, or -1
	changed := false // whether buf differs from s[start:i]

	flush := func(end int) {
		if start < 0 {
			return
		}
		if changed {
			n.raw(string(buf))
		} else {
			n.raw(s[start:end])
		}
		buf, start, changed = buf[:0], -1, false
	}
	begin := func(i int) {
		if start < 0 {
			start = i
		}
	}

	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
				begin(i)
				buf = append(buf, c)
			case 'A' <= c && c <= 'Z':
				begin(i)
				buf = append(buf, c+('a'-'A'))
				changed = true
			case c == '-':
				// Keep a hyphen between two word characters; the word
				// handler splits or merges the parts.
				if start >= 0 && wordRuneAt(s, i+1) {
					buf = append(buf, '-')
				} else {
					flush(i)
				}
			case c == '\'' || c == '`':
				if start >= 0 && isLetterByte(buf[len(buf)-1]) && letterRuneAt(s, i+1) {
					changed = true // dropped: "jum'at" -> "jumat"
				} else {
					flush(i)
				}
			case c == '.':
				// Thousands separator: "50.000" -> "50000".
				if start >= 0 && isDigitByte(buf[len(buf)-1]) && thousandsAt(s, i+1) {
					changed = true
				} else {
					flush(i)
				}
			default:
				flush(i)
			}
			i++
			continue
		}

		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			flush(i) // invalid byte: a word break
		case r == '\u2019' || r == '\u2018' || r == '\u02bc':
			if start >= 0 && isLetterByte(buf[len(buf)-1]) && letterRuneAt(s, i+size) {
				changed = true
			} else {
				flush(i)
			}
		case r >= 0xFF01 && r <= 0xFF5E && isASCIIWord(byte(r-0xFEE0)):
			// Full-width ASCII letters and digits.
			begin(i)
			b := byte(r - 0xFEE0)
			if 'A' <= b && b <= 'Z' {
				b += 'a' - 'A'
			}
			buf = append(buf, b)
			changed = true
		case unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf):
			// Combining marks and invisible format characters (soft
			// hyphen, zero-width joiner, variation selectors) vanish
			// without breaking a word.
			if start >= 0 {
				changed = true
			}
		case unicode.IsLetter(r):
			begin(i)
			lr := unicode.ToLower(r)
			if f, ok := foldLatin(lr); ok {
				buf = append(buf, f...)
			} else {
				buf = utf8.AppendRune(buf, lr)
			}
			changed = true
		case unicode.IsDigit(r):
			begin(i)
			buf = utf8.AppendRune(buf, r)
			changed = true
		default:
			flush(i)
		}
		i += size
	}
	flush(len(s))
}

// raw handles one scanned word, which may contain hyphens.
func (n *normalizer) raw(w string) {
	if strings.IndexByte(w, '-') < 0 {
		n.word(w)
		return
	}
	parts := strings.Split(w, "-")
	if len(parts) == 2 {
		a, b := parts[0], parts[1]
		switch {
		case a == b: // anak-anak
			n.word(a)
			return
		case len(a) >= 2 && strings.HasPrefix(b, a): // kecil-kecilan, anak-anaknya
			n.word(b)
			return
		case len(b) >= 2 && strings.HasSuffix(a, b): // sehari-hari, berbulan-bulan
			n.word(a)
			return
		}
	}
	for _, p := range parts {
		n.word(p)
	}
}

// word handles one word without hyphens: elongation, lexicon, "2"
// reduplication, number units and "-nya".
func (n *normalizer) word(w string) {
	if w == "" {
		return
	}
	w = collapseElongation(w)
	if n.lexicon(w) {
		return
	}
	if isLaughter(w) {
		n.push("haha")
		return
	}
	if base, ok := reduplicated2(w); ok {
		// The base has no digit left, so this recurses once.
		n.word(base)
		return
	}
	if num, unit, ok := numberUnit(w); ok {
		n.push(num)
		n.push(unit)
		return
	}
	if len(w) > 3 && strings.HasSuffix(w, "nya") {
		base := w[:len(w)-3]
		if n.lexicon(base) {
			n.push("nya")
			return
		}
		if num, unit, ok := numberUnit(base); ok {
			n.push(num)
			n.push(unit)
			n.push("nya")
			return
		}
		if isAcronym(base) {
			n.push(base)
			n.push("nya")
			return
		}
	}
	n.push(w)
}

// lexicon pushes the expansion of w and reports whether w was in the word
// lexicon.
func (n *normalizer) lexicon(w string) bool {
	exp, ok := words[w]
	if !ok {
		return false
	}
	for _, t := range exp {
		n.push(t)
	}
	return true
}

// push appends a canonical token, then rewrites the longest phrase that
// ends with it, if any. The replacement is pushed in turn, so phrases
// built from rewritten words are found too.
func (n *normalizer) push(t string) {
	n.out = append(n.out, t)
	rules := phrases[t]
	if len(rules) == 0 || n.depth >= maxPhraseDepth {
		return
	}
	for _, r := range rules {
		k := len(r.key)
		if len(n.out) < k || !equalTail(n.out, r.key) {
			continue
		}
		n.out = n.out[:len(n.out)-k]
		n.depth++
		for _, o := range r.out {
			n.push(o)
		}
		n.depth--
		return
	}
}

func equalTail(out, key []string) bool {
	off := len(out) - len(key)
	for i, k := range key {
		if out[off+i] != k {
			return false
		}
	}
	return true
}

// collapseElongation shortens runs of three or more equal letters
// ("bangettt" -> "banget"). A run becomes a double letter instead when the
// single-letter form is unknown and the double-letter form is known
// ("maaaaf" -> "maaf"). Digits are never collapsed.
func collapseElongation(w string) string {
	if !hasLongRun(w) {
		return w
	}
	one := collapseRuns(w, 1)
	if _, ok := known[one]; ok {
		return one
	}
	if two := collapseRuns(w, 2); two != one {
		if _, ok := known[two]; ok {
			return two
		}
	}
	return one
}

func hasLongRun(w string) bool {
	ascii := true
	for i := 0; i < len(w); i++ {
		c := w[i]
		if c >= utf8.RuneSelf {
			ascii = false
			break
		}
		if i >= 2 && c == w[i-1] && c == w[i-2] && isLetterByte(c) {
			return true
		}
	}
	if ascii {
		return false
	}
	var prev rune = -1
	run := 0
	for _, r := range w {
		if r == prev {
			run++
			if run >= 3 && unicode.IsLetter(r) {
				return true
			}
		} else {
			prev, run = r, 1
		}
	}
	return false
}

// collapseRuns shortens every run of three or more equal letters to keep
// letters.
func collapseRuns(w string, keep int) string {
	var b strings.Builder
	b.Grow(len(w))
	rs := []rune(w)
	for i := 0; i < len(rs); {
		j := i
		for j < len(rs) && rs[j] == rs[i] {
			j++
		}
		count := j - i
		if count >= 3 && unicode.IsLetter(rs[i]) {
			count = keep
		}
		for k := 0; k < count; k++ {
			b.WriteRune(rs[i])
		}
		i = j
	}
	return b.String()
}

// isLaughter reports whether w is chat laughter such as "hahaha",
// "hehe", "wkwkwk" or "xixixi".
func isLaughter(w string) bool {
	if len(w) < 4 || len(w)%2 != 0 {
		return false
	}
	switch w[:2] {
	case "ha", "he", "hi", "wk", "xi", "ah":
	default:
		return false
	}
	for i := 2; i < len(w); i += 2 {
		if w[i:i+2] != w[:2] {
			return false
		}
	}
	return true
}

// reduplicated2 resolves reduplication written with the digit 2: "anak2"
// -> "anak", "kecil2an" -> "kecilan", "step2nya" -> "stepnya". The part
// before the 2 must be at least three ASCII letters with a vowel, so codes
// like "sp2d" or "kk2" are kept.
func reduplicated2(w string) (string, bool) {
	i := strings.IndexByte(w, '2')
	if i < 3 {
		return w, false
	}
	head, tail := w[:i], w[i+1:]
	if !isLowerWord(head) || !isLowerWord(tail) || countVowels(head) == 0 {
		return w, false
	}
	return head + tail, true
}

// numberUnit splits "50rb" into "50" and "ribu" when the letters are a
// known unit.
func numberUnit(w string) (num, unit string, ok bool) {
	i := 0
	for i < len(w) && isDigitByte(w[i]) {
		i++
	}
	if i == 0 || i == len(w) {
		return "", "", false
	}
	u, ok := unitLexicon[w[i:]]
	if !ok {
		return "", "", false
	}
	return w[:i], u, true
}

// isAcronym reports whether w looks like an abbreviation that the stemmer
// would not touch: ASCII letters and digits without a vowel ("ktp", "kk",
// "sppt"), or a known acronym with vowels ("nib", "kia").
func isAcronym(w string) bool {
	if len(w) < 2 {
		return false
	}
	if _, ok := acronymsWithVowels[w]; ok {
		return true
	}
	for i := 0; i < len(w); i++ {
		c := w[i]
		if isVowel(c) || !isASCIIWord(c) {
			return false
		}
	}
	return true
}

// acronymsWithVowels lists service and document abbreviations containing a
// vowel, which may carry "-nya" ("nibnya").
var acronymsWithVowels = map[string]struct{}{
	"nib": {}, "kia": {}, "ikd": {}, "oss": {}, "pju": {}, "pdam": {},
	"imb": {}, "umkm": {}, "pbi": {}, "kis": {}, "nik": {}, "sim": {},
	"stnk": {}, "akta": {}, "kua": {}, "pirt": {}, "npwp": {}, "nop": {},
	"skpwni": {}, "dtsen": {}, "spmb": {}, "jkn": {}, "bpu": {}, "dlh": {},
	"rsud": {}, "igd": {}, "mpp": {}, "faskes": {}, "bansos": {}, "ak1": {},
}

func isLowerWord(w string) bool {
	for i := 0; i < len(w); i++ {
		if !isLetterByte(w[i]) {
			return false
		}
	}
	return true
}

func isLetterByte(c byte) bool { return 'a' <= c && c <= 'z' }
func isDigitByte(c byte) bool  { return '0' <= c && c <= '9' }

func isASCIIWord(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// wordRuneAt reports whether s has a letter or digit at byte offset i.
func wordRuneAt(s string, i int) bool {
	if i >= len(s) {
		return false
	}
	if c := s[i]; c < utf8.RuneSelf {
		return isASCIIWord(c)
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return r != utf8.RuneError && (unicode.IsLetter(r) || unicode.IsDigit(r))
}

// letterRuneAt reports whether s has an ASCII letter at byte offset i.
func letterRuneAt(s string, i int) bool {
	return i < len(s) && (isLetterByte(s[i]) || 'A' <= s[i] && s[i] <= 'Z')
}

// thousandsAt reports whether s has exactly three ASCII digits at byte
// offset i, not followed by another digit.
func thousandsAt(s string, i int) bool {
	if i+3 > len(s) {
		return false
	}
	for j := i; j < i+3; j++ {
		if !isDigitByte(s[j]) {
			return false
		}
	}
	return i+3 == len(s) || !isDigitByte(s[i+3])
}

// foldLatin maps lowercase accented Latin letters to their ASCII base
// letter.
func foldLatin(r rune) (string, bool) {
	if r < 0xC0 || r > 0x17F {
		return "", false
	}
	f, ok := latinFold[r]
	return f, ok
}

var latinFold = func() map[rune]string {
	groups := map[string]string{
		"a": "àáâãäåāăą", "c": "çćĉċč", "d": "ďđ", "e": "èéêëēĕėęě",
		"g": "ĝğġģ", "h": "ĥħ", "i": "ìíîïĩīĭįı", "j": "ĵ", "k": "ķ",
		"l": "ĺļľŀł", "n": "ñńņňŉ", "o": "òóôõöøōŏő", "r": "ŕŗř",
		"s": "śŝşš", "t": "ţťŧ", "u": "ùúûüũūŭůűų", "w": "ŵ", "y": "ýÿŷ",
		"z": "źżž",
	}
	m := make(map[rune]string)
	for base, letters := range groups {
		for _, r := range letters {
			m[r] = base
		}
	}
	return m
}()

// phraseRule rewrites the canonical token sequence key into out.
type phraseRule struct {
	key []string
	out []string
}

var (
	// words is wordLexicon with its values split into tokens.
	words map[string][]string
	// phrases indexes the phrase rules by their last token, longest first.
	phrases map[string][]phraseRule
	// known holds every word the lexicon or the stopword list knows, to
	// guide the collapsing of elongated letters.
	known map[string]struct{}
	// lexiconProblems records inconsistencies found while building the
	// tables; the tests require it to be empty.
	lexiconProblems []string
)

func init() {
	words = make(map[string][]string, len(wordLexicon))
	known = make(map[string]struct{}, 2*len(wordLexicon))
	for k, v := range wordLexicon {
		words[k] = strings.Fields(v)
		known[k] = struct{}{}
		for _, t := range words[k] {
			known[t] = struct{}{}
		}
	}
	for _, w := range stopwordList {
		known[w] = struct{}{}
	}
	for _, w := range doubleLetterWords {
		known[w] = struct{}{}
	}

	// Register phrases shortest first, each under the canonical form of
	// its key, that is the key normalized with the rules registered so
	// far. Sorting makes the result independent of map order.
	keys := make([]string, 0, len(phraseLexicon))
	for k := range phraseLexicon {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		ni, nj := len(strings.Fields(keys[i])), len(strings.Fields(keys[j]))
		if ni != nj {
			return ni < nj
		}
		return keys[i] < keys[j]
	})
	phrases = make(map[string][]phraseRule, len(keys))
	canonical := make(map[string]string, len(keys))
	for _, k := range keys {
		out := strings.Fields(phraseLexicon[k])
		key := Tokens(k)
		ck := strings.Join(key, " ")
		switch {
		case ck == strings.Join(out, " "):
			continue // already produced by shorter rules
		case len(key) < 2:
			lexiconProblems = append(lexiconProblems, "phrase "+k+" reduces to "+ck)
			continue
		}
		if prev, dup := canonical[ck]; dup {
			if prev != strings.Join(out, " ") {
				lexiconProblems = append(lexiconProblems, "phrase "+k+" clashes on "+ck)
			}
			continue
		}
		canonical[ck] = strings.Join(out, " ")
		last := key[len(key)-1]
		phrases[last] = append(phrases[last], phraseRule{key: key, out: out})
		sort.SliceStable(phrases[last], func(i, j int) bool {
			return len(phrases[last][i].key) > len(phrases[last][j].key)
		})
	}
}

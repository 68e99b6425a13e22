package textid

import "unicode/utf8"

// Prefix classes recorded by the first- and second-order prefix steps of
// the stemmer. They decide which derivational suffixes may be removed
// afterwards (Tala's "disallowed prefix-suffix combinations").
const (
	prefixNone = 0 // nothing removed, or "pelajar"
	prefixDi   = 1 // di-, meng- (and its variants), ter-
	prefixPer  = 2 // per-, pe-
	prefixKe   = 3 // ke-, peng- (and its variants)
	prefixBer  = 4 // ber-, be-, "belajar"
)

// Stem returns the stem of one normalized (lowercase) word, following the
// Snowball Indonesian stemming algorithm, which is Tala's "Porter stemmer
// for Bahasa Indonesia" with Snowball's documented clarifications. It gives
// the same result as PostgreSQL's "indonesian_stem" dictionary.
//
// The steps are: count the vowels of the word (its measure); words with at
// most two vowels are returned unchanged. Then remove a particle (-kah,
// -lah, -pun), then a possessive pronoun (-ku, -mu, -nya), then either a
// first-order prefix (meng-, di-, ter-, ke-, peng- ... with their
// recodings), a derivational suffix (-kan, -an, -i) and a second-order
// prefix (per-, ber- ...), or, when no first-order prefix is present, a
// second-order prefix followed by a suffix. Every removal requires the
// measure to be above two, so the result of a non-empty word always keeps
// at least two vowels and is never empty.
//
// Stem does not lowercase or otherwise normalise its input; pass words
// produced by Tokens. It never panics, whatever the input.
func Stem(word string) string {
	measure := countVowels(word)
	if measure <= 2 {
		return word
	}
	w := word

	// Inflectional particle.
	if hasSuffix3(w, "kah") || hasSuffix3(w, "lah") || hasSuffix3(w, "pun") {
		w = w[:len(w)-3]
		measure--
	}
	if measure <= 2 {
		return w
	}
	// Possessive pronoun.
	switch {
	case hasSuffix3(w, "nya"):
		w = w[:len(w)-3]
		measure--
	case len(w) >= 2 && (w[len(w)-2:] == "ku" || w[len(w)-2:] == "mu"):
		w = w[:len(w)-2]
		measure--
	}
	if measure <= 2 {
		return w
	}

	// Snowball keeps a cursor while removing prefixes: after a recoding
	// (meny- -> s-, mem- + vowel -> p-) it sits just past the replacement
	// letter, and both the suffix step (which may not reach before it) and
	// the second-order prefix step (which matches only at it) honour that
	// position. In effect no second-order prefix follows a recoding.
	if rest, prefix, cur, ok := removeFirstOrderPrefix(w); ok {
		w = rest
		measure--
		// The second-order prefix is only considered when a suffix went.
		if measure > 2 {
			if rest, ok := removeSuffix(w, prefix, cur); ok {
				w = rest
				measure--
				if measure > 2 {
					w, _, _, _ = removeSecondOrderPrefix(w, cur, prefix)
				}
			}
		}
		return w
	}

	prefix, cur := prefixNone, 0
	if rest, p, c, ok := removeSecondOrderPrefix(w, 0, prefix); ok {
		w, prefix, cur = rest, p, c
		measure--
	}
	if measure > 2 {
		if rest, ok := removeSuffix(w, prefix, cur); ok {
			w = rest
		}
	}
	return w
}

// countVowels returns the number of the ASCII vowels a, e, i, o, u in w.
func countVowels(w string) int {
	n := 0
	for i := 0; i < len(w); i++ {
		if isVowel(w[i]) {
			n++
		}
	}
	return n
}

func isVowel(b byte) bool {
	return b == 'a' || b == 'e' || b == 'i' || b == 'o' || b == 'u'
}

func hasSuffix3(w, suf string) bool {
	return len(w) >= 3 && w[len(w)-3:] == suf
}

// vowelAt reports whether w has an ASCII vowel at byte index i.
func vowelAt(w string, i int) bool {
	return i < len(w) && isVowel(w[i])
}

// removeFirstOrderPrefix removes the longest first-order prefix of w,
// applying the recoding rules (meny-/peny- + vowel become s-, mem-/pem- +
// vowel become p-). It returns the remaining word, the prefix class and the
// Snowball cursor position in the result (0 after a plain removal, 1 just
// past the replacement letter after a recoding).
func removeFirstOrderPrefix(w string) (rest string, prefix, cursor int, ok bool) {
	if len(w) < 2 {
		return w, prefixNone, 0, false
	}
	switch w[0] {
	case 'm', 'p':
		class := prefixDi
		if w[0] == 'p' {
			class = prefixKe
		}
		if w[1] != 'e' || (w[0] == 'p' && len(w) < 3) {
			return w, prefixNone, 0, false
		}
		switch {
		case len(w) >= 4 && w[2] == 'n' && w[3] == 'g': // meng-, peng-
			return w[4:], class, 0, true
		case len(w) >= 4 && w[2] == 'n' && w[3] == 'y' && vowelAt(w, 4): // meny-, peny- + vowel
			return "s" + w[4:], class, 1, true
		case len(w) >= 3 && w[2] == 'n': // men-, pen- (also meny-, peny- + non-vowel)
			return w[3:], class, 0, true
		case len(w) >= 3 && w[2] == 'm': // mem-, pem-
			if vowelAt(w, 3) {
				return "p" + w[3:], class, 1, true
			}
			return w[3:], class, 0, true
		case w[0] == 'm': // me-
			return w[2:], class, 0, true
		}
	case 'd':
		if w[1] == 'i' {
			return w[2:], prefixDi, 0, true
		}
	case 't':
		if len(w) >= 3 && w[1] == 'e' && w[2] == 'r' {
			return w[3:], prefixDi, 0, true
		}
	case 'k':
		if w[1] == 'e' {
			return w[2:], prefixKe, 0, true
		}
	}
	return w, prefixNone, 0, false
}

// removeSecondOrderPrefix removes the longest second-order prefix found at
// byte offset at of w: per-, pe-, ber-, be- before one non-vowel and "er",
// and the special words "pelajar"/"belajar", which become "ajar". prefix is
// the class in force before the call; it is returned unchanged for
// "pelajar", as in Snowball. The returned cursor is where Snowball leaves
// it: at the removal point, or after "ajar".
func removeSecondOrderPrefix(w string, at, prefix int) (rest string, class, cursor int, ok bool) {
	head, v := w[:at], w[at:]
	if len(v) < 2 || v[1] != 'e' {
		return w, prefix, at, false
	}
	switch v[0] {
	case 'p':
		switch {
		case len(v) >= 7 && v[:7] == "pelajar":
			return head + "ajar" + v[7:], prefix, at + 4, true
		case len(v) >= 3 && v[2] == 'r':
			return head + v[3:], prefixPer, at, true
		default:
			return head + v[2:], prefixPer, at, true
		}
	case 'b':
		switch {
		case len(v) >= 7 && v[:7] == "belajar":
			return head + "ajar" + v[7:], prefixBer, at + 4, true
		case len(v) >= 3 && v[2] == 'r':
			return head + v[3:], prefixBer, at, true
		}
		// be- only before one non-vowel character followed by "er".
		if len(v) > 2 && !isVowel(v[2]) {
			_, size := utf8.DecodeRuneInString(v[2:])
			if j := 2 + size; len(v) >= j+2 && v[j] == 'e' && v[j+1] == 'r' {
				return head + v[2:], prefixBer, at, true
			}
		}
	}
	return w, prefix, at, false
}

// removeSuffix removes the derivational suffix -kan, -an or -i from w when
// the prefix class allows it: -kan not after ke-/peng-/per- (then -an is
// tried instead), -an not after di-/meng-/ter-, -i only after di-/meng-/
// ter-/per- or no prefix, and not after an "s" (protecting "-si" loan
// words such as "televisi"). The suffix may not start before byte offset
// limit, and only letters from limit on are inspected.
func removeSuffix(w string, prefix, limit int) (string, bool) {
	n := len(w)
	switch {
	case n-3 >= limit && w[n-3:] == "kan" && prefix != prefixKe && prefix != prefixPer:
		return w[:n-3], true
	case n-2 >= limit && w[n-2:] == "an":
		if prefix != prefixDi {
			return w[:n-2], true
		}
	case n-1 >= limit && w[n-1] == 'i':
		if prefix <= prefixPer && !(n-2 >= limit && w[n-2] == 's') {
			return w[:n-1], true
		}
	}
	return w, false
}

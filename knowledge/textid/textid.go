// Package textid handles Indonesian text for the FAQ search engine: it
// normalizes the everyday Indonesian that citizens of Kota Tebingtinggi
// type (chat abbreviations, slang, Medan-style phrasing, elongated letters,
// emoji), drops stopwords and stems words with the Snowball Indonesian
// algorithm.
//
// FAQ text and citizen questions must go through the same functions, so
// that both sides meet on the same terms:
//
//	Terms("KTP sy ilang, cemana ngurusnya min?")
//	// -> [ktp hilang bagaimana urus]
//
// All functions are pure, safe for concurrent use, and accept any input,
// including invalid UTF-8, without panicking.
package textid

// Terms runs the whole pipeline used for indexing and search: Tokens, then
// drop stopwords, then Stem each remaining word. Word order is preserved
// and duplicates are kept. It returns nil when nothing is left.
func Terms(s string) []string {
	toks := Tokens(s)
	out := toks[:0]
	for _, t := range toks {
		if IsStopword(t) {
			continue
		}
		out = append(out, Stem(t))
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

package textid

import (
	"strings"
	"testing"
	"unicode/utf8"
)

var fuzzSeeds = []string{
	"", " ", "ktp", "e-KTP", "KTP-el hilang", "anak2", "anak-anak",
	"bangettt", "maaaaf", "kek mana", "di, mana", "kartu tanda penduduk elektronik",
	"Jum'at", "50.000", "50rb", "😅🙏", "ktp\xffhilang", "\xe2\x80", "ＫＴＰ",
	"'; DROP TABLE faq; --", "cafe\u0301", "ǅ", "İstanbul", "Å", "kereta api",
	"spp-irt", "ak/1", "a-b-c", "x-", "-x", "a--b", "hahaha", "ktpnya", "memebelajarilah",
	"bagaimana cara mengurus penggantian KTP-el yang hilang?",
}

func FuzzNormalize(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Normalize(s)
		if !utf8.ValidString(got) {
			t.Fatalf("Normalize(%q) = %q is not valid UTF-8", s, got)
		}
		if strings.HasPrefix(got, " ") || strings.HasSuffix(got, " ") || strings.Contains(got, "  ") {
			t.Fatalf("Normalize(%q) = %q has stray spaces", s, got)
		}
		if again := Normalize(got); again != got {
			t.Fatalf("not idempotent: Normalize(%q) = %q, Normalize(that) = %q", s, got, again)
		}
		if toks := Tokens(s); strings.Join(toks, " ") != got {
			t.Fatalf("Tokens(%q) = %q disagrees with Normalize", s, toks)
		}
	})
}

func FuzzStem(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, w string) {
		got := Stem(w)
		if w != "" && got == "" {
			t.Fatalf("Stem(%q) is empty", w)
		}
		if utf8.ValidString(w) && !utf8.ValidString(got) {
			t.Fatalf("Stem(%q) = %q is not valid UTF-8", w, got)
		}
		// Every removal keeps at least two vowels; words with at most two
		// vowels are left alone.
		if countVowels(w) <= 2 && got != w {
			t.Fatalf("Stem(%q) = %q changed a short word", w, got)
		}
		if countVowels(w) > 2 && countVowels(got) < 2 {
			t.Fatalf("Stem(%q) = %q kept fewer than two vowels", w, got)
		}
	})
}

func FuzzTerms(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		terms := Terms(s)
		toks := Tokens(s)
		if len(terms) > len(toks) {
			t.Fatalf("Terms(%q) = %q has more words than Tokens %q", s, terms, toks)
		}
		for _, term := range terms {
			if term == "" || !utf8.ValidString(term) || strings.ContainsRune(term, ' ') {
				t.Fatalf("Terms(%q) has bad term %q", s, term)
			}
		}
		// Normalizing first changes nothing.
		if again := Terms(Normalize(s)); strings.Join(again, " ") != strings.Join(terms, " ") {
			t.Fatalf("Terms(Normalize(%q)) = %q, Terms = %q", s, again, terms)
		}
	})
}

package starter

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

type entry struct {
	ID         string   `json:"id"`
	Category   string   `json:"category"`
	Question   string   `json:"question"`
	Alternates []string `json:"alternates"`
	Answer     string   `json:"answer"`
	Tags       []string `json:"tags"`
}

type file struct {
	Entries []entry `json:"entries"`
}

var (
	slugRe = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	// Digit groups possibly separated by spaces, dots or hyphens (e.g. "0812 3456 7890").
	digitGroupRe = regexp.MustCompile(`\+?\d[\d .\-]*\d`)
	// Indonesian landline area codes such as "0621" or "(061)".
	areaCodeRe = regexp.MustCompile(`(^|[^\d])\(?0\d{2,3}\)?([^\d]|$)`)
	// Rupiah amounts such as "Rp 10.000", "Rp10rb" or "rupiah".
	rupiahRe = regexp.MustCompile(`(?i)\brp\.?\s*\d|\brupiah\b`)
)

func load(t *testing.T) []entry {
	t.Helper()
	if !utf8.Valid(JSON) {
		t.Fatal("starter.json is not valid UTF-8")
	}
	var f file
	dec := json.NewDecoder(strings.NewReader(string(JSON)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		t.Fatalf("parse starter.json: %v", err)
	}
	return f.Entries
}

func TestStarterKnowledgeBase(t *testing.T) {
	entries := load(t)
	if len(entries) < 35 {
		t.Fatalf("want at least 35 entries, got %d", len(entries))
	}
	seen := map[string]bool{}
	for i, e := range entries {
		if !slugRe.MatchString(e.ID) {
			t.Errorf("entry %d: id %q is not a lowercase slug", i, e.ID)
		}
		if seen[e.ID] {
			t.Errorf("entry %d: duplicate id %q", i, e.ID)
		}
		seen[e.ID] = true

		if strings.TrimSpace(e.Category) == "" {
			t.Errorf("%s: empty category", e.ID)
		}
		if strings.TrimSpace(e.Question) == "" {
			t.Errorf("%s: empty question", e.ID)
		}
		if strings.TrimSpace(e.Answer) == "" {
			t.Errorf("%s: empty answer", e.ID)
		}
		if n := len(e.Answer); n > 4096 {
			t.Errorf("%s: answer is %d bytes, want <= 4096", e.ID, n)
		}
		if len(e.Alternates) < 3 {
			t.Errorf("%s: want >= 3 alternates, got %d", e.ID, len(e.Alternates))
		}
		alts := map[string]bool{strings.ToLower(strings.TrimSpace(e.Question)): true}
		for _, a := range e.Alternates {
			k := strings.ToLower(strings.TrimSpace(a))
			if k == "" {
				t.Errorf("%s: empty alternate", e.ID)
			}
			if alts[k] {
				t.Errorf("%s: repeated phrasing %q", e.ID, a)
			}
			alts[k] = true
		}
		if len(e.Tags) < 2 {
			t.Errorf("%s: want >= 2 tags, got %d", e.ID, len(e.Tags))
		}

		texts := append([]string{e.ID, e.Category, e.Question, e.Answer}, e.Alternates...)
		texts = append(texts, e.Tags...)
		for _, s := range texts {
			if !utf8.ValidString(s) {
				t.Errorf("%s: invalid UTF-8 in %q", e.ID, s)
			}
		}

		for _, m := range digitGroupRe.FindAllString(e.Answer, -1) {
			digits := 0
			for _, r := range m {
				if r >= '0' && r <= '9' {
					digits++
				}
			}
			if digits >= 8 {
				t.Errorf("%s: answer contains a phone-number-like string %q", e.ID, m)
			}
		}
		if m := areaCodeRe.FindString(e.Answer); m != "" {
			t.Errorf("%s: answer contains an area-code-like string %q", e.ID, m)
		}
		if m := rupiahRe.FindString(e.Answer); m != "" {
			t.Errorf("%s: answer mentions a rupiah amount %q", e.ID, m)
		}
		if strings.ContainsAny(e.Answer, "<>*`") {
			t.Errorf("%s: answer should be plain text without HTML/Markdown", e.ID)
		}
	}
}

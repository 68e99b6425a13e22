package csvsniff

import (
	"encoding/csv"
	"errors"
	"strings"
	"testing"
)

// Each row problem encoding/csv reports is worded apart, in Indonesian.
func TestProblem(t *testing.T) {
	seen := map[string]bool{}
	for _, in := range []string{"a,b\n1,2,3\n", "a,b\n\"1\"x,2\n", "a,b\n1\"x,2\n"} {
		r := csv.NewReader(strings.NewReader(in))
		_, err := r.ReadAll()
		var pe *csv.ParseError
		if !errors.As(err, &pe) {
			t.Fatalf("%q: %v, want a parse error", in, err)
		}
		p := Problem(pe.Err)
		if p == Problem(errors.New("other")) || seen[p] || strings.Contains(p, "field") || strings.Contains(p, "quote") {
			t.Errorf("%q (%v) is worded %q", in, pe.Err, p)
		}
		seen[p] = true
	}
}

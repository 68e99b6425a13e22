package consttest

import (
	"fmt"
	"slices"
	"testing"
)

// TestStringsReadsEveryConstantOfTheType: the constants declared with the
// type, alone, grouped or several on a line, and none other.
func TestStringsReadsEveryConstantOfTheType(t *testing.T) {
	t.Chdir("testdata/colours")
	if got, want := Strings(t, "Colour"), []string{"red", "blue", "green", "grey"}; !slices.Equal(got, want) {
		t.Errorf("Strings = %q, want %q", got, want)
	}
}

// errors records what a check reports.
type errors struct {
	testing.TB
	got []string
}

func (e *errors) Errorf(format string, args ...any) {
	e.got = append(e.got, fmt.Sprintf(format, args...))
}

// TestDistinctReportsAMissingOrSharedWord: a key without a word, or with
// a blank one, and two keys with one word are each reported.
func TestDistinctReportsAMissingOrSharedWord(t *testing.T) {
	words := map[string]string{"red": "merah", "blue": "biru", "navy": "biru", "grey": " "}
	e := &errors{TB: t}
	Distinct(e, []string{"red", "blue", "navy", "green", "grey"}, words)
	want := []string{`"blue" and "navy" are both "biru"`, `"green" has no word`, `"grey" has no word`}
	if !slices.Equal(e.got, want) {
		t.Errorf("reported %q, want %q", e.got, want)
	}
	e.got = nil
	Distinct(e, []string{"red", "blue"}, words)
	if e.got != nil {
		t.Errorf("reported %q for distinct words", e.got)
	}
}

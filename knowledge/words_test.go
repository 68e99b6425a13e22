package knowledge

import (
	"testing"

	"github.com/tebingtinggi/hub/internal/consttest"
)

// TestEveryIdentifierHasAWord: every status of an entry, decision of the
// engine and action of a revision has a word of its own, so that no
// surface shows an officer the identifier.
func TestEveryIdentifierHasAWord(t *testing.T) {
	consttest.Words(t, "Status", statusWords)
	consttest.Words(t, "Decision", decisionWords)
	consttest.Words(t, "Action", actionWords)
	for _, c := range []struct{ got, want string }{
		{Handoff.Word(), "menyerahkan ke petugas"}, {Decision("weird").Word(), "weird"},
		{ActionAlternate.Word(), "variasi ditambahkan"}, {Action("merge").Word(), "merge"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

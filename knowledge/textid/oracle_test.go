package textid_test

import (
	"bufio"
	"context"
	"database/sql"
	"os"
	"strings"
	"testing"

	_ "github.com/lib/pq" // the Postgres driver

	"github.com/tebingtinggi/hub/knowledge/textid"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

func TestMain(m *testing.M) {
	os.Exit(storagetest.Main(m))
}

// TestStemPostgresOracle asks PostgreSQL's Snowball stemmer
// (ts_lexize('indonesian_stem', word)) for every word of
// testdata/stem_oracle.txt and requires Stem to agree. The server comes
// from storagetest.PostgresURL: HUB_TEST_POSTGRES_URL or a throwaway
// server started from the local PostgreSQL binaries; the test is skipped
// without one, unless HUB_REQUIRE_POSTGRES=1.
func TestStemPostgresOracle(t *testing.T) {
	db, err := sql.Open("postgres", storagetest.PostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()

	f, err := os.Open("testdata/stem_oracle.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var words []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		word, _, _ := strings.Cut(line, " ")
		words = append(words, word)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}

	// One round trip: PostgreSQL stems the whole list.
	rows, err := db.QueryContext(ctx, `
		SELECT w, coalesce(array_to_string(ts_lexize('indonesian_stem', w), ' '), '')
		FROM unnest($1::text[]) AS w`, "{"+quoteArray(words)+"}")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var word, want string
		if err := rows.Scan(&word, &want); err != nil {
			t.Fatal(err)
		}
		n++
		if got := textid.Stem(word); got != want {
			t.Errorf("Stem(%q) = %q, PostgreSQL says %q", word, got, want)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n != len(words) {
		t.Fatalf("PostgreSQL stemmed %d words, want %d", n, len(words))
	}
	t.Logf("%d words agree with PostgreSQL", n)
}

// quoteArray renders words as the body of a PostgreSQL text array literal.
func quoteArray(words []string) string {
	var b strings.Builder
	for i, w := range words {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		for _, r := range w {
			if r == '"' || r == '\\' {
				b.WriteByte('\\')
			}
			b.WriteRune(r)
		}
		b.WriteByte('"')
	}
	return b.String()
}

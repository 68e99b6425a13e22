// Package knowledgetest helps tests of packages that write the knowledge
// base make it fail in the middle of a write.
package knowledgetest

import (
	"context"
	"regexp"
	"testing"

	"github.com/tebingtinggi/hub/storage"
)

// markerPattern is what FailRevisionsWith accepts: the marker is spliced
// into the trigger's SQL.
var markerPattern = regexp.MustCompile(`^[a-z-]+$`)

// FailRevisionsWith makes db refuse, from now on, every revision of an
// entry whose snapshot holds marker (lowercase letters and hyphens only):
// a database failure inside a knowledge-base write, after the entry's own
// row is written, to show that nothing of the write is left behind.
func FailRevisionsWith(t testing.TB, db *storage.DB, marker string) {
	t.Helper()
	if !markerPattern.MatchString(marker) {
		t.Fatalf("knowledgetest: marker %q is not lowercase letters and hyphens", marker)
	}
	stmts := []string{`CREATE TRIGGER fail_marked_revision BEFORE INSERT ON faq_revisions
		WHEN NEW.snapshot LIKE '%` + marker + `%'
		BEGIN SELECT RAISE(ABORT, 'revision refused by the test'); END`}
	if db.Dialect == storage.Postgres {
		stmts = []string{`CREATE FUNCTION fail_marked_revision() RETURNS trigger LANGUAGE plpgsql AS $$
			BEGIN
				IF NEW.snapshot LIKE '%` + marker + `%' THEN RAISE EXCEPTION 'revision refused by the test'; END IF;
				RETURN NEW;
			END $$`,
			`CREATE TRIGGER fail_marked_revision BEFORE INSERT ON faq_revisions FOR EACH ROW EXECUTE FUNCTION fail_marked_revision()`}
	}
	for _, q := range stmts {
		if _, err := db.ExecContext(context.Background(), q); err != nil {
			t.Fatal(err)
		}
	}
}

package scheduler_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tebingtinggi/hub/storage"
)

// oneSentOneRetrying marks, as a hub before an upgrade left them, the row
// keyed sent as delivered at and the row keyed retrying as tried once and
// waiting for another try.
func oneSentOneRetrying(t *testing.T, db *storage.DB, at time.Time, sent, retrying string) {
	t.Helper()
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, db.Rebind(`UPDATE outbox SET status = 'sent', sent_at = ?, attempts = 1 WHERE idempotency_key = ?`), at, sent); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, db.Rebind(`UPDATE outbox SET attempts = 1, last_error = 'HTTP 502' WHERE idempotency_key = ?`), retrying); err != nil {
		t.Fatal(err)
	}
}

// replayMigration runs again the statement of the migration named name
// that begins with from (its backfill), as the upgrade ran it on the rows
// a test made since.
func replayMigration(t *testing.T, db *storage.DB, name, from string) {
	t.Helper()
	ms, err := storage.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(ms, func(m storage.Migration) bool { return m.Name == name })
	if i < 0 {
		t.Fatalf("no %s migration", name)
	}
	stmt := ms[i].SQL[strings.Index(ms[i].SQL, from):]
	if _, err := db.ExecContext(context.Background(), strings.TrimSuffix(strings.TrimSpace(stmt), ";")); err != nil {
		t.Fatal(err)
	}
}

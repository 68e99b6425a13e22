package storage_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

// The partial indexes of the update path stay because their queries use
// them: each is in the migrated schema of both backends with its
// condition, and the query it serves (the owning package's, in the same
// shape) is planned through it. Dropping an index, or widening it into a
// full one, fails here.
func TestPartialIndexesServeTheirQueries(t *testing.T) {
	at := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	cases := []struct {
		index, table string
		// query is what the owning package runs, with ? placeholders.
		query string
		args  []any
	}{
		// handlers: Router.Recover looks for unfinished updates.
		{"processed_updates_pending", "processed_updates",
			`SELECT platform, update_id FROM processed_updates WHERE status = 'pending' AND lease_until <= ? ORDER BY received_at LIMIT 100`,
			[]any{at}},
		// inbox: a conversation's ticket that is not closed.
		{"tickets_one_active", "tickets",
			`SELECT id FROM tickets WHERE conversation_id = ? AND status <> 'closed'`, []any{1}},
		// inbox: a ticket's messages.
		{"messages_ticket", "messages",
			`SELECT id, text FROM messages WHERE ticket_id = ? ORDER BY id`, []any{1}},
		// outbox: claims walk the pending rows in id order.
		{"outbox_pending", "outbox",
			`SELECT id FROM outbox WHERE status = 'pending' ORDER BY id LIMIT 50`, nil},
		// outbox: officers list given-up and expired messages.
		{"outbox_failed", "outbox",
			`SELECT id FROM outbox WHERE status = 'failed' ORDER BY id DESC LIMIT 50`, nil},
		// outbox: the Slack desk looks for the citizens' files it could
		// not show, on every round.
		{"outbox_failed", "outbox",
			`SELECT id FROM outbox o WHERE o.status = 'failed' AND o.idempotency_key LIKE ? AND o.idempotency_key NOT LIKE ?
			AND NOT EXISTS (SELECT 1 FROM outbox f WHERE f.idempotency_key = o.idempotency_key || ?) ORDER BY o.id LIMIT ?`,
			[]any{"slack:desk:%:file:%", "%:failed", ":failed", 100}},
		{"outbox_skipped", "outbox",
			`SELECT id FROM outbox WHERE status = 'skipped' ORDER BY id DESC LIMIT 50`, nil},
		// outbox: releasing the claims of dead dispatchers reads the rows
		// being sent.
		{"outbox_leased", "outbox",
			`SELECT id FROM outbox WHERE status = 'sending' AND lease_until <= ?`, []any{at}},
		// outbox: whether a chat has undelivered rows.
		{"outbox_chat_queue", "outbox",
			`SELECT 1 FROM outbox WHERE platform = ? AND chat_id = ? AND status IN ('pending', 'sending')`,
			[]any{"telegram", "42"}},
		// outbox: the Slack desk waits for an erased citizen's thread
		// posts in flight (Store.Undelivered), on every round.
		{"outbox_chat_queue", "outbox",
			`SELECT COUNT(*) FROM outbox WHERE platform = ? AND chat_id = ? AND status IN ('pending', 'sending')
			AND (idempotency_key = ? OR substr(idempotency_key, 1, ?) = ?)`,
			[]any{"slack", "CDESK", "slack:desk:1", 13, "slack:desk:1:"}},
	}
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		// The tables every update writes keep no partial index that no
		// query here is planned through: each costs an entry per row
		// version that meets its condition.
		pinned := map[string]bool{}
		for _, c := range cases {
			pinned[c.index] = true
		}
		for _, table := range []string{"processed_updates", "outbox"} {
			for _, name := range partialIndexes(t, db, table) {
				if !pinned[name] {
					t.Errorf("partial index %s on %s serves none of the update path's queries pinned here", name, table)
				}
			}
		}
		for _, c := range cases {
			t.Run(c.index, func(t *testing.T) {
				def := indexDefinition(t, db, c.index)
				if def == "" {
					t.Fatalf("index %s is missing from the schema", c.index)
				}
				if !strings.Contains(strings.ToUpper(def), " WHERE ") || !strings.Contains(def, c.table) {
					t.Fatalf("index %s is not a partial index on %s: %s", c.index, c.table, def)
				}
				if plan := storagetest.Plan(t, db, nil, db.Rebind(c.query), c.args...); !strings.Contains(plan, c.index) {
					t.Errorf("%s is not planned through %s:\n%s", c.query, c.index, plan)
				}
			})
		}
	})
}

// indexDefinition is the CREATE INDEX statement of name, "" when there is
// no such index.
func indexDefinition(t *testing.T, db *storage.DB, name string) string {
	t.Helper()
	q := `SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?`
	if db.Dialect == storage.Postgres {
		q = `SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() AND indexname = $1`
	}
	var defs []string
	if err := db.SelectContext(context.Background(), &defs, q, name); err != nil {
		t.Fatal(err)
	}
	if len(defs) == 0 {
		return ""
	}
	return defs[0]
}

// partialIndexes names the partial indexes of table.
func partialIndexes(t *testing.T, db *storage.DB, table string) []string {
	t.Helper()
	q := `SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql LIKE '% WHERE %'`
	if db.Dialect == storage.Postgres {
		q = `SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = $1 AND indexdef LIKE '% WHERE %'`
	}
	var names []string
	if err := db.SelectContext(context.Background(), &names, q, table); err != nil {
		t.Fatal(err)
	}
	if len(names) == 0 {
		t.Fatalf("no partial index found on %s: is the query still right for %s?", table, db.Dialect)
	}
	return names
}

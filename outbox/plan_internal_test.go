package outbox

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/lib/pq"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

// The "messages waiting behind this chat" test of a recorded row must
// search the chat's own queue (outbox_chat_queue), not walk outbox_pending,
// whose every entry (and dead entry) it would visit for each row.
func TestWaitingTestSearchesTheChatQueue(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		var msgs []Message
		for i := range 3 {
			msgs = append(msgs, Message{Key: fmt.Sprint("w", i),
				Out: bots.Outgoing{Platform: bots.Telegram, ChatID: fmt.Sprint("chat", i), Text: "halo"}})
		}
		if _, err := Enqueue(ctx, db, msgs...); err != nil {
			t.Fatal(err)
		}
		// Many rows being sent, few pending: outbox_pending is then the
		// smaller index, and the tempting one.
		if _, err := db.ExecContext(ctx, `WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 3000)
			INSERT INTO outbox (idempotency_key, platform, chat_id, payload, status, attempts, not_before, next_attempt_at,
				created_at, lease_until, claim_token)
			SELECT 'busy' || n, 'telegram', 'busy' || n, '{"text":"x"}', 'sending', 1,
				CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 't' FROM g`); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, `ANALYZE`); err != nil {
			t.Fatal(err)
		}
		var query string
		var args []any
		if db.Dialect == storage.Postgres {
			query = recordPostgresSQL
			args = []any{pq.Array([]int64{1}), pq.Array([]string{"sent"}), pq.Array([]int64{1}), pq.Array([]string{""}),
				pq.Array([]bool{false}), pq.Array([]string{""}), pq.Array([]string{"7"}),
				pq.Array([]string{timeText(time.Now())}), pq.Array([]string{"t"})}
		} else {
			query = `SELECT ` + db.Rebind(waitingSQL)
			args = []any{"telegram", "chat1"}
		}
		explain := func(dropQueue bool) string {
			t.Helper()
			var before []string
			if dropQueue {
				before = []string{`DROP INDEX outbox_chat_queue`}
			}
			return storagetest.Plan(t, db, before, query, args...)
		}
		if p := explain(false); !strings.Contains(p, "outbox_chat_queue") || strings.Contains(p, "outbox_pending") {
			t.Errorf("the waiting test does not search the chat's queue:\n%s", p)
		}
		// Even without the queue's index, the test cannot walk
		// outbox_pending: its condition does not imply that index's.
		if p := explain(true); strings.Contains(p, "outbox_pending") {
			t.Errorf("the waiting test can walk outbox_pending:\n%s", p)
		}
	})
}

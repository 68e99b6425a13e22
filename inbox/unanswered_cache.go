package inbox

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// UnansweredCache answers Unanswered from the groupings it made before
// while the tickets they were made from are unchanged: reading every
// question of a week (a subquery per ticket) costs far more than a page
// may take, and a busy web admin asks again on every view.
//
// A grouping depends only on the tickets opened since the window's start:
// their ids, reasons, times and questions. Each call reads a fingerprint
// of those tickets (their count, the least, greatest and summed ids, and
// the summed length of their subjects) from one indexed aggregate and
// groups again when it differs from a kept grouping's. A new ticket
// changes the count and ids, a ticket leaving the window as it slides the
// count, and an erasure or purge, which blank the subjects of the tickets
// whose messages they delete, the subject length. Questions are never
// edited in place. The fingerprint lives in the database, so every
// process that shares it sees the same change.
//
// It is safe for concurrent use. The groups it returns are shared between
// callers and must not be modified.
type UnansweredCache struct {
	store *Store

	mu   sync.Mutex
	kept []keptGrouping // most recently used last
	runs int
}

// unansweredKept bounds the groupings kept: one per period the pages
// offer is enough.
const unansweredKept = 4

type keptGrouping struct {
	key    unansweredKey
	groups []UnansweredGroup
}

// unansweredKey is the fingerprint of the tickets in a window.
type unansweredKey struct {
	Count      int64 `db:"n"`
	MinID      int64 `db:"min_id"`
	MaxID      int64 `db:"max_id"`
	SumID      int64 `db:"sum_id"`
	SubjectLen int64 `db:"subject_len"`
}

// NewUnansweredCache returns an empty cache of s's groupings.
func NewUnansweredCache(s *Store) *UnansweredCache {
	return &UnansweredCache{store: s}
}

// Unanswered returns what Store.Unanswered returns for since.
func (c *UnansweredCache) Unanswered(ctx context.Context, since time.Time) ([]UnansweredGroup, error) {
	key, err := c.store.unansweredKey(ctx, since)
	if err != nil {
		return nil, err
	}
	if groups, ok := c.lookup(key); ok {
		return groups, nil
	}
	// The rows are read after the fingerprint: a ticket opened in between
	// is grouped under the older key, and the next call, seeing the new
	// key, groups again.
	rows, err := c.store.unansweredRows(ctx, since)
	if err != nil {
		return nil, err
	}
	groups := groupUnanswered(rows)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.runs++
	c.kept = append(c.kept, keptGrouping{key: key, groups: groups})
	if len(c.kept) > unansweredKept {
		c.kept = c.kept[1:]
	}
	return groups, nil
}

func (c *UnansweredCache) lookup(key unansweredKey) ([]UnansweredGroup, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, k := range c.kept {
		if k.key == key {
			c.kept = append(append(c.kept[:i:i], c.kept[i+1:]...), k)
			return k.groups, true
		}
	}
	return nil, false
}

// Runs is how many groupings the cache has made (its misses).
func (c *UnansweredCache) Runs() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.runs
}

func (s *Store) unansweredKey(ctx context.Context, since time.Time) (unansweredKey, error) {
	var k unansweredKey
	err := s.db.GetContext(ctx, &k, s.db.Rebind(`SELECT COUNT(*) AS n, COALESCE(MIN(id), 0) AS min_id, COALESCE(MAX(id), 0) AS max_id,
		COALESCE(SUM(id), 0) AS sum_id, COALESCE(SUM(LENGTH(subject)), 0) AS subject_len
		FROM tickets WHERE created_at >= ?`), utc(since))
	if err != nil {
		return unansweredKey{}, fmt.Errorf("inbox: unable to read the unanswered questions' fingerprint: %w", err)
	}
	return k, nil
}

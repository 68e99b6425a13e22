package slack_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tebingtinggi/hub/knowledge"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

// TestOfficersGroupUnreadable: when the officers' user group cannot be
// read (the app lacks usergroups:read), a /faq change by someone not
// listed by id is refused at once, the person told why in Indonesian and
// the failure logged; the command is done, not retried until dropped.
func TestOfficersGroupUnreadable(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	h := newHubOpts(t, db, hubOptions{officers: "U1,S0PETUGAS"})
	h.slack.mu.Lock()
	h.slack.groupError = "missing_scope"
	h.slack.mu.Unlock()
	ctx := context.Background()
	h.command("U7", "budi", "arsip ktp-hilang")
	h.ephemeralTo("U7", "daftar petugas (grup pengguna Slack di HUB_SLACK_OFFICERS) tidak dapat dibaca")
	waitFor(t, 15*time.Second, "the command done", func() bool {
		var n int
		err := db.GetContext(ctx, &n, `SELECT COUNT(*) FROM slack_requests WHERE status = 'done'`)
		return err == nil && n == 1
	})
	if n := len(h.slack.Calls("usergroups.users.list")); n != 1 {
		t.Errorf("the user group was read %d times; want once, the command not retried", n)
	}
	if e, err := h.store.Get(ctx, "ktp-hilang"); err != nil || e.Status != knowledge.Published {
		t.Errorf("the entry changed: %+v, %v", e, err)
	}
	if logs := h.logs.String(); !strings.Contains(logs, "usergroups:read") || !strings.Contains(logs, "missing_scope") {
		t.Errorf("the failure is not logged:\n%s", logs)
	}
	// An officer listed by id needs no group.
	h.command("U1", "ani", "arsip ktp-hilang")
	h.ephemeralTo("U1", "ktp-hilang sekarang berstatus arsip")
}

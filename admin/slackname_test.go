package admin

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

// accountIDs returns the ids of the harness's accounts by username.
func (h *harness) accountIDs(t *testing.T, names ...string) []int64 {
	t.Helper()
	var ids []int64
	for _, name := range names {
		u, err := h.accounts.user(context.Background(), h.db, `username = ?`, name)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, u.ID)
	}
	return ids
}

// Two admins map two accounts to one Slack name at once on PostgreSQL:
// each change's check reads what is committed, so the second passes its
// check while the first is under way. The unique index refuses the
// second when the first commits, with the check's own message naming the
// account that has the name.
func TestSlackNameTakenMeanwhileIsRefusedAsByTheCheck(t *testing.T) {
	db := storagetest.Open(t, storage.Postgres)
	h := newHarness(t, db)
	h.user(t, "siti", RoleOfficer)
	h.user(t, "budi", RoleOfficer)
	ids := h.accountIDs(t, "siti", "budi")
	ctx := context.Background()

	// siti's mapping, under way.
	updated, release := make(chan struct{}), make(chan struct{})
	first := make(chan error, 1)
	go func() {
		first <- db.InTx(ctx, func(tx *sqlx.Tx) error {
			if _, err := tx.ExecContext(ctx, `UPDATE admin_users SET slack_user_id = '@siti' WHERE id = $1`, ids[0]); err != nil {
				return err
			}
			close(updated)
			<-release
			return nil
		})
	}()
	<-updated
	second := make(chan error, 1)
	go func() {
		_, err := h.accounts.UpdateUser(ctx, ids[1], RoleOfficer, "@Siti", true, "web:admin1")
		second <- err
	}()
	// budi's change waits for siti's, on the index.
	deadline := time.Now().Add(10 * time.Second)
	for waiting := 0; waiting == 0; {
		select {
		case err := <-second:
			close(release)
			t.Fatalf("budi's account mapped to @Siti while siti's mapping to @siti was under way, without waiting for it: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			close(release)
			t.Fatal("budi's change never waited for siti's")
		}
		if err := db.GetContext(ctx, &waiting, `SELECT COUNT(*) FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'UPDATE admin_users%'`); err != nil {
			t.Fatal(err)
		}
	}
	close(release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	var bad *InputError
	if err := <-second; !errors.As(err, &bad) || !strings.Contains(bad.Msg, "nama di Slack @Siti sudah dipakai akun siti") {
		t.Fatalf("budi's account mapped to @Siti as siti's got @siti: %v; want the InputError the check gives, naming siti", err)
	}
	u, err := h.accounts.user(ctx, db, `id = ?`, ids[1])
	if err != nil || u.SlackUserID != "" {
		t.Errorf("budi's Slack name is %q (%v); want none", u.SlackUserID, err)
	}
}

// A database where two accounts got one Slack name before it was unique
// migrates: the oldest account keeps the name and the others lose it,
// case aside; other names stay. From then on the database refuses a
// second account with a name, whoever writes it.
func TestSlackNameMigrationKeepsTheOldestAccountsName(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		ms, err := storage.Migrations()
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(ms, func(m storage.Migration) bool { return m.Name == "admin_slack_name_unique" })
		if i < 0 {
			t.Fatal("no admin_slack_name_unique migration")
		}
		// The database as before the migration (later migrations stay:
		// only this one is undone and run again below).
		if _, err := db.ExecContext(ctx, `DROP INDEX admin_users_slack_name`); err != nil {
			t.Fatal(err)
		}
		h := newHarness(t, db)
		names := []string{"siti", "budi", "ani", "dodi"}
		for _, n := range names {
			h.user(t, n, RoleOfficer)
		}
		ids := h.accountIDs(t, names...)
		for i, name := range []string{"@siti", "@Siti", "@ani", "@SITI"} {
			if _, err := db.ExecContext(ctx, db.Rebind(`UPDATE admin_users SET slack_user_id = ? WHERE id = ?`), name, ids[i]); err != nil {
				t.Fatal(err)
			}
		}
		for _, stmt := range strings.Split(ms[i].SQL, ";\n") {
			if strings.TrimSpace(stmt) == "" {
				continue
			}
			if _, err := db.ExecContext(ctx, stmt); err != nil {
				t.Fatalf("migrating a database with one Slack name on two accounts: %v", err)
			}
		}
		if err := db.CheckSchema(ctx); err != nil {
			t.Fatal(err)
		}
		for i, want := range []string{"@siti", "", "@ani", ""} {
			if u, err := h.accounts.user(ctx, db, `id = ?`, ids[i]); err != nil || u.SlackUserID != want {
				t.Errorf("%s's Slack name after the migration: %q (%v); want %q", names[i], u.SlackUserID, err, want)
			}
		}
		_, err = db.ExecContext(ctx, db.Rebind(`UPDATE admin_users SET slack_user_id = ? WHERE id = ?`), "@SITI", ids[1])
		if !storage.IsUniqueViolation(err) {
			t.Errorf("a second account given @SITI past the check: %v; want a unique violation", err)
		}
		// Unmapped accounts stay many.
		if _, err := db.ExecContext(ctx, db.Rebind(`UPDATE admin_users SET slack_user_id = '' WHERE id = ?`), ids[2]); err != nil {
			t.Errorf("a third account without a Slack name: %v", err)
		}
	})
}

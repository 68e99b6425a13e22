package admin

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

// The daily purge deletes failed logins (the name tried and the client's
// address) once the throttle no longer counts them, the addresses logged
// in from once a month has passed, and sessions that can no longer be
// used, without waiting for a login or a visit; a session in
// use and a failure still counted stay.
func TestPurgeExpiredLoginsAndSessions(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h, kept := loggedIn(t, db, "otto", RoleOfficer)
		h.user(t, "ida", RoleOfficer)
		idle := h.login(t, "ida") // then left alone
		ctx := context.Background()
		count := func(table string) int {
			t.Helper()
			var n int
			if err := db.GetContext(ctx, &n, `SELECT COUNT(*) FROM `+table); err != nil {
				t.Fatal(err)
			}
			return n
		}
		fail := func(name string) {
			t.Helper()
			c := h.client(t)
			c.get("/admin/login")
			if res, _ := c.post("/admin/login", url.Values{"username": {name}, "password": {"salah"}}); res.StatusCode == http.StatusSeeOther {
				t.Fatalf("a wrong password logged %s in", name)
			}
		}
		fail("tamu")
		h.clock.Advance(20 * time.Minute)
		fail("tamu2")
		if res, body := kept.get("/admin/kb"); res.StatusCode != http.StatusOK {
			t.Fatalf("the kept session: status %d\n%s", res.StatusCode, body)
		}
		if count("admin_login_failures") != 2 || count("admin_sessions") != 2 {
			t.Fatalf("before: %d failures, %d sessions", count("admin_login_failures"), count("admin_sessions"))
		}

		// 20 minutes on: the first failure is past the 15-minute window,
		// the idle session past its 30 minutes idle (ida logged in 20+
		// minutes ago and did nothing); otto's session was used.
		h.clock.Advance(11 * time.Minute)
		n, err := h.server.PurgeExpired(ctx, h.clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		if n != 2 || count("admin_login_failures") != 1 || count("admin_sessions") != 1 {
			t.Fatalf("purged %d: %d failures, %d sessions left; want 2 purged, 1 and 1 left", n, count("admin_login_failures"), count("admin_sessions"))
		}
		if res, body := kept.get("/admin/kb"); res.StatusCode != http.StatusOK {
			t.Fatalf("the session in use was purged: status %d\n%s", res.StatusCode, body)
		}
		if res, _ := idle.get("/admin/kb"); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("the idle session still works: status %d", res.StatusCode)
		}

		// Past the 12-hour lifetime, a session in use goes too.
		for range 25 {
			h.clock.Advance(29 * time.Minute)
			kept.get("/admin/kb")
		}
		if _, err := h.server.PurgeExpired(ctx, h.clock.Now()); err != nil {
			t.Fatal(err)
		}
		if count("admin_sessions") != 0 || count("admin_login_failures") != 0 {
			t.Fatalf("after 12 hours: %d sessions, %d failures left", count("admin_sessions"), count("admin_login_failures"))
		}

		// The addresses otto and ida logged in from are kept 30 days
		// after their last login from them, then purged.
		if count("admin_login_addresses") != 2 {
			t.Fatalf("after 12 hours: %d login addresses, want 2", count("admin_login_addresses"))
		}
		h.clock.Advance(DefaultThrottle.KnownFor)
		if n, err := h.server.PurgeExpired(ctx, h.clock.Now()); err != nil || n != 2 || count("admin_login_addresses") != 0 {
			t.Fatalf("after 30 days: purged %d (%v), %d login addresses left", n, err, count("admin_login_addresses"))
		}
	})
}

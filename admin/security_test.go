package admin

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

// loginFrom posts a login form as a client behind the trusted proxy whose
// X-Forwarded-For is forwarded, and returns the status.
func (c *client) loginFrom(forwardedFor, name, password string) int {
	c.t.Helper()
	c.get("/admin/login")
	form := url.Values{"csrf": {c.csrf}, "username": {name}, "password": {password}}
	req, err := http.NewRequest(http.MethodPost, c.h.srv.URL+"/admin/login", strings.NewReader(form.Encode()))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Forwarded-For", forwardedFor)
	res, _ := c.do(req)
	return res.StatusCode
}

// A proxy appends the address it saw to X-Forwarded-For; whatever stands
// before it was written by the client. Changing that part must not give
// a guesser a fresh address to count.
func TestLoginThrottleCountsTheAddressTheProxySaw(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newHarness(t, db)
		h.server.cfg.TrustProxy = true
		h.user(t, "ada", RoleAdmin)
		c := h.client(t)
		const attacker = "203.0.113.7"
		for i := range DefaultThrottle.PerAddress {
			forged := fmt.Sprintf("198.51.100.%d, %s", i+1, attacker)
			if got := c.loginFrom(forged, fmt.Sprintf("tebak%d", i), "salah"); got != http.StatusUnauthorized {
				t.Fatalf("guess %d: status %d", i+1, got)
			}
		}
		if got := c.loginFrom("198.51.100.250, "+attacker, "ada", testPassword); got != http.StatusTooManyRequests {
			t.Fatalf("from a guessing address with a new forged hop: status %d, want 429", got)
		}
		// Another client behind the same proxy is not held back.
		if got := h.client(t).loginFrom("192.0.2.10", "ada", testPassword); got != http.StatusSeeOther {
			t.Fatalf("another address: status %d, want 303", got)
		}
	})
}

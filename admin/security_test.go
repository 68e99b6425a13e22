package admin

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

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

// Someone who knows an account's name and guesses its password from
// elsewhere must not lock its owner out: from an address the owner logged
// in from within the last 30 days, only that address's failures count
// against the account. A guess from an address the account never logged
// in from stays held back by all of them, the owner's own typos still
// lock their address, and an address not used for 30 days is new again.
// The lockout is logged without the name or any address.
func TestLoginFromAKnownAddressIsNotLockedOutByGuessesElsewhere(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newHarness(t, db)
		h.server.cfg.TrustProxy = true
		var logs lockedBuffer
		h.server.cfg.Logger = slog.New(slog.NewTextHandler(&logs, nil))
		h.user(t, "ada", RoleAdmin)
		const owner, attacker, fresh = "192.0.2.10", "203.0.113.7", "198.51.100.9"
		if got := h.client(t).loginFrom(owner, "ada", testPassword); got != http.StatusSeeOther {
			t.Fatalf("the owner's first login: status %d", got)
		}
		h.clock.Advance(10 * 24 * time.Hour)

		guess := h.client(t)
		for i := range DefaultThrottle.PerAccount {
			if got := guess.loginFrom(attacker, "ada", fmt.Sprintf("salah-%d", i)); got != http.StatusUnauthorized {
				t.Fatalf("guess %d: %d", i, got)
			}
		}
		if got := guess.loginFrom(attacker, "ada", "salah-lagi"); got != http.StatusTooManyRequests {
			t.Errorf("the attacker's guess past the limit: status %d, want 429", got)
		}
		if got := h.client(t).loginFrom(owner, "ada", testPassword); got != http.StatusSeeOther {
			t.Errorf("the owner, from their usual address, with the right password after an attacker's %d guesses: status %d, want 303 (locked out)",
				DefaultThrottle.PerAccount, got)
		}
		// The owner's login did not reset the guesses from elsewhere: a
		// new address is still held back, even with the right password.
		if got := h.client(t).loginFrom(fresh, "ada", testPassword); got != http.StatusTooManyRequests {
			t.Errorf("a new address after %d guesses: status %d, want 429", DefaultThrottle.PerAccount, got)
		}
		out := logs.String()
		if !strings.Contains(out, "admin: login refused after too many failed logins") {
			t.Errorf("the lockout is not logged:\n%s", out)
		}
		for _, personal := range []string{"ada", owner, attacker, fresh} {
			if strings.Contains(out, personal) {
				t.Errorf("the log holds %q:\n%s", personal, out)
			}
		}

		// Failures from the known address itself count against it.
		h.clock.Advance(DefaultThrottle.Window + time.Second)
		typo := h.client(t)
		for i := range DefaultThrottle.PerAccount {
			if got := typo.loginFrom(owner, "ada", fmt.Sprintf("typo-%d", i)); got != http.StatusUnauthorized {
				t.Fatalf("typo %d: %d", i, got)
			}
		}
		if got := typo.loginFrom(owner, "ada", testPassword); got != http.StatusTooManyRequests {
			t.Errorf("the known address after its own %d failures: status %d, want 429", DefaultThrottle.PerAccount, got)
		}

		// 30 days without a login from it, the address is new again.
		h.clock.Advance(DefaultThrottle.KnownFor + time.Second)
		for i := range DefaultThrottle.PerAccount {
			if got := guess.loginFrom(attacker, "ada", fmt.Sprintf("salah-%d", i)); got != http.StatusUnauthorized {
				t.Fatalf("guess %d a month later: %d", i, got)
			}
		}
		if got := h.client(t).loginFrom(owner, "ada", testPassword); got != http.StatusTooManyRequests {
			t.Errorf("an address last used more than 30 days ago after %d guesses: status %d, want 429", DefaultThrottle.PerAccount, got)
		}
	})
}

// A new password forgets the addresses logged in from with the old one.
func TestNewPasswordForgetsKnownAddresses(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newHarness(t, db)
		h.server.cfg.TrustProxy = true
		h.user(t, "ada", RoleAdmin)
		if got := h.client(t).loginFrom("192.0.2.10", "ada", testPassword); got != http.StatusSeeOther {
			t.Fatalf("login: status %d", got)
		}
		if err := h.accounts.SetPassword(context.Background(), "ada", []byte(testPassword), "test"); err != nil {
			t.Fatal(err)
		}
		guess := h.client(t)
		for i := range DefaultThrottle.PerAccount {
			if got := guess.loginFrom("203.0.113.7", "ada", fmt.Sprintf("salah-%d", i)); got != http.StatusUnauthorized {
				t.Fatalf("guess %d: %d", i, got)
			}
		}
		if got := h.client(t).loginFrom("192.0.2.10", "ada", testPassword); got != http.StatusTooManyRequests {
			t.Errorf("an address known before the new password, after %d guesses: status %d, want 429", DefaultThrottle.PerAccount, got)
		}
	})
}

// Guesses sent all at once must not each find the failure count below the
// limit before any of them is recorded.
func TestConcurrentLoginGuessesAreThrottled(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newHarness(t, db)
		// A slower hash, as in production, so that the guesses overlap.
		h.accounts.Cost = 8
		h.user(t, "ada", RoleAdmin)
		const guesses = 24
		clients := make([]*client, guesses)
		for i := range clients {
			clients[i] = h.client(t)
			clients[i].get("/admin/login")
		}
		start := make(chan struct{})
		statuses := make([]int, guesses)
		var wg sync.WaitGroup
		for i, c := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				form := url.Values{"csrf": {c.csrf}, "username": {"ada"}, "password": {fmt.Sprintf("salah-%d", i)}}
				req, err := http.NewRequest(http.MethodPost, h.srv.URL+"/admin/login", strings.NewReader(form.Encode()))
				if err != nil {
					t.Error(err)
					return
				}
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				res, err := c.http.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				res.Body.Close()
				statuses[i] = res.StatusCode
			}()
		}
		close(start)
		wg.Wait()
		checked := 0
		for i, st := range statuses {
			switch st {
			case http.StatusUnauthorized:
				checked++
			case http.StatusTooManyRequests:
			default:
				t.Errorf("guess %d: status %d", i, st)
			}
		}
		if checked > DefaultThrottle.PerAccount {
			t.Errorf("%d of %d simultaneous guesses had their password checked, want at most %d", checked, guesses, DefaultThrottle.PerAccount)
		}
		// The refused guesses left no failure behind; the checked ones did.
		var failures int
		if err := db.GetContext(context.Background(), &failures, `SELECT COUNT(*) FROM admin_login_failures WHERE username = 'ada'`); err != nil {
			t.Fatal(err)
		}
		if failures != checked {
			t.Errorf("%d failures recorded for %d checked guesses", failures, checked)
		}
	})
}

// Behind the TLS proxy, the session cookie is Secure and the browser is
// told to come back over https only, so that a network attacker cannot
// downgrade an officer's next visit to plain HTTP.
func TestBehindTLSProxyTheBrowserKeepsToHTTPS(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newHarness(t, db)
		h.server.cfg.TrustProxy = true
		h.user(t, "otto", RoleOfficer)
		c := h.client(t)
		c.get("/admin/login")
		form := url.Values{"csrf": {c.csrf}, "username": {"otto"}, "password": {testPassword}}
		req, err := http.NewRequest(http.MethodPost, h.srv.URL+"/admin/login", strings.NewReader(form.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-Proto", "https")
		res, body := c.do(req)
		wantStatus(t, "login over https", res, body, http.StatusSeeOther)
		var session *http.Cookie
		for _, ck := range res.Cookies() {
			if ck.Name == SessionCookie {
				session = ck
			}
		}
		if session == nil || !session.Secure || !session.HttpOnly {
			t.Errorf("session cookie behind https: %+v", session)
		}
		if hsts := res.Header.Get("Strict-Transport-Security"); !strings.HasPrefix(hsts, "max-age=") || hsts == "max-age=0" {
			t.Errorf("Strict-Transport-Security = %q behind https", hsts)
		}
		// Over plain HTTP the header means nothing and is not sent.
		res, _ = c.get("/admin/login")
		if hsts := res.Header.Get("Strict-Transport-Security"); hsts != "" {
			t.Errorf("Strict-Transport-Security = %q over plain HTTP", hsts)
		}
	})
}

// routePattern finds the pages registered in the package's sources.
var routePattern = regexp.MustCompile(`s\.(handle|mux\.HandleFunc|mux\.Handle)\("([A-Z]+) (/admin/[^"]*)"(?:, (Role\w+))?`)

type route struct{ method, path, role string }

// registeredRoutes reads every method-bound route from the sources, so
// that a page added later is held to the rules below without a list to
// update.
func registeredRoutes(t *testing.T) []route {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fill := strings.NewReplacer("{id}", "1", "{slug}", "x", "{nip}", "198001012005011001", "{key}", "x", "{msg}", "1", "{$}", "")
	var out []route
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range routePattern.FindAllStringSubmatch(string(src), -1) {
			if m[1] != "handle" && m[3] != "/admin/login" && m[3] != "/admin/static/" {
				t.Errorf("%s: %s %s is registered past the session and role checks", f, m[2], m[3])
			}
			out = append(out, route{m[2], fill.Replace(m[3]), m[4]})
		}
	}
	if len(out) < 50 {
		t.Fatalf("found only %d routes; the pattern no longer reads the sources", len(out))
	}
	return out
}

// Every state-changing page refuses a read-only account and a request
// without the session's CSRF token, and the admin's own pages refuse an
// officer; the read-only account may only log out and preview an answer.
func TestEveryChangeNeedsItsRoleAndToken(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newHarness(t, db)
		h.user(t, "vera", RoleViewer)
		h.user(t, "otto", RoleOfficer)
		h.user(t, "ada", RoleAdmin)
		vera, otto, ada := h.login(t, "vera"), h.login(t, "otto"), h.login(t, "ada")
		viewerMay := map[string]bool{"/admin/logout": true, "/admin/kb/preview": true}
		for _, r := range registeredRoutes(t) {
			if r.method != http.MethodPost {
				continue
			}
			if !viewerMay[r.path] {
				res, body := vera.post(r.path, url.Values{})
				wantStatus(t, "viewer POST "+r.path, res, body, http.StatusForbidden)
			}
			if r.role == "RoleAdmin" {
				res, body := otto.post(r.path, url.Values{})
				wantStatus(t, "officer POST "+r.path, res, body, http.StatusForbidden)
			}
			if r.path == "/admin/logout" {
				continue
			}
			res, body := ada.post(r.path, url.Values{"csrf": {"forged"}})
			wantStatus(t, "admin POST "+r.path+" with a forged token", res, body, http.StatusForbidden)
		}
	})
}

// lockedBuffer collects log output across the server's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// A failed request is logged by its route, not its path, which may hold
// an ASN's NIP.
func TestServerErrorLogsNoNIP(t *testing.T) {
	const nip = "198001012005011001"
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newHarness(t, db)
		var logs lockedBuffer
		h.server.cfg.Logger = slog.New(slog.NewTextHandler(&logs, nil))
		h.user(t, "otto", RoleOfficer)
		c := h.login(t, "otto")
		// The ASN table is gone: reading the record fails on the server.
		if _, err := db.ExecContext(context.Background(), `ALTER TABLE asn RENAME TO asn_gone`); err != nil {
			t.Fatal(err)
		}
		res, body := c.get("/admin/asn/" + nip + "/edit")
		wantStatus(t, "ASN record without its table", res, body, http.StatusInternalServerError)
		out := logs.String()
		if !strings.Contains(out, "admin: request failed") || !strings.Contains(out, "GET /admin/asn/{nip}/edit") {
			t.Fatalf("the failure is not logged with its route:\n%s", out)
		}
		if strings.Contains(out, nip) {
			t.Errorf("the log holds the NIP:\n%s", out)
		}
	})
}

package admin

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzSafeNext: whatever a link puts in ?next=, the browser is sent to a
// page of this site under /admin/.
func FuzzSafeNext(f *testing.F) {
	for _, seed := range []string{"", "/admin/", "/admin/kb?q=a#x", "//evil.example/admin/", "/\\evil", "/admin/../x",
		"/admin/%2e%2e/x", "https://evil.example/admin/", "/admin/\t/x", "/admin//evil.example", "/admin/%2F%2Fevil"} {
		f.Add(seed)
	}
	base, _ := url.Parse("https://hub.example/admin/login")
	f.Fuzz(func(t *testing.T, next string) {
		got := safeNext(next)
		if !strings.HasPrefix(got, "/admin") || strings.HasPrefix(got, "//") || strings.ContainsAny(got, "\\\x00\t\r\n") {
			t.Fatalf("safeNext(%q) = %q", next, got)
		}
		u, err := base.Parse(got)
		if err != nil {
			t.Fatalf("safeNext(%q) = %q, which does not parse: %v", next, got, err)
		}
		if u.Host != "hub.example" || u.Scheme != "https" || !strings.HasPrefix(u.Path, "/admin/") {
			t.Fatalf("safeNext(%q) = %q leads to %s", next, got, u)
		}
	})
}

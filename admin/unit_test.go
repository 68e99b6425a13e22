package admin

import (
	"reflect"
	"testing"

	"github.com/tebingtinggi/hub/internal/consttest"
)

func TestSafeNext(t *testing.T) {
	for next, want := range map[string]string{
		"":                       "/admin/",
		"/admin/kb":              "/admin/kb",
		"/admin/kb?status=draft": "/admin/kb?status=draft",
		"//evil.example/admin/":  "/admin/",
		"https://evil.example/":  "/admin/",
		"/\\evil.example":        "/admin/",
		"/admin/../evil":         "/admin/",
		"/admin/..":              "/admin/",
		"javascript:alert(1)":    "/admin/",
		"/admin/\nx":             "/admin/",
		"/adminx":                "/admin/",
		"https://hub/admin/kb":   "/admin/",
		"/admin/kb#frag":         "/admin/kb",
		"/admin/%2e%2e/evil":     "/admin/",
	} {
		if got := safeNext(next); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", next, got, want)
		}
	}
}

func TestDiffLines(t *testing.T) {
	cases := []struct {
		a, b string
		want []diffLine
	}{
		{"", "", nil},
		{"a", "a", []diffLine{{" ", "a"}}},
		{"", "a\nb", []diffLine{{"+", "a"}, {"+", "b"}}},
		{"a\nb\nc", "a\nx\nc", []diffLine{{" ", "a"}, {"-", "b"}, {"+", "x"}, {" ", "c"}}},
		{"a\nb", "b", []diffLine{{"-", "a"}, {" ", "b"}}},
	}
	for _, c := range cases {
		if got := diffLines(c.a, c.b); !reflect.DeepEqual(got, c.want) {
			t.Errorf("diffLines(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}

func TestRolesAllow(t *testing.T) {
	for _, c := range []struct {
		have, need Role
		want       bool
	}{
		{RoleAdmin, RoleOfficer, true}, {RoleOfficer, RoleOfficer, true}, {RoleViewer, RoleOfficer, false},
		{RoleOfficer, RoleAdmin, false}, {RoleViewer, RoleViewer, true}, {"", RoleViewer, false},
	} {
		if got := c.have.Allows(c.need); got != c.want {
			t.Errorf("%q.Allows(%q) = %v", c.have, c.need, got)
		}
	}
}

// TestEveryRoleHasAWord: every role has a word of its own, so that no
// surface shows the identifier; a label starts with a capital.
func TestEveryRoleHasAWord(t *testing.T) {
	consttest.Words(t, "Role", roleWords)
	for _, c := range []struct{ got, want string }{
		{RoleViewer.Word(), "pembaca"}, {Role("auditor").Word(), "auditor"},
		{capital("selesai"), "Selesai"}, {capital("ésai"), "Ésai"}, {capital(""), ""},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

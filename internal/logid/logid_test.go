package logid

import (
	"bytes"
	"log/slog"
	"regexp"
	"strings"
	"testing"
)

func TestPerson(t *testing.T) {
	h, err := New("a-key-of-sixteen-chars")
	if err != nil {
		t.Fatal(err)
	}
	other, _ := New("another-key-of-16-chars")
	random1, _ := New("")
	random2, _ := New("")
	a := h.Person("telegram", "905")
	if !regexp.MustCompile(`^p-[0-9a-f]{16}$`).MatchString(a) {
		t.Fatalf("Person = %q", a)
	}
	for _, c := range []struct {
		name string
		got  string
		same bool
	}{
		{"same person, same key", h.Person("telegram", "905"), true},
		{"other person", h.Person("telegram", "906"), false},
		{"same id on another platform", h.Person("slack", "905"), false},
		{"platform and id not run together", h.Person("telegram9", "05"), false},
		{"other key", other.Person("telegram", "905"), false},
		{"random key", random1.Person("telegram", "905"), false},
	} {
		if (c.got == a) != c.same {
			t.Errorf("%s: %q vs %q", c.name, c.got, a)
		}
	}
	if random1.Person("telegram", "905") == random2.Person("telegram", "905") {
		t.Error("two processes without a key share one")
	}
	if strings.Contains(a, "905") {
		t.Errorf("%q shows the id", a)
	}
}

func TestNewRefusesShortKey(t *testing.T) {
	if _, err := New("short"); err == nil {
		t.Fatal("a 5-character key was accepted")
	}
}

func TestAttr(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	h, _ := New("a-key-of-sixteen-chars")
	var none *Hasher
	log.Info("x", h.Attr("telegram", "905"), none.Attr("telegram", "905"), h.Attr("telegram", ""))
	if got := buf.String(); strings.Count(got, "person=") != 1 || !strings.Contains(got, "person="+h.Person("telegram", "905")) {
		t.Errorf("log line %q", got)
	}
}

package storage

import (
	"strings"
	"testing"
)

// Redact masks every password a database URL can carry, even one that
// the URL's query parser cannot decode (a raw "%" or a ";" separator),
// and leaves the rest readable.
func TestRedactMasksEveryPassword(t *testing.T) {
	for _, raw := range []string{
		"postgres://hub:Rahasia2026@db.internal/hub?sslmode=require",
		"postgres://hub@db.internal/hub?sslmode=require&password=Rahasia2026",
		"postgres://hub@db.internal/hub?sslmode=require&password=Rahasia%Kota2026",
		"postgres://hub@db.internal/hub?password=Rahasia;Kota2026",
		"postgres://hub@db.internal/hub?sslmode=require;sslpassword=Rahasia2026",
		"postgres://hub@db.internal/hub?PASSWORD=Rahasia2026&sslmode=disable",
		"postgres://hub@db.internal/hub?pass%77ord=Rahasia2026",
	} {
		got := Redact(raw)
		if strings.Contains(got, "Rahasia") || strings.Contains(got, "Kota2026") {
			t.Errorf("Redact(%q) = %q: the password shows", raw, got)
		}
		if !strings.Contains(got, "db.internal/hub") {
			t.Errorf("Redact(%q) = %q: the database is no longer named", raw, got)
		}
	}
	for _, raw := range []string{"postgres://hub@db.internal/hub?sslmode=require", "sqlite://./data/hub.db"} {
		if got := Redact(raw); got != raw {
			t.Errorf("Redact(%q) = %q, want it unchanged", raw, got)
		}
	}
}

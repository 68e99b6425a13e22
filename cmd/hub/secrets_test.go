package main

import (
	"net/url"
	"strings"
	"testing"

	"github.com/tebingtinggi/hub/bots/telegram/telegramtest"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

// lib/pq also takes the password as a query parameter of the URL; the
// line that names the database must not show it.
func TestServeLogsNoDatabasePasswordGivenAsParameter(t *testing.T) {
	const password = "sandi-rahasia-basisdata"
	srv := telegramtest.NewServer(t)
	env := telegramEnv(t, storage.Postgres, srv)
	u, err := url.Parse(storagetest.PostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("password", password)
	u.RawQuery = q.Encode()
	env["HUB_DATABASE_URL"] = u.String()
	h := startServe(t, env)
	h.stop()
	logs := h.errb.String() + h.out.String()
	if !strings.Contains(logs, "database ready") {
		t.Fatalf("no database line logged:\n%s", logs)
	}
	if strings.Contains(logs, password) {
		t.Errorf("the logs hold the database password:\n%s", logs)
	}
}

// The secret is all that authenticates Telegram's webhook requests: one
// short enough to try out is refused, without being echoed.
func TestWeakWebhookSecretIsRefused(t *testing.T) {
	for _, secret := range []string{"x", "k3c4m4t4n-2026"} {
		env := map[string]string{"HUB_TELEGRAM_WEBHOOK_URL": "https://hub.example.go.id/telegram/hook", "HUB_TELEGRAM_WEBHOOK_SECRET": secret}
		_, err := loadConfig(func(k string) string { return env[k] })
		if err == nil || !strings.Contains(err.Error(), "HUB_TELEGRAM_WEBHOOK_SECRET") {
			t.Errorf("secret %q: %v, want an error naming HUB_TELEGRAM_WEBHOOK_SECRET", secret, err)
			continue
		}
		if len(secret) > 1 && strings.Contains(err.Error(), secret) {
			t.Errorf("secret %q is echoed: %v", secret, err)
		}
	}
	env := map[string]string{"HUB_TELEGRAM_WEBHOOK_URL": "https://hub.example.go.id/telegram/hook", "HUB_TELEGRAM_WEBHOOK_SECRET": "Vq3_xT9-mK2pL7wR4zN8"}
	if _, err := loadConfig(func(k string) string { return env[k] }); err != nil {
		t.Errorf("a strong secret: %v", err)
	}
}

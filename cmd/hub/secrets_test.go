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

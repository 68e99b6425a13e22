package main

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/tebingtinggi/hub/admin"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

func TestAdminCreateUserReadsThePasswordFromStdin(t *testing.T) {
	url := storagetest.URL(t, storage.SQLite)
	ta := newTestApp(t, url)
	for _, c := range []struct {
		stdin string
		args  []string
		code  int
		want  string
	}{
		{"", []string{"admin", "create-user", "siti", "--role", "admin"}, 1, "tidak ada kata sandi di masukan standar"},
		{"pendek\n", []string{"admin", "create-user", "siti", "--role", "admin"}, 1, "kata sandi terlalu pendek"},
		{"rahasia-sekali-123\n", []string{"admin", "create-user", "siti", "--role", "boss"}, 2, "--role harus admin, officer atau viewer"},
		{"rahasia-sekali-123\n", []string{"admin", "create-user", "--role", "admin"}, 2, "memerlukan NAMA akun"},
		{"rahasia-sekali-123\n", []string{"admin", "create-user", "siti", "--role", "admin"}, 0, "akun siti dibuat dengan peran admin"},
		{"rahasia-sekali-123\n", []string{"admin", "create-user", "siti", "--role", "viewer"}, 1, "sudah ada"},
		{"kata-sandi-baru-456\n", []string{"admin", "set-password", "siti"}, 0, "kata sandi akun siti diubah"},
	} {
		code, out, errOut := ta.run(c.stdin, c.args...)
		got := out
		if c.code != 0 {
			got = errOut
		}
		if code != c.code || !strings.Contains(got, c.want) {
			t.Fatalf("hub %s: exit %d, want %d with %q\nstdout: %s\nstderr: %s", strings.Join(c.args, " "), code, c.code, c.want, out, errOut)
		}
	}
	db, err := storage.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	accounts := admin.NewStore(db)
	if _, err := accounts.Authenticate(context.Background(), "siti", []byte("rahasia-sekali-123"), "127.0.0.1"); !errors.Is(err, admin.ErrBadLogin) {
		t.Fatalf("the old password still works: %v", err)
	}
	u, err := accounts.Authenticate(context.Background(), "siti", []byte("kata-sandi-baru-456"), "127.0.0.1")
	if err != nil || u.Role != admin.RoleAdmin {
		t.Fatalf("login with the new password: %+v, %v", u, err)
	}
}

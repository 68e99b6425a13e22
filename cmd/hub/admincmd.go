package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/tebingtinggi/hub/admin"
	"github.com/tebingtinggi/hub/internal/safetext"
)

// adminCmd manages the web admin's accounts. Passwords are read from the
// terminal (not echoed) or the first line of standard input, never from
// an argument, which other users of the machine could see.
func (a *app) adminCmd(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: admin memerlukan subperintah: create-user atau set-password", errUsage)
	}
	sub, rest := args[0], args[1:]
	fs := a.flagSet("admin " + sub)
	role := fs.String("role", "", "create-user: admin, officer (petugas) atau viewer (pembaca)")
	// NAME comes first ("create-user NAME --role admin"); flag stops at
	// the first argument that is not a flag.
	var name string
	if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		name, rest = rest[0], rest[1:]
	}
	if err := fs.Parse(rest); err != nil {
		return err
	}
	if name == "" && fs.NArg() == 1 {
		name = fs.Arg(0)
	} else if fs.NArg() > 0 {
		return fmt.Errorf("%w: admin %s memerlukan satu NAMA akun", errUsage, sub)
	}
	if name == "" {
		return fmt.Errorf("%w: admin %s memerlukan NAMA akun", errUsage, sub)
	}
	switch sub {
	case "create-user":
		if !admin.Role(*role).Valid() {
			return fmt.Errorf("%w: --role harus admin, officer atau viewer", errUsage)
		}
	case "set-password":
	default:
		return fmt.Errorf("%w: subperintah admin %q tidak dikenal", errUsage, sub)
	}
	password, err := a.readPassword()
	if err != nil {
		return err
	}
	c, err := a.config()
	if err != nil {
		return err
	}
	db, err := a.openDB(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	accounts := admin.NewStore(db)
	if sub == "set-password" {
		if err := accounts.SetPassword(ctx, name, password, a.cliAuthor()); errors.Is(err, admin.ErrUserNotFound) {
			return fmt.Errorf("tidak ada akun %q (buat dengan hub admin create-user)", name)
		} else if err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "kata sandi akun %s diubah; semua sesi masuknya diakhiri\n", safetext.Line(name))
		return nil
	}
	u, err := accounts.CreateUser(ctx, name, password, admin.Role(*role), a.cliAuthor())
	if errors.Is(err, admin.ErrUserExists) {
		return fmt.Errorf("akun %q sudah ada (ganti kata sandinya dengan hub admin set-password)", name)
	} else if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "akun %s dibuat dengan peran %s; masuk di /admin/\n", safetext.Line(u.Username), u.Role.Word())
	return nil
}

// readPassword reads a password: twice without echo from a terminal, or
// the first line of standard input.
func (a *app) readPassword() ([]byte, error) {
	if f, ok := a.stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(a.stderr, "Kata sandi: ")
		p1, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(a.stderr)
		if err != nil {
			return nil, fmt.Errorf("kata sandi tidak dapat dibaca: %w", err)
		}
		fmt.Fprint(a.stderr, "Ulangi kata sandi: ")
		p2, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(a.stderr)
		if err != nil {
			return nil, fmt.Errorf("kata sandi tidak dapat dibaca: %w", err)
		}
		if string(p1) != string(p2) {
			return nil, errors.New("kedua kata sandi tidak sama")
		}
		return p1, nil
	}
	line, err := bufio.NewReader(a.stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("kata sandi tidak dapat dibaca dari masukan standar: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return nil, errors.New("tidak ada kata sandi di masukan standar: ketik di terminal atau alirkan dari berkas, misalnya `hub admin create-user NAMA --role admin < berkas-sandi`")
	}
	return []byte(line), nil
}

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"regexp"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/internal/safetext"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/training"
)

// parseFlags parses fs from args, allowing flags after the positional
// arguments ("hub asn unlink NIP --platform telegram"), and returns the
// positional ones.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// trainingStore opens the database and the training store on it for a
// CLI command; close the database when done.
func (a *app) trainingStore(ctx context.Context) (*storage.DB, *training.Store, error) {
	c, err := a.config()
	if err != nil {
		return nil, nil, err
	}
	db, err := a.openDB(ctx, c)
	if err != nil {
		return nil, nil, err
	}
	return db, training.New(db, trainingOptions(c)), nil
}

// importFile runs imp on the file at path, naming the file by its path in
// errors ("asn.csv:3: kolom "nip": …").
func importFile(path string, imp func(f *os.File) error) error {
	f, err := os.Open(path)
	if err != nil {
		return unopened(path, err)
	}
	defer f.Close()
	return imp(f)
}

// botUsernameRE is what Telegram allows in a bot's username.
var botUsernameRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{3,31}$`)

// telegramBotUsername returns HUB_TELEGRAM_BOT_USERNAME without a leading
// "@" ("" when unset), for deep links.
func (a *app) telegramBotUsername() (string, error) {
	v := strings.TrimPrefix(strings.TrimSpace(a.getenv("HUB_TELEGRAM_BOT_USERNAME")), "@")
	if v != "" && !botUsernameRE.MatchString(v) {
		return "", fmt.Errorf("HUB_TELEGRAM_BOT_USERNAME=%q: isi nama pengguna bot seperti yang ditampilkan @BotFather, misalnya PemkotTebingtinggiBot", v)
	}
	return v, nil
}

// asnCmd manages civil servants and their chat links:
// hub asn units FILE | import FILE | list [--unit U] | link-code NIP | unlink NIP [--platform P].
func (a *app) asnCmd(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: asn memerlukan subperintah: units, import, list, link-code atau unlink", errUsage)
	}
	sub := args[0]
	fs := a.flagSet("asn " + sub)
	var unit, platform *string
	switch sub {
	case "units", "import", "link-code":
	case "list":
		unit = fs.String("unit", "", "hanya ASN di OPD ini (kode OPD, misalnya DISKOMINFO)")
	case "unlink":
		platform = fs.String("platform", "", "hanya tautan di platform ini (telegram, slack, console); bawaannya semua")
	default:
		return fmt.Errorf("%w: subperintah asn %q tidak dikenal", errUsage, sub)
	}
	pos, err := parseFlags(fs, args[1:])
	if err != nil {
		return err
	}
	one := func(what string) (string, error) {
		if len(pos) != 1 {
			return "", fmt.Errorf("%w: asn %s memerlukan satu %s", errUsage, sub, what)
		}
		return pos[0], nil
	}
	var arg string
	switch sub {
	case "units", "import":
		arg, err = one("BERKAS")
	case "link-code", "unlink":
		arg, err = one("NIP")
		if err == nil {
			arg, err = training.NormalizeNIP(arg)
			if err != nil {
				err = fmt.Errorf("%w: %q bukan NIP: %v", errUsage, pos[0], err)
			}
		}
	case "list":
		if len(pos) != 0 {
			err = fmt.Errorf("%w: asn list tidak memerlukan argumen (saring dengan --unit)", errUsage)
		}
	}
	if err != nil {
		return err
	}
	var p bots.Platform
	if platform != nil && *platform != "" {
		p = bots.Platform(strings.ToLower(*platform))
		if p != bots.Telegram && p != bots.Slack && p != bots.Console {
			return fmt.Errorf("%w: --platform harus telegram, slack atau console, bukan %q", errUsage, *platform)
		}
	}
	bot, err := a.telegramBotUsername()
	if err != nil {
		return err
	}

	db, store, err := a.trainingStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	switch sub {
	case "units":
		var n int
		err := importFile(arg, func(f *os.File) (err error) { n, err = store.ImportUnits(ctx, f, arg); return err })
		if err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "%d OPD diimpor dari %s\n", n, arg)
	case "import":
		var n int
		err := importFile(arg, func(f *os.File) (err error) { n, err = store.ImportASN(ctx, f, arg); return err })
		if err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "%d ASN diimpor dari %s\n", n, arg)
		gone, err := store.InactiveEnrolments(ctx, time.Now())
		if err != nil {
			return err
		}
		for _, g := range gone {
			fmt.Fprintf(a.stdout, "peringatan: %s\n", safetext.Line(g.Warning()))
		}
	case "list":
		return a.asnList(ctx, db, store, *unit)
	case "link-code":
		return a.asnLinkCode(ctx, store, arg, bot)
	case "unlink":
		person, err := store.GetASN(ctx, arg)
		if errors.Is(err, training.ErrNotFound) {
			return fmt.Errorf("tidak ada ASN dengan NIP %s", arg)
		}
		if err != nil {
			return err
		}
		n, err := store.UnlinkASN(ctx, arg, p)
		if err != nil {
			return err
		}
		where := "platform mana pun"
		if p != "" {
			where = string(p)
		}
		if n == 0 {
			fmt.Fprintf(a.stdout, "%s (%s) tidak memiliki tautan chat di %s; tidak ada yang dihapus\n", person.NIP, safetext.Line(person.Name), where)
			return nil
		}
		fmt.Fprintf(a.stdout, "%d tautan chat %s (%s) dihapus; ASN ini tidak lagi menerima pengingat atau survei di sana\n", n, person.NIP, safetext.Line(person.Name))
	}
	return nil
}

func (a *app) asnList(ctx context.Context, db *storage.DB, store *training.Store, unit string) error {
	people, err := store.ListASN(ctx, unit)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NIP\tNAMA\tOPD\tJABATAN\tAKTIF\tTERTAUT")
	linked := 0
	for _, p := range people {
		links, err := store.Links(ctx, db, p.NIP)
		if err != nil {
			return err
		}
		var on []string
		for _, l := range links {
			s := string(l.Platform)
			if l.Paused {
				s += " (dijeda)"
			}
			on = append(on, s)
		}
		if len(on) > 0 {
			linked++
		} else {
			on = []string{"-"}
		}
		active := "ya"
		if !p.Active {
			active = "tidak"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", safetext.Line(p.NIP), safetext.Line(p.Name), safetext.Line(p.UnitCode), safetext.Line(orDash(p.Position)), active, strings.Join(on, ", "))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "%d ASN, %d tertaut\n", len(people), linked)
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// asnLinkCode issues a one-time link code and prints it with the message
// an officer forwards to the ASN (in Indonesian): the Telegram deep link
// when the bot's username is known, and the /daftar instruction always.
func (a *app) asnLinkCode(ctx context.Context, store *training.Store, nip, bot string) error {
	person, err := store.GetASN(ctx, nip)
	if errors.Is(err, training.ErrNotFound) {
		return fmt.Errorf("tidak ada ASN dengan NIP %s (impor dahulu dengan hub asn import)", nip)
	}
	if err != nil {
		return err
	}
	if !person.Active {
		return fmt.Errorf("ASN %s (%s) tidak aktif; kode tautan tidak diterbitkan", nip, safetext.Line(person.Name))
	}
	now := time.Now()
	code, err := store.IssueLinkCode(ctx, nip, now)
	if err != nil {
		return err
	}
	until := training.FormatWIB(now.Add(training.LinkCodeValidity))
	fmt.Fprintf(a.stdout, "kode tautan untuk %s (%s): %s\n", nip, safetext.Line(person.Name), code)
	fmt.Fprintf(a.stdout, "berlaku satu kali, sampai %s; kode sebelumnya untuk ASN ini tidak berlaku lagi\n", until)
	if bot != "" {
		fmt.Fprintf(a.stdout, "tautan langsung Telegram: https://t.me/%s?start=%s\n", bot, code)
	} else {
		fmt.Fprintln(a.stdout, "(isi HUB_TELEGRAM_BOT_USERNAME agar tautan langsung Telegram ikut dicetak)")
	}
	fmt.Fprintf(a.stdout, "\nPesan untuk diteruskan kepada ASN:\n\n")
	fmt.Fprintf(a.stdout, "Yth. Bapak/Ibu %s,\n\n", safetext.Line(person.Name))
	if bot != "" {
		fmt.Fprintf(a.stdout, "Untuk menerima pengingat pelatihan dan survei evaluasi melalui Telegram, buka tautan https://t.me/%s?start=%s lalu tekan MULAI (Start).\n", bot, code)
		fmt.Fprintf(a.stdout, "Atau kirim pesan berikut kepada bot: /daftar %s\n", code)
	} else {
		fmt.Fprintf(a.stdout, "Untuk menerima pengingat pelatihan dan survei evaluasi melalui chat, kirim pesan berikut kepada bot resmi Pemerintah Kota Tebingtinggi: /daftar %s\n", code)
	}
	fmt.Fprintf(a.stdout, "Kode ini hanya dapat dipakai satu kali dan berlaku sampai %s.\n", until)
	return nil
}

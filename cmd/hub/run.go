package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/tebingtinggi/hub/internal/safetext"
	"github.com/tebingtinggi/hub/storage"
)

// app carries the process's streams and environment, so that tests can run
// any command in-process.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	// whoami names the process's account and host for cliAuthor when the
	// environment does not (nil: osAccount).
	whoami func() (account, host string)
	// ready, when set, receives the HTTP address once serve listens.
	ready func(addr string)
}

// run is main without the process: it runs the command in args and returns
// the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	a := &app{stdin: os.Stdin, stdout: stdout, stderr: stderr, getenv: os.Getenv}
	return a.run(ctx, args)
}

// errUsage marks a command-line mistake: exit code 2 and the usage text.
var errUsage = errors.New("usage")

const usage = `hub: pusat komunikasi Pemerintah Kota Tebingtinggi

Pemakaian:
  hub serve                          jalankan hub (HTTP, bot Telegram, antrean kirim, penjadwal)
  hub chat [--as NAMA]               mengobrol dengan bot di terminal ini (database yang sama)
  hub inbox list [--status STATUS] [--limit N]
                                     daftar tiket layanan (status open, answered atau closed)
  hub inbox show ID [--full]         satu tiket dengan pesan-pesannya (--full: setiap pesan selengkapnya)
  hub inbox reply ID "teks" [--new-faq | --alternate-of ID]
                                     jawab tiket; balasan dikirim ke warga, dan bot belajar: draf entri FAQ
                                     baru, atau pertanyaan warga sebagai variasi entri ID
  hub inbox close ID                 tutup tiket; warga diminta memberi penilaian
  hub inbox release ID               lepaskan tiket dari petugas yang mengambilnya, agar petugas lain dapat membalas
  hub schedule [--from WAKTU] [--to WAKTU]
                                     daftar pesan yang akan dikirim penjadwal (tidak ada yang dikirim)
  hub asn units BERKAS.csv           impor OPD: code,name
  hub asn import BERKAS.csv          impor ASN (ditambah atau diperbarui menurut NIP):
                                     nip,name,unit,position,supervisor_nip,active
  hub asn list [--unit OPD]          daftar ASN dengan tautan chat-nya
  hub asn link-code NIP              terbitkan kode sekali pakai (7 hari) untuk menautkan akun chat ASN
  hub asn unlink NIP [--platform PLATFORM]
                                     hapus tautan chat ASN
  hub training import trainings|sessions|enrolments|jp BERKAS.csv
                                     impor katalog pelatihan, sesi (perubahan diberitahukan kepada peserta),
                                     peserta, atau JP yang diperoleh di luar hub: nip,date,jp,title,provider
  hub training list                  pelatihan, sesi, jumlah konfirmasi kehadiran dan putaran survei
  hub report training ID [--csv]     konfirmasi kehadiran, daftar hadir dan hasil survei satu pelatihan
                                     (nomor atau kode)
  hub report survey PUTARAN [--csv]  satu putaran survei: tingkat tanggapan, hasil per pertanyaan, per OPD
  hub report jp [--year TAHUN] [--unit OPD] [--csv]
                                     JP pengembangan kompetensi per OPD dan ASN dibandingkan target JP
                                     (halaman pengaturan, atau HUB_JP_TARGET)
  hub report needs [--unit OPD] [--csv]
                                     kebutuhan pelatihan dari penilaian mandiri digital: bagian ASN yang menilai
                                     dirinya rendah per OPD dan kompetensi, dan pelatihan yang mencakupnya
  hub migrate                        perbarui skema database
  hub kb import [--replace] BERKAS   impor entri FAQ (.json atau .csv)
  hub kb export [--format json|csv]  tulis basis pengetahuan ke stdout
  hub kb list [--status STATUS]      daftar entri (status draft, published atau archived)
  hub kb show ID                     satu entri dengan riwayat versinya
  hub kb restore ID VERSI            pulihkan versi lama sebagai versi baru
  hub kb archive|publish|draft ID    ubah status entri menjadi arsip, terbit atau draf
  hub kb search PERTANYAAN...        tampilkan keputusan bot dan kandidatnya
  hub kb ask [PERTANYAAN...]         satu keputusan JSON per baris stdin (atau untuk PERTANYAAN)
  hub kb eval --queries BERKAS       nilai mutu jawaban pada pertanyaan berlabel
  hub kb eval --corpora FOLDER       nilai mutu jawaban leave-one-corpus-out (tanpa database)
  hub kb fit [-o BERKAS] FOLDER      latih model keputusan pada korpus berlabel
  hub kb unanswered [--since 7d]     pertanyaan yang diteruskan ke petugas atau ditandai "Belum",
                                     dikelompokkan, kelompok terbesar dulu
  hub kb synonyms [add KATA = KATA ... | delete ID]
                                     daftar kelompok sinonim, tambah satu, atau hapus satu
  hub admin create-user NAMA --role admin|officer|viewer
                                     tambah akun admin web (kata sandi dari terminal atau stdin)
  hub admin set-password NAMA        ganti kata sandi akun admin web (sesi masuknya diakhiri)
  hub version                        cetak versi

Konfigurasi dibaca dari variabel lingkungan; lihat README.md.
`

func (a *app) run(ctx context.Context, args []string) int {
	if len(args) == 0 {
		fmt.Fprint(a.stderr, usage)
		return 2
	}
	if len(args) > 1 && isHelp(args[1]) && (args[1] == "help" || groupCommands[args[0]]) {
		// A command's own flags answer -h and --help; a group of
		// subcommands has none, and "help" is nobody's argument.
		fmt.Fprint(a.stdout, usage)
		return 0
	}
	var err error
	switch args[0] {
	case "serve":
		err = a.serve(ctx, args[1:])
	case "migrate":
		err = a.migrate(ctx, args[1:])
	case "kb":
		err = a.kb(ctx, args[1:])
	case "chat":
		err = a.chat(ctx, args[1:])
	case "inbox":
		err = a.inboxCmd(ctx, args[1:])
	case "asn":
		err = a.asnCmd(ctx, args[1:])
	case "training":
		err = a.trainingCmd(ctx, args[1:])
	case "report":
		err = a.reportCmd(ctx, args[1:])
	case "schedule":
		err = a.schedule(ctx, args[1:])
	case "admin":
		err = a.adminCmd(ctx, args[1:])
	case "version":
		fmt.Fprintf(a.stdout, "hub %s (skema %d)\n", version, storage.LatestVersion())
	case "help", "-h", "--help":
		fmt.Fprint(a.stdout, usage)
	default:
		err = fmt.Errorf("%w: perintah %q tidak dikenal", errUsage, args[0])
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case ctx.Err() != nil && errors.Is(err, ctx.Err()):
		// Ctrl-C or SIGTERM: every command writes in one transaction,
		// which the cancelled context rolled back.
		fmt.Fprintf(a.stderr, "hub: dihentikan: %s\n", safetext.Block(err.Error()))
		return 130
	case errors.Is(err, errUsage):
		msg := strings.TrimPrefix(err.Error(), errUsage.Error()+": ")
		fmt.Fprintf(a.stderr, "hub: %s\n\n%s", safetext.Block(msg), usage)
		return 2
	default:
		// An error may quote what was read from a file or the database.
		fmt.Fprintf(a.stderr, "hub: %s\n", safetext.Block(flagMistake(err)))
		return 1
	}
}

// groupCommands are the commands whose first argument is a subcommand.
var groupCommands = map[string]bool{"kb": true, "inbox": true, "asn": true, "training": true, "report": true, "admin": true}

// isHelp reports whether arg asks for the usage.
func isHelp(arg string) bool { return arg == "help" || arg == "-h" || arg == "--help" }

// noArguments refuses the arguments left after a command's flags, for a
// command that takes none, rather than run while ignoring them.
func noArguments(fs *flag.FlagSet) error {
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: %s tidak memerlukan argumen, tetapi diberi %q", errUsage, fs.Name(), fs.Arg(0))
	}
	return nil
}

// flagSet is a command's flag set. Its -h and its mistakes show the
// command's flags in Indonesian on stderr; the flag package's own English
// message is not printed but returned, and run says it (flagMistake).
func (a *app) flagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() { writeFlags(a.stderr, fs) }
	return fs
}

// writeFlags lists a command's flags, with their defaults.
func writeFlags(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprintf(w, "Pemakaian: hub %s", fs.Name())
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	if n == 0 {
		fmt.Fprint(w, " (tanpa opsi)\n")
	} else {
		fmt.Fprint(w, " [opsi]\n\nOpsi:\n")
	}
	fs.VisitAll(func(f *flag.Flag) {
		kind, help := flag.UnquoteUsage(f)
		kind = map[string]string{"string": "TEKS", "int": "ANGKA", "float": "ANGKA", "duration": "DURASI", "value": "NILAI"}[kind]
		fmt.Fprintf(w, "  %s", doubleDash("-"+f.Name))
		if kind != "" {
			fmt.Fprintf(w, " %s", kind)
		}
		fmt.Fprintf(w, "\n        %s", help)
		if f.DefValue != "" && f.DefValue != "0" && f.DefValue != "false" {
			fmt.Fprintf(w, " (bawaan: %s)", f.DefValue)
		}
		fmt.Fprintln(w)
	})
	fmt.Fprint(w, "\nSemua perintah: hub help\n")
}

// flagMistake is err in Indonesian when it is the flag package's
// complaint about a mistyped flag, and err's text otherwise.
func flagMistake(err error) string {
	msg := err.Error()
	if errors.Unwrap(err) != nil {
		return msg // the flag package's errors wrap nothing
	}
	for _, m := range []struct{ prefix, words string }{
		{"flag provided but not defined: ", "opsi tidak dikenal: "},
		{"flag needs an argument: ", "opsi ini memerlukan nilai: "},
		{"bad flag syntax: ", "penulisan opsi salah: "},
	} {
		if rest, ok := strings.CutPrefix(msg, m.prefix); ok {
			return m.words + doubleDash(rest)
		}
	}
	// invalid value "x" for flag -limit: parse error
	// invalid boolean value "x" for -full: parse error
	for _, prefix := range []string{"invalid value ", "invalid boolean value "} {
		if rest, ok := strings.CutPrefix(msg, prefix); ok {
			value, rest, _ := strings.Cut(rest, " for ")
			name, _, _ := strings.Cut(strings.TrimPrefix(rest, "flag "), ":")
			return fmt.Sprintf("nilai %s tidak sah untuk opsi %s", value, doubleDash(name))
		}
	}
	return msg
}

// doubleDash writes a flag as the usage does: "--full" for "-full", but
// "-o" as it is.
func doubleDash(name string) string {
	if strings.HasPrefix(name, "-") && !strings.HasPrefix(name, "--") && len(name) > 2 {
		return "-" + name
	}
	return name
}

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func (a *app) config() (config, error) {
	return loadConfig(a.getenv)
}

func (a *app) logger(c config) *slog.Logger {
	return slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: c.LogLevel}))
}

// openDB opens the configured database and brings its schema up to date;
// a database newer than this binary is refused.
func (a *app) openDB(ctx context.Context, c config) (*storage.DB, error) {
	db, err := storage.Open(ctx, c.DatabaseURL)
	if err != nil {
		return nil, dbError(err)
	}
	n, err := db.Migrate(ctx)
	if err != nil {
		db.Close()
		return nil, dbError(err)
	}
	if err := db.CheckSchema(ctx); err != nil {
		db.Close()
		return nil, dbError(err)
	}
	if n > 0 && n == storage.LatestVersion() {
		// Every migration ran: the database did not exist or was empty.
		// A command run on a server without the service's environment
		// (HUB_DATABASE_URL) would otherwise work on a new, empty
		// ./data/hub.db and report nothing amiss.
		fmt.Fprintf(a.stderr, "hub: database baru dibuat: %s (bila yang dimaksud database hub yang sudah ada, isi HUB_DATABASE_URL dengan alamatnya, seperti pada layanan hub)\n", safetext.Line(dbWhere(db)))
	}
	return db, nil
}

// dbWhere names a database for people: a SQLite file by its absolute
// path, a Postgres database by its URL without the password.
func dbWhere(db *storage.DB) string {
	if db.Dialect != storage.SQLite {
		return db.URL
	}
	p := strings.TrimPrefix(strings.TrimPrefix(db.URL, "sqlite:"), "//")
	if i := strings.IndexByte(p, '?'); i >= 0 {
		p = p[:i]
	}
	if abs, err := filepath.Abs(p); err == nil {
		return abs
	}
	return p
}

// dbError says in Indonesian what an operator does about a database the
// hub cannot use, keeping the cause (which names the database without its
// password) for whoever looks further.
func dbError(err error) error {
	if errors.Is(err, context.Canceled) {
		return err
	}
	var newer storage.ErrSchemaTooNew
	if errors.As(err, &newer) {
		return fmt.Errorf("database ini sudah diperbarui oleh hub versi yang lebih baru (skema %d, versi ini hanya mengenal sampai %d): jalankan hub versi terbaru; versi lama tidak boleh memakai database ini", newer.Database, newer.Binary)
	}
	return fmt.Errorf("database HUB_DATABASE_URL tidak dapat dipakai: %w", err)
}

func (a *app) migrate(ctx context.Context, args []string) error {
	fs := a.flagSet("migrate")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := noArguments(fs); err != nil {
		return err
	}
	c, err := a.config()
	if err != nil {
		return err
	}
	db, err := storage.Open(ctx, c.DatabaseURL)
	if err != nil {
		return dbError(err)
	}
	defer db.Close()
	n, err := db.Migrate(ctx)
	if err != nil {
		return dbError(err)
	}
	fmt.Fprintf(a.stdout, "%d migrasi diterapkan; versi skema %d\n", n, storage.LatestVersion())
	return nil
}

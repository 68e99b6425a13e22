package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"

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

const usage = `hub: the Kota Tebingtinggi communication hub

Usage:
  hub serve                          run the hub (HTTP, Telegram bot, outbox, scheduler)
  hub chat [--as NAME]               talk to the bot in this terminal (same database)
  hub inbox list [--status S] [--limit N]
                                     list help-desk tickets (open, answered, closed)
  hub inbox show ID [--full]         one ticket with its messages (--full: every message in full)
  hub inbox reply ID "teks" [--new-faq | --alternate-of ID]
                                     answer a ticket; the citizen receives it, and the bot learns
                                     a draft FAQ entry or the question as an alternate of entry ID
  hub inbox close ID                 close a ticket; the citizen is asked for a rating
  hub schedule [--from T] [--to T]   list what the scheduler will send (nothing is sent)
  hub asn units FILE.csv             import the units (OPD): code,name
  hub asn import FILE.csv            import ASN (upsert by NIP): nip,name,unit,position,supervisor_nip,active
  hub asn list [--unit U]            list ASN with their chat links
  hub asn link-code NIP              issue a one-time code (7 days) with which the ASN links a chat account
  hub asn unlink NIP [--platform P]  remove an ASN's chat link(s)
  hub training import trainings|sessions|enrolments|jp FILE.csv
                                     import the catalogue, sessions (changes notify the enrolled), enrolments
                                     or JP done outside the hub: nip,date,jp,title,provider
  hub training list                  trainings, sessions, RSVP counts and survey rounds
  hub report training ID [--csv]     RSVPs, attendance and survey results of a training (ID or code)
  hub report survey ROUND [--csv]    one survey round: response rate, per-question results, per unit
  hub report jp [--year Y] [--unit U] [--csv]
                                     JP of competency development per unit and ASN against the JP target (settings page, or HUB_JP_TARGET)
  hub report needs [--unit U] [--csv]
                                     training needs from the digital self-assessment: share rating
                                     themselves low per unit and competency, and trainings that cover them
  hub migrate                        bring the database schema up to date
  hub kb import [--replace] FILE     import FAQ entries (.json or .csv)
  hub kb export [--format json|csv]  write the knowledge base to stdout
  hub kb list [--status S]           list entries
  hub kb show ID                     show one entry and its revisions
  hub kb restore ID VERSION          restore an earlier revision
  hub kb archive|publish|draft ID    change an entry's status
  hub kb search QUESTION...          show how the bot would decide
  hub kb ask [QUESTION...]           one JSON decision per stdin line (or for QUESTION)
  hub kb eval --queries FILE         score answer quality on labelled questions
  hub kb eval --corpora DIR          score answer quality leave-one-corpus-out (no database)
  hub kb fit [-o FILE] DIR           fit the decision models on labelled corpora
  hub kb unanswered [--since 7d]     questions handed over or marked "Belum", grouped, biggest first
  hub kb synonyms [add TERM... | delete ID]
  hub admin create-user NAME --role admin|officer|viewer
                                     add a web admin account (password from the terminal or stdin)
  hub admin set-password NAME        change a web admin password (ends its sessions)
  hub version                        print the version

Configuration is read from the environment; see README.md.
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
		fmt.Fprintf(a.stdout, "hub %s (schema %d)\n", version, storage.LatestVersion())
	case "help", "-h", "--help":
		fmt.Fprint(a.stdout, usage)
	default:
		err = fmt.Errorf("%w: unknown command %q", errUsage, args[0])
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case ctx.Err() != nil && errors.Is(err, ctx.Err()):
		// Ctrl-C or SIGTERM: every command writes in one transaction,
		// which the cancelled context rolled back.
		fmt.Fprintf(a.stderr, "hub: interrupted: %s\n", safetext.Block(err.Error()))
		return 130
	case errors.Is(err, errUsage):
		fmt.Fprintf(a.stderr, "hub: %s\n\n%s", safetext.Block(err.Error()), usage)
		return 2
	default:
		// An error may quote what was read from a file or the database.
		fmt.Fprintf(a.stderr, "hub: %s\n", safetext.Block(err.Error()))
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
		return fmt.Errorf("%w: %s takes no arguments, not %q", errUsage, fs.Name(), fs.Arg(0))
	}
	return nil
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
		return nil, err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := db.CheckSchema(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func (a *app) migrate(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(a.stderr)
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
		return err
	}
	defer db.Close()
	n, err := db.Migrate(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "applied %d migration(s); schema version %d\n", n, storage.LatestVersion())
	return nil
}

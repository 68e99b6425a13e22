package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"

	"github.com/tebingtinggi/hub/inbox"
	"github.com/tebingtinggi/hub/internal/safetext"
	"github.com/tebingtinggi/hub/knowledge"
)

// cliAuthor names the officer behind a change made from the command line.
func (a *app) cliAuthor() string {
	// A value of spaces alone (an env file's `HUB_AUTHOR= `) names nobody:
	// it is as if unset.
	if u := strings.TrimSpace(a.getenv("HUB_AUTHOR")); u != "" {
		return u
	}
	for _, v := range []string{"USER", "LOGNAME"} {
		if u := strings.TrimSpace(a.getenv(v)); u != "" {
			return "cli:" + u
		}
	}
	// $USER is often unset where the hub runs (a container, cron, a
	// service's shell): the account the process runs as, or failing that
	// the machine, still says where a change came from.
	who := a.whoami
	if who == nil {
		who = osAccount
	}
	switch account, host := who(); {
	case account != "":
		return "cli:" + account
	case host != "":
		return "cli@" + host
	}
	return "cli"
}

// osAccount is the name of the account the process runs as (from the
// system's user database, not the environment) and the host name; either
// may be empty.
func osAccount() (account, host string) {
	if u, err := user.Current(); err == nil {
		account = u.Username
	}
	host, _ = os.Hostname()
	return account, host
}

// kbCommands are the `hub kb` subcommands, each one function.
var kbCommands = map[string]func(a *app, ctx context.Context, fs *flag.FlagSet, args []string) error{
	"import":     (*app).kbImport,
	"export":     (*app).kbExport,
	"list":       (*app).kbList,
	"show":       (*app).kbShowCmd,
	"restore":    (*app).kbRestore,
	"archive":    (*app).kbSetStatus,
	"publish":    (*app).kbSetStatus,
	"draft":      (*app).kbSetStatus,
	"search":     (*app).kbSearch,
	"ask":        (*app).kbAsk,
	"eval":       (*app).kbEval,
	"fit":        (*app).kbFit,
	"unanswered": (*app).kbUnanswered,
	"synonyms":   (*app).kbSynonyms,
}

func (a *app) kb(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: kb memerlukan subperintah: %s", errUsage, kbSubcommandList)
	}
	cmd, ok := kbCommands[args[0]]
	if !ok {
		return fmt.Errorf("%w: subperintah kb %q tidak dikenal", errUsage, args[0])
	}
	fs := a.flagSet("kb " + args[0])
	return cmd(a, ctx, fs, args[1:])
}

// kbSubcommandList names the kb subcommands for the error that none was
// given.
const kbSubcommandList = "import, export, list, show, restore, archive, publish, draft, search, ask, eval, fit, unanswered atau synonyms"

// kbStore opens the configured database for a kb subcommand; close it
// when done.
func (a *app) kbStore(ctx context.Context) (*knowledge.Store, config, func(), error) {
	c, err := a.config()
	if err != nil {
		return nil, c, nil, err
	}
	db, err := a.openDB(ctx, c)
	if err != nil {
		return nil, c, nil, err
	}
	return knowledge.NewStore(db), c, func() { db.Close() }, nil
}

// progressStep is the fewest entries between two progress lines of
// `kb import`.
const progressStep = 1000

func (a *app) kbImport(ctx context.Context, fs *flag.FlagSet, args []string) error {
	replace := fs.Bool("replace", false, "arsipkan setiap entri yang tidak ada di berkas")
	// Flags may follow the file, as with the inbox commands.
	rest, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return fmt.Errorf("%w: kb import memerlukan satu BERKAS", errUsage)
	}
	file, err := knowledge.ParseFileWithSynonyms(rest[0])
	if err != nil {
		return unopened(rest[0], err)
	}
	store, _, done, err := a.kbStore(ctx)
	if err != nil {
		return err
	}
	defer done()
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("kb import: tidak ada yang disimpan: %w", err)
	}
	opt := knowledge.ImportOptions{Replace: *replace, Author: a.cliAuthor()}
	if n := len(file.Entries); n >= 2*progressStep {
		// A long import says every tenth that it advances, so that an
		// officer can tell it from a hung one (and knows Ctrl-C is safe).
		step := max(progressStep, n/10)
		opt.Progress = func(done int) {
			if done%step == 0 && done < n {
				fmt.Fprintf(a.stderr, "hub: %d dari %d entri ditulis (belum disimpan; Ctrl-C membatalkan semuanya)\n", done, n)
			}
		}
	}
	res, err := store.ImportFile(ctx, file, opt)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "%d entri diimpor: %d dibuat, %d diubah, %d tetap, %d diarsipkan; %d kelompok sinonim\n",
		len(file.Entries), res.Created, res.Updated, res.Unchanged, res.Archived, res.SynonymGroups)
	return nil
}

func (a *app) kbExport(ctx context.Context, fs *flag.FlagSet, args []string) error {
	format := fs.String("format", "json", "json atau csv")
	status := fs.String("status", "", "hanya entri berstatus ini: draft/draf, published/terbit atau archived/arsip")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *format != "json" && *format != "csv" {
		return fmt.Errorf("%w: --format harus json atau csv, bukan %q", errUsage, *format)
	}
	want, err := entryStatus(*status)
	if err != nil {
		return err
	}
	store, _, done, err := a.kbStore(ctx)
	if err != nil {
		return err
	}
	defer done()
	if *format == "json" && want == "" {
		// The whole knowledge base, synonym groups included.
		file, err := store.ExportFile(ctx)
		if err != nil {
			return err
		}
		return knowledge.WriteJSONFile(a.stdout, file)
	}
	entries, err := store.List(ctx, knowledge.Filter{Status: want})
	if err != nil {
		return err
	}
	if *format == "json" {
		return knowledge.WriteJSON(a.stdout, entries)
	}
	return knowledge.WriteCSV(a.stdout, entries)
}

func (a *app) kbList(ctx context.Context, fs *flag.FlagSet, args []string) error {
	status := fs.String("status", "", "hanya entri berstatus ini: draft/draf, published/terbit atau archived/arsip")
	category := fs.String("category", "", "hanya entri dalam kategori ini")
	if err := fs.Parse(args); err != nil {
		return err
	}
	want, err := entryStatus(*status)
	if err != nil {
		return err
	}
	store, _, done, err := a.kbStore(ctx)
	if err != nil {
		return err
	}
	defer done()
	entries, err := store.List(ctx, knowledge.Filter{Status: want, Category: *category, Text: strings.Join(fs.Args(), " ")})
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATUS\tVERSI\tKATEGORI\tPERTANYAAN")
	for _, e := range entries {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\n", safetext.Line(e.Slug), e.Status.Word(), e.Version, safetext.Line(e.Category), safetext.Line(e.Question))
	}
	return tw.Flush()
}

func (a *app) kbShowCmd(ctx context.Context, fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: kb show memerlukan satu ID", errUsage)
	}
	store, _, done, err := a.kbStore(ctx)
	if err != nil {
		return err
	}
	defer done()
	return a.kbShow(ctx, store, entryID(fs.Arg(0)))
}

// entryID is an entry id as typed on the command line: ids are lower case,
// so one typed with capitals means the same.
func entryID(arg string) string { return strings.ToLower(strings.TrimSpace(arg)) }

func (a *app) kbRestore(ctx context.Context, fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 2 {
		return fmt.Errorf("%w: kb restore memerlukan ID dan VERSI", errUsage)
	}
	v, err := strconv.Atoi(fs.Arg(1))
	if err != nil {
		return fmt.Errorf("%w: VERSI harus berupa angka, bukan %q", errUsage, fs.Arg(1))
	}
	store, _, done, err := a.kbStore(ctx)
	if err != nil {
		return err
	}
	defer done()
	slug := entryID(fs.Arg(0))
	e, err := store.Restore(ctx, slug, v, a.cliAuthor())
	if fe, ok := errors.AsType[*knowledge.FieldError](err); ok {
		return fmt.Errorf("versi %d tidak dipulihkan: %w", v, fe)
	}
	if err != nil {
		if err := noEntry(ctx, store, slug, err); !errors.Is(err, knowledge.ErrNotFound) {
			return err
		}
		return fmt.Errorf("entri %s tidak memiliki versi %d (lihat riwayat versinya dengan hub kb show %s)", safetext.Line(slug), v, safetext.Line(slug))
	}
	fmt.Fprintf(a.stdout, "entri %s dipulihkan dari versi %d sebagai versi %d\n", safetext.Line(e.Slug), v, e.Version)
	return nil
}

// noEntry names the id when err is that no entry has it (and not, say,
// that the entry lacks a version); other errors come back as they are.
func noEntry(ctx context.Context, store *knowledge.Store, slug string, err error) error {
	if !errors.Is(err, knowledge.ErrNotFound) {
		return err
	}
	if _, gerr := store.Get(ctx, slug); !errors.Is(gerr, knowledge.ErrNotFound) {
		return err
	}
	return fmt.Errorf("tidak ada entri FAQ dengan id %q (lihat hub kb list)", slug)
}

// entryStatus reads an entry --status (see statusFlag).
func entryStatus(v string) (knowledge.Status, error) {
	return statusFlag(v, knowledge.Status.Word, knowledge.Draft, knowledge.Published, knowledge.Archived)
}

// unopened says that the file at path could not be opened, when err is
// that, and why in the officer's words where the system's are English
// ("no such file or directory"); other errors come back as they are.
func unopened(path string, err error) error {
	var pe *fs.PathError
	if !errors.As(err, &pe) {
		return err
	}
	why := pe.Err.Error()
	switch {
	case errors.Is(pe.Err, fs.ErrNotExist):
		why = "berkas itu tidak ada"
	case errors.Is(pe.Err, fs.ErrPermission):
		why = "tidak ada izin untuk membacanya"
	case errors.Is(pe.Err, syscall.EISDIR):
		why = "itu folder, bukan berkas"
	}
	return fmt.Errorf("tidak dapat membuka %s: %s", path, why)
}

// kbSetStatus is `kb archive`, `kb publish` and `kb draft`; the flag set's
// name says which.
func (a *app) kbSetStatus(ctx context.Context, fs *flag.FlagSet, args []string) error {
	sub := strings.TrimPrefix(fs.Name(), "kb ")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: kb %s memerlukan satu ID", errUsage, sub)
	}
	st := map[string]knowledge.Status{"archive": knowledge.Archived, "publish": knowledge.Published, "draft": knowledge.Draft}[sub]
	store, _, done, err := a.kbStore(ctx)
	if err != nil {
		return err
	}
	defer done()
	slug := entryID(fs.Arg(0))
	e, err := store.SetStatus(ctx, slug, st, a.cliAuthor())
	if fe, ok := errors.AsType[*knowledge.FieldError](err); ok {
		return fmt.Errorf("status tidak diubah menjadi %s: %w", st.Word(), fe)
	}
	if err != nil {
		return noEntry(ctx, store, slug, err)
	}
	fmt.Fprintf(a.stdout, "entri %s sekarang berstatus %s (versi %d)\n", safetext.Line(e.Slug), e.Status.Word(), e.Version)
	return nil
}

// kbIndex builds the search index from the configured database. A
// knowledge base without published entries is said on stderr: every
// question would be handed over, which is not how the bot decides once
// `hub serve` has seeded the starter entries.
func (a *app) kbIndex(ctx context.Context) (*knowledge.Index, error) {
	store, c, done, err := a.kbStore(ctx)
	if err != nil {
		return nil, err
	}
	defer done()
	ix, err := loadIndex(ctx, store, engineConfig(c, a.stderr))
	if err != nil {
		return nil, err
	}
	if err := a.warnNoPublished(ctx, store); err != nil {
		return nil, err
	}
	return ix, nil
}

// warnNoPublished tells on stderr, in Indonesian, that the knowledge base
// has no published entry to answer with, and how to give it some.
func (a *app) warnNoPublished(ctx context.Context, store *knowledge.Store) error {
	published, err := store.Count(ctx, knowledge.Published)
	if err != nil || published > 0 {
		return err
	}
	all, err := store.Count(ctx, "")
	if err != nil {
		return err
	}
	if all == 0 {
		fmt.Fprintln(a.stderr, "hub: basis pengetahuan masih kosong, jadi setiap pertanyaan diserahkan ke petugas. "+
			"Isi dengan `hub kb import BERKAS` (.json atau .csv), atau jalankan `hub serve` (atau `hub chat`) sekali: "+
			"keduanya mengisi basis pengetahuan yang kosong dengan entri awal bawaan.")
		return nil
	}
	fmt.Fprintf(a.stderr, "hub: belum ada entri terbit di basis pengetahuan (%d entri draf atau arsip), jadi setiap pertanyaan diserahkan ke petugas. "+
		"Terbitkan entri dengan `hub kb publish ID` (lihat `hub kb list`).\n", all)
	return nil
}

// loadIndex builds a search index from the published entries and synonyms.
func loadIndex(ctx context.Context, store *knowledge.Store, cfg knowledge.Config) (*knowledge.Index, error) {
	entries, err := store.Published(ctx)
	if err != nil {
		return nil, err
	}
	groups, err := store.Synonyms(ctx)
	if err != nil {
		return nil, err
	}
	ix := knowledge.NewIndex(cfg)
	ix.Load(entries, knowledge.SynonymTerms(groups))
	return ix, nil
}

func (a *app) kbShow(ctx context.Context, store *knowledge.Store, slug string) error {
	e, err := store.Get(ctx, slug)
	if err != nil {
		return noEntry(ctx, store, slug, err)
	}
	// Officers typed all of it (and citizens the alternates they keep):
	// shown inert on the terminal.
	w, line := &outputWriter{w: a.stdout}, safetext.Line
	fmt.Fprintf(w, "id:         %s\nstatus:     %s\nversi:      %d (%s oleh %s)\nkategori:   %s\npertanyaan: %s\n",
		line(e.Slug), e.Status.Word(), e.Version, fmtTime(e.UpdatedAt), line(e.UpdatedBy), line(e.Category), line(e.Question))
	for _, alt := range e.Alternates {
		fmt.Fprintf(w, "variasi:    %s\n", line(alt))
	}
	fmt.Fprintf(w, "tag:        %s\n\n%s\n", line(strings.Join(e.Tags, ", ")), safetext.Block(e.Answer))
	revs, err := store.Revisions(ctx, slug)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\nriwayat versi:\n")
	for _, r := range revs {
		fmt.Fprintf(w, "  v%-3d %s  %-19s %s\n", r.Version, fmtTime(r.At), r.Action.Word(), line(r.Author))
	}
	return w.Err()
}

// outputWriter passes writes on to w and keeps the first error, so that a
// command printing line by line can say at its end that its output was
// lost (a full disk, a closed pipe) instead of exiting 0.
type outputWriter struct {
	w   io.Writer
	err error
}

func (o *outputWriter) Write(p []byte) (int, error) {
	if o.err != nil {
		return 0, o.err
	}
	n, err := o.w.Write(p)
	if err != nil {
		o.err = fmt.Errorf("keluaran tidak dapat ditulis: %w", err)
	}
	return n, o.err
}

// Err is the first write error, or nil.
func (o *outputWriter) Err() error { return o.err }

func (a *app) kbSearch(ctx context.Context, fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	q := strings.Join(fs.Args(), " ")
	if strings.TrimSpace(q) == "" {
		return fmt.Errorf("%w: kb search memerlukan PERTANYAAN", errUsage)
	}
	ix, err := a.kbIndex(ctx)
	if err != nil {
		return err
	}
	res := ix.Search(q)
	logged := string(res.Decision)
	if res.Entry != nil {
		logged = inbox.Decision(logged, res.Entry.Slug)
	}
	w := &outputWriter{w: a.stdout}
	fmt.Fprintf(w, "keputusan: %s (%s), keyakinan %s\n", safetext.Line(decisionWords(logged)), res.Decision, decimal(res.Confidence, 2))
	for i, c := range res.Candidates {
		fmt.Fprintf(w, "%d. %-24s %s  %s\n", i+1, safetext.Line(c.Slug), decimal(c.Score, 3), safetext.Line(c.Question))
	}
	if res.Entry != nil {
		fmt.Fprintf(w, "\n%s\n", safetext.Block(res.Entry.Answer))
	}
	return w.Err()
}

func (a *app) kbAsk(ctx context.Context, fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	ix, err := a.kbIndex(ctx)
	if err != nil {
		return err
	}
	out := bufio.NewWriter(&outputWriter{w: a.stdout})
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	in := a.stdin
	if fs.NArg() > 0 {
		// A question on the command line, as `kb search` takes it.
		in = strings.NewReader(strings.Join(fs.Args(), " "))
	}
	r := bufio.NewReaderSize(in, 64*1024)
	for {
		line, err := r.ReadString('\n')
		if err != nil && err != io.EOF {
			// The answers already computed are the officer's: they go
			// out before the error, and a lost write still fails.
			return errors.Join(fmt.Errorf("kb ask: pertanyaan tidak dapat dibaca: %w", err), out.Flush())
		}
		if line == "" && err != nil {
			break
		}
		line = strings.TrimRight(line, "\r\n")
		if err := enc.Encode(ix.Search(line).Verdict()); err != nil {
			return err
		}
		if err != nil {
			break
		}
	}
	return out.Flush()
}

func (a *app) kbEval(ctx context.Context, fs *flag.FlagSet, args []string) error {
	queries := fs.String("queries", "", "berkas baris JSON {\"q\":…, \"expect\": \"id\"|[\"id\",…]|null}, dinilai pada basis pengetahuan di database")
	corpora := fs.String("corpora", "", "folder korpus berlabel (faq-public.json + public-dev.jsonl, corpora/NAMA/{faq.json,queries.jsonl}), dinilai leave-one-corpus-out")
	shipped := fs.Bool("shipped", false, "dengan --corpora: nilai setiap lipatan dengan model bawaan, tanpa melatih ulang")
	asJSON := fs.Bool("json", false, "cetak laporan sebagai JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *corpora != "" {
		return a.kbEvalCorpora(*corpora, *shipped, *asJSON)
	}
	if *queries == "" {
		return fmt.Errorf("%w: kb eval memerlukan --queries BERKAS atau --corpora FOLDER", errUsage)
	}
	f, err := os.Open(*queries)
	if err != nil {
		return unopened(*queries, err)
	}
	defer f.Close()
	qs, err := knowledge.ParseEvalQueries(f, *queries)
	if err != nil {
		return err
	}
	if len(qs) == 0 {
		return fmt.Errorf("%s: tidak ada pertanyaan; isi dengan baris JSON seperti {\"q\": \"ktp sy ilang\", \"expect\": \"ktp-hilang\"}", *queries)
	}
	store, c, done, err := a.kbStore(ctx)
	if err != nil {
		return err
	}
	defer done()
	if err := checkExpected(ctx, store, *queries, qs); err != nil {
		return err
	}
	ix, err := loadIndex(ctx, store, engineConfig(c, a.stderr))
	if err != nil {
		return err
	}
	rep := knowledge.Evaluate(ix.Search, qs)
	if *asJSON {
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	return rep.WriteText(a.stdout)
}

// checkExpected refuses labelled questions that expect an entry the bot
// cannot answer with, an id that does not exist (a typo) or an entry not
// published, naming each by its line: scored, they would count as the
// bot's mistakes.
func checkExpected(ctx context.Context, store *knowledge.Store, name string, qs []knowledge.EvalQuery) error {
	published, err := store.Published(ctx)
	if err != nil {
		return err
	}
	answerable := make(map[string]bool, len(published))
	for _, e := range published {
		answerable[e.Slug] = true
	}
	var problems []string
	for _, q := range qs {
		for _, slug := range q.Expect {
			if answerable[slug] {
				continue
			}
			e, err := store.Get(ctx, slug)
			switch {
			case errors.Is(err, knowledge.ErrNotFound):
				problems = append(problems, fmt.Sprintf("%s:%d: expect %q: tidak ada entri FAQ dengan id ini (lihat hub kb list)", name, q.Line, slug))
			case err != nil:
				return err
			default:
				problems = append(problems, fmt.Sprintf("%s:%d: expect %q: entri ini berstatus %s, jadi bot tidak menjawab dengannya", name, q.Line, slug, e.Status.Word()))
			}
		}
	}
	if n := len(problems); n > maxProblems {
		problems = append(problems[:maxProblems], fmt.Sprintf("… dan %d lagi", n-maxProblems))
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "\n"))
	}
	return nil
}

// maxProblems is how many problems of one file a command lists.
const maxProblems = 20

// kbEvalCorpora scores the engine leave-one-corpus-out; it needs no
// database.
func (a *app) kbEvalCorpora(dir string, shipped, asJSON bool) error {
	cs, err := knowledge.LoadCorpora(dir)
	if err != nil {
		return err
	}
	c, err := a.config()
	if err != nil {
		return err
	}
	var fixed *knowledge.Model
	if shipped {
		fixed = knowledge.DefaultModel()
	}
	cfg := engineConfig(c, a.stderr)
	folds := knowledge.LeaveOneCorpusOut(cs, cfg, fixed)
	if asJSON {
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(folds)
	}
	return knowledge.WriteFolds(a.stdout, folds, nil, cfg.Resources)
}

// kbFit fits the decision models and word statistics on labelled corpora
// and writes the model file the engine embeds.
func (a *app) kbFit(_ context.Context, fs *flag.FlagSet, args []string) error {
	out := fs.String("o", "", "tulis model ke berkas ini, bukan ke stdout")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: kb fit memerlukan satu FOLDER korpus berlabel", errUsage)
	}
	cs, err := knowledge.LoadCorpora(fs.Arg(0))
	if err != nil {
		return err
	}
	c, err := a.config()
	if err != nil {
		return err
	}
	data, err := knowledge.EncodeModel(knowledge.Fit(cs, engineConfig(c, a.stderr)))
	if err != nil {
		return err
	}
	if *out == "" {
		_, err = a.stdout.Write(data)
		return err
	}
	return writeFileAtomic(*out, data)
}

// writeFileAtomic writes data to path through a temporary file in the same
// folder, so that a failure leaves the old file whole.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".model-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func (a *app) kbSynonyms(ctx context.Context, _ *flag.FlagSet, args []string) error {
	store, _, done, err := a.kbStore(ctx)
	if err != nil {
		return err
	}
	defer done()
	if len(args) == 0 || args[0] == "list" {
		groups, err := store.Synonyms(ctx)
		if err != nil {
			return err
		}
		for _, g := range groups {
			fmt.Fprintf(a.stdout, "%d\t%s\n", g.ID, safetext.Line(strings.Join(g.Terms, " = ")))
		}
		return nil
	}
	switch args[0] {
	case "add":
		terms := strings.Split(strings.Join(args[1:], " "), "=")
		g, err := store.SaveSynonymGroup(ctx, knowledge.SynonymGroup{Terms: terms}, a.cliAuthor())
		var fe *knowledge.FieldError
		if errors.As(err, &fe) {
			return fmt.Errorf("kelompok sinonim belum disimpan: %s", fe.Msg)
		} else if err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "kelompok sinonim %d: %s\n", g.ID, safetext.Line(strings.Join(g.Terms, " = ")))
		return nil
	case "delete":
		if len(args) != 2 {
			return fmt.Errorf("%w: kb synonyms delete memerlukan satu ID", errUsage)
		}
		id, err := strconv.ParseInt(args[1], 10, 64)
		if err != nil {
			return fmt.Errorf("%w: ID kelompok sinonim harus berupa angka, bukan %q", errUsage, args[1])
		}
		if err := store.DeleteSynonymGroup(ctx, id, a.cliAuthor()); errors.Is(err, knowledge.ErrSynonymGroupNotFound) {
			return fmt.Errorf("tidak ada kelompok sinonim %d (lihat hub kb synonyms)", id)
		} else if err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "kelompok sinonim %d dihapus\n", id)
		return nil
	}
	return fmt.Errorf("%w: kb synonyms memerlukan list, add KATA = KATA …, atau delete ID", errUsage)
}

package admin

import (
	"context"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/bots/telegram"
	"github.com/tebingtinggi/hub/bots/telegram/telegramtest"
	"github.com/tebingtinggi/hub/outbox"

	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

// screenshotDir is where the browser tests leave a picture of every main
// page, for a person to look at (README.md names it):
// HUB_SCREENSHOT_DIR, or bin/screenshots in the repository.
func screenshotDir(t *testing.T) string {
	if d := os.Getenv("HUB_SCREENSHOT_DIR"); d != "" {
		return d
	}
	return filepath.Join("..", "bin", "screenshots")
}

// chromiumPath finds Debian's chromium. Without it the browser tests are
// skipped, unless HUB_REQUIRE_BROWSER=1 (CI) makes that a failure.
func chromiumPath(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("HUB_REQUIRE_BROWSER") == "1" {
		t.Fatal("chromium is required (HUB_REQUIRE_BROWSER=1) but not installed: apt-get install chromium")
	}
	t.Skip("skipping the browser tests: chromium is not installed (apt-get install chromium)")
	return ""
}

// browser is a headless chromium tab on the harness.
type browser struct {
	t   *testing.T
	h   *harness
	ctx context.Context
	dir string
}

func newBrowser(t *testing.T, h *harness) *browser {
	path := chromiumPath(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.DisableGPU,
		chromedp.NoSandbox, chromedp.WindowSize(1280, 900), chromedp.UserDataDir(t.TempDir()))
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil { // start the browser without a deadline
		t.Fatalf("start chromium: %v", err)
	}
	dir := screenshotDir(t)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, h: h, ctx: ctx, dir: dir}
}

// do runs steps within a deadline.
func (b *browser) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

func (b *browser) text(sel string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

func (b *browser) open(path string) {
	b.t.Helper()
	b.do("open "+path, chromedp.Navigate(b.h.srv.URL+path))
}

func (b *browser) screenshot(name string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(b.dir, name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// login fills in the login form on the current page.
func (b *browser) login(name string) {
	b.t.Helper()
	b.do("log in as "+name,
		chromedp.SetValue(chromedp.CSS(`input[name=username]`), name),
		chromedp.SetValue(chromedp.CSS(`input[name=password]`), testPassword),
		chromedp.Click(chromedp.CSS(`main form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.logout`)),
	)
}

// wantText waits until sel shows want: after a click that submits a
// form, the old page and its elements stay until the new page has loaded.
func (b *browser) wantText(sel, want string) {
	b.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		got := b.text(sel)
		if strings.Contains(got, want) {
			return
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("%s shows %q, want %q", sel, got, want)
		}
		<-time.After(50 * time.Millisecond)
	}
}

// dispatchToTelegram sends the outbox to a fake Telegram Bot API through
// the real adapter and dispatcher, until the test ends.
func dispatchToTelegram(t *testing.T, db *storage.DB) *telegramtest.Server {
	t.Helper()
	tg := telegramtest.NewServer(t)
	ctx, cancel := context.WithCancel(context.Background())
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	a, err := telegram.New(ctx, telegram.Config{Token: tg.Token(), APIURL: tg.URL(), Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	d := &outbox.Dispatcher{DB: db, Senders: map[bots.Platform]bots.Sender{bots.Telegram: a}, Workers: 1,
		PollInterval: 50 * time.Millisecond, Logger: quiet}
	done := make(chan struct{})
	go func() { defer close(done); _ = d.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return tg
}

// TestInTheBrowser drives the admin as an officer and a viewer would,
// one backend being enough for what the browser adds.
func TestInTheBrowser(t *testing.T) {
	chromiumPath(t)
	db := storagetest.Open(t, storage.SQLite)
	h := newHarness(t, db)
	h.user(t, "otto", RoleOfficer)
	h.user(t, "vera", RoleViewer)
	h.user(t, "ada", RoleAdmin)
	h.ticket(t, "Budi Santoso", "Kapan kantor Disdukcapil buka hari Sabtu?")
	tg := dispatchToTelegram(t, db)
	b := newBrowser(t, h)

	b.open("/admin/kb")
	b.wantText("h1", "Masuk")
	b.screenshot("login")
	b.login("otto")
	b.wantText("h1", "Basis pengetahuan") // back where the login began
	b.open("/admin/")
	b.screenshot("dashboard")

	// Create and publish an entry; Coba bot answers with it.
	b.open("/admin/kb/new")
	b.do("fill in the entry",
		chromedp.SetValue(chromedp.CSS(`input[name=slug]`), "paspor-baru"),
		chromedp.SetValue(chromedp.CSS(`input[name=category]`), "imigrasi"),
		chromedp.SetValue(chromedp.CSS(`input[name=question]`), "Bagaimana cara membuat paspor baru?"),
		chromedp.SetValue(chromedp.CSS(`textarea[name=alternates]`), "syarat bikin paspor\nurus paspor"),
		chromedp.SetValue(chromedp.CSS(`#answer`), "Daftar antrean paspor secara daring, lalu datang ke kantor imigrasi membawa KTP dan KK."),
		chromedp.Click(chromedp.CSS(`button[value=save]`)),
		chromedp.WaitVisible(chromedp.CSS(`.notice`)),
	)
	b.wantText(".notice", "Entri dibuat")
	b.wantText(".bubble", "kantor imigrasi")
	// The page shows a notice already: it goes first, so that the wait
	// below is for the next page's.
	b.do("publish",
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.Evaluate[bool](`document.querySelector('.notice').remove() === undefined`)(ctx, tg)
			return err
		}),
		chromedp.Click(chromedp.CSS(`button[value=published]`)), chromedp.WaitVisible(chromedp.CSS(`.notice`)))
	b.wantText(".notice", "Status entri diubah")
	b.screenshot("kb-entry")
	b.open("/admin/kb")
	b.screenshot("kb-list")
	b.do("ask the bot",
		chromedp.SetValue(chromedp.CSS(`.try-inline input[name=q]`), "gimana cara bikin paspor baru"),
		chromedp.Click(chromedp.CSS(`.try-inline button`)),
		chromedp.WaitVisible(chromedp.CSS(`#decision`)),
	)
	b.wantText("#decision", "answer")
	b.wantText("#faq-id", "paspor-baru")
	b.screenshot("coba-bot")

	// Import a CSV with an error: the row is named, nothing imported.
	csv := filepath.Join(t.TempDir(), "faq.csv")
	if err := os.WriteFile(csv, []byte("id,category,question,alternates,answer,tags\n"+
		"ktp-hilang,kependudukan,KTP hilang?,,Lapor ke Disdukcapil.,ktp\n"+
		"Akta Lahir,kependudukan,Akta?,,Ke Disdukcapil.,\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	b.open("/admin/kb/import")
	b.do("upload",
		chromedp.SetUploadFiles(chromedp.CSS(`input[type=file]`), []string{csv}),
		chromedp.Click(chromedp.CSS(`main form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`table.problems`)),
	)
	b.wantText("table.problems", "Baris 3")
	b.screenshot("kb-import-error")

	// A form whose CSRF token was taken out is refused.
	b.open("/admin/kb/entry/paspor-baru")
	b.do("save without the token",
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.Evaluate[bool](`document.querySelector('#entry-form input[name=csrf]').remove() === undefined`)(ctx, tg)
			return err
		}),
		chromedp.Click(chromedp.CSS(`button[value=save]`)),
		chromedp.WaitVisible(chromedp.CSS(`.error`)),
	)
	b.wantText(".error", "token CSRF")

	// An unanswered group becomes alternates; the bot answers its questions.
	h.handOver(t, "dimana tempat urus paspor anak sekolah", "tempat urus paspor anak sekolah dimana ya")
	b.open("/admin/unanswered")
	b.screenshot("unanswered")
	b.do("teach the group", chromedp.Click(chromedp.CSS(`#group-0 form.alternates button`)), chromedp.WaitVisible(chromedp.CSS(`#answered-count`)))
	b.wantText("#answered-count", "Bot menjawab 2 dari 2 pertanyaan")
	b.screenshot("unanswered-try")

	// An answer on the desk reaches the citizen through the Bot API.
	b.open("/admin/desk")
	b.screenshot("desk")
	b.do("open the ticket", chromedp.Click(chromedp.CSS(`table a[href="/admin/desk/1"]`)), chromedp.WaitVisible(chromedp.CSS(`.conversation`)))
	b.screenshot("desk-ticket")
	b.do("answer",
		chromedp.SetValue(chromedp.CSS(`textarea[name=text]`), "Sabtu tutup; Senin–Jumat 08.00–16.00."),
		chromedp.Click(chromedp.CSS(`form[action$="/reply"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.notice`)),
	)
	b.wantText(".notice", "Balasan dikirim")
	if sent := tg.WaitSent(t, 1, 20*time.Second); sent[0].ChatID != 555 || !strings.Contains(sent[0].Text, "Senin–Jumat 08.00–16.00") {
		t.Fatalf("sent to Telegram: %+v", sent)
	}
	b.open("/admin/kb/synonyms")
	b.screenshot("synonyms")

	// A viewer reads but cannot edit.
	b.do("log out", chromedp.Click(chromedp.CSS(`.logout button`)), chromedp.WaitVisible(chromedp.CSS(`input[name=username]`)))
	b.open("/admin/login") // a settled page to type into
	b.login("vera")
	b.open("/admin/kb/entry/paspor-baru")
	disabled, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`document.querySelector('#answer').disabled && !document.querySelector('button[value=save]')`))
	if err != nil || !disabled {
		t.Fatalf("a viewer can edit the entry (%v)", err)
	}
	b.open("/admin/kb/new")
	b.wantText(".error", "Peran Anda tidak mengizinkan")

	b.do("log out", chromedp.Click(chromedp.CSS(`.logout button`)), chromedp.WaitVisible(chromedp.CSS(`input[name=username]`)))
	b.open("/admin/login")
	b.login("ada")
	b.open("/admin/audit")
	b.wantText("table.audit", "kb.create")
	b.screenshot("audit")
	b.open("/admin/users")
	b.screenshot("users")
}

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tebingtinggi/hub/knowledge"
	"github.com/tebingtinggi/hub/storage"
)

// TestAskOnAnEmptyKnowledgeBaseSaysSo: a database migrated but never
// served has no entries, so every question is handed over; `kb ask` and
// `kb search` still answer as the engine would, and say on stderr why and
// how to fill the knowledge base, without touching the JSON on stdout.
func TestAskOnAnEmptyKnowledgeBaseSaysSo(t *testing.T) {
	ta := newTestApp(t, "sqlite://"+filepath.Join(t.TempDir(), "hub.db"))
	if code, _, errOut := ta.run("", "migrate"); code != 0 {
		t.Fatal(errOut)
	}
	const empty = "hub: basis pengetahuan masih kosong, jadi setiap pertanyaan diserahkan ke petugas. Isi dengan `hub kb import BERKAS`"
	code, out, errOut := ta.run("", "kb", "ask", "ktp ilang")
	if code != 0 || !strings.HasPrefix(out, `{"query":"ktp ilang","decision":"handoff"`) || strings.Count(out, "\n") != 1 {
		t.Errorf("kb ask: exit %d, stdout %q", code, out)
	}
	if !strings.HasPrefix(errOut, empty) || strings.Count(errOut, "\n") != 1 {
		t.Errorf("kb ask: stderr %q, want one line starting %q", errOut, empty)
	}
	code, out, errOut = ta.run("", "kb", "search", "ktp", "hilang")
	if code != 0 || !strings.HasPrefix(out, "keputusan: menyerahkan ke petugas") || !strings.HasPrefix(errOut, empty) {
		t.Errorf("kb search: exit %d, stdout %q, stderr %q", code, out, errOut)
	}

	// Entries that are all drafts or archived: publish one.
	if code, _, errOut := ta.run("", "kb", "import", writeFile(t, "faq.json", strings.ReplaceAll(sampleJSON, `"tags"`, `"status":"draft","tags"`))); code != 0 {
		t.Fatal(errOut)
	}
	_, _, errOut = ta.run("", "kb", "ask", "ktp ilang")
	if want := "hub: belum ada entri terbit di basis pengetahuan (3 entri draf atau arsip)"; !strings.HasPrefix(errOut, want) || !strings.Contains(errOut, "`hub kb publish ID`") {
		t.Errorf("only drafts: stderr %q, want %q and how to publish", errOut, want)
	}

	if code, _, errOut := ta.run("", "kb", "publish", "ktp-hilang"); code != 0 {
		t.Fatal(errOut)
	}
	code, out, errOut = ta.run("", "kb", "ask", "ktp sy ilang gmn ngurusnya")
	if code != 0 || errOut != "" || !strings.Contains(out, `"faq_id":"ktp-hilang"`) {
		t.Errorf("with a published entry: exit %d, stdout %q, stderr %q; want the answer and nothing on stderr", code, out, errOut)
	}
}

// TestResourcesTheEngineLacksAreSaid: the thesaurus and dictionary change
// what the bot answers, so running without them is said in Indonesian on
// stderr with what to do, a path the operator set that does not exist
// stops the command, and "off" is silent.
func TestResourcesTheEngineLacksAreSaid(t *testing.T) {
	ta := newTestApp(t, "sqlite://"+filepath.Join(t.TempDir(), "hub.db"))
	if code, _, errOut := ta.run("", "kb", "import", writeFile(t, "faq.json", sampleJSON)); code != 0 {
		t.Fatal(errOut)
	}

	missing := filepath.Join(t.TempDir(), "th_id_ID_v2.dat")
	ta.env["HUB_THESAURUS"] = missing
	code, out, errOut := ta.run("", "kb", "search", "ktp", "hilang")
	if want := `hub: HUB_THESAURUS="` + missing + `": berkas tesaurus MyThes ini tidak ditemukan`; code != 1 || out != "" || !strings.HasPrefix(errOut, want) {
		t.Errorf("a named file that is not there: exit %d, stdout %q, stderr %q; want 1 and %q", code, out, errOut, want)
	}

	ta.env["HUB_THESAURUS"] = writeFile(t, "th.dat", "UTF-8\nselokan|x\n")
	ta.env["HUB_DICTIONARY"] = "off"
	code, _, errOut = ta.run("", "kb", "search", "ktp", "hilang")
	if want := "hub: peringatan: bot berjalan tanpa tesaurus karena berkas " + ta.env["HUB_THESAURUS"] + " tidak dapat dipakai ("; code != 0 || !strings.HasPrefix(errOut, want) ||
		!strings.Contains(errOut, "HUB_THESAURUS=off") || strings.Count(errOut, "\n") != 1 {
		t.Errorf("a corrupt file: exit %d, stderr %q; want one line %q…", code, errOut, want)
	}

	ta.env["HUB_THESAURUS"] = "off"
	if code, _, errOut := ta.run("", "kb", "search", "ktp", "hilang"); code != 0 || errOut != "" {
		t.Errorf("both off: exit %d, stderr %q; want nothing said", code, errOut)
	}
}

// TestShippedResourcesMissingNameTheRemedies: a binary copied somewhere
// without langdata/ runs, and says which files it lacks and the three
// ways to give them.
func TestShippedResourcesMissingNameTheRemedies(t *testing.T) {
	dir := t.TempDir()
	c := config{Engine: knowledge.DefaultConfig(),
		ThesaurusPath: filepath.Join(dir, knowledge.DefaultThesaurusPath), DictionaryPath: filepath.Join(dir, knowledge.DefaultDictionaryPath)}
	var w strings.Builder
	cfg := engineConfig(c, &w)
	if cfg.Resources.Thesaurus != nil || cfg.Resources.Dictionary != nil {
		t.Fatal("resources loaded from nowhere")
	}
	got := w.String()
	for _, want := range []string{"hub: peringatan: bot berjalan tanpa tesaurus dan kamus (", "tidak ditemukan", "langdata/",
		"mythes-id dan hunspell-id", "HUB_THESAURUS dan HUB_DICTIONARY"} {
		if !strings.Contains(got, want) {
			t.Errorf("warning %q lacks %q", got, want)
		}
	}
	if strings.Count(got, "\n") != 1 {
		t.Errorf("want one line, got %q", got)
	}

	// The shipped files, found beside the binary: nothing to say.
	w.Reset()
	repo, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	c.ThesaurusPath = resourcePath("", knowledge.DefaultThesaurusPath, filepath.Join(dir, "none"), []string{dir, filepath.Join(repo, "bin")})
	c.DictionaryPath = resourcePath("", knowledge.DefaultDictionaryPath, filepath.Join(dir, "none"), []string{dir, filepath.Join(repo, "bin")})
	if _, err := os.Stat(c.ThesaurusPath); err != nil {
		t.Fatalf("the shipped thesaurus is not found from the checkout's bin/: %v", err)
	}
	cfg = engineConfig(c, &w)
	if cfg.Resources.Thesaurus == nil || cfg.Resources.Dictionary == nil || w.Len() != 0 {
		t.Errorf("shipped files: thesaurus %v, dictionary %v, said %q", cfg.Resources.Thesaurus != nil, cfg.Resources.Dictionary != nil, w.String())
	}
}

// TestLogHashKeyTooShortIsSaidWithoutTheKey: the key is a secret; the
// message says what a good one is.
func TestLogHashKeyTooShortIsSaidWithoutTheKey(t *testing.T) {
	env := map[string]string{"HUB_LOG_HASH_KEY": "rahasia-pendek"}
	_, err := loadConfig(func(k string) string { return env[k] })
	if err == nil || !strings.Contains(err.Error(), "HUB_LOG_HASH_KEY: isi kunci rahasia paling sedikit 16 karakter") || strings.Contains(err.Error(), "rahasia-pendek") {
		t.Errorf("got %v", err)
	}
}

// TestNewDatabaseIsSaid: a command that finds no database creates one and
// says where, so that an operator who ran it without the service's
// HUB_DATABASE_URL sees it worked on a new, empty database; the next
// command says nothing.
func TestNewDatabaseIsSaid(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	ta := newTestApp(t, "sqlite://./data/hub.db")
	code, _, errOut := ta.run("", "inbox", "list")
	want := "hub: database baru dibuat: " + filepath.Join(dir, "data", "hub.db") + " (bila yang dimaksud database hub yang sudah ada, isi HUB_DATABASE_URL dengan alamatnya"
	if code != 0 || !strings.HasPrefix(errOut, want) {
		t.Errorf("first command: exit %d, stderr %q; want %q", code, errOut, want)
	}
	if code, _, errOut := ta.run("", "inbox", "list"); code != 0 || errOut != "" {
		t.Errorf("second command: exit %d, stderr %q; want nothing said", code, errOut)
	}
}

// TestSlackOfficersMistakesStopServe: HUB_SLACK_OFFICERS written with a
// name or two user groups stops the hub at start, saying in Indonesian
// what to write.
func TestSlackOfficersMistakesStopServe(t *testing.T) {
	for _, c := range []struct{ officers, want string }{
		{"U01ANI,budi", `hub: HUB_SLACK_OFFICERS: "budi" bukan id pengguna Slack (U… atau W…) maupun id grup pengguna (S…)`},
		{"U01ANI,S01,S02", "hub: HUB_SLACK_OFFICERS menyebut dua grup pengguna (S01, S02); isi paling banyak satu grup"},
		{"   ", "hub: HUB_SLACK_OFFICERS hanya berisi spasi atau koma; isi id pengguna Slack"},
		{" , ,", "hub: HUB_SLACK_OFFICERS hanya berisi spasi atau koma; isi id pengguna Slack"},
	} {
		ta := newTestApp(t, "sqlite://"+filepath.Join(t.TempDir(), "hub.db"))
		for k, v := range map[string]string{"HUB_HTTP_ADDR": "127.0.0.1:0", "HUB_SLACK_BOT_TOKEN": "xoxb-1-2-abc",
			"HUB_SLACK_SIGNING_SECRET": "8f14e45fceea167a", "HUB_SLACK_API_URL": "http://127.0.0.1:1/api/", "HUB_SLACK_OFFICERS": c.officers} {
			ta.env[k] = v
		}
		code, out, errOut := ta.run("", "serve")
		if code != 1 || !strings.Contains(errOut, c.want) || strings.Contains(out, "berjalan di") {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want 1 and %q", c.officers, code, out, errOut, c.want)
		}
	}
}

// TestScheduleOnAnUnmigratedDatabaseSaysWhatToRun: the rehearsal changes
// nothing, so on a database without the schema it says to run hub
// migrate, in Indonesian, and does not migrate it itself.
func TestScheduleOnAnUnmigratedDatabaseSaysWhatToRun(t *testing.T) {
	ta := newTestApp(t, "sqlite://"+filepath.Join(t.TempDir(), "hub.db"))
	code, out, errOut := ta.run("", "schedule")
	if want := "hub: skema database ini versi 0, sedangkan hub ini memerlukan versi "; code != 1 || out != "" || !strings.HasPrefix(errOut, want) ||
		!strings.Contains(errOut, "jalankan hub migrate dahulu") {
		t.Errorf("exit %d, stdout %q, stderr %q; want 1 and %q…", code, out, errOut, want)
	}
	if code, out, _ := ta.run("", "migrate"); code != 0 || !strings.HasPrefix(out, fmt.Sprintf("%d migrasi diterapkan", storage.LatestVersion())) {
		t.Errorf("migrate after the rehearsal: exit %d, %q; want every migration still to run", code, out)
	}
	if code, _, errOut := ta.run("", "schedule"); code != 0 {
		t.Errorf("after migrate: exit %d, %s", code, errOut)
	}
}

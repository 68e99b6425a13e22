package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

func TestMain(m *testing.M) { os.Exit(storagetest.Main(m)) }

// testApp runs commands in-process against one database.
type testApp struct {
	t   *testing.T
	env map[string]string
}

func newTestApp(t *testing.T, dbURL string) *testApp {
	t.Helper()
	return &testApp{t: t, env: map[string]string{"HUB_DATABASE_URL": dbURL, "HUB_AUTHOR": "tester"}}
}

func (ta *testApp) run(stdin string, args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	a := &app{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb, getenv: func(k string) string { return ta.env[k] }}
	code = a.run(context.Background(), args)
	return code, out.String(), errb.String()
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

const sampleJSON = `{"entries":[
 {"id":"ktp-hilang","category":"Kependudukan","question":"Bagaimana cara mengurus KTP-el yang hilang?","alternates":["KTP saya hilang, bagaimana menggantinya?","Syarat cetak ulang KTP yang hilang"],"answer":"Siapkan surat keterangan kehilangan dari kepolisian dan Kartu Keluarga, lalu datang ke Disdukcapil.","tags":["KTP-el","hilang"]},
 {"id":"ktp-rusak","category":"Kependudukan","question":"Bagaimana cara mengganti KTP-el yang rusak?","alternates":["KTP saya patah","Chip KTP tidak terbaca"],"answer":"Bawa KTP-el yang rusak dan Kartu Keluarga ke Disdukcapil.","tags":["KTP-el","rusak"]},
 {"id":"akta-kelahiran","category":"Kependudukan","question":"Bagaimana cara mengurus akta kelahiran?","alternates":["Syarat membuat akta lahir anak"],"answer":"Siapkan surat keterangan lahir dan Kartu Keluarga.","tags":["akta","kelahiran"]}
]}`

func TestRunCommands(t *testing.T) {
	ta := newTestApp(t, "sqlite://"+filepath.Join(t.TempDir(), "hub.db"))
	good := writeFile(t, "faq.json", sampleJSON)
	bad := writeFile(t, "bad.json", strings.Replace(sampleJSON, `"answer":"Bawa KTP-el yang rusak dan Kartu Keluarga ke Disdukcapil."`, `"answer":"   "`, 1))
	cases := []struct {
		name       string
		args       []string
		stdin      string
		wantCode   int
		wantOut    string
		wantErrOut string
	}{
		{name: "no args", wantCode: 2, wantErrOut: "Pemakaian"},
		{name: "unknown", args: []string{"frobnicate"}, wantCode: 2, wantErrOut: `perintah "frobnicate" tidak dikenal`},
		{name: "version", args: []string{"version"}, wantOut: "hub dev"},
		{name: "migrate", args: []string{"migrate"}, wantOut: "versi skema"},
		{name: "bad import names line and field", args: []string{"kb", "import", bad}, wantCode: 1, wantErrOut: "bad.json:3"},
		{name: "import", args: []string{"kb", "import", good}, wantOut: "3 dibuat"},
		{name: "import again is unchanged", args: []string{"kb", "import", good}, wantOut: "3 tetap"},
		{name: "show", args: []string{"kb", "show", "ktp-hilang"}, wantOut: "surat keterangan kehilangan"},
		{name: "show unknown", args: []string{"kb", "show", "nope"}, wantCode: 1, wantErrOut: `tidak ada entri FAQ dengan id "nope"`},
		// What was not found is named.
		{name: "publish unknown", args: []string{"kb", "publish", "nope"}, wantCode: 1, wantErrOut: `tidak ada entri FAQ dengan id "nope"`},
		{name: "restore unknown", args: []string{"kb", "restore", "nope", "1"}, wantCode: 1, wantErrOut: `tidak ada entri FAQ dengan id "nope"`},
		{name: "restore a version never made", args: []string{"kb", "restore", "ktp-hilang", "99"}, wantCode: 1, wantErrOut: "entri ktp-hilang tidak memiliki versi 99"},
		{name: "import a missing file", args: []string{"kb", "import", "/nonexistent/faq.json"}, wantCode: 1, wantErrOut: "tidak dapat membuka /nonexistent/faq.json: berkas itu tidak ada\n"},
		{name: "inbox show unknown", args: []string{"inbox", "show", "999"}, wantCode: 1, wantErrOut: "tidak ada tiket #999"},
		{name: "inbox reply unknown", args: []string{"inbox", "reply", "#999", "halo"}, wantCode: 1, wantErrOut: "tidak ada tiket #999"},
		{name: "inbox close unknown", args: []string{"inbox", "close", "999"}, wantCode: 1, wantErrOut: "tidak ada tiket #999"},
		{name: "search", args: []string{"kb", "search", "ktp", "sy", "ilang", "gmn"}, wantOut: "ktp-hilang"},
		{name: "archive", args: []string{"kb", "archive", "akta-kelahiran"}, wantOut: "sekarang berstatus arsip"},
		{name: "list by a status that is none", args: []string{"kb", "list", "--status", "terbitkan"}, wantCode: 2, wantErrOut: `--status "terbitkan": isi draft (draf), published (terbit) atau archived (arsip)`},
		// The word the table prints is taken as well as the identifier.
		{name: "list by the status as printed", args: []string{"kb", "list", "--status", "Arsip"}, wantOut: "akta-kelahiran"},
		{name: "inbox list by the status as printed", args: []string{"inbox", "list", "--status", "selesai"}, wantOut: "0 dari 0 tiket"},
		{name: "inbox list by a status that is none", args: []string{"inbox", "list", "--status", "terbuka"}, wantCode: 2, wantErrOut: `--status "terbuka": isi open`},
		{name: "synonyms", args: []string{"kb", "synonyms", "add", "ktp = ktp-el"}, wantOut: "kelompok sinonim 1: ktp = ktp-el"},
		{name: "synonyms refused", args: []string{"kb", "synonyms", "add", "ktp"}, wantCode: 1, wantErrOut: "kelompok sinonim belum disimpan: "},
		{name: "synonyms delete", args: []string{"kb", "synonyms", "delete", "1"}, wantOut: "kelompok sinonim 1 dihapus"},
		{name: "synonyms delete unknown", args: []string{"kb", "synonyms", "delete", "1"}, wantCode: 1, wantErrOut: "tidak ada kelompok sinonim 1"},
		{name: "eval needs queries", args: []string{"kb", "eval"}, wantCode: 2, wantErrOut: "--queries"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.name == "import" {
				// The bad file before must have left nothing behind.
				if _, list, _ := ta.run("", "kb", "list"); strings.Count(list, "\n") != 1 {
					t.Fatalf("after a failed import, kb list shows:\n%s", list)
				}
			}
			code, out, errOut := ta.run(c.stdin, c.args...)
			if code != c.wantCode {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, c.wantCode, out, errOut)
			}
			if !strings.Contains(out, c.wantOut) {
				t.Errorf("stdout %q does not contain %q", out, c.wantOut)
			}
			if !strings.Contains(errOut, c.wantErrOut) {
				t.Errorf("stderr %q does not contain %q", errOut, c.wantErrOut)
			}
		})
	}
}

func TestImportErrorsLeaveNothingBehind(t *testing.T) {
	ta := newTestApp(t, "sqlite://"+filepath.Join(t.TempDir(), "hub.db"))
	bad := writeFile(t, "faq.csv", "id,category,question,alternates,answer,tags\n"+
		"ktp-hilang,Kependudukan,KTP hilang?,,Ke Disdukcapil.,ktp\n"+
		"ktp-hilang,Kependudukan,KTP hilang lagi?,,Ke Disdukcapil.,ktp\n")
	code, _, errOut := ta.run("", "kb", "import", bad)
	if code != 1 || !strings.Contains(errOut, "faq.csv:3") || !strings.Contains(errOut, "ktp-hilang") {
		t.Fatalf("exit %d, stderr %q: want the duplicate id named with its line", code, errOut)
	}
	_, out, _ := ta.run("", "kb", "export")
	var file struct{ Entries []json.RawMessage }
	if err := json.Unmarshal([]byte(out), &file); err != nil {
		t.Fatalf("export is not JSON: %v\n%s", err, out)
	}
	if len(file.Entries) != 0 {
		t.Fatalf("a failed import left %d entries", len(file.Entries))
	}
}

func TestExportRoundTripIsExact(t *testing.T) {
	for _, format := range []string{"json", "csv"} {
		t.Run(format, func(t *testing.T) {
			ta := newTestApp(t, "sqlite://"+filepath.Join(t.TempDir(), "hub.db"))
			if code, _, errOut := ta.run("", "kb", "import", writeFile(t, "faq.json", sampleJSON)); code != 0 {
				t.Fatal(errOut)
			}
			_, first, _ := ta.run("", "kb", "export", "--format", format)
			other := newTestApp(t, "sqlite://"+filepath.Join(t.TempDir(), "hub2.db"))
			if code, _, errOut := other.run("", "kb", "import", "--replace", writeFile(t, "faq."+format, first)); code != 0 {
				t.Fatal(errOut)
			}
			_, second, _ := other.run("", "kb", "export", "--format", format)
			if first != second || first == "" {
				t.Fatalf("export → import → export differs:\n--- first\n%s\n--- second\n%s", first, second)
			}
		})
	}
}

func TestAskPrintsOneDecisionPerLine(t *testing.T) {
	ta := newTestApp(t, "sqlite://"+filepath.Join(t.TempDir(), "hub.db"))
	if code, _, errOut := ta.run("", "kb", "import", writeFile(t, "faq.json", sampleJSON)); code != 0 {
		t.Fatal(errOut)
	}
	lines := []string{
		"ktp sy ilang gmn ngurusnya",
		"",
		strings.Repeat("ktp hilang ", 10_000), // ~100 KB
		"\x00\xff\xfe binary \x01",
		"😀😀😀",
		"'; DROP TABLE faq_entries; --",
		"akte kelahran anak",
		"slmt sore min",
		"siapa juara liga inggris musim ini",
	}
	code, out, errOut := ta.run(strings.Join(lines, "\n")+"\n", "kb", "ask")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	got := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(got) != len(lines) {
		t.Fatalf("got %d output lines for %d input lines", len(got), len(lines))
	}
	// Nothing to read is declined politely; a text of 100 KB goes to an
	// officer.
	want := []string{"answer", "decline", "handoff", "decline", "decline", "handoff", "", "smalltalk", "decline"}
	for i, g := range got {
		var r struct {
			Query      string  `json:"query"`
			Decision   string  `json:"decision"`
			FAQID      string  `json:"faq_id"`
			Confidence float64 `json:"confidence"`
			Candidates []struct {
				FAQID string  `json:"faq_id"`
				Score float64 `json:"score"`
			} `json:"candidates"`
		}
		if err := json.Unmarshal([]byte(g), &r); err != nil {
			t.Fatalf("line %d is not JSON: %v", i+1, err)
		}
		if r.Confidence < 0 || r.Confidence > 1 {
			t.Errorf("line %d: confidence %v outside [0,1]", i+1, r.Confidence)
		}
		if want[i] != "" && r.Decision != want[i] {
			t.Errorf("line %d (%.30q): decision %s, want %s", i+1, lines[i], r.Decision, want[i])
		}
		if r.Decision == "answer" && r.FAQID == "" {
			t.Errorf("line %d: answer without faq_id", i+1)
		}
	}
	var first struct {
		FAQID string `json:"faq_id"`
	}
	_ = json.Unmarshal([]byte(got[0]), &first)
	if first.FAQID != "ktp-hilang" {
		t.Errorf("first question answered with %q, want ktp-hilang", first.FAQID)
	}
}

func TestAskTakesAQuestionFromTheCommandLine(t *testing.T) {
	ta := newTestApp(t, "sqlite://"+filepath.Join(t.TempDir(), "hub.db"))
	if code, _, errOut := ta.run("", "kb", "import", writeFile(t, "faq.json", sampleJSON)); code != 0 {
		t.Fatal(errOut)
	}
	// Standard input is ignored when a question is given.
	code, out, errOut := ta.run("slmt sore\n", "kb", "ask", "ktp", "sy", "ilang")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var r struct {
		Query    string `json:"query"`
		Decision string `json:"decision"`
		FAQID    string `json:"faq_id"`
	}
	if n := strings.Count(out, "\n"); n != 1 {
		t.Fatalf("%d lines, want 1: %s", n, out)
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if r.Query != "ktp sy ilang" || r.Decision == "" || r.Decision == "smalltalk" {
		t.Errorf("got %+v; want the decision on ktp sy ilang, not on the greeting on stdin", r)
	}
}

func TestEvalReportsShares(t *testing.T) {
	ta := newTestApp(t, "sqlite://"+filepath.Join(t.TempDir(), "hub.db"))
	if code, _, errOut := ta.run("", "kb", "import", writeFile(t, "faq.json", sampleJSON)); code != 0 {
		t.Fatal(errOut)
	}
	qs := writeFile(t, "q.jsonl", `{"q":"ktp sy ilang","expect":"ktp-hilang"}
{"q":"harga cabai di pasar","expect":null}
`)
	code, out, errOut := ta.run("", "kb", "eval", "--queries", qs, "--json")
	if code != 0 {
		t.Fatal(errOut)
	}
	var rep struct {
		Total, InScope, OutOfScope int
		Correct, HandedOff         float64
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Total != 2 || rep.InScope != 1 || rep.OutOfScope != 1 || rep.Correct != 1 || rep.HandedOff != 1 {
		t.Fatalf("report %+v", rep)
	}
	// Without --json the same report is for officers, in Indonesian.
	code, out, errOut = ta.run("", "kb", "eval", "--queries", qs)
	if code != 0 || !strings.Contains(out, "pertanyaan: 2 (1 dalam cakupan, 1 luar cakupan)") ||
		!strings.Contains(out, "dijawab benar:                        100,0% dari yang dalam cakupan") || strings.Contains(out, "answered") {
		t.Errorf("text report: exit %d\n%s%s", code, out, errOut)
	}
	// An expected id the bot cannot answer with (a typo, an archived
	// entry) is named, not scored as the bot's wrong answer; a file
	// without questions is not a score of 0%.
	if code, _, errOut := ta.run("", "kb", "archive", "akta-kelahiran"); code != 0 {
		t.Fatal(errOut)
	}
	typo := writeFile(t, "typo.jsonl", "{\"q\":\"ktp sy ilang\",\"expect\":\"ktp-hilang\"}\n\n{\"q\":\"ktp patah\",\"expect\":[\"ktp-rusak\",\"ktp-rusakk\"]}\n{\"q\":\"akta lahir\",\"expect\":\"akta-kelahiran\"}\n")
	code, out, errOut = ta.run("", "kb", "eval", "--queries", typo)
	if code != 1 || out != "" || !strings.Contains(errOut, `typo.jsonl:3: expect "ktp-rusakk": tidak ada entri FAQ dengan id ini`) ||
		!strings.Contains(errOut, `typo.jsonl:4: expect "akta-kelahiran": entri ini berstatus arsip`) {
		t.Errorf("unknown expected ids: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	empty := writeFile(t, "empty.jsonl", "\n")
	if code, out, errOut := ta.run("", "kb", "eval", "--queries", empty); code != 1 || out != "" || !strings.Contains(errOut, "empty.jsonl: tidak ada pertanyaan") {
		t.Errorf("no questions: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	badQ := writeFile(t, "bad.jsonl", "{\"q\":\"ok\",\"expect\":null}\nnot json\n")
	if code, _, errOut := ta.run("", "kb", "eval", "--queries", badQ); code != 1 || !strings.Contains(errOut, "bad.jsonl:2") {
		t.Fatalf("exit %d stderr %q: want the bad line named", code, errOut)
	}
}

func TestBadDatabaseIsOneClearMessage(t *testing.T) {
	newer := "sqlite://" + filepath.Join(t.TempDir(), "newer.db")
	db, err := storage.Open(context.Background(), newer)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(context.Background(), `INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', CURRENT_TIMESTAMP)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	// Each says in Indonesian what is wrong and what to do; the cause of a
	// database that cannot be reached is kept after it.
	cases := []struct{ url, want string }{
		{"mysql://hub:topsecret@x/y", `HUB_DATABASE_URL="mysql://hub:xxxxx@x/y": isi sqlite://PATH`},
		{"postgres://hub:topsecret@127.0.0.1:1/hub?sslmode=disable&connect_timeout=2", "database HUB_DATABASE_URL tidak dapat dipakai: storage: unable to reach Postgres"},
		{newer, "database ini sudah diperbarui oleh hub versi yang lebih baru (skema 999, versi ini hanya mengenal sampai"},
	}
	for _, c := range cases {
		ta := newTestApp(t, c.url)
		code, _, errOut := ta.run("", "kb", "list")
		if code != 1 || !strings.Contains(errOut, c.want) {
			t.Errorf("%s: exit %d, stderr %q; want 1 and %q", c.url, code, errOut, c.want)
		}
		if code, _, migrateErr := ta.run("", "migrate"); code != 1 || migrateErr != errOut {
			t.Errorf("%s: migrate: exit %d, stderr %q; want 1 and what kb list says", c.url, code, migrateErr)
		}
		if strings.Count(strings.TrimSpace(errOut), "\n") > 0 {
			t.Errorf("%s: want one line, got %q", c.url, errOut)
		}
		if strings.Contains(errOut, "topsecret") {
			t.Errorf("password leaked: %q", errOut)
		}
	}
}

func TestServeSeedsAndAnswersProbes(t *testing.T) {
	for _, d := range storagetest.Backends {
		t.Run(string(d), func(t *testing.T) {
			url := storagetest.URL(t, d)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			addrc := make(chan string, 1)
			var out, errb syncBuffer
			a := &app{stdin: strings.NewReader(""), stdout: &out, stderr: &errb,
				getenv: func(k string) string {
					return map[string]string{"HUB_DATABASE_URL": url, "HUB_HTTP_ADDR": "127.0.0.1:0"}[k]
				},
				ready: func(addr string) { addrc <- addr }}
			done := make(chan int, 1)
			go func() { done <- a.run(ctx, []string{"serve"}) }()
			var addr string
			select {
			case addr = <-addrc:
			case code := <-done:
				t.Fatalf("serve exited %d: %s", code, errb.String())
			case <-time.After(60 * time.Second):
				t.Fatal("serve did not start")
			}
			for path, want := range map[string]string{"/healthz": "ok", "/readyz": "ready", "/metrics": "hub_kb_index_entries"} {
				resp, err := http.Get("http://" + addr + path)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 || !strings.Contains(string(body), want) {
					t.Errorf("%s: %d %q, want 200 containing %q", path, resp.StatusCode, body, want)
				}
			}
			if !strings.Contains(out.String(), "berjalan di http://") {
				t.Errorf("serve did not say where it listens: %q", out.String())
			}
			cancel()
			select {
			case code := <-done:
				if code != 0 {
					t.Fatalf("serve exited %d: %s", code, errb.String())
				}
			case <-time.After(30 * time.Second):
				t.Fatal("serve did not stop")
			}
			// The starter knowledge base was seeded, once.
			ta := newTestApp(t, url)
			_, list, _ := ta.run("", "kb", "list")
			if n := strings.Count(list, "\n") - 1; n < 30 {
				t.Fatalf("after serve the knowledge base has %d entries, want the starter set", n)
			}
			if code, out, _ := ta.run("", "kb", "search", "ktp", "hilang"); code != 0 || !strings.Contains(out, "ktp-hilang") {
				t.Errorf("starter knowledge base does not answer a KTP question: %s", out)
			}
		})
	}
}

// TestKBFitAndEvalCorpora: `kb fit` writes the same model twice from the
// same labelled corpora, and `kb eval --corpora` scores them leave one
// corpus out, without a database.
func TestKBFitAndEvalCorpora(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"faq-public.json":            sampleJSON,
		"public-dev.jsonl":           `{"q":"ktp ilang gmn","expect":"ktp-hilang"}` + "\n" + `{"q":"ktp patah","expect":"ktp-rusak"}` + "\n" + `{"q":"bola","expect":null}` + "\n",
		"corpora/akta/faq.json":      sampleJSON,
		"corpora/akta/queries.jsonl": `{"q":"akte lahir anak","expect":"akta-kelahiran"}` + "\n" + `{"q":"ktp","expect":["ktp-hilang","ktp-rusak"]}` + "\n",
	}
	for name, text := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ta := newTestApp(t, "sqlite://"+filepath.Join(t.TempDir(), "unused.db"))
	out1 := filepath.Join(t.TempDir(), "model.json")
	if code, _, errOut := ta.run("", "kb", "fit", "-o", out1, dir); code != 0 {
		t.Fatalf("kb fit: %s", errOut)
	}
	code, out2, errOut := ta.run("", "kb", "fit", dir)
	if code != 0 {
		t.Fatalf("kb fit to stdout: %s", errOut)
	}
	first, err := os.ReadFile(out1)
	if err != nil || string(first) != out2 || !strings.Contains(out2, `"corpora"`) {
		t.Fatalf("two fits differ or are not a model (%v):\n%s", err, out2)
	}
	code, out, errOut := ta.run("", "kb", "eval", "--corpora", dir)
	if code != 0 {
		t.Fatalf("kb eval --corpora: %s", errOut)
	}
	for _, want := range []string{"akta", "public", "rata-rata", "kalibrasi", "sumber bahasa:"} {
		if !strings.Contains(out, want) {
			t.Errorf("eval report lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(out, "tesaurus th_id_ID_v2.dat") {
		t.Errorf("the shipped thesaurus is not in use:\n%s", out)
	}
	// A corrupt thesaurus: the report runs without it and says so, and
	// the log says it once.
	ta.env["HUB_THESAURUS"] = writeFile(t, "th.dat", "UTF-8\nselokan|x\n")
	code, out, errOut = ta.run("", "kb", "eval", "--corpora", dir)
	if code != 0 || !strings.Contains(out, "tesaurus tidak ada") || strings.Count(errOut, "bot berjalan tanpa tesaurus karena berkas") != 1 {
		t.Errorf("with a corrupt thesaurus: exit %d\n%s\n%s", code, out, errOut)
	}
	delete(ta.env, "HUB_THESAURUS")
	if code, _, errOut := ta.run("", "kb", "fit", t.TempDir()); code == 0 || !strings.Contains(errOut, "tidak ada korpus berlabel") {
		t.Errorf("fit on an empty folder: exit %d, %s", code, errOut)
	}
}

// TestCLIAuthor: the officer behind a CLI change is named even when $USER
// is empty, from the process's account or at least the machine.
func TestCLIAuthor(t *testing.T) {
	cases := []struct {
		name          string
		env           map[string]string
		account, host string
		want          string
	}{
		{"HUB_AUTHOR first", map[string]string{"HUB_AUTHOR": "petugas-ani", "USER": "root"}, "root", "hub1", "petugas-ani"},
		{"HUB_AUTHOR trimmed", map[string]string{"HUB_AUTHOR": "  petugas-ani\t"}, "root", "hub1", "petugas-ani"},
		{"HUB_AUTHOR of spaces is unset", map[string]string{"HUB_AUTHOR": " \t ", "USER": "budi"}, "root", "hub1", "cli:budi"},
		{"USER of spaces is unset", map[string]string{"HUB_AUTHOR": " ", "USER": "  ", "LOGNAME": "citra"}, "root", "hub1", "cli:citra"},
		{"USER", map[string]string{"USER": "budi"}, "root", "hub1", "cli:budi"},
		{"LOGNAME without USER", map[string]string{"LOGNAME": "citra"}, "root", "hub1", "cli:citra"},
		{"the account without USER", nil, "dedi", "hub1", "cli:dedi"},
		{"the host without an account name", nil, "", "hub1", "cli@hub1"},
		{"nothing known", nil, "", "", "cli"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := &app{getenv: func(k string) string { return c.env[k] },
				whoami: func() (string, string) { return c.account, c.host }}
			if got := a.cliAuthor(); got != c.want {
				t.Errorf("cliAuthor() = %q, want %q", got, c.want)
			}
		})
	}
}

// TestHelpOfEveryCommand: "help", "-h" or "--help" after any command
// prints the usage and succeeds, instead of being taken for an unknown
// subcommand, a NAME, or ignored while the command runs (hub serve help
// used to start the hub); the usage lists every command the README does.
func TestHelpOfEveryCommand(t *testing.T) {
	ta := newTestApp(t, "sqlite://"+filepath.Join(t.TempDir(), "hub.db"))
	ta.env["HUB_HTTP_ADDR"] = "127.0.0.1:0"
	// A command that ignores its arguments would run: serve until this
	// deadline, which then fails the test.
	run := func(args ...string) (int, string, string) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		var out, errb bytes.Buffer
		a := &app{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: func(k string) string { return ta.env[k] }}
		return a.run(ctx, args), out.String(), errb.String()
	}
	for _, cmd := range []string{"kb", "inbox", "asn", "training", "report", "admin", "serve", "migrate", "chat", "schedule"} {
		for _, h := range []string{"help", "-h", "--help"} {
			code, out, errOut := run(cmd, h)
			if code != 0 || !strings.Contains(out+errOut, "Pemakaian") {
				t.Errorf("hub %s %s: exit %d, stdout %.200q, stderr %.200q", cmd, h, code, out, errOut)
			}
		}
	}
	for _, args := range [][]string{{"serve", "now"}, {"migrate", "up"}, {"chat", "budi"}} {
		if code, _, errOut := run(args...); code != 2 || !strings.Contains(errOut, "tidak memerlukan argumen") {
			t.Errorf("hub %s: exit %d, stderr %.200q; want a usage error", strings.Join(args, " "), code, errOut)
		}
	}
	_, out, _ := ta.run("", "help")
	for _, want := range []string{"kb unanswered", "kb fit", "kb eval --corpora", "kb archive|publish|draft", "--new-faq", "--alternate-of", "inbox show ID [--full]"} {
		if !strings.Contains(out, want) {
			t.Errorf("hub help does not mention %q", want)
		}
	}
}

// TestFlagMistakesInIndonesian: a mistyped flag is told once, in the
// officer's language, with the command's flags; the flag package's
// English does not reach the terminal.
func TestFlagMistakesInIndonesian(t *testing.T) {
	ta := newTestApp(t, "sqlite://"+filepath.Join(t.TempDir(), "hub.db"))
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"kb", "list", "--bogus"}, "hub: opsi tidak dikenal: --bogus"},
		{[]string{"inbox", "list", "--limit", "x"}, `hub: nilai "x" tidak sah untuk opsi --limit`},
		{[]string{"inbox", "show", "1", "--full=maybe"}, `hub: nilai "maybe" tidak sah untuk opsi --full`},
		{[]string{"inbox", "list", "--status"}, "hub: opsi ini memerlukan nilai: --status"},
	} {
		code, out, errOut := ta.run("", c.args...)
		if code != 1 || out != "" || !strings.Contains(errOut, c.want) || !strings.Contains(errOut, "Pemakaian: hub "+c.args[0]+" "+c.args[1]) {
			t.Errorf("hub %s: exit %d, stdout %q, stderr %q; want 1 and %q with the command's flags", strings.Join(c.args, " "), code, out, errOut, c.want)
		}
		if strings.Contains(errOut, "flag") || strings.Contains(errOut, "Usage") || strings.Count(errOut, c.want) != 1 {
			t.Errorf("hub %s: the mistake is not told once in Indonesian:\n%s", strings.Join(c.args, " "), errOut)
		}
	}
}

// TestKBImportFlagAfterFile: `hub kb import FILE --replace` replaces, as
// the flag before the file does (the inbox commands take flags anywhere).
func TestKBImportFlagAfterFile(t *testing.T) {
	ta := newTestApp(t, "sqlite://"+filepath.Join(t.TempDir(), "hub.db"))
	if code, _, errOut := ta.run("", "kb", "import", writeFile(t, "faq.json", sampleJSON)); code != 0 {
		t.Fatal(errOut)
	}
	one := writeFile(t, "one.csv", "id,category,question,alternates,answer,tags\nktp-hilang,Kependudukan,Bagaimana cara mengurus KTP-el yang hilang?,,Ke Disdukcapil.,\n")
	code, out, errOut := ta.run("", "kb", "import", one, "--replace")
	if code != 0 || !strings.Contains(out, "2 diarsipkan") {
		t.Fatalf("kb import FILE --replace: exit %d, %q, %q", code, out, errOut)
	}
	if code, _, errOut := ta.run("", "kb", "import", one, "--replace", one); code != 2 || !strings.Contains(errOut, "kb import memerlukan satu BERKAS") {
		t.Errorf("two files: exit %d, %q", code, errOut)
	}
}

// TestKBIDInCapitals: an entry id typed with capitals finds the entry,
// ids being lower case.
func TestKBIDInCapitals(t *testing.T) {
	ta := newTestApp(t, "sqlite://"+filepath.Join(t.TempDir(), "hub.db"))
	if code, _, errOut := ta.run("", "kb", "import", writeFile(t, "faq.json", sampleJSON)); code != 0 {
		t.Fatal(errOut)
	}
	for _, step := range []struct {
		args []string
		want string
	}{
		{[]string{"kb", "show", "KTP-Hilang"}, "id:         ktp-hilang"},
		{[]string{"kb", "archive", "KTP-HILANG"}, "entri ktp-hilang sekarang berstatus arsip"},
		{[]string{"kb", "publish", "Ktp-Hilang"}, "entri ktp-hilang sekarang berstatus terbit"},
		{[]string{"kb", "draft", "KTP-hilang"}, "entri ktp-hilang sekarang berstatus draf"},
		{[]string{"kb", "restore", "KTP-HILANG", "1"}, "entri ktp-hilang dipulihkan dari versi 1"},
	} {
		if code, out, errOut := ta.run("", step.args...); code != 0 || !strings.Contains(out, step.want) {
			t.Errorf("hub %v: exit %d, %q, %q; want %q", step.args, code, out, errOut, step.want)
		}
	}
}

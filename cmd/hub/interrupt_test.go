package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tebingtinggi/hub/storage/storagetest"
)

// runMainEnv makes the test binary run the hub's main instead of the
// tests, so that a test can send a real signal to a real process.
const runMainEnv = "HUB_TEST_RUN_MAIN"

func init() {
	if os.Getenv(runMainEnv) == "1" {
		main()
	}
}

// bigKB writes an import file of n entries, the first of which changes
// sampleJSON's ktp-hilang.
func bigKB(t *testing.T, n int) string {
	t.Helper()
	type entry struct {
		ID         string   `json:"id"`
		Category   string   `json:"category"`
		Question   string   `json:"question"`
		Alternates []string `json:"alternates"`
		Answer     string   `json:"answer"`
	}
	f := struct {
		Entries []entry `json:"entries"`
	}{}
	f.Entries = append(f.Entries, entry{"ktp-hilang", "Kependudukan", "KTP-el saya hilang, bagaimana?", nil, "Jawaban yang tidak boleh tersimpan."})
	for i := 1; i < n; i++ {
		f.Entries = append(f.Entries, entry{fmt.Sprintf("layanan-%d", i), "Layanan", fmt.Sprintf("Bagaimana cara mengurus layanan nomor %d?", i),
			[]string{fmt.Sprintf("syarat layanan %d", i)}, fmt.Sprintf("Datang ke kantor layanan %d.", i)})
	}
	b, err := json.MarshalIndent(f, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return writeFile(t, "big.json", string(b))
}

// cancelOnWrite is a stderr that cancels the command's context at the
// first line containing mark, as Ctrl-C would in the middle of the work.
type cancelOnWrite struct {
	syncBuffer
	mark   string
	cancel context.CancelFunc
}

func (w *cancelOnWrite) Write(p []byte) (int, error) {
	if strings.Contains(string(p), w.mark) {
		w.cancel()
	}
	return w.syncBuffer.Write(p)
}

func TestKBImportCancelledLeavesDatabaseUnchanged(t *testing.T) {
	for _, d := range storagetest.Backends {
		t.Run(string(d), func(t *testing.T) {
			ta := newTestApp(t, storagetest.URL(t, d))
			if code, _, errOut := ta.run("", "kb", "import", writeFile(t, "faq.json", sampleJSON)); code != 0 {
				t.Fatal(errOut)
			}
			_, before, _ := ta.run("", "kb", "export")
			_, history, _ := ta.run("", "kb", "show", "ktp-hilang")

			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var out syncBuffer
			errOut := &cancelOnWrite{mark: "entri ditulis", cancel: cancel}
			a := &app{stdin: strings.NewReader(""), stdout: &out, stderr: errOut, getenv: func(k string) string { return ta.env[k] }}
			code := a.run(ctx, []string{"kb", "import", "--replace", bigKB(t, 2*progressStep)})
			if code != 130 || !strings.Contains(errOut.String(), "dihentikan") || !strings.Contains(errOut.String(), "nothing written") {
				t.Fatalf("exit %d, stderr %q: want 130 and an interrupted import that wrote nothing", code, errOut.String())
			}
			if out.String() != "" {
				t.Errorf("an interrupted import reported success: %q", out.String())
			}
			if _, after, _ := ta.run("", "kb", "export"); after != before {
				t.Errorf("the knowledge base changed:\n--- before\n%s\n--- after\n%s", before, after)
			}
			if _, h, _ := ta.run("", "kb", "show", "ktp-hilang"); h != history {
				t.Errorf("the revisions changed:\n--- before\n%s\n--- after\n%s", history, h)
			}
		})
	}
}

// TestSignalStopsKBImport sends SIGINT and SIGTERM to a real `hub kb
// import` once it reports progress: it exits 130 and the database holds
// what it held before.
func TestSignalStopsKBImport(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the hub as a process")
	}
	file := bigKB(t, 10*progressStep)
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			url := "sqlite://" + filepath.Join(t.TempDir(), "hub.db")
			ta := newTestApp(t, url)
			if code, _, errOut := ta.run("", "kb", "import", writeFile(t, "faq.json", sampleJSON)); code != 0 {
				t.Fatal(errOut)
			}
			_, before, _ := ta.run("", "kb", "export")

			cmd := exec.Command(os.Args[0], "kb", "import", "--replace", file)
			cmd.Env = append(os.Environ(), runMainEnv+"=1", "HUB_DATABASE_URL="+url, "HUB_AUTHOR=tester")
			stderr, err := cmd.StderrPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			progress := make(chan struct{})
			lines := make(chan string, 100)
			go func() {
				defer close(lines)
				sc := bufio.NewScanner(stderr)
				signalled := false
				for sc.Scan() {
					if !signalled && strings.Contains(sc.Text(), "entri ditulis") {
						signalled = true
						close(progress)
					}
					lines <- sc.Text()
				}
			}()
			select {
			case <-progress:
			case <-time.After(2 * time.Minute):
				cmd.Process.Kill()
				t.Fatal("no progress line within two minutes")
			}
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			var all []string
			for l := range lines {
				all = append(all, l)
			}
			err = cmd.Wait()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 130 {
				t.Fatalf("exit %v, want 130; stderr:\n%s", err, strings.Join(all, "\n"))
			}
			if _, after, _ := ta.run("", "kb", "export"); after != before {
				t.Errorf("the knowledge base changed after %s", sig)
			}
		})
	}
}

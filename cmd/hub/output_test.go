package main

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// fullWriter fails every write after the first limit bytes, as stdout
// on a full disk does.
type fullWriter struct {
	limit int
	n     int
}

func (f *fullWriter) Write(p []byte) (int, error) {
	if f.n+len(p) > f.limit {
		return 0, syscall.ENOSPC
	}
	f.n += len(p)
	return len(p), nil
}

// TestOutputThatCannotBeWrittenFails: a command whose output is lost
// says so and exits 1, rather than 0 as if the officer had it.
func TestOutputThatCannotBeWrittenFails(t *testing.T) {
	ta := newTestApp(t, "sqlite://"+filepath.Join(t.TempDir(), "hub.db"))
	if code, _, errOut := ta.run("", "kb", "import", writeFile(t, "faq.json", sampleJSON)); code != 0 {
		t.Fatal(errOut)
	}
	if code, _, errOut := ta.run("bagaimana cara daftar nikah siri online lewat kecamatan?\n", "chat", "--as", "budi"); code != 0 {
		t.Fatal(errOut)
	}
	for _, args := range [][]string{
		{"kb", "show", "ktp-hilang"},
		{"kb", "search", "ktp", "hilang"},
		{"kb", "ask", "ktp hilang"},
		{"inbox", "show", "1"},
		{"inbox", "show", "1", "--full"},
	} {
		for _, limit := range []int{0, 40} {
			var errb bytes.Buffer
			a := &app{stdin: strings.NewReader(""), stdout: &fullWriter{limit: limit}, stderr: &errb, getenv: func(k string) string { return ta.env[k] }}
			if code := a.run(context.Background(), args); code != 1 || !strings.Contains(errb.String(), "keluaran tidak dapat ditulis") {
				t.Errorf("%v with output failing after %d bytes: exit %d, stderr %q", args, limit, code, errb.String())
			}
		}
	}
	// The writer itself: the first error sticks.
	o := &outputWriter{w: &fullWriter{limit: 3}}
	if _, err := o.Write([]byte("abcd")); !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("first failed write: %v", err)
	}
	if _, err := o.Write([]byte("a")); !errors.Is(err, syscall.ENOSPC) || !errors.Is(o.Err(), syscall.ENOSPC) {
		t.Fatalf("a later write that would fit still fails: %v, %v", err, o.Err())
	}
}

// brokenReader gives its data, then fails, as a stdin pipe cut mid-stream.
type brokenReader struct{ data *strings.Reader }

func (b *brokenReader) Read(p []byte) (int, error) {
	if b.data.Len() > 0 {
		return b.data.Read(p)
	}
	return 0, errors.New("input cut")
}

// TestKbAskKeepsAnswersBeforeAReadError: when the input of `kb ask`
// breaks after some lines, the answers already computed reach stdout
// before the error, the exit is 1 with the read error named, and an
// output that cannot be written still fails too.
func TestKbAskKeepsAnswersBeforeAReadError(t *testing.T) {
	ta := newTestApp(t, "sqlite://"+filepath.Join(t.TempDir(), "hub.db"))
	if code, _, errOut := ta.run("", "kb", "import", writeFile(t, "faq.json", sampleJSON)); code != 0 {
		t.Fatal(errOut)
	}
	var out, errb bytes.Buffer
	a := &app{stdin: &brokenReader{strings.NewReader("ktp hilang\nakta lahir\n")}, stdout: &out, stderr: &errb, getenv: func(k string) string { return ta.env[k] }}
	code := a.run(context.Background(), []string{"kb", "ask"})
	if n := strings.Count(out.String(), "\n"); n != 2 || code != 1 || !strings.Contains(errb.String(), "pertanyaan tidak dapat dibaca") {
		t.Errorf("kb ask with input cut after 2 lines: exit %d, %d answers on stdout (want 2), stderr %q", code, n, errb.String())
	}

	errb.Reset()
	a = &app{stdin: &brokenReader{strings.NewReader("ktp hilang\nakta lahir\n")}, stdout: &fullWriter{limit: 10}, stderr: &errb, getenv: func(k string) string { return ta.env[k] }}
	if code := a.run(context.Background(), []string{"kb", "ask"}); code != 1 || !strings.Contains(errb.String(), "keluaran tidak dapat ditulis") {
		t.Errorf("kb ask with input cut and output failing: exit %d, stderr %q, want both errors", code, errb.String())
	}
}

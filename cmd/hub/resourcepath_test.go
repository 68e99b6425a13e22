package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/tebingtinggi/hub/knowledge"
)

// TestResourcePathLooksBesideTheBinaryThenTheSystem: a hub binary run from
// another folder still finds the shipped thesaurus beside it (in the
// checkout whose bin/ holds it), and without a checkout it takes Debian's
// copy.
func TestResourcePathLooksBesideTheBinaryThenTheSystem(t *testing.T) {
	shipped := knowledge.DefaultThesaurusPath
	checkout := t.TempDir()
	bin := filepath.Join(checkout, "bin")
	elsewhere := t.TempDir()
	if err := os.MkdirAll(filepath.Join(checkout, filepath.Dir(shipped)), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(checkout, shipped)
	if err := os.WriteFile(want, []byte("UTF-8\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	system := filepath.Join(t.TempDir(), "th_id_ID_v2.dat")
	noSystem := filepath.Join(elsewhere, "missing.dat")

	got := resourcePath("", shipped, system, []string{elsewhere, bin})
	if same, _ := sameFile(got, want); !same {
		t.Errorf("beside the binary: got %q, want %q", got, want)
	}
	if got := resourcePath("", shipped, noSystem, []string{elsewhere}); got != shipped {
		t.Errorf("found nowhere: got %q, want the shipped path %q so that its absence is reported", got, shipped)
	}
	if err := os.WriteFile(system, []byte("UTF-8\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := resourcePath("", shipped, system, []string{elsewhere}); got != system {
		t.Errorf("no checkout: got %q, want the system copy %q", got, system)
	}
	if got := resourcePath("off", shipped, system, []string{bin}); got != "" {
		t.Errorf(`"off": got %q, want none`, got)
	}
	if got := resourcePath("/my/th.dat", shipped, system, []string{bin}); got != "/my/th.dat" {
		t.Errorf("explicit path: got %q", got)
	}
}

func sameFile(a, b string) (bool, error) {
	fa, err := os.Stat(a)
	if err != nil {
		return false, err
	}
	fb, err := os.Stat(b)
	if err != nil {
		return false, err
	}
	return os.SameFile(fa, fb), nil
}

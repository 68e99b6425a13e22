package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/tebingtinggi/hub/internal/hostiletest"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

// csvFile renders rows as CSV.
func csvFile(t *testing.T, rows ...[]string) string {
	t.Helper()
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	if err := w.WriteAll(rows); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// fileErrorRE is how a refused import must begin: the file and the line.
var fileErrorRE = regexp.MustCompile(`^hub: \S+\.(csv|json):\d+(:\d+)?: `)

// TestHostileImportsAndCLI sends every hostile input through the CSV and
// JSON imports (knowledge base, ASN, trainings), on both backends: each
// file is imported or refused naming file and line, never half-written;
// then everything the CLI prints from the database is inert, and the
// CSV export escapes formulas yet still round-trips.
func TestHostileImportsAndCLI(t *testing.T) {
	for _, d := range storagetest.Backends {
		t.Run(string(d), func(t *testing.T) {
			ta := newTestApp(t, storagetest.URL(t, d))
			ta.cli(t, 0, "", "asn", "units", writeFile(t, "units.csv", "code,name\nDISKOMINFO,Dinas Komunikasi dan Informatika\n"))
			for i, in := range hostiletest.Inputs {
				id := fmt.Sprintf("hostile-%d", i)
				entry, err := json.Marshal(map[string]any{"id": id, "category": "Umum", "question": "Pertanyaan " + in.Text,
					"alternates": []string{"bagaimana kalau ktp hilang " + id}, "answer": in.Text, "tags": []string{"tag"}})
				if err != nil {
					t.Fatal(err)
				}
				nip := fmt.Sprintf("19800101200501100%d", i)
				files := []struct {
					args    []string
					name    string
					content string
				}{
					{[]string{"kb", "import"}, "kb-" + id + ".json", `{"entries":[` + string(entry) + `]}`},
					{[]string{"kb", "import"}, "kb-" + id + ".csv", csvFile(t, []string{"id", "category", "question", "alternates", "answer", "tags"},
						[]string{id + "-csv", "Umum", "Pertanyaan CSV " + in.Text, "bagaimana kalau ktp hilang " + id + "-csv", in.Text, "tag"})},
					{[]string{"asn", "import"}, "asn-" + id + ".csv", csvFile(t, []string{"nip", "name", "unit", "position"},
						[]string{nip, "Siti " + in.Text, "DISKOMINFO", "Analis " + in.Text})},
					{[]string{"training", "import", "trainings"}, "trainings-" + id + ".csv", csvFile(t, []string{"code", "title", "provider"},
						[]string{"T-" + fmt.Sprint(i), "Pelatihan " + in.Text, "LAN " + in.Text})},
				}
				for _, f := range files {
					code, out, errOut := ta.run("", append(f.args, writeFile(t, f.name, f.content))...)
					switch {
					case code == 1 && fileErrorRE.MatchString(errOut) && strings.Contains(errOut, f.name):
					case code == 0 && errOut == "":
					default:
						t.Errorf("%s (%s): exit %d, want an import or a refusal naming the file and line\nstdout %.300q\nstderr %.300q", f.name, in.Name, code, out, errOut)
					}
					assertInert(t, f.name+" stdout", out)
					assertInert(t, f.name+" stderr", errOut)
				}
			}
			for _, args := range [][]string{
				{"kb", "list"}, {"kb", "show", "hostile-6"}, {"kb", "show", "hostile-2-csv"}, {"kb", "search", "ktp", "hilang"},
				{"asn", "list"}, {"training", "list"},
			} {
				code, out, errOut := ta.run("", args...)
				if code != 0 {
					t.Fatalf("%v: exit %d %s", args, code, errOut)
				}
				assertInert(t, strings.Join(args, " "), out)
			}
			// The formula entry went in, and the CSV export neutralises it.
			_, out, _ := ta.run("", "kb", "export", "--format", "csv")
			recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			formulas := 0
			for _, r := range recs {
				for _, c := range r {
					if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
						t.Errorf("the CSV export holds a live formula: %.80q", c)
					}
					if strings.Contains(c, "=cmd|") {
						formulas++
					}
				}
			}
			if formulas == 0 {
				t.Errorf("the formula never reached the export:\n%.2000s", out)
			}
			other := newTestApp(t, storagetest.URL(t, d))
			other.cli(t, 0, "", "kb", "import", writeFile(t, "export.csv", out))
			if _, again, _ := other.run("", "kb", "export", "--format", "csv"); again != out {
				t.Errorf("the CSV export does not round-trip")
			}
		})
	}
}

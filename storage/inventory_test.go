package storage_test

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/tebingtinggi/hub/storage/storagetest"
)

// The README's personal data inventory is what the city shows its data
// protection officer, so it must name every column that can hold personal
// data. Every text-like column of the migrated schema, on both backends,
// is either in its table of columns with personal data or in its table of
// columns without; and everything the README names exists.
func TestEveryTextColumnIsInTheDataInventory(t *testing.T) {
	inv := readInventory(t, "../README.md")
	if len(inv.personal) < 20 || len(inv.other) < 20 {
		t.Fatalf("the inventory parsed to %d personal and %d other columns: is the README's table format still what readInventory expects?",
			len(inv.personal), len(inv.other))
	}
	for _, d := range storagetest.Backends {
		t.Run(string(d), func(t *testing.T) {
			cols := storagetest.Columns(t, storagetest.Open(t, d))
			if len(cols) < 50 {
				t.Fatalf("only %d columns found on %s", len(cols), d)
			}
			for _, c := range cols {
				if !c.Text {
					continue
				}
				_, personal := inv.personal[c.Qualified()]
				_, other := inv.other[c.Qualified()]
				if !personal && !other {
					t.Errorf("%s", missingColumnMessage(c))
				}
			}
			exists := map[string]bool{}
			for _, c := range cols {
				exists[c.Qualified()] = true
			}
			for _, list := range []map[string]int{inv.personal, inv.other} {
				for name, line := range list {
					if !exists[name] {
						t.Errorf("README.md:%d names %s, which the migrated schema (%s) does not have: "+
							"remove it from the personal data inventory or correct its name", line, name, d)
					}
				}
			}
		})
	}
}

// The parser must notice a column listed twice or in both tables, and a
// row of the personal table that names no column, or a missing column
// would hide behind a typo.
func TestReadInventoryRefusesAmbiguousTables(t *testing.T) {
	const head = "## Personal data inventory\n\n### Columns with personal data\n\n" +
		"| column | what |\n|---|---|\n"
	const other = "\n### Columns without personal data\n\n| table | columns | why |\n|---|---|---|\n"
	for _, tc := range []struct {
		name, readme, want string
	}{
		{"twice personal", head + "| `a.b` | x |\n| `a.b` | y |\n" + other, "a.b twice"},
		{"in both", head + "| `a.b` | x |\n" + other + "| `a` | `b`, `c` | codes |\n", "a.b twice"},
		{"no column", head + "| a.b | x |\n" + other, "names no column"},
		{"no table", "## Personal data inventory\n\nnothing\n", "no table"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseInventory(tc.readme)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("parseInventory: %v, want an error containing %q", err, tc.want)
			}
		})
	}
	inv, err := parseInventory(head + "| `a.b`, `c.d` | x |\n" + other + "| `a` | `e`, `f` | codes |\n")
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.personal) != 2 || len(inv.other) != 2 || inv.personal["c.d"] == 0 || inv.other["a.f"] == 0 {
		t.Fatalf("parsed %v and %v", inv.personal, inv.other)
	}
}

func missingColumnMessage(c storagetest.Column) string {
	return fmt.Sprintf("column %s (%s) is not in README.md's \"Personal data inventory\". "+
		"If it can hold personal data (anything a person typed, a name, a NIP, a chat or user id, an address, a file id or caption), "+
		"add a row to the table under \"### Columns with personal data\" whose first cell is `%s`, saying what it holds, why, "+
		"how long, how /hapusdata erases it (the owning package's Erase, called from handlers' /hapusdata), how the daily "+
		"retention job purges it (the owning package's Purge, wired in scheduler.Retention) and who can read it. "+
		"Otherwise add `%s` to the `%s` row of the table under \"### Columns without personal data\" "+
		"(or add the row | `%s` | `%s` | why it is not personal |).",
		c.Qualified(), c.Type, c.Qualified(), c.Name, c.Table, c.Table, c.Name)
}

// inventory maps "table.column" to the README line that lists it.
type inventory struct {
	personal, other map[string]int
}

func readInventory(t *testing.T, path string) inventory {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	inv, err := parseInventory(string(b))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return inv
}

var (
	qualifiedName = regexp.MustCompile("`([a-z0-9_]+)\\.([a-z0-9_]+)`")
	plainName     = regexp.MustCompile("`([a-z0-9_]+)`")
)

// parseInventory reads the two tables of the README's "Personal data
// inventory" section: "Columns with personal data", whose rows begin with
// one or more `table.column`, and "Columns without personal data", whose
// rows are `table` | `column`, `column` | why.
func parseInventory(readme string) (inventory, error) {
	inv := inventory{personal: map[string]int{}, other: map[string]int{}}
	lines := strings.Split(readme, "\n")
	start := slices.Index(lines, "## Personal data inventory")
	if start < 0 {
		return inv, fmt.Errorf(`no "## Personal data inventory" section`)
	}
	seen := map[string]int{}
	add := func(list map[string]int, name string, line int) error {
		if prev, ok := seen[name]; ok {
			return fmt.Errorf("line %d lists %s twice (first on line %d): each column belongs in one row of one table", line, name, prev)
		}
		seen[name] = line
		list[name] = line
		return nil
	}
	tables := 0
	section := ""
	for i := start + 1; i < len(lines); i++ {
		l := lines[i]
		if strings.HasPrefix(l, "## ") {
			break
		}
		if strings.HasPrefix(l, "### ") {
			section = strings.TrimPrefix(l, "### ")
			continue
		}
		if section != "Columns with personal data" && section != "Columns without personal data" {
			continue
		}
		if !strings.HasPrefix(l, "|") {
			continue
		}
		cells := strings.Split(strings.Trim(l, "| "), "|")
		for j := range cells {
			cells[j] = strings.TrimSpace(cells[j])
		}
		if strings.HasPrefix(cells[0], "---") {
			tables++
			continue
		}
		if section == "Columns with personal data" {
			if cells[0] == "column" {
				continue // the header
			}
			names := qualifiedName.FindAllStringSubmatch(cells[0], -1)
			if len(names) == 0 {
				return inv, fmt.Errorf("line %d names no column as `table.column` in its first cell", i+1)
			}
			for _, n := range names {
				if err := add(inv.personal, n[1]+"."+n[2], i+1); err != nil {
					return inv, err
				}
			}
			continue
		}
		if len(cells) < 3 || cells[0] == "table" {
			continue
		}
		table := plainName.FindStringSubmatch(cells[0])
		if table == nil {
			return inv, fmt.Errorf("line %d names no table as `table` in its first cell", i+1)
		}
		for _, c := range plainName.FindAllStringSubmatch(cells[1], -1) {
			if err := add(inv.other, table[1]+"."+c[1], i+1); err != nil {
				return inv, err
			}
		}
	}
	if tables < 2 {
		return inv, fmt.Errorf(`no table under "### Columns with personal data" and "### Columns without personal data" in "## Personal data inventory"`)
	}
	return inv, nil
}

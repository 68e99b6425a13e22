package training

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

// excelParsers parse each fixture file without a database.
var excelParsers = []struct {
	file  string
	parse func(r io.Reader, name string) (any, error)
}{
	{"units.csv", func(r io.Reader, name string) (any, error) { return ParseUnits(r, name) }},
	{"asn.csv", func(r io.Reader, name string) (any, error) { return ParseASN(r, name) }},
	{"trainings.csv", func(r io.Reader, name string) (any, error) { return ParseTrainings(r, name) }},
	{"sessions.csv", func(r io.Reader, name string) (any, error) { return ParseSessions(r, name) }},
	{"enrolments.csv", func(r io.Reader, name string) (any, error) { return ParseEnrolments(r, name) }},
}

// excelVariants turn a comma-separated file into what Excel, and people
// editing its files, save.
var excelVariants = []struct {
	name string
	make func(t *testing.T, plain []byte) string
}{
	{"semicolons, a column once used, rows cleared in between and at the end", func(t *testing.T, plain []byte) string {
		recs := plainRecords(t, plain)
		width := len(recs[0]) + 1
		var out [][]string
		for i, rec := range recs {
			out = append(out, append(rec, ""))
			if i == 1 {
				out = append(out, make([]string, width))
			}
		}
		out = append(out, make([]string, width), make([]string, width))
		return excelRecords(t, out, ';', "\r\n")
	}},
	{"a sep line, BOM, header in other case with spaces, no line break at the end", func(t *testing.T, plain []byte) string {
		recs := plainRecords(t, plain)
		for i := range recs[0] {
			recs[0][i] = " " + strings.ToUpper(recs[0][i]) + " "
		}
		return "\ufeffsep=;\r\n" + strings.TrimSuffix(excelRecords(t, recs, ';', "\r\n"), "\r\n")
	}},
	{"old Mac: lone CR, cleared rows", func(t *testing.T, plain []byte) string {
		recs := plainRecords(t, plain)
		recs = append(recs, make([]string, len(recs[0])))
		return excelRecords(t, recs, ';', "\r")
	}},
	{"a header typed with separators after it, rows without", func(t *testing.T, plain []byte) string {
		recs := plainRecords(t, plain)
		recs[0] = append(recs[0], "", "", "")
		return excelRecords(t, recs, ';', "\r\n")
	}},
	{"tab delimited", func(t *testing.T, plain []byte) string {
		return excelRecords(t, plainRecords(t, plain), '\t', "\r\n")
	}},
	{"cleared rows before the header", func(t *testing.T, plain []byte) string {
		recs := plainRecords(t, plain)
		return ",,,\n,,,\n" + excelRecords(t, recs, ',', "\n")
	}},
}

func plainRecords(t *testing.T, data []byte) [][]string {
	t.Helper()
	recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func excelRecords(t *testing.T, recs [][]string, comma rune, eol string) string {
	t.Helper()
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Comma, w.UseCRLF = comma, true
	if err := w.WriteAll(recs); err != nil {
		t.Fatal(err)
	}
	return strings.ReplaceAll(buf.String(), "\r\n", eol)
}

// Every import file reads the same however Excel saved it.
func TestParseExcelSavedFiles(t *testing.T) {
	for _, p := range excelParsers {
		plain, err := os.ReadFile("testdata/" + p.file)
		if err != nil {
			t.Fatal(err)
		}
		want, err := p.parse(bytes.NewReader(plain), p.file)
		if err != nil {
			t.Fatalf("%s: %v", p.file, err)
		}
		for _, v := range excelVariants {
			t.Run(p.file+"/"+v.name, func(t *testing.T) {
				in := v.make(t, plain)
				got, err := p.parse(strings.NewReader(in), p.file)
				if err != nil {
					t.Fatalf("%v\n%q", err, in)
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("differs:\n got %+v\nwant %+v\nfile %q", got, want, in)
				}
			})
		}
	}
}

// Rows of separators alone are skipped by the JP import too, and a row
// with something in it is still checked at its own line.
func TestImportJPExcelFile(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		s := jpWorld(t, db)
		ctx := context.Background()
		before := count(t, db, "jp_records")
		file := "nip;date;jp;title;provider;\r\n" +
			nipBudi + ";2026-05-02;6;Keamanan Informasi;BSSN;\r\n" +
			";;;;;\r\n" +
			";;;;;\r\n"
		if n, err := s.ImportJP(ctx, strings.NewReader(file), "jp.csv"); err != nil || n != 1 {
			t.Fatalf("ImportJP = %d, %v", n, err)
		}
		_, err := s.ImportJP(ctx, strings.NewReader(strings.Replace(file, "2026-05-02", "2026-05-03", 1)+";;;Etika;;\r\n;;;;;\r\n"), "jp.csv")
		got := problemPlaces(t, err)
		if want := []string{"5:nip", "5:date", "5:jp", "5:provider"}; !reflect.DeepEqual(got, want) {
			t.Errorf("problems %q, want %q:\n%v", got, want, err)
		}
		if n := count(t, db, "jp_records"); n != before+1 {
			t.Errorf("%d JP records, want %d", n, before+1)
		}
	})
}

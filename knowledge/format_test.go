package knowledge

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

// trickyEntries exercise quoting, separators, newlines and non-ASCII text in
// both formats.
func trickyEntries() []Entry {
	return []Entry{
		{
			Slug:       "ktp-hilang",
			Category:   "Kependudukan",
			Question:   `KTP-el saya hilang, "bagaimana" cara mengurusnya?`,
			Alternates: []string{"ktp hilang gimana?", "kehilangan KTP, apa syaratnya, pak?", `kata "hilang" dalam kutip`},
			Answer:     "Langkahnya:\n1. Minta surat kehilangan dari kepolisian, lalu\n2. bawa KK ke Disdukcapil.\n\nCatatan: A | B bukan daftar; \"kutip\", koma, titik-koma; 🙏🏽 terima kasih.\n\tBaris bertab.",
			Tags:       []string{"ktp-el", "kehilangan", "disdukcapil"},
			Status:     Published,
		},
		{
			Slug:     "jam-layanan",
			Category: "Umum, Layanan",
			Question: "Jam berapa kantor buka? 🕗",
			Answer:   "Senin–Jumat 08.00–16.00 WIB.",
			Status:   Draft,
		},
		{
			Slug:       "x1",
			Question:   "=SUM(A1:A2)",
			Alternates: []string{"é ñ ü — ‘quotes’"},
			Answer:     `\.`,
			Tags:       []string{"a,b", `"q"`},
			Status:     Archived,
		},
	}
}

func TestRoundTrip(t *testing.T) {
	want := trickyEntries()
	formats := []struct {
		name  string
		write func(*bytes.Buffer, []Entry) error
		parse func(*bytes.Buffer) ([]Entry, error)
	}{
		{"json", func(b *bytes.Buffer, e []Entry) error { return WriteJSON(b, e) },
			func(b *bytes.Buffer) ([]Entry, error) { return ParseJSON(b, "faq.json") }},
		{"csv", func(b *bytes.Buffer, e []Entry) error { return WriteCSV(b, e) },
			func(b *bytes.Buffer) ([]Entry, error) { return ParseCSV(b, "faq.csv") }},
	}
	for _, f := range formats {
		t.Run(f.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := f.write(&buf, want); err != nil {
				t.Fatal(err)
			}
			text := buf.String()
			got, err := f.parse(&buf)
			if err != nil {
				t.Fatalf("parse: %v\n%s", err, text)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("round trip differs:\n got %#v\nwant %#v\nfile:\n%s", got, want, text)
			}
			// Writing the parsed entries again gives the same bytes.
			var again bytes.Buffer
			if err := f.write(&again, got); err != nil {
				t.Fatal(err)
			}
			if again.String() != text {
				t.Fatalf("second write differs:\n%s\n---\n%s", again.String(), text)
			}
		})
	}
}

// excelCSV rewrites a file WriteCSV made as Excel saves it on a computer
// set to Indonesian: cells separated by sep, a separator at the end of
// every line (an unnamed empty column) when trailing, and lines, those
// inside quoted cells too, ended by eol.
func excelCSV(t *testing.T, data []byte, sep rune, trailing bool, eol string) string {
	t.Helper()
	recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Comma, w.UseCRLF = sep, true
	for _, rec := range recs {
		if trailing {
			rec = append(rec, "")
		}
		if err := w.Write(rec); err != nil {
			t.Fatal(err)
		}
	}
	w.Flush()
	return strings.ReplaceAll(buf.String(), "\r\n", eol)
}

// TestParseExcelCSV: the CSV Excel saves with Indonesian regional
// settings, where cells are separated by semicolons, often with an empty
// unnamed column at the end, and on old Macs with lines ended by a lone
// CR, reads as the file WriteCSV wrote; quoted cells keep their
// semicolons, commas and line breaks.
func TestParseExcelCSV(t *testing.T) {
	want := append(trickyEntries(), Entry{Slug: "cicilan", Category: "Pajak; Retribusi", Question: "Rp1,5 juta; bisa dicicil?",
		Alternates: []string{"cicil; 1,5"}, Answer: "Bisa; hubungi BPKPD.", Status: Published})
	var buf bytes.Buffer
	if err := WriteCSV(&buf, want); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name     string
		sep      rune
		trailing bool
		eol      string
	}{
		{"semicolons", ';', false, "\r\n"},
		{"semicolons and an empty column", ';', true, "\r\n"},
		{"semicolons, lone CR", ';', true, "\r"},
		{"commas, lone CR", ',', false, "\r"},
		{"commas and an empty column", ',', true, "\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in := excelCSV(t, buf.Bytes(), tt.sep, tt.trailing, tt.eol)
			if tt.sep == ';' && (!strings.Contains(in, `;Umum, Layanan;`) || !strings.Contains(in, `;"Pajak; Retribusi";"Rp1,5 juta; bisa dicicil?";`)) {
				t.Fatalf("not the file meant:\n%q", in)
			}
			got, err := ParseCSV(strings.NewReader(in), "faq.csv")
			if err != nil {
				t.Fatalf("%v\n%q", err, in)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("differs:\n got %#v\nwant %#v\nfile %q", got, want, in)
			}
			// Exported again, it is the comma-separated file.
			var again bytes.Buffer
			if err := WriteCSV(&again, got); err != nil {
				t.Fatal(err)
			}
			if again.String() != buf.String() {
				t.Fatalf("export differs:\n%s\n---\n%s", again.String(), buf.String())
			}
		})
	}
}

// TestParseExcelTraps: more of what Excel, and people editing its files,
// save, each read as the file WriteCSV wrote.
func TestParseExcelTraps(t *testing.T) {
	want := trickyEntries()
	var buf bytes.Buffer
	if err := WriteCSV(&buf, want); err != nil {
		t.Fatal(err)
	}
	const header = "id;category;question;alternates;answer;tags;status"
	for _, tt := range []struct {
		name string
		make func(semicolons string) string
	}{
		{"rows cleared in between and at the end", func(f string) string {
			f = strings.Replace(f, "\r\nx1;", "\r\n;;;;;;\r\n ; ;;;;;\r\nx1;", 1)
			return f + ";;;;;;\r\n;;;;;;\r\n"
		}},
		{"rows cleared before the header", func(f string) string { return ";;;;;;\r\n" + f }},
		{"a sep line", func(f string) string { return "sep=;\r\n" + f }},
		{"BOM, a header in other case with spaces, no line break at the end", func(f string) string {
			f = strings.Replace(f, header, " ID ; Category;QUESTION ;alternates; Answer;tags;Status ", 1)
			return "\ufeff" + strings.TrimSuffix(f, "\r\n")
		}},
		{"a header typed with separators after it, rows without", func(f string) string {
			return strings.Replace(f, header, header+";;;", 1)
		}},
		{"old Mac with a sep line and cleared rows", func(f string) string {
			return strings.ReplaceAll("sep=;\r\n"+f+";;;;;;\r\n", "\r\n", "\r")
		}},
		{"tab delimited", func(f string) string {
			return excelCSV(t, buf.Bytes(), '\t', false, "\r\n")
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.make(excelCSV(t, buf.Bytes(), ';', false, "\r\n"))
			got, err := ParseCSV(strings.NewReader(in), "faq.csv")
			if err != nil {
				t.Fatalf("%v\n%q", err, in)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("differs:\n got %#v\nwant %#v\nfile %q", got, want, in)
			}
		})
	}
}

func TestWriteJSONShape(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteJSON(&buf, []Entry{{Slug: "a", Question: "q <b>", Answer: "a & b"}}); err != nil {
		t.Fatal(err)
	}
	want := `{
  "entries": [
    {
      "id": "a",
      "category": "",
      "question": "q <b>",
      "alternates": [],
      "answer": "a & b",
      "tags": [],
      "status": "published"
    }
  ]
}
`
	if buf.String() != want {
		t.Fatalf("got\n%s\nwant\n%s", buf.String(), want)
	}
}

func TestWriteCSVShape(t *testing.T) {
	var buf bytes.Buffer
	err := WriteCSV(&buf, []Entry{{Slug: "a", Question: "q", Alternates: []string{"x", "y"}, Answer: "a, \"b\"", Tags: []string{"t"}}})
	if err != nil {
		t.Fatal(err)
	}
	want := "id,category,question,alternates,answer,tags,status\na,,q,x | y,\"a, \"\"b\"\"\",t,published\n"
	if buf.String() != want {
		t.Fatalf("got %q\nwant %q", buf.String(), want)
	}
	err = WriteCSV(&buf, []Entry{{Slug: "a", Question: "q", Answer: "a", Tags: []string{"x|y"}}})
	if err == nil || !strings.Contains(err.Error(), `kolom "tags"`) {
		t.Fatalf("want an error for a tag with |, got %v", err)
	}
}

func TestParseNormalizes(t *testing.T) {
	in := "\uFEFFid,category,question,alternates,answer,tags\r\n" +
		"ktp-baru, Kependudukan ,\"  Cara buat KTP?  \",\" satu  |  | dua|SATU \",\"baris1\r\nbaris2\",\n"
	got, err := ParseCSV(strings.NewReader(in), "faq.csv")
	if err != nil {
		t.Fatal(err)
	}
	want := []Entry{{Slug: "ktp-baru", Category: "Kependudukan", Question: "Cara buat KTP?",
		Alternates: []string{"satu", "dua"}, Answer: "baris1\nbaris2", Status: Published}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %#v\nwant %#v", got, want)
	}
}

// TestAlternateEqualToQuestionDropped: an alternate that is the question
// again (case and spacing aside) is not kept, in a file as in a save.
func TestAlternateEqualToQuestionDropped(t *testing.T) {
	in := "id,category,question,alternates,answer,tags\n" +
		"ktp-baru,,Cara buat KTP?,cara  BUAT ktp? | bikin ktp,Ke Disdukcapil.,\n" +
		"ktp-lama,,Cara perpanjang KTP?,Cara perpanjang KTP?,Tidak perlu.,\n"
	got, err := ParseCSV(strings.NewReader(in), "faq.csv")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || !slices.Equal(got[0].Alternates, []string{"bikin ktp"}) || got[1].Alternates != nil {
		t.Fatalf("alternates kept: %q, %q", got[0].Alternates, got[1].Alternates)
	}
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		s := NewStore(db)
		e := mustSave(t, s, Entry{Slug: "ktp-hilang", Question: "KTP hilang?", Alternates: []string{" ktp  HILANG? ", "ktp ilang"}, Answer: "a"})
		if !slices.Equal(e.Alternates, []string{"ktp ilang"}) {
			t.Fatalf("saved alternates %q", e.Alternates)
		}
	})
}

func TestParseStarter(t *testing.T) {
	path := filepath.Join("starter", "starter.json")
	if _, err := os.Stat(path); err != nil {
		t.Skip("no starter file")
	}
	entries, err := ParseFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) < 10 {
		t.Fatalf("only %d starter entries", len(entries))
	}
	// The starter converts to CSV and back unchanged.
	var buf bytes.Buffer
	if err := WriteCSV(&buf, entries); err != nil {
		t.Fatal(err)
	}
	back, err := ParseCSV(&buf, "starter.csv")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, entries) {
		t.Fatal("starter differs after a CSV round trip")
	}
}

func TestParseFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	j := write("kb.json", `{"entries":[{"id":"a","question":"q","answer":"a"}],"synonyms":[["KTP","e-ktp"," kartu  tanda penduduk "]]}`)
	f, err := ParseFileWithSynonyms(j)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Entries) != 1 || !reflect.DeepEqual(f.Synonyms, [][]string{{"ktp", "e-ktp", "kartu tanda penduduk"}}) {
		t.Fatalf("got %#v", f)
	}
	c := write("kb.CSV", "id,category,question,alternates,answer,tags,status\nb,,q,,a,,draft\n")
	entries, err := ParseFile(c)
	if err != nil || len(entries) != 1 || entries[0].Status != Draft {
		t.Fatalf("got %#v, %v", entries, err)
	}
	if _, err := ParseFile(write("kb.txt", "")); err == nil || !strings.Contains(err.Error(), `kb.txt: jenis berkas ".txt" tidak dikenal: hanya berkas .json atau .csv`) {
		t.Fatalf("want unknown-format error, got %v", err)
	}
	if _, err := ParseFile(filepath.Join(dir, "missing.json")); err == nil {
		t.Fatal("want an error for a missing file")
	}
}

func TestParseErrors(t *testing.T) {
	long := strings.Repeat("é", MaxAnswerLen+1)
	tests := []struct {
		name  string
		file  string // extension picks the format
		input string
		want  []string // substrings of the error
	}{
		{"json syntax", "faq.json", "{\n \"entries\": [\n  {\"id\": \"a\",, }\n ]\n}", []string{"faq.json:3:14:", "JSON rusak", "karakter ',' tidak diharapkan di tempat nama kolom"}},
		{"json truncated", "faq.json", "{\n \"entries\": [\n  {\"id\": \"a\"", []string{"faq.json:3:", "berkas berakhir sebelum waktunya"}},
		{"json not an object", "faq.json", `[1, 2]`, []string{"faq.json:1", `seharusnya objek`}},
		{"json no entries", "faq.json", `{}`, []string{"faq.json", `daftar "entries" tidak ada`}},
		{"json wrong type", "faq.json", "{\"entries\": [\n{\"id\": \"a\",\n\"question\": 12,\n\"answer\": \"x\"}]}", []string{"faq.json:3:", `kolom "question"`, "seharusnya teks, bukan angka"}},
		{"json wrong list type", "faq.json", "{\"entries\": [\n{\"id\": \"a\", \"question\": \"q\", \"answer\": \"x\",\n\"tags\": \"ktp\"}]}", []string{"faq.json:3:", `kolom "tags"`, "seharusnya daftar teks, bukan teks"}},
		{"json wrong item type", "faq.json", "{\"entries\": [\n{\"id\": \"a\", \"question\": \"q\", \"answer\": \"a\",\n\"alternates\": [\n\"x\",\n  5]}]}", []string{"faq.json:5:", `kolom "alternates"`, "seharusnya teks, bukan angka"}},
		{"json syntax inside value", "faq.json", "{\"entries\": [\n{\"id\": \"a\", \"question\": \"q\",\n\"answer\":\n  tru}]}", []string{"faq.json:4:6:", "JSON rusak", "karakter '}' tidak diharapkan di dalam true, false atau null"}},
		{"json unknown field", "faq.json", "{\"entries\": [\n{\"id\": \"a\", \"question\": \"q\",\n \"answr\": \"x\"}]}", []string{"faq.json:3:", `entri "a"`, `kolom "answr"`, "tidak dikenal"}},
		{"json unknown top field", "faq.json", "{\"entries\": [],\n\"foo\": 1}", []string{"faq.json:2:", `kolom "foo" tidak dikenal`}},
		{"json entry not object", "faq.json", "{\"entries\": [\n\"x\"]}", []string{"faq.json:2:", "seharusnya objek entri, bukan teks"}},
		{"json missing id", "faq.json", "{\"entries\": [\n{\"question\": \"q\", \"answer\": \"a\"}]}", []string{"faq.json:2:", `kolom "id"`, "belum diisi"}},
		{"json bad id", "faq.json", "{\"entries\": [\n{\"id\": \"KTP Hilang\", \"question\": \"q\", \"answer\": \"a\"}]}", []string{"faq.json:2:", `entri "KTP Hilang"`, `kolom "id"`, "huruf kecil"}},
		{"json duplicate id", "faq.json", "{\"entries\": [\n{\"id\": \"a\", \"question\": \"q\", \"answer\": \"a\"},\n\n{\"id\": \"a\", \"question\": \"q2\", \"answer\": \"b\"}]}", []string{"faq.json:4:", `entri "a"`, `kolom "id"`, "id ganda, sudah dipakai di baris 2"}},
		{"json empty question", "faq.json", "{\"entries\": [\n{\"id\": \"a\",\n \"question\": \"  \", \"answer\": \"a\"}]}", []string{"faq.json:3:", `entri "a"`, `kolom "question"`, "belum diisi"}},
		{"json empty answer", "faq.json", "{\"entries\": [\n{\"id\": \"a\", \"question\": \"q\"}]}", []string{"faq.json:2:", `entri "a"`, `kolom "answer"`, "belum diisi"}},
		{"json long answer", "faq.json", "{\"entries\": [\n{\"id\": \"ktp-hilang\", \"question\": \"q\",\n\n \"answer\": \"" + long + "\"}]}", []string{"faq.json:4:", `entri "ktp-hilang"`, `kolom "answer"`, "lebih dari 4096 karakter (4097)"}},
		{"json bad status", "faq.json", "{\"entries\": [\n{\"id\": \"a\", \"question\": \"q\", \"answer\": \"a\",\n\"status\": \"live\"}]}", []string{"faq.json:3:", `kolom "status"`, `"live" bukan salah satu dari`}},
		{"json long category", "faq.json", "{\"entries\": [\n{\"id\": \"a\", \"question\": \"q\", \"answer\": \"a\",\n\"category\": \"" + strings.Repeat("k", MaxCategoryLen+1) + "\"}]}", []string{"faq.json:3:", `entri "a"`, `kolom "category"`, "lebih dari 100 karakter (101)"}},
		{"json long tag", "faq.json", "{\"entries\": [\n{\"id\": \"a\", \"question\": \"q\", \"answer\": \"a\",\n\"tags\": [\"ktp\", \"" + strings.Repeat("t", MaxTagLen+1) + "\"]}]}", []string{"faq.json:3:", `kolom "tags"`, "butir 2: lebih dari 100 karakter (101)"}},
		{"json too many tags", "faq.json", "{\"entries\": [\n{\"id\": \"a\", \"question\": \"q\", \"answer\": \"a\",\n\"tags\": [\"" + strings.Join(numbered("t", MaxTags+1), "\", \"") + "\"]}]}", []string{"faq.json:3:", `kolom "tags"`, "paling banyak 30 tag per entri (ada 31)"}},
		{"csv too many alternates", "faq.csv", "id,category,question,alternates,answer,tags\n\nb,,q," + strings.Join(numbered("v", MaxAlternates+1), " | ") + ",a,\n", []string{"faq.csv:3:", `entri "b"`, `kolom "alternates"`, "paling banyak 200 variasi pertanyaan per entri (ada 201)"}},
		{"json pipe in alternate", "faq.json", "{\"entries\": [\n{\"id\": \"a\", \"question\": \"q\", \"answer\": \"a\",\n\"alternates\": [\"x | y\"]}]}", []string{"faq.json:3:", `kolom "alternates"`, `berisi "|"`}},
		{"json invalid utf8", "faq.json", "{\"entries\": [\n{\"id\": \"a\", \"question\": \"q\xff\", \"answer\": \"a\"}]}", []string{"faq.json:2:", "bukan UTF-8 yang sah"}},
		{"json control char", "faq.json", "{\"entries\": [\n{\"id\": \"a\", \"question\": \"q\\u0000\", \"answer\": \"a\"}]}", []string{"faq.json:2:", `kolom "question"`, "karakter kendali"}},
		{"json trailing data", "faq.json", "{\"entries\": []}\n{}", []string{"faq.json:2", "setelah objek utama"}},
		{"json duplicate field", "faq.json", "{\"entries\": [\n{\"id\": \"a\", \"question\": \"q\", \"answer\": \"a\",\n\"answer\": \"b\"}]}", []string{"faq.json:3:", `kolom "answer"`, "dua kali"}},
		{"json bad synonyms", "faq.json", "{\"entries\": [],\n\"synonyms\": [[\"ktp\"],\n[\"a\", 1]]}", []string{"faq.json:2:", `kolom "synonyms"`, "paling sedikit dua", "faq.json:3:", "seharusnya teks, bukan angka"}},
		// A file saved with old Mac line ends: the line named is still the
		// one an editor shows.
		{"json lone CR, wrong type", "faq.json", "{\"entries\": [\r{\"id\": \"a\",\r\"question\": 12,\r\"answer\": \"x\"}]}", []string{"faq.json:3:", `kolom "question"`}},
		{"json lone CR, syntax", "faq.json", "{\r \"entries\": [\r  {\"id\": \"a\",, }\r ]\r}", []string{"faq.json:3:14:", "JSON rusak"}},
		{"json CRLF, syntax", "faq.json", "{\r\n \"entries\": [\r\n  {\"id\": \"a\",, }\r\n ]\r\n}", []string{"faq.json:3:14:", "JSON rusak"}},
		{"json overlapping synonyms", "faq.json", "{\"entries\": [],\n\"synonyms\": [[\"ktp\", \"e-ktp\"],\n[\"KTP\", \"kartu\"]]}", []string{"faq.json:3:", "kelompok sinonim 1 dan 2"}},

		{"csv empty", "faq.csv", "", []string{"faq.csv:1:", "berkas kosong"}},
		{"csv wrong header", "faq.csv", "id,question,answer\na,b,c\n", []string{"faq.csv:1:", "baris judul", "id,category,question,alternates,answer,tags"}},
		{"csv column count", "faq.csv", "id,category,question,alternates,answer,tags\na,,q,,a,\nb,,q,,a\n", []string{"faq.csv:3:", "5 kolom; seharusnya 6"}},
		{"csv bare quote", "faq.csv", "id,category,question,alternates,answer,tags\na,,q\"x,,a,\n", []string{"faq.csv:2:5:", "CSV rusak", "tanda kutip (\") di tengah nilai"}},
		{"csv unterminated quote", "faq.csv", "id,category,question,alternates,answer,tags\na,,\"q,,a,\n", []string{"faq.csv:", "CSV rusak", "tanda kutip (\") berlebih atau hilang"}},
		// An unclosed quote swallows the rows after it: the error names the
		// row where the quoted cell opened, not only where reading stopped.
		{"csv unclosed quote far away", "faq.csv", "id,category,question,alternates,answer,tags\na,,q,,a,\nb,,q,,\"tanpa penutup,\nc,,q,,a,\nd,,q,,a,\ne,,q,,a,\n",
			[]string{"faq.csv:3: ", "CSV rusak", "dibuka di baris 3", "baris 6, kolom"}},
		{"csv stray quote after a multi-line cell", "faq.csv", "id,category,question,alternates,answer,tags\na,,q,,\"baris\nbaris\"x,\n",
			[]string{"faq.csv:2: ", "dibuka di baris 2", "baris 3, kolom"}},
		{"csv missing id", "faq.csv", "id,category,question,alternates,answer,tags\n,,q,,a,\n", []string{"faq.csv:2:", `kolom "id"`, "belum diisi"}},
		{"csv duplicate id", "faq.csv", "id,category,question,alternates,answer,tags\na,,q,,a,\nb,,q,,a,\na,,q,,\"a\nb\",\n", []string{"faq.csv:4:", `entri "a"`, "id ganda, sudah dipakai di baris 2"}},
		{"csv empty answer", "faq.csv", "id,category,question,alternates,answer,tags\nktp,,q,,\" \",\n", []string{"faq.csv:2:", `entri "ktp"`, `kolom "answer"`}},
		{"csv long answer on its line", "faq.csv", "id,category,question,alternates,answer,tags\nktp-hilang,,\"q\nq\",,\"" + long + "\",\n", []string{"faq.csv:3:", `entri "ktp-hilang"`, `kolom "answer"`, "lebih dari 4096 karakter (4097)"}},
		{"csv invalid utf8", "faq.csv", "id,category,question,alternates,answer,tags\na,,q\xc3,,a,\n", []string{"faq.csv:2:", "bukan UTF-8 yang sah"}},
		{"csv UTF-16 without BOM", "faq.csv", "i\x00d\x00,\x00c\x00a\x00t\x00e\x00g\x00o\x00r\x00y\x00\n\x00", []string{"faq.csv: ", "UTF-16 (little-endian) tanpa penanda urutan byte"}},
		{"json UTF-16 with BOM", "faq.json", "\xfe\xff\x00{\x00}", []string{"faq.json: ", "UTF-16 (big-endian), bukan UTF-8"}},
		{"csv NUL byte", "faq.csv", "id,category,question,alternates,answer,tags\na,,q\x00,,a,\n", []string{"faq.csv:2:5:", "byte NUL"}},
		{"csv bad status", "faq.csv", "id,category,question,alternates,answer,tags,status\na,,q,,a,,gone\n", []string{"faq.csv:2:", `kolom "status"`}},
		{"csv semicolons, empty answer", "faq.csv", "id;category;question;alternates;answer;tags\r\na;;q;;a;\r\nb;Umum, Layanan;q;;;\r\n", []string{"faq.csv:3:", `entri "b"`, `kolom "answer"`, "belum diisi"}},
		{"csv semicolons, wrong header", "faq.csv", "id;pertanyaan;jawaban\r\na;q;a\r\n", []string{"faq.csv:1:", "baris judul", `"id,pertanyaan,jawaban"`}},
		{"csv semicolons, unquoted semicolon", "faq.csv", "id;category;question;alternates;answer;tags\na;;q;;a;\nb;;q;;a; b;c\n", []string{"faq.csv:3:", "7 kolom; seharusnya 6", "titik koma harus diapit tanda kutip"}},
		{"csv value under an unnamed column", "faq.csv", "id;category;question;alternates;answer;tags;\r\na;;q;;a;;\r\nb;;\"q\r\nq\";;a;;catatan\r\n", []string{"faq.csv:4:", "kolom ke-7, yang tidak bernama", "id, category"}},
		{"csv unnamed column in between", "faq.csv", "id,,category,question,alternates,answer,tags\na,,,q,,a,\n", []string{"faq.csv:1:", "baris judul"}},
		{"csv lone CR, empty answer", "faq.csv", "id,category,question,alternates,answer,tags\ra,,q,,a,\rb,,q,,,\r", []string{"faq.csv:3:", `entri "b"`, `kolom "answer"`}},
		{"csv lone CR, semicolons, unclosed quote", "faq.csv", "id;category;question;alternates;answer;tags\ra;;q;;a;\rb;;q;;\"tanpa penutup;\rc;;q;;a;\r", []string{"faq.csv:3: ", "dibuka di baris 3"}},
		// Excel's ways of saving: the line named is still the file's own.
		{"csv lone CR, invalid UTF-8", "faq.csv", "id;category;question;alternates;answer;tags\ra;;q;;a;\rb;;caf\xe9;;a;\r", []string{"faq.csv:3:7:", "bukan UTF-8 yang sah (byte 0xe9)"}},
		{"csv a row after cleared rows", "faq.csv", "id;category;question;alternates;answer;tags\r\n;;;;;\r\n;;;;;\r\nb;;q;;;\r\n;;;;;\r\n", []string{"faq.csv:4:", `entri "b"`, `kolom "answer"`}},
		{"csv a row partly filled is checked", "faq.csv", "id;category;question;alternates;answer;tags\r\na;;q;;a;\r\n;;q;;;\r\n", []string{"faq.csv:3:", `kolom "id"`, "belum diisi"}},
		{"csv a header after a sep line", "faq.csv", "sep=;\r\nid;pertanyaan;jawaban\r\n", []string{"faq.csv:2:", "baris judul", `"id,pertanyaan,jawaban"`}},
		{"csv a header after cleared rows", "faq.csv", ";;\r\n;;\r\nid;pertanyaan;jawaban\r\n", []string{"faq.csv:3:", "baris judul"}},
		{"csv a row short of the named columns", "faq.csv", "id;category;question;alternates;answer;tags;;;\r\na;;q;;a\r\n", []string{"faq.csv:2:", "5 kolom; seharusnya 6"}},
		{"csv only cleared rows", "faq.csv", ";;;;;\r\n;;;;;\r\n", []string{"faq.csv:1:", "berkas kosong"}},
		{"csv several problems", "faq.csv", "id,category,question,alternates,answer,tags\na,,,,a,\nb,,q,,,\n", []string{"faq.csv:2:", `entri "a": kolom "question"`, "faq.csv:3:", `entri "b": kolom "answer"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var entries []Entry
			var err error
			if strings.HasSuffix(tt.file, ".csv") {
				entries, err = ParseCSV(strings.NewReader(tt.input), tt.file)
			} else {
				entries, err = ParseJSON(strings.NewReader(tt.input), tt.file)
			}
			if err == nil {
				t.Fatalf("no error; entries %#v", entries)
			}
			if entries != nil {
				t.Errorf("entries returned alongside an error: %#v", entries)
			}
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Errorf("error is not a *FieldError: %T %v", err, err)
			} else if fe.File != tt.file {
				t.Errorf("FieldError.File = %q", fe.File)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			checkIndonesian(t, err)
		})
	}
}

func TestFieldErrorMessage(t *testing.T) {
	tests := []struct {
		err  FieldError
		want string
	}{
		{FieldError{File: "entries.csv", Line: 12, ID: "ktp-hilang", Field: "answer", Msg: "lebih dari 4096 karakter (5012)"},
			`entries.csv:12: entri "ktp-hilang": kolom "answer": lebih dari 4096 karakter (5012)`},
		{FieldError{ID: "a", Field: "question", Msg: "belum diisi"}, `entri "a": kolom "question": belum diisi`},
		{FieldError{File: "f.json", Line: 3, Column: 7, Msg: "JSON rusak"}, `f.json:3:7: JSON rusak`},
		{FieldError{File: "f.json", Msg: "x"}, `f.json: x`},
		{FieldError{Line: 2, Msg: "x"}, `baris 2: x`},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}
}

// TestFieldErrorKinds: every place that refuses an empty or too long
// value says so by its kind as well as in words, so that a form can
// word it for its field without reading the message; the parsers keep
// the kind, and other problems have none.
func TestFieldErrorKinds(t *testing.T) {
	ok := Entry{Slug: "ktp-hilang", Question: "q", Answer: "a"}
	tests := []struct {
		name   string
		change func(e *Entry)
		field  string
		kind   FieldErrorKind
	}{
		{"id missing", func(e *Entry) { e.Slug = " " }, "id", FieldMissing},
		{"id too long", func(e *Entry) { e.Slug = strings.Repeat("a", MaxSlugLen+1) }, "id", FieldTooLong},
		{"question missing", func(e *Entry) { e.Question = "\n\t" }, "question", FieldMissing},
		{"answer missing", func(e *Entry) { e.Answer = "" }, "answer", FieldMissing},
		{"answer too long", func(e *Entry) { e.Answer = strings.Repeat("a", MaxAnswerLen+1) }, "answer", FieldTooLong},
		{"id malformed", func(e *Entry) { e.Slug = "KTP" }, "id", FieldInvalid},
		{"answer not UTF-8", func(e *Entry) { e.Answer = "\xff" }, "answer", FieldInvalid},
		{"status unknown", func(e *Entry) { e.Status = "live" }, "status", FieldInvalid},
	}
	for _, tt := range tests {
		e := ok
		tt.change(&e)
		fe, isFE := errors.AsType[*FieldError](Validate(e))
		if !isFE || fe.Field != tt.field || fe.Kind != tt.kind {
			t.Errorf("%s: %#v; want field %q of kind %d", tt.name, fe, tt.field, tt.kind)
		}
	}
	long := strings.Repeat("a", MaxAnswerLen+1)
	for name, data := range map[string]string{
		"faq.json": `{"entries": [{"id": "a", "question": "q", "answer": ""}, {"id": "b", "question": "q", "answer": "` + long + `"}]}`,
		"faq.csv":  "id,category,question,alternates,answer,tags\na,,q,,,\nb,,q,,\"" + long + "\",\n",
	} {
		_, err := ParseNamed(strings.NewReader(data), name)
		var kinds []FieldErrorKind
		for _, e := range joined(err) {
			if fe, ok := errors.AsType[*FieldError](e); ok {
				kinds = append(kinds, fe.Kind)
			}
		}
		if !slices.Equal(kinds, []FieldErrorKind{FieldMissing, FieldTooLong}) {
			t.Errorf("%s: kinds %v (%v); want missing then too long", name, kinds, err)
		}
	}
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		s := NewStore(db)
		mustSave(t, s, ok)
		_, err := s.AddAlternate(context.Background(), "ktp-hilang", " \n ", "p")
		if fe, isFE := errors.AsType[*FieldError](err); !isFE || fe.Field != "alternates" || fe.Kind != FieldMissing || fe.Msg != "kalimatnya kosong" {
			t.Errorf("a blank alternate: %v; want a missing alternate", err)
		}
	})
}

// joined is err's errors when it joins several, or err alone.
func joined(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// TestValidateAnswer: an answer is checked alone as Validate checks it in
// a whole entry.
func TestValidateAnswer(t *testing.T) {
	for _, tt := range []struct {
		name, answer string
		kind         FieldErrorKind
		ok           bool
	}{
		{"ok", "Bawa KTP.", 0, true},
		{"at the limit", strings.Repeat("🙏", MaxAnswerLen), 0, true},
		{"at the limit once cleaned", " " + strings.Repeat("a\r\n", MaxAnswerLen/2) + "\n", 0, true},
		{"over the limit", strings.Repeat("a", MaxAnswerLen+1), FieldTooLong, false},
		{"blank", " \n\t", FieldMissing, false},
		{"control character", "Tekan \x1b[31m", FieldInvalid, false},
		{"invalid utf8", "\xff", FieldInvalid, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateAnswer(tt.answer)
			whole := Validate(Entry{Slug: "ktp-hilang", Question: "q", Answer: tt.answer})
			fe, isField := errors.AsType[*FieldError](err)
			if wfe, ok := errors.AsType[*FieldError](whole); ok != isField || ok && (wfe.Field != fe.Field || wfe.Kind != fe.Kind || wfe.Msg != fe.Msg) {
				t.Errorf("ValidateAnswer: %v; Validate of an entry with it: %v", err, whole)
			}
			switch {
			case tt.ok && err != nil:
				t.Errorf("want no error, got %v", err)
			case !tt.ok && (!isField || fe.Field != "answer" || fe.Kind != tt.kind):
				t.Errorf("want a FieldError of kind %d on the answer, got %v", tt.kind, err)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	ok := Entry{Slug: "ktp-hilang", Question: "q", Answer: "a"}
	tests := []struct {
		name   string
		change func(e *Entry)
		field  string // "" = valid
	}{
		{"ok", func(e *Entry) {}, ""},
		{"empty status is published", func(e *Entry) { e.Status = "" }, ""},
		{"empty list items dropped", func(e *Entry) { e.Tags = []string{" ", ""} }, ""},
		{"answer at the limit", func(e *Entry) { e.Answer = strings.Repeat("🙏", MaxAnswerLen) }, ""},
		{"answer over the limit", func(e *Entry) { e.Answer = strings.Repeat("a", MaxAnswerLen+1) }, "answer"},
		{"slug uppercase", func(e *Entry) { e.Slug = "KTP" }, "id"},
		{"slug double hyphen", func(e *Entry) { e.Slug = "ktp--hilang" }, "id"},
		{"slug trailing hyphen", func(e *Entry) { e.Slug = "ktp-" }, "id"},
		{"slug too long", func(e *Entry) { e.Slug = strings.Repeat("a", MaxSlugLen+1) }, "id"},
		{"slug at the limit", func(e *Entry) { e.Slug = strings.Repeat("a", MaxSlugLen) }, ""},
		{"question blank", func(e *Entry) { e.Question = "\n\t " }, "question"},
		{"category invalid utf8", func(e *Entry) { e.Category = "\xff" }, "category"},
		{"alternate invalid utf8", func(e *Entry) { e.Alternates = []string{"ok", "\xfe"} }, "alternates"},
		{"tag with pipe", func(e *Entry) { e.Tags = []string{"a|b"} }, "tags"},
		{"bad status", func(e *Entry) { e.Status = "deleted" }, "status"},
		{"category at the limit", func(e *Entry) { e.Category = strings.Repeat("é", MaxCategoryLen) }, ""},
		{"category over the limit", func(e *Entry) { e.Category = strings.Repeat("é", MaxCategoryLen+1) }, "category"},
		{"tag at the limit", func(e *Entry) { e.Tags = []string{"ktp", strings.Repeat("t", MaxTagLen)} }, ""},
		{"tag over the limit", func(e *Entry) { e.Tags = []string{"ktp", strings.Repeat("t", MaxTagLen+1)} }, "tags"},
		{"alternates at the limit", func(e *Entry) { e.Alternates = numbered("variasi", MaxAlternates) }, ""},
		{"too many alternates", func(e *Entry) { e.Alternates = numbered("variasi", MaxAlternates+1) }, "alternates"},
		{"tags at the limit", func(e *Entry) { e.Tags = numbered("tag", MaxTags) }, ""},
		{"too many tags", func(e *Entry) { e.Tags = numbered("tag", MaxTags+1) }, "tags"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := ok
			tt.change(&e)
			err := Validate(e)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != tt.field {
				t.Fatalf("want a FieldError on %q, got %v", tt.field, err)
			}
		})
	}
}

// numbered is n distinct items "prefix 1", "prefix 2", ….
func numbered(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s %d", prefix, i+1)
	}
	return out
}

// checkErrorLines fails t when err names a line that input does not have:
// lines named are the file's own, however it ends them.
func checkErrorLines(t *testing.T, err error, input string) {
	t.Helper()
	lines := 1 + strings.Count(input, "\n") + strings.Count(input, "\r")
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	for _, e := range errs {
		if fe, ok := e.(*FieldError); ok && (fe.Line < 0 || fe.Line > lines) {
			t.Fatalf("%v: line %d of %d", fe, fe.Line, lines)
		}
	}
}

func FuzzParseJSON(f *testing.F) {
	var buf bytes.Buffer
	if err := WriteJSONFile(&buf, File{Entries: trickyEntries(), Synonyms: [][]string{{"ktp", "e-ktp", "kartu tanda penduduk"}}}); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.String())
	f.Add(`{"entries":[{"id":"a","question":"q","answer":"a","alternates":null,"tags":["x"," X "]}]}`)
	f.Add(`{"entries":[{"id":"a","question":"q\r\nr","answer":"a\u2028b\r"}],"synonyms":[["İ","i"]]}`)
	f.Add(`{"entries":[],"synonyms":[]}`)
	f.Add(`{"entries":[{"id":1}]}`)
	f.Add("{\"entries\": [\r{\"id\": \"a\",\r\"question\": 12}]}\r")
	f.Fuzz(func(t *testing.T, in string) {
		file, err := ParseJSONFile(strings.NewReader(in), "fuzz.json")
		if err != nil {
			if file.Entries != nil || file.Synonyms != nil {
				t.Fatal("content returned with an error")
			}
			checkErrorLines(t, err, in)
			return
		}
		var out bytes.Buffer
		if err := WriteJSONFile(&out, file); err != nil {
			t.Fatal(err)
		}
		again, err := ParseJSONFile(&out, "again.json")
		if err != nil {
			t.Fatalf("re-parse: %v\n%s", err, out.String())
		}
		if !reflect.DeepEqual(again.Entries, file.Entries) || !reflect.DeepEqual(again.Synonyms, file.Synonyms) {
			t.Fatalf("round trip differs:\n got %#v\nwant %#v", again, file)
		}
		// Parsed entries also survive CSV.
		var csvOut bytes.Buffer
		if err := WriteCSV(&csvOut, file.Entries); err != nil {
			t.Fatal(err)
		}
		back, err := ParseCSV(&csvOut, "again.csv")
		if err != nil {
			t.Fatalf("re-parse CSV: %v\n%s", err, csvOut.String())
		}
		if !reflect.DeepEqual(back, file.Entries) {
			t.Fatalf("CSV round trip differs:\n got %#v\nwant %#v", back, file.Entries)
		}
	})
}

func FuzzParseCSV(f *testing.F) {
	var buf bytes.Buffer
	if err := WriteCSV(&buf, trickyEntries()); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.String())
	f.Add("id,category,question,alternates,answer,tags\na,,q,x | y,\"a\r\nb\",\n")
	f.Add("\uFEFFid,category,question,alternates,answer,tags,status\na,c,q,,a,,DRAFT\n")
	f.Add("id,category,question,alternates,answer,tags\na,,\"q\"\"\",,\"a\r\r\nb\",\n")
	f.Add("id;category;question;alternates;answer;tags;\r\na;\"x; y, z\";q;;\"a\r\nb\";;\r\n")
	f.Add("id;category;question;alternates;answer;tags;status\ra;;q;;\"a\rb\";;draft\r")
	f.Add("id,category,question,alternates,answer,tags,,\na,,q,,a,,, \n")
	f.Add(";;;;;;\r\nid;category;question;alternates;answer;tags;;\r\na;;q;;a;\r\n;;;;;;;\r\n ; ;\r\nb;;q;;a;;;\r\n")
	f.Add("sep=;\rid,x;category;question;alternates;answer;tags\ra;;q;;\"a\nb\";\r;;;\r")
	f.Add("\"sep=,\",,\nid,category,question,alternates,answer,tags\n,,,,,\na,,q,,a,")
	f.Add("id\tcategory\tquestion\talternates\tanswer\ttags\r\na\t\tq\t\ta\t\r\n\t\t\t\r\n")
	f.Fuzz(func(t *testing.T, in string) {
		entries, err := ParseCSV(strings.NewReader(in), "fuzz.csv")
		if err != nil {
			if entries != nil {
				t.Fatal("entries returned with an error")
			}
			checkErrorLines(t, err, in)
			return
		}
		var out bytes.Buffer
		if err := WriteCSV(&out, entries); err != nil {
			t.Fatal(err)
		}
		again, err := ParseCSV(&out, "again.csv")
		if err != nil {
			t.Fatalf("re-parse: %v\n%q", err, out.String())
		}
		if !reflect.DeepEqual(again, entries) {
			t.Fatalf("round trip differs:\n got %#v\nwant %#v", again, entries)
		}
		var jsonOut bytes.Buffer
		if err := WriteJSON(&jsonOut, entries); err != nil {
			t.Fatal(err)
		}
		back, err := ParseJSON(&jsonOut, "again.json")
		if err != nil {
			t.Fatalf("re-parse JSON: %v\n%s", err, jsonOut.String())
		}
		if !reflect.DeepEqual(back, entries) {
			t.Fatalf("JSON round trip differs:\n got %#v\nwant %#v", back, entries)
		}
	})
}

// TestCSVEscapesFormulas: cells a spreadsheet would run as formulas are
// written with a leading "'", and reading the file gives the entries back
// exactly.
func TestCSVEscapesFormulas(t *testing.T) {
	want := []Entry{
		{Slug: "daftar", Category: "Umum", Question: "=HYPERLINK(\"http://x\",\"klik\")", Alternates: []string{"@admin tolong", "biasa"},
			Answer: "- Bawa KK\n- Bawa KTP", Tags: []string{"+62"}, Status: Published},
		{Slug: "telepon", Category: "Umum", Question: "Nomor pengaduan?", Answer: "+62 621 21000", Status: Published},
		{Slug: "kutip", Category: "Umum", Question: "'=sudah dikutip", Answer: "'- juga", Status: Published},
	}
	var buf bytes.Buffer
	if err := WriteCSV(&buf, want); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(buf.Bytes())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range recs {
		for _, cell := range rec {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("cell %q would be a formula", cell)
			}
		}
	}
	if recs[1][2] != "'=HYPERLINK(\"http://x\",\"klik\")" || recs[2][4] != "'+62 621 21000" || recs[3][2] != "''=sudah dikutip" {
		t.Errorf("escaped cells: %q", recs)
	}
	got, err := ParseCSV(&buf, "faq.csv")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("round trip differs:\n got %#v\nwant %#v", got, want)
	}
}

// checkIndonesian fails when a problem's text, which officers read in the
// web admin and in Slack, has English words in it, including what the JSON
// and CSV readers found after "JSON rusak:" or "CSV rusak:".
func checkIndonesian(t *testing.T, err error) {
	t.Helper()
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	english := regexp.MustCompile(`\b(want|got|missing|field|entry|entries|line|unknown|duplicate|empty|longer|contains|item|term|header|columns|twice|malformed|too many|invalid|character|looking|after|literal|quote|unexpected|expected|extraneous|bare|wrong)\b`)
	for _, e := range errs {
		var fe *FieldError
		if !errors.As(e, &fe) {
			if english.MatchString(e.Error()) {
				t.Errorf("problem %q is in English", e)
			}
			continue
		}
		msg := fe.Msg
		// Quoted names from the file ("entries", "answr") are the file's.
		msg = regexp.MustCompile(`"[^"]*"`).ReplaceAllString(msg, `""`)
		if english.MatchString(msg) {
			t.Errorf("problem %q is in English", fe.Msg)
		}
		if prefix := strings.TrimSuffix(fe.Error(), fe.Msg); english.MatchString(regexp.MustCompile(`"[^"]*"`).ReplaceAllString(prefix, `""`)) {
			t.Errorf("the place %q is named in English", prefix)
		}
	}
}

package training

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

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

// sessionsIndonesianExcel is testdata/sessions.csv as Excel or LibreOffice
// set to Indonesian saves it, with two sessions more: semicolons, dates
// day first, times with "." or seconds, month names, a date alone.
const sessionsIndonesianExcel = "code;training;start;end;place;online_url;status;tz\r\n" +
	"ANL-2026-01;DIG-ANALITIK;03/12/2026 9:00;3/12/2026 16.00;\"Aula Kantor Wali Kota Tebing Tinggi, Jl. Dr. Sutomo\";;dijadwalkan;\r\n" +
	"SPBE-2026-02;SPBE-DASAR;07-12-2026 08:30:00;8.12.2026 15.00.00;;https://elearning.lan.go.id/kelas/spbe-dasar;dijadwalkan;\r\n" +
	"DIG-2026-03;DIG-ANALITIK;14 Desember 2026 pukul 13.00;14 Des 2026 15.30;Aula Bappeda;;dijadwalkan;Asia/Makassar\r\n" +
	"DIG-2026-04;DIG-ANALITIK;2026-12-15 09:00:00;17/12/2026 12.00;Aula Bappeda;;dijadwalkan;\r\n" +
	";;;;;;;\r\n"

// A session file re-saved by a spreadsheet set to Indonesian imports as
// the template it came from: the sessions already imported are unchanged
// (nothing to announce), the new ones are read day first in their zones.
// A file with an impossible or ambiguous date imports nothing and names
// each.
func TestImportSessionsSavedInIndonesianLocale(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		s := fixture(t, db)
		s.opts.Now = func() time.Time { return wib("2026-11-20 12:00") }
		ctx := context.Background()
		before := map[string]Session{}
		for _, code := range []string{"ANL-2026-01", "SPBE-2026-02"} {
			before[code] = sessionByCode(t, s, code)
		}
		changes, err := s.ImportSessions(ctx, strings.NewReader(sessionsIndonesianExcel), "sesi.csv")
		if err != nil {
			t.Fatal(err)
		}
		if len(changes) != 0 {
			t.Errorf("re-saved file changed sessions: %+v", changes)
		}
		for code, b := range before {
			if a := sessionByCode(t, s, code); !a.Start.Equal(b.Start) || !a.End.Equal(b.End) {
				t.Errorf("%s: %v–%v, was %v–%v", code, a.Start, a.End, b.Start, b.End)
			}
		}
		wita := mustLoad("Asia/Makassar")
		for _, want := range []struct {
			code       string
			start, end time.Time
		}{
			{"DIG-2026-03", time.Date(2026, 12, 14, 13, 0, 0, 0, wita), time.Date(2026, 12, 14, 15, 30, 0, 0, wita)},
			{"DIG-2026-04", wib("2026-12-15 09:00"), wib("2026-12-17 12:00")},
		} {
			got := sessionByCode(t, s, want.code)
			if !got.Start.Equal(want.start) || !got.End.Equal(want.end) {
				t.Errorf("%s: %v–%v, want %v–%v", want.code, got.Start, got.End, want.start, want.end)
			}
		}

		n := count(t, db, "training_sessions")
		bad := strings.NewReplacer("07-12-2026 08:30:00", "31/02/2026 08:30:00", "14 Des 2026 15.30", "14/12/26 15.30",
			"17/12/2026 12.00", "12/17/2026 12.00").Replace(sessionsIndonesianExcel)
		bad = strings.ReplaceAll(bad, "Aula Bappeda", "Aula Dinas Kominfo")
		_, err = s.ImportSessions(ctx, strings.NewReader(bad), "sesi.csv")
		if got, want := problemPlaces(t, err), []string{"3:start", "4:end", "5:end"}; !reflect.DeepEqual(got, want) {
			t.Fatalf("problems %q, want %q:\n%v", got, want, err)
		}
		for _, want := range []string{`sesi.csv:3: kolom "start": waktu "31/02/2026 08:30:00": tanggal 31 Februari 2026 tidak ada; tulis hari/bulan/tahun lalu jam, misalnya "03/12/2026 09.00"`,
			`tahun "26": tulis tahun lengkap dengan 4 angka`, `waktu "12/17/2026 12.00": bulan 17 tidak ada`} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error lacks %q:\n%v", want, err)
			}
		}
		if got := count(t, db, "training_sessions"); got != n {
			t.Errorf("%d sessions after a refused file, want %d", got, n)
		}
		if got := sessionByCode(t, s, "DIG-2026-03"); got.Place != "Aula Bappeda" {
			t.Errorf("refused file moved DIG-2026-03 to %q", got.Place)
		}
	})
}

// A two-day training whose dates came from spreadsheet cells formatted as
// dates ("07/12/2026", "08/12/2026": no time) is refused, naming the file,
// line and column of each, rather than taken as running from midnight to
// midnight WIB: its 2-hour reminder would go out at 22:00 the night before
// and say the training starts "pukul 00.00". Nothing is imported.
func TestImportSessionsRefusesDateWithoutTime(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		s := fixture(t, db)
		s.opts.Now = func() time.Time { return wib("2026-12-01 09:00") }
		ctx := context.Background()
		n := count(t, db, "training_sessions")
		file := "code,training,start,end,place\nS0001,DIG-ANALITIK,07/12/2026,08/12/2026,Aula Kantor Wali Kota\n"
		_, err := s.ImportSessions(ctx, strings.NewReader(file), "sessions.csv")
		if got, want := problemPlaces(t, err), []string{"2:start", "2:end"}; !reflect.DeepEqual(got, want) {
			t.Fatalf("problems %q, want %q:\n%v", got, want, err)
		}
		for _, want := range []string{`sessions.csv:2: kolom "start": waktu "07/12/2026": jamnya tidak ada, hanya tanggal; tulis tanggal dan jam`,
			`sessions.csv:2: kolom "end": waktu "08/12/2026": jamnya tidak ada`} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error lacks %q:\n%v", want, err)
			}
		}
		if got := count(t, db, "training_sessions"); got != n {
			t.Errorf("%d sessions after a refused file, want %d", got, n)
		}
		// A date alone with its zone named is refused as such too; a
		// time written as midnight is a time.
		for cell, want := range map[string]string{
			"07/12/2026 WIB":         "zona waktu ditulis setelah jam",
			"Senin, 7 Desember 2026": "jamnya tidak ada",
		} {
			if _, err := parseClockTime(cell, WIB); err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("parseClockTime(%q) = %v, want %q", cell, err, want)
			}
		}
		for _, cell := range []string{"07/12/2026 00.00", "2026-12-07T00:00:00+07:00"} {
			if got, err := parseClockTime(cell, WIB); err != nil || !got.Equal(wib("2026-12-07 00:00")) {
				t.Errorf("parseClockTime(%q) = %v, %v", cell, got, err)
			}
		}
	})
}

// JP dates saved day first by a spreadsheet are read as such.
func TestImportJPDatesSavedInIndonesianLocale(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		s := jpWorld(t, db)
		ctx := context.Background()
		file := "nip;date;jp;title;provider\r\n" +
			nipBudi + ";2/5/2026;6;Keamanan Informasi;BSSN\r\n" +
			nipSiti + ";03/11/2026;4;Keamanan Informasi;BSSN\r\n" +
			nipAndi + ";14 Maret 2026;2;Keamanan Informasi;BSSN\r\n"
		if n, err := s.ImportJP(ctx, strings.NewReader(file), "jp.csv"); err != nil || n != 3 {
			t.Fatalf("ImportJP = %d, %v", n, err)
		}
		var got []string
		if err := db.SelectContext(ctx, &got, db.Rebind(`SELECT nip || ' ' || held_on FROM jp_records WHERE title = ? ORDER BY nip`), "Keamanan Informasi"); err != nil {
			t.Fatal(err)
		}
		want := []string{nipBudi + " 2026-05-02", nipAndi + " 2026-03-14", nipSiti + " 2026-11-03"}
		slices.Sort(want)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("held on %q, want %q", got, want)
		}
		_, err := s.ImportJP(ctx, strings.NewReader("nip;date;jp;title;provider\r\n"+nipBudi+";11/30/2026;6;Etika;BSSN\r\n"), "jp.csv")
		if err == nil || !strings.Contains(err.Error(), `jp.csv:2: kolom "date": tanggal "11/30/2026": bulan 30 tidak ada; tulis hari/bulan/tahun, misalnya "14/03/2026"`) {
			t.Errorf("month first date: %v", err)
		}
	})
}

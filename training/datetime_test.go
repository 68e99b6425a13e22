package training

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// canonicalLayout is how the round trips below write a time back.
const canonicalLayout = "2006-01-02 15:04:05"

// timesAccepted are what people and spreadsheets set to Indonesian write,
// with the time each means in WIB.
var timesAccepted = []struct{ in, want string }{
	{"2026-12-03 09:00", "2026-12-03 09:00:00"},
	{"2026-12-03 09:00:00", "2026-12-03 09:00:00"},
	{"2026-12-03T09:00", "2026-12-03 09:00:00"},
	{"2026-12-03T09:00:00", "2026-12-03 09:00:00"},
	{"2026-12-03T09:00:00+07:00", "2026-12-03 09:00:00"},
	{"2026-12-03T02:00:00Z", "2026-12-03 09:00:00"},
	{"2026-12-03T09:00:00.000+08:00", "2026-12-03 08:00:00"},
	// Excel and LibreOffice, Indonesian locale.
	{"03/12/2026 9:00", "2026-12-03 09:00:00"},
	{"3/12/2026 09.00", "2026-12-03 09:00:00"},
	{"03-12-2026 09:00:00", "2026-12-03 09:00:00"},
	{"03/12/2026 09:00", "2026-12-03 09:00:00"},
	{"03.12.2026 09.00.00", "2026-12-03 09:00:00"},
	{"03/12/2026", "2026-12-03 00:00:00"},
	{"3-12-2026", "2026-12-03 00:00:00"},
	{"2026-12-03", "2026-12-03 00:00:00"},
	{"2026/12/3 9.05", "2026-12-03 09:05:00"},
	{"  03/12/2026   16:30  ", "2026-12-03 16:30:00"},
	{"03/12/2026\u00a009:00", "2026-12-03 09:00:00"},
	{"1/1/2026 0:00", "2026-01-01 00:00:00"},
	{"29/02/2028 23:59:59", "2028-02-29 23:59:59"},
	{"12/03/2026 09:00", "2026-03-12 09:00:00"}, // day first, never month first
	// Month names.
	{"3 Desember 2026 09.00", "2026-12-03 09:00:00"},
	{"3 desember 2026 pukul 09.00", "2026-12-03 09:00:00"},
	{"03/12/2026 pukul 09.00", "2026-12-03 09:00:00"},
	{"3 Des 2026", "2026-12-03 00:00:00"},
	{"3 DES. 2026 13:15", "2026-12-03 13:15:00"},
	{"03-Des-2026 09:00", "2026-12-03 09:00:00"},
	{"17 Agt 2026", "2026-08-17 00:00:00"},
	{"17 Agustus 2026", "2026-08-17 00:00:00"},
	{"5 Sept 2026", "2026-09-05 00:00:00"},
	{"1 Mei 2026 07.30", "2026-05-01 07:30:00"},
	{"28 Februari 2026", "2026-02-28 00:00:00"},
	// The weekday first, as FormatWIB writes and officers copy back.
	{"Kamis, 3 Desember 2026 09.00", "2026-12-03 09:00:00"},
	{"Kamis, 3 Desember 2026 pukul 09.00", "2026-12-03 09:00:00"},
	{"kamis 3 des 2026 9:00", "2026-12-03 09:00:00"},
	{"KAMIS,3 Desember 2026", "2026-12-03 00:00:00"},
	{"Kamis , 03/12/2026 09.00", "2026-12-03 09:00:00"},
	{"  Senin,\u00a07 Desember 2026 08.30", "2026-12-07 08:30:00"},
	{"Selasa, 8 Desember 2026", "2026-12-08 00:00:00"},
	{"Rabu, 9 Desember 2026", "2026-12-09 00:00:00"},
	// With the zone, as FormatWIB writes it; another zone is honoured.
	{"Kamis, 3 Desember 2026 pukul 09.00 WIB", "2026-12-03 09:00:00"},
	{"03/12/2026 09:00 wib", "2026-12-03 09:00:00"},
	{"03/12/2026 10:00 WITA", "2026-12-03 09:00:00"},
	{"3 Desember 2026 pukul 00.30 WIT ", "2026-12-02 22:30:00"},
	{"Jumat, 4 Desember 2026 13.30", "2026-12-04 13:30:00"},
	{"Jum'at, 4 Desember 2026 13.30", "2026-12-04 13:30:00"},
	{"Jum\u2019at, 4 Desember 2026", "2026-12-04 00:00:00"},
	{"Sabtu, 5 Desember 2026", "2026-12-05 00:00:00"},
	{"Minggu, 6 Desember 2026", "2026-12-06 00:00:00"},
	{"Ahad, 6 Desember 2026", "2026-12-06 00:00:00"},
	{"Selasa, 29/02/2028 23:59", "2028-02-29 23:59:00"},
}

// timesRefused are ambiguous or impossible, each with what the error says.
var timesRefused = []struct{ in, want string }{
	{"", "kosong"},
	{"31/02/2026 09:00", "tanggal 31 Februari 2026 tidak ada"},
	{"29/02/2027", "tanggal 29 Februari 2027 tidak ada"},
	{"31/04/2026", "tanggal 31 April 2026 tidak ada"},
	{"0/12/2026", "tanggal 0 Desember 2026 tidak ada"},
	{"13/13/2026", "bulan 13 tidak ada"},
	{"12/31/2026", "bulan 31 tidak ada"}, // month/day is not read
	{"2026-13-03 09:00", "bulan 13 tidak ada"},
	{"12/03/26", `tahun "26": tulis tahun lengkap dengan 4 angka`},
	{"12/03/26 09:00", `tahun "26": tulis tahun lengkap`},
	{"3 Des 26", `tahun "26"`},
	{"03/12/02026", "bentuk tanggal tidak dikenali"},
	{"0999-12-03 09:00", "tahun 999 tidak mungkin"},
	{"03/12/2026 24:00", "jam 24:00 tidak ada"},
	{"03/12/2026 09:60", "jam 09:60 tidak ada"},
	{"03/12/2026 09.00.61", "jam 09.00.61 tidak ada"},
	{"03/12/2026 9", "bentuk jam tidak dikenali"},
	{"03/12/2026 09:0", "bentuk jam tidak dikenali"},
	{"03/12/2026 009:00", "bentuk jam tidak dikenali"},
	{"03/12/2026 09:00.00", "bentuk jam tidak dikenali"},
	{"03/12/2026 09:00:00:00", "bentuk jam tidak dikenali"},
	{"03/12/2026 9:00 AM", "bentuk tanggal tidak dikenali"},
	{"03/12/2026 09:00 PST", "bentuk tanggal tidak dikenali"},
	{"03/12/2026 WIB", "zona waktu ditulis setelah jam"},
	{"Kamis, 3 Desember 2026 WIB", "zona waktu ditulis setelah jam"},
	{"WIB", "bentuk tanggal tidak dikenali"},
	{"03/12/2026 09:00 WIB WIB", "tidak dikenali"},
	{"03/12-2026", "bentuk tanggal tidak dikenali"},
	{"03//12/2026", "bentuk tanggal tidak dikenali"},
	{"03/12/2026T09:00", "bentuk tanggal tidak dikenali"},
	{"3 12 2026", `bulan "12" tidak dikenali`},
	{"3 Dec 2026", `bulan "Dec" tidak dikenali`},
	{"2026 Des 03", "bentuk tanggal tidak dikenali"},
	{"\u0660\u0663/12/2026", "bentuk tanggal tidak dikenali"},
	{"kemarin", "bentuk tanggal tidak dikenali"},
	{"pukul 09.00", "bentuk tanggal tidak dikenali"},
	{"Senin, 3 Desember 2026 09.00", "3 Desember 2026 jatuh pada hari Kamis, bukan Senin"},
	{"jumat, 03/12/2026", "3 Desember 2026 jatuh pada hari Kamis, bukan Jumat"},
	{"Jum'at 6 Desember 2026", "6 Desember 2026 jatuh pada hari Minggu, bukan Jum'at"},
	{"Ahad, 7 Desember 2026", "7 Desember 2026 jatuh pada hari Senin, bukan Ahad"},
	{"Kamis, 31 Februari 2026", "tanggal 31 Februari 2026 tidak ada"},
	{"Kamis,", "bentuk tanggal tidak dikenali"},
	{"Kamis", "bentuk tanggal tidak dikenali"},
	{"Kamis3 Desember 2026", "tidak dikenali"},
	{"Kemis, 3 Desember 2026", "tidak dikenali"},
	{"Kamis, Kamis, 3 Desember 2026", "tidak dikenali"},
	{"3 Desember 2026 Kamis", "tidak dikenali"},
	{"2026-12-03T09:00:00.5+07:00", "tulis detik tanpa pecahan"},
	{"9999-12-31T23:00:00-05:00", "tahun 10000 tidak mungkin"},
}

func TestParseTimeAccepts(t *testing.T) {
	for _, tc := range timesAccepted {
		got, err := ParseTime(tc.in, WIB)
		if err != nil {
			t.Errorf("ParseTime(%q): %v", tc.in, err)
			continue
		}
		if got.Location() != time.UTC {
			t.Errorf("ParseTime(%q) in %v, want UTC", tc.in, got.Location())
		}
		if s := got.In(WIB).Format(canonicalLayout); s != tc.want {
			t.Errorf("ParseTime(%q) = %s WIB, want %s", tc.in, s, tc.want)
		}
	}
}

func TestParseTimeRefuses(t *testing.T) {
	for _, tc := range timesRefused {
		got, err := ParseTime(tc.in, WIB)
		if err == nil {
			t.Errorf("ParseTime(%q) = %v, want an error", tc.in, got)
			continue
		}
		msg := err.Error()
		for _, want := range []string{strconv.Quote(strings.TrimSpace(tc.in)), tc.want, `misalnya "03/12/2026 09.00"`} {
			if !strings.Contains(msg, want) {
				t.Errorf("ParseTime(%q): %q lacks %q", tc.in, msg, want)
			}
		}
	}
}

// What FormatWIB writes reads back as the same minute, with the zone it
// names or without, and with the weekday changed it is refused.
func TestParseTimeReadsFormatWIB(t *testing.T) {
	makassar := mustLoad("Asia/Makassar")
	for day := 0; day < 7; day++ {
		at := time.Date(2026, 12, 3+day, 9+day, 5*day, 0, 0, WIB)
		// Named WIB, it is WIB wherever the session is.
		if got, err := ParseTime(FormatWIB(at), makassar); err != nil || !got.Equal(at) {
			t.Errorf("ParseTime(%q, Makassar) = %v, %v; want %v", FormatWIB(at), got, err, at)
		}
		written := strings.TrimSuffix(FormatWIB(at), " WIB")
		if got, err := ParseTime(written, WIB); err != nil || !got.Equal(at) {
			t.Errorf("ParseTime(%q) = %v, %v; want %v", written, got, err, at)
		}
		next := dayNames[(at.Weekday()+1)%7]
		wrong := next + written[strings.IndexByte(written, ','):]
		want := fmt.Sprintf("%s jatuh pada hari %s, bukan %s", FormatDateWIB(at), dayNames[at.Weekday()], next)
		if _, err := ParseTime(wrong, WIB); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseTime(%q) = %v, want an error saying %q", wrong, err, want)
		}
	}
}

// A time without an offset is read in the zone given.
func TestParseTimeZone(t *testing.T) {
	for _, tc := range []struct{ zone, in, wantUTC string }{
		{"Asia/Jakarta", "03/12/2026 09.00", "2026-12-03 02:00:00"},
		{"Asia/Makassar", "03/12/2026 09.00", "2026-12-03 01:00:00"},
		{"Asia/Jayapura", "3 Desember 2026 09:00", "2026-12-03 00:00:00"},
		{"Asia/Jayapura", "2026-12-03T09:00:00+07:00", "2026-12-03 02:00:00"},
	} {
		got, err := ParseTime(tc.in, mustLoad(tc.zone))
		if err != nil || got.Format(canonicalLayout) != tc.wantUTC {
			t.Errorf("ParseTime(%q, %s) = %v, %v; want %s UTC", tc.in, tc.zone, got, err, tc.wantUTC)
		}
	}
}

func TestParseDate(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"14/03/2026", "2026-03-14"},
		{"14-3-2026", "2026-03-14"},
		{"14.03.2026", "2026-03-14"},
		{"2026-03-14", "2026-03-14"},
		{"14 Maret 2026", "2026-03-14"},
		{"14 Mar 2026", "2026-03-14"},
		{"01/12/2025", "2025-12-01"},
	} {
		got, err := ParseDate(tc.in, WIB)
		if err != nil {
			t.Errorf("ParseDate(%q): %v", tc.in, err)
			continue
		}
		if got.Location() != WIB || got.Format(canonicalLayout) != tc.want+" 00:00:00" {
			t.Errorf("ParseDate(%q) = %v, want midnight WIB of %s", tc.in, got, tc.want)
		}
	}
	for _, tc := range []struct{ in, want string }{
		{"14/03/2026 09:00", "isi tanggal saja, tanpa jam"},
		{"2026-03-14T00:00:00+07:00", "bentuk jam tidak dikenali"},
		{"31/04/2026", "tanggal 31 April 2026 tidak ada"},
		{"14/03/26", `tahun "26"`},
		{"03/14/2026", "bulan 14 tidak ada"},
		{"", "kosong"},
	} {
		_, err := ParseDate(tc.in, WIB)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), `misalnya "14/03/2026"`) {
			t.Errorf("ParseDate(%q) = %v, want an error saying %q", tc.in, err, tc.want)
		}
	}
}

// numericDayFirst matches the dates whose first number must be read as
// the day.
var numericDayFirst = regexp.MustCompile(`^\s*(\d{1,2})[/.-]\d{1,2}[/.-]\d{4}(\s|$)`)

// ParseTime and ParseDate never panic; whatever they accept is read day
// first, and written in the canonical layout in the same zone reads back
// as the same instant.
func FuzzParseTime(f *testing.F) {
	for _, tc := range timesAccepted {
		f.Add(tc.in)
	}
	for _, tc := range timesRefused {
		f.Add(tc.in)
	}
	for _, seed := range []string{"Kamis, 3 Desember 2026 pukul 09.00 WIB", "Rabu, 3 Desember 2026 09.00", "Jum'at, 4 Des 2026",
		"Jum\u2019at,4/12/2026", "\u212aamis, 3 Desember 2026", "Minggu", "Ahad ,", "Senin 2026-12-07T09:00"} {
		f.Add(seed)
	}
	zones := []*time.Location{WIB, mustLoad("Asia/Makassar"), mustLoad("Asia/Jayapura")}
	f.Fuzz(func(t *testing.T, in string) {
		for _, loc := range zones {
			got, err := ParseTime(in, loc)
			if err != nil {
				if !strings.Contains(err.Error(), "misalnya") {
					t.Fatalf("ParseTime(%q): error without examples: %v", in, err)
				}
			} else {
				if got.Location() != time.UTC {
					t.Fatalf("ParseTime(%q) in %v", in, got.Location())
				}
				canonical := got.In(loc).Format(canonicalLayout)
				again, err := ParseTime(canonical, loc)
				if err != nil || !again.Equal(got) {
					t.Fatalf("ParseTime(%q, %v) = %v; its canonical %q reads %v, %v", in, loc, got, canonical, again, err)
				}
				read := loc // the zone the wall time was read in
				if _, zone := cutZone(in); zone != nil {
					read = zone
				}
				if m := numericDayFirst.FindStringSubmatch(in); m != nil {
					if day, _ := strconv.Atoi(m[1]); got.In(read).Day() != day {
						t.Fatalf("ParseTime(%q, %v) = %s: not read day first", in, loc, canonical)
					}
				}
			}
			d, err := ParseDate(in, loc)
			if err != nil {
				continue
			}
			if d.Location() != loc || d.Hour() != 0 || d.Minute() != 0 || d.Second() != 0 || d.Nanosecond() != 0 {
				t.Fatalf("ParseDate(%q, %v) = %v, not midnight there", in, loc, d)
			}
			if again, err := ParseDate(d.Format(time.DateOnly), loc); err != nil || !again.Equal(d) {
				t.Fatalf("ParseDate(%q, %v) = %v; written back it reads %v, %v", in, loc, d, again, err)
			}
			if asTime, err := ParseTime(in, loc); err != nil || !asTime.Equal(d) {
				t.Fatalf("ParseDate(%q, %v) = %v but ParseTime reads %v, %v", in, loc, d, asTime, err)
			}
		}
	})
}

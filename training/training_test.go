package training

import (
	"github.com/jmoiron/sqlx"

	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

func TestMain(m *testing.M) { os.Exit(storagetest.Main(m)) }

// The NIPs of testdata/asn.csv.
const (
	nipBudi = "198001012005011001"
	nipSiti = "199203152019032002"
	nipAndi = "198507202010011003"
	nipRina = "199011112015032004" // inactive
)

// wib builds a time in WIB.
func wib(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, WIB)
	if err != nil {
		panic(err)
	}
	return t
}

func importFile(t *testing.T, name string, fn func(ctx context.Context, f *os.File) error) {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := fn(context.Background(), f); err != nil {
		t.Fatalf("import %s: %v", name, err)
	}
}

// fixture returns a store with the testdata files imported.
func fixture(t *testing.T, db *storage.DB) *Store {
	t.Helper()
	s := New(db, Options{})
	importFile(t, "units.csv", func(ctx context.Context, f *os.File) error { _, err := s.ImportUnits(ctx, f, "units.csv"); return err })
	importFile(t, "asn.csv", func(ctx context.Context, f *os.File) error { _, err := s.ImportASN(ctx, f, "asn.csv"); return err })
	importFile(t, "trainings.csv", func(ctx context.Context, f *os.File) error {
		_, err := s.ImportTrainings(ctx, f, "trainings.csv")
		return err
	})
	importFile(t, "sessions.csv", func(ctx context.Context, f *os.File) error {
		_, err := s.ImportSessions(ctx, f, "sessions.csv")
		return err
	})
	importFile(t, "enrolments.csv", func(ctx context.Context, f *os.File) error {
		_, err := s.ImportEnrolments(ctx, f, "enrolments.csv")
		return err
	})
	if err := s.EnsureTemplates(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

// link links nip on Telegram with chat and user id "tg-<nip>".
func link(t *testing.T, s *Store, nip string, now time.Time) {
	t.Helper()
	ctx := context.Background()
	code, err := s.IssueLinkCode(ctx, nip, now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := storagetest.InTx(s.db, func(tx *sqlx.Tx) (ASN, error) {
		return s.Redeem(ctx, tx, code, bots.Telegram, "tg-"+nip, "tg-"+nip, now)
	}); err != nil {
		t.Fatal(err)
	}
}

// linkSlack links nip's Slack account, DM channel chat and user id user,
// as /daftar with a fresh code does.
func linkSlack(t *testing.T, s *Store, nip, chat, user string, now time.Time) {
	t.Helper()
	ctx := context.Background()
	code, err := s.IssueLinkCode(ctx, nip, now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := storagetest.InTx(s.db, func(tx *sqlx.Tx) (ASN, error) {
		return s.Redeem(ctx, tx, code, bots.Slack, chat, user, now)
	}); err != nil {
		t.Fatal(err)
	}
}

func sessionByCode(t *testing.T, s *Store, code string) Session {
	t.Helper()
	all, err := s.Sessions(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range all {
		if x.Code == code {
			return x
		}
	}
	t.Fatalf("no session %s", code)
	return Session{}
}

func enrolmentOf(t *testing.T, s *Store, sessionCode, nip string) Enrolment {
	t.Helper()
	es, err := s.Enrolments(context.Background(), sessionByCode(t, s, sessionCode).ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		if e.NIP == nip {
			return e
		}
	}
	t.Fatalf("no enrolment of %s in %s", nip, sessionCode)
	return Enrolment{}
}

func count(t *testing.T, db *storage.DB, table string) int {
	t.Helper()
	var n int
	if err := db.GetContext(context.Background(), &n, `SELECT COUNT(*) FROM `+table); err != nil {
		t.Fatal(err)
	}
	return n
}

var nipTable = []struct {
	in      string
	wantErr string
}{
	{"198001012005011001", ""},
	{"199203152019032002", ""},
	{"19800101200501100", "18 digit"},
	{"1980010120050110011", "18 digit"},
	{"19800101200501100A", "hanya boleh berisi angka"},
	{"198013012005011001", "tanggal lahir"}, // month 13
	{"198002302005011001", "tanggal lahir"}, // 30 February
	{"193001012005011001", "tanggal lahir"}, // born 1930
	{"198001012005131001", "bulan pengangkatan"},
	{"198001012005001001", "bulan pengangkatan"},
	{"198001011979011001", "sebelum tanggal lahir"},
	{"198001012005013001", "jenis kelamin"},
	{"198001012005010001", "jenis kelamin"},
	{"２０００", "18 digit"},
	// A spreadsheet keeps 15 significant digits: the sequence number
	// becomes 000, or the whole NIP is written in scientific notation.
	{"198001012005011000", "format kolom NIP sebagai Teks"},
	{"1,98001E+17", "format kolom NIP sebagai Teks"},
	{"1.98001012005011E+17", "format kolom NIP sebagai Teks"},
}

func TestValidateNIP(t *testing.T) {
	for _, tc := range nipTable {
		err := ValidateNIP(tc.in)
		switch {
		case tc.wantErr == "" && err != nil:
			t.Errorf("ValidateNIP(%q) = %v, want nil", tc.in, err)
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("ValidateNIP(%q) = %v, want error containing %q", tc.in, err, tc.wantErr)
		}
	}
	if _, err := NormalizeNIP("1.98001012005011E+17"); err == nil || !strings.Contains(err.Error(), "Excel") {
		t.Errorf("NormalizeNIP of a NIP in scientific notation: %v", err)
	}
	if n, err := NormalizeNIP("19800101 200501 1 001"); err != nil || n != nipBudi {
		t.Errorf("NormalizeNIP with spaces = %q, %v", n, err)
	}
}

func TestFormatWIB(t *testing.T) {
	got := FormatWIB(time.Date(2026, 12, 3, 2, 0, 0, 0, time.UTC))
	if want := "Kamis, 3 Desember 2026 pukul 09.00 WIB"; got != want {
		t.Errorf("FormatWIB = %q, want %q", got, want)
	}
	if got := formatSpan(wib("2026-12-03 09:00"), wib("2026-12-03 16:00")); got != "Kamis, 3 Desember 2026 pukul 09.00–16.00 WIB" {
		t.Errorf("formatSpan = %q", got)
	}
}

func TestImportFixture(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		s := fixture(t, db)
		ctx := context.Background()
		a, err := s.GetASN(ctx, nipSiti)
		if err != nil {
			t.Fatal(err)
		}
		if a.UnitCode != "DISKOMINFO" || a.SupervisorNIP != nipBudi || !a.Active {
			t.Errorf("ASN = %+v", a)
		}
		if r, _ := s.GetASN(ctx, nipRina); r.Active {
			t.Error("Rina should be inactive")
		}
		spbe := sessionByCode(t, s, "SPBE-2026-02")
		if !spbe.Start.Equal(wib("2026-12-07 08:30")) || spbe.OnlineURL == "" || spbe.Title != "Dasar-Dasar SPBE" {
			t.Errorf("session = %+v", spbe)
		}
		anl := sessionByCode(t, s, "ANL-2026-01")
		if !anl.Start.Equal(wib("2026-12-03 09:00")) || !anl.End.Equal(wib("2026-12-03 16:00")) {
			t.Errorf("ANL times = %v – %v", anl.Start, anl.End)
		}
		// Re-importing the same files changes nothing.
		f, _ := os.Open("testdata/sessions.csv")
		defer f.Close()
		changes, err := s.ImportSessions(ctx, f, "sessions.csv")
		if err != nil || len(changes) != 0 {
			t.Errorf("re-import: %v, %v", changes, err)
		}
		if n := count(t, db, "enrolments"); n != 3 {
			t.Errorf("%d enrolments", n)
		}
	})
}

// Excel saves "CSV" with the list separator of the computer's regional
// settings, a semicolon with Indonesian ones, and with a separator at the
// end of each row when a cell right of the data was ever touched; old Mac
// exports end lines with a lone CR: all import as the comma-separated file
// would.
func TestImportExcelCSV(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		s := fixture(t, db)
		ctx := context.Background()
		for _, file := range []string{
			"\ufeffnip;name;unit;position\r\n199505052020122009;Hana Lubis;DISKOMINFO;Analis Data, Ahli Pertama\r\n",
			"nip,name,unit,position,,\r\n199505052020122009,Hana Lubis,DISKOMINFO,\"Analis Data, Ahli Pertama\",,\r\n",
			"nip;name;unit;position;\r199505052020122009;Hana Lubis;DISKOMINFO;Analis Data, Ahli Pertama;\r",
		} {
			if _, err := s.ImportASN(ctx, strings.NewReader(file), "excel.csv"); err != nil {
				t.Fatalf("%q: %v", file, err)
			}
			a, err := s.GetASN(ctx, "199505052020122009")
			if err != nil || a.Name != "Hana Lubis" || a.UnitCode != "DISKOMINFO" || a.Position != "Analis Data, Ahli Pertama" {
				t.Errorf("%q: %+v, %v", file, a, err)
			}
		}
	})
}

// badImports are files with one problem each: the error must name the line
// and the field, and nothing may be imported.
var badImports = []struct {
	name      string
	kind      string // asn, sessions, enrolments, trainings, units
	content   string
	wantLine  int
	wantField string
	wantMsg   string
}{
	{"invalid NIP", "asn", "nip,name,unit\n198001012005011001,A,BKPSDM\n19800101200501100,B,BKPSDM\n", 3, "nip", "18 digit"},
	{"unknown unit", "asn", "nip,name,unit\n198001012005011001,A,BKPSDM\n199203152019032002,B,DINASX\n", 3, "unit", "OPD \"DINASX\" tidak dikenal"},
	{"duplicate NIP", "asn", "nip,name,unit\n198001012005011001,A,BKPSDM\n19800101 200501 1 001,B,BKPSDM\n", 3, "nip", "ganda"},
	{"bad active flag", "asn", "nip,name,unit,active\n198001012005011001,A,BKPSDM,mungkin\n", 2, "active", "status aktif"},
	{"bad supervisor", "asn", "nip,name,unit,supervisor_nip\n198001012005011001,A,BKPSDM,123\n", 2, "supervisor_nip", "18 digit"},
	{"missing column", "asn", "nip,name\n198001012005011001,A\n", 1, "unit", "kolom tidak ada"},
	{"ends before start", "sessions", "code,training,start,end,place\nS1,SPBE-DASAR,2026-12-03 09:00,2026-12-03 08:00,Aula\n", 2, "end", "sebelum dimulai"},
	{"unparseable start", "sessions", "code,training,start,end,place\nS1,SPBE-DASAR,3 Dec 2026,2026-12-03 08:00,Aula\n", 2, "start", "misalnya \"03/12/2026 09.00\""},
	{"impossible date", "sessions", "code,training,start,end,place\nS1,SPBE-DASAR,31/02/2026 09:00,2026-12-03 08:00,Aula\n", 2, "start", "tanggal 31 Februari 2026 tidak ada"},
	{"two-digit year", "sessions", "code,training,start,end,place\nS1,SPBE-DASAR,2026-12-03 09:00,03/12/26 12:00,Aula\n", 2, "end", "tulis tahun lengkap dengan 4 angka"},
	{"unknown training", "sessions", "code,training,start,end,place\nS1,SPBE-DASAR,2026-12-03 09:00,2026-12-03 12:00,Aula\nS2,NOPE,2026-12-03 09:00,2026-12-03 12:00,Aula\n", 3, "training", "pelatihan \"NOPE\" tidak dikenal"},
	{"duplicate session", "sessions", "code,training,start,end,place\nS1,SPBE-DASAR,2026-12-03 09:00,2026-12-03 12:00,Aula\nS1,SPBE-DASAR,2026-12-04 09:00,2026-12-04 12:00,Aula\n", 3, "code", "ganda"},
	{"no place", "sessions", "code,training,start,end,place,online_url\nS1,SPBE-DASAR,2026-12-03 09:00,2026-12-03 12:00,,\n", 2, "place", "atau tautan daring (online_url)"},
	{"bad status", "sessions", "code,training,start,end,place,status\nS1,SPBE-DASAR,2026-12-03 09:00,2026-12-03 12:00,Aula,mungkin\n", 2, "status", "status"},
	{"multi-line cell", "sessions", "code,training,start,end,place\nS1,SPBE-DASAR,2026-12-03 09:00,2026-12-03 12:00,\"Aula\nLantai 2\"\nS2,SPBE-DASAR,2026-12-03 09:00,xx,Aula\n", 2, "place", "pemisah baris"},
	{"line after a multi-line cell", "sessions", "code,training,start,end,place\nS1,SPBE-DASAR,\"2026-12-03\n09:00\",2026-12-03 12:00,Aula\nS2,SPBE-DASAR,2026-12-03 09:00,xx,Aula\n", 2, "start", "pemisah baris"},
	{"unknown supervisor", "asn", "nip,name,unit,supervisor_nip\n198001012005011001,A,BKPSDM,197001012000011001\n", 2, "supervisor_nip", "atasan tidak dikenal"},
	{"newline in a name", "asn", "nip,name,unit\n198001012005011001,\"Siti\nAisyah\",BKPSDM\n", 2, "name", "pemisah baris"},
	{"escape in a name", "asn", "nip,name,unit\n198001012005011001,Siti \x1b]0;PWNED\x07,BKPSDM\n", 2, "name", "karakter kendali U+001B"},
	{"RTL override in a position", "asn", "nip,name,unit,position\n198001012005011001,Siti,BKPSDM,Kabid \u202eatad\n", 2, "position", "U+202E"},
	{"absurd name", "asn", "nip,name,unit\n198001012005011001," + strings.Repeat("Siti ", 100) + ",BKPSDM\n", 2, "name", "paling banyak 200"},
	{"tab in a title", "trainings", "code,title\nX1,Judul\tpanjang\n", 2, "title", "U+0009"},
	{"absurd title", "trainings", "code,title\nX1," + strings.Repeat("Pelatihan ", 30) + "\n", 2, "title", "paling banyak 200"},
	{"NUL in a provider", "trainings", "code,title,provider\nX1,Judul,LAN\x00RI\n", 2, "", "byte NUL"},
	{"UTF-16 without BOM", "asn", "n\x00i\x00p\x00,\x00n\x00a\x00m\x00e\x00,\x00u\x00n\x00i\x00t\x00\n\x00", 0, "", "UTF-16 (little-endian) tanpa penanda urutan byte"},
	{"UTF-16 with BOM", "units", "\xff\xfec\x00o\x00d\x00e\x00,\x00n\x00a\x00m\x00e\x00\n\x00", 0, "", "UTF-16 (little-endian), bukan UTF-8"},
	{"unknown session", "enrolments", "session,nip\nANL-2026-01,198507202010011003\nNOPE,198001012005011001\n", 3, "session", "sesi \"NOPE\" tidak dikenal"},
	{"unknown NIP", "enrolments", "session,nip\nANL-2026-01,198507202010011003\nANL-2026-01,197001012000011001\n", 3, "nip", "NIP tidak dikenal"},
	{"duplicate enrolment", "enrolments", "session,nip\nANL-2026-01,198507202010011003\nANL-2026-01,198507202010011003\n", 3, "nip", "ganda"},
	{"bad attended", "enrolments", "session,nip,attended\nANL-2026-01,198507202010011003,kadang\n", 2, "attended", "attended"},
	{"year 9999", "sessions", "code,training,start,end,place\nS1,SPBE-DASAR,9999-12-03 09:00,9999-12-03 12:00,Aula\n", 2, "start", "tahun 9999"},
	{"a year long", "sessions", "code,training,start,end,place\nS1,SPBE-DASAR,2026-12-03 09:00,2027-12-03 12:00,Aula\n", 2, "end", "berlangsung 365 hari"},
	{"attended before the session", "enrolments", "session,nip,attended\nANL-2026-01,198507202010011003,ya\nSPBE-2026-02,198507202010011003,ya\n", 3, "attended", "SPBE-2026-02 belum berlangsung"},
	// An inactive ASN would get no reminder and no survey, unseen; the
	// good row before it is not imported either.
	{"inactive ASN in a session ahead", "enrolments", "session,nip\nSPBE-2026-02,198001012005011001\nSPBE-2026-02,199011112015032004\n", 3, "nip",
		"Rina Siregar (NIP 199011112015032004) tidak aktif, sehingga tidak akan menerima pengingat maupun survei sesi SPBE-2026-02"},
	{"unknown competency", "trainings", "code,title,competency\nX1,Judul,Kompetensi Digital\n", 2, "competency", "gunakan id dari penilaian mandiri"},
	{"bad hours", "trainings", "code,title,hours\nX1,Judul,banyak\n", 2, "hours", "bilangan bulat"},
	{"bad unit code", "units", "code,name\nDINAS X,Nama\n", 2, "code", "kode OPD"},
	{"a value in a column without a name", "asn", "nip,name,unit,\n198001012005011001,A,BKPSDM,\n199203152019032002,B,BKPSDM,Kabid\n", 3, "", "kolom ke-4 tanpa nama di baris judul"},
	{"lines ended by a lone CR are counted", "asn", "nip;name;unit;\r198001012005011001;A;BKPSDM;\r\r199203152019032002;B;BKPSDM;Kabid\r", 4, "", "kolom ke-4 tanpa nama di baris judul"},
	{"malformed CSV", "units", "code,name\nA,\"unterminated\n", 2, "name", "tanda kutip (\") pembuka tidak ditutup"},
	// A quote left open swallows the rows after it: the error names the
	// row and column where it opened, not where reading stopped.
	{"unclosed quote far away", "asn", "nip,name,unit\n199505052020122005,Dewi,DISKOMINFO\n199505052020122006,\"Eka,DISKOMINFO\n199505052020122007,Fajar,DISKOMINFO\n199505052020122008,Gita,DISKOMINFO\n",
		3, "name", "tanda kutip (\") pembuka tidak ditutup"},
	{"bare quote", "asn", "nip,name,unit,position\n199505052020122005,\"Dewi, S.Kom\",DISKOMINFO,Analis \"Data\"\n", 2, "position", "apit seluruh nilai dengan tanda kutip"},
	{"invalid UTF-8", "units", "code,name\nA,\xff\n", 2, "", "UTF-8"},
	// Excel's ways of saving: the line named is still the file's own.
	{"invalid UTF-8 in an old Mac file", "units", "code;name\rA;Satu\rB;D\xe9a\r", 3, "", "bukan UTF-8 yang sah (byte 0xe9)"},
	{"a row after cleared rows", "asn", "nip;name;unit;\r\n;;;\r\n;;;\r\n123;A;BKPSDM;\r\n;;;\r\n", 4, "nip", "18 digit"},
	{"a row partly filled is checked", "asn", "nip;name;unit\r\n198001012005011001;A;BKPSDM\r\n;;BKPSDM\r\n", 3, "nip", "NIP harus 18 digit, bukan 0 karakter"},
	{"a header after a sep line", "asn", "sep=;\r\nnip;nama;unit\r\n", 2, "nama", "kolom tidak dikenal"},
	{"a header after cleared rows", "units", ";;\r\n;;\r\ncode;name;name\r\n", 3, "name", "kolom muncul dua kali"},
	{"a row short of the named columns", "units", "code;name;;;\r\nA\r\n", 2, "", "1 kolom; seharusnya 2"},
	{"a row longer than the header with its unnamed columns", "units", "code;name;\r\nA;Satu;;\r\n", 2, "", "4 kolom; seharusnya 3"},
}

func TestImportErrors(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		s := fixture(t, db)
		s.opts.Now = func() time.Time { return wib("2026-12-05 12:00") } // ANL-2026-01 held, SPBE-2026-02 ahead
		ctx := context.Background()
		tables := []string{"opd_units", "asn", "trainings", "training_sessions", "enrolments"}
		before := map[string]int{}
		for _, tb := range tables {
			before[tb] = count(t, db, tb)
		}
		for _, tc := range badImports {
			t.Run(tc.name, func(t *testing.T) {
				r := strings.NewReader(tc.content)
				var err error
				switch tc.kind {
				case "asn":
					_, err = s.ImportASN(ctx, r, "f.csv")
				case "sessions":
					_, err = s.ImportSessions(ctx, r, "f.csv")
				case "enrolments":
					_, err = s.ImportEnrolments(ctx, r, "f.csv")
				case "trainings":
					_, err = s.ImportTrainings(ctx, r, "f.csv")
				case "units":
					_, err = s.ImportUnits(ctx, r, "f.csv")
				}
				var ie ImportErrors
				if !errors.As(err, &ie) || len(ie) == 0 {
					t.Fatalf("err = %v, want ImportErrors", err)
				}
				e := ie[0]
				if e.File != "f.csv" || e.Line != tc.wantLine || e.Field != tc.wantField || !strings.Contains(e.Msg, tc.wantMsg) {
					t.Errorf("error = %q (line %d field %q), want line %d field %q containing %q", e, e.Line, e.Field, tc.wantLine, tc.wantField, tc.wantMsg)
				}
				for _, tb := range tables {
					if n := count(t, db, tb); n != before[tb] {
						t.Errorf("%s: %d rows, want %d: a bad file imported something", tb, n, before[tb])
					}
				}
			})
		}
	})
}

// An inactive ASN is refused only for a session not begun yet, as Enrol
// refuses them: a session held takes them, to record what happened (their
// JP count and the attendance list).
func TestImportEnrolsInactiveInASessionHeld(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		s := fixture(t, db)
		s.opts.Now = func() time.Time { return wib("2026-12-05 12:00") } // ANL-2026-01 held, SPBE-2026-02 ahead
		ctx := context.Background()
		if _, err := s.ImportEnrolments(ctx, strings.NewReader("session,nip,attended\nANL-2026-01,"+nipRina+",ya\n"), "hadir.csv"); err != nil {
			t.Fatalf("an inactive ASN's attendance at a session held: %v", err)
		}
		if e := enrolmentOf(t, s, "ANL-2026-01", nipRina); e.Attended == nil || !*e.Attended {
			t.Errorf("Rina's attendance = %v, want ya", e.Attended)
		}
		_, err := s.ImportEnrolments(ctx, strings.NewReader("session,nip\nSPBE-2026-02,"+nipRina+"\n"), "spbe.csv")
		if got := problemPlaces(t, err); !slices.Equal(got, []string{"2:nip"}) {
			t.Errorf("an inactive ASN in a session ahead: problems at %v, want [2:nip]", got)
		}
	})
}

// problemPlaces lists where an import's problems are, as "line:field",
// in the order err names them; err must be ImportErrors.
func problemPlaces(t *testing.T, err error) []string {
	t.Helper()
	var ie ImportErrors
	if !errors.As(err, &ie) {
		t.Fatalf("err = %v", err)
	}
	var got []string
	for _, e := range ie {
		got = append(got, fmt.Sprintf("%d:%s", e.Line, e.Field))
	}
	return got
}

// A bad row's every problem is named, the file's and the database's, in
// file order.
func TestImportNamesEveryProblem(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		s := fixture(t, db)
		_, err := s.ImportSessions(context.Background(), strings.NewReader("code,training,start,end,place\n"+
			"S1,SPBE-DASAR,2026-12-03 09:00,2026-12-03 12:00,Aula\n"+
			"S2,NOPE,2026-12-03 09:00,2026-12-03 08:00,\n"), "f.csv")
		got := problemPlaces(t, err)
		if want := []string{"3:end", "3:place", "3:training"}; !slices.Equal(got, want) {
			t.Errorf("problems %q, want %q:\n%v", got, want, err)
		}
	})
}

// A row with a cell too many (a comma typed in an unquoted name) does not
// hide the problems of the rows around it.
func TestImportNamesProblemsAroundAMisshapenRow(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		s := fixture(t, db)
		before := count(t, db, "asn")
		_, err := s.ImportASN(context.Background(), strings.NewReader("nip,name,unit\n"+
			"199505052020122005,,DISKOMINFO\n"+
			"199505052020122006,Nasution, Eka,DISKOMINFO\n"+
			"123,Fajar,DISKOMINFO\n"+
			"199505052020122008,Gita,DISKOMINFO\n"), "f.csv")
		got := problemPlaces(t, err)
		if want := []string{"2:name", "3:", "4:nip"}; !slices.Equal(got, want) {
			t.Errorf("problems %q, want %q:\n%v", got, want, err)
		}
		if n := count(t, db, "asn"); n != before {
			t.Errorf("%d ASN after a refused file, want %d", n, before)
		}
	})
}

// A training's competencies are the self-assessment's ids, stored as a
// list whatever the separators and case of the file.
func TestTrainingCompetencies(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		s := fixture(t, db)
		ctx := context.Background()
		if _, err := s.ImportTrainings(ctx, strings.NewReader("code,title,competency\nX1,Judul,\"SPBE; data,spbe\"\n"), "t.csv"); err != nil {
			t.Fatal(err)
		}
		for code, want := range map[string][]string{"X1": {"spbe", "data"}, "DIG-ANALITIK": {"data", "perkantoran"}} {
			tr, err := s.TrainingByCode(ctx, code)
			if err != nil || !slices.Equal(tr.Competencies(), want) {
				t.Errorf("%s competencies %q (%q), %v; want %q", code, tr.Competencies(), tr.Competency, err, want)
			}
		}
		if ids := CompetencyIDs(); !slices.Equal(ids, []string{"perkantoran", "spbe", "data", "keamanan", "kolaborasi", "komunikasi"}) {
			t.Errorf("CompetencyIDs = %q", ids)
		}
	})
}

// A session imported in the past is accepted, with a warning naming it.
func TestPastSessions(t *testing.T) {
	ws, err := PastSessions(strings.NewReader("code,training,start,end,place\n"+
		"OLD,SPBE-DASAR,2026-11-03 09:00,2026-11-03 12:00,Aula\n"+
		"NEW,SPBE-DASAR,2026-12-13 09:00,2026-12-13 12:00,Aula\n"), "f.csv", wib("2026-12-05 12:00"))
	if err != nil || len(ws) != 1 || ws[0].Line != 2 || ws[0].Session != "OLD" || !ws[0].End.Equal(wib("2026-11-03 12:00")) {
		t.Errorf("warnings %v, %v", ws, err)
	}
}

// Sessions may start at most five years ahead, counted from the year in
// WIB: at 03:00 WIB on New Year's Day the UTC year is still the old one.
func TestSessionYearsAheadInWIB(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		s := fixture(t, db)
		ctx := context.Background()
		for _, c := range []struct {
			now, start, wantErr string
		}{
			{now: "2026-12-31 23:00", start: "2031-12-01 09:00"},
			{now: "2026-12-31 23:00", start: "2032-01-05 09:00", wantErr: "sessions.csv:2: kolom \"start\": tahun 2032: isi tanggal dari tahun 2000 sampai 2031"},
			{now: "2027-01-01 03:00", start: "2032-01-05 09:00"},
			{now: "2027-01-01 03:00", start: "2033-01-05 09:00", wantErr: "tahun 2033: isi tanggal dari tahun 2000 sampai 2032"},
		} {
			s.opts.Now = func() time.Time { return wib(c.now) }
			_, err := s.ImportSessions(ctx, strings.NewReader("code,training,start,end,place\n"+
				"JAUH,DIG-ANALITIK,"+c.start+","+strings.Replace(c.start, "09:00", "12:00", 1)+",Aula\n"), "sessions.csv")
			if c.wantErr == "" && err != nil {
				t.Errorf("at %s WIB, a session starting %s: %v", c.now, c.start, err)
			}
			if c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)) {
				t.Errorf("at %s WIB, a session starting %s: %v; want %q", c.now, c.start, err, c.wantErr)
			}
		}
	})
}

func TestLinkCodes(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		s := fixture(t, db)
		ctx := context.Background()
		now := wib("2026-11-01 10:00")
		code, err := s.IssueLinkCode(ctx, nipSiti, now)
		if err != nil {
			t.Fatal(err)
		}
		if len(code) != LinkCodeLength || strings.ContainsAny(code, "0O1I") {
			t.Errorf("code %q: want %d characters without 0, O, 1, I", code, LinkCodeLength)
		}
		if _, err := storagetest.InTx(db, func(tx *sqlx.Tx) (ASN, error) { return s.Redeem(ctx, tx, "ZZZZZZZZ", bots.Telegram, "c1", "u1", now) }); !errors.Is(err, ErrCodeUnknown) {
			t.Errorf("unknown code: %v", err)
		}
		a, err := storagetest.InTx(db, func(tx *sqlx.Tx) (ASN, error) {
			return s.Redeem(ctx, tx, strings.ToLower(code[:4])+"-"+code[4:], bots.Telegram, "c1", "u1", now.Add(time.Hour))
		})
		if err != nil || a.NIP != nipSiti {
			t.Fatalf("redeem: %+v, %v", a, err)
		}
		if _, err := storagetest.InTx(db, func(tx *sqlx.Tx) (ASN, error) {
			return s.Redeem(ctx, tx, code, bots.Telegram, "c2", "u2", now.Add(2*time.Hour))
		}); !errors.Is(err, ErrCodeUsed) {
			t.Errorf("used code: %v", err)
		}
		// Expired: issued now, redeemed 7 days later.
		code2, _ := s.IssueLinkCode(ctx, nipAndi, now)
		if _, err := storagetest.InTx(db, func(tx *sqlx.Tx) (ASN, error) {
			return s.Redeem(ctx, tx, code2, bots.Telegram, "c3", "u3", now.Add(LinkCodeValidity))
		}); !errors.Is(err, ErrCodeExpired) {
			t.Errorf("expired code: %v", err)
		}
		// A new code retires the older one.
		old, _ := s.IssueLinkCode(ctx, nipAndi, now)
		fresh, _ := s.IssueLinkCode(ctx, nipAndi, now.Add(time.Minute))
		if _, err := storagetest.InTx(db, func(tx *sqlx.Tx) (ASN, error) {
			return s.Redeem(ctx, tx, old, bots.Telegram, "c3", "u3", now.Add(2*time.Minute))
		}); !errors.Is(err, ErrCodeReplaced) {
			t.Errorf("retired code: %v", err)
		}
		// The chat account u1 belongs to Siti: Andi cannot take it.
		if _, err := storagetest.InTx(db, func(tx *sqlx.Tx) (ASN, error) {
			return s.Redeem(ctx, tx, fresh, bots.Telegram, "c1", "u1", now.Add(2*time.Minute))
		}); !errors.Is(err, ErrAccountInUse) {
			t.Errorf("account in use: %v", err)
		}
		if _, err := s.IssueLinkCode(ctx, nipRina, now); !errors.Is(err, ErrInactive) {
			t.Errorf("inactive ASN: %v", err)
		}
		if msg, ok := UserMessage(ErrCodeExpired); !ok || !strings.Contains(msg, "kedaluwarsa") {
			t.Errorf("UserMessage = %q", msg)
		}
		if msg, ok := UserMessage(ErrCodeReplaced); !ok || !strings.Contains(msg, "sudah diganti") || strings.Contains(msg, "kedaluwarsa") {
			t.Errorf("UserMessage(ErrCodeReplaced) = %q", msg)
		}
		// Pause, resume, unlink.
		if err := s.Pause(ctx, db, bots.Telegram, "u1"); err != nil {
			t.Fatal(err)
		}
		l, err := s.LinkFor(ctx, db, bots.Telegram, "u1")
		if err != nil || !l.Paused || l.NIP != nipSiti || l.ChatID != "c1" {
			t.Errorf("LinkFor after pause = %+v, %v", l, err)
		}
		if err := s.Resume(ctx, db, bots.Telegram, "u1"); err != nil {
			t.Fatal(err)
		}
		if l, _ := s.LinkFor(ctx, db, bots.Telegram, "u1"); l.Paused {
			t.Error("still paused after Resume")
		}
		// One link per platform: linking again from another account moves it.
		code3, _ := s.IssueLinkCode(ctx, nipSiti, now)
		if _, err := storagetest.InTx(db, func(tx *sqlx.Tx) (ASN, error) { return s.Redeem(ctx, tx, code3, bots.Telegram, "c9", "u9", now) }); err != nil {
			t.Fatal(err)
		}
		if _, err := s.LinkFor(ctx, db, bots.Telegram, "u1"); !errors.Is(err, ErrNotLinked) {
			t.Errorf("old account still linked: %v", err)
		}
		if err := s.Unlink(ctx, db, bots.Telegram, "u9"); err != nil {
			t.Fatal(err)
		}
		if err := s.Unlink(ctx, db, bots.Telegram, "u9"); !errors.Is(err, ErrNotLinked) {
			t.Errorf("second unlink: %v", err)
		}
		if err := s.Pause(ctx, db, bots.Slack, "nobody"); !errors.Is(err, ErrNotLinked) {
			t.Errorf("pause unlinked: %v", err)
		}
	})
}

package training

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

// jpWorld is the example data with attendance and outside JP: Budi
// attended ANL-2026-01 (24 JP), Siti did not but has 8 JP of e-learning,
// Andi attended SPBE-2026-02 (16 JP) and has 4 JP outside; Budi's 10 JP of
// 2025 count for 2025 only.
func jpWorld(t *testing.T, db *storage.DB) *Store {
	t.Helper()
	s := fixture(t, db)
	s.opts.Now = func() time.Time { return wib("2026-12-10 12:00") }
	ctx := context.Background()
	if _, err := s.ImportEnrolments(ctx, strings.NewReader("session,nip,attended\n"+
		"ANL-2026-01,"+nipBudi+",ya\nANL-2026-01,"+nipSiti+",tidak\nSPBE-2026-02,"+nipAndi+",ya\n"), "hadir.csv"); err != nil {
		t.Fatal(err)
	}
	if n, err := s.ImportJP(ctx, strings.NewReader("nip,date,jp,title,provider\n"+
		nipSiti+",2026-03-14,8,Literasi Digital,e-learning LAN\n"+
		nipBudi+",2025-12-31,10,Manajemen Risiko,BPSDM Provinsi Sumatera Utara\n"+
		nipAndi+",2026-06-01,4,Etika Digital,Kominfo\n"), "jp.csv"); err != nil || n != 3 {
		t.Fatalf("ImportJP = %d, %v", n, err)
	}
	return s
}

func TestJPReport(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		s := jpWorld(t, db)
		ctx := context.Background()
		type person struct {
			nip                string
			sessions, external int
			onTrack            bool
		}
		for _, c := range []struct {
			name     string
			at       string
			expected float64
			people   []person
			units    []UnitJP
		}{
			{"year end", "2027-01-01 00:00", 20,
				// BKPSDM: Andi 20 (on track at exactly 20); DISKOMINFO: Siti 8, Budi 24.
				[]person{{nipAndi, 16, 4, true}, {nipSiti, 0, 8, false}, {nipBudi, 24, 0, true}},
				[]UnitJP{{Unit: "BKPSDM", ASN: 1, OnTrack: 1, MeanJP: 20}, {Unit: "DISKOMINFO", ASN: 2, OnTrack: 1, MeanJP: 16}}},
			{"mid-year", "2026-07-02 12:00", 10, // 182.5 of 365 days
				[]person{{nipAndi, 16, 4, true}, {nipSiti, 0, 8, false}, {nipBudi, 24, 0, true}},
				[]UnitJP{{Unit: "BKPSDM", ASN: 1, OnTrack: 1, MeanJP: 20}, {Unit: "DISKOMINFO", ASN: 2, OnTrack: 1, MeanJP: 16}}},
		} {
			rep, err := s.JPReport(ctx, 2026, "", 0, wib(c.at))
			if err != nil {
				t.Fatal(err)
			}
			if rep.Expected != c.expected || rep.Target != DefaultJPTarget {
				t.Errorf("%s: expected %v of %v, want %v", c.name, rep.Expected, rep.Target, c.expected)
			}
			var got []person
			for _, a := range rep.People {
				got = append(got, person{a.NIP, a.Sessions, a.External, a.OnTrack})
			}
			if !slices.Equal(got, c.people) {
				t.Errorf("%s: people %+v, want %+v", c.name, got, c.people)
			}
			for i := range rep.Units {
				rep.Units[i].Name = ""
			}
			if !slices.Equal(rep.Units, c.units) {
				t.Errorf("%s: units %+v, want %+v", c.name, rep.Units, c.units)
			}
		}
		// 2025: only Budi's 10 outside JP; one unit; a target of 10.
		rep, err := s.JPReport(ctx, 2025, "diskominfo", 10, wib("2026-12-10 12:00"))
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.People) != 2 || rep.People[1].NIP != nipBudi || rep.People[1].Total() != 10 || !rep.People[1].OnTrack ||
			rep.People[0].OnTrack || len(rep.Units) != 1 || rep.Units[0].Share() != 0.5 {
			t.Errorf("2025 report %+v", rep)
		}
		var txt strings.Builder
		if err := rep.WriteText(&txt); err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"tahun 2025 (target 10,0 JP per ASN)", "DISKOMINFO  2    1 (50%)", "tertinggal 10,0 JP", "sesuai target"} {
			if !strings.Contains(txt.String(), want) {
				t.Errorf("text lacks %q:\n%s", want, txt.String())
			}
		}
		recs := csvRecords(t, rep.WriteCSV)
		if len(recs) != 4 || strings.Join(recs[1], ",") != "2025,unit,DISKOMINFO,,Dinas Komunikasi dan Informatika,,,5.00,,2,1,0.500,10.00,10.00" ||
			strings.Join(recs[3], ",") != "2025,asn,DISKOMINFO,"+nipBudi+",Budi Santoso,0,10,10,ya,,,,10.00,10.00" {
			t.Errorf("CSV %q", recs)
		}
	})
}

// JPUnits sums the units as JPReport does, at moments where the on-track
// line falls between, on and beside the ASN's JP (Andi is on track at
// exactly 20 of 20), and for a target of their own.
func TestJPUnitsAgreesWithTheReport(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		s := jpWorld(t, db)
		ctx := context.Background()
		for _, c := range []struct {
			year   int
			at     string
			target float64
		}{{2026, "2027-01-01 00:00", 0}, {2026, "2026-07-02 12:00", 0}, {2026, "2026-12-10 12:00", 17}, {2025, "2026-12-10 12:00", 10}, {2024, "2026-12-10 12:00", 0}} {
			full, err := s.JPReport(ctx, c.year, "", c.target, wib(c.at))
			if err != nil {
				t.Fatal(err)
			}
			units, err := s.JPUnits(ctx, c.year, c.target, wib(c.at))
			if err != nil {
				t.Fatal(err)
			}
			if units.People != nil || units.Expected != full.Expected || units.Target != full.Target ||
				!slices.EqualFunc(units.Units, full.Units, func(a, b UnitJP) bool {
					return a.Unit == b.Unit && a.Name == b.Name && a.ASN == b.ASN && a.OnTrack == b.OnTrack && math.Abs(a.MeanJP-b.MeanJP) < 1e-9
				}) {
				t.Errorf("%d at %s: units %+v, the report has %+v", c.year, c.at, units.Units, full.Units)
			}
		}
	})
}

// A JP file with bad rows is refused whole, naming every bad row.
func TestImportJPRefusesBadRows(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		s := jpWorld(t, db)
		_, err := s.ImportJP(context.Background(), strings.NewReader("nip,date,jp,title,provider\n"+
			nipBudi+",2026-05-02,6,Keamanan Informasi,BSSN\n"+ // fine
			"197001012000011001,2026-05-02,6,Keamanan Informasi,BSSN\n"+ // unknown NIP
			nipBudi+",2026-05-03,-3,Keamanan Informasi,BSSN\n"+ // negative
			nipBudi+",2026-05-04,250,Keamanan Informasi,BSSN\n"+ // absurd
			nipBudi+",2026-12-31,6,Keamanan Informasi,BSSN\n"+ // future
			nipBudi+",2026-05-02,6,keamanan informasi,BSSN\n"+ // repeats line 2
			nipSiti+",2026-03-14,8,Literasi Digital,e-learning LAN\n"), // imported before
			"jp2.csv")
		got := problemPlaces(t, err)
		if want := []string{"3:nip", "4:jp", "5:jp", "6:date", "7:title", "8:title"}; !slices.Equal(got, want) {
			t.Errorf("problems %q, want %q:\n%v", got, want, err)
		}
		if n := count(t, db, "jp_records"); n != 3 {
			t.Errorf("%d JP records, want the 3 of before", n)
		}
	})
}

// The JP message lists the sessions ahead the person is enrolled in as
// such, and suggests only others to enrol in: never a session they are
// already enrolled in, nor another session of its training.
func TestJPRemindersSuggestOnlyWhatOneIsNotEnrolledIn(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		s := fixture(t, db)
		ctx := context.Background()
		for _, nip := range []string{nipBudi, nipSiti, nipAndi} {
			link(t, s, nip, wib("2026-11-01 10:00"))
		}
		if _, err := s.ImportSessions(ctx, strings.NewReader("code,training,start,end,place\n"+
			"ANL-2026-02,DIG-ANALITIK,2026-12-10 09:00,2026-12-10 16:00,Aula Kantor Wali Kota\n"), "sessions.csv"); err != nil {
			t.Fatal(err)
		}
		ps, err := s.JPReminders(ctx, wib("2026-12-01 09:00"), 20)
		if err != nil {
			t.Fatal(err)
		}
		texts := map[string]string{}
		for _, p := range ps {
			texts[p.NIP] = p.Out.Text
		}
		const (
			anl1 = "• Analisis Data untuk Pengambilan Keputusan (24 JP), Kamis, 3 Desember 2026 pukul 09.00 WIB\n"
			anl2 = "• Analisis Data untuk Pengambilan Keputusan (24 JP), Kamis, 10 Desember 2026 pukul 09.00 WIB\n"
			spbe = "• Dasar-Dasar SPBE (16 JP), Senin, 7 Desember 2026 pukul 08.30 WIB\n"
		)
		for _, c := range []struct {
			nip, want string
		}{
			// Budi and Siti are enrolled in ANL-2026-01: not offered
			// ANL-2026-02 either.
			{nipBudi, "Anda sudah terdaftar pada pelatihan berikut:\n" + anl1 +
				"\nPelatihan lain terdekat yang dapat Anda ikuti:\n" + spbe + "\nUntuk mendaftar, silakan hubungi admin kepegawaian di unit Anda."},
			{nipAndi, "Anda sudah terdaftar pada pelatihan berikut:\n" + spbe +
				"\nPelatihan lain terdekat yang dapat Anda ikuti:\n" + anl1 + anl2 + "\nUntuk mendaftar, silakan hubungi admin kepegawaian di unit Anda."},
		} {
			text, ok := texts[c.nip]
			if !ok {
				t.Fatalf("no JP message for %s", c.nip)
			}
			if !strings.HasSuffix(text, "\n\n"+c.want) {
				t.Errorf("JP message to %s:\n%s\nwant it to end with\n%s", c.nip, text, c.want)
			}
		}
	})
}

// The JP message states the target as the city's, which an admin may set
// above the 20 JP every ASN has a right to; only that minimum is a right.
func TestJPReminderStatesTheTargetAsTheCitys(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		s := fixture(t, db)
		ctx := context.Background()
		link(t, s, nipBudi, wib("2026-11-01 10:00"))
		for _, c := range []struct {
			target float64
			want   string
		}{
			{20, "Pemerintah Kota Tebingtinggi menargetkan setiap ASN mengikuti pengembangan kompetensi paling sedikit 20 JP per tahun, sesuai hak setiap ASN menurut peraturan."},
			{24, "Pemerintah Kota Tebingtinggi menargetkan setiap ASN mengikuti pengembangan kompetensi paling sedikit 24 JP per tahun (hak setiap ASN menurut peraturan: paling sedikit 20 JP per tahun)."},
			{22.5, "Pemerintah Kota Tebingtinggi menargetkan setiap ASN mengikuti pengembangan kompetensi paling sedikit 22,5 JP per tahun (hak setiap ASN menurut peraturan: paling sedikit 20 JP per tahun)."},
			{16, "Pemerintah Kota Tebingtinggi menargetkan setiap ASN mengikuti pengembangan kompetensi paling sedikit 16 JP per tahun. Capaian"},
		} {
			ps, err := s.JPReminders(ctx, wib("2026-12-01 09:00"), c.target)
			if err != nil {
				t.Fatal(err)
			}
			if len(ps) != 1 {
				t.Fatalf("target %v: %d JP messages, want 1 (Budi's)", c.target, len(ps))
			}
			text := ps[0].Out.Text
			if !strings.Contains(text, "\n\n"+c.want) || strings.Contains(text, "berhak") {
				t.Errorf("target %v: JP message\n%s\nwant it to say\n%s", c.target, text, c.want)
			}
		}
	})
}

// Sessions of one training are runs of the same course (another date for
// those who cannot come, a replacement for a cancelled one): someone who
// attends two earns the training's JP once in a year, in the report, the
// units' figures and the JP message alike.
func TestJPCountsATrainingOnceAYear(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		s := jpWorld(t, db)
		ctx := context.Background()
		// Budi attended ANL-2026-01 (24 JP) and attends its second run too,
		// and SPBE-2026-02 (16 JP).
		if _, err := s.ImportSessions(ctx, strings.NewReader("code,training,start,end,place\n"+
			"ANL-2026-02,DIG-ANALITIK,2026-12-10 09:00,2026-12-10 16:00,Aula Kantor Wali Kota\n"), "sessions.csv"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ImportEnrolments(ctx, strings.NewReader("session,nip,attended\n"+
			"ANL-2026-02,"+nipBudi+",ya\nSPBE-2026-02,"+nipBudi+",ya\n"), "hadir2.csv"); err != nil {
			t.Fatal(err)
		}
		at := wib("2027-01-01 00:00")
		rep, err := s.JPReport(ctx, 2026, "diskominfo", 0, at)
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(rep.People, func(a ASNJP) bool { return a.NIP == nipBudi })
		if i < 0 || rep.People[i].Sessions != 40 {
			t.Fatalf("Budi's JP from sessions %+v; want 40 (24 of DIG-ANALITIK once, 16 of SPBE-DASAR)", rep.People)
		}
		units, err := s.JPUnits(ctx, 2026, 0, at)
		if err != nil {
			t.Fatal(err)
		}
		// DISKOMINFO: Budi 40, Siti 8.
		if j := slices.IndexFunc(units.Units, func(u UnitJP) bool { return u.Unit == "DISKOMINFO" }); j < 0 || units.Units[j].MeanJP != 24 {
			t.Errorf("units %+v; want DISKOMINFO's mean JP 24", units.Units)
		}
	})
}

package training

import (
	"bytes"
	"context"
	"encoding/csv"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

// More ASN for the needs report, beside those of testdata/asn.csv.
const (
	nipDewi  = "198202022006022005" // DISKOMINFO
	nipEko   = "198303032007031006" // DISKOMINFO
	nipFajar = "198404042008041007" // BKPSDM
)

// selfAssess completes nip's response to round with ratings, one digit per
// Likert question in the template's order (perkantoran, spbe, data,
// keamanan, kolaborasi, komunikasi), and the first option of the choice.
// With fewer digits it stops there, leaving the response unfinished.
func selfAssess(t *testing.T, s *Store, round Round, nip, ratings string, now time.Time) {
	t.Helper()
	ctx := context.Background()
	i := 0
	for _, q := range round.Questions {
		v := "1"
		if q.Kind == Likert5 {
			if i == len(ratings) {
				return
			}
			v = ratings[i : i+1]
			i++
		}
		if _, err := storagetest.InTx(s.db, func(tx *sqlx.Tx) (Step, error) { return s.Answer(ctx, tx, round.ID, nip, q.ID, v, now) }); err != nil {
			t.Fatalf("%s answers %s: %v", nip, q.ID, err)
		}
	}
}

// needsWorld: six linked ASN (DISKOMINFO: Budi, Siti, Dewi, Eko; BKPSDM:
// Andi, Fajar) and three self-assessment rounds. In Q2 2026 Budi rated
// everything 1. In Q3 (prev): Budi 3 2 1 4 4 4, Siti 4 4 2 4 4 4, Andi
// 4 1 4 4 4 4, Dewi all 5. In Q4: Budi 4 2 2 4 4 4, Siti 4 4 1 2 4 4, Dewi
// 4 4 2 4 4 4, Eko 2 4 4 4 4 4, Andi 4 4 1 4 4 4, and Fajar stopped after
// two answers (1 1), which does not count.
func needsWorld(t *testing.T, db *storage.DB, opts Options) *Store {
	t.Helper()
	s := fixture(t, db)
	s.opts = New(db, opts).opts
	ctx := context.Background()
	if _, err := s.ImportASN(ctx, strings.NewReader("nip,name,unit\n"+nipDewi+",Dewi Lestari,DISKOMINFO\n"+
		nipEko+",Eko Prasetyo,DISKOMINFO\n"+nipFajar+",Fajar Hutapea,BKPSDM\n"), "more.csv"); err != nil {
		t.Fatal(err)
	}
	for _, nip := range []string{nipBudi, nipSiti, nipAndi, nipDewi, nipEko, nipFajar} {
		link(t, s, nip, wib("2026-04-01 09:00"))
	}
	for _, round := range []struct {
		opened  string
		ratings map[string]string
	}{
		{"2026-05-04 08:00", map[string]string{nipBudi: "111111"}},
		{"2026-08-03 08:00", map[string]string{nipBudi: "321444", nipSiti: "442444", nipAndi: "414444", nipDewi: "555555"}},
		{"2026-11-02 08:00", map[string]string{nipBudi: "422444", nipSiti: "441244", nipDewi: "442444", nipEko: "244444",
			nipAndi: "441444", nipFajar: "11"}},
	} {
		at := wib(round.opened)
		r, opened, err := s.OpenPeriodicRound(ctx, TemplateCompetency, at)
		if err != nil || !opened {
			t.Fatalf("open round %s: %v, %v", round.opened, opened, err)
		}
		for nip, ratings := range round.ratings {
			selfAssess(t, s, r, nip, ratings, at.Add(time.Hour))
		}
	}
	return s
}

// need is the part of a CompetencyNeed the tests compare.
type need struct {
	id          string
	n, low      int
	prevN, prev int
}

func needsOf(u UnitNeeds) []need {
	var out []need
	for _, c := range u.Competencies {
		out = append(out, need{c.Competency, c.Respondents, c.Low, c.PrevRespondents, c.PrevLow})
	}
	return out
}

func TestNeedsReport(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		s := needsWorld(t, db, Options{})
		ctx := context.Background()
		now := wib("2026-12-10 12:00")
		rep, err := s.NeedsReport(ctx, Quarter{}, "", now)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Quarter != (Quarter{2026, 4}) || rep.Previous != (Quarter{2026, 3}) {
			t.Fatalf("quarters %v and %v, want 2026-T4 and 2026-T3", rep.Quarter, rep.Previous)
		}
		// All: five completed in Q4, four in Q3.
		if rep.All.Respondents != 5 || rep.All.PrevRespondents != 4 {
			t.Errorf("all: %d and %d respondents, want 5 and 4", rep.All.Respondents, rep.All.PrevRespondents)
		}
		wantAll := []need{{"perkantoran", 5, 1, 4, 0}, {"spbe", 5, 1, 4, 2}, {"data", 5, 4, 4, 2},
			{"keamanan", 5, 1, 4, 0}, {"kolaborasi", 5, 0, 4, 0}, {"komunikasi", 5, 0, 4, 0}}
		if got := needsOf(rep.All); !slices.Equal(got, wantAll) {
			t.Errorf("all:\n got %v\nwant %v", got, wantAll)
		}
		data := rep.All.Competencies[2]
		if data.ShareLow != 0.8 || data.PrevShare != 0.5 || change(data) != "+30 poin" {
			t.Errorf("data: %v now, %v before, %s", data.ShareLow, data.PrevShare, change(data))
		}
		if spbe := rep.All.Competencies[1]; change(spbe) != "-30 poin" {
			t.Errorf("spbe change %s, want -30 poin", change(spbe))
		}
		if len(rep.Units) != 2 || rep.Units[0].Unit != "BKPSDM" || rep.Units[1].Unit != "DISKOMINFO" {
			t.Fatalf("units %+v", rep.Units)
		}
		wantBKPSDM := []need{{"perkantoran", 1, 0, 1, 0}, {"spbe", 1, 0, 1, 1}, {"data", 1, 1, 1, 0},
			{"keamanan", 1, 0, 1, 0}, {"kolaborasi", 1, 0, 1, 0}, {"komunikasi", 1, 0, 1, 0}}
		if got := needsOf(rep.Units[0]); !slices.Equal(got, wantBKPSDM) {
			t.Errorf("BKPSDM:\n got %v\nwant %v", got, wantBKPSDM)
		}
		wantDiskominfo := []need{{"perkantoran", 4, 1, 3, 0}, {"spbe", 4, 1, 3, 1}, {"data", 4, 3, 3, 2},
			{"keamanan", 4, 1, 3, 0}, {"kolaborasi", 4, 0, 3, 0}, {"komunikasi", 4, 0, 3, 0}}
		if got := needsOf(rep.Units[1]); !slices.Equal(got, wantDiskominfo) {
			t.Errorf("DISKOMINFO:\n got %v\nwant %v", got, wantDiskominfo)
		}
		// Weakest: data (0.8), then perkantoran and spbe (0.2 each, in
		// template order; keamanan's 0.2 comes fourth), with the catalogue's
		// trainings covering each.
		type weak struct {
			id        string
			trainings string
		}
		var got []weak
		for _, w := range rep.Weakest {
			var codes []string
			for _, tr := range w.Trainings {
				codes = append(codes, tr.Code)
			}
			got = append(got, weak{w.Competency, strings.Join(codes, ",")})
		}
		want := []weak{{"data", "DIG-ANALITIK"}, {"perkantoran", "DIG-ANALITIK"}, {"spbe", "SPBE-DASAR"}}
		if !slices.Equal(got, want) {
			t.Errorf("weakest %v, want %v", got, want)
		}

		var text strings.Builder
		if err := rep.WriteText(&text); err != nil {
			t.Fatal(err)
		}
		for _, line := range []string{"triwulan IV 2026 dibanding triwulan III 2026", "80% (4 dari 5)",
			"1. data: 80% menilai dirinya rendah", "- SPBE-DASAR Dasar-Dasar SPBE (16 JP, LAN)", "DISKOMINFO Dinas Komunikasi dan Informatika"} {
			if !strings.Contains(text.String(), line) {
				t.Errorf("text lacks %q:\n%s", line, text.String())
			}
		}
		rows := csvRecords(t, rep.WriteCSV)
		if !slices.Equal(rows[0], NeedsColumnsCSV) {
			t.Fatalf("header %v", rows[0])
		}
		find := func(scope, unit, competency, training string) []string {
			for _, r := range rows[1:] {
				if r[2] == scope && r[3] == unit && r[5] == competency && r[14] == training {
					return r
				}
			}
			t.Errorf("no CSV row %s/%s/%s/%s", scope, unit, competency, training)
			return make([]string, len(NeedsColumnsCSV))
		}
		if r := find("all", "", "data", ""); !slices.Equal(r[:13], []string{"2026-T4", "2026-T3", "all", "", "", "data", "5", "4", "0.800", "4", "2", "0.500", "30.0"}) {
			t.Errorf("all/data row %v", r)
		}
		if r := find("unit", "DISKOMINFO", "data", ""); r[6] != "4" || r[7] != "3" || r[8] != "0.750" || r[11] != "0.667" {
			t.Errorf("DISKOMINFO/data row %v", r)
		}
		if r := find("weakest", "", "spbe", "SPBE-DASAR"); r[13] != "3" || r[8] != "0.200" {
			t.Errorf("weakest spbe row %v", r)
		}
		if len(rows) != 1+6*3+3 {
			t.Errorf("%d CSV rows, want %d", len(rows), 1+6*3+3)
		}

		// One unit: its figures only; an explicit quarter compares with
		// the one before it (Q3 against Budi's Q2).
		one, err := s.NeedsReport(ctx, Quarter{}, "diskominfo", now)
		if err != nil {
			t.Fatal(err)
		}
		if got := needsOf(one.All); !slices.Equal(got, wantDiskominfo) || len(one.Units) != 1 {
			t.Errorf("DISKOMINFO only: %v, %d units", got, len(one.Units))
		}
		if len(one.Weakest) != 3 || one.Weakest[0].Competency != "data" || one.Weakest[0].ShareLow != 0.75 {
			t.Errorf("DISKOMINFO weakest %+v", one.Weakest)
		}
		q3, err := s.NeedsReport(ctx, Quarter{2026, 3}, "", now)
		if err != nil {
			t.Fatal(err)
		}
		if q3.All.Respondents != 4 || q3.All.PrevRespondents != 1 || q3.All.Competencies[4].PrevLow != 1 {
			t.Errorf("Q3: %d respondents, %d before, %+v", q3.All.Respondents, q3.All.PrevRespondents, q3.All.Competencies[4])
		}
	})
}

func TestNeedsReportEmpty(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		s := fixture(t, db)
		rep, err := s.NeedsReport(context.Background(), Quarter{}, "", wib("2026-12-10 12:00"))
		if err != nil {
			t.Fatal(err)
		}
		if !rep.Empty() || rep.Quarter != (Quarter{2026, 4}) {
			t.Fatalf("empty report: %+v", rep)
		}
		rows := csvRecords(t, rep.WriteCSV)
		if len(rows) != 2 || rows[1][2] != "empty" || !strings.Contains(rows[1][16], "belum ada penilaian mandiri") {
			t.Errorf("CSV of an empty report: %v", rows)
		}
	})
}

// anonymousNeedsWorld is needsWorld with the competency self-assessment
// anonymous at the given threshold.
func anonymousNeedsWorld(t *testing.T, db *storage.DB, threshold int) *Store {
	t.Helper()
	s := needsWorld(t, db, Options{AnonymityThreshold: threshold})
	tpl, err := s.GetTemplate(context.Background(), TemplateCompetency)
	if err != nil {
		t.Fatal(err)
	}
	tpl.Anonymous = true
	if err := s.SaveTemplate(context.Background(), tpl); err != nil {
		t.Fatal(err)
	}
	return s
}

// An anonymous self-assessment hides a unit below the threshold.
func TestNeedsReportAnonymous(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		s := anonymousNeedsWorld(t, db, 2)
		ctx := context.Background()
		at := wib("2027-01-04 08:00")
		r, _, err := s.OpenPeriodicRound(ctx, TemplateCompetency, at)
		if err != nil {
			t.Fatal(err)
		}
		for nip, ratings := range map[string]string{nipBudi: "111111", nipSiti: "444444", nipAndi: "111111"} {
			selfAssess(t, s, r, nip, ratings, at.Add(time.Hour))
		}
		rep, err := s.NeedsReport(ctx, Quarter{}, "", at.Add(24*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if rep.Quarter != (Quarter{2027, 1}) || rep.All.Respondents != 3 || rep.All.Competencies[0].Low != 2 {
			t.Fatalf("Q1 2027: %v, %d respondents, %+v", rep.Quarter, rep.All.Respondents, rep.All.Competencies[0])
		}
		if !rep.Units[0].Hidden || rep.Units[0].Unit != "BKPSDM" || rep.Units[0].Respondents != 0 || rep.Units[0].Competencies[0].Low != 0 {
			t.Errorf("BKPSDM (one respondent) not hidden: %+v", rep.Units[0])
		}
		// All units less DISKOMINFO would be BKPSDM's one respondent:
		// DISKOMINFO is not shown either.
		if !rep.UnitsWithheld || !rep.Units[1].Hidden || rep.Units[1].Respondents != 0 || rep.Units[1].Competencies[0].Low != 0 ||
			!strings.Contains(rep.Units[1].HiddenWhy, "selisih") {
			t.Errorf("DISKOMINFO shown beside the lone hidden BKPSDM: %+v", rep.Units[1])
		}
		rows := csvRecords(t, rep.WriteCSV)
		hidden := 0
		for _, r := range rows {
			if r[2] == "hidden" && r[3] == "BKPSDM" {
				hidden++
			}
			if r[2] == "unit" && r[3] == "BKPSDM" {
				t.Errorf("hidden unit in CSV: %v", r)
			}
		}
		if hidden != 1 {
			t.Errorf("%d hidden rows for BKPSDM, want 1", hidden)
		}
	})
}

// The needs report reads the answers from the covering index, driven by
// the responses (see ratingsQuery).
func TestNeedsQueryPlan(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	rows, err := db.QueryxContext(context.Background(), "EXPLAIN QUERY PLAN "+ratingsQuery("?, ?", ""), 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var steps []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		steps = append(steps, detail)
	}
	if len(steps) < 2 || !strings.Contains(steps[0], "SEARCH r ") ||
		!strings.Contains(steps[1], "SEARCH a USING COVERING INDEX survey_answers_likert") {
		t.Errorf("plan:\n%s", strings.Join(steps, "\n"))
	}
}

// A competency the ASN rate themselves low less often than last quarter
// (the hoped-for result of the trainings) has a negative change: written
// as a number, -20.0, not as the text '-20.0 that a spreadsheet cannot
// sum, sort or chart. Text that people typed is still escaped.
func TestNeedsCSVKeepsNegativeChangeNumeric(t *testing.T) {
	rep := NeedsReport{Quarter: Quarter{Year: 2026, Q: 3}, Previous: Quarter{Year: 2026, Q: 2}, Competencies: []string{"keamanan"},
		All: UnitNeeds{Name: "=HYPERLINK(\"x\")", Respondents: 10, PrevRespondents: 10, Competencies: []CompetencyNeed{
			{Competency: "-keamanan", Respondents: 10, Low: 2, PrevRespondents: 10, PrevLow: 4, ShareLow: 0.2, PrevShare: 0.4}}},
		Threshold: 5}
	var buf bytes.Buffer
	if err := rep.WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := slices.Index(rows[0], "change_pp")
	if col < 0 {
		col = slices.IndexFunc(rows[0], func(h string) bool { return h == "change" || h == "delta" || h == "change_points" })
	}
	if col < 0 {
		t.Fatalf("no change column in header %v", rows[0])
	}
	all := 0
	for _, r := range rows[1:] {
		if r[2] != "all" {
			continue
		}
		all++
		if r[col] != "-20.0" {
			t.Errorf("the change of a competency from 40%% to 20%% rating low is written %q, want -20.0 (a number)", r[col])
		}
		if r[4] != "'=HYPERLINK(\"x\")" || r[5] != "'-keamanan" {
			t.Errorf("text cells %q, %q are not escaped as formulas", r[4], r[5])
		}
	}
	if all != 1 {
		t.Errorf("%d \"all\" rows, want 1:\n%q", all, rows)
	}
}

// An anonymous self-assessment pools the units below the threshold as
// "OPD lainnya" when they have enough respondents between them: all
// units less those shown is then their pool, never one unit.
func TestNeedsReportAnonymousPoolsSmallUnits(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		s := anonymousNeedsWorld(t, db, 2)
		ctx := context.Background()
		// Dewi moved to DISDUKCAPIL: DISKOMINFO (Budi, Siti) 2, BKPSDM
		// (Andi) 1, DISDUKCAPIL (Dewi) 1.
		if _, err := s.ImportASN(ctx, strings.NewReader("nip,name,unit\n"+nipDewi+",Dewi Lestari,DISDUKCAPIL\n"), "pindah.csv"); err != nil {
			t.Fatal(err)
		}
		at := wib("2027-01-04 08:00")
		r, _, err := s.OpenPeriodicRound(ctx, TemplateCompetency, at)
		if err != nil {
			t.Fatal(err)
		}
		for nip, ratings := range map[string]string{nipBudi: "111111", nipSiti: "444444", nipAndi: "111111", nipDewi: "444444"} {
			selfAssess(t, s, r, nip, ratings, at.Add(time.Hour))
		}
		rep, err := s.NeedsReport(ctx, Quarter{}, "", at.Add(24*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if rep.UnitsWithheld || rep.All.Respondents != 4 {
			t.Fatalf("withheld %v, %d respondents", rep.UnitsWithheld, rep.All.Respondents)
		}
		shown := map[string]UnitNeeds{}
		for _, u := range rep.Units {
			if !u.Hidden {
				shown[u.Unit] = u
			}
		}
		other, ok := shown[OtherUnits]
		if len(shown) != 2 || shown["DISKOMINFO"].Respondents != 2 || !ok || other.Respondents != 2 || other.Others != 2 ||
			other.Competencies[0].Low != 1 {
			t.Errorf("shown units %+v; want DISKOMINFO and the two others pooled", shown)
		}
		var text strings.Builder
		if err := rep.WriteText(&text); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(text.String(), "2 OPD lainnya") {
			t.Errorf("text report lacks the pooled row:\n%s", text.String())
		}
	})
}

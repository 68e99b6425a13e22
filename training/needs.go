package training

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/tebingtinggi/hub/internal/safetext"
)

// Quarter is a calendar quarter in WIB (triwulan).
type Quarter struct {
	Year int
	// Q is 1 to 4.
	Q int
}

// QuarterOf returns the WIB quarter t falls in.
func QuarterOf(t time.Time) Quarter {
	w := t.In(WIB)
	return Quarter{Year: w.Year(), Q: (int(w.Month())-1)/3 + 1}
}

// Previous returns the quarter before q.
func (q Quarter) Previous() Quarter {
	if q.Q == 1 {
		return Quarter{Year: q.Year - 1, Q: 4}
	}
	return Quarter{Year: q.Year, Q: q.Q - 1}
}

// IsZero reports whether q is the zero Quarter.
func (q Quarter) IsZero() bool { return q.Year == 0 }

// String writes q as in CSV files: "2026-T3".
func (q Quarter) String() string { return fmt.Sprintf("%d-T%d", q.Year, q.Q) }

// Label writes q for officers: "triwulan III 2026".
func (q Quarter) Label() string {
	return "triwulan " + [...]string{"I", "II", "III", "IV"}[(q.Q-1)&3] + " " + strconv.Itoa(q.Year)
}

// LowRating is the highest self-rating that counts as low: 1 (sangat tidak
// setuju) and 2 (tidak setuju) on the self-assessment's 1–5 scale.
const LowRating = 2

// WeakestCompetencies is how many of the weakest competencies the needs
// report matches with trainings of the catalogue.
const WeakestCompetencies = 3

// CompetencyNeed is, for one competency in one scope, how many of those who
// completed the self-assessment rated themselves low, in the report's
// quarter and the one before.
type CompetencyNeed struct {
	Competency          string
	Respondents, Low    int
	PrevRespondents     int
	PrevLow             int
	ShareLow, PrevShare float64
}

// HasPrevious reports whether the previous quarter has answers to compare.
func (c CompetencyNeed) HasPrevious() bool { return c.PrevRespondents > 0 }

// Change is the change of the share rating low since the previous quarter,
// in percentage points (0 without a previous quarter).
func (c CompetencyNeed) Change() float64 {
	if !c.HasPrevious() || c.Respondents == 0 {
		return 0
	}
	return (c.ShareLow - c.PrevShare) * 100
}

// UnitNeeds is one scope of the needs report: a unit, or all units in the
// report's scope (Unit "").
type UnitNeeds struct {
	Unit, Name string
	// Respondents and PrevRespondents count the completed self-assessments
	// of the quarter and of the one before.
	Respondents, PrevRespondents int
	// Competencies are in the self-assessment's order.
	Competencies []CompetencyNeed
	// Hidden is set when the quarter's rounds were anonymous and the unit
	// has fewer respondents than the anonymity threshold, or when the
	// comparison by unit is withheld (see NeedsReport.UnitsWithheld): its
	// figures are left out (zero), and HiddenWhy says why, in Indonesian.
	Hidden    bool
	HiddenWhy string
	// Others, for the row that pools the units too small to show on their
	// own (Unit OtherUnits, "OPD lainnya"), is how many units it pools.
	Others int
	// prevHidden is how many previous-quarter respondents finish hid.
	prevHidden int
}

// WeakCompetency is one of the competencies most often rated low, with the
// catalogue's trainings that cover it.
type WeakCompetency struct {
	Competency string
	ShareLow   float64
	Low        int
	Trainings  []Training
}

// NeedsReport turns the quarterly digital-competency self-assessment into
// training needs: per unit and competency, the share of ASN rating
// themselves low, compared with the previous quarter, and the trainings
// that cover the weakest competencies.
type NeedsReport struct {
	At                time.Time
	Quarter, Previous Quarter
	// Unit is the unit the report is limited to ("" for all).
	Unit string
	// Competencies are the ids the self-assessment rates, in its order.
	Competencies []string
	// All sums the report's scope; Units are by unit code.
	All   UnitNeeds
	Units []UnitNeeds
	// Weakest are up to WeakestCompetencies competencies of the scope with
	// the highest share rating low (ties in template order), those nobody
	// rated low left out.
	Weakest []WeakCompetency
	// Threshold is the anonymity threshold applied to anonymous rounds.
	Threshold int
	// UnitsWithheld is set when, in an anonymous quarter, the units too
	// small to show have fewer respondents than Threshold between them:
	// the figures of all units less those shown would be theirs, so no
	// unit is shown (each row Hidden). With Threshold or more between
	// them, they are pooled in a last row, OtherUnits.
	UnitsWithheld bool
}

// Empty reports whether the report's quarter has no completed
// self-assessment in its scope.
func (rep NeedsReport) Empty() bool { return rep.All.Respondents == 0 && !rep.All.Hidden }

// needsRound is a round of the self-assessment.
type needsRound struct {
	ID        int64     `db:"id"`
	OpenedAt  time.Time `db:"opened_at"`
	Anonymous bool      `db:"anonymous"`
	Questions string    `db:"questions"`
	Completed bool      `db:"completed"`
}

// NeedsReport reads the completed responses of the self-assessment rounds
// (template TemplateCompetency, periodic) opened in quarter q (when q is
// zero: the latest quarter up to now with a completed response) and in
// the quarter before, limited to unit when it is not "". A response counts
// for the unit the ASN belonged to when the round invited them. A rating
// of LowRating or less is low.
func (s *Store) NeedsReport(ctx context.Context, q Quarter, unit string, now time.Time) (NeedsReport, error) {
	unit = strings.ToUpper(strings.TrimSpace(unit))
	rep := NeedsReport{At: now, Unit: unit, Competencies: CompetencyIDs(), Threshold: s.opts.AnonymityThreshold}
	var rounds []needsRound
	if err := s.db.SelectContext(ctx, &rounds, s.db.Rebind(`SELECT r.id, r.opened_at, r.anonymous, r.questions,
			EXISTS (SELECT 1 FROM survey_responses x WHERE x.round_id = r.id AND x.completed = TRUE) AS completed
		FROM survey_rounds r WHERE r.template_code = ? AND r.session_id IS NULL AND r.opened_at <= ?
		ORDER BY r.opened_at, r.id`), TemplateCompetency, utc(now)); err != nil {
		return NeedsReport{}, fmt.Errorf("training: unable to list self-assessment rounds: %w", err)
	}
	if q.IsZero() {
		q = QuarterOf(now)
		for i := len(rounds) - 1; i >= 0; i-- {
			if rounds[i].Completed {
				q = QuarterOf(rounds[i].OpenedAt)
				break
			}
		}
	}
	rep.Quarter, rep.Previous = q, q.Previous()
	// Which quarter each round counts for (0 current, 1 previous), which
	// questions of it are competencies, and whether a quarter had an
	// anonymous round.
	period := map[int64]int{}
	rated := map[int64]map[string]bool{}
	var anonymous [2]bool
	var ids []any
	for _, r := range rounds {
		p := -1
		switch QuarterOf(r.OpenedAt) {
		case rep.Quarter:
			p = 0
		case rep.Previous:
			p = 1
		}
		if p < 0 || !r.Completed {
			continue
		}
		rr := roundRow{ID: r.ID, Questions: r.Questions}
		full, err := rr.round()
		if err != nil {
			return NeedsReport{}, err
		}
		rated[r.ID] = map[string]bool{}
		for _, qu := range full.Questions {
			if qu.Kind == Likert5 {
				rated[r.ID][qu.ID] = true
			}
		}
		period[r.ID] = p
		anonymous[p] = anonymous[p] || r.Anonymous
		ids = append(ids, r.ID)
	}
	units := map[string]*UnitNeeds{}
	unitOf := func(code string) *UnitNeeds {
		u := units[code]
		if u == nil {
			u = &UnitNeeds{Unit: code, Competencies: make([]CompetencyNeed, len(rep.Competencies))}
			for i, c := range rep.Competencies {
				u.Competencies[i].Competency = c
			}
			units[code] = u
		}
		return u
	}
	if len(ids) > 0 {
		if err := s.countNeeds(ctx, ids, unit, period, rated, rep.Competencies, unitOf); err != nil {
			return NeedsReport{}, err
		}
	}
	var names []Unit
	if err := s.db.SelectContext(ctx, &names, `SELECT code, name FROM opd_units`); err != nil {
		return NeedsReport{}, fmt.Errorf("training: unable to list units: %w", err)
	}
	nameOf := make(map[string]string, len(names))
	for _, n := range names {
		nameOf[n.Code] = n.Name
	}
	rep.All = UnitNeeds{Competencies: make([]CompetencyNeed, len(rep.Competencies))}
	for i, c := range rep.Competencies {
		rep.All.Competencies[i].Competency = c
	}
	if unit != "" {
		rep.All.Unit, rep.All.Name = unit, nameOf[unit]
	}
	for _, u := range units {
		u.Name = nameOf[u.Unit]
		rep.All.Respondents += u.Respondents
		rep.All.PrevRespondents += u.PrevRespondents
		for i, c := range u.Competencies {
			a := &rep.All.Competencies[i]
			a.Respondents += c.Respondents
			a.Low += c.Low
			a.PrevRespondents += c.PrevRespondents
			a.PrevLow += c.PrevLow
		}
		rep.Units = append(rep.Units, *u)
	}
	slices.SortFunc(rep.Units, func(a, b UnitNeeds) int { return strings.Compare(a.Unit, b.Unit) })
	if unit == "" {
		rep.poolSmallUnits(anonymous)
	}
	for i := range rep.Units {
		rep.Units[i].finish(anonymous, rep.Threshold)
	}
	rep.hidePreviousByDifference(anonymous)
	rep.All.finish(anonymous, rep.Threshold)
	if rep.All.Hidden {
		return rep, nil
	}
	weak, err := s.weakest(ctx, rep.All.Competencies)
	if err != nil {
		return NeedsReport{}, err
	}
	rep.Weakest = weak
	return rep, nil
}

// countNeeds adds the completed responses and low ratings of the rounds
// ids, per unit, to the units that unitOf returns: two grouped queries.
func (s *Store) countNeeds(ctx context.Context, ids []any, unit string, period map[int64]int, rated map[int64]map[string]bool,
	competencies []string, unitOf func(string) *UnitNeeds) error {
	in := strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ")
	args := slices.Clone(ids)
	byUnit := ""
	if unit != "" {
		byUnit = ` AND r.unit_code = ?`
		args = append(args, unit)
	}
	var responses []struct {
		Round int64  `db:"round_id"`
		Unit  string `db:"unit_code"`
		N     int    `db:"n"`
	}
	if err := s.db.SelectContext(ctx, &responses, s.db.Rebind(`SELECT r.round_id, r.unit_code, COUNT(*) AS n
		FROM survey_responses r WHERE r.round_id IN (`+in+`) AND r.completed = TRUE`+byUnit+`
		GROUP BY r.round_id, r.unit_code`), args...); err != nil {
		return fmt.Errorf("training: unable to count self-assessments: %w", err)
	}
	for _, r := range responses {
		u := unitOf(r.Unit)
		if period[r.Round] == 0 {
			u.Respondents += r.N
		} else {
			u.PrevRespondents += r.N
		}
	}
	var ratings []struct {
		Round    int64  `db:"round_id"`
		Unit     string `db:"unit_code"`
		Question string `db:"question_id"`
		N        int    `db:"n"`
		Low      int    `db:"low"`
	}
	if err := s.db.SelectContext(ctx, &ratings, s.db.Rebind(ratingsQuery(in, byUnit)), args...); err != nil {
		return fmt.Errorf("training: unable to count self-ratings: %w", err)
	}
	for _, r := range ratings {
		i := slices.Index(competencies, r.Question)
		if i < 0 || !rated[r.Round][r.Question] {
			continue // a choice or text question, or a competency the template no longer rates
		}
		c := &unitOf(r.Unit).Competencies[i]
		if period[r.Round] == 0 {
			c.Respondents += r.N
			c.Low += r.Low
		} else {
			c.PrevRespondents += r.N
			c.PrevLow += r.Low
		}
	}
	return nil
}

// ratingsQuery counts, per round, unit and question, the one-character
// answers (a 1–5 point; choice and text answers are longer) of the
// completed responses, and the low ones among them. The answers come
// from the index survey_answers_likert alone, and, written as a CROSS
// JOIN, SQLite reads each response once and then its answers
// (PostgreSQL plans it as any inner join): TestNeedsQueryPlan pins both.
func ratingsQuery(in, byUnit string) string {
	return `SELECT r.round_id, r.unit_code, a.question_id, COUNT(*) AS n,
			SUM(CASE WHEN a.value IN ('1', '2') THEN 1 ELSE 0 END) AS low
		FROM survey_responses r CROSS JOIN survey_answers a
		WHERE a.round_id = r.round_id AND a.respondent = r.respondent AND r.round_id IN (` + in + `) AND r.completed = TRUE
			AND length(a.value) = 1` + byUnit + `
		GROUP BY r.round_id, r.unit_code, a.question_id`
}

// poolSmallUnits adds, in an anonymous quarter, a last row pooling the
// units with fewer respondents than the threshold ("OPD lainnya"), as a
// survey round's comparison does: all units' figures less the units shown
// must not be one small unit's. With fewer than the threshold between
// them even pooled, no unit is shown at all (UnitsWithheld).
func (rep *NeedsReport) poolSmallUnits(anonymous [2]bool) {
	if !anonymous[0] {
		return
	}
	others := UnitNeeds{Unit: OtherUnits, Competencies: make([]CompetencyNeed, len(rep.Competencies))}
	for i, c := range rep.Competencies {
		others.Competencies[i].Competency = c
	}
	for _, u := range rep.Units {
		if u.Respondents == 0 || u.Respondents >= rep.Threshold {
			continue
		}
		others.Others++
		others.Respondents += u.Respondents
		others.PrevRespondents += u.PrevRespondents
		for i, c := range u.Competencies {
			o := &others.Competencies[i]
			o.Respondents += c.Respondents
			o.Low += c.Low
			o.PrevRespondents += c.PrevRespondents
			o.PrevLow += c.PrevLow
		}
	}
	switch {
	case others.Others == 0:
	case others.Respondents < rep.Threshold:
		rep.UnitsWithheld = true
		why := fmt.Sprintf("%d OPD memiliki responden kurang dari %d, dan bersama-sama pun kurang dari %d, "+
			"sehingga jawaban mereka dapat dihitung dari selisih angka semua OPD dengan OPD lainnya", others.Others, rep.Threshold, rep.Threshold)
		for i := range rep.Units {
			u := &rep.Units[i]
			cs := make([]CompetencyNeed, len(u.Competencies))
			for j, c := range u.Competencies {
				cs[j] = CompetencyNeed{Competency: c.Competency}
			}
			*u = UnitNeeds{Unit: u.Unit, Name: u.Name, Hidden: true, HiddenWhy: why, Competencies: cs}
		}
	default:
		others.Name = fmt.Sprintf("%d OPD lainnya", others.Others)
		rep.Units = append(rep.Units, others)
	}
}

// hidePreviousByDifference withholds the previous quarter's figures of
// every unit when, that quarter being anonymous, the units whose figures
// for it are hidden have fewer respondents than the threshold between
// them: all units' figures less those shown would be theirs.
func (rep *NeedsReport) hidePreviousByDifference(anonymous [2]bool) {
	if !anonymous[1] || rep.UnitsWithheld {
		return
	}
	hidden := 0
	for _, u := range rep.Units {
		if !u.Hidden && u.PrevRespondents == 0 {
			hidden += u.prevHidden
		}
	}
	if hidden == 0 || hidden >= rep.Threshold {
		return
	}
	for i := range rep.Units {
		u := &rep.Units[i]
		u.PrevRespondents = 0
		for j := range u.Competencies {
			c := &u.Competencies[j]
			c.PrevRespondents, c.PrevLow, c.PrevShare = 0, 0, 0
		}
	}
}

// finish computes the shares, and hides the figures of a group smaller
// than threshold in a quarter whose rounds were anonymous.
func (u *UnitNeeds) finish(anonymous [2]bool, threshold int) {
	if u.Hidden {
		return // withheld (see poolSmallUnits)
	}
	if anonymous[0] && u.Respondents > 0 && u.Respondents < threshold {
		*u = UnitNeeds{Unit: u.Unit, Name: u.Name, Hidden: true, Competencies: u.Competencies,
			HiddenWhy: fmt.Sprintf("survei anonim dengan responden kurang dari %d", threshold)}
		for i := range u.Competencies {
			u.Competencies[i] = CompetencyNeed{Competency: u.Competencies[i].Competency}
		}
		return
	}
	if anonymous[1] && u.PrevRespondents > 0 && u.PrevRespondents < threshold {
		u.prevHidden = u.PrevRespondents
		u.PrevRespondents = 0
		for i := range u.Competencies {
			u.Competencies[i].PrevRespondents, u.Competencies[i].PrevLow = 0, 0
		}
	}
	for i := range u.Competencies {
		c := &u.Competencies[i]
		if c.Respondents > 0 {
			c.ShareLow = float64(c.Low) / float64(c.Respondents)
		}
		if c.PrevRespondents > 0 {
			c.PrevShare = float64(c.PrevLow) / float64(c.PrevRespondents)
		}
	}
}

// weakest picks the competencies with the highest share rating low and
// the catalogue's trainings covering each.
func (s *Store) weakest(ctx context.Context, all []CompetencyNeed) ([]WeakCompetency, error) {
	order := make([]CompetencyNeed, 0, len(all))
	for _, c := range all {
		if c.Low > 0 {
			order = append(order, c)
		}
	}
	slices.SortStableFunc(order, func(a, b CompetencyNeed) int {
		switch {
		case a.ShareLow > b.ShareLow:
			return -1
		case a.ShareLow < b.ShareLow:
			return 1
		}
		return 0
	})
	if len(order) > WeakestCompetencies {
		order = order[:WeakestCompetencies]
	}
	if len(order) == 0 {
		return nil, nil
	}
	catalogue, err := s.Trainings(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]WeakCompetency, 0, len(order))
	for _, c := range order {
		w := WeakCompetency{Competency: c.Competency, ShareLow: c.ShareLow, Low: c.Low}
		for _, t := range catalogue {
			if slices.Contains(t.Competencies(), c.Competency) {
				w.Trainings = append(w.Trainings, t)
			}
		}
		out = append(out, w)
	}
	return out, nil
}

// change writes a change in percentage points: "+5 poin", "−3 poin", "tetap".
func change(c CompetencyNeed) string {
	if !c.HasPrevious() || c.Respondents == 0 {
		return "-"
	}
	p := strconv.FormatFloat(c.Change(), 'f', 0, 64)
	switch {
	case p == "0" || p == "-0":
		return "tetap"
	case strings.HasPrefix(p, "-"):
		return p + " poin"
	}
	return "+" + p + " poin"
}

// WriteText writes the report for a terminal (hub report needs), in
// Indonesian.
func (rep NeedsReport) WriteText(w io.Writer) error {
	ew := &errWriter{w: w}
	scope := "semua OPD"
	if rep.Unit != "" {
		scope = "OPD " + rep.Unit
	}
	ew.printf("Kebutuhan pelatihan dari penilaian mandiri kompetensi digital, %s, %s dibanding %s (per %s)\n",
		scope, rep.Quarter.Label(), rep.Previous.Label(), FormatWIB(rep.At))
	ew.printf("Nilai rendah: %d (sangat tidak setuju) atau %d (tidak setuju) pada skala 1–5.\n", 1, LowRating)
	if rep.Empty() {
		ew.printf("\nBelum ada penilaian mandiri yang selesai diisi pada %s.\n", rep.Quarter.Label())
		return ew.err
	}
	writeNeeds := func(u UnitNeeds, title string) {
		ew.printf("\n%s\n", title)
		if u.Hidden {
			ew.printf("  Tidak ditampilkan: %s.\n", u.HiddenWhy)
			return
		}
		ew.printf("  %d responden (%s: %d)\n", u.Respondents, rep.Previous.Label(), u.PrevRespondents)
		tw := tabwriter.NewWriter(ew, 0, 4, 2, ' ', 0)
		fmt.Fprintf(tw, "  KOMPETENSI\tNILAI RENDAH\tTRIWULAN SEBELUMNYA\tPERUBAHAN\n")
		for _, c := range u.Competencies {
			now, prev := "-", "-"
			if c.Respondents > 0 {
				now = fmt.Sprintf("%s (%d dari %d)", pct(c.ShareLow), c.Low, c.Respondents)
			}
			if c.HasPrevious() {
				prev = fmt.Sprintf("%s (%d dari %d)", pct(c.PrevShare), c.PrevLow, c.PrevRespondents)
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", c.Competency, now, prev, change(c))
		}
		if err := tw.Flush(); err != nil && ew.err == nil {
			ew.err = err
		}
	}
	if rep.Unit == "" {
		writeNeeds(rep.All, "Semua OPD")
	}
	ew.printf("\nKompetensi terlemah dan pelatihan di katalog yang mencakupnya:\n")
	if len(rep.Weakest) == 0 {
		ew.printf("  Tidak ada ASN yang menilai dirinya rendah.\n")
	}
	for i, wc := range rep.Weakest {
		ew.printf("%d. %s: %s menilai dirinya rendah\n", i+1, wc.Competency, pct(wc.ShareLow))
		if len(wc.Trainings) == 0 {
			ew.printf("   belum ada pelatihan di katalog yang mencakup kompetensi ini\n")
		}
		for _, t := range wc.Trainings {
			ew.printf("   - %s %s (%d JP, %s)\n", t.Code, t.Title, t.Hours, orDash(t.Provider))
		}
	}
	for _, u := range rep.Units {
		title := u.Unit
		if u.Others > 0 {
			title = u.Name
		} else if u.Name != "" {
			title += " " + u.Name
		}
		writeNeeds(u, title)
	}
	return ew.err
}

// NeedsColumnsCSV is the header of the needs report's CSV export;
// README.md describes each column.
var NeedsColumnsCSV = []string{"quarter", "previous_quarter", "scope", "unit", "unit_name", "competency",
	"respondents", "low", "share_low", "prev_respondents", "prev_low", "prev_share_low", "change_points",
	"rank", "training_code", "training_title", "detail"}

// needsNumberColumns are the columns of NeedsColumnsCSV that hold numbers
// the hub computes: written as they are, since the formula guard
// (safetext.Cell) is for text that people typed, and a change of -20.0
// quoted as '-20.0 is text a spreadsheet cannot sum, sort or chart.
var needsNumberColumns = []string{"respondents", "low", "share_low", "prev_respondents", "prev_low", "prev_share_low", "change_points", "rank"}

// writeNeedsRecords writes the needs report's rows: the text cells escaped
// with safetext.Cell, the number cells as they are.
func writeNeedsRecords(w io.Writer, rows [][]string) error {
	number := make([]bool, len(NeedsColumnsCSV))
	for i, c := range NeedsColumnsCSV {
		number[i] = slices.Contains(needsNumberColumns, c)
	}
	cw := csv.NewWriter(w)
	for _, r := range rows {
		out := make([]string, len(r))
		for i, c := range r {
			if i < len(number) && number[i] {
				out[i] = c
			} else {
				out[i] = safetext.Cell(c)
			}
		}
		if err := cw.Write(out); err != nil {
			return fmt.Errorf("training: unable to write CSV: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("training: unable to write CSV: %w", err)
	}
	return nil
}

// WriteCSV writes one "all" row per competency for the report's scope,
// one "unit" row per unit and competency, a "hidden" row for each unit
// left out by the anonymity threshold, and "weakest" rows: one per
// weakest competency and training covering it (or one without a training
// saying that none does). A quarter without responses is one "empty" row.
func (rep NeedsReport) WriteCSV(w io.Writer) error {
	q, p := rep.Quarter.String(), rep.Previous.String()
	rows := [][]string{NeedsColumnsCSV}
	row := func(scope string, u UnitNeeds, c CompetencyNeed) []string {
		prevN, prevLow, prevShare, delta := "", "", "", ""
		if c.HasPrevious() {
			prevN, prevLow, prevShare = strconv.Itoa(c.PrevRespondents), strconv.Itoa(c.PrevLow), ratio(c.PrevShare)
			if c.Respondents > 0 {
				delta = strconv.FormatFloat(c.Change(), 'f', 1, 64)
			}
		}
		return []string{q, p, scope, u.Unit, u.Name, c.Competency, strconv.Itoa(c.Respondents), strconv.Itoa(c.Low),
			ratio(c.ShareLow), prevN, prevLow, prevShare, delta, "", "", "", ""}
	}
	if rep.Empty() {
		rows = append(rows, []string{q, p, "empty", rep.Unit, rep.All.Name, "", "0", "", "", "", "", "", "", "", "", "",
			"belum ada penilaian mandiri yang selesai diisi pada " + rep.Quarter.Label()})
		return writeNeedsRecords(w, rows)
	}
	scoped := func(scope string, u UnitNeeds) {
		if u.Hidden {
			rows = append(rows, []string{q, p, "hidden", u.Unit, u.Name, "", "", "", "", "", "", "", "", "", "", "",
				"tidak ditampilkan: " + u.HiddenWhy})
			return
		}
		for _, c := range u.Competencies {
			rows = append(rows, row(scope, u, c))
		}
	}
	if rep.Unit == "" {
		scoped("all", rep.All)
	}
	for _, u := range rep.Units {
		scoped("unit", u)
	}
	for i, wc := range rep.Weakest {
		base := []string{q, p, "weakest", rep.Unit, rep.All.Name, wc.Competency, "", strconv.Itoa(wc.Low), ratio(wc.ShareLow),
			"", "", "", "", strconv.Itoa(i + 1)}
		if len(wc.Trainings) == 0 {
			rows = append(rows, append(slices.Clone(base), "", "", "belum ada pelatihan di katalog yang mencakup kompetensi ini"))
		}
		for _, t := range wc.Trainings {
			rows = append(rows, append(slices.Clone(base), t.Code, t.Title, ""))
		}
	}
	return writeNeedsRecords(w, rows)
}

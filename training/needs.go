package training

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/jmoiron/sqlx"
)

// CompetencyIDs are the competencies the digital self-assessment rates
// (its 1–5 questions, such as "spbe" and "data"), in template order. A
// training's competency column lists the ones it covers.
func CompetencyIDs() []string {
	competencyOnce.Do(func() {
		ts, err := ShippedTemplates()
		if err != nil {
			panic("training: shipped templates unreadable: " + err.Error())
		}
		for _, t := range ts {
			if t.Code != TemplateCompetency {
				continue
			}
			for _, q := range t.Questions {
				if q.Kind == Likert5 {
					competencyIDs = append(competencyIDs, q.ID)
				}
			}
		}
	})
	return slices.Clone(competencyIDs)
}

var (
	competencyOnce sync.Once
	competencyIDs  []string
)

// parseCompetencies reads a training's competency cell: competency ids
// separated by "|", "," or ";" (any case), stored as "data | spbe".
func parseCompetencies(cell string) (string, error) {
	known := CompetencyIDs()
	var ids []string
	for _, f := range strings.FieldsFunc(cell, func(r rune) bool { return r == '|' || r == ',' || r == ';' }) {
		id := strings.ToLower(strings.TrimSpace(f))
		if id == "" {
			continue
		}
		if !slices.Contains(known, id) {
			return "", fmt.Errorf("competency %q: want ids of the self-assessment separated by |: %s", id, strings.Join(known, ", "))
		}
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	return strings.Join(ids, " | "), nil
}

// Competencies returns the ids of the competencies the training covers.
func (t Training) Competencies() []string {
	var out []string
	for _, f := range strings.Split(t.Competency, "|") {
		if id := strings.TrimSpace(f); id != "" {
			out = append(out, id)
		}
	}
	return out
}

// LowRating is the highest self-rating (1–5) counted as low.
const LowRating = 2

// Quarter is a calendar quarter in WIB.
type Quarter struct{ Year, Q int }

// QuarterOf returns the WIB quarter of t.
func QuarterOf(t time.Time) Quarter {
	w := t.In(WIB)
	return Quarter{w.Year(), (int(w.Month())-1)/3 + 1}
}

// Previous returns the quarter before q.
func (q Quarter) Previous() Quarter {
	if q.Q == 1 {
		return Quarter{q.Year - 1, 4}
	}
	return Quarter{q.Year, q.Q - 1}
}

// String writes the quarter as "2026-T4" (triwulan).
func (q Quarter) String() string { return fmt.Sprintf("%d-T%d", q.Year, q.Q) }

// Ratings counts self-ratings of one competency: N ratings, Low of them
// at most LowRating.
type Ratings struct{ N, Low int }

// Share is Low/N (0 without ratings).
func (r Ratings) Share() float64 {
	if r.N == 0 {
		return 0
	}
	return float64(r.Low) / float64(r.N)
}

// UnitNeed is one unit's ratings of one competency this quarter and the
// one before.
type UnitNeed struct {
	Unit, Competency string
	Now, Before      Ratings
}

// CompetencyNeed is one competency over the units of the report, with the
// catalogue's trainings that cover it.
type CompetencyNeed struct {
	Competency  string
	Now, Before Ratings
	Trainings   []Training
}

// NeedsReport turns the digital self-assessment into training needs.
type NeedsReport struct {
	// Quarter is the quarter of the latest self-assessment round opened by
	// the report's moment; Before the quarter before it.
	Quarter, Before Quarter
	// Found is false when no self-assessment round has been opened yet.
	Found bool
	Unit  string // "" for every unit
	// Units by unit code, then competency in template order.
	Units []UnitNeed
	// Competencies over all units of the report, in template order;
	// Weakest are up to three of them with the largest share of low
	// ratings this quarter (any above zero), with their trainings.
	Competencies, Weakest []CompetencyNeed
}

// maxWeakest is how many weakest competencies the report names.
const maxWeakest = 3

// NeedsReport computes, per unit (or for one unit) and per competency of
// the digital self-assessment, the share of completed responses rating
// themselves low (1 or 2 of 5) in the quarter of the latest round opened
// by now, against the quarter before, and the catalogue trainings covering
// the weakest competencies.
func (s *Store) NeedsReport(ctx context.Context, unit string, now time.Time) (NeedsReport, error) {
	rep := NeedsReport{Unit: strings.ToUpper(unit)}
	var rounds []struct {
		ID       int64     `db:"id"`
		OpenedAt time.Time `db:"opened_at"`
	}
	if err := s.db.SelectContext(ctx, &rounds, s.db.Rebind(`SELECT id, opened_at FROM survey_rounds
		WHERE template_code = ? AND opened_at <= ? ORDER BY opened_at`), TemplateCompetency, utc(now)); err != nil {
		return NeedsReport{}, fmt.Errorf("training: unable to find self-assessment rounds: %w", err)
	}
	if len(rounds) == 0 {
		return rep, nil
	}
	rep.Found = true
	rep.Quarter = QuarterOf(rounds[len(rounds)-1].OpenedAt)
	rep.Before = rep.Quarter.Previous()
	var current, before []int64
	for _, r := range rounds {
		switch QuarterOf(r.OpenedAt) {
		case rep.Quarter:
			current = append(current, r.ID)
		case rep.Before:
			before = append(before, r.ID)
		}
	}
	ids := CompetencyIDs()
	type key struct{ unit, competency string }
	cells := map[key]*UnitNeed{}
	totals := map[string]*CompetencyNeed{}
	for _, id := range ids {
		totals[id] = &CompetencyNeed{Competency: id}
	}
	for _, part := range []struct {
		rounds []int64
		pick   func(u *UnitNeed, c *CompetencyNeed) (*Ratings, *Ratings)
	}{
		{current, func(u *UnitNeed, c *CompetencyNeed) (*Ratings, *Ratings) { return &u.Now, &c.Now }},
		{before, func(u *UnitNeed, c *CompetencyNeed) (*Ratings, *Ratings) { return &u.Before, &c.Before }},
	} {
		if len(part.rounds) == 0 {
			continue
		}
		counts, err := s.selfRatings(ctx, part.rounds, rep.Unit)
		if err != nil {
			return NeedsReport{}, err
		}
		for _, c := range counts {
			total, ok := totals[c.Competency]
			if !ok {
				continue // a question no longer rated
			}
			k := key{c.Unit, c.Competency}
			u := cells[k]
			if u == nil {
				u = &UnitNeed{Unit: c.Unit, Competency: c.Competency}
				cells[k] = u
			}
			ur, tr := part.pick(u, total)
			ur.N, ur.Low = c.N, c.Low
			tr.N += c.N
			tr.Low += c.Low
		}
	}
	order := func(id string) int { return slices.Index(ids, id) }
	for _, u := range cells {
		rep.Units = append(rep.Units, *u)
	}
	slices.SortFunc(rep.Units, func(a, b UnitNeed) int {
		if c := strings.Compare(a.Unit, b.Unit); c != 0 {
			return c
		}
		return order(a.Competency) - order(b.Competency)
	})
	for _, id := range ids {
		rep.Competencies = append(rep.Competencies, *totals[id])
	}
	weakest := slices.Clone(rep.Competencies)
	slices.SortStableFunc(weakest, func(a, b CompetencyNeed) int {
		switch {
		case a.Now.Share() > b.Now.Share():
			return -1
		case a.Now.Share() < b.Now.Share():
			return 1
		}
		return 0
	})
	catalogue, err := s.Trainings(ctx)
	if err != nil {
		return NeedsReport{}, err
	}
	for _, c := range weakest {
		if len(rep.Weakest) == maxWeakest || c.Now.Low == 0 {
			break
		}
		for _, t := range catalogue {
			if slices.Contains(t.Competencies(), c.Competency) {
				c.Trainings = append(c.Trainings, t)
			}
		}
		rep.Weakest = append(rep.Weakest, c)
	}
	return rep, nil
}

// selfRating is the count of one unit's ratings of one competency.
type selfRating struct {
	Unit       string `db:"unit_code"`
	Competency string `db:"question_id"`
	N          int    `db:"n"`
	Low        int    `db:"low"`
}

// selfRatings counts the completed responses' ratings per unit and
// question in the rounds (of one unit when unit is not "").
func (s *Store) selfRatings(ctx context.Context, rounds []int64, unit string) ([]selfRating, error) {
	q, args, err := sqlx.In(`SELECT r.unit_code, a.question_id, COUNT(*) AS n,
			SUM(CASE WHEN a.value IN ('1', '2') THEN 1 ELSE 0 END) AS low
		FROM survey_answers a JOIN survey_responses r ON r.round_id = a.round_id AND r.respondent = a.respondent
		WHERE a.round_id IN (?) AND r.completed = TRUE AND a.value IN ('1', '2', '3', '4', '5')`, rounds)
	if err != nil {
		return nil, fmt.Errorf("training: unable to count self-ratings: %w", err)
	}
	if unit != "" {
		q += ` AND r.unit_code = ?`
		args = append(args, unit)
	}
	q += ` GROUP BY r.unit_code, a.question_id`
	var out []selfRating
	if err := s.db.SelectContext(ctx, &out, s.db.Rebind(q), args...); err != nil {
		return nil, fmt.Errorf("training: unable to count self-ratings: %w", err)
	}
	return out, nil
}

// points writes a change of share in percentage points: "+50", "-8", "0".
func points(now, before Ratings) string {
	if before.N == 0 || now.N == 0 {
		return "–"
	}
	d := (now.Share() - before.Share()) * 100
	return strconv.FormatFloat(d, 'f', 0, 64)
}

func shareOrDash(r Ratings) string {
	if r.N == 0 {
		return "–"
	}
	return pct(r.Share())
}

// WriteText writes the report for a terminal (hub report needs), in
// Indonesian.
func (rep NeedsReport) WriteText(w io.Writer) error {
	ew := &errWriter{w: w}
	if !rep.Found {
		ew.printf("Belum ada putaran penilaian mandiri kompetensi digital.\n")
		return ew.err
	}
	ew.printf("Kebutuhan pelatihan dari penilaian mandiri kompetensi digital\n")
	ew.printf("Triwulan %s dibanding %s; nilai rendah: 1–%d dari 5\n\n", rep.Quarter, rep.Before, LowRating)
	tw := tabwriter.NewWriter(ew, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "OPD\tKOMPETENSI\tPENILAI\tRENDAH\tSEBELUMNYA\tPERUBAHAN (POIN)\n")
	for _, u := range rep.Units {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\n", u.Unit, u.Competency, u.Now.N, shareOrDash(u.Now), shareOrDash(u.Before), points(u.Now, u.Before))
	}
	if err := tw.Flush(); err != nil && ew.err == nil {
		ew.err = err
	}
	if len(rep.Weakest) == 0 {
		ew.printf("\nTidak ada kompetensi yang dinilai rendah pada triwulan ini.\n")
		return ew.err
	}
	ew.printf("\nKompetensi terlemah dan pelatihan di katalog yang mencakupnya:\n")
	for _, c := range rep.Weakest {
		ew.printf("• %s: %s menilai diri rendah (%d dari %d; sebelumnya %s)\n", c.Competency, pct(c.Now.Share()), c.Now.Low, c.Now.N, shareOrDash(c.Before))
		if len(c.Trainings) == 0 {
			ew.printf("    belum ada pelatihan di katalog untuk kompetensi ini\n")
		}
		for _, t := range c.Trainings {
			ew.printf("    %s  %s (%d JP, %s)\n", t.Code, t.Title, t.Hours, orDash(t.Provider))
		}
	}
	return ew.err
}

// NeedsColumnsCSV is the header of the needs report's CSV export; README.md
// describes each column.
var NeedsColumnsCSV = []string{"quarter", "scope", "unit", "competency", "n", "low", "share_low", "previous_n", "previous_low", "previous_share_low", "training_code", "training_title", "training_jp"}

// WriteCSV writes a "unit" row per unit and competency, a "total" row per
// competency and a "training" row per weakest competency and training
// covering it.
func (rep NeedsReport) WriteCSV(w io.Writer) error {
	rows := [][]string{NeedsColumnsCSV}
	q := rep.Quarter.String()
	ratings := func(r Ratings) []string {
		return []string{strconv.Itoa(r.N), strconv.Itoa(r.Low), ratio(r.Share())}
	}
	line := func(scope, unit, competency string, now, before Ratings, t *Training) []string {
		row := append([]string{q, scope, unit, competency}, ratings(now)...)
		row = append(row, ratings(before)...)
		if t != nil {
			return append(row, t.Code, t.Title, strconv.Itoa(t.Hours))
		}
		return append(row, "", "", "")
	}
	if rep.Found {
		for _, u := range rep.Units {
			rows = append(rows, line("unit", u.Unit, u.Competency, u.Now, u.Before, nil))
		}
		for _, c := range rep.Competencies {
			rows = append(rows, line("total", rep.Unit, c.Competency, c.Now, c.Before, nil))
		}
		for _, c := range rep.Weakest {
			for i := range c.Trainings {
				rows = append(rows, line("training", rep.Unit, c.Competency, c.Now, c.Before, &c.Trainings[i]))
			}
		}
	}
	cw := csv.NewWriter(w)
	if err := cw.WriteAll(rows); err != nil {
		return fmt.Errorf("training: unable to write CSV: %w", err)
	}
	return nil
}

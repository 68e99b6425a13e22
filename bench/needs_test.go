package bench

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
	"github.com/tebingtinggi/hub/training"
	"github.com/tebingtinggi/hub/training/trainingtest"
)

// selfAssessments links every ASN of devWorld on Telegram and has all of
// them complete the digital self-assessment in a round of the third and
// one of the fourth quarter of year, through the store's own survey flow:
// ASN i rates competency k in round r 1 + (7i + 3k + 5r) mod 5, so two in
// five ratings are low. It returns the quarter of the second round.
func selfAssessments(b *testing.B, db *storage.DB, s *training.Store, year int) training.Quarter {
	b.Helper()
	ctx := context.Background()
	if err := s.EnsureTemplates(ctx); err != nil {
		b.Fatal(err)
	}
	linked := time.Date(year, 1, 2, 9, 0, 0, 0, training.WIB)
	codes := make([]string, devASN)
	for i := range devASN {
		code, err := s.IssueLinkCode(ctx, trainingtest.NIP(i), linked)
		if err != nil {
			b.Fatal(err)
		}
		codes[i] = code
	}
	if err := db.InTx(ctx, func(tx *sqlx.Tx) error {
		for i, code := range codes {
			chat := strconv.Itoa(500000 + i)
			if _, err := s.Redeem(ctx, tx, code, bots.Telegram, chat, chat, linked); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	// SQLite takes one writer at a time; PostgreSQL answers in parallel.
	workers := 1
	if db.Dialect == storage.Postgres {
		workers = 4
	}
	var last time.Time
	for r, opened := range []time.Time{time.Date(year, 8, 3, 8, 0, 0, 0, training.WIB), time.Date(year, 11, 2, 8, 0, 0, 0, training.WIB)} {
		round, ok, err := s.OpenPeriodicRound(ctx, training.TemplateCompetency, opened)
		if err != nil || !ok {
			b.Fatalf("round %d: %v, %v", r, ok, err)
		}
		at := opened.Add(time.Hour)
		errs := make(chan error, workers)
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				errs <- db.InTx(ctx, func(tx *sqlx.Tx) error {
					for i := w; i < devASN; i += workers {
						nip := trainingtest.NIP(i)
						k := 0
						for _, q := range round.Questions {
							v := "1"
							if q.Kind == training.Likert5 {
								v = strconv.Itoa(1 + (7*i+3*k+5*r)%5)
								k++
							}
							if _, err := s.Answer(ctx, tx, round.ID, nip, q.ID, v, at); err != nil {
								return err
							}
						}
					}
					return nil
				})
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				b.Fatal(err)
			}
		}
		last = opened
	}
	return training.QuarterOf(last)
}

// needFigures are what both the needs report and its baseline compute per
// unit and competency.
type needFigures struct{ N, Low, PrevN, PrevLow int }

// needsBaseline computes, with one plain SQL aggregate, each unit's and
// competency's completed self-assessments and low ratings in quarter q and
// the one before.
func needsBaseline(ctx context.Context, db *storage.DB, q training.Quarter) (map[[2]string]needFigures, error) {
	from := time.Date(q.Year, time.Month(3*q.Q-2), 1, 0, 0, 0, 0, training.WIB)
	prev := from.AddDate(0, -3, 0)
	to := from.AddDate(0, 3, 0)
	var rows []struct {
		Unit     string `db:"unit_code"`
		Question string `db:"question_id"`
		N        int    `db:"n"`
		Low      int    `db:"low"`
		PrevN    int    `db:"prev_n"`
		PrevLow  int    `db:"prev_low"`
	}
	err := db.SelectContext(ctx, &rows, db.Rebind(`SELECT r.unit_code, a.question_id,
			SUM(CASE WHEN ro.opened_at >= ? THEN 1 ELSE 0 END) AS n,
			SUM(CASE WHEN ro.opened_at >= ? AND a.value IN ('1', '2') THEN 1 ELSE 0 END) AS low,
			SUM(CASE WHEN ro.opened_at < ? THEN 1 ELSE 0 END) AS prev_n,
			SUM(CASE WHEN ro.opened_at < ? AND a.value IN ('1', '2') THEN 1 ELSE 0 END) AS prev_low
		FROM survey_rounds ro
		JOIN survey_responses r ON r.round_id = ro.id
		JOIN survey_answers a ON a.round_id = r.round_id AND a.respondent = r.respondent
		WHERE ro.template_code = ? AND ro.session_id IS NULL AND ro.opened_at >= ? AND ro.opened_at < ?
			AND r.completed = TRUE AND a.value <> ''
		GROUP BY r.unit_code, a.question_id`),
		from.UTC(), from.UTC(), from.UTC(), from.UTC(), training.TemplateCompetency, prev.UTC(), to.UTC())
	if err != nil {
		return nil, err
	}
	out := make(map[[2]string]needFigures, len(rows))
	for _, r := range rows {
		out[[2]string{r.Unit, r.Question}] = needFigures{r.N, r.Low, r.PrevN, r.PrevLow}
	}
	return out, nil
}

// BenchmarkReportNeeds times `hub report needs` (the report and its text)
// on devWorld with every ASN's self-assessment in two quarters (140,000
// answers) against one plain SQL aggregate computing the same per-unit
// figures, in the same run, and checks that both agree. The issue's
// target is ≤ 1 s on both backends.
func BenchmarkReportNeeds(b *testing.B) {
	for _, d := range storagetest.Backends {
		b.Run(string(d), func(b *testing.B) {
			db := storagetest.Open(b, d)
			s, year := devWorld(b, db)
			q := selfAssessments(b, db, s, year)
			ctx := context.Background()
			at := time.Now()
			var report, baseline time.Duration
			var rep training.NeedsReport
			var base map[[2]string]needFigures
			for b.Loop() {
				t0 := time.Now()
				var err error
				if rep, err = s.NeedsReport(ctx, training.Quarter{}, "", at); err != nil {
					b.Fatal(err)
				}
				if err := rep.WriteText(discard{}); err != nil {
					b.Fatal(err)
				}
				t1 := time.Now()
				if base, err = needsBaseline(ctx, db, q); err != nil {
					b.Fatal(err)
				}
				report, baseline = max(report, t1.Sub(t0)), max(baseline, time.Since(t1))
			}
			if rep.Quarter != q || rep.All.Respondents != devASN || rep.All.PrevRespondents != devASN || len(rep.Units) != devUnits {
				b.Fatalf("report of %v: %d and %d respondents in %d units", rep.Quarter, rep.All.Respondents, rep.All.PrevRespondents, len(rep.Units))
			}
			for _, u := range rep.Units {
				for _, c := range u.Competencies {
					got := needFigures{c.Respondents, c.Low, c.PrevRespondents, c.PrevLow}
					if want := base[[2]string{u.Unit, c.Competency}]; got != want {
						b.Fatalf("%s %s: report %+v, baseline %+v", u.Unit, c.Competency, got, want)
					}
				}
			}
			b.ReportMetric(report.Seconds(), "s/report")
			b.ReportMetric(baseline.Seconds(), "s/baseline")
			b.ReportMetric(report.Seconds()/baseline.Seconds(), "x_baseline")
			b.ReportMetric(bool01(report <= time.Second), "target_met")
		})
	}
}

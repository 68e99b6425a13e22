package bench

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
	"github.com/tebingtinggi/hub/training"
	"github.com/tebingtinggi/hub/training/trainingtest"
)

// Sizes of the development-report benchmarks, as the issue names them.
const (
	devASN        = 10_000
	devSessions   = 1_000
	devEnrolments = 100_000
	devUnits      = 40
)

// devWorld imports, through the training store's own imports, 40 units,
// 10,000 ASN, 10 trainings with 1,000 sessions spread over last year, and
// 100,000 enrolments (each ASN in 10 sessions, four in five attended),
// plus one outside JP record for every third ASN. It returns the store and
// the year.
func devWorld(b *testing.B, db *storage.DB) (*training.Store, int) {
	b.Helper()
	ctx := context.Background()
	year := time.Now().In(training.WIB).Year() - 1
	s := training.New(db, training.Options{})
	var units, asn, trainings, sessions, enrolments, jp strings.Builder
	units.WriteString("code,name\n")
	for u := range devUnits {
		fmt.Fprintf(&units, "OPD%02d,Organisasi Perangkat Daerah %d\n", u, u)
	}
	asn.WriteString("nip,name,unit\n")
	jp.WriteString("nip,date,jp,title,provider\n")
	for i := range devASN {
		fmt.Fprintf(&asn, "%s,ASN Uji %d,OPD%02d\n", trainingtest.NIP(i), i, i%devUnits)
		if i%3 == 0 {
			fmt.Fprintf(&jp, "%s,%d-06-%02d,%d,Sertifikat e-learning,LAN\n", trainingtest.NIP(i), year, 1+i%28, 2+i%7)
		}
	}
	trainings.WriteString("code,title,competency,hours,provider\n")
	for t := range 10 {
		fmt.Fprintf(&trainings, "T%d,Pelatihan %d,spbe,%d,BPSDM\n", t, t, 2+t)
	}
	sessions.WriteString("code,training,start,end,place\n")
	start := time.Date(year, 1, 5, 9, 0, 0, 0, training.WIB)
	for j := range devSessions {
		at := start.Add(time.Duration(j) * 8 * time.Hour)
		fmt.Fprintf(&sessions, "S%04d,T%d,%s,%s,Aula\n", j, j%10, at.Format(time.RFC3339), at.Add(7*time.Hour).Format(time.RFC3339))
	}
	enrolments.WriteString("session,nip,attended\n")
	for i := range devASN {
		for k := range devEnrolments / devASN {
			attended := "ya"
			if (i+k)%5 == 0 {
				attended = "tidak"
			}
			fmt.Fprintf(&enrolments, "S%04d,%s,%s\n", (i*7+k*100)%devSessions, trainingtest.NIP(i), attended)
		}
	}
	for _, step := range []func() error{
		func() error { _, err := s.ImportUnits(ctx, strings.NewReader(units.String()), "units.csv"); return err },
		func() error { _, err := s.ImportASN(ctx, strings.NewReader(asn.String()), "asn.csv"); return err },
		func() error {
			_, err := s.ImportTrainings(ctx, strings.NewReader(trainings.String()), "trainings.csv")
			return err
		},
		func() error {
			_, err := s.ImportSessions(ctx, strings.NewReader(sessions.String()), "sessions.csv")
			return err
		},
		func() error {
			_, err := s.ImportEnrolments(ctx, strings.NewReader(enrolments.String()), "enrolments.csv")
			return err
		},
		func() error { _, err := s.ImportJP(ctx, strings.NewReader(jp.String()), "jp.csv"); return err },
	} {
		if err := step(); err != nil {
			b.Fatal(err)
		}
	}
	return s, year
}

// unitFigures are what both the report and the baseline compute per unit.
type unitFigures struct {
	ASN, OnTrack int
	Mean         float64
}

// jpBaseline computes each unit's ASN, ASN on track and mean JP for a past
// year with one plain SQL aggregate.
func jpBaseline(ctx context.Context, db *storage.DB, year int, target float64) (map[string]unitFigures, error) {
	from := time.Date(year, 1, 1, 0, 0, 0, 0, training.WIB)
	to := from.AddDate(1, 0, 0)
	var rows []struct {
		Unit    string  `db:"unit_code"`
		ASN     int     `db:"asn"`
		OnTrack int     `db:"on_track"`
		Mean    float64 `db:"mean"`
	}
	err := db.SelectContext(ctx, &rows, db.Rebind(`SELECT a.unit_code, COUNT(*) AS asn,
			SUM(CASE WHEN COALESCE(s.jp, 0) + COALESCE(x.jp, 0) >= ? THEN 1 ELSE 0 END) AS on_track,
			AVG(COALESCE(s.jp, 0) + COALESCE(x.jp, 0)) AS mean
		FROM asn a
		LEFT JOIN (SELECT d.nip, SUM(d.hours) AS jp FROM (SELECT DISTINCT e.nip, t.id, t.hours FROM enrolments e
				JOIN training_sessions ts ON ts.id = e.session_id JOIN trainings t ON t.id = ts.training_id
				WHERE e.attended = TRUE AND ts.status = 'scheduled' AND ts.starts_at >= ? AND ts.starts_at < ?) d
			GROUP BY d.nip) s ON s.nip = a.nip
		LEFT JOIN (SELECT nip, SUM(jp) AS jp FROM jp_records WHERE held_on >= ? AND held_on < ? GROUP BY nip) x ON x.nip = a.nip
		WHERE a.active = TRUE
		GROUP BY a.unit_code`), target, from.UTC(), to.UTC(), from.Format(time.DateOnly), to.Format(time.DateOnly))
	if err != nil {
		return nil, err
	}
	out := make(map[string]unitFigures, len(rows))
	for _, r := range rows {
		out[r.Unit] = unitFigures{r.ASN, r.OnTrack, r.Mean}
	}
	return out, nil
}

// BenchmarkReportJP times `hub report jp` (the report and its text) for
// 10,000 ASN, 1,000 sessions and 100,000 enrolments against one plain SQL
// aggregate computing the same per-unit figures, in the same run, and
// checks that both agree. The target is ≤ 1 s on both backends.
func BenchmarkReportJP(b *testing.B) {
	for _, d := range storagetest.Backends {
		b.Run(string(d), func(b *testing.B) {
			db := storagetest.Open(b, d)
			s, year := devWorld(b, db)
			ctx := context.Background()
			at := time.Now()
			var report, baseline time.Duration
			var rep training.JPReport
			var base map[string]unitFigures
			for b.Loop() {
				t0 := time.Now()
				var err error
				if rep, err = s.JPReport(ctx, year, "", training.DefaultJPTarget, at); err != nil {
					b.Fatal(err)
				}
				if err := rep.WriteText(discard{}); err != nil {
					b.Fatal(err)
				}
				t1 := time.Now()
				if base, err = jpBaseline(ctx, db, year, training.DefaultJPTarget); err != nil {
					b.Fatal(err)
				}
				report, baseline = max(report, t1.Sub(t0)), max(baseline, time.Since(t1))
			}
			if len(rep.People) != devASN || len(rep.Units) != devUnits || len(base) != devUnits {
				b.Fatalf("%d ASN in %d units, baseline %d units", len(rep.People), len(rep.Units), len(base))
			}
			for _, u := range rep.Units {
				want := base[u.Unit]
				if u.ASN != want.ASN || u.OnTrack != want.OnTrack || math.Abs(u.MeanJP-want.Mean) > 1e-9 {
					b.Fatalf("unit %s: report %+v, baseline %+v", u.Unit, u, want)
				}
			}
			b.ReportMetric(report.Seconds(), "s/report")
			b.ReportMetric(baseline.Seconds(), "s/baseline")
			b.ReportMetric(report.Seconds()/baseline.Seconds(), "x_baseline")
			b.ReportMetric(bool01(report <= time.Second), "target_met")
		})
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

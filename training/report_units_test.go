package training_test

import (
	"bytes"
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
	"github.com/tebingtinggi/hub/training"
	"github.com/tebingtinggi/hub/training/trainingtest"
)

// endedSessionRound builds n ASN (even ones in DISKOMINFO, odd ones in
// BKPSDM), all attending one session that ended, lets prepare change the
// world, and opens the session's anonymous round.
func endedSessionRound(t *testing.T, db *storage.DB, n int, opts training.Options, prepare func(trainingtest.World)) (trainingtest.World, []training.Enrolment, int64, time.Time) {
	t.Helper()
	ctx := context.Background()
	now := time.Now().UTC()
	w := trainingtest.Build(t, db, trainingtest.Spec{ASN: n, Sessions: 1, Start: now.Add(-48 * time.Hour), Options: opts})
	enr, err := w.Store.Enrolments(ctx, w.Sessions[0])
	if err != nil || len(enr) != n {
		t.Fatal(enr, err)
	}
	for _, e := range enr {
		if _, err := storagetest.InTx(db, func(tx *sqlx.Tx) (training.Session, error) {
			return w.Store.RecordRSVP(ctx, tx, e.ID, e.NIP, true, "", now.Add(-72*time.Hour))
		}); err != nil {
			t.Fatal(err)
		}
	}
	if prepare != nil {
		prepare(w)
	}
	rounds, err := w.Store.OpenPostTrainingRounds(ctx, now, time.Minute)
	if err != nil || len(rounds) != 1 || !rounds[0].Anonymous {
		t.Fatal(rounds, err)
	}
	return w, enr, rounds[0].ID, now
}

// unitOf maps each ASN of w to their unit.
func unitOf(t *testing.T, w trainingtest.World) map[string]string {
	t.Helper()
	all, err := w.Store.ListASN(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, a := range all {
		out[a.NIP] = a.UnitCode
	}
	return out
}

// An anonymous round's report hides a unit with fewer responses than the
// threshold. With one such unit, whose lone respondent the round's
// overall figures less the other unit's means would reveal, the whole
// comparison by unit is withheld, and the report says why.
func TestRoundReportWithholdsUnitsRevealedByDifference(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		w, enr, roundID, now := endedSessionRound(t, db, 10, training.Options{AnonymityThreshold: 5}, nil)
		units := unitOf(t, w)
		// Five from DISKOMINFO answer 4; one lone person from BKPSDM answers 1.
		lone, d := "", 0
		for _, e := range enr {
			switch {
			case units[e.NIP] == "DISKOMINFO" && d < 5:
				trainingtest.CompleteRound(t, db, w.Store, roundID, e.NIP, "4", "ok", now)
				d++
			case units[e.NIP] == "BKPSDM" && lone == "":
				lone = e.NIP
				trainingtest.CompleteRound(t, db, w.Store, roundID, e.NIP, "1", "buruk", now)
			}
		}
		rep, err := w.Store.RoundReport(ctx, roundID)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Suppressed || rep.HiddenUnits != 1 || len(rep.Units) != 0 || !rep.UnitsWithheld {
			t.Fatalf("unexpected shape: suppressed %v hidden %d withheld %v units %+v", rep.Suppressed, rep.HiddenUnits, rep.UnitsWithheld, rep.Units)
		}
		q := rep.Questions[0]
		for _, shown := range rep.Units {
			derived := q.Mean*float64(rep.Responded) - shown.Means[q.ID]*float64(shown.Responded)
			if math.Abs(derived-1) < 1e-9 {
				t.Errorf("the lone BKPSDM respondent's answer to %q (hidden unit) is %v = overall %v×%d − %s %v×%d",
					q.ID, derived, q.Mean, rep.Responded, shown.Unit, shown.Means[q.ID], shown.Responded)
			}
		}
		var txt bytes.Buffer
		if err := rep.WriteText(&txt); err != nil {
			t.Fatal(err)
		}
		if out := txt.String(); !strings.Contains(out, "Perbandingan per OPD tidak ditampilkan: 1 OPD memiliki responden masing-masing kurang dari 5") ||
			!strings.Contains(out, "selisih angka keseluruhan dengan angka OPD yang ditampilkan") ||
			strings.Contains(out, "DISKOMINFO") || strings.Contains(out, "BKPSDM") {
			t.Errorf("text report:\n%s", out)
		}
		var csv bytes.Buffer
		if err := rep.WriteCSV(&csv); err != nil {
			t.Fatal(err)
		}
		if out := csv.String(); strings.Contains(out, "\n1,unit,") || strings.Contains(out, "DISKOMINFO") ||
			!strings.Contains(out, `,hidden,,,,,1,,,,,,,"perbandingan per OPD disembunyikan: 1 OPD`) {
			t.Errorf("CSV report:\n%s", out)
		}
	})
}

// Units too small to show on their own that have the threshold's
// responses between them are shown pooled, as "OPD lainnya".
func TestRoundReportPoolsSmallUnits(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		moved := map[string]bool{}
		w, enr, roundID, now := endedSessionRound(t, db, 12, training.Options{AnonymityThreshold: 3}, func(w trainingtest.World) {
			// Two of BKPSDM (odd ones) work at BAPPEDA when the survey is sent.
			file := "nip,name,unit\n" + w.NIPs[1] + ",ASN Uji 2,BAPPEDA\n" + w.NIPs[3] + ",ASN Uji 4,BAPPEDA\n"
			if _, err := w.Store.ImportUnits(ctx, strings.NewReader("code,name\nBAPPEDA,Badan Perencanaan Pembangunan Daerah\n"), "units.csv"); err != nil {
				t.Fatal(err)
			}
			if _, err := w.Store.ImportASN(ctx, strings.NewReader(file), "asn.csv"); err != nil {
				t.Fatal(err)
			}
			moved[w.NIPs[1]], moved[w.NIPs[3]] = true, true
		})
		units := unitOf(t, w)
		answered := map[string]int{}
		value := map[string]string{"DISKOMINFO": "4", "BKPSDM": "2", "BAPPEDA": "1"}
		want := map[string]int{"DISKOMINFO": 3, "BKPSDM": 2, "BAPPEDA": 2}
		for _, e := range enr {
			u := units[e.NIP]
			if answered[u] < want[u] {
				trainingtest.CompleteRound(t, db, w.Store, roundID, e.NIP, value[u], "ok", now)
				answered[u]++
			}
		}
		rep, err := w.Store.RoundReport(ctx, roundID)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Suppressed || rep.UnitsWithheld || rep.HiddenUnits != 2 || len(rep.Units) != 2 {
			t.Fatalf("unexpected shape: suppressed %v withheld %v hidden %d units %+v", rep.Suppressed, rep.UnitsWithheld, rep.HiddenUnits, rep.Units)
		}
		q := rep.Questions[0].ID
		d, o := rep.Units[0], rep.Units[1]
		if d.Unit != "DISKOMINFO" || d.Responded != 3 || d.Means[q] != 4 || d.Others != 0 {
			t.Errorf("DISKOMINFO row %+v", d)
		}
		if o.Unit != training.OtherUnits || o.Others != 2 || o.Responded != 4 || o.Invited != 6 || o.Means[q] != 1.5 || o.UnitName != "OPD lainnya (2 OPD digabung)" {
			t.Errorf("pooled row %+v; want BKPSDM and BAPPEDA, 4 responses of 6 invited, mean 1,5", o)
		}
		var txt bytes.Buffer
		if err := rep.WriteText(&txt); err != nil {
			t.Fatal(err)
		}
		if out := txt.String(); !strings.Contains(out, `2 OPD dengan responden masing-masing kurang dari 3 digabung dalam baris "OPD lainnya"`) ||
			strings.Contains(out, "BKPSDM") || strings.Contains(out, "BAPPEDA") {
			t.Errorf("text report:\n%s", out)
		}
	})
}

// An optional Likert question may be skipped, so a unit shown (it has
// threshold respondents) may have fewer answers to it: the unit's mean of
// that question is withheld, and so is the round's figure for it when
// fewer than threshold answered it in all; the text and CSV say why.
func TestRoundReportGuardsSkippedQuestions(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		w, enr, roundID, now := endedSessionRound(t, db, 10, training.Options{AnonymityThreshold: 3}, func(w trainingtest.World) {
			tpl, err := w.Store.GetTemplate(ctx, training.TemplatePostTraining)
			if err != nil {
				t.Fatal(err)
			}
			for i := range tpl.Questions {
				if tpl.Questions[i].ID == "fasilitas" {
					tpl.Questions[i].Required = false
				}
			}
			if err := w.Store.SaveTemplate(ctx, tpl); err != nil {
				t.Fatal(err)
			}
		})
		units := unitOf(t, w)
		// Three of each unit respond; one of each answers "fasilitas"
		// (DISKOMINFO 1, BKPSDM 5), the others skip it.
		done := map[string]int{}
		for _, e := range enr {
			u := units[e.NIP]
			if done[u] == 3 {
				continue
			}
			fasilitas := "-" // skipped
			if done[u] == 0 {
				fasilitas = map[string]string{"DISKOMINFO": "1", "BKPSDM": "5"}[u]
			}
			done[u]++
			st, err := storagetest.InTx(db, func(tx *sqlx.Tx) (training.Step, error) { return w.Store.Start(ctx, tx, roundID, e.NIP, now) })
			for err == nil && !st.Done {
				q := st.QuestionID
				st, err = storagetest.InTx(db, func(tx *sqlx.Tx) (training.Step, error) {
					switch q {
					case "fasilitas":
						return w.Store.Answer(ctx, tx, roundID, e.NIP, q, fasilitas, now)
					case "saran":
						return w.Store.AnswerText(ctx, tx, roundID, e.NIP, "ok", now)
					}
					return w.Store.Answer(ctx, tx, roundID, e.NIP, q, "4", now)
				})
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		rep, err := w.Store.RoundReport(ctx, roundID)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Suppressed || rep.Responded != 6 || len(rep.Units) != 2 {
			t.Fatalf("unexpected shape: suppressed %v responded %d units %+v", rep.Suppressed, rep.Responded, rep.Units)
		}
		for _, q := range rep.Questions {
			if q.ID == "fasilitas" && (q.Hidden == "" || q.N != 0) {
				t.Errorf("fasilitas answered by 2 of 6 shown in the round: %+v", q)
			}
		}
		for _, u := range rep.Units {
			if m, ok := u.Means["fasilitas"]; ok || u.Hidden["fasilitas"] == "" {
				t.Errorf("%s shows the mean %v of fasilitas, answered there by one person (hidden %q)", u.Unit, m, u.Hidden["fasilitas"])
			}
			if _, ok := u.Means["relevansi"]; !ok {
				t.Errorf("%s lost relevansi, answered by all three: %+v", u.Unit, u)
			}
		}
		var txt bytes.Buffer
		if err := rep.WriteText(&txt); err != nil {
			t.Fatal(err)
		}
		if out := txt.String(); !strings.Contains(out, "Rata-rata fasilitas untuk DISKOMINFO tidak ditampilkan") {
			t.Errorf("text report:\n%s", out)
		}
		var csv bytes.Buffer
		if err := rep.WriteCSV(&csv); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(csv.String(), ",hidden,DISKOMINFO,fasilitas,") {
			t.Errorf("CSV lacks the hidden unit mean:\n%s", csv.String())
		}
	})
}

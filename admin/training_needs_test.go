package admin

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
	"github.com/tebingtinggi/hub/training"
	"github.com/tebingtinggi/hub/training/trainingtest"
)

// selfAssessAll completes nip's self-assessment in round with the same
// rating on every scale.
func selfAssessAll(t *testing.T, db *storage.DB, s *training.Store, round training.Round, nip, rating string, now time.Time) {
	t.Helper()
	ctx := context.Background()
	for _, q := range round.Questions {
		v := "1"
		if q.Kind == training.Likert5 {
			v = rating
		}
		if _, err := storagetest.InTx(db, func(tx *sqlx.Tx) (training.Step, error) { return s.Answer(ctx, tx, round.ID, nip, q.ID, v, now) }); err != nil {
			t.Fatalf("%s answers %s: %v", nip, q.ID, err)
		}
	}
}

// TestNeedsPageShowsTheTrainingReport: the needs page and its export are
// the training store's report, escaped, for viewers too.
func TestNeedsPageShowsTheTrainingReport(t *testing.T) {
	const attack = `<script>alert(1)</script>`
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h, c := loggedIn(t, db, "vera", RoleViewer)
		ctx := context.Background()
		res, body := c.get("/admin/training/needs")
		wantStatus(t, "needs without answers", res, body, http.StatusOK)
		if !strings.Contains(body, `id="needs-empty"`) {
			t.Errorf("an empty report is not said so:\n%s", body)
		}

		now := h.clock.Now()
		w := trainingtest.Build(t, db, trainingtest.Spec{ASN: 4, Sessions: 1, Start: now.Add(24 * time.Hour)})
		if _, err := h.training.ImportTrainings(ctx, strings.NewReader("code,title,competency,hours,provider\nDATA1,Analisis Data "+
			strings.ReplaceAll(attack, ",", "")+",data,8,BPSDM\n"), "katalog.csv"); err != nil {
			t.Fatal(err)
		}
		if err := h.training.EnsureTemplates(ctx); err != nil {
			t.Fatal(err)
		}
		round, opened, err := h.training.OpenPeriodicRound(ctx, training.TemplateCompetency, now)
		if err != nil || !opened {
			t.Fatalf("open the self-assessment: %v, %v", opened, err)
		}
		for i, nip := range w.NIPs {
			rating := "4"
			if i < 3 {
				rating = "2"
			}
			selfAssessAll(t, db, h.training, round, nip, rating, now.Add(time.Hour))
		}
		want, err := h.training.NeedsReport(ctx, training.Quarter{}, "", now)
		if err != nil {
			t.Fatal(err)
		}
		quarter := want.Quarter.String()
		res, body = c.get("/admin/training/needs")
		wantStatus(t, "needs", res, body, http.StatusOK)
		for _, s := range []string{"75% (3 dari 4)", "4 responden", "Analisis Data &lt;script&gt;alert(1)&lt;/script&gt;",
			`href="/admin/training/needs/export?quarter=` + quarter + `"`} {
			if !strings.Contains(body, s) {
				t.Errorf("the page lacks %q:\n%s", s, body)
			}
		}
		if strings.Contains(body, "<script>alert") {
			t.Errorf("not escaped:\n%s", body)
		}
		res, body = c.get("/admin/training/needs?quarter=" + quarter + "&unit=TIDAKADA")
		wantStatus(t, "needs of an unknown unit", res, body, http.StatusOK)
		res, body = c.get("/admin/training/needs?quarter=kemarin")
		wantStatus(t, "a bad quarter", res, body, http.StatusBadRequest)

		res, body = c.get("/admin/training/needs/export?quarter=" + quarter)
		wantStatus(t, "export", res, body, http.StatusOK)
		var csv strings.Builder
		csv.WriteString("\uFEFF") // for Excel: see sendCSV
		if err := want.WriteCSV(&csv); err != nil {
			t.Fatal(err)
		}
		if body != csv.String() || res.Header.Get("Content-Type") != "text/csv; charset=utf-8" {
			t.Errorf("export %q:\n%s\nwant:\n%s", res.Header.Get("Content-Type"), body, csv.String())
		}
	})
}

package training

import (
	"bytes"
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

// A training run in sessions too small to show their anonymous
// evaluations one by one still shows whether it works: its report pools
// the rounds of each survey (response rate, scores per question, the
// comments). The pool hides its answers when the rounds too small to show
// would appear as its difference with the rounds shown.
func TestTrainingReportPoolsItsSessions(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		s := fixture(t, db)
		now := wib("2026-12-20 12:00")
		s.opts.Now = func() time.Time { return now }
		ctx := context.Background()
		for _, nip := range []string{nipBudi, nipSiti, nipAndi} {
			link(t, s, nip, wib("2026-11-01 10:00"))
		}
		if _, err := s.ImportSessions(ctx, strings.NewReader("code,training,start,end,place\n"+
			"ANL-2026-02,DIG-ANALITIK,2026-12-10 09:00,2026-12-10 16:00,Aula\n"), "sesi-kedua.csv"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ImportEnrolments(ctx, strings.NewReader("session,nip,attended\n"+
			"ANL-2026-01,"+nipBudi+",ya\nANL-2026-01,"+nipSiti+",ya\nANL-2026-02,"+nipAndi+",ya\n"), "hadir.csv"); err != nil {
			t.Fatal(err)
		}
		if rounds, err := s.OpenPostTrainingRounds(ctx, now, 2*time.Hour); err != nil || len(rounds) != 2 {
			t.Fatalf("OpenPostTrainingRounds = %d rounds, %v; want 2", len(rounds), err)
		}
		first, second := sessionRound(t, s, "ANL-2026-01"), sessionRound(t, s, "ANL-2026-02")
		answerAll(t, s, first, nipBudi, "4", "Praktiknya kurang.", now)
		answerAll(t, s, first, nipSiti, "2", "Ruangan panas.", now)
		answerAll(t, s, second, nipAndi, "5", "Sangat bermanfaat.", now)
		trainingID := sessionByCode(t, s, "ANL-2026-01").TrainingID

		// Three answers in rounds of two and one: none shows alone, the
		// three together do.
		s.opts.AnonymityThreshold = 3
		tr, err := s.TrainingReport(ctx, trainingID)
		if err != nil {
			t.Fatal(err)
		}
		if len(tr.Rounds) != 2 || !tr.Rounds[0].Suppressed || !tr.Rounds[1].Suppressed {
			t.Fatalf("rounds: %d, want 2 hidden", len(tr.Rounds))
		}
		if len(tr.Summaries) != 1 {
			t.Fatalf("summaries: %d, want 1", len(tr.Summaries))
		}
		sum := tr.Summaries[0]
		if sum.Suppressed || sum.Pooled != 2 || sum.Invited != 3 || sum.Responded != 3 || sum.ResponseRate != 1 || len(sum.Questions) == 0 {
			t.Fatalf("summary: suppressed %v, %d rounds, %d invited, %d completed, rate %v, %d questions; want shown, 2, 3, 3, 1",
				sum.Suppressed, sum.Pooled, sum.Invited, sum.Responded, sum.ResponseRate, len(sum.Questions))
		}
		q := sum.Questions[0]
		if q.Kind != Likert5 || q.N != 3 || q.Dist != [5]int{0, 1, 0, 1, 1} {
			t.Errorf("summary of %s: %d answers, %v; want 3 answers: one 2, one 4, one 5", q.ID, q.N, q.Dist)
		}
		var texts []string
		for _, q := range sum.Questions {
			texts = append(texts, q.Texts...)
		}
		if !equal(texts, []string{"Praktiknya kurang.", "Ruangan panas.", "Sangat bermanfaat."}) {
			t.Errorf("summary comments %q", texts)
		}
		var txt bytes.Buffer
		if err := tr.WriteText(&txt); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(txt.String(), "Ringkasan seluruh sesi: Evaluasi Pelatihan, 2 putaran") ||
			!strings.Contains(txt.String(), "rata-rata 3,67 dari 3 jawaban; sebaran 1–5: 0 / 1 / 0 / 1 / 1") {
			t.Errorf("training report:\n%s", txt.String())
		}
		scopes := map[string]int{}
		for _, r := range csvRecords(t, tr.WriteCSV) {
			scopes[r[1]]++
			if r[1] == "training" && (r[0] != "" || r[6] != "3" || r[9] != "3" || r[7] != "1.000" || r[14] != "2") {
				t.Errorf("CSV training row %q: want no round, 3 invited, 3 completed, rate 1.000, 2 rounds", r)
			}
		}
		if scopes["training"] != 1 || scopes["training_total"] != len(sum.Questions) || scopes["training_text"] != 3 || scopes["hidden"] != 2 {
			t.Errorf("CSV scopes %v", scopes)
		}

		// Two answers shown in the first round: the second's one would
		// show as the difference, so the pool hides its answers too.
		s.opts.AnonymityThreshold = 2
		tr, err = s.TrainingReport(ctx, trainingID)
		if err != nil {
			t.Fatal(err)
		}
		if len(tr.Summaries) != 1 || !tr.Summaries[0].SuppressedByDifference() || len(tr.Summaries[0].Questions) != 0 {
			t.Fatalf("summary beside a round shown: %+v", tr.Summaries)
		}
		txt.Reset()
		if err := tr.WriteText(&txt); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(txt.String(), "Jawaban tidak ditampilkan: 1 jawaban di antaranya berasal dari putaran yang terlalu kecil") ||
			strings.Contains(txt.String(), "Sangat bermanfaat.") {
			t.Errorf("training report:\n%s", txt.String())
		}
	})
}

// A training without sessions says so, rather than an empty table.
func TestTrainingReportWithoutSessions(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		s := fixture(t, db)
		ctx := context.Background()
		if _, err := s.ImportTrainings(ctx, strings.NewReader("code,title\nBARU-2027,Pelatihan Baru\n"), "baru.csv"); err != nil {
			t.Fatal(err)
		}
		tr, err := s.TrainingByCode(ctx, "BARU-2027")
		if err != nil {
			t.Fatal(err)
		}
		rep, err := s.TrainingReport(ctx, tr.ID)
		if err != nil {
			t.Fatal(err)
		}
		var txt bytes.Buffer
		if err := rep.WriteText(&txt); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(txt.String(), "Belum ada sesi untuk pelatihan ini.") ||
			strings.Contains(txt.String(), "Penilaian mandiri") { // the training covers no competency

			t.Errorf("report of a training without sessions:\n%s", txt.String())
		}
	})
}

// Does the training work? Its participants' digital self-assessment on
// the competencies it covers, from before it and from after it, side by
// side: only those who answered both count.
func TestTrainingReportComparesSelfAssessments(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		s := surveyWorld(t, db, Options{}) // Budi, Siti and Andi: Hadir at ANL-2026-01, 3 December
		ctx := context.Background()
		beforeAt, afterAt := wib("2026-11-20 10:00"), wib("2027-01-04 10:00")
		early, _, err := s.OpenPeriodicRound(ctx, TemplateCompetency, wib("2026-11-02 08:00"))
		if err != nil {
			t.Fatal(err)
		}
		answerAll(t, s, early.ID, nipBudi, "1", "", wib("2026-11-03 10:00")) // superseded by his later one
		first, _, err := s.OpenPeriodicRound(ctx, TemplateCompetency, beforeAt)
		if err != nil {
			t.Fatal(err)
		}
		answerAll(t, s, first.ID, nipBudi, "2", "", beforeAt)
		answerAll(t, s, first.ID, nipSiti, "3", "", beforeAt)
		answerAll(t, s, first.ID, nipAndi, "3", "", beforeAt)
		second, _, err := s.OpenPeriodicRound(ctx, TemplateCompetency, afterAt)
		if err != nil {
			t.Fatal(err)
		}
		answerAll(t, s, second.ID, nipBudi, "4", "", afterAt)
		answerAll(t, s, second.ID, nipSiti, "4", "", afterAt)
		// Andi answered before only: he does not count.
		tr, err := s.TrainingReport(ctx, sessionByCode(t, s, "ANL-2026-01").TrainingID)
		if err != nil {
			t.Fatal(err)
		}
		want := []CompetencyChange{
			{Competency: "data", Pairs: 2, Before: 2.5, After: 4, BeforeDist: [5]int{0, 1, 1, 0, 0}, AfterDist: [5]int{0, 0, 0, 2, 0}},
			{Competency: "perkantoran", Pairs: 2, Before: 2.5, After: 4, BeforeDist: [5]int{0, 1, 1, 0, 0}, AfterDist: [5]int{0, 0, 0, 2, 0}},
		}
		if !reflect.DeepEqual(tr.Competencies, want) {
			t.Errorf("competencies:\n%+v\nwant\n%+v", tr.Competencies, want)
		}
		var txt bytes.Buffer
		if err := tr.WriteText(&txt); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(txt.String(), "Penilaian mandiri kompetensi digital peserta, sebelum → sesudah pelatihan") ||
			!strings.Contains(txt.String(), "2,50 → 4,00  (+1,50; 2 peserta)") {
			t.Errorf("training report:\n%s", txt.String())
		}
		rows := 0
		for _, r := range csvRecords(t, tr.WriteCSV) {
			if r[1] == "before" || r[1] == "after" {
				rows++
				if r[3] == "data" && r[1] == "after" && (r[6] != "2" || r[7] != "4.000" || r[11] != "2") {
					t.Errorf("CSV after row %q", r)
				}
			}
		}
		if rows != 4 {
			t.Errorf("%d before and after rows in the CSV, want 4", rows)
		}
	})
}

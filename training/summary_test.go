package training

import (
	"bytes"
	"context"
	"encoding/json"
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
		s, now, first, second := twoSmallSessions(t, db)
		ctx := context.Background()
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
		// The digest's summaries, read without the rest of the report.
		if sums, err := s.Summaries(ctx, trainingID); err != nil || !reflect.DeepEqual(sums, tr.Summaries) {
			t.Errorf("Summaries = %+v, %v; want the report's %+v", sums, err, tr.Summaries)
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

// newQuestion is a question the evaluation template gained after some of
// a training's rounds had opened.
var newQuestion = Question{ID: "materi_baru", Kind: Likert5, Text: "Seberapa jelas materi tambahan?", Required: true}

// askNewQuestion adds newQuestion to the questions a round copied from
// its template when it opened, as if the template had gained it before.
func askNewQuestion(t *testing.T, s *Store, db *storage.DB, roundID int64) {
	t.Helper()
	ctx := context.Background()
	r, err := s.GetRound(ctx, roundID)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(append([]Question{newQuestion}, r.Questions...))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, db.Rebind(`UPDATE survey_rounds SET questions = ? WHERE id = ?`), string(raw), roundID); err != nil {
		t.Fatal(err)
	}
}

// summaryQuestion returns the summary's stats of question id.
func summaryQuestion(t *testing.T, sum RoundReport, id string) QuestionStats {
	t.Helper()
	for _, q := range sum.Questions {
		if q.ID == id {
			return q
		}
	}
	t.Fatalf("summary without question %s: %+v", id, sum.Questions)
	return QuestionStats{}
}

// checkHiddenEverywhere checks that the training report hides the pooled
// answers to newQuestion, saying why (because), in its text and CSV.
func checkHiddenEverywhere(t *testing.T, tr TrainingReport, because string) {
	t.Helper()
	var txt bytes.Buffer
	if err := tr.WriteText(&txt); err != nil {
		t.Fatal(err)
	}
	summary, _, _ := strings.Cut(txt.String()[strings.Index(txt.String(), "Ringkasan seluruh sesi"):], "\nSurvei: ")
	_, after, _ := strings.Cut(summary, newQuestion.Text+"\n   disembunyikan: ")
	if line, _, _ := strings.Cut(after, "\n"); !strings.Contains(line, because) {
		t.Errorf("the summary does not say why %s is hidden:\n%s", newQuestion.ID, summary)
	}
	hidden := 0
	for _, r := range csvRecords(t, tr.WriteCSV) {
		if r[3] != newQuestion.ID || !strings.HasPrefix(r[1], "training") {
			continue
		}
		if r[1] != "training_hidden" || r[6] != "" || r[7] != "" || r[8] != "" || !strings.Contains(r[13], because) {
			t.Errorf("CSV row of the hidden question: %q", r)
		}
		hidden++
	}
	if hidden != 1 {
		t.Errorf("%d training_hidden rows for %s, want 1", hidden, newQuestion.ID)
	}
}

// The organisers add a question to the evaluation template between two
// small sessions (rounds copy the template's questions when they open).
// The pool of both rounds has as many hidden answers as the threshold
// asks, so it shows; but the new question was asked only in the second
// round, whose single respondent's answer to it would show alone.
func TestTrainingSummaryHidesAQuestionOnlyASmallRoundAsked(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		s, now, first, second := twoSmallSessions(t, db)
		ctx := context.Background()
		askNewQuestion(t, s, db, second)
		answerAll(t, s, first, nipBudi, "4", "Praktiknya kurang.", now)
		answerAll(t, s, first, nipSiti, "2", "Ruangan panas.", now)
		answerAll(t, s, second, nipAndi, "1", "Kurang jelas.", now)

		s.opts.AnonymityThreshold = 3
		tr, err := s.TrainingReport(ctx, sessionByCode(t, s, "ANL-2026-01").TrainingID)
		if err != nil {
			t.Fatal(err)
		}
		if len(tr.Rounds) != 2 || !tr.Rounds[0].Suppressed || !tr.Rounds[1].Suppressed || len(tr.Summaries) != 1 {
			t.Fatalf("want two hidden rounds and one summary, got %d rounds, %d summaries", len(tr.Rounds), len(tr.Summaries))
		}
		sum := tr.Summaries[0]
		for _, q := range sum.Questions {
			if q.ID == newQuestion.ID && q.N > 0 && q.N < 3 {
				t.Errorf("the pooled summary shows %q from %d answer(s) (%v), below the anonymity threshold of 3: Andi's answer alone", q.ID, q.N, q.Dist)
			}
		}
		if q := summaryQuestion(t, sum, newQuestion.ID); q.N != 0 || q.Mean != 0 || q.Dist != [5]int{} ||
			q.Hidden != "disembunyikan: terlalu sedikit jawaban untuk menjaga kerahasiaan (kurang dari 3)" {
			t.Errorf("summary of %s: %+v; want hidden as too few answers", q.ID, q)
		}
		// The questions all three were asked still show.
		if q := summaryQuestion(t, sum, "relevansi"); q.Hidden != "" || q.N != 3 || q.Dist != [5]int{1, 1, 0, 1, 0} {
			t.Errorf("summary of %s: %+v; want 3 answers shown", q.ID, q)
		}
		checkHiddenEverywhere(t, tr, "terlalu sedikit jawaban")
	})
}

// A question asked in a round shown on its own and in only one of two
// rounds too small to show, each of one respondent: the pool has as many
// hidden answers as the threshold asks, so it shows, and the question
// has answers enough; but its pooled figures minus those of the round
// shown would be the one hidden respondent's answer.
func TestTrainingSummaryHidesAQuestionRevealingASmallRoundByDifference(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		s := fixture(t, db)
		now := wib("2026-12-20 12:00")
		s.opts.Now = func() time.Time { return now }
		ctx := context.Background()
		const nipDewi = "199512122020122005"
		if _, err := s.ImportASN(ctx, strings.NewReader("nip,name,unit\n"+nipDewi+",Dewi Lubis,BKPSDM\n"), "asn-baru.csv"); err != nil {
			t.Fatal(err)
		}
		for _, nip := range []string{nipBudi, nipSiti, nipAndi, nipDewi} {
			link(t, s, nip, wib("2026-11-01 10:00"))
		}
		if _, err := s.ImportSessions(ctx, strings.NewReader("code,training,start,end,place\n"+
			"ANL-2026-02,DIG-ANALITIK,2026-12-10 09:00,2026-12-10 16:00,Aula\n"+
			"ANL-2026-03,DIG-ANALITIK,2026-12-11 09:00,2026-12-11 16:00,Aula\n"), "sesi.csv"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ImportEnrolments(ctx, strings.NewReader("session,nip,attended\n"+
			"ANL-2026-01,"+nipBudi+",ya\nANL-2026-01,"+nipSiti+",ya\nANL-2026-02,"+nipAndi+",ya\nANL-2026-03,"+nipDewi+",ya\n"), "hadir.csv"); err != nil {
			t.Fatal(err)
		}
		if rounds, err := s.OpenPostTrainingRounds(ctx, now, 2*time.Hour); err != nil || len(rounds) != 3 {
			t.Fatalf("OpenPostTrainingRounds = %d rounds, %v; want 3", len(rounds), err)
		}
		first, second, third := sessionRound(t, s, "ANL-2026-01"), sessionRound(t, s, "ANL-2026-02"), sessionRound(t, s, "ANL-2026-03")
		askNewQuestion(t, s, db, first)
		askNewQuestion(t, s, db, second)
		answerAll(t, s, first, nipBudi, "4", "Praktiknya kurang.", now)
		answerAll(t, s, first, nipSiti, "5", "Ruangan panas.", now)
		answerAll(t, s, second, nipAndi, "1", "Kurang jelas.", now)
		answerAll(t, s, third, nipDewi, "3", "Cukup.", now)

		s.opts.AnonymityThreshold = 2
		tr, err := s.TrainingReport(ctx, sessionByCode(t, s, "ANL-2026-01").TrainingID)
		if err != nil {
			t.Fatal(err)
		}
		if len(tr.Rounds) != 3 || tr.Rounds[0].Suppressed || !tr.Rounds[1].Suppressed || !tr.Rounds[2].Suppressed || len(tr.Summaries) != 1 {
			t.Fatalf("want the first round shown, two hidden and one summary, got %d rounds, %d summaries", len(tr.Rounds), len(tr.Summaries))
		}
		// The first round shows its two answers to the new question.
		if q := tr.Rounds[0].Questions[0]; q.ID != newQuestion.ID || q.N != 2 {
			t.Fatalf("first round's %s: %+v", q.ID, q)
		}
		sum := tr.Summaries[0]
		if sum.Suppressed || sum.HiddenResponses != 2 {
			t.Fatalf("summary: suppressed %v, %d hidden responses; want shown, 2", sum.Suppressed, sum.HiddenResponses)
		}
		if q := summaryQuestion(t, sum, newQuestion.ID); q.N != 0 || q.Mean != 0 || q.Dist != [5]int{} ||
			!strings.HasPrefix(q.Hidden, "disembunyikan: sebagian jawabannya berasal dari putaran yang terlalu kecil") {
			t.Errorf("summary of %s: %+v; want hidden, as Andi's answer is its difference with the first round", q.ID, q)
		}
		// Andi's and Dewi's answers together are as many as the threshold.
		if q := summaryQuestion(t, sum, "relevansi"); q.Hidden != "" || q.N != 4 || q.Dist != [5]int{1, 0, 1, 1, 1} {
			t.Errorf("summary of %s: %+v; want 4 answers shown", q.ID, q)
		}
		checkHiddenEverywhere(t, tr, "selisih ringkasan ini dengan putaran lainnya")
	})
}

// twoSmallSessions is the fixture with a second session of DIG-ANALITIK:
// Budi and Siti attended ANL-2026-01, Andi ANL-2026-02, all three linked;
// the clock stands at now, after both, and each session's post-training
// round is open (first and second).
func twoSmallSessions(t *testing.T, db *storage.DB) (s *Store, now time.Time, first, second int64) {
	t.Helper()
	s = fixture(t, db)
	now = wib("2026-12-20 12:00")
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
	return s, now, sessionRound(t, s, "ANL-2026-01"), sessionRound(t, s, "ANL-2026-02")
}

package training

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"io"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

func TestShippedTemplates(t *testing.T) {
	ts, err := ShippedTemplates()
	if err != nil {
		t.Fatal(err)
	}
	codes := map[string]bool{}
	for _, tpl := range ts {
		codes[tpl.Code] = true
		for _, q := range tpl.Questions {
			for _, v := range []string{"5", "-", "8"} {
				if d := answerData(9_999_999_999, q.ID, v); len(d) > 64 {
					t.Errorf("button data %q over 64 bytes", d)
				}
			}
		}
	}
	for _, c := range []string{TemplatePostTraining, TemplateFollowUp, TemplateCompetency} {
		if !codes[c] {
			t.Errorf("template %s not shipped", c)
		}
	}
	bad := Template{Code: "x", Title: "X", Questions: []Question{{ID: "a", Kind: Choice, Text: "?", Options: []string{"only"}}}}
	if bad.Validate() == nil {
		t.Error("a choice with one option validated")
	}
}

// surveyWorld is the fixture with Budi, Siti (DISKOMINFO) and Andi (BKPSDM)
// linked, all three attending ANL-2026-01, which ends 2026-12-03 16:00 WIB.
func surveyWorld(t *testing.T, db *storage.DB, opts Options) *Store {
	t.Helper()
	s := fixture(t, db)
	s.opts = New(db, opts).opts
	ctx := context.Background()
	at := wib("2026-11-01 10:00")
	for _, nip := range []string{nipBudi, nipSiti, nipAndi} {
		link(t, s, nip, at)
	}
	if _, err := s.ImportEnrolments(ctx, strings.NewReader("session,nip\nANL-2026-01,"+nipAndi+"\n"), "more.csv"); err != nil {
		t.Fatal(err)
	}
	for _, nip := range []string{nipBudi, nipSiti, nipAndi} {
		e := enrolmentOf(t, s, "ANL-2026-01", nip)
		if _, err := storagetest.InTx(db, func(tx *sqlx.Tx) (Session, error) { return s.RecordRSVP(ctx, tx, e.ID, nip, true, "", at) }); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// stepper returns a helper that fails t on an error and returns the step.
func stepper(t *testing.T) func(Step, error) Step {
	return func(st Step, err error) Step {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
}

func TestSurveyFlow(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		s := surveyWorld(t, db, Options{})
		ctx := context.Background()
		end := wib("2026-12-03 16:00")
		must := stepper(t)

		rounds, err := s.OpenPostTrainingRounds(ctx, end.Add(time.Hour), 2*time.Hour)
		if err != nil || len(rounds) != 0 {
			t.Fatalf("an hour after the end: %v, %v", rounds, err)
		}
		now := end.Add(2 * time.Hour)
		rounds, err = s.OpenPostTrainingRounds(ctx, now, 2*time.Hour)
		if err != nil || len(rounds) != 1 {
			t.Fatalf("two hours after the end: %v, %v", rounds, err)
		}
		r := rounds[0]
		if !r.Anonymous || r.TemplateCode != TemplatePostTraining || !strings.Contains(r.Title, "Analisis Data") {
			t.Errorf("round %+v", r)
		}
		if again, _ := s.OpenPostTrainingRounds(ctx, now.Add(time.Hour), 2*time.Hour); len(again) != 0 {
			t.Errorf("opened twice: %v", again)
		}
		inv, err := s.Invitations(ctx, now)
		if err != nil || len(inv) != 3 {
			t.Fatalf("invitations: %q, %v", keys(inv), err)
		}
		wantKey := invitationKey(t, s, r.ID, nipBudi, "invite")
		if keys(inv)[1] != wantKey && keys(inv)[0] != wantKey && keys(inv)[2] != wantKey {
			t.Errorf("keys %q lack %q", keys(inv), wantKey)
		}
		press, ok := ParseSurveyButton(inv[0].Out.Buttons[0][0].Data)
		if !ok || !press.Start || press.RoundID != r.ID {
			t.Errorf("start button %+v", press)
		}

		st := must(storagetest.InTx(db, func(tx *sqlx.Tx) (Step, error) { return s.Start(ctx, tx, r.ID, nipBudi, now) }))
		if st.QuestionID != "relevansi" || len(st.Out.Buttons) != 5 || !strings.Contains(st.Out.Buttons[0][0].Text, "Sangat tidak setuju") {
			t.Fatalf("first step %+v", st)
		}
		if got := skipButtons(st.Out); len(got) != 0 {
			t.Errorf("required question: skip presses %+v", got)
		}
		if p, ok := ParseSurveyButton(inv[0].Out.Buttons[0][0].Data); !ok || p.Skips() {
			t.Errorf("start button %+v skips", p)
		}
		// Typed text where a button is expected.
		_, err = storagetest.InTx(db, func(tx *sqlx.Tx) (Step, error) { return s.AnswerText(ctx, tx, r.ID, nipBudi, "bagus sekali", now) })
		if !errors.Is(err, ErrNeedButton) {
			t.Fatalf("typed text for a Likert question: %v", err)
		}
		if msg, ok := UserMessage(err); !ok || !strings.Contains(msg, "tombol") {
			t.Errorf("hint %q", msg)
		}
		// Someone else's survey, and nonsense values.
		p, _ := ParseSurveyButton(st.Out.Buttons[3][0].Data)
		if _, err := storagetest.InTx(db, func(tx *sqlx.Tx) (Step, error) { return s.Answer(ctx, tx, r.ID, nipRina, p.QuestionID, p.Value, now) }); !errors.Is(err, ErrNotYours) {
			t.Errorf("not invited: %v", err)
		}
		for _, v := range []string{"7", "0", "-", "abc"} {
			if _, err := storagetest.InTx(db, func(tx *sqlx.Tx) (Step, error) { return s.Answer(ctx, tx, r.ID, nipBudi, "relevansi", v, now) }); !errors.Is(err, ErrInvalidAnswer) {
				t.Errorf("value %q: %v", v, err)
			}
		}
		if _, err := storagetest.InTx(db, func(tx *sqlx.Tx) (Step, error) { return s.Answer(ctx, tx, r.ID, nipBudi, "nope", "3", now) }); !errors.Is(err, ErrUnknownQuestion) {
			t.Errorf("unknown question: %v", err)
		}
		st = must(storagetest.InTx(db, func(tx *sqlx.Tx) (Step, error) { return s.Answer(ctx, tx, r.ID, nipBudi, p.QuestionID, p.Value, now) }))
		st = must(storagetest.InTx(db, func(tx *sqlx.Tx) (Step, error) { return s.Answer(ctx, tx, r.ID, nipBudi, st.QuestionID, "5", now) }))
		if st.QuestionID != "narasumber" || st.Answered != 2 {
			t.Fatalf("after two answers: %+v", st)
		}
		// Pause and resume: the state is the answers.
		if id, ok, _ := s.ActiveSurvey(ctx, db, nipBudi, now.Add(time.Hour), time.Hour); !ok || id != r.ID {
			t.Errorf("ActiveSurvey = %d, %v", id, ok)
		}
		// Left longer than the idle time, the survey holds nothing.
		if id, ok, err := s.ActiveSurvey(ctx, db, nipBudi, now.Add(time.Hour+time.Second), time.Hour); ok || err != nil {
			t.Errorf("ActiveSurvey after the idle time = %d, %v, %v", id, ok, err)
		}
		st = must(storagetest.InTx(db, func(tx *sqlx.Tx) (Step, error) { return s.Next(ctx, tx, r.ID, nipBudi, now.Add(24*time.Hour)) }))
		if st.QuestionID != "narasumber" {
			t.Fatalf("resume at %q", st.QuestionID)
		}
		st = must(storagetest.InTx(db, func(tx *sqlx.Tx) (Step, error) { return s.Start(ctx, tx, r.ID, nipBudi, now.Add(24*time.Hour)) }))
		if st.QuestionID != "narasumber" {
			t.Fatalf("restart at %q", st.QuestionID)
		}
		for st.QuestionID != "saran" {
			st = must(storagetest.InTx(db, func(tx *sqlx.Tx) (Step, error) { return s.Answer(ctx, tx, r.ID, nipBudi, st.QuestionID, "4", now) }))
		}
		if last := st.Out.Buttons[len(st.Out.Buttons)-1][0]; last.Text != "Lewati" {
			t.Errorf("optional question without Lewati: %+v", st.Out.Buttons)
		}
		if got := skipButtons(st.Out); len(got) != 1 || got[0].QuestionID != "saran" {
			t.Errorf("optional question: skip presses %+v, want the one of its Lewati", got)
		}
		st = must(storagetest.InTx(db, func(tx *sqlx.Tx) (Step, error) {
			return s.AnswerText(ctx, tx, r.ID, nipBudi, "Perlu lebih banyak praktik langsung.", now)
		}))
		if !st.Done || !strings.Contains(st.Out.Text, "Terima kasih") {
			t.Fatalf("last step %+v", st)
		}
		// One response per person and round.
		if _, err := storagetest.InTx(db, func(tx *sqlx.Tx) (Step, error) { return s.Answer(ctx, tx, r.ID, nipBudi, "relevansi", "1", now) }); !errors.Is(err, ErrAlreadyDone) {
			t.Errorf("answer after completion: %v", err)
		}
		if _, err := storagetest.InTx(db, func(tx *sqlx.Tx) (Step, error) { return s.Start(ctx, tx, r.ID, nipBudi, now) }); !errors.Is(err, ErrAlreadyDone) {
			t.Errorf("start after completion: %v", err)
		}
		// Anonymous: nothing stored joins the answers to Budi.
		var n int
		if err := db.GetContext(context.Background(), &n, db.Rebind(`SELECT COUNT(*) FROM survey_answers WHERE respondent = ?`), nipBudi); err != nil || n != 0 {
			t.Errorf("answers stored under the NIP: %d, %v", n, err)
		}
		if err := db.GetContext(context.Background(), &n, db.Rebind(`SELECT COUNT(*) FROM survey_invitations WHERE nip = ? AND (token IS NOT NULL OR completed_at IS NOT NULL OR started_at IS NOT NULL)`), nipBudi); err != nil || n != 0 {
			t.Errorf("invitation keeps a token or times: %d, %v", n, err)
		}

		// Siti starts by pressing a button from the invitation's first question; Andi never starts.
		must(storagetest.InTx(db, func(tx *sqlx.Tx) (Step, error) { return s.Answer(ctx, tx, r.ID, nipSiti, "relevansi", "2", now) }))
		nudges := func(at time.Time) []string {
			ps, err := s.DueNudges(ctx, at, 2, 3*24*time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			return keys(ps)
		}
		if got := nudges(now.Add(2 * 24 * time.Hour)); len(got) != 0 {
			t.Errorf("nudges too early: %q", got)
		}
		want1 := []string{invitationKey(t, s, r.ID, nipAndi, "nudge1"), invitationKey(t, s, r.ID, nipSiti, "nudge1")}
		if got := nudges(now.Add(3 * 24 * time.Hour)); !equal(got, want1) {
			t.Errorf("first nudges %q, want %q", got, want1)
		}
		want2 := []string{invitationKey(t, s, r.ID, nipAndi, "nudge2"), invitationKey(t, s, r.ID, nipSiti, "nudge2")}
		if got := nudges(now.Add(9 * 24 * time.Hour)); !equal(got, want2) {
			t.Errorf("at most two nudges: %q, want %q", got, want2)
		}
		if inv, _ := s.Invitations(ctx, now.Add(9*24*time.Hour)); len(inv) != 0 {
			t.Errorf("invitations after nudges: %q", keys(inv))
		}

		// Closing.
		closed, err := s.CloseExpiredRounds(ctx, r.ClosesAt.Add(-time.Minute))
		if err != nil || len(closed) != 0 {
			t.Fatalf("closed early: %v, %v", closed, err)
		}
		closed, err = s.CloseExpiredRounds(ctx, r.ClosesAt)
		if err != nil || len(closed) != 1 || closed[0] != r.ID {
			t.Fatalf("close: %v, %v", closed, err)
		}
		if _, err := storagetest.InTx(db, func(tx *sqlx.Tx) (Step, error) { return s.Answer(ctx, tx, r.ID, nipSiti, "materi", "3", r.ClosesAt) }); !errors.Is(err, ErrRoundClosed) {
			t.Errorf("answer in a closed round: %v", err)
		}
		if ps := nudges(r.ClosesAt); len(ps) != 0 {
			t.Errorf("nudges for a closed round: %q", ps)
		}
		if err := db.GetContext(context.Background(), &n, `SELECT COUNT(*) FROM survey_invitations WHERE token IS NOT NULL`); err != nil || n != 0 {
			t.Errorf("tokens left after closing: %d, %v", n, err)
		}

		// The follow-up, 90 days later, is not anonymous.
		fu, err := s.OpenFollowUps(ctx, end.Add(90*24*time.Hour), 90*24*time.Hour)
		if err != nil || len(fu) != 1 || fu[0].Anonymous {
			t.Fatalf("follow-up: %+v, %v", fu, err)
		}
		st = must(storagetest.InTx(db, func(tx *sqlx.Tx) (Step, error) { return s.Start(ctx, tx, fu[0].ID, nipSiti, end.Add(90*24*time.Hour)) }))
		if st.QuestionID != "diterapkan" || len(st.Out.Buttons) != 4 {
			t.Errorf("follow-up first step %+v", st)
		}
		st = must(storagetest.InTx(db, func(tx *sqlx.Tx) (Step, error) {
			return s.Answer(ctx, tx, fu[0].ID, nipSiti, "diterapkan", "2", end.Add(90*24*time.Hour))
		}))
		if err := db.GetContext(context.Background(), &n, db.Rebind(`SELECT COUNT(*) FROM survey_answers WHERE respondent = ? AND value = 'Ya, sesekali'`), nipSiti); err != nil || n != 1 {
			t.Errorf("named answer not stored under the NIP as the option text: %d, %v", n, err)
		}
	})
}

func equal(a, b []string) bool { return strings.Join(a, ",") == strings.Join(b, ",") }

// invitationKey is the outbox key of the message of kind ("invite",
// "nudge1") of nip's invitation to round, which must exist.
func invitationKey(t *testing.T, s *Store, round int64, nip, kind string) string {
	t.Helper()
	var id int64
	if err := s.db.GetContext(context.Background(), &id, s.db.Rebind(`SELECT id FROM survey_invitations WHERE round_id = ? AND nip = ?`), round, nip); err != nil {
		t.Fatalf("invitation of %s to round %d: %v", nip, round, err)
	}
	return "survey:" + itoa(round) + ":" + nip + ":" + itoa(id) + ":" + kind
}

// withoutInvitation drops the invitation's number from a survey message's
// key: "survey:<round>:<nip>:<kind>".
func withoutInvitation(key string) string {
	parts := strings.Split(key, ":")
	if len(parts) != 5 || parts[0] != "survey" {
		return key
	}
	return strings.Join([]string{parts[0], parts[1], parts[2], parts[4]}, ":")
}

func TestPeriodicRound(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		s := surveyWorld(t, db, Options{})
		ctx := context.Background()
		now := wib("2027-01-04 08:00")
		r, opened, err := s.OpenPeriodicRound(ctx, TemplateCompetency, now)
		if err != nil || !opened {
			t.Fatalf("open: %v, %v", opened, err)
		}
		if _, opened, _ := s.OpenPeriodicRound(ctx, TemplateCompetency, now.Add(time.Hour)); opened {
			t.Error("opened twice on one day")
		}
		rep, err := s.RoundReport(ctx, r.ID)
		if err != nil || rep.Invited != 3 { // Rina is inactive and unlinked
			t.Fatalf("invited %d, %v", rep.Invited, err)
		}
		// Nobody has answered yet: a mean of no answers is no number, in
		// the CSV as in the text ("belum ada jawaban"), not a mean of 0.
		for _, rec := range csvRecords(t, rep.WriteCSV) {
			if rec[1] == "total" && rec[5] == string(Likert5) && (rec[6] != "0" || rec[7] != "") {
				t.Errorf("question without answers in the CSV: n %q, mean %q", rec[6], rec[7])
			}
		}
		if _, _, err := s.OpenPeriodicRound(ctx, "nope", now); !errors.Is(err, ErrNotFound) {
			t.Errorf("unknown template: %v", err)
		}
	})
}

// answerAll completes nip's response with value v for every Likert
// question, option 1 for choices and text for text questions.
func answerAll(t *testing.T, s *Store, roundID int64, nip, v, text string, now time.Time) {
	t.Helper()
	ctx := context.Background()
	must := stepper(t)
	st := must(storagetest.InTx(s.db, func(tx *sqlx.Tx) (Step, error) { return s.Start(ctx, tx, roundID, nip, now) }))
	for !st.Done {
		r, _ := s.GetRound(ctx, roundID)
		q, _, _ := question(r.Questions, st.QuestionID)
		var err error
		switch q.Kind {
		case Likert5:
			st, err = storagetest.InTx(s.db, func(tx *sqlx.Tx) (Step, error) { return s.Answer(ctx, tx, roundID, nip, q.ID, v, now) })
		case Choice:
			st, err = storagetest.InTx(s.db, func(tx *sqlx.Tx) (Step, error) { return s.Answer(ctx, tx, roundID, nip, q.ID, "1", now) })
		case FreeText:
			st, err = storagetest.InTx(s.db, func(tx *sqlx.Tx) (Step, error) { return s.AnswerText(ctx, tx, roundID, nip, text, now) })
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestReportsAnonymity(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		s := surveyWorld(t, db, Options{AnonymityThreshold: 2})
		ctx := context.Background()
		now := wib("2026-12-03 19:00")
		rounds, err := s.OpenPostTrainingRounds(ctx, now, 0)
		if err != nil || len(rounds) != 1 {
			t.Fatal(rounds, err)
		}
		id := rounds[0].ID
		answerAll(t, s, id, nipBudi, "5", "Waktu praktik kurang.", now)

		rep, err := s.RoundReport(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if !rep.Suppressed || rep.Responded != 1 || rep.Invited != 3 || len(rep.Questions) != 0 || len(rep.Units) != 0 {
			t.Errorf("one response of an anonymous round must be suppressed: %+v", rep)
		}
		// Its CSV says what is hidden and why instead of looking empty.
		recs := csvRecords(t, rep.WriteCSV)
		if len(recs) != 3 || recs[1][1] != "round" || recs[1][6] != "3" || recs[1][9] != "1" ||
			recs[2][1] != "hidden" || !strings.Contains(recs[2][13], "1 responden (minimal 2)") {
			t.Errorf("CSV of a suppressed round: %q", recs)
		}
		answerAll(t, s, id, nipSiti, "3", "Materi bagus.", now)
		answerAll(t, s, id, nipAndi, "4", "Fasilitas baik.", now)
		rep, err = s.RoundReport(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Suppressed || rep.Responded != 3 || rep.ResponseRate != 1 {
			t.Fatalf("report %+v", rep)
		}
		q := rep.Questions[0]
		if q.ID != "relevansi" || q.N != 3 || q.Mean != 4 || q.Dist != [5]int{0, 0, 1, 1, 1} {
			t.Errorf("relevansi stats %+v", q)
		}
		if texts := rep.Questions[5].Texts; len(texts) != 3 {
			t.Errorf("free texts %q", texts)
		}
		// DISKOMINFO has 2 responses (enough with K=2), BKPSDM 1 (hidden):
		// the round's figures less DISKOMINFO's would be BKPSDM's one
		// respondent's, so no unit is shown.
		if len(rep.Units) != 0 || !rep.UnitsWithheld || rep.HiddenUnits != 1 {
			t.Errorf("units %+v hidden %d withheld %v", rep.Units, rep.HiddenUnits, rep.UnitsWithheld)
		}
		var txt bytes.Buffer
		if err := rep.WriteText(&txt); err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"tingkat respons: 100%", "rata-rata 4,00 dari 3 jawaban", "Perbandingan per OPD tidak ditampilkan: 1 OPD memiliki responden masing-masing kurang dari 2"} {
			if !strings.Contains(txt.String(), want) {
				t.Errorf("text report lacks %q:\n%s", want, txt.String())
			}
		}
		if strings.Contains(txt.String(), "BKPSDM") || strings.Contains(txt.String(), "DISKOMINFO") {
			t.Errorf("text report shows a unit, whose figures reveal the one below the threshold:\n%s", txt.String())
		}
		recs = csvRecords(t, rep.WriteCSV)
		if len(recs) < 10 || strings.Join(recs[0], ",") != strings.Join(CSVColumns, ",") {
			t.Errorf("CSV: %d records", len(recs))
		}
		if last := recs[len(recs)-1]; last[1] != "hidden" || !strings.Contains(last[13], "perbandingan per OPD disembunyikan: 1 OPD") {
			t.Errorf("CSV lacks the hidden unit row: %q", last)
		}
		for _, r := range recs {
			if r[2] == "BKPSDM" || r[2] == "DISKOMINFO" {
				t.Errorf("CSV shows a unit: %q", r)
			}
		}

		// With the default threshold of 5 the same round shows nothing.
		rep5, _ := New(db, Options{}).RoundReport(ctx, id)
		if !rep5.Suppressed {
			t.Error("3 responses shown with threshold 5")
		}

		// The training report counts RSVPs and includes the round.
		anl := sessionByCode(t, s, "ANL-2026-01")
		tr, err := s.TrainingReport(ctx, anl.TrainingID)
		if err != nil {
			t.Fatal(err)
		}
		if tr.Enrolled != 3 || tr.Hadir != 3 || len(tr.Rounds) != 1 || tr.Rounds[0].Responded != 3 {
			t.Errorf("training report %+v", tr)
		}
		txt.Reset()
		if err := tr.WriteText(&txt); err != nil || !strings.Contains(txt.String(), "Analisis Data untuk Pengambilan Keputusan") {
			t.Errorf("training text %v:\n%s", err, txt.String())
		}
		if recs := csvRecords(t, tr.WriteCSV); len(recs) < 12 || recs[1][1] != "session" || recs[1][8] != "3" {
			t.Errorf("training CSV: %q", recs)
		}
	})
}

// csvRecords runs a report's WriteCSV and parses what it wrote.
func csvRecords(t *testing.T, write func(io.Writer) error) [][]string {
	t.Helper()
	var out bytes.Buffer
	if err := write(&out); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&out).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func TestTrainingReportAbsenceReasons(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		s := fixture(t, db)
		ctx := context.Background()
		at := wib("2026-12-01 10:00")
		for _, a := range []struct {
			nip, reason string
		}{{nipBudi, "Dinas luar kota, ke Medan"}, {nipSiti, ""}} {
			e := enrolmentOf(t, s, "ANL-2026-01", a.nip)
			if _, err := storagetest.InTx(db, func(tx *sqlx.Tx) (Session, error) { return s.RecordRSVP(ctx, tx, e.ID, a.nip, false, a.reason, at) }); err != nil {
				t.Fatal(err)
			}
		}
		anl := sessionByCode(t, s, "ANL-2026-01")
		tr, err := s.TrainingReport(ctx, anl.TrainingID)
		if err != nil {
			t.Fatal(err)
		}
		var txt bytes.Buffer
		if err := tr.WriteText(&txt); err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"Alasan berhalangan:", "ANL-2026-01  Budi Santoso (DISKOMINFO): Dinas luar kota, ke Medan",
			"ANL-2026-01  Siti Rahmawati (DISKOMINFO): (tidak memberi alasan)"} {
			if !strings.Contains(txt.String(), want) {
				t.Errorf("training report lacks %q:\n%s", want, txt.String())
			}
		}
		var absences [][]string
		for _, r := range csvRecords(t, tr.WriteCSV) {
			if r[1] == "berhalangan" {
				absences = append(absences, []string{r[2], r[3], r[4], r[13]})
			}
		}
		want := [][]string{{"DISKOMINFO", "ANL-2026-01", "Budi Santoso", "Dinas luar kota, ke Medan"}, {"DISKOMINFO", "ANL-2026-01", "Siti Rahmawati", ""}}
		if !reflect.DeepEqual(absences, want) {
			t.Errorf("CSV absence rows %q, want %q", absences, want)
		}
	})
}

// Attendance recorded after a round opened, and a chat account linked
// after it, bring the invitation at the next run, once.
func TestInviteLateComers(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		s := fixture(t, db)
		ctx := context.Background()
		at := wib("2026-11-01 10:00")
		link(t, s, nipBudi, at)
		link(t, s, nipSiti, at)
		e := enrolmentOf(t, s, "ANL-2026-01", nipBudi)
		if _, err := storagetest.InTx(db, func(tx *sqlx.Tx) (Session, error) { return s.RecordRSVP(ctx, tx, e.ID, nipBudi, true, "", at) }); err != nil {
			t.Fatal(err)
		}
		now := wib("2026-12-03 19:00")
		rounds, err := s.OpenPostTrainingRounds(ctx, now, 0)
		if err != nil || len(rounds) != 1 {
			t.Fatal(rounds, err)
		}
		post := rounds[0].ID
		periodic, _, err := s.OpenPeriodicRound(ctx, TemplateCompetency, now)
		if err != nil {
			t.Fatal(err)
		}
		invited := func(round int64) []string {
			t.Helper()
			var nips []string
			if err := db.SelectContext(ctx, &nips, db.Rebind(`SELECT nip FROM survey_invitations WHERE round_id = ? ORDER BY nip`), round); err != nil {
				t.Fatal(err)
			}
			return nips
		}
		late := func(want int) {
			t.Helper()
			if n, err := s.InviteLateComers(ctx, now); err != nil || n != want {
				t.Fatalf("InviteLateComers = %d, %v; want %d", n, err, want)
			}
		}
		late(0)
		if got := invited(post); !slices.Equal(got, []string{nipBudi}) {
			t.Fatalf("post-training round invites %q", got)
		}
		// Siti's attendance, and Andi's (not linked yet), are recorded.
		if _, err := s.ImportEnrolments(ctx, strings.NewReader("session,nip,attended\nANL-2026-01,"+nipSiti+",ya\nANL-2026-01,"+nipAndi+",ya\n"), "hadir.csv"); err != nil {
			t.Fatal(err)
		}
		late(1)
		late(0)
		if got := invited(post); !slices.Equal(got, []string{nipBudi, nipSiti}) {
			t.Fatalf("after the attendance: %q", got)
		}
		// Andi links: the post-training round and the periodic one.
		link(t, s, nipAndi, now)
		late(2)
		late(0)
		if got := invited(post); !slices.Equal(got, []string{nipBudi, nipAndi, nipSiti}) {
			t.Fatalf("after Andi linked: %q", got)
		}
		if got := invited(periodic.ID); !slices.Contains(got, nipAndi) {
			t.Fatalf("periodic round invites %q", got)
		}
		ps, err := s.Invitations(ctx, now)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, p := range ps {
			if p.Key == invitationKey(t, s, post, nipAndi, "invite") {
				n++
			}
		}
		if n != 1 {
			t.Errorf("Andi's invitation planned %d times: %q", n, keys(ps))
		}
	})
}

// Attendance recorded as "tidak" after the post-training survey opened
// (the officer fills the attendance list the next day) takes the person
// out of the round: no nudges, not counted as invited, their unfinished
// answers dropped, and their button gets a reply that says why. A
// completed response stays. Unenrolling does the same.
func TestAbsentAfterRoundOpened(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		s := surveyWorld(t, db, Options{Now: func() time.Time { return wib("2026-12-04 10:00") }})
		opened := wib("2026-12-03 19:00")
		rounds, err := s.OpenPostTrainingRounds(ctx, opened, 0)
		if err != nil || len(rounds) != 1 {
			t.Fatal(rounds, err)
		}
		round := rounds[0]
		if _, err := s.Invitations(ctx, opened); err != nil {
			t.Fatal(err)
		}
		must := stepper(t)
		// Andi begins and stops half-way; Budi completes.
		must(storagetest.InTx(db, func(tx *sqlx.Tx) (Step, error) { return s.Start(ctx, tx, round.ID, nipAndi, opened) }))
		must(storagetest.InTx(db, func(tx *sqlx.Tx) (Step, error) {
			return s.Answer(ctx, tx, round.ID, nipAndi, round.Questions[0].ID, "1", opened)
		}))
		answerAll(t, s, round.ID, nipBudi, "4", "Waktu praktik ditambah", opened)

		// The next morning: Budi and Andi did not come after all, Siti did.
		if _, err := s.ImportEnrolments(ctx, strings.NewReader("session,nip,attended\nANL-2026-01,"+nipBudi+",tidak\nANL-2026-01,"+nipSiti+",ya\nANL-2026-01,"+nipAndi+",tidak\n"), "hadir.csv"); err != nil {
			t.Fatal(err)
		}
		rep, err := s.RoundReport(ctx, round.ID)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Invited != 2 || rep.Started != 1 || rep.Responded != 1 {
			t.Errorf("after the attendance: invited %d, started %d, responded %d; want 2 (Budi, who answered, and Siti), 1, 1",
				rep.Invited, rep.Started, rep.Responded)
		}
		var unfinished int
		if err := db.GetContext(ctx, &unfinished, db.Rebind(`SELECT COUNT(*) FROM survey_responses WHERE round_id = ? AND completed = FALSE`), round.ID); err != nil {
			t.Fatal(err)
		}
		if unfinished != 0 {
			t.Errorf("%d unfinished responses kept for someone who did not attend", unfinished)
		}
		ps, err := s.DueNudges(ctx, opened.Add(3*24*time.Hour), 2, 0)
		if err != nil {
			t.Fatal(err)
		}
		if got := keys(ps); !slices.Equal(got, []string{invitationKey(t, s, round.ID, nipSiti, "nudge1")}) {
			t.Errorf("nudges %q, want Siti's only", got)
		}
		for _, try := range []func(tx *sqlx.Tx) (Step, error){
			func(tx *sqlx.Tx) (Step, error) { return s.Start(ctx, tx, round.ID, nipAndi, opened.Add(time.Hour)) },
			func(tx *sqlx.Tx) (Step, error) {
				return s.Answer(ctx, tx, round.ID, nipAndi, round.Questions[1].ID, "5", opened.Add(time.Hour))
			},
		} {
			_, err := storagetest.InTx(db, try)
			msg, ok := UserMessage(err)
			if !errors.Is(err, ErrNotAttended) || !ok || !strings.Contains(msg, "tidak hadir") {
				t.Errorf("Andi's survey button: %v, %q", err, msg)
			}
		}

		// Siti's attendance is cleared and she is taken off the list
		// (entered by mistake); attendance corrected to "ya"
		// brings Andi back as a late comer.
		if _, _, err := s.SetAttendance(ctx, sessionByCode(t, s, "ANL-2026-01").ID, nipSiti, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Unenrol(ctx, sessionByCode(t, s, "ANL-2026-01").ID, nipSiti); err != nil {
			t.Fatal(err)
		}
		yes := true
		if _, _, err := s.SetAttendance(ctx, sessionByCode(t, s, "ANL-2026-01").ID, nipAndi, &yes); err != nil {
			t.Fatal(err)
		}
		if n, err := s.InviteLateComers(ctx, opened.Add(time.Hour)); err != nil || n != 1 {
			t.Fatalf("InviteLateComers = %d, %v", n, err)
		}
		if rep, err = s.RoundReport(ctx, round.ID); err != nil || rep.Invited != 2 {
			t.Errorf("after the corrections: invited %d (%v), want Budi and Andi", rep.Invited, err)
		}
		no := false
		if _, _, err := s.SetAttendance(ctx, sessionByCode(t, s, "ANL-2026-01").ID, nipAndi, &no); err != nil {
			t.Fatal(err)
		}
		if rep, err = s.RoundReport(ctx, round.ID); err != nil || rep.Invited != 1 {
			t.Errorf("after Andi's attendance is set to tidak: invited %d (%v), want Budi", rep.Invited, err)
		}
	})
}

// A training report's totals count the sessions that take place: a
// session cancelled and replaced by another, with the same people
// enrolled, does not count them twice (nor their missing answers), and
// its row says it was cancelled, in the CSV as in the text.
func TestTrainingReportLeavesCancelledOutOfTotals(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		s := fixture(t, db)
		ctx := context.Background()
		if _, err := s.ImportSessions(ctx, strings.NewReader(`code,training,start,end,place,status
ANL-2026-01,DIG-ANALITIK,2026-12-03 09:00,2026-12-03 16:00,Aula,dibatalkan
ANL-2026-01B,DIG-ANALITIK,2026-12-10 09:00,2026-12-10 16:00,Aula,
`), "pengganti.csv"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ImportEnrolments(ctx, strings.NewReader("session,nip\nANL-2026-01B,"+nipBudi+"\nANL-2026-01B,"+nipSiti+"\n"), "pengganti.csv"); err != nil {
			t.Fatal(err)
		}
		e := enrolmentOf(t, s, "ANL-2026-01B", nipBudi)
		if _, err := storagetest.InTx(db, func(tx *sqlx.Tx) (Session, error) {
			return s.RecordRSVP(ctx, tx, e.ID, nipBudi, true, "", wib("2026-12-05 10:00"))
		}); err != nil {
			t.Fatal(err)
		}
		tr, err := s.TrainingReport(ctx, sessionByCode(t, s, "ANL-2026-01").TrainingID)
		if err != nil {
			t.Fatal(err)
		}
		if tr.Enrolled != 2 || tr.Hadir != 1 || tr.NoRSVP != 1 || len(tr.Sessions) != 2 {
			t.Errorf("totals: enrolled %d, hadir %d, no answer %d over %d sessions; want 2, 1, 1 over 2",
				tr.Enrolled, tr.Hadir, tr.NoRSVP, len(tr.Sessions))
		}
		var txt bytes.Buffer
		if err := tr.WriteText(&txt); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(txt.String(), "Peserta: 2 terdaftar; konfirmasi hadir 1, berhalangan 0, belum menjawab 1") ||
			!strings.Contains(txt.String(), "sesi yang dibatalkan tidak dihitung") {
			t.Errorf("training report:\n%s", txt.String())
		}
		status := map[string]string{}
		for _, r := range csvRecords(t, tr.WriteCSV) {
			if r[1] == "session" {
				status[r[13]] = r[5]
			}
		}
		if want := map[string]string{"ANL-2026-01": "dibatalkan", "ANL-2026-01B": "dijadwalkan"}; !reflect.DeepEqual(status, want) {
			t.Errorf("CSV session rows' status (kind) %v, want %v", status, want)
		}
	})
}

// A round nobody is invited to yet (the self-assessment before any ASN has
// linked a chat account) has no response rate: not 0%.
func TestRoundWithoutInvitations(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		s := fixture(t, db)
		ctx := context.Background()
		if err := s.EnsureTemplates(ctx); err != nil {
			t.Fatal(err)
		}
		r, opened, err := s.OpenPeriodicRound(ctx, TemplateCompetency, wib("2027-01-02 09:00"))
		if err != nil || !opened {
			t.Fatal(opened, err)
		}
		rep, err := s.RoundReport(ctx, r.ID)
		if err != nil || rep.Invited != 0 {
			t.Fatalf("invited %d, %v", rep.Invited, err)
		}
		var txt bytes.Buffer
		if err := rep.WriteText(&txt); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(txt.String(), "Diundang: 0, mulai mengisi: 0, selesai: 0, tingkat respons: –") {
			t.Errorf("report:\n%s", txt.String())
		}
		recs := csvRecords(t, rep.WriteCSV)
		if recs[1][1] != "round" || recs[1][6] != "0" || recs[1][7] != "" {
			t.Errorf("CSV round row %q, want n 0 and an empty rate", recs[1])
		}
	})
}

// A survey's comparison by unit counts each person under the unit they
// belonged to when the survey was sent to them: an ASN moved to another
// unit afterwards (before answering, or after) still counts, invited and
// answering, for the unit they were in, so that no unit's response rate
// mixes people who were not in it when it was surveyed.
func TestRoundReportByUnitAtSurveyTime(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		s := surveyWorld(t, db, Options{AnonymityThreshold: 1})
		ctx := context.Background()
		now := wib("2026-12-03 19:00")
		rounds, err := s.OpenPostTrainingRounds(ctx, now, 0)
		if err != nil || len(rounds) != 1 {
			t.Fatal(rounds, err)
		}
		id := rounds[0].ID
		move := func(nip, name, unit string) {
			t.Helper()
			if _, err := s.ImportASN(ctx, strings.NewReader("nip,name,unit\n"+nip+","+name+","+unit+"\n"), "pindah.csv"); err != nil {
				t.Fatal(err)
			}
		}
		// Invited: Budi and Siti of DISKOMINFO, Andi of BKPSDM. Budi
		// answers, then moves to BAPPEDA; Siti moves to BKPSDM, then
		// answers; Andi does not answer.
		answerAll(t, s, id, nipBudi, "5", "Bagus.", now.Add(time.Hour))
		move(nipBudi, "Budi Santoso", "BAPPEDA")
		move(nipSiti, "Siti Rahmawati", "BKPSDM")
		answerAll(t, s, id, nipSiti, "3", "Cukup.", now.Add(2*time.Hour))

		rep, err := s.RoundReport(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Invited != 3 || rep.Responded != 2 {
			t.Fatalf("round: %d invited, %d responded; want 3 and 2", rep.Invited, rep.Responded)
		}
		type counts struct{ invited, responded int }
		got := map[string]counts{}
		for _, u := range rep.Units {
			got[u.Unit] = counts{u.Invited, u.Responded}
		}
		if want := map[string]counts{"DISKOMINFO": {2, 2}}; !maps.Equal(got, want) {
			t.Errorf("units shown %v; want DISKOMINFO 2 invited, 2 responded (BKPSDM has no response to show)", got)
		}
		if len(rep.Units) == 1 {
			if u := rep.Units[0]; u.Means["relevansi"] != 4 || u.UnitName != "Dinas Komunikasi dan Informatika" {
				t.Errorf("DISKOMINFO: mean %v, name %q; want 4 (Budi's 5 and Siti's 3) and its name", u.Means["relevansi"], u.UnitName)
			}
		}
		// The CSV and the text say the same: what `hub report survey` and
		// the web admin's survey page show.
		for _, r := range csvRecords(t, rep.WriteCSV) {
			if r[1] == "unit" && (r[2] != "DISKOMINFO" || r[6] != "2") {
				t.Errorf("CSV unit row %q; want DISKOMINFO with 2 responses only", r)
			}
		}
		var txt bytes.Buffer
		if err := rep.WriteText(&txt); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(txt.String(), "BAPPEDA") || !regexp.MustCompile(`DISKOMINFO\s+2\s+2\s`).MatchString(txt.String()) {
			t.Errorf("text report by unit:\n%s", txt.String())
		}
		// The response rates of the digest count the same people.
		rates, err := s.ResponseRates(ctx, now.Add(3*time.Hour))
		if err != nil || len(rates) != 1 || rates[0].Invited != 3 || rates[0].Responded != 2 {
			t.Errorf("response rates %+v, %v", rates, err)
		}
	})
}

// The migration that gave invitations their unit fills those of earlier
// rounds with the unit a named response recorded when it was started,
// and otherwise with the person's unit now.
func TestInvitationUnitBackfill(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		s := surveyWorld(t, db, Options{})
		ctx := context.Background()
		now := wib("2027-01-04 08:00")
		r, opened, err := s.OpenPeriodicRound(ctx, TemplateCompetency, now) // named
		if err != nil || !opened {
			t.Fatal(opened, err)
		}
		// Budi starts the survey in DISKOMINFO; then he and Andi move to
		// BAPPEDA.
		if _, err := storagetest.InTx(db, func(tx *sqlx.Tx) (Step, error) { return s.Start(ctx, tx, r.ID, nipBudi, now) }); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ImportASN(ctx, strings.NewReader("nip,name,unit\n"+nipBudi+",Budi Santoso,BAPPEDA\n"+nipAndi+",Andi Nasution,BAPPEDA\n"), "pindah.csv"); err != nil {
			t.Fatal(err)
		}
		// As before the migration: no unit on the invitations.
		if _, err := db.ExecContext(ctx, `UPDATE survey_invitations SET unit_code = ''`); err != nil {
			t.Fatal(err)
		}
		ms, err := storage.Migrations()
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(ms, func(m storage.Migration) bool { return m.Name == "survey_invitation_unit" })
		if i < 0 {
			t.Fatal("no survey_invitation_unit migration")
		}
		backfill := ms[i].SQL[strings.Index(ms[i].SQL, "UPDATE survey_invitations"):]
		if _, err := db.ExecContext(ctx, strings.TrimSuffix(strings.TrimSpace(backfill), ";")); err != nil {
			t.Fatal(err)
		}
		var got []string
		if err := db.SelectContext(ctx, &got, db.Rebind(`SELECT nip || ':' || unit_code FROM survey_invitations WHERE round_id = ? ORDER BY nip`), r.ID); err != nil {
			t.Fatal(err)
		}
		want := []string{nipBudi + ":DISKOMINFO", nipAndi + ":BAPPEDA", nipSiti + ":DISKOMINFO"}
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("units after the backfill %q; want %q", got, want)
		}
	})
}

// A survey invitation's or nudge's condition holds while the message is
// still right to send: the invitation stands (not withdrawn for absence,
// not deleted with its round), the survey is not completed, and the round
// is open. The outbox asks before each attempt, so a message waiting for
// a retry is withdrawn by what changes that.
func TestSurveyCondition(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		s := surveyWorld(t, db, Options{Now: func() time.Time { return wib("2026-12-04 10:00") }})
		opened := wib("2026-12-03 19:00")
		if _, err := s.OpenPostTrainingRounds(ctx, opened, 0); err != nil {
			t.Fatal(err)
		}
		periodic, ok, err := s.OpenPeriodicRound(ctx, TemplateCompetency, opened)
		if err != nil || !ok {
			t.Fatal(ok, err)
		}
		invitations, err := s.Invitations(ctx, opened)
		if err != nil {
			t.Fatal(err)
		}
		nudges, err := s.DueNudges(ctx, opened.Add(3*24*time.Hour), 2, 0)
		if err != nil {
			t.Fatal(err)
		}
		cond := map[string]string{} // by key
		for _, p := range append(invitations, nudges...) {
			if !strings.HasPrefix(p.Condition, "survey:") || strings.Contains(p.Condition, p.NIP) {
				t.Fatalf("%s has condition %q; want a survey condition naming no person", p.Key, p.Condition)
			}
			if m := OutboxMessages([]Planned{p}); m[0].Condition != p.Condition {
				t.Fatalf("the outbox message lost the condition: %+v", m[0])
			}
			cond[withoutInvitation(p.Key)] = p.Condition
		}
		if len(cond) != 12 {
			t.Fatalf("planned %d messages, want an invitation and a nudge for each of 3 ASN in 2 rounds", len(cond))
		}
		post := sessionRound(t, s, "ANL-2026-01")
		key := func(round int64, nip, kind string) string { return "survey:" + itoa(round) + ":" + nip + ":" + kind }
		if cond[key(post, nipBudi, "invite")] != cond[key(post, nipBudi, "nudge1")] || cond[key(post, nipBudi, "invite")] == cond[key(post, nipSiti, "invite")] {
			t.Errorf("conditions %v; want one per invitation", cond)
		}
		check := func(step string, want map[string]bool) {
			t.Helper()
			for k, w := range want {
				c, ok := cond[k]
				if !ok {
					t.Fatalf("no message %s", k)
				}
				got, err := s.Holds(ctx, c)
				if err != nil || got != w {
					t.Errorf("%s: %s holds = %v (%v), want %v", step, k, got, err, w)
				}
			}
		}
		check("as planned", map[string]bool{
			key(post, nipBudi, "nudge1"): true, key(post, nipSiti, "invite"): true, key(post, nipAndi, "nudge1"): true,
			key(periodic.ID, nipBudi, "nudge1"): true,
		})

		// Budi completes the post-training survey, Andi only starts it;
		// Siti turns out absent.
		answerAll(t, s, post, nipBudi, "4", "Bagus", opened.Add(time.Hour))
		if _, err := storagetest.InTx(db, func(tx *sqlx.Tx) (Step, error) { return s.Start(ctx, tx, post, nipAndi, opened.Add(time.Hour)) }); err != nil {
			t.Fatal(err)
		}
		siti := false
		if _, _, err := s.SetAttendance(ctx, sessionByCode(t, s, "ANL-2026-01").ID, nipSiti, &siti); err != nil {
			t.Fatal(err)
		}
		check("Budi done, Siti absent", map[string]bool{
			key(post, nipBudi, "invite"): false, key(post, nipBudi, "nudge1"): false,
			key(post, nipSiti, "invite"): false, key(post, nipSiti, "nudge1"): false,
			key(post, nipAndi, "nudge1"): true, key(periodic.ID, nipBudi, "nudge1"): true,
		})

		// An officer closes the self-assessment; the session is cancelled
		// (its round, with Budi's answers, is closed).
		if err := s.CloseRound(ctx, periodic.ID, opened.Add(2*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ImportSessions(ctx, strings.NewReader("code,training,start,end,place,status\n"+
			"ANL-2026-01,DIG-ANALITIK,2026-12-03 09:00,2026-12-03 16:00,Aula,dibatalkan\n"), "sessions.csv"); err != nil {
			t.Fatal(err)
		}
		check("round closed, session cancelled", map[string]bool{
			key(post, nipAndi, "invite"): false, key(post, nipAndi, "nudge1"): false,
			key(periodic.ID, nipBudi, "invite"): false, key(periodic.ID, nipSiti, "nudge1"): false,
		})

		for _, c := range []string{"", "survey:", "survey:x", "survey:1:2", "reminder:1", "reminder:x:1", "reminder:1:x", "session:1", "session:x:1", "session:1:2:3", "sesi:1:2"} {
			if _, err := s.Holds(ctx, c); err == nil {
				t.Errorf("condition %q: no error", c)
			}
		}
	})
}

// sessionRound returns the id of the only survey round of a session.
func sessionRound(t *testing.T, s *Store, code string) int64 {
	t.Helper()
	rounds, err := s.Rounds(context.Background(), sessionByCode(t, s, code).ID)
	if err != nil || len(rounds) != 1 {
		t.Fatalf("rounds of %s: %+v, %v", code, rounds, err)
	}
	return rounds[0].ID
}

// TestOpenRoundRefusesAnInviteeNotOnTheStaffList: a person missing from
// the staff list is refused by name of the cause, and the round is not
// opened without them.
func TestOpenRoundRefusesAnInviteeNotOnTheStaffList(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		s := surveyWorld(t, db, Options{AnonymityThreshold: 1})
		ctx := context.Background()
		_, err := storagetest.InTx(db, func(tx *sqlx.Tx) (Round, error) {
			r, _, err := s.openRound(ctx, tx, "test:ghost", TemplatePostTraining, nil, "", []string{"199001012020011999"}, wib("2026-12-03 19:00"))
			return r, err
		})
		if err == nil || !strings.Contains(err.Error(), "an invitee is not on the staff list") || strings.Contains(err.Error(), "nil") {
			t.Fatalf("inviting someone not on the staff list: %v; want the cause, without a nil error in it", err)
		}
		var n int
		if err := db.GetContext(ctx, &n, `SELECT COUNT(*) FROM survey_rounds WHERE round_key = 'test:ghost'`); err != nil || n != 0 {
			t.Errorf("%d rounds opened (%v); want none", n, err)
		}
	})
}

// skipButtons are the presses of the buttons of out that skip its question.
func skipButtons(out bots.Outgoing) []SurveyPress {
	var skips []SurveyPress
	for _, row := range out.Buttons {
		for _, b := range row {
			if p, ok := ParseSurveyButton(b.Data); ok && p.Skips() {
				skips = append(skips, p)
			}
		}
	}
	return skips
}

// The hub was down for four days after a round opened: when it is back,
// the invitations go out, and the first nudge ("yang belum Anda isi")
// comes the nudge spacing after them, not in the same minute, nor does a
// nudge planned first swallow the invitation.
func TestNudgeCountsFromTheInvitationSent(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		s := surveyWorld(t, db, Options{})
		opened := wib("2026-12-03 19:00")
		if _, err := s.OpenPostTrainingRounds(ctx, opened, 0); err != nil {
			t.Fatal(err)
		}
		back := opened.Add(4 * 24 * time.Hour)
		const spacing = 3 * 24 * time.Hour
		nudges := func(at time.Time) []string {
			t.Helper()
			ps, err := s.DueNudges(ctx, at, 2, spacing)
			if err != nil {
				t.Fatal(err)
			}
			return keys(ps)
		}
		if got := nudges(back); len(got) != 0 {
			t.Errorf("nudges before any invitation was sent: %q", got)
		}
		inv, err := s.Invitations(ctx, back)
		if err != nil || len(inv) != 3 {
			t.Fatalf("invitations when the hub is back: %q, %v", keys(inv), err)
		}
		if got := nudges(back.Add(time.Minute)); len(got) != 0 {
			t.Errorf("nudges with the invitations: %q", got)
		}
		if got := nudges(back.Add(spacing - time.Minute)); len(got) != 0 {
			t.Errorf("nudges before the spacing after the invitations: %q", got)
		}
		if got := nudges(back.Add(spacing)); len(got) != 3 || !strings.HasSuffix(got[0], ":nudge1") {
			t.Errorf("nudges the spacing after the invitations: %q; want the first nudge of each", got)
		}
	})
}

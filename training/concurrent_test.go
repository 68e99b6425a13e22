package training

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

// Two presses of one person's survey at the same moment, on Telegram and
// on Slack: one completes the response while the other changes an earlier
// answer. The second waits for the first and is told the survey is done;
// the completed response keeps its answers. PostgreSQL only: SQLite's
// transactions here take the write lock when they begin, so they never
// overlap.
func TestSurveyPressesAtOnce(t *testing.T) {
	db := storagetest.Open(t, storage.Postgres)
	s := surveyWorld(t, db, Options{})
	ctx := context.Background()
	now := wib("2026-12-03 18:00")
	rounds, err := s.OpenPostTrainingRounds(ctx, now, 2*time.Hour)
	if err != nil || len(rounds) != 1 {
		t.Fatalf("OpenPostTrainingRounds = %d rounds, %v; want 1", len(rounds), err)
	}
	round := rounds[0].ID
	must := stepper(t)
	st := must(storagetest.InTx(db, func(tx *sqlx.Tx) (Step, error) { return s.Start(ctx, tx, round, nipBudi, now) }))
	for st.QuestionID != "saran" {
		q := st.QuestionID
		st = must(storagetest.InTx(db, func(tx *sqlx.Tx) (Step, error) { return s.Answer(ctx, tx, round, nipBudi, q, "4", now) }))
	}
	last, err := db.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer last.Rollback() //nolint:errcheck
	if st, err := s.AnswerText(ctx, last, round, nipBudi, "Perbanyak praktik.", now); err != nil || !st.Done {
		t.Fatalf("the last answer: done %v, %v", st.Done, err)
	}
	other := make(chan error, 1)
	go func() {
		_, err := storagetest.InTx(db, func(tx *sqlx.Tx) (Step, error) { return s.Answer(ctx, tx, round, nipBudi, "relevansi", "1", now) })
		other <- err
	}()
	waitForLockWait(t, db)
	if err := last.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := <-other; !errors.Is(err, ErrAlreadyDone) {
		t.Errorf("a press at the moment the survey was completed elsewhere: %v, want ErrAlreadyDone", err)
	}
	var values []string
	if err := db.SelectContext(ctx, &values, db.Rebind(`SELECT value FROM survey_answers WHERE round_id = ? AND question_id = 'relevansi'`), round); err != nil {
		t.Fatal(err)
	}
	if len(values) != 1 || values[0] != "4" {
		t.Errorf("the completed response's first answer: %q, want [4]", values)
	}
}

// waitForLockWait returns once a session of db waits for a lock, and
// fails t if none does within ten seconds.
func waitForLockWait(t *testing.T, db *storage.DB) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		var n int
		if err := db.GetContext(context.Background(), &n, `SELECT COUNT(*) FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock'`); err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			return
		}
	}
	t.Fatal("the second press never waited for the first")
}

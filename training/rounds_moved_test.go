package training_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
	"github.com/tebingtinggi/hub/training"
	"github.com/tebingtinggi/hub/training/trainingtest"
)

// A session whose post-training round opened is moved to a later date
// (it did not take place then) after someone already completed the round
// and someone else started it. The round is taken back, keeping that
// response apart; once the session really ends a new round opens,
// inviting everyone who attended, those two too, and counting only its
// own answers. The old round's button says the survey was withdrawn
// (handlers.textSurveyGone), which promises the new invitation.
func TestMovedSessionIsSurveyedAgain(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		w, enr, roundID, now := endedSessionRound(t, db, 6, training.Options{AnonymityThreshold: 5}, nil)
		trainingtest.CompleteRound(t, db, w.Store, roundID, enr[0].NIP, "1", "belum diadakan", now)
		if _, err := storagetest.InTx(db, func(tx *sqlx.Tx) (training.Step, error) { return w.Store.Start(ctx, tx, roundID, enr[1].NIP, now) }); err != nil {
			t.Fatal(err)
		}
		// The officer moves the session a week ahead: it had not taken place.
		start := now.Add(7 * 24 * time.Hour).Truncate(time.Hour)
		csv := "code,training,start,end,place\nS0000,T1," + start.Format(time.RFC3339) + "," + start.Add(7*time.Hour).Format(time.RFC3339) + ",Aula Kantor Wali Kota\n"
		changes, err := w.Store.ImportSessions(ctx, strings.NewReader(csv), "sessions.csv")
		if err != nil || len(changes) == 0 {
			t.Fatal(changes, err)
		}
		old, err := w.Store.GetRound(ctx, roundID)
		if err != nil || old.Status != training.RoundClosed || !old.Retracted {
			t.Fatalf("old round after the move: %+v, %v; want closed and taken back", old, err)
		}
		// Everyone attends the new date; the survey opens after it.
		after := start.Add(7*time.Hour + 3*time.Hour)
		opened, err := w.Store.OpenPostTrainingRounds(ctx, after, 2*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if len(opened) != 1 || opened[0].ID == roundID {
			t.Fatalf("the session held on its new date gets rounds %+v; want a new one", opened)
		}
		fresh := opened[0].ID
		rep, err := w.Store.RoundReport(ctx, fresh)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Invited != 6 || rep.Started != 0 || rep.Responded != 0 {
			t.Errorf("new round: invited %d, started %d, completed %d; want all 6 invited and the old round's answers not counted", rep.Invited, rep.Started, rep.Responded)
		}
		// Those who had started or completed the old round answer the new one.
		for _, e := range enr[:2] {
			if _, err := storagetest.InTx(db, func(tx *sqlx.Tx) (training.Step, error) { return w.Store.Start(ctx, tx, fresh, e.NIP, after) }); err != nil {
				t.Errorf("%s starting the new round: %v", e.NIP, err)
			}
		}
		// The old round's button: withdrawn, not merely closed.
		for _, e := range enr[:2] {
			_, err := storagetest.InTx(db, func(tx *sqlx.Tx) (training.Step, error) { return w.Store.Start(ctx, tx, roundID, e.NIP, after) })
			if !errors.Is(err, training.ErrNotFound) {
				t.Errorf("%s pressing the old round's button: %v, want ErrNotFound (textSurveyGone)", e.NIP, err)
			}
		}
		// Running again opens nothing twice; the training's summary does
		// not pool the round taken back.
		if again, err := w.Store.OpenPostTrainingRounds(ctx, after.Add(time.Minute), 2*time.Hour); err != nil || len(again) != 0 {
			t.Errorf("opened again: %+v, %v", again, err)
		}
		ts, err := w.Store.Trainings(ctx)
		if err != nil {
			t.Fatal(err)
		}
		tr, err := w.Store.TrainingReport(ctx, ts[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(tr.Rounds) != 2 || len(tr.Summaries) != 0 {
			t.Errorf("training report: %d rounds, %d summaries; want both rounds and no summary pooling the one taken back", len(tr.Rounds), len(tr.Summaries))
		}
	})
}

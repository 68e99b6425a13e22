package training_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
	"github.com/tebingtinggi/hub/training"
	"github.com/tebingtinggi/hub/training/trainingtest"
)

// An ASN enrolled before a change of the session's room, but unreachable
// when it changed (not linked yet, or paused by /berhenti), got no change
// notice: linking or resuming a minute later, they still get the late
// 7-day reminder, which then is the only word of the session before the
// 1-day one. Someone reachable at the change gets the notice and no late
// reminder (TestPlaceChangeSendsNoticeWithoutLateReminder).
func TestUnreachableAtChangeGetsLateReminder(t *testing.T) {
	for _, how := range []string{"linked after", "resumed after"} {
		t.Run(strings.ReplaceAll(how, " ", "_"), func(t *testing.T) {
			storagetest.Each(t, func(t *testing.T, db *storage.DB) {
				ctx := context.Background()
				now := time.Now().UTC().Truncate(time.Minute)
				start := now.Add(3*24*time.Hour + time.Hour)
				clock := now.Add(-10 * 24 * time.Hour)
				w := trainingtest.Build(t, db, trainingtest.Spec{ASN: 1, Sessions: 1, Start: start,
					Options: training.Options{Now: func() time.Time { return clock }}})
				nip, chat := w.NIPs[0], w.ChatIDs[0]
				if how == "linked after" {
					if _, err := w.Store.UnlinkASN(ctx, nip, bots.Telegram); err != nil {
						t.Fatal(err)
					}
				} else if err := w.Store.Pause(ctx, db, bots.Telegram, chat); err != nil {
					t.Fatal(err)
				}
				clock = now
				csv := "code,training,start,end,place\nS0000,T1," + start.Format(time.RFC3339) + "," + start.Add(7*time.Hour).Format(time.RFC3339) + ",Ruang Rapat Lt. 2\n"
				changes, err := w.Store.ImportSessions(ctx, strings.NewReader(csv), "sessions.csv")
				if err != nil || len(changes) != 1 {
					t.Fatal(changes, err)
				}
				notices, err := w.Store.ChangeNotices(ctx, db, changes, now)
				if err != nil || len(notices) != 0 {
					t.Fatalf("notices to an unreachable ASN: %v %v", notices, err)
				}
				clock = now.Add(time.Minute)
				if how == "linked after" {
					code, err := w.Store.IssueLinkCode(ctx, nip, clock)
					if err != nil {
						t.Fatal(err)
					}
					if _, err := storagetest.InTx(db, func(tx *sqlx.Tx) (training.ASN, error) {
						return w.Store.Redeem(ctx, tx, code, bots.Telegram, chat, chat, clock)
					}); err != nil {
						t.Fatal(err)
					}
				} else if err := w.Store.Resume(ctx, db, bots.Telegram, chat); err != nil {
					t.Fatal(err)
				}
				rem, err := w.Store.DueReminders(ctx, clock, nil, 0)
				if err != nil {
					t.Fatal(err)
				}
				if len(rem) != 1 || !strings.Contains(rem[0].Out.Text, "Ruang Rapat Lt. 2") {
					t.Errorf("an ASN %s the room changed, 3 days before the session: %d reminders %v, want the late one naming the new room", how, len(rem), rem)
				}
			})
		})
	}
}

package training_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
	"github.com/tebingtinggi/hub/training"
	"github.com/tebingtinggi/hub/training/trainingtest"
)

// Three days before a session its room changes. The enrolled ASN who has
// not answered yet gets the change notice ("Tempat pelatihan ...
// berubah") alone, not with it a second, late copy of the 7-day reminder
// ("dimulai 3 hari lagi") naming the same new room: a reminder whose
// moment passed before the change is not planned again. Someone enrolled
// after the change, who had no notice, still gets the late reminder.
func TestPlaceChangeSendsNoticeWithoutLateReminder(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		now := time.Now().UTC().Truncate(time.Minute)
		start := now.Add(3*24*time.Hour + time.Hour)
		clock := now.Add(-10 * 24 * time.Hour)
		w := trainingtest.Build(t, db, trainingtest.Spec{ASN: 2, Sessions: 1, Start: start,
			Options: training.Options{Now: func() time.Time { return clock }}})
		if _, err := w.Store.Unenrol(ctx, w.Sessions[0], w.NIPs[1]); err != nil {
			t.Fatal(err)
		}
		// The 7-day reminder went out a few days ago.
		before, err := w.Store.DueReminders(ctx, start.Add(-7*24*time.Hour), nil, 0)
		if err != nil || len(before) != 1 {
			t.Fatal(before, err)
		}
		clock = now
		csv := "code,training,start,end,place\nS0000,T1," + start.Format(time.RFC3339) + "," + start.Add(7*time.Hour).Format(time.RFC3339) + ",Ruang Rapat Lt. 2\n"
		changes, err := w.Store.ImportSessions(ctx, strings.NewReader(csv), "sessions.csv")
		if err != nil || len(changes) != 1 {
			t.Fatal(changes, err)
		}
		notices, err := w.Store.ChangeNotices(ctx, db, changes, now)
		if err != nil || len(notices) != 1 || !strings.Contains(notices[0].Out.Text, "Ruang Rapat Lt. 2") {
			t.Fatal(notices, err)
		}
		rem, err := w.Store.DueReminders(ctx, now, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rem {
			if r.NIP == w.NIPs[0] && r.Key != before[0].Key {
				t.Errorf("a room change sends two messages at once:\n--- notice\n%s\n--- reminder %s\n%s", notices[0].Out.Text, r.Key, r.Out.Text)
			}
		}
		// Enrolled after the change: told nothing yet, reminded late.
		clock = now.Add(time.Minute)
		if _, err := w.Store.Enrol(ctx, w.Sessions[0], w.NIPs[1]); err != nil {
			t.Fatal(err)
		}
		rem, err = w.Store.DueReminders(ctx, clock, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(rem) != 1 || rem[0].NIP != w.NIPs[1] || !strings.Contains(rem[0].Out.Text, "dimulai 3 hari lagi") || !strings.Contains(rem[0].Out.Text, "Ruang Rapat Lt. 2") {
			t.Errorf("someone enrolled after the change gets %+v", rem)
		}
	})
}

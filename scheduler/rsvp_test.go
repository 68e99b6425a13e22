package scheduler_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/tebingtinggi/hub/outbox"
	"github.com/tebingtinggi/hub/scheduler"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
	"github.com/tebingtinggi/hub/training"
	"github.com/tebingtinggi/hub/training/trainingtest"
)

// An ASN who answers Berhalangan and then Ternyata bisa hadir before the
// session gets the reminders whose moments are still ahead when they
// switch back, and none of the moments that passed meanwhile: not the one
// skipped while they were Berhalangan, and no late one right after their
// confirmation. The reminders job runs every hour, the dispatcher after
// it.
func TestRemindersAfterSwitchingBackToHadir(t *testing.T) {
	start := wib("2027-02-03 09:00") // Wednesday
	for _, c := range []struct {
		name string
		// no and yes are when the ASN answers Berhalangan and then Hadir,
		// before the start; downAt1d makes the chat API fail at the 1-day
		// moment until the Berhalangan.
		no, yes  time.Duration
		downAt1d bool
		want     []string // the reminders delivered, by the time left they state
	}{
		{name: "the 1-day reminder waits for a retry and is skipped", no: -24*time.Hour + time.Minute, yes: -20 * time.Hour, downAt1d: true,
			want: []string{"7 hari", "2 jam"}},
		{name: "back between the 7-day and 1-day moments", no: -10 * 24 * time.Hour, yes: -5 * 24 * time.Hour,
			want: []string{"1 hari", "2 jam"}},
		{name: "back between the 1-day and 2-hour moments", no: -10 * 24 * time.Hour, yes: -3 * time.Hour,
			want: []string{"2 jam"}},
		{name: "back after the last moment", no: -3 * 24 * time.Hour, yes: -90 * time.Minute,
			want: []string{"7 hari"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			storagetest.Each(t, func(t *testing.T, db *storage.DB) {
				ctx := context.Background()
				from := start.Add(-11 * 24 * time.Hour)
				clock := &testClock{t: from}
				w := trainingtest.Build(t, db, trainingtest.Spec{ASN: 1, Sessions: 1, Start: start, Options: training.Options{Now: clock.Now}})
				deps := trainingDeps(db, w)
				srv, down, d := flakyAPI(t, ctx, db, w, clock, false)
				es, err := w.Store.Enrolments(ctx, w.Sessions[0])
				if err != nil || len(es) != 1 {
					t.Fatal(es, err)
				}
				rsvp := func(yes bool) {
					t.Helper()
					if _, err := storagetest.InTx(db, func(tx *sqlx.Tx) (training.Session, error) {
						return w.Store.RecordRSVP(ctx, tx, es[0].ID, w.NIPs[0], yes, "", clock.Now())
					}); err != nil {
						t.Fatal(err)
					}
				}
				before := -1 // messages delivered before the Hadir
				events := map[time.Time]func(){
					start.Add(c.no):  func() { rsvp(false); down.Store(false) },
					start.Add(c.yes): func() { rsvp(true); before = len(srv.Sent()) },
				}
				if c.downAt1d {
					events[start.Add(-24*time.Hour)] = func() { down.Store(true) }
				}
				var moments []time.Time
				for at := from; at.Before(start); at = at.Add(time.Hour) {
					moments = append(moments, at)
				}
				for at := range events {
					moments = append(moments, at)
				}
				slices.SortFunc(moments, time.Time.Compare)
				for _, at := range slices.CompactFunc(moments, time.Time.Equal) {
					clock.Set(at)
					if ev := events[at]; ev != nil {
						ev()
					}
					runJob(t, deps, scheduler.JobReminders, at)
					drain(t, d)
				}

				var got []string
				for i, m := range srv.Sent() {
					left, ok := strings.CutPrefix(m.Plain[strings.Index(m.Plain, "Pengingat:"):], "Pengingat: pelatihan \"Literasi Data untuk ASN\" dimulai ")
					if !ok {
						t.Fatalf("delivered %q; want reminders only", m.Plain)
					}
					got = append(got, left[:strings.Index(left, " lagi")])
					if i >= before && !strings.Contains(m.Plain, "Anda sudah mengonfirmasi akan hadir") {
						t.Errorf("a reminder after the Hadir does not say it was confirmed:\n%s", m.Plain)
					}
				}
				if !slices.Equal(got, c.want) {
					t.Errorf("reminders delivered, by the time left: %q; want %q", got, c.want)
				}
				if n := countRows(t, db, `status NOT IN ('sent', 'skipped')`); n != 0 {
					t.Errorf("%d messages neither sent nor skipped", n)
				}
				if c.downAt1d {
					rec, err := outbox.New(db).Get(ctx, outboxKeys(t, db, "reminder:"+w.NIPs[0]+":"+itoa(w.Sessions[0])+":"+itoa(es[0].ID)+":1d:")[0])
					if err != nil || rec.Status != outbox.Skipped {
						t.Errorf("the 1-day reminder is %+v (%v); want it skipped, not sent while Berhalangan", rec.Status, err)
					}
				}
			})
		})
	}
}

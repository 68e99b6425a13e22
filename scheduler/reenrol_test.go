package scheduler_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/outbox"
	"github.com/tebingtinggi/hub/scheduler"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
	"github.com/tebingtinggi/hub/training"
	"github.com/tebingtinggi/hub/training/trainingtest"
)

// An ASN taken off a session and enrolled in it again is a new
// enrolment, reminded as one: the reminder due after the enrolment goes
// out with buttons that answer for it, whether the first enrolment's
// reminder of the same moment was delivered (its buttons now answer for
// nothing) or was still waiting for a retry when the enrolment was
// removed (and was skipped). The reminders job runs every hour, the
// dispatcher after it.
func TestReEnrolledASNIsRemindedAgain(t *testing.T) {
	start := wib("2027-02-03 09:00") // Wednesday
	for _, c := range []struct {
		name string
		// down makes the chat API fail from the 1-day moment until the
		// ASN is enrolled again.
		down bool
		want []string // the reminders delivered, by the time left they state
	}{
		{name: "the first enrolment's reminder was delivered", want: []string{"7 hari", "1 hari", "22 jam", "2 jam"}},
		{name: "the first enrolment's reminder waited for a retry", down: true, want: []string{"7 hari", "22 jam", "2 jam"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			storagetest.Each(t, func(t *testing.T, db *storage.DB) {
				ctx := context.Background()
				from := start.Add(-8 * 24 * time.Hour)
				clock := &testClock{t: from}
				w := trainingtest.Build(t, db, trainingtest.Spec{ASN: 1, Sessions: 1, Start: start, Options: training.Options{Now: clock.Now}})
				deps := trainingDeps(db, w)
				srv, down, d := flakyAPI(t, ctx, db, w, clock, false)
				session, nip := w.Sessions[0], w.NIPs[0]
				events := map[time.Time]func(){
					start.Add(-23*time.Hour - 30*time.Minute): func() {
						if _, err := w.Store.Unenrol(ctx, session, nip); err != nil {
							t.Fatal(err)
						}
					},
					start.Add(-22 * time.Hour): func() {
						if _, err := w.Store.Enrol(ctx, session, nip); err != nil {
							t.Fatal(err)
						}
						down.Store(false)
					},
				}
				if c.down {
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

				es, err := w.Store.Enrolments(ctx, session)
				if err != nil || len(es) != 1 {
					t.Fatal(es, err)
				}
				var got []string
				sent := srv.Sent()
				for _, m := range sent {
					left, ok := strings.CutPrefix(m.Plain[strings.Index(m.Plain, "Pengingat:"):], "Pengingat: pelatihan \"Literasi Data untuk ASN\" dimulai ")
					if !ok {
						t.Fatalf("delivered %q; want reminders only", m.Plain)
					}
					got = append(got, left[:strings.Index(left, " lagi")])
				}
				if !slices.Equal(got, c.want) {
					t.Errorf("reminders delivered, by the time left: %q; want %q", got, c.want)
				}
				if n := len(sent); n > 0 {
					id, _, ok := training.ParseRSVPButton(sent[n-1].Buttons[0][0].Data)
					if !ok || id != es[0].ID {
						t.Errorf("the last reminder's Hadir button answers for enrolment %d; want the new enrolment %d", id, es[0].ID)
					}
				}
				if n := countRows(t, db, `status NOT IN ('sent', 'skipped')`); n != 0 {
					t.Errorf("%d messages neither sent nor skipped", n)
				}
			})
		})
	}
}

// The hub before the upgrade keyed reminders by person and session only;
// the enrolments made before it keep those keys (migration
// enrolment_reminder_keys), so that a reminder already delivered, or
// waiting for a retry, is not enqueued again under a new key. The first
// ASN's 7-day reminder was delivered, the second's waits for a retry, the
// third's was planned but lost before it reached the outbox; each gets
// exactly one 7-day reminder, and later one 1-day reminder.
func TestReminderKeysOfEnrolmentsFromBeforeTheUpgrade(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		start := wib("2027-02-03 09:00")
		moment := start.Add(-7 * 24 * time.Hour)
		clock := &testClock{t: moment}
		w := trainingtest.Build(t, db, trainingtest.Spec{ASN: 3, Sessions: 1, Start: start, Options: training.Options{Now: clock.Now}})
		deps := trainingDeps(db, w)
		srv, _, d := flakyAPI(t, ctx, db, w, clock, false)
		session := w.Sessions[0]
		es, err := w.Store.Enrolments(ctx, session)
		if err != nil || len(es) != 3 {
			t.Fatal(es, err)
		}
		enrolment := map[string]int64{}
		for _, e := range es {
			enrolment[e.NIP] = e.ID
		}

		// What the hub before the upgrade left in the outbox.
		oldKey := func(i int, offset string) string {
			return "reminder:" + w.NIPs[i] + ":" + itoa(session) + ":" + offset + ":" + itoa(start.Unix())
		}
		for i := range 2 {
			if _, err := outbox.Enqueue(ctx, db, outbox.Message{Key: oldKey(i, "7d"), NotBefore: moment, ExpiresAt: start,
				Out:       bots.Outgoing{Platform: bots.Telegram, ChatID: w.ChatIDs[i], Text: "Pengingat sebelum pembaruan"},
				Condition: "reminder:" + itoa(enrolment[w.NIPs[i]]) + ":" + itoa(start.UnixMicro()) + ":0"}); err != nil {
				t.Fatal(err)
			}
		}
		oneSentOneRetrying(t, db, moment, oldKey(0, "7d"), oldKey(1, "7d"))
		// The upgrade: the migration marks the enrolments made before it.
		replayMigration(t, db, "enrolment_reminder_keys", "UPDATE enrolments")

		// The new hub runs.
		for _, at := range []time.Time{moment.Add(time.Minute), moment.Add(time.Hour), start.Add(-24 * time.Hour), start.Add(-23 * time.Hour)} {
			clock.Set(at)
			runJob(t, deps, scheduler.JobReminders, at)
			drain(t, d)
		}

		perChat := map[string][]string{}
		for _, m := range srv.Sent() {
			perChat[itoa(m.ChatID)] = append(perChat[itoa(m.ChatID)], m.Plain)
		}
		for i, chat := range w.ChatIDs {
			var got []string
			for _, txt := range perChat[chat] {
				switch {
				case strings.Contains(txt, "Pengingat sebelum pembaruan"), strings.Contains(txt, "dimulai 7 hari lagi"):
					got = append(got, "7d")
				case strings.Contains(txt, "dimulai 1 hari lagi"):
					got = append(got, "1d")
				default:
					got = append(got, txt)
				}
			}
			want := []string{"7d", "1d"}
			if i == 0 {
				want = want[1:] // the 7-day one was delivered before the upgrade
			}
			if !slices.Equal(got, want) {
				t.Errorf("ASN %d got %q after the upgrade; want %q", i, got, want)
			}
			if keys := outboxKeys(t, db, "reminder:"+w.NIPs[i]+":"); !slices.Equal(keys, []string{oldKey(i, "1d"), oldKey(i, "7d")}) {
				t.Errorf("ASN %d's reminders %q; want the keys naming the person and session only", i, keys)
			}
		}
	})
}

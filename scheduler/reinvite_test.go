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

// invitationID is the number of nip's invitation to round.
func invitationID(t *testing.T, db *storage.DB, round int64, nip string) int64 {
	t.Helper()
	var id int64
	if err := db.GetContext(context.Background(), &id, db.Rebind(`SELECT id FROM survey_invitations WHERE round_id = ? AND nip = ?`), round, nip); err != nil {
		t.Fatalf("invitation of %s to round %d: %v", nip, round, err)
	}
	return id
}

// An ASN invited to a survey, withdrawn (their attendance corrected to
// absent) and invited again (corrected back) while the first invitation
// still waits in the outbox for a retry gets exactly one invitation, the
// current one's, and later exactly one first nudge; the others get theirs
// as usual.
func TestReinvitedWhileTheFirstInvitationWaits(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		start := wib("2027-02-01 09:00") // Monday
		opened := start.Add(9 * time.Hour)
		clock := &testClock{t: opened}
		w := trainingtest.Build(t, db, trainingtest.Spec{ASN: 2, Sessions: 1, Start: start, Options: training.Options{Now: clock.Now}})
		deps := trainingDeps(db, w)
		srv, down, d := flakyAPI(t, ctx, db, w, clock, true)
		attendance := func(nip, attended string) {
			t.Helper()
			if _, err := w.Store.ImportEnrolments(ctx, strings.NewReader("session,nip,attended\nS0000,"+nip+","+attended+"\n"), "hadir.csv"); err != nil {
				t.Fatal(err)
			}
		}
		for _, nip := range w.NIPs {
			attendance(nip, "ya")
		}

		// The survey opens; the API is down, the invitations wait.
		runJob(t, deps, scheduler.JobSurveys, opened)
		drain(t, d)
		if n := countRows(t, db, `status = 'pending' AND attempts > 0`); n != 2 || len(srv.Sent()) != 0 {
			t.Fatalf("%d invitations wait for a retry, %d delivered; want both waiting", n, len(srv.Sent()))
		}
		rounds, err := w.Store.Rounds(ctx, w.Sessions[0])
		if err != nil || len(rounds) != 1 {
			t.Fatal(rounds, err)
		}
		round := rounds[0].ID
		first := invitationID(t, db, round, w.NIPs[0])

		// The first ASN is recorded absent, then present after all; the
		// surveys job runs in between and after, every minute.
		clock.Set(opened.Add(time.Minute))
		attendance(w.NIPs[0], "tidak")
		runJob(t, deps, scheduler.JobSurveys, clock.Now())
		clock.Set(opened.Add(2 * time.Minute))
		attendance(w.NIPs[0], "ya")
		for i := range 3 {
			clock.Set(opened.Add(time.Duration(3+i) * time.Minute))
			runJob(t, deps, scheduler.JobSurveys, clock.Now())
		}
		current := invitationID(t, db, round, w.NIPs[0])
		if current == first {
			t.Fatalf("the invitation %d was not made anew", first)
		}

		// The API is back and the retries come due.
		down.Store(false)
		clock.Set(clock.Now().Add(11 * time.Minute))
		drain(t, d)
		// Three days later, the first nudges.
		clock.Set(opened.Add(3*24*time.Hour + 10*time.Minute))
		for range 2 {
			runJob(t, deps, scheduler.JobNudges, clock.Now())
		}
		drain(t, d)

		for i, chat := range w.ChatIDs {
			var got []string
			for _, m := range srv.Sent() {
				if itoa(m.ChatID) != chat {
					continue
				}
				switch {
				case strings.Contains(m.Plain, "Mohon kesediaan Anda mengisi survei"):
					got = append(got, "invite")
				case strings.Contains(m.Plain, "Kami mengingatkan kembali survei"):
					got = append(got, "nudge")
				default:
					got = append(got, m.Plain)
				}
			}
			if want := []string{"invite", "nudge"}; !slices.Equal(got, want) {
				t.Errorf("ASN %d got %q; want one invitation and one nudge", i, got)
			}
		}
		var sent []struct {
			Key       string `db:"idempotency_key"`
			Condition string `db:"send_condition"`
		}
		if err := db.SelectContext(ctx, &sent, db.Rebind(`SELECT idempotency_key, send_condition FROM outbox
			WHERE status = 'sent' AND platform = ? AND chat_id = ? ORDER BY id`), string(bots.Telegram), w.ChatIDs[0]); err != nil {
			t.Fatal(err)
		}
		for _, m := range sent {
			if m.Condition != "survey:"+itoa(current) {
				t.Errorf("sent %s under condition %q; want the current invitation's, survey:%d", m.Key, m.Condition, current)
			}
		}
		var skipped []string
		if err := db.SelectContext(ctx, &skipped, `SELECT send_condition FROM outbox WHERE status = 'skipped'`); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(skipped, []string{"survey:" + itoa(first)}) {
			t.Errorf("skipped %q; want the first invitation's message only", skipped)
		}
		if n := countRows(t, db, `status NOT IN ('sent', 'skipped')`); n != 0 {
			t.Errorf("%d messages neither sent nor skipped", n)
		}
	})
}

// A hub upgraded while survey invitations are open: the messages enqueued
// before, under the keys that named the person only, are not enqueued
// again under the new keys. The first ASN's invitation was delivered, the
// second's waits for a retry, the third's was planned but lost before it
// reached the outbox; each gets exactly one invitation, and later one
// first nudge.
func TestSurveyKeysOfInvitationsFromBeforeTheUpgrade(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		start := wib("2027-02-01 09:00")
		opened := start.Add(9 * time.Hour)
		clock := &testClock{t: opened}
		w := trainingtest.Build(t, db, trainingtest.Spec{ASN: 3, Sessions: 1, Start: start, Options: training.Options{Now: clock.Now}})
		deps := trainingDeps(db, w)
		srv, _, d := flakyAPI(t, ctx, db, w, clock, false)
		file := "session,nip,attended\n"
		for _, nip := range w.NIPs {
			file += "S0000," + nip + ",ya\n"
		}
		if _, err := w.Store.ImportEnrolments(ctx, strings.NewReader(file), "hadir.csv"); err != nil {
			t.Fatal(err)
		}
		rounds, err := w.Store.OpenPostTrainingRounds(ctx, opened, 0)
		if err != nil || len(rounds) != 1 {
			t.Fatal(rounds, err)
		}
		round := rounds[0]

		// What the hub before the upgrade left in the outbox.
		oldKey := func(i int, kind string) string { return "survey:" + itoa(round.ID) + ":" + w.NIPs[i] + ":" + kind }
		for i := range 2 {
			if _, err := outbox.Enqueue(ctx, db, outbox.Message{Key: oldKey(i, "invite"), NotBefore: opened,
				Out:       bots.Outgoing{Platform: bots.Telegram, ChatID: w.ChatIDs[i], Text: "Undangan survei sebelum pembaruan"},
				Condition: "survey:" + itoa(invitationID(t, db, round.ID, w.NIPs[i]))}); err != nil {
				t.Fatal(err)
			}
		}
		oneSentOneRetrying(t, db, opened, oldKey(0, "invite"), oldKey(1, "invite"))
		// The upgrade: the migration marks the invitations made before it.
		replayMigration(t, db, "survey_invitation_keys", "UPDATE survey_invitations")

		// The new hub runs.
		for i := range 3 {
			clock.Set(opened.Add(time.Duration(1+i) * time.Minute))
			runJob(t, deps, scheduler.JobSurveys, clock.Now())
		}
		clock.Set(opened.Add(15 * time.Minute))
		drain(t, d)
		clock.Set(opened.Add(3*24*time.Hour + time.Minute))
		runJob(t, deps, scheduler.JobNudges, clock.Now())
		drain(t, d)

		perChat := map[string][]string{}
		for _, m := range srv.Sent() {
			perChat[itoa(m.ChatID)] = append(perChat[itoa(m.ChatID)], m.Plain)
		}
		for i, chat := range w.ChatIDs {
			texts := perChat[chat]
			invites := 0
			for _, txt := range texts {
				if strings.Contains(txt, "Undangan survei sebelum pembaruan") || strings.Contains(txt, "Mohon kesediaan Anda mengisi survei") {
					invites++
				}
			}
			wantInvites := 1
			if i == 0 {
				wantInvites = 0 // delivered before the upgrade
			}
			if invites != wantInvites || len(texts) != wantInvites+1 || !strings.Contains(texts[len(texts)-1], "Kami mengingatkan kembali survei") {
				t.Errorf("ASN %d got %q after the upgrade; want %d invitation(s) and one nudge", i, texts, wantInvites)
			}
		}
		for i := range w.NIPs {
			if keys := outboxKeys(t, db, "survey:"+itoa(round.ID)+":"+w.NIPs[i]+":"); !slices.Equal(keys, []string{oldKey(i, "invite"), oldKey(i, "nudge1")}) {
				t.Errorf("ASN %d's survey messages %q; want the keys naming the person only", i, keys)
			}
		}
	})
}

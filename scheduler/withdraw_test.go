package scheduler_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/bots/telegram/telegramtest"
	"github.com/tebingtinggi/hub/outbox"
	"github.com/tebingtinggi/hub/scheduler"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
	"github.com/tebingtinggi/hub/training"
	"github.com/tebingtinggi/hub/training/trainingtest"
)

// testClock is a clock the test moves and the dispatcher's goroutines read.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// flakyAPI is a fake Bot API whose sendMessage fails (502) while down is
// set, starting as given, and a dispatcher on it that asks w's store for
// the messages' conditions and waits ten minutes of clock between
// attempts.
func flakyAPI(t *testing.T, ctx context.Context, db *storage.DB, w trainingtest.World, clock *testClock, startDown bool) (*telegramtest.Server, *atomic.Bool, *outbox.Dispatcher) {
	t.Helper()
	srv := telegramtest.NewServer(t)
	down := &atomic.Bool{}
	down.Store(startDown)
	srv.SetFaults(func(method string, chatID int64) telegramtest.Fault {
		if method == "sendMessage" && down.Load() {
			return telegramtest.Fault{Status: 502}
		}
		return telegramtest.Fault{}
	})
	d := &outbox.Dispatcher{DB: db, Senders: map[bots.Platform]bots.Sender{bots.Telegram: newAdapter(t, ctx, srv.URL(), srv.Token())},
		Conditions: w.Store, Backoff: func(int) time.Duration { return 10 * time.Minute }, Now: clock.Now, Logger: quiet}
	return srv, down, d
}

// A reminder that waits in the outbox for another attempt (the chat API
// failed) when its session is cancelled, or moved to another time, is not
// sent once the API is back: the people get the change notice instead,
// the reminders of the moved session's new time, and every other message,
// among them the reminder of a session that did not change.
func TestRetryingReminderOfAChangedSessionIsNotSent(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		start := wib("2027-02-03 09:00") // Wednesday
		clock := &testClock{t: start.Add(-24 * time.Hour)}
		// S0000 will be cancelled, S0001 moved a week later, S0002 stays.
		w := trainingtest.Build(t, db, trainingtest.Spec{ASN: 2, Sessions: 3, Start: start, Gap: 24 * time.Hour,
			Options: training.Options{Now: clock.Now}})
		deps := trainingDeps(db, w)
		srv, down, d := flakyAPI(t, ctx, db, w, clock, true)

		// The day before S0000: its 1-day reminder, and the late 7-day
		// ones of S0001 and S0002, each to both ASN; the API is down.
		runJob(t, deps, scheduler.JobReminders, clock.Now())
		if n := len(outboxKeys(t, db, "reminder:")); n != 6 {
			t.Fatalf("%d reminders queued, want 3 for each of the 2 ASN", n)
		}
		drain(t, d)
		if n := len(srv.Attempts()); n == 0 || len(srv.Sent()) != 0 {
			t.Fatalf("%d attempts and %d deliveries while the API is down; want attempts and no delivery", n, len(srv.Sent()))
		}
		if n := countRows(t, db, `status = 'pending' AND attempts > 0`); n != 2 {
			t.Fatalf("%d reminders wait for a retry, want the first of each chat", n)
		}

		// An officer cancels S0000 and moves S0001, as `hub training
		// import sessions` does: the sessions and their notices in one
		// transaction.
		clock.Set(clock.Now().Add(time.Minute))
		moved := start.Add(8 * 24 * time.Hour) // S0001, first on 4 February, now on 11 February
		file := "code,training,start,end,place,status\n" +
			"S0000,T1," + start.Format(time.RFC3339) + "," + start.Add(7*time.Hour).Format(time.RFC3339) + ",Aula Kantor Wali Kota,dibatalkan\n" +
			"S0001,T1," + moved.Format(time.RFC3339) + "," + moved.Add(7*time.Hour).Format(time.RFC3339) + ",Aula Kantor Wali Kota,\n" +
			"S0002,T1," + start.Add(48*time.Hour).Format(time.RFC3339) + "," + start.Add(55*time.Hour).Format(time.RFC3339) + ",Aula Kantor Wali Kota,\n"
		if err := db.InTx(ctx, func(tx *sqlx.Tx) error {
			changes, err := w.Store.ImportSessionsIn(ctx, tx, strings.NewReader(file), "sessions.csv")
			if err != nil {
				return err
			}
			if len(changes) != 2 {
				t.Errorf("changes %+v; want S0000 cancelled and S0001 rescheduled", changes)
			}
			notices, err := w.Store.ChangeNotices(ctx, tx, changes, clock.Now())
			if err != nil {
				return err
			}
			_, err = outbox.Enqueue(ctx, tx, training.OutboxMessages(notices)...)
			return err
		}); err != nil {
			t.Fatal(err)
		}

		// The API is back and the retries come due.
		down.Store(false)
		clock.Set(clock.Now().Add(11 * time.Minute))
		drain(t, d)
		// A week later, the moved session's reminders.
		for _, at := range []time.Time{moved.Add(-24 * time.Hour), moved.Add(-2 * time.Hour)} {
			clock.Set(at)
			runJob(t, deps, scheduler.JobReminders, at)
			drain(t, d)
		}

		want := map[string]int{
			"dibatalkan":                          1, // S0000's cancellation
			"Jadwal pelatihan":                    1, // S0001's move
			"Kamis, 11 Februari 2027 pukul 09.00": 3, // the move's notice, and S0001's reminders at its new time
			"Jumat, 5 Februari 2027 pukul 09.00":  1, // S0002's reminder
			// The cancellation names the session by its time, which the
			// person was never told (its reminder was withdrawn), as news.
			"Pelatihan \"Literasi Data untuk ASN\" yang dijadwalkan pada Rabu, 3 Februari 2027 pukul 09.00 WIB dibatalkan.": 1,
			"Rabu, 3 Februari 2027 pukul 09.00": 1,
			// S0001's old time is not in the move's notice: the person was
			// never told it (its 7-day reminder was withdrawn).
			"Kamis, 4 Februari 2027": 0,
		}
		for _, chat := range w.ChatIDs {
			var texts []string
			for _, m := range srv.Sent() {
				if itoa(m.ChatID) == chat {
					texts = append(texts, m.Plain)
				}
			}
			for phrase, n := range want {
				got := 0
				for _, txt := range texts {
					if strings.Contains(txt, phrase) {
						got++
					}
				}
				if got != n {
					t.Errorf("chat %s: %d messages say %q, want %d; delivered:\n%s", chat, got, phrase, n, strings.Join(texts, "\n---\n"))
				}
			}
			if len(texts) != 5 {
				t.Errorf("chat %s: %d messages delivered, want 5 (2 notices, 3 reminders)", chat, len(texts))
			}
		}
		for i, sess := range w.Sessions[:2] {
			for _, nip := range w.NIPs {
				for _, k := range outboxKeys(t, db, "reminder:"+nip+":"+itoa(sess)+":") {
					if strings.Contains(k, ":"+itoa(moved.Unix())) {
						continue // planned for the new time
					}
					rec, err := outbox.New(db).Get(ctx, k)
					if err != nil {
						t.Fatal(err)
					}
					if rec.Status != outbox.Skipped {
						t.Errorf("S000%d's reminder %s is %s, want skipped", i, k, rec.Status)
					}
				}
			}
		}
		if n := countRows(t, db, `status NOT IN ('sent', 'skipped')`); n != 0 {
			t.Errorf("%d messages neither sent nor skipped", n)
		}
	})
}

// Survey invitations and nudges that wait in the outbox for another
// attempt (the chat API failed) are not sent once they are wrong: the
// invitations of a round taken back because its session was cancelled,
// the nudges of a round taken back because its session moved to a later
// date, the nudge of someone who completed the survey meanwhile and of
// someone whose attendance was corrected to absent. Everything else goes
// out once the API is back.
func TestRetryingSurveyMessagesAreWithdrawn(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		start := wib("2027-02-01 09:00") // Monday; S0000, S0001 and S0002 on three days
		clock := &testClock{t: start.Add(-24 * time.Hour)}
		w := trainingtest.Build(t, db, trainingtest.Spec{ASN: 3, Sessions: 3, Start: start, Gap: 24 * time.Hour,
			Options: training.Options{Now: clock.Now}})
		deps := trainingDeps(db, w)
		srv, down, d := flakyAPI(t, ctx, db, w, clock, false)
		attended := func(session string) {
			t.Helper()
			file := "session,nip,attended\n"
			for _, nip := range w.NIPs {
				file += session + "," + nip + ",ya\n"
			}
			if _, err := w.Store.ImportEnrolments(ctx, strings.NewReader(file), "hadir.csv"); err != nil {
				t.Fatal(err)
			}
		}

		// Tuesday evening the surveys of S0000 and S0001 open; their
		// invitations are delivered.
		opened := start.Add(33 * time.Hour)
		clock.Set(opened)
		attended("S0000")
		attended("S0001")
		runJob(t, deps, scheduler.JobSurveys, opened)
		drain(t, d)
		if n := len(srv.Sent()); n != 6 {
			t.Fatalf("%d invitations delivered, want 2 rounds × 3 ASN", n)
		}
		roundOf := func(i int) int64 {
			t.Helper()
			rs, err := w.Store.Rounds(ctx, w.Sessions[i])
			if err != nil || len(rs) != 1 {
				t.Fatalf("rounds of S000%d: %+v, %v", i, rs, err)
			}
			return rs[0].ID
		}
		a, b := roundOf(0), roundOf(1)

		// Three days later S0002's survey opens and the first nudges of
		// the other two are due; the API is down.
		clock.Set(opened.Add(3 * 24 * time.Hour))
		attended("S0002")
		runJob(t, deps, scheduler.JobSurveys, clock.Now())
		runJob(t, deps, scheduler.JobNudges, clock.Now())
		c := roundOf(2)
		if n := countRows(t, db, `status = 'pending' AND idempotency_key LIKE 'survey:%'`); n != 9 {
			t.Fatalf("%d survey messages queued, want S0002's 3 invitations and 6 nudges", n)
		}
		down.Store(true)
		drain(t, d)
		if n := countRows(t, db, `status = 'pending' AND attempts > 0`); n != 3 || len(srv.Sent()) != 6 {
			t.Fatalf("%d messages wait for a retry, %d delivered; want the first of each chat, and nothing new", n, len(srv.Sent()))
		}

		// While they wait: the first ASN completes S0000's survey, the
		// third's attendance of S0000 is corrected to absent, S0001 turns
		// out to take place next week, S0002 is cancelled.
		clock.Set(clock.Now().Add(time.Minute))
		answerAll(t, db, w.Store, a, w.NIPs[0], "4", clock.Now())
		if _, err := w.Store.ImportEnrolments(ctx, strings.NewReader("session,nip,attended\nS0000,"+w.NIPs[2]+",tidak\n"), "koreksi.csv"); err != nil {
			t.Fatal(err)
		}
		next := start.Add(8 * 24 * time.Hour)
		file := "code,training,start,end,place,status\n" +
			"S0001,T1," + next.Format(time.RFC3339) + "," + next.Add(7*time.Hour).Format(time.RFC3339) + ",Aula Kantor Wali Kota,\n" +
			"S0002,T1," + start.Add(48*time.Hour).Format(time.RFC3339) + "," + start.Add(55*time.Hour).Format(time.RFC3339) + ",Aula Kantor Wali Kota,dibatalkan\n"
		if _, err := w.Store.ImportSessions(ctx, strings.NewReader(file), "sessions.csv"); err != nil {
			t.Fatal(err)
		}

		// The API is back and the retries come due.
		down.Store(false)
		clock.Set(clock.Now().Add(11 * time.Minute))
		drain(t, d)

		nudge := func(round int64, i int) string { return surveyKey(t, db, round, w.NIPs[i], "nudge1") }
		want := map[string]outbox.Status{nudge(a, 1): outbox.Sent}
		for i := range w.NIPs {
			want[surveyKey(t, db, c, w.NIPs[i], "invite")] = outbox.Skipped // S0002 cancelled
			want[nudge(b, i)] = outbox.Skipped                              // S0001 moved
		}
		want[nudge(a, 0)] = outbox.Skipped // completed
		want[nudge(a, 2)] = outbox.Skipped // absent after all
		for k, st := range want {
			rec, err := outbox.New(db).Get(ctx, k)
			if err != nil {
				t.Fatalf("%s: %v", k, err)
			}
			if rec.Status != st || (st == outbox.Skipped && !strings.Contains(rec.LastError, "condition no longer holds")) {
				t.Errorf("%s is %s (%q), want %s", k, rec.Status, rec.LastError, st)
			}
		}
		if n := countRows(t, db, `idempotency_key LIKE 'survey:%'`); n != 6+len(want) {
			t.Errorf("%d survey messages in the outbox, want the 6 first invitations and %d more", n, len(want))
		}
		if n := countRows(t, db, `status NOT IN ('sent', 'skipped')`); n != 0 {
			t.Errorf("%d messages neither sent nor skipped", n)
		}
		sent := srv.Sent()[6:]
		if len(sent) != 1 || itoa(sent[0].ChatID) != w.ChatIDs[1] || !strings.Contains(sent[0].Plain, "Kami mengingatkan kembali survei") {
			t.Errorf("delivered after the API came back: %+v; want only the second ASN's nudge", sent)
		}
	})
}

// surveyKey is the key of the one survey message of kind ("invite",
// "nudge1") to nip in round in the outbox.
func surveyKey(t *testing.T, db *storage.DB, round int64, nip, kind string) string {
	t.Helper()
	var keys []string
	for _, k := range outboxKeys(t, db, "survey:"+itoa(round)+":"+nip+":") {
		if strings.HasSuffix(k, ":"+kind) {
			keys = append(keys, k)
		}
	}
	if len(keys) != 1 {
		t.Fatalf("survey messages %s to %s in round %d: %q; want one", kind, nip, round, keys)
	}
	return keys[0]
}

// importWithNotices changes sessions as `hub training import sessions`
// and the web admin do: the sessions and the notices of their changes in
// one transaction.
func importWithNotices(t *testing.T, db *storage.DB, w trainingtest.World, file string, now time.Time) []training.SessionChange {
	t.Helper()
	ctx := context.Background()
	var changes []training.SessionChange
	if err := db.InTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		if changes, err = w.Store.ImportSessionsIn(ctx, tx, strings.NewReader(file), "sessions.csv"); err != nil {
			return err
		}
		notices, err := w.Store.ChangeNotices(ctx, tx, changes, now)
		if err != nil {
			return err
		}
		_, err = outbox.Enqueue(ctx, tx, training.OutboxMessages(notices)...)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return changes
}

// A reminder that waits in the outbox for a retry when its session moves
// to another place is not sent with the old place, nor planned again: its
// moment passed before the move, whose notice states the new place. Each
// ASN ends up with the notice of the move and exactly one reminder for
// each moment still ahead, every message naming the new place.
func TestRetryingReminderOfAMovedPlaceIsReplaced(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		start := wib("2027-02-03 09:00") // Wednesday
		clock := &testClock{t: start.Add(-24 * time.Hour)}
		w := trainingtest.Build(t, db, trainingtest.Spec{ASN: 2, Sessions: 1, Start: start,
			Options: training.Options{Now: clock.Now}})
		deps := trainingDeps(db, w)
		srv, down, d := flakyAPI(t, ctx, db, w, clock, true)

		// The day before: the 1-day reminders, and the API is down.
		runJob(t, deps, scheduler.JobReminders, clock.Now())
		drain(t, d)
		if n := countRows(t, db, `status = 'pending' AND attempts > 0 AND idempotency_key LIKE 'reminder:%'`); n != 2 || len(srv.Sent()) != 0 {
			t.Fatalf("%d reminders wait for a retry, %d delivered; want both waiting", n, len(srv.Sent()))
		}

		// The training moves to another room.
		clock.Set(clock.Now().Add(time.Minute))
		const room = "Ruang Rapat Bappeda Lantai 2"
		changes := importWithNotices(t, db, w, "code,training,start,end,place\nS0000,T1,"+start.Format(time.RFC3339)+","+
			start.Add(7*time.Hour).Format(time.RFC3339)+","+room+"\n", clock.Now())
		if len(changes) != 1 || changes[0].Kind != training.ChangeMoved {
			t.Fatalf("changes %+v; want the place", changes)
		}

		// The API is back; the reminders job runs every minute, and again
		// at the 2-hour moment.
		down.Store(false)
		clock.Set(clock.Now().Add(11 * time.Minute))
		for _, at := range []time.Time{clock.Now(), clock.Now().Add(time.Minute), start.Add(-2 * time.Hour), start.Add(-119 * time.Minute)} {
			clock.Set(at)
			drain(t, d)
			runJob(t, deps, scheduler.JobReminders, at)
			drain(t, d)
		}

		for _, chat := range w.ChatIDs {
			var texts []string
			for _, m := range srv.Sent() {
				if itoa(m.ChatID) == chat {
					texts = append(texts, m.Plain)
				}
			}
			all := strings.Join(texts, "\n---\n")
			count := func(phrase string) int { return strings.Count(all, phrase) }
			if len(texts) != 2 || count("Tempat pelatihan") != 1 || count("Pengingat:") != 1 || count("dimulai 2 jam lagi") != 1 ||
				count("Tempat: "+room) != 2 || count("Aula Kantor Wali Kota") != 0 {
				t.Errorf("chat %s: delivered\n%s\nwant the notice of the move and the 2-hour reminder, both naming %s only", chat, all, room)
			}
		}
		for _, nip := range w.NIPs {
			keys := outboxKeys(t, db, "reminder:"+nip+":")
			if len(keys) != 2 {
				t.Fatalf("%s's reminders %q; want the first 1-day one and the 2-hour one", nip, keys)
			}
			for _, k := range keys {
				rec, err := outbox.New(db).Get(ctx, k)
				if err != nil {
					t.Fatal(err)
				}
				want := outbox.Sent
				if strings.Contains(k, ":1d:") && !strings.Contains(rec.Out.Text, room) {
					want = outbox.Skipped // the one naming the old place
				}
				if rec.Status != want {
					t.Errorf("%s is %s, want %s", k, rec.Status, want)
				}
			}
		}
		if n := countRows(t, db, `status NOT IN ('sent', 'skipped')`); n != 0 {
			t.Errorf("%d messages neither sent nor skipped", n)
		}
	})
}

// A change notice that waits in the outbox for a retry when a later
// change or a cancellation of the same session supersedes it is not sent:
// the people get the later notice only, which states what holds now. S0000
// is moved to another day and then cancelled; S0001 is moved to another
// day and then to another room.
func TestSupersededChangeNoticeIsNotSent(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		start := wib("2027-02-10 09:00") // Wednesday
		clock := &testClock{t: start.Add(-3 * 24 * time.Hour)}
		w := trainingtest.Build(t, db, trainingtest.Spec{ASN: 2, Sessions: 2, Start: start, Gap: 24 * time.Hour,
			Options: training.Options{Now: clock.Now}})
		srv, down, d := flakyAPI(t, ctx, db, w, clock, true)
		row := func(code string, at time.Time, place, status string) string {
			return code + ",T1," + at.Format(time.RFC3339) + "," + at.Add(7*time.Hour).Format(time.RFC3339) + "," + place + "," + status + "\n"
		}
		const head, hall, room = "code,training,start,end,place,status\n", "Aula Kantor Wali Kota", "Ruang Rapat Bappeda Lantai 2"
		s0, s1 := start.Add(7*24*time.Hour), start.Add(8*24*time.Hour) // a week later each

		// Both sessions move to the next week; the API is down.
		importWithNotices(t, db, w, head+row("S0000", s0, hall, "")+row("S0001", s1, hall, ""), clock.Now())
		drain(t, d)
		if n := countRows(t, db, `status = 'pending' AND attempts > 0`); n != 2 || len(srv.Sent()) != 0 {
			t.Fatalf("%d notices wait for a retry, %d delivered; want the first of each chat", n, len(srv.Sent()))
		}
		// An hour later S0000 is cancelled after all, and S0001 moves to
		// another room.
		clock.Set(clock.Now().Add(time.Hour))
		importWithNotices(t, db, w, head+row("S0000", s0, hall, "dibatalkan")+row("S0001", s1, room, ""), clock.Now())

		down.Store(false)
		clock.Set(clock.Now().Add(11 * time.Minute))
		drain(t, d)
		for _, chat := range w.ChatIDs {
			var texts []string
			for _, m := range srv.Sent() {
				if itoa(m.ChatID) == chat {
					texts = append(texts, m.Plain)
				}
			}
			all := strings.Join(texts, "\n---\n")
			if len(texts) != 2 || strings.Contains(all, "Jadwal pelatihan") || !strings.Contains(texts[0], "Rabu, 17 Februari 2027 pukul 09.00") ||
				!strings.Contains(texts[0], "yang terakhir dijadwalkan pada Rabu, 17 Februari 2027 pukul 09.00 WIB dibatalkan.") ||
				!strings.Contains(texts[1], "Tempat pelatihan \"Literasi Data untuk ASN\" berubah. Waktu dan tempat yang berlaku sekarang:") ||
				!strings.Contains(texts[1], "Kamis, 18 Februari 2027 pukul 09.00") || !strings.Contains(texts[1], "Tempat: "+room) {
				t.Errorf("chat %s: delivered\n%s\nwant S0000's cancellation, then S0001's new room with its new day, and neither move's notice", chat, all)
			}
		}
		var statuses []string
		if err := db.SelectContext(ctx, &statuses, `SELECT status FROM outbox WHERE idempotency_key LIKE 'session-change:%:rescheduled:%' ORDER BY id`); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(statuses, []string{"skipped", "skipped", "skipped", "skipped"}) {
			t.Errorf("the notices of the first moves are %q, want all 4 skipped", statuses)
		}
		if n := countRows(t, db, `status NOT IN ('sent', 'skipped')`); n != 0 {
			t.Errorf("%d messages neither sent nor skipped", n)
		}
	})
}

// A new time and a new place of a session in one import make one notice
// stating both. The clock stands still between imports, as it may within
// one microsecond: each change still gets its own notice, a notice sent
// is not sent again, and one waiting for a retry when a later change
// supersedes it is not sent at all.
func TestTimeAndPlaceChangedTogetherMakeOneNotice(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		start := wib("2027-02-10 09:00") // Wednesday
		clock := &testClock{t: start.Add(-3 * 24 * time.Hour)}
		w := trainingtest.Build(t, db, trainingtest.Spec{ASN: 2, Sessions: 1, Start: start, Gap: 24 * time.Hour,
			Options: training.Options{Now: clock.Now}})
		srv, down, d := flakyAPI(t, ctx, db, w, clock, false)
		row := func(at time.Time, place string) string {
			return "code,training,start,end,place\nS0000,T1," + at.Format(time.RFC3339) + "," + at.Add(7*time.Hour).Format(time.RFC3339) + "," + place + "\n"
		}
		const hall, room, lab = "Aula Kantor Wali Kota", "Ruang Rapat Bappeda Lantai 2", "Laboratorium Komputer Diskominfo"
		sent := func(chat string) []string {
			var texts []string
			for _, m := range srv.Sent() {
				if itoa(m.ChatID) == chat {
					texts = append(texts, m.Plain)
				}
			}
			return texts
		}
		want := func(step string, n int, last ...string) {
			t.Helper()
			for _, chat := range w.ChatIDs {
				texts := sent(chat)
				if len(texts) != n {
					t.Fatalf("%s: chat %s got %d messages, want %d:\n%s", step, chat, len(texts), n, strings.Join(texts, "\n---\n"))
				}
				for _, phrase := range last {
					if !strings.Contains(texts[n-1], phrase) {
						t.Errorf("%s: chat %s got\n%s\nwithout %q", step, chat, texts[n-1], phrase)
					}
				}
			}
		}

		// A week later, and in another room: one notice.
		importWithNotices(t, db, w, row(start.Add(7*24*time.Hour), room), clock.Now())
		drain(t, d)
		want("time and place", 1, `Jadwal dan tempat pelatihan "Literasi Data untuk ASN" berubah. Waktu dan tempat yang berlaku sekarang:`,
			"Waktu: Rabu, 17 Februari 2027 pukul 09.00", "Tempat: "+room)

		// Back to the hall, at the same instant: a notice of its own.
		importWithNotices(t, db, w, row(start.Add(7*24*time.Hour), hall), clock.Now())
		drain(t, d)
		want("place", 2, `Tempat pelatihan "Literasi Data untuk ASN" berubah.`, "Waktu: Rabu, 17 Februari 2027 pukul 09.00", "Tempat: "+hall)

		// Two changes of both while the API is down: only the second's
		// notice goes out.
		down.Store(true)
		importWithNotices(t, db, w, row(start.Add(8*24*time.Hour), room), clock.Now())
		drain(t, d)
		importWithNotices(t, db, w, row(start.Add(9*24*time.Hour), lab), clock.Now())
		down.Store(false)
		clock.Set(clock.Now().Add(11 * time.Minute))
		drain(t, d)
		want("twice while down", 3, "Jadwal dan tempat pelatihan", "Waktu: Jumat, 19 Februari 2027 pukul 09.00", "Tempat: "+lab)
		for _, chat := range w.ChatIDs {
			if all := strings.Join(sent(chat), "\n"); strings.Contains(all, "Kamis, 18 Februari") {
				t.Errorf("chat %s got the superseded notice:\n%s", chat, all)
			}
		}
		var statuses []string
		if err := db.SelectContext(ctx, &statuses, `SELECT status FROM outbox WHERE idempotency_key LIKE 'session-change:%' ORDER BY id`); err != nil {
			t.Fatal(err)
		}
		if want := []string{"sent", "sent", "sent", "sent", "skipped", "skipped", "sent", "sent"}; !slices.Equal(statuses, want) {
			t.Errorf("notices %q, want %q", statuses, want)
		}
	})
}

package scheduler_test

import (
	"github.com/jmoiron/sqlx"

	"context"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
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

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func wib(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, training.WIB)
	if err != nil {
		panic(err)
	}
	return t
}

// outboxKeys lists the outbox's keys with a prefix, sorted.
func outboxKeys(t *testing.T, db *storage.DB, prefix string) []string {
	t.Helper()
	var keys []string
	if err := db.SelectContext(context.Background(), &keys, db.Rebind(`SELECT idempotency_key FROM outbox WHERE idempotency_key LIKE ? ORDER BY idempotency_key`), prefix+"%"); err != nil {
		t.Fatal(err)
	}
	return keys
}

func trainingDeps(db *storage.DB, w trainingtest.World) scheduler.Training {
	return scheduler.Training{
		Store: w.Store,
		Enqueue: func(ctx context.Context, msgs ...outbox.Message) (int, error) {
			return outbox.Enqueue(ctx, db, msgs...)
		},
		Logger:   quiet,
		DigestTo: bots.Outgoing{Platform: bots.Telegram, ChatID: "-1001234567890"},
	}
}

// runJob runs the named job of deps at now.
func runJob(t *testing.T, deps scheduler.Training, name string, now time.Time) {
	t.Helper()
	for _, j := range scheduler.TrainingJobs(deps) {
		if j.Name == name {
			if err := j.Run(context.Background(), now); err != nil {
				t.Fatalf("%s at %s: %v", name, now, err)
			}
			return
		}
	}
	t.Fatalf("no job %s", name)
}

// TestTrainingCycle walks one session's cycle through the jobs: reminders
// (one missed while the hub was down), the post-training survey, nudges,
// closing, the follow-up, the competency survey and the digest.
func TestTrainingCycle(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		start := wib("2026-12-03 09:00")
		w := trainingtest.Build(t, db, trainingtest.Spec{ASN: 6, Sessions: 1, Start: start})
		deps := trainingDeps(db, w)
		sess := w.Sessions[0]
		count := func(prefix string) int { return len(outboxKeys(t, db, prefix)) }

		runJob(t, deps, scheduler.JobReminders, start.Add(-8*24*time.Hour))
		if n := count("reminder:"); n != 0 {
			t.Fatalf("%d reminders 8 days before", n)
		}
		for range 2 { // a re-run enqueues nothing twice
			runJob(t, deps, scheduler.JobReminders, start.Add(-7*24*time.Hour))
		}
		if got := outboxKeys(t, db, "reminder:"); len(got) != 6 || !strings.Contains(got[0], ":7d:") {
			t.Fatalf("after the 7-day moment: %q", got)
		}
		// The hub was down at the 1-day moment; 3 hours before the start
		// the 1-day reminder still goes out.
		runJob(t, deps, scheduler.JobReminders, start.Add(-3*time.Hour))
		if n := count("reminder:" + w.NIPs[0] + ":"); n != 2 {
			t.Fatalf("%d reminders for the first ASN after the missed 1-day moment, want 2", n)
		}
		// Everyone but the last confirms; the 2-hour reminder is enqueued
		// and, the hub being down until after the start, skipped.
		es, err := w.Store.Enrolments(ctx, sess)
		if err != nil {
			t.Fatal(err)
		}
		for _, nip := range w.NIPs[:5] {
			for _, e := range es {
				if e.NIP == nip {
					if _, err := storagetest.InTx(db, func(tx *sqlx.Tx) (training.Session, error) {
						return w.Store.RecordRSVP(ctx, tx, e.ID, nip, true, "", start.Add(-150*time.Minute))
					}); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
		runJob(t, deps, scheduler.JobReminders, start.Add(-2*time.Hour))
		if n := count("reminder:"); n != 18 {
			t.Fatalf("%d reminders, want 18", n)
		}
		runJob(t, deps, scheduler.JobReminders, start.Add(time.Minute))
		if n := count("reminder:"); n != 18 {
			t.Fatalf("reminders planned after the start: %d", n)
		}
		sender := &recordingSender{}
		d := &outbox.Dispatcher{DB: db, Senders: map[bots.Platform]bots.Sender{bots.Telegram: sender}, Logger: quiet,
			Now: func() time.Time { return start.Add(time.Minute) }}
		drain(t, d)
		st, err := outbox.New(db).Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if st["skipped"] != 18 || st["sent"] != 0 {
			t.Fatalf("after the start every reminder is skipped: %v", st)
		}

		// The survey opens 2 hours after the end (16:00) for the 5 who
		// confirmed, not before.
		end := start.Add(7 * time.Hour)
		runJob(t, deps, scheduler.JobSurveys, end.Add(119*time.Minute))
		if n := count("survey:"); n != 0 {
			t.Fatalf("%d invitations before the delay", n)
		}
		runJob(t, deps, scheduler.JobSurveys, end.Add(2*time.Hour))
		runJob(t, deps, scheduler.JobSurveys, end.Add(2*time.Hour+time.Minute))
		invites := outboxKeys(t, db, "survey:")
		if len(invites) != 5 || !strings.HasSuffix(invites[0], ":invite") {
			t.Fatalf("invitations %q", invites)
		}
		rounds, err := w.Store.Rounds(ctx, sess)
		if err != nil || len(rounds) != 1 {
			t.Fatalf("rounds %v %v", rounds, err)
		}
		round := rounds[0]
		// Two respond, with low marks.
		for _, nip := range w.NIPs[:2] {
			answerAll(t, db, w.Store, round.ID, nip, "2", end.Add(3*time.Hour))
		}

		// Nudges: 3 and 6 days after the invitation, to the 3 who did not
		// answer, and no third.
		opened := end.Add(2 * time.Hour)
		for _, at := range []time.Duration{71 * time.Hour, 72 * time.Hour, 73 * time.Hour, 6 * 24 * time.Hour, 9 * 24 * time.Hour, 12 * 24 * time.Hour} {
			runJob(t, deps, scheduler.JobNudges, opened.Add(at))
		}
		if got := count("survey:"); got != 5+3+3 {
			t.Fatalf("%d survey messages, want 5 invitations + 6 nudges: %q", got, outboxKeys(t, db, "survey:"))
		}
		if got := outboxKeys(t, db, "survey:"+itoa(round.ID)+":"+w.NIPs[0]+":"); len(got) != 1 || !strings.HasSuffix(got[0], ":invite") {
			t.Fatalf("a respondent was nudged: %q", got)
		}

		// The digest before closing: the round is open, 2 of 5 answered;
		// the anonymous round has fewer than 5 answers, so no scores.
		text, err := scheduler.Digest(ctx, w.Store, opened.Add(5*24*time.Hour), 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"Ringkasan mingguan", "Literasi Data untuk ASN", "2 dari 5 menjawab (40%)", "Pelatihan dengan nilai rendah"} {
			if !strings.Contains(text, want) {
				t.Errorf("digest lacks %q:\n%s", want, text)
			}
		}
		if strings.Contains(text, "rata-rata 2,00") {
			t.Errorf("the digest shows scores of an anonymous round under its threshold:\n%s", text)
		}
		for _, nip := range w.NIPs {
			if strings.Contains(text, nip) || strings.Contains(text, "ASN Uji") {
				t.Fatalf("the digest names people:\n%s", text)
			}
		}
		// Three more answer: five answers show the low score.
		for _, nip := range w.NIPs[2:5] {
			answerAll(t, db, w.Store, round.ID, nip, "3", opened.Add(7*24*time.Hour))
		}
		text, err = scheduler.Digest(ctx, w.Store, opened.Add(8*24*time.Hour), 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(text, "rata-rata 2,60 dari 25 jawaban") {
			t.Errorf("digest lacks the low score:\n%s", text)
		}
		// A lower threshold (HUB_DIGEST_LOW_SCORE) leaves the round out.
		text, err = scheduler.Digest(ctx, w.Store, opened.Add(8*24*time.Hour), 2.5, 0)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(text, "rata-rata 2,60") || !strings.Contains(text, "di bawah 2,50 dari 5") {
			t.Errorf("digest with threshold 2.50:\n%s", text)
		}
		runJob(t, deps, scheduler.JobDigest, opened.Add(8*24*time.Hour))
		runJob(t, deps, scheduler.JobDigest, opened.Add(8*24*time.Hour+time.Hour))
		if got := outboxKeys(t, db, "digest:"); len(got) != 1 {
			t.Fatalf("digests %q", got)
		}

		// The round closes after 14 days.
		runJob(t, deps, scheduler.JobCloseRounds, opened.Add(14*24*time.Hour-time.Minute))
		if r, _ := w.Store.GetRound(ctx, round.ID); r.Status != training.RoundOpen {
			t.Fatal("closed early")
		}
		runJob(t, deps, scheduler.JobCloseRounds, opened.Add(14*24*time.Hour))
		if r, _ := w.Store.GetRound(ctx, round.ID); r.Status != training.RoundClosed {
			t.Fatal("not closed after 14 days")
		}

		// The follow-up 90 days after the end.
		runJob(t, deps, scheduler.JobFollowUps, end.Add(89*24*time.Hour))
		if n := count("survey:"); n != 11 {
			t.Fatalf("follow-up before 90 days")
		}
		runJob(t, deps, scheduler.JobFollowUps, end.Add(90*24*time.Hour))
		if n := count("survey:"); n != 16 {
			t.Fatalf("%d survey messages after the follow-up, want 16", n)
		}

		// The competency survey invites everyone reachable, once a day.
		q := wib("2027-04-02 09:00")
		runJob(t, deps, scheduler.JobCompetency, q)
		runJob(t, deps, scheduler.JobCompetency, q.Add(time.Hour))
		if n := count("survey:"); n != 22 {
			t.Fatalf("%d survey messages after the competency survey, want 22", n)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// answerAll completes nip's response to a round, answering every Likert
// question with value and skipping the rest.
func answerAll(t *testing.T, db *storage.DB, s *training.Store, roundID int64, nip, value string, now time.Time) {
	t.Helper()
	ctx := context.Background()
	step, err := storagetest.InTx(db, func(tx *sqlx.Tx) (training.Step, error) { return s.Start(ctx, tx, roundID, nip, now) })
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.GetRound(ctx, roundID)
	if err != nil {
		t.Fatal(err)
	}
	for !step.Done {
		v := "-"
		for _, q := range r.Questions {
			if q.ID == step.QuestionID {
				switch {
				case q.Kind == training.Likert5:
					v = value
				case q.Kind == training.Choice && q.Required:
					v = q.Options[0]
				case q.Required:
					v = "catatan"
				}
			}
		}
		if v == "catatan" {
			step, err = storagetest.InTx(db, func(tx *sqlx.Tx) (training.Step, error) { return s.AnswerText(ctx, tx, roundID, nip, v, now) })
		} else {
			step, err = storagetest.InTx(db, func(tx *sqlx.Tx) (training.Step, error) {
				return s.Answer(ctx, tx, roundID, nip, step.QuestionID, v, now)
			})
		}
		if err != nil {
			t.Fatalf("answer %s: %v", step.QuestionID, err)
		}
	}
}

// recordingSender accepts every message.
type recordingSender struct {
	mu  sync.Mutex
	out []bots.Outgoing
}

func (r *recordingSender) Send(ctx context.Context, out bots.Outgoing) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.out = append(r.out, out)
	return "1", nil
}

// drain dispatches until nothing is due.
func drain(t *testing.T, d *outbox.Dispatcher) {
	t.Helper()
	for range 1000 {
		n, err := d.DispatchOnce(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
	t.Fatal("the outbox does not drain")
}

// TestTickFollowsSpecs drives a Scheduler with a simulated clock: each job
// runs once per elapsed moment of its spec, in WIB.
func TestTickFollowsSpecs(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	now := wib("2026-11-29 07:00") // a Sunday
	s, err := scheduler.New(scheduler.Config{DB: db, Now: func() time.Time { return now }, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	runs := map[string][]time.Time{}
	for _, j := range []scheduler.Job{{Name: "often", Spec: "*/5 * * * *"}, {Name: "monday", Spec: "0 8 * * 1"}} {
		name := j.Name
		j.Run = func(_ context.Context, at time.Time) error { runs[name] = append(runs[name], at); return nil }
		if err := s.Add(j); err != nil {
			t.Fatal(err)
		}
	}
	if ran := s.Tick(context.Background()); len(ran) != 0 {
		t.Fatalf("the first tick ran %v", ran)
	}
	for range 2 * 24 * 4 { // two days in 15-minute steps
		now = now.Add(15 * time.Minute)
		s.Tick(context.Background())
	}
	if len(runs["often"]) != 2*24*4 {
		t.Errorf("often ran %d times, want %d", len(runs["often"]), 2*24*4)
	}
	if len(runs["monday"]) != 1 || !runs["monday"][0].Equal(wib("2026-11-30 08:00")) {
		t.Errorf("monday ran at %v", runs["monday"])
	}
}

// TestRehearse rehearses a fortnight: reminders at their moments, the
// survey after the session, the Monday digests, all without a dispatcher.
func TestRehearse(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	start := wib("2026-12-03 09:00")
	w := trainingtest.Build(t, db, trainingtest.Spec{ASN: 3, Sessions: 1, Start: start})
	ctx := context.Background()
	es, err := w.Store.Enrolments(ctx, w.Sessions[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		if _, err := storagetest.InTx(db, func(tx *sqlx.Tx) (training.Session, error) {
			return w.Store.RecordRSVP(ctx, tx, e.ID, e.NIP, true, "", start.Add(-10*24*time.Hour))
		}); err != nil {
			t.Fatal(err)
		}
	}
	deps := trainingDeps(db, w)
	type seen struct {
		at  time.Time
		key string
	}
	var got []seen
	var clock time.Time
	enqueue := deps.Enqueue
	deps.Enqueue = func(ctx context.Context, msgs ...outbox.Message) (int, error) {
		n := 0
		for _, m := range msgs {
			k, err := enqueue(ctx, m)
			if err != nil {
				return n, err
			}
			if k == 1 {
				at := m.NotBefore
				if at.IsZero() || at.Before(clock) && m.Key[:7] != "reminde" {
					at = clock
				}
				got = append(got, seen{at, m.Key})
			}
			n += k
		}
		return n, nil
	}
	from, to := wib("2026-11-25 00:00"), wib("2026-12-09 00:00")
	err = scheduler.Rehearse(ctx, scheduler.TrainingJobs(deps), from, to, 15*time.Minute, training.WIB, func(t time.Time) { clock = t })
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, s := range got {
		kind := strings.SplitN(s.key, ":", 2)[0]
		switch {
		case strings.HasPrefix(s.key, "reminder:") && strings.Contains(s.key, ":7d:"):
			kind = "7d"
			if !s.at.Equal(start.Add(-7 * 24 * time.Hour)) {
				t.Errorf("%s at %s", s.key, s.at)
			}
		case strings.HasPrefix(s.key, "reminder:") && strings.Contains(s.key, ":1d:"):
			kind = "1d"
		case strings.HasPrefix(s.key, "reminder:") && strings.Contains(s.key, ":2h:"):
			kind = "2h"
		case strings.HasSuffix(s.key, ":invite"):
			kind = "invite"
			if !s.at.Equal(start.Add(9 * time.Hour)) {
				t.Errorf("%s at %s, want 2 hours after the end", s.key, s.at)
			}
		case strings.HasSuffix(s.key, ":nudge1"):
			kind = "nudge1"
		}
		count[kind]++
	}
	// The quarterly JP job runs on 1 December: nobody's attendance is
	// recorded, so all three are behind.
	want := map[string]int{"7d": 3, "1d": 3, "2h": 3, "invite": 3, "nudge1": 3, "digest": 2, "jp": 3}
	if !mapsEqual(count, want) {
		t.Errorf("rehearsed %v, want %v", count, want)
	}
	digests := slices.IndexFunc(got, func(s seen) bool { return strings.HasPrefix(s.key, "digest:") })
	if digests < 0 || !got[digests].at.Equal(wib("2026-11-30 08:00")) {
		t.Errorf("first digest %v", got[digests])
	}
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// The JP job tells each linked ASN behind the year's target their count,
// once per run, with the sessions ahead; the digest shows each unit's share
// on track.
func TestJPRemindersAndDigest(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := trainingtest.Build(t, db, trainingtest.Spec{ASN: 4, Sessions: 2, Start: wib("2026-03-10 09:00"), Gap: 120 * 24 * time.Hour})
		ctx := context.Background()
		// Everyone attended S0000 (8 JP) but the last two; the first has 4
		// JP more from outside.
		if _, err := w.Store.ImportEnrolments(ctx, strings.NewReader("session,nip,attended\nS0000,"+w.NIPs[0]+",ya\nS0000,"+w.NIPs[1]+",ya\n"), "hadir.csv"); err != nil {
			t.Fatal(err)
		}
		if _, err := w.Store.ImportJP(ctx, strings.NewReader("nip,date,jp,title,provider\n"+w.NIPs[0]+",2026-04-01,4,Etika Digital,Kominfo\n"), "jp.csv"); err != nil {
			t.Fatal(err)
		}
		deps := trainingDeps(db, w)
		// 1 June: 41% of the year gone, 8,29 JP expected: the first (12 JP)
		// is on track, the second (8 JP) and the others (0) are not.
		at := wib("2026-06-01 09:00")
		runJob(t, deps, scheduler.JobJP, at)
		runJob(t, deps, scheduler.JobJP, at.Add(time.Hour))
		want := []string{"jp:2026-06:" + w.NIPs[1], "jp:2026-06:" + w.NIPs[2], "jp:2026-06:" + w.NIPs[3]}
		slices.Sort(want)
		if got := outboxKeys(t, db, "jp:"); !slices.Equal(got, want) {
			t.Fatalf("JP messages %q, want %q", got, want)
		}
		rec, err := outbox.New(db).Get(ctx, "jp:2026-06:"+w.NIPs[1])
		if err != nil {
			t.Fatal(err)
		}
		text := rec.Out.Text
		for _, want := range []string{"ASN Uji 2", "Pemerintah Kota Tebingtinggi menargetkan setiap ASN mengikuti pengembangan kompetensi paling sedikit 20 JP per tahun, sesuai hak setiap ASN menurut peraturan. Capaian", "sampai saat ini: 8 JP (dari pelatihan 8 JP, dari kegiatan lain 0 JP); agar sesuai target, saat ini Anda seharusnya sudah mencapai 8,3 JP.", "Anda sudah terdaftar pada pelatihan berikut:\n• Literasi Data untuk ASN (8 JP), Rabu, 8 Juli 2026",
			"untuk pelatihan lain yang dapat diikuti"} {
			if !strings.Contains(text, want) {
				t.Errorf("JP message lacks %q:\n%s", want, text)
			}
		}
		if strings.Contains(text, "Untuk mendaftar") {
			t.Errorf("JP message asks to enrol in the session the person is enrolled in:\n%s", text)
		}
		digest, err := scheduler.Digest(ctx, w.Store, at, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"Capaian JP tahun 2026 per OPD", "BKPSDM: 0 dari 2 ASN sesuai target (0%)", "DISKOMINFO: 1 dari 2 ASN sesuai target (50%)"} {
			if !strings.Contains(digest, want) {
				t.Errorf("digest lacks %q:\n%s", want, digest)
			}
		}
	})
}

// A session moved after its reminders went out is reminded again before
// its new time, and the reminders name the new time; a session moved back
// and forth announces every move.
func TestRescheduledSessionIsRemindedAgain(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		start := wib("2026-12-03 09:00")
		w := trainingtest.Build(t, db, trainingtest.Spec{ASN: 2, Sessions: 1, Start: start})
		deps := trainingDeps(db, w)
		runJob(t, deps, scheduler.JobReminders, start.Add(-7*24*time.Hour))
		runJob(t, deps, scheduler.JobReminders, start.Add(-24*time.Hour))
		if n := len(outboxKeys(t, db, "reminder:")); n != 4 {
			t.Fatalf("%d reminders before the move, want 4", n)
		}
		// The day before, the session moves a week later.
		moved := start.Add(7 * 24 * time.Hour)
		file := "code,training,start,end,place\nS0000,T1," + moved.Format(time.RFC3339) + "," + moved.Add(7*time.Hour).Format(time.RFC3339) + ",Aula Kantor Wali Kota\n"
		if _, err := w.Store.ImportSessions(ctx, strings.NewReader(file), "sessions.csv"); err != nil {
			t.Fatal(err)
		}
		for _, at := range []time.Time{moved.Add(-7 * 24 * time.Hour), moved.Add(-24 * time.Hour), moved.Add(-2 * time.Hour)} {
			runJob(t, deps, scheduler.JobReminders, at)
		}
		var texts []string
		if err := db.SelectContext(ctx, &texts, `SELECT CAST(payload AS TEXT) FROM outbox WHERE idempotency_key LIKE 'reminder:%' ORDER BY id`); err != nil {
			t.Fatal(err)
		}
		newTime := 0
		for _, txt := range texts {
			if strings.Contains(txt, "Kamis, 10 Desember 2026 pukul 09.00") {
				newTime++
			}
		}
		if newTime != 6 {
			t.Errorf("%d reminders name the new time, want 3 for each of the 2 ASN; keys %q", newTime, outboxKeys(t, db, "reminder:"))
		}
	})
}

// The digest's low scores are the trainings': a self-assessment whose
// ASN rate themselves low is a training need (hub report needs), not a
// training that went badly.
func TestDigestLowScoresAreTrainings(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		w := trainingtest.Build(t, db, trainingtest.Spec{ASN: 5, Sessions: 1, Start: wib("2026-12-03 09:00")})
		at := wib("2027-01-02 09:00")
		r, opened, err := w.Store.OpenPeriodicRound(ctx, training.TemplateCompetency, at)
		if err != nil || !opened {
			t.Fatal(opened, err)
		}
		for _, nip := range w.NIPs {
			answerAll(t, db, w.Store, r.ID, nip, "2", at.Add(time.Hour))
		}
		text, err := scheduler.Digest(ctx, w.Store, at.Add(24*time.Hour), 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(text, "Penilaian Mandiri Kompetensi Digital") {
			t.Fatalf("the digest lacks the open self-assessment:\n%s", text)
		}
		if i := strings.Index(text, "Pelatihan dengan nilai rendah"); i < 0 || strings.Contains(text[i:], "Penilaian Mandiri") {
			t.Errorf("the self-assessment is listed as a training with low scores:\n%s", text)
		}
	})
}

// A session whose post-training survey opened and which is then moved to
// a later date (its date was wrong) or cancelled takes its survey back:
// nobody is nudged about a training that has not taken place, and the
// survey opens again after the session's new end.
func TestSurveyOfAMovedOrCancelledSession(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		start := wib("2026-12-03 09:00")
		w := trainingtest.Build(t, db, trainingtest.Spec{ASN: 2, Sessions: 2, Start: start, Gap: time.Hour})
		deps := trainingDeps(db, w)
		for _, sess := range []string{"S0000", "S0001"} {
			if _, err := w.Store.ImportEnrolments(ctx, strings.NewReader("session,nip,attended\n"+sess+","+w.NIPs[0]+",ya\n"+sess+","+w.NIPs[1]+",ya\n"), "hadir.csv"); err != nil {
				t.Fatal(err)
			}
		}
		opened := start.Add(10 * time.Hour)
		runJob(t, deps, scheduler.JobSurveys, opened)
		if n := len(outboxKeys(t, db, "survey:")); n != 4 {
			t.Fatalf("%d invitations, want 2 for each session", n)
		}
		// One answered S0001's survey already.
		cancelled, err := w.Store.Rounds(ctx, w.Sessions[1])
		if err != nil || len(cancelled) != 1 {
			t.Fatal(cancelled, err)
		}
		answerAll(t, db, w.Store, cancelled[0].ID, w.NIPs[0], "4", opened.Add(time.Hour))
		// S0000 really takes place a week later; S0001 is cancelled.
		later := start.Add(7 * 24 * time.Hour)
		file := "code,training,start,end,place,status\n" +
			"S0000,T1," + later.Format(time.RFC3339) + "," + later.Add(7*time.Hour).Format(time.RFC3339) + ",Aula Kantor Wali Kota,\n" +
			"S0001,T1," + start.Add(time.Hour).Format(time.RFC3339) + "," + start.Add(8*time.Hour).Format(time.RFC3339) + ",Aula Kantor Wali Kota,dibatalkan\n"
		if _, err := w.Store.ImportSessions(ctx, strings.NewReader(file), "sessions.csv"); err != nil {
			t.Fatal(err)
		}
		runJob(t, deps, scheduler.JobNudges, opened.Add(3*24*time.Hour))
		if got := outboxKeys(t, db, "survey:"); len(got) != 4 {
			t.Errorf("survey messages after the move and the cancellation: %q; want no nudges", got)
		}
		// The answer given stays, in a round now closed.
		if r, err := w.Store.RoundReport(ctx, cancelled[0].ID); err != nil || r.Round.Status != training.RoundClosed || r.Responded != 1 {
			t.Errorf("the cancelled session's round: %s, %d answered (%v); want closed with its answer", r.Round.Status, r.Responded, err)
		}
		runJob(t, deps, scheduler.JobSurveys, later.Add(9*time.Hour))
		rounds, err := w.Store.Rounds(ctx, w.Sessions[0])
		if err != nil {
			t.Fatal(err)
		}
		if len(rounds) != 1 || !rounds[0].OpenedAt.Equal(later.Add(9*time.Hour)) {
			t.Fatalf("rounds of the moved session: %+v; want one opened after its new end", rounds)
		}
		rep, err := w.Store.RoundReport(ctx, rounds[0].ID)
		if err != nil || rep.Invited != 2 {
			t.Errorf("the moved session's round invites %d (%v), want 2", rep.Invited, err)
		}
	})
}

// The digest names each round by its survey and session as well as its
// training, whose title all the training's rounds share, and a round
// whose every invitation was withdrawn (nobody attended after all) has
// nobody to answer rather than a response rate of 0%.
func TestDigestNamesEachRound(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		start := wib("2026-12-01 09:00")
		w := trainingtest.Build(t, db, trainingtest.Spec{ASN: 2, Sessions: 2, Start: start, Gap: 24 * time.Hour,
			Options: training.Options{Now: func() time.Time { return start.Add(5 * 24 * time.Hour) }}})
		file := "session,nip,attended\n"
		for _, code := range []string{"S0000", "S0001"} {
			for _, nip := range w.NIPs {
				file += code + "," + nip + ",ya\n"
			}
		}
		if _, err := w.Store.ImportEnrolments(ctx, strings.NewReader(file), "hadir.csv"); err != nil {
			t.Fatal(err)
		}
		rounds, err := w.Store.OpenPostTrainingRounds(ctx, start.Add(3*24*time.Hour), 0)
		if err != nil || len(rounds) != 2 {
			t.Fatal(rounds, err)
		}
		for _, nip := range w.NIPs {
			if _, _, err := w.Store.SetAttendance(ctx, w.Sessions[1], nip, new(false)); err != nil {
				t.Fatal(err)
			}
		}
		text, err := scheduler.Digest(ctx, w.Store, start.Add(5*24*time.Hour), 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{
			`"Literasi Data untuk ASN" (Evaluasi Pelatihan, sesi S0000, putaran ` + itoa(rounds[0].ID) + `): 0 dari 2 menjawab (0%)`,
			`"Literasi Data untuk ASN" (Evaluasi Pelatihan, sesi S0001, putaran ` + itoa(rounds[1].ID) + `): tidak ada yang diundang`,
		} {
			if !strings.Contains(text, want) {
				t.Errorf("the digest lacks %q:\n%s", want, text)
			}
		}
	})
}

// A training run in sessions too small to show their anonymous rounds is
// scored in the digest by its survey pooled over the sessions, unless the
// pool would reveal a hidden round as its difference with a round shown.
func TestDigestScoresTrainingsOverTheirSessions(t *testing.T) {
	for _, c := range []struct {
		name    string
		asn     int
		first   int       // attendees of the first session; the rest attend the second
		scores  [2]string // every Likert answer in each session's round
		wantLow bool
	}{
		// Rounds of 3 and 3, below the threshold of 5: the pool of 6 shows.
		{name: "small sessions", asn: 6, first: 3, scores: [2]string{"2", "2"}, wantLow: true},
		// A round of 5 shown at 4 and one of 2 hidden at 1: the pool's 3,14
		// would give the hidden round's answers away.
		{name: "one hidden round", asn: 7, first: 5, scores: [2]string{"4", "1"}, wantLow: false},
	} {
		t.Run(c.name, func(t *testing.T) {
			storagetest.Each(t, func(t *testing.T, db *storage.DB) {
				text, low, _ := twoSessionDigest(t, db, c.asn, c.first, c.scores)
				if got := strings.Contains(low, "seluruh sesi"); got != c.wantLow {
					t.Errorf("the training's pooled score listed: %v, want %v:\n%s", got, c.wantLow, text)
				}
				want := `"Literasi Data untuk ASN" (Evaluasi Pelatihan, seluruh sesi: 2 putaran, pelatihan T1): rata-rata 2,00 dari `
				if c.wantLow && !strings.Contains(low, want) {
					t.Errorf("the digest lacks %q:\n%s", want, text)
				}
				if !c.wantLow && !strings.Contains(low, "Tidak ada.") {
					t.Errorf("low scores besides the round shown scoring 4:\n%s", text)
				}
			})
		})
	}
}

// digestStore is the training store for the digest, which must score a
// training without reading its whole report (absence reasons included).
type digestStore struct {
	*training.Store
	t *testing.T
}

func (s digestStore) TrainingReport(ctx context.Context, id int64) (training.TrainingReport, error) {
	s.t.Error("the digest read a training's whole report, its absence reasons included")
	return s.Store.TrainingReport(ctx, id)
}

// twoSessionDigest builds a training of asn ASN run in two sessions, the
// first attended by the first ASN and the second by the rest, all of whom
// answer their session's survey with scores (every Likert answer), and
// returns the digest a day after, its section of low scores, and the two
// rounds.
func twoSessionDigest(t *testing.T, db *storage.DB, asn, first int, scores [2]string) (text, low string, rounds []training.Round) {
	t.Helper()
	ctx := context.Background()
	start := wib("2026-12-01 09:00")
	now := start.Add(5 * 24 * time.Hour)
	w := trainingtest.Build(t, db, trainingtest.Spec{ASN: asn, Sessions: 2, Start: start, Gap: 24 * time.Hour,
		Options: training.Options{Now: func() time.Time { return now }}})
	file := "session,nip,attended\n"
	for i, nip := range w.NIPs {
		in := map[bool]string{true: "ya", false: "tidak"}[i < first]
		out := map[bool]string{true: "tidak", false: "ya"}[i < first]
		file += "S0000," + nip + "," + in + "\nS0001," + nip + "," + out + "\n"
	}
	if _, err := w.Store.ImportEnrolments(ctx, strings.NewReader(file), "hadir.csv"); err != nil {
		t.Fatal(err)
	}
	rounds, err := w.Store.OpenPostTrainingRounds(ctx, start.Add(3*24*time.Hour), 0)
	if err != nil || len(rounds) != 2 {
		t.Fatal(rounds, err)
	}
	for i, nip := range w.NIPs {
		r, score := rounds[1], scores[1]
		if i < first {
			r, score = rounds[0], scores[0]
		}
		answerAll(t, db, w.Store, r.ID, nip, score, start.Add(4*24*time.Hour))
	}
	text, err = scheduler.Digest(ctx, digestStore{w.Store, t}, now, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(text, "Pelatihan dengan nilai rendah")
	if i < 0 {
		t.Fatalf("the digest lacks its low scores:\n%s", text)
	}
	low = text[i:]
	if j := strings.Index(low, "\n\n"); j >= 0 {
		low = low[:j]
	}
	return text, low, rounds
}

// The digest lists a training with low scores once, however many of its
// rounds score low: by its survey pooled over all its sessions when that
// scores low, else by its lowest round. It reads no more of the training
// than that (not the absence reasons of its report).
func TestDigestListsATrainingOnce(t *testing.T) {
	for _, c := range []struct {
		name   string
		scores [2]string
		want   func(rounds []training.Round) string
	}{
		// Rounds of 5 and 5, both shown scoring 2 and 3, and their pool of
		// 10 scoring 2,5: the pool.
		{"rounds and pool low", [2]string{"2", "3"}, func([]training.Round) string {
			return `"Literasi Data untuk ASN" (Evaluasi Pelatihan, seluruh sesi: 2 putaran, pelatihan T1): rata-rata 2,50 dari `
		}},
		// Rounds scoring 2 and 5: their pool of 3,50 is not low.
		{"one round low", [2]string{"2", "5"}, func(rounds []training.Round) string {
			return `"Literasi Data untuk ASN" (Evaluasi Pelatihan, sesi S0000, putaran ` + itoa(rounds[0].ID) + `): rata-rata 2,00 dari `
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			storagetest.Each(t, func(t *testing.T, db *storage.DB) {
				text, low, rounds := twoSessionDigest(t, db, 10, 5, c.scores)
				if n := strings.Count(low, "Literasi Data untuk ASN"); n != 1 {
					t.Errorf("the training is listed %d times among the low scores; want once:\n%s", n, text)
				}
				if want := c.want(rounds); !strings.Contains(low, want) {
					t.Errorf("the low scores lack %q:\n%s", want, text)
				}
			})
		})
	}
}

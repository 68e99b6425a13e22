package settings_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/inbox"
	"github.com/tebingtinggi/hub/outbox"
	"github.com/tebingtinggi/hub/scheduler"
	"github.com/tebingtinggi/hub/settings"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
	"github.com/tebingtinggi/hub/training"
	"github.com/tebingtinggi/hub/training/trainingtest"
)

func TestMain(m *testing.M) { os.Exit(storagetest.Main(m)) }

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func wib(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, inbox.Jakarta())
	if err != nil {
		panic(err)
	}
	return t
}

func TestDefaults(t *testing.T) {
	v := settings.New(nil, settings.Defaults()).Current()
	if v.SLA != inbox.DefaultSLA || v.JPTarget != training.DefaultJPTarget || len(v.HolidayList) != 0 {
		t.Errorf("defaults: SLA %v, JP %v, holidays %v", v.SLA, v.JPTarget, v.HolidayList)
	}
	if len(v.ReminderOffsets) != len(training.DefaultReminderOffsets) {
		t.Errorf("default offsets %v, want %v", v.ReminderOffsets, training.DefaultReminderOffsets)
	}
	for i, o := range training.DefaultReminderOffsets {
		if v.ReminderOffsets[i] != o {
			t.Errorf("default offsets %v, want %v", v.ReminderOffsets, training.DefaultReminderOffsets)
		}
	}
	// Monday 15:00 is open, 16:00 closed, Saturday closed: mon-fri 08-16.
	for at, open := range map[string]bool{"2026-12-07 15:00": true, "2026-12-07 16:00": false, "2026-12-05 10:00": false} {
		if got := v.Calendar.Open(wib(at)); got != open {
			t.Errorf("default calendar open at %s = %v", at, got)
		}
	}
	for _, d := range settings.Definitions {
		if s := v.Setting(d.Key); s.Source != settings.SourceDefault || s.Value != d.Default {
			t.Errorf("%s: %+v, want the default %q", d.Key, s, d.Default)
		}
	}
}

// TestRefused checks that every bad value is refused with a message in
// Indonesian that names the setting and the part at fault.
func TestRefused(t *testing.T) {
	cases := []struct {
		key      settings.Key
		raw      string
		want     []string
		absentOK bool
	}{
		{settings.ServiceHours, "25:00-08:00", []string{"Jam layanan", `"25:00-08:00" tidak sah`}, false},
		{settings.ServiceHours, "sen-jum 08:00-16:00; sab 25:00-08:00", []string{"Jam layanan", `"sab 25:00-08:00"`}, false},
		{settings.ServiceHours, "sen-jum 16:00-08:00", []string{"Jam layanan", "selesai sesudah mulai"}, false},
		{settings.ServiceHours, "jum 08:00-12:00, 11:00-16:00", []string{"Jam layanan", "tumpang-tindih"}, false},
		{settings.ServiceHours, " ", []string{"Jam layanan", "belum diisi"}, false},
		{settings.Holidays, "2027-01-01 Tahun Baru\n2027-02-30 Imlek", []string{"Hari libur", "baris 2", `"2027-02-30" bukan tanggal`}, false},
		{settings.Holidays, "2027-01-01 Tahun Baru\n2027-03-20\n2027-01-01 Lagi", []string{"Hari libur", "baris 3", "sudah tercantum di baris 1"}, false},
		{settings.Holidays, "01-01-2027 Tahun Baru", []string{"Hari libur", "baris 1"}, false},
		{settings.Holidays, "2150-01-01 Jauh", []string{"Hari libur", "tahun 2150"}, false},
		{settings.TicketSLA, "0", []string{"SLA", `"0" tidak sah`}, false},
		{settings.TicketSLA, "-8 jam", []string{"SLA", "dari 15 menit sampai 200 jam"}, false},
		{settings.TicketSLA, "sehari", []string{"SLA"}, false},
		{settings.ReminderOffsets, "7d, -2h", []string{"Pengingat pelatihan", `"-2h" tidak sah`}, false},
		{settings.ReminderOffsets, "1d, 24h", []string{"Pengingat pelatihan", `"24h" sama dengan "1d"`}, false},
		{settings.ReminderOffsets, "7d,,2h", []string{"Pengingat pelatihan", "kosong"}, false},
		{settings.ReminderOffsets, "90d", []string{"Pengingat pelatihan", `"90d" tidak sah`}, false},
		{settings.JPTarget, "0", []string{"Target JP", `"0" tidak sah`, "dari 1 sampai 1000"}, false},
		{settings.JPTarget, "100000", []string{"Target JP"}, false},
		{settings.JPTarget, "dua puluh", []string{"Target JP"}, false},
	}
	for _, c := range cases {
		err := settings.Check(c.key, c.raw)
		var fe *settings.FieldError
		if !errors.As(err, &fe) || fe.Key != c.key {
			t.Errorf("%s=%q: error %v, want a FieldError", c.key, c.raw, err)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s=%q: %q lacks %q", c.key, c.raw, err, w)
			}
		}
	}
}

func TestAccepted(t *testing.T) {
	cases := []struct {
		key   settings.Key
		raw   string
		check func(v *settings.Effective) bool
	}{
		{settings.TicketSLA, "4,5 jam", func(v *settings.Effective) bool { return v.SLA == 270*time.Minute }},
		{settings.TicketSLA, "90 menit", func(v *settings.Effective) bool { return v.SLA == 90*time.Minute }},
		{settings.TicketSLA, "2h", func(v *settings.Effective) bool { return v.SLA == 2*time.Hour }},
		{settings.JPTarget, "32,5", func(v *settings.Effective) bool { return v.JPTarget == 32.5 }},
		{settings.ReminderOffsets, "3d, 90m", func(v *settings.Effective) bool {
			return len(v.ReminderOffsets) == 2 && v.ReminderOffsets[1] == 90*time.Minute
		}},
		// The environment variable's older form: bare dates, any separator.
		{settings.Holidays, "2026-12-25,2027-01-01; 2027-03-20 2027-03-21", func(v *settings.Effective) bool {
			return len(v.HolidayList) == 4 && v.Calendar.Holidays["2027-03-21"]
		}},
		{settings.Holidays, "2027-03-20 Hari Raya Nyepi\n\n2027-01-01 Tahun Baru Masehi", func(v *settings.Effective) bool {
			return len(v.HolidayList) == 2 && v.HolidayList[0] == settings.Holiday{Date: "2027-01-01", Name: "Tahun Baru Masehi"}
		}},
		{settings.ServiceHours, "sen-kam 08:00-16:00; jum 08:00-11:30, 13:30-16:30", func(v *settings.Effective) bool {
			return v.Calendar.Open(wib("2026-12-11 13:45")) && !v.Calendar.Open(wib("2026-12-11 12:00"))
		}},
	}
	for _, c := range cases {
		d, _ := settings.Lookup(c.key)
		base, err := settings.FromEnv(func(k string) string {
			if k == d.Env {
				return c.raw
			}
			return ""
		})
		if err != nil {
			t.Errorf("%s=%q: %v", d.Env, c.raw, err)
			continue
		}
		v := settings.New(nil, base).Current()
		if !c.check(v) {
			t.Errorf("%s=%q gave %+v", d.Env, c.raw, v.Values)
		}
		if s := v.Setting(c.key); s.Source != settings.SourceEnv || s.Value != c.raw {
			t.Errorf("%s=%q: setting %+v, want it from the environment", d.Env, c.raw, s)
		}
	}
}

func TestFromEnvNamesVariable(t *testing.T) {
	_, err := settings.FromEnv(func(k string) string {
		if k == "HUB_JP_TARGET" {
			return "0"
		}
		return ""
	})
	if err == nil || !strings.Contains(err.Error(), `HUB_JP_TARGET="0"`) {
		t.Errorf("error %v, want it to name HUB_JP_TARGET", err)
	}
}

func TestMissingHolidays(t *testing.T) {
	with := func(raw string) settings.Values {
		base, err := settings.FromEnv(func(k string) string {
			if k == "HUB_HOLIDAYS" {
				return raw
			}
			return ""
		})
		if err != nil {
			t.Fatal(err)
		}
		return settings.New(nil, base).Current().Values
	}
	cases := []struct {
		holidays, now string
		year          int
		missing       bool
	}{
		{"2026-12-25 Natal", "2026-12-05 10:00", 2027, true},
		{"2026-12-25 Natal\n2027-01-01 Tahun Baru", "2026-12-05 10:00", 0, false},
		{"2026-12-25 Natal", "2026-11-30 10:00", 0, false},
		{"", "2026-06-01 10:00", 2026, true},
		{"2026-12-25 Natal", "2027-01-02 10:00", 2027, true},
		// 1 December 00:30 WIB is still 30 November in UTC.
		{"2026-12-25 Natal", "2026-12-01 00:30", 2027, true},
	}
	for _, c := range cases {
		year, missing := with(c.holidays).MissingHolidays(wib(c.now).UTC())
		if year != c.year || missing != c.missing {
			t.Errorf("holidays %q at %s: (%d, %v), want (%d, %v)", c.holidays, c.now, year, missing, c.year, c.missing)
		}
	}
}

func save(t *testing.T, db *storage.DB, s *settings.Store, key settings.Key, raw, by string, at time.Time) (before, after settings.Setting) {
	t.Helper()
	err := db.InTx(context.Background(), func(tx *sqlx.Tx) error {
		var err error
		before, after, err = s.Save(context.Background(), tx, key, raw, by, at)
		return err
	})
	if err != nil {
		t.Fatalf("save %s=%q: %v", key, raw, err)
	}
	if err := s.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	return before, after
}

// TestPrecedence: the environment gives the first value, a saved one wins
// over it, and resetting brings the environment's back.
func TestPrecedence(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		base, err := settings.FromEnv(func(k string) string { return map[string]string{"HUB_JP_TARGET": "24"}[k] })
		if err != nil {
			t.Fatal(err)
		}
		s, err := settings.Load(ctx, db, base)
		if err != nil {
			t.Fatal(err)
		}
		if v := s.Current(); v.JPTarget != 24 || v.Setting(settings.JPTarget).Source != settings.SourceEnv {
			t.Fatalf("before saving: JP %v from %q, want 24 from the environment", v.JPTarget, v.Setting(settings.JPTarget).Source)
		}
		at := time.Date(2026, 12, 5, 13, 30, 0, 0, time.UTC)
		before, after := save(t, db, s, settings.JPTarget, " 30 ", "web:siti", at)
		if before.Source != settings.SourceEnv || before.Value != "24" || after.Value != "30" || after.By != "web:siti" {
			t.Errorf("save returned before %+v, after %+v", before, after)
		}
		got := s.Current().Setting(settings.JPTarget)
		if s.Current().JPTarget != 30 || got.Source != settings.SourceAdmin || got.By != "web:siti" || !got.At.Equal(at) {
			t.Errorf("after saving: JP %v, setting %+v", s.Current().JPTarget, got)
		}
		// A new process (a restart, another replica) reads the saved value
		// over the same environment.
		if s2, err := settings.Load(ctx, db, base); err != nil || s2.Current().JPTarget != 30 {
			t.Errorf("a fresh load gives JP %v, %v; want the saved 30", s2.Current().JPTarget, err)
		}
		var changed bool
		err = db.InTx(ctx, func(tx *sqlx.Tx) error {
			before, after, changed, err = s.Reset(ctx, tx, settings.JPTarget)
			return err
		})
		if err != nil || !changed || before.Source != settings.SourceAdmin || after.Source != settings.SourceEnv || after.Value != "24" {
			t.Fatalf("reset: before %+v, after %+v, changed %v, %v", before, after, changed, err)
		}
		if err := s.Reload(ctx); err != nil || s.Current().JPTarget != 24 {
			t.Errorf("after reset: JP %v, %v; want the environment's 24", s.Current().JPTarget, err)
		}
	})
}

// TestRefusedWritesNothing: a bad value leaves the table as it was.
func TestRefusedWritesNothing(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		s := settings.New(db, settings.Defaults())
		save(t, db, s, settings.TicketSLA, "4 jam", "web:siti", time.Now())
		err := db.InTx(ctx, func(tx *sqlx.Tx) error {
			_, _, err := s.Save(ctx, tx, settings.TicketSLA, "-1 jam", "web:budi", time.Now())
			return err
		})
		var fe *settings.FieldError
		if !errors.As(err, &fe) {
			t.Fatalf("saving -1 jam: %v, want a FieldError", err)
		}
		if err := s.Reload(ctx); err != nil {
			t.Fatal(err)
		}
		if got := s.Current().Setting(settings.TicketSLA); got.Value != "4 jam" || got.By != "web:siti" {
			t.Errorf("after a refused save: %+v", got)
		}
	})
}

// TestOtherReplicaFollows: a value saved through one process reaches
// another's running Watch without a restart: by notification on
// Postgres (the poll is an hour, so only the notification can do it),
// by polling on SQLite.
func TestOtherReplicaFollows(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		writer := settings.New(db, settings.Defaults())
		reader, err := settings.Load(ctx, db, settings.Defaults())
		if err != nil {
			t.Fatal(err)
		}
		reader.Logger = quiet
		reader.Poll = time.Hour
		if db.Dialect == storage.SQLite {
			reader.Poll = 20 * time.Millisecond
		}
		done := make(chan struct{})
		go func() { defer close(done); _ = reader.Watch(ctx) }()
		defer func() { cancel(); <-done }()
		// Saving again until seen covers a notification sent before the
		// listener was subscribed.
		deadline := time.Now().Add(10 * time.Second)
		for i := 0; reader.Current().SLA != 3*time.Hour; i++ {
			if time.Now().After(deadline) {
				t.Fatalf("the other process still has SLA %v", reader.Current().SLA)
			}
			if i%20 == 0 {
				save(t, db, writer, settings.TicketSLA, "3 jam", "web:siti", time.Now())
			}
			time.Sleep(10 * time.Millisecond) // polling the reader's state, not waiting for it
		}
	})
}

// TestRunningConsumers: the inbox's SLA and the scheduler's reminder
// offsets follow a saved value without being rebuilt.
func TestRunningConsumers(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		s := settings.New(db, settings.Defaults())
		s.Logger = quiet

		// The inbox, wired once as cmd/hub does.
		in := inbox.New(db)
		in.Terms = func() (inbox.Calendar, time.Duration) { v := s.Current(); return v.Calendar, v.SLA }
		opened := wib("2026-12-07 09:00") // a Monday
		openTicket := func(chat string) inbox.Ticket {
			t.Helper()
			var tk inbox.Ticket
			err := db.InTx(ctx, func(tx *sqlx.Tx) error {
				conv, err := in.EnsureConversation(ctx, tx, bots.Telegram, chat, chat, "Warga")
				if err != nil {
					return err
				}
				tk, _, err = in.OpenTicket(ctx, tx, conv.ID, "", "Bagaimana cara mengurus KTP?", inbox.AskedHuman, opened)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			return tk
		}
		// Monday 09:00 + 8 working hours of 08:00-16:00 = Tuesday 09:00.
		if due := openTicket("1").DueAt; !due.Equal(wib("2026-12-08 09:00")) {
			t.Errorf("default SLA: due %v, want Tuesday 09:00", due.In(inbox.Jakarta()))
		}
		save(t, db, s, settings.TicketSLA, "2 jam", "web:siti", time.Now())
		save(t, db, s, settings.Holidays, "2026-12-08 Libur uji", "web:siti", time.Now())
		if due := openTicket("2").DueAt; !due.Equal(wib("2026-12-07 11:00")) {
			t.Errorf("SLA 2 jam: due %v, want Monday 11:00", due.In(inbox.Jakarta()))
		}
		save(t, db, s, settings.TicketSLA, "8 jam", "web:siti", time.Now())
		if due := openTicket("3").DueAt; !due.Equal(wib("2026-12-09 09:00")) {
			t.Errorf("SLA 8 jam over the saved holiday: due %v, want Wednesday 09:00", due.In(inbox.Jakarta()))
		}

		// The scheduler's jobs, built once before the change.
		start := wib("2026-12-10 09:00")
		w := trainingtest.Build(t, db, trainingtest.Spec{ASN: 1, Sessions: 1, Start: start})
		deps := scheduler.Training{Store: w.Store, Logger: quiet,
			Enqueue: func(ctx context.Context, msgs ...outbox.Message) (int, error) {
				return outbox.Enqueue(ctx, db, msgs...)
			},
			InForce: func() ([]time.Duration, float64) { v := s.Current(); return v.ReminderOffsets, v.JPTarget }}
		var reminders scheduler.Job
		for _, j := range scheduler.TrainingJobs(deps) {
			if j.Name == scheduler.JobReminders {
				reminders = j
			}
		}
		save(t, db, s, settings.ReminderOffsets, "5h", "web:siti", time.Now())
		if err := reminders.Run(ctx, start.Add(-5*time.Hour+time.Minute)); err != nil {
			t.Fatal(err)
		}
		var keys []string
		if err := db.SelectContext(ctx, &keys, `SELECT idempotency_key FROM outbox WHERE idempotency_key LIKE 'reminder:%'`); err != nil {
			t.Fatal(err)
		}
		if len(keys) != 1 || !strings.Contains(keys[0], ":5h:") {
			t.Errorf("reminders planned %v, want one at the saved 5h (the default would give 1d)", keys)
		}
	})
}

// TestDigestReminds: the officers' digest, wired as cmd/hub wires it,
// ends with the holiday reminder in December until next year's are saved.
func TestDigestReminds(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		s := settings.New(db, settings.Defaults())
		w := trainingtest.Build(t, db, trainingtest.Spec{ASN: 1, Sessions: 1, Start: wib("2026-11-10 09:00")})
		var sent []string
		deps := scheduler.Training{Store: w.Store, Logger: quiet, DigestTo: bots.Outgoing{Platform: bots.Telegram, ChatID: "-100123"},
			Enqueue: func(_ context.Context, msgs ...outbox.Message) (int, error) {
				for _, m := range msgs {
					sent = append(sent, m.Out.Text)
				}
				return len(msgs), nil
			},
			DigestNotes: func(now time.Time) []string { return []string{s.Current().HolidayReminder(now)} }}
		var digest scheduler.Job
		for _, j := range scheduler.TrainingJobs(deps) {
			if j.Name == scheduler.JobDigest {
				digest = j
			}
		}
		const reminder = "Hari libur nasional dan cuti bersama tahun 2027 belum diisi"
		if err := digest.Run(context.Background(), wib("2026-12-07 08:00")); err != nil {
			t.Fatal(err)
		}
		save(t, db, s, settings.Holidays, "2027-01-01 Tahun Baru Masehi", "web:siti", time.Now())
		if err := digest.Run(context.Background(), wib("2026-12-14 08:00")); err != nil {
			t.Fatal(err)
		}
		if len(sent) != 2 || !strings.HasSuffix(sent[0], reminder+". Admin dapat mengisinya di halaman Pengaturan admin web, agar batas waktu tiket tidak jatuh pada hari libur.") ||
			strings.Contains(sent[1], "belum diisi") || strings.HasSuffix(sent[1], "\n") {
			t.Errorf("digests %q", sent)
		}
	})
}

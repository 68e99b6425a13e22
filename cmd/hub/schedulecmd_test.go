package main

import (
	"github.com/jmoiron/sqlx"

	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tebingtinggi/hub/settings"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
	"github.com/tebingtinggi/hub/training"
	"github.com/tebingtinggi/hub/training/trainingtest"
)

// TestScheduleListsWithoutWriting rehearses a fortnight on both backends:
// the listing names people, kinds, trainings and WIB times, and the
// database is exactly as it was.
func TestScheduleListsWithoutWriting(t *testing.T) {
	for _, d := range storagetest.Backends {
		t.Run(string(d), func(t *testing.T) {
			url := storagetest.URL(t, d)
			db, err := storage.Open(context.Background(), url)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := db.Migrate(context.Background()); err != nil {
				t.Fatal(err)
			}
			start, _ := time.ParseInLocation("2006-01-02 15:04", "2026-12-03 09:00", training.WIB)
			w := trainingtest.Build(t, db, trainingtest.Spec{ASN: 2, Sessions: 1, Start: start})
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
			snapshot := func() string {
				var b strings.Builder
				for _, q := range []string{`SELECT COUNT(*) FROM outbox`, `SELECT COUNT(*) FROM survey_rounds`, `SELECT COUNT(*) FROM survey_invitations`, `SELECT COALESCE(SUM(nudges_sent), 0) FROM survey_invitations`} {
					var n int
					if err := db.GetContext(context.Background(), &n, q); err != nil {
						t.Fatal(err)
					}
					b.WriteString(q + "=" + strconv.Itoa(n) + "\n")
				}
				return b.String()
			}
			before := snapshot()
			ta := newTestApp(t, url)
			ta.env["HUB_OFFICERS_TELEGRAM_CHAT"] = "-1001234567890"
			code, out, errOut := ta.run("", "schedule", "--from", "2026-11-25 00:00", "--to", "2026-12-09T00:00:00+07:00", "--step", "1h")
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			if testing.Verbose() {
				t.Log("\n" + out)
			}
			for _, want := range []string{
				"Rencana pengiriman Rabu, 25 November 2026 pukul 00.00 WIB",
				"2026-11-26 09:00  pengingat 7 hari",
				"ASN Uji 1 (" + w.NIPs[0] + ")",
				"Literasi Data untuk ASN (sesi S0000, Kamis, 3 Desember 2026 pukul 09.00 WIB)",
				"2026-12-03 07:00  pengingat 2 jam",
				"2026-12-03 18:00  undangan survei",
				"pengingat survei 1",
				"2026-11-30 08:00  ringkasan petugas",
				"2026-12-01 09:00  pengingat JP",
				"Jumlah: 14 pesan",
			} {
				if !strings.Contains(out, want) {
					t.Errorf("listing lacks %q:\n%s", want, out)
				}
			}
			if after := snapshot(); after != before {
				t.Errorf("the rehearsal wrote to the database:\nbefore %s\nafter %s", before, after)
			}
			if code, _, errOut := ta.run("", "schedule", "--from", "kemarin"); code != 2 || !strings.Contains(errOut, "--from") {
				t.Errorf("bad --from: exit %d, %s", code, errOut)
			}
		})
	}
}

// TestScheduleExactReminders: with the default 15-minute step the
// rehearsal shows a 5-minute reminder at its minute, and a reminder that
// goes out late (enrolled three days ahead) as what it says, "3 hari".
func TestScheduleExactReminders(t *testing.T) {
	url := storagetest.URL(t, storage.SQLite)
	db, err := storage.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	start, _ := time.ParseInLocation("2006-01-02 15:04", "2026-12-03 09:00", training.WIB)
	trainingtest.Build(t, db, trainingtest.Spec{ASN: 1, Sessions: 1, Start: start})
	ta := newTestApp(t, url)
	ta.env["HUB_REMINDER_OFFSETS"] = "7d,1d,2h,5m"
	code, out, errOut := ta.run("", "schedule", "--from", "30/11/2026 09.00", "--to", "3 Desember 2026 12:00")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		"2026-11-30 09:00  pengingat 3 hari",
		"2026-12-02 09:00  pengingat 1 hari",
		"2026-12-03 07:00  pengingat 2 jam",
		"2026-12-03 08:55  pengingat 5 menit",
		"2026-12-01 09:00  pengingat JP       ASN Uji 1",
		"Jumlah: 5 pesan",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("listing lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "7 hari") {
		t.Errorf("a late reminder is listed as the 7-day one:\n%s", out)
	}
}

func TestScheduleConfigErrors(t *testing.T) {
	cases := []struct{ name, value, want string }{
		{"HUB_REMINDER_OFFSETS", "7d,besok", "HUB_REMINDER_OFFSETS"},
		{"HUB_REMINDER_OFFSETS", "2h,2h", `"2h" sama dengan "2h"`},
		{"HUB_REMINDER_OFFSETS", "-2h", `"-2h" tidak sah`},
		{"HUB_JP_TARGET", "0", "HUB_JP_TARGET"},
		{"HUB_TICKET_SLA", "25:00", "HUB_TICKET_SLA"},
		{"HUB_SURVEY_DELAY", "-2h", "HUB_SURVEY_DELAY"},
		{"HUB_SURVEY_NUDGES", "9", "HUB_SURVEY_NUDGES"},
		{"HUB_SURVEY_NUDGE_SPACING", "2 hari", "HUB_SURVEY_NUDGE_SPACING"},
		{"HUB_SURVEY_ROUND_DAYS", "0", "HUB_SURVEY_ROUND_DAYS"},
		{"HUB_SURVEY_MIN_GROUP", "1", "HUB_SURVEY_MIN_GROUP"},
		{"HUB_FOLLOWUP_AFTER", "3x", "HUB_FOLLOWUP_AFTER"},
		{"HUB_FREQUENT_CRON", "every minute", "HUB_FREQUENT_CRON"},
		{"HUB_COMPETENCY_CRON", "0 9 2 13 *", "HUB_COMPETENCY_CRON"},
		{"HUB_DIGEST_CRON", "61 8 * * 1", "HUB_DIGEST_CRON"},
		{"HUB_OFFICERS_TELEGRAM_CHAT", "@petugas", "HUB_OFFICERS_TELEGRAM_CHAT"},
		{"HUB_DIGEST_LOW_SCORE", "tinggi", "HUB_DIGEST_LOW_SCORE"},
		{"HUB_DIGEST_LOW_SCORE", "7", "HUB_DIGEST_LOW_SCORE"},
	}
	for _, c := range cases {
		_, err := loadConfig(func(k string) string {
			if k == c.name {
				return c.value
			}
			return ""
		})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s=%q: error %v, want it to mention %q", c.name, c.value, err, c.want)
		}
	}
	c, err := loadConfig(func(k string) string {
		return map[string]string{"HUB_REMINDER_OFFSETS": "3d, 90m", "HUB_SURVEY_NUDGE_SPACING": "2d", "HUB_FOLLOWUP_AFTER": "180d",
			"HUB_DIGEST_CRON": "0 7 * * 5", "HUB_SURVEY_NUDGES": "0", "HUB_DIGEST_LOW_SCORE": "4,25"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	s := c.Schedule
	if s.NudgeSpacing != 48*time.Hour ||
		s.FollowUpAfter != 180*24*time.Hour || s.DigestCron != "0 7 * * 5" || s.SurveyNudges != 0 || s.RoundDuration != 14*24*time.Hour {
		t.Errorf("schedule config %+v", s)
	}
	deps := trainingJobDeps(c, settings.New(nil, c.Settings), nil, nil, nil, nil)
	if deps.Nudges >= 0 || deps.LowScore != 4.25 {
		t.Errorf("HUB_SURVEY_NUDGES=0 must turn nudges off, got %d; HUB_DIGEST_LOW_SCORE=4,25 gave %v", deps.Nudges, deps.LowScore)
	}
	if offsets, target := deps.InForce(); len(offsets) != 2 || offsets[1] != 90*time.Minute || target != training.DefaultJPTarget {
		t.Errorf("HUB_REMINDER_OFFSETS=3d, 90m gave offsets %v and JP target %v", offsets, target)
	}
}

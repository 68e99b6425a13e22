package training

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

const day = 24 * time.Hour

var followUpOpeningCases = []struct {
	since      time.Duration
	start, end string
	want       string
}{
	{90 * day, "2026-12-03 09:00", "2026-12-03 16:00", "Tiga bulan lalu Anda mengikuti pelatihan ini."},
	{90*day + time.Minute, "2026-12-03 09:00", "2026-12-03 16:00", "Tiga bulan lalu Anda mengikuti pelatihan ini."},
	{60 * day, "2026-12-03 09:00", "2026-12-03 16:00", "Dua bulan lalu Anda mengikuti pelatihan ini."},
	{30 * day, "2026-12-03 09:00", "2026-12-03 16:00", "Sebulan lalu Anda mengikuti pelatihan ini."},
	{360 * day, "2026-12-03 09:00", "2026-12-03 16:00", "Dua belas bulan lalu Anda mengikuti pelatihan ini."},
	{42 * day, "2026-12-03 09:00", "2026-12-03 16:00", "Enam minggu lalu Anda mengikuti pelatihan ini."},
	{7 * day, "2026-12-03 09:00", "2026-12-03 16:00", "Seminggu lalu Anda mengikuti pelatihan ini."},
	{728 * day, "2026-12-03 09:00", "2026-12-03 16:00", "Seratus empat minggu lalu Anda mengikuti pelatihan ini."},
	{364 * day, "2026-12-03 09:00", "2026-12-03 16:00", "Lima puluh dua minggu lalu Anda mengikuti pelatihan ini."},
	{365 * day, "2026-12-03 09:00", "2026-12-03 16:00", "Setahun lalu Anda mengikuti pelatihan ini."},
	{730 * day, "2026-12-03 09:00", "2026-12-03 16:00", "Dua tahun lalu Anda mengikuti pelatihan ini."},
	// Not a whole number of weeks or months: the dates, not a round figure.
	{45 * day, "2026-12-03 09:00", "2026-12-03 16:00", "Pada 3 Desember 2026 Anda mengikuti pelatihan ini."},
	{36 * time.Hour, "2026-12-07 08:30", "2026-12-08 15:00", "Pada 7–8 Desember 2026 Anda mengikuti pelatihan ini."},
	{100 * day, "2026-11-30 08:30", "2026-12-02 15:00", "Pada 30 November s.d. 2 Desember 2026 Anda mengikuti pelatihan ini."},
	{200 * day, "2026-12-30 08:30", "2027-01-02 15:00", "Pada 30 Desember 2026 s.d. 2 Januari 2027 Anda mengikuti pelatihan ini."},
}

func TestFollowUpOpening(t *testing.T) {
	for _, c := range followUpOpeningCases {
		if got := followUpOpening(c.since, wib(c.start), wib(c.end)); got != c.want {
			t.Errorf("followUpOpening(%v, %s, %s) = %q, want %q", c.since, c.start, c.end, got, c.want)
		}
	}
}

// The follow-up's invitation says how long ago the training was as
// HUB_FOLLOWUP_AFTER has it, not always three months; a session whose
// follow-up opened at an interval no round figure names is named by its
// dates.
func TestFollowUpInvitationNamesTheInterval(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		s := fixture(t, db)
		s.opts.Now = func() time.Time { return wib("2026-12-10 12:00") }
		ctx := context.Background()
		link(t, s, nipBudi, wib("2026-11-01 10:00"))
		link(t, s, nipAndi, wib("2026-11-01 10:00"))
		if _, err := s.ImportEnrolments(ctx, strings.NewReader("session,nip,attended\n"+
			"ANL-2026-01,"+nipBudi+",ya\nSPBE-2026-02,"+nipAndi+",ya\n"), "hadir.csv"); err != nil {
			t.Fatal(err)
		}
		// Six weeks after SPBE-2026-02 ended; ANL-2026-01 ended five
		// days before it, so its follow-up opens 47 days after it.
		now := wib("2026-12-08 15:00").Add(42 * day)
		rounds, err := s.OpenFollowUps(ctx, now, 42*day)
		if err != nil || len(rounds) != 2 {
			t.Fatalf("OpenFollowUps = %d rounds, %v; want 2", len(rounds), err)
		}
		ps, err := s.Invitations(ctx, now)
		if err != nil {
			t.Fatal(err)
		}
		texts := map[string]string{}
		for _, p := range ps {
			texts[p.NIP] = p.Out.Text
		}
		const rest = " Kami ingin tahu apakah hasilnya sudah dapat diterapkan dalam pekerjaan: 4 pertanyaan, sekitar 2 menit.\n"
		for nip, want := range map[string]string{
			nipAndi: "\nEnam minggu lalu Anda mengikuti pelatihan ini." + rest,
			nipBudi: "\nPada 3 Desember 2026 Anda mengikuti pelatihan ini." + rest,
		} {
			if !strings.Contains(texts[nip], want) || strings.Contains(texts[nip], "Tiga bulan") {
				t.Errorf("follow-up invitation to %s:\n%s\nwant it to say%s", nip, texts[nip], want)
			}
		}
	})
}

// A database from before the follow-up's interval was configurable, its
// template coded "tindak-lanjut-3-bulan" with the intro and title naming
// three months and a round opened with it, upgrades through Migrate: the
// template and the round move to the new code, the intro and title lose
// the three months, and a template an officer rewrote keeps their words.
// The old code still finds the template.
func TestFollowUpTemplateUpgrade(t *testing.T) {
	const (
		oldTitle = "Tindak Lanjut Pelatihan (3 Bulan)"
		oldIntro = "Tiga bulan lalu Anda mengikuti pelatihan ini. Kami ingin tahu apakah hasilnya sudah dapat diterapkan dalam pekerjaan: 4 pertanyaan, sekitar 2 menit."
	)
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		s := fixture(t, db)
		ctx := context.Background()
		shipped, err := s.GetTemplate(ctx, TemplateFollowUp)
		if err != nil {
			t.Fatal(err)
		}
		s.opts.Now = func() time.Time { return wib("2026-12-10 12:00") }
		link(t, s, nipBudi, wib("2026-11-01 10:00"))
		link(t, s, nipAndi, wib("2026-11-01 10:00"))
		if _, err := s.ImportEnrolments(ctx, strings.NewReader("session,nip,attended\nANL-2026-01,"+nipBudi+",ya\n"), "hadir.csv"); err != nil {
			t.Fatal(err)
		}
		rounds, err := s.OpenFollowUps(ctx, wib("2026-12-03 16:00").Add(90*day), 90*day)
		if err != nil || len(rounds) != 1 {
			t.Fatalf("OpenFollowUps = %d rounds, %v; want 1", len(rounds), err)
		}
		ms, err := storage.Migrations()
		if err != nil {
			t.Fatal(err)
		}
		introAt := slices.IndexFunc(ms, func(m storage.Migration) bool { return m.Name == "followup_intro" })
		rename := slices.IndexFunc(ms, func(m storage.Migration) bool { return m.Name == "followup_template_code" })
		if introAt < 0 || rename < introAt {
			t.Fatal("no followup_intro migration followed by followup_template_code")
		}
		// upgrade puts the template back as a hub before the intro's and
		// the code's migrations left it, then runs their statements again
		// as the upgrade did (not Migrate: the migrations after them
		// change other tables, and would not run twice).
		upgrade := func(title, intro string) {
			t.Helper()
			if _, err := storagetest.InTx(db, func(tx *sqlx.Tx) (int, error) {
				for _, stmt := range []string{
					`INSERT INTO survey_templates (code, title, intro, anonymous, questions, updated_at)
						SELECT ?, ?, ?, anonymous, questions, updated_at FROM survey_templates WHERE code = ?`,
					`UPDATE survey_rounds SET template_code = ? WHERE template_code = ?`,
				} {
					args := []any{legacyTemplateFollowUp, title, intro, TemplateFollowUp}
					if strings.HasPrefix(stmt, "UPDATE") {
						args = []any{legacyTemplateFollowUp, TemplateFollowUp}
					}
					if _, err := tx.ExecContext(ctx, db.Rebind(stmt), args...); err != nil {
						return 0, err
					}
				}
				if _, err := tx.ExecContext(ctx, db.Rebind(`DELETE FROM survey_templates WHERE code = ?`), TemplateFollowUp); err != nil {
					return 0, err
				}
				for _, m := range []storage.Migration{ms[introAt], ms[rename]} {
					for _, stmt := range migrationStatements(m.SQL) {
						if _, err := tx.ExecContext(ctx, stmt); err != nil {
							return 0, fmt.Errorf("migration %s: %w", m.Name, err)
						}
					}
				}
				return 0, nil
			}); err != nil {
				t.Fatal(err)
			}
			if err := db.CheckSchema(ctx); err != nil {
				t.Fatal(err)
			}
			if err := s.EnsureTemplates(ctx); err != nil {
				t.Fatal(err)
			}
			var left []string
			if err := db.SelectContext(ctx, &left, `SELECT template_code FROM survey_rounds UNION ALL SELECT code FROM survey_templates`); err != nil {
				t.Fatal(err)
			}
			if slices.Contains(left, legacyTemplateFollowUp) || len(left) != 4 {
				t.Errorf("after the upgrade, round and template codes %v; want the round's and three templates, none %q", left, legacyTemplateFollowUp)
			}
			if r, err := s.GetRound(ctx, rounds[0].ID); err != nil || r.TemplateCode != TemplateFollowUp {
				t.Errorf("the round after the upgrade: template %q, %v; want %q", r.TemplateCode, err, TemplateFollowUp)
			}
		}
		upgrade(oldTitle, oldIntro)
		for _, code := range []string{TemplateFollowUp, legacyTemplateFollowUp} {
			if got, err := s.GetTemplate(ctx, code); err != nil || got.Code != TemplateFollowUp || got.Intro != shipped.Intro || got.Title != shipped.Title {
				t.Errorf("GetTemplate(%q) after the upgrade: %q, title %q, intro %q (%v); want the shipped %q, %q",
					code, got.Code, got.Title, got.Intro, err, shipped.Title, shipped.Intro)
			}
		}
		const custom = "Mohon isi survei tindak lanjut ini."
		upgrade(oldTitle, custom)
		if got, err := s.GetTemplate(ctx, TemplateFollowUp); err != nil || got.Intro != custom || got.Title != oldTitle {
			t.Errorf("a rewritten template after the upgrade: title %q, intro %q (%v); want it as it was", got.Title, got.Intro, err)
		}
		// A follow-up opens with the template under its new code.
		if _, err := s.ImportEnrolments(ctx, strings.NewReader("session,nip,attended\nSPBE-2026-02,"+nipAndi+",ya\n"), "hadir.csv"); err != nil {
			t.Fatal(err)
		}
		more, err := s.OpenFollowUps(ctx, wib("2026-12-08 15:00").Add(90*day), 90*day)
		if err != nil || len(more) != 1 || more[0].TemplateCode != TemplateFollowUp {
			t.Fatalf("OpenFollowUps after the upgrade = %+v, %v; want one round of %q", more, err, TemplateFollowUp)
		}
	})
}

// migrationStatements splits a migration's SQL, which uses no dialect
// placeholder, into its statements: comment lines dropped, each statement
// ending with a semicolon at the end of a line.
func migrationStatements(sql string) []string {
	var out []string
	var cur strings.Builder
	for _, line := range strings.Split(sql, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "--") {
			continue
		}
		cur.WriteString(line + "\n")
		if strings.HasSuffix(strings.TrimSpace(line), ";") {
			out = append(out, strings.TrimSuffix(strings.TrimSpace(cur.String()), ";"))
			cur.Reset()
		}
	}
	return out
}

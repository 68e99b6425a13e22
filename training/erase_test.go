package training

import (
	"context"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

// Retention blanks what ASN typed once its period is over: the reasons
// given for sessions that ended before the cutoff and the free text of
// named rounds closed before it; expired link codes go. Anonymous answers
// (joined to nobody), scores, and everything newer stay.
func TestPurgeBeforeBlanksWhatASNTyped(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		s := fixture(t, db)
		t0 := wib("2026-11-20 10:00")
		link(t, s, nipBudi, t0)
		link(t, s, nipSiti, t0)
		if _, err := s.IssueLinkCode(ctx, nipAndi, t0); err != nil {
			t.Fatal(err)
		}
		inTx := func(f func(tx *sqlx.Tx) error) {
			t.Helper()
			if _, err := storagetest.InTx(db, func(tx *sqlx.Tx) (struct{}, error) { return struct{}{}, f(tx) }); err != nil {
				t.Fatal(err)
			}
		}
		rsvp := func(session, nip, reason string) {
			t.Helper()
			es, err := s.Enrolments(ctx, sessionByCode(t, s, session).ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range es {
				if e.NIP == nip {
					inTx(func(tx *sqlx.Tx) error { _, err := s.RecordRSVP(ctx, tx, e.ID, nip, false, reason, t0); return err })
					return
				}
			}
			t.Fatalf("%s is not enrolled in %s", nip, session)
		}
		rsvp("ANL-2026-01", nipBudi, "XQZ-ANL anak sakit") // ends 2026-12-03
		rsvp("SPBE-2026-02", nipAndi, "XQZ-SPBE dinas")    // ends 2026-12-08

		round := func(code string, anonymous bool, text string) int64 {
			t.Helper()
			if err := s.SaveTemplate(ctx, Template{Code: code, Title: code, Anonymous: anonymous, Questions: []Question{
				{ID: "catatan", Kind: FreeText, Text: "Catatan?", Required: true},
				{ID: "nilai", Kind: Likert5, Text: "Nilai?", Required: true},
			}}); err != nil {
				t.Fatal(err)
			}
			r, _, err := s.OpenPeriodicRound(ctx, code, t0)
			if err != nil {
				t.Fatal(err)
			}
			inTx(func(tx *sqlx.Tx) error {
				if _, err := s.Start(ctx, tx, r.ID, nipBudi, t0); err != nil {
					return err
				}
				if _, err := s.AnswerText(ctx, tx, r.ID, nipBudi, text, t0); err != nil {
					return err
				}
				_, err := s.Answer(ctx, tx, r.ID, nipBudi, "nilai", "4", t0)
				return err
			})
			return r.ID
		}
		named := round("uji-bernama", false, "XQZ-NAMED atasan saya")
		round("uji-anonim", true, "XQZ-ANON saran")
		late := round("uji-bernama-2", false, "XQZ-LATE masih baru")
		if err := s.CloseRound(ctx, named, wib("2026-12-01 10:00")); err != nil {
			t.Fatal(err)
		}
		if err := s.CloseRound(ctx, late, wib("2026-12-06 10:00")); err != nil {
			t.Fatal(err)
		}

		cut := wib("2026-12-05 00:00")
		for i, want := range []int64{5, 0} { // a reason, three link codes, a free text; then nothing
			n, err := s.PurgeBefore(ctx, cut)
			if err != nil || n != want {
				t.Fatalf("run %d: PurgeBefore = %d, %v; want %d", i+1, n, err, want)
			}
		}
		for _, gone := range []string{"XQZ-ANL", "XQZ-NAMED"} {
			if where := storagetest.Containing(t, db, gone); len(where) > 0 {
				t.Errorf("%q is still in %v after its retention period", gone, where)
			}
		}
		for _, kept := range []string{"XQZ-SPBE", "XQZ-ANON", "XQZ-LATE"} {
			if where := storagetest.Containing(t, db, kept); len(where) != 1 {
				t.Errorf("%q is in %v, want it kept", kept, where)
			}
		}
		var left int
		if err := db.GetContext(ctx, &left, db.Rebind(`SELECT COUNT(*) FROM link_codes WHERE expires_at < ?`), cut); err != nil || left != 0 {
			t.Errorf("%d expired link codes left (%v)", left, err)
		}
		var scores []string
		if err := db.SelectContext(ctx, &scores, `SELECT value FROM survey_answers WHERE question_id = 'nilai'`); err != nil ||
			strings.Join(scores, ",") != "4,4,4" {
			t.Errorf("scores after purge: %v %v; want all kept", scores, err)
		}
	})
}

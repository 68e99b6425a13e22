package training

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

func TestUpdateAndDeleteTraining(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		s := fixture(t, db)
		cur, err := s.TrainingByCode(ctx, "DIG-ANALITIK")
		if err != nil {
			t.Fatal(err)
		}
		cells := map[string]string{"title": " Analisis Data Lanjutan ", "competency": "DATA,spbe", "hours": "32", "provider": "LAN"}
		before, after, err := s.UpdateTraining(ctx, cur.ID, cells, cur.Revision())
		if err != nil {
			t.Fatal(err)
		}
		if before.Revision() != cur.Revision() || after.Title != "Analisis Data Lanjutan" || after.Competency != "data | spbe" || after.Hours != 32 ||
			after.Provider != "LAN" || after.Code != cur.Code || !after.UpdatedAt.After(cur.UpdatedAt) {
			t.Fatalf("before %+v, after %+v", before, after)
		}
		if got, err := s.GetTraining(ctx, cur.ID); err != nil || got.Revision() != after.Revision() {
			t.Fatalf("stored %+v (%v), returned %+v", got, err, after)
		}
		// The second officer's form still has the old revision.
		cells["title"] = "Judul lain"
		if now, _, err := s.UpdateTraining(ctx, cur.ID, cells, cur.Revision()); !errors.Is(err, ErrChanged) || now.Title != after.Title {
			t.Fatalf("a stale revision: %v, current %+v", err, now)
		}
		// The import's rules, naming the field.
		_, _, err = s.UpdateTraining(ctx, cur.ID, map[string]string{"title": "", "competency": "memasak", "hours": "-1"}, after.Revision())
		var problems ImportErrors
		if !errors.As(err, &problems) || len(problems) != 3 || problems[0].Field != "title" || problems[1].Field != "competency" ||
			problems[2].Field != "hours" || !strings.Contains(problems[2].Msg, "0 sampai 1000") {
			t.Fatalf("invalid values: %v", err)
		}
		if _, _, err := s.UpdateTraining(ctx, 9999, cells, ""); !errors.Is(err, ErrNotFound) {
			t.Fatalf("a missing training: %v", err)
		}

		var inUse *InUseError
		if _, err := s.DeleteTraining(ctx, cur.ID, after.Revision()); !errors.As(err, &inUse) || !strings.Contains(inUse.Msg, "sesi") {
			t.Fatalf("deleting a training with sessions: %v", err)
		}
		lone, err := s.TrainingByCode(ctx, "KEAMANAN-INFO")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.DeleteTraining(ctx, lone.ID, cur.Revision()); !errors.Is(err, ErrChanged) {
			t.Fatalf("deleting with another record's revision: %v", err)
		}
		if _, err := s.DeleteTraining(ctx, lone.ID, lone.Revision()); err != nil {
			t.Fatal(err)
		}
		if _, err := s.GetTraining(ctx, lone.ID); !errors.Is(err, ErrNotFound) {
			t.Fatalf("deleted training: %v", err)
		}
	})
}

func TestUpdateAndDeleteASN(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		s := fixture(t, db)
		siti, err := s.GetASN(ctx, nipSiti)
		if err != nil {
			t.Fatal(err)
		}
		cells := map[string]string{"name": "Siti Rahmawati, S.Kom.", "unit": "bkpsdm", "position": "Analis SDM", "supervisor_nip": "", "active": "tidak"}
		before, after, err := s.UpdateASN(ctx, nipSiti, cells, siti.Revision())
		if err != nil {
			t.Fatal(err)
		}
		if before.Revision() != siti.Revision() || after.Name != "Siti Rahmawati, S.Kom." || after.UnitCode != "BKPSDM" || after.SupervisorNIP != "" || after.Active {
			t.Fatalf("before %+v, after %+v", before, after)
		}
		if got, err := s.GetASN(ctx, nipSiti); err != nil || got.Revision() != after.Revision() {
			t.Fatalf("stored %+v (%v), returned %+v", got, err, after)
		}
		if _, _, err := s.UpdateASN(ctx, nipSiti, cells, siti.Revision()); !errors.Is(err, ErrChanged) {
			t.Fatalf("a stale revision: %v", err)
		}
		_, _, err = s.UpdateASN(ctx, nipSiti, map[string]string{"name": "Siti", "unit": "ENTAH", "supervisor_nip": nipSiti, "active": "mungkin"}, after.Revision())
		var problems ImportErrors
		if !errors.As(err, &problems) || len(problems) != 3 {
			t.Fatalf("invalid values: %v", err)
		}
		for i, f := range []string{"supervisor_nip", "active", "unit"} {
			if problems[i].Field != f {
				t.Errorf("problem %d is about %q, want %q: %v", i, problems[i].Field, f, problems[i])
			}
		}

		var inUse *InUseError
		if _, err := s.DeleteASN(ctx, nipSiti, after.Revision()); !errors.As(err, &inUse) {
			t.Fatalf("deleting an enrolled ASN: %v", err)
		}
		if _, err := s.ImportASN(ctx, strings.NewReader("nip,name,unit\n"+nipDewi+",Dewi Lestari,DISKOMINFO\n"), "baru.csv"); err != nil {
			t.Fatal(err)
		}
		dewi, err := s.GetASN(ctx, nipDewi)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.DeleteASN(ctx, nipDewi, dewi.Revision()); err != nil {
			t.Fatal(err)
		}
		if _, err := s.GetASN(ctx, nipDewi); !errors.Is(err, ErrNotFound) {
			t.Fatalf("deleted ASN: %v", err)
		}
	})
}

func TestUpdateAndDeleteSession(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		s := fixture(t, db)
		cur := sessionByCode(t, s, "ANL-2026-01")
		cells := cur.SessionCells()
		if cells["start"] != "2026-12-03 09:00" || cells["tz"] != "Asia/Jakarta" || cells["status"] != "scheduled" {
			t.Fatalf("cells %v", cells)
		}
		cells["start"], cells["end"], cells["place"] = "2026-12-04 09:00", "2026-12-04 16:00", "Aula Bappeda"
		var changes []SessionChange
		before, after, err := func() (Session, Session, error) {
			var before, after Session
			err := db.InTx(ctx, func(tx *sqlx.Tx) error {
				var err error
				before, after, changes, err = s.UpdateSession(ctx, tx, cur.ID, cells, cur.Revision())
				return err
			})
			return before, after, err
		}()
		if err != nil {
			t.Fatal(err)
		}
		if before.Revision() != cur.Revision() || after.Place != "Aula Bappeda" || !after.Start.Equal(cur.Start.Add(24*time.Hour)) ||
			len(changes) != 2 || changes[0].Kind != ChangeRescheduled || changes[1].Kind != ChangeMoved {
			t.Fatalf("before %+v, after %+v, changes %+v", before, after, changes)
		}
		if got := sessionByCode(t, s, "ANL-2026-01"); got.Revision() != after.Revision() {
			t.Fatalf("stored %+v, returned %+v", got, after)
		}
		update := func(cells map[string]string, rev string) error {
			return db.InTx(ctx, func(tx *sqlx.Tx) error {
				_, _, _, err := s.UpdateSession(ctx, tx, cur.ID, cells, rev)
				return err
			})
		}
		if err := update(cells, cur.Revision()); !errors.Is(err, ErrChanged) {
			t.Fatalf("a stale revision: %v", err)
		}
		bad := after.SessionCells()
		bad["end"], bad["online_url"] = "2026-12-04 08:00", "ftp://x"
		var problems ImportErrors
		if err := update(bad, after.Revision()); !errors.As(err, &problems) || len(problems) != 2 || problems[0].Field != "end" || problems[1].Field != "online_url" {
			t.Fatalf("invalid values: %v", err)
		}
		// The edit counts as one change of the session, which its queued
		// reminders and notices name (see Holds); saving it unchanged, or
		// refused, counts none.
		if err := update(after.SessionCells(), after.Revision()); err != nil {
			t.Fatal(err)
		}
		var version int
		if err := db.GetContext(ctx, &version, db.Rebind(`SELECT version FROM training_sessions WHERE id = ?`), cur.ID); err != nil || version != 1 {
			t.Errorf("the session's version is %d (%v), want 1", version, err)
		}
		var inUse *InUseError
		if _, err := s.DeleteSession(ctx, cur.ID, after.Revision()); !errors.As(err, &inUse) {
			t.Fatalf("deleting a session with enrolments: %v", err)
		}
	})
}

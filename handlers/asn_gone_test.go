package handlers_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
	"github.com/tebingtinggi/hub/training"
)

// A reminder's buttons pressed after the ASN was taken off the session,
// and a survey's after its round was taken back (the session moved to a
// later date), say what happened, not the citizens' "tulis pertanyaan Anda
// lagi": the ASN asked no question.
func TestASNButtonsOfWhatIsGone(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newASNHub(t, db, wib("2026-12-02 09:00"))
		ctx := context.Background()
		h.link(nipBudi, chatBudi)
		h.link(nipSiti, chatSiti)
		h.remindDue(2)
		reminder := h.next(chatBudi)
		h.next(chatSiti)
		anl, err := h.training.Sessions(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := h.training.Unenrol(ctx, anl[0].ID, nipSiti); err != nil {
			t.Fatal(err)
		}
		sitiReminder := h.srv.Sent()
		var sm = sitiReminder[len(sitiReminder)-1]
		for _, m := range sitiReminder {
			if m.ChatID == chatSiti && strings.Contains(m.Plain, "Pengingat") {
				sm = m
			}
		}
		h.srv.PushPress(chatSiti, chatSiti, sm.MessageID, buttonData(t, sm, "Hadir"))
		if got := h.next(chatSiti); !strings.Contains(got.Plain, "tidak lagi terdaftar pada sesi pelatihan ini") ||
			!strings.Contains(got.Plain, "admin kepegawaian") || strings.Contains(got.Plain, "pertanyaan") {
			t.Errorf("Hadir pressed after being taken off the session: %q", got.Plain)
		}

		// Budi attends; the survey opens; the session is then moved to a
		// later date, which takes the round back.
		h.srv.PushPress(chatBudi, chatBudi, reminder.MessageID, buttonData(t, reminder, "Hadir"))
		h.next(chatBudi)
		h.clock.set(wib("2026-12-03 18:00"))
		if _, err := h.training.OpenPostTrainingRounds(ctx, h.clock.now(), 2*time.Hour); err != nil {
			t.Fatal(err)
		}
		inv, err := h.training.Invitations(ctx, h.clock.now())
		if err != nil || len(inv) != 1 {
			t.Fatalf("invitations: %d, %v", len(inv), err)
		}
		h.deliver(inv)
		invitation := h.next(chatBudi)
		h.srv.PushPress(chatBudi, chatBudi, invitation.MessageID, buttonData(t, invitation, "Mulai survei"))
		q1 := h.next(chatBudi)
		if _, err := storagetest.InTx(db, func(tx *sqlx.Tx) ([]training.SessionChange, error) {
			return h.training.ImportSessionsIn(ctx, tx, strings.NewReader("code,training,start,end,place\n"+
				"ANL-2026-01,DIG-ANALITIK,2026-12-10 09:00,2026-12-10 16:00,Aula Kantor Wali Kota\n"), "sessions.csv")
		}); err != nil {
			t.Fatal(err)
		}
		h.srv.PushPress(chatBudi, chatBudi, q1.MessageID, buttonData(t, q1, "4"))
		if got := h.next(chatBudi); !strings.Contains(got.Plain, "survei ini ditarik") || strings.Contains(got.Plain, "pertanyaan Anda") {
			t.Errorf("an answer to a survey taken back: %q", got.Plain)
		}
		h.srv.PushPress(chatBudi, chatBudi, invitation.MessageID, buttonData(t, invitation, "Mulai survei"))
		if got := h.next(chatBudi); !strings.Contains(got.Plain, "survei ini ditarik") {
			t.Errorf("Mulai survei of a survey taken back: %q", got.Plain)
		}
		h.quiet(chatBudi)
		h.quiet(chatSiti)
	})
}

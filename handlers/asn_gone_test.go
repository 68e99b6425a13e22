package handlers_test

import (
	"context"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/tebingtinggi/hub/bots/telegram/telegramtest"
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
		h.surveyDue(1)
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

// A survey's buttons pressed by an ASN taken off the session after they
// were invited say that they are no longer enrolled, so the survey is
// closed for them, not that the button is someone else's; nothing is
// recorded.
func TestASNSurveyAfterUnenrolment(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newASNHub(t, db, wib("2026-12-02 09:00"))
		ctx := context.Background()
		h.link(nipBudi, chatBudi)
		h.link(nipSiti, chatSiti)
		h.remindDue(2)
		for _, chat := range []int64{chatBudi, chatSiti} {
			r := h.next(chat)
			h.srv.PushPress(chat, chat, r.MessageID, buttonData(t, r, "Hadir"))
			h.next(chat)
		}
		h.surveyDue(2)
		budiInv, sitiInv := h.next(chatBudi), h.next(chatSiti)
		h.srv.PushPress(chatBudi, chatBudi, budiInv.MessageID, buttonData(t, budiInv, "Mulai survei"))
		q1 := h.next(chatBudi)

		anl := h.enrolment("ANL-2026-01", nipBudi).SessionID
		for _, nip := range []string{nipBudi, nipSiti} {
			if _, err := h.training.Unenrol(ctx, anl, nip); err != nil {
				t.Fatal(err)
			}
		}
		presses := []struct {
			chat int64
			msg  telegramtest.SentMessage
			btn  string
		}{
			{chatBudi, q1, "4"},
			{chatBudi, budiInv, "Mulai survei"},
			{chatSiti, sitiInv, "Mulai survei"},
		}
		for _, p := range presses {
			h.srv.PushPress(p.chat, p.chat, p.msg.MessageID, buttonData(t, p.msg, p.btn))
			got := h.next(p.chat)
			if !strings.Contains(got.Plain, "tidak lagi terdaftar sebagai peserta pelatihan ini") ||
				!strings.Contains(got.Plain, "survei ini sudah ditutup untuk Anda") || strings.Contains(got.Plain, "bukan untuk Anda") {
				t.Errorf("%q pressed by %d after being taken off the session: %q", p.btn, p.chat, got.Plain)
			}
		}
		// Budi's answer typed to the question he had is not recorded either.
		h.srv.PushText(chatBudi, chatBudi, "Materinya bagus")
		h.next(chatBudi)
		for _, table := range []string{"survey_responses", "survey_answers", "survey_invitations"} {
			var n int
			if err := db.GetContext(ctx, &n, "SELECT COUNT(*) FROM "+table); err != nil || n != 0 {
				t.Errorf("%s: %d rows (%v), want none", table, n, err)
			}
		}
		// The session moved to a later date takes the round back, with the
		// record of the withdrawn invitations.
		if _, err := storagetest.InTx(db, func(tx *sqlx.Tx) ([]training.SessionChange, error) {
			return h.training.ImportSessionsIn(ctx, tx, strings.NewReader("code,training,start,end,place\n"+
				"ANL-2026-01,DIG-ANALITIK,2026-12-10 09:00,2026-12-10 16:00,Aula Kantor Wali Kota\n"), "sessions.csv")
		}); err != nil {
			t.Fatalf("moving a session whose survey withdrew invitations: %v", err)
		}
		if rounds, err := h.training.Rounds(ctx, anl); err != nil || len(rounds) != 0 {
			t.Errorf("rounds of the moved session: %d, %v; want none", len(rounds), err)
		}
		h.quiet(chatBudi)
		h.quiet(chatSiti)
	})
}

package handlers_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/tebingtinggi/hub/knowledge"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
	"github.com/tebingtinggi/hub/training"
)

// personRequests are what an ASN types to reach a person mid-survey or
// instead of a reason: each is a request to knowledge.AsksForHuman.
var personRequests = []string{"mau bicara sama petugas", "saya ingin bicara dengan petugas", "tolong sambungkan ke admin"}

func checkPersonRequests(t *testing.T) {
	t.Helper()
	for _, s := range personRequests {
		if !knowledge.AsksForHuman(s) {
			t.Fatalf("%q is no request for a person to the engine: the test does not test", s)
		}
	}
}

// Mid-survey, an ASN who asks for a person is told whom to contact, with
// the question again and nothing recorded; "batal" pauses the survey,
// which a button resumes; "lewati" skips an optional question as its
// button does, and is refused on a required one.
func TestASNSurveyTypedPersonStopSkip(t *testing.T) {
	checkPersonRequests(t)
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newASNHub(t, db, wib("2026-11-20 10:00"))
		ctx := context.Background()
		h.link(nipBudi, chatBudi)
		e := h.enrolment("ANL-2026-01", nipBudi)
		if _, err := storagetest.InTx(db, func(tx *sqlx.Tx) (training.Session, error) {
			return h.training.RecordRSVP(ctx, tx, e.ID, nipBudi, true, "", h.clock.now())
		}); err != nil {
			t.Fatal(err)
		}
		h.clock.set(wib("2026-12-03 18:00"))
		rounds, err := h.training.OpenPostTrainingRounds(ctx, h.clock.now(), 2*time.Hour)
		if err != nil || len(rounds) != 1 {
			t.Fatalf("rounds: %v, %v", rounds, err)
		}
		inv, err := h.training.Invitations(ctx, h.clock.now())
		if err != nil || len(inv) != 1 {
			t.Fatalf("invitations: %d, %v", len(inv), err)
		}
		h.deliver(inv)
		invitation := h.next(chatBudi)
		answers := func() int { return count(t, db, `SELECT COUNT(*) FROM survey_answers`) }

		h.srv.PushPress(chatBudi, chatBudi, invitation.MessageID, buttonData(t, invitation, "Mulai survei"))
		q := h.next(chatBudi)
		// On a button question.
		h.srv.PushText(chatBudi, chatBudi, personRequests[0])
		got := h.next(chatBudi)
		if !strings.Contains(got.Plain, "admin kepegawaian") || !strings.Contains(got.Plain, "Pertanyaan 1 dari 6") || len(buttons(got)) != 5 {
			t.Fatalf("a request for a person on question 1: %q %v", got.Plain, got.Buttons)
		}
		for i := 1; i <= 5; i++ {
			h.srv.PushPress(chatBudi, chatBudi, q.MessageID, buttonData(t, q, "4"))
			q = h.next(chatBudi)
		}
		if !strings.Contains(q.Plain, "Pertanyaan 6 dari 6") || !hasButton(q, "Lewati") {
			t.Fatalf("question 6: %q %v", q.Plain, q.Buttons)
		}
		// On the free-text question: not its answer.
		for _, s := range personRequests[1:] {
			h.srv.PushText(chatBudi, chatBudi, s)
			got := h.next(chatBudi)
			if !strings.Contains(got.Plain, "admin kepegawaian") || !strings.Contains(got.Plain, "tidak kami catat sebagai jawaban") ||
				!strings.Contains(got.Plain, "Pertanyaan 6 dari 6") || !hasButton(got, "Lewati") {
				t.Fatalf("%q on the free-text question: %q %v", s, got.Plain, got.Buttons)
			}
		}
		if n := answers(); n != 5 {
			t.Fatalf("%d answers after the requests for a person, want 5", n)
		}

		// "Batal": paused, nothing recorded, and a question is a question.
		h.srv.PushText(chatBudi, chatBudi, "Batal!")
		paused := h.next(chatBudi)
		if !strings.Contains(paused.Plain, "survei kami jeda") || !hasButton(paused, "Lanjutkan survei") {
			t.Fatalf("\"Batal!\" mid-survey: %q %v", paused.Plain, paused.Buttons)
		}
		faq, _ := h.find(knowledge.Answer, qAnswers)
		h.srv.PushText(chatBudi, chatBudi, faq)
		if got := h.next(chatBudi); !hasButton(got, "Terjawab 👍") {
			t.Fatalf("a question while the survey is paused: %q", got.Plain)
		}
		if n := answers(); n != 5 {
			t.Fatalf("%d answers after the pause, want 5", n)
		}
		// Resumed where it stopped; "lewati" skips the optional question.
		h.srv.PushPress(chatBudi, chatBudi, paused.MessageID, buttonData(t, paused, "Lanjutkan survei"))
		if got := h.next(chatBudi); !strings.Contains(got.Plain, "Pertanyaan 6 dari 6") {
			t.Fatalf("resumed: %q", got.Plain)
		}
		h.srv.PushText(chatBudi, chatBudi, "skip aja")
		if got := h.next(chatBudi); !strings.Contains(got.Plain, "Terima kasih! Jawaban Anda") {
			t.Fatalf("\"skip aja\" on the optional question: %q", got.Plain)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM survey_answers WHERE question_id = 'saran' AND value = ''`); n != 1 || answers() != 6 {
			t.Fatalf("after skipping: %d skipped, %d answers; want 1 and 6", n, answers())
		}

		// A required free-text question cannot be skipped; "stop dulu"
		// pauses it.
		round := openRound(t, h, training.Template{Code: "uji-wajib", Title: "Uji wajib", Questions: []training.Question{
			{ID: "catatan", Kind: training.FreeText, Text: "Apa catatan Anda?", Required: true},
		}})
		h.srv.PushPress(chatBudi, chatBudi, 1, training.StartButtonData(round))
		if got := h.next(chatBudi); !strings.Contains(got.Plain, "Apa catatan Anda?") || hasButton(got, "Lewati") {
			t.Fatalf("the required question: %q %v", got.Plain, got.Buttons)
		}
		h.srv.PushText(chatBudi, chatBudi, "lewati")
		if got := h.next(chatBudi); !strings.Contains(got.Plain, "tidak dapat dilewati") || !strings.Contains(got.Plain, "Apa catatan Anda?") {
			t.Fatalf("\"lewati\" on a required question: %q", got.Plain)
		}
		h.srv.PushText(chatBudi, chatBudi, "stop dulu")
		if got := h.next(chatBudi); !strings.Contains(got.Plain, "survei kami jeda") {
			t.Fatalf("\"stop dulu\": %q", got.Plain)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM survey_answers WHERE round_id = ?`, round); n != 0 {
			t.Fatalf("%d answers recorded for the required question", n)
		}

		// Answers that name staff without asking for anyone are answers,
		// though the engine would take them for requests on their own.
		staff := []string{"petugasnya", "perlu petugas"}
		for _, a := range staff {
			if !knowledge.AsksForHuman(a) {
				t.Fatalf("%q is no request to the engine: the test does not test", a)
			}
		}
		round = openRound(t, h, training.Template{Code: "uji-staf", Title: "Uji staf", Questions: []training.Question{
			{ID: "siapa", Kind: training.FreeText, Text: "Siapa yang paling membantu Anda?", Required: true},
			{ID: "perlu", Kind: training.FreeText, Text: "Apa yang perlu ditambah?", Required: true},
		}})
		h.srv.PushPress(chatBudi, chatBudi, 1, training.StartButtonData(round))
		if got := h.next(chatBudi); !strings.Contains(got.Plain, "Siapa yang paling membantu Anda?") {
			t.Fatalf("the staff question: %q", got.Plain)
		}
		h.srv.PushText(chatBudi, chatBudi, staff[0])
		if got := h.next(chatBudi); !strings.Contains(got.Plain, "Apa yang perlu ditambah?") {
			t.Fatalf("%q as an answer: %q", staff[0], got.Plain)
		}
		h.srv.PushText(chatBudi, chatBudi, staff[1])
		if got := h.next(chatBudi); !strings.Contains(got.Plain, "Terima kasih! Jawaban Anda") {
			t.Fatalf("%q as an answer: %q", staff[1], got.Plain)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM survey_answers WHERE round_id = ? AND value IN (?, ?)`, round, staff[0], staff[1]); n != 2 {
			t.Fatalf("%d of the staff answers recorded, want 2", n)
		}
		h.quiet(chatBudi)
	})
}

// Where the "Berhalangan" reason is awaited, a request for a person gets
// whom to contact and the request for the reason again, and is not the
// reason; "gak jadi" asks which the ASN meant; "lewati" skips the reason
// as its button does.
func TestASNRSVPReasonPersonOrStop(t *testing.T) {
	checkPersonRequests(t)
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newASNHub(t, db, wib("2026-12-02 09:00"))
		h.link(nipBudi, chatBudi)
		h.link(nipSiti, chatSiti)
		h.remindDue(2)
		for _, chat := range []int64{chatBudi, chatSiti} {
			m := h.next(chat)
			h.srv.PushPress(chat, chat, m.MessageID, buttonData(t, m, "Berhalangan"))
			if got := h.next(chat); !strings.Contains(got.Plain, "alasan singkat") {
				t.Fatalf("Berhalangan: %q", got.Plain)
			}
		}

		// Siti: "gak jadi" may take back the absence or decline a reason:
		// she is asked which, and nothing changes; "lewati" skips the
		// reason. She stays Berhalangan, and a request for a person then
		// goes to the help desk.
		h.srv.PushText(chatSiti, chatSiti, "gak jadi")
		if got := h.next(chatSiti); !strings.Contains(got.Plain, "Maksud Anda tidak jadi berhalangan?") ||
			!hasButton(got, "Ternyata bisa hadir") || !hasButton(got, "Lewati") {
			t.Fatalf("\"gak jadi\" instead of a reason: %q %v", got.Plain, got.Buttons)
		}
		if e := h.enrolment("ANL-2026-01", nipSiti); e.RSVP != training.RSVPNo || e.RSVPReason != "" {
			t.Fatalf("Siti after \"gak jadi\": %+v", e)
		}
		h.srv.PushText(chatSiti, chatSiti, "lewati")
		if got := h.next(chatSiti); !strings.Contains(got.Plain, "ketidakhadiran Anda sudah kami catat") || !hasButton(got, "Ternyata bisa hadir") {
			t.Fatalf("\"lewati\" instead of a reason: %q %v", got.Plain, got.Buttons)
		}
		if e := h.enrolment("ANL-2026-01", nipSiti); e.RSVP != training.RSVPNo || e.RSVPReason != "" {
			t.Fatalf("Siti after \"lewati\": %+v", e)
		}
		h.srv.PushText(chatSiti, chatSiti, personRequests[0])
		if got := h.next(chatSiti); !strings.Contains(got.Plain, "akan saya teruskan kepada petugas") {
			t.Fatalf("a request for a person after the reason was skipped: %q", got.Plain)
		}
		if e := h.enrolment("ANL-2026-01", nipSiti); e.RSVPReason != "" {
			t.Fatalf("Siti's reason %q", e.RSVPReason)
		}

		h.clock.add(40 * time.Minute)
		for _, s := range personRequests {
			h.srv.PushText(chatBudi, chatBudi, s)
			got := h.next(chatBudi)
			if !strings.Contains(got.Plain, "admin kepegawaian") || !strings.Contains(got.Plain, "alasan singkat") ||
				!hasButton(got, "Lewati") || !hasButton(got, "Ternyata bisa hadir") {
				t.Fatalf("%q instead of a reason: %q %v", s, got.Plain, got.Buttons)
			}
			if e := h.enrolment("ANL-2026-01", nipBudi); e.RSVP != training.RSVPNo || e.RSVPReason != "" {
				t.Fatalf("%q became the reason: %+v", s, e)
			}
		}
		// The reason is still awaited, its wait started anew: 80 minutes
		// after "Berhalangan", 40 after the request.
		h.clock.add(40 * time.Minute)
		h.srv.PushText(chatBudi, chatBudi, "Dinas luar kota")
		if got := h.next(chatBudi); !strings.Contains(got.Plain, "alasan Anda sudah kami catat") {
			t.Fatalf("the reason after a request for a person: %q", got.Plain)
		}
		if e := h.enrolment("ANL-2026-01", nipBudi); e.RSVPReason != "Dinas luar kota" {
			t.Fatalf("reason %q", e.RSVPReason)
		}
		h.quiet(chatBudi)
		h.quiet(chatSiti)
	})
}

// Where a Berhalangan reason is awaited, a change of mind typed instead
// of pressed ("jadi hadir", "Ternyata saya bisa hadir") acts as the
// "Ternyata bisa hadir" button: the answer becomes Hadir, and the words
// are not kept as the reason of an absence.
func TestASNRSVPTypedChangeOfMindInsteadOfReason(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newASNHub(t, db, wib("2026-12-02 09:00"))
		h.link(nipBudi, chatBudi)
		h.link(nipSiti, chatSiti)
		h.remindDue(2)
		for chat, typed := range map[int64]string{chatBudi: "jadi hadir", chatSiti: "Ternyata saya bisa hadir"} {
			m := h.next(chat)
			h.srv.PushPress(chat, chat, m.MessageID, buttonData(t, m, "Berhalangan"))
			if got := h.next(chat); !strings.Contains(got.Plain, "alasan singkat") {
				t.Fatalf("Berhalangan: %q", got.Plain)
			}
			h.srv.PushText(chat, chat, typed)
			if got := h.next(chat); !strings.Contains(got.Plain, "kehadiran Anda pada pelatihan") || !hasButton(got, "Berhalangan") {
				t.Fatalf("%q instead of a reason: %q %v", typed, got.Plain, got.Buttons)
			}
		}
		for _, nip := range []string{nipBudi, nipSiti} {
			if e := h.enrolment("ANL-2026-01", nip); e.RSVP != training.RSVPYes || e.RSVPReason != "" {
				t.Errorf("%s after a typed change of mind: %+v", nip, e)
			}
		}
		h.quiet(chatBudi)
		h.quiet(chatSiti)
	})
}

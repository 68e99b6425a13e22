package handlers_test

import (
	"strings"
	"testing"

	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
	"github.com/tebingtinggi/hub/training"
)

// A typed survey answer or absence reason longer than is kept is refused,
// saying how long it is and how long it may be, with the question (or the
// request for the reason) again; nothing is recorded, and a shorter text
// then is.
func TestASNTooLongTypedTextIsRefused(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newASNHub(t, db, wib("2026-12-02 09:00"))
		h.link(nipBudi, chatBudi)
		h.link(nipSiti, chatSiti)

		// Siti's reason for Berhalangan.
		h.remindDue(2)
		reminder := h.next(chatBudi)
		m := h.next(chatSiti)
		h.srv.PushPress(chatSiti, chatSiti, m.MessageID, buttonData(t, m, "Berhalangan"))
		if got := h.next(chatSiti); !strings.Contains(got.Plain, "alasan singkat") {
			t.Fatalf("Berhalangan: %q", got.Plain)
		}
		long := strings.Repeat("Ada tugas dinas luar kota yang mendesak. ", 13) // 532 characters once trimmed
		h.srv.PushText(chatSiti, chatSiti, long)
		got := h.next(chatSiti)
		if !strings.Contains(got.Plain, "terlalu panjang (532 karakter; paling banyak 500 karakter)") ||
			!strings.Contains(got.Plain, "belum kami catat") || !hasButton(got, "Lewati") || !hasButton(got, "Ternyata bisa hadir") {
			t.Fatalf("a reason of 532 characters: %q %v", got.Plain, got.Buttons)
		}
		if e := h.enrolment("ANL-2026-01", nipSiti); e.RSVP != training.RSVPNo || e.RSVPReason != "" {
			t.Fatalf("Siti's enrolment after a reason too long: %+v", e)
		}
		// Longer than any question the hub reads (a Slack message may be):
		// still the reason refused, not a question.
		h.srv.PushText(chatSiti, chatSiti, strings.Repeat("dinas luar ", 500))
		if got := h.next(chatSiti); !strings.Contains(got.Plain, "alasan Anda terlalu panjang (5.499 karakter; paling banyak 500 karakter)") {
			t.Fatalf("a reason of 5,499 characters: %q", got.Plain)
		}
		h.srv.PushText(chatSiti, chatSiti, "Dinas luar kota")
		if got := h.next(chatSiti); !strings.Contains(got.Plain, "alasan Anda sudah kami catat") {
			t.Fatalf("the shorter reason: %q", got.Plain)
		}
		if e := h.enrolment("ANL-2026-01", nipSiti); e.RSVPReason != "Dinas luar kota" {
			t.Fatalf("reason recorded %q", e.RSVPReason)
		}

		// Budi's answer to the survey's free-text question.
		h.srv.PushPress(chatBudi, chatBudi, reminder.MessageID, buttonData(t, reminder, "Hadir"))
		h.next(chatBudi)
		h.surveyDue(1)
		invitation := h.next(chatBudi)
		h.srv.PushPress(chatBudi, chatBudi, invitation.MessageID, buttonData(t, invitation, "Mulai survei"))
		q := h.next(chatBudi)
		for range 5 {
			h.srv.PushPress(chatBudi, chatBudi, q.MessageID, buttonData(t, q, "4"))
			q = h.next(chatBudi)
		}
		if !strings.Contains(q.Plain, "Pertanyaan 6 dari 6") {
			t.Fatalf("question 6: %q", q.Plain)
		}
		answers := func() int { return count(t, db, `SELECT COUNT(*) FROM survey_answers`) }
		long = strings.Repeat("Perlu lebih banyak praktik. ", 40) // 1,119 characters once trimmed
		h.srv.PushText(chatBudi, chatBudi, long)
		got = h.next(chatBudi)
		if !strings.Contains(got.Plain, "terlalu panjang (1.119 karakter; paling banyak 1.000 karakter)") ||
			!strings.Contains(got.Plain, "belum kami catat") || !strings.Contains(got.Plain, "Pertanyaan 6 dari 6") || !hasButton(got, "Lewati") {
			t.Fatalf("an answer of 1,119 characters: %q %v", got.Plain, got.Buttons)
		}
		if n := answers(); n != 5 {
			t.Fatalf("%d answers after one too long, want 5", n)
		}
		h.srv.PushText(chatBudi, chatBudi, strings.Repeat("praktik ", 600))
		if got := h.next(chatBudi); !strings.Contains(got.Plain, "jawaban Anda terlalu panjang (4.799 karakter; paling banyak 1.000 karakter)") ||
			!strings.Contains(got.Plain, "Pertanyaan 6 dari 6") {
			t.Fatalf("an answer of 4,799 characters: %q", got.Plain)
		}
		h.srv.PushText(chatBudi, chatBudi, "Perlu lebih banyak praktik.")
		if got := h.next(chatBudi); !strings.Contains(got.Plain, "Terima kasih! Jawaban Anda") {
			t.Fatalf("the shorter answer: %q", got.Plain)
		}
		if n := answers(); n != 6 {
			t.Fatalf("%d answers, want 6", n)
		}
		h.quiet(chatBudi)
		h.quiet(chatSiti)
	})
}

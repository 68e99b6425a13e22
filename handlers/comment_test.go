package handlers_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/tebingtinggi/hub/handlers"
	"github.com/tebingtinggi/hub/inbox"
	"github.com/tebingtinggi/hub/knowledge"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

// ratingComments are what citizens write after rating a ticket: each is
// kept as the rating's comment, though the engine clarifies "lama kali" or
// answers "urus akta kelahiran…", and "kenapa" or "kapan" ask.
var ratingComments = []string{
	"pelayanannya lambat",
	"mantap, cepat",
	"kenapa lama sekali prosesnya?",
	"petugasnya ramah, terima kasih",
	"lama kali",
	"terima kasih, tidak ada apa-apa",
	// Complaints that ask, or name a service the FAQ answers: still
	// comments on the service rated, not new questions.
	"kurang puas, saya sudah tanya berkali-kali",
	"lambat, entah kapan selesainya",
	"urus akta kelahiran lama sekali",
	"jam buka kantor terlalu singkat",
	"lumayan, tapi kapan-kapan lebih cepat ya",
	"kok harus datang dua kali?",
	"tidak membantu sama sekali",
	"jawabannya tidak jelas",
	"kurang jelas, biar cepat kok harus tanya lagi?",
	// Verdicts on the answer, and news of how the matter went, that the
	// engine answers or clarifies (see engineActsOn): comments all the
	// same.
	"belum jelas jawabannya",
	"jawabannya tidak sesuai",
	"petugas tidak menjawab pertanyaan saya",
	"tidak sesuai harapan",
	"terimakasih sudah dibantu soal kk",
	"kk saya sudah jadi",
	"ktp saya sudah dicetak",
	"ktp saya belum juga jadi",
	"oke sudah diurus",
}

// engineActsOn are ratingComments the engine answers or clarifies, so
// that keeping them as comments takes more than the engine's decision.
var engineActsOn = []string{
	"belum jelas jawabannya",
	"jawabannya tidak sesuai",
	"petugas tidak menjawab pertanyaan saya",
	"kk saya sudah jadi",
	"ktp saya sudah dicetak",
	"ktp saya belum juga jadi",
}

// rated has user ask something no entry answers, an officer close the
// ticket, and user rate it 4 by pressing the button: the bot then waits
// for a comment. It returns the ticket.
func (h *humanChat) rated(user string) int64 {
	h.t.Helper()
	ctx := context.Background()
	out := h.say(user, qHandoffs[1])
	id := ticketNumber(h.t, out)
	desk := &handlers.Desk{Inbox: h.inbox, DB: h.db, Now: h.clock.now}
	if _, err := desk.Reply(ctx, id, "Petugas Ani", "Silakan datang ke kantor kelurahan."); err != nil {
		h.t.Fatal(err)
	}
	if _, told, err := desk.CloseAndTell(ctx, id, "Petugas Ani", false); err != nil || told != handlers.NoticeRating {
		h.t.Fatalf("closing #%d: told %v, %v", id, told, err)
	}
	if out := h.press(user, fmt.Sprintf("r:%d:4", id)); !strings.Contains(out.Text, "Terima kasih atas penilaian Anda") {
		h.t.Fatalf("rating #%d: %q", id, out.Text)
	}
	return id
}

func (h *humanChat) ticket(id int64) inbox.Ticket {
	h.t.Helper()
	d, err := h.inbox.Get(context.Background(), id)
	if err != nil {
		h.t.Fatal(err)
	}
	return d.Ticket
}

const commentSaved = "komentar Anda sudah kami simpan"

// TestRatingCommentSkippedByTyping: "lewati" or "tidak ada" typed when
// a comment is asked for is no comment, as the "Lewati" button: the
// rating stays without one, rather than with the comment "lewati".
func TestRatingCommentSkippedByTyping(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newHumanChat(t, db)
		for i, skip := range []string{"lewati", "tidak ada", "ga ada komentar min", "sudah cukup", "skip", "tidak ada bos"} {
			user := fmt.Sprint("s", i)
			id := h.rated(user)
			if out := h.say(user, skip); strings.Contains(out.Text, commentSaved) || !strings.Contains(out.Text, "terima kasih atas penilaian") {
				t.Errorf("%q for a comment: %q, want it skipped", skip, out.Text)
			}
			if tk := h.ticket(id); tk.RatingComment != "" || tk.Rating == nil || *tk.Rating != 4 {
				t.Errorf("%q for a comment: rated %v with comment %q, want 4 and no comment", skip, tk.Rating, tk.RatingComment)
			}
			if ts := h.tickets(user); len(ts) != 1 {
				t.Errorf("%q for a comment opened a ticket: %d tickets", skip, len(ts))
			}
		}
	})
}

// TestRatingCommentOrNewQuestion: after a rating, what the citizen
// writes is the comment, unless they moved on. A request for a person is
// handled as one, and a new question (one that judges nothing and opens
// with a question word, ends with a question mark, or reports nothing and
// is answered or clarified by the engine; an emergency) is answered as a
// question; the wait for a comment is then over and the
// rating stays, without a comment.
func TestRatingCommentOrNewQuestion(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newHumanChat(t, db)
		for _, comment := range engineActsOn {
			if !slices.Contains(ratingComments, comment) {
				t.Fatalf("%q is not among the rating comments", comment)
			}
			if d := h.index.Search(comment).Decision; d != knowledge.Answer && d != knowledge.Clarify {
				t.Fatalf("the engine no longer answers or clarifies %q (%s): pick another comment", comment, d)
			}
		}

		for i, comment := range ratingComments {
			user := fmt.Sprint("k", i)
			id := h.rated(user)
			// Saved, and the citizen is told they may still ask: a
			// question kept as a comment is asked again, not lost.
			if out := h.say(user, comment); !strings.Contains(out.Text, commentSaved) || !strings.Contains(out.Text, "silakan tulis di sini") {
				t.Errorf("comment %q: %q, want it saved and an invitation to ask", comment, out.Text)
			}
			tk := h.ticket(id)
			if tk.RatingComment != comment || tk.Rating == nil || *tk.Rating != 4 {
				t.Errorf("comment %q: ticket rated %v with comment %q", comment, tk.Rating, tk.RatingComment)
			}
			if ts := h.tickets(user); len(ts) != 1 {
				t.Errorf("comment %q opened a ticket: %d tickets", comment, len(ts))
			}
			// One comment only: the next message is a message again.
			if out := h.say(user, "makasih"); strings.Contains(out.Text, commentSaved) {
				t.Errorf("after the comment %q, \"makasih\" was a comment too", comment)
			}
		}

		answered := "cara bayar pbb"
		if res := h.index.Search(answered); res.Decision != knowledge.Answer {
			t.Fatalf("the engine does not answer %q (%s): pick another question", answered, res.Decision)
		}
		engineAnswers, engineClarifies := "syarat bikin kk baru", "akta"
		for _, q := range []string{engineAnswers, "jam buka dukcapil"} {
			if res := h.index.Search(q); res.Decision != knowledge.Answer {
				t.Fatalf("the engine does not answer %q (%s): pick another question", q, res.Decision)
			}
		}
		if res := h.index.Search(engineClarifies); res.Decision != knowledge.Clarify {
			t.Fatalf("the engine does not clarify %q (%s): pick another question", engineClarifies, res.Decision)
		}
		asks := "terus kalau mau urus KK baru gimana?"
		if res := h.index.Search(asks); res.Decision == knowledge.Answer {
			t.Fatalf("the engine answers %q: pick a question only its words tell apart", asks)
		}
		// An emergency no entry answers, with no question word.
		emergency := "tolong bapak saya pingsan di jalan"
		if res := h.index.Search(emergency); !knowledge.Urgent(emergency) || res.Decision == knowledge.Answer || strings.Contains(emergency, "?") {
			t.Fatalf("%q (%s): pick an emergency the engine does not answer", emergency, res.Decision)
		}
		// What the question flow replies: an answer (with its feedback
		// buttons), a choice, or a ticket.
		asQuestion := func(out string, buttons int) bool {
			return buttons > 0 || strings.Contains(out, "Maksud Anda") || strings.Contains(out, "tiket #")
		}
		for _, tc := range []struct {
			user, text string
			want       func(out string, buttons int) bool
		}{
			// "cara" opens a question; the engine answers it.
			{"q1", answered, func(out string, buttons int) bool { return buttons > 0 && !strings.Contains(out, "Maksud Anda") }},
			// The engine only offers choices, but "gimana" asks.
			{"q2", asks, func(out string, _ int) bool {
				return strings.Contains(out, "Maksud Anda") || strings.Contains(out, "tiket #")
			}},
			{"q3", "kapan jadwal pengambilan sampah di kelurahan Rambung?", asQuestion},
			{"q4", "brp biaya bikin akta kelahiran anak", asQuestion},
			{"q5", "mau nanya lagi min soal pbb", asQuestion},
			// "Penjelasan", "bantuan" name what is asked for; they judge
			// nothing.
			{"q10", "bisa minta penjelasan syarat kk?", asQuestion},
			{"q11", "cara dapat bantuan modal usaha?", asQuestion},
			// Asking for help, or for something "biar jelas", judges
			// nothing either.
			{"q12", "min bisa dibantu cara bayar pbb?", asQuestion},
			{"q13", "bagaimana cara bayar pbb, mohon bantuannya", asQuestion},
			{"q14", "syarat bikin kk baru apa saja, biar jelas?", asQuestion},
			// Neither a question mark nor a question word, but questions
			// the engine answers or clarifies, judging nothing: not
			// comments.
			{"q7", engineAnswers, func(out string, buttons int) bool { return buttons > 0 && !strings.Contains(out, "Maksud Anda") }},
			{"q8", "jam buka dukcapil", func(out string, buttons int) bool { return buttons > 0 && !strings.Contains(out, "Maksud Anda") }},
			{"q9", engineClarifies, func(out string, _ int) bool { return strings.Contains(out, "Maksud Anda") }},
			{"q6", emergency, func(out string, _ int) bool { return strings.Contains(out, "112") && strings.Contains(out, "tiket #") }},
		} {
			id := h.rated(tc.user)
			out := h.say(tc.user, tc.text)
			if strings.Contains(out.Text, commentSaved) || !tc.want(out.Text, len(out.Buttons)) {
				t.Errorf("%q after a rating: %q %v, want it handled as a question", tc.text, out.Text, out.Buttons)
			}
			if tk := h.ticket(id); tk.RatingComment != "" || tk.Rating == nil || *tk.Rating != 4 {
				t.Errorf("%q after a rating: rated %v with comment %q, want 4 and no comment", tc.text, tk.Rating, tk.RatingComment)
			}
			if out := h.say(tc.user, "mantap, cepat"); strings.Contains(out.Text, commentSaved) {
				t.Errorf("after the question %q the bot still took a comment", tc.text)
			}
		}

		// A request for a person: the bot asks what the officer should
		// read (the closed ticket was dealt with), and hands that over.
		id := h.rated("p1")
		if out := h.say("p1", "mau bicara sama petugas"); !isPrompt(out) {
			t.Fatalf("a request for a person after a rating: %q", out.Text)
		}
		if tk := h.ticket(id); tk.RatingComment != "" {
			t.Errorf("the request for a person became the comment %q", tk.RatingComment)
		}
		question := "nama saya salah cetak di KK baru"
		out := h.say("p1", question)
		ts := h.tickets("p1")
		if len(ts) != 2 || ts[1].Subject != question || ts[1].Reason != inbox.AskedHuman || ticketNumber(t, out) != ts[1].ID {
			t.Errorf("the question for the officer: %q, tickets %+v", out.Text, ts)
		}
	})
}

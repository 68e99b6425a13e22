package handlers_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"github.com/jmoiron/sqlx"

	"github.com/tebingtinggi/hub/inbox"
	"github.com/tebingtinggi/hub/internal/hostiletest"
	"github.com/tebingtinggi/hub/knowledge"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
	"github.com/tebingtinggi/hub/training"
)

// hostileChat is the chat (and user) id of the citizen who sends input
// i: seven digits, so that finding it in the logs means a chat id leaked.
func hostileChat(i int) int64 { return 7_340_001 + int64(i) }

// TestHostileInput sends every hostile input as a citizen's message, first
// and last name and button data, as an ASN's RSVP reason and survey
// answers, and as an officer's reply, on both backends. Nobody may be told
// of a failure, and the logs (at debug level) hold none of the inputs, no
// chat id and no raw control character.
func TestHostileInput(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newASNHub(t, db, wib("2026-12-02 09:00"))
		ctx := context.Background()

		// Citizens: message text and names, then button data.
		for i, in := range hostiletest.Inputs {
			chat := hostileChat(i)
			m := h.srv.Message(chat, chat, in.Text)
			m.From.FirstName, m.From.LastName, m.From.UserName = in.Text, in.Text, "warga_"+fmt.Sprint(i)
			h.srv.PushUpdate(tgbotapi.Update{Message: m})
			reply := h.next(chat)
			h.srv.PushPress(chat, chat, reply.MessageID, in.Text)
		}
		h.srv.WaitAnswered(t, len(hostiletest.Inputs), 30*time.Second)

		// An officer answers a ticket with each input.
		askerChat := hostileChat(len(hostiletest.Inputs))
		q, _ := h.find(knowledge.Handoff, qHandoffs)
		h.srv.PushText(askerChat, askerChat, q)
		ticket := ticketOf(t, h.next(askerChat))
		for _, in := range hostiletest.Inputs {
			// Each reply is another officer's: the last one's claim is
			// handed back first.
			if _, err := inbox.New(db).Release(ctx, ticket, "", true); err != nil {
				t.Fatal(err)
			}
			if _, err := h.desk.Reply(ctx, ticket, "Petugas "+in.Text, in.Text); err != nil {
				t.Fatalf("officer reply %s: %v", in.Name, err)
			}
			// A long reply comes in several messages: skip the rest of
			// the one before.
			got := h.next(askerChat)
			for n := 0; !strings.Contains(got.Plain, "Balasan petugas") && n < 100; n++ {
				got = h.next(askerChat)
			}
			if !strings.Contains(got.Plain, "Balasan petugas") {
				t.Fatalf("officer reply %s reached the citizen as %.80q", in.Name, got.Plain)
			}
		}

		// An ASN: the reason for Berhalangan, again for each input.
		h.link(nipBudi, chatBudi)
		h.remindDue(-1)
		reminder := h.next(chatBudi)
		no := buttonData(t, reminder, "Berhalangan")
		for _, in := range hostiletest.Inputs {
			h.srv.PushPress(chatBudi, chatBudi, reminder.MessageID, no)
			if got := h.next(chatBudi); !strings.Contains(got.Plain, "alasan singkat") {
				t.Fatalf("Berhalangan before %s: %.80q", in.Name, got.Plain)
			}
			h.srv.PushText(chatBudi, chatBudi, in.Text)
			h.next(chatBudi)
		}

		// The survey: each input typed where a button is expected, then
		// all of them as the free-text answer.
		e := h.enrolment("ANL-2026-01", nipBudi)
		if _, err := storagetest.InTx(db, func(tx *sqlx.Tx) (training.Session, error) {
			return h.training.RecordRSVP(ctx, tx, e.ID, nipBudi, true, "", h.clock.now())
		}); err != nil {
			t.Fatal(err)
		}
		h.surveyDue(-1)
		invitation := h.next(chatBudi)
		h.srv.PushPress(chatBudi, chatBudi, invitation.MessageID, buttonData(t, invitation, "Mulai survei"))
		last := h.next(chatBudi)
		for _, in := range hostiletest.Inputs {
			h.srv.PushText(chatBudi, chatBudi, in.Text)
			if got := h.next(chatBudi); !strings.Contains(got.Plain, "Pertanyaan 1 dari") && !strings.Contains(got.Plain, "terlalu panjang") {
				t.Fatalf("survey text %s where a button is expected: %.80q", in.Name, got.Plain)
			}
		}
		for !strings.Contains(last.Plain, "ketik jawaban") {
			h.srv.PushPress(chatBudi, chatBudi, last.MessageID, buttonData(t, last, "3"))
			last = h.next(chatBudi)
		}
		var all strings.Builder
		for _, in := range hostiletest.Inputs[:len(hostiletest.Inputs)-2] { // the 100 KB one would be too long an answer
			all.WriteString(in.Text + " ")
		}
		all.WriteString(hostiletest.Inputs[len(hostiletest.Inputs)-1].Text)
		h.srv.PushText(chatBudi, chatBudi, all.String())
		if got := h.next(chatBudi); !strings.Contains(got.Plain, "Terima kasih") {
			t.Fatalf("free-text survey answer: %.80q", got.Plain)
		}

		h.srv.WaitPending(t, 0, 30*time.Second)
		for _, s := range h.srv.Sent() {
			if strings.Contains(s.Plain, "gangguan") {
				t.Errorf("chat %d was told of a failure: %.200q", s.ChatID, s.Plain)
			}
		}
		logs := h.logs.String()
		for i, in := range hostiletest.Inputs {
			for _, secret := range []string{in.Text, fmt.Sprint(hostileChat(i))} {
				if strings.Contains(logs, secret) {
					t.Errorf("the logs hold %q (%s)", secret[:min(len(secret), 40)], in.Name)
				}
			}
		}
		if raw := regexp.MustCompile("[\x00\x1b\u202e]").FindString(logs); raw != "" {
			t.Errorf("the logs hold a raw %q", raw)
		}
	})
}

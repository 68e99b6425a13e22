package handlers_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/handlers"
	"github.com/tebingtinggi/hub/knowledge"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
	"github.com/tebingtinggi/hub/training"
)

// Budi's Slack account, linked besides his Telegram chat.
const (
	slackBudi     = "U0BUDI"
	slackBudiChat = "D0BUDI"
)

// linkSlack links nip's Slack account too, as its DM with the bot would.
func (h *asnHub) linkSlack(nip, user, chat string) {
	h.t.Helper()
	code := h.code(nip)
	if _, err := storagetest.InTx(h.db, func(tx *sqlx.Tx) (training.ASN, error) {
		return h.training.Redeem(context.Background(), tx, code, bots.Slack, chat, user, h.clock.now())
	}); err != nil {
		h.t.Fatal(err)
	}
}

// onSlack delivers an update from Budi's Slack DM: a press of data, or
// else text.
func (h *asnHub) onSlack(id, text, data string) {
	h.t.Helper()
	in := bots.Incoming{Platform: bots.Slack, UpdateID: id, ChatID: slackBudiChat, ChatType: bots.Private, UserID: slackBudi,
		Kind: bots.Text, Text: text, Addressed: true, Time: h.clock.now()}
	if data != "" {
		in.Kind, in.Text, in.Data = bots.Press, "", data
	}
	if err := h.router.Deliver(context.Background(), in); err != nil {
		h.t.Fatal(err)
	}
}

// slackAwaitsReason reports whether Budi's Slack DM still awaits a
// "Berhalangan" reason.
func (h *asnHub) slackAwaitsReason() bool {
	h.t.Helper()
	var states []string
	if err := h.db.SelectContext(context.Background(), &states, h.db.Rebind(`SELECT state FROM chat_sessions
		WHERE platform = ? AND chat_id = ? AND user_id = ?`), string(bots.Slack), slackBudiChat, slackBudi); err != nil {
		h.t.Fatal(err)
	}
	return len(states) == 1 && strings.Contains(states[0], handlers.AwaitRSVPReason)
}

// An ASN linked on Telegram and Slack who presses "Berhalangan" on Slack
// and types the reason in the Telegram chat has it recorded as the
// reason, as it would be on Slack, and Slack no longer awaits it; "lewati"
// typed there skips it as on Slack. The Telegram chat's own pending
// prompt (here the /hapusdata confirmation) comes first, and a reason
// asked for longer ago than the idle time is not awaited any more.
func TestASNRSVPReasonTypedOnTheOtherPlatform(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newASNHub(t, db, wib("2026-12-02 09:00"))
		h.link(nipBudi, chatBudi)
		h.linkSlack(nipBudi, slackBudi, slackBudiChat)
		no := training.ChangeRSVPButton(h.enrolment("ANL-2026-01", nipBudi).ID, false).Data
		updates := 0
		berhalangan := func() {
			t.Helper()
			updates++
			h.onSlack("slack-"+strconv.Itoa(updates), "", no)
			if e := h.enrolment("ANL-2026-01", nipBudi); e.RSVP != training.RSVPNo || !h.slackAwaitsReason() {
				t.Fatalf("after Berhalangan on Slack: %+v, Slack awaits the reason: %v", e, h.slackAwaitsReason())
			}
		}

		berhalangan()
		const reason = "Dinas luar kota ke Medan, bagaimana?"
		h.srv.PushText(chatBudi, chatBudi, reason)
		if got := h.next(chatBudi); !strings.Contains(got.Plain, "alasan Anda sudah kami catat") {
			t.Fatalf("the reason typed on Telegram: %q", got.Plain)
		}
		if e := h.enrolment("ANL-2026-01", nipBudi); e.RSVP != training.RSVPNo || e.RSVPReason != reason {
			t.Fatalf("after the reason typed on Telegram: %+v", e)
		}
		if h.slackAwaitsReason() {
			t.Error("Slack still awaits the reason given on Telegram")
		}

		berhalangan()
		h.srv.PushText(chatBudi, chatBudi, "lewati")
		if got := h.next(chatBudi); !strings.Contains(got.Plain, "ketidakhadiran Anda sudah kami catat") {
			t.Fatalf("lewati typed on Telegram: %q", got.Plain)
		}
		if e := h.enrolment("ANL-2026-01", nipBudi); e.RSVPReason != reason {
			t.Fatalf("lewati changed the reason: %+v", e)
		}

		// The Telegram chat's own question first.
		berhalangan()
		h.srv.PushText(chatBudi, chatBudi, "/hapusdata")
		h.next(chatBudi)
		h.srv.PushText(chatBudi, chatBudi, "tidak jadi")
		if got := h.next(chatBudi); strings.Contains(got.Plain, "alasan") {
			t.Fatalf("the answer to /hapusdata was taken for the reason: %q", got.Plain)
		}
		if !h.slackAwaitsReason() {
			t.Error("Slack no longer awaits the reason after an answer to /hapusdata on Telegram")
		}

		// Too late: a question is a question.
		h.clock.add(handlers.DefaultIdle + time.Minute)
		q, _ := h.find(knowledge.Answer, qAnswers)
		h.srv.PushText(chatBudi, chatBudi, q)
		if got := h.next(chatBudi); strings.Contains(got.Plain, "alasan") {
			t.Fatalf("a question long after Berhalangan on Slack: %q", got.Plain)
		}
		if e := h.enrolment("ANL-2026-01", nipBudi); e.RSVPReason != reason {
			t.Fatalf("a late question became the reason: %q", e.RSVPReason)
		}
		h.quiet(chatBudi)
	})
}

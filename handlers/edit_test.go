package handlers_test

import (
	"context"
	"slices"
	"strconv"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/tebingtinggi/hub/bots/telegram/telegramtest"
	"github.com/tebingtinggi/hub/inbox"
	"github.com/tebingtinggi/hub/knowledge"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

// edit has the person edit m to text and waits until the hub handled the
// edit (which must send nothing to the chat).
func (h *hub) edit(m *tgbotapi.Message, text string) {
	h.t.Helper()
	e := *m
	e.Text, e.Entities, e.EditDate = text, telegramtest.Entities(text), int(time.Now().Unix())
	update := strconv.Itoa(h.srv.PushUpdate(tgbotapi.Update{EditedMessage: &e}))
	deadline := time.Now().Add(10 * time.Second)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		var status string
		err := h.db.GetContext(context.Background(), &status, h.db.Rebind(`SELECT status FROM processed_updates WHERE platform = 'telegram' AND update_id = ?`), update)
		if err == nil && status == "done" {
			break
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("edit %s not handled within 10s (%v); logs:\n%s", update, err, h.logs.String())
		}
		<-tick.C
	}
	h.srv.WaitPending(h.t, 0, 5*time.Second)
	h.quiet(m.Chat.ID)
}

// citizenTexts are the citizen's messages of a ticket, an edit's text
// prefixed with inbox.EditedLabel.
func (h *hub) citizenTexts(id int64) []string {
	h.t.Helper()
	d, err := h.inbox.Get(context.Background(), id)
	if err != nil {
		h.t.Fatal(err)
	}
	var out []string
	for _, m := range d.Messages {
		if m.AuthorKind != inbox.Citizen {
			continue
		}
		if m.Edited() {
			out = append(out, inbox.EditedLabel+" "+m.Text)
			continue
		}
		out = append(out, m.Text)
	}
	return out
}

// In a group an edit counts as a follow-up does: only when it addresses
// the bot. Its mention is taken out, as from a follow-up.
func TestGroupEditOfATicketsQuestion(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newHub(t, db, hubOptions{})
		const group, user = -9101, 9102
		question, _ := h.find(knowledge.Handoff, qHandoffs)
		at := "@" + telegramtest.BotUsername + " "
		q := h.srv.Message(group, user, at+question)
		h.srv.PushUpdate(tgbotapi.Update{Message: q})
		id := ticketOf(t, h.next(group))

		h.edit(q, question+" saya warga Rambung") // no longer addresses the bot
		h.edit(q, at+question+" saya warga Bandar Utama")
		want := []string{question, inbox.EditedLabel + " " + question + " saya warga Bandar Utama"}
		if got := h.citizenTexts(id); !slices.Equal(got, want) {
			t.Fatalf("ticket's citizen messages %q, want %q", got, want)
		}
		// Someone else's chatter, edited: nobody's ticket.
		chatter := h.srv.Message(group, 9103, "siang semua")
		h.srv.PushUpdate(tgbotapi.Update{Message: chatter})
		h.edit(chatter, at+"siang semua, ada yang tahu jadwal posyandu?")
		if got := h.citizenTexts(id); !slices.Equal(got, want) {
			t.Fatalf("ticket's citizen messages %q after a bystander's edit, want %q", got, want)
		}
	})
}

// An edit the per-person rate limit silences still reaches the ticket,
// as a silenced follow-up does, and the citizen still hears nothing.
func TestRateLimitedEditReachesTheTicket(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newHub(t, db, hubOptions{rateLimit: 2})
		const chat = 9201
		question, _ := h.find(knowledge.Handoff, qHandoffs)
		q := h.srv.Message(chat, chat, question)
		h.srv.PushUpdate(tgbotapi.Update{Message: q})
		id := ticketOf(t, h.next(chat))
		h.srv.PushText(chat, chat, "halo?")
		h.next(chat)
		h.srv.PushText(chat, chat, "halo??")
		h.next(chat) // the slow-down notice
		before := h.citizenTexts(id)
		h.edit(q, question+" NIK 1276012345678901")
		want := append(before, inbox.EditedLabel+" "+question+" NIK 1276012345678901")
		if got := h.citizenTexts(id); !slices.Equal(got, want) {
			t.Fatalf("ticket's citizen messages %q, want %q", got, want)
		}
	})
}

// A question handed over by a button press ("Bukan semuanya") is logged
// again with the new ticket, the press's message being the bot's own: an
// edit of the citizen's message that asked it still reaches the ticket.
func TestEditOfAQuestionHandedOverByAPress(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newHub(t, db, hubOptions{})
		const chat = 9301
		question, _ := h.find(knowledge.Clarify, qClarify)
		q := h.srv.Message(chat, chat, question)
		h.srv.PushUpdate(tgbotapi.Update{Message: q})
		m := h.next(chat)
		h.srv.PushPress(chat, chat, m.MessageID, buttons(m)[len(buttons(m))-1].Data)
		id := ticketOf(t, h.next(chat))
		h.edit(q, question+" di Kelurahan Rambung")
		want := []string{question, inbox.EditedLabel + " " + question + " di Kelurahan Rambung"}
		if got := h.citizenTexts(id); !slices.Equal(got, want) {
			t.Fatalf("ticket's citizen messages %q, want %q", got, want)
		}
	})
}

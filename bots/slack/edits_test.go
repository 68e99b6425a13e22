package slack_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/tebingtinggi/hub/bots/telegram/telegramtest"
	"github.com/tebingtinggi/hub/handlers"
	"github.com/tebingtinggi/hub/inbox"
	"github.com/tebingtinggi/hub/knowledge"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

// TestCitizensEditReachesTheirOpenTicket follows a citizen's edits from
// the Telegram adapter (the fake Bot API's edited_message updates) to
// the ticket and the Slack desk's thread: an edit of the handed-over
// question joins the ticket beside it, marked "(disunting)", with no
// reply; an edit of a question the bot answered, of a closed ticket's
// question and of a question erased with /hapusdata leave nothing.
func TestCitizensEditReachesTheirOpenTicket(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newHub(t, db)
		ctx := context.Background()
		const chat = 6464

		// An answered question: its edit is ignored, no ticket opened.
		answered := "ktp saya hilang gmn"
		if d := h.index.Search(answered).Decision; d != knowledge.Answer {
			t.Fatalf("the engine decides %s for %q; pick one it answers", d, answered)
		}
		asked := h.tg.Message(chat, chat, answered)
		h.tg.PushUpdate(tgbotapi.Update{Message: asked})
		h.nextTG(chat)
		if got := h.tg.AllowedUpdates(); !slices.Contains(got, "edited_message") {
			t.Fatalf("allowed_updates %v; want edited_message among them", got)
		}
		h.editAndWait(chat, asked, "ktp saya hilang gmn, XQZANSWERED")
		if where := storagetest.Containing(t, db, "XQZANSWERED"); len(where) > 0 {
			t.Errorf("an edit of an answered question is kept in %v", where)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM tickets`); n != 0 {
			t.Fatalf("%d tickets after editing an answered question", n)
		}

		// The handed-over question, completed with a NIK: the edit joins
		// the ticket beside the original and reaches the desk's thread,
		// its number masked.
		question := "nikah siri apakah sah secara hukum negara?"
		if d := h.index.Search(question).Decision; d != knowledge.Handoff {
			t.Fatalf("the engine decides %s for %q; pick one it hands over", d, question)
		}
		q := h.tg.Message(chat, chat, question)
		h.tg.PushUpdate(tgbotapi.Update{Message: q})
		id := ticketNumber(t, h.nextTG(chat).Plain)
		h.deskMessage("nikah siri")
		edited := question + " NIK saya 1276012345678901"
		h.editAndWait(chat, q, edited)
		d, err := h.inbox.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		var orig, edit *inbox.Message
		for i, m := range d.Messages {
			switch {
			case m.Text == question && m.AuthorKind == inbox.Citizen:
				orig = &d.Messages[i]
			case m.Text == edited:
				edit = &d.Messages[i]
			}
		}
		if orig == nil || edit == nil || orig.Edited() || !edit.Edited() || *edit.EditOf != orig.ID || edit.AuthorKind != inbox.Citizen {
			t.Fatalf("ticket messages %+v; want the question and its edit, marked as one", d.Messages)
		}
		note := h.waitThread("chat.postMessage", h.deskTS("slack:desk:"+strconv.FormatInt(id, 10)), "text", inbox.EditedLabel)
		if text := note.Form.Get("text"); !strings.Contains(text, "nikah siri") || strings.Contains(text, "1276012345678901") {
			t.Errorf("desk note of the edit: %q; want the edited question, the NIK masked", text)
		}

		// The answered question, edited again while the ticket is open,
		// and a question the bot answered while it is: neither went to
		// an officer, so still nothing.
		h.editAndWait(chat, asked, "ktp saya hilang gmn, XQZANSWERED lagi")
		during := h.tg.Message(chat, chat, answered)
		h.tg.PushUpdate(tgbotapi.Update{Message: during})
		h.nextTG(chat)
		h.editAndWait(chat, during, "ktp saya hilang gmn, XQZANSWERED juga")
		if where := storagetest.Containing(t, db, "XQZANSWERED"); len(where) > 0 {
			t.Errorf("an edit of an answered question is kept in %v", where)
		}

		// Closed: an edit of its question is ignored.
		desk := &handlers.Desk{Inbox: h.inbox, DB: db}
		if _, err := desk.Close(ctx, id, "Petugas Ani", true); err != nil {
			t.Fatal(err)
		}
		h.nextTG(chat) // the rating request
		h.editAndWait(chat, q, question+" XQZCLOSED")
		if where := storagetest.Containing(t, db, "XQZCLOSED"); len(where) > 0 {
			t.Errorf("an edit of a closed ticket's question is kept in %v", where)
		}

		// Erased: an edit of the new ticket's question is ignored, and
		// the erasure took the earlier edit with it.
		q2 := h.tg.Message(chat, chat, "zzq blorf wibble sewa tenda untuk hajatan di kelurahan")
		h.tg.PushUpdate(tgbotapi.Update{Message: q2})
		h.nextTG(chat)
		h.eraseData(chat)
		h.editAndWait(chat, q2, "zzq blorf wibble sewa tenda XQZERASED")
		for _, typed := range []string{"XQZERASED", "1276012345678901", "sewa tenda"} {
			if where := storagetest.Containing(t, db, typed); len(where) > 0 {
				t.Errorf("%q is in %v after /hapusdata", typed, where)
			}
		}
		if n := count(t, db, `SELECT COUNT(*) FROM conversations WHERE chat_id = '6464'`); n != 0 {
			t.Errorf("an edit after /hapusdata made %d conversations", n)
		}
	})
}

// editAndWait has the citizen edit m to text and waits until the hub has
// handled the edit, which must send the citizen nothing.
func (h *hub) editAndWait(chat int64, m *tgbotapi.Message, text string) {
	h.t.Helper()
	e := *m
	e.Text, e.Entities, e.EditDate = text, telegramtest.Entities(text), int(time.Now().Unix())
	update := strconv.Itoa(h.tg.PushUpdate(tgbotapi.Update{EditedMessage: &e}))
	waitFor(h.t, 15*time.Second, "the edit to be handled", func() bool {
		var status string
		err := h.db.GetContext(h.t.Context(), &status, h.db.Rebind(`SELECT status FROM processed_updates WHERE platform = 'telegram' AND update_id = ?`), update)
		return err == nil && status == "done"
	})
	h.tg.WaitPending(h.t, 0, 5*time.Second)
	sent := 0
	for _, s := range h.tg.Sent() {
		if s.ChatID == chat {
			sent++
		}
	}
	if sent != h.seenTG {
		h.t.Fatalf("the citizen got %d messages after an edit, want none", sent-h.seenTG)
	}
}

func ticketNumber(t *testing.T, reply string) int64 {
	t.Helper()
	_, after, ok := strings.Cut(reply, "#")
	end := strings.IndexFunc(after, func(r rune) bool { return r < '0' || r > '9' })
	if end >= 0 {
		after = after[:end]
	}
	id, err := strconv.ParseInt(after, 10, 64)
	if !ok || err != nil {
		t.Fatalf("no ticket number in %q", reply)
	}
	return id
}

func count(t *testing.T, db *storage.DB, q string) int {
	t.Helper()
	var n int
	if err := db.GetContext(t.Context(), &n, q); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

package slack_test

import (
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	hubslack "github.com/tebingtinggi/hub/bots/slack"

	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

// A citizen's /hapusdata reaches the desk: their ticket closes, its desk
// message is edited to the closed ticket without their question, and the
// desk's copies of their words and files in the outbox are redacted.
func TestDeskForgetsAnErasedCitizensQuestion(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newHub(t, db)
		const chat = 4343
		h.handOver(chat, "nikah siri apakah sah secara hukum negara? wa saya 0812-3456-7890")
		h.deskMessage("nikah siri")
		h.tg.PushText(chat, chat, "tambahan XQZFOLLOW saya tinggal di gang mawar")
		h.nextTG(chat)
		h.deskMessage("XQZFOLLOW")
		h.tg.AddFile("AgACXQZPHOTO", "photo", ".jpg", []byte{0xff, 0xd8, 0xff, 0xe0, 1, 2, 3})
		h.tg.PushPhoto(chat, chat, "AgACXQZPHOTO", "XQZCAPTION")
		h.nextTG(chat)
		h.waitThread("files.completeUploadExternal", h.deskTS("slack:desk:1"), "initial_comment", "XQZCAPTION")

		h.eraseData(chat)
		edit := h.deskMessage("Ditutup oleh /hapusdata")
		if text := edit.Form.Get("text"); strings.Contains(text, "nikah") || edit.Method != "chat.update" {
			t.Errorf("desk message after /hapusdata (%s): %q; want the closed ticket without the question", edit.Method, text)
		}
		for _, typed := range []string{"nikah siri", "XQZFOLLOW", "XQZPHOTO", "XQZCAPTION"} {
			if where := storagetest.Containing(t, db, typed); len(where) > 0 {
				t.Errorf("%q is still in %v after /hapusdata", typed, where)
			}
		}
	})
}

// eraseData has citizen chat erase their data with /hapusdata, confirmed.
func (h *hub) eraseData(chat int64) {
	h.t.Helper()
	h.tg.PushText(chat, chat, "/hapusdata")
	ask := h.nextTG(chat)
	var yes string
	for _, row := range ask.Buttons {
		for _, b := range row {
			if b.Text == "Ya, hapus data saya" {
				yes = b.Data
			}
		}
	}
	if yes == "" {
		h.t.Fatalf("/hapusdata asks %q without a confirm button", ask.Plain)
	}
	h.tg.PushPress(chat, chat, ask.MessageID, yes)
	if m := h.nextTG(chat); !strings.Contains(m.Plain, "sudah kami hapus") {
		h.t.Fatalf("after confirming: %q", m.Plain)
	}
}

// erasures are the statuses of the desk's deletions for ticket 1's thread.
func (h *hub) erasures() []string {
	h.t.Helper()
	var st []string
	if err := h.db.SelectContext(h.t.Context(), &st, h.db.Rebind(`SELECT status FROM outbox
		WHERE idempotency_key LIKE ? ORDER BY id`), "slack:desk:1:erase:%"); err != nil {
		h.t.Fatal(err)
	}
	return st
}

// A citizen's /hapusdata takes back what the desk already put in the
// ticket's Slack thread: their follow-up (chat.delete) and their photo
// (files.delete) are deleted, even when Slack's answer to a deletion is
// lost and the outbox sends it again (Slack's message_not_found then
// counts as done); the desk message itself stays (edited) and so does an
// officer's note in the thread, and later rounds delete nothing again.
func TestDeskErasureDeletesTheThreadFromSlack(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newHub(t, db)
		const chat = 4444
		h.handOver(chat, "nikah siri apakah sah secara hukum negara?")
		h.deskMessage("Tiket #1")
		post := h.deskTS("slack:desk:1")
		h.tg.PushText(chat, chat, "tambahan saya tinggal di gang mawar")
		h.nextTG(chat)
		note := h.deskTS("slack:desk:1:note:0")
		h.tg.AddFile("AgACerase", "photo", ".jpg", []byte{0xff, 0xd8, 0xff, 0xe0, 1, 2, 3})
		h.tg.PushPhoto(chat, chat, "AgACerase", "foto rumah")
		h.nextTG(chat)
		file := h.deskTS("slack:desk:1:file:1")
		if !strings.HasPrefix(file, "F") || !h.slack.Present(note) || !h.slack.Present(file) {
			t.Fatalf("the follow-up %q and the photo %q are not both in Slack", note, file)
		}
		// An officer's note in the thread: the officers' own, not the
		// citizen's data.
		const officerNote = "1700000999.000001"
		h.slack.addMessage(officerNote)
		h.post(hubslack.PathEvents, fmt.Sprintf(`{"type":"event_callback","event_id":"EvNote","event_time":%d,"event":{"type":"message",`+
			`"channel":%q,"user":"U1","text":"warga ini sudah ditelepon","ts":%q,"thread_ts":%q}}`, time.Now().Unix(), deskChannel, officerNote, post))

		var lost atomic.Bool
		h.slack.setLose(func(method string) bool { return method == "chat.delete" && lost.CompareAndSwap(false, true) })
		h.eraseData(chat)
		h.deskMessage("Ditutup oleh /hapusdata")
		waitFor(t, 15*time.Second, "the follow-up and the photo to be deleted and their deletions sent", func() bool {
			st := h.erasures()
			return !h.slack.Present(note) && !h.slack.Present(file) && len(st) == 2 && st[0] == "sent" && st[1] == "sent"
		})
		if !h.slack.Present(post) || !h.slack.Present(officerNote) {
			t.Errorf("desk message present %v, officer's note present %v; want both kept", h.slack.Present(post), h.slack.Present(officerNote))
		}
		dels := h.slack.Calls("chat.delete")
		if len(dels) != 2 || dels[0].Form.Get("ts") != note || dels[1].Form.Get("ts") != note || dels[0].Form.Get("channel") != deskChannel {
			t.Errorf("chat.delete calls = %v; want the follow-up %s in the desk channel, sent again after the lost answer", dels, note)
		}
		if fd := h.slack.Calls("files.delete"); len(fd) != 1 || fd[0].Form.Get("file") != file {
			t.Errorf("files.delete calls = %v; want the photo %s once", fd, file)
		}
		// Later rounds of the desk, on any replica, enqueue nothing again.
		for range 2 {
			if err := h.desk.Sync(t.Context()); err != nil {
				t.Fatal(err)
			}
		}
		if st := h.erasures(); len(st) != 2 {
			t.Errorf("%d deletions after more rounds; want 2", len(st))
		}
	})
}

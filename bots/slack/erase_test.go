package slack_test

import (
	"strings"
	"testing"

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
			t.Fatalf("/hapusdata asks %q without a confirm button", ask.Plain)
		}
		h.tg.PushPress(chat, chat, ask.MessageID, yes)
		if m := h.nextTG(chat); !strings.Contains(m.Plain, "sudah kami hapus") {
			t.Fatalf("after confirming: %q", m.Plain)
		}
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

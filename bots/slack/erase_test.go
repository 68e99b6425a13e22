package slack_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tebingtinggi/hub/bots"
	hubslack "github.com/tebingtinggi/hub/bots/slack"
	"github.com/tebingtinggi/hub/outbox"
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

// openTicket has citizen chat ask a question the bot hands over, and
// returns the ts of its desk message (ticket 1).
func (h *hub) openTicket(chat int64) string {
	h.t.Helper()
	h.handOver(chat, "nikah siri apakah sah secara hukum negara?")
	h.deskMessage("Tiket #1")
	return h.deskTS("slack:desk:1")
}

// nothingLeft checks that Slack holds nothing of the citizen (their
// question, their follow-up about gang mawar, a file they sent) and no
// post of the bot in the thread of the desk message post, which stays.
func (h *hub) nothingLeft(post string) {
	h.t.Helper()
	if left := h.slack.holding("mawar", "nikah"); len(left) > 0 {
		h.t.Errorf("the citizen's data is still in Slack: %v", left)
	}
	if left := h.slack.threadLeft(post); len(left) > 0 {
		h.t.Errorf("the bot's posts %v are still in the thread", left)
	}
	if !h.slack.Present(post) {
		h.t.Error("the desk message is gone; want it kept, showing the closed ticket")
	}
}

// eraseDone waits until the desk has taken ticket 1's thread back: its
// desk row is final and none of its messages is queued or being sent.
func (h *hub) eraseDone() {
	h.t.Helper()
	waitFor(h.t, 20*time.Second, "the desk to be done with the erased ticket", func() bool {
		var n int
		err := h.db.GetContext(h.t.Context(), &n, `SELECT COUNT(*) FROM slack_desk WHERE ticket_id = 1 AND final
			AND NOT EXISTS (SELECT 1 FROM outbox WHERE status IN ('pending', 'sending')
				AND (idempotency_key = 'slack:desk:1' OR idempotency_key LIKE 'slack:desk:1:%'))`)
		return err == nil && n == 1
	})
}

// A citizen's /hapusdata takes back what the desk already put in the
// ticket's Slack thread: their follow-up (chat.delete) and their photo
// (files.delete) are deleted, even when Slack's answer to a deletion is
// lost and the outbox sends it again (Slack's message_not_found then
// counts as done), and so is the message that shared the photo, which
// the thread's own reading finds; the desk message itself stays (edited)
// and so does an officer's note in the thread, and later rounds delete
// nothing again.
func TestDeskErasureDeletesTheThreadFromSlack(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newHub(t, db)
		const chat = 4444
		post := h.openTicket(chat)
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
		h.slack.addMessage(officerNote, post, "U1")
		h.post(hubslack.PathEvents, fmt.Sprintf(`{"type":"event_callback","event_id":"EvNote","event_time":%d,"event":{"type":"message",`+
			`"channel":%q,"user":"U1","text":"warga ini sudah ditelepon","ts":%q,"thread_ts":%q}}`, time.Now().Unix(), deskChannel, officerNote, post))

		var lost atomic.Bool
		h.slack.setLose(func(method string) bool { return method == "chat.delete" && lost.CompareAndSwap(false, true) })
		h.eraseData(chat)
		h.deskMessage("Ditutup oleh /hapusdata")
		h.eraseDone()
		if st := h.erasures(); len(st) != 3 || slices.ContainsFunc(st, func(s string) bool { return s != "sent" }) {
			t.Errorf("deletions %v; want the follow-up's, the photo's and the thread's, all sent", st)
		}
		if left := h.slack.threadLeft(post); len(left) > 0 || h.slack.Present(note) || h.slack.Present(file) {
			t.Errorf("the bot's posts %v are still in the thread (follow-up present %v, photo present %v)", left, h.slack.Present(note), h.slack.Present(file))
		}
		if !h.slack.Present(post) || !h.slack.Present(officerNote) {
			t.Errorf("desk message present %v, officer's note present %v; want both kept", h.slack.Present(post), h.slack.Present(officerNote))
		}
		var noteDels int
		for _, c := range h.slack.Calls("chat.delete") {
			if c.Form.Get("channel") != deskChannel || c.Form.Get("ts") == post || c.Form.Get("ts") == officerNote {
				t.Errorf("chat.delete of %s in %s; want only the bot's thread posts in the desk channel", c.Form.Get("ts"), c.Form.Get("channel"))
			}
			if c.Form.Get("ts") == note {
				noteDels++
			}
		}
		if noteDels != 2 {
			t.Errorf("the follow-up %s was deleted %d times; want twice, again after the lost answer", note, noteDels)
		}
		if fd := h.slack.Calls("files.delete"); len(fd) == 0 || fd[0].Form.Get("file") != file {
			t.Errorf("files.delete calls = %v; want the photo %s first", fd, file)
		}
		// Later rounds of the desk, on any replica, enqueue nothing again.
		for range 2 {
			if err := h.desk.Sync(t.Context()); err != nil {
				t.Fatal(err)
			}
		}
		if st := h.erasures(); len(st) != 3 {
			t.Errorf("%d deletions after more rounds; want 3", len(st))
		}
	})
}

// A thread post in flight when the citizen erases their data (Slack's
// answer to the follow-up's chat.postMessage, or to the photo's
// files.completeUploadExternal, held until the desk has taken the
// erasure in and queued the closed ticket's edit) lands in Slack after
// the erasure, and is deleted all the same (chat.delete, files.delete):
// nothing of the citizen is left in Slack. The desk message stays, and
// the citizen's Telegram chat goes on (nothing deleted there).
func TestDeskErasureTakesBackAPostInFlight(t *testing.T) {
	cases := []struct {
		name, method, key, del, field string
		send                          func(h *hub, chat int64)
	}{
		{"follow-up", "chat.postMessage", "slack:desk:1:note:0", "chat.delete", "ts", func(h *hub, chat int64) {
			h.tg.PushText(chat, chat, "tambahan saya tinggal di gang mawar")
		}},
		{"photo", "files.completeUploadExternal", "slack:desk:1:file:0", "files.delete", "file", func(h *hub, chat int64) {
			h.tg.AddFile("AgACflight", "photo", ".jpg", []byte{0xff, 0xd8, 0xff, 0xe0, 4, 5, 6})
			h.tg.PushPhoto(chat, chat, "AgACflight", "foto rumah di gang mawar")
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			storagetest.Each(t, func(t *testing.T, db *storage.DB) {
				h := newHub(t, db)
				const chat = 4545
				post := h.openTicket(chat)
				held, release := make(chan call, 1), make(chan struct{})
				free := sync.OnceFunc(func() { close(release) })
				t.Cleanup(free) // before the fake stops, which waits for its calls
				h.slack.setHold(func(cl call) <-chan struct{} {
					if cl.Method != c.method || cl.Form.Get("thread_ts") != post {
						return nil
					}
					select {
					case held <- cl:
						return release
					default:
						return nil
					}
				})
				c.send(h, chat)
				h.nextTG(chat)
				select {
				case <-held:
				case <-time.After(15 * time.Second):
					t.Fatalf("no %s in the ticket's thread", c.method)
				}

				// A second replica's desk runs beside the hub's.
				replica, stop := time.NewTicker(20*time.Millisecond), make(chan struct{})
				var replicaDone sync.WaitGroup
				stopReplica := sync.OnceFunc(func() { close(stop); replicaDone.Wait() })
				t.Cleanup(stopReplica)
				replicaDone.Go(func() {
					defer replica.Stop()
					for {
						select {
						case <-stop:
							return
						case <-replica.C:
							if err := h.desk.Sync(t.Context()); err != nil {
								t.Errorf("the second replica's desk: %v", err)
							}
						}
					}
				})
				h.eraseData(chat)
				waitFor(t, 15*time.Second, "the desk to queue the closed ticket's edit", func() bool {
					var n int
					err := db.GetContext(t.Context(), &n, `SELECT COUNT(*) FROM outbox
						WHERE idempotency_key LIKE 'slack:desk:1:edit:%' AND CAST(payload AS TEXT) LIKE '%Ditutup oleh /hapusdata%'`)
					return err == nil && n > 0
				})
				if rec, err := outbox.New(db).Get(t.Context(), c.key); err != nil || rec.Status != outbox.Sending {
					t.Fatalf("the post is %s (%v) when the erasure has run; want it being sent", rec.Status, err)
				}
				free()
				h.deskMessage("Ditutup oleh /hapusdata")
				h.eraseDone()
				stopReplica()

				if st := h.erasures(); len(st) != 2 {
					t.Errorf("deletions %v; want the post's and the thread's, once", st)
				}
				rec, err := outbox.New(db).Get(t.Context(), c.key)
				if err != nil || rec.MessageID == "" {
					t.Fatalf("the post in flight has no recorded id (%v)", err)
				}
				if h.slack.Present(rec.MessageID) {
					t.Errorf("the post in flight %s is still in Slack", rec.MessageID)
				}
				if !slices.ContainsFunc(h.slack.Calls(c.del), func(cl call) bool { return cl.Form.Get(c.field) == rec.MessageID }) {
					t.Errorf("no %s of %s", c.del, rec.MessageID)
				}
				h.nothingLeft(post)
				// Telegram is untouched: nothing deleted, and the citizen
				// is answered as before.
				h.tg.PushText(chat, chat, "/bantuan")
				if m := h.nextTG(chat); m.Plain == "" {
					t.Error("no answer on Telegram after the erasure")
				}
				if n := h.tg.Calls("deleteMessage"); n != 0 {
					t.Errorf("%d deleteMessage calls on Telegram; want none", n)
				}
			})
		})
	}
}

// A follow-up whose post reached Slack but whose answer never came back
// leaves a copy whose ts the outbox never recorded, as a crash between
// the send and its record does: the row is sent again, and the thread
// holds two copies. /hapusdata deletes both, the unrecorded one found by
// reading the thread (conversations.replies).
func TestDeskErasureTakesBackACopyWhoseSendWasNeverRecorded(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newHub(t, db)
		const chat = 4646
		post := h.openTicket(chat)
		var lost atomic.Bool
		h.slack.setLose(func(method string) bool { return method == "chat.postMessage" && lost.CompareAndSwap(false, true) })
		h.tg.PushText(chat, chat, "tambahan saya tinggal di gang mawar")
		h.nextTG(chat)
		recorded := h.deskTS("slack:desk:1:note:0")
		copies := h.slack.threadLeft(post)
		if len(copies) != 2 || copies[1].TS != recorded {
			t.Fatalf("thread posts %v; want the unrecorded copy, then the one sent again (%s)", copies, recorded)
		}

		h.eraseData(chat)
		h.eraseDone()
		h.nothingLeft(post)
		for _, m := range copies {
			if !slices.ContainsFunc(h.slack.Calls("chat.delete"), func(c call) bool { return c.Form.Get("ts") == m.TS }) {
				t.Errorf("no chat.delete of the copy %s", m.TS)
			}
		}
		if !slices.ContainsFunc(h.slack.Calls("conversations.replies"), func(c call) bool { return c.Form.Get("ts") == post }) {
			t.Error("the thread was not read")
		}
	})
}

// A citizen's photo whose upload fails for good while the desk takes in
// their /hapusdata (Slack refuses to share it after the ticket's
// redaction) is never noted in the ticket's thread: the failure is found
// in the round that takes the thread back, and a note posted behind the
// thread's deletion would put content back into the erased thread. The
// test runs the desk's rounds itself, so that the failure is not noted
// in an earlier round.
func TestDeskErasureNotesNoFailedFileInTheErasedThread(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newHubOpts(t, db, hubOptions{deskEvery: time.Hour})
		round := func() {
			t.Helper()
			if err := h.desk.Sync(t.Context()); err != nil {
				t.Fatal(err)
			}
		}
		const chat = 4747
		h.handOver(chat, "nikah siri apakah sah secara hukum negara?")
		round()
		post := h.deskTS("slack:desk:1")

		// The photo's upload waits at its start until the desk has taken
		// the erasure in.
		held, release := make(chan call, 1), make(chan struct{})
		free := sync.OnceFunc(func() { close(release) })
		t.Cleanup(free)
		h.slack.setHold(func(c call) <-chan struct{} {
			if c.Method != "files.getUploadURLExternal" {
				return nil
			}
			select {
			case held <- c:
				return release
			default:
				return nil
			}
		})
		h.tg.AddFile("AgACrefused", "photo", ".jpg", []byte{0xff, 0xd8, 0xff, 0xe0, 7, 8, 9})
		h.tg.PushPhoto(chat, chat, "AgACrefused", "foto rumah di gang mawar")
		h.nextTG(chat)
		round()
		select {
		case <-held:
		case <-time.After(15 * time.Second):
			t.Fatal("the photo's upload did not start")
		}
		h.eraseData(chat)
		round() // redacts the ticket's posts, queues the closed ticket's edit

		h.slack.setFault(func(method, _ string) (int, int) {
			if method == "files.completeUploadExternal" {
				return http.StatusBadRequest, 0
			}
			return 0, 0
		})
		free()
		ob := outbox.New(db)
		waitFor(t, 15*time.Second, "the photo's send to fail and the edit to be sent", func() bool {
			rec, err := ob.Get(t.Context(), "slack:desk:1:file:0")
			n, uerr := ob.Undelivered(t.Context(), db, bots.Slack, deskChannel, "slack:desk:1")
			return err == nil && uerr == nil && rec.Status == outbox.Failed && n == 0
		})
		round() // takes the thread back
		round()
		h.eraseDone()

		h.nothingLeft(post)
		if note, err := ob.Get(t.Context(), "slack:desk:1:file:0:failed"); err != nil || note.Status != outbox.Skipped {
			t.Errorf("the note about the refused photo is %q (%v); want it skipped", note.Status, err)
		}
		for _, c := range h.threadCalls("chat.postMessage", post) {
			if text := c.Form.Get("text"); strings.Contains(text, "dihapus") || strings.Contains(text, "tidak dapat ditampilkan") {
				t.Errorf("a note was posted to the erased thread: %q", text)
			}
		}
	})
}

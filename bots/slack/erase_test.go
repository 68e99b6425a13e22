package slack_test

import (
	"errors"
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
	"github.com/tebingtinggi/hub/handlers"
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
		h.tg.AddFile("AwACXQZVOICE", "voice", ".oga", []byte("OggS\x00voice"))
		h.tg.PushVoice(chat, chat, "AwACXQZVOICE")
		h.nextTG(chat)
		h.waitThread("files.completeUploadExternal", h.deskTS("slack:desk:1"), "initial_comment", "pesan suara")
		h.tg.PushLocation(chat, chat, 3.318791, 99.162734, "XQZVENUE", "Gang Mawar")
		h.nextTG(chat)
		h.waitThread("chat.postMessage", h.deskTS("slack:desk:1"), "text", "3.318791")

		h.eraseData(chat)
		edit := h.deskMessage("selesai, ditutup oleh /hapusdata")
		if text := edit.Form.Get("text"); strings.Contains(text, "nikah") || edit.Method != "chat.update" {
			t.Errorf("desk message after /hapusdata (%s): %q; want the closed ticket without the question", edit.Method, text)
		}
		for _, typed := range []string{"nikah siri", "XQZFOLLOW", "XQZPHOTO", "XQZCAPTION", "XQZVOICE", "XQZVENUE", "3.318791", "99.162734"} {
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

// erasures are the statuses of the desk's deletions for ticket id's thread.
func (h *hub) erasures(id int64) []string {
	h.t.Helper()
	var st []string
	if err := h.db.SelectContext(h.t.Context(), &st, h.db.Rebind(`SELECT status FROM outbox
		WHERE idempotency_key LIKE ? ORDER BY id`), fmt.Sprintf("slack:desk:%d:erase:%%", id)); err != nil {
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

// openTicketByHand is openTicket and followUp for a hub whose desk runs
// only the rounds the test runs (deskDown): the citizen asks question,
// which the bot hands over, then writes again; it returns the ts of
// ticket 1's desk message and of the desk's note about the follow-up.
func (h *hub) openTicketByHand(chat int64, question string) (post, note string) {
	h.t.Helper()
	h.handOver(chat, question)
	h.round()
	post = h.deskTS("slack:desk:1")
	h.tg.PushText(chat, chat, "tambahan saya tinggal di gang mawar")
	h.nextTG(chat)
	h.round()
	return post, h.deskTS("slack:desk:1:note:0")
}

// followUp has citizen chat write again (about gang mawar) while ticket
// id is open, and returns the ts of the desk's note about it in the
// ticket's thread.
func (h *hub) followUp(chat, id int64) string {
	h.t.Helper()
	h.tg.PushText(chat, chat, "tambahan saya tinggal di gang mawar")
	h.nextTG(chat)
	return h.deskTS(fmt.Sprintf("slack:desk:%d:note:0", id))
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

// deskDone waits until the desk is done with ticket id (for an erased
// ticket: has taken its thread back): its desk row is final and none of
// its messages is queued or being sent.
func (h *hub) deskDone(id int64) {
	h.t.Helper()
	key := fmt.Sprintf("slack:desk:%d", id)
	waitFor(h.t, 20*time.Second, "the desk to be done with ticket "+key, func() bool {
		var n int
		err := h.db.GetContext(h.t.Context(), &n, h.db.Rebind(`SELECT COUNT(*) FROM slack_desk WHERE ticket_id = ? AND final
			AND NOT EXISTS (SELECT 1 FROM outbox WHERE status IN ('pending', 'sending')
				AND (idempotency_key = ? OR idempotency_key LIKE ?))`), id, key, key+":%")
		return err == nil && n == 1
	})
}

// round runs one round of the desk, as a test that runs them itself does.
func (h *hub) round() {
	h.t.Helper()
	if err := h.desk.Sync(h.t.Context()); err != nil {
		h.t.Fatal(err)
	}
}

// replica runs a second replica's desk beside the hub's, a round every
// 20 ms, until the returned stop (also run at the test's end).
func (h *hub) replica() (stop func()) {
	tick, done := time.NewTicker(20*time.Millisecond), make(chan struct{})
	var running sync.WaitGroup
	stop = sync.OnceFunc(func() { close(done); running.Wait() })
	h.t.Cleanup(stop)
	running.Go(func() {
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				if err := h.desk.Sync(h.t.Context()); err != nil && h.t.Context().Err() == nil {
					h.t.Errorf("the second replica's desk: %v", err)
				}
			}
		}
	})
	return stop
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
		note := h.followUp(chat, 1)
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
		h.deskMessage("selesai, ditutup oleh /hapusdata")
		h.deskDone(1)
		if st := h.erasures(1); len(st) != 3 || slices.ContainsFunc(st, func(s string) bool { return s != "sent" }) {
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
		h.round()
		h.round()
		if st := h.erasures(1); len(st) != 3 {
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

				stopReplica := h.replica()
				h.eraseData(chat)
				waitFor(t, 15*time.Second, "the desk to queue the closed ticket's edit", func() bool {
					var n int
					err := db.GetContext(t.Context(), &n, `SELECT COUNT(*) FROM outbox
						WHERE idempotency_key LIKE 'slack:desk:1:edit:%' AND CAST(payload AS TEXT) LIKE '%selesai, ditutup oleh /hapusdata%'`)
					return err == nil && n > 0
				})
				if rec, err := outbox.New(db).Get(t.Context(), c.key); err != nil || rec.Status != outbox.Sending {
					t.Fatalf("the post is %s (%v) when the erasure has run; want it being sent", rec.Status, err)
				}
				free()
				h.deskMessage("selesai, ditutup oleh /hapusdata")
				h.deskDone(1)
				stopReplica()

				if st := h.erasures(1); len(st) != 2 {
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
		h.deskDone(1)
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
// test runs every round of the desk itself (the desk does not run by
// itself, not even its first round), so that the failure is not noted in
// an earlier round.
func TestDeskErasureNotesNoFailedFileInTheErasedThread(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newHubOpts(t, db, hubOptions{deskDown: true})
		const chat = 4747
		h.handOver(chat, "nikah siri apakah sah secara hukum negara?")
		h.round()
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
		h.round()
		select {
		case <-held:
		case <-time.After(15 * time.Second):
			t.Fatal("the photo's upload did not start")
		}
		h.eraseData(chat)
		h.round() // redacts the ticket's posts, queues the closed ticket's edit

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
		h.round() // takes the thread back
		h.round()
		h.deskDone(1)

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

// erasedEdits are the edits of the desk message post that show its
// ticket erased.
// takeBackErasedClosed runs the desk's rounds by hand after the
// erasure of ticket 1, closed before it, whose desk message is post: the
// first round queues the edit to the erased form, the next (once Slack
// has it and it is recorded as sent, since the thread is taken back only
// when none of the ticket's posts is in flight) takes the thread back.
// The message must then be edited once, still saying status, with
// nothing of the citizen left in Slack.
func (h *hub) takeBackErasedClosed(post, status string) {
	h.t.Helper()
	h.round()
	waitFor(h.t, 15*time.Second, "the erased edit to be sent", func() bool {
		n, err := outbox.New(h.db).Undelivered(h.t.Context(), h.db, bots.Slack, deskChannel, "slack:desk:1")
		return err == nil && n == 0 && len(h.erasedEdits(post)) > 0
	})
	h.round()
	h.deskDone(1)
	h.round()
	edits := h.erasedEdits(post)
	if len(edits) != 1 {
		h.t.Fatalf("%d erased edits of the desk message; want 1", len(edits))
	}
	if text := edits[0].Form.Get("text"); !strings.Contains(text, status) || strings.Contains(text, "nikah") {
		h.t.Errorf("the erased desk message: %q; want the closed ticket (%q) without the question", text, status)
	}
	h.nothingLeft(post)
}

func (h *hub) erasedEdits(post string) []call {
	var out []call
	for _, c := range h.slack.Calls("chat.update") {
		if c.Form.Get("ts") == post && strings.Contains(c.Form.Get("text"), "warga menghapus datanya") {
			out = append(out, c)
		}
	}
	return out
}

// deskRow is ticket id's desk row: whether the desk is done with it and
// the digest of what it shows.
func (h *hub) deskRow(id int64) (final bool, shown string) {
	h.t.Helper()
	var row struct {
		Final bool   `db:"final"`
		Shown string `db:"shown"`
	}
	if err := h.db.GetContext(h.t.Context(), &row, h.db.Rebind(`SELECT final, shown FROM slack_desk WHERE ticket_id = ?`), id); err != nil {
		h.t.Fatal(err)
	}
	return row.Final, row.Shown
}

// A citizen who erases their data after their ticket was answered and
// closed is forgotten on the desk too, though the desk was done with the
// ticket: the erasure hands the ticket back to the desk in its own
// transaction (with no desk running, as after a crash, the work waits in
// the database), and the desk's next rounds edit the message to the
// erased form, redact the desk's copies and delete the bot's follow-up
// and photo from the thread, as for an open ticket.
func TestDeskErasureReachesAClosedTicket(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newHubOpts(t, db, hubOptions{deskDown: true})
		const chat = 4848
		post, note := h.openTicketByHand(chat, "nikah siri apakah sah secara hukum negara? wa saya 0812-3456-7890")
		h.tg.AddFile("AgACclosed", "photo", ".jpg", []byte{0xff, 0xd8, 0xff, 0xe0, 1, 2, 3})
		h.tg.PushPhoto(chat, chat, "AgACclosed", "foto rumah di gang mawar")
		h.nextTG(chat)
		h.round()
		file := h.deskTS("slack:desk:1:file:1")

		// Answered and closed as `hub inbox` does it.
		desk := &handlers.Desk{Inbox: h.inbox, DB: db}
		if _, err := desk.Reply(t.Context(), 1, "cli:budi", "Silakan datang ke KUA kecamatan."); err != nil {
			t.Fatal(err)
		}
		h.nextTG(chat)
		if _, err := desk.Close(t.Context(), 1, "cli:budi", true); err != nil {
			t.Fatal(err)
		}
		h.nextTG(chat) // the rating prompt
		h.round()
		h.deskMessage("selesai, ditutup oleh cli:budi")
		h.deskDone(1)

		h.eraseData(chat)
		if final, shown := h.deskRow(1); final || shown != "" {
			t.Fatalf("after /hapusdata the desk row is final %v, shows %q; want it active again with nothing shown", final, shown)
		}
		if n := len(h.erasedEdits(post)); n != 0 {
			t.Fatalf("%d erased edits before the desk ran", n)
		}
		h.takeBackErasedClosed(post, "selesai, ditutup oleh cli:budi")
		if h.slack.Present(note) || h.slack.Present(file) {
			t.Errorf("follow-up present %v, photo present %v; want both deleted", h.slack.Present(note), h.slack.Present(file))
		}
		if st := h.erasures(1); len(st) == 0 || slices.ContainsFunc(st, func(s string) bool { return s != "sent" }) {
			t.Errorf("deletions %v; want some, all sent", st)
		}
		for _, typed := range []string{"nikah siri", "mawar", "AgACclosed", "3456-7890"} {
			if where := storagetest.Containing(t, db, typed); len(where) > 0 {
				t.Errorf("%q is still in %v after /hapusdata", typed, where)
			}
		}
		det, err := h.inbox.Get(t.Context(), 1)
		if err != nil || det.Ticket.Subject != "" || !det.Ticket.Erased || det.Ticket.ClosedBy != "cli:budi" {
			t.Errorf("ticket 1 after /hapusdata: %+v (%v); want it erased, still closed by cli:budi", det.Ticket, err)
		}
	})
}

// A citizen with two tickets, one closed and one open, erases their
// data while a second replica's desk runs beside the hub's: both desk
// messages are edited to the erased form and both threads taken back,
// each once.
func TestDeskErasureScrubsEveryTicketOnce(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newHub(t, db)
		const chat = 4949
		first := h.openTicket(chat)
		h.followUp(chat, 1)
		h.press("U1", "budi", "desk:close-unanswered:1") // confirmed: nobody answered it
		h.nextTG(chat)                                   // the closed-unanswered notice
		h.deskMessage("selesai, ditutup oleh @budi")
		h.deskDone(1)
		h.handOver(chat, "ada hantu di rumah tetangga saya tiap malam, gimana?")
		h.deskMessage("Tiket #2")
		second := h.deskTS("slack:desk:2")
		h.followUp(chat, 2)

		stopReplica := h.replica()
		h.eraseData(chat)
		h.deskDone(1)
		h.deskDone(2)
		stopReplica()
		h.round()
		h.round()

		for i, post := range []string{first, second} {
			id := int64(i + 1)
			if n := len(h.erasedEdits(post)); n != 1 {
				t.Errorf("ticket %d: %d erased edits; want 1", id, n)
			}
			if st := h.erasures(id); len(st) != 2 {
				t.Errorf("ticket %d: deletions %v; want the follow-up's and the thread's, once", id, st)
			}
			h.nothingLeft(post)
		}
		if where := storagetest.Containing(t, db, "mawar"); len(where) > 0 {
			t.Errorf("the follow-ups are still in %v after /hapusdata", where)
		}
	})
}

// An erased ticket whose desk message was never posted, because Slack
// refused the post (there is no ts anywhere), still leaves the desk's
// rounds: the desk takes back what it can and is done with it, instead
// of waiting for an edit that can never be made.
func TestDeskErasureOfATicketWithoutAMessageToEdit(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newHubOpts(t, db, hubOptions{deskDown: true})
		h.slack.setFault(func(method, channel string) (int, int) {
			if method == "chat.postMessage" && channel == deskChannel {
				return http.StatusBadRequest, 0
			}
			return 0, 0
		})
		const chat = 5050
		h.handOver(chat, "nikah siri apakah sah secara hukum negara?")
		h.round()
		ob := outbox.New(db)
		waitFor(t, 15*time.Second, "the desk's post to fail", func() bool {
			rec, err := ob.Get(t.Context(), "slack:desk:1")
			return err == nil && rec.Status == outbox.Failed
		})
		if _, err := (&handlers.Desk{Inbox: h.inbox, DB: db}).Close(t.Context(), 1, "cli:budi", true); err != nil {
			t.Fatal(err)
		}
		h.nextTG(chat) // the rating prompt
		h.round()

		h.eraseData(chat)
		h.round()
		h.round()
		h.deskDone(1)
		if n := len(h.slack.Calls("chat.update")); n != 0 {
			t.Errorf("%d desk messages edited; want none, there is none to edit", n)
		}
		if where := storagetest.Containing(t, db, "nikah siri"); len(where) > 0 {
			t.Errorf("the question is still in %v after /hapusdata", where)
		}
	})
}

// A desk message older than the retention is still reached by its
// citizen's erasure: retention purges the outbox's records of the post
// and of its thread (and with them the ts the outbox recorded), but the
// desk keeps the message's ts in its own row, so /hapusdata edits the
// message to the erased form, once, and deletes the bot's posts in its
// thread, which it finds by reading the thread.
func TestDeskErasureReachesAMessagePastRetention(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newHubOpts(t, db, hubOptions{deskDown: true})
		const chat = 5151
		post, note := h.openTicketByHand(chat, "nikah siri apakah sah secara hukum negara?")
		if _, err := (&handlers.Desk{Inbox: h.inbox, DB: db}).Close(t.Context(), 1, "cli:budi", true); err != nil {
			t.Fatal(err)
		}
		h.nextTG(chat) // the rating prompt
		h.round()
		h.deskMessage("selesai, ditutup oleh cli:budi")
		h.deskDone(1)

		// Retention, as the daily job runs it, past the age of every
		// record.
		ob := outbox.New(db)
		if n, err := ob.PurgeBefore(t.Context(), time.Now().Add(time.Hour)); err != nil || n == 0 {
			t.Fatalf("retention purged %d outbox rows (%v); want the desk's", n, err)
		}
		if _, err := ob.Get(t.Context(), "slack:desk:1"); !errors.Is(err, outbox.ErrNotFound) {
			t.Fatalf("the desk post's record after retention: %v; want it purged", err)
		}

		h.eraseData(chat)
		h.takeBackErasedClosed(post, "selesai, ditutup oleh cli:budi")
		if h.slack.Present(note) {
			t.Errorf("the follow-up %s is still in the thread", note)
		}
		if st := h.erasures(1); len(st) != 1 || st[0] != "sent" {
			t.Errorf("deletions %v; want the thread's, sent", st)
		}
	})
}

// The migration that gave the desk rows their ts copies it from the
// outbox records of the posts that were sent and still exist; a post not
// sent, or whose record retention purged, leaves the ts empty.
func TestDeskTSBackfilledFromTheOutbox(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ms, err := storage.Migrations()
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(ms, func(m storage.Migration) bool { return m.Name == "slack_desk_ts" })
		if i < 0 {
			t.Fatal("no slack_desk_ts migration")
		}
		backfill := ms[i].SQL[strings.Index(ms[i].SQL, "UPDATE slack_desk"):]
		now := time.Now().UTC()
		for id := 1; id <= 3; id++ {
			if _, err := db.ExecContext(t.Context(), db.Rebind(`INSERT INTO slack_desk (ticket_id, channel, post_key, updated_at)
				VALUES (?, ?, ?, ?)`), id, deskChannel, fmt.Sprintf("slack:desk:%d", id), now); err != nil {
				t.Fatal(err)
			}
		}
		// Ticket 1's post was sent, ticket 2's is still queued, ticket 3's
		// record was purged.
		for id := 1; id <= 2; id++ {
			out := bots.Outgoing{Platform: bots.Slack, ChatID: deskChannel, Text: "Tiket"}
			if _, err := outbox.Enqueue(t.Context(), db, outbox.Message{Key: fmt.Sprintf("slack:desk:%d", id), Out: out}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.ExecContext(t.Context(), `UPDATE outbox SET status = 'sent', message_id = '1700000001.000100'
			WHERE idempotency_key = 'slack:desk:1'`); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(t.Context(), strings.TrimSuffix(strings.TrimSpace(backfill), ";")); err != nil {
			t.Fatal(err)
		}
		var got []string
		if err := db.SelectContext(t.Context(), &got, `SELECT ts FROM slack_desk ORDER BY ticket_id`); err != nil {
			t.Fatal(err)
		}
		if want := []string{"1700000001.000100", "", ""}; !slices.Equal(got, want) {
			t.Errorf("ts after the backfill %q; want %q", got, want)
		}
	})
}

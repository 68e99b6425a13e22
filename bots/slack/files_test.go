package slack_test

import (
	"bytes"
	"context"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tebingtinggi/hub/bots"
	hubslack "github.com/tebingtinggi/hub/bots/slack"
	"github.com/tebingtinggi/hub/bots/telegram"
	"github.com/tebingtinggi/hub/bots/telegram/telegramtest"
	"github.com/tebingtinggi/hub/knowledge"
	"github.com/tebingtinggi/hub/outbox"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

// handOver has citizen chat ask question, which the bot must hand over,
// and reads the bot's reply.
func (h *hub) handOver(chat int64, question string) {
	h.t.Helper()
	if res := h.index.Search(question); res.Decision != knowledge.Handoff {
		h.t.Fatalf("the engine decides %s for the test question; pick one it hands over", res.Decision)
	}
	h.tg.PushText(chat, chat, question)
	h.nextTG(chat)
}

// threadCalls are the calls of method in the desk message's thread ts.
func (h *hub) threadCalls(method, ts string) []call {
	var out []call
	for _, c := range h.slack.Calls(method) {
		if c.Form.Get("thread_ts") == ts {
			out = append(out, c)
		}
	}
	return out
}

// waitThread waits for a call of method in thread ts whose field holds
// want, and returns it.
func (h *hub) waitThread(method, ts, field, want string) call {
	h.t.Helper()
	var got call
	waitFor(h.t, 15*time.Second, method+" with "+want+" in the thread", func() bool {
		for _, c := range h.threadCalls(method, ts) {
			if strings.Contains(c.Form.Get(field), want) {
				got = c
				return true
			}
		}
		return false
	})
	return got
}

// deskTS is the platform's id of the desk's message keyed key, once it
// was sent.
func (h *hub) deskTS(key string) string {
	h.t.Helper()
	var ts string
	waitFor(h.t, 15*time.Second, "the desk message to be sent", func() bool {
		rec, err := outbox.New(h.db).Get(h.t.Context(), key)
		ts = rec.MessageID
		return err == nil && ts != ""
	})
	return ts
}

// TestDeskShowsCitizensFiles is the path of a citizen's files to the
// desk: a photo with a caption sent to a handed-over conversation is
// fetched from Telegram (getFile, download) and uploaded to the ticket's
// thread with Slack's external upload, after Telegram failing for a
// while and Slack asking to wait; a document over the limit is a note saying so; a file Telegram
// no longer has is noted as not shown.
func TestDeskShowsCitizensFiles(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newHubOpts(t, db, hubOptions{maxFile: 4096})
		const chat = 5151
		h.handOver(chat, "nikah siri apakah sah secara hukum negara?")
		h.deskMessage("Tiket #1")
		ts := h.deskTS("slack:desk:1")

		photo := append([]byte{0xff, 0xd8, 0xff, 0xe0}, bytes.Repeat([]byte("jpeg"), 500)...)
		h.tg.AddFile("AgACphoto1", "photo", ".jpg", photo)
		// Telegram's downloads fail twice before they work: the outbox
		// retries.
		var failures atomic.Int32
		h.tg.SetFaults(func(method string, _ int64) telegramtest.Fault {
			if method == "file" && failures.Add(1) <= 2 {
				return telegramtest.Fault{Status: http.StatusBadGateway}
			}
			return telegramtest.Fault{}
		})
		// And Slack limits the first upload: its Retry-After is honoured.
		var limitedAt atomic.Int64
		h.slack.setFault(func(method, _ string) (int, int) {
			if method == "files.getUploadURLExternal" && limitedAt.CompareAndSwap(0, time.Now().UnixNano()) {
				return http.StatusTooManyRequests, 1
			}
			return 0, 0
		})
		h.tg.PushPhoto(chat, chat, "AgACphoto1", "ini foto akta nikah saya, hp 0812-3456-7890")
		if m := h.nextTG(chat); !strings.Contains(m.Plain, "#1") {
			t.Fatalf("reply to the photo = %q; want it joined to ticket #1", m.Plain)
		}
		done := h.waitThread("files.completeUploadExternal", ts, "initial_comment", "akta nikah")
		if done.Form.Get("channel_id") != deskChannel {
			t.Errorf("the photo went to channel %q; want the desk %q", done.Form.Get("channel_id"), deskChannel)
		}
		comment := done.Form.Get("initial_comment")
		if !strings.Contains(comment, "Berkas dari warga: foto (tiket #1)") || strings.Contains(comment, "3456") {
			t.Errorf("the photo's comment = %q; want the caption without the phone number, naming the ticket", comment)
		}
		if strings.Contains(done.Form.Get("files"), `"title":""`) {
			t.Errorf("files = %s; want a title", done.Form.Get("files"))
		}
		fileID := h.deskTS("slack:desk:1:file:0")
		if got := h.slack.Upload(fileID); !bytes.Equal(got, photo) {
			t.Errorf("uploaded %d bytes as %q; want the photo's %d", len(got), fileID, len(photo))
		}
		if n := failures.Load(); n < 3 {
			t.Errorf("%d downloads; want the two failures and a success", n)
		}
		reqs := h.slack.Calls("files.getUploadURLExternal")
		if len(reqs) != 1 || reqs[0].Form.Get("filename") != "foto.jpg" || reqs[0].Form.Get("length") != "2004" {
			t.Fatalf("upload URL requests = %v; want one for foto.jpg of 2004 bytes", reqs)
		}
		if waited := reqs[0].At.Sub(time.Unix(0, limitedAt.Load())); limitedAt.Load() == 0 || waited < 950*time.Millisecond {
			t.Errorf("the upload was tried again %s after Slack asked for 1s", waited)
		}

		// Over the limit (4096 bytes in this test): a note, no upload.
		h.tg.AddFile("BQACdoc1", "document", ".pdf", make([]byte, 5000))
		h.tg.PushDocument(chat, chat, "BQACdoc1", "surat.pdf", "surat pengantar")
		h.nextTG(chat)
		note := h.waitThread("chat.postMessage", ts, "text", "terlalu besar")
		if text := note.Form.Get("text"); !strings.Contains(text, "surat pengantar") || !strings.Contains(text, "(5 KB)") || !strings.Contains(text, "batas 4 KB") {
			t.Errorf("too-large note = %q; want the caption, the size and the limit", text)
		}
		if n := len(h.slack.Calls("files.getUploadURLExternal")); n != 1 {
			t.Errorf("%d uploads; the document over the limit was uploaded", n)
		}

		// Telegram has no such file: noted in the thread as not shown.
		h.tg.PushDocument(chat, chat, "BQACgone", "hilang.pdf", "")
		h.nextTG(chat)
		gone := h.waitThread("chat.postMessage", ts, "text", "tidak dapat ditampilkan")
		if text := gone.Form.Get("text"); !strings.Contains(text, "dokumen, tiket #1") || !strings.Contains(text, "hub inbox show 1") {
			t.Errorf("note for the missing file = %q; want the kind, the ticket and where to see it", text)
		}
	})
}

// TestDeskShowsVoiceNotesAndPlaces: a voice note reaches the ticket's
// thread as a file, named in words ("pesan suara"); a shared location as
// a note with its coordinates whole (not masked as a number would be), a
// map link and a venue's name with identifying numbers masked.
func TestDeskShowsVoiceNotesAndPlaces(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newHub(t, db)
		const chat = 5252
		h.handOver(chat, "nikah siri apakah sah secara hukum negara?")
		h.deskMessage("Tiket #1")
		ts := h.deskTS("slack:desk:1")

		voice := append([]byte("OggS"), bytes.Repeat([]byte("opus"), 300)...)
		h.tg.AddFile("AwACvoice1", "voice", ".oga", voice)
		h.tg.PushVoice(chat, chat, "AwACvoice1")
		if m := h.nextTG(chat); !strings.Contains(m.Plain, "pesan suara") || !strings.Contains(m.Plain, "#1") {
			t.Fatalf("reply to the voice note = %q; want it named and joined to ticket #1", m.Plain)
		}
		done := h.waitThread("files.completeUploadExternal", ts, "initial_comment", "pesan suara")
		if comment := done.Form.Get("initial_comment"); !strings.Contains(comment, "Berkas dari warga: pesan suara (tiket #1)") {
			t.Errorf("the voice note's comment = %q", comment)
		}
		if got := h.slack.Upload(h.deskTS("slack:desk:1:file:0")); !bytes.Equal(got, voice) {
			t.Errorf("uploaded %d bytes; want the voice note's %d", len(got), len(voice))
		}
		if reqs := h.slack.Calls("files.getUploadURLExternal"); len(reqs) != 1 || reqs[0].Form.Get("filename") != "pesan-suara.oga" {
			t.Errorf("upload URL requests = %v; want one for pesan-suara.oga", reqs)
		}

		h.tg.PushLocation(chat, chat, 3.328512, 99.162534, "Toko 0812-3456-7890", "Jl. Sudirman")
		if m := h.nextTG(chat); !strings.Contains(m.Plain, "Lokasi Anda sudah kami tambahkan ke tiket #1") {
			t.Fatalf("reply to the venue = %q", m.Plain)
		}
		note := h.waitThread("chat.postMessage", ts, "text", "Lokasi")
		text := note.Form.Get("text")
		for _, want := range []string{"📍 Lokasi: 3.328512, 99.162534", "https://www.google.com/maps?q=3.328512,99.162534", "Toko [angka disamarkan], Jl. Sudirman"} {
			if !strings.Contains(text, want) {
				t.Errorf("the location's note = %q; want %q in it", text, want)
			}
		}
	})
}

// uploadsLeft counts the uploads the adapter recorded as unfinished.
func uploadsLeft(t *testing.T, db *storage.DB) int {
	t.Helper()
	var n int
	if err := db.GetContext(t.Context(), &n, `SELECT COUNT(*) FROM slack_uploads`); err != nil {
		t.Fatal(err)
	}
	return n
}

// An upload to Slack that does not finish leaves none of the citizen's
// file in Slack. When the process stops while Slack completes the upload
// (ctx ends), the bytes are in Slack as a file no message shows; the
// send's next attempt, by a new process, deletes that file before it
// uploads the photo again (one copy in the thread, not two), and the
// deletion of the thread deletes such a file too. When Slack refuses the
// completion for good, the file is deleted at once.
func TestUnfinishedUploadsLeaveNoFileInSlack(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newFakeSlack(t)
		tg := telegramtest.NewServer(t)
		files, err := telegram.NewFiles(tg.Token(), tg.URL())
		if err != nil {
			t.Fatal(err)
		}
		log, _ := testLogger(t)
		process := func() *hubslack.Adapter {
			a, err := hubslack.New(hubslack.Config{BotToken: botToken, SigningSecret: secret, APIURL: f.URL(), DB: db, Logger: log,
				PerChannel: time.Millisecond, Files: map[bots.Platform]bots.FileFetcher{bots.Telegram: files}})
			if err != nil {
				t.Fatal(err)
			}
			return a
		}
		for _, id := range []string{"AgACup1", "AgACup2", "AgACup3"} {
			tg.AddFile(id, "photo", ".jpg", append([]byte{0xff, 0xd8, 0xff, 0xe0}, id...))
		}
		const thread = "1700000000.900000"
		f.addMessage(thread, "", botUser)
		photo := func(id string) bots.Outgoing {
			return bots.Outgoing{Platform: bots.Slack, ChatID: deskChannel, ReplyTo: thread, Text: "Berkas dari warga",
				Attachment: &bots.Attachment{Platform: bots.Telegram, Kind: "photo", ID: id}}
		}
		// crash sends out and ends its ctx while Slack is completing the
		// upload, which then fails.
		crash := func(a *hubslack.Adapter, out bots.Outgoing) {
			t.Helper()
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			release := make(chan struct{})
			stop := sync.OnceFunc(cancel)
			f.setFault(func(method, _ string) (int, int) {
				if method != "files.completeUploadExternal" {
					return 0, 0
				}
				stop()
				<-release
				return http.StatusBadGateway, 0
			})
			_, err := a.Send(ctx, out)
			close(release)
			f.setFault(nil)
			if err == nil {
				t.Fatal("the send whose process stopped succeeded")
			}
		}

		crash(process(), photo("AgACup1"))
		if left := f.holding(); len(left) != 1 {
			t.Fatalf("after the stop Slack holds %v; want the one file uploaded and never shared", left)
		}
		orphan := strings.TrimPrefix(f.holding()[0], "file ")

		id, err := process().Send(t.Context(), photo("AgACup1"))
		if err != nil {
			t.Fatalf("the send's next attempt: %v", err)
		}
		if left := f.holding(); !slices.Equal(left, []string{"file " + id}) {
			t.Errorf("after the next attempt Slack holds %v; want only the shared %s", left, id)
		}
		if !slices.ContainsFunc(f.Calls("files.delete"), func(c call) bool { return c.Form.Get("file") == orphan }) {
			t.Errorf("the unfinished upload %s was not deleted", orphan)
		}

		// The thread's deletion takes the unfinished uploads with it.
		crash(process(), photo("AgACup2"))
		if n := len(f.holding()); n != 2 {
			t.Fatalf("Slack holds %v; want the shared photo and the unfinished one", f.holding())
		}
		del := bots.Outgoing{Platform: bots.Slack, ChatID: deskChannel, ReplyTo: thread, Delete: true}
		if _, err := process().Send(t.Context(), del); err != nil {
			t.Fatalf("deleting the thread: %v", err)
		}
		if left := f.holding(); len(left) > 0 {
			t.Errorf("after the thread's deletion Slack holds %v; want nothing", left)
		}

		// Slack refuses the completion for good: the file goes at once.
		f.setFault(func(method, _ string) (int, int) {
			if method == "files.completeUploadExternal" {
				return http.StatusBadRequest, 0
			}
			return 0, 0
		})
		_, err = process().Send(t.Context(), photo("AgACup3"))
		if retry, _ := bots.Retryable(err); err == nil || retry {
			t.Errorf("refused completion: %v; want a permanent failure", err)
		}
		if left := f.holding(); len(left) > 0 {
			t.Errorf("after a refused completion Slack holds %v; want nothing", left)
		}
		if n := uploadsLeft(t, db); n != 0 {
			t.Errorf("%d unfinished uploads recorded at the end; want none", n)
		}
	})
}

package admin

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/bots/telegram"
	"github.com/tebingtinggi/hub/bots/telegram/telegramtest"
	"github.com/tebingtinggi/hub/inbox"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

// filesOnTelegram gives the harness's desk the fake Telegram's files.
func (h *harness) filesOnTelegram(t *testing.T, maxFile int64) *telegramtest.Server {
	t.Helper()
	tg := telegramtest.NewServer(t)
	files, err := telegram.NewFiles(tg.Token(), tg.URL())
	if err != nil {
		t.Fatal(err)
	}
	h.server.cfg.Files = map[bots.Platform]bots.FileFetcher{bots.Telegram: files}
	if maxFile > 0 {
		h.server.cfg.MaxFile = maxFile
	}
	return tg
}

// citizenFile has citizen user (a conversation of their own) send a file
// to their ticket, opened with question, and returns the ticket and the
// file's message.
func (h *harness) citizenFile(t *testing.T, user, question string, f inbox.File) (ticket, msg int64) {
	t.Helper()
	ctx := context.Background()
	conv, err := h.inbox.EnsureConversation(ctx, h.db, bots.Telegram, user, user, "Warga "+user)
	if err != nil {
		t.Fatal(err)
	}
	err = h.db.InTx(ctx, func(tx *sqlx.Tx) error {
		tk, _, err := h.inbox.OpenTicket(ctx, tx, conv.ID, "", question, inbox.NoMatch, time.Now())
		if err != nil {
			return err
		}
		ticket = tk.ID
		_, _, err = h.inbox.LogFile(ctx, tx, conv.ID, f)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	det, err := h.inbox.Get(ctx, ticket)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range det.Messages {
		if m.FileID == f.ID {
			msg = m.ID
		}
	}
	if msg == 0 {
		t.Fatalf("ticket %d does not show file %s", ticket, f.ID)
	}
	return ticket, msg
}

var (
	jpeg = append([]byte{0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 'J', 'F', 'I', 'F', 0}, bytes.Repeat([]byte{7}, 600)...)
	pdf  = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n")
	// page is HTML with script, sent as a "photo" or document.
	page = []byte("<html><body><script>alert(document.cookie)</script></body></html>")
)

// The desk shows a citizen's photo inline and offers a document as a
// download, through its own route: the type is read from the file, so
// HTML posing as a photo is a download too, and the page holds neither
// the file id nor the bot's token.
func TestDeskServesCitizensFiles(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h, c := loggedIn(t, db, "vera", RoleViewer)
		tg := h.filesOnTelegram(t, 0)
		tg.AddFile("AgACphoto", "photo", ".jpg", jpeg)
		tg.AddFile("BQACpdf", "document", ".pdf", pdf)
		tg.AddFile("AgAChtml", "photo", ".jpg", page)
		photoTicket, photoMsg := h.citizenFile(t, "101", "KTP saya rusak", inbox.File{Kind: "photo", ID: "AgACphoto", Caption: "fotonya"})
		_, pdfMsg := h.citizenFile(t, "102", "surat pindah", inbox.File{Kind: "document", ID: "BQACpdf"})
		htmlTicket, htmlMsg := h.citizenFile(t, "103", "ini apa", inbox.File{Kind: "photo", ID: "AgAChtml"})
		pdfTicket := photoTicket + 1

		res, body := c.get(fmt.Sprintf("/admin/desk/%d", photoTicket))
		wantStatus(t, "ticket", res, body, http.StatusOK)
		src := fmt.Sprintf(`<img src="/admin/desk/%d/file/%d"`, photoTicket, photoMsg)
		if !strings.Contains(body, src) {
			t.Errorf("the ticket page has no %s:\n%s", src, body)
		}
		if strings.Contains(body, "AgACphoto") || strings.Contains(body, tg.Token()) {
			t.Error("the ticket page shows the file id or the bot's token")
		}
		res, body = c.get(fmt.Sprintf("/admin/desk/%d", pdfTicket))
		wantStatus(t, "document ticket", res, body, http.StatusOK)
		if link := fmt.Sprintf(`<a href="/admin/desk/%d/file/%d" download>`, pdfTicket, pdfMsg); !strings.Contains(body, link) {
			t.Errorf("the document's ticket page has no %s:\n%s", link, body)
		}

		tests := []struct {
			name        string
			ticket, msg int64
			want        []byte
			ctype, disp string
		}{
			{"photo", photoTicket, photoMsg, jpeg, "image/jpeg", "inline"},
			{"document", pdfTicket, pdfMsg, pdf, "application/octet-stream", "attachment"},
			{"HTML posing as a photo", htmlTicket, htmlMsg, page, "application/octet-stream", "attachment"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				res, body := c.get(fmt.Sprintf("/admin/desk/%d/file/%d", tc.ticket, tc.msg))
				wantStatus(t, tc.name, res, "", http.StatusOK)
				if body != string(tc.want) {
					t.Errorf("served %d bytes; want the file's %d", len(body), len(tc.want))
				}
				hd := res.Header
				if hd.Get("Content-Type") != tc.ctype || !strings.HasPrefix(hd.Get("Content-Disposition"), tc.disp+";") {
					t.Errorf("Content-Type %q, Content-Disposition %q; want %q, %s", hd.Get("Content-Type"), hd.Get("Content-Disposition"), tc.ctype, tc.disp)
				}
				if hd.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(hd.Get("Content-Security-Policy"), "sandbox") ||
					!strings.Contains(hd.Get("Cache-Control"), "no-store") {
					t.Errorf("headers %v; want nosniff, a sandboxing CSP and no-store", hd)
				}
				if strings.Contains(hd.Get("Content-Disposition"), "AgAC") || strings.Contains(hd.Get("Content-Disposition"), "BQAC") {
					t.Errorf("Content-Disposition %q names the file id", hd.Get("Content-Disposition"))
				}
			})
		}
	})
}

// A file is reached only through the ticket whose conversation shows
// it, by any role that may read the desk and nobody else; an erased
// citizen's file, one Telegram no longer has and one over the limit are
// not served.
func TestDeskFileAccess(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h, viewer := loggedIn(t, db, "vera", RoleViewer)
		tg := h.filesOnTelegram(t, 1000)
		tg.AddFile("AgACmine", "photo", ".jpg", jpeg[:500])
		tg.AddFile("AgACbig", "photo", ".jpg", append(append([]byte{}, jpeg...), make([]byte, 1000)...))
		mine, mineMsg := h.citizenFile(t, "201", "KTP saya rusak", inbox.File{Kind: "photo", ID: "AgACmine"})
		other, otherMsg := h.citizenFile(t, "202", "akta kelahiran", inbox.File{Kind: "photo", ID: "AgACmine"})
		_, goneMsg := h.citizenFile(t, "203", "kk hilang", inbox.File{Kind: "document", ID: "BQACnothere"})
		big, bigMsg := h.citizenFile(t, "204", "foto besar", inbox.File{Kind: "photo", ID: "AgACbig"})
		gone := big - 1
		url := func(ticket, msg int64) string { return fmt.Sprintf("/admin/desk/%d/file/%d", ticket, msg) }

		for _, role := range []Role{RoleOfficer, RoleAdmin} {
			h.user(t, string(role)+"-user", role)
			c := h.login(t, string(role)+"-user")
			if res, body := c.get(url(mine, mineMsg)); res.StatusCode != http.StatusOK || body != string(jpeg[:500]) {
				t.Errorf("%s: status %d, %d bytes; want the file", role, res.StatusCode, len(body))
			}
		}
		anon := h.client(t)
		if res, _ := anon.get(url(mine, mineMsg)); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/admin/login") {
			t.Errorf("without a session: status %d to %q; want the login page", res.StatusCode, res.Header.Get("Location"))
		}

		question := func(ticket int64) int64 {
			det, err := h.inbox.Get(context.Background(), ticket)
			if err != nil {
				t.Fatal(err)
			}
			return det.Messages[0].ID
		}
		for _, tc := range []struct {
			name   string
			path   string
			status int
		}{
			{"another ticket's file", url(mine, otherMsg), http.StatusNotFound},
			{"a message without a file", url(mine, question(mine)), http.StatusNotFound},
			{"no such ticket", url(other+100, otherMsg), http.StatusNotFound},
			{"not a number", fmt.Sprintf("/admin/desk/%d/file/x", mine), http.StatusNotFound},
			{"gone from Telegram", url(gone, goneMsg), http.StatusNotFound},
			{"over the limit", url(big, bigMsg), http.StatusBadGateway},
		} {
			res, body := viewer.get(tc.path)
			if res.StatusCode != tc.status {
				t.Errorf("%s: status %d; want %d", tc.name, res.StatusCode, tc.status)
			}
			if strings.Contains(body, "\xff\xd8") || strings.Contains(body, tg.Token()) || strings.Contains(body, "AgAC") {
				t.Errorf("%s: the answer holds the file, its id or the token", tc.name)
			}
		}
		tg.SetFaults(func(method string, _ int64) telegramtest.Fault {
			return telegramtest.Fault{Status: http.StatusBadGateway}
		})
		// A file not fetched before: a fetched one is served from memory.
		if res, body := viewer.get(url(other, otherMsg)); res.StatusCode != http.StatusBadGateway || !strings.Contains(body, "Coba lagi") {
			t.Errorf("Telegram down: status %d; want 502 and a clear page", res.StatusCode)
		}
		tg.SetFaults(nil)

		// The citizen erases their data: the file is gone from the desk.
		err := db.InTx(context.Background(), func(tx *sqlx.Tx) error {
			_, err := h.inbox.Forget(context.Background(), tx, bots.Telegram, "201")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if res, _ := viewer.get(url(mine, mineMsg)); res.StatusCode != http.StatusNotFound {
			t.Errorf("after /hapusdata: status %d; want 404", res.StatusCode)
		}
	})
}

// A player streams a citizen's video in byte ranges (a probe, then part
// after part, and each seek), after a HEAD: the file is downloaded from
// Telegram once for all of them, not once each; a while later (past the
// time a file is kept) it is downloaded again.
func TestDeskFileRangesDownloadItOnce(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h, c := loggedIn(t, db, "vera", RoleViewer)
		tg := h.filesOnTelegram(t, 0)
		video := append(append([]byte{}, mp4...), make([]byte, 1<<20)...)
		tg.AddFile("BAACbig", "video", ".mp4", video)
		ticket, msg := h.citizenFile(t, "399", "(video tanpa keterangan)", inbox.File{Kind: "video", ID: "BAACbig"})
		fileURL := fmt.Sprintf("%s/admin/desk/%d/file/%d", h.srv.URL, ticket, msg)
		before := tg.Downloads()

		req, err := http.NewRequest(http.MethodHead, fileURL, nil)
		if err != nil {
			t.Fatal(err)
		}
		res, _ := c.do(req)
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Length") != fmt.Sprint(len(video)) || res.Header.Get("Content-Type") != "video/mp4" {
			t.Errorf("HEAD: status %d, Content-Length %q, Content-Type %q; want 200, %d, video/mp4",
				res.StatusCode, res.Header.Get("Content-Length"), res.Header.Get("Content-Type"), len(video))
		}
		const part = 64 << 10
		parts := 0
		for off := 0; off < len(video); off += part {
			req, err := http.NewRequest(http.MethodGet, fileURL, nil)
			if err != nil {
				t.Fatal(err)
			}
			end := min(off+part, len(video))
			req.Header.Set("Range", fmt.Sprintf("bytes=%d-%d", off, end-1))
			res, body := c.do(req)
			if res.StatusCode != http.StatusPartialContent {
				t.Fatalf("part at %d: status %d", off, res.StatusCode)
			}
			if body != string(video[off:end]) {
				t.Fatalf("part at %d: %d bytes, not the video's", off, len(body))
			}
			parts++
		}
		if got := tg.Downloads() - before; got > 2 {
			t.Errorf("playing a %d-byte video in %d ranges downloaded it whole from Telegram %d times (%d bytes through the hub for %d served)",
				len(video), parts, got, got*len(video), len(video))
		}
		if got := tg.Downloads() - before; got != 1 {
			t.Errorf("a HEAD and %d ranges downloaded the video %d times; want once", parts, got)
		}

		h.clock.Advance(fileCacheTTL)
		if res, body := c.get(fmt.Sprintf("/admin/desk/%d/file/%d", ticket, msg)); res.StatusCode != http.StatusOK || body != string(video) {
			t.Errorf("after the file's time: status %d, %d bytes; want 200 and the video", res.StatusCode, len(body))
		}
		if got := tg.Downloads() - before; got != 2 {
			t.Errorf("after the file's time: %d downloads in all; want the video downloaded again (2)", got)
		}
	})
}

// Requests for a file being downloaded wait for that download; at most
// maxFetches downloads run at once, and a request for another file then
// gets 503, a wait in Retry-After and a page that says so, downloading
// nothing.
func TestDeskFileSharesDownloadsAndCapsThem(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h, c := loggedIn(t, db, "vera", RoleViewer)
		tg := h.filesOnTelegram(t, 0)
		started, release := make(chan struct{}, 100), make(chan struct{})
		tg.SetFaults(func(method string, _ int64) telegramtest.Fault {
			if method == "file" {
				started <- struct{}{}
				<-release
			}
			return telegramtest.Fault{}
		})
		var paths []string
		var contents [][]byte
		for i := range maxFetches + 1 {
			content := append(append([]byte{}, jpeg...), byte(i))
			id := fmt.Sprint("AgACbusy", i)
			tg.AddFile(id, "photo", ".jpg", content)
			ticket, msg := h.citizenFile(t, fmt.Sprint("50", i), "foto", inbox.File{Kind: "photo", ID: id})
			paths, contents = append(paths, fmt.Sprintf("/admin/desk/%d/file/%d", ticket, msg)), append(contents, content)
		}

		type answer struct {
			i      int
			status int
			body   string
		}
		answers := make(chan answer, 3*maxFetches)
		fetch := func(i int) {
			res, body := c.get(paths[i])
			answers <- answer{i, res.StatusCode, body}
		}
		for i := range maxFetches {
			go fetch(i)
		}
		for range maxFetches {
			<-started
		}
		// Every download slot is taken, each by a download held back.
		for i := range maxFetches {
			go fetch(i)
		}
		res, body := c.get(paths[maxFetches])
		if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") == "" || !strings.Contains(body, "Coba lagi dalam beberapa detik") {
			t.Errorf("over the cap: status %d, Retry-After %q; want 503, a wait, and a page that says so:\n%s",
				res.StatusCode, res.Header.Get("Retry-After"), body)
		}
		close(release)
		for range 2 * maxFetches {
			a := <-answers
			if a.status != http.StatusOK || a.body != string(contents[a.i]) {
				t.Errorf("file %d: status %d, %d bytes; want 200 and its %d", a.i, a.status, len(a.body), len(contents[a.i]))
			}
		}
		if got := tg.Downloads(); got != maxFetches {
			t.Errorf("%d downloads for %d files asked for twice each; want %d", got, maxFetches, maxFetches)
		}
		// Downloads done, the refused file is served.
		if res, body := c.get(paths[maxFetches]); res.StatusCode != http.StatusOK || body != string(contents[maxFetches]) {
			t.Errorf("after the downloads: status %d, %d bytes; want the file", res.StatusCode, len(body))
		}
	})
}

// A request for a file being fetched joins that fetch, whatever becomes
// of it: it fetches nothing of its own, and leaves when its request ends.
func TestDeskFilesJoinAFetchUnderWay(t *testing.T) {
	files := newDeskFiles(time.Now)
	release := make(chan struct{})
	started := make(chan struct{})
	first := make(chan error, 1)
	go func() {
		f, err := files.get(context.Background(), 1, "1/a", func(context.Context) (*cachedFile, error) {
			close(started)
			<-release
			return &cachedFile{content: []byte("abc")}, nil
		})
		if err == nil && string(f.content) != "abc" {
			err = fmt.Errorf("got %q", f.content)
		}
		first <- err
	}()
	<-started
	gone, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := files.get(gone, 1, "1/a", func(context.Context) (*cachedFile, error) {
		t.Error("a second fetch of a file being fetched")
		return nil, errors.New("second fetch")
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("a request that ended while the file was fetched: %v; want context.Canceled", err)
	}
	close(release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	f, err := files.get(context.Background(), 1, "1/a", func(context.Context) (*cachedFile, error) {
		t.Error("a fetch of a file kept")
		return nil, errors.New("fetched again")
	})
	if err != nil || string(f.content) != "abc" {
		t.Errorf("the file kept: %v, %v", f, err)
	}
}

// At most maxBytes are kept: the least recently used file is dropped
// first, and a file bigger than all of it is served but not kept. A
// failed fetch is not kept.
func TestDeskFilesKeepTheRecentlyUsedWithinTheirBytes(t *testing.T) {
	files := newDeskFiles(time.Now)
	files.maxBytes = 10
	fetches := map[string]int{}
	get := func(key string, size int, err error) error {
		t.Helper()
		f, gotErr := files.get(context.Background(), 1, key, func(context.Context) (*cachedFile, error) {
			fetches[key]++
			if err != nil {
				return nil, err
			}
			return &cachedFile{content: bytes.Repeat([]byte{'x'}, size)}, nil
		})
		if gotErr == nil && len(f.content) != size {
			t.Errorf("%s: %d bytes; want %d", key, len(f.content), size)
		}
		return gotErr
	}
	get("a", 4, nil)
	get("b", 4, nil)
	get("a", 4, nil) // a is now the more recently used
	get("c", 4, nil) // over 10 bytes: b goes
	get("a", 4, nil)
	get("c", 4, nil)
	get("b", 4, nil) // fetched again; a goes
	get("big", 11, nil)
	get("big", 11, nil)
	failed := errors.New("Telegram down")
	if err := get("bad", 1, failed); !errors.Is(err, failed) {
		t.Errorf("a failed fetch: %v; want its error", err)
	}
	get("bad", 1, failed)
	want := map[string]int{"a": 1, "b": 2, "c": 1, "big": 2, "bad": 2}
	if fmt.Sprint(fetches) != fmt.Sprint(want) {
		t.Errorf("fetches %v; want %v", fetches, want)
	}
	files.mu.Lock()
	defer files.mu.Unlock()
	if files.bytes != 8 || files.recent.Len() != 2 || len(files.byKey) != 2 {
		t.Errorf("kept %d bytes in %d files (%d by key); want 8 in 2", files.bytes, files.recent.Len(), len(files.byKey))
	}
}

// keptFiles returns the bytes files keeps, by ticket.
func keptFiles(files *deskFiles) map[int64]int {
	files.mu.Lock()
	defer files.mu.Unlock()
	kept := map[int64]int{}
	for el := files.recent.Front(); el != nil; el = el.Next() {
		f := el.Value.(*cachedFile)
		kept[f.ticket] += len(f.content)
	}
	return kept
}

// A citizen's /hapusdata drops their files from the desk's memory at
// once, not when their time is up (ForgetFiles runs in the erasure's
// transaction, as handlers.Citizen runs it); another citizen's stay.
func TestDeskDropsAnErasedCitizensFilesAtOnce(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h, c := loggedIn(t, db, "vera", RoleViewer)
		tg := h.filesOnTelegram(t, 0)
		theirs, other := jpeg, append(append([]byte{}, jpeg...), 1, 2, 3)
		tg.AddFile("AgACerased", "photo", ".jpg", theirs)
		tg.AddFile("AgACother", "photo", ".jpg", other)
		erased, erasedMsg := h.citizenFile(t, "301", "KTP saya rusak", inbox.File{Kind: "photo", ID: "AgACerased"})
		kept, keptMsg := h.citizenFile(t, "302", "akta kelahiran", inbox.File{Kind: "photo", ID: "AgACother"})
		for _, f := range []struct {
			ticket, msg int64
			want        []byte
		}{{erased, erasedMsg, theirs}, {kept, keptMsg, other}} {
			if res, body := c.get(fmt.Sprintf("/admin/desk/%d/file/%d", f.ticket, f.msg)); res.StatusCode != http.StatusOK || body != string(f.want) {
				t.Fatalf("ticket %d: status %d, %d bytes; want the file", f.ticket, res.StatusCode, len(body))
			}
		}
		if got, want := keptFiles(h.server.files), map[int64]int{erased: len(theirs), kept: len(other)}; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("before the erasure the desk keeps %v bytes by ticket; want %v", got, want)
		}

		ctx := context.Background()
		err := db.InTx(ctx, func(tx *sqlx.Tx) error {
			if err := h.server.ForgetFiles(ctx, tx, bots.Telegram, "301"); err != nil {
				return err
			}
			_, err := h.inbox.Forget(ctx, tx, bots.Telegram, "301")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := keptFiles(h.server.files), map[int64]int{kept: len(other)}; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("after /hapusdata the desk keeps %v bytes by ticket; want %v: the erased citizen's file dropped, the other kept", got, want)
		}
	})
}

// A file of an erased ticket fetched while the erasure commits (its
// request read the ticket before) is served to whoever waits for it, but
// not kept, nor is it kept when fetched again a while after; other
// tickets' files are kept as ever, and the erased ticket's are kept
// again once that while is over.
func TestDeskFilesKeepNothingOfAnErasedTicket(t *testing.T) {
	clk := &clock{t: time.Now()}
	files := newDeskFiles(clk.Now)
	started, release := make(chan struct{}), make(chan struct{})
	served := make(chan error, 1)
	go func() {
		f, err := files.get(context.Background(), 7, "70/a", func(context.Context) (*cachedFile, error) {
			close(started)
			<-release
			return &cachedFile{content: []byte("abc")}, nil
		})
		if err == nil && string(f.content) != "abc" {
			err = fmt.Errorf("served %q", f.content)
		}
		served <- err
	}()
	<-started
	files.forget([]int64{7})
	close(release)
	if err := <-served; err != nil {
		t.Fatalf("the fetch under way: %v; want the file served", err)
	}
	fetches := 0
	get := func(ticket int64, key string) {
		t.Helper()
		if _, err := files.get(context.Background(), ticket, key, func(context.Context) (*cachedFile, error) {
			fetches++
			return &cachedFile{content: []byte("xyz")}, nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	get(7, "70/a")
	get(8, "80/b")
	if got, want := keptFiles(files), map[int64]int{8: 3}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("kept %v bytes by ticket; want %v: nothing of the erased ticket 7", got, want)
	}
	clk.Advance(fileCacheTTL + fetchTimeout)
	get(7, "70/a")
	get(7, "70/a")
	if fetches != 3 {
		t.Errorf("%d fetches; want 3: ticket 7's not kept, ticket 8's, and ticket 7's kept again after the while", fetches)
	}
}

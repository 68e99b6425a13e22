package admin

import (
	"bytes"
	"container/list"
	"context"
	"errors"
	"net/http"
	"path"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/inbox"
)

// DefaultMaxFile is the largest citizen's file the desk serves: what
// Telegram lets a bot download.
const DefaultMaxFile = 20 << 20

// inlineTypes are the types shown in the page (as <img>): raster images
// a browser only ever draws. Everything else is a download, whatever the
// citizen claimed it to be, but for playableTypes.
var inlineTypes = map[string]bool{"image/jpeg": true, "image/png": true, "image/gif": true, "image/webp": true}

// playableTypes are the sound and video containers served inline to the
// page's player (<audio>, <video>) when the message is a voice note,
// audio, video or video note: what the sniffer calls them, and the type
// served. A browser only ever plays them.
var playableTypes = map[string]string{
	"application/ogg": "audio/ogg", // Telegram's voice notes (Opus)
	"audio/mpeg":      "audio/mpeg",
	"audio/wave":      "audio/wav",
	"video/mp4":       "video/mp4",
	"video/webm":      "video/webm",
}

// playable are the file kinds the page plays.
var playable = map[string]bool{"voice": true, "audio": true, "video": true, "video_note": true}

// deskFile serves a file a citizen sent in a ticket's conversation,
// fetched from the platform by its file id, to whoever may read the
// ticket. The file is named by the ticket and the message that shows it:
// a message of another ticket, or one without a file, is not found, and
// the platform's file id (and the bot's token) never reach the browser.
// Its type is read from its first bytes, not from the platform or the
// citizen: only raster images, and sound and video of a kind the page
// plays, are served inline, all else as a download. A byte-range request
// is answered with the part asked for, from the file fetched once and
// kept a short while (deskFiles): a player asks for many parts.
func (s *Server) deskFile(w http.ResponseWriter, r *http.Request, sess *Session) {
	id, err := s.ticketIDOf(r)
	msgID, err2 := strconv.ParseInt(r.PathValue("msg"), 10, 64)
	if err != nil || err2 != nil {
		s.fail(w, r, sess, http.StatusNotFound, textFileMissing)
		return
	}
	det, err := s.cfg.Inbox.Get(r.Context(), id)
	if errors.Is(err, inbox.ErrNotFound) {
		s.fail(w, r, sess, http.StatusNotFound, textFileMissing)
		return
	}
	if err != nil {
		s.serverError(w, r, sess, err)
		return
	}
	var m *inbox.Message
	for i := range det.Messages {
		if det.Messages[i].ID == msgID && det.Messages[i].FileID != "" {
			m = &det.Messages[i]
		}
	}
	if m == nil {
		s.fail(w, r, sess, http.StatusNotFound, textFileMissing)
		return
	}
	fetcher := s.cfg.Files[det.Conversation.Platform]
	if fetcher == nil {
		s.fail(w, r, sess, http.StatusServiceUnavailable, textFileNoFetcher)
		return
	}
	key := strconv.FormatInt(msgID, 10) + "/" + m.FileID
	file, err := s.files.get(r.Context(), id, key, func(ctx context.Context) (*cachedFile, error) {
		f, err := fetcher.FetchFile(ctx, m.FileID, s.cfg.MaxFile)
		if err != nil {
			return nil, err
		}
		content, err := readFile(f, s.cfg.MaxFile)
		if err != nil {
			return nil, err
		}
		return &cachedFile{content: content, name: f.Name}, nil
	})
	switch {
	case errors.Is(err, errTooManyFetches):
		w.Header().Set("Retry-After", strconv.Itoa(int(fetchRetryAfter/time.Second)))
		s.fail(w, r, sess, http.StatusServiceUnavailable, textFileBusy)
		return
	case r.Context().Err() != nil:
		return // the browser gave up (a player that seeks does)
	case errors.Is(err, bots.ErrFileGone):
		s.fail(w, r, sess, http.StatusNotFound, textFileGone)
		return
	case errors.Is(err, bots.ErrFileTooLarge):
		s.fail(w, r, sess, http.StatusBadGateway, textFileTooLarge(s.cfg.MaxFile))
		return
	case err != nil:
		// Fetch errors hold no token (bots.FileFetcher).
		s.cfg.Logger.Warn("admin: cannot fetch a citizen's file", "ticket", id, "message", msgID, "err", err)
		s.fail(w, r, sess, http.StatusBadGateway, textFileUnreachable)
		return
	}
	content := file.content
	ctype := http.DetectContentType(content)
	disposition := "inline"
	if played, ok := playableTypes[ctype]; ok && playable[m.FileKind] {
		ctype = played
	} else if !inlineTypes[ctype] {
		ctype, disposition = "application/octet-stream", "attachment"
	}
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Content-Disposition", disposition+`; filename="`+downloadName(id, msgID, m.FileKind, file.name)+`"`)
	// Opened on its own, the file runs nothing and loads nothing.
	h.Set("Content-Security-Policy", "default-src 'none'; img-src 'self'; sandbox")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "private, no-store")
	// ServeContent answers a Range with 206 and the bytes asked for: a
	// media player (Safari's always) asks for parts of a sound or video
	// and will not play, nor seek, without them.
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(content))
}

// ForgetFiles is the step of /hapusdata (handlers.Citizen.OnForget) that
// drops at once, from this process's memory, the files the desk fetched
// from the person's tickets, and keeps none of theirs fetched while the
// erasure commits (deskFiles.forget). It runs in the erasure's
// transaction, before the inbox's erasure, to find the tickets.
func (s *Server) ForgetFiles(ctx context.Context, tx *sqlx.Tx, platform bots.Platform, userID string) error {
	ids, err := s.cfg.Inbox.TicketsOf(ctx, tx, platform, userID)
	if err != nil {
		return err
	}
	s.files.forget(ids)
	return nil
}

// readFile reads a fetched file whole, so that any part of it can be
// served, and closes it. The fetcher stops it past limit, so at most
// limit bytes are held.
func readFile(f bots.FetchedFile, limit int64) ([]byte, error) {
	defer f.Body.Close()
	buf := bytes.NewBuffer(make([]byte, 0, max(min(f.Size, limit), 0)+bytes.MinRead))
	_, err := buf.ReadFrom(f.Body)
	return buf.Bytes(), err
}

// safeExt is an extension kept in a download's name.
var safeExt = regexp.MustCompile(`^\.[a-z0-9]{1,8}$`)

// downloadName names a download after the ticket and message, with the
// platform's extension: "tiket-12-pesan-345-foto.jpg",
// "tiket-12-pesan-346-pesan-suara.oga".
func downloadName(ticket, msg int64, kind, platformName string) string {
	name := "tiket-" + strconv.FormatInt(ticket, 10) + "-pesan-" + strconv.FormatInt(msg, 10) + "-" + strings.ReplaceAll(inbox.FileWord(kind), " ", "-")
	if ext := strings.ToLower(path.Ext(platformName)); safeExt.MatchString(ext) {
		name += ext
	}
	return name
}

// What the desk says about files it cannot serve.
const (
	textFileMissing     = "Berkas tidak ditemukan pada tiket ini."
	textFileGone        = "Berkas ini sudah tidak tersedia di Telegram."
	textFileUnreachable = "Berkas tidak dapat diambil dari Telegram saat ini. Coba lagi sebentar lagi."
	textFileBusy        = "Terlalu banyak berkas sedang diambil dari Telegram saat ini. Coba lagi dalam beberapa detik."
	textFileNoFetcher   = "Berkas dari platform ini tidak dapat ditampilkan: bot Telegram (HUB_TELEGRAM_TOKEN) tidak dikonfigurasi di hub ini."
)

// textFileTooLarge says a file is over the desk's limit.
func textFileTooLarge(limit int64) string {
	return "Berkas ini lebih besar dari " + humanBytes(limit) +
		" sehingga tidak dapat diambil dari Telegram lewat bot. Minta warga mengirim ulang dalam ukuran lebih kecil."
}

// Bounds of the desk's files in memory (deskFiles).
const (
	// fileCacheBytes caps the bytes of recently fetched files kept.
	fileCacheBytes = 64 << 20
	// fileCacheTTL is how long a fetched file is kept from its fetch,
	// whatever its use. Short, because a citizen's files are personal
	// data; after /hapusdata the desk no longer serves them (its message
	// is looked up first), and their bytes leave memory at once
	// (Server.ForgetFiles).
	fileCacheTTL = 2 * time.Minute
	// maxFetches caps the fetches from the platform under way at once,
	// each holding up to MaxFile bytes.
	maxFetches = 4
	// fetchTimeout ends a fetch nobody may be waiting for any more.
	fetchTimeout = 2 * time.Minute
	// fetchRetryAfter is what a request over maxFetches is told to wait.
	fetchRetryAfter = 5 * time.Second
)

// errTooManyFetches is a fetch refused because maxFetches are under way.
var errTooManyFetches = errors.New("admin: too many file fetches under way")

// cachedFile is a citizen's file as fetched, kept in memory only.
type cachedFile struct {
	content []byte
	name    string // the platform's file name, for its extension

	key     string
	ticket  int64
	expires time.Time
}

// fileFetch is a fetch under way, shared by every request for its file;
// file and err are set before done is closed.
type fileFetch struct {
	done chan struct{}
	file *cachedFile
	err  error
}

// deskFiles keeps the citizens' files the desk fetched recently, so that
// a player asking for a file part by part (and HEAD) costs one download
// from the platform, not one each; requests for a file being fetched
// wait for that fetch. At most maxBytes are kept, the least recently
// used dropped first, each file for ttl from its fetch; never on disk.
type deskFiles struct {
	now      func() time.Time
	maxBytes int64
	ttl      time.Duration
	slots    chan struct{} // one per fetch under way

	mu       sync.Mutex
	bytes    int64
	recent   *list.List // of *cachedFile, most recently used first
	byKey    map[string]*list.Element
	fetching map[string]*fileFetch
	// erased holds the tickets whose citizen erased their data, until
	// when no file of theirs is kept (see forget).
	erased map[int64]time.Time
}

func newDeskFiles(now func() time.Time) *deskFiles {
	return &deskFiles{now: now, maxBytes: fileCacheBytes, ttl: fileCacheTTL, slots: make(chan struct{}, maxFetches),
		recent: list.New(), byKey: map[string]*list.Element{}, fetching: map[string]*fileFetch{}, erased: map[int64]time.Time{}}
}

// get returns the file named key, shown in ticket: kept, being fetched
// (waiting for that), or fetched now with fetch. A fetch goes on if the request that
// started it ends, for the others waiting and the player's next part,
// up to fetchTimeout. It returns errTooManyFetches when maxFetches are
// under way, ctx's error when ctx ends first, and fetch's errors, which
// are not kept.
func (c *deskFiles) get(ctx context.Context, ticket int64, key string, fetch func(context.Context) (*cachedFile, error)) (*cachedFile, error) {
	c.mu.Lock()
	c.dropExpired()
	if el, ok := c.byKey[key]; ok {
		c.recent.MoveToFront(el)
		c.mu.Unlock()
		return el.Value.(*cachedFile), nil
	}
	call, ok := c.fetching[key]
	if !ok {
		select {
		case c.slots <- struct{}{}:
		default:
			c.mu.Unlock()
			return nil, errTooManyFetches
		}
		call = &fileFetch{done: make(chan struct{})}
		c.fetching[key] = call
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), fetchTimeout)
		go func() {
			defer cancel()
			f, err := fetch(fctx)
			<-c.slots
			c.mu.Lock()
			delete(c.fetching, key)
			if err == nil {
				c.keep(key, ticket, f)
			}
			c.mu.Unlock()
			call.file, call.err = f, err
			close(call.done)
		}()
	}
	c.mu.Unlock()
	select {
	case <-call.done:
		return call.file, call.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// keep adds f as key, shown in ticket, dropping the least recently used
// files over maxBytes; a file bigger than that all, or of a ticket
// erased, is not kept. c.mu is held.
func (c *deskFiles) keep(key string, ticket int64, f *cachedFile) {
	size := int64(len(f.content))
	if _, erased := c.erased[ticket]; erased || size > c.maxBytes {
		return
	}
	f.key, f.ticket, f.expires = key, ticket, c.now().Add(c.ttl)
	c.byKey[key] = c.recent.PushFront(f)
	c.bytes += size
	for c.bytes > c.maxBytes {
		c.drop(c.recent.Back())
	}
	// Nobody may ask for the file again: its bytes still leave memory
	// when it expires.
	time.AfterFunc(c.ttl, func() {
		c.mu.Lock()
		c.dropExpired()
		c.mu.Unlock()
	})
}

// dropExpired drops the files past their time, and the erased tickets
// past theirs. c.mu is held.
func (c *deskFiles) dropExpired() {
	now := c.now()
	for el := c.recent.Front(); el != nil; {
		next := el.Next()
		if !now.Before(el.Value.(*cachedFile).expires) {
			c.drop(el)
		}
		el = next
	}
	for id, until := range c.erased {
		if !now.Before(until) {
			delete(c.erased, id)
		}
	}
}

// forget drops at once the files of tickets whose citizen erased their
// data, and keeps none of theirs fetched since: a fetch under way is
// served to whoever waits for it but not kept. It runs in the erasure's
// transaction, so a request may still read the ticket's messages, and
// fetch a file, until that commits: for a while (as long as a file is
// kept, plus a fetch's longest) no file of these tickets is kept at all.
// Should the erasure fail, their files are only fetched again.
func (c *deskFiles) forget(tickets []int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	until := c.now().Add(c.ttl + fetchTimeout)
	for _, id := range tickets {
		c.erased[id] = until
	}
	for el := c.recent.Front(); el != nil; {
		next := el.Next()
		if _, ok := c.erased[el.Value.(*cachedFile).ticket]; ok {
			c.drop(el)
		}
		el = next
	}
}

// drop forgets a kept file. c.mu is held.
func (c *deskFiles) drop(el *list.Element) {
	f := c.recent.Remove(el).(*cachedFile)
	delete(c.byKey, f.key)
	c.bytes -= int64(len(f.content))
}

package admin

import (
	"bytes"
	"errors"
	"net/http"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"

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
// is answered with the part asked for.
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
	f, err := fetcher.FetchFile(r.Context(), m.FileID, s.cfg.MaxFile)
	switch {
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
	content, err := readFile(f, s.cfg.MaxFile)
	switch {
	case errors.Is(err, bots.ErrFileTooLarge):
		s.fail(w, r, sess, http.StatusBadGateway, textFileTooLarge(s.cfg.MaxFile))
		return
	case err != nil:
		s.cfg.Logger.Warn("admin: cannot read a citizen's file", "ticket", id, "message", msgID, "err", err)
		s.fail(w, r, sess, http.StatusBadGateway, textFileUnreachable)
		return
	}
	ctype := http.DetectContentType(content)
	disposition := "inline"
	if played, ok := playableTypes[ctype]; ok && playable[m.FileKind] {
		ctype = played
	} else if !inlineTypes[ctype] {
		ctype, disposition = "application/octet-stream", "attachment"
	}
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Content-Disposition", disposition+`; filename="`+downloadName(id, msgID, m.FileKind, f.Name)+`"`)
	// Opened on its own, the file runs nothing and loads nothing.
	h.Set("Content-Security-Policy", "default-src 'none'; img-src 'self'; sandbox")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "private, no-store")
	// ServeContent answers a Range with 206 and the bytes asked for: a
	// media player (Safari's always) asks for parts of a sound or video
	// and will not play, nor seek, without them.
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(content))
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
	textFileNoFetcher   = "Berkas dari platform ini tidak dapat ditampilkan: bot Telegram (HUB_TELEGRAM_TOKEN) tidak dikonfigurasi di hub ini."
)

// textFileTooLarge says a file is over the desk's limit.
func textFileTooLarge(limit int64) string {
	return "Berkas ini lebih besar dari " + humanBytes(limit) +
		" sehingga tidak dapat diambil dari Telegram lewat bot. Minta warga mengirim ulang dalam ukuran lebih kecil."
}

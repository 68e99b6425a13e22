package telegramtest

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// MaxDownload is the largest file the fake lets a bot download, as
// Telegram: getFile refuses bigger ones with "file is too big".
const MaxDownload = 20 << 20

// storedFile is a file the fake serves by file_id.
type storedFile struct {
	path    string
	content []byte
}

// AddFile makes content downloadable as fileID: getFile answers its size
// and a file_path under the kind's folder ("photos/file_3.jpg" for kind
// "photo", "documents/file_4.pdf" for "document" with ext ".pdf"), and
// GET /file/bot<token>/<file_path> serves it.
func (s *Server) AddFile(fileID, kind, ext string, content []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.files == nil {
		s.files = map[string]storedFile{}
	}
	s.fileSeq++
	s.files[fileID] = storedFile{path: fmt.Sprintf("%ss/file_%d%s", kind, s.fileSeq, ext), content: content}
}

// PushPhoto queues a photo (the sizes Telegram sends, the largest last,
// with fileID) with caption from userID in chatID, and returns the
// update_id.
func (s *Server) PushPhoto(chatID, userID int64, fileID, caption string) int {
	m := s.Message(chatID, userID, "")
	m.Entities = nil
	m.Caption = caption
	m.Photo = []tgbotapi.PhotoSize{{FileID: fileID + "-thumb", Width: 90, Height: 90}, {FileID: fileID, Width: 1280, Height: 960}}
	return s.PushUpdate(tgbotapi.Update{Message: m})
}

// PushDocument queues a document with caption from userID in chatID, and
// returns the update_id.
func (s *Server) PushDocument(chatID, userID int64, fileID, fileName, caption string) int {
	m := s.Message(chatID, userID, "")
	m.Entities = nil
	m.Caption = caption
	m.Document = &tgbotapi.Document{FileID: fileID, FileName: fileName}
	return s.PushUpdate(tgbotapi.Update{Message: m})
}

// PushVoice queues a voice note with fileID from userID in chatID, and
// returns the update_id.
func (s *Server) PushVoice(chatID, userID int64, fileID string) int {
	m := s.Message(chatID, userID, "")
	m.Entities = nil
	m.Voice = &tgbotapi.Voice{FileID: fileID, Duration: 9, MimeType: "audio/ogg"}
	return s.PushUpdate(tgbotapi.Update{Message: m})
}

// PushLocation queues a shared location from userID in chatID (a venue
// when title is not empty), and returns the update_id.
func (s *Server) PushLocation(chatID, userID int64, lat, lon float64, title, address string) int {
	m := s.Message(chatID, userID, "")
	m.Entities = nil
	m.Location = &tgbotapi.Location{Latitude: lat, Longitude: lon}
	if title != "" {
		m.Venue = &tgbotapi.Venue{Location: *m.Location, Title: title, Address: address}
	}
	return s.PushUpdate(tgbotapi.Update{Message: m})
}

// Downloads is how many file downloads the fake served.
func (s *Server) Downloads() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.downloads
}

// getFile answers getFile for a file added with AddFile.
func (s *Server) getFile(p map[string][]string) (any, *apiError) {
	id := ""
	if v := p["file_id"]; len(v) > 0 {
		id = v[0]
	}
	s.mu.Lock()
	f, ok := s.files[id]
	s.mu.Unlock()
	switch {
	case !ok:
		return nil, badRequest("Bad Request: invalid file_id")
	case len(f.content) > MaxDownload:
		return nil, badRequest("Bad Request: file is too big")
	}
	return tgbotapi.File{FileID: id, FileUniqueID: "u-" + id, FileSize: len(f.content), FilePath: f.path}, nil
}

// serveFile serves GET /file/bot<token>/<file_path>; the Fault for
// method "file" applies.
func (s *Server) serveFile(w http.ResponseWriter, r *http.Request, rest string) {
	token, filePath, ok := strings.Cut(rest, "/")
	switch {
	case !ok || r.Method != http.MethodGet:
		(&apiError{status: http.StatusNotFound, desc: "Not Found"}).write(w)
		return
	case token != s.token:
		(&apiError{status: http.StatusUnauthorized, desc: "Unauthorized"}).write(w)
		return
	}
	s.mu.Lock()
	s.calls["file"]++
	faults := s.faults
	var content []byte
	found := false
	for _, f := range s.files {
		if f.path == filePath {
			content, found = f.content, true
		}
	}
	s.notify()
	s.mu.Unlock()
	if faults != nil {
		f := faults("file", 0)
		if !s.hold(r, f.Delay) {
			return
		}
		if f.Status != 0 {
			faultError(f).write(w)
			return
		}
	}
	if !found {
		(&apiError{status: http.StatusNotFound, desc: "Not Found"}).write(w)
		return
	}
	s.mu.Lock()
	s.downloads++
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", strconv.Itoa(len(content)))
	_, _ = w.Write(content)
}

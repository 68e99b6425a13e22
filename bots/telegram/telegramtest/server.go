// Package telegramtest is a fake Telegram Bot API server on loopback, for
// tests and benchmarks of anything that talks to Telegram.
//
// It speaks the Bot API's HTTP shape (POST /bot<token>/<method>, form or
// JSON parameters, {"ok":true,"result":…} answers and {"ok":false,
// "error_code":…,"description":…} errors) for getMe, getUpdates,
// setWebhook, deleteWebhook, sendMessage, editMessageText,
// answerCallbackQuery and getFile, and serves file downloads
// (/file/bot<token>/<file_path>). It validates like Telegram where that
// catches bugs: text is required and at most 4096 characters after entity
// parsing, HTML parse mode must be well formed (see ParseHTML), and
// callback data is 1–64 bytes.
//
// Tests queue updates (PushText, PushPress, PushPhoto, PushDocument,
// PushUpdate), which getUpdates serves with Telegram's offset and
// long-poll semantics, add files to download (AddFile), inspect what the
// bot sent (Sent, WaitSent, Answered), inject failures (SetFaults) and check
// flood-limit behaviour from arrival timestamps (Attempts,
// PerChatViolations, RetryAfterViolations).
//
//	srv := telegramtest.NewServer(t)
//	a, err := telegram.New(ctx, telegram.Config{Token: srv.Token(), APIURL: srv.URL()})
//	…
//	srv.PushText(42, 42, "/start")
//	msgs := srv.WaitSent(t, 1, 5*time.Second)
package telegramtest

import (
	"cmp"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// The fake bot's identity, as getMe reports it.
const (
	BotID        int64 = 7000001
	BotUsername        = "tebing_test_bot"
	BotFirstName       = "Tebing Test Bot"
)

// MaxTextLength is Telegram's limit on message text, in UTF-16 code units
// after entity parsing.
const MaxTextLength = 4096

// Fault makes the server misbehave for one call. The zero Fault is normal
// service.
type Fault struct {
	// Status, when non-zero, is answered as HTTP status and error_code
	// (429, 400, 403, 500, 502, …) instead of serving the call.
	Status int
	// RetryAfter is the parameters.retry_after of a 429, in seconds.
	RetryAfter int
	// Description overrides the default error description.
	Description string
	// Delay holds the answer back (also with Status 0); it ends early if
	// the client gives up or the server closes.
	Delay time.Duration
}

// Button is one inline button as the bot sent it.
type Button struct {
	Text string
	Data string
}

// SentMessage is one successful sendMessage or editMessageText call.
type SentMessage struct {
	// Method is "sendMessage" or "editMessageText".
	Method    string
	ChatID    int64
	MessageID int // assigned by sendMessage, the edited one for edits
	// Text is the text as sent (HTML in parse mode HTML); Plain is what the
	// user sees: tags removed and entities decoded.
	Text      string
	Plain     string
	ParseMode string
	ReplyTo   int
	Buttons   [][]Button
	Time      time.Time
}

// Attempt is one call to sendMessage or editMessageText, successful or not,
// timed at its arrival.
type Attempt struct {
	Method string
	ChatID int64
	Time   time.Time
	Status int // HTTP status answered; 0 if the client went away first
}

// Violation is a send that arrived too early.
type Violation struct {
	ChatID int64
	// At is the offending arrival; Since is the previous send to the chat
	// (PerChatViolations) or the 429 it ignored (RetryAfterViolations).
	At, Since time.Time
	// Until is when the send would have been allowed.
	Until time.Time
}

// String describes the violation for test failure messages.
func (v Violation) String() string {
	return fmt.Sprintf("chat %d: send %s after %s, allowed only after %s", v.ChatID, v.At.Sub(v.Since), v.Since.Format("15:04:05.000"), v.Until.Sub(v.Since))
}

type msgKey struct {
	chat int64
	id   int
}

// botMessage is a message as the bot last set it, to refuse edits that
// change nothing.
type botMessage struct {
	text   string
	markup *tgbotapi.InlineKeyboardMarkup
}

type penalty struct {
	chat      int64
	at, until time.Time
}

// Server is the fake Bot API. Its methods are safe for concurrent use.
type Server struct {
	srv       *httptest.Server
	token     string
	done      chan struct{}
	closeOnce sync.Once

	mu         sync.Mutex
	changed    chan struct{} // closed and replaced at every change
	faults     func(method string, chatID int64) Fault
	queue      []tgbotapi.Update // by update_id
	lastUpdate int
	nextMsg    map[int64]int
	botMsgs    map[msgKey]botMessage
	callbacks  map[string]bool // callback query ids pushed
	sent       []SentMessage
	answered   []string
	attempts   []Attempt
	penalties  []penalty
	calls      map[string]int
	webhookURL string
	secret     string
	allowed    []string
	polls      int                   // getUpdates calls so far; a poll ends when a later one starts
	conflicts  int                   // polls ended by a later one
	files      map[string]storedFile // by file_id (files.go)
	fileSeq    int
	downloads  int
}

// New starts a server; Close stops it. Tests should prefer NewServer.
func New() *Server {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	s := &Server{
		token:     fmt.Sprintf("%d:AAH%s", BotID, hex.EncodeToString(b)),
		done:      make(chan struct{}),
		changed:   make(chan struct{}),
		nextMsg:   make(map[int64]int),
		botMsgs:   make(map[msgKey]botMessage),
		callbacks: make(map[string]bool),
		calls:     make(map[string]int),
	}
	s.srv = httptest.NewServer(s)
	return s
}

// NewServer starts a server that is closed when the test ends.
func NewServer(t testing.TB) *Server {
	t.Helper()
	s := New()
	t.Cleanup(s.Close)
	return s
}

// Close ends pending long polls and delays and stops the server. It may be
// called more than once.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.done)
		s.srv.Close()
	})
}

// URL is the base URL to use as the client's API URL.
func (s *Server) URL() string { return s.srv.URL }

// Token is the one token the server accepts; others get 401 Unauthorized.
func (s *Server) Token() string { return s.token }

func botUser() tgbotapi.User {
	return tgbotapi.User{ID: BotID, IsBot: true, FirstName: BotFirstName, UserName: BotUsername, CanJoinGroups: true}
}

// SetFaults installs f, asked before serving every call (chatID is 0 for
// methods without chat_id); nil restores normal service. f runs outside
// the server's lock and may call the server's methods.
func (s *Server) SetFaults(f func(method string, chatID int64) Fault) {
	s.mu.Lock()
	s.faults = f
	s.mu.Unlock()
}

// notify wakes waiters; s.mu must be held.
func (s *Server) notify() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// ---- queueing updates ----

// PushUpdate queues u for getUpdates and returns its update_id, assigned
// when u.UpdateID is 0.
func (s *Server) PushUpdate(u tgbotapi.Update) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pushLocked(u)
}

// pushLocked queues u; s.mu must be held.
func (s *Server) pushLocked(u tgbotapi.Update) int {
	if u.UpdateID == 0 {
		u.UpdateID = s.lastUpdate + 1
	}
	if cq := u.CallbackQuery; cq != nil && cq.ID != "" {
		s.callbacks[cq.ID] = true
	}
	// After any queued update with the same id, so pushes keep their order.
	i, _ := slices.BinarySearchFunc(s.queue, u.UpdateID+1, func(q tgbotapi.Update, id int) int { return q.UpdateID - id })
	s.queue = slices.Insert(s.queue, i, u)
	s.lastUpdate = max(s.lastUpdate, u.UpdateID)
	s.notify()
	return u.UpdateID
}

// chatFor describes a chat by id as the fake sees it: positive ids are
// private chats, ids below -1000000000000 supergroups, other negative ids
// groups.
func chatFor(id int64) *tgbotapi.Chat {
	c := &tgbotapi.Chat{ID: id, Type: "private"}
	switch {
	case id < -1000000000000:
		c.Type, c.Title = "supergroup", fmt.Sprintf("Supergroup %d", -id)
	case id < 0:
		c.Type, c.Title = "group", fmt.Sprintf("Group %d", -id)
	default:
		c.FirstName = fmt.Sprintf("Warga %d", id)
	}
	return c
}

// User is the fake user with id userID.
func User(userID int64) *tgbotapi.User {
	return &tgbotapi.User{ID: userID, FirstName: "Warga", LastName: strconv.FormatInt(userID, 10), LanguageCode: "id"}
}

// Message builds a message from userID in chatID, with the next message id
// of the chat, the current date and the entities Telegram would mark (a
// leading bot command, @mentions). Adjust it and queue it with PushUpdate,
// e.g. as an EditedMessage or with a ReplyToMessage.
func (s *Server) Message(chatID, userID int64, text string) *tgbotapi.Message {
	s.mu.Lock()
	s.nextMsg[chatID]++
	id := s.nextMsg[chatID]
	s.mu.Unlock()
	return &tgbotapi.Message{
		MessageID: id,
		From:      User(userID),
		Date:      int(time.Now().Unix()),
		Chat:      chatFor(chatID),
		Text:      text,
		Entities:  Entities(text),
	}
}

// PushText queues a text message from userID in chatID and returns the
// update_id.
func (s *Server) PushText(chatID, userID int64, text string) int {
	return s.PushUpdate(tgbotapi.Update{Message: s.Message(chatID, userID, text)})
}

// PressID is the callback query id PushPress gives the press it queues as
// update updateID.
func PressID(updateID int) string { return "cq-" + strconv.Itoa(updateID) }

// PushPress queues a press by userID of the button with data on the bot's
// message messageID in chatID, and returns the update_id; the callback
// query id is PressID(update_id).
func (s *Server) PushPress(chatID, userID int64, messageID int, data string) int {
	bot := botUser()
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.lastUpdate + 1
	return s.pushLocked(tgbotapi.Update{
		UpdateID: id,
		CallbackQuery: &tgbotapi.CallbackQuery{
			ID:           PressID(id),
			From:         User(userID),
			ChatInstance: strconv.FormatInt(chatID, 10),
			Data:         data,
			Message: &tgbotapi.Message{
				MessageID: messageID,
				From:      &bot,
				Date:      int(time.Now().Unix()),
				Chat:      chatFor(chatID),
				Text:      "…",
			},
		},
	})
}

var mentionRE = regexp.MustCompile(`(^|[^A-Za-z0-9_@])(@[A-Za-z0-9_]{3,32})`)

// Entities returns the entities Telegram marks in text: a bot command at
// the start and @mentions, with offsets in UTF-16 code units.
func Entities(text string) []tgbotapi.MessageEntity {
	var es []tgbotapi.MessageEntity
	if strings.HasPrefix(text, "/") {
		end := strings.IndexAny(text, " \t\n")
		if end < 0 {
			end = len(text)
		}
		if end > 1 {
			es = append(es, tgbotapi.MessageEntity{Type: "bot_command", Offset: 0, Length: utf16Len(text[:end])})
		}
	}
	for _, m := range mentionRE.FindAllStringSubmatchIndex(text, -1) {
		es = append(es, tgbotapi.MessageEntity{Type: "mention", Offset: utf16Len(text[:m[4]]), Length: utf16Len(text[m[4]:m[5]])})
	}
	return es
}

// utf16Len is the length of s in UTF-16 code units.
func utf16Len(s string) int { return len(utf16.Encode([]rune(s))) }

// ---- inspecting ----

// Pending is the number of queued updates not yet confirmed by a
// getUpdates with a higher offset.
func (s *Server) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.queue)
}

// Conflicts is how many long polls ended with 409 Conflict because
// another getUpdates call started while they waited.
func (s *Server) Conflicts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conflicts
}

// Sent returns the successful sendMessage and editMessageText calls in the
// order they were served.
func (s *Server) Sent() []SentMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.sent)
}

// Reset forgets the recorded messages, answers, attempts and 429s (not the
// queue, the webhook or message ids), e.g. between benchmark rounds.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sent, s.answered, s.attempts, s.penalties = nil, nil, nil, nil
	s.notify()
}

// Answered returns the callback query ids answered, in order.
func (s *Server) Answered() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.answered)
}

// Attempts returns every sendMessage and editMessageText call, faulted or
// not, ordered by arrival.
func (s *Server) Attempts() []Attempt {
	s.mu.Lock()
	out := slices.Clone(s.attempts)
	s.mu.Unlock()
	slices.SortStableFunc(out, func(a, b Attempt) int { return a.Time.Compare(b.Time) })
	return out
}

// Calls is how many times method was called (any outcome, valid token).
func (s *Server) Calls(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[method]
}

// Webhook is the webhook URL and secret token last set ("" when none).
func (s *Server) Webhook() (url, secret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.webhookURL, s.secret
}

// WaitWebhook waits until a webhook is set and returns its URL and secret
// token; the test fails after timeout. (WaitCalls would return as the
// setWebhook call arrives, before it is served.)
func (s *Server) WaitWebhook(t testing.TB, timeout time.Duration) (url, secret string) {
	t.Helper()
	if !s.waitFor(timeout, func() bool { return s.webhookURL != "" }) {
		t.Fatalf("telegramtest: no webhook set after %s", timeout)
	}
	return s.Webhook()
}

// AllowedUpdates is the allowed_updates last given to getUpdates or
// setWebhook.
func (s *Server) AllowedUpdates() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.allowed)
}

// PerChatViolations returns the send attempts that arrived less than
// minGap after the previous attempt to the same chat.
func (s *Server) PerChatViolations(minGap time.Duration) []Violation {
	last := make(map[int64]time.Time)
	var out []Violation
	for _, at := range s.Attempts() {
		if prev, ok := last[at.ChatID]; ok && at.Time.Sub(prev) < minGap {
			out = append(out, Violation{ChatID: at.ChatID, At: at.Time, Since: prev, Until: prev.Add(minGap)})
		}
		last[at.ChatID] = at.Time
	}
	return out
}

// RetryAfterViolations returns the send attempts that arrived at a chat
// while a 429 the server had answered for it was still in force.
func (s *Server) RetryAfterViolations() []Violation {
	attempts := s.Attempts()
	s.mu.Lock()
	pens := slices.Clone(s.penalties)
	s.mu.Unlock()
	var out []Violation
	for _, at := range attempts {
		for _, p := range pens {
			if p.chat == at.ChatID && at.Time.After(p.at) && at.Time.Before(p.until) {
				out = append(out, Violation{ChatID: at.ChatID, At: at.Time, Since: p.at, Until: p.until})
				break
			}
		}
	}
	return out
}

// WaitSent waits until at least n messages were sent and returns them all;
// the test fails after timeout. Call it from the test's goroutine.
func (s *Server) WaitSent(t testing.TB, n int, timeout time.Duration) []SentMessage {
	t.Helper()
	if !s.waitFor(timeout, func() bool { return len(s.sent) >= n }) {
		t.Fatalf("telegramtest: %d messages sent after %s, want %d", len(s.Sent()), timeout, n)
	}
	return s.Sent()
}

// WaitAnswered waits until at least n callback queries were answered and
// returns their ids; the test fails after timeout.
func (s *Server) WaitAnswered(t testing.TB, n int, timeout time.Duration) []string {
	t.Helper()
	if !s.waitFor(timeout, func() bool { return len(s.answered) >= n }) {
		t.Fatalf("telegramtest: %d callback queries answered after %s, want %d", len(s.Answered()), timeout, n)
	}
	return s.Answered()
}

// WaitCalls waits until method was called at least n times; the test fails
// after timeout.
func (s *Server) WaitCalls(t testing.TB, method string, n int, timeout time.Duration) {
	t.Helper()
	if !s.waitFor(timeout, func() bool { return s.calls[method] >= n }) {
		t.Fatalf("telegramtest: %s called %d times after %s, want %d", method, s.Calls(method), timeout, n)
	}
}

// WaitPending waits until at most n updates are pending (unconfirmed); the
// test fails after timeout.
func (s *Server) WaitPending(t testing.TB, n int, timeout time.Duration) {
	t.Helper()
	if !s.waitFor(timeout, func() bool { return len(s.queue) <= n }) {
		t.Fatalf("telegramtest: %d updates pending after %s, want at most %d", s.Pending(), timeout, n)
	}
}

// waitFor waits until cond holds, re-checking it after every change the
// server sees, and reports whether it did before timeout. cond runs with
// s.mu held.
func (s *Server) waitFor(timeout time.Duration, cond func() bool) bool {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		s.mu.Lock()
		ok, ch := cond(), s.changed
		s.mu.Unlock()
		if ok {
			return true
		}
		select {
		case <-ch:
		case <-timer.C:
			return false
		case <-s.done:
			return false
		}
	}
}

// ---- serving ----

// apiError is a Bot API error answer.
type apiError struct {
	status     int
	desc       string
	retryAfter int
}

func badRequest(desc string) *apiError {
	return &apiError{status: http.StatusBadRequest, desc: "Bad Request: " + desc}
}

func (e *apiError) write(w http.ResponseWriter) {
	body := struct {
		OK          bool                         `json:"ok"`
		ErrorCode   int                          `json:"error_code"`
		Description string                       `json:"description"`
		Parameters  *tgbotapi.ResponseParameters `json:"parameters,omitempty"`
	}{ErrorCode: e.status, Description: e.desc}
	if e.retryAfter > 0 {
		body.Parameters = &tgbotapi.ResponseParameters{RetryAfter: e.retryAfter}
		w.Header().Set("Retry-After", strconv.Itoa(e.retryAfter))
	}
	writeJSON(w, e.status, body)
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

// methods are the methods served, in their canonical spelling; Telegram
// accepts any case.
var methods = []string{"getMe", "getUpdates", "setWebhook", "deleteWebhook", "sendMessage", "editMessageText", "answerCallbackQuery", "getFile"}

// ServeHTTP serves one Bot API call; the server's URL leads here, and a
// benchmark may call it directly to measure what the fake itself costs.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	arrived := time.Now()
	if rest, ok := strings.CutPrefix(r.URL.Path, "/file/bot"); ok {
		s.serveFile(w, r, rest)
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/bot")
	token, method, ok2 := strings.Cut(rest, "/")
	i := slices.IndexFunc(methods, func(m string) bool { return strings.EqualFold(m, method) })
	switch {
	case !ok || !ok2:
		(&apiError{status: http.StatusNotFound, desc: "Not Found"}).write(w)
		return
	case token != s.token:
		(&apiError{status: http.StatusUnauthorized, desc: "Unauthorized"}).write(w)
		return
	case i < 0:
		(&apiError{status: http.StatusNotFound, desc: "Not Found"}).write(w)
		return
	}
	method = methods[i]
	p, err := params(r)
	if err != nil {
		badRequest(err.Error()).write(w)
		return
	}
	chatID, _ := strconv.ParseInt(p.Get("chat_id"), 10, 64)
	isSend := method == "sendMessage" || method == "editMessageText"

	s.mu.Lock()
	s.calls[method]++
	faults := s.faults
	s.notify()
	s.mu.Unlock()

	var f Fault
	if faults != nil {
		f = faults(method, chatID)
	}
	status := 0
	if isSend {
		defer func() { s.recordAttempt(method, chatID, arrived, status) }()
	}
	if !s.hold(r, f.Delay) {
		return
	}
	if f.Status != 0 {
		e := faultError(f)
		status = e.status
		if isSend && e.status == http.StatusTooManyRequests {
			now := time.Now()
			s.mu.Lock()
			s.penalties = append(s.penalties, penalty{chat: chatID, at: now, until: now.Add(time.Duration(e.retryAfter) * time.Second)})
			s.mu.Unlock()
		}
		e.write(w)
		return
	}

	var result any
	var e *apiError
	switch method {
	case "getMe":
		result = botUser()
	case "getUpdates":
		result, e = s.getUpdates(r, p)
		if result == nil && e == nil {
			return // client or server gone
		}
	case "setWebhook":
		result, e = s.setWebhook(p)
	case "deleteWebhook":
		s.mu.Lock()
		s.webhookURL, s.secret = "", ""
		if p.Get("drop_pending_updates") == "true" {
			s.queue = nil
		}
		s.notify()
		s.mu.Unlock()
		result = true
	case "sendMessage", "editMessageText":
		result, e = s.send(method, p, arrived)
	case "answerCallbackQuery":
		result, e = s.answerCallbackQuery(p)
	case "getFile":
		result, e = s.getFile(p)
	}
	if e != nil {
		status = e.status
		e.write(w)
		return
	}
	status = http.StatusOK
	writeJSON(w, status, struct {
		OK     bool `json:"ok"`
		Result any  `json:"result"`
	}{true, result})
}

// hold waits d (a Fault's Delay) before the answer and reports whether
// to answer at all: not when the client gave up or the server closed.
func (s *Server) hold(r *http.Request, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
	case <-s.done:
	}
	return false
}

// maxBody is the largest body read, as http.Request.ParseForm allows.
const maxBody = 10 << 20

// params reads the call's parameters from a form, multipart or JSON body
// and the query. JSON strings become their value, other JSON values their
// JSON text, as Telegram reads a form.
func params(r *http.Request) (url.Values, error) {
	mediaType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mediaType != "application/json" {
		if err := r.ParseMultipartForm(maxBody); err != nil && !errors.Is(err, http.ErrNotMultipart) {
			return nil, fmt.Errorf("invalid form body: %v", err)
		}
		return r.Form, nil
	}
	var body map[string]json.RawMessage
	if err := json.NewDecoder(http.MaxBytesReader(nil, r.Body, maxBody)).Decode(&body); err != nil {
		return nil, errors.New("invalid JSON body")
	}
	p := r.URL.Query()
	for k, v := range body {
		var str string
		if json.Unmarshal(v, &str) != nil {
			str = string(v)
		}
		p.Set(k, str)
	}
	return p, nil
}

func (s *Server) recordAttempt(method string, chatID int64, at time.Time, status int) {
	s.mu.Lock()
	s.attempts = append(s.attempts, Attempt{Method: method, ChatID: chatID, Time: at, Status: status})
	s.notify()
	s.mu.Unlock()
}

func faultError(f Fault) *apiError {
	e := &apiError{status: f.Status, desc: f.Description}
	if f.Status == http.StatusTooManyRequests {
		e.retryAfter = max(f.RetryAfter, 1)
	}
	if e.desc != "" {
		return e
	}
	switch f.Status {
	case http.StatusTooManyRequests:
		e.desc = fmt.Sprintf("Too Many Requests: retry after %d", e.retryAfter)
	case http.StatusBadRequest:
		e.desc = "Bad Request: chat not found"
	case http.StatusForbidden:
		e.desc = "Forbidden: bot was blocked by the user"
	case http.StatusUnauthorized:
		e.desc = "Unauthorized"
	case http.StatusConflict:
		e.desc = "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
	default:
		e.desc = cmp.Or(http.StatusText(f.Status), "Error")
	}
	return e
}

// setAllowed records a call's allowed_updates; s.mu must be held.
func (s *Server) setAllowed(p url.Values) {
	var allowed []string
	if a := p.Get("allowed_updates"); a != "" && json.Unmarshal([]byte(a), &allowed) == nil {
		s.allowed = allowed
	}
}

func (s *Server) getUpdates(r *http.Request, p url.Values) (any, *apiError) {
	offset, _ := strconv.Atoi(p.Get("offset"))
	limit, _ := strconv.Atoi(p.Get("limit"))
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	timeout, _ := strconv.Atoi(p.Get("timeout"))
	deadline := time.NewTimer(time.Duration(max(timeout, 0)) * time.Second)
	defer deadline.Stop()

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.webhookURL != "" {
		return nil, &apiError{status: http.StatusConflict, desc: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"}
	}
	s.setAllowed(p)
	// As Telegram does, a poll ends a poll still waiting, which gets 409:
	// two processes polling one bot take turns and see conflicts.
	s.polls++
	poll := s.polls
	s.notify()
	// An offset confirms every update before it.
	confirmed := 0
	for confirmed < len(s.queue) && s.queue[confirmed].UpdateID < offset {
		confirmed++
	}
	if confirmed > 0 {
		s.queue = slices.Clone(s.queue[confirmed:])
		s.notify()
	}
	for len(s.queue) == 0 && timeout > 0 {
		ch, gone := s.changed, false
		s.mu.Unlock()
		select {
		case <-ch:
		case <-deadline.C:
			timeout = 0 // answer what there is, likely nothing
		case <-r.Context().Done():
			gone = true
		case <-s.done:
			gone = true
		}
		s.mu.Lock()
		if gone || r.Context().Err() != nil {
			return nil, nil
		}
		if s.polls != poll {
			s.conflicts++
			return nil, &apiError{status: http.StatusConflict, desc: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"}
		}
	}
	return slices.Clone(s.queue[:min(limit, len(s.queue))]), nil
}

var secretRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)

func (s *Server) setWebhook(p url.Values) (any, *apiError) {
	if sec := p.Get("secret_token"); sec != "" && !secretRE.MatchString(sec) {
		return nil, badRequest("secret token contains unallowed characters")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.webhookURL, s.secret = p.Get("url"), p.Get("secret_token")
	s.setAllowed(p)
	s.notify()
	return true, nil
}

// checkText validates text and parse mode like Telegram and returns what
// the user sees.
func checkText(text, parseMode string) (string, *apiError) {
	plain := text
	// MarkdownV2 and Markdown are not emulated: taken literally.
	if strings.EqualFold(parseMode, "html") {
		var err error
		if plain, err = ParseHTML(text); err != nil {
			return "", badRequest("can't parse entities: " + err.Error())
		}
	}
	if strings.TrimSpace(plain) == "" {
		return "", badRequest("message text is empty")
	}
	if utf16Len(plain) > MaxTextLength {
		return "", badRequest("message is too long")
	}
	return plain, nil
}

// checkMarkup validates an inline keyboard like Telegram and returns its
// buttons and the keyboard (nil for none).
func checkMarkup(raw string) ([][]Button, *tgbotapi.InlineKeyboardMarkup, *apiError) {
	if raw == "" {
		return nil, nil, nil
	}
	var kb tgbotapi.InlineKeyboardMarkup
	if err := json.Unmarshal([]byte(raw), &kb); err != nil {
		return nil, nil, badRequest("can't parse reply keyboard markup JSON object")
	}
	var rows [][]Button
	for _, row := range kb.InlineKeyboard {
		var out []Button
		for _, b := range row {
			if b.Text == "" {
				return nil, nil, badRequest("text buttons are unallowed in the inline keyboard")
			}
			var data string
			if b.CallbackData != nil {
				if data = *b.CallbackData; len(data) == 0 || len(data) > 64 {
					return nil, nil, badRequest("BUTTON_DATA_INVALID")
				}
			}
			out = append(out, Button{Text: b.Text, Data: data})
		}
		rows = append(rows, out)
	}
	if len(rows) == 0 {
		return nil, nil, nil
	}
	return rows, &kb, nil
}

// send serves sendMessage and editMessageText.
func (s *Server) send(method string, p url.Values, at time.Time) (any, *apiError) {
	edit := method == "editMessageText"
	if edit && p.Get("inline_message_id") != "" {
		return nil, badRequest("inline messages are not emulated")
	}
	chatID, err := strconv.ParseInt(p.Get("chat_id"), 10, 64)
	switch {
	case p.Get("chat_id") == "":
		return nil, badRequest("chat_id is empty")
	case err != nil || chatID == 0:
		return nil, badRequest("chat not found")
	}
	msgID, _ := strconv.Atoi(p.Get("message_id"))
	if edit && msgID <= 0 {
		return nil, badRequest("message identifier is not specified")
	}
	text := p.Get("text")
	plain, e := checkText(text, p.Get("parse_mode"))
	if e != nil {
		return nil, e
	}
	buttons, kb, e := checkMarkup(p.Get("reply_markup"))
	if e != nil {
		return nil, e
	}
	replyTo, _ := strconv.Atoi(p.Get("reply_to_message_id"))

	s.mu.Lock()
	defer s.mu.Unlock()
	now := botMessage{text: text, markup: kb}
	if edit {
		old, ok := s.botMsgs[msgKey{chatID, msgID}]
		if !ok {
			return nil, badRequest("message to edit not found")
		}
		if reflect.DeepEqual(old, now) {
			return nil, badRequest("message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message")
		}
		replyTo = 0
	} else {
		if replyTo > s.nextMsg[chatID] && p.Get("allow_sending_without_reply") != "true" {
			return nil, badRequest("message to reply not found")
		}
		s.nextMsg[chatID]++
		msgID = s.nextMsg[chatID]
	}
	s.botMsgs[msgKey{chatID, msgID}] = now
	s.sent = append(s.sent, SentMessage{
		Method: method, ChatID: chatID, MessageID: msgID, Text: text, Plain: plain,
		ParseMode: p.Get("parse_mode"), ReplyTo: replyTo, Buttons: buttons, Time: at,
	})
	s.notify()
	bot := botUser()
	return tgbotapi.Message{MessageID: msgID, From: &bot, Date: int(time.Now().Unix()), Chat: chatFor(chatID), Text: plain, ReplyMarkup: kb}, nil
}

func (s *Server) answerCallbackQuery(p url.Values) (any, *apiError) {
	id := p.Get("callback_query_id")
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.callbacks[id] {
		return nil, badRequest("query is too old and response timeout expired or query ID is invalid")
	}
	s.answered = append(s.answered, id)
	s.notify()
	return true, nil
}

// Package telegramtest is a fake Telegram Bot API server on loopback, for
// tests and benchmarks of anything that talks to Telegram.
//
// It speaks the Bot API's HTTP shape (POST /bot<token>/<method>, form or
// JSON parameters, {"ok":true,"result":…} answers and {"ok":false,
// "error_code":…,"description":…} errors) for getMe, getUpdates,
// setWebhook, deleteWebhook, getWebhookInfo, sendMessage, editMessageText
// and answerCallbackQuery. It validates like Telegram where that catches
// bugs: text is required and at most 4096 characters after entity parsing,
// HTML parse mode must be well formed (only Telegram's tags; a bare "&" that
// starts no entity is refused too, which Telegram may tolerate), and
// callback data is 1–64 bytes.
//
// Tests queue updates (PushText, PushPress, PushUpdate), which getUpdates
// serves with Telegram's offset and long-poll semantics, inspect what the
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
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
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

type botMessage struct {
	text   string
	markup string
}

type queued struct {
	id  int
	raw json.RawMessage
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
	changed    chan struct{} // closed and replaced on a change once watched
	watched    bool          // changed was handed to a waiter
	faults     func(method string, chatID int64) Fault
	queue      []queued
	lastUpdate int
	nextMsg    map[int64]int
	botMsgs    map[msgKey]botMessage
	callbacks  map[string]bool
	sent       []SentMessage
	answered   []string
	attempts   []Attempt
	penalties  []penalty
	calls      map[string]int
	webhookURL string
	secret     string
	allowed    []string
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
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
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

// BotUser is the bot as getMe describes it.
func (s *Server) BotUser() tgbotapi.User { return botUser() }

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
	if s.watched {
		close(s.changed)
		s.changed = make(chan struct{})
		s.watched = false
	}
}

// changes returns a channel that is closed at the next change; s.mu must
// be held.
func (s *Server) changes() <-chan struct{} {
	s.watched = true
	return s.changed
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
		if _, ok := s.callbacks[cq.ID]; !ok {
			s.callbacks[cq.ID] = false
		}
	}
	raw, err := json.Marshal(u)
	if err != nil {
		panic("telegramtest: cannot marshal update: " + err.Error())
	}
	s.enqueue(u.UpdateID, raw)
	return u.UpdateID
}

// PushJSON queues a raw update, which must be a JSON object; update_id is
// assigned when missing. It returns the update_id.
func (s *Server) PushJSON(raw []byte) (int, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return 0, fmt.Errorf("telegramtest: update is not a JSON object: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var cq struct {
		ID string `json:"id"`
	}
	if v, ok := m["callback_query"]; ok && json.Unmarshal(v, &cq) == nil && cq.ID != "" {
		if _, seen := s.callbacks[cq.ID]; !seen {
			s.callbacks[cq.ID] = false
		}
	}
	id := s.lastUpdate + 1
	if v, ok := m["update_id"]; ok {
		if err := json.Unmarshal(v, &id); err != nil {
			return 0, fmt.Errorf("telegramtest: update_id: %w", err)
		}
	} else {
		m["update_id"] = json.RawMessage(strconv.Itoa(id))
		raw, _ = json.Marshal(m)
	}
	s.enqueue(id, raw)
	return id, nil
}

// enqueue adds an update; s.mu must be held.
func (s *Server) enqueue(id int, raw []byte) {
	s.queue = append(s.queue, queued{id: id, raw: raw})
	sort.SliceStable(s.queue, func(i, j int) bool { return s.queue[i].id < s.queue[j].id })
	s.lastUpdate = max(s.lastUpdate, id)
	s.notify()
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
	bot := s.BotUser()
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

// Pending is the number of queued updates not yet confirmed by a
// getUpdates with a higher offset.
func (s *Server) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.queue)
}

// ---- inspecting ----

// Sent returns the successful sendMessage and editMessageText calls in the
// order they were served.
func (s *Server) Sent() []SentMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]SentMessage(nil), s.sent...)
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
	return append([]string(nil), s.answered...)
}

// Attempts returns every sendMessage and editMessageText call, faulted or
// not, ordered by arrival.
func (s *Server) Attempts() []Attempt {
	s.mu.Lock()
	out := append([]Attempt(nil), s.attempts...)
	s.mu.Unlock()
	sort.SliceStable(out, func(i, j int) bool { return out[i].Time.Before(out[j].Time) })
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

// AllowedUpdates is the allowed_updates last given to getUpdates or
// setWebhook.
func (s *Server) AllowedUpdates() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.allowed...)
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
	pens := append([]penalty(nil), s.penalties...)
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

// waitFor waits until cond holds, re-checking it after every change the
// server sees, and reports whether it did before timeout. cond runs with
// s.mu held.
func (s *Server) waitFor(timeout time.Duration, cond func() bool) bool {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		s.mu.Lock()
		ok := cond()
		ch := s.changes()
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

// WaitPending waits until at most n updates are pending (unconfirmed); the
// test fails after timeout.
func (s *Server) WaitPending(t testing.TB, n int, timeout time.Duration) {
	t.Helper()
	if !s.waitFor(timeout, func() bool { return len(s.queue) <= n }) {
		t.Fatalf("telegramtest: %d updates pending after %s, want at most %d", s.Pending(), timeout, n)
	}
}

// ---- serving ----

type apiError struct {
	status     int
	desc       string
	retryAfter int
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	arrived := time.Now()
	rest, ok := strings.CutPrefix(r.URL.Path, "/bot")
	token, method, ok2 := strings.Cut(rest, "/")
	if !ok || !ok2 {
		writeError(w, apiError{status: http.StatusNotFound, desc: "Not Found"})
		return
	}
	if token != s.token {
		writeError(w, apiError{status: http.StatusUnauthorized, desc: "Unauthorized"})
		return
	}
	params, err := parseParams(r)
	if err != nil {
		writeError(w, apiError{status: http.StatusBadRequest, desc: "Bad Request: " + err.Error()})
		return
	}
	canonical, known := methods[method]
	if !known {
		canonical, known = methods[strings.ToLower(method)]
	}
	if !known {
		writeError(w, apiError{status: http.StatusNotFound, desc: "Not Found"})
		return
	}
	method = canonical
	chatID := int64Param(params, "chat_id")
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
	if f.Delay > 0 {
		t := time.NewTimer(f.Delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		case <-s.done:
			t.Stop()
			return
		}
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
		writeError(w, e)
		return
	}

	var result any
	var e *apiError
	switch method {
	case "getMe":
		result = s.BotUser()
	case "getUpdates":
		result, e = s.getUpdates(r.Context(), params)
		if result == nil && e == nil {
			return // client or server gone
		}
	case "setWebhook":
		result, e = s.setWebhook(params)
	case "deleteWebhook":
		s.mu.Lock()
		s.webhookURL, s.secret = "", ""
		if params["drop_pending_updates"] == "true" {
			s.queue = nil
		}
		s.notify()
		s.mu.Unlock()
		result = true
	case "getWebhookInfo":
		s.mu.Lock()
		result = tgbotapi.WebhookInfo{URL: s.webhookURL, PendingUpdateCount: len(s.queue), AllowedUpdates: s.allowed}
		s.mu.Unlock()
	case "sendMessage":
		result, e = s.sendMessage(params, arrived)
	case "editMessageText":
		result, e = s.editMessageText(params, arrived)
	case "answerCallbackQuery":
		result, e = s.answerCallbackQuery(params)
	}
	if e != nil {
		status = e.status
		writeError(w, *e)
		return
	}
	status = http.StatusOK
	writeResult(w, result)
}

// methods maps method names, in their own and in lower case, to their own
// spelling; other spellings are looked up in lower case.
var methods = func() map[string]string {
	m := make(map[string]string)
	for _, name := range []string{"getMe", "getUpdates", "setWebhook", "deleteWebhook", "getWebhookInfo", "sendMessage", "editMessageText", "answerCallbackQuery"} {
		m[name] = name
		m[strings.ToLower(name)] = name
	}
	return m
}()

func (s *Server) recordAttempt(method string, chatID int64, at time.Time, status int) {
	s.mu.Lock()
	s.attempts = append(s.attempts, Attempt{Method: method, ChatID: chatID, Time: at, Status: status})
	s.notify()
	s.mu.Unlock()
}

func faultError(f Fault) apiError {
	e := apiError{status: f.Status, desc: f.Description}
	if f.Status == http.StatusTooManyRequests {
		e.retryAfter = max(f.RetryAfter, 1)
	}
	if e.desc == "" {
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
			e.desc = http.StatusText(f.Status)
			if e.desc == "" {
				e.desc = "Error"
			}
		}
	}
	return e
}

func writeError(w http.ResponseWriter, e apiError) {
	body := map[string]any{"ok": false, "error_code": e.status, "description": e.desc}
	if e.retryAfter > 0 {
		body["parameters"] = map[string]int{"retry_after": e.retryAfter}
		w.Header().Set("Retry-After", strconv.Itoa(e.retryAfter))
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(e.status)
	_ = json.NewEncoder(w).Encode(body)
}

// parseParams reads form-encoded, multipart or JSON body parameters, and
// the query parameters the body does not set, into strings; JSON objects
// and arrays keep their JSON text, as in a form.
func parseParams(r *http.Request) (map[string]string, error) {
	params := make(map[string]string, 8)
	contentType := r.Header.Get("Content-Type")
	mediaType, mediaErr := contentType, error(nil)
	if contentType != formType { // what go-telegram-bot-api sends
		mediaType, _, mediaErr = mime.ParseMediaType(contentType)
	}
	switch mediaType {
	case "application/json":
		var m map[string]json.RawMessage
		dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, maxBody))
		if err := dec.Decode(&m); err != nil {
			return nil, fmt.Errorf("invalid JSON body")
		}
		for k, v := range m {
			var str string
			if json.Unmarshal(v, &str) == nil {
				params[k] = str
			} else {
				params[k] = string(v)
			}
		}
		_ = parseForm(params, r.URL.RawQuery) // malformed pairs are ignored
	case "multipart/form-data":
		// This checks the query too.
		if err := r.ParseMultipartForm(maxBody); err != nil {
			return nil, fmt.Errorf("invalid multipart body")
		}
		for k, v := range r.MultipartForm.Value {
			params[k] = v[0]
		}
		_ = parseForm(params, r.URL.RawQuery)
	default:
		if err := readForm(params, r, contentType, mediaType, mediaErr); err != nil {
			return nil, fmt.Errorf("invalid form body")
		}
	}
	return params, nil
}

// intParam is p[key] as strconv.Atoi reads it, errors ignored.
func intParam(p map[string]string, key string) int {
	v := p[key]
	if v == "" {
		return 0 // spares strconv's error
	}
	n, _ := strconv.Atoi(v)
	return n
}

// int64Param is p[key] as strconv.ParseInt reads it, errors ignored.
func int64Param(p map[string]string, key string) int64 {
	v := p[key]
	if v == "" {
		return 0
	}
	n, _ := strconv.ParseInt(v, 10, 64)
	return n
}

func (s *Server) getUpdates(ctx context.Context, p map[string]string) (any, *apiError) {
	offset := intParam(p, "offset")
	limit := intParam(p, "limit")
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	timeout := intParam(p, "timeout")
	deadline := time.NewTimer(time.Duration(max(timeout, 0)) * time.Second)
	defer deadline.Stop()

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.webhookURL != "" {
		return nil, &apiError{status: http.StatusConflict, desc: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"}
	}
	if a := p["allowed_updates"]; a != "" {
		var allowed []string
		if json.Unmarshal([]byte(a), &allowed) == nil {
			s.allowed = allowed
		}
	}
	if offset > 0 {
		// Confirm everything before offset.
		i := 0
		for i < len(s.queue) && s.queue[i].id < offset {
			i++
		}
		if i > 0 {
			s.queue = append([]queued(nil), s.queue[i:]...)
			s.notify()
		}
	}
	for {
		result := make([]json.RawMessage, 0, min(limit, len(s.queue)))
		for _, q := range s.queue {
			if len(result) == limit {
				break
			}
			result = append(result, q.raw)
		}
		if len(result) > 0 || timeout <= 0 {
			return result, nil
		}
		ch := s.changes()
		s.mu.Unlock()
		select {
		case <-ch:
			s.mu.Lock()
		case <-deadline.C:
			s.mu.Lock()
			timeout = 0 // answer what there is, likely nothing
		case <-ctx.Done():
			s.mu.Lock()
			return nil, nil
		case <-s.done:
			s.mu.Lock()
			return nil, nil
		}
	}
}

var secretRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)

func (s *Server) setWebhook(p map[string]string) (any, *apiError) {
	if sec := p["secret_token"]; sec != "" && !secretRE.MatchString(sec) {
		return nil, &apiError{status: http.StatusBadRequest, desc: "Bad Request: secret token contains unallowed characters"}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.webhookURL, s.secret = p["url"], p["secret_token"]
	if a := p["allowed_updates"]; a != "" {
		var allowed []string
		if json.Unmarshal([]byte(a), &allowed) == nil {
			s.allowed = allowed
		}
	}
	s.notify()
	return true, nil
}

func badRequest(desc string) *apiError {
	return &apiError{status: http.StatusBadRequest, desc: "Bad Request: " + desc}
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
	// No UTF-8 sequence is longer in UTF-16 code units than in bytes.
	if len(plain) > MaxTextLength && utf16Len(plain) > MaxTextLength {
		return "", badRequest("message is too long")
	}
	return plain, nil
}

// utf16Len is the length of s in UTF-16 code units, an invalid byte
// counting as one (it would be sent as U+FFFD).
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

func (s *Server) chatParam(p map[string]string) (int64, *apiError) {
	v := p["chat_id"]
	if v == "" {
		return 0, badRequest("chat_id is empty")
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id == 0 {
		return 0, badRequest("chat not found")
	}
	return id, nil
}

func (s *Server) sendMessage(p map[string]string, at time.Time) (any, *apiError) {
	chatID, e := s.chatParam(p)
	if e != nil {
		return nil, e
	}
	plain, e := checkText(p["text"], p["parse_mode"])
	if e != nil {
		return nil, e
	}
	buttons, markup, e := checkMarkup(p["reply_markup"])
	if e != nil {
		return nil, e
	}
	replyTo := intParam(p, "reply_to_message_id")

	s.mu.Lock()
	defer s.mu.Unlock()
	if replyTo > 0 && replyTo > s.nextMsg[chatID] && p["allow_sending_without_reply"] != "true" {
		return nil, badRequest("message to reply not found")
	}
	s.nextMsg[chatID]++
	id := s.nextMsg[chatID]
	s.botMsgs[msgKey{chatID, id}] = botMessage{text: p["text"], markup: markup}
	s.sent = append(s.sent, SentMessage{
		Method: "sendMessage", ChatID: chatID, MessageID: id, Text: p["text"], Plain: plain,
		ParseMode: p["parse_mode"], ReplyTo: replyTo, Buttons: buttons, Time: at,
	})
	s.notify()
	return messageResult{id: id, chatID: chatID, date: int(time.Now().Unix()), text: plain, markup: markup}, nil
}

func (s *Server) editMessageText(p map[string]string, at time.Time) (any, *apiError) {
	if p["inline_message_id"] != "" {
		return nil, badRequest("inline messages are not emulated")
	}
	chatID, e := s.chatParam(p)
	if e != nil {
		return nil, e
	}
	msgID := intParam(p, "message_id")
	if msgID <= 0 {
		return nil, badRequest("message identifier is not specified")
	}
	plain, e := checkText(p["text"], p["parse_mode"])
	if e != nil {
		return nil, e
	}
	buttons, markup, e := checkMarkup(p["reply_markup"])
	if e != nil {
		return nil, e
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	key := msgKey{chatID, msgID}
	old, ok := s.botMsgs[key]
	if !ok {
		return nil, badRequest("message to edit not found")
	}
	now := botMessage{text: p["text"], markup: markup}
	if old == now {
		return nil, badRequest("message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message")
	}
	s.botMsgs[key] = now
	s.sent = append(s.sent, SentMessage{
		Method: "editMessageText", ChatID: chatID, MessageID: msgID, Text: p["text"], Plain: plain,
		ParseMode: p["parse_mode"], Buttons: buttons, Time: at,
	})
	s.notify()
	return messageResult{id: msgID, chatID: chatID, date: int(time.Now().Unix()), text: plain, markup: markup}, nil
}

func (s *Server) answerCallbackQuery(p map[string]string) (any, *apiError) {
	id := p["callback_query_id"]
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.callbacks[id]; !ok {
		return nil, badRequest("query is too old and response timeout expired or query ID is invalid")
	}
	s.callbacks[id] = true
	s.answered = append(s.answered, id)
	s.notify()
	return true, nil
}

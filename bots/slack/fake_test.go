package slack_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack/slacktest"

	"github.com/tebingtinggi/hub/storage/storagetest"
)

func TestMain(m *testing.M) { os.Exit(storagetest.Main(m)) }

const (
	botToken = "xoxb-test-token-1234567890"
	appToken = "xapp-test-token-0987654321"
	secret   = "signing-secret-for-tests"
)

// call is one Web API call the fake received.
type call struct {
	Method string
	Form   url.Values
	JSON   map[string]any
	At     time.Time
}

// fakeSlack is slack-go's slacktest server with the methods the hub
// calls and slacktest lacks (or answers without recording), recording
// every call.
type fakeSlack struct {
	srv *slacktest.Server
	mu  sync.Mutex
	// calls, in order.
	calls []call
	seq   int
	// fault, when set, answers a method call instead of the fake.
	fault func(method, channel string) (status int, retryAfter int)
	// members of user groups.
	members map[string][]string
	// groupError, when set, is Slack's error to usergroups.users.list
	// ("missing_scope").
	groupError string
	// uploads are the files uploaded to the URLs files.getUploadURLExternal
	// gave, by Slack file id; they are present from their upload on, shared
	// or not.
	uploads map[string][]byte
	// present are the messages (ts) and files (id) in Slack, to delete.
	present map[string]bool
	// messages are the messages posted, by ts: what conversations.replies
	// shows of those present.
	messages map[string]message
	// lose, when set and true for a post or a deletion, performs it and
	// answers an error, as when Slack's answer is lost on the way.
	lose func(method string) bool
	// hold, when set and giving a channel for a call, keeps the call
	// waiting until that channel is closed, then answers it.
	hold func(c call) <-chan struct{}
}

// The fake's bot, as auth.test names it.
const (
	botUser = "UHUBBOT"
	botID   = "BHUBBOT"
)

// message is a message in the fake Slack.
type message struct {
	TS, Thread, User, BotID, Text string
	Files                         []string
}

func newFakeSlack(t *testing.T) *fakeSlack { return newFakeSlackWith(t, nil) }

// customMux is where a test adds endpoints of its own to the fake.
type customMux interface {
	Handle(pattern string, handler http.HandlerFunc)
}

// newFakeSlackWith is newFakeSlack with more endpoints, which win over
// slacktest's own.
func newFakeSlackWith(t *testing.T, custom func(customMux)) *fakeSlack {
	t.Helper()
	f := &fakeSlack{members: map[string][]string{}, uploads: map[string][]byte{}, present: map[string]bool{}, messages: map[string]message{}}
	f.srv = slacktest.NewTestServer(func(c slacktest.Customize) {
		if custom != nil {
			custom(c)
		}
		for _, m := range []string{"chat.postMessage", "chat.update", "chat.postEphemeral", "views.open", "views.update", "usergroups.users.list",
			"files.getUploadURLExternal", "files.completeUploadExternal", "chat.delete", "files.delete", "auth.test", "conversations.replies",
			"conversations.open"} {
			c.Handle("/"+m, f.handler(m))
		}
		c.Handle("/upload/", f.upload)
		c.Handle("/respond/", f.respond)
	})
	f.srv.Start()
	t.Cleanup(f.srv.Stop)
	return f
}

func (f *fakeSlack) URL() string { return f.srv.GetAPIURL() }

func (f *fakeSlack) handler(method string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		c := call{Method: method, At: time.Now()}
		if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			_ = json.Unmarshal(body, &c.JSON)
		} else {
			c.Form, _ = url.ParseQuery(string(body))
		}
		w.Header().Set("Content-Type", "application/json")
		if r.Header.Get("Authorization") != "Bearer "+botToken && c.Form.Get("token") != botToken {
			_, _ = io.WriteString(w, `{"ok":false,"error":"invalid_auth"}`)
			return
		}
		f.mu.Lock()
		fault := f.fault
		f.mu.Unlock()
		if fault != nil {
			if status, after := fault(method, c.Form.Get("channel")); status != 0 {
				if after > 0 {
					w.Header().Set("Retry-After", fmt.Sprint(after))
				}
				w.WriteHeader(status)
				_, _ = io.WriteString(w, `{"ok":false,"error":"ratelimited"}`)
				return
			}
		}
		f.mu.Lock()
		hold := f.hold
		f.mu.Unlock()
		if hold != nil {
			if release := hold(c); release != nil {
				<-release
			}
		}
		f.mu.Lock()
		f.calls = append(f.calls, c)
		f.seq++
		seq := f.seq // read under the lock: handlers run concurrently
		ts := fmt.Sprintf("1700000000.%06d", seq)
		members := f.members[c.Form.Get("usergroup")]
		groupError := f.groupError
		f.mu.Unlock()
		switch method {
		case "chat.update", "chat.postMessage":
			m := message{TS: ts, Thread: c.Form.Get("thread_ts"), User: botUser, BotID: botID, Text: c.Form.Get("text")}
			if method == "chat.update" {
				ts = c.Form.Get("ts")
				f.mu.Lock()
				m = f.messages[ts]
				f.mu.Unlock()
				m.Text = c.Form.Get("text")
			}
			f.mu.Lock()
			f.present[ts] = true
			f.messages[ts] = m
			lose := f.lose
			f.mu.Unlock()
			if lose != nil && lose(method) {
				w.WriteHeader(http.StatusBadGateway)
				return
			}
			_ = json.NewEncoder(w).Encode(map[string]any{"ok": true, "channel": c.Form.Get("channel"), "ts": ts})
		case "auth.test":
			_ = json.NewEncoder(w).Encode(map[string]any{"ok": true, "user_id": botUser, "bot_id": botID, "user": "hub", "team_id": "T1"})
		case "conversations.replies":
			f.replies(w, c.Form)
		case "conversations.open":
			// The app's DM with user U0NAME is D0NAME.
			dm := "D" + strings.TrimPrefix(c.Form.Get("users"), "U")
			_ = json.NewEncoder(w).Encode(map[string]any{"ok": true, "channel": map[string]any{"id": dm}})
		case "chat.postEphemeral":
			_ = json.NewEncoder(w).Encode(map[string]any{"ok": true, "message_ts": ts})
		case "views.open", "views.update":
			_ = json.NewEncoder(w).Encode(map[string]any{"ok": true, "view": map[string]any{"id": "V" + fmt.Sprint(seq)}})
		case "usergroups.users.list":
			if groupError != "" {
				_ = json.NewEncoder(w).Encode(map[string]any{"ok": false, "error": groupError})
				return
			}
			_ = json.NewEncoder(w).Encode(map[string]any{"ok": true, "users": members})
		case "files.getUploadURLExternal":
			id := fmt.Sprintf("F%06d", seq)
			_ = json.NewEncoder(w).Encode(map[string]any{"ok": true, "file_id": id, "upload_url": f.URL() + "upload/" + id})
		case "files.completeUploadExternal":
			var files []map[string]string
			_ = json.Unmarshal([]byte(c.Form.Get("files")), &files)
			// The files are shared in one message of the bot's user (a
			// file share has no bot_id), its comment as text.
			m := message{TS: ts, Thread: c.Form.Get("thread_ts"), User: botUser, Text: c.Form.Get("initial_comment")}
			f.mu.Lock()
			for _, file := range files {
				if !f.present[file["id"]] {
					f.mu.Unlock()
					_, _ = io.WriteString(w, `{"ok":false,"error":"file_not_found"}`)
					return
				}
				f.present[file["id"]] = true
				m.Files = append(m.Files, file["id"])
			}
			f.present[ts] = true
			f.messages[ts] = m
			f.mu.Unlock()
			_ = json.NewEncoder(w).Encode(map[string]any{"ok": true, "files": files})
		case "chat.delete", "files.delete":
			id, missing := c.Form.Get("ts"), "message_not_found"
			if method == "files.delete" {
				id, missing = c.Form.Get("file"), "file_not_found"
			}
			f.mu.Lock()
			there := f.present[id]
			delete(f.present, id)
			lose := f.lose
			f.mu.Unlock()
			switch {
			case !there:
				_, _ = io.WriteString(w, `{"ok":false,"error":"`+missing+`"}`)
			case lose != nil && lose(method):
				w.WriteHeader(http.StatusBadGateway)
			default:
				_ = json.NewEncoder(w).Encode(map[string]any{"ok": true, "channel": c.Form.Get("channel"), "ts": id})
			}
		}
	}
}

// ResponseURL is a slash command's response_url in the fake.
func (f *fakeSlack) ResponseURL(id string) string { return f.URL() + "respond/" + id }

// respond receives what the app posts to a slash command's response_url
// (no token: the URL is the credential), recorded as a call of
// "response_url" whose form holds the URL's id as "id".
func (f *fakeSlack) respond(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	c := call{Method: "response_url", At: time.Now(), Form: url.Values{"id": {strings.TrimPrefix(r.URL.Path, "/respond/")}}}
	_ = json.Unmarshal(body, &c.JSON)
	if strings.HasPrefix(c.Form.Get("id"), "expired") {
		// Slack's answer once the URL's 30 minutes are over.
		http.Error(w, "expired_url", http.StatusNotFound)
		return
	}
	f.mu.Lock()
	f.calls = append(f.calls, c)
	f.mu.Unlock()
	_, _ = io.WriteString(w, "ok")
}

// Present reports whether the message (ts) or file (id) is in Slack.
func (f *fakeSlack) Present(id string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.present[id]
}

// addMessage puts a message someone else (user) posted (ts) in thread
// in Slack.
func (f *fakeSlack) addMessage(ts, thread, user string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.present[ts] = true
	f.messages[ts] = message{TS: ts, Thread: thread, User: user, Text: "pesan dari " + user}
}

// setLose loses the answers of the posts and deletions lose picks (nil:
// none).
func (f *fakeSlack) setLose(lose func(method string) bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lose = lose
}

// setHold holds the calls hold gives a channel for (nil: none).
func (f *fakeSlack) setHold(hold func(c call) <-chan struct{}) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.hold = hold
}

// replies answers conversations.replies: the thread's first message and
// its replies that are present, oldest first, limit a page (the cursor
// is where the page starts), with the files still present.
func (f *fakeSlack) replies(w http.ResponseWriter, form url.Values) {
	thread := form.Get("ts")
	f.mu.Lock()
	var msgs []message
	for ts, m := range f.messages {
		if f.present[ts] && (ts == thread || m.Thread == thread) {
			m.Files = slices.DeleteFunc(slices.Clone(m.Files), func(id string) bool { return !f.present[id] })
			msgs = append(msgs, m)
		}
	}
	f.mu.Unlock()
	if len(msgs) == 0 {
		_, _ = io.WriteString(w, `{"ok":false,"error":"thread_not_found"}`)
		return
	}
	slices.SortFunc(msgs, func(a, b message) int { return strings.Compare(a.TS, b.TS) })
	start, _ := strconv.Atoi(form.Get("cursor"))
	limit, _ := strconv.Atoi(form.Get("limit"))
	if limit <= 0 {
		limit = 1000
	}
	end := min(start+limit, len(msgs))
	var page []map[string]any
	for _, m := range msgs[min(start, end):end] {
		var files []map[string]string
		for _, id := range m.Files {
			files = append(files, map[string]string{"id": id})
		}
		page = append(page, map[string]any{"type": "message", "ts": m.TS, "thread_ts": thread, "user": m.User, "bot_id": m.BotID, "text": m.Text, "files": files})
	}
	next := ""
	if end < len(msgs) {
		next = strconv.Itoa(end)
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"ok": true, "messages": page, "has_more": next != "",
		"response_metadata": map[string]any{"next_cursor": next}})
}

// threadLeft are the messages present in thread (not its first) that
// the bot posted.
func (f *fakeSlack) threadLeft(thread string) []message {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []message
	for ts, m := range f.messages {
		if f.present[ts] && m.Thread == thread && ts != thread && m.User == botUser {
			out = append(out, m)
		}
	}
	slices.SortFunc(out, func(a, b message) int { return strings.Compare(a.TS, b.TS) })
	return out
}

// holding is what a message or file of the citizen's shows: the messages
// present whose text holds one of words, and the uploaded files present.
func (f *fakeSlack) holding(words ...string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for ts, m := range f.messages {
		for _, w := range words {
			if f.present[ts] && strings.Contains(m.Text, w) {
				out = append(out, fmt.Sprintf("message %s: %q", ts, m.Text))
			}
		}
	}
	for id := range f.uploads {
		if f.present[id] {
			out = append(out, "file "+id)
		}
	}
	return out
}

// upload receives a file at the URL files.getUploadURLExternal gave, as
// Slack's upload endpoint does: a multipart form with the file as "file".
func (f *fakeSlack) upload(w http.ResponseWriter, r *http.Request) {
	id := strings.TrimPrefix(r.URL.Path, "/upload/")
	file, _, err := r.FormFile("file")
	if err != nil {
		http.Error(w, "no file", http.StatusBadRequest)
		return
	}
	data, _ := io.ReadAll(file)
	f.mu.Lock()
	f.uploads[id] = data
	f.present[id] = true // in Slack, unshared until completed
	f.mu.Unlock()
	_, _ = io.WriteString(w, "OK - "+fmt.Sprint(len(data)))
}

// Upload returns the file uploaded as Slack file id.
func (f *fakeSlack) Upload(id string) []byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.uploads[id]
}

// setFault answers calls through fault (nil: normally) from now on.
func (f *fakeSlack) setFault(fault func(method, channel string) (status int, retryAfter int)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fault = fault
}

// Calls returns the calls of method so far.
func (f *fakeSlack) Calls(method string) []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []call
	for _, c := range f.calls {
		if c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// waitCalls waits until method was called at least n times and returns
// the calls.
func (f *fakeSlack) waitCalls(t *testing.T, method string, n int) []call {
	t.Helper()
	var got []call
	waitFor(t, 15*time.Second, fmt.Sprintf("%d calls of %s", n, method), func() bool {
		got = f.Calls(method)
		return len(got) >= n
	})
	return got
}

// waitFor polls cond until it holds or the time is up.
func waitFor(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		<-tick.C
	}
}

// syncBuffer is a log destination safe for concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func testLogger(t *testing.T) (*slog.Logger, *syncBuffer) {
	buf := &syncBuffer{}
	t.Cleanup(func() {
		for _, s := range []string{botToken, appToken, secret} {
			if strings.Contains(buf.String(), s) {
				t.Errorf("a secret appears in the logs:\n%s", buf.String())
			}
		}
	})
	return slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug})), buf
}

// ctxFor returns a context cancelled at the test's end.
func ctxFor(t *testing.T) context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	return ctx
}

package slack_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/tebingtinggi/hub/bots"
	hubslack "github.com/tebingtinggi/hub/bots/slack"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

func newSender(t *testing.T, f *fakeSlack, token string, every time.Duration) *hubslack.Adapter {
	t.Helper()
	log, _ := testLogger(t)
	a, err := hubslack.New(hubslack.Config{BotToken: token, SigningSecret: secret, APIURL: f.URL(),
		DB: storagetest.Open(t, storage.SQLite), Logger: log, PerChannel: every})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func blocksOf(t *testing.T, c call) []map[string]any {
	t.Helper()
	var blocks []map[string]any
	if err := json.Unmarshal([]byte(c.Form.Get("blocks")), &blocks); err != nil {
		t.Fatalf("blocks of %s: %v", c.Method, err)
	}
	return blocks
}

func TestSendRendersBlockKit(t *testing.T) {
	f := newFakeSlack(t)
	a := newSender(t, f, botToken, time.Millisecond)
	ctx := ctxFor(t)
	out := bots.Outgoing{Platform: bots.Slack, ChatID: "C9", Text: "Syarat <b>KTP</b> & KK\n<!channel>",
		Buttons: [][]bots.Button{{{Text: "Ya", Data: "yes:1"}, {Text: "Tidak", Data: "no:1"}}, {{Text: "Tanya petugas", Data: "human"}}}}
	ts, err := a.Send(ctx, out)
	if err != nil || ts == "" {
		t.Fatalf("Send = %q, %v", ts, err)
	}
	post := f.Calls("chat.postMessage")[0]
	if post.Form.Get("channel") != "C9" || post.Form.Get("text") != "Syarat &lt;b&gt;KTP&lt;/b&gt; &amp; KK\n&lt;!channel&gt;" {
		t.Errorf("posted %v", post.Form)
	}
	blocks := blocksOf(t, post)
	if len(blocks) != 3 || blocks[0]["type"] != "section" || blocks[1]["type"] != "actions" || blocks[2]["type"] != "actions" {
		t.Fatalf("blocks = %v", blocks)
	}
	if txt := blocks[0]["text"].(map[string]any)["text"]; txt != "Syarat &lt;b&gt;KTP&lt;/b&gt; &amp; KK\n&lt;!channel&gt;" {
		t.Errorf("section text = %q", txt)
	}
	elems := blocks[1]["elements"].([]any)
	if len(elems) != 2 || elems[1].(map[string]any)["value"] != "no:1" {
		t.Errorf("first row = %v", elems)
	}

	// An edit replaces that message; a reply goes to its thread.
	if _, err := a.Send(ctx, bots.Outgoing{ChatID: "C9", Text: "diperbarui", EditOf: ts}); err != nil {
		t.Fatal(err)
	}
	if up := f.Calls("chat.update"); len(up) != 1 || up[0].Form.Get("ts") != ts || up[0].Form.Get("channel") != "C9" {
		t.Errorf("chat.update calls = %v", up)
	}
	if _, err := a.Send(ctx, bots.Outgoing{ChatID: "C9", Text: "di utas", ReplyTo: ts}); err != nil {
		t.Fatal(err)
	}
	if posts := f.Calls("chat.postMessage"); len(posts) != 2 || posts[1].Form.Get("thread_ts") != ts {
		t.Errorf("reply in thread: %v", posts)
	}

	// A long text is cut into sections Slack accepts.
	long := strings.Repeat("kata ", 1500)
	if _, err := a.Send(ctx, bots.Outgoing{ChatID: "C9", Text: long}); err != nil {
		t.Fatal(err)
	}
	posts := f.Calls("chat.postMessage")
	var total int
	for _, b := range blocksOf(t, posts[len(posts)-1]) {
		txt := b["text"].(map[string]any)["text"].(string)
		if n := len([]rune(txt)); n > hubslack.MaxSectionText {
			t.Errorf("a section has %d characters", n)
		}
		total += len(strings.Fields(txt))
	}
	if total != 1500 {
		t.Errorf("sections hold %d words; want 1500", total)
	}
}

func TestSendRefusesWhatSlackWould(t *testing.T) {
	f := newFakeSlack(t)
	a := newSender(t, f, botToken, time.Millisecond)
	for name, out := range map[string]bots.Outgoing{
		"other platform": {Platform: bots.Telegram, ChatID: "C1", Text: "x"},
		"no channel":     {Text: "x"},
		"no text":        {ChatID: "C1", Text: "  "},
		"button no text": {ChatID: "C1", Text: "x", Buttons: [][]bots.Button{{{Data: "d"}}}},
		"button no data": {ChatID: "C1", Text: "x", Buttons: [][]bots.Button{{{Text: "t"}}}},
		"button data too long": {ChatID: "C1", Text: "x",
			Buttons: [][]bots.Button{{{Text: "t", Data: strings.Repeat("d", hubslack.MaxButtonValue+1)}}}},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := a.Send(ctxFor(t), out)
			if ok, _ := bots.Retryable(err); err == nil || ok {
				t.Errorf("Send = %v; want a permanent error", err)
			}
		})
	}
	if n := len(f.Calls("chat.postMessage")); n != 0 {
		t.Errorf("%d messages reached Slack", n)
	}
}

func TestSendClassifiesFailures(t *testing.T) {
	f := newFakeSlack(t)
	a := newSender(t, f, botToken, time.Millisecond)
	f.setFault(func(method, channel string) (int, int) {
		if channel == "CLIMIT" {
			return 429, 3
		}
		return 0, 0
	})
	_, err := a.Send(ctxFor(t), bots.Outgoing{ChatID: "CLIMIT", Text: "x"})
	var se *bots.SendError
	if !errors.As(err, &se) || se.RetryAfter != 3*time.Second {
		t.Fatalf("rate limited: %v; want RetryAfter 3s", err)
	}
	if !errors.As(err, new(*slack.RateLimitedError)) {
		t.Errorf("rate limited: %v does not wrap slack.RateLimitedError", err)
	}
	// The channel stays quiet until Slack's pause has passed.
	short, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	f.setFault(nil)
	if _, err := a.Send(short, bots.Outgoing{ChatID: "CLIMIT", Text: "x"}); err == nil {
		t.Error("sent within Slack's Retry-After")
	}
	if _, err := a.Send(ctxFor(t), bots.Outgoing{ChatID: "COTHER", Text: "x"}); err != nil {
		t.Errorf("another channel is held back too: %v", err)
	}
	f.setFault(func(string, string) (int, int) { return 503, 0 })
	if _, err := a.Send(ctxFor(t), bots.Outgoing{ChatID: "CDOWN", Text: "x"}); !errors.As(err, &se) || !se.Temporary {
		t.Errorf("server error: %v; want temporary", err)
	}
	f.setFault(nil)

	bad := newSender(t, f, "xoxb-wrong-token", time.Millisecond)
	_, err = bad.Send(ctxFor(t), bots.Outgoing{ChatID: "C1", Text: "x"})
	if ok, _ := bots.Retryable(err); err == nil || ok || strings.Contains(err.Error(), "xoxb-wrong-token") {
		t.Errorf("refused token: %v; want a permanent error without the token", err)
	}
}

func TestSendSpacesMessagesPerChannel(t *testing.T) {
	f := newFakeSlack(t)
	const every = 150 * time.Millisecond
	a := newSender(t, f, botToken, every)
	// Four messages to one channel, each sent after the last returned,
	// cannot take less than three pauses: timers never fire early.
	start := time.Now()
	for range 4 {
		if _, err := a.Send(ctxFor(t), bots.Outgoing{ChatID: "CA", Text: "x"}); err != nil {
			t.Fatal(err)
		}
	}
	if took := time.Since(start); took < 3*every {
		t.Errorf("four messages to one channel took %s; want at least %s", took, 3*every)
	}
	if n := len(f.Calls("chat.postMessage")); n != 4 {
		t.Errorf("%d messages reached Slack; want 4", n)
	}
}

// A deletion of a thread (Delete with ReplyTo) reads every page of the
// thread and deletes the bot's posts and their files, and nothing else:
// not the thread's first message, not an officer's reply, not the bot's
// post in another thread. Sent again, it deletes nothing more; a thread
// Slack no longer has counts as deleted.
func TestSendDeletesTheBotsPostsInAThread(t *testing.T) {
	f := newFakeSlack(t)
	a := newSender(t, f, botToken, time.Millisecond)
	ctx := ctxFor(t)
	const parent, other, officer = "1700000000.500000", "1700000000.600000", "1700000002.000001"
	f.addMessage(parent, "", botUser)
	f.addMessage(other, "", botUser)
	f.addMessage("1700000002.000002", other, botUser)
	f.addMessage(officer, parent, "U1")
	const posts = 250 // more than one page of conversations.replies
	for i := range posts {
		f.addMessage(fmt.Sprintf("1700000001.%06d", i), parent, botUser)
	}
	f.mu.Lock()
	m := f.messages["1700000001.000007"]
	m.Files = []string{"FPHOTO"}
	f.messages[m.TS] = m
	f.present["FPHOTO"] = true
	f.mu.Unlock()

	out := bots.Outgoing{Platform: bots.Slack, ChatID: "CDESK", ReplyTo: parent, Delete: true}
	if id, err := a.Send(ctx, out); err != nil || id != parent {
		t.Fatalf("Send = %q, %v; want the thread deleted", id, err)
	}
	if left := f.threadLeft(parent); len(left) > 0 || f.Present("FPHOTO") {
		t.Errorf("%d posts of the bot left in the thread, the file present %v; want none", len(left), f.Present("FPHOTO"))
	}
	for _, ts := range []string{parent, other, "1700000002.000002", officer} {
		if !f.Present(ts) {
			t.Errorf("message %s was deleted; want it kept", ts)
		}
	}
	if n := len(f.Calls("conversations.replies")); n != 2 {
		t.Errorf("%d pages read; want 2", n)
	}
	if n := len(f.Calls("chat.delete")); n != posts {
		t.Errorf("%d chat.delete calls; want %d", n, posts)
	}
	if _, err := a.Send(ctx, out); err != nil || len(f.Calls("chat.delete")) != posts {
		t.Errorf("sent again: %v, %d chat.delete calls; want nothing more deleted", err, len(f.Calls("chat.delete")))
	}
	gone := bots.Outgoing{Platform: bots.Slack, ChatID: "CDESK", ReplyTo: "1700000009.000000", Delete: true}
	if _, err := a.Send(ctx, gone); err != nil {
		t.Errorf("a thread Slack no longer has: %v; want it counted as deleted", err)
	}
}

// manualClock is a clock the test moves.
type manualClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *manualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *manualClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// deletions are the chat.delete and files.delete calls that reached the
// fake, in order: the ts or file id each deleted.
func (f *fakeSlack) deletions() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, c := range f.calls {
		switch c.Method {
		case "chat.delete":
			out = append(out, c.Form.Get("ts"))
		case "files.delete":
			out = append(out, c.Form.Get("file"))
		}
	}
	return out
}

// A thread's deletion takes the channel's slot for each deletion, files
// before their message: with one slot a minute on the adapter's clock
// and a send that may last 30 seconds, each send deletes one post or
// file and asks to be sent again when the next slot comes (sent again
// before the clock moves, it deletes nothing). A 429 in the middle is
// honoured the same way, and the sends that follow go on where the last
// stopped: every post and file deleted once, none left, none twice.
func TestSendPacesTheDeletionsOfAThread(t *testing.T) {
	f := newFakeSlack(t)
	clock := &manualClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	log, _ := testLogger(t)
	a, err := hubslack.New(hubslack.Config{BotToken: botToken, SigningSecret: secret, APIURL: f.URL(),
		DB: storagetest.Open(t, storage.SQLite), Logger: log, PerChannel: time.Minute, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	const parent, officer = "1700000000.500000", "1700000002.000001"
	f.addMessage(parent, "", botUser)
	f.addMessage(officer, parent, "U1")
	var posts []string
	for i := range 5 {
		ts := fmt.Sprintf("1700000001.%06d", i)
		f.addMessage(ts, parent, botUser)
		posts = append(posts, ts)
	}
	f.mu.Lock()
	m := f.messages[posts[1]]
	m.Files = []string{"FDOC"}
	f.messages[m.TS] = m
	f.present["FDOC"] = true
	f.mu.Unlock()
	want := []string{posts[0], "FDOC", posts[1], posts[2], posts[3], posts[4]}
	// Slack limits the third deletion.
	var limited atomic.Bool
	f.setFault(func(method, _ string) (int, int) {
		if (method == "chat.delete" || method == "files.delete") && len(f.deletions()) == 2 && limited.CompareAndSwap(false, true) {
			return http.StatusTooManyRequests, 90
		}
		return 0, 0
	})

	ctx, cancel := context.WithTimeout(ctxFor(t), 30*time.Second)
	defer cancel()
	out := bots.Outgoing{Platform: bots.Slack, ChatID: "CDESK", ReplyTo: parent, Delete: true}
	done := false
	for round := 1; round <= 2*len(want) && !done; round++ {
		before := len(f.deletions())
		id, err := a.Send(ctx, out)
		if did := len(f.deletions()) - before; did > 1 {
			t.Fatalf("send %d deleted %d posts and files; want at most one per slot", round, did)
		}
		if err == nil {
			if id != parent {
				t.Errorf("send %d = %q; want the thread %s", round, id, parent)
			}
			done = true
			break
		}
		retry, after := bots.Retryable(err)
		if !retry || after < 30*time.Second {
			t.Fatalf("send %d: %v; want it to come back at the next slot", round, err)
		}
		if round == 1 {
			again, err := a.Send(ctx, out)
			if retry, _ := bots.Retryable(err); !retry || len(f.deletions()) != 1 {
				t.Fatalf("sent again before the clock moved: %q, %v, %d deletions; want none more and a retry", again, err, len(f.deletions()))
			}
		}
		clock.Add(after)
	}
	if !done {
		t.Fatalf("the thread's deletion never finished; deleted %v", f.deletions())
	}
	if !limited.Load() {
		t.Error("Slack's 429 was never answered; the test did not test resuming")
	}
	if got := f.deletions(); !slices.Equal(got, want) {
		t.Errorf("deleted %v; want %v, each once, files before their message", got, want)
	}
	if left := f.threadLeft(parent); len(left) > 0 || !f.Present(parent) || !f.Present(officer) {
		t.Errorf("left %v; parent present %v, officer's reply present %v", left, f.Present(parent), f.Present(officer))
	}
}

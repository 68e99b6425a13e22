package telegram

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/bots/telegram/telegramtest"
)

// fastLimits keep the limiter in the tests but make its gaps short.
func fastLimits(c *Config) {
	c.Limits = Limits{
		Global:   Rate{Events: 1000, Per: time.Second},
		PerChat:  Rate{Events: 1, Per: 20 * time.Millisecond},
		PerGroup: Rate{Events: 1, Per: 40 * time.Millisecond},
	}
}

func sendErr(t *testing.T, err error) *bots.SendError {
	t.Helper()
	var se *bots.SendError
	if !errors.As(err, &se) {
		t.Fatalf("error %v (%T) is not a *bots.SendError", err, err)
	}
	return se
}

func TestSendEscapesHTML(t *testing.T) {
	f := newFixture(t, fastLimits)
	text := `<script>alert("hi")</script> & "AT&T" <b>bold?</b> 1 < 2 > 0`
	id, err := f.a.Send(context.Background(), bots.Outgoing{Platform: bots.Telegram, ChatID: "42", Text: text})
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	sent := f.srv.Sent()
	if len(sent) != 1 {
		t.Fatalf("sent %d", len(sent))
	}
	m := sent[0]
	if m.Plain != text || m.ParseMode != "HTML" || strconv.Itoa(m.MessageID) != id {
		t.Errorf("sent %+v, id %s", m, id)
	}
	if !strings.Contains(m.Text, "&lt;script&gt;") || !strings.Contains(m.Text, "AT&amp;T") {
		t.Errorf("not escaped: %q", m.Text)
	}
}

func TestSendSplitsLongText(t *testing.T) {
	f := newFixture(t, fastLimits)
	var paras []string
	for i := 0; len(strings.Join(paras, "\n\n")) < 10000; i++ {
		paras = append(paras, fmt.Sprintf("Paragraf %d: ", i)+strings.TrimSpace(strings.Repeat("syarat KTP & KK <lengkap>. ", 10)))
	}
	text := strings.Join(paras, "\n\n")
	buttons := [][]bots.Button{{{Text: "Ya", Data: "yes"}, {Text: "Tidak", Data: "no"}}}
	id, err := f.a.Send(context.Background(), bots.Outgoing{ChatID: "42", Text: text, Buttons: buttons, ReplyTo: "5"})
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	sent := f.srv.Sent()
	if len(sent) < 3 {
		t.Fatalf("sent %d parts, want ≥ 3", len(sent))
	}
	var plains []string
	for i, m := range sent {
		if n := len(utf16.Encode([]rune(m.Text))); n > MaxMessageLength {
			t.Errorf("part %d is %d long", i, n)
		}
		last := i == len(sent)-1
		if last != (m.Buttons != nil) {
			t.Errorf("part %d: buttons %v", i, m.Buttons)
		}
		if (i == 0) != (m.ReplyTo == 5) {
			t.Errorf("part %d: reply_to %d", i, m.ReplyTo)
		}
		if !strings.HasPrefix(m.Plain, "Paragraf ") || !strings.HasSuffix(m.Plain, "<lengkap>.") {
			t.Errorf("part %d not cut at a paragraph boundary: %q … %q", i, m.Plain[:20], m.Plain[len(m.Plain)-20:])
		}
		plains = append(plains, m.Plain)
	}
	if strings.Join(plains, "\n\n") != text {
		t.Errorf("parts do not add up to the text")
	}
	if want := strconv.Itoa(sent[len(sent)-1].MessageID); id != want {
		t.Errorf("returned id %s, want last part's %s", id, want)
	}
	if !slices.Equal(sent[len(sent)-1].Buttons[0], []telegramtest.Button{{Text: "Ya", Data: "yes"}, {Text: "Tidak", Data: "no"}}) {
		t.Errorf("buttons %v", sent[len(sent)-1].Buttons)
	}
}

func TestSplitText(t *testing.T) {
	check := func(name string, text string, limit int, want []string) {
		t.Helper()
		if got := splitText(text, limit); !slices.Equal(got, want) {
			t.Errorf("%s: got %q, want %q", name, got, want)
		}
	}
	check("fits", "abc", 10, []string{"abc"})
	check("empty", "  \n ", 10, nil)
	check("paragraph first", "aaa bbb\nccc\n\nddd", 14, []string{"aaa bbb\nccc", "ddd"})
	check("then line", "aaa bbb\nccc ddd", 12, []string{"aaa bbb", "ccc ddd"})
	check("then space", "aaa bbb ccc", 9, []string{"aaa bbb", "ccc"})
	check("hard cut", "abcdefghij", 4, []string{"abcd", "efgh", "ij"})
	check("separator right after limit", "abcd\n\nefgh", 4, []string{"abcd", "efgh"})
	check("escaping counts", "&&&&", 10, []string{"&&", "&&"})
	check("surrogates count two", "😀😀😀", 4, []string{"😀😀", "😀"})
	check("no rune split", "ééé", 2, []string{"éé", "é"})

	long := strings.Repeat("x", 9000)
	for _, p := range splitText(long, MaxMessageLength) {
		if len(p) > MaxMessageLength {
			t.Errorf("hard-cut part of %d", len(p))
		}
	}
}

func TestSendEdit(t *testing.T) {
	f := newFixture(t, fastLimits)
	ctx := context.Background()
	kb := [][]bots.Button{{{Text: "Lanjut", Data: "next"}}}
	id, err := f.a.Send(ctx, bots.Outgoing{ChatID: "42", Text: "Pilih layanan", Buttons: kb})
	if err != nil {
		t.Fatal(err)
	}
	edit := bots.Outgoing{ChatID: "42", Text: "Pilih layanan: KTP", EditOf: id}
	got, err := f.a.Send(ctx, edit)
	if err != nil || got != id {
		t.Fatalf("edit = %q, %v", got, err)
	}
	sent := f.srv.Sent()
	if len(sent) != 2 || sent[1].Method != "editMessageText" || sent[1].Plain != "Pilih layanan: KTP" || sent[1].Buttons != nil {
		t.Errorf("sent %+v", sent)
	}
	// The same edit again: Telegram says "message is not modified", which
	// is success.
	if got, err := f.a.Send(ctx, edit); err != nil || got != id {
		t.Errorf("repeated edit = %q, %v", got, err)
	}
	// Editing an unknown message is a permanent failure.
	_, err = f.a.Send(ctx, bots.Outgoing{ChatID: "42", Text: "x", EditOf: "999"})
	if se := sendErr(t, err); se.Temporary || se.RetryAfter != 0 {
		t.Errorf("unknown message: %+v", se)
	}
}

func TestSendRejectsBadOutgoing(t *testing.T) {
	f := newFixture(t, fastLimits)
	long := strings.Repeat("d", MaxButtonData+1)
	cases := map[string]bots.Outgoing{
		"button data too long": {ChatID: "42", Text: "x", Buttons: [][]bots.Button{{{Text: "a", Data: long}}}},
		"button data empty":    {ChatID: "42", Text: "x", Buttons: [][]bots.Button{{{Text: "a"}}}},
		"empty text":           {ChatID: "42", Text: " \n"},
		"bad chat":             {ChatID: "@kota", Text: "x"},
		"other platform":       {Platform: bots.Slack, ChatID: "42", Text: "x"},
		"bad reply":            {ChatID: "42", Text: "x", ReplyTo: "abc"},
	}
	for name, out := range cases {
		_, err := f.a.Send(context.Background(), out)
		if retry, _ := bots.Retryable(err); err == nil || retry {
			t.Errorf("%s: err %v, retryable %v", name, err, retry)
		}
	}
	_, err := f.a.Send(context.Background(), cases["button data too long"])
	if !strings.Contains(err.Error(), "64") {
		t.Errorf("unclear error: %v", err)
	}
	if n := f.srv.Calls("sendMessage"); n != 0 {
		t.Errorf("%d sendMessage calls", n)
	}
}

func TestSendPerChatLimit(t *testing.T) {
	f := newFixture(t, fastLimits)
	ctx := context.Background()
	var wg sync.WaitGroup
	for i := range 5 {
		wg.Go(func() {
			if _, err := f.a.Send(ctx, bots.Outgoing{ChatID: "42", Text: fmt.Sprint("pesan ", i)}); err != nil {
				t.Error(err)
			}
		})
		wg.Go(func() {
			if _, err := f.a.Send(ctx, bots.Outgoing{ChatID: "-4242", Text: fmt.Sprint("grup ", i)}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := len(f.srv.Sent()); n != 10 {
		t.Fatalf("sent %d", n)
	}
	if v := f.srv.PerChatViolations(20 * time.Millisecond); len(v) != 0 {
		t.Errorf("per-chat gaps violated: %v", v)
	}
	var group []telegramtest.Attempt
	for _, a := range f.srv.Attempts() {
		if a.ChatID == -4242 {
			group = append(group, a)
		}
	}
	for i := 1; i < len(group); i++ {
		if gap := group[i].Time.Sub(group[i-1].Time); gap < 40*time.Millisecond {
			t.Errorf("group gap %s < 40ms", gap)
		}
	}
}

func TestSendDifferentChatsInParallel(t *testing.T) {
	f := newFixture(t, fastLimits)
	// The fake holds every sendMessage until all six have arrived: that
	// only happens if the sends run in parallel.
	const n = 6
	var mu sync.Mutex
	arrived, all := 0, make(chan struct{})
	timedOut := false
	f.srv.SetFaults(func(method string, _ int64) telegramtest.Fault {
		mu.Lock()
		if arrived++; arrived == n {
			close(all)
		}
		mu.Unlock()
		select {
		case <-all:
		case <-time.After(3 * time.Second):
			mu.Lock()
			timedOut = true
			mu.Unlock()
		}
		return telegramtest.Fault{}
	})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			if _, err := f.a.Send(context.Background(), bots.Outgoing{ChatID: strconv.Itoa(100 + i), Text: "x"}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	if timedOut {
		t.Errorf("sends to different chats did not run in parallel")
	}
}

func TestSendGlobalLimit(t *testing.T) {
	f := newFixture(t, func(c *Config) {
		fastLimits(c)
		c.Limits.Global = Rate{Events: 1, Per: 30 * time.Millisecond}
	})
	start := time.Now()
	var wg sync.WaitGroup
	for i := range 5 {
		wg.Go(func() {
			if _, err := f.a.Send(context.Background(), bots.Outgoing{ChatID: strconv.Itoa(200 + i), Text: "x"}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	// Five sends take four global gaps at least, however they are scheduled.
	if el := time.Since(start); el < 4*30*time.Millisecond {
		t.Errorf("5 sends to different chats took %s, want ≥ 120ms", el)
	}
}

// Two replicas sending for one bot share its global rate: each keeps
// twice the gap, and together they keep the configured rate.
func TestSendGlobalLimitShared(t *testing.T) {
	f := newFixture(t, func(c *Config) {
		fastLimits(c)
		c.Limits.Global = Rate{Events: 1, Per: 30 * time.Millisecond}
	})
	f.a.ShareLimits(2)
	start := time.Now()
	var wg sync.WaitGroup
	for i := range 5 {
		wg.Go(func() {
			if _, err := f.a.Send(context.Background(), bots.Outgoing{ChatID: strconv.Itoa(300 + i), Text: "x"}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if el := time.Since(start); el < 4*60*time.Millisecond {
		t.Errorf("5 sends to different chats, one of two replicas, took %s; want ≥ 240ms", el)
	}
}

func TestSendRetryAfter(t *testing.T) {
	f := newFixture(t, fastLimits)
	var mu sync.Mutex
	limited := false
	f.srv.SetFaults(func(method string, chat int64) telegramtest.Fault {
		mu.Lock()
		defer mu.Unlock()
		if method == "sendMessage" && chat == 42 && !limited {
			limited = true
			return telegramtest.Fault{Status: http.StatusTooManyRequests, RetryAfter: 1}
		}
		return telegramtest.Fault{}
	})
	ctx := context.Background()
	_, err := f.a.Send(ctx, bots.Outgoing{ChatID: "42", Text: "satu"})
	se := sendErr(t, err)
	if se.RetryAfter != time.Second {
		t.Fatalf("RetryAfter = %s", se.RetryAfter)
	}
	if retry, after := bots.Retryable(err); !retry || after != time.Second {
		t.Errorf("Retryable = %v, %s", retry, after)
	}
	// Other chats are not held back.
	if _, err := f.a.Send(ctx, bots.Outgoing{ChatID: "43", Text: "lain"}); err != nil {
		t.Fatal(err)
	}
	// The chat itself waits until retry_after has passed.
	if _, err := f.a.Send(ctx, bots.Outgoing{ChatID: "42", Text: "dua"}); err != nil {
		t.Fatal(err)
	}
	if v := f.srv.RetryAfterViolations(); len(v) != 0 {
		t.Errorf("sent during retry_after: %v", v)
	}
	var at42 []telegramtest.Attempt
	for _, a := range f.srv.Attempts() {
		if a.ChatID == 42 {
			at42 = append(at42, a)
		}
	}
	if len(at42) != 2 || at42[0].Status != 429 || at42[1].Status != 200 || at42[1].Time.Sub(at42[0].Time) < time.Second {
		t.Errorf("attempts to chat 42: %+v", at42)
	}
	// A cancelled wait gives up with a temporary error.
	f.a.limiter.block(42, time.Now().Add(time.Hour))
	cctx, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	_, err = f.a.Send(cctx, bots.Outgoing{ChatID: "42", Text: "tiga"})
	if se := sendErr(t, err); !se.Temporary || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("cancelled wait: %v", err)
	}
}

// TestSendGlobalFloodHeuristic pins when a 429 stops every chat: not for
// one or two chats refused (a few per cent of sends are, and stopping the
// bot each time cost it more than half its rate), but after
// globalFloodAfter refusals in a row; a send that succeeds in between
// starts the count again.
func TestSendGlobalFloodHeuristic(t *testing.T) {
	free := func(l *limiter, chat int64) bool {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		defer cancel()
		release, err := l.acquire(ctx, chat)
		if err != nil {
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatal(err)
			}
			return false
		}
		release()
		return true
	}
	l := newLimiter(0, 0, 0)
	hour := time.Now().Add(time.Hour)
	l.block(1, hour)
	l.block(2, hour)
	if !free(l, 3) {
		t.Fatal("chat 3 held back by two other chats' 429s")
	}
	if free(l, 1) {
		t.Error("chat 1 not held back by its own 429")
	}
	l.succeeded()
	l.block(4, hour)
	l.block(5, hour)
	if !free(l, 3) {
		t.Fatal("chat 3 held back: the success should have started the count again")
	}
	l.block(6, hour) // a third 429 in a row: flood control is global
	if free(l, 3) {
		t.Error("chat 3 not held back after three 429s in a row")
	}
}

func TestLimiterForgetsIdleChats(t *testing.T) {
	l := newLimiter(0, time.Nanosecond, time.Nanosecond)
	for i := range 1000 {
		release, err := l.acquire(context.Background(), int64(i))
		if err != nil {
			t.Fatal(err)
		}
		release()
	}
	if n := l.size(); n > 256 {
		t.Errorf("%d chats kept", n)
	}
}

func TestSendErrorClasses(t *testing.T) {
	cases := []struct {
		fault     telegramtest.Fault
		temporary bool
	}{
		{telegramtest.Fault{Status: 500}, true},
		{telegramtest.Fault{Status: 502}, true},
		{telegramtest.Fault{Status: 403}, false},
		{telegramtest.Fault{Status: 400, Description: "Bad Request: chat not found"}, false},
	}
	for _, c := range cases {
		t.Run(strconv.Itoa(c.fault.Status), func(t *testing.T) {
			f := newFixture(t, fastLimits)
			f.srv.SetFaults(func(string, int64) telegramtest.Fault { return c.fault })
			_, err := f.a.Send(context.Background(), bots.Outgoing{ChatID: "42", Text: "x"})
			se := sendErr(t, err)
			if se.Temporary != c.temporary || se.RetryAfter != 0 {
				t.Errorf("%+v", se)
			}
			if retry, _ := bots.Retryable(err); retry != c.temporary {
				t.Errorf("Retryable = %v", retry)
			}
			if n := f.srv.Calls("sendMessage"); n != 1 {
				t.Errorf("%d attempts, want exactly one", n)
			}
		})
	}
	t.Run("timeout", func(t *testing.T) {
		f := newFixture(t, func(c *Config) { fastLimits(c); c.HTTPTimeout = 50 * time.Millisecond })
		// The fake's delay ends as soon as the client gives up.
		f.srv.SetFaults(func(string, int64) telegramtest.Fault { return telegramtest.Fault{Delay: time.Minute} })
		_, err := f.a.Send(context.Background(), bots.Outgoing{ChatID: "42", Text: "x"})
		if se := sendErr(t, err); !se.Temporary {
			t.Errorf("%+v", se)
		}
		if strings.Contains(err.Error(), f.srv.Token()) {
			t.Errorf("token in error: %v", err)
		}
	})
}

// closedPort returns a loopback URL nobody listens on.
func closedPort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr
}

func TestTokenNeverInErrorsOrLogs(t *testing.T) {
	const token = "123456789:AAHsecret-token_value"
	logger, buf := newLogger(t, token)
	_, err := New(context.Background(), Config{Token: token, APIURL: closedPort(t), Logger: logger})
	if err == nil {
		t.Fatal("New succeeded against a closed port")
	}
	if strings.Contains(err.Error(), token) || !strings.Contains(err.Error(), "<token>") {
		t.Errorf("New error: %v", err)
	}

	// An adapter whose Telegram goes away: sends, polling and answers fail.
	f := newFixture(t, fastLimits)
	f.a.log = logger
	f.a.failures = newFailureLog(logger)
	tok := f.srv.Token()
	f.srv.Close()
	_, err = f.a.Send(context.Background(), bots.Outgoing{ChatID: "42", Text: "x"})
	if se := sendErr(t, err); !se.Temporary || strings.Contains(err.Error(), tok) {
		t.Errorf("Send error: %v", err)
	}
	var inner error = err
	for inner != nil {
		if strings.Contains(inner.Error(), tok) {
			t.Errorf("wrapped error leaks the token: %v", inner)
		}
		inner = errors.Unwrap(inner)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.a.Run(ctx, newSink()) }()
	eventually(t, 5*time.Second, "failure logged", func() bool { return strings.Contains(buf.String(), "failing") })
	cancel()
	if err := <-done; err != nil && strings.Contains(err.Error(), tok) {
		t.Errorf("Run error: %v", err)
	}
	var wg sync.WaitGroup
	f.a.answerCallback(context.Background(), "q1", &wg)
	wg.Wait()
	if out := buf.String(); strings.Contains(out, tok) || !strings.Contains(out, "<token>") {
		t.Errorf("log:\n%s", out)
	}
}

func TestFailureLogOneLinePerKind(t *testing.T) {
	logger, buf := newLogger(t)
	fl := newFailureLog(logger)
	for range 10 {
		fl.Fail(failGetUpdates, "error", "boom")
		fl.Fail(failDeliver)
	}
	fl.OK(failGetUpdates)
	fl.OK(failGetUpdates)
	if buf.count(failGetUpdates.failing) != 1 || buf.count(failDeliver.failing) != 1 || buf.count(failGetUpdates.recovered) != 1 {
		t.Errorf("log:\n%s", buf)
	}
	if !fl.Failing(failDeliver) || fl.Failing(failGetUpdates) {
		t.Error("Failing state wrong")
	}
	if !strings.Contains(buf.String(), "failures=10") {
		t.Errorf("recovery line lacks the count:\n%s", buf)
	}
}

func TestScrubEveryFormOfTheToken(t *testing.T) {
	const token = "123456789:AAH-secret_Value"
	forms := tokenForms(token)
	for _, leak := range []string{
		token,
		url.PathEscape(token),
		url.QueryEscape(token),
		strings.ReplaceAll(url.QueryEscape(token), "%3A", "%3a"),
		"%31%32%33456789:AAH-secret_Value", // every byte may be escaped
		(&url.URL{Scheme: "https", Host: "api.telegram.org", Path: "/bot" + token + "/getMe"}).String(),
		"https://api.telegram.org/bot" + url.QueryEscape(token) + "/getMe?token=" + url.QueryEscape(token),
	} {
		err := scrubToken(fmt.Errorf("Post %q: dial tcp: connection refused", leak), forms)
		if msg := err.Error(); strings.Contains(msg, "123456789") || strings.Contains(msg, "secret") || !strings.Contains(msg, "<token>") {
			t.Errorf("scrubbing %q: %s", leak, msg)
		}
	}
	if got := scrubToken(errors.New("chat 123456789 not found"), forms).Error(); got != "chat 123456789 not found" {
		t.Errorf("text that is not the token changed: %s", got)
	}
}

func TestNewRefusesMalformedTokens(t *testing.T) {
	for _, token := range []string{"bot123:ab\u00e9/SECRET", "123:abc/def", "abc:def", "123:", ":abc", "123:abc def", "123:abc\n"} {
		_, err := New(context.Background(), Config{Token: token, APIURL: closedPort(t)})
		if err == nil || !strings.Contains(err.Error(), "not a bot token") || strings.Contains(err.Error(), "SECRET") || strings.Contains(err.Error(), "abc") {
			t.Errorf("token %q: %v", token, err)
		}
	}
}

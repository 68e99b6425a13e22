package telegramtest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

type apiResponse struct {
	OK          bool            `json:"ok"`
	Result      json.RawMessage `json:"result"`
	ErrorCode   int             `json:"error_code"`
	Description string          `json:"description"`
	Parameters  struct {
		RetryAfter int `json:"retry_after"`
	} `json:"parameters"`
}

// call posts form parameters to method with the given token.
func call(t testing.TB, s *Server, token, method string, params url.Values) (int, apiResponse) {
	t.Helper()
	return post(t, s, token+"/"+method, "application/x-www-form-urlencoded", strings.NewReader(params.Encode()))
}

func callJSON(t *testing.T, s *Server, method string, body string) (int, apiResponse) {
	t.Helper()
	return post(t, s, s.Token()+"/"+method, "application/json", strings.NewReader(body))
}

// post posts body to /bot<path> and decodes the answer.
func post(t testing.TB, s *Server, path, contentType string, body io.Reader) (int, apiResponse) {
	t.Helper()
	resp, err := http.Post(s.URL()+"/bot"+path, contentType, body)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r apiResponse
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, r
}

func TestWithTgbotapiClient(t *testing.T) {
	s := NewServer(t)
	bot, err := tgbotapi.NewBotAPIWithAPIEndpoint(s.Token(), s.URL()+"/bot%s/%s")
	if err != nil {
		t.Fatal(err)
	}
	if bot.Self.UserName != BotUsername || bot.Self.ID != BotID {
		t.Errorf("getMe: %+v", bot.Self)
	}
	msg := tgbotapi.NewMessage(42, "<b>Halo</b> &amp; selamat datang")
	msg.ParseMode = tgbotapi.ModeHTML
	msg.ReplyMarkup = tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData("KTP", "svc:ktp")))
	m, err := bot.Send(msg)
	if err != nil {
		t.Fatal(err)
	}
	sent := s.WaitSent(t, 1, time.Second)
	if sent[0].MessageID != m.MessageID || sent[0].Plain != "Halo & selamat datang" || sent[0].Buttons[0][0].Data != "svc:ktp" {
		t.Errorf("recorded %+v", sent[0])
	}
	// Editing to the same content: "message is not modified".
	edit := tgbotapi.NewEditMessageTextAndMarkup(42, m.MessageID, "<b>Halo</b> &amp; selamat datang", *m.ReplyMarkup)
	edit.ParseMode = tgbotapi.ModeHTML
	if _, err := bot.Send(edit); err == nil || !strings.Contains(err.Error(), "message is not modified") {
		t.Errorf("identical edit: %v", err)
	}
	edit.Text = "Halo lagi"
	if _, err := bot.Send(edit); err != nil {
		t.Errorf("edit: %v", err)
	}
}

func TestAuthAndUnknownMethods(t *testing.T) {
	s := NewServer(t)
	if code, r := call(t, s, "123:wrong", "getMe", nil); code != 401 || r.OK || r.Description != "Unauthorized" {
		t.Errorf("wrong token: %d %+v", code, r)
	}
	if code, r := call(t, s, s.Token(), "sendPhoto", nil); code != 404 || r.OK || r.ErrorCode != 404 {
		t.Errorf("unknown method: %d %+v", code, r)
	}
	if code, r := call(t, s, s.Token(), "GETME", nil); code != 200 || !r.OK {
		t.Errorf("method names are case-insensitive: %d %+v", code, r)
	}
}

func TestSendMessageValidation(t *testing.T) {
	s := NewServer(t)
	cases := map[string]url.Values{
		"no text":       {"chat_id": {"42"}},
		"blank":         {"chat_id": {"42"}, "text": {"  "}},
		"too long":      {"chat_id": {"42"}, "text": {strings.Repeat("a", MaxTextLength+1)}},
		"unescaped <":   {"chat_id": {"42"}, "text": {"1 < 2"}, "parse_mode": {"HTML"}},
		"script tag":    {"chat_id": {"42"}, "text": {"<script>x</script>"}, "parse_mode": {"HTML"}},
		"bare &":        {"chat_id": {"42"}, "text": {"AT&T"}, "parse_mode": {"HTML"}},
		"unclosed tag":  {"chat_id": {"42"}, "text": {"<b>x"}, "parse_mode": {"HTML"}},
		"long data":     {"chat_id": {"42"}, "text": {"x"}, "reply_markup": {`{"inline_keyboard":[[{"text":"a","callback_data":"` + strings.Repeat("d", 65) + `"}]]}`}},
		"reply missing": {"chat_id": {"42"}, "text": {"x"}, "reply_to_message_id": {"77"}},
		"no chat":       {"text": {"x"}},
	}
	for name, p := range cases {
		if code, r := call(t, s, s.Token(), "sendMessage", p); code != 400 || r.OK || !strings.HasPrefix(r.Description, "Bad Request: ") {
			t.Errorf("%s: %d %+v", name, code, r)
		}
	}
	ok := map[string]url.Values{
		"plain <":         {"chat_id": {"42"}, "text": {"1 < 2 & AT&T"}},
		"4096 emoji-safe": {"chat_id": {"42"}, "text": {strings.Repeat("é", MaxTextLength)}},
		"entities":        {"chat_id": {"42"}, "text": {"&lt;&gt;&amp;&quot;&#39;&#x41;"}, "parse_mode": {"HTML"}},
		"nested tags":     {"chat_id": {"42"}, "text": {`<b>a <i>b</i></b> <a href="https://tebingtinggikota.go.id">c</a>`}, "parse_mode": {"HTML"}},
		"reply allowed":   {"chat_id": {"42"}, "text": {"x"}, "reply_to_message_id": {"77"}, "allow_sending_without_reply": {"true"}},
	}
	for name, p := range ok {
		if code, r := call(t, s, s.Token(), "sendMessage", p); code != 200 || !r.OK {
			t.Errorf("%s: %d %+v", name, code, r)
		}
	}
	found := false
	for _, m := range s.Sent() {
		if m.Text == "&lt;&gt;&amp;&quot;&#39;&#x41;" {
			found = true
			if m.Plain != `<>&"'A` {
				t.Errorf("entities decoded to %q", m.Plain)
			}
		}
	}
	if !found {
		t.Error("entities message not recorded")
	}
	// JSON bodies work too.
	code, r := callJSON(t, s, "sendMessage", `{"chat_id":-100123,"text":"halo","reply_markup":{"inline_keyboard":[[{"text":"a","callback_data":"b"}]]}}`)
	if code != 200 || !r.OK {
		t.Fatalf("JSON body: %d %+v", code, r)
	}
	last := s.Sent()[len(s.Sent())-1]
	if last.ChatID != -100123 || last.Buttons[0][0].Data != "b" {
		t.Errorf("JSON body recorded as %+v", last)
	}
}

func TestGetUpdatesOffsetAndLongPoll(t *testing.T) {
	s := NewServer(t)
	id1 := s.PushText(42, 42, "/start")
	id2 := s.PushText(42, 42, "halo @tebing_test_bot")

	get := func(offset int, timeout string) []tgbotapi.Update {
		t.Helper()
		p := url.Values{"timeout": {timeout}}
		if offset > 0 {
			p.Set("offset", strconv.Itoa(offset))
		}
		code, r := call(t, s, s.Token(), "getUpdates", p)
		if code != 200 || !r.OK {
			t.Fatalf("getUpdates: %d %+v", code, r)
		}
		var us []tgbotapi.Update
		if err := json.Unmarshal(r.Result, &us); err != nil {
			t.Fatal(err)
		}
		return us
	}
	us := get(0, "0")
	if len(us) != 2 || us[0].UpdateID != id1 || us[1].UpdateID != id2 {
		t.Fatalf("updates %+v", us)
	}
	if e := us[0].Message.Entities; len(e) != 1 || e[0].Type != "bot_command" || e[0].Length != 6 {
		t.Errorf("command entities %+v", e)
	}
	if e := us[1].Message.Entities; len(e) != 1 || e[0].Type != "mention" || e[0].Offset != 5 {
		t.Errorf("mention entities %+v", e)
	}
	// Without a higher offset nothing is confirmed.
	if us := get(0, "0"); len(us) != 2 {
		t.Errorf("re-read %d", len(us))
	}
	if us := get(id2, "0"); len(us) != 1 || us[0].UpdateID != id2 || s.Pending() != 1 {
		t.Errorf("offset %d: %d updates, %d pending", id2, len(us), s.Pending())
	}

	// A long poll returns as soon as an update arrives.
	done := make(chan []tgbotapi.Update, 1)
	go func() {
		var us []tgbotapi.Update
		resp, err := http.PostForm(s.URL()+"/bot"+s.Token()+"/getUpdates",
			url.Values{"timeout": {"30"}, "offset": {strconv.Itoa(id2 + 1)}})
		if err == nil {
			var r apiResponse
			if json.NewDecoder(resp.Body).Decode(&r) == nil {
				_ = json.Unmarshal(r.Result, &us)
			}
			resp.Body.Close()
		}
		done <- us
	}()
	s.WaitCalls(t, "getUpdates", 4, 5*time.Second)
	id3 := s.PushPress(-100, 7, 3, "menu")
	select {
	case us := <-done:
		if len(us) != 1 || us[0].UpdateID != id3 || us[0].CallbackQuery.ID != PressID(id3) {
			t.Errorf("long poll got %+v", us)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("long poll did not return after a push")
	}
	if s.Pending() != 1 {
		t.Errorf("pending %d", s.Pending())
	}

	// A long poll with nothing to say ends when its client gives up.
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.URL()+"/bot"+s.Token()+"/getUpdates",
		strings.NewReader("timeout=30&offset="+strconv.Itoa(id3+1)))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	errc := make(chan error, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		errc <- err
	}()
	s.WaitCalls(t, "getUpdates", 5, 5*time.Second)
	cancel()
	if err := <-errc; err == nil {
		t.Error("cancelled long poll returned normally")
	}
}

func TestWebhookConflictsWithPolling(t *testing.T) {
	s := NewServer(t)
	if code, r := call(t, s, s.Token(), "setWebhook", url.Values{"url": {"https://hub.example/tg"}, "secret_token": {"abc"},
		"allowed_updates": {`["message"]`}}); code != 200 || !r.OK {
		t.Fatalf("setWebhook: %d %+v", code, r)
	}
	if u, sec := s.WaitWebhook(t, time.Second); u != "https://hub.example/tg" || sec != "abc" {
		t.Errorf("webhook %q %q", u, sec)
	}
	if code, _ := call(t, s, s.Token(), "getUpdates", nil); code != 409 {
		t.Errorf("getUpdates with webhook: %d", code)
	}
	call(t, s, s.Token(), "deleteWebhook", nil)
	if code, _ := call(t, s, s.Token(), "getUpdates", nil); code != 200 {
		t.Errorf("getUpdates after deleteWebhook: %d", code)
	}
	if code, _ := call(t, s, s.Token(), "setWebhook", url.Values{"url": {"https://x"}, "secret_token": {"bad secret"}}); code != 400 {
		t.Errorf("bad secret accepted: %d", code)
	}
}

func TestFaultsAndViolations(t *testing.T) {
	s := NewServer(t)
	s.SetFaults(func(method string, chat int64) Fault {
		if method == "sendMessage" && chat == 42 {
			return Fault{Status: 429, RetryAfter: 5}
		}
		if method == "sendMessage" && chat == 43 {
			return Fault{Status: 502}
		}
		return Fault{}
	})
	code, r := call(t, s, s.Token(), "sendMessage", url.Values{"chat_id": {"42"}, "text": {"a"}})
	if code != 429 || r.ErrorCode != 429 || r.Parameters.RetryAfter != 5 || r.Description != "Too Many Requests: retry after 5" {
		t.Errorf("429: %d %+v", code, r)
	}
	if code, _ := call(t, s, s.Token(), "sendMessage", url.Values{"chat_id": {"43"}, "text": {"a"}}); code != 502 {
		t.Errorf("502: %d", code)
	}
	s.SetFaults(nil)
	call(t, s, s.Token(), "sendMessage", url.Values{"chat_id": {"42"}, "text": {"b"}})
	if v := s.RetryAfterViolations(); len(v) != 1 || v[0].ChatID != 42 {
		t.Errorf("retry-after violations %v", v)
	}
	if v := s.PerChatViolations(time.Hour); len(v) != 1 || v[0].ChatID != 42 || v[0].String() == "" {
		t.Errorf("per-chat violations %v", v)
	}
	if at := s.Attempts(); len(at) != 3 || at[0].Status != 429 || at[1].Status != 502 || at[2].Status != 200 {
		t.Errorf("attempts %+v", at)
	}
	if len(s.Sent()) != 1 {
		t.Errorf("sent %d", len(s.Sent()))
	}
}

func TestAnswerCallbackQuery(t *testing.T) {
	s := NewServer(t)
	id := s.PushPress(42, 42, 1, "x")
	if code, _ := call(t, s, s.Token(), "answerCallbackQuery", url.Values{"callback_query_id": {"nope"}}); code != 400 {
		t.Errorf("unknown query: %d", code)
	}
	if code, _ := call(t, s, s.Token(), "answerCallbackQuery", url.Values{"callback_query_id": {PressID(id)}}); code != 200 {
		t.Errorf("known query: %d", code)
	}
	if got := s.WaitAnswered(t, 1, time.Second); got[0] != PressID(id) {
		t.Errorf("answered %v", got)
	}
}

func TestCloseEndsLongPolls(t *testing.T) {
	s := New()
	errc := make(chan error, 1)
	go func() {
		resp, err := http.PostForm(s.URL()+"/bot"+s.Token()+"/getUpdates", url.Values{"timeout": {"60"}})
		if err == nil {
			resp.Body.Close()
		}
		errc <- err
	}()
	if !s.waitFor(5*time.Second, func() bool { return s.calls["getUpdates"] == 1 }) {
		t.Fatal("poll did not arrive")
	}
	closed := make(chan struct{})
	go func() { s.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("Close blocked on a long poll")
	}
	<-errc
	s.Close() // idempotent
}

func TestParseHTML(t *testing.T) {
	good := map[string]string{
		"plain":                            "plain",
		"<b>x</b>":                         "x",
		"<B>x</b>":                         "x",
		`<a href="https://x.y/?a=1">l</a>`: "l",
		"<tg-spoiler>s</tg-spoiler>":       "s",
		"<pre><code class=\"language-go\">x</code></pre>": "x",
		"&lt;&#60;&#x3c;":            "<<<",
		"<blockquote>q</blockquote>": "q",
	}
	for in, want := range good {
		if got, err := ParseHTML(in); err != nil || got != want {
			t.Errorf("ParseHTML(%q) = %q, %v", in, got, err)
		}
	}
	for _, in := range []string{"<", "a < b", "<script>", "<b>", "</b>", "<b><i></b></i>", "&", "&foo;", "&#0;", "<>", "&#xZZ;"} {
		if _, err := ParseHTML(in); err == nil {
			t.Errorf("ParseHTML(%q) accepted", in)
		}
	}
}

func TestBodies(t *testing.T) {
	s := NewServer(t)
	var multi bytes.Buffer
	mw := multipart.NewWriter(&multi)
	for k, v := range map[string]string{"chat_id": "42", "text": "<i>m</i>", "parse_mode": "HTML"} {
		if err := mw.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	const form = "application/x-www-form-urlencoded"
	cases := []struct {
		name, query, contentType, body string
		want                           string // the text sent, "" for a 400
	}{
		{"form", "", form, "chat_id=42&text=%3Cb%3Eb%3C%2Fb%3E+%26amp%3B&parse_mode=HTML", "b &"},
		{"body over query", "text=q&chat_id=42", form, "text=b", "b"},
		{"query only", "chat_id=42&text=q", form, "", "q"},
		{"multipart", "", mw.FormDataContentType(), multi.String(), "m"},
		{"JSON", "", "application/json", `{"chat_id":42,"text":"j"}`, "j"},
		{"bad escape", "", form, "chat_id=42&text=100%", ""},
		{"bad multipart", "", mw.FormDataContentType(), "--nope", ""},
		{"bad JSON", "", "application/json", `{"chat_id":42`, ""},
	}
	for _, c := range cases {
		path := s.Token() + "/sendMessage"
		if c.query != "" {
			path += "?" + c.query
		}
		code, r := post(t, s, path, c.contentType, strings.NewReader(c.body))
		sent := s.Sent()
		switch {
		case c.want == "" && (code != http.StatusBadRequest || r.OK):
			t.Errorf("%s: %d %+v, want 400", c.name, code, r)
		case c.want != "" && (code != http.StatusOK || sent[len(sent)-1].Plain != c.want):
			t.Errorf("%s: %d %+v, sent %+v, want %q", c.name, code, r, sent, c.want)
		}
	}
}

func TestKeyboards(t *testing.T) {
	s := NewServer(t)
	errs := map[string]string{
		`{"inline_keyboard":[[{"text":"","callback_data":"b"}]]}`:                          "Bad Request: text buttons are unallowed in the inline keyboard",
		`{"inline_keyboard":[[{"text":"a","callback_data":""}]]}`:                          "Bad Request: BUTTON_DATA_INVALID",
		`{"inline_keyboard":[[{"text":"a","callback_data":"b"}]]}]`:                        "Bad Request: can't parse reply keyboard markup JSON object",
		`{"inline_keyboard":[[{"text":"a","callback_data":"b"}],[{"text":"","url":"u"}]]}`: "Bad Request: text buttons are unallowed in the inline keyboard",
	}
	for raw, want := range errs {
		if code, r := call(t, s, s.Token(), "sendMessage", url.Values{"chat_id": {"42"}, "text": {"x"}, "reply_markup": {raw}}); code != 400 || r.Description != want {
			t.Errorf("%s: %d %q, want %q", raw, code, r.Description, want)
		}
	}
	raw := `{"inline_keyboard":[[{"text":"KTP","callback_data":"svc:ktp"},{"text":"Situs","url":"https://x.y"}],[{"text":"Menu","callback_data":"menu"}]]}`
	code, r := call(t, s, s.Token(), "sendMessage", url.Values{"chat_id": {"42"}, "text": {"x"}, "reply_markup": {raw}})
	if code != 200 {
		t.Fatalf("keyboard refused: %d %+v", code, r)
	}
	var m tgbotapi.Message
	if err := json.Unmarshal(r.Result, &m); err != nil || m.ReplyMarkup == nil || len(m.ReplyMarkup.InlineKeyboard) != 2 {
		t.Errorf("result %s: %v", r.Result, err)
	}
	want := [][]Button{{{"KTP", "svc:ktp"}, {"Situs", ""}}, {{"Menu", "menu"}}}
	if got := s.Sent()[0].Buttons; !reflect.DeepEqual(got, want) {
		t.Errorf("buttons %v, want %v", got, want)
	}
	// The same keyboard in another spelling is no modification.
	edit := url.Values{"chat_id": {"42"}, "message_id": {strconv.Itoa(m.MessageID)}, "text": {"x"},
		"reply_markup": {strings.ReplaceAll(raw, `","`, `", "`)}}
	if code, r := call(t, s, s.Token(), "editMessageText", edit); code != 400 || !strings.Contains(r.Description, "not modified") {
		t.Errorf("unmodified edit: %d %+v", code, r)
	}
}

// A poll started while another waits ends the waiting one with 409
// Conflict, as Telegram does when two processes poll one bot.
func TestSecondPollEndsTheFirstWithConflict(t *testing.T) {
	s := NewServer(t)
	first := make(chan int, 1)
	go func() {
		code, _ := call(t, s, s.Token(), "getUpdates", url.Values{"timeout": {"30"}})
		first <- code
	}()
	s.WaitCalls(t, "getUpdates", 1, 10*time.Second)
	second := make(chan apiResponse, 1)
	go func() {
		_, r := call(t, s, s.Token(), "getUpdates", url.Values{"timeout": {"30"}})
		second <- r
	}()
	select {
	case code := <-first:
		if code != http.StatusConflict || s.Conflicts() != 1 {
			t.Errorf("the first poll ended with %d and %d conflicts; want 409 and 1", code, s.Conflicts())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the first poll went on beside the second")
	}
	s.PushText(1, 1, "halo")
	if r := <-second; !r.OK {
		t.Errorf("the second poll: %+v", r)
	}
}

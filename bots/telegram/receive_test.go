package telegram

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/bots/telegram/telegramtest"
)

func TestNewReadsBotIdentity(t *testing.T) {
	f := newFixture(t, nil)
	if f.a.Username() != telegramtest.BotUsername || f.a.BotID() != telegramtest.BotID {
		t.Errorf("identity = %q/%d", f.a.Username(), f.a.BotID())
	}
	if f.a.WebhookPath() != "" {
		t.Errorf("WebhookPath in polling mode = %q", f.a.WebhookPath())
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	srv := telegramtest.NewServer(t)
	cases := map[string]Config{
		"no token":          {APIURL: srv.URL()},
		"bad api url":       {Token: srv.Token(), APIURL: "not a url"},
		"webhook no secret": {Token: srv.Token(), APIURL: srv.URL(), WebhookURL: "https://hub.example/tg"},
		"webhook bad secret": {Token: srv.Token(), APIURL: srv.URL(), WebhookURL: "https://hub.example/tg",
			WebhookSecret: "has spaces"},
		"wrong token": {Token: "123:wrong", APIURL: srv.URL()},
	}
	for name, cfg := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := New(context.Background(), cfg)
			if err == nil {
				t.Fatal("New succeeded")
			}
			if cfg.Token != "" && strings.Contains(err.Error(), cfg.Token) {
				t.Errorf("error contains the token: %v", err)
			}
		})
	}
}

func TestPollingTranslatesUpdates(t *testing.T) {
	f := newFixture(t, nil)
	sink := newSink()
	f.run(t, sink)
	srv := f.srv

	textID := srv.PushText(42, 42, "Halo, jam buka kantor camat?")
	cmdID := srv.PushText(42, 42, "/Start@"+strings.ToUpper(telegramtest.BotUsername)+" ktp_baru")
	pressID := srv.PushPress(42, 42, 7, "menu:ktp")
	edited := srv.Message(42, 42, "jam buka kantor lurah?")
	edited.EditDate = edited.Date + 5
	editID := srv.PushUpdate(tgbotapi.Update{EditedMessage: edited})
	sticker := srv.Message(42, 42, "")
	sticker.Sticker = &tgbotapi.Sticker{FileID: "s1", Emoji: "👍"}
	stickerID := srv.PushUpdate(tgbotapi.Update{Message: sticker})
	photo := srv.Message(42, 42, "")
	photo.Photo = []tgbotapi.PhotoSize{{FileID: "p1-small", Width: 90}, {FileID: "p1", Width: 1280}}
	photo.Caption = "foto KTP saya"
	photoID := srv.PushUpdate(tgbotapi.Update{Message: photo})
	doc := srv.Message(42, 42, "")
	doc.Document = &tgbotapi.Document{FileID: "d1", FileName: "surat.pdf"}
	docID := srv.PushUpdate(tgbotapi.Update{Message: doc})
	voice := srv.Message(42, 42, "")
	voice.Voice = &tgbotapi.Voice{FileID: "v1", Duration: 7}
	voiceID := srv.PushUpdate(tgbotapi.Update{Message: voice})
	audio := srv.Message(42, 42, "")
	audio.Audio = &tgbotapi.Audio{FileID: "a1", Duration: 60}
	audio.Caption = "rekaman rapat RT"
	audioID := srv.PushUpdate(tgbotapi.Update{Message: audio})
	video := srv.Message(42, 42, "")
	video.Video = &tgbotapi.Video{FileID: "vd1"}
	video.Caption = "banjir di Jl. Sudirman"
	videoID := srv.PushUpdate(tgbotapi.Update{Message: video})
	round := srv.Message(42, 42, "")
	round.VideoNote = &tgbotapi.VideoNote{FileID: "vn1", Length: 240}
	roundID := srv.PushUpdate(tgbotapi.Update{Message: round})
	loc := srv.Message(42, 42, "")
	loc.Location = &tgbotapi.Location{Latitude: 3.3285, Longitude: 99.1625, LivePeriod: 900}
	locID := srv.PushUpdate(tgbotapi.Update{Message: loc})
	// The live location moves: an edit, as every later position is.
	moved := srv.Message(42, 42, "")
	moved.Location = &tgbotapi.Location{Latitude: 3.3301, Longitude: 99.1634, LivePeriod: 900}
	moved.EditDate = moved.Date + 60
	movedID := srv.PushUpdate(tgbotapi.Update{EditedMessage: moved})
	venue := srv.Message(42, 42, "")
	venue.Location = &tgbotapi.Location{Latitude: 3.3272, Longitude: 99.1588}
	venue.Venue = &tgbotapi.Venue{Location: *venue.Location, Title: "Pasar Gambir\x00", Address: " Jl. Iskandar Muda "}
	venueID := srv.PushUpdate(tgbotapi.Update{Message: venue})
	offGlobe := srv.Message(42, 42, "")
	offGlobe.Location = &tgbotapi.Location{Latitude: 91, Longitude: 99.1625}
	offGlobeID := srv.PushUpdate(tgbotapi.Update{Message: offGlobe})
	contact := srv.Message(42, 42, "")
	contact.Contact = &tgbotapi.Contact{PhoneNumber: "+6281234567890", FirstName: "Siti", LastName: "Aminah", UserID: 99}
	contactID := srv.PushUpdate(tgbotapi.Update{Message: contact})
	gif := srv.Message(42, 42, "")
	gif.Animation = &tgbotapi.Animation{FileID: "g1"}
	gif.Document = &tgbotapi.Document{FileID: "g1"}
	gifID := srv.PushUpdate(tgbotapi.Update{Message: gif})
	// Not handled: acknowledged and skipped.
	skipID := srv.PushUpdate(tgbotapi.Update{MyChatMember: &tgbotapi.ChatMemberUpdated{Chat: tgbotapi.Chat{ID: 42, Type: "private"}}})
	lastID := srv.PushText(42, 42, "terima kasih")

	want := []bots.Incoming{
		{UpdateID: strconv.Itoa(textID), Kind: bots.Text, Text: "Halo, jam buka kantor camat?"},
		{UpdateID: strconv.Itoa(cmdID), Kind: bots.Text, Command: "start", Args: "ktp_baru"},
		{UpdateID: strconv.Itoa(pressID), Kind: bots.Press, Data: "menu:ktp", MessageID: "7"},
		{UpdateID: strconv.Itoa(editID), Kind: bots.Edited, Text: "jam buka kantor lurah?"},
		{UpdateID: strconv.Itoa(stickerID), Kind: bots.Unsupported, Media: "sticker"},
		// Photos (the largest size) and documents are kept by reference.
		{UpdateID: strconv.Itoa(photoID), Kind: bots.File, Media: "photo", Text: "foto KTP saya", FileID: "p1"},
		{UpdateID: strconv.Itoa(docID), Kind: bots.File, Media: "document", FileID: "d1"},
		// So are voice notes, audio, videos and video notes.
		{UpdateID: strconv.Itoa(voiceID), Kind: bots.File, Media: "voice", FileID: "v1"},
		{UpdateID: strconv.Itoa(audioID), Kind: bots.File, Media: "audio", Text: "rekaman rapat RT", FileID: "a1"},
		{UpdateID: strconv.Itoa(videoID), Kind: bots.File, Media: "video", Text: "banjir di Jl. Sudirman", FileID: "vd1"},
		{UpdateID: strconv.Itoa(roundID), Kind: bots.File, Media: "video_note", FileID: "vn1"},
		// Places carry their coordinates (see places below); a live
		// location's moves are edits.
		{UpdateID: strconv.Itoa(locID), Kind: bots.Location, Media: "location"},
		{UpdateID: strconv.Itoa(movedID), Kind: bots.Edited, Media: "location"},
		{UpdateID: strconv.Itoa(venueID), Kind: bots.Location, Media: "venue"},
		{UpdateID: strconv.Itoa(offGlobeID), Kind: bots.Unsupported, Media: "location"},
		// A contact is a third person's data: named, never carried.
		{UpdateID: strconv.Itoa(contactID), Kind: bots.Unsupported, Media: "contact"},
		{UpdateID: strconv.Itoa(gifID), Kind: bots.Unsupported, Media: "animation"},
		{UpdateID: strconv.Itoa(lastID), Kind: bots.Text, Text: "terima kasih"},
	}
	places := map[string]bots.Place{
		strconv.Itoa(locID):   {Latitude: 3.3285, Longitude: 99.1625},
		strconv.Itoa(venueID): {Latitude: 3.3272, Longitude: 99.1588, Title: "Pasar Gambir\uFFFD", Address: "Jl. Iskandar Muda"},
	}
	for _, w := range want {
		got := sink.next(t)
		if p, ok := places[w.UpdateID]; got.Place == nil && ok || got.Place != nil && (!ok || *got.Place != p) {
			t.Errorf("update %s: place %+v, want %+v", w.UpdateID, got.Place, p)
		}
		if got.Kind != bots.Text && (got.Text != w.Text || got.Command != "") {
			t.Errorf("update %s: text %q, command %q; want %q and none", w.UpdateID, got.Text, got.Command, w.Text)
		}
		if strings.Contains(fmt.Sprintf("%+v", got), "Siti") || strings.Contains(fmt.Sprintf("%+v", got), "81234567890") {
			t.Errorf("update %s carries a shared contact's name or number: %+v", w.UpdateID, got)
		}
		if got.UpdateID != w.UpdateID || got.Kind != w.Kind || got.Data != w.Data || got.Media != w.Media ||
			got.Command != w.Command || got.Args != w.Args || got.FileID != w.FileID {
			t.Errorf("update %s: got %+v, want %+v", w.UpdateID, got, w)
		}
		if w.Text != "" && got.Text != w.Text && w.Command == "" {
			t.Errorf("update %s: text %q, want %q", w.UpdateID, got.Text, w.Text)
		}
		if w.MessageID != "" && got.MessageID != w.MessageID {
			t.Errorf("update %s: message id %q, want %q", w.UpdateID, got.MessageID, w.MessageID)
		}
		if got.Platform != bots.Telegram || got.ChatID != "42" || got.UserID != "42" || got.ChatType != bots.Private ||
			!got.Addressed || got.UserName == "" || got.Time.IsZero() {
			t.Errorf("update %s: common fields wrong: %+v", w.UpdateID, got)
		}
		if got.UpdateID == strconv.Itoa(skipID) {
			t.Errorf("unhandled update kind was delivered")
		}
	}
	srv.WaitAnswered(t, 1, 5*time.Second)
	if got := srv.Answered(); !slices.Equal(got, []string{telegramtest.PressID(pressID)}) {
		t.Errorf("answered %v", got)
	}
	srv.WaitPending(t, 0, 5*time.Second) // everything confirmed
	if n := srv.Calls("deleteWebhook"); n != 1 {
		t.Errorf("deleteWebhook called %d times", n)
	}
	if got := srv.AllowedUpdates(); !slices.Equal(got, AllowedUpdates) || !slices.Contains(got, "edited_message") {
		t.Errorf("allowed_updates %v", got)
	}
}

func TestPollingRedeliversUntilRecorded(t *testing.T) {
	f := newFixture(t, nil)
	sink := newSink()
	failures := 0
	sink.setFail(func(in bots.Incoming) bool {
		if in.Text == "first" && failures < 3 {
			failures++
			return true
		}
		return false
	})
	f.run(t, sink)
	first := f.srv.PushText(42, 42, "first")
	second := f.srv.PushText(42, 42, "second")

	var order []string
	for range 5 {
		order = append(order, sink.next(t).UpdateID)
	}
	a, b := strconv.Itoa(first), strconv.Itoa(second)
	if want := []string{a, a, a, a, b}; !slices.Equal(order, want) {
		t.Errorf("delivery order %v, want %v", order, want)
	}
	f.srv.WaitPending(t, 0, 5*time.Second)
	got := sink.recorded()
	if len(got) != 2 || got[0].UpdateID != a || got[1].UpdateID != b {
		t.Errorf("recorded %v", got)
	}
	if n := f.log.count("telegram: handler could not record update"); n != 1 {
		t.Errorf("%d failure lines, want 1:\n%s", n, f.log)
	}
	if n := f.log.count("telegram: handler recording updates again"); n != 1 {
		t.Errorf("%d recovery lines, want 1:\n%s", n, f.log)
	}
}

func TestPollingSurvivesTelegramOutage(t *testing.T) {
	f := newFixture(t, nil)
	f.srv.SetFaults(func(method string, _ int64) telegramtest.Fault {
		if method == "getUpdates" {
			return telegramtest.Fault{Status: http.StatusBadGateway}
		}
		return telegramtest.Fault{}
	})
	sink := newSink()
	f.run(t, sink)
	id := f.srv.PushText(42, 42, "halo")
	f.srv.WaitCalls(t, "getUpdates", 5, 5*time.Second)
	sink.none(t)
	f.srv.SetFaults(nil)
	if got := sink.next(t); got.UpdateID != strconv.Itoa(id) {
		t.Errorf("got update %s", got.UpdateID)
	}
	eventually(t, 5*time.Second, "recovery log line", func() bool {
		return f.log.count("telegram: getUpdates recovered") == 1
	})
	if n := f.log.count("telegram: getUpdates failing"); n != 1 {
		t.Errorf("%d failure lines, want 1:\n%s", n, f.log)
	}
}

func TestRunWebhookMode(t *testing.T) {
	f := newFixture(t, func(c *Config) {
		c.WebhookURL = "https://hub.example/telegram/hook"
		c.WebhookSecret = "s3cret-Value_1"
	})
	if f.a.WebhookPath() != "/telegram/hook" {
		t.Errorf("WebhookPath = %q", f.a.WebhookPath())
	}
	f.run(t, newSink())
	f.srv.WaitCalls(t, "setWebhook", 1, 5*time.Second)
	eventually(t, 5*time.Second, "webhook set", func() bool {
		u, _ := f.srv.Webhook()
		return u != ""
	})
	u, secret := f.srv.Webhook()
	if u != "https://hub.example/telegram/hook" || secret != "s3cret-Value_1" {
		t.Errorf("webhook = %q, %q", u, secret)
	}
	if got := f.srv.AllowedUpdates(); !slices.Equal(got, AllowedUpdates) || !slices.Contains(got, "edited_message") {
		t.Errorf("allowed_updates %v", got)
	}
}

func TestRunReturnsPermanentSetupError(t *testing.T) {
	f := newFixture(t, func(c *Config) {
		c.WebhookURL = "https://hub.example/hook"
		c.WebhookSecret = "secret"
	})
	f.srv.SetFaults(func(method string, _ int64) telegramtest.Fault {
		if method == "setWebhook" {
			return telegramtest.Fault{Status: 400, Description: "Bad Request: bad webhook: HTTPS url must be provided for webhook"}
		}
		return telegramtest.Fault{}
	})
	err := f.a.Run(context.Background(), newSink())
	if err == nil || !strings.Contains(err.Error(), "bad webhook") {
		t.Errorf("Run = %v", err)
	}
}

const hookSecret = "hook-secret_42"

func webhookFixture(t *testing.T) (*fixture, *recSink, http.Handler) {
	f := newFixture(t, func(c *Config) {
		c.WebhookURL = "https://hub.example/tg"
		c.WebhookSecret = hookSecret
	})
	sink := newSink()
	return f, sink, f.a.WebhookHandler(sink)
}

func post(h http.Handler, secret string, body []byte) int {
	req := httptest.NewRequest(http.MethodPost, "/tg", bytes.NewReader(body))
	if secret != "" {
		req.Header.Set(SecretHeader, secret)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code
}

func TestWebhookHandler(t *testing.T) {
	f, sink, h := webhookFixture(t)
	update := func(id int, text string) []byte {
		return []byte(`{"update_id":` + strconv.Itoa(id) + `,"message":{"message_id":5,"date":1700000000,` +
			`"chat":{"id":42,"type":"private"},"from":{"id":42,"first_name":"Budi"},"text":"` + text + `"}}`)
	}

	if code := post(h, hookSecret, update(100, "halo")); code != http.StatusOK {
		t.Fatalf("good request: %d", code)
	}
	if got := sink.next(t); got.UpdateID != "100" || got.Text != "halo" || got.UserName != "Budi" {
		t.Errorf("delivered %+v", got)
	}

	for name, secret := range map[string]string{"missing": "", "wrong": "hook-secret_43", "prefix": "hook"} {
		if code := post(h, secret, update(101, "x")); code != http.StatusUnauthorized {
			t.Errorf("%s secret: %d", name, code)
		}
	}
	sink.none(t)

	if code := post(h, hookSecret, []byte("not json")); code != http.StatusBadRequest {
		t.Errorf("non-JSON: %d", code)
	}
	if code := post(h, hookSecret, []byte(`{"message":{}}`)); code != http.StatusBadRequest {
		t.Errorf("no update_id: %d", code)
	}
	big := append(update(102, "x")[:0:0], `{"update_id":102,"pad":"`...)
	big = append(big, bytes.Repeat([]byte("a"), 2<<20)...)
	big = append(big, `"}`...)
	if code := post(h, hookSecret, big); code != http.StatusBadRequest {
		t.Errorf(">1MB: %d", code)
	}
	sink.none(t)

	sink.setFail(func(bots.Incoming) bool { return true })
	if code := post(h, hookSecret, update(103, "x")); code != http.StatusInternalServerError {
		t.Errorf("Deliver error: %d", code)
	}
	sink.next(t)
	sink.setFail(nil)
	if code := post(h, hookSecret, update(103, "x")); code != http.StatusOK {
		t.Errorf("redelivery: %d", code)
	}
	sink.next(t)

	// Kinds we do not handle are acknowledged without delivery.
	if code := post(h, hookSecret, []byte(`{"update_id":104,"poll":{"id":"1"}}`)); code != http.StatusOK {
		t.Errorf("unhandled kind: %d", code)
	}
	sink.none(t)

	req := httptest.NewRequest(http.MethodGet, "/tg", nil)
	req.Header.Set(SecretHeader, hookSecret)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("GET: %d", rec.Code)
	}
	if strings.Contains(f.log.String(), hookSecret) || strings.Contains(f.log.String(), "Budi") {
		t.Errorf("log leaks secret or name:\n%s", f.log)
	}
}

func TestWebhookAnswersPressAfterDelivery(t *testing.T) {
	f, sink, h := webhookFixture(t)
	id := f.srv.PushPress(42, 42, 3, "ok") // registers the callback id with the fake
	body := []byte(`{"update_id":` + strconv.Itoa(id) + `,"callback_query":{"id":"` + telegramtest.PressID(id) +
		`","from":{"id":42,"first_name":"A"},"data":"ok","chat_instance":"1",` +
		`"message":{"message_id":3,"date":1,"chat":{"id":42,"type":"private"}}}}`)
	sink.setFail(func(bots.Incoming) bool { return true })
	if code := post(h, hookSecret, body); code != http.StatusInternalServerError {
		t.Fatalf("failing sink: %d", code)
	}
	sink.next(t)
	f.a.answers.Wait()
	if n := len(f.srv.Answered()); n != 0 {
		t.Errorf("answered before the update was recorded")
	}
	sink.setFail(nil)
	if code := post(h, hookSecret, body); code != http.StatusOK {
		t.Fatalf("good sink: %d", code)
	}
	if got := sink.next(t); got.Kind != bots.Press || got.Data != "ok" || got.MessageID != "3" {
		t.Errorf("delivered %+v", got)
	}
	f.srv.WaitAnswered(t, 1, 5*time.Second)
}

func TestWebhookHandlerWithoutSecretRefusesAll(t *testing.T) {
	f := newFixture(t, nil) // polling mode: no secret configured
	sink := newSink()
	h := f.a.WebhookHandler(sink)
	if code := post(h, "", []byte(`{"update_id":1}`)); code != http.StatusUnauthorized {
		t.Errorf("status %d", code)
	}
}

func TestGroupAddressing(t *testing.T) {
	f := newFixture(t, nil)
	srv := f.srv
	const group, super = int64(-4242), int64(-1001234567890)
	botMsg := &tgbotapi.Message{MessageID: 1, From: &tgbotapi.User{ID: telegramtest.BotID, IsBot: true}}
	otherMsg := &tgbotapi.Message{MessageID: 2, From: &tgbotapi.User{ID: 99}}

	type tc struct {
		name      string
		msg       *tgbotapi.Message
		addressed bool
		command   string
		chatType  bots.ChatType
	}
	msg := func(chat int64, text string, mod func(*tgbotapi.Message)) *tgbotapi.Message {
		m := srv.Message(chat, 7, text)
		if mod != nil {
			mod(m)
		}
		return m
	}
	cases := []tc{
		{"plain group text", msg(group, "ada yang tahu jadwal posyandu?", nil), false, "", bots.Group},
		{"mention", msg(group, "halo @Tebing_Test_Bot jadwal posyandu?", nil), true, "", bots.Group},
		{"mention after emoji", msg(super, "🙏🙏 @tebing_test_bot tolong", nil), true, "", bots.Group},
		{"other mention", msg(group, "halo @someone_else", nil), false, "", bots.Group},
		{"mention text without entity", msg(group, "halo tebing_test_bot", nil), false, "", bots.Group},
		{"text_mention", msg(group, "Bot tolong", func(m *tgbotapi.Message) {
			m.Entities = []tgbotapi.MessageEntity{{Type: "text_mention", Offset: 0, Length: 3, User: &tgbotapi.User{ID: telegramtest.BotID}}}
		}), true, "", bots.Group},
		{"reply to bot", msg(group, "yang ini maksudnya?", func(m *tgbotapi.Message) { m.ReplyToMessage = botMsg }), true, "", bots.Group},
		{"reply to someone", msg(group, "setuju", func(m *tgbotapi.Message) { m.ReplyToMessage = otherMsg }), false, "", bots.Group},
		{"command for us", msg(super, "/help@tebing_test_bot", nil), true, "help", bots.Group},
		{"bare command", msg(group, "/Jadwal besok", nil), true, "jadwal", bots.Group},
		{"command for other bot", msg(group, "/help@OtherBot", nil), false, "", bots.Group},
		{"other bot command in private", msg(42, "/help@OtherBot", nil), true, "", bots.Private},
		{"not a command", msg(group, "/ halo", nil), false, "", bots.Group},
		{"caption mention", msg(group, "", func(m *tgbotapi.Message) {
			m.Photo = []tgbotapi.PhotoSize{{FileID: "x"}}
			m.Caption = "@tebing_test_bot ini dokumennya"
			m.CaptionEntities = telegramtest.Entities(m.Caption)
		}), true, "", bots.Group},
		{"private", msg(42, "halo", nil), true, "", bots.Private},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in, ok := f.a.translate(&tgbotapi.Update{UpdateID: 1, Message: c.msg})
			if !ok {
				t.Fatal("not delivered")
			}
			if in.Addressed != c.addressed || in.Command != c.command || in.ChatType != c.chatType {
				t.Errorf("got addressed=%v command=%q chat=%s, want %v %q %s", in.Addressed, in.Command, in.ChatType,
					c.addressed, c.command, c.chatType)
			}
		})
	}

	t.Run("press in group", func(t *testing.T) {
		srv.PushPress(group, 7, 1, "x")
		in, ok := f.a.translate(&tgbotapi.Update{CallbackQuery: &tgbotapi.CallbackQuery{
			ID: "q", From: &tgbotapi.User{ID: 7}, Data: "x",
			Message: &tgbotapi.Message{MessageID: 1, Chat: &tgbotapi.Chat{ID: group, Type: "group"}},
		}})
		if !ok || !in.Addressed || in.Kind != bots.Press || in.ChatID != strconv.FormatInt(group, 10) {
			t.Errorf("got %+v", in)
		}
	})
	t.Run("channel post", func(t *testing.T) {
		post := &tgbotapi.Message{MessageID: 3, Date: 1, Chat: &tgbotapi.Chat{ID: -100777, Type: "channel"}, Text: "Pengumuman"}
		in, ok := f.a.translate(&tgbotapi.Update{UpdateID: 9, ChannelPost: post})
		if !ok || in.ChatType != bots.Channel || in.Addressed || in.UserID != "" || in.Kind != bots.Text {
			t.Errorf("got ok=%v %+v", ok, in)
		}
	})
	t.Run("service message skipped", func(t *testing.T) {
		m := msg(group, "", func(m *tgbotapi.Message) { m.NewChatMembers = []tgbotapi.User{{ID: 5}} })
		if _, ok := f.a.translate(&tgbotapi.Update{Message: m}); ok {
			t.Error("service message delivered")
		}
	})
}

func TestParseCommand(t *testing.T) {
	cases := []struct {
		text, cmd, args, target string
		ok                      bool
	}{
		{"/start", "start", "", "", true},
		{"/START payload-123", "start", "payload-123", "", true},
		{"/lapor@Bot  jalan rusak\ndi Jl. Sudirman ", "lapor", "jalan rusak\ndi Jl. Sudirman", "Bot", true},
		{"/a_b2", "a_b2", "", "", true},
		{"/", "", "", "", false},
		{"/path/to", "", "", "", false},
		{"/cmd@", "", "", "", false},
		{"/ä", "", "", "", false},
		{"hello /start", "", "", "", false},
		{"/" + strings.Repeat("x", 33), "", "", "", false},
	}
	for _, c := range cases {
		cmd, args, target, ok := parseCommand(c.text)
		if cmd != c.cmd || args != c.args || target != c.target || ok != c.ok {
			t.Errorf("parseCommand(%q) = %q %q %q %v", c.text, cmd, args, target, ok)
		}
	}
}

// One decoding pass tells an update from something else, and a broken
// update (which is acknowledged and logged) from a readable one.
func TestDecodeUpdate(t *testing.T) {
	for _, tc := range []struct {
		body   string
		id     int // 0: no update_id
		broken bool
	}{
		{body: `not json`},
		{body: `{"message":{}}`},
		{body: `{"update_id":"1"}`},
		{body: `{"update_id":9,"message":5}`, id: 9, broken: true},
		{body: `{"update_id":3,"message":{"message_id":4,"date":1,"chat":{"id":7,"type":"private"},"text":"halo"}}`, id: 3},
	} {
		u, id, err := decodeUpdate([]byte(tc.body))
		switch {
		case tc.id == 0 && id != nil:
			t.Errorf("%s: update_id %d, want none", tc.body, *id)
		case tc.id != 0 && (id == nil || *id != tc.id):
			t.Errorf("%s: update_id %v, want %d", tc.body, id, tc.id)
		case tc.id != 0 && tc.broken != (err != nil):
			t.Errorf("%s: err = %v, want broken = %v", tc.body, err, tc.broken)
		case tc.id != 0 && !tc.broken && (u.UpdateID != tc.id || u.Message == nil || u.Message.Text != "halo"):
			t.Errorf("%s: decoded %+v", tc.body, u)
		}
	}
}

func TestTranslateCleansChatInput(t *testing.T) {
	f := newFixture(t, nil)
	m := f.srv.Message(42, 7, "/start ktp\x00hilang")
	m.From.FirstName, m.From.LastName = "Bu\x00di", "S\xffantoso"
	in, ok := f.a.translate(&tgbotapi.Update{UpdateID: 1, Message: m})
	if !ok || in.Text != "/start ktp\uFFFDhilang" || in.Args != "ktp\uFFFDhilang" || in.UserName != "Bu\uFFFDdi S\uFFFDantoso" {
		t.Errorf("message: %+v", in)
	}
	in, ok = f.a.translate(&tgbotapi.Update{UpdateID: 2, CallbackQuery: &tgbotapi.CallbackQuery{
		ID: "q", From: m.From, Data: "svc:\x00ktp", Message: &tgbotapi.Message{MessageID: 1, Chat: m.Chat},
	}})
	if !ok || in.Data != "svc:\uFFFDktp" || in.UserName != "Bu\uFFFDdi S\uFFFDantoso" {
		t.Errorf("press: %+v", in)
	}
}

package telegramtest

import (
	"bytes"
	"encoding/json"
	"math"
	"net/http/httptest"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// encodeResult is how encoding/json writes {"ok":true,"result":result}.
func encodeResult(t *testing.T, result any) string {
	t.Helper()
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(struct {
		OK     bool `json:"ok"`
		Result any  `json:"result"`
	}{true, result}); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func TestWriteResult(t *testing.T) {
	kb := tgbotapi.NewInlineKeyboardMarkup(
		tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData("A & <b>", "a"), tgbotapi.NewInlineKeyboardButtonURL("u", "https://x.y/?a=1&b=2")),
		tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData("Kembali", "menu")),
	)
	markup, err := json.Marshal(kb)
	if err != nil {
		t.Fatal(err)
	}
	chats := []int64{42, 1, 0, math.MaxInt64, -1, -5, -1000000000000, -1000000000001, -1001234567890, math.MinInt64}
	texts := []string{"", "halo", "a & b <c> \"d\" \\ \n\t\r\b\f\x00\x1f\x7f", "émoji 😀 \u2028\u2029", "bad \xff\xfe utf-8 \xe2\x82"}
	for _, chat := range chats {
		for _, text := range texts {
			for _, kb := range []*tgbotapi.InlineKeyboardMarkup{nil, &kb} {
				m := messageResult{id: 7, chatID: chat, date: 1795805771, text: text}
				if kb != nil {
					m.markup = string(markup)
				}
				bot := botUser()
				want := encodeResult(t, tgbotapi.Message{MessageID: 7, From: &bot, Date: 1795805771, Chat: chatFor(chat), Text: text, ReplyMarkup: kb})
				rec := httptest.NewRecorder()
				writeResult(rec, m)
				if got := rec.Body.String(); got != want {
					t.Errorf("chat %d, text %q, keyboard %v:\n got %s\nwant %s", chat, text, kb != nil, got, want)
				}
				if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
					t.Errorf("Content-Type %q", ct)
				}
			}
		}
	}

	for _, result := range []any{true, false, botUser(), []json.RawMessage{}} {
		rec := httptest.NewRecorder()
		writeResult(rec, result)
		if got, want := rec.Body.String(), encodeResult(t, result); got != want {
			t.Errorf("result %v: got %s, want %s", result, got, want)
		}
	}
}

// FuzzAppendJSONString checks appendJSONString against encoding/json.
func FuzzAppendJSONString(f *testing.F) {
	for _, s := range []string{"", "plain", "<b>&amp;</b>", "\"\\\n\t\x00\x7f", "😀\u2028\u2029", "\xff\xe2\x82", "\xed\xa0\x80"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendJSONString([]byte("x"), s); string(got) != "x"+string(want) {
			t.Fatalf("appendJSONString(%q) = %s, encoding/json %s", s, got[1:], want)
		}
	})
}

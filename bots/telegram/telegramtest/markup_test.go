package telegramtest

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

var markupSeeds = []string{
	``,
	`{"inline_keyboard":[[{"text":"KTP","callback_data":"svc:ktp"},{"text":"KK","callback_data":"svc:kk"}],[{"text":"Kembali ke menu","callback_data":"menu"}]]}`,
	`{"inline_keyboard":[[{"text":"Émoji 😀","callback_data":"e"}]]}`,
	`{"inline_keyboard":[[{"text":"A \u0026 B","callback_data":"ab"}]]}`,
	`{"inline_keyboard":[[{"text":"a","callback_data":"b"}]]} `,
	`{"inline_keyboard":[[{"text":"a","callback_data":"b","pay":false}]]}`,
	`{"inline_keyboard":[[{"callback_data":"b","text":"a"}]]}`,
	`{"inline_keyboard":[[{"text":"a","url":"https://x.y"}]]}`,
	`{"inline_keyboard":[[{"TEXT":"a","callback_data":"b"}]]}`,
	`{"inline_keyboard":[[{"text":"a"}]]}`,
	`{"inline_keyboard":[[{"text":"","callback_data":"b"}]]}`,
	`{"inline_keyboard":[[{"text":"a","callback_data":""}]]}`,
	`{"inline_keyboard":[[{"text":"a","callback_data":"` + strings.Repeat("d", 65) + `"}]]}`,
	`{"inline_keyboard":[[{"text":"","callback_data":"b"},{"text":1}]]}`,
	`{"inline_keyboard":[[]]}`,
	`{"inline_keyboard":[]}`,
	`{"inline_keyboard":null}`,
	`{}`,
	`[]`,
	`{"inline_keyboard":[[{"text":"a","callback_data":"b"}]]}]`,
	`{"inline_keyboard":[[{"text":"a\"","callback_data":"b"}]]}`,
	"{\"inline_keyboard\":[[{\"text\":\"a\xff\",\"callback_data\":\"b\"}]]}",
	"{\"inline_keyboard\":[[{\"text\":\"a\u2028\",\"callback_data\":\"b\"}]]}",
	`{"inline_keyboard":[[{"text":"a","callback_data":"b"}],[{"text":"c","callback_data":"d"},{"text":"e","callback_data":"f"}]]}`,
}

func TestCheckMarkup(t *testing.T) {
	// What go-telegram-bot-api sends for bots/telegram's keyboards is read
	// without decoding it in full.
	kb := tgbotapi.NewInlineKeyboardMarkup(
		tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData("Persyaratan", "svc:ktp:req"), tgbotapi.NewInlineKeyboardButtonData("Lokasi 📍", "svc:ktp:loc")),
		tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData("Kembali ke menu", "menu")),
	)
	raw, err := json.Marshal(kb)
	if err != nil {
		t.Fatal(err)
	}
	rows, ok := parseDataKeyboard(string(raw))
	want := [][]Button{{{"Persyaratan", "svc:ktp:req"}, {"Lokasi 📍", "svc:ktp:loc"}}, {{"Kembali ke menu", "menu"}}}
	if !ok || !reflect.DeepEqual(rows, want) {
		t.Errorf("parseDataKeyboard(%s) = %v, %v", raw, rows, ok)
	}
	// Rows do not share room to grow.
	rows[0] = append(rows[0], Button{"x", "x"})
	if rows[1][0].Text != "Kembali ke menu" {
		t.Errorf("appending to a row changed the next: %v", rows)
	}

	errs := map[string]string{
		`{"inline_keyboard":[[{"text":"","callback_data":"b"}]]}`:                          "Bad Request: text buttons are unallowed in the inline keyboard",
		`{"inline_keyboard":[[{"text":"a","callback_data":""}]]}`:                          "Bad Request: BUTTON_DATA_INVALID",
		`{"inline_keyboard":[[{"text":"a","callback_data":"b"}]]}]`:                        "Bad Request: can't parse reply keyboard markup JSON object",
		`{"inline_keyboard":[[{"text":"","callback_data":"b"},{"text":1}]]}`:               "Bad Request: can't parse reply keyboard markup JSON object",
		`{"inline_keyboard":[[{"text":"a","callback_data":"b"}],[{"text":"","url":"u"}]]}`: "Bad Request: text buttons are unallowed in the inline keyboard",
	}
	for raw, want := range errs {
		if _, _, e := checkMarkup(raw); e == nil || e.status != 400 || e.desc != want {
			t.Errorf("checkMarkup(%s) = %+v, want %q", raw, e, want)
		}
	}
}

// FuzzCheckMarkup checks that reading a keyboard in the form json.Marshal
// writes gives what decoding it in full gives.
func FuzzCheckMarkup(f *testing.F) {
	for _, s := range markupSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		rows, markup, e := checkMarkup(raw)
		wantRows, wantMarkup, wantE := decodeMarkup(raw)
		if raw == "" {
			wantRows, wantMarkup, wantE = nil, "", nil
		}
		if !reflect.DeepEqual(rows, wantRows) || markup != wantMarkup || !reflect.DeepEqual(e, wantE) {
			t.Fatalf("checkMarkup(%q) = %v, %q, %v; decoding in full: %v, %q, %v", raw, rows, markup, e, wantRows, wantMarkup, wantE)
		}
		if _, ok := parseDataKeyboard(raw); ok {
			var kb tgbotapi.InlineKeyboardMarkup
			if err := json.Unmarshal([]byte(raw), &kb); err != nil {
				t.Fatalf("parseDataKeyboard accepted %q: %v", raw, err)
			}
			if again, _ := json.Marshal(kb); string(again) != raw {
				t.Fatalf("parseDataKeyboard accepted %q, which encoding/json writes as %s", raw, again)
			}
		}
	})
}

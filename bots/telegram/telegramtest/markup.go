package telegramtest

import (
	"encoding/json"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// checkMarkup validates an inline keyboard and returns its buttons and its
// JSON as encoding/json writes it ("" for none), so that equal keyboards
// compare equal.
func checkMarkup(raw string) ([][]Button, string, *apiError) {
	if raw == "" {
		return nil, "", nil
	}
	rows, ok := parseDataKeyboard(raw)
	if !ok {
		return decodeMarkup(raw)
	}
	for _, row := range rows {
		for _, b := range row {
			if e := checkButton(b.Text, &b.Data); e != nil {
				return nil, "", e
			}
		}
	}
	return rows, raw, nil
}

// decodeMarkup is checkMarkup for any keyboard JSON.
func decodeMarkup(raw string) ([][]Button, string, *apiError) {
	var kb tgbotapi.InlineKeyboardMarkup
	if err := json.Unmarshal([]byte(raw), &kb); err != nil {
		return nil, "", badRequest("can't parse reply keyboard markup JSON object")
	}
	var rows [][]Button
	for _, row := range kb.InlineKeyboard {
		var out []Button
		for _, b := range row {
			if e := checkButton(b.Text, b.CallbackData); e != nil {
				return nil, "", e
			}
			data := ""
			if b.CallbackData != nil {
				data = *b.CallbackData
			}
			out = append(out, Button{Text: b.Text, Data: data})
		}
		rows = append(rows, out)
	}
	if len(kb.InlineKeyboard) == 0 {
		return rows, "", nil
	}
	normalized, err := json.Marshal(kb)
	if err != nil {
		panic("telegramtest: cannot marshal a keyboard: " + err.Error())
	}
	return rows, string(normalized), nil
}

// checkButton validates an inline button like Telegram; data is nil if the
// button has no callback data.
func checkButton(text string, data *string) *apiError {
	if text == "" {
		return badRequest("text buttons are unallowed in the inline keyboard")
	}
	if data != nil && (len(*data) == 0 || len(*data) > 64) {
		return badRequest("BUTTON_DATA_INVALID")
	}
	return nil
}

// parseDataKeyboard reads raw if it is exactly what encoding/json writes
// for a non-empty inline keyboard whose buttons all have text and callback
// data and nothing else, as bots/telegram sends them. Then json.Unmarshal
// would read the same buttons, and raw is already normalized. It reports
// false for any other JSON, which needs decodeMarkup.
func parseDataKeyboard(raw string) (rows [][]Button, ok bool) {
	rest, ok := strings.CutPrefix(raw, `{"inline_keyboard":[`)
	if !ok {
		return nil, false
	}
	// One array for all buttons; a quote cannot occur in a verbatim
	// string, so every `{"text":` is a button.
	buttons := make([]Button, 0, strings.Count(rest, `{"text":`))
	for {
		if rest, ok = strings.CutPrefix(rest, "["); !ok {
			return nil, false
		}
		first := len(buttons)
		for {
			var b Button
			if rest, ok = strings.CutPrefix(rest, `{"text":"`); !ok {
				return nil, false
			}
			if b.Text, rest, ok = cutVerbatim(rest); !ok {
				return nil, false
			}
			if rest, ok = strings.CutPrefix(rest, `,"callback_data":"`); !ok {
				return nil, false
			}
			if b.Data, rest, ok = cutVerbatim(rest); !ok {
				return nil, false
			}
			if rest, ok = strings.CutPrefix(rest, "}"); !ok {
				return nil, false
			}
			buttons = append(buttons, b)
			if rest, ok = strings.CutPrefix(rest, ","); !ok {
				break
			}
		}
		rows = append(rows, buttons[first:len(buttons):len(buttons)])
		if rest, ok = strings.CutPrefix(rest, "]"); !ok {
			return nil, false
		}
		if rest, ok = strings.CutPrefix(rest, ","); !ok {
			break
		}
	}
	return rows, rest == "]}"
}

// cutVerbatim cuts s after the closing quote of a JSON string's content
// and reports whether the content is one that encoding/json writes as it
// is, without escapes.
func cutVerbatim(s string) (content, rest string, ok bool) {
	content, rest, ok = strings.Cut(s, `"`)
	if !ok || !jsonVerbatim(content) {
		return "", "", false
	}
	return content, rest, true
}

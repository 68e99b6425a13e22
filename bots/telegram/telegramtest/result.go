package telegramtest

import (
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"unicode/utf8"
)

// messageResult is the message that sendMessage sent or editMessageText
// edited, answered as the tgbotapi.Message with these fields set.
type messageResult struct {
	id     int
	chatID int64
	date   int
	text   string // as the user sees it
	markup string // the inline keyboard's JSON, or ""
}

var (
	// botJSON is the bot as a message's "from".
	botJSON = func() []byte {
		b, err := json.Marshal(botUser())
		if err != nil {
			panic(err)
		}
		return b
	}()
	trueResult = []byte(`{"ok":true,"result":true}` + "\n")
)

var resultBuffers = sync.Pool{New: func() any { return new([]byte) }}

// writeResult answers {"ok":true,"result":…}. Messages and true, the
// results of the calls a bot makes most, are written directly; the others
// through encoding/json.
func writeResult(w http.ResponseWriter, result any) {
	w.Header().Set("Content-Type", "application/json")
	switch r := result.(type) {
	case messageResult:
		buf := resultBuffers.Get().(*[]byte)
		b := append((*buf)[:0], `{"ok":true,"result":`...)
		b = r.appendJSON(b)
		b = append(b, "}\n"...)
		_, _ = w.Write(b)
		if cap(b) <= 64<<10 {
			*buf = b
			resultBuffers.Put(buf)
		}
		return
	case bool:
		if r {
			_, _ = w.Write(trueResult)
			return
		}
	}
	_ = json.NewEncoder(w).Encode(struct {
		OK     bool `json:"ok"`
		Result any  `json:"result"`
	}{true, result})
}

// appendJSON appends m as encoding/json writes the tgbotapi.Message.
func (m messageResult) appendJSON(b []byte) []byte {
	b = append(b, `{"message_id":`...)
	b = strconv.AppendInt(b, int64(m.id), 10)
	b = append(b, `,"from":`...)
	b = append(b, botJSON...)
	b = append(b, `,"date":`...)
	b = strconv.AppendInt(b, int64(m.date), 10)
	b = append(b, `,"chat":`...)
	b = appendChat(b, m.chatID)
	if m.text != "" {
		b = append(b, `,"text":`...)
		b = appendJSONString(b, m.text)
	}
	// Fields without omitempty.
	b = append(b, `,"message_auto_delete_timer_changed":null,"proximity_alert_triggered":null,"voice_chat_scheduled":null,"voice_chat_started":null,"voice_chat_ended":null,"voice_chat_participants_invited":null`...)
	if m.markup != "" {
		b = append(b, `,"reply_markup":`...)
		b = append(b, m.markup...)
	}
	return append(b, '}')
}

// appendChat appends chatFor(id) as encoding/json writes it.
func appendChat(b []byte, id int64) []byte {
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, id, 10)
	switch {
	case id < -1000000000000:
		b = append(b, `,"type":"supergroup","title":"Supergroup `...)
		b = strconv.AppendInt(b, -id, 10)
	case id < 0:
		b = append(b, `,"type":"group","title":"Group `...)
		b = strconv.AppendInt(b, -id, 10)
	default:
		b = append(b, `,"type":"private","first_name":"Warga `...)
		b = strconv.AppendInt(b, id, 10)
	}
	return append(b, `","photo":null,"location":null}`...)
}

// jsonVerbatim reports whether encoding/json writes s as it is between
// quotes: s is valid UTF-8 without any of the characters appendJSONString
// escapes.
func jsonVerbatim(s string) bool {
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if !verbatimASCII(c) {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || r == '\u2028' || r == '\u2029' {
			return false
		}
		i += size
	}
	return true
}

func verbatimASCII(c byte) bool {
	return c >= ' ' && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
}

// appendJSONString appends s as a JSON string as encoding/json writes it:
// control characters, quotes, backslashes, the HTML-sensitive <, > and &,
// U+2028 and U+2029 escaped, and bytes that are not UTF-8 replaced by
// U+FFFD.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0 // of the bytes not yet appended
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if verbatimASCII(c) {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, `\b`...)
			case '\f':
				b = append(b, `\f`...)
			case '\n':
				b = append(b, `\n`...)
			case '\r':
				b = append(b, `\r`...)
			case '\t':
				b = append(b, `\t`...)
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

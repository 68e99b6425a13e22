package telegramtest

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// htmlTags are the tags Telegram's HTML parse mode knows.
var htmlTags = map[string]bool{
	"b": true, "strong": true, "i": true, "em": true, "u": true, "ins": true,
	"s": true, "strike": true, "del": true, "a": true, "code": true, "pre": true,
	"span": true, "tg-spoiler": true, "tg-emoji": true, "blockquote": true,
}

var namedEntities = map[string]rune{"lt": '<', "gt": '>', "amp": '&', "quot": '"'}

// ParseHTML checks text in Telegram's HTML parse mode and returns what the
// user would see: tags removed, entities decoded. Errors read like the Bot
// API's "can't parse entities" details. It is stricter than Telegram about
// "&": every "&" must start an entity (&lt; &gt; &amp; &quot; or numeric).
func ParseHTML(text string) (string, error) {
	if !strings.ContainsAny(text, "<&") {
		return text, nil
	}
	var b strings.Builder
	b.Grow(len(text)) // tags and entities only shrink the text
	var open []string
	for i := 0; i < len(text); {
		switch text[i] {
		case '<':
			end := strings.IndexByte(text[i:], '>')
			if end < 0 {
				return "", fmt.Errorf("Unclosed start tag at byte offset %d", i)
			}
			tag := text[i+1 : i+end]
			if rest, ok := strings.CutPrefix(tag, "/"); ok {
				name := strings.ToLower(strings.TrimSpace(rest))
				if len(open) == 0 || open[len(open)-1] != name {
					return "", fmt.Errorf("Unexpected end tag at byte offset %d", i)
				}
				open = open[:len(open)-1]
			} else {
				name, _, _ := strings.Cut(tag, " ")
				name = strings.ToLower(name)
				if !htmlTags[name] {
					return "", fmt.Errorf("Unsupported start tag %q at byte offset %d", name, i)
				}
				open = append(open, name)
			}
			i += end + 1
		case '&':
			end := strings.IndexByte(text[i:], ';')
			if end < 0 || end > 12 {
				return "", fmt.Errorf("Character entity expected at byte offset %d", i)
			}
			r, ok := decodeEntity(text[i+1 : i+end])
			if !ok {
				return "", fmt.Errorf("Unsupported HTML entity at byte offset %d", i)
			}
			b.WriteRune(r)
			i += end + 1
		default:
			n := strings.IndexAny(text[i:], "<&")
			if n < 0 {
				n = len(text) - i
			}
			b.WriteString(text[i : i+n])
			i += n
		}
	}
	if len(open) > 0 {
		return "", fmt.Errorf("Can't find end tag corresponding to start tag %q", open[len(open)-1])
	}
	return b.String(), nil
}

func decodeEntity(name string) (rune, bool) {
	if r, ok := namedEntities[name]; ok {
		return r, true
	}
	num, ok := strings.CutPrefix(name, "#")
	if !ok || num == "" {
		return 0, false
	}
	base := 10
	if hex, ok := strings.CutPrefix(strings.ToLower(num), "x"); ok {
		num, base = hex, 16
	}
	n, err := strconv.ParseInt(num, base, 32)
	if err != nil || n <= 0 || !utf8.ValidRune(rune(n)) {
		return 0, false
	}
	return rune(n), true
}

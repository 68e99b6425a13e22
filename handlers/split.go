package handlers

import (
	"strings"
	"unicode/utf8"

	"github.com/tebingtinggi/hub/bots"
)

// SplitOutgoing splits a message whose text is longer than max characters
// into several, at paragraph boundaries where it can ("\n\n", then "\n",
// then a space, else anywhere). The first part keeps ReplyTo and EditOf,
// the last one the buttons. Splitting before enqueueing gives every part
// its own outbox row, so a retried part never resends the others.
func SplitOutgoing(out bots.Outgoing, max int) []bots.Outgoing {
	texts := SplitText(out.Text, max)
	if len(texts) <= 1 {
		return []bots.Outgoing{out}
	}
	parts := make([]bots.Outgoing, len(texts))
	for i, t := range texts {
		p := bots.Outgoing{Platform: out.Platform, ChatID: out.ChatID, Text: t}
		if i == 0 {
			p.ReplyTo, p.EditOf = out.ReplyTo, out.EditOf
		}
		if i == len(texts)-1 {
			p.Buttons = out.Buttons
		}
		parts[i] = p
	}
	return parts
}

// SplitText cuts s into pieces of at most max characters (runes),
// preferring paragraph, then line, then word boundaries. Whitespace at the
// cuts is dropped.
func SplitText(s string, max int) []string {
	if max <= 0 || utf8.RuneCountInString(s) <= max {
		return []string{s}
	}
	var out []string
	for utf8.RuneCountInString(s) > max {
		// Byte offset of the max-th rune: the longest allowed prefix.
		limit := len(s)
		for i := range s {
			if max == 0 {
				limit = i
				break
			}
			max--
		}
		max = utf8.RuneCountInString(s[:limit]) // restore for the next round
		head := s[:limit]
		cut := -1
		for _, sep := range []string{"\n\n", "\n", " "} {
			if i := strings.LastIndex(head, sep); i > 0 {
				cut = i
				break
			}
		}
		if cut <= 0 {
			cut = limit
		}
		piece := strings.TrimRight(s[:cut], " \n")
		if piece != "" {
			out = append(out, piece)
		}
		s = strings.TrimLeft(s[cut:], " \n")
	}
	if s != "" {
		out = append(out, s)
	}
	return out
}

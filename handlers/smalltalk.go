package handlers

import (
	"strings"

	"github.com/tebingtinggi/hub/knowledge/textid"
)

// smallTalk classifies greetings, thanks and acknowledgements, which get a
// friendly reply instead of a search (and never a ticket).
type smallTalk int

const (
	notSmallTalk smallTalk = iota
	greeting
	salam
	thanks
	ack
)

// Small-talk words, in their textid.Normalize form. A message is small
// talk when every word in it is one of these (or a form of address).
var (
	greetingWords = words("halo hallo hai hi hello helo pagi siang sore malam selamat good morning evening afternoon permisi salam")
	salamWords    = words("assalamualaikum asalamualaikum assalamualaikom wassalam waalaikumsalam")
	thanksWords   = words("terimakasih makasih thanks thank you tengkyu trims suwun banyak")
	ackWords      = words("oke ok okay sip siap baik mantap noted paham mengerti iya ya yoi betul benar")
	// addressWords are forms of address that carry no question.
	addressWords = words("min admin kak kakak bang abang pak bapak bu ibu om dik adik bg mas mbak ya lah deh dong nih")
)

func words(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// maxSmallTalkWords bounds small talk: a longer message is a question.
const maxSmallTalkWords = 6

// classifySmallTalk returns the kind of small talk text is, or
// notSmallTalk. A message of emoji or punctuation only ("👍", "🙏") counts
// as an acknowledgement.
func classifySmallTalk(text string) smallTalk {
	toks := textid.Tokens(text)
	if len(toks) == 0 {
		if strings.TrimSpace(text) != "" {
			return ack
		}
		return notSmallTalk
	}
	if len(toks) > maxSmallTalkWords {
		return notSmallTalk
	}
	var g, s, th, a bool
	for _, t := range toks {
		switch {
		case salamWords[t]:
			s = true
		case thanksWords[t]:
			th = true
		case greetingWords[t]:
			g = true
		case ackWords[t]:
			a = true
		case addressWords[t]:
		default:
			return notSmallTalk
		}
	}
	switch {
	case th:
		return thanks
	case s:
		return salam
	case g:
		return greeting
	case a:
		return ack
	}
	return notSmallTalk
}

func (k smallTalk) reply() string {
	switch k {
	case greeting:
		return textGreeting
	case salam:
		return textSalam
	case thanks:
		return textThanks
	default:
		return textAck
	}
}

package handlers

import "github.com/tebingtinggi/hub/knowledge"

// smallTalkReply is the friendly reply to a kind of small talk (greetings,
// thanks and acknowledgements get no search and never a ticket).
func smallTalkReply(k knowledge.SmallTalkKind) string {
	switch k {
	case knowledge.Greeting:
		return textGreeting
	case knowledge.Salam:
		return textSalam
	case knowledge.Thanks:
		return textThanks
	default:
		return textAck
	}
}

package handlers

import (
	"context"
	"fmt"
	"strings"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/knowledge"
)

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

// greet answers a greeting of kind k ("halo?", "assalamualaikum"). A
// citizen with tickets still open is more likely asking after them than
// starting anew: in a private chat the reply names their numbers and
// points to /status. A group gets the plain greeting, as /status there
// lists nothing: the other members are not to learn who waits on what.
func (c *Citizen) greet(ctx context.Context, in *Update, k knowledge.SmallTalkKind) ([]bots.Outgoing, error) {
	if in.UserID == "" || in.ChatType != bots.Private {
		return reply(smallTalkReply(k)), nil
	}
	ts, err := c.Inbox.OpenTicketsFor(ctx, in.Tx, in.Platform, in.UserID)
	if err != nil || len(ts) == 0 {
		return reply(smallTalkReply(k)), err
	}
	numbers := make([]string, len(ts))
	for i, t := range ts {
		numbers[i] = fmt.Sprintf("#%d", t.ID)
	}
	opener := textGreetingOpener
	if k == knowledge.Salam {
		opener = textSalamOpener
	}
	return reply(opener + " " + fmt.Sprintf(textOpenTicketsReminder, listed(numbers))), nil
}

// listed joins items as Indonesian lists them: "a", "a dan b", "a, b,
// dan c".
func listed(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	case 2:
		return items[0] + " dan " + items[1]
	}
	return strings.Join(items[:len(items)-1], ", ") + ", dan " + items[len(items)-1]
}

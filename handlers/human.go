package handlers

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/inbox"
	"github.com/tebingtinggi/hub/knowledge"
)

// humanRequestWindow is how far back a typed request for a person
// (knowledge.AsksForHuman) looks for the question it is about, and how
// long the bot then waits for the question it asked for. Such a request
// reacts to the bot's last replies: an hour covers reading an answer,
// trying what it says and coming back, while a question from the morning
// is likely a matter the citizen has settled or moved on from, and
// handing it over unasked would surprise them. It is also how long the
// ASN flows wait for typed input (DefaultIdle) and Rasa's default
// session expiry.
const humanRequestWindow = time.Hour

// recentHistory bounds the messages a request reads back: the question
// and the bot's replies to it are the last few.
const recentHistory = 20

// keyQuestionAt, in State.Data, is when the bot asked for the question
// awaited with AwaitQuestion (Unix seconds).
const keyQuestionAt = "question_at"

// Decisions of the human-request flow, for logs and metrics (a hand-over
// is "handoff", as for any other).
const (
	decisionHumanPrompt = "human_request"
	decisionHumanTicket = "human_request_ticket"
	// decisionHumanCanceled: the citizen called off their request
	// before writing the question.
	decisionHumanCanceled = "human_request_canceled"
)

// DecisionHelpful is the decision, in logs and metrics and in the message
// log (followed by the entry's id, as inbox.Decision writes it), of the
// bot's thanks for an answer the citizen marked "Terjawab": the question
// is then resolved. Desks that show the message log word it for officers.
const DecisionHelpful = "helpful"

// humanRequest answers a request for a person typed instead of pressing
// "Tanya petugas". With a ticket not closed, the citizen is told its
// number and nothing is added to it. Otherwise the recent question the
// bot did not resolve goes to an officer, as the button sends it; without
// one, the bot asks for the question and hands the next message over
// unsearched (AwaitQuestion). The request itself is not logged: it holds
// nothing for an officer to read, and the question it refers to stays the
// citizen's last one for the buttons.
func (c *Citizen) humanRequest(ctx context.Context, in *Update) ([]bots.Outgoing, error) {
	conv, ticket, err := c.Inbox.EnsureConversationTicket(ctx, in.Tx, in.Platform, in.ChatID, in.UserID, in.UserName)
	if err != nil {
		return nil, err
	}
	sess := in.Session
	if ticket != 0 {
		stopAwaitingQuestion(sess)
		in.decision = decisionHumanTicket
		return reply(fmt.Sprintf(textHumanHasTicket, ticket)), nil
	}
	now := c.now()
	recent, err := c.Inbox.RecentMessages(ctx, in.Tx, conv.ID, now.Add(-humanRequestWindow), recentHistory)
	if err != nil {
		return nil, err
	}
	if q := unresolvedQuestion(recent); q != "" {
		stopAwaitingQuestion(sess)
		return c.handoff(ctx, in, conv, q, inbox.AskedHuman)
	}
	if sess != nil {
		sess.State.Awaiting = AwaitQuestion
		setData(sess, keyQuestionAt, strconv.FormatInt(now.Unix(), 10))
	}
	in.decision = decisionHumanPrompt
	return reply(textHumanWhatQuestion), nil
}

// unresolvedQuestion is the citizen's newest question in msgs (oldest
// first) when the bot has not resolved it: it went to no ticket (one still
// open is the caller's case; a closed one was dealt with by an officer)
// and the citizen did not mark its answer "Terjawab". Requests for a
// person logged as messages (sent while rate-limited, or before requests
// were recognised) are not questions and are passed over.
func unresolvedQuestion(msgs []inbox.Message) string {
	for i := len(msgs) - 1; i >= 0; i-- {
		m := msgs[i]
		switch {
		case m.Direction == inbox.Out:
			if m.AuthorKind == inbox.Bot && (m.Decision == DecisionHelpful || strings.HasPrefix(m.Decision, DecisionHelpful+" ")) {
				return ""
			}
		case m.AuthorKind != inbox.Citizen || knowledge.AsksForHuman(m.Text):
		case m.TicketID != nil || m.FileKind != "" || strings.TrimSpace(m.Text) == "":
			return ""
		default:
			return m.Text
		}
	}
	return ""
}

// awaitingQuestion reports whether the bot asked for a question for an
// officer within humanRequestWindow; a wait older than that is dropped,
// and the message goes the usual way.
func awaitingQuestion(sess *Session, now time.Time) bool {
	if sess == nil || sess.State.Awaiting != AwaitQuestion {
		return false
	}
	at, err := strconv.ParseInt(sess.State.Data[keyQuestionAt], 10, 64)
	if err == nil && now.Sub(time.Unix(at, 0)) <= humanRequestWindow {
		return true
	}
	stopAwaitingQuestion(sess)
	return false
}

func stopAwaitingQuestion(sess *Session) {
	if sess == nil {
		return
	}
	if sess.State.Awaiting == AwaitQuestion {
		sess.State.Awaiting = ""
	}
	delData(sess, keyQuestionAt)
}

// awaitedQuestion hands text, the question the bot asked for, to an
// officer without searching it: the citizen asked for a person. A text
// that only calls the request off ("ga jadi", "nanti aja") is no
// question, and opens no ticket.
func (c *Citizen) awaitedQuestion(ctx context.Context, in *Update, text string) ([]bots.Outgoing, error) {
	stopAwaitingQuestion(in.Session)
	if typedConfirm(text) == confirmNo {
		// "Ga jadi", "nanti aja": the citizen calls the request off.
		in.decision = decisionHumanCanceled
		return reply(textHumanCanceled), nil
	}
	conv, err := c.Inbox.EnsureConversation(ctx, in.Tx, in.Platform, in.ChatID, in.UserID, in.UserName)
	if err != nil {
		return nil, err
	}
	return c.handoff(ctx, in, conv, text, inbox.AskedHuman)
}

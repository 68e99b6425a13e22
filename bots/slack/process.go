package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/internal/safetext"
)

// Handlers are where Run sends the recorded requests.
type Handlers struct {
	// Sink takes people's messages, presses and slash commands as
	// bots.Incoming (required).
	Sink Sink
	// Desk takes the officers' actions on the hand-over desk (may be nil).
	Desk *Desk
	// FAQ takes /faq commands and their modals (may be nil).
	FAQ *Curator
}

// processors is how many requests are processed at once.
const processors = 4

// processTimeout bounds the processing of one request.
const processTimeout = 30 * time.Second

// Run processes the recorded requests (those that arrive, and those left
// unfinished by a crash) and, in Socket Mode, keeps the connection to
// Slack up, until ctx ends.
func (a *Adapter) Run(ctx context.Context, h Handlers) error {
	if h.Sink == nil {
		return errors.New("slack: Handlers.Sink is required")
	}
	a.procMu.Lock()
	a.proc = &processor{a: a, h: h}
	a.procMu.Unlock()
	var wg sync.WaitGroup
	for range processors {
		wg.Go(func() {
			for {
				select {
				case <-ctx.Done():
					return
				case id := <-a.queue:
					a.processOne(ctx, id)
				}
			}
		})
	}
	wg.Go(func() {
		t := time.NewTicker(recoverEvery)
		defer t.Stop()
		for {
			if _, err := a.recoverPending(ctx); err != nil && ctx.Err() == nil {
				a.log.Warn("slack: recovery of unfinished requests failed", "error", err)
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	})
	if a.socket {
		wg.Go(func() { a.runSocket(ctx) })
	}
	if h.Desk != nil {
		wg.Go(func() { h.Desk.Run(ctx) })
	}
	wg.Wait()
	return nil
}

type processor struct {
	a *Adapter
	h Handlers
}

// handle processes one recorded request. Its work is finished even when
// Run's context ends meanwhile.
func (p *processor) handle(ctx context.Context, req request) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), processTimeout)
	defer cancel()
	switch req.kind {
	case kindEvent:
		return p.event(ctx, req)
	case kindInteraction:
		return p.interaction(ctx, req)
	case kindCommand:
		return p.command(ctx, req)
	}
	return fmt.Errorf("slack: unknown request kind %q", req.kind)
}

// eventEnvelope is the part of an event_callback the hub reads.
type eventEnvelope struct {
	EventID   string `json:"event_id"`
	EventTime int64  `json:"event_time"`
	Event     struct {
		Type        string `json:"type"`
		Subtype     string `json:"subtype"`
		Channel     string `json:"channel"`
		ChannelType string `json:"channel_type"`
		User        string `json:"user"`
		BotID       string `json:"bot_id"`
		Text        string `json:"text"`
		TS          string `json:"ts"`
		ThreadTS    string `json:"thread_ts"`
	} `json:"event"`
}

// mention is a user mention in a message's markup.
var mention = regexp.MustCompile(`<@[A-Z0-9]+(\|[^>]*)?>`)

func (p *processor) event(ctx context.Context, req request) error {
	var env eventEnvelope
	if err := json.Unmarshal(req.payload, &env); err != nil {
		return nil // checked when it arrived; nothing to retry
	}
	ev := env.Event
	// The bot's own messages, edits, joins and the like are not questions.
	if ev.BotID != "" || ev.Subtype != "" || ev.User == "" {
		return nil
	}
	in := bots.Incoming{
		Platform: bots.Slack, UpdateID: env.EventID, ChatID: ev.Channel, UserID: ev.User,
		MessageID: ev.TS, Kind: bots.Text, Text: safetext.Clean(unescape(strings.TrimSpace(mention.ReplaceAllString(ev.Text, "")))),
		Time: time.Unix(env.EventTime, 0).UTC(),
	}
	switch {
	case ev.Type == "message" && ev.ChannelType == "im":
		in.ChatType, in.Addressed = bots.Private, true
	case ev.Type == "app_mention" && p.h.Desk != nil && ev.Channel == p.h.Desk.cfg.Channel:
		// An officer naming the app on the desk writes a note like any
		// other there: no citizen's question, and nothing to answer in
		// the desk channel.
		return nil
	case ev.Type == "app_mention":
		in.ChatType, in.Addressed = bots.Group, true
	default:
		// Other channel messages, the desk's threads among them, are the
		// officers' own talk: internal notes, never sent to a citizen.
		return nil
	}
	if in.Text == "" {
		return nil
	}
	return p.h.Sink.Deliver(ctx, in)
}

// unescape reverses Slack's escaping of a message's or command's text.
func unescape(s string) string {
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(s)
}

func (p *processor) interaction(ctx context.Context, req request) error {
	var cb slack.InteractionCallback
	if err := json.Unmarshal(req.payload, &cb); err != nil {
		return nil
	}
	switch cb.Type {
	case slack.InteractionTypeBlockActions:
		act := cb.ActionCallback.BlockActions[0]
		if p.h.Desk != nil && p.h.Desk.owns(act.Value) {
			return p.h.Desk.press(ctx, cb, act.Value)
		}
		if p.h.Desk != nil && cb.View.CallbackID != "" {
			return nil // a choice inside a modal; read at submission
		}
		channel := cb.Container.ChannelID
		if channel == "" {
			channel = cb.Channel.ID
		}
		in := bots.Incoming{
			Platform: bots.Slack, UpdateID: req.id, ChatID: channel, UserID: cb.User.ID,
			MessageID: cb.Container.MessageTs, Kind: bots.Press, Data: safetext.Clean(act.Value),
			ChatType: chatType(channel), Addressed: true, Time: p.a.now().UTC(),
		}
		return p.h.Sink.Deliver(ctx, in)
	case slack.InteractionTypeViewSubmission:
		switch {
		case p.h.Desk != nil && strings.HasPrefix(cb.View.CallbackID, deskCallback):
			return p.h.Desk.submit(ctx, cb)
		case p.h.FAQ != nil && strings.HasPrefix(cb.View.CallbackID, faqCallback):
			return p.h.FAQ.submit(ctx, cb)
		}
	}
	return nil
}

func (p *processor) command(ctx context.Context, req request) error {
	var cmd slack.SlashCommand
	if err := json.Unmarshal(req.payload, &cmd); err != nil {
		return nil
	}
	// Slack escapes "&", "<" and ">" in a command's text as in a message's.
	cmd.Text = safetext.Clean(unescape(cmd.Text))
	if cmd.Command == "/faq" && p.h.FAQ != nil {
		return p.h.FAQ.command(ctx, cmd)
	}
	name := strings.ToLower(strings.TrimPrefix(cmd.Command, "/"))
	// The people's commands are about their own account, and the flows
	// answer them with messages to the chat: only in the app's DM does
	// that reach the asker alone (the app may not even be in another
	// channel, and a reminder linked to it would never arrive).
	if own, err := p.a.inAppDM(ctx, cmd); err != nil {
		return err
	} else if !own {
		p.a.respond(ctx, cmd, fmt.Sprintf(textCommandDMOnly, cmd.Command))
		return nil
	}
	in := bots.Incoming{
		Platform: bots.Slack, UpdateID: req.id, ChatID: cmd.ChannelID, UserID: cmd.UserID,
		Kind: bots.Text, Text: strings.TrimSpace(cmd.Command + " " + cmd.Text), Command: name,
		Args: strings.TrimSpace(cmd.Text), ChatType: chatType(cmd.ChannelID), Addressed: true, Time: p.a.now().UTC(),
	}
	return p.h.Sink.Deliver(ctx, in)
}

// chatType tells a DM channel (its id starts with D) from the others.
func chatType(channel string) bots.ChatType {
	if strings.HasPrefix(channel, "D") {
		return bots.Private
	}
	return bots.Group
}

// inAppDM reports whether cmd was typed in the app's direct message with
// its user: the command's channel is the one conversations.open gives for
// the user. A Slack refusal of that call (an app installed without the
// im:write scope) leaves the channel's kind to tell: a DM, perhaps with
// someone else.
func (a *Adapter) inAppDM(ctx context.Context, cmd slack.SlashCommand) (bool, error) {
	if chatType(cmd.ChannelID) != bots.Private {
		return false, nil
	}
	if dm, ok := a.dms.Load(cmd.UserID); ok {
		return dm == cmd.ChannelID, nil
	}
	ch, _, _, err := a.api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{cmd.UserID}})
	if _, refused := errors.AsType[slack.SlackErrorResponse](err); refused {
		a.log.Warn("slack: unable to find the app's DM with a user; taking any DM as it", "error", err)
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("slack: unable to find the app's DM with a user: %w", err)
	}
	a.dms.Store(cmd.UserID, ch.ID)
	return ch.ID == cmd.ChannelID, nil
}

// respond shows text to the user who typed cmd, and to them only, where
// they typed it: through the command's response_url, which works in any
// channel (chat.postEphemeral needs the app in the channel), or else (no
// URL, or it expired after its 30 minutes) as an ephemeral message.
func (a *Adapter) respond(ctx context.Context, cmd slack.SlashCommand, text string) {
	if cmd.ResponseURL == "" {
		a.ephemeral(ctx, cmd.ChannelID, cmd.UserID, text)
		return
	}
	err := slack.PostWebhookContext(ctx, cmd.ResponseURL, &slack.WebhookMessage{Text: Escape(text), ResponseType: slack.ResponseTypeEphemeral})
	if err == nil {
		return
	}
	if ue, ok := errors.AsType[*url.Error](err); ok {
		err = ue.Err // the URL is a credential of its own: never logged
	}
	a.log.Warn("slack: unable to answer a slash command at its response_url; trying an ephemeral message", "error", err)
	a.ephemeral(ctx, cmd.ChannelID, cmd.UserID, text)
}

// ephemeral shows text to one user in a channel; it is feedback on what
// they just did, not a message of record, so it is sent at once.
func (a *Adapter) ephemeral(ctx context.Context, channel, user, text string) {
	if channel == "" || user == "" {
		return
	}
	if _, err := a.api.PostEphemeralContext(ctx, channel, user, slack.MsgOptionText(Escape(text), false)); err != nil {
		a.log.Warn("slack: unable to post an ephemeral message", "error", err)
	}
}

// ephemeralButtons is ephemeral with rows of buttons under the text: a
// question to the one user, whose answer comes back as a press.
func (a *Adapter) ephemeralButtons(ctx context.Context, channel, user, text string, rows [][]bots.Button) {
	if channel == "" || user == "" {
		return
	}
	blocks, err := Blocks(text, rows)
	if err != nil {
		a.log.Warn("slack: unable to render an ephemeral message", "error", err)
		return
	}
	if _, err := a.api.PostEphemeralContext(ctx, channel, user, slack.MsgOptionText(Escape(text), false), slack.MsgOptionBlocks(blocks...)); err != nil {
		a.log.Warn("slack: unable to post an ephemeral message", "error", err)
	}
}

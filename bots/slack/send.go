package slack

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/internal/safetext"
)

// Slack's limits on what a message carries.
const (
	// MaxSectionText is the longest text of one section block.
	MaxSectionText = 3000
	// MaxButtonText is the longest text of a button.
	MaxButtonText = 75
	// MaxButtonValue is the longest value of a button.
	MaxButtonValue = 2000
	// MaxBlocks is the most blocks one message may have.
	MaxBlocks = 50
	// MaxRowButtons is the most elements of one actions block.
	MaxRowButtons = 25
)

// Send delivers out to the Slack channel (or DM channel) out.ChatID and
// returns the ts of the message it created or edited. It implements
// bots.Sender.
//
// Text is plain text: it is escaped and shown in section blocks (and as
// the notification text); buttons become actions blocks, one per row, with
// the button's data as value. EditOf edits that message (chat.update),
// or with Delete takes it back (see remove); ReplyTo answers in its
// thread. An Attachment is fetched from its platform and uploaded, with
// Text as its comment (see sendFile).
//
// Send waits, honouring ctx, until the channel's pause (Config.PerChannel)
// has passed and makes one attempt; the outbox retries. When the pause
// ends after ctx's deadline it does not wait but asks to be sent again
// then (RetryAfter). Failures are *bots.SendError:
// slack.RateLimitedError → RetryAfter (and the channel is held back until
// then), server errors and network failures → Temporary, other refusals
// (channel_not_found, invalid_blocks, …) → permanent.
func (a *Adapter) Send(ctx context.Context, out bots.Outgoing) (string, error) {
	if out.Platform != "" && out.Platform != bots.Slack {
		return "", permanent(fmt.Errorf("slack: cannot send to platform %q", out.Platform))
	}
	if strings.TrimSpace(out.ChatID) == "" {
		return "", permanent(errors.New("slack: the channel id is empty"))
	}
	if out.Delete {
		return a.remove(ctx, out)
	}
	if out.Attachment != nil && out.EditOf == "" {
		return a.sendFile(ctx, out)
	}
	opts, err := messageOptions(out)
	if err != nil {
		return "", permanent(err)
	}
	if err := a.pace(ctx, out.ChatID); err != nil {
		return "", err
	}
	var ts string
	if out.EditOf != "" {
		_, ts, _, err = a.api.UpdateMessageContext(ctx, out.ChatID, out.EditOf, opts...)
	} else {
		if out.ReplyTo != "" {
			opts = append(opts, slack.MsgOptionTS(out.ReplyTo))
		}
		_, ts, err = a.api.PostMessageContext(ctx, out.ChatID, opts...)
	}
	if err != nil {
		return "", a.classify(out.ChatID, err)
	}
	return ts, nil
}

var _ bots.Sender = (*Adapter)(nil)

// remove deletes the bot's message out.EditOf in out.ChatID
// (chat.delete), or the file the bot uploaded when out.EditOf is a Slack
// file id (files.delete), and returns out.EditOf; without EditOf, it
// deletes the bot's posts in the thread of out.ReplyTo (see
// removeThread). What Slack no longer has counts as deleted, so that a
// redelivery after a lost answer ends well; other failures are
// classified as Send's.
func (a *Adapter) remove(ctx context.Context, out bots.Outgoing) (string, error) {
	if out.EditOf == "" && out.ReplyTo == "" {
		return "", permanent(errors.New("slack: nothing to delete: the message id is empty"))
	}
	if out.EditOf == "" {
		return a.removeThread(ctx, out)
	}
	if err := a.deletePaced(ctx, out.ChatID, out.EditOf); err != nil {
		return "", err
	}
	return out.EditOf, nil
}

// gone is err, or nil when it says that what was to be deleted is no
// longer there.
func gone(err error) error {
	if se, ok := errors.AsType[slack.SlackErrorResponse](err); ok {
		switch se.Err {
		case "message_not_found", "file_not_found", "file_deleted", "thread_not_found":
			return nil
		}
	}
	return err
}

// isFileID tells a Slack file id ("F0123ABC") from a message ts
// ("1700000000.000100"): the desk records the file id of an upload.
func isFileID(id string) bool { return strings.HasPrefix(id, "F") }

func permanent(err error) error { return &bots.SendError{Err: err} }

// classify turns a Web API failure into a *bots.SendError.
func (a *Adapter) classify(channel string, err error) error {
	if rl, ok := errors.AsType[*slack.RateLimitedError](err); ok {
		wait := max(rl.RetryAfter, time.Second)
		a.limits.holdBack(channel, wait)
		return &bots.SendError{RetryAfter: wait, Err: err}
	}
	if sc, ok := errors.AsType[slack.StatusCodeError](err); ok {
		return &bots.SendError{Temporary: sc.Code >= 500 || sc.Code == 408, Err: err}
	}
	if se, ok := errors.AsType[slack.SlackErrorResponse](err); ok {
		switch se.Err {
		case "ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout":
			return &bots.SendError{Temporary: true, Err: err}
		}
		return permanent(err)
	}
	// Network failures, time-outs and unreadable answers: try again.
	return &bots.SendError{Temporary: true, Err: err}
}

// messageOptions renders out as Block Kit.
func messageOptions(out bots.Outgoing) ([]slack.MsgOption, error) {
	text := strings.TrimSpace(out.Text)
	if text == "" {
		return nil, errors.New("slack: message text is empty")
	}
	blocks, err := Blocks(text, out.Buttons)
	if err != nil {
		return nil, err
	}
	// The text is the notification's and the fallback for clients that
	// show no blocks; Slack reads it as mrkdwn, so it is escaped too.
	return []slack.MsgOption{slack.MsgOptionText(Escape(text), false), slack.MsgOptionBlocks(blocks...)}, nil
}

// Blocks renders plain text and button rows as Block Kit: the text in
// section blocks of at most MaxSectionText characters, each button row as
// an actions block whose buttons carry their data as value.
func Blocks(text string, rows [][]bots.Button) ([]slack.Block, error) {
	var blocks []slack.Block
	for _, part := range splitText(Escape(text), MaxSectionText) {
		blocks = append(blocks, slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, part, false, true), nil, nil))
	}
	for r, row := range rows {
		if len(row) == 0 {
			continue
		}
		if len(row) > MaxRowButtons {
			return nil, fmt.Errorf("slack: button row %d has %d buttons; Slack allows %d", r+1, len(row), MaxRowButtons)
		}
		var elems []slack.BlockElement
		for c, b := range row {
			label := strings.TrimSpace(b.Text)
			if label == "" {
				return nil, fmt.Errorf("slack: button (row %d, column %d) has no text", r+1, c+1)
			}
			if n := len(b.Data); n == 0 || n > MaxButtonValue {
				return nil, fmt.Errorf("slack: button (row %d, column %d) data is %d bytes; Slack allows 1-%d", r+1, c+1, n, MaxButtonValue)
			}
			label = safetext.Shorten(label, MaxButtonText)
			id := "b" + strconv.Itoa(r) + "_" + strconv.Itoa(c)
			elems = append(elems, slack.NewButtonBlockElement(id, b.Data, slack.NewTextBlockObject(slack.PlainTextType, label, true, false)))
		}
		blocks = append(blocks, slack.NewActionBlock("row"+strconv.Itoa(r), elems...))
	}
	if len(blocks) > MaxBlocks {
		return nil, fmt.Errorf("slack: the message needs %d blocks; Slack allows %d", len(blocks), MaxBlocks)
	}
	return blocks, nil
}

// Escape makes plain text safe as Slack mrkdwn: the three characters
// Slack's markup gives a meaning to are written as entities, so that a
// citizen's "<!channel>" or "<http://x|y>" shows as typed.
func Escape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// splitText cuts s into parts of at most n characters, at a line break
// or a space when there is one in the second half, and never inside an
// entity written by Escape.
func splitText(s string, n int) []string {
	var parts []string
	for utf8.RuneCountInString(s) > n {
		cut := byteOffset(s, n)
		head := s[:cut]
		best := -1
		for _, sep := range []string{"\n\n", "\n", " "} {
			if i := strings.LastIndex(head, sep); i >= cut/2 {
				best = i
				break
			}
		}
		if best < 0 {
			best = cut
			if amp := strings.LastIndexByte(head, '&'); amp >= 0 && !strings.Contains(head[amp:], ";") {
				best = amp
			}
		}
		if best == 0 {
			best = cut
		}
		parts = append(parts, strings.TrimSpace(s[:best]))
		s = strings.TrimSpace(s[best:])
	}
	if s != "" {
		parts = append(parts, s)
	}
	return parts
}

func byteOffset(s string, runes int) int {
	i := 0
	for n := 0; n < runes && i < len(s); n++ {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return i
}

// channelLimits spaces the messages to each channel.
type channelLimits struct {
	every time.Duration
	now   func() time.Time
	mu    sync.Mutex
	next  map[string]time.Time
}

func newChannelLimits(every time.Duration, now func() time.Time) *channelLimits {
	return &channelLimits{every: every, now: now, next: map[string]time.Time{}}
}

// wait takes the channel's next slot, waiting for it if needed. A slot
// that comes after ctx's deadline is not taken: wait returns a
// *slotLaterError at once instead of holding the send until it times out.
func (l *channelLimits) wait(ctx context.Context, channel string) error {
	l.mu.Lock()
	now := l.now()
	at := l.next[channel]
	if at.Before(now) {
		at = now
	}
	d := at.Sub(now)
	if deadline, ok := ctx.Deadline(); ok && d > 0 && d > time.Until(deadline) {
		l.mu.Unlock()
		return &slotLaterError{in: d}
	}
	l.next[channel] = at.Add(l.every)
	if len(l.next) > 10000 {
		for ch, t := range l.next {
			if t.Before(now) {
				delete(l.next, ch)
			}
		}
	}
	l.mu.Unlock()
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// slotLaterError says that a channel's next free slot is further away
// than the send may last.
type slotLaterError struct{ in time.Duration }

func (e *slotLaterError) Error() string {
	return fmt.Sprintf("slack: the channel's next free slot is in %s, after the send's deadline", e.in.Round(time.Millisecond))
}

// pace waits for out's channel's next slot (Config.PerChannel) before one
// call that posts or deletes. When the slot comes after ctx's deadline the
// send is to come back then (RetryAfter, which the outbox honours without
// counting an attempt); other failures (ctx ended) are temporary.
func (a *Adapter) pace(ctx context.Context, channel string) error {
	err := a.limits.wait(ctx, channel)
	if later, ok := errors.AsType[*slotLaterError](err); ok {
		return &bots.SendError{RetryAfter: later.in, Err: err}
	}
	if err != nil {
		return &bots.SendError{Temporary: true, Err: err}
	}
	return nil
}

// holdBack keeps the channel quiet for d (Slack's Retry-After).
func (l *channelLimits) holdBack(channel string, d time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if at := l.now().Add(d); at.After(l.next[channel]) {
		l.next[channel] = at
	}
}

package slack

import (
	"context"

	"github.com/slack-go/slack"

	"github.com/tebingtinggi/hub/bots"
)

// threadPage is how many messages of a thread one conversations.replies
// call reads (Slack advises at most 200).
const threadPage = 200

// removeThread deletes every message the bot posted in the thread of
// out.ReplyTo in out.ChatID, and the files they carry, and returns
// out.ReplyTo. It reads the thread from Slack (conversations.replies,
// which needs the channels:history scope, or groups:history for a
// private channel) because the outbox cannot know every post: a send
// whose answer was lost, or whose process died before recording it, was
// sent again, and the first copy's id was never recorded. The thread's
// first message and other people's replies stay. Files go before their
// message, since deleting a message leaves its files in Slack, and first
// of all go the files whose upload to the thread never finished (see
// upload), which no message shows.
//
// Each deletion takes the channel's next slot (see pace), so that a long
// thread is deleted at the channel's pace, not in a burst. When a slot
// is further away than the send may last, or Slack asks to wait, the
// send stops there and the outbox sends it again later: it reads the
// thread again, which no longer holds what was deleted, and goes on from
// there, so nothing is deleted twice or left out.
func (a *Adapter) removeThread(ctx context.Context, out bots.Outgoing) (string, error) {
	if err := a.dropUploads(ctx, `channel = ? AND thread_ts = ?`, out.ChatID, out.ReplyTo); err != nil {
		return "", err
	}
	self, err := a.identity(ctx)
	if err != nil {
		return "", a.classify(out.ChatID, err)
	}
	var posts []slack.Message
	params := &slack.GetConversationRepliesParameters{ChannelID: out.ChatID, Timestamp: out.ReplyTo, Limit: threadPage}
	for {
		msgs, more, next, err := a.api.GetConversationRepliesContext(ctx, params)
		if err != nil {
			if gone(err) == nil {
				return out.ReplyTo, nil // the whole thread is gone
			}
			return "", a.classify(out.ChatID, err)
		}
		for _, m := range msgs {
			if m.Timestamp != out.ReplyTo && self.posted(m) {
				posts = append(posts, m)
			}
		}
		if !more || next == "" {
			break
		}
		params.Cursor = next
	}
	for _, m := range posts {
		for _, f := range m.Files {
			if err := a.deletePaced(ctx, out.ChatID, f.ID); err != nil {
				return "", err
			}
		}
		if err := a.deletePaced(ctx, out.ChatID, m.Timestamp); err != nil {
			return "", err
		}
	}
	return out.ReplyTo, nil
}

// deletePaced deletes the bot's message (ts) or file (id) in channel at
// the channel's pace; what Slack no longer has counts as deleted.
func (a *Adapter) deletePaced(ctx context.Context, channel, id string) error {
	if err := a.pace(ctx, channel); err != nil {
		return err
	}
	var err error
	if isFileID(id) {
		err = a.api.DeleteFileContext(ctx, id)
	} else {
		_, _, err = a.api.DeleteMessageContext(ctx, channel, id)
	}
	if err := gone(err); err != nil {
		return a.classify(channel, err)
	}
	return nil
}

// botIdentity is who the adapter's bot is in Slack.
type botIdentity struct{ user, bot string }

// posted reports whether the bot posted m.
func (b botIdentity) posted(m slack.Message) bool {
	return (b.user != "" && m.User == b.user) || (b.bot != "" && m.BotID == b.bot)
}

// identity asks Slack who the bot is (auth.test), once.
func (a *Adapter) identity(ctx context.Context) (botIdentity, error) {
	a.selfMu.Lock()
	defer a.selfMu.Unlock()
	if a.self != (botIdentity{}) {
		return a.self, nil
	}
	r, err := a.api.AuthTestContext(ctx)
	if err != nil {
		return botIdentity{}, err
	}
	a.self = botIdentity{user: r.UserID, bot: r.BotID}
	return a.self, nil
}

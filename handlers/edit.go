package handlers

import (
	"context"
	"strings"

	"github.com/tebingtinggi/hub/bots"
)

// edit handles a citizen's edit of a message they sent. An edit of a
// message that went to an officer with a ticket still open (the
// question, a follow-up, a file's caption) usually completes or corrects
// it, a NIK added or an address fixed: it joins the ticket as a new
// message marked as an edit, beside the original, for the officer to
// read on every desk, as a follow-up does. The citizen gets no reply and
// nothing is searched: the edit says nothing new to the bot. An edit of
// any other message (one the bot already answered, one of a closed
// ticket, one erased with /hapusdata) is ignored: answering it again
// would repeat the conversation. In a group, as for a follow-up, only an
// edit of a message addressed to the bot counts. It serves the flows
// and, for an edit the per-person rate limit silenced, Dropped alike:
// either way nothing is said.
func (c *Citizen) edit(ctx context.Context, in *Update) ([]bots.Outgoing, error) {
	if !speaks(in.Incoming) || in.UserID == "" {
		return nil, nil
	}
	text := strings.TrimSpace(mentionRE.ReplaceAllString(in.Text, " "))
	_, _, err := c.Inbox.LogEdit(ctx, in.Tx, in.Platform, in.ChatID, in.UserID, in.MessageID, text)
	return nil, err
}

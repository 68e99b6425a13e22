package telegram

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf16"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/internal/safetext"
)

// process translates one update, delivers it to sink and, for button
// presses, answers the callback query once the sink has recorded it (in
// the background, tracked by wg). A nil result means the update may be
// acknowledged to Telegram.
func (a *Adapter) process(ctx context.Context, sink Sink, u *tgbotapi.Update, wg *sync.WaitGroup) error {
	if in, ok := a.translate(u); ok {
		if err := sink.Deliver(ctx, in); err != nil {
			a.failures.Fail(failDeliver, "update_id", u.UpdateID, "error", a.scrub(err).Error())
			return err
		}
		a.failures.OK(failDeliver)
	}
	if cq := u.CallbackQuery; cq != nil && cq.ID != "" {
		a.answerCallback(ctx, cq.ID, wg)
	}
	return nil
}

// answerCallback stops the client's progress indicator on the pressed
// button. It runs in the background, detached from ctx's cancellation but
// bounded by the HTTP time-out; failures are logged, not returned.
func (a *Adapter) answerCallback(ctx context.Context, id string, wg *sync.WaitGroup) {
	wg.Add(1)
	go func() {
		defer wg.Done()
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), a.httpTimeout)
		defer cancel()
		if _, _, err := a.request(ctx, a.client, tgbotapi.NewCallback(id, "")); err != nil {
			a.failures.Fail(failAnswer, "error", err.Error())
			return
		}
		a.failures.OK(failAnswer)
	}()
}

// translate turns an update into an Incoming; ok is false for updates that
// are acknowledged without delivery (kinds the hub does not handle, service
// messages, presses on inline-mode messages).
//
// Channel posts are delivered with ChatType bots.Channel, no UserID, and
// Addressed only when they mention the bot or carry a command for it: the
// handler layer decides whether to act on them.
func (a *Adapter) translate(u *tgbotapi.Update) (in bots.Incoming, ok bool) {
	switch {
	case u.Message != nil:
		in, ok = a.fromMessage(u.Message, false)
	case u.EditedMessage != nil:
		in, ok = a.fromMessage(u.EditedMessage, true)
	case u.ChannelPost != nil:
		in, ok = a.fromMessage(u.ChannelPost, false)
	case u.EditedChannelPost != nil:
		in, ok = a.fromMessage(u.EditedChannelPost, true)
	case u.CallbackQuery != nil:
		in, ok = a.fromCallback(u.CallbackQuery)
	}
	if ok {
		in.Platform = bots.Telegram
		in.UpdateID = strconv.Itoa(u.UpdateID)
	}
	return in, ok
}

func chatType(c *tgbotapi.Chat) (bots.ChatType, bool) {
	switch c.Type {
	case "private":
		return bots.Private, true
	case "group", "supergroup":
		return bots.Group, true
	case "channel":
		return bots.Channel, true
	}
	return "", false
}

func displayName(u *tgbotapi.User) string {
	if u == nil {
		return ""
	}
	return safetext.Clean(strings.TrimSpace(u.FirstName + " " + u.LastName))
}

// about is the part of an update that says where it comes from: the chat
// and message m (which must have a chat of a kind the hub serves) and the
// person from, if any.
func about(m *tgbotapi.Message, from *tgbotapi.User) (bots.Incoming, bool) {
	if m == nil || m.Chat == nil {
		return bots.Incoming{}, false
	}
	ct, ok := chatType(m.Chat)
	if !ok {
		return bots.Incoming{}, false
	}
	in := bots.Incoming{ChatID: chatIDString(m.Chat.ID), ChatType: ct, MessageID: strconv.Itoa(m.MessageID)}
	if from != nil {
		in.UserID = chatIDString(from.ID)
		in.UserName = displayName(from)
	}
	return in, true
}

func (a *Adapter) fromMessage(m *tgbotapi.Message, edited bool) (bots.Incoming, bool) {
	in, ok := about(m, m.From)
	if !ok {
		return bots.Incoming{}, false
	}
	in.Time = time.Unix(int64(m.Date), 0).UTC()
	if edited && m.EditDate != 0 {
		in.Time = time.Unix(int64(m.EditDate), 0).UTC()
	}

	text, entities := m.Text, m.Entities
	media := mediaName(m)
	switch {
	case text != "":
		in.Kind = bots.Text
	case media != "":
		in.Kind = bots.Unsupported
		in.Media = media
		text, entities = m.Caption, m.CaptionEntities
		if edited {
			// A live location's every move is an edit: never read.
			break
		}
		if id := fileID(m); id != "" {
			in.Kind, in.FileID = bots.File, id
		} else if p, ok := place(m); ok {
			in.Kind, in.Place = bots.Location, p
		}
	default:
		// Service messages (members joined, title changed, pins, …).
		return bots.Incoming{}, false
	}
	if edited {
		in.Kind = bots.Edited
	}
	// Cleaned at the edge, so that both backends store the same text
	// (PostgreSQL refuses NUL and invalid UTF-8). The entities' offsets
	// still hold: JSON decoding already made the text valid UTF-8, and a
	// NUL and its replacement are one UTF-16 unit each.
	text = safetext.Clean(text)
	in.Text = text

	addressed := in.ChatType == bots.Private
	if in.Kind == bots.Text || in.Kind == bots.Edited {
		cmd, args, target, isCmd := parseCommand(text)
		switch {
		case !isCmd:
		case target == "" || strings.EqualFold(target, a.Username()):
			in.Command, in.Args = cmd, args
			// A bare "/cmd" in a group is delivered by Telegram to bots
			// precisely because it is meant for them.
			addressed = true
		default:
			// "/cmd@OtherBot": for another bot, so plain text to us.
		}
	}
	if !addressed && (a.mentions(text, entities) || a.repliesToBot(m)) {
		addressed = true
	}
	in.Addressed = addressed
	return in, true
}

func (a *Adapter) fromCallback(cq *tgbotapi.CallbackQuery) (bots.Incoming, bool) {
	// Presses on inline-mode messages have no chat; they are only answered.
	in, ok := about(cq.Message, cq.From)
	if !ok {
		return bots.Incoming{}, false
	}
	in.Kind, in.Data, in.Addressed = bots.Press, safetext.Clean(cq.Data), true
	// A callback query has no date of its own: the press is now.
	in.Time = time.Now().UTC().Truncate(time.Second)
	return in, true
}

// fileID is the id of a file the hub keeps in the conversation (a photo,
// its largest size; a document, voice note, audio, video or video note),
// or "" for any other content. It names the file mediaName names.
func fileID(m *tgbotapi.Message) string {
	switch {
	case m.Sticker != nil, m.Animation != nil:
		return ""
	case len(m.Photo) > 0:
		return m.Photo[len(m.Photo)-1].FileID
	case m.Voice != nil:
		return m.Voice.FileID
	case m.VideoNote != nil:
		return m.VideoNote.FileID
	case m.Video != nil:
		return m.Video.FileID
	case m.Audio != nil:
		return m.Audio.FileID
	case m.Document != nil:
		return m.Document.FileID
	}
	return ""
}

// place is the shared location or venue of m; ok is false for other
// content and for coordinates off the globe.
func place(m *tgbotapi.Message) (p *bots.Place, ok bool) {
	loc := m.Location
	var title, address string
	if m.Venue != nil {
		loc = &m.Venue.Location
		title, address = m.Venue.Title, m.Venue.Address
	}
	if loc == nil || !onGlobe(loc.Latitude, loc.Longitude) {
		return nil, false
	}
	return &bots.Place{
		Latitude:  loc.Latitude,
		Longitude: loc.Longitude,
		Title:     safetext.Clean(strings.TrimSpace(title)),
		Address:   safetext.Clean(strings.TrimSpace(address)),
	}, true
}

// onGlobe reports whether lat and lon are coordinates in degrees.
func onGlobe(lat, lon float64) bool {
	return lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180
}

// mediaName names the content of a message without text, or "".
func mediaName(m *tgbotapi.Message) string {
	switch {
	case m.Sticker != nil:
		return "sticker"
	case m.Animation != nil: // before Document: animations carry one too
		return "animation"
	case len(m.Photo) > 0:
		return "photo"
	case m.Voice != nil:
		return "voice"
	case m.VideoNote != nil:
		return "video_note"
	case m.Video != nil:
		return "video"
	case m.Audio != nil:
		return "audio"
	case m.Document != nil:
		return "document"
	case m.Venue != nil: // before Location: venues carry one too
		return "venue"
	case m.Location != nil:
		return "location"
	case m.Contact != nil:
		return "contact"
	case m.Poll != nil:
		return "poll"
	case m.Dice != nil:
		return "dice"
	case m.Game != nil:
		return "game"
	case m.Invoice != nil:
		return "invoice"
	}
	return ""
}

// parseCommand splits "/cmd@target args" into its parts; isCmd is false
// when text is not a command (Telegram commands are 1–32 letters, digits
// and underscores).
func parseCommand(text string) (cmd, args, target string, isCmd bool) {
	if !strings.HasPrefix(text, "/") {
		return "", "", "", false
	}
	head, rest := text[1:], ""
	if i := strings.IndexAny(head, " \t\n\r"); i >= 0 {
		head, rest = head[:i], head[i+1:]
	}
	if at := strings.IndexByte(head, '@'); at >= 0 {
		head, target = head[:at], head[at+1:]
		if !isCommandWord(target, 64) {
			return "", "", "", false
		}
	}
	if !isCommandWord(head, 32) {
		return "", "", "", false
	}
	return strings.ToLower(head), strings.TrimSpace(rest), target, true
}

func isCommandWord(s string, maxLen int) bool {
	if s == "" || len(s) > maxLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// mentions reports whether entities mention the bot: "@username" (any case)
// or a text_mention of the bot's id.
func (a *Adapter) mentions(text string, entities []tgbotapi.MessageEntity) bool {
	var units []uint16 // entity offsets count UTF-16 code units
	for _, e := range entities {
		switch e.Type {
		case "text_mention":
			if e.User != nil && e.User.ID == a.BotID() {
				return true
			}
		case "mention":
			if units == nil {
				units = utf16.Encode([]rune(text))
			}
			if e.Offset < 0 || e.Length <= 0 || e.Offset > len(units) || e.Length > len(units)-e.Offset {
				continue
			}
			name := string(utf16.Decode(units[e.Offset : e.Offset+e.Length]))
			if strings.EqualFold(strings.TrimPrefix(name, "@"), a.Username()) {
				return true
			}
		}
	}
	return false
}

func (a *Adapter) repliesToBot(m *tgbotapi.Message) bool {
	r := m.ReplyToMessage
	return r != nil && r.From != nil && r.From.ID == a.BotID()
}

package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/tebingtinggi/hub/bots"
)

// MaxMessageLength is Telegram's limit on a message's text, in UTF-16 code
// units after entity parsing. Send keeps every part within it even before
// parsing, i.e. counting "&amp;" as five.
const MaxMessageLength = 4096

// MaxButtonData is Telegram's limit on a button's callback data, in bytes.
const MaxButtonData = 64

// Send delivers out and returns the Telegram id of the message that now
// carries its buttons (the last part). It implements bots.Sender.
//
// Text is plain text: it is escaped and sent in HTML parse mode. Text longer
// than MaxMessageLength is split at paragraph boundaries ("\n\n", then
// "\n", then a space, then anywhere) into several messages; ReplyTo applies
// to the first, the buttons to the last. With EditOf set, that message is
// edited (text and buttons; "message is not modified" counts as success);
// should the new text need several parts, the edited message takes the
// first and the rest follow as new messages.
//
// Send waits, honouring ctx, for the flood limits (see Limits) and makes one
// attempt per part; it does not retry. Failures are *bots.SendError: 429 →
// RetryAfter (and the chat is held back until then), 5xx, time-outs,
// network errors and Telegram refusing the token → Temporary, other
// refusals (bad request, blocked by the user, chat not found) → permanent.
// If a later part fails, the earlier parts have been sent.
func (a *Adapter) Send(ctx context.Context, out bots.Outgoing) (string, error) {
	if out.Platform != "" && out.Platform != bots.Telegram {
		return "", permanent(fmt.Errorf("telegram: cannot send to platform %q", out.Platform))
	}
	chatID, err := strconv.ParseInt(out.ChatID, 10, 64)
	if err != nil || chatID == 0 {
		return "", permanent(errors.New("telegram: chat id must be a non-zero integer"))
	}
	replyTo, err := optionalID(out.ReplyTo, "ReplyTo")
	if err != nil {
		return "", permanent(err)
	}
	editOf, err := optionalID(out.EditOf, "EditOf")
	if err != nil {
		return "", permanent(err)
	}
	markup, err := keyboard(out.Buttons)
	if err != nil {
		return "", permanent(err)
	}
	parts := splitText(out.Text, MaxMessageLength)
	if len(parts) == 0 {
		return "", permanent(errors.New("telegram: message text is empty"))
	}

	var id string
	for i, part := range parts {
		var kb *tgbotapi.InlineKeyboardMarkup
		if i == len(parts)-1 {
			kb = markup
		}
		if i == 0 && editOf != 0 {
			id, err = a.editText(ctx, chatID, editOf, part, kb)
		} else {
			reply := 0
			if i == 0 {
				reply = replyTo
			}
			id, err = a.sendText(ctx, chatID, reply, part, kb)
		}
		if err != nil {
			return "", err
		}
	}
	return id, nil
}

func permanent(err error) error { return &bots.SendError{Err: err} }

func optionalID(s, field string) (int, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("telegram: %s must be a positive message id", field)
	}
	return n, nil
}

// keyboard builds the inline keyboard, rejecting buttons Telegram would.
func keyboard(rows [][]bots.Button) (*tgbotapi.InlineKeyboardMarkup, error) {
	var kb [][]tgbotapi.InlineKeyboardButton
	for r, row := range rows {
		var out []tgbotapi.InlineKeyboardButton
		for c, b := range row {
			if strings.TrimSpace(b.Text) == "" {
				return nil, fmt.Errorf("telegram: button (row %d, column %d) has no text", r+1, c+1)
			}
			if n := len(b.Data); n == 0 || n > MaxButtonData {
				return nil, fmt.Errorf("telegram: button (row %d, column %d) data is %d bytes; Telegram allows 1-%d", r+1, c+1, n, MaxButtonData)
			}
			out = append(out, tgbotapi.NewInlineKeyboardButtonData(b.Text, b.Data))
		}
		if len(out) > 0 {
			kb = append(kb, out)
		}
	}
	if len(kb) == 0 {
		return nil, nil
	}
	return &tgbotapi.InlineKeyboardMarkup{InlineKeyboard: kb}, nil
}

func (a *Adapter) sendText(ctx context.Context, chatID int64, replyTo int, text string, kb *tgbotapi.InlineKeyboardMarkup) (string, error) {
	cfg := tgbotapi.NewMessage(chatID, escapeHTML(text))
	cfg.ParseMode = tgbotapi.ModeHTML
	if replyTo != 0 {
		cfg.ReplyToMessageID = replyTo
		cfg.AllowSendingWithoutReply = true
	}
	if kb != nil {
		cfg.ReplyMarkup = kb
	}
	resp, err := a.limited(ctx, chatID, cfg)
	if err != nil {
		return "", err
	}
	// Only the id is needed: the whole Message would cost a decode of
	// every field Telegram sends back.
	var msg struct {
		MessageID int `json:"message_id"`
	}
	if err := json.Unmarshal(resp.Result, &msg); err != nil || msg.MessageID == 0 {
		// Sent, but the id is unreadable: report success rather than send
		// the message twice.
		a.log.Warn("telegram: sendMessage result without message id")
		return "", nil
	}
	return strconv.Itoa(msg.MessageID), nil
}

func (a *Adapter) editText(ctx context.Context, chatID int64, messageID int, text string, kb *tgbotapi.InlineKeyboardMarkup) (string, error) {
	cfg := tgbotapi.NewEditMessageText(chatID, messageID, escapeHTML(text))
	cfg.ParseMode = tgbotapi.ModeHTML
	cfg.ReplyMarkup = kb
	if _, err := a.limited(ctx, chatID, cfg); err != nil {
		var apiErr *tgbotapi.Error
		if errors.As(err, &apiErr) && strings.Contains(strings.ToLower(apiErr.Message), "message is not modified") {
			return strconv.Itoa(messageID), nil
		}
		return "", err
	}
	return strconv.Itoa(messageID), nil
}

// limited makes one call within the flood limits and classifies failures.
func (a *Adapter) limited(ctx context.Context, chatID int64, c tgbotapi.Chattable) (*tgbotapi.APIResponse, error) {
	release, err := a.limiter.acquire(ctx, chatID)
	if err != nil {
		return nil, &bots.SendError{Temporary: true, Err: err}
	}
	resp, d, err := a.request(ctx, a.client, c)
	if err == nil {
		a.limiter.succeeded()
		release()
		a.failures.OK(failSend)
		a.failures.OK(failRateLimited)
		return resp, nil
	}
	se := classify(err, d)
	if se.RetryAfter > 0 {
		// Before release: no queued send to this chat may slip through.
		a.limiter.block(chatID, time.Now().Add(se.RetryAfter))
		// No chat id: a private chat's is the citizen's Telegram user id.
		a.failures.Fail(failRateLimited, "retry_after", se.RetryAfter.String())
	} else if se.Temporary && ctx.Err() == nil {
		a.failures.Fail(failSend, "error", err.Error())
	}
	release()
	return nil, se
}

// classify maps a failed call to a *bots.SendError. err must already be
// scrubbed; d (may be nil) holds the HTTP status.
func classify(err error, d *doer) *bots.SendError {
	status, header := 0, ""
	if d != nil {
		status, header = d.status, d.retryAfter
	}
	var apiErr *tgbotapi.Error
	if errors.As(err, &apiErr) {
		code := apiErr.Code
		if code == 0 {
			code = status
		}
		switch {
		case apiErr.RetryAfter > 0:
			return &bots.SendError{RetryAfter: time.Duration(apiErr.RetryAfter) * time.Second, Temporary: true, Err: err}
		case code == 429:
			return &bots.SendError{RetryAfter: headerRetryAfter(header), Temporary: true, Err: err}
		case code >= 500:
			return &bots.SendError{Temporary: true, Err: err}
		case code == 401 || code == 404:
			// Telegram refuses the token: the bot is misconfigured, the
			// message is fine. Keep it for when the token is fixed.
			return &bots.SendError{Temporary: true, Err: err}
		default:
			return &bots.SendError{Err: err}
		}
	}
	if status == 429 {
		return &bots.SendError{RetryAfter: headerRetryAfter(header), Temporary: true, Err: err}
	}
	// Network errors, time-outs, cancellations, and answers that are not
	// the Bot API's JSON (a proxy's 502 page): may succeed later.
	return &bots.SendError{Temporary: true, Err: err}
}

func headerRetryAfter(h string) time.Duration {
	if n, err := strconv.Atoi(strings.TrimSpace(h)); err == nil && n > 0 {
		return time.Duration(n) * time.Second
	}
	return time.Second
}

var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// escapeHTML escapes the characters Telegram's HTML parse mode reserves.
func escapeHTML(s string) string { return htmlEscaper.Replace(s) }

// cost is r's length in UTF-16 code units once escaped.
func cost(r rune) int {
	switch r {
	case '&':
		return len("&amp;")
	case '<', '>':
		return len("&lt;")
	}
	if r >= 0x10000 {
		return 2
	}
	return 1
}

// Parts returns the texts of the messages Send sends for text, before
// escaping: what a preview of a message shows.
func Parts(text string) []string { return splitText(text, MaxMessageLength) }

// splitText cuts text into parts that each cost at most limit once escaped,
// preferring paragraph breaks, then line breaks, then spaces. Parts that
// would be blank (Telegram refuses them) are dropped.
func splitText(text string, limit int) []string {
	var parts []string
	add := func(p string) {
		if strings.TrimSpace(p) != "" {
			parts = append(parts, p)
		}
	}
	for {
		// end: the longest prefix within the limit.
		end, total := 0, 0
		for i, r := range text {
			total += cost(r)
			if total > limit {
				break
			}
			end = i + utf8.RuneLen(r)
		}
		if end == len(text) {
			add(text)
			return parts
		}
		head, rest := cutAt(text, end)
		add(head)
		text = rest
	}
}

// cutAt splits text at the best boundary that leaves at most text[:end]
// in the head; the separator itself is dropped.
func cutAt(text string, end int) (head, rest string) {
	for _, sep := range []string{"\n\n", "\n", " "} {
		// A separator starting at or before end still fits: the head ends
		// before it.
		probe := text[:min(len(text), end+len(sep))]
		if i := strings.LastIndex(probe, sep); i > 0 {
			trim := "\n"
			if sep == " " {
				trim = " "
			}
			return strings.TrimRight(text[:i], " \n"), strings.TrimLeft(text[i+len(sep):], trim)
		}
	}
	if end == 0 { // a limit below one escaped rune: never loop forever
		_, end = utf8.DecodeRuneInString(text)
	}
	return text[:end], text[end:]
}

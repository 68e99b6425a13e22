// Package telegram connects the hub to Telegram through the Bot API.
//
// The Adapter receives updates either by long polling (getUpdates) or by a
// webhook, verifies and translates each into a platform-neutral
// bots.Incoming and hands it to a Sink (the handler layer). An update is
// acknowledged to Telegram only after the Sink has durably recorded it: in
// polling mode the offset is advanced past it, in webhook mode the request
// is answered 200. If the Sink fails, polling backs off and delivers the same
// update again, and the webhook answers 500 so that Telegram redelivers.
//
// Translation: text messages become bots.Text ("/cmd@bot args" sets Command
// and Args; a command for another bot is plain, unaddressed text), button
// presses bots.Press (answered with answerCallbackQuery once recorded),
// edits bots.Edited, photos, documents, voice notes, audio, videos and
// video notes bots.File (their file_id and caption), locations and venues
// bots.Location (their coordinates, and a venue's name and address), other
// media bots.Unsupported with Media naming it and nothing of its content
// (a shared contact's name and number never leave the adapter). Service
// messages and update kinds the hub does not handle are acknowledged without
// delivery. Channel posts are delivered with ChatType bots.Channel, no
// UserID and Addressed only when they mention the bot or carry a command for
// it, so the handler layer sees them and decides. In groups a message is
// Addressed when it @mentions the bot, replies to one of its messages or is
// a command for it (bare "/cmd" included).
//
// The Adapter is also the Telegram bots.Sender: it escapes and formats
// outgoing text as HTML, splits long answers, edits earlier messages,
// respects Telegram's flood limits (globally, per private chat and per group)
// and classifies failures as *bots.SendError.
//
// The bot token never appears in errors or logs: every error that may carry
// a request URL passes through a scrubber first. Message text and user names
// are personal data and are never logged.
package telegram

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/tebingtinggi/hub/bots"
)

// DefaultAPIURL is the Bot API base URL used when Config.APIURL is empty.
const DefaultAPIURL = "https://api.telegram.org"

// Defaults for the zero values of Config.
const (
	DefaultPollTimeout = 30 * time.Second
	DefaultHTTPTimeout = 15 * time.Second
)

// AllowedUpdates lists the update kinds the adapter asks Telegram for, in
// polling and webhook mode alike.
var AllowedUpdates = []string{
	tgbotapi.UpdateTypeMessage,
	tgbotapi.UpdateTypeEditedMessage,
	tgbotapi.UpdateTypeCallbackQuery,
	tgbotapi.UpdateTypeChannelPost,
}

// Sink receives translated updates; it is implemented by the handler layer.
// Deliver returns nil once the update is durably recorded; only then does
// the adapter acknowledge the update to Telegram. Deliver may be called
// again with the same update (same UpdateID) after a failure or a restart.
type Sink interface {
	Deliver(ctx context.Context, in bots.Incoming) error
}

// SinkFunc adapts a function to Sink.
type SinkFunc func(ctx context.Context, in bots.Incoming) error

// Deliver calls f.
func (f SinkFunc) Deliver(ctx context.Context, in bots.Incoming) error { return f(ctx, in) }

// Config configures an Adapter. Only Token is required.
type Config struct {
	// Token is the bot token from @BotFather (see ValidToken). It is a
	// secret: it never appears in errors or logs, in any escaped form.
	Token string
	// APIURL is the Bot API base URL, e.g. http://127.0.0.1:8081 for a local
	// Bot API server or a test fake; "/bot<token>/<method>" is appended.
	// Default DefaultAPIURL.
	APIURL string
	// WebhookURL is the public URL Telegram posts updates to. Empty means
	// long polling.
	WebhookURL string
	// WebhookSecret is sent by Telegram in the
	// X-Telegram-Bot-Api-Secret-Token header of every webhook request.
	// Required when WebhookURL is set: 1–256 characters of A–Z, a–z, 0–9,
	// "_" and "-".
	WebhookSecret string
	// PollTimeout is the long-poll timeout of getUpdates, rounded up to
	// whole seconds. Default DefaultPollTimeout.
	PollTimeout time.Duration
	// HTTPTimeout bounds every Bot API call other than getUpdates (whose
	// client allows PollTimeout plus HTTPTimeout). Default
	// DefaultHTTPTimeout.
	HTTPTimeout time.Duration
	// Limits are the outgoing flood limits; zero fields take the defaults.
	Limits Limits
	// Logger receives the adapter's logs; default slog.Default().
	Logger *slog.Logger
}

// Rate is a number of events allowed per period, e.g. Rate{30, time.Second}.
// Events are spaced evenly: at most one per Per/Events.
type Rate struct {
	Events int
	Per    time.Duration
}

// interval is the least gap between two events, or def's if r is unset.
func (r Rate) interval(def Rate) time.Duration {
	if r.Events <= 0 || r.Per <= 0 {
		r = def
	}
	return r.Per / time.Duration(r.Events)
}

// Limits are Telegram's flood limits as the adapter enforces them in Send.
// A zero Rate takes its default.
type Limits struct {
	// Global bounds all sends together; default 30 per second.
	Global Rate
	// PerChat bounds sends to one private chat (positive chat id); default
	// 1 per second.
	PerChat Rate
	// PerGroup bounds sends to one group, supergroup or channel (negative
	// chat id); default 20 per minute.
	PerGroup Rate
}

// The default limits, after Telegram's documented flood limits.
var (
	DefaultGlobalRate = Rate{Events: 30, Per: time.Second}
	DefaultChatRate   = Rate{Events: 1, Per: time.Second}
	DefaultGroupRate  = Rate{Events: 20, Per: time.Minute}
)

// Adapter is a Telegram bot: a receiver of updates (Run, WebhookHandler) and
// a bots.Sender. It is safe for concurrent use.
type Adapter struct {
	bot         *tgbotapi.BotAPI // Self and endpoint; its Client is replaced per call
	tokenForms  *regexp.Regexp   // what scrub replaces
	client      *http.Client     // non-polling calls
	pollClient  *http.Client     // getUpdates
	pollTimeout time.Duration
	httpTimeout time.Duration
	webhookURL  string
	webhookPath string
	secret      string
	log         *slog.Logger
	failures    *failureLog
	limiter     *limiter

	// Backoff bounds for retrying Telegram and the Sink; tests shorten them.
	backoffMin, backoffMax time.Duration

	answers sync.WaitGroup // the webhook's in-flight answerCallbackQuery calls (for tests)
}

// The bots.Sender contract.
var _ bots.Sender = (*Adapter)(nil)

var (
	secretPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)
	tokenPattern  = regexp.MustCompile(`^[0-9]+:[A-Za-z0-9_-]+$`)
)

// ValidToken reports whether token has the form of a bot token from
// @BotFather: digits, a colon, then letters, digits, "_" or "-". Anything
// else would be put into request URLs in forms hard to recognise.
func ValidToken(token string) bool { return tokenPattern.MatchString(token) }

// New checks cfg, calls getMe to learn the bot's id and username (needed to
// tell whether group messages address the bot), and returns the Adapter.
// Errors never contain the token.
func New(ctx context.Context, cfg Config) (*Adapter, error) {
	if cfg.Token == "" {
		return nil, errors.New("telegram: Config.Token is required")
	}
	if !ValidToken(cfg.Token) {
		return nil, errors.New("telegram: Config.Token is not a bot token: want digits, a colon, then letters, digits, _ or -")
	}
	apiURL := strings.TrimRight(cfg.APIURL, "/")
	if apiURL == "" {
		apiURL = DefaultAPIURL
	}
	if u, err := url.Parse(apiURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errors.New("telegram: Config.APIURL must be an absolute http(s) URL")
	}
	a := &Adapter{
		tokenForms:  tokenForms(cfg.Token),
		pollTimeout: cfg.PollTimeout,
		httpTimeout: cfg.HTTPTimeout,
		webhookURL:  cfg.WebhookURL,
		secret:      cfg.WebhookSecret,
		log:         cfg.Logger,
		backoffMin:  250 * time.Millisecond,
		backoffMax:  30 * time.Second,
	}
	if a.log == nil {
		a.log = slog.Default()
	}
	a.failures = newFailureLog(a.log)
	if a.pollTimeout <= 0 {
		a.pollTimeout = DefaultPollTimeout
	}
	if a.pollTimeout < time.Second {
		a.pollTimeout = time.Second
	}
	a.pollTimeout = (a.pollTimeout + time.Second - 1).Truncate(time.Second)
	if a.httpTimeout <= 0 {
		a.httpTimeout = DefaultHTTPTimeout
	}
	if a.webhookURL != "" {
		u, err := url.Parse(a.webhookURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, errors.New("telegram: Config.WebhookURL must be an absolute http(s) URL")
		}
		a.webhookPath = u.EscapedPath()
		if a.webhookPath == "" {
			a.webhookPath = "/"
		}
		if !secretPattern.MatchString(a.secret) {
			return nil, errors.New("telegram: Config.WebhookSecret is required with WebhookURL: 1-256 characters of A-Z, a-z, 0-9, _ and -")
		}
	}
	a.limiter = newLimiter(
		cfg.Limits.Global.interval(DefaultGlobalRate),
		cfg.Limits.PerChat.interval(DefaultChatRate),
		cfg.Limits.PerGroup.interval(DefaultGroupRate),
	)

	transport := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   64,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
	a.client = &http.Client{Transport: transport, Timeout: a.httpTimeout}
	a.pollClient = &http.Client{Transport: transport, Timeout: a.pollTimeout + a.httpTimeout}

	// fmt verbs in the base URL must not be taken for the endpoint's.
	endpoint := strings.ReplaceAll(apiURL, "%", "%%") + "/bot%s/%s"
	d := &doer{ctx: ctx, client: a.client}
	bot, err := tgbotapi.NewBotAPIWithClient(cfg.Token, endpoint, d)
	if err != nil {
		return nil, fmt.Errorf("telegram: getMe: %w", a.scrub(err))
	}
	if bot.Self.ID == 0 || bot.Self.UserName == "" {
		return nil, errors.New("telegram: getMe returned no bot id or username")
	}
	a.bot = bot
	return a, nil
}

// Username is the bot's username, without "@".
func (a *Adapter) Username() string { return a.bot.Self.UserName }

// ShareLimits makes this adapter one of n processes sending for the bot
// (replicas on one database, each with its own adapter): it then sends at
// most a n-th of the global rate (Limits.Global), so that together they
// stay within Telegram's limit. The per-chat limits are not divided: the
// outbox hands a chat's next message to a process only once the previous
// one is sent, so two processes rarely send to one chat close together.
func (a *Adapter) ShareLimits(n int) { a.limiter.share(n) }

// BotID is the bot's Telegram user id.
func (a *Adapter) BotID() int64 { return a.bot.Self.ID }

// WebhookPath is the escaped path of Config.WebhookURL, where the hub's HTTP
// server should mount WebhookHandler; "" in polling mode.
func (a *Adapter) WebhookPath() string { return a.webhookPath }

// doer is the tgbotapi.HTTPClient of one call: it binds the request to the
// caller's context (tgbotapi builds requests without one) and remembers the
// HTTP status, which tgbotapi drops.
type doer struct {
	ctx        context.Context
	client     *http.Client
	status     int
	retryAfter string
}

func (d *doer) Do(req *http.Request) (*http.Response, error) {
	resp, err := d.client.Do(req.WithContext(d.ctx))
	if resp != nil {
		d.status = resp.StatusCode
		d.retryAfter = resp.Header.Get("Retry-After")
	}
	return resp, err
}

// botFor returns a shallow copy of the bot that sends through d.
func (a *Adapter) botFor(d *doer) *tgbotapi.BotAPI {
	b := *a.bot
	b.Client = d
	return &b
}

// request performs one Bot API call bound to ctx. The returned error is
// already scrubbed of the token.
func (a *Adapter) request(ctx context.Context, client *http.Client, c tgbotapi.Chattable) (*tgbotapi.APIResponse, *doer, error) {
	d := &doer{ctx: ctx, client: client}
	resp, err := a.botFor(d).Request(c)
	if err != nil {
		return resp, d, a.scrub(err)
	}
	return resp, d, nil
}

// call performs one Bot API call by method name and parameters.
func (a *Adapter) call(ctx context.Context, client *http.Client, method string, params tgbotapi.Params) (*tgbotapi.APIResponse, *doer, error) {
	d := &doer{ctx: ctx, client: client}
	resp, err := a.botFor(d).MakeRequest(method, params)
	if err != nil {
		return resp, d, a.scrub(err)
	}
	return resp, d, nil
}

// scrubbedError carries an error's message with the token replaced, and
// unwraps only to causes that cannot contain the token: context errors and
// Telegram's own *tgbotapi.Error.
type scrubbedError struct {
	msg     string
	cause   error
	timeout bool
}

func (e *scrubbedError) Error() string { return e.msg }
func (e *scrubbedError) Unwrap() error { return e.cause }

// Timeout reports whether the underlying error was a time-out.
func (e *scrubbedError) Timeout() bool { return e.timeout }

// scrub returns err with every form of the token replaced by "<token>".
// The result never unwraps to an error whose text holds the token.
func (a *Adapter) scrub(err error) error {
	return scrubToken(err, a.tokenForms)
}

// tokenForms matches token in every form that can reach an error or a
// log: each byte as itself or %-escaped in either case of hex (a space
// also as "+"), which covers the raw token, url.PathEscape's and
// url.QueryEscape's forms, a URL's printed form and any mix of them.
func tokenForms(token string) *regexp.Regexp {
	var b strings.Builder
	for i := 0; i < len(token); i++ {
		c := token[i]
		fmt.Fprintf(&b, `(?:%s|%%(?i:%02x)`, regexp.QuoteMeta(string(c)), c)
		if c == ' ' {
			b.WriteString(`|\+`)
		}
		b.WriteString(")")
	}
	return regexp.MustCompile(b.String())
}

func scrubToken(err error, forms *regexp.Regexp) error {
	if err == nil {
		return nil
	}
	if _, ok := err.(*scrubbedError); ok {
		return err
	}
	se := &scrubbedError{msg: forms.ReplaceAllLiteralString(err.Error(), "<token>")}
	var apiErr *tgbotapi.Error
	var netErr net.Error
	switch {
	case errors.Is(err, context.Canceled):
		se.cause = context.Canceled
	case errors.Is(err, context.DeadlineExceeded):
		se.cause = context.DeadlineExceeded
		se.timeout = true
	case errors.As(err, &apiErr):
		se.cause = apiErr
	}
	if errors.As(err, &netErr) && netErr.Timeout() {
		se.timeout = true
	}
	return se
}

// chatIDString formats a Telegram id as bots uses it.
func chatIDString(id int64) string { return strconv.FormatInt(id, 10) }

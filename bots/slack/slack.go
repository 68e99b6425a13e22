// Package slack is the hub's Slack adapter, built on slack-go. It receives
// events, button presses, modal submissions and slash commands either over
// Socket Mode (an outgoing WebSocket, for office networks without a public
// URL) or as signed HTTP requests, records each one durably before Slack
// is told it arrived, and then processes it: messages and presses of
// people become bots.Incoming for the shared handlers, officers' actions
// on the hand-over desk go to the inbox and handlers.Desk, and /faq
// commands curate the knowledge base. It renders bots.Outgoing as Block
// Kit and sends it with Slack's per-channel limit (see Adapter.Send).
//
// Tokens and the signing secret are secrets: nothing here logs them or
// puts them into an error.
package slack

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/slack-go/slack"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/storage"
)

// Sink takes the updates for the shared handlers; *handlers.Router is one.
// Deliver returns once the update is durably recorded.
type Sink interface {
	Deliver(ctx context.Context, in bots.Incoming) error
}

// Defaults.
const (
	// DefaultAPIURL is Slack's Web API.
	DefaultAPIURL = "https://slack.com/api/"
	// DefaultPerChannel is the pause between two messages to one channel:
	// Slack allows about one message per second per channel.
	DefaultPerChannel = time.Second
	// MaxBody bounds a request body Slack sends us.
	MaxBody = 1 << 20
)

// Config configures an Adapter. BotToken and DB are required, and either
// AppToken (Socket Mode) or SigningSecret (HTTP mode).
type Config struct {
	// BotToken (xoxb-…) calls the Web API. Secret.
	BotToken string
	// AppToken (xapp-…) opens Socket Mode connections. Secret. When set,
	// the adapter uses Socket Mode and serves no HTTP endpoints.
	AppToken string
	// SigningSecret verifies HTTP requests. Secret.
	SigningSecret string
	// APIURL replaces Slack's Web API, for tests (default DefaultAPIURL).
	APIURL string
	// DB holds the record of requests, the desk's messages and the outbox.
	DB *storage.DB
	// PerChannel is the least pause between two messages to one channel
	// (default DefaultPerChannel).
	PerChannel time.Duration
	// Files fetch the files citizens sent, by platform, so that the desk
	// shows them in the ticket's thread (a file from a platform without
	// one is noted as not shown).
	Files map[bots.Platform]bots.FileFetcher
	// MaxFile is the largest file uploaded to Slack; a larger one is
	// shown as a note (default DefaultMaxFile).
	MaxFile int64
	// Logger receives the adapter's log (never a token, a secret or a
	// message's text).
	Logger *slog.Logger
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Adapter is a connected Slack app: a Web API client, the receivers of
// both modes and the sender.
type Adapter struct {
	cfg    Config
	api    *slack.Client
	log    *slog.Logger
	now    func() time.Time
	limits *channelLimits
	replay *replayGuard
	// refusals keeps the log of requests failing verification to one
	// line per run of them.
	refusals refusalLog
	// queue hands freshly recorded requests to the processors.
	queue chan string

	// handlers processes the recorded requests; set by Serve.
	procMu sync.RWMutex
	proc   *processor

	// linkUp is whether the Socket Mode connection is up (always true in
	// HTTP mode).
	linkUp atomic.Bool
	// linkState is what the log last said about the connection.
	linkState atomic.Int32
	socket    bool

	// dms are the app's DM channels, by user (see inAppDM).
	dms sync.Map

	// self is the bot's identity, once asked (see identity).
	selfMu sync.Mutex
	self   botIdentity
}

// ErrNoMode is returned by New when neither an app token nor a signing
// secret is configured.
var ErrNoMode = errors.New("slack: set HUB_SLACK_APP_TOKEN (Socket Mode) or HUB_SLACK_SIGNING_SECRET (HTTP mode)")

// New checks cfg and builds the Adapter; it makes no call to Slack.
func New(cfg Config) (*Adapter, error) {
	cfg.BotToken = strings.TrimSpace(cfg.BotToken)
	cfg.AppToken = strings.TrimSpace(cfg.AppToken)
	cfg.SigningSecret = strings.TrimSpace(cfg.SigningSecret)
	switch {
	case cfg.BotToken == "":
		return nil, errors.New("slack: HUB_SLACK_BOT_TOKEN is required")
	case cfg.DB == nil:
		return nil, errors.New("slack: Config.DB is required")
	case cfg.AppToken == "" && cfg.SigningSecret == "":
		return nil, ErrNoMode
	case cfg.AppToken != "" && !strings.HasPrefix(cfg.AppToken, "xapp-"):
		return nil, errors.New("slack: HUB_SLACK_APP_TOKEN must be an app-level token (xapp-…)")
	}
	if cfg.APIURL == "" {
		cfg.APIURL = DefaultAPIURL
	}
	if !strings.HasSuffix(cfg.APIURL, "/") {
		cfg.APIURL += "/"
	}
	if cfg.PerChannel <= 0 {
		cfg.PerChannel = DefaultPerChannel
	}
	if cfg.MaxFile <= 0 {
		cfg.MaxFile = DefaultMaxFile
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	opts := []slack.Option{slack.OptionAPIURL(cfg.APIURL)}
	if cfg.AppToken != "" {
		opts = append(opts, slack.OptionAppLevelToken(cfg.AppToken))
	}
	a := &Adapter{
		cfg:    cfg,
		api:    slack.New(cfg.BotToken, opts...),
		log:    cfg.Logger,
		now:    cfg.Now,
		limits: newChannelLimits(cfg.PerChannel, cfg.Now),
		replay: newReplayGuard(),
		queue:  make(chan string, 256),
		socket: cfg.AppToken != "",
	}
	a.linkUp.Store(!a.socket)
	return a, nil
}

// SocketMode reports whether the adapter receives over Socket Mode (and
// serves no HTTP endpoints).
func (a *Adapter) SocketMode() bool { return a.socket }

// ErrLinkDown is Ready's answer while the Socket Mode connection is down.
var ErrLinkDown = errors.New("slack: the Socket Mode connection is down")

// Ready reports whether Slack can reach the hub: in Socket Mode, whether
// the connection is up.
func (a *Adapter) Ready() error {
	if !a.linkUp.Load() {
		return ErrLinkDown
	}
	return nil
}

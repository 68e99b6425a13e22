package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/bots/slack"
	"github.com/tebingtinggi/hub/knowledge"
	"github.com/tebingtinggi/hub/storage"
)

// slackConfig is the Slack app's settings; Slack is on when BotToken is
// set.
type slackConfig struct {
	BotToken      string // HUB_SLACK_BOT_TOKEN (secret)
	AppToken      string // HUB_SLACK_APP_TOKEN (secret; Socket Mode)
	SigningSecret string // HUB_SLACK_SIGNING_SECRET (secret; HTTP mode)
	APIURL        string // HUB_SLACK_API_URL
	DeskChannel   string // HUB_SLACK_DESK_CHANNEL ("": no desk)
	Officers      string // HUB_SLACK_OFFICERS
}

// loadSlackConfig reads the HUB_SLACK_* variables.
func loadSlackConfig(getenv func(string) string, c *config) error {
	s := &c.Slack
	for _, v := range []struct {
		name string
		dst  *string
	}{
		{"HUB_SLACK_BOT_TOKEN", &s.BotToken}, {"HUB_SLACK_APP_TOKEN", &s.AppToken},
		{"HUB_SLACK_SIGNING_SECRET", &s.SigningSecret}, {"HUB_SLACK_API_URL", &s.APIURL},
		{"HUB_SLACK_DESK_CHANNEL", &s.DeskChannel}, {"HUB_SLACK_OFFICERS", &s.Officers},
	} {
		*v.dst = strings.TrimSpace(getenv(v.name))
	}
	switch {
	case s.BotToken == "" && (s.AppToken != "" || s.SigningSecret != "" || s.DeskChannel != ""):
		return errors.New("HUB_SLACK_BOT_TOKEN belum diisi: variabel HUB_SLACK_* lainnya memerlukan token bot (xoxb-…)")
	case s.BotToken == "":
		return nil
	case s.AppToken == "" && s.SigningSecret == "":
		return errors.New("HUB_SLACK_BOT_TOKEN sudah diisi, tetapi HUB_SLACK_APP_TOKEN (Socket Mode) dan HUB_SLACK_SIGNING_SECRET (mode HTTP) belum diisi; isi salah satunya")
	case s.AppToken != "" && !strings.HasPrefix(s.AppToken, "xapp-"):
		return errors.New("HUB_SLACK_APP_TOKEN: isi token tingkat aplikasi yang diawali xapp-")
	}
	if s.APIURL != "" {
		if u, err := url.Parse(s.APIURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("HUB_SLACK_API_URL=%q: isi URL http(s) lengkap seperti http://127.0.0.1:8082/api/", s.APIURL)
		}
	}
	if raw := getenv("HUB_SLACK_OFFICERS"); raw != "" && strings.Trim(raw, ", \t\r\n") == "" {
		// Taken as unset, it would let anyone in the desk channel act
		// on tickets.
		return errors.New("HUB_SLACK_OFFICERS hanya berisi spasi atau koma; isi id pengguna Slack (U… atau W…) dan paling banyak satu grup pengguna (S…), " +
			"misalnya U01ANI,S03PETUGAS, atau hapus variabelnya bila siapa pun di kanal meja layanan boleh menangani tiket (dan tidak seorang pun boleh mengubah FAQ dari Slack)")
	}
	if s.DeskChannel != "" && !strings.HasPrefix(s.DeskChannel, "C") && !strings.HasPrefix(s.DeskChannel, "G") {
		return fmt.Errorf("HUB_SLACK_DESK_CHANNEL=%q: isi id kanal seperti C0123456789 (tertera di detail kanal), bukan namanya", s.DeskChannel)
	}
	return nil
}

// slackBot is the Slack app in hub serve: the adapter, the desk and /faq.
type slackBot struct {
	adapter *slack.Adapter
	desk    *slack.Desk
	faq     *slack.Curator
	log     *slog.Logger
}

// newSlackBot builds the Slack adapter when HUB_SLACK_BOT_TOKEN is set
// (nil otherwise).
func newSlackBot(c config, db *storage.DB, log *slog.Logger, files map[bots.Platform]bots.FileFetcher) (*slackBot, error) {
	if c.Slack.BotToken == "" {
		return nil, nil
	}
	a, err := slack.New(slack.Config{BotToken: c.Slack.BotToken, AppToken: c.Slack.AppToken,
		SigningSecret: c.Slack.SigningSecret, APIURL: c.Slack.APIURL, DB: db, Logger: log, Files: files})
	if err != nil {
		return nil, err
	}
	return &slackBot{adapter: a, log: log}, nil
}

// wire builds the desk and /faq on the chat stack.
func (b *slackBot) wire(c config, stack *chatStack, store *knowledge.Store, ix *knowledge.Index) error {
	var officers *slack.Officers
	if c.Slack.Officers != "" {
		var err error
		if officers, err = b.adapter.NewOfficers(c.Slack.Officers); err != nil {
			return err
		}
	}
	var err error
	if c.Slack.DeskChannel != "" {
		b.desk, err = b.adapter.NewDesk(slack.DeskConfig{Channel: c.Slack.DeskChannel, Inbox: stack.inbox, Desk: stack.desk,
			Knowledge: store, Index: ix, Officers: officers, Waker: stack.dispatcher})
		if err != nil {
			return err
		}
	}
	b.faq, err = b.adapter.NewCurator(slack.CuratorConfig{Knowledge: store, Index: ix, Inbox: stack.inbox, Officers: officers})
	return err
}

// mount serves the HTTP mode's endpoints; in Socket Mode there are none,
// and the log says so.
func (b *slackBot) mount(mux *http.ServeMux) {
	if b.adapter.SocketMode() {
		b.log.Info("slack: Socket Mode (HUB_SLACK_APP_TOKEN is set); no Slack HTTP endpoints are served")
		return
	}
	b.adapter.Mount(mux)
	b.log.Info("slack: HTTP mode; Slack requests at " + slack.PathEvents + ", " + slack.PathInteractivity + " and " + slack.PathCommands)
	if b.desk == nil {
		b.log.Info("slack: HUB_SLACK_DESK_CHANNEL is not set; tickets are not posted to Slack")
	}
}

// run receives and processes until ctx ends.
func (b *slackBot) run(ctx context.Context, stack *chatStack) error {
	return b.adapter.Run(ctx, slack.Handlers{Sink: stack.router, Desk: b.desk, FAQ: b.faq})
}

// purgeUpdates purges the records of both the handlers' updates and
// Slack's requests: both serve de-duplication only.
func purgeUpdates(stack *chatStack, b *slackBot) func(ctx context.Context, t time.Time) (int64, error) {
	return func(ctx context.Context, t time.Time) (int64, error) {
		n, err := stack.router.PurgeBefore(ctx, t)
		if err != nil || b == nil {
			return n, err
		}
		m, err := b.adapter.PurgeBefore(ctx, t)
		return n + m, err
	}
}

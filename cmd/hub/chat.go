package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os/user"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/bots/console"
	"github.com/tebingtinggi/hub/bots/slack"
	"github.com/tebingtinggi/hub/handlers"
	"github.com/tebingtinggi/hub/inbox"
	"github.com/tebingtinggi/hub/knowledge"
	"github.com/tebingtinggi/hub/outbox"
	"github.com/tebingtinggi/hub/settings"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/training"
)

// chatStack is the handler layer and the help desk on one database,
// shared by `hub serve` and `hub chat`.
type chatStack struct {
	inbox      *inbox.Store
	outbox     *outbox.Store
	citizen    *handlers.Citizen
	asn        *handlers.ASN
	training   *training.Store
	router     *handlers.Router
	desk       *handlers.Desk
	dispatcher *outbox.Dispatcher
}

// newChatStack wires the citizens' flows, the Router and a Dispatcher
// delivering through senders.
func newChatStack(c config, db *storage.DB, ix *knowledge.Index, store *knowledge.Store, set *settings.Store, reg *prometheus.Registry,
	log *slog.Logger, senders map[bots.Platform]bots.Sender) (*chatStack, error) {
	s := &chatStack{inbox: inbox.New(db), outbox: outbox.New(db)}
	s.inbox.Terms = deskTerms(set)
	s.dispatcher = &outbox.Dispatcher{DB: db, Senders: senders, Workers: 4, Logger: log}
	// Claim only what this process can send: hub chat and hub serve share
	// the outbox.
	for p := range senders {
		s.dispatcher.Platforms = append(s.dispatcher.Platforms, p)
	}
	if reg != nil {
		if err := s.dispatcher.RegisterMetrics(reg); err != nil {
			return nil, err
		}
		if err := s.inbox.RegisterMetrics(reg); err != nil {
			return nil, err
		}
	}
	s.citizen = &handlers.Citizen{Index: ix, Entries: store, Inbox: s.inbox, Outbox: s.outbox,
		CalendarNow: func() inbox.Calendar { return set.Current().Calendar }}
	// Whether or not this process runs the Slack desk: the erasure hands
	// the person's tickets back to it, for whichever replica runs it.
	s.citizen.OnForget(slack.ForgetOnDesk(db, s.inbox))
	mux, err := handlers.NewCitizenMux(s.citizen)
	if err != nil {
		return nil, err
	}
	s.training = training.New(db, trainingOptions(c))
	// The conditions of reminders, change notices and survey messages: a
	// session cancelled or changed again, a survey round taken back or
	// completed, withdraws the messages still waiting in the outbox.
	s.dispatcher.Conditions = s.training
	s.asn = &handlers.ASN{Training: s.training}
	if err := s.asn.Register(mux, s.citizen); err != nil {
		return nil, err
	}
	s.router, err = handlers.NewRouter(handlers.Config{
		DB: db, Handler: mux, Waker: s.dispatcher, Registry: reg, Logger: log, LogHash: c.LogHash, RateLimit: c.UserRateLimit,
		Dropped: handlers.HandlerFunc(s.citizen.Dropped),
	})
	if err != nil {
		return nil, err
	}
	s.desk = &handlers.Desk{Inbox: s.inbox, DB: db, Waker: s.dispatcher}
	return s, nil
}

// chat runs the bot on the terminal: the same flows and database as
// `hub serve`, with a console adapter instead of Telegram.
func (a *app) chat(ctx context.Context, args []string) error {
	fs := a.flagSet("chat")
	as := fs.String("as", "", "mengobrol sebagai pengguna konsol ini (bawaannya nama login Anda)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := noArguments(fs); err != nil {
		return err // the name goes after --as
	}
	c, err := a.config()
	if err != nil {
		return err
	}
	// Only warnings: the conversation is on stdout.
	c.LogLevel = max(c.LogLevel, slog.LevelWarn)
	log := a.logger(c)
	db, err := a.openDB(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	store := knowledge.NewStore(db)
	if n, err := store.Count(ctx, knowledge.Published); err != nil {
		return err
	} else if n == 0 {
		if _, err := seedStarter(ctx, store); err != nil {
			return err
		}
	}
	ix := knowledge.NewIndex(engineConfig(c, a.stderr))
	live := &knowledge.Live{DB: db, Store: store, Index: ix, Logger: log}
	if err := live.Reload(ctx); err != nil {
		return err
	}

	who := *as
	if who == "" {
		who = "local"
		if u, err := user.Current(); err == nil && u.Username != "" {
			who = u.Username
		}
	}
	var con *console.Adapter
	var sent atomic.Int64
	senders := map[bots.Platform]bots.Sender{bots.Console: senderFunc(func(ctx context.Context, out bots.Outgoing) (string, error) {
		defer sent.Add(1)
		return con.Send(ctx, out)
	})}
	set, err := loadSettings(ctx, db, c, log)
	if err != nil {
		return err
	}
	stack, err := newChatStack(c, db, ix, store, set, nil, log, senders)
	if err != nil {
		return err
	}
	stack.dispatcher.PollInterval = 100 * time.Millisecond
	// The console is this person's: other console users' messages (an
	// ASN's reminder, an officer's reply) wait for their own session.
	stack.dispatcher.Chats = []string{who}
	settle := func(ctx context.Context) error { return waitOutbox(ctx, db, bots.Console, who, 15*time.Second) }
	con = console.New(a.stdin, a.stdout, console.Config{ChatID: who, UserID: who, Settle: settle})

	// The greeting goes first, before the dispatcher may write messages
	// that waited for this person (through the console, which then owns
	// the terminal).
	fmt.Fprintf(a.stdout, "Mengobrol dengan bot sebagai %q (database %s). Ketik /start untuk mulai, Ctrl-D untuk keluar.\n", who, db.URL)
	workers, stop := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	wg.Go(func() { _ = stack.dispatcher.Run(workers) })
	wg.Go(func() { stack.router.RunRecovery(workers, 0) })
	wg.Go(func() { _ = live.Run(workers) }) // FAQ edits show up mid-chat
	wg.Go(func() { _ = set.Watch(workers) })
	defer func() { stop(); wg.Wait() }()

	// Messages that arrived while away (officers' replies, rating
	// prompts) come first, so that their buttons can be chosen.
	stack.dispatcher.Wake()
	if err := settle(ctx); err != nil {
		return err
	}
	return con.Run(ctx, stack.router)
}

// loadSettings reads the settings in force: the environment's, with what
// an admin saved over them.
func loadSettings(ctx context.Context, db *storage.DB, c config, log *slog.Logger) (*settings.Store, error) {
	set := settings.New(db, c.Settings)
	set.Logger = log
	return set, set.Reload(ctx)
}

// deskTerms gives the inbox the service hours and SLA in force.
func deskTerms(set *settings.Store) func() (inbox.Calendar, time.Duration) {
	return func() (inbox.Calendar, time.Duration) {
		v := set.Current()
		return v.Calendar, v.SLA
	}
}

type senderFunc func(ctx context.Context, out bots.Outgoing) (string, error)

func (f senderFunc) Send(ctx context.Context, out bots.Outgoing) (string, error) { return f(ctx, out) }

// waitOutbox waits until the chat has no undelivered outbox rows, or
// within has passed.
func waitOutbox(ctx context.Context, db *storage.DB, platform bots.Platform, chatID string, within time.Duration) error {
	deadline := time.Now().Add(within)
	for {
		var n int
		err := db.GetContext(ctx, &n, db.Rebind(`SELECT COUNT(*) FROM outbox WHERE platform = ? AND chat_id = ? AND status IN ('pending', 'sending')`),
			string(platform), chatID)
		if err != nil {
			return fmt.Errorf("antrean kirim tidak dapat dibaca: %w", err)
		}
		if n == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return errors.New("balasan bot masih menunggu di antrean kirim")
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

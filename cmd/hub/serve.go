package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/bots/telegram"
	"github.com/tebingtinggi/hub/knowledge"
	"github.com/tebingtinggi/hub/knowledge/starter"
	"github.com/tebingtinggi/hub/scheduler"
	"github.com/tebingtinggi/hub/storage"
)

func (a *app) serve(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	c, err := a.config()
	if err != nil {
		return err
	}
	log := a.logger(c)
	db, err := a.openDB(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	log.Info("database ready", "backend", db.Dialect, "url", db.URL, "schema", storage.LatestVersion())

	store := knowledge.NewStore(db)
	if n, err := seedStarter(ctx, store); err != nil {
		return err
	} else if n > 0 {
		log.Info("seeded the starter knowledge base", "entries", n)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	ix := knowledge.NewIndex(c.Engine)
	live := &knowledge.Live{DB: db, Store: store, Index: ix, Logger: log}
	live.Register(reg)
	if err := live.Reload(ctx); err != nil {
		return err
	}

	// The chat stack: the handler layer, the help desk and the outbox
	// dispatcher, with Telegram when a token is configured.
	senders := map[bots.Platform]bots.Sender{}
	var tg *telegramBot
	if c.TelegramToken != "" {
		tg = &telegramBot{log: log, cfg: telegram.Config{
			Token: c.TelegramToken, APIURL: c.TelegramAPIURL,
			WebhookURL: c.TelegramWebhookURL, WebhookSecret: c.TelegramWebhookSecret,
			Limits: c.TelegramLimits, Logger: log,
		}}
		senders[bots.Telegram] = tg
	}
	stack, err := newChatStack(c, db, ix, store, reg, log, senders)
	if err != nil {
		return err
	}
	sched, err := scheduler.New(scheduler.Config{DB: db, Logger: log})
	if err != nil {
		return err
	}
	if err := sched.Add(scheduler.MessageRetention(scheduler.Retention{
		Messages: stack.inbox.PurgeMessagesBefore,
		Outbox:   stack.outbox.PurgeBefore,
		Updates:  stack.router.PurgeBefore,
		Keep:     c.Retention,
		Logger:   log,
	})); err != nil {
		return err
	}
	if err := addTrainingJobs(ctx, sched, c, db, stack.dispatcher.Wake, log); err != nil {
		return err
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		pctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := db.PingContext(pctx); err != nil {
			http.Error(w, "database unreachable", http.StatusServiceUnavailable)
			return
		}
		if !live.Loaded() {
			http.Error(w, "search index not loaded", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ready")
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	if tg != nil && c.TelegramWebhookURL != "" {
		u, _ := url.Parse(c.TelegramWebhookURL) // validated by loadConfig
		path := u.EscapedPath()
		if path == "" {
			path = "/"
		}
		mux.Handle(path, tg.webhook(stack.router))
	}

	ln, err := net.Listen("tcp", c.HTTPAddr)
	if err != nil {
		return fmt.Errorf("cannot listen on HUB_HTTP_ADDR %q: %w", c.HTTPAddr, err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second}
	fmt.Fprintf(a.stdout, "hub: listening on http://%s (health /healthz, readiness /readyz, metrics /metrics)\n", displayAddr(ln.Addr()))
	if tg == nil {
		fmt.Fprintln(a.stdout, "hub: no HUB_TELEGRAM_TOKEN set: the Telegram bot is off; try the bot with `bin/hub chat`")
	}
	if a.ready != nil {
		a.ready(ln.Addr().String())
	}

	// Background work, each stage with its own context so that shutdown
	// can stop them in order: adapters, then the dispatcher and recovery,
	// then the index watcher; cron is stopped on its own.
	base := context.WithoutCancel(ctx)
	adapters, stopAdapters := context.WithCancel(base)
	workers, stopWorkers := context.WithCancel(base)
	indexer, stopIndexer := context.WithCancel(base)
	defer stopAdapters()
	defer stopWorkers()
	defer stopIndexer()
	var adapterWG, workerWG, indexWG sync.WaitGroup
	indexWG.Go(func() { _ = live.Run(indexer) })
	if len(senders) > 0 {
		// Without a sender this process delivers nothing: an empty
		// platform list would claim (and fail) every platform's rows.
		workerWG.Go(func() {
			if err := stack.dispatcher.Run(workers); err != nil {
				log.Error("outbox dispatcher stopped", "error", err)
			}
		})
	}
	workerWG.Go(func() { stack.router.RunRecovery(workers, 0) })
	if tg != nil {
		adapterWG.Go(func() {
			if err := tg.run(adapters, stack.router); err != nil {
				log.Error("telegram: the bot stopped", "error", err)
			}
		})
	}
	sched.Start()
	stopAll := func() {
		stopAdapters()
		adapterWG.Wait()
		stopWorkers()
		workerWG.Wait()
		sched.Stop()
		stopIndexer()
		indexWG.Wait()
	}

	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	select {
	case <-ctx.Done():
	case err := <-serveErr:
		if !errors.Is(err, http.ErrServerClosed) {
			stopAll()
			return err
		}
	}
	// Ordered shutdown: stop taking requests (webhooks included), then the
	// adapters, the dispatcher and recovery, cron and the index watcher;
	// the database closes last (deferred).
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		log.Warn("http shutdown", "err", err)
	}
	stopAll()
	return nil
}

// seedStarter imports the embedded starter knowledge base into an empty
// knowledge base and returns how many entries it wrote.
func seedStarter(ctx context.Context, store *knowledge.Store) (int, error) {
	n, err := store.Count(ctx, "")
	if err != nil || n > 0 {
		return 0, err
	}
	entries, err := knowledge.ParseJSON(bytes.NewReader(starter.JSON), "starter.json")
	if err != nil {
		return 0, fmt.Errorf("starter knowledge base: %w", err)
	}
	if _, err := store.Import(ctx, entries, knowledge.ImportOptions{Author: "starter"}); err != nil {
		return 0, err
	}
	return len(entries), nil
}

// displayAddr turns ":8080"-style listen addresses into something a
// browser can open.
func displayAddr(addr net.Addr) string {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok {
		return addr.String()
	}
	if tcp.IP == nil || tcp.IP.IsUnspecified() {
		return fmt.Sprintf("localhost:%d", tcp.Port)
	}
	return tcp.String()
}

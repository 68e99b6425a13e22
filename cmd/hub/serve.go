package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/tebingtinggi/hub/admin"
	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/bots/telegram"
	"github.com/tebingtinggi/hub/handlers"
	"github.com/tebingtinggi/hub/internal/panics"
	"github.com/tebingtinggi/hub/knowledge"
	"github.com/tebingtinggi/hub/knowledge/starter"
	"github.com/tebingtinggi/hub/scheduler"
	"github.com/tebingtinggi/hub/settings"
	"github.com/tebingtinggi/hub/storage"
)

func (a *app) serve(ctx context.Context, args []string) error {
	fs := a.flagSet("serve")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := noArguments(fs); err != nil {
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
	defer db.Close() // last, after everything below has stopped
	log.Info("database ready", "backend", db.Dialect, "url", db.URL, "schema", storage.LatestVersion())

	h, err := wireHub(ctx, c, db, log, a.stderr)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", c.HTTPAddr)
	if err != nil {
		return fmt.Errorf("tidak dapat membuka alamat HUB_HTTP_ADDR %q: %w", c.HTTPAddr, err)
	}
	srv := &http.Server{Handler: h.routes(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second}
	fmt.Fprintf(a.stdout, "hub: berjalan di http://%s (admin web /admin/, kesehatan /healthz, kesiapan /readyz, metrik /metrics)\n", displayAddr(ln.Addr()))
	if h.tg == nil {
		fmt.Fprintln(a.stdout, "hub: HUB_TELEGRAM_TOKEN tidak diisi, jadi bot Telegram tidak aktif; coba bot dengan `hub chat`")
	}
	if a.ready != nil {
		a.ready(ln.Addr().String())
	}
	return h.run(ctx, srv, ln)
}

// hub is everything `hub serve` runs, wired to one database.
type hub struct {
	c     config
	log   *slog.Logger
	db    *storage.DB
	reg   *prometheus.Registry
	live  *knowledge.Live
	stack *chatStack
	sched *scheduler.Scheduler
	tg    *telegramBot // nil without HUB_TELEGRAM_TOKEN
	slack *slackBot    // nil without HUB_SLACK_BOT_TOKEN
	admin *admin.Server
	// settings are the admin's settings in force, reloaded on change.
	settings *settings.Store
	// sending: this process has a sender, so it runs the dispatcher.
	sending bool
}

// wireHub builds the search index, the chat stack (with Telegram when a
// token is configured) and the scheduled jobs, seeding the starter
// knowledge base into an empty one. What the engine runs without is
// told on warn. Nothing runs yet.
func wireHub(ctx context.Context, c config, db *storage.DB, log *slog.Logger, warn io.Writer) (*hub, error) {
	h := &hub{c: c, log: log, db: db, reg: prometheus.NewRegistry()}
	store := knowledge.NewStore(db)
	if n, err := seedStarter(ctx, store); err != nil {
		return nil, err
	} else if n > 0 {
		log.Info("seeded the starter knowledge base", "entries", n)
	}
	h.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}), panics.Total)
	eng := engineConfig(c, warn)
	log.Info("knowledge: linguistic resources", "thesaurus", resourceInUse(c.ThesaurusPath, eng.Resources.Thesaurus != nil),
		"dictionary", resourceInUse(c.DictionaryPath, eng.Resources.Dictionary != nil))
	ix := knowledge.NewIndex(eng)
	h.live = &knowledge.Live{DB: db, Store: store, Index: ix, Logger: log}
	h.live.Register(h.reg)
	if err := h.live.Reload(ctx); err != nil {
		return nil, err
	}

	senders := map[bots.Platform]bots.Sender{}
	// files fetches the files citizens sent, for the officers' desks.
	files := map[bots.Platform]bots.FileFetcher{}
	if c.TelegramToken != "" {
		tf, err := telegram.NewFiles(c.TelegramToken, c.TelegramAPIURL)
		if err != nil {
			return nil, err
		}
		files[bots.Telegram] = tf
		h.tg = &telegramBot{log: log, db: db, lockCheck: 5 * time.Second, cfg: telegram.Config{
			Token: c.TelegramToken, APIURL: c.TelegramAPIURL,
			WebhookURL: c.TelegramWebhookURL, WebhookSecret: c.TelegramWebhookSecret,
			Limits: c.TelegramLimits, Logger: log,
		}}
		senders[bots.Telegram] = h.tg
	}
	var err error
	if h.slack, err = newSlackBot(c, db, log, files); err != nil {
		return nil, err
	}
	if h.slack != nil {
		senders[bots.Slack] = h.slack.adapter
	}
	// Without a sender this process delivers nothing: an empty platform
	// list would claim (and fail) every platform's rows.
	h.sending = len(senders) > 0
	if h.settings, err = loadSettings(ctx, db, c, log); err != nil {
		return nil, err
	}
	if h.stack, err = newChatStack(c, db, ix, store, h.settings, h.reg, log, senders); err != nil {
		return nil, err
	}
	if h.tg != nil {
		h.stack.dispatcher.Peers = h.tg.sharePeers
	}
	if h.slack != nil {
		if err := h.slack.wire(c, h.stack, store, ix); err != nil {
			return nil, err
		}
	}
	h.admin, err = admin.New(admin.Config{
		Accounts: admin.NewStore(db), Knowledge: store, Index: ix, Reload: h.live.Reload,
		Inbox: h.stack.inbox, Desk: h.stack.desk, Training: h.stack.training, Settings: h.settings, Files: files, TrustProxy: c.AdminTrustProxy, Logger: log,
	})
	if err != nil {
		return nil, err
	}
	// /hapusdata drops the citizen's files the desk keeps in memory.
	h.stack.citizen.OnForget(h.admin.ForgetFiles)
	if h.sched, err = scheduler.New(scheduler.Config{DB: db, Logger: log}); err != nil {
		return nil, err
	}
	if err := h.sched.Add(scheduler.MessageRetention(scheduler.Retention{
		Messages: h.stack.inbox.PurgeMessagesBefore,
		Training: h.stack.training.PurgeBefore,
		Sessions: func(ctx context.Context, t time.Time) (int64, error) { return handlers.PurgeSessionsBefore(ctx, db, t) },
		Outbox:   h.stack.outbox.PurgeBefore,
		Updates:  purgeUpdates(h.stack, h.slack),
		Logins:   h.admin.PurgeExpired,
		Keep:     c.Retention,
		Logger:   log,
	})); err != nil {
		return nil, err
	}
	if err := addTrainingJobs(ctx, h.sched, c, db, h.settings, h.stack.dispatcher.Wake, log); err != nil {
		return nil, err
	}
	return h, nil
}

// routes is the HTTP server's handler: health, readiness, metrics, the web
// admin, and the Telegram webhook and Slack's endpoints when configured.
func (h *hub) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		pctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := h.db.PingContext(pctx); err != nil {
			http.Error(w, "database unreachable", http.StatusServiceUnavailable)
			return
		}
		if !h.live.Loaded() {
			http.Error(w, "search index not loaded", http.StatusServiceUnavailable)
			return
		}
		if h.slack != nil && h.slack.adapter.Ready() != nil {
			http.Error(w, "slack: the Socket Mode connection is down", http.StatusServiceUnavailable)
			return
		}
		// What this replica does among several, for whoever looks.
		fmt.Fprintln(w, "ready")
		if h.tg != nil {
			fmt.Fprintf(w, "telegram: %s\n", h.tg.Role())
		}
		if h.sched.IsLeader() {
			fmt.Fprintln(w, "scheduler: leader")
		} else {
			fmt.Fprintln(w, "scheduler: standby")
		}
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(h.reg, promhttp.HandlerOpts{Registry: h.reg}))
	mux.Handle("/admin/", h.admin)
	if h.tg != nil && h.c.TelegramWebhookURL != "" {
		u, _ := url.Parse(h.c.TelegramWebhookURL) // validated by loadConfig
		path := u.EscapedPath()
		if path == "" {
			path = "/"
		}
		mux.Handle(path, h.tg.webhook(h.stack.router))
	}
	if h.slack != nil {
		h.slack.mount(mux)
	}
	return mux
}

// run serves HTTP on ln and runs the background work until ctx ends or
// the server fails, then shuts down in order: stop taking requests
// (webhooks included), then the background work (see start).
func (h *hub) run(ctx context.Context, srv *http.Server, ln net.Listener) error {
	stop := h.start(ctx)
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	select {
	case <-ctx.Done():
	case err := <-serveErr:
		if !errors.Is(err, http.ErrServerClosed) {
			stop()
			return err
		}
	}
	h.log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		h.log.Warn("http shutdown", "err", err)
	}
	stop()
	return nil
}

// start runs the background work, each stage with its own context so that
// the returned stop ends them in order and waits for each: the adapters
// (no new updates), then the dispatcher and recovery, then cron, then the
// index watcher.
func (h *hub) start(ctx context.Context) (stop func()) {
	base := context.WithoutCancel(ctx)
	adapters, stopAdapters := context.WithCancel(base)
	workers, stopWorkers := context.WithCancel(base)
	indexer, stopIndexer := context.WithCancel(base)
	var adapterWG, workerWG, indexWG sync.WaitGroup
	indexWG.Go(func() { _ = h.live.Run(indexer) })
	indexWG.Go(func() { _ = h.settings.Watch(indexer) })
	if h.sending {
		workerWG.Go(func() {
			if err := h.stack.dispatcher.Run(workers); err != nil {
				h.log.Error("outbox dispatcher stopped", "error", err)
			}
		})
	}
	workerWG.Go(func() { h.stack.router.RunRecovery(workers, 0) })
	if h.tg != nil {
		adapterWG.Go(func() {
			if err := h.tg.run(adapters, h.stack.router); err != nil {
				h.log.Error("telegram: the bot stopped", "error", err)
			}
		})
	}
	if h.slack != nil {
		adapterWG.Go(func() {
			if err := h.slack.run(adapters, h.stack); err != nil {
				h.log.Error("slack: the app stopped", "error", err)
			}
		})
	}
	h.sched.Start()
	return func() {
		stopAdapters()
		adapterWG.Wait()
		stopWorkers()
		workerWG.Wait()
		h.sched.Stop()
		stopIndexer()
		indexWG.Wait()
	}
}

// seedStarter imports the embedded starter knowledge base into an empty
// knowledge base and returns how many entries it wrote. Replicas starting
// together on an empty database may both find it empty: the imports take
// turns, and the later one finds every entry written and writes none.
func seedStarter(ctx context.Context, store *knowledge.Store) (int, error) {
	n, err := store.Count(ctx, "")
	if err != nil || n > 0 {
		return 0, err
	}
	entries, err := knowledge.ParseJSON(bytes.NewReader(starter.JSON), "starter.json")
	if err != nil {
		return 0, fmt.Errorf("starter knowledge base: %w", err)
	}
	res, err := store.Import(ctx, entries, knowledge.ImportOptions{Author: "starter"})
	if err != nil {
		return 0, err
	}
	return res.Created, nil
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

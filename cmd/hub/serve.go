package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/tebingtinggi/hub/knowledge"
	"github.com/tebingtinggi/hub/knowledge/starter"
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

	ln, err := net.Listen("tcp", c.HTTPAddr)
	if err != nil {
		return fmt.Errorf("cannot listen on HUB_HTTP_ADDR %q: %w", c.HTTPAddr, err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second}
	fmt.Fprintf(a.stdout, "hub: listening on http://%s (health /healthz, readiness /readyz, metrics /metrics)\n", displayAddr(ln.Addr()))
	if a.ready != nil {
		a.ready(ln.Addr().String())
	}

	var wg sync.WaitGroup
	workers, stopWorkers := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWorkers()
	wg.Add(1)
	go func() { defer wg.Done(); _ = live.Run(workers) }()

	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	select {
	case <-ctx.Done():
	case err := <-serveErr:
		if !errors.Is(err, http.ErrServerClosed) {
			stopWorkers()
			wg.Wait()
			return err
		}
	}
	// Ordered shutdown: stop taking requests, then stop workers, then the
	// database closes (deferred).
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		log.Warn("http shutdown", "err", err)
	}
	stopWorkers()
	wg.Wait()
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

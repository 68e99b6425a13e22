package slack

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/slack-go/slack"
)

// The HTTP mode's endpoints.
const (
	PathEvents        = "/slack/events"
	PathInteractivity = "/slack/interactivity"
	PathCommands      = "/slack/commands"
)

// recordTimeout bounds the recording of one request: Slack gives up after
// 3 seconds, and an acknowledgement that comes later is a retry anyway.
const recordTimeout = 2500 * time.Millisecond

// Mount registers the HTTP mode's three endpoints on mux. Each verifies
// the request's signature before reading anything from it (401 when it
// fails, and nothing is done), records the request durably, answers 200
// and processes it afterwards. A malformed request is answered 400.
func (a *Adapter) Mount(mux *http.ServeMux) {
	mux.Handle("POST "+PathEvents, a.endpoint(a.serveEvent))
	mux.Handle("POST "+PathInteractivity, a.endpoint(a.serveForm(func(form url.Values) (request, error) {
		return parseInteraction([]byte(form.Get("payload")))
	})))
	mux.Handle("POST "+PathCommands, a.endpoint(a.serveForm(parseCommand)))
}

// endpoint reads and verifies the body, then hands it to next.
func (a *Adapter) endpoint(next func(w http.ResponseWriter, r *http.Request, body []byte)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a.cfg.SigningSecret == "" {
			http.Error(w, "slack HTTP mode is off", http.StatusNotFound)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
		if err != nil {
			http.Error(w, "request body too large or unreadable", http.StatusRequestEntityTooLarge)
			return
		}
		if err := verify(a.cfg.SigningSecret, r.Header, body, a.now(), a.replay); err != nil {
			a.refusals.refused(a.log, r.URL.Path, err)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		a.refusals.verified(a.log)
		next(w, r, body)
	})
}

func (a *Adapter) serveEvent(w http.ResponseWriter, r *http.Request, body []byte) {
	req, challenge, err := parseEvent(body)
	if challenge != "" {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, challenge)
		return
	}
	a.accept(w, r, req, err)
}

func (a *Adapter) serveForm(parse func(url.Values) (request, error)) func(w http.ResponseWriter, r *http.Request, body []byte) {
	return func(w http.ResponseWriter, r *http.Request, body []byte) {
		form, err := url.ParseQuery(string(body))
		if err != nil {
			http.Error(w, "malformed form body", http.StatusBadRequest)
			return
		}
		req, err := parse(form)
		a.accept(w, r, req, err)
	}
}

// accept records a parsed request and acknowledges it.
func (a *Adapter) accept(w http.ResponseWriter, r *http.Request, req request, err error) {
	switch {
	case errors.Is(err, errIgnored):
		w.WriteHeader(http.StatusOK)
		return
	case err != nil:
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), recordTimeout)
	defer cancel()
	if errs := a.viewErrors(ctx, req); errs != nil {
		// Not recorded: the modal stays open, and its corrected
		// submission (the same view) is a new request.
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(slack.NewErrorsViewSubmissionResponse(errs))
		return
	}
	fresh, err := a.record(ctx, req)
	if err != nil {
		// Slack retries a request that was not acknowledged.
		a.log.Error("slack: unable to record request", "kind", req.kind, "error", err)
		http.Error(w, "unable to record the request", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusOK)
	if fresh {
		a.kick(req.id)
	}
}

// kick hands a recorded request to the processors, or leaves it to
// recovery when they are busy.
func (a *Adapter) kick(id string) {
	select {
	case a.queue <- id:
	default:
	}
}

// refusalLog logs the first request of a run that fails verification and
// stays quiet for the rest, which anyone on the internet could send at
// any rate; the next verified request ends the run with one line that
// counts them.
type refusalLog struct {
	mu    sync.Mutex
	count int
}

func (l *refusalLog) refused(log *slog.Logger, path string, reason error) {
	l.mu.Lock()
	l.count++
	first := l.count == 1
	l.mu.Unlock()
	if first {
		log.Warn("slack: refusing requests that fail verification; further ones are counted, not logged", "path", path, "reason", reason)
	}
}

func (l *refusalLog) verified(log *slog.Logger) {
	l.mu.Lock()
	n := l.count
	l.count = 0
	l.mu.Unlock()
	if n > 0 {
		log.Info("slack: a request passed verification again", "refused", n)
	}
}

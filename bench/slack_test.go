package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/tebingtinggi/hub/bots"
	hubslack "github.com/tebingtinggi/hub/bots/slack"
	"github.com/tebingtinggi/hub/handlers"
	"github.com/tebingtinggi/hub/inbox"
	"github.com/tebingtinggi/hub/knowledge"
	"github.com/tebingtinggi/hub/knowledge/starter"
	"github.com/tebingtinggi/hub/outbox"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

// fakeSlackAPI stands in for Slack's Web API: it records every
// chat.postMessage with its time, and answers the posts whose attempt
// number fault lists with 429 and Retry-After, as Slack does.
type fakeSlackAPI struct {
	srv   *httptest.Server
	fault map[int]int // post attempt (from 1) → Retry-After seconds

	mu       sync.Mutex
	attempts int
	posts    []slackPost
}

// slackPost is one attempt to post to a channel.
type slackPost struct {
	at         time.Time
	channel    string
	text       string
	retryAfter time.Duration // set when it was refused with 429
}

func newFakeSlackAPI(fault map[int]int) *fakeSlackAPI {
	f := &fakeSlackAPI{fault: fault}
	mux := http.NewServeMux()
	mux.HandleFunc("/chat.postMessage", func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		f.mu.Lock()
		f.attempts++
		p := slackPost{at: time.Now(), channel: r.Form.Get("channel"), text: r.Form.Get("text")}
		retry, refuse := f.fault[f.attempts]
		if refuse {
			p.retryAfter = time.Duration(retry) * time.Second
		}
		f.posts = append(f.posts, p)
		n := len(f.posts)
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if refuse {
			w.Header().Set("Retry-After", strconv.Itoa(retry))
			w.WriteHeader(http.StatusTooManyRequests)
			io.WriteString(w, `{"ok":false,"error":"ratelimited"}`)
			return
		}
		fmt.Fprintf(w, `{"ok":true,"channel":%q,"ts":"1700000000.%06d"}`, p.channel, n)
	})
	f.srv = httptest.NewServer(mux)
	return f
}

func (f *fakeSlackAPI) URL() string { return f.srv.URL + "/" }

func (f *fakeSlackAPI) snapshot() []slackPost {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.posts)
}

// starterIndex imports the starter knowledge base into db and indexes it.
func starterIndex(b *testing.B, db *storage.DB) (*knowledge.Store, *knowledge.Index, []knowledge.Entry) {
	b.Helper()
	ctx := context.Background()
	store := knowledge.NewStore(db)
	entries, err := knowledge.ParseJSON(bytes.NewReader(starter.JSON), "starter.json")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := store.Import(ctx, entries, knowledge.ImportOptions{Author: "bench"}); err != nil {
		b.Fatal(err)
	}
	ix := knowledge.NewIndex(knowledge.DefaultConfig())
	if err := (&knowledge.Live{DB: db, Store: store, Index: ix}).Reload(ctx); err != nil {
		b.Fatal(err)
	}
	return store, ix, entries
}

// deskTickets and deskInterval: the burst, and the channel's pause scaled
// from Slack's one second to 100 ms (10 posts a second), so that 1,000
// posts take 100 seconds instead of 17 minutes. The dispatcher and the
// desk work as with the real pause, only the adapter's wait is shorter;
// it stays longer than what the hub spends between two posts of one
// channel (claim, send, record: tens of milliseconds on a busy machine),
// as Slack's second is, so that the channel's limit and not that work
// sets the pace.
const (
	deskTickets  = 1000
	deskInterval = 100 * time.Millisecond
)

var ticketRE = regexp.MustCompile(`Tiket #(\d+) `)

// BenchmarkSlackDeskBurst opens 1,000 tickets at once and measures their
// posting to the desk channel through the desk, the outbox and the
// adapter: the rate relative to the channel's limit (Slack's 1 per second,
// scaled, see deskInterval), the order, losses and doubles, and whether
// every 429's Retry-After was honoured (the fake refuses two posts).
func BenchmarkSlackDeskBurst(b *testing.B) {
	for _, d := range storagetest.Backends {
		b.Run(string(d), func(b *testing.B) {
			for b.Loop() {
				deskBurst(b, d)
			}
		})
	}
}

func deskBurst(b *testing.B, d storage.Dialect) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	db := storagetest.Open(b, d)
	store, ix, entries := starterIndex(b, db)
	in := inbox.New(db)
	now := time.Now()
	ids := make([]int64, 0, deskTickets)
	for i := range deskTickets {
		err := db.InTx(ctx, func(tx *sqlx.Tx) error {
			chat := strconv.Itoa(8_000_000 + i)
			conv, err := in.EnsureConversation(ctx, tx, bots.Telegram, chat, chat, "Warga")
			if err != nil {
				return err
			}
			t, _, err := in.OpenTicket(ctx, tx, conv.ID, "", entries[i%len(entries)].Question+" ya pak", inbox.NoMatch, now)
			ids = append(ids, t.ID)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	const retryAfter = 1
	f := newFakeSlackAPI(map[int]int{deskTickets / 5: retryAfter, deskTickets * 3 / 5: retryAfter})
	defer f.srv.Close()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	a, err := hubslack.New(hubslack.Config{BotToken: "xoxb-bench", SigningSecret: "bench", APIURL: f.URL(), DB: db,
		PerChannel: deskInterval, Logger: quiet})
	if err != nil {
		b.Fatal(err)
	}
	disp := &outbox.Dispatcher{DB: db, Senders: map[bots.Platform]bots.Sender{bots.Slack: a}, Logger: quiet}
	desk, err := a.NewDesk(hubslack.DeskConfig{Channel: "CDESK", Inbox: in, Desk: &handlers.Desk{Inbox: in, DB: db},
		Knowledge: store, Index: ix, Waker: disp})
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	var wg sync.WaitGroup
	wg.Go(func() { _ = disp.Run(ctx) })
	wg.Go(func() { desk.Run(ctx) })
	// The ideal time plus the two pauses and a margin.
	deadline := start.Add(deskTickets*deskInterval*3/2 + 2*retryAfter*time.Second + 30*time.Second)
	for time.Now().Before(deadline) {
		if posted := len(f.snapshot()) - 2; posted >= deskTickets {
			break
		}
		time.Sleep(50 * time.Millisecond) // polling the fake API, with a deadline
	}
	// A moment more, for a post that should not come.
	time.Sleep(3 * deskInterval)
	cancel()
	wg.Wait()

	posts := f.snapshot()
	var shown []int64
	seen := map[int64]int{}
	var gaps []time.Duration
	var last *slackPost
	early, refused := 0, 0
	for i := range posts {
		p := &posts[i]
		if last != nil {
			gap := p.at.Sub(last.at)
			switch {
			case last.retryAfter > 0:
				if gap < last.retryAfter {
					early++
				}
			case p.retryAfter == 0:
				gaps = append(gaps, gap)
			}
		}
		last = p
		if p.retryAfter > 0 {
			refused++
			continue
		}
		m := ticketRE.FindStringSubmatch(p.text)
		if m == nil {
			b.Fatalf("a desk post without a ticket number: %q", p.text)
		}
		id, _ := strconv.ParseInt(m[1], 10, 64)
		shown = append(shown, id)
		seen[id]++
	}
	var missing, twice int
	for _, id := range ids {
		switch seen[id] {
		case 0:
			missing++
		case 1:
		default:
			twice++
		}
	}
	ordered := slices.IsSorted(shown)
	var total time.Duration
	for _, g := range gaps {
		total += g
	}
	rate := 0.0
	if len(gaps) > 0 {
		rate = float64(len(gaps)) / total.Seconds()
	}
	limit := float64(time.Second) / float64(deskInterval)
	b.Logf("%s: %d tickets, %d posted (%d missing, %d twice), in ticket order %v, %.2f posts/s against a limit of %.0f/s (%.3f×), "+
		"%d posts refused with 429 and %d posts before their Retry-After ran out, %s in all",
		d, len(ids), len(shown), missing, twice, ordered, rate, limit, rate/limit, refused, early, last.at.Sub(start).Round(time.Millisecond))
	b.ReportMetric(float64(len(shown)), "posted")
	b.ReportMetric(float64(missing), "missing")
	b.ReportMetric(float64(twice), "posted-twice")
	b.ReportMetric(boolMetric(ordered), "in-ticket-order")
	b.ReportMetric(rate/limit, "rate/limit")
	b.ReportMetric(float64(refused), "refused-429")
	b.ReportMetric(float64(early), "posts-before-retry-after")
}

func boolMetric(v bool) float64 {
	if v {
		return 1
	}
	return 0
}

// slackAckRate and slackAckFor: the offered load of the acknowledgement
// benchmark.
const (
	slackAckRate = 200
	slackAckFor  = 5 * time.Second
)

// BenchmarkSlackHTTPAck offers signed Events API and interactivity
// requests to the HTTP mode's endpoints at 200 a second (open loop, half
// and half) and reports the acknowledgements' p50 and p99: the signature
// checked, the request recorded durably, 200 answered. The recorded
// requests are processed meanwhile, by the adapter's own processors,
// handed to a sink that only counts them, so that the acknowledgements
// share the database with that work.
func BenchmarkSlackHTTPAck(b *testing.B) {
	for _, d := range storagetest.Backends {
		b.Run(string(d), func(b *testing.B) {
			for b.Loop() {
				slackAck(b, d)
			}
		})
	}
}

// countingSink takes processed requests and counts them.
type countingSink struct{ n atomic.Int64 }

func (s *countingSink) Deliver(context.Context, bots.Incoming) error { s.n.Add(1); return nil }

func slackAck(b *testing.B, d storage.Dialect) {
	const secret = "bench-signing-secret"
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	db := storagetest.Open(b, d)
	f := newFakeSlackAPI(nil)
	defer f.srv.Close()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	a, err := hubslack.New(hubslack.Config{BotToken: "xoxb-bench", SigningSecret: secret, APIURL: f.URL(), DB: db, Logger: quiet})
	if err != nil {
		b.Fatal(err)
	}
	mux := http.NewServeMux()
	a.Mount(mux)
	web := httptest.NewServer(mux)
	defer web.Close()
	sink := &countingSink{}
	var wg sync.WaitGroup
	wg.Go(func() { _ = a.Run(ctx, hubslack.Handlers{Sink: sink}) })

	n := int(slackAckRate * slackAckFor.Seconds())
	type prepared struct {
		path, contentType string
		body              []byte
	}
	reqs := make([]prepared, n)
	for i := range reqs {
		if i%2 == 0 {
			body, _ := json.Marshal(map[string]any{
				"type": "event_callback", "event_id": fmt.Sprintf("Ev%08d", i), "event_time": time.Now().Unix(),
				"event": map[string]any{"type": "message", "channel": "D" + strconv.Itoa(i), "channel_type": "im",
					"user": "U" + strconv.Itoa(i), "text": "halo, mau tanya syarat KTP", "ts": fmt.Sprintf("1700000000.%06d", i)},
			})
			reqs[i] = prepared{hubslack.PathEvents, "application/json", body}
			continue
		}
		payload, _ := json.Marshal(map[string]any{
			"type": "block_actions", "trigger_id": fmt.Sprintf("trig-%08d", i), "user": map[string]any{"id": "U" + strconv.Itoa(i)},
			"container": map[string]any{"type": "message", "channel_id": "D" + strconv.Itoa(i), "message_ts": "1700000000.000001"},
			"channel":   map[string]any{"id": "D" + strconv.Itoa(i)},
			"actions": []map[string]any{{"type": "button", "block_id": "row0", "action_id": "b0_0", "value": "helpful:ktp-hilang",
				"action_ts": "1700000000.1"}},
		})
		reqs[i] = prepared{hubslack.PathInteractivity, "application/x-www-form-urlencoded", []byte("payload=" + url.QueryEscape(string(payload)))}
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 100}, Timeout: 10 * time.Second}
	acks := make([]time.Duration, n)
	var failed atomic.Int32
	var posts sync.WaitGroup
	interval := time.Second / slackAckRate
	begin := time.Now()
	for i := range reqs {
		at := begin.Add(time.Duration(i) * interval)
		if wait := time.Until(at); wait > 0 {
			time.Sleep(wait) // pacing the offered load, not waiting for a result
		}
		posts.Go(func() {
			r := reqs[i]
			req, _ := http.NewRequest(http.MethodPost, web.URL+r.path, bytes.NewReader(r.body))
			ts := time.Now().Unix()
			req.Header.Set("Content-Type", r.contentType)
			req.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(ts, 10))
			req.Header.Set("X-Slack-Signature", hubslack.Sign(secret, ts, r.body))
			resp, err := client.Do(req)
			if err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					err = fmt.Errorf("answered %d", resp.StatusCode)
				}
			}
			if err != nil {
				failed.Add(1)
			}
			// From the request's scheduled moment: a client that fell
			// behind counts against the hub.
			acks[i] = time.Since(at)
		})
	}
	posts.Wait()
	deadline := time.Now().Add(30 * time.Second)
	for sink.n.Load() < int64(n) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond) // polling the sink, with a deadline
	}
	processed := sink.n.Load()
	cancel()
	wg.Wait()
	slices.Sort(acks)
	p50, p99 := acks[n/2], acks[n*99/100]
	b.Logf("%s: %d requests at %d/s: p50 %s, p99 %s (target ≤ 50ms), %d failed, %d processed",
		d, n, slackAckRate, ms(p50), ms(p99), failed.Load(), processed)
	b.ReportMetric(float64(p50.Microseconds())/1000, "ack-p50-ms")
	b.ReportMetric(float64(p99.Microseconds())/1000, "ack-p99-ms")
	b.ReportMetric(float64(failed.Load()), "failed")
	b.ReportMetric(float64(processed), "processed")
}

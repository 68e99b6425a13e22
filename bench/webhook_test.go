package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/bots/telegram"
	"github.com/tebingtinggi/hub/bots/telegram/telegramtest"
	"github.com/tebingtinggi/hub/handlers"
	"github.com/tebingtinggi/hub/inbox"
	"github.com/tebingtinggi/hub/knowledge"
	"github.com/tebingtinggi/hub/outbox"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

// webhookHub is the whole receive → handle → outbox → send path in
// webhook mode: an HTTP server with the real adapter's webhook handler,
// the Router with the citizens' flows, the outbox Dispatcher and the fake
// Bot API.
type webhookHub struct {
	db        *storage.DB
	srv       *telegramtest.Server
	web       *httptest.Server
	questions []string
	index     *knowledge.Index
	stop      func()
}

const benchSecret = "bench-webhook-secret"

func newWebhookHub(b *testing.B, d storage.Dialect, limits telegram.Limits, backoff func(int) time.Duration) *webhookHub {
	b.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	db := storagetest.Open(b, d)
	store, ix, entries := starterIndex(b, db)
	// Questions the engine answers directly: every update is one answer.
	var questions []string
	for _, e := range entries {
		if r := ix.Search(e.Question); r.Decision == knowledge.Answer {
			questions = append(questions, e.Question)
		}
	}
	if len(questions) == 0 {
		b.Fatal("no starter question is answered directly")
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := telegramtest.New()
	a, err := telegram.New(ctx, telegram.Config{Token: srv.Token(), APIURL: srv.URL(), Logger: quiet, Limits: limits,
		WebhookURL: "https://hub.example.go.id/telegram", WebhookSecret: benchSecret})
	if err != nil {
		b.Fatal(err)
	}
	in := inbox.New(db)
	// The dispatcher's defaults, as in production.
	disp := &outbox.Dispatcher{DB: db, Senders: map[bots.Platform]bots.Sender{bots.Telegram: a},
		Logger: quiet, Backoff: backoff}
	citizen := &handlers.Citizen{Index: ix, Entries: store, Inbox: in, Calendar: inbox.DefaultCalendar()}
	mux, err := handlers.NewCitizenMux(citizen)
	if err != nil {
		b.Fatal(err)
	}
	router, err := handlers.NewRouter(handlers.Config{DB: db, Handler: mux, Waker: disp, Logger: quiet})
	if err != nil {
		b.Fatal(err)
	}
	web := httptest.NewServer(a.WebhookHandler(router))
	var wg sync.WaitGroup
	wg.Go(func() { _ = disp.Run(ctx) })
	wg.Go(func() { router.RunRecovery(ctx, time.Second) })
	h := &webhookHub{db: db, srv: srv, web: web, questions: questions, index: ix}
	h.stop = func() {
		web.Close()
		cancel()
		wg.Wait()
		srv.Close()
	}
	b.Cleanup(h.stop)
	return h
}

var benchUpdateID atomic.Int64

// update is the body Telegram would post for a message from chat.
func update(chat int64, text string) []byte {
	id := int(benchUpdateID.Add(1))
	body, _ := json.Marshal(tgbotapi.Update{UpdateID: id, Message: &tgbotapi.Message{
		MessageID: id, Date: int(time.Now().Unix()), Text: text,
		From: telegramtest.User(chat), Chat: &tgbotapi.Chat{ID: chat, Type: "private"},
	}})
	return body
}

// post sends one update body as Telegram would.
func (h *webhookHub) post(client *http.Client, body []byte) error {
	req, _ := http.NewRequest(http.MethodPost, h.web.URL, bytes.NewReader(body))
	req.Header.Set(telegram.SecretHeader, benchSecret)
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("webhook answered %d", resp.StatusCode)
	}
	return nil
}

// stepResult is one constant-rate load step.
type stepResult struct {
	rate      int // offered updates per second
	sent      int
	delivered int
	achieved  float64 // updates per second delivered over the step
	p50, p99  time.Duration
	ackP99    time.Duration // the webhook's answer to Telegram
	errors    int
	cpu       time.Duration // this process's CPU time per update
	allocs    uint64        // this process's heap allocations per update
	// calls is the round trips to the database per update: statements,
	// prepares, BEGINs and COMMITs (storage.DB.Calls), the dispatcher's
	// recording of the sends included.
	calls float64
}

func (r stepResult) sustained() bool {
	return r.delivered == r.sent && r.errors == 0 && r.p99 <= maxP99
}

// The target: every reply delivered, 99 % of them within 100 ms.
const maxP99 = 100 * time.Millisecond

// webhookConns is how many connections Telegram opens to a webhook at
// most (setWebhook's max_connections is 1-100, 40 by default): more
// updates in flight queue in the client, and their wait counts.
const webhookConns = 100

// loadStep offers rate updates per second for dur (open loop: each update
// is sent at its scheduled moment whether or not earlier ones were
// answered), each from a chat of its own, and measures from that moment
// to the reply arriving at the fake Bot API. Measuring from the schedule
// rather than from when a request got going means a stalled client or a
// full connection pool counts against the hub, not for it.
func (h *webhookHub) loadStep(rate int, dur time.Duration, firstChat int64) stepResult {
	h.srv.Reset()
	client, err := newPoster(h.web.URL, webhookConns)
	if err != nil {
		panic(err)
	}
	defer client.close()
	n := int(float64(rate) * dur.Seconds())
	interval := time.Second / time.Duration(rate)
	acks := make([]time.Duration, n)
	// The requests are made beforehand: in production Telegram's servers
	// do that work, not the hub's cores.
	reqs := make([][]byte, n)
	for i := range reqs {
		reqs[i] = client.request(update(firstChat+int64(i), h.questions[i%len(h.questions)]))
	}
	var errs atomic.Int32
	var wg sync.WaitGroup
	cpu0, allocs0, calls0 := cpuTime(), mallocs(), h.db.Calls()
	begin := time.Now()
	at := func(i int) time.Time { return begin.Add(time.Duration(i) * interval) }
	for i := range n {
		if wait := time.Until(at(i)); wait > 0 {
			time.Sleep(wait) // pacing the offered load, not waiting for a result
		}
		wg.Go(func() {
			if err := client.post(reqs[i]); err != nil {
				errs.Add(1)
			}
			acks[i] = time.Since(at(i))
		})
	}
	wg.Wait()
	// Wait for the replies still on their way, but not for long: one more
	// than a second late fails the step anyway.
	want := n - int(errs.Load())
	deadline := at(n).Add(time.Second + maxP99)
	for len(h.srv.Sent()) < want && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond) // polling the fake API, with a deadline
	}
	res := stepResult{rate: rate, sent: n, errors: int(errs.Load()), cpu: (cpuTime() - cpu0) / time.Duration(n),
		allocs: (mallocs() - allocs0) / uint64(n), calls: float64(h.db.Calls()-calls0) / float64(n)}
	var lat []time.Duration
	var last time.Time
	for _, m := range h.srv.Sent() {
		i := int(m.ChatID - firstChat)
		if i < 0 || i >= n {
			continue
		}
		lat = append(lat, m.Time.Sub(at(i)))
		if m.Time.After(last) {
			last = m.Time
		}
	}
	res.delivered = len(lat)
	if len(lat) > 0 {
		slices.Sort(lat)
		res.p50 = lat[len(lat)/2]
		res.p99 = lat[(len(lat)*99)/100]
		res.achieved = float64(len(lat)) / last.Sub(begin).Seconds()
	}
	slices.Sort(acks)
	res.ackP99 = acks[(n*99)/100]
	return res
}

// fakeShare measures what the fake Bot API spends on one reply like the
// last one the hub sent, called without the network: the CPU time and
// heap allocations per send that loadStep's per-update figures include
// but that are not the hub's. The request and recorder each call makes
// stand for the fake's HTTP server.
func (h *webhookHub) fakeShare() (cpu time.Duration, allocs uint64) {
	sent := h.srv.Sent()
	if len(sent) == 0 {
		return 0, 0
	}
	m := sent[len(sent)-1]
	p := url.Values{"chat_id": {strconv.FormatInt(m.ChatID, 10)}, "text": {m.Text}, "parse_mode": {m.ParseMode}}
	if len(m.Buttons) > 0 {
		var kb tgbotapi.InlineKeyboardMarkup
		for _, row := range m.Buttons {
			var r []tgbotapi.InlineKeyboardButton
			for _, btn := range row {
				r = append(r, tgbotapi.NewInlineKeyboardButtonData(btn.Text, btn.Data))
			}
			kb.InlineKeyboard = append(kb.InlineKeyboard, r)
		}
		raw, _ := json.Marshal(kb)
		p.Set("reply_markup", string(raw))
	}
	body := p.Encode()
	const calls = 2000
	cpu0, allocs0 := cpuTime(), mallocs()
	for range calls {
		req := httptest.NewRequest(http.MethodPost, "/bot"+h.srv.Token()+"/sendMessage", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		h.srv.ServeHTTP(httptest.NewRecorder(), req)
	}
	cpu, allocs = (cpuTime()-cpu0)/calls, (mallocs()-allocs0)/calls
	h.srv.Reset()
	return cpu, allocs
}

// cpuTime is the CPU time this process has used (the load generator and
// the fake API included; a PostgreSQL server's not).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// mallocs is how many heap objects this process has allocated (the load
// generator and the fake API included).
func mallocs() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.Mallocs
}

// webhookRates are the offered rates, stepped up until one is not
// sustained. HUB_BENCH_WEBHOOK_RATES (e.g. "1000,1000,1000") replaces
// them, to look at one rate more closely.
func webhookRates(b *testing.B) []int {
	v := os.Getenv("HUB_BENCH_WEBHOOK_RATES")
	if v == "" {
		return []int{100, 250, 500, 750, 1000, 1250, 1500, 2000}
	}
	var rates []int
	for _, f := range strings.Split(v, ",") {
		r, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || r <= 0 {
			b.Fatalf("HUB_BENCH_WEBHOOK_RATES: %q is not a positive rate", f)
		}
		rates = append(rates, r)
	}
	return rates
}

// BenchmarkWebhookEndToEnd measures webhook updates → answers at the fake
// Bot API at rising constant rates, reports the highest rate sustained
// with every reply delivered and p99 ≤ 100 ms, and compares the handler
// path with the bare Index.Search call measured in the same run.
func BenchmarkWebhookEndToEnd(b *testing.B) {
	for _, d := range storagetest.Backends {
		b.Run(string(d), func(b *testing.B) {
			// Telegram's flood limits are lifted: they would cap the
			// answers at 30 a second, and this measures the hub.
			fast := telegram.Limits{
				Global:  telegram.Rate{Events: 100000, Per: time.Second},
				PerChat: telegram.Rate{Events: 1000, Per: time.Second},
			}
			h := newWebhookHub(b, d, fast, nil)
			// Warm up connections and caches.
			h.loadStep(100, time.Second, 1_000_000)

			var best stepResult
			chat := int64(2_000_000)
			rates := webhookRates(b)
			for b.Loop() {
				best = stepResult{}
				for _, rate := range rates {
					r := h.loadStep(rate, 2*time.Second, chat)
					chat += int64(r.sent)
					b.Logf("%s: offered %4d/s: delivered %d/%d, achieved %.0f/s, p50 %s, p99 %s, webhook answer p99 %s, errors %d, CPU %s/update, %d allocs/update, %.1f database round trips/update",
						d, r.rate, r.delivered, r.sent, r.achieved, ms(r.p50), ms(r.p99), ms(r.ackP99), r.errors, ms(r.cpu), r.allocs, r.calls)
					if !r.sustained() {
						break
					}
					best = r
				}
			}

			// The bare search call on the same questions.
			const rounds = 20000
			start := time.Now()
			for i := range rounds {
				h.index.Search(h.questions[i%len(h.questions)])
			}
			search := time.Since(start) / rounds

			b.ReportMetric(float64(best.rate), "max-sustained-updates/s")
			b.ReportMetric(float64(best.p99.Microseconds())/1000, "p99-ms@max")
			b.ReportMetric(float64(best.p50.Microseconds())/1000, "p50-ms@max")
			b.ReportMetric(float64(best.cpu.Microseconds()), "cpu-µs/update@max")
			b.ReportMetric(float64(best.allocs), "allocs/update@max")
			b.ReportMetric(best.calls, "db-round-trips/answer@max")
			// The figures above include the fake Bot API's work, one send
			// per update; without it they are the hub's alone.
			fakeCPU, fakeAllocs := h.fakeShare()
			b.ReportMetric(float64(fakeCPU.Nanoseconds())/1000, "fake-api-cpu-µs/send")
			b.ReportMetric(float64(fakeAllocs), "fake-api-allocs/send")
			if best.rate > 0 {
				b.ReportMetric(float64((best.cpu-fakeCPU).Nanoseconds())/1000, "hub-cpu-µs/update@max")
				b.ReportMetric(float64(best.allocs)-float64(fakeAllocs), "hub-allocs/update@max")
			}
			b.ReportMetric(float64(search.Nanoseconds())/1000, "search-µs")
			if search > 0 && best.p50 > 0 {
				b.ReportMetric(float64(best.p50)/float64(search), "e2e-p50/search")
			}
		})
	}
}

func ms(d time.Duration) string { return d.Round(time.Millisecond / 10).String() }

// BenchmarkWebhookFaults sends replies through a fake Bot API that answers
// 10 % of sends with 429 (retry_after 1–3 s) or 5xx, with Telegram's real
// per-chat limit (1 message per second), and reports how many replies
// were delivered, the sends that came before their retry_after and the
// chats sent to faster than once a second (the last two must be 0).
func BenchmarkWebhookFaults(b *testing.B) {
	for _, d := range storagetest.Backends {
		b.Run(string(d), func(b *testing.B) {
			h := newWebhookHub(b, d, telegram.Limits{Global: telegram.Rate{Events: 30, Per: time.Second}},
				func(int) time.Duration { return 200 * time.Millisecond })
			var mu sync.Mutex
			rng := rand.New(rand.NewPCG(1, 2))
			h.srv.SetFaults(func(method string, chatID int64) telegramtest.Fault {
				if method != "sendMessage" {
					return telegramtest.Fault{}
				}
				mu.Lock()
				defer mu.Unlock()
				switch x := rng.Float64(); {
				case x < 0.05:
					return telegramtest.Fault{Status: 429, RetryAfter: 1 + rng.IntN(3)}
				case x < 0.075:
					return telegramtest.Fault{Status: 500}
				case x < 0.10:
					return telegramtest.Fault{Status: 502}
				}
				return telegramtest.Fault{}
			})
			const chats, perChat = 60, 3
			want := chats * perChat
			client := &http.Client{Timeout: 30 * time.Second}
			for i := 0; i < b.N; i++ {
				h.srv.Reset()
				start := time.Now()
				base := int64(3_000_000 + i*chats)
				var wg sync.WaitGroup
				for c := range chats {
					wg.Go(func() {
						for k := range perChat {
							if err := h.post(client, update(base+int64(c), h.questions[(c+k)%len(h.questions)])); err != nil {
								b.Error(err)
							}
						}
					})
				}
				wg.Wait()
				deadline := time.Now().Add(90 * time.Second)
				for len(h.srv.Sent()) < want && time.Now().Before(deadline) {
					time.Sleep(20 * time.Millisecond)
				}
				delivered := len(h.srv.Sent())
				retryViolations := h.srv.RetryAfterViolations()
				// 1 per second, with 5 ms for the network's jitter.
				chatViolations := h.srv.PerChatViolations(995 * time.Millisecond)
				var faults int
				for _, a := range h.srv.Attempts() {
					if a.Status != http.StatusOK {
						faults++
					}
				}
				b.Logf("%s: %d/%d replies delivered in %s; %d faulted attempts; %d sends before retry_after; %d per-chat violations",
					d, delivered, want, time.Since(start).Round(time.Millisecond), faults, len(retryViolations), len(chatViolations))
				for _, v := range append(retryViolations, chatViolations...) {
					b.Log(v)
				}
				b.ReportMetric(float64(delivered), "delivered")
				b.ReportMetric(float64(want), "wanted")
				b.ReportMetric(float64(faults), "faulted-attempts")
				b.ReportMetric(float64(len(retryViolations)), "sends-before-retry_after")
				b.ReportMetric(float64(len(chatViolations)), "per-chat-violations")
			}
		})
	}
}

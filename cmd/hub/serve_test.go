package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/tebingtinggi/hub/bots/telegram/telegramtest"
	"github.com/tebingtinggi/hub/knowledge"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

// servingHub is `hub serve` running in the test's process.
type servingHub struct {
	addr      string
	out, errb syncBuffer
	// stop cancels serve and fails the test unless it exits cleanly; it
	// runs at cleanup too.
	stop func()
}

// startServe runs `hub serve` with env until the test ends and returns
// once it listens.
func startServe(t *testing.T, env map[string]string) *servingHub {
	t.Helper()
	h, wait := launchServe(t, env)
	wait()
	return h
}

// launchServe starts `hub serve` with env and returns at once; wait
// returns once it listens.
func launchServe(t *testing.T, env map[string]string) (h *servingHub, wait func()) {
	ctx, cancel := context.WithCancel(context.Background())
	h = &servingHub{}
	addrc := make(chan string, 1)
	a := &app{stdin: strings.NewReader(""), stdout: &h.out, stderr: &h.errb, getenv: func(k string) string { return env[k] },
		ready: func(addr string) { addrc <- addr }}
	done := make(chan int, 1)
	go func() { done <- a.run(ctx, []string{"serve"}) }()
	return h, func() {
		t.Helper()
		h.wait(t, cancel, addrc, done)
	}
}

func (h *servingHub) wait(t *testing.T, cancel context.CancelFunc, addrc <-chan string, done <-chan int) {
	t.Helper()
	select {
	case h.addr = <-addrc:
	case code := <-done:
		cancel()
		t.Fatalf("serve exited %d: %s", code, h.errb.String())
	case <-time.After(60 * time.Second):
		cancel()
		t.Fatal("serve did not start")
	}
	var once sync.Once
	h.stop = func() {
		once.Do(func() {
			cancel()
			select {
			case code := <-done:
				if code != 0 {
					t.Errorf("serve exited %d: %s", code, h.errb.String())
				}
			case <-time.After(30 * time.Second):
				t.Error("serve did not stop")
			}
		})
	}
	t.Cleanup(h.stop)
}

// telegramEnv is the environment of a `hub serve` on a fresh database of
// backend d whose Telegram bot is srv (polling).
func telegramEnv(t *testing.T, d storage.Dialect, srv *telegramtest.Server) map[string]string {
	return map[string]string{
		"HUB_DATABASE_URL": storagetest.URL(t, d), "HUB_HTTP_ADDR": "127.0.0.1:0", "HUB_AUTHOR": "tester",
		"HUB_TELEGRAM_TOKEN": srv.Token(), "HUB_TELEGRAM_API_URL": srv.URL(),
	}
}

// scrape reads /metrics as "name{labels}" → value.
func (h *servingHub) scrape(t *testing.T) map[string]float64 {
	t.Helper()
	resp, err := http.Get("http://" + h.addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(resp.Body)
		t.Fatalf("/metrics: %d %s", resp.StatusCode, body)
	}
	series := make(map[string]float64)
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		i := strings.LastIndexByte(line, ' ')
		if strings.HasPrefix(line, "#") || i < 0 {
			continue
		}
		if v, err := strconv.ParseFloat(line[i+1:], 64); err == nil {
			series[line[:i]] = v
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return series
}

// TestServeMetrics runs citizens' questions, an officer's reply and
// failing sends through `hub serve` and reads the work back from
// /metrics: updates by the engine's decision, tickets opened, answered
// and closed (by `hub inbox`, another process), sends by outcome.
func TestServeMetrics(t *testing.T) {
	for _, d := range storagetest.Backends {
		t.Run(string(d), func(t *testing.T) {
			srv := telegramtest.NewServer(t)
			env := telegramEnv(t, d, srv)
			// The first send meets a passing outage; chat 904 blocked the bot.
			var outage atomic.Bool
			srv.SetFaults(func(method string, chat int64) telegramtest.Fault {
				switch {
				case method != "sendMessage":
				case chat == 904:
					return telegramtest.Fault{Status: http.StatusForbidden}
				case outage.CompareAndSwap(false, true):
					return telegramtest.Fault{Status: http.StatusBadGateway}
				}
				return telegramtest.Fault{}
			})
			h := startServe(t, env)
			q := questionsByDecision(t, env["HUB_DATABASE_URL"])
			srv.PushText(901, 901, q[knowledge.Answer])
			srv.PushText(902, 902, q[knowledge.Clarify])
			srv.PushText(903, 903, q[knowledge.Handoff])
			srv.PushText(904, 904, q[knowledge.Answer])
			srv.PushText(906, 906, q[knowledge.Smalltalk])
			srv.PushText(907, 907, q[knowledge.Decline])
			srv.WaitSent(t, 5, 30*time.Second)
			ta := &testApp{t: t, env: env}
			for _, args := range [][]string{{"inbox", "reply", "1", "Silakan datang ke kantor camat."}, {"inbox", "close", "1"}} {
				if code, out, errOut := ta.run("", args...); code != 0 {
					t.Fatalf("%v: exit %d: %s %s", args, code, out, errOut)
				}
			}

			want := map[string]float64{
				`hub_updates_total{kind="text",platform="telegram"}`: 6,
				`hub_decisions_total{decision="answer"}`:             2,
				`hub_decisions_total{decision="clarify"}`:            1,
				`hub_decisions_total{decision="handoff"}`:            1,
				`hub_decisions_total{decision="smalltalk"}`:          1,
				`hub_decisions_total{decision="decline"}`:            1,
				`hub_tickets_opened_total`:                           1,
				`hub_tickets_answered_total`:                         1,
				`hub_tickets_closed_total`:                           1,
				`hub_tickets{status="open"}`:                         0,
				`hub_tickets{status="closed"}`:                       1,
				`outbox_retries_total{platform="telegram"}`:          1,
				`outbox_failed_total{platform="telegram"}`:           1,
				`outbox_pending`:                                     0,
			}
			// Sends finish in the background: poll until every reply (the
			// officer's included) is out, with a deadline.
			deadline := time.Now().Add(30 * time.Second)
			for {
				got := h.scrape(t)
				sent := len(srv.Sent())
				var diff []string
				for k, v := range want {
					if g, ok := got[k]; !ok || g != v {
						diff = append(diff, fmt.Sprintf("%s = %v (present: %v), want %v", k, g, ok, v))
					}
				}
				if g := got[`outbox_sent_total{platform="telegram"}`]; sent < 6 || g != float64(sent) {
					diff = append(diff, fmt.Sprintf("outbox_sent_total = %v, the fake Bot API got %d", g, sent))
				}
				if len(diff) == 0 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("metrics after 30 s:\n%s", strings.Join(diff, "\n"))
				}
				time.Sleep(50 * time.Millisecond) // polling the scrape, with a deadline
			}
		})
	}
}

// questionsByDecision finds a question for each of the engine's decisions
// as the engine, tuned independently, decides on the knowledge
// base `hub serve` seeded into dbURL.
func questionsByDecision(t *testing.T, dbURL string) map[knowledge.Decision]string {
	t.Helper()
	ctx := context.Background()
	db, err := storage.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ix := knowledge.NewIndex(knowledge.DefaultConfig())
	if err := (&knowledge.Live{DB: db, Store: knowledge.NewStore(db), Index: ix}).Reload(ctx); err != nil {
		t.Fatal(err)
	}
	candidates := []string{
		"ktp saya hilang gmn", "KTP saya hilang, bagaimana mengurusnya?",
		"akta", "ktp", "bpjs", "sampah", "cara bayar pajak", "lapor", "pajak", "surat", "izin", "daftar",
		"bagaimana cara daftar nikah siri online lewat kecamatan?", "zzq blorf wibble nikah siri kecamatan",
		"terima kasih", "halo", "resep rendang", "cuaca hari ini",
	}
	found := make(map[knowledge.Decision]string)
	for _, q := range candidates {
		if d := ix.Search(q).Decision; found[d] == "" {
			found[d] = q
		}
	}
	for _, d := range []knowledge.Decision{knowledge.Answer, knowledge.Clarify, knowledge.Handoff, knowledge.Smalltalk, knowledge.Decline} {
		if found[d] == "" {
			t.Fatalf("the engine decides none of %q as %s: add a question to the list", candidates, d)
		}
	}
	return found
}

// TestServeCleansChatInput sends NUL bytes in a message's text, the
// sender's names and a button's data through `hub serve`: PostgreSQL
// refuses NUL, so unless the adapter cleans them every retry would fail.
func TestServeCleansChatInput(t *testing.T) {
	for _, d := range storagetest.Backends {
		t.Run(string(d), func(t *testing.T) {
			srv := telegramtest.NewServer(t)
			env := telegramEnv(t, d, srv)
			h := startServe(t, env)
			m := srv.Message(905, 905, "ktp saya\x00 hilang gmn")
			m.From.FirstName, m.From.LastName, m.From.UserName = "Bu\x00di", "San\x00toso", "bu\x00di"
			srv.PushUpdate(tgbotapi.Update{Message: m})
			reply := srv.WaitSent(t, 1, 30*time.Second)[0]
			press := srv.PushPress(905, 905, reply.MessageID, "svc:\x00ktp")
			srv.WaitAnswered(t, 1, 30*time.Second)
			srv.WaitPending(t, 0, 30*time.Second)
			for _, s := range srv.Sent() {
				if strings.Contains(s.Plain, "gangguan") {
					t.Errorf("the citizen was told of a failure: %q", s.Plain)
				}
			}
			h.stop()
			if logs := h.errb.String() + h.out.String(); strings.Contains(logs, "level=ERROR") || strings.Contains(logs, "invalid byte sequence") {
				t.Errorf("update %d or its message failed:\n%s", press, logs)
			}
			ta := &testApp{t: t, env: env}
			if code, out, errOut := ta.run("", "inbox", "list"); code != 0 || strings.Contains(out, "\x00") {
				t.Errorf("inbox list: %d %q %s", code, out, errOut)
			}
		})
	}
}

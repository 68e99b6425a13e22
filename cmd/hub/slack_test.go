package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tebingtinggi/hub/bots/slack"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

func TestSlackConfig(t *testing.T) {
	for _, c := range []struct {
		name string
		env  map[string]string
		want string // part of the error; "" for none
	}{
		{"off", map[string]string{}, ""},
		{"socket mode", map[string]string{"HUB_SLACK_BOT_TOKEN": "xoxb-1", "HUB_SLACK_APP_TOKEN": "xapp-1"}, ""},
		{"http mode", map[string]string{"HUB_SLACK_BOT_TOKEN": "xoxb-1", "HUB_SLACK_SIGNING_SECRET": "s", "HUB_SLACK_DESK_CHANNEL": "C012"}, ""},
		{"no mode", map[string]string{"HUB_SLACK_BOT_TOKEN": "xoxb-1"}, "HUB_SLACK_APP_TOKEN (Socket Mode) dan HUB_SLACK_SIGNING_SECRET (mode HTTP) belum diisi; isi salah satunya"},
		{"no bot token", map[string]string{"HUB_SLACK_APP_TOKEN": "xapp-1"}, "HUB_SLACK_BOT_TOKEN belum diisi"},
		{"bot token as app token", map[string]string{"HUB_SLACK_BOT_TOKEN": "xoxb-1", "HUB_SLACK_APP_TOKEN": "xoxb-secret-2"}, "xapp-"},
		{"channel name", map[string]string{"HUB_SLACK_BOT_TOKEN": "xoxb-1", "HUB_SLACK_APP_TOKEN": "xapp-1", "HUB_SLACK_DESK_CHANNEL": "#desk"}, "id kanal"},
		{"bad API URL", map[string]string{"HUB_SLACK_BOT_TOKEN": "xoxb-1", "HUB_SLACK_APP_TOKEN": "xapp-1", "HUB_SLACK_API_URL": "slack.test"}, "HUB_SLACK_API_URL"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var cfg config
			err := loadSlackConfig(func(k string) string { return c.env[k] }, &cfg)
			switch {
			case c.want == "" && err != nil:
				t.Errorf("error %v; want none", err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Errorf("error %v; want one saying %q", err, c.want)
			case err != nil && strings.Contains(err.Error(), "secret-2"):
				t.Errorf("the error shows a token: %v", err)
			}
		})
	}
}

// serveWith starts hub serve with env and returns its address and its
// log; the server stops at the test's end.
func serveWith(t *testing.T, env map[string]string) (string, *syncBuffer) {
	t.Helper()
	env["HUB_DATABASE_URL"] = storagetest.URL(t, storage.SQLite)
	env["HUB_HTTP_ADDR"] = "127.0.0.1:0"
	ctx, cancel := context.WithCancel(context.Background())
	addrc := make(chan string, 1)
	var out, errb syncBuffer
	a := &app{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: func(k string) string { return env[k] },
		ready: func(addr string) { addrc <- addr }}
	done := make(chan int, 1)
	go func() { done <- a.run(ctx, []string{"serve"}) }()
	t.Cleanup(func() {
		cancel()
		<-done
		for _, v := range env {
			if strings.HasPrefix(v, "xox") || strings.HasPrefix(v, "xapp") || strings.HasPrefix(v, "secret") {
				if strings.Contains(errb.String()+out.String(), v) {
					t.Errorf("a secret appears in serve's output")
				}
			}
		}
	})
	select {
	case addr := <-addrc:
		return addr, &errb
	case code := <-done:
		t.Fatalf("serve exited %d: %s", code, errb.String())
	case <-time.After(60 * time.Second):
		t.Fatal("serve did not start")
	}
	return "", nil
}

func TestServeSlackHTTPMode(t *testing.T) {
	const secret = "secret-signing-42"
	addr, logs := serveWith(t, map[string]string{"HUB_SLACK_BOT_TOKEN": "xoxb-serve-1", "HUB_SLACK_SIGNING_SECRET": secret,
		"HUB_SLACK_API_URL": "http://127.0.0.1:1/api/"})
	body := `{"type":"url_verification","challenge":"tantangan"}`
	post := func(sign bool) (int, string) {
		req, _ := http.NewRequest(http.MethodPost, "http://"+addr+slack.PathEvents, strings.NewReader(body))
		if sign {
			now := time.Now().Unix()
			req.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(now, 10))
			req.Header.Set("X-Slack-Signature", slack.Sign(secret, now, []byte(body)))
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, _ := post(false); code != http.StatusUnauthorized {
		t.Errorf("unsigned request: %d; want 401", code)
	}
	if code, got := post(true); code != http.StatusOK || got != "tantangan" {
		t.Errorf("url_verification: %d %q", code, got)
	}
	if !strings.Contains(logs.String(), "slack: HTTP mode") {
		t.Errorf("the log does not name the mode:\n%s", logs.String())
	}
}

func TestServeSlackSocketModeDownIsNotReady(t *testing.T) {
	// Slack refuses to open a connection: the link stays down.
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	t.Cleanup(api.Close)
	addr, logs := serveWith(t, map[string]string{"HUB_SLACK_BOT_TOKEN": "xoxb-serve-2", "HUB_SLACK_APP_TOKEN": "xapp-serve-2",
		"HUB_SLACK_API_URL": api.URL + "/"})
	resp, err := http.Get("http://" + addr + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(b), "Socket Mode connection is down") {
		t.Errorf("/readyz = %d %q; want 503 naming the Slack link", resp.StatusCode, b)
	}
	resp, err = http.Post("http://"+addr+slack.PathEvents, "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound && resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("Socket Mode serves %s: %d", slack.PathEvents, resp.StatusCode)
	}
	waitLog := time.Now().Add(30 * time.Second)
	for !strings.Contains(logs.String(), "Socket Mode connection is down") && time.Now().Before(waitLog) {
		<-time.After(10 * time.Millisecond)
	}
	if !strings.Contains(logs.String(), "Socket Mode connection is down") {
		t.Errorf("the log does not say the Slack link is down:\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), "no Slack HTTP endpoints are served") {
		t.Errorf("the log does not say Socket Mode serves no endpoints:\n%s", logs.String())
	}
}

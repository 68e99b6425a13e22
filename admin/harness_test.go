package admin

import (
	"bytes"
	"github.com/jmoiron/sqlx"
	"mime/multipart"

	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/handlers"
	"github.com/tebingtinggi/hub/inbox"
	"github.com/tebingtinggi/hub/knowledge"
	"github.com/tebingtinggi/hub/settings"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
	"github.com/tebingtinggi/hub/training"
)

func TestMain(m *testing.M) { os.Exit(storagetest.Main(m)) }

// clock is a settable time for sessions and throttling.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// harness is the admin on a real database, served by httptest.
type harness struct {
	db       *storage.DB
	accounts *Store
	kb       *knowledge.Store
	index    *knowledge.Index
	live     *knowledge.Live
	inbox    *inbox.Store
	training *training.Store
	settings *settings.Store
	clock    *clock
	server   *Server
	srv      *httptest.Server
	// citizens counts the citizens handOver made up.
	citizens int
}

const testPassword = "rahasia-sekali-123"

func newHarness(t *testing.T, db *storage.DB) *harness {
	t.Helper()
	h := &harness{db: db, accounts: NewStore(db), kb: knowledge.NewStore(db), index: knowledge.NewIndex(knowledge.DefaultConfig()),
		inbox: inbox.New(db), training: training.New(db, training.Options{}), settings: settings.New(db, settings.Defaults()),
		clock: &clock{t: time.Now().UTC()}}
	h.accounts.Cost = bcrypt.MinCost
	h.accounts.Now = h.clock.Now
	h.live = &knowledge.Live{DB: db, Store: h.kb, Index: h.index}
	if err := h.live.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	srv, err := New(Config{Accounts: h.accounts, Knowledge: h.kb, Index: h.index, Reload: h.live.Reload, Inbox: h.inbox,
		Desk: &handlers.Desk{Inbox: h.inbox, DB: db}, Training: h.training, Settings: h.settings, Logger: slog.New(slog.NewTextHandler(t.Output(), nil)), Now: h.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	h.server = srv
	mux := http.NewServeMux()
	mux.Handle("/admin/", srv)
	h.srv = httptest.NewServer(mux)
	t.Cleanup(h.srv.Close)
	return h
}

func (h *harness) user(t *testing.T, name string, role Role) {
	t.Helper()
	if _, err := h.accounts.CreateUser(context.Background(), name, []byte(testPassword), role, "test"); err != nil {
		t.Fatal(err)
	}
}

// loggedIn is a harness with one account, and a client logged in to it.
func loggedIn(t *testing.T, db *storage.DB, name string, role Role) (*harness, *client) {
	t.Helper()
	h := newHarness(t, db)
	h.user(t, name, role)
	return h, h.login(t, name)
}

// client is a browser: a cookie jar, no redirects followed, and the CSRF
// token of the last page it read.
type client struct {
	t    *testing.T
	h    *harness
	http *http.Client
	csrf string
}

func (h *harness) client(t *testing.T) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, h: h, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// login logs in as a user created with testPassword.
func (h *harness) login(t *testing.T, name string) *client {
	t.Helper()
	c := h.client(t)
	c.get("/admin/login")
	res, _ := c.post("/admin/login", url.Values{"username": {name}, "password": {testPassword}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("login as %s: status %d", name, res.StatusCode)
	}
	c.get("/admin/")
	return c
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (c *client) do(req *http.Request) (*http.Response, string) {
	c.t.Helper()
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	body := string(b)
	if m := csrfField.FindStringSubmatch(body); m != nil {
		c.csrf = m[1]
	}
	return res, body
}

func (c *client) get(path string) (*http.Response, string) {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.h.srv.URL+path, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	return c.do(req)
}

// post sends form with the client's CSRF token unless form has one.
func (c *client) post(path string, form url.Values) (*http.Response, string) {
	c.t.Helper()
	if !form.Has("csrf") {
		form.Set("csrf", c.csrf)
	}
	return c.postRaw(path, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
}

func (c *client) postRaw(path, contentType string, body io.Reader) (*http.Response, string) {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.h.srv.URL+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	return c.do(req)
}

// upload posts a multipart form with the session's CSRF token, the given
// fields and content as the file field "file" named name, as the import
// pages' forms do.
func (c *client) upload(path, name, content string, fields url.Values) (*http.Response, string) {
	c.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("csrf", c.csrf)
	for k, vs := range fields {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	fw, _ := mw.CreateFormFile("file", name)
	_, _ = io.WriteString(fw, content)
	_ = mw.Close()
	return c.postRaw(path, mw.FormDataContentType(), &buf)
}

// wantStatus fails the test unless res has status want.
func wantStatus(t *testing.T, what string, res *http.Response, body string, want int) {
	t.Helper()
	if res.StatusCode != want {
		t.Fatalf("%s: status %d, want %d; body:\n%s", what, res.StatusCode, want, body)
	}
}

// ticket opens a help-desk ticket from a citizen.
func (h *harness) ticket(t *testing.T, name, question string) int64 {
	t.Helper()
	return h.ticketFrom(t, name, question, "")
}

// ticketFrom is ticket with the question from the citizen's platform
// message messageID.
func (h *harness) ticketFrom(t *testing.T, name, question, messageID string) int64 {
	t.Helper()
	ctx := context.Background()
	conv, err := h.inbox.EnsureConversation(ctx, h.db, bots.Telegram, "555", "777", name)
	if err != nil {
		t.Fatal(err)
	}
	var tk inbox.Ticket
	err = h.db.InTx(ctx, func(tx *sqlx.Tx) error {
		tk, _, err = h.inbox.OpenTicket(ctx, tx, conv.ID, messageID, question, inbox.NoMatch, time.Now())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return tk.ID
}

// pageError is the error box of a page, for a failure message.
func pageError(body string) string {
	i := strings.Index(body, `class="error"`)
	if i < 0 {
		i = strings.Index(body, "role=\"alert\"")
	}
	if i < 0 {
		return "(no error box)"
	}
	end := min(len(body), i+400)
	if j := strings.Index(body[i:end], "</p>"); j >= 0 {
		end = i + j
	}
	return body[i:end]
}

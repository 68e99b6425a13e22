package admin

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/inbox"
	"github.com/tebingtinggi/hub/internal/safetext"
	"github.com/tebingtinggi/hub/knowledge"
	"github.com/tebingtinggi/hub/outbox"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
	"github.com/tebingtinggi/hub/training"
	"github.com/tebingtinggi/hub/training/trainingtest"
)

// adminPaths are pages of every kind; none may be seen without a login.
var adminPaths = []string{"/admin/", "/admin/kb", "/admin/kb/new", "/admin/kb/entry/ktp-hilang", "/admin/kb/import",
	"/admin/kb/export?format=csv", "/admin/kb/synonyms", "/admin/try?q=ktp", "/admin/desk", "/admin/desk/1",
	"/admin/audit", "/admin/users", "/admin/unanswered", "/admin/unanswered/try?q=ktp", "/admin/desk/poll", "/admin/desk/1/poll",
	"/admin/training", "/admin/training/1", "/admin/training/import", "/admin/asn", "/admin/no-such-page"}

func TestAnonymousVisitorsAreSentToLogin(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newHarness(t, db)
		c := h.client(t)
		for _, p := range adminPaths {
			res, body := c.get(p)
			wantStatus(t, "GET "+p, res, body, http.StatusSeeOther)
			if loc := res.Header.Get("Location"); loc != "/admin/login?next="+url.QueryEscape(p) {
				t.Errorf("GET %s: Location %q", p, loc)
			}
		}
		for _, p := range []string{"/admin/kb/new", "/admin/kb/entry/x", "/admin/users", "/admin/desk/1/reply", "/admin/logout"} {
			res, body := c.post(p, url.Values{})
			wantStatus(t, "POST "+p, res, body, http.StatusUnauthorized)
		}
	})
}

func TestRolesAreEnforced(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newHarness(t, db)
		h.user(t, "vera", RoleViewer)
		h.user(t, "otto", RoleOfficer)
		h.user(t, "ada", RoleAdmin)
		cases := []struct {
			user   string
			method string
			path   string
			want   int
		}{
			{"vera", "GET", "/admin/kb", http.StatusOK},
			{"vera", "GET", "/admin/kb/new", http.StatusForbidden},
			{"vera", "POST", "/admin/kb/new", http.StatusForbidden},
			{"vera", "POST", "/admin/kb/import", http.StatusForbidden},
			{"vera", "POST", "/admin/desk/1/reply", http.StatusForbidden},
			{"vera", "GET", "/admin/users", http.StatusForbidden},
			{"otto", "GET", "/admin/kb/new", http.StatusOK},
			{"otto", "GET", "/admin/users", http.StatusForbidden},
			{"otto", "GET", "/admin/audit", http.StatusForbidden},
			{"otto", "POST", "/admin/users", http.StatusForbidden},
			{"ada", "GET", "/admin/users", http.StatusOK},
			{"ada", "GET", "/admin/audit", http.StatusOK},
			{"ada", "GET", "/admin/kb/new", http.StatusOK},
		}
		clients := map[string]*client{}
		for _, tc := range cases {
			c := clients[tc.user]
			if c == nil {
				c = h.login(t, tc.user)
				clients[tc.user] = c
			}
			var res *http.Response
			var body string
			if tc.method == "GET" {
				res, body = c.get(tc.path)
			} else {
				res, body = c.post(tc.path, url.Values{"username": {"x"}})
			}
			wantStatus(t, tc.user+" "+tc.method+" "+tc.path, res, body, tc.want)
		}
		// A viewer sees an entry's form disabled and without buttons.
		if _, err := h.kb.Save(context.Background(), knowledge.Entry{Slug: "ktp-hilang", Question: "KTP hilang?", Answer: "Lapor ke Disdukcapil."}, "t"); err != nil {
			t.Fatal(err)
		}
		_, body := clients["vera"].get("/admin/kb/entry/ktp-hilang")
		if !strings.Contains(body, `name="answer" rows="10" id="answer" required disabled`) || strings.Contains(body, ">Simpan<") {
			t.Errorf("a viewer's entry page is editable:\n%s", body)
		}
	})
}

func TestFormsWithoutTheirCSRFTokenAreRefused(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h, c := loggedIn(t, db, "otto", RoleOfficer)
		entry := func(token string) url.Values {
			return url.Values{"csrf": {token}, "slug": {"akta-lahir"}, "question": {"Cara urus akta lahir?"}, "answer": {"Ke Disdukcapil."}, "status": {"draft"}}
		}
		for _, token := range []string{"", "forged", c.csrf + "x"} {
			res, body := c.post("/admin/kb/new", entry(token))
			wantStatus(t, fmt.Sprintf("token %q", token), res, body, http.StatusForbidden)
		}
		if _, err := h.kb.Get(context.Background(), "akta-lahir"); err != knowledge.ErrNotFound {
			t.Fatalf("an entry was saved without a valid token: %v", err)
		}
		// Another session's token is no good either.
		h.user(t, "olga", RoleOfficer)
		other := h.login(t, "olga")
		res, body := c.post("/admin/kb/new", entry(other.csrf))
		wantStatus(t, "another session's token", res, body, http.StatusForbidden)
		res, body = c.post("/admin/kb/new", entry(c.csrf))
		wantStatus(t, "own token", res, body, http.StatusSeeOther)

		// The login form's token must match its cookie.
		anon := h.client(t)
		res, body = anon.post("/admin/login", url.Values{"csrf": {"guess"}, "username": {"otto"}, "password": {testPassword}})
		wantStatus(t, "login without the form's cookie", res, body, http.StatusForbidden)
	})
}

func TestUntrustedTextIsRenderedHarmless(t *testing.T) {
	const attack = `"><script>alert(1)</script><img src=x onerror=alert(2)>`
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newHarness(t, db)
		h.user(t, "otto", RoleOfficer)
		ctx := context.Background()
		e := knowledge.Entry{Slug: "xss", Category: attack, Question: "Pertanyaan " + attack, Alternates: []string{attack},
			Answer: "Jawaban " + attack, Tags: []string{"tag"}}
		if _, err := h.kb.Save(ctx, e, attack); err != nil {
			t.Fatal(err)
		}
		if err := h.live.Reload(ctx); err != nil {
			t.Fatal(err)
		}
		id := h.ticket(t, "Budi "+attack, "Tolong "+attack)
		c := h.login(t, "otto")
		for _, p := range []string{"/admin/kb", "/admin/kb/entry/xss", "/admin/kb/entry/xss/revisions", "/admin/desk",
			fmt.Sprintf("/admin/desk/%d", id), "/admin/try?q=" + url.QueryEscape(attack+" pertanyaan jawaban")} {
			res, body := c.get(p)
			wantStatus(t, p, res, body, http.StatusOK)
			for _, raw := range []string{"<script>alert", "<img src=x"} {
				if strings.Contains(body, raw) {
					t.Errorf("%s: the page contains %q unescaped", p, raw)
				}
			}
			if !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
				t.Errorf("%s: the text is not shown escaped", p)
			}
		}
		// The Telegram preview the script fetches is escaped too.
		res, body := c.post("/admin/kb/preview", url.Values{"answer": {attack}})
		wantStatus(t, "preview", res, body, http.StatusOK)
		if strings.Contains(body, "<script>") || !strings.Contains(body, "&lt;script&gt;") {
			t.Errorf("preview not escaped:\n%s", body)
		}
	})
}

func TestLoginIsThrottled(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newHarness(t, db)
		h.user(t, "ada", RoleAdmin)
		c := h.client(t)
		try := func(name, password string) int {
			c.get("/admin/login")
			res, _ := c.post("/admin/login", url.Values{"username": {name}, "password": {password}})
			return res.StatusCode
		}
		for i := range DefaultThrottle.PerAccount {
			if got := try("ada", "salah"); got != http.StatusUnauthorized {
				t.Fatalf("wrong password %d: status %d", i+1, got)
			}
		}
		if got := try("ada", testPassword); got != http.StatusTooManyRequests {
			t.Fatalf("right password after %d failures: status %d, want 429", DefaultThrottle.PerAccount, got)
		}
		// The window passes: the account may log in again.
		h.clock.Advance(DefaultThrottle.Window + time.Second)
		if got := try("ada", testPassword); got != http.StatusSeeOther {
			t.Fatalf("after the window: status %d", got)
		}
		// One address guessing many names is stopped too.
		for i := range DefaultThrottle.PerAddress {
			if got := try(fmt.Sprintf("tebak%d", i), "salah"); got != http.StatusUnauthorized {
				t.Fatalf("guess %d: status %d", i+1, got)
			}
		}
		if got := try("ada", testPassword); got != http.StatusTooManyRequests {
			t.Fatalf("from a guessing address: status %d, want 429", got)
		}
	})
}

func TestSessionsExpire(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h, c := loggedIn(t, db, "otto", RoleOfficer)
		// Active use keeps the session within its absolute lifetime.
		for range 20 {
			h.clock.Advance(25 * time.Minute)
			res, body := c.get("/admin/kb")
			wantStatus(t, "active session", res, body, http.StatusOK)
		}
		h.clock.Advance(4 * time.Hour) // past 12 hours since login
		res, body := c.get("/admin/kb")
		wantStatus(t, "after the absolute lifetime", res, body, http.StatusSeeOther)

		c = h.login(t, "otto")
		h.clock.Advance(31 * time.Minute)
		res, body = c.get("/admin/kb")
		wantStatus(t, "idle session", res, body, http.StatusSeeOther)

		// Logging out ends the session on the server.
		c = h.login(t, "otto")
		res, body = c.post("/admin/logout", url.Values{})
		wantStatus(t, "logout", res, body, http.StatusSeeOther)
		res, body = c.get("/admin/kb")
		wantStatus(t, "after logout", res, body, http.StatusSeeOther)
	})
}

// An officer leaves a ticket page open on a shared office computer and
// walks away. The page's script polls every 5 seconds, and reloads when
// a colleague changes the ticket; neither is the officer's doing, so the
// session still ends after 30 minutes idle. What the officer does keeps
// it alive.
func TestPollDoesNotDefeatIdleTimeout(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h, c := loggedIn(t, db, "budi", RoleOfficer)
		id := h.ticket(t, "Warga", "bagaimana cara mengurus izin keramaian di lapangan merdeka")
		page := fmt.Sprintf("/admin/desk/%d", id)
		res, body := c.get(page)
		wantStatus(t, "the ticket page", res, body, http.StatusOK)
		// 25 minutes at the keyboard, the page polling meanwhile.
		for range 5 {
			h.clock.Advance(5 * time.Minute)
			res, body := c.get(page + "/poll")
			wantStatus(t, "a poll of a live session", res, body, http.StatusOK)
			res, body = c.get(page)
			wantStatus(t, "the officer's own visit", res, body, http.StatusOK)
		}
		// An hour away from the keyboard, the page polling and reloading
		// after a colleague's change meanwhile.
		for i := range 12 {
			h.clock.Advance(5 * time.Minute)
			c.get(page + "/poll")
			if i%3 == 0 {
				c.get(page + "?live=1")
			}
			c.get("/admin/desk/poll?queue=open")
		}
		res, _ = c.get(page)
		if res.StatusCode == http.StatusOK {
			t.Errorf("after an hour with nobody at the keyboard, only the page's polls, the session is still open (status 200); want it ended after 30 minutes idle")
		}
	})
}

func TestLoginNeverRedirectsAway(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newHarness(t, db)
		h.user(t, "otto", RoleOfficer)
		for _, next := range []string{"https://evil.example/", "//evil.example/admin/", "/\\evil.example", "/admin/../../evil",
			"javascript:alert(1)", "/admin/\r\nLocation: http://evil", "http:/admin/", "/elsewhere", "", "%2F%2Fevil.example"} {
			c := h.client(t)
			c.get("/admin/login?next=" + url.QueryEscape(next))
			res, body := c.post("/admin/login", url.Values{"username": {"otto"}, "password": {testPassword}, "next": {next}})
			wantStatus(t, "login with next "+next, res, body, http.StatusSeeOther)
			if loc := res.Header.Get("Location"); loc != "/admin/" {
				t.Errorf("next %q: redirected to %q", next, loc)
			}
		}
		c := h.client(t)
		c.get("/admin/login")
		res, _ := c.post("/admin/login", url.Values{"username": {"otto"}, "password": {testPassword}, "next": {"/admin/kb?status=draft"}})
		if loc := res.Header.Get("Location"); loc != "/admin/kb?status=draft" {
			t.Errorf("a page of the admin: redirected to %q", loc)
		}
	})
}

func TestOversizedUploadIsRefused(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		_, c := loggedIn(t, db, "otto", RoleOfficer)
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		_ = mw.WriteField("csrf", c.csrf)
		fw, _ := mw.CreateFormFile("file", "besar.csv")
		_, _ = fw.Write([]byte("id,category,question,alternates,answer,tags\n"))
		_, _ = fw.Write(bytes.Repeat([]byte("a"), maxUploadBytes))
		_ = mw.Close()
		res, body := c.postRaw("/admin/kb/import", mw.FormDataContentType(), &buf)
		wantStatus(t, "oversized upload", res, body, http.StatusRequestEntityTooLarge)
		if !strings.Contains(body, "Kiriman terlalu besar: paling besar 5 MB") {
			t.Errorf("no clear message:\n%s", body)
		}
	})
}

func TestSecurityHeaders(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newHarness(t, db)
		h.user(t, "otto", RoleOfficer)
		c := h.client(t)
		res, _ := c.get("/admin/login")
		for name, want := range map[string]string{
			"X-Content-Type-Options": "nosniff",
			"Referrer-Policy":        "same-origin",
		} {
			if got := res.Header.Get(name); got != want {
				t.Errorf("%s = %q, want %q", name, got, want)
			}
		}
		csp := res.Header.Get("Content-Security-Policy")
		for _, want := range []string{"script-src 'self'", "frame-ancestors 'none'", "default-src 'self'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("CSP %q lacks %q", csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") {
			t.Errorf("CSP allows inline code: %q", csp)
		}
		var cookie *http.Cookie
		c.get("/admin/login")
		res, _ = c.post("/admin/login", url.Values{"username": {"otto"}, "password": {testPassword}})
		for _, ck := range res.Cookies() {
			if ck.Name == SessionCookie {
				cookie = ck
			}
		}
		if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode || cookie.Secure {
			t.Fatalf("session cookie over plain HTTP: %+v", cookie)
		}
	})
}

func TestSecureCookieBehindTLSProxy(t *testing.T) {
	s := &Server{cfg: Config{TrustProxy: true}}
	r, _ := http.NewRequest("GET", "http://hub/admin/", nil)
	r.Header.Set("X-Forwarded-Proto", "https")
	if !s.secure(r) {
		t.Error("a trusted proxy's https is not seen as secure")
	}
	s.cfg.TrustProxy = false
	if s.secure(r) {
		t.Error("an untrusted X-Forwarded-Proto is believed")
	}
}

func TestEditingTheSameEntryTwiceReportsTheConflict(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newHarness(t, db)
		h.user(t, "otto", RoleOfficer)
		h.user(t, "olga", RoleOfficer)
		if _, err := h.kb.Save(context.Background(), knowledge.Entry{Slug: "ktp-hilang", Question: "KTP hilang?", Answer: "Lapor."}, "t"); err != nil {
			t.Fatal(err)
		}
		first, second := h.login(t, "otto"), h.login(t, "olga")
		first.get("/admin/kb/entry/ktp-hilang")
		second.get("/admin/kb/entry/ktp-hilang")
		form := func(answer string) url.Values {
			return url.Values{"version": {"1"}, "question": {"KTP hilang?"}, "answer": {answer}, "status": {"published"}}
		}
		res, body := first.post("/admin/kb/entry/ktp-hilang", form("Lapor ke Disdukcapil dengan surat kehilangan."))
		wantStatus(t, "first save", res, body, http.StatusSeeOther)
		res, body = second.post("/admin/kb/entry/ktp-hilang", form("Datang ke kantor camat."))
		wantStatus(t, "second save", res, body, http.StatusConflict)
		for _, want := range []string{"versi 2", "web:otto", "Datang ke kantor camat.", "Lapor ke Disdukcapil dengan surat kehilangan."} {
			if !strings.Contains(body, want) {
				t.Errorf("the conflict page lacks %q", want)
			}
		}
		e, err := h.kb.Get(context.Background(), "ktp-hilang")
		if err != nil || e.Version != 2 || e.Answer != "Lapor ke Disdukcapil dengan surat kehilangan." {
			t.Fatalf("stored entry %+v, %v", e, err)
		}
		// Saving again from the conflict page (now based on version 2)
		// is a deliberate overwrite.
		f := form("Datang ke kantor camat.")
		f.Set("version", "2")
		res, body = second.post("/admin/kb/entry/ktp-hilang", f)
		wantStatus(t, "save after seeing the conflict", res, body, http.StatusSeeOther)
	})
}

func TestImportShowsTheRowsInError(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h, c := loggedIn(t, db, "otto", RoleOfficer)
		upload := func(name, content string) (*http.Response, string) {
			return c.upload("/admin/kb/import", name, content, nil)
		}
		bad := "id,category,question,alternates,answer,tags\n" +
			"ktp-hilang,kependudukan,KTP hilang?,,Lapor ke Disdukcapil.,ktp\n" +
			"Akta Lahir,kependudukan,Akta?,,Ke Disdukcapil.,\n"
		res, body := upload("faq.csv", bad)
		wantStatus(t, "bad CSV", res, body, http.StatusUnprocessableEntity)
		if !strings.Contains(body, "Baris 3") || !strings.Contains(body, "faq.csv") {
			t.Errorf("the row in error is not named:\n%s", body)
		}
		if n, _ := h.kb.Count(context.Background(), ""); n != 0 {
			t.Fatalf("%d entries imported from a bad file", n)
		}
		good := strings.Replace(bad, "Akta Lahir", "akta-lahir", 1)
		res, body = upload("faq.csv", good)
		wantStatus(t, "good CSV", res, body, http.StatusOK)
		if !strings.Contains(body, "2 dibuat") {
			t.Errorf("no import summary:\n%s", body)
		}
		// A file the store refuses as a whole is the officer's to fix, told
		// as such: replacing everything with an empty file, and synonym
		// groups that would merge two stored groups.
		res, body = c.upload("/admin/kb/import", "kosong.json", `{"entries": []}`, url.Values{"replace": {"on"}})
		wantStatus(t, "replace with nothing", res, body, http.StatusUnprocessableEntity)
		if !strings.Contains(body, "tidak berisi entri") {
			t.Errorf("the empty file is not named as the problem:\n%s", body)
		}
		for _, g := range [][]string{{"ktp", "ktp-el"}, {"kk", "kartu keluarga"}} {
			if _, err := h.kb.SaveSynonymGroup(context.Background(), knowledge.SynonymGroup{Terms: g}, "t"); err != nil {
				t.Fatal(err)
			}
		}
		res, body = upload("sinonim.json", `{"entries": [{"id": "akta-lahir", "question": "Akta?", "answer": "Ke Disdukcapil."}], "synonyms": [["ktp", "kk"]]}`)
		wantStatus(t, "synonyms spanning two stored groups", res, body, http.StatusUnprocessableEntity)
		if !strings.Contains(body, "gabungkan") {
			t.Errorf("the clashing synonym group is not named:\n%s", body)
		}
		// The export gives the entries back.
		res, body = c.get("/admin/kb/export?format=csv")
		wantStatus(t, "export", res, body, http.StatusOK)
		if !strings.Contains(body, "akta-lahir") || !strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment") {
			t.Errorf("export: %s\n%s", res.Header.Get("Content-Disposition"), body)
		}
	})
}

func TestTryBotShowsTheVerdictOfKbAsk(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h, c := loggedIn(t, db, "otto", RoleOfficer)
		res, body := c.get("/admin/kb/new")
		wantStatus(t, "new entry form", res, body, http.StatusOK)
		res, body = c.post("/admin/kb/new", url.Values{"slug": {"paspor-baru"}, "category": {"imigrasi"},
			"question": {"Bagaimana cara membuat paspor baru?"}, "alternates": {"syarat bikin paspor\nurus paspor"},
			"answer": {"Daftar antrean paspor secara daring, lalu datang ke kantor imigrasi membawa KTP dan KK."}, "status": {"draft"}})
		wantStatus(t, "create", res, body, http.StatusSeeOther)
		q := "gimana cara bikin paspor baru"
		_, body = c.get("/admin/try?q=" + url.QueryEscape(q))
		if strings.Contains(body, `id="faq-id"><a`) {
			t.Fatalf("a draft answers:\n%s", body)
		}
		res, body = c.post("/admin/kb/entry/paspor-baru/status", url.Values{"status": {"published"}})
		wantStatus(t, "publish", res, body, http.StatusSeeOther)
		res, body = c.get("/admin/try?q=" + url.QueryEscape(q))
		wantStatus(t, "try", res, body, http.StatusOK)
		v := h.index.Search(q).Verdict()
		if v.FAQID != "paspor-baru" {
			t.Fatalf("the index does not answer with the new entry: %+v", v)
		}
		for _, want := range []string{`id="decision">` + string(v.Decision) + `<`, fmt.Sprintf(`id="confidence">%.2f<`, v.Confidence),
			`href="/admin/kb/entry/paspor-baru">paspor-baru</a>`, "kantor imigrasi membawa KTP"} {
			if !strings.Contains(body, want) {
				t.Errorf("Coba bot lacks %q:\n%s", want, body)
			}
		}
		// Every change was audited.
		entries, _, err := h.accounts.AuditLog(context.Background(), AuditFilter{Actor: "web:otto", Action: "kb."})
		if err != nil || len(entries) != 2 || entries[0].Action != "kb.status" || entries[1].Action != "kb.create" {
			t.Fatalf("audit log: %+v, %v", entries, err)
		}
		if !strings.Contains(entries[0].Before, `"status":"draft"`) || !strings.Contains(entries[0].After, `"status":"published"`) {
			t.Errorf("audit before/after: %s → %s", entries[0].Before, entries[0].After)
		}
	})
}

func TestRevisionsDiffAndRestore(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newHarness(t, db)
		h.user(t, "otto", RoleOfficer)
		ctx := context.Background()
		e := knowledge.Entry{Slug: "kk", Question: "Cara urus KK?", Answer: "Baris satu.\nBaris dua."}
		if _, err := h.kb.Save(ctx, e, "t"); err != nil {
			t.Fatal(err)
		}
		e.Answer = "Baris satu.\nBaris baru."
		if _, err := h.kb.Save(ctx, e, "t"); err != nil {
			t.Fatal(err)
		}
		c := h.login(t, "otto")
		res, body := c.get("/admin/kb/entry/kk/revisions")
		wantStatus(t, "revisions", res, body, http.StatusOK)
		for _, want := range []string{`<span class="dsame">  Baris satu.</span>`, `<span class="ddel">- Baris dua.</span>`, `<span class="dadd">&#43; Baris baru.</span>`} {
			if !strings.Contains(body, want) {
				t.Errorf("diff lacks %q:\n%s", want, body)
			}
		}
		res, body = c.post("/admin/kb/entry/kk/restore", url.Values{"version": {"1"}})
		wantStatus(t, "restore", res, body, http.StatusSeeOther)
		got, err := h.kb.Get(ctx, "kk")
		if err != nil || got.Version != 3 || got.Answer != "Baris satu.\nBaris dua." {
			t.Fatalf("after restore: %+v, %v", got, err)
		}
	})
}

// An officer adds a synonym group on the web the way the README writes
// one and Slack's /faq sinonim takes it: "=" and "," separate terms as
// new lines do, and no saved term holds a separator.
func TestSynonymFormTakesTheREADMENotation(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h, c := loggedIn(t, db, "budi", RoleOfficer)
		c.get("/admin/kb/synonyms")
		res, body := c.post("/admin/kb/synonyms", url.Values{"terms": {"ktp = e-ktp = kartu tanda penduduk"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Errorf("the README's notation on one line: status %d; the officer reads: %s", res.StatusCode, pageError(body))
		}
		c.get("/admin/kb/synonyms")
		res, body = c.post("/admin/kb/synonyms", url.Values{"terms": {"kk = kartu keluarga\nKK elektronik"}})
		wantStatus(t, "separators and lines mixed", res, body, http.StatusSeeOther)
		groups, err := h.kb.Synonyms(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		var got [][]string
		for _, g := range groups {
			got = append(got, g.Terms)
			for _, term := range g.Terms {
				if strings.ContainsAny(term, "=,") {
					t.Errorf("saved a synonym term %q, with the separator in it: it matches no question", term)
				}
			}
		}
		if len(got) != 2 || len(got[0]) != 3 || len(got[1]) != 3 {
			t.Errorf("groups saved: %q; want ktp's three terms and kk's three", got)
		}
	})
}

func TestSynonymGroups(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h, c := loggedIn(t, db, "otto", RoleOfficer)
		c.get("/admin/kb/synonyms")
		res, body := c.post("/admin/kb/synonyms", url.Values{"terms": {"ktp\ne-ktp\nkartu tanda penduduk"}})
		wantStatus(t, "add", res, body, http.StatusSeeOther)
		groups, err := h.kb.Synonyms(context.Background())
		if err != nil || len(groups) != 1 || len(groups[0].Terms) != 3 {
			t.Fatalf("groups %+v, %v", groups, err)
		}
		res, body = c.post("/admin/kb/synonyms", url.Values{"terms": {"akta\nAKTA "}})
		wantStatus(t, "a group of one", res, body, http.StatusUnprocessableEntity)
		// The refused terms stay in the form they were typed in, to fix.
		if !strings.Contains(body, `name="terms" rows="3" required>akta`+"\n"+`AKTA </textarea>`) {
			t.Errorf("the new group's terms are lost:\n%s", body)
		}
		res, body = c.post("/admin/kb/synonyms", url.Values{"id": {fmt.Sprint(groups[0].ID)}, "terms": {"ktp\nktp"}})
		wantStatus(t, "a group edited down to one", res, body, http.StatusUnprocessableEntity)
		if !strings.Contains(body, `rows="3">ktp`+"\n"+`ktp</textarea>`) || strings.Contains(body, "required>ktp") {
			t.Errorf("the edited group's terms are lost, or put in the new group's form:\n%s", body)
		}
		res, body = c.post(fmt.Sprintf("/admin/kb/synonyms/%d/delete", groups[0].ID), url.Values{})
		wantStatus(t, "delete", res, body, http.StatusSeeOther)
		if groups, _ := h.kb.Synonyms(context.Background()); len(groups) != 0 {
			t.Fatalf("groups left: %+v", groups)
		}
	})
}

func TestDeskAnswersAndClosesThroughTheDesk(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newHarness(t, db)
		h.user(t, "otto", RoleOfficer)
		id := h.ticket(t, "Budi", "Kapan kantor buka?")
		c := h.login(t, "otto")
		res, body := c.get("/admin/desk?queue=open")
		wantStatus(t, "open queue", res, body, http.StatusOK)
		if !strings.Contains(body, "Kapan kantor buka?") {
			t.Fatalf("the ticket is not listed:\n%s", body)
		}
		path := fmt.Sprintf("/admin/desk/%d", id)
		res, body = c.post(path+"/reply", url.Values{"text": {"  "}})
		wantStatus(t, "empty reply", res, body, http.StatusUnprocessableEntity)
		// A colleague on Slack took the ticket on: the web reply waits.
		if _, err := h.inbox.Claim(context.Background(), id, "@siti", time.Now()); err != nil {
			t.Fatal(err)
		}
		res, body = c.post(path+"/reply", url.Values{"text": {"Senin sampai Jumat, 08.00–16.00."}})
		wantStatus(t, "reply to a claimed ticket", res, body, http.StatusConflict)
		if !strings.Contains(body, "sedang ditangani @siti; balasan Anda belum dikirim. @siti dapat melepasnya dengan tombol Lepas di sini atau di Slack; admin juga dapat melepasnya di sini, dan operator dengan hub inbox release "+fmt.Sprint(id)+".") {
			t.Errorf("the claim is not named:\n%s", body)
		}
		// Mapped to that Slack name, the officer is the same person.
		users, _ := h.accounts.Users(context.Background())
		if _, err := h.accounts.UpdateUser(context.Background(), users[0].ID, RoleOfficer, "@siti", true, "test"); err != nil {
			t.Fatal(err)
		}
		res, body = c.post(path+"/reply", url.Values{"text": {"Senin sampai Jumat, 08.00–16.00."}})
		wantStatus(t, "reply", res, body, http.StatusSeeOther)
		_, body = c.get("/admin/desk?queue=mine")
		if !strings.Contains(body, "Kapan kantor buka?") {
			t.Errorf("the answered ticket is not in mine:\n%s", body)
		}
		rows, err := outbox.New(db).List(context.Background(), "", 10)
		if err != nil || len(rows) != 1 || !strings.Contains(rows[0].Out.Text, "Senin sampai Jumat") || rows[0].ChatID != "555" {
			t.Fatalf("outbox: %+v, %v", rows, err)
		}
		res, body = c.post(path+"/close", url.Values{})
		wantStatus(t, "close", res, body, http.StatusSeeOther)
		det, err := h.inbox.Get(context.Background(), id)
		if err != nil || det.Ticket.Status != inbox.Closed || det.Ticket.ClosedBy != "@siti" || det.Ticket.AnsweredBy != "@siti" {
			t.Fatalf("ticket %+v, %v", det.Ticket, err)
		}
		res, body = c.post(path+"/reply", url.Values{"text": {"lagi"}})
		wantStatus(t, "reply to a closed ticket", res, body, http.StatusConflict)
		// Who closed it, as Slack and hub inbox show say; the claim is
		// over.
		_, body = c.get(path)
		if want := "<dt>Ditutup</dt><dd>" + det.Ticket.ClosedAt.In(jakarta).Format("02-01-2006 15:04") + " oleh @siti</dd>"; !strings.Contains(body, want) {
			t.Errorf("the closed ticket lacks %q:\n%s", want, body)
		}
		if strings.Contains(body, "<dt>Ditangani</dt>") {
			t.Errorf("the closed ticket is still shown as handled:\n%s", body)
		}
		entries, _, err := h.accounts.AuditLog(context.Background(), AuditFilter{Action: "desk."})
		if err != nil || len(entries) != 2 {
			t.Fatalf("audit: %+v, %v", entries, err)
		}
		// The audit log is kept; the citizen's question, which erasure and
		// retention must reach, is not in it.
		for _, e := range entries {
			if strings.Contains(e.Before+e.After, "Kapan kantor") || !strings.Contains(e.After, `"status":`) {
				t.Errorf("audit entry %s: %s", e.Action, e.After)
			}
		}
	})
}

func TestDashboardDrawsChartsWithTables(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newHarness(t, db)
		h.user(t, "vera", RoleViewer)
		h.ticket(t, "Budi", "Kapan kantor buka?")
		ctx := context.Background()
		for i, d := range []string{"answer ktp-hilang", "answer kk-baru", "clarify ktp-hilang,kk-baru"} {
			err := db.InTx(ctx, func(tx *sqlx.Tx) error {
				conv, err := h.inbox.EnsureConversation(ctx, tx, bots.Telegram, fmt.Sprint(700+i), fmt.Sprint(700+i), "Warga")
				if err != nil {
					return err
				}
				return h.inbox.LogExchange(ctx, tx, conv, 0, "", "tanya", "jawab", d)
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		// A self-assessment three of four ASN completed.
		now := h.clock.Now()
		w := trainingtest.Build(t, db, trainingtest.Spec{ASN: 4, Sessions: 1, Start: now.Add(24 * time.Hour)})
		round, opened, err := h.training.OpenPeriodicRound(ctx, training.TemplateCompetency, now.Add(-time.Hour))
		if err != nil || !opened {
			t.Fatalf("open the self-assessment: %v, %v", opened, err)
		}
		for _, nip := range w.NIPs[:3] {
			selfAssessAll(t, db, h.training, round, nip, "3", now.Add(-time.Minute))
		}
		c := h.login(t, "vera")
		res, body := c.get("/admin/")
		wantStatus(t, "dashboard", res, body, http.StatusOK)
		for _, want := range []string{`<th scope="row">Menjawab</th><td>2</td>`, `<th scope="row">Bertanya balik</th><td>1</td>`, `<th scope="row">Menyerahkan ke petugas</th><td>0</td>`,
			`<th scope="row">Kapan kantor buka?</th><td>1</td>`, `<th scope="row">` + html.EscapeString(safetext.Shorten(round.Title, chartLabelRunes)) + `</th><td>75</td>`} {
			if !strings.Contains(body, want) {
				t.Errorf("the decision shares lack %q", want)
			}
		}
		if n := strings.Count(body, "<svg class=\"chart\""); n != 7 || strings.Count(body, `<table class="numbers">`) != 7 {
			t.Errorf("%d charts:\n%s", n, body)
		}
		if !strings.Contains(body, `<th scope="row">Bot tidak menemukan jawaban</th><td>1</td>`) {
			t.Errorf("the handoff reason is not counted:\n%s", body)
		}
	})
}

// An admin maps budi's account to "@siti" by mistake (copying the row
// above): refused, naming siti's account, since both would then act on
// the desk as one officer.
func TestSlackNameMapsOneAccount(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h, c := loggedIn(t, db, "admin1", RoleAdmin)
		h.user(t, "siti", RoleOfficer)
		h.user(t, "budi", RoleOfficer)
		ctx := context.Background()
		siti, err := h.accounts.user(ctx, db, `username = ?`, "siti")
		if err != nil {
			t.Fatal(err)
		}
		budi, err := h.accounts.user(ctx, db, `username = ?`, "budi")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := h.accounts.UpdateUser(ctx, siti.ID, RoleOfficer, "@siti", true, "web:admin1"); err != nil {
			t.Fatal(err)
		}
		var bad *InputError
		if _, err := h.accounts.UpdateUser(ctx, budi.ID, RoleOfficer, "@siti", true, "web:admin1"); !errors.As(err, &bad) || !strings.Contains(bad.Msg, "akun siti") {
			t.Errorf("budi's account mapped to @siti, which already stands for siti's account: %v; want an InputError naming siti", err)
		}
		c.get("/admin/users")
		res, body := c.post(fmt.Sprintf("/admin/users/%d", budi.ID), url.Values{"role": {"officer"}, "slack_user_id": {"@Siti"}, "active": {"on"}})
		wantStatus(t, "@Siti for budi on the users page", res, body, http.StatusUnprocessableEntity)
		if !strings.Contains(body, "sudah dipakai akun siti") {
			t.Errorf("the users page does not name the account holding @Siti: %s", pageError(body))
		}
		if u, err := h.accounts.user(ctx, db, `username = ?`, "budi"); err != nil || u.SlackUserID != "" {
			t.Errorf("budi's Slack name is %q (%v) after the refusals", u.SlackUserID, err)
		}
		// siti's own account keeps its name through another change.
		if _, err := h.accounts.UpdateUser(ctx, siti.ID, RoleAdmin, "@siti", true, "web:admin1"); err != nil {
			t.Errorf("siti's account changed keeping its own Slack name: %v", err)
		}
	})
}

func TestAdminsManageAccounts(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newHarness(t, db)
		h.user(t, "ada", RoleAdmin)
		c := h.login(t, "ada")
		c.get("/admin/users")
		res, body := c.post("/admin/users", url.Values{"username": {"vera"}, "password": {"pendek"}, "role": {"viewer"}})
		wantStatus(t, "short password", res, body, http.StatusUnprocessableEntity)
		res, body = c.post("/admin/users", url.Values{"username": {"vera"}, "password": {testPassword}, "role": {"viewer"}})
		wantStatus(t, "create", res, body, http.StatusSeeOther)
		vera := h.login(t, "vera")
		users, _ := h.accounts.Users(context.Background())
		var id int64
		for _, u := range users {
			if u.Username == "vera" {
				id = u.ID
			}
		}
		// The Slack desk names officers "@name": anything else would
		// claim tickets on the web under another name than in Slack.
		for _, bad := range []string{"U123", "vera", "@vera rahma", "@"} {
			res, body = c.post(fmt.Sprintf("/admin/users/%d", id), url.Values{"role": {"viewer"}, "slack_user_id": {bad}})
			wantStatus(t, "Slack name "+bad, res, body, http.StatusUnprocessableEntity)
			if want := html.EscapeString(fmt.Sprintf("nama di Slack %q tidak dapat dipakai: tulis nama pengguna Slack dengan @ di depannya", bad)); !strings.Contains(body, want) {
				t.Errorf("Slack name %q: the page lacks %q:\n%s", bad, want, body)
			}
		}
		res, body = c.post(fmt.Sprintf("/admin/users/%d", id), url.Values{"role": {"viewer"}, "slack_user_id": {" @vera.rahma "}})
		wantStatus(t, "deactivate", res, body, http.StatusSeeOther)
		res, body = vera.get("/admin/")
		wantStatus(t, "a deactivated account's session", res, body, http.StatusSeeOther)
		entries, total, err := h.accounts.AuditLog(context.Background(), AuditFilter{Target: "user:vera"})
		if err != nil || total != 2 || entries[0].Action != "user.update" || !strings.Contains(entries[0].After, `"SlackUserID":"@vera.rahma"`) {
			t.Fatalf("audit %+v (%d), %v", entries, total, err)
		}
		res, body = c.get("/admin/audit?target=user:vera&action=user.")
		wantStatus(t, "audit page", res, body, http.StatusOK)
		if strings.Count(body, "<td>user:vera</td>") != 2 {
			t.Errorf("the audit page does not list both changes:\n%s", body)
		}
		if strings.Contains(body, "password_hash") || strings.Contains(body, "$2a$") {
			t.Error("the audit log shows a password hash")
		}
	})
}

// An officer replaces the knowledge base with the city's full FAQ file,
// then uploads a small file with two corrections on the page that
// reports it: the "Arsipkan entri yang tidak ada di berkas" box is not
// ticked any more, and a replacing import that would archive entries
// says how many and which, and archives them only once confirmed.
func TestReplaceImportIsConfirmedAndNotSticky(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h, c := loggedIn(t, db, "budi", RoleOfficer)
		ctx := context.Background()
		c.get("/admin/kb/import")
		full := "id,category,question,alternates,answer,tags\n" +
			"ktp-hilang,Kependudukan,KTP saya hilang,,Lapor ke kelurahan.,\n" +
			"kk-baru,Kependudukan,Cara membuat KK baru,,Datang ke Disdukcapil.,\n" +
			"pbb-bayar,Pajak,Cara membayar PBB,,Bayar di bank.,\n"
		res, body := c.upload("/admin/kb/import", "faq.csv", full, url.Values{"replace": {"on"}})
		wantStatus(t, "the full import (nothing to archive)", res, body, http.StatusOK)
		if !strings.Contains(body, "3 dibuat") {
			t.Errorf("no import summary:\n%s", body)
		}
		if regexp.MustCompile(`name="replace"[^>]*checked`).MatchString(body) {
			t.Errorf("after a completed replace import, the page offers the next upload with \"Arsipkan entri yang tidak ada di berkas\" still ticked")
		}

		small := "id,category,question,alternates,answer,tags\n" +
			"ktp-hilang,Kependudukan,KTP saya hilang,,Lapor ke kelurahan terdekat.,\n"
		res, body = c.upload("/admin/kb/import", "koreksi.csv", small, url.Values{"replace": {"on"}})
		wantStatus(t, "a replacing import that would archive two entries", res, body, http.StatusConflict)
		if !strings.Contains(body, "2 entri akan diarsipkan") || !strings.Contains(body, "kk-baru") || !strings.Contains(body, "pbb-bayar") ||
			!strings.Contains(body, `name="archive_ok"`) {
			t.Errorf("the page does not say which 2 entries would be archived, nor ask to confirm:\n%s", body)
		}
		if e, err := h.kb.Get(ctx, "ktp-hilang"); err != nil || e.Answer != "Lapor ke kelurahan." {
			t.Errorf("an unconfirmed replacing import changed ktp-hilang: %q, %v", e.Answer, err)
		}
		// A confirmation for another number archives nothing either.
		res, body = c.upload("/admin/kb/import", "koreksi.csv", small, url.Values{"replace": {"on"}, "archive_confirmed": {"1"}, "archive_ok": {"on"}})
		wantStatus(t, "a confirmation of 1 entry for 2", res, body, http.StatusConflict)
		for _, slug := range []string{"kk-baru", "pbb-bayar"} {
			if e, err := h.kb.Get(ctx, slug); err != nil || e.Status == knowledge.Archived {
				t.Errorf("%s archived before the import was confirmed: %v", slug, err)
			}
		}

		res, body = c.upload("/admin/kb/import", "koreksi.csv", small, url.Values{"replace": {"on"}, "archive_confirmed": {"kk-baru", "pbb-bayar"}, "archive_ok": {"on"}})
		wantStatus(t, "the confirmed replacing import", res, body, http.StatusOK)
		if !strings.Contains(body, "2 diarsipkan") {
			t.Errorf("no import summary:\n%s", body)
		}
		if regexp.MustCompile(`name="replace"[^>]*checked`).MatchString(body) {
			t.Errorf("after a confirmed replace import, the box is still ticked")
		}
		for _, slug := range []string{"kk-baru", "pbb-bayar"} {
			if e, err := h.kb.Get(ctx, slug); err != nil || e.Status != knowledge.Archived {
				t.Errorf("%s not archived by the confirmed import: %v", slug, err)
			}
		}
	})
}

// The confirmation of a replacing import names two entries to archive
// (kk-baru, pbb-bayar); the officer then picks another file from the
// folder, as the page asks her to "pilih berkas itu lagi", ticks the box
// and imports. That file would archive two other entries (ktp-hilang,
// akta-lahir), which she never saw: it must be refused and listed, not
// archived because the count happens to match. So must the right file
// once a colleague has added an entry since the list was shown.
func TestReplaceImportArchivesOnlyTheConfirmedEntries(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h, c := loggedIn(t, db, "budi", RoleOfficer)
		ctx := t.Context()
		c.get("/admin/kb/import")
		const head = "id,category,question,alternates,answer,tags\n"
		const ktp, akta = "ktp-hilang,Kependudukan,KTP saya hilang,,Lapor ke kelurahan.,\n", "akta-lahir,Kependudukan,Cara membuat akta kelahiran,,Datang ke Disdukcapil.,\n"
		const kk, pbb = "kk-baru,Kependudukan,Cara membuat KK baru,,Datang ke Disdukcapil.,\n", "pbb-bayar,Pajak,Cara membayar PBB,,Bayar di bank.,\n"
		res, body := c.upload("/admin/kb/import", "faq.csv", head+ktp+akta+kk+pbb, url.Values{})
		wantStatus(t, "the full import", res, body, http.StatusOK)

		res, body = c.upload("/admin/kb/import", "kependudukan.csv", head+ktp+akta, url.Values{"replace": {"on"}})
		wantStatus(t, "a replacing import to confirm", res, body, http.StatusConflict)
		for _, want := range []string{`name="archive_confirmed" value="kk-baru"`, `name="archive_confirmed" value="pbb-bayar"`} {
			if !strings.Contains(body, want) {
				t.Errorf("the confirmation form does not send back the list it shows (%s):\n%s", want, body)
			}
		}
		res, body = c.upload("/admin/kb/import", "lainnya.csv", head+kk+pbb, url.Values{"replace": {"on"}, "archive_confirmed": {"2"}, "archive_ok": {"on"}})
		if res.StatusCode != http.StatusConflict {
			t.Errorf("another file confirmed with the first one's list: status %d, want 409", res.StatusCode)
		}
		res, body = c.upload("/admin/kb/import", "lainnya.csv", head+kk+pbb, url.Values{"replace": {"on"}, "archive_confirmed": {"kk-baru", "pbb-bayar"}, "archive_ok": {"on"}})
		if res.StatusCode != http.StatusConflict || !strings.Contains(body, "tidak sama dengan daftar yang Anda konfirmasi") ||
			!strings.Contains(body, `value="ktp-hilang"`) || !strings.Contains(body, `value="akta-lahir"`) {
			t.Errorf("another file confirmed with the first one's slugs: status %d, want 409 saying the list changed and showing the new one:\n%s", res.StatusCode, body)
		}
		for _, slug := range []string{"ktp-hilang", "akta-lahir"} {
			if e, err := h.kb.Get(ctx, slug); err != nil || e.Status == knowledge.Archived {
				t.Errorf("%s archived though the officer confirmed archiving kk-baru and pbb-bayar (%v)", slug, err)
			}
		}

		// A colleague adds an entry between the preview and the confirmation.
		if _, err := h.kb.Import(ctx, []knowledge.Entry{{Slug: "sim-baru", Category: "Lalu lintas", Question: "Cara membuat SIM baru",
			Answer: "Datang ke Satpas Polres.", Status: knowledge.Published}}, knowledge.ImportOptions{Author: "web:siti"}); err != nil {
			t.Fatal(err)
		}
		res, body = c.upload("/admin/kb/import", "kependudukan.csv", head+ktp+akta, url.Values{"replace": {"on"}, "archive_confirmed": {"kk-baru", "pbb-bayar"}, "archive_ok": {"on"}})
		if res.StatusCode != http.StatusConflict || !strings.Contains(body, `value="sim-baru"`) {
			t.Errorf("a confirmation that misses the entry a colleague added: status %d, want 409 listing sim-baru:\n%s", res.StatusCode, body)
		}
		if e, err := h.kb.Get(ctx, "sim-baru"); err != nil || e.Status == knowledge.Archived {
			t.Errorf("sim-baru archived unseen (%v)", err)
		}
		res, body = c.upload("/admin/kb/import", "kependudukan.csv", head+ktp+akta, url.Values{"replace": {"on"}, "archive_confirmed": {"sim-baru", "kk-baru", "pbb-bayar"}, "archive_ok": {"on"}})
		wantStatus(t, "the import confirmed with the fresh list", res, body, http.StatusOK)
		for _, slug := range []string{"kk-baru", "pbb-bayar", "sim-baru"} {
			if e, err := h.kb.Get(ctx, slug); err != nil || e.Status != knowledge.Archived {
				t.Errorf("%s not archived by the confirmed import (%v)", slug, err)
			}
		}
	})
}

// An officer double-clicks "Simpan" on a new entry, or on an edit (a slow
// connection, a phone): the browser shows the second request's answer,
// which lands on the entry as saved, not on a conflict that did not
// happen; the change is saved and audited once.
func TestDoubleSaveIsNotAConflict(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h, c := loggedIn(t, db, "budi", RoleOfficer)
		ctx := context.Background()
		c.get("/admin/kb/new")
		form := url.Values{"slug": {"izin-keramaian"}, "category": {"Perizinan"}, "question": {"Bagaimana cara mengurus izin keramaian?"},
			"answer": {"Ajukan ke Polres dengan surat pengantar kelurahan."}, "status": {"draft"}, "action": {"save"}}
		res, body := c.post("/admin/kb/new", cloneValues(form))
		wantStatus(t, "first click on Simpan (new)", res, body, http.StatusSeeOther)
		res, body = c.post("/admin/kb/new", cloneValues(form))
		if res.StatusCode != http.StatusSeeOther {
			t.Errorf("second click on Simpan (new): status %d, want 303 to the saved entry; the officer reads: %s", res.StatusCode, pageError(body))
		} else if loc := res.Header.Get("Location"); !strings.HasPrefix(loc, "/admin/kb/entry/izin-keramaian") {
			t.Errorf("second click on Simpan (new) leads to %q", loc)
		}

		c.get("/admin/kb/entry/izin-keramaian")
		edit := cloneValues(form)
		edit.Del("slug")
		edit.Set("version", "1")
		edit.Set("answer", "Ajukan ke Polres paling lambat 14 hari sebelumnya, dengan surat pengantar kelurahan.")
		res, body = c.post("/admin/kb/entry/izin-keramaian", cloneValues(edit))
		wantStatus(t, "first click on Simpan (edit)", res, body, http.StatusSeeOther)
		res, body = c.post("/admin/kb/entry/izin-keramaian", cloneValues(edit))
		if res.StatusCode != http.StatusSeeOther {
			t.Errorf("second click on Simpan (edit): status %d, want 303; the officer reads: %s", res.StatusCode, pageError(body))
		}
		if e, err := h.kb.Get(ctx, "izin-keramaian"); err != nil || e.Version != 2 {
			t.Errorf("after two double clicks the entry is at version %d (%v), want 2", e.Version, err)
		}
		_, n, err := h.accounts.AuditLog(ctx, AuditFilter{Target: "kb:izin-keramaian"})
		if err != nil || n != 2 {
			t.Errorf("the audit log has %d records of the entry (%v), want 2: one create, one update", n, err)
		}

		// A colleague's different change meanwhile is still a conflict.
		other := cloneValues(edit)
		other.Set("answer", "Jawaban lain.")
		res, body = c.post("/admin/kb/entry/izin-keramaian", other)
		wantStatus(t, "a different change from version 1", res, body, http.StatusConflict)
	})
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// An officer downloads the knowledge base as CSV and double-clicks it:
// Excel on an Indonesian Windows reads a CSV without a byte order mark
// as Windows-1252, so the download starts with the UTF-8 one, which the
// import strips again.
func TestCSVDownloadsOpenInExcel(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		_, c := loggedIn(t, db, "budi", RoleOfficer)
		c.get("/admin/kb/new")
		res, body := c.post("/admin/kb/new", url.Values{"slug": {"pbb"}, "category": {"Pajak"}, "question": {"Bagaimana cara membayar PBB?"},
			"answer": {"• Bayar di bank – atau lewat aplikasi."}, "status": {"published"}})
		wantStatus(t, "create", res, body, http.StatusSeeOther)
		res, body = c.get("/admin/kb/export?format=csv")
		wantStatus(t, "export", res, body, http.StatusOK)
		if !strings.HasPrefix(body, "\uFEFF") {
			t.Errorf("the CSV download starts %q: no UTF-8 byte order mark, Excel shows its non-ASCII text as mojibake", body[:min(len(body), 20)])
		}
		if !strings.Contains(body, "• Bayar di bank – atau lewat aplikasi.") || res.Header.Get("Content-Type") != "text/csv; charset=utf-8" ||
			!regexp.MustCompile(`^attachment; filename="faq-\d{8}-\d{4}\.csv"$`).MatchString(res.Header.Get("Content-Disposition")) {
			t.Errorf("export %q %q:\n%s", res.Header.Get("Content-Type"), res.Header.Get("Content-Disposition"), body)
		}
		// The download imports back as it is.
		c.get("/admin/kb/import")
		res, body = c.upload("/admin/kb/import", "faq.csv", body, nil)
		wantStatus(t, "import of the download", res, body, http.StatusOK)
		if !strings.Contains(body, "1 tetap") {
			t.Errorf("the download does not import back unchanged:\n%s", body)
		}
	})
}

package admin

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/inbox"
	"github.com/tebingtinggi/hub/knowledge"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

// cellText is the text of a table cell.
var cellText = regexp.MustCompile(`<td>([^<]*)</td>`)

// TestRevisionsSpeakIndonesian: the history names what each version did,
// and the diff of a status change its status, in Indonesian, never the
// stored codes ("status", "published").
func TestRevisionsSpeakIndonesian(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h, c := loggedIn(t, db, "otto", RoleOfficer)
		ctx := context.Background()
		if _, err := h.kb.Save(ctx, knowledge.Entry{Slug: "kk", Question: "Cara urus KK?", Answer: "Ke Disdukcapil.", Status: knowledge.Draft}, "t"); err != nil {
			t.Fatal(err)
		}
		if _, err := h.kb.SetStatus(ctx, "kk", knowledge.Published, "t"); err != nil {
			t.Fatal(err)
		}
		if _, err := h.kb.AddAlternate(ctx, "kk", "bikin kk gmn", "t"); err != nil {
			t.Fatal(err)
		}
		if _, err := h.kb.Restore(ctx, "kk", 1, "t"); err != nil {
			t.Fatal(err)
		}
		res, body := c.get("/admin/kb/entry/kk/revisions?new=2")
		wantStatus(t, "revisions", res, body, http.StatusOK)
		if !strings.Contains(body, "&#43; Terbit") || strings.Contains(body, "published") {
			t.Errorf("the status diff does not say Draf → Terbit:\n%s", body)
		}
		for _, m := range cellText.FindAllStringSubmatch(body, -1) {
			switch knowledge.Action(m[1]) {
			case knowledge.ActionCreate, knowledge.ActionUpdate, knowledge.ActionStatus, knowledge.ActionAlternate,
				knowledge.ActionRestore, knowledge.ActionImport:
				t.Errorf("the history shows the code %q", m[1])
			}
		}
		for _, want := range []string{"Dibuat", "Status diubah", "Variasi ditambahkan", "Dipulihkan"} {
			if !strings.Contains(body, "<td>"+want) {
				t.Errorf("the history lacks %q:\n%s", want, body)
			}
		}
	})
}

// TestDeskNamesThePlatformInIndonesian: the desk names where a citizen
// wrote from as officers say it, not by its code ("console").
func TestDeskNamesThePlatformInIndonesian(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h, c := loggedIn(t, db, "otto", RoleOfficer)
		ctx := context.Background()
		conv, err := h.inbox.EnsureConversation(ctx, h.db, bots.Console, "1", "1", "Sari")
		if err != nil {
			t.Fatal(err)
		}
		var tk inbox.Ticket
		err = h.db.InTx(ctx, func(tx *sqlx.Tx) error {
			tk, _, err = h.inbox.OpenTicket(ctx, tx, conv.ID, "", "Bagaimana cara mengurus izin keramaian?", inbox.NoMatch, time.Now())
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{"/admin/desk", "/admin/desk/" + strconv.FormatInt(tk.ID, 10)} {
			res, body := c.get(p)
			wantStatus(t, p, res, body, http.StatusOK)
			if strings.Contains(body, "("+string(bots.Console)+")") || !strings.Contains(body, "(konsol)") {
				t.Errorf("%s does not name the platform in Indonesian:\n%s", p, body)
			}
		}
	})
}

// TestErrorPagesAreTitledInIndonesian: an error page's title and heading
// say what happened in Indonesian, not in the English of the HTTP status.
func TestErrorPagesAreTitledInIndonesian(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h, c := loggedIn(t, db, "vera", RoleViewer)
		h.user(t, "otto", RoleOfficer)
		otto := h.login(t, "otto")
		anon := h.client(t)
		heading := regexp.MustCompile(`<h1>([^<]*)</h1>`)
		title := regexp.MustCompile(`<title>([^<·]*) ·`)
		for _, tc := range []struct {
			what string
			send func() (*http.Response, string)
			want int
		}{
			{"no such page", func() (*http.Response, string) { return c.get("/admin/no-such-page") }, http.StatusNotFound},
			{"a viewer's change", func() (*http.Response, string) { return c.post("/admin/kb/new", url.Values{}) }, http.StatusForbidden},
			{"no session", func() (*http.Response, string) { return anon.post("/admin/kb/new", url.Values{}) }, http.StatusUnauthorized},
			{"an unknown status", func() (*http.Response, string) {
				return otto.post("/admin/kb/entry/ktp/status", url.Values{"status": {"live"}})
			}, http.StatusBadRequest},
			{"too big", func() (*http.Response, string) {
				return otto.post("/admin/kb/new", url.Values{"answer": {strings.Repeat("x", maxFormBytes)}})
			}, http.StatusRequestEntityTooLarge},
		} {
			res, body := tc.send()
			wantStatus(t, tc.what, res, body, tc.want)
			h1, tt := heading.FindStringSubmatch(body), title.FindStringSubmatch(body)
			if h1 == nil || tt == nil {
				t.Fatalf("%s: no title or heading:\n%s", tc.what, body)
			}
			english := http.StatusText(tc.want)
			if h1[1] == english || strings.TrimSpace(tt[1]) == english || h1[1] == "" {
				t.Errorf("%s: titled %q / %q", tc.what, tt[1], h1[1])
			}
		}
	})
}

// TestRevisionsOfAVersionThatDoesNotExist: comparing with a version the
// entry never had says so, instead of "no difference", and shows the
// last change.
func TestRevisionsOfAVersionThatDoesNotExist(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h, c := loggedIn(t, db, "vera", RoleViewer)
		ctx := context.Background()
		e := knowledge.Entry{Slug: "kk", Question: "Cara urus KK?", Answer: "Baris satu."}
		if _, err := h.kb.Save(ctx, e, "t"); err != nil {
			t.Fatal(err)
		}
		e.Answer = "Baris baru."
		if _, err := h.kb.Save(ctx, e, "t"); err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{"new=99", "new=2&old=7", "new=-1", "old=0&new=0"} {
			res, body := c.get("/admin/kb/entry/kk/revisions?" + q)
			wantStatus(t, q, res, body, http.StatusOK)
			if strings.Contains(body, "Tidak ada perbedaan isi") || !strings.Contains(body, "tidak memiliki versi") ||
				!strings.Contains(body, "&#43; Baris baru.") {
				t.Errorf("%s: a missing version is not named, or the last change not shown:\n%s", q, body)
			}
		}
	})
}

package admin

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
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

// handOver opens one ticket per question, each from another citizen.
func (h *harness) handOver(t *testing.T, questions ...string) {
	t.Helper()
	ctx := context.Background()
	for _, q := range questions {
		h.citizens++
		err := h.db.InTx(ctx, func(tx *sqlx.Tx) error {
			conv, err := h.inbox.EnsureConversation(ctx, tx, bots.Telegram, fmt.Sprint(9000+h.citizens), fmt.Sprint(9000+h.citizens), "Warga")
			if err != nil {
				return err
			}
			_, _, err = h.inbox.OpenTicket(ctx, tx, conv.ID, q, inbox.NoMatch, time.Now())
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func (h *harness) publish(t *testing.T, e knowledge.Entry) {
	t.Helper()
	e.Status = knowledge.Published
	if _, err := h.kb.Save(context.Background(), e, "test"); err != nil {
		t.Fatal(err)
	}
	if err := h.live.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
}

var pasporEntry = knowledge.Entry{Slug: "paspor-baru", Category: "imigrasi", Question: "Bagaimana cara membuat paspor baru?",
	Answer: "Daftar antrean paspor secara daring, lalu datang ke kantor imigrasi."}

func TestUnansweredGroupBecomesAlternates(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h, c := loggedIn(t, db, "otto", RoleOfficer)
		h.publish(t, pasporEntry)
		group := []string{"dimana tempat urus paspor anak sekolah", "tempat urus paspor anak sekolah dimana ya"}
		h.handOver(t, append(group, "jam buka kantor lurah")...)
		for _, q := range group {
			if v := h.index.Search(q).Verdict(); v.Decision == knowledge.Answer {
				t.Fatalf("the bot already answers %q: %+v", q, v)
			}
		}
		res, body := c.get("/admin/unanswered?days=7")
		wantStatus(t, "unanswered", res, body, http.StatusOK)
		for _, want := range []string{"<span class=\"badge\">2×</span> dimana tempat urus paspor anak sekolah", "tempat urus paspor anak sekolah dimana ya",
			"<span class=\"badge\">1×</span> jam buka kantor lurah", `href="/admin/unanswered/try?q=`} {
			if !strings.Contains(body, want) {
				t.Errorf("the page lacks %q:\n%s", want, body)
			}
		}
		res, body = c.post("/admin/unanswered/alternates", url.Values{"q": group, "slug": {"tidak-ada"}})
		wantStatus(t, "alternates of a missing entry", res, body, http.StatusUnprocessableEntity)
		res, body = c.post("/admin/unanswered/alternates", url.Values{"q": group, "slug": {"paspor-baru"}})
		wantStatus(t, "alternates", res, body, http.StatusSeeOther)
		loc := res.Header.Get("Location")
		if !strings.HasPrefix(loc, "/admin/unanswered/try?") {
			t.Fatalf("redirected to %q", loc)
		}
		res, body = c.get(loc)
		wantStatus(t, "Coba bot on the group", res, body, http.StatusOK)
		if !strings.Contains(body, "Bot menjawab 2 dari 2 pertanyaan.") || !strings.Contains(body, `href="/admin/kb/entry/paspor-baru">paspor-baru</a>`) {
			t.Errorf("Coba bot does not show the answers:\n%s", body)
		}
		for _, q := range group {
			if v := h.index.Search(q).Verdict(); v.Decision != knowledge.Answer || v.FAQID != "paspor-baru" {
				t.Errorf("the bot does not answer %q with the entry: %+v", q, v)
			}
		}
		e, err := h.kb.Get(context.Background(), "paspor-baru")
		if err != nil || strings.Join(e.Alternates, "|") != strings.Join(group, "|") {
			t.Fatalf("alternates %q, %v", e.Alternates, err)
		}
		if revs, err := h.kb.Revisions(context.Background(), "paspor-baru"); err != nil || len(revs) != 2 ||
			revs[0].Author != "web:otto" || len(revs[0].Entry.Alternates) != 2 {
			t.Errorf("revisions %+v, %v; want one more, by the officer, with both wordings", revs, err)
		}
		entries, _, err := h.accounts.AuditLog(context.Background(), AuditFilter{Action: "unanswered."})
		if err != nil || len(entries) != 1 || entries[0].Target != "kb:paspor-baru" || !strings.Contains(entries[0].After, group[1]) {
			t.Fatalf("audit: %+v, %v", entries, err)
		}
	})
}

func TestUnansweredGroupBecomesADraft(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h, c := loggedIn(t, db, "otto", RoleOfficer)
		h.publish(t, pasporEntry)
		c.get("/admin/unanswered")
		group := []string{"syarat paspor untuk umroh 081234567890", "paspor umroh syaratnya apa"}
		// The same wording from another citizen, but for the number and
		// the case, is the question again: kept once.
		same := "Syarat paspor  untuk UMROH 0899 1111 2222"
		res, body := c.post("/admin/unanswered/draft", url.Values{"q": group})
		wantStatus(t, "draft without an answer", res, body, http.StatusUnprocessableEntity)
		res, body = c.post("/admin/unanswered/draft", url.Values{"q": append(group, same), "answer": {"Bawa KTP, KK dan surat rekomendasi Kemenag."}})
		wantStatus(t, "draft", res, body, http.StatusSeeOther)
		loc := res.Header.Get("Location")
		slug := strings.TrimPrefix(strings.TrimSuffix(loc, "/try?ok=drafted"), "/admin/kb/entry/")
		e, err := h.kb.Get(context.Background(), slug)
		if err != nil {
			t.Fatalf("draft %q (redirected to %s): %v", slug, loc, err)
		}
		// The draft's page shows what publishing it would change for the
		// group's questions, and publishes nothing.
		res, body = c.get(loc)
		wantStatus(t, "the draft's preview", res, body, http.StatusOK)
		for _, want := range []string{"Draf entri dibuat dari pertanyaan warga.", "bila terbit 2 dari 2, 2 di antaranya dengan entri ini",
			`<td>paspor umroh syaratnya apa</td>`, `<td class="ours"><span class="badge decision-answer">answer</span>`} {
			if !strings.Contains(body, want) {
				t.Errorf("the preview lacks %q:\n%s", want, body)
			}
		}
		for _, q := range group {
			if v := h.index.Search(q).Verdict(); v.FAQID == slug {
				t.Errorf("the live bot answers %q with the draft: %+v", q, v)
			}
		}
		if e.Status != knowledge.Draft || strings.Contains(e.Question, "0812") || e.Question != "syarat paspor untuk umroh" ||
			len(e.Alternates) != 1 || e.Alternates[0] != group[1] || e.Category != "imigrasi" {
			t.Fatalf("draft %+v", e)
		}
		if revs, err := h.kb.Revisions(context.Background(), slug); err != nil || len(revs) != 1 || revs[0].Author != "web:otto" ||
			len(revs[0].Entry.Alternates) != 1 {
			t.Errorf("revisions %+v, %v; want one, by the officer, with the other wording", revs, err)
		}
		entries, _, err := h.accounts.AuditLog(context.Background(), AuditFilter{Action: "unanswered.draft"})
		if err != nil || len(entries) != 1 || entries[0].Target != "kb:"+slug {
			t.Fatalf("audit: %+v, %v", entries, err)
		}
	})
}

// TestUnansweredDraftsAQuestionOnce: a group whose question an entry
// already has (a draft the page made before, a second officer's click)
// is refused, naming that entry, and no second draft is made.
func TestUnansweredDraftsAQuestionOnce(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		h, c := loggedIn(t, db, "otto", RoleOfficer)
		group := []string{"jadwal posyandu balita bulan ini", "posyandu balita jadwalnya kapan"}
		form := url.Values{"q": group, "answer": {"Setiap Selasa minggu kedua di kantor lurah."}}
		res, body := c.post("/admin/unanswered/draft", form)
		wantStatus(t, "the first draft", res, body, http.StatusSeeOther)
		slug := strings.TrimPrefix(strings.TrimSuffix(res.Header.Get("Location"), "/try?ok=drafted"), "/admin/kb/entry/")
		drafts, err := h.kb.Count(ctx, knowledge.Draft)
		if err != nil {
			t.Fatal(err)
		}
		form.Set("answer", "Jawaban lain.")
		form["q"] = []string{"Jadwal Posyandu  balita bulan ini", "posyandu di mana"}
		res, body = c.post("/admin/unanswered/draft", form)
		wantStatus(t, "the same question again", res, body, http.StatusConflict)
		if !strings.Contains(body, "FAQ "+slug+" (draf)") || !strings.Contains(body, "entri baru tidak dibuat") {
			t.Errorf("the refusal does not name the draft %s:\n%s", slug, body)
		}
		if n, err := h.kb.Count(ctx, knowledge.Draft); err != nil || n != drafts {
			t.Errorf("%d drafts (%v); want still %d", n, err, drafts)
		}
		if e, err := h.kb.Get(ctx, slug); err != nil || len(e.Alternates) != 1 || e.Answer != "Setiap Selasa minggu kedua di kantor lurah." {
			t.Errorf("the first draft changed: %+v, %v", e, err)
		}
	})
}

func TestUnansweredPageIsHarmlessAndReadOnlyForViewers(t *testing.T) {
	const attack = `"><script>alert(1)</script>`
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h, c := loggedIn(t, db, "vera", RoleViewer)
		h.handOver(t, "paspor "+attack)
		for _, p := range []string{"/admin/unanswered", "/admin/unanswered/try?q=" + url.QueryEscape("paspor "+attack)} {
			res, body := c.get(p)
			wantStatus(t, p, res, body, http.StatusOK)
			if strings.Contains(body, "<script>alert") || !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
				t.Errorf("%s: not escaped:\n%s", p, body)
			}
			if strings.Contains(body, `action="/admin/unanswered/alternates"`) {
				t.Errorf("%s: a viewer is offered the lesson forms", p)
			}
		}
		for _, p := range []string{"/admin/unanswered/alternates", "/admin/unanswered/draft"} {
			res, body := c.post(p, url.Values{"q": {"paspor"}, "slug": {"x"}, "answer": {"x"}})
			wantStatus(t, p, res, body, http.StatusForbidden)
		}
	})
}

// TestUnansweredPageGroupsOnlyAfterAChange: views without a change reuse
// the grouping; a new question and a lesson each show on the next view.
func TestUnansweredPageGroupsOnlyAfterAChange(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h, c := loggedIn(t, db, "otto", RoleOfficer)
		h.publish(t, pasporEntry)
		h.handOver(t, "dimana tempat urus paspor anak sekolah")
		// The dashboard, where login lands, groups the week too.
		base := h.server.groupings.Runs()
		view := func(what string, runs int, want ...string) {
			t.Helper()
			res, body := c.get("/admin/unanswered?days=7")
			wantStatus(t, what, res, body, http.StatusOK)
			for _, w := range want {
				if !strings.Contains(body, w) {
					t.Errorf("%s: the page lacks %q:\n%s", what, w, body)
				}
			}
			if got := h.server.groupings.Runs() - base; got != runs {
				t.Errorf("%s: %d groupings, want %d", what, got, runs)
			}
		}
		view("first view", 1, "1 kelompok dalam 7 hari terakhir")
		view("second view", 1, "1 kelompok dalam 7 hari terakhir")
		h.handOver(t, "dimana tempat urus paspor anak sekolah", "jam buka kantor lurah")
		view("after two more questions", 2, "<span class=\"badge\">2×</span> dimana tempat urus paspor anak sekolah",
			"<span class=\"badge\">1×</span> jam buka kantor lurah")
		// A lesson changes what the bot offers for the group at once,
		// without grouping again.
		e := pasporEntry
		e.Slug, e.Question, e.Alternates = "buka-lurah", "Jam buka kantor lurah?", []string{"jam buka kantor lurah"}
		e.Answer = "Senin sampai Jumat, pukul 08.00–16.00."
		h.publish(t, e)
		view("after a lesson", 2, `value="buka-lurah" checked> buka-lurah: Jam buka kantor lurah?`)
	})
}

// failRevisionsWith makes db refuse, from now on, every revision of an
// entry whose snapshot holds marker (letters and hyphens only): a
// database failure inside a knowledge-base write, after the entry's own
// row is written.
func failRevisionsWith(t *testing.T, db *storage.DB, marker string) {
	t.Helper()
	stmts := []string{`CREATE TRIGGER fail_marked_revision BEFORE INSERT ON faq_revisions
		WHEN NEW.snapshot LIKE '%` + marker + `%'
		BEGIN SELECT RAISE(ABORT, 'revision refused by the test'); END`}
	if db.Dialect == storage.Postgres {
		stmts = []string{`CREATE FUNCTION fail_marked_revision() RETURNS trigger LANGUAGE plpgsql AS $$
			BEGIN
				IF NEW.snapshot LIKE '%` + marker + `%' THEN RAISE EXCEPTION 'revision refused by the test'; END IF;
				RETURN NEW;
			END $$`,
			`CREATE TRIGGER fail_marked_revision BEFORE INSERT ON faq_revisions FOR EACH ROW EXECUTE FUNCTION fail_marked_revision()`}
	}
	for _, q := range stmts {
		if _, err := db.ExecContext(context.Background(), q); err != nil {
			t.Fatal(err)
		}
	}
}

// kbRows counts the knowledge base's entries and revisions: what a
// refused lesson must leave as it was.
func kbRows(t *testing.T, db *storage.DB) [2]int {
	t.Helper()
	var n [2]int
	for i, q := range []string{`SELECT COUNT(*) FROM faq_entries`, `SELECT COUNT(*) FROM faq_revisions`} {
		if err := db.GetContext(context.Background(), &n[i], q); err != nil {
			t.Fatal(err)
		}
	}
	return n
}

// TestUnansweredRefusedWordingSavesNothing: a group with one wording the
// knowledge base cannot keep is refused whole, naming that wording and
// why, by either lesson: no draft, no alternate.
func TestUnansweredRefusedWordingSavesNothing(t *testing.T) {
	cases := []struct{ name, wording, want string }{
		{"control character", "paspor umroh\x01 syaratnya", `paspor umroh\x01 syaratnya`},
		{"only a phone number", "0812 3456 7890", "tidak tersisa kata apa pun setelah nomor"},
		{"too long", strings.Repeat("paspor ", 150), "lebih dari 1000 karakter (1049)"},
	}
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		h, c := loggedIn(t, db, "otto", RoleOfficer)
		h.publish(t, pasporEntry)
		c.get("/admin/unanswered")
		before := kbRows(t, db)
		for _, tc := range cases {
			group := []string{"syarat paspor untuk umroh", tc.wording, "paspor umroh syaratnya apa"}
			for _, form := range []struct {
				path string
				vals url.Values
			}{
				{"/admin/unanswered/draft", url.Values{"q": group, "answer": {"Bawa KTP."}}},
				{"/admin/unanswered/alternates", url.Values{"q": group, "slug": {"paspor-baru"}}},
			} {
				res, body := c.post(form.path, form.vals)
				wantStatus(t, tc.name+" "+form.path, res, body, http.StatusUnprocessableEntity)
				for _, want := range []string{"Pertanyaan ke-2 kelompok ini", html.EscapeString(tc.want), "Tidak ada yang disimpan."} {
					if !strings.Contains(body, want) {
						t.Errorf("%s %s: the refusal lacks %q:\n%s", tc.name, form.path, want, body)
					}
				}
			}
		}
		if after := kbRows(t, db); after != before {
			t.Errorf("refused groups wrote entries and revisions: %v, then %v", before, after)
		}
		if e, err := h.kb.Get(ctx, "paspor-baru"); err != nil || e.Version != 1 || len(e.Alternates) != 0 {
			t.Errorf("the entry changed: %+v, %v", e, err)
		}
	})
}

// TestUnansweredDatabaseFailureSavesNothing: when the database fails
// while a group is written, after the entry's row, neither lesson leaves
// part of the group behind.
func TestUnansweredDatabaseFailureSavesNothing(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		h, c := loggedIn(t, db, "otto", RoleOfficer)
		h.publish(t, pasporEntry)
		c.get("/admin/unanswered")
		failRevisionsWith(t, db, "ditolak-basis-data")
		before := kbRows(t, db)
		group := []string{"syarat paspor untuk umroh", "paspor umroh syaratnya apa", "paspor umroh ditolak-basis-data"}
		res, body := c.post("/admin/unanswered/draft", url.Values{"q": group, "answer": {"Bawa KTP."}})
		wantStatus(t, "draft", res, body, http.StatusInternalServerError)
		res, body = c.post("/admin/unanswered/alternates", url.Values{"q": group, "slug": {"paspor-baru"}})
		wantStatus(t, "alternates", res, body, http.StatusInternalServerError)
		if after := kbRows(t, db); after != before {
			t.Errorf("failed lessons wrote entries and revisions: %v, then %v", before, after)
		}
		if e, err := h.kb.Get(ctx, "paspor-baru"); err != nil || e.Version != 1 || len(e.Alternates) != 0 {
			t.Errorf("the entry changed: %+v, %v", e, err)
		}
		if _, ok, err := h.kb.EntryWithQuestion(ctx, group[0]); ok || err != nil {
			t.Errorf("a draft of the group is there: %v, %v", ok, err)
		}
		entries, _, err := h.accounts.AuditLog(ctx, AuditFilter{Action: "unanswered."})
		if err != nil || len(entries) != 0 {
			t.Errorf("audit %+v, %v; want nothing recorded", entries, err)
		}
	})
}

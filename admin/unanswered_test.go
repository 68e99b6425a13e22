package admin

import (
	"context"
	"crypto/sha256"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/inbox"
	"github.com/tebingtinggi/hub/knowledge"
	"github.com/tebingtinggi/hub/knowledge/knowledgetest"
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
			_, _, err = h.inbox.OpenTicket(ctx, tx, conv.ID, "", q, inbox.NoMatch, time.Now())
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// lessonForm is a lesson form of one group of the unanswered page, as
// the page fills it in.
type lessonForm struct {
	t *testing.T
	// group and since name the group.
	group, since string
	// picks are the checkboxes' values by the wording they label, in the
	// page's order.
	picks map[string]string
	order []string
}

var (
	formGroup    = regexp.MustCompile(`<input type="hidden" name="group" value="(\d+)"><input type="hidden" name="since" value="(\d+)">`)
	formCheckbox = regexp.MustCompile(`(?s)<label class="check"><input type="checkbox" name="pick" value="([^"]+)" checked> (.*?)(?: <span class="hint">|</label>)`)
)

// groupForm reads the alternates form of the group whose question is
// first from the unanswered page of the last 7 days.
func groupForm(t *testing.T, c *client, first string) lessonForm {
	t.Helper()
	res, body := c.get("/admin/unanswered?days=7")
	wantStatus(t, "unanswered", res, body, http.StatusOK)
	for _, sec := range strings.Split(body, `<section class="group"`)[1:] {
		if !strings.Contains(sec, "</span> "+html.EscapeString(first)+"</h2>") {
			continue
		}
		form, _, _ := strings.Cut(sec, "</form>")
		m := formGroup.FindStringSubmatch(form)
		if m == nil {
			t.Fatalf("the group %q has no lesson form:\n%s", first, sec)
		}
		f := lessonForm{t: t, group: m[1], since: m[2], picks: map[string]string{}}
		for _, cb := range formCheckbox.FindAllStringSubmatch(form, -1) {
			text := html.UnescapeString(cb[2])
			f.picks[text] = html.UnescapeString(cb[1])
			f.order = append(f.order, text)
		}
		return f
	}
	t.Fatalf("the page has no group %q:\n%s", first, body)
	return lessonForm{}
}

// with is the form with the wordings qs checked, and the fields kv.
func (f lessonForm) with(qs []string, kv ...string) url.Values {
	f.t.Helper()
	v := url.Values{"group": {f.group}, "since": {f.since}}
	for _, q := range qs {
		p, ok := f.picks[q]
		if !ok {
			f.t.Fatalf("the group offers no %q: %q", q, f.order)
		}
		v.Add("pick", p)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v
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
		f := groupForm(t, c, group[0])
		if !slices.Equal(f.order, group) {
			t.Errorf("the form offers %q; want %q, all checked", f.order, group)
		}
		res, body = c.post("/admin/unanswered/alternates", f.with(group, "slug", "tidak-ada"))
		wantStatus(t, "alternates of a missing entry", res, body, http.StatusUnprocessableEntity)
		res, body = c.post("/admin/unanswered/alternates", f.with(group, "slug", "paspor-baru"))
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

		// The other group, given to an archived entry typed by its id:
		// kept, and said not to answer yet.
		old := knowledge.Entry{Slug: "kantor-lama", Category: "umum", Question: "Alamat kantor lurah lama?", Answer: "Sudah pindah.", Status: knowledge.Archived}
		if _, err := h.kb.Save(context.Background(), old, "test"); err != nil {
			t.Fatal(err)
		}
		other := []string{"jam buka kantor lurah"}
		res, body = c.post("/admin/unanswered/alternates", groupForm(t, c, other[0]).with(other, "other", "kantor-lama"))
		wantStatus(t, "alternates of an archived entry", res, body, http.StatusSeeOther)
		if loc := res.Header.Get("Location"); !strings.HasSuffix(loc, "ok=taught_unpublished") {
			t.Errorf("redirected to %q", loc)
		}
		_, body = c.get(res.Header.Get("Location"))
		if !strings.Contains(body, "yang belum terbit (draf atau arsip): bot belum menjawab dengannya sampai entri itu diterbitkan") {
			t.Errorf("the page does not say the entry is not published:\n%s", body)
		}
		if e, err := h.kb.Get(context.Background(), "kantor-lama"); err != nil || e.Status != knowledge.Archived || strings.Join(e.Alternates, "|") != other[0] {
			t.Errorf("the archived entry: %+v, %v", e, err)
		}
	})
}

// TestUnansweredGroupOfAnotherEntry: a group lesson with a wording that
// another entry already has, as alternates or as a draft, is refused
// naming the wording's place and that entry, and nothing is saved; a
// group the entry already has every wording of is told as such, not as
// taught.
func TestUnansweredGroupOfAnotherEntry(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		h, c := loggedIn(t, db, "otto", RoleOfficer)
		h.publish(t, pasporEntry)
		h.publish(t, knowledge.Entry{Slug: "paspor-anak", Category: "imigrasi", Question: "Syarat paspor untuk anak?",
			Answer: "Bawa akta kelahiran dan KK.", Alternates: []string{"Tempat urus paspor anak  sekolah DIMANA ya"}})
		group := []string{"dimana tempat urus paspor anak sekolah", "tempat urus paspor anak sekolah dimana ya"}
		h.handOver(t, group...)
		f := groupForm(t, c, group[0])
		before, err := h.kb.Get(ctx, "paspor-baru")
		if err != nil {
			t.Fatal(err)
		}
		drafts, err := h.kb.Count(ctx, knowledge.Draft)
		if err != nil {
			t.Fatal(err)
		}
		res, body := c.post("/admin/unanswered/alternates", f.with(group, "slug", "paspor-baru"))
		wantStatus(t, "alternates of another entry's wording", res, body, http.StatusConflict)
		for _, want := range []string{"Pertanyaan ke-2 kelompok ini", "sudah ada sebagai variasi pertanyaan entri FAQ paspor-anak (terbit), jadi tidak ditambahkan sebagai variasi entri FAQ paspor-baru",
			"pilih entri paspor-anak untuk kelompok ini", "Tidak ada yang disimpan."} {
			if !strings.Contains(body, want) {
				t.Errorf("the refusal lacks %q:\n%s", want, body)
			}
		}
		res, body = c.post("/admin/unanswered/draft", f.with(group, "answer", "Di kantor imigrasi."))
		wantStatus(t, "a draft with another entry's wording", res, body, http.StatusConflict)
		for _, want := range []string{"Pertanyaan ke-2 kelompok ini", "sudah ada sebagai variasi pertanyaan entri FAQ paspor-anak (terbit), jadi entri baru tidak dibuat",
			"jadikan kelompok ini variasi entri paspor-anak", "Tidak ada yang disimpan."} {
			if !strings.Contains(body, want) {
				t.Errorf("the refusal lacks %q:\n%s", want, body)
			}
		}
		if e, err := h.kb.Get(ctx, "paspor-baru"); err != nil || e.Version != before.Version {
			t.Errorf("paspor-baru at version %d (%v); want still %d", e.Version, err, before.Version)
		}
		if n, err := h.kb.Count(ctx, knowledge.Draft); err != nil || n != drafts {
			t.Errorf("%d drafts (%v); want still %d", n, err, drafts)
		}

		// As the entry's that has one: taught; again: it has both.
		res, body = c.post("/admin/unanswered/alternates", f.with(group, "slug", "paspor-anak"))
		wantStatus(t, "alternates of the entry that has one", res, body, http.StatusSeeOther)
		if loc := res.Header.Get("Location"); !strings.HasSuffix(loc, "ok=taught") {
			t.Errorf("redirected to %q; want taught", loc)
		}
		res, body = c.post("/admin/unanswered/alternates", f.with(group, "slug", "paspor-anak"))
		wantStatus(t, "alternates the entry has", res, body, http.StatusSeeOther)
		loc := res.Header.Get("Location")
		if !strings.HasSuffix(loc, "ok=groupknown") {
			t.Errorf("redirected to %q; want groupknown", loc)
		}
		_, body = c.get(loc)
		if !strings.Contains(body, "sudah memuat semua pertanyaan ini, jadi tidak ada variasi yang ditambahkan") || strings.Contains(body, "kini menjadi variasi") {
			t.Errorf("the page does not say the entry had every wording:\n%s", body)
		}
		entries, _, err := h.accounts.AuditLog(ctx, AuditFilter{Action: "unanswered."})
		if err != nil || len(entries) != 1 || entries[0].Target != "kb:paspor-anak" {
			t.Errorf("audit: %+v, %v; want the one lesson that added a wording", entries, err)
		}
	})
}

// TestUnansweredFormOutlivesThePeriodsEnd: a group whose oldest question
// leaves "the last 7 days" while the officer reads the page is still the
// group the form names; a form without its period is refused.
func TestUnansweredFormOutlivesThePeriodsEnd(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newHarness(t, db)
		h.user(t, "otto", RoleOfficer)
		h.publish(t, pasporEntry)
		// The questions come a minute before the page's 7 days begin to
		// leave them behind.
		h.clock.Advance(7*24*time.Hour - time.Minute)
		c := h.login(t, "otto")
		group := []string{"dimana tempat urus paspor anak sekolah", "tempat urus paspor anak sekolah dimana ya"}
		h.handOver(t, group...)
		f := groupForm(t, c, group[0])
		h.clock.Advance(2 * time.Minute)
		if res, body := c.get("/admin/unanswered?days=7"); strings.Contains(body, group[1]) {
			t.Fatalf("the questions are still in the last 7 days (%d); the test shows nothing", res.StatusCode)
		}
		stale := f.with(group, "slug", "paspor-baru")
		stale.Del("since")
		res, body := c.post("/admin/unanswered/alternates", stale)
		wantStatus(t, "a form without its period", res, body, http.StatusBadRequest)
		res, body = c.post("/admin/unanswered/alternates", f.with(group, "slug", "paspor-baru"))
		wantStatus(t, "alternates after the period moved on", res, body, http.StatusSeeOther)
		e, err := h.kb.Get(context.Background(), "paspor-baru")
		if err != nil || strings.Join(e.Alternates, "|") != strings.Join(group, "|") {
			t.Fatalf("alternates %q, %v", e.Alternates, err)
		}
	})
}

func TestUnansweredGroupBecomesADraft(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h, c := loggedIn(t, db, "otto", RoleOfficer)
		h.publish(t, pasporEntry)
		group := []string{"syarat paspor untuk umroh 081234567890", "paspor umroh syaratnya apa"}
		// The same wording from another citizen, but for the number and
		// the case, is the question again: kept once.
		same := "Syarat paspor  untuk UMROH 0899 1111 2222"
		h.handOver(t, append(group, same)...)
		f := groupForm(t, c, group[0])
		res, body := c.post("/admin/unanswered/draft", f.with(group))
		wantStatus(t, "draft without an answer", res, body, http.StatusUnprocessableEntity)
		res, body = c.post("/admin/unanswered/draft", f.with(append(group, same), "answer", "Bawa KTP, KK dan surat rekomendasi Kemenag."))
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
		// Asked again later, in other words: the same group.
		again := []string{"Jadwal Posyandu  balita bulan ini", "posyandu balita di mana"}
		h.handOver(t, append(group, again...)...)
		f := groupForm(t, c, group[0])
		res, body := c.post("/admin/unanswered/draft", f.with(group, "answer", "Setiap Selasa minggu kedua di kantor lurah."))
		wantStatus(t, "the first draft", res, body, http.StatusSeeOther)
		slug := strings.TrimPrefix(strings.TrimSuffix(res.Header.Get("Location"), "/try?ok=drafted"), "/admin/kb/entry/")
		drafts, err := h.kb.Count(ctx, knowledge.Draft)
		if err != nil {
			t.Fatal(err)
		}
		res, body = c.post("/admin/unanswered/draft", f.with(again, "answer", "Jawaban lain."))
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
		// An officer's checkboxes label the wording escaped too.
		h.user(t, "otto", RoleOfficer)
		res, body := h.login(t, "otto").get("/admin/unanswered")
		wantStatus(t, "the officer's page", res, body, http.StatusOK)
		if strings.Contains(body, "<script>alert") || !strings.Contains(body, `checked> paspor &#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;</label>`) {
			t.Errorf("the officer's page: not escaped:\n%s", body)
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

// TestUnansweredRefusedWordingSavesNothing: a group lesson with one
// wording the knowledge base cannot keep is refused whole, naming that
// wording (by its place in the group) and why, by either lesson: no
// draft, no alternate.
func TestUnansweredRefusedWordingSavesNothing(t *testing.T) {
	cases := []struct {
		name  string
		group []string
		want  string
	}{
		{"control character", []string{"jadwal posyandu balita", "jadwal posyandu\x01 balita", "posyandu balita jadwalnya"}, `jadwal posyandu\x01 balita`},
		{"too long", []string{"syarat paspor untuk umroh", strings.Repeat("paspor umroh ", 80), "paspor umroh syaratnya apa"},
			"lebih dari 1000 karakter (1039)"},
	}
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		h, c := loggedIn(t, db, "otto", RoleOfficer)
		h.publish(t, pasporEntry)
		for _, tc := range cases {
			h.handOver(t, tc.group...)
		}
		before := kbRows(t, db)
		for _, tc := range cases {
			f := groupForm(t, c, tc.group[0])
			for _, form := range []struct {
				path string
				vals url.Values
			}{
				{"/admin/unanswered/draft", f.with(tc.group, "answer", "Bawa KTP.")},
				{"/admin/unanswered/alternates", f.with(tc.group, "slug", "paspor-baru")},
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

// TestUnansweredUncheckedWordingIsLeftOut: the officer leaves out a
// wording the knowledge base cannot keep by unchecking it, and the rest
// of the group is taught, in one revision, as a draft (the first wording
// checked is its question) or, on another database (an entry that has
// the wordings refuses them to any other), as an entry's alternates. The
// page says which wording is too long.
func TestUnansweredUncheckedWordingIsLeftOut(t *testing.T) {
	long := strings.TrimSpace(strings.Repeat("paspor umroh ", 80))
	group := []string{long, "syarat paspor untuk umroh", "paspor umroh syaratnya apa"}
	// open hands the group over and reads its form.
	open := func(t *testing.T, db *storage.DB) (*harness, *client, lessonForm) {
		t.Helper()
		h, c := loggedIn(t, db, "otto", RoleOfficer)
		h.publish(t, pasporEntry)
		h.handOver(t, group...)
		f := groupForm(t, c, long)
		if len(f.order) != 3 {
			t.Fatalf("the form offers %q; want the group's 3 wordings", f.order)
		}
		return h, c, f
	}
	t.Run("draft", func(t *testing.T) {
		storagetest.Each(t, func(t *testing.T, db *storage.DB) {
			ctx := context.Background()
			h, c, f := open(t, db)
			res, body := c.get("/admin/unanswered?days=7")
			wantStatus(t, "unanswered", res, body, http.StatusOK)
			if !strings.Contains(body, "(1039 karakter, terlalu panjang untuk disimpan; hapus centangnya)") {
				t.Errorf("the page does not tell that the wording is too long:\n%s", body)
			}
			res, body = c.post("/admin/unanswered/draft", f.with(f.order[1:], "answer", "Bawa KTP, KK dan surat rekomendasi Kemenag."))
			wantStatus(t, "draft without the long wording", res, body, http.StatusSeeOther)
			slug := strings.TrimPrefix(strings.TrimSuffix(res.Header.Get("Location"), "/try?ok=drafted"), "/admin/kb/entry/")
			e, err := h.kb.Get(ctx, slug)
			if err != nil || e.Question != group[1] || !slices.Equal(e.Alternates, group[2:]) || e.Status != knowledge.Draft {
				t.Fatalf("draft %+v, %v; want %q with the alternate %q", e, err, group[1], group[2])
			}
			if revs, err := h.kb.Revisions(ctx, slug); err != nil || len(revs) != 1 {
				t.Errorf("revisions %+v, %v; want one", revs, err)
			}
		})
	})
	t.Run("alternates", func(t *testing.T) {
		storagetest.Each(t, func(t *testing.T, db *storage.DB) {
			ctx := context.Background()
			h, c, f := open(t, db)
			res, body := c.post("/admin/unanswered/alternates", f.with([]string{group[2], group[1]}, "slug", "paspor-baru"))
			wantStatus(t, "alternates without the long wording", res, body, http.StatusSeeOther)
			e, err := h.kb.Get(ctx, "paspor-baru")
			if err != nil || !slices.Equal(e.Alternates, group[1:]) || e.Version != 2 {
				t.Fatalf("entry %+v, %v; want version 2 with the alternates %q, in the group's order", e, err, group[1:])
			}
			if revs, err := h.kb.Revisions(ctx, "paspor-baru"); err != nil || len(revs) != 2 || revs[0].Author != "web:otto" {
				t.Errorf("revisions %+v, %v; want one more, by the officer", revs, err)
			}
		})
	})
}

// TestUnansweredTeachesOnlyTheGroupsWordings: a form that names no
// wording, a wording the group does not have, or text of its own, is
// refused and saves nothing; the officer is told to check a wording or
// to load the page again.
func TestUnansweredTeachesOnlyTheGroupsWordings(t *testing.T) {
	const forged = "pak lurah korupsi dana desa"
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		h, c := loggedIn(t, db, "otto", RoleOfficer)
		h.publish(t, pasporEntry)
		group := []string{"syarat paspor untuk umroh", "paspor umroh syaratnya apa"}
		h.handOver(t, group...)
		f := groupForm(t, c, group[0])
		good := f.with(group)
		before := kbRows(t, db)
		digest := func(i int, q string) string {
			sum := sha256.Sum256([]byte(q))
			return fmt.Sprintf("%d-%x", i, sum[:8])
		}
		cases := []struct {
			name   string
			change func(v url.Values)
			status int
			want   string
		}{
			{"nothing checked", func(v url.Values) { v.Del("pick") }, http.StatusUnprocessableEntity,
				"Belum ada pertanyaan yang dicentang"},
			{"text instead of a pick", func(v url.Values) { v.Del("pick"); v.Set("q", forged) }, http.StatusUnprocessableEntity,
				"Belum ada pertanyaan yang dicentang"},
			{"text besides the picks", func(v url.Values) { v.Set("q", forged) }, 0, ""},
			{"a place the group does not have", func(v url.Values) { v.Add("pick", digest(2, forged)) }, http.StatusConflict,
				"Kelompok pertanyaan ini sudah berubah"},
			{"another wording at a place", func(v url.Values) { v.Set("pick", digest(1, forged)) }, http.StatusConflict,
				"Kelompok pertanyaan ini sudah berubah"},
			{"a pick without its digest", func(v url.Values) { v.Set("pick", "1") }, http.StatusConflict,
				"Kelompok pertanyaan ini sudah berubah"},
			{"a group that is not there", func(v url.Values) { v.Set("group", "999999") }, http.StatusConflict,
				"Kelompok pertanyaan ini sudah berubah"},
			{"no group", func(v url.Values) { v.Del("group") }, http.StatusBadRequest, "tidak menyebut kelompok"},
		}
		for _, path := range []string{"/admin/unanswered/draft", "/admin/unanswered/alternates"} {
			for _, tc := range cases {
				if tc.status == 0 {
					continue
				}
				v := url.Values{}
				for k, vs := range good {
					v[k] = slices.Clone(vs)
				}
				v.Set("answer", "Bawa KTP.")
				v.Set("slug", "paspor-baru")
				tc.change(v)
				res, body := c.post(path, v)
				wantStatus(t, tc.name+" "+path, res, body, tc.status)
				if !strings.Contains(body, tc.want) || !strings.Contains(body, "Tidak ada yang disimpan.") && tc.status != http.StatusBadRequest {
					t.Errorf("%s %s: the refusal lacks %q:\n%s", tc.name, path, tc.want, body)
				}
			}
		}
		if after := kbRows(t, db); after != before {
			t.Errorf("refused forms wrote entries and revisions: %v, then %v", before, after)
		}
		// Text posted besides the picks is not read.
		v := f.with(group, "answer", "Bawa KTP.", "q", forged)
		res, body := c.post("/admin/unanswered/draft", v)
		wantStatus(t, "a draft with text besides the picks", res, body, http.StatusSeeOther)
		if _, ok, err := h.kb.EntryWithQuestion(ctx, forged); ok || err != nil {
			t.Errorf("the posted text became a question: %v, %v", ok, err)
		}
		var n int
		if err := db.GetContext(ctx, &n, db.Rebind(`SELECT COUNT(*) FROM faq_entries WHERE alternates LIKE ?`), "%korupsi%"); err != nil || n != 0 {
			t.Errorf("%d entries hold the posted text (%v)", n, err)
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
		group := []string{"syarat paspor untuk umroh", "paspor umroh syaratnya apa", "paspor umroh ditolak-basis-data"}
		h.handOver(t, group...)
		f := groupForm(t, c, group[0])
		knowledgetest.FailRevisionsWith(t, db, "ditolak-basis-data")
		before := kbRows(t, db)
		res, body := c.post("/admin/unanswered/draft", f.with(group, "answer", "Bawa KTP."))
		wantStatus(t, "draft", res, body, http.StatusInternalServerError)
		res, body = c.post("/admin/unanswered/alternates", f.with(group, "slug", "paspor-baru"))
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

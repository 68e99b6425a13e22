package admin

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/tebingtinggi/hub/inbox"
	"github.com/tebingtinggi/hub/knowledge"
	"github.com/tebingtinggi/hub/outbox"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

var pageFingerprint = regexp.MustCompile(`data-poll="([^"]+)" data-fingerprint="([0-9a-f]+)"`)

func TestDeskPicksAFAQAnswerAndTeachesTheBot(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h, c := loggedIn(t, db, "otto", RoleOfficer)
		h.publish(t, pasporEntry)
		const question = "dimana tempat urus paspor anak sekolah"
		if v := h.index.Search(question).Verdict(); v.Decision == knowledge.Answer {
			t.Fatalf("the bot already answers: %+v", v)
		}
		id := h.ticket(t, "Budi", question)
		path := fmt.Sprintf("/admin/desk/%d", id)
		res, body := c.get(path)
		wantStatus(t, "ticket", res, body, http.StatusOK)
		if !strings.Contains(body, `href="`+path+`?use=paspor-baru">paspor-baru</a>`) || !strings.Contains(body, `name="alternate_of" value="paspor-baru"`) {
			t.Fatalf("the picker does not offer the candidate:\n%s", body)
		}
		_, body = c.get(path + "?find=" + url.QueryEscape("membuat paspor"))
		if !strings.Contains(body, `class="candidates found"><li><a href="`+path+`?use=paspor-baru"`) {
			t.Errorf("the picker's search does not find the entry:\n%s", body)
		}
		_, body = c.get(path + "?use=paspor-baru")
		if !strings.Contains(body, `required>Daftar antrean paspor secara daring, lalu datang ke kantor imigrasi.</textarea>`) {
			t.Errorf("the entry's answer is not in the reply box:\n%s", body)
		}
		// A lesson naming a missing entry sends nothing.
		res, body = c.post(path+"/reply", url.Values{"text": {"Ke kantor imigrasi."}, "lesson": {"alt"}, "alternate_other": {"paspor-lama"}})
		wantStatus(t, "lesson of a missing entry", res, body, http.StatusUnprocessableEntity)
		if rows, err := outbox.New(db).List(context.Background(), "", 10); err != nil || len(rows) != 0 {
			t.Fatalf("outbox after a refused reply: %+v, %v", rows, err)
		}
		res, body = c.post(path+"/reply", url.Values{"text": {"Ke kantor imigrasi, bawa akta lahir anak."}, "lesson": {"alt"}, "alternate_of": {"paspor-baru"}})
		wantStatus(t, "reply and teach", res, body, http.StatusSeeOther)
		if loc := res.Header.Get("Location"); loc != path+"?ok=learnt" {
			t.Errorf("redirected to %q", loc)
		}
		if rows, err := outbox.New(db).List(context.Background(), "", 10); err != nil || len(rows) != 1 || !strings.Contains(rows[0].Out.Text, "akta lahir anak") {
			t.Fatalf("outbox: %+v, %v", rows, err)
		}
		if v := h.index.Search(question).Verdict(); v.Decision != knowledge.Answer || v.FAQID != "paspor-baru" {
			t.Errorf("the bot did not learn: %+v", v)
		}
		entries, _, err := h.accounts.AuditLog(context.Background(), AuditFilter{Action: "desk."})
		if err != nil || len(entries) != 2 || entries[0].Action != "desk.teach" || entries[1].Action != "desk.reply" {
			t.Fatalf("audit: %+v, %v", entries, err)
		}

		// "Simpan sebagai FAQ baru" makes a draft in the candidate's category.
		h.handOver(t, "jadwal vaksin paspor haji 2027")
		id2 := id + 1
		res, body = c.post(fmt.Sprintf("/admin/desk/%d/reply", id2), url.Values{"text": {"Vaksin meningitis di KKP."}, "lesson": {"new"}})
		wantStatus(t, "reply as a new FAQ", res, body, http.StatusSeeOther)
		slug := strings.TrimPrefix(strings.TrimSuffix(res.Header.Get("Location"), "?ok=drafted"), "/admin/kb/entry/")
		e, err := h.kb.Get(context.Background(), slug)
		if err != nil || e.Status != knowledge.Draft || e.Answer != "Vaksin meningitis di KKP." || e.Category != "imigrasi" {
			t.Fatalf("draft %q: %+v, %v", slug, e, err)
		}
	})
}

// TestDeskDraftsAQuestionOnce: "Simpan sebagai FAQ baru" sent twice (a
// double click, or a second officer) is refused the second time before
// anything is sent, naming the draft the first made; the reply stays in
// the form, and there is one draft and one reply.
func TestDeskDraftsAQuestionOnce(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		h, c := loggedIn(t, db, "otto", RoleOfficer)
		id := h.ticket(t, "Budi", "syarat  bikin kartu pencari kerja, hp 0812 3456 7890")
		drafts, err := h.kb.Count(ctx, knowledge.Draft)
		if err != nil {
			t.Fatal(err)
		}
		path := fmt.Sprintf("/admin/desk/%d/reply", id)
		form := url.Values{"text": {"Bawa KTP dan ijazah ke Disnaker."}, "lesson": {"new"}}
		res, body := c.post(path, form)
		wantStatus(t, "the first draft", res, body, http.StatusSeeOther)
		slug := strings.TrimPrefix(strings.TrimSuffix(res.Header.Get("Location"), "?ok=drafted"), "/admin/kb/entry/")
		if e, err := h.kb.Get(ctx, slug); err != nil || e.Question != "syarat bikin kartu pencari kerja, hp" {
			t.Fatalf("draft %q: %+v, %v", slug, e, err)
		}

		res, body = c.post(path, form)
		wantStatus(t, "the same draft again", res, body, http.StatusConflict)
		for _, want := range []string{"FAQ " + slug + " (draf)", "entri baru tidak dibuat", "Balasan belum dikirim",
			`required>Bawa KTP dan ijazah ke Disnaker.</textarea>`} {
			if !strings.Contains(body, want) {
				t.Errorf("the refusal lacks %q:\n%s", want, body)
			}
		}
		if n, err := h.kb.Count(ctx, knowledge.Draft); err != nil || n != drafts+1 {
			t.Errorf("%d drafts (%v); want the one made first", n-drafts, err)
		}
		if rows, err := outbox.New(db).List(ctx, "", 10); err != nil || len(rows) != 1 {
			t.Errorf("outbox: %d rows (%v); want the first reply only", len(rows), err)
		}
		if det, err := h.inbox.Get(ctx, id); err != nil || strings.Count(fmt.Sprint(det.Messages), "Disnaker") != 1 {
			t.Errorf("the ticket's messages: %+v (%v); want the reply once", det.Messages, err)
		}
	})
}

func TestDeskPagesFollowChangesMadeElsewhere(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h, c := loggedIn(t, db, "vera", RoleViewer)
		id := h.ticket(t, "Budi", "Kapan kantor buka?")
		for _, page := range []string{fmt.Sprintf("/admin/desk/%d", id), "/admin/desk?queue=open"} {
			_, body := c.get(page)
			m := pageFingerprint.FindStringSubmatch(body)
			if m == nil {
				t.Fatalf("%s has no live fingerprint:\n%s", page, body)
			}
			poll := strings.ReplaceAll(m[1], "&amp;", "&")
			res, fp := c.get(poll)
			wantStatus(t, poll, res, fp, http.StatusOK)
			if fp != m[2] {
				t.Fatalf("%s: poll says %q, the page %q", page, fp, m[2])
			}
			if page == "/admin/desk?queue=open" {
				if _, err := h.inbox.Close(context.Background(), db, id, "@siti", false, time.Now()); err != nil {
					t.Fatal(err)
				}
			} else if _, err := h.inbox.Claim(context.Background(), id, "@siti", time.Now()); err != nil {
				t.Fatal(err)
			}
			if _, fp = c.get(poll); fp == m[2] {
				t.Errorf("%s: the fingerprint did not change with the ticket", page)
			}
		}
	})
}

func TestDeskShowsTheCitizensFiles(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h, c := loggedIn(t, db, "vera", RoleViewer)
		id := h.ticket(t, "Budi", "KTP saya rusak")
		det, err := h.inbox.Get(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.InTx(context.Background(), func(tx *sqlx.Tx) error {
			_, _, err := h.inbox.LogFile(context.Background(), tx, det.Conversation.ID, inbox.File{Kind: "photo", ID: "AgACph0t0", Caption: "ini <b>fotonya</b>"})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		res, body := c.get(fmt.Sprintf("/admin/desk/%d", id))
		wantStatus(t, "ticket", res, body, http.StatusOK)
		if !strings.Contains(body, "📎 Foto dari warga") || !strings.Contains(body, "ini &lt;b&gt;fotonya&lt;/b&gt;") {
			t.Errorf("the photo is not shown, or its caption not escaped:\n%s", body)
		}
	})
}

// TestDeskReplyAndLessonAreOneStep: a question another officer drafts
// after the desk checked the lesson, and before the reply is saved (the
// desk's clock is read in between), refuses the reply as well: nothing
// is sent, the ticket stays open, the officer reads whose draft it is.
// A question an entry has is no alternate of another entry; a question
// an entry has as an alternate is no new entry either, and as that
// entry's alternate it is sent, adding nothing, and said so.
func TestDeskReplyAndLessonAreOneStep(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		h, c := loggedIn(t, db, "otto", RoleOfficer)
		h.publish(t, pasporEntry)
		const question = "zzq izin pentas kuda lumping di lapangan"
		id := h.ticket(t, "Budi", question)
		var budis knowledge.Entry
		h.server.cfg.Desk.Now = func() time.Time {
			if budis.Slug == "" {
				var err error
				if budis, err = h.kb.Draft(ctx, question, "Jawaban Budi.", "", "@budi"); err != nil {
					t.Errorf("Budi's draft: %v", err)
				}
			}
			return time.Now()
		}
		sent := func() int {
			t.Helper()
			rows, err := outbox.New(db).List(ctx, "", 10)
			if err != nil {
				t.Fatal(err)
			}
			return len(rows)
		}
		path := fmt.Sprintf("/admin/desk/%d/reply", id)
		res, body := c.post(path, url.Values{"text": {"Jawaban Otto."}, "lesson": {"new"}})
		wantStatus(t, "a draft made meanwhile", res, body, http.StatusConflict)
		for _, want := range []string{"FAQ " + budis.Slug + " (draf)", "Balasan belum dikirim", `required>Jawaban Otto.</textarea>`} {
			if budis.Slug == "" || !strings.Contains(body, want) {
				t.Errorf("the refusal lacks %q:\n%s", want, body)
			}
		}
		if det, err := h.inbox.Get(ctx, id); err != nil || det.Ticket.Status != inbox.Open || sent() != 0 {
			t.Errorf("after the refusal: ticket %s (%v), %d outbox rows; want it open and nothing sent", det.Ticket.Status, err, sent())
		}
		h.server.cfg.Desk.Now = nil

		// Nor does Budi's question become an alternate of another entry:
		// the bot's answer to it would flip between the two.
		res, body = c.post(path, url.Values{"text": {"Jawaban Otto."}, "lesson": {"alt"}, "alternate_of": {"paspor-baru"}})
		wantStatus(t, "an alternate of a question another entry has", res, body, http.StatusConflict)
		for _, want := range []string{"sudah ada sebagai pertanyaan entri FAQ " + budis.Slug + " (draf), jadi tidak ditambahkan sebagai variasi entri FAQ paspor-baru",
			"Balasan belum dikirim: pilih entri " + budis.Slug, `required>Jawaban Otto.</textarea>`} {
			if !strings.Contains(body, want) {
				t.Errorf("the refusal lacks %q:\n%s", want, body)
			}
		}
		if det, err := h.inbox.Get(ctx, id); err != nil || det.Ticket.Status != inbox.Open || sent() != 0 {
			t.Errorf("after the refusal: ticket %s (%v), %d outbox rows; want it open and nothing sent", det.Ticket.Status, err, sent())
		}
		if e, err := h.kb.Get(ctx, "paspor-baru"); err != nil || e.Version != 1 {
			t.Errorf("paspor-baru at version %d (%v); want it untouched", e.Version, err)
		}

		// The citizen's question is an alternate of paspor-baru.
		const alt = "paspor anak sekolah urus dimana"
		if _, err := h.kb.AddAlternate(ctx, "paspor-baru", alt, "test"); err != nil {
			t.Fatal(err)
		}
		before, err := h.kb.Get(ctx, "paspor-baru")
		if err != nil {
			t.Fatal(err)
		}
		h.handOver(t, "Paspor anak  SEKOLAH urus dimana 0812 3456 7890")
		path = fmt.Sprintf("/admin/desk/%d/reply", id+1)
		res, body = c.post(path, url.Values{"text": {"Di kantor imigrasi."}, "lesson": {"new"}})
		wantStatus(t, "a new FAQ of an alternate", res, body, http.StatusConflict)
		if want := "sudah ada sebagai variasi pertanyaan entri FAQ paspor-baru (terbit)"; !strings.Contains(body, want) {
			t.Errorf("the refusal lacks %q:\n%s", want, body)
		}
		res, body = c.post(path, url.Values{"text": {"Di kantor imigrasi."}, "lesson": {"alt"}, "alternate_of": {"paspor-baru"}})
		wantStatus(t, "an alternate the entry has", res, body, http.StatusSeeOther)
		if loc := res.Header.Get("Location"); loc != fmt.Sprintf("/admin/desk/%d?ok=known", id+1) {
			t.Errorf("redirected to %q", loc)
		}
		if e, err := h.kb.Get(ctx, "paspor-baru"); err != nil || e.Version != before.Version || sent() != 1 {
			t.Errorf("paspor-baru at version %d (%v), %d outbox rows; want it unchanged at %d, the reply sent", e.Version, err, sent(), before.Version)
		}
		_, body = c.get(fmt.Sprintf("/admin/desk/%d?ok=known", id+1))
		if !strings.Contains(body, "sudah memuat pertanyaan warga ini") {
			t.Errorf("the page does not say the entry had the question:\n%s", body)
		}
	})
}

// TestDeskLongReplyIsNoFAQEntry: a reply longer than a FAQ entry's
// answer may be, sent with "Simpan sebagai FAQ baru", is refused before
// the ticket is claimed, naming the reply (not the citizen's question):
// nothing is sent or drafted, the ticket is as it was and the reply
// stays in the form. Without the lesson it is sent.
func TestDeskLongReplyIsNoFAQEntry(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		h, c := loggedIn(t, db, "otto", RoleOfficer)
		id := h.ticket(t, "Budi", "zzq blorf sewa tenda untuk hajatan di kelurahan")
		drafts, err := h.kb.Count(ctx, knowledge.Draft)
		if err != nil {
			t.Fatal(err)
		}
		long := strings.Repeat("Bawa KTP asli. ", knowledge.MaxAnswerLen/15+1)
		path := fmt.Sprintf("/admin/desk/%d/reply", id)
		res, body := c.post(path, url.Values{"text": {long}, "lesson": {"new"}})
		wantStatus(t, "a long reply as a new FAQ", res, body, http.StatusUnprocessableEntity)
		for _, want := range []string{"Balasan ini terlalu panjang untuk disimpan sebagai entri FAQ", "paling panjang 4096 karakter",
			"Balasan belum dikirim", "“Tidak”"} {
			if !strings.Contains(body, want) {
				t.Errorf("the refusal lacks %q", want)
			}
		}
		if !strings.Contains(body, "required>"+long+"</textarea>") {
			t.Error("the reply is not kept in the form")
		}
		if strings.Contains(body, "Pertanyaan warga") {
			t.Error("the refusal blames the citizen's question")
		}
		det, err := h.inbox.Get(ctx, id)
		if err != nil || det.Ticket.Status != inbox.Open || det.Ticket.AnsweredBy != "" {
			t.Errorf("the ticket after the refusal: %+v, %v; want it open", det.Ticket, err)
		}
		if by, err := h.inbox.ClaimedBy(ctx, id); by != "" || err != nil {
			t.Errorf("the ticket is claimed by %q (%v); want nobody", by, err)
		}
		if rows, err := outbox.New(db).List(ctx, "", 10); err != nil || len(rows) != 0 {
			t.Errorf("outbox: %d rows (%v); want nothing sent", len(rows), err)
		}
		if n, err := h.kb.Count(ctx, knowledge.Draft); err != nil || n != drafts {
			t.Errorf("%d drafts made (%v); want none", n-drafts, err)
		}

		res, body = c.post(path, url.Values{"text": {long}})
		wantStatus(t, "the long reply alone", res, body, http.StatusSeeOther)
		if rows, err := outbox.New(db).List(ctx, "", 10); err != nil || len(rows) < 2 {
			t.Errorf("outbox: %d rows (%v); want the reply in parts", len(rows), err)
		}
	})
}

// TestDeskSendsADoubleClickedReplyOnce: the reply form sent twice (a
// double click; the browser shows the second answer) reaches the citizen
// once, and the second answer says so.
func TestDeskSendsADoubleClickedReplyOnce(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		h, c := loggedIn(t, db, "otto", RoleOfficer)
		id := h.ticket(t, "Budi", "Kapan kantor Disdukcapil buka?")
		path := fmt.Sprintf("/admin/desk/%d", id)
		c.get(path)
		form := url.Values{"text": {"Senin sampai Jumat, pukul 08.00–15.00 WIB."}}
		res, body := c.post(path+"/reply", form)
		wantStatus(t, "the reply", res, body, http.StatusSeeOther)
		res, body = c.post(path+"/reply", form)
		wantStatus(t, "the reply again", res, body, http.StatusSeeOther)
		if loc := res.Header.Get("Location"); loc != path+"?ok=repeated" {
			t.Errorf("the second reply redirected to %q", loc)
		}
		_, body = c.get(path + "?ok=repeated")
		if !strings.Contains(body, "Balasan yang sama sudah dikirim, atau sedang dikirim, ke warga sebagai pesan terakhir tiket ini, jadi tidak dikirim dua kali.") {
			t.Errorf("the ticket does not say the reply went once:\n%s", body)
		}
		if rows, err := outbox.New(db).List(ctx, "", 10); err != nil || len(rows) != 1 {
			t.Errorf("outbox: %d rows (%v); want the reply once", len(rows), err)
		}
		det, err := h.inbox.Get(ctx, id)
		if err != nil || strings.Count(fmt.Sprint(det.Messages), "08.00") != 1 {
			t.Errorf("the ticket's messages: %+v (%v); want the reply once", det.Messages, err)
		}
		if entries, _, err := h.accounts.AuditLog(ctx, AuditFilter{Action: "desk.reply"}); err != nil || len(entries) != 1 {
			t.Errorf("audit: %d desk.reply entries (%v); want 1", len(entries), err)
		}
		// Sent again to make a FAQ entry of it: neither goes through, and
		// the officer reads both.
		drafts, err := h.kb.Count(ctx, knowledge.Draft)
		if err != nil {
			t.Fatal(err)
		}
		form.Set("lesson", "new")
		res, body = c.post(path+"/reply", form)
		wantStatus(t, "the reply again, teaching", res, body, http.StatusSeeOther)
		if loc := res.Header.Get("Location"); loc != path+"?ok=repeated_lesson" {
			t.Errorf("the reply again, teaching, redirected to %q", loc)
		}
		_, body = c.get(path + "?ok=repeated_lesson")
		if !strings.Contains(body, "jadi tidak dikirim dua kali; pilihan “Ajari bot” pada kiriman ini juga tidak disimpan.") {
			t.Errorf("the ticket does not say the lesson was not kept:\n%s", body)
		}
		if n, err := h.kb.Count(ctx, knowledge.Draft); err != nil || n != drafts {
			t.Errorf("%d drafts (%v); want %d", n, err, drafts)
		}
	})
}

// TestDeskTeachesAnArchivedEntry: the citizen's question becomes an
// alternate of an archived entry typed by its id, even while a live
// entry has it (an archived entry holds no wording), and the officer
// reads that the bot does not answer with that entry yet.
func TestDeskTeachesAnArchivedEntry(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		h, c := loggedIn(t, db, "otto", RoleOfficer)
		const question = "zzq blorf paspor anak sekolah hilang di bus"
		live := pasporEntry
		live.Alternates = []string{question}
		h.publish(t, live)
		old := knowledge.Entry{Slug: "paspor-lama", Category: "imigrasi", Question: "Bagaimana cara memperpanjang paspor lama?",
			Answer: "Datang ke kantor imigrasi.", Status: knowledge.Archived}
		if _, err := h.kb.Save(ctx, old, "test"); err != nil {
			t.Fatal(err)
		}
		id := h.ticket(t, "Budi", question)
		path := fmt.Sprintf("/admin/desk/%d", id)
		c.get(path)
		res, body := c.post(path+"/reply", url.Values{"text": {"Lapor kehilangan ke polisi, lalu ke imigrasi."}, "lesson": {"alt"}, "alternate_other": {"paspor-lama"}})
		wantStatus(t, "reply teaching an archived entry", res, body, http.StatusSeeOther)
		if loc := res.Header.Get("Location"); loc != path+"?ok=learnt_unpublished" {
			t.Errorf("redirected to %q", loc)
		}
		_, body = c.get(path + "?ok=learnt_unpublished")
		if !strings.Contains(body, "variasi entri FAQ yang belum terbit (draf atau arsip): bot belum menjawab dengannya sampai entri itu diterbitkan") {
			t.Errorf("the ticket does not say the entry is not published:\n%s", body)
		}
		e, err := h.kb.Get(ctx, "paspor-lama")
		if err != nil || e.Status != knowledge.Archived || len(e.Alternates) != 1 || e.Alternates[0] != question {
			t.Errorf("the archived entry after the lesson: %+v, %v", e, err)
		}
	})
}

// An officer closes a ticket nobody answered (a duplicate, a question
// settled by phone): the desk asks first, and once confirmed the citizen
// reads that the ticket was closed without a written answer and may
// write again, not that it was resolved, and is not asked for stars.
func TestDeskClosingUnansweredTicketSaysSo(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h, c := loggedIn(t, db, "budi", RoleOfficer)
		id := h.ticket(t, "Warga", "bagaimana cara mengurus izin keramaian di lapangan merdeka")
		page := fmt.Sprintf("/admin/desk/%d", id)
		_, body := c.get(page)
		if !strings.Contains(body, `name="unanswered"`) {
			t.Errorf("an unanswered ticket's close form has no \"Tutup tanpa jawaban tertulis\" box")
		}
		res, body := c.post(page+"/close", url.Values{})
		wantStatus(t, "closing an unanswered ticket unconfirmed", res, body, http.StatusUnprocessableEntity)
		if msg := pageError(body); !strings.Contains(msg, "belum dibalas") {
			t.Errorf("the unconfirmed close reads %q; want it to say the ticket has no answer yet", msg)
		}
		if det, err := h.inbox.Get(context.Background(), id); err != nil || det.Ticket.Status == inbox.Closed {
			t.Fatalf("an unconfirmed close closed the ticket: %v", err)
		}

		c.get(page)
		res, body = c.post(page+"/close", url.Values{"unanswered": {"on"}})
		wantStatus(t, "closing an unanswered ticket, confirmed", res, body, http.StatusSeeOther)
		if _, body := c.get(res.Header.Get("Location")); !strings.Contains(body, "tanpa jawaban tertulis") {
			t.Errorf("the page after the close does not say it was closed without an answer")
		}
		rows, err := outbox.New(db).List(context.Background(), "", 10)
		if err != nil {
			t.Fatal(err)
		}
		told := false
		for _, m := range rows {
			if strings.Contains(m.Out.Text, "sudah diselesaikan") || len(m.Out.Buttons) > 0 {
				t.Errorf("a ticket closed without any answer tells the citizen %q with buttons %v", m.Out.Text, m.Out.Buttons)
			}
			told = told || strings.Contains(m.Out.Text, "tanpa jawaban tertulis") && strings.Contains(m.Out.Text, "tulis lagi")
		}
		if !told {
			t.Errorf("the citizen is not told the ticket was closed without a written answer: %+v", rows)
		}
	})
}

// A ticket an officer answered closes at once, and the citizen is asked
// for a rating.
func TestDeskClosingAnsweredTicketAsksForRating(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h, c := loggedIn(t, db, "budi", RoleOfficer)
		id := h.ticket(t, "Warga", "bagaimana cara mengurus izin keramaian di lapangan merdeka")
		page := fmt.Sprintf("/admin/desk/%d", id)
		c.get(page)
		res, body := c.post(page+"/reply", url.Values{"text": {"Ajukan ke Polres dengan surat pengantar kelurahan."}})
		wantStatus(t, "reply", res, body, http.StatusSeeOther)
		if _, body := c.get(page); strings.Contains(body, `name="unanswered"`) {
			t.Errorf("an answered ticket's close form asks to confirm closing without an answer")
		}
		res, body = c.post(page+"/close", url.Values{})
		wantStatus(t, "closing an answered ticket", res, body, http.StatusSeeOther)
		rows, err := outbox.New(db).List(context.Background(), "", 10)
		if err != nil {
			t.Fatal(err)
		}
		asked := false
		for _, m := range rows {
			asked = asked || strings.Contains(m.Out.Text, "sudah diselesaikan") && len(m.Out.Buttons) == 1 && len(m.Out.Buttons[0]) == 5
		}
		if !asked {
			t.Errorf("the citizen of an answered ticket is not asked for a rating: %+v", rows)
		}
	})
}

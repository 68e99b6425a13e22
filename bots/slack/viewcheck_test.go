package slack_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	hubslack "github.com/tebingtinggi/hub/bots/slack"
	"github.com/tebingtinggi/hub/inbox"
	"github.com/tebingtinggi/hub/knowledge"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

func textValue(v string) map[string]any {
	return map[string]any{"input": map[string]any{"type": "plain_text_input", "value": v}}
}

// submitView submits a modal as Ani and returns the acknowledgement.
func (h *hub) submitView(viewID, callback, metadata string, values map[string]any) string {
	h.t.Helper()
	return h.interactAck(map[string]any{"type": "view_submission", "user": map[string]any{"id": "U1", "name": "ani"},
		"view": map[string]any{"id": viewID, "callback_id": callback, "private_metadata": metadata,
			"state": map[string]any{"values": values}}})
}

// TestFAQFormRefusedInPlace: a /faq form with a field left blank (spaces
// only) or an alternate Slack's CSV export could not hold stays open with
// the problem, in Indonesian, under its field; nothing is saved, and the
// corrected form (the same modal) is saved.
func TestFAQFormRefusedInPlace(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newHub(t, db)
		ctx := context.Background()
		// Forms are checked once the adapter runs: a command answered
		// says it does.
		h.command("U1", "ani", "cari ktp hilang")
		h.ephemeralTo("U1", "ktp-hilang")
		errs := viewErrors(t, h.submitView("V-faq-form", "faq_new", "", map[string]any{
			"question": textValue("   \n\t "), "answer": textValue("  "), "alternates": textValue(""), "category": textValue(""),
		}))
		if errs["question"] != "Pertanyaan wajib diisi." || errs["answer"] != "Jawaban wajib diisi." {
			t.Errorf("blank fields: errors %v; want both named", errs)
		}
		errs = viewErrors(t, h.submitView("V-faq-form", "faq_new", "", map[string]any{
			"question": textValue("Cara daftar antrean online?"), "answer": textValue("Lewat situs layanan."),
			"alternates": textValue("antrean online\ndaftar|antre"), "category": textValue(""),
		}))
		if msg := errs["alternates"]; !strings.Contains(msg, "daftar|antre") || !strings.Contains(msg, "tidak boleh") || len(errs) != 1 {
			t.Errorf("an alternate with |: errors %v", errs)
		}
		errs = viewErrors(t, h.submitView("V-faq-form", "faq_new", "", map[string]any{
			"question": textValue("Cara daftar antrean online?"), "answer": textValue("Lewat situs\u0007 layanan."),
			"alternates": textValue(""), "category": textValue(""),
		}))
		if msg := errs["answer"]; msg != "Berisi karakter kendali U+0007." || len(errs) != 1 {
			t.Errorf("a control character in the answer: errors %v", errs)
		}
		// A question or an alternate longer than the knowledge base keeps
		// is named under its own field, with its length, not the answer's.
		long := strings.Repeat("antrean ", 130)
		errs = viewErrors(t, h.submitView("V-faq-form", "faq_new", "", map[string]any{
			"question": textValue(long), "answer": textValue("Lewat situs layanan."),
			"alternates": textValue("antrean online\n" + long), "category": textValue(""),
		}))
		if errs["question"] != "Pertanyaan paling panjang 1000 karakter; sekarang 1039." ||
			errs["alternates"] != "Setiap variasi paling panjang 1000 karakter; variasi ke-2 sekarang 1039." || len(errs) != 2 {
			t.Errorf("a question and an alternate too long: errors %v", errs)
		}
		// A wording another entry has is refused, naming the entry and
		// its status, under the field that has it.
		ktp, err := h.store.Get(ctx, "ktp-hilang")
		if err != nil {
			t.Fatal(err)
		}
		errs = viewErrors(t, h.submitView("V-faq-form", "faq_new", "", map[string]any{
			"question": textValue("  " + strings.ToUpper(ktp.Question)), "answer": textValue("Lapor ke kelurahan."),
			"alternates": textValue(""), "category": textValue(""),
		}))
		if msg := errs["question"]; !strings.Contains(msg, `sudah dipakai entri "ktp-hilang" (terbit) sebagai pertanyaannya`) || len(errs) != 1 {
			t.Errorf("another entry's question: errors %v", errs)
		}
		errs = viewErrors(t, h.submitView("V-faq-form", "faq_new", "", map[string]any{
			"question": textValue("Dompet saya hilang"), "answer": textValue("Lapor ke kelurahan."),
			"alternates": textValue("dompet hilang\n" + ktp.Question), "category": textValue(""),
		}))
		if msg := errs["alternates"]; !strings.Contains(msg, `Variasi ke-2`) || !strings.Contains(msg, `entri "ktp-hilang" (terbit)`) || len(errs) != 1 {
			t.Errorf("another entry's question as an alternate: errors %v", errs)
		}
		var n int
		if err := db.GetContext(ctx, &n, `SELECT COUNT(*) FROM slack_requests WHERE id LIKE 'view:%'`); err != nil || n != 0 {
			t.Errorf("%d forms recorded (%v); want none of the refused ones", n, err)
		}
		if ack := h.submitView("V-faq-form", "faq_new", "", map[string]any{
			"question": textValue("Cara daftar antrean online?"), "answer": textValue("Lewat situs layanan."),
			"alternates": textValue("antrean online"), "category": textValue(""),
		}); ack != "" {
			t.Errorf("the corrected form was refused: %s", ack)
		}
		waitFor(t, 15*time.Second, "the draft", func() bool {
			d, err := h.store.Get(ctx, "daftar-antrean-online")
			return err == nil && d.Status == knowledge.Draft && d.UpdatedBy == "@ani"
		})

		// Editing an entry: an answer emptied is refused, the entry kept.
		before, err := h.store.Get(ctx, "ktp-hilang")
		if err != nil {
			t.Fatal(err)
		}
		errs = viewErrors(t, h.submitView("V-faq-edit", "faq_edit", "ktp-hilang", map[string]any{
			"question": textValue(before.Question), "answer": textValue(" "), "alternates": textValue(""), "category": textValue(""),
		}))
		if errs["answer"] != "Jawaban wajib diisi." || len(errs) != 1 {
			t.Errorf("an emptied answer: errors %v; want it alone (the entry keeps its own question)", errs)
		}
		if after, err := h.store.Get(ctx, "ktp-hilang"); err != nil || after.Version != before.Version {
			t.Errorf("a refused edit changed the entry: version %d → %d, %v", before.Version, after.Version, err)
		}
	})
}

// TestDeskFormRefusedInPlace: a desk form whose answer is blank, whose
// lesson names no entry or one that does not exist, stays open with the
// problem under its field and sends the citizen nothing; the corrected
// form is sent once.
func TestDeskFormRefusedInPlace(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newHub(t, db)
		const chat = 6161
		h.tg.PushText(chat, chat, "zzq blorf wibble izin keramaian malam minggu")
		h.nextTG(chat)
		h.deskMessage("Tiket #1")

		answer := func(text, lesson, slug string) map[string]any {
			return map[string]any{
				"answer":   textValue(text),
				"lesson":   map[string]any{"input": map[string]any{"type": "radio_buttons", "selected_option": map[string]any{"value": lesson}}},
				"alt_slug": textValue(slug),
			}
		}
		errs := viewErrors(t, h.submitView("V-desk-1", "desk_answer", "1", answer(" \n ", "none", "")))
		if errs["answer"] != "Jawaban wajib diisi." {
			t.Errorf("a blank answer: errors %v", errs)
		}
		// Without the candidates' select (the bot had none) the id is to
		// be typed; with it, picked or typed.
		errs = viewErrors(t, h.submitView("V-desk-1", "desk_answer", "1", answer("Ajukan ke Polsek.", "alt", "")))
		if !strings.Contains(errs["alt_slug"], "ketik id FAQ-nya") || len(errs) != 1 {
			t.Errorf("a variation of no entry: errors %v", errs)
		}
		unpicked := answer("Ajukan ke Polsek.", "alt", "")
		unpicked["alt_pick"] = map[string]any{"input": map[string]any{"type": "static_select", "selected_option": nil}}
		errs = viewErrors(t, h.submitView("V-desk-1", "desk_answer", "1", unpicked))
		if !strings.Contains(errs["alt_slug"], "pilih FAQ di atas") || len(errs) != 1 {
			t.Errorf("a variation of no entry, candidates offered: errors %v", errs)
		}
		errs = viewErrors(t, h.submitView("V-desk-1", "desk_answer", "1", answer("Ajukan ke Polsek.", "alt", "izin-tidak-ada")))
		if errs["alt_slug"] != `FAQ "izin-tidak-ada" tidak ditemukan.` {
			t.Errorf("a variation of an unknown entry: errors %v", errs)
		}
		errs = viewErrors(t, h.submitView("V-desk-2", "desk_faq", "1", map[string]any{"faq_slug": textValue(" "), "edit": textValue("")}))
		if !strings.Contains(errs["faq_slug"], "Ketik id FAQ") {
			t.Errorf("Pakai jawaban FAQ without an entry: errors %v", errs)
		}
		errs = viewErrors(t, h.submitView("V-desk-2", "desk_faq", "1", map[string]any{"faq_slug": textValue(" "), "edit": textValue(""),
			"faq_pick": map[string]any{"input": map[string]any{"type": "static_select", "selected_option": nil}}}))
		if !strings.Contains(errs["faq_slug"], "Pilih satu FAQ di atas") {
			t.Errorf("Pakai jawaban FAQ without an entry, candidates offered: errors %v", errs)
		}
		// What the officer typed is repeated under the field, not all of it.
		errs = viewErrors(t, h.submitView("V-desk-2", "desk_faq", "1", map[string]any{"faq_slug": textValue(strings.Repeat("jam-", 700)), "edit": textValue("")}))
		if msg := errs["faq_slug"]; !strings.HasSuffix(msg, "tidak ditemukan.") || len(msg) > 200 {
			t.Errorf("Pakai jawaban FAQ with a 2800-character id: errors %v", errs)
		}
		errs = viewErrors(t, h.submitView("V-desk-2", "desk_faq", "1", map[string]any{"faq_slug": textValue("jam-tidak-ada"), "edit": textValue("")}))
		if errs["faq_slug"] != `FAQ "jam-tidak-ada" tidak ditemukan.` {
			t.Errorf("Pakai jawaban FAQ with an unknown entry: errors %v", errs)
		}
		if det, err := h.inbox.Get(context.Background(), 1); err != nil || det.Ticket.FirstResponseAt != nil {
			t.Fatalf("a refused form answered the ticket: %v", err)
		}

		if ack := h.submitView("V-desk-1", "desk_answer", "1", answer("Ajukan izin keramaian ke Polsek setempat.", "none", "")); ack != "" {
			t.Fatalf("the corrected form was refused: %s", ack)
		}
		if m := h.nextTG(chat); !strings.Contains(m.Plain, "Ajukan izin keramaian") {
			t.Errorf("citizen got %q; want the officer's answer", m.Plain)
		}
		h.ephemeralTo("U1", "sudah dikirim")
		for _, m := range h.tg.Sent() {
			if strings.Contains(m.Plain, "Ajukan ke Polsek.") {
				t.Errorf("a refused form reached the citizen: %q", m.Plain)
			}
		}

		// Closed meanwhile (by its holder: a colleague may not close it):
		// a form still open for the ticket says so.
		h.press("U1", "ani", "desk:close:1")
		h.deskMessage("selesai, ditutup oleh @ani")
		errs = viewErrors(t, h.submitView("V-desk-3", "desk_faq", "1", map[string]any{"faq_slug": textValue("ktp-hilang"), "edit": textValue("")}))
		if errs["faq_slug"] != "Tiket #1 sudah ditutup; tidak ada yang dikirim ke warga." {
			t.Errorf("Pakai jawaban FAQ for a closed ticket: errors %v", errs)
		}
	})
}

// TestFAQEditKeepsAChangeMadeMeanwhile: an officer edits an entry in the
// /faq ubah form while a desk answer teaches the bot a new alternate of
// it; submitting the form must not overwrite that alternate with the
// form's older list. The form stays open saying who changed the entry,
// and the entry keeps the lesson.
func TestFAQEditKeepsAChangeMadeMeanwhile(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newHub(t, db)
		ctx := context.Background()
		h.command("U1", "ani", "ubah ktp-hilang")
		opened := h.slack.waitCalls(t, "views.open", 1)[0]
		view, _ := opened.JSON["view"].(map[string]any)
		meta, _ := view["private_metadata"].(string)
		before, err := h.store.Get(ctx, "ktp-hilang")
		if err != nil {
			t.Fatal(err)
		}
		// Meanwhile Budi's answer on the desk adds an alternate.
		if _, err := h.store.AddAlternate(ctx, "ktp-hilang", "e-ktp saya raib", "@budi"); err != nil {
			t.Fatal(err)
		}
		ack := h.submitView("V-edit-late", "faq_edit", meta, map[string]any{
			"question": textValue(before.Question), "answer": textValue(before.Answer + " Gratis."),
			"alternates": textValue(strings.Join(before.Alternates, "\n")), "category": textValue(before.Category),
		})
		if ack == "" {
			// Refused after the acknowledgement at least: wait for the DM.
			waitFor(t, 15*time.Second, "the outcome", func() bool { return len(h.slack.Calls("chat.postMessage")) > 0 })
		} else if errs := viewErrors(t, ack); !strings.Contains(errs["question"], "@budi") {
			t.Errorf("a stale edit: errors %v; want who changed the entry", errs)
		}
		after, err := h.store.Get(ctx, "ktp-hilang")
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(after.Alternates, "e-ktp saya raib") {
			t.Errorf("the alternate learnt meanwhile is lost: %q", after.Alternates)
		}
		if strings.HasSuffix(after.Answer, " Gratis.") {
			t.Errorf("the stale edit was saved over version %d", after.Version-1)
		}
	})
}

// TestFAQEditConflictAfterTheAcknowledgement: a /faq ubah form recorded
// before it could be checked (it arrived before the processors ran) and
// processed after the entry changed is not saved over that change: the
// officer is told in their DM.
func TestFAQEditConflictAfterTheAcknowledgement(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		f := newFakeSlack(t)
		a, mux := newHTTPAdapter(t, db, f)
		store := knowledge.NewStore(db)
		e, err := store.Save(ctx, knowledge.Entry{Slug: "jam-pelayanan", Category: "umum", Question: "Jam berapa kantor buka?",
			Answer: "Senin sampai Jumat, 08.00–16.00.", Status: knowledge.Published}, "test")
		if err != nil {
			t.Fatal(err)
		}
		payload, _ := json.Marshal(map[string]any{"type": "view_submission", "user": map[string]any{"id": "U1", "name": "ani"},
			"view": map[string]any{"id": "V-early", "callback_id": "faq_edit", "private_metadata": fmt.Sprintf("jam-pelayanan@%d", e.Version),
				"state": map[string]any{"values": map[string]any{
					"question": textValue(e.Question), "answer": textValue("Senin sampai Sabtu."),
				}}}})
		if w := serve(mux, signed(hubslack.PathInteractivity, formType, "payload="+url.QueryEscape(string(payload)), time.Now())); w.Code != http.StatusOK || w.Body.Len() != 0 {
			t.Fatalf("status %d, %q", w.Code, w.Body.String())
		}
		if _, err := store.AddAlternate(ctx, "jam-pelayanan", "kantor buka jam berapa", "@budi"); err != nil {
			t.Fatal(err)
		}
		officers, err := a.NewOfficers("U1")
		if err != nil {
			t.Fatal(err)
		}
		faq, err := a.NewCurator(hubslack.CuratorConfig{Knowledge: store, Index: knowledge.NewIndex(knowledge.DefaultConfig()),
			Inbox: inbox.New(db), Officers: officers})
		if err != nil {
			t.Fatal(err)
		}
		runCtx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { _ = a.Run(runCtx, hubslack.Handlers{Sink: &recordingSink{}, FAQ: faq}); close(done) }()
		t.Cleanup(func() { cancel(); <-done })
		dm := f.waitCalls(t, "chat.postMessage", 1)[0]
		if text := dm.Form.Get("text"); dm.Form.Get("channel") != "U1" || !strings.Contains(text, "sudah diubah oleh @budi") {
			t.Errorf("the officer was told %q in %s", text, dm.Form.Get("channel"))
		}
		after, err := store.Get(ctx, "jam-pelayanan")
		if err != nil || after.Answer != e.Answer || !slices.Contains(after.Alternates, "kantor buka jam berapa") {
			t.Errorf("after the stale edit: %+v, %v", after, err)
		}
	})
}

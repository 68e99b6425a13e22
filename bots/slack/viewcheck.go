package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/tebingtinggi/hub/handlers"
	"github.com/tebingtinggi/hub/inbox"
	"github.com/tebingtinggi/hub/internal/safetext"
	"github.com/tebingtinggi/hub/knowledge"
)

// What an officer reads under a form's field when the form is refused.
const (
	textNeedAnswer    = "Jawaban wajib diisi."
	textNeedQuestion  = "Pertanyaan wajib diisi."
	textNeedFAQ       = "Pilih satu FAQ di atas atau ketik id-nya."
	textTypeFAQ       = "Ketik id FAQ yang jawabannya dipakai, misalnya ktp-hilang."
	textNeedAltFAQ    = "Untuk menambahkan variasi, pilih FAQ di atas atau ketik id-nya."
	textTypeAltFAQ    = "Untuk menambahkan variasi, ketik id FAQ-nya, misalnya ktp-hilang."
	textNoFAQ         = "FAQ %q tidak ditemukan."
	textAnswerTooLong = "Jawaban paling panjang %d karakter; sekarang %d."
	textAnswerMax     = "Jawaban paling panjang %d karakter."
	textQuestionLong  = "Pertanyaan paling panjang %d karakter; sekarang %d."
	textQuestionMax   = "Pertanyaan paling panjang %d karakter."
	textAltLong       = "Setiap variasi paling panjang %d karakter; variasi ke-%d sekarang %d."
	textAltMax        = "Setiap variasi paling panjang %d karakter."
	textAltPipe       = "Variasi %q memuat tanda |, yang tidak boleh dipakai."
	textCategoryMax   = "Kategori paling panjang %d karakter."
	textFieldBad      = "Isian ini tidak dapat disimpan; periksa isinya lalu kirim lagi."
)

// viewErrors checks a modal's submission before it is recorded, and
// returns what is wrong with it by block id (nil when nothing is, or when
// it is no modal of the hub's): Slack then keeps the modal open with each
// message under its field, so that nothing the officer typed is lost and
// nothing is done. Only what can be read from the form and the knowledge
// base quickly is checked; the processing checks everything again.
func (a *Adapter) viewErrors(ctx context.Context, req request) map[string]string {
	if req.kind != kindInteraction || !strings.HasPrefix(req.id, "view:") {
		return nil
	}
	a.procMu.RLock()
	p := a.proc
	a.procMu.RUnlock()
	if p == nil {
		return nil
	}
	var cb slack.InteractionCallback
	if err := json.Unmarshal(req.payload, &cb); err != nil || cb.Type != slack.InteractionTypeViewSubmission {
		return nil
	}
	var errs map[string]string
	switch {
	case p.h.Desk != nil && strings.HasPrefix(cb.View.CallbackID, deskCallback):
		errs = p.h.Desk.check(ctx, cb.View)
	case p.h.FAQ != nil && strings.HasPrefix(cb.View.CallbackID, faqCallback):
		errs = p.h.FAQ.check(ctx, cb.View)
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// check is what is wrong with a desk modal's submission, by block id.
func (d *Desk) check(ctx context.Context, v slack.View) map[string]string {
	errs := map[string]string{}
	// A ticket closed (or erased) since the form opened gets no answer:
	// said in the form, so that the officer can still copy what they
	// wrote.
	first := blockAnswer
	if v.CallbackID == deskFAQCallback {
		first = blockFAQSlug
	}
	unwritten := false
	if id, err := strconv.ParseInt(v.PrivateMetadata, 10, 64); err == nil {
		det, err := d.cfg.Inbox.Get(ctx, id)
		unwritten = err == nil && inbox.IsNoCaption(det.Question())
		switch {
		case err == nil && det.Ticket.Erased:
			errs[first] = fmt.Sprintf(textCitizenForgot, id)
			return errs
		case err == nil && det.Ticket.Status == inbox.Closed:
			errs[first] = fmt.Sprintf(textTicketClosed, id)
			return errs
		case errors.Is(err, inbox.ErrNotFound):
			errs[first] = fmt.Sprintf(textTicketMissing, id)
			return errs
		}
	}
	switch v.CallbackID {
	case deskAnswerCallback:
		if stateValue(v, blockAnswer) == "" {
			errs[blockAnswer] = textNeedAnswer
		}
		switch stateValue(v, blockLesson) {
		case lessonAlt:
			if unwritten {
				// Nothing to add, whatever the entry: said before asking
				// for one.
				r, _ := handlers.LessonRefused(handlers.Lesson{}, handlers.ErrUnwrittenQuestion)
				errs[blockLesson] = fmt.Sprintf(textUnwrittenForm, r.Text)
				break
			}
			if block, slug := d.checkFAQ(ctx, v, blockAltSlug, blockAltPick, textNeedAltFAQ, textTypeAltFAQ, errs); slug != "" {
				d.checkLesson(ctx, v, handlers.Lesson{AlternateOf: slug}, block, errs)
			}
		case lessonNew:
			d.checkLesson(ctx, v, handlers.Lesson{NewFAQ: true}, blockLesson, errs)
		}
	case deskFAQCallback:
		d.checkFAQ(ctx, v, blockFAQSlug, blockFAQPick, textNeedFAQ, textTypeFAQ, errs)
	}
	return errs
}

// checkFAQ adds to errs what is wrong with the FAQ entry a desk form
// names: typed in block typed, or picked in block pick when the form has
// that select. need is the message when nothing was picked from the
// select, typeIt when nothing was typed in a form without one. It
// returns the block and the entry named, or no entry when something is
// wrong with it.
func (d *Desk) checkFAQ(ctx context.Context, v slack.View, typed, pick, need, typeIt string, errs map[string]string) (block, slug string) {
	block, slug = typed, stateValue(v, typed)
	if slug == "" && hasBlock(v, pick) {
		block, slug = pick, stateValue(v, pick)
	}
	switch {
	case slug == "" && hasBlock(v, pick):
		errs[typed] = need
	case slug == "":
		errs[typed] = typeIt
	case d.missing(ctx, slug):
		errs[block] = fmt.Sprintf(textNoFAQ, quoted(slug))
	default:
		return block, slug
	}
	return block, ""
}

// checkLesson adds to errs what would make the knowledge base refuse
// lesson l of the answer to the ticket a desk form answers: under block,
// the entry that already has the question ("Simpan sebagai FAQ baru"
// would only duplicate it, and a variation of another entry would make
// the bot's answer flip between the two); under the answer, an answer
// that cannot be saved as a FAQ entry's (a failure to read is left to
// the processing, and so is a refused question, which names no field of
// the form).
func (d *Desk) checkLesson(ctx context.Context, v slack.View, l handlers.Lesson, block string, errs map[string]string) {
	id, err := strconv.ParseInt(v.PrivateMetadata, 10, 64)
	if err != nil {
		return
	}
	det, err := d.cfg.Inbox.Get(ctx, id)
	if err != nil {
		return
	}
	answer := stateValue(v, blockAnswer)
	r, ok := handlers.LessonRefused(l, handlers.CheckLesson(ctx, d.cfg.Knowledge, det.Question(), answer, l))
	switch {
	case !ok:
	case r.Kind == handlers.RefusedTakenElsewhere:
		errs[block] = fmt.Sprintf(textAltTakenForm, r.Text, r.Entry, r.Entry)
	case r.Kind == handlers.RefusedTaken:
		errs[block] = fmt.Sprintf(textLessonTakenForm, r.Text, r.Entry)
	case r.Kind == handlers.RefusedAnswer && answer != "":
		errs[blockAnswer] = fmt.Sprintf(textAnswerLessonForm, r.Text)
	case r.Kind == handlers.RefusedUnwritten:
		// The choice to teach is what is refused, whichever entry.
		errs[blockLesson] = fmt.Sprintf(textUnwrittenForm, r.Text)
	}
}

// quotedMax is the most characters of what the officer typed that a
// message under a field repeats: a field holds up to 3000.
const quotedMax = 60

// quoted is s, shortened for a message under a field.
func quoted(s string) string { return safetext.Shorten(s, quotedMax) }

// hasBlock reports whether the submitted modal has the input block (the
// candidates' select is there only when the bot had candidates).
func hasBlock(v slack.View, block string) bool {
	if v.State != nil {
		if _, ok := v.State.Values[block]; ok {
			return true
		}
	}
	for _, b := range v.Blocks.BlockSet {
		if b.ID() == block {
			return true
		}
	}
	return false
}

// missing reports whether the knowledge base surely has no entry slug (a
// failure to read it is left to the processing).
func (d *Desk) missing(ctx context.Context, slug string) bool {
	_, err := d.cfg.Knowledge.Get(ctx, slug)
	return errors.Is(err, knowledge.ErrNotFound)
}

// formEntry is the entry a /faq modal's submission describes.
func formEntry(v slack.View) knowledge.Entry {
	return knowledge.Entry{
		Question: stateValue(v, blockQuestion), Answer: stateValue(v, blockAnswer),
		Category: stateValue(v, blockCategory), Alternates: lines(stateValue(v, blockAlternates)),
	}
}

// check is what is wrong with a /faq modal's submission, by block id.
func (c *Curator) check(ctx context.Context, v slack.View) map[string]string {
	errs := map[string]string{}
	if v.CallbackID == faqEditCallback {
		// An entry changed since the form opened: saving would undo that
		// change. The officer can copy their text before closing.
		slug, base := editedEntry(v.PrivateMetadata)
		cur, err := c.cfg.Knowledge.Get(ctx, slug)
		switch {
		case errors.Is(err, knowledge.ErrNotFound):
			errs[blockQuestion] = fmt.Sprintf(textFAQMissing, quoted(slug))
			return errs
		case err == nil && base >= 0 && cur.Version != base:
			errs[blockQuestion] = fmt.Sprintf(textFAQChanged, slug, cur.UpdatedBy, cur.Version, slug)
			return errs
		}
	}
	e := formEntry(v)
	if e.Question == "" {
		errs[blockQuestion] = textNeedQuestion
	} else if n := utf8.RuneCountInString(e.Question); n > knowledge.MaxQuestionLen {
		errs[blockQuestion] = fmt.Sprintf(textQuestionLong, knowledge.MaxQuestionLen, n)
	}
	if e.Answer == "" {
		errs[blockAnswer] = textNeedAnswer
	} else if n := utf8.RuneCountInString(e.Answer); n > knowledge.MaxAnswerLen {
		errs[blockAnswer] = fmt.Sprintf(textAnswerTooLong, knowledge.MaxAnswerLen, n)
	}
	for i, alt := range e.Alternates {
		if strings.Contains(alt, "|") {
			errs[blockAlternates] = fmt.Sprintf(textAltPipe, quoted(alt))
			break
		}
		// Counted as the knowledge base keeps it: inner spacing collapsed.
		if n := utf8.RuneCountInString(strings.Join(strings.Fields(alt), " ")); n > knowledge.MaxQuestionLen {
			errs[blockAlternates] = fmt.Sprintf(textAltLong, knowledge.MaxQuestionLen, i+1, n)
			break
		}
	}
	if len(errs) > 0 {
		return errs
	}
	// The rest of the knowledge base's rules, on an entry with a valid id
	// (a draft's is made from its question).
	e.Slug, e.Status = "x", knowledge.Draft
	if fe, ok := errors.AsType[*knowledge.FieldError](knowledge.Validate(e)); ok {
		block, msg := entryProblem(fe)
		errs[block] = msg
		return errs
	}
	// A wording that another entry has, which saving refuses: which
	// entry, said under the field.
	slug := ""
	if v.CallbackID == faqEditCallback {
		slug, _ = editedEntry(v.PrivateMetadata)
	}
	if fe, err := c.cfg.Knowledge.WordingTaken(ctx, slug, e.Question, e.Alternates); err == nil && fe != nil {
		block, msg := entryProblem(fe)
		errs[block] = msg
	}
	return errs
}

// entryProblem is the field of a /faq modal that a knowledge base refusal
// is about, and what the officer reads about it.
func entryProblem(fe *knowledge.FieldError) (block, msg string) {
	switch fe.Field {
	case "question":
		block = blockQuestion
	case "answer":
		block = blockAnswer
	case "alternates":
		block = blockAlternates
	case "category":
		block = blockCategory
	default:
		return blockQuestion, textFieldBad
	}
	switch {
	case fe.Kind == knowledge.FieldMissing && block == blockQuestion:
		return block, textNeedQuestion
	case fe.Kind == knowledge.FieldMissing && block == blockAnswer:
		return block, textNeedAnswer
	case fe.Kind == knowledge.FieldTooLong && block == blockAnswer:
		return block, fmt.Sprintf(textAnswerMax, knowledge.MaxAnswerLen)
	case fe.Kind == knowledge.FieldTooLong && block == blockQuestion:
		return block, fmt.Sprintf(textQuestionMax, knowledge.MaxQuestionLen)
	case fe.Kind == knowledge.FieldTooLong && block == blockAlternates:
		return block, fmt.Sprintf(textAltMax, knowledge.MaxQuestionLen)
	case fe.Kind == knowledge.FieldTooLong && block == blockCategory:
		return block, fmt.Sprintf(textCategoryMax, knowledge.MaxCategoryLen)
	case fe.Msg == "":
		return block, textFieldBad
	}
	// The knowledge base says what is wrong in Indonesian: as a sentence.
	r, n := utf8.DecodeRuneInString(fe.Msg)
	return block, string(unicode.ToUpper(r)) + strings.TrimSuffix(fe.Msg[n:], ".") + "."
}

// fieldLabel is a /faq modal's block as the officer knows it.
func fieldLabel(block string) string {
	switch block {
	case blockAnswer:
		return textFieldAnswer
	case blockAlternates:
		return textFieldAlternates
	case blockCategory:
		return textFieldCategory
	}
	return textFieldQuestion
}

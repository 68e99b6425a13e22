package slack

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/slack-go/slack"

	"github.com/tebingtinggi/hub/handlers"
	"github.com/tebingtinggi/hub/inbox"
	"github.com/tebingtinggi/hub/internal/safetext"
	"github.com/tebingtinggi/hub/knowledge"
)

// The desk's modals: callback ids, and the block and action ids of their
// inputs.
const (
	deskCallback       = "desk_"
	deskAnswerCallback = "desk_answer"
	deskFAQCallback    = "desk_faq"

	blockAnswer  = "answer"
	blockLesson  = "lesson"
	blockAltPick = "alt_pick"
	blockAltSlug = "alt_slug"
	blockFAQPick = "faq_pick"
	blockFAQSlug = "faq_slug"
	blockEdit    = "edit"
	actionInput  = "input"

	lessonNone = "none"
	lessonNew  = "new"
	lessonAlt  = "alt"
)

func plain(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, safetext.Shorten(s, 150), false, false)
}

func modal(callback, title string, ticketID int64, blocks ...slack.Block) slack.ModalViewRequest {
	return slack.ModalViewRequest{
		Type: slack.VTModal, CallbackID: callback, Title: plain(title),
		Submit: plain(textModalSend), Close: plain(textModalCancel),
		PrivateMetadata: strconv.FormatInt(ticketID, 10), Blocks: slack.Blocks{BlockSet: blocks},
	}
}

func questionBlock(det inbox.TicketDetail) slack.Block {
	text := safetext.Shorten(Escape(fmt.Sprintf(textModalQuestion, det.Ticket.ID, question(det))), MaxSectionText)
	return slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, text, false, true), nil, nil)
}

func textInput(block, label string, multiline, optional bool) *slack.InputBlock {
	el := slack.NewPlainTextInputBlockElement(nil, actionInput)
	el.Multiline = multiline
	in := slack.NewInputBlock(block, plain(label), nil, el)
	in.Optional = optional
	return in
}

// candidateSelect offers the bot's candidates for the ticket's question
// (Desk.candidates), or nil when it has none.
func (d *Desk) candidateSelect(block, label string, det inbox.TicketDetail) *slack.InputBlock {
	var opts []*slack.OptionBlockObject
	for _, c := range d.candidates(det) {
		opts = append(opts, slack.NewOptionBlockObject(c.Slug, plain(safetext.Shorten(c.Slug+" — "+c.Question, 75)), nil))
	}
	if len(opts) == 0 {
		return nil
	}
	in := slack.NewInputBlock(block, plain(label), nil,
		slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain(textPickPlaceholder), actionInput, opts...))
	in.Optional = true
	return in
}

// answerModal is Jawab: the answer, and what the bot learns from it.
func (d *Desk) answerModal(det inbox.TicketDetail) slack.ModalViewRequest {
	none := slack.NewOptionBlockObject(lessonNone, plain(textLessonNone), nil)
	radio := slack.NewRadioButtonsBlockElement(actionInput, none,
		slack.NewOptionBlockObject(lessonNew, plain(textLessonNew), nil),
		slack.NewOptionBlockObject(lessonAlt, plain(textLessonAlt), nil))
	radio.InitialOption = none
	lesson := slack.NewInputBlock(blockLesson, plain(textModalLesson), nil, radio)
	lesson.Optional = true
	blocks := []slack.Block{questionBlock(det), textInput(blockAnswer, textModalAnswer, true, false), lesson}
	if pick := d.candidateSelect(blockAltPick, textModalAltPick, det); pick != nil {
		blocks = append(blocks, pick)
	}
	blocks = append(blocks, textInput(blockAltSlug, textModalAltSlug, false, true))
	return modal(deskAnswerCallback, textModalAnswerTitle, det.Ticket.ID, blocks...)
}

// faqModal is Pakai jawaban FAQ: a candidate (or an id typed), and the
// answer's text, edited if need be.
func (d *Desk) faqModal(det inbox.TicketDetail) slack.ModalViewRequest {
	blocks := []slack.Block{questionBlock(det)}
	if pick := d.candidateSelect(blockFAQPick, textModalFAQPick, det); pick != nil {
		blocks = append(blocks, pick)
	}
	blocks = append(blocks, textInput(blockFAQSlug, textModalAltSlug, false, true), textInput(blockEdit, textModalEdit, true, true))
	return modal(deskFAQCallback, textModalFAQTitle, det.Ticket.ID, blocks...)
}

// stateValue reads an input of a submitted modal: a text, or the value
// of the chosen option, cleaned as all outside text is.
func stateValue(v slack.View, block string) string {
	if v.State == nil {
		return ""
	}
	a, ok := v.State.Values[block][actionInput]
	if !ok {
		return ""
	}
	if a.SelectedOption.Value != "" {
		return safetext.Clean(a.SelectedOption.Value)
	}
	return safetext.Clean(strings.TrimSpace(a.Value))
}

// submit handles a desk modal's submission: the reply goes to the citizen
// through handlers.Desk, then the lesson (if any) to the knowledge base.
// Slack records each modal's submission once (its view id), so a double
// submit sends one answer.
func (d *Desk) submit(ctx context.Context, cb slack.InteractionCallback) error {
	id, err := strconv.ParseInt(cb.View.PrivateMetadata, 10, 64)
	if err != nil || id <= 0 {
		return nil
	}
	say := func(text string) { d.a.ephemeral(ctx, d.cfg.Channel, cb.User.ID, text) }
	if !d.allowed(ctx, cb.User.ID, say) {
		return nil
	}
	defer d.Wake()
	officer := officerName(cb.User)
	det, err := d.cfg.Inbox.Get(ctx, id)
	if msg, handled := ticketRefusal(id, err); handled {
		say(msg)
		return nil
	} else if err != nil {
		return err
	}
	var text string
	var lesson handlers.Lesson
	switch cb.View.CallbackID {
	case deskAnswerCallback:
		text = stateValue(cb.View, blockAnswer)
		switch stateValue(cb.View, blockLesson) {
		case lessonNew:
			lesson.NewFAQ = true
			lesson.Like = handlers.LikeFor(d.cfg.Index, det.Question())
		case lessonAlt:
			// A file or place without words has nothing to add, whatever
			// the entry: refused before asking for one.
			if inbox.IsNoCaption(det.Question()) {
				msg, _ := d.lessonRefusal(id, lesson, handlers.ErrUnwrittenQuestion)
				say(msg)
				return nil
			}
			lesson.AlternateOf = stateValue(cb.View, blockAltSlug)
			if lesson.AlternateOf == "" {
				lesson.AlternateOf = stateValue(cb.View, blockAltPick)
			}
			if lesson.AlternateOf == "" {
				say(fmt.Sprintf(textFAQPickOne, id))
				return nil
			}
		}
	case deskFAQCallback:
		slug := stateValue(cb.View, blockFAQSlug)
		if slug == "" {
			slug = stateValue(cb.View, blockFAQPick)
		}
		if slug == "" {
			say(fmt.Sprintf(textFAQPickOne, id))
			return nil
		}
		e, err := d.cfg.Knowledge.Get(ctx, slug)
		if errors.Is(err, knowledge.ErrNotFound) {
			say(fmt.Sprintf(textFAQMissing, slug))
			return nil
		} else if err != nil {
			return err
		}
		text = stateValue(cb.View, blockEdit)
		if text == "" {
			text = e.Answer
		}
	default:
		return nil
	}
	if strings.TrimSpace(text) == "" {
		say(fmt.Sprintf(textAnswerEmpty, id))
		return nil
	}
	// A typo in the id, an answer too long for a FAQ entry, or a second
	// "Simpan sebagai FAQ baru" (another modal, another officer), is told
	// before the ticket is claimed, as
	// every desk does; the reply and its lesson then check again as they
	// are saved.
	err = handlers.CheckLesson(ctx, d.cfg.Knowledge, det.Question(), text, lesson)
	if msg, refused := d.lessonRefusal(id, lesson, err); refused {
		say(msg)
		return nil
	} else if err != nil {
		return err
	}
	// One transaction: the answer goes out with its lesson or not at all
	// (drafted by another officer since the check, say). The first claim
	// wins: replying takes the ticket on, and an officer who did not open
	// the modal through their own claim cannot answer a ticket another
	// officer holds (inbox.Store.Reply).
	done, err := d.cfg.Desk.ReplyAndTeach(ctx, id, officer, text, d.cfg.Knowledge, lesson, officer)
	if msg, refused := d.lessonRefusal(id, lesson, err); refused {
		say(msg)
		return nil
	}
	if msg, handled := ticketRefusal(id, err); handled {
		if errors.Is(err, inbox.ErrSameReply) && !lesson.Empty() {
			msg += " " + textSameReplyLesson
		}
		say(msg)
		return nil
	} else if err != nil {
		return err
	}
	msg := fmt.Sprintf(textAnswerSent, id)
	switch e := done.Entry; {
	case lesson.NewFAQ:
		msg += "\n" + fmt.Sprintf(textLearntDraft, e.Slug, e.Slug)
	case done.Known:
		msg += "\n" + handlers.KnownWordingText(e.Slug)
	case lesson.AlternateOf != "":
		msg += "\n" + fmt.Sprintf(textLearntAlt, e.Slug)
		if note := handlers.UnpublishedLessonText(e); note != "" {
			msg += " " + note + " " + fmt.Sprintf(textPublishWith, e.Slug)
		}
	}
	say(msg)
	return nil
}

// lessonRefusal is what the officer reads when the knowledge base refuses
// the lesson of their answer to ticket id (err, from handlers.CheckLesson
// or handlers.Desk.ReplyAndTeach): the answer was not sent. refused is
// false for any other err.
func (d *Desk) lessonRefusal(id int64, lesson handlers.Lesson, err error) (msg string, refused bool) {
	r, ok := handlers.LessonRefused(lesson, err)
	if !ok {
		return "", false
	}
	switch r.Kind {
	case handlers.RefusedTaken:
		return fmt.Sprintf(textLessonTaken, id, r.Text, r.Entry), true
	case handlers.RefusedTakenElsewhere:
		return fmt.Sprintf(textAltTaken, id, r.Text, r.Entry, r.Entry), true
	case handlers.RefusedNoEntry:
		return r.Text + " " + fmt.Sprintf(textNotSent, id), true
	case handlers.RefusedUnwritten:
		return fmt.Sprintf(textUnwrittenRefused, id, r.Text), true
	}
	// The problem may quote the citizen's words: the log names it
	// without them.
	if fe, ok := errors.AsType[*knowledge.FieldError](err); ok {
		d.a.log.Info("slack: the knowledge base refused the lesson of an answer", "ticket", id, "field", fe.Field, "kind", fe.Kind)
	}
	return fmt.Sprintf(textLessonRefused, id, r.Text), true
}

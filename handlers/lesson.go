package handlers

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/tebingtinggi/hub/inbox"
	"github.com/tebingtinggi/hub/knowledge"
)

// Lesson is what an officer's answer to a hand-over teaches the bot, in
// the same step as the answer: nothing, a new draft entry, or the
// citizen's wording as another phrasing of an existing entry.
type Lesson struct {
	// NewFAQ saves the question and the answer as a draft entry.
	NewFAQ bool
	// AlternateOf adds the citizen's question to this entry's alternates;
	// a published entry answers it at once.
	AlternateOf string
	// Like is the entry whose category and tags a new draft takes (the
	// bot's best candidate), if any.
	Like string
}

// Empty reports whether the lesson teaches nothing.
func (l Lesson) Empty() bool { return !l.NewFAQ && l.AlternateOf == "" }

// LikeFor is the entry whose category and tags a new draft of question
// takes (Lesson.Like): the bot's best candidate for it, when the bot gives
// that candidate at least minLikeConfidence; otherwise none, and the
// draft gets knowledge.DraftCategory for an officer to set.
func LikeFor(ix Searcher, question string) string {
	c := ix.Search(question).Candidates
	if len(c) == 0 || c[0].Score < minLikeConfidence {
		return ""
	}
	return c[0].Slug
}

// minLikeConfidence is the least confidence of the best candidate whose
// category a draft takes. Measured leave-one-corpus-out on the shared
// evaluation corpora (in-scope questions; BenchmarkDraftCategory in
// bench/ prints the table), the best candidate is in the
// right entry's category for 33 % of the questions it is given below 0.1,
// 60 % at 0.1–0.2, and 69–99 % above 0.2: below this, a wrong category is
// as likely as not, and "umum" is the honest suggestion.
const minLikeConfidence = 0.2

// ErrTwoLessons is returned for a lesson that asks for both a new entry
// and an alternate.
var ErrTwoLessons = errors.New("handlers: choose either a new FAQ entry or an alternate of an existing one, not both")

// ErrUnwrittenQuestion is returned for a lesson of a ticket whose
// question holds no words of the citizen's: a file or a place sent
// without words, whose question the inbox wrote (inbox.IsNoCaption).
// There is nothing to learn from it; officers write such an entry
// themselves.
var ErrUnwrittenQuestion = errors.New("handlers: the ticket's question is a file or place sent without words, not a written question to learn from")

// unwritten refuses a lesson of questions one of which is not written
// (ErrUnwrittenQuestion).
func unwritten(questions ...string) error {
	for _, q := range questions {
		if inbox.IsNoCaption(q) {
			return ErrUnwrittenQuestion
		}
	}
	return nil
}

// personalNumbers are runs of digits long enough to be a phone number, an
// NIK or an account: a citizen's wording is learnt without them.
var personalNumbers = regexp.MustCompile(`\+?\d[\d\s.-]{6,}\d`)

// Teach applies the lesson of an officer's answer to the knowledge base,
// as a revision by author, and returns the entry it created or changed.
// The citizen's question is learnt without numbers that could identify
// them. A question that an entry already has, as its question or as an
// alternate, is refused with a *knowledge.QuestionTaken naming it,
// checked in the transaction that would save the lesson (see
// knowledge.Store.Draft and AddAlternates): as a new entry, whatever
// entry has it (a second click, a second run or a second officer never
// makes a copy); as an alternate, an entry other than the lesson's (two
// entries with one question make the bot's answer flip between them). A
// desk answering a ticket teaches with Desk.ReplyAndTeach instead, so
// that a refused lesson sends nothing.
func Teach(ctx context.Context, ks *knowledge.Store, question, answer string, l Lesson, author string) (knowledge.Entry, error) {
	e, _, err := TeachGroup(ctx, ks, []string{question}, answer, l, author)
	return e, err
}

// TeachGroup is Teach for several wordings of one question at once (a
// group of unanswered questions): a new draft takes the first as its
// question and the others as its alternates; an alternate lesson adds
// them all to the entry. Either way it is one transaction and one
// revision by author. A wording the knowledge base refuses is a
// *knowledge.WordingError whose Index is its place in questions (its
// Taken naming the entry that already has it, or its Problem), and
// nothing is written. Wordings that are the same once learnt (numbers
// hidden, case and spacing aside) are kept once. known reports that the
// entry of an alternate lesson already had every wording, and nothing
// was added.
func TeachGroup(ctx context.Context, ks *knowledge.Store, questions []string, answer string, l Lesson, author string) (e knowledge.Entry, known bool, err error) {
	err = ks.DB().InTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		e, known, err = teachIn(ctx, tx, ks, questions, answer, l, author)
		return err
	})
	if err != nil {
		return knowledge.Entry{}, false, err
	}
	return e, known, nil
}

// teachIn is TeachGroup in tx, the transaction of the officer's reply
// when a desk answers a ticket.
func teachIn(ctx context.Context, tx *sqlx.Tx, ks *knowledge.Store, questions []string, answer string, l Lesson, author string) (e knowledge.Entry, known bool, err error) {
	qs := make([]string, len(questions))
	for i, q := range questions {
		qs[i] = lessonQuestion(q)
	}
	switch {
	case l.NewFAQ && l.AlternateOf != "":
		return knowledge.Entry{}, false, ErrTwoLessons
	case l.Empty():
		return knowledge.Entry{}, false, nil
	}
	if err := unwritten(questions...); err != nil {
		return knowledge.Entry{}, false, err
	}
	switch {
	case l.NewFAQ:
		var first string
		if len(qs) > 0 {
			first, qs = qs[0], lessonAlternates(qs[1:])
		}
		e, err = ks.DraftIn(ctx, tx, first, answer, l.Like, author, qs...)
		return e, false, err
	case l.AlternateOf != "":
		e, added, err := ks.AddAlternatesIn(ctx, tx, strings.TrimSpace(l.AlternateOf), lessonAlternates(qs), author)
		return e, err == nil && added == 0, err
	}
	return knowledge.Entry{}, false, nil
}

// lessonAlternates are learnt questions as alternates: "|" separates
// alternates in CSV files, so an alternate may not hold one, and the
// citizen meant "or".
func lessonAlternates(qs []string) []string {
	out := make([]string, len(qs))
	for i, q := range qs {
		out[i] = strings.ReplaceAll(q, "|", "/")
	}
	return out
}

// lessonQuestion is the citizen's question as a lesson learns it: without
// numbers that could identify them, its spacing collapsed.
func lessonQuestion(question string) string {
	return strings.Join(strings.Fields(HideNumbers(question, " ")), " ")
}

// CheckLesson reports what would make Teach refuse the lesson of answer
// to question, as far as can be seen before the answer is sent:
// ErrTwoLessons; the *knowledge.FieldError of a question the knowledge
// base would not keep as the lesson learns it (nothing left once the
// numbers are hidden, say); for a new entry, the *knowledge.FieldError of an answer
// the knowledge base would not keep as a draft's (cleaned as
// Desk.ReplyAndTeach cleans it: longer than knowledge.MaxAnswerLen, say,
// though the reply itself may be any length), and a
// *knowledge.QuestionTaken naming the entry (draft or published) that already
// has the citizen's question, as the lesson would learn it, as its
// question or an alternate, so that a second draft would only duplicate
// it; for an alternate, an error wrapping knowledge.ErrNotFound when
// there is no such entry, and a *knowledge.QuestionTaken naming another
// entry that has the question, which the officer should pick instead (or
// change first). The desks call it to tell the officer before they claim
// the ticket (LessonRefused words it); what they send, they send with
// Desk.ReplyAndTeach, which checks again in the transaction that sends.
func CheckLesson(ctx context.Context, ks *knowledge.Store, question, answer string, l Lesson) error {
	switch {
	case l.NewFAQ && l.AlternateOf != "":
		return ErrTwoLessons
	case l.Empty():
		return nil
	}
	// A file or place without words first: whatever else is wrong, the
	// ticket holds nothing to learn.
	if err := unwritten(question); err != nil {
		return err
	}
	switch {
	case l.NewFAQ:
		// The answer first, as a draft is checked when it is saved.
		if err := knowledge.ValidateAnswer(replyText(answer)); err != nil {
			return fmt.Errorf("handlers: the reply cannot be a FAQ entry's answer: %w", err)
		}
		if err := knowledge.ValidateWording(lessonQuestion(question), false); err != nil {
			return fmt.Errorf("handlers: the question cannot be a FAQ entry's: %w", err)
		}
		taken, err := ks.Taken(ctx, lessonQuestion(question))
		if err != nil {
			return err
		}
		if taken != nil {
			return taken
		}
	case l.AlternateOf != "":
		slug := strings.TrimSpace(l.AlternateOf)
		wording := lessonAlternates([]string{lessonQuestion(question)})[0]
		if err := knowledge.ValidateWording(wording, true); err != nil {
			return fmt.Errorf("handlers: the question cannot be an alternate: %w", err)
		}
		taken, err := ks.AlternateTaken(ctx, slug, wording)
		if errors.Is(err, knowledge.ErrNotFound) {
			return fmt.Errorf("handlers: no entry %q to add an alternate to: %w", slug, err)
		} else if err != nil {
			return err
		}
		if taken != nil {
			return taken
		}
		if err := ks.AlternateFull(ctx, slug, wording); err != nil {
			return fmt.Errorf("handlers: entry %q holds no more alternates: %w", slug, err)
		}
	}
	return nil
}

// LessonRefusal is a lesson the knowledge base refused, as officers read
// it on every desk: Text says what was refused and why; a desk adds what
// became of the reply and the next step for Kind in its own terms (its
// command, its button).
type LessonRefusal struct {
	Kind RefusalKind
	Text string
	// Entry is the entry concerned: the one that has the citizen's
	// question (RefusedTaken, RefusedTakenElsewhere), or the one the
	// lesson named that does not exist (RefusedNoEntry).
	Entry string
}

// RefusalKind is why a lesson was refused, as far as the officer's next
// step depends on it.
type RefusalKind uint8

const (
	// RefusedTaken: an entry has the citizen's question, and a new draft
	// would duplicate it; the officer changes that entry, or teaches
	// something else.
	RefusedTaken RefusalKind = iota + 1
	// RefusedTakenElsewhere: an entry other than the alternate lesson's
	// has the citizen's question; the officer picks that entry instead,
	// or changes it first.
	RefusedTakenElsewhere
	// RefusedNoEntry: the alternate lesson names no entry (a typo).
	RefusedNoEntry
	// RefusedQuestion: the citizen's question cannot be learnt (or the
	// entry named holds no more alternates); the reply can go without a
	// lesson.
	RefusedQuestion
	// RefusedAnswer: the reply cannot be a FAQ entry's answer; it can go
	// without being saved as one, or be shortened.
	RefusedAnswer
	// RefusedUnwritten: the ticket's question is a file or a place sent
	// without words (ErrUnwrittenQuestion), no question to learn; the
	// reply can go without a lesson, and the officer writes the FAQ
	// entry on the knowledge base's page (or with its command).
	RefusedUnwritten
)

// LessonRefused words the refusal of lesson l (err, from CheckLesson,
// Desk.ReplyAndTeach or Teach) for officers; ok is false for an err that
// is no refusal of the lesson. The text never quotes the citizen: a
// refused question's problem is said without its words.
func LessonRefused(l Lesson, err error) (r LessonRefusal, ok bool) {
	if taken, ok := errors.AsType[*knowledge.QuestionTaken](err); ok {
		r = LessonRefusal{Kind: RefusedTaken, Text: QuestionTakenText(taken), Entry: taken.Entry.Slug}
		if taken.AlternateOf != "" {
			r.Kind = RefusedTakenElsewhere
		}
		return r, true
	}
	if errors.Is(err, ErrUnwrittenQuestion) {
		return LessonRefusal{Kind: RefusedUnwritten, Text: textUnwrittenQuestion}, true
	}
	if errors.Is(err, knowledge.ErrNotFound) {
		slug := strings.TrimSpace(l.AlternateOf)
		return LessonRefusal{Kind: RefusedNoEntry, Text: fmt.Sprintf(textNoEntry, slug), Entry: slug}, true
	}
	fe, ok := errors.AsType[*knowledge.FieldError](err)
	switch {
	case !ok:
		return LessonRefusal{}, false
	case fe.Field == "answer" && fe.Kind == knowledge.FieldTooLong:
		return LessonRefusal{Kind: RefusedAnswer, Text: fmt.Sprintf(textAnswerTooLong, knowledge.MaxAnswerLen)}, true
	case fe.Field == "answer" && fe.Kind == knowledge.FieldMissing:
		return LessonRefusal{Kind: RefusedAnswer, Text: textAnswerEmpty}, true
	case fe.Field == "answer":
		return LessonRefusal{Kind: RefusedAnswer, Text: fmt.Sprintf(textAnswerRefused, fe.Msg)}, true
	case fe.Kind == knowledge.FieldMissing:
		return LessonRefusal{Kind: RefusedQuestion, Text: textWordingEmpty}, true
	case fe.Field == "alternates" && fe.Kind == knowledge.FieldTooMany:
		// The entry is full, not the question at fault.
		slug := strings.TrimSpace(l.AlternateOf)
		return LessonRefusal{Kind: RefusedQuestion, Text: fmt.Sprintf(textEntryFull, slug, knowledge.MaxAlternates), Entry: slug}, true
	}
	return LessonRefusal{Kind: RefusedQuestion, Text: fmt.Sprintf(textWordingRefused, fe.Msg)}, true
}

// QuestionTakenText is what an officer reads when a lesson is refused
// because an entry already has the citizen's question (taken names it,
// its status, and the entry it was refused as an alternate of, if it
// was); each desk adds what became of the reply and how to pick that
// entry or change it.
func QuestionTakenText(taken *knowledge.QuestionTaken) string {
	as := "pertanyaan"
	if taken.Alternate {
		as = "variasi pertanyaan"
	}
	if taken.AlternateOf != "" {
		return fmt.Sprintf(textAlternateTaken, as, taken.Entry.Slug, taken.Entry.Status.Word(), taken.AlternateOf)
	}
	return fmt.Sprintf(textQuestionTaken, as, taken.Entry.Slug, taken.Entry.Status.Word())
}

// KnownWordingText is what an officer reads when the entry slug of an
// alternate lesson already had the citizen's question (Answered.Known).
func KnownWordingText(slug string) string { return fmt.Sprintf(textKnownWording, slug) }

// UnpublishedLessonText is what an officer reads, after the lesson was
// kept, when the entry it went to is a draft or archived: the bot does
// not answer with it until it is published; "" for a published entry.
// Each desk adds how to publish it in its own terms.
func UnpublishedLessonText(e knowledge.Entry) string {
	if e.Status == knowledge.Published || e.Slug == "" {
		return ""
	}
	return fmt.Sprintf("Entri FAQ %s berstatus %s, jadi bot belum menjawab dengannya sampai entri itu diterbitkan.", e.Slug, e.Status.Word())
}

// HideNumbers replaces the runs of digits in s that could identify a
// person (phone numbers, NIK, accounts) with with.
func HideNumbers(s, with string) string { return personalNumbers.ReplaceAllString(s, with) }

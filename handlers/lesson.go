package handlers

import (
	"context"
	"errors"
	"regexp"
	"strings"

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

// ErrTwoLessons is returned for a lesson that asks for both a new entry
// and an alternate.
var ErrTwoLessons = errors.New("handlers: choose either a new FAQ entry or an alternate of an existing one, not both")

// personalNumbers are runs of digits long enough to be a phone number, an
// NIK or an account: a citizen's wording is learnt without them.
var personalNumbers = regexp.MustCompile(`\+?\d[\d\s.-]{6,}\d`)

// Teach applies the lesson of an officer's answer to the knowledge base,
// as a revision by author, and returns the entry it created or changed.
// The citizen's question is learnt without numbers that could identify
// them.
func Teach(ctx context.Context, ks *knowledge.Store, question, answer string, l Lesson, author string) (knowledge.Entry, error) {
	if l.NewFAQ && l.AlternateOf != "" {
		return knowledge.Entry{}, ErrTwoLessons
	}
	q := lessonQuestion(question)
	switch {
	case l.NewFAQ:
		return ks.Draft(ctx, q, answer, l.Like, author)
	case l.AlternateOf != "":
		// "|" separates alternates in CSV files, so an alternate may not
		// hold one; the citizen meant "or".
		return ks.AddAlternate(ctx, strings.TrimSpace(l.AlternateOf), strings.ReplaceAll(q, "|", "/"), author)
	}
	return knowledge.Entry{}, nil
}

// lessonQuestion is the citizen's question as a lesson learns it: without
// numbers that could identify them, its spacing collapsed.
func lessonQuestion(question string) string {
	return strings.Join(strings.Fields(HideNumbers(question, " ")), " ")
}

// EntryWithQuestion returns the entry, of any status, whose question is
// the one a new-FAQ lesson would draft from question, if there is one:
// an earlier lesson of the same ticket, say, that a second draft would
// only duplicate.
func EntryWithQuestion(ctx context.Context, ks *knowledge.Store, question string) (knowledge.Entry, bool, error) {
	q := lessonQuestion(question)
	if q == "" {
		return knowledge.Entry{}, false, nil
	}
	entries, err := ks.List(ctx, knowledge.Filter{Text: q})
	if err != nil {
		return knowledge.Entry{}, false, err
	}
	for _, e := range entries {
		if strings.EqualFold(strings.Join(strings.Fields(e.Question), " "), q) {
			return e, true, nil
		}
	}
	return knowledge.Entry{}, false, nil
}

// HideNumbers replaces the runs of digits in s that could identify a
// person (phone numbers, NIK, accounts) with with.
func HideNumbers(s, with string) string { return personalNumbers.ReplaceAllString(s, with) }

package handlers_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/tebingtinggi/hub/handlers"
	"github.com/tebingtinggi/hub/knowledge"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

func TestTeach(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	ctx := context.Background()
	store, _ := loadStarter(t, db)
	q := "nikah siri dmn ya, hp sy 0812 3456 7890"
	e, err := handlers.Teach(ctx, store, q, "jawaban", handlers.Lesson{AlternateOf: "pengantar-nikah"}, "@ani")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(e.Alternates, "nikah siri dmn ya, hp sy") || e.UpdatedBy != "@ani" {
		t.Errorf("alternates %q by %q; want the question without the phone number, by the officer", e.Alternates, e.UpdatedBy)
	}
	// "|" separates alternates in CSV files and is refused inside one; a
	// citizen who typed it ("ktp|kk") still teaches the bot.
	e, err = handlers.Teach(ctx, store, "syarat ktp|kk baru apa", "jawaban", handlers.Lesson{AlternateOf: "pengantar-nikah"}, "@ani")
	if err != nil || !slices.Contains(e.Alternates, "syarat ktp/kk baru apa") {
		t.Errorf("a question with |: alternates %q, %v", e.Alternates, err)
	}
	if _, err := handlers.Teach(ctx, store, q, "a", handlers.Lesson{NewFAQ: true, AlternateOf: "x"}, "@ani"); !errors.Is(err, handlers.ErrTwoLessons) {
		t.Errorf("two lessons: %v", err)
	}
	if e, err := handlers.Teach(ctx, store, q, "a", handlers.Lesson{}, "@ani"); err != nil || e.Slug != "" {
		t.Errorf("no lesson: %+v, %v; want nothing done", e, err)
	}
	if got := handlers.HideNumbers("NIK 1276012345678901, rumah no 12", "•"); got != "NIK •, rumah no 12" {
		t.Errorf("HideNumbers = %q", got)
	}
}

// TestTeachDraftsAQuestionOnce: a new-FAQ lesson whose question (as the
// lesson learns it: numbers hidden, spacing and case aside) an entry
// already has is refused, before the answer by CheckLesson and in the
// drafting transaction by Teach, naming the entry and its status; two
// officers at once make one draft.
func TestTeachDraftsAQuestionOnce(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		store, _ := loadStarter(t, db)
		q := "kartu  perpustakaan 100% hilang, hp sy 0812 3456 7890"
		newFAQ := handlers.Lesson{NewFAQ: true}
		if err := handlers.CheckLesson(ctx, store, q, newFAQ); err != nil {
			t.Fatalf("before any lesson: %v; want nothing in the way", err)
		}
		drafts := func() int {
			t.Helper()
			n, err := store.Count(ctx, knowledge.Draft)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		before := drafts()
		const officers = 4
		start := make(chan struct{})
		var wg sync.WaitGroup
		made := make([]knowledge.Entry, officers)
		errs := make([]error, officers)
		for i := range officers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				made[i], errs[i] = handlers.Teach(ctx, store, q, "jawaban", newFAQ, "@petugas")
			}()
		}
		close(start)
		wg.Wait()
		var draft knowledge.Entry
		for i, err := range errs {
			if err == nil {
				draft = made[i]
			}
		}
		if draft.Slug == "" || drafts() != before+1 {
			t.Fatalf("%d drafts made by officers at once (%v); want one", drafts()-before, errs)
		}
		for i, err := range errs {
			if taken, ok := errors.AsType[*knowledge.QuestionTaken](err); err != nil && (!ok || taken.Entry.Slug != draft.Slug) {
				t.Errorf("officer %d: %v; want the draft %s named", i, err, draft.Slug)
			}
		}
		for _, asked := range []string{q, "Kartu perpustakaan 100% hilang, HP sy 0813 0000 1111 "} {
			err := handlers.CheckLesson(ctx, store, asked, newFAQ)
			if taken, ok := errors.AsType[*knowledge.QuestionTaken](err); !ok || taken.Entry.Slug != draft.Slug {
				t.Errorf("CheckLesson(%q): %v; want the draft %q named", asked, err, draft.Slug)
			} else if got, want := handlers.QuestionTakenText(taken.Entry), "FAQ "+draft.Slug+" (draf)"; !strings.Contains(got, want) {
				t.Errorf("the officer reads %q; want %q in it", got, want)
			}
			if _, err := handlers.Teach(ctx, store, asked, "jawaban", newFAQ, "@budi"); !errors.As(err, new(*knowledge.QuestionTaken)) {
				t.Errorf("Teach(%q) again: %v; want refused", asked, err)
			}
		}
		if drafts() != before+1 {
			t.Errorf("%d drafts; want the one", drafts()-before)
		}
		for _, other := range []string{"kartu perpustakaan 100% hilang, bagaimana", "kartu perpustakaan", ""} {
			if err := handlers.CheckLesson(ctx, store, other, newFAQ); err != nil {
				t.Errorf("%q: %v; want nothing in the way", other, err)
			}
		}
		// The same question may still become an alternate; a lesson of
		// an entry that does not exist, or of two kinds, is refused.
		if err := handlers.CheckLesson(ctx, store, q, handlers.Lesson{AlternateOf: " pengantar-nikah "}); err != nil {
			t.Errorf("an alternate: %v", err)
		}
		if err := handlers.CheckLesson(ctx, store, q, handlers.Lesson{AlternateOf: "tidak-ada"}); !errors.Is(err, knowledge.ErrNotFound) {
			t.Errorf("an alternate of no entry: %v", err)
		}
		if err := handlers.CheckLesson(ctx, store, q, handlers.Lesson{NewFAQ: true, AlternateOf: "pengantar-nikah"}); !errors.Is(err, handlers.ErrTwoLessons) {
			t.Errorf("two lessons: %v", err)
		}
	})
}

// TestLikeFor: a draft takes the category of the bot's best candidate
// only when the bot gives it some confidence; for a question the
// knowledge base knows nothing like, it suggests none.
func TestLikeFor(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	_, ix := loadStarter(t, db)
	if got := handlers.LikeFor(ix, "ktp sy ilang gmn ngurusnya"); got != "ktp-hilang" {
		t.Errorf("a question close to an entry: like %q, want ktp-hilang", got)
	}
	q := "sengketa batas tanah dengan tetangga"
	res := ix.Search(q)
	if len(res.Candidates) == 0 {
		t.Fatalf("%q has no candidate at all; the test needs a weak one", q)
	}
	if res.Candidates[0].Score >= 0.2 {
		t.Fatalf("%q: best candidate %s at %.2f; the test needs one below 0.2", q, res.Candidates[0].Slug, res.Candidates[0].Score)
	}
	if got := handlers.LikeFor(ix, q); got != "" {
		t.Errorf("a question nothing is like: like %q (a weak candidate's category), want none", got)
	}
}

// TestTeachGroup: a group's wordings are learnt in one revision, as the
// draft's question and alternates or as an entry's alternates, each once
// when they are the same without the citizen's numbers; a wording that
// leaves nothing to learn is refused by its place, and nothing is
// written.
func TestTeachGroup(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		store, _ := loadStarter(t, db)
		group := []string{"paspor umroh syaratnya, wa 0812 3456 7890", "Paspor umroh  syaratnya, WA 0813 9999 8888", "paspor|visa umroh apa saja"}
		e, err := handlers.TeachGroup(ctx, store, group, "Bawa KTP dan KK.", handlers.Lesson{NewFAQ: true}, "@ani")
		if err != nil {
			t.Fatal(err)
		}
		if e.Question != "paspor umroh syaratnya, wa" || !slices.Equal(e.Alternates, []string{"paspor/visa umroh apa saja"}) {
			t.Errorf("draft %q with alternates %q; want the wordings without numbers, each once", e.Question, e.Alternates)
		}
		if revs, err := store.Revisions(ctx, e.Slug); err != nil || len(revs) != 1 || revs[0].Author != "@ani" {
			t.Errorf("revisions %+v, %v; want one, by the officer", revs, err)
		}

		before, err := store.Get(ctx, "pengantar-nikah")
		if err != nil {
			t.Fatal(err)
		}
		alt := handlers.Lesson{AlternateOf: "pengantar-nikah"}
		for _, l := range []handlers.Lesson{alt, {NewFAQ: true}} {
			_, err := handlers.TeachGroup(ctx, store, []string{"surat nikah dari lurah", "0812 3456 7890"}, "jawaban", l, "@ani")
			if we, ok := errors.AsType[*knowledge.WordingError](err); !ok || we.Index != 1 || we.Problem.Kind != knowledge.FieldMissing {
				t.Errorf("%+v: a wording of nothing but a phone number: %v; want the second wording refused", l, err)
			}
		}
		if _, ok, err := store.EntryWithQuestion(ctx, "surat nikah dari lurah"); ok || err != nil {
			t.Errorf("a refused group drafted: %v, %v", ok, err)
		}
		e, err = handlers.TeachGroup(ctx, store, []string{"surat nikah dari lurah", "Surat  nikah dari LURAH 0812 3456 7890", "pengantar nikah|kua"}, "", alt, "@budi")
		if err != nil || e.Version != before.Version+1 || !slices.Equal(e.Alternates, append(before.Alternates, "surat nikah dari lurah", "pengantar nikah/kua")) {
			t.Errorf("alternates %q at version %d, %v; want two more in one version after %d", e.Alternates, e.Version, err, before.Version)
		}
	})
}

// TestCheckLessonTellsAMissingEntryFromAFailure: only an entry that does
// not exist is reported as missing; a database that fails is a failure.
func TestCheckLessonTellsAMissingEntryFromAFailure(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	ctx := context.Background()
	store, _ := loadStarter(t, db)
	err := handlers.CheckLesson(ctx, store, "ktp ilang", handlers.Lesson{AlternateOf: "tidak-ada"})
	if !errors.Is(err, knowledge.ErrNotFound) || !strings.Contains(err.Error(), `no entry "tidak-ada"`) {
		t.Errorf("an entry that does not exist: %v; want it named as missing", err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	err = handlers.CheckLesson(ctx, store, "ktp ilang", handlers.Lesson{AlternateOf: "ktp-hilang"})
	if err == nil || errors.Is(err, knowledge.ErrNotFound) || strings.Contains(err.Error(), "no entry") {
		t.Errorf("a closed database: %v; want a failure, not a missing entry", err)
	}
}

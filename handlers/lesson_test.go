package handlers_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/tebingtinggi/hub/handlers"
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

// TestEntryWithQuestion finds the draft a new-FAQ lesson made from a
// question (as the lesson learnt it: numbers hidden, spacing and case
// aside), so that the same lesson is not drafted twice.
func TestEntryWithQuestion(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		store, _ := loadStarter(t, db)
		q := "kartu  perpustakaan 100% hilang, hp sy 0812 3456 7890"
		if _, ok, err := handlers.EntryWithQuestion(ctx, store, q); err != nil || ok {
			t.Fatalf("before any lesson: found %v, %v; want nothing", ok, err)
		}
		draft, err := handlers.Teach(ctx, store, q, "jawaban", handlers.Lesson{NewFAQ: true}, "@ani")
		if err != nil {
			t.Fatal(err)
		}
		for _, asked := range []string{q, "Kartu perpustakaan 100% hilang, HP sy 0813 0000 1111 "} {
			e, ok, err := handlers.EntryWithQuestion(ctx, store, asked)
			if err != nil || !ok || e.Slug != draft.Slug {
				t.Errorf("%q: %q %v %v; want the draft %q", asked, e.Slug, ok, err, draft.Slug)
			}
		}
		for _, other := range []string{"kartu perpustakaan 100% hilang, bagaimana", "kartu perpustakaan", ""} {
			if e, ok, err := handlers.EntryWithQuestion(ctx, store, other); err != nil || ok {
				t.Errorf("%q: found %q (%v); want nothing", other, e.Slug, err)
			}
		}
	})
}

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

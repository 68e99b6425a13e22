package handlers_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/handlers"
	"github.com/tebingtinggi/hub/inbox"
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
		if err := handlers.CheckLesson(ctx, store, q, "Jawaban.", newFAQ); err != nil {
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
			err := handlers.CheckLesson(ctx, store, asked, "Jawaban.", newFAQ)
			if taken, ok := errors.AsType[*knowledge.QuestionTaken](err); !ok || taken.Entry.Slug != draft.Slug {
				t.Errorf("CheckLesson(%q): %v; want the draft %q named", asked, err, draft.Slug)
			} else if got, want := handlers.QuestionTakenText(taken), "FAQ "+draft.Slug+" (draf)"; !strings.Contains(got, want) {
				t.Errorf("the officer reads %q; want %q in it", got, want)
			}
			if _, err := handlers.Teach(ctx, store, asked, "jawaban", newFAQ, "@budi"); !errors.As(err, new(*knowledge.QuestionTaken)) {
				t.Errorf("Teach(%q) again: %v; want refused", asked, err)
			}
		}
		if drafts() != before+1 {
			t.Errorf("%d drafts; want the one", drafts()-before)
		}
		for _, other := range []string{"kartu perpustakaan 100% hilang, bagaimana", "kartu perpustakaan"} {
			if err := handlers.CheckLesson(ctx, store, other, "Jawaban.", newFAQ); err != nil {
				t.Errorf("%q: %v; want nothing in the way", other, err)
			}
		}
		// No question at all is no entry's, and no draft's either.
		if err := handlers.CheckLesson(ctx, store, "", "Jawaban.", newFAQ); !errors.As(err, new(*knowledge.FieldError)) || errors.As(err, new(*knowledge.QuestionTaken)) {
			t.Errorf("an empty question: %v; want it refused as a question, not as taken", err)
		}
		// Nor may it become an alternate of another entry; a lesson of
		// an entry that does not exist, or of two kinds, is refused.
		err := handlers.CheckLesson(ctx, store, q, "Jawaban.", handlers.Lesson{AlternateOf: " pengantar-nikah "})
		if taken, ok := errors.AsType[*knowledge.QuestionTaken](err); !ok || taken.Entry.Slug != draft.Slug || taken.AlternateOf != "pengantar-nikah" {
			t.Errorf("an alternate of another entry: %v; want the draft %s named", err, draft.Slug)
		}
		if err := handlers.CheckLesson(ctx, store, q, "Jawaban.", handlers.Lesson{AlternateOf: "tidak-ada"}); !errors.Is(err, knowledge.ErrNotFound) {
			t.Errorf("an alternate of no entry: %v", err)
		}
		if err := handlers.CheckLesson(ctx, store, q, "Jawaban.", handlers.Lesson{NewFAQ: true, AlternateOf: "pengantar-nikah"}); !errors.Is(err, handlers.ErrTwoLessons) {
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
		e, _, err := handlers.TeachGroup(ctx, store, group, "Bawa KTP dan KK.", handlers.Lesson{NewFAQ: true}, "@ani")
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
			_, _, err := handlers.TeachGroup(ctx, store, []string{"surat nikah dari lurah", "0812 3456 7890"}, "jawaban", l, "@ani")
			if we, ok := errors.AsType[*knowledge.WordingError](err); !ok || we.Index != 1 || we.Problem.Kind != knowledge.FieldMissing {
				t.Errorf("%+v: a wording of nothing but a phone number: %v; want the second wording refused", l, err)
			}
		}
		if _, ok, err := store.EntryWithQuestion(ctx, "surat nikah dari lurah"); ok || err != nil {
			t.Errorf("a refused group drafted: %v, %v", ok, err)
		}
		group = []string{"surat nikah dari lurah", "Surat  nikah dari LURAH 0812 3456 7890", "pengantar nikah|kua"}
		e, known, err := handlers.TeachGroup(ctx, store, group, "", alt, "@budi")
		if err != nil || known || e.Version != before.Version+1 || !slices.Equal(e.Alternates, append(before.Alternates, "surat nikah dari lurah", "pengantar nikah/kua")) {
			t.Errorf("alternates %q at version %d, known %v, %v; want two more in one version after %d", e.Alternates, e.Version, known, err, before.Version)
		}
		// Again: the entry has every wording, and says so.
		if again, known, err := handlers.TeachGroup(ctx, store, group[1:], "", alt, "@budi"); err != nil || !known || again.Version != e.Version {
			t.Errorf("the same group again: version %d, known %v, %v; want known, nothing added", again.Version, known, err)
		}
	})
}

// TestCheckLessonTellsAMissingEntryFromAFailure: only an entry that does
// not exist is reported as missing; a database that fails is a failure.
func TestCheckLessonTellsAMissingEntryFromAFailure(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	ctx := context.Background()
	store, _ := loadStarter(t, db)
	err := handlers.CheckLesson(ctx, store, "ktp ilang", "Jawaban.", handlers.Lesson{AlternateOf: "tidak-ada"})
	if !errors.Is(err, knowledge.ErrNotFound) || !strings.Contains(err.Error(), `no entry "tidak-ada"`) {
		t.Errorf("an entry that does not exist: %v; want it named as missing", err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	err = handlers.CheckLesson(ctx, store, "ktp ilang", "Jawaban.", handlers.Lesson{AlternateOf: "ktp-hilang"})
	if err == nil || errors.Is(err, knowledge.ErrNotFound) || strings.Contains(err.Error(), "no entry") {
		t.Errorf("a closed database: %v; want a failure, not a missing entry", err)
	}
}

// TestReplyAndTeachIsOneStep: an officer's reply and its lesson are one
// transaction. Another officer drafting the question between the desk's
// check and the reply (the desk's clock is read in between) leaves the
// ticket unanswered and nothing queued, the refusal naming their draft;
// a reply that cannot be made leaves no lesson; an alternate the entry
// already has is sent and told, adding nothing.
func TestReplyAndTeachIsOneStep(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		ks, _ := loadStarter(t, db)
		in := inbox.New(db)
		desk := &handlers.Desk{Inbox: in, DB: db}
		open := func(chat, question string) int64 { return openTicket(t, db, in, chat, question) }
		// sent is the ticket's status, its officer messages and the
		// outbox rows of its chat.
		sent := func(id int64, chat string) (inbox.TicketStatus, int, int) {
			t.Helper()
			d, err := in.Get(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			officer := 0
			for _, m := range d.Messages {
				if m.AuthorKind == inbox.Officer {
					officer++
				}
			}
			var rows int
			if err := db.GetContext(ctx, &rows, db.Rebind(`SELECT COUNT(*) FROM outbox WHERE chat_id = ?`), chat); err != nil {
				t.Fatal(err)
			}
			return d.Ticket.Status, officer, rows
		}
		unsent := func(what string, id int64, chat string) {
			t.Helper()
			if st, msgs, rows := sent(id, chat); st != inbox.Open || msgs != 0 || rows != 0 {
				t.Errorf("%s: status %s, %d officer messages, %d outbox rows; want the ticket open and nothing sent", what, st, msgs, rows)
			}
		}
		newFAQ := handlers.Lesson{NewFAQ: true}

		// Budi drafts the question after Ani's desk checked it.
		const q = "zzq izin pentas kuda lumping di lapangan, wa 0812 3456 7890"
		race := open("401", q)
		if err := handlers.CheckLesson(ctx, ks, q, "Jawaban.", newFAQ); err != nil {
			t.Fatalf("the desk's check: %v; want nothing in the way yet", err)
		}
		var budis knowledge.Entry
		desk.Now = func() time.Time {
			if budis.Slug == "" {
				var err error
				if budis, err = handlers.Teach(ctx, ks, q, "Jawaban Budi.", newFAQ, "@budi"); err != nil {
					t.Errorf("Budi's draft: %v", err)
				}
			}
			return time.Now()
		}
		_, err := desk.ReplyAndTeach(ctx, race, "@ani", "Jawaban Ani.", ks, newFAQ, "@ani")
		if taken, ok := errors.AsType[*knowledge.QuestionTaken](err); !ok || budis.Slug == "" || taken.Entry.Slug != budis.Slug {
			t.Errorf("Ani's reply after Budi's draft %q: %v; want refused naming it", budis.Slug, err)
		}
		unsent("a reply whose draft was refused", race, "401")
		if got, err := ks.Get(ctx, budis.Slug); err != nil || got.Answer != "Jawaban Budi." || got.Version != 1 {
			t.Errorf("Budi's draft after Ani's reply: %+v, %v; want it untouched", got, err)
		}
		desk.Now = nil

		// An alternate of no entry, and a question with nothing left to
		// learn: refused, nothing sent.
		if _, err := desk.ReplyAndTeach(ctx, race, "@ani", "Jawaban.", ks, handlers.Lesson{AlternateOf: "tidak-ada"}, "@ani"); !errors.Is(err, knowledge.ErrNotFound) {
			t.Errorf("an alternate of no entry: %v", err)
		}
		unsent("an alternate of no entry", race, "401")
		numbers := open("402", "0812 3456 7890")
		_, err = desk.ReplyAndTeach(ctx, numbers, "@ani", "Jawaban.", ks, handlers.Lesson{AlternateOf: "ktp-hilang"}, "@ani")
		if r, ok := handlers.LessonRefused(handlers.Lesson{AlternateOf: "ktp-hilang"}, err); !ok || r.Kind != handlers.RefusedQuestion || !strings.Contains(r.Text, "tidak ada kata yang tersisa") {
			t.Errorf("a question of nothing but a phone number: %v, read as %+v", err, r)
		}
		unsent("a question of nothing but a phone number", numbers, "402")

		// A reply that cannot be queued, or to a closed ticket, teaches
		// nothing.
		const fresh = "zzq sewa gedung serbaguna kecamatan"
		other := open("403", fresh)
		restore := failOutbox(t, db)
		if _, err := desk.ReplyAndTeach(ctx, other, "@ani", "Jawaban.", ks, newFAQ, "@ani"); err == nil {
			t.Error("a reply with the outbox failing: want an error")
		}
		restore()
		unsent("a reply with the outbox failing", other, "403")
		closed := open("404", fresh)
		if _, err := in.Close(ctx, db, closed, "@ani", false, time.Now()); err != nil {
			t.Fatal(err)
		}
		if _, err := desk.ReplyAndTeach(ctx, closed, "@ani", "Jawaban.", ks, newFAQ, "@ani"); !errors.Is(err, inbox.ErrClosed) {
			t.Errorf("a reply to a closed ticket: %v; want ErrClosed", err)
		}
		if taken, err := ks.Taken(ctx, fresh); taken != nil || err != nil {
			t.Errorf("a reply that was not made drafted %+v (%v)", taken, err)
		}

		// Both at once.
		a, err := desk.ReplyAndTeach(ctx, other, "@ani", "  Sewa di kantor camat.\n", ks, newFAQ, "@ani")
		if err != nil || a.Entry.Question != fresh || a.Entry.Answer != "Sewa di kantor camat." || a.Ticket.Status != inbox.Answered || a.Known {
			t.Fatalf("a reply with a new FAQ: %+v, %v", a, err)
		}
		if st, msgs, rows := sent(other, "403"); st != inbox.Answered || msgs != 1 || rows != 1 {
			t.Errorf("after the reply: status %s, %d officer messages, %d outbox rows; want answered, 1, 1", st, msgs, rows)
		}

		// The citizen's question as an alternate of an entry that has it:
		// sent, nothing added, and said so.
		before, err := ks.Get(ctx, "ktp-hilang")
		if err != nil {
			t.Fatal(err)
		}
		known := open("405", strings.ToUpper(before.Alternates[0])+" 0812 3456 7890")
		a, err = desk.ReplyAndTeach(ctx, known, "@ani", "Lapor ke kelurahan.", ks, handlers.Lesson{AlternateOf: "ktp-hilang"}, "@ani")
		if err != nil || !a.Known || a.Entry.Version != before.Version {
			t.Errorf("an alternate the entry has: %+v, %v; want it sent, known, and the entry at version %d", a, err, before.Version)
		}
		if text := handlers.KnownWordingText(a.Entry.Slug); !strings.Contains(text, "ktp-hilang sudah memuat") {
			t.Errorf("the officer reads %q", text)
		}
		if st, _, rows := sent(known, "405"); st != inbox.Answered || rows != 1 {
			t.Errorf("the reply with a known alternate: status %s, %d outbox rows; want it sent", st, rows)
		}
	})
}

// TestCheckLessonNamesAnAlternate: a new FAQ of a question an entry has
// as an alternate is refused before the answer, the officer reading the
// entry, its status and that the question is one of its alternates.
func TestCheckLessonNamesAnAlternate(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		ks, _ := loadStarter(t, db)
		e := withAlternate(t, ks, "ktp-hilang")
		asked := "  " + strings.ToUpper(e.Alternates[0]) + " 0812 3456 7890"
		err := handlers.CheckLesson(ctx, ks, asked, "Jawaban.", handlers.Lesson{NewFAQ: true})
		taken, ok := errors.AsType[*knowledge.QuestionTaken](err)
		if !ok || taken.Entry.Slug != "ktp-hilang" || !taken.Alternate {
			t.Fatalf("CheckLesson(%q): %v; want ktp-hilang named for its alternate", asked, err)
		}
		if got, want := handlers.QuestionTakenText(taken), "sudah ada sebagai variasi pertanyaan entri FAQ ktp-hilang (terbit)"; !strings.Contains(got, want) {
			t.Errorf("the officer reads %q; want %q in it", got, want)
		}
		if _, err := handlers.Teach(ctx, ks, asked, "jawaban", handlers.Lesson{NewFAQ: true}, "@ani"); !errors.As(err, new(*knowledge.QuestionTaken)) {
			t.Errorf("Teach: %v; want refused", err)
		}
	})
}

// TestAlternateOfAnotherEntrysQuestion: the citizen's question as an
// alternate of one entry, when another entry has it (as its question or
// an alternate, numbers, case and spacing aside), is refused by every
// way a desk teaches: before the answer by CheckLesson, and in the
// reply's transaction, which then sends nothing; the officer reads the
// other entry, its status, and the entry the lesson was for. Nothing
// is added to either entry. As a group draft's other wording it is
// refused too.
func TestAlternateOfAnotherEntrysQuestion(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		ks, _ := loadStarter(t, db)
		in := inbox.New(db)
		desk := &handlers.Desk{Inbox: in, DB: db}
		ktp := withAlternate(t, ks, "ktp-hilang")
		nikah, err := ks.Get(ctx, "pengantar-nikah")
		if err != nil {
			t.Fatal(err)
		}
		alt := handlers.Lesson{AlternateOf: "pengantar-nikah"}
		for i, c := range []struct {
			asked     string
			alternate bool
			want      string
		}{
			{"  " + strings.ToUpper(ktp.Alternates[0]) + " 0812 3456 7890", true,
				"sudah ada sebagai variasi pertanyaan entri FAQ ktp-hilang (terbit), jadi tidak ditambahkan sebagai variasi entri FAQ pengantar-nikah"},
			{strings.ToLower(ktp.Question) + "  0813 1111 2222 ", false,
				"sudah ada sebagai pertanyaan entri FAQ ktp-hilang (terbit), jadi tidak ditambahkan sebagai variasi entri FAQ pengantar-nikah"},
		} {
			chat := "50" + string(rune('0'+i))
			id := openTicket(t, db, in, chat, c.asked)
			named := func(how string, err error) {
				t.Helper()
				taken, ok := errors.AsType[*knowledge.QuestionTaken](err)
				if !ok || taken.Entry.Slug != "ktp-hilang" || taken.Alternate != c.alternate || taken.AlternateOf != "pengantar-nikah" {
					t.Errorf("%s %q: %v; want refused naming ktp-hilang", how, c.asked, err)
					return
				}
				if got := handlers.QuestionTakenText(taken); !strings.Contains(got, c.want) {
					t.Errorf("%s %q: the officer reads %q; want %q in it", how, c.asked, got, c.want)
				}
			}
			named("CheckLesson", handlers.CheckLesson(ctx, ks, c.asked, "Jawaban.", alt))
			_, err = desk.ReplyAndTeach(ctx, id, "@ani", "Jawaban.", ks, alt, "@ani")
			named("ReplyAndTeach", err)
			d, err := in.Get(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			var rows int
			if err := db.GetContext(ctx, &rows, db.Rebind(`SELECT COUNT(*) FROM outbox WHERE chat_id = ?`), chat); err != nil {
				t.Fatal(err)
			}
			if d.Ticket.Status != inbox.Open || rows != 0 {
				t.Errorf("%q: ticket %s, %d outbox rows; want it open and nothing sent", c.asked, d.Ticket.Status, rows)
			}
			_, err = handlers.Teach(ctx, ks, c.asked, "", alt, "@ani")
			named("Teach", err)
			// A group with it among other wordings names its place.
			_, _, err = handlers.TeachGroup(ctx, ks, []string{"surat pengantar kua dari kelurahan", c.asked}, "", alt, "@ani")
			if we, ok := errors.AsType[*knowledge.WordingError](err); !ok || we.Index != 1 || we.Taken == nil || we.Taken.Entry.Slug != "ktp-hilang" {
				t.Errorf("a group with %q: %v; want its second wording refused naming ktp-hilang", c.asked, err)
			}
		}
		for slug, before := range map[string]knowledge.Entry{"ktp-hilang": ktp, "pengantar-nikah": nikah} {
			if e, err := ks.Get(ctx, slug); err != nil || e.Version != before.Version {
				t.Errorf("%s at version %d (%v); want still %d", slug, e.Version, err, before.Version)
			}
		}
		// The entry that has the question may be chosen: it adds nothing.
		if err := handlers.CheckLesson(ctx, ks, ktp.Alternates[0], "Jawaban.", handlers.Lesson{AlternateOf: "ktp-hilang"}); err != nil {
			t.Errorf("an alternate of the entry that has it: %v", err)
		}
		// A group draft with it among its other wordings: refused by its
		// place, and no draft is made.
		const first = "zzq ktp hanyut kena banjir"
		group := []string{first, "zzq ktp hanyut", strings.ToUpper(ktp.Alternates[0]) + " 0812 3456 7890"}
		_, _, err = handlers.TeachGroup(ctx, ks, group, "Ke Disdukcapil.", handlers.Lesson{NewFAQ: true}, "@ani")
		if we, ok := errors.AsType[*knowledge.WordingError](err); !ok || we.Index != 2 || we.Taken == nil ||
			we.Taken.Entry.Slug != "ktp-hilang" || !we.Taken.Alternate || we.Taken.AlternateOf != "" {
			t.Errorf("a group draft with ktp-hilang's alternate: %v; want its third wording refused naming ktp-hilang", err)
		}
		if taken, err := ks.Taken(ctx, first); taken != nil || err != nil {
			t.Errorf("a refused group drafted %+v (%v)", taken, err)
		}
	})
}

// withAlternate is the entry slug, which the test needs to have an
// alternate.
func withAlternate(t *testing.T, ks *knowledge.Store, slug string) knowledge.Entry {
	t.Helper()
	e, err := ks.Get(context.Background(), slug)
	if err != nil || len(e.Alternates) == 0 {
		t.Fatalf("%s: %+v, %v; the test needs an alternate", slug, e, err)
	}
	return e
}

// openTicket opens a ticket of question from a citizen in chat, and
// returns its id.
func openTicket(t *testing.T, db *storage.DB, in *inbox.Store, chat, question string) int64 {
	t.Helper()
	ctx := context.Background()
	c, err := in.EnsureConversation(ctx, db, bots.Telegram, chat, chat, "Warga")
	if err != nil {
		t.Fatal(err)
	}
	tk, err := storagetest.InTx(db, func(tx *sqlx.Tx) (inbox.Ticket, error) {
		tk, _, err := in.OpenTicket(ctx, tx, c.ID, "", question, inbox.NoMatch, time.Now())
		return tk, err
	})
	if err != nil {
		t.Fatal(err)
	}
	return tk.ID
}

// TestLongAnswerIsNoFAQEntry: a reply longer than a FAQ entry's answer
// may be is refused as a new entry, by CheckLesson before anything is
// sent and by ReplyAndTeach, which sends nothing; the refusal names the
// answer, not the citizen's question. Without the lesson, or as an
// alternate lesson (which keeps no answer), the same reply is sent, in
// parts.
func TestLongAnswerIsNoFAQEntry(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		ks, _ := loadStarter(t, db)
		in := inbox.New(db)
		desk := &handlers.Desk{Inbox: in, DB: db}
		const q = "zzq blorf sewa tenda untuk hajatan di kelurahan"
		long := strings.Repeat("Bawa KTP asli. ", knowledge.MaxAnswerLen/15+1)
		newFAQ := handlers.Lesson{NewFAQ: true}
		rows := func(chat string) int {
			t.Helper()
			var n int
			if err := db.GetContext(ctx, &n, db.Rebind(`SELECT COUNT(*) FROM outbox WHERE chat_id = ?`), chat); err != nil {
				t.Fatal(err)
			}
			return n
		}
		refusedForAnswer := func(what string, err error) {
			t.Helper()
			if fe, ok := errors.AsType[*knowledge.FieldError](err); !ok || fe.Field != "answer" || fe.Kind != knowledge.FieldTooLong {
				t.Errorf("%s: %v; want the answer refused as too long", what, err)
			}
			r, ok := handlers.LessonRefused(newFAQ, err)
			if !ok || r.Kind != handlers.RefusedAnswer || !strings.Contains(r.Text, "Balasan ini terlalu panjang untuk disimpan sebagai entri FAQ") ||
				!strings.Contains(r.Text, "paling panjang 4096 karakter") || !strings.Contains(r.Text, "tanpa disimpan sebagai FAQ") ||
				strings.Contains(r.Text, "Pertanyaan warga") {
				t.Errorf("%s: read as %+v", what, r)
			}
		}

		id := openTicket(t, db, in, "501", q)
		refusedForAnswer("CheckLesson", handlers.CheckLesson(ctx, ks, q, long, newFAQ))
		_, err := desk.ReplyAndTeach(ctx, id, "@ani", long, ks, newFAQ, "@ani")
		refusedForAnswer("ReplyAndTeach", err)
		if d, err := in.Get(ctx, id); err != nil || d.Ticket.Status != inbox.Open || rows("501") != 0 {
			t.Errorf("after the refusal: %+v, %v, %d outbox rows; want the ticket open and nothing sent", d.Ticket, err, rows("501"))
		}
		if taken, err := ks.Taken(ctx, q); taken != nil || err != nil {
			t.Errorf("the refused lesson drafted %+v (%v)", taken, err)
		}

		// The limit itself is an answer, counted as the desk cleans it.
		limit := "  " + strings.Repeat("x", knowledge.MaxAnswerLen) + "\n"
		if err := handlers.CheckLesson(ctx, ks, q, limit, newFAQ); err != nil {
			t.Errorf("an answer of exactly %d characters: %v", knowledge.MaxAnswerLen, err)
		}
		if err := handlers.CheckLesson(ctx, ks, q, long, handlers.Lesson{AlternateOf: "ktp-hilang"}); err != nil {
			t.Errorf("a long answer with an alternate lesson: %v; want no refusal", err)
		}
		if _, err := desk.ReplyAndTeach(ctx, id, "@ani", long, ks, handlers.Lesson{}, "@ani"); err != nil || rows("501") < 2 {
			t.Errorf("the long reply without a lesson: %v, %d outbox rows; want it sent in parts", err, rows("501"))
		}
	})
}

// TestCheckLessonRefusesAnUnlearnableQuestion: a citizen's question with
// nothing left once the numbers that could identify them are hidden is
// refused by CheckLesson, before the ticket is claimed, as ReplyAndTeach
// would refuse it, for either lesson.
func TestCheckLessonRefusesAnUnlearnableQuestion(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		ks, _ := loadStarter(t, db)
		in := inbox.New(db)
		desk := &handlers.Desk{Inbox: in, DB: db}
		const q = "0812 3456 7890"
		for _, l := range []handlers.Lesson{{NewFAQ: true}, {AlternateOf: "ktp-hilang"}} {
			checked := handlers.CheckLesson(ctx, ks, q, "Jawaban.", l)
			r, ok := handlers.LessonRefused(l, checked)
			if !ok || r.Kind != handlers.RefusedQuestion {
				t.Errorf("CheckLesson(%q, %+v) = %v, read as %+v; want the question refused", q, l, checked, r)
			}
			id := openTicket(t, db, in, "502", q)
			_, err := desk.ReplyAndTeach(ctx, id, "@ani", "Jawaban.", ks, l, "@ani")
			if sent, ok := handlers.LessonRefused(l, err); !ok || sent != r {
				t.Errorf("ReplyAndTeach with %+v: %v, read as %+v; want what CheckLesson said, %+v", l, err, sent, r)
			}
		}
	})
}

// TestLessonRefusedWordsEveryRefusal: each refusal of a lesson is read by
// the officer with what it is about; an answer the knowledge base cannot
// keep otherwise is named as the answer too.
func TestLessonRefusedWordsEveryRefusal(t *testing.T) {
	alt := handlers.Lesson{AlternateOf: " ktp-baru "}
	for _, c := range []struct {
		name  string
		l     handlers.Lesson
		err   error
		kind  handlers.RefusalKind
		entry string
		want  string
	}{
		{"taken", handlers.Lesson{NewFAQ: true}, &knowledge.QuestionTaken{Entry: knowledge.Entry{Slug: "ktp-hilang", Status: knowledge.Draft}},
			handlers.RefusedTaken, "ktp-hilang", "entri FAQ ktp-hilang (draf), jadi entri baru tidak dibuat"},
		{"taken elsewhere", alt, &knowledge.WordingError{Taken: &knowledge.QuestionTaken{Entry: knowledge.Entry{Slug: "ktp-hilang", Status: knowledge.Published}, Alternate: true, AlternateOf: "ktp-baru"}},
			handlers.RefusedTakenElsewhere, "ktp-hilang", "tidak ditambahkan sebagai variasi entri FAQ ktp-baru"},
		{"no entry", alt, errors.Join(errors.New("handlers: no entry"), knowledge.ErrNotFound), handlers.RefusedNoEntry, "ktp-baru", `Tidak ada entri FAQ dengan id "ktp-baru".`},
		{"question", alt, &knowledge.WordingError{Problem: &knowledge.FieldError{Field: "alternates", Kind: knowledge.FieldTooLong, Msg: "lebih dari 1000 karakter (1200)"}},
			handlers.RefusedQuestion, "", "Pertanyaan warga tidak bisa menjadi pelajaran untuk bot: lebih dari 1000 karakter (1200)."},
		{"answer", handlers.Lesson{NewFAQ: true}, knowledge.ValidateAnswer("Tekan \x1b[31m"),
			handlers.RefusedAnswer, "", "Balasan ini tidak bisa disimpan sebagai entri FAQ: berisi karakter kendali U+001B."},
		{"empty answer", handlers.Lesson{NewFAQ: true}, knowledge.ValidateAnswer(" \n"), handlers.RefusedAnswer, "", "isinya kosong"},
		{"unwritten", handlers.Lesson{NewFAQ: true}, fmt.Errorf("desk: %w", handlers.ErrUnwrittenQuestion), handlers.RefusedUnwritten, "",
			"Pertanyaan tiket ini bukan pertanyaan tertulis: warga mengirim foto, berkas, pesan suara, video atau lokasi tanpa keterangan"},
	} {
		r, ok := handlers.LessonRefused(c.l, c.err)
		if !ok || r.Kind != c.kind || r.Entry != c.entry || !strings.Contains(r.Text, c.want) {
			t.Errorf("%s: %+v, %v; want kind %d, entry %q, text with %q", c.name, r, ok, c.kind, c.entry, c.want)
		}
	}
	if r, ok := handlers.LessonRefused(handlers.Lesson{NewFAQ: true}, errors.New("disk full")); ok {
		t.Errorf("another error is read as a refusal: %+v", r)
	}
}

// TestNoLessonFromAFileOrPlaceWithoutWords: a ticket opened by a photo, a
// voice note or a place sent without words has a question the bot wrote
// for it, not the citizen: teaching the bot with it, as a new entry or an
// alternate, is refused by CheckLesson and by ReplyAndTeach alike, saying
// so, and nothing is sent nor learnt; the reply alone goes. A file sent
// with words still teaches.
func TestNoLessonFromAFileOrPlaceWithoutWords(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		ks, _, in, _, m := starterCitizen(t, db)
		desk := &handlers.Desk{Inbox: in, DB: db}
		opened := func(chat string, msg bots.Incoming) inbox.TicketDetail {
			t.Helper()
			msg.Platform, msg.ChatID, msg.ChatType, msg.UserID, msg.Addressed = bots.Telegram, chat, bots.Private, chat, true
			if _, err := handleInTx(db, m, msg); err != nil {
				t.Fatal(err)
			}
			ts, err := in.OpenTicketsFor(ctx, db, bots.Telegram, chat)
			if err != nil || len(ts) != 1 {
				t.Fatalf("%s's tickets: %+v, %v", chat, ts, err)
			}
			det, err := in.Get(ctx, ts[0].ID)
			if err != nil {
				t.Fatal(err)
			}
			return det
		}
		entries := func() (n int) {
			t.Helper()
			if err := db.GetContext(ctx, &n, `SELECT COUNT(*) + COALESCE(SUM(version), 0) FROM faq_entries`); err != nil {
				t.Fatal(err)
			}
			return n
		}
		lessons := []handlers.Lesson{{NewFAQ: true}, {AlternateOf: "ktp-hilang"}}
		for _, c := range []struct {
			chat string
			msg  bots.Incoming
		}{
			{"nw1", bots.Incoming{Kind: bots.File, Media: "voice", FileID: "AwACn0w0rds"}},
			{"nw2", bots.Incoming{Kind: bots.File, Media: "photo", FileID: "AgACn0w0rds", Text: "  "}},
			{"nw3", bots.Incoming{Kind: bots.Location, Media: "location", Place: &bots.Place{Latitude: 3.3285, Longitude: 99.1625}}},
		} {
			det := opened(c.chat, c.msg)
			before := entries()
			for _, l := range lessons {
				checked := handlers.CheckLesson(ctx, ks, det.Question(), "Jawaban.", l)
				r, ok := handlers.LessonRefused(l, checked)
				if !ok || r.Kind != handlers.RefusedUnwritten || !strings.Contains(r.Text, "bukan pertanyaan tertulis") {
					t.Errorf("%s: CheckLesson(%q, %+v) = %v, read as %+v; want it refused as no written question", c.chat, det.Question(), l, checked, r)
				}
				_, err := desk.ReplyAndTeach(ctx, det.Ticket.ID, "@ani", "Jawaban.", ks, l, "@ani")
				if sent, ok := handlers.LessonRefused(l, err); !ok || sent != r {
					t.Errorf("%s: ReplyAndTeach with %+v: %v, read as %+v; want what CheckLesson said, %+v", c.chat, l, err, sent, r)
				}
				if _, err := handlers.Teach(ctx, ks, det.Question(), "Jawaban.", l, "@ani"); !errors.Is(err, handlers.ErrUnwrittenQuestion) {
					t.Errorf("%s: Teach with %+v: %v", c.chat, l, err)
				}
			}
			if after, err := in.Get(ctx, det.Ticket.ID); err != nil || after.Ticket.Status != inbox.Open || len(after.Messages) != len(det.Messages) {
				t.Errorf("%s after the refused lessons: %+v, %v; want the ticket open, nothing sent", c.chat, after.Ticket, err)
			}
			if n := entries(); n != before {
				t.Errorf("%s: the knowledge base changed with a refused lesson", c.chat)
			}
			if _, err := desk.ReplyAndTeach(ctx, det.Ticket.ID, "@ani", "Jawaban.", ks, handlers.Lesson{}, "@ani"); err != nil {
				t.Errorf("%s: the reply without a lesson: %v", c.chat, err)
			}
		}
		det := opened("nw4", bots.Incoming{Kind: bots.File, Media: "photo", FileID: "AgACw0rds", Text: "zzq lampu jalan di gang kami padam seminggu"})
		for _, l := range lessons {
			if err := handlers.CheckLesson(ctx, ks, det.Question(), "Jawaban.", l); err != nil {
				t.Errorf("a photo with words, %+v: %v; want its words learnt", l, err)
			}
		}
	})
}

// TestLessonToAFullEntryNamesTheLimit: an alternate lesson for an entry
// that already has knowledge.MaxAlternates alternates is refused before
// the officer sends (CheckLesson) and when taught, in words naming the
// entry and the limit, not as a fault of the citizen's question.
func TestLessonToAFullEntryNamesTheLimit(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		store := knowledge.NewStore(db)
		alts := make([]string, knowledge.MaxAlternates)
		for i := range alts {
			alts[i] = fmt.Sprintf("ktp hilang varian nomor %d", i+1)
		}
		if _, err := store.Save(ctx, knowledge.Entry{Slug: "ktp-hilang", Question: "KTP saya hilang?", Answer: "Ke Disdukcapil.", Alternates: alts}, "tester"); err != nil {
			t.Fatal(err)
		}
		l := handlers.Lesson{AlternateOf: "ktp-hilang"}
		want := fmt.Sprintf("Entri FAQ ktp-hilang sudah memiliki batas %d variasi pertanyaan", knowledge.MaxAlternates)
		check := handlers.CheckLesson(ctx, store, "ktp saya raib di pasar", "Jawaban.", l)
		_, taught := handlers.Teach(ctx, store, "ktp saya raib di pasar", "Jawaban.", l, "@budi")
		for name, err := range map[string]error{"CheckLesson": check, "Teach": taught} {
			r, ok := handlers.LessonRefused(l, err)
			if !ok || r.Kind != handlers.RefusedQuestion || !strings.Contains(r.Text, want) || strings.Contains(r.Text, "Pertanyaan warga tidak bisa") {
				t.Errorf("%s of an alternate for a full entry: %v, officer reads %q (%v)", name, err, r.Text, ok)
			}
		}
		if e, err := store.Get(ctx, "ktp-hilang"); err != nil || len(e.Alternates) != knowledge.MaxAlternates {
			t.Errorf("the full entry after the refused lesson: %d alternates, %v", len(e.Alternates), err)
		}
		// A wording the entry already has adds nothing and is no refusal.
		if err := handlers.CheckLesson(ctx, store, alts[3], "Jawaban.", l); err != nil {
			t.Errorf("CheckLesson of a wording the full entry has: %v", err)
		}
	})
}

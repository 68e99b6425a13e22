package knowledge

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"github.com/tebingtinggi/hub/knowledge/textid"
)

// DraftCategory is the category of a draft that names none and that no
// similar entry suggests one for.
const DraftCategory = "umum"

// Draft saves a new draft entry from a citizen's question and an
// officer's answer, as the learning loop does when an answer deserves an
// entry of its own. Its category and tags are suggested by the entry like
// (the bot's best candidate, when there was one); its id is made from the
// question and kept unique. Officers review and publish it.
//
// alternates are other wordings of the question (a group of citizens'
// questions), saved with it: one transaction, one revision. Every wording
// is checked before anything is written: a refused one is a
// *WordingError whose Index is its place among the question (0) and
// alternates (from 1), and nothing is saved. An alternate that repeats the
// question or an earlier alternate, ignoring case and spacing, is kept
// once.
//
// An entry of any status that already has the question, as its question
// or as one of its alternates (ignoring case and spacing), refuses the
// draft with a *QuestionTaken: a second lesson from the same ticket, or
// from two officers at once, would only duplicate it. The check runs in
// the transaction that saves the draft, serialised with every other
// knowledge-base write, so that of two drafts of one question at the same
// moment exactly one is saved.
func (s *Store) Draft(ctx context.Context, question, answer, like, author string, alternates ...string) (Entry, error) {
	var out Entry
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		out, err = s.DraftIn(ctx, tx, question, answer, like, author, alternates...)
		return err
	})
	return out, err
}

// DraftIn is Draft in the caller's transaction tx, on the store's
// database: an officer's reply and the draft it teaches are saved
// together or not at all. Everything it reads, it reads through tx.
func (s *Store) DraftIn(ctx context.Context, tx *sqlx.Tx, question, answer, like, author string, alternates ...string) (Entry, error) {
	q, fe := cleanWording("", question, false)
	if fe != nil {
		return Entry{}, fmt.Errorf("knowledge: unable to save draft: %w", &WordingError{Index: 0, Problem: fe})
	}
	alts, err := cleanWordings("", alternates, 1)
	if err != nil {
		return Entry{}, fmt.Errorf("knowledge: unable to save draft: %w", err)
	}
	e := Entry{Question: q, Answer: answer}
	addWordings(&e, alts)
	if like != "" {
		src, err := s.GetIn(ctx, tx, like)
		switch {
		case err == nil:
			e.Category, e.Tags = src.Category, src.Tags
		case !errors.Is(err, ErrNotFound):
			return Entry{}, err
		}
	}
	return s.addDraftIn(ctx, tx, e, author, true)
}

// QuestionTaken is Draft's refusal: Entry already has the question of
// the draft, as its question or, when Alternate is set, as one of its
// alternates.
type QuestionTaken struct {
	Entry     Entry
	Alternate bool
}

func (q *QuestionTaken) Error() string {
	if q.Alternate {
		return fmt.Sprintf("knowledge: entry %q (%s) already has this question as an alternate", q.Entry.Slug, q.Entry.Status)
	}
	return fmt.Sprintf("knowledge: entry %q (%s) already has this question", q.Entry.Slug, q.Entry.Status)
}

// EntryWithQuestion returns the entry, of any status, that has question
// as its question or as one of its alternates, ignoring case and spacing,
// if there is one: the entry a Draft of question would be refused for
// (see Taken).
func (s *Store) EntryWithQuestion(ctx context.Context, question string) (Entry, bool, error) {
	taken, err := s.Taken(ctx, question)
	if taken == nil {
		return Entry{}, false, err
	}
	return taken.Entry, true, nil
}

// Taken returns the refusal a Draft of question would meet now: a
// *QuestionTaken naming the entry, of any status, that has question as
// its question or as one of its alternates, ignoring case and spacing;
// nil when there is none. An entry whose question it is comes before one
// that has it as an alternate.
func (s *Store) Taken(ctx context.Context, question string) (*QuestionTaken, error) {
	return s.taken(ctx, s.db, question)
}

func (s *Store) taken(ctx context.Context, q sqlx.QueryerContext, question string) (*QuestionTaken, error) {
	key := phraseKey(question)
	if key == "" {
		return nil, nil
	}
	var rows []entryRow
	err := sqlx.SelectContext(ctx, q, &rows, s.db.Rebind(`SELECT `+entryColumns+` FROM faq_entries
		WHERE LOWER(question) LIKE ? ESCAPE '\' OR LOWER(alternates) LIKE ? ESCAPE '\' ORDER BY id`),
		questionPattern(key), alternatesPattern(key))
	if err != nil {
		return nil, fmt.Errorf("knowledge: unable to look for an entry with a question: %w", err)
	}
	for _, r := range rows {
		if phraseKey(r.Question) == key {
			e, err := r.entry()
			if err != nil {
				return nil, err
			}
			return &QuestionTaken{Entry: e}, nil
		}
	}
	for _, r := range rows {
		e, err := r.entry()
		if err != nil {
			return nil, err
		}
		for _, a := range e.Alternates {
			if phraseKey(a) == key {
				return &QuestionTaken{Entry: e, Alternate: true}, nil
			}
		}
	}
	return nil, nil
}

// questionPattern is a LIKE pattern, for LOWER(question), that every
// question whose phraseKey is key matches, and some others that the
// caller tells apart: key's words in order with anything between them
// (spacing may differ), and each character outside ASCII matching any
// one character, as LOWER folds only ASCII letters on SQLite.
func questionPattern(key string) string {
	var b strings.Builder
	for i, w := range strings.Fields(key) {
		if i > 0 {
			b.WriteByte('%')
		}
		for _, r := range w {
			switch {
			case r >= utf8.RuneSelf:
				b.WriteByte('_')
			case r == '%' || r == '_' || r == '\\':
				b.WriteByte('\\')
				b.WriteRune(r)
			default:
				b.WriteRune(r)
			}
		}
	}
	return b.String()
}

// alternatesPattern is a LIKE pattern, for LOWER(alternates), that every
// entry with an alternate whose phraseKey is key matches, and some others
// that the caller tells apart: as questionPattern, anywhere in the JSON
// list, with each character that JSON may write escaped (\u003c for <,
// a doubled backslash for one) matching anything.
func alternatesPattern(key string) string {
	var b strings.Builder
	b.WriteByte('%')
	for i, w := range strings.Fields(key) {
		if i > 0 {
			b.WriteByte('%')
		}
		for _, r := range w {
			switch {
			case r >= utf8.RuneSelf:
				b.WriteByte('_')
			case r < ' ' || r == '"' || r == '\\' || r == '<' || r == '>' || r == '&':
				b.WriteByte('%')
			case r == '%' || r == '_':
				b.WriteByte('\\')
				b.WriteRune(r)
			default:
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('%')
	return b.String()
}

// AddDraft saves e as a new draft entry. Without a category it gets
// DraftCategory; without an id, one made from its question (Slugify),
// with a number added when that id is taken.
func (s *Store) AddDraft(ctx context.Context, e Entry, author string) (Entry, error) {
	return s.addDraft(ctx, e, author, false)
}

// addDraft is AddDraft, and Draft when once is set (see addDraftIn).
func (s *Store) addDraft(ctx context.Context, e Entry, author string, once bool) (Entry, error) {
	var out Entry
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		out, err = s.addDraftIn(ctx, tx, e, author, once)
		return err
	})
	return out, err
}

// addDraftIn is addDraft in tx; when once is set, an entry that already
// has e's question, as its question or an alternate, refuses it.
func (s *Store) addDraftIn(ctx context.Context, tx *sqlx.Tx, e Entry, author string, once bool) (Entry, error) {
	e.Status = Draft
	if strings.TrimSpace(e.Category) == "" {
		e.Category = DraftCategory
	}
	named := e.Slug != ""
	if !named {
		e.Slug = Slugify(e.Question)
	}
	e, err := normalize(e)
	if err != nil {
		return Entry{}, fmt.Errorf("knowledge: unable to save draft: %w", err)
	}
	var out Entry
	err = s.writeIn(ctx, tx, func(tx *sqlx.Tx) (bool, error) {
		if once {
			taken, err := s.taken(ctx, tx, e.Question)
			if err != nil {
				return false, err
			}
			if taken != nil {
				return false, taken
			}
		}
		slug, err := s.freeSlug(ctx, tx, e.Slug, named)
		if err != nil {
			return false, err
		}
		e.Slug = slug
		var changed bool
		out, changed, err = s.put(ctx, tx, nil, e, ActionCreate, author)
		return changed, err
	})
	if err != nil {
		return Entry{}, err
	}
	return out, nil
}

// freeSlug returns base when no entry has it, and otherwise, unless the
// officer named it (named), base with the first free number added. It
// runs in the write transaction that creates the entry, so that a draft
// never overwrites an entry saved at the same moment.
func (s *Store) freeSlug(ctx context.Context, tx *sqlx.Tx, base string, named bool) (string, error) {
	for n := 1; n <= 100; n++ {
		slug := base
		if n > 1 {
			slug = base + "-" + strconv.Itoa(n)
		}
		cur, err := s.lockedRow(ctx, tx, slug)
		if err != nil {
			return "", err
		}
		if cur == nil {
			return slug, nil
		}
		if named {
			return "", fmt.Errorf("knowledge: unable to save draft: entry %q exists", base)
		}
	}
	return "", fmt.Errorf("knowledge: unable to find a free id for a draft like %q", base)
}

// Slugify makes an entry id from a question: the words that say what it
// is about, normalised as the engine reads them (slang and spelling made
// standard, accents folded), ASCII letters and digits only, joined by
// hyphens: "Cara urus KTP hilang?" → "urus-ktp-hilang", "sy mau tanya soal
// sengketa tanah" → "sengketa-tanah". A question of nothing but such
// words keeps them all.
func Slugify(question string) string {
	var all, about []string
	for _, tok := range textid.Tokens(question) {
		var w strings.Builder
		for _, r := range tok {
			if r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
				w.WriteRune(r)
			}
		}
		if w.Len() == 0 {
			continue
		}
		all = append(all, w.String())
		if !textid.IsStopword(tok) && !slugFiller[tok] {
			about = append(about, w.String())
		}
	}
	words := about
	if len(words) == 0 {
		words = all
	}
	if len(words) > 6 {
		words = words[:6]
	}
	slug := strings.Join(words, "-")
	if len(slug) > 60 {
		slug = strings.TrimRight(slug[:60], "-")
	}
	if slug == "" {
		slug = "pertanyaan-warga"
	}
	return slug
}

// slugFiller are words a citizen's question opens with that say nothing
// of its subject: question words, asking and politeness (normalised, as
// textid.Tokens gives them).
var slugFiller = map[string]bool{
	"apa": true, "apakah": true, "bagaimana": true, "kapan": true, "dimana": true, "mana": true, "kemana": true,
	"berapa": true, "siapa": true, "mengapa": true, "kenapa": true, "cara": true, "caranya": true,
	"tanya": true, "bertanya": true, "soal": true, "mohon": true, "tolong": true, "minta": true, "info": true,
	"lewat": true, "bisa": true, "boleh": true, "harus": true, "perlu": true, "mau": true, "ingin": true,
	"min": true, "admin": true, "pak": true, "bu": true, "kak": true, "bang": true,
}

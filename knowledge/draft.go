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
// An entry, not archived (see Status.HoldsWordings), that already has
// the question or one of the alternates, as its question or as one of
// its alternates (ignoring case and spacing), refuses the draft with a *WordingError whose Taken names
// it: a second lesson from the same ticket, or from two officers at once,
// would only duplicate it, and two entries with one wording make the
// bot's answer to it flip between them. The check runs in the
// transaction that saves the draft, serialised with every other
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
	wordings := append([]string{q}, alts...)
	if like != "" {
		src, err := s.GetIn(ctx, tx, like)
		switch {
		case err == nil:
			e.Category, e.Tags = src.Category, src.Tags
		case !errors.Is(err, ErrNotFound):
			return Entry{}, err
		}
	}
	return s.addDraftIn(ctx, tx, e, author, wordings)
}

// QuestionTaken is the refusal of a wording that an entry already has:
// Entry has it as its question or, when Alternate is set, as one of its
// alternates. AlternateOf is the entry the wording was refused as a new
// alternate of (AddAlternates); it is empty when a new draft was refused
// (Draft).
type QuestionTaken struct {
	Entry       Entry
	Alternate   bool
	AlternateOf string
}

func (q *QuestionTaken) Error() string {
	as := "question"
	if q.Alternate {
		as = "question as an alternate"
	}
	if q.AlternateOf != "" {
		return fmt.Sprintf("knowledge: entry %q (%s) already has this %s; it is not added to %q", q.Entry.Slug, q.Entry.Status, as, q.AlternateOf)
	}
	return fmt.Sprintf("knowledge: entry %q (%s) already has this %s", q.Entry.Slug, q.Entry.Status, as)
}

// EntryWithQuestion returns the entry, not archived, that has question
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
// *QuestionTaken naming the entry, not archived, that has question as
// its question or as one of its alternates, ignoring case and spacing;
// nil when there is none. An archived entry holds no wording (see
// Status.HoldsWordings). An entry whose question it is comes before one
// that has it as an alternate.
func (s *Store) Taken(ctx context.Context, question string) (*QuestionTaken, error) {
	return s.taken(ctx, s.db, question, "")
}

// AlternateFull returns the refusal that AddAlternates of phrase to the
// entry slug would meet for the number of its alternates: a *FieldError
// of kind FieldTooMany when the entry already has MaxAlternates (or more,
// saved before the limit) and phrase is none of its wordings; nil
// otherwise, or when phrase is no wording the entry could keep
// (AddAlternates says why). An error wrapping ErrNotFound when there is
// no entry slug.
func (s *Store) AlternateFull(ctx context.Context, slug, phrase string) error {
	e, err := s.Get(ctx, slug)
	if err != nil {
		return err
	}
	if len(e.Alternates) < MaxAlternates {
		return nil
	}
	clean, err := cleanWordings(slug, []string{phrase}, 0)
	if err != nil || len(newWordings(e, clean)) == 0 {
		return nil
	}
	return tooManyItems(e.Slug, "alternates", "variasi pertanyaan", MaxAlternates, len(e.Alternates)+1)
}

// AlternateTaken returns the refusal that AddAlternates of phrase to the
// entry slug would meet now: a *QuestionTaken naming another entry, not
// archived, that has phrase as its question or as one of its
// alternates, as Taken finds it; nil when there is none, or when entry
// slug has phrase already (adding it changes nothing), or is archived
// (it holds no wording), or when phrase is no wording the entry could
// keep (AddAlternates says why). An error
// wrapping ErrNotFound when there is no entry slug.
func (s *Store) AlternateTaken(ctx context.Context, slug, phrase string) (*QuestionTaken, error) {
	e, err := s.Get(ctx, slug)
	if err != nil {
		return nil, err
	}
	clean, fe := cleanWording(slug, phrase, true)
	if fe != nil || !e.Status.HoldsWordings() || len(newWordings(e, []string{clean})) == 0 {
		return nil, nil
	}
	return s.taken(ctx, s.db, clean, slug)
}

// taken is Taken through q, for an entry other than except (the entry
// that would get question as an alternate; "" for a new draft). It is
// where every check of heldWording's rule looks for the entry that holds
// a wording, archived entries left out.
func (s *Store) taken(ctx context.Context, q sqlx.QueryerContext, question, except string) (*QuestionTaken, error) {
	key := phraseKey(question)
	if key == "" {
		return nil, nil
	}
	var rows []entryRow
	err := sqlx.SelectContext(ctx, q, &rows, s.db.Rebind(`SELECT `+entryColumns+` FROM faq_entries
		WHERE (LOWER(question) LIKE ? ESCAPE '\' OR LOWER(alternates) LIKE ? ESCAPE '\') AND slug <> ? AND status <> ? ORDER BY id`),
		questionPattern(key), alternatesPattern(key), except, Archived)
	if err != nil {
		return nil, fmt.Errorf("knowledge: unable to look for an entry with a question: %w", err)
	}
	for _, r := range rows {
		if phraseKey(r.Question) == key {
			e, err := r.entry()
			if err != nil {
				return nil, err
			}
			return &QuestionTaken{Entry: e, AlternateOf: except}, nil
		}
	}
	for _, r := range rows {
		e, err := r.entry()
		if err != nil {
			return nil, err
		}
		for _, a := range e.Alternates {
			if phraseKey(a) == key {
				return &QuestionTaken{Entry: e, Alternate: true, AlternateOf: except}, nil
			}
		}
	}
	return nil, nil
}

// takenWording returns, as a *WordingError, the refusal of the first of
// wordings that an entry other than except already has (see taken), its
// Index its place in wordings plus first; nil when no entry has any.
func (s *Store) takenWording(ctx context.Context, tx *sqlx.Tx, wordings []string, first int, except string) error {
	for i, w := range wordings {
		taken, err := s.taken(ctx, tx, w, except)
		if err != nil {
			return err
		}
		if taken != nil {
			return &WordingError{Index: first + i, Taken: taken}
		}
	}
	return nil
}

// questionPattern is a LIKE pattern, for LOWER(question), that every
// question whose phraseKey is key matches, and some others that the
// caller tells apart: key's words in order with anything between them
// (spacing may differ), and each character outside ASCII matching any
// one character, as LOWER folds only ASCII letters on SQLite.
func questionPattern(key string) string { return likePattern(key, false) }

// alternatesPattern is a LIKE pattern, for LOWER(alternates), that every
// entry with an alternate whose phraseKey is key matches, and some others
// that the caller tells apart: as questionPattern, anywhere in the JSON
// list, with each character that JSON may write escaped (\u003c for <,
// a doubled backslash for one) matching anything.
func alternatesPattern(key string) string { return "%" + likePattern(key, true) + "%" }

// likePattern is questionPattern, or with inJSON the part of
// alternatesPattern between its wildcards.
func likePattern(key string, inJSON bool) string {
	var b strings.Builder
	for i, w := range strings.Fields(key) {
		if i > 0 {
			b.WriteByte('%')
		}
		for _, r := range w {
			switch {
			case r >= utf8.RuneSelf:
				b.WriteByte('_')
			case inJSON && (r < ' ' || r == '"' || r == '\\' || r == '<' || r == '>' || r == '&'):
				b.WriteByte('%')
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

// AddDraft saves e as a new draft entry. Without a category it gets
// DraftCategory; without an id, one made from its question (Slugify),
// with a number added when that id is taken. A question or an alternate
// that another entry has is refused as Save refuses it.
func (s *Store) AddDraft(ctx context.Context, e Entry, author string) (Entry, error) {
	return s.addDraft(ctx, e, author, nil)
}

// addDraft is AddDraft, and Draft's check when wordings are given (see
// addDraftIn).
func (s *Store) addDraft(ctx context.Context, e Entry, author string, wordings []string) (Entry, error) {
	var out Entry
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		out, err = s.addDraftIn(ctx, tx, e, author, wordings)
		return err
	})
	return out, err
}

// addDraftIn is addDraft in tx; an entry that already has one of
// wordings (e's question and alternates, as Draft numbers them), as its
// question or an alternate, refuses it with a *WordingError.
func (s *Store) addDraftIn(ctx context.Context, tx *sqlx.Tx, e Entry, author string, wordings []string) (Entry, error) {
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
		if err := s.takenWording(ctx, tx, wordings, 0, ""); err != nil {
			return false, err
		}
		if wordings == nil { // AddDraft: refused as Save refuses it
			if fe, err := s.wordingTaken(ctx, tx, "", e.Question, e.Alternates); err != nil || fe != nil {
				if fe != nil {
					fe.ID = e.Slug
					err = fmt.Errorf("knowledge: unable to save draft: %w", fe)
				}
				return false, err
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

package knowledge

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"github.com/jmoiron/sqlx"
)

// DraftCategory is the category of a draft that names none and that no
// similar entry suggests one for.
const DraftCategory = "umum"

// Draft saves a new draft entry from a citizen's question and an
// officer's answer, as the learning loop does when an answer deserves an
// entry of its own. Its category and tags are suggested by the entry like
// (the bot's best candidate, when there was one); its id is made from the
// question and kept unique. Officers review and publish it.
func (s *Store) Draft(ctx context.Context, question, answer, like, author string) (Entry, error) {
	e := Entry{Question: question, Answer: answer}
	if like != "" {
		src, err := s.Get(ctx, like)
		switch {
		case err == nil:
			e.Category, e.Tags = src.Category, src.Tags
		case !errors.Is(err, ErrNotFound):
			return Entry{}, err
		}
	}
	return s.AddDraft(ctx, e, author)
}

// AddDraft saves e as a new draft entry. Without a category it gets
// DraftCategory; without an id, one made from its question (Slugify),
// with a number added when that id is taken.
func (s *Store) AddDraft(ctx context.Context, e Entry, author string) (Entry, error) {
	e.Status = Draft
	if strings.TrimSpace(e.Category) == "" {
		e.Category = DraftCategory
	}
	if e.Slug != "" {
		return s.create(ctx, e, author)
	}
	base := Slugify(e.Question)
	for n := 1; n <= 100; n++ {
		e.Slug = base
		if n > 1 {
			e.Slug = base + "-" + strconv.Itoa(n)
		}
		if _, err := s.Get(ctx, e.Slug); errors.Is(err, ErrNotFound) {
			return s.create(ctx, e, author)
		} else if err != nil {
			return Entry{}, err
		}
	}
	return Entry{}, fmt.Errorf("knowledge: unable to find a free id for a draft like %q", base)
}

// create saves e as a new entry; it fails when one with its id exists,
// so that a draft never overwrites an entry saved at the same moment.
func (s *Store) create(ctx context.Context, e Entry, author string) (Entry, error) {
	e, err := normalize(e)
	if err != nil {
		return Entry{}, fmt.Errorf("knowledge: unable to save draft: %w", err)
	}
	var out Entry
	err = s.write(ctx, func(tx *sqlx.Tx) (bool, error) {
		cur, err := s.lockedRow(ctx, tx, e.Slug)
		if err != nil {
			return false, err
		}
		if cur != nil {
			return false, fmt.Errorf("knowledge: unable to save draft: entry %q exists", e.Slug)
		}
		var changed bool
		out, changed, err = s.put(ctx, tx, nil, e, ActionCreate, author)
		return changed, err
	})
	return out, err
}

// Slugify makes an entry id from a question: its first words, lowercase,
// ASCII letters and digits only, joined by hyphens ("Cara urus KTP
// hilang?" → "cara-urus-ktp-hilang").
func Slugify(question string) string {
	var words []string
	var w strings.Builder
	flush := func() {
		if w.Len() > 0 {
			words = append(words, w.String())
			w.Reset()
		}
	}
	for _, r := range strings.ToLower(question) {
		switch {
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			w.WriteRune(r)
		default:
			flush()
		}
	}
	flush()
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

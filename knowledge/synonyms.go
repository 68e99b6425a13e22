package knowledge

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// ErrSynonymGroupNotFound is returned when no synonym group has the
// requested id.
var ErrSynonymGroupNotFound = errors.New("knowledge: synonym group not found")

// SynonymGroup is a set of words or phrases that mean the same thing to
// citizens ("ktp", "e-ktp", "kartu tanda penduduk"). Terms are lowercase,
// trimmed, distinct, and a term belongs to at most one group.
type SynonymGroup struct {
	ID        int64
	Terms     []string
	UpdatedAt time.Time
	UpdatedBy string
}

// termSeparators split a synonym group typed as text: a new line, "="
// or ",", as the README writes one ("ktp = e-ktp = kartu tanda
// penduduk"); no term holds one.
const termSeparators = "\n=,"

// ParseSynonymTerms splits a synonym group as an officer types it, in the
// web admin or with Slack's /faq sinonim, into its terms: separated by
// new lines, "=" or ",", each trimmed.
func ParseSynonymTerms(text string) []string {
	terms := strings.FieldsFunc(text, func(r rune) bool { return strings.ContainsRune(termSeparators, r) })
	for i := range terms {
		terms[i] = strings.TrimSpace(terms[i])
	}
	return terms
}

type synonymRow struct {
	ID        int64     `db:"id"`
	Terms     string    `db:"terms"`
	UpdatedAt time.Time `db:"updated_at"`
	UpdatedBy string    `db:"updated_by"`
}

func (r synonymRow) group() (SynonymGroup, error) {
	g := SynonymGroup{ID: r.ID, UpdatedAt: r.UpdatedAt.UTC(), UpdatedBy: r.UpdatedBy}
	if err := decodeList(r.Terms, &g.Terms); err != nil {
		return SynonymGroup{}, fmt.Errorf("knowledge: unable to decode synonym group %d: %w", r.ID, err)
	}
	return g, nil
}

// Synonyms returns every synonym group, oldest first.
func (s *Store) Synonyms(ctx context.Context) ([]SynonymGroup, error) {
	return s.synonyms(ctx, s.db)
}

func (s *Store) synonyms(ctx context.Context, q sqlx.QueryerContext) ([]SynonymGroup, error) {
	var rows []synonymRow
	if err := sqlx.SelectContext(ctx, q, &rows, `SELECT id, terms, updated_at, updated_by FROM synonym_groups ORDER BY id`); err != nil {
		return nil, fmt.Errorf("knowledge: unable to fetch synonym groups: %w", err)
	}
	out := make([]SynonymGroup, 0, len(rows))
	for _, r := range rows {
		g, err := r.group()
		if err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, nil
}

// SaveSynonymGroup creates the group (ID 0) or replaces the terms of group
// g.ID. Terms are lowercased and trimmed, and at least two distinct ones
// must remain; a term already in another group, or holding a separator
// (ParseSynonymTerms: it would match no question), is refused. These
// problems are a *FieldError (field "synonyms"). Saving unchanged terms writes
// nothing.
func (s *Store) SaveSynonymGroup(ctx context.Context, g SynonymGroup, author string) (SynonymGroup, error) {
	terms, err := normalizeTerms(g.Terms)
	if err != nil {
		return SynonymGroup{}, fmt.Errorf("knowledge: unable to save synonym group: %w", &FieldError{Field: "synonyms", Msg: err.Error()})
	}
	var out SynonymGroup
	err = s.write(ctx, func(tx *sqlx.Tx) (bool, error) {
		groups, err := s.synonyms(ctx, tx)
		if err != nil {
			return false, err
		}
		var cur *SynonymGroup
		for i, other := range groups {
			if other.ID == g.ID {
				cur = &groups[i]
				continue
			}
			for _, t := range terms {
				if slices.Contains(other.Terms, t) {
					return false, fmt.Errorf("knowledge: unable to save synonym group: %w",
						&FieldError{Field: "synonyms", Msg: fmt.Sprintf("istilah %q sudah ada di kelompok %d (%s)", t, other.ID, strings.Join(other.Terms, ", "))})
				}
			}
		}
		if g.ID != 0 && cur == nil {
			return false, ErrSynonymGroupNotFound
		}
		if cur != nil && slices.Equal(cur.Terms, terms) {
			out = *cur
			return false, nil
		}
		out = SynonymGroup{ID: g.ID, Terms: terms, UpdatedAt: now(), UpdatedBy: author}
		out.ID, err = s.putSynonymGroup(ctx, tx, out)
		return true, err
	})
	if err != nil {
		return SynonymGroup{}, err
	}
	return out, nil
}

// putSynonymGroup inserts g (ID 0) or updates it, returning its id.
func (s *Store) putSynonymGroup(ctx context.Context, tx *sqlx.Tx, g SynonymGroup) (int64, error) {
	terms, err := json.Marshal(g.Terms)
	if err != nil {
		return 0, fmt.Errorf("knowledge: unable to encode synonym group: %w", err)
	}
	if g.ID == 0 {
		err = tx.GetContext(ctx, &g.ID, s.db.Rebind(`
			INSERT INTO synonym_groups (terms, updated_at, updated_by) VALUES (?, ?, ?) RETURNING id`),
			string(terms), g.UpdatedAt, g.UpdatedBy)
	} else {
		_, err = tx.ExecContext(ctx, s.db.Rebind(`
			UPDATE synonym_groups SET terms = ?, updated_at = ?, updated_by = ? WHERE id = ?`),
			string(terms), g.UpdatedAt, g.UpdatedBy, g.ID)
	}
	if err != nil {
		return 0, fmt.Errorf("knowledge: unable to save synonym group: %w", err)
	}
	return g.ID, nil
}

// DeleteSynonymGroup deletes a synonym group, or returns
// ErrSynonymGroupNotFound. Synonym groups keep no history, so author is
// currently unused.
func (s *Store) DeleteSynonymGroup(ctx context.Context, id int64, author string) error {
	_ = author
	return s.write(ctx, func(tx *sqlx.Tx) (bool, error) {
		return s.deleteSynonymGroup(ctx, tx, id)
	})
}

func (s *Store) deleteSynonymGroup(ctx context.Context, tx *sqlx.Tx, id int64) (bool, error) {
	res, err := tx.ExecContext(ctx, s.db.Rebind(`DELETE FROM synonym_groups WHERE id = ?`), id)
	if err != nil {
		return false, fmt.Errorf("knowledge: unable to delete synonym group %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return false, fmt.Errorf("knowledge: unable to delete synonym group %d: %w", id, err)
	} else if n == 0 {
		return false, ErrSynonymGroupNotFound
	}
	return true, nil
}

// importSynonyms brings the stored synonym groups in line with the
// normalised, non-overlapping groups of an import file and returns how many
// groups it created, changed or deleted. Each file group replaces the stored
// group it shares terms with (at most one); with Replace, stored groups that
// match no file group are deleted.
func (s *Store) importSynonyms(ctx context.Context, tx *sqlx.Tx, groups [][]string, opt ImportOptions) (int, error) {
	stored, err := s.synonyms(ctx, tx)
	if err != nil {
		return 0, err
	}
	changed := 0
	claimed := make(map[int64]int) // stored group id → file group index
	var writes []SynonymGroup
	for i, terms := range groups {
		var match *SynonymGroup
		for j, g := range stored {
			if !overlaps(g.Terms, terms) {
				continue
			}
			if match != nil {
				return 0, fmt.Errorf("knowledge: unable to import: %w", &FieldError{Field: "synonyms", Msg: fmt.Sprintf(
					"kelompok sinonim ke-%d berbagi istilah dengan kelompok tersimpan %d dan %d; gabungkan keduanya dahulu", i+1, match.ID, g.ID)})
			}
			match = &stored[j]
		}
		g := SynonymGroup{Terms: terms, UpdatedAt: now(), UpdatedBy: opt.Author}
		if match != nil {
			if k, ok := claimed[match.ID]; ok {
				return 0, fmt.Errorf("knowledge: unable to import: %w", &FieldError{Field: "synonyms", Msg: fmt.Sprintf(
					"kelompok sinonim ke-%d dan ke-%d sama-sama berbagi istilah dengan kelompok tersimpan %d", k+1, i+1, match.ID)})
			}
			claimed[match.ID] = i
			if slices.Equal(match.Terms, terms) {
				continue
			}
			g.ID = match.ID
		}
		writes = append(writes, g)
	}
	if opt.Replace {
		for _, g := range stored {
			if _, ok := claimed[g.ID]; ok {
				continue
			}
			if _, err := s.deleteSynonymGroup(ctx, tx, g.ID); err != nil {
				return 0, err
			}
			changed++
		}
	}
	for _, g := range writes {
		if _, err := s.putSynonymGroup(ctx, tx, g); err != nil {
			return 0, err
		}
		changed++
	}
	return changed, nil
}

func overlaps(a, b []string) bool {
	for _, t := range a {
		if slices.Contains(b, t) {
			return true
		}
	}
	return false
}

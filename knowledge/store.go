package knowledge

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"github.com/tebingtinggi/hub/storage"
)

// NotifyChannel is the PostgreSQL channel on which every knowledge-base
// change is announced, with the new generation as payload, so that other
// replicas refresh their search index.
const NotifyChannel = "hub_kb"

// Action is what a revision of an entry did.
type Action string

// The actions recorded in an entry's revision history.
const (
	ActionCreate    Action = "create"    // first version, from Save
	ActionUpdate    Action = "update"    // content changed by Save
	ActionStatus    Action = "status"    // status changed by SetStatus, or archived by a replacing import
	ActionAlternate Action = "alternate" // alternate phrasings added by AddAlternate(s)
	ActionRestore   Action = "restore"   // content restored from an earlier version
	ActionImport    Action = "import"    // created or changed by Import
)

// Word is the action as officers read it everywhere (the web admin
// capitalises it): "dibuat", "status diubah", say; an unknown action as
// it is.
func (a Action) Word() string { return cmp.Or(actionWords[a], string(a)) }

var actionWords = map[Action]string{
	ActionCreate: "dibuat", ActionUpdate: "diubah", ActionStatus: "status diubah",
	ActionAlternate: "variasi ditambahkan", ActionRestore: "dipulihkan", ActionImport: "diimpor",
}

// Store reads and writes the knowledge base. It is safe for concurrent use;
// every write runs in one transaction, serialised with the other knowledge
// writers, and bumps the generation when it changes anything.
type Store struct {
	db *storage.DB
}

// NewStore returns a store on db, which must be migrated.
func NewStore(db *storage.DB) *Store {
	return &Store{db: db}
}

// DB returns the database the store is on: a caller that makes a
// knowledge write one step of a larger change (the In methods) opens its
// transaction there.
func (s *Store) DB() *storage.DB { return s.db }

// entryColumns are the faq_entries columns read into an entryRow.
const entryColumns = `id, slug, category, question, alternates, answer, tags, status, version, updated_at, updated_by`

// entryRow is one faq_entries row; lists are JSON text.
type entryRow struct {
	ID         int64     `db:"id"`
	Slug       string    `db:"slug"`
	Category   string    `db:"category"`
	Question   string    `db:"question"`
	Alternates string    `db:"alternates"`
	Answer     string    `db:"answer"`
	Tags       string    `db:"tags"`
	Status     Status    `db:"status"`
	Version    int       `db:"version"`
	UpdatedAt  time.Time `db:"updated_at"`
	UpdatedBy  string    `db:"updated_by"`
}

func (r entryRow) entry() (Entry, error) {
	e := Entry{Slug: r.Slug, Category: r.Category, Question: r.Question, Answer: r.Answer,
		Status: r.Status, Version: r.Version, UpdatedAt: r.UpdatedAt.UTC(), UpdatedBy: r.UpdatedBy}
	if err := decodeList(r.Alternates, &e.Alternates); err != nil {
		return Entry{}, fmt.Errorf("knowledge: unable to decode alternates of %q: %w", r.Slug, err)
	}
	if err := decodeList(r.Tags, &e.Tags); err != nil {
		return Entry{}, fmt.Errorf("knowledge: unable to decode tags of %q: %w", r.Slug, err)
	}
	return e, nil
}

func decodeList(s string, dst *[]string) error {
	if err := json.Unmarshal([]byte(s), dst); err != nil {
		return err
	}
	if len(*dst) == 0 {
		*dst = nil
	}
	return nil
}

func encodeList(l []string) string {
	if l == nil {
		l = []string{}
	}
	b, _ := json.Marshal(l) // a []string always marshals
	return string(b)
}

func rowsToEntries(rows []entryRow) ([]Entry, error) {
	out := make([]Entry, 0, len(rows))
	for _, r := range rows {
		e, err := r.entry()
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// Get returns the entry with the given slug, or ErrNotFound.
func (s *Store) Get(ctx context.Context, slug string) (Entry, error) {
	return s.GetIn(ctx, s.db, slug)
}

// GetIn is Get through q, the caller's transaction: a chat update reads
// the entry behind a button in its own transaction, which on SQLite holds
// the only connection.
func (s *Store) GetIn(ctx context.Context, q storage.Querier, slug string) (Entry, error) {
	r, err := s.getRow(ctx, q, slug)
	if err != nil {
		return Entry{}, err
	}
	return r.entry()
}

func (s *Store) getRow(ctx context.Context, q sqlx.QueryerContext, slug string) (entryRow, error) {
	var r entryRow
	err := sqlx.GetContext(ctx, q, &r, s.db.Rebind(`SELECT `+entryColumns+` FROM faq_entries WHERE slug = ?`), slug)
	if errors.Is(err, sql.ErrNoRows) {
		return entryRow{}, ErrNotFound
	}
	if err != nil {
		return entryRow{}, fmt.Errorf("knowledge: unable to fetch entry %q: %w", slug, err)
	}
	return r, nil
}

// Filter selects entries for List. Zero fields do not filter; Limit 0 means
// no limit.
type Filter struct {
	Status   Status
	Category string
	Text     string // case-insensitive substring of the slug or the question
	Limit    int
	Offset   int
}

// List returns the entries matching f, ordered by category then slug.
func (s *Store) List(ctx context.Context, f Filter) ([]Entry, error) {
	var where []string
	var args []any
	if f.Status != "" {
		if !f.Status.Valid() {
			return nil, fmt.Errorf("knowledge: unable to list entries: invalid status %q", f.Status)
		}
		where = append(where, `status = ?`)
		args = append(args, f.Status)
	}
	if f.Category != "" {
		where = append(where, `category = ?`)
		args = append(args, f.Category)
	}
	if t := strings.TrimSpace(f.Text); t != "" {
		pattern := "%" + likeEscaper.Replace(strings.ToLower(t)) + "%"
		where = append(where, `(LOWER(slug) LIKE ? ESCAPE '\' OR LOWER(question) LIKE ? ESCAPE '\')`)
		args = append(args, pattern, pattern)
	}
	query := `SELECT ` + entryColumns + ` FROM faq_entries`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, ` AND `)
	}
	query += ` ORDER BY category, slug`
	switch {
	case f.Limit > 0:
		query += ` LIMIT ?`
		args = append(args, f.Limit)
	case f.Offset > 0 && s.db.Dialect == storage.SQLite:
		query += ` LIMIT -1` // SQLite needs a LIMIT before OFFSET
	}
	if f.Offset > 0 {
		query += ` OFFSET ?`
		args = append(args, f.Offset)
	}
	var rows []entryRow
	if err := s.db.SelectContext(ctx, &rows, s.db.Rebind(query), args...); err != nil {
		return nil, fmt.Errorf("knowledge: unable to list entries: %w", err)
	}
	return rowsToEntries(rows)
}

var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// Published returns every published entry, ordered by category then slug:
// what the search index is built from.
func (s *Store) Published(ctx context.Context) ([]Entry, error) {
	return s.List(ctx, Filter{Status: Published})
}

// Count returns how many entries have the given status, or all entries when
// status is "".
func (s *Store) Count(ctx context.Context, status Status) (int, error) {
	var n int
	var err error
	if status == "" {
		err = s.db.GetContext(ctx, &n, `SELECT COUNT(*) FROM faq_entries`)
	} else {
		err = s.db.GetContext(ctx, &n, s.db.Rebind(`SELECT COUNT(*) FROM faq_entries WHERE status = ?`), status)
	}
	if err != nil {
		return 0, fmt.Errorf("knowledge: unable to count entries: %w", err)
	}
	return n, nil
}

// Generation returns the knowledge-base generation, which every change to
// entries or synonyms increments.
func (s *Store) Generation(ctx context.Context) (int64, error) {
	var g int64
	if err := s.db.GetContext(ctx, &g, `SELECT generation FROM kb_generation WHERE id = 1`); err != nil {
		return 0, fmt.Errorf("knowledge: unable to read generation: %w", err)
	}
	return g, nil
}

// write runs fn in a transaction that holds the knowledge-base write lock
// (SQLite's immediate transactions; the kb_generation row on Postgres), and
// bumps the generation in the same transaction when fn reports a change.
func (s *Store) write(ctx context.Context, fn func(tx *sqlx.Tx) (changed bool, err error)) error {
	return s.db.InTx(ctx, func(tx *sqlx.Tx) error { return s.writeIn(ctx, tx, fn) })
}

// writeIn is write in the caller's transaction tx, which must be on the
// store's database: a write that is one step of a larger change (an
// officer's reply and its lesson) commits or rolls back with it.
func (s *Store) writeIn(ctx context.Context, tx *sqlx.Tx, fn func(tx *sqlx.Tx) (changed bool, err error)) error {
	if s.db.Dialect == storage.Postgres {
		if _, err := tx.ExecContext(ctx, `SELECT generation FROM kb_generation WHERE id = 1 FOR UPDATE`); err != nil {
			return fmt.Errorf("knowledge: unable to lock the knowledge base: %w", err)
		}
	}
	changed, err := fn(tx)
	if err != nil || !changed {
		return err
	}
	return s.bumpGeneration(ctx, tx)
}

// bumpGeneration increments kb_generation and, on Postgres, queues a
// notification on NotifyChannel that is delivered when the transaction
// commits.
func (s *Store) bumpGeneration(ctx context.Context, tx *sqlx.Tx) error {
	var g int64
	if err := tx.GetContext(ctx, &g, `UPDATE kb_generation SET generation = generation + 1 WHERE id = 1 RETURNING generation`); err != nil {
		return fmt.Errorf("knowledge: unable to bump generation: %w", err)
	}
	if s.db.Dialect == storage.Postgres {
		if _, err := tx.ExecContext(ctx, `SELECT pg_notify($1, $2)`, NotifyChannel, strconv.FormatInt(g, 10)); err != nil {
			return fmt.Errorf("knowledge: unable to notify %s: %w", NotifyChannel, err)
		}
	}
	return nil
}

// now is the time stamp for a write: UTC, at the microsecond precision both
// backends keep.
func now() time.Time {
	return time.Now().UTC().Truncate(time.Microsecond)
}

// sameContent reports whether a and b (both normalised) have the same
// content; versions and audit fields are ignored.
func sameContent(a, b Entry) bool {
	return a.Slug == b.Slug && a.Category == b.Category && a.Question == b.Question && a.Answer == b.Answer &&
		a.Status == b.Status && slices.Equal(a.Alternates, b.Alternates) && slices.Equal(a.Tags, b.Tags)
}

// put writes the normalised entry e as a new version of cur (nil to create
// it) with a revision snapshot, unless its content is unchanged. It returns
// the stored entry and whether anything was written.
func (s *Store) put(ctx context.Context, tx *sqlx.Tx, cur *entryRow, e Entry, action Action, author string) (Entry, bool, error) {
	var id int64
	at := now()
	e.UpdatedAt, e.UpdatedBy = at, author
	if cur == nil {
		e.Version = 1
		err := tx.GetContext(ctx, &id, s.db.Rebind(`
			INSERT INTO faq_entries (slug, category, question, alternates, answer, tags, status, version, created_at, updated_at, updated_by)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			RETURNING id`),
			e.Slug, e.Category, e.Question, encodeList(e.Alternates), e.Answer, encodeList(e.Tags), e.Status, e.Version, at, at, author)
		if err != nil {
			return Entry{}, false, fmt.Errorf("knowledge: unable to create entry %q: %w", e.Slug, err)
		}
	} else {
		old, err := cur.entry()
		if err != nil {
			return Entry{}, false, err
		}
		if sameContent(old, e) {
			return old, false, nil
		}
		id, e.Version = cur.ID, cur.Version+1
		_, err = tx.ExecContext(ctx, s.db.Rebind(`
			UPDATE faq_entries
			SET category = ?, question = ?, alternates = ?, answer = ?, tags = ?, status = ?, version = ?, updated_at = ?, updated_by = ?
			WHERE id = ?`),
			e.Category, e.Question, encodeList(e.Alternates), e.Answer, encodeList(e.Tags), e.Status, e.Version, at, author, id)
		if err != nil {
			return Entry{}, false, fmt.Errorf("knowledge: unable to update entry %q: %w", e.Slug, err)
		}
	}
	snapshot, err := json.Marshal(toJSONEntry(e))
	if err != nil {
		return Entry{}, false, fmt.Errorf("knowledge: unable to encode revision of %q: %w", e.Slug, err)
	}
	_, err = tx.ExecContext(ctx, s.db.Rebind(`
		INSERT INTO faq_revisions (entry_id, version, action, snapshot, author, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`),
		id, e.Version, action, string(snapshot), author, at)
	if err != nil {
		return Entry{}, false, fmt.Errorf("knowledge: unable to record revision of %q: %w", e.Slug, err)
	}
	return e, true, nil
}

// lockedRow fetches the entry to change inside a write transaction; it
// returns nil when there is none.
func (s *Store) lockedRow(ctx context.Context, tx *sqlx.Tx, slug string) (*entryRow, error) {
	r, err := s.getRow(ctx, tx, slug)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// Save creates the entry or updates the one with the same slug, after
// validating it (see Validate; an empty status means published). A change
// gets the next version and a revision snapshot; saving unchanged content
// writes nothing and returns the stored entry.
func (s *Store) Save(ctx context.Context, e Entry, author string) (Entry, error) {
	return s.save(ctx, e, -1, author)
}

// VersionConflict is SaveVersion's refusal: the entry changed since the
// version the edit started from.
type VersionConflict struct {
	Slug string
	// Base is the version the edit started from (0: a new entry).
	Base int
	// Current is the stored entry as it is now.
	Current Entry
}

func (c *VersionConflict) Error() string {
	if c.Base == 0 {
		return fmt.Sprintf("knowledge: entry %q exists already (version %d)", c.Slug, c.Current.Version)
	}
	return fmt.Sprintf("knowledge: entry %q is at version %d, not %d: %s changed it meanwhile", c.Slug, c.Current.Version, c.Base, c.Current.UpdatedBy)
}

// SaveVersion is Save for an edit that started from version base of the
// entry (0 for a new entry): when the stored entry is at another version,
// nothing is written and the error is a *VersionConflict, so that two
// officers editing at once do not overwrite each other. A stored entry
// with the very content of e is no conflict (the same form sent twice):
// it is returned, unchanged.
func (s *Store) SaveVersion(ctx context.Context, e Entry, base int, author string) (Entry, error) {
	return s.save(ctx, e, max(base, 0), author)
}

// save is Save when base < 0 and SaveVersion otherwise.
func (s *Store) save(ctx context.Context, e Entry, base int, author string) (Entry, error) {
	// The limits are checked against the stored entry, which may be over
	// one set since it was saved (see normalizeWithin).
	e, err := normalizeWithin(e, noLimits)
	if err != nil {
		return Entry{}, fmt.Errorf("knowledge: unable to save entry: %w", err)
	}
	var out Entry
	err = s.write(ctx, func(tx *sqlx.Tx) (bool, error) {
		cur, err := s.lockedRow(ctx, tx, e.Slug)
		if err != nil {
			return false, err
		}
		var was *Entry
		if cur != nil {
			w, err := cur.entry()
			if err != nil {
				return false, err
			}
			was = &w
		}
		if e, err = normalizeWithin(e, was); err != nil {
			return false, fmt.Errorf("knowledge: unable to save entry: %w", err)
		}
		if base >= 0 && (cur == nil && base != 0 || cur != nil && cur.Version != base) {
			c := &VersionConflict{Slug: e.Slug, Base: base}
			if cur != nil {
				if c.Current, err = cur.entry(); err != nil {
					return false, err
				}
				// The same content saved again (a double click on
				// "Simpan", a form sent twice) is no conflict: the
				// entry is as the author wants it.
				if sameContent(c.Current, e) {
					out = c.Current
					return false, nil
				}
			}
			return false, c
		}
		fe, err := s.heldWording(ctx, tx, cur, e)
		if err != nil {
			return false, err
		}
		if fe != nil {
			return false, fmt.Errorf("knowledge: unable to save entry: %w", fe)
		}
		action := ActionUpdate
		if cur == nil {
			action = ActionCreate
		}
		var changed bool
		out, changed, err = s.put(ctx, tx, cur, e, action, author)
		return changed, err
	})
	if err != nil {
		return Entry{}, err
	}
	return out, nil
}

// WordingTaken returns the refusal that Save of entry slug (AddDraft
// when slug is "", or no entry has it), keeping the status it has, with
// question and alternates would meet now for a wording that another
// entry, not archived, has as its question or an alternate (ignoring
// case and spacing; see heldWording): a *FieldError naming the field,
// that entry, its status and how it has the wording; nil when no other
// entry has any, or when entry slug is archived. A form checks it before
// it is submitted, to say so under the field.
func (s *Store) WordingTaken(ctx context.Context, slug, question string, alternates []string) (*FieldError, error) {
	e := Entry{Slug: slug, Question: question, Alternates: alternates, Status: Draft}
	var cur *entryRow
	if slug != "" {
		r, err := s.getRow(ctx, s.db, slug)
		switch {
		case err == nil:
			cur, e.Status = &r, r.Status
		case !errors.Is(err, ErrNotFound):
			return nil, err
		}
	}
	return s.heldWording(ctx, s.db, cur, e)
}

// wordingTaken is WordingTaken through q.
func (s *Store) wordingTaken(ctx context.Context, q sqlx.QueryerContext, slug, question string, alternates []string) (*FieldError, error) {
	return s.wordingTakenBut(ctx, q, slug, question, alternates, nil)
}

// wordingTakenBut is wordingTaken for the wordings whose phraseKey is not
// in held.
func (s *Store) wordingTakenBut(ctx context.Context, q sqlx.QueryerContext, slug, question string, alternates []string, held map[string]bool) (*FieldError, error) {
	for i, w := range append([]string{question}, alternates...) {
		if held[phraseKey(w)] {
			continue
		}
		taken, err := s.taken(ctx, q, w, slug)
		if err != nil {
			return nil, err
		}
		if taken != nil {
			return takenField(slug, i, strings.Join(strings.Fields(w), " "), taken, false), nil
		}
	}
	return nil, nil
}

// heldWording is the one rule that keeps a wording to one entry, which
// every write of an entry but an import's obeys (an import checks the
// same rule over the whole file: see ImportFile): e, about to be written
// over cur (nil when e is new), is refused when it holds its wordings
// (it is not archived, see Status.HoldsWordings) and takes one that
// another entry holding its own has, as its question or an alternate
// (ignoring case and spacing). The refusal is WordingTaken's *FieldError,
// naming that entry and its status. An entry that held its wordings
// already is checked for those new to it; one leaving the archive, by any
// path (SetStatus, Save, Restore), for all of them: another entry may
// have taken one while it was archived.
func (s *Store) heldWording(ctx context.Context, q sqlx.QueryerContext, cur *entryRow, e Entry) (*FieldError, error) {
	if !e.Status.HoldsWordings() {
		return nil, nil
	}
	held := map[string]bool{}
	if cur != nil && cur.Status.HoldsWordings() {
		old, err := cur.entry()
		if err != nil {
			return nil, err
		}
		for _, w := range append([]string{old.Question}, old.Alternates...) {
			held[phraseKey(w)] = true
		}
	}
	return s.wordingTakenBut(ctx, q, e.Slug, e.Question, e.Alternates, held)
}

// modify applies change to the stored entry with the given slug and saves
// the result as a new version recorded with action. It returns ErrNotFound
// when there is no such entry.
func (s *Store) modify(ctx context.Context, slug string, action Action, author string, change func(tx *sqlx.Tx, e *Entry) error) (Entry, error) {
	var out Entry
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		out, err = s.modifyIn(ctx, tx, slug, action, author, change)
		return err
	})
	return out, err
}

// modifyIn is modify in the caller's transaction tx.
func (s *Store) modifyIn(ctx context.Context, tx *sqlx.Tx, slug string, action Action, author string, change func(tx *sqlx.Tx, e *Entry) error) (Entry, error) {
	var out Entry
	err := s.writeIn(ctx, tx, func(tx *sqlx.Tx) (bool, error) {
		cur, err := s.lockedRow(ctx, tx, slug)
		if err != nil {
			return false, err
		}
		if cur == nil {
			return false, ErrNotFound
		}
		e, err := cur.entry()
		if err != nil {
			return false, err
		}
		was := e
		if err := change(tx, &e); err != nil {
			return false, err
		}
		if action == ActionStatus || action == ActionRestore {
			// A status or a stored version's content passes as it is,
			// over limits set since or not (see normalizeWithin).
			was = e
		}
		if e, err = normalizeWithin(e, &was); err != nil {
			return false, fmt.Errorf("knowledge: unable to change entry %q: %w", slug, err)
		}
		fe, err := s.heldWording(ctx, tx, cur, e)
		if err != nil {
			return false, err
		}
		if fe != nil {
			return false, fmt.Errorf("knowledge: unable to change entry %q: %w", slug, fe)
		}
		var changed bool
		out, changed, err = s.put(ctx, tx, cur, e, action, author)
		return changed, err
	})
	if err != nil {
		return Entry{}, err
	}
	return out, nil
}

// SetStatus changes the status of an entry (draft, published or archived).
// Setting the status it already has changes nothing. An archived entry
// made a draft or published again is refused with a *FieldError naming
// the entry that has one of its wordings meanwhile (see heldWording).
func (s *Store) SetStatus(ctx context.Context, slug string, st Status, author string) (Entry, error) {
	if !st.Valid() {
		return Entry{}, fmt.Errorf("knowledge: unable to set status of %q: %w",
			slug, &FieldError{ID: slug, Field: "status", Msg: fmt.Sprintf("%q bukan salah satu dari draft, published, archived", st)})
	}
	return s.modify(ctx, slug, ActionStatus, author, func(_ *sqlx.Tx, e *Entry) error {
		e.Status = st
		return nil
	})
}

// AddAlternate adds phrase (typically a citizen's real question) to the
// entry's alternate phrasings. A phrase that equals the question or an
// existing alternate, ignoring case and spacing, changes nothing.
func (s *Store) AddAlternate(ctx context.Context, slug, phrase, author string) (Entry, error) {
	return s.AddAlternates(ctx, slug, []string{phrase}, author)
}

// AddAlternates adds phrases (several wordings of one question, as a
// group of citizens' questions has them) to the entry's alternate
// phrasings in one transaction, as one revision. Every phrase is checked
// before anything is written: a refused one is a *WordingError whose
// Index is its place in phrases, and nothing is saved. A phrase that
// equals the question, an alternate or an earlier phrase, ignoring case
// and spacing, is kept once; when every one is, nothing changes. A new
// phrase that another entry, not archived, already has as its question
// or an alternate is refused, the *WordingError's Taken naming that
// entry (as Draft refuses it, in the same transaction): two entries with
// one wording make the bot's answer to it flip between them. An archived
// entry holds no wording (see heldWording), so it keeps any phrase, as
// Save keeps it there; taking it out of the archive is refused while
// another entry has one of its wordings.
func (s *Store) AddAlternates(ctx context.Context, slug string, phrases []string, author string) (Entry, error) {
	var out Entry
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		out, _, err = s.AddAlternatesIn(ctx, tx, slug, phrases, author)
		return err
	})
	return out, err
}

// AddAlternatesIn is AddAlternates in the caller's transaction tx, on the
// store's database, for a lesson that is one step of a larger change. It
// also returns how many of phrases were new to the entry: 0 when the
// entry already had every one, and nothing changed.
func (s *Store) AddAlternatesIn(ctx context.Context, tx *sqlx.Tx, slug string, phrases []string, author string) (Entry, int, error) {
	if len(phrases) == 0 {
		return Entry{}, 0, fmt.Errorf("knowledge: unable to add alternates: %w",
			&FieldError{ID: slug, Field: "alternates", Kind: FieldMissing, Msg: "tidak ada kalimat yang ditambahkan"})
	}
	clean, err := cleanWordings(slug, phrases, 0)
	if err != nil {
		return Entry{}, 0, fmt.Errorf("knowledge: unable to add alternates: %w", err)
	}
	var added int
	e, err := s.modifyIn(ctx, tx, slug, ActionAlternate, author, func(tx *sqlx.Tx, e *Entry) error {
		fresh := newWordings(*e, clean)
		wordings := make([]string, len(fresh))
		for i, at := range fresh {
			wordings[i] = clean[at]
		}
		if !e.Status.HoldsWordings() {
			// Kept in the archive; leaving it checks every wording.
			added = addWordings(e, clean)
			return nil
		}
		if err := s.takenWording(ctx, tx, wordings, 0, slug); err != nil {
			if we, ok := errors.AsType[*WordingError](err); ok {
				we.Index = fresh[we.Index]
			}
			return fmt.Errorf("knowledge: unable to add alternates: %w", err)
		}
		added = addWordings(e, clean)
		return nil
	})
	return e, added, err
}

// WordingError is the refusal of one of several wordings of a question
// saved at once (a draft's question and alternates, AddAlternates'
// phrases), for the caller to name it in its own words: Index is its
// place among them, from 0, and either Problem what is wrong with it or
// Taken the entry that already has it. Neither quotes the wording, which
// may be a citizen's words.
type WordingError struct {
	Index   int
	Problem *FieldError
	Taken   *QuestionTaken
}

func (e *WordingError) Error() string {
	return fmt.Sprintf("kalimat ke-%d: %v", e.Index+1, e.Unwrap())
}

// Unwrap returns the problem or the refusal, so that errors.As finds the
// *FieldError or the *QuestionTaken.
func (e *WordingError) Unwrap() error {
	if e.Taken != nil {
		return e.Taken
	}
	return e.Problem
}

// ValidateWording reports the problem with s as a wording of a question
// (as an entry's question, or as an alternate when alternate is set), as
// every save reports it (a *FieldError), or nil: a desk checks a
// citizen's question with it before the officer's lesson is sent.
func ValidateWording(s string, alternate bool) error {
	if _, fe := cleanWording("", s, alternate); fe != nil {
		return fe
	}
	return nil
}

// cleanWording is one wording of a question as entry slug keeps it, as
// its question or, when alternate is set, as an alternate (inner spacing
// collapsed, no "|"), or the problem with it.
func cleanWording(slug, s string, alternate bool) (string, *FieldError) {
	field := "question"
	if alternate {
		field = "alternates"
	}
	clean, msg := cleanText(s)
	if msg != "" {
		return "", &FieldError{ID: slug, Field: field, Msg: msg}
	}
	if alternate {
		clean = strings.Join(strings.Fields(clean), " ")
	}
	switch n := utf8.RuneCountInString(clean); {
	case clean == "" && !alternate:
		return "", missingField(slug, field)
	case clean == "":
		return "", &FieldError{ID: slug, Field: field, Kind: FieldMissing, Msg: "kalimatnya kosong"}
	case n > MaxQuestionLen:
		return "", tooLongField(slug, field, MaxQuestionLen, n)
	case alternate && strings.Contains(clean, "|"):
		return "", &FieldError{ID: slug, Field: field, Msg: `berisi "|", tanda pemisah butir daftar di berkas CSV`}
	}
	return clean, nil
}

// cleanWordings cleans phrases as alternates of entry slug; a refused one
// is a *WordingError numbered from first.
func cleanWordings(slug string, phrases []string, first int) ([]string, error) {
	out := make([]string, len(phrases))
	for i, p := range phrases {
		clean, fe := cleanWording(slug, p, true)
		if fe != nil {
			return nil, &WordingError{Index: first + i, Problem: fe}
		}
		out[i] = clean
	}
	return out, nil
}

// addWordings appends to e's alternates each of phrases that is not yet
// its question or one of its alternates, ignoring case and spacing, and
// returns how many it appended.
func addWordings(e *Entry, phrases []string) (added int) {
	fresh := newWordings(*e, phrases)
	for _, i := range fresh {
		e.Alternates = append(e.Alternates, phrases[i])
	}
	return len(fresh)
}

// newWordings are the places in phrases of those that addWordings would
// append to e: neither its question nor one of its alternates nor an
// earlier phrase, ignoring case and spacing.
func newWordings(e Entry, phrases []string) []int {
	seen := map[string]bool{phraseKey(e.Question): true}
	for _, a := range e.Alternates {
		seen[phraseKey(a)] = true
	}
	var fresh []int
	for i, p := range phrases {
		if k := phraseKey(p); !seen[k] {
			seen[k] = true
			fresh = append(fresh, i)
		}
	}
	return fresh
}

// Revision is one version of an entry: its content as it was after the
// change, who made it and how.
type Revision struct {
	Version int
	Action  Action
	Author  string
	At      time.Time
	Entry   Entry
}

type revisionRow struct {
	Version   int       `db:"version"`
	Action    Action    `db:"action"`
	Snapshot  string    `db:"snapshot"`
	Author    string    `db:"author"`
	CreatedAt time.Time `db:"created_at"`
}

func (r revisionRow) revision(slug string) (Revision, error) {
	var j jsonEntry
	if err := json.Unmarshal([]byte(r.Snapshot), &j); err != nil {
		return Revision{}, fmt.Errorf("knowledge: unable to decode revision %d of %q: %w", r.Version, slug, err)
	}
	e := j.entry()
	if len(e.Alternates) == 0 {
		e.Alternates = nil
	}
	if len(e.Tags) == 0 {
		e.Tags = nil
	}
	at := r.CreatedAt.UTC()
	e.Version, e.UpdatedAt, e.UpdatedBy = r.Version, at, r.Author
	return Revision{Version: r.Version, Action: r.Action, Author: r.Author, At: at, Entry: e}, nil
}

// Revisions returns an entry's history, newest first, or ErrNotFound.
func (s *Store) Revisions(ctx context.Context, slug string) ([]Revision, error) {
	cur, err := s.getRow(ctx, s.db, slug)
	if err != nil {
		return nil, err
	}
	var rows []revisionRow
	err = s.db.SelectContext(ctx, &rows, s.db.Rebind(`
		SELECT version, action, snapshot, author, created_at
		FROM faq_revisions
		WHERE entry_id = ?
		ORDER BY version DESC`), cur.ID)
	if err != nil {
		return nil, fmt.Errorf("knowledge: unable to fetch revisions of %q: %w", slug, err)
	}
	out := make([]Revision, 0, len(rows))
	for _, r := range rows {
		rev, err := r.revision(slug)
		if err != nil {
			return nil, err
		}
		out = append(out, rev)
	}
	return out, nil
}

// Restore makes the content of an earlier version (status included) the
// entry's current content, as a new version with action "restore". When the
// content already equals that version nothing changes. A version, not
// archived, with a wording that another entry has now is refused as Save
// refuses it (see heldWording), so is one that takes the entry out of the
// archive. It returns an error wrapping ErrNotFound when the entry or the
// version does not exist.
func (s *Store) Restore(ctx context.Context, slug string, version int, author string) (Entry, error) {
	return s.modify(ctx, slug, ActionRestore, author, func(tx *sqlx.Tx, e *Entry) error {
		var r revisionRow
		err := tx.GetContext(ctx, &r, s.db.Rebind(`
			SELECT r.version, r.action, r.snapshot, r.author, r.created_at
			FROM faq_revisions r JOIN faq_entries e ON e.id = r.entry_id
			WHERE e.slug = ? AND r.version = ?`), slug, version)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("knowledge: entry %q has no version %d: %w", slug, version, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("knowledge: unable to fetch version %d of %q: %w", version, slug, err)
		}
		rev, err := r.revision(slug)
		if err != nil {
			return err
		}
		old := rev.Entry
		e.Category, e.Question, e.Alternates, e.Answer, e.Tags, e.Status =
			old.Category, old.Question, old.Alternates, old.Answer, old.Tags, old.Status
		return nil
	})
}

// ImportOptions controls Import.
type ImportOptions struct {
	// Replace archives every entry that is not in the import and not
	// already archived (its history is kept).
	Replace bool
	// Author is recorded on every revision the import writes.
	Author string
	// ConfirmArchive makes a replacing import archive exactly the entries
	// in ConfirmedArchive, the slugs the person who imports was shown and
	// confirmed: an import that would archive any other set (another
	// file, or a colleague's change since the preview), checked inside
	// the import's transaction, is refused with an *ArchiveUnconfirmed,
	// nothing written. An import that archives nothing needs no
	// confirmation. The web admin says first what a replacing import
	// would archive this way.
	ConfirmArchive   bool
	ConfirmedArchive []string
	// Progress, when set, is called after each entry is written (inside
	// the transaction) with the number written so far, for a long import
	// to show that it advances.
	Progress func(done int)
}

// ArchiveUnconfirmed refuses an import that would archive other entries
// than the ones confirmed (ImportOptions.ConfirmedArchive).
type ArchiveUnconfirmed struct {
	// Slugs are the entries the import would archive, sorted.
	Slugs []string
	// Changed is set when a list was confirmed but differs from Slugs.
	Changed bool
}

func (e *ArchiveUnconfirmed) Error() string {
	return fmt.Sprintf("knowledge: the import would archive %d entries, not confirmed", len(e.Slugs))
}

// ImportResult counts what an import did.
type ImportResult struct {
	Created, Updated, Unchanged, Archived int
	// SynonymGroups counts synonym groups created, changed or deleted (by
	// ImportFile only).
	SynonymGroups int
}

// Import upserts entries by slug in one transaction: either every entry is
// written or none is. All entries are validated first; a problem is returned
// as a *FieldError (several joined with errors.Join). Replacing with an
// empty list is refused, as it would archive the whole knowledge base.
func (s *Store) Import(ctx context.Context, entries []Entry, opt ImportOptions) (ImportResult, error) {
	return s.ImportFile(ctx, File{Entries: entries}, opt)
}

// ImportFile is Import that also imports the file's synonym groups when it
// has any. A group that shares a term with a stored group replaces it;
// other groups are added; with Replace, stored groups that are not in the
// file are deleted (only when the file lists synonyms).
func (s *Store) ImportFile(ctx context.Context, f File, opt ImportOptions) (ImportResult, error) {
	entries, err := normalizeBatch(f.Entries)
	if err != nil {
		return ImportResult{}, fmt.Errorf("knowledge: unable to import: %w", err)
	}
	var groups [][]string
	for i, g := range f.Synonyms {
		terms, err := normalizeTerms(g)
		if err != nil {
			return ImportResult{}, fmt.Errorf("knowledge: unable to import: synonym group %d: %w", i+1, err)
		}
		groups = append(groups, terms)
	}
	if i, err := checkSynonymOverlap(groups); err != nil {
		return ImportResult{}, fmt.Errorf("knowledge: unable to import: synonym group %d: %w", i+1, err)
	}
	if opt.Replace && len(entries) == 0 {
		return ImportResult{}, fmt.Errorf("knowledge: unable to import: %w", &FieldError{
			Msg: "berkas tidak berisi entri; mengganti seluruh basis pengetahuan dengan isi berkas kosong ditolak"})
	}
	var res ImportResult
	err = s.write(ctx, func(tx *sqlx.Tx) (bool, error) {
		res = ImportResult{}
		var rows []entryRow
		if err := tx.SelectContext(ctx, &rows, `SELECT `+entryColumns+` FROM faq_entries`); err != nil {
			return false, fmt.Errorf("knowledge: unable to import: %w", err)
		}
		existing := make(map[string]*entryRow, len(rows))
		for i := range rows {
			existing[rows[i].Slug] = &rows[i]
		}
		if !opt.Replace {
			if err := wordingsKept(rows, f, entries); err != nil {
				return false, fmt.Errorf("knowledge: unable to import: %w", err)
			}
		}
		if opt.Replace && opt.ConfirmArchive {
			inFile := make(map[string]bool, len(entries))
			for _, e := range entries {
				inFile[e.Slug] = true
			}
			var archive []string
			for _, r := range rows {
				if !inFile[r.Slug] && r.Status != Archived {
					archive = append(archive, r.Slug)
				}
			}
			slices.Sort(archive)
			confirmed := slices.Clone(opt.ConfirmedArchive)
			slices.Sort(confirmed)
			if len(archive) > 0 && !slices.Equal(archive, slices.Compact(confirmed)) {
				return false, &ArchiveUnconfirmed{Slugs: archive, Changed: len(confirmed) > 0}
			}
		}
		for i, e := range entries {
			// A cancelled import stops between entries, not at the commit
			// minutes later; the transaction rolls back whole.
			if err := ctx.Err(); err != nil {
				return false, fmt.Errorf("knowledge: import stopped after %d of %d entries, nothing written: %w", i, len(entries), err)
			}
			cur := existing[e.Slug]
			_, changed, err := s.put(ctx, tx, cur, e, ActionImport, opt.Author)
			switch {
			case err != nil:
				return false, err
			case !changed:
				res.Unchanged++
			case cur == nil:
				res.Created++
			default:
				res.Updated++
			}
			delete(existing, e.Slug)
			if opt.Progress != nil {
				opt.Progress(i + 1)
			}
		}
		if opt.Replace {
			for _, r := range rows {
				cur, ok := existing[r.Slug]
				if !ok || cur.Status == Archived {
					continue
				}
				e, err := cur.entry()
				if err != nil {
					return false, err
				}
				e.Status = Archived
				if _, _, err := s.put(ctx, tx, cur, e, ActionStatus, opt.Author); err != nil {
					return false, err
				}
				res.Archived++
			}
		}
		if f.Synonyms != nil {
			n, err := s.importSynonyms(ctx, tx, groups, opt)
			if err != nil {
				return false, err
			}
			res.SynonymGroups = n
		}
		return res.Created+res.Updated+res.Archived+res.SynonymGroups > 0, nil
	})
	if err != nil {
		return ImportResult{}, err
	}
	return res, nil
}

// wordingsKept refuses, in a merging import of entries (normalised, the
// entries of f), a wording of an entry that holds its wordings that a
// stored entry (rows) the import leaves as it is, and that holds its
// own, already has: heldWording's rule (see Status.HoldsWordings). With
// the file's own entries sharing none (normalizeBatch), no entry holds
// a wording another one holds after the import: an archived entry the
// file publishes again is refused here as SetStatus refuses it.
func wordingsKept(rows []entryRow, f File, entries []Entry) error {
	inFile := make(map[string]bool, len(entries))
	for _, e := range entries {
		inFile[e.Slug] = true
	}
	kept := map[string]*QuestionTaken{}
	for _, r := range rows {
		if inFile[r.Slug] || !r.Status.HoldsWordings() {
			continue
		}
		e, err := r.entry()
		if err != nil {
			return err
		}
		for i, w := range append([]string{e.Question}, e.Alternates...) {
			if k := phraseKey(w); kept[k] == nil || i == 0 && kept[k].Alternate {
				kept[k] = &QuestionTaken{Entry: e, Alternate: i > 0}
			}
		}
	}
	var c collector
	for n, e := range entries {
		if !e.Status.HoldsWordings() {
			continue
		}
		for i, w := range append([]string{e.Question}, e.Alternates...) {
			if taken := kept[phraseKey(w)]; taken != nil {
				c.add(f.at(takenField(e.Slug, i, w, taken, true), n))
			}
		}
		if c.full() {
			break
		}
	}
	if len(c.errs) > 0 {
		return c.err()
	}
	return nil
}

// normalizeBatch validates and normalises entries and rejects duplicate
// slugs and wordings that two entries holding theirs share (see
// sharedWordings), reporting every problem (up to maxErrors).
func normalizeBatch(entries []Entry) ([]Entry, error) {
	var c collector
	out := make([]Entry, 0, len(entries))
	seen := make(map[string]int, len(entries))
	shared := sharedWordings{}
	for i, e := range entries {
		ne, err := normalize(e)
		if err != nil {
			c.add(err)
		} else if j, dup := seen[ne.Slug]; dup {
			c.add(&FieldError{ID: ne.Slug, Field: "id", Msg: fmt.Sprintf("id ganda (entri ke-%d dan ke-%d)", j+1, i+1)})
		} else if clashes := shared.add(ne, i+1, func(string) int { return 0 }); len(clashes) > 0 {
			for _, fe := range clashes {
				c.add(fe)
			}
		} else {
			seen[ne.Slug] = i
			out = append(out, ne)
		}
		if c.full() {
			break
		}
	}
	if len(c.errs) > 0 {
		return nil, c.err()
	}
	return out, nil
}

// ExportFile returns the whole knowledge base (every entry, archived ones
// included, ordered by category and slug, and the synonym groups) in the
// form WriteJSONFile writes.
func (s *Store) ExportFile(ctx context.Context) (File, error) {
	entries, err := s.List(ctx, Filter{})
	if err != nil {
		return File{}, err
	}
	groups, err := s.Synonyms(ctx)
	if err != nil {
		return File{}, err
	}
	f := File{Entries: entries}
	for _, g := range groups {
		f.Synonyms = append(f.Synonyms, g.Terms)
	}
	return f, nil
}

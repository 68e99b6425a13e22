package training

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
)

// QuestionKind is how a question is answered.
type QuestionKind string

// The question kinds.
const (
	// Likert5 is a 1–5 agreement scale, answered with buttons.
	Likert5 QuestionKind = "likert5"
	// Choice is one of Options, answered with a button each.
	Choice QuestionKind = "choice"
	// FreeText is answered by typing.
	FreeText QuestionKind = "text"
)

// Question is one question of a survey template.
type Question struct {
	// ID is short and stable (lower-case letters, digits, "_", at most 16):
	// answers and reports refer to it, and it travels in button data.
	ID       string       `json:"id"`
	Kind     QuestionKind `json:"kind"`
	Text     string       `json:"text"`
	Options  []string     `json:"options,omitempty"`
	Required bool         `json:"required"`
}

// Template is a survey as data. Rounds copy its questions when they open,
// so a later edit never changes a running or past round.
type Template struct {
	Code  string `json:"code"`
	Title string `json:"title"`
	// Intro is shown with the invitation.
	Intro string `json:"intro"`
	// Anonymous templates store answers under a per-round random token
	// that no stored value joins to the person, and their reports hide
	// groups smaller than the anonymity threshold.
	Anonymous bool       `json:"anonymous"`
	Questions []Question `json:"questions"`
}

// The codes of the shipped templates.
const (
	TemplatePostTraining = "reaksi-pelatihan"
	TemplateFollowUp     = "tindak-lanjut-pelatihan"
	TemplateCompetency   = "kompetensi-digital"
)

// legacyTemplateFollowUp is TemplateFollowUp's code before the follow-up's
// interval became configurable (HUB_FOLLOWUP_AFTER); migration 0037 moved
// the template and its rounds to the new code, and a lookup by the old
// one still finds it.
const legacyTemplateFollowUp = "tindak-lanjut-3-bulan"

// currentTemplateCode returns the code a template is stored under now.
func currentTemplateCode(code string) string {
	if code == legacyTemplateFollowUp {
		return TemplateFollowUp
	}
	return code
}

// Limits of templates and answers.
const (
	MaxOptions    = 8
	MaxOptionLen  = 40
	MaxQuestions  = 30
	MaxTextAnswer = 1000
)

// LikertLabels name the points of the 1–5 scale.
var LikertLabels = [5]string{"Sangat tidak setuju", "Tidak setuju", "Ragu-ragu", "Setuju", "Sangat setuju"}

var questionIDPattern = regexp.MustCompile(`^[a-z0-9_]{1,16}$`)

//go:embed templates/*.json
var templateFiles embed.FS

// ShippedTemplates returns the templates that come with the hub: the
// post-training reaction survey, the application follow-up and the periodic
// digital-competency self-assessment.
func ShippedTemplates() ([]Template, error) {
	entries, err := fs.ReadDir(templateFiles, "templates")
	if err != nil {
		return nil, fmt.Errorf("training: unable to read shipped templates: %w", err)
	}
	var out []Template
	for _, e := range entries {
		data, err := templateFiles.ReadFile("templates/" + e.Name())
		if err != nil {
			return nil, fmt.Errorf("training: unable to read template %s: %w", e.Name(), err)
		}
		var t Template
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&t); err != nil {
			return nil, fmt.Errorf("training: unable to decode template %s: %w", e.Name(), err)
		}
		if err := t.Validate(); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// Validate reports the first problem with a template, or nil.
func (t Template) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("training: invalid template %q: %s", t.Code, fmt.Sprintf(format, args...))
	}
	if !codePattern.MatchString(t.Code) {
		return bad("code: want letters, digits, '.', '_' or '-', at most 64")
	}
	if t.Title == "" {
		return bad("empty title")
	}
	if len(t.Questions) == 0 || len(t.Questions) > MaxQuestions {
		return bad("want 1 to %d questions, got %d", MaxQuestions, len(t.Questions))
	}
	seen := map[string]bool{}
	for i, q := range t.Questions {
		if !questionIDPattern.MatchString(q.ID) {
			return bad("question %d: id %q: want lower-case letters, digits or _, at most 16", i+1, q.ID)
		}
		if seen[q.ID] {
			return bad("question %d: id %q used twice", i+1, q.ID)
		}
		seen[q.ID] = true
		if q.Text == "" {
			return bad("question %q: empty text", q.ID)
		}
		switch q.Kind {
		case Likert5, FreeText:
			if len(q.Options) > 0 {
				return bad("question %q: only choice questions have options", q.ID)
			}
		case Choice:
			if len(q.Options) < 2 || len(q.Options) > MaxOptions {
				return bad("question %q: want 2 to %d options", q.ID, MaxOptions)
			}
			for _, o := range q.Options {
				if o == "" || utf8.RuneCountInString(o) > MaxOptionLen {
					return bad("question %q: option %q: want 1 to %d characters", q.ID, o, MaxOptionLen)
				}
			}
			if len(slices.Compact(slices.Sorted(slices.Values(q.Options)))) != len(q.Options) {
				return bad("question %q: repeated option", q.ID)
			}
		default:
			return bad("question %q: kind %q: want likert5, choice or text", q.ID, q.Kind)
		}
	}
	return nil
}

// question returns the question with id, if any.
func question(qs []Question, id string) (Question, int, bool) {
	for i, q := range qs {
		if q.ID == id {
			return q, i, true
		}
	}
	return Question{}, -1, false
}

// SaveTemplate creates or replaces a template. Running rounds keep the
// questions they opened with.
func (s *Store) SaveTemplate(ctx context.Context, t Template) error {
	if err := t.Validate(); err != nil {
		return err
	}
	return saveTemplate(ctx, s, s.db, t)
}

func saveTemplate(ctx context.Context, s *Store, q sqlx.ExecerContext, t Template) error {
	qs, err := json.Marshal(t.Questions)
	if err != nil {
		return fmt.Errorf("training: unable to encode template %s: %w", t.Code, err)
	}
	_, err = q.ExecContext(ctx, s.db.Rebind(`INSERT INTO survey_templates (code, title, intro, anonymous, questions, updated_at)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (code) DO UPDATE SET title = excluded.title, intro = excluded.intro,
			anonymous = excluded.anonymous, questions = excluded.questions, updated_at = excluded.updated_at`),
		t.Code, t.Title, t.Intro, t.Anonymous, string(qs), utc(time.Now()))
	if err != nil {
		return fmt.Errorf("training: unable to save template %s: %w", t.Code, err)
	}
	return nil
}

// EnsureTemplates inserts the shipped templates that the database does not
// have yet; templates that exist (possibly edited by officers) are left as
// they are. Call it at start; it is idempotent.
func (s *Store) EnsureTemplates(ctx context.Context) error {
	ts, err := ShippedTemplates()
	if err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		for _, t := range ts {
			var n int
			if err := tx.GetContext(ctx, &n, s.db.Rebind(`SELECT COUNT(*) FROM survey_templates WHERE code = ?`), t.Code); err != nil {
				return fmt.Errorf("training: unable to look up template %s: %w", t.Code, err)
			}
			if n == 0 {
				if err := saveTemplate(ctx, s, tx, t); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// GetTemplate returns a template by code (a former code too), or
// ErrNotFound.
func (s *Store) GetTemplate(ctx context.Context, code string) (Template, error) {
	return s.getTemplate(ctx, s.db, code)
}

// getTemplate reads a template through q: inside a transaction, the
// transaction itself (SQLite runs on a single connection, so a read through
// the pool would wait for the transaction to end).
func (s *Store) getTemplate(ctx context.Context, q sqlx.QueryerContext, code string) (Template, error) {
	code = currentTemplateCode(code)
	var row struct {
		Code      string `db:"code"`
		Title     string `db:"title"`
		Intro     string `db:"intro"`
		Anonymous bool   `db:"anonymous"`
		Questions string `db:"questions"`
	}
	err := sqlx.GetContext(ctx, q, &row, s.db.Rebind(`SELECT code, title, intro, anonymous, questions FROM survey_templates WHERE code = ?`), code)
	if err != nil {
		return Template{}, notFound(err, "fetch template")
	}
	t := Template{Code: row.Code, Title: row.Title, Intro: row.Intro, Anonymous: row.Anonymous}
	if err := json.Unmarshal([]byte(row.Questions), &t.Questions); err != nil {
		return Template{}, fmt.Errorf("training: unable to decode template %s: %w", code, err)
	}
	return t, nil
}

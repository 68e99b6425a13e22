// Package knowledge owns the FAQ knowledge base that officers curate
// (entries, their revisions, synonym groups, import and export) and the
// in-memory search index that decides, for a citizen's question, whether to
// answer, ask back or hand over to a human.
package knowledge

import (
	"cmp"
	"errors"
	"time"
)

// Status is an entry's place in its life cycle. Only published entries are
// answered.
type Status string

// The entry statuses.
const (
	Draft     Status = "draft"
	Published Status = "published"
	Archived  Status = "archived"
)

// Word is the status as officers read it everywhere (the web admin
// capitalises it): "draf", "terbit" or "arsip"; an unknown status as it is.
func (s Status) Word() string { return cmp.Or(statusWords[s], string(s)) }

var statusWords = map[Status]string{Draft: "draf", Published: "terbit", Archived: "arsip"}

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	return s == Draft || s == Published || s == Archived
}

// HoldsWordings reports whether an entry of status s holds its question
// and alternates: no other entry may then have one of them (ignoring
// case and spacing), as the bot's answer to it would flip between the
// two. An archived entry holds none: it is out of the bot's index, and
// it takes them back only when it leaves the archive, which is refused
// while another entry holds one of them. An empty status (published, as
// saved) holds.
func (s Status) HoldsWordings() bool { return s != Archived }

// MaxAnswerLen is the longest answer accepted, in characters: one Telegram
// message.
const MaxAnswerLen = 4096

// MaxQuestionLen is the longest question, and the longest alternate,
// accepted, in characters: a question is a sentence or two, and a longer
// one is a whole message pasted in (often with a citizen's details),
// which no other question would ever match.
const MaxQuestionLen = 1000

// MaxCategoryLen and MaxTagLen are the longest category and tag accepted,
// in characters: a label of a few words, not a text.
const (
	MaxCategoryLen = 100
	MaxTagLen      = 100
)

// MaxAlternates and MaxTags are the most alternates and tags one entry
// keeps: more than that is a list pasted in the wrong field, or wordings
// that belong to entries of their own.
const (
	MaxAlternates = 200
	MaxTags       = 30
)

// Entry is one FAQ entry. Slug is its stable external id ("ktp-hilang").
type Entry struct {
	Slug       string    `json:"id" db:"slug"`
	Category   string    `json:"category" db:"category"`
	Question   string    `json:"question" db:"question"`
	Alternates []string  `json:"alternates" db:"-"`
	Answer     string    `json:"answer" db:"answer"`
	Tags       []string  `json:"tags" db:"-"`
	Status     Status    `json:"status,omitempty" db:"status"`
	Version    int       `json:"-" db:"version"`
	UpdatedAt  time.Time `json:"-" db:"updated_at"`
	UpdatedBy  string    `json:"-" db:"updated_by"`
}

// ErrNotFound is returned when no entry has the requested id.
var ErrNotFound = errors.New("knowledge: entry not found")

package admin

import (
	"context"
	"net/http"
	"net/url"
	"sync"
	"unicode/utf8"

	"github.com/tebingtinggi/hub/knowledge"
)

// "Coba bot sebelum terbit": what the bot would answer to an entry's
// wordings, and to any others the officer adds, if the entry were
// published, beside what it answers now. The answers come from an index
// built as the live one is (knowledge.Store.PreviewIndex), with the entry
// among the published ones; nothing is published.

// previewIndexes keeps the last preview index: building one reads and
// analyses the whole knowledge base, while an officer looks at the same
// draft several times before it, or the knowledge base, changes.
type previewIndexes struct {
	mu sync.Mutex
	// key is the knowledge-base generation and the entry's id and
	// version the index was built for.
	key    previewKey
	ix     *knowledge.Index
	builds int
}

type previewKey struct {
	generation int64
	slug       string
	version    int
}

// index returns the preview index of e at generation gen, building it
// unless it is the one kept. One build runs at a time: a second request
// for the same draft waits for the first's index instead of building its
// own.
func (p *previewIndexes) index(ctx context.Context, kb *knowledge.Store, cfg knowledge.Config, gen int64, e knowledge.Entry) (*knowledge.Index, error) {
	key := previewKey{generation: gen, slug: e.Slug, version: e.Version}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ix != nil && p.key == key {
		return p.ix, nil
	}
	ix, err := kb.PreviewIndex(ctx, cfg, e)
	if err != nil {
		return nil, err
	}
	p.key, p.ix = key, ix
	p.builds++
	return ix, nil
}

// built is how many preview indexes have been built.
func (p *previewIndexes) built() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.builds
}

type previewRow struct {
	Now, After verdictRow
	// Ours is true when the published entry would answer the question.
	Ours bool
}

type previewData struct {
	Entry knowledge.Entry
	Rows  []previewRow
	// Extra are the questions the officer added, kept in the form.
	Extra []string
	// AnsweredNow and AnsweredAfter count the questions the bot answers
	// now and would answer; Ours those the entry would answer.
	AnsweredNow, AnsweredAfter, Ours int
}

func (s *Server) kbTry(w http.ResponseWriter, r *http.Request, sess *Session) {
	ctx := r.Context()
	// The generation is read first: an entry read after it is at least
	// as new, and a change in between shows as a newer generation on the
	// next view, which builds again.
	gen, err := s.cfg.Knowledge.Generation(ctx)
	if err != nil {
		s.serverError(w, r, sess, err)
		return
	}
	e, ok := s.readEntry(w, r, sess)
	if !ok {
		return
	}
	ix, err := s.previews.index(ctx, s.cfg.Knowledge, s.cfg.Index.Config(), gen, e)
	if err != nil {
		s.serverError(w, r, sess, err)
		return
	}
	d := previewData{Entry: e}
	for _, q := range distinctWordings(r.URL.Query()["q"]) {
		if utf8.RuneCountInString(q) <= knowledge.MaxQuestionLen && len(d.Extra) < maxGroupQuestions {
			d.Extra = append(d.Extra, q)
		}
	}
	qs := distinctWordings(append(append([]string{}, d.Extra...), append([]string{e.Question}, e.Alternates...)...))
	for _, q := range qs[:min(len(qs), 2*maxGroupQuestions)] {
		row := previewRow{Now: verdictOf(s.cfg.Index, q), After: verdictOf(ix, q)}
		row.Ours = row.After.Answered && row.After.Verdict.FAQID == e.Slug
		d.Rows = append(d.Rows, row)
		if row.Now.Answered {
			d.AnsweredNow++
		}
		if row.After.Answered {
			d.AnsweredAfter++
		}
		if row.Ours {
			d.Ours++
		}
	}
	s.render(w, r, sess, http.StatusOK, "kb_try", view{Title: "Coba bot sebelum terbit: " + e.Slug, Nav: "kb", Data: d})
}

// previewURL is the "Coba bot sebelum terbit" page of an entry.
func previewURL(slug string) string {
	return "/admin/kb/entry/" + url.PathEscape(slug) + "/try"
}

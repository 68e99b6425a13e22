package admin

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/tebingtinggi/hub/knowledge"
)

type revisionsData struct {
	Entry     knowledge.Entry
	Revisions []knowledge.Revision
	// Old and New are the versions compared; Changes their differences.
	Old, New int
	Changes  []fieldDiff
}

// fieldDiff is one field that differs between two versions.
type fieldDiff struct {
	Field string
	Lines []diffLine
}

// entryFields lists an entry's content as labelled text, in form order.
func entryFields(e knowledge.Entry) [][2]string {
	return [][2]string{
		{"Kategori", e.Category},
		{"Pertanyaan", e.Question},
		{"Variasi pertanyaan", strings.Join(e.Alternates, "\n")},
		{"Jawaban", e.Answer},
		{"Tag", strings.Join(e.Tags, ", ")},
		{"Status", statusLabel(e.Status)},
	}
}

func diffEntries(a, b knowledge.Entry) []fieldDiff {
	var out []fieldDiff
	fa, fb := entryFields(a), entryFields(b)
	for i := range fa {
		if fa[i][1] != fb[i][1] {
			out = append(out, fieldDiff{Field: fa[i][0], Lines: diffLines(fa[i][1], fb[i][1])})
		}
	}
	return out
}

// kbRevisions lists an entry's versions and compares two of them
// (?old=N&new=M; by default the newest with the one before it).
func (s *Server) kbRevisions(w http.ResponseWriter, r *http.Request, sess *Session) {
	slug := r.PathValue("slug")
	revs, err := s.cfg.Knowledge.Revisions(r.Context(), slug)
	if errors.Is(err, knowledge.ErrNotFound) || err == nil && len(revs) == 0 {
		s.fail(w, r, sess, http.StatusNotFound, "Entri tidak ditemukan.")
		return
	}
	if err != nil {
		s.serverError(w, r, sess, err)
		return
	}
	d := revisionsData{Entry: revs[0].Entry, Revisions: revs, New: revs[0].Version, Old: revs[0].Version - 1}
	if v, err := strconv.Atoi(r.URL.Query().Get("new")); err == nil {
		d.New = v
	}
	if v, err := strconv.Atoi(r.URL.Query().Get("old")); err == nil {
		d.Old = v
	} else if r.URL.Query().Has("new") {
		d.Old = d.New - 1
	}
	byVersion := map[int]knowledge.Entry{}
	for _, rev := range revs {
		byVersion[rev.Version] = rev.Entry
	}
	newE, okNew := byVersion[d.New]
	oldE, okOld := byVersion[d.Old] // version 0 is "nothing yet"
	var msg string
	if !okNew || !okOld && d.Old != 0 {
		// A version the entry never had: say so, and show the last change.
		missing := d.New
		if okNew {
			missing = d.Old
		}
		msg = "Entri ini tidak memiliki versi " + strconv.Itoa(missing) + "; yang ditampilkan perubahan terakhirnya."
		d.New, d.Old = revs[0].Version, revs[0].Version-1
		newE, oldE = byVersion[d.New], byVersion[d.Old]
	}
	d.Changes = diffEntries(oldE, newE)
	s.render(w, r, sess, http.StatusOK, "kb_revisions", view{Title: "Riwayat " + slug, Nav: "kb", Error: msg, Data: d})
}

func (s *Server) kbRestore(w http.ResponseWriter, r *http.Request, sess *Session) {
	slug := r.PathValue("slug")
	v, err := strconv.Atoi(r.PostFormValue("version"))
	if err != nil || v < 1 {
		s.fail(w, r, sess, http.StatusBadRequest, "Nomor versi tidak sah.")
		return
	}
	s.changeEntry(w, r, sess, slug, "kb.restore", func() (knowledge.Entry, error) {
		return s.cfg.Knowledge.Restore(r.Context(), slug, v, actor(sess))
	}, "/admin/kb/entry/"+url.PathEscape(slug)+"/revisions", "restored")
}

package admin

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/tebingtinggi/hub/knowledge"
)

func (s *Server) synonyms(w http.ResponseWriter, r *http.Request, sess *Session) {
	groups, err := s.cfg.Knowledge.Synonyms(r.Context())
	if err != nil {
		s.serverError(w, r, sess, err)
		return
	}
	s.render(w, r, sess, http.StatusOK, "synonyms", view{Title: "Sinonim", Nav: "synonyms", Data: synonymsData{Groups: groups}})
}

// synonymsData is the synonyms page: the groups, and the terms of a
// refused form as typed, for the new group (TypedID 0) or group TypedID.
type synonymsData struct {
	Groups  []knowledge.SynonymGroup
	Typed   string
	TypedID int64
}

// synonymSave creates a group (no id) or replaces a group's terms,
// separated as Slack's /faq sinonim separates them (one a line, or "="
// or ",": knowledge.ParseSynonymTerms).
func (s *Server) synonymSave(w http.ResponseWriter, r *http.Request, sess *Session) {
	g := knowledge.SynonymGroup{Terms: knowledge.ParseSynonymTerms(r.PostFormValue("terms"))}
	if id := r.PostFormValue("id"); id != "" {
		var err error
		if g.ID, err = strconv.ParseInt(id, 10, 64); err != nil {
			s.fail(w, r, sess, http.StatusBadRequest, "Kelompok sinonim tidak sah.")
			return
		}
	}
	before, err := s.synonymGroup(r, g.ID)
	if err != nil {
		s.serverError(w, r, sess, err)
		return
	}
	saved, err := s.cfg.Knowledge.SaveSynonymGroup(r.Context(), g, actor(sess))
	var fe *knowledge.FieldError
	switch {
	case errors.As(err, &fe):
		groups, lerr := s.cfg.Knowledge.Synonyms(r.Context())
		if lerr != nil {
			s.serverError(w, r, sess, lerr)
			return
		}
		s.render(w, r, sess, http.StatusUnprocessableEntity, "synonyms", view{Title: "Sinonim", Nav: "synonyms",
			Error: "Kelompok sinonim belum disimpan: " + fe.Msg,
			Data:  synonymsData{Groups: groups, Typed: r.PostFormValue("terms"), TypedID: g.ID}})
		return
	case errors.Is(err, knowledge.ErrSynonymGroupNotFound):
		s.fail(w, r, sess, http.StatusNotFound, "Kelompok sinonim tidak ditemukan.")
		return
	case err != nil:
		s.serverError(w, r, sess, err)
		return
	}
	s.record(r, sess, "kb.synonyms", "synonyms:"+strconv.FormatInt(saved.ID, 10), before, saved)
	s.changed(r)
	redirect(w, r, "/admin/kb/synonyms", "synonyms")
}

// synonymGroup returns the stored group id, or nil for 0 or none.
func (s *Server) synonymGroup(r *http.Request, id int64) (*knowledge.SynonymGroup, error) {
	if id == 0 {
		return nil, nil
	}
	groups, err := s.cfg.Knowledge.Synonyms(r.Context())
	if err != nil {
		return nil, err
	}
	for _, g := range groups {
		if g.ID == id {
			return &g, nil
		}
	}
	return nil, nil
}

func (s *Server) synonymDelete(w http.ResponseWriter, r *http.Request, sess *Session) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.fail(w, r, sess, http.StatusNotFound, "Kelompok sinonim tidak ditemukan.")
		return
	}
	before, err := s.synonymGroup(r, id)
	if err == nil {
		err = s.cfg.Knowledge.DeleteSynonymGroup(r.Context(), id, actor(sess))
	}
	switch {
	case errors.Is(err, knowledge.ErrSynonymGroupNotFound):
		s.fail(w, r, sess, http.StatusNotFound, "Kelompok sinonim tidak ditemukan.")
	case err != nil:
		s.serverError(w, r, sess, err)
	default:
		s.record(r, sess, "kb.synonyms.delete", "synonyms:"+strconv.FormatInt(id, 10), before, nil)
		s.changed(r)
		redirect(w, r, "/admin/kb/synonyms", "deleted")
	}
}

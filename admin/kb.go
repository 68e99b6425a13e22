package admin

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/tebingtinggi/hub/bots/telegram"
	"github.com/tebingtinggi/hub/knowledge"
)

const kbPageSize = 50

type kbListData struct {
	Entries  []knowledge.Entry
	Status   string
	Category string
	Text     string
	Offset   int
	PrevURL  string
	NextURL  string
	Statuses []knowledge.Status
}

var entryStatuses = []knowledge.Status{knowledge.Draft, knowledge.Published, knowledge.Archived}

func (s *Server) kbList(w http.ResponseWriter, r *http.Request, sess *Session) {
	q := r.URL.Query()
	d := kbListData{Status: q.Get("status"), Category: strings.TrimSpace(q.Get("category")), Text: strings.TrimSpace(q.Get("q")), Statuses: entryStatuses}
	if d.Status != "" && !knowledge.Status(d.Status).Valid() {
		d.Status = ""
	}
	d.Offset = offsetParam(r)
	entries, err := s.cfg.Knowledge.List(r.Context(), knowledge.Filter{Status: knowledge.Status(d.Status), Category: d.Category,
		Text: d.Text, Limit: kbPageSize + 1, Offset: d.Offset})
	if err != nil {
		s.serverError(w, r, sess, err)
		return
	}
	page := func(offset int) string {
		v := url.Values{}
		for k, val := range map[string]string{"status": d.Status, "category": d.Category, "q": d.Text} {
			if val != "" {
				v.Set(k, val)
			}
		}
		if offset > 0 {
			v.Set("offset", strconv.Itoa(offset))
		}
		return "/admin/kb?" + v.Encode()
	}
	if len(entries) > kbPageSize {
		entries = entries[:kbPageSize]
		d.NextURL = page(d.Offset + kbPageSize)
	}
	if d.Offset > 0 {
		d.PrevURL = page(max(d.Offset-kbPageSize, 0))
	}
	d.Entries = entries
	s.render(w, r, sess, http.StatusOK, "kb_list", view{Title: "Basis pengetahuan", Nav: "kb", Data: d})
}

// entryForm is the edit page's state: the entry as typed, the version the
// edit started from, and what the officer should see about it.
type entryForm struct {
	Entry knowledge.Entry
	// AlternatesText and TagsText are the lists as typed: one alternate a
	// line, tags separated by commas.
	AlternatesText string
	TagsText       string
	Base           int
	New            bool
	Preview        preview
	// Conflict is the stored entry when someone else saved it meanwhile.
	Conflict *knowledge.Entry
	Statuses []knowledge.Status
}

// preview is how an answer looks in Telegram: the messages the adapter
// would send, and the reason it could not be stored, if any.
type preview struct {
	Parts   []string
	Problem string
}

func previewOf(e knowledge.Entry) preview {
	p := preview{Parts: telegram.Parts(e.Answer)}
	var fe *knowledge.FieldError
	if err := knowledge.Validate(e); errors.As(err, &fe) && fe.Field == "answer" {
		p.Problem = fe.Msg
	}
	return p
}

func newEntryForm(e knowledge.Entry, isNew bool) entryForm {
	return entryForm{Entry: e, AlternatesText: strings.Join(e.Alternates, "\n"), TagsText: strings.Join(e.Tags, ", "),
		Base: e.Version, New: isNew, Preview: previewOf(e), Statuses: entryStatuses}
}

// readEntryForm reads the entry the form describes; slug is the entry's
// id for an edit and "" for a new entry (then the form names it).
func readEntryForm(r *http.Request, slug string) entryForm {
	if slug == "" {
		slug = strings.TrimSpace(r.PostFormValue("slug"))
	}
	e := knowledge.Entry{
		Slug:       slug,
		Category:   r.PostFormValue("category"),
		Question:   r.PostFormValue("question"),
		Alternates: strings.Split(r.PostFormValue("alternates"), "\n"),
		Answer:     r.PostFormValue("answer"),
		Tags:       strings.Split(r.PostFormValue("tags"), ","),
		Status:     knowledge.Status(r.PostFormValue("status")),
	}
	f := newEntryForm(e, false)
	f.AlternatesText, f.TagsText = r.PostFormValue("alternates"), r.PostFormValue("tags")
	f.Base, _ = strconv.Atoi(r.PostFormValue("version"))
	return f
}

func (s *Server) kbNew(w http.ResponseWriter, r *http.Request, sess *Session) {
	f := newEntryForm(knowledge.Entry{Status: knowledge.Draft}, true)
	s.render(w, r, sess, http.StatusOK, "kb_edit", view{Title: "Entri baru", Nav: "kb", Data: f})
}

func (s *Server) kbCreate(w http.ResponseWriter, r *http.Request, sess *Session) {
	f := readEntryForm(r, "")
	f.New, f.Base = true, 0
	s.saveEntry(w, r, sess, f)
}

// readEntry reads the entry the path names, answering a missing one with
// 404.
func (s *Server) readEntry(w http.ResponseWriter, r *http.Request, sess *Session) (knowledge.Entry, bool) {
	e, err := s.cfg.Knowledge.Get(r.Context(), r.PathValue("slug"))
	if errors.Is(err, knowledge.ErrNotFound) {
		s.fail(w, r, sess, http.StatusNotFound, "Entri tidak ditemukan.")
		return e, false
	}
	if err != nil {
		s.serverError(w, r, sess, err)
		return e, false
	}
	return e, true
}

func (s *Server) kbEdit(w http.ResponseWriter, r *http.Request, sess *Session) {
	if e, ok := s.readEntry(w, r, sess); ok {
		s.render(w, r, sess, http.StatusOK, "kb_edit", view{Title: e.Question, Nav: "kb", Data: newEntryForm(e, false)})
	}
}

func (s *Server) kbSave(w http.ResponseWriter, r *http.Request, sess *Session) {
	s.saveEntry(w, r, sess, readEntryForm(r, r.PathValue("slug")))
}

// saveEntry stores the form's entry unless the officer only asked for a
// preview, someone saved the entry since the edit began, or the entry is
// invalid: then the form comes back with the officer's text kept.
func (s *Server) saveEntry(w http.ResponseWriter, r *http.Request, sess *Session, f entryForm) {
	title := "Sunting entri"
	if f.New {
		title = "Entri baru"
	}
	again := func(status int, msg string) {
		s.render(w, r, sess, status, "kb_edit", view{Title: title, Nav: "kb", Error: msg, Data: f})
	}
	if r.PostFormValue("action") == "preview" {
		again(http.StatusOK, "")
		return
	}
	// Read for a new entry too: the same form sent twice finds the entry
	// the first one created, and lands on it without a second record.
	var before *knowledge.Entry
	cur, err := s.cfg.Knowledge.Get(r.Context(), f.Entry.Slug)
	if err != nil && !errors.Is(err, knowledge.ErrNotFound) {
		s.serverError(w, r, sess, err)
		return
	}
	if err == nil {
		before = &cur
	}
	saved, err := s.cfg.Knowledge.SaveVersion(r.Context(), f.Entry, f.Base, actor(sess))
	var conflict *knowledge.VersionConflict
	var fe *knowledge.FieldError
	switch {
	case errors.As(err, &conflict) && f.New:
		again(http.StatusConflict, "Id "+f.Entry.Slug+" sudah dipakai entri lain. Pilih id lain.")
		return
	case errors.As(err, &conflict):
		cur := conflict.Current
		f.Conflict, f.Base = &cur, cur.Version
		again(http.StatusConflict, "Entri ini sudah diubah oleh "+cur.UpdatedBy+" menjadi versi "+strconv.Itoa(cur.Version)+
			" sejak Anda mulai menyunting versi "+strconv.Itoa(conflict.Base)+". Perubahan Anda belum disimpan: "+
			"bandingkan dengan versi terbaru di bawah, lalu simpan lagi bila tetap ingin menggantinya.")
		return
	case errors.As(err, &fe):
		again(http.StatusUnprocessableEntity, "Belum dapat disimpan: "+fieldLabel(fe.Field)+": "+fe.Msg)
		return
	case err != nil:
		s.serverError(w, r, sess, err)
		return
	}
	action, notice := "kb.update", "saved"
	if before == nil {
		action = "kb.create"
	}
	if f.New {
		notice = "created"
	}
	if before == nil || before.Version != saved.Version {
		s.record(r, sess, action, "kb:"+saved.Slug, before, saved)
		s.changed(r)
	}
	redirect(w, r, "/admin/kb/entry/"+url.PathEscape(saved.Slug), notice)
}

// fieldLabel names an entry's field in Indonesian.
func fieldLabel(field string) string {
	if l, ok := map[string]string{"id": "Id", "category": "Kategori", "question": "Pertanyaan", "alternates": "Variasi pertanyaan",
		"answer": "Jawaban", "tags": "Tag", "status": "Status"}[field]; ok {
		return l
	}
	return field
}

func (s *Server) kbStatus(w http.ResponseWriter, r *http.Request, sess *Session) {
	slug := r.PathValue("slug")
	st := knowledge.Status(r.PostFormValue("status"))
	if !st.Valid() {
		s.fail(w, r, sess, http.StatusBadRequest, "Status tidak dikenal.")
		return
	}
	s.changeEntry(w, r, sess, slug, "kb.status", func() (knowledge.Entry, error) {
		return s.cfg.Knowledge.SetStatus(r.Context(), slug, st, actor(sess))
	}, "/admin/kb/entry/"+url.PathEscape(slug), "status")
}

// changeEntry runs change on the entry slug and, when it made a new
// version, audits it as action and refreshes the index; then it sends the
// browser to next with notice.
func (s *Server) changeEntry(w http.ResponseWriter, r *http.Request, sess *Session, slug, action string,
	change func() (knowledge.Entry, error), next, notice string) {
	before, err := s.cfg.Knowledge.Get(r.Context(), slug)
	if err == nil {
		var after knowledge.Entry
		if after, err = change(); err == nil && after.Version != before.Version {
			s.record(r, sess, action, "kb:"+slug, before, after)
			s.changed(r)
		}
	}
	// A version with a wording another entry has now is not restored,
	// nor is an archived entry published again while another has one.
	fe, refused := errors.AsType[*knowledge.FieldError](err)
	switch {
	case errors.Is(err, knowledge.ErrNotFound):
		s.fail(w, r, sess, http.StatusNotFound, "Entri atau versinya tidak ditemukan.")
	case refused:
		s.fail(w, r, sess, http.StatusUnprocessableEntity, "Belum dapat diubah: "+fieldLabel(fe.Field)+": "+fe.Msg)
	case err != nil:
		s.serverError(w, r, sess, err)
	default:
		redirect(w, r, next, notice)
	}
}

// kbPreview answers the edit page's script with the preview of the answer
// being typed, rendered by the same template as the page's.
func (s *Server) kbPreview(w http.ResponseWriter, r *http.Request, sess *Session) {
	p := previewOf(knowledge.Entry{Slug: "preview", Question: "preview", Answer: r.PostFormValue("answer")})
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := s.pages.byName["kb_edit"].ExecuteTemplate(w, "preview", p); err != nil {
		s.cfg.Logger.Error("admin: cannot render the preview", "err", err)
	}
}

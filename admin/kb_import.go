package admin

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"

	"github.com/tebingtinggi/hub/knowledge"
)

type importData struct {
	FileName string
	// Replace ticks "Arsipkan entri yang tidak ada di berkas" on the form:
	// only on a form sent back unimported, never after an import, so that
	// the next, smaller, file is not a replace by accident.
	Replace bool
	// Archive lists the entries a replacing import of the file would
	// archive, for the officer to confirm before anything is written.
	Archive []string
	// Problems are the file's problems, one per row, as the command
	// line reports them; nothing was imported when there are any.
	Problems []importProblem
	Result   *knowledge.ImportResult
	Entries  int
}

// importProblem is one *knowledge.FieldError, or another error's text.
type importProblem struct {
	Line   int
	Column int
	Entry  string
	Field  string
	Text   string
}

func problemsOf(err error) []importProblem {
	var errs []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	} else {
		errs = []error{err}
	}
	out := make([]importProblem, 0, len(errs))
	for _, e := range errs {
		var fe *knowledge.FieldError
		if errors.As(e, &fe) {
			p := importProblem{Line: fe.Line, Column: fe.Column, Entry: fe.ID, Text: fe.Msg}
			if fe.Field != "" {
				p.Field = fieldLabel(fe.Field)
			}
			out = append(out, p)
			continue
		}
		out = append(out, importProblem{Text: e.Error()})
	}
	return out
}

func (s *Server) kbImportForm(w http.ResponseWriter, r *http.Request, sess *Session) {
	s.render(w, r, sess, http.StatusOK, "kb_import", view{Title: "Impor entri", Nav: "kb", Data: importData{}})
}

// kbImport imports an uploaded CSV or JSON file, all or nothing, through
// the same parser and store call as `hub kb import`.
func (s *Server) kbImport(w http.ResponseWriter, r *http.Request, sess *Session) {
	d := importData{Replace: r.PostFormValue("replace") == "on"}
	again := func(status int, msg string) {
		s.render(w, r, sess, status, "kb_import", view{Title: "Impor entri", Nav: "kb", Error: msg, Data: d})
	}
	f, h, err := r.FormFile("file")
	if err != nil {
		again(http.StatusBadRequest, "Pilih berkas .csv atau .json untuk diimpor.")
		return
	}
	defer f.Close()
	d.FileName = filepath.Base(h.Filename)
	if ext := strings.ToLower(filepath.Ext(d.FileName)); ext != ".csv" && ext != ".json" {
		again(http.StatusUnprocessableEntity, "Berkas "+d.FileName+" belum diimpor: hanya berkas .csv atau .json yang dapat diimpor. "+
			"Simpan lembar kerja sebagai CSV UTF-8, atau pakai JSON hasil ekspor.")
		return
	}
	file, err := knowledge.ParseNamed(f, d.FileName)
	if err != nil {
		d.Problems = problemsOf(err)
		again(http.StatusUnprocessableEntity, "Berkas "+d.FileName+" belum diimpor: perbaiki masalah berikut lalu unggah lagi.")
		return
	}
	d.Entries = len(file.Entries)
	// A replacing import archives only what the officer saw and
	// confirmed: none unconfirmed, else exactly the slugs the preview
	// listed and sent back with the form (one archive_confirmed each).
	var confirmed []string
	if r.PostFormValue("archive_ok") == "on" {
		confirmed = r.PostForm["archive_confirmed"]
	}
	res, err := s.cfg.Knowledge.ImportFile(r.Context(), file, knowledge.ImportOptions{
		Replace: d.Replace, ConfirmArchive: true, ConfirmedArchive: confirmed, Author: actor(sess)})
	var unconfirmed *knowledge.ArchiveUnconfirmed
	if errors.As(err, &unconfirmed) {
		d.Archive = unconfirmed.Slugs
		msg := fmt.Sprintf("Berkas %s belum diimpor: %d entri akan diarsipkan karena tidak ada di berkas. "+
			"Periksa daftarnya di bawah; untuk melanjutkan, pilih berkas itu lagi, centang konfirmasinya, lalu tekan Impor.", d.FileName, len(d.Archive))
		if unconfirmed.Changed {
			msg = fmt.Sprintf("Berkas %s belum diimpor: entri yang akan diarsipkan tidak sama dengan daftar yang Anda konfirmasi "+
				"(berkas lain dipilih, atau entri diubah sejak daftar itu ditampilkan). Tidak ada yang diarsipkan. "+
				"Periksa daftar baru di bawah (%d entri); untuk melanjutkan, pilih berkas itu lagi, centang konfirmasinya, lalu tekan Impor.", d.FileName, len(d.Archive))
		}
		again(http.StatusConflict, msg)
		return
	}
	if err != nil {
		var fe *knowledge.FieldError
		if errors.As(err, &fe) {
			d.Problems = problemsOf(err)
			again(http.StatusUnprocessableEntity, "Berkas "+d.FileName+" belum diimpor.")
			return
		}
		s.serverError(w, r, sess, err)
		return
	}
	d.Result = &res
	d.Replace = false
	if res.Created+res.Updated+res.Archived+res.SynonymGroups > 0 {
		s.record(r, sess, "kb.import", "file:"+d.FileName, nil, res)
		s.changed(r)
	}
	s.render(w, r, sess, http.StatusOK, "kb_import", view{Title: "Impor entri", Nav: "kb", Data: d})
}

// kbExport downloads the knowledge base as `hub kb export` writes it:
// JSON with the synonym groups, or CSV.
func (s *Server) kbExport(w http.ResponseWriter, r *http.Request, sess *Session) {
	stamp := s.cfg.Now().In(jakarta).Format("20060102-1504")
	switch r.URL.Query().Get("format") {
	case "csv":
		entries, err := s.cfg.Knowledge.List(r.Context(), knowledge.Filter{})
		if err != nil {
			s.serverError(w, r, sess, err)
			return
		}
		s.sendCSV(w, r, sess, "faq-"+stamp, func(w io.Writer) error { return knowledge.WriteCSV(w, entries) })
	default:
		file, err := s.cfg.Knowledge.ExportFile(r.Context())
		if err != nil {
			s.serverError(w, r, sess, err)
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="faq-`+stamp+`.json"`)
		s.logWriteError(knowledge.WriteJSONFile(w, file))
	}
}

// logWriteError logs a response that broke off after it began.
func (s *Server) logWriteError(err error) {
	if err != nil {
		s.cfg.Logger.Warn("admin: download interrupted", "err", err)
	}
}

package admin

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/tebingtinggi/hub/training"
)

// Editing one training or one ASN: a form of the record's fields, saved
// through the training store, which checks the values by the import's
// rules and refuses a save or deletion when the record changed since the
// form was read (its revision). One template serves both.

// formField is one field of a record form.
type formField struct {
	Name, Label string
	// Options, when set, make the field a choice.
	Options []formOption
	// Hint explains what to type.
	Hint string
}

type formOption struct{ Value, Label string }

type recordFormData struct {
	Heading string
	// Save and Delete are where the form posts; Back is the list.
	Save, Delete, Back string
	// Rev is the revision the values were read at: saving again after a
	// conflict overwrites the newer version deliberately.
	Rev    string
	Fields []formField
	Values map[string]string
	// Problems are the store's refusals, by field.
	Problems []string
	// Current is the stored record after a conflict, by field.
	Current map[string]string
}

var trainingFields = []formField{
	{Name: "title", Label: "Judul"},
	{Name: "competency", Label: "Kompetensi", Hint: "id kompetensi penilaian mandiri, dipisah |, mis. data | spbe"},
	{Name: "hours", Label: "Jam pelajaran (JP)"},
	{Name: "provider", Label: "Penyelenggara"},
}

var activeOptions = []formOption{{"ya", "ya"}, {"tidak", "tidak"}}

// fieldLabels names the fields of the forms in the store's refusals.
var fieldLabels = map[string]string{"title": "Judul", "competency": "Kompetensi", "hours": "Jam pelajaran", "provider": "Penyelenggara",
	"name": "Nama", "unit": "OPD", "position": "Jabatan", "supervisor_nip": "NIP atasan", "active": "Aktif",
	"start": "Mulai", "end": "Selesai", "place": "Tempat", "online_url": "Tautan daring", "status": "Status", "tz": "Zona waktu"}

func trainingValues(t training.Training) map[string]string {
	return map[string]string{"title": t.Title, "competency": t.Competency, "hours": strconv.Itoa(t.Hours), "provider": t.Provider}
}

func asnValues(a training.ASN) map[string]string {
	active := "tidak"
	if a.Active {
		active = "ya"
	}
	return map[string]string{"name": a.Name, "unit": a.UnitCode, "position": a.Position, "supervisor_nip": a.SupervisorNIP, "active": active}
}

func (s *Server) trainingForm(t training.Training) recordFormData {
	base := "/admin/training/" + strconv.FormatInt(t.ID, 10)
	return recordFormData{Heading: "Pelatihan " + t.Code, Save: base + "/edit", Delete: base + "/delete", Back: "/admin/training",
		Rev: t.Revision(), Fields: trainingFields, Values: trainingValues(t)}
}

func (s *Server) asnForm(r *http.Request, a training.ASN) (recordFormData, error) {
	units, err := s.cfg.Training.Units(r.Context())
	if err != nil {
		return recordFormData{}, err
	}
	var opts []formOption
	for _, u := range units {
		opts = append(opts, formOption{u.Code, u.Name + " (" + u.Code + ")"})
	}
	base := "/admin/asn/" + url.PathEscape(a.NIP)
	return recordFormData{Heading: "ASN " + a.NIP, Save: base + "/edit", Delete: base + "/delete", Back: "/admin/asn?unit=" + url.QueryEscape(a.UnitCode),
		Rev: a.Revision(), Values: asnValues(a), Fields: []formField{
			{Name: "name", Label: "Nama"},
			{Name: "unit", Label: "OPD", Options: opts},
			{Name: "position", Label: "Jabatan"},
			{Name: "supervisor_nip", Label: "NIP atasan", Hint: "kosongkan bila tidak ada"},
			{Name: "active", Label: "Aktif", Options: activeOptions},
		}}, nil
}

// typed reads the form's values of fields.
func typed(r *http.Request, fields []formField) map[string]string {
	out := map[string]string{}
	for _, f := range fields {
		out[f.Name] = r.PostFormValue(f.Name)
	}
	return out
}

func (s *Server) showRecord(w http.ResponseWriter, r *http.Request, sess *Session, status int, msg string, d recordFormData) {
	s.render(w, r, sess, status, "record_edit", view{Title: d.Heading, Nav: "training", Error: msg, Data: d})
}

// failed answers a save or deletion the store did not make: a conflict
// shows the stored record beside what the officer typed, invalid values
// name their fields, anything else is a server error. It reports whether
// err was not nil.
func (s *Server) failed(w http.ResponseWriter, r *http.Request, sess *Session, err error, d recordFormData, current map[string]string, rev string) bool {
	if err == nil {
		return false
	}
	var problems training.ImportErrors
	var inUse *training.InUseError
	switch {
	case errors.Is(err, training.ErrNotFound):
		s.fail(w, r, sess, http.StatusNotFound, "Data tidak ditemukan; mungkin sudah dihapus.")
	case errors.Is(err, training.ErrChanged):
		d.Current, d.Rev = current, rev
		s.showRecord(w, r, sess, http.StatusConflict, "Data ini sudah diubah orang lain sejak Anda membukanya. Versi terbarunya di bawah; "+
			"periksa, lalu simpan lagi bila isian Anda tetap yang benar.", d)
	case errors.As(err, &problems):
		for _, p := range problems {
			label, ok := fieldLabels[p.Field]
			if !ok {
				label = p.Field
			}
			d.Problems = append(d.Problems, label+": "+p.Msg)
		}
		s.showRecord(w, r, sess, http.StatusUnprocessableEntity, "Belum disimpan: perbaiki isian berikut.", d)
	case errors.As(err, &inUse):
		s.showRecord(w, r, sess, http.StatusUnprocessableEntity, "Tidak dapat dihapus: "+inUse.Msg+".", d)
	default:
		s.serverError(w, r, sess, err)
	}
	return true
}

func (s *Server) readTraining(w http.ResponseWriter, r *http.Request, sess *Session) (training.Training, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	var t training.Training
	if err == nil {
		t, err = s.cfg.Training.GetTraining(r.Context(), id)
	}
	switch {
	case err == nil:
		return t, true
	case errors.Is(err, training.ErrNotFound), errors.Is(err, strconv.ErrSyntax), errors.Is(err, strconv.ErrRange):
		s.fail(w, r, sess, http.StatusNotFound, "Pelatihan tidak ditemukan.")
	default:
		s.serverError(w, r, sess, err)
	}
	return t, false
}

func (s *Server) trainingEdit(w http.ResponseWriter, r *http.Request, sess *Session) {
	if t, ok := s.readTraining(w, r, sess); ok {
		s.showRecord(w, r, sess, http.StatusOK, "", s.trainingForm(t))
	}
}

func (s *Server) trainingSave(w http.ResponseWriter, r *http.Request, sess *Session) {
	t, ok := s.readTraining(w, r, sess)
	if !ok {
		return
	}
	d := s.trainingForm(t)
	d.Values, d.Rev = typed(r, trainingFields), r.PostFormValue("rev")
	before, after, err := s.cfg.Training.UpdateTraining(r.Context(), t.ID, d.Values, d.Rev)
	if s.failed(w, r, sess, err, d, trainingValues(before), before.Revision()) {
		return
	}
	if after != before {
		s.record(r, sess, "training.update", "training:"+t.Code, before, after)
	}
	redirect(w, r, "/admin/training", "trainingsaved")
}

func (s *Server) trainingDelete(w http.ResponseWriter, r *http.Request, sess *Session) {
	t, ok := s.readTraining(w, r, sess)
	if !ok {
		return
	}
	d := s.trainingForm(t)
	gone, err := s.cfg.Training.DeleteTraining(r.Context(), t.ID, r.PostFormValue("rev"))
	if s.failed(w, r, sess, err, d, trainingValues(t), t.Revision()) {
		return
	}
	s.record(r, sess, "training.delete", "training:"+gone.Code, gone, nil)
	redirect(w, r, "/admin/training", "trainingdeleted")
}

func (s *Server) readASN(w http.ResponseWriter, r *http.Request, sess *Session) (training.ASN, recordFormData, bool) {
	a, err := s.cfg.Training.GetASN(r.Context(), r.PathValue("nip"))
	if errors.Is(err, training.ErrNotFound) {
		s.fail(w, r, sess, http.StatusNotFound, "ASN tidak ditemukan.")
		return a, recordFormData{}, false
	}
	var d recordFormData
	if err == nil {
		d, err = s.asnForm(r, a)
	}
	if err != nil {
		s.serverError(w, r, sess, err)
		return a, d, false
	}
	return a, d, true
}

func (s *Server) asnEdit(w http.ResponseWriter, r *http.Request, sess *Session) {
	if _, d, ok := s.readASN(w, r, sess); ok {
		s.showRecord(w, r, sess, http.StatusOK, "", d)
	}
}

func (s *Server) asnSave(w http.ResponseWriter, r *http.Request, sess *Session) {
	a, d, ok := s.readASN(w, r, sess)
	if !ok {
		return
	}
	d.Values, d.Rev = typed(r, d.Fields), r.PostFormValue("rev")
	before, after, err := s.cfg.Training.UpdateASN(r.Context(), a.NIP, d.Values, d.Rev)
	if s.failed(w, r, sess, err, d, asnValues(before), before.Revision()) {
		return
	}
	if after != before {
		s.record(r, sess, "asn.update", "asn:"+a.NIP, before, after)
	}
	redirect(w, r, "/admin/asn?unit="+url.QueryEscape(after.UnitCode), "asnsaved")
}

func (s *Server) asnDelete(w http.ResponseWriter, r *http.Request, sess *Session) {
	a, d, ok := s.readASN(w, r, sess)
	if !ok {
		return
	}
	gone, err := s.cfg.Training.DeleteASN(r.Context(), a.NIP, r.PostFormValue("rev"))
	if s.failed(w, r, sess, err, d, asnValues(a), a.Revision()) {
		return
	}
	s.record(r, sess, "asn.delete", "asn:"+gone.NIP, gone, nil)
	redirect(w, r, "/admin/asn?unit="+url.QueryEscape(gone.UnitCode), "asndeleted")
}

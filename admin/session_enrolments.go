package admin

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/tebingtinggi/hub/training"
)

// A session's enrolments, one at a time: enrol an ASN, record whether
// they attended, or take them off the list. The rules are the training
// store's, as for a row of an enrolment file; every change is audited
// (without the RSVP's reason, which the ASN wrote).

type enrolmentsData struct {
	Session    training.Session
	Enrolments []training.Enrolment
	Base       string
	// NIP is what the officer typed in the enrol form, kept on a refusal.
	NIP      string
	Problems []string
}

// enrolmentsURL is the page of session id's participants.
func enrolmentsURL(id int64) string {
	return "/admin/session/" + strconv.FormatInt(id, 10) + "/enrolments"
}

func (s *Server) showEnrolments(w http.ResponseWriter, r *http.Request, sess *Session, status int, msg string, d enrolmentsData) {
	list, err := s.cfg.Training.Enrolments(r.Context(), d.Session.ID)
	if err != nil {
		s.serverError(w, r, sess, err)
		return
	}
	d.Enrolments = list
	d.Base = enrolmentsURL(d.Session.ID)
	s.render(w, r, sess, status, "session_enrolments", view{Title: "Peserta sesi " + d.Session.Code, Nav: "training", Error: msg, Data: d})
}

func (s *Server) sessionEnrolments(w http.ResponseWriter, r *http.Request, sess *Session) {
	if ses, ok := s.readSession(w, r, sess); ok {
		s.showEnrolments(w, r, sess, http.StatusOK, "", enrolmentsData{Session: ses})
	}
}

// enrolmentFailed answers a change the store did not make: the page again
// with the store's reason for refusing it, or a server error. It reports
// whether err was not nil.
func (s *Server) enrolmentFailed(w http.ResponseWriter, r *http.Request, sess *Session, err error, d enrolmentsData) bool {
	if err == nil {
		return false
	}
	var problems training.ImportErrors
	var inUse *training.InUseError
	switch {
	case errors.Is(err, training.ErrNotFound):
		s.showEnrolments(w, r, sess, http.StatusNotFound, "ASN ini tidak terdaftar pada sesi ini; mungkin sudah dihapus dari daftar.", d)
	case errors.As(err, &problems):
		for _, p := range problems {
			d.Problems = append(d.Problems, p.Msg)
		}
		s.showEnrolments(w, r, sess, http.StatusUnprocessableEntity, "Belum disimpan.", d)
	case errors.As(err, &inUse):
		s.showEnrolments(w, r, sess, http.StatusUnprocessableEntity, "Tidak dapat dihapus dari daftar: "+inUse.Msg+".", d)
	default:
		s.serverError(w, r, sess, err)
	}
	return true
}

func (s *Server) sessionEnrol(w http.ResponseWriter, r *http.Request, sess *Session) {
	ses, ok := s.readSession(w, r, sess)
	if !ok {
		return
	}
	d := enrolmentsData{Session: ses, NIP: r.PostFormValue("nip")}
	added, err := s.cfg.Training.Enrol(r.Context(), ses.ID, d.NIP)
	if s.enrolmentFailed(w, r, sess, err, d) {
		return
	}
	s.record(r, sess, "enrolment.create", "session:"+ses.Code, nil, added)
	redirect(w, r, enrolmentsURL(ses.ID), "enrolled")
}

// attendanceValues are the attendance form's choices.
var attendanceValues = map[string]*bool{"": nil, "ya": new(true), "tidak": new(false)}

func (s *Server) sessionAttendance(w http.ResponseWriter, r *http.Request, sess *Session) {
	ses, ok := s.readSession(w, r, sess)
	if !ok {
		return
	}
	d := enrolmentsData{Session: ses}
	attended, known := attendanceValues[r.PostFormValue("attended")]
	if !known {
		d.Problems = []string{"kehadiran harus ya, tidak, atau belum diketahui"}
		s.showEnrolments(w, r, sess, http.StatusUnprocessableEntity, "Belum disimpan.", d)
		return
	}
	before, after, err := s.cfg.Training.SetAttendance(r.Context(), ses.ID, r.PathValue("nip"), attended)
	if s.enrolmentFailed(w, r, sess, err, d) {
		return
	}
	s.record(r, sess, "enrolment.attendance", "session:"+ses.Code, before, after)
	redirect(w, r, enrolmentsURL(ses.ID), "attendance")
}

func (s *Server) sessionUnenrol(w http.ResponseWriter, r *http.Request, sess *Session) {
	ses, ok := s.readSession(w, r, sess)
	if !ok {
		return
	}
	gone, err := s.cfg.Training.Unenrol(r.Context(), ses.ID, r.PathValue("nip"))
	if s.enrolmentFailed(w, r, sess, err, enrolmentsData{Session: ses}) {
		return
	}
	s.record(r, sess, "enrolment.delete", "session:"+ses.Code, gone, nil)
	redirect(w, r, enrolmentsURL(ses.ID), "unenrolled")
}

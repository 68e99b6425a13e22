package admin

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/jmoiron/sqlx"

	"github.com/tebingtinggi/hub/outbox"
	"github.com/tebingtinggi/hub/training"
)

// Editing one session: a new time, place, link or status is saved with
// the notices that tell its enrolled ASN, in one transaction, as a
// session file's import (here and on the command line) is.

var sessionStatusOptions = []formOption{{string(training.Scheduled), "dijadwalkan"}, {string(training.Cancelled), "dibatalkan"}}

var sessionFields = []formField{
	{Name: "start", Label: "Mulai", Hint: "03/12/2026 09.00 atau 2026-12-03 09:00, dalam zona waktu sesi"},
	{Name: "end", Label: "Selesai"},
	{Name: "place", Label: "Tempat"},
	{Name: "online_url", Label: "Tautan daring", Hint: "http(s)://…; isi tempat, tautan, atau keduanya"},
	{Name: "status", Label: "Status", Options: sessionStatusOptions},
	{Name: "tz", Label: "Zona waktu", Hint: "mis. Asia/Jakarta"},
}

func sessionForm(ses training.Session) recordFormData {
	base := "/admin/session/" + strconv.FormatInt(ses.ID, 10)
	return recordFormData{Heading: "Sesi " + ses.Code + " · " + ses.Title, Save: base + "/edit", Delete: base + "/delete",
		Back: "/admin/training/" + strconv.FormatInt(ses.TrainingID, 10), Rev: ses.Revision(), Fields: sessionFields, Values: ses.SessionCells()}
}

func (s *Server) readSession(w http.ResponseWriter, r *http.Request, sess *Session) (training.Session, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	var ses training.Session
	if err == nil {
		ses, err = s.cfg.Training.GetSession(r.Context(), id)
	}
	switch {
	case err == nil:
		return ses, true
	case errors.Is(err, training.ErrNotFound), errors.Is(err, strconv.ErrSyntax), errors.Is(err, strconv.ErrRange):
		s.fail(w, r, sess, http.StatusNotFound, "Sesi tidak ditemukan.")
	default:
		s.serverError(w, r, sess, err)
	}
	return ses, false
}

func (s *Server) sessionEdit(w http.ResponseWriter, r *http.Request, sess *Session) {
	if ses, ok := s.readSession(w, r, sess); ok {
		s.showRecord(w, r, sess, http.StatusOK, "", sessionForm(ses))
	}
}

// saveSession saves the session and enqueues the notices of its changes
// in one transaction, and returns how many notices were new.
func (s *Server) saveSession(ctx context.Context, id int64, cells map[string]string, rev string) (before, after training.Session, queued int, err error) {
	err = s.cfg.Accounts.db.InTx(ctx, func(tx *sqlx.Tx) error {
		var changes []training.SessionChange
		if before, after, changes, err = s.cfg.Training.UpdateSession(ctx, tx, id, cells, rev); err != nil {
			return err
		}
		queued, err = s.notifyChanges(ctx, tx, changes)
		return err
	})
	if queued > 0 && s.cfg.Desk != nil && s.cfg.Desk.Waker != nil {
		s.cfg.Desk.Waker.Wake()
	}
	return before, after, queued, err
}

// importSessions imports a session file and enqueues the notices of the
// changes to existing sessions in one transaction, and returns how many
// rows (sessions, new or not) the file had.
func (s *Server) importSessions(ctx context.Context, f io.Reader, name string) (int, error) {
	data, err := io.ReadAll(f)
	if err != nil {
		return 0, fmt.Errorf("admin: unable to read %s: %w", name, err)
	}
	var rows []training.Session
	var queued int
	err = s.cfg.Accounts.db.InTx(ctx, func(tx *sqlx.Tx) error {
		changes, err := s.cfg.Training.ImportSessionsIn(ctx, tx, bytes.NewReader(data), name)
		if err != nil {
			return err
		}
		if rows, err = training.ParseSessions(bytes.NewReader(data), name); err != nil {
			return err
		}
		queued, err = s.notifyChanges(ctx, tx, changes)
		return err
	})
	if queued > 0 && s.cfg.Desk != nil && s.cfg.Desk.Waker != nil {
		s.cfg.Desk.Waker.Wake()
	}
	return len(rows), err
}

// notifyChanges enqueues in tx the notices that tell the enrolled ASN
// about changes of sessions, and returns how many were new.
func (s *Server) notifyChanges(ctx context.Context, tx *sqlx.Tx, changes []training.SessionChange) (int, error) {
	if len(changes) == 0 {
		return 0, nil
	}
	notices, err := s.cfg.Training.ChangeNotices(ctx, tx, changes, s.cfg.Now())
	if err != nil {
		return 0, err
	}
	return outbox.Enqueue(ctx, tx, training.OutboxMessages(notices)...)
}

func (s *Server) sessionSave(w http.ResponseWriter, r *http.Request, sess *Session) {
	ses, ok := s.readSession(w, r, sess)
	if !ok {
		return
	}
	d := sessionForm(ses)
	d.Values, d.Rev = typed(r, sessionFields), r.PostFormValue("rev")
	before, after, queued, err := s.saveSession(r.Context(), ses.ID, d.Values, d.Rev)
	if s.failed(w, r, sess, err, d, before.SessionCells(), before.Revision()) {
		return
	}
	notice := "sessionsaved"
	if after.Revision() != before.Revision() {
		s.record(r, sess, "session.update", "session:"+ses.Code, before, after)
	}
	if queued > 0 {
		notice = "sessionnotified"
	}
	redirect(w, r, d.Back, notice)
}

func (s *Server) sessionDelete(w http.ResponseWriter, r *http.Request, sess *Session) {
	ses, ok := s.readSession(w, r, sess)
	if !ok {
		return
	}
	d := sessionForm(ses)
	gone, err := s.cfg.Training.DeleteSession(r.Context(), ses.ID, r.PostFormValue("rev"))
	if s.failed(w, r, sess, err, d, ses.SessionCells(), ses.Revision()) {
		return
	}
	s.record(r, sess, "session.delete", "session:"+gone.Code, gone, nil)
	redirect(w, r, d.Back, "sessiondeleted")
}

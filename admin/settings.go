package admin

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/tebingtinggi/hub/settings"
)

// settingsRoutes registers the settings page: everybody may read what is
// in force (it shapes officers' work), only admins may change it.
func (s *Server) settingsRoutes() {
	s.handle("GET /admin/settings", RoleViewer, 0, s.settingsPage)
	s.handle("POST /admin/settings/{key}", RoleAdmin, maxFormBytes, s.settingSave)
	s.handle("POST /admin/settings/{key}/reset", RoleAdmin, maxFormBytes, s.settingReset)
}

type settingRow struct {
	Def settings.Definition
	// Value is what the form shows: the value in force, or what the admin
	// typed when it was refused.
	Value string
	// Source says in Indonesian where the value in force comes from.
	Source string
	Saved  bool
	Error  string
}

type holidayYear struct {
	Year int
	Days []settings.Holiday
}

type settingsData struct {
	Rows          []settingRow
	Holidays      []holidayYear
	HolidayNotice string
}

func (s *Server) settingsPage(w http.ResponseWriter, r *http.Request, sess *Session) {
	s.renderSettings(w, r, sess, http.StatusOK, "", "", "")
}

// renderSettings shows the page; a refused value (bad non-empty) is shown
// in its form with message.
func (s *Server) renderSettings(w http.ResponseWriter, r *http.Request, sess *Session, status int, bad settings.Key, typed, message string) {
	cur := s.cfg.Settings.Current()
	var d settingsData
	for _, def := range settings.Definitions {
		set := cur.Setting(def.Key)
		row := settingRow{Def: def, Value: set.Value, Source: sourceText(set), Saved: set.Source == settings.SourceAdmin}
		if def.Key == bad {
			row.Value, row.Error = typed, message
		}
		d.Rows = append(d.Rows, row)
	}
	for _, h := range cur.HolidayList {
		if n := len(d.Holidays); n == 0 || d.Holidays[n-1].Year != h.Year() {
			d.Holidays = append(d.Holidays, holidayYear{Year: h.Year()})
		}
		y := &d.Holidays[len(d.Holidays)-1]
		y.Days = append(y.Days, h)
	}
	d.HolidayNotice = s.holidayNotice(sess)
	v := view{Title: "Pengaturan", Nav: "settings", Data: d}
	if message != "" {
		v.Error = "Tidak disimpan. " + message
	}
	s.render(w, r, sess, status, "settings", v)
}

// sourceText says where a setting's value comes from, for the page.
func sourceText(set settings.Setting) string {
	switch set.Source {
	case settings.SourceEnv:
		d, _ := settings.Lookup(set.Key)
		return "variabel lingkungan " + d.Env
	case settings.SourceAdmin:
		return fmt.Sprintf("disimpan di admin oleh %s pada %s WIB", strings.TrimPrefix(set.By, "web:"), formatTime(set.At))
	}
	return "bawaan"
}

// holidayNotice reminds admins, in December, to enter next year's
// holidays (and, later, the current year's while they are missing).
func (s *Server) holidayNotice(sess *Session) string {
	if sess == nil || !sess.User.Role.Allows(RoleAdmin) {
		return ""
	}
	return s.cfg.Settings.Current().HolidayReminder(s.cfg.Now())
}

func (s *Server) settingKey(w http.ResponseWriter, r *http.Request, sess *Session) (settings.Key, bool) {
	key := settings.Key(r.PathValue("key"))
	if _, ok := settings.Lookup(key); !ok {
		s.fail(w, r, sess, http.StatusNotFound, "Pengaturan itu tidak ada.")
		return "", false
	}
	return key, true
}

// settingSave stores a value and its audit record in one transaction,
// then reloads the settings so that the value applies at once (other
// replicas follow on the notification).
func (s *Server) settingSave(w http.ResponseWriter, r *http.Request, sess *Session) {
	key, ok := s.settingKey(w, r, sess)
	if !ok {
		return
	}
	typed := r.PostFormValue("value")
	err := s.cfg.Accounts.db.InTx(r.Context(), func(tx *sqlx.Tx) error {
		before, after, err := s.cfg.Settings.Save(r.Context(), tx, key, typed, actor(sess), s.cfg.Now())
		if err != nil {
			return err
		}
		return s.cfg.Accounts.audit(r.Context(), tx, actor(sess), "settings.save", "setting:"+string(key), before, after)
	})
	var fe *settings.FieldError
	if errors.As(err, &fe) {
		s.renderSettings(w, r, sess, http.StatusBadRequest, key, typed, fe.Error())
		return
	}
	if err != nil {
		s.serverError(w, r, sess, err)
		return
	}
	s.settingsChanged(w, r, sess)
}

// settingReset drops a saved value: the environment's or the default
// applies again.
func (s *Server) settingReset(w http.ResponseWriter, r *http.Request, sess *Session) {
	key, ok := s.settingKey(w, r, sess)
	if !ok {
		return
	}
	err := s.cfg.Accounts.db.InTx(r.Context(), func(tx *sqlx.Tx) error {
		before, after, changed, err := s.cfg.Settings.Reset(r.Context(), tx, key)
		if err != nil || !changed {
			return err
		}
		return s.cfg.Accounts.audit(r.Context(), tx, actor(sess), "settings.reset", "setting:"+string(key), before, after)
	})
	if err != nil {
		s.serverError(w, r, sess, err)
		return
	}
	s.settingsChanged(w, r, sess)
}

func (s *Server) settingsChanged(w http.ResponseWriter, r *http.Request, sess *Session) {
	if err := s.cfg.Settings.Reload(r.Context()); err != nil {
		// Stored and audited: the watcher applies it within seconds.
		s.cfg.Logger.Warn("admin: cannot reload the settings", "err", err)
	}
	redirect(w, r, "/admin/settings", "saved")
}

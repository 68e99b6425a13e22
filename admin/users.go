package admin

import (
	"errors"
	"net/http"
	"strconv"
)

type usersData struct {
	Users []User
	Roles []Role
	// Username and Role keep the create form's input after an error.
	Username string
	Role     Role
}

func (s *Server) users(w http.ResponseWriter, r *http.Request, sess *Session) {
	s.showUsers(w, r, sess, http.StatusOK, usersData{Role: RoleOfficer}, "")
}

func (s *Server) showUsers(w http.ResponseWriter, r *http.Request, sess *Session, status int, d usersData, msg string) {
	var err error
	if d.Users, err = s.cfg.Accounts.Users(r.Context()); err != nil {
		s.serverError(w, r, sess, err)
		return
	}
	d.Roles = Roles
	s.render(w, r, sess, status, "users", view{Title: "Akun", Nav: "users", Error: msg, Data: d})
}

func (s *Server) userCreate(w http.ResponseWriter, r *http.Request, sess *Session) {
	d := usersData{Username: r.PostFormValue("username"), Role: Role(r.PostFormValue("role"))}
	var bad *InputError
	_, err := s.cfg.Accounts.CreateUser(r.Context(), d.Username, []byte(r.PostFormValue("password")), d.Role, actor(sess))
	switch {
	case errors.Is(err, ErrUserExists):
		s.showUsers(w, r, sess, http.StatusConflict, d, "Nama pengguna itu sudah dipakai.")
	case errors.As(err, &bad):
		s.showUsers(w, r, sess, http.StatusUnprocessableEntity, d, "Akun belum dibuat: "+bad.Msg)
	case err != nil:
		s.serverError(w, r, sess, err)
	default:
		redirect(w, r, "/admin/users", "user")
	}
}

func (s *Server) userUpdate(w http.ResponseWriter, r *http.Request, sess *Session) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.fail(w, r, sess, http.StatusNotFound, "Akun tidak ditemukan.")
		return
	}
	active := r.PostFormValue("active") == "on"
	if id == sess.User.ID && (!active || Role(r.PostFormValue("role")) != RoleAdmin) {
		s.showUsers(w, r, sess, http.StatusUnprocessableEntity, usersData{Role: RoleOfficer},
			"Anda tidak dapat menonaktifkan akun sendiri atau melepas peran admin Anda sendiri.")
		return
	}
	var bad *InputError
	_, err = s.cfg.Accounts.UpdateUser(r.Context(), id, Role(r.PostFormValue("role")), r.PostFormValue("slack_user_id"), active, actor(sess))
	switch {
	case errors.Is(err, ErrUserNotFound):
		s.fail(w, r, sess, http.StatusNotFound, "Akun tidak ditemukan.")
	case errors.As(err, &bad):
		s.showUsers(w, r, sess, http.StatusUnprocessableEntity, usersData{Role: RoleOfficer}, bad.Msg)
	case err != nil:
		s.serverError(w, r, sess, err)
	default:
		redirect(w, r, "/admin/users", "user")
	}
}

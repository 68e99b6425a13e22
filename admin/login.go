package admin

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"net/url"
	"strings"
)

type loginData struct {
	Username string
	Next     string
}

// loginForm shows the login page. The form has no session to tie its
// CSRF token to, so the token is also set in a cookie that the POST must
// match (a cross-site page can set neither).
func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) {
	s.showLogin(w, r, http.StatusOK, loginData{Next: safeNext(r.URL.Query().Get("next"))}, "")
}

func (s *Server) showLogin(w http.ResponseWriter, r *http.Request, status int, d loginData, msg string) {
	token := randomToken()
	s.setCookie(w, r, loginCookie, token, 3600)
	s.render(w, r, nil, status, "login", view{Title: "Masuk", CSRF: token, Error: msg, Data: d})
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	if !s.readForm(w, r, nil, maxFormBytes) {
		return
	}
	d := loginData{Username: r.PostFormValue("username"), Next: safeNext(r.PostFormValue("next"))}
	c, err := r.Cookie(loginCookie)
	if err != nil || c.Value == "" || subtle.ConstantTimeCompare([]byte(c.Value), []byte(r.PostFormValue("csrf"))) != 1 {
		s.showLogin(w, r, http.StatusForbidden, d, "Formulir masuk sudah kedaluwarsa (token CSRF). Silakan coba lagi.")
		return
	}
	u, err := s.cfg.Accounts.Authenticate(r.Context(), d.Username, []byte(r.PostFormValue("password")), s.clientAddress(r))
	switch {
	case errors.Is(err, ErrThrottled):
		// Without the name tried or the address: both are personal data.
		s.cfg.Logger.Warn("admin: login refused after too many failed logins")
		s.showLogin(w, r, http.StatusTooManyRequests, d, "Terlalu banyak percobaan masuk yang gagal. Tunggu 15 menit lalu coba lagi.")
		return
	case errors.Is(err, ErrBadLogin):
		s.showLogin(w, r, http.StatusUnauthorized, d, "Nama pengguna atau kata sandi salah.")
		return
	case err != nil:
		s.serverError(w, r, nil, err)
		return
	}
	token, _, err := s.cfg.Accounts.CreateSession(r.Context(), u)
	if err != nil {
		s.serverError(w, r, nil, err)
		return
	}
	s.setCookie(w, r, loginCookie, "", -1)
	s.setCookie(w, r, SessionCookie, token, int(s.cfg.SessionLifetime.Seconds()))
	http.Redirect(w, r, d.Next, http.StatusSeeOther)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request, sess *Session) {
	if c, err := r.Cookie(SessionCookie); err == nil {
		if err := s.cfg.Accounts.DeleteSession(r.Context(), c.Value); err != nil {
			s.serverError(w, r, sess, err)
			return
		}
	}
	s.setCookie(w, r, SessionCookie, "", -1)
	http.Redirect(w, r, "/admin/login", http.StatusSeeOther)
}

// safeNext returns next when it is a path inside the admin, else the
// dashboard: after logging in the browser never leaves this site.
func safeNext(next string) string {
	const home = "/admin/"
	// Browsers read a backslash as a slash ("/\evil.example"), and
	// control characters may be dropped: refuse both outright.
	if next == "" || strings.ContainsAny(next, "\\\x00\t\r\n") {
		return home
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || !strings.HasPrefix(u.Path, home) || strings.HasPrefix(next, "//") {
		return home
	}
	if strings.Contains(u.Path, "/../") || strings.HasSuffix(u.Path, "/..") {
		return home
	}
	return u.RequestURI()
}

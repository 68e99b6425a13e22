package admin

import (
	"context"
	"crypto/subtle"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/handlers"
	"github.com/tebingtinggi/hub/inbox"
	"github.com/tebingtinggi/hub/knowledge"
	"github.com/tebingtinggi/hub/settings"
	"github.com/tebingtinggi/hub/training"
)

// Config is what the admin needs; cmd/hub fills it in.
type Config struct {
	Accounts  *Store
	Knowledge *knowledge.Store
	// Index answers "Coba bot"; Reload refreshes it right after a change
	// made here, so that the officer sees the change's effect at once.
	Index  *knowledge.Index
	Reload func(ctx context.Context) error
	Inbox  *inbox.Store
	Desk   *handlers.Desk
	// Training holds ASN, trainings, surveys and their reports.
	Training *training.Store
	// Settings are the settings in force, which admins change on the
	// settings page (default: the built-in values over the database).
	Settings *settings.Store
	// Files fetch the files citizens sent, by platform, for the desk
	// (see deskFile); MaxFile is the largest served (default
	// DefaultMaxFile).
	Files   map[bots.Platform]bots.FileFetcher
	MaxFile int64
	// TrustProxy believes X-Forwarded-Proto and X-Forwarded-For, set by a
	// TLS-terminating proxy in front of the hub: cookies are then Secure
	// behind https, and login throttling counts the address the proxy
	// appended to X-Forwarded-For.
	TrustProxy bool
	// IdleTimeout and SessionLifetime end sessions (defaults 30 minutes
	// and 12 hours).
	IdleTimeout     time.Duration
	SessionLifetime time.Duration
	Logger          *slog.Logger
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Limits on request bodies.
const (
	maxFormBytes   = 1 << 20
	maxUploadBytes = 5 << 20
)

// Server is the web admin, an http.Handler for the paths under /admin/.
type Server struct {
	cfg   Config
	pages *pages
	mux   *http.ServeMux
	// unanswered keeps the unanswered page's groupings until a ticket
	// changes.
	groupings *inbox.UnansweredCache
	// previews keeps the last "Coba bot sebelum terbit" index.
	previews previewIndexes
	// files keeps the citizens' files the desk fetched recently.
	files *deskFiles
}

// New returns the admin for cfg.
func New(cfg Config) (*Server, error) {
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = 30 * time.Minute
	}
	if cfg.SessionLifetime <= 0 {
		cfg.SessionLifetime = 12 * time.Hour
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Settings == nil {
		cfg.Settings = settings.New(cfg.Accounts.db, settings.Defaults())
	}
	if cfg.MaxFile <= 0 {
		cfg.MaxFile = DefaultMaxFile
	}
	if cfg.Reload == nil {
		cfg.Reload = func(context.Context) error { return nil }
	}
	p, err := parsePages()
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, pages: p, mux: http.NewServeMux(), groupings: inbox.NewUnansweredCache(cfg.Inbox), files: newDeskFiles(cfg.Now)}
	s.routes()
	return s, nil
}

// PurgeExpired deletes the failed logins and sessions that have expired
// at now, with the server's idle timeout and session lifetime (see
// Store.PurgeExpired); it is a scheduler.Purger.
func (s *Server) PurgeExpired(ctx context.Context, now time.Time) (int64, error) {
	return s.cfg.Accounts.PurgeExpired(ctx, now, s.cfg.IdleTimeout, s.cfg.SessionLifetime)
}

// ServeHTTP serves the admin with its security headers.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	// No inline script or style anywhere: the pages load admin.js and
	// admin.css from here, and the charts are SVG with attributes.
	h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
		"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cache-Control", "no-store")
	if s.secure(r) {
		// Reached over https: the browser keeps to it for a year, so
		// that nobody on the way can serve a later visit over HTTP.
		h.Set("Strict-Transport-Security", "max-age=31536000")
	}
	s.mux.ServeHTTP(w, r)
}

func (s *Server) routes() {
	s.mux.Handle("GET /admin/static/", http.StripPrefix("/admin/", staticHandler()))
	s.mux.HandleFunc("GET /admin/login", s.loginForm)
	s.mux.HandleFunc("POST /admin/login", s.login)
	s.handle("POST /admin/logout", RoleViewer, 0, s.logout)

	s.handle("GET /admin/{$}", RoleViewer, 0, s.dashboard)

	s.handle("GET /admin/kb", RoleViewer, 0, s.kbList)
	s.handle("GET /admin/kb/new", RoleOfficer, 0, s.kbNew)
	s.handle("POST /admin/kb/new", RoleOfficer, maxFormBytes, s.kbCreate)
	s.handle("POST /admin/kb/preview", RoleViewer, maxFormBytes, s.kbPreview)
	s.handle("GET /admin/kb/import", RoleOfficer, 0, s.kbImportForm)
	s.handle("POST /admin/kb/import", RoleOfficer, maxUploadBytes, s.kbImport)
	s.handle("GET /admin/kb/export", RoleViewer, 0, s.kbExport)
	s.handle("GET /admin/kb/synonyms", RoleViewer, 0, s.synonyms)
	s.handle("POST /admin/kb/synonyms", RoleOfficer, maxFormBytes, s.synonymSave)
	s.handle("POST /admin/kb/synonyms/{id}/delete", RoleOfficer, maxFormBytes, s.synonymDelete)
	s.handle("GET /admin/kb/entry/{slug}", RoleViewer, 0, s.kbEdit)
	s.handle("POST /admin/kb/entry/{slug}", RoleOfficer, maxFormBytes, s.kbSave)
	s.handle("POST /admin/kb/entry/{slug}/status", RoleOfficer, maxFormBytes, s.kbStatus)
	s.handle("GET /admin/kb/entry/{slug}/revisions", RoleViewer, 0, s.kbRevisions)
	s.handle("GET /admin/kb/entry/{slug}/try", RoleViewer, 0, s.kbTry)
	s.handle("POST /admin/kb/entry/{slug}/restore", RoleOfficer, maxFormBytes, s.kbRestore)
	s.handle("GET /admin/try", RoleViewer, 0, s.tryBot)

	s.handle("GET /admin/unanswered", RoleViewer, 0, s.unanswered)
	s.handle("GET /admin/unanswered/try", RoleViewer, 0, s.unansweredTry)
	s.handle("POST /admin/unanswered/alternates", RoleOfficer, maxFormBytes, s.unansweredAlternates)
	s.handle("POST /admin/unanswered/draft", RoleOfficer, maxFormBytes, s.unansweredDraft)

	s.handle("GET /admin/desk", RoleViewer, 0, s.deskList)
	s.handlePoll("GET /admin/desk/poll", RoleViewer, s.deskListPoll)
	s.handle("GET /admin/desk/{id}", RoleViewer, 0, s.deskTicket)
	s.handlePoll("GET /admin/desk/{id}/poll", RoleViewer, s.deskTicketPoll)
	s.handle("GET /admin/desk/{id}/file/{msg}", RoleViewer, 0, s.deskFile)
	s.handle("POST /admin/desk/{id}/reply", RoleOfficer, maxFormBytes, s.deskReply)
	s.handle("POST /admin/desk/{id}/close", RoleOfficer, maxFormBytes, s.deskClose)
	s.handle("POST /admin/desk/{id}/claim", RoleOfficer, maxFormBytes, s.deskClaim)
	s.handle("POST /admin/desk/{id}/release", RoleOfficer, maxFormBytes, s.deskRelease)

	s.handle("GET /admin/training", RoleViewer, 0, s.trainingList)
	s.handle("GET /admin/training/import", RoleOfficer, 0, s.trainingImportForm)
	s.handle("POST /admin/training/import", RoleOfficer, maxUploadBytes, s.trainingImport)
	s.handle("GET /admin/training/needs", RoleViewer, 0, s.trainingNeeds)
	s.handle("GET /admin/training/needs/export", RoleViewer, 0, s.trainingNeedsExport)
	s.handle("GET /admin/training/jp", RoleViewer, 0, s.trainingJP)
	s.handle("GET /admin/training/jp/export", RoleViewer, 0, s.trainingJPExport)
	s.handle("GET /admin/training/{id}", RoleViewer, 0, s.trainingReport)
	s.handle("GET /admin/training/{id}/export", RoleViewer, 0, s.trainingExport)
	s.handle("GET /admin/training/{id}/edit", RoleViewer, 0, s.trainingEdit)
	s.handle("POST /admin/training/{id}/edit", RoleOfficer, maxFormBytes, s.trainingSave)
	s.handle("POST /admin/training/{id}/delete", RoleOfficer, maxFormBytes, s.trainingDelete)
	s.handle("GET /admin/session/{id}/edit", RoleViewer, 0, s.sessionEdit)
	s.handle("POST /admin/session/{id}/edit", RoleOfficer, maxFormBytes, s.sessionSave)
	s.handle("POST /admin/session/{id}/delete", RoleOfficer, maxFormBytes, s.sessionDelete)
	s.handle("GET /admin/session/{id}/enrolments", RoleViewer, 0, s.sessionEnrolments)
	s.handle("POST /admin/session/{id}/enrolments", RoleOfficer, maxFormBytes, s.sessionEnrol)
	s.handle("POST /admin/session/{id}/enrolments/{nip}/attendance", RoleOfficer, maxFormBytes, s.sessionAttendance)
	s.handle("POST /admin/session/{id}/enrolments/{nip}/delete", RoleOfficer, maxFormBytes, s.sessionUnenrol)
	s.handle("GET /admin/asn", RoleViewer, 0, s.asnDirectory)
	s.handle("POST /admin/asn/{nip}/code", RoleOfficer, maxFormBytes, s.asnLinkCode)
	s.handle("GET /admin/asn/{nip}/edit", RoleViewer, 0, s.asnEdit)
	s.handle("POST /admin/asn/{nip}/edit", RoleOfficer, maxFormBytes, s.asnSave)
	s.handle("POST /admin/asn/{nip}/delete", RoleOfficer, maxFormBytes, s.asnDelete)

	s.settingsRoutes()
	s.handle("GET /admin/audit", RoleAdmin, 0, s.auditLog)
	s.handle("GET /admin/users", RoleAdmin, 0, s.users)
	s.handle("POST /admin/users", RoleAdmin, maxFormBytes, s.userCreate)
	s.handle("POST /admin/users/{id}", RoleAdmin, maxFormBytes, s.userUpdate)

	// Every other path under /admin/ asks for a login first, so that an
	// anonymous visitor learns nothing about which paths exist.
	s.handle("/admin/", RoleViewer, 0, func(w http.ResponseWriter, r *http.Request, sess *Session) {
		s.fail(w, r, sess, http.StatusNotFound, "Halaman tidak ditemukan.")
	})
}

// SessionCookie holds the session token; loginCookie the token of the
// login form, which has no session yet.
const (
	SessionCookie = "hub_admin_session"
	loginCookie   = "hub_admin_login"
)

// handle registers a page that needs a session whose role allows need.
// A request without one is sent to the login page (GET) or refused; a
// state-changing request must carry the session's CSRF token and a body
// of at most maxBody bytes.
func (s *Server) handle(pattern string, need Role, maxBody int64, h func(http.ResponseWriter, *http.Request, *Session)) {
	s.guard(pattern, need, maxBody, true, h)
}

// handlePoll registers a page's background poll (see desk_live.go): it
// needs a session as a page does, but is not the officer's doing, so it
// does not keep the session from going idle.
func (s *Server) handlePoll(pattern string, need Role, h func(http.ResponseWriter, *http.Request, *Session)) {
	s.guard(pattern, need, 0, false, h)
}

// guard is handle; active says whether a request counts as the officer's
// activity. A page the live script reloads after a colleague's change
// (?live=1) does not either.
func (s *Server) guard(pattern string, need Role, maxBody int64, active bool, h func(http.ResponseWriter, *http.Request, *Session)) {
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		sess, err := s.session(r, active && !(r.Method == http.MethodGet && r.URL.Query().Get("live") == "1"))
		if err != nil {
			if !errors.Is(err, ErrNoSession) {
				s.serverError(w, r, nil, err)
				return
			}
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				http.Redirect(w, r, "/admin/login?next="+urlQueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			s.fail(w, r, nil, http.StatusUnauthorized, "Sesi Anda sudah berakhir. Silakan masuk lagi.")
			return
		}
		if !sess.User.Role.Allows(need) {
			s.fail(w, r, sess, http.StatusForbidden, "Peran Anda tidak mengizinkan tindakan ini.")
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			if maxBody <= 0 {
				maxBody = maxFormBytes
			}
			if !s.readForm(w, r, sess, maxBody) {
				return
			}
			if !validToken(r, sess.CSRF) {
				s.fail(w, r, sess, http.StatusForbidden, "Formulir ini tidak sah atau sudah kedaluwarsa (token CSRF). Muat ulang halaman lalu coba lagi.")
				return
			}
		}
		h(w, r, sess)
	})
}

// readForm parses the body within max bytes, answering a larger one with
// 413 and a message that names the limit.
func (s *Server) readForm(w http.ResponseWriter, r *http.Request, sess *Session, max int64) bool {
	r.Body = http.MaxBytesReader(w, r.Body, max)
	var err error
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		err = r.ParseMultipartForm(max)
	} else {
		err = r.ParseForm()
	}
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		s.fail(w, r, sess, http.StatusRequestEntityTooLarge,
			"Kiriman terlalu besar: paling besar "+humanBytes(max)+". Perkecil berkas atau bagi menjadi beberapa berkas.")
		return false
	case err != nil:
		s.fail(w, r, sess, http.StatusBadRequest, "Formulir tidak dapat dibaca.")
		return false
	}
	return true
}

// validToken compares the request's CSRF token (the form's csrf field, or
// the X-CSRF-Token header of a script's request) with want.
func validToken(r *http.Request, want string) bool {
	got := r.PostFormValue("csrf")
	if got == "" {
		got = r.Header.Get("X-CSRF-Token")
	}
	return want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

func (s *Server) session(r *http.Request, active bool) (*Session, error) {
	c, err := r.Cookie(SessionCookie)
	if err != nil {
		return nil, ErrNoSession
	}
	sess, err := s.cfg.Accounts.Session(r.Context(), c.Value, s.cfg.IdleTimeout, s.cfg.SessionLifetime, active)
	if err != nil {
		return nil, err
	}
	return &sess, nil
}

// secure reports whether the browser reached us over TLS.
func (s *Server) secure(r *http.Request) bool {
	return r.TLS != nil || s.cfg.TrustProxy && strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

// clientAddress is the address login throttling counts. Behind the
// trusted proxy it is the last X-Forwarded-For entry, the one the proxy
// appended: what stands before it came from the client, who could change
// it at every guess.
func (s *Server) clientAddress(r *http.Request) string {
	if s.cfg.TrustProxy {
		if fs := r.Header.Values("X-Forwarded-For"); len(fs) > 0 {
			f := fs[len(fs)-1]
			if last := strings.TrimSpace(f[strings.LastIndex(f, ",")+1:]); last != "" {
				return last
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func (s *Server) setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/admin/", MaxAge: maxAge,
		HttpOnly: true, Secure: s.secure(r), SameSite: http.SameSiteLaxMode})
}

// actor names the account in audit records and in the stores' history.
func actor(sess *Session) string { return "web:" + sess.User.Username }

// changed tells the search index about a change and logs (only) a failure
// to do so: the change itself is stored, and the index's own watcher
// catches up within seconds.
func (s *Server) changed(r *http.Request) {
	if err := s.cfg.Reload(r.Context()); err != nil {
		s.cfg.Logger.Warn("admin: cannot refresh the search index", "err", err)
	}
}

// record writes the audit entry of a change another store has made; a
// failure is logged, since the change cannot be undone any more.
func (s *Server) record(r *http.Request, sess *Session, action, target string, before, after any) {
	if err := s.cfg.Accounts.Record(r.Context(), actor(sess), action, target, before, after); err != nil {
		s.cfg.Logger.Error("admin: cannot write the audit log", "action", action, "err", err)
	}
}

package admin

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/inbox"
	"github.com/tebingtinggi/hub/knowledge"
	"github.com/tebingtinggi/hub/training"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

func staticHandler() http.Handler {
	sub, _ := fs.Sub(staticFiles, ".")
	return http.FileServerFS(sub)
}

// pages holds one template set per page, each with the layout.
type pages struct {
	byName map[string]*template.Template
}

var funcs = template.FuncMap{
	"when": formatTime,
	"whenPtr": func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return formatTime(*t)
	},
	"pct": func(n, total int) string {
		if total == 0 {
			return "0%"
		}
		return fmt.Sprintf("%.0f%%", 100*float64(n)/float64(total))
	},
	"add": func(a, b int) int { return a + b },
	"pickData": func(g unansweredGroup, since int64, legend string) pickData {
		return pickData{Group: g, Since: since, Legend: legend}
	},
	// dec1 and dec2 write a figure with one or two decimals and the
	// Indonesian decimal comma, as the reports in the terminal do.
	"dec1":        func(f float64) string { return strings.Replace(strconv.FormatFloat(f, 'f', 1, 64), ".", ",", 1) },
	"dec2":        func(f float64) string { return strings.Replace(strconv.FormatFloat(f, 'f', 2, 64), ".", ",", 1) },
	"jpBehind":    func(rep training.JPReport, a training.ASNJP) float64 { return rep.Expected - float64(a.Total()) },
	"needsScope":  func(rep training.NeedsReport, u training.UnitNeeds) needsScope { return needsScope{rep, u} },
	"percent":     func(share float64) float64 { return 100 * share },
	"deref":       func(b *bool) bool { return b != nil && *b },
	"rsvpLabel":   label(map[training.RSVP]string{training.RSVPNone: "belum menjawab", training.RSVPYes: "akan hadir", training.RSVPNo: "berhalangan"}),
	"statusLabel": statusLabel,

	"platformLabel": label(map[bots.Platform]string{bots.Telegram: "Telegram", bots.Slack: "Slack", bots.Console: "konsol"}),
	"queueLabel":    label(queueLabels),

	// The words of the packages that own the identifiers, which the
	// terminal and the Slack desk show too, capitalised as labels.
	"roleLabel":      Role.Word,
	"revisionAction": func(a knowledge.Action) string { return capital(a.Word()) },
	"ticketStatus":   func(s inbox.TicketStatus) string { return capital(s.Word()) },
	"reasonLabel":    func(r inbox.Reason) string { return capital(r.Word()) },
	"fileLabel":      func(kind string) string { return capital(inbox.FileWord(kind)) },
	"fileWord":       inbox.FileWord,
	"authorLabel":    func(k inbox.AuthorKind) string { return capital(k.Word()) },
	"editedLabel":    func() string { return inbox.EditedLabel },
	"decisionLabel":  func(d knowledge.Decision) string { return "(" + d.Word() + ")" },
}

// statusLabel names an entry's status as every surface does
// (knowledge.Status.Word), capitalised as a label.
func statusLabel(s knowledge.Status) string { return capital(s.Word()) }

// capital is w with its first letter in capitals, as a label starts: the
// owners' words (inbox.TicketStatus.Word and the like) are lower case.
func capital(w string) string {
	r, n := utf8.DecodeRuneInString(w)
	if n == 0 {
		return w
	}
	return string(unicode.ToUpper(r)) + w[n:]
}

// label turns a map of Indonesian labels into a template function that
// falls back to the value itself.
func label[K ~string](m map[K]string) func(K) string {
	return func(k K) string {
		if l, ok := m[k]; ok {
			return l
		}
		return string(k)
	}
}

// jakarta is the officers' time zone (WIB), in which times are shown.
var jakarta = inbox.Jakarta()

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(jakarta).Format("02-01-2006 15:04")
}

func parsePages() (*pages, error) {
	names, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		return nil, err
	}
	p := &pages{byName: map[string]*template.Template{}}
	for _, n := range names {
		base := path.Base(n)
		if base == "layout.html" {
			continue
		}
		t, err := template.New(base).Funcs(funcs).ParseFS(templateFiles, "templates/layout.html", n)
		if err != nil {
			return nil, fmt.Errorf("admin: template %s: %w", base, err)
		}
		p.byName[strings.TrimSuffix(base, ".html")] = t
	}
	return p, nil
}

// view is what every page template gets: .Data is the page's own.
type view struct {
	Title string
	Nav   string
	User  *User
	CSRF  string
	// Notice and Error are shown above the page.
	Notice string
	Error  string
	Data   any
}

// CanEdit reports whether the viewer may change things.
func (v view) CanEdit() bool { return v.User != nil && v.User.Role.Allows(RoleOfficer) }

// IsAdmin reports whether the viewer is an admin.
func (v view) IsAdmin() bool { return v.User != nil && v.User.Role.Allows(RoleAdmin) }

// render writes page name with status; the page is rendered to a buffer
// first so that a template error never leaves half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, sess *Session, status int, name string, v view) {
	t, ok := s.pages.byName[name]
	if !ok {
		s.serverError(w, r, sess, fmt.Errorf("admin: no page %q", name))
		return
	}
	if sess != nil {
		v.User, v.CSRF = &sess.User, sess.CSRF
	}
	if v.Notice == "" {
		v.Notice = notices[r.URL.Query().Get("ok")]
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		s.cfg.Logger.Error("admin: cannot render page", "page", name, "err", err)
		http.Error(w, "Terjadi kesalahan pada server.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// notices are the messages a redirect after a change may ask for (?ok=…):
// fixed texts, so that a link cannot put words on the page.
var notices = map[string]string{
	"saved":    "Perubahan disimpan.",
	"created":  "Entri dibuat.",
	"status":   "Status entri diubah.",
	"restored": "Versi lama dipulihkan sebagai versi baru.",
	"synonyms": "Kelompok sinonim disimpan.",
	"deleted":  "Kelompok sinonim dihapus.",
	"replied":  "Balasan dikirim ke warga.",
	"repeated": "Balasan yang sama sudah dikirim, atau sedang dikirim, ke warga sebagai pesan terakhir tiket ini, jadi tidak dikirim dua kali.",
	"repeated_lesson": "Balasan yang sama sudah dikirim, atau sedang dikirim, ke warga sebagai pesan terakhir tiket ini, jadi tidak dikirim dua kali; " +
		"pilihan “Ajari bot” pada kiriman ini juga tidak disimpan.",
	"closed":            "Tiket ditutup; warga diminta memberi penilaian.",
	"closed_unanswered": "Tiket ditutup tanpa jawaban tertulis; warga diberi tahu dan dapat menulis lagi bila masih perlu bantuan.",
	"claimed":           "Tiket diambil: Anda yang menanganinya, dan petugas lain melihatnya di meja bantuan dan di Slack.",
	"released":          "Tiket dilepas: petugas mana pun dapat mengambil dan menjawabnya.",
	"user":              "Akun disimpan.",
	"learnt":            "Balasan dikirim ke warga, dan pertanyaannya kini menjadi variasi entri FAQ.",
	"learnt_unpublished": "Balasan dikirim ke warga, dan pertanyaannya kini menjadi variasi entri FAQ yang belum terbit (draf atau arsip): " +
		"bot belum menjawab dengannya sampai entri itu diterbitkan di halaman FAQ.",
	"known":  "Balasan dikirim ke warga. Entri FAQ itu sudah memuat pertanyaan warga ini, jadi tidak ada variasi yang ditambahkan.",
	"taught": "Pertanyaan-pertanyaan ini kini menjadi variasi entri tersebut. Lihat jawaban bot di bawah.",
	"taught_unpublished": "Pertanyaan-pertanyaan ini kini menjadi variasi entri tersebut, yang belum terbit (draf atau arsip): " +
		"bot belum menjawab dengannya sampai entri itu diterbitkan di halaman FAQ.",
	"groupknown":      "Entri FAQ itu sudah memuat semua pertanyaan ini, jadi tidak ada variasi yang ditambahkan. Lihat jawaban bot di bawah.",
	"drafted":         "Draf entri dibuat dari pertanyaan warga. Periksa lalu terbitkan.",
	"forgotten":       "Balasan dicatat, tetapi warga ini sudah menghapus datanya sehingga pesan tidak dapat dikirim.",
	"trainingsaved":   "Data pelatihan disimpan.",
	"trainingdeleted": "Pelatihan dihapus.",
	"asnsaved":        "Data ASN disimpan.",
	"asndeleted":      "Data ASN dihapus.",
	"sessionsaved":    "Sesi disimpan.",
	"sessionnotified": "Sesi disimpan; peserta yang terdaftar diberi tahu perubahannya.",
	"sessiondeleted":  "Sesi dihapus.",
	"enrolled":        "ASN didaftarkan pada sesi ini.",
	"attendance":      "Kehadiran dicatat.",
	"unenrolled":      "ASN dihapus dari daftar peserta sesi ini.",
}

// fail shows an error page with status and message.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, sess *Session, status int, msg string) {
	title, ok := statusTitles[status]
	if !ok {
		title = "Terjadi kesalahan"
	}
	s.render(w, r, sess, status, "error", view{Title: title, Error: msg})
}

// statusTitles head the error pages, by HTTP status.
var statusTitles = map[int]string{
	http.StatusBadRequest:            "Permintaan tidak sah",
	http.StatusUnauthorized:          "Perlu masuk",
	http.StatusForbidden:             "Tidak diizinkan",
	http.StatusNotFound:              "Tidak ditemukan",
	http.StatusConflict:              "Bertabrakan dengan perubahan lain",
	http.StatusRequestEntityTooLarge: "Kiriman terlalu besar",
	http.StatusUnprocessableEntity:   "Belum dapat diproses",
	http.StatusInternalServerError:   "Kesalahan server",
	http.StatusBadGateway:            "Tidak dapat diambil",
	http.StatusServiceUnavailable:    "Belum tersedia",
}

// serverError logs err and shows a page without its details. The
// request is named by its route ("GET /admin/asn/{nip}/edit"), not its
// path, which may hold a NIP.
func (s *Server) serverError(w http.ResponseWriter, r *http.Request, sess *Session, err error) {
	s.cfg.Logger.Error("admin: request failed", "route", r.Pattern, "err", err)
	s.fail(w, r, sess, http.StatusInternalServerError, "Terjadi kesalahan pada server. Coba lagi sebentar lagi.")
}

// redirect sends the browser to target (a path of ours) after a change,
// with a notice.
func redirect(w http.ResponseWriter, r *http.Request, target, notice string) {
	if notice != "" {
		sep := "?"
		if strings.Contains(target, "?") {
			sep = "&"
		}
		target += sep + "ok=" + notice
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

func humanBytes(n int64) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%d MB", n>>20)
	}
	return fmt.Sprintf("%d KB", n>>10)
}

// maxOffset bounds a list page's offset, far beyond any list, so that
// adding a page size to it never overflows.
const maxOffset = 1 << 30

// offsetParam reads a list page's ?offset=: a number from 0 to maxOffset;
// a negative or unreadable one is the first page, a larger one maxOffset.
func offsetParam(r *http.Request) int {
	n, err := strconv.ParseInt(r.URL.Query().Get("offset"), 10, 64)
	switch {
	case errors.Is(err, strconv.ErrRange) && n > 0:
		return maxOffset
	case err != nil || n < 0:
		return 0
	}
	return int(min(n, maxOffset))
}

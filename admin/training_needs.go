package admin

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/tebingtinggi/hub/training"
)

// The training-needs page: `hub report needs` in the browser. The report
// (its counts, the anonymity threshold, the weakest competencies and the
// trainings covering them) is the training store's; the page only shows
// it.

type needsData struct {
	Report training.NeedsReport
	Units  []training.Unit
	// Quarter is the quarter asked for ("" : the latest with answers).
	Quarter string
	// Chart counts, per competency, the ASN in scope who rated themselves
	// low.
	Chart     chart
	ExportURL string
}

// needsScope is one scope of a needs report, with the report, for the
// page's "needs" template.
type needsScope struct {
	Rep training.NeedsReport
	U   training.UnitNeeds
}

var quarterPattern = regexp.MustCompile(`^(\d{4})-T([1-4])$`)

// readNeeds reads the report the query asks for: unit (an OPD code, all
// when empty) and quarter ("2026-T3", the latest with answers when
// empty).
func (s *Server) readNeeds(w http.ResponseWriter, r *http.Request, sess *Session) (needsData, bool) {
	q := r.URL.Query()
	d := needsData{Quarter: strings.TrimSpace(q.Get("quarter"))}
	var quarter training.Quarter
	if d.Quarter != "" {
		m := quarterPattern.FindStringSubmatch(d.Quarter)
		if m == nil {
			s.fail(w, r, sess, http.StatusBadRequest, "Triwulan "+strconv.Quote(d.Quarter)+" tidak dikenal: tulis misalnya 2026-T3.")
			return d, false
		}
		quarter.Year, _ = strconv.Atoi(m[1])
		quarter.Q, _ = strconv.Atoi(m[2])
	}
	unit := strings.TrimSpace(q.Get("unit"))
	rep, err := s.cfg.Training.NeedsReport(r.Context(), quarter, unit, s.cfg.Now())
	if err != nil {
		s.serverError(w, r, sess, err)
		return d, false
	}
	d.Report = rep
	return d, true
}

func (s *Server) trainingNeeds(w http.ResponseWriter, r *http.Request, sess *Session) {
	d, ok := s.readNeeds(w, r, sess)
	if !ok {
		return
	}
	units, err := s.cfg.Training.Units(r.Context())
	if err != nil {
		s.serverError(w, r, sess, err)
		return
	}
	d.Units = units
	d.Chart = chart{Title: "ASN yang menilai dirinya rendah per kompetensi, " + d.Report.Quarter.Label()}
	for _, c := range d.Report.All.Competencies {
		d.Chart.Bars = append(d.Chart.Bars, bar{c.Competency, c.Low})
	}
	v := url.Values{}
	if d.Report.Unit != "" {
		v.Set("unit", d.Report.Unit)
	}
	v.Set("quarter", d.Report.Quarter.String())
	d.ExportURL = "/admin/training/needs/export?" + v.Encode()
	s.render(w, r, sess, http.StatusOK, "training_needs", view{Title: "Kebutuhan pelatihan", Nav: "training", Data: d})
}

// trainingNeedsExport is the report as CSV, as `hub report needs --csv`
// writes it.
func (s *Server) trainingNeedsExport(w http.ResponseWriter, r *http.Request, sess *Session) {
	d, ok := s.readNeeds(w, r, sess)
	if !ok {
		return
	}
	name := "kebutuhan-pelatihan-" + d.Report.Quarter.String()
	if d.Report.Unit != "" {
		name += "-" + strings.ToLower(d.Report.Unit)
	}
	s.sendCSV(w, r, sess, name, d.Report.WriteCSV)
}

// utf8BOM starts every CSV the web admin sends: Excel (on an Indonesian
// Windows, as the city's offices have it) reads a CSV without it as
// Windows-1252 and shows its non-ASCII text as mojibake. The imports strip
// it again.
const utf8BOM = "\uFEFF"

// sendCSV answers with what write writes, as the CSV file name.csv to
// download, after the UTF-8 byte order mark. It is written to memory
// first, so that a failure still gets an error page instead of half a
// file. Every CSV download of the web admin goes through it.
func (s *Server) sendCSV(w http.ResponseWriter, r *http.Request, sess *Session, name string, write func(io.Writer) error) {
	var buf bytes.Buffer
	buf.WriteString(utf8BOM)
	if err := write(&buf); err != nil {
		s.serverError(w, r, sess, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+safeFileName(name)+`.csv"`)
	_, _ = buf.WriteTo(w)
}

// safeFileName keeps letters, digits, '-' and '_': a unit code typed
// into the address must not break the header.
func safeFileName(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, s)
}

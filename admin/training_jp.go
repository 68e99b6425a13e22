package admin

import (
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/tebingtinggi/hub/training"
)

// The JP page: `hub report jp` in the browser, where the active ASN stand
// against the yearly JP target in force (the settings page's). The report
// is the training store's; the page only shows it. With 10,000 ASN a list
// of everyone is no page, so the people are listed once a unit is chosen.

type jpData struct {
	Report training.JPReport
	Units  []training.Unit
	// Unit is the unit asked for ("" : all, units only).
	Unit string
	// Chart is each unit's share of ASN on track, in percent.
	Chart     chart
	ExportURL string
}

// readJP reads the report the query asks for: year (the current WIB year
// when empty) and unit (an OPD code, all when empty). The page of every
// unit reads the units' sums only; the export reads everyone of the scope.
func (s *Server) readJP(w http.ResponseWriter, r *http.Request, sess *Session, export bool) (jpData, bool) {
	q := r.URL.Query()
	now := s.cfg.Now()
	year := now.In(training.WIB).Year()
	if v := strings.TrimSpace(q.Get("year")); v != "" {
		y, err := strconv.Atoi(v)
		if err != nil || y < 2000 || y > year+1 {
			s.fail(w, r, sess, http.StatusBadRequest, "Tahun "+strconv.Quote(v)+" tidak sah: tulis tahun dari 2000 sampai "+strconv.Itoa(year+1)+".")
			return jpData{}, false
		}
		year = y
	}
	d := jpData{Unit: strings.ToUpper(strings.TrimSpace(q.Get("unit")))}
	target := s.cfg.Settings.Current().JPTarget
	var rep training.JPReport
	var err error
	if d.Unit == "" && !export {
		// Every unit, no one by name: the database sums the units.
		rep, err = s.cfg.Training.JPUnits(r.Context(), year, target, now)
	} else {
		rep, err = s.cfg.Training.JPReport(r.Context(), year, d.Unit, target, now)
	}
	if err != nil {
		s.serverError(w, r, sess, err)
		return d, false
	}
	d.Report = rep
	return d, true
}

func (s *Server) trainingJP(w http.ResponseWriter, r *http.Request, sess *Session) {
	d, ok := s.readJP(w, r, sess, false)
	if !ok {
		return
	}
	units, err := s.cfg.Training.Units(r.Context())
	if err != nil {
		s.serverError(w, r, sess, err)
		return
	}
	d.Units = units
	d.Chart = chart{Title: "ASN sesuai target JP per OPD (%), tahun " + strconv.Itoa(d.Report.Year)}
	for _, u := range d.Report.Units {
		d.Chart.Bars = append(d.Chart.Bars, bar{u.Unit, int(math.Round(100 * u.Share()))})
	}
	v := url.Values{"year": {strconv.Itoa(d.Report.Year)}}
	if d.Unit != "" {
		v.Set("unit", d.Unit)
	}
	d.ExportURL = "/admin/training/jp/export?" + v.Encode()
	s.render(w, r, sess, http.StatusOK, "training_jp", view{Title: "Capaian JP", Nav: "training", Data: d})
}

// trainingJPExport is the report as CSV, as `hub report jp --csv` writes
// it: every ASN of the scope, also when no unit is chosen.
func (s *Server) trainingJPExport(w http.ResponseWriter, r *http.Request, sess *Session) {
	d, ok := s.readJP(w, r, sess, true)
	if !ok {
		return
	}
	name := "capaian-jp-" + strconv.Itoa(d.Report.Year)
	if d.Unit != "" {
		name += "-" + strings.ToLower(d.Unit)
	}
	s.sendCSV(w, r, sess, name, d.Report.WriteCSV)
}

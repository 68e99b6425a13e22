package admin

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/tebingtinggi/hub/training"
)

// The training pages read what training/ reports (the same reports as
// `hub report`): the anonymity threshold is applied there, so a page or
// export never shows a group smaller than it.

type trainingListData struct {
	Trainings []training.Training
}

func (s *Server) trainingList(w http.ResponseWriter, r *http.Request, sess *Session) {
	ts, err := s.cfg.Training.Trainings(r.Context())
	if err != nil {
		s.serverError(w, r, sess, err)
		return
	}
	s.render(w, r, sess, http.StatusOK, "training_list", view{Title: "Pelatihan", Nav: "training", Data: trainingListData{Trainings: ts}})
}

// roundView is one survey round's report with its charts.
type roundView struct {
	training.RoundReport
	// Charts holds a chart per Likert or choice question, in order.
	Charts map[string]chart
}

type trainingReportData struct {
	Report training.TrainingReport
	Rounds []roundView
	// Summaries pool each survey's rounds over the training's sessions.
	Summaries []roundView
}

var likertLabels = [5]string{"1 Sangat tidak setuju", "2 Tidak setuju", "3 Ragu-ragu", "4 Setuju", "5 Sangat setuju"}

func roundCharts(rep training.RoundReport) map[string]chart {
	out := map[string]chart{}
	for _, q := range rep.Questions {
		if q.Hidden != "" {
			continue
		}
		c := chart{Title: q.Text}
		switch q.Kind {
		case training.Likert5:
			for i, n := range q.Dist {
				c.Bars = append(c.Bars, bar{likertLabels[i], n})
			}
		case training.Choice:
			for _, o := range q.Options {
				c.Bars = append(c.Bars, bar{o.Option, o.Count})
			}
		default:
			continue
		}
		out[q.ID] = c
	}
	return out
}

func (s *Server) trainingReport(w http.ResponseWriter, r *http.Request, sess *Session) {
	rep, ok := s.readTrainingReport(w, r, sess)
	if !ok {
		return
	}
	d := trainingReportData{Report: rep}
	for _, rr := range rep.Rounds {
		d.Rounds = append(d.Rounds, roundView{RoundReport: rr, Charts: roundCharts(rr)})
	}
	for _, rr := range rep.Summaries {
		d.Summaries = append(d.Summaries, roundView{RoundReport: rr, Charts: roundCharts(rr)})
	}
	s.render(w, r, sess, http.StatusOK, "training_report", view{Title: "Pelatihan " + rep.Training.Title, Nav: "training", Data: d})
}

// trainingExport is the report as CSV, as `hub report training --csv`
// writes it.
func (s *Server) trainingExport(w http.ResponseWriter, r *http.Request, sess *Session) {
	rep, ok := s.readTrainingReport(w, r, sess)
	if !ok {
		return
	}
	s.sendCSV(w, r, sess, "pelatihan-"+strconv.FormatInt(rep.Training.ID, 10), rep.WriteCSV)
}

func (s *Server) readTrainingReport(w http.ResponseWriter, r *http.Request, sess *Session) (training.TrainingReport, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.fail(w, r, sess, http.StatusNotFound, "Pelatihan tidak ditemukan.")
		return training.TrainingReport{}, false
	}
	rep, err := s.cfg.Training.TrainingReport(r.Context(), id)
	if errors.Is(err, training.ErrNotFound) {
		s.fail(w, r, sess, http.StatusNotFound, "Pelatihan tidak ditemukan.")
		return rep, false
	}
	if err != nil {
		s.serverError(w, r, sess, err)
		return rep, false
	}
	return rep, true
}

type asnData struct {
	Units []training.Unit
	Unit  string
	ASN   []training.ASN
	Total int
	// Code is a link code just issued, for NIP.
	Code, CodeFor string
}

// asnPageSize bounds the directory's rows: the city has thousands of ASN,
// a unit a few hundred.
const asnPageSize = 200

func (s *Server) asnDirectory(w http.ResponseWriter, r *http.Request, sess *Session) {
	s.showASN(w, r, sess, strings.TrimSpace(r.URL.Query().Get("unit")), "", "")
}

func (s *Server) showASN(w http.ResponseWriter, r *http.Request, sess *Session, unit, code, codeFor string) {
	units, err := s.cfg.Training.Units(r.Context())
	if err != nil {
		s.serverError(w, r, sess, err)
		return
	}
	d := asnData{Units: units, Unit: unit, Code: code, CodeFor: codeFor}
	if unit != "" {
		all, err := s.cfg.Training.ListASN(r.Context(), unit)
		if err != nil {
			s.serverError(w, r, sess, err)
			return
		}
		d.Total, d.ASN = len(all), all[:min(len(all), asnPageSize)]
	}
	s.render(w, r, sess, http.StatusOK, "asn", view{Title: "Direktori ASN", Nav: "asn", Data: d})
}

// asnLinkCode issues a link code for an ASN to send to the bot
// (`/daftar KODE`), as `hub asn code` does.
func (s *Server) asnLinkCode(w http.ResponseWriter, r *http.Request, sess *Session) {
	nip := r.PathValue("nip")
	a, err := s.cfg.Training.GetASN(r.Context(), nip)
	if errors.Is(err, training.ErrNotFound) {
		s.fail(w, r, sess, http.StatusNotFound, "ASN tidak ditemukan.")
		return
	}
	if err != nil {
		s.serverError(w, r, sess, err)
		return
	}
	code, err := s.cfg.Training.IssueLinkCode(r.Context(), nip, s.cfg.Now())
	if err != nil {
		s.serverError(w, r, sess, err)
		return
	}
	// The code itself stays out of the audit log: whoever reads the log
	// must not be able to link a chat account with it.
	s.record(r, sess, "asn.link_code", "asn:"+nip, nil, nil)
	s.showASN(w, r, sess, a.UnitCode, code, a.Name)
}

// importKinds are the training files the import page takes, in the order
// they must be imported.
var importKinds = []struct {
	Kind, Label string
}{
	{"units", "Unit kerja (OPD)"}, {"asn", "ASN"}, {"trainings", "Pelatihan"}, {"sessions", "Sesi"}, {"enrolments", "Peserta (enrolmen)"},
}

type trainingImportData struct {
	Kinds    []struct{ Kind, Label string }
	Kind     string
	FileName string
	Problems []*training.ImportError
	Imported int
	Done     bool
	// Warnings follow an import that succeeded: inactive ASN still
	// enrolled in a session ahead, after an ASN file.
	Warnings []string
}

func (s *Server) trainingImportForm(w http.ResponseWriter, r *http.Request, sess *Session) {
	s.render(w, r, sess, http.StatusOK, "training_import", view{Title: "Impor data pelatihan", Nav: "training",
		Data: trainingImportData{Kinds: importKinds}})
}

// trainingImport imports one CSV file through the training store: all or
// nothing, with every problem named by line and column.
func (s *Server) trainingImport(w http.ResponseWriter, r *http.Request, sess *Session) {
	d := trainingImportData{Kinds: importKinds, Kind: r.PostFormValue("kind")}
	again := func(status int, msg string) {
		s.render(w, r, sess, status, "training_import", view{Title: "Impor data pelatihan", Nav: "training", Error: msg, Data: d})
	}
	f, hdr, err := r.FormFile("file")
	if err != nil {
		again(http.StatusUnprocessableEntity, "Pilih berkas CSV untuk diimpor.")
		return
	}
	defer f.Close()
	d.FileName = hdr.Filename
	ctx, st := r.Context(), s.cfg.Training
	imports := map[string]func(io.Reader, string) (int, error){
		"units":      func(f io.Reader, name string) (int, error) { return st.ImportUnits(ctx, f, name) },
		"asn":        func(f io.Reader, name string) (int, error) { return st.ImportASN(ctx, f, name) },
		"trainings":  func(f io.Reader, name string) (int, error) { return st.ImportTrainings(ctx, f, name) },
		"enrolments": func(f io.Reader, name string) (int, error) { return st.ImportEnrolments(ctx, f, name) },
		"sessions":   func(f io.Reader, name string) (int, error) { return s.importSessions(ctx, f, name) },
	}
	imp, ok := imports[d.Kind]
	if !ok {
		again(http.StatusUnprocessableEntity, "Pilih jenis data yang diimpor.")
		return
	}
	d.Imported, err = imp(f, hdr.Filename)
	var problems training.ImportErrors
	var one *training.ImportError
	switch {
	case errors.As(err, &problems):
		d.Problems = problems
		again(http.StatusUnprocessableEntity, "Berkas belum diimpor: perbaiki baris berikut, lalu impor lagi. Tidak ada data yang berubah.")
		return
	case errors.As(err, &one):
		d.Problems = []*training.ImportError{one}
		again(http.StatusUnprocessableEntity, "Berkas belum diimpor: perbaiki baris berikut, lalu impor lagi. Tidak ada data yang berubah.")
		return
	case err != nil:
		s.serverError(w, r, sess, err)
		return
	}
	d.Done = true
	s.record(r, sess, "training.import."+d.Kind, "file:"+d.FileName, nil, map[string]int{"rows": d.Imported})
	if d.Kind == "asn" {
		gone, err := st.InactiveEnrolments(ctx, s.cfg.Now())
		if err != nil {
			s.serverError(w, r, sess, err)
			return
		}
		for _, g := range gone {
			d.Warnings = append(d.Warnings, g.Warning()+".")
		}
	}
	s.render(w, r, sess, http.StatusOK, "training_import", view{Title: "Impor data pelatihan", Nav: "training",
		Notice: fmt.Sprintf("%d baris %s diimpor.", d.Imported, d.FileName), Data: d})
}

package admin

import (
	"math"
	"net/http"
	"strconv"

	"github.com/tebingtinggi/hub/inbox"
	"github.com/tebingtinggi/hub/internal/safetext"
	"github.com/tebingtinggi/hub/knowledge"
)

type dashboardData struct {
	Stats             inbox.Stats
	Open, Overdue     int
	Published, Drafts int
	Charts            []chart
	// HolidayNotice asks admins to enter the holidays of a year.
	HolidayNotice string
}

// dashboardTopGroups is how many unanswered groups the dashboard shows;
// the unanswered page has them all.
const dashboardTopGroups = 5

// chartLabelRunes is the longest label that fits beside a bar.
const chartLabelRunes = 32

var weekdays = [...]string{"Min", "Sen", "Sel", "Rab", "Kam", "Jum", "Sab"}

func (s *Server) dashboard(w http.ResponseWriter, r *http.Request, sess *Session) {
	ctx := r.Context()
	now := s.cfg.Now()
	st, err := s.cfg.Inbox.Stats(ctx, now, jakarta)
	if err != nil {
		s.serverError(w, r, sess, err)
		return
	}
	qp, err := s.cfg.Inbox.ListQueue(ctx, inbox.QueueFilter{Queue: inbox.QueueOpen, Now: now, Limit: 1})
	if err != nil {
		s.serverError(w, r, sess, err)
		return
	}
	d := dashboardData{Stats: st, Open: qp.Counts[inbox.QueueOpen], Overdue: qp.Counts[inbox.QueueOverdue],
		HolidayNotice: s.holidayNotice(sess)}
	if d.Published, err = s.cfg.Knowledge.Count(ctx, knowledge.Published); err == nil {
		d.Drafts, err = s.cfg.Knowledge.Count(ctx, knowledge.Draft)
	}
	if err != nil {
		s.serverError(w, r, sess, err)
		return
	}
	days := chart{Title: "Pertanyaan warga per hari, 7 hari terakhir"}
	for _, dc := range st.QuestionsByDay {
		days.Bars = append(days.Bars, bar{weekdays[dc.Day.Weekday()] + " " + strconv.Itoa(dc.Day.Day()), dc.N})
	}
	shares := chart{Title: "Keputusan bot atas pertanyaan warga, 7 hari terakhir"}
	for _, k := range inbox.DecisionKinds {
		shares.Bars = append(shares.Bars, bar{capital(knowledge.Decision(k).Word()), st.Decisions[k]})
	}
	reasons := chart{Title: "Alasan pertanyaan diserahkan ke petugas"}
	for _, reason := range []inbox.Reason{inbox.NoMatch, inbox.AskedHuman, inbox.UnhelpfulAnswer} {
		reasons.Bars = append(reasons.Bars, bar{capital(reason.Word()), st.Reasons[reason]})
	}
	ratings := chart{Title: "Penilaian warga atas tiket yang selesai"}
	for i, n := range st.Ratings {
		ratings.Bars = append(ratings.Bars, bar{strconv.Itoa(i+1) + " bintang", n})
	}
	tickets := chart{Title: "Tiket meja bantuan"}
	for _, q := range inbox.Queues {
		if q != inbox.QueueMine {
			tickets.Bars = append(tickets.Bars, bar{queueLabels[q], qp.Counts[q]})
		}
	}
	d.Charts = []chart{days, shares, tickets, reasons, ratings}
	// The biggest gaps in the knowledge base, from the unanswered page's
	// grouping (kept while the week's tickets are unchanged).
	groups, err := s.groupings.Unanswered(ctx, now.AddDate(0, 0, -7))
	if err != nil {
		s.serverError(w, r, sess, err)
		return
	}
	gaps := chart{Title: "Pertanyaan yang paling sering belum terjawab, 7 hari terakhir"}
	for _, g := range groups[:min(len(groups), dashboardTopGroups)] {
		gaps.Bars = append(gaps.Bars, bar{safetext.Shorten(g.Question, chartLabelRunes), g.Count})
	}
	rates, err := s.cfg.Training.ResponseRates(ctx, now)
	if err != nil {
		s.serverError(w, r, sess, err)
		return
	}
	surveys := chart{Title: "Tingkat respons survei yang berjalan atau ditutup minggu ini (%)"}
	for _, rr := range rates {
		surveys.Bars = append(surveys.Bars, bar{safetext.Shorten(rr.Round.Title, chartLabelRunes), int(math.Round(100 * rr.Rate()))})
	}
	d.Charts = append(d.Charts, gaps, surveys)
	s.render(w, r, sess, http.StatusOK, "dashboard", view{Title: "Dasbor", Nav: "dashboard", Data: d})
}

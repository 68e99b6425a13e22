package admin

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/tebingtinggi/hub/training"
)

const auditPageSize = 100

type auditData struct {
	Entries               []AuditEntry
	Total                 int
	Actor, Action, Target string
	From, To              string
	PrevURL, NextURL      string
}

// auditLog shows the audit log, newest first, filtered by actor, action
// (prefix), target and dates (WIB, the "to" day included). Dates are read
// as officers write them, day first ("06/12/2026", "6 Des 2026") or ISO.
func (s *Server) auditLog(w http.ResponseWriter, r *http.Request, sess *Session) {
	q := r.URL.Query()
	d := auditData{Actor: strings.TrimSpace(q.Get("actor")), Action: strings.TrimSpace(q.Get("action")),
		Target: strings.TrimSpace(q.Get("target")), From: q.Get("from"), To: q.Get("to")}
	f := AuditFilter{Actor: d.Actor, Action: d.Action, Target: d.Target, Limit: auditPageSize}
	var problems []string
	if d.From != "" {
		t, err := training.ParseDate(d.From, jakarta)
		if err != nil {
			problems = append(problems, "Dari: "+err.Error())
		}
		f.From = t
	}
	if d.To != "" {
		t, err := training.ParseDate(d.To, jakarta)
		if err != nil {
			problems = append(problems, "Sampai: "+err.Error())
		} else {
			f.To = t.AddDate(0, 0, 1)
		}
	}
	if len(problems) == 0 && !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		problems = append(problems, "Sampai: tanggal "+strconv.Quote(d.To)+" lebih awal daripada tanggal Dari "+strconv.Quote(d.From))
	}
	if len(problems) > 0 {
		s.render(w, r, sess, http.StatusBadRequest, "audit", view{Title: "Log audit", Nav: "audit",
			Error: strings.Join(problems, ". "), Data: d})
		return
	}
	f.Offset = offsetParam(r)
	var err error
	d.Entries, d.Total, err = s.cfg.Accounts.AuditLog(r.Context(), f)
	if err != nil {
		s.serverError(w, r, sess, err)
		return
	}
	page := func(offset int) string {
		v := url.Values{}
		for k, val := range map[string]string{"actor": d.Actor, "action": d.Action, "target": d.Target, "from": d.From, "to": d.To} {
			if val != "" {
				v.Set(k, val)
			}
		}
		v.Set("offset", strconv.Itoa(offset))
		return "/admin/audit?" + v.Encode()
	}
	if f.Offset+auditPageSize < d.Total {
		d.NextURL = page(f.Offset + auditPageSize)
	}
	if f.Offset > 0 {
		d.PrevURL = page(max(f.Offset-auditPageSize, 0))
	}
	s.render(w, r, sess, http.StatusOK, "audit", view{Title: "Log audit", Nav: "audit", Data: d})
}

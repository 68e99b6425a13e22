package admin

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/tebingtinggi/hub/handlers"
	"github.com/tebingtinggi/hub/inbox"
)

type deskListData struct {
	Queue   inbox.Queue
	Queues  []inbox.Queue
	Page    inbox.QueuePage
	Overdue map[int64]bool
	Offset  int
	PrevURL string
	NextURL string
}

// queueLabels name the desk's queues in Indonesian.
var queueLabels = map[inbox.Queue]string{
	inbox.QueueOpen: "Terbuka", inbox.QueueMine: "Milik saya", inbox.QueueOverdue: "Lewat tenggat", inbox.QueueClosed: "Selesai",
}

const deskPageSize = 50

// officerName is how the desk records a web officer on the tickets they
// claim, answer and close, and whose tickets "mine" lists: the name the
// Slack desk records for them (e.g. "@siti") when an admin has mapped the
// account, so that both desks show one name; else the account's name.
func officerName(sess *Session) string {
	if sess.User.SlackUserID != "" {
		return sess.User.SlackUserID
	}
	return sess.User.Username
}

func (s *Server) deskList(w http.ResponseWriter, r *http.Request, sess *Session) {
	q := inbox.Queue(r.URL.Query().Get("queue"))
	if _, ok := queueLabels[q]; !ok {
		q = inbox.QueueOpen
	}
	offset, _ := strconv.Atoi(r.URL.Query().Get("offset"))
	offset = max(offset, 0)
	now := s.cfg.Now()
	page, err := s.cfg.Inbox.ListQueue(r.Context(), inbox.QueueFilter{Queue: q, Officer: officerName(sess), Now: now, Limit: deskPageSize, Offset: offset})
	if err != nil {
		s.serverError(w, r, sess, err)
		return
	}
	d := deskListData{Queue: q, Queues: inbox.Queues, Page: page, Overdue: map[int64]bool{}, Offset: offset}
	for _, t := range page.Tickets {
		d.Overdue[t.Ticket.ID] = t.Ticket.Overdue(now)
	}
	link := func(off int) string {
		return "/admin/desk?queue=" + url.QueryEscape(string(q)) + "&offset=" + strconv.Itoa(off)
	}
	if offset+deskPageSize < page.Counts[q] {
		d.NextURL = link(offset + deskPageSize)
	}
	if offset > 0 {
		d.PrevURL = link(max(offset-deskPageSize, 0))
	}
	s.render(w, r, sess, http.StatusOK, "desk_list", view{Title: "Meja bantuan", Nav: "desk", Data: d})
}

type ticketData struct {
	Detail  inbox.TicketDetail
	Overdue bool
	Reply   string
}

func (s *Server) ticketID(w http.ResponseWriter, r *http.Request, sess *Session) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.fail(w, r, sess, http.StatusNotFound, "Tiket tidak ditemukan.")
		return 0, false
	}
	return id, true
}

func (s *Server) deskTicket(w http.ResponseWriter, r *http.Request, sess *Session) {
	id, ok := s.ticketID(w, r, sess)
	if ok {
		s.showTicket(w, r, sess, id, http.StatusOK, "", "")
	}
}

func (s *Server) showTicket(w http.ResponseWriter, r *http.Request, sess *Session, id int64, status int, reply, msg string) {
	det, err := s.cfg.Inbox.Get(r.Context(), id)
	if errors.Is(err, inbox.ErrNotFound) {
		s.fail(w, r, sess, http.StatusNotFound, "Tiket tidak ditemukan.")
		return
	}
	if err != nil {
		s.serverError(w, r, sess, err)
		return
	}
	d := ticketData{Detail: det, Overdue: det.Ticket.Overdue(s.cfg.Now()), Reply: reply}
	s.render(w, r, sess, status, "desk_ticket", view{Title: "Tiket #" + strconv.FormatInt(id, 10), Nav: "desk", Error: msg, Data: d})
}

// deskReply answers a ticket through handlers.Desk, as the command line
// and Slack desks do: recorded in the inbox and queued to the citizen.
func (s *Server) deskReply(w http.ResponseWriter, r *http.Request, sess *Session) {
	id, ok := s.ticketID(w, r, sess)
	if !ok {
		return
	}
	text := r.PostFormValue("text")
	if strings.TrimSpace(text) == "" {
		s.showTicket(w, r, sess, id, http.StatusUnprocessableEntity, text, "Balasan masih kosong.")
		return
	}
	// Like the other desks, answering takes the ticket on first: an
	// officer cannot answer a ticket a colleague has claimed.
	t, err := s.cfg.Inbox.Claim(r.Context(), id, officerName(sess), s.cfg.Now())
	if err == nil {
		t, err = s.cfg.Desk.Reply(r.Context(), id, officerName(sess), text)
	}
	s.deskDone(w, r, sess, id, text, "desk.reply", t, err, "replied")
}

func (s *Server) deskClose(w http.ResponseWriter, r *http.Request, sess *Session) {
	id, ok := s.ticketID(w, r, sess)
	if !ok {
		return
	}
	t, err := s.cfg.Desk.Close(r.Context(), id, officerName(sess))
	s.deskDone(w, r, sess, id, "", "desk.close", t, err, "closed")
}

// deskDone answers a desk action: the ticket again with the reason it
// failed, or the audit record and a redirect.
func (s *Server) deskDone(w http.ResponseWriter, r *http.Request, sess *Session, id int64, text, action string, t inbox.Ticket, err error, notice string) {
	target := "ticket:" + strconv.FormatInt(id, 10)
	var claimed *inbox.ClaimedError
	switch {
	case errors.Is(err, handlers.ErrForgotten):
		s.record(r, sess, action, target, nil, t)
		redirect(w, r, "/admin/desk/"+strconv.FormatInt(id, 10), "forgotten")
	case errors.Is(err, inbox.ErrNotFound):
		s.fail(w, r, sess, http.StatusNotFound, "Tiket tidak ditemukan.")
	case errors.Is(err, inbox.ErrClosed):
		s.showTicket(w, r, sess, id, http.StatusConflict, text, "Tiket ini sudah ditutup.")
	case errors.As(err, &claimed):
		s.showTicket(w, r, sess, id, http.StatusConflict, text, "Tiket ini sedang ditangani "+claimed.By+"; balasan Anda belum dikirim.")
	case err != nil:
		s.serverError(w, r, sess, err)
	default:
		s.record(r, sess, action, target, nil, t)
		redirect(w, r, "/admin/desk/"+strconv.FormatInt(id, 10), notice)
	}
}

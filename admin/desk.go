package admin

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/tebingtinggi/hub/handlers"
	"github.com/tebingtinggi/hub/inbox"
	"github.com/tebingtinggi/hub/knowledge"
)

type deskListData struct {
	Queue   inbox.Queue
	Queues  []inbox.Queue
	Page    inbox.QueuePage
	Overdue map[int64]bool
	Offset  int
	PrevURL string
	NextURL string
	// Fingerprint and PollURL keep the page live (see desk_live.go).
	Fingerprint string
	PollURL     string
}

// queueLabels name the desk's queues in Indonesian.
var queueLabels = map[inbox.Queue]string{
	inbox.QueueOpen: "Terbuka", inbox.QueueMine: "Milik saya", inbox.QueueOverdue: "Lewat tenggat", inbox.QueueClosed: "Selesai",
}

const deskPageSize = 50

// officerName is how the desk records a web officer on the tickets they
// claim, answer and close, and whose tickets "mine" lists (deskName).
func officerName(sess *Session) string { return sess.User.deskName() }

// deskName is the name the desks record the account's officer under: the
// name the Slack desk records for them (e.g. "@siti") when an admin has
// mapped the account, so that both desks show one name; else the
// account's name. UpdateUser moves the officer's claims when it changes.
func (u User) deskName() string {
	if u.SlackUserID != "" {
		return u.SlackUserID
	}
	return u.Username
}

// queuePage reads the queue and page a desk list request asks for.
func (s *Server) queuePage(r *http.Request, sess *Session) (inbox.QueuePage, inbox.Queue, int, error) {
	q := inbox.Queue(r.URL.Query().Get("queue"))
	if _, ok := queueLabels[q]; !ok {
		q = inbox.QueueOpen
	}
	offset := offsetParam(r)
	page, err := s.cfg.Inbox.ListQueue(r.Context(), inbox.QueueFilter{Queue: q, Officer: officerName(sess), Now: s.cfg.Now(), Limit: deskPageSize, Offset: offset})
	return page, q, offset, err
}

func (s *Server) deskList(w http.ResponseWriter, r *http.Request, sess *Session) {
	page, q, offset, err := s.queuePage(r, sess)
	if err != nil {
		s.serverError(w, r, sess, err)
		return
	}
	now := s.cfg.Now()
	d := deskListData{Queue: q, Queues: inbox.Queues, Page: page, Overdue: map[int64]bool{}, Offset: offset,
		Fingerprint: queueFingerprint(page), PollURL: "/admin/desk/poll?queue=" + url.QueryEscape(string(q)) + "&offset=" + strconv.Itoa(offset)}
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
	// ClaimedBy is the officer handling the ticket, if any; Mine says it is
	// the viewer, and CanRelease that the viewer may hand it back.
	ClaimedBy        string
	Mine, CanRelease bool
	// Candidates are the bot's best entries for the citizen's question:
	// the FAQ picker's first offer and the entries a lesson may extend;
	// none when Unwritten.
	Candidates []knowledge.Candidate
	// Unwritten says that the ticket's question is a file or place sent
	// without words (inbox.IsNoCaption): nothing to search for or learn.
	Unwritten bool
	// Find is the picker's search and Found its results.
	Find  string
	Found []knowledge.Candidate
	// Lesson and AlternateOf are the "teach the bot" choice as sent.
	Lesson      string
	AlternateOf string
	// Fingerprint changes whenever the ticket does: the page's script
	// polls it to refresh the page when another desk acts.
	Fingerprint string
}

func (s *Server) ticketIDOf(r *http.Request) (int64, error) {
	return strconv.ParseInt(r.PathValue("id"), 10, 64)
}

func (s *Server) ticketID(w http.ResponseWriter, r *http.Request, sess *Session) (int64, bool) {
	id, err := s.ticketIDOf(r)
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
	claimedBy, err := s.cfg.Inbox.ClaimedBy(r.Context(), id)
	if err != nil {
		s.serverError(w, r, sess, err)
		return
	}
	q := r.URL.Query()
	mine := claimedBy != "" && claimedBy == officerName(sess)
	d := ticketData{Detail: det, Overdue: det.Ticket.Overdue(s.cfg.Now()), Reply: reply, ClaimedBy: claimedBy,
		Mine: mine, CanRelease: claimedBy != "" && (mine || sess.User.Role == RoleAdmin),
		Unwritten: inbox.IsNoCaption(det.Question()), Find: strings.TrimSpace(q.Get("find")),
		Lesson: r.PostFormValue("lesson"), AlternateOf: r.PostFormValue("alternate_of"), Fingerprint: ticketFingerprint(det, claimedBy)}
	// A file or place sent without words holds no question to search
	// for: the bot's candidates for the words standing in for it would
	// be beside the point.
	if !d.Unwritten {
		d.Candidates = s.cfg.Index.Search(det.Question()).Candidates
	}
	if d.Find != "" {
		d.Found = s.cfg.Index.Search(d.Find).Candidates
	}
	// "Pakai jawaban FAQ": the entry's answer, to edit before sending.
	if use := strings.TrimSpace(q.Get("use")); use != "" && d.Reply == "" {
		e, err := s.cfg.Knowledge.Get(r.Context(), use)
		switch {
		case err == nil:
			d.Reply = e.Answer
		case errors.Is(err, knowledge.ErrNotFound):
			msg = "Tidak ada entri dengan id " + use + "."
		default:
			s.serverError(w, r, sess, err)
			return
		}
	}
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
	lesson, status, problem, err := s.deskLesson(r, id)
	if err != nil {
		s.serverError(w, r, sess, err)
		return
	}
	if problem != "" {
		s.showTicket(w, r, sess, id, status, text, problem)
		return
	}
	// The reply and its lesson, as the Slack and command-line desks make
	// them: one transaction, so that a lesson refused since deskLesson
	// looked (another officer drafted the question) sends nothing either.
	// Replying takes the ticket on, for the account, as "Ambil tiket"
	// does, so that it moves with the account's Slack name; one a
	// colleague has claimed is refused (inbox.Store.ReplyForAccount).
	done, err := s.cfg.Desk.ReplyAndTeachForAccount(r.Context(), id, officerName(sess), sess.User.ID, text, s.cfg.Knowledge, lesson, actor(sess))
	t := done.Ticket
	if status, problem := deskLessonProblem(lesson, err); problem != "" {
		s.showTicket(w, r, sess, id, status, text, problem)
		return
	}
	if errors.Is(err, inbox.ErrSameReply) && !lesson.Empty() {
		// Nothing was saved, the lesson neither.
		redirect(w, r, "/admin/desk/"+strconv.FormatInt(id, 10), "repeated_lesson")
		return
	}
	if err != nil || lesson.Empty() {
		s.deskDone(w, r, sess, id, text, "desk.reply", t, err, "replied")
		return
	}
	s.record(r, sess, "desk.reply", "ticket:"+strconv.FormatInt(id, 10), nil, auditOf(id, t))
	if done.Known {
		redirect(w, r, "/admin/desk/"+strconv.FormatInt(id, 10), "known")
		return
	}
	s.record(r, sess, "desk.teach", "kb:"+done.Entry.Slug, nil, done.Entry)
	s.changed(r)
	if lesson.NewFAQ {
		redirect(w, r, "/admin/kb/entry/"+url.PathEscape(done.Entry.Slug), "drafted")
		return
	}
	if handlers.UnpublishedLessonText(done.Entry) != "" {
		redirect(w, r, "/admin/desk/"+strconv.FormatInt(id, 10), "learnt_unpublished")
		return
	}
	redirect(w, r, "/admin/desk/"+strconv.FormatInt(id, 10), "learnt")
}

// deskLesson reads the reply form's "teach the bot" choice for ticket
// id and checks it, with the reply, before anything is sent
// (handlers.CheckLesson, as every desk does): a typo in an alternate's
// entry, a new entry whose question an entry already has or whose answer
// the reply cannot be, or an alternate that another entry has, is a
// problem to show with its status, and the reply waits for the officer
// to choose again.
func (s *Server) deskLesson(r *http.Request, id int64) (l handlers.Lesson, status int, problem string, err error) {
	switch r.PostFormValue("lesson") {
	case "new":
		l.NewFAQ = true
	case "alt":
		l.AlternateOf = strings.TrimSpace(r.PostFormValue("alternate_of"))
		if other := strings.TrimSpace(r.PostFormValue("alternate_other")); other != "" {
			l.AlternateOf = other
		}
		if l.AlternateOf == "" {
			return l, http.StatusUnprocessableEntity, "Pilih entri yang akan diberi variasi pertanyaan warga ini.", nil
		}
	default:
		return l, 0, "", nil
	}
	det, err := s.cfg.Inbox.Get(r.Context(), id)
	if errors.Is(err, inbox.ErrNotFound) {
		// The reply says what is wrong with the ticket.
		return l, 0, "", nil
	}
	if err != nil {
		return l, 0, "", err
	}
	if l.NewFAQ {
		l.Like = handlers.LikeFor(s.cfg.Index, det.Question())
	}
	err = handlers.CheckLesson(r.Context(), s.cfg.Knowledge, det.Question(), r.PostFormValue("text"), l)
	if status, problem := deskLessonProblem(l, err); problem != "" {
		return l, status, problem, nil
	}
	return l, 0, "", err
}

// deskLessonProblem is the status and the problem to show when the
// knowledge base refuses lesson l of a reply (err, from
// handlers.CheckLesson or handlers.Desk.ReplyAndTeach): nothing was sent.
// The problem is "" for any other err.
func deskLessonProblem(l handlers.Lesson, err error) (status int, problem string) {
	r, ok := handlers.LessonRefused(l, err)
	if !ok {
		return 0, ""
	}
	switch r.Kind {
	case handlers.RefusedTaken:
		return http.StatusConflict, r.Text + " Balasan belum dikirim: ubah entri itu, atau kirim balasan dengan pilihan lain di \u201cAjari bot\u201d."
	case handlers.RefusedTakenElsewhere:
		return http.StatusConflict, r.Text + " Balasan belum dikirim: pilih entri " + r.Entry + " di \u201cAjari bot\u201d, atau ubah dulu entri itu."
	case handlers.RefusedNoEntry:
		return http.StatusUnprocessableEntity, r.Text + " Balasan belum dikirim."
	case handlers.RefusedAnswer:
		return http.StatusUnprocessableEntity, r.Text + " Balasan belum dikirim: untuk mengirimnya saja, pilih \u201cTidak\u201d di \u201cAjari bot\u201d."
	case handlers.RefusedUnwritten:
		return http.StatusUnprocessableEntity, r.Text + " Balasan belum dikirim: untuk mengirimnya, pilih \u201cTidak\u201d di \u201cAjari bot\u201d. Entri FAQ untuk hal ini ditulis sendiri di halaman Basis pengetahuan (Entri baru)."
	}
	return http.StatusUnprocessableEntity, r.Text + " Balasan belum dikirim: kirim dengan pilihan lain di \u201cAjari bot\u201d."
}

func (s *Server) deskClose(w http.ResponseWriter, r *http.Request, sess *Session) {
	id, ok := s.ticketID(w, r, sess)
	if !ok {
		return
	}
	// A ticket nobody answered (a duplicate, a question settled by phone)
	// is closed only once the officer confirms it: the citizen is told it
	// was closed without a written answer.
	admin := sess.User.Role == RoleAdmin
	det, err := s.cfg.Inbox.Get(r.Context(), id)
	if err == nil && !det.Ticket.Replied() && det.Ticket.Status != inbox.Closed && r.PostFormValue("unanswered") != "on" {
		// A colleague's claim is said first: confirming would not help.
		by, err := s.cfg.Inbox.ClaimedBy(r.Context(), id)
		if err != nil {
			s.serverError(w, r, sess, err)
			return
		}
		if by != "" && by != officerName(sess) && !admin {
			s.showTicket(w, r, sess, id, http.StatusConflict, "", closeRefused(by))
			return
		}
		s.showTicket(w, r, sess, id, http.StatusUnprocessableEntity, "",
			"Tiket ini belum dibalas. Untuk menutupnya tanpa jawaban tertulis, centang \u201cTutup tanpa jawaban tertulis\u201d lalu tekan Tutup tiket lagi; warga akan diberi tahu bahwa tiketnya ditutup tanpa jawaban dan boleh menulis lagi.")
		return
	}
	// The holder closes their claimed ticket, or an admin anyone's, as
	// with release (handlers.Desk.Close keeps the rule for every desk).
	t, err := s.cfg.Desk.Close(r.Context(), id, officerName(sess), admin)
	var claimed *inbox.ClaimedError
	if errors.As(err, &claimed) {
		s.showTicket(w, r, sess, id, http.StatusConflict, "", closeRefused(claimed.By))
		return
	}
	notice := "closed"
	if err == nil && !t.Replied() {
		notice = "closed_unanswered"
	}
	s.deskDone(w, r, sess, id, "", "desk.close", t, err, notice)
}

// closeRefused says why a ticket that officer by has claimed was not
// closed.
func closeRefused(by string) string {
	return "Tiket ini sedang ditangani " + by + "; hanya " + by + " atau admin yang dapat menutupnya. Tiket belum ditutup."
}

// deskClaim takes the ticket on ("Ambil"), as Slack's "Ambil" does: the
// other desks then show who handles it, and only they may answer.
func (s *Server) deskClaim(w http.ResponseWriter, r *http.Request, sess *Session) {
	id, ok := s.ticketID(w, r, sess)
	if !ok {
		return
	}
	t, err := s.cfg.Inbox.ClaimForAccount(r.Context(), id, officerName(sess), sess.User.ID, s.cfg.Now())
	var claimed *inbox.ClaimedError
	if errors.As(err, &claimed) {
		s.showTicket(w, r, sess, id, http.StatusConflict, "", "Tiket ini sudah diambil "+claimed.By+".")
		return
	}
	s.deskDone(w, r, sess, id, "", "desk.claim", t, err, "claimed")
}

// deskRelease hands the ticket back ("Lepas"): its holder's own claim, or
// anyone's for an admin, as hub inbox release does for an operator.
func (s *Server) deskRelease(w http.ResponseWriter, r *http.Request, sess *Session) {
	id, ok := s.ticketID(w, r, sess)
	if !ok {
		return
	}
	held, err := s.cfg.Inbox.Release(r.Context(), id, officerName(sess), sess.User.Role == RoleAdmin)
	var claimed *inbox.ClaimedError
	switch {
	case errors.As(err, &claimed):
		s.showTicket(w, r, sess, id, http.StatusConflict, "", "Tiket ini diambil "+claimed.By+"; hanya "+claimed.By+" atau admin yang dapat melepasnya.")
		return
	case err == nil && held == "":
		s.showTicket(w, r, sess, id, http.StatusConflict, "", "Tiket ini sedang tidak diambil siapa pun.")
		return
	}
	var t inbox.Ticket
	if err == nil {
		var det inbox.TicketDetail
		det, err = s.cfg.Inbox.Get(r.Context(), id)
		t = det.Ticket
	}
	s.deskDone(w, r, sess, id, "", "desk.release", t, err, "released")
}

// deskAudit is what the audit log keeps of a ticket an officer acted on:
// its number and state, never the citizen's question or comment, which
// erasure and retention must be able to reach (the audit log is kept).
type deskAudit struct {
	ID         int64              `json:"id"`
	Status     inbox.TicketStatus `json:"status"`
	AnsweredBy string             `json:"answered_by,omitempty"`
	ClosedBy   string             `json:"closed_by,omitempty"`
}

func auditOf(id int64, t inbox.Ticket) deskAudit {
	return deskAudit{id, t.Status, t.AnsweredBy, t.ClosedBy}
}

// deskDone answers a desk action: the ticket again with the reason it
// failed, or the audit record and a redirect.
func (s *Server) deskDone(w http.ResponseWriter, r *http.Request, sess *Session, id int64, text, action string, t inbox.Ticket, err error, notice string) {
	target := "ticket:" + strconv.FormatInt(id, 10)
	var claimed *inbox.ClaimedError
	switch {
	case errors.Is(err, handlers.ErrForgotten):
		s.record(r, sess, action, target, nil, auditOf(id, t))
		redirect(w, r, "/admin/desk/"+strconv.FormatInt(id, 10), "forgotten")
	case errors.Is(err, inbox.ErrNotFound):
		s.fail(w, r, sess, http.StatusNotFound, "Tiket tidak ditemukan.")
	case errors.Is(err, inbox.ErrClosed):
		s.showTicket(w, r, sess, id, http.StatusConflict, text, "Tiket ini sudah ditutup.")
	case errors.Is(err, inbox.ErrSameReply):
		// A double click: the browser shows this answer, not the first's.
		redirect(w, r, "/admin/desk/"+strconv.FormatInt(id, 10), "repeated")
	case errors.As(err, &claimed):
		s.showTicket(w, r, sess, id, http.StatusConflict, text, "Tiket ini sedang ditangani "+claimed.By+"; balasan Anda belum dikirim. "+
			claimed.By+" dapat melepasnya dengan tombol Lepas di sini atau di Slack; admin juga dapat melepasnya di sini, dan operator dengan hub inbox release "+strconv.FormatInt(id, 10)+".")
	case err != nil:
		s.serverError(w, r, sess, err)
	default:
		s.record(r, sess, action, target, nil, auditOf(id, t))
		redirect(w, r, "/admin/desk/"+strconv.FormatInt(id, 10), notice)
	}
}

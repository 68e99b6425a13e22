package admin

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"net/http"

	"github.com/tebingtinggi/hub/inbox"
)

// Live desk pages: each page carries a fingerprint of what it shows, and
// admin.js polls the page's fingerprint every few seconds, reloading the
// page (or, while the officer is typing, saying that it changed) when a
// colleague acts from Slack, the command line or another browser. A short
// poll needs no inline script, no held connection and nothing that two
// replicas could disagree on: the inbox is the one state.

func fingerprint(write func(h hash.Hash)) string {
	h := sha256.New()
	write(h)
	return hex.EncodeToString(h.Sum(nil)[:8])
}

// ticketFingerprint changes with the ticket's state, claim and messages.
func ticketFingerprint(det inbox.TicketDetail, claimedBy string) string {
	return fingerprint(func(h hash.Hash) {
		t := det.Ticket
		fmt.Fprintf(h, "%s\x00%s\x00%s\x00%s\x00%d", t.Status, t.AnsweredBy, t.ClosedBy, claimedBy, len(det.Messages))
		if n := len(det.Messages); n > 0 {
			fmt.Fprintf(h, "\x00%d", det.Messages[n-1].ID)
		}
	})
}

// queueFingerprint changes with the queues' sizes and the page's tickets.
func queueFingerprint(page inbox.QueuePage) string {
	return fingerprint(func(h hash.Hash) {
		for _, q := range inbox.Queues {
			fmt.Fprintf(h, "%s=%d\x00", q, page.Counts[q])
		}
		for _, t := range page.Tickets {
			fmt.Fprintf(h, "%d:%s:%s\x00", t.Ticket.ID, t.Ticket.Status, t.Ticket.AnsweredBy)
		}
	})
}

func writeFingerprint(w http.ResponseWriter, fp string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte(fp))
}

// deskTicketPoll answers a ticket page's poll with its fingerprint.
func (s *Server) deskTicketPoll(w http.ResponseWriter, r *http.Request, sess *Session) {
	id, ok := s.ticketID(w, r, sess)
	if !ok {
		return
	}
	det, err := s.cfg.Inbox.Get(r.Context(), id)
	if errors.Is(err, inbox.ErrNotFound) {
		http.Error(w, "Tiket tidak ditemukan.", http.StatusNotFound)
		return
	}
	var claimedBy string
	if err == nil {
		claimedBy, err = s.cfg.Inbox.ClaimedBy(r.Context(), id)
	}
	if err != nil {
		s.serverError(w, r, sess, err)
		return
	}
	writeFingerprint(w, ticketFingerprint(det, claimedBy))
}

// deskListPoll answers a queue page's poll with its fingerprint.
func (s *Server) deskListPoll(w http.ResponseWriter, r *http.Request, sess *Session) {
	page, _, _, err := s.queuePage(r, sess)
	if err != nil {
		s.serverError(w, r, sess, err)
		return
	}
	writeFingerprint(w, queueFingerprint(page))
}

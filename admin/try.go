package admin

import (
	"net/http"
	"strings"

	"github.com/tebingtinggi/hub/knowledge"
)

type tryData struct {
	Question string
	Asked    bool
	// Verdict is exactly what `hub kb ask` prints for the question.
	Verdict knowledge.Verdict
	// Questions are the candidates' questions, by id, to read the
	// verdict by; Answer is the answer the bot would send.
	Questions map[string]string
	Answer    string
}

// tryBot is "Coba bot": how the bot decides a question right now, from the
// same index and the same verdict as `hub kb ask`.
func (s *Server) tryBot(w http.ResponseWriter, r *http.Request, sess *Session) {
	d := tryData{Question: strings.TrimSpace(r.URL.Query().Get("q"))}
	if d.Question != "" {
		res := s.cfg.Index.Search(d.Question)
		d.Asked, d.Verdict, d.Questions = true, res.Verdict(), map[string]string{}
		for _, c := range res.Candidates {
			d.Questions[c.Slug] = c.Question
		}
		if res.Entry != nil {
			d.Answer = res.Entry.Answer
		}
	}
	s.render(w, r, sess, http.StatusOK, "try", view{Title: "Coba bot", Nav: "try", Data: d})
}

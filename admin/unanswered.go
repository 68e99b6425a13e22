package admin

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tebingtinggi/hub/handlers"
	"github.com/tebingtinggi/hub/inbox"
	"github.com/tebingtinggi/hub/knowledge"
)

// The unanswered page: the questions the bot did not answer, grouped as
// `hub kb unanswered` and Slack's `/faq belum` group them
// (inbox.Store.Unanswered, through a cache that groups again only when a
// ticket changes), each group turned into a lesson in one step
// through handlers.TeachGroup, as an officer's answer on a desk is
// through handlers.Teach: all its wordings in one revision, or none.
//
// The officer picks which of the group's wordings the lesson takes (a
// 1,000-character message, a phone number or an insult need not stop the
// rest). The form names the wordings, never carries them: the group by
// its first ticket, each wording by its place in the group and a digest
// of its text. The server groups again and teaches only the group's own
// wordings, so a form cannot put words in a citizen's mouth, and a group
// that changed since the page was shown is refused rather than taught
// other wordings than the officer saw.

// unansweredSpans are the periods the page offers, in days.
var unansweredSpans = []int{1, 7, 30, 90}

const (
	unansweredPageSize = 30
	// maxGroupQuestions bounds the wordings "Coba bot" tries at once.
	maxGroupQuestions = 10
)

type unansweredGroup struct {
	inbox.UnansweredGroup
	// ID names the group in the lesson forms: its first ticket.
	ID int64
	// Questions are the group's wordings: its question and examples.
	Questions []string
	// Wordings are the same, as the lesson forms offer them.
	Wordings []groupWording
	// Candidates are the bot's current best entries for the question,
	// offered as the entry the wordings could become alternates of.
	Candidates []knowledge.Candidate
	// TryURL shows "Coba bot" on every wording of the group.
	TryURL string
}

type unansweredData struct {
	Days int
	// Since is the start of the period shown (Unix seconds): the lesson
	// forms carry it, so that the server groups the same questions again
	// however long the officer takes.
	Since   int64
	Spans   []int
	Total   int
	Offset  int
	Groups  []unansweredGroup
	PrevURL string
	NextURL string
}

func (s *Server) unanswered(w http.ResponseWriter, r *http.Request, sess *Session) {
	q := r.URL.Query()
	days, _ := strconv.Atoi(q.Get("days"))
	if days <= 0 || days > 365 {
		days = 7
	}
	offset := offsetParam(r)
	since := s.cfg.Now().AddDate(0, 0, -days).Truncate(time.Second)
	groups, err := s.groupings.Unanswered(r.Context(), since)
	if err != nil {
		s.serverError(w, r, sess, err)
		return
	}
	d := unansweredData{Days: days, Since: since.Unix(), Spans: unansweredSpans, Total: len(groups), Offset: offset}
	page := func(off int) string {
		return "/admin/unanswered?days=" + strconv.Itoa(days) + "&offset=" + strconv.Itoa(off)
	}
	if offset+unansweredPageSize < len(groups) {
		d.NextURL = page(offset + unansweredPageSize)
	}
	if offset > 0 {
		d.PrevURL = page(max(offset-unansweredPageSize, 0))
	}
	for _, g := range groups[min(offset, len(groups)):min(offset+unansweredPageSize, len(groups))] {
		ug := unansweredGroup{UnansweredGroup: g, ID: g.TicketIDs[0], Questions: groupWordings(g)}
		for i, q := range ug.Questions {
			// Counted as the lesson keeps it: spacing collapsed.
			n := utf8.RuneCountInString(strings.Join(strings.Fields(q), " "))
			ug.Wordings = append(ug.Wordings, groupWording{Text: q, Pick: wordingPick(i, q), Runes: n, TooLong: n > knowledge.MaxQuestionLen})
		}
		ug.Candidates = s.cfg.Index.Search(g.Question).Candidates
		ug.TryURL = tryGroupURL(ug.Questions)
		d.Groups = append(d.Groups, ug)
	}
	s.render(w, r, sess, http.StatusOK, "unanswered", view{Title: "Pertanyaan belum terjawab", Nav: "unanswered", Data: d})
}

// groupWording is one wording of a group as a lesson form offers it.
type groupWording struct {
	Text string
	// Pick is the value of its checkbox.
	Pick string
	// Runes is its length; TooLong is set when the knowledge base would
	// refuse it for its length, for the officer to leave it out.
	Runes   int
	TooLong bool
}

// pickData is what a lesson form's checkboxes are made of: the group,
// the start of the period the page shows (the server groups that period
// again) and the fieldset's legend.
type pickData struct {
	Group  unansweredGroup
	Since  int64
	Legend string
}

// groupWordings are g's wordings, in the order the page shows them: its
// question, then its examples.
func groupWordings(g inbox.UnansweredGroup) []string {
	return append([]string{g.Question}, g.Examples...)
}

// wordingPick names the i-th wording q of a group in a form: its place,
// and a digest of its text that tells whether the place still holds it.
func wordingPick(i int, q string) string {
	sum := sha256.Sum256([]byte(q))
	return strconv.Itoa(i) + "-" + hex.EncodeToString(sum[:8])
}

// pickedWordings are the wordings of the group a lesson form names that
// the officer checked, in the group's order, each once, with their
// places in the group. Any other outcome is a status and a message, or
// an error reading the groups.
func (s *Server) pickedWordings(r *http.Request) (qs []string, places []int, status int, problem string, err error) {
	sinceUnix, err1 := strconv.ParseInt(r.PostFormValue("since"), 10, 64)
	id, err2 := strconv.ParseInt(r.PostFormValue("group"), 10, 64)
	since, now := time.Unix(sinceUnix, 0), s.cfg.Now()
	if err1 != nil || err2 != nil || since.After(now) || since.Before(now.AddDate(-1, 0, -1)) {
		return nil, nil, http.StatusBadRequest, "Formulir ini tidak menyebut kelompok pertanyaan; buka lagi halaman pertanyaan belum terjawab.", nil
	}
	groups, err := s.groupings.Unanswered(r.Context(), since)
	if err != nil {
		return nil, nil, 0, "", err
	}
	var members []string
	for _, g := range groups {
		if g.TicketIDs[0] == id {
			members = groupWordings(g)
			break
		}
	}
	changed := "Kelompok pertanyaan ini sudah berubah sejak halaman dibuka. Muat ulang halaman, lalu pilih lagi. Tidak ada yang disimpan."
	if members == nil {
		return nil, nil, http.StatusConflict, changed, nil
	}
	picked := make([]bool, len(members))
	for _, p := range r.PostForm["pick"] {
		place, _, _ := strings.Cut(p, "-")
		i, err := strconv.Atoi(place)
		if err != nil || i < 0 || i >= len(members) || p != wordingPick(i, members[i]) {
			return nil, nil, http.StatusConflict, changed, nil
		}
		picked[i] = true
	}
	seen := map[string]bool{}
	for i, q := range members {
		if !picked[i] {
			continue
		}
		if k := strings.Join(strings.Fields(q), " "); !seen[k] {
			seen[k] = true
			qs, places = append(qs, q), append(places, i)
		}
	}
	if len(qs) == 0 {
		return nil, nil, http.StatusUnprocessableEntity, "Belum ada pertanyaan yang dicentang: centang sedikitnya satu pertanyaan kelompok ini. Tidak ada yang disimpan.", nil
	}
	return qs, places, 0, "", nil
}

// tryGroupURL is the "Coba bot" page of several questions.
func tryGroupURL(questions []string) string {
	v := url.Values{}
	for _, q := range questions {
		v.Add("q", q)
	}
	return "/admin/unanswered/try?" + v.Encode()
}

// distinctWordings trims vals and drops the empty and repeated ones,
// keeping their order.
func distinctWordings(vals []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, v := range vals {
		v = strings.Join(strings.Fields(v), " ")
		if v != "" && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// groupQuestions reads the wordings "Coba bot" is asked to try:
// trimmed, non-empty, distinct, at most maxGroupQuestions of at most
// knowledge.MaxQuestionLen characters each.
func groupQuestions(vals []string) ([]string, string) {
	out := distinctWordings(vals)
	for i, v := range out {
		if n := utf8.RuneCountInString(v); n > knowledge.MaxQuestionLen {
			return nil, fmt.Sprintf("Pertanyaan ke-%d lebih dari %d karakter (%d).", i+1, knowledge.MaxQuestionLen, n)
		}
	}
	switch {
	case len(out) == 0:
		return nil, "Tidak ada pertanyaan yang dipilih."
	case len(out) > maxGroupQuestions:
		return nil, "Paling banyak " + strconv.Itoa(maxGroupQuestions) + " pertanyaan sekaligus."
	}
	return out, ""
}

// wordingRefusal tells the officer that the i-th wording of a group, q,
// is refused, why, and that nothing was saved.
func wordingRefusal(i int, q, why string) string {
	return fmt.Sprintf("Pertanyaan ke-%d kelompok ini, %q, ditolak: %s. Tidak ada yang disimpan.", i+1, shortWording(q), why)
}

// wordingTaken tells the officer that the i-th wording of a group, q, is
// refused because an entry already has it (taken), what they can do
// instead, and that nothing was saved.
func wordingTaken(i int, q string, taken *knowledge.QuestionTaken) string {
	instead := "jadikan kelompok ini variasi entri " + taken.Entry.Slug
	if taken.AlternateOf != "" {
		instead = "pilih entri " + taken.Entry.Slug + " untuk kelompok ini"
	}
	return fmt.Sprintf("Pertanyaan ke-%d kelompok ini, %q, ditolak. %s Hapus centangnya, %s, atau ubah dulu entri itu. Tidak ada yang disimpan.",
		i+1, shortWording(q), handlers.QuestionTakenText(taken), instead)
}

// shortWording is a wording as a refusal quotes it (%q escapes its
// invisible characters): cut short when long.
func shortWording(q string) string {
	if r := []rune(q); len(r) > 80 {
		return string(r[:80]) + "…"
	}
	return q
}

// lessonRefusal is the status and the officer's message for a lesson of
// the wordings qs, at places in their group, that the knowledge base
// refused because of one wording, if it was: one it cannot keep, or one
// that an entry already has.
func lessonRefusal(qs []string, places []int, err error) (int, string, bool) {
	we, ok := errors.AsType[*knowledge.WordingError](err)
	if !ok || we.Index < 0 || we.Index >= len(qs) {
		return 0, "", false
	}
	place, q := places[we.Index], qs[we.Index]
	if we.Taken != nil {
		return http.StatusConflict, wordingTaken(place, q, we.Taken), true
	}
	why := we.Problem.Msg
	if we.Problem.Kind == knowledge.FieldMissing {
		// Every word of it was a number that could identify the
		// citizen, which a lesson leaves out.
		why = "tidak tersisa kata apa pun setelah nomor yang dapat mengenali warga (telepon, NIK) dihapus"
	}
	return http.StatusUnprocessableEntity, wordingRefusal(place, q, why), true
}

type verdictRow struct {
	Question string
	Verdict  knowledge.Verdict
	// Answered is true when the bot answers; Entry is then the question
	// of the entry it answers with.
	Answered bool
	Entry    string
}

// verdictOf is how ix decides q, as "Coba bot" shows it.
func verdictOf(ix *knowledge.Index, q string) verdictRow {
	res := ix.Search(q)
	row := verdictRow{Question: q, Verdict: res.Verdict()}
	if res.Entry != nil && res.Decision == knowledge.Answer {
		row.Answered, row.Entry = true, res.Entry.Question
	}
	return row
}

type groupTryData struct {
	Rows []verdictRow
	// Answered counts the questions the bot now answers.
	Answered int
}

// unansweredTry is "Coba bot" on each question of a group: the decision,
// confidence and entry the bot would give now, as `hub kb ask` does.
func (s *Server) unansweredTry(w http.ResponseWriter, r *http.Request, sess *Session) {
	qs, problem := groupQuestions(r.URL.Query()["q"])
	if problem != "" {
		s.fail(w, r, sess, http.StatusBadRequest, problem)
		return
	}
	var d groupTryData
	for _, q := range qs {
		row := verdictOf(s.cfg.Index, q)
		if row.Answered {
			d.Answered++
		}
		d.Rows = append(d.Rows, row)
	}
	s.render(w, r, sess, http.StatusOK, "unanswered_try", view{Title: "Coba bot: kelompok pertanyaan", Nav: "unanswered", Data: d})
}

// unansweredAlternates teaches the group's wordings to an existing entry
// as its alternates (a published entry answers them at once), in one
// revision, then shows "Coba bot" on them, saying so when the entry had
// every one already. A refused wording (one another entry has, say)
// leaves the entry as it was.
func (s *Server) unansweredAlternates(w http.ResponseWriter, r *http.Request, sess *Session) {
	qs, places, status, problem, err := s.pickedWordings(r)
	if err != nil {
		s.serverError(w, r, sess, err)
		return
	}
	slug := strings.TrimSpace(r.PostFormValue("slug"))
	if slug == "" {
		slug = strings.TrimSpace(r.PostFormValue("other"))
	}
	if problem == "" && slug == "" {
		status, problem = http.StatusUnprocessableEntity, "Pilih entri yang akan diberi variasi pertanyaan ini."
	}
	if problem != "" {
		s.fail(w, r, sess, status, problem)
		return
	}
	missing := func() { s.fail(w, r, sess, http.StatusUnprocessableEntity, "Tidak ada entri dengan id "+slug+".") }
	before, err := s.cfg.Knowledge.Get(r.Context(), slug)
	if errors.Is(err, knowledge.ErrNotFound) {
		missing()
		return
	}
	if err != nil {
		s.serverError(w, r, sess, err)
		return
	}
	after, known, err := handlers.TeachGroup(r.Context(), s.cfg.Knowledge, qs, "", handlers.Lesson{AlternateOf: slug}, actor(sess))
	if status, msg, ok := lessonRefusal(qs, places, err); ok {
		s.fail(w, r, sess, status, msg)
		return
	}
	fe, isField := errors.AsType[*knowledge.FieldError](err)
	switch {
	case errors.Is(err, knowledge.ErrNotFound):
		missing()
		return
	case isField:
		s.fail(w, r, sess, http.StatusUnprocessableEntity, "Variasi tidak dapat disimpan: "+fieldLabel(fe.Field)+": "+fe.Msg)
		return
	case err != nil:
		s.serverError(w, r, sess, err)
		return
	}
	if known {
		redirect(w, r, tryGroupURL(qs), "groupknown")
		return
	}
	s.record(r, sess, "unanswered.alternates", "kb:"+slug, before.Alternates, after.Alternates)
	s.changed(r)
	if handlers.UnpublishedLessonText(after) != "" {
		redirect(w, r, tryGroupURL(qs), "taught_unpublished")
		return
	}
	redirect(w, r, tryGroupURL(qs), "taught")
}

// unansweredDraft makes a draft entry of the group, in one revision: its
// first checked wording as the question, the officer's answer, the other
// checked wordings as alternates, and the category and tags of the bot's best
// candidate when the bot is confident enough of it (handlers.LikeFor, as
// on the desks). A refused wording (one an entry already has, say)
// leaves no draft.
func (s *Server) unansweredDraft(w http.ResponseWriter, r *http.Request, sess *Session) {
	qs, places, status, problem, err := s.pickedWordings(r)
	if err != nil {
		s.serverError(w, r, sess, err)
		return
	}
	answer := strings.TrimSpace(r.PostFormValue("answer"))
	if problem == "" && answer == "" {
		status, problem = http.StatusUnprocessableEntity, "Tulis jawaban untuk entri baru."
	}
	if problem != "" {
		s.fail(w, r, sess, status, problem)
		return
	}
	lesson := handlers.Lesson{NewFAQ: true, Like: handlers.LikeFor(s.cfg.Index, qs[0])}
	e, _, err := handlers.TeachGroup(r.Context(), s.cfg.Knowledge, qs, answer, lesson, actor(sess))
	if status, msg, ok := lessonRefusal(qs, places, err); ok {
		s.fail(w, r, sess, status, msg)
		return
	}
	fe, isField := errors.AsType[*knowledge.FieldError](err)
	switch {
	case isField:
		s.fail(w, r, sess, http.StatusUnprocessableEntity, "Entri belum dapat disimpan: "+fieldLabel(fe.Field)+": "+fe.Msg)
		return
	case err != nil:
		s.serverError(w, r, sess, err)
		return
	}
	s.record(r, sess, "unanswered.draft", "kb:"+e.Slug, nil, e)
	// The draft's wordings are the group's, without the numbers that
	// could identify a citizen: its preview shows what publishing it
	// would change for them.
	redirect(w, r, previewURL(e.Slug), "drafted")
}

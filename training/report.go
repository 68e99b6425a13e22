package training

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/tebingtinggi/hub/internal/safetext"
)

// QuestionStats summarises the answers to one question.
type QuestionStats struct {
	ID   string
	Text string
	Kind QuestionKind
	// N counts the answers, skipped ones not included.
	N int
	// Mean and Dist (counts of 1…5) are set for Likert questions.
	Mean float64
	Dist [5]int
	// Options counts each option of a choice question, in template order.
	Options []OptionCount
	// Texts are the answers to a text question, sorted, so that their order
	// says nothing about who wrote them.
	Texts []string
	// Hidden, in a training's summary, says in Indonesian why the pooled
	// answers to the question are not shown (see withholdQuestions): N
	// and the figures are then zero. Empty when they are shown.
	Hidden string
}

// OptionCount is how often one option was chosen.
type OptionCount struct {
	Option string
	Count  int
}

// UnitStats compares one unit (OPD) with the others.
type UnitStats struct {
	Unit      string
	UnitName  string
	Invited   int
	Responded int
	// Means holds the unit's mean per Likert question id.
	Means map[string]float64
	// Hidden, in an anonymous round, says in Indonesian why the unit's
	// mean of a Likert question (by id) is withheld: an optional question
	// may be skipped, so a unit shown may have fewer answers to it than
	// the threshold (see guardUnitQuestions). Means lacks those ids.
	Hidden map[string]string
	// Others, in an anonymous round, is how many units too small to show
	// on their own this row pools ("OPD lainnya", Unit OtherUnits); 0 for
	// one unit's row.
	Others int
}

// OtherUnits is the Unit of the row that pools, in an anonymous round's
// comparison, the units with fewer responses than the threshold. Unit
// codes are stored upper-case, so no unit bears it.
const OtherUnits = "lainnya"

// RoundReport is what officers read about one survey round.
type RoundReport struct {
	Round Round
	// Survey is the title of the round's template ("Evaluasi Pelatihan";
	// its code when the template is gone), Session the code of its
	// session ("" for the periodic self-assessment): the rounds of one
	// training all bear its title, and these tell them apart.
	Survey, Session string
	Invited         int
	Started         int
	Responded       int
	// ResponseRate is Responded/Invited (0 when nobody was invited).
	ResponseRate float64
	// Threshold is the least group size shown for anonymous rounds.
	Threshold int
	// Suppressed is set for an anonymous round with fewer than Threshold
	// responses: Questions and Units are then empty.
	Suppressed bool
	Questions  []QuestionStats
	// Units compares units; for anonymous rounds only units with at least
	// Threshold responses appear on their own, and HiddenUnits counts the
	// others that have responses. Those are pooled in a last row
	// (Others > 0) when they have Threshold responses between them;
	// with fewer, their answers would be the difference between the
	// round's figures and the units shown, so the whole comparison is
	// withheld (UnitsWithheld, Units empty).
	Units         []UnitStats
	HiddenUnits   int
	UnitsWithheld bool
	// Pooled is how many rounds a training's summary pools (see
	// TrainingReport.Summaries); 0 in one round's report.
	Pooled int
	// HiddenResponses, in a summary, counts the responses of its
	// anonymous rounds too small to show on their own. Fewer than
	// Threshold of them would show as the difference between the summary
	// and the rounds shown, so the summary is suppressed then too.
	HiddenResponses int
}

// SuppressedByDifference reports whether a summary hides its answers
// because they would reveal, by difference with the rounds shown, the
// answers of rounds too small to show.
func (rep RoundReport) SuppressedByDifference() bool {
	return rep.Suppressed && rep.Responded >= rep.Threshold && rep.HiddenResponses > 0 && rep.HiddenResponses < rep.Threshold
}

// suppression says, in Indonesian, why a suppressed report shows no
// answers.
func (rep RoundReport) suppression() string {
	if rep.SuppressedByDifference() {
		return fmt.Sprintf("%d jawaban di antaranya berasal dari putaran yang terlalu kecil untuk ditampilkan sendiri (kurang dari %d responden), "+
			"sehingga jawaban itu dapat dihitung dari selisih ringkasan ini dengan putaran lainnya", rep.HiddenResponses, rep.Threshold)
	}
	return fmt.Sprintf("survei anonim ini baru memiliki %d responden (minimal %d)", rep.Responded, rep.Threshold)
}

// unitsWithheld says, in Indonesian, why an anonymous round's comparison
// by unit is withheld.
func (rep RoundReport) unitsWithheld() string {
	return fmt.Sprintf("%d OPD memiliki responden masing-masing kurang dari %d, dan bersama-sama pun kurang dari %d, "+
		"sehingga jawaban mereka dapat dihitung dari selisih angka keseluruhan dengan angka OPD yang ditampilkan", rep.HiddenUnits, rep.Threshold, rep.Threshold)
}

// unitsPooled says, in Indonesian, which units an anonymous round's
// comparison pools in its "OPD lainnya" row (see compareUnits).
func (rep RoundReport) unitsPooled() string {
	return fmt.Sprintf("%d OPD dengan responden masing-masing kurang dari %d digabung dalam baris \"OPD lainnya\"", rep.HiddenUnits, rep.Threshold)
}

// SessionSummary counts the enrolments of one session.
type SessionSummary struct {
	Session     Session
	Enrolled    int
	Hadir       int
	Berhalangan int
	NoRSVP      int
	Attended    int
	// Absences are the enrolments answered "Berhalangan", with the reason
	// given (empty when the person skipped it), ordered by name.
	Absences []Absence
}

// Absence is one ASN's "Berhalangan" for a session, which the bot promises
// to pass on to the organisers.
type Absence struct {
	NIP    string     `db:"nip"`
	Name   string     `db:"name"`
	Unit   string     `db:"unit_code"`
	Reason string     `db:"rsvp_reason"`
	At     *time.Time `db:"rsvp_at"`
}

// TrainingReport is what officers read about one training: its sessions
// with RSVP and attendance counts, and the reports of its survey rounds.
type TrainingReport struct {
	Training Training
	Sessions []SessionSummary
	// Totals over the sessions that take place: a cancelled session's
	// enrolments (often moved to the session replacing it) are not
	// counted; Cancelled says how many sessions were left out.
	Enrolled, Hadir, Berhalangan, NoRSVP, Attended int
	Cancelled                                      int
	Rounds                                         []RoundReport
	// Competencies compare the participants' digital self-assessment
	// before and after the training, per competency it covers.
	Competencies []CompetencyChange
	// Summaries pool the rounds of each survey over the training's
	// sessions, for a survey with two or more rounds: officers judge
	// the training, and a training run in small sessions has too few
	// answers per anonymous round to show any of them.
	Summaries []RoundReport
}

// RoundReport computes the report of one round. Only completed responses
// count.
func (s *Store) RoundReport(ctx context.Context, roundID int64) (RoundReport, error) {
	r, err := s.GetRound(ctx, roundID)
	if err != nil {
		return RoundReport{}, err
	}
	rep := RoundReport{Round: r, Threshold: s.opts.AnonymityThreshold}
	if err := s.nameRound(ctx, &rep); err != nil {
		return RoundReport{}, err
	}
	units, err := s.countRound(ctx, &rep)
	if err != nil {
		return RoundReport{}, err
	}
	if r.Anonymous && rep.Responded < rep.Threshold {
		rep.Suppressed = true
		return rep, nil
	}
	answers, err := s.completedAnswers(ctx, roundID)
	if err != nil {
		return RoundReport{}, err
	}
	rep.Questions = questionStats(r.Questions, answers)
	if r.Anonymous {
		// A skipped optional question may have fewer answers than the
		// round has respondents: the same guard per question as a
		// training's summary, with no rounds hidden inside this one.
		withholdQuestions(rep.Questions, make([]QuestionStats, len(rep.Questions)), rep.Threshold)
	}
	rep.Units, rep.HiddenUnits, rep.UnitsWithheld = compareUnits(r, rep.Threshold, units, answers)
	return rep, nil
}

// nameRound fills rep's Survey and Session.
func (s *Store) nameRound(ctx context.Context, rep *RoundReport) error {
	var titles []string
	if err := s.db.SelectContext(ctx, &titles, s.db.Rebind(`SELECT title FROM survey_templates WHERE code = ?`), rep.Round.TemplateCode); err != nil {
		return fmt.Errorf("training: unable to read a round's template: %w", err)
	}
	rep.Survey = rep.Round.TemplateCode
	if len(titles) == 1 && titles[0] != "" {
		rep.Survey = titles[0]
	}
	if rep.Round.SessionID != nil {
		if err := s.db.GetContext(ctx, &rep.Session, s.db.Rebind(`SELECT code FROM training_sessions WHERE id = ?`), *rep.Round.SessionID); err != nil {
			return fmt.Errorf("training: unable to read a round's session: %w", err)
		}
	}
	return nil
}

// RoundRate is how many of those a survey round invited have answered it.
type RoundRate struct {
	Round              Round
	Invited, Responded int
}

// Rate is Responded/Invited (0 when nobody was invited).
func (r RoundRate) Rate() float64 {
	if r.Invited == 0 {
		return 0
	}
	return float64(r.Responded) / float64(r.Invited)
}

// ResponseRates returns the response rates of the rounds open at now and
// of those closed in the week before (Round.Recent), by opening: counts
// only, which anonymous rounds show too.
func (s *Store) ResponseRates(ctx context.Context, now time.Time) ([]RoundRate, error) {
	rounds, err := s.Rounds(ctx, 0)
	if err != nil {
		return nil, err
	}
	var out []RoundRate
	for _, r := range rounds {
		if open, closed := r.Recent(now); !open && !closed {
			continue
		}
		rep := RoundReport{Round: r}
		if _, err := s.countRound(ctx, &rep); err != nil {
			return nil, err
		}
		out = append(out, RoundRate{Round: r, Invited: rep.Invited, Responded: rep.Responded})
	}
	slices.SortFunc(out, func(a, b RoundRate) int { return a.Round.OpenedAt.Compare(b.Round.OpenedAt) })
	return out, nil
}

// roundAnswer is one answer of a completed response.
type roundAnswer struct {
	Respondent string `db:"respondent"`
	Unit       string `db:"unit_code"`
	Question   string `db:"question_id"`
	Value      string `db:"value"`
}

// countRound fills the invited, started and responded counts of rep and
// returns them per unit: the unit each person belonged to when invited
// (their response is recorded under it too), not the one they are in now.
func (s *Store) countRound(ctx context.Context, rep *RoundReport) (map[string]*UnitStats, error) {
	var inv []struct {
		Unit  string `db:"unit_code"`
		Name  string `db:"name"`
		State string `db:"state"`
		N     int    `db:"n"`
	}
	if err := s.db.SelectContext(ctx, &inv, s.db.Rebind(`SELECT i.unit_code, COALESCE(u.name, '') AS name, i.state, COUNT(*) AS n
		FROM survey_invitations i LEFT JOIN opd_units u ON u.code = i.unit_code
		WHERE i.round_id = ? GROUP BY i.unit_code, u.name, i.state`), rep.Round.ID); err != nil {
		return nil, fmt.Errorf("training: unable to count invitations: %w", err)
	}
	units := map[string]*UnitStats{}
	unit := func(code, name string) *UnitStats {
		u, ok := units[code]
		if !ok {
			u = &UnitStats{Unit: code, UnitName: name, Means: map[string]float64{}}
			units[code] = u
		}
		if u.UnitName == "" {
			u.UnitName = name
		}
		return u
	}
	for _, c := range inv {
		rep.Invited += c.N
		if c.State != "invited" {
			rep.Started += c.N
		}
		unit(c.Unit, c.Name).Invited += c.N
	}
	var responded []struct {
		Unit string `db:"unit_code"`
		N    int    `db:"n"`
	}
	if err := s.db.SelectContext(ctx, &responded, s.db.Rebind(`SELECT unit_code, COUNT(*) AS n FROM survey_responses
		WHERE round_id = ? AND completed = TRUE GROUP BY unit_code`), rep.Round.ID); err != nil {
		return nil, fmt.Errorf("training: unable to count responses: %w", err)
	}
	for _, c := range responded {
		rep.Responded += c.N
		unit(c.Unit, "").Responded += c.N
	}
	if rep.Invited > 0 {
		rep.ResponseRate = float64(rep.Responded) / float64(rep.Invited)
	}
	return units, nil
}

func (s *Store) completedAnswers(ctx context.Context, roundID int64) ([]roundAnswer, error) {
	var answers []roundAnswer
	if err := s.db.SelectContext(ctx, &answers, s.db.Rebind(`SELECT a.respondent, r.unit_code, a.question_id, a.value
		FROM survey_answers a JOIN survey_responses r ON r.round_id = a.round_id AND r.respondent = a.respondent
		WHERE a.round_id = ? AND r.completed = TRUE`), roundID); err != nil {
		return nil, fmt.Errorf("training: unable to read answers: %w", err)
	}
	return answers, nil
}

// questionStats summarises the answers per question, in template order;
// skipped optional questions (empty values) are not counted.
func questionStats(questions []Question, answers []roundAnswer) []QuestionStats {
	byQuestion := map[string][]string{}
	for _, a := range answers {
		if a.Value != "" {
			byQuestion[a.Question] = append(byQuestion[a.Question], a.Value)
		}
	}
	out := make([]QuestionStats, 0, len(questions))
	for _, q := range questions {
		st := QuestionStats{ID: q.ID, Text: q.Text, Kind: q.Kind}
		vals := byQuestion[q.ID]
		switch q.Kind {
		case Likert5:
			sum := 0
			for _, v := range vals {
				n, err := strconv.Atoi(v)
				if err != nil || n < 1 || n > 5 {
					continue
				}
				st.N++
				sum += n
				st.Dist[n-1]++
			}
			if st.N > 0 {
				st.Mean = float64(sum) / float64(st.N)
			}
		case Choice:
			for _, o := range q.Options {
				st.Options = append(st.Options, OptionCount{Option: o})
			}
			for _, v := range vals {
				st.N++
				if i := slices.Index(q.Options, v); i >= 0 {
					st.Options[i].Count++
				} else {
					st.Options = append(st.Options, OptionCount{Option: v, Count: 1})
				}
			}
		case FreeText:
			st.N = len(vals)
			st.Texts = slices.Sorted(slices.Values(vals))
		}
		out = append(out, st)
	}
	return out
}

// compareUnits computes each unit's mean per Likert question, ordered by
// unit code. In an anonymous round a unit below the threshold is not shown
// on its own and is counted in hidden (when it has any response); those
// units are pooled in one last row (OtherUnits) when they have threshold
// responses between them, and otherwise the comparison is withheld:
// out is empty and withheld true, since the round's overall figures less
// the units shown would be their answers.
func compareUnits(r Round, threshold int, units map[string]*UnitStats, answers []roundAnswer) (out []UnitStats, hidden int, withheld bool) {
	type key struct{ unit, q string }
	sums := map[key][2]int{} // sum, count of Likert answers
	small := map[string]bool{}
	for code, u := range units {
		small[code] = r.Anonymous && u.Responded < threshold
	}
	others := &UnitStats{Unit: OtherUnits, Means: map[string]float64{}}
	for _, a := range answers {
		if n, err := strconv.Atoi(a.Value); err == nil {
			unit := a.Unit
			if small[unit] {
				unit = OtherUnits
			}
			k := key{unit, a.Question}
			v := sums[k]
			sums[k] = [2]int{v[0] + n, v[1] + 1}
		}
	}
	means := func(code string, u *UnitStats) {
		for _, q := range r.Questions {
			if q.Kind != Likert5 {
				continue
			}
			if v := sums[key{code, q.ID}]; v[1] > 0 {
				u.Means[q.ID] = float64(v[0]) / float64(v[1])
			}
		}
	}
	for code, u := range units {
		if small[code] {
			if u.Responded > 0 {
				hidden++
				others.Others++
				others.Invited += u.Invited
				others.Responded += u.Responded
			}
			continue
		}
		means(code, u)
		out = append(out, *u)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Unit < out[j].Unit })
	switch {
	case others.Responded == 0:
	case others.Responded < threshold:
		return nil, hidden, true
	default:
		others.UnitName = fmt.Sprintf("OPD lainnya (%d OPD digabung)", others.Others)
		means(OtherUnits, others)
		out = append(out, *others)
	}
	if r.Anonymous {
		guardUnitQuestions(r, threshold, out, func(unit, q string) int { return sums[key{unit, q}][1] })
	}
	return out, hidden, false
}

// guardUnitQuestions withholds, in an anonymous round's comparison, the
// means that rest on too few answers. Respondents may skip an optional
// question, so a unit (or the "OPD lainnya" row) with threshold
// respondents may have fewer answers to one question: its mean for it is
// withheld. As in a training's summary (see withholdQuestions), the
// round's figures for the question less the units shown would then be
// those withheld answers: when they are some but fewer than threshold
// between them, the question's mean is withheld in every unit.
func guardUnitQuestions(r Round, threshold int, units []UnitStats, answered func(unit, q string) int) {
	hide := func(u *UnitStats, q, why string) {
		delete(u.Means, q)
		if u.Hidden == nil {
			u.Hidden = map[string]string{}
		}
		u.Hidden[q] = why
	}
	for _, q := range r.Questions {
		if q.Kind != Likert5 {
			continue
		}
		few := 0
		for i := range units {
			if n := answered(units[i].Unit, q.ID); n > 0 && n < threshold {
				few += n
				hide(&units[i], q.ID, fmt.Sprintf("dijawab kurang dari %d responden (pertanyaan ini boleh dilewati)", threshold))
			}
		}
		if few == 0 || few >= threshold {
			continue
		}
		for i := range units {
			if _, ok := units[i].Means[q.ID]; ok {
				hide(&units[i], q.ID, fmt.Sprintf("di OPD lain pertanyaan ini dijawab kurang dari %d responden, "+
					"sehingga jawaban mereka dapat dihitung dari selisih angka keseluruhan dengan OPD ini", threshold))
			}
		}
	}
}

// unitHidden lists, in Indonesian, the means of an anonymous round's
// comparison withheld by guardUnitQuestions: one line per unit and
// question, in the comparison's and the template's order.
func (rep RoundReport) unitHidden() (out []struct{ Unit, Question, Why string }) {
	for _, u := range rep.Units {
		for _, q := range rep.Round.Questions {
			if why, ok := u.Hidden[q.ID]; ok {
				name := u.UnitName
				if u.Others == 0 {
					name = u.Unit
				}
				out = append(out, struct{ Unit, Question, Why string }{name, q.ID, why})
			}
		}
	}
	return out
}

// TrainingReport computes the report of one training.
func (s *Store) TrainingReport(ctx context.Context, trainingID int64) (TrainingReport, error) {
	t, err := s.GetTraining(ctx, trainingID)
	if err != nil {
		return TrainingReport{}, err
	}
	rep := TrainingReport{Training: t}
	sessions, err := s.Sessions(ctx, trainingID)
	if err != nil {
		return TrainingReport{}, err
	}
	for _, sess := range sessions {
		var c struct {
			Enrolled    int `db:"enrolled"`
			Hadir       int `db:"hadir"`
			Berhalangan int `db:"berhalangan"`
			Attended    int `db:"attended"`
		}
		if err := s.db.GetContext(ctx, &c, s.db.Rebind(`SELECT COUNT(*) AS enrolled,
				COALESCE(SUM(CASE WHEN rsvp = 'hadir' THEN 1 ELSE 0 END), 0) AS hadir,
				COALESCE(SUM(CASE WHEN rsvp = 'berhalangan' THEN 1 ELSE 0 END), 0) AS berhalangan,
				COALESCE(SUM(CASE WHEN attended = TRUE THEN 1 ELSE 0 END), 0) AS attended
			FROM enrolments WHERE session_id = ?`), sess.ID); err != nil {
			return TrainingReport{}, fmt.Errorf("training: unable to count enrolments: %w", err)
		}
		sum := SessionSummary{Session: sess, Enrolled: c.Enrolled, Hadir: c.Hadir, Berhalangan: c.Berhalangan,
			NoRSVP: c.Enrolled - c.Hadir - c.Berhalangan, Attended: c.Attended}
		if err := s.db.SelectContext(ctx, &sum.Absences, s.db.Rebind(`SELECT e.nip, a.name, a.unit_code, e.rsvp_reason, e.rsvp_at
			FROM enrolments e JOIN asn a ON a.nip = e.nip
			WHERE e.session_id = ? AND e.rsvp = 'berhalangan' ORDER BY a.name, e.nip`), sess.ID); err != nil {
			return TrainingReport{}, fmt.Errorf("training: unable to read absence reasons: %w", err)
		}
		for i := range sum.Absences {
			sum.Absences[i].At = utcPtr(sum.Absences[i].At)
		}
		rep.Sessions = append(rep.Sessions, sum)
		if sess.Status == Cancelled {
			rep.Cancelled++
		} else {
			rep.add(sum)
		}
		if rep.Rounds, err = s.appendRoundReports(ctx, rep.Rounds, sess.ID); err != nil {
			return TrainingReport{}, err
		}
	}
	if rep.Summaries, err = s.summaries(ctx, rep.Rounds); err != nil {
		return TrainingReport{}, err
	}
	if rep.Competencies, err = s.competencyChanges(ctx, t, sessions); err != nil {
		return TrainingReport{}, err
	}
	return rep, nil
}

// Summaries returns a training's summaries of its surveys pooled over its
// sessions' rounds, as its report has them (TrainingReport.Summaries),
// without reading the rest of the report (attendance, absence reasons,
// competencies): what the officers' digest scores a training by.
func (s *Store) Summaries(ctx context.Context, trainingID int64) ([]RoundReport, error) {
	sessions, err := s.Sessions(ctx, trainingID)
	if err != nil {
		return nil, err
	}
	var rounds []RoundReport
	for _, sess := range sessions {
		if rounds, err = s.appendRoundReports(ctx, rounds, sess.ID); err != nil {
			return nil, err
		}
	}
	return s.summaries(ctx, rounds)
}

// appendRoundReports appends the reports of a session's rounds to reps.
func (s *Store) appendRoundReports(ctx context.Context, reps []RoundReport, sessionID int64) ([]RoundReport, error) {
	rounds, err := s.Rounds(ctx, sessionID)
	if err != nil {
		return nil, err
	}
	for _, r := range rounds {
		rr, err := s.RoundReport(ctx, r.ID)
		if err != nil {
			return nil, err
		}
		reps = append(reps, rr)
	}
	return reps, nil
}

// CompetencyChange is how a training's participants rated themselves on
// one competency it covers in the digital self-assessment, before and
// after it.
type CompetencyChange struct {
	Competency string
	// Pairs counts the participants who rated it both in their last
	// self-assessment completed before their first session of the
	// training began and in their first completed after their last one
	// ended; only they count.
	Pairs int
	// Before and After are their mean ratings (1–5), the Dist their
	// counts of each rating.
	Before, After         float64
	BeforeDist, AfterDist [5]int
}

// competencyChanges compares, for each competency training t covers, the
// self-assessments of its participants (attendance recorded as yes, or
// else RSVP Hadir, in a session not cancelled) from before and after it.
// Anonymous self-assessment rounds join no answer to a person and are
// left out.
func (s *Store) competencyChanges(ctx context.Context, t Training, sessions []Session) ([]CompetencyChange, error) {
	comps := t.Competencies()
	if len(comps) == 0 {
		return nil, nil
	}
	type span struct{ from, to time.Time }
	took := map[string]span{}
	for _, sess := range sessions {
		if sess.Status == Cancelled {
			continue
		}
		var nips []string
		if err := s.db.SelectContext(ctx, &nips, s.db.Rebind(`SELECT nip FROM enrolments
			WHERE session_id = ? AND (attended = TRUE OR (attended IS NULL AND rsvp = 'hadir'))`), sess.ID); err != nil {
			return nil, fmt.Errorf("training: unable to list participants: %w", err)
		}
		for _, nip := range nips {
			sp, ok := took[nip]
			if !ok || sess.Start.Before(sp.from) {
				sp.from = sess.Start
			}
			if !ok || sess.End.After(sp.to) {
				sp.to = sess.End
			}
			took[nip] = sp
		}
	}
	var answers []struct {
		NIP      string    `db:"nip"`
		At       time.Time `db:"completed_at"`
		Question string    `db:"question_id"`
		Value    string    `db:"value"`
	}
	if err := s.db.SelectContext(ctx, &answers, s.db.Rebind(`SELECT i.nip, i.completed_at, a.question_id, a.value
		FROM survey_invitations i
		JOIN survey_rounds r ON r.id = i.round_id
		JOIN survey_answers a ON a.round_id = i.round_id AND a.respondent = i.nip
		WHERE r.template_code = ? AND r.anonymous = FALSE AND i.state = 'completed' AND i.completed_at IS NOT NULL`), TemplateCompetency); err != nil {
		return nil, fmt.Errorf("training: unable to read self-assessments: %w", err)
	}
	// before and after hold each participant's ratings from their
	// self-assessment closest before and closest after the training.
	type rated struct {
		at     time.Time
		values map[string]int
	}
	before, after := map[string]*rated{}, map[string]*rated{}
	// pick files rating v of question q, from the response nip completed
	// at, under m when that response is the one m keeps for nip: closer
	// tells whether it is closer to the training than the one m holds.
	pick := func(m map[string]*rated, nip string, at time.Time, closer func(time.Time) bool, q string, v int) {
		r := m[nip]
		switch {
		case r == nil || closer(r.at):
			r = &rated{at: at, values: map[string]int{}}
			m[nip] = r
		case !at.Equal(r.at):
			return // a response further from the training
		}
		r.values[q] = v
	}
	for _, a := range answers {
		sp, ok := took[a.NIP]
		v, err := strconv.Atoi(a.Value)
		if !ok || err != nil || v < 1 || v > 5 {
			continue
		}
		switch at := a.At.UTC(); {
		case !at.After(sp.from):
			pick(before, a.NIP, at, at.After, a.Question, v)
		case !at.Before(sp.to):
			pick(after, a.NIP, at, at.Before, a.Question, v)
		}
	}
	out := make([]CompetencyChange, 0, len(comps))
	for _, c := range comps {
		ch := CompetencyChange{Competency: c}
		sumB, sumA := 0, 0
		for nip, b := range before {
			f := after[nip]
			vb, okB := b.values[c]
			if f == nil || !okB {
				continue
			}
			va, okA := f.values[c]
			if !okA {
				continue
			}
			ch.Pairs++
			sumB += vb
			sumA += va
			ch.BeforeDist[vb-1]++
			ch.AfterDist[va-1]++
		}
		if ch.Pairs > 0 {
			ch.Before = float64(sumB) / float64(ch.Pairs)
			ch.After = float64(sumA) / float64(ch.Pairs)
		}
		out = append(out, ch)
	}
	return out, nil
}

// summaries pools, per survey template, the completed responses of a
// training's rounds, in the order the rounds come, for each template with
// two or more rounds, leaving out rounds taken back (Round.Retracted). A question keeps the wording of the first round
// that asked it. A summary with anonymous rounds shows no answers below
// the threshold, nor when its rounds too small to show on their own have
// fewer responses than the threshold (see RoundReport.HiddenResponses);
// nor, question by question, answers that would show a smaller group
// (see withholdQuestions).
func (s *Store) summaries(ctx context.Context, rounds []RoundReport) ([]RoundReport, error) {
	var order []string
	groups := map[string][]RoundReport{}
	for _, r := range rounds {
		if r.Round.Retracted {
			continue // answered before the session took place
		}
		code := r.Round.TemplateCode
		if _, ok := groups[code]; !ok {
			order = append(order, code)
		}
		groups[code] = append(groups[code], r)
	}
	var out []RoundReport
	for _, code := range order {
		g := groups[code]
		if len(g) < 2 {
			continue
		}
		sum := RoundReport{Round: Round{TemplateCode: code, Title: g[0].Round.Title, Status: RoundClosed},
			Survey: g[0].Survey, Threshold: s.opts.AnonymityThreshold, Pooled: len(g)}
		asked := map[string]bool{}
		for _, r := range g {
			sum.Invited += r.Invited
			sum.Started += r.Started
			sum.Responded += r.Responded
			if r.Round.Anonymous {
				sum.Round.Anonymous = true
				if r.Suppressed {
					sum.HiddenResponses += r.Responded
				}
			}
			if r.Round.Status == RoundOpen {
				sum.Round.Status = RoundOpen
			}
			for _, q := range r.Round.Questions {
				if !asked[q.ID] {
					asked[q.ID] = true
					sum.Round.Questions = append(sum.Round.Questions, q)
				}
			}
		}
		if sum.Invited > 0 {
			sum.ResponseRate = float64(sum.Responded) / float64(sum.Invited)
		}
		if sum.Round.Anonymous && (sum.Responded < sum.Threshold || (sum.HiddenResponses > 0 && sum.HiddenResponses < sum.Threshold)) {
			sum.Suppressed = true
			out = append(out, sum)
			continue
		}
		var answers, hidden []roundAnswer
		for _, r := range g {
			a, err := s.completedAnswers(ctx, r.Round.ID)
			if err != nil {
				return nil, err
			}
			answers = append(answers, a...)
			if r.Suppressed {
				hidden = append(hidden, a...)
			}
		}
		sum.Questions = questionStats(sum.Round.Questions, answers)
		if sum.Round.Anonymous {
			withholdQuestions(sum.Questions, questionStats(sum.Round.Questions, hidden), sum.Threshold)
		}
		out = append(out, sum)
	}
	return out, nil
}

// withholdQuestions hides, in a summary with anonymous rounds, the pooled
// answers to each question that would show a group smaller than
// threshold; hidden holds the same questions' stats over the answers of
// the rounds too small to show on their own.
//
// The summary's rounds do not all ask the same questions (a round copies
// its template's questions when it opens, and templates change between
// sessions), and an optional question is skipped by some, so counting
// responses per round is not enough: the guard is per question. Every
// round shown on its own shows its answers to the question, so the
// pooled figures minus those of the rounds shown are exactly the hidden
// rounds' answers to it. A question is therefore hidden when
//   - fewer than threshold answered it in all, or
//   - some, but fewer than threshold, of its answers come from hidden
//     rounds: they would show as that difference.
//
// Otherwise the difference is a group of at least threshold answers, as
// large as a round may show, or nothing at all. A hidden question keeps
// its ID, Text and Kind, with N zero and no figures, so that a reader
// sees it was asked and why its answers are not shown; the reason names
// no count from the hidden rounds.
func withholdQuestions(pooled, hidden []QuestionStats, threshold int) {
	for i, q := range pooled {
		var why string
		switch h := hidden[i].N; {
		case q.N < threshold:
			why = fmt.Sprintf("disembunyikan: terlalu sedikit jawaban untuk menjaga kerahasiaan (kurang dari %d)", threshold)
		case h > 0 && h < threshold:
			why = fmt.Sprintf("disembunyikan: sebagian jawabannya berasal dari putaran yang terlalu kecil untuk ditampilkan sendiri "+
				"(kurang dari %d jawaban), sehingga jawaban itu dapat dihitung dari selisih ringkasan ini dengan putaran lainnya", threshold)
		default:
			continue
		}
		pooled[i] = QuestionStats{ID: q.ID, Text: q.Text, Kind: q.Kind, Hidden: why}
	}
}

// add counts a session's enrolments in the totals.
func (rep *TrainingReport) add(sum SessionSummary) {
	rep.Enrolled += sum.Enrolled
	rep.Hadir += sum.Hadir
	rep.Berhalangan += sum.Berhalangan
	rep.NoRSVP += sum.NoRSVP
	rep.Attended += sum.Attended
}

func pct(f float64) string { return strconv.FormatFloat(f*100, 'f', 0, 64) + "%" }

func dec(f float64) string { return strings.Replace(strconv.FormatFloat(f, 'f', 2, 64), ".", ",", 1) }

// WriteText writes the report for a terminal (hub report survey ROUND), in
// Indonesian.
func (rep RoundReport) WriteText(w io.Writer) error {
	ew := &errWriter{w: w}
	r := rep.Round
	status := "dibuka"
	if r.Status == RoundClosed {
		status = "ditutup"
	}
	session := ""
	if rep.Session != "" {
		session = ", sesi " + rep.Session
	}
	if rep.Pooled > 0 {
		ew.printf("Ringkasan seluruh sesi: %s, %d putaran (templat %s)\n", rep.Survey, rep.Pooled, r.TemplateCode)
	} else {
		ew.printf("Survei: %s (putaran %d, templat %s%s, %s)\n", r.Title, r.ID, r.TemplateCode, session, status)
		ew.printf("Periode: %s s.d. %s\n", FormatWIB(r.OpenedAt), FormatWIB(r.ClosesAt))
	}
	if r.Anonymous {
		ew.printf("Anonim: ya (kelompok di bawah %d responden tidak ditampilkan)\n", rep.Threshold)
	}
	rate := "–" // nobody invited: no rate
	if rep.Invited > 0 {
		rate = pct(rep.ResponseRate)
	}
	ew.printf("Diundang: %d, mulai mengisi: %d, selesai: %d, tingkat respons: %s\n", rep.Invited, rep.Started, rep.Responded, rate)
	if rep.Suppressed {
		ew.printf("\nJawaban tidak ditampilkan: %s.\n", rep.suppression())
		return ew.err
	}
	for i, q := range rep.Questions {
		ew.printf("\n%d. %s\n", i+1, q.Text)
		if q.Hidden != "" {
			ew.printf("   %s\n", q.Hidden)
			continue
		}
		switch q.Kind {
		case Likert5:
			if q.N == 0 {
				ew.printf("   belum ada jawaban\n")
				continue
			}
			ew.printf("   rata-rata %s dari %d jawaban; sebaran 1–5: %d / %d / %d / %d / %d\n", dec(q.Mean), q.N, q.Dist[0], q.Dist[1], q.Dist[2], q.Dist[3], q.Dist[4])
		case Choice:
			for _, o := range q.Options {
				ew.printf("   %-40s %d\n", o.Option, o.Count)
			}
		case FreeText:
			if len(q.Texts) == 0 {
				ew.printf("   belum ada jawaban\n")
			}
			for _, t := range q.Texts {
				ew.printf("   - %s\n", strings.ReplaceAll(t, "\n", " "))
			}
		}
	}
	if len(rep.Units) > 0 {
		ew.printf("\nPerbandingan per OPD (rata-rata pertanyaan skala 1–5):\n")
		tw := tabwriter.NewWriter(ew, 0, 4, 2, ' ', 0)
		var head []string
		for _, q := range rep.Questions {
			if q.Kind == Likert5 {
				head = append(head, q.ID)
			}
		}
		fmt.Fprintf(tw, "OPD\tdiundang\tselesai\t%s\n", strings.Join(head, "\t"))
		for _, u := range rep.Units {
			cells := make([]string, 0, len(head))
			for _, id := range head {
				if m, ok := u.Means[id]; ok {
					cells = append(cells, dec(m))
				} else {
					cells = append(cells, "–")
				}
			}
			fmt.Fprintf(tw, "%s\t%d\t%d\t%s\n", u.Unit, u.Invited, u.Responded, strings.Join(cells, "\t"))
		}
		if err := tw.Flush(); err != nil && ew.err == nil {
			ew.err = err
		}
	}
	for _, h := range rep.unitHidden() {
		ew.printf("Rata-rata %s untuk %s tidak ditampilkan: %s.\n", h.Question, h.Unit, h.Why)
	}
	switch {
	case rep.UnitsWithheld:
		ew.printf("\nPerbandingan per OPD tidak ditampilkan: %s.\n", rep.unitsWithheld())
	case rep.HiddenUnits > 0:
		ew.printf("%s.\n", rep.unitsPooled())
	}
	return ew.err
}

// WriteText writes the report for a terminal (hub report training ID), in
// Indonesian.
func (rep TrainingReport) WriteText(w io.Writer) error {
	ew := &errWriter{w: w}
	t := rep.Training
	ew.printf("Pelatihan: %s [%s]\n", t.Title, t.Code)
	ew.printf("Kompetensi: %s · %d JP · Penyelenggara: %s\n", orDash(t.Competency), t.Hours, orDash(t.Provider))
	ew.printf("Peserta: %d terdaftar; konfirmasi hadir %d, berhalangan %d, belum menjawab %d; tercatat hadir %d",
		rep.Enrolled, rep.Hadir, rep.Berhalangan, rep.NoRSVP, rep.Attended)
	if rep.Cancelled > 0 {
		ew.printf(" (sesi yang dibatalkan tidak dihitung)")
	}
	ew.printf("\n\n")
	tw := tabwriter.NewWriter(ew, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "Sesi\tWaktu\tStatus\tPeserta\tHadir\tBerhalangan\tBelum\tTercatat hadir\n")
	for _, s := range rep.Sessions {
		st := "terjadwal"
		if s.Session.Status == Cancelled {
			st = "dibatalkan"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\n", s.Session.Code, FormatWIB(s.Session.Start), st,
			s.Enrolled, s.Hadir, s.Berhalangan, s.NoRSVP, s.Attended)
	}
	if err := tw.Flush(); err != nil && ew.err == nil {
		ew.err = err
	}
	rep.writeAbsences(ew)
	if len(rep.Sessions) == 0 {
		ew.printf("\nBelum ada sesi untuk pelatihan ini.\n")
	}
	rep.writeCompetencies(ew)
	for _, r := range rep.Summaries {
		ew.printf("\n")
		if err := r.WriteText(ew); err != nil && ew.err == nil {
			ew.err = err
		}
	}
	for _, r := range rep.Rounds {
		ew.printf("\n")
		if err := r.WriteText(ew); err != nil && ew.err == nil {
			ew.err = err
		}
	}
	return ew.err
}

// writeCompetencies compares the participants' self-assessment before
// and after the training.
func (rep TrainingReport) writeCompetencies(ew *errWriter) {
	if len(rep.Competencies) == 0 {
		return
	}
	var ids []string
	pairs := 0
	for _, c := range rep.Competencies {
		ids = append(ids, c.Competency)
		pairs += c.Pairs
	}
	if pairs == 0 {
		ew.printf("\nPenilaian mandiri kompetensi digital peserta (%s): belum ada peserta yang mengisinya sebelum dan sesudah pelatihan.\n",
			strings.Join(ids, ", "))
		return
	}
	ew.printf("\nPenilaian mandiri kompetensi digital peserta, sebelum → sesudah pelatihan (rata-rata skala 1–5 dari peserta yang mengisi keduanya):\n")
	tw := tabwriter.NewWriter(ew, 0, 4, 2, ' ', 0)
	for _, c := range rep.Competencies {
		if c.Pairs == 0 {
			fmt.Fprintf(tw, "  %s\tbelum ada peserta yang mengisi keduanya\n", c.Competency)
			continue
		}
		diff := c.After - c.Before
		sign := "+"
		if diff < 0 {
			sign, diff = "−", -diff
		}
		fmt.Fprintf(tw, "  %s\t%s → %s\t(%s%s; %d peserta)\n", c.Competency, dec(c.Before), dec(c.After), sign, dec(diff), c.Pairs)
	}
	if err := tw.Flush(); err != nil && ew.err == nil {
		ew.err = err
	}
}

// writeAbsences lists the reasons given for "Berhalangan", per session.
func (rep TrainingReport) writeAbsences(ew *errWriter) {
	if rep.Berhalangan == 0 {
		return
	}
	ew.printf("\nAlasan berhalangan:\n")
	for _, s := range rep.Sessions {
		for _, a := range s.Absences {
			reason := "(tidak memberi alasan)"
			if a.Reason != "" {
				reason = strings.ReplaceAll(a.Reason, "\n", " ")
			}
			ew.printf("  %s  %s (%s): %s\n", s.Session.Code, a.Name, a.Unit, reason)
		}
	}
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

// CSVColumns is the header of a report's CSV export. What each column
// holds depends on the row's scope; README.md describes every scope.
var CSVColumns = []string{"round", "scope", "unit", "question_id", "question", "kind", "n", "mean", "n1", "n2", "n3", "n4", "n5", "detail", "count"}

// csvRow is one row of CSVColumns, by name, so that each scope fills in
// only what it means.
type csvRow struct {
	round, scope, unit, questionID, question, kind, n, mean string
	dist                                                    [5]string
	detail, count                                           string
}

func (r csvRow) cells() []string {
	return []string{r.round, r.scope, r.unit, r.questionID, r.question, r.kind, r.n, r.mean,
		r.dist[0], r.dist[1], r.dist[2], r.dist[3], r.dist[4], r.detail, r.count}
}

func ratio(f float64) string { return strconv.FormatFloat(f, 'f', 3, 64) }

// WriteCSV writes the report as CSV (header CSVColumns): a "round" row with
// the counts, then one "total" row per question, a row per option or
// free-text answer, and one "unit" row per unit and Likert question. What
// an anonymous round hides below its threshold is a "hidden" row saying
// what and why, so that a CSV never looks empty by accident.
func (rep RoundReport) WriteCSV(w io.Writer) error {
	return writeCSV(w, rep.csvRows())
}

// writeRecords writes CSV records with their cells escaped, so that
// names and answers never become spreadsheet formulas.
func writeRecords(w io.Writer, rows [][]string) error {
	cw := safetext.NewCSVWriter(w)
	for _, r := range rows {
		if err := cw.Write(r); err != nil {
			return fmt.Errorf("training: unable to write CSV: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("training: unable to write CSV: %w", err)
	}
	return nil
}

func writeCSV(w io.Writer, rows []csvRow) error {
	records := make([][]string, 0, len(rows)+1)
	records = append(records, CSVColumns)
	for _, r := range rows {
		records = append(records, r.cells())
	}
	return writeRecords(w, records)
}

func (rep RoundReport) csvRows() []csvRow {
	id := strconv.FormatInt(rep.Round.ID, 10)
	rows := []csvRow{{round: id, scope: "round", question: rep.Round.Title, kind: rep.Round.TemplateCode,
		n: strconv.Itoa(rep.Invited), dist: [5]string{strconv.Itoa(rep.Started), strconv.Itoa(rep.Responded)}}}
	if rep.Invited > 0 { // nobody invited: no rate, not 0
		rows[0].mean = ratio(rep.ResponseRate)
	}
	if rep.Suppressed {
		return append(rows, csvRow{round: id, scope: "hidden", n: strconv.Itoa(rep.Responded), count: strconv.Itoa(rep.Threshold),
			detail: "semua jawaban disembunyikan: " + rep.suppression()})
	}
	for _, q := range rep.Questions {
		if q.Hidden != "" {
			rows = append(rows, csvRow{round: id, scope: "hidden", questionID: q.ID, question: q.Text, kind: string(q.Kind),
				count: strconv.Itoa(rep.Threshold), detail: q.Hidden})
			continue
		}
		row := csvRow{round: id, scope: "total", questionID: q.ID, question: q.Text, kind: string(q.Kind), n: strconv.Itoa(q.N)}
		if q.Kind == Likert5 {
			if q.N > 0 { // no answers have no mean: empty, not 0
				row.mean = ratio(q.Mean)
			}
			for i, c := range q.Dist {
				row.dist[i] = strconv.Itoa(c)
			}
		}
		rows = append(rows, row)
		for _, o := range q.Options {
			rows = append(rows, csvRow{round: id, scope: "option", questionID: q.ID, question: q.Text, kind: string(q.Kind), detail: o.Option, count: strconv.Itoa(o.Count)})
		}
		for _, t := range q.Texts {
			rows = append(rows, csvRow{round: id, scope: "text", questionID: q.ID, question: q.Text, kind: string(q.Kind), detail: t, count: "1"})
		}
	}
	for _, u := range rep.Units {
		for _, q := range rep.Questions {
			if m, ok := u.Means[q.ID]; ok {
				rows = append(rows, csvRow{round: id, scope: "unit", unit: u.Unit, questionID: q.ID, question: q.Text, kind: string(q.Kind),
					n: strconv.Itoa(u.Responded), mean: ratio(m)})
			}
		}
	}
	for _, u := range rep.Units {
		for _, q := range rep.Questions {
			if why, ok := u.Hidden[q.ID]; ok {
				rows = append(rows, csvRow{round: id, scope: "hidden", unit: u.Unit, questionID: q.ID, question: q.Text, kind: string(q.Kind),
					count: strconv.Itoa(rep.Threshold), detail: "rata-rata OPD disembunyikan: " + why})
			}
		}
	}
	switch {
	case rep.UnitsWithheld:
		rows = append(rows, csvRow{round: id, scope: "hidden", n: strconv.Itoa(rep.HiddenUnits), count: strconv.Itoa(rep.Threshold),
			detail: "perbandingan per OPD disembunyikan: " + rep.unitsWithheld()})
	case rep.HiddenUnits > 0:
		rows = append(rows, csvRow{round: id, scope: "hidden", n: strconv.Itoa(rep.HiddenUnits), count: strconv.Itoa(rep.Threshold),
			detail: rep.unitsPooled()})
	}
	return rows
}

// WriteCSV writes the training's sessions and survey rounds: one "session"
// row per session (detail: the session code; kind: dijadwalkan or
// dibatalkan; n: enrolled; n1…n4: hadir, berhalangan, no RSVP, attended), one "berhalangan" row per absence with
// its reason, then each round as RoundReport.WriteCSV does.
func (rep TrainingReport) WriteCSV(w io.Writer) error {
	var rows []csvRow
	for _, s := range rep.Sessions {
		status := "dijadwalkan"
		if s.Session.Status == Cancelled {
			status = "dibatalkan"
		}
		rows = append(rows, csvRow{scope: "session", question: rep.Training.Title, kind: status, n: strconv.Itoa(s.Enrolled),
			dist:   [5]string{strconv.Itoa(s.Hadir), strconv.Itoa(s.Berhalangan), strconv.Itoa(s.NoRSVP), strconv.Itoa(s.Attended)},
			detail: s.Session.Code})
	}
	for _, s := range rep.Sessions {
		for _, a := range s.Absences {
			rows = append(rows, csvRow{scope: "berhalangan", unit: a.Unit, questionID: s.Session.Code, question: a.Name, detail: a.Reason, count: "1"})
		}
	}
	for _, c := range rep.Competencies {
		if c.Pairs == 0 {
			continue
		}
		for _, x := range []struct {
			scope string
			mean  float64
			dist  [5]int
		}{{"before", c.Before, c.BeforeDist}, {"after", c.After, c.AfterDist}} {
			row := csvRow{scope: x.scope, questionID: c.Competency, kind: string(Likert5), n: strconv.Itoa(c.Pairs), mean: ratio(x.mean)}
			for i, n := range x.dist {
				row.dist[i] = strconv.Itoa(n)
			}
			rows = append(rows, row)
		}
	}
	for _, r := range rep.Rounds {
		rows = append(rows, r.csvRows()...)
	}
	for _, sum := range rep.Summaries {
		for _, row := range sum.csvRows() {
			row.round = ""
			if row.scope == "round" {
				row.scope, row.count = "training", strconv.Itoa(sum.Pooled)
			} else {
				row.scope = "training_" + row.scope
			}
			rows = append(rows, row)
		}
	}
	return writeCSV(w, rows)
}

// errWriter remembers the first write error so that report rendering can
// check once at the end.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}

func (e *errWriter) printf(format string, args ...any) { fmt.Fprintf(e, format, args...) }

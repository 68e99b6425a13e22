package training

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/storage"
)

// The survey engine runs a round inside the chat, one question at a time.
// Its state is nothing but the answers stored so far: the current question
// is the first one without an answer, so a person can stop at any point and
// resume later (from a nudge, or from the invitation's button) on any of
// their linked platforms.
//
// Buttons carry "sv:<round>:start" (start or resume) and
// "sv:<round>:<question>:<value>": the value is 1–5 for a Likert question,
// the option's number for a choice, and "-" for "Lewati" on an optional
// question. Typed text answers the current question when it is a text
// question; anything else gets ErrNeedButton with a polite hint.

// skipValue is the button value of "Lewati".
const skipValue = "-"

// Step is where a person stands in a survey after an action.
type Step struct {
	// Out is the next question, or the thanks when Done. It has no
	// Platform or ChatID: the caller replies in the chat it is serving.
	Out bots.Outgoing
	// QuestionID is the question Out asks ("" when Done).
	QuestionID string
	// Answered and Total count the questions.
	Answered, Total int
	Done            bool
}

// SurveyPress is the meaning of a survey button.
type SurveyPress struct {
	RoundID int64
	// Start is true for "Mulai survei"/"Lanjutkan survei".
	Start      bool
	QuestionID string
	Value      string
}

// Skips reports whether p is the press of "Lewati", which only an optional
// question offers: a caller that finds a question's skip button by this,
// not by its label, keeps finding it whatever the label says.
func (p SurveyPress) Skips() bool {
	return !p.Start && p.Value == skipValue
}

// ParseSurveyButton reads the data of a survey button; ok is false for any
// other data.
func ParseSurveyButton(data string) (SurveyPress, bool) {
	rest, found := strings.CutPrefix(data, "sv:")
	if !found {
		return SurveyPress{}, false
	}
	parts := strings.Split(rest, ":")
	id, err := strconv.ParseInt(parts[0], 10, 64)
	if err != nil || id <= 0 {
		return SurveyPress{}, false
	}
	switch {
	case len(parts) == 2 && parts[1] == "start":
		return SurveyPress{RoundID: id, Start: true}, true
	case len(parts) == 3 && questionIDPattern.MatchString(parts[1]) && parts[2] != "":
		return SurveyPress{RoundID: id, QuestionID: parts[1], Value: parts[2]}, true
	}
	return SurveyPress{}, false
}

func answerData(roundID int64, qid, value string) string {
	return "sv:" + strconv.FormatInt(roundID, 10) + ":" + qid + ":" + value
}

// invitation is a person's invitation to a round.
type invitation struct {
	State string  `db:"state"`
	Token *string `db:"token"`
	// Unit is the person's unit when they were invited.
	Unit string `db:"unit_code"`
}

// respondentState loads what an action on (round, nip) needs and checks
// that the person may act: the round exists and was not taken back
// (ErrNotFound) and is open
// (ErrRoundClosed), the person was invited (ErrNotYours) and has not
// completed it (ErrAlreadyDone).
func (s *Store) respondentState(ctx context.Context, tx *sqlx.Tx, roundID int64, nip string, now time.Time) (Round, invitation, error) {
	r, err := getRound(ctx, tx, s.db.Rebind, roundID)
	if err != nil {
		return Round{}, invitation{}, err
	}
	if r.Retracted {
		// Taken back as its session moved or was cancelled: gone, as a
		// round deleted then is, whatever the person did in it.
		return Round{}, invitation{}, ErrNotFound
	}
	// The invitation is locked until the transaction ends: a press on the
	// person's other platform at the same moment waits, and then sees the
	// response as this one left it (completed, say), rather than changing
	// an answer of a completed response.
	var inv invitation
	err = tx.GetContext(ctx, &inv, s.db.Rebind(`SELECT state, token, unit_code FROM survey_invitations WHERE round_id = ? AND nip = ?`+s.forUpdate()), roundID, nip)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return Round{}, invitation{}, s.notInvited(ctx, tx, r, nip)
	case err != nil:
		return Round{}, invitation{}, fmt.Errorf("training: unable to fetch survey invitation: %w", err)
	case inv.State == "completed":
		return Round{}, invitation{}, ErrAlreadyDone
	case !r.acceptsAnswers(now):
		return Round{}, invitation{}, ErrRoundClosed
	}
	return r, inv, nil
}

// notInvited says why nip has no invitation to r: ErrNotAttended when r
// follows a session whose attendance records them as absent,
// ErrNotEnrolled when they are no longer enrolled in it and had an
// invitation (withdrawn, see withdrawAbsent), else ErrNotYours.
func (s *Store) notInvited(ctx context.Context, tx *sqlx.Tx, r Round, nip string) error {
	if r.SessionID == nil {
		return ErrNotYours
	}
	var st struct {
		Enrolled  int `db:"enrolled"`
		Absent    int `db:"absent"`
		Withdrawn int `db:"withdrawn"`
	}
	if err := tx.GetContext(ctx, &st, s.db.Rebind(`SELECT
			(SELECT COUNT(*) FROM enrolments WHERE session_id = ? AND nip = ?) AS enrolled,
			(SELECT COUNT(*) FROM enrolments WHERE session_id = ? AND nip = ? AND attended = FALSE) AS absent,
			(SELECT COUNT(*) FROM survey_withdrawals WHERE round_id = ? AND nip = ?) AS withdrawn`),
		*r.SessionID, nip, *r.SessionID, nip, r.ID, nip); err != nil {
		return fmt.Errorf("training: unable to read attendance: %w", err)
	}
	switch {
	case st.Absent > 0:
		return ErrNotAttended
	case st.Enrolled == 0 && st.Withdrawn > 0:
		return ErrNotEnrolled
	}
	return ErrNotYours
}

// withdrawAbsent takes out of the rounds of a session (post-training,
// follow-up) the invitations of people who no longer qualify for them:
// their attendance was recorded as "tidak", or they were taken off the
// session, after the round invited them on their RSVP. Their unfinished
// responses go too, so that no nudge reaches them and response rates count
// only attendees; a completed response stays (it counts, and an anonymous
// one cannot be found again). Attendance corrected back makes them late
// comers, invited again (InviteLateComers).
func (s *Store) withdrawAbsent(ctx context.Context, tx *sqlx.Tx, sessionID int64) error {
	var gone []struct {
		RoundID   int64   `db:"round_id"`
		NIP       string  `db:"nip"`
		Anonymous bool    `db:"anonymous"`
		Token     *string `db:"token"`
	}
	if err := tx.SelectContext(ctx, &gone, s.db.Rebind(`SELECT i.round_id, i.nip, r.anonymous, i.token
		FROM survey_invitations i JOIN survey_rounds r ON r.id = i.round_id
		WHERE r.session_id = ? AND i.state <> 'completed'
			AND NOT EXISTS (SELECT 1 FROM enrolments e WHERE e.session_id = r.session_id AND e.nip = i.nip
				AND (e.attended = TRUE OR (e.attended IS NULL AND e.rsvp = 'hadir')))`), sessionID); err != nil {
		return fmt.Errorf("training: unable to find invitations of absent people: %w", err)
	}
	for _, g := range gone {
		respondent := g.NIP
		if g.Anonymous {
			respondent = ""
			if g.Token != nil {
				respondent = *g.Token
			}
		}
		stmts := []string{
			`DELETE FROM survey_answers WHERE round_id = ? AND respondent = ?`,
			`DELETE FROM survey_responses WHERE round_id = ? AND respondent = ? AND completed = FALSE`,
		}
		if respondent == "" {
			stmts = nil // an anonymous response whose token is gone: nothing joins it to the person
		}
		for _, stmt := range stmts {
			if _, err := tx.ExecContext(ctx, s.db.Rebind(stmt), g.RoundID, respondent); err != nil {
				return fmt.Errorf("training: unable to drop an absent person's unfinished response: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, s.db.Rebind(`DELETE FROM survey_invitations WHERE round_id = ? AND nip = ? AND state <> 'completed'`),
			g.RoundID, g.NIP); err != nil {
			return fmt.Errorf("training: unable to withdraw an absent person's invitation: %w", err)
		}
		if _, err := tx.ExecContext(ctx, s.db.Rebind(`INSERT INTO survey_withdrawals (round_id, nip, withdrawn_at) VALUES (?, ?, ?)
			ON CONFLICT (round_id, nip) DO UPDATE SET withdrawn_at = excluded.withdrawn_at`), g.RoundID, g.NIP, utc(s.now())); err != nil {
			return fmt.Errorf("training: unable to record a withdrawn invitation: %w", err)
		}
	}
	return nil
}

// begin makes sure the person has a response row and returns its
// respondent key: the NIP, or for anonymous rounds a random token kept on
// the invitation only until the response is complete.
func (s *Store) begin(ctx context.Context, tx *sqlx.Tx, r Round, inv invitation, nip string, now time.Time) (string, error) {
	if inv.State == "started" {
		if !r.Anonymous {
			return nip, nil
		}
		if inv.Token != nil {
			return *inv.Token, nil
		}
		return "", fmt.Errorf("training: unable to resume survey: anonymous response has no token")
	}
	respondent, startedAt := nip, &now
	var token *string
	if r.Anonymous {
		t := randomToken(16)
		respondent, token, startedAt = t, &t, nil
	}
	// The response counts under the unit the person was invited in, as
	// the invitation does, though they have moved since.
	if _, err := tx.ExecContext(ctx, s.db.Rebind(`INSERT INTO survey_responses (round_id, respondent, unit_code, completed) VALUES (?, ?, ?, FALSE)`),
		r.ID, respondent, inv.Unit); err != nil {
		return "", fmt.Errorf("training: unable to start survey response: %w", err)
	}
	res, err := tx.ExecContext(ctx, s.db.Rebind(`UPDATE survey_invitations SET state = 'started', started_at = ?, token = ?
		WHERE round_id = ? AND nip = ? AND state = 'invited'`), startedAt, token, r.ID, nip)
	if err != nil {
		return "", fmt.Errorf("training: unable to start survey response: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return "", fmt.Errorf("training: unable to start survey response: started concurrently")
	}
	return respondent, nil
}

// answered returns the question ids the respondent has answered.
func (s *Store) answered(ctx context.Context, tx *sqlx.Tx, roundID int64, respondent string) (map[string]bool, error) {
	var ids []string
	if err := tx.SelectContext(ctx, &ids, s.db.Rebind(`SELECT question_id FROM survey_answers WHERE round_id = ? AND respondent = ?`), roundID, respondent); err != nil {
		return nil, fmt.Errorf("training: unable to read survey answers: %w", err)
	}
	out := make(map[string]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}

// Start begins or resumes a person's response to a round and returns the
// first unanswered question. It fails with ErrNotYours when the person was
// not invited, ErrRoundClosed, or ErrAlreadyDone.
func (s *Store) Start(ctx context.Context, tx *sqlx.Tx, roundID int64, nip string, now time.Time) (Step, error) {
	now = utc(now)
	r, inv, err := s.respondentState(ctx, tx, roundID, nip, now)
	if err != nil {
		return Step{}, err
	}
	respondent, err := s.begin(ctx, tx, r, inv, nip, now)
	if err != nil {
		return Step{}, err
	}
	done, err := s.answered(ctx, tx, roundID, respondent)
	if err != nil {
		return Step{}, err
	}
	if err := s.touchStep(ctx, tx, roundID, nip, now); err != nil {
		return Step{}, err
	}
	return s.step(r, done, inv.State == "invited"), nil
}

// touchStep records that the person just took a step of the survey, for
// ActiveSurvey.
func (s *Store) touchStep(ctx context.Context, tx *sqlx.Tx, roundID int64, nip string, now time.Time) error {
	if _, err := tx.ExecContext(ctx, s.db.Rebind(`UPDATE survey_invitations SET last_step_at = ? WHERE round_id = ? AND nip = ?`),
		now, roundID, nip); err != nil {
		return fmt.Errorf("training: unable to record survey step: %w", err)
	}
	return nil
}

// Next returns the person's current question without changing anything;
// before Start it returns the round's introduction with a start button.
func (s *Store) Next(ctx context.Context, tx *sqlx.Tx, roundID int64, nip string, now time.Time) (Step, error) {
	now = utc(now)
	r, inv, err := s.respondentState(ctx, tx, roundID, nip, now)
	if err != nil {
		return Step{}, err
	}
	if inv.State == "invited" {
		return Step{Total: len(r.Questions), Out: bots.Outgoing{
			Text:    fmt.Sprintf("Survei \"%s\": %d pertanyaan. Tekan tombol di bawah untuk mulai.", r.Title, len(r.Questions)),
			Buttons: [][]bots.Button{{{Text: "Mulai survei", Data: StartButtonData(r.ID)}}},
		}}, nil
	}
	respondent := nip
	if r.Anonymous && inv.Token != nil {
		respondent = *inv.Token
	}
	done, err := s.answered(ctx, tx, roundID, respondent)
	if err != nil {
		return Step{}, err
	}
	return s.step(r, done, false), nil
}

// step builds the Step for the first unanswered question of r.
func (s *Store) step(r Round, done map[string]bool, first bool) Step {
	st := Step{Total: len(r.Questions)}
	for i, q := range r.Questions {
		if done[q.ID] {
			st.Answered++
			continue
		}
		st.QuestionID = q.ID
		st.Out = questionMessage(r, q, i, first)
		// Count the rest for Answered.
		for _, later := range r.Questions[i+1:] {
			if done[later.ID] {
				st.Answered++
			}
		}
		return st
	}
	st.Done = true
	st.Out = bots.Outgoing{Text: thanksText(r)}
	return st
}

func thanksText(r Round) string {
	t := fmt.Sprintf("Terima kasih! Jawaban Anda untuk survei \"%s\" sudah kami terima dan akan membantu perbaikan pengembangan kompetensi ASN Kota Tebingtinggi.", r.Title)
	if r.Anonymous {
		t += " Jawaban Anda disimpan secara anonim."
	}
	return t
}

// questionMessage renders one question with its buttons.
func questionMessage(r Round, q Question, index int, first bool) bots.Outgoing {
	var b strings.Builder
	if first && r.Anonymous {
		b.WriteString("Jawaban Anda anonim: laporan tidak menampilkan nama Anda.\n\n")
	}
	fmt.Fprintf(&b, "Pertanyaan %d dari %d\n%s", index+1, len(r.Questions), q.Text)
	var rows [][]bots.Button
	switch q.Kind {
	case Likert5:
		b.WriteString("\n\nPilih 1 (sangat tidak setuju) sampai 5 (sangat setuju).")
		for i, label := range LikertLabels {
			v := strconv.Itoa(i + 1)
			rows = append(rows, []bots.Button{{Text: v + " · " + label, Data: answerData(r.ID, q.ID, v)}})
		}
	case Choice:
		for i, o := range q.Options {
			rows = append(rows, []bots.Button{{Text: o, Data: answerData(r.ID, q.ID, strconv.Itoa(i+1))}})
		}
	case FreeText:
		b.WriteString("\n\nSilakan ketik jawaban Anda sebagai pesan biasa.")
	}
	if !q.Required {
		rows = append(rows, []bots.Button{{Text: "Lewati", Data: answerData(r.ID, q.ID, skipValue)}})
	}
	return bots.Outgoing{Text: b.String(), Buttons: rows}
}

// normaliseAnswer checks a value for q and returns what to store: "" for a
// skipped optional question, the option's text for a choice, the digit for
// a Likert point, the trimmed text for a text question.
func normaliseAnswer(q Question, value string) (string, error) {
	if value == skipValue {
		if q.Required {
			return "", fmt.Errorf("%w: question %s cannot be skipped", ErrInvalidAnswer, q.ID)
		}
		return "", nil
	}
	switch q.Kind {
	case Likert5:
		if len(value) == 1 && value[0] >= '1' && value[0] <= '5' {
			return value, nil
		}
	case Choice:
		if n, err := strconv.Atoi(value); err == nil && n >= 1 && n <= len(q.Options) {
			return q.Options[n-1], nil
		}
	case FreeText:
		v := strings.TrimSpace(value)
		if v != "" && utf8.ValidString(v) {
			if err := tooLong(v, MaxTextAnswer, false); err != nil {
				return "", err
			}
			return v, nil
		}
	}
	return "", fmt.Errorf("%w: %q for question %s", ErrInvalidAnswer, value, q.ID)
}

// Answer records a button press: value for questionID in roundID by nip
// (see ParseSurveyButton), and returns the next step. Pressing a button of
// an earlier question again changes that answer while the response is in
// progress. It fails with ErrRoundClosed, ErrNotYours (the person was not
// invited: someone else's survey), ErrAlreadyDone, ErrUnknownQuestion or
// ErrInvalidAnswer; nothing is recorded then.
func (s *Store) Answer(ctx context.Context, tx *sqlx.Tx, roundID int64, nip, questionID, value string, now time.Time) (Step, error) {
	return s.answer(ctx, tx, roundID, nip, now, func(r Round, done map[string]bool) (Question, string, error) {
		q, _, ok := question(r.Questions, questionID)
		if !ok {
			return Question{}, "", fmt.Errorf("%w: %s", ErrUnknownQuestion, questionID)
		}
		return q, value, nil
	})
}

// AnswerText records typed text as the answer to the person's current
// question in roundID. When that question expects a button it fails with a
// *NeedButtonError (errors.Is ErrNeedButton) whose Hint is a polite reply;
// nothing is recorded then. Other failures are those of Answer.
func (s *Store) AnswerText(ctx context.Context, tx *sqlx.Tx, roundID int64, nip, text string, now time.Time) (Step, error) {
	return s.answer(ctx, tx, roundID, nip, now, func(r Round, done map[string]bool) (Question, string, error) {
		for _, q := range r.Questions {
			if done[q.ID] {
				continue
			}
			if q.Kind != FreeText {
				return Question{}, "", &NeedButtonError{QuestionID: q.ID, Hint: needButtonHint(q)}
			}
			return q, text, nil
		}
		return Question{}, "", ErrAlreadyDone
	})
}

func needButtonHint(q Question) string {
	if q.Kind == Likert5 {
		return "Mohon maaf, pertanyaan ini dijawab dengan menekan salah satu tombol angka 1 sampai 5 di bawah pertanyaan, bukan dengan mengetik."
	}
	return "Mohon maaf, pertanyaan ini dijawab dengan menekan salah satu tombol pilihan di bawah pertanyaan, bukan dengan mengetik."
}

func (s *Store) answer(ctx context.Context, tx *sqlx.Tx, roundID int64, nip string, now time.Time,
	pick func(r Round, done map[string]bool) (Question, string, error)) (Step, error) {
	now = utc(now)
	r, inv, err := s.respondentState(ctx, tx, roundID, nip, now)
	if err != nil {
		return Step{}, err
	}
	respondent := nip
	var done map[string]bool
	if inv.State == "started" {
		if r.Anonymous {
			if inv.Token == nil {
				return Step{}, fmt.Errorf("training: unable to record answer: anonymous response has no token")
			}
			respondent = *inv.Token
		}
		if done, err = s.answered(ctx, tx, roundID, respondent); err != nil {
			return Step{}, err
		}
	}
	q, value, err := pick(r, done)
	if err != nil {
		return Step{}, err
	}
	stored, err := normaliseAnswer(q, value)
	if err != nil {
		return Step{}, err
	}
	if inv.State == "invited" {
		if respondent, err = s.begin(ctx, tx, r, inv, nip, now); err != nil {
			return Step{}, err
		}
		done = map[string]bool{}
	}
	if _, err := tx.ExecContext(ctx, s.db.Rebind(`INSERT INTO survey_answers (round_id, respondent, question_id, value) VALUES (?, ?, ?, ?)
		ON CONFLICT (round_id, respondent, question_id) DO UPDATE SET value = excluded.value`), roundID, respondent, q.ID, stored); err != nil {
		return Step{}, fmt.Errorf("training: unable to record answer: %w", err)
	}
	done[q.ID] = true
	step := s.step(r, done, false)
	if step.Done {
		err = s.complete(ctx, tx, r, nip, respondent, now)
	} else {
		err = s.touchStep(ctx, tx, roundID, nip, now)
	}
	if err != nil {
		return Step{}, err
	}
	return step, nil
}

// complete marks a response complete. For anonymous rounds the token is
// erased from the invitation and no time is recorded, so nothing joins the
// stored answers to the person.
func (s *Store) complete(ctx context.Context, tx *sqlx.Tx, r Round, nip, respondent string, now time.Time) error {
	if _, err := tx.ExecContext(ctx, s.db.Rebind(`UPDATE survey_responses SET completed = TRUE WHERE round_id = ? AND respondent = ?`), r.ID, respondent); err != nil {
		return fmt.Errorf("training: unable to complete survey response: %w", err)
	}
	var completedAt *time.Time
	if !r.Anonymous {
		completedAt = &now
	}
	if _, err := tx.ExecContext(ctx, s.db.Rebind(`UPDATE survey_invitations SET state = 'completed', completed_at = ?, token = NULL,
			last_step_at = NULL WHERE round_id = ? AND nip = ?`), completedAt, r.ID, nip); err != nil {
		return fmt.Errorf("training: unable to complete survey response: %w", err)
	}
	return nil
}

// ActiveSurvey returns the round in which the person has a response in
// progress and took a step within idle before now (the most recently
// stepped one, if several), so that the handler knows what typed text
// answers; ok is false when there is none. A survey left longer than idle
// holds nothing: the person's text is an ordinary question again until
// they resume the survey with its button.
func (s *Store) ActiveSurvey(ctx context.Context, q storage.Querier, nip string, now time.Time, idle time.Duration) (roundID int64, ok bool, err error) {
	now = utc(now)
	err = q.GetContext(ctx, &roundID, s.db.Rebind(`SELECT r.id FROM survey_invitations i JOIN survey_rounds r ON r.id = i.round_id
		WHERE i.nip = ? AND i.state = 'started' AND i.last_step_at >= ? AND r.status = 'open' AND r.closes_at > ?
		ORDER BY i.last_step_at DESC, r.id DESC LIMIT 1`), nip, now.Add(-idle), now)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("training: unable to find the active survey: %w", err)
	}
	return roundID, true, nil
}

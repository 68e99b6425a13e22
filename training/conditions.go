package training

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tebingtinggi/hub/outbox"
)

// The conditions this package enqueues messages with (outbox.Message's
// Condition), numbers only, so that they name no person (officers see
// them):
//
//	reminder:<enrolment>:<start>   a reminder: the session start in Unix microseconds
//	survey:<invitation>            a survey invitation or nudge
const (
	condReminder = "reminder:"
	condSurvey   = "survey:"
)

// reminderCondition is the condition of a reminder of an enrolment in a
// session starting at start.
func reminderCondition(enrolmentID int64, start time.Time) string {
	return condReminder + strconv.FormatInt(enrolmentID, 10) + ":" + strconv.FormatInt(utc(start).UnixMicro(), 10)
}

// surveyCondition is the condition of an invitation's messages.
func surveyCondition(invitationID int64) string {
	return condSurvey + strconv.FormatInt(invitationID, 10)
}

var _ outbox.Conditions = (*Store)(nil)

// Holds tells the outbox whether the condition of a message this package
// enqueued still holds, right before the message is sent
// (outbox.Conditions): a change that makes a queued message wrong
// withdraws it, on whichever replica the message waits, without the
// change having to find it.
//
// A reminder's holds while its enrolment exists, its person has not
// answered Berhalangan, and its session is scheduled and starts at the
// time the reminder names (the reminders of a moved session's new time
// are planned anew). A survey invitation's or nudge's holds while the
// invitation exists (it is deleted when its person turns out absent or is
// taken off the session, and with its round when the session is cancelled
// or moved), its survey is not completed, and its round is open (not
// closed by an officer, or on a cancellation that kept completed answers).
func (s *Store) Holds(ctx context.Context, condition string) (bool, error) {
	switch {
	case strings.HasPrefix(condition, condReminder):
		return s.reminderHolds(ctx, condition)
	case strings.HasPrefix(condition, condSurvey):
		return s.surveyHolds(ctx, condition)
	}
	return false, unknownCondition(condition)
}

func unknownCondition(condition string) error {
	return fmt.Errorf("training: unknown message condition %q", condition)
}

func (s *Store) reminderHolds(ctx context.Context, condition string) (bool, error) {
	idText, startText, found := strings.Cut(strings.TrimPrefix(condition, condReminder), ":")
	id, idErr := strconv.ParseInt(idText, 10, 64)
	micros, startErr := strconv.ParseInt(startText, 10, 64)
	if !found || idErr != nil || startErr != nil {
		return false, unknownCondition(condition)
	}
	var rows []struct {
		Status SessionStatus `db:"status"`
		Start  time.Time     `db:"starts_at"`
		RSVP   RSVP          `db:"rsvp"`
	}
	if err := s.db.SelectContext(ctx, &rows, s.db.Rebind(`SELECT s.status, s.starts_at, e.rsvp
		FROM enrolments e JOIN training_sessions s ON s.id = e.session_id WHERE e.id = ?`), id); err != nil {
		return false, fmt.Errorf("training: unable to check a reminder's session: %w", err)
	}
	if len(rows) == 0 {
		return false, nil // no longer enrolled
	}
	r := rows[0]
	return r.Status == Scheduled && r.RSVP != RSVPNo && r.Start.Equal(time.UnixMicro(micros)), nil
}

func (s *Store) surveyHolds(ctx context.Context, condition string) (bool, error) {
	id, err := strconv.ParseInt(strings.TrimPrefix(condition, condSurvey), 10, 64)
	if err != nil {
		return false, unknownCondition(condition)
	}
	var n int
	if err := s.db.GetContext(ctx, &n, s.db.Rebind(`SELECT COUNT(*) FROM survey_invitations i JOIN survey_rounds r ON r.id = i.round_id
		WHERE i.id = ? AND i.state <> 'completed' AND r.status = 'open'`), id); err != nil {
		return false, fmt.Errorf("training: unable to check a survey message's invitation: %w", err)
	}
	return n > 0, nil
}

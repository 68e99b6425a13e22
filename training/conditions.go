package training

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/outbox"
)

// The conditions this package enqueues messages with (outbox.Message's
// Condition), numbers only, so that they name no person (officers see
// them):
//
//	reminder:<enrolment>:<start>:<version>   a reminder: the session start in Unix microseconds, and its version
//	survey:<invitation>                      a survey invitation or nudge
//	session:<session>:<version>              a notice of a change of the session
//	linked                                   any other message to an ASN (the JP reminder)
//
// (Reminders enqueued before sessions had versions name no version: they
// were written for version 0.)
const (
	condReminder = "reminder:"
	condSurvey   = "survey:"
	condSession  = "session:"
	condLinked   = "linked"
)

// reminderCondition is the condition of a reminder of an enrolment in a
// session starting at start, at version (see countChange).
func reminderCondition(enrolmentID int64, start time.Time, version int64) string {
	return condReminder + strconv.FormatInt(enrolmentID, 10) + ":" + strconv.FormatInt(utc(start).UnixMicro(), 10) +
		":" + strconv.FormatInt(version, 10)
}

// surveyCondition is the condition of an invitation's messages.
func surveyCondition(invitationID int64) string {
	return condSurvey + strconv.FormatInt(invitationID, 10)
}

// sessionCondition is the condition of a notice of the change that
// brought a session to version.
func sessionCondition(sessionID, version int64) string {
	return condSession + strconv.FormatInt(sessionID, 10) + ":" + strconv.FormatInt(version, 10)
}

var _ outbox.Conditions = (*Store)(nil)

// HoldsFor tells the outbox whether a message this package enqueued for
// chatID on platform may still be sent (outbox.Conditions): the chat is
// still linked to an ASN who is active and not paused, and the message's
// own condition holds (see Holds). A person who unlinks their account
// (/putus, or an officer's hub asn unlink) or pauses it (/berhenti) gets
// none of the reminders and surveys that were waiting for it: the chat may
// no longer be theirs. Nor does an ASN made inactive (retired, moved out
// of the city's service) since the message was planned.
func (s *Store) HoldsFor(ctx context.Context, platform bots.Platform, chatID, condition string) (bool, error) {
	var n int
	if err := s.db.GetContext(ctx, &n, s.db.Rebind(`SELECT COUNT(*) FROM account_links l JOIN asn a ON a.nip = l.nip
		WHERE l.platform = ? AND l.chat_id = ? AND l.paused = FALSE AND a.active = TRUE`), string(platform), chatID); err != nil {
		return false, fmt.Errorf("training: unable to check a message's chat link: %w", err)
	}
	if n == 0 {
		return false, nil
	}
	return s.Holds(ctx, condition)
}

// Holds tells the outbox whether the condition of a message this package
// enqueued still holds, right before the message is sent
// (outbox.Conditions): a change that makes a queued message wrong
// withdraws it, on whichever replica the message waits, without the
// change having to find it.
//
// A reminder's holds while its enrolment exists, its person has not
// answered Berhalangan, and its session is scheduled, starts at the time
// the reminder names and has not changed since (its version is the
// reminder's): a reminder naming the old place of a session moved
// elsewhere is not sent either. The reminders of a changed session are
// planned anew, with what is right now. A survey invitation's or nudge's holds while the
// invitation exists (it is deleted when its person turns out absent or is
// taken off the session, and with its round when the session is cancelled
// or moved), its survey is not completed, and its round is open (not
// closed by an officer, or on a cancellation that kept completed answers).
// A change notice's holds while its session has not changed again: a
// notice of a new time or place superseded by a later change or a
// cancellation is not sent, the later notice is. "linked" always holds:
// it asks only for the chat link HoldsFor checks.
func (s *Store) Holds(ctx context.Context, condition string) (bool, error) {
	switch {
	case condition == condLinked:
		return true, nil
	case strings.HasPrefix(condition, condReminder):
		return s.reminderHolds(ctx, condition)
	case strings.HasPrefix(condition, condSurvey):
		return s.surveyHolds(ctx, condition)
	case strings.HasPrefix(condition, condSession):
		return s.sessionHolds(ctx, condition)
	}
	return false, unknownCondition(condition)
}

func unknownCondition(condition string) error {
	return fmt.Errorf("training: unknown message condition %q", condition)
}

func (s *Store) reminderHolds(ctx context.Context, condition string) (bool, error) {
	nums, ok := conditionNumbers(strings.TrimPrefix(condition, condReminder), 2, 3)
	if !ok {
		return false, unknownCondition(condition)
	}
	id, micros := nums[0], nums[1]
	var version int64 // a reminder from before versions: version 0
	if len(nums) == 3 {
		version = nums[2]
	}
	var rows []struct {
		Status  SessionStatus `db:"status"`
		Start   time.Time     `db:"starts_at"`
		Version int64         `db:"version"`
		RSVP    RSVP          `db:"rsvp"`
	}
	if err := s.db.SelectContext(ctx, &rows, s.db.Rebind(`SELECT s.status, s.starts_at, s.version, e.rsvp
		FROM enrolments e JOIN training_sessions s ON s.id = e.session_id WHERE e.id = ?`), id); err != nil {
		return false, fmt.Errorf("training: unable to check a reminder's session: %w", err)
	}
	if len(rows) == 0 {
		return false, nil // no longer enrolled
	}
	r := rows[0]
	return r.Status == Scheduled && r.RSVP != RSVPNo && r.Start.Equal(time.UnixMicro(micros)) && r.Version == version, nil
}

// conditionNumbers reads the colon-separated numbers of a condition after
// its kind, at least atLeast and at most atMost of them.
func conditionNumbers(rest string, atLeast, atMost int) ([]int64, bool) {
	parts := strings.Split(rest, ":")
	if len(parts) < atLeast || len(parts) > atMost {
		return nil, false
	}
	nums := make([]int64, len(parts))
	for i, p := range parts {
		n, err := strconv.ParseInt(p, 10, 64)
		if err != nil {
			return nil, false
		}
		nums[i] = n
	}
	return nums, true
}

func (s *Store) surveyHolds(ctx context.Context, condition string) (bool, error) {
	nums, ok := conditionNumbers(strings.TrimPrefix(condition, condSurvey), 1, 1)
	if !ok {
		return false, unknownCondition(condition)
	}
	id := nums[0]
	var n int
	if err := s.db.GetContext(ctx, &n, s.db.Rebind(`SELECT COUNT(*) FROM survey_invitations i JOIN survey_rounds r ON r.id = i.round_id
		WHERE i.id = ? AND i.state <> 'completed' AND r.status = 'open'`), id); err != nil {
		return false, fmt.Errorf("training: unable to check a survey message's invitation: %w", err)
	}
	return n > 0, nil
}

func (s *Store) sessionHolds(ctx context.Context, condition string) (bool, error) {
	nums, ok := conditionNumbers(strings.TrimPrefix(condition, condSession), 2, 2)
	if !ok {
		return false, unknownCondition(condition)
	}
	var versions []int64
	if err := s.db.SelectContext(ctx, &versions, s.db.Rebind(`SELECT version FROM training_sessions WHERE id = ?`), nums[0]); err != nil {
		return false, fmt.Errorf("training: unable to check a change notice's session: %w", err)
	}
	return len(versions) == 1 && versions[0] == nums[1], nil
}

package training

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/tebingtinggi/hub/bots"
)

// RoundStatus says whether a round accepts answers.
type RoundStatus string

// The round statuses.
const (
	RoundOpen   RoundStatus = "open"
	RoundClosed RoundStatus = "closed"
)

// Round is one run of a survey template: after a session (post-training,
// follow-up) or periodic (SessionID nil).
type Round struct {
	ID           int64
	Key          string
	TemplateCode string
	SessionID    *int64
	Title        string
	Anonymous    bool
	Questions    []Question
	OpenedAt     time.Time
	ClosesAt     time.Time
	Status       RoundStatus
	// Retracted is set for a session's round taken back, with completed
	// answers, when the session was cancelled or moved to a later date
	// (see retractRounds): it is closed, and a new round follows the
	// session's new end.
	Retracted bool
}

// Recent tells whether the round is open at now, or closed in the week
// before now: the rounds the weekly digest and the dashboard report on.
// A round opening after now is neither.
func (r Round) Recent(now time.Time) (open, closedThisWeek bool) {
	if r.OpenedAt.After(now) {
		return false, false
	}
	open = r.acceptsAnswers(now)
	closedThisWeek = !open && r.ClosesAt.After(now.Add(-7*24*time.Hour)) && !r.ClosesAt.After(now)
	return open, closedThisWeek
}

// acceptsAnswers reports whether the round is open at now.
func (r Round) acceptsAnswers(now time.Time) bool {
	return r.Status == RoundOpen && now.Before(r.ClosesAt)
}

type roundRow struct {
	ID           int64       `db:"id"`
	Key          string      `db:"round_key"`
	TemplateCode string      `db:"template_code"`
	SessionID    *int64      `db:"session_id"`
	Title        string      `db:"title"`
	Anonymous    bool        `db:"anonymous"`
	Questions    string      `db:"questions"`
	OpenedAt     time.Time   `db:"opened_at"`
	ClosesAt     time.Time   `db:"closes_at"`
	Status       RoundStatus `db:"status"`
	RetractedAt  *time.Time  `db:"retracted_at"`
}

const roundColumns = `id, round_key, template_code, session_id, title, anonymous, questions, opened_at, closes_at, status, retracted_at`

func (r roundRow) round() (Round, error) {
	out := Round{ID: r.ID, Key: r.Key, TemplateCode: r.TemplateCode, SessionID: r.SessionID, Title: r.Title,
		Anonymous: r.Anonymous, OpenedAt: r.OpenedAt.UTC(), ClosesAt: r.ClosesAt.UTC(), Status: r.Status, Retracted: r.RetractedAt != nil}
	if err := json.Unmarshal([]byte(r.Questions), &out.Questions); err != nil {
		return Round{}, fmt.Errorf("training: unable to decode questions of round %d: %w", r.ID, err)
	}
	return out, nil
}

func getRound(ctx context.Context, q sqlx.QueryerContext, rebind func(string) string, id int64) (Round, error) {
	var r roundRow
	if err := sqlx.GetContext(ctx, q, &r, rebind(`SELECT `+roundColumns+` FROM survey_rounds WHERE id = ?`), id); err != nil {
		return Round{}, notFound(err, "fetch survey round")
	}
	return r.round()
}

// GetRound returns a round by id, or ErrNotFound.
func (s *Store) GetRound(ctx context.Context, id int64) (Round, error) {
	return getRound(ctx, s.db, s.db.Rebind, id)
}

// Rounds returns the rounds of a session (all rounds when sessionID is 0),
// newest first.
func (s *Store) Rounds(ctx context.Context, sessionID int64) ([]Round, error) {
	var rows []roundRow
	var err error
	if sessionID == 0 {
		err = s.db.SelectContext(ctx, &rows, `SELECT `+roundColumns+` FROM survey_rounds ORDER BY opened_at DESC, id DESC`)
	} else {
		err = s.db.SelectContext(ctx, &rows, s.db.Rebind(`SELECT `+roundColumns+` FROM survey_rounds WHERE session_id = ? ORDER BY opened_at DESC, id DESC`), sessionID)
	}
	if err != nil {
		return nil, fmt.Errorf("training: unable to list survey rounds: %w", err)
	}
	out := make([]Round, 0, len(rows))
	for _, r := range rows {
		rd, err := r.round()
		if err != nil {
			return nil, err
		}
		out = append(out, rd)
	}
	return out, nil
}

// openRound creates the round with key (unless it exists: then it returns
// ok=false) and invites nips. It runs in tx so that a round is never seen
// without its invitations.
func (s *Store) openRound(ctx context.Context, tx *sqlx.Tx, key, templateCode string, sessionID *int64, title string, nips []string, now time.Time) (Round, bool, error) {
	t, err := s.getTemplate(ctx, tx, templateCode)
	if err != nil {
		return Round{}, false, fmt.Errorf("training: unable to open round with template %s: %w", templateCode, err)
	}
	qs, _ := json.Marshal(t.Questions) // decoded from JSON, so it encodes
	if title == "" {
		title = t.Title
	}
	r := Round{Key: key, TemplateCode: t.Code, SessionID: sessionID, Title: title, Anonymous: t.Anonymous,
		Questions: t.Questions, OpenedAt: now, ClosesAt: now.Add(s.opts.RoundDuration), Status: RoundOpen}
	err = tx.GetContext(ctx, &r.ID, s.db.Rebind(`INSERT INTO survey_rounds (round_key, template_code, session_id, title, anonymous, questions, opened_at, closes_at, status)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'open') ON CONFLICT (round_key) DO NOTHING RETURNING id`),
		key, t.Code, sessionID, title, t.Anonymous, string(qs), now, r.ClosesAt)
	if errors.Is(err, sql.ErrNoRows) {
		return Round{}, false, nil
	}
	if err != nil {
		return Round{}, false, fmt.Errorf("training: unable to open survey round %s: %w", key, err)
	}
	// Each invitation keeps the person's unit now, which the round's
	// comparison by unit counts them under.
	ins := s.db.Rebind(`INSERT INTO survey_invitations (round_id, nip, invited_at, unit_code)
		SELECT ?, nip, ?, unit_code FROM asn WHERE nip = ?`)
	for _, nip := range nips {
		res, err := tx.ExecContext(ctx, ins, r.ID, now, nip)
		if err != nil {
			return Round{}, false, fmt.Errorf("training: unable to invite to survey round %s: %w", key, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return Round{}, false, fmt.Errorf("training: unable to invite to survey round %s: %w", key, err)
		}
		if n != 1 {
			return Round{}, false, fmt.Errorf("training: unable to invite to survey round %s: an invitee is not on the staff list", key)
		}
	}
	return r, true, nil
}

// reachable is the SQL condition "the ASN a.nip is active and has an
// unpaused chat link".
const reachable = `a.active = TRUE AND EXISTS (SELECT 1 FROM account_links l WHERE l.nip = a.nip AND l.paused = FALSE)`

// attendeesOf lists the reachable ASN who attended a session: attendance
// recorded as yes, or not recorded and RSVP "hadir".
func (s *Store) attendeesOf(ctx context.Context, tx *sqlx.Tx, sessionID int64) ([]string, error) {
	var nips []string
	err := tx.SelectContext(ctx, &nips, s.db.Rebind(`SELECT e.nip FROM enrolments e JOIN asn a ON a.nip = e.nip
		WHERE e.session_id = ? AND (e.attended = TRUE OR (e.attended IS NULL AND e.rsvp = 'hadir')) AND `+reachable+`
		ORDER BY e.nip`), sessionID)
	if err != nil {
		return nil, fmt.Errorf("training: unable to list attendees: %w", err)
	}
	return nips, nil
}

// openSessionRounds opens, for each scheduled session that ended between
// now-after-LookBack and now-after and has no round with this template,
// a round inviting its reachable attendees. Sessions without any are
// skipped (and looked at again next time).
func (s *Store) openSessionRounds(ctx context.Context, now time.Time, after time.Duration, templateCode, keyPrefix string) ([]Round, error) {
	now = utc(now)
	var sessions []struct {
		ID    int64  `db:"id"`
		Title string `db:"title"`
	}
	err := s.db.SelectContext(ctx, &sessions, s.db.Rebind(`SELECT s.id, t.title FROM training_sessions s JOIN trainings t ON t.id = s.training_id
		WHERE s.status = 'scheduled' AND s.ends_at <= ? AND s.ends_at > ?
			AND NOT EXISTS (SELECT 1 FROM survey_rounds r WHERE r.session_id = s.id AND r.template_code = ? AND r.retracted_at IS NULL)
		ORDER BY s.ends_at, s.id`), now.Add(-after), now.Add(-after-s.opts.LookBack), templateCode)
	if err != nil {
		return nil, fmt.Errorf("training: unable to find sessions for survey rounds: %w", err)
	}
	var out []Round
	for _, sess := range sessions {
		err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
			nips, err := s.attendeesOf(ctx, tx, sess.ID)
			if err != nil || len(nips) == 0 {
				return err
			}
			id := sess.ID
			r, opened, err := s.openRound(ctx, tx, keyPrefix+strconv.FormatInt(id, 10), templateCode, &id, sess.Title, nips, now)
			if opened {
				out = append(out, r)
			}
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// InviteLateComers adds to the open rounds the people who qualify for them
// only now: for a session's round, attendees whose attendance was recorded
// after it opened or who linked a chat account since; for a periodic round,
// active ASN who linked since. Each person is invited to a round once (the
// invitation's key is the round and the NIP); the invitations then go out
// through Invitations like the others. It returns how many it added.
func (s *Store) InviteLateComers(ctx context.Context, now time.Time) (int, error) {
	now = utc(now)
	notInvited := `NOT EXISTS (SELECT 1 FROM survey_invitations i WHERE i.round_id = r.id AND i.nip = a.nip)`
	var added int64
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		for _, q := range []string{
			`INSERT INTO survey_invitations (round_id, nip, invited_at, unit_code)
			SELECT r.id, a.nip, ?, a.unit_code FROM survey_rounds r
				JOIN enrolments e ON e.session_id = r.session_id JOIN asn a ON a.nip = e.nip
			WHERE r.status = 'open' AND r.closes_at > ?
				AND (e.attended = TRUE OR (e.attended IS NULL AND e.rsvp = 'hadir')) AND ` + reachable + ` AND ` + notInvited + `
			ON CONFLICT (round_id, nip) DO NOTHING`,
			`INSERT INTO survey_invitations (round_id, nip, invited_at, unit_code)
			SELECT r.id, a.nip, ?, a.unit_code FROM survey_rounds r CROSS JOIN asn a
			WHERE r.status = 'open' AND r.closes_at > ? AND r.session_id IS NULL AND ` + reachable + ` AND ` + notInvited + `
			ON CONFLICT (round_id, nip) DO NOTHING`,
		} {
			res, err := tx.ExecContext(ctx, s.db.Rebind(q), now, now)
			if err != nil {
				return fmt.Errorf("training: unable to invite late comers: %w", err)
			}
			n, _ := res.RowsAffected()
			added += n
		}
		return nil
	})
	return int(added), err
}

// OpenPostTrainingRounds opens the post-training reaction survey for every
// session that ended at least delay ago (default 2 hours) and has none yet,
// inviting its attendees (attendance recorded, or else RSVP "hadir") who are
// active and reachable in a chat. It returns the rounds it opened; running
// it again, or on two replicas, opens nothing twice. Invitations then come
// from Invitations.
func (s *Store) OpenPostTrainingRounds(ctx context.Context, now time.Time, delay time.Duration) ([]Round, error) {
	if delay <= 0 {
		delay = 2 * time.Hour
	}
	return s.openSessionRounds(ctx, now, delay, TemplatePostTraining, "post:")
}

// OpenFollowUps opens the application follow-up survey for every session
// that ended at least after ago (default 90 days) and has none yet,
// inviting its attendees like OpenPostTrainingRounds.
func (s *Store) OpenFollowUps(ctx context.Context, now time.Time, after time.Duration) ([]Round, error) {
	if after <= 0 {
		after = 90 * 24 * time.Hour
	}
	return s.openSessionRounds(ctx, now, after, TemplateFollowUp, "followup:")
}

// OpenPeriodicRound opens a round of templateCode (e.g. the digital
// competency self-assessment) for every active ASN with an unpaused chat
// link. At most one such round opens per template and WIB calendar day:
// opened is false when today's exists already.
func (s *Store) OpenPeriodicRound(ctx context.Context, templateCode string, now time.Time) (r Round, opened bool, err error) {
	now = utc(now)
	key := "periodic:" + templateCode + ":" + now.In(WIB).Format("2006-01-02")
	err = s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		var nips []string
		if err := tx.SelectContext(ctx, &nips, `SELECT a.nip FROM asn a WHERE `+reachable+` ORDER BY a.nip`); err != nil {
			return fmt.Errorf("training: unable to list ASN for a periodic survey: %w", err)
		}
		var err error
		r, opened, err = s.openRound(ctx, tx, key, templateCode, nil, "", nips, now)
		return err
	})
	if err != nil {
		return Round{}, false, err
	}
	return r, opened, nil
}

// CloseExpiredRounds closes the open rounds whose closing time has come and
// returns their ids. Tokens of unfinished anonymous responses are erased,
// so that nothing joins them to a person any more.
func (s *Store) CloseExpiredRounds(ctx context.Context, now time.Time) ([]int64, error) {
	now = utc(now)
	var ids []int64
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		if err := tx.SelectContext(ctx, &ids, s.db.Rebind(`UPDATE survey_rounds SET status = 'closed', closed_at = ?
			WHERE status = 'open' AND closes_at <= ? RETURNING id`), now, now); err != nil {
			return fmt.Errorf("training: unable to close survey rounds: %w", err)
		}
		for _, id := range ids {
			if _, err := tx.ExecContext(ctx, s.db.Rebind(`UPDATE survey_invitations SET token = NULL, last_step_at = NULL WHERE round_id = ?`), id); err != nil {
				return fmt.Errorf("training: unable to erase response tokens: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ids, nil
}

// CloseRound closes one round now (an officer's action).
func (s *Store) CloseRound(ctx context.Context, id int64, now time.Time) error {
	now = utc(now)
	return s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, s.db.Rebind(`UPDATE survey_rounds SET status = 'closed', closed_at = ?, closes_at = ?
			WHERE id = ? AND status = 'open'`), now, now, id)
		if err != nil {
			return fmt.Errorf("training: unable to close survey round: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		if _, err := tx.ExecContext(ctx, s.db.Rebind(`UPDATE survey_invitations SET token = NULL, last_step_at = NULL WHERE round_id = ?`), id); err != nil {
			return fmt.Errorf("training: unable to erase response tokens: %w", err)
		}
		return nil
	})
}

// invitationRow is one invitation with what a message to its person needs.
type invitationRow struct {
	ID         int64     `db:"id"`
	PersonKeys bool      `db:"person_keys"`
	RoundID    int64     `db:"round_id"`
	NIP        string    `db:"nip"`
	State      string    `db:"state"`
	InvitedAt  time.Time `db:"invited_at"`
	// InviteQueuedAt is when the invitation's first message was queued;
	// nil until then (see nudgeFrom).
	InviteQueuedAt *time.Time `db:"invite_queued_at"`
	NudgesSent     int        `db:"nudges_sent"`
	Title          string     `db:"title"`
	Intro          string     `db:"intro"`
	Anonymous      bool       `db:"anonymous"`
	// Template, opening and the session's times: a follow-up's
	// invitation says how long ago the session was (see followUpOpening).
	TemplateCode string     `db:"template_code"`
	OpenedAt     time.Time  `db:"opened_at"`
	SessionStart *time.Time `db:"session_start"`
	SessionEnd   *time.Time `db:"session_end"`
	ClosesAt     time.Time  `db:"closes_at"`
	Name         string     `db:"name"`
	Platform     string     `db:"platform"`
	ChatID       string     `db:"chat_id"`
}

// nudgeFrom is what an invitation's nudges count from: when its first
// message was queued, or, for someone who started the survey without
// (an invitation of a round opened before the hub recorded it), when
// they were invited.
func (r invitationRow) nudgeFrom() time.Time {
	if r.InviteQueuedAt != nil {
		return *r.InviteQueuedAt
	}
	return r.InvitedAt
}

// pendingInvitations lists the unfinished invitations of open rounds whose
// person is active and has an unpaused link (the most recent one), with the
// extra condition and its arguments.
func (s *Store) pendingInvitations(ctx context.Context, now time.Time, extra string, args ...any) ([]invitationRow, error) {
	var rows []invitationRow
	err := s.db.SelectContext(ctx, &rows, s.db.Rebind(`SELECT i.id, i.person_keys, i.round_id, i.nip, i.state, i.invited_at, i.invite_queued_at, i.nudges_sent,
			r.title, COALESCE(t.intro, '') AS intro, r.anonymous, r.closes_at, a.name, l.platform, l.chat_id,
			r.template_code, r.opened_at, s.starts_at AS session_start, s.ends_at AS session_end
		FROM survey_invitations i
		JOIN survey_rounds r ON r.id = i.round_id
		LEFT JOIN survey_templates t ON t.code = r.template_code
		LEFT JOIN training_sessions s ON s.id = r.session_id
		JOIN asn a ON a.nip = i.nip
		JOIN account_links l ON l.nip = i.nip
		WHERE r.status = 'open' AND r.closes_at > ? AND i.state <> 'completed' AND a.active = TRUE AND l.paused = FALSE `+extra+`
		ORDER BY i.round_id, i.nip, l.chosen_at DESC, l.platform`), append([]any{now}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("training: unable to read survey invitations: %w", err)
	}
	out := rows[:0]
	for i, r := range rows {
		if i > 0 && rows[i-1].RoundID == r.RoundID && rows[i-1].NIP == r.NIP {
			continue // a further link of the same person
		}
		r.InvitedAt, r.ClosesAt, r.OpenedAt = r.InvitedAt.UTC(), r.ClosesAt.UTC(), r.OpenedAt.UTC()
		out = append(out, r)
	}
	return out, nil
}

// StartButtonData is the data of a round's "Mulai survei" button.
func StartButtonData(roundID int64) string { return "sv:" + strconv.FormatInt(roundID, 10) + ":start" }

// Invitations plans the first message of every invitation of an open round
// that has been neither started nor nudged yet, for active ASN with an
// unpaused link. Keys are "survey:<round>:<nip>:<invitation>:invite" (see
// surveyKey); planning again enqueues nothing twice. Like the nudges, each carries the condition that
// its invitation still stands (see Holds), so that one still waiting in the
// outbox (for a retry after a failed send) is not sent once its round is
// taken back or closed, its invitation withdrawn or its survey completed.
func (s *Store) Invitations(ctx context.Context, now time.Time) ([]Planned, error) {
	now = utc(now)
	rows, err := s.pendingInvitations(ctx, now, `AND i.state = 'invited' AND i.nudges_sent = 0`)
	if err != nil {
		return nil, err
	}
	// The nudges count from the moment the invitation is first planned
	// (see DueNudges); the outbox sends it right away.
	err = s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		upd := s.db.Rebind(`UPDATE survey_invitations SET invite_queued_at = ? WHERE id = ? AND invite_queued_at IS NULL`)
		for _, r := range rows {
			if _, err := tx.ExecContext(ctx, upd, now, r.ID); err != nil {
				return fmt.Errorf("training: unable to record a survey invitation: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]Planned, 0, len(rows))
	for _, r := range rows {
		var b strings.Builder
		fmt.Fprintf(&b, "Yth. Bapak/Ibu %s,\n\nMohon kesediaan Anda mengisi survei \"%s\".\n", r.Name, r.Title)
		intro := r.Intro
		if r.TemplateCode == TemplateFollowUp && r.SessionStart != nil && r.SessionEnd != nil {
			intro = strings.TrimSpace(followUpOpening(r.OpenedAt.Sub(*r.SessionEnd), *r.SessionStart, *r.SessionEnd) + " " + intro)
		}
		if intro != "" {
			b.WriteString(intro + "\n")
		}
		fmt.Fprintf(&b, "\nSurvei dibuka sampai %s. Anda dapat berhenti kapan saja dan melanjutkannya nanti.", FormatWIB(r.ClosesAt))
		out = append(out, surveyMessage(r, "invite", now, b.String(), "Mulai survei"))
	}
	return out, nil
}

// surveyKey is the outbox key of an invitation's message of kind
// ("invite", "nudge<k>"): "survey:<round>:<nip>:<invitation>:<kind>". A
// person invited again to a round (withdrawn as absent, then their
// attendance corrected) has a new invitation, whose messages get keys of
// their own: the first invitation's, sent or withdrawn still waiting
// (see Holds), do not swallow them. An invitation made before keys named
// it (person_keys, migration 0033) keeps "survey:<round>:<nip>:<kind>",
// the keys its messages may already be in the outbox under.
func surveyKey(r invitationRow, kind string) string {
	key := "survey:" + strconv.FormatInt(r.RoundID, 10) + ":" + r.NIP + ":"
	if !r.PersonKeys {
		key += strconv.FormatInt(r.ID, 10) + ":"
	}
	return key + kind
}

func surveyMessage(r invitationRow, kind string, now time.Time, text, button string) Planned {
	p := Planned{
		Key:       surveyKey(r, kind),
		NIP:       r.NIP,
		Platform:  bots.Platform(r.Platform),
		ChatID:    r.ChatID,
		NotBefore: now,
		ExpiresAt: r.ClosesAt,
		Condition: surveyCondition(r.ID),
	}
	p.Out = bots.Outgoing{Platform: p.Platform, ChatID: p.ChatID, Text: text,
		Buttons: [][]bots.Button{{{Text: button, Data: StartButtonData(r.RoundID)}}}}
	return p
}

// DueNudges plans reminders to invited ASN who have not completed an open
// round: nudge k (1 ≤ k ≤ maxNudges) is due spacing·k after the invitation
// was planned (spacing defaults to 3 days), not after the round opened:
// with the hub down for days meanwhile, the invitation goes out first and
// its first nudge spacing later. An invitation not planned yet is not
// nudged. Only the latest due nudge is planned,
// under the key "survey:<round>:<nip>:<invitation>:nudge<k>" (see
// surveyKey), so planning again enqueues nothing twice; nudges_sent and
// last_nudge_at record what was planned. A
// nudge still waiting in the outbox when its person completes the survey
// is not sent (see Holds).
func (s *Store) DueNudges(ctx context.Context, now time.Time, maxNudges int, spacing time.Duration) ([]Planned, error) {
	if maxNudges <= 0 {
		return nil, nil
	}
	if spacing <= 0 {
		spacing = 3 * 24 * time.Hour
	}
	now = utc(now)
	rows, err := s.pendingInvitations(ctx, now, `AND COALESCE(i.invite_queued_at, CASE WHEN i.state = 'started' THEN i.invited_at END) <= ?`, now.Add(-spacing))
	if err != nil {
		return nil, err
	}
	var out []Planned
	err = s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		upd := s.db.Rebind(`UPDATE survey_invitations SET nudges_sent = ?, last_nudge_at = ? WHERE round_id = ? AND nip = ? AND nudges_sent < ?`)
		for _, r := range rows {
			k := min(int(now.Sub(r.nudgeFrom())/spacing), maxNudges)
			if k < 1 {
				continue
			}
			var text, button string
			if r.State == "started" {
				text = fmt.Sprintf("Yth. Bapak/Ibu %s,\n\nAnda sudah mulai mengisi survei \"%s\"; tinggal beberapa pertanyaan lagi. Survei ditutup %s.",
					r.Name, r.Title, FormatWIB(r.ClosesAt))
				button = "Lanjutkan survei"
			} else {
				text = fmt.Sprintf("Yth. Bapak/Ibu %s,\n\nKami mengingatkan kembali survei \"%s\" yang belum Anda isi. Pendapat Anda sangat berarti bagi perbaikan pelatihan ASN Kota Tebingtinggi. Survei ditutup %s.",
					r.Name, r.Title, FormatWIB(r.ClosesAt))
				button = "Mulai survei"
			}
			out = append(out, surveyMessage(r, "nudge"+strconv.Itoa(k), now, text, button))
			if r.NudgesSent < k {
				if _, err := tx.ExecContext(ctx, upd, k, now, r.RoundID, r.NIP, k); err != nil {
					return fmt.Errorf("training: unable to record survey nudge: %w", err)
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

package training

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/storage"
)

// MaxRSVPReason bounds the reason an ASN gives for not attending.
const MaxRSVPReason = 500

// FormatOffset writes a reminder offset compactly for keys and
// configuration: "7d", "1d", "2h", "90m".
func FormatOffset(d time.Duration) string {
	switch {
	case d%(24*time.Hour) == 0:
		return strconv.FormatInt(int64(d/(24*time.Hour)), 10) + "d"
	case d%time.Hour == 0:
		return strconv.FormatInt(int64(d/time.Hour), 10) + "h"
	case d%time.Minute == 0:
		return strconv.FormatInt(int64(d/time.Minute), 10) + "m"
	}
	return d.String()
}

// ParseOffsets reads a comma-separated list of reminder offsets such as
// "7d,1d,2h" (d, h and m units, or any Go duration), for configuration. It
// refuses empty, zero, negative and repeated offsets, and offsets over 60
// days.
func ParseOffsets(s string) ([]time.Duration, error) {
	var out []time.Duration
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		var d time.Duration
		var err error
		if n, ok := strings.CutSuffix(part, "d"); ok {
			var days int
			days, err = strconv.Atoi(n)
			d = time.Duration(days) * 24 * time.Hour
		} else {
			d, err = time.ParseDuration(part)
		}
		if err != nil || d <= 0 || d > 60*24*time.Hour {
			return nil, fmt.Errorf("training: unable to read reminder offset %q: want e.g. 7d, 1d, 2h or 30m, more than zero and at most 60d", part)
		}
		if slices.Contains(out, d) {
			return nil, fmt.Errorf("training: unable to read reminder offsets: %q appears twice", part)
		}
		out = append(out, d)
	}
	return out, nil
}

// reminderRow is one enrolment that may need a reminder.
type reminderRow struct {
	EnrolmentID int64      `db:"enrolment_id"`
	PersonKeys  bool       `db:"person_keys"`
	NIP         string     `db:"nip"`
	RSVP        RSVP       `db:"rsvp"`
	RSVPAt      *time.Time `db:"rsvp_at"`
	SessionID   int64      `db:"session_id"`
	Start       time.Time  `db:"starts_at"`
	Version     int64      `db:"version"`
	ChangedAt   *time.Time `db:"changed_at"`
	EnrolledAt  time.Time  `db:"enrolled_at"`
	End         time.Time  `db:"ends_at"`
	Place       string     `db:"place"`
	OnlineURL   string     `db:"online_url"`
	Title       string     `db:"title"`
	Provider    string     `db:"provider"`
	Name        string     `db:"name"`
	Platform    string     `db:"platform"`
	ChatID      string     `db:"chat_id"`
	// Notified: one of the person's unpaused links was reachable (linked,
	// not paused since) when the session last changed, so they got its
	// notice.
	Notified bool `db:"notified"`
}

// DueReminders plans the reminders that are due by now+window: for each
// enrolment of a scheduled session that has not started, whose ASN is
// active, has an unpaused chat link and has not answered "berhalangan", and
// for each offset whose moment (start − offset) falls before now+window. A
// moment that has passed is still planned as long as the session has not
// started, but only the latest passed one: someone enrolled two days before
// a session gets the 1-day reminder, not the 7-day one as well. Nor is
// it planned when the person answered Hadir after it passed (pressed
// "Ternyata bisa hadir" after a Berhalangan, say): they have just
// confirmed the session, and its reminder skipped or never planned
// meanwhile would only repeat what the confirmation said; the next
// moments still ahead are reminded as usual. Likewise after a change of
// the session (a new time, place or link, a reinstatement: see
// countChange), whose notice went to everyone enrolled and reachable
// then: a moment that passed before the change is not planned again as a
// late reminder beside the notice, only for someone enrolled, linked or
// resumed since.
//
// Keys name the enrolment, the offset, the session's start and version
// (see reminderKey), so planning again (every few minutes, or on two replicas)
// enqueues nothing twice, while a session moved to another time or place,
// or scheduled again after a cancellation, is reminded again with what is
// right now; NotBefore is the moment, ExpiresAt the session start. Each
// carries the condition that the session is still as the reminder
// describes it (see Holds), so that a reminder still waiting in the outbox
// (for a retry after a failed send) when its session is cancelled or
// changed is not sent. A person linked on several platforms
// is reminded on the most recently linked one. A late reminder (its moment
// passed) has NotBefore now and states the time actually left ("3 hari
// lagi", not "7 hari lagi"). Offsets default to DefaultReminderOffsets.
func (s *Store) DueReminders(ctx context.Context, now time.Time, offsets []time.Duration, window time.Duration) ([]Planned, error) {
	if len(offsets) == 0 {
		offsets = DefaultReminderOffsets
	}
	offsets = slices.Clone(offsets)
	slices.SortFunc(offsets, func(a, b time.Duration) int { return cmp.Compare(b, a) }) // largest first
	if window < 0 {
		window = 0
	}
	now = utc(now)
	horizon := now.Add(offsets[0] + window)
	var rows []reminderRow
	err := s.db.SelectContext(ctx, &rows, s.db.Rebind(`SELECT e.id AS enrolment_id, e.person_keys, e.nip, e.rsvp, e.rsvp_at, e.created_at AS enrolled_at, s.id AS session_id,
			s.starts_at, s.version, s.changed_at, s.ends_at, s.place, s.online_url, t.title, t.provider, a.name, l.platform, l.chat_id,
			EXISTS (SELECT 1 FROM account_links r WHERE r.nip = e.nip AND r.paused = FALSE AND r.reachable_at <= s.changed_at) AS notified
		FROM enrolments e
		JOIN training_sessions s ON s.id = e.session_id
		JOIN trainings t ON t.id = s.training_id
		JOIN asn a ON a.nip = e.nip
		JOIN account_links l ON l.nip = e.nip
		WHERE s.status = 'scheduled' AND s.starts_at > ? AND s.starts_at <= ?
			AND a.active = TRUE AND l.paused = FALSE AND e.rsvp <> 'berhalangan'
		ORDER BY e.id, l.chosen_at DESC, l.platform`), now, horizon)
	if err != nil {
		return nil, fmt.Errorf("training: unable to read enrolments for reminders: %w", err)
	}
	out := make([]Planned, 0, len(rows))
	var last int64
	for _, r := range rows {
		if r.EnrolmentID == last {
			continue // a further link of the same person
		}
		last = r.EnrolmentID
		start := r.Start.UTC()
		// The reminder to plan is the one with the smallest offset whose
		// moment falls before now+window: earlier ones are superseded.
		for i := len(offsets) - 1; i >= 0; i-- {
			at := start.Add(-offsets[i])
			if at.After(now.Add(window)) {
				continue
			}
			if r.RSVP == RSVPYes && r.RSVPAt != nil && !at.After(*r.RSVPAt) {
				break // confirmed since this moment: nothing late
			}
			if at.Before(now) && r.ChangedAt != nil && at.Before(*r.ChangedAt) && !r.EnrolledAt.After(*r.ChangedAt) &&
				r.Notified {
				break // the change notice told them since this moment: nothing late
			}
			if at.Before(now) {
				// Late (the person enrolled after the moment, or the hub
				// was down): it goes out now and says the time really left.
				at = now
			}
			p := Planned{
				Key:       reminderKey(r, offsets[i]),
				NIP:       r.NIP,
				Platform:  bots.Platform(r.Platform),
				ChatID:    r.ChatID,
				NotBefore: at,
				ExpiresAt: start,
				Condition: reminderCondition(r.EnrolmentID, start, r.Version),
			}
			p.Out = bots.Outgoing{Platform: p.Platform, ChatID: p.ChatID, Text: reminderText(r, start.Sub(at)), Buttons: rsvpButtons(r.EnrolmentID)}
			out = append(out, p)
			break
		}
	}
	return out, nil
}

// reminderKey is the outbox key of an enrolment's reminder at offset:
// "reminder:<nip>:<session>:<enrolment>:<offset>:<start>", the start in
// Unix seconds, followed by ":<version>" once the session has changed (see
// countChange). An ASN taken off a session and enrolled in it again has a
// new enrolment, whose reminders get keys of their own: the first
// enrolment's, sent or withdrawn while waiting for a retry (see Holds), do
// not swallow them. An enrolment made before keys named it (person_keys,
// migration 0034) keeps "reminder:<nip>:<session>:<offset>:<start>", the
// keys its reminders may already be in the outbox under.
func reminderKey(r reminderRow, offset time.Duration) string {
	key := "reminder:" + r.NIP + ":" + strconv.FormatInt(r.SessionID, 10) + ":"
	if !r.PersonKeys {
		key += strconv.FormatInt(r.EnrolmentID, 10) + ":"
	}
	key += FormatOffset(offset) + ":" + strconv.FormatInt(r.Start.UTC().Unix(), 10)
	if r.Version > 0 {
		key += ":" + strconv.FormatInt(r.Version, 10)
	}
	return key
}

// Until says how far away something is, in words: "7 hari", "2 jam",
// "90 menit". A day or more is in days, rounded to the nearest, so that a
// late reminder says "3 hari" for 2 days 23 hours and for 3 days 1 hour
// alike; under a day a whole number of hours is written exactly, other
// spans rounded to the nearest hour from two hours on.
func Until(d time.Duration) string {
	const day = 24 * time.Hour
	switch {
	case d >= day:
		return strconv.Itoa(int((d+day/2)/day)) + " hari"
	case d%time.Hour == 0 && d > 0:
		return strconv.Itoa(int(d/time.Hour)) + " jam"
	case d >= 2*time.Hour:
		return strconv.Itoa(int((d+time.Hour/2)/time.Hour)) + " jam"
	}
	return strconv.Itoa(max(1, int(d.Round(time.Minute)/time.Minute))) + " menit"
}

// reminderText writes a reminder for a session that starts left from when
// it goes out.
func reminderText(r reminderRow, left time.Duration) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Yth. Bapak/Ibu %s,\n\n", r.Name)
	fmt.Fprintf(&b, "Pengingat: pelatihan \"%s\" dimulai %s lagi.\n\n", r.Title, Until(left))
	writeSessionDetails(&b, r.Start, r.End, r.Place, r.OnlineURL, r.Provider)
	switch r.RSVP {
	case RSVPYes:
		b.WriteString("\nAnda sudah mengonfirmasi akan hadir. Bila ternyata berhalangan, tekan tombol Berhalangan.")
	default:
		b.WriteString("\nMohon konfirmasi kehadiran Anda dengan menekan salah satu tombol di bawah.")
	}
	return b.String()
}

func writeSessionDetails(b *strings.Builder, start, end time.Time, place, url, provider string) {
	fmt.Fprintf(b, "Waktu: %s\n", formatSpan(start, end))
	writePlace(b, place, url)
	if provider != "" {
		fmt.Fprintf(b, "Penyelenggara: %s\n", provider)
	}
}

func writePlace(b *strings.Builder, place, url string) {
	if place != "" {
		fmt.Fprintf(b, "Tempat: %s\n", place)
	}
	if url != "" {
		fmt.Fprintf(b, "Tautan daring: %s\n", url)
	}
}

// RSVP buttons carry "rsvp:<enrolment>:y" or "rsvp:<enrolment>:n".
func rsvpButtons(enrolmentID int64) [][]bots.Button {
	id := strconv.FormatInt(enrolmentID, 10)
	return [][]bots.Button{{
		{Text: "Hadir", Data: "rsvp:" + id + ":y"},
		{Text: "Berhalangan", Data: "rsvp:" + id + ":n"},
	}}
}

// ChangeRSVPButton is the button on an RSVP confirmation that changes the
// answer while the session has not started: "Berhalangan" after Hadir,
// "Ternyata bisa hadir" after Berhalangan.
func ChangeRSVPButton(enrolmentID int64, toYes bool) bots.Button {
	id := strconv.FormatInt(enrolmentID, 10)
	if toYes {
		return bots.Button{Text: "Ternyata bisa hadir", Data: "rsvp:" + id + ":y"}
	}
	return bots.Button{Text: "Berhalangan", Data: "rsvp:" + id + ":n"}
}

// ParseRSVPButton reads the data of a Hadir/Berhalangan button; ok is false
// for any other data.
func ParseRSVPButton(data string) (enrolmentID int64, yes bool, ok bool) {
	rest, found := strings.CutPrefix(data, "rsvp:")
	if !found {
		return 0, false, false
	}
	idText, answer, found := strings.Cut(rest, ":")
	id, err := strconv.ParseInt(idText, 10, 64)
	if !found || err != nil || id <= 0 || (answer != "y" && answer != "n") {
		return 0, false, false
	}
	return id, answer == "y", true
}

// currentEnrolment returns the enrolment of nip, now, in the session of
// enrolment removed, an enrolment taken off its session (see Unenrol). It
// fails with ErrNotYours when the removed enrolment was someone else's,
// and ErrNotFound when nip is not enrolled in that session any more or
// nothing says what the enrolment was.
func (s *Store) currentEnrolment(ctx context.Context, tx *sqlx.Tx, removed int64, nip string) (int64, error) {
	var r struct {
		SessionID int64  `db:"session_id"`
		NIP       string `db:"nip"`
	}
	err := tx.GetContext(ctx, &r, s.db.Rebind(`SELECT session_id, nip FROM enrolment_removals WHERE enrolment_id = ?`), removed)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, ErrNotFound
	}
	if err != nil {
		return 0, fmt.Errorf("training: unable to read an enrolment's removal: %w", err)
	}
	if r.NIP != nip {
		return 0, ErrNotYours
	}
	var id int64
	err = tx.GetContext(ctx, &id, s.db.Rebind(`SELECT id FROM enrolments WHERE session_id = ? AND nip = ?`), r.SessionID, nip)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, ErrNotFound
	}
	if err != nil {
		return 0, fmt.Errorf("training: unable to fetch enrolment: %w", err)
	}
	return id, nil
}

// RecordRSVP records whether the ASN nip will attend the session of an
// enrolment, with a reason when not (the handler asks for it after
// "Berhalangan" and calls again with it). It fails with ErrNotYours when
// the enrolment is not nip's (a forwarded message, a group chat),
// ErrNotFound when it does not exist (an enrolment taken off its session
// stands for the person's enrolment in that session since, if any), ErrSessionClosed once the session
// has started or was cancelled, and a *TooLongError for a reason over
// MaxRSVPReason characters; nothing is recorded then. Without
// a reason, a "Berhalangan" keeps the one recorded before. It returns the
// session, for the confirmation message.
func (s *Store) RecordRSVP(ctx context.Context, tx *sqlx.Tx, enrolmentID int64, nip string, yes bool, reason string, now time.Time) (Session, error) {
	now = utc(now)
	var sess Session
	var e struct {
		NIP       string `db:"nip"`
		SessionID int64  `db:"session_id"`
	}
	err := tx.GetContext(ctx, &e, s.db.Rebind(`SELECT nip, session_id FROM enrolments WHERE id = ?`), enrolmentID)
	if errors.Is(err, sql.ErrNoRows) {
		// Taken off the session since the button was sent, and perhaps
		// enrolled in it again: the answer is for that enrolment.
		if enrolmentID, err = s.currentEnrolment(ctx, tx, enrolmentID, nip); err != nil {
			return Session{}, err
		}
		err = tx.GetContext(ctx, &e, s.db.Rebind(`SELECT nip, session_id FROM enrolments WHERE id = ?`), enrolmentID)
	}
	if err != nil {
		return Session{}, fmt.Errorf("training: unable to fetch enrolment: %w", err)
	}
	if e.NIP != nip {
		return Session{}, ErrNotYours
	}
	if err := tx.GetContext(ctx, &sess, s.db.Rebind(`SELECT `+sessionSelect+` FROM training_sessions s JOIN trainings t ON t.id = s.training_id WHERE s.id = ?`), e.SessionID); err != nil {
		return Session{}, fmt.Errorf("training: unable to fetch session: %w", err)
	}
	sess.normalise()
	if sess.Status != Scheduled || !now.Before(sess.Start) {
		return Session{}, ErrSessionClosed
	}
	rsvp, why := RSVPYes, ""
	if !yes {
		rsvp, why = RSVPNo, strings.TrimSpace(reason)
		if err := tooLong(why, MaxRSVPReason, true); err != nil {
			return Session{}, err
		}
	}
	// "Berhalangan" pressed again before a reason is typed (the handler
	// asks anew) keeps the reason given before.
	keep := !yes && why == ""
	_, err = tx.ExecContext(ctx, s.db.Rebind(`UPDATE enrolments SET rsvp_reason = CASE WHEN ? AND rsvp = 'berhalangan' THEN rsvp_reason ELSE ? END,
		rsvp = ?, rsvp_at = ? WHERE id = ?`), keep, why, string(rsvp), now, enrolmentID)
	if err != nil {
		return Session{}, fmt.Errorf("training: unable to record RSVP: %w", err)
	}
	return sess, nil
}

// RSVPChangeHint closes the replies to "Berhalangan": the answer can
// still change.
const RSVPChangeHint = "Bila ternyata bisa hadir, tekan tombol di bawah atau ketik \"hadir\" sebelum pelatihan dimulai."

// RSVPConfirmation is the reply after an RSVP: a thank-you for "Hadir"; for
// "Berhalangan" without a reason yet, the request for a short reason.
func RSVPConfirmation(sess Session, yes bool, reasonGiven bool) string {
	switch {
	case yes:
		return fmt.Sprintf("Terima kasih, kehadiran Anda pada pelatihan \"%s\" (%s) sudah kami catat. "+
			"Bila ternyata berhalangan, tekan tombol Berhalangan atau ketik \"tidak bisa\" sebelum pelatihan dimulai.", sess.Title, FormatWIB(sess.Start))
	case !reasonGiven:
		return fmt.Sprintf("Baik, Anda kami catat berhalangan hadir pada pelatihan \"%s\". Mohon tuliskan alasan singkatnya (misalnya: dinas luar, sakit).", sess.Title)
	default:
		return "Terima kasih, alasan Anda sudah kami catat dan akan diteruskan kepada penyelenggara. " + RSVPChangeHint
	}
}

// ChangeNotices plans the messages that tell enrolled ASN about session
// changes returned by ImportSessions: a new time, a new place or link, a
// cancellation, a reinstatement. A new time and a new place found
// together (one import or one edit changed both) make one notice, of kind
// "rescheduled-moved", stating both. Recipients are active, with an
// unpaused link; keys are
// "session-change:<session>:<nip>:<kind>:<at>:<version>", at being now in
// Unix microseconds and version the one the change brought the session to:
// the caller plans the notices of a change once, in the transaction that
// makes it (importing the same file again changes nothing, so it announces
// nothing), and a session cancelled, scheduled again and cancelled again is
// announced each time, even within one microsecond of a clock that stands
// still. (Keys planned before had no version; nothing plans those again.)
// Each notice carries
// the condition that the session has not changed again since (see Holds),
// so that one still waiting in the outbox when a later change or a
// cancellation supersedes it is not sent before, or instead of, the later
// notice; every notice but a cancellation therefore states the session's
// time and place in full.
func (s *Store) ChangeNotices(ctx context.Context, q storage.Querier, changes []SessionChange, now time.Time) ([]Planned, error) {
	now = utc(now)
	var out []Planned
	for _, n := range oneNoticeEach(changes) {
		c := n.change
		var rows []struct {
			EnrolmentID int64  `db:"id"`
			NIP         string `db:"nip"`
			Name        string `db:"name"`
			Platform    string `db:"platform"`
			ChatID      string `db:"chat_id"`
			Version     int64  `db:"version"`
			RSVP        RSVP   `db:"rsvp"`
		}
		err := q.SelectContext(ctx, &rows, s.db.Rebind(`SELECT e.id, e.nip, a.name, l.platform, l.chat_id, s.version, e.rsvp
			FROM enrolments e JOIN asn a ON a.nip = e.nip JOIN account_links l ON l.nip = e.nip
				JOIN training_sessions s ON s.id = e.session_id
			WHERE e.session_id = ? AND a.active = TRUE AND l.paused = FALSE
			ORDER BY e.id, l.chosen_at DESC, l.platform`), c.Session)
		if err != nil {
			return nil, fmt.Errorf("training: unable to read enrolments of a changed session: %w", err)
		}
		expires := c.New.Start
		if c.Kind == ChangeCancelled {
			expires = c.Old.Start
		}
		if !now.Before(expires) {
			continue // the session has started: nothing worth announcing
		}
		var last int64
		for _, r := range rows {
			if r.EnrolmentID == last {
				continue
			}
			last = r.EnrolmentID
			p := Planned{
				Key: "session-change:" + strconv.FormatInt(c.Session, 10) + ":" + r.NIP + ":" + n.kind + ":" +
					strconv.FormatInt(now.UnixMicro(), 10) + ":" + strconv.FormatInt(r.Version, 10),
				NIP:       r.NIP,
				Platform:  bots.Platform(r.Platform),
				ChatID:    r.ChatID,
				NotBefore: now,
				ExpiresAt: expires,
				Condition: sessionCondition(c.Session, r.Version),
			}
			p.Out = bots.Outgoing{Platform: p.Platform, ChatID: p.ChatID, Text: changeText(c, n.alsoMoved(), r.Name, r.Version > 1, r.RSVP)}
			if c.Kind != ChangeCancelled {
				p.Out.Buttons = rsvpButtons(r.EnrolmentID)
			}
			out = append(out, p)
		}
	}
	return out, nil
}

// changeNotice is what one notice announces: a change, and the kind in
// the notice's key, rescheduledMoved for a new time whose place changed
// with it.
type changeNotice struct {
	change SessionChange
	kind   string
}

// rescheduledMoved is the key kind of a notice of a new time and place.
const rescheduledMoved = string(ChangeRescheduled) + "-" + string(ChangeMoved)

// alsoMoved reports whether the notice of a new time states a new place.
func (n changeNotice) alsoMoved() bool { return n.kind == rescheduledMoved }

// oneNoticeEach pairs the new time and the new place of a session found
// together (diffSession reports both, for the same session before and
// after) into one notice; every other change is a notice of its own.
func oneNoticeEach(changes []SessionChange) []changeNotice {
	partner := map[ChangeKind]ChangeKind{ChangeRescheduled: ChangeMoved, ChangeMoved: ChangeRescheduled}
	var out []changeNotice
	merged := make([]bool, len(changes))
	for i, c := range changes {
		if merged[i] {
			continue
		}
		n := changeNotice{change: c, kind: string(c.Kind)}
		if other, ok := partner[c.Kind]; ok {
			for j := i + 1; j < len(changes); j++ {
				if m := changes[j]; merged[j] || m.Kind != other || m.Session != c.Session || !sameSession(m.New, c.New) {
					continue
				}
				merged[j] = true
				n = changeNotice{change: c, kind: rescheduledMoved}
				n.change.Kind = ChangeRescheduled
				break
			}
		}
		out = append(out, n)
	}
	return out
}

// sameSession tells whether a and b are the same session at the same time
// and place.
func sameSession(a, b Session) bool {
	return a.ID == b.ID && a.Start.Equal(b.Start) && a.End.Equal(b.End) && a.Place == b.Place && a.OnlineURL == b.OnlineURL
}

// changeText writes the notice of a change to an ASN. It states the
// session as it is now and never the time it had before: the person may
// never have been told that one (the reminder naming it still waited in
// the outbox, or the notice of an earlier change was superseded and not
// sent). A cancellation names the session by the time it last had,
// "terakhir" when changedBefore (the session had changed before this
// change), so that it reads right to someone who only knew an earlier
// time. Every other notice ends with the person's answer on record (rsvp),
// which the change leaves as it was, and how to change it; only someone who
// has not answered is asked to.
func changeText(c SessionChange, alsoMoved bool, name string, changedBefore bool, rsvp RSVP) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Yth. Bapak/Ibu %s,\n\n", name)
	n := c.New
	switch {
	case c.Kind == ChangeRescheduled || c.Kind == ChangeMoved:
		// The time and place in force, whichever changed: a notice of
		// the other queued before may be superseded by this one, and
		// not sent.
		what := "Tempat"
		switch {
		case alsoMoved:
			what = "Jadwal dan tempat"
		case c.Kind == ChangeRescheduled:
			what = "Jadwal"
		}
		fmt.Fprintf(&b, "%s pelatihan \"%s\" berubah. Waktu dan tempat yang berlaku sekarang:\n", what, n.Title)
		writeSessionDetails(&b, n.Start, n.End, n.Place, n.OnlineURL, "")
	case c.Kind == ChangeCancelled:
		last := ""
		if changedBefore {
			last = "terakhir "
		}
		fmt.Fprintf(&b, "Pelatihan \"%s\" yang %sdijadwalkan pada %s dibatalkan. Mohon maaf atas perubahan ini. Bila ada jadwal pengganti, akan kami sampaikan.",
			n.Title, last, FormatWIB(c.Old.Start))
		return b.String()
	case c.Kind == ChangeReinstated:
		fmt.Fprintf(&b, "Pelatihan \"%s\" dijadwalkan kembali.\n", n.Title)
		writeSessionDetails(&b, n.Start, n.End, n.Place, n.OnlineURL, "")
	}
	switch rsvp {
	case RSVPYes:
		b.WriteString("\nKonfirmasi hadir Anda tetap tercatat. Bila dengan jadwal ini Anda berhalangan, tekan tombol Berhalangan.")
	case RSVPNo:
		b.WriteString("\nAnda tercatat berhalangan hadir. Bila dengan jadwal ini Anda bisa hadir, tekan tombol Hadir.")
	default:
		b.WriteString("\nMohon konfirmasi kehadiran Anda dengan menekan salah satu tombol di bawah.")
	}
	return b.String()
}

// rsvpWords are the typed answers understood as an RSVP, after
// normaliseRSVPWords: true for attending, false for not.
var rsvpWords = map[string]bool{
	"hadir": true, "bisa hadir": true, "saya hadir": true, "saya bisa hadir": true, "ya hadir": true,
	"siap hadir": true, "insya allah hadir": true, "insyaallah hadir": true, "jadi hadir": true,
	"ternyata bisa hadir": true, "saya jadi hadir": true, "bisa datang": true, "saya bisa datang": true,
	"ternyata saya bisa hadir": true, "ternyata bisa datang": true, "ternyata saya bisa datang": true,
	"jadi bisa hadir": true, "saya jadi bisa hadir": true,

	"tidak bisa": false, "tidak bisa hadir": false, "tidak hadir": false, "tidak jadi hadir": false,
	"berhalangan": false, "berhalangan hadir": false, "saya berhalangan": false, "saya tidak bisa hadir": false,
	"saya tidak bisa": false, "tidak bisa datang": false, "batal hadir": false,
	"tdk bisa": false, "tdk bisa hadir": false, "gak bisa": false, "gak bisa hadir": false, "ga bisa": false,
	"ga bisa hadir": false, "nggak bisa": false, "nggak bisa hadir": false, "enggak bisa hadir": false,
}

// ParseRSVPWords reads a typed RSVP such as "hadir", "Bisa hadir!" or
// "tidak bisa"; ok is false for any other text, which stays an ordinary
// message.
func ParseRSVPWords(text string) (yes bool, ok bool) {
	yes, ok = rsvpWords[normaliseRSVPWords(text)]
	return yes, ok
}

func normaliseRSVPWords(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		case r >= 'a' && r <= 'z':
			return r
		}
		return ' '
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// PendingRSVP is an enrolment whose RSVP may still be given or changed.
type PendingRSVP struct {
	EnrolmentID int64
	RSVP        RSVP
	Session     Session
}

// RSVPTargets returns what a typed RSVP of the ASN nip can apply to at
// now: their enrolments in scheduled sessions that have not started,
// soonest first. started is true when none is open but one of their
// sessions is under way or ended within the past day, so that the reply
// can say the answer can no longer be changed.
func (s *Store) RSVPTargets(ctx context.Context, q storage.Querier, nip string, now time.Time) (open []PendingRSVP, started bool, err error) {
	now = utc(now)
	var rows []struct {
		Session
		EnrolmentID int64 `db:"enrolment_id"`
		RSVP        RSVP  `db:"rsvp"`
	}
	err = q.SelectContext(ctx, &rows, s.db.Rebind(`SELECT e.id AS enrolment_id, e.rsvp, `+sessionSelect+`
		FROM enrolments e JOIN training_sessions s ON s.id = e.session_id JOIN trainings t ON t.id = s.training_id
		WHERE e.nip = ? AND s.status = 'scheduled' AND s.ends_at > ?
		ORDER BY s.starts_at, s.id`), nip, now.Add(-24*time.Hour))
	if err != nil {
		return nil, false, fmt.Errorf("training: unable to read enrolments for an RSVP: %w", err)
	}
	for _, r := range rows {
		r.Session.normalise()
		if r.Session.Start.After(now) {
			open = append(open, PendingRSVP{EnrolmentID: r.EnrolmentID, RSVP: r.RSVP, Session: r.Session})
		} else {
			started = true
		}
	}
	return open, started && len(open) == 0, nil
}

package training

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/tebingtinggi/hub/storage"
)

// One enrolment at a time, as the web admin edits them: the same rules as
// a row of an enrolment file (ImportEnrolments), each refusal an
// ImportErrors naming its field.

// EnrolmentRecord is what the audit log keeps of an enrolment: not the
// RSVP's reason, which the ASN wrote.
type EnrolmentRecord struct {
	Session  string `json:"session"`
	NIP      string `json:"nip"`
	Attended *bool  `json:"attended"`
}

func fieldError(field, format string, args ...any) ImportErrors {
	return ImportErrors{{Field: field, Msg: fmt.Sprintf(format, args...)}}
}

// Enrol enrols the ASN with NIP nip (written with or without spaces) in
// session id. An unknown or invalid NIP, an ASN already enrolled, or a
// cancelled session is refused, and so is an inactive ASN in a session
// that has not begun: they would get no reminder and no survey, unseen
// (a session that has begun takes them, to record what happened).
func (s *Store) Enrol(ctx context.Context, id int64, nip string) (EnrolmentRecord, error) {
	nip, err := NormalizeNIP(nip)
	if err != nil {
		return EnrolmentRecord{}, fieldError("nip", "%v", err)
	}
	var out EnrolmentRecord
	err = s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		ses, err := s.lockedSession(ctx, tx, id)
		if err != nil {
			return err
		}
		if ses.Status == Cancelled {
			return fieldError("nip", "sesi %s dibatalkan; peserta tidak dapat ditambahkan", ses.Code)
		}
		var people []struct {
			Name   string `db:"name"`
			Active bool   `db:"active"`
		}
		if err := tx.SelectContext(ctx, &people, s.db.Rebind(`SELECT name, active FROM asn WHERE nip = ?`), nip); err != nil {
			return fmt.Errorf("training: unable to look for ASN: %w", err)
		}
		if len(people) == 0 {
			return fieldError("nip", "NIP %s tidak dikenal (tambahkan ASN di direktori atau impor data ASN terlebih dahulu)", nip)
		}
		if p := people[0]; !p.Active && ses.Start.After(s.now()) {
			return fieldError("nip", "%s (NIP %s) tidak aktif, sehingga tidak akan menerima pengingat maupun survei; "+
				"aktifkan kembali di direktori ASN bila ia memang mengikuti sesi ini", p.Name, nip)
		}
		res, err := tx.ExecContext(ctx, s.db.Rebind(`INSERT INTO enrolments (session_id, nip, created_at) VALUES (?, ?, ?)
			ON CONFLICT (session_id, nip) DO NOTHING`), id, nip, utc(s.now()))
		if err != nil {
			return fmt.Errorf("training: unable to enrol in session %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fieldError("nip", "NIP %s sudah terdaftar pada sesi %s", nip, ses.Code)
		}
		out = EnrolmentRecord{Session: ses.Code, NIP: nip}
		return nil
	})
	return out, err
}

// lockedEnrolment reads nip's enrolment in session ses for update.
func (s *Store) lockedEnrolment(ctx context.Context, tx *sqlx.Tx, ses Session, nip string) (EnrolmentRecord, error) {
	out := EnrolmentRecord{Session: ses.Code, NIP: nip}
	lock := ""
	if s.db.Dialect == storage.Postgres {
		lock = ` FOR UPDATE`
	}
	if err := tx.GetContext(ctx, &out.Attended, s.db.Rebind(`SELECT attended FROM enrolments WHERE session_id = ? AND nip = ?`+lock),
		ses.ID, nip); err != nil {
		return EnrolmentRecord{}, notFound(err, "read the enrolment")
	}
	return out, nil
}

// SetAttendance records whether nip attended session id (nil: not known),
// once the session has started, and returns the enrolment before and
// after. Absence withdraws the person's unfinished invitations to the
// session's surveys, as taking them off the session (Unenrol) does.
func (s *Store) SetAttendance(ctx context.Context, id int64, nip string, attended *bool) (before, after EnrolmentRecord, err error) {
	err = s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		ses, err := s.lockedSession(ctx, tx, id)
		if err != nil {
			return err
		}
		if before, err = s.lockedEnrolment(ctx, tx, ses, nip); err != nil {
			return err
		}
		if attended != nil && ses.Start.After(s.now()) {
			return fieldError("attended", "sesi %s belum berlangsung (dimulai %s): catat kehadiran setelah sesi dimulai", ses.Code, FormatWIB(ses.Start))
		}
		if _, err := tx.ExecContext(ctx, s.db.Rebind(`UPDATE enrolments SET attended = ? WHERE session_id = ? AND nip = ?`),
			attended, id, nip); err != nil {
			return fmt.Errorf("training: unable to record attendance: %w", err)
		}
		if err := s.withdrawAbsent(ctx, tx, id); err != nil {
			return err
		}
		after = before
		after.Attended = attended
		return nil
	})
	return before, after, err
}

// Unenrol removes nip from session id, unless their attendance is
// recorded: that counts towards their JP and stays. The removal is
// recorded, so that the RSVP buttons the person already has act on their
// enrolment should they be enrolled again (see RecordRSVP).
func (s *Store) Unenrol(ctx context.Context, id int64, nip string) (EnrolmentRecord, error) {
	var out EnrolmentRecord
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		ses, err := s.lockedSession(ctx, tx, id)
		if err != nil {
			return err
		}
		if out, err = s.lockedEnrolment(ctx, tx, ses, nip); err != nil {
			return err
		}
		if out.Attended != nil {
			return &InUseError{Msg: "kehadiran " + nip + " pada sesi " + ses.Code + " sudah dicatat dan dihitung dalam JP-nya; ubah kehadirannya bila keliru"}
		}
		if _, err := tx.ExecContext(ctx, s.db.Rebind(`INSERT INTO enrolment_removals (enrolment_id, session_id, nip, removed_at)
			SELECT id, session_id, nip, ? FROM enrolments WHERE session_id = ? AND nip = ?`), utc(s.now()), id, nip); err != nil {
			return fmt.Errorf("training: unable to record an enrolment's removal: %w", err)
		}
		if _, err := tx.ExecContext(ctx, s.db.Rebind(`DELETE FROM enrolments WHERE session_id = ? AND nip = ?`), id, nip); err != nil {
			return fmt.Errorf("training: unable to unenrol: %w", err)
		}
		return s.withdrawAbsent(ctx, tx, id)
	})
	return out, err
}

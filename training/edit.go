package training

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/tebingtinggi/hub/outbox"
	"github.com/tebingtinggi/hub/storage"
)

// Single-record edits, for the web admin's forms. A form carries the
// revision of the record it shows; a save or deletion is refused with
// ErrChanged when the record has changed since (another officer's save, an
// import), so that nobody overwrites a change they have not seen. The
// values typed are checked by the same rules as a row of the import file.

// ErrChanged is an edit refused because the record changed since the
// revision the form was made from.
var ErrChanged = errors.New("training: the record changed since it was read")

// InUseError is a deletion refused because other records still need the
// record; Msg says which, in Indonesian.
type InUseError struct{ Msg string }

func (e *InUseError) Error() string { return e.Msg }

// formFile names a form in the ImportErrors of an edit.
const formFile = "formulir"

// revisionOf is a short digest of a record's stored fields.
func revisionOf(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // plain structs of strings, numbers and times
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

// Revision identifies the training's stored content, for edits.
func (t Training) Revision() string {
	t.UpdatedAt = t.UpdatedAt.UTC()
	return revisionOf(t)
}

// Revision identifies the ASN's stored record, for edits.
func (a ASN) Revision() string {
	a.UpdatedAt = a.UpdatedAt.UTC()
	return revisionOf(a)
}

// formRecord is what an officer typed into a form, as a row of an import
// file without a line.
func formRecord(cells map[string]string) csvRecord {
	rec := csvRecord{cells: make(map[string]string, len(cells))}
	for k, v := range cells {
		rec.cells[k] = strings.TrimSpace(v)
	}
	return rec
}

// forUpdate locks the rows a read in a transaction returns until it ends,
// on PostgreSQL; SQLite's transactions here take the write lock at once.
func (s *Store) forUpdate() string {
	if s.db.Dialect == storage.Postgres {
		return ` FOR UPDATE`
	}
	return ``
}

// UpdateTraining saves a training's title, competency, hours and provider
// (cells, as typed) if it is still at revision rev. It returns the
// training before and after; with ErrChanged, before is the current one.
// Invalid values are ImportErrors of the form, naming the field.
func (s *Store) UpdateTraining(ctx context.Context, id int64, cells map[string]string, rev string) (before, after Training, err error) {
	err = s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		if err := tx.GetContext(ctx, &before, s.db.Rebind(`SELECT id, code, title, competency, hours, provider, updated_at
			FROM trainings WHERE id = ?`+s.forUpdate()), id); err != nil {
			return notFound(err, "read the training")
		}
		before.UpdatedAt = before.UpdatedAt.UTC()
		if before.Revision() != rev {
			return ErrChanged
		}
		rec := formRecord(cells)
		rec.cells["code"] = before.Code
		p := &problems{file: formFile}
		checkCells(rec, p)
		t := trainingOf(rec, p, map[string]int{})
		if err := p.err(); err != nil {
			return err
		}
		after = before
		after.Title, after.Competency, after.Hours, after.Provider = t.Title, t.Competency, t.Hours, t.Provider
		if after == before {
			return nil
		}
		after.UpdatedAt = utc(s.now())
		if _, err := tx.ExecContext(ctx, s.db.Rebind(`UPDATE trainings SET title = ?, competency = ?, hours = ?, provider = ?, updated_at = ?
			WHERE id = ?`), after.Title, after.Competency, after.Hours, after.Provider, after.UpdatedAt, id); err != nil {
			return fmt.Errorf("training: unable to update training %d: %w", id, err)
		}
		return nil
	})
	return before, after, err
}

// DeleteTraining deletes a training without sessions if it is still at
// revision rev, and returns it; one with sessions is an InUseError.
func (s *Store) DeleteTraining(ctx context.Context, id int64, rev string) (Training, error) {
	var t Training
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		if err := tx.GetContext(ctx, &t, s.db.Rebind(`SELECT id, code, title, competency, hours, provider, updated_at
			FROM trainings WHERE id = ?`+s.forUpdate()), id); err != nil {
			return notFound(err, "read the training")
		}
		t.UpdatedAt = t.UpdatedAt.UTC()
		if t.Revision() != rev {
			return ErrChanged
		}
		var sessions int
		if err := tx.GetContext(ctx, &sessions, s.db.Rebind(`SELECT COUNT(*) FROM training_sessions WHERE training_id = ?`), id); err != nil {
			return fmt.Errorf("training: unable to count sessions: %w", err)
		}
		if sessions > 0 {
			return &InUseError{Msg: fmt.Sprintf("pelatihan %s masih punya %d sesi; hapus sesinya terlebih dahulu", t.Code, sessions)}
		}
		if _, err := tx.ExecContext(ctx, s.db.Rebind(`DELETE FROM trainings WHERE id = ?`), id); err != nil {
			return fmt.Errorf("training: unable to delete training %d: %w", id, err)
		}
		return nil
	})
	return t, err
}

// lockedASN reads an ASN in tx, locked until tx ends.
func (s *Store) lockedASN(ctx context.Context, tx *sqlx.Tx, nip string) (ASN, error) {
	var a ASN
	if err := tx.GetContext(ctx, &a, s.db.Rebind(`SELECT `+asnSelect+` FROM asn WHERE nip = ?`+s.forUpdate()), nip); err != nil {
		return ASN{}, notFound(err, "read the ASN")
	}
	a.UpdatedAt = a.UpdatedAt.UTC()
	return a, nil
}

// UpdateASN saves an ASN's name, unit, position, supervisor and whether
// they are active (cells, as typed, "ya" or "tidak" for active) if the
// record is still at revision rev. It returns the record before and
// after; with ErrChanged, before is the current one. Invalid values are
// ImportErrors of the form, naming the field.
func (s *Store) UpdateASN(ctx context.Context, nip string, cells map[string]string, rev string) (before, after ASN, err error) {
	err = s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		if before, err = s.lockedASN(ctx, tx, nip); err != nil {
			return err
		}
		if before.Revision() != rev {
			return ErrChanged
		}
		rec := formRecord(cells)
		rec.cells["nip"] = before.NIP
		p := &problems{file: formFile}
		checkCells(rec, p)
		row := asnOf(rec, p, map[string]int{})
		if err := checkASNReferences(ctx, tx, []asnRow{row}, p); err != nil {
			return err
		}
		if err := p.err(); err != nil {
			return err
		}
		after = row.ASN
		after.UpdatedAt = before.UpdatedAt
		if after == before {
			return nil
		}
		after.UpdatedAt = utc(s.now())
		if _, err := tx.ExecContext(ctx, s.db.Rebind(`UPDATE asn SET name = ?, unit_code = ?, position = ?, supervisor_nip = ?, active = ?, updated_at = ?
			WHERE nip = ?`), after.Name, after.UnitCode, after.Position, nullString(after.SupervisorNIP), after.Active, after.UpdatedAt, nip); err != nil {
			return fmt.Errorf("training: unable to update ASN: %w", err)
		}
		return nil
	})
	return before, after, err
}

// DeleteASN deletes an ASN who has no history yet (no enrolment, chat
// account, link code, survey invitation or JP record, and supervises
// nobody) if the record is still at revision rev, and returns it. One with
// a history is an InUseError: such a person is made inactive instead, so
// that reports keep what they did.
func (s *Store) DeleteASN(ctx context.Context, nip, rev string) (ASN, error) {
	var a ASN
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		if a, err = s.lockedASN(ctx, tx, nip); err != nil {
			return err
		}
		if a.Revision() != rev {
			return ErrChanged
		}
		var uses int
		if err := tx.GetContext(ctx, &uses, s.db.Rebind(`SELECT
			(SELECT COUNT(*) FROM enrolments WHERE nip = ?) + (SELECT COUNT(*) FROM account_links WHERE nip = ?) +
			(SELECT COUNT(*) FROM link_codes WHERE nip = ?) + (SELECT COUNT(*) FROM survey_invitations WHERE nip = ?) +
			(SELECT COUNT(*) FROM jp_records WHERE nip = ?) + (SELECT COUNT(*) FROM asn WHERE supervisor_nip = ?)`),
			nip, nip, nip, nip, nip, nip); err != nil {
			return fmt.Errorf("training: unable to look for the ASN's records: %w", err)
		}
		if uses > 0 {
			return &InUseError{Msg: "ASN ini sudah punya riwayat (pendaftaran pelatihan, akun chat, kode tautan, survei, JP, atau bawahan); " +
				"ubah statusnya menjadi tidak aktif agar riwayatnya tetap tercatat"}
		}
		// A withdrawn invitation is no history of the person's: it only
		// explains their survey button.
		if _, err := tx.ExecContext(ctx, s.db.Rebind(`DELETE FROM survey_withdrawals WHERE nip = ?`), nip); err != nil {
			return fmt.Errorf("training: unable to delete ASN: %w", err)
		}
		// Nor is an enrolment taken back: it only explains old buttons.
		if _, err := tx.ExecContext(ctx, s.db.Rebind(`DELETE FROM enrolment_removals WHERE nip = ?`), nip); err != nil {
			return fmt.Errorf("training: unable to delete ASN: %w", err)
		}
		if _, err := tx.ExecContext(ctx, s.db.Rebind(`DELETE FROM asn WHERE nip = ?`), nip); err != nil {
			return fmt.Errorf("training: unable to delete ASN: %w", err)
		}
		return nil
	})
	return a, err
}

// Revision identifies the session's stored fields, for edits.
func (s Session) Revision() string {
	s.normalise()
	s.Title = "" // the training's, edited there
	return revisionOf(s)
}

// SessionCells are a session's editable fields as a form shows them: the
// times in the session's own time zone, as the session file writes them.
func (s Session) SessionCells() map[string]string {
	loc, err := time.LoadLocation(s.TimeZone)
	if err != nil {
		loc = WIB
	}
	const layout = "2006-01-02 15:04"
	return map[string]string{"start": s.Start.In(loc).Format(layout), "end": s.End.In(loc).Format(layout), "place": s.Place,
		"online_url": s.OnlineURL, "status": string(s.Status), "tz": s.TimeZone}
}

// UpdateSession saves a session's start, end, place, online link, status
// and time zone (cells, as typed, read as a row of the session file) if it
// is still at revision rev, in tx, the caller's transaction, which also
// enqueues the notices of the changes it returns (see ChangeNotices). It
// returns the session before and after; with ErrChanged, before is the
// current one. Invalid values are ImportErrors of the form.
func (s *Store) UpdateSession(ctx context.Context, tx *sqlx.Tx, id int64, cells map[string]string, rev string) (before, after Session, changes []SessionChange, err error) {
	if before, err = s.lockedSession(ctx, tx, id); err != nil {
		return before, after, nil, err
	}
	if before.Revision() != rev {
		return before, after, nil, ErrChanged
	}
	rec := formRecord(cells)
	rec.cells["code"], rec.cells["training"] = before.Code, before.TrainingCode
	p := &problems{file: formFile}
	checkCells(rec, p)
	row := sessionOf(rec, p, map[string]int{}, s.now())
	if err := p.err(); err != nil {
		return before, after, nil, err
	}
	after = row.Session
	after.ID, after.TrainingID, after.Title = before.ID, before.TrainingID, before.Title
	after.normalise()
	if after.Revision() == before.Revision() {
		return before, before, nil, nil
	}
	if _, err := tx.ExecContext(ctx, s.db.Rebind(`UPDATE training_sessions SET starts_at = ?, ends_at = ?, place = ?, online_url = ?,
		time_zone = ?, status = ?, updated_at = ? WHERE id = ?`), utc(after.Start), utc(after.End), after.Place, after.OnlineURL,
		after.TimeZone, string(after.Status), utc(s.now()), id); err != nil {
		return before, after, nil, fmt.Errorf("training: unable to update session %d: %w", id, err)
	}
	changes = diffSession(before, after)
	if len(changes) > 0 {
		if err := s.countChange(ctx, tx, id, s.now()); err != nil {
			return before, after, nil, err
		}
	}
	if err := s.retractRounds(ctx, tx, changes, utc(s.now())); err != nil {
		return before, after, nil, err
	}
	return before, after, changes, nil
}

func (s *Store) lockedSession(ctx context.Context, tx *sqlx.Tx, id int64) (Session, error) {
	var out Session
	// FOR UPDATE cannot lock the joined training's row on PostgreSQL
	// without locking it too; OF s keeps the lock on the session.
	lock := ""
	if s.db.Dialect == storage.Postgres {
		lock = ` FOR UPDATE OF s`
	}
	if err := tx.GetContext(ctx, &out, s.db.Rebind(`SELECT `+sessionSelect+` FROM training_sessions s JOIN trainings t ON t.id = s.training_id
		WHERE s.id = ?`+lock), id); err != nil {
		return Session{}, notFound(err, "read the session")
	}
	out.normalise()
	return out, nil
}

// DeleteSession deletes a session nobody is enrolled in and no survey
// round belongs to, if it is still at revision rev, and returns it; one
// with enrolments or rounds is an InUseError (cancel it instead, which
// tells the enrolled ASN).
func (s *Store) DeleteSession(ctx context.Context, id int64, rev string) (Session, error) {
	var out Session
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		if out, err = s.lockedSession(ctx, tx, id); err != nil {
			return err
		}
		if out.Revision() != rev {
			return ErrChanged
		}
		var uses int
		if err := tx.GetContext(ctx, &uses, s.db.Rebind(`SELECT (SELECT COUNT(*) FROM enrolments WHERE session_id = ?) +
			(SELECT COUNT(*) FROM survey_rounds WHERE session_id = ?)`), id, id); err != nil {
			return fmt.Errorf("training: unable to look for the session's records: %w", err)
		}
		if uses > 0 {
			return &InUseError{Msg: "sesi " + out.Code + " sudah punya peserta atau survei; ubah statusnya menjadi dibatalkan agar peserta diberi tahu"}
		}
		if _, err := tx.ExecContext(ctx, s.db.Rebind(`DELETE FROM enrolment_removals WHERE session_id = ?`), id); err != nil {
			return fmt.Errorf("training: unable to delete session %d: %w", id, err)
		}
		if _, err := tx.ExecContext(ctx, s.db.Rebind(`DELETE FROM training_sessions WHERE id = ?`), id); err != nil {
			return fmt.Errorf("training: unable to delete session %d: %w", id, err)
		}
		return nil
	})
	return out, err
}

// OutboxMessages are planned messages as the outbox takes them.
func OutboxMessages(ps []Planned) []outbox.Message {
	msgs := make([]outbox.Message, len(ps))
	for i, p := range ps {
		msgs[i] = outbox.Message{Key: p.Key, Out: p.Out, NotBefore: p.NotBefore, ExpiresAt: p.ExpiresAt, Condition: p.Condition}
	}
	return msgs
}

package training

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"

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
		if _, err := tx.ExecContext(ctx, s.db.Rebind(`DELETE FROM asn WHERE nip = ?`), nip); err != nil {
			return fmt.Errorf("training: unable to delete ASN: %w", err)
		}
		return nil
	})
	return a, err
}

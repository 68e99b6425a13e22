package training

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/storage"
)

// Erase carries out a person's request to erase their data (/hapusdata
// from a chat account) for the training domain, in tx. When the account
// is linked to an ASN it erases what the ASN typed, whatever platform
// they typed it on: every Berhalangan reason, the free-text answers of
// named survey rounds, and any unfinished anonymous response (its answers
// and the token on the invitation that joins it to the NIP, so that the
// invitation counts as not started). Then it removes the account's link.
// The ASN record, enrolments, attendance, scores and choices stay: they
// are the staff list's and the organisers' records, not the chat's.
// Completed anonymous responses stay too, since nothing joins them to the
// person. An account with no link is no error.
func (s *Store) Erase(ctx context.Context, tx *sqlx.Tx, platform bots.Platform, userID string) error {
	var nip string
	err := tx.GetContext(ctx, &nip, s.db.Rebind(`SELECT nip FROM account_links WHERE platform = ? AND user_id = ?`), string(platform), userID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("training: unable to erase: %w", err)
	}
	if _, err := tx.ExecContext(ctx, s.db.Rebind(`UPDATE enrolments SET rsvp_reason = '' WHERE nip = ? AND rsvp_reason <> ''`), nip); err != nil {
		return fmt.Errorf("training: unable to erase RSVP reasons: %w", err)
	}
	var named []roundRow
	if err := tx.SelectContext(ctx, &named, s.db.Rebind(`SELECT `+roundColumns+` FROM survey_rounds
		WHERE anonymous = FALSE AND id IN (SELECT round_id FROM survey_responses WHERE respondent = ?)`), nip); err != nil {
		return fmt.Errorf("training: unable to erase survey answers: %w", err)
	}
	if _, err := s.blankFreeText(ctx, tx, named, nip); err != nil {
		return err
	}
	var started []struct {
		RoundID int64  `db:"round_id"`
		Token   string `db:"token"`
	}
	if err := tx.SelectContext(ctx, &started, s.db.Rebind(`SELECT round_id, token FROM survey_invitations
		WHERE nip = ? AND token IS NOT NULL`), nip); err != nil {
		return fmt.Errorf("training: unable to erase survey tokens: %w", err)
	}
	for _, r := range started {
		for _, stmt := range []string{
			`DELETE FROM survey_answers WHERE round_id = ? AND respondent = ?`,
			`DELETE FROM survey_responses WHERE round_id = ? AND respondent = ? AND completed = FALSE`,
		} {
			if _, err := tx.ExecContext(ctx, s.db.Rebind(stmt), r.RoundID, r.Token); err != nil {
				return fmt.Errorf("training: unable to erase an unfinished anonymous response: %w", err)
			}
		}
	}
	if _, err := tx.ExecContext(ctx, s.db.Rebind(`UPDATE survey_invitations SET token = NULL, last_step_at = NULL, state = 'invited', started_at = NULL
		WHERE nip = ? AND token IS NOT NULL`), nip); err != nil {
		return fmt.Errorf("training: unable to erase survey tokens: %w", err)
	}
	return s.Unlink(ctx, tx, platform, userID)
}

// blankFreeText blanks the free-text answers of respondent in rounds, or
// of every respondent when respondent is "". A blank answer reads as a
// skipped one in reports. It returns how many answers it blanked.
func (s *Store) blankFreeText(ctx context.Context, q storage.Querier, rounds []roundRow, respondent string) (int64, error) {
	var n int64
	for _, row := range rounds {
		r, err := row.round()
		if err != nil {
			return n, err
		}
		for _, qu := range r.Questions {
			if qu.Kind != FreeText {
				continue
			}
			stmt, args := `UPDATE survey_answers SET value = '' WHERE round_id = ? AND question_id = ? AND value <> ''`, []any{r.ID, qu.ID}
			if respondent != "" {
				stmt, args = stmt+` AND respondent = ?`, append(args, respondent)
			}
			res, err := q.ExecContext(ctx, s.db.Rebind(stmt), args...)
			if err != nil {
				return n, fmt.Errorf("training: unable to erase free-text survey answers: %w", err)
			}
			m, _ := res.RowsAffected()
			n += m
		}
	}
	return n, nil
}

// PurgeBefore enforces retention on what ASN typed and on link codes: it
// blanks the Berhalangan reasons of sessions that ended before t and the
// free-text answers of named survey rounds closed before t, and deletes
// link codes that expired before t. Anonymous answers stay: nothing joins
// them to a person. It returns how many rows it changed.
func (s *Store) PurgeBefore(ctx context.Context, t time.Time) (int64, error) {
	t = utc(t)
	var n int64
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		for _, stmt := range []string{
			`UPDATE enrolments SET rsvp_reason = '' WHERE rsvp_reason <> ''
				AND session_id IN (SELECT id FROM training_sessions WHERE ends_at < ?)`,
			`DELETE FROM link_codes WHERE expires_at < ?`,
		} {
			res, err := tx.ExecContext(ctx, s.db.Rebind(stmt), t)
			if err != nil {
				return fmt.Errorf("training: unable to purge: %w", err)
			}
			m, _ := res.RowsAffected()
			n += m
		}
		var rounds []roundRow
		if err := tx.SelectContext(ctx, &rounds, s.db.Rebind(`SELECT `+roundColumns+` FROM survey_rounds r
			WHERE r.anonymous = FALSE AND r.status = 'closed' AND r.closed_at < ?
			AND EXISTS (SELECT 1 FROM survey_answers a WHERE a.round_id = r.id AND a.value <> '')`), t); err != nil {
			return fmt.Errorf("training: unable to purge survey answers: %w", err)
		}
		m, err := s.blankFreeText(ctx, tx, rounds, "")
		n += m
		return err
	})
	return n, err
}

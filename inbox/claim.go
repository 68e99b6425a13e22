package inbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/tebingtinggi/hub/storage"
)

// ClaimedError is returned when an officer claims a ticket that another
// officer took on first.
type ClaimedError struct {
	// By is the officer holding the ticket.
	By string
}

func (e *ClaimedError) Error() string { return "inbox: ticket is already claimed by " + e.By }

// Claim records that officer takes the ticket on. The first claim wins:
// claiming a ticket that another officer holds fails with *ClaimedError,
// claiming it again as its holder changes nothing. A closed ticket cannot
// be claimed (ErrClosed).
func (s *Store) Claim(ctx context.Context, ticketID int64, officer string, now time.Time) (Ticket, error) {
	return s.claim(ctx, ticketID, officer, sql.NullInt64{}, now)
}

// ClaimForAccount is Claim by the officer of a web account (its
// admin_users id), recorded on the claim: the claims an account took move
// with it when its desk name changes (MoveClaims), those others took
// under the same name do not.
func (s *Store) ClaimForAccount(ctx context.Context, ticketID int64, officer string, account int64, now time.Time) (Ticket, error) {
	return s.claim(ctx, ticketID, officer, sql.NullInt64{Int64: account, Valid: true}, now)
}

func (s *Store) claim(ctx context.Context, ticketID int64, officer string, account sql.NullInt64, now time.Time) (Ticket, error) {
	officer = strings.TrimSpace(officer)
	if officer == "" {
		return Ticket{}, errors.New("inbox: unable to claim ticket: officer name is required")
	}
	var t Ticket
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		// The ticket's row first, then the claim's: a close under way
		// finishes before the status is read here (see lockTicket).
		if t, err = s.lockTicket(ctx, tx, ticketID); err != nil {
			return err
		}
		if t.Status == Closed {
			return ErrClosed
		}
		if _, err := tx.ExecContext(ctx, s.db.Rebind(`INSERT INTO ticket_claims (ticket_id, officer, claimed_at, web_account)
			VALUES (?, ?, ?, ?) ON CONFLICT (ticket_id) DO NOTHING`), ticketID, officer, utc(now), account); err != nil {
			return fmt.Errorf("inbox: unable to claim ticket: %w", err)
		}
		holder, err := claimer(ctx, tx, s.db.Rebind, ticketID)
		if err != nil {
			return err
		}
		if holder != officer {
			return &ClaimedError{By: holder}
		}
		return nil
	})
	return t, err
}

// Release hands officer's claim on a ticket back, so that any officer
// may take it on: an officer who pressed "Jawab" and then left it, or
// who is away, would otherwise hold it for good, since only the holder
// may answer. anyone releases whoever holds it (an operator's command);
// otherwise a claim held by another officer is a *ClaimedError naming
// them. It returns who held the claim: "" when nobody did, and nothing
// changes. A closed ticket is ErrClosed, a missing one ErrNotFound.
func (s *Store) Release(ctx context.Context, ticketID int64, officer string, anyone bool) (held string, err error) {
	officer = strings.TrimSpace(officer)
	if officer == "" && !anyone {
		return "", errors.New("inbox: unable to release ticket: officer name is required")
	}
	err = s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		t, err := s.ticket(ctx, tx, ticketID)
		if err != nil {
			return err
		}
		if t.Status == Closed {
			return ErrClosed
		}
		if held, err = claimer(ctx, tx, s.db.Rebind, ticketID); err != nil || held == "" {
			return err
		}
		if held != officer && !anyone {
			return &ClaimedError{By: held}
		}
		// Guarded by the holder read: a claim released and taken by
		// another officer meanwhile stays theirs.
		res, err := tx.ExecContext(ctx, s.db.Rebind(`DELETE FROM ticket_claims WHERE ticket_id = ? AND officer = ?`), ticketID, held)
		if err != nil {
			return fmt.Errorf("inbox: unable to release ticket: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("inbox: unable to release ticket: %w", err)
		} else if n == 0 {
			held = ""
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	return held, nil
}

// ClaimedBy returns the officer who claimed the ticket, or "" when nobody
// has.
func (s *Store) ClaimedBy(ctx context.Context, ticketID int64) (string, error) {
	return claimer(ctx, s.db, s.db.Rebind, ticketID)
}

func claimer(ctx context.Context, q storage.Querier, rebind func(string) string, ticketID int64) (string, error) {
	var officer string
	err := q.GetContext(ctx, &officer, rebind(`SELECT officer FROM ticket_claims WHERE ticket_id = ?`), ticketID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("inbox: unable to read ticket claim: %w", err)
	}
	return officer, nil
}

// MoveClaims hands the claims that web account (its admin_users id) took
// under officer name from to the name to, in tx: the web admin calls it
// when the account's desk name changes (its Slack mapping is set, changed
// or removed), so that the tickets the officer took on stay theirs under
// the new name. A claim another officer took under the same name (a
// Slack officer whose name the account was mapped to by mistake) stays
// theirs. ownName says that from is a name only the account can have
// (its username, which no Slack name is): every claim under it is the
// account's, moved and recorded as such, including those its replies
// took.
//
// Claims from before the web desk recorded its account on every claim
// it takes (before migration 0039 none did, and until 0040 a reply on
// the web desk took the claim without it) are marked account_unknown;
// under a Slack name the account is mapped to they move with it. The
// officer expects the tickets they took on, or answered, to stay theirs,
// and the name was the account's own then, as one Slack name stands for
// one account. The cost: the old claims of a Slack officer whose name was
// mapped by mistake move too (an admin hands those back with "Lepas
// tiket"). A claim without an account taken since is another desk's
// (Slack, the command line) and stays. It returns how many claims moved.
func MoveClaims(ctx context.Context, tx *sqlx.Tx, account int64, from, to string, ownName bool) (int64, error) {
	from, to = strings.TrimSpace(from), strings.TrimSpace(to)
	if from == "" || to == "" {
		return 0, errors.New("inbox: unable to move claims: officer name is required")
	}
	if from == to {
		return 0, nil
	}
	query, args := `UPDATE ticket_claims SET officer = ?, web_account = ?, account_unknown = ? WHERE officer = ?`, []any{to, account, false, from}
	if !ownName {
		query += ` AND (web_account = ? OR account_unknown = ?)`
		args = append(args, account, true)
	}
	res, err := tx.ExecContext(ctx, tx.Rebind(query), args...)
	if err != nil {
		return 0, fmt.Errorf("inbox: unable to move claims: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("inbox: unable to move claims: %w", err)
	}
	return n, nil
}

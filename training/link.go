package training

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/storage"
)

// Link code rules: 8 characters from an alphabet without the look-alikes
// 0/O and 1/I (32 symbols, 40 bits), valid for LinkCodeValidity, usable
// once. Only a SHA-256 of a code is stored, so a database dump cannot be
// used to take over an account.
const (
	LinkCodeLength   = 8
	LinkCodeValidity = 7 * 24 * time.Hour
	linkCodeAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
)

// Link is a person's account on one chat platform.
type Link struct {
	NIP      string        `db:"nip"`
	Platform bots.Platform `db:"platform"`
	ChatID   string        `db:"chat_id"`
	UserID   string        `db:"user_id"`
	LinkedAt time.Time     `db:"linked_at"`
	// Paused is set by /berhenti: no reminders or survey invitations are
	// planned for this link until /lanjut.
	Paused bool `db:"paused"`
}

func hashCode(code string) string {
	sum := sha256.Sum256([]byte(code))
	return hex.EncodeToString(sum[:])
}

// NormalizeLinkCode upper-cases a code as typed and drops spaces and
// hyphens, so "abcd-efgh" and "ABCD EFGH" both work.
func NormalizeLinkCode(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == ' ' || r == '-' || r == '\t':
			return -1
		case r >= 'a' && r <= 'z':
			return r - 'a' + 'A'
		}
		return r
	}, s)
}

// IssueLinkCode creates a one-time code with which the ASN nip links a chat
// account (Telegram deep link "/start CODE", or "/daftar CODE"). Earlier
// unused codes of the same person stop working. The code itself is returned
// once and never stored.
func (s *Store) IssueLinkCode(ctx context.Context, nip string, now time.Time) (string, error) {
	b := make([]byte, LinkCodeLength)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("training: unable to draw a link code: %w", err)
	}
	for i := range b {
		b[i] = linkCodeAlphabet[int(b[i])%len(linkCodeAlphabet)] // 256 is a multiple of 32: no bias
	}
	code := string(b)
	now = utc(now)
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		a, err := getASN(ctx, tx, s.db.Rebind, nip)
		if err != nil {
			return err
		}
		if !a.Active {
			return ErrInactive
		}
		if _, err := tx.ExecContext(ctx, s.db.Rebind(`UPDATE link_codes SET expires_at = ? WHERE nip = ? AND used_at IS NULL AND expires_at > ?`),
			now, nip, now); err != nil {
			return fmt.Errorf("training: unable to retire old link codes: %w", err)
		}
		_, err = tx.ExecContext(ctx, s.db.Rebind(`INSERT INTO link_codes (code_hash, nip, created_at, expires_at) VALUES (?, ?, ?, ?)`),
			hashCode(code), nip, now, now.Add(LinkCodeValidity))
		if err != nil {
			return fmt.Errorf("training: unable to save link code: %w", err)
		}
		return nil
	})
	if err != nil {
		if errors.Is(err, ErrNotFound) || errors.Is(err, ErrInactive) {
			return "", fmt.Errorf("training: unable to issue link code: %w", err)
		}
		return "", err
	}
	return code, nil
}

// Redeem links the chat account (platform, userID, reachable in chatID) to
// the ASN who was given code, and marks the code used. A person keeps one
// link per platform: redeeming on a platform where they are linked already
// moves the link to the new account. A person who paused (/berhenti) stays
// paused: the new link is paused too (see LinkFor). It fails with ErrCodeUnknown,
// ErrCodeUsed, ErrCodeExpired, ErrCodeReplaced (a newer code was issued),
// ErrInactive, or ErrAccountInUse when the
// chat account is linked to someone else.
func (s *Store) Redeem(ctx context.Context, tx *sqlx.Tx, code string, platform bots.Platform, chatID, userID string, now time.Time) (ASN, error) {
	code = NormalizeLinkCode(code)
	now = utc(now)
	var a ASN
	var c struct {
		NIP       string     `db:"nip"`
		CreatedAt time.Time  `db:"created_at"`
		ExpiresAt time.Time  `db:"expires_at"`
		UsedAt    *time.Time `db:"used_at"`
	}
	err := tx.GetContext(ctx, &c, s.db.Rebind(`SELECT nip, created_at, expires_at, used_at FROM link_codes WHERE code_hash = ?`), hashCode(code))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return ASN{}, ErrCodeUnknown
	case err != nil:
		return ASN{}, fmt.Errorf("training: unable to look up link code: %w", err)
	case c.UsedAt != nil:
		return ASN{}, ErrCodeUsed
	case !now.Before(c.ExpiresAt) && c.ExpiresAt.Before(c.CreatedAt.Add(LinkCodeValidity)):
		// IssueLinkCode ends an older code's validity early: it was
		// replaced, not left to run out.
		return ASN{}, ErrCodeReplaced
	case !now.Before(c.ExpiresAt):
		return ASN{}, ErrCodeExpired
	}
	if a, err = getASN(ctx, tx, s.db.Rebind, c.NIP); err != nil {
		return ASN{}, err
	}
	if !a.Active {
		return ASN{}, ErrInactive
	}
	var owner string
	err = tx.GetContext(ctx, &owner, s.db.Rebind(`SELECT nip FROM account_links WHERE platform = ? AND user_id = ?`), string(platform), userID)
	switch {
	case err == nil && owner != a.NIP:
		return ASN{}, ErrAccountInUse
	case err != nil && !errors.Is(err, sql.ErrNoRows):
		return ASN{}, fmt.Errorf("training: unable to look up account link: %w", err)
	}
	res, err := tx.ExecContext(ctx, s.db.Rebind(`UPDATE link_codes SET used_at = ? WHERE code_hash = ? AND used_at IS NULL`), now, hashCode(code))
	if err != nil {
		return ASN{}, fmt.Errorf("training: unable to use link code: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return ASN{}, ErrCodeUsed // redeemed concurrently
	}
	// /berhenti pauses the person, all their links: an account linked while
	// paused is paused too, until /lanjut (which makes it reachable then).
	var paused int
	if err := tx.GetContext(ctx, &paused, s.db.Rebind(`SELECT COUNT(*) FROM account_links WHERE nip = ? AND paused = TRUE`), a.NIP); err != nil {
		return ASN{}, fmt.Errorf("training: unable to look up a pause: %w", err)
	}
	_, err = tx.ExecContext(ctx, s.db.Rebind(`INSERT INTO account_links (nip, platform, chat_id, user_id, linked_at, chosen_at, reachable_at, paused)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (nip, platform) DO UPDATE SET chat_id = excluded.chat_id, user_id = excluded.user_id,
			linked_at = excluded.linked_at, chosen_at = excluded.chosen_at, reachable_at = excluded.reachable_at, paused = excluded.paused`),
		a.NIP, string(platform), chatID, userID, now, now, now, paused > 0)
	if err != nil {
		return ASN{}, fmt.Errorf("training: unable to save account link: %w", err)
	}
	return a, nil
}

// LinkFor returns the link of a chat account, or ErrNotLinked.
func (s *Store) LinkFor(ctx context.Context, q storage.Querier, platform bots.Platform, userID string) (Link, error) {
	var l Link
	err := q.GetContext(ctx, &l, s.db.Rebind(`SELECT nip, platform, chat_id, user_id, linked_at, paused
		FROM account_links WHERE platform = ? AND user_id = ?`), string(platform), userID)
	if errors.Is(err, sql.ErrNoRows) {
		return Link{}, ErrNotLinked
	}
	if err != nil {
		return Link{}, fmt.Errorf("training: unable to look up account link: %w", err)
	}
	l.LinkedAt = l.LinkedAt.UTC()
	return l, nil
}

// ChooseChannel makes the person's link on platform the one their
// reminders, surveys and JP messages go to (/kanal), for the person whose
// chat account (from, userID) is linked. It fails with ErrNotLinked when
// that account is not linked, and with ErrChannelNotLinked when the person
// has no link on platform.
func (s *Store) ChooseChannel(ctx context.Context, tx *sqlx.Tx, from bots.Platform, userID string, platform bots.Platform, now time.Time) error {
	l, err := s.LinkFor(ctx, tx, from, userID)
	if err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, s.db.Rebind(`UPDATE account_links SET chosen_at = ? WHERE nip = ? AND platform = ?`), utc(now), l.NIP, string(platform))
	if err != nil {
		return fmt.Errorf("training: unable to choose the channel: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrChannelNotLinked
	}
	return nil
}

// Channel returns the link the person's messages go to: their unpaused
// link chosen last (see ChooseChannel), or ErrNotLinked when they have
// none.
func (s *Store) Channel(ctx context.Context, q storage.Querier, nip string) (Link, error) {
	var l Link
	err := q.GetContext(ctx, &l, s.db.Rebind(`SELECT nip, platform, chat_id, user_id, linked_at, paused
		FROM account_links WHERE nip = ? AND paused = FALSE ORDER BY chosen_at DESC, platform LIMIT 1`), nip)
	if errors.Is(err, sql.ErrNoRows) {
		return Link{}, ErrNotLinked
	}
	if err != nil {
		return Link{}, fmt.Errorf("training: unable to look up the channel: %w", err)
	}
	l.LinkedAt = l.LinkedAt.UTC()
	return l, nil
}

// Links returns the links of one ASN, the one chosen last first, read
// through q.
func (s *Store) Links(ctx context.Context, q storage.Querier, nip string) ([]Link, error) {
	var out []Link
	if err := q.SelectContext(ctx, &out, s.db.Rebind(`SELECT nip, platform, chat_id, user_id, linked_at, paused
		FROM account_links WHERE nip = ? ORDER BY chosen_at DESC, platform`), nip); err != nil {
		return nil, fmt.Errorf("training: unable to list account links: %w", err)
	}
	for i := range out {
		out[i].LinkedAt = out[i].LinkedAt.UTC()
	}
	return out, nil
}

// Unlink removes the link of a chat account (the person's own /putus), or
// returns ErrNotLinked.
func (s *Store) Unlink(ctx context.Context, q storage.Querier, platform bots.Platform, userID string) error {
	res, err := q.ExecContext(ctx, s.db.Rebind(`DELETE FROM account_links WHERE platform = ? AND user_id = ?`), string(platform), userID)
	return affectedOne(res, err, "remove account link")
}

// UnlinkASN removes an ASN's link on platform, or all their links when
// platform is "" (an officer's action), and returns how many it removed.
func (s *Store) UnlinkASN(ctx context.Context, nip string, platform bots.Platform) (int, error) {
	var res sql.Result
	var err error
	if platform == "" {
		res, err = s.db.ExecContext(ctx, s.db.Rebind(`DELETE FROM account_links WHERE nip = ?`), nip)
	} else {
		res, err = s.db.ExecContext(ctx, s.db.Rebind(`DELETE FROM account_links WHERE nip = ? AND platform = ?`), nip, string(platform))
	}
	if err != nil {
		return 0, fmt.Errorf("training: unable to remove account links: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// Pause stops reminders and survey invitations to the ASN whose chat
// account this is (/berhenti), on every platform they linked: the bot
// tells them these stop, and pausing one link alone would send them to
// the other. It returns ErrNotLinked for an account not linked.
func (s *Store) Pause(ctx context.Context, q storage.Querier, platform bots.Platform, userID string) error {
	return s.setPaused(ctx, q, platform, userID, true)
}

// Resume undoes Pause (/lanjut), on every platform the ASN linked, or
// returns ErrNotLinked.
func (s *Store) Resume(ctx context.Context, q storage.Querier, platform bots.Platform, userID string) error {
	return s.setPaused(ctx, q, platform, userID, false)
}

func (s *Store) setPaused(ctx context.Context, q storage.Querier, platform bots.Platform, userID string, paused bool) error {
	// A link resumed becomes reachable now: a change notice sent while it
	// was paused did not reach it (see DueReminders).
	res, err := q.ExecContext(ctx, s.db.Rebind(`UPDATE account_links
		SET reachable_at = CASE WHEN paused AND NOT ? THEN ? ELSE reachable_at END, paused = ?
		WHERE nip IN (SELECT nip FROM account_links WHERE platform = ? AND user_id = ?)`), paused, utc(s.now()), paused, string(platform), userID)
	return affectedOne(res, err, "pause or resume account links")
}

func affectedOne(res sql.Result, err error, what string) error {
	if err != nil {
		return fmt.Errorf("training: unable to %s: %w", what, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotLinked
	}
	return nil
}

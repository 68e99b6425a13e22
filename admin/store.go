// Package admin is the officers' web admin, served under /admin/ by the
// hub's HTTP server: the knowledge base, the help desk and the dashboard,
// rendered by the server with html/template and a little optional
// JavaScript. It owns the web accounts, their sessions, login throttling and
// the audit log of every change made through it (tables admin_*); the
// knowledge base, the tickets and the outbox stay with their own packages,
// whose stores it calls.
package admin

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	"golang.org/x/crypto/bcrypt"

	"github.com/tebingtinggi/hub/inbox"
	"github.com/tebingtinggi/hub/storage"
)

// Role is what a web account may do. Each role may do what the roles
// below it may.
type Role string

// The roles, from most to least allowed.
const (
	// RoleAdmin manages accounts and settings and reads the audit log.
	RoleAdmin Role = "admin"
	// RoleOfficer curates the knowledge base and answers the desk.
	RoleOfficer Role = "officer"
	// RoleViewer reads.
	RoleViewer Role = "viewer"
)

// Roles lists the roles, from most to least allowed.
var Roles = []Role{RoleAdmin, RoleOfficer, RoleViewer}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r.rank() > 0 }

// Word names the role as officers read it everywhere (the users page and
// `hub admin`): "admin", "petugas" or "pembaca"; an unknown role as it is.
func (r Role) Word() string { return cmp.Or(roleWords[r], string(r)) }

var roleWords = map[Role]string{RoleAdmin: "admin", RoleOfficer: "petugas", RoleViewer: "pembaca"}

func (r Role) rank() int {
	switch r {
	case RoleAdmin:
		return 3
	case RoleOfficer:
		return 2
	case RoleViewer:
		return 1
	}
	return 0
}

// Allows reports whether an account with role r may do what needs role
// need.
func (r Role) Allows(need Role) bool { return r.Valid() && r.rank() >= need.rank() }

// User is a web account.
type User struct {
	ID       int64  `db:"id"`
	Username string `db:"username"`
	Role     Role   `db:"role"`
	// SlackUserID maps the account to a Slack officer: the name the Slack
	// desk records for them, such as "@siti" ("" : none).
	SlackUserID string    `db:"slack_user_id"`
	Active      bool      `db:"active"`
	CreatedAt   time.Time `db:"created_at"`
	UpdatedAt   time.Time `db:"updated_at"`
}

// Limits on accounts.
const (
	// MinPasswordLen is the shortest password accepted, in bytes.
	MinPasswordLen = 10
	// maxPasswordLen is bcrypt's limit: it ignores what follows.
	maxPasswordLen = 72
)

var usernamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,39}$`)

// Errors of the account store.
var (
	ErrUserNotFound = errors.New("admin: no such user")
	ErrUserExists   = errors.New("admin: a user with that name exists already")
	// ErrBadLogin is every failed login, whether the name or the password
	// was wrong, so that the page does not tell which names exist.
	ErrBadLogin = errors.New("admin: wrong username or password")
	// ErrThrottled is a login refused, without checking the password,
	// because of recent failures for the account or the address.
	ErrThrottled = errors.New("admin: too many failed logins; try again later")
	ErrNoSession = errors.New("admin: no valid session")
)

// Throttle bounds failed logins within Window, per account and per
// address. A login is refused once either count is reached. From an
// address the account logged in from within KnownFor, the account's
// count is of the failures from that address only: anyone may fail at
// an account's password from elsewhere, and a lockout that reached its
// owner at their usual address would let them keep it locked.
type Throttle struct {
	Window     time.Duration
	PerAccount int
	PerAddress int
	KnownFor   time.Duration
}

// DefaultThrottle allows 5 failures per account and 20 per address in 15
// minutes: enough for typos, far too few for guessing. An address stays
// known for 30 days after a login from it.
var DefaultThrottle = Throttle{Window: 15 * time.Minute, PerAccount: 5, PerAddress: 20, KnownFor: 30 * 24 * time.Hour}

// Store keeps the web accounts, their sessions, failed logins and the
// audit log.
type Store struct {
	db *storage.DB
	// Cost is bcrypt's cost for new password hashes (default
	// bcrypt.DefaultCost; tests lower it).
	Cost int
	// Throttle bounds failed logins (default DefaultThrottle).
	Throttle Throttle
	// Now is the clock (default time.Now).
	Now func() time.Time

	dummyOnce sync.Once
	dummy     []byte
}

// NewStore returns a store on db, which must be migrated.
func NewStore(db *storage.DB) *Store {
	return &Store{db: db, Cost: bcrypt.DefaultCost, Throttle: DefaultThrottle, Now: time.Now}
}

func (s *Store) now() time.Time {
	return s.Now().UTC().Truncate(time.Microsecond)
}

// InputError is a value a person typed that the account store refuses;
// its message is Indonesian, for the pages and the command line.
type InputError struct{ Msg string }

func (e *InputError) Error() string { return e.Msg }

func inputErrorf(format string, args ...any) error {
	return &InputError{Msg: fmt.Sprintf(format, args...)}
}

// CheckNewUser reports what is wrong with a new account's name, password
// and role, in Indonesian for the pages and the command line.
func CheckNewUser(username string, password []byte, role Role) error {
	switch {
	case !usernamePattern.MatchString(username):
		return inputErrorf("nama pengguna harus 2–40 karakter: huruf kecil, angka, titik, garis bawah atau tanda hubung, diawali huruf atau angka")
	case !role.Valid():
		return inputErrorf("peran %q tidak dikenal: pilih admin, officer atau viewer", role)
	}
	return checkPassword(password)
}

func checkPassword(password []byte) error {
	switch {
	case len(password) < MinPasswordLen:
		return inputErrorf("kata sandi terlalu pendek: paling sedikit %d karakter", MinPasswordLen)
	case len(password) > maxPasswordLen:
		return inputErrorf("kata sandi terlalu panjang: paling banyak %d byte", maxPasswordLen)
	}
	return nil
}

const userColumns = `id, username, role, slack_user_id, active, created_at, updated_at`

// CreateUser adds an account. The change is audited under actor.
func (s *Store) CreateUser(ctx context.Context, username string, password []byte, role Role, actor string) (User, error) {
	username = strings.ToLower(strings.TrimSpace(username))
	if err := CheckNewUser(username, password, role); err != nil {
		return User{}, err
	}
	hash, err := bcrypt.GenerateFromPassword(password, s.Cost)
	if err != nil {
		return User{}, fmt.Errorf("admin: unable to hash the password: %w", err)
	}
	at := s.now()
	u := User{Username: username, Role: role, Active: true, CreatedAt: at, UpdatedAt: at}
	err = s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		err := tx.GetContext(ctx, &u.ID, tx.Rebind(`INSERT INTO admin_users (username, password_hash, role, active, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`), username, string(hash), role, true, at, at)
		if storage.IsUniqueViolation(err) {
			return ErrUserExists
		}
		if err != nil {
			return fmt.Errorf("admin: unable to create user %q: %w", username, err)
		}
		return s.audit(ctx, tx, actor, "user.create", "user:"+username, nil, u)
	})
	if err != nil {
		return User{}, err
	}
	return u, nil
}

// slackName is a Slack user as the Slack desk names officers on tickets
// ("@siti", see bots/slack's officerName): a web account mapped to
// anything else (a Slack user id, a name without "@") would claim and
// list tickets under another name than its Slack user.
var slackName = regexp.MustCompile(`^@[\pL\pN._-]{1,80}$`)

// UpdateUser changes an account's role, Slack mapping (a refused one is an
// *InputError) and whether it may log in; a deactivated account loses its
// sessions. A new Slack mapping moves the tickets the account claimed
// under its old desk name to the new one, in the same transaction, and
// leaves those others claimed under that name (inbox.MoveClaims). The
// change is audited under actor.
func (s *Store) UpdateUser(ctx context.Context, id int64, role Role, slackUserID string, active bool, actor string) (User, error) {
	if !role.Valid() {
		return User{}, inputErrorf("peran %q tidak dikenal", role)
	}
	slackUserID = strings.TrimSpace(slackUserID)
	if slackUserID != "" && !slackName.MatchString(slackUserID) {
		return User{}, inputErrorf("nama di Slack %q tidak dapat dipakai: tulis nama pengguna Slack dengan @ di depannya, tanpa spasi, misalnya @siti, sebagaimana meja bantuan di Slack mencatat petugas", slackUserID)
	}
	var out User
	var username string
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		before, err := s.user(ctx, tx, `id = ?`, id)
		if err != nil {
			return err
		}
		out, username = before, before.Username
		out.Role, out.SlackUserID, out.Active, out.UpdatedAt = role, slackUserID, active, s.now()
		if out.Role == before.Role && out.SlackUserID == before.SlackUserID && out.Active == before.Active {
			out = before
			return nil
		}
		// One Slack name stands for one account: two would act on the
		// desk as one officer, each holding and closing the other's
		// tickets, and the tickets and audit naming the wrong one.
		if out.SlackUserID != "" {
			var other []string
			if err := tx.SelectContext(ctx, &other, tx.Rebind(`SELECT username FROM admin_users WHERE LOWER(slack_user_id) = LOWER(?) AND id <> ? ORDER BY username`),
				out.SlackUserID, id); err != nil {
				return fmt.Errorf("admin: unable to check the Slack name of user %d: %w", id, err)
			}
			if len(other) > 0 {
				return slackNameTaken(out.SlackUserID, other[0], before.Username)
			}
		}
		// The check reads what is committed: a change committed since,
		// or under way, giving the name to another account meets the
		// unique index (migration 0047) instead.
		_, err = tx.ExecContext(ctx, tx.Rebind(`UPDATE admin_users SET role = ?, slack_user_id = ?, active = ?, updated_at = ? WHERE id = ?`),
			out.Role, out.SlackUserID, out.Active, out.UpdatedAt, id)
		if storage.IsUniqueViolation(err) {
			return errSlackNameTaken
		}
		if err != nil {
			return fmt.Errorf("admin: unable to update user %d: %w", id, err)
		}
		// The tickets the account took on under the old name stay its
		// officer's; those a Slack officer of that name took stay that
		// officer's. An unmapped account's desk name is its username,
		// which no desk gives anyone else (Slack's names start with @,
		// the command line's with cli:), so all claims under it move.
		if _, err := inbox.MoveClaims(ctx, tx, id, before.deskName(), out.deskName(), before.SlackUserID == ""); err != nil {
			return err
		}
		if !active {
			if _, err := tx.ExecContext(ctx, tx.Rebind(`DELETE FROM admin_sessions WHERE user_id = ?`), id); err != nil {
				return fmt.Errorf("admin: unable to end the sessions of user %d: %w", id, err)
			}
		}
		return s.audit(ctx, tx, actor, "user.update", "user:"+before.Username, before, out)
	})
	if errors.Is(err, errSlackNameTaken) {
		// Said as the check says it, naming the account that has the
		// name now (read after the transaction, which failed with it).
		var other string
		err := s.db.GetContext(ctx, &other, s.db.Rebind(`SELECT username FROM admin_users WHERE LOWER(slack_user_id) = LOWER(?) AND id <> ?`),
			slackUserID, id)
		if errors.Is(err, sql.ErrNoRows) {
			// Given up again meanwhile: nothing stands in the way now.
			return User{}, inputErrorf("nama di Slack %s baru saja dipetakan lalu dilepas lagi oleh akun lain; simpan sekali lagi", slackUserID)
		}
		if err != nil {
			return User{}, fmt.Errorf("admin: unable to find the account with the Slack name of user %d: %w", id, err)
		}
		return User{}, slackNameTaken(slackUserID, other, username)
	}
	return out, err
}

// errSlackNameTaken is a Slack mapping refused by the unique index: the
// name went to another account after UpdateUser's check.
var errSlackNameTaken = errors.New("admin: the Slack name is another account's")

// slackNameTaken refuses to map account username to Slack name, which
// account other has.
func slackNameTaken(name, other, username string) error {
	return inputErrorf("nama di Slack %s sudah dipakai akun %s: satu nama Slack hanya dapat dipetakan ke satu akun. "+
		"Periksa lagi nama Slack akun %s, atau kosongkan dulu nama Slack akun %s", name, other, username, other)
}

// SetPassword replaces an account's password and ends its sessions. The
// change is audited under actor, without the hashes.
func (s *Store) SetPassword(ctx context.Context, username string, password []byte, actor string) error {
	if err := checkPassword(password); err != nil {
		return err
	}
	hash, err := bcrypt.GenerateFromPassword(password, s.Cost)
	if err != nil {
		return fmt.Errorf("admin: unable to hash the password: %w", err)
	}
	return s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		u, err := s.user(ctx, tx, `username = ?`, username)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE admin_users SET password_hash = ?, updated_at = ? WHERE id = ?`), string(hash), s.now(), u.ID); err != nil {
			return fmt.Errorf("admin: unable to set the password of %q: %w", username, err)
		}
		if _, err := tx.ExecContext(ctx, tx.Rebind(`DELETE FROM admin_sessions WHERE user_id = ?`), u.ID); err != nil {
			return fmt.Errorf("admin: unable to end the sessions of %q: %w", username, err)
		}
		// An address the old password was used from (perhaps by whoever
		// made the change necessary) loses its standing too.
		if _, err := tx.ExecContext(ctx, tx.Rebind(`DELETE FROM admin_login_addresses WHERE user_id = ?`), u.ID); err != nil {
			return fmt.Errorf("admin: unable to forget the login addresses of %q: %w", username, err)
		}
		return s.audit(ctx, tx, actor, "user.password", "user:"+username, nil, nil)
	})
}

func (s *Store) user(ctx context.Context, q sqlx.QueryerContext, where string, arg any) (User, error) {
	var u User
	err := sqlx.GetContext(ctx, q, &u, s.db.Rebind(`SELECT `+userColumns+` FROM admin_users WHERE `+where), arg)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, ErrUserNotFound
	}
	if err != nil {
		return User{}, fmt.Errorf("admin: unable to read user: %w", err)
	}
	u.CreatedAt, u.UpdatedAt = u.CreatedAt.UTC(), u.UpdatedAt.UTC()
	return u, nil
}

// Users lists every account by name.
func (s *Store) Users(ctx context.Context) ([]User, error) {
	var us []User
	if err := s.db.SelectContext(ctx, &us, `SELECT `+userColumns+` FROM admin_users ORDER BY username`); err != nil {
		return nil, fmt.Errorf("admin: unable to list users: %w", err)
	}
	return us, nil
}

// dummyHash is compared against when the username is unknown, so that a
// wrong name takes as long as a wrong password: it has the store's cost.
func (s *Store) dummyHash() []byte {
	s.dummyOnce.Do(func() {
		s.dummy, _ = bcrypt.GenerateFromPassword([]byte("not a password of anyone"), s.Cost)
	})
	return s.dummy
}

// Authenticate checks a login from address. Recent failures for the
// account or the address refuse it with ErrThrottled before the password
// is looked at; a wrong name or password is ErrBadLogin and counts as a
// failure. From an address the account logged in from within
// Throttle.KnownFor, only the account's failures from that address count
// towards its limit, so that guesses from elsewhere do not lock the owner
// out; from any other address all of them do, so that guesses spread
// over new addresses stay limited. A success records the address as
// known and clears the account's failures from it (not those from
// elsewhere, which an owner's login must not reset for a guesser, nor the
// address's other ones, so that one good account does not reset an
// attacker's count).
//
// The attempt is written as a failure before the failures are counted,
// so that guesses sent at once each count the others: of any number of
// simultaneous attempts, at most the limit get their password checked.
// A refused attempt's row is removed again, a succeeding one's cleared.
func (s *Store) Authenticate(ctx context.Context, username string, password []byte, address string) (User, error) {
	username = strings.ToLower(strings.TrimSpace(username))
	if len(username) > 100 {
		username = username[:100]
	}
	now := s.now()
	since := now.Add(-s.Throttle.Window)
	var attempt int64
	if err := s.db.GetContext(ctx, &attempt, s.db.Rebind(`INSERT INTO admin_login_failures (username, address, created_at) VALUES (?, ?, ?) RETURNING id`),
		username, address, now); err != nil {
		return User{}, fmt.Errorf("admin: unable to record a login attempt: %w", err)
	}
	var known bool
	if err := s.db.GetContext(ctx, &known, s.db.Rebind(`SELECT EXISTS (SELECT 1 FROM admin_login_addresses a JOIN admin_users u ON u.id = a.user_id
		WHERE u.username = ? AND a.address = ? AND a.last_login_at > ?)`), username, address, now.Add(-s.Throttle.KnownFor)); err != nil {
		return User{}, fmt.Errorf("admin: unable to read the account's login addresses: %w", err)
	}
	accountQuery, accountArgs := `SELECT COUNT(*) FROM admin_login_failures WHERE username = ? AND created_at > ?`, []any{username, since}
	if known {
		accountQuery, accountArgs = `SELECT COUNT(*) FROM admin_login_failures WHERE username = ? AND address = ? AND created_at > ?`, []any{username, address, since}
	}
	var perAccount, perAddress int
	if err := s.db.GetContext(ctx, &perAccount, s.db.Rebind(accountQuery), accountArgs...); err != nil {
		return User{}, fmt.Errorf("admin: unable to count failed logins: %w", err)
	}
	if err := s.db.GetContext(ctx, &perAddress, s.db.Rebind(`SELECT COUNT(*) FROM admin_login_failures WHERE address = ? AND created_at > ?`), address, since); err != nil {
		return User{}, fmt.Errorf("admin: unable to count failed logins: %w", err)
	}
	// Both counts include this attempt.
	if perAccount > s.Throttle.PerAccount || perAddress > s.Throttle.PerAddress {
		if _, err := s.db.ExecContext(ctx, s.db.Rebind(`DELETE FROM admin_login_failures WHERE id = ?`), attempt); err != nil {
			return User{}, fmt.Errorf("admin: unable to forget a refused login attempt: %w", err)
		}
		return User{}, ErrThrottled
	}
	var row struct {
		User
		Hash string `db:"password_hash"`
	}
	err := s.db.GetContext(ctx, &row, s.db.Rebind(`SELECT `+userColumns+`, password_hash FROM admin_users WHERE username = ?`), username)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return User{}, fmt.Errorf("admin: unable to read user: %w", err)
	}
	hash := []byte(row.Hash)
	if err != nil {
		hash = s.dummyHash()
	}
	if bcrypt.CompareHashAndPassword(hash, password) != nil || err != nil || !row.Active {
		return User{}, ErrBadLogin // the attempt's row stays, as a failure
	}
	err = s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, tx.Rebind(`DELETE FROM admin_login_failures WHERE (username = ? AND address = ?) OR created_at < ?`),
			username, address, since); err != nil {
			return fmt.Errorf("admin: unable to clear failed logins: %w", err)
		}
		if _, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO admin_login_addresses (user_id, address, last_login_at) VALUES (?, ?, ?)
			ON CONFLICT (user_id, address) DO UPDATE SET last_login_at = excluded.last_login_at`), row.ID, address, now); err != nil {
			return fmt.Errorf("admin: unable to record the login address: %w", err)
		}
		return nil
	})
	if err != nil {
		return User{}, err
	}
	return row.User, nil
}

// Session is a logged-in browser.
type Session struct {
	User User
	// CSRF is the token every form of the session must carry.
	CSRF      string
	CreatedAt time.Time
	LastSeen  time.Time
}

// randomToken returns 32 random bytes, URL-safe encoded.
func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// CreateSession starts a session for u and returns the cookie's token.
func (s *Store) CreateSession(ctx context.Context, u User) (string, Session, error) {
	token := randomToken()
	now := s.now()
	sess := Session{User: u, CSRF: randomToken(), CreatedAt: now, LastSeen: now}
	_, err := s.db.ExecContext(ctx, s.db.Rebind(`INSERT INTO admin_sessions (token_hash, user_id, csrf_token, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?)`),
		hashToken(token), u.ID, sess.CSRF, now, now)
	if err != nil {
		return "", Session{}, fmt.Errorf("admin: unable to create a session: %w", err)
	}
	return token, sess, nil
}

// PurgeExpired deletes, at now, what no longer serves: failed logins
// older than the throttle's window (they hold the name tried and the
// client's address, kept only to throttle guessing), addresses an account
// last logged in from longer than the throttle's KnownFor ago, and
// sessions that can
// no longer be used, idle longer than idle or begun more than lifetime
// ago. It returns how many rows it deleted. The daily retention job runs
// it, so that neither waits for a login or a visit that may never come.
func (s *Store) PurgeExpired(ctx context.Context, now time.Time, idle, lifetime time.Duration) (int64, error) {
	now = now.UTC().Truncate(time.Microsecond)
	var n int64
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		n = 0
		for _, d := range []struct {
			query string
			args  []any
		}{
			{`DELETE FROM admin_login_failures WHERE created_at < ?`, []any{now.Add(-s.Throttle.Window)}},
			{`DELETE FROM admin_login_addresses WHERE last_login_at < ?`, []any{now.Add(-s.Throttle.KnownFor)}},
			{`DELETE FROM admin_sessions WHERE last_seen_at < ? OR created_at < ?`, []any{now.Add(-idle), now.Add(-lifetime)}},
		} {
			res, err := tx.ExecContext(ctx, tx.Rebind(d.query), d.args...)
			if err != nil {
				return err
			}
			k, err := res.RowsAffected()
			if err != nil {
				return err
			}
			n += k
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("admin: unable to purge expired logins and sessions: %w", err)
	}
	return n, nil
}

// touchEvery is how stale last_seen_at may get before a request writes
// it again: idle expiry does not need every request's time.
const touchEvery = time.Minute

// Session returns the session of token, or ErrNoSession when there is
// none, its account is inactive, or it was idle longer than idle or began
// more than lifetime ago (an expired session is deleted). active says the
// request is the officer's own doing and refreshes the idle time; a
// page's background poll is not, so that a page left open on a shared
// computer still ends after idle.
func (s *Store) Session(ctx context.Context, token string, idle, lifetime time.Duration, active bool) (Session, error) {
	if token == "" {
		return Session{}, ErrNoSession
	}
	var row struct {
		User
		CSRF      string    `db:"csrf_token"`
		SCreated  time.Time `db:"s_created_at"`
		SLastSeen time.Time `db:"last_seen_at"`
	}
	h := hashToken(token)
	err := s.db.GetContext(ctx, &row, s.db.Rebind(`SELECT u.id, u.username, u.role, u.slack_user_id, u.active, u.created_at, u.updated_at,
		s.csrf_token, s.created_at AS s_created_at, s.last_seen_at
		FROM admin_sessions s JOIN admin_users u ON u.id = s.user_id WHERE s.token_hash = ?`), h)
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, ErrNoSession
	}
	if err != nil {
		return Session{}, fmt.Errorf("admin: unable to read the session: %w", err)
	}
	now := s.now()
	sess := Session{User: row.User, CSRF: row.CSRF, CreatedAt: row.SCreated.UTC(), LastSeen: row.SLastSeen.UTC()}
	if !row.Active || now.Sub(sess.LastSeen) > idle || now.Sub(sess.CreatedAt) > lifetime {
		if err := s.DeleteSession(ctx, token); err != nil {
			return Session{}, err
		}
		return Session{}, ErrNoSession
	}
	if active && now.Sub(sess.LastSeen) > touchEvery {
		if _, err := s.db.ExecContext(ctx, s.db.Rebind(`UPDATE admin_sessions SET last_seen_at = ? WHERE token_hash = ?`), now, h); err != nil {
			return Session{}, fmt.Errorf("admin: unable to refresh the session: %w", err)
		}
		sess.LastSeen = now
	}
	return sess, nil
}

// DeleteSession ends the session of token (logout).
func (s *Store) DeleteSession(ctx context.Context, token string) error {
	if _, err := s.db.ExecContext(ctx, s.db.Rebind(`DELETE FROM admin_sessions WHERE token_hash = ?`), hashToken(token)); err != nil {
		return fmt.Errorf("admin: unable to end the session: %w", err)
	}
	return nil
}

// AuditEntry is one recorded change.
type AuditEntry struct {
	ID     int64     `db:"id"`
	At     time.Time `db:"at"`
	Actor  string    `db:"actor"`
	Action string    `db:"action"`
	Target string    `db:"target"`
	// Before and After are JSON, "" when the object did not exist.
	Before string `db:"before_json"`
	After  string `db:"after_json"`
}

func auditJSON(v any) (string, error) {
	if v == nil {
		return "", nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("admin: unable to encode an audit record: %w", err)
	}
	return string(b), nil
}

// Record writes an audit entry for a change that another package's store
// made in its own transaction (the knowledge base, the desk): it follows
// the change's commit.
func (s *Store) Record(ctx context.Context, actor, action, target string, before, after any) error {
	return s.audit(ctx, s.db, actor, action, target, before, after)
}

// audit records a change, in the transaction that makes it when ex is one.
func (s *Store) audit(ctx context.Context, ex sqlx.ExecerContext, actor, action, target string, before, after any) error {
	b, err := auditJSON(before)
	if err != nil {
		return err
	}
	a, err := auditJSON(after)
	if err != nil {
		return err
	}
	if _, err := ex.ExecContext(ctx, s.db.Rebind(`INSERT INTO admin_audit (at, actor, action, target, before_json, after_json) VALUES (?, ?, ?, ?, ?, ?)`),
		s.now(), actor, action, target, b, a); err != nil {
		return fmt.Errorf("admin: unable to write the audit log: %w", err)
	}
	return nil
}

// AuditFilter selects audit entries; zero fields do not filter.
type AuditFilter struct {
	Actor  string
	Action string // prefix, e.g. "kb." or "user.create"
	Target string // substring
	From   time.Time
	To     time.Time // exclusive
	Limit  int
	Offset int
}

// AuditLog returns the entries matching f, newest first, and how many
// match in all.
func (s *Store) AuditLog(ctx context.Context, f AuditFilter) ([]AuditEntry, int, error) {
	var where []string
	var args []any
	if f.Actor != "" {
		where, args = append(where, `actor = ?`), append(args, f.Actor)
	}
	if f.Action != "" {
		where, args = append(where, `action LIKE ? ESCAPE '\'`), append(args, likeEscaper.Replace(f.Action)+"%")
	}
	if f.Target != "" {
		where, args = append(where, `target LIKE ? ESCAPE '\'`), append(args, "%"+likeEscaper.Replace(f.Target)+"%")
	}
	if !f.From.IsZero() {
		where, args = append(where, `at >= ?`), append(args, f.From.UTC())
	}
	if !f.To.IsZero() {
		where, args = append(where, `at < ?`), append(args, f.To.UTC())
	}
	cond := ""
	if len(where) > 0 {
		cond = ` WHERE ` + strings.Join(where, ` AND `)
	}
	var total int
	if err := s.db.GetContext(ctx, &total, s.db.Rebind(`SELECT COUNT(*) FROM admin_audit`+cond), args...); err != nil {
		return nil, 0, fmt.Errorf("admin: unable to count audit entries: %w", err)
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	var out []AuditEntry
	err := s.db.SelectContext(ctx, &out, s.db.Rebind(`SELECT id, at, actor, action, target, before_json, after_json FROM admin_audit`+cond+
		` ORDER BY id DESC LIMIT ? OFFSET ?`), append(args, limit, max(f.Offset, 0))...)
	if err != nil {
		return nil, 0, fmt.Errorf("admin: unable to read the audit log: %w", err)
	}
	for i := range out {
		out[i].At = out[i].At.UTC()
	}
	return out, total, nil
}

var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

package settings

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/tebingtinggi/hub/storage"
)

// NotifyChannel is the Postgres channel a saved setting is announced on,
// so that every replica reloads at once.
const NotifyChannel = "hub_settings"

// Source says where a setting's value in force comes from.
type Source string

// The sources, from weakest to strongest.
const (
	SourceDefault Source = "default"
	SourceEnv     Source = "env"
	SourceAdmin   Source = "admin"
)

// Setting is one setting's value in force as written (not parsed), and
// where it comes from: By and At are set for a value saved in the admin.
type Setting struct {
	Key    Key       `json:"-"`
	Value  string    `json:"value"`
	Source Source    `json:"source"`
	By     string    `json:"by,omitempty"`
	At     time.Time `json:"at,omitzero"`
}

// Base are the settings before the admin: each default, or its
// environment variable when set.
type Base map[Key]Setting

// FromEnv reads the settings' environment variables through getenv and
// refuses a bad one by name.
func FromEnv(getenv func(string) string) (Base, error) {
	b := Base{}
	for _, d := range Definitions {
		s := Setting{Key: d.Key, Value: d.Default, Source: SourceDefault}
		if v := strings.TrimSpace(getenv(d.Env)); v != "" {
			s = Setting{Key: d.Key, Value: v, Source: SourceEnv}
			if err := Check(d.Key, v); err != nil {
				var fe *FieldError
				if errors.As(err, &fe) {
					return nil, fmt.Errorf("%s=%q: %s", d.Env, v, fe.Msg)
				}
				return nil, fmt.Errorf("%s=%q: %w", d.Env, v, err)
			}
		}
		b[d.Key] = s
	}
	return b, nil
}

// Defaults are the settings without any environment variable.
func Defaults() Base {
	b, err := FromEnv(func(string) string { return "" })
	if err != nil {
		panic(err) // the defaults are constants, checked by the tests
	}
	return b
}

// Effective are the settings in force: their parsed Values and, for each,
// its value as written and its source.
type Effective struct {
	Values
	settings map[Key]Setting
}

// Setting returns key's value in force and its source.
func (e *Effective) Setting(key Key) Setting { return e.settings[key] }

// resolve lays the saved values over base. A saved value that no longer
// parses (a rule became stricter) is skipped with a warning, so that the
// hub keeps running on the base value.
func resolve(base Base, saved []Setting, log *slog.Logger) *Effective {
	e := &Effective{settings: map[Key]Setting{}}
	for k, s := range base {
		e.settings[k] = s
	}
	for _, s := range saved {
		if _, known := Lookup(s.Key); !known {
			continue
		}
		if err := Check(s.Key, s.Value); err != nil {
			log.Warn("settings: a saved value is refused; the environment's or default value applies", "setting", s.Key, "err", err)
			continue
		}
		e.settings[s.Key] = s
	}
	for _, d := range Definitions {
		if err := d.parse(e.settings[d.Key].Value, &e.Values); err != nil {
			// base values were checked by FromEnv; only a Base built by
			// hand gets here, and its default then applies.
			_ = d.parse(d.Default, &e.Values)
		}
	}
	return e
}

// Store reads and writes the settings table and keeps the settings in
// force in memory.
type Store struct {
	db     *storage.DB
	base   Base
	Logger *slog.Logger
	// Poll is how often Watch reloads without a notification (default 2s
	// on SQLite, 30s on Postgres).
	Poll time.Duration

	current atomic.Pointer[Effective]
}

// New returns the store on db over base, serving base until Reload.
func New(db *storage.DB, base Base) *Store {
	s := &Store{db: db, base: base, Logger: slog.Default()}
	s.current.Store(resolve(base, nil, s.Logger))
	return s
}

// Load returns a store on db over base with the saved settings read: for
// commands that run once.
func Load(ctx context.Context, db *storage.DB, base Base) (*Store, error) {
	s := New(db, base)
	return s, s.Reload(ctx)
}

// Current returns the settings in force. It reads memory only, so that
// any code path (a ticket opening inside a transaction) may call it.
func (s *Store) Current() *Effective { return s.current.Load() }

// Reload reads the saved settings now.
func (s *Store) Reload(ctx context.Context) error {
	saved, err := s.saved(ctx, s.db)
	if err != nil {
		return err
	}
	s.current.Store(resolve(s.base, saved, s.Logger))
	return nil
}

func (s *Store) saved(ctx context.Context, q storage.Querier) ([]Setting, error) {
	var rows []struct {
		Name      string    `db:"name"`
		Value     string    `db:"value"`
		UpdatedBy string    `db:"updated_by"`
		UpdatedAt time.Time `db:"updated_at"`
	}
	if err := q.SelectContext(ctx, &rows, `SELECT name, value, updated_by, updated_at FROM settings ORDER BY name`); err != nil {
		return nil, fmt.Errorf("settings: unable to read settings: %w", err)
	}
	out := make([]Setting, len(rows))
	for i, r := range rows {
		out[i] = Setting{Key: Key(r.Name), Value: r.Value, Source: SourceAdmin, By: r.UpdatedBy, At: r.UpdatedAt}
	}
	return out, nil
}

// inForce is key's setting as tx sees it.
func (s *Store) inForce(ctx context.Context, tx *sqlx.Tx, key Key) (Setting, error) {
	var r struct {
		Value     string    `db:"value"`
		UpdatedBy string    `db:"updated_by"`
		UpdatedAt time.Time `db:"updated_at"`
	}
	err := tx.GetContext(ctx, &r, s.db.Rebind(`SELECT value, updated_by, updated_at FROM settings WHERE name = ?`), string(key))
	if errors.Is(err, sql.ErrNoRows) {
		return s.base[key], nil
	}
	if err != nil {
		return Setting{}, fmt.Errorf("settings: unable to read %s: %w", key, err)
	}
	return Setting{Key: key, Value: r.Value, Source: SourceAdmin, By: r.UpdatedBy, At: r.UpdatedAt}, nil
}

// Save stores raw as key's value, saved by by at at, in tx: the caller
// commits (with its audit record) and then calls Reload. A refused value
// is a *FieldError and nothing is written. It returns the setting in
// force before and after.
func (s *Store) Save(ctx context.Context, tx *sqlx.Tx, key Key, raw, by string, at time.Time) (before, after Setting, err error) {
	raw = strings.TrimSpace(strings.ReplaceAll(raw, "\r\n", "\n"))
	if len(raw) > MaxValueLen {
		return Setting{}, Setting{}, fieldError(key, "terlalu panjang (paling banyak %d karakter).", MaxValueLen)
	}
	if err := Check(key, raw); err != nil {
		return Setting{}, Setting{}, err
	}
	if key == Holidays {
		list, _ := ParseHolidays(raw) // checked above
		raw = strings.TrimSpace(FormatHolidays(list))
	}
	if before, err = s.inForce(ctx, tx, key); err != nil {
		return Setting{}, Setting{}, err
	}
	at = at.UTC().Truncate(time.Microsecond)
	if _, err := tx.ExecContext(ctx, s.db.Rebind(`INSERT INTO settings (name, value, updated_by, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_by = excluded.updated_by, updated_at = excluded.updated_at`),
		string(key), raw, by, at); err != nil {
		return Setting{}, Setting{}, fmt.Errorf("settings: unable to save %s: %w", key, err)
	}
	if err := s.notify(ctx, tx); err != nil {
		return Setting{}, Setting{}, err
	}
	return before, Setting{Key: key, Value: raw, Source: SourceAdmin, By: by, At: at}, nil
}

// Reset drops key's saved value in tx, so that its environment variable
// or default applies again. It returns the setting in force before and
// after; changed is false when nothing was saved.
func (s *Store) Reset(ctx context.Context, tx *sqlx.Tx, key Key) (before, after Setting, changed bool, err error) {
	if _, ok := Lookup(key); !ok {
		return Setting{}, Setting{}, false, fmt.Errorf("settings: unknown setting %q", key)
	}
	if before, err = s.inForce(ctx, tx, key); err != nil {
		return Setting{}, Setting{}, false, err
	}
	res, err := tx.ExecContext(ctx, s.db.Rebind(`DELETE FROM settings WHERE name = ?`), string(key))
	if err != nil {
		return Setting{}, Setting{}, false, fmt.Errorf("settings: unable to reset %s: %w", key, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return before, before, false, err
	}
	return before, s.base[key], true, s.notify(ctx, tx)
}

// notify announces a change to the other replicas when tx commits.
func (s *Store) notify(ctx context.Context, tx *sqlx.Tx) error {
	if s.db.Dialect != storage.Postgres {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `SELECT pg_notify($1, '')`, NotifyChannel); err != nil {
		return fmt.Errorf("settings: unable to notify %s: %w", NotifyChannel, err)
	}
	return nil
}

// Watch reloads the settings when another process saves one, until ctx
// ends: on a Postgres notification, and by polling (the only way on
// SQLite, and a safety net on Postgres).
func (s *Store) Watch(ctx context.Context) error {
	s.db.Watch(ctx, NotifyChannel, s.Poll, s.Logger, "the settings", s.Reload)
	return nil
}

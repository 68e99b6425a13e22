// Package logid names a person in the logs without naming them: a keyed
// hash (HMAC-SHA256) of their platform and id, the same for the same
// person under one key, and useless to anyone who reads the logs without
// the key. Logs carry it, or a row id, never a NIP, chat id, name or text.
package logid

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
)

// MinKeyLen is the shortest key accepted: a short key could be guessed,
// and with it every hash reversed by trying the few million NIPs and chat
// ids there are.
const MinKeyLen = 16

// Hasher makes the keyed hashes; its zero value is not usable, make one
// with New.
type Hasher struct{ key []byte }

// New returns a Hasher with key (HUB_LOG_HASH_KEY), or, when key is
// empty, with a random key of this process: its hashes then correlate a
// person within one run only.
func New(key string) (*Hasher, error) {
	if key == "" {
		k := make([]byte, 32)
		if _, err := rand.Read(k); err != nil {
			return nil, fmt.Errorf("logid: no randomness for a key: %w", err)
		}
		return &Hasher{key: k}, nil
	}
	if len(key) < MinKeyLen {
		return nil, errors.New("logid: the key must have at least 16 characters")
	}
	return &Hasher{key: []byte(key)}, nil
}

// Person is the log name of the person with the given id on platform:
// "p-" and 16 hex digits.
func (h *Hasher) Person(platform, id string) string {
	m := hmac.New(sha256.New, h.key)
	m.Write([]byte(platform))
	m.Write([]byte{0})
	m.Write([]byte(id))
	return "p-" + hex.EncodeToString(m.Sum(nil)[:8])
}

// Attr is Person as the log attribute "person"; a nil Hasher (logging
// without correlation) gives an empty attribute, which slog drops.
func (h *Hasher) Attr(platform, id string) slog.Attr {
	if h == nil || id == "" {
		return slog.Attr{}
	}
	return slog.String("person", h.Person(platform, id))
}

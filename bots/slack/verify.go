package slack

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// MaxSkew is how far a request's timestamp may be from the hub's clock:
// Slack's own advice, and what makes a captured request useless later.
const MaxSkew = 5 * time.Minute

// Reasons a request is refused before it is parsed. They never quote the
// secret or the signature.
var (
	errNoSignature  = errors.New("slack: request has no X-Slack-Signature or X-Slack-Request-Timestamp")
	errStale        = errors.New("slack: request timestamp is more than 5 minutes away")
	errBadSignature = errors.New("slack: request signature does not match")
	errReplayed     = errors.New("slack: request was received before")
)

// verify checks a request's v0 signature (HMAC-SHA256 of
// "v0:<timestamp>:<body>" with the signing secret), that its timestamp is
// within MaxSkew of now, and that the same signed request was not received
// within that window already.
func verify(secret string, h http.Header, body []byte, now time.Time, replay *replayGuard) error {
	sig, ts := h.Get("X-Slack-Signature"), h.Get("X-Slack-Request-Timestamp")
	if sig == "" || ts == "" {
		return errNoSignature
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return errStale
	}
	if d := now.Sub(time.Unix(sec, 0)); d > MaxSkew || d < -MaxSkew {
		return errStale
	}
	if !hmac.Equal([]byte(sig), []byte(sign(secret, ts, body))) {
		return errBadSignature
	}
	if !replay.first(sig, now) {
		return errReplayed
	}
	return nil
}

// Sign returns the X-Slack-Signature of body sent at ts, as Slack computes
// it; tests and the benchmark sign their requests with it.
func Sign(secret string, ts int64, body []byte) string {
	return sign(secret, strconv.FormatInt(ts, 10), body)
}

func sign(secret, ts string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("v0:" + ts + ":"))
	mac.Write(body)
	return "v0=" + hex.EncodeToString(mac.Sum(nil))
}

// replayGuard remembers the signatures of the requests accepted within
// the last MaxSkew (older ones are refused as stale anyway). It holds one
// process's memory; across replicas the durable record of requests keeps
// a replay from having a second effect.
type replayGuard struct {
	mu   sync.Mutex
	seen map[string]time.Time
	last time.Time
}

func newReplayGuard() *replayGuard { return &replayGuard{seen: map[string]time.Time{}} }

// first records sig and reports whether it is new.
func (g *replayGuard) first(sig string, now time.Time) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if now.Sub(g.last) > MaxSkew {
		for s, at := range g.seen {
			if now.Sub(at) > 2*MaxSkew {
				delete(g.seen, s)
			}
		}
		g.last = now
	}
	if _, ok := g.seen[sig]; ok {
		return false
	}
	g.seen[sig] = now
	return true
}

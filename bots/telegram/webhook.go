package telegram

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"net/http"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// SecretHeader is the header in which Telegram sends the webhook secret.
const SecretHeader = "X-Telegram-Bot-Api-Secret-Token"

// MaxWebhookBody is the largest webhook request body accepted.
const MaxWebhookBody = 1 << 20

// WebhookHandler returns the handler for Telegram's webhook requests, to be
// mounted at WebhookPath. It answers:
//
//   - 405 to anything but POST;
//   - 401, without reading the body, when the secret header is missing or
//     wrong (compared in constant time; with no secret configured every
//     request is refused);
//   - 400 when the body exceeds MaxWebhookBody, is not JSON or has no
//     update_id;
//   - 500 when sink.Deliver fails, so that Telegram delivers again;
//   - 200 once sink.Deliver returned nil, or for updates that are skipped
//     (kinds the hub does not handle, or JSON with an update_id whose shape
//     cannot be read: redelivering those could never succeed).
func (a *Adapter) WebhookHandler(sink Sink) http.Handler {
	want := sha256.Sum256([]byte(a.secret))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		got := sha256.Sum256([]byte(r.Header.Get(SecretHeader)))
		if a.secret == "" || subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
			a.failures.Fail(failWebhookSecret)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		a.failures.OK(failWebhookSecret)
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxWebhookBody))
		if err != nil {
			var tooBig *http.MaxBytesError
			reason := "unreadable body"
			if errors.As(err, &tooBig) {
				reason = "body too large"
			}
			a.failures.Fail(failWebhookInput, "reason", reason)
			http.Error(w, reason, http.StatusBadRequest)
			return
		}
		u, id, err := decodeUpdate(body)
		if id == nil {
			a.failures.Fail(failWebhookInput, "reason", "not an update")
			http.Error(w, "not an update", http.StatusBadRequest)
			return
		}
		a.failures.OK(failWebhookInput)
		if err != nil {
			a.failures.Fail(failUndecodable, "update_id", *id, "error", err.Error())
			w.WriteHeader(http.StatusOK)
			return
		}
		a.failures.OK(failUndecodable)
		if err := a.process(r.Context(), sink, &u, &a.answers); err != nil {
			http.Error(w, "could not record update", http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
}

// decodeUpdate reads an update in one pass over raw. id is nil when raw
// has no update_id (it is not an update at all); err is set when it has
// one but the rest cannot be read.
func decodeUpdate(raw []byte) (u tgbotapi.Update, id *int, err error) {
	var w struct {
		// Shallower than the Update's own update_id, so it is this one
		// that is filled, and a missing id shows.
		UpdateID *int `json:"update_id"`
		tgbotapi.Update
	}
	if err = json.Unmarshal(raw, &w); err == nil {
		if w.UpdateID != nil {
			w.Update.UpdateID = *w.UpdateID
		}
		return w.Update, w.UpdateID, nil
	}
	// Unreadable: tell a broken update from something else.
	var probe struct {
		UpdateID *int `json:"update_id"`
	}
	if json.Unmarshal(raw, &probe) != nil {
		return u, nil, err
	}
	return u, probe.UpdateID, err
}

package telegram

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/bots/telegram/telegramtest"
)

// A citizen's private chat id is their Telegram user id: personal data,
// which the rate-limit warning must not carry.
func TestRateLimitWarningNamesNoChat(t *testing.T) {
	const chat, text = 731955123, "nomor saya 081234567890"
	f := newFixture(t, fastLimits)
	f.srv.SetFaults(func(method string, id int64) telegramtest.Fault {
		if method == "sendMessage" && id == chat {
			return telegramtest.Fault{Status: http.StatusTooManyRequests, RetryAfter: 30}
		}
		return telegramtest.Fault{}
	})
	_, err := f.a.Send(context.Background(), bots.Outgoing{ChatID: "731955123", Text: text})
	if se := sendErr(t, err); se.RetryAfter == 0 {
		t.Fatalf("send: %v, want a retry_after", err)
	}
	out := f.log.String()
	if !strings.Contains(out, failRateLimited.failing) {
		t.Fatalf("no rate-limit warning logged:\n%s", out)
	}
	for _, personal := range []string{"731955123", "081234567890"} {
		if strings.Contains(out, personal) {
			t.Errorf("the log holds %q:\n%s", personal, out)
		}
	}
}

package telegram

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/bots/telegram/telegramtest"
)

func FuzzWebhookHandler(f *testing.F) {
	srv := telegramtest.NewServer(f)
	a, err := New(context.Background(), Config{
		Token: srv.Token(), APIURL: srv.URL(), HTTPTimeout: time.Second,
		WebhookURL: "https://hub.example/tg", WebhookSecret: hookSecret,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		f.Fatal(err)
	}
	sink := SinkFunc(func(ctx context.Context, in bots.Incoming) error {
		if in.Text == "fail" {
			return errSink
		}
		return nil
	})
	h := a.WebhookHandler(sink)

	for _, seed := range []string{
		``, `{}`, `null`, `[]`, `{"update_id":1}`, `{"update_id":"1"}`, `{"update_id":1.5}`,
		`{"update_id":1,"message":{"message_id":1,"date":1,"chat":{"id":1,"type":"private"},"text":"/start@x y"}}`,
		`{"update_id":2,"message":{"text":"fail","chat":{"id":-5,"type":"group"},"entities":[{"type":"mention","offset":-3,"length":99}]}}`,
		`{"update_id":3,"message":{"text":"@a","chat":{"id":-5,"type":"supergroup"},"entities":[{"type":"mention","offset":1,"length":1},{"type":"text_mention","offset":0,"length":1}]}}`,
		`{"update_id":4,"callback_query":{"id":"x","data":"d"}}`,
		`{"update_id":5,"callback_query":{"id":"x","message":{"chat":{"id":1,"type":"private"}}}}`,
		`{"update_id":6,"edited_message":{"chat":{"id":1,"type":"private"},"sticker":{}}}`,
		`{"update_id":7,"channel_post":{"chat":{"id":-100,"type":"channel"},"text":"x"}}`,
		`{"update_id":8,"message":{"chat":null,"reply_to_message":{"from":null}}}`,
		`{"update_id":9,"message":5}`,
		"{\"update_id\":10,\"message\":{\"chat\":{\"id\":1,\"type\":\"group\"},\"text\":\"\xff\xfe @bot\",\"entities\":[{\"type\":\"mention\",\"offset\":2,\"length\":4}]}}",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest(http.MethodPost, "/tg", bytes.NewReader(body))
		req.Header.Set(SecretHeader, hookSecret)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusOK, http.StatusBadRequest, http.StatusInternalServerError:
		default:
			t.Fatalf("status %d for %q", rec.Code, body)
		}
	})
	a.answers.Wait()
}

package telegram

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
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
	var broken atomic.Value // a broken promise, as a string
	sink := SinkFunc(func(ctx context.Context, in bots.Incoming) error {
		// What the handlers rely on: a file has its id, a place its
		// coordinates on the globe, and nothing else carries either.
		if (in.Kind == bots.File) != (in.FileID != "") || (in.Kind == bots.Location) != (in.Place != nil) ||
			in.Place != nil && !onGlobe(in.Place.Latitude, in.Place.Longitude) {
			broken.Store(fmt.Sprintf("translated to %+v", in))
		}
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
		`{"update_id":11,"message":{"chat":{"id":1,"type":"private"},"voice":{"file_id":"v"},"caption":"x"}}`,
		`{"update_id":12,"message":{"chat":{"id":1,"type":"private"},"venue":{"location":{"latitude":95,"longitude":1},"title":"t"}}}`,
		`{"update_id":13,"message":{"chat":{"id":1,"type":"private"},"location":{"latitude":-3.3,"longitude":99.1,"live_period":60}}}`,
		`{"update_id":14,"edited_message":{"chat":{"id":1,"type":"private"},"location":{"latitude":-3.3,"longitude":99.1}}}`,
		`{"update_id":15,"message":{"chat":{"id":1,"type":"private"},"video_note":{"file_id":""}}}`,
		"{\"update_id\":10,\"message\":{\"chat\":{\"id\":1,\"type\":\"group\"},\"text\":\"\xff\xfe @bot\",\"entities\":[{\"type\":\"mention\",\"offset\":2,\"length\":4}]}}",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest(http.MethodPost, "/tg", bytes.NewReader(body))
		req.Header.Set(SecretHeader, hookSecret)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if b := broken.Swap(""); b != nil && b != "" {
			t.Fatalf("%s for %q", b, body)
		}
		switch rec.Code {
		case http.StatusOK, http.StatusBadRequest, http.StatusInternalServerError:
		default:
			t.Fatalf("status %d for %q", rec.Code, body)
		}
	})
	a.answers.Wait()
}

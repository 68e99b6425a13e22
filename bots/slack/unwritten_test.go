package slack

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/slack-go/slack"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/handlers"
	"github.com/tebingtinggi/hub/inbox"
	"github.com/tebingtinggi/hub/knowledge"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

// TestDeskRefusesAVariationOfAFileWithoutWordsAtOnce: a Jawab submission
// that adds the question of a ticket opened by a file without words as a
// variation, with no entry named, is refused at once in an ephemeral
// message saying why (as the form check does when it can read the
// ticket), not by asking for an entry first; nothing reaches the citizen.
func TestDeskRefusesAVariationOfAFileWithoutWordsAtOnce(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		var mu sync.Mutex
		var ephemerals []string
		api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			if strings.HasSuffix(r.URL.Path, "/chat.postEphemeral") {
				form, _ := url.ParseQuery(string(body))
				mu.Lock()
				ephemerals = append(ephemerals, form.Get("text"))
				mu.Unlock()
			}
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"ok":true}`)
		}))
		t.Cleanup(api.Close)
		a, err := New(Config{BotToken: "xoxb-test", SigningSecret: "rahasia", APIURL: api.URL, DB: db})
		if err != nil {
			t.Fatal(err)
		}
		in := inbox.New(db)
		conv, err := in.EnsureConversation(ctx, db, bots.Telegram, "71", "71", "Warga")
		if err != nil {
			t.Fatal(err)
		}
		var ticket inbox.Ticket
		err = db.InTx(ctx, func(tx *sqlx.Tx) error {
			ticket, _, err = in.OpenTicket(ctx, tx, conv.ID, "", inbox.NoCaption("voice"), inbox.NoMatch, time.Now())
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		d, err := a.NewDesk(DeskConfig{Channel: "CDESK", Inbox: in, Desk: &handlers.Desk{Inbox: in, DB: db},
			Knowledge: knowledge.NewStore(db), Index: knowledge.NewIndex(knowledge.DefaultConfig())})
		if err != nil {
			t.Fatal(err)
		}
		cb := slack.InteractionCallback{User: slack.User{ID: "U1", Name: "ani"}, View: slack.View{
			CallbackID: deskAnswerCallback, PrivateMetadata: strconv.FormatInt(ticket.ID, 10),
			State: &slack.ViewState{Values: map[string]map[string]slack.BlockAction{
				blockAnswer: {actionInput: {Value: "Mohon tuliskan keperluan Anda."}},
				blockLesson: {actionInput: {SelectedOption: slack.OptionBlockObject{Value: lessonAlt}}},
			}},
		}}
		if err := d.submit(ctx, cb); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		got := strings.Join(ephemerals, "\n")
		mu.Unlock()
		if !strings.Contains(got, "bukan pertanyaan tertulis") || !strings.Contains(got, "Jawaban belum dikirim") || strings.Contains(got, "Pilih satu FAQ") {
			t.Errorf("the officer was told %q; want the variation refused at once, saying why", got)
		}
		if det, err := in.Get(ctx, ticket.ID); err != nil || det.Ticket.FirstResponseAt != nil {
			t.Errorf("ticket after the refusal: %+v, %v; want it unanswered", det.Ticket, err)
		}
	})
}

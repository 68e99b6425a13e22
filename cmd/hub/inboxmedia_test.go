package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/inbox"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

// TestInboxShowNamesVoiceNotesAndPlaces: hub inbox show says what a
// citizen sent in words (a voice note with its file_id) and where a
// shared location is, with a map link, the venue's name inert.
func TestInboxShowNamesVoiceNotesAndPlaces(t *testing.T) {
	for _, backend := range storagetest.Backends {
		t.Run(string(backend), func(t *testing.T) {
			ta := voiceTicket(t, backend, "77", "", "(pesan suara tanpa keterangan)", "AwACvoice77", func(ctx context.Context, tx *sqlx.Tx, in *inbox.Store, conv int64) error {
				_, _, err := in.LogLocation(ctx, tx, conv, inbox.Location{Latitude: 3.3285, Longitude: 99.1625, Name: "Pasar \x1b[31mGambir"})
				return err
			})
			for _, args := range [][]string{{"inbox", "show", "1"}, {"inbox", "show", "1", "--full"}} {
				code, out, errOut := ta.run("", args...)
				if code != 0 {
					t.Fatalf("%v: %d %s", args, code, errOut)
				}
				for _, want := range []string{
					"warga mengirim pesan suara (file_id AwACvoice77)",
					"warga membagikan lokasi (peta https://www.google.com/maps?q=3.3285,99.1625)",
					"📍 Lokasi: 3.3285, 99.1625",
					"Gambir",
				} {
					if !strings.Contains(out, want) {
						t.Errorf("%v lacks %q:\n%s", args, want, out)
					}
				}
				if strings.Contains(out, "\x1b") {
					t.Errorf("%v passes a terminal escape through:\n%q", args, out)
				}
			}
		})
	}
}

// TestInboxReplyTeachesNothingFromAFileWithoutWords: `hub inbox reply
// --new-faq` or `--alternate-of` on a ticket opened by a voice note
// without words is refused, saying that its question is not one the
// citizen wrote and where to write the entry instead; nothing is sent,
// and the reply alone goes.
func TestInboxReplyTeachesNothingFromAFileWithoutWords(t *testing.T) {
	for _, backend := range storagetest.Backends {
		t.Run(string(backend), func(t *testing.T) {
			ta := voiceTicket(t, backend, "78", "", inbox.NoCaption("voice"), "AwACvoice78", nil)
			for _, lesson := range [][]string{{"--new-faq"}, {"--alternate-of", "ktp-hilang"}} {
				code, out, errOut := ta.run("", append([]string{"inbox", "reply", "1", "Mohon tulis keperluan Anda."}, lesson...)...)
				if code != 1 || !strings.Contains(errOut, "bukan pertanyaan tertulis") || !strings.Contains(errOut, "Tidak ada yang dikirim") ||
					!strings.Contains(errOut, "halaman Basis pengetahuan") {
					t.Errorf("reply %v: %d %s %s; want the lesson refused", lesson, code, out, errOut)
				}
			}
			if _, show, _ := ta.run("", "inbox", "show", "1", "--full"); strings.Contains(show, "Mohon tulis keperluan") {
				t.Errorf("a refused reply reached the ticket:\n%s", show)
			}
			if code, out, errOut := ta.run("", "inbox", "reply", "1", "Mohon tulis keperluan Anda."); code != 0 || !strings.Contains(out, "dijawab") {
				t.Errorf("the reply alone: %d %s %s", code, out, errOut)
			}
		})
	}
}

// voiceTicket migrates a fresh database on backend and opens ticket 1 for
// a Telegram citizen in chat chatID with question, and a voice note with
// fileID in it; more, when not nil, adds to the ticket in the same
// transaction. It returns the app the test drives.
func voiceTicket(t *testing.T, backend storage.Dialect, chatID, messageID, question, fileID string, more func(ctx context.Context, tx *sqlx.Tx, in *inbox.Store, conv int64) error) *testApp {
	t.Helper()
	url := storagetest.URL(t, backend)
	ta := newTestApp(t, url)
	if code, _, errOut := ta.run("", "migrate"); code != 0 {
		t.Fatalf("migrate: %s", errOut)
	}
	ctx := context.Background()
	db, err := storage.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	in := inbox.New(db)
	conv, err := in.EnsureConversation(ctx, db, bots.Telegram, chatID, chatID, "Butet")
	if err != nil {
		t.Fatal(err)
	}
	err = db.InTx(ctx, func(tx *sqlx.Tx) error {
		if _, _, err := in.OpenTicket(ctx, tx, conv.ID, messageID, question, inbox.NoMatch, time.Now()); err != nil {
			return err
		}
		if _, _, err := in.LogFile(ctx, tx, conv.ID, inbox.File{Kind: "voice", ID: fileID, MessageID: messageID}); err != nil {
			return err
		}
		if more != nil {
			return more(ctx, tx, in, conv.ID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ta
}

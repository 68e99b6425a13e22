package main

import (
	"context"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/inbox"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

// TestInboxShowMarksEdits: hub inbox show lists a citizen's edit of the
// ticket's question below the question, marked "(disunting)".
func TestInboxShowMarksEdits(t *testing.T) {
	for _, backend := range storagetest.Backends {
		t.Run(string(backend), func(t *testing.T) {
			ta := voiceTicket(t, backend, "78", "41", "ktp saya rusak", "AwACvoice78", func(ctx context.Context, tx *sqlx.Tx, in *inbox.Store, conv int64) error {
				_, logged, err := in.LogEdit(ctx, tx, bots.Telegram, "78", "78", "41", "ktp saya rusak, alamat Jl. Sudirman")
				if err == nil && !logged {
					t.Error("the edit of the ticket's question was not logged")
				}
				return err
			})
			for _, args := range [][]string{{"inbox", "show", "1"}, {"inbox", "show", "1", "--full"}} {
				code, out, errOut := ta.run("", args...)
				if code != 0 {
					t.Fatalf("%v: %d %s", args, code, errOut)
				}
				q, e := strings.Index(out, "ktp saya rusak"), strings.Index(out, "warga (disunting)")
				if q < 0 || e < q || !strings.Contains(out[e:], "alamat Jl. Sudirman") {
					t.Errorf("%v: want the question, then its edit marked (disunting):\n%s", args, out)
				}
			}
		})
	}
}

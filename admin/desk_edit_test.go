package admin

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

// TestDeskShowsACitizensEdit: the ticket page shows a citizen's edit of
// the question below it, marked "(disunting)", its text escaped.
func TestDeskShowsACitizensEdit(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h, c := loggedIn(t, db, "vera", RoleViewer)
		ctx := context.Background()
		id := h.ticketFrom(t, "Budi", "KTP saya rusak", "12")
		if err := db.InTx(ctx, func(tx *sqlx.Tx) error {
			_, logged, err := h.inbox.LogEdit(ctx, tx, bots.Telegram, "555", "777", "12", "KTP saya rusak <b>parah</b>")
			if err == nil && !logged {
				t.Error("the edit of the ticket's question was not logged")
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
		res, body := c.get(fmt.Sprintf("/admin/desk/%d", id))
		wantStatus(t, "ticket", res, body, http.StatusOK)
		q, e := strings.Index(body, "KTP saya rusak</div>"), strings.Index(body, "Warga · (disunting)")
		if q < 0 || e < q || !strings.Contains(body[e:], "KTP saya rusak &lt;b&gt;parah&lt;/b&gt;") {
			t.Errorf("want the question, then its edit marked (disunting) and escaped:\n%s", body)
		}
	})
}

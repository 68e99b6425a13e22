package admin

import (
	"net/http"
	"regexp"
	"strconv"
	"testing"

	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

// pagerLink is an offset a list page links to.
var pagerLink = regexp.MustCompile(`offset=(-?[0-9]+)`)

// TestListPagesSurviveJunkOffsets: a hand-edited or hostile offset shows
// a page, never a crash, and the pager never links to a negative offset.
func TestListPagesSurviveJunkOffsets(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h, c := loggedIn(t, db, "ada", RoleAdmin)
		h.ticket(t, "Warga", "Bagaimana cara mengurus izin keramaian?")
		for _, page := range []string{"/admin/kb", "/admin/desk", "/admin/unanswered", "/admin/audit", "/admin/desk/poll"} {
			for _, offset := range []string{"-5", "abc", "99999999999999999999", "9223372036854775807", "9223372036854775800"} {
				p := page + "?offset=" + offset
				res, body := c.get(p)
				wantStatus(t, "GET "+p, res, body, http.StatusOK)
				for _, m := range pagerLink.FindAllStringSubmatch(body, -1) {
					if n, err := strconv.ParseInt(m[1], 10, 64); err != nil || n < 0 {
						t.Errorf("GET %s links to offset %s", p, m[1])
					}
				}
			}
		}
	})
}

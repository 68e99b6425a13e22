package admin

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

// TestSettingsInTheBrowser: in December an admin is reminded of next
// year's holidays, a bad value is refused on the page, and entering the
// holidays makes the reminder go.
func TestSettingsInTheBrowser(t *testing.T) {
	chromiumPath(t)
	db := storagetest.Open(t, storage.SQLite)
	h := newHarness(t, db)
	h.clock.Advance(time.Date(2026, 12, 5, 3, 0, 0, 0, time.UTC).Sub(h.clock.Now()))
	h.user(t, "ada", RoleAdmin)
	b := newBrowser(t, h)

	b.open("/admin/")
	b.login("ada")
	b.wantText(".reminder", "tahun 2027 belum diisi")
	b.do("follow the reminder", chromedp.Click(chromedp.CSS(`.reminder a`)), chromedp.WaitVisible(chromedp.CSS(`#setting-holidays`)))

	b.do("save bad hours",
		chromedp.SetValue(chromedp.CSS(`#value-service_hours`), "sen-jum 25:00-08:00"),
		chromedp.Click(chromedp.CSS(`#setting-service_hours button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`main > .error`)),
	)
	b.wantText("main > .error", `Jam layanan: bagian "sen-jum 25:00-08:00" tidak sah`)
	b.wantText("#setting-service_hours .source", "bawaan")

	b.do("enter next year's holidays",
		chromedp.SetValue(chromedp.CSS(`#value-holidays`), "2027-01-01 Tahun Baru Masehi\n2027-02-17 Tahun Baru Imlek\n2027-03-10 Hari Suci Nyepi"),
		chromedp.Click(chromedp.CSS(`#setting-holidays button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.notice`)),
	)
	b.wantText("#setting-holidays .source", "disimpan di admin oleh ada pada 05-12-2026 10:00 WIB")
	b.wantText("#setting-holidays details", "Hari libur 2027 (3 hari)")
	if got := b.text("main"); strings.Contains(got, "belum diisi") {
		t.Errorf("the reminder stays once next year's holidays are entered:\n%s", got)
	}
	b.screenshot("settings")
}

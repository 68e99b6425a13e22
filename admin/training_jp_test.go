package admin

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
	"github.com/tebingtinggi/hub/training"
	"github.com/tebingtinggi/hub/training/trainingtest"
)

// TestJPPageShowsTheTrainingReport: the JP page and its export are the
// training store's report against the target in force on the settings
// page, escaped, for viewers too; the people are listed per unit.
func TestJPPageShowsTheTrainingReport(t *testing.T) {
	const attack = `<script>alert(1)</script>`
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h, admin := loggedIn(t, db, "siti", RoleAdmin)
		h.user(t, "vera", RoleViewer)
		c := h.login(t, "vera")
		ctx := context.Background()
		now := h.clock.Now()
		w := trainingtest.Build(t, db, trainingtest.Spec{ASN: 3, Sessions: 1, Start: now.Add(24 * time.Hour)})
		// Two of them in DISKOMINFO, one with a hostile name; the first
		// has 12 JP this year, the others none.
		if _, err := h.training.ImportASN(ctx, strings.NewReader("nip,name,unit\n"+w.NIPs[0]+",Budi Santoso,DISKOMINFO\n"+
			w.NIPs[1]+","+attack+",DISKOMINFO\n"+w.NIPs[2]+",Andi,BKPSDM\n"), "asn.csv"); err != nil {
			t.Fatal(err)
		}
		if _, err := h.training.ImportJP(ctx, strings.NewReader("nip,date,jp,title,provider\n"+w.NIPs[0]+","+
			now.In(training.WIB).Format(time.DateOnly)+",12,Literasi Digital,e-learning LAN\n"), "jp.csv"); err != nil {
			t.Fatal(err)
		}
		admin.get("/admin/settings")
		res, body := admin.post("/admin/settings/jp_target", url.Values{"value": {"10"}})
		if res.StatusCode >= 400 {
			t.Fatalf("save the JP target: %d\n%s", res.StatusCode, body)
		}
		year := now.In(training.WIB).Year()
		want, err := h.training.JPReport(ctx, year, "", 10, now)
		if err != nil {
			t.Fatal(err)
		}

		res, body = c.get("/admin/training/jp")
		wantStatus(t, "JP of all units", res, body, http.StatusOK)
		for _, s := range []string{"Target 10,0 JP", `href="/admin/training/jp?year=`, ">DISKOMINFO</a>", ">BKPSDM</a>",
			"1 (50%)", "Pilih OPD"} {
			if !strings.Contains(body, s) {
				t.Errorf("the page lacks %q:\n%s", s, body)
			}
		}
		if strings.Contains(body, `id="jp-people"`) {
			t.Error("all units' page lists every ASN")
		}
		res, body = c.get("/admin/training/jp?unit=diskominfo")
		wantStatus(t, "JP of a unit", res, body, http.StatusOK)
		for _, s := range []string{`id="jp-people"`, w.NIPs[0], "Budi Santoso", "sesuai target", "&lt;script&gt;alert(1)&lt;/script&gt;", "tertinggal "} {
			if !strings.Contains(body, s) {
				t.Errorf("the unit's page lacks %q:\n%s", s, body)
			}
		}
		if strings.Contains(body, "<script>alert") || strings.Contains(body, "Andi") {
			t.Errorf("not escaped, or another unit's ASN listed:\n%s", body)
		}
		res, body = c.get("/admin/training/jp?unit=TIDAKADA")
		wantStatus(t, "an unknown unit", res, body, http.StatusOK)
		if !strings.Contains(body, `id="jp-empty"`) {
			t.Errorf("an empty report is not said so:\n%s", body)
		}
		for _, bad := range []string{"kemarin", "1990", "99999"} {
			res, body = c.get("/admin/training/jp?year=" + bad)
			wantStatus(t, "year "+bad, res, body, http.StatusBadRequest)
			if !strings.Contains(body, "tidak sah") {
				t.Errorf("year %s: no reason given:\n%s", bad, body)
			}
		}

		res, body = c.get("/admin/training/jp/export")
		wantStatus(t, "export", res, body, http.StatusOK)
		var csv strings.Builder
		csv.WriteString("\uFEFF") // for Excel: see sendCSV
		if err := want.WriteCSV(&csv); err != nil {
			t.Fatal(err)
		}
		if body != csv.String() || res.Header.Get("Content-Type") != "text/csv; charset=utf-8" {
			t.Errorf("export %q:\n%s\nwant:\n%s", res.Header.Get("Content-Type"), body, csv.String())
		}
	})
}

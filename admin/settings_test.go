package admin

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tebingtinggi/hub/inbox"
	"github.com/tebingtinggi/hub/settings"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

func (h *harness) settingsAudit(t *testing.T) []AuditEntry {
	t.Helper()
	entries, _, err := h.accounts.AuditLog(context.Background(), AuditFilter{Action: "settings."})
	if err != nil {
		t.Fatal(err)
	}
	return entries
}

// TestSettingsSaveAppliesAtOnce: an admin saves the SLA; the running
// inbox gives the next ticket the new due time, the page names who saved
// it, and the audit log holds the value before and after.
func TestSettingsSaveAppliesAtOnce(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h, admin := loggedIn(t, db, "siti", RoleAdmin)
		h.inbox.Terms = func() (inbox.Calendar, time.Duration) { v := h.settings.Current(); return v.Calendar, v.SLA }
		due := func() time.Duration {
			t.Helper()
			id := h.ticket(t, "Warga", "Kapan kantor buka?")
			// Closed, so that the next question opens a new ticket.
			tk, err := h.inbox.Close(context.Background(), db, id, "test", true, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			return tk.DueAt.Sub(tk.CreatedAt)
		}
		// The default calendar has working hours; a clock-around one makes
		// the due time exactly the SLA.
		_, body := admin.get("/admin/settings")
		for _, want := range []string{"Jam layanan", "Batas waktu balasan tiket (SLA)", "Sumber nilai: <strong>bawaan</strong>", `action="/admin/settings/ticket_sla"`} {
			if !strings.Contains(body, want) {
				t.Errorf("settings page lacks %q", want)
			}
		}
		res, body := admin.post("/admin/settings/service_hours", url.Values{"value": {"sen-min 00:00-24:00"}})
		wantStatus(t, "save service hours", res, body, http.StatusSeeOther)
		if d := due(); d != 8*time.Hour {
			t.Fatalf("before saving the SLA, a ticket is due after %v, want the default 8h", d)
		}
		res, body = admin.post("/admin/settings/ticket_sla", url.Values{"value": {"2 jam"}})
		wantStatus(t, "save SLA", res, body, http.StatusSeeOther)
		if d := due(); d != 2*time.Hour {
			t.Errorf("after saving 2 jam, a new ticket is due after %v", d)
		}
		_, body = admin.get("/admin/settings")
		if !strings.Contains(body, "disimpan di admin oleh siti pada") || !strings.Contains(body, `value="2 jam"`) {
			t.Errorf("the page does not say that siti saved 2 jam:\n%s", body)
		}
		entries := h.settingsAudit(t)
		if len(entries) != 2 || entries[0].Action != "settings.save" || entries[0].Actor != "web:siti" || entries[0].Target != "setting:ticket_sla" ||
			!strings.Contains(entries[0].Before, `"value":"8 jam","source":"default"`) || !strings.Contains(entries[0].After, `"value":"2 jam","source":"admin"`) {
			t.Errorf("audit entries %+v", entries)
		}
		// Resetting brings the default back, audited too.
		res, body = admin.post("/admin/settings/ticket_sla/reset", url.Values{})
		wantStatus(t, "reset SLA", res, body, http.StatusSeeOther)
		if d := due(); d != 8*time.Hour {
			t.Errorf("after reset, a new ticket is due after %v, want 8h", d)
		}
		if e := h.settingsAudit(t); len(e) != 3 || e[0].Action != "settings.reset" || !strings.Contains(e[0].After, `"source":"default"`) {
			t.Errorf("reset audit %+v", e)
		}
	})
}

// TestSettingsRefuseBadInput: a bad value is shown back with a message
// naming the field, and nothing is saved or audited.
func TestSettingsRefuseBadInput(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h, admin := loggedIn(t, db, "siti", RoleAdmin)
		cases := []struct{ key, value, want string }{
			{"service_hours", "25:00-08:00", "Jam layanan: bagian &#34;25:00-08:00&#34; tidak sah"},
			{"holidays", "2027-01-01 Tahun Baru\n2027-01-01 Tahun Baru lagi", "Hari libur nasional dan cuti bersama: baris 2: tanggal 2027-01-01 sudah tercantum di baris 1"},
			{"holidays", "2027-02-30 Imlek", "baris 1: &#34;2027-02-30&#34; bukan tanggal yang sah"},
			{"reminder_offsets", "7d, -2h", "Pengingat pelatihan: &#34;-2h&#34; tidak sah"},
			{"jp_target", "0", "Target JP per ASN per tahun: &#34;0&#34; tidak sah"},
			{"jp_target", "99999", "dari 1 sampai 1000"},
			{"ticket_sla", "-3 jam", "Batas waktu balasan tiket (SLA)"},
		}
		for _, c := range cases {
			res, body := admin.post("/admin/settings/"+c.key, url.Values{"value": {c.value}})
			wantStatus(t, c.key+"="+c.value, res, body, http.StatusBadRequest)
			if !strings.Contains(body, c.want) {
				t.Errorf("%s=%q: the page lacks %q:\n%s", c.key, c.value, c.want, body)
			}
			if !strings.Contains(body, "Tidak disimpan.") {
				t.Errorf("%s=%q: the page does not say nothing was saved", c.key, c.value)
			}
		}
		if e := h.settingsAudit(t); len(e) != 0 {
			t.Errorf("refused values were audited: %+v", e)
		}
		if err := h.settings.Reload(context.Background()); err != nil {
			t.Fatal(err)
		}
		for _, d := range settings.Definitions {
			if s := h.settings.Current().Setting(d.Key); s.Source != settings.SourceDefault {
				t.Errorf("%s was saved: %+v", d.Key, s)
			}
		}
		res, body := admin.post("/admin/settings/nothing", url.Values{"value": {"1"}})
		wantStatus(t, "unknown setting", res, body, http.StatusNotFound)
	})
}

// TestSettingsOnlyAdminsChange: officers and viewers read the page
// without forms and are refused a change; a form without its CSRF token
// is refused even for an admin.
func TestSettingsOnlyAdminsChange(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h, admin := loggedIn(t, db, "siti", RoleAdmin)
		for _, role := range []Role{RoleOfficer, RoleViewer} {
			name := "u-" + string(role)
			h.user(t, name, role)
			c := h.login(t, name)
			res, body := c.get("/admin/settings")
			wantStatus(t, string(role)+" reads settings", res, body, http.StatusOK)
			if strings.Contains(body, `action="/admin/settings/`) || !strings.Contains(body, "Hanya admin yang dapat mengubah pengaturan") {
				t.Errorf("%s sees a settings form", role)
			}
			res, body = c.post("/admin/settings/jp_target", url.Values{"value": {"30"}})
			wantStatus(t, string(role)+" saves", res, body, http.StatusForbidden)
			res, body = c.post("/admin/settings/jp_target/reset", url.Values{})
			wantStatus(t, string(role)+" resets", res, body, http.StatusForbidden)
		}
		admin.get("/admin/settings")
		res, body := admin.post("/admin/settings/jp_target", url.Values{"value": {"30"}, "csrf": {"palsu"}})
		wantStatus(t, "save without CSRF token", res, body, http.StatusForbidden)
		if err := h.settings.Reload(context.Background()); err != nil {
			t.Fatal(err)
		}
		if v := h.settings.Current().JPTarget; v != 20 {
			t.Errorf("a refused change took effect: JP target %v", v)
		}
		if e := h.settingsAudit(t); len(e) != 0 {
			t.Errorf("refused changes were audited: %+v", e)
		}
	})
}

// TestHolidayReminder: in December without next year's holidays, admins
// see a reminder on the dashboard and the settings page until they enter
// them; other roles do not.
func TestHolidayReminder(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newHarness(t, db)
		// 5 December, 10:00 WIB, whatever the machine's date.
		h.clock.Advance(time.Date(2026, 12, 5, 3, 0, 0, 0, time.UTC).Sub(h.clock.Now()))
		h.user(t, "siti", RoleAdmin)
		admin := h.login(t, "siti")
		res, body := admin.post("/admin/settings/holidays", url.Values{"value": {"2026-12-25 Hari Raya Natal <script>alert(1)</script>\n2026-12-24 Cuti bersama Natal"}})
		wantStatus(t, "save 2026 holidays", res, body, http.StatusSeeOther)
		const reminder = "Hari libur nasional dan cuti bersama tahun 2027 belum diisi"
		for _, page := range []string{"/admin/", "/admin/settings"} {
			if _, body := admin.get(page); !strings.Contains(body, reminder) {
				t.Errorf("%s lacks the reminder", page)
			}
		}
		h.user(t, "budi", RoleOfficer)
		if _, body := h.login(t, "budi").get("/admin/"); strings.Contains(body, reminder) {
			t.Errorf("an officer sees the reminder")
		}
		_, body = admin.get("/admin/settings")
		if !strings.Contains(body, "Hari libur 2026 (2 hari)") || !strings.Contains(body, "2026-12-24 — Cuti bersama Natal") {
			t.Errorf("the page does not list the 2026 holidays:\n%s", body)
		}
		if strings.Contains(body, "<script>alert") || !strings.Contains(body, "Natal &lt;script&gt;alert(1)&lt;/script&gt;") {
			t.Errorf("a holiday's name is not escaped:\n%s", body)
		}
		res, body = admin.post("/admin/settings/holidays", url.Values{"value": {h.settings.Current().Setting(settings.Holidays).Value +
			"\n2027-01-01 Tahun Baru Masehi\r\n2027-03-20 Hari Suci Nyepi"}})
		wantStatus(t, "add 2027 holidays", res, body, http.StatusSeeOther)
		for _, page := range []string{"/admin/", "/admin/settings"} {
			if _, body := admin.get(page); strings.Contains(body, reminder) {
				t.Errorf("%s still shows the reminder once 2027 is entered", page)
			}
		}
		if !h.settings.Current().Calendar.Holidays["2027-03-20"] {
			t.Errorf("the saved holiday is not in the calendar in force")
		}
	})
}

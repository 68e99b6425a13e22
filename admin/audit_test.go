package admin

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

// auditDateCases filter an audit log of one entry a day, 4 to 8 December
// 2026 at 23.30 WIB, by the dates officers type.
var auditDateCases = []struct {
	from, to string
	want     []string // targets listed, newest first
}{
	{"06/12/2026", "", []string{"day:8", "day:7", "day:6"}},
	{"6-12-2026", "7 Des 2026", []string{"day:7", "day:6"}},
	{"", "Sabtu, 5 Desember 2026", []string{"day:5", "day:4"}},
	{"2026-12-08", "2026-12-08", []string{"day:8"}},
	{"6.12.2026", "06/12/2026", []string{"day:6"}},
}

// auditDateRefusals are filters the audit page refuses, with what its
// message must say.
var auditDateRefusals = []struct {
	from, to string
	want     []string
}{
	{"31/02/2026", "", []string{`Dari: tanggal "31/02/2026"`, "31 Februari 2026 tidak ada"}},
	{"", "kemarin", []string{`Sampai: tanggal "kemarin"`, "misalnya"}},
	{"12/06/26", "besok", []string{`Dari: tanggal "12/06/26"`, "4 angka", `Sampai: tanggal "besok"`}},
	{"7/12/2026", "6/12/2026", []string{`Sampai: tanggal "6/12/2026" lebih awal daripada tanggal Dari "7/12/2026"`}},
}

func TestAuditLogReadsDayFirstDates(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := newHarness(t, db)
		h.clock.t = time.Date(2026, 12, 4, 23, 30, 0, 0, jakarta)
		for day := 4; day <= 8; day++ {
			if err := h.accounts.Record(context.Background(), "web:ada", "test.day", "day:"+string(rune('0'+day)), nil, nil); err != nil {
				t.Fatal(err)
			}
			h.clock.Advance(24 * time.Hour)
		}
		h.user(t, "ada", RoleAdmin)
		c := h.login(t, "ada")
		for _, tc := range auditDateCases {
			v := url.Values{"action": {"test."}, "from": {tc.from}, "to": {tc.to}}
			res, body := c.get("/admin/audit?" + v.Encode())
			wantStatus(t, "audit "+v.Encode(), res, body, http.StatusOK)
			var got []string
			for _, part := range strings.Split(body, "<td>day:")[1:] {
				got = append(got, "day:"+part[:1])
			}
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Errorf("from %q to %q lists %v, want %v", tc.from, tc.to, got, tc.want)
			}
			// The officer's own words stay in the form.
			for _, typed := range []string{tc.from, tc.to} {
				if !strings.Contains(body, `value="`+html.EscapeString(typed)+`"`) {
					t.Errorf("the form does not keep %q", typed)
				}
			}
		}
		for _, tc := range auditDateRefusals {
			v := url.Values{"from": {tc.from}, "to": {tc.to}}
			res, body := c.get("/admin/audit?" + v.Encode())
			wantStatus(t, "audit "+v.Encode(), res, body, http.StatusBadRequest)
			text := html.UnescapeString(body)
			for _, want := range tc.want {
				if !strings.Contains(text, want) {
					t.Errorf("from %q to %q: the message lacks %q:\n%s", tc.from, tc.to, want, text)
				}
			}
			if strings.Contains(body, "<td>day:") {
				t.Errorf("from %q to %q: entries listed beside the refusal", tc.from, tc.to)
			}
		}
	})
}

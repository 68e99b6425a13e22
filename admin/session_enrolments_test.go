package admin

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
	"github.com/tebingtinggi/hub/training/trainingtest"
)

// TestSessionEnrolmentsOneByOne: an officer enrols an ASN, records
// attendance and takes an ASN off a session's list, each checked by the
// store's rules and audited without the RSVP's reason; a viewer only
// reads.
func TestSessionEnrolmentsOneByOne(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		h, otto := loggedIn(t, db, "otto", RoleOfficer)
		h.user(t, "vera", RoleViewer)
		vera := h.login(t, "vera")
		// S0000 began three hours ago; S0001 starts in three days.
		w := trainingtest.Build(t, db, trainingtest.Spec{ASN: 3, Sessions: 2, Start: time.Now().Add(-3 * time.Hour), Gap: 72 * time.Hour})
		var past, future int64
		if err := db.GetContext(ctx, &past, `SELECT id FROM training_sessions WHERE code = 'S0000'`); err != nil {
			t.Fatal(err)
		}
		if err := db.GetContext(ctx, &future, `SELECT id FROM training_sessions WHERE code = 'S0001'`); err != nil {
			t.Fatal(err)
		}
		newcomer := trainingtest.NIP(7)
		if _, err := h.training.ImportASN(ctx, strings.NewReader("nip,name,unit\n"+newcomer+",Rina,DISKOMINFO\n"), "asn.csv"); err != nil {
			t.Fatal(err)
		}
		base := "/admin/session/" + strconv.FormatInt(past, 10) + "/enrolments"
		enrolled := func(id int64) map[string]*bool {
			t.Helper()
			list, err := h.training.Enrolments(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			m := map[string]*bool{}
			for _, e := range list {
				m[e.NIP] = e.Attended
			}
			return m
		}

		res, body := vera.get(base)
		wantStatus(t, "viewer reads", res, body, http.StatusOK)
		wantBody(t, "viewer reads", body, w.NIPs[0], w.NIPs[2], "belum menjawab", "belum diketahui")
		if strings.Contains(body, `id="enrol-form"`) {
			t.Error("a viewer sees the enrol form")
		}
		res, body = vera.post(base, url.Values{"nip": {newcomer}})
		wantStatus(t, "viewer enrols", res, body, http.StatusForbidden)

		otto.get(base)
		for _, c := range []struct{ nip, want string }{
			{"abc", "NIP"}, {trainingtest.NIP(9), "tidak dikenal"}, {w.NIPs[0], "sudah terdaftar"},
		} {
			res, body = otto.post(base, url.Values{"nip": {c.nip}})
			wantStatus(t, "enrol "+c.nip, res, body, http.StatusUnprocessableEntity)
			wantBody(t, "enrol "+c.nip, body, c.want)
		}
		spaced := newcomer[:8] + " " + newcomer[8:14] + " " + newcomer[14:]
		res, body = otto.post(base, url.Values{"nip": {spaced}})
		wantStatus(t, "enrol", res, body, http.StatusSeeOther)
		if _, ok := enrolled(past)[newcomer]; !ok || len(enrolled(past)) != 4 {
			t.Fatalf("enrolments %v; want the newcomer too", enrolled(past))
		}

		res, body = otto.post(base+"/"+w.NIPs[0]+"/attendance", url.Values{"attended": {"ya"}})
		wantStatus(t, "attendance", res, body, http.StatusSeeOther)
		if a := enrolled(past)[w.NIPs[0]]; a == nil || !*a {
			t.Errorf("attendance %v; want recorded", a)
		}
		res, body = otto.post(base+"/"+w.NIPs[0]+"/attendance", url.Values{"attended": {"mungkin"}})
		wantStatus(t, "a bad attendance", res, body, http.StatusUnprocessableEntity)
		res, body = otto.post("/admin/session/"+strconv.FormatInt(future, 10)+"/enrolments/"+w.NIPs[0]+"/attendance", url.Values{"attended": {"ya"}})
		wantStatus(t, "attendance before the session", res, body, http.StatusUnprocessableEntity)
		wantBody(t, "attendance before the session", body, "belum berlangsung")
		if a := enrolled(future)[w.NIPs[0]]; a != nil {
			t.Errorf("attendance recorded before the session: %v", *a)
		}
		res, body = otto.post(base+"/"+trainingtest.NIP(9)+"/attendance", url.Values{"attended": {"ya"}})
		wantStatus(t, "attendance of someone not enrolled", res, body, http.StatusNotFound)

		res, body = otto.post(base+"/"+w.NIPs[0]+"/delete", url.Values{})
		wantStatus(t, "unenrol one who attended", res, body, http.StatusUnprocessableEntity)
		wantBody(t, "unenrol one who attended", body, "sudah dicatat")
		res, body = otto.post(base+"/"+w.NIPs[1]+"/delete", url.Values{"csrf": {"palsu"}})
		wantStatus(t, "unenrol without CSRF", res, body, http.StatusForbidden)
		res, body = otto.post(base+"/"+w.NIPs[1]+"/delete", url.Values{})
		wantStatus(t, "unenrol", res, body, http.StatusSeeOther)
		if got := enrolled(past); len(got) != 3 {
			t.Errorf("enrolments %v; want %s gone", got, w.NIPs[1])
		} else if _, still := got[w.NIPs[1]]; still {
			t.Errorf("enrolments %v; want %s gone", got, w.NIPs[1])
		}

		entries, _, err := h.accounts.AuditLog(ctx, AuditFilter{Action: "enrolment."})
		if err != nil || len(entries) != 3 || entries[2].Action != "enrolment.create" || !strings.Contains(entries[2].After, newcomer) ||
			entries[1].Action != "enrolment.attendance" || !strings.Contains(entries[1].After, `"attended":true`) ||
			entries[0].Action != "enrolment.delete" || !strings.Contains(entries[0].Before, w.NIPs[1]) || entries[0].Actor != "web:otto" {
			t.Fatalf("audit: %+v, %v", entries, err)
		}
		for _, e := range entries {
			if strings.Contains(e.Before+e.After, "rsvp") {
				t.Errorf("the audit keeps the RSVP: %+v", e)
			}
		}
	})
}

// The participants page names each ASN (an officer records attendance from
// a signed list of names, not of 18-digit NIPs) with their unit, and each
// row's attendance choice starts at what is recorded, so that "Catat"
// pressed on a row left as shown changes nothing.
func TestSessionEnrolmentsNameEachASN(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		h, otto := loggedIn(t, db, "otto", RoleOfficer)
		w := trainingtest.Build(t, db, trainingtest.Spec{ASN: 2, Sessions: 1, Start: time.Now().Add(-3 * time.Hour)})
		if _, _, err := h.training.SetAttendance(ctx, w.Sessions[0], w.NIPs[0], new(true)); err != nil {
			t.Fatal(err)
		}
		base := "/admin/session/" + strconv.FormatInt(w.Sessions[0], 10) + "/enrolments"
		res, body := otto.get(base)
		wantStatus(t, "participants", res, body, http.StatusOK)
		wantBody(t, "participants", body, "<th>Nama</th>", "<td>ASN Uji 1</td>", "<td>ASN Uji 2</td>",
			`aria-label="Kehadiran `+w.NIPs[0]+`"><option value="">belum diketahui</option><option value="ya" selected>hadir</option>`,
			`aria-label="Kehadiran `+w.NIPs[1]+`"><option value="" selected>belum diketahui</option>`)
		// "Catat" on the row as shown keeps the attendance.
		res, body = otto.post(base+"/"+w.NIPs[0]+"/attendance", url.Values{"attended": {"ya"}})
		wantStatus(t, "attendance as shown", res, body, http.StatusSeeOther)
		list, err := h.training.Enrolments(ctx, w.Sessions[0])
		if err != nil || len(list) != 2 || list[0].Name != "ASN Uji 1" || list[0].Unit == "" {
			t.Fatalf("enrolments %+v, %v; want names and units", list, err)
		}
	})
}

// An inactive ASN (retired, moved away) enrolled in a session ahead would
// get no reminder and no survey, without anyone being told: the form
// refuses it, saying why and what to do. A session that has begun takes
// them, to record what happened.
func TestSessionEnrolRefusesAnInactiveASNAhead(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		h, otto := loggedIn(t, db, "otto", RoleOfficer)
		w := trainingtest.Build(t, db, trainingtest.Spec{ASN: 1, Sessions: 2, Start: time.Now().Add(-3 * time.Hour), Gap: 72 * time.Hour})
		retired := trainingtest.NIP(7)
		if _, err := h.training.ImportASN(ctx, strings.NewReader("nip,name,unit,active\n"+retired+",Rina Pensiun,DISKOMINFO,tidak\n"), "asn.csv"); err != nil {
			t.Fatal(err)
		}
		ahead := "/admin/session/" + strconv.FormatInt(w.Sessions[1], 10) + "/enrolments"
		otto.get(ahead)
		res, body := otto.post(ahead, url.Values{"nip": {retired}})
		wantStatus(t, "enrol an inactive ASN ahead", res, body, http.StatusUnprocessableEntity)
		wantBody(t, "enrol an inactive ASN ahead", body, "Rina Pensiun (NIP "+retired+") tidak aktif", "tidak akan menerima pengingat maupun survei", "direktori ASN")
		if list, _ := h.training.Enrolments(ctx, w.Sessions[1]); len(list) != 1 {
			t.Errorf("enrolments %+v; want the inactive ASN not enrolled", list)
		}
		begun := "/admin/session/" + strconv.FormatInt(w.Sessions[0], 10) + "/enrolments"
		otto.get(begun)
		res, body = otto.post(begun, url.Values{"nip": {retired}})
		wantStatus(t, "enrol an inactive ASN in a session begun", res, body, http.StatusSeeOther)
	})
}

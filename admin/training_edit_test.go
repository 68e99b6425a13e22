package admin

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tebingtinggi/hub/outbox"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
	"github.com/tebingtinggi/hub/training"
	"github.com/tebingtinggi/hub/training/trainingtest"
)

var revField = regexp.MustCompile(`name="rev" value="([^"]+)"`)

// formRev is the revision a record form was read at.
func formRev(t *testing.T, body string) string {
	t.Helper()
	m := revField.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no revision in the form:\n%s", body)
	}
	return m[1]
}

func wantBody(t *testing.T, what, body string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("%s: the page lacks %q:\n%s", what, w, body)
		}
	}
	if strings.Contains(body, "<script>alert") {
		t.Errorf("%s: not escaped:\n%s", what, body)
	}
}

// TestTrainingEditsAreCheckedAuditedAndNeverLost: two officers edit one
// training; the second is told of the first's change; values are checked
// by the import's rules; deletions need a training without sessions;
// every change is audited; a viewer only reads.
func TestTrainingEditsAreCheckedAuditedAndNeverLost(t *testing.T) {
	const attack = `<script>alert(1)</script>`
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		h, otto := loggedIn(t, db, "otto", RoleOfficer)
		h.user(t, "olga", RoleOfficer)
		olga := h.login(t, "olga")
		h.user(t, "vera", RoleViewer)
		vera := h.login(t, "vera")
		trainingtest.Build(t, db, trainingtest.Spec{ASN: 2, Sessions: 1, Start: time.Now().Add(48 * time.Hour)})
		t1, err := h.training.TrainingByCode(ctx, "T1")
		if err != nil {
			t.Fatal(err)
		}
		path := "/admin/training/" + strconv.FormatInt(t1.ID, 10) + "/edit"

		res, body := otto.get(path)
		wantStatus(t, "otto's form", res, body, http.StatusOK)
		ottoRev := formRev(t, body)
		res, body = olga.get(path)
		wantStatus(t, "olga's form", res, body, http.StatusOK)
		olgaRev := formRev(t, body)

		form := url.Values{"rev": {ottoRev}, "title": {"Literasi Data " + attack}, "competency": {"data | spbe"}, "hours": {"12"}, "provider": {"LAN"}}
		res, body = otto.post(path, form)
		wantStatus(t, "otto saves", res, body, http.StatusSeeOther)
		res, body = otto.get(res.Header.Get("Location"))
		wantBody(t, "the list", body, "Literasi Data &lt;script&gt;alert(1)&lt;/script&gt;", "Data pelatihan disimpan.")

		// Olga's form is older than Otto's save.
		res, body = olga.post(path, url.Values{"rev": {olgaRev}, "title": {"Literasi Data Dasar"}, "competency": {"data"}, "hours": {"8"}})
		wantStatus(t, "olga's stale save", res, body, http.StatusConflict)
		wantBody(t, "the conflict", body, "Versi terbaru", "Literasi Data &lt;script&gt;", `value="Literasi Data Dasar"`)
		if got, _ := h.training.GetTraining(ctx, t1.ID); got.Title != "Literasi Data "+attack {
			t.Fatalf("a stale save overwrote the training: %+v", got)
		}
		res, body = olga.post(path, url.Values{"rev": {formRev(t, body)}, "title": {"Literasi Data Dasar"}, "competency": {"data"}, "hours": {"-3"}})
		wantStatus(t, "invalid hours", res, body, http.StatusUnprocessableEntity)
		wantBody(t, "invalid hours", body, "Jam pelajaran: jam &#34;-3&#34;: isi bilangan bulat JP dari 0 sampai 1000")
		res, body = olga.post(path, url.Values{"rev": {formRev(t, body)}, "title": {"Literasi Data Dasar"}, "competency": {"data"}, "hours": {"8"}})
		wantStatus(t, "olga saves again, deliberately", res, body, http.StatusSeeOther)

		res, body = vera.get(path)
		wantStatus(t, "a viewer reads", res, body, http.StatusOK)
		if strings.Contains(body, `id="delete-form"`) || !strings.Contains(body, `value="Literasi Data Dasar" disabled`) {
			t.Errorf("a viewer is offered to edit:\n%s", body)
		}
		res, body = vera.post(path, url.Values{"rev": {formRev(t, body)}, "title": {"Punya pembaca"}})
		wantStatus(t, "a viewer saves", res, body, http.StatusForbidden)
		res, body = otto.post(path, url.Values{"csrf": {"palsu"}, "rev": {ottoRev}, "title": {"Tanpa token"}})
		wantStatus(t, "no CSRF token", res, body, http.StatusForbidden)

		_, body = otto.get(path)
		res, body = otto.post("/admin/training/"+strconv.FormatInt(t1.ID, 10)+"/delete", url.Values{"rev": {formRev(t, body)}})
		wantStatus(t, "deleting a training with a session", res, body, http.StatusUnprocessableEntity)
		wantBody(t, "deleting a training with a session", body, "masih punya 1 sesi")
		if _, err := h.training.ImportTrainings(ctx, strings.NewReader("code,title\nT2,Pelatihan Lama\n"), "t2.csv"); err != nil {
			t.Fatal(err)
		}
		t2, err := h.training.TrainingByCode(ctx, "T2")
		if err != nil {
			t.Fatal(err)
		}
		_, body = otto.get("/admin/training/" + strconv.FormatInt(t2.ID, 10) + "/edit")
		res, body = otto.post("/admin/training/"+strconv.FormatInt(t2.ID, 10)+"/delete", url.Values{"rev": {formRev(t, body)}})
		wantStatus(t, "deleting a training without sessions", res, body, http.StatusSeeOther)
		if _, err := h.training.GetTraining(ctx, t2.ID); err != training.ErrNotFound {
			t.Fatalf("the training is still there: %v", err)
		}

		entries, _, err := h.accounts.AuditLog(ctx, AuditFilter{Action: "training."})
		if err != nil || len(entries) != 3 || entries[2].Actor != "web:otto" || entries[1].Actor != "web:olga" || entries[0].Action != "training.delete" ||
			!strings.Contains(entries[2].Before, "Literasi Data untuk ASN") || !strings.Contains(entries[1].Before, "alert") ||
			!strings.Contains(entries[1].After, "Literasi Data Dasar") {
			t.Fatalf("audit: %+v, %v", entries, err)
		}
	})
}

// TestASNEdits: an officer edits an ASN's record, escaped in the
// directory, with the import's checks; one with a history cannot be
// deleted, one without can; every change is audited.
func TestASNEdits(t *testing.T) {
	const attack = `<script>alert(1)</script>`
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		h, c := loggedIn(t, db, "otto", RoleOfficer)
		w := trainingtest.Build(t, db, trainingtest.Spec{ASN: 2, Sessions: 1, Start: time.Now().Add(48 * time.Hour)})
		nip := w.NIPs[0]
		path := "/admin/asn/" + nip + "/edit"
		res, body := c.get(path)
		wantStatus(t, "the form", res, body, http.StatusOK)
		form := url.Values{"rev": {formRev(t, body)}, "name": {"Budi " + attack}, "unit": {"BKPSDM"}, "position": {"Analis"}, "active": {"ya"}}
		res, body = c.post(path, form)
		wantStatus(t, "save", res, body, http.StatusSeeOther)
		if loc := res.Header.Get("Location"); loc != "/admin/asn?unit=BKPSDM&ok=asnsaved" {
			t.Errorf("redirected to %q", loc)
		}
		res, body = c.get("/admin/asn?unit=BKPSDM")
		wantBody(t, "the directory", body, "Budi &lt;script&gt;alert(1)&lt;/script&gt;</a>")

		res, body = c.post(path, form)
		wantStatus(t, "a stale save", res, body, http.StatusConflict)
		_, body = c.get(path)
		res, body = c.post(path, url.Values{"rev": {formRev(t, body)}, "name": {"Budi"}, "unit": {"ENTAH"}, "active": {"ya"}})
		wantStatus(t, "an unknown unit", res, body, http.StatusUnprocessableEntity)
		wantBody(t, "an unknown unit", body, "OPD: OPD &#34;ENTAH&#34; tidak dikenal")

		res, body = c.post("/admin/asn/"+nip+"/delete", url.Values{"rev": {formRev(t, body)}})
		wantStatus(t, "deleting an enrolled ASN", res, body, http.StatusUnprocessableEntity)
		wantBody(t, "deleting an enrolled ASN", body, "tidak aktif")
		newcomer := trainingtest.NIP(500)
		if _, err := h.training.ImportASN(ctx, strings.NewReader("nip,name,unit\n"+newcomer+",Orang Baru,DISKOMINFO\n"), "baru.csv"); err != nil {
			t.Fatal(err)
		}
		_, body = c.get("/admin/asn/" + newcomer + "/edit")
		res, body = c.post("/admin/asn/"+newcomer+"/delete", url.Values{"rev": {formRev(t, body)}})
		wantStatus(t, "deleting a newcomer", res, body, http.StatusSeeOther)
		if _, err := h.training.GetASN(ctx, newcomer); err != training.ErrNotFound {
			t.Fatalf("the ASN is still there: %v", err)
		}
		res, body = c.get("/admin/asn/" + newcomer + "/edit")
		wantStatus(t, "a deleted ASN", res, body, http.StatusNotFound)

		entries, _, err := h.accounts.AuditLog(ctx, AuditFilter{Action: "asn."})
		if err != nil || len(entries) != 2 || entries[0].Action != "asn.delete" || entries[1].Action != "asn.update" || !strings.Contains(entries[1].After, "BKPSDM") {
			t.Fatalf("audit: %+v, %v", entries, err)
		}
	})
}

// TestSessionEditTellsTheEnrolled: a rescheduled session is saved with a
// notice to each enrolled, linked ASN in the outbox, once; a stale form or
// an end before the start is refused; a session with enrolments is not
// deleted; a viewer only reads.
func TestSessionEditTellsTheEnrolled(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		h, c := loggedIn(t, db, "otto", RoleOfficer)
		h.user(t, "vera", RoleViewer)
		vera := h.login(t, "vera")
		w := trainingtest.Build(t, db, trainingtest.Spec{ASN: 2, Sessions: 1, Start: time.Now().Add(48 * time.Hour)})
		id := strconv.FormatInt(w.Sessions[0], 10)
		path := "/admin/session/" + id + "/edit"
		_, body := c.get("/admin/training/" + strconv.FormatInt(mustTraining(t, h, "T1").ID, 10))
		wantBody(t, "the training's report", body, `href="/admin/session/`+id+`/edit"`)
		res, body := c.get(path)
		wantStatus(t, "the form", res, body, http.StatusOK)
		rev := formRev(t, body)
		ses, err := h.training.GetSession(ctx, w.Sessions[0])
		if err != nil {
			t.Fatal(err)
		}
		// Typed day first, as the officer's spreadsheet shows it.
		form := url.Values{"rev": {rev}, "start": {ses.Start.Add(24 * time.Hour).In(training.WIB).Format("2/01/2006 15.04")},
			"end": {ses.End.Add(24 * time.Hour).In(training.WIB).Format("02/01/2006 15:04")}, "place": {ses.Place}, "status": {"scheduled"}, "tz": {"Asia/Jakarta"}}
		res, body = c.post(path, form)
		wantStatus(t, "reschedule", res, body, http.StatusSeeOther)
		if got, err := h.training.GetSession(ctx, w.Sessions[0]); err != nil || !got.Start.Equal(ses.Start.Add(24*time.Hour).Truncate(time.Minute)) {
			t.Errorf("rescheduled to %v, %v; want %v", got.Start, err, ses.Start.Add(24*time.Hour).Truncate(time.Minute))
		}
		if loc := res.Header.Get("Location"); !strings.HasSuffix(loc, "ok=sessionnotified") {
			t.Errorf("redirected to %q", loc)
		}
		rows, err := outbox.New(db).List(ctx, "", 10)
		if err != nil || len(rows) != 2 || !strings.Contains(rows[0].Out.Text, "Literasi Data") {
			t.Fatalf("outbox: %+v, %v", rows, err)
		}

		res, body = c.post(path, form)
		wantStatus(t, "the same form again", res, body, http.StatusConflict)
		form.Set("rev", formRev(t, body))
		form.Set("end", form.Get("start"))
		res, body = c.post(path, form)
		wantStatus(t, "an end at the start", res, body, http.StatusUnprocessableEntity)
		wantBody(t, "an end at the start", body, "Selesai: sesi berakhir")
		res, body = vera.post(path, form)
		wantStatus(t, "a viewer saves", res, body, http.StatusForbidden)
		res, body = c.post("/admin/session/"+id+"/delete", url.Values{"rev": {form.Get("rev")}})
		wantStatus(t, "deleting a session with enrolments", res, body, http.StatusUnprocessableEntity)
		wantBody(t, "deleting a session with enrolments", body, "dibatalkan")
		if rows, _ := outbox.New(db).List(ctx, "", 10); len(rows) != 2 {
			t.Errorf("refused changes told the enrolled: %+v", rows)
		}
		entries, _, err := h.accounts.AuditLog(ctx, AuditFilter{Action: "session."})
		if err != nil || len(entries) != 1 || entries[0].Target != "session:"+ses.Code {
			t.Fatalf("audit: %+v, %v", entries, err)
		}

		// A session file that moves the session tells the enrolled too.
		sessions := fmt.Sprintf("code,training,start,end,place\n%s,T1,%s,%s,Aula Bappeda\n", ses.Code, form.Get("start"), ses.End.Add(24*time.Hour).In(training.WIB).Format("2006-01-02 15:04"))
		res, body = c.upload("/admin/training/import", "sesi.csv", sessions, url.Values{"kind": {"sessions"}})
		wantStatus(t, "a session file", res, body, http.StatusOK)
		if rows, _ := outbox.New(db).List(ctx, "", 10); len(rows) != 4 || !strings.Contains(rows[0].Out.Text+rows[1].Out.Text, "Aula Bappeda") {
			t.Errorf("the import told nobody: %+v", rows)
		}
	})
}

func mustTraining(t *testing.T, h *harness, code string) training.Training {
	t.Helper()
	tr, err := h.training.TrainingByCode(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

package admin

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
	"github.com/tebingtinggi/hub/training"
	"github.com/tebingtinggi/hub/training/trainingtest"
)

func TestTrainingReportKeepsAnonymity(t *testing.T) {
	const attack = `<script>alert(1)</script>`
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		_, c := loggedIn(t, db, "vera", RoleViewer)
		ctx := context.Background()
		now := time.Now().UTC()
		w := trainingtest.Build(t, db, trainingtest.Spec{ASN: 6, Sessions: 1, Start: now.Add(-48 * time.Hour)})
		enr, err := w.Store.Enrolments(ctx, w.Sessions[0])
		if err != nil || len(enr) != 6 {
			t.Fatal(enr, err)
		}
		for i, e := range enr {
			reason := ""
			if i == 0 {
				reason = "Dinas luar " + attack
			}
			if _, err := storagetest.InTx(db, func(tx *sqlx.Tx) (training.Session, error) {
				return w.Store.RecordRSVP(ctx, tx, e.ID, e.NIP, i != 0, reason, now.Add(-72*time.Hour))
			}); err != nil {
				t.Fatal(err)
			}
		}
		rounds, err := w.Store.OpenPostTrainingRounds(ctx, now, 0)
		if err != nil || len(rounds) != 1 {
			t.Fatal(rounds, err)
		}
		ts, _ := w.Store.Trainings(ctx)
		path := fmt.Sprintf("/admin/training/%d", ts[0].ID)
		res, body := c.get("/admin/training")
		wantStatus(t, "trainings", res, body, http.StatusOK)
		if !strings.Contains(body, `<a href="`+path+`">Literasi Data untuk ASN</a>`) {
			t.Fatalf("the training is not listed:\n%s", body)
		}
		// Below the threshold an anonymous round shows no answers.
		trainingtest.CompleteRound(t, db, w.Store, rounds[0].ID, enr[1].NIP, "4", "Materi bagus "+attack, now)
		res, body = c.get(path)
		wantStatus(t, "report", res, body, http.StatusOK)
		for _, want := range []string{"Dinas luar &lt;script&gt;", `class="notice suppressed"`, "selesai 1 · tingkat respons 20%"} {
			if !strings.Contains(body, want) {
				t.Errorf("the report lacks %q:\n%s", want, body)
			}
		}
		if strings.Contains(body, "<svg") || strings.Contains(body, "Materi bagus") {
			t.Errorf("an anonymous round below the threshold shows answers:\n%s", body)
		}
		for _, e := range enr[2:] {
			trainingtest.CompleteRound(t, db, w.Store, rounds[0].ID, e.NIP, "4", "Materi bagus "+attack, now)
		}
		_, body = c.get(path)
		if strings.Contains(body, `class="notice suppressed"`) || !strings.Contains(body, "<svg") || !strings.Contains(body, "4 Setuju</th><td>5</td>") {
			t.Errorf("five responses are not shown as charts:\n%s", body)
		}
		// Neither unit has 5 respondents; together they have, and are
		// compared pooled, as hub report does.
		if !strings.Contains(body, "<td>OPD lainnya (2 OPD digabung)</td><td>5</td><td>5</td>") ||
			!strings.Contains(body, `2 OPD dengan responden masing-masing kurang dari 5 digabung dalam baris "OPD lainnya"`) || strings.Contains(body, "(DISKOMINFO)") || strings.Contains(body, "(BKPSDM)") {
			t.Errorf("the unit comparison does not pool the two small units:\n%s", body)
		}
		if strings.Contains(body, "<script>alert") || !strings.Contains(body, "Materi bagus &lt;script&gt;") {
			t.Errorf("free text not shown escaped:\n%s", body)
		}
		// A mean has the Indonesian decimal comma, as in hub report.
		if !strings.Contains(body, "rata-rata 4,00)") {
			t.Errorf("the mean is not written 4,00:\n%s", body)
		}
		res, body = c.get(path + "/export")
		wantStatus(t, "export", res, body, http.StatusOK)
		if res.Header.Get("Content-Type") != "text/csv; charset=utf-8" || !strings.Contains(body, "Literasi Data untuk ASN") {
			t.Errorf("export: %s\n%s", res.Header.Get("Content-Type"), body)
		}
		// A viewer reads the directory but issues no codes.
		_, body = c.get("/admin/asn?unit=DISKOMINFO")
		if !strings.Contains(body, "ASN Uji 1") || strings.Contains(body, "/code") {
			t.Errorf("directory for a viewer:\n%s", body)
		}
		res, body = c.post("/admin/asn/"+w.NIPs[0]+"/code", url.Values{})
		wantStatus(t, "viewer issuing a code", res, body, http.StatusForbidden)
	})
}

func TestASNLinkCodesAndTrainingImports(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h, c := loggedIn(t, db, "otto", RoleOfficer)
		ctx := context.Background()
		upload := func(kind, name, content string) (*http.Response, string) {
			return c.upload("/admin/training/import", name, content, url.Values{"kind": {kind}})
		}
		c.get("/admin/training/import")
		res, body := upload("units", "units.csv", "code,name\nDISKOMINFO,Dinas Kominfo\nbukan kode!,Unit Salah\n")
		wantStatus(t, "bad units", res, body, http.StatusUnprocessableEntity)
		if !strings.Contains(body, "<td>Baris 3</td>") {
			t.Errorf("the bad row is not named:\n%s", body)
		}
		if units, _ := h.training.Units(ctx); len(units) != 0 {
			t.Fatalf("a file with an error was imported: %+v", units)
		}
		res, body = upload("units", "units.csv", "code,name\nDISKOMINFO,Dinas Kominfo\n")
		wantStatus(t, "units", res, body, http.StatusOK)
		res, body = upload("asn", "asn.csv", "nip,name,unit\n198001012005011001,Budi Santoso,DISKOMINFO\n")
		wantStatus(t, "asn", res, body, http.StatusOK)
		if !strings.Contains(body, "1 baris asn.csv diimpor.") {
			t.Errorf("no notice:\n%s", body)
		}
		res, body = c.post("/admin/asn/198001012005011001/code", url.Values{})
		wantStatus(t, "link code", res, body, http.StatusOK)
		i := strings.Index(body, `id="link-code">`)
		if i < 0 {
			t.Fatalf("no code shown:\n%s", body)
		}
		code := body[i+len(`id="link-code">`):]
		code = code[:strings.Index(code, "<")]
		entries, _, err := h.accounts.AuditLog(ctx, AuditFilter{Actor: "web:otto"})
		if err != nil || len(entries) != 3 || entries[0].Action != "asn.link_code" || entries[1].Action != "training.import.asn" {
			t.Fatalf("audit: %+v, %v", entries, err)
		}
		for _, e := range entries {
			if strings.Contains(e.Before+e.After, code) {
				t.Errorf("the link code is in the audit log: %+v", e)
			}
		}
		// A session file's notice counts its rows, whether the sessions
		// are new or changed.
		for _, kind := range []string{"trainings", "sessions"} {
			data, err := os.ReadFile(filepath.Join("..", "training", "testdata", kind+".csv"))
			if err != nil {
				t.Fatal(err)
			}
			want := strings.Count(strings.TrimSpace(string(data)), "\n")
			res, body = upload(kind, kind+".csv", string(data))
			wantStatus(t, kind, res, body, http.StatusOK)
			if notice := fmt.Sprintf("%d baris %s.csv diimpor.", want, kind); !strings.Contains(body, notice) {
				t.Errorf("%s: the notice is not %q:\n%s", kind, notice, body)
			}
		}
	})
}

// The rounds of a training all bear its title: the report names each by
// its survey and session, so that an officer tells the evaluation of one
// session from another's, and from the follow-up. Means have the
// Indonesian decimal comma, in the unit comparison as in the charts.
func TestTrainingReportNamesEachRound(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		_, c := loggedIn(t, db, "vera", RoleViewer)
		ctx := context.Background()
		now := time.Now().UTC()
		w := trainingtest.Build(t, db, trainingtest.Spec{ASN: 2, Sessions: 2, Start: now.Add(-10 * 24 * time.Hour), Gap: 48 * time.Hour})
		file := "session,nip,attended\n"
		for _, code := range []string{"S0000", "S0001"} {
			for _, nip := range w.NIPs {
				file += code + "," + nip + ",ya\n"
			}
		}
		if _, err := w.Store.ImportEnrolments(ctx, strings.NewReader(file), "hadir.csv"); err != nil {
			t.Fatal(err)
		}
		if rounds, err := w.Store.OpenPostTrainingRounds(ctx, now, 0); err != nil || len(rounds) != 2 {
			t.Fatal(rounds, err)
		}
		followUps, err := w.Store.OpenFollowUps(ctx, now, 8*24*time.Hour)
		if err != nil || len(followUps) != 1 {
			t.Fatal(followUps, err)
		}
		for _, nip := range w.NIPs {
			trainingtest.CompleteRound(t, db, w.Store, followUps[0].ID, nip, "4", "Sudah diterapkan", now)
		}
		ts, _ := w.Store.Trainings(ctx)
		_, body := c.get(fmt.Sprintf("/admin/training/%d", ts[0].ID))
		for _, want := range []string{"<h3>Evaluasi Pelatihan · sesi S0000", "<h3>Evaluasi Pelatihan · sesi S0001", "<h3>Tindak Lanjut Pelatihan · sesi S0000"} {
			if !strings.Contains(body, want) {
				t.Errorf("the report lacks the heading %q:\n%s", want, body)
			}
		}
		if !strings.Contains(body, "<td>4,00</td>") || strings.Contains(body, "<td>4.00</td>") {
			t.Errorf("a unit's mean is not written 4,00:\n%s", body)
		}
	})
}

// A round whose every invitation was withdrawn (the invited turned out
// absent) has nobody to respond: no response rate, as hub report writes
// it, rather than 0%.
func TestTrainingReportRateOfARoundWithNobodyInvited(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		_, c := loggedIn(t, db, "vera", RoleViewer)
		ctx := context.Background()
		now := time.Now().UTC()
		w := trainingtest.Build(t, db, trainingtest.Spec{ASN: 1, Sessions: 1, Start: now.Add(-48 * time.Hour)})
		if _, _, err := w.Store.SetAttendance(ctx, w.Sessions[0], w.NIPs[0], new(true)); err != nil {
			t.Fatal(err)
		}
		if rounds, err := w.Store.OpenPostTrainingRounds(ctx, now, 0); err != nil || len(rounds) != 1 {
			t.Fatal(rounds, err)
		}
		if _, _, err := w.Store.SetAttendance(ctx, w.Sessions[0], w.NIPs[0], new(false)); err != nil {
			t.Fatal(err)
		}
		ts, _ := w.Store.Trainings(ctx)
		_, body := c.get(fmt.Sprintf("/admin/training/%d", ts[0].ID))
		if !strings.Contains(body, "Diundang 0 · mulai 0 · selesai 0 · tingkat respons —") {
			t.Errorf("a round with nobody invited:\n%s", body)
		}
	})
}

// A training run in two sessions of three shows its pooled evaluation,
// though neither anonymous round has enough answers to show alone.
func TestTrainingReportPoolsItsSessions(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		_, c := loggedIn(t, db, "vera", RoleViewer)
		ctx := context.Background()
		w, _, answerAll := pooledTraining(t, db)
		answerAll()
		ts, _ := w.Store.Trainings(ctx)
		res, body := c.get(fmt.Sprintf("/admin/training/%d", ts[0].ID))
		wantStatus(t, "report", res, body, http.StatusOK)
		for _, want := range []string{"Ringkasan seluruh sesi", "· 2 putaran", "Penilaian mandiri kompetensi, sebelum dan sesudah", "<td>data</td><td>0</td><td>—</td>", "selesai 6 · tingkat respons 100%", "4 Setuju</th><td>6</td>", `class="notice suppressed"`} {
			if !strings.Contains(body, want) {
				t.Errorf("the report lacks %q:\n%s", want, body)
			}
		}
		if strings.Count(body, "<svg") == 0 || strings.Count(body, "Materi bagus") != 6 {
			t.Errorf("the pooled answers are not shown once each:\n%s", body)
		}
	})
}

// A question only the first session's round asked (its template gained
// it after that round opened) has three answers: below the threshold of
// five, the summary says it hides them rather than show them.
func TestTrainingReportHidesAPooledQuestionTooFewAnswered(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		_, c := loggedIn(t, db, "vera", RoleViewer)
		ctx := context.Background()
		w, rounds, answerAll := pooledTraining(t, db)
		added, err := json.Marshal(append([]training.Question{{ID: "materi_baru", Kind: training.Likert5, Text: "Seberapa jelas materi tambahan?", Required: true}},
			rounds[0].Questions...))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, db.Rebind(`UPDATE survey_rounds SET questions = ? WHERE id = ?`), string(added), rounds[0].ID); err != nil {
			t.Fatal(err)
		}
		answerAll()
		ts, _ := w.Store.Trainings(ctx)
		res, body := c.get(fmt.Sprintf("/admin/training/%d", ts[0].ID))
		wantStatus(t, "report", res, body, http.StatusOK)
		want := "<figcaption>Seberapa jelas materi tambahan?</figcaption><p class=\"notice suppressed\">Jawaban pertanyaan ini disembunyikan: terlalu sedikit jawaban untuk menjaga kerahasiaan (kurang dari 5).</p>"
		if !strings.Contains(body, want) || strings.Contains(body, "Seberapa jelas materi tambahan? (") {
			t.Errorf("the summary does not hide the question only three answered, saying why:\n%s", body)
		}
		if !strings.Contains(body, "4 Setuju</th><td>6</td>") {
			t.Errorf("the questions all six answered are not shown:\n%s", body)
		}
	})
}

// pooledTraining builds a training run in two sessions of three attendees
// each (six ASN enrolled in both, three attending each) that ended before
// now, and opens both sessions' post-training rounds; answerAll then has
// every attendee answer their session's round ("Materi bagus").
func pooledTraining(t *testing.T, db *storage.DB) (w trainingtest.World, rounds []training.Round, answerAll func()) {
	t.Helper()
	ctx := context.Background()
	now := time.Now().UTC()
	w = trainingtest.Build(t, db, trainingtest.Spec{ASN: 6, Sessions: 2, Start: now.Add(-72 * time.Hour), Gap: 24 * time.Hour})
	attendees := map[int64][]string{}
	for j, sessionID := range w.Sessions {
		enr, err := w.Store.Enrolments(ctx, sessionID)
		if err != nil || len(enr) != 6 {
			t.Fatal(enr, err)
		}
		for _, e := range enr[3*j : 3*j+3] {
			attendees[sessionID] = append(attendees[sessionID], e.NIP)
			if _, err := storagetest.InTx(db, func(tx *sqlx.Tx) (training.Session, error) {
				return w.Store.RecordRSVP(ctx, tx, e.ID, e.NIP, true, "", now.Add(-96*time.Hour))
			}); err != nil {
				t.Fatal(err)
			}
		}
	}
	rounds, err := w.Store.OpenPostTrainingRounds(ctx, now, 0)
	if err != nil || len(rounds) != 2 {
		t.Fatal(rounds, err)
	}
	return w, rounds, func() {
		for _, r := range rounds {
			for _, nip := range attendees[*r.SessionID] {
				trainingtest.CompleteRound(t, db, w.Store, r.ID, nip, "4", "Materi bagus", now)
			}
		}
	}
}

// An ASN file that makes someone inactive while they are enrolled in a
// session ahead says so after the import, as hub asn import does.
func TestASNImportWarnsOfInactiveEnrolled(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		_, c := loggedIn(t, db, "otto", RoleOfficer)
		w := trainingtest.Build(t, db, trainingtest.Spec{ASN: 2, Sessions: 1, Start: time.Now().Add(10 * 24 * time.Hour)})
		a, err := w.Store.GetASN(context.Background(), w.NIPs[0])
		if err != nil {
			t.Fatal(err)
		}
		res, body := c.upload("/admin/training/import", "asn.csv", "nip,name,unit,active\n"+a.NIP+","+a.Name+","+a.UnitCode+",tidak\n",
			url.Values{"kind": {"asn"}})
		wantStatus(t, "asn", res, body, http.StatusOK)
		if !strings.Contains(body, a.Name+" (NIP "+a.NIP+") tidak aktif, tetapi masih terdaftar pada sesi S0000") {
			t.Errorf("no warning of the inactive ASN still enrolled:\n%s", body)
		}
	})
}

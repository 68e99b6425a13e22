package main

import (
	"github.com/jmoiron/sqlx"

	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
	"github.com/tebingtinggi/hub/training"
)

// The example files of the training package, which the README points to.
const testdata = "../../training/testdata/"

const (
	nipBudi = "198001012005011001"
	nipRina = "199011112015032004" // inactive
)

// cli runs one command and checks its exit code and that stdout (for
// code 0) or stderr contains want.
func (ta *testApp) cli(t *testing.T, wantCode int, want string, args ...string) string {
	t.Helper()
	code, out, errOut := ta.run("", args...)
	if code != wantCode {
		t.Fatalf("hub %s: exit %d, want %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, wantCode, out, errOut)
	}
	got := out
	if wantCode != 0 {
		got = errOut
	}
	if !strings.Contains(got, want) {
		t.Fatalf("hub %s: output lacks %q\nstdout: %s\nstderr: %s", strings.Join(args, " "), want, out, errOut)
	}
	return out
}

var linkCodeRE = regexp.MustCompile(`kode tautan untuk \d+ \([^)]*\): ([A-Z0-9]{8})`)

func TestASNTrainingReportCommands(t *testing.T) {
	for _, backend := range storagetest.Backends {
		t.Run(string(backend), func(t *testing.T) {
			url := storagetest.URL(t, backend)
			ta := newTestApp(t, url)
			ctx := context.Background()

			// Units come first; an ASN file naming unknown units imports
			// nothing.
			ta.cli(t, 1, `asn.csv:2: kolom "unit": OPD "DISKOMINFO" tidak dikenal`, "asn", "import", testdata+"asn.csv")
			ta.cli(t, 0, "0 ASN, 0 tertaut", "asn", "list")
			ta.cli(t, 0, "4 OPD diimpor", "asn", "units", testdata+"units.csv")
			bad := writeFile(t, "asn-bad.csv", "nip,name,unit\n"+nipBudi+",Budi Santoso,DISKOMINFO\n19800101200501100,Siti,DISKOMINFO\n")
			ta.cli(t, 1, `asn-bad.csv:3: kolom "nip": NIP harus 18 digit`, "asn", "import", bad)
			// As Excel saves it, with a "sep=" line and cleared rows: the
			// line named is the file's own.
			bad = writeFile(t, "asn-excel.csv", "\ufeffsep=;\r\nnip;name;unit;;\r\n"+nipBudi+";Budi Santoso;DISKOMINFO;;\r\n;;;;\r\n"+
				"19800101200501100;Siti;DISKOMINFO;;\r\n;;;;\r\n;;;;\r\n")
			ta.cli(t, 1, `asn-excel.csv:5: kolom "nip": NIP harus 18 digit`, "asn", "import", bad)
			ta.cli(t, 0, "0 ASN, 0 tertaut", "asn", "list")
			ta.cli(t, 1, "tidak dapat membuka /nonexistent/asn.csv: berkas itu tidak ada\n", "asn", "import", "/nonexistent/asn.csv")
			ta.cli(t, 0, "4 ASN diimpor", "asn", "import", testdata+"asn.csv")
			out := ta.cli(t, 0, "2 ASN, 0 tertaut", "asn", "list", "--unit", "diskominfo")
			if !strings.Contains(out, "Budi Santoso") || strings.Contains(out, "Andi") {
				t.Fatalf("asn list --unit:\n%s", out)
			}

			// Link codes: with and without the bot's username.
			ta.env["HUB_TELEGRAM_BOT_USERNAME"] = "@PemkotTebingBot"
			out = ta.cli(t, 0, "tautan langsung Telegram: https://t.me/PemkotTebingBot?start=", "asn", "link-code", "19800101 200501 1 001")
			m := linkCodeRE.FindStringSubmatch(out)
			if m == nil || !strings.Contains(out, "https://t.me/PemkotTebingBot?start="+m[1]) || !strings.Contains(out, "/daftar "+m[1]) {
				t.Fatalf("link-code output:\n%s", out)
			}
			ta.env["HUB_TELEGRAM_BOT_USERNAME"] = "not a bot!"
			ta.cli(t, 1, "HUB_TELEGRAM_BOT_USERNAME", "asn", "link-code", nipBudi)
			delete(ta.env, "HUB_TELEGRAM_BOT_USERNAME")
			out = ta.cli(t, 0, "Pesan untuk diteruskan", "asn", "link-code", nipBudi)
			m2 := linkCodeRE.FindStringSubmatch(out)
			if m2 == nil || strings.Contains(out, "t.me/") || !strings.Contains(out, "/daftar "+m2[1]) || m2[1] == m[1] ||
				!strings.Contains(out, "Yth. Bapak/Ibu Budi Santoso,\n\nUntuk menerima pengingat") {
				t.Fatalf("link-code without a bot username:\n%s", out)
			}
			ta.cli(t, 1, "tidak aktif", "asn", "link-code", nipRina)
			ta.cli(t, 1, "tidak ada ASN dengan NIP 199001012020011001", "asn", "link-code", "199001012020011001")
			ta.cli(t, 2, "bukan NIP", "asn", "link-code", "12345")

			// The ASN links in the chat with the newest code (the first
			// one stopped working when the second was issued).
			code, chatOut, errOut := ta.run("/daftar "+m[1]+"\n/daftar "+m2[1]+"\n", "chat", "--as", "budi")
			if code != 0 || !strings.Contains(chatOut, "sudah diganti dengan kode yang lebih baru") || !strings.Contains(chatOut, "Selamat datang, Bapak/Ibu Budi Santoso") {
				t.Fatalf("linking in hub chat: %d\n%s\n%s", code, chatOut, errOut)
			}
			ta.cli(t, 0, "console", "asn", "list", "--unit", "DISKOMINFO")

			// The catalogue; bad files name file, line and field and import
			// nothing.
			ta.cli(t, 1, `sessions.csv:2: kolom "training": pelatihan "DIG-ANALITIK" tidak dikenal`, "training", "import", "sessions", testdata+"sessions.csv")
			ta.cli(t, 0, "3 pelatihan diimpor", "training", "import", "trainings", testdata+"trainings.csv")
			for _, c := range []struct{ file, want string }{
				{"code,training,start,end,place\nX-1,DIG-ANALITIK,2030-01-10 09:00,2030-01-10 08:00,Aula\n", `:2: kolom "end": sesi berakhir`},
				{"code,training,start,end,place\nX-1,DIG-ANALITIK,10/01/30,2030-01-10 16:00,Aula\n", `:2: kolom "start": waktu "10/01/30": tahun "30": tulis tahun lengkap`},
				{"code,training,start,end,place\nX-1,DIG-ANALITIK,2030-01-10 09:00,2030-01-10 16:00,Aula\nX-1,DIG-ANALITIK,2030-01-11 09:00,2030-01-11 16:00,Aula\n", `:3: kolom "code": sesi X-1 ganda`},
			} {
				ta.cli(t, 1, c.want, "training", "import", "sessions", writeFile(t, "sessions-bad.csv", c.file))
			}
			// Why a file cannot be opened is said in Indonesian, not in
			// the system's English.
			ta.cli(t, 1, "tidak dapat membuka /nonexistent/sessions.csv: berkas itu tidak ada\n", "training", "import", "sessions", "/nonexistent/sessions.csv")
			dir := t.TempDir()
			ta.cli(t, 1, "tidak dapat membuka "+dir+": itu folder, bukan berkas\n", "training", "import", "sessions", dir)
			ta.cli(t, 0, "2 sesi diimpor", "training", "import", "sessions", testdata+"sessions.csv")
			ta.cli(t, 1, `enrolments-bad.csv:2: kolom "nip": NIP tidak dikenal`, "training", "import", "enrolments",
				writeFile(t, "enrolments-bad.csv", "session,nip\nANL-2026-01,199001012020011001\n"))
			ta.cli(t, 0, "3 peserta diimpor", "training", "import", "enrolments", testdata+"enrolments.csv")
			ta.cli(t, 2, "trainings, sessions, enrolments atau jp", "training", "import", "units", testdata+"units.csv")

			// A session in the future, re-imported with a new time: the
			// enrolled, linked ASN is told through the outbox, once.
			ta.cli(t, 0, "1 sesi diimpor", "training", "import", "sessions",
				writeFile(t, "s1.csv", "code,training,start,end,place\nFUT-1,DIG-ANALITIK,2030-01-10 09:00,2030-01-10 16:00,Aula Kantor Wali Kota\n"))
			ta.cli(t, 0, "1 peserta diimpor", "training", "import", "enrolments", writeFile(t, "e1.csv", "session,nip\nFUT-1,"+nipBudi+"\n"))
			moved := writeFile(t, "s2.csv", "code,training,start,end,place\nFUT-1,DIG-ANALITIK,2030-01-12 09:00,2030-01-12 16:00,Aula Kantor Wali Kota\n")
			out = ta.cli(t, 0, "1 pemberitahuan perubahan diantrekan", "training", "import", "sessions", moved)
			if !strings.Contains(out, "FUT-1 jadwal berubah") {
				t.Fatalf("import with a change:\n%s", out)
			}
			ta.cli(t, 0, "0 perubahan", "training", "import", "sessions", moved)
			ta.cli(t, 0, "1 pemberitahuan perubahan diantrekan", "training", "import", "sessions",
				writeFile(t, "s3.csv", "code,training,start,end,place,status\nFUT-1,DIG-ANALITIK,2030-01-12 09:00,2030-01-12 16:00,Aula Kantor Wali Kota,dibatalkan\n"))

			db, err := storage.Open(ctx, url)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			var notices []struct {
				Platform string `db:"platform"`
				Chat     string `db:"chat_id"`
				Payload  string `db:"payload"`
			}
			if err := db.SelectContext(context.Background(), &notices, `SELECT platform, chat_id, CAST(payload AS TEXT) AS payload FROM outbox WHERE idempotency_key LIKE 'session-change:%' ORDER BY id`); err != nil {
				t.Fatal(err)
			}
			if len(notices) != 2 || notices[0].Platform != "console" || notices[0].Chat != "budi" ||
				!strings.Contains(notices[0].Payload, "Jadwal pelatihan") || !strings.Contains(notices[1].Payload, "dibatalkan") {
				t.Fatalf("change notices in the outbox: %+v", notices)
			}

			// Sessions and their notices go in together: when the notices
			// cannot be queued, the session is not changed either.
			if _, err := db.ExecContext(context.Background(), `ALTER TABLE outbox RENAME TO outbox_away`); err != nil {
				t.Fatal(err)
			}
			reinstated := writeFile(t, "s4.csv", "code,training,start,end,place\nFUT-1,DIG-ANALITIK,2030-01-14 09:00,2030-01-14 16:00,Aula Kantor Wali Kota\n")
			ta.cli(t, 1, "tidak ada yang diimpor", "training", "import", "sessions", reinstated)
			if _, err := db.ExecContext(context.Background(), `ALTER TABLE outbox_away RENAME TO outbox`); err != nil {
				t.Fatal(err)
			}
			var status string
			if err := db.GetContext(context.Background(), &status, `SELECT status FROM training_sessions WHERE code = 'FUT-1'`); err != nil || status != "cancelled" {
				t.Fatalf("FUT-1 after a failed import: %q, %v; want it still cancelled", status, err)
			}
			ta.cli(t, 0, "1 pemberitahuan perubahan diantrekan", "training", "import", "sessions", reinstated)
			// Cancelled again and scheduled again: each change is a new
			// notice, though the session returns to values it had before.
			ta.cli(t, 0, "1 pemberitahuan perubahan diantrekan", "training", "import", "sessions",
				writeFile(t, "s5.csv", "code,training,start,end,place,status\nFUT-1,DIG-ANALITIK,2030-01-14 09:00,2030-01-14 16:00,Aula Kantor Wali Kota,dibatalkan\n"))
			ta.cli(t, 0, "1 pemberitahuan perubahan diantrekan", "training", "import", "sessions", reinstated)
			ta.cli(t, 0, "1 pemberitahuan perubahan diantrekan", "training", "import", "sessions", moved)
			ta.cli(t, 0, "1 pemberitahuan perubahan diantrekan", "training", "import", "sessions", reinstated)

			// Reports: a survey round Budi answers.
			store := training.New(db, training.Options{})
			if err := store.EnsureTemplates(ctx); err != nil {
				t.Fatal(err)
			}
			now := time.Now()
			r, opened, err := store.OpenPeriodicRound(ctx, training.TemplateCompetency, now)
			if err != nil || !opened {
				t.Fatalf("round: %v %v", opened, err)
			}
			step, err := storagetest.InTx(db, func(tx *sqlx.Tx) (training.Step, error) { return store.Start(ctx, tx, r.ID, nipBudi, now) })
			for err == nil && !step.Done {
				v := "4"
				if step.QuestionID == "kebutuhan" {
					v = "2"
				}
				step, err = storagetest.InTx(db, func(tx *sqlx.Tx) (training.Step, error) {
					return store.Answer(ctx, tx, r.ID, nipBudi, step.QuestionID, v, now)
				})
			}
			if err != nil {
				t.Fatal(err)
			}
			ta.cli(t, 0, "pelatihan 1  DIG-ANALITIK", "training", "list")
			out = ta.cli(t, 0, "putaran survei "+strconv.FormatInt(r.ID, 10), "training", "list")
			if !strings.Contains(out, "ANL-2026-01") || !strings.Contains(out, "FUT-1") {
				t.Fatalf("training list:\n%s", out)
			}
			round := strconv.FormatInt(r.ID, 10)
			out = ta.cli(t, 0, "Penilaian Mandiri Kompetensi Digital", "report", "survey", round)
			if !strings.Contains(out, "selesai: 1") || !strings.Contains(out, "Pengolahan dan analisis data") || !strings.Contains(out, "DISKOMINFO") {
				t.Fatalf("survey report:\n%s", out)
			}
			out = ta.cli(t, 0, strings.Join(training.CSVColumns, ","), "report", "survey", round, "--csv")
			if !strings.Contains(out, round+",unit,DISKOMINFO,perkantoran") {
				t.Fatalf("survey report CSV:\n%s", out)
			}
			ta.cli(t, 0, "Pelatihan: Analisis Data untuk Pengambilan Keputusan [DIG-ANALITIK]", "report", "training", "DIG-ANALITIK")
			out = ta.cli(t, 0, ",session,", "report", "training", "1", "--csv")
			if !strings.Contains(out, "ANL-2026-01") {
				t.Fatalf("training report CSV:\n%s", out)
			}
			// JP: an outside certificate, the report, a refused file.
			ta.cli(t, 0, "1 catatan JP diimpor", "training", "import", "jp",
				writeFile(t, "jp.csv", "nip,date,jp,title,provider\n"+nipBudi+",2026-03-14,6,Literasi Digital,e-learning LAN\n"))
			ta.cli(t, 1, `jp-bad.csv:2: kolom "jp"`, "training", "import", "jp",
				writeFile(t, "jp-bad.csv", "nip,date,jp,title,provider\n"+nipBudi+",2026-03-15,-2,Literasi Digital,e-learning LAN\n"))
			out = ta.cli(t, 0, "Capaian JP pengembangan kompetensi tahun 2026", "report", "jp", "--year", "2026", "--unit", "diskominfo")
			if !strings.Contains(out, "Budi Santoso") || strings.Contains(out, "Andi Nasution") {
				t.Fatalf("JP report of DISKOMINFO:\n%s", out)
			}
			out = ta.cli(t, 0, strings.Join(training.JPColumnsCSV, ","), "report", "jp", "--year", "2026", "--csv")
			if !strings.Contains(out, "2026,asn,DISKOMINFO,"+nipBudi+",Budi Santoso,0,6,6,") {
				t.Fatalf("JP report CSV:\n%s", out)
			}
			ta.cli(t, 2, "--year", "report", "jp", "--year", "26")
			// Training needs: Budi rated himself 4 on everything.
			out = ta.cli(t, 0, "Kebutuhan pelatihan dari penilaian mandiri kompetensi digital, OPD DISKOMINFO", "report", "needs", "--unit", "diskominfo")
			if !strings.Contains(out, "1 responden") || !strings.Contains(out, "Tidak ada ASN yang menilai dirinya rendah") || strings.Contains(out, "BKPSDM") {
				t.Fatalf("needs report of DISKOMINFO:\n%s", out)
			}
			out = ta.cli(t, 0, strings.Join(training.NeedsColumnsCSV, ","), "report", "needs", "--csv")
			if !strings.Contains(out, ",all,,,data,1,0,0.000,") || !strings.Contains(out, ",unit,DISKOMINFO,Dinas Komunikasi dan Informatika,spbe,1,0,0.000,") {
				t.Fatalf("needs report CSV:\n%s", out)
			}
			ta.cli(t, 1, "tidak ada OPD", "report", "needs", "--unit", "NOPE")
			ta.cli(t, 2, "report needs", "report", "needs", "DISKOMINFO")
			ta.cli(t, 1, "tidak ada pelatihan", "report", "training", "999")
			ta.cli(t, 1, "tidak ada putaran survei 999", "report", "survey", "999")
			ta.cli(t, 2, "bukan nomor putaran survei", "report", "survey", "abc")

			// Officers unlink.
			ta.cli(t, 0, "tidak memiliki tautan chat di telegram", "asn", "unlink", nipBudi, "--platform", "telegram")
			ta.cli(t, 0, "1 tautan chat", "asn", "unlink", nipBudi)
			ta.cli(t, 0, "0 tertaut", "asn", "list", "--unit", "DISKOMINFO")
			ta.cli(t, 2, "--platform harus", "asn", "unlink", nipBudi, "--platform", "whatsapp")
		})
	}
}

// An ASN made inactive by an import while enrolled in a session ahead
// would silently get no reminder for it: the import warns, naming the
// person and the session; one whose session has begun is no concern.
func TestASNImportWarnsOfInactiveEnrolled(t *testing.T) {
	for _, backend := range storagetest.Backends {
		t.Run(string(backend), func(t *testing.T) {
			ta := newTestApp(t, storagetest.URL(t, backend))
			ahead := time.Now().In(training.WIB).AddDate(0, 1, 0).Format("2006-01-02")
			ta.cli(t, 0, "4 OPD diimpor", "asn", "units", testdata+"units.csv")
			ta.cli(t, 0, "4 ASN diimpor", "asn", "import", testdata+"asn.csv")
			ta.cli(t, 0, "3 pelatihan diimpor", "training", "import", "trainings", testdata+"trainings.csv")
			sessions := writeFile(t, "sesi.csv", "code,training,start,end,place\n"+
				"LALU-01,SPBE-DASAR,2025-03-03 09:00,2025-03-03 16:00,Aula\n"+
				"DEPAN-01,SPBE-DASAR,"+ahead+" 09:00,"+ahead+" 16:00,Aula\n")
			ta.cli(t, 0, "2 sesi diimpor", "training", "import", "sessions", sessions)
			enrolments := writeFile(t, "peserta.csv", "session,nip\nLALU-01,"+nipBudi+"\nDEPAN-01,"+nipBudi+"\n")
			ta.cli(t, 0, "2 peserta", "training", "import", "enrolments", enrolments)
			out := ta.cli(t, 0, "4 ASN diimpor", "asn", "import", testdata+"asn.csv")
			if strings.Contains(out, "peringatan") {
				t.Errorf("a warning while everyone enrolled is active:\n%s", out)
			}
			leaves := writeFile(t, "asn-keluar.csv", "nip,name,unit,active\n"+nipBudi+",Budi Santoso,DISKOMINFO,tidak\n")
			out = ta.cli(t, 0, "1 ASN diimpor", "asn", "import", leaves)
			if !strings.Contains(out, "peringatan: Budi Santoso (NIP "+nipBudi+") tidak aktif, tetapi masih terdaftar pada sesi DEPAN-01") ||
				strings.Contains(out, "LALU-01") || strings.Count(out, "peringatan") != 1 {
				t.Errorf("importing Budi inactive:\n%s", out)
			}
		})
	}
}

package main

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/tebingtinggi/hub/bots/telegram/telegramtest"
	"github.com/tebingtinggi/hub/storage/storagetest"
	"github.com/tebingtinggi/hub/training"
)

// TestLogsHoldNoPersonalData runs the hub as a city would for an hour, at
// debug level, through `hub serve` and the fake Bot API: an ASN links a
// chat, gets a training reminder from the scheduler, declines with a
// reason, answers the post-training survey with free text; a citizen asks,
// is handed over and gets an officer's reply from `hub inbox reply`. No
// NIP, name, chat id, message text or outbox key may appear in what the
// processes log, while the keyed hash still names the person.
func TestLogsHoldNoPersonalData(t *testing.T) {
	const (
		nipBudi     = "198001012005011001"
		asnChat     = 6_104_321
		citizenChat = 7_345_678
		reason      = "Sakit demam berdarah, dirawat di RSUD Kumpulan Pane"
		freeText    = "Materinya bagus tetapi Pak Joko Widodo terlalu cepat menjelaskan"
		question    = "Tetangga saya Rahmat Hidayat buang sampah di parit, ke mana saya lapor?"
	)
	for _, d := range storagetest.Backends {
		t.Run(string(d), func(t *testing.T) {
			srv := telegramtest.NewServer(t)
			env := telegramEnv(t, d, srv)
			env["HUB_LOG_LEVEL"] = "debug"
			env["HUB_LOG_HASH_KEY"] = "a-test-key-of-enough-length"
			env["HUB_FREQUENT_CRON"] = "@every 1s"
			env["HUB_REMINDER_OFFSETS"] = "2h"
			env["HUB_SURVEY_DELAY"] = "1m"
			ta := &testApp{t: t, env: env}
			var cliErr strings.Builder
			cli := func(want string, args ...string) string {
				t.Helper()
				code, out, errOut := ta.run("", args...)
				cliErr.WriteString(errOut)
				if code != 0 || !strings.Contains(out, want) {
					t.Fatalf("hub %s: exit %d\n%s\n%s", strings.Join(args, " "), code, out, errOut)
				}
				return out
			}
			const testdata = "../../training/testdata/"
			cli("", "asn", "units", testdata+"units.csv")
			cli("", "asn", "import", testdata+"asn.csv")
			cli("", "training", "import", "trainings", testdata+"trainings.csv")
			now := time.Now().In(training.WIB)
			at := func(d time.Duration) string { return now.Add(d).Format("2006-01-02 15:04") }
			cli("", "training", "import", "sessions", writeFile(t, "sessions.csv", "code,training,start,end,place\n"+
				"SOON,SPBE-DASAR,"+at(time.Hour)+","+at(3*time.Hour)+",Aula\n"+
				"PAST,DIG-ANALITIK,"+at(-6*time.Hour)+","+at(-3*time.Hour)+",Aula\n"))
			cli("", "training", "import", "enrolments", writeFile(t, "enrolments.csv", "session,nip,attended\nSOON,"+nipBudi+",\nPAST,"+nipBudi+",ya\n"))
			code := linkCodeRE.FindStringSubmatch(cli("kode tautan", "asn", "link-code", nipBudi))[1]

			h := startServe(t, env)
			// waitFor returns the first message to chat containing want.
			waitFor := func(chat int64, want string) telegramtest.SentMessage {
				t.Helper()
				deadline := time.Now().Add(60 * time.Second)
				for time.Now().Before(deadline) {
					for _, m := range srv.Sent() {
						if m.ChatID == chat && strings.Contains(m.Plain, want) {
							return m
						}
					}
					time.Sleep(20 * time.Millisecond)
				}
				var got []string
				for _, m := range srv.Sent() {
					if m.ChatID == chat {
						got = append(got, m.Plain)
					}
				}
				t.Fatalf("no message to %d containing %q; it got:\n%s", chat, want, strings.Join(got, "\n---\n"))
				return telegramtest.SentMessage{}
			}

			// The ASN links the chat (the name comes from Telegram too).
			m := srv.Message(asnChat, asnChat, "/daftar "+code)
			m.From.FirstName, m.From.LastName = "Budi", "Santoso"
			srv.PushUpdate(tgbotapi.Update{Message: m})
			waitFor(asnChat, "Selamat datang")
			// The scheduler's reminder; Berhalangan with a reason.
			reminder := waitFor(asnChat, "Pengingat")
			srv.PushPress(asnChat, asnChat, reminder.MessageID, buttonDataOf(t, reminder, "Berhalangan"))
			waitFor(asnChat, "alasan singkat")
			srv.PushText(asnChat, asnChat, reason)
			// The post-training survey of the past session, to the end.
			invitation := waitFor(asnChat, "mengisi survei")
			srv.PushPress(asnChat, asnChat, invitation.MessageID, buttonDataOf(t, invitation, "Mulai survei"))
			for i := 1; ; i++ {
				q := waitFor(asnChat, fmt.Sprintf("Pertanyaan %d dari", i))
				if strings.Contains(q.Plain, "ketik jawaban") {
					srv.PushText(asnChat, asnChat, freeText)
					break
				}
				srv.PushPress(asnChat, asnChat, q.MessageID, buttonDataOf(t, q, "4"))
			}
			waitFor(asnChat, "Terima kasih! Jawaban Anda")

			// A citizen asks, is answered, asks for an officer; the
			// officer replies from the CLI.
			m = srv.Message(citizenChat, citizenChat, question)
			m.From.FirstName, m.From.LastName, m.From.UserName = "Rahmat", "Hidayat", "rahmat_hidayat"
			srv.PushUpdate(tgbotapi.Update{Message: m})
			answer := waitFor(citizenChat, "Tanya petugas")
			srv.PushPress(citizenChat, citizenChat, answer.MessageID, buttonDataOf(t, answer, "Tanya petugas"))
			handoff := waitFor(citizenChat, "tiket #")
			ticket := regexp.MustCompile(`tiket #(\d+)`).FindStringSubmatch(handoff.Plain)[1]
			cli("", "inbox", "reply", ticket, "Silakan lapor ke Dinas Lingkungan Hidup, Bu Sri Mulyani")
			waitFor(citizenChat, "Balasan petugas")
			srv.WaitPending(t, 0, 30*time.Second)
			h.stop()

			logs := h.errb.String() + h.out.String() + cliErr.String()
			if !strings.Contains(logs, "person=p-") {
				t.Errorf("no log line names a person by the keyed hash:\n%s", logs)
			}
			personal := []string{nipBudi, "Budi", "Santoso", "Rahmat", "Hidayat", "rahmat_hidayat", "Sri Mulyani",
				fmt.Sprint(asnChat), fmt.Sprint(citizenChat), "demam", "Joko", "parit", "reminder:", code}
			for _, s := range personal {
				if strings.Contains(logs, s) {
					t.Errorf("the logs hold %q", s)
				}
			}
			// Every NIP of the imported file, in any form.
			if nip := regexp.MustCompile(`\b(19|20)\d{16}\b`).FindString(logs); nip != "" {
				t.Errorf("the logs hold the NIP-like %s", nip)
			}
		})
	}
}

// buttonDataOf is the data of the first button of m whose label begins with label.
func buttonDataOf(t *testing.T, m telegramtest.SentMessage, label string) string {
	t.Helper()
	for _, row := range m.Buttons {
		for _, b := range row {
			if strings.HasPrefix(b.Text, label) {
				return b.Data
			}
		}
	}
	t.Fatalf("no button %q on %q", label, m.Plain)
	return ""
}

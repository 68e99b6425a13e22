package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/bots/telegram"
	"github.com/tebingtinggi/hub/bots/telegram/telegramtest"
	"github.com/tebingtinggi/hub/outbox"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

func TestChatAndInbox(t *testing.T) {
	ta := newTestApp(t, "sqlite://"+filepath.Join(t.TempDir(), "hub.db"))
	code, out, errOut := ta.run("/start\nktp saya hilang gmn\n1\nbagaimana cara daftar nikah siri online lewat kecamatan?\n", "chat", "--as", "budi")
	if code != 0 {
		t.Fatalf("chat exited %d: %s", code, errOut)
	}
	for _, want := range []string{"asisten virtual", "Surat keterangan kehilangan", "[1] Terjawab 👍", "Terima kasih atas tanggapan", "(tiket #1)"} {
		if !strings.Contains(out, want) {
			t.Errorf("chat output lacks %q:\n%s", want, out)
		}
	}

	code, out, errOut = ta.run("", "inbox", "list", "--status", "open")
	if code != 0 || !strings.Contains(out, "nikah siri") || !strings.Contains(out, "console") {
		t.Fatalf("inbox list: %d %s %s", code, out, errOut)
	}
	if code, _, errOut := ta.run("", "inbox", "reply", "1"); code != 2 || !strings.Contains(errOut, "teks balasan") {
		t.Fatalf("reply without text: %d %s", code, errOut)
	}
	if code, out, errOut := ta.run("", "inbox", "reply", "1", "Silakan ke KUA kecamatan."); code != 0 || !strings.Contains(out, "dijawab") {
		t.Fatalf("inbox reply: %d %s %s", code, out, errOut)
	}
	// The same command again (shell history) sends nothing.
	if code, _, errOut := ta.run("", "inbox", "reply", "1", "Silakan ke KUA kecamatan. "); code != 1 ||
		!strings.Contains(errOut, "balasan yang sama sudah dikirim, atau sedang dikirim, ke warga sebagai pesan terakhir tiket #1, jadi tidak dikirim dua kali") {
		t.Fatalf("the same reply again: %d %s", code, errOut)
	}
	code, out, _ = ta.run("", "inbox", "show", "#1")
	if code != 0 || !strings.Contains(out, "petugas tester") || !strings.Contains(out, "Silakan ke KUA") || !strings.Contains(out, "dijawab") {
		t.Fatalf("inbox show: %s", out)
	}
	// The reply claimed the ticket; the operator hands the claim back.
	if !strings.Contains(out, "diambil    oleh tester (hanya dia yang dapat membalas; hub inbox release 1 melepasnya)") {
		t.Errorf("inbox show does not name who holds the ticket:\n%s", out)
	}
	for _, step := range []struct {
		args       []string
		code       int
		out, ofErr string
	}{
		{[]string{"inbox", "release", "1"}, 0, "tiket #1 dilepas dari tester; petugas lain kini dapat mengambilnya", ""},
		{[]string{"inbox", "release", "#1"}, 0, "tiket #1 tidak sedang diambil siapa pun", ""},
		{[]string{"inbox", "release", "99"}, 1, "", "tidak ada tiket #99"},
		{[]string{"inbox", "release"}, 2, "", "inbox release memerlukan nomor tiket"},
	} {
		code, out, errOut := ta.run("", step.args...)
		if code != step.code || !strings.Contains(out, step.out) || !strings.Contains(errOut, step.ofErr) {
			t.Errorf("%q: %d %q %q; want %d, %q, %q", step.args, code, out, errOut, step.code, step.out, step.ofErr)
		}
	}
	if _, out, _ := ta.run("", "inbox", "show", "1"); strings.Contains(out, "diambil") {
		t.Errorf("inbox show after the release:\n%s", out)
	}
	if code, out, errOut := ta.run("", "inbox", "close", "1"); code != 0 || !strings.Contains(out, "ditutup; warga diminta memberi penilaian") {
		t.Fatalf("inbox close: %d %s %s", code, out, errOut)
	}
	// A ticket nobody answered: the citizen is told so, not asked to rate.
	if code, out, errOut := ta.run("bagaimana cara daftar nikah siri online lewat kecamatan?\n", "chat", "--as", "siti"); code != 0 || !strings.Contains(out, "(tiket #2)") {
		t.Fatalf("siti's hand-over: %d %s %s", code, out, errOut)
	}
	if code, out, errOut := ta.run("", "inbox", "close", "2"); code != 0 || !strings.Contains(out, "tiket #2 ditutup tanpa jawaban tertulis") {
		t.Fatalf("inbox close of an unanswered ticket: %d %s %s", code, out, errOut)
	}
	if code, out, errOut := ta.run("", "chat", "--as", "siti"); code != 0 || !strings.Contains(out, "Tiket #2 ditutup oleh petugas tanpa jawaban tertulis") || strings.Contains(out, "puas") {
		t.Errorf("siti reads, after the close of her unanswered ticket: %d %s %s", code, out, errOut)
	}
	// Closing or releasing a closed ticket sends nothing anyway: the
	// message does not say so, as a refused reply's does.
	if code, _, errOut := ta.run("", "inbox", "close", "1"); code != 1 || errOut != "hub: tiket #1 sudah ditutup\n" {
		t.Fatalf("closing twice: %d %q", code, errOut)
	}
	if code, _, errOut := ta.run("", "inbox", "release", "1"); code != 1 || errOut != "hub: tiket #1 sudah ditutup\n" {
		t.Fatalf("releasing a closed ticket: %d %q", code, errOut)
	}
	if code, _, errOut := ta.run("", "inbox", "reply", "1", "Masih ada?"); code != 1 || errOut != "hub: tiket #1 sudah ditutup; tidak ada yang dikirim ke warga\n" {
		t.Fatalf("replying to a closed ticket: %d %q", code, errOut)
	}

	// The next chat session delivers the officer's reply and the rating
	// prompt, and rates.
	code, out, errOut = ta.run("5\nCepat sekali\n", "chat", "--as", "budi")
	if code != 0 {
		t.Fatalf("chat exited %d: %s", code, errOut)
	}
	for _, want := range []string{"Balasan petugas untuk tiket #1", "Silakan ke KUA", "[5] 5 ⭐", "Terima kasih atas penilaian", "komentar Anda sudah kami simpan"} {
		if !strings.Contains(out, want) {
			t.Errorf("second chat lacks %q:\n%s", want, out)
		}
	}
	if _, out, _ := ta.run("", "inbox", "show", "1"); !strings.Contains(out, "penilaian  5/5 Cepat sekali") {
		t.Errorf("rating not recorded:\n%s", out)
	}
}

func TestChatConfigErrors(t *testing.T) {
	cases := []struct{ env, value, want string }{
		{"HUB_SERVICE_HOURS", "senin pagi", "HUB_SERVICE_HOURS"},
		{"HUB_HOLIDAYS", "25-12-2026", "HUB_HOLIDAYS"},
		{"HUB_MESSAGE_RETENTION_DAYS", "setahun", "HUB_MESSAGE_RETENTION_DAYS"},
		{"HUB_TELEGRAM_WEBHOOK_URL", "https://hub.example.go.id/tg", "HUB_TELEGRAM_WEBHOOK_SECRET wajib diisi"},
		{"HUB_TELEGRAM_API_URL", "localhost:8081", "HUB_TELEGRAM_API_URL"},
		{"HUB_TELEGRAM_RATE_CHAT", "0", "HUB_TELEGRAM_RATE_CHAT"},
		{"HUB_USER_RATE_LIMIT", "-1", "HUB_USER_RATE_LIMIT"},
		{"HUB_TELEGRAM_TOKEN", "bot123:ab%C3%A9/SECRET", "HUB_TELEGRAM_TOKEN bukan token bot"},
		{"HUB_TELEGRAM_TOKEN", "123456:abc def", "HUB_TELEGRAM_TOKEN bukan token bot"},
	}
	for _, c := range cases {
		ta := newTestApp(t, "sqlite://"+filepath.Join(t.TempDir(), "hub.db"))
		ta.env[c.env] = c.value
		code, _, errOut := ta.run("", "serve")
		if c.env == "HUB_TELEGRAM_TOKEN" && (strings.Contains(errOut, "SECRET") || strings.Contains(errOut, "abc")) {
			t.Errorf("%s: the token is echoed: %s", c.env, errOut)
		}
		if code != 1 || !strings.Contains(errOut, c.want) {
			t.Errorf("%s=%q: exit %d, stderr %q, want 1 naming %q", c.env, c.value, code, errOut, c.want)
		}
	}
}

// TestServeTelegramWebhook runs `hub serve` with Telegram in webhook mode
// against the fake Bot API: the webhook is mounted on the hub's HTTP
// server, the answer goes out through the outbox, and the token never
// reaches the logs.
func TestServeTelegramWebhook(t *testing.T) {
	for _, d := range storagetest.Backends {
		t.Run(string(d), func(t *testing.T) {
			srv := telegramtest.NewServer(t)
			env := telegramEnv(t, d, srv)
			env["HUB_LOG_LEVEL"] = "debug"
			env["HUB_TELEGRAM_WEBHOOK_URL"] = "https://hub.example.go.id/telegram/hook"
			env["HUB_TELEGRAM_WEBHOOK_SECRET"] = "rahasia-webhook-123"
			h := startServe(t, env)
			if u, secret := srv.WaitWebhook(t, 10*time.Second); u != env["HUB_TELEGRAM_WEBHOOK_URL"] || secret != "rahasia-webhook-123" {
				t.Fatalf("webhook registered as %q / %q", u, secret)
			}
			body, _ := json.Marshal(tgbotapi.Update{UpdateID: 77, Message: srv.Message(900, 900, "ktp saya hilang gmn")})
			post := func(secret string) int {
				req, _ := http.NewRequest(http.MethodPost, "http://"+h.addr+"/telegram/hook", bytes.NewReader(body))
				req.Header.Set(telegram.SecretHeader, secret)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				return resp.StatusCode
			}
			// The adapter connects in the background: 503 until then.
			deadline := time.Now().Add(10 * time.Second)
			for code := post("salah"); code != http.StatusUnauthorized; code = post("salah") {
				if code != http.StatusServiceUnavailable || time.Now().After(deadline) {
					t.Fatalf("wrong secret: %d, want 401", code)
				}
			}
			if code := post("rahasia-webhook-123"); code != http.StatusOK {
				t.Fatalf("webhook: %d, want 200", code)
			}
			msgs := srv.WaitSent(t, 1, 10*time.Second)
			if msgs[0].ChatID != 900 || !strings.Contains(msgs[0].Plain, "kehilangan") {
				t.Fatalf("sent %+v", msgs[0])
			}
			h.stop()
			logs := h.errb.String() + h.out.String()
			if strings.Contains(logs, srv.Token()) {
				t.Fatal("the bot token appears in the logs")
			}
			if regexp.MustCompile(`kehilangan|ktp saya`).MatchString(logs) {
				t.Fatalf("message text in the logs:\n%s", logs)
			}
		})
	}
}

// TestInboxShowAndCloseHygiene: hub inbox show names the bot's decision
// instead of repeating its message (--full shows it), and closing the
// ticket of a citizen who erased their data does not claim a rating was
// asked.
func TestInboxShowAndCloseHygiene(t *testing.T) {
	dbURL := "sqlite://" + filepath.Join(t.TempDir(), "hub.db")
	ta := newTestApp(t, dbURL)
	if code, _, errOut := ta.run("bagaimana cara daftar nikah siri online lewat kecamatan?\n", "chat", "--as", "budi"); code != 0 {
		t.Fatalf("chat exited %d: %s", code, errOut)
	}
	_, compact, _ := ta.run("", "inbox", "show", "1")
	_, full, _ := ta.run("", "inbox", "show", "1", "--full")
	if !strings.Contains(compact, "bot: menyerahkan ke petugas") || strings.Contains(compact, "(tiket #1)") || !strings.Contains(compact, "--full") {
		t.Errorf("compact show does not name the decision alone:\n%s", compact)
	}
	if !strings.Contains(full, "bot (menyerahkan ke petugas):") || !strings.Contains(full, "(tiket #1)") {
		t.Errorf("show --full lacks the bot's message:\n%s", full)
	}
	for _, out := range []string{compact, full} {
		if !strings.Contains(out, "nikah siri online lewat kecamatan?") {
			t.Errorf("show lacks the citizen's question:\n%s", out)
		}
	}

	// A ticket that an erasure left open (as erasures did before they
	// closed the citizen's tickets): there is no chat left to ask for a
	// rating in.
	db, err := storage.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.ExecContext(context.Background(), `UPDATE conversations SET chat_id = 'forgotten:' || id, user_id = 'forgotten:' || id,
		display_name = '' WHERE user_id = 'budi'`)
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	code, out, errOut := ta.run("", "inbox", "close", "1")
	if code != 0 || strings.Contains(out, "diminta memberi penilaian") || !strings.Contains(out, "penilaian tidak diminta") {
		t.Fatalf("closing a forgotten citizen's ticket: %d %q %s", code, out, errOut)
	}
}

// TestChatShowsOnlyOwnMessages: `hub chat --as budi` delivers budi's
// messages only; a message for andi (a reminder with buttons) stays queued
// for andi's own session, where it is shown.
func TestChatShowsOnlyOwnMessages(t *testing.T) {
	for _, backend := range storagetest.Backends {
		t.Run(string(backend), func(t *testing.T) {
			ctx := context.Background()
			url := storagetest.URL(t, backend)
			ta := newTestApp(t, url)
			ta.cli(t, 0, "versi skema", "migrate")
			db, err := storage.Open(ctx, url)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := outbox.Enqueue(ctx, db, outbox.Message{Key: "reminder:andi", Out: bots.Outgoing{
				Platform: bots.Console, ChatID: "andi", Text: "Pengingat pelatihan untuk Andi",
				Buttons: [][]bots.Button{{{Text: "Hadir", Data: "x:hadir"}}},
			}}); err != nil {
				t.Fatal(err)
			}
			status := func() outbox.Status {
				t.Helper()
				r, err := outbox.New(db).Get(ctx, "reminder:andi")
				if err != nil {
					t.Fatal(err)
				}
				return r.Status
			}

			code, out, errOut := ta.run("/start\n", "chat", "--as", "budi")
			if code != 0 {
				t.Fatalf("budi's chat exited %d: %s", code, errOut)
			}
			if strings.Contains(out, "Andi") || strings.Contains(out, "Hadir") || !strings.Contains(out, "asisten virtual") {
				t.Errorf("budi's chat shows andi's message, or not budi's own:\n%s", out)
			}
			if s := status(); s != outbox.Pending {
				t.Fatalf("andi's message is %s after budi's chat, want pending", s)
			}

			code, out, errOut = ta.run("", "chat", "--as", "andi")
			if code != 0 || !strings.Contains(out, "Pengingat pelatihan untuk Andi") || !strings.Contains(out, "[1] Hadir") {
				t.Fatalf("andi's chat: %d\n%s\n%s", code, out, errOut)
			}
			// The greeting, then what waited: never written at once.
			if !strings.HasPrefix(out, "Mengobrol dengan bot sebagai \"andi\"") {
				t.Errorf("andi's chat does not start with its greeting:\n%s", out)
			}
			if s := status(); s != outbox.Sent {
				t.Errorf("andi's message is %s after andi's chat, want sent", s)
			}
		})
	}
}

// TestChatAskOfficerByLabel: after a polite decline, typing the button's
// label "Tanya petugas" hands over the citizen's question, as pressing it
// does; the label does not become the ticket's subject.
func TestChatAskOfficerByLabel(t *testing.T) {
	ta := newTestApp(t, "sqlite://"+filepath.Join(t.TempDir(), "hub.db"))
	code, out, errOut := ta.run("resep rendang yang enak gimana?\nTanya petugas\n", "chat", "--as", "andi")
	if code != 0 || !strings.Contains(out, "[1] Tanya petugas") || !strings.Contains(out, "(tiket #1)") {
		t.Fatalf("chat: %d\n%s\n%s", code, out, errOut)
	}
	out = ta.cli(t, 0, "resep rendang yang enak gimana?", "inbox", "list")
	if strings.Contains(out, "Tanya petugas") {
		t.Errorf("the button's label became a ticket:\n%s", out)
	}
}

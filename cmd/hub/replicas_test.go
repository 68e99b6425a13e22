package main

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tebingtinggi/hub/bots/telegram/telegramtest"
	"github.com/tebingtinggi/hub/storage"
)

// readyz returns the body of h's /readyz, failing the test unless it is
// 200.
func (h *servingHub) readyz(t *testing.T) string {
	t.Helper()
	resp, err := http.Get("http://" + h.addr + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/readyz: %d %s", resp.StatusCode, body)
	}
	return string(body)
}

// Two replicas run `hub serve` at the same moment on one empty Postgres
// database with one bot polling Telegram. Both come up (one migrates and
// seeds, the other waits for it); only one polls, the other stands by, so
// Telegram sees no two polls at once (409 Conflict); /readyz and the log
// say which replica does what; each sends at half the global rate; and
// when the poller stops, the other takes over and answers the next
// message.
func TestTwoReplicasPollOneBotInTurn(t *testing.T) {
	srv := telegramtest.NewServer(t)
	env := telegramEnv(t, storage.Postgres, srv)
	a, waitA := launchServe(t, env)
	b, waitB := launchServe(t, env)
	waitA()
	waitB()

	// Each replica's /readyz and log say what it does.
	says := func(h *servingHub, role, logged string) bool {
		return strings.Contains(h.readyz(t), "telegram: "+role) && strings.Contains(h.errb.String(), logged)
	}
	var poller, standby *servingHub
	deadline := time.Now().Add(30 * time.Second)
	for poller == nil {
		const polls, waits = "this replica polls for updates", "this one stands by"
		switch {
		case says(a, "polling", polls) && says(b, "standby", waits):
			poller, standby = a, b
		case says(b, "polling", polls) && says(a, "standby", waits):
			poller, standby = b, a
		case time.Now().After(deadline):
			t.Fatalf("after 30 s, one replica must poll and the other stand by:\n%s%s\n%s%s", a.readyz(t), a.errb.String(), b.readyz(t), b.errb.String())
		default:
			time.Sleep(10 * time.Millisecond) // polling readiness, with a deadline
		}
	}
	// One of them seeded the starter knowledge base, once.
	if n := strings.Count(a.errb.String()+b.errb.String(), "seeded the starter knowledge base"); n != 1 {
		t.Errorf("%d replicas say they seeded the starter knowledge base; want 1", n)
	}
	db, err := storage.Open(context.Background(), env["HUB_DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var entries, revisions int
	if err := db.GetContext(context.Background(), &entries, `SELECT COUNT(*) FROM faq_entries`); err != nil {
		t.Fatal(err)
	}
	if err := db.GetContext(context.Background(), &revisions, `SELECT COUNT(*) FROM faq_revisions`); err != nil {
		t.Fatal(err)
	}
	if entries == 0 || revisions != entries {
		t.Errorf("%d entries with %d revisions; want the starter entries with one revision each", entries, revisions)
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		leaders := strings.Count(a.readyz(t)+b.readyz(t), "scheduler: leader")
		standbys := strings.Count(a.readyz(t)+b.readyz(t), "scheduler: standby")
		if leaders == 1 && standbys == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 30 s, %d scheduler leaders and %d standing by; want 1 and 1", leaders, standbys)
		}
	}

	// Each replica sends at half the bot's global rate.
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		const halved = `msg="telegram: sending at a share of the global rate" dispatchers=2`
		if strings.Contains(a.errb.String(), halved) && strings.Contains(b.errb.String(), halved) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 30 s, the replicas do not share the global rate:\n%s\n%s", a.errb.String(), b.errb.String())
		}
	}

	// The same question from two citizens, before and after the hand-over:
	// each is answered as often as the other, once.
	const question = "syarat membuat ktp baru apa saja"
	srv.PushText(931, 931, question)
	first := len(srv.WaitSent(t, 1, 30*time.Second))
	if n := srv.Conflicts(); n != 0 {
		t.Errorf("Telegram ended %d polls with 409 Conflict: both replicas polled", n)
	}

	poller.stop()
	for deadline := time.Now().Add(30 * time.Second); !strings.Contains(standby.readyz(t), "telegram: polling"); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the standby did not take over polling within 30 s: %s", standby.readyz(t))
		}
	}
	srv.PushText(932, 932, question)
	sent := srv.WaitSent(t, 2*first, 30*time.Second)
	var chats []int64
	for _, m := range sent {
		chats = append(chats, m.ChatID)
	}
	for i, c := range chats {
		if want := int64(931 + i/first); c != want {
			t.Fatalf("replies went to chats %v; want %d to 931, then as many to 932", chats, first)
		}
	}
}

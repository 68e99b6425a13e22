package slack_test

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/tebingtinggi/hub/bots"
	hubslack "github.com/tebingtinggi/hub/bots/slack"
	"github.com/tebingtinggi/hub/handlers"
	"github.com/tebingtinggi/hub/outbox"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
	"github.com/tebingtinggi/hub/training"
)

const (
	nipBudi   = "198001012005011001"
	budiDM    = "D0BUDI"
	budiSlack = "U0BUDI"
)

// slash sends a signed slash command as Budi in his DM with the app.
func (h *hub) slash(command, text string) {
	h.seq++
	form := url.Values{"command": {command}, "text": {text}, "user_id": {budiSlack}, "user_name": {"budi"},
		"channel_id": {budiDM}, "channel_name": {"directmessage"}, "trigger_id": {fmt.Sprintf("asn-%d", h.seq)}}
	h.post(hubslack.PathCommands, form.Encode())
}

// dmText sends a signed message event: Budi writes text in his DM.
func (h *hub) dmText(text string) {
	h.seq++
	h.post(hubslack.PathEvents, fmt.Sprintf(`{"type":"event_callback","event_id":"Ev%d","event_time":%d,"event":{"type":"message",`+
		`"channel":%q,"channel_type":"im","user":%q,"text":%q,"ts":"1700000001.%06d"}}`, h.seq, time.Now().Unix(), budiDM, budiSlack, text, h.seq))
}

// pressIn presses a button of a message in Budi's DM.
func (h *hub) pressIn(ts, data string) {
	h.seq++
	h.interact(map[string]any{
		"type": "block_actions", "trigger_id": fmt.Sprintf("trig-%d", h.seq), "user": map[string]any{"id": budiSlack, "name": "budi"},
		"container": map[string]any{"type": "message", "channel_id": budiDM, "message_ts": ts},
		"channel":   map[string]any{"id": budiDM},
		"actions":   []map[string]any{{"type": "button", "block_id": "row0", "action_id": "b0_0", "value": data, "action_ts": "1"}},
	})
}

// dm waits for a new message (or edit) in Budi's DM, after the first seen
// ones, whose text contains want, and returns it and how many there are.
func (h *hub) dm(seen int, want string) (call, int) {
	h.t.Helper()
	var got call
	n := seen
	waitFor(h.t, 15*time.Second, fmt.Sprintf("a message to Budi's DM with %q", want), func() bool {
		var mine []call
		for _, c := range h.slack.Calls("chat.postMessage") {
			if c.Form.Get("channel") == budiDM {
				mine = append(mine, c)
			}
		}
		for _, c := range h.slack.Calls("chat.update") {
			if c.Form.Get("channel") == budiDM {
				mine = append(mine, c)
			}
		}
		for i := seen; i < len(mine); i++ {
			if strings.Contains(mine[i].Form.Get("text"), want) {
				got, n = mine[i], len(mine)
				return true
			}
		}
		return false
	})
	return got, n
}

// TestASNOnSlack: an ASN linked on Telegram links Slack with /daftar in a
// DM; from then on (the platform linked last) his reminders and surveys
// go to Slack only, with Block Kit buttons that work there; /kanal moves
// them back to Telegram and again to Slack.
func TestASNOnSlack(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	ctx := context.Background()
	tr := training.New(db, training.Options{})
	now := time.Now()
	start := now.Add(20 * time.Hour).In(training.WIB)
	for _, step := range []func() error{
		func() error {
			_, err := tr.ImportUnits(ctx, strings.NewReader("code,name\nDISKOMINFO,Dinas Komunikasi dan Informatika\n"), "units.csv")
			return err
		},
		func() error {
			_, err := tr.ImportASN(ctx, strings.NewReader("nip,name,unit\n"+nipBudi+",Budi Santoso,DISKOMINFO\n"), "asn.csv")
			return err
		},
		func() error {
			_, err := tr.ImportTrainings(ctx, strings.NewReader("code,title,competency,hours,provider\nT1,Literasi Data,data,8,LAN\n"), "trainings.csv")
			return err
		},
		func() error {
			_, err := tr.ImportSessions(ctx, strings.NewReader("code,training,start,end,place\nS1,T1,"+start.Format(time.RFC3339)+","+
				start.Add(4*time.Hour).Format(time.RFC3339)+",Aula\n"), "sessions.csv")
			return err
		},
		func() error {
			_, err := tr.ImportEnrolments(ctx, strings.NewReader("session,nip\nS1,"+nipBudi+"\n"), "enrolments.csv")
			return err
		},
		func() error { return tr.EnsureTemplates(ctx) },
	} {
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
	// Budi linked Telegram a week ago.
	code, err := tr.IssueLinkCode(ctx, nipBudi, now.Add(-7*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := storagetest.InTx(db, func(tx *sqlx.Tx) (training.ASN, error) {
		return tr.Redeem(ctx, tx, code, bots.Telegram, "777", "777", now.Add(-7*24*time.Hour))
	}); err != nil {
		t.Fatal(err)
	}
	h := newHubWith(t, db, func(m *handlers.Mux, c *handlers.Citizen) error {
		return (&handlers.ASN{Training: tr}).Register(m, c)
	})
	enqueue := func(ps []training.Planned) {
		t.Helper()
		msgs := make([]outbox.Message, len(ps))
		for i, p := range ps {
			msgs[i] = outbox.Message{Key: p.Key, Out: p.Out, NotBefore: p.NotBefore, ExpiresAt: p.ExpiresAt}
		}
		if _, err := outbox.Enqueue(ctx, db, msgs...); err != nil {
			t.Fatal(err)
		}
	}
	// where plans the reminders due two hours before the session (the
	// last reminder, still ahead whenever Budi confirms) and says where
	// each goes.
	where := func() []string {
		t.Helper()
		ps, err := tr.DueReminders(ctx, start.Add(-2*time.Hour), nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, p := range ps {
			out = append(out, string(p.Out.Platform)+":"+p.Out.ChatID)
		}
		return out
	}
	if got := where(); !slices.Equal(got, []string{"telegram:777"}) {
		t.Fatalf("before Slack: reminders to %v", got)
	}

	// /daftar in a DM links Slack, the platform linked last.
	code, err = tr.IssueLinkCode(ctx, nipBudi, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	h.slash("/daftar", code)
	_, seen := h.dm(0, "tertaut dengan data ASN Anda")
	ps, err := tr.DueReminders(ctx, time.Now(), nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 1 || ps[0].Out.Platform != bots.Slack || ps[0].Out.ChatID != budiDM {
		t.Fatalf("after /daftar on Slack: %+v", ps)
	}

	// The reminder arrives once, in Slack, with its buttons; Hadir works.
	enqueue(ps)
	reminder, seen := h.dm(seen, "Literasi Data")
	values := buttonValues(t, reminder)
	sessions, err := tr.Sessions(ctx, 0)
	if err != nil || len(sessions) != 1 {
		t.Fatalf("sessions %v, %v", sessions, err)
	}
	es, err := tr.Enrolments(ctx, sessions[0].ID)
	if err != nil || len(es) != 1 {
		t.Fatalf("enrolments %v, %v", es, err)
	}
	yes := "rsvp:" + strconv.FormatInt(es[0].ID, 10) + ":y"
	if !slices.Contains(values, yes) {
		t.Fatalf("reminder buttons %v lack %s", values, yes)
	}
	h.pressIn("1700000000.000100", yes)
	confirmation, seen := h.dm(seen, "sudah kami catat")
	if !slices.Contains(buttonValues(t, confirmation), "rsvp:"+strconv.FormatInt(es[0].ID, 10)+":n") {
		t.Errorf("confirmation lacks the Berhalangan button: %v", buttonValues(t, confirmation))
	}
	if es, _ := tr.Enrolments(ctx, sessions[0].ID); es[0].RSVP != training.RSVPYes {
		t.Errorf("RSVP after Hadir on Slack: %q", es[0].RSVP)
	}
	// He changes his mind and types the reason in the DM.
	h.pressIn("1700000000.000101", "rsvp:"+strconv.FormatInt(es[0].ID, 10)+":n")
	_, seen = h.dm(seen, "Mohon tuliskan alasan singkatnya")
	h.dmText("dinas luar kota")
	_, seen = h.dm(seen, "alasan Anda sudah kami catat")
	if es, _ := tr.Enrolments(ctx, sessions[0].ID); es[0].RSVP != training.RSVPNo || es[0].RSVPReason != "dinas luar kota" {
		t.Errorf("RSVP after Berhalangan on Slack: %q, reason %q", es[0].RSVP, es[0].RSVPReason)
	}
	h.pressIn("1700000000.000102", yes) // and back: he can come after all
	_, seen = h.dm(seen, "sudah kami catat")

	// A survey invitation goes to Slack too, and is answered there.
	r, _, err := tr.OpenPeriodicRound(ctx, training.TemplateCompetency, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	inv, err := tr.Invitations(ctx, time.Now())
	if err != nil || len(inv) != 1 || inv[0].Out.Platform != bots.Slack {
		t.Fatalf("invitations %+v, %v", inv, err)
	}
	enqueue(inv)
	invitation, seen := h.dm(seen, "Penilaian Mandiri Kompetensi Digital")
	if !slices.Contains(buttonValues(t, invitation), training.StartButtonData(r.ID)) {
		t.Fatalf("invitation buttons %v", buttonValues(t, invitation))
	}
	h.pressIn("1700000000.000200", training.StartButtonData(r.ID))
	question, seen := h.dm(seen, "Pertanyaan 1 dari")
	first := "sv:" + strconv.FormatInt(r.ID, 10) + ":perkantoran:4"
	if !slices.Contains(buttonValues(t, question), first) {
		t.Fatalf("question buttons %v lack %s", buttonValues(t, question), first)
	}
	h.pressIn("1700000000.000300", first)
	_, seen = h.dm(seen, "Pertanyaan 2 dari")

	// /kanal telegram moves the messages back; /kanal slack again.
	h.slash("/kanal", "telegram")
	_, seen = h.dm(seen, "melalui Telegram saja")
	if got := where(); !slices.Equal(got, []string{"telegram:777"}) {
		t.Errorf("after /kanal telegram: reminders to %v", got)
	}
	h.slash("/kanal", "")
	_, seen = h.dm(seen, "saat ini dikirim melalui Telegram")
	h.slash("/kanal", "slack")
	_, seen = h.dm(seen, "melalui Slack saja")
	if got := where(); !slices.Equal(got, []string{"slack:" + budiDM}) {
		t.Errorf("after /kanal slack: reminders to %v", got)
	}
	h.slash("/kanal", "whatsapp")
	h.dm(seen, "/kanal telegram atau /kanal slack")
	// Linked on both, Budi got each message once: nothing on Telegram.
	for _, m := range h.tg.Sent() {
		if m.ChatID == 777 {
			t.Errorf("Telegram got %q", m.Text)
		}
	}
}

// TestSlashCommandsOnlyInTheAppDM: a person's command typed in a channel,
// or in a DM with someone else, is answered to them alone where they
// typed it (through the command's response_url) and does nothing: the
// flows' answers would go to everyone there, or nowhere, and a link made
// there would send reminders where the app cannot write. /faq works
// anywhere, answered the same way.
func TestSlashCommandsOnlyInTheAppDM(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	ctx := context.Background()
	tr := training.New(db, training.Options{})
	if _, err := tr.ImportUnits(ctx, strings.NewReader("code,name\nDISKOMINFO,Dinas Komunikasi dan Informatika\n"), "units.csv"); err != nil {
		t.Fatal(err)
	}
	if _, err := tr.ImportASN(ctx, strings.NewReader("nip,name,unit\n"+nipBudi+",Budi Santoso,DISKOMINFO\n"), "asn.csv"); err != nil {
		t.Fatal(err)
	}
	h := newHubWith(t, db, func(m *handlers.Mux, c *handlers.Citizen) error {
		return (&handlers.ASN{Training: tr}).Register(m, c)
	})
	code, err := tr.IssueLinkCode(ctx, nipBudi, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	slashIn := func(channel, command, text string) string {
		h.seq++
		id := fmt.Sprintf("r%d", h.seq)
		form := url.Values{"command": {command}, "text": {text}, "user_id": {budiSlack}, "user_name": {"budi"},
			"channel_id": {channel}, "trigger_id": {fmt.Sprintf("asn-%d", h.seq)}, "response_url": {h.slack.ResponseURL(id)}}
		h.post(hubslack.PathCommands, form.Encode())
		return id
	}
	answer := func(id string) string {
		var text string
		waitFor(t, 15*time.Second, "the answer at response_url "+id, func() bool {
			for _, c := range h.slack.Calls("response_url") {
				if c.Form.Get("id") == id {
					if c.JSON["response_type"] != "ephemeral" {
						t.Errorf("answered %v; want ephemeral", c.JSON)
					}
					text, _ = c.JSON["text"].(string)
					return true
				}
			}
			return false
		})
		return text
	}
	for _, channel := range []string{"CUMUM", "GPRIVAT", "D0ANI"} { // a channel, a private one, a DM with Ani
		if got := answer(slashIn(channel, "/daftar", code)); !strings.Contains(got, "hanya dapat dipakai di pesan langsung dengan aplikasi hub") {
			t.Errorf("/daftar in %s answered %q", channel, got)
		}
		if got := answer(slashIn(channel, "/berhenti", "")); !strings.Contains(got, "Tidak ada yang diubah") {
			t.Errorf("/berhenti in %s answered %q", channel, got)
		}
	}
	if _, err := tr.LinkFor(ctx, db, bots.Slack, budiSlack); err == nil {
		t.Fatal("a /daftar outside the app's DM linked the account")
	}
	// /faq answers anywhere, to the asker alone.
	if got := answer(slashIn("CUMUM", "/faq", "cari ktp hilang")); !strings.Contains(got, "ktp-hilang") {
		t.Errorf("/faq cari in a channel answered %q", got)
	}
	// In the app's DM the code links the account.
	slashIn(budiDM, "/daftar", code)
	h.dm(0, "tertaut dengan data ASN Anda")
	for _, c := range h.slack.Calls("chat.postMessage") {
		if ch := c.Form.Get("channel"); ch != budiDM {
			t.Errorf("a message went to %s: %q", ch, c.Form.Get("text"))
		}
	}
	for _, c := range h.slack.Calls("chat.postEphemeral") {
		t.Errorf("an ephemeral message went to %s although the command had a response_url: %q", c.Form.Get("channel"), c.Form.Get("text"))
	}
}

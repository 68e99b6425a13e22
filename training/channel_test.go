package training

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

// An ASN linked on two platforms is reached on the one linked or chosen
// last, and only there.
func TestChooseChannel(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		s := fixture(t, db)
		ctx := context.Background()
		at := wib("2026-11-01 10:00")
		link(t, s, nipBudi, at) // Telegram, "tg-<nip>"
		linkSlack(t, s, nipBudi, "D0BUDI", "U0BUDI", at.Add(time.Hour))
		choose := func(from bots.Platform, user string, to bots.Platform, when time.Time) error {
			_, err := storagetest.InTx(db, func(tx *sqlx.Tx) (struct{}, error) {
				return struct{}{}, s.ChooseChannel(ctx, tx, from, user, to, when)
			})
			return err
		}
		// where says where Budi's reminder of ANL-2026-01 (3 Dec) goes a
		// day ahead.
		where := func() string {
			t.Helper()
			ps, err := s.DueReminders(ctx, wib("2026-12-02 09:00"), nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			out := ""
			for _, p := range ps {
				if p.NIP == nipBudi {
					if out != "" {
						t.Fatalf("two reminders for Budi: %+v", ps)
					}
					out = string(p.Out.Platform) + ":" + p.Out.ChatID
				}
			}
			return out
		}
		channel := func() bots.Platform {
			t.Helper()
			l, err := s.Channel(ctx, db, nipBudi)
			if err != nil {
				t.Fatal(err)
			}
			return l.Platform
		}
		if got := where(); got != "slack:D0BUDI" || channel() != bots.Slack {
			t.Errorf("linked last on Slack: reminder to %q, channel %s", got, channel())
		}
		if err := choose(bots.Slack, "U0BUDI", bots.Telegram, at.Add(2*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if got := where(); got != "telegram:tg-"+nipBudi || channel() != bots.Telegram {
			t.Errorf("after choosing Telegram: reminder to %q, channel %s", got, channel())
		}
		// Pausing from the chosen link pauses the other too, and resuming
		// from either resumes the chosen one.
		if err := s.Pause(ctx, db, bots.Telegram, "tg-"+nipBudi); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Channel(ctx, db, nipBudi); where() != "" || !errors.Is(err, ErrNotLinked) {
			t.Errorf("Telegram paused: reminder to %q, channel %v", where(), err)
		}
		if err := s.Resume(ctx, db, bots.Slack, "U0BUDI"); err != nil {
			t.Fatal(err)
		}
		if got := where(); got != "telegram:tg-"+nipBudi || channel() != bots.Telegram {
			t.Errorf("resumed on Slack: reminder to %q, channel %s", got, channel())
		}
		if err := choose(bots.Telegram, "tg-"+nipSiti, bots.Slack, at); !errors.Is(err, ErrNotLinked) {
			t.Errorf("unlinked account chooses: %v", err)
		}
		link(t, s, nipSiti, at)
		if err := choose(bots.Telegram, "tg-"+nipSiti, bots.Slack, at); !errors.Is(err, ErrChannelNotLinked) {
			t.Errorf("Siti chooses Slack without a Slack link: %v", err)
		}
		if msg, ok := UserMessage(ErrChannelNotLinked); !ok || msg == "" {
			t.Error("ErrChannelNotLinked has no reply")
		}
	})
}

// An ASN linked on Telegram and Slack who sends /berhenti where the
// reminders reach them is told "pengingat pelatihan dan undangan survei
// untuk Anda kami hentikan sementara" (handlers.textPaused): no reminder
// goes to their other platform either, nor to Siti, linked too. /lanjut,
// sent from either platform, resumes both.
func TestPauseStopsEveryLinkOfThePerson(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		s := fixture(t, db)
		ctx := context.Background()
		at := wib("2026-11-01 10:00")
		link(t, s, nipBudi, at) // Telegram
		link(t, s, nipSiti, at)
		linkSlack(t, s, nipBudi, "D0BUDI", "U0BUDI", at.Add(time.Hour))
		reminded := func() map[string]string {
			t.Helper()
			ps, err := s.DueReminders(ctx, wib("2026-12-02 09:00"), nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]string{}
			for _, p := range ps {
				out[p.NIP] = string(p.Platform) + ":" + p.ChatID
			}
			return out
		}
		// Budi uses Slack day to day (linked last) and pauses there.
		if err := s.Pause(ctx, db, bots.Slack, "U0BUDI"); err != nil {
			t.Fatal(err)
		}
		if got := reminded(); got[nipBudi] != "" || got[nipSiti] == "" {
			t.Errorf("after Budi's /berhenti on Slack reminders go to %v; want Siti's only", got)
		}
		for _, chat := range []struct {
			platform bots.Platform
			id       string
		}{{bots.Telegram, "tg-" + nipBudi}, {bots.Slack, "D0BUDI"}} {
			if ok, err := s.HoldsFor(ctx, chat.platform, chat.id, condLinked); ok || err != nil {
				t.Errorf("a message waiting for Budi's %s chat holds = %v (%v) after /berhenti", chat.platform, ok, err)
			}
		}
		// He resumes from Telegram: reminders come again, on Slack.
		if err := s.Resume(ctx, db, bots.Telegram, "tg-"+nipBudi); err != nil {
			t.Fatal(err)
		}
		if got := reminded()[nipBudi]; got != "slack:D0BUDI" {
			t.Errorf("after /lanjut on Telegram Budi is reminded on %q; want slack:D0BUDI", got)
		}
		if err := s.Pause(ctx, db, bots.Telegram, "tg-unknown"); !errors.Is(err, ErrNotLinked) {
			t.Errorf("pausing an account not linked: %v", err)
		}
	})
}

// An ASN made inactive (hub asn import with active "tidak", or the web
// admin) gets none of the messages still waiting for them: a reminder
// planned while they were active is not sent, nor is the JP message.
func TestInactiveASNGetsNothingWaiting(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		s := fixture(t, db)
		ctx := context.Background()
		link(t, s, nipBudi, wib("2026-11-01 10:00"))
		ps, err := s.DueReminders(ctx, wib("2026-12-02 09:00"), nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		var reminder Planned
		for _, p := range ps {
			if p.NIP == nipBudi {
				reminder = p
			}
		}
		if reminder.Condition == "" {
			t.Fatalf("no reminder planned for Budi: %+v", ps)
		}
		holds := func() (bool, bool) {
			t.Helper()
			r, err := s.HoldsFor(ctx, reminder.Platform, reminder.ChatID, reminder.Condition)
			if err != nil {
				t.Fatal(err)
			}
			l, err := s.HoldsFor(ctx, reminder.Platform, reminder.ChatID, condLinked)
			if err != nil {
				t.Fatal(err)
			}
			return r, l
		}
		if r, l := holds(); !r || !l {
			t.Fatalf("active Budi: reminder holds %v, JP message holds %v", r, l)
		}
		if _, err := s.ImportASN(ctx, strings.NewReader("nip,name,unit,active\n"+nipBudi+",Budi Santoso,DISKOMINFO,tidak\n"), "nonaktif.csv"); err != nil {
			t.Fatal(err)
		}
		if r, l := holds(); r || l {
			t.Errorf("inactive Budi: reminder holds %v, JP message holds %v; want neither sent", r, l)
		}
	})
}

// An ASN who paused (/berhenti) on Telegram and then links Slack stays
// paused there too, until /lanjut.
func TestLinkWhilePausedStaysPaused(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		s := fixture(t, db)
		ctx := context.Background()
		at := wib("2026-11-01 10:00")
		link(t, s, nipBudi, at)
		if err := s.Pause(ctx, db, bots.Telegram, "tg-"+nipBudi); err != nil {
			t.Fatal(err)
		}
		linkSlack(t, s, nipBudi, "D0BUDI", "U0BUDI", at.Add(time.Hour))
		if l, err := s.LinkFor(ctx, db, bots.Slack, "U0BUDI"); err != nil || !l.Paused {
			t.Errorf("Slack linked while paused: %+v, %v; want paused", l, err)
		}
		if ok, err := s.HoldsFor(ctx, bots.Slack, "D0BUDI", condLinked); ok || err != nil {
			t.Errorf("a message for the Slack link of paused Budi holds = %v (%v)", ok, err)
		}
		ps, err := s.DueReminders(ctx, wib("2026-12-02 09:00"), nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range ps {
			if p.NIP == nipBudi {
				t.Errorf("paused Budi is reminded on %s:%s", p.Platform, p.ChatID)
			}
		}
		if err := s.Resume(ctx, db, bots.Slack, "U0BUDI"); err != nil {
			t.Fatal(err)
		}
		if l, err := s.LinkFor(ctx, db, bots.Slack, "U0BUDI"); err != nil || l.Paused {
			t.Errorf("after /lanjut: %+v, %v", l, err)
		}
	})
}

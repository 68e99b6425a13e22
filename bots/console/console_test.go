package console_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/bots/console"
)

// sink answers like a tiny bot, synchronously through the adapter's
// Sender, and records what it got.
type sink struct {
	mu  sync.Mutex
	a   *console.Adapter
	got []bots.Incoming
}

func (s *sink) Deliver(ctx context.Context, in bots.Incoming) error {
	s.mu.Lock()
	s.got = append(s.got, in)
	s.mu.Unlock()
	switch {
	case in.Kind == bots.Press:
		_, err := s.a.Send(ctx, bots.Outgoing{Platform: bots.Console, ChatID: in.ChatID, Text: "dipilih " + in.Data})
		return err
	case in.Command == "start":
		_, err := s.a.Send(ctx, bots.Outgoing{Platform: bots.Console, ChatID: in.ChatID, Text: "Halo!\nPilih:",
			Buttons: [][]bots.Button{{{Text: "Satu", Data: "d:1"}, {Text: "Dua", Data: "d:2"}}}})
		return err
	default:
		_, err := s.a.Send(ctx, bots.Outgoing{Platform: bots.Console, ChatID: in.ChatID, Text: "teks: " + in.Text})
		return err
	}
}

func TestConsole(t *testing.T) {
	var out strings.Builder
	a := console.New(strings.NewReader("/start@bot ayo\n\n2\n2\n  halo  \n"), &out, console.Config{ChatID: "budi", Prompt: "-"})
	s := &sink{a: a}
	if err := a.Run(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	if len(s.got) != 4 {
		t.Fatalf("delivered %d updates, want 4 (blank lines skipped): %+v", len(s.got), s.got)
	}
	start, press, again, text := s.got[0], s.got[1], s.got[2], s.got[3]
	if start.Command != "start" || start.Args != "ayo" || start.Platform != bots.Console || start.ChatType != bots.Private ||
		start.ChatID != "budi" || start.UserID != "budi" || !start.Addressed {
		t.Errorf("command: %+v", start)
	}
	if press.Kind != bots.Press || press.Data != "d:2" {
		t.Errorf("typing 2 after the buttons: %+v, want a press of d:2", press)
	}
	if again.Kind != bots.Text || again.Text != "2" {
		t.Errorf("typing 2 again, with no buttons shown: %+v, want text", again)
	}
	if text.Text != "halo" {
		t.Errorf("text: %+v", text)
	}
	ids := map[string]bool{}
	for _, in := range s.got {
		if ids[in.UpdateID] {
			t.Errorf("update id %s repeats", in.UpdateID)
		}
		ids[in.UpdateID] = true
	}
	for _, want := range []string{"bot: Halo!\n     Pilih:", "[1] Satu", "[2] Dua", "bot: dipilih d:2", "bot: teks: 2", "bot: teks: halo"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestConsoleSendRefusesOtherPlatforms(t *testing.T) {
	a := console.New(strings.NewReader(""), &strings.Builder{}, console.Config{})
	_, err := a.Send(context.Background(), bots.Outgoing{Platform: bots.Telegram, Text: "x"})
	if ok, _ := bots.Retryable(err); err == nil || ok {
		t.Fatalf("err %v: want a permanent failure", err)
	}
}

// TestConsoleButtonLabel: typing a button's label presses it, as a tap
// does on Telegram (whatever the case and spacing), instead of sending
// the label as a question; only the last message's buttons count.
func TestConsoleButtonLabel(t *testing.T) {
	var out strings.Builder
	a := console.New(strings.NewReader("/start\n  dua \nDua\n"), &out, console.Config{ChatID: "budi", Prompt: "-"})
	s := &sink{a: a}
	if err := a.Run(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	if len(s.got) != 3 {
		t.Fatalf("delivered %d updates, want 3: %+v", len(s.got), s.got)
	}
	if press := s.got[1]; press.Kind != bots.Press || press.Data != "d:2" || press.Text != "" {
		t.Errorf("typing the label \"dua\": %+v, want a press of d:2", press)
	}
	if again := s.got[2]; again.Kind != bots.Text || again.Text != "Dua" {
		t.Errorf("typing the label again, with no buttons shown: %+v, want text", again)
	}
}

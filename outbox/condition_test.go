package outbox_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/outbox"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

// conditions answers for the conditions a test sets; an unknown one is
// an error.
type conditions struct {
	mu    sync.Mutex
	holds map[string]bool
	asked []string
	// to is the addressee each condition was last asked for.
	to map[string]string
}

func (c *conditions) HoldsFor(_ context.Context, platform bots.Platform, chatID, condition string) (bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.asked = append(c.asked, condition)
	if c.to == nil {
		c.to = make(map[string]string)
	}
	c.to[condition] = string(platform) + "/" + chatID
	h, ok := c.holds[condition]
	if !ok {
		return false, errors.New("unknown condition")
	}
	return h, nil
}

func (c *conditions) set(condition string, holds bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.holds[condition] = holds
}

func (c *conditions) askedFor(condition string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, a := range c.asked {
		if a == condition {
			n++
		}
	}
	return n
}

// A message's condition is asked right before each attempt: one whose
// condition stopped holding while it waited for a retry is skipped, not
// sent; one that cannot be checked is tried again later; the others, with
// a condition that holds or with none, go out.
func TestConditionIsCheckedAtEveryAttempt(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		withCond := func(key, chat, cond string) outbox.Message {
			m := msg(key, chat, "Pengingat "+key)
			m.Condition = cond
			return m
		}
		msgs := []outbox.Message{
			withCond("withdrawn", "A", "c:withdrawn"), // fails once, then its condition stops holding
			withCond("kept", "B", "c:kept"),           // fails once, its condition holds
			withCond("unchecked", "C", "c:unchecked"), // its check fails once
			msg("plain", "A", "no condition"),         // behind "withdrawn" in chat A
		}
		if _, err := outbox.Enqueue(ctx, db, msgs...); err != nil {
			t.Fatal(err)
		}
		if r := get(t, db, "kept"); r.Condition != "c:kept" {
			t.Fatalf("the stored condition is %q", r.Condition)
		}
		conds := &conditions{holds: map[string]bool{"c:withdrawn": true, "c:kept": true, "c:unchecked": true}}
		clk := newClock()
		s := &fakeSender{script: func(call int, out bots.Outgoing) error {
			if out.ChatID != "C" && call <= 2 {
				return &bots.SendError{Temporary: true, Err: errors.New("502 Bad Gateway")}
			}
			return nil
		}}
		d, _ := newDispatcher(db, clk, s)
		// The check of chat C's message fails (the database is down): it
		// is tried again after the backoff, not sent. A and B fail at
		// the API.
		d.Conditions = &failingFor{conditions: conds, cond: "c:unchecked"}
		drain(t, d)
		for _, k := range []string{"withdrawn", "kept", "unchecked"} {
			if r := get(t, db, k); r.Status != outbox.Pending || r.Attempts != 1 || r.LastError == "" {
				t.Fatalf("%s after its first attempt: %+v; want pending, 1 attempt, an error", k, r)
			}
		}
		if r := get(t, db, "unchecked"); !strings.Contains(r.LastError, "condition") {
			t.Errorf("unchecked's error %q does not say the condition could not be checked", r.LastError)
		}
		if s.Calls() != 2 {
			t.Fatalf("%d sends, want 2 (A and B; C's condition could not be checked)", s.Calls())
		}

		// While they wait, the change that makes "withdrawn" wrong.
		conds.set("c:withdrawn", false)
		d.Conditions = conds
		clk.Advance(time.Minute)
		drain(t, d)
		want := map[string]outbox.Status{"withdrawn": outbox.Skipped, "kept": outbox.Sent, "unchecked": outbox.Sent, "plain": outbox.Sent}
		for k, st := range want {
			if r := get(t, db, k); r.Status != st {
				t.Errorf("%s is %s, want %s (%+v)", k, r.Status, st, r)
			}
		}
		if r := get(t, db, "withdrawn"); !strings.Contains(r.LastError, "condition no longer holds") {
			t.Errorf("withdrawn's error %q does not say why it was skipped", r.LastError)
		}
		var texts []string
		for _, o := range s.Sent() {
			texts = append(texts, o.Text)
		}
		if strings.Contains(strings.Join(texts, "|"), "Pengingat withdrawn") || len(texts) != 3 {
			t.Errorf("delivered %q; want kept, unchecked and plain", texts)
		}
		if n := conds.askedFor("c:withdrawn"); n != 2 {
			t.Errorf("withdrawn's condition asked %d times, want once per attempt, 2", n)
		}
		// The checker is told whom the message is for: whether that chat
		// is still the person's is part of the condition.
		conds.mu.Lock()
		to := conds.to["c:kept"]
		conds.mu.Unlock()
		if to != "telegram/B" {
			t.Errorf("the condition of the message to chat B was asked for %q", to)
		}
	})
}

// failingFor fails the check of one condition and answers the others.
type failingFor struct {
	*conditions
	cond string
}

func (f *failingFor) HoldsFor(ctx context.Context, platform bots.Platform, chatID, condition string) (bool, error) {
	if condition == f.cond {
		return false, errors.New("connection refused")
	}
	return f.conditions.HoldsFor(ctx, platform, chatID, condition)
}

// A dispatcher without Conditions does not send a message that has a
// condition: it fails it, visibly, and sends the others.
func TestConditionWithoutConditionsFails(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		m := msg("cond", "A", "Pengingat")
		m.Condition = "c:1"
		if _, err := outbox.Enqueue(ctx, db, m, msg("plain", "B", "Halo")); err != nil {
			t.Fatal(err)
		}
		s := &fakeSender{}
		d, logs := newDispatcher(db, newClock(), s)
		drain(t, d)
		if r := get(t, db, "cond"); r.Status != outbox.Failed || !strings.Contains(r.LastError, "Conditions") {
			t.Errorf("cond = %+v; want failed for want of Conditions", r)
		}
		if r := get(t, db, "plain"); r.Status != outbox.Sent {
			t.Errorf("plain = %s, want sent", r.Status)
		}
		if s.Calls() != 1 || !strings.Contains(logs.String(), "level=WARN") {
			t.Errorf("%d sends, logs:\n%s", s.Calls(), logs.String())
		}
	})
}

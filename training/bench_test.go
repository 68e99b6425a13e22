package training

import (
	"github.com/jmoiron/sqlx"

	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tebingtinggi/hub/outbox"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

// world10k builds 100 sessions × 100 linked ASN = 10,000 enrolments, every
// one due for its 2-hour reminder at the returned time (with a 2-hour
// window).
func world10k(b *testing.B, db *storage.DB) (*Store, time.Time) {
	b.Helper()
	ctx := context.Background()
	s := New(db, Options{})
	if _, err := s.ImportUnits(ctx, strings.NewReader("code,name\nDISKOMINFO,Dinas Komunikasi dan Informatika\n"), "u.csv"); err != nil {
		b.Fatal(err)
	}
	var asn, enr, sess strings.Builder
	asn.WriteString("nip,name,unit\n")
	enr.WriteString("session,nip\n")
	sess.WriteString("code,training,start,end,place\n")
	base := wib("2026-12-03 09:00")
	nips := make([]string, 100)
	for i := range nips {
		nips[i] = fmt.Sprintf("198001012005011%03d", i+1)
		fmt.Fprintf(&asn, "%s,ASN %d,DISKOMINFO\n", nips[i], i+1)
	}
	for j := 0; j < 100; j++ {
		start := base.Add(time.Duration(j) * time.Minute)
		fmt.Fprintf(&sess, "S%03d,T1,%s,%s,Aula\n", j, start.Format(time.RFC3339), start.Add(3*time.Hour).Format(time.RFC3339))
		for _, n := range nips {
			fmt.Fprintf(&enr, "S%03d,%s\n", j, n)
		}
	}
	steps := []func() error{
		func() error { _, err := s.ImportASN(ctx, strings.NewReader(asn.String()), "asn.csv"); return err },
		func() error {
			_, err := s.ImportTrainings(ctx, strings.NewReader("code,title,competency,hours,provider\nT1,Literasi Digital,data,8,LAN\n"), "t.csv")
			return err
		},
		func() error { _, err := s.ImportSessions(ctx, strings.NewReader(sess.String()), "s.csv"); return err },
		func() error { _, err := s.ImportEnrolments(ctx, strings.NewReader(enr.String()), "e.csv"); return err },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			b.Fatal(err)
		}
	}
	now := base.Add(-90 * time.Minute)
	for _, n := range nips {
		code, err := s.IssueLinkCode(ctx, n, now)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := storagetest.InTx(db, func(tx *sqlx.Tx) (ASN, error) { return s.Redeem(ctx, tx, code, "telegram", "chat-"+n, "user-"+n, now) }); err != nil {
			b.Fatal(err)
		}
	}
	return s, now
}

// BenchmarkPlanReminders10k plans the reminders of 10,000 enrolments (the
// issue's target: ≤ 2 s on both backends).
func BenchmarkPlanReminders10k(b *testing.B) {
	for _, d := range storagetest.Backends {
		b.Run(string(d), func(b *testing.B) {
			s, now := world10k(b, storagetest.Open(b, d))
			ctx := context.Background()
			b.ResetTimer()
			for b.Loop() {
				ps, err := s.DueReminders(ctx, now, nil, 2*time.Hour)
				if err != nil {
					b.Fatal(err)
				}
				if len(ps) != 10_000 {
					b.Fatalf("planned %d, want 10000", len(ps))
				}
			}
		})
	}
}

// BenchmarkPlanAndEnqueueReminders10k plans the reminders of 10,000
// enrolments and writes them to an empty outbox.
func BenchmarkPlanAndEnqueueReminders10k(b *testing.B) {
	for _, d := range storagetest.Backends {
		b.Run(string(d), func(b *testing.B) {
			db := storagetest.Open(b, d)
			s, now := world10k(b, db)
			ctx := context.Background()
			b.ResetTimer()
			for b.Loop() {
				b.StopTimer()
				if _, err := db.ExecContext(context.Background(), `DELETE FROM outbox`); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				ps, err := s.DueReminders(ctx, now, nil, 2*time.Hour)
				if err != nil {
					b.Fatal(err)
				}
				msgs := make([]outbox.Message, len(ps))
				for i, p := range ps {
					msgs[i] = outbox.Message{Key: p.Key, Out: p.Out, NotBefore: p.NotBefore, ExpiresAt: p.ExpiresAt}
				}
				n, err := outbox.Enqueue(ctx, db, msgs...)
				if err != nil || n != 10_000 {
					b.Fatalf("enqueued %d: %v", n, err)
				}
			}
		})
	}
}

package storage

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/lib/pq"
)

// appendPGTime writes exactly what lib/pq would send.
func TestAppendPGTimeMatchesLibPQ(t *testing.T) {
	check := func(tm time.Time) {
		t.Helper()
		if got, want := string(appendPGTime(nil, tm)), string(pq.FormatTimestamp(tm)); got != want {
			t.Fatalf("appendPGTime(%s) = %q, lib/pq %q", tm.Format(time.RFC3339Nano), got, want)
		}
	}
	for _, tm := range []time.Time{
		time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(2026, 11, 27, 9, 5, 3, 0, time.UTC),
		time.Date(2026, 11, 27, 9, 5, 3, 100, time.UTC),
		time.Date(2026, 11, 27, 9, 5, 3, 120000000, time.UTC),
		time.Date(2026, 11, 27, 9, 5, 3, 1, time.UTC),
		time.Date(999, 2, 3, 4, 5, 6, 7000, time.UTC),
	} {
		check(tm)
	}
	r := rand.New(rand.NewPCG(1, 2))
	lo := time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	hi := time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC).Unix()
	for range 100000 {
		ns := r.Int64N(1_000_000_000)
		switch r.IntN(3) { // microseconds, as PostgreSQL stores, are common
		case 0:
			ns -= ns % 1000
		case 1:
			ns = 0
		}
		check(time.Unix(lo+r.Int64N(hi-lo), ns).UTC())
	}
}

func FuzzAppendPGTime(f *testing.F) {
	f.Add(int64(1795000000), int64(123456789))
	f.Fuzz(func(t *testing.T, sec, ns int64) {
		tm := time.Unix(sec, ns).UTC()
		if tm.Year() < 1 || tm.Year() > 9999 {
			return
		}
		if got, want := string(appendPGTime(nil, tm)), string(pq.FormatTimestamp(tm)); got != want {
			t.Fatalf("appendPGTime(%s) = %q, lib/pq %q", tm.Format(time.RFC3339Nano), got, want)
		}
	})
}

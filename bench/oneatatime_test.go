package bench

import (
	"slices"
	"testing"
	"time"

	"github.com/tebingtinggi/hub/bots/telegram"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

// BenchmarkWebhookOneAtATime sends webhook updates one at a time, each
// after the previous one's reply reached the fake Bot API, and reports
// what one update costs: CPU time and heap allocations (with and without
// the fake's share), database round trips, and the p50/p99 time from the
// POST to the reply. With nothing queued these figures depend far less on
// what else the machine runs than BenchmarkWebhookEndToEnd's, so two
// commits compare well even on a busy machine.
func BenchmarkWebhookOneAtATime(b *testing.B) {
	for _, d := range storagetest.Backends {
		b.Run(string(d), func(b *testing.B) {
			fast := telegram.Limits{
				Global:  telegram.Rate{Events: 100000, Per: time.Second},
				PerChat: telegram.Rate{Events: 1000, Per: time.Second},
			}
			h := newWebhookHub(b, d, fast, nil)
			client, err := newPoster(h.web.URL, 1)
			if err != nil {
				b.Fatal(err)
			}
			defer client.close()
			chat := int64(3_000_000)
			one := func() time.Duration {
				h.srv.Reset()
				req := client.request(update(chat, h.questions[int(chat)%len(h.questions)]))
				chat++
				start := time.Now()
				if err := client.post(req); err != nil {
					b.Fatal(err)
				}
				h.srv.WaitSent(b, 1, 10*time.Second)
				return time.Since(start)
			}
			for range 300 { // connections, caches, prepared statements
				one()
			}
			const n = 2000
			var lat []time.Duration
			for b.Loop() {
				lat = make([]time.Duration, n)
				cpu0, allocs0, calls0 := cpuTime(), mallocs(), h.db.Calls()
				for i := range lat {
					lat[i] = one()
				}
				cpu, allocs := (cpuTime()-cpu0)/n, (mallocs()-allocs0)/n
				calls := float64(h.db.Calls()-calls0) / n
				fakeCPU, fakeAllocs := h.fakeShare()
				b.ReportMetric(float64(cpu.Microseconds()), "cpu-µs/update")
				b.ReportMetric(float64((cpu - fakeCPU).Microseconds()), "hub-cpu-µs/update")
				b.ReportMetric(float64(allocs), "allocs/update")
				b.ReportMetric(float64(allocs)-float64(fakeAllocs), "hub-allocs/update")
				b.ReportMetric(calls, "db-round-trips/update")
			}
			slices.Sort(lat)
			b.ReportMetric(float64(lat[n/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(lat[n*99/100].Microseconds())/1000, "p99-ms")
		})
	}
}

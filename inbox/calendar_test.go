package inbox_test

import (
	"strings"
	"testing"
	"time"

	"github.com/tebingtinggi/hub/inbox"
)

// wib builds a time in Jakarta. 27 November 2026 is a Friday.
func wib(month time.Month, day, hour, minute int) time.Time {
	return time.Date(2026, month, day, hour, minute, 0, 0, inbox.Jakarta())
}

func TestJakartaIsTheRealZone(t *testing.T) {
	if got := inbox.Jakarta().String(); got != "Asia/Jakarta" {
		t.Errorf("Jakarta() = %s; the embedded tzdata should provide Asia/Jakarta", got)
	}
}

func TestCalendarOpenAndNextOpen(t *testing.T) {
	cal := inbox.DefaultCalendar()
	withHoliday := inbox.DefaultCalendar()
	withHoliday.Holidays = map[string]bool{"2026-11-30": true}
	cases := []struct {
		name string
		cal  inbox.Calendar
		at   time.Time
		open bool
		next time.Time
	}{
		{"friday morning", cal, wib(11, 27, 10, 0), true, wib(11, 27, 10, 0)},
		{"friday at opening", cal, wib(11, 27, 8, 0), true, wib(11, 27, 8, 0)},
		{"friday at closing", cal, wib(11, 27, 16, 0), false, wib(11, 30, 8, 0)},
		{"friday evening to monday morning", cal, wib(11, 27, 17, 30), false, wib(11, 30, 8, 0)},
		{"saturday", cal, wib(11, 28, 11, 0), false, wib(11, 30, 8, 0)},
		{"monday before opening", cal, wib(11, 30, 6, 15), false, wib(11, 30, 8, 0)},
		{"holiday monday skipped", withHoliday, wib(11, 27, 17, 30), false, wib(12, 1, 8, 0)},
		{"on the holiday itself", withHoliday, wib(11, 30, 10, 0), false, wib(12, 1, 8, 0)},
		// 01:00 UTC is 08:00 WIB.
		{"given in UTC", cal, time.Date(2026, 11, 30, 1, 0, 0, 0, time.UTC), true, wib(11, 30, 8, 0)},
		{"no hours is always open", inbox.Calendar{}, wib(11, 28, 3, 0), true, wib(11, 28, 3, 0)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.cal.Open(c.at); got != c.open {
				t.Errorf("Open(%s) = %v, want %v", c.at, got, c.open)
			}
			if got := c.cal.NextOpen(c.at); !got.Equal(c.next) {
				t.Errorf("NextOpen(%s) = %s, want %s", c.at, got, c.next)
			}
		})
	}
}

func TestAddWorkingTime(t *testing.T) {
	cal := inbox.DefaultCalendar()
	holiday := inbox.DefaultCalendar()
	holiday.Holidays = map[string]bool{"2026-11-30": true}
	split := inbox.DefaultCalendar()
	hours, err := inbox.ParseHours("mon-thu 08:00-16:00; fri 08:00-11:30, 13:30-16:30")
	if err != nil {
		t.Fatal(err)
	}
	split.Hours = hours
	cases := []struct {
		name string
		cal  inbox.Calendar
		from time.Time
		d    time.Duration
		want time.Time
	}{
		{"within one day", cal, wib(11, 30, 8, 0), 8 * time.Hour, wib(11, 30, 16, 0)},
		{"over a night", cal, wib(11, 26, 15, 0), 8 * time.Hour, wib(11, 27, 15, 0)},
		{"across a weekend", cal, wib(11, 27, 14, 0), 8 * time.Hour, wib(11, 30, 14, 0)},
		{"from a saturday", cal, wib(11, 28, 10, 0), 8 * time.Hour, wib(11, 30, 16, 0)},
		{"from friday evening", cal, wib(11, 27, 20, 0), time.Hour, wib(11, 30, 9, 0)},
		{"holiday skipped", holiday, wib(11, 27, 14, 0), 8 * time.Hour, wib(12, 1, 14, 0)},
		{"lunch break on friday", split, wib(11, 27, 11, 0), time.Hour, wib(11, 27, 14, 0)},
		{"two working days", cal, wib(11, 27, 12, 0), 16 * time.Hour, wib(12, 1, 12, 0)},
		{"zero", cal, wib(11, 28, 10, 0), 0, wib(11, 28, 10, 0)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.cal.AddWorkingTime(c.from, c.d); !got.Equal(c.want) {
				t.Errorf("AddWorkingTime(%s, %s) = %s, want %s", c.from, c.d, got.In(inbox.Jakarta()), c.want)
			}
		})
	}
}

func TestDescribe(t *testing.T) {
	cal := inbox.DefaultCalendar()
	cal.Holidays = map[string]bool{"2027-01-01": true}
	cases := []struct {
		at   time.Time
		want string
	}{
		{wib(11, 27, 10, 0), "Petugas kami akan membalas secepatnya pada jam layanan ini."},
		{wib(11, 27, 17, 30), "Saat ini di luar jam layanan. Petugas akan membalas mulai Senin, 30 November pukul 08.00 WIB."},
		{wib(11, 30, 6, 0), "Saat ini di luar jam layanan. Petugas akan membalas mulai hari ini pukul 08.00 WIB."},
		{wib(11, 26, 20, 0), "Saat ini di luar jam layanan. Petugas akan membalas mulai besok, Jumat, 27 November pukul 08.00 WIB."},
		{wib(12, 31, 16, 5), "Saat ini di luar jam layanan. Petugas akan membalas mulai Senin, 4 Januari 2027 pukul 08.00 WIB."},
	}
	for _, c := range cases {
		if got := cal.Describe(c.at); got != c.want {
			t.Errorf("Describe(%s)\n got %q\nwant %q", c.at, got, c.want)
		}
	}
	// Without tzdata the fixed zone is still called WIB.
	fixed := inbox.DefaultCalendar()
	fixed.Location = time.FixedZone("", 7*3600)
	if got := fixed.Describe(wib(11, 27, 17, 30)); !strings.HasSuffix(got, "pukul 08.00 WIB.") {
		t.Errorf("Describe with a nameless +7 zone = %q", got)
	}
}

func TestParseHours(t *testing.T) {
	h, err := inbox.ParseHours("mon-thu 08:00-16:00; fri 08:00-11:30, 13:30-16.30")
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != 5 || len(h[time.Monday]) != 1 || len(h[time.Friday]) != 2 || h[time.Saturday] != nil {
		t.Fatalf("ParseHours = %v", h)
	}
	if got := h[time.Friday][1]; got != (inbox.Span{Start: 13*time.Hour + 30*time.Minute, End: 16*time.Hour + 30*time.Minute}) {
		t.Errorf("friday afternoon = %v", got)
	}
	h, err = inbox.ParseHours("Senin-Jumat 07:30-15:00\nsab 08:00-12:00")
	if err != nil || len(h) != 6 || h[time.Saturday][0].End != 12*time.Hour {
		t.Errorf("Indonesian day names: %v, %v", h, err)
	}
	h, err = inbox.ParseHours("sat-sun 00:00-24:00")
	if err != nil || len(h) != 2 || h[time.Sunday][0].End != 24*time.Hour {
		t.Errorf("weekend around the clock: %v, %v", h, err)
	}

	bad := []struct{ in, want string }{
		{"", "name no days"},
		{"fry 08:00-16:00", `unknown day "fry"`},
		{"mon-fry 08:00-16:00", `unknown day "fry"`},
		{"mon", "want days then times"},
		{"mon 8-16", `bad time "8"`},
		{"mon 08:00", `time range "08:00"`},
		{"mon 25:00-26:00", `bad time "25:00"`},
		{"mon 08:60-09:00", `bad time "08:60"`},
		{"mon 16:00-08:00", "ends before it starts"},
		{"mon 08:00-12:00, 11:00-13:00", "overlapping times 08:00-12:00 and 11:00-13:00"},
		{"mon-fri 08:00-16:00; fri 15:00-17:00", "fri has overlapping times"},
	}
	for _, c := range bad {
		_, err := inbox.ParseHours(c.in)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ParseHours(%q) error = %v, want it to mention %q", c.in, err, c.want)
		}
	}
}

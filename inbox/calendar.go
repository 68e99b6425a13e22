package inbox

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // Asia/Jakarta must resolve even on hosts without tzdata
)

// Span is one stretch of service hours within a day, as durations since
// midnight: Span{8 * time.Hour, 16 * time.Hour} is 08:00–16:00.
type Span struct {
	Start, End time.Duration
}

// Calendar says when officers are on duty: the weekly service hours in
// Location, minus holidays. A Calendar without any Hours is open around the
// clock.
type Calendar struct {
	// Location is the business time zone (Asia/Jakarta, WIB, when nil).
	Location *time.Location
	// Hours are the service hours per weekday; a day without spans is
	// closed.
	Hours map[time.Weekday][]Span
	// Holidays are closed dates in Location, keyed "2026-12-25".
	Holidays map[string]bool
}

var (
	wibOnce sync.Once
	wib     *time.Location
)

// Jakarta returns Asia/Jakarta (WIB, UTC+7), or a fixed UTC+7 zone named
// WIB should the time zone database be unusable.
func Jakarta() *time.Location {
	wibOnce.Do(func() {
		loc, err := time.LoadLocation("Asia/Jakarta")
		if err != nil {
			loc = time.FixedZone("WIB", 7*3600)
		}
		wib = loc
	})
	return wib
}

// DefaultCalendar is Monday to Friday, 08:00–16:00 WIB, without holidays
// (those come from the settings, see package settings).
func DefaultCalendar() Calendar {
	day := []Span{{8 * time.Hour, 16 * time.Hour}}
	return Calendar{
		Location: Jakarta(),
		Hours: map[time.Weekday][]Span{
			time.Monday: day, time.Tuesday: day, time.Wednesday: day,
			time.Thursday: day, time.Friday: day,
		},
		Holidays: map[string]bool{},
	}
}

func (c Calendar) loc() *time.Location {
	if c.Location != nil {
		return c.Location
	}
	return Jakarta()
}

// alwaysOpen reports whether the calendar has no service hours at all.
func (c Calendar) alwaysOpen() bool {
	for _, spans := range c.Hours {
		if len(spans) > 0 {
			return false
		}
	}
	return true
}

// spans returns the service hours of the day starting at midnight (in the
// calendar's location), sorted; none on holidays.
func (c Calendar) spans(midnight time.Time) []Span {
	if c.Holidays[midnight.Format(time.DateOnly)] {
		return nil
	}
	s := append([]Span(nil), c.Hours[midnight.Weekday()]...)
	sort.Slice(s, func(i, j int) bool { return s[i].Start < s[j].Start })
	return s
}

func midnightOf(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, t.Location())
}

// searchDays bounds how far ahead NextOpen looks for service hours.
const searchDays = 400

// Open reports whether t falls within service hours.
func (c Calendar) Open(t time.Time) bool {
	if c.alwaysOpen() {
		return true
	}
	lt := t.In(c.loc())
	day := midnightOf(lt)
	for _, sp := range c.spans(day) {
		if !lt.Before(day.Add(sp.Start)) && lt.Before(day.Add(sp.End)) {
			return true
		}
	}
	return false
}

// openSpan returns the start and end of the first service span that ends
// after t (start may be before t when t is within it). ok is false when no
// service hours come within a year.
func (c Calendar) openSpan(t time.Time) (start, end time.Time, ok bool) {
	lt := t.In(c.loc())
	first := midnightOf(lt)
	for i := range searchDays {
		day := time.Date(first.Year(), first.Month(), first.Day()+i, 0, 0, 0, 0, first.Location())
		for _, sp := range c.spans(day) {
			if e := day.Add(sp.End); e.After(lt) {
				return day.Add(sp.Start), e, true
			}
		}
	}
	return time.Time{}, time.Time{}, false
}

// NextOpen returns t when it is within service hours, else the moment
// service next opens (in the calendar's location). A calendar that never
// opens within a year is treated as open.
func (c Calendar) NextOpen(t time.Time) time.Time {
	if c.alwaysOpen() {
		return t
	}
	start, _, ok := c.openSpan(t)
	if !ok || !start.After(t) {
		return t.In(c.loc())
	}
	return start
}

// AddWorkingTime returns the moment d of service hours after t: the SLA
// due time of a ticket created at t. Nights, closed days and holidays do
// not count.
func (c Calendar) AddWorkingTime(t time.Time, d time.Duration) time.Time {
	if d <= 0 {
		return t
	}
	if c.alwaysOpen() {
		return t.Add(d)
	}
	cur := t
	for range searchDays * 48 {
		start, end, ok := c.openSpan(cur)
		if !ok {
			return cur.Add(d)
		}
		if start.After(cur) {
			cur = start
		}
		if left := end.Sub(cur); d <= left {
			return cur.Add(d)
		} else {
			d -= left
		}
		cur = end
	}
	return cur.Add(d)
}

var (
	hariNames  = [...]string{"Minggu", "Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu"}
	bulanNames = [...]string{"Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober", "November", "Desember"}
)

// Describe tells a citizen, in Indonesian, when an officer will reply to a
// question handed over at t.
func (c Calendar) Describe(t time.Time) string {
	if c.Open(t) {
		return "Petugas kami akan membalas secepatnya pada jam layanan ini."
	}
	lt := t.In(c.loc())
	next := c.NextOpen(t).In(c.loc())
	var when string
	switch days := dayDiff(lt, next); {
	case days == 0:
		when = "hari ini"
	case days == 1:
		when = "besok, " + tanggal(next, lt.Year())
	default:
		when = tanggal(next, lt.Year())
	}
	return fmt.Sprintf("Saat ini di luar jam layanan. Petugas akan membalas mulai %s pukul %02d.%02d %s.",
		when, next.Hour(), next.Minute(), zoneName(next))
}

// dayDiff counts calendar days from a to b (both in the same location).
func dayDiff(a, b time.Time) int {
	ya, ma, da := a.Date()
	yb, mb, db := b.Date()
	ua := time.Date(ya, ma, da, 0, 0, 0, 0, time.UTC)
	ub := time.Date(yb, mb, db, 0, 0, 0, 0, time.UTC)
	return int(ub.Sub(ua) / (24 * time.Hour))
}

// tanggal writes "Senin, 30 November", adding the year when it is not
// thisYear.
func tanggal(t time.Time, thisYear int) string {
	s := fmt.Sprintf("%s, %d %s", hariNames[t.Weekday()], t.Day(), bulanNames[t.Month()-1])
	if t.Year() != thisYear {
		s += " " + strconv.Itoa(t.Year())
	}
	return s
}

// zoneName is the zone's abbreviation, with Indonesia's zones named even
// when the abbreviation is numeric.
func zoneName(t time.Time) string {
	name, offset := t.Zone()
	if name != "" && name[0] != '+' && name[0] != '-' {
		return name
	}
	switch offset {
	case 7 * 3600:
		return "WIB"
	case 8 * 3600:
		return "WITA"
	case 9 * 3600:
		return "WIT"
	}
	h, m := offset/3600, (offset%3600)/60
	if m < 0 {
		m = -m
	}
	if m == 0 {
		return fmt.Sprintf("UTC%+d", h)
	}
	return fmt.Sprintf("UTC%+d:%02d", h, m)
}

var dayNames = map[string]time.Weekday{
	"sun": time.Sunday, "sunday": time.Sunday, "min": time.Sunday, "minggu": time.Sunday, "ahad": time.Sunday,
	"mon": time.Monday, "monday": time.Monday, "sen": time.Monday, "senin": time.Monday,
	"tue": time.Tuesday, "tuesday": time.Tuesday, "sel": time.Tuesday, "selasa": time.Tuesday,
	"wed": time.Wednesday, "wednesday": time.Wednesday, "rab": time.Wednesday, "rabu": time.Wednesday,
	"thu": time.Thursday, "thursday": time.Thursday, "kam": time.Thursday, "kamis": time.Thursday,
	"fri": time.Friday, "friday": time.Friday, "jum": time.Friday, "jumat": time.Friday, "jum'at": time.Friday,
	"sat": time.Saturday, "saturday": time.Saturday, "sab": time.Saturday, "sabtu": time.Saturday,
}

// ErrOverlappingHours is ParseHours refusing two spans of a day that
// overlap.
var ErrOverlappingHours = errors.New("overlapping times")

// ParseHours parses weekly service hours such as
// "mon-thu 08:00-16:00; fri 08:00-11:30, 13:30-16:30". Entries are separated
// by semicolons (or new lines); each names days (a day, a range "mon-thu"
// or a list "mon,wed") and then one or more comma-separated time ranges.
// Days may be English or Indonesian ("sen-kam"); times may use a dot
// ("08.00"); "24:00" ends a day. Spans of a day must not overlap.
func ParseHours(s string) (map[time.Weekday][]Span, error) {
	hours := map[time.Weekday][]Span{}
	entries := strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == '\n' })
	for _, raw := range entries {
		entry := strings.TrimSpace(raw)
		if entry == "" {
			continue
		}
		daysPart, timesPart, ok := strings.Cut(entry, " ")
		if !ok || strings.TrimSpace(timesPart) == "" {
			return nil, fmt.Errorf("inbox: service hours entry %q: want days then times, e.g. \"mon-fri 08:00-16:00\"", entry)
		}
		days, err := parseDays(daysPart)
		if err != nil {
			return nil, fmt.Errorf("inbox: service hours entry %q: %w", entry, err)
		}
		for _, rng := range strings.Split(timesPart, ",") {
			sp, err := parseSpan(strings.TrimSpace(rng))
			if err != nil {
				return nil, fmt.Errorf("inbox: service hours entry %q: %w", entry, err)
			}
			for _, d := range days {
				hours[d] = append(hours[d], sp)
			}
		}
	}
	if len(hours) == 0 {
		return nil, fmt.Errorf("inbox: service hours %q name no days", s)
	}
	for d, spans := range hours {
		sort.Slice(spans, func(i, j int) bool { return spans[i].Start < spans[j].Start })
		for i := 1; i < len(spans); i++ {
			if spans[i].Start < spans[i-1].End {
				return nil, fmt.Errorf("inbox: service hours %q: %s has %w %s and %s",
					s, strings.ToLower(d.String()[:3]), ErrOverlappingHours, formatSpan(spans[i-1]), formatSpan(spans[i]))
			}
		}
	}
	return hours, nil
}

func parseDays(s string) ([]time.Weekday, error) {
	var out []time.Weekday
	for _, part := range strings.Split(s, ",") {
		part = strings.ToLower(strings.TrimSpace(part))
		from, to, isRange := strings.Cut(part, "-")
		first, ok := dayNames[from]
		if !ok {
			return nil, fmt.Errorf("unknown day %q", from)
		}
		if !isRange {
			out = append(out, first)
			continue
		}
		last, ok := dayNames[to]
		if !ok {
			return nil, fmt.Errorf("unknown day %q", to)
		}
		for d := first; ; d = (d + 1) % 7 {
			out = append(out, d)
			if d == last {
				break
			}
		}
	}
	return out, nil
}

func parseSpan(s string) (Span, error) {
	from, to, ok := strings.Cut(s, "-")
	if !ok {
		return Span{}, fmt.Errorf("time range %q: want HH:MM-HH:MM", s)
	}
	start, err := parseClock(strings.TrimSpace(from))
	if err != nil {
		return Span{}, fmt.Errorf("time range %q: %w", s, err)
	}
	end, err := parseClock(strings.TrimSpace(to))
	if err != nil {
		return Span{}, fmt.Errorf("time range %q: %w", s, err)
	}
	if start >= end {
		return Span{}, fmt.Errorf("time range %q ends before it starts", s)
	}
	return Span{start, end}, nil
}

func parseClock(s string) (time.Duration, error) {
	hh, mm, ok := strings.Cut(strings.ReplaceAll(s, ".", ":"), ":")
	h, errH := strconv.Atoi(hh)
	m, errM := strconv.Atoi(mm)
	if !ok || errH != nil || errM != nil || len(mm) != 2 || h < 0 || m < 0 || m > 59 || h > 24 || (h == 24 && m != 0) {
		return 0, fmt.Errorf("bad time %q: want HH:MM between 00:00 and 24:00", s)
	}
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute, nil
}

func formatSpan(sp Span) string {
	f := func(d time.Duration) string { return fmt.Sprintf("%02d:%02d", int(d.Hours()), int(d.Minutes())%60) }
	return f(sp.Start) + "-" + f(sp.End)
}

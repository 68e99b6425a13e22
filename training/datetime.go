package training

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Dates and times typed by people reach the hub from CSV files that an
// officer filled in or that a spreadsheet re-saved, from the session form
// and from the command line. Excel and LibreOffice set to Indonesian save
// the template's "2026-12-03 09:00" as "03/12/2026 9:00",
// "3/12/2026 09.00", "03-12-2026 09:00:00" or "03/12/2026", so those are
// read too. Indonesian dates are day/month/year: a date is never read as
// month/day, and a date that does not exist or whose year is not written
// in full is refused rather than guessed. The hub writes times with the
// weekday first ("Kamis, 3 Desember 2026 pukul 09.00 WIB", FormatWIB), and
// officers copy them back, so a weekday name may lead; one that does not
// fit the date is refused, since either may be the mistake.

// timeExamples and dateExamples end the errors of ParseTime and ParseDate.
const (
	timeExamples = `tulis hari/bulan/tahun lalu jam, misalnya "03/12/2026 09.00", "3 Desember 2026 09:00" atau "2026-12-03 09:00" ` +
		`(dengan selisih zona: "2026-12-03T09:00:00+07:00")`
	dateExamples = `tulis hari/bulan/tahun, misalnya "14/03/2026", "14 Maret 2026" atau "2026-03-14"`
)

// Years outside these are refused by the parsers: every accepted time
// can then be written back with a four-digit year and read again.
const (
	minParsedYear = 1000
	maxParsedYear = 9999
)

// ParseTime reads a time in loc: the date as day/month/year with "/", "-"
// or "." between ("03/12/2026", "3-12-2026", "3.12.2026"), with the month
// as an Indonesian name ("3 Desember 2026", "3 Des 2026", "3-Des-2026"),
// or year first ("2026-12-03"), optionally after the weekday ("Kamis, 3
// Desember 2026", which must be that date's weekday); then, after a space (or "pukul", or a "T"
// after a numeric date), the time with ":" or "." ("9:00", "09.00",
// "09:00:00"), optionally followed by WIB, WITA or WIT, which then
// replaces loc. A date alone is midnight. RFC 3339 with its own offset
// ("2026-12-03T09:00:00+07:00") is read too. The result is in UTC.
func ParseTime(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		switch y := t.In(loc).Year(); {
		case t.Nanosecond() != 0:
			return time.Time{}, fmt.Errorf("waktu %q: tulis detik tanpa pecahan; %s", s, timeExamples)
		case y < minParsedYear || y > maxParsedYear:
			return time.Time{}, fmt.Errorf("waktu %q: tahun %d tidak mungkin; %s", s, y, timeExamples)
		}
		return t.UTC(), nil
	}
	w, loc, problem := readTime(s, loc)
	if problem != "" {
		return time.Time{}, fmt.Errorf("waktu %q: %s; %s", s, problem, timeExamples)
	}
	return time.Date(w.year, w.month, w.day, w.hour, w.min, w.sec, 0, loc).UTC(), nil
}

// parseClockTime reads a time as ParseTime does, but refuses a date
// without a time of day: a session's start or end from a spreadsheet
// cell formatted as a date alone ("07/12/2026") has lost its hour, and
// read as midnight it would remind people at night of a training
// "pukul 00.00".
func parseClockTime(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if _, err := time.Parse(time.RFC3339, s); err == nil {
		return ParseTime(s, loc)
	}
	w, _, problem := readTime(s, loc)
	if problem == "" && !w.clock {
		return time.Time{}, fmt.Errorf("waktu %q: jamnya tidak ada, hanya tanggal; "+
			"tulis tanggal dan jam, misalnya \"03/12/2026 09.00\" (bila kolom di lembar kerja diformat sebagai tanggal saja, ubah formatnya agar jam ikut tersimpan)", s)
	}
	return ParseTime(s, loc)
}

// readTime reads the date, optional time and optional zone name of
// ParseTime, other than RFC 3339, returning the zone to place it in;
// problem says in Indonesian what is wrong, or is empty.
func readTime(s string, loc *time.Location) (w wallTime, in *time.Location, problem string) {
	rest, zone := cutZone(s)
	if zone != nil {
		loc = zone
	}
	w, problem = parseWallTime(rest)
	if problem == "" && zone != nil && !w.clock {
		problem = "zona waktu ditulis setelah jam, misalnya \"09.00 WIB\""
	}
	return w, loc, problem
}

// zonesNamed are Indonesia's time zones by the names written after a
// time, in lower case.
var zonesNamed = map[string]*time.Location{
	"wib":  time.FixedZone("WIB", 7*3600),
	"wita": time.FixedZone("WITA", 8*3600),
	"wit":  time.FixedZone("WIT", 9*3600),
}

// cutZone removes the name of an Indonesian time zone ending s ("09.00
// WIB", as FormatWIB writes) and returns the rest and that zone; s comes
// back whole, with a nil zone, when it ends otherwise. A time so named
// is read in the zone it names, whatever zone it would be read in
// otherwise: the officer said which.
func cutZone(s string) (rest string, zone *time.Location) {
	s = strings.TrimRightFunc(s, unicode.IsSpace)
	i := strings.LastIndexFunc(s, unicode.IsSpace)
	if i < 0 {
		return s, nil
	}
	if zone = zonesNamed[strings.ToLower(s[i+1:])]; zone == nil {
		return s, nil
	}
	return s[:i], zone
}

// ParseDate reads a date alone, in the forms ParseTime reads ("14/03/2026",
// "14 Maret 2026", "2026-03-14"), as midnight in loc.
func ParseDate(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	w, problem := parseWallTime(s)
	if problem == "" && w.clock {
		problem = "isi tanggal saja, tanpa jam"
	}
	if problem != "" {
		return time.Time{}, fmt.Errorf("tanggal %q: %s; %s", s, problem, dateExamples)
	}
	return time.Date(w.year, w.month, w.day, 0, 0, 0, 0, loc), nil
}

// wallTime is a date and time as read, before a time zone places it.
type wallTime struct {
	year           int
	month          time.Month
	day            int
	hour, min, sec int
	clock          bool // a time of day was written
}

// parseWallTime reads the date and optional time of ParseTime; problem
// says in Indonesian what is wrong, or is empty.
func parseWallTime(s string) (w wallTime, problem string) {
	s, weekday, weekdayWord := cutWeekday(s)
	if weekdayWord != "" && strings.TrimSpace(s) == "" {
		return w, "bentuk tanggal tidak dikenali"
	}
	if w, problem = readWallTime(s); problem != "" || weekdayWord == "" {
		return w, problem
	}
	if actual := time.Date(w.year, w.month, w.day, 0, 0, 0, 0, time.UTC).Weekday(); actual != weekday {
		return w, fmt.Sprintf("%d %s %d jatuh pada hari %s, bukan %s",
			w.day, monthNames[w.month-1], w.year, dayNames[actual], weekdayWord)
	}
	return w, ""
}

// weekdaysNamed are the Indonesian weekday names, with the spelling
// "Jum'at" and "Ahad" for Sunday, in lower case.
var weekdaysNamed = map[string]time.Weekday{
	"senin": time.Monday, "selasa": time.Tuesday, "rabu": time.Wednesday,
	"kamis": time.Thursday, "jumat": time.Friday, "jum'at": time.Friday,
	"jum\u2019at": time.Friday, "sabtu": time.Saturday, "minggu": time.Sunday,
	"ahad": time.Sunday,
}

// cutWeekday removes a leading weekday name of s with the comma and
// spaces after it ("Kamis, "), returning the rest, the weekday and the
// name as it is written in a sentence ("Kamis"). Where s does not start
// with a weekday name followed by a comma or a space, s comes back whole
// with an empty name.
func cutWeekday(s string) (rest string, day time.Weekday, word string) {
	s = strings.TrimLeftFunc(s, unicode.IsSpace)
	end := strings.IndexFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && r != '\'' && r != '\u2019' })
	if end <= 0 {
		return s, 0, ""
	}
	day, ok := weekdaysNamed[strings.ToLower(s[:end])]
	after := s[end:]
	rest = strings.TrimPrefix(strings.TrimLeftFunc(after, unicode.IsSpace), ",")
	if !ok || rest == after {
		return s, 0, ""
	}
	first, size := utf8.DecodeRuneInString(s)
	word = string(unicode.ToUpper(first)) + strings.ToLower(s[size:end])
	return rest, day, word
}

// readWallTime reads what parseWallTime reads after the weekday.
func readWallTime(s string) (w wallTime, problem string) {
	const unknown = "bentuknya tidak dikenali"
	fields := strings.Fields(s)
	if len(fields) == 0 {
		return w, "kosong"
	}
	// "2026-12-03T09:00": a T joins only a numeric date and a time.
	if len(fields) == 1 {
		if i := strings.IndexByte(fields[0], 'T'); i > 0 && strings.Trim(fields[0][:i], "0123456789-") == "" {
			fields = []string{fields[0][:i], fields[0][i+1:]}
		}
	}
	var clock string
	n := len(fields)
	switch {
	case n >= 3 && strings.EqualFold(fields[n-2], "pukul"):
		fields, clock = fields[:n-2], fields[n-1]
	case n == 2 || n == 4:
		fields, clock = fields[:n-1], fields[n-1]
	case n != 1 && n != 3:
		return w, unknown
	}
	if problem = w.readDate(fields); problem != "" {
		return w, problem
	}
	if clock != "" {
		w.clock = true
		if problem = w.readClock(clock); problem != "" {
			return w, problem
		}
	}
	return w, ""
}

// readDate reads "03/12/2026", "2026-12-03", "3-Des-2026" (one field) or
// "3 Desember 2026" (three fields).
func (w *wallTime) readDate(fields []string) string {
	const unknown = "bentuk tanggal tidak dikenali"
	var parts []string
	named := len(fields) == 3 // the month is a name
	switch {
	case named:
		parts = fields
	case len(fields) == 1:
		f := fields[0]
		sep := strings.IndexAny(f, "/-.")
		if sep < 0 {
			return unknown
		}
		if parts = strings.Split(f, f[sep:sep+1]); len(parts) != 3 {
			return unknown
		}
	default:
		return unknown
	}
	dayText, monthText, yearText := parts[0], parts[1], parts[2]
	if len(dayText) == 4 && !named { // year first: 2026-12-03
		dayText, yearText = parts[2], parts[0]
		if _, ok := digits(monthText, 1, 2); !ok {
			return unknown
		}
	}
	day, ok := digits(dayText, 1, 2)
	if !ok {
		return unknown
	}
	if m, ok := digits(monthText, 1, 2); ok && !named {
		if m < 1 || m > 12 {
			return fmt.Sprintf("bulan %d tidak ada", m)
		}
		w.month = time.Month(m)
	} else if w.month = monthNamed(monthText); w.month == 0 {
		return fmt.Sprintf("bulan %q tidak dikenali", monthText)
	}
	year, ok := digits(yearText, 4, 4)
	if !ok {
		if _, short := digits(yearText, 1, 3); short {
			return fmt.Sprintf("tahun %q: tulis tahun lengkap dengan 4 angka, misalnya 2026", yearText)
		}
		return unknown
	}
	if year < minParsedYear {
		return fmt.Sprintf("tahun %d tidak mungkin", year)
	}
	if day < 1 || day > daysIn(w.month, year) {
		return fmt.Sprintf("tanggal %d %s %d tidak ada", day, monthNames[w.month-1], year)
	}
	w.year, w.day = year, day
	return ""
}

// readClock reads "9:00", "09.00" or "09:00:00".
func (w *wallTime) readClock(s string) string {
	const unknown = "bentuk jam tidak dikenali"
	sep := strings.IndexAny(s, ":.")
	if sep < 0 {
		return unknown
	}
	parts := strings.Split(s, s[sep:sep+1])
	if len(parts) != 2 && len(parts) != 3 {
		return unknown
	}
	h, ok1 := digits(parts[0], 1, 2)
	m, ok2 := digits(parts[1], 2, 2)
	sec, ok3 := 0, true
	if len(parts) == 3 {
		sec, ok3 = digits(parts[2], 2, 2)
	}
	if !ok1 || !ok2 || !ok3 {
		return unknown
	}
	if h > 23 || m > 59 || sec > 59 {
		return fmt.Sprintf("jam %s tidak ada", s)
	}
	w.hour, w.min, w.sec = h, m, sec
	return ""
}

// digits reads s as a number of least to most ASCII digits.
func digits(s string, least, most int) (int, bool) {
	if len(s) < least || len(s) > most {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}

// daysIn returns the number of days of month m of year y.
func daysIn(m time.Month, y int) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// monthAbbreviations are the short month names spreadsheets set to
// Indonesian write ("Des"), and the usual variants of August and
// September.
var monthAbbreviations = map[string]time.Month{
	"jan": time.January, "feb": time.February, "mar": time.March, "apr": time.April,
	"mei": time.May, "jun": time.June, "jul": time.July, "agu": time.August,
	"agt": time.August, "ags": time.August, "sep": time.September, "sept": time.September,
	"okt": time.October, "nov": time.November, "des": time.December,
}

// monthNamed returns the month an Indonesian name or abbreviation ("Des",
// "Des.") names, in any case, or 0.
func monthNamed(s string) time.Month {
	for i, name := range monthNames {
		if strings.EqualFold(s, name) {
			return time.Month(i + 1)
		}
	}
	return monthAbbreviations[strings.ToLower(strings.TrimSuffix(s, "."))]
}

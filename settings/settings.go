// Package settings owns the hub's settings that an admin may change while
// it runs: the help desk's service hours and holidays, the ticket SLA, the
// training reminder offsets and the yearly JP target. Each setting has a
// built-in default, may be given by an environment variable, and may be
// saved in the web admin; a saved value wins over the variable from then
// on. It owns the settings table and its SQL.
//
// Store keeps the values in force in memory and refreshes them when a
// value is saved (here, or on another replica through a Postgres
// notification, or by polling): every consumer reads them through
// Store.Current, so a change takes effect without a restart.
package settings

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tebingtinggi/hub/inbox"
	"github.com/tebingtinggi/hub/training"
)

// Key names a setting; it is the settings table's primary key.
type Key string

// The settings.
const (
	ServiceHours    Key = "service_hours"
	Holidays        Key = "holidays"
	TicketSLA       Key = "ticket_sla"
	ReminderOffsets Key = "reminder_offsets"
	JPTarget        Key = "jp_target"
)

// Limits of the values.
const (
	MinSLA      = 15 * time.Minute
	MaxSLA      = 200 * time.Hour
	MinJPTarget = 1
	MaxJPTarget = 1000
	// MaxValueLen bounds a saved value, in bytes (a holiday list of many
	// years fits easily).
	MaxValueLen = 20000
	// maxHolidayName bounds a holiday's name, in characters.
	maxHolidayName = 100
)

// Definition describes a setting: its key, its environment variable, its
// default (written as an admin would write it), and its name and format
// help in Indonesian, for the settings page.
type Definition struct {
	Key     Key
	Env     string
	Default string
	Label   string
	Help    string
	// Multiline asks the page for a text area rather than a line.
	Multiline bool
	parse     func(raw string, v *Values) error
}

// Definitions are the settings in the order the page shows them.
var Definitions = []Definition{
	{Key: ServiceHours, Env: "HUB_SERVICE_HOURS", Default: "sen-jum 08:00-16:00", Label: "Jam layanan",
		Help: `Hari lalu rentang jam (WIB), dipisah titik koma, misalnya "sen-kam 08:00-16:00; jum 08:00-11:30, 13:30-16:30". ` +
			`Hari: sen, sel, rab, kam, jum, sab, min. Batas SLA tiket hanya dihitung dalam jam layanan.`,
		parse: parseServiceHours},
	{Key: Holidays, Env: "HUB_HOLIDAYS", Label: "Hari libur nasional dan cuti bersama", Multiline: true,
		Help: `Satu tanggal per baris, TTTT-BB-HH lalu namanya, misalnya "2027-01-01 Tahun Baru Masehi". ` +
			`Pada hari libur meja bantuan tutup dan batas SLA tiket tidak berjalan.`,
		parse: parseHolidaySetting},
	{Key: TicketSLA, Env: "HUB_TICKET_SLA", Default: formatSLA(inbox.DefaultSLA), Label: "Batas waktu balasan tiket (SLA)",
		Help: `Jam kerja yang dimiliki petugas untuk membalas tiket baru, misalnya "8 jam", "4,5 jam" atau "90 menit" ` +
			`(paling sedikit 15 menit, paling banyak 200 jam). Berlaku untuk tiket yang dibuka sesudah disimpan.`,
		parse: parseSLASetting},
	{Key: ReminderOffsets, Env: "HUB_REMINDER_OFFSETS", Default: formatOffsets(training.DefaultReminderOffsets), Label: "Pengingat pelatihan",
		Help: `Kapan ASN diingatkan sebelum sesi pelatihan mulai, dipisah koma: d = hari, h = jam, m = menit, ` +
			`misalnya "7d, 1d, 2h" (lebih dari nol, paling lama 60d, tidak boleh sama).`,
		parse: parseOffsetsSetting},
	{Key: JPTarget, Env: "HUB_JP_TARGET", Default: strconv.FormatFloat(training.DefaultJPTarget, 'f', -1, 64), Label: "Target JP per ASN per tahun",
		Help: `Jam pelajaran (JP) pengembangan kompetensi yang menjadi hak setiap ASN dalam setahun, ` +
			`dari 1 sampai 1000, misalnya 20.`,
		parse: parseJPSetting},
}

// formatSLA writes d as parseSLASetting reads it.
func formatSLA(d time.Duration) string {
	if d%time.Hour == 0 {
		return strconv.Itoa(int(d/time.Hour)) + " jam"
	}
	return strconv.Itoa(int(d/time.Minute)) + " menit"
}

// formatOffsets writes offsets as training.ParseOffsets reads them.
func formatOffsets(offsets []time.Duration) string {
	parts := make([]string, len(offsets))
	for i, o := range offsets {
		parts[i] = training.FormatOffset(o)
	}
	return strings.Join(parts, ", ")
}

// Lookup returns the definition of key.
func Lookup(key Key) (Definition, bool) {
	for _, d := range Definitions {
		if d.Key == key {
			return d, true
		}
	}
	return Definition{}, false
}

// Values are the settings in force, parsed.
type Values struct {
	// Calendar is the service hours in WIB minus the holidays.
	Calendar inbox.Calendar
	// HolidayList are the holidays with their names, by date.
	HolidayList []Holiday
	// SLA is the working time officers have for a first reply.
	SLA time.Duration
	// ReminderOffsets are the moments before a session when an ASN is
	// reminded.
	ReminderOffsets []time.Duration
	// JPTarget is the lesson hours (JP) every ASN is owed a year.
	JPTarget float64
}

// FieldError is a value refused, with what is wrong in Indonesian, for
// the admin's page and the environment variable's error alike.
type FieldError struct {
	Key Key
	// Msg says what is wrong and what is wanted, in Indonesian.
	Msg string
}

func (e *FieldError) Error() string {
	d, _ := Lookup(e.Key)
	return d.Label + ": " + e.Msg
}

// Check parses raw as the value of key, returning a *FieldError when it
// is refused.
func Check(key Key, raw string) error {
	d, ok := Lookup(key)
	if !ok {
		return fmt.Errorf("settings: unknown setting %q", key)
	}
	var v Values
	return d.parse(raw, &v)
}

func fieldError(key Key, format string, args ...any) *FieldError {
	return &FieldError{Key: key, Msg: fmt.Sprintf(format, args...)}
}

// parseServiceHours reads the service hours with inbox.ParseHours, which
// owns their rules; a refused value is retried entry by entry so that the
// message names the entry at fault.
func parseServiceHours(raw string, v *Values) error {
	hours, err := inbox.ParseHours(raw)
	if err == nil {
		v.Calendar.Location = inbox.Jakarta()
		v.Calendar.Hours = hours
		return nil
	}
	const want = `tulis hari lalu rentang jam antara 00:00 dan 24:00 yang selesai sesudah mulai, misalnya "sen-jum 08:00-16:00"`
	if strings.TrimSpace(raw) == "" {
		return fieldError(ServiceHours, "belum diisi; %s.", want)
	}
	overlap := fieldError(ServiceHours, "%q memuat rentang jam yang tumpang-tindih pada hari yang sama; pisahkan rentangnya, misalnya \"jum 08:00-11:30, 13:30-16:30\".", raw)
	if errors.Is(err, inbox.ErrOverlappingHours) {
		return overlap
	}
	for _, entry := range strings.FieldsFunc(raw, func(r rune) bool { return r == ';' || r == '\n' }) {
		if entry = strings.TrimSpace(entry); entry == "" {
			continue
		}
		if _, err := inbox.ParseHours(entry); err != nil {
			return fieldError(ServiceHours, "bagian %q tidak sah; %s.", entry, want)
		}
	}
	return overlap
}

func parseHolidaySetting(raw string, v *Values) error {
	list, err := ParseHolidays(raw)
	if err != nil {
		return err
	}
	v.HolidayList = list
	v.Calendar.Holidays = make(map[string]bool, len(list))
	for _, h := range list {
		v.Calendar.Holidays[h.Date] = true
	}
	return nil
}

// parseSLASetting reads working time as hours ("8", "8 jam", "4,5 jam"),
// minutes ("90 menit") or a Go duration ("90m", "8h").
func parseSLASetting(raw string, v *Values) error {
	s := strings.ToLower(strings.TrimSpace(raw))
	bad := fieldError(TicketSLA, "%q tidak sah; tulis jam kerja, misalnya \"8 jam\", \"4,5 jam\" atau \"90 menit\", dari 15 menit sampai 200 jam.", raw)
	var d time.Duration
	if n, ok := strings.CutSuffix(s, "menit"); ok {
		x, err := strconv.ParseFloat(strings.Replace(strings.TrimSpace(n), ",", ".", 1), 64)
		if err != nil {
			return bad
		}
		d = time.Duration(x * float64(time.Minute))
	} else if x, err := strconv.ParseFloat(strings.Replace(strings.TrimSpace(strings.TrimSuffix(s, "jam")), ",", ".", 1), 64); err == nil {
		d = time.Duration(x * float64(time.Hour))
	} else if d, err = time.ParseDuration(s); err != nil {
		return bad
	}
	if d < MinSLA || d > MaxSLA {
		return bad
	}
	v.SLA = d.Round(time.Minute)
	return nil
}

// parseOffsetsSetting reads the offsets with training.ParseOffsets, which
// owns their rules, one by one so that the message names the one at
// fault.
func parseOffsetsSetting(raw string, v *Values) error {
	offsets, err := training.ParseOffsets(raw)
	if err == nil {
		v.ReminderOffsets = offsets
		return nil
	}
	seen := map[time.Duration]string{}
	for _, part := range strings.Split(raw, ",") {
		part = strings.TrimSpace(part)
		one, err := training.ParseOffsets(part)
		if err != nil {
			if part == "" {
				return fieldError(ReminderOffsets, "ada bagian yang kosong di %q; tulis misalnya \"7d, 1d, 2h\".", raw)
			}
			return fieldError(ReminderOffsets, "%q tidak sah; tulis jumlah lalu d (hari), h (jam) atau m (menit), lebih dari nol dan paling lama 60d, misalnya 7d, 1d atau 2h.", part)
		}
		if first, dup := seen[one[0]]; dup {
			return fieldError(ReminderOffsets, "%q sama dengan %q; setiap pengingat harus berbeda.", part, first)
		}
		seen[one[0]] = part
	}
	return fieldError(ReminderOffsets, "%q tidak sah; tulis misalnya \"7d, 1d, 2h\".", raw)
}

func parseJPSetting(raw string, v *Values) error {
	x, err := strconv.ParseFloat(strings.Replace(strings.TrimSpace(raw), ",", ".", 1), 64)
	if err != nil || x < MinJPTarget || x > MaxJPTarget {
		return fieldError(JPTarget, "%q tidak sah; tulis jumlah JP dari %d sampai %d, misalnya 20.", raw, MinJPTarget, MaxJPTarget)
	}
	v.JPTarget = x
	return nil
}

// Holiday is a day the help desk is closed.
type Holiday struct {
	Date string // "2027-01-01", in WIB
	Name string // "Tahun Baru Masehi" ("" when not given)
}

// Year is the holiday's year.
func (h Holiday) Year() int {
	y, _ := strconv.Atoi(h.Date[:4])
	return y
}

// ParseHolidays reads holidays, one per line as "2027-01-01 Tahun Baru
// Masehi"; a line may also list bare dates separated by commas,
// semicolons or spaces ("2026-12-25,2027-01-01", the environment
// variable's form). A date that is not one, or that appears twice, is
// refused with its line. The result is sorted by date.
func ParseHolidays(raw string) ([]Holiday, error) {
	var out []Holiday
	lineOf := map[string]int{}
	for i, line := range strings.Split(raw, "\n") {
		n := i + 1
		for _, entry := range strings.FieldsFunc(line, func(r rune) bool { return r == ',' || r == ';' }) {
			fields := strings.Fields(entry)
			if len(fields) == 0 {
				continue
			}
			var got []Holiday
			if allDates(fields) {
				for _, f := range fields {
					got = append(got, Holiday{Date: f})
				}
			} else {
				if _, err := time.Parse(time.DateOnly, fields[0]); err != nil {
					return nil, fieldError(Holidays, "baris %d: %q bukan tanggal yang sah; tulis TTTT-BB-HH lalu namanya, misalnya \"2027-01-01 Tahun Baru Masehi\".", n, fields[0])
				}
				name := strings.Join(fields[1:], " ")
				if len([]rune(name)) > maxHolidayName {
					return nil, fieldError(Holidays, "baris %d: nama hari libur terlalu panjang (paling banyak %d huruf).", n, maxHolidayName)
				}
				got = append(got, Holiday{Date: fields[0], Name: name})
			}
			for _, h := range got {
				if y := h.Year(); y < 2000 || y > 2100 {
					return nil, fieldError(Holidays, "baris %d: tahun %d di luar 2000–2100.", n, y)
				}
				if first, dup := lineOf[h.Date]; dup {
					return nil, fieldError(Holidays, "baris %d: tanggal %s sudah tercantum di baris %d; setiap tanggal cukup sekali.", n, h.Date, first)
				}
				lineOf[h.Date] = n
				out = append(out, h)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Date < out[j].Date })
	return out, nil
}

func allDates(fields []string) bool {
	for _, f := range fields {
		if _, err := time.Parse(time.DateOnly, f); err != nil {
			return false
		}
	}
	return true
}

// FormatHolidays writes holidays as ParseHolidays reads them, one a line.
func FormatHolidays(list []Holiday) string {
	var b strings.Builder
	for _, h := range list {
		b.WriteString(h.Date)
		if h.Name != "" {
			b.WriteString(" " + h.Name)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// HolidayReminder asks, in Indonesian, for the holidays MissingHolidays
// finds missing at now; "" when none are.
func (v Values) HolidayReminder(now time.Time) string {
	year, missing := v.MissingHolidays(now)
	if !missing {
		return ""
	}
	return fmt.Sprintf("Hari libur nasional dan cuti bersama tahun %d belum diisi. Admin dapat mengisinya di halaman Pengaturan "+
		"admin web, agar batas waktu tiket tidak jatuh pada hari libur.", year)
}

// MissingHolidays reports the year whose holidays an admin should enter
// by now (in WIB): in December next year's, and from January on the
// current year's as long as it has none.
func (v Values) MissingHolidays(now time.Time) (year int, missing bool) {
	t := now.In(inbox.Jakarta())
	has := func(y int) bool {
		for _, h := range v.HolidayList {
			if h.Year() == y {
				return true
			}
		}
		return false
	}
	switch {
	case t.Month() == time.December && !has(t.Year()+1):
		return t.Year() + 1, true
	case t.Month() != time.December && !has(t.Year()):
		return t.Year(), true
	}
	return 0, false
}

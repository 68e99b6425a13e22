package training

import (
	"fmt"
	"strings"
	"time"
)

// followUpOpening is the sentence that opens a follow-up survey's
// invitation: how long ago the person took the training. since is the
// time from the session's end to the round's opening (HUB_FOLLOWUP_AFTER,
// or more when the hub opened it late). A whole number of years, months
// (of 30 days) or weeks is named as such ("Tiga bulan lalu", "Enam minggu
// lalu"); any other interval would be named wrongly by a round figure, so
// the sentence names the session's dates instead.
func followUpOpening(since time.Duration, start, end time.Time) string {
	if days := int(since / (24 * time.Hour)); days > 0 {
		for _, u := range []struct {
			days          int
			name, onlyOne string
		}{{365, "tahun", "setahun"}, {30, "bulan", "sebulan"}, {7, "minggu", "seminggu"}} {
			if days%u.days != 0 {
				continue
			}
			n := days / u.days
			ago := u.onlyOne
			if n > 1 {
				ago = numberWords(n) + " " + u.name
			}
			return strings.ToUpper(ago[:1]) + ago[1:] + " lalu Anda mengikuti pelatihan ini."
		}
	}
	return "Pada " + formatDateSpan(start, end) + " Anda mengikuti pelatihan ini."
}

// formatDateSpan writes the days of a session in WIB: "3 Desember 2026",
// "7–8 Desember 2026", "30 November s.d. 2 Desember 2026" or
// "30 Desember 2026 s.d. 2 Januari 2027".
func formatDateSpan(start, end time.Time) string {
	s, e := start.In(WIB), end.In(WIB)
	switch {
	case s.Year() != e.Year():
		return FormatDateWIB(s) + " s.d. " + FormatDateWIB(e)
	case s.Month() != e.Month():
		return fmt.Sprintf("%d %s s.d. %s", s.Day(), monthNames[s.Month()-1], FormatDateWIB(e))
	case s.Day() != e.Day():
		return fmt.Sprintf("%d–%s", s.Day(), FormatDateWIB(e))
	}
	return FormatDateWIB(s)
}

var smallNumbers = [...]string{"", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan", "sepuluh", "sebelas"}

// numberWords writes n (1 to 999) in Indonesian words: "dua belas",
// "lima puluh dua", "seratus empat".
func numberWords(n int) string {
	rest := func(n int) string {
		if n == 0 {
			return ""
		}
		return " " + numberWords(n)
	}
	switch {
	case n < 12:
		return smallNumbers[n]
	case n < 20:
		return smallNumbers[n-10] + " belas"
	case n < 100:
		return smallNumbers[n/10] + " puluh" + rest(n%10)
	case n < 200:
		return "seratus" + rest(n%100)
	}
	return smallNumbers[n/100] + " ratus" + rest(n%100)
}

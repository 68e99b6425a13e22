package training

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// NIP (Nomor Induk Pegawai) rules. The national civil-service agency (BKN)
// gives every ASN an 18-digit number built from fixed parts:
//
//	digits  1–8   date of birth, yyyymmdd
//	digits  9–14  month of appointment (TMT CPNS, or the contract start for
//	              PPPK), yyyymm
//	digit   15    gender: 1 male, 2 female
//	digits 16–18  sequence number
//
// ValidateNIP enforces what can be checked without BKN's register: 18 ASCII
// digits, a real calendar date of birth between 1940 and 2015, an
// appointment month 01–12 in a year from 1960 to 2100 that is not before the
// birth, a gender digit of 1 or 2 and a sequence number from 001 (a
// spreadsheet keeping 15 significant digits turns it into 000, or writes
// the NIP in scientific notation). It cannot tell whether the number was
// actually issued; an import simply refuses numbers that cannot be NIPs
// (typos, digit swaps, numbers that lost leading digits to a spreadsheet).

// NormalizeNIP removes the spaces and dots people write NIPs with
// ("19800101 200501 1 001") and returns the 18-digit form, validated.
func NormalizeNIP(s string) (string, error) {
	s = strings.Map(func(r rune) rune {
		if r == ' ' || r == '.' || r == '\u00a0' {
			return -1
		}
		return r
	}, s)
	return s, ValidateNIP(s)
}

// ValidateNIP reports why s is not a plausible 18-digit NIP, or nil. The
// rules are described above NormalizeNIP.
func ValidateNIP(s string) error {
	if strings.Contains(strings.ToUpper(s), "E+") {
		return fmt.Errorf("NIP tertulis sebagai angka ilmiah (%s), tampaknya diubah oleh Excel; %s", s, spreadsheetHint)
	}
	if len(s) != 18 {
		return fmt.Errorf("NIP harus 18 digit, bukan %d karakter", len(s))
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return fmt.Errorf("NIP hanya boleh berisi angka; ada %q pada posisi %d", s[i], i+1)
		}
	}
	y, _ := strconv.Atoi(s[0:4])
	m, _ := strconv.Atoi(s[4:6])
	d, _ := strconv.Atoi(s[6:8])
	birth := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if y < 1940 || y > 2015 || m < 1 || m > 12 || birth.Day() != d || birth.Month() != time.Month(m) {
		return fmt.Errorf("digit 1–8 NIP (%s) bukan tanggal lahir yang mungkin (yyyymmdd)", s[0:8])
	}
	ry, _ := strconv.Atoi(s[8:12])
	rm, _ := strconv.Atoi(s[12:14])
	if ry < 1960 || ry > 2100 || rm < 1 || rm > 12 {
		return fmt.Errorf("digit 9–14 NIP (%s) bukan bulan pengangkatan yang mungkin (yyyymm)", s[8:14])
	}
	if ry*12+rm < y*12+m {
		return fmt.Errorf("bulan pengangkatan %s pada NIP jatuh sebelum tanggal lahir %s", s[8:14], s[0:8])
	}
	if g := s[14]; g != '1' && g != '2' {
		return fmt.Errorf("digit 15 NIP (jenis kelamin) harus 1 atau 2, bukan %c", g)
	}
	if s[15:] == "000" {
		// No NIP has sequence number 000; a spreadsheet that keeps 15
		// significant digits turns every NIP's last three into zeros.
		return fmt.Errorf("nomor urut NIP (digit 16–18) 000 tidak pernah diterbitkan; tiga digit terakhir tampaknya menjadi nol karena Excel; %s", spreadsheetHint)
	}
	return nil
}

// spreadsheetHint tells how to keep a spreadsheet from mangling NIPs.
const spreadsheetHint = "format kolom NIP sebagai Teks, ketik ulang NIP-nya, lalu simpan lagi"

package safetext

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf16"
)

// utf16Bytes encodes s as UTF-16 in the given byte order.
func utf16Bytes(s string, little bool) []byte {
	var out []byte
	for _, u := range utf16.Encode([]rune(s)) {
		if little {
			out = append(out, byte(u), byte(u>>8))
		} else {
			out = append(out, byte(u>>8), byte(u))
		}
	}
	return out
}

func utf32LE(s string) []byte {
	var out []byte
	for _, r := range s {
		out = append(out, byte(r), byte(r>>8), byte(r>>16), byte(r>>24))
	}
	return out
}

func TestUTF8(t *testing.T) {
	const csv = "nip,name,unit\n198001012005011001,Siti Aisyah,BKPSDM\n"
	cases := []struct {
		name    string
		in      []byte
		want    string // the text returned, when accepted
		wantMsg string // part of the refusal
		wantOff int
	}{
		{"UTF-8", []byte(csv), csv, "", 0},
		{"UTF-8 with BOM", append([]byte("\uFEFF"), csv...), csv, "", 0},
		{"empty", nil, "", "", 0},
		{"UTF-16LE with BOM", append([]byte{0xff, 0xfe}, utf16Bytes(csv, true)...), "", "UTF-16 (little-endian), bukan UTF-8", 0},
		{"UTF-16BE with BOM", append([]byte{0xfe, 0xff}, utf16Bytes(csv, false)...), "", "UTF-16 (big-endian), bukan UTF-8", 0},
		{"UTF-16LE without BOM", utf16Bytes(csv, true), "", "UTF-16 (little-endian) tanpa penanda urutan byte", 0},
		{"UTF-16BE without BOM", utf16Bytes(csv, false), "", "UTF-16 (big-endian) tanpa penanda urutan byte", 0},
		{"UTF-32LE with BOM", append([]byte{0xff, 0xfe, 0, 0}, utf32LE(csv)...), "", "UTF-32 (little-endian), bukan UTF-8", 0},
		{"UTF-32LE without BOM", utf32LE(csv), "", "UTF-32 (little-endian) tanpa", 0},
		{"a stray NUL", []byte("nip,name\n1,A\x00B\n"), "", "byte NUL", 12},
		{"Latin-1", []byte("nip,name\n1,Jos\xe9\n"), "", "bukan UTF-8 yang sah (byte 0xe9)", 14},
		{"lone surrogate", []byte("a\xed\xa0\x80"), "", "bukan UTF-8 yang sah", 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := UTF8(c.in)
			if c.wantMsg == "" {
				if err != nil || string(got) != c.want {
					t.Fatalf("UTF8 = %q, %v; want %q", got, err, c.want)
				}
				return
			}
			var ee *EncodingError
			if !errors.As(err, &ee) || !strings.Contains(ee.Msg, c.wantMsg) || ee.Offset != c.wantOff {
				t.Fatalf("UTF8 error = %#v, want one containing %q at offset %d", err, c.wantMsg, c.wantOff)
			}
			if !strings.Contains(ee.Msg, "simpan berkas sebagai UTF-8") {
				t.Errorf("%q does not say what to do", ee.Msg)
			}
		})
	}
}

func TestUnprintable(t *testing.T) {
	cases := []struct {
		in   string
		want rune
		bad  bool
	}{
		{"Dr. Hj. Siti Aisyah Nasution, S.H., M.H.", 0, false},
		{"Pelatihan \"Kepemimpinan\" — Angkatan II", 0, false},
		{"nama\nbaris dua", '\n', true},
		{"tab\there", '\t', true},
		{"escape \x1b[2J", 0x1b, true},
		{"rtl \u202egnp.exe", 0x202e, true},
		{"bad \xff", 0xfffd, true},
		{"c1 \u009b", 0x9b, true},
	}
	for _, c := range cases {
		r, bad := Unprintable(c.in)
		if bad != c.bad || r != c.want {
			t.Errorf("Unprintable(%q) = %U, %v; want %U, %v", c.in, r, bad, c.want, c.bad)
		}
	}
}

package safetext

import (
	"bytes"
	"fmt"
	"unicode/utf8"
)

// EncodingError is a file that is not UTF-8 text; Offset is the byte where
// the problem shows (0 for the whole file).
type EncodingError struct {
	Offset int
	Msg    string
}

func (e *EncodingError) Error() string { return e.Msg }

// saveAsUTF8 ends every encoding message with the way out. The messages
// are for officers, so they are in Indonesian.
const saveAsUTF8 = `; simpan berkas sebagai UTF-8 (di lembar kerja: "CSV UTF-8")`

// UTF8 checks, before anything reads a file as text, that its content is
// UTF-8, and returns it without a UTF-8 byte order mark. A UTF-16 or UTF-32
// file is named as such, with or without its byte order mark (ASCII text in
// UTF-16 has a NUL in every other byte), rather than read as text with NULs
// in it; a NUL byte or invalid UTF-8 is refused at its offset.
func UTF8(data []byte) ([]byte, error) {
	for _, bom := range []struct {
		mark []byte
		name string
	}{ // UTF-32 first: its little-endian mark begins with UTF-16's
		{[]byte{0xff, 0xfe, 0, 0}, "UTF-32 (little-endian)"},
		{[]byte{0, 0, 0xfe, 0xff}, "UTF-32 (big-endian)"},
		{[]byte{0xff, 0xfe}, "UTF-16 (little-endian)"},
		{[]byte{0xfe, 0xff}, "UTF-16 (big-endian)"},
	} {
		if bytes.HasPrefix(data, bom.mark) {
			return nil, &EncodingError{Msg: "berkas ini berenkode " + bom.name + ", bukan UTF-8" + saveAsUTF8}
		}
	}
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	if name := wideEncoding(data); name != "" {
		return nil, &EncodingError{Msg: "berkas ini tampaknya berenkode " + name + " tanpa penanda urutan byte (ada byte NUL di antara huruf), bukan UTF-8" + saveAsUTF8}
	}
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return nil, &EncodingError{Offset: i, Msg: "ada byte NUL di dalam berkas" + saveAsUTF8}
	}
	if !utf8.Valid(data) {
		i := 0
		for i < len(data) {
			r, size := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && size <= 1 {
				break
			}
			i += size
		}
		return nil, &EncodingError{Offset: i, Msg: fmt.Sprintf("bukan UTF-8 yang sah (byte 0x%02x)%s", data[i], saveAsUTF8)}
	}
	return data, nil
}

// wideEncoding names the encoding of text whose first bytes have NULs in
// the places that UTF-16 or UTF-32 puts them for ASCII letters, or "".
func wideEncoding(data []byte) string {
	sample := data[:min(len(data), 1024)]
	var zeros [4]int
	for i, b := range sample {
		if b == 0 {
			zeros[i%4]++
		}
	}
	total := zeros[0] + zeros[1] + zeros[2] + zeros[3]
	if len(sample) < 4 || total*4 < len(sample) { // under a quarter: stray NULs, not an encoding
		return ""
	}
	quarter := len(sample) / 4
	switch {
	case zeros[1] > quarter/2 && zeros[2] > quarter/2 && zeros[3] > quarter/2:
		return "UTF-32 (little-endian)"
	case zeros[0] > quarter/2 && zeros[1] > quarter/2 && zeros[2] > quarter/2:
		return "UTF-32 (big-endian)"
	case zeros[1]+zeros[3] > zeros[0]+zeros[2]:
		return "UTF-16 (little-endian)"
	}
	return "UTF-16 (big-endian)"
}

// Unprintable returns the first character of s that is not text one can
// read: a control character (newline and tab included), one of the
// invisible characters that reorder a line, or invalid UTF-8 (as
// U+FFFD). Imports use it to refuse such characters in names and titles.
func Unprintable(s string) (rune, bool) {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || harmful(r, false) {
			return r, true
		}
		i += size
	}
	return 0, false
}

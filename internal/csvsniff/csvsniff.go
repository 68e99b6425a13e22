// Package csvsniff tells how a spreadsheet laid out a CSV file before it
// is read: which separator its cells use and how its lines end. Every
// importer asks it, so that the files Excel saves on computers set to
// Indonesian are read alike everywhere.
package csvsniff

import "bytes"

// headerLine is data up to the first line break of either kind.
func headerLine(data []byte) []byte {
	if i := bytes.IndexAny(data, "\r\n"); i >= 0 {
		return data[:i]
	}
	return data
}

// Comma returns the separator of data's cells as the header line shows
// it: a semicolon when the header has semicolons and no comma (Excel uses
// the regional list separator, a semicolon where the comma is the decimal
// separator, as in Indonesia), a comma otherwise.
func Comma(data []byte) rune {
	h := headerLine(data)
	if !bytes.ContainsRune(h, ',') && bytes.ContainsRune(h, ';') {
		return ';'
	}
	return ','
}

// LoneCR reports whether data's header line ends with a carriage return
// that no line feed follows: the line break of old Mac exports, which
// encoding/csv takes for part of a cell.
func LoneCR(data []byte) bool {
	i := len(headerLine(data))
	return i < len(data) && data[i] == '\r' && (i+1 == len(data) || data[i+1] != '\n')
}

// LoneCRToLF returns a copy of data in which every carriage return that no
// line feed follows is a line feed; "\r\n" stays. The length, and so every
// byte offset, is unchanged.
func LoneCRToLF(data []byte) []byte {
	out := bytes.Clone(data)
	for i, c := range out {
		if c == '\r' && (i+1 == len(out) || out[i+1] != '\n') {
			out[i] = '\n'
		}
	}
	return out
}

// QuoteHint is the advice, in Indonesian, for a row with more cells than
// its header: a value holding the separator (comma) must be quoted. It
// starts with "; " to follow the importer's own message.
func QuoteHint(comma rune) string {
	sep := "koma"
	if comma == ';' {
		sep = "titik koma"
	}
	return "; nilai yang memuat " + sep + " harus diapit tanda kutip (\")"
}

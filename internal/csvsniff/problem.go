package csvsniff

import (
	"encoding/csv"
	"errors"
)

// Problem words, in Indonesian for the officer who imports the file, what
// encoding/csv found wrong in a row (the Err of a *csv.ParseError).
func Problem(err error) string {
	switch {
	case errors.Is(err, csv.ErrFieldCount):
		return "jumlah kolom baris ini berbeda dengan baris judul"
	case errors.Is(err, csv.ErrQuote):
		return "tanda kutip (\") berlebih atau hilang pada nilai bertanda kutip"
	case errors.Is(err, csv.ErrBareQuote):
		return "tanda kutip (\") di tengah nilai yang tidak diawali tanda kutip"
	}
	return "baris ini tidak dapat dibaca sebagai CSV"
}

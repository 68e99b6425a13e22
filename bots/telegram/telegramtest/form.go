package telegramtest

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
)

const (
	formType = "application/x-www-form-urlencoded"
	// maxBody is the largest body read, as http.Request.ParseForm allows.
	maxBody = 10 << 20
	// maxFormParams is net/url's default limit on the parameters of a
	// query (the GODEBUG setting urlmaxqueryparams is not consulted).
	maxFormParams = 10000
)

var (
	errTooManyParams = errors.New("too many parameters")
	errSemicolon     = errors.New("invalid semicolon separator")
	errEscape        = errors.New("invalid URL escape")
	errBodyTooLarge  = errors.New("body too large")
	errNoBody        = errors.New("missing form body")
)

// readForm adds r's form parameters to dst: for a form-encoded POST, PUT
// or PATCH the body's, then the query's that the body does not set. It
// fails where http.Request.ParseForm would: on a malformed Content-Type
// (of a request that may have a form body), body or query.
func readForm(dst map[string]string, r *http.Request, contentType, mediaType string, mediaErr error) error {
	switch r.Method {
	case http.MethodPost, http.MethodPut, http.MethodPatch:
		if contentType != "" && mediaErr != nil {
			return mediaErr
		}
		if mediaType != formType {
			break
		}
		if r.Body == nil {
			return errNoBody
		}
		body, err := readBody(r.Body)
		if err != nil {
			return err
		}
		if err := parseForm(dst, body); err != nil {
			return err
		}
	}
	return parseForm(dst, r.URL.RawQuery)
}

var bodyBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// readBody reads a body of at most maxBody bytes into one string.
func readBody(body io.Reader) (string, error) {
	buf := bodyBuffers.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= 64<<10 { // a large body's buffer is left to the GC
			buf.Reset()
			bodyBuffers.Put(buf)
		}
	}()
	if _, err := buf.ReadFrom(io.LimitReader(body, maxBody+1)); err != nil {
		return "", err
	}
	if buf.Len() > maxBody {
		return "", errBodyTooLarge
	}
	return buf.String(), nil
}

// parseForm adds the parameters of the application/x-www-form-urlencoded
// string s to dst, keeping the first value of a key and the values dst
// already holds. Like url.ParseQuery it skips malformed pairs (with a ";"
// or a bad %-escape), returns the first error, and fails without adding
// anything if s has too many parameters. Keys and values without escapes
// are substrings of s.
func parseForm(dst map[string]string, s string) error {
	if strings.Count(s, "&") >= maxFormParams {
		return errTooManyParams
	}
	var err error
	for s != "" {
		var pair string
		pair, s, _ = strings.Cut(s, "&")
		if strings.Contains(pair, ";") {
			if err == nil {
				err = errSemicolon
			}
			continue
		}
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		key, ok := unescapeForm(k)
		if !ok {
			if err == nil {
				err = errEscape
			}
			continue
		}
		value, ok := unescapeForm(v)
		if !ok {
			if err == nil {
				err = errEscape
			}
			continue
		}
		if _, seen := dst[key]; !seen {
			dst[key] = value
		}
	}
	return err
}

// unescapeForm decodes "+" and %-escapes as url.QueryUnescape does and
// reports whether s was well formed.
func unescapeForm(s string) (string, bool) {
	i := runWithout(s, "%+")
	if i == len(s) {
		return s, true
	}
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:i])
	for i < len(s) {
		switch s[i] {
		case '+':
			b.WriteByte(' ')
			i++
		case '%':
			if i+2 >= len(s) {
				return "", false
			}
			hi, ok1 := unhex(s[i+1])
			lo, ok2 := unhex(s[i+2])
			if !ok1 || !ok2 {
				return "", false
			}
			b.WriteByte(hi<<4 | lo)
			i += 3
		default:
			n := runWithout(s[i:], "%+")
			b.WriteString(s[i : i+n])
			i += n
		}
	}
	return b.String(), true
}

// runWithout is the length of the prefix of s without any byte of
// chars (ASCII).
func runWithout(s, chars string) int {
	if i := strings.IndexAny(s, chars); i >= 0 {
		return i
	}
	return len(s)
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

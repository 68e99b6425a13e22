package telegramtest

import (
	"bytes"
	"encoding/json"
	"io"
	"maps"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestParseForm(t *testing.T) {
	cases := []struct {
		in   string
		want map[string]string
		ok   bool
	}{
		{"", map[string]string{}, true},
		{"a=1&b=2", map[string]string{"a": "1", "b": "2"}, true},
		{"a=1&a=2", map[string]string{"a": "1"}, true},
		{"&&a&b=&=c", map[string]string{"a": "", "b": "", "": "c"}, true},
		{"a=1=2", map[string]string{"a": "1=2"}, true},
		{"%41+b=%3c%3E+x%2B", map[string]string{"A b": "<> x+"}, true},
		{"text=%F0%9F%98%80", map[string]string{"text": "😀"}, true},
		{"a=%zz&b=2", map[string]string{"b": "2"}, false},
		{"a=%4&b=2", map[string]string{"b": "2"}, false},
		{"a=%&b=2", map[string]string{"b": "2"}, false},
		{"%=1&b=2", map[string]string{"b": "2"}, false},
		{"a=1;b=2&c=3", map[string]string{"c": "3"}, false},
		{"a=1&a=%zz", map[string]string{"a": "1"}, false},
		{strings.Repeat("a=1&", maxFormParams), map[string]string{}, false},
		{strings.Repeat("a=1&", maxFormParams-1) + "a=1", map[string]string{"a": "1"}, true},
	}
	for _, c := range cases {
		got := make(map[string]string)
		err := parseForm(got, c.in)
		if (err == nil) != c.ok || !maps.Equal(got, c.want) {
			t.Errorf("parseForm(%.40q) = %v, %v; want %v, ok %v", c.in, got, err, c.want, c.ok)
		}
	}

	// Values already present win, as the body's do over the query's.
	got := map[string]string{"a": "body"}
	if err := parseForm(got, "a=query&b=query"); err != nil || got["a"] != "body" || got["b"] != "query" {
		t.Errorf("over existing values: %v, %v", got, err)
	}
}

// FuzzParseForm checks parseForm against net/url.ParseQuery: the same
// success and, keeping each key's first value, the same parameters.
func FuzzParseForm(f *testing.F) {
	for _, s := range []string{
		"", "a=1&b=2", "a=1&a=2", "a=%zz&b=2", "a;b", "%41+b=%3c%3E", "&&=&", "a=%4", "+=+",
		"chat_id=42&parse_mode=HTML&reply_markup=%7B%22inline_keyboard%22%3A%5B%5D%7D&text=%3Cb%3EHalo%3C%2Fb%3E+%26amp%3B",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, wantErr := url.ParseQuery(s)
		got := make(map[string]string)
		err := parseForm(got, s)
		if (err == nil) != (wantErr == nil) {
			t.Fatalf("parseForm(%q) error %v, url.ParseQuery error %v", s, err, wantErr)
		}
		if len(got) != len(want) {
			t.Fatalf("parseForm(%q) = %q, url.ParseQuery %q", s, got, want)
		}
		for k, vs := range want {
			if v, ok := got[k]; !ok || v != vs[0] {
				t.Fatalf("parseForm(%q)[%q] = %q, url.ParseQuery %q", s, k, v, vs)
			}
		}
	})
}

// post sends body with contentType to method and decodes the answer.
func post(t *testing.T, s *Server, method, query, contentType string, body io.Reader) (int, apiResponse) {
	t.Helper()
	return postAs(t, s, s.Token(), method, query, contentType, body)
}

// postAs posts body to method with token and query, and decodes the answer.
func postAs(t testing.TB, s *Server, token, method, query, contentType string, body io.Reader) (int, apiResponse) {
	t.Helper()
	target := s.URL() + "/bot" + token + "/" + method
	if query != "" {
		target += "?" + query
	}
	resp, err := http.Post(target, contentType, body)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r apiResponse
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatalf("%s: undecodable answer: %v", method, err)
	}
	return resp.StatusCode, r
}

func TestFormBodies(t *testing.T) {
	s := NewServer(t)
	bad := []struct{ name, query, contentType, body string }{
		{"bad escape", "", formType, "chat_id=42&text=100%"},
		{"bad escape in a repeated key", "", formType, "chat_id=42&text=a&text=%zz"},
		{"semicolon", "", formType, "chat_id=42;text=a"},
		{"bad query", "x=%zz", formType, "chat_id=42&text=a"},
		{"bad query, no body", "chat_id=42&text=%zz", "", ""},
		{"bad media parameter", "", formType + "; =utf-8", "chat_id=42&text=a"},
		{"bad media type", "", "text/", "chat_id=42&text=a"},
		{"too large", "", formType, "chat_id=42&text=" + strings.Repeat("a", maxBody)},
	}
	for _, c := range bad {
		code, r := post(t, s, "sendMessage", c.query, c.contentType, strings.NewReader(c.body))
		if code != http.StatusBadRequest || r.OK || r.Description != "Bad Request: invalid form body" {
			t.Errorf("%s: %d %+v", c.name, code, r)
		}
	}

	good := []struct{ name, query, contentType, body, text string }{
		{"form", "", formType, "chat_id=42&text=%3Cb%3Eb%3C%2Fb%3E+%26amp%3B&parse_mode=HTML", "b &"},
		{"media type case and parameters", "", "Application/X-WWW-Form-Urlencoded; charset=utf-8", "chat_id=42&text=b", "b"},
		{"body over query", "text=q&chat_id=42", formType, "text=b", "b"},
		{"first value", "", formType, "chat_id=42&text=1&text=2", "1"},
		{"query only", "chat_id=42&text=q", "", "", "q"},
		{"query, other body", "chat_id=42&text=q", "text/plain", "text=b", "q"},
	}
	for _, c := range good {
		code, r := post(t, s, "sendMessage", c.query, c.contentType, strings.NewReader(c.body))
		sent := s.Sent()
		if code != http.StatusOK || !r.OK || sent[len(sent)-1].Plain != c.text {
			t.Errorf("%s: %d %+v, sent %+v", c.name, code, r, sent[len(sent)-1])
		}
	}
}

func TestMultipartBodies(t *testing.T) {
	s := NewServer(t)
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range map[string]string{"chat_id": "42", "text": "<i>m</i>", "parse_mode": "HTML"} {
		if err := mw.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	code, r := post(t, s, "sendMessage", "text=q", mw.FormDataContentType(), bytes.NewReader(body.Bytes()))
	if sent := s.Sent(); code != http.StatusOK || !r.OK || len(sent) != 1 || sent[0].Plain != "m" || sent[0].ChatID != 42 {
		t.Errorf("multipart: %d %+v, sent %+v", code, r, sent)
	}
	code, r = post(t, s, "sendMessage", "", mw.FormDataContentType(), strings.NewReader("--nope"))
	if code != http.StatusBadRequest || r.Description != "Bad Request: invalid multipart body" {
		t.Errorf("malformed multipart: %d %+v", code, r)
	}
	code, r = post(t, s, "sendMessage", "x=%zz", mw.FormDataContentType(), bytes.NewReader(body.Bytes()))
	if code != http.StatusBadRequest || r.Description != "Bad Request: invalid multipart body" {
		t.Errorf("multipart with a bad query: %d %+v", code, r)
	}
}

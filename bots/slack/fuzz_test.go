package slack

import (
	"errors"
	"net/url"
	"strings"
	"testing"
)

// FuzzParseRequests feeds the parsers of the three endpoints whatever
// bytes a signed request could carry: they must never panic, and what
// they accept must have an identity to de-duplicate on.
func FuzzParseRequests(f *testing.F) {
	for _, seed := range []string{
		`{"type":"url_verification","challenge":"c"}`,
		`{"type":"event_callback","event_id":"Ev1","event":{"type":"message","channel_type":"im","user":"U1","text":"halo"}}`,
		`{"type":"block_actions","trigger_id":"t","user":{"id":"U1"},"actions":[{"type":"button","value":"desk:claim:1"}]}`,
		`{"type":"view_submission","user":{"id":"U1"},"view":{"id":"V1","state":{"values":{"a":{"input":{"value":"x"}}}}}}`,
		`command=%2Ffaq&text=cari+ktp&user_id=U1&channel_id=C1&trigger_id=T1`,
		`{"type":"event_callback","event_id":"","event":null}`,
		`{"type":"block_actions","user":{"id":"U1"},"actions":{}}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		check := func(what string, req request, err error) {
			if err == nil && (req.id == "" || req.kind == "" || len(req.payload) == 0) {
				t.Fatalf("%s accepted %q without an identity: %+v", what, body, req)
			}
			if err != nil && !errors.Is(err, errIgnored) && strings.Contains(err.Error(), "\x00") {
				t.Fatalf("%s error carries raw bytes: %q", what, err)
			}
		}
		req, challenge, err := parseEvent(body)
		if challenge == "" {
			check("parseEvent", req, err)
		}
		req, err = parseInteraction(body)
		check("parseInteraction", req, err)
		if form, err := url.ParseQuery(string(body)); err == nil {
			req, err = parseCommand(form)
			check("parseCommand", req, err)
		}
	})
}

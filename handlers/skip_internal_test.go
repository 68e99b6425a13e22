package handlers

import (
	"testing"

	"github.com/tebingtinggi/hub/bots"
)

// Typed "lewati" finds a question's skip button by what the training
// package says the button does, not by its label: a relabelled skip button
// is still found, and an option that happens to read "Lewati" is not one.
func TestSkipPressByData(t *testing.T) {
	for _, tc := range []struct {
		name    string
		buttons [][]bots.Button
		want    string // the question skipped, "" for none
	}{
		{"relabelled", [][]bots.Button{
			{{Text: "Setuju", Data: "sv:7:saran:1"}},
			{{Text: "Lewati pertanyaan ini", Data: "sv:7:saran:-"}},
		}, "saran"},
		{"an option reading Lewati", [][]bots.Button{
			{{Text: "Lewati", Data: "sv:7:pilihan:2"}},
			{{Text: "Mulai survei", Data: "sv:7:start"}},
		}, ""},
		{"no buttons", nil, ""},
	} {
		p, ok := skipPress(bots.Outgoing{Text: "Pertanyaan", Buttons: tc.buttons})
		if got := map[bool]string{true: p.QuestionID}[ok]; got != tc.want || ok && p.RoundID != 7 {
			t.Errorf("%s: skipPress = %+v, %v; want question %q", tc.name, p, ok, tc.want)
		}
	}
}

// Package hostiletest holds the inputs of the hostile-input suite: text an
// attacker, a broken client or a careless paste sends, which every entry
// point of the hub (chat updates, imports, officer replies) must survive
// without failing, storing it raw where it matters, or logging it.
package hostiletest

import "strings"

// Input is one hostile text with a name for test output.
type Input struct{ Name, Text string }

// Inputs are the hostile texts of issue 12's suite.
var Inputs = []Input{
	{"NUL", "ktp saya\x00 hilang"},
	{"lone surrogate", "ktp saya \xed\xa0\x80 hilang"}, // UTF-8 of U+D800: invalid
	{"RTL override", "ktp \u202eagnalih\u202c gmn"},
	{"zero-width joiner", "k\u200dtp hi\u200blang\u200d"},
	{"ANSI and OSC escapes", "ktp \x1b]0;PWNED\x07\x1b[2J\x1b[31mhilang"},
	{"100 KB", strings.Repeat("ktp hilang gmn ", 100<<10/15)},
	{"formula", "=cmd|' /C calc'!A0"},
}

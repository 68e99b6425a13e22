package panics_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/tebingtinggi/hub/internal/panics"
)

func TestCall(t *testing.T) {
	if err := panics.Call(func() error { return nil }); err != nil {
		t.Errorf("no panic: err = %v", err)
	}
	plain := errors.New("plain")
	if err := panics.Call(func() error { return plain }); err != plain {
		t.Errorf("an error: err = %v; want it returned as is", err)
	}
	cases := []struct {
		name string
		fn   func() error
		want string
	}{
		{"runtime error", func() error {
			var m map[string]int
			m["x"] = 1
			return nil
		}, "assignment to entry in nil map"},
		{"string", func() error { panic("ktp hilang atas nama Budi") }, "value of type string"},
		{"error", func() error { panic(errors.New("NIK 1271010101010001")) }, "value of type *errors.errorString"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := panics.Call(c.fn)
			p, ok := errors.AsType[*panics.Error](err)
			if !ok {
				t.Fatalf("err = %v; want a *panics.Error", err)
			}
			if !strings.Contains(p.Error(), c.want) {
				t.Errorf("Error() = %q; want it to contain %q", p.Error(), c.want)
			}
			for _, secret := range []string{"Budi", "1271010101010001"} {
				if strings.Contains(p.Error(), secret) {
					t.Errorf("Error() = %q gives away the panic's data", p.Error())
				}
			}
			if !strings.Contains(string(p.Stack), "panics_test.TestCall") {
				t.Errorf("stack does not reach the panicking function:\n%s", p.Stack)
			}
		})
	}
}

func TestRecovered(t *testing.T) {
	before := panics.Recovered("test")
	panics.Count("test")
	if got := panics.Recovered("test"); got != before+1 {
		t.Errorf("Recovered = %v; want %v", got, before+1)
	}
}

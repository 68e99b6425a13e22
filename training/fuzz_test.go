package training

import (
	"errors"
	"strings"
	"testing"
)

// checkLines fails when err names a line the file in does not have:
// lines are the file's own, however it ends them.
func checkLines(t *testing.T, in string, err error) {
	t.Helper()
	lines := 1 + strings.Count(in, "\n") + strings.Count(in, "\r")
	var ie ImportErrors
	if errors.As(err, &ie) {
		for _, e := range ie {
			if e.Line < 0 || e.Line > lines {
				t.Fatalf("%v: line %d of %d", e, e.Line, lines)
			}
		}
	}
}

// The CSV parsers never panic, and return either rows or an error, never
// both.
func FuzzParseSessions(f *testing.F) {
	f.Add("code,training,start,end,place,online_url,status\nS1,T1,2026-12-03 09:00,2026-12-03 16:00,Aula,,dijadwalkan\n")
	f.Add("code,training,start,end,online_url,tz\nS2,T1,2026-12-07T08:30:00+07:00,2026-12-08T15:00:00+07:00,https://x.id,Asia/Makassar\n")
	f.Add("\uFEFFCODE,Training,START,END,place\n\"S\n3\",T,2026-01-01 00:00,2025-01-01 00:00,\"a\"\"b\"\n")
	f.Add("sep=;\r\ncode;training;start;end;place;;\r\n;;;;;;\r\nS1;T1;2026-12-03 09:00;2026-12-03 16:00;Aula\r\n;;;;;;\r\n")
	f.Add(";;;;\rcode;training;start;end;place\rS1;T1;2026-12-03 09:00;2026-12-03 16:00;\"Aula\nB\"\r;\r")
	f.Fuzz(func(t *testing.T, in string) {
		rows, err := ParseSessions(strings.NewReader(in), "fuzz.csv")
		if err != nil && rows != nil {
			t.Fatal("rows returned with an error")
		}
		checkLines(t, in, err)
		for _, r := range rows {
			if !r.End.After(r.Start) || r.Code == "" {
				t.Fatalf("invalid session accepted: %+v", r)
			}
		}
	})
}

func FuzzParseASN(f *testing.F) {
	f.Add("nip,name,unit,position,supervisor_nip,active\n198001012005011001,Budi,DISKOMINFO,Kabid,,ya\n")
	f.Add("nip,name,unit\n19800101 200501 1 001,A,x\n198001012005011001,B,y\n")
	f.Add("nip,name,unit,active\n\xff,\"\",,maybe\n")
	f.Add("\uFEFF\"sep=;\";;\r\nnip;name;unit;;\r\n198001012005011001;A;X;;\r\n;;;;\r\n;B;;;\r\n")
	f.Add("nip\tname\tunit\r198001012005011001\tA\tX\r\t\t\rx\xe9\r")
	f.Fuzz(func(t *testing.T, in string) {
		rows, err := ParseASN(strings.NewReader(in), "fuzz.csv")
		if err != nil && rows != nil {
			t.Fatal("rows returned with an error")
		}
		checkLines(t, in, err)
		for _, r := range rows {
			if ValidateNIP(r.NIP) != nil || r.Name == "" || r.UnitCode == "" {
				t.Fatalf("invalid ASN accepted: %+v", r)
			}
		}
	})
}

func FuzzParseEnrolments(f *testing.F) {
	f.Add("session,nip,attended\nS1,198001012005011001,\nS1,199203152019032002,ya\n")
	f.Add("nip,session\n198001012005011001,S1\n198001012005011001,S1\n")
	f.Add("session;nip;attended;;;\r\nS1;198001012005011001\r\n;;;;;\r\n;;\r\nS1;199203152019032002;ya;;;")
	f.Fuzz(func(t *testing.T, in string) {
		rows, err := ParseEnrolments(strings.NewReader(in), "fuzz.csv")
		if err != nil && rows != nil {
			t.Fatal("rows returned with an error")
		}
		checkLines(t, in, err)
		seen := map[string]bool{}
		for _, r := range rows {
			if ValidateNIP(r.NIP) != nil || seen[r.Session+"/"+r.NIP] {
				t.Fatalf("invalid or duplicate enrolment accepted: %+v", r)
			}
			seen[r.Session+"/"+r.NIP] = true
		}
	})
}

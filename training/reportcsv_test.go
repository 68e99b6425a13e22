package training

import (
	"bytes"
	"encoding/csv"
	"testing"
)

// TestReportCSVEscapesFormulas: free text from a survey, a unit's or a
// training's name never reaches a spreadsheet as a live formula.
func TestReportCSVEscapesFormulas(t *testing.T) {
	var buf bytes.Buffer
	rows := []csvRow{{round: "1", scope: "text", unit: "@Dinas", question: "+62 atau -", kind: "text",
		detail: `=HYPERLINK("http://x","klik")`, count: "1"}}
	if err := writeCSV(&buf, rows); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	got := recs[1]
	if got[2] != "'@Dinas" || got[4] != "'+62 atau -" || got[13] != `'=HYPERLINK("http://x","klik")` || got[0] != "1" {
		t.Errorf("row written as %q", got)
	}
}

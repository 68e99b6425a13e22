package knowledge

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// testCorpora are two small labelled corpora written for the tests.
func testCorpora() []Corpus {
	one := func(s string) []string { return []string{s} }
	return []Corpus{
		{Name: "dukcapil", Entries: testKB[:4], Queries: []EvalQuery{
			{Q: "ktp sy ilang gmn", Expect: one("ktp-hilang")},
			{Q: "ktp patah mau ganti", Expect: one("ktp-rusak")},
			{Q: "rekam ektp pertama kali dmn", Expect: one("ktp-baru")},
			{Q: "syarat akte lahir anak", Expect: one("akta-kelahiran")},
			{Q: "ktp", Expect: []string{"ktp-baru", "ktp-hilang", "ktp-rusak"}},
			{Q: "cara bikin paspor", Expect: nil},
			{Q: "harga cabai hari ini", Expect: nil},
		}},
		{Name: "kota", Entries: testKB[4:6], Queries: []EvalQuery{
			{Q: "bayar pbb dmn", Expect: one("bayar-pbb")},
			{Q: "jadwal truk sampah", Expect: one("jadwal-sampah")},
			{Q: "sampah ga diangkut seminggu", Expect: one("jadwal-sampah")},
			{Q: "lampu jalan mati", Expect: nil},
		}},
	}
}

func TestFitIsDeterministic(t *testing.T) {
	a, err := EncodeModel(Fit(testCorpora(), DefaultConfig()))
	if err != nil {
		t.Fatal(err)
	}
	b, err := EncodeModel(Fit(testCorpora(), DefaultConfig()))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Fatal("two fits on the same corpora differ")
	}
	m, err := DecodeModel(a)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(m.Corpora, ",") != "dukcapil,kota" || len(m.Answer) != len(featureNames)+1 {
		t.Fatalf("decoded model: %+v", m)
	}
	again, err := EncodeModel(m)
	if err != nil || !bytes.Equal(again, a) {
		t.Fatalf("a decoded model encodes differently (%v)", err)
	}
}

func TestDecodeModelRefusesOtherFeatures(t *testing.T) {
	data := []byte(`{"features":["coverage"],"answer":[0,1],"candidates":[0,1],"calibration":[],"general":{},"corpora":[]}`)
	if _, err := DecodeModel(data); err == nil || !strings.Contains(err.Error(), "hub kb fit") {
		t.Fatalf("a model for other features: %v", err)
	}
}

func TestShippedModelLoads(t *testing.T) {
	m := DefaultModel()
	if len(m.Corpora) == 0 || len(m.General) == 0 || len(m.Calibration) == 0 {
		t.Fatalf("the shipped model lacks a fit: %d corpora, %d general words, %d calibration points",
			len(m.Corpora), len(m.General), len(m.Calibration))
	}
	// General words of citizens' questions weigh less than the names of
	// documents.
	if specificity(m, "syarat") >= specificity(m, "sktm") {
		t.Errorf("specificity(syarat) %.2f ≥ specificity(sktm) %.2f", specificity(m, "syarat"), specificity(m, "sktm"))
	}
}

func TestIsotonicIsMonotone(t *testing.T) {
	var raw []float64
	var right []bool
	for i := 0; i < 200; i++ {
		raw = append(raw, float64(i)/200)
		right = append(right, i%3 != 0 && i > 60)
	}
	pts := isotonic(raw, right)
	if len(pts) < 2 {
		t.Fatalf("%d points", len(pts))
	}
	for i := 1; i < len(pts); i++ {
		if pts[i].Prob < pts[i-1].Prob || pts[i].Raw <= pts[i-1].Raw {
			t.Fatalf("not monotone at %d: %+v", i, pts)
		}
	}
	m := &Model{Calibration: pts}
	if lo, hi := m.calibrate(0.1), m.calibrate(0.9); lo >= hi || lo < 0 || hi > 1 {
		t.Fatalf("calibrate(0.1) = %v, calibrate(0.9) = %v", lo, hi)
	}
}

func TestLeaveOneCorpusOut(t *testing.T) {
	folds := LeaveOneCorpusOut(testCorpora(), DefaultConfig(), nil)
	if len(folds) != 2 || folds[0].Corpus != "dukcapil" || folds[1].Corpus != "kota" {
		t.Fatalf("folds: %+v", folds)
	}
	if folds[0].Engine.Total != 7 || folds[0].Engine.InScope != 5 {
		t.Fatalf("first fold counts: %+v", folds[0].Engine)
	}
	var out bytes.Buffer
	if err := WriteFolds(&out, folds, nil, Resources{}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"dukcapil", "kota", "rata-rata", "membantu", "luar-cakupan", "kalibrasi", "sumber bahasa: tesaurus tidak ada; kamus tidak ada"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}

func TestLoadCorpora(t *testing.T) {
	dir := t.TempDir()
	write := func(path, text string) {
		t.Helper()
		p := filepath.Join(dir, path)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	faq := `{"entries":[{"id":"a","category":"c","question":"Bagaimana cara membuat KTP?","answer":"Ke Disdukcapil."},
		{"id":"b","category":"c","question":"Di mana membayar PBB?","answer":"Di bank."}]}`
	write("faq-public.json", faq)
	write("public-dev.jsonl", `{"q":"bikin ktp","expect":"a"}`+"\n"+`{"q":"pbb","expect":["b","a"]}`+"\n"+`{"q":"cuaca","expect":null}`+"\n")
	write("corpora/z/faq.json", faq)
	write("corpora/z/queries.jsonl", `{"q":"bayar pbb","expect":"b"}`+"\n")
	cs, err := LoadCorpora(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 2 || cs[0].Name != "public" || cs[1].Name != "z" || len(cs[0].Queries) != 3 {
		t.Fatalf("corpora: %+v", cs)
	}
	if got := cs[0].Queries[1].Expect; len(got) != 2 || got[0] != "b" {
		t.Errorf("a list expect reads as %v", got)
	}
	if cs[0].Queries[2].Expect != nil {
		t.Errorf("a null expect reads as %v", cs[0].Queries[2].Expect)
	}
	write("corpora/z/queries.jsonl", `{"q":"bayar pbb","expect":7}`+"\n")
	if _, err := LoadCorpora(dir); err == nil || !strings.Contains(err.Error(), "queries.jsonl:1") {
		t.Fatalf("a bad expect: %v", err)
	}
	if _, err := LoadCorpora(t.TempDir()); err == nil {
		t.Fatal("an empty folder loads")
	}
}

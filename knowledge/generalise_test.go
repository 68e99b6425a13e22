package knowledge

import (
	"testing"
)

func TestMovingDirectionIsReadAsWritten(t *testing.T) {
	cases := []struct {
		text     string
		out, in_ bool
	}{
		{"Bagaimana mengurus pindah masuk dari luar kota?", false, true},
		{"surat pindah keluar kota", true, false},
		{"mau pindah ke luar kota", true, false},
		{"kluar dari tebing, pindah ke medan", true, false},
		{"keluar dari pekerjaan", false, false}, // not about moving
		// The hub serves Tebingtinggi: towards it is in, from it is out.
		{"pindah domisili dr medan ke tebing", false, true},
		{"mau pindah ke kota tebing tinggi", false, true},
		{"pindah dari tebingtinggi ke siantar", true, false},
		{"dari tebing, mau ke medan", false, false}, // not about moving
		// A vehicle or a resident is "dimutasi" as well as moved.
		{"mutasi mobil dari pekanbaru ke tebing", false, true},
		{"cara memutasikan kendaraan keluar daerah", true, false},
	}
	for _, c := range cases {
		fs, _ := facetsOf(c.text)
		if fs.names["dir:out"] != c.out || fs.names["dir:in"] != c.in_ {
			t.Errorf("facetsOf(%q) = %v; want out %v, in %v", c.text, fs.names, c.out, c.in_)
		}
	}
}

func TestIntentRanksTheEntryThatAsksTheSame(t *testing.T) {
	ix := NewIndex(DefaultConfig())
	ix.Load([]Entry{
		// The shorter question scores more on the words both share.
		{Slug: "a-pesan-sedot-tinja", Question: "Pesan sedot tinja", Answer: "Hubungi UPTD melalui telepon."},
		{Slug: "b-biaya-sedot-tinja", Question: "Berapa biaya layanan sedot tinja di kota ini?", Answer: "Retribusi sesuai peraturan daerah."},
		{Slug: "c-jadwal-sampah", Question: "Kapan jadwal angkut sampah?", Answer: "Setiap pagi."},
	}, nil)
	for q, want := range map[string]string{
		"sedot tinja tarifnya brp": "b-biaya-sedot-tinja",
		"sedot tinja gratis ga":    "b-biaya-sedot-tinja",
		"cara pesan sedot tinja":   "a-pesan-sedot-tinja",
	} {
		ranked := ix.snap.Load().rank(q)
		if len(ranked) == 0 {
			t.Fatalf("%q: no candidates", q)
		}
		if got := ix.snap.Load().docs[ranked[0].doc].entry.Slug; got != want {
			t.Errorf("%q ranks %s first; want %s", q, got, want)
		}
	}
}

func TestKnownEverydayWordCountsFully(t *testing.T) {
	ix := NewIndex(DefaultConfig())
	ix.Load([]Entry{
		{Slug: "janda-duda", Question: "Bagaimana cara mengurus surat keterangan janda atau duda?", Answer: "Bawa akta kematian pasangan."},
		{Slug: "usaha", Question: "Bagaimana cara mengurus surat keterangan usaha?", Answer: "Bawa KTP dan foto tempat usaha."},
		{Slug: "domisili", Question: "Bagaimana cara mengurus surat keterangan domisili?", Answer: "Bawa surat pengantar RT."},
	}, nil)
	s := ix.snap.Load()
	ranked := s.rank("surat keterangan janda")
	if len(ranked) == 0 || s.docs[ranked[0].doc].entry.Slug != "janda-duda" {
		t.Fatalf("ranked %+v; want janda-duda first", ranked)
	}
	// Every word of the question is in the entry's question: "janda" is
	// an everyday word, but here it names the service.
	if c := ranked[0].coverage; c < 0.95 {
		t.Errorf("coverage %.2f; want the whole question covered", c)
	}
}

func TestAlternateDoesNotBorrowAnotherEntrysWords(t *testing.T) {
	entries := []Entry{
		{Slug: "balik-nama", Question: "Bagaimana cara balik nama kendaraan bekas?", Answer: "Bawa BPKB, STNK dan kuitansi jual beli ke Samsat."},
		{Slug: "pajak-orang-lain", Question: "Bisakah membayar pajak kendaraan atas nama orang lain?",
			// A citizen's wording an officer taught: it names the other
			// entry's service.
			Alternates: []string{"motor bekas blm dibalik nama, pemilik lama pindah, bs byr pajaknya?"},
			Answer:     "Bisa, cukup dengan STNK asli."},
	}
	ix := NewIndex(DefaultConfig())
	ix.Load(entries, nil)
	s := ix.snap.Load()
	// "motor" is the taught wording's own word, yet the question asks for
	// the other entry's service.
	ranked := s.rank("cara balik nama motor bekas")
	if len(ranked) == 0 || s.docs[ranked[0].doc].entry.Slug != "balik-nama" {
		t.Fatalf("ranked %v first; want balik-nama", s.docs[ranked[0].doc].entry.Slug)
	}
	// The taught wording itself is still answered with its entry.
	res := ix.Search("motor bekas blm dibalik nama, pemilik lama pindah, bs byr pajaknya?")
	if len(res.Candidates) == 0 || res.Candidates[0].Slug != "pajak-orang-lain" {
		t.Errorf("the taught wording: %s %+v; want pajak-orang-lain first", res.Decision, res.Candidates)
	}
}

func TestMostlyUnknownQuestionIsHandedOver(t *testing.T) {
	ix := testIndex(t)
	q := "qwx zzq blorf bayar pbb dmn"
	res := ix.Search(q)
	if res.Decision != Handoff {
		t.Fatalf("%q: %s (confidence %.2f); want handoff", q, res.Decision, res.Confidence)
	}
	if res := ix.Search("bayar pbb dmn"); res.Decision != Answer {
		t.Fatalf("without the unknown words: %s; want answer", res.Decision)
	}
}

func TestSchoolLevelMustMatch(t *testing.T) {
	ix := NewIndex(DefaultConfig())
	ix.Load([]Entry{
		{Slug: "legalisir-ijazah", Question: "Di mana cara melegalisir ijazah SD atau SMP?", Answer: "Di sekolah yang menerbitkan ijazah."},
		{Slug: "jam-perpustakaan", Question: "Kapan jam buka perpustakaan kota?", Answer: "Senin sampai Sabtu."},
	}, nil)
	for q, want := range map[string]int{
		"legalisir ijazah SMA di mana":   1, // the province's school
		"legalisir ijazah kuliah gmn":    1,
		"legalisir ijazah SMP di mana":   0,
		"legalisir ijazah anak di mana?": 0, // names no level
	} {
		ranked := ix.snap.Load().rank(q)
		if len(ranked) == 0 {
			t.Fatalf("%q: no candidates", q)
		}
		if got := ranked[0].conflict; got != want {
			t.Errorf("%q: %d conflicts with %s; want %d", q, got, ix.snap.Load().docs[ranked[0].doc].entry.Slug, want)
		}
		if res := ix.Search(q); want > 0 && res.Decision == Answer {
			t.Errorf("%q is answered with %s; a question about another school level must not be", q, res.Entry.Slug)
		}
	}
}

func TestLowRecallNeedsMoreConfidence(t *testing.T) {
	cfg := DefaultConfig()
	ix := NewIndex(cfg)
	cases := []struct {
		recall, answerConfidence, want float64
	}{
		{0.3, 0.8, 0.8},
		{minAnswerRecall, 0.8, 0.8},
		{0.01, 0.8, lowRecallConfidence},
		{0, 0.95, 0.95}, // a stricter threshold stays stricter
	}
	for _, c := range cases {
		ix.cfg.AnswerConfidence = c.answerConfidence
		if got := ix.answerBar(features{recall: c.recall}); got != c.want {
			t.Errorf("recall %.2f, threshold %.2f: bar %.2f; want %.2f", c.recall, c.answerConfidence, got, c.want)
		}
	}
}

func TestAlternateDoesNotNarrowWhatAnEntryIsAbout(t *testing.T) {
	entries := []Entry{
		// Open in the document group: it serves any document. A taught
		// wording names one of them.
		{Slug: "legalisir", Question: "Bagaimana cara legalisir dokumen di kelurahan?",
			Alternates: []string{"legalisir akta lahir anak dmn"},
			Answer:     "Bawa dokumen asli dan fotokopinya ke loket pelayanan."},
		// Committed to the KTP: its alternate may name the KK beside it.
		{Slug: "ktp-kk-hilang", Question: "KTP hilang, apa yang harus dilakukan?",
			Alternates: []string{"KK dan KTP hilang kena banjir"},
			Answer:     "Minta surat kehilangan dari polsek, lalu ke Disdukcapil."},
	}
	ix := NewIndex(DefaultConfig())
	ix.Load(entries, nil)
	s := ix.snap.Load()
	cases := []struct {
		query, slug string
		conflict    int
	}{
		{"legalisir ijazah", "legalisir", 0},         // the alternate does not commit the entry to the akta
		{"legalisir akta kelahiran", "legalisir", 0}, // nor keep it from the akta
		{"kk hilang", "ktp-kk-hilang", 0},            // an alternate widens a group the question names
		{"akta hilang", "ktp-kk-hilang", 1},          // and the group still excludes the rest
	}
	for _, c := range cases {
		found := false
		for _, r := range s.rank(c.query) {
			if s.docs[r.doc].entry.Slug != c.slug {
				continue
			}
			found = true
			if r.conflict != c.conflict {
				t.Errorf("%q with %s: %d conflicts; want %d", c.query, c.slug, r.conflict, c.conflict)
			}
		}
		if !found {
			t.Errorf("%q: %s not ranked", c.query, c.slug)
		}
	}
	// What an alternate names still counts as agreement.
	found := false
	for _, r := range s.rank("legalisir akta") {
		if s.docs[r.doc].entry.Slug == "legalisir" {
			found = true
			if r.agree != 1 {
				t.Errorf("legalisir akta: agree %d; want 1 (the alternate names the akta)", r.agree)
			}
		}
	}
	if !found {
		t.Error("legalisir akta: legalisir not ranked")
	}
}

func TestMovingToTheCityIsNotMovingOut(t *testing.T) {
	ix := NewIndex(DefaultConfig())
	ix.Load([]Entry{
		{Slug: "pindah-keluar", Question: "Bagaimana cara mengurus surat pindah keluar dari Kota Tebingtinggi?",
			Alternates: []string{"Saya mau pindah domisili ke kota lain, bagaimana mengurusnya?"},
			Answer:     "Ajukan SKPWNI di Disdukcapil."},
		{Slug: "pindah-datang", Question: "Bagaimana cara melapor pindah datang ke Kota Tebingtinggi?",
			Answer: "Bawa SKPWNI dari daerah asal ke Disdukcapil."},
		{Slug: "kk-baru", Question: "Bagaimana cara membuat Kartu Keluarga baru?", Answer: "Bawa buku nikah."},
	}, nil)
	res := ix.Search("pindah domisili dr medan ke tebing")
	for _, c := range res.Candidates {
		if c.Slug == "pindah-keluar" {
			t.Fatalf("%s %+v: moving to the city offered the entry on moving out", res.Decision, res.Candidates)
		}
	}
	if len(res.Candidates) == 0 || res.Candidates[0].Slug != "pindah-datang" {
		t.Errorf("%s %+v; want pindah-datang first", res.Decision, res.Candidates)
	}
}

func TestAlternateDoesNotNarrowWhatAnEntryAsks(t *testing.T) {
	ix := NewIndex(DefaultConfig())
	ix.Load([]Entry{
		// The question asks nothing in particular of the service; a
		// taught wording asks the cost.
		{Slug: "legalisir", Question: "Legalisir dokumen di kelurahan",
			Alternates: []string{"biaya legalisir berapa"},
			Answer:     "Bawa dokumen asli dan fotokopinya."},
		// This one asks the cost; its alternate may add the time.
		{Slug: "biaya-sewa", Question: "Berapa biaya sewa gedung serbaguna?",
			Alternates: []string{"kapan gedung bisa disewa"},
			Answer:     "Sesuai peraturan daerah."},
	}, nil)
	s := ix.snap.Load()
	for q, slug := range map[string]string{"jam buka legalisir": "legalisir", "jadwal sewa gedung": "biaya-sewa"} {
		found := false
		for _, r := range s.rank(q) {
			if s.docs[r.doc].entry.Slug != slug {
				continue
			}
			found = true
			if r.intentConflict {
				t.Errorf("%q with %s: the intents conflict; want the alternate not to narrow the entry", q, slug)
			}
		}
		if !found {
			t.Errorf("%q: %s not ranked", q, slug)
		}
	}
}

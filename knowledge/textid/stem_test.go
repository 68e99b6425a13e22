package textid

import (
	"bufio"
	"os"
	"strings"
	"testing"
)

// TestStem checks hand-picked words, one or more per rule, whose stems were
// verified against PostgreSQL's indonesian_stem dictionary.
func TestStem(t *testing.T) {
	tests := []struct{ word, want string }{
		// Short words (at most two vowels) are left alone.
		{"ktp", "ktp"}, {"kk", "kk"}, {"baru", "baru"}, {"lama", "lama"},
		{"meja", "meja"}, {"17", "17"}, {"", ""},
		// Particles -kah, -lah, -pun.
		{"apakah", "apa"}, {"bagaimanakah", "bagaimana"}, {"datanglah", "datang"},
		{"walaupun", "walau"}, {"bacalah", "baca"},
		// Possessive pronouns -ku, -mu, -nya, also after a particle.
		{"rumahnya", "rumah"}, {"rumahku", "rumah"}, {"rumahmu", "rumah"},
		{"miliknyalah", "milik"}, {"bajunyapun", "baju"},
		// meng-/men-/me-, with recoding of meny- and mem-.
		{"mengurus", "urus"}, {"mengambil", "ambil"}, {"mendaftar", "daftar"},
		{"menulis", "ulis"}, {"menyapu", "sapu"}, {"menyampaikan", "sampai"},
		{"memakai", "paka"}, {"membuat", "buat"}, {"membayar", "bayar"},
		{"memotong", "potong"}, {"mempunyai", "punya"},
		// peng-/pen-/pem-/peny- with -an.
		{"pengurusan", "urus"}, {"pendaftaran", "daftar"}, {"pembayaran", "bayar"},
		{"penyaluran", "salur"}, {"pemakai", "pakai"}, {"pemeliharaan", "pelihara"},
		{"pemerintahan", "perintah"}, {"pemeriksaan", "periksa"},
		// di-, ter-, ke-.
		{"diperbaiki", "baik"}, {"dirahasiakan", "rahasia"}, {"diurus", "urus"},
		{"terdaftar", "daftar"}, {"terverifikasi", "verifikasi"},
		{"kebersihan", "bersih"}, {"kelahiran", "lahir"}, {"kedudukan", "duduk"},
		{"kependudukan", "nduduk"}, {"kematian", "mati"},
		// Second-order prefixes, alone and after a first-order prefix.
		{"berkeluarga", "keluarga"}, {"bekerja", "kerja"}, {"beserta", "serta"},
		{"belajar", "ajar"}, {"pelajar", "ajar"}, {"pelajaran", "ajar"},
		{"mempelajari", "ajar"}, {"perizinan", "izin"}, {"perbaikan", "baik"},
		{"peledakan", "ledak"}, {"pelayanan", "layan"}, {"pekerja", "kerja"},
		{"memperbaiki", "baik"}, {"mempermudah", "permudah"},
		// Suffix restrictions: -kan/-an/-i by prefix class, "-si" words.
		{"pendapatan", "dapat"}, {"mendapatkan", "dapat"}, {"dinasihati", "nasihat"},
		{"televisi", "televisi"}, {"komunikasi", "komunikasi"}, {"sosialisasi", "sosialisasi"},
		{"tebingtinggi", "tebingtingg"}, {"berapa", "apa"},
		// Recoding leaves the cursor past the replacement letter.
		{"memebelajarilah", "pebelajar"}, {"memebererkannya", "peberer"},
	}
	for _, tt := range tests {
		if got := Stem(tt.word); got != tt.want {
			t.Errorf("Stem(%q) = %q, want %q", tt.word, got, tt.want)
		}
	}
}

// oraclePairs reads testdata/stem_oracle.txt: words with the stems
// PostgreSQL gave for them.
func oraclePairs(t testing.TB) [][2]string {
	t.Helper()
	f, err := os.Open("testdata/stem_oracle.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var pairs [][2]string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		word, stem, ok := strings.Cut(line, " ")
		if !ok {
			t.Fatalf("bad oracle line %q", line)
		}
		pairs = append(pairs, [2]string{word, stem})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return pairs
}

// TestStemRecordedOracle compares Stem with the stems PostgreSQL gave when
// the word list was recorded, so the whole list is checked without a
// server. TestStemPostgresOracle re-asks a live server.
func TestStemRecordedOracle(t *testing.T) {
	pairs := oraclePairs(t)
	if len(pairs) < 300 {
		t.Fatalf("only %d oracle words", len(pairs))
	}
	for _, p := range pairs {
		if got := Stem(p[0]); got != p[1] {
			t.Errorf("Stem(%q) = %q, PostgreSQL gave %q", p[0], got, p[1])
		}
	}
}

// TestStemInvariants checks properties that hold for every word.
func TestStemInvariants(t *testing.T) {
	for _, p := range oraclePairs(t) {
		w, s := p[0], Stem(p[0])
		if s == "" {
			t.Errorf("Stem(%q) is empty", w)
		}
		if len(s) > len(w) {
			t.Errorf("Stem(%q) = %q is longer than the word", w, s)
		}
	}
}

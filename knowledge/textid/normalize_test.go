package textid

import (
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestNormalize(t *testing.T) {
	tests := []struct{ name, in, want string }{
		// Case, punctuation, emoji, numbers.
		{"empty", "", ""},
		{"spaces only", "  \t\n ", ""},
		{"symbols only", "!!! ??? 😅🙏", ""},
		{"mixed case", "CEMANA Buat KTP Baru", "bagaimana buat ktp baru"},
		{"punctuation", "ktp, kk; akta!!! (baru)...", "ktp kk akta baru"},
		{"emoji", "lampu jalan padam😡lapor kmn", "lampu jalan padam lapor kemana"},
		{"numbers kept", "anak sy 17 thn", "anak saya 17 tahun"},
		{"thousands", "biaya Rp 50.000 atau 1.500.000", "biaya rp 50000 atau 1500000"},
		{"decimal comma splits", "umur 5,5", "usia 5 5"},
		{"number with unit", "dimintai 50rb, umur 17thn", "dimintai 50 ribu usia 17 tahun"},
		{"alphanumeric codes", "syarat AK1, SP4N, PBB-P2", "syarat ak1 sp4n pbb p2"},
		{"apostrophe", "hari Jum'at", "hari jumat"},
		{"curly apostrophe", "Jum’at", "jumat"},
		{"url", "lapor.go.id", "lapor go id"},
		{"slash", "pelajar/mhs", "pelajar mahasiswa"},
		{"accents", "Café Résumé", "cafe resume"},
		{"full width", "ＫＴＰ ｈｉｌａｎｇ", "ktp hilang"},
		{"combining mark", "cafe\u0301", "cafe"},
		{"sql-ish", "'; DROP TABLE faq; --", "drop table faq"},
		{"invalid utf8", "ktp\xff\xfehilang", "ktp hilang"},

		// Elongation.
		{"elongation", "bangettt pleaseee tolonggg", "banget tolong tolong"},
		{"elongated greeting", "selamat pagiii", "selamat pagi"},
		{"double letter kept", "maaaaf min", "maaf min"},
		{"double letters untouched", "maaf saat kk pbb", "maaf saat kk pbb"},
		{"digits not collapsed", "tahun 2000 nomor 1111", "tahun 2000 nomor 1111"},

		// Reduplication.
		{"redup hyphen", "anak-anak", "anak"},
		{"redup 2", "anak2 sy", "anak saya"},
		{"redup with suffix", "kecil-kecilan kecil2an", "kecilan kecilan"},
		{"redup prefix", "sehari-hari berbulan-bulan", "sehari berbulan"},
		{"redup with enclitic", "anak-anaknya step2nya", "anaknya stepnya"},
		{"code with 2 kept", "sp2d kk2", "sp2d kk2"},
		{"other hyphens split", "senin-jumat", "senin jumat"},

		// Chat abbreviations.
		{"question words", "gmn brp kpn dmn knp", "bagaimana berapa kapan dimana mengapa"},
		{"negation", "gak ga nggak tdk gk enggak tak", "tidak tidak tidak tidak tidak tidak tidak"},
		{"aspect", "udh sdh blm blum bkn", "sudah sudah belum belum bukan"},
		{"function words", "yg dgn utk krn klo tp", "yang dengan untuk karena kalau tapi"},
		{"pronouns", "sy aku gw kmu", "saya saya saya kamu"},
		{"time", "tgl brp bln dpn skrg", "tanggal berapa bulan depan sekarang"},
		{"verbs", "bikin ngurus ilang dapet", "buat urus hilang dapat"},
		{"jakarta suffix", "bs dirahasiain gak", "bisa dirahasiakan tidak"},
		{"honorifics kept", "min kak bang bu pak", "min kak bang bu pak"},
		{"laughter", "wkwkwk hahaha", "haha haha"},
		{"thanks", "makasih min", "terimakasih min"},
		{"thanks phrase", "terima kasih", "terimakasih"},

		// Medan and North Sumatra forms.
		{"cemana", "cemana ngurusnya", "bagaimana urus nya"},
		{"kek mana", "kek mana caranya", "bagaimana caranya"},
		{"macam mana", "macam mana ini", "bagaimana ini"},
		{"kayak mana", "kyk mana", "bagaimana"},
		{"awak", "awak udah 17 tahun", "saya sudah 17 tahun"},
		{"kelen", "kelen tau", "kalian tahu"},
		{"kereta is a motorbike", "pajak kereta", "pajak motor"},
		{"kereta api is a train", "kereta api ke medan", "keretaapi ke medan"},
		{"pajak untouched", "bayar pajak", "bayar pajak"},
		{"pigi nengok", "pigi nengok", "pergi lihat"},
		{"tebing", "di tebing tinggi", "di tebingtinggi"},

		// Where.
		{"di mana", "di mana kantornya", "dimana kantornya"},
		{"di mana across punctuation", "di, mana", "dimana"},
		{"ke mana", "lapor ke mana", "lapor kemana"},

		// KTP forms.
		{"ktp", "KTP", "ktp"},
		{"e-ktp", "e-KTP", "ktp"},
		{"e ktp", "e ktp", "ktp"},
		{"ektp", "ektp", "ktp"},
		{"ktp-el", "KTP-el", "ktp"},
		{"ktp el", "ktp el", "ktp"},
		{"ktpel", "ktpel", "ktp"},
		{"ktp elektronik", "KTP Elektronik", "ktp"},
		{"kartu tanda penduduk", "Kartu Tanda Penduduk", "ktp"},
		{"kartu tanda penduduk elektronik", "kartu tanda penduduk elektronik", "ktp"},
		{"e-ktp-el", "e-ktp-el", "ktp"},
		{"ktp nya", "ktpnya ilang", "ktp nya hilang"},
		{"ktp digital", "ktp digital", "ikd"},

		// Other documents.
		{"kartu keluarga", "Kartu Keluarga (KK)", "kk kk"},
		{"kks", "kartu keluarga sejahtera", "kks"},
		{"kia", "kartu identitas anak", "kia"},
		{"akte", "akte lahir", "akta kelahiran"},
		{"pirt", "P-IRT dan SPP-IRT", "pirt dan spp pirt"},
		{"ak/1", "kartu AK/1", "ak1"},
		{"bpjs tk", "bpjs tk", "bpjs ketenagakerjaan"},
		{"capil", "ke capil", "ke disdukcapil"},
		{"mpp", "Mal Pelayanan Publik", "mpp"},
		{"kel", "kel. bandar sakti", "kelurahan bandar sakti"},
		{"sim spelled out", "Surat Izin Mengemudi (SIM) mati", "sim sim mati"},
		{"izin mengemudi", "izin mengemudi sy habis", "sim saya habis"},
		{"stnk spelled out", "surat tanda nomor kendaraan bermotor", "stnk bermotor"},
		{"tnkb", "tanda nomor kendaraan bermotor (TNKB)", "tnkb tnkb"},
		{"plat", "plat kereta copot", "pelat motor copot"},
		{"bbn", "BBN mobil second", "bea balik nama mobil bekas"},

		// English words in chat.
		{"requirement", "requirement nya apa", "syarat nya apa"},
		{"password", "lupa password apk", "lupa sandi aplikasi"},
		{"free", "les free", "les gratis"},

		// Long messages.
		{"story", "bang dompet awak jatuh pas naik kereta, ktp pun ikut ilang. kek mana ngurusnya ni",
			"bang dompet saya jatuh pas naik motor ktp pun ikut hilang bagaimana urus nya ni"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Normalize(tt.in)
			if got != tt.want {
				t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if again := Normalize(got); again != got {
				t.Errorf("not idempotent: Normalize(%q) = %q", got, again)
			}
		})
	}
}

func TestTokens(t *testing.T) {
	if got := Tokens(""); got != nil {
		t.Errorf("Tokens(\"\") = %q, want nil", got)
	}
	if got := Tokens("?!"); got != nil {
		t.Errorf("Tokens(\"?!\") = %q, want nil", got)
	}
	got := Tokens("Gmn bikin E-KTP, min?")
	want := []string{"bagaimana", "buat", "ktp", "min"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Tokens = %q, want %q", got, want)
	}
}

func TestNormalizeLongInput(t *testing.T) {
	long := strings.Repeat("gmn bikin e-ktp 😅 kek mana ngurusnya anak2 bangettt ", 2000) // ~100 KB
	got := Normalize(long)
	if !utf8.ValidString(got) || Normalize(got) != got {
		t.Fatal("long input not normalized consistently")
	}
	one := strings.Repeat("a", 100_000)
	if got := Normalize(one); got != "a" {
		t.Errorf("100 KB of 'a' normalized to %d bytes", len(got))
	}
	digits := strings.Repeat("7", 100_000)
	if got := Normalize(digits); got != digits {
		t.Error("digits were changed")
	}
}

func TestTerms(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"ya min, makasih 🙏", nil},
		{"KTP sy ilang, cemana ngurusnya min?", []string{"ktp", "hilang", "bagaimana", "urus"}},
		{"Bagaimana cara mengurus penggantian KTP-el yang hilang?",
			[]string{"bagaimana", "cara", "urus", "ganti", "ktp", "hilang"}},
		{"bikin kk baru", []string{"buat", "kk", "baru"}},
		{"kartu keluarga belum jadi", []string{"kk", "belum"}},
		{"apa saja persyaratan pendaftaran", []string{"apa", "syarat", "daftar"}},
		{"dimana tempat pembayaran pbb", []string{"mana", "tempat", "bayar", "pbb"}},
		{"tidak bisa, sudah rusak", []string{"tidak", "sudah", "rusak"}},
	}
	for _, tt := range tests {
		if got := Terms(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Terms(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	// Question and FAQ text meet on the same terms.
	q := Terms("e-ktp sy ilang gmn ngurusnya")
	faq := Terms("Bagaimana cara mengurus KTP elektronik yang hilang?")
	for _, term := range q {
		found := false
		for _, f := range faq {
			found = found || f == term
		}
		if !found {
			t.Errorf("question term %q not in FAQ terms %q", term, faq)
		}
	}
}

func TestIsStopword(t *testing.T) {
	for _, w := range []string{
		"yang", "dan", "di", "ke", "saya", "kamu", "nya", "sih", "dong", "deh",
		"nih", "ni", "tu", "kok", "loh", "kan", "ya", "bah", "lah", "pun",
		"rupanya", "entah", "min", "kak", "bang", "bu", "pak", "tolong",
		"mohon", "terimakasih", "saja", "juga", "kali",
	} {
		if !IsStopword(w) {
			t.Errorf("IsStopword(%q) = false, want true", w)
		}
	}
	for _, w := range []string{
		"apa", "apakah", "bagaimana", "berapa", "kapan", "dimana", "kemana",
		"darimana", "mana", "siapa", "mengapa", "cara", "baru", "buat",
		"tidak", "bukan", "belum", "sudah", "hilang", "rusak", "lama", "ganti",
		"jangan", "masih", "lagi", "pernah", "sebelum", "sesudah", "setelah",
		"perlu", "wajib", "dapat", "bayar", "gratis", "urus", "syarat",
		"ibu", "bapak", "anak", "ktp", "kk", "pajak", "motor", "17", "",
	} {
		if IsStopword(w) {
			t.Errorf("IsStopword(%q) = true, want false", w)
		}
	}
}

// TestLexicon checks that the lexicon is consistent: keys look like
// tokens, every expansion is a fixed point, phrases do not clash.
func TestLexicon(t *testing.T) {
	if len(lexiconProblems) > 0 {
		t.Errorf("lexicon problems: %q", lexiconProblems)
	}
	keys := make([]string, 0, len(wordLexicon))
	for k := range wordLexicon {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !isTokenForm(k) {
			t.Errorf("word key %q is not a normalized token", k)
		}
		if hasLongRun(k) {
			t.Errorf("word key %q is unreachable (elongation collapses it)", k)
		}
		v := wordLexicon[k]
		if v == "" {
			t.Errorf("word key %q maps to nothing", k)
		}
		if got := Normalize(k); got != v {
			t.Errorf("Normalize(%q) = %q, want %q", k, got, v)
		}
		checkFixedPoint(t, k, v)
	}
	for k, v := range phraseLexicon {
		for _, w := range strings.Fields(k) {
			if !isTokenForm(w) {
				t.Errorf("phrase key %q has non-token %q", k, w)
			}
		}
		if got := Normalize(k); got != v {
			t.Errorf("Normalize(%q) = %q, want %q", k, got, v)
		}
		checkFixedPoint(t, k, v)
	}
	for u, v := range unitLexicon {
		if got := Normalize("12" + u); got != "12 "+v {
			t.Errorf("Normalize(%q) = %q, want %q", "12"+u, got, "12 "+v)
		}
	}
}

func checkFixedPoint(t *testing.T, key, value string) {
	t.Helper()
	for _, w := range strings.Fields(value) {
		if got := Normalize(w); got != w {
			t.Errorf("%q -> %q: canonical token %q is not a fixed point (-> %q)", key, value, w, got)
		}
	}
}

func isTokenForm(w string) bool {
	if w == "" {
		return false
	}
	for i := 0; i < len(w); i++ {
		if !isLetterByte(w[i]) && !isDigitByte(w[i]) {
			return false
		}
	}
	return true
}

var benchQuestion = "bang dompet awak jatuh pas naik kereta dkt simpang, ktp pun ikut ilang. kek mana ngurusnya ni"

func BenchmarkNormalize(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		Normalize(benchQuestion)
	}
}

func BenchmarkTerms(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		Terms(benchQuestion)
	}
}

// TestNormalizeIdempotentCombinations glues lexicon words together in many
// ways and checks that normalizing twice changes nothing, which the fuzzer
// is slow to find through random bytes.
func TestNormalizeIdempotentCombinations(t *testing.T) {
	var vocab []string
	for k, v := range wordLexicon {
		vocab = append(vocab, k, v)
	}
	for k, v := range phraseLexicon {
		vocab = append(vocab, strings.Fields(k)...)
		vocab = append(vocab, v)
	}
	vocab = append(vocab, "e", "el", "api", "anak", "2", "nya", "aaa", "ha", "17", "rb")
	sort.Strings(vocab)
	seps := []string{" ", "-", "", "2", "nya ", ". ", "'"}
	rnd := uint64(1)
	next := func(n int) int {
		rnd ^= rnd << 13
		rnd ^= rnd >> 7
		rnd ^= rnd << 17
		return int(rnd % uint64(n))
	}
	for i := 0; i < 30000; i++ {
		var b strings.Builder
		for j, n := 0, 1+next(4); j < n; j++ {
			b.WriteString(vocab[next(len(vocab))])
			b.WriteString(seps[next(len(seps))])
		}
		in := b.String()
		got := Normalize(in)
		if again := Normalize(got); again != got {
			t.Fatalf("not idempotent: %q -> %q -> %q", in, got, again)
		}
	}
}

// TestNormalizeAdversarial feeds large, repetitive inputs that could expose
// quadratic behaviour or unstable rewriting.
func TestNormalizeAdversarial(t *testing.T) {
	inputs := map[string]string{
		"hyphens":   strings.Repeat("a-", 50000),
		"accents":   strings.Repeat("é", 50000),
		"runs":      strings.Repeat("aaab", 25000),
		"redup":     strings.Repeat("anak2", 20000),
		"phrases":   strings.Repeat("kek mana ", 10000),
		"ktp forms": strings.Repeat("e ktp el ", 10000),
		"enclitic":  strings.Repeat("ktpnya", 16000),
		"dots":      strings.Repeat("1.000", 20000),
		"quotes":    strings.Repeat("a'", 50000),
		"combining": "a" + strings.Repeat("\u0301", 30000),
		"mixed":     strings.Repeat("a-a2'x.", 15000),
		"laughter":  strings.Repeat("ha", 50000),
		"long ktp":  strings.Repeat("kartu tanda penduduk elektronik ", 3000),
		"invalid":   strings.Repeat("\xff", 100000),
	}
	for name, in := range inputs {
		start := time.Now()
		out := Normalize(in)
		Terms(in)
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("%s: took %v", name, d)
		}
		if !utf8.ValidString(out) || Normalize(out) != out {
			t.Errorf("%s: output invalid or not idempotent", name)
		}
	}
}

func TestIsEveryday(t *testing.T) {
	for _, w := range []string{"dompet", "kemarin", "motor", "tetangga", "simpang"} {
		if !IsEveryday(w) {
			t.Errorf("IsEveryday(%q) = false, want true", w)
		}
	}
	for _, w := range []string{"paspor", "npwp", "ktp", "pajak", "izin", "skck", "sertifikat"} {
		if IsEveryday(w) {
			t.Errorf("IsEveryday(%q) = true: a service word must stay salient", w)
		}
	}
}

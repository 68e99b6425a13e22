package textid

// IsEveryday reports whether a normalized word belongs to everyday
// Indonesian vocabulary — family, time, places, objects, the body,
// feelings, ordinary verbs — rather than to the vocabulary of a public
// service (documents, offices, programmes, acronyms).
//
// The search engine uses it for words its knowledge base has never seen:
// a citizen's story is full of everyday words that say nothing about which
// service is meant ("dompet saya jatuh di simpang kemarin"), while an
// unseen service word ("paspor", "npwp") is strong evidence that the
// question is about something the knowledge base does not cover.
func IsEveryday(word string) bool {
	_, ok := everyday[word]
	return ok
}

// everyday lists common words by theme. It deliberately leaves out words
// that name services or their objects, even common ones (pajak, surat,
// izin, bantuan, sekolah, pasar murah), so that an unseen one still counts.
var everyday = setOf(
	// people and family
	"orang", "bapak", "ibu", "ayah", "mamak", "mama", "papa", "abang", "adik", "kakak", "nenek", "kakek",
	"suami", "istri", "anak", "cucu", "keluarga", "saudara", "sepupu", "paman", "bibi", "tante", "om",
	"mertua", "menantu", "tetangga", "teman", "kawan", "pacar", "balita", "remaja",
	"almarhum", "almarhumah", "janda", "duda", "lajang", "bujang", "gadis", "laki", "perempuan", "pria", "wanita",
	"warga", "masyarakat", "kami", "kita", "mereka", "dia", "beliau", "semua", "sendiri", "berdua", "bertiga",
	// time
	"hari", "minggu", "bulan", "tahun", "jam", "menit", "detik", "pagi", "siang", "sore", "malam", "subuh",
	"kemarin", "kemaren", "kmrn", "besok", "lusa", "tadi", "nanti", "sekarang", "dulu", "lalu", "depan",
	"senin", "selasa", "rabu", "kamis", "jumat", "sabtu", "seminggu", "sebulan", "setahun", "sehari",
	"awal", "akhir", "pertengahan", "lama", "baru", "cepat", "lambat", "telat", "terlambat", "segera",
	"sering", "jarang", "kadang", "selalu", "pernah", "sempat", "sedang", "masih", "lagi", "terus",
	// places and the street
	"rumah", "kampung", "desa", "kota", "jalan", "gang", "simpang", "lorong", "pinggir", "tengah", "ujung",
	"dekat", "jauh", "sini", "situ", "sana", "atas", "bawah", "dalam", "luar", "samping", "belakang",
	"lapangan", "taman", "sungai", "parit-parit", "lahan", "tanah-tanah", "kebun", "sawah", "ladang", "pasar",
	"toko", "warung", "kedai", "kios", "ruko", "masjid", "gereja", "musala", "kantor", "gedung", "lantai",
	"medan", "binjai", "pekanbaru", "jakarta", "siantar", "pematangsiantar", "kisaran", "lubukpakam", "sergai",
	// getting about
	"motor", "mobil", "becak", "angkot", "bus", "truk", "sepeda", "kereta", "keretaapi", "ojek", "ojol",
	"naik", "turun", "pergi", "pulang", "datang", "lewat", "sampai", "berangkat",
	// things
	"dompet", "tas", "hp", "handphone", "ponsel", "telepon", "pulsa", "kuota", "uang", "duit", "barang",
	"kunci", "pintu", "jendela", "atap", "dinding", "meja", "kursi", "baju", "sepatu", "buku", "kertas",
	"foto", "gambar", "video", "pesan", "chat", "akun", "aplikasi", "internet", "online", "link", "email",
	// the body, health in general, feelings
	"badan", "kepala", "tangan", "kaki", "mata", "sakit", "sehat", "capek", "lelah", "lapar", "haus",
	"senang", "sedih", "marah", "kesal", "takut", "bingung", "malu", "khawatir", "cemas", "stres", "pusing",
	"panas", "dingin", "hujan", "angin", "cuaca", "gelap", "terang", "bau", "kotor", "bersih",
	// ordinary verbs and adjectives
	"jatuh", "ketinggalan", "lupa", "ingat", "tahu", "kenal", "lihat", "dengar", "bilang",
	"kata", "cerita", "tanya", "jawab", "minta", "kasih", "beri", "ambil", "bawa", "taruh", "simpan",
	"pakai", "pake", "coba", "mulai", "selesai", "tunggu", "cari", "dapat", "punya", "ada", "mau", "ingin",
	"pengen", "perlu", "harus", "boleh", "bisa", "sudah", "belum", "tolong", "bantu", "kerja", "makan",
	"minum", "tidur", "bangun", "duduk", "berdiri", "main", "beli", "jual", "buka", "tutup",
	"besar", "kecil", "tinggi", "rendah", "panjang", "pendek", "banyak", "sedikit", "penuh", "kosong",
	"bagus", "jelek", "enak", "susah", "mudah", "gampang", "ribet", "repot", "aman", "benar", "salah",
	"betul", "penting", "biasa", "umum", "sama", "beda", "lain", "lainnya", "semuanya", "apapun", "sekali",
	"kali", "sangat", "banget", "paling", "cukup", "hampir", "kira", "mungkin", "katanya", "rupanya",
	// numbers and counting words
	"satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan", "sepuluh", "puluh",
	"ratus", "ribu", "juta", "kedua", "ketiga", "pertama", "terakhir", "setengah", "separuh",
)

func setOf(words ...string) map[string]struct{} {
	m := make(map[string]struct{}, len(words))
	for _, w := range words {
		m[w] = struct{}{}
	}
	return m
}

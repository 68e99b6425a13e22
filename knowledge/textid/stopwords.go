package textid

// stopwordList holds normalized words that carry no meaning for search.
//
// Deliberately absent, because they change what a citizen asks: question
// words (apa, apakah, bagaimana, berapa, kapan, dimana, kemana, darimana,
// mana, siapa, mengapa, cara), negation and aspect (tidak, bukan, belum,
// sudah, jangan, masih, lagi, pernah), time relations (sebelum, sesudah,
// setelah, sampai, lama, baru), and verbs and states (buat, urus, ganti,
// hilang, rusak, perlu, wajib, dapat, boleh, bayar, gratis). Words like
// "ibu" and "bapak" stay too ("ibu hamil", "bapak saya meninggal"); only
// their vocative short forms "bu" and "pak" are dropped.
var stopwordList = []string{
	// Pronouns.
	"saya", "kamu", "anda", "kami", "kita", "dia", "ia", "mereka", "kalian",
	"beliau", "nya", "ku", "mu",

	// Conjunctions, prepositions, determiners.
	"yang", "dan", "di", "ke", "dari", "pada", "kepada", "untuk", "dengan",
	"atau", "serta", "maupun", "itu", "ini", "tersebut", "tsb", "adalah",
	"ialah", "merupakan", "yaitu", "yakni", "oleh", "juga", "saja", "sama",
	"bagi", "dalam", "agar", "supaya", "karena", "jika", "kalau", "apabila",
	"bila", "maka", "namun", "tetapi", "tapi", "sedangkan", "padahal",
	"sehingga", "tentang", "mengenai", "terhadap", "sebagai", "seperti",
	"akan", "ada", "adanya", "hal", "para", "si", "sang", "per", "pun",
	"jadi", "terus", "lalu", "kemudian", "begitu", "begini",
	"sini", "situ", "sana", "disini", "disitu", "disana", "nih", "tuh",

	// Degree and modality words with little search value.
	"sangat", "banget", "sekali", "kali", "amat", "memang", "cuma", "hanya",
	"bisa", "mau", "ingin", "harus", "mesti", "sedikit", "banyak",
	"beberapa", "semua", "sekarang", "entah", "pula", "lah", "kah", "tah",

	// Chat particles, including Medan ones ("bah", "rupanya", "kali" as
	// "very", "pun", "ntah").
	"sih", "dong", "deh", "ni", "tu", "kok", "loh", "kan", "ya", "bah",
	"toh", "mah", "nah", "kek", "rupanya", "ternyata", "gitu", "haha",
	"wah", "eh", "ah", "oh", "hmm",

	// Vocatives and honorifics.
	"min", "kak", "ka", "bang", "bu", "pak", "om", "mas", "mbak", "dek",
	"sis", "gan", "bro", "bos", "boss", "bund",

	// Greetings and politeness.
	"halo", "hai", "hi", "hei", "hey", "assalamualaikum", "salam", "wr",
	"wb", "permisi", "maaf", "mohon", "tolong", "terimakasih", "oke", "ok",
	"okay", "okey", "sip", "siap", "mantap", "thanks", "thank", "trims", "makasi",
	"selamat", "dll", "dsb", "dst",
}

var stopwords = func() map[string]struct{} {
	m := make(map[string]struct{}, len(stopwordList))
	for _, w := range stopwordList {
		m[w] = struct{}{}
	}
	return m
}()

// IsStopword reports whether a normalized word carries no meaning for
// search: pronouns, function words, chat particles, vocatives such as
// "min" or "kak", and greetings. Question words and words that change the
// meaning of a question (apa, bagaimana, berapa, kapan, dimana, siapa,
// mengapa, cara, baru, buat, tidak, bukan, belum, sudah, hilang, rusak,
// lama, ganti, ...) are not stopwords. The word must already be normalized,
// as produced by Tokens: "yg" is not recognised, "yang" is.
func IsStopword(word string) bool {
	_, ok := stopwords[word]
	return ok
}

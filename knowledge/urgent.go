package knowledge

import "github.com/tebingtinggi/hub/knowledge/textid"

// Urgent reports whether a message sounds like an emergency happening to
// someone now: a person collapsing, a crime just suffered, an accident or
// a fire with a plea for help, or a person (not a document) gone missing.
// The bot cannot help with such a message from its knowledge base, and a
// clarification offering "KTP hilang" to a parent whose child is missing is
// the worst answer it could give: unless an entry answers it, Search hands
// such a message over (never clarifies or declines it), and the handlers
// point the citizen at the emergency number. Questions about services that name such things ("bukti
// video tabrak lari", "jaminan kecelakaan kerja", "ijazah terbakar") are
// not emergencies: the words of harm that service questions use count only
// with a plea ("tolong", "segera"), with a word saying it is happening now
// ("sekarang", "ada korban"), or right after "ada", "terjadi", "lagi" or
// "sedang" ("ada kebakaran di jalan Sudirman", "lagi tawuran"), which
// report an event rather than name a kind of one ("korban kebakaran
// dapat bantuan apa"). Without a plea, those words do not make harm
// current in a text that asks about a document or service or dates the
// harm in the past ("ktp rusak kena banjir bulan lalu, sekarang
// syaratnya apa").
func Urgent(text string) bool { return urgentWords(textid.Tokens(text)) }

// urgentWords is Urgent on a message's words, as textid.Tokens gives
// them.
func urgentWords(words []string) bool {
	var person, missing, thing, harm, plea, now, event bool
	for i, w := range words {
		switch {
		case w == "darurat":
			// "bukan darurat", "tidak darurat" say the opposite.
			if i == 0 || !negations[words[i-1]] {
				return true
			}
		case alarmWords[w]:
			return true
		case harmWords[w]:
			if i+1 < len(words) && words[i+1] == "kerja" {
				// "Kecelakaan kerja" names an insurance, not an
				// accident.
				continue
			}
			if i > 0 && eventWords[words[i-1]] {
				event = true
			}
			harm = true
		case nowWords[w]:
			now = true
		case w == "korban" && i > 0 && words[i-1] == "ada":
			now = true
		case pleaWords[w]:
			plea = true
		case personWords[w]:
			person = true
		case missingWords[w]:
			missing = true
		case thingWords[w]:
			thing = true
		}
	}
	// "Sekarang" and "ada kebakaran" make harm current, unless the text
	// asks about a document or service ("ijazah terbakar, sekarang
	// syaratnya apa") or dates the harm ("bulan lalu ada kebakaran"):
	// then they are the citizen's now, not the event's.
	if (now || event) && !plea && (aboutService(words) || datedPast(words)) {
		now, event = false, false
	}
	// "anak saya hilang" is a missing child; "akta anak saya hilang" a
	// lost document.
	return event || (harm && (plea || now)) || (person && missing && !thing)
}

// aboutService reports whether words name a document or a service asked
// about (documentWords, serviceAskWords, in any form: "syaratnya",
// "urusnya", "apakah").
func aboutService(words []string) bool {
	for _, w := range words {
		if documentWords[w] || serviceAskWords[w] || serviceAskWords[textid.Stem(w)] {
			return true
		}
	}
	return false
}

// datedPast reports whether words date what they tell in the past:
// "kemarin", "dulu", or "bulan lalu", "2 tahun lalu", "minggu kemarin".
func datedPast(words []string) bool {
	for i, w := range words {
		switch {
		case pastWords[w]:
			return true
		case pastUnits[w] && i+1 < len(words) && (words[i+1] == "lalu" || pastWords[words[i+1]]):
			return true
		}
	}
	return false
}

// The emergency lexicon, in textid.Tokens form: general Indonesian for
// harm happening now (alarmWords on their own, harmWords with a plea)
// and, for missing people, who may go missing and the documents and
// belongings that more often do.
var (
	alarmWords = wordSet("pingsan sekarat kejang tenggelam diculik penculikan ditikam penusukan dibacok pembacokan " +
		"kemalingan dirampok kerampokan dibegal dijambret diperkosa pemerkosaan overdosis " +
		"dipukuli dikeroyok ditodong sadarkan terperangkap sepinggang sedada seleher")
	harmWords = wordSet("kecelakaan tabrakan ditabrak tertabrak kebakaran terbakar tawuran dianiaya penganiayaan " +
		"kdrt pembunuhan sesak pendarahan berdarah keracunan kesetrum tersengat banjir longsor maling tertimpa hanyut")
	// eventWords, right before a word of harm, report that it happens
	// ("ada kebakaran"); nowWords anywhere say it happens now.
	eventWords  = wordSet("ada terjadi lagi sedang")
	nowWords    = wordSet("sekarang barusan")
	pleaWords   = wordSet("tolong tlg tolongin segera cepat buruan help sos")
	negations   = wordSet("bukan tidak tdk gak ga nggak enggak")
	personWords = wordSet("anak anakku adik adek abang kakak bapak ayah bapakku ibu mamak mama papa nenek kakek " +
		"suami istri bini orang warga balita bayi cucu keponakan ponakan keluarga tetangga pasien lansia")
	missingWords = wordSet("hilang ilang menghilang kabur minggat")
	// documentWords name documents, and thingWords also belongings and
	// animals, that go missing more often than people do.
	documentWords = wordSet("ktp kk akta akte surat kartu ijazah sim stnk bpkb npwp paspor sertifikat buku dokumen berkas " +
		"data nama nomor foto rapor piagam kwitansi kuitansi struk tiket")
	thingWords = union(documentWords, wordSet("dompet hp handphone ponsel motor mobil kereta sepeda tas kunci uang emas "+
		"perhiasan barang kucing anjing ayam kambing sapi"))
	// serviceAskWords, as words or stems, ask about a service. "Bantuan"
	// is not one: "ada kebakaran, butuh bantuan" calls for help.
	serviceAskWords = wordSet("syarat urus klaim asuransi cetak ganti daftar biaya prosedur cara apakah bagaimana")
	pastWords       = wordSet("kemarin kemaren dulu")
	pastUnits       = wordSet("hari minggu pekan bulan tahun")
)

func union(a, b map[string]bool) map[string]bool {
	u := make(map[string]bool, len(a)+len(b))
	for w := range a {
		u[w] = true
	}
	for w := range b {
		u[w] = true
	}
	return u
}

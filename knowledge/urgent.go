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
// with a plea ("tolong", "segera").
func Urgent(text string) bool { return urgentWords(textid.Tokens(text)) }

// urgentWords is Urgent on a message's words, as textid.Tokens gives
// them.
func urgentWords(words []string) bool {
	var person, missing, thing, harm, plea bool
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
			harm = true
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
	// "anak saya hilang" is a missing child; "akta anak saya hilang" a
	// lost document.
	return (harm && plea) || (person && missing && !thing)
}

// The emergency lexicon, in textid.Tokens form: general Indonesian for
// harm happening now (alarmWords on their own, harmWords with a plea)
// and, for missing people, who may go missing and the documents and
// belongings that more often do.
var (
	alarmWords = wordSet("pingsan sekarat kejang tenggelam diculik penculikan ditikam penusukan dibacok pembacokan " +
		"kemalingan dirampok kerampokan dibegal dijambret diperkosa pemerkosaan overdosis")
	harmWords = wordSet("kecelakaan tabrakan ditabrak tertabrak kebakaran terbakar tawuran dianiaya penganiayaan " +
		"kdrt pembunuhan sesak pendarahan berdarah keracunan kesetrum tersengat banjir longsor")
	pleaWords   = wordSet("tolong tlg tolongin segera cepat buruan help sos")
	negations   = wordSet("bukan tidak tdk gak ga nggak enggak")
	personWords = wordSet("anak anakku adik adek abang kakak bapak ayah bapakku ibu mamak mama papa nenek kakek " +
		"suami istri bini orang warga balita bayi cucu keponakan ponakan keluarga tetangga pasien lansia")
	missingWords = wordSet("hilang ilang menghilang kabur minggat")
	thingWords   = wordSet("ktp kk akta akte surat kartu ijazah sim stnk bpkb npwp paspor sertifikat buku dokumen berkas " +
		"dompet hp handphone ponsel motor mobil kereta sepeda tas kunci uang emas perhiasan barang kucing anjing ayam kambing sapi " +
		"data nama nomor foto rapor piagam kwitansi kuitansi struk tiket")
)

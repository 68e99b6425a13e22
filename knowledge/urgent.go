package knowledge

import "github.com/tebingtinggi/hub/knowledge/textid"

// Urgent reports whether a message sounds like an emergency happening to
// someone now: an accident, a person collapsing, a fire, a crime, or a
// person (not a document) gone missing. The bot cannot help with such a
// message from its knowledge base, and a clarification offering "KTP
// hilang" to a parent whose child is missing is the worst answer it could
// give; the handlers point the citizen at the emergency number and hand
// the message to an officer instead, unless an entry answers it.
func Urgent(text string) bool {
	words := textid.Tokens(text)
	var person, missing, thing bool
	for _, w := range words {
		switch {
		case urgentWords[w]:
			return true
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
	return person && missing && !thing
}

// The emergency lexicon, in textid.Tokens form: general Indonesian for
// harm happening now, and, for missing people, who may go missing and
// the documents and belongings that more often do.
var (
	urgentWords = wordSet("darurat kecelakaan tabrakan ditabrak tertabrak pingsan sekarat kejang sesak pendarahan " +
		"tenggelam terbakar kebakaran kemalingan kerampokan dirampok perampokan dibegal begal penjambretan dijambret " +
		"diculik penculikan ditikam penusukan dibacok pembacokan tawuran dianiaya penganiayaan kdrt pemerkosaan diperkosa " +
		"bunuh pembunuhan overdosis keracunan tersengat kesetrum")
	personWords = wordSet("anak anakku adik abang kakak bapak ayah bapakku ibu mamak mama papa nenek kakek " +
		"suami istri bini orang warga balita bayi cucu keponakan ponakan keluarga tetangga pasien lansia")
	missingWords = wordSet("hilang ilang menghilang kabur minggat")
	thingWords   = wordSet("ktp kk akta akte surat kartu ijazah sim stnk bpkb npwp paspor sertifikat buku dokumen berkas " +
		"dompet hp handphone ponsel motor mobil kereta sepeda tas kunci uang emas perhiasan barang kucing anjing ayam kambing sapi " +
		"data nama nomor foto rapor piagam kwitansi kuitansi struk tiket")
)

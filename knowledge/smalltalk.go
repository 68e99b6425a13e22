package knowledge

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/tebingtinggi/hub/knowledge/textid"
)

// SmallTalkKind tells greetings, Islamic salam, thanks and
// acknowledgements apart, so that each gets its own friendly reply.
type SmallTalkKind string

// The kinds of small talk.
const (
	Greeting SmallTalkKind = "greeting"
	Salam    SmallTalkKind = "salam"
	Thanks   SmallTalkKind = "thanks"
	Ack      SmallTalkKind = "ack"
)

// Small-talk words, in their textid.Tokens form (laughter such as "wkwk"
// and "hehe" arrives as "haha"). A message is small talk when every word
// in it is one of these, a form of address or a filler, and it greets,
// thanks or acknowledges.
var (
	// Greetings include the region's own: "horas" (Batak), "mejuah-juah"
	// (Karo), "syalom".
	greetingWords = wordSet("halo hallo halloo haloo hlo hai hi hii hy hey hei hello helo hellow woi oi hoi " +
		"pagi siang sore malam malem selamat slmt met good morning evening afternoon permisi misi punten salam kenal " +
		"horas mejuah juah syalom shalom p pp ping test tes tess cek slamat pagii sejahtera maaf")
	salamWords = wordSet("assalamualaikum asalamualaikum assalamualaikom assalamu alaikum ass asslm aslm slm mikum samlekom " +
		"warahmatullah warahmatullahi wabarakatuh wabarakatu wr wb wassalam wasalam waalaikumsalam walaikumsalam")
	thanksWords = wordSet("terimakasih makasih mkasih tks thanks thank you thankyou tengkyu tengkiu trims suwun banyak bnyk hatur nuhun matur nuwun")
	// Acknowledgements include a farewell, agreeing to wait ("baik,
	// saya tunggu" once a question went to an officer) and saying an
	// answer served ("sudah terjawab", "jelas, sangat membantu").
	ackWords = wordSet("oke ok okay okey sip siip siap baik mantap mantul keren semangat noted paham mengerti iya ya yoi betul benar yup yap haha lol " +
		"alhamdulillah tunggu ditunggu bye dadah terjawab jelas membantu terbantu " +
		"okee okeh wokee mantab mantep top nice baiklah yaudah oh ooh owh oalah hmm laksanakan jumpa")
	// chatWords open a conversation rather than ask anything: asking
	// whether one may ask ("mau tanya"), who or what the bot is, how it
	// is, or a bare question word ("gimana?", "caranya?") that names no
	// service yet. They are answered as a greeting is, with an invitation
	// to ask.
	chatWords = wordSet("tanya bertanya kabar kabarnya orang bot robot kamu anda ngapain " +
		"siapa apa apakah bagaimana kapan berapa mana dimana kemana darimana mengapa cara caranya")
	// addressWords are forms of address (Medan's and Batak's among them:
	// "lae", "ito", "wak", "bou", "opung") and particles that carry no
	// question; fillerWords are words that, around small talk, carry none
	// either ("mau tanya", "apa saja", "boleh tanya") but alone are not
	// small talk.
	addressWords = wordSet("min admin mimin kak kakak bang abang pak bapak bu ibu om dik adik dek adek bg mas mbak ya lah deh dong nih kk ka sis gan bah " +
		"lae ito wak uwak bou tulang opung amang inang bos boss komandan ndan bro sob")
	fillerWords = wordSet("mau boleh izin numpang ingin pengen pingin lagi ini itu sama saja saya ada " +
		"atas info infonya informasinya bantuannya jawabannya penjelasannya sudah sangat sekali banget kali gitu begitu " +
		"mohon mengganggu ganggu nya sampai")
	// askWords make "izin" ask leave to ask ("izin bertanya") rather than
	// name a permit ("cara izin?", "izin apa aja?"), which is a question.
	askWords = wordSet("tanya bertanya nanya")
	// ackEmoji are the emoji that mean "ok", "thank you" or a laugh on
	// their own.
	ackEmoji = "👍👌🙏✅🙂😊☺❤👏🤝💯😂🤣😁😄😆"
)

// AddressWord reports whether w, a word in textid.Tokens form, is a form
// of address or a particle that carries no question ("min", "kak", "lae",
// "bos", "dong"): the one list of them for whatever reads short replies.
func AddressWord(w string) bool { return addressWords[w] }

func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// youreWelcome finds "sama-sama" as it is typed: "sama sama", "sama2",
// "sm sm", "sm2".
var youreWelcome = regexp.MustCompile(`(?i)\bs(ama|m)(\s*-\s*|\s+)s(ama|m)\b|\bs(ama|m)2\b`)

// maxSmallTalkWords bounds small talk: a longer message is a question.
const maxSmallTalkWords = 6

// SmallTalk returns the kind of small talk text is, or "" when it is not
// small talk. A message of only "ok"/"thank you" emoji ("👍", "🙏🙏")
// counts as an acknowledgement, and one of only forms of address and
// fillers ("min?", "bang", "ada admin?") calls for attention, as a
// greeting does.
func SmallTalk(text string) SmallTalkKind {
	toks := textid.Tokens(text)
	if len(toks) == 0 {
		switch {
		case onlyAckEmoji(text):
			return Ack
		case onlyNudge(text):
			// "?" or "..." alone asks whether anyone is there, or what to
			// do next: an invitation to ask answers it, as a greeting.
			return Greeting
		}
		return ""
	}
	if len(toks) > maxSmallTalkWords {
		return ""
	}
	var g, s, th, a, permit, ask bool
	// addressed: a form of address; kk: "kk", which with only forms of
	// address around it is as likely the family card (KK) as "kakak".
	addressed, kk := false, false
	// "Sama-sama" answers a thanks; its tokens are one "sama" (the
	// reduplication folded), so the text itself is read.
	welcome := youreWelcome.MatchString(text)
	for _, t := range toks {
		permit = permit || t == "izin"
		ask = ask || askWords[t]
		switch {
		case welcome && (t == "sama" || t == "sm" || t == "sm2"):
		case salamWords[t]:
			s = true
		case thanksWords[t]:
			th = true
		case greetingWords[t]:
			g = true
		case ackWords[t]:
			a = true
		case chatWords[t]:
			g = true
		case addressWords[t]:
			addressed = true
			kk = kk || t == "kk"
		case fillerWords[t]:
		default:
			return ""
		}
	}
	if permit && !ask {
		return ""
	}
	a = a || welcome
	switch {
	case th:
		return Thanks
	case s:
		return Salam
	case g:
		return Greeting
	case a:
		return Ack
	case addressed && !kk:
		return Greeting
	}
	return ""
}

// onlyNudge reports whether text is only question marks, dots and the
// like ("?", "??", "...", "?!").
func onlyNudge(text string) bool {
	text = strings.TrimSpace(text)
	return text != "" && strings.Trim(text, "?!.,…？ \t") == ""
}

func onlyAckEmoji(text string) bool {
	seen := false
	for _, r := range text {
		switch {
		case unicode.IsSpace(r) || r == '\uFE0F' || r == '\u200D' || unicode.Is(unicode.Sk, r) || (r >= 0x1F3FB && r <= 0x1F3FF):
		case strings.ContainsRune(ackEmoji, r):
			seen = true
		default:
			return false
		}
	}
	return seen
}

// offTopicWords are stems that mark a question as not about public
// services at all: sport, weather, entertainment, jokes, romance, shopping
// advice, gambling, party politics, religious rulings, health and beauty
// advice and the price of gold. A question with one of them and no
// word of public-service vocabulary is declined politely.
var offTopicWords = wordSet(`
	bola sepakbola futsal liga klub skor gol piala timnas pemain pertandingan badminton motogp
	cuaca ramal prakiraan hujan gerimis mendung
	lelucon lucu jokes joke lawak pantun tebak tebakan humor dongeng puisi
	film lagu musik drakor sinetron artis selebriti youtuber konser game mobile legend ml ff pubg anime
	pacar jodoh gebetan galau curhat mantan cinta naksir
	resep masak kue rendang nasi goreng
	zodiak horoskop primbon mimpi tafsir
	togel judi gacor
	saham kripto crypto bitcoin trading forex investasi
	rekomendasi review gadget
	partai capres caleg pilpres kampanye koalisi oposisi presiden menteri
	doa ayat sholat salat shalat haram dosa pahala fatwa
	vitamin suplemen diet skincare kosmetik
	emas perhiasan
	selingkuh pacaran
`)

// serviceWords are stems of public-service vocabulary: a question with one
// of them is about the city's services even when no entry answers it, and
// is handed over rather than declined. Damage and hazards are among them:
// rain that brings down a tree or floods a lane is the city's business,
// rain tomorrow is not.
var serviceWords = wordSet(`
	surat izin kantor dinas layan pemko pemkot pemerintah kota walikota wali lurah kelurahan camat kecamatan
	kepling lingkung rt rw daftar syarat urus lapor adu keluh pajak retribusi bantu bansos subsidi
	ktp kk akta kia sim stnk bpkb paspor npwp skck sktm pbb bpjs kis kip nik dukcapil disdukcapil samsat
	sekolah puskesmas rsud rumah sakit posyandu sampah jalan lampu drainase parit banjir air pdam listrik selokan got gorong saluran mampet sumbat
	pasar umkm usaha nib perizinan pungli petugas pegawai asn pns honorer cpns lowong kerja pelatihan
	dokumen berkas legalisir formulir loket antri biaya tarif gratis denda tilang parkir terminal angkot
	kominfo wifi website aplikasi ppid data informasi
	pohon tumbang roboh longsor genang bocor lubang rusak bencana
`)

// offTopic reports whether a question (its words, as textid.Tokens gives
// them) is not about public services at all: it names something off-topic
// and nothing of the services' vocabulary.
func offTopic(words []string) bool {
	found := false
	for _, tok := range words {
		st := textid.Stem(tok)
		if serviceWords[tok] || serviceWords[st] {
			return false
		}
		if offTopicWords[tok] || offTopicWords[st] {
			found = true
		}
	}
	return found
}

// unreadable reports whether a question is not text a person wrote to the
// city: invalid UTF-8, control characters, or nothing but symbols and
// emoji.
func unreadable(query string) bool {
	if !utf8.ValidString(query) {
		return true
	}
	letters, controls := 0, 0
	for _, r := range query {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			letters++
		case unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t':
			controls++
		}
	}
	return letters == 0 || controls > 0
}

// foreignScript reports whether a good share of a question's letters are
// in a script other than Latin: the engine reads Indonesian in Latin
// letters, so such a question goes to an officer rather than being
// answered from the words it can read.
func foreignScript(query string) bool {
	latin, other := 0, 0
	for _, r := range query {
		if !unicode.IsLetter(r) {
			continue
		}
		if unicode.Is(unicode.Latin, r) {
			latin++
		} else {
			other++
		}
	}
	return other > 0 && other*5 >= latin
}

package handlers

// The bot's words to citizens: natural, polite Bahasa Indonesia ("Anda"),
// short. Kept together so that officers can review them in one place.
const (
	textWelcome = "Halo! Saya asisten virtual Pemerintah Kota Tebingtinggi. 👋\n\n" +
		"Silakan tulis pertanyaan Anda tentang layanan publik dengan bahasa sehari-hari, misalnya:\n" +
		"• KTP saya hilang, bagaimana mengurusnya?\n" +
		"• Syarat membuat akta kelahiran apa saja?\n" +
		"• Bagaimana cara membayar PBB?\n\n" +
		"Jika saya belum bisa menjawab, pertanyaan Anda akan diteruskan kepada petugas.\n\n" +
		"Melaporkan masalah di suatu tempat, misalnya jalan rusak atau banjir? Kirim juga lokasinya (📎 → Lokasi). " +
		"Foto, video, dan pesan suara juga kami teruskan kepada petugas.\n\n" +
		"Perintah: /status (tiket Anda), /bantuan (petunjuk ini), /hapusdata (hapus data Anda).\n\n" +
		"Privasi: kami menyimpan pesan Anda (termasuk berkas dan lokasi yang Anda kirim) dan nama tampilan Anda agar petugas dapat membantu. " +
		"Pesan dihapus otomatis setelah masa simpan berakhir, dan Anda dapat menghapusnya kapan saja dengan /hapusdata."

	textUnknownCommand = "Maaf, perintah itu tidak saya kenal. Ketik /bantuan untuk melihat apa yang bisa saya bantu."
	textOnlyText       = "Maaf, saya hanya bisa membaca pesan teks. Silakan tuliskan pertanyaan Anda."
	textFileToTicket   = "Berkas Anda sudah kami terima dan kami teruskan ke petugas bersama tiket #%d."
	// What the bot can only pass on: voice notes, audio, videos and
	// shared locations (see keptWords).
	textVoiceOpened    = "Maaf, saya belum bisa mendengarkan pesan suara. Pesan suara Anda sudah kami teruskan kepada petugas (tiket #%d)."
	textVoiceJoined    = "Maaf, saya belum bisa mendengarkan pesan suara. Pesan suara Anda sudah kami tambahkan ke tiket #%d dan diteruskan kepada petugas, yang akan membalas di sini."
	textAudioOpened    = "Maaf, saya belum bisa mendengarkan rekaman audio. Audio Anda sudah kami teruskan kepada petugas (tiket #%d)."
	textAudioJoined    = "Maaf, saya belum bisa mendengarkan rekaman audio. Audio Anda sudah kami tambahkan ke tiket #%d dan diteruskan kepada petugas, yang akan membalas di sini."
	textVideoOpened    = "Maaf, saya belum bisa menonton video. Video Anda sudah kami teruskan kepada petugas (tiket #%d)."
	textVideoJoined    = "Maaf, saya belum bisa menonton video. Video Anda sudah kami tambahkan ke tiket #%d dan diteruskan kepada petugas, yang akan membalas di sini."
	textTypeForAnswer  = "Jika ingin langsung saya jawab, silakan ketik pertanyaan Anda."
	textLocationOpened = "Lokasi Anda sudah kami terima dan kami teruskan kepada petugas (tiket #%d)."
	textLocationJoined = "Lokasi Anda sudah kami tambahkan ke tiket #%d dan diteruskan kepada petugas, yang akan membalas di sini."
	textLocationWhat   = "Mohon tuliskan juga apa yang terjadi di lokasi tersebut (misalnya jalan rusak atau banjir) agar petugas dapat segera menindaklanjutinya."
	textTooLong        = "Maaf, pesan Anda terlalu panjang. Mohon ringkas pertanyaan Anda (paling banyak 4.096 karakter)."
	textEmpty          = "Silakan tuliskan pertanyaan Anda tentang layanan Pemerintah Kota Tebingtinggi."
	textSlowDown       = "Mohon maaf, Anda mengirim terlalu banyak pesan dalam waktu singkat. Tunggu sebentar, lalu kirim pertanyaan Anda lagi. 🙏"
	textError          = "Mohon maaf, terjadi gangguan pada sistem kami. Silakan coba lagi beberapa saat lagi."
	textExpired        = "Maaf, tombol ini sudah tidak berlaku. Silakan tulis pertanyaan Anda lagi."
	textNotYours       = "Maaf, tombol ini bukan untuk Anda."

	textDecline = "Mohon maaf, saya hanya dapat membantu pertanyaan seputar layanan Pemerintah Kota Tebingtinggi, " +
		"misalnya kependudukan (KTP, KK, akta), perizinan, pajak daerah, sekolah, kesehatan, atau pengaduan layanan. " +
		"Jika Anda tetap ingin bertanya kepada petugas, tekan tombol di bawah ini."
	textClarify      = "Maksud Anda salah satu dari ini?"
	textNoneOfThese  = "Bukan semuanya"
	textClarifyOne   = "Apakah ini yang Anda maksud?"
	textNotThis      = "Bukan, tanya petugas"
	btnAnswered      = "Terjawab 👍"
	btnNotAnswered   = "Belum 👎"
	btnAskOfficer    = "Tanya petugas"
	btnSkip          = "Lewati"
	btnForgetConfirm = "Ya, hapus data saya"
	btnForgetCancel  = "Batal"

	textThanksFeedback = "Terima kasih atas tanggapan Anda! Silakan bertanya lagi kapan saja."
	// textHandoff is followed by the ticket number and Calendar.Describe.
	textUrgent        = "Jika ini keadaan darurat, segera hubungi 112 (layanan panggilan darurat, bebas pulsa, 24 jam)."
	textHandoffNew    = "Pertanyaan Anda sudah kami teruskan kepada petugas (tiket #%d)."
	textHandoffJoined = "Pesan Anda sudah kami tambahkan ke tiket Anda yang masih terbuka (#%d)."
	textJoinedTicket  = "Pesan Anda sudah kami tambahkan ke tiket #%d. Petugas akan membalas di sini."
	// A request for a person typed instead of pressing "Tanya petugas":
	// without a recent question, the bot asks for it; with a ticket still
	// open, it names the ticket.
	textHumanWhatQuestion = "Baik, pertanyaan Anda akan saya teruskan kepada petugas. " +
		"Silakan tuliskan pertanyaan atau keperluan Anda dalam satu pesan, selengkap mungkin, agar petugas dapat membacanya dan membalas di sini."
	textHumanCanceled  = "Baik, permintaan Anda tidak kami teruskan kepada petugas. Jika nanti ada pertanyaan, silakan tulis kapan saja."
	textHumanHasTicket = "Pertanyaan Anda sudah diteruskan kepada petugas dengan tiket #%d, yang masih terbuka. " +
		"Petugas akan membalas di sini. Jika ada yang ingin Anda tambahkan, silakan tulis saja."

	textNoTickets     = "Anda tidak memiliki tiket yang masih terbuka. Silakan tulis pertanyaan Anda kapan saja."
	textTicketsHeader = "Tiket Anda yang masih terbuka:"
	textStatusPrivate = "Demi menjaga kerahasiaan, tiket Anda hanya dapat dilihat di obrolan pribadi dengan saya. " +
		"Silakan kirim /status kepada saya melalui pesan pribadi."

	textForgetAsk = "Anda yakin ingin menghapus data Anda? Semua pesan Anda, isi tiket Anda, dan identitas Anda di layanan ini akan dihapus, " +
		"dan tiket Anda yang masih terbuka ditutup sehingga petugas tidak dapat lagi membalasnya. " +
		"Jika akun ini tertaut dengan data ASN, alasan berhalangan dan jawaban survei yang Anda ketik ikut dihapus, " +
		"dan tautannya juga diputus sehingga pengingat pelatihan dan survei tidak lagi dikirim ke sini. " +
		"Data statistik tanpa identitas tetap disimpan."
	textForgetDone     = "Data Anda sudah kami hapus. Terima kasih telah menggunakan layanan ini."
	textForgetCanceled = "Baik, data Anda tidak dihapus."
	textForgetSayHapus = "Untuk menghapus data Anda, ketik \"ya, hapus\" atau tekan tombol \"Ya, hapus data saya\". Jika tidak jadi, ketik \"batal\"."

	textOfficerReply = "Balasan petugas untuk tiket #%d:\n\n%s"
	// textQuestionTaken and the eight after it are for officers: a
	// lesson refused, or with nothing to add (see QuestionTakenText,
	// KnownWordingText, LessonRefused).
	textQuestionTaken   = "Pertanyaan ini sudah ada sebagai %s entri FAQ %s (%s), jadi entri baru tidak dibuat agar tidak ganda."
	textAlternateTaken  = "Pertanyaan ini sudah ada sebagai %s entri FAQ %s (%s), jadi tidak ditambahkan sebagai variasi entri FAQ %s: bila dua entri memuat pertanyaan yang sama, jawaban bot untuknya bisa berganti-ganti di antara keduanya."
	textKnownWording    = "Entri FAQ %s sudah memuat pertanyaan warga ini, jadi tidak ada variasi yang ditambahkan."
	textWordingEmpty    = "Pertanyaan warga tidak bisa menjadi pelajaran untuk bot: setelah nomor pribadinya disembunyikan, tidak ada kata yang tersisa."
	textWordingRefused  = "Pertanyaan warga tidak bisa menjadi pelajaran untuk bot: %s."
	textNoEntry         = "Tidak ada entri FAQ dengan id %q."
	textEntryFull       = "Entri FAQ %s sudah memiliki batas %d variasi pertanyaan, jadi pertanyaan warga tidak dapat ditambahkan sebagai variasinya. Hapus dulu variasi yang tidak perlu dari entri itu, atau pilih entri lain."
	textAnswerTooLong   = "Balasan ini terlalu panjang untuk disimpan sebagai entri FAQ: jawaban FAQ paling panjang %d karakter. Balasan sepanjang ini tetap bisa dikirim ke warga (dalam beberapa pesan) tanpa disimpan sebagai FAQ, atau persingkat dulu agar bisa disimpan."
	textAnswerEmpty     = "Balasan ini tidak bisa disimpan sebagai entri FAQ: setelah dibersihkan, isinya kosong."
	textAnswerRefused   = "Balasan ini tidak bisa disimpan sebagai entri FAQ: %s. Balasan tetap bisa dikirim ke warga tanpa disimpan sebagai FAQ."
	textRatingAsk       = "Tiket #%d sudah diselesaikan oleh petugas. Seberapa puas Anda dengan layanan kami? Pilih nilai 1 (kurang) sampai 5 (sangat puas)."
	textRatingThanks    = "Terima kasih atas penilaian Anda! Jika ada saran atau komentar, silakan tulis di sini, atau tekan \"Lewati\"."
	textRatingCommented = "Terima kasih atas penilaian dan komentar Anda! Bila masih ada pertanyaan, silakan tulis di sini."
	textRatingDone      = "Tiket ini sudah Anda nilai sebelumnya. Terima kasih!"
	textRatingEarly     = "Tiket ini belum selesai, jadi belum bisa dinilai."
	textCommentSaved    = "Terima kasih, komentar Anda sudah kami simpan. Bila masih ada pertanyaan, silakan tulis di sini."
	textCommentSkip     = "Baik, terima kasih atas penilaian Anda."
	// textClosedUnanswered tells a citizen whose ticket an officer closed
	// without replying (a duplicate, a question settled by phone): there
	// is nothing to rate.
	textClosedUnanswered = "Tiket #%d ditutup oleh petugas tanpa jawaban tertulis. Jika pertanyaan Anda belum terjawab atau Anda masih perlu bantuan, silakan tulis lagi di sini."
	// textUnwrittenQuestion is for officers too: a lesson refused
	// because the ticket's question is a file or place sent without
	// words (LessonRefused).
	textUnwrittenQuestion = "Pertanyaan tiket ini bukan pertanyaan tertulis: warga mengirim foto, berkas, pesan suara, video atau lokasi tanpa keterangan, jadi tidak ada kalimat warga yang bisa dipelajari bot."

	textGreeting = "Halo! Ada yang bisa saya bantu? Silakan tulis pertanyaan Anda tentang layanan Pemerintah Kota Tebingtinggi."
	textSalam    = "Waalaikumsalam! Ada yang bisa saya bantu? Silakan tulis pertanyaan Anda."
	textThanks   = "Sama-sama! Senang bisa membantu. Silakan bertanya lagi kapan saja. 🙏"
	textAck      = "Baik! Jika ada pertanyaan lain, silakan tulis saja."

	// A greeting in a private chat from a citizen whose tickets are still
	// open names their numbers (%s: "#3" or "#3 dan #5") after the opener.
	textGreetingOpener      = "Halo!"
	textSalamOpener         = "Waalaikumsalam!"
	textOpenTicketsReminder = "Tiket Anda %s masih terbuka; ketik /status untuk melihat keadaannya. " +
		"Jika ada yang ingin Anda tambahkan atau ada pertanyaan lain, silakan tulis saja."
)

// keptWords are the replies to the files and places the bot keeps for an
// officer but cannot read, by bots.Incoming.Media; a photo or document
// (which has none) is answered as a question handed over.
var keptWords = map[string]handoffWords{
	"voice":      {opened: textVoiceOpened, joined: textVoiceJoined, openedAfter: textTypeForAnswer, joinedAfter: textTypeForAnswer},
	"audio":      {opened: textAudioOpened, joined: textAudioJoined, openedAfter: textTypeForAnswer, joinedAfter: textTypeForAnswer},
	"video":      {opened: textVideoOpened, joined: textVideoJoined, openedAfter: textTypeForAnswer, joinedAfter: textTypeForAnswer},
	"video_note": {opened: textVideoOpened, joined: textVideoJoined, openedAfter: textTypeForAnswer, joinedAfter: textTypeForAnswer},
	"location":   {opened: textLocationOpened, joined: textLocationJoined, openedAfter: textLocationWhat},
	"venue":      {opened: textLocationOpened, joined: textLocationJoined, openedAfter: textLocationWhat},
}

// statusNames are ticket statuses as citizens read them.
var statusNames = map[string]string{
	"open":     "menunggu balasan petugas",
	"answered": "sudah dibalas petugas",
	"closed":   "selesai",
}

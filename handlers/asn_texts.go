package handlers

import "github.com/tebingtinggi/hub/training"

// The bot's words to ASN in the account-linking, reminder and survey
// flows. Replies about link codes, RSVPs and surveys that follow from an
// error come from training.UserMessage; the reminders, RSVP confirmations
// and survey questions themselves from the training package.
const (
	// textLinked takes the ASN's name and the platform's name.
	textLinked = "Selamat datang, Bapak/Ibu %s! Akun %s Anda kini tertaut dengan data ASN Anda di Pemerintah Kota Tebingtinggi.\n\n" +
		"Melalui chat ini Anda akan menerima:\n" +
		"• pengingat sebelum pelatihan, dengan tombol Hadir dan Berhalangan;\n" +
		"• survei evaluasi singkat setelah pelatihan, yang dijawab langsung di sini.\n\n" +
		"Perintah: /berhenti (hentikan pengingat dan survei sementara), /lanjut (aktifkan kembali), /putus (putuskan tautan akun), " +
		"/kanal telegram atau /kanal slack (pilih ke mana pesan dikirim bila akun Anda tertaut di keduanya).\n\n" +
		"Anda tetap dapat bertanya tentang layanan publik Kota Tebingtinggi seperti biasa."
	// textLinkedPaused follows textLinked for a person who had paused
	// (/berhenti) on an account linked before: the new one is paused too.
	textLinkedPaused = "Catatan: pengingat pelatihan dan undangan survei untuk Anda sedang dihentikan sementara atas permintaan Anda, " +
		"sehingga belum akan dikirim ke akun ini. Kirim /lanjut kapan saja untuk mengaktifkannya kembali."
	textLinkHowTo   = "Untuk menautkan akun Anda sebagai ASN, kirim /daftar diikuti kode dari admin kepegawaian, misalnya: /daftar ABCD2345"
	textPrivateOnly = "Demi keamanan data Anda, penautan akun ASN hanya dapat dilakukan melalui chat pribadi dengan bot ini. " +
		"Silakan buka chat pribadi dengan bot, lalu kirim /daftar KODE."

	textPaused  = "Baik, pengingat pelatihan dan undangan survei untuk Anda kami hentikan sementara. Kirim /lanjut kapan saja untuk mengaktifkannya kembali."
	textResumed = "Baik, pengingat pelatihan dan undangan survei untuk Anda aktif kembali. Terima kasih!"

	textUnlinkAsk = "Anda yakin ingin memutus tautan akun ini dari data ASN Anda? Setelah diputus, Anda tidak lagi menerima pengingat pelatihan dan survei di sini. " +
		"Untuk menautkan kembali, Anda memerlukan kode baru dari admin kepegawaian."
	btnUnlinkConfirm    = "Ya, putuskan"
	btnUnlinkCancel     = "Batal"
	textUnlinked        = "Tautan akun Anda sudah diputus. Anda tidak akan menerima pengingat pelatihan dan survei lagi di sini. Terima kasih!"
	textUnlinkCancelled = "Baik, tautan akun Anda tetap aktif."

	// textChannelIs and textChannelChosen take the platform's name.
	textChannelIs = "Pengingat pelatihan, survei, dan pesan JP untuk Anda saat ini dikirim melalui %s. " +
		"Untuk memilih kanal lain, kirim /kanal telegram atau /kanal slack (akun Anda di platform itu harus sudah tertaut)."
	textChannelChosen = "Baik, mulai sekarang pengingat pelatihan, survei, dan pesan JP untuk Anda dikirim melalui %s saja, " +
		"selama tautan itu aktif."
	textChannelHowTo = "Kirim /kanal telegram atau /kanal slack untuk memilih ke mana pengingat pelatihan dan survei dikirim, " +
		"bila akun Anda tertaut di keduanya."
	textChannelNone = "Pengingat pelatihan dan survei untuk Anda sedang dihentikan sementara. Kirim /lanjut untuk mengaktifkannya kembali."

	// textReasonPerson answers a request for a person typed where the
	// "Berhalangan" reason is awaited.
	textReasonPerson = "Alasan berhalangan cukup Anda tuliskan di sini, dan akan kami teruskan kepada penyelenggara. " +
		"Untuk hal lain tentang pelatihan ini, silakan hubungi admin kepegawaian di unit Anda.\n\n" +
		"Silakan tuliskan alasan singkat Anda (misalnya: dinas luar, sakit), atau tekan \"Lewati\" bila tidak ingin menuliskannya. " +
		"Setelah itu, Anda dapat bertanya kepada petugas layanan Pemerintah Kota Tebingtinggi seperti biasa."

	// textReasonWhich answers "tidak jadi" typed where the "Berhalangan"
	// reason is awaited.
	textReasonWhich = "Maksud Anda tidak jadi berhalangan? Tekan \"Ternyata bisa hadir\". " +
		"Bila tetap berhalangan tetapi tidak ingin menuliskan alasan, tekan \"Lewati\". " +
		"Atau tuliskan alasan singkat Anda (misalnya: dinas luar, sakit)."

	// textSurveyPerson, textSurveyNoSkip: followed by the current survey
	// question.
	textSurveyPerson = "Survei ini diisi langsung di chat ini tanpa melibatkan petugas, sehingga pesan Anda tadi tidak kami catat sebagai jawaban. " +
		"Untuk pertanyaan tentang pelatihan atau survei ini, silakan hubungi admin kepegawaian di unit Anda. " +
		"Bila Anda ingin bertanya kepada petugas layanan Pemerintah Kota Tebingtinggi, ketik \"batal\" untuk menjeda survei, lalu tulis pertanyaan Anda.\n\n" +
		"Jawaban yang sudah Anda isi tetap tersimpan. Untuk melanjutkan survei, jawab pertanyaan berikut:"
	textSurveyNoSkip = "Mohon maaf, pertanyaan ini wajib dijawab sehingga tidak dapat dilewati. " +
		"Bila ingin melanjutkannya nanti, ketik \"batal\" untuk menjeda survei."
	textSurveyPaused = "Baik, survei kami jeda. Jawaban yang sudah Anda isi tetap tersimpan. " +
		"Tekan \"Lanjutkan survei\" kapan saja selama survei masih dibuka untuk melanjutkan dari pertanyaan yang belum dijawab. " +
		"Sementara itu, pesan Anda kami tanggapi seperti biasa."
	btnResumeSurvey = "Lanjutkan survei"

	textReasonSkipped = "Baik, ketidakhadiran Anda sudah kami catat. Terima kasih atas konfirmasinya. " + training.RSVPChangeHint

	// textRSVPGone answers a reminder's button pressed after the ASN was
	// taken off the session; textSurveyGone a survey's, after its round was
	// taken back (the session cancelled or moved to a later date).
	textRSVPGone = "Maaf, Anda tidak lagi terdaftar pada sesi pelatihan ini, sehingga konfirmasi Anda tidak kami catat. " +
		"Bila ini keliru, silakan hubungi admin kepegawaian di unit Anda."
	textSurveyGone = "Maaf, survei ini ditarik karena jadwal pelatihannya berubah atau dibatalkan, sehingga jawaban Anda tidak kami catat. " +
		"Bila pelatihan itu tetap berlangsung, undangan survei yang baru akan kami kirim setelah pelatihan selesai."

	// textRSVPNothing answers "hadir" or "tidak bisa" from someone with no
	// session waiting for an answer.
	textRSVPNothing = "Saat ini tidak ada pelatihan yang menunggu konfirmasi kehadiran dari Anda, jadi tidak ada yang kami catat. " +
		"Bila Anda ingin bertanya, silakan tuliskan pertanyaan Anda selengkapnya."
	// textRSVPWhich takes the list of sessions, one per line.
	textRSVPWhich = "Anda terdaftar pada beberapa pelatihan berikut:\n%s\n\nUntuk pelatihan yang mana? Silakan pilih tombol di bawah."
)

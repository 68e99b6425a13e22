package slack

// What officers read in Slack, in Bahasa Indonesia.
const (
	textNotOfficer     = "Maaf, hanya petugas yang terdaftar (HUB_SLACK_OFFICERS) yang boleh melakukan ini."
	textOfficersUnread = "Maaf, daftar petugas (grup pengguna Slack di HUB_SLACK_OFFICERS) tidak dapat dibaca, jadi belum dapat dipastikan bahwa Anda petugas; tidak ada yang diubah. " +
		"Coba lagi sebentar lagi; bila tetap begini, minta admin hub memberi aplikasi Slack izin usergroups:read lalu memasangnya ulang ke workspace."
	textModalFailed     = "Maaf, formulir tidak dapat dibuka. Silakan tekan tombolnya sekali lagi."
	textClaimedByOther  = "Tiket #%d sudah diambil oleh %s."
	textTicketClosed    = "Tiket #%d sudah ditutup; tidak ada yang dikirim ke warga."
	textReleased        = "Anda melepaskan tiket #%d; petugas lain kini dapat mengambilnya."
	textReleaseNone     = "Tiket #%d tidak sedang diambil siapa pun."
	textReleaseNotYours = "Tiket #%d diambil oleh %s; hanya %s yang dapat melepasnya (atau operator dengan hub inbox release)."
	textCloseNotYours   = "Tiket #%d sedang ditangani %s; hanya %s yang dapat menutupnya (atau admin di web admin, atau operator dengan hub inbox close). Tiket tidak ditutup."
	textSameReply       = "Balasan yang sama sudah dikirim, atau sedang dikirim, ke warga sebagai pesan terakhir tiket #%d, jadi tidak dikirim dua kali."
	textSameReplyLesson = "Pilihan Ajari bot pada kiriman ini juga tidak disimpan."
	textTicketMissing   = "Tiket #%d tidak ditemukan."
	textCitizenForgot   = "Warga pada tiket #%d sudah menghapus datanya; balasan tidak dapat dikirim."
	textAnswerEmpty     = "Jawaban kosong; tidak ada yang dikirim untuk tiket #%d."
	textAnswerSent      = "Jawaban untuk tiket #%d sudah dikirim ke warga."
	textLearntAlt       = "Pertanyaan warga ditambahkan sebagai variasi dari FAQ %s."
	textLearntDraft     = "Draf FAQ baru %s tersimpan; terbitkan dengan /faq terbit %s."
	textPublishWith     = "Terbitkan dengan /faq terbit %s."
	// textLessonTaken, textAltTaken and their forms follow handlers.QuestionTakenText,
	// textLessonRefused and textAnswerLessonForm handlers.LessonRefused.
	textLessonTaken        = "Tiket #%d: %s Jawaban belum dikirim; ubah FAQ itu dengan /faq ubah %s, atau kirim lagi dengan pilihan lain di Ajari bot."
	textAltTaken           = "Tiket #%d: %s Jawaban belum dikirim; kirim lagi dengan variasi dari FAQ %s, atau ubah dulu FAQ itu dengan /faq ubah %s."
	textLessonRefused      = "Tiket #%d: %s Jawaban belum dikirim; kirim lagi dengan pilihan lain di Ajari bot."
	textUnwrittenRefused   = "Tiket #%d: %s Jawaban belum dikirim; kirim lagi dengan Kirim saja di Ajari bot. Entri FAQ untuk hal ini ditulis sendiri dengan /faq tambah atau di halaman Basis pengetahuan web admin."
	textNoCandidatesSought = "Kandidat jawaban bot: tidak dicari, karena warga mengirim berkas atau lokasi tanpa keterangan; cari FAQ dengan /faq cari."
	textUnwrittenForm      = "%s Pilih “Kirim saja”; entri FAQ untuk hal ini ditulis sendiri dengan /faq tambah."
	textNotSent            = "Jawaban untuk tiket #%d belum dikirim."
	textLessonTakenForm    = "%s Pilih “Kirim saja”, atau ubah entri itu dengan /faq ubah %s."
	textAltTakenForm       = "%s Pilih FAQ %s, atau ubah dulu FAQ itu dengan /faq ubah %s."
	textAnswerLessonForm   = "%s Untuk mengirimnya saja, pilih “Kirim saja” di Ajari bot."
	textFAQMissing         = "FAQ %q tidak ditemukan."
	textFollowUp           = "Pesan lanjutan dari warga (hanya catatan; balas lewat tombol Jawab):"
	textErased             = "(dihapus: warga menghapus datanya dengan /hapusdata)"
	textFileFrom           = "📎 Berkas dari warga: %s (tiket #%d)"
	textFileTooLarge       = "⚠️ Berkas ini (%s) terlalu besar untuk diunggah ke Slack (batas %s). Lihat berkasnya di meja layanan web (/admin/) atau dengan hub inbox show dan nomor tiket di atas."
	textFileFailed         = "⚠️ Berkas dari warga (%s, tiket #%s) tidak dapat ditampilkan di Slack. Lihat dengan hub inbox show %s atau di meja layanan web (/admin/)."
	textFileEmpty          = "⚠️ Berkas ini kosong (0 bita); tidak ada yang diunggah."
	textMapLink            = "Buka di peta: %s"
	textCommandDMOnly      = "Perintah %s hanya dapat dipakai di pesan langsung dengan aplikasi hub, agar hanya Anda yang melihat jawabannya. Buka aplikasi hub di Slack (bagian Aplikasi), lalu ketik perintahnya di sana. Tidak ada yang diubah."
	textFAQPickOne         = "Pilih satu FAQ (atau ketik id-nya) untuk tiket #%d; tidak ada yang dikirim."

	textModalAnswerTitle = "Jawab tiket"
	textModalFAQTitle    = "Pakai jawaban FAQ"
	textModalSend        = "Kirim"
	textModalCancel      = "Batal"
	textModalQuestion    = "Pertanyaan warga (tiket #%d):\n%s"
	textModalAnswer      = "Jawaban untuk warga"
	textModalLesson      = "Ajari bot"
	textLessonNone       = "Kirim saja"
	textLessonNew        = "Simpan sebagai FAQ baru"
	textLessonAlt        = "Tambahkan sebagai variasi dari…"
	textModalAltPick     = "Variasi dari FAQ"
	textModalAltSlug     = "…atau ketik id FAQ"
	textModalFAQPick     = "FAQ"
	textModalEdit        = "Ubah jawaban (kosongkan untuk memakai jawaban FAQ apa adanya)"
	textPickPlaceholder  = "Pilih FAQ"

	// textCloseUnansweredAsk and its button follow the web desk's
	// confirmation of closing a ticket nobody answered.
	textCloseUnansweredAsk    = "Tiket #%d belum dibalas petugas. Bila ditutup sekarang, warga tidak mendapat jawaban tertulis: warga hanya diberi tahu bahwa tiketnya ditutup tanpa jawaban dan boleh menulis lagi. Untuk menutupnya, tekan “Tutup tanpa jawaban tertulis”; bila tidak jadi, abaikan pesan ini. Tiket belum ditutup."
	textCloseUnansweredButton = "Tutup tanpa jawaban tertulis"
)

// /faq.
const (
	textFAQUsage = "Pemakaian /faq:\n" +
		"/faq cari <teks> — keputusan bot dan kandidatnya\n" +
		"/faq belum — pertanyaan warga yang belum terjawab, dikelompokkan (petugas)\n" +
		"/faq tambah — draf FAQ baru (petugas)\n" +
		"/faq ubah <id> — ubah FAQ (petugas)\n" +
		"/faq terbit <id>, /faq arsip <id> — terbitkan atau arsipkan (petugas)\n" +
		"/faq sinonim <kata> = <kata>, … — kata-kata yang sama artinya (petugas)"
	textFAQStatus        = "FAQ %s sekarang berstatus %s (versi %d)."
	textFAQStatusRefused = "FAQ %s tidak dijadikan %s (kolom %s): %s"
	textFAQSaved         = "FAQ %s tersimpan dengan status %s (versi %d)."
	textFAQInvalid       = "FAQ tidak tersimpan (kolom %s): %s"
	textFAQTooLong       = "FAQ %s tidak dapat diubah di Slack: kolom %s berisi %d karakter, sedangkan formulir Slack menampung paling banyak %d. Ubah FAQ ini di meja layanan web: /admin/kb/entry/%s"
	textFAQChanged       = "FAQ %s sudah diubah oleh %s sejak formulir ini dibuka (sekarang versi %d), jadi perubahan Anda tidak disimpan agar perubahan itu tidak tertimpa. Salin perubahan Anda, tutup formulir, lalu buka lagi dengan /faq ubah %s."
	textSynonymSaved     = "Sinonim tersimpan: %s."
	textSynonymRefused   = "Sinonim %q tidak tersimpan: %s. Tulis paling sedikit dua kata yang berbeda yang belum ada di kelompok sinonim lain, misalnya /faq sinonim ktp = e-ktp, kartu tanda penduduk."
	textModalNewFAQ      = "FAQ baru (draf)"
	textModalEditFAQ     = "Ubah FAQ"
	textFieldQuestion    = "Pertanyaan"
	textFieldAlternates  = "Variasi pertanyaan (satu per baris)"
	textFieldAnswer      = "Jawaban"
	textFieldCategory    = "Kategori"
)

package knowledge

import (
	"os"
	"path/filepath"
	"testing"
)

func TestUrgent(t *testing.T) {
	urgent := []string{
		"anak sy hilang sejak tadi pagi",
		"tolong ada kecelakaan di simpang",
		"suami saya pingsan tolong",
		"rumah kemalingan barusan",
		"nenek saya menghilang dari rumah, sudah 2 hari",
		"DARURAT!!",
		// Reports of harm happening, with no plea.
		"ada kebakaran di jalan sudirman",
		"kebakaran di pasar gambir sekarang",
		"ada kecelakaan di simpang",
		"tabrakan di jalan baru, ada korban",
		"ada tawuran di lapangan",
		"banjir masuk rumah, air sudah sepinggang",
		"suami saya dipukuli",
		"ibu saya tidak sadarkan diri",
		"bapak saya tertimpa pohon tumbang, tolong",
		"ada maling masuk rumah",
		// "Sekarang", "ada", "sedang" with no document or service asked
		// about and no past date.
		"ada kebakaran di jalan sudirman sekarang",
		"rumah tetangga sedang terbakar",
		"ada kebakaran di pasar, butuh bantuan",
		"ada kebakaran, motor tetangga ikut terbakar",
		// A plea keeps harm current whatever else the text says.
		"tolong ktp saya ikut terbakar, rumah kebakaran sekarang",
	}
	for _, q := range urgent {
		if !Urgent(q) {
			t.Errorf("%q is not taken for an emergency", q)
		}
	}
	calm := []string{
		"akta anak saya hilang, cemana urusnya",
		"ktp ibu saya hilang",
		"kk ilang cemana bikin yg baru",
		"tolong info syarat ktp",
		"cara daftar sekolah anak",
		"dompet suami hilang di pajak",
		"bukan darurat, cuma mau tanya jam buka kantor camat",
		"saya korban tabrak lari, bisa minta rekaman kamera jalan?",
		"cara klaim jaminan kecelakaan kerja untuk pekerja",
		"ijazah saya terbakar bersama rumah, bisa dicetak ulang?",
		"jalan di sini rawan begal, minta lampu jalan",
		"kucing saya hilang tolong bantu cari",
		"rumah saya kebakaran bulan lalu, ada bantuan?",
		"korban kebakaran dapat bantuan apa",
		"ada kecelakaan kerja, klaim bpjs gimana",
		"jalan ini rawan banjir",
		"surat keterangan kebakaran untuk asuransi",
		// "Sekarang", "ada", "lagi" in a question about a document or
		// service, or about harm dated in the past.
		"ktp saya rusak karena banjir, sekarang bagaimana urusnya?",
		"kk saya rusak kena banjir, sekarang bagaimana urusnya?",
		"ktp rusak kena banjir bulan lalu, sekarang syaratnya apa",
		"ijazah terbakar, sekarang syarat cetak ulang apa saja",
		"apakah ada bantuan untuk korban banjir sekarang?",
		"bulan lalu ada kebakaran di rumah, akta ikut hangus, cemana urusnya",
		"kemarin ada banjir, sekarang rumah saya kotor sekali",
		"2 tahun lalu sedang banjir, surat tanah hanyut",
		"",
	}
	for _, q := range calm {
		if Urgent(q) {
			t.Errorf("%q is taken for an emergency", q)
		}
	}
}

// TestSearchHandsEmergenciesOver: on the starter knowledge base, an
// emergency no entry answers is handed over, not met with a choice of lost
// documents ("KTP hilang" for a missing child) nor declined as off-topic;
// the entries that do answer an emergency still answer.
func TestSearchHandsEmergenciesOver(t *testing.T) {
	f, err := os.Open(filepath.Join("starter", "starter.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	entries, err := ParseJSON(f, "starter.json")
	if err != nil {
		t.Fatal(err)
	}
	ix := NewIndex(DefaultConfig())
	ix.Load(entries, nil)
	for _, q := range []string{"anak sy hilang sejak tadi pagi", "tolong suami saya pingsan", "ada kecelakaan di simpang, tolong"} {
		if r := ix.Search(q); r.Decision != Handoff {
			t.Errorf("%q: %s %v; want a hand-over", q, r.Decision, r.Candidates)
		}
	}
	if r := ix.Search("akta kelahiran anak saya hilang"); r.Decision == Handoff {
		t.Errorf("a lost birth certificate is handed over: %v", r.Candidates)
	}
	if r := ix.Search("banjir masuk rumah tolong"); r.Decision != Answer {
		t.Errorf("a flood, which an entry answers: %s %v", r.Decision, r.Candidates)
	}
}

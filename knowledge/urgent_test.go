package knowledge

import "testing"

func TestUrgent(t *testing.T) {
	urgent := []string{
		"anak sy hilang sejak tadi pagi",
		"tolong ada kecelakaan di simpang",
		"suami saya pingsan tolong",
		"rumah kemalingan barusan",
		"nenek saya menghilang dari rumah, sudah 2 hari",
		"DARURAT!!",
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
		"",
	}
	for _, q := range calm {
		if Urgent(q) {
			t.Errorf("%q is taken for an emergency", q)
		}
	}
}

// Package bench holds the hub's benchmarks: answer quality, search speed
// and memory, each measured against the baseline its issue names (the
// Postgres full-text search a team would write first) in the same run.
// Run them with `make bench`.
package bench

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/tebingtinggi/hub/knowledge"
)

// Word lists for a generated knowledge base: public-service topics in the
// shape officers write them.
var (
	genActions = []string{"membuat", "mengurus", "mengganti", "memperpanjang", "mendaftar", "melaporkan",
		"membayar", "mengecek", "mengubah", "mencetak ulang", "mengajukan", "membatalkan", "mengaktifkan"}
	genObjects = []string{"KTP-el", "Kartu Keluarga", "akta kelahiran", "akta kematian", "surat pindah",
		"Kartu Identitas Anak", "izin usaha", "persetujuan bangunan gedung", "izin reklame", "PBB",
		"BPHTB", "kartu kuning", "BPJS Kesehatan", "bantuan sosial", "sambungan air", "surat domisili",
		"SKTM", "izin keramaian", "sertifikat pangan", "rekening air", "lampu jalan", "drainase",
		"pengaduan", "retribusi sampah", "izin praktik", "legalisir", "surat keterangan usaha"}
	genQualifiers = []string{"yang hilang", "yang rusak", "untuk pertama kali", "secara online",
		"di kelurahan", "bagi lansia", "untuk anak", "setelah menikah", "karena pindah", "tanpa biaya",
		"bagi pedagang", "di kecamatan", "untuk warga baru", "yang terlambat", "bagi penyandang disabilitas",
		"melalui aplikasi", "di Mal Pelayanan Publik", "untuk usaha mikro", "yang sudah kedaluwarsa", "atas nama orang tua"}
	genPlaces = []string{"Bandar Sakti", "Rambung", "Padang Hulu", "Padang Hilir", "Tebing Tinggi Kota",
		"Bajenis", "Tanjung Marulak", "Deblod Sundoro", "Karya Jaya", "Lalang", "Persiakan", "Satria"}
	genFillers = []string{"persyaratan", "dokumen", "formulir", "antrian", "loket", "petugas", "jadwal",
		"biaya", "waktu", "proses", "verifikasi", "tanda terima", "salinan", "fotokopi", "pas foto",
		"surat pengantar", "RT", "RW", "lurah", "camat", "dinas", "kantor", "nomor", "NIK", "tanda tangan"}
)

// GenerateCorpus makes n distinct published entries, deterministically
// from seed, no two of which share a wording.
func GenerateCorpus(n int, seed uint64) []knowledge.Entry {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	pick := func(list []string) string { return list[r.IntN(len(list))] }
	entries := make([]knowledge.Entry, 0, n)
	// The knowledge base refuses a wording that two entries share: a
	// question or alternate an earlier entry has gets this entry's
	// number, so that every entry keeps its three alternates and the
	// questions drawn from them stay as many and as long.
	used := map[string]bool{}
	own := func(w string, i int) string {
		if k := strings.ToLower(w); !used[k] {
			used[k] = true
			return w
		}
		w = strings.TrimSuffix(w, "?") + " " + strconv.Itoa(i) + "?"
		used[strings.ToLower(w)] = true
		return w
	}
	for i := 0; i < n; i++ {
		action, object, qual, place := pick(genActions), pick(genObjects), pick(genQualifiers), pick(genPlaces)
		q := own(fmt.Sprintf("Bagaimana cara %s %s %s di %s?", action, object, qual, place), i)
		alts := []string{
			own(fmt.Sprintf("Apa syarat %s %s %s?", action, object, qual), i),
			own(fmt.Sprintf("Di mana saya bisa %s %s wilayah %s?", action, object, place), i),
			own(fmt.Sprintf("%s %s %s prosedurnya bagaimana?", object, qual, pick(genFillers)), i),
		}
		var ans strings.Builder
		fmt.Fprintf(&ans, "Untuk %s %s %s, siapkan %s dan %s, lalu datang ke kantor layanan di %s. ",
			action, object, qual, pick(genFillers), pick(genFillers), place)
		for j := 0; j < 3; j++ {
			fmt.Fprintf(&ans, "Perhatikan %s, %s, dan %s sebelum mengajukan. ", pick(genFillers), pick(genFillers), pick(genFillers))
		}
		entries = append(entries, knowledge.Entry{
			Slug:       fmt.Sprintf("gen-%05d", i),
			Category:   object,
			Question:   q,
			Alternates: alts,
			Answer:     ans.String(),
			Tags:       []string{object, pick(genFillers)},
			Status:     knowledge.Published,
		})
	}
	return entries
}

// GenerateQueries makes n citizen-style questions about a generated corpus:
// shortened, lower-case, with slang and the odd typo.
func GenerateQueries(entries []knowledge.Entry, n int, seed uint64) []string {
	r := rand.New(rand.NewPCG(seed, seed+1))
	slang := strings.NewReplacer("Bagaimana", "gmn", "bagaimana", "gmn", "yang", "yg", "untuk", "utk", "saya", "sy", "sudah", "udh")
	out := make([]string, 0, n)
	for i := 0; i < n; i++ {
		e := entries[r.IntN(len(entries))]
		src := e.Question
		if r.IntN(2) == 0 {
			src = e.Alternates[r.IntN(len(e.Alternates))]
		}
		words := strings.Fields(strings.ToLower(slang.Replace(src)))
		if len(words) > 4 && r.IntN(2) == 0 {
			words = words[:len(words)-2]
		}
		if w := r.IntN(len(words)); len([]rune(words[w])) > 5 {
			rs := []rune(words[w])
			k := 1 + r.IntN(len(rs)-2)
			rs[k], rs[k+1] = rs[k+1], rs[k]
			words[w] = string(rs)
		}
		out = append(out, strings.Join(words, " "))
	}
	return out
}

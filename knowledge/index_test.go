package knowledge

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

// testKB is a small knowledge base with near neighbours (three KTP
// entries) so that the engine has to tell them apart.
var testKB = []Entry{
	{Slug: "ktp-baru", Category: "Kependudukan", Question: "Bagaimana cara membuat KTP-el untuk pertama kali?",
		Alternates: []string{"Syarat perekaman KTP elektronik bagi yang baru berusia 17 tahun", "Di mana merekam KTP-el pertama kali?"},
		Answer:     "Bawa Kartu Keluarga ke Disdukcapil untuk perekaman biometrik.", Tags: []string{"KTP-el", "perekaman", "17 tahun"}},
	{Slug: "ktp-hilang", Category: "Kependudukan", Question: "Bagaimana cara mengurus penggantian KTP-el yang hilang?",
		Alternates: []string{"KTP saya hilang, apa syarat mencetak ulang?", "Dokumen untuk mengganti KTP elektronik yang hilang"},
		Answer:     "Siapkan surat keterangan kehilangan dari kepolisian dan Kartu Keluarga.", Tags: []string{"KTP-el", "hilang", "surat kehilangan"}},
	{Slug: "ktp-rusak", Category: "Kependudukan", Question: "Bagaimana cara mengganti KTP-el yang rusak?",
		Alternates: []string{"KTP saya patah, bagaimana menggantinya?", "Chip KTP elektronik tidak terbaca"},
		Answer:     "Bawa KTP-el yang rusak dan Kartu Keluarga ke Disdukcapil.", Tags: []string{"KTP-el", "rusak", "cetak ulang"}},
	{Slug: "akta-kelahiran", Category: "Kependudukan", Question: "Bagaimana cara mengurus akta kelahiran?",
		Alternates: []string{"Syarat membuat akta lahir anak", "Anak saya baru lahir, bagaimana mengurus aktanya?"},
		Answer:     "Siapkan surat keterangan lahir dari bidan atau rumah sakit dan Kartu Keluarga.", Tags: []string{"akta", "kelahiran", "bayi"}},
	{Slug: "bayar-pbb", Category: "Pajak Daerah", Question: "Bagaimana cara membayar Pajak Bumi dan Bangunan (PBB-P2)?",
		Alternates: []string{"Di mana saya bisa membayar PBB?", "Apakah PBB bisa dibayar lewat bank?"},
		Answer:     "PBB-P2 dapat dibayar di bank yang ditunjuk sesuai SPPT.", Tags: []string{"PBB", "pajak", "SPPT"}},
	{Slug: "jadwal-sampah", Category: "Kebersihan", Question: "Kapan jadwal pengangkutan sampah di lingkungan saya?",
		Alternates: []string{"Jam berapa truk sampah lewat?", "Jadwal angkut sampah di kelurahan"},
		Answer:     "Jadwal pengangkutan sampah diatur oleh Dinas Lingkungan Hidup.", Tags: []string{"sampah", "jadwal"}},
	{Slug: "draft-entry", Category: "Lain", Question: "Bagaimana cara mendaftar paspor?", Answer: "Draf.", Status: Draft},
}

func testIndex(t testing.TB) *Index {
	t.Helper()
	ix := NewIndex(DefaultConfig())
	ix.Load(testKB, [][]string{{"pbb", "pajak bumi dan bangunan", "pajak rumah"}})
	return ix
}

func TestSearchDecisions(t *testing.T) {
	ix := testIndex(t)
	cases := []struct {
		q        string
		decision Decision
		slug     string // the answer, or an entry that must be among the candidates
	}{
		{"ktp sy ilang gmn ngurusnya", Answer, "ktp-hilang"},
		{"KTP SAYA PATAH CEMANA GANTINYA", Answer, "ktp-rusak"},
		{"anak sy baru 17 thn mau rekam ektp pertama kali", Answer, "ktp-baru"},
		{"akte kelahran anak syaratnya apa", Answer, "akta-kelahiran"}, // typo + akte
		{"bayar pajak rumah dmn", Answer, "bayar-pbb"},                 // synonym group
		{"ktp", Clarify, "ktp-hilang"},                                 // ambiguous
		{"cara bikin paspor", Handoff, ""},                             // only a draft covers it
		{"harga cabai di pasar brp", Handoff, ""},
		{"", Decline, ""},    // nothing to read: a polite note, no ticket
		{"😀😀😀", Decline, ""}, // the same
		{"'; DROP TABLE faq_entries; --", Handoff, ""},
	}
	for _, c := range cases {
		t.Run(c.q, func(t *testing.T) {
			res := ix.Search(c.q)
			if res.Decision != c.decision {
				t.Fatalf("decision %s (confidence %.2f, candidates %+v), want %s", res.Decision, res.Confidence, res.Candidates, c.decision)
			}
			if res.Confidence < 0 || res.Confidence > 1 {
				t.Errorf("confidence %v outside [0,1]", res.Confidence)
			}
			switch c.decision {
			case Answer:
				if res.Entry == nil || res.Entry.Slug != c.slug {
					t.Errorf("answered with %+v, want %s", res.Entry, c.slug)
				}
			case Clarify:
				if n := len(res.Candidates); n < 2 || n > 3 {
					t.Errorf("clarify offers %d candidates, want 2 or 3", n)
				}
				found := false
				for _, cand := range res.Candidates {
					found = found || cand.Slug == c.slug
				}
				if !found {
					t.Errorf("clarify candidates %+v lack %s", res.Candidates, c.slug)
				}
			case Handoff:
				if res.Entry != nil {
					t.Errorf("handoff carries an entry: %+v", res.Entry)
				}
			}
		})
	}
}

func TestSearchSurvivesHostileInput(t *testing.T) {
	ix := testIndex(t)
	inputs := []string{
		strings.Repeat("ktp hilang ", 10_000),
		strings.Repeat("a", 100_000),
		"\x00\xff\xfe\xfd",
		string([]byte{0xe2, 0x82}),
		strings.Repeat("🙏", 5000),
		"😂🔥💀",
		"ktp hilang " + strings.Repeat("x", 100*1024),
		"ktp хилан 身份证 丢了 ktp",
		"'; DROP TABLE entries; -- ktp",
		"ktp\x00hilang\x07",
	}
	for _, in := range inputs {
		res := ix.Search(in)
		if res.Confidence < 0 || res.Confidence > 1 {
			t.Errorf("confidence %v outside [0,1]", res.Confidence)
		}
		if res.Decision == Answer || res.Decision == Clarify {
			t.Errorf("%.40q: %s, want a hand-over or a decline", in, res.Decision)
		}
	}
}

// TestSearchSmallTalkAndDecline: greetings and thanks in their chat
// spellings are small talk; questions about anything but public services
// are declined; near misses in the services' vocabulary are handed over.
func TestSearchSmallTalkAndDecline(t *testing.T) {
	ix := testIndex(t)
	cases := []struct {
		q    string
		want Decision
		kind SmallTalkKind
	}{
		{"slmt sore", Smalltalk, Greeting},
		{"p", Smalltalk, Greeting},
		{"pagi min", Smalltalk, Greeting},
		{"makasih bnyk", Smalltalk, Thanks},
		{"assalamualaikum bang", Smalltalk, Salam},
		{"👍", Smalltalk, Ack},
		{"hatur nuhun pak", Smalltalk, Thanks},
		{"mau nanya dong min", Smalltalk, Greeting},
		{"permisi, izin bertanya", Smalltalk, Greeting},
		{"apa kabar min", Smalltalk, Greeting},
		{"kamu bot ya?", Smalltalk, Greeting},
		{"wkwkwk", Smalltalk, Ack},
		{"siip mantul", Smalltalk, Ack},
		{"🤣🤣", Smalltalk, Ack},
		{"mau tanya ktp sy ilang gmn", Answer, ""},
		{"gimana caranya min?", Smalltalk, Greeting},
		{"apa aja?", Smalltalk, Greeting},
		{"siapa juara liga inggris musim ini", Decline, ""},
		{"besok cuaca di tebing hujan ga", Decline, ""},
		{"nanti malam bakalan hujan nggak ya", Decline, ""},
		{"selokan di gang kami mampet kalau hujan", Handoff, ""},
		{"ceritain lelucon dong bang", Decline, ""},
		{"rekomendasi pacar yg setia", Decline, ""},
		{"main kartu itu haram gak", Decline, ""},
		{"vitamin apa yg bagus buat daya tahan tubuh", Decline, ""},
		{"emas 24 karat sekarang brp segram", Decline, ""},
		{"obat gratis di puskesmas ada?", Handoff, ""},
		{"batang beringin di simpang sudah miring, bisa tumbang kalau hujan", Handoff, ""},
		{"sholat ied di lapangan merdeka perlu izin keramaian?", Handoff, ""},
		{"cara bikin paspor", Handoff, ""},
		{"izin keramaian buat konser musik di lapangan", Handoff, ""},
		{"pagi min, ktp sy ilang gmn", Answer, ""},
	}
	// Fillers around small talk are no small talk alone: a message of
	// only them is searched like any other.
	// "izin" is leave to ask only beside "tanya"; otherwise it names a
	// permit.
	for _, q := range []string{"mau", "izin", "boleh", "ini", "saja", "cara izin?", "izin apa aja?", "mau izin min"} {
		if k := SmallTalk(q); k != "" {
			t.Errorf("%q: small talk %q, want none", q, k)
		}
	}
	for _, c := range cases {
		res := ix.Search(c.q)
		if res.Decision != c.want || res.SmallTalk != c.kind {
			t.Errorf("%q: %s %q, want %s %q", c.q, res.Decision, res.SmallTalk, c.want, c.kind)
		}
	}
}

func FuzzSearch(f *testing.F) {
	for _, s := range []string{"ktp ilang", "", "\xff", "akte kelahran", "bayar pajak rumah", "1234567890"} {
		f.Add(s)
	}
	ix := testIndex(f)
	f.Fuzz(func(t *testing.T, q string) {
		res := ix.Search(q)
		if res.Confidence < 0 || res.Confidence > 1 {
			t.Fatalf("confidence %v", res.Confidence)
		}
		if res.Decision == Answer && res.Entry == nil {
			t.Fatal("answer without entry")
		}
		if res.Decision == Clarify && len(res.Candidates) < 2 {
			t.Fatal("clarify with fewer than two candidates")
		}
		if (res.Decision == Answer || res.Decision == Clarify) && (!utf8.ValidString(q) || len(q) > MaxQueryBytes) {
			t.Fatalf("%s for a question that cannot be read whole", res.Decision)
		}
		for _, c := range res.Candidates {
			if !utf8.ValidString(c.Slug) || c.Slug == "draft-entry" {
				t.Fatalf("bad candidate %q", c.Slug)
			}
		}
	})
}

func TestEmptyIndexHandsOff(t *testing.T) {
	ix := NewIndex(DefaultConfig())
	if res := ix.Search("ktp hilang"); res.Decision != Handoff || ix.Len() != 0 {
		t.Fatalf("empty index: %+v, len %d", res, ix.Len())
	}
}

func TestLoadWhileSearching(t *testing.T) {
	ix := testIndex(t)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if res := ix.Search("ktp sy ilang gmn ngurusnya"); res.Decision == Answer && res.Entry.Slug != "ktp-hilang" {
					t.Errorf("answered %s during reload", res.Entry.Slug)
				}
			}
		}()
	}
	for i := 0; i < 50; i++ {
		ix.Load(testKB, nil)
	}
	close(stop)
	wg.Wait()
}

func TestEditDistance(t *testing.T) {
	cases := []struct {
		a, b string
		want int
	}{
		{"kelahiran", "kelahran", 1},
		{"hilang", "hliang", 1}, // transposition
		{"pajak", "pajak", 0},
		{"ktp", "kartu", 2 + 1}, // beyond max 2: capped at max+1
	}
	for _, c := range cases {
		if got := editDistance(c.a, c.b, 2); got != c.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

// TestLiveRefreshesAcrossReplicas runs two Live indexes on one database,
// as two hub replicas would, and checks that a change saved through one
// store reaches the other's index: through NOTIFY on Postgres, through
// polling on SQLite.
func TestLiveRefreshesAcrossReplicas(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		replica, err := storage.Open(ctx, db.URL)
		if err != nil {
			t.Fatal(err)
		}
		defer replica.Close()
		writer := NewStore(db)
		if _, err := writer.Import(ctx, testKB[:3], ImportOptions{Author: "test"}); err != nil {
			t.Fatal(err)
		}
		// Polling far slower than the test's deadline on Postgres proves
		// that the notification, not the poll, refreshed the index.
		poll := time.Hour
		if db.Dialect == storage.SQLite {
			poll = 20 * time.Millisecond
		}
		other := &Live{DB: replica, Store: NewStore(replica), Index: NewIndex(DefaultConfig()), Poll: poll}
		if err := other.Reload(ctx); err != nil {
			t.Fatal(err)
		}
		go other.Run(ctx) //nolint:errcheck
		if got := other.Index.Search("akte kelahiran anak"); got.Decision == Answer {
			t.Fatalf("answered %s before the entry exists", got.Entry.Slug)
		}
		// The listener must be subscribed before the change; retry the
		// save with new content until the other replica sees one.
		deadline := time.Now().Add(20 * time.Second)
		for i := 0; ; i++ {
			e := testKB[3]
			e.Answer = fmt.Sprintf("%s (revisi %d)", e.Answer, i)
			if _, err := writer.Save(ctx, e, "test"); err != nil {
				t.Fatal(err)
			}
			wait := time.Now().Add(2 * time.Second)
			for time.Now().Before(wait) {
				if got := other.Index.Search("akte kelahiran anak"); got.Decision == Answer && got.Entry.Slug == "akta-kelahiran" {
					return
				}
				time.Sleep(10 * time.Millisecond) // polling the other replica's index, bounded by the deadline
			}
			if time.Now().After(deadline) {
				t.Fatal("the other replica's index never saw the new entry")
			}
		}
	})
}

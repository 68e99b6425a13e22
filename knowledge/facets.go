package knowledge

import (
	"strings"

	"github.com/tebingtinggi/hub/knowledge/textid"
)

// A citizen who names a document, a life event or what happened to a
// document means that one: "KK hilang" is not answered with the entry for
// a lost KTP however many other words they share. Facets are those
// must-match words, by group; a question and an entry conflict in a group
// when both name something in it and nothing in common.
//
// The lists hold stems (as textid.Terms gives them) of general
// public-service vocabulary.
var facetGroups = []map[string]string{
	// identity and civil-registry documents, permits and cards
	stemSet("doc",
		"ktp:ktp ektp", "kk:kk", "kia:kia", "akta:akta", "sim:sim", "stnk:stnk", "bpkb:bpkb",
		"paspor:paspor", "npwp:npwp", "skck:skck", "sktm:sktm", "sku:sku", "nib:nib", "siup:siup",
		"pbb:pbb", "bphtb:bphtb", "imb:imb pbg", "kis:kis", "kip:kip", "kartu_kuning:ak1",
		"ijazah:ijazah", "rapor:rapor", "npsn:npsn", "nisn:nisn", "halal:halal", "pirt:pirt"),
	// life events the civil registry records
	stemSet("event", "lahir:lahir", "mati:mati inggal wafat", "nikah:nikah kawin", "cerai:cerai"),
	// what happened to a document
	stemSet("state", "hilang:hilang", "rusak:rusak patah", "ubah:ubah koreksi ralat", "panjang:panjang perpanjang"),
	// the level of schooling: a city runs SD and SMP, the province SMA
	// and SMK, and universities neither
	stemSet("level", "sd:sd", "smp:smp", "sma:sma smk", "kuliah:kuliah kampus universitas s1 s2 d3"),
}

// directionIn tells moving in (stems); moving out is "keluar", or "ke
// luar", read from the words as written, since the stem "luar" is also in
// "datang dari luar kota". Both apply only to texts about moving
// ("pindah", or "mutasi" as a vehicle's registration moves).
var directionIn = stemSet("dir", "in:datang masuk")

// homeCity is the city's name as textid normalises it ("Tebing Tinggi",
// "tebing").
const homeCity = "tebingtinggi"

func stemSet(group string, specs ...string) map[string]string {
	m := make(map[string]string)
	for _, spec := range specs {
		name, words, _ := strings.Cut(spec, ":")
		for _, w := range strings.Fields(words) {
			m[w] = group + ":" + name
		}
	}
	return m
}

// facetSet is the must-match facets a text names, one bit set per group.
type facetSet struct {
	// names holds "group:value" strings.
	names map[string]bool
}

// facetsOf returns the must-match facets a text names, and what it asks
// of the service (its intents).
func facetsOf(text string) (facetSet, intent) {
	stems := textid.Terms(text)
	var fs facetSet
	moving := false
	for _, st := range stems {
		if st == "pindah" || st == "mutasi" {
			moving = true
		}
	}
	add := func(name string) {
		if fs.names == nil {
			fs.names = make(map[string]bool)
		}
		fs.names[name] = true
	}
	for _, st := range stems {
		for _, g := range facetGroups {
			if f, ok := g[st]; ok {
				add(f)
			}
		}
		if moving {
			if f, ok := directionIn[st]; ok {
				add(f)
			}
		}
	}
	if moving {
		toks := textid.Tokens(text)
		for i, tok := range toks {
			if tok == "keluar" || tok == "kluar" || (tok == "luar" && i > 0 && toks[i-1] == "ke") {
				add("dir:out")
			}
			// The hub serves one city: moving "ke Tebing" is moving in,
			// "dari Tebing" moving out, whatever other place is named.
			if tok == homeCity {
				j := i - 1
				if j > 0 && toks[j] == "kota" {
					j--
				}
				switch {
				case j >= 0 && toks[j] == "ke":
					add("dir:in")
				case j >= 0 && toks[j] == "dari":
					add("dir:out")
				}
			}
		}
	}
	return fs, intentsOf(stems)
}

func (fs *facetSet) merge(o facetSet) {
	for n := range o.names {
		if fs.names == nil {
			fs.names = make(map[string]bool)
		}
		fs.names[n] = true
	}
}

// groups returns the facet groups fs names something in.
func (fs facetSet) groups() map[string]bool {
	gs := make(map[string]bool)
	for n := range fs.names {
		g, _, _ := strings.Cut(n, ":")
		gs[g] = true
	}
	return gs
}

// within returns the facets of fs in the given groups.
func (fs facetSet) within(groups map[string]bool) facetSet {
	var out facetSet
	for n := range fs.names {
		if g, _, _ := strings.Cut(n, ":"); groups[g] {
			if out.names == nil {
				out.names = make(map[string]bool)
			}
			out.names[n] = true
		}
	}
	return out
}

// conflicts counts the groups in which q and e both name something and
// nothing in common.
func conflicts(q, e facetSet) int {
	if len(q.names) == 0 || len(e.names) == 0 {
		return 0
	}
	type side struct{ q, e, both bool }
	groups := make(map[string]*side)
	get := func(name string) *side {
		g, _, _ := strings.Cut(name, ":")
		s := groups[g]
		if s == nil {
			s = &side{}
			groups[g] = s
		}
		return s
	}
	for n := range q.names {
		s := get(n)
		s.q = true
		if e.names[n] {
			s.both = true
		}
	}
	for n := range e.names {
		get(n).e = true
	}
	c := 0
	for _, s := range groups {
		if s.q && s.e && !s.both {
			c++
		}
	}
	return c
}

// agreements counts the groups in which q and e name something in common,
// and those in which only q names something.
func agreements(q, e facetSet) (agree, extra int) {
	groups := make(map[string]int)
	for n := range q.names {
		g, _, _ := strings.Cut(n, ":")
		if e.names[n] {
			groups[g] |= 1
		}
		groups[g] |= 2
	}
	for n := range e.names {
		g, _, _ := strings.Cut(n, ":")
		groups[g] |= 4
	}
	for _, bits := range groups {
		switch {
		case bits&1 != 0:
			agree++
		case bits&2 != 0 && bits&4 == 0:
			extra++
		}
	}
	return agree, extra
}

// What a question asks about a service (a complaint, the cost, the time,
// the place) is told by general words that weigh little in the score, yet
// FAQ pages often split one service into entries by it ("biaya sedot
// tinja" and "cara pesan sedot tinja"). Intents are those words, a soft
// signal rather than a must-match: a boost among the best candidates
// (intentBoost) and a decision feature.
var intentWords = map[string]intent{}

type intent uint8

const (
	intentComplaint intent = 1 << iota
	intentCost
	intentTime
	intentPlace
)

func init() {
	for bit, words := range map[intent]string{
		intentComplaint: "adu lapor keluh luhan eluh protes komplain pungli",
		intentCost:      "biaya tarif harga gratis ongkos retribusi",
		intentTime:      "jam kapan jadwal lama waktu",
		intentPlace:     "mana lokasi alamat tempat",
	} {
		for _, w := range strings.Fields(words) {
			intentWords[w] |= bit
		}
	}
}

func intentsOf(stems []string) intent {
	var in intent
	for _, st := range stems {
		in |= intentWords[st]
	}
	return in
}

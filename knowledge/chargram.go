package knowledge

import (
	"math"
	"math/bits"
	"slices"

	"github.com/tebingtinggi/hub/knowledge/textid"
)

// Character n-grams are a second view of how well an entry fits a
// question, independent of the word view (stems, synonyms, typo
// tolerance): citizens write slang, typos and clipped words ("ilang",
// "bikin", "ket") that share no stem with an entry's words yet share many
// of their three-letter pieces. Each text becomes the set of the trigrams
// of its words, each word padded with a space on either side so
// that its start and end count; grams are hashed to uint32 and kept
// sorted, and a gram weighs the square root of its idf over the knowledge
// base's entries (see charWeight).
// Four-letter grams as well were no better on held-out corpora, and cost
// twice the memory.
const gramLen = 3

// charGrams returns the distinct hashed grams of a text's words (as
// textid.Tokens gives them), sorted. Stopwords are left out: "yang",
// "untuk" and "dengan" are in nearly every question and would only dilute
// the grams that tell entries apart.
func charGrams(tokens []string) []uint32 {
	size := 0
	for _, tok := range tokens {
		size += len(tok)
	}
	out := make([]uint32, 0, size)
	var buf []byte
	for _, tok := range tokens {
		if textid.IsStopword(tok) {
			continue
		}
		buf = append(append(append(buf[:0], ' '), tok...), ' ')
		for i := 0; i+gramLen <= len(buf); i++ {
			out = append(out, gramHash(buf[i:i+gramLen]))
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// gramHash is 32-bit FNV-1a. A knowledge base holds some tens of thousands
// of distinct grams, so collisions are rare, and one only adds a little
// similarity.
func gramHash(b []byte) uint32 {
	h := uint32(2166136261)
	for _, c := range b {
		h ^= uint32(c)
		h *= 16777619
	}
	return h
}

// charIndex holds the grams of a snapshot's entries compactly: each
// entry's distinct grams (of its question, alternates and tags) sorted, in
// one array shared by all entries, with a mask of the phrasings that have
// each gram, and the norm of each phrasing's gram weights.
type charIndex struct {
	// weights are the distinct grams of all entries and their weights.
	weights map[uint32]float32
	// unseen is the weight of a gram no entry has: like an unknown word,
	// it tells that the question is about something else.
	unseen float32
	// grams holds every entry's distinct grams, entry after entry (see
	// charSpan), and masks which of its phrasings have each: bit p for
	// phrasing p, tagsBit for its tags. norms holds every entry's
	// phrasings' norms.
	grams []uint32
	masks []uint16
	norms []float32
}

// charSpan locates an entry's grams and phrasing norms in its charIndex.
type charSpan struct {
	from, to, normFrom, normTo int32
}

// tagsBit marks a gram of an entry's tags; an entry's phrasings from
// index tagsBit-1 on share bit tagsBit-1 (so that they count as one
// phrasing, their union).
const tagsBit = 15

func (ci *charIndex) weight(g uint32) float32 {
	if w, ok := ci.weights[g]; ok {
		return w
	}
	return ci.unseen
}

// indexChars stores the grams of every entry's phrasings (phrasings[d]
// lists entry d's question and alternates) and tags, each gram weighed by
// its idf over the entries.
func (s *snapshot) indexChars(phrasings [][][]uint32, tags [][]uint32) {
	ci := &s.chars
	df := make(map[uint32]int32)
	var scratch []uint64
	for d := range phrasings {
		scratch = scratch[:0]
		for p, grams := range phrasings[d] {
			bit := uint64(1) << min(p, tagsBit-1)
			for _, g := range grams {
				scratch = append(scratch, uint64(g)<<16|bit)
			}
		}
		for _, g := range tags[d] {
			scratch = append(scratch, uint64(g)<<16|1<<tagsBit)
		}
		slices.Sort(scratch)
		from := int32(len(ci.grams))
		for _, x := range scratch {
			g, bit := uint32(x>>16), uint16(x)
			if n := len(ci.grams); n > int(from) && ci.grams[n-1] == g {
				ci.masks[n-1] |= bit
				continue
			}
			ci.grams = append(ci.grams, g)
			ci.masks = append(ci.masks, bit)
			df[g]++
		}
		s.docs[d].chars = charSpan{from: from, to: int32(len(ci.grams))}
	}
	ci.grams, ci.masks = slices.Clip(ci.grams), slices.Clip(ci.masks)
	n := float64(len(phrasings))
	ci.unseen = charWeight(n, 0)
	ci.weights = make(map[uint32]float32, len(df))
	for g, k := range df {
		ci.weights[g] = charWeight(n, float64(k))
	}
	var sums [tagsBit]float64
	for d := range phrasings {
		sp := &s.docs[d].chars
		clear(sums[:])
		for i := sp.from; i < sp.to; i++ {
			w := float64(ci.weights[ci.grams[i]])
			for m := ci.masks[i]; m != 0; m &= m - 1 {
				if p := bits.TrailingZeros16(m); p < tagsBit {
					sums[p] += w * w
				}
			}
		}
		sp.normFrom = int32(len(ci.norms))
		for p := range min(len(phrasings[d]), tagsBit) {
			ci.norms = append(ci.norms, float32(math.Sqrt(sums[p])))
		}
		sp.normTo = int32(len(ci.norms))
	}
}

// charWeight is the weight of a gram found in k of n entries: the square
// root of its idf. A trigram is far less telling than a word, and a small
// knowledge base makes its idf coarse; weighed by the idf itself, the char
// view separated right first entries from wrong ones less well on
// held-out corpora (sep 0.879 against 0.888, correct and wrong the same).
func charWeight(n, k float64) float32 {
	return float32(math.Sqrt(math.Log(1 + (n-k+0.5)/(k+0.5))))
}

// charEvidence sets, for each candidate, its best char similarity with the
// question (given as its tokens) (the cosine with its closest phrasing), how far that exceeds
// the other candidates' best, and its char cover: the share of the
// question's gram weight found in any of its phrasings or tags.
func (s *snapshot) charEvidence(tokens []string, ranked []scored) {
	ci := &s.chars
	q := charGrams(tokens)
	// A question's grams are few: their weights fit on the stack.
	var onStack [128]float64
	weights := onStack[:0]
	if len(q) > len(onStack) {
		weights = make([]float64, len(q))
	}
	weights = weights[:len(q)]
	var total, norm float64
	for i, g := range q {
		weights[i] = float64(ci.weight(g))
		total += weights[i]
		norm += weights[i] * weights[i]
	}
	if total == 0 {
		return
	}
	norm = math.Sqrt(norm)
	for r := range ranked {
		sp := s.docs[ranked[r].doc].chars
		grams, masks := ci.grams[sp.from:sp.to], ci.masks[sp.from:sp.to]
		var dots [tagsBit]float64
		var got float64
		for i, j := 0, 0; i < len(q) && j < len(grams); {
			switch {
			case q[i] < grams[j]:
				i++
			case q[i] > grams[j]:
				j++
			default:
				w := weights[i]
				got += w
				for m := masks[j]; m != 0; m &= m - 1 {
					if p := bits.TrailingZeros16(m); p < tagsBit {
						dots[p] += w * w
					}
				}
				i++
				j++
			}
		}
		ranked[r].charCover = got / total
		for p, pn := range ci.norms[sp.normFrom:sp.normTo] {
			if pn > 0 {
				ranked[r].char = max(ranked[r].char, dots[p]/(norm*float64(pn)))
			}
		}
	}
	for i := range ranked {
		var other float64
		for j := range ranked {
			if j != i {
				other = max(other, ranked[j].char)
			}
		}
		ranked[i].charLead = ranked[i].char - other
	}
}

package knowledge

import (
	"cmp"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/tebingtinggi/hub/knowledge/textid"
)

// Decision is what the engine advises for a question.
type Decision string

// The decisions.
const (
	// Answer: one entry fits well enough to answer directly.
	Answer Decision = "answer"
	// Clarify: a few entries fit; ask the citizen which one they mean.
	Clarify Decision = "clarify"
	// Handoff: nothing fits; a human officer takes the question.
	Handoff Decision = "handoff"
	// Decline: the question is not about public services at all (weather,
	// football, jokes); the citizen gets a polite note on what the bot
	// can help with, and no ticket unless they ask for an officer.
	Decline Decision = "decline"
	// Smalltalk: a greeting, thanks or a filler; a friendly reply, never a
	// ticket.
	Smalltalk Decision = "smalltalk"
)

// Word is what the bot did, as officers read it everywhere (the web
// admin capitalises it): "menjawab", "bertanya balik", "menyerahkan ke
// petugas", "menolak karena di luar layanan" or "membalas sapaan"; an
// unknown decision as it is.
func (d Decision) Word() string { return cmp.Or(decisionWords[d], string(d)) }

var decisionWords = map[Decision]string{
	Answer: "menjawab", Clarify: "bertanya balik", Handoff: "menyerahkan ke petugas",
	Decline: "menolak karena di luar layanan", Smalltalk: "membalas sapaan",
}

// Config holds the engine's decision thresholds. A wrong answer from a
// government bot is worse than a hand-over, so the defaults lean towards
// asking back or handing over.
type Config struct {
	// AnswerConfidence is the least confidence to answer directly.
	AnswerConfidence float64
	// ClarifyConfidence is the least estimated probability that the right
	// entry is among the candidates, to offer them instead of handing over.
	ClarifyConfidence float64
	// AnswerMargin is the least relative lead of the best candidate over
	// the second to answer directly: (s1-s2)/s1.
	AnswerMargin float64
	// MaxCandidates is how many entries a clarification offers (2 or 3).
	MaxCandidates int
	// Model is the fitted decision models and word statistics; nil means
	// the shipped DefaultModel.
	Model *Model
	// Resources are the thesaurus and dictionary, when loaded.
	Resources Resources
}

// DefaultConfig is tuned on citizen-style questions so that wrong answers
// are rarer than hand-overs.
func DefaultConfig() Config {
	return Config{
		AnswerConfidence:  0.80,
		ClarifyConfidence: 0.60,
		AnswerMargin:      0,
		MaxCandidates:     3,
	}
}

// Candidate is one entry considered for a question.
type Candidate struct {
	Slug     string  `json:"faq_id"`
	Question string  `json:"-"`
	Score    float64 `json:"score"`
}

// Result is the engine's verdict on one question.
type Result struct {
	Query    string
	Decision Decision
	// Entry is the entry to answer with (Decision Answer only).
	Entry *Entry
	// Confidence in [0,1] that the best candidate answers the question.
	Confidence float64
	// Candidates are the best entries, best first (for Clarify, the ones
	// to offer).
	Candidates []Candidate
	// SmallTalk is the kind of small talk (Decision Smalltalk only).
	SmallTalk SmallTalkKind
}

// MaxQueryBytes bounds the text the engine answers; citizens' questions
// are far shorter, and a longer text (a pasted letter, a story of pages)
// is handed to an officer rather than answered from a few of its words.
const MaxQueryBytes = 2000

// Field weights: a word in the question or its alternates says more about
// what an entry is for than the same word somewhere in its answer.
const (
	weightQuestion = 1.0
	weightTags     = 0.8
	weightCategory = 0.3
	weightAnswer   = 0.35
	// answerOnlyCoverage is how much a query word found only in an entry's
	// answer counts towards that entry's coverage of the question.
	answerOnlyCoverage = 0.5
	// fuzzyFactor discounts a word matched only through typo tolerance.
	fuzzyFactor = 0.8
	// borrowedFactor weighs an alternate's word that names another
	// entry's service and is none of this entry's own words.
	borrowedFactor = 0.3
	bm25K1         = 1.2
	bm25B          = 0.5
	// bigramWeight scales the bonus of adjacent question words found
	// adjacent in an entry, bigramAnswer discounts it in answer text.
	bigramWeight = 1.0
	bigramAnswer = 0.5
	// scoreSpecificity is the power of a word's specificity (see
	// specificity) that its score keeps: general words weigh little in
	// the question, yet an entry that has them is still a little more
	// likely the one meant; scoring them more gently than weighing them
	// ranks the right entry first and ahead of the rest more often.
	scoreSpecificity = 0.5
)

// Index answers questions from the published entries. It is safe for
// concurrent use; Load swaps in a new snapshot without blocking searches.
type Index struct {
	cfg  Config
	snap atomic.Pointer[snapshot]
}

// NewIndex returns an empty index; until Load is called every question is
// handed off.
func NewIndex(cfg Config) *Index {
	if cfg.MaxCandidates < 2 {
		cfg.MaxCandidates = 2
	}
	if cfg.Model == nil {
		cfg.Model = DefaultModel()
	}
	ix := &Index{cfg: cfg}
	ix.snap.Store(buildSnapshot(nil, nil, cfg.Model, cfg.Resources))
	return ix
}

// Config returns the thresholds in use.
func (ix *Index) Config() Config { return ix.cfg }

// Len is the number of entries the index answers from.
func (ix *Index) Len() int { return len(ix.snap.Load().docs) }

// Load rebuilds the index from the given entries (only published ones are
// used) and synonym groups, then makes it current.
func (ix *Index) Load(entries []Entry, synonyms [][]string) {
	ix.snap.Store(buildSnapshot(entries, synonyms, ix.cfg.Model, ix.cfg.Resources))
}

type posting struct {
	doc int32
	// bm is the saturated, field-weighted term frequency.
	bm float32
	// strong is true when the term occurs outside the answer text.
	strong bool
}

type doc struct {
	entry Entry
	// phrasings are the analysed question, alternates and tags, each as
	// its distinct terms.
	phrasings [][]int32
	// facets are the must-match words its question and tags name (and
	// its alternates, in the groups those name), against which a question
	// conflicts; mentions are those of every field, with which a question
	// agrees; intents are what they ask about the service.
	facets   facetSet
	mentions facetSet
	intents  intent
	// bigrams are the pairs of words adjacent in its fields, as sorted
	// pairKey<<1 | 1 when outside the answer text; see bigramBonus.
	bigrams []uint64
	// chars locates the character n-grams of its question, alternates
	// and tags in the snapshot's charIndex.
	chars charSpan
}

type snapshot struct {
	docs     []doc
	terms    map[string]int32
	postings [][]posting
	// idf is what a word adds to an entry's score, salience what it weighs
	// in the question (coverage, key words, unknown share): both are its
	// idf discounted by its generality across knowledge bases, the score
	// more gently (see scoreSpecificity).
	idf      []float32
	salience []float32
	// surface maps a normalised word seen in the index to its stem, and
	// deletes maps each one-letter deletion of such a word to the words
	// it came from, for typo tolerance.
	surface  map[string]string
	deletes  map[string][]string
	synonyms *synonymMap
	chars    charIndex
	model    *Model
	res      Resources
	maxIDF   float32
	// pool holds *accumulators sized for this snapshot.
	pool sync.Pool
}

// analyzed is one analysed query or field: stems in order.
func (s *snapshot) analyze(text string) []string {
	return s.synonyms.apply(textid.Terms(text))
}

func buildSnapshot(entries []Entry, synonymGroups [][]string, model *Model, res Resources) *snapshot {
	s := &snapshot{
		model:    model,
		res:      res,
		terms:    make(map[string]int32),
		surface:  make(map[string]string),
		deletes:  make(map[string][]string),
		synonyms: newSynonymMap(synonymGroups),
	}
	var perDoc []struct {
		tf     map[int32]float64
		strong map[int32]bool
		length float64
	}
	var totalLen float64
	// Each entry's phrasings' and tags' character n-grams.
	var grams [][][]uint32
	var tagGrams [][]uint32
	// add and phrase read the same text one after the other: it is
	// tokenised once.
	var lastText string
	var lastTokens []string
	tokens := func(text string) []string {
		if text != lastText || lastTokens == nil {
			lastText, lastTokens = text, textid.Tokens(text)
		}
		return lastTokens
	}
	// Each entry's own words (question, tags, category, answer), and how
	// many entries name each word in their question or tags: an alternate
	// that brings in words which name another entry's service, and are
	// none of this entry's, must not pull that service's questions here.
	var own []map[string]bool
	named := make(map[string]int)
	// Both passes read the same fields: each is analysed once.
	analysed := make(map[string][]string)
	analyze := func(text string) []string {
		a, ok := analysed[text]
		if !ok {
			a = s.analyze(text)
			analysed[text] = a
		}
		return a
	}
	for _, e := range entries {
		if e.Status != Published && e.Status != "" {
			continue
		}
		words := make(map[string]bool)
		for _, text := range append([]string{e.Question, e.Category, e.Answer}, e.Tags...) {
			for _, t := range analyze(text) {
				words[t] = true
			}
		}
		namedHere := make(map[string]bool)
		for _, text := range append([]string{e.Question}, e.Tags...) {
			for _, t := range analyze(text) {
				namedHere[t] = true
			}
		}
		for t := range namedHere {
			named[t]++
		}
		own = append(own, words)
	}
	for _, e := range entries {
		if e.Status != Published && e.Status != "" {
			continue
		}
		ownWords := own[len(s.docs)]
		s.docs = append(s.docs, doc{entry: e})
		tf := make(map[int32]float64)
		strong := make(map[int32]bool)
		var length float64
		// add indexes a field's words with weight w; an alternate's word
		// that names another entry and none of this one counts as answer
		// text only.
		pairs := make(map[uint64]bool)
		add := func(text string, w float64, isStrong, alternate bool) {
			for _, tok := range tokens(text) {
				if textid.IsStopword(tok) {
					continue
				}
				s.addSurface(tok)
			}
			prev := int32(-1)
			for _, t := range analyze(text) {
				id := s.termID(t)
				if prev >= 0 && prev != id {
					k := pairKey(prev, id)
					pairs[k] = pairs[k] || isStrong
				}
				prev = id
				tw, st := w, isStrong
				if alternate && !ownWords[t] && named[t] > 0 {
					tw, st = w*borrowedFactor, false
				}
				tf[id] += tw
				length += tw
				if st {
					strong[id] = true
				}
			}
		}
		d := &s.docs[len(s.docs)-1]
		grams = append(grams, nil)
		tagGrams = append(tagGrams, nil)
		phrase := func(text string) {
			seen := make(map[int32]bool)
			var ids []int32
			for _, t := range analyze(text) {
				id := s.termID(t)
				if !seen[id] {
					seen[id] = true
					ids = append(ids, id)
				}
			}
			if len(ids) > 0 {
				d.phrasings = append(d.phrasings, ids)
			}
			if g := charGrams(tokens(text)); len(g) > 0 {
				grams[len(grams)-1] = append(grams[len(grams)-1], g)
			}
		}
		add(e.Question, weightQuestion, true, false)
		phrase(e.Question)
		// What an entry is about, and what it asks of the service, is told
		// by its question and tags. An alternate rewords them: it may name
		// more documents in a group the entry already names ("KTP" and
		// "e-KTP"), or more of what is asked when the question asks
		// something, but it does not narrow an entry open in a group or
		// in what it asks. An officer who teaches "legalisir akta" to the
		// entry on legalising documents must not make it refuse
		// "legalisir ijazah", nor "biaya legalisir berapa" make it refuse
		// "jam buka legalisir".
		d.facets, d.intents = facetsOf(e.Question)
		for _, tag := range e.Tags {
			fs, in := facetsOf(tag)
			d.facets.merge(fs)
			d.intents |= in
		}
		committed := d.facets.groups()
		d.mentions.merge(d.facets)
		asks := d.intents != 0
		for _, a := range e.Alternates {
			fs, in := facetsOf(a)
			d.facets.merge(fs.within(committed))
			d.mentions.merge(fs)
			if asks {
				d.intents |= in
			}
			// Alternates are many; each counts a little less than the
			// canonical question so that an entry with ten phrasings does
			// not outweigh one with three.
			add(a, weightQuestion*0.8, true, true)
			phrase(a)
		}
		for _, tag := range e.Tags {
			add(tag, weightTags, true, false)
			tagGrams[len(tagGrams)-1] = append(tagGrams[len(tagGrams)-1], charGrams(tokens(tag))...)
		}
		add(e.Category, weightCategory, true, false)
		add(e.Answer, weightAnswer, false, false)
		d.bigrams = make([]uint64, 0, len(pairs))
		for k, strong := range pairs {
			if strong {
				d.bigrams = append(d.bigrams, k<<1|1)
			} else {
				d.bigrams = append(d.bigrams, k<<1)
			}
		}
		slices.Sort(d.bigrams)
		perDoc = append(perDoc, struct {
			tf     map[int32]float64
			strong map[int32]bool
			length float64
		}{tf, strong, length})
		totalLen += length
	}
	s.indexChars(grams, tagGrams)
	n := len(s.docs)
	s.postings = make([][]posting, len(s.terms))
	avg := 1.0
	if n > 0 {
		avg = totalLen / float64(n)
	}
	for d, pd := range perDoc {
		norm := 1 - bm25B + bm25B*pd.length/avg
		for id, f := range pd.tf {
			x := f / norm
			s.postings[id] = append(s.postings[id], posting{
				doc:    int32(d),
				bm:     float32(x * (bm25K1 + 1) / (x + bm25K1)),
				strong: pd.strong[id],
			})
		}
	}
	s.idf = make([]float32, len(s.terms))
	for id, ps := range s.postings {
		df := float64(len(ps))
		s.idf[id] = float32(math.Log(1 + (float64(n)-df+0.5)/(df+0.5)))
		if s.idf[id] > s.maxIDF {
			s.maxIDF = s.idf[id]
		}
	}
	// A word rare in this knowledge base but common in citizens' questions
	// everywhere ("syarat", "cara") says less than its idf claims.
	s.salience = make([]float32, len(s.terms))
	for t, id := range s.terms {
		sp := specificity(model, t)
		s.salience[id] = s.idf[id] * float32(sp)
		s.idf[id] *= float32(math.Pow(sp, scoreSpecificity))
	}
	if s.maxIDF == 0 {
		s.maxIDF = 1
	}
	return s
}

// pairKey names two words that stand next to each other, in either order.
func pairKey(a, b int32) uint64 {
	if a > b {
		a, b = b, a
	}
	return uint64(uint32(a))<<31 | uint64(uint32(b))
}

// bigramBonus adds to the score of each pooled entry, for every pair of
// adjacent question words that stand next to each other in one of its
// fields, bigramWeight times the lesser weight of the two (half that in
// its answer text only): "surat pindah" in an entry's question says more
// than "surat" and "pindah" far apart in its answer.
func (s *snapshot) bigramBonus(query string, ranked []scored) {
	stems := s.analyze(query)
	seen := make(map[uint64]bool, len(stems))
	prev, havePrev := int32(0), false
	for _, st := range stems {
		id, ok := s.terms[st]
		if !ok {
			havePrev = false
			continue
		}
		a := prev
		prev, havePrev, ok = id, true, havePrev
		if !ok || a == id {
			continue
		}
		k := pairKey(a, id)
		if seen[k] {
			continue
		}
		seen[k] = true
		w := bigramWeight * float64(min(s.idf[a], s.idf[id]))
		for i := range ranked {
			bg := s.docs[ranked[i].doc].bigrams
			j, _ := slices.BinarySearch(bg, k<<1)
			switch {
			case j < len(bg) && bg[j] == k<<1|1, j+1 < len(bg) && bg[j] == k<<1 && bg[j+1] == k<<1|1:
				ranked[i].score += w
			case j < len(bg) && bg[j] == k<<1:
				ranked[i].score += w * bigramAnswer
			}
		}
	}
}

func (s *snapshot) termID(t string) int32 {
	id, ok := s.terms[t]
	if !ok {
		id = int32(len(s.terms))
		s.terms[t] = id
	}
	return id
}

func (s *snapshot) addSurface(word string) {
	if _, ok := s.surface[word]; ok {
		return
	}
	stems := s.synonyms.apply([]string{textid.Stem(word)})
	if len(stems) != 1 {
		return
	}
	s.surface[word] = stems[0]
	if utf8.RuneCountInString(word) < 4 {
		return
	}
	for _, d := range deletions(word) {
		s.deletes[d] = appendUnique(s.deletes[d], word)
	}
	s.deletes[word] = appendUnique(s.deletes[word], word)
}

func appendUnique(list []string, w string) []string {
	for _, x := range list {
		if x == w {
			return list
		}
	}
	return append(list, w)
}

// deletions returns every string made by deleting one rune of w.
func deletions(w string) []string {
	rs := []rune(w)
	out := make([]string, 0, len(rs))
	for i := range rs {
		out = append(out, string(rs[:i])+string(rs[i+1:]))
	}
	return out
}

// queryTerm is one distinct analysed word of a question.
type queryTerm struct {
	id int32 // -1 when unknown to the index
	// weight is how much the word says about what is asked: its idf for
	// known words, a fixed salience for unknown ones.
	weight float64
	// factor discounts fuzzy matches.
	factor float64
}

// unknownSalience is the weight of a question word the index has never
// seen, relative to the rarest known word: unknown service words are how
// out-of-scope questions show themselves ("paspor", "npwp"). Everyday
// words, numbers and fragments that the index has never seen weigh
// faintSalience instead: citizens' stories are full of them. An everyday
// word the index does know weighs what its idf and its generality across
// knowledge bases say, like any other: "janda" names the entry for a
// widow's letter however everyday it is. An unknown word's generality
// discounts it as gently as it does a score (scoreSpecificity): a word the
// knowledge base lacks says the question may be about something else even
// when citizens use it everywhere.
const (
	unknownSalience = 1.0
	faintSalience   = 0.15
)

// queryTerms weighs the distinct words of a question, and returns its
// tokens too: the char view reads them.
func (s *snapshot) queryTerms(query string) ([]queryTerm, []string) {
	if len(query) > MaxQueryBytes {
		query = query[:MaxQueryBytes]
		for !utf8.ValidString(query) && len(query) > 0 {
			query = query[:len(query)-1]
		}
	}
	// Typo tolerance works on words as typed: a word the index has never
	// seen is replaced by the nearest indexed word, and remembered as a
	// fuzzy match.
	var stems []string
	fuzzed := make(map[string]bool)
	viaThesaurus := make(map[string]bool)
	faint := make(map[string]bool)
	tokens := textid.Tokens(query)
	for _, tok := range tokens {
		if textid.IsStopword(tok) {
			continue
		}
		st := textid.Stem(tok)
		everyday := textid.IsEveryday(tok) || utf8.RuneCountInString(tok) <= 2 || isNumber(tok)
		if everyday {
			faint[st] = true
		}
		if s.known(st) || everyday {
			stems = append(stems, st)
			continue
		}
		if word, ok := s.fuzzy(tok); ok {
			st = s.surface[word]
			fuzzed[st] = true
		} else if syn, ok := s.thesaurus(tok); ok {
			st = syn
			viaThesaurus[st] = true
		} else if s.misspelt(tok) {
			faint[st] = true
		}
		stems = append(stems, st)
	}
	stems = s.synonyms.apply(stems)
	seen := make(map[string]bool, len(stems))
	var out []queryTerm
	for _, st := range stems {
		if seen[st] {
			continue
		}
		seen[st] = true
		id, ok := s.terms[st]
		switch {
		case !ok && faint[st]:
			out = append(out, queryTerm{id: -1, weight: float64(s.maxIDF) * faintSalience})
		case !ok:
			out = append(out, queryTerm{id: -1, weight: float64(s.maxIDF) * unknownSalience * math.Pow(specificity(s.model, st), scoreSpecificity)})
		case fuzzed[st]:
			out = append(out, queryTerm{id: id, weight: float64(s.salience[id]), factor: fuzzyFactor})
		case viaThesaurus[st]:
			out = append(out, queryTerm{id: id, weight: float64(s.salience[id]), factor: thesaurusFactor})
		default:
			out = append(out, queryTerm{id: id, weight: float64(s.salience[id]), factor: 1})
		}
	}
	return out, tokens
}

func isNumber(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// thesaurusFactor weighs a word reached through the thesaurus: synonym
// sets are broad ("hilang" lists "meninggal"), so such a word counts for
// less than one the citizen typed.
const thesaurusFactor = 0.5

// thesaurus finds, for a word the index does not know, the synonym the
// index knows best (in the most entries), as a stem.
func (s *snapshot) thesaurus(word string) (string, bool) {
	best, bestDF := "", 0
	for _, syn := range s.res.Thesaurus.Synonyms(word) {
		st := textid.Stem(syn)
		if c, ok := s.synonyms.single[st]; ok {
			st = c
		}
		id, ok := s.terms[st]
		if !ok {
			continue
		}
		if df := len(s.postings[id]); df > bestDF || (df == bestDF && st < best) {
			best, bestDF = st, df
		}
	}
	return best, best != ""
}

// misspelt reports whether a word the index does not know is, by the
// dictionary, not an Indonesian word either: a typo or chat slang says
// little about which service is meant, unlike a real word the knowledge
// base lacks ("paspor"). Acronyms and short words ("bpkb", "npwp") are
// never taken for typos.
func (s *snapshot) misspelt(word string) bool {
	d := s.res.Dictionary
	if d == nil || utf8.RuneCountInString(word) < 5 || d.Has(word) || d.Has(textid.Stem(word)) {
		return false
	}
	vowels := 0
	for _, r := range word {
		if strings.ContainsRune("aiueo", r) {
			vowels++
		}
		if r < 'a' || r > 'z' {
			return false
		}
	}
	return vowels >= 2
}

// known reports whether a stem, after synonym mapping, is in the index.
func (s *snapshot) known(stem string) bool {
	if c, ok := s.synonyms.single[stem]; ok {
		stem = c
	}
	_, ok := s.terms[stem]
	return ok || len(s.synonyms.phrases[stem]) > 0
}

// fuzzy finds the indexed word nearest to w within a small edit distance
// (one edit for words of 5–7 letters, two for longer ones), preferring the
// more common word on ties.
func (s *snapshot) fuzzy(w string) (string, bool) {
	n := utf8.RuneCountInString(w)
	if n < 5 {
		return "", false
	}
	maxDist := 1
	if n >= 8 {
		maxDist = 2
	}
	best, bestDist, bestDF := "", maxDist+1, -1
	consider := func(cands []string) {
		for _, c := range cands {
			d := editDistance(w, c, maxDist)
			if d > maxDist {
				continue
			}
			id := s.terms[s.surface[c]]
			df := len(s.postings[id])
			if d < bestDist || (d == bestDist && df > bestDF) || (d == bestDist && df == bestDF && c < best) {
				best, bestDist, bestDF = c, d, df
			}
		}
	}
	consider(s.deletes[w])
	for _, d := range deletions(w) {
		consider(s.deletes[d])
		if _, ok := s.surface[d]; ok {
			consider([]string{d})
		}
	}
	return best, best != ""
}

// editDistance is the optimal-string-alignment distance between a and b,
// giving up (returning max+1) once it exceeds max.
func editDistance(a, b string, max int) int {
	ra, rb := []rune(a), []rune(b)
	if abs(len(ra)-len(rb)) > max {
		return max + 1
	}
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			rowMin = min(rowMin, v)
		}
		if rowMin > max {
			return max + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

type scored struct {
	doc   int32
	score float64
	// coverage is the share of the question's weight that the entry
	// matches, words found only in its answer counting less.
	coverage float64
	// phrase is the best cosine similarity between the question and one
	// of the entry's phrasings (question or alternate).
	phrase float64
	// recall is the share of the canonical question's weight that the
	// question matches.
	recall float64
	// conflict counts the must-match facets (document, event, state,
	// direction) in which the question and the entry disagree.
	conflict int
	// unknown is the share of the question's weight in words the index
	// does not know, and terms how many distinct words it has (both the
	// same for every entry).
	unknown float64
	terms   int
	// key is the share of the weight of the question's keyTerms heaviest
	// words that the entry has outside its answer.
	key float64
	// miss is the weight of the heaviest question word the entry lacks
	// outside its answer, relative to the question's heaviest word; a
	// near miss ("duplikat SKCK" for the SKCK letter) shows itself so.
	miss float64
	// answerOnly is the share of the question's weight found only in the
	// entry's answer text.
	answerOnly float64
	// agree counts the must-match facet groups in which the question and
	// the entry name the same thing; extra those the question names and
	// the entry does not.
	agree, extra int
	// intentAgree: the question and the entry ask the same of the
	// service; intentConflict: both say what they ask, and differ.
	intentAgree, intentConflict bool
	// char is the best character n-gram cosine between the question and
	// one of the entry's phrasings, charLead how far it exceeds the best
	// char of the other candidates (negative when another's is higher),
	// charCover the share of the question's gram weight the entry's
	// phrasings and tags have.
	char, charLead, charCover float64
}

// keyTerms is how many of a question's heaviest words must be found in an
// entry for the key feature to be full.
const keyTerms = 2

// heaviest returns the n query terms of most weight, heaviest first.
func heaviest(qts []queryTerm, n int) []queryTerm {
	out := append([]queryTerm(nil), qts...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].weight > out[j].weight })
	return out[:min(n, len(out))]
}

// hasStrong reports whether entry d has term id outside its answer.
func (s *snapshot) hasStrong(id, d int32) bool {
	_, strong := s.has(id, d)
	return strong
}

// has reports whether entry d has term id anywhere, and outside its
// answer; the posting lists are in entry order.
func (s *snapshot) has(id, d int32) (found, strong bool) {
	ps := s.postings[id]
	i := sort.Search(len(ps), func(i int) bool { return ps[i].doc >= d })
	if i < len(ps) && ps[i].doc == d {
		return true, ps[i].strong
	}
	return false, false
}

// accumulators are per-search scratch arrays, one slot per entry, reused
// through the snapshot's pool so that a search allocates almost nothing.
type accumulators struct {
	score, coverage []float64
	seen            []bool
	touched         []int32
}

// negligibleIDF is the idf below which a word is ignored while scoring: it
// occurs in more than about 95% of the entries.
const negligibleIDF = 0.05

// rank scores the entries sharing a word with the query and returns the
// best phraseCandidates of them, best first; coverage is already divided
// by the query's total weight.
func (s *snapshot) rank(query string) []scored {
	if len(s.docs) == 0 {
		return nil
	}
	qts, tokens := s.queryTerms(query)
	var total, unknown float64
	for _, qt := range qts {
		total += qt.weight
		if qt.id < 0 {
			unknown += qt.weight
		}
	}
	if total == 0 {
		return nil
	}
	acc, _ := s.pool.Get().(*accumulators)
	if acc == nil {
		n := len(s.docs)
		acc = &accumulators{score: make([]float64, n), coverage: make([]float64, n), seen: make([]bool, n)}
	}
	defer func() {
		for _, d := range acc.touched {
			acc.score[d], acc.coverage[d], acc.seen[d] = 0, 0, false
		}
		acc.touched = acc.touched[:0]
		s.pool.Put(acc)
	}()
	for _, qt := range qts {
		// A word in nearly every entry ("bagaimana") adds nothing to any
		// score or coverage; skipping its long posting list keeps search
		// fast on large knowledge bases.
		if qt.id < 0 || s.idf[qt.id] < negligibleIDF {
			continue
		}
		idf := float64(s.idf[qt.id])
		cov := qt.weight * qt.factor
		for _, p := range s.postings[qt.id] {
			if !acc.seen[p.doc] {
				acc.seen[p.doc] = true
				acc.touched = append(acc.touched, p.doc)
			}
			acc.score[p.doc] += idf * float64(p.bm) * qt.factor
			if p.strong {
				acc.coverage[p.doc] += cov
			} else {
				acc.coverage[p.doc] += cov * answerOnlyCoverage
			}
		}
	}
	// Keep the best few by score (ties by slug, for stable answers).
	better := func(a, b scored) bool {
		if a.score != b.score {
			return a.score > b.score
		}
		return s.docs[a.doc].entry.Slug < s.docs[b.doc].entry.Slug
	}
	ranked := make([]scored, 0, poolCandidates+1)
	for _, d := range acc.touched {
		c := scored{doc: d, score: acc.score[d], coverage: acc.coverage[d] / total, unknown: unknown / total, terms: len(qts)}
		if len(ranked) == poolCandidates && !better(c, ranked[len(ranked)-1]) {
			continue
		}
		i := sort.Search(len(ranked), func(i int) bool { return better(c, ranked[i]) })
		ranked = append(ranked, scored{})
		copy(ranked[i+1:], ranked[i:])
		ranked[i] = c
		if len(ranked) > poolCandidates {
			ranked = ranked[:poolCandidates]
		}
	}
	s.bigramBonus(query, ranked)
	// An entry about another document or action than the one named is
	// pushed down, so that the one the citizen means can come first.
	qf, qi := facetsOf(query)
	for i := range ranked {
		di := s.docs[ranked[i].doc].intents
		ranked[i].intentAgree = qi&di != 0
		ranked[i].intentConflict = qi != 0 && di != 0 && qi&di == 0
		if ranked[i].intentAgree {
			ranked[i].score *= intentBoost
		} else if ranked[i].intentConflict {
			ranked[i].score /= intentBoost
		}
		ranked[i].conflict = conflicts(qf, s.docs[ranked[i].doc].facets)
		ranked[i].agree, ranked[i].extra = agreements(qf, s.docs[ranked[i].doc].mentions)
		ranked[i].score *= math.Pow(conflictPenalty, float64(ranked[i].conflict))
	}
	sort.SliceStable(ranked, func(i, j int) bool { return better(ranked[i], ranked[j]) })
	if len(ranked) > phraseCandidates {
		ranked = ranked[:phraseCandidates]
	}
	// The question's heaviest words name what it is about; an entry that
	// lacks them answers something else, however much else it shares.
	keys := heaviest(qts, keyTerms)
	var keyTotal float64
	for _, k := range keys {
		keyTotal += k.weight
	}
	var heaviestWeight float64
	for _, qt := range qts {
		heaviestWeight = max(heaviestWeight, qt.weight)
	}
	for i := range ranked {
		var got float64
		for _, k := range keys {
			if k.id >= 0 && s.hasStrong(k.id, ranked[i].doc) {
				got += k.weight
			}
		}
		ranked[i].key = got / keyTotal
		var miss, answerOnly float64
		for _, qt := range qts {
			found, strong := false, false
			if qt.id >= 0 {
				found, strong = s.has(qt.id, ranked[i].doc)
			}
			switch {
			case strong:
			case found:
				answerOnly += qt.weight
				miss = max(miss, qt.weight*(1-answerOnlyCoverage))
			default:
				miss = max(miss, qt.weight)
			}
		}
		ranked[i].miss = miss / heaviestWeight
		ranked[i].answerOnly = answerOnly / total
	}
	// Phrase similarity only for the few entries a decision looks at.
	qw := make(map[int32]float64, len(qts))
	for _, qt := range qts {
		if qt.id >= 0 {
			qw[qt.id] = qt.weight * qt.factor
		}
	}
	for i := range ranked {
		ranked[i].phrase, ranked[i].recall = s.phraseSimilarity(ranked[i].doc, qw, total)
	}
	s.charEvidence(tokens, ranked)
	return ranked
}

// phraseCandidates is how many of the best entries get a phrase
// similarity; poolCandidates how many are checked for must-match conflicts
// before that; conflictPenalty scales the score of an entry per facet group
// in which it contradicts the question; intentBoost multiplies the score of
// an entry that asks the same of the service as the question, and divides
// that of one that asks something else.
const (
	phraseCandidates = 5
	poolCandidates   = 10
	conflictPenalty  = 0.5
	intentBoost      = 1.25
)

// phraseSimilarity is the best weighted cosine between the question (its
// known terms with their weights, and its total weight including unknown
// words) and one phrasing of the entry, and the share of the canonical
// question's weight (the first phrasing) that the question matches.
func (s *snapshot) phraseSimilarity(d int32, qw map[int32]float64, qTotal float64) (best, recall float64) {
	for i, ph := range s.docs[d].phrasings {
		var overlap, mass float64
		for _, id := range ph {
			w := float64(s.idf[id])
			mass += w
			if q, ok := qw[id]; ok {
				overlap += min(q, w)
			}
		}
		if mass == 0 {
			continue
		}
		if i == 0 {
			recall = overlap / mass
		}
		if sim := overlap / math.Sqrt(mass*qTotal); sim > best {
			best = sim
		}
	}
	return best, recall
}

// synonymMap rewrites analysed words and phrases to one canonical term per
// synonym group, on both the index side and the query side.
type synonymMap struct {
	// phrases maps the first stem of each multi-word member to its
	// members (as stem sequences) and their canonical term.
	phrases map[string][]synPhrase
	single  map[string]string
}

type synPhrase struct {
	stems     []string
	canonical string
}

func newSynonymMap(groups [][]string) *synonymMap {
	m := &synonymMap{phrases: make(map[string][]synPhrase), single: make(map[string]string)}
	for _, g := range groups {
		var members [][]string
		for _, term := range g {
			stems := textid.Terms(term)
			if len(stems) > 0 {
				members = append(members, stems)
			}
		}
		if len(members) < 2 {
			continue
		}
		canonical := "syn:" + strings.Join(members[0], "_")
		for _, ms := range members {
			if len(ms) == 1 {
				m.single[ms[0]] = canonical
				continue
			}
			m.phrases[ms[0]] = append(m.phrases[ms[0]], synPhrase{stems: ms, canonical: canonical})
		}
	}
	for k := range m.phrases {
		ps := m.phrases[k]
		sort.Slice(ps, func(i, j int) bool { return len(ps[i].stems) > len(ps[j].stems) })
	}
	return m
}

func (m *synonymMap) apply(stems []string) []string {
	if m == nil || (len(m.single) == 0 && len(m.phrases) == 0) {
		return stems
	}
	out := make([]string, 0, len(stems))
	for i := 0; i < len(stems); i++ {
		matched := false
		for _, p := range m.phrases[stems[i]] {
			if i+len(p.stems) <= len(stems) && equalStrings(stems[i:i+len(p.stems)], p.stems) {
				out = append(out, p.canonical)
				i += len(p.stems) - 1
				matched = true
				break
			}
		}
		if matched {
			continue
		}
		if c, ok := m.single[stems[i]]; ok {
			out = append(out, c)
			continue
		}
		out = append(out, stems[i])
	}
	return out
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

package knowledge

import (
	"math"
	"slices"
	"sort"

	"github.com/tebingtinggi/hub/knowledge/textid"
)

// example is one labelled question as the decision models see it.
type example struct {
	x []float64
	// answer: the best entry answers it; listed: a right entry is among
	// those a clarification would offer.
	answer, listed bool
}

// Fit produces a model from labelled corpora, deterministically: the same
// corpora give the same model. Every corpus's questions are turned into
// decision features with word statistics taken from the other corpora only
// (as a new city's knowledge base will be, unseen), the calibration is
// fitted on out-of-fold predictions (each corpus scored by weights fitted
// on the others), and the final weights and statistics use every corpus.
func Fit(corpora []Corpus, cfg Config) *Model {
	cfg = fitConfig(cfg)
	perCorpus := make([][]example, len(corpora))
	for j := range corpora {
		stats := wordStats(without(corpora, j))
		perCorpus[j] = examples(corpora[j], stats, cfg)
	}
	var raw []float64
	var right []bool
	for j := range corpora {
		var train []example
		for k, ex := range perCorpus {
			if k != j {
				train = append(train, ex...)
			}
		}
		w := fitLogistic(train, func(e example) bool { return e.answer })
		for _, e := range perCorpus[j] {
			raw = append(raw, logit(w, e.x))
			right = append(right, e.answer)
		}
	}
	var all []example
	for _, ex := range perCorpus {
		all = append(all, ex...)
	}
	m := wordStats(corpora)
	m.Answer = fitLogistic(all, func(e example) bool { return e.answer })
	m.Candidates = fitLogistic(zeroFeatures(all, answerOnlyFeatures), func(e example) bool { return e.listed })
	if len(corpora) > 1 {
		m.Calibration = isotonic(raw, right)
	}
	return m
}

func fitConfig(cfg Config) Config {
	if cfg.MaxCandidates < 2 {
		cfg.MaxCandidates = DefaultConfig().MaxCandidates
	}
	return cfg
}

func without(corpora []Corpus, j int) []Corpus {
	out := make([]Corpus, 0, len(corpora))
	for k, c := range corpora {
		if k != j {
			out = append(out, c)
		}
	}
	return out
}

// wordStats measures how general each word is across the corpora: a word
// common in every knowledge base and its citizens' questions ("syarat",
// "cara") is general; one common in a single corpus only ("ktp" in the
// civil-registry one) is not. Generality is one minus the mean, over the
// corpora, of the word's normalised idf among that corpus's texts (its
// entries and questions). It returns a model with only those statistics.
func wordStats(corpora []Corpus) *Model {
	m := &Model{Features: slices.Clone(featureNames), General: make(map[string]float64)}
	sum := make(map[string]float64)
	for _, c := range corpora {
		m.Corpora = append(m.Corpora, c.Name)
		df := make(map[string]int)
		docs := 0
		count := func(texts ...string) {
			seen := make(map[string]bool)
			for _, t := range texts {
				for _, st := range textid.Terms(t) {
					seen[st] = true
				}
			}
			for st := range seen {
				df[st]++
			}
			docs++
		}
		for _, e := range c.Entries {
			texts := append([]string{e.Question, e.Answer, e.Category}, e.Alternates...)
			count(append(texts, e.Tags...)...)
		}
		for _, q := range c.Queries {
			count(q.Q)
		}
		n := float64(docs)
		maxIDF := math.Log(1 + (n+0.5)/0.5)
		for st, k := range df {
			idf := math.Log(1 + (n-float64(k)+0.5)/(float64(k)+0.5))
			sum[st] += 1 - idf/maxIDF
		}
	}
	for st, g := range sum {
		if g /= float64(len(corpora)); g >= minGenerality {
			m.General[st] = round6(g)
		}
	}
	return m
}

// minGenerality is the least generality a model keeps; rarer words count
// as not general at all.
const minGenerality = 0.1

// examples searches a corpus's questions in its own knowledge base, with
// the given word statistics, and labels the features of each.
func examples(c Corpus, stats *Model, cfg Config) []example {
	s := buildSnapshot(c.Entries, nil, stats, cfg.Resources)
	var out []example
	for _, q := range c.Queries {
		ranked := s.rank(q.Q)
		if len(ranked) == 0 {
			continue
		}
		var second scored
		if len(ranked) > 1 {
			second = ranked[1]
		}
		e := example{x: decisionFeatures(ranked[0], second, s.maxIDF).vector()}
		for i, r := range ranked[:min(len(ranked), cfg.MaxCandidates)] {
			if slices.Contains(q.Expect, s.docs[r.doc].entry.Slug) {
				e.listed = true
				if i == 0 {
					e.answer = true
				}
			}
		}
		out = append(out, e)
	}
	return out
}

// answerOnlyFeatures are left out of the candidates model (their weights
// there are zero): the character n-gram view tells which of the
// candidates is right, not whether the right one is among them, and in the
// candidates model it made near misses look answerable (out-of-scope
// questions offered a clarification instead of an officer).
var answerOnlyFeatures = []string{"char", "char_lead", "char_best", "char_cover", "char_cover_lead"}

// zeroFeatures returns copies of exs with the named features set to zero.
func zeroFeatures(exs []example, names []string) []example {
	out := make([]example, len(exs))
	for i, e := range exs {
		e.x = slices.Clone(e.x)
		for _, n := range names {
			e.x[slices.Index(featureNames, n)] = 0
		}
		out[i] = e
	}
	return out
}

// l2Penalty regularises the logistic weights (not the bias).
const l2Penalty = 1.0

// fitLogistic fits an L2-regularised logistic regression by Newton's
// method; the result is bias first, then one weight per feature.
func fitLogistic(exs []example, label func(example) bool) []float64 {
	d := len(featureNames) + 1
	w := make([]float64, d)
	if len(exs) == 0 {
		return w
	}
	for iter := 0; iter < 50; iter++ {
		grad := make([]float64, d)
		hess := make([][]float64, d)
		for i := range hess {
			hess[i] = make([]float64, d)
		}
		for _, e := range exs {
			xi := append([]float64{1}, e.x...)
			p := logit(w, e.x)
			y := 0.0
			if label(e) {
				y = 1
			}
			for a := 0; a < d; a++ {
				grad[a] += (p - y) * xi[a]
				for b := 0; b < d; b++ {
					hess[a][b] += p * (1 - p) * xi[a] * xi[b]
				}
			}
		}
		for a := 1; a < d; a++ {
			grad[a] += l2Penalty * w[a]
			hess[a][a] += l2Penalty
		}
		hess[0][0] += 1e-9
		step := solve(hess, grad)
		var size float64
		for a := range w {
			w[a] -= step[a]
			size = max(size, math.Abs(step[a]))
		}
		if size < 1e-10 {
			break
		}
	}
	return w
}

// solve returns x with a·x = b, by Gaussian elimination with partial
// pivoting (a is small and positive definite here).
func solve(a [][]float64, b []float64) []float64 {
	n := len(b)
	m := make([][]float64, n)
	for i := range a {
		m[i] = append(slices.Clone(a[i]), b[i])
	}
	for col := 0; col < n; col++ {
		p := col
		for r := col + 1; r < n; r++ {
			if math.Abs(m[r][col]) > math.Abs(m[p][col]) {
				p = r
			}
		}
		m[col], m[p] = m[p], m[col]
		if m[col][col] == 0 {
			continue
		}
		for r := col + 1; r < n; r++ {
			f := m[r][col] / m[col][col]
			for k := col; k <= n; k++ {
				m[r][k] -= f * m[col][k]
			}
		}
	}
	x := make([]float64, n)
	for i := n - 1; i >= 0; i-- {
		if m[i][i] == 0 {
			continue
		}
		v := m[i][n]
		for k := i + 1; k < n; k++ {
			v -= m[i][k] * x[k]
		}
		x[i] = v / m[i][i]
	}
	return x
}

// minCalibrationBlock is the fewest predictions a calibration step pools,
// so that a handful of questions do not make a step of their own.
const minCalibrationBlock = 15

// isotonic fits a non-decreasing map from raw probabilities to the share
// of right answers (pool adjacent violators), returned as points at each
// block's mean raw probability.
func isotonic(raw []float64, right []bool) []CalibrationPoint {
	idx := make([]int, len(raw))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool {
		if raw[idx[a]] != raw[idx[b]] {
			return raw[idx[a]] < raw[idx[b]]
		}
		return !right[idx[a]] && right[idx[b]]
	})
	type block struct{ sumX, sumY, n float64 }
	var blocks []block
	var cur block
	// settle merges the last block into its predecessor while they are
	// out of order.
	settle := func() {
		for len(blocks) > 1 {
			a, b := blocks[len(blocks)-2], blocks[len(blocks)-1]
			if a.sumY/a.n < b.sumY/b.n {
				break
			}
			blocks = append(blocks[:len(blocks)-2], block{a.sumX + b.sumX, a.sumY + b.sumY, a.n + b.n})
		}
	}
	for _, i := range idx {
		y := 0.0
		if right[i] {
			y = 1
		}
		cur.sumX += raw[i]
		cur.sumY += y
		cur.n++
		if cur.n < minCalibrationBlock {
			continue
		}
		blocks = append(blocks, cur)
		cur = block{}
		settle()
	}
	if cur.n > 0 {
		if len(blocks) == 0 {
			blocks = append(blocks, cur)
		} else {
			last := &blocks[len(blocks)-1]
			last.sumX, last.sumY, last.n = last.sumX+cur.sumX, last.sumY+cur.sumY, last.n+cur.n
		}
		settle()
	}
	out := make([]CalibrationPoint, 0, len(blocks))
	for _, b := range blocks {
		out = append(out, CalibrationPoint{Raw: b.sumX / b.n, Prob: b.sumY / b.n})
	}
	return out
}

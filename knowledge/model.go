package knowledge

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"sort"
	"sync"
)

// Model is what the engine learns from labelled citizen questions: the
// weights of its two decision models, the calibration that turns the
// answer model's score into a probability of being right, and how general
// each word is across many knowledge bases. `hub kb fit` produces it,
// deterministically, from labelled corpora; the hub ships the one fitted on
// every shared corpus (model.json, embedded).
type Model struct {
	// Features names the decision features in the order of the weights;
	// a model whose names differ from the engine's is refused.
	Features []string `json:"features"`
	// Answer and Candidates are logistic regressions, bias first: the
	// probability that the best entry answers the question, and that the
	// right entry is among those a clarification offers.
	Answer     []float64 `json:"answer"`
	Candidates []float64 `json:"candidates"`
	// Calibration maps the answer model's probability to the share of
	// answers that were right, fitted out of fold: points sorted by Raw,
	// interpolated linearly. Empty means no calibration.
	Calibration []CalibrationPoint `json:"calibration"`
	// General holds how general each word (stem) is across knowledge
	// bases and citizens' questions, in [0,1] (see wordStats); words not
	// listed are not general.
	General map[string]float64 `json:"general"`
	// Corpora names what the model was fitted on.
	Corpora []string `json:"corpora"`
}

// CalibrationPoint is one step of the calibration map.
type CalibrationPoint struct {
	Raw  float64 `json:"raw"`
	Prob float64 `json:"prob"`
}

// featureNames are the decision features, in the order of features.vector.
var featureNames = []string{"coverage", "phrase", "margin", "phrase_lead", "evidence", "recall", "conflict", "unknown", "length", "key", "miss", "answer_only", "agree", "extra", "intent", "char", "char_lead", "char_best", "char_cover", "char_cover_lead"}

//go:embed model.json
var shippedModel []byte

// defaultModel is the shipped model, decoded at first use: a model.json
// left stale by a change of features then still lets `hub kb fit` run to
// replace it.
var defaultModel = sync.OnceValue(func() *Model {
	m, err := DecodeModel(shippedModel)
	if err != nil {
		panic("knowledge: the shipped model.json is invalid: " + err.Error())
	}
	return m
})

// DefaultModel returns the model the hub ships.
func DefaultModel() *Model { return defaultModel() }

// DecodeModel reads a model as EncodeModel writes it and checks that it
// fits this engine.
func DecodeModel(data []byte) (*Model, error) {
	var m Model
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("knowledge: unable to read model: %w", err)
	}
	if fmt.Sprint(m.Features) != fmt.Sprint(featureNames) {
		return nil, fmt.Errorf("knowledge: model has features %v, the engine uses %v: refit it with `hub kb fit`", m.Features, featureNames)
	}
	if len(m.Answer) != len(featureNames)+1 || len(m.Candidates) != len(featureNames)+1 {
		return nil, fmt.Errorf("knowledge: model has %d and %d weights, want %d", len(m.Answer), len(m.Candidates), len(featureNames)+1)
	}
	if !sort.SliceIsSorted(m.Calibration, func(i, j int) bool { return m.Calibration[i].Raw < m.Calibration[j].Raw }) {
		return nil, fmt.Errorf("knowledge: model calibration is not sorted")
	}
	return &m, nil
}

// LoadModel reads a model file.
func LoadModel(path string) (*Model, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("knowledge: unable to read model: %w", err)
	}
	return DecodeModel(data)
}

// EncodeModel writes m as indented JSON with rounded numbers, so that the
// same fit gives the same bytes.
func EncodeModel(m *Model) ([]byte, error) {
	c := *m
	c.Answer = roundAll(m.Answer)
	c.Candidates = roundAll(m.Candidates)
	c.Calibration = make([]CalibrationPoint, len(m.Calibration))
	for i, p := range m.Calibration {
		c.Calibration[i] = CalibrationPoint{Raw: round6(p.Raw), Prob: round6(p.Prob)}
	}
	data, err := json.MarshalIndent(&c, "", " ")
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}

func round6(x float64) float64 { return math.Round(x*1e6) / 1e6 }

func roundAll(xs []float64) []float64 {
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = round6(x)
	}
	return out
}

func logit(w []float64, x []float64) float64 {
	z := w[0]
	for i, v := range x {
		z += w[i+1] * v
	}
	return 1 / (1 + math.Exp(-z))
}

// calibrate maps the answer model's probability through the calibration.
func (m *Model) calibrate(p float64) float64 {
	c := m.Calibration
	if len(c) == 0 {
		return p
	}
	if p <= c[0].Raw {
		return c[0].Prob
	}
	if p >= c[len(c)-1].Raw {
		return c[len(c)-1].Prob
	}
	i := sort.Search(len(c), func(i int) bool { return c[i].Raw >= p })
	a, b := c[i-1], c[i]
	if b.Raw == a.Raw {
		return b.Prob
	}
	return a.Prob + (b.Prob-a.Prob)*(p-a.Raw)/(b.Raw-a.Raw)
}

// generality is how common a word is across knowledge bases and
// citizens' questions, in [0,1].
func (m *Model) generality(stem string) float64 {
	if m == nil {
		return 0
	}
	return m.General[stem]
}

// salienceExponent sets how strongly a word's generality across knowledge
// bases discounts its weight.
const salienceExponent = 1.0

// specificity is the factor by which a word's weight is kept: 1 for a word
// the statistics do not know as common, less the more general it is.
func specificity(m *Model, stem string) float64 {
	return math.Pow(1-m.generality(stem), salienceExponent)
}

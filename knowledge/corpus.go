package knowledge

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
)

// Corpus is one knowledge base with labelled citizen questions about it:
// the unit of leave-one-corpus-out evaluation and of fitting.
type Corpus struct {
	Name    string
	Entries []Entry
	Queries []EvalQuery
}

// LoadCorpora reads the labelled corpora under dir, laid out as the shared
// evaluation set: faq-public.json with public-dev.jsonl as the corpus
// "public" (when present), and each corpora/NAME/ holding faq.json and
// queries.jsonl. Corpora come back sorted by name, so that anything fitted
// from them is the same on every machine.
func LoadCorpora(dir string) ([]Corpus, error) {
	var out []Corpus
	pub := filepath.Join(dir, "faq-public.json")
	if _, err := os.Stat(pub); err == nil {
		c, err := loadCorpus("public", pub, filepath.Join(dir, "public-dev.jsonl"))
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	subs, err := filepath.Glob(filepath.Join(dir, "corpora", "*", "faq.json"))
	if err != nil {
		return nil, err
	}
	for _, faq := range subs {
		d := filepath.Dir(faq)
		c, err := loadCorpus(filepath.Base(d), faq, filepath.Join(d, "queries.jsonl"))
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("tidak ada korpus berlabel di %s (yang dicari: faq-public.json dengan public-dev.jsonl, atau corpora/NAMA/faq.json dengan queries.jsonl)", dir)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func loadCorpus(name, faqPath, queriesPath string) (Corpus, error) {
	entries, err := ParseFile(faqPath)
	if err != nil {
		return Corpus{}, err
	}
	for i := range entries {
		if entries[i].Status == "" {
			entries[i].Status = Published
		}
	}
	f, err := os.Open(queriesPath)
	if err != nil {
		return Corpus{}, fmt.Errorf("korpus %s: %w", name, err)
	}
	defer f.Close()
	qs, err := ParseEvalQueries(f, queriesPath)
	if err != nil {
		return Corpus{}, err
	}
	return Corpus{Name: name, Entries: entries, Queries: qs}, nil
}

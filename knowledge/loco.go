package knowledge

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// Fold is one corpus scored by an engine fitted without it, and by any
// baselines (which fit nothing).
type Fold struct {
	Corpus    string
	Engine    EvalReport
	Baselines []EvalReport
}

// LeaveOneCorpusOut scores the engine on each corpus with a model fitted
// (Fit) on the other corpora only: the figure that tells how the engine
// does on a city's knowledge base and citizens it has never seen. When
// fixed is non-nil, that model is used for every fold instead of fitting
// (to measure a shipped model, which is not held out). baselines, if any,
// make a search function for a corpus's entries.
func LeaveOneCorpusOut(corpora []Corpus, cfg Config, fixed *Model, baselines ...func(Corpus) func(string) Result) []Fold {
	folds := make([]Fold, 0, len(corpora))
	for i, c := range corpora {
		m := fixed
		if m == nil {
			m = Fit(without(corpora, i), cfg)
		}
		fc := cfg
		fc.Model = m
		ix := NewIndex(fc)
		ix.Load(c.Entries, nil)
		f := Fold{Corpus: c.Name, Engine: Evaluate(ix.Search, c.Queries)}
		for _, b := range baselines {
			f.Baselines = append(f.Baselines, Evaluate(b(c), c.Queries))
		}
		folds = append(folds, f)
	}
	return folds
}

// Band is one row of a calibration table: the answers whose confidence
// fell in [Low, Low+0.1).
type Band struct {
	Low            float64
	Count          int
	MeanConfidence float64
	ShareCorrect   float64
}

// CalibrationBands splits answers into confidence bands 0.1 wide; empty
// bands are left out.
func CalibrationBands(answers []Scored) []Band {
	var sum [10]float64
	var n, right [10]int
	for _, a := range answers {
		b := min(int(a.Confidence*10), 9)
		b = max(b, 0)
		n[b]++
		sum[b] += a.Confidence
		if a.Correct {
			right[b]++
		}
	}
	var out []Band
	for b := range n {
		if n[b] == 0 {
			continue
		}
		out = append(out, Band{Low: float64(b) / 10, Count: n[b], MeanConfidence: sum[b] / float64(n[b]), ShareCorrect: float64(right[b]) / float64(n[b])})
	}
	return out
}

// WriteFolds prints a leave-one-corpus-out table, in Indonesian: per
// corpus and as the mean, the engine's correct / helpful / wrong /
// out-of-scope figures next to each baseline's, then how out-of-scope
// questions split, then the calibration of the pooled held-out answers.
func WriteFolds(w io.Writer, folds []Fold, baselineNames []string, res Resources) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	head := "korpus\tdalam/luar\tbenar\tmembantu\tsalah\tluar-cakupan\tpertama\tpisah\t"
	for _, n := range baselineNames {
		head += fmt.Sprintf("%s benar\tmembantu\tsalah\tluar-cakupan\t", n)
	}
	fmt.Fprintln(tw, head)
	figures := func(r EvalReport) string {
		return fmt.Sprintf("%s\t%s\t%s\t%s\t", comma(r.Correct, 2), comma(r.CorrectOrClarified, 2), comma(r.Wrong, 2), comma(r.HandedOff, 2))
	}
	var mean EvalReport
	means := make([]EvalReport, len(baselineNames))
	add := func(dst *EvalReport, r EvalReport, n int) {
		k := float64(n)
		dst.Correct += r.Correct / k
		dst.CorrectOrClarified += r.CorrectOrClarified / k
		dst.Wrong += r.Wrong / k
		dst.HandedOff += r.HandedOff / k
		dst.Top1 += r.Top1 / k
		dst.Separation += r.Separation / k
	}
	var pooled []Scored
	for _, f := range folds {
		line := fmt.Sprintf("%s\t%d/%d\t%s%s\t%s\t", f.Corpus, f.Engine.InScope, f.Engine.OutOfScope, figures(f.Engine), comma(f.Engine.Top1, 2), comma(f.Engine.Separation, 2))
		add(&mean, f.Engine, len(folds))
		for i, b := range f.Baselines {
			line += figures(b)
			add(&means[i], b, len(folds))
		}
		fmt.Fprintln(tw, line)
		pooled = append(pooled, f.Engine.Answers...)
	}
	line := "rata-rata\t\t" + figures(mean) + fmt.Sprintf("%s\t%s\t", comma(mean.Top1, 2), comma(mean.Separation, 2))
	for _, b := range means {
		line += figures(b)
	}
	fmt.Fprintln(tw, line)
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, "\npertanyaan luar cakupan menurut keputusan mesin:")
	for _, f := range folds {
		fmt.Fprintf(w, "  %-12s %s\n", f.Corpus, f.Engine.splitText())
	}
	fmt.Fprintln(w, "\nkalibrasi jawaban dari semua korpus yang disisihkan:")
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "keyakinan\tjawaban\trata-rata keyakinan\tbagian benar\tselisih\t")
	for _, b := range CalibrationBands(pooled) {
		flag := ""
		if b.Count >= 20 && abs64(b.ShareCorrect-b.MeanConfidence) > 0.10 {
			flag = "  > 0,10"
		}
		gap := comma(b.ShareCorrect-b.MeanConfidence, 3)
		if !strings.HasPrefix(gap, "-") {
			gap = "+" + gap
		}
		fmt.Fprintf(tw, "%s–%s\t%d\t%s\t%s\t%s\t%s\n", comma(b.Low, 1), comma(b.Low+0.1, 1), b.Count, comma(b.MeanConfidence, 3), comma(b.ShareCorrect, 3), gap, flag)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\nsumber bahasa: %s\n", resourcesText(res))
	return err
}

// resourcesText names the thesaurus and dictionary in use, in Indonesian
// (Resources.String is for logs).
func resourcesText(r Resources) string {
	th, dict := "tidak ada", "tidak ada"
	if r.Thesaurus != nil {
		th = fmt.Sprintf("%s (%d kata kepala)", r.Thesaurus.Name, r.Thesaurus.Len())
	}
	if r.Dictionary != nil {
		dict = fmt.Sprintf("%s (%d kata)", r.Dictionary.Name, r.Dictionary.Len())
	}
	return "tesaurus " + th + "; kamus " + dict
}

func abs64(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

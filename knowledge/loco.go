package knowledge

import (
	"fmt"
	"io"
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

// WriteFolds prints a leave-one-corpus-out table: per corpus and as the
// mean, the engine's correct / helpful / wrong / out-of-scope figures next
// to each baseline's, then how out-of-scope questions split, then the
// calibration of the pooled held-out answers.
func WriteFolds(w io.Writer, folds []Fold, baselineNames []string, res Resources) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	head := "corpus\tin/out\tcorrect\thelpful\twrong\toos\ttop1\tsep\t"
	for _, n := range baselineNames {
		head += fmt.Sprintf("%s correct\thelpful\twrong\toos\t", n)
	}
	fmt.Fprintln(tw, head)
	figures := func(r EvalReport) string {
		return fmt.Sprintf("%.2f\t%.2f\t%.2f\t%.2f\t", r.Correct, r.CorrectOrClarified, r.Wrong, r.HandedOff)
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
		line := fmt.Sprintf("%s\t%d/%d\t%s%.2f\t%.2f\t", f.Corpus, f.Engine.InScope, f.Engine.OutOfScope, figures(f.Engine), f.Engine.Top1, f.Engine.Separation)
		add(&mean, f.Engine, len(folds))
		for i, b := range f.Baselines {
			line += figures(b)
			add(&means[i], b, len(folds))
		}
		fmt.Fprintln(tw, line)
		pooled = append(pooled, f.Engine.Answers...)
	}
	line := "mean\t\t" + figures(mean) + fmt.Sprintf("%.2f\t%.2f\t", mean.Top1, mean.Separation)
	for _, b := range means {
		line += figures(b)
	}
	fmt.Fprintln(tw, line)
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, "\nout-of-scope questions by decision (engine):")
	for _, f := range folds {
		fmt.Fprintf(w, "  %-12s %s\n", f.Corpus, f.Engine.splitText())
	}
	fmt.Fprintln(w, "\ncalibration of the pooled held-out answers:")
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "confidence\tanswers\tmean confidence\tshare correct\tgap\t")
	for _, b := range CalibrationBands(pooled) {
		flag := ""
		if b.Count >= 20 && abs64(b.ShareCorrect-b.MeanConfidence) > 0.10 {
			flag = "  > 0.10"
		}
		fmt.Fprintf(tw, "%.1f–%.1f\t%d\t%.3f\t%.3f\t%+.3f\t%s\n", b.Low, b.Low+0.1, b.Count, b.MeanConfidence, b.ShareCorrect, b.ShareCorrect-b.MeanConfidence, flag)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\nresources: %s\n", res)
	return err
}

func abs64(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

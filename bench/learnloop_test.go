package bench

import (
	"context"
	"fmt"
	"os"
	"testing"
	"text/tabwriter"

	"github.com/tebingtinggi/hub/handlers"
	"github.com/tebingtinggi/hub/knowledge"
	"github.com/tebingtinggi/hub/knowledge/textid"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

// loopFigures are one corpus's figures before and after the lessons.
type loopFigures struct {
	corpus                string
	lessons, asked        int
	before, after         knowledge.EvalReport
	correctGain, wrongAdd float64
	// reach is the share of the asked in-scope questions that were not
	// answered right before the lessons and share a word with their
	// entry's lesson that the entry did not already have: what a lesson
	// can add as new words at most (see lessonReach).
	reach float64
}

// BenchmarkLearningLoop measures what officers' answers teach the bot. On
// every shared corpus, the first question of each entry is answered by an
// officer as `hub inbox reply --alternate-of SLUG` does (handlers.Teach
// on the knowledge store: the lesson Desk.ReplyAndTeach writes with the
// reply, without a ticket); then every other question of the corpus is
// asked, before and after those lessons, with the decision models fitted
// on the other corpora only. Target: correct rises by at least 10 points
// and wrong answers do not rise, on every corpus.
func BenchmarkLearningLoop(b *testing.B) {
	cs := loadCorpora(b)
	cfg := engineConfig(b)
	var figs []loopFigures
	for i := 0; i < b.N; i++ {
		figs = figs[:0]
		for j, c := range cs {
			others := append(append([]knowledge.Corpus(nil), cs[:j]...), cs[j+1:]...)
			fc := cfg
			fc.Model = knowledge.Fit(others, cfg)
			figs = append(figs, learnCorpus(b, c, fc))
		}
	}
	b.StopTimer()
	var gain, wrongAdd float64
	met := true
	for _, f := range figs {
		gain += f.correctGain / float64(len(figs))
		wrongAdd += f.wrongAdd / float64(len(figs))
		met = met && f.correctGain >= 0.10 && f.wrongAdd <= 0
	}
	b.ReportMetric(100*gain, "correct-gain-points")
	b.ReportMetric(100*wrongAdd, "wrong-change-points")
	fmt.Printf("\nLearning loop on %s: one lesson per entry (its first question, --alternate-of), the other questions asked before and after (decision models fitted on the other corpora):\n", evalDir())
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "corpus\tlessons\tasked\tcorrect before\tafter\twrong before\tafter\thelpful before\tafter\ttop1 before\tafter\tnew-word reach\t")
	for _, f := range figs {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t\n", f.corpus, f.lessons, f.asked,
			f.before.Correct, f.after.Correct, f.before.Wrong, f.after.Wrong, f.before.CorrectOrClarified, f.after.CorrectOrClarified,
			f.before.Top1, f.after.Top1, f.reach)
	}
	tw.Flush()
	fmt.Println("new-word reach: share of the asked in-scope questions not answered right before the lessons that share a word with their entry's lesson which the entry lacked")
	fmt.Printf("mean correct gain %+.1f points, wrong change %+.1f points (target on every corpus: gain ≥ +10, wrong ≤ +0): met %v\n", 100*gain, 100*wrongAdd, met)
}

// learnCorpus imports a corpus into a fresh store, scores the questions
// that are not lessons, teaches the lessons and scores them again.
func learnCorpus(b *testing.B, c knowledge.Corpus, cfg knowledge.Config) loopFigures {
	ctx := context.Background()
	ks := knowledge.NewStore(storagetest.Open(b, storage.SQLite))
	if _, err := ks.Import(ctx, c.Entries, knowledge.ImportOptions{Author: "import"}); err != nil {
		b.Fatalf("%s: import: %v", c.Name, err)
	}
	taught := make(map[string]bool)
	var lessons, rest []knowledge.EvalQuery
	for _, q := range c.Queries {
		if len(q.Expect) > 0 && !taught[q.Expect[0]] {
			taught[q.Expect[0]] = true
			lessons = append(lessons, q)
			continue
		}
		rest = append(rest, q)
	}
	score := func() knowledge.EvalReport {
		entries, err := ks.Published(ctx)
		if err != nil {
			b.Fatal(err)
		}
		ix := knowledge.NewIndex(cfg)
		ix.Load(entries, nil)
		return knowledge.Evaluate(ix.Search, rest)
	}
	f := loopFigures{corpus: c.Name, lessons: len(lessons), asked: len(rest), before: score()}
	f.reach = lessonReach(c.Entries, lessons, f.before)
	for _, q := range lessons {
		e, err := ks.Get(ctx, q.Expect[0])
		if err != nil {
			b.Fatalf("%s: %v", c.Name, err)
		}
		if _, err := handlers.Teach(ctx, ks, q.Q, e.Answer, handlers.Lesson{AlternateOf: e.Slug}, "petugas"); err != nil {
			b.Fatalf("%s: teaching %q: %v", c.Name, q.Q, err)
		}
	}
	f.after = score()
	f.correctGain = f.after.Correct - f.before.Correct
	f.wrongAdd = f.after.Wrong - f.before.Wrong
	return f
}

// lessonReach is the share of the in-scope questions scored in before
// that were not answered right and share a word (stem, stopwords left
// out) with the lesson taught to the entry they expect, which that entry
// did not have in any field. Only such questions can gain new evidence
// from a lesson; the others gain, at most, more weight on words the entry
// already had.
func lessonReach(entries []knowledge.Entry, lessons []knowledge.EvalQuery, before knowledge.EvalReport) float64 {
	if before.InScope == 0 {
		return 0
	}
	stems := func(texts ...string) map[string]bool {
		m := make(map[string]bool)
		for _, t := range texts {
			for _, st := range textid.Terms(t) {
				m[st] = true
			}
		}
		return m
	}
	has := make(map[string]map[string]bool, len(entries))
	for _, e := range entries {
		has[e.Slug] = stems(append(append([]string{e.Question, e.Answer, e.Category}, e.Alternates...), e.Tags...)...)
	}
	taught := make(map[string]map[string]bool, len(lessons))
	for _, l := range lessons {
		taught[l.Expect[0]] = stems(l.Q)
	}
	n := 0
	for _, m := range before.Misses {
		if len(m.Expect) == 0 {
			continue
		}
		for st := range stems(m.Query) {
			if taught[m.Expect[0]][st] && !has[m.Expect[0]][st] {
				n++
				break
			}
		}
	}
	return float64(n) / float64(before.InScope)
}

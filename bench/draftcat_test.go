package bench

import (
	"fmt"
	"os"
	"testing"
	"text/tabwriter"

	"github.com/tebingtinggi/hub/knowledge"
)

// BenchmarkDraftCategory measures what handlers.LikeFor rests on: how
// often the bot's best candidate for a question is in the category of the
// entry that answers it, by the candidate's confidence, leave-one-corpus-
// out over the in-scope questions of the shared corpora. A draft made
// from a handed-over question takes that candidate's category only where
// it is mostly right.
func BenchmarkDraftCategory(b *testing.B) {
	cs := loadCorpora(b)
	cfg := engineConfig(b)
	var n, same [10]int
	for i := 0; i < b.N; i++ {
		n, same = [10]int{}, [10]int{}
		for j, c := range cs {
			others := append(append([]knowledge.Corpus(nil), cs[:j]...), cs[j+1:]...)
			fc := cfg
			fc.Model = knowledge.Fit(others, cfg)
			ix := knowledge.NewIndex(fc)
			ix.Load(c.Entries, nil)
			category := make(map[string]string, len(c.Entries))
			for _, e := range c.Entries {
				category[e.Slug] = e.Category
			}
			for _, q := range c.Queries {
				if len(q.Expect) == 0 {
					continue
				}
				cands := ix.Search(q.Q).Candidates
				if len(cands) == 0 {
					continue
				}
				band := max(0, min(int(cands[0].Score*10), 9))
				n[band]++
				if category[cands[0].Slug] == category[q.Expect[0]] {
					same[band]++
				}
			}
		}
	}
	b.StopTimer()
	fmt.Printf("\nDraft category (handlers.LikeFor): the best candidate is in the right entry's category, by its confidence, leave-one-corpus-out on %s:\n", evalDir())
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "confidence\tquestions\tsame category\t")
	var above, aboveSame int
	for band := range n {
		if n[band] == 0 {
			continue
		}
		fmt.Fprintf(tw, "%.1f–%.1f\t%d\t%.2f\t\n", float64(band)/10, float64(band+1)/10, n[band], float64(same[band])/float64(n[band]))
		if band >= 2 {
			above += n[band]
			aboveSame += same[band]
		}
	}
	tw.Flush()
	if above > 0 {
		b.ReportMetric(float64(aboveSame)/float64(above), "same-category-at-0.2+")
	}
}

package bench

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/tebingtinggi/hub/knowledge"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

func TestMain(m *testing.M) { os.Exit(storagetest.Main(m)) }

// evalDir finds the development evaluation set: HUB_EVAL_DIR, or
// ../shared/eval beside the repository when present.
func evalDir() string {
	if d := os.Getenv("HUB_EVAL_DIR"); d != "" {
		return d
	}
	return filepath.Join("..", "..", "shared", "eval")
}

// engineConfig is the default configuration with the shipped linguistic
// resources, as `hub serve` runs it from the repository.
func engineConfig(tb testing.TB) knowledge.Config {
	res, err := knowledge.LoadResources(filepath.Join("..", knowledge.DefaultThesaurusPath), filepath.Join("..", knowledge.DefaultDictionaryPath))
	if err != nil {
		tb.Fatalf("the shipped resources: %v", err)
	}
	cfg := knowledge.DefaultConfig()
	cfg.Resources = res
	return cfg
}

func loadCorpora(tb testing.TB) []knowledge.Corpus {
	cs, err := knowledge.LoadCorpora(evalDir())
	if err != nil {
		tb.Skipf("no evaluation set (%v); set HUB_EVAL_DIR", err)
	}
	return cs
}

// ftsBaseline is the Postgres full-text search a team would write first:
// to_tsvector('indonesian', question || alternates), ranked by ts_rank,
// answering whenever anything matches.
type ftsBaseline struct {
	db *storage.DB
	// anyWord ORs the query's words instead of requiring them all.
	anyWord bool
}

func newFTS(tb testing.TB, entries []knowledge.Entry) *storage.DB {
	tb.Helper()
	ctx := context.Background()
	db, err := storage.Open(ctx, storagetest.PostgresURL(tb))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	if _, err := db.ExecContext(ctx, `CREATE TABLE faq (slug TEXT PRIMARY KEY, question TEXT, doc TSVECTOR)`); err != nil {
		tb.Fatal(err)
	}
	tx, err := db.Begin(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	for _, e := range entries {
		text := e.Question + " " + strings.Join(e.Alternates, " ")
		if _, err := tx.ExecContext(ctx, `INSERT INTO faq VALUES ($1, $2, to_tsvector('indonesian', $3))`, e.Slug, e.Question, text); err != nil {
			tb.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `CREATE INDEX faq_doc ON faq USING GIN (doc); ANALYZE faq`); err != nil {
		tb.Fatal(err)
	}
	return db
}

const ftsAll = `WITH x AS (SELECT websearch_to_tsquery('indonesian', $1) AS q)
	SELECT slug, ts_rank(doc, x.q) AS r FROM faq, x WHERE doc @@ x.q ORDER BY r DESC, slug LIMIT 3`

const ftsAny = `WITH x AS (SELECT replace(plainto_tsquery('indonesian', $1)::text, '&', '|')::tsquery AS q)
	SELECT slug, ts_rank(doc, x.q) AS r FROM faq, x WHERE doc @@ x.q ORDER BY r DESC, slug LIMIT 3`

func (f ftsBaseline) search(q string) knowledge.Result {
	query := ftsAll
	if f.anyWord {
		query = ftsAny
	}
	rows, err := f.db.QueryContext(context.Background(), query, q)
	res := knowledge.Result{Query: q, Decision: knowledge.Handoff}
	if err != nil {
		return res
	}
	defer rows.Close()
	for rows.Next() {
		var c knowledge.Candidate
		if err := rows.Scan(&c.Slug, &c.Score); err != nil {
			return res
		}
		res.Candidates = append(res.Candidates, c)
	}
	if len(res.Candidates) > 0 {
		res.Decision = knowledge.Answer
		res.Entry = &knowledge.Entry{Slug: res.Candidates[0].Slug}
		res.Confidence = 1
	}
	return res
}

// BenchmarkAnswerQuality scores the engine leave-one-corpus-out (fitted on
// the other corpora for each one scored) next to both full-text baselines,
// and prints the table, the out-of-scope split and the calibration.
func BenchmarkAnswerQuality(b *testing.B) {
	cs := loadCorpora(b)
	cfg := engineConfig(b)
	baseline := func(anyWord bool) func(knowledge.Corpus) func(string) knowledge.Result {
		return func(c knowledge.Corpus) func(string) knowledge.Result {
			return ftsBaseline{db: newFTS(b, c.Entries), anyWord: anyWord}.search
		}
	}
	var folds []knowledge.Fold
	for i := 0; i < b.N; i++ {
		folds = knowledge.LeaveOneCorpusOut(cs, cfg, nil, baseline(false), baseline(true))
	}
	b.StopTimer()
	var correct, helpful, wrong, oos float64
	for _, f := range folds {
		correct += f.Engine.Correct / float64(len(folds))
		helpful += f.Engine.CorrectOrClarified / float64(len(folds))
		wrong += f.Engine.Wrong / float64(len(folds))
		oos += f.Engine.HandedOff / float64(len(folds))
	}
	b.ReportMetric(100*correct, "correct-%")
	b.ReportMetric(100*helpful, "correct+clarified-%")
	b.ReportMetric(100*wrong, "wrong-%")
	b.ReportMetric(100*oos, "oos-not-answered-%")
	fmt.Printf("\nMutu jawaban, leave-one-corpus-out, pada %s (mesin | Postgres FTS semua kata | kata mana pun):\n", evalDir())
	if err := knowledge.WriteFolds(os.Stdout, folds, []string{"fts-all", "fts-any"}, cfg.Resources); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkShippedModel checks that the model the hub embeds is what `make
// fit` produces from the shared corpora.
func BenchmarkShippedModel(b *testing.B) {
	cs := loadCorpora(b)
	var got []byte
	for i := 0; i < b.N; i++ {
		var err error
		if got, err = knowledge.EncodeModel(knowledge.Fit(cs, engineConfig(b))); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	want, err := os.ReadFile(filepath.Join("..", "knowledge", "model.json"))
	if err != nil {
		b.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		b.Fatalf("knowledge/model.json is not what fitting on %s gives: run `make fit`", evalDir())
	}
	fmt.Printf("\nShipped model: knowledge/model.json equals the fit on %s\n", evalDir())
}

const corpusSize = 10_000

// percentiles returns the p50 and p99 of the durations.
func percentiles(d []time.Duration) (p50, p99 time.Duration) {
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	return d[len(d)/2], d[len(d)*99/100]
}

// BenchmarkSearch measures search latency on a generated corpus of 10,000
// entries, with the shipped thesaurus and dictionary (as served) and
// without them, and the Postgres full-text query on the same data in the
// same run, reporting p50 and p99 of each and their ratio.
func BenchmarkSearch(b *testing.B) {
	entries := GenerateCorpus(corpusSize, 1)
	queries := GenerateQueries(entries, 5000, 2)
	ix := knowledge.NewIndex(engineConfig(b))
	ix.Load(entries, nil)
	bare := knowledge.NewIndex(knowledge.DefaultConfig())
	bare.Load(entries, nil)
	db := newFTS(b, entries)
	fts := ftsBaseline{db: db}
	for _, q := range queries[:200] { // warm all three
		ix.Search(q)
		bare.Search(q)
		fts.search(q)
	}
	b.ResetTimer()
	timed := func(search func(string) knowledge.Result, qs []string) []time.Duration {
		out := make([]time.Duration, 0, len(qs))
		for _, q := range qs {
			t := time.Now()
			search(q)
			out = append(out, time.Since(t))
		}
		return out
	}
	// On a machine shared with other work, one run's p99 is mostly the
	// scheduler's; each query's best of three runs is the engine's own.
	bestOf3 := func(search func(string) knowledge.Result) []time.Duration {
		best := timed(search, queries)
		for r := 0; r < 2; r++ {
			for i, d := range timed(search, queries) {
				best[i] = min(best[i], d)
			}
		}
		return best
	}
	var hub, hubBare, pg, hubBest, bareBest []time.Duration
	for i := 0; i < b.N; i++ {
		hub = timed(ix.Search, queries)
		hubBare = timed(bare.Search, queries)
		pg = timed(fts.search, queries[:1000])
		hubBest = bestOf3(ix.Search)
		bareBest = bestOf3(bare.Search)
	}
	b.StopTimer()
	h50, h99 := percentiles(hub)
	n50, n99 := percentiles(hubBare)
	p50, p99 := percentiles(pg)
	_, hb99 := percentiles(hubBest)
	_, nb99 := percentiles(bareBest)
	b.ReportMetric(float64(h50.Microseconds()), "p50-µs")
	b.ReportMetric(float64(h99.Microseconds()), "p99-µs")
	b.ReportMetric(float64(p50.Microseconds()), "fts-p50-µs")
	b.ReportMetric(float64(p99.Microseconds()), "fts-p99-µs")
	b.ReportMetric(float64(hb99.Microseconds()), "p99-best-of-3-µs")
	fmt.Printf("\nSearch over %d entries: hub p50 %v p99 %v (without thesaurus and dictionary: p50 %v p99 %v) | Postgres FTS p50 %v p99 %v | hub/FTS p50 %.3f p99 %.3f (targets: p50 ≤ 100µs, p99 ≤ 1ms)\n",
		corpusSize, h50, h99, n50, n99, p50, p99, float64(h50)/float64(p50), float64(h99)/float64(p99))
	fmt.Printf("Each query's best of three runs: hub p99 %v, without thesaurus and dictionary %v\n", hb99, nb99)
}

// BenchmarkIndexBuild measures building the index for 10,000 entries and
// the heap it holds, against building the Postgres GIN index on the same
// data.
func BenchmarkIndexBuild(b *testing.B) {
	entries := GenerateCorpus(corpusSize, 1)
	var build time.Duration
	var heap uint64
	for i := 0; i < b.N; i++ {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		t := time.Now()
		ix := knowledge.NewIndex(knowledge.DefaultConfig())
		ix.Load(entries, nil)
		build = time.Since(t)
		runtime.GC()
		runtime.ReadMemStats(&after)
		heap = after.HeapAlloc - min(after.HeapAlloc, before.HeapAlloc)
		runtime.KeepAlive(ix)
	}
	b.StopTimer()
	t := time.Now()
	db := newFTS(b, entries)
	ftsBuild := time.Since(t)
	var ftsBytes int64
	_ = db.GetContext(context.Background(), &ftsBytes, `SELECT pg_total_relation_size('faq')`)
	b.ReportMetric(build.Seconds()*1000, "build-ms")
	b.ReportMetric(float64(heap)/(1<<20), "heap-MB")
	b.ReportMetric(ftsBuild.Seconds()*1000, "fts-build-ms")
	fmt.Printf("\nIndex of %d entries: hub build %v, heap %.1f MB | Postgres table+GIN load %v, %.1f MB on disk | build ratio %.3f (targets: build ≤ 2s, heap ≤ 100MB)\n",
		corpusSize, build, float64(heap)/(1<<20), ftsBuild, float64(ftsBytes)/(1<<20), build.Seconds()/ftsBuild.Seconds())
}

package bench

import (
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

func loadEval(tb testing.TB) ([]knowledge.Entry, []knowledge.EvalQuery) {
	dir := evalDir()
	faq, err := knowledge.ParseFile(filepath.Join(dir, "faq-public.json"))
	if err != nil {
		tb.Skipf("no evaluation set (%v); set HUB_EVAL_DIR", err)
	}
	f, err := os.Open(filepath.Join(dir, "public-dev.jsonl"))
	if err != nil {
		tb.Skipf("no evaluation questions: %v", err)
	}
	defer f.Close()
	qs, err := knowledge.ParseEvalQueries(f, "public-dev.jsonl")
	if err != nil {
		tb.Fatal(err)
	}
	for i := range faq {
		if faq[i].Status == "" {
			faq[i].Status = knowledge.Published
		}
	}
	return faq, qs
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
	tx, err := db.BeginTx(ctx, nil)
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

// BenchmarkAnswerQuality scores the engine and both full-text baselines on
// the development set and prints them side by side.
func BenchmarkAnswerQuality(b *testing.B) {
	faq, qs := loadEval(b)
	ix := knowledge.NewIndex(knowledge.DefaultConfig())
	ix.Load(faq, nil)
	db := newFTS(b, faq)
	var engine, all, anyw knowledge.EvalReport
	for i := 0; i < b.N; i++ {
		engine = knowledge.Evaluate(ix.Search, qs)
		all = knowledge.Evaluate(ftsBaseline{db: db}.search, qs)
		anyw = knowledge.Evaluate(ftsBaseline{db: db, anyWord: true}.search, qs)
	}
	b.ReportMetric(100*engine.Correct, "correct-%")
	b.ReportMetric(100*engine.CorrectOrClarified, "correct+clarified-%")
	b.ReportMetric(100*engine.Wrong, "wrong-%")
	b.ReportMetric(100*engine.HandedOff, "oos-handoff-%")
	fmt.Printf("\nAnswer quality on %s (%d questions: %d in scope, %d out of scope)\n", evalDir(), engine.Total, engine.InScope, engine.OutOfScope)
	fmt.Printf("%-38s %12s %14s %12s\n", "", "hub engine", "FTS all words", "FTS any word")
	row := func(name string, f func(r knowledge.EvalReport) float64) {
		fmt.Printf("%-38s %11.1f%% %13.1f%% %11.1f%%\n", name, 100*f(engine), 100*f(all), 100*f(anyw))
	}
	row("answered correctly (of in-scope)", func(r knowledge.EvalReport) float64 { return r.Correct })
	row("correct or clarified (of in-scope)", func(r knowledge.EvalReport) float64 { return r.CorrectOrClarified })
	row("wrong answers (of all)", func(r knowledge.EvalReport) float64 { return r.Wrong })
	row("clarifications (of all)", func(r knowledge.EvalReport) float64 { return r.Clarified })
	row("out-of-scope handed off", func(r knowledge.EvalReport) float64 { return r.HandedOff })
}

const corpusSize = 10_000

// percentiles returns the p50 and p99 of the durations.
func percentiles(d []time.Duration) (p50, p99 time.Duration) {
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	return d[len(d)/2], d[len(d)*99/100]
}

// BenchmarkSearch measures search latency on a generated corpus of 10,000
// entries, and the Postgres full-text query on the same data in the same
// run, reporting p50 and p99 of each and their ratio.
func BenchmarkSearch(b *testing.B) {
	entries := GenerateCorpus(corpusSize, 1)
	queries := GenerateQueries(entries, 5000, 2)
	ix := knowledge.NewIndex(knowledge.DefaultConfig())
	ix.Load(entries, nil)
	db := newFTS(b, entries)
	fts := ftsBaseline{db: db}
	for _, q := range queries[:200] { // warm both
		ix.Search(q)
		fts.search(q)
	}
	b.ResetTimer()
	var hub, pg []time.Duration
	for i := 0; i < b.N; i++ {
		hub = hub[:0]
		for _, q := range queries {
			t := time.Now()
			ix.Search(q)
			hub = append(hub, time.Since(t))
		}
		pg = pg[:0]
		for _, q := range queries[:1000] {
			t := time.Now()
			fts.search(q)
			pg = append(pg, time.Since(t))
		}
	}
	b.StopTimer()
	h50, h99 := percentiles(hub)
	p50, p99 := percentiles(pg)
	b.ReportMetric(float64(h50.Microseconds()), "p50-µs")
	b.ReportMetric(float64(h99.Microseconds()), "p99-µs")
	b.ReportMetric(float64(p50.Microseconds()), "fts-p50-µs")
	b.ReportMetric(float64(p99.Microseconds()), "fts-p99-µs")
	fmt.Printf("\nSearch over %d entries: hub p50 %v p99 %v | Postgres FTS p50 %v p99 %v | hub/FTS p50 %.3f p99 %.3f (targets: p50 ≤ 100µs, p99 ≤ 1ms)\n",
		corpusSize, h50, h99, p50, p99, float64(h50)/float64(p50), float64(h99)/float64(p99))
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

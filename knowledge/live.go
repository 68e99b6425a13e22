package knowledge

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tebingtinggi/hub/storage"
)

// Live keeps an Index current with the database: it reloads when the
// knowledge-base generation changes, noticed through Postgres notifications
// or, on SQLite and as a safety net, by polling.
type Live struct {
	DB     *storage.DB
	Store  *Store
	Index  *Index
	Logger *slog.Logger
	// Poll is how often the generation is checked without a notification
	// (default 2s on SQLite, 30s on Postgres).
	Poll time.Duration

	generation atomic.Int64
	loaded     atomic.Bool
	reloads    prometheus.Counter
	entries    prometheus.Gauge
}

// Register adds the index's metrics to reg.
func (l *Live) Register(reg prometheus.Registerer) {
	l.reloads = prometheus.NewCounter(prometheus.CounterOpts{Name: "hub_kb_index_reloads_total", Help: "Search index rebuilds."})
	l.entries = prometheus.NewGauge(prometheus.GaugeOpts{Name: "hub_kb_index_entries", Help: "Published entries in the search index."})
	reg.MustRegister(l.reloads, l.entries)
}

// Loaded reports whether the index has been built at least once.
func (l *Live) Loaded() bool { return l.loaded.Load() }

// Reload rebuilds the index from the database now.
func (l *Live) Reload(ctx context.Context) error {
	gen, err := l.Store.Generation(ctx)
	if err != nil {
		return err
	}
	entries, synonyms, err := l.Store.indexed(ctx)
	if err != nil {
		return err
	}
	l.Index.Load(entries, synonyms)
	l.generation.Store(gen)
	l.loaded.Store(true)
	if l.reloads != nil {
		l.reloads.Inc()
		l.entries.Set(float64(len(entries)))
	}
	return nil
}

// indexed reads what an index answers from: the published entries and
// the synonym groups.
func (s *Store) indexed(ctx context.Context) ([]Entry, [][]string, error) {
	entries, err := s.Published(ctx)
	if err != nil {
		return nil, nil, err
	}
	groups, err := s.Synonyms(ctx)
	if err != nil {
		return nil, nil, err
	}
	return entries, SynonymTerms(groups), nil
}

// PreviewIndex builds a new index with cfg that answers as the live one
// would if e were published too (in place of the published entry with
// its id, if any): the officers' "what if" before publishing a draft. The
// live index is left alone.
func (s *Store) PreviewIndex(ctx context.Context, cfg Config, e Entry) (*Index, error) {
	entries, synonyms, err := s.indexed(ctx)
	if err != nil {
		return nil, err
	}
	e.Status = Published
	// In Published's order (category, then id), where the database would
	// list it once published: ties between equal scores fall the same way.
	with := make([]Entry, 0, len(entries)+1)
	placed := false
	for _, p := range entries {
		if p.Slug == e.Slug {
			continue
		}
		if !placed && (p.Category > e.Category || p.Category == e.Category && p.Slug > e.Slug) {
			with, placed = append(with, e), true
		}
		with = append(with, p)
	}
	if !placed {
		with = append(with, e)
	}
	ix := NewIndex(cfg)
	ix.Load(with, synonyms)
	return ix, nil
}

// Run watches for changes until ctx ends.
func (l *Live) Run(ctx context.Context) error {
	l.DB.Watch(ctx, NotifyChannel, l.Poll, l.log(), "the search index", func(ctx context.Context) error {
		gen, err := l.Store.Generation(ctx)
		if err == nil && gen != l.generation.Load() {
			err = l.Reload(ctx)
		}
		return err
	})
	return nil
}

func (l *Live) log() *slog.Logger {
	if l.Logger != nil {
		return l.Logger
	}
	return slog.Default()
}

// SynonymTerms turns stored synonym groups into the term lists the index
// takes.
func SynonymTerms(groups []SynonymGroup) [][]string {
	out := make([][]string, 0, len(groups))
	for _, g := range groups {
		out = append(out, g.Terms)
	}
	return out
}

package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/internal/safetext"
	"github.com/tebingtinggi/hub/outbox"
	"github.com/tebingtinggi/hub/scheduler"
	"github.com/tebingtinggi/hub/settings"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/training"
)

// trainingJobDeps are the ASN-development jobs' dependencies from the
// configuration, shared by `hub serve` and `hub schedule` so that the
// rehearsal plans exactly what the hub would.
func trainingJobDeps(c config, set *settings.Store, store scheduler.TrainingPlanner, enqueue scheduler.Enqueuer, wake func(), log *slog.Logger) scheduler.Training {
	s := c.Schedule
	nudges := s.SurveyNudges
	if nudges == 0 {
		nudges = -1 // configured off
	}
	deps := scheduler.Training{
		Store: store, Enqueue: enqueue, Wake: wake, Logger: log,
		SurveyDelay: s.SurveyDelay,
		Nudges:      nudges, NudgeSpacing: s.NudgeSpacing, FollowUpAfter: s.FollowUpAfter,
		FrequentSpec: s.FrequentCron, CompetencySpec: s.CompetencyCron, DigestSpec: s.DigestCron,
		LowScore: s.LowScore, JPSpec: s.JPCron,
		InForce: func() ([]time.Duration, float64) {
			v := set.Current()
			return v.ReminderOffsets, v.JPTarget
		},
		DigestNotes: func(now time.Time) []string { return []string{set.Current().HolidayReminder(now)} },
	}
	if s.OfficersChat != "" {
		deps.DigestTo = bots.Outgoing{Platform: bots.Telegram, ChatID: s.OfficersChat}
	}
	return deps
}

// addTrainingJobs schedules the reminders, surveys and digest of the ASN
// development cycle on sched.
func addTrainingJobs(ctx context.Context, sched *scheduler.Scheduler, c config, db *storage.DB, set *settings.Store, wake func(), log *slog.Logger) error {
	store := training.New(db, trainingOptions(c))
	if err := store.EnsureTemplates(ctx); err != nil {
		return err
	}
	enqueue := func(ctx context.Context, msgs ...outbox.Message) (int, error) {
		return outbox.Enqueue(ctx, db, msgs...)
	}
	for _, job := range scheduler.TrainingJobs(trainingJobDeps(c, set, store, enqueue, wake, log)) {
		if err := sched.Add(job); err != nil {
			return err
		}
	}
	if c.Schedule.OfficersChat == "" {
		log.Info("scheduler: no HUB_OFFICERS_TELEGRAM_CHAT set: the officers' weekly digest is off")
	}
	return nil
}

// rehearsed is one message a rehearsal found would go out.
type rehearsed struct {
	at  time.Time
	msg outbox.Message
}

// schedule lists what the scheduler would send between --from and --to,
// by running its jobs on a simulated clock against a scratch copy of the
// database (SQLite) or inside a transaction that is rolled back
// (PostgreSQL): nothing is written and nothing is sent.
func (a *app) schedule(ctx context.Context, args []string) error {
	fs := a.flagSet("schedule")
	fromText := fs.String("from", "", `awal rentang waktu (WIB), misalnya "01/12/2026 08.00" atau "2026-12-01 08:00" (bawaannya sekarang)`)
	toText := fs.String("to", "", "akhir rentang waktu (bawaannya 7 hari sesudah --from)")
	step := fs.Duration("step", 15*time.Minute, "langkah simulasi: waktu pesan survei tepat hingga langkah ini (waktu pengingat selalu tepat)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: schedule tidak memerlukan argumen, hanya --from, --to dan --step", errUsage)
	}
	from := time.Now()
	if *fromText != "" {
		t, err := training.ParseTime(*fromText, training.WIB)
		if err != nil {
			return fmt.Errorf("%w: --from: %v", errUsage, err)
		}
		from = t
	}
	to := from.Add(7 * 24 * time.Hour)
	if *toText != "" {
		t, err := training.ParseTime(*toText, training.WIB)
		if err != nil {
			return fmt.Errorf("%w: --to: %v", errUsage, err)
		}
		to = t
	}
	if !to.After(from) {
		return fmt.Errorf("%w: --to harus sesudah --from", errUsage)
	}
	if to.Sub(from) > 366*24*time.Hour {
		return fmt.Errorf("%w: rentang waktu paling panjang 366 hari", errUsage)
	}
	if *step < time.Minute {
		return fmt.Errorf("%w: --step paling sedikit 1m", errUsage)
	}
	c, err := a.config()
	if err != nil {
		return err
	}
	scratch, done, err := openScratch(ctx, c.DatabaseURL)
	if err != nil {
		return err
	}
	defer done()

	store := training.New(scratch, trainingOptions(c))
	if err := store.EnsureTemplates(ctx); err != nil {
		return err
	}
	var out []rehearsed
	var clock time.Time
	enqueue := func(ctx context.Context, msgs ...outbox.Message) (int, error) {
		n := 0
		for _, m := range msgs {
			k, err := outbox.Enqueue(ctx, scratch, m) // one by one: which are new
			if err != nil {
				return n, err
			}
			if k > 0 {
				at := m.NotBefore
				if at.Before(from) {
					at = from // overdue: goes out at once
				}
				if at.After(clock) && !strings.HasPrefix(m.Key, "reminder:") {
					at = clock // reminders look ahead to their exact minute
				}
				out = append(out, rehearsed{at: at, msg: m})
			}
			n += k
		}
		return n, nil
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	set, err := loadSettings(ctx, scratch, c, quiet)
	if err != nil {
		return err
	}
	deps := trainingJobDeps(c, set, store, enqueue, nil, quiet)
	deps.LookAhead = *step // reminders at their exact minute, whatever the step
	jobs := scheduler.TrainingJobs(deps)
	if err := scheduler.Rehearse(ctx, jobs, from, to, *step, training.WIB, func(t time.Time) { clock = t }); err != nil {
		return err
	}
	slices.SortStableFunc(out, func(x, y rehearsed) int { return x.at.Compare(y.at) })
	return writeSchedule(ctx, a.stdout, store, out, from, to, *step)
}

// writeSchedule prints the rehearsal as a table, in Indonesian.
func writeSchedule(ctx context.Context, w io.Writer, store *training.Store, out []rehearsed, from, to time.Time, step time.Duration) error {
	fmt.Fprintf(w, "Rencana pengiriman %s s.d. %s\n", training.FormatWIB(from), training.FormatWIB(to))
	fmt.Fprintf(w, "(simulasi: tidak ada pesan yang dikirim atau disimpan; waktu survei tepat hingga %s)\n\n", formatSpan(step))
	if len(out) == 0 {
		fmt.Fprintln(w, "Tidak ada pesan yang akan dikirim pada rentang waktu ini.")
		return nil
	}
	names := map[string]string{}
	type sessionInfo struct {
		label string
		start time.Time
	}
	sessions := map[int64]sessionInfo{}
	rounds := map[int64]string{}
	who := func(nip string) string {
		if n, ok := names[nip]; ok {
			return n
		}
		n := nip
		if a, err := store.GetASN(ctx, nip); err == nil {
			n = a.Name + " (" + nip + ")"
		}
		names[nip] = n
		return n
	}
	session := func(id int64) (string, time.Time) {
		if s, ok := sessions[id]; ok {
			return s.label, s.start
		}
		s := sessionInfo{label: fmt.Sprintf("sesi %d", id)}
		if x, err := store.GetSession(ctx, id); err == nil {
			s = sessionInfo{fmt.Sprintf("%s (sesi %s, %s)", x.Title, x.Code, training.FormatWIB(x.Start)), x.Start}
		}
		sessions[id] = s
		return s.label, s.start
	}
	round := func(id int64) string {
		if s, ok := rounds[id]; ok {
			return s
		}
		s := fmt.Sprintf("putaran %d", id)
		if r, err := store.GetRound(ctx, id); err == nil {
			s = fmt.Sprintf("%s (putaran %d, %s)", r.Title, id, r.TemplateCode)
		}
		rounds[id] = s
		return s
	}
	counts := map[string]int{}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "WAKTU (WIB)\tJENIS\tKEPADA\tPLATFORM\tPELATIHAN / SURVEI")
	for _, r := range out {
		kind, recipient, about := describe(r, who, session, round)
		counts[kind]++
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.at.In(training.WIB).Format("2006-01-02 15:04"), kind, safetext.Line(recipient), r.msg.Out.Platform, safetext.Line(about))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	kinds := make([]string, 0, len(counts))
	for k := range counts {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	parts := make([]string, len(kinds))
	for i, k := range kinds {
		parts[i] = fmt.Sprintf("%s %d", k, counts[k])
	}
	_, err := fmt.Fprintf(w, "\nJumlah: %d pesan (%s)\n", len(out), strings.Join(parts, ", "))
	return err
}

// describe reads a message's key: its kind, recipient and subject. A
// reminder is named by the time it states, that is the time left when it
// goes out ("pengingat 3 hari" for a late 7-day reminder).
func describe(r rehearsed, who func(string) string, session func(int64) (string, time.Time), round func(int64) string) (kind, to, about string) {
	m := r.msg
	parts := strings.Split(m.Key, ":")
	id := func(s string) int64 { n, _ := strconv.ParseInt(s, 10, 64); return n }
	switch {
	case parts[0] == "reminder" && (len(parts) == 5 || len(parts) == 6): // 6 with the version of a changed session
		label, start := session(id(parts[2]))
		kind = "pengingat " + untilWords(parts[3])
		if !start.IsZero() {
			kind = "pengingat " + training.Until(start.Sub(r.at))
		}
		return kind, who(parts[1]), label
	case parts[0] == "survey" && (len(parts) == 4 || len(parts) == 5): // 5 with the invitation's number
		kind = "undangan survei"
		if n, ok := strings.CutPrefix(parts[len(parts)-1], "nudge"); ok {
			kind = "pengingat survei " + n
		}
		return kind, who(parts[2]), round(id(parts[1]))
	case parts[0] == "jp" && len(parts) == 3:
		return "pengingat JP", who(parts[2]), "capaian JP tahun " + strings.SplitN(parts[1], "-", 2)[0]
	case parts[0] == "digest":
		return "ringkasan petugas", "chat petugas " + m.Out.ChatID, "ringkasan mingguan"
	case parts[0] == "session-change" && len(parts) >= 4:
		label, _ := session(id(parts[1]))
		return "perubahan jadwal", who(parts[2]), label
	}
	return parts[0], m.Out.ChatID, ""
}

// untilWords writes a reminder offset ("7d", "2h", "30m") in words.
func untilWords(off string) string {
	for suffix, word := range map[string]string{"d": " hari", "h": " jam", "m": " menit"} {
		if n, ok := strings.CutSuffix(off, suffix); ok {
			if _, err := strconv.Atoi(n); err == nil {
				return n + word
			}
		}
	}
	return off
}

// openScratch opens a database to rehearse on: for SQLite a snapshot copy
// in a temporary directory (VACUUM INTO only reads the original), for
// PostgreSQL one connection inside a transaction that is rolled back at
// the end. done releases it; nothing reaches the real database.
func openScratch(ctx context.Context, rawURL string) (*storage.DB, func(), error) {
	db, err := storage.Open(ctx, rawURL)
	if err != nil {
		return nil, nil, dbError(err)
	}
	// The rehearsal writes nothing, so it does not migrate either.
	if v, err := db.SchemaVersion(ctx); err == nil && v < storage.LatestVersion() {
		db.Close()
		return nil, nil, fmt.Errorf("skema database ini versi %d, sedangkan hub ini memerlukan versi %d: jalankan hub migrate dahulu (hub schedule sendiri tidak mengubah database)", v, storage.LatestVersion())
	}
	if err := db.CheckSchema(ctx); err != nil {
		db.Close()
		return nil, nil, dbError(err)
	}
	if db.Dialect == storage.Postgres {
		db.Close()
		return storage.OpenRollback(ctx, rawURL)
	}
	dir, err := os.MkdirTemp("", "hub-schedule-")
	if err != nil {
		db.Close()
		return nil, nil, fmt.Errorf("folder sementara untuk simulasi tidak dapat dibuat (periksa TMPDIR dan ruang disk): %w", err)
	}
	cleanup := func() { _ = os.RemoveAll(dir) }
	copyPath := filepath.Join(dir, "rehearsal.db")
	_, err = db.ExecContext(ctx, `VACUUM INTO `+sqliteQuote(copyPath))
	db.Close()
	if err != nil {
		cleanup()
		return nil, nil, fmt.Errorf("database tidak dapat disalin untuk simulasi (periksa ruang disk di folder sementara): %w", err)
	}
	scratch, err := storage.Open(ctx, "sqlite://"+copyPath)
	if err != nil {
		cleanup()
		return nil, nil, err
	}
	return scratch, func() { scratch.Close(); cleanup() }, nil
}

func sqliteQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

package scheduler

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tebingtinggi/hub/training"
)

// digestMaxRounds bounds the rounds listed per section, so that the digest
// stays one chat message.
const digestMaxRounds = 12

// SendDigest enqueues the weekly digest (see Digest) for the officers'
// chat (DigestTo). Its key holds the WIB date, so it goes out once a day
// at most.
func SendDigest(ctx context.Context, deps Training, now time.Time) error {
	text, err := Digest(ctx, deps.Store, now, deps.LowScore, deps.JPTarget)
	if err != nil {
		return err
	}
	if deps.DigestNotes != nil {
		for _, note := range deps.DigestNotes(now) {
			if note != "" {
				text += "\n\n" + note
			}
		}
	}
	out := deps.DigestTo
	out.Text = text
	out.Buttons = nil
	p := training.Planned{
		Key:       "digest:" + string(out.Platform) + ":" + out.ChatID + ":" + now.In(training.WIB).Format("2006-01-02"),
		Platform:  out.Platform,
		ChatID:    out.ChatID,
		Out:       out,
		NotBefore: now,
		ExpiresAt: now.Add(24 * time.Hour),
	}
	return deps.enqueue(ctx, JobDigest, []training.Planned{p})
}

// digestRound is one round with its report, or a training's summary of
// a survey's rounds (rep.Pooled > 0), for the digest.
type digestRound struct {
	rep        training.RoundReport
	trainingID int64   // the training of the round's session, or summary; 0 for neither
	training   string  // the training's code
	mean       float64 // mean of the Likert answers; 0 without any
	n          int     // Likert answers behind mean
}

// scored returns rep with the mean of its Likert answers, which a report
// hiding its answers has none of.
func scored(rep training.RoundReport) digestRound {
	d := digestRound{rep: rep}
	if rep.Suppressed {
		return d
	}
	var sum float64
	for _, q := range rep.Questions {
		if q.Kind == training.Likert5 && q.N > 0 {
			sum += q.Mean * float64(q.N)
			d.n += q.N
		}
	}
	if d.n > 0 {
		d.mean = sum / float64(d.n)
	}
	return d
}

// Digest writes the officers' weekly digest at now, in Indonesian: the
// survey rounds, the low scores (below lowScore) of rounds and of their
// trainings' surveys pooled over all sessions, and each unit's share of
// ASN on track for jpTarget JP this year. It names trainings, units and
// counts, never people; anonymous rounds below their group threshold show
// their response rate only.
func Digest(ctx context.Context, store TrainingPlanner, now time.Time, lowScore, jpTarget float64) (string, error) {
	if lowScore <= 0 {
		lowScore = DefaultLowScore
	}
	open, closed, err := digestRounds(ctx, store, now)
	if err != nil {
		return "", err
	}
	summaries, err := digestSummaries(ctx, store, append(slices.Clone(open), closed...))
	if err != nil {
		return "", err
	}
	jp, err := store.JPReport(ctx, now.In(training.WIB).Year(), "", jpTarget, now)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	weekAgo := now.Add(-7 * 24 * time.Hour)
	fmt.Fprintf(&b, "Ringkasan mingguan pelatihan ASN\n%s s.d. %s\n", training.FormatDateWIB(weekAgo), training.FormatDateWIB(now))
	writeRoundSections(&b, open, closed, summaries, lowScore)
	writeJPSection(&b, jp)
	b.WriteString("\nLaporan lengkap: hub report training KODE_PELATIHAN, hub report survey NOMOR_PUTARAN, hub report jp")
	return b.String(), nil
}

// digestRounds returns the reports of the rounds open at now and of those
// closed in the past week, each ordered by opening, a session's with its
// training.
func digestRounds(ctx context.Context, store TrainingPlanner, now time.Time) (open, closed []digestRound, err error) {
	rounds, err := store.Rounds(ctx, 0)
	if err != nil {
		return nil, nil, err
	}
	for _, r := range rounds {
		isOpen, closedThisWeek := r.Recent(now)
		if !isOpen && !closedThisWeek {
			continue
		}
		rep, err := store.RoundReport(ctx, r.ID)
		if err != nil {
			return nil, nil, err
		}
		d := scored(rep)
		if r.SessionID != nil {
			sess, err := store.GetSession(ctx, *r.SessionID)
			if err != nil {
				return nil, nil, err
			}
			d.trainingID, d.training = sess.TrainingID, sess.TrainingCode
		}
		if isOpen {
			open = append(open, d)
		} else {
			closed = append(closed, d)
		}
	}
	slices.SortFunc(open, byOpened)
	slices.SortFunc(closed, byOpened)
	return open, closed, nil
}

// digestSummaries returns the summaries of the surveys of the trainings
// with a session among rounds (training.Store.Summaries), in the order of
// their first round there. A training run in sessions too small to show
// their anonymous rounds is scored by them; a summary hides its answers
// itself when they would reveal hidden rounds.
func digestSummaries(ctx context.Context, store TrainingPlanner, rounds []digestRound) ([]digestRound, error) {
	seen := map[int64]bool{}
	var out []digestRound
	for _, r := range rounds {
		if r.trainingID == 0 || seen[r.trainingID] {
			continue
		}
		seen[r.trainingID] = true
		sums, err := store.Summaries(ctx, r.trainingID)
		if err != nil {
			return nil, err
		}
		for _, sum := range sums {
			d := scored(sum)
			d.trainingID, d.training = r.trainingID, r.training
			out = append(out, d)
		}
	}
	return out, nil
}

func byOpened(a, b digestRound) int { return a.rep.Round.OpenedAt.Compare(b.rep.Round.OpenedAt) }

// section writes a titled list of at most digestMaxRounds items.
func section[T any](b *strings.Builder, title, empty string, items []T, line func(T) string) {
	fmt.Fprintf(b, "\n%s\n", title)
	if len(items) == 0 {
		fmt.Fprintf(b, "%s\n", empty)
		return
	}
	for i, it := range items {
		if i == digestMaxRounds {
			fmt.Fprintf(b, "• dan %d lainnya\n", len(items)-i)
			break
		}
		fmt.Fprintf(b, "• %s\n", line(it))
	}
}

// writeRoundSections lists the open rounds, those closed this week, and
// the rounds and trainings' summaries scoring below lowScore.
func writeRoundSections(b *strings.Builder, open, closed, summaries []digestRound, lowScore float64) {
	rate := func(r digestRound) string {
		rep := r.rep
		if rep.Invited == 0 {
			return roundName(rep) + ": tidak ada yang diundang"
		}
		return fmt.Sprintf("%s: %d dari %d menjawab (%s)", roundName(rep), rep.Responded, rep.Invited, percent(rep.ResponseRate))
	}
	section(b, "Survei yang sedang berjalan:", "Tidak ada survei yang sedang berjalan.", open, func(r digestRound) string {
		return rate(r) + ", ditutup " + training.FormatDateWIB(r.rep.Round.ClosesAt)
	})
	section(b, "Survei yang ditutup minggu ini:", "Tidak ada survei yang ditutup minggu ini.", closed, rate)

	// Each training is listed once: by a summary of its survey pooled over
	// all its sessions when one scores low (the lowest), which says more
	// than any one session's round; else by its lowest round.
	var low []digestRound
	at := map[int64]int{} // a training's place in low
	for _, r := range append(append(slices.Clone(open), closed...), summaries...) {
		// Only a training's rounds score it: a periodic self-assessment
		// rated low is a training need (hub report needs).
		if r.trainingID == 0 || r.n == 0 || r.mean >= lowScore {
			continue
		}
		i, listed := at[r.trainingID]
		switch {
		case !listed:
			at[r.trainingID] = len(low)
			low = append(low, r)
		case (r.rep.Pooled > 0) != (low[i].rep.Pooled > 0):
			if r.rep.Pooled > 0 {
				low[i] = r
			}
		case r.mean < low[i].mean:
			low[i] = r
		}
	}
	slices.SortFunc(low, func(a, b digestRound) int {
		if a.mean != b.mean {
			if a.mean < b.mean {
				return -1
			}
			return 1
		}
		return byOpened(a, b)
	})
	section(b, fmt.Sprintf("Pelatihan dengan nilai rendah (rata-rata di bawah %s dari 5):", decimal(lowScore)),
		"Tidak ada.", low, func(r digestRound) string {
			name := roundName(r.rep)
			if r.rep.Pooled > 0 {
				name = summaryName(r)
			}
			s := fmt.Sprintf("%s: rata-rata %s dari %d jawaban", name, decimal(r.mean), r.n)
			var worst *training.QuestionStats
			for i, q := range r.rep.Questions {
				if q.Kind == training.Likert5 && q.N > 0 && (worst == nil || q.Mean < worst.Mean) {
					worst = &r.rep.Questions[i]
				}
			}
			if worst != nil {
				s += fmt.Sprintf("; terendah: \"%s\" %s", worst.Text, decimal(worst.Mean))
			}
			return s
		})
}

// roundName names a round in the digest: its title (a training's, which
// all the training's rounds share), its survey and session, and its
// number for hub report survey.
func roundName(rep training.RoundReport) string {
	var what []string
	if rep.Survey != "" && rep.Survey != rep.Round.Title {
		what = append(what, rep.Survey)
	}
	if rep.Session != "" {
		what = append(what, "sesi "+rep.Session)
	}
	what = append(what, "putaran "+strconv.FormatInt(rep.Round.ID, 10))
	return fmt.Sprintf("\"%s\" (%s)", rep.Round.Title, strings.Join(what, ", "))
}

// summaryName names a training's summary of a survey in the digest: the
// training's title, the survey, how many sessions' rounds it pools, and
// the training's code for hub report training.
func summaryName(r digestRound) string {
	return fmt.Sprintf("\"%s\" (%s, seluruh sesi: %d putaran, pelatihan %s)", r.rep.Round.Title, r.rep.Survey, r.rep.Pooled, r.training)
}

// writeJPSection lists each unit's share of ASN on track for the year's JP,
// the furthest behind first (those are the ones a long list cuts last).
func writeJPSection(b *strings.Builder, jp training.JPReport) {
	title := fmt.Sprintf("Capaian JP tahun %d per OPD (sesuai target: paling sedikit %s dari %s JP saat ini):",
		jp.Year, decimal(jp.Expected), decimal(jp.Target))
	units := slices.Clone(jp.Units)
	slices.SortStableFunc(units, func(a, b training.UnitJP) int {
		switch {
		case a.Share() < b.Share():
			return -1
		case a.Share() > b.Share():
			return 1
		}
		return 0
	})
	section(b, title, "Tidak ada ASN aktif.", units, func(u training.UnitJP) string {
		return fmt.Sprintf("%s: %d dari %d ASN sesuai target (%s)", u.Unit, u.OnTrack, u.ASN, percent(u.Share()))
	})
}

func percent(f float64) string { return strconv.FormatFloat(f*100, 'f', 0, 64) + "%" }

// decimal writes f with two decimals and a decimal comma, as Indonesians
// write numbers.
func decimal(f float64) string {
	return strings.Replace(strconv.FormatFloat(f, 'f', 2, 64), ".", ",", 1)
}

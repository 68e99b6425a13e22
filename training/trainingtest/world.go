// Package trainingtest builds training data for tests and benchmarks of
// what sits on top of the training domain (the scheduler, the CLI, the
// dispatch benchmarks): units, ASN linked on Telegram, trainings, sessions
// and enrolments, written through the training store's own imports.
package trainingtest

import (
	"github.com/jmoiron/sqlx"

	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
	"github.com/tebingtinggi/hub/training"
)

// Spec describes a world: ASN people, each enrolled in each of Sessions
// sessions of one training.
type Spec struct {
	ASN      int
	Sessions int
	// Start is the first session's start; session j starts Gap·j later
	// and lasts Length (default 7 hours).
	Start  time.Time
	Gap    time.Duration
	Length time.Duration
	// ChatBase is the Telegram chat id of the first ASN; the i-th has
	// ChatBase+i (default 100000).
	ChatBase int64
	// LinkedAt is when the ASN linked their accounts (default a month
	// before Start).
	LinkedAt time.Time
	// Options configure the store.
	Options training.Options
}

// World is the built data.
type World struct {
	Store *training.Store
	// NIPs in chat order: NIPs[i] chats in ChatIDs[i].
	NIPs    []string
	ChatIDs []string
	// Sessions are the session ids, in start order.
	Sessions []int64
	Spec     Spec
}

// NIP returns the i-th test NIP (0 ≤ i < 700,000), valid and distinct: born
// in 1980, appointed January 2005.
func NIP(i int) string {
	birth := time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i/1998)
	r := i % 1998
	gender, seq := 1+r/999, r%999+1
	return fmt.Sprintf("%s200501%d%03d", birth.Format("20060102"), gender, seq)
}

// Build writes the world described by spec to db, through the store's
// imports, and links every ASN on Telegram.
func Build(tb testing.TB, db *storage.DB, spec Spec) World {
	tb.Helper()
	ctx := context.Background()
	if spec.Length <= 0 {
		spec.Length = 7 * time.Hour
	}
	if spec.ChatBase == 0 {
		spec.ChatBase = 100000
	}
	if spec.LinkedAt.IsZero() {
		spec.LinkedAt = spec.Start.Add(-30 * 24 * time.Hour)
	}
	s := training.New(db, spec.Options)
	w := World{Store: s, Spec: spec}
	var asn, sess, enr strings.Builder
	asn.WriteString("nip,name,unit\n")
	sess.WriteString("code,training,start,end,place\n")
	enr.WriteString("session,nip\n")
	for i := range spec.ASN {
		nip := NIP(i)
		w.NIPs = append(w.NIPs, nip)
		w.ChatIDs = append(w.ChatIDs, strconv.FormatInt(spec.ChatBase+int64(i), 10))
		fmt.Fprintf(&asn, "%s,ASN Uji %d,%s\n", nip, i+1, unitOf(i))
	}
	for j := range spec.Sessions {
		start := spec.Start.Add(time.Duration(j) * spec.Gap)
		fmt.Fprintf(&sess, "S%04d,T1,%s,%s,Aula Kantor Wali Kota\n", j, start.Format(time.RFC3339), start.Add(spec.Length).Format(time.RFC3339))
		for _, nip := range w.NIPs {
			fmt.Fprintf(&enr, "S%04d,%s\n", j, nip)
		}
	}
	steps := []func() error{
		func() error {
			_, err := s.ImportUnits(ctx, strings.NewReader("code,name\nDISKOMINFO,Dinas Komunikasi dan Informatika\nBKPSDM,Badan Kepegawaian dan Pengembangan SDM\n"), "units.csv")
			return err
		},
		func() error { _, err := s.ImportASN(ctx, strings.NewReader(asn.String()), "asn.csv"); return err },
		func() error {
			_, err := s.ImportTrainings(ctx, strings.NewReader("code,title,competency,hours,provider\nT1,Literasi Data untuk ASN,data,8,BPSDM Provinsi Sumatera Utara\n"), "trainings.csv")
			return err
		},
		func() error {
			_, err := s.ImportSessions(ctx, strings.NewReader(sess.String()), "sessions.csv")
			return err
		},
		func() error {
			_, err := s.ImportEnrolments(ctx, strings.NewReader(enr.String()), "enrolments.csv")
			return err
		},
		func() error { return s.EnsureTemplates(ctx) },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			tb.Fatal(err)
		}
	}
	for i, nip := range w.NIPs {
		code, err := s.IssueLinkCode(ctx, nip, spec.LinkedAt)
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := storagetest.InTx(db, func(tx *sqlx.Tx) (training.ASN, error) {
			return s.Redeem(ctx, tx, code, bots.Telegram, w.ChatIDs[i], w.ChatIDs[i], spec.LinkedAt)
		}); err != nil {
			tb.Fatal(err)
		}
	}
	all, err := s.Sessions(ctx, 0)
	if err != nil {
		tb.Fatal(err)
	}
	for _, x := range all {
		w.Sessions = append(w.Sessions, x.ID)
	}
	return w
}

func unitOf(i int) string {
	if i%2 == 0 {
		return "DISKOMINFO"
	}
	return "BKPSDM"
}

// CompleteRound completes nip's response with likert for every Likert
// question, option 1 for choices and text for text questions.
func CompleteRound(t testing.TB, db *storage.DB, s *training.Store, roundID int64, nip, likert, text string, now time.Time) {
	t.Helper()
	ctx := context.Background()
	r, err := s.GetRound(ctx, roundID)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]training.QuestionKind{}
	for _, q := range r.Questions {
		kinds[q.ID] = q.Kind
	}
	st, err := storagetest.InTx(db, func(tx *sqlx.Tx) (training.Step, error) { return s.Start(ctx, tx, roundID, nip, now) })
	for err == nil && !st.Done {
		q := st.QuestionID
		st, err = storagetest.InTx(db, func(tx *sqlx.Tx) (training.Step, error) {
			switch kinds[q] {
			case training.Likert5:
				return s.Answer(ctx, tx, roundID, nip, q, likert, now)
			case training.Choice:
				return s.Answer(ctx, tx, roundID, nip, q, "1", now)
			}
			return s.AnswerText(ctx, tx, roundID, nip, text, now)
		})
	}
	if err != nil {
		t.Fatal(err)
	}
}

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tebingtinggi/hub/internal/safetext"
	"github.com/tebingtinggi/hub/training"
)

// reportCmd prints what officers read about training and surveys:
// hub report training ID|CODE [--csv] | survey ROUND [--csv] |
// jp [--year Y] [--unit U] [--csv] | needs [--unit U] [--csv].
func (a *app) reportCmd(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: report memerlukan subperintah: training, survey, jp atau needs", errUsage)
	}
	sub := args[0]
	fs := a.flagSet("report " + sub)
	asCSV := fs.Bool("csv", false, "tulis CSV, bukan teks")
	year := fs.Int("year", 0, "jp: tahun (bawaannya tahun ini, WIB)")
	unit := fs.String("unit", "", "jp, needs: hanya OPD ini (kode OPD)")
	pos, err := parseFlags(fs, args[1:])
	if err != nil {
		return err
	}
	switch sub {
	case "training":
		if len(pos) != 1 {
			return fmt.Errorf("%w: report training memerlukan satu nomor atau kode pelatihan (lihat hub training list)", errUsage)
		}
	case "survey":
		if len(pos) != 1 {
			return fmt.Errorf("%w: report survey memerlukan satu nomor putaran survei (lihat hub training list)", errUsage)
		}
	case "jp":
		if len(pos) != 0 {
			return fmt.Errorf("%w: report jp tidak memerlukan argumen, hanya --year, --unit dan --csv", errUsage)
		}
		if *year != 0 && (*year < 2000 || *year > 2100) {
			return fmt.Errorf("%w: --year %d: isi tahun, misalnya 2026", errUsage, *year)
		}
	case "needs":
		if len(pos) != 0 || *year != 0 {
			return fmt.Errorf("%w: report needs tidak memerlukan argumen, hanya --unit dan --csv", errUsage)
		}
	default:
		return fmt.Errorf("%w: subperintah report %q tidak dikenal", errUsage, sub)
	}
	db, store, err := a.trainingStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()

	if sub == "jp" {
		c, err := a.config()
		if err != nil {
			return err
		}
		now := time.Now()
		if *year == 0 {
			*year = now.In(training.WIB).Year()
		}
		set, err := loadSettings(ctx, db, c, a.logger(c))
		if err != nil {
			return err
		}
		rep, err := store.JPReport(ctx, *year, *unit, set.Current().JPTarget, now)
		if err != nil {
			return err
		}
		if *unit != "" && len(rep.People) == 0 {
			return fmt.Errorf("tidak ada ASN aktif di OPD %q (lihat hub asn list)", *unit)
		}
		if *asCSV {
			return rep.WriteCSV(a.stdout)
		}
		return a.writeInert(rep.WriteText)
	}
	if sub == "needs" {
		rep, err := store.NeedsReport(ctx, training.Quarter{}, *unit, time.Now())
		if err != nil {
			return err
		}
		if *unit != "" {
			units, err := store.Units(ctx)
			if err != nil {
				return err
			}
			if !slices.ContainsFunc(units, func(u training.Unit) bool { return strings.EqualFold(u.Code, *unit) }) {
				return fmt.Errorf("tidak ada OPD %q (lihat hub asn list)", *unit)
			}
		}
		if *asCSV {
			return rep.WriteCSV(a.stdout)
		}
		return a.writeInert(rep.WriteText)
	}
	if sub == "survey" {
		id, err := strconv.ParseInt(pos[0], 10, 64)
		if err != nil || id <= 0 {
			return fmt.Errorf("%w: %q bukan nomor putaran survei", errUsage, pos[0])
		}
		rep, err := store.RoundReport(ctx, id)
		if errors.Is(err, training.ErrNotFound) {
			return fmt.Errorf("tidak ada putaran survei %d (lihat hub training list)", id)
		}
		if err != nil {
			return err
		}
		if *asCSV {
			return rep.WriteCSV(a.stdout)
		}
		return a.writeInert(rep.WriteText)
	}

	var t training.Training
	if id, perr := strconv.ParseInt(pos[0], 10, 64); perr == nil {
		t, err = store.GetTraining(ctx, id)
	} else {
		t, err = store.TrainingByCode(ctx, pos[0])
	}
	if errors.Is(err, training.ErrNotFound) {
		return fmt.Errorf("tidak ada pelatihan %q (lihat hub training list)", pos[0])
	}
	if err != nil {
		return err
	}
	rep, err := store.TrainingReport(ctx, t.ID)
	if err != nil {
		return err
	}
	if *asCSV {
		return rep.WriteCSV(a.stdout)
	}
	return a.writeInert(rep.WriteText)
}

// writeInert prints what write produces with the control characters of
// survey answers, names and titles made inert (safetext.Block): reports
// are short, so they are made whole first.
func (a *app) writeInert(write func(io.Writer) error) error {
	var b strings.Builder
	if err := write(&b); err != nil {
		return err
	}
	_, err := io.WriteString(a.stdout, safetext.Block(b.String()))
	return err
}

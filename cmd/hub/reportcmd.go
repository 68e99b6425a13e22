package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/tebingtinggi/hub/internal/safetext"
	"github.com/tebingtinggi/hub/training"
)

// reportCmd prints what officers read about training and surveys:
// hub report training ID|CODE [--csv] | survey ROUND [--csv].
func (a *app) reportCmd(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: report needs a subcommand: training or survey", errUsage)
	}
	sub := args[0]
	fs := flag.NewFlagSet("report "+sub, flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	asCSV := fs.Bool("csv", false, "write CSV instead of text")
	pos, err := parseFlags(fs, args[1:])
	if err != nil {
		return err
	}
	switch sub {
	case "training":
		if len(pos) != 1 {
			return fmt.Errorf("%w: report training takes one training ID or code (see hub training list)", errUsage)
		}
	case "survey":
		if len(pos) != 1 {
			return fmt.Errorf("%w: report survey takes one survey round number (see hub training list)", errUsage)
		}
	default:
		return fmt.Errorf("%w: unknown report subcommand %q", errUsage, sub)
	}
	db, store, err := a.trainingStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()

	if sub == "survey" {
		id, err := strconv.ParseInt(pos[0], 10, 64)
		if err != nil || id <= 0 {
			return fmt.Errorf("%w: %q is not a survey round number", errUsage, pos[0])
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

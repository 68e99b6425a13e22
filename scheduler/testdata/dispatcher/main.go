// Command dispatcher is the dispatching process that TestKillDispatcher
// kills with SIGKILL and starts again: an outbox Dispatcher on
// HUB_DATABASE_URL sending through the Telegram adapter to the fake Bot
// API at HUB_TELEGRAM_API_URL, until it is killed. It is built without the
// race detector so that the test measures delivery, not instrumentation.
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/bots/telegram"
	"github.com/tebingtinggi/hub/outbox"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/training"
)

func main() { os.Exit(run()) }

func run() int {
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	db, err := storage.Open(ctx, os.Getenv("HUB_DATABASE_URL"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fast := telegram.Rate{Events: 100000, Per: time.Second}
	a, err := telegram.New(ctx, telegram.Config{Token: os.Getenv("HUB_TELEGRAM_TOKEN"), APIURL: os.Getenv("HUB_TELEGRAM_API_URL"),
		Logger: quiet, Limits: telegram.Limits{Global: fast, PerChat: fast}})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	// The send timeout is far above the fake API's answer time even on a
	// loaded machine: a send timed out after it reached the API is retried
	// and counted as a duplicate the kill did not cause.
	d := &outbox.Dispatcher{DB: db, Senders: map[bots.Platform]bots.Sender{bots.Telegram: a}, Workers: 8, Batch: 10,
		Lease: time.Minute, SendTimeout: 10 * time.Second, PollInterval: 20 * time.Millisecond, Logger: quiet,
		Conditions: training.New(db, training.Options{})}
	fmt.Println("ready")
	_ = d.Run(ctx)
	return 0
}

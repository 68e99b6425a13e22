package main

import (
	_ "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	_ "github.com/jmoiron/sqlx"
	_ "github.com/lib/pq"
	_ "github.com/prometheus/client_golang/prometheus"
	_ "github.com/robfig/cron/v3"
	_ "github.com/slack-go/slack"
	_ "modernc.org/sqlite"
)

func main() {}

package main

import (
	"fmt"
	"log/slog"
	"strconv"
	"strings"

	"github.com/tebingtinggi/hub/knowledge"
	"github.com/tebingtinggi/hub/storage"
)

// config is everything the hub reads from its environment. Each field
// names its variable; README.md lists them all with their defaults.
type config struct {
	DatabaseURL string // HUB_DATABASE_URL
	HTTPAddr    string // HUB_HTTP_ADDR
	LogLevel    slog.Level
	Engine      knowledge.Config
}

// loadConfig reads the configuration through getenv and reports the first
// bad value by name.
func loadConfig(getenv func(string) string) (config, error) {
	c := config{
		DatabaseURL: storage.DefaultURL,
		HTTPAddr:    ":8080",
		LogLevel:    slog.LevelInfo,
		Engine:      knowledge.DefaultConfig(),
	}
	if v := getenv("HUB_DATABASE_URL"); v != "" {
		c.DatabaseURL = v
	}
	if v := getenv("HUB_HTTP_ADDR"); v != "" {
		c.HTTPAddr = v
	}
	if v := getenv("HUB_LOG_LEVEL"); v != "" {
		if err := c.LogLevel.UnmarshalText([]byte(v)); err != nil {
			return c, fmt.Errorf("HUB_LOG_LEVEL=%q: want debug, info, warn or error", v)
		}
	}
	for _, f := range []struct {
		name string
		dst  *float64
	}{
		{"HUB_ANSWER_CONFIDENCE", &c.Engine.AnswerConfidence},
		{"HUB_CLARIFY_CONFIDENCE", &c.Engine.ClarifyConfidence},
		{"HUB_ANSWER_MARGIN", &c.Engine.AnswerMargin},
	} {
		v := strings.TrimSpace(getenv(f.name))
		if v == "" {
			continue
		}
		x, err := strconv.ParseFloat(v, 64)
		if err != nil || x < 0 || x > 1 {
			return c, fmt.Errorf("%s=%q: want a number between 0 and 1", f.name, v)
		}
		*f.dst = x
	}
	if c.Engine.ClarifyConfidence > c.Engine.AnswerConfidence {
		return c, fmt.Errorf("HUB_CLARIFY_CONFIDENCE (%.2f) must not exceed HUB_ANSWER_CONFIDENCE (%.2f)", c.Engine.ClarifyConfidence, c.Engine.AnswerConfidence)
	}
	return c, nil
}

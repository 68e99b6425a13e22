package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/tebingtinggi/hub/bots/telegram"
	"github.com/tebingtinggi/hub/handlers"
	"github.com/tebingtinggi/hub/inbox"
	"github.com/tebingtinggi/hub/internal/logid"
	"github.com/tebingtinggi/hub/internal/safetext"
	"github.com/tebingtinggi/hub/knowledge"
	"github.com/tebingtinggi/hub/scheduler"
	"github.com/tebingtinggi/hub/settings"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/training"
)

// config is everything the hub reads from its environment. Each field
// names its variable; README.md lists them all with their defaults.
type config struct {
	DatabaseURL string // HUB_DATABASE_URL
	HTTPAddr    string // HUB_HTTP_ADDR
	LogLevel    slog.Level
	// LogHash names a person in the logs by a keyed hash (HUB_LOG_HASH_KEY;
	// a random key per process when unset).
	LogHash *logid.Hasher
	Engine  knowledge.Config
	// Linguistic resources: a path, or "" to run without. Defaults are
	// the shipped files under langdata/, looked up from the working folder,
	// the binary's folder and their parents, then Debian's copies.
	ThesaurusPath  string // HUB_THESAURUS ("off" to run without)
	DictionaryPath string // HUB_DICTIONARY ("off" to run without)

	// Telegram is configured when HUB_TELEGRAM_TOKEN is set.
	TelegramToken         string          // HUB_TELEGRAM_TOKEN (secret: never logged)
	TelegramAPIURL        string          // HUB_TELEGRAM_API_URL
	TelegramWebhookURL    string          // HUB_TELEGRAM_WEBHOOK_URL
	TelegramWebhookSecret string          // HUB_TELEGRAM_WEBHOOK_SECRET (secret)
	TelegramLimits        telegram.Limits // HUB_TELEGRAM_RATE_GLOBAL, _CHAT, _GROUP

	Retention     time.Duration // HUB_MESSAGE_RETENTION_DAYS
	UserRateLimit int           // HUB_USER_RATE_LIMIT (messages per minute)

	// Settings are the values an admin may change in the web admin, as
	// the environment gives them (HUB_SERVICE_HOURS, HUB_HOLIDAYS,
	// HUB_TICKET_SLA, HUB_REMINDER_OFFSETS, HUB_JP_TARGET); a value saved
	// in the admin wins (see package settings).
	Settings settings.Base

	Schedule scheduleConfig
	Slack    slackConfig

	// AdminTrustProxy: HUB_ADMIN_TRUST_PROXY, the web admin sits behind a
	// TLS-terminating proxy whose X-Forwarded-Proto and X-Forwarded-For
	// it may believe.
	AdminTrustProxy bool
}

// scheduleConfig is the ASN-development cycle's timing: reminders, surveys
// and the officers' digest.
type scheduleConfig struct {
	SurveyDelay    time.Duration // HUB_SURVEY_DELAY
	SurveyNudges   int           // HUB_SURVEY_NUDGES (0: none)
	NudgeSpacing   time.Duration // HUB_SURVEY_NUDGE_SPACING
	RoundDuration  time.Duration // HUB_SURVEY_ROUND_DAYS
	MinGroup       int           // HUB_SURVEY_MIN_GROUP (anonymity threshold)
	FollowUpAfter  time.Duration // HUB_FOLLOWUP_AFTER
	FrequentCron   string        // HUB_FREQUENT_CRON
	CompetencyCron string        // HUB_COMPETENCY_CRON
	DigestCron     string        // HUB_DIGEST_CRON
	OfficersChat   string        // HUB_OFFICERS_TELEGRAM_CHAT ("" : no digest)
	LowScore       float64       // HUB_DIGEST_LOW_SCORE
	JPCron         string        // HUB_JP_CRON
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
	if v := strings.TrimSpace(getenv("HUB_DATABASE_URL")); v != "" {
		if !strings.HasPrefix(v, "sqlite:") && !strings.HasPrefix(v, "postgres://") && !strings.HasPrefix(v, "postgresql://") {
			return c, fmt.Errorf("HUB_DATABASE_URL=%q: isi sqlite://PATH (misalnya sqlite:///var/lib/hub/hub.db) atau postgres://PENGGUNA:SANDI@HOST:5432/DB?sslmode=disable", storage.Redact(v))
		}
		c.DatabaseURL = v
	}
	roots := resourceRoots()
	for _, r := range []struct {
		name, what, shipped, system string
		dst                         *string
	}{
		{"HUB_THESAURUS", "tesaurus MyThes", knowledge.DefaultThesaurusPath, knowledge.SystemThesaurusPath, &c.ThesaurusPath},
		{"HUB_DICTIONARY", "daftar kata Hunspell", knowledge.DefaultDictionaryPath, knowledge.SystemDictionaryPath, &c.DictionaryPath},
	} {
		v := strings.TrimSpace(getenv(r.name))
		if v != "" && v != "off" {
			// A path the operator named and mistyped would otherwise
			// only lose answers quietly.
			if _, err := os.Stat(v); err != nil {
				return c, fmt.Errorf("%s=%q: berkas %s ini tidak ditemukan atau tidak dapat dibaca; isi path berkasnya, atau off untuk berjalan tanpanya", r.name, v, r.what)
			}
		}
		*r.dst = resourcePath(v, r.shipped, r.system, roots)
	}
	if v := getenv("HUB_HTTP_ADDR"); v != "" {
		c.HTTPAddr = v
	}
	if v := strings.TrimSpace(getenv("HUB_ADMIN_TRUST_PROXY")); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return c, fmt.Errorf("HUB_ADMIN_TRUST_PROXY=%q: isi true atau false", v)
		}
		c.AdminTrustProxy = b
	}
	var err error
	if c.LogHash, err = logid.New(getenv("HUB_LOG_HASH_KEY")); err != nil {
		if getenv("HUB_LOG_HASH_KEY") == "" {
			return c, fmt.Errorf("HUB_LOG_HASH_KEY: %w", err)
		}
		// The key is a secret: never echoed.
		return c, fmt.Errorf("HUB_LOG_HASH_KEY: isi kunci rahasia paling sedikit %d karakter, misalnya keluaran `openssl rand -hex 32`, atau kosongkan agar setiap proses memakai kunci acak", logid.MinKeyLen)
	}
	if v := getenv("HUB_LOG_LEVEL"); v != "" {
		if err := c.LogLevel.UnmarshalText([]byte(v)); err != nil {
			return c, fmt.Errorf("HUB_LOG_LEVEL=%q: isi debug, info, warn atau error", v)
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
			return c, fmt.Errorf("%s=%q: isi angka antara 0 dan 1", f.name, v)
		}
		*f.dst = x
	}
	if err := loadSlackConfig(getenv, &c); err != nil {
		return c, err
	}
	if err := loadChatConfig(getenv, &c); err != nil {
		return c, err
	}
	if err := loadScheduleConfig(getenv, &c.Schedule); err != nil {
		return c, err
	}
	return c, nil
}

// loadScheduleConfig reads the reminder and survey timing; a bad offset,
// duration or cron spec is refused with the variable's name.
func loadScheduleConfig(getenv func(string) string, s *scheduleConfig) error {
	*s = scheduleConfig{
		SurveyDelay:    scheduler.DefaultSurveyDelay,
		SurveyNudges:   scheduler.DefaultNudges,
		NudgeSpacing:   scheduler.DefaultNudgeSpacing,
		RoundDuration:  training.DefaultRoundDuration,
		FollowUpAfter:  scheduler.DefaultFollowUpAfter,
		FrequentCron:   scheduler.DefaultFrequentSpec,
		CompetencyCron: scheduler.DefaultCompetencySpec,
		DigestCron:     scheduler.DefaultDigestSpec,
		LowScore:       scheduler.DefaultLowScore,
		JPCron:         scheduler.DefaultJPSpec,
	}
	for _, d := range []struct {
		name     string
		dst      *time.Duration
		min, max time.Duration
	}{
		{"HUB_SURVEY_DELAY", &s.SurveyDelay, time.Minute, 30 * 24 * time.Hour},
		{"HUB_SURVEY_NUDGE_SPACING", &s.NudgeSpacing, time.Hour, 60 * 24 * time.Hour},
		{"HUB_FOLLOWUP_AFTER", &s.FollowUpAfter, 24 * time.Hour, 730 * 24 * time.Hour},
	} {
		v := strings.TrimSpace(getenv(d.name))
		if v == "" {
			continue
		}
		x, err := parseSpan(v)
		if err != nil || x < d.min || x > d.max {
			return fmt.Errorf("%s=%q: isi durasi seperti 2h, 90m atau 3d, dari %s sampai %s", d.name, v, formatSpan(d.min), formatSpan(d.max))
		}
		*d.dst = x
	}
	if v := strings.TrimSpace(getenv("HUB_SURVEY_NUDGES")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 5 {
			return fmt.Errorf("HUB_SURVEY_NUDGES=%q: isi jumlah pengingat survei, bilangan bulat dari 0 sampai 5", v)
		}
		s.SurveyNudges = n
	}
	if v := strings.TrimSpace(getenv("HUB_SURVEY_MIN_GROUP")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 2 || n > 100 {
			return fmt.Errorf("HUB_SURVEY_MIN_GROUP=%q: isi jumlah tanggapan, bilangan bulat dari 2 sampai 100", v)
		}
		s.MinGroup = n
	}
	if v := strings.TrimSpace(getenv("HUB_SURVEY_ROUND_DAYS")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 365 {
			return fmt.Errorf("HUB_SURVEY_ROUND_DAYS=%q: isi jumlah hari, bilangan bulat dari 1 sampai 365", v)
		}
		s.RoundDuration = time.Duration(n) * 24 * time.Hour
	}
	for _, c := range []struct {
		name string
		dst  *string
	}{
		{"HUB_FREQUENT_CRON", &s.FrequentCron},
		{"HUB_COMPETENCY_CRON", &s.CompetencyCron},
		{"HUB_DIGEST_CRON", &s.DigestCron},
		{"HUB_JP_CRON", &s.JPCron},
	} {
		v := strings.TrimSpace(getenv(c.name))
		if v == "" {
			continue
		}
		if _, err := scheduler.ParseSpec(v); err != nil {
			return fmt.Errorf("%s=%q: isi jadwal cron lima kolom dalam WIB (menit jam tanggal bulan hari, misalnya \"0 8 * * 1\" untuk setiap Senin pukul 08.00) atau singkatan seperti @daily: %v", c.name, v, err)
		}
		*c.dst = v
	}
	if v := strings.TrimSpace(getenv("HUB_DIGEST_LOW_SCORE")); v != "" {
		// Officers write decimals with a comma; accept both.
		x, err := strconv.ParseFloat(strings.Replace(v, ",", ".", 1), 64)
		if err != nil || x <= 1 || x > 5 {
			return fmt.Errorf("HUB_DIGEST_LOW_SCORE=%q: isi nilai rata-rata di atas 1 dan paling tinggi 5, misalnya 3.50", v)
		}
		s.LowScore = x
	}
	if v := strings.TrimSpace(getenv("HUB_OFFICERS_TELEGRAM_CHAT")); v != "" {
		if _, err := strconv.ParseInt(v, 10, 64); err != nil || v == "0" {
			return fmt.Errorf("HUB_OFFICERS_TELEGRAM_CHAT=%q: isi id chat Telegram, misalnya -1001234567890 untuk sebuah grup", v)
		}
		s.OfficersChat = v
	}
	return nil
}

// parseSpan reads a duration written as days ("3d") or as a Go duration
// ("2h", "90m", "1h30m").
func parseSpan(s string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil {
			return 0, err
		}
		return time.Duration(days) * 24 * time.Hour, nil
	}
	return time.ParseDuration(s)
}

// formatSpan writes d as parseSpan reads it.
func formatSpan(d time.Duration) string { return training.FormatOffset(d) }

// trainingOptions are the training store's options from the configuration.
func trainingOptions(c config) training.Options {
	return training.Options{RoundDuration: c.Schedule.RoundDuration, AnonymityThreshold: c.Schedule.MinGroup}
}

// loadChatConfig reads the chat platforms' and the help desk's settings.
func loadChatConfig(getenv func(string) string, c *config) error {
	c.TelegramToken = strings.TrimSpace(getenv("HUB_TELEGRAM_TOKEN"))
	c.TelegramAPIURL = strings.TrimSpace(getenv("HUB_TELEGRAM_API_URL"))
	c.TelegramWebhookURL = strings.TrimSpace(getenv("HUB_TELEGRAM_WEBHOOK_URL"))
	c.TelegramWebhookSecret = strings.TrimSpace(getenv("HUB_TELEGRAM_WEBHOOK_SECRET"))
	if c.TelegramToken != "" && !telegram.ValidToken(c.TelegramToken) {
		// The value is a secret even when malformed: never echoed.
		return errors.New("HUB_TELEGRAM_TOKEN bukan token bot: isi angka, titik dua, lalu huruf, angka, _ atau - (seperti yang diberikan @BotFather)")
	}
	if c.TelegramAPIURL != "" {
		if u, err := url.Parse(c.TelegramAPIURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("HUB_TELEGRAM_API_URL=%q: isi URL http(s) lengkap seperti http://127.0.0.1:8081", c.TelegramAPIURL)
		}
	}
	if c.TelegramWebhookURL != "" {
		if u, err := url.Parse(c.TelegramWebhookURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("HUB_TELEGRAM_WEBHOOK_URL=%q: isi URL http(s) lengkap seperti https://hub.example.go.id/telegram", c.TelegramWebhookURL)
		}
		if c.TelegramWebhookSecret == "" {
			return errors.New("HUB_TELEGRAM_WEBHOOK_SECRET wajib diisi bersama HUB_TELEGRAM_WEBHOOK_URL")
		}
	}
	if c.TelegramWebhookSecret != "" && !webhookSecretOK(c.TelegramWebhookSecret) {
		return fmt.Errorf("HUB_TELEGRAM_WEBHOOK_SECRET: isi %d-256 karakter acak dari A-Z, a-z, 0-9, _ dan -, misalnya keluaran `openssl rand -hex 16`", minWebhookSecret)
	}
	for _, r := range []struct {
		name string
		dst  *telegram.Rate
		per  time.Duration
	}{
		{"HUB_TELEGRAM_RATE_GLOBAL", &c.TelegramLimits.Global, time.Second},
		{"HUB_TELEGRAM_RATE_CHAT", &c.TelegramLimits.PerChat, time.Second},
		{"HUB_TELEGRAM_RATE_GROUP", &c.TelegramLimits.PerGroup, time.Minute},
	} {
		v := strings.TrimSpace(getenv(r.name))
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100000 {
			return fmt.Errorf("%s=%q: isi jumlah pesan, bilangan bulat (1-100000)", r.name, v)
		}
		*r.dst = telegram.Rate{Events: n, Per: r.per}
	}

	var err error
	if c.Settings, err = settings.FromEnv(getenv); err != nil {
		return err
	}

	c.Retention = inbox.DefaultRetention
	if v := strings.TrimSpace(getenv("HUB_MESSAGE_RETENTION_DAYS")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 36500 {
			return fmt.Errorf("HUB_MESSAGE_RETENTION_DAYS=%q: isi jumlah hari, bilangan bulat (1-36500)", v)
		}
		c.Retention = time.Duration(n) * 24 * time.Hour
	}
	c.UserRateLimit = handlers.DefaultRateLimit
	if v := strings.TrimSpace(getenv("HUB_USER_RATE_LIMIT")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 10000 {
			return fmt.Errorf("HUB_USER_RATE_LIMIT=%q: isi jumlah pesan per menit, bilangan bulat (1-10000)", v)
		}
		c.UserRateLimit = n
	}
	return nil
}

// minWebhookSecret is the shortest webhook secret accepted. The secret is
// all that tells Telegram's requests from forged ones, and nothing slows a
// guesser down, so it must be too long to try out.
const minWebhookSecret = 16

func webhookSecretOK(s string) bool {
	if len(s) < minWebhookSecret || len(s) > 256 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// resourcePath is the file a resource variable names: "off" for none, a
// path as given, or when unset the shipped file. That is looked up in each
// of roots and up to three of its parents (so that a command run anywhere
// in a checkout, or a binary built into the checkout's bin/, finds it),
// then at system, where Debian's package installs the same resource. A
// shipped file that is nowhere is still returned, so that its absence is
// reported once.
func resourcePath(v, shipped, system string, roots []string) string {
	switch v {
	case "off":
		return ""
	case "":
	default:
		return v
	}
	for _, root := range roots {
		dir := root
		for i := 0; i < 4; i++ {
			p := filepath.Join(dir, shipped)
			if _, err := os.Stat(p); err == nil {
				return p
			}
			dir = filepath.Join(dir, "..")
		}
	}
	if _, err := os.Stat(system); err == nil {
		return system
	}
	return shipped
}

// resourceRoots are where the shipped resources are looked for: the
// working folder, then the folder of the running binary.
func resourceRoots() []string {
	roots := []string{"."}
	if exe, err := os.Executable(); err == nil {
		if exe, err := filepath.EvalSymlinks(exe); err == nil {
			roots = append(roots, filepath.Dir(exe))
		}
	}
	return roots
}

// engineConfig is the engine's configuration with the linguistic
// resources loaded. A resource it runs without although the configuration
// wants it is told on w, in Indonesian, with what to do: the bot then
// answers fewer questions than the README's measurements, which an
// operator must not have to learn from the answers.
func engineConfig(c config, w io.Writer) knowledge.Config {
	cfg := c.Engine
	var missing, paths, packages, vars []string
	lacks := func(what, path, pkg, env string, err error) {
		if errors.Is(err, fs.ErrNotExist) {
			missing, paths, packages, vars = append(missing, what), append(paths, path), append(packages, pkg), append(vars, env)
			return
		}
		fmt.Fprintf(w, "hub: peringatan: bot berjalan tanpa %s karena berkas %s tidak dapat dipakai (%s); ganti berkas itu, atau isi %s=off untuk sengaja berjalan tanpanya.\n",
			what, safetext.Line(path), safetext.Line(err.Error()), env)
	}
	if c.ThesaurusPath != "" {
		th, err := knowledge.LoadThesaurus(c.ThesaurusPath)
		if err != nil {
			lacks("tesaurus", c.ThesaurusPath, "mythes-id", "HUB_THESAURUS", err)
		}
		cfg.Resources.Thesaurus = th
	}
	if c.DictionaryPath != "" {
		d, err := knowledge.LoadDictionary(c.DictionaryPath)
		if err != nil {
			lacks("kamus", c.DictionaryPath, "hunspell-id", "HUB_DICTIONARY", err)
		}
		cfg.Resources.Dictionary = d
	}
	if len(missing) > 0 {
		fmt.Fprintf(w, "hub: peringatan: bot berjalan tanpa %s (%s tidak ditemukan), sehingga lebih sedikit pertanyaan yang terjawab. "+
			"Salin folder langdata/ ke folder program hub atau ke folder di atasnya (misalnya /opt/hub/langdata untuk /opt/hub/bin/hub), "+
			"pasang paket Debian %s, atau isi %s dengan path berkasnya (off: sengaja tanpanya).\n",
			strings.Join(missing, " dan "), safetext.Line(strings.Join(paths, " dan ")), strings.Join(packages, " dan "), strings.Join(vars, " dan "))
	}
	return cfg
}

// resourceInUse is what the log says of a resource: its path when loaded,
// "off" when not wanted, "missing" when wanted but not loaded.
func resourceInUse(path string, loaded bool) string {
	switch {
	case path == "":
		return "off"
	case !loaded:
		return "missing"
	}
	if abs, err := filepath.Abs(path); err == nil {
		return abs
	}
	return path
}

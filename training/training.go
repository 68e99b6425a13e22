// Package training owns the city's ASN development cycle: civil servants
// (ASN) and their units (OPD), the links between an ASN and their chat
// accounts, the training catalogue with its sessions and enrolments, the
// reminders before a session, and the evaluation surveys that follow it
// (templates, rounds, invitations, answers and reports).
//
// Everything here is platform-neutral: messages are bots.Outgoing values,
// and scheduled messages come back as Planned values with deterministic
// idempotency keys for the scheduler to put in the outbox. Functions that
// depend on the time take it as an argument, so tests move the clock freely.
// Times are stored in UTC and shown in WIB (Asia/Jakarta).
//
// Personal data (NIP, names, chat ids, answers) never goes to the logs; this
// package does not log at all.
package training

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // Asia/Jakarta on machines without a zoneinfo database
	"unicode/utf8"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/storage"
)

// WIB is Western Indonesian Time (Asia/Jakarta, UTC+7, no daylight saving),
// the time zone of Kota Tebingtinggi.
var WIB = mustLoad("Asia/Jakarta")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic("training: time zone " + name + " unavailable: " + err.Error())
	}
	return loc
}

// Options tune the store; the zero value of a field means its default.
type Options struct {
	// RoundDuration is how long a survey round stays open (default 14 days).
	RoundDuration time.Duration
	// AnonymityThreshold is the least number of responses a group of an
	// anonymous round needs before its answers are shown (default 5).
	AnonymityThreshold int
	// LookBack bounds how old a session may be for OpenPostTrainingRounds
	// and OpenFollowUps to still open a round for it (default 30 days), so
	// that a first start on an old database does not survey last year.
	LookBack time.Duration
	// Now is the clock imports check dates against (default time.Now):
	// sessions far in the future, attendance of sessions not yet held.
	Now func() time.Time
}

// The defaults of Options.
const (
	DefaultRoundDuration      = 14 * 24 * time.Hour
	DefaultAnonymityThreshold = 5
	DefaultLookBack           = 30 * 24 * time.Hour
)

// DefaultReminderOffsets are the moments before a session's start when a
// reminder goes out: 7 days, 1 day and 2 hours.
var DefaultReminderOffsets = []time.Duration{7 * 24 * time.Hour, 24 * time.Hour, 2 * time.Hour}

// Store reads and writes the training tables. It is safe for concurrent use
// and holds no state besides its options: several replicas may share one
// database.
type Store struct {
	db   *storage.DB
	opts Options
}

func (s *Store) now() time.Time {
	if s.opts.Now != nil {
		return s.opts.Now()
	}
	return time.Now()
}

// New returns a store on db, which must be migrated.
func New(db *storage.DB, opts Options) *Store {
	if opts.RoundDuration <= 0 {
		opts.RoundDuration = DefaultRoundDuration
	}
	if opts.AnonymityThreshold <= 0 {
		opts.AnonymityThreshold = DefaultAnonymityThreshold
	}
	if opts.LookBack <= 0 {
		opts.LookBack = DefaultLookBack
	}
	return &Store{db: db, opts: opts}
}

// Errors callers tell apart with errors.Is. UserMessage turns each into a
// polite reply in Indonesian.
var (
	ErrNotFound     = errors.New("training: not found")
	ErrCodeUnknown  = errors.New("training: link code unknown")
	ErrCodeUsed     = errors.New("training: link code already used")
	ErrCodeExpired  = errors.New("training: link code expired")
	ErrCodeReplaced = errors.New("training: link code replaced by a newer one")
	ErrInactive     = errors.New("training: ASN is not active")
	ErrAccountInUse = errors.New("training: chat account already linked to another ASN")
	ErrNotLinked    = errors.New("training: chat account not linked")
	// ErrChannelNotLinked: /kanal names a platform the person has no
	// link on.
	ErrChannelNotLinked = errors.New("training: no link on the chosen platform")
	ErrNotYours         = errors.New("training: not this person's enrolment or survey")
	ErrSessionClosed    = errors.New("training: session already started or cancelled")
	ErrRoundClosed      = errors.New("training: survey round closed")
	ErrAlreadyDone      = errors.New("training: survey already completed")
	ErrNeedButton       = errors.New("training: answer needs a button")
	ErrInvalidAnswer    = errors.New("training: invalid answer")
	ErrUnknownQuestion  = errors.New("training: unknown question")
	// ErrNotAttended: a post-training survey's button pressed by someone
	// whose attendance was recorded as "tidak" after they were invited.
	ErrNotAttended = errors.New("training: survey of a session the person did not attend")
	// ErrNotEnrolled: a survey's button of a session pressed by someone
	// taken off that session after they were invited.
	ErrNotEnrolled = errors.New("training: survey of a session the person is no longer enrolled in")
)

// UserMessage returns a short, polite Indonesian reply for an error of this
// package, for the chat handler to send; ok is false for errors that are not
// the person's doing (the handler then apologises generically).
func UserMessage(err error) (msg string, ok bool) {
	var nb *NeedButtonError
	var tl *TooLongError
	switch {
	case errors.As(err, &nb):
		return nb.Hint, true
	case errors.As(err, &tl):
		return tl.Hint(), true
	case errors.Is(err, ErrCodeUnknown):
		return "Maaf, kode tautan tidak dikenal. Periksa kembali kode yang Anda terima dari admin kepegawaian, lalu kirim /daftar KODE.", true
	case errors.Is(err, ErrCodeUsed):
		return "Kode tautan ini sudah pernah dipakai. Silakan minta kode baru kepada admin kepegawaian.", true
	case errors.Is(err, ErrCodeReplaced):
		return "Kode tautan ini sudah diganti dengan kode yang lebih baru, sehingga tidak berlaku lagi. Gunakan kode terbaru dari admin kepegawaian, atau mintalah kode baru.", true
	case errors.Is(err, ErrCodeExpired):
		return "Kode tautan ini sudah kedaluwarsa (berlaku 7 hari). Silakan minta kode baru kepada admin kepegawaian.", true
	case errors.Is(err, ErrInactive):
		return "Data ASN untuk kode ini sedang tidak aktif. Silakan hubungi admin kepegawaian.", true
	case errors.Is(err, ErrAccountInUse):
		return "Akun chat ini sudah tertaut ke ASN lain. Kirim /putus terlebih dahulu bila ingin menautkan ulang.", true
	case errors.Is(err, ErrNotLinked):
		return "Akun Anda belum tertaut. Kirim /daftar KODE dengan kode dari admin kepegawaian.", true
	case errors.Is(err, ErrChannelNotLinked):
		return "Akun Anda di platform itu belum tertaut. Tautkan dahulu dengan /daftar KODE di platform tersebut, lalu pilih kanalnya dengan /kanal.", true
	case errors.Is(err, ErrNotAttended):
		return "Survei ini hanya untuk peserta yang hadir pada pelatihan tersebut. Menurut catatan kehadiran, Anda tidak hadir, sehingga survei ini tidak perlu Anda isi. Bila catatan itu keliru, silakan hubungi admin kepegawaian.", true
	case errors.Is(err, ErrNotEnrolled):
		return "Maaf, Anda tidak lagi terdaftar sebagai peserta pelatihan ini, sehingga survei ini sudah ditutup untuk Anda dan jawaban Anda tidak kami catat. " +
			"Bila ini keliru, silakan hubungi admin kepegawaian di unit Anda.", true
	case errors.Is(err, ErrNotYours):
		return "Maaf, tombol ini bukan untuk Anda.", true
	case errors.Is(err, ErrSessionClosed):
		return "Konfirmasi tidak dapat diubah lagi karena pelatihan sudah dimulai atau dibatalkan.", true
	case errors.Is(err, ErrRoundClosed):
		return "Terima kasih, tetapi survei ini sudah ditutup sehingga jawaban tidak dapat direkam lagi.", true
	case errors.Is(err, ErrAlreadyDone):
		return "Anda sudah mengisi survei ini. Terima kasih atas partisipasinya!", true
	case errors.Is(err, ErrInvalidAnswer), errors.Is(err, ErrUnknownQuestion):
		return "Maaf, jawaban itu tidak dapat kami proses. Silakan pilih salah satu tombol pada pertanyaan terakhir.", true
	}
	return "", false
}

// NeedButtonError is returned when a person types text where the current
// question expects a button; Hint is the polite reply to send. It matches
// ErrNeedButton with errors.Is.
type NeedButtonError struct {
	QuestionID string
	Hint       string
}

func (e *NeedButtonError) Error() string {
	return "training: answer to question " + e.QuestionID + " needs a button"
}

// Is makes errors.Is(err, ErrNeedButton) true.
func (e *NeedButtonError) Is(target error) bool { return target == ErrNeedButton }

// TooLongError is returned when typed text, a survey answer or the reason
// for Berhalangan, is longer than is kept: nothing is recorded, rather
// than the text cut short without the person knowing.
type TooLongError struct {
	// Reason is set for the reason for Berhalangan, unset for a survey
	// answer.
	Reason bool
	// Got and Max are the text's length and the most kept, in characters.
	Got, Max int
}

func (e *TooLongError) Error() string {
	return fmt.Sprintf("training: typed text of %d characters, at most %d kept", e.Got, e.Max)
}

// Hint is the polite reply to the text, saying how long it is and may be.
func (e *TooLongError) Hint() string {
	what, then := "jawaban", "Mohon persingkat jawaban Anda, lalu kirim kembali."
	if e.Reason {
		what, then = "alasan", "Mohon tuliskan alasan yang lebih singkat, atau tekan \"Lewati\" bila tidak ingin menuliskannya."
	}
	return fmt.Sprintf("Mohon maaf, %s Anda terlalu panjang (%s karakter; paling banyak %s karakter) sehingga belum kami catat. %s",
		what, groupThousands(e.Got), groupThousands(e.Max), then)
}

// tooLong returns a *TooLongError when text is longer than max characters.
func tooLong(text string, max int, reason bool) error {
	if n := utf8.RuneCountInString(text); n > max {
		return &TooLongError{Reason: reason, Got: n, Max: max}
	}
	return nil
}

// groupThousands writes n with the Indonesian thousands separator: 1.000.
func groupThousands(n int) string {
	if n < 0 {
		return "-" + groupThousands(-n)
	}
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "." + s[i:]
	}
	return s
}

// Planned is one scheduled message, ready for the outbox: Key is its
// deterministic idempotency key, so planning the same thing twice enqueues
// it once.
type Planned struct {
	Key      string
	NIP      string
	Platform bots.Platform
	ChatID   string
	// Out is addressed (Platform and ChatID set).
	Out bots.Outgoing
	// NotBefore is the moment the message is meant for; it may lie slightly
	// in the future when planned with a look-ahead window.
	NotBefore time.Time
	// ExpiresAt is when the message stops making sense (a reminder when the
	// session starts, a survey nudge when the round closes).
	ExpiresAt time.Time
	// Condition, when set, is what must still hold when the message is
	// sent (see Store.Holds).
	Condition string
}

// utc normalises a time for storage: UTC at microsecond precision (what
// Postgres keeps), so values compare the same on both backends.
func utc(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func randomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("training: no randomness: " + err.Error())
	}
	return hex.EncodeToString(b)
}

var (
	dayNames   = [...]string{"Minggu", "Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu"}
	monthNames = [...]string{"Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli",
		"Agustus", "September", "Oktober", "November", "Desember"}
)

// FormatWIB writes t as Indonesians read it: "Kamis, 3 Desember 2026 pukul
// 09.00 WIB".
func FormatWIB(t time.Time) string {
	w := t.In(WIB)
	return fmt.Sprintf("%s, %d %s %d pukul %02d.%02d WIB", dayNames[w.Weekday()], w.Day(),
		monthNames[w.Month()-1], w.Year(), w.Hour(), w.Minute())
}

// FormatDateWIB writes the date of t in WIB: "3 Desember 2026".
func FormatDateWIB(t time.Time) string {
	w := t.In(WIB)
	return fmt.Sprintf("%d %s %d", w.Day(), monthNames[w.Month()-1], w.Year())
}

// formatSpan writes a session's time: "Kamis, 3 Desember 2026 pukul
// 09.00–12.00 WIB", or both full times when it spans several days.
func formatSpan(start, end time.Time) string {
	s, e := start.In(WIB), end.In(WIB)
	if s.Year() == e.Year() && s.YearDay() == e.YearDay() {
		return strings.TrimSuffix(FormatWIB(s), " WIB") + fmt.Sprintf("–%02d.%02d WIB", e.Hour(), e.Minute())
	}
	return FormatWIB(s) + " s.d. " + FormatWIB(e)
}

// notFound maps sql.ErrNoRows to ErrNotFound and wraps other errors.
func notFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return fmt.Errorf("training: unable to %s: %w", what, err)
}

package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/outbox"
	"github.com/tebingtinggi/hub/training"
)

// TrainingPlanner is what the ASN-development jobs need from the training
// domain; *training.Store implements it.
type TrainingPlanner interface {
	DueReminders(ctx context.Context, now time.Time, offsets []time.Duration, window time.Duration) ([]training.Planned, error)
	OpenPostTrainingRounds(ctx context.Context, now time.Time, delay time.Duration) ([]training.Round, error)
	InviteLateComers(ctx context.Context, now time.Time) (int, error)
	OpenFollowUps(ctx context.Context, now time.Time, after time.Duration) ([]training.Round, error)
	OpenPeriodicRound(ctx context.Context, templateCode string, now time.Time) (training.Round, bool, error)
	Invitations(ctx context.Context, now time.Time) ([]training.Planned, error)
	DueNudges(ctx context.Context, now time.Time, maxNudges int, spacing time.Duration) ([]training.Planned, error)
	CloseExpiredRounds(ctx context.Context, now time.Time) ([]int64, error)
	Rounds(ctx context.Context, sessionID int64) ([]training.Round, error)
	RoundReport(ctx context.Context, roundID int64) (training.RoundReport, error)
	GetSession(ctx context.Context, id int64) (training.Session, error)
	Summaries(ctx context.Context, trainingID int64) ([]training.RoundReport, error)
	JPReport(ctx context.Context, year int, unit string, target float64, now time.Time) (training.JPReport, error)
	JPReminders(ctx context.Context, now time.Time, target float64) ([]training.Planned, error)
}

var _ TrainingPlanner = (*training.Store)(nil)

// Enqueuer records messages in the outbox and says how many were new;
// a function around outbox.Enqueue on the hub's database fits.
type Enqueuer func(ctx context.Context, msgs ...outbox.Message) (int, error)

// The defaults of Training.
const (
	// DefaultFrequentSpec plans reminders and survey messages every minute.
	DefaultFrequentSpec = "* * * * *"
	// DefaultCompetencySpec opens the digital competency self-assessment
	// at 09:00 WIB on 2 January, April, July and October (the 1st of
	// January is a holiday).
	DefaultCompetencySpec = "0 9 2 1,4,7,10 *"
	// DefaultDigestSpec sends the officers' digest on Mondays at 08:00 WIB.
	DefaultDigestSpec = "0 8 * * 1"
	// DefaultSurveyDelay is how long after a session ends its survey opens.
	DefaultSurveyDelay = 2 * time.Hour
	// DefaultNudges is how many reminders a non-respondent gets at most.
	DefaultNudges = 2
	// DefaultNudgeSpacing is the time between the invitation and the first
	// nudge, and between nudges.
	DefaultNudgeSpacing = 3 * 24 * time.Hour
	// DefaultFollowUpAfter is when the application follow-up opens after a
	// session ends.
	DefaultFollowUpAfter = 90 * 24 * time.Hour
	// DefaultLowScore is the mean (1–5) under which the digest lists a
	// round as low-scoring.
	DefaultLowScore = 3.5
	// DefaultJPSpec tells the ASN behind their yearly JP at 09:00 WIB on
	// the 1st of March, June, September and December: each quarter's last
	// month, with time left to catch up.
	DefaultJPSpec = "0 9 1 3,6,9,12 *"
)

// Training are the dependencies and settings of the ASN-development jobs.
// Zero settings take their defaults; Nudges < 0 turns nudges off.
type Training struct {
	Store   TrainingPlanner
	Enqueue Enqueuer
	// Wake, when set, is called after messages were enqueued so that the
	// dispatcher sends them at once (outbox.Dispatcher.Wake).
	Wake func()
	// Offsets are the reminder moments before a session
	// (HUB_REMINDER_OFFSETS; default training.DefaultReminderOffsets).
	Offsets []time.Duration
	// LookAhead plans reminders whose moment falls this far after the run,
	// at their exact moment. The hub runs the job every minute and needs
	// none; a rehearsal stepping by 15 minutes sets it to the step, so that
	// a reminder 5 minutes before a session is not stepped over.
	LookAhead time.Duration
	// SurveyDelay is HUB_SURVEY_DELAY.
	SurveyDelay time.Duration
	// Nudges and NudgeSpacing are HUB_SURVEY_NUDGES and
	// HUB_SURVEY_NUDGE_SPACING.
	Nudges       int
	NudgeSpacing time.Duration
	// FollowUpAfter is HUB_FOLLOWUP_AFTER.
	FollowUpAfter time.Duration
	// FrequentSpec runs the reminder and survey jobs (HUB_FREQUENT_CRON).
	FrequentSpec string
	// CompetencySpec runs the periodic competency survey
	// (HUB_COMPETENCY_CRON).
	CompetencySpec string
	// DigestSpec and DigestTo: the weekly digest goes to this chat
	// (HUB_DIGEST_CRON, HUB_OFFICERS_TELEGRAM_CHAT); no digest job without
	// a DigestTo.ChatID.
	DigestSpec string
	DigestTo   bots.Outgoing
	// LowScore is the digest's low-score threshold (default 3.5).
	LowScore float64
	// JPTarget is the JP every ASN is owed a year (HUB_JP_TARGET, default
	// training.DefaultJPTarget); JPSpec runs the reminders to those behind
	// (HUB_JP_CRON).
	JPTarget float64
	JPSpec   string
	// InForce, when set, gives the reminder offsets and the JP target in
	// force at each run (the admin's settings, which change while the hub
	// runs); it overrides Offsets and JPTarget.
	InForce func() (offsets []time.Duration, jpTarget float64)
	// DigestNotes, when set, gives paragraphs the digest ends with at now
	// (the settings' reminder that next year's holidays are missing);
	// empty ones are left out.
	DigestNotes func(now time.Time) []string
	// Logger receives counts, never names, NIPs or texts.
	Logger *slog.Logger
}

// The names of the ASN-development jobs.
const (
	JobReminders   = "training-reminders"
	JobSurveys     = "post-training-surveys"
	JobNudges      = "survey-nudges"
	JobCloseRounds = "survey-close"
	JobFollowUps   = "training-follow-ups"
	JobCompetency  = "competency-survey"
	JobDigest      = "officers-digest"
	JobJP          = "jp-reminders"
)

func (t Training) withDefaults() Training {
	if t.SurveyDelay <= 0 {
		t.SurveyDelay = DefaultSurveyDelay
	}
	if t.Nudges == 0 {
		t.Nudges = DefaultNudges
	}
	if t.NudgeSpacing <= 0 {
		t.NudgeSpacing = DefaultNudgeSpacing
	}
	if t.FollowUpAfter <= 0 {
		t.FollowUpAfter = DefaultFollowUpAfter
	}
	if t.FrequentSpec == "" {
		t.FrequentSpec = DefaultFrequentSpec
	}
	if t.CompetencySpec == "" {
		t.CompetencySpec = DefaultCompetencySpec
	}
	if t.DigestSpec == "" {
		t.DigestSpec = DefaultDigestSpec
	}
	if t.LowScore <= 0 {
		t.LowScore = DefaultLowScore
	}
	if t.JPTarget <= 0 {
		t.JPTarget = training.DefaultJPTarget
	}
	if t.JPSpec == "" {
		t.JPSpec = DefaultJPSpec
	}
	if t.Logger == nil {
		t.Logger = slog.Default()
	}
	return t
}

// inForce is t with the offsets and JP target in force now.
func (t Training) inForce() Training {
	if t.InForce != nil {
		t.Offsets, t.JPTarget = t.InForce()
		if t.JPTarget <= 0 {
			t.JPTarget = training.DefaultJPTarget
		}
	}
	return t
}

// TrainingJobs returns the ASN-development jobs, in the order a tick runs
// them: reminders, post-training surveys, nudges, closing, follow-ups,
// the competency survey, the JP reminders and (with a DigestTo chat) the
// officers' digest.
func TrainingJobs(deps Training) []Job {
	d := deps.withDefaults()
	job := func(name, spec string, fn func(context.Context, Training, time.Time) error) Job {
		return Job{Name: name, Spec: spec, Run: func(ctx context.Context, now time.Time) error { return fn(ctx, d.inForce(), now) }}
	}
	jobs := []Job{
		job(JobReminders, d.FrequentSpec, SendDueReminders),
		job(JobSurveys, d.FrequentSpec, OpenPostTrainingSurveys),
		job(JobNudges, d.FrequentSpec, NudgeNonRespondents),
		job(JobCloseRounds, d.FrequentSpec, CloseSurveyRounds),
		job(JobFollowUps, d.FrequentSpec, OpenFollowUpSurveys),
		job(JobCompetency, d.CompetencySpec, OpenCompetencySurvey),
		job(JobJP, d.JPSpec, SendJPReminders),
	}
	if d.DigestTo.ChatID != "" {
		jobs = append(jobs, job(JobDigest, d.DigestSpec, SendDigest))
	}
	return jobs
}

// enqueue writes planned messages to the outbox and wakes the dispatcher
// when any was new.
func (t Training) enqueue(ctx context.Context, job string, ps []training.Planned) error {
	if len(ps) == 0 {
		return nil
	}
	if t.Enqueue == nil {
		return errors.New("scheduler: Training.Enqueue is required")
	}
	n, err := t.Enqueue(ctx, training.OutboxMessages(ps)...)
	if err != nil {
		return fmt.Errorf("scheduler: %s: %w", job, err)
	}
	if n > 0 {
		t.Logger.Info("scheduler: messages enqueued", "job", job, "new", n, "planned", len(ps))
		if t.Wake != nil {
			t.Wake()
		}
	}
	return nil
}

// SendDueReminders enqueues the reminders due at now. Keys are
// deterministic, so running it again (or on two replicas) sends nothing
// twice; a reminder whose moment passed while the hub was down is still
// enqueued as long as its session has not started (ExpiresAt is the start,
// so the dispatcher skips it afterwards).
func SendDueReminders(ctx context.Context, deps Training, now time.Time) error {
	ps, err := deps.Store.DueReminders(ctx, now, deps.Offsets, deps.LookAhead)
	if err != nil {
		return err
	}
	return deps.enqueue(ctx, JobReminders, ps)
}

// OpenPostTrainingSurveys opens the post-training survey of every session
// that ended SurveyDelay ago, invites to the open rounds those who qualify
// only now (attendance recorded late, a chat account linked late), and
// enqueues the invitations of every open round (those already in the outbox are not enqueued again, so an
// invitation lost to a crash between the two steps goes out next time).
func OpenPostTrainingSurveys(ctx context.Context, deps Training, now time.Time) error {
	rounds, err := deps.Store.OpenPostTrainingRounds(ctx, now, deps.SurveyDelay)
	if err != nil {
		return err
	}
	if len(rounds) > 0 {
		deps.Logger.Info("scheduler: post-training survey rounds opened", "rounds", len(rounds))
	}
	late, err := deps.Store.InviteLateComers(ctx, now)
	if err != nil {
		return err
	}
	if late > 0 {
		deps.Logger.Info("scheduler: late comers invited to open survey rounds", "invitations", late)
	}
	return sendInvitations(ctx, deps, JobSurveys, now)
}

func sendInvitations(ctx context.Context, deps Training, job string, now time.Time) error {
	ps, err := deps.Store.Invitations(ctx, now)
	if err != nil {
		return err
	}
	return deps.enqueue(ctx, job, ps)
}

// NudgeNonRespondents enqueues the due nudges: at most Nudges per person
// and round, NudgeSpacing apart, counted from the invitation.
func NudgeNonRespondents(ctx context.Context, deps Training, now time.Time) error {
	if deps.Nudges < 0 {
		return nil
	}
	ps, err := deps.Store.DueNudges(ctx, now, deps.Nudges, deps.NudgeSpacing)
	if err != nil {
		return err
	}
	return deps.enqueue(ctx, JobNudges, ps)
}

// CloseSurveyRounds closes the rounds whose time is up (a round stays open
// for HUB_SURVEY_ROUND_DAYS, training.Options.RoundDuration).
func CloseSurveyRounds(ctx context.Context, deps Training, now time.Time) error {
	ids, err := deps.Store.CloseExpiredRounds(ctx, now)
	if err != nil {
		return err
	}
	if len(ids) > 0 {
		deps.Logger.Info("scheduler: survey rounds closed", "rounds", len(ids))
	}
	return nil
}

// OpenFollowUpSurveys opens the application follow-up of every session
// that ended FollowUpAfter ago and enqueues its invitations.
func OpenFollowUpSurveys(ctx context.Context, deps Training, now time.Time) error {
	rounds, err := deps.Store.OpenFollowUps(ctx, now, deps.FollowUpAfter)
	if err != nil {
		return err
	}
	if len(rounds) == 0 {
		return nil
	}
	deps.Logger.Info("scheduler: follow-up survey rounds opened", "rounds", len(rounds))
	return sendInvitations(ctx, deps, JobFollowUps, now)
}

// OpenCompetencySurvey opens a round of the digital competency
// self-assessment for every reachable ASN (at most one a day) and
// enqueues its invitations.
func OpenCompetencySurvey(ctx context.Context, deps Training, now time.Time) error {
	_, opened, err := deps.Store.OpenPeriodicRound(ctx, training.TemplateCompetency, now)
	if err != nil {
		return err
	}
	if !opened {
		return nil
	}
	deps.Logger.Info("scheduler: competency survey round opened")
	return sendInvitations(ctx, deps, JobCompetency, now)
}

// SendJPReminders tells each linked ASN behind the year's JP target their
// count, once per run month, with the sessions ahead they could take.
func SendJPReminders(ctx context.Context, deps Training, now time.Time) error {
	ps, err := deps.Store.JPReminders(ctx, now, deps.JPTarget)
	if err != nil {
		return err
	}
	return deps.enqueue(ctx, JobJP, ps)
}

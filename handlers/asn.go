package handlers

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/knowledge"
	"github.com/tebingtinggi/hub/knowledge/textid"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/training"
)

// TrainingStore is what the ASN flows need of the training domain;
// *training.Store implements it.
type TrainingStore interface {
	Redeem(ctx context.Context, tx *sqlx.Tx, code string, platform bots.Platform, chatID, userID string, now time.Time) (training.ASN, error)
	LinkFor(ctx context.Context, q storage.Querier, platform bots.Platform, userID string) (training.Link, error)
	Pause(ctx context.Context, q storage.Querier, platform bots.Platform, userID string) error
	Resume(ctx context.Context, q storage.Querier, platform bots.Platform, userID string) error
	Unlink(ctx context.Context, q storage.Querier, platform bots.Platform, userID string) error
	Erase(ctx context.Context, tx *sqlx.Tx, platform bots.Platform, userID string) error
	RecordRSVP(ctx context.Context, tx *sqlx.Tx, enrolmentID int64, nip string, yes bool, reason string, now time.Time) (training.Session, error)
	Start(ctx context.Context, tx *sqlx.Tx, roundID int64, nip string, now time.Time) (training.Step, error)
	Next(ctx context.Context, tx *sqlx.Tx, roundID int64, nip string, now time.Time) (training.Step, error)
	Answer(ctx context.Context, tx *sqlx.Tx, roundID int64, nip, questionID, value string, now time.Time) (training.Step, error)
	AnswerText(ctx context.Context, tx *sqlx.Tx, roundID int64, nip, text string, now time.Time) (training.Step, error)
	ActiveSurvey(ctx context.Context, q storage.Querier, nip string, now time.Time, idle time.Duration) (roundID int64, ok bool, err error)
	ChooseChannel(ctx context.Context, tx *sqlx.Tx, from bots.Platform, userID string, platform bots.Platform, now time.Time) error
	Channel(ctx context.Context, q storage.Querier, nip string) (training.Link, error)
	RSVPTargets(ctx context.Context, q storage.Querier, nip string, now time.Time) (open []training.PendingRSVP, started bool, err error)
	Links(ctx context.Context, q storage.Querier, nip string) ([]training.Link, error)
}

var _ TrainingStore = (*training.Store)(nil)

// Button data prefixes of the ASN flows. The RSVP and survey buttons are
// built by the training package (reminders and invitations go out from
// the scheduler); the others are this file's own.
const (
	dataRSVP       = "rsvp:"      // rsvp:<enrolment>:y|n (training.ParseRSVPButton)
	dataRSVPSkip   = "rsvp-skip:" // rsvp-skip:<enrolment>: no reason for "Berhalangan"
	dataSurvey     = "sv:"        // sv:<round>:start | sv:<round>:<question>:<value> (training.ParseSurveyButton)
	dataUnlink     = "putus:"     // putus:ya | putus:batal: /putus confirmation
	dataUnlinkYes  = dataUnlink + "ya"
	dataUnlinkStop = dataUnlink + "batal"
)

// Conversation state of the ASN flows, in State.Awaiting and State.Data.
const (
	// AwaitRSVPReason marks, in State.Awaiting, that the next text is the
	// reason for "Berhalangan".
	AwaitRSVPReason = "rsvp_reason"

	keyRSVP     = "asn_rsvp"    // the enrolment whose reason is awaited
	keyRSVPAt   = "asn_rsvp_at" // when it was asked (Unix seconds)
	keySurvey   = "asn_sv"      // the survey round being answered in this chat
	keySurveyAt = "asn_sv_at"   // the last survey step in this chat (Unix seconds)
	keyUnlink   = "asn_putus"   // the /putus confirmation is pending
	flagPending = "1"           // value of keyUnlink
	routeASN    = "asn"         // decision prefix in logs and metrics
)

// DefaultIdle is how long a pending survey question or "Berhalangan"
// reason waits for typed text by default.
const DefaultIdle = time.Hour

// linkCodeRE matches a link code as the training package issues it (8
// characters without the look-alikes 0/O and 1/I), after
// training.NormalizeLinkCode.
var linkCodeRE = regexp.MustCompile(`^[A-HJ-NP-Z2-9]{` + strconv.Itoa(training.LinkCodeLength) + `}$`)

// IsLinkCode reports whether a /start payload is an ASN link code, so
// that the Telegram deep link https://t.me/<bot>?start=<code> links the
// account.
func IsLinkCode(payload string) bool {
	return linkCodeRE.MatchString(training.NormalizeLinkCode(payload))
}

// ASN holds the civil servants' flows: linking a chat account with a
// one-time code (/start <code> deep link, /daftar <code>), /berhenti and
// /lanjut for reminders, /putus to unlink, the Hadir/Berhalangan buttons of
// training reminders (with a short reason for Berhalangan) and evaluation
// surveys answered inside the chat. Everything else a linked ASN writes is
// an ordinary question and goes to the citizens' flows. Set the fields,
// then call Register after Citizen.Register.
type ASN struct {
	Training TrainingStore
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Idle is how long a survey question or a "Berhalangan" reason waits
	// for typed text (default DefaultIdle). Later, typed text is an
	// ordinary question again, so that a survey left half-way does not
	// swallow the person's questions for days; pressing "Lanjutkan survei"
	// brings the survey back.
	Idle time.Duration
}

func (a *ASN) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

func (a *ASN) idle() time.Duration {
	if a.Idle > 0 {
		return a.Idle
	}
	return DefaultIdle
}

// Register adds the ASN commands and button routes to m, the link-code
// deep link to c's /start, and puts the ASN's typed-text handling (survey
// answers, RSVP reasons) in front of m's default handler. Call it after
// c.Register, whose default handler it wraps.
func (a *ASN) Register(m *Mux, c *Citizen) error {
	if a.Training == nil {
		return errors.New("handlers: ASN.Training is required")
	}
	if c != nil {
		if m.fallback == nil {
			return errors.New("handlers: register the ASN flows after the citizens' flows, whose default handler they wrap")
		}
		if err := c.OnStartMatch("asn-link-code", IsLinkCode, HandlerFunc(a.startLink)); err != nil {
			return err
		}
		// /hapusdata also erases what the ASN typed (reasons, survey text,
		// an unfinished anonymous response) and removes the chat
		// account's link to the ASN record (the record itself is the
		// staff list's, not the chat's).
		c.OnForget(a.Training.Erase)
	}
	err := m.Routes(
		Route{Command: "daftar", Handler: a.daftar},
		Route{Command: "berhenti", Handler: a.pause},
		Route{Command: "lanjut", Handler: a.resume},
		Route{Command: "putus", Handler: a.unlinkAsk},
		Route{Command: "kanal", Handler: a.channel},
		Route{Prefix: dataRSVPSkip, Handler: a.rsvpSkip},
		Route{Prefix: dataRSVP, Handler: a.rsvp},
		Route{Prefix: dataSurvey, Handler: a.surveyPress},
		Route{Prefix: dataUnlink, Handler: a.unlinkConfirm},
	)
	if err != nil {
		return err
	}
	m.Default(a.typed(m.fallback))
	return nil
}

// refusal turns an error of the training package into the polite reply
// it stands for; other errors are returned for the Router to retry.
func refusal(err error) ([]bots.Outgoing, error) {
	if msg, ok := training.UserMessage(err); ok {
		return reply(msg), nil
	}
	if errors.Is(err, training.ErrNotFound) {
		return reply(textExpired), nil
	}
	return nil, err
}

// refusalGone is refusal, with gone the reply when what a button or typed
// answer acts on no longer exists (training.ErrNotFound): an enrolment
// taken off a session, a survey round taken back.
func refusalGone(err error, gone string) ([]bots.Outgoing, error) {
	if errors.Is(err, training.ErrNotFound) {
		return reply(gone), nil
	}
	return refusal(err)
}

func platformName(p bots.Platform) string {
	switch p {
	case bots.Telegram:
		return "Telegram"
	case bots.Slack:
		return "Slack"
	case bots.Console:
		return "konsol"
	}
	return string(p)
}

// person returns the NIP linked to the presser's account; refusal is the
// reply to send when there is none: how to link in a private chat (the
// person's own, so they unlinked or never linked), "not for you" elsewhere.
func (a *ASN) person(ctx context.Context, in *Update) (nip string, refused []bots.Outgoing, err error) {
	if in.UserID == "" {
		return "", reply(textNotYours), nil
	}
	l, err := a.Training.LinkFor(ctx, in.Tx, in.Platform, in.UserID)
	switch {
	case errors.Is(err, training.ErrNotLinked) && in.ChatType == bots.Private:
		out, _ := refusal(err)
		return "", out, nil
	case errors.Is(err, training.ErrNotLinked):
		return "", reply(textNotYours), nil
	case err != nil:
		return "", nil, err
	}
	return l.NIP, nil, nil
}

// Linking.

func (a *ASN) startLink(ctx context.Context, in *Update) ([]bots.Outgoing, error) {
	return a.link(ctx, in, in.Args)
}

func (a *ASN) daftar(ctx context.Context, in *Update) ([]bots.Outgoing, error) {
	if !speaks(in.Incoming) {
		return nil, nil
	}
	code := strings.TrimSpace(in.Args)
	if code == "" {
		return reply(textLinkHowTo), nil
	}
	return a.link(ctx, in, code)
}

func (a *ASN) link(ctx context.Context, in *Update, code string) ([]bots.Outgoing, error) {
	if !speaks(in.Incoming) || in.UserID == "" {
		return nil, nil
	}
	if in.ChatType != bots.Private {
		// Reminders go to the chat the code was redeemed in: never a group.
		return reply(textPrivateOnly), nil
	}
	person, err := a.Training.Redeem(ctx, in.Tx, code, in.Platform, in.ChatID, in.UserID, a.now())
	if err != nil {
		in.decision = routeASN + "_link_refused"
		return refusal(err)
	}
	in.decision = routeASN + "_linked"
	if sess := in.Session; sess != nil {
		clearASNState(sess)
	}
	l, err := a.Training.LinkFor(ctx, in.Tx, in.Platform, in.UserID)
	if err != nil {
		return nil, err
	}
	text := fmt.Sprintf(textLinked, person.Name, platformName(in.Platform))
	if l.Paused {
		text += "\n\n" + textLinkedPaused
	}
	return reply(text), nil
}

// Pause, resume, unlink.

func (a *ASN) pause(ctx context.Context, in *Update) ([]bots.Outgoing, error) {
	if !speaks(in.Incoming) || in.UserID == "" {
		return nil, nil
	}
	if err := a.Training.Pause(ctx, in.Tx, in.Platform, in.UserID); err != nil {
		return refusal(err)
	}
	in.decision = routeASN + "_paused"
	return reply(textPaused), nil
}

func (a *ASN) resume(ctx context.Context, in *Update) ([]bots.Outgoing, error) {
	if !speaks(in.Incoming) || in.UserID == "" {
		return nil, nil
	}
	if err := a.Training.Resume(ctx, in.Tx, in.Platform, in.UserID); err != nil {
		return refusal(err)
	}
	in.decision = routeASN + "_resumed"
	return reply(textResumed), nil
}

// channel answers /kanal: which platform the person's reminders and
// surveys go to, or, with "telegram" or "slack", makes that one theirs.
func (a *ASN) channel(ctx context.Context, in *Update) ([]bots.Outgoing, error) {
	if !speaks(in.Incoming) || in.UserID == "" {
		return nil, nil
	}
	switch want := bots.Platform(strings.ToLower(strings.TrimSpace(in.Args))); want {
	case "":
		nip, refused, err := a.person(ctx, in)
		if err != nil || refused != nil {
			return refused, err
		}
		l, err := a.Training.Channel(ctx, in.Tx, nip)
		if errors.Is(err, training.ErrNotLinked) {
			return reply(textChannelNone), nil
		}
		if err != nil {
			return nil, err
		}
		return reply(fmt.Sprintf(textChannelIs, platformName(l.Platform))), nil
	case bots.Telegram, bots.Slack:
		if err := a.Training.ChooseChannel(ctx, in.Tx, in.Platform, in.UserID, want, a.now()); err != nil {
			return refusal(err)
		}
		in.decision = routeASN + "_channel_" + string(want)
		return reply(fmt.Sprintf(textChannelChosen, platformName(want))), nil
	default:
		return reply(textChannelHowTo), nil
	}
}

func (a *ASN) unlinkAsk(ctx context.Context, in *Update) ([]bots.Outgoing, error) {
	if !speaks(in.Incoming) || in.UserID == "" {
		return nil, nil
	}
	if _, err := a.Training.LinkFor(ctx, in.Tx, in.Platform, in.UserID); err != nil {
		return refusal(err)
	}
	if sess := in.Session; sess != nil {
		setData(sess, keyUnlink, flagPending)
	}
	return reply(textUnlinkAsk, []bots.Button{
		{Text: btnUnlinkConfirm, Data: dataUnlinkYes},
		{Text: btnUnlinkCancel, Data: dataUnlinkStop},
	}), nil
}

func (a *ASN) unlinkConfirm(ctx context.Context, in *Update) ([]bots.Outgoing, error) {
	sess := in.Session
	if sess == nil || sess.State.Data[keyUnlink] != flagPending {
		return reply(textExpired), nil
	}
	delData(sess, keyUnlink)
	switch in.Data {
	case dataUnlinkStop:
		return reply(textUnlinkCancelled), nil
	case dataUnlinkYes:
	default:
		return reply(textExpired), nil
	}
	if err := a.Training.Unlink(ctx, in.Tx, in.Platform, in.UserID); err != nil {
		return refusal(err)
	}
	clearASNState(sess)
	in.decision = routeASN + "_unlinked"
	return reply(textUnlinked), nil
}

// RSVP.

func (a *ASN) rsvp(ctx context.Context, in *Update) ([]bots.Outgoing, error) {
	enrolment, yes, ok := training.ParseRSVPButton(in.Data)
	if !ok {
		return reply(textExpired), nil
	}
	nip, refused, err := a.person(ctx, in)
	if err != nil || refused != nil {
		return refused, err
	}
	return a.answerRSVP(ctx, in, nip, enrolment, yes)
}

// answerRSVP records Hadir or Berhalangan for an enrolment of nip, pressed
// or typed, and confirms it with a button that changes the answer again
// (the session has not started: RecordRSVP refuses otherwise).
func (a *ASN) answerRSVP(ctx context.Context, in *Update, nip string, enrolment int64, yes bool) ([]bots.Outgoing, error) {
	now := a.now()
	sess, err := a.Training.RecordRSVP(ctx, in.Tx, enrolment, nip, yes, "", now)
	if err != nil {
		return refusalGone(err, textRSVPGone)
	}
	st := in.Session
	if yes {
		in.decision = routeASN + "_rsvp_yes"
		if st != nil && st.State.Data[keyRSVP] == strconv.FormatInt(enrolment, 10) {
			clearReason(st)
		}
		return reply(training.RSVPConfirmation(sess, true, false), []bots.Button{training.ChangeRSVPButton(enrolment, false)}), nil
	}
	in.decision = routeASN + "_rsvp_no"
	if st == nil || in.ChatType != bots.Private {
		// The reason is typed in a private chat only; "Berhalangan" is
		// recorded either way.
		return reply(textReasonSkipped, []bots.Button{training.ChangeRSVPButton(enrolment, true)}), nil
	}
	st.State.Awaiting = AwaitRSVPReason
	setData(st, keyRSVP, strconv.FormatInt(enrolment, 10))
	setData(st, keyRSVPAt, strconv.FormatInt(now.Unix(), 10))
	return reply(training.RSVPConfirmation(sess, false, false),
		[]bots.Button{{Text: btnSkip, Data: dataRSVPSkip + strconv.FormatInt(enrolment, 10)}, training.ChangeRSVPButton(enrolment, true)}), nil
}

// typedRSVP answers "hadir", "bisa hadir", "tidak bisa" and the like: for
// the ASN's one session awaiting an answer it records the RSVP as the
// buttons do; with several it asks which one; with none, or once the
// session has started, it says so politely and records nothing. ok is
// false when the text is no RSVP.
func (a *ASN) typedRSVP(ctx context.Context, in *Update, text string) (out []bots.Outgoing, ok bool, err error) {
	yes, ok := training.ParseRSVPWords(text)
	if !ok {
		return nil, false, nil
	}
	l, err := a.Training.LinkFor(ctx, in.Tx, in.Platform, in.UserID)
	if errors.Is(err, training.ErrNotLinked) {
		in.decision = routeASN + "_rsvp_none"
		return reply(textRSVPNothing), true, nil
	}
	if err != nil {
		return nil, true, err
	}
	open, started, err := a.Training.RSVPTargets(ctx, in.Tx, l.NIP, a.now())
	switch {
	case err != nil:
		return nil, true, err
	case len(open) == 1:
		out, err := a.answerRSVP(ctx, in, l.NIP, open[0].EnrolmentID, yes)
		return out, true, err
	case started:
		in.decision = routeASN + "_rsvp_closed"
		out, err := refusal(training.ErrSessionClosed)
		return out, true, err
	case len(open) == 0:
		in.decision = routeASN + "_rsvp_none"
		return reply(textRSVPNothing), true, nil
	}
	in.decision = routeASN + "_rsvp_which"
	var list strings.Builder
	rows := make([][]bots.Button, 0, len(open))
	for i, p := range open {
		fmt.Fprintf(&list, "%d. %s, %s", i+1, p.Session.Title, training.FormatWIB(p.Session.Start))
		if i < len(open)-1 {
			list.WriteByte('\n')
		}
		b := training.ChangeRSVPButton(p.EnrolmentID, yes)
		b.Text = fmt.Sprintf("%d. Berhalangan", i+1)
		if yes {
			b.Text = fmt.Sprintf("%d. Hadir", i+1)
		}
		rows = append(rows, []bots.Button{b})
	}
	return reply(fmt.Sprintf(textRSVPWhich, list.String()), rows...), true, nil
}

func (a *ASN) rsvpSkip(ctx context.Context, in *Update) ([]bots.Outgoing, error) {
	st := in.Session
	if st == nil || st.State.Awaiting != AwaitRSVPReason || in.Data != dataRSVPSkip+st.State.Data[keyRSVP] {
		return reply(textExpired), nil
	}
	return skipReason(st), nil
}

// skipReason stops waiting for the "Berhalangan" reason: "Berhalangan"
// stays recorded without one.
func skipReason(st *Session) []bots.Outgoing {
	enrolment, _ := strconv.ParseInt(st.State.Data[keyRSVP], 10, 64)
	clearReason(st)
	return reply(textReasonSkipped, []bots.Button{training.ChangeRSVPButton(enrolment, true)})
}

// askReasonAgain answers text typed where the "Berhalangan" reason is
// awaited that is not a reason: with text (who to turn to, for a request
// for a person; which was meant, for "tidak jadi"), the Lewati and
// "Ternyata bisa hadir" buttons, and the wait for the reason starting
// anew.
func (a *ASN) askReasonAgain(in *Update, st *Session, now time.Time, decision, text string) []bots.Outgoing {
	in.decision = routeASN + decision
	enrolment := st.State.Data[keyRSVP]
	id, _ := strconv.ParseInt(enrolment, 10, 64)
	setData(st, keyRSVPAt, strconv.FormatInt(now.Unix(), 10))
	return reply(text, []bots.Button{{Text: btnSkip, Data: dataRSVPSkip + enrolment}, training.ChangeRSVPButton(id, true)})
}

// saveReason records the typed reason for "Berhalangan". A reason too
// long to keep is refused, and the reason is awaited again.
func (a *ASN) saveReason(ctx context.Context, in *Update, st *Session, text string) ([]bots.Outgoing, error) {
	enrolment, _ := strconv.ParseInt(st.State.Data[keyRSVP], 10, 64)
	nip, refused, err := a.person(ctx, in)
	if err != nil || refused != nil {
		clearReason(st)
		return refused, err
	}
	sess, err := a.Training.RecordRSVP(ctx, in.Tx, enrolment, nip, false, text, a.now())
	if tl := (*training.TooLongError)(nil); errors.As(err, &tl) {
		return a.askReasonAgain(in, st, a.now(), "_rsvp_reason_too_long", tl.Hint()), nil
	}
	clearReason(st)
	if err != nil {
		return refusalGone(err, textRSVPGone)
	}
	in.decision = routeASN + "_rsvp_reason"
	return reply(training.RSVPConfirmation(sess, false, true), []bots.Button{training.ChangeRSVPButton(enrolment, true)}), nil
}

// changeToYes records Hadir for the enrolment whose Berhalangan reason was
// awaited.
func (a *ASN) changeToYes(ctx context.Context, in *Update, st *Session) ([]bots.Outgoing, error) {
	enrolment, _ := strconv.ParseInt(st.State.Data[keyRSVP], 10, 64)
	clearReason(st)
	nip, refused, err := a.person(ctx, in)
	if err != nil || refused != nil {
		return refused, err
	}
	return a.answerRSVP(ctx, in, nip, enrolment, true)
}

// Surveys.

func (a *ASN) surveyPress(ctx context.Context, in *Update) ([]bots.Outgoing, error) {
	p, ok := training.ParseSurveyButton(in.Data)
	if !ok {
		return reply(textExpired), nil
	}
	nip, refused, err := a.person(ctx, in)
	if err != nil || refused != nil {
		return refused, err
	}
	var step training.Step
	if p.Start {
		step, err = a.Training.Start(ctx, in.Tx, p.RoundID, nip, a.now())
	} else {
		step, err = a.Training.Answer(ctx, in.Tx, p.RoundID, nip, p.QuestionID, p.Value, a.now())
	}
	st := in.Session
	if err != nil {
		if st != nil && st.State.Data[keySurvey] == strconv.FormatInt(p.RoundID, 10) && !errors.Is(err, training.ErrInvalidAnswer) {
			clearSurvey(st)
		}
		return refusalGone(err, textSurveyGone)
	}
	return a.surveyStep(in, st, p.RoundID, step), nil
}

// surveyStep replies with the next question (remembering that the survey
// is being answered in this chat) or the thanks.
func (a *ASN) surveyStep(in *Update, st *Session, roundID int64, step training.Step) []bots.Outgoing {
	if step.Done {
		in.decision = routeASN + "_survey_done"
		if st != nil {
			clearSurvey(st)
		}
	} else {
		in.decision = routeASN + "_survey_step"
		if st != nil {
			setData(st, keySurvey, strconv.FormatInt(roundID, 10))
			setData(st, keySurveyAt, strconv.FormatInt(a.now().Unix(), 10))
		}
	}
	return []bots.Outgoing{step.Out}
}

// typed puts the ASN's typed input in front of next, the citizens' default
// handler: the reason awaited after "Berhalangan", and answers to a survey
// in progress. Everything else — any text of a person who is not linked,
// and a linked ASN's ordinary questions — goes on to next.
func (a *ASN) typed(next Handler) Handler {
	pass := func(ctx context.Context, in *Update) ([]bots.Outgoing, error) {
		if next == nil {
			return nil, nil
		}
		return next.Handle(ctx, in)
	}
	return HandlerFunc(func(ctx context.Context, in *Update) ([]bots.Outgoing, error) {
		if in.Kind != bots.Text || in.Command != "" || in.ChatType != bots.Private || in.UserID == "" || in.ChatID == "" {
			return pass(ctx, in)
		}
		// However long the text, a reason or survey answer awaited is
		// refused as too long to keep (training.TooLongError), not taken
		// for a question too long to read.
		text := strings.TrimSpace(in.Text)
		if text == "" {
			return pass(ctx, in)
		}
		st := in.Session
		if st != nil && (st.State.Awaiting == AwaitComment || st.State.Awaiting == AwaitQuestion) {
			return pass(ctx, in) // a rating comment or a question for the help desk
		}
		now := a.now()
		if st != nil && st.State.Awaiting == AwaitRSVPReason {
			if yes, ok := training.ParseRSVPWords(text); ok && yes || a.fresh(st, keyRSVPAt, now) {
				return a.reasonTyped(ctx, in, st, text, now)
			}
			clearReason(st)
		}
		w, ok, err := a.awaitedFor(ctx, in, st, now)
		if err != nil {
			return nil, err
		}
		if !ok {
			if out, ok, err := a.typedRSVP(ctx, in, text); ok || err != nil {
				return out, err
			}
			return pass(ctx, in)
		}
		if w.reason != nil {
			// Asked for in the person's chat on another platform: the
			// reason is awaited here now, as if asked here, and no
			// longer there.
			st.State.Awaiting = AwaitRSVPReason
			setData(st, keyRSVP, w.reason.State.Data[keyRSVP])
			setData(st, keyRSVPAt, w.reason.State.Data[keyRSVPAt])
			clearReason(w.reason)
			if err := w.reason.save(ctx, in.Tx, now); err != nil {
				return nil, err
			}
			return a.reasonTyped(ctx, in, st, text, now)
		}
		nip, roundID := w.nip, w.roundID
		switch words := textid.Normalize(text); {
		case asksPersonMidFlow(text):
			in.decision = routeASN + "_survey_person"
			return a.repeatQuestion(ctx, in, st, roundID, nip, textSurveyPerson)
		case stopWords[words]:
			in.decision = routeASN + "_survey_paused"
			pauseSurvey(st, roundID)
			return reply(textSurveyPaused, []bots.Button{{Text: btnResumeSurvey, Data: training.StartButtonData(roundID)}}), nil
		case skipWords[words]:
			return a.skipQuestion(ctx, in, st, roundID, nip)
		}
		step, err := a.Training.AnswerText(ctx, in.Tx, roundID, nip, text, now)
		var nb *training.NeedButtonError
		var tl *training.TooLongError
		switch {
		case errors.As(err, &nb):
			in.decision = routeASN + "_survey_need_button"
			return a.repeatQuestion(ctx, in, st, roundID, nip, nb.Hint)
		case errors.As(err, &tl):
			in.decision = routeASN + "_survey_too_long"
			return a.repeatQuestion(ctx, in, st, roundID, nip, tl.Hint())
		case errors.Is(err, training.ErrAlreadyDone):
			// Completed on the person's other platform meanwhile (here,
			// the thanks cleared the mark): the text answers nothing and
			// is an ordinary question.
			if st != nil {
				clearSurvey(st)
			}
			return pass(ctx, in)
		case err != nil:
			if st != nil {
				clearSurvey(st)
			}
			return refusalGone(err, textSurveyGone)
		}
		return a.surveyStep(in, st, roundID, step), nil
	})
}

// reasonTyped answers text typed where the "Berhalangan" reason is
// awaited (within the idle time, but for a change of mind): "ternyata
// bisa hadir" records Hadir instead, a request for a person, "gak jadi"
// and "lewati" are answered as such, and anything else is the reason.
func (a *ASN) reasonTyped(ctx context.Context, in *Update, st *Session, text string, now time.Time) ([]bots.Outgoing, error) {
	if yes, ok := training.ParseRSVPWords(text); ok && yes {
		// "Ternyata bisa hadir" instead of a reason: a change of mind.
		return a.changeToYes(ctx, in, st)
	}
	switch words := textid.Normalize(text); {
	case asksPersonMidFlow(text):
		return a.askReasonAgain(in, st, now, "_rsvp_person", textReasonPerson), nil
	case undecidedWords[words]:
		// "gak jadi" right after Berhalangan: not absent after all, or
		// no reason to give? The ASN chooses.
		return a.askReasonAgain(in, st, now, "_rsvp_which", textReasonWhich), nil
	case stopWords[words], skipWords[words]:
		// "stop", "lewati": no reason, as with "Lewati".
		in.decision = routeASN + "_rsvp_reason_skip"
		return skipReason(st), nil
	}
	return a.saveReason(ctx, in, st, text)
}

// awaited is what a linked ASN's typed text answers: a survey (its
// round), or the "Berhalangan" reason awaited in their chat on another
// platform (that chat's session).
type awaited struct {
	nip     string
	roundID int64
	reason  *Session
}

// awaitedFor decides whether typed text answers something the ASN was
// asked, and what: the survey answered in this chat within the idle
// time; else, when this chat waits for nothing else (promptPending), a
// "Berhalangan" reason asked for in their chat on another platform within
// the idle time, as it would be there; else their survey in progress
// (started on another platform, say). A survey left idle in this chat
// lets the text through as an ordinary question; the stale mark stays,
// so that later text does too, until a survey button brings the survey
// back.
func (a *ASN) awaitedFor(ctx context.Context, in *Update, st *Session, now time.Time) (w awaited, ok bool, err error) {
	var marked int64
	stale := false
	if st != nil {
		if id, perr := strconv.ParseInt(st.State.Data[keySurvey], 10, 64); perr == nil && id > 0 {
			if a.fresh(st, keySurveyAt, now) {
				marked = id
			} else {
				stale = true
			}
		}
	}
	l, err := a.Training.LinkFor(ctx, in.Tx, in.Platform, in.UserID)
	switch {
	case errors.Is(err, training.ErrNotLinked):
		if st != nil {
			clearSurvey(st)
		}
		return awaited{}, false, nil
	case err != nil:
		return awaited{}, false, err
	case marked != 0:
		return awaited{nip: l.NIP, roundID: marked}, true, nil
	}
	if st != nil && !a.promptPending(st, now) {
		other, err := a.reasonElsewhere(ctx, in, l.NIP, now)
		if err != nil || other != nil {
			return awaited{nip: l.NIP, reason: other}, other != nil, err
		}
	}
	if stale {
		return awaited{}, false, nil
	}
	id, ok, err := a.Training.ActiveSurvey(ctx, in.Tx, l.NIP, now, a.idle())
	if err != nil || !ok {
		return awaited{}, false, err
	}
	return awaited{nip: l.NIP, roundID: id}, true, nil
}

// promptPending reports whether the chat waits for typed input of its
// own: anything Awaiting, the /hapusdata or /putus confirmation, a survey
// answered here within the idle time, or a clarification, an answer or a
// decline offered within offerWindow, which a typed reply may answer.
func (a *ASN) promptPending(st *Session, now time.Time) bool {
	if st.State.Awaiting != "" || st.State.ConfirmForget || st.State.Data[keyUnlink] != "" ||
		st.State.Data[keySurvey] != "" && a.fresh(st, keySurveyAt, now) {
		return true
	}
	for _, key := range []string{keyOfferedAt, keyAnsweredAt, keyDeclinedAt} {
		if at, err := strconv.ParseInt(st.State.Data[key], 10, 64); err == nil && now.Sub(time.Unix(at, 0)) <= offerWindow {
			return true
		}
	}
	return false
}

// reasonElsewhere returns the session of the ASN nip's chat on another
// platform than the update's that awaits a "Berhalangan" reason asked for
// within the idle time, or nil: the chat each link of theirs gets its
// reminders in, where the buttons were pressed.
func (a *ASN) reasonElsewhere(ctx context.Context, in *Update, nip string, now time.Time) (*Session, error) {
	links, err := a.Training.Links(ctx, in.Tx, nip)
	if err != nil {
		return nil, err
	}
	for _, l := range links {
		if l.Platform == in.Platform {
			continue
		}
		s, err := readSession(ctx, in.Tx, l.Platform, l.ChatID, l.UserID)
		if err != nil {
			return nil, err
		}
		if s.State.Awaiting == AwaitRSVPReason && a.fresh(s, keyRSVPAt, now) {
			return s, nil
		}
	}
	return nil, nil
}

// repeatQuestion replies with preface (a hint, or why the text was not
// taken as the answer) and the current question again, so that its
// buttons are at hand.
func (a *ASN) repeatQuestion(ctx context.Context, in *Update, st *Session, roundID int64, nip, preface string) ([]bots.Outgoing, error) {
	step, err := a.Training.Next(ctx, in.Tx, roundID, nip, a.now())
	if err != nil {
		return refusalGone(err, textSurveyGone)
	}
	if st != nil {
		setData(st, keySurvey, strconv.FormatInt(roundID, 10))
		setData(st, keySurveyAt, strconv.FormatInt(a.now().Unix(), 10))
	}
	out := step.Out
	out.Text = preface + "\n\n" + out.Text
	return []bots.Outgoing{out}, nil
}

// skipQuestion answers "lewati" typed for the current question as its
// "Lewati" button would; a question without one must be answered, and the
// reply says so with the question again.
func (a *ASN) skipQuestion(ctx context.Context, in *Update, st *Session, roundID int64, nip string) ([]bots.Outgoing, error) {
	cur, err := a.Training.Next(ctx, in.Tx, roundID, nip, a.now())
	if err != nil {
		return refusalGone(err, textSurveyGone)
	}
	p, ok := skipPress(cur.Out)
	if !ok {
		in.decision = routeASN + "_survey_no_skip"
		return a.repeatQuestion(ctx, in, st, roundID, nip, textSurveyNoSkip)
	}
	step, err := a.Training.Answer(ctx, in.Tx, roundID, nip, p.QuestionID, p.Value, a.now())
	if err != nil {
		return refusalGone(err, textSurveyGone)
	}
	return a.surveyStep(in, st, roundID, step), nil
}

// skipPress is the press of a question's "Lewati" button (the training
// package offers it on optional questions only, and tells it by its data,
// whatever its label); ok is false without one.
func skipPress(question bots.Outgoing) (training.SurveyPress, bool) {
	for _, row := range question.Buttons {
		for _, b := range row {
			if p, ok := training.ParseSurveyButton(b.Data); ok && p.Skips() {
				return p, true
			}
		}
	}
	return training.SurveyPress{}, false
}

// stopWords, in textid.Normalize form ("cancel" arrives as "batal", "gak
// jadi" as "tidak jadi"), ask to stop what the bot waits for: the survey
// pauses, the "Berhalangan" reason is skipped. A whole message must be
// one of them: "sudah" or "tidak ada" may answer a survey question.
var stopWords = phraseSet("batal", "batalkan", "batal saja", "batal dulu", "stop", "stop dulu", "stop saja",
	"berhenti", "berhenti dulu", "berhenti saja", "keluar", "jeda", "jeda dulu", "tidak jadi",
	"nanti saja", "nanti dulu", "nanti lagi", "lain kali", "sudah dulu", "cukup dulu")

// undecidedWords, typed right after "Berhalangan", may take back the
// absence or decline to give a reason.
var undecidedWords = phraseSet("tidak jadi", "tidak jadi deh", "tidak jadi saja", "batal", "batal saja")

// requestVerbs ask to reach someone ("bicara", "hubungi", "tanya").
var requestVerbs = phraseSet("bicara", "berbicara", "ngomong", "tanya", "bertanya", "hubungi", "menghubungi",
	"sambungkan", "hubungkan", "kontak", "telepon", "chat", "minta", "dilayani", "layani")

// asksPersonMidFlow reports whether text typed as the answer to a survey
// question or as an absence reason asks for a person. There a request
// must say so with a verb ("mau bicara dengan petugas"): a bare
// "petugasnya" or "perlu tambahan staf" answers the question.
func asksPersonMidFlow(text string) bool {
	if !knowledge.AsksForHuman(text) {
		return false
	}
	for _, w := range textid.Tokens(text) {
		if requestVerbs[w] {
			return true
		}
	}
	return false
}

// skipWords ask to skip the question at hand, as "Lewati" does.
var skipWords = phraseSet("lewati", "lewati saja", "lewatkan", "lewat", "lewat saja", "skip", "skip saja")

func phraseSet(phrases ...string) map[string]bool {
	m := make(map[string]bool, len(phrases))
	for _, p := range phrases {
		m[p] = true
	}
	return m
}

// pauseSurvey leaves the survey in this chat as if left idle: typed text
// is an ordinary question again until a survey button brings the survey
// back (see surveyFor). The answers given stay.
func pauseSurvey(st *Session, roundID int64) {
	if st == nil {
		return
	}
	setData(st, keySurvey, strconv.FormatInt(roundID, 10))
	setData(st, keySurveyAt, "0")
}

// fresh reports whether the moment stored under key lies within the idle
// time before now.
func (a *ASN) fresh(st *Session, key string, now time.Time) bool {
	at, err := strconv.ParseInt(st.State.Data[key], 10, 64)
	return err == nil && now.Sub(time.Unix(at, 0)) <= a.idle()
}

func setData(st *Session, key, value string) {
	if st.State.Data == nil {
		st.State.Data = map[string]string{}
	}
	st.State.Data[key] = value
}

func delData(st *Session, keys ...string) {
	for _, k := range keys {
		delete(st.State.Data, k)
	}
	if len(st.State.Data) == 0 {
		st.State.Data = nil
	}
}

func clearReason(st *Session) {
	if st.State.Awaiting == AwaitRSVPReason {
		st.State.Awaiting = ""
	}
	delData(st, keyRSVP, keyRSVPAt)
}

func clearSurvey(st *Session) { delData(st, keySurvey, keySurveyAt) }

// clearASNState forgets every pending ASN input of the session (after
// linking or unlinking).
func clearASNState(st *Session) {
	clearReason(st)
	clearSurvey(st)
	delData(st, keyUnlink)
}

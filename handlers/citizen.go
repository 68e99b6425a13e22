package handlers

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/inbox"
	"github.com/tebingtinggi/hub/knowledge"
	"github.com/tebingtinggi/hub/knowledge/textid"
	"github.com/tebingtinggi/hub/storage"
)

// Searcher decides how to answer a question; *knowledge.Index implements
// it.
type Searcher interface {
	Search(query string) knowledge.Result
}

// Entries reads FAQ entries; *knowledge.Store implements it.
type Entries interface {
	GetIn(ctx context.Context, q storage.Querier, slug string) (knowledge.Entry, error)
}

// Inbox is what the citizens' flows need of the help desk; *inbox.Store
// implements it. Every call goes through the update's transaction.
type Inbox interface {
	EnsureConversation(ctx context.Context, q storage.Querier, platform bots.Platform, chatID, userID, displayName string) (inbox.Conversation, error)
	EnsureConversationTicket(ctx context.Context, q storage.Querier, platform bots.Platform, chatID, userID, displayName string) (inbox.Conversation, int64, error)
	FindConversation(ctx context.Context, q storage.Querier, platform bots.Platform, chatID, userID string) (inbox.Conversation, bool, error)
	LogMessage(ctx context.Context, tx *sqlx.Tx, convID, ticketID int64, dir inbox.Direction, author inbox.Author, text string) (inbox.Message, error)
	LogChatExchange(ctx context.Context, tx *sqlx.Tx, platform bots.Platform, chatID, userID, displayName, messageID, question, reply, decision string) error
	LastQuestion(ctx context.Context, q storage.Querier, convID int64) (string, error)
	RecentMessages(ctx context.Context, q storage.Querier, convID int64, since time.Time, limit int) ([]inbox.Message, error)
	ChatReplies(ctx context.Context, q storage.Querier, platform bots.Platform, chatID string) (map[string][]string, error)
	LogFile(ctx context.Context, tx *sqlx.Tx, convID int64, f inbox.File) (inbox.Ticket, bool, error)
	LogLocation(ctx context.Context, tx *sqlx.Tx, convID int64, l inbox.Location) (inbox.Ticket, bool, error)
	KeepFile(ctx context.Context, tx *sqlx.Tx, convID, ticketID int64, f inbox.File) (inbox.Message, error)
	KeepLocation(ctx context.Context, tx *sqlx.Tx, convID, ticketID int64, l inbox.Location) (inbox.Message, error)
	OpenTicket(ctx context.Context, tx *sqlx.Tx, convID int64, messageID, question string, reason inbox.Reason, now time.Time) (inbox.Ticket, bool, error)
	CitizenReply(ctx context.Context, tx *sqlx.Tx, convID int64, text string, now time.Time) (inbox.Ticket, bool, error)
	OpenTicketsFor(ctx context.Context, q storage.Querier, platform bots.Platform, userID string) ([]inbox.Ticket, error)
	ClosedLastTicketIn(ctx context.Context, q storage.Querier, platform bots.Platform, chatID, userID string) (inbox.Ticket, bool, error)
	GetIn(ctx context.Context, q storage.Querier, ticketID int64) (inbox.TicketDetail, error)
	Rate(ctx context.Context, q storage.Querier, ticketID int64, rating int, comment string) (inbox.Ticket, error)
	AddRatingComment(ctx context.Context, q storage.Querier, ticketID int64, comment string) (bool, error)
	Forget(ctx context.Context, tx *sqlx.Tx, platform bots.Platform, userID string) ([]string, error)
	LogEdit(ctx context.Context, tx *sqlx.Tx, platform bots.Platform, chatID, userID, messageID, text string) (inbox.Ticket, bool, error)
}

var _ Inbox = (*inbox.Store)(nil)

// ChatForgetter erases the outgoing messages kept for a chat;
// *outbox.Store implements it.
type ChatForgetter interface {
	ForgetChat(ctx context.Context, q storage.Querier, platform bots.Platform, chatID string) (int64, error)
}

// Button data prefixes. Telegram allows 64 bytes of data per button, so
// they are short; every press is validated before it acts.
const (
	dataCandidate  = "c:"     // c:<slug>: the citizen picked a clarification candidate
	dataNone       = "cn"     // cn:<first candidate's slug>: none of the candidates: hand over
	dataHelpful    = "fb:up:" // fb:up:<slug>: the answer helped
	dataNotHelpful = "fb:dn:" // fb:dn:<slug>: it did not: hand over
	dataAskHuman   = "h:"     // h:<slug>: ask an officer about it; h: alone, about the last question
	dataRate       = "r:"     // r:<ticket>:<1-5>: rating of a closed ticket
	dataSkip       = "rs:"    // rs:<ticket>: no rating comment
	dataForget     = "del:"   // del:yes | del:no: /hapusdata confirmation
	// MaxButtonData is the longest button data any platform accepts.
	MaxButtonData = 64
	// maxButtonText bounds a candidate question shown on a button.
	maxButtonText = 60
	// MaxQuestionLen is the longest message read as a question, in
	// characters (one Telegram message).
	MaxQuestionLen = 4096
)

// Citizen holds the citizens' conversational flows. Set the fields, then
// call Register (or use NewCitizenMux).
type Citizen struct {
	Index   Searcher
	Entries Entries
	Inbox   Inbox
	// Calendar tells citizens when an officer will reply.
	Calendar inbox.Calendar
	// CalendarNow, when set, gives the calendar in force at each handoff
	// (the admin's settings, which change while the hub runs); it
	// overrides Calendar.
	CalendarNow func() inbox.Calendar
	// Outbox, when set, also erases a private chat's outgoing messages on
	// /hapusdata.
	Outbox ChatForgetter
	// Now is the clock (default time.Now).
	Now func() time.Time

	startHooks  []startHook
	forgetHooks []func(ctx context.Context, tx *sqlx.Tx, platform bots.Platform, userID string) error
}

func (c *Citizen) calendar() inbox.Calendar {
	if c.CalendarNow != nil {
		return c.CalendarNow()
	}
	return c.Calendar
}

type startHook struct {
	name  string
	match func(payload string) bool
	h     Handler
}

func (c *Citizen) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// OnStart routes "/start <payload>" whose payload begins with prefix to h
// (deep links such as ASN account linking); other payloads get the
// welcome. Hooks are tried in registration order; a prefix registered
// twice is refused.
func (c *Citizen) OnStart(prefix string, h Handler) error {
	if prefix == "" {
		return errors.New("handlers: a start hook needs a prefix and a handler")
	}
	return c.OnStartMatch(prefix, func(p string) bool { return strings.HasPrefix(p, prefix) }, h)
}

// OnStartMatch routes "/start <payload>" to h when match accepts the
// payload, for deep links that carry no fixed prefix (an ASN link code is
// the bare code). name identifies the hook in logs and must be unique.
// Hooks, OnStart's included, are tried in registration order.
func (c *Citizen) OnStartMatch(name string, match func(payload string) bool, h Handler) error {
	if name == "" || match == nil || h == nil {
		return errors.New("handlers: a start hook needs a name, a matcher and a handler")
	}
	for _, s := range c.startHooks {
		if s.name == name {
			return fmt.Errorf("%w: start hook %s", ErrDuplicateRoute, name)
		}
	}
	c.startHooks = append(c.startHooks, startHook{name, match, h})
	return nil
}

// OnForget adds f to what /hapusdata erases: other flows' data about the
// person (the ASN flows' account link), and the copies an adapter shows
// elsewhere (the Slack desk's messages about their tickets). f runs in
// the update's transaction, before the inbox's erasure, so that it still
// finds the person's conversations and tickets by their ids; an error
// undoes it all.
func (c *Citizen) OnForget(f func(ctx context.Context, tx *sqlx.Tx, platform bots.Platform, userID string) error) {
	c.forgetHooks = append(c.forgetHooks, f)
}

// Register adds the citizens' commands, button routes and default
// handler to m.
func (c *Citizen) Register(m *Mux) error {
	err := m.Routes(
		Route{Command: "start", Handler: c.start},
		Route{Command: "bantuan", Handler: c.help},
		Route{Command: "help", Handler: c.help},
		Route{Command: "status", Handler: c.status},
		Route{Command: "hapusdata", Handler: c.forgetAsk},
		Route{Prefix: dataCandidate, Handler: c.pickCandidate},
		Route{Prefix: dataNone, Handler: c.noneOfThese},
		Route{Prefix: dataHelpful, Handler: c.helpful},
		Route{Prefix: dataNotHelpful, Handler: c.notHelpful},
		Route{Prefix: dataAskHuman, Handler: c.askHuman},
		Route{Prefix: dataRate, Handler: c.rate},
		Route{Prefix: dataSkip, Handler: c.skipComment},
		Route{Prefix: dataForget, Handler: c.forgetConfirm},
	)
	if err != nil {
		return err
	}
	m.Default(HandlerFunc(c.message))
	return nil
}

// NewCitizenMux returns a Mux with the citizens' flows registered.
func NewCitizenMux(c *Citizen) (*Mux, error) {
	m := NewMux()
	if err := c.Register(m); err != nil {
		return nil, err
	}
	return m, nil
}

func reply(text string, rows ...[]bots.Button) []bots.Outgoing {
	return []bots.Outgoing{{Text: text, Buttons: rows}}
}

// origin is the platform's id of the citizen's message in, which the
// citizen's messages it logs keep so that an edit of it finds them (see
// inbox.Author.MessageID): "" for a button press, whose message is the
// bot's own; a question it logs again then takes the id of the earlier
// message with the same words.
func origin(in bots.Incoming) string {
	if in.Kind == bots.Press {
		return ""
	}
	return in.MessageID
}

// speaks reports whether the bot should say anything to in: never in
// channels, and in groups only when addressed.
func speaks(in bots.Incoming) bool {
	switch in.ChatType {
	case bots.Channel:
		return false
	case bots.Group:
		return in.Addressed
	}
	return in.ChatID != ""
}

func (c *Citizen) start(ctx context.Context, in *Update) ([]bots.Outgoing, error) {
	if !speaks(in.Incoming) {
		return nil, nil
	}
	if p := strings.TrimSpace(in.Args); p != "" {
		for _, s := range c.startHooks {
			if s.match(p) {
				in.route = "/start " + s.name
				return s.h.Handle(ctx, in)
			}
		}
	}
	return reply(textWelcome), nil
}

func (c *Citizen) help(ctx context.Context, in *Update) ([]bots.Outgoing, error) {
	if !speaks(in.Incoming) {
		return nil, nil
	}
	return reply(textWelcome), nil
}

// mentionRE matches @usernames, removed from questions before searching.
var mentionRE = regexp.MustCompile(`@[A-Za-z0-9_]{3,64}`)

// Dropped records a citizen's message that the per-person rate limit
// silenced: a text, or a file or place that the bot keeps when not
// silenced (in a private chat, as message does; its reference and
// caption, or its coordinates), joins the conversation (and its open
// ticket, whose status stays as it is) without a reply, so that officers
// still see it. Nothing is opened for it: without an open ticket it stays
// in the conversation alone. An edit joins the ticket as edit says, as
// when not silenced. Other updates leave nothing. It is the Router's
// Config.Dropped.
func (c *Citizen) Dropped(ctx context.Context, in *Update) ([]bots.Outgoing, error) {
	if !speaks(in.Incoming) || in.UserID == "" {
		return nil, nil
	}
	text := strings.TrimSpace(in.Text)
	switch in.Kind {
	case bots.Text:
		if in.Command != "" || text == "" {
			return nil, nil
		}
	case bots.File:
		if in.ChatType != bots.Private {
			return nil, nil
		}
	case bots.Location:
		if in.ChatType != bots.Private || in.Place == nil {
			return nil, nil
		}
	case bots.Edited:
		return c.edit(ctx, in)
	default:
		return nil, nil
	}
	conv, ticket, err := c.Inbox.EnsureConversationTicket(ctx, in.Tx, in.Platform, in.ChatID, in.UserID, in.UserName)
	if err != nil {
		return nil, err
	}
	switch in.Kind {
	case bots.File:
		_, err = c.Inbox.KeepFile(ctx, in.Tx, conv.ID, ticket, inbox.File{Kind: in.Media, ID: in.FileID, Caption: text, MessageID: origin(in.Incoming)})
	case bots.Location:
		l := inbox.Location{Latitude: in.Place.Latitude, Longitude: in.Place.Longitude, Name: placeName(*in.Place), MessageID: origin(in.Incoming)}
		_, err = c.Inbox.KeepLocation(ctx, in.Tx, conv.ID, ticket, l)
	default:
		_, err = c.Inbox.LogMessage(ctx, in.Tx, conv.ID, ticket, inbox.In, inbox.Author{Kind: inbox.Citizen, MessageID: origin(in.Incoming)}, text)
	}
	return nil, err
}

// message handles everything that is not a command or a known button: the
// citizen's questions, small talk, media, edits and stale presses.
func (c *Citizen) message(ctx context.Context, in *Update) ([]bots.Outgoing, error) {
	if !speaks(in.Incoming) {
		return nil, nil
	}
	switch in.Kind {
	case bots.Press:
		return reply(textExpired), nil
	case bots.Edited:
		return c.edit(ctx, in)
	case bots.Unsupported:
		if in.ChatType != bots.Private {
			return nil, nil
		}
		return reply(textOnlyText), nil
	case bots.File, bots.Location:
		if in.ChatType != bots.Private {
			return nil, nil
		}
		return c.file(ctx, in)
	case bots.Text:
	default:
		return nil, nil
	}
	if in.Command != "" {
		return reply(textUnknownCommand), nil
	}
	if utf8.RuneCountInString(in.Text) > MaxQuestionLen {
		return reply(textTooLong), nil
	}
	text := strings.TrimSpace(mentionRE.ReplaceAllString(in.Text, " "))
	sess := in.Session
	if sess != nil && sess.State.ConfirmForget {
		// The reply to "Anda yakin ingin menghapus data Anda?" typed
		// instead of pressed, within forgetWindow. Anything else moves
		// on from the question, whose buttons then expire: an "ok"
		// typed later answers something else, and must not erase.
		if forgetAsked(sess, c.now()) {
			switch typedConfirm(text) {
			case confirmYes:
				return c.forget(ctx, in)
			case confirmNo:
				stopConfirmForget(sess)
				return reply(textForgetCanceled), nil
			case confirmVague, confirmUnclear:
				// "ok" or "ya" alone is too casual to erase on, and
				// "hapus, tapi jangan tiketnya" asks for what the
				// erasure does not offer: ask again, the question
				// still open.
				return forgetButtons(textForgetSayHapus), nil
			}
		}
		stopConfirmForget(sess)
	}
	if sess != nil && sess.State.Awaiting == AwaitComment && text != "" {
		return c.commentOrQuestion(ctx, in, sess, text)
	}
	if text == "" {
		return reply(textEmpty), nil
	}
	if slugs := takeOffer(sess, c.now()); len(slugs) > 0 {
		if n, ok := typedChoice(text, len(slugs)); ok {
			if n == 0 {
				return c.pressHandoff(ctx, in, clarified(slugs[0]), "", inbox.NoMatch)
			}
			return c.answerCandidate(ctx, in, slugs[n-1])
		}
		slug, err := c.namedCandidate(ctx, in, text, slugs)
		if err != nil {
			return nil, err
		}
		if slug != "" {
			return c.answerCandidate(ctx, in, slug)
		}
	}
	if slug := takeAnswered(sess, c.now()); slug != "" {
		switch typedFeedback(text) {
		case feedbackNo:
			return c.handoffAbout(ctx, in, slug, inbox.UnhelpfulAnswer)
		case feedbackYes:
			return c.thankFeedback(ctx, in, slug)
		}
	}
	if recall(sess, keyDeclined, keyDeclinedAt, c.now()) != "" && typedYes(text) {
		// "Iya" to the decline's offer of an officer, typed instead of
		// pressing "Tanya petugas".
		return c.pressHandoff(ctx, in, declined, "", inbox.AskedHuman)
	}
	if n, comment, ok := typedRating(text); ok {
		if outs, rated, err := c.rateTyped(ctx, in, n, comment); err != nil || rated {
			return outs, err
		}
	}
	if knowledge.AsksForHuman(text) {
		return c.humanRequest(ctx, in)
	}
	if k := knowledge.SmallTalk(text); k != "" {
		// Small talk while a question for an officer is awaited ("ok",
		// "sebentar ya") is not that question: the wait goes on.
		in.NoteDecision(knowledge.Smalltalk)
		if k == knowledge.Greeting || k == knowledge.Salam {
			return c.greet(ctx, in, k)
		}
		return reply(smallTalkReply(k)), nil
	}
	if awaitingQuestion(sess, c.now()) {
		return c.awaitedQuestion(ctx, in, text)
	}
	return c.question(ctx, in, text)
}

// file keeps a file (photo, document, voice note, audio, video, video
// note: its reference and caption) or a location the citizen sent in the
// conversation, with their open ticket. The bot cannot read a file nor
// act on a place but an officer can: without an open ticket, one is
// opened, its question the caption (or the file's kind, "(lokasi tanpa
// keterangan)"). The citizen is told that it went to an officer, and
// for what the bot cannot hear or watch, that typing gets an answer at
// once.
func (c *Citizen) file(ctx context.Context, in *Update) ([]bots.Outgoing, error) {
	var loc inbox.Location
	if in.Kind == bots.Location {
		if in.Place == nil {
			return reply(textOnlyText), nil
		}
		loc = inbox.Location{Latitude: in.Place.Latitude, Longitude: in.Place.Longitude, Name: placeName(*in.Place), MessageID: origin(in.Incoming)}
	}
	conv, ticket, err := c.Inbox.EnsureConversationTicket(ctx, in.Tx, in.Platform, in.ChatID, in.UserID, in.UserName)
	if err != nil {
		return nil, err
	}
	caption := strings.TrimSpace(in.Text)
	words, told := keptWords[in.Media]
	var outs []bots.Outgoing
	if ticket == 0 {
		question := caption
		if question == "" {
			question = inbox.NoCaption(in.Media)
		}
		if !told {
			words.opened, words.joined = textHandoffNew, textHandoffJoined
		}
		if outs, err = c.handoffSaying(ctx, in, conv, question, inbox.NoMatch, words); err != nil {
			return nil, err
		}
		caption = "" // it is the ticket's question now
	}
	var t inbox.Ticket
	if in.Kind == bots.Location {
		t, _, err = c.Inbox.LogLocation(ctx, in.Tx, conv.ID, loc)
	} else {
		t, _, err = c.Inbox.LogFile(ctx, in.Tx, conv.ID, inbox.File{Kind: in.Media, ID: in.FileID, Caption: caption, MessageID: origin(in.Incoming)})
	}
	if err != nil {
		return nil, err
	}
	if outs != nil {
		return outs, nil
	}
	in.decision = string(in.Kind)
	if !told {
		return reply(fmt.Sprintf(textFileToTicket, t.ID)), nil
	}
	return reply(joinParas(fmt.Sprintf(words.joined, t.ID), words.joinedAfter)), nil
}

// placeName is a venue's name and address as one line, "" for a bare
// location.
func placeName(p bots.Place) string {
	var parts []string
	for _, s := range []string{p.Title, p.Address} {
		if s = strings.TrimSpace(s); s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, ", ")
}

// joinParas joins the non-empty paragraphs of a message.
func joinParas(paras ...string) string {
	var kept []string
	for _, p := range paras {
		if p != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, "\n\n")
}

// question searches the knowledge base and answers, asks back or hands
// over. While the citizen has a ticket that is not closed, the bot still
// answers what it knows (and logs the exchange to the ticket), and
// anything it does not know joins the ticket.
func (c *Citizen) question(ctx context.Context, in *Update, text string) ([]bots.Outgoing, error) {
	return c.respond(ctx, in, text, c.Index.Search(text))
}

// respond answers text as question does, with res, the engine's decision
// on it.
func (c *Citizen) respond(ctx context.Context, in *Update, text string, res knowledge.Result) ([]bots.Outgoing, error) {
	in.NoteDecision(res.Decision)
	if res.Decision == knowledge.Smalltalk {
		return reply(smallTalkReply(res.SmallTalk)), nil
	}
	if res.Decision == knowledge.Handoff || (res.Decision == knowledge.Answer && res.Entry == nil) {
		conv, err := c.Inbox.EnsureConversation(ctx, in.Tx, in.Platform, in.ChatID, in.UserID, in.UserName)
		if err != nil {
			return nil, err
		}
		return c.handoff(ctx, in, conv, text, inbox.NoMatch)
	}
	var outs []bots.Outgoing
	var decision string
	switch res.Decision {
	case knowledge.Answer:
		outs, decision = answer(*res.Entry), inbox.Decision(string(knowledge.Answer), res.Entry.Slug)
		remember(in.Session, keyAnswered, keyAnsweredAt, res.Entry.Slug, c.now())
	case knowledge.Decline:
		// Not about the city's services: no ticket unless the citizen
		// presses the button, which hands over the logged question.
		outs = reply(textDecline, []bots.Button{{Text: btnAskOfficer, Data: dataAskHuman}})
		decision = inbox.Decision(string(knowledge.Decline))
		remember(in.Session, keyDeclined, keyDeclinedAt, "1", c.now())
	default:
		var slugs []string
		outs, slugs = clarify(res.Candidates)
		decision = inbox.Decision(string(res.Decision), slugs...)
		offer(in.Session, slugs, c.now())
	}
	if err := c.Inbox.LogChatExchange(ctx, in.Tx, in.Platform, in.ChatID, in.UserID, in.UserName, origin(in.Incoming), text, outs[0].Text, decision); err != nil {
		return nil, err
	}
	return outs, nil
}

// answer is an entry's answer with the feedback buttons.
func answer(e knowledge.Entry) []bots.Outgoing {
	var row []bots.Button
	for _, b := range []bots.Button{
		{Text: btnAnswered, Data: dataHelpful + e.Slug},
		{Text: btnNotAnswered, Data: dataNotHelpful + e.Slug},
	} {
		if len(b.Data) <= MaxButtonData {
			row = append(row, b)
		}
	}
	rows := [][]bots.Button{row}
	if d := dataAskHuman + e.Slug; len(d) <= MaxButtonData {
		rows = append(rows, []bots.Button{{Text: btnAskOfficer, Data: d}})
	}
	return reply(e.Answer, rows...)
}

// clarify offers the candidates as buttons, plus "none of these", and
// returns the slugs of those it offers, in order; one candidate is asked
// about as a yes or no.
func clarify(cands []knowledge.Candidate) ([]bots.Outgoing, []string) {
	text, none := textClarify, textNoneOfThese
	if len(cands) == 1 {
		text, none = textClarifyOne, textNotThis
	}
	var rows [][]bots.Button
	var slugs []string
	for _, cand := range cands {
		d := dataCandidate + cand.Slug
		if len(d) > MaxButtonData {
			continue
		}
		rows = append(rows, []bots.Button{{Text: ButtonText(cand.Question), Data: d}})
		slugs = append(slugs, cand.Slug)
	}
	// "Bukan semuanya" names the first candidate, so that a press under an
	// earlier clarification hands over that one's question.
	noneData := dataNone
	if len(slugs) > 0 && len(dataNone+":"+slugs[0]) <= MaxButtonData {
		noneData = dataNone + ":" + slugs[0]
	}
	rows = append(rows, []bots.Button{{Text: none, Data: noneData}})
	return reply(text, rows...), slugs
}

// Keys, in State.Data, of the clarification last offered: its
// candidates' slugs in the order shown, space-separated, and when it was
// offered (Unix seconds). A citizen may type their choice instead of
// pressing its button ("2", "yang kedua", "bukan semua").
const (
	keyOffered   = "offered"
	keyOfferedAt = "offered_at"
)

// offerWindow is how long after a clarification a typed number or
// ordinal picks from it; later, "2" is more likely about something else.
const offerWindow = humanRequestWindow

func offer(sess *Session, slugs []string, now time.Time) {
	if len(slugs) > 0 {
		remember(sess, keyOffered, keyOfferedAt, strings.Join(slugs, " "), now)
	}
}

// takeOffer returns the slugs of the clarification the bot offered
// within offerWindow, and forgets it: only the message right after it
// can answer it.
func takeOffer(sess *Session, now time.Time) []string {
	return strings.Fields(recall(sess, keyOffered, keyOfferedAt, now))
}

// Keys, in State.Data, of the entry the bot last answered with, and
// when (Unix seconds): the citizen may type what its buttons say ("belum
// terjawab", "sudah jelas").
const (
	keyAnswered   = "answered"
	keyAnsweredAt = "answered_at"
)

// Keys, in State.Data, of a decline the bot just gave, and when (Unix
// seconds): it offers an officer, and the citizen may accept by typing.
const (
	keyDeclined   = "declined"
	keyDeclinedAt = "declined_at"
)

// Words of a typed "yes" to an offer ("iya", "boleh min", "mau dong"),
// in textid.Tokens form, with forms of address (knowledge.AddressWord). "Ok" is not one: after a polite decline it
// more often means "understood".
var (
	yesToOffer     = map[string]bool{"ya": true, "yes": true, "boleh": true, "mau": true, "lanjut": true, "lanjutkan": true, "silakan": true, "teruskan": true}
	yesToOfferFill = map[string]bool{"saja": true}
)

// typedYes reports whether text only accepts an offer.
func typedYes(text string) bool { return only(text, yesToOffer, yesToOfferFill) }

// only reports whether text says something of says and nothing else: its
// words (in textid.Tokens form) are of says, fillers or forms of address
// (knowledge.AddressWord), at least one of says.
func only(text string, says, fillers map[string]bool) bool {
	said := false
	for _, w := range textid.Tokens(text) {
		switch {
		case says[w]:
			said = true
		case fillers[w] || knowledge.AddressWord(w):
		default:
			return false
		}
	}
	return said
}

// takeAnswered returns the entry the bot answered with within
// offerWindow, and forgets it, as takeOffer does.
func takeAnswered(sess *Session, now time.Time) string {
	return recall(sess, keyAnswered, keyAnsweredAt, now)
}

// remember keeps value under key in the session, with the time under
// atKey, for the citizen's next message.
func remember(sess *Session, key, atKey, value string, now time.Time) {
	if sess == nil {
		return
	}
	setData(sess, key, value)
	setData(sess, atKey, strconv.FormatInt(now.Unix(), 10))
}

// recall returns what remember kept under key within offerWindow, and
// forgets it.
func recall(sess *Session, key, atKey string, now time.Time) string {
	if sess == nil || sess.State.Data[key] == "" {
		return ""
	}
	value := sess.State.Data[key]
	at, err := strconv.ParseInt(sess.State.Data[atKey], 10, 64)
	delData(sess, key, atKey)
	if err != nil || now.Sub(time.Unix(at, 0)) > offerWindow {
		return ""
	}
	return value
}

// choiceWords, and forms of address (knowledge.AddressWord), surround a
// typed choice without changing it ("yang nomor 2 saja min"), in
// textid.Tokens form.
var choiceWords = map[string]bool{
	"yang": true, "nomor": true, "pilihan": true, "opsi": true, "ke": true, "saja": true, "itu": true, "pilih": true,
	"mau": true, "saya": true, "aku": true,
}

// ordinals name a choice by its place, in textid.Tokens form.
var ordinals = map[string]int{
	"satu": 1, "pertama": 1, "kesatu": 1, "dua": 2, "kedua": 2, "ke2": 2, "tiga": 3, "ketiga": 3, "ke3": 3,
	"empat": 4, "keempat": 4, "ke4": 4, "lima": 5, "kelima": 5, "ke5": 5,
}

// maxNamingWords bounds a reply that names a candidate by its words
// ("yang hilang", "akta kematian"): a longer one is a question.
const maxNamingWords = 3

// namedCandidate returns the candidate among slugs that text, typed
// right after the clarification, names by its words ("yang hilang" for
// the lost KTP, "kematian" for the death certificate): the only one whose
// question, alternates or tags hold every word of text that means
// something (textid.IsStopword and choiceWords do not). It returns ""
// when none or several do, or when text is longer than a few such words.
func (c *Citizen) namedCandidate(ctx context.Context, in *Update, text string, slugs []string) (string, error) {
	// Forms of address are left out, unless nothing else is left: then
	// "yang kk" names the family card, not a "kak".
	var words, addressed []string
	for _, w := range textid.Tokens(text) {
		switch {
		case choiceWords[w] || textid.IsStopword(w):
		case knowledge.AddressWord(w):
			addressed = append(addressed, w)
		default:
			words = append(words, w)
		}
	}
	if len(words) == 0 {
		words = addressed
	}
	if len(words) == 0 || len(words) > maxNamingWords {
		return "", nil
	}
	named := ""
	for _, slug := range slugs {
		e, ok, err := c.publishedEntry(ctx, in, slug)
		if err != nil {
			return "", err
		}
		if !ok {
			continue
		}
		vocabulary := map[string]bool{}
		for _, w := range textid.Tokens(strings.Join(append(append([]string{e.Question}, e.Alternates...), e.Tags...), " ")) {
			vocabulary[w], vocabulary[textid.Stem(w)] = true, true
		}
		if !slices.ContainsFunc(words, func(w string) bool { return !vocabulary[w] && !vocabulary[textid.Stem(w)] }) {
			if named != "" {
				return "", nil
			}
			named = slug
		}
	}
	return named, nil
}

// noneWords say that no candidate is meant ("bukan semua", "ga ada yang
// cocok"); such a text needs "bukan" or "tidak" among them.
var noneWords = map[string]bool{
	"bukan": true, "tidak": true, "ada": true, "semua": true, "semuanya": true, "cocok": true, "sesuai": true,
	"dari": true, "ini": true, "keduanya": true, "ketiganya": true,
}

// yesWords confirm the one entry a clarification asks about ("iya
// betul", "ya itu min"), in textid.Tokens form.
var yesWords = map[string]bool{
	"ya": true, "iyaa": true, "betul": true, "benar": true, "yup": true, "yes": true, "yoi": true,
	"ok": true, "oke": true, "sip": true, "tepat": true,
}

// typedChoice reads text, typed right after a clarification of n
// candidates, as a choice among them: 1 to n for a candidate, 0 for none
// of them (as is n+1, the place of the "Bukan semuanya" button). Asked
// about one candidate, a yes picks it. ok is false when text is anything
// else, a question then.
func typedChoice(text string, n int) (choice int, ok bool) {
	var rest []string
	yes := false
	for _, w := range textid.Tokens(text) {
		yes = yes || yesWords[w]
		if !choiceWords[w] && !knowledge.AddressWord(w) && !(n == 1 && yesWords[w]) {
			rest = append(rest, w)
		}
	}
	if n == 1 && yes && len(rest) == 0 {
		return 1, true
	}
	if len(rest) == 1 {
		k, found := ordinals[rest[0]]
		if d, err := strconv.Atoi(rest[0]); err == nil {
			k, found = d, true
		}
		switch {
		case !found:
		case k < 1 || k > n+1:
			return 0, false
		case k == n+1:
			return 0, true
		default:
			return k, true
		}
	}
	negated := false
	for _, w := range rest {
		if !noneWords[w] {
			return 0, false
		}
		negated = negated || w == "bukan" || w == "tidak"
	}
	return 0, negated
}

// ButtonText shortens s to fit on a button: at most 60 characters, cut at
// a word boundary where possible, with "…".
func ButtonText(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= maxButtonText {
		return s
	}
	r := []rune(s)[:maxButtonText-1]
	cut := string(r)
	if i := strings.LastIndexByte(cut, ' '); i > maxButtonText/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,.;:?!") + "…"
}

// handoff opens (or joins) the conversation's ticket and tells the citizen
// when an officer will reply.
func (c *Citizen) handoff(ctx context.Context, in *Update, conv inbox.Conversation, question string, reason inbox.Reason) ([]bots.Outgoing, error) {
	return c.handoffSaying(ctx, in, conv, question, reason, handoffWords{opened: textHandoffNew, joined: textHandoffJoined})
}

// handoffWords word the reply to a handoff: opened (a new ticket) or
// joined (one still open), each with the ticket's number, followed by
// when an officer replies and then by openedAfter or joinedAfter, if any.
type handoffWords struct {
	opened, joined           string
	openedAfter, joinedAfter string
}

// handoffSaying is handoff with the reply in words.
func (c *Citizen) handoffSaying(ctx context.Context, in *Update, conv inbox.Conversation, question string, reason inbox.Reason, words handoffWords) ([]bots.Outgoing, error) {
	now := c.now()
	t, created, err := c.Inbox.OpenTicket(ctx, in.Tx, conv.ID, origin(in.Incoming), question, reason, now)
	if err != nil {
		return nil, err
	}
	in.decision = string(knowledge.Handoff)
	var text string
	switch {
	case created:
		text = joinParas(fmt.Sprintf(words.opened, t.ID)+" "+c.calendar().Describe(now), words.openedAfter)
	default:
		text = joinParas(fmt.Sprintf(words.joined, t.ID)+" "+c.calendar().Describe(now), words.joinedAfter)
	}
	if knowledge.Urgent(question) {
		// An officer may answer only hours later: the emergency number
		// first.
		text = textUrgent + "\n\n" + text
	}
	bot := inbox.Author{Kind: inbox.Bot, Decision: inbox.Decision(string(knowledge.Handoff))}
	if _, err := c.Inbox.LogMessage(ctx, in.Tx, conv.ID, t.ID, inbox.Out, bot, text); err != nil {
		return nil, err
	}
	return reply(text), nil
}

// publishedEntry returns the published entry behind a press, or ok false.
func (c *Citizen) publishedEntry(ctx context.Context, in *Update, slug string) (knowledge.Entry, bool, error) {
	if slug == "" {
		return knowledge.Entry{}, false, nil
	}
	e, err := c.Entries.GetIn(ctx, in.Tx, slug)
	if errors.Is(err, knowledge.ErrNotFound) {
		return knowledge.Entry{}, false, nil
	}
	if err != nil {
		return knowledge.Entry{}, false, err
	}
	return e, e.Status == knowledge.Published, nil
}

func (c *Citizen) pickCandidate(ctx context.Context, in *Update) ([]bots.Outgoing, error) {
	forgetOffer(in.Session)
	return c.answerCandidate(ctx, in, strings.TrimPrefix(in.Data, dataCandidate))
}

// forgetOffer drops the clarification offered: it was answered by a
// button.
func forgetOffer(sess *Session) {
	if sess != nil {
		delData(sess, keyOffered, keyOfferedAt)
	}
}

// answerCandidate answers with entry slug, the citizen's choice in a
// clarification.
func (c *Citizen) answerCandidate(ctx context.Context, in *Update, slug string) ([]bots.Outgoing, error) {
	e, ok, err := c.publishedEntry(ctx, in, slug)
	if err != nil || !ok {
		return reply(textExpired), err
	}
	in.decision = "clarified"
	outs := answer(e)
	remember(in.Session, keyAnswered, keyAnsweredAt, e.Slug, c.now())
	conv, ticket, err := c.Inbox.EnsureConversationTicket(ctx, in.Tx, in.Platform, in.ChatID, in.UserID, in.UserName)
	if err != nil {
		return nil, err
	}
	bot := inbox.Author{Kind: inbox.Bot, Decision: inbox.Decision(string(knowledge.Answer), e.Slug)}
	if _, err := c.Inbox.LogMessage(ctx, in.Tx, conv.ID, ticket, inbox.Out, bot, outs[0].Text); err != nil {
		return nil, err
	}
	return outs, nil
}

// Lookback of a press on the bot's reply, or of the typed reply to it,
// for the question it replied to: buttons do not expire, but a reply
// older than a week or a hundred messages back is found by its entry's
// question (or the citizen's last question) instead.
const (
	pressLookback = 7 * 24 * time.Hour
	pressHistory  = 100
)

// pressHandoff hands over the question that a press (or its typed
// equivalent) refers to: the citizen's message that the bot's newest
// reply matched by about (its logged decision, see inbox.Decision)
// replied to, so that a button pressed under an earlier reply hands over
// that reply's question, not whatever the citizen asked since. Without
// such a reply in the log, it is fallback (the entry's question) or
// failing that the citizen's last question.
//
// In a group a reply's buttons are every member's to press, but the reply
// answered one member: a press there hands over only the presser's own
// question, as a rating press rates only the rater's ticket (ownTicket).
// A press the log shows to be under another member's reply is refused
// and leaves nothing in their name; one the log no longer tells (older
// than the lookback, or purged) is taken as the presser's, as in a
// private chat.
func (c *Citizen) pressHandoff(ctx context.Context, in *Update, about func(decision string) bool, fallback string, reason inbox.Reason) ([]bots.Outgoing, error) {
	shared := in.Kind == bots.Press && in.ChatType != bots.Private
	var conv inbox.Conversation
	var err error
	if shared {
		var found bool
		if conv, found, err = c.Inbox.FindConversation(ctx, in.Tx, in.Platform, in.ChatID, in.UserID); err != nil {
			return nil, err
		}
		if !found {
			if refuse, err := c.repliedToOther(ctx, in, about); err != nil || refuse {
				return reply(textNotYours), err
			}
			if conv, err = c.Inbox.EnsureConversation(ctx, in.Tx, in.Platform, in.ChatID, in.UserID, in.UserName); err != nil {
				return nil, err
			}
		}
	} else if conv, err = c.Inbox.EnsureConversation(ctx, in.Tx, in.Platform, in.ChatID, in.UserID, in.UserName); err != nil {
		return nil, err
	}
	recent, err := c.Inbox.RecentMessages(ctx, in.Tx, conv.ID, c.now().Add(-pressLookback), pressHistory)
	if err != nil {
		return nil, err
	}
	question := repliedQuestion(recent, about)
	if question == "" && shared {
		if refuse, err := c.repliedToOther(ctx, in, about); err != nil || refuse {
			return reply(textNotYours), err
		}
	}
	if question == "" {
		question = fallback
	}
	if question == "" {
		if question, err = c.Inbox.LastQuestion(ctx, in.Tx, conv.ID); err != nil {
			return nil, err
		}
	}
	if question == "" {
		question = "(pertanyaan tidak tersimpan)"
	}
	return c.handoff(ctx, in, conv, question, reason)
}

// repliedToOther reports whether the group's log shows a reply matched
// by about sent to another member and none to the presser: their press
// is then under someone else's reply.
func (c *Citizen) repliedToOther(ctx context.Context, in *Update, about func(decision string) bool) (bool, error) {
	byUser, err := c.Inbox.ChatReplies(ctx, in.Tx, in.Platform, in.ChatID)
	if err != nil {
		return false, err
	}
	other := false
	for user, decisions := range byUser {
		if slices.ContainsFunc(decisions, about) {
			if user == in.UserID {
				return false, nil
			}
			other = true
		}
	}
	return other, nil
}

// repliedQuestion is the citizen's text message in msgs (oldest first)
// that the newest of the bot's replies matched by about replied to: the
// last one before it. It is "" when there is none.
func repliedQuestion(msgs []inbox.Message, about func(decision string) bool) string {
	i := len(msgs) - 1
	for ; i >= 0; i-- {
		if m := msgs[i]; m.Direction == inbox.Out && m.AuthorKind == inbox.Bot && about(m.Decision) {
			break
		}
	}
	for i--; i >= 0; i-- {
		if m := msgs[i]; m.Direction == inbox.In && m.AuthorKind == inbox.Citizen && m.FileKind == "" && strings.TrimSpace(m.Text) != "" {
			return m.Text
		}
	}
	return ""
}

// answered matches the log's decision of the bot's answer with entry
// slug.
func answered(slug string) func(string) bool {
	want := inbox.Decision(string(knowledge.Answer), slug)
	return func(d string) bool { return d == want }
}

// declined matches the log's decision of a polite decline.
func declined(d string) bool { return d == inbox.Decision(string(knowledge.Decline)) }

// clarified matches the log's decision of a clarification whose first
// candidate is slug, any clarification when slug is "".
func clarified(slug string) func(string) bool {
	if slug == "" {
		return func(d string) bool { return strings.HasPrefix(d, string(knowledge.Clarify)+" ") }
	}
	prefix := inbox.Decision(string(knowledge.Clarify), slug)
	return func(d string) bool { return d == prefix || strings.HasPrefix(d, prefix+",") }
}

func (c *Citizen) noneOfThese(ctx context.Context, in *Update) ([]bots.Outgoing, error) {
	// "cn:<first candidate>", or "cn" alone on buttons from before the
	// candidate was named: the newest clarification then.
	first, named := strings.CutPrefix(in.Data, dataNone+":")
	switch {
	case in.Data == dataNone:
		first = ""
	case !named || first == "":
		return reply(textExpired), nil
	}
	forgetOffer(in.Session)
	return c.pressHandoff(ctx, in, clarified(first), "", inbox.NoMatch)
}

// helpful thanks the citizen for marking an answer "Terjawab", and logs
// the thanks with the entry: the question is then resolved, and a request
// for a person typed afterwards does not hand it over (see
// unresolvedQuestion).
func (c *Citizen) helpful(ctx context.Context, in *Update) ([]bots.Outgoing, error) {
	forgetAnswered(in.Session)
	return c.thankFeedback(ctx, in, strings.TrimPrefix(in.Data, dataHelpful))
}

// forgetAnswered drops the answer remembered for typed feedback: its
// buttons were pressed.
func forgetAnswered(sess *Session) {
	if sess != nil {
		delData(sess, keyAnswered, keyAnsweredAt)
	}
}

// thankFeedback records that the answer with entry slug helped, and
// thanks the citizen.
func (c *Citizen) thankFeedback(ctx context.Context, in *Update, slug string) ([]bots.Outgoing, error) {
	e, ok, err := c.publishedEntry(ctx, in, slug)
	if err != nil || !ok {
		return reply(textExpired), err
	}
	in.decision = DecisionHelpful
	conv, ticket, err := c.Inbox.EnsureConversationTicket(ctx, in.Tx, in.Platform, in.ChatID, in.UserID, in.UserName)
	if err != nil {
		return nil, err
	}
	bot := inbox.Author{Kind: inbox.Bot, Decision: inbox.Decision(DecisionHelpful, e.Slug)}
	if _, err := c.Inbox.LogMessage(ctx, in.Tx, conv.ID, ticket, inbox.Out, bot, textThanksFeedback); err != nil {
		return nil, err
	}
	return reply(textThanksFeedback), nil
}

func (c *Citizen) notHelpful(ctx context.Context, in *Update) ([]bots.Outgoing, error) {
	forgetAnswered(in.Session)
	return c.handoffAbout(ctx, in, strings.TrimPrefix(in.Data, dataNotHelpful), inbox.UnhelpfulAnswer)
}

func (c *Citizen) askHuman(ctx context.Context, in *Update) ([]bots.Outgoing, error) {
	slug := strings.TrimPrefix(in.Data, dataAskHuman)
	if slug == "" {
		// Pressed under a polite decline: the question is the one
		// declined.
		if sess := in.Session; sess != nil {
			delData(sess, keyDeclined, keyDeclinedAt)
		}
		return c.pressHandoff(ctx, in, declined, "", inbox.AskedHuman)
	}
	return c.handoffAbout(ctx, in, slug, inbox.AskedHuman)
}

func (c *Citizen) handoffAbout(ctx context.Context, in *Update, slug string, reason inbox.Reason) ([]bots.Outgoing, error) {
	e, err := c.Entries.GetIn(ctx, in.Tx, slug)
	if errors.Is(err, knowledge.ErrNotFound) {
		return reply(textExpired), nil
	}
	if err != nil {
		return nil, err
	}
	return c.pressHandoff(ctx, in, answered(slug), e.Question, reason)
}

// ownTicket returns the ticket id of a rating press when it belongs to the
// presser; refusal is the reply to send otherwise.
func (c *Citizen) ownTicket(ctx context.Context, in *Update, idText string) (id int64, refusal []bots.Outgoing, err error) {
	id, perr := strconv.ParseInt(idText, 10, 64)
	if perr != nil || id <= 0 {
		return 0, reply(textExpired), nil
	}
	d, err := c.Inbox.GetIn(ctx, in.Tx, id)
	if errors.Is(err, inbox.ErrNotFound) {
		return 0, reply(textExpired), nil
	}
	if err != nil {
		return 0, nil, err
	}
	if d.Conversation.Platform != in.Platform || d.Conversation.UserID != in.UserID {
		return 0, reply(textNotYours), nil
	}
	return id, nil, nil
}

func (c *Citizen) rate(ctx context.Context, in *Update) ([]bots.Outgoing, error) {
	idText, nText, ok := strings.Cut(strings.TrimPrefix(in.Data, dataRate), ":")
	n, err := strconv.Atoi(nText)
	if !ok || err != nil || n < 1 || n > 5 {
		return reply(textExpired), nil
	}
	id, refusal, err := c.ownTicket(ctx, in, idText)
	if err != nil || refusal != nil {
		return refusal, err
	}
	return c.rateTicket(ctx, in, id, n, "")
}

// typedRatingWindow is how long after a ticket closes a bare number the
// citizen types is taken as its rating.
const typedRatingWindow = 7 * 24 * time.Hour

// ratingScaleRE matches the scale written after a rating ("5/5", "4
// dari 5").
var ratingScaleRE = regexp.MustCompile(`(?i)\s*(/|\bdari\b)\s*5\b`)

// ratingNumbers are the ratings written as words, in textid.Tokens form.
var ratingNumbers = map[string]int{"satu": 1, "dua": 2, "tiga": 3, "empat": 4, "lima": 5}

// ratingFillers, and forms of address (knowledge.AddressWord), go with a typed rating without saying more ("bintang
// 5", "nilai 4 ya min", "kasih 5 deh"), in textid.Tokens form.
var ratingFillers = map[string]bool{
	"bintang": true, "nilai": true, "nilainya": true, "kasih": true, "kasi": true, "beri": true, "saya": true, "aku": true,
	"saja": true, "sangat": true, "sekali": true, "banget": true, "kali": true, "sih": true,
}

// typedRating reads a rating typed instead of pressed: a number from 1
// to 5 (digit or word), alone or with the words that go with a rating
// ("bintang 5", "5/5", "nilai 4 ya min"), or one to five stars. Words
// that judge the service (verdictWords: "1 bintang, lambat sekali", "5
// mantap") make the whole text the rating's comment. Anything else, or
// two numbers ("4,5"), is no rating.
func typedRating(text string) (n int, comment string, ok bool) {
	clean := strings.ReplaceAll(text, "\uFE0F", "") // the emoji variation selector
	stars := strings.Count(clean, "⭐")
	judged := false
	for _, w := range textid.Tokens(ratingScaleRE.ReplaceAllString(clean, " ")) {
		k, isNumber := ratingNumbers[w]
		if d, err := strconv.Atoi(w); err == nil {
			k, isNumber = d, true
		}
		switch {
		case isNumber:
			if n != 0 || k < 1 || k > 5 {
				return 0, "", false
			}
			n = k
		case ratingFillers[w] || knowledge.AddressWord(w):
		case judges(w):
			judged = true
		default:
			return 0, "", false
		}
	}
	if n == 0 {
		if stars == 0 || stars > 5 {
			return 0, "", false
		}
		n = stars
	}
	if judged {
		comment = strings.TrimSpace(text)
	}
	return n, comment, true
}

// rateTyped takes n, typed as a message, as the rating of the citizen's
// latest ticket in this chat, when an officer answered it, it closed
// within typedRatingWindow and they have written nothing since (a digit typed later may answer
// something else). rated is false when there is no such ticket: the
// message is then handled as any other.
func (c *Citizen) rateTyped(ctx context.Context, in *Update, n int, comment string) (outs []bots.Outgoing, rated bool, err error) {
	if in.ChatType != bots.Private || in.UserID == "" {
		return nil, false, nil
	}
	t, found, err := c.Inbox.ClosedLastTicketIn(ctx, in.Tx, in.Platform, in.ChatID, in.UserID)
	// A ticket closed without any reply asked for no rating: a digit then
	// is not one.
	if err != nil || !found || t.ClosedAt == nil || !t.Replied() || c.now().Sub(*t.ClosedAt) > typedRatingWindow {
		return nil, false, err
	}
	outs, err = c.rateTicket(ctx, in, t.ID, n, comment)
	return outs, true, err
}

// rateTicket records rating n of the citizen's ticket id, with comment,
// and asks for a comment when there is none.
func (c *Citizen) rateTicket(ctx context.Context, in *Update, id int64, n int, comment string) ([]bots.Outgoing, error) {
	_, err := c.Inbox.Rate(ctx, in.Tx, id, n, comment)
	switch {
	case errors.Is(err, inbox.ErrAlreadyRated):
		return reply(textRatingDone), nil
	case errors.Is(err, inbox.ErrNotClosed):
		return reply(textRatingEarly), nil
	case err != nil:
		return nil, err
	}
	in.decision = "rated"
	if comment != "" {
		return reply(textRatingCommented), nil
	}
	if sess := in.Session; sess != nil {
		sess.State.Awaiting, sess.State.Ticket = AwaitComment, id
	}
	return reply(textRatingThanks, []bots.Button{{Text: btnSkip, Data: dataSkip + strconv.FormatInt(id, 10)}}), nil
}

func (c *Citizen) skipComment(ctx context.Context, in *Update) ([]bots.Outgoing, error) {
	sess := in.Session
	want := ""
	if sess != nil && sess.State.Awaiting == AwaitComment {
		want = dataSkip + strconv.FormatInt(sess.State.Ticket, 10)
	}
	if in.Data != want {
		return reply(textExpired), nil
	}
	sess.State.Awaiting, sess.State.Ticket = "", 0
	return reply(textCommentSkip), nil
}

// commentOrQuestion handles text typed while a rating comment is
// awaited. It is the comment, unless the citizen has clearly moved on: a
// request for a person goes to humanRequest, an emergency and a new
// question (newQuestion) go the usual way. Either way the wait for a
// comment ends, as after "Lewati": the rating stays. When in doubt the
// text is the comment: a complaint taken for a question would open a
// ticket or answer from the FAQ, and lose the comment.
func (c *Citizen) commentOrQuestion(ctx context.Context, in *Update, sess *Session, text string) ([]bots.Outgoing, error) {
	if knowledge.AsksForHuman(text) {
		sess.State.Awaiting, sess.State.Ticket = "", 0
		return c.humanRequest(ctx, in)
	}
	if typedSkip(text) {
		// "Lewati", "tidak ada" typed instead of pressing "Lewati": no
		// comment, rather than the comment "lewati".
		sess.State.Awaiting, sess.State.Ticket = "", 0
		in.decision = "rating_comment_skip"
		return reply(textCommentSkip), nil
	}
	res := c.Index.Search(text)
	if knowledge.Urgent(text) || newQuestion(text, res) {
		sess.State.Awaiting, sess.State.Ticket = "", 0
		return c.respond(ctx, in, text, res)
	}
	return c.saveComment(ctx, in, sess, text)
}

// Words of a typed "no comment", in textid.Tokens form: noCommentWords
// say it ("lewati", "tidak ada", "sudah cukup"), noCommentFillers and forms
// of address (knowledge.AddressWord) go with them.
var (
	noCommentWords   = map[string]bool{"lewati": true, "lewat": true, "skip": true, "cukup": true, "tidak": true}
	noCommentFillers = map[string]bool{"ada": true, "komentar": true, "saran": true, "apa": true, "sudah": true, "itu": true,
		"saja": true}
)

// typedSkip reports whether text, typed when a rating comment is asked
// for, only declines to comment.
func typedSkip(text string) bool { return only(text, noCommentWords, noCommentFillers) }

// questionWords ask for information, in textid.Tokens form ("gmn" and
// "cemana" arrive as "bagaimana", "brp" as "berapa", "nanya" as "tanya").
// "Mengapa" is not one of them: after a rating, "kenapa lama sekali?"
// complains about the service just rated, which is what the comment is
// for. Nor is a bare "apa", which "tidak ada apa-apa" also becomes.
var questionWords = map[string]bool{
	"bagaimana": true, "berapa": true, "kapan": true, "dimana": true, "kemana": true, "darimana": true,
	"siapa": true, "apakah": true, "bisakah": true, "bolehkah": true, "tanya": true, "bertanya": true,
	"cara": true, "caranya": true, "syarat": true, "syaratnya": true,
}

// verdictWords judge a service or the answer given ("lambat", "kurang
// puas", "terlalu lama", "mantap", "tidak sesuai", "belum jelas
// jawabannya"), and "kok" and "masa" open a reproach ("kok lama?"): text
// with one is about the service just rated, even when it asks. A word
// matches in its textid.Tokens form ("makasih" arrives as
// "terimakasih"); verdictStems match every form of theirs ("jawabannya",
// "menjawab", "kelamaan", "memuaskan"). Other stems would take service
// nouns for judgements: "bantuan" sosial, "kemudahan" berusaha,
// "penjelasan" syarat.
var verdictWords = map[string]bool{
	"puas": true, "kecewa": true, "mengecewakan": true, "lambat": true, "lama": true, "lelet": true, "ribet": true,
	"repot": true, "susah": true, "sulit": true, "mudah": true, "gampang": true, "cepat": true, "bagus": true,
	"mantap": true, "mantul": true, "ramah": true, "jutek": true, "sombong": true, "buruk": true, "jelek": true,
	"parah": true, "payah": true, "ngawur": true, "bingung": true, "kurang": true, "terlalu": true,
	"membantu": true, "terbantu": true, "terimakasih": true, "jelas": true, "sesuai": true, "harapan": true,
	"kok": true, "masa": true,
}

var verdictStems = map[string]bool{"jawab": true, "puas": true, "lama": true}

// judges reports whether w, a word in textid.Tokens form, judges a
// service or an answer (verdictWords, verdictStems).
func judges(w string) bool { return verdictWords[w] || verdictStems[textid.Stem(w)] }

// purposeWords, in textid.Tokens form, make the word after them a
// purpose ("syaratnya apa saja, biar jelas?"), which judges nothing.
var purposeWords = map[string]bool{"biar": true, "supaya": true, "agar": true}

// remarkWords tell how a matter went ("KK saya sudah jadi", "belum juga
// dicetak", "alhamdulillah beres"). A question may hold one too ("sudah
// jadi belum?"), so they only keep a text that shows no sign of asking
// from being taken for a question because the engine has an answer for
// its words: "ktp saya sudah dicetak" is news about the service rated,
// and the entry on a damaged KTP no reply to it.
var remarkWords = map[string]bool{
	"sudah": true, "belum": true, "beres": true, "selesai": true, "akhirnya": true, "alhamdulillah": true,
}

// questionLead is how many words from the start a question word may come
// ("terus kapan…", "mau nanya…"): further on, "kapan" is more often part
// of a remark ("lambat, entah kapan selesainya").
const questionLead = 3

// newQuestion reports whether text, typed after a rating, reads as a new
// question rather than a comment, given res, the engine's decision on
// it. It must judge nothing (verdictWords), and either ask (end with a
// question mark or open with a question word) or be a question the engine
// answers or clarifies ("syarat bikin kk baru") while reporting nothing
// (remarkWords).
func newQuestion(text string, res knowledge.Result) bool {
	words := textid.Tokens(text)
	remark := false
	for i, w := range words {
		// "biar jelas", "supaya sesuai": a purpose, not a verdict.
		if judges(w) && (i == 0 || !purposeWords[words[i-1]]) {
			return false
		}
		remark = remark || remarkWords[w] || remarkWords[textid.Stem(w)]
	}
	if strings.HasSuffix(strings.TrimSpace(text), "?") {
		return true
	}
	for _, w := range words[:min(len(words), questionLead)] {
		if questionWords[w] {
			return true
		}
	}
	return !remark && (res.Decision == knowledge.Answer || res.Decision == knowledge.Clarify)
}

func (c *Citizen) saveComment(ctx context.Context, in *Update, sess *Session, text string) ([]bots.Outgoing, error) {
	id := sess.State.Ticket
	sess.State.Awaiting, sess.State.Ticket = "", 0
	if _, err := c.Inbox.AddRatingComment(ctx, in.Tx, id, text); err != nil {
		return nil, err
	}
	in.decision = "rating_comment"
	return reply(textCommentSaved), nil
}

func (c *Citizen) status(ctx context.Context, in *Update) ([]bots.Outgoing, error) {
	if !speaks(in.Incoming) || in.UserID == "" {
		return nil, nil
	}
	if in.ChatType != bots.Private {
		// The subjects are the person's own questions, often with a phone
		// number or an address: never for a group's other members.
		return reply(textStatusPrivate), nil
	}
	ts, err := c.Inbox.OpenTicketsFor(ctx, in.Tx, in.Platform, in.UserID)
	if err != nil {
		return nil, err
	}
	if len(ts) == 0 {
		return reply(textNoTickets), nil
	}
	var b strings.Builder
	b.WriteString(textTicketsHeader)
	for _, t := range ts {
		fmt.Fprintf(&b, "\n• #%d — %s (%s)", t.ID, t.Subject, statusNames[string(t.Status)])
	}
	return reply(b.String()), nil
}

func (c *Citizen) forgetAsk(ctx context.Context, in *Update) ([]bots.Outgoing, error) {
	if !speaks(in.Incoming) || in.UserID == "" {
		return nil, nil
	}
	if sess := in.Session; sess != nil {
		sess.State.ConfirmForget = true
		setData(sess, keyForgetAt, strconv.FormatInt(c.now().Unix(), 10))
	}
	return forgetButtons(textForgetAsk), nil
}

func forgetButtons(text string) []bots.Outgoing {
	return reply(text, []bots.Button{
		{Text: btnForgetConfirm, Data: dataForget + "yes"},
		{Text: btnForgetCancel, Data: dataForget + "no"},
	})
}

// keyForgetAt, in State.Data, is when /hapusdata asked for confirmation
// (Unix seconds).
const keyForgetAt = "forget_at"

// forgetWindow bounds how long after /hapusdata a typed reply can still
// confirm it: an "ya, hapus" typed much later may answer something else.
const forgetWindow = 5 * time.Minute

// forgetAsked reports whether the /hapusdata confirmation was asked within
// forgetWindow.
func forgetAsked(sess *Session, now time.Time) bool {
	at, err := strconv.ParseInt(sess.State.Data[keyForgetAt], 10, 64)
	if err != nil {
		return false
	}
	d := now.Sub(time.Unix(at, 0))
	return d >= 0 && d <= forgetWindow
}

func stopConfirmForget(sess *Session) {
	sess.State.ConfirmForget = false
	delData(sess, keyForgetAt)
}

func (c *Citizen) forgetConfirm(ctx context.Context, in *Update) ([]bots.Outgoing, error) {
	sess := in.Session
	if sess == nil || !sess.State.ConfirmForget {
		return reply(textExpired), nil
	}
	switch in.Data {
	case dataForget + "no":
		stopConfirmForget(sess)
		return reply(textForgetCanceled), nil
	case dataForget + "yes":
		return c.forget(ctx, in)
	}
	return reply(textExpired), nil
}

// forget erases what the hub keeps about the person, as they confirmed
// after /hapusdata.
func (c *Citizen) forget(ctx context.Context, in *Update) ([]bots.Outgoing, error) {
	sess := in.Session
	for _, f := range c.forgetHooks {
		if err := f(ctx, in.Tx, in.Platform, in.UserID); err != nil {
			return nil, err
		}
	}
	chats, err := c.Inbox.Forget(ctx, in.Tx, in.Platform, in.UserID)
	if err != nil {
		return nil, err
	}
	if err := ForgetPerson(ctx, in.Tx, in.Platform, in.UserID); err != nil {
		return nil, err
	}
	// A private chat is the person's alone, wherever they confirmed: the
	// officers' replies there hold their data. A group's messages are
	// not theirs.
	if c.Outbox != nil {
		var own []string
		if in.ChatType == bots.Private {
			own = append(own, in.ChatID)
		}
		for _, chat := range chats {
			if ownChat(in.Platform, chat, in.UserID) && !slices.Contains(own, chat) {
				own = append(own, chat)
			}
		}
		for _, chat := range own {
			if _, err := c.Outbox.ForgetChat(ctx, in.Tx, in.Platform, chat); err != nil {
				return nil, err
			}
		}
	}
	// The state row is gone; whatever is left in memory is not saved.
	sess.State = State{}
	sess.loaded = "{}"
	in.decision = "forgotten"
	in.forgotten = true
	return reply(textForgetDone), nil
}

// ownChat reports whether chat, one the person userID had a conversation
// in on platform, is their private chat with the bot, known by its id
// alone: on Slack a direct message channel (its id starts with D; the app
// hears no direct messages but its own), elsewhere a chat whose id is
// its user's id (Telegram's private chats, and never a group).
func ownChat(platform bots.Platform, chat, userID string) bool {
	if platform == bots.Slack {
		return strings.HasPrefix(chat, "D")
	}
	return chat != "" && chat == userID
}

// A typed answer to the /hapusdata confirmation.
const (
	confirmNone = iota
	confirmYes
	confirmNo
	// confirmVague agrees without naming the erasure ("ok", "ya",
	// "boleh"): too casual to erase on.
	confirmVague
	// confirmUnclear names the erasure among words that are neither yes
	// nor no ("hapus tapi jangan tiket saya"): a reply to the question
	// all the same, not a new question.
	confirmUnclear
)

// Words of a typed answer to the /hapusdata confirmation, in
// textid.Tokens form: confirmEraseWords confirm the erasure explicitly
// ("ya, hapus", "iya hapus data saya", "yakin"), confirmAgreeWords only
// agree ("ya", "yaudah", "udah", "sip"), confirmNoWords decline ("gak
// jadi", "jangan dihapus", "nanti aja"), and confirmFillers and forms of
// address (knowledge.AddressWord) go with any of them.
var (
	confirmEraseWords = map[string]bool{"hapus": true, "hapuskan": true, "hapusin": true, "dihapus": true, "yakin": true}
	confirmAgreeWords = map[string]bool{"ya": true, "iya": true, "yes": true, "setuju": true, "lanjut": true, "lanjutkan": true, "oke": true, "ok": true, "silakan": true, "boleh": true,
		"sudah": true, "yaudah": true, "yauda": true, "yaudh": true, "yodah": true, "ywdh": true, "sip": true}
	confirmNoWords = map[string]bool{"tidak": true, "batal": true, "batalkan": true, "jangan": true, "nanti": true, "no": true, "cancel": true}
	confirmFillers = map[string]bool{"saja": true, "data": true, "datanya": true, "jadi": true, "usah": true,
		"saya": true, "semua": true, "semuanya": true, "deh": true, "dong": true, "lah": true, "sekarang": true, "dulu": true}
)

// typedConfirm reads text as a typed answer to the /hapusdata
// confirmation: confirmYes when it agrees naming the erasure, confirmVague
// when it only agrees, confirmNo when it declines, confirmUnclear when it
// names the erasure among other words, confirmNone when it is anything
// else. A word of refusal makes it no, however many words of agreement
// or erasure come with it ("tidak jadi dihapus ya bg", "jangan dihapus
// dulu"); with words of another kind ("hapus tp jgn tiket") it is
// unclear.
func typedConfirm(text string) int {
	var erase, agree, no, other bool
	for _, w := range textid.Tokens(text) {
		switch {
		case confirmNoWords[w]:
			no = true
		case confirmEraseWords[w]:
			erase = true
		case confirmAgreeWords[w]:
			agree = true
		case confirmFillers[w] || knowledge.AddressWord(w):
		default:
			other = true
		}
	}
	switch {
	case other && erase:
		return confirmUnclear
	case other:
		return confirmNone
	case no:
		return confirmNo
	case erase:
		return confirmYes
	case agree:
		return confirmVague
	}
	return confirmNone
}

// Typed feedback on an answer, as its buttons give it.
const (
	feedbackNone = iota
	feedbackYes
	feedbackNo
)

// Words of typed feedback on an answer, in textid.Tokens form:
// feedbackNegations and feedbackTopics make "belum terjawab", "kurang
// jelas", "bukan itu maksud saya", "tidak membantu sama sekali";
// feedbackPraise makes "sudah terjawab", "jelas, membantu sekali",
// "mantap bg"; feedbackFillers and forms of
// address (knowledge.AddressWord) go with either.
var (
	feedbackNegations = map[string]bool{"belum": true, "tidak": true, "bukan": true, "kurang": true, "salah": true}
	feedbackTopics    = map[string]bool{"terjawab": true, "jelas": true, "membantu": true, "sesuai": true, "cocok": true, "tepat": true,
		"benar": true, "paham": true, "mengerti": true, "maksud": true, "maksudnya": true, "dimaksud": true, "itu": true,
		"jawaban": true, "jawabannya": true, "mantap": true, "mantul": true, "keren": true}
	feedbackPraise = map[string]bool{"terjawab": true, "jelas": true, "membantu": true, "paham": true, "mengerti": true,
		"mantap": true, "mantul": true, "keren": true}
	feedbackFillers = map[string]bool{"sudah": true, "masih": true, "juga": true, "sangat": true, "sekali": true, "skali": true,
		"yang": true, "saya": true, "nya": true, "sama": true, "banget": true, "sih": true, "deh": true, "nih": true}
)

// typedFeedback reads text, typed right after an answer, as what its
// buttons say: feedbackNo for "Belum", a negated topic ("belum
// terjawab", "kurang jelas", "bukan itu", "tidak membantu sama sekali")
// or a thumbs down, feedbackYes for praise without a negation ("sudah
// terjawab", "mantap bg"), "udah" alone or a thumbs up, feedbackNone for
// anything else (a new question, thanks).
func typedFeedback(text string) int {
	words := textid.Tokens(text)
	if len(words) == 0 {
		return typedThumb(text)
	}
	var negated, topic, praise bool
	for _, w := range words {
		switch {
		case feedbackNegations[w]:
			negated = true
		case feedbackTopics[w]:
			topic = true
			praise = praise || feedbackPraise[w]
		case feedbackFillers[w] || knowledge.AddressWord(w):
		default:
			return feedbackNone
		}
	}
	switch {
	case negated && (topic || len(words) == 1 && words[0] == "belum"):
		return feedbackNo
	case praise && !negated, len(words) == 1 && words[0] == "sudah":
		return feedbackYes
	}
	return feedbackNone
}

// typedThumb reads text made of thumbs only, as the buttons show them
// ("Terjawab 👍", "Belum 👎"): feedbackYes for thumbs up, feedbackNo for
// thumbs down, whatever their skin tone; feedbackNone for anything else.
func typedThumb(text string) int {
	up, down := false, false
	for _, r := range text {
		switch {
		case r == '👍':
			up = true
		case r == '👎':
			down = true
		case unicode.IsSpace(r) || r == '\uFE0F' || r >= '\U0001F3FB' && r <= '\U0001F3FF':
			// The emoji variation selector and skin tones.
		default:
			return feedbackNone
		}
	}
	switch {
	case up && !down:
		return feedbackYes
	case down && !up:
		return feedbackNo
	}
	return feedbackNone
}

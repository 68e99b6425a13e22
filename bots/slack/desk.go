package slack

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/slack-go/slack"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/handlers"
	"github.com/tebingtinggi/hub/inbox"
	"github.com/tebingtinggi/hub/knowledge"
	"github.com/tebingtinggi/hub/outbox"
	"github.com/tebingtinggi/hub/storage"
)

// Searcher ranks the knowledge base's entries for a question;
// *knowledge.Index implements it.
type Searcher interface {
	Search(query string) knowledge.Result
}

// DeskConfig configures the hand-over desk in Slack.
type DeskConfig struct {
	// Channel is the desk channel's id (HUB_SLACK_DESK_CHANNEL).
	Channel string
	// Inbox is the one source of ticket state.
	Inbox *inbox.Store
	// Desk carries officers' replies and closings to the citizens.
	Desk *handlers.Desk
	// Knowledge and Index serve the candidates and the lessons.
	Knowledge *knowledge.Store
	Index     Searcher
	// Officers, when set, are the only users who may act on tickets.
	Officers *Officers
	// Waker is nudged after desk messages were enqueued (may be nil).
	Waker handlers.Waker
	// Every is how often the desk looks for changed tickets (default 2s).
	Every time.Duration
}

// Desk shows every ticket in the desk channel as one message, kept up to
// date as the ticket moves, and turns the buttons and modals on it into
// calls on the inbox and handlers.Desk: the rules (one claim wins, no
// reply to a closed ticket) are theirs, whoever acts, in Slack or with
// `hub inbox`.
type Desk struct {
	a    *Adapter
	cfg  DeskConfig
	wake chan struct{}
}

// NewDesk builds the desk on the adapter.
func (a *Adapter) NewDesk(cfg DeskConfig) (*Desk, error) {
	if cfg.Channel == "" || cfg.Inbox == nil || cfg.Desk == nil || cfg.Knowledge == nil || cfg.Index == nil {
		return nil, errors.New("slack: the desk needs a channel, the inbox, the help desk, the knowledge store and the index")
	}
	if cfg.Every <= 0 {
		cfg.Every = 2 * time.Second
	}
	return &Desk{a: a, cfg: cfg, wake: make(chan struct{}, 1)}, nil
}

// Wake makes the desk look for changed tickets now.
func (d *Desk) Wake() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Run keeps the desk channel in step with the tickets until ctx ends.
func (d *Desk) Run(ctx context.Context) {
	t := time.NewTicker(d.cfg.Every)
	defer t.Stop()
	failing := false
	for {
		err := d.Sync(ctx)
		switch {
		case err != nil && ctx.Err() == nil && !failing:
			failing = true
			d.a.log.Warn("slack: unable to update the desk", "error", err)
		case err == nil && failing:
			failing = false
			d.a.log.Info("slack: the desk is updated again")
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-d.wake:
		}
	}
}

// deskRow is a ticket's desk message as recorded.
type deskRow struct {
	TicketID int64  `db:"ticket_id"`
	Channel  string `db:"channel"`
	PostKey  string `db:"post_key"`
	// TS is the desk message's Slack ts, which is also its thread's
	// (empty until the post is sent; see keepTS).
	TS    string `db:"ts"`
	Shown string `db:"shown"`
	// Final is set once the closed ticket is shown and, for a citizen
	// who erased their data, its thread taken back: the desk is done.
	Final bool `db:"final"`
	// Threaded is how many follow-ups are in the message's thread.
	Threaded int `db:"threaded"`
}

// Sync posts the tickets that have no desk message yet, in ticket order,
// and edits those whose message shows an older state. Posts and edits go
// through the outbox; an edit waits until its post was sent.
func (d *Desk) Sync(ctx context.Context) error {
	db := d.a.cfg.DB
	var rows []deskRow
	if err := db.SelectContext(ctx, &rows, `SELECT ticket_id, channel, post_key, ts, shown, final, threaded FROM slack_desk WHERE NOT final`); err != nil {
		return fmt.Errorf("slack: unable to read the desk: %w", err)
	}
	known := make(map[int64]deskRow, len(rows))
	for _, r := range rows {
		known[r.TicketID] = r
	}
	var active []inbox.Ticket
	for _, st := range []inbox.TicketStatus{inbox.Open, inbox.Answered} {
		for off := 0; ; off += inbox.MaxLimit {
			page, err := d.cfg.Inbox.List(ctx, inbox.Filter{Status: st, Limit: inbox.MaxLimit, Offset: off})
			if err != nil {
				return err
			}
			for _, lt := range page.Tickets {
				active = append(active, lt.Ticket)
			}
			if len(page.Tickets) < inbox.MaxLimit {
				break
			}
		}
	}
	seen := map[int64]bool{}
	ids := make([]int64, 0, len(active)+len(rows))
	for _, t := range active {
		seen[t.ID] = true
		ids = append(ids, t.ID)
	}
	for _, r := range rows {
		if !seen[r.TicketID] {
			ids = append(ids, r.TicketID) // closed since it was shown
		}
	}
	slices.Sort(ids)
	enqueued := false
	for _, id := range ids {
		row, shown := known[id]
		done, err := d.show(ctx, id, row, shown)
		if err != nil {
			return err
		}
		enqueued = enqueued || done
	}
	noted, err := d.noteFailedFiles(ctx)
	if err != nil {
		return err
	}
	if (enqueued || noted) && d.cfg.Waker != nil {
		d.cfg.Waker.Wake()
	}
	return nil
}

// PersonTickets finds a person's tickets; *inbox.Store implements it.
type PersonTickets interface {
	TicketsOf(ctx context.Context, q storage.Querier, platform bots.Platform, userID string) ([]int64, error)
}

// ForgetOnDesk is the step of /hapusdata (handlers.Citizen.OnForget) that
// hands every ticket of the person back to the desk, open or closed: in
// the erasure's own transaction, their desk rows are made active again
// and what they show is cleared. The desk's next round, on any replica,
// then renders each ticket anew, finds it erased (inbox.Ticket.Erased)
// and takes it back as for a ticket the erasure closed: the message is
// edited to the erased form, the desk's copies redacted and the thread's
// posts and files deleted (see show and takeBack). The rows stay active
// until that is done, so a process that stops midway loses nothing, and
// a desk round that read a ticket before the erasure writes nothing (its
// guarded statements expect the old shown). It needs no Slack: hub chat,
// or a replica without the desk, leaves the work for one with it.
func ForgetOnDesk(db *storage.DB, tickets PersonTickets) func(ctx context.Context, tx *sqlx.Tx, platform bots.Platform, userID string) error {
	return func(ctx context.Context, tx *sqlx.Tx, platform bots.Platform, userID string) error {
		ids, err := tickets.TicketsOf(ctx, tx, platform, userID)
		if err != nil || len(ids) == 0 {
			return err
		}
		query, args, err := sqlx.In(`UPDATE slack_desk SET final = ?, shown = ?, updated_at = ? WHERE ticket_id IN (?)`,
			false, "", utc(time.Now()), ids)
		if err == nil {
			_, err = tx.ExecContext(ctx, db.Rebind(query), args...)
		}
		if err != nil {
			return fmt.Errorf("slack: unable to hand an erased citizen's tickets back to the desk: %w", err)
		}
		return nil
	}
}

// show brings one ticket's desk message up to date and reports whether it
// enqueued a message.
func (d *Desk) show(ctx context.Context, id int64, row deskRow, shown bool) (bool, error) {
	det, err := d.cfg.Inbox.Get(ctx, id)
	if errors.Is(err, inbox.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	claimedBy, err := d.cfg.Inbox.ClaimedBy(ctx, id)
	if err != nil {
		return false, err
	}
	out := d.render(det, claimedBy, d.a.now())
	digest := digestOf(out)
	final := det.Ticket.Status == inbox.Closed
	notes := followUpsOf(det)
	// An erased ticket's row is active again whether the ticket closed
	// before or by the erasure (see ForgetOnDesk).
	erased := shown && final && det.Ticket.Erased
	never := false
	if shown {
		if never, err = d.keepTS(ctx, &row); err != nil {
			return false, err
		}
	}
	if erased && digest == row.Shown {
		// The closed ticket is shown; its thread is still to be taken
		// back (the row stays active until it is).
		return d.takeBack(ctx, id, row)
	}
	db := d.a.cfg.DB
	now := utc(d.a.now())
	if shown && digest == row.Shown && len(notes) <= row.Threaded {
		if !final || row.TS == "" && !never {
			return false, nil
		}
		// Posted closed (see below), and its ts kept unless Slack never
		// took the post: done, unless the citizen erased their data
		// meanwhile, which cleared shown.
		err := guarded(ctx, db, `UPDATE slack_desk SET final = ?, updated_at = ? WHERE ticket_id = ? AND shown = ? AND threaded = ?`,
			[]any{true, now, id, row.Shown, row.Threaded}, func(*sqlx.Tx) error { return nil })
		if err != nil {
			return false, fmt.Errorf("slack: unable to finish ticket %d on the desk: %w", id, err)
		}
		return false, nil
	}
	if erased {
		// The citizen erased their data: the desk's copies of their words
		// (post, edits, thread follow-ups) are redacted before the closed
		// ticket's edit is queued, so that those not sent yet go out
		// without them; takeBack then deletes the thread's posts. The
		// redaction holds the desk row and happens only while the row
		// shows the older state: once another replica has queued the
		// closed ticket's edit, redacting would blank that edit too.
		err := guarded(ctx, db, `UPDATE slack_desk SET updated_at = ? WHERE ticket_id = ? AND shown = ? AND threaded = ?`,
			[]any{now, id, row.Shown, row.Threaded}, func(tx *sqlx.Tx) error {
				_, err := outbox.New(db).Redact(ctx, tx, row.PostKey, textErased)
				return err
			})
		if err != nil {
			return false, fmt.Errorf("slack: unable to redact ticket %d on the desk: %w", id, err)
		}
		final = false
	}
	if !shown {
		// Never final at once, even for a ticket posted closed: a row
		// inserted after the citizen's erasure, from what this round read
		// before it, would never be looked at again. The next round
		// marks it final, or finds it erased.
		key := "slack:desk:" + strconv.FormatInt(id, 10)
		err := guarded(ctx, db, `INSERT INTO slack_desk (ticket_id, channel, post_key, shown, final, updated_at)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (ticket_id) DO NOTHING`,
			[]any{id, d.cfg.Channel, key, digest, false, now}, enqueue(ctx, outbox.Message{Key: key, Out: out}))
		if err != nil {
			return false, fmt.Errorf("slack: unable to post ticket %d to the desk: %w", id, err)
		}
		return true, nil
	}
	if erased && never {
		// No message to edit: Slack never took the post. What can still
		// be found of the ticket's posts is taken back.
		return d.takeBack(ctx, id, row)
	}
	if row.TS == "" {
		return false, nil // not sent yet: edited at a later round
	}
	// The edit and the new follow-ups in the thread; the guarded UPDATE
	// lets one replica enqueue them.
	var msgs []outbox.Message
	if digest != row.Shown {
		out.EditOf = row.TS
		msgs = append(msgs, outbox.Message{Key: row.PostKey + editKeyPart + strconv.FormatInt(now.UnixMicro(), 10), Out: out})
	}
	for i := row.Threaded; i < len(notes); i++ {
		msgs = append(msgs, d.threadMessage(row.PostKey, row.TS, id, i, notes[i]))
	}
	err = guarded(ctx, db, `UPDATE slack_desk SET shown = ?, final = ?, threaded = ?, updated_at = ?
		WHERE ticket_id = ? AND shown = ? AND threaded = ?`,
		[]any{digest, final, max(len(notes), row.Threaded), now, id, row.Shown, row.Threaded}, enqueue(ctx, msgs...))
	if err != nil {
		return false, fmt.Errorf("slack: unable to update ticket %d on the desk: %w", id, err)
	}
	return true, nil
}

// keepTS copies the Slack ts of row's desk message from the outbox record
// of its post into the desk row, once the post is sent: retention purges
// that record, and an erasure years later still edits the message and
// reads its thread with the ts kept here. It reports whether there will
// never be a ts: Slack never took the post, or its record is gone (purged
// before this column existed, while the post was never seen sent).
func (d *Desk) keepTS(ctx context.Context, row *deskRow) (never bool, err error) {
	if row.TS != "" {
		return false, nil
	}
	db := d.a.cfg.DB
	rec, err := outbox.New(db).Get(ctx, row.PostKey)
	switch {
	case errors.Is(err, outbox.ErrNotFound):
		return true, nil
	case err != nil:
		return false, err
	case rec.Status == outbox.Failed || rec.Status == outbox.Skipped:
		return true, nil
	case rec.Status != outbox.Sent || rec.MessageID == "":
		return false, nil
	}
	// Every replica copies the same ts; the first one writes it.
	if _, err := db.ExecContext(ctx, db.Rebind(`UPDATE slack_desk SET ts = ? WHERE ticket_id = ? AND ts = ''`),
		rec.MessageID, row.TicketID); err != nil {
		return false, fmt.Errorf("slack: unable to keep ticket %d's desk message id: %w", row.TicketID, err)
	}
	row.TS = rec.MessageID
	return false, nil
}

// guarded runs a statement on a desk row in a transaction and, only when
// it changed the row, then in the same transaction: of several replicas
// syncing one ticket, the one whose statement wins enqueues, the others
// do nothing.
func guarded(ctx context.Context, db *storage.DB, query string, args []any, then func(tx *sqlx.Tx) error) error {
	return db.InTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, db.Rebind(query), args...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil // another replica did it
		}
		return then(tx)
	})
}

// enqueue is the step that queues msgs in a guarded transaction.
func enqueue(ctx context.Context, msgs ...outbox.Message) func(tx *sqlx.Tx) error {
	return func(tx *sqlx.Tx) error {
		_, err := outbox.Enqueue(ctx, tx, msgs...)
		return err
	}
}

func digestOf(out bots.Outgoing) string {
	h := sha256.New()
	h.Write([]byte(out.Text))
	for _, row := range out.Buttons {
		for _, b := range row {
			h.Write([]byte{0})
			h.Write([]byte(b.Text + "\x00" + b.Data))
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// The desk's button data: deskPrefix + verb + ":" + ticket id.
const (
	deskPrefix = "desk:"
	verbClaim  = "claim"
	verbAnswer = "answer"
	verbFAQ    = "faq"
	verbClose  = "close"
	// verbCloseUnanswered closes a ticket nobody answered: the button of
	// the confirmation that "Tutup" asks for such a ticket.
	verbCloseUnanswered = "close-unanswered"
	// verbRelease hands the claim back (inbox.Store.Release): only its
	// holder may.
	verbRelease = "release"
)

func (d *Desk) owns(data string) bool { return strings.HasPrefix(data, deskPrefix) }

// maskedNumber stands for a number that could identify a citizen.
const maskedNumber = "[angka disamarkan]"

// question is the citizen's question as the desk shows it: numbers that
// could identify someone are masked.
func question(det inbox.TicketDetail) string {
	return handlers.HideNumbers(det.Question(), maskedNumber)
}

// candidates are the bot's candidates for the ticket's question (as the
// desk shows it), none for a file or place sent without words
// (inbox.IsNoCaption): the words standing in for it are no question to
// search for.
func (d *Desk) candidates(det inbox.TicketDetail) []knowledge.Candidate {
	if inbox.IsNoCaption(det.Question()) {
		return nil
	}
	return d.cfg.Index.Search(question(det)).Candidates
}

// render is a ticket's desk message: the question, the bot's candidates,
// the SLA, where the ticket stands and the buttons that still apply.
func (d *Desk) render(det inbox.TicketDetail, claimedBy string, now time.Time) bots.Outgoing {
	t := det.Ticket
	var b strings.Builder
	fmt.Fprintf(&b, "Tiket #%d — %s\n\n", t.ID, statusText(t, claimedBy, now))
	if t.Erased {
		// Nothing of the citizen is left to show, nor to search with.
		fmt.Fprintf(&b, "Pertanyaan warga:\n%s\n", textErased)
	} else {
		q := question(det)
		fmt.Fprintf(&b, "Pertanyaan warga:\n%s\n", q)
		if follow := followUps(det); follow > 0 {
			fmt.Fprintf(&b, "(+%d pesan lanjutan dari warga)\n", follow)
		}
		if cands := d.candidates(det); len(cands) > 0 {
			b.WriteString("\nKandidat jawaban bot:\n")
			for i, c := range cands {
				fmt.Fprintf(&b, "%d. %s — %s (keyakinan %d%%)\n", i+1, c.Slug, c.Question, int(c.Score*100+0.5))
			}
		} else if inbox.IsNoCaption(det.Question()) {
			b.WriteString("\n" + textNoCandidatesSought + "\n")
		} else {
			b.WriteString("\nKandidat jawaban bot: tidak ada\n")
		}
	}
	fmt.Fprintf(&b, "\nBatas SLA: %s", t.DueAt.In(inbox.Jakarta()).Format("02-01-2006 15:04 MST"))
	out := bots.Outgoing{Platform: bots.Slack, ChatID: d.cfg.Channel, Text: b.String()}
	if t.Status == inbox.Closed {
		return out
	}
	id := strconv.FormatInt(t.ID, 10)
	var row []bots.Button
	if claimedBy == "" {
		row = append(row, bots.Button{Text: "Ambil", Data: deskPrefix + verbClaim + ":" + id})
	}
	row = append(row,
		bots.Button{Text: "Jawab", Data: deskPrefix + verbAnswer + ":" + id},
		bots.Button{Text: "Pakai jawaban FAQ", Data: deskPrefix + verbFAQ + ":" + id},
		bots.Button{Text: "Tutup", Data: deskPrefix + verbClose + ":" + id},
	)
	if claimedBy != "" {
		row = append(row, bots.Button{Text: "Lepas", Data: deskPrefix + verbRelease + ":" + id})
	}
	out.Buttons = [][]bots.Button{row}
	return out
}

// statusText is where the ticket stands, in its status's word
// (inbox.TicketStatus.Word, as the web desk and the terminal say it), and
// who moved it there.
func statusText(t inbox.Ticket, claimedBy string, now time.Time) string {
	s := t.Status.Word()
	switch t.Status {
	case inbox.Closed:
		if t.ClosedBy != "" {
			s += ", ditutup oleh " + t.ClosedBy
		}
		return s
	case inbox.Answered:
		s += " oleh " + t.AnsweredBy
	case inbox.Open:
		if t.FirstResponseAt != nil {
			s += " · warga membalas lagi"
		}
	}
	if claimedBy != "" {
		s += " · diambil oleh " + claimedBy
	}
	if t.Overdue(now) {
		s += " · ⚠️ LEWAT SLA"
	}
	return s
}

func followUps(det inbox.TicketDetail) int { return len(followUpsOf(det)) }

// followUp is one of the citizen's messages about a ticket after the
// first, as the desk shows it: its text (a file's caption) with
// identifying numbers masked, and the file it carries, if any; a shared
// location with its coordinates whole and a map link.
type followUp struct {
	Text string
	File *bots.Attachment
}

// followUpsOf are the citizen's messages about the ticket after the first.
func followUpsOf(det inbox.TicketDetail) []followUp {
	var out []followUp
	first := true
	for _, m := range det.Messages {
		if m.AuthorKind != inbox.Citizen || m.Direction != inbox.In {
			continue
		}
		if first {
			first = false
			continue
		}
		f := followUp{Text: handlers.HideNumbers(m.Text, maskedNumber)}
		if l := m.Location(); l != nil {
			f.Text = locationText(*l)
		}
		if m.Edited() {
			// The earlier message stays above it in the thread.
			f.Text = inbox.EditedLabel + " " + f.Text
		}
		if m.FileID != "" {
			f.File = &bots.Attachment{Platform: det.Conversation.Platform, Kind: m.FileKind, ID: m.FileID}
		}
		out = append(out, f)
	}
	return out
}

// locationText is a shared location as the desk shows it: its
// coordinates, which masking would take for a long number, in full, a
// link to the map, and a venue's name and address with identifying
// numbers masked.
func locationText(l inbox.Location) string {
	l.Name = handlers.HideNumbers(l.Name, maskedNumber)
	text, venue, _ := strings.Cut(l.Text(), "\n")
	text += "\n" + fmt.Sprintf(textMapLink, l.MapURL())
	if venue != "" {
		text += "\n" + venue
	}
	return text
}

// officerName is how a Slack user is named in tickets and revisions.
func officerName(u slack.User) string {
	if u.Name != "" {
		return "@" + u.Name
	}
	return "slack:" + u.ID
}

// allowed reports whether user may act on tickets (anyone in the desk
// channel when HUB_SLACK_OFFICERS is unset); a refused user is told.
func (d *Desk) allowed(ctx context.Context, user string, say func(string)) bool {
	return d.cfg.Officers == nil || d.cfg.Officers.admit(ctx, user, say)
}

// press handles a desk button.
func (d *Desk) press(ctx context.Context, cb slack.InteractionCallback, data string) error {
	verb, idText, _ := strings.Cut(strings.TrimPrefix(data, deskPrefix), ":")
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil || id <= 0 {
		return nil
	}
	say := func(text string) { d.a.ephemeral(ctx, d.cfg.Channel, cb.User.ID, text) }
	if !d.allowed(ctx, cb.User.ID, say) {
		return nil
	}
	officer := officerName(cb.User)
	now := d.a.now()
	defer d.Wake()
	switch verb {
	case verbClaim:
		_, err := d.cfg.Inbox.Claim(ctx, id, officer, now)
		if msg, handled := ticketRefusal(id, err); handled {
			say(msg)
			return nil
		}
		return err
	case verbAnswer, verbFAQ:
		if _, err := d.cfg.Inbox.Claim(ctx, id, officer, now); err != nil {
			if msg, handled := ticketRefusal(id, err); handled {
				say(msg)
				return nil
			}
			return err
		}
		det, err := d.cfg.Inbox.Get(ctx, id)
		if err != nil {
			return err
		}
		view := d.answerModal(det)
		if verb == verbFAQ {
			view = d.faqModal(det)
		}
		if _, err := d.a.api.OpenViewContext(ctx, cb.TriggerID, view); err != nil {
			d.a.log.Warn("slack: unable to open the desk's modal", "error", err)
			say(textModalFailed)
		}
		return nil
	case verbClose, verbCloseUnanswered:
		if verb == verbClose {
			asked, err := d.confirmUnanswered(ctx, cb.User.ID, id, officer, say)
			if asked || err != nil {
				return err
			}
		}
		// Slack knows no admins: a colleague's claim is theirs to close.
		_, err := d.cfg.Desk.Close(ctx, id, officer, false)
		var ce *inbox.ClaimedError
		if errors.As(err, &ce) {
			say(fmt.Sprintf(textCloseNotYours, id, ce.By, ce.By))
			return nil
		}
		if msg, handled := ticketRefusal(id, err); handled {
			say(msg)
			return nil
		}
		return err
	case verbRelease:
		held, err := d.cfg.Inbox.Release(ctx, id, officer, false)
		var ce *inbox.ClaimedError
		switch {
		case errors.As(err, &ce):
			say(fmt.Sprintf(textReleaseNotYours, id, ce.By, ce.By))
			return nil
		case err == nil && held == "":
			say(fmt.Sprintf(textReleaseNone, id))
			return nil
		case err == nil:
			say(fmt.Sprintf(textReleased, id))
			return nil
		}
		if msg, handled := ticketRefusal(id, err); handled {
			say(msg)
			return nil
		}
		return err
	}
	return nil
}

// confirmUnanswered asks the officer who pressed "Tutup" on a ticket
// nobody answered to confirm it, as the web desk does: the citizen gets
// no written answer (handlers.Desk.CloseAndTell). It reports whether it
// asked; a ticket answered, closed, missing or a colleague's is left to
// Close and its refusals. An officer's reply is never undone, so a
// ticket seen answered here is still answered when Close runs; one
// answered after the question closes as answered when confirmed.
func (d *Desk) confirmUnanswered(ctx context.Context, user string, id int64, officer string, say func(string)) (bool, error) {
	det, err := d.cfg.Inbox.Get(ctx, id)
	if errors.Is(err, inbox.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if det.Ticket.Replied() || det.Ticket.Status == inbox.Closed {
		return false, nil
	}
	by, err := d.cfg.Inbox.ClaimedBy(ctx, id)
	if err != nil {
		return false, err
	}
	if by != "" && by != officer {
		say(fmt.Sprintf(textCloseNotYours, id, by, by))
		return true, nil
	}
	confirm := bots.Button{Text: textCloseUnansweredButton, Data: deskPrefix + verbCloseUnanswered + ":" + strconv.FormatInt(id, 10)}
	d.a.ephemeralButtons(ctx, d.cfg.Channel, user, fmt.Sprintf(textCloseUnansweredAsk, id), [][]bots.Button{{confirm}})
	return true, nil
}

// ticketRefusal turns the inbox's refusals into what the officer reads.
func ticketRefusal(id int64, err error) (string, bool) {
	var ce *inbox.ClaimedError
	switch {
	case err == nil:
		return "", false
	case errors.As(err, &ce):
		return fmt.Sprintf(textClaimedByOther, id, ce.By), true
	case errors.Is(err, inbox.ErrClosed):
		return fmt.Sprintf(textTicketClosed, id), true
	case errors.Is(err, inbox.ErrNotFound):
		return fmt.Sprintf(textTicketMissing, id), true
	case errors.Is(err, handlers.ErrForgotten):
		return fmt.Sprintf(textCitizenForgot, id), true
	case errors.Is(err, inbox.ErrSameReply):
		return fmt.Sprintf(textSameReply, id), true
	}
	return "", false
}

package inbox

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/storage"
)

// Direction tells messages to the hub from messages from it.
type Direction string

// The directions.
const (
	In  Direction = "in"
	Out Direction = "out"
)

// AuthorKind says who wrote a message.
type AuthorKind string

// The author kinds.
const (
	Citizen AuthorKind = "citizen"
	Bot     AuthorKind = "bot"
	Officer AuthorKind = "officer"
)

// Word names the author as officers read it everywhere (the web desk
// capitalises it): "warga", "bot" or "petugas"; an unknown kind as it is.
func (k AuthorKind) Word() string { return cmp.Or(authorWords[k], string(k)) }

var authorWords = map[AuthorKind]string{Citizen: "warga", Bot: "bot", Officer: "petugas"}

// Author is who wrote a message; Name is set for officers. Decision, for
// the bot's messages, is what the engine decided and on which entries
// (see Decision), so that officers read entry ids rather than whole
// answers again.
type Author struct {
	Kind     AuthorKind
	Name     string
	Decision string
	// MessageID, for a citizen's message, is the platform's id of the
	// message it came in (Telegram's message_id), by which an edit of it
	// finds it (see LogEdit); see origin for a message without one.
	MessageID string
}

// origin is the value a citizen's message logged in conversation convID
// with the words text keeps as its platform_message_id, and its
// arguments: messageID, or, when that is "" (a question logged again by
// a button press, the message that carried the button being the bot's
// own), the id of the newest earlier citizen's message of the
// conversation with the same words, so that an edit of that message still
// finds the ticket; "" when there is none either.
func origin(convID int64, text, messageID string) (string, []any) {
	return `COALESCE(NULLIF(?, ''), (SELECT o.platform_message_id FROM messages o
		WHERE o.conversation_id = ? AND o.author_kind = 'citizen' AND o.text = ? AND o.platform_message_id <> ''
		ORDER BY o.id DESC LIMIT 1), '')`, []any{messageID, convID, text}
}

// Decision is how a bot's message is described in the log: the engine's
// decision followed by the entries it concerns, "answer ktp-hilang" or
// "clarify a,b".
func Decision(decision string, slugs ...string) string {
	if len(slugs) == 0 {
		return decision
	}
	return decision + " " + strings.Join(slugs, ",")
}

// Message is one logged message.
type Message struct {
	ID             int64      `db:"id"`
	ConversationID int64      `db:"conversation_id"`
	TicketID       *int64     `db:"ticket_id"`
	Direction      Direction  `db:"direction"`
	AuthorKind     AuthorKind `db:"author_kind"`
	AuthorName     string     `db:"author_name"`
	Text           string     `db:"text"`
	CreatedAt      time.Time  `db:"created_at"`
	// Decision is the Author's Decision of a bot's message.
	Decision string `db:"decision"`
	// FileKind and FileID describe a file the citizen sent (see File);
	// Text is then its caption. Both are "" on other messages.
	FileKind string `db:"file_kind"`
	FileID   string `db:"file_id"`
	// Latitude and Longitude are set on a location the citizen shared
	// (see Location, and Message.Location); Text then says it in words.
	Latitude  *float64 `db:"latitude"`
	Longitude *float64 `db:"longitude"`
	// EditOf, on a citizen's message that corrects an earlier one (see
	// LogEdit), is that message's id; nil on every other message.
	EditOf *int64 `db:"edit_of"`
}

const messageColumns = `id, conversation_id, ticket_id, direction, author_kind, author_name, text, created_at, decision, file_kind, file_id, latitude, longitude, edit_of`

// File is a file a citizen sent (a photo, document, voice note, audio,
// video or video note): the platform's reference to it, not the file.
// Officers' desks fetch it from the platform when shown.
type File struct {
	// Kind is one of FileKinds.
	Kind string
	// ID is the platform's file id (Telegram's file_id).
	ID      string
	Caption string
	// MessageID is the platform's id of the citizen's message that
	// carried the file (see Author.MessageID).
	MessageID string
}

// FileKinds are the files a conversation keeps, by their platform-neutral
// names (bots.Incoming.Media).
var FileKinds = []string{"photo", "document", "voice", "audio", "video", "video_note"}

// FileWord names a kind of file as officers and citizens read it
// everywhere: "foto", "dokumen", "pesan suara", "audio", "video" or
// "video bulat" (Telegram's round video message), and "berkas" (a file)
// for a kind the hub does not keep.
func FileWord(kind string) string { return cmp.Or(fileWords[kind], "berkas") }

var fileWords = map[string]string{
	"photo":      "foto",
	"document":   "dokumen",
	"voice":      "pesan suara",
	"audio":      "audio",
	"video":      "video",
	"video_note": "video bulat",
}

// NoCaption is the question of a ticket opened by a file or a place sent
// without words, media being its kind (bots.Incoming.Media): "(pesan
// suara tanpa keterangan)", "(lokasi tanpa keterangan)". Such a question
// holds nothing to learn from: the unanswered questions leave it out.
func NoCaption(media string) string {
	word := FileWord(media)
	if media == "location" || media == "venue" {
		word = "lokasi"
	}
	return "(" + word + " tanpa keterangan)"
}

// IsNoCaption reports whether question is one NoCaption writes: the
// question of a ticket opened by a file or a place sent without words,
// which holds no words of the citizen's. The bot has nothing to search
// for in it, nor to learn from: the desks suggest no FAQ answers for it
// and refuse to teach the bot with it.
func IsNoCaption(question string) bool { return noCaptions[question] }

// noCaptions are the questions NoCaption writes.
var noCaptions = func() map[string]bool {
	m := map[string]bool{NoCaption("location"): true, NoCaption(""): true}
	for _, kind := range FileKinds {
		m[NoCaption(kind)] = true
	}
	return m
}()

// Location is a place a citizen shared: coordinates in degrees and, for a
// venue, its name and address as one line (Name).
type Location struct {
	Latitude  float64
	Longitude float64
	Name      string
	// MessageID, when logging the location, is the platform's id of the
	// citizen's message that shared it (see Author.MessageID); "" on a
	// Location read back (Message.Location).
	MessageID string
}

// locationPrefix opens the text of a shared location's message.
const locationPrefix = "📍 Lokasi: "

// Coordinates are the location as officers read and paste it:
// "-3.3285, 99.1625", to the sixth decimal (about 10 cm).
func (l Location) Coordinates() string { return degrees(l.Latitude) + ", " + degrees(l.Longitude) }

// MapURL is a link to the location on a map (Google Maps, which officers
// open on their phones too).
func (l Location) MapURL() string {
	return "https://www.google.com/maps?q=" + degrees(l.Latitude) + "," + degrees(l.Longitude)
}

// Text is the location's message as logged and read everywhere:
// "📍 Lokasi: -3.3285, 99.1625", and the venue's name on a second line.
func (l Location) Text() string {
	text := locationPrefix + l.Coordinates()
	if l.Name != "" {
		text += "\n" + l.Name
	}
	return text
}

func degrees(x float64) string {
	s := strings.TrimRight(strconv.FormatFloat(x, 'f', 6, 64), "0")
	s = strings.TrimSuffix(s, ".")
	if s == "-0" {
		s = "0"
	}
	return s
}

// Location is the location a citizen shared in m, nil when m is not one.
func (m Message) Location() *Location {
	if m.Latitude == nil || m.Longitude == nil {
		return nil
	}
	l := Location{Latitude: *m.Latitude, Longitude: *m.Longitude}
	if _, name, ok := strings.Cut(m.Text, "\n"); ok {
		l.Name = name
	}
	return &l
}

// LogLocation records a location the citizen shared in the conversation,
// in tx, at the store's clock, as LogFile records a file: with the
// conversation's ticket that is not closed, if any (returned, found
// true). Its message's text is l.Text.
func (s *Store) LogLocation(ctx context.Context, tx *sqlx.Tx, convID int64, l Location) (t Ticket, found bool, err error) {
	m, err := l.attached()
	if err != nil {
		return Ticket{}, false, err
	}
	return s.logAttached(ctx, tx, convID, m)
}

// attached is the location's message, or why it cannot be logged.
func (l Location) attached() (attached, error) {
	if !(l.Latitude >= -90 && l.Latitude <= 90 && l.Longitude >= -180 && l.Longitude <= 180) {
		// Without the values: a place is personal data, and errors are
		// logged.
		return attached{}, errors.New("inbox: unable to log a location: want a latitude within ±90 and a longitude within ±180 degrees")
	}
	l.Name = strings.Join(strings.Fields(l.Name), " ") // one line
	return attached{text: l.Text(), lat: &l.Latitude, lon: &l.Longitude, messageID: l.MessageID}, nil
}

// LogFile records a file the citizen sent in the conversation, in tx, at
// the store's clock. While the conversation has a ticket that is not
// closed, the file joins it as the citizen's text does (an answered
// ticket is open again); it returns that ticket, or found false.
func (s *Store) LogFile(ctx context.Context, tx *sqlx.Tx, convID int64, f File) (t Ticket, found bool, err error) {
	m, err := f.attached()
	if err != nil {
		return Ticket{}, false, err
	}
	return s.logAttached(ctx, tx, convID, m)
}

// attached is the file's message, or why it cannot be logged.
func (f File) attached() (attached, error) {
	if !slices.Contains(FileKinds, f.Kind) || strings.TrimSpace(f.ID) == "" {
		return attached{}, fmt.Errorf("inbox: unable to log a file: want one of %s with an id, got kind %q", strings.Join(FileKinds, ", "), f.Kind)
	}
	return attached{text: f.Caption, fileKind: f.Kind, fileID: f.ID, messageID: f.MessageID}, nil
}

// KeepFile records a file the citizen sent in the conversation, in tx, at
// the store's clock, as LogMessage records a citizen's text: tied to
// ticketID when it is not zero (a ticket of the conversation), whose
// status stays as it is. It is for a file the hub keeps without acting on
// it (one the per-person rate limit silenced); LogFile is for one that
// reaches an officer.
func (s *Store) KeepFile(ctx context.Context, tx *sqlx.Tx, convID, ticketID int64, f File) (Message, error) {
	m, err := f.attached()
	if err != nil {
		return Message{}, err
	}
	return s.insertMessage(ctx, tx, convID, ticketID, In, Author{Kind: Citizen, MessageID: m.messageID}, m, s.now())
}

// KeepLocation records a location the citizen shared as KeepFile records
// a file; its message's text is l.Text, as LogLocation's.
func (s *Store) KeepLocation(ctx context.Context, tx *sqlx.Tx, convID, ticketID int64, l Location) (Message, error) {
	m, err := l.attached()
	if err != nil {
		return Message{}, err
	}
	return s.insertMessage(ctx, tx, convID, ticketID, In, Author{Kind: Citizen, MessageID: m.messageID}, m, s.now())
}

// attached is a citizen's message that carries more than text: a file or
// a location.
type attached struct {
	text             string
	fileKind, fileID string
	lat, lon         *float64
	messageID        string // the citizen's platform message (File.MessageID)
}

// logAttached logs m as LogFile and LogLocation say.
func (s *Store) logAttached(ctx context.Context, tx *sqlx.Tx, convID int64, m attached) (t Ticket, found bool, err error) {
	now := utc(s.now())
	t, found, err = s.activeTicket(ctx, tx, convID)
	if err != nil {
		return Ticket{}, false, err
	}
	var ticket *int64
	if found {
		if _, err := tx.ExecContext(ctx, s.db.Rebind(`UPDATE tickets SET status = 'open' WHERE id = ? AND status <> 'closed'`), t.ID); err != nil {
			return Ticket{}, false, fmt.Errorf("inbox: unable to add a %s to ticket %d: %w", m.what(), t.ID, err)
		}
		ticket = &t.ID
	}
	from, fromArgs := origin(convID, m.text, m.messageID)
	if _, err := tx.ExecContext(ctx, s.db.Rebind(`INSERT INTO messages (conversation_id, ticket_id, direction, author_kind, author_name, text, created_at, file_kind, file_id, latitude, longitude, platform_message_id)
		VALUES (?, ?, 'in', 'citizen', '', ?, ?, ?, ?, ?, ?, `+from+`)`), append([]any{convID, ticket, m.text, now, m.fileKind, m.fileID, m.lat, m.lon}, fromArgs...)...); err != nil {
		return Ticket{}, false, fmt.Errorf("inbox: unable to log a %s: %w", m.what(), err)
	}
	if err := s.touch(ctx, tx, convID, now); err != nil {
		return Ticket{}, false, err
	}
	if found {
		t, err = s.ticket(ctx, tx, t.ID)
	}
	return t, found, err
}

func (m attached) what() string {
	if m.lat != nil {
		return "location"
	}
	return "file"
}

// LogMessage records one message of a conversation, tied to a ticket of
// that conversation when ticketID is not zero, at the store's clock, in
// tx.
func (s *Store) LogMessage(ctx context.Context, tx *sqlx.Tx, convID, ticketID int64, dir Direction, author Author, text string) (Message, error) {
	return s.logMessage(ctx, tx, convID, ticketID, dir, author, text, s.now())
}

// LogExchange logs a citizen's message and the bot's reply to it, like two
// LogMessage calls, in tx. conv and ticketID are what
// EnsureConversationTicket returned in the same transaction: the messages
// bear the time it recorded as the conversation's last message, so that
// last_message_at needs no second write.
// decision is the reply's (see Decision); messageID, the platform's id
// of the citizen's message (see Author.MessageID).
func (s *Store) LogExchange(ctx context.Context, tx *sqlx.Tx, conv Conversation, ticketID int64, messageID, question, reply, decision string) error {
	at := utc(conv.LastMessageAt)
	var ticket *int64
	if ticketID != 0 {
		ticket = &ticketID
	}
	// Rows are numbered in VALUES order: the question comes first.
	from, fromArgs := origin(conv.ID, question, messageID)
	args := append([]any{conv.ID, ticket, question, at}, fromArgs...)
	if _, err := tx.ExecContext(ctx, s.db.Rebind(`INSERT INTO messages (conversation_id, ticket_id, direction, author_kind, author_name, text, created_at, decision, platform_message_id)
		VALUES (?, ?, 'in', 'citizen', '', ?, ?, '', `+from+`), (?, ?, 'out', 'bot', '', ?, ?, ?, NULL)`),
		append(args, conv.ID, ticket, reply, at, decision)...); err != nil {
		return fmt.Errorf("inbox: unable to log message: %w", err)
	}
	return nil
}

// LogChatExchange is EnsureConversationTicket and LogExchange together, in
// tx: it logs a citizen's message and the bot's reply to it in the
// citizen's conversation, created on first contact, and ties both to the
// conversation's ticket that is not closed. decision is the reply's (see
// Decision); messageID, the platform's id of the citizen's message (see
// Author.MessageID). On PostgreSQL it is one statement, where the two would be
// two round trips of every answered question: the messages are inserted
// from what the conversation's upsert returns.
func (s *Store) LogChatExchange(ctx context.Context, tx *sqlx.Tx, platform bots.Platform, chatID, userID, displayName, messageID, question, reply, decision string) error {
	if s.db.Dialect != storage.Postgres {
		conv, ticket, err := s.EnsureConversationTicket(ctx, tx, platform, chatID, userID, displayName)
		if err != nil {
			return err
		}
		return s.LogExchange(ctx, tx, conv, ticket, messageID, question, reply, decision)
	}
	if platform == "" || chatID == "" || userID == "" {
		return errors.New("inbox: unable to ensure conversation: platform, chat id and user id are required")
	}
	now := utc(s.now())
	// The conversation's id is the upsert's.
	from, fromArgs := origin(0, question, messageID)
	from, fromArgs = strings.Replace(from, "o.conversation_id = ?", "o.conversation_id = c.id", 1), []any{fromArgs[0], fromArgs[2]}
	// The question is inserted first, and so numbered first.
	if _, err := tx.ExecContext(ctx, s.db.Rebind(`WITH c AS (`+upsertConversation+`
			RETURNING id, last_message_at, `+activeTicket+`)
		INSERT INTO messages (conversation_id, ticket_id, direction, author_kind, author_name, text, created_at, decision, platform_message_id)
		SELECT id, active_ticket, 'in', 'citizen', '', ?, last_message_at, '', `+from+` FROM c
		UNION ALL SELECT id, active_ticket, 'out', 'bot', '', ?, last_message_at, ?, NULL FROM c`),
		append(append([]any{string(platform), chatID, userID, displayName, now, now, question}, fromArgs...), reply, decision)...); err != nil {
		return fmt.Errorf("inbox: unable to log message: %w", err)
	}
	return nil
}

// touch moves the conversation's last_message_at forward to now, never
// back.
func (s *Store) touch(ctx context.Context, tx *sqlx.Tx, convID int64, now time.Time) error {
	if _, err := tx.ExecContext(ctx, s.db.Rebind(`UPDATE conversations SET last_message_at = ? WHERE id = ? AND last_message_at < ?`), now, convID, now); err != nil {
		return fmt.Errorf("inbox: unable to log message: %w", err)
	}
	return nil
}

// LastQuestion is the text of the newest message the citizen wrote in a
// conversation, "" when there is none (or it was erased).
func (s *Store) LastQuestion(ctx context.Context, q storage.Querier, convID int64) (string, error) {
	var text string
	err := q.GetContext(ctx, &text, s.db.Rebind(`SELECT text FROM messages
		WHERE conversation_id = ? AND direction = 'in' ORDER BY id DESC LIMIT 1`), convID)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("inbox: unable to read the last question: %w", err)
	}
	return text, nil
}

// RecentMessages returns a conversation's messages logged at or after
// since, oldest first: at most limit of them, the newest. It is the
// conversation's recent history, for a flow that reads what the citizen
// asked and what became of it.
func (s *Store) RecentMessages(ctx context.Context, q storage.Querier, convID int64, since time.Time, limit int) ([]Message, error) {
	if limit <= 0 {
		return nil, fmt.Errorf("inbox: unable to read recent messages: want a positive limit, got %d", limit)
	}
	var msgs []Message
	if err := q.SelectContext(ctx, &msgs, s.db.Rebind(`SELECT `+messageColumns+` FROM messages
		WHERE conversation_id = ? AND created_at >= ? ORDER BY id DESC LIMIT ?`), convID, utc(since), limit); err != nil {
		return nil, fmt.Errorf("inbox: unable to read recent messages: %w", err)
	}
	slices.Reverse(msgs)
	for i := range msgs {
		msgs[i].CreatedAt = msgs[i].CreatedAt.UTC()
	}
	return msgs, nil
}

// ChatReplies returns, for each member of chatID on platform with a
// conversation there, the distinct decisions of the bot's replies still
// logged in it (see Author.Decision). In a group it tells whose question
// a reply's buttons belong to once the reply is beyond a member's recent
// history.
func (s *Store) ChatReplies(ctx context.Context, q storage.Querier, platform bots.Platform, chatID string) (map[string][]string, error) {
	var rows []struct {
		UserID   string `db:"user_id"`
		Decision string `db:"decision"`
	}
	if err := q.SelectContext(ctx, &rows, s.db.Rebind(`SELECT DISTINCT c.user_id, m.decision FROM messages m
		JOIN conversations c ON c.id = m.conversation_id
		WHERE c.platform = ? AND c.chat_id = ? AND m.direction = ? AND m.author_kind = ? AND m.decision <> ''`),
		string(platform), chatID, string(Out), string(Bot)); err != nil {
		return nil, fmt.Errorf("inbox: unable to read the chat's replies: %w", err)
	}
	byUser := make(map[string][]string)
	for _, r := range rows {
		byUser[r.UserID] = append(byUser[r.UserID], r.Decision)
	}
	return byUser, nil
}

func (s *Store) logMessage(ctx context.Context, tx *sqlx.Tx, convID, ticketID int64, dir Direction, author Author, text string, now time.Time) (Message, error) {
	return s.insertMessage(ctx, tx, convID, ticketID, dir, author, attached{text: text}, now)
}

// insertMessage logs a message, text or more (a citizen's file or
// location), tied to ticketID when it is not zero, at now, in tx.
func (s *Store) insertMessage(ctx context.Context, tx *sqlx.Tx, convID, ticketID int64, dir Direction, author Author, a attached, now time.Time) (Message, error) {
	switch {
	case dir != In && dir != Out:
		return Message{}, fmt.Errorf("inbox: unable to log message: unknown direction %q", dir)
	case author.Kind != Citizen && author.Kind != Bot && author.Kind != Officer:
		return Message{}, fmt.Errorf("inbox: unable to log message: unknown author kind %q", author.Kind)
	case author.Kind == Officer && strings.TrimSpace(author.Name) == "":
		return Message{}, errors.New("inbox: unable to log message: an officer's message needs the officer's name")
	}
	now = utc(now)
	var ticket *int64
	if ticketID != 0 {
		ticket = &ticketID
	}
	m := Message{ConversationID: convID, TicketID: ticket, Direction: dir, AuthorKind: author.Kind,
		AuthorName: author.Name, Text: a.text, CreatedAt: now, Decision: author.Decision,
		FileKind: a.fileKind, FileID: a.fileID, Latitude: a.lat, Longitude: a.lon}
	// The foreign keys check that the conversation and the ticket exist;
	// the condition, that the ticket is the conversation's own.
	// Only a citizen's message keeps where it came from.
	from, fromArgs := `NULL`, []any(nil)
	if author.Kind == Citizen {
		from, fromArgs = origin(convID, a.text, author.MessageID)
	}
	args := []any{convID, ticket, string(dir), string(author.Kind), author.Name, a.text, now, author.Decision, a.fileKind, a.fileID, a.lat, a.lon}
	args = append(append(args, fromArgs...), ticketID, ticketID, convID)
	err := tx.QueryRowxContext(ctx, s.db.Rebind(`INSERT INTO messages (conversation_id, ticket_id, direction, author_kind, author_name, text, created_at, decision, file_kind, file_id, latitude, longitude, platform_message_id)
		SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, `+from+` WHERE ? = 0 OR EXISTS (SELECT 1 FROM tickets WHERE id = ? AND conversation_id = ?)
		RETURNING id`), args...).Scan(&m.ID)
	if errors.Is(err, sql.ErrNoRows) {
		return Message{}, fmt.Errorf("inbox: unable to log message: ticket %d is not one of conversation %d", ticketID, convID)
	}
	if err != nil {
		return Message{}, fmt.Errorf("inbox: unable to log message: %w", err)
	}
	if err := s.touch(ctx, tx, convID, now); err != nil {
		return Message{}, err
	}
	return m, nil
}

// PurgeMessagesBefore enforces retention: it deletes the messages logged
// before t; blanks the subject and rating comment of tickets closed before
// t, which quote the citizen too, and the subject of tickets opened before
// t and never closed; blanks the name of conversations idle since before
// t and, when none of their tickets is still open or answered, replaces
// their chat and user ids with the tombstone Forget uses. It returns how
// many messages it deleted. Tickets themselves stay, for statistics.
func (s *Store) PurgeMessagesBefore(ctx context.Context, t time.Time) (int64, error) {
	var n int64
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		// Found by id (see storage.OlderThan).
		older, args := storage.OlderThan("messages", t, s.now())
		res, err := tx.ExecContext(ctx, s.db.Rebind(`DELETE FROM messages WHERE `+older), args...)
		if err != nil {
			return fmt.Errorf("inbox: unable to purge messages: %w", err)
		}
		if n, err = res.RowsAffected(); err != nil {
			return fmt.Errorf("inbox: unable to purge messages: %w", err)
		}
		for _, stmt := range []string{
			`UPDATE tickets SET subject = '', rating_comment = ''
				WHERE status = 'closed' AND closed_at < ? AND (subject <> '' OR rating_comment <> '')`,
			`UPDATE tickets SET subject = '' WHERE status <> 'closed' AND created_at < ? AND subject <> ''`,
			`UPDATE conversations SET display_name = '' WHERE last_message_at < ? AND display_name <> ''`,
			// A conversation with a ticket still open or answered keeps its
			// ids, so that the officer's reply can reach the citizen.
			`UPDATE conversations SET chat_id = 'forgotten:' || id, user_id = 'forgotten:' || id
				WHERE last_message_at < ? AND user_id NOT LIKE 'forgotten:%'
				AND NOT EXISTS (SELECT 1 FROM tickets WHERE conversation_id = conversations.id AND status <> 'closed')`,
		} {
			if _, err := tx.ExecContext(ctx, s.db.Rebind(stmt), utc(t)); err != nil {
				return fmt.Errorf("inbox: unable to purge personal data of tickets and conversations: %w", err)
			}
		}
		return nil
	})
	return n, err
}

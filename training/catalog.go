package training

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// Training is one course of the catalogue.
type Training struct {
	ID    int64  `db:"id"`
	Code  string `db:"code"`
	Title string `db:"title"`
	// Competency lists the ids of the digital self-assessment's
	// competencies the training covers, as "data | spbe" (see
	// CompetencyIDs and Competencies).
	Competency string `db:"competency"`
	// Hours is the length in JP (jam pelajaran, 45 minutes each).
	Hours int `db:"hours"`
	// Provider runs it: LAN, BPSDM Provinsi Sumatera Utara, a partner
	// university, an e-learning platform.
	Provider  string    `db:"provider"`
	UpdatedAt time.Time `db:"updated_at"`
}

// SessionStatus says whether a session will take place.
type SessionStatus string

// The session statuses.
const (
	Scheduled SessionStatus = "scheduled"
	Cancelled SessionStatus = "cancelled"
)

// Session is one run of a training.
type Session struct {
	ID           int64         `db:"id"`
	Code         string        `db:"code"`
	TrainingID   int64         `db:"training_id"`
	TrainingCode string        `db:"training_code"`
	Title        string        `db:"title"`
	Start        time.Time     `db:"starts_at"`
	End          time.Time     `db:"ends_at"`
	Place        string        `db:"place"`
	OnlineURL    string        `db:"online_url"`
	TimeZone     string        `db:"time_zone"`
	Status       SessionStatus `db:"status"`
}

func (s *Session) normalise() {
	s.Start, s.End = s.Start.UTC(), s.End.UTC()
}

// RSVP is a person's answer to "will you attend?".
type RSVP string

// The RSVP values.
const (
	RSVPNone RSVP = "none"
	RSVPYes  RSVP = "hadir"
	RSVPNo   RSVP = "berhalangan"
)

// Enrolment is one ASN's place in one session.
type Enrolment struct {
	ID        int64  `db:"id"`
	SessionID int64  `db:"session_id"`
	NIP       string `db:"nip"`
	// Name and Unit are the ASN's, from the staff list.
	Name       string     `db:"name"`
	Unit       string     `db:"unit_code"`
	RSVP       RSVP       `db:"rsvp"`
	RSVPReason string     `db:"rsvp_reason"`
	RSVPAt     *time.Time `db:"rsvp_at"`
	// Attended is nil until an officer records attendance.
	Attended *bool `db:"attended"`
}

// The headers of the catalogue, session and enrolment import files.
var (
	TrainingColumns  = []string{"code", "title", "competency", "hours", "provider"}
	SessionColumns   = []string{"code", "training", "start", "end", "place", "online_url", "status", "tz"}
	EnrolmentColumns = []string{"session", "nip", "attended"}
)

var codePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// ImportTrainings upserts catalogue entries by code from a CSV file with
// the header code,title,competency,hours,provider (competency — ids of the
// self-assessment's competencies separated by "|" —, hours in JP and
// provider may be empty), in one transaction, and returns how many rows
// it read. On any problem it imports nothing and returns ImportErrors.
func (s *Store) ImportTrainings(ctx context.Context, r io.Reader, name string) (int, error) {
	ts, err := ParseTrainings(r, name)
	if err != nil {
		return 0, err
	}
	now := utc(time.Now())
	err = s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		q := s.db.Rebind(`INSERT INTO trainings (code, title, competency, hours, provider, updated_at) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (code) DO UPDATE SET title = excluded.title, competency = excluded.competency,
				hours = excluded.hours, provider = excluded.provider, updated_at = excluded.updated_at`)
		for _, t := range ts {
			if _, err := tx.ExecContext(ctx, q, t.Code, t.Title, t.Competency, t.Hours, t.Provider, now); err != nil {
				return fmt.Errorf("training: unable to save training %s: %w", t.Code, err)
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return len(ts), nil
}

// ParseTrainings reads a catalogue file (see ImportTrainings) without
// touching the database.
func ParseTrainings(r io.Reader, name string) ([]Training, error) {
	first := map[string]int{}
	ts, p, err := parseRows(r, name, TrainingColumns[:2], TrainingColumns[2:], func(rec csvRecord, p *problems) Training {
		return trainingOf(rec, p, first)
	})
	if err != nil {
		return nil, err
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	return ts, nil
}

// trainingOf reads and checks one catalogue record, from a file or a
// form; first finds codes repeated within one file.
func trainingOf(rec csvRecord, p *problems, first map[string]int) Training {
	t := Training{Code: rec.cells["code"], Title: rec.cells["title"], Competency: rec.cells["competency"], Provider: rec.cells["provider"]}
	p.code(rec, first, codePattern, 64, "pelatihan", t.Code)
	if t.Title == "" {
		p.add(rec.at("title"), "title", "judul kosong")
	}
	var err error
	if t.Competency, err = parseCompetencies(t.Competency); err != nil {
		p.add(rec.at("competency"), "competency", "%v", err)
	}
	if h := rec.cells["hours"]; h != "" {
		n, err := strconv.Atoi(h)
		if err != nil || n < 0 || n > 1000 {
			p.add(rec.at("hours"), "hours", "jam %q: isi bilangan bulat JP dari 0 sampai 1000", h)
		}
		t.Hours = n
	}
	return t
}

// Trainings returns the catalogue, ordered by code.
func (s *Store) Trainings(ctx context.Context) ([]Training, error) {
	var out []Training
	if err := s.db.SelectContext(ctx, &out, `SELECT id, code, title, competency, hours, provider, updated_at FROM trainings ORDER BY code`); err != nil {
		return nil, fmt.Errorf("training: unable to list trainings: %w", err)
	}
	return out, nil
}

// GetTraining returns a training by id, or ErrNotFound.
func (s *Store) GetTraining(ctx context.Context, id int64) (Training, error) {
	var t Training
	err := s.db.GetContext(ctx, &t, s.db.Rebind(`SELECT id, code, title, competency, hours, provider, updated_at FROM trainings WHERE id = ?`), id)
	if errors.Is(err, sql.ErrNoRows) {
		return Training{}, ErrNotFound
	}
	if err != nil {
		return Training{}, fmt.Errorf("training: unable to fetch training %d: %w", id, err)
	}
	return t, nil
}

// TrainingByCode returns a training by its code, or ErrNotFound.
func (s *Store) TrainingByCode(ctx context.Context, code string) (Training, error) {
	var t Training
	err := s.db.GetContext(ctx, &t, s.db.Rebind(`SELECT id, code, title, competency, hours, provider, updated_at FROM trainings WHERE code = ?`), code)
	if errors.Is(err, sql.ErrNoRows) {
		return Training{}, ErrNotFound
	}
	if err != nil {
		return Training{}, fmt.Errorf("training: unable to fetch training %s: %w", code, err)
	}
	return t, nil
}

// ChangeKind says how a re-imported session changed.
type ChangeKind string

// The kinds of session change that enrolled ASN are told about.
const (
	ChangeRescheduled ChangeKind = "rescheduled" // start or end moved
	ChangeMoved       ChangeKind = "moved"       // place or online link changed
	ChangeCancelled   ChangeKind = "cancelled"   // status became cancelled
	ChangeReinstated  ChangeKind = "reinstated"  // a cancelled session is scheduled again
)

// SessionChange is one change of an existing session found by
// ImportSessions; Old and New are the session before and after. A session
// that was both rescheduled and moved yields two changes (which
// ChangeNotices announces in one notice); a cancellation yields only
// ChangeCancelled.
type SessionChange struct {
	Session int64
	Kind    ChangeKind
	Old     Session
	New     Session
}

// sessionRow is a session parsed from a file, with its lines.
type sessionRow struct {
	Session
	rec csvRecord
}

// ParseSessions reads a session file (see ImportSessions) and checks what
// does not need the database. TrainingCode is set; IDs are not.
func ParseSessions(r io.Reader, name string) ([]Session, error) {
	rows, p, err := parseSessions(r, name, time.Now())
	if err != nil {
		return nil, err
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	out := make([]Session, len(rows))
	for i, r := range rows {
		out[i] = r.Session
	}
	return out, nil
}

// Session dates are refused outside these bounds: a year-9999 typo or a
// session "lasting" a year would silently keep reminders and reports wrong.
const (
	maxSessionLength    = 92 * 24 * time.Hour // about three months
	maxYearsAhead       = 5
	earliestSessionYear = 2000
)

// parseSessions reads a session file. It returns every row, also those
// with problems (their fields as far as they could be read), so that the
// importer can add the database's findings for every row; p holds the
// problems, in file order.
func parseSessions(r io.Reader, name string, now time.Time) ([]sessionRow, *problems, error) {
	first := map[string]int{}
	return parseRows(r, name, SessionColumns[:4], SessionColumns[4:], func(rec csvRecord, p *problems) sessionRow {
		return sessionOf(rec, p, first, now)
	})
}

// sessionOf reads and checks one session record, from a file or a form;
// first finds codes repeated within one file.
func sessionOf(rec csvRecord, p *problems, first map[string]int, now time.Time) sessionRow {
	s := Session{Code: rec.cells["code"], TrainingCode: rec.cells["training"], Place: rec.cells["place"],
		OnlineURL: rec.cells["online_url"], TimeZone: rec.cells["tz"], Status: Scheduled}
	p.code(rec, first, codePattern, 64, "sesi", s.Code)
	if s.TrainingCode == "" {
		p.add(rec.at("training"), "training", "kode pelatihan kosong")
	}
	if s.TimeZone == "" {
		s.TimeZone = "Asia/Jakarta"
	}
	loc, err := time.LoadLocation(s.TimeZone)
	if err != nil || !strings.Contains(s.TimeZone, "/") {
		p.add(rec.at("tz"), "tz", "zona waktu %q tidak dikenal: tulis misalnya Asia/Jakarta", s.TimeZone)
		loc = WIB
	}
	var startErr, endErr error
	if s.Start, startErr = parseClockTime(rec.cells["start"], loc); startErr != nil {
		p.add(rec.at("start"), "start", "%v", startErr)
	} else if y, last := s.Start.In(loc).Year(), now.In(WIB).Year()+maxYearsAhead; y < earliestSessionYear || y > last {
		p.add(rec.at("start"), "start", "tahun %d: isi tanggal dari tahun %d sampai %d", y, earliestSessionYear, last)
		startErr = errors.New("out of range")
	}
	if s.End, endErr = parseClockTime(rec.cells["end"], loc); endErr != nil {
		p.add(rec.at("end"), "end", "%v", endErr)
	}
	if startErr == nil && endErr == nil {
		switch {
		case !s.End.After(s.Start):
			p.add(rec.at("end"), "end", "sesi berakhir (%s) sebelum dimulai (%s)", rec.cells["end"], rec.cells["start"])
		case s.End.Sub(s.Start) > maxSessionLength:
			p.add(rec.at("end"), "end", "sesi berlangsung %d hari (%s sampai %s); satu sesi paling lama %d hari",
				int(s.End.Sub(s.Start)/(24*time.Hour)), rec.cells["start"], rec.cells["end"], int(maxSessionLength/(24*time.Hour)))
		}
	}
	if s.Place == "" && s.OnlineURL == "" {
		p.add(rec.at("place"), "place", "isi tempat (place) atau tautan daring (online_url)")
	}
	if u := s.OnlineURL; u != "" && !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") {
		p.add(rec.at("online_url"), "online_url", "tautan daring %q: harus berupa alamat http(s)://", u)
	}
	switch strings.ToLower(rec.cells["status"]) {
	case "", "scheduled", "dijadwalkan", "terjadwal":
		s.Status = Scheduled
	case "cancelled", "canceled", "batal", "dibatalkan":
		s.Status = Cancelled
	default:
		p.add(rec.at("status"), "status", "status %q: isi scheduled (dijadwalkan) atau cancelled (dibatalkan)", rec.cells["status"])
	}
	return sessionRow{Session: s, rec: rec}
}

// PastSession is a session of an import file that ended before the
// import: it is imported (to record attendance and JP), but no reminder
// goes out for it.
type PastSession struct {
	File    string
	Line    int
	Session string
	End     time.Time
}

// PastSessions lists the sessions of a valid session file that ended
// before now, for the importer to warn about, naming file and line.
func PastSessions(r io.Reader, name string, now time.Time) ([]PastSession, error) {
	rows, p, err := parseSessions(r, name, now)
	if err != nil {
		return nil, err
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	var out []PastSession
	for _, row := range rows {
		if row.End.Before(now) {
			out = append(out, PastSession{File: name, Line: row.rec.line, Session: row.Code, End: row.End})
		}
	}
	return out, nil
}

const sessionSelect = `s.id, s.code, s.training_id, t.code AS training_code, t.title, s.starts_at, s.ends_at,
	s.place, s.online_url, s.time_zone, s.status`

// ImportSessions upserts sessions by code from a CSV file, in one
// transaction. The header names the columns in any order:
//
//	code,training,start,end,place,online_url,status,tz
//
// code, training (a catalogue code), start and end are required; start and
// end are "2026-12-03 09:00", "03/12/2026 09.00" or another form of
// ParseTime in the session's time zone (tz, default Asia/Jakarta), or RFC
// 3339; each session needs a place or an online_url (http or https);
// status is scheduled (dijadwalkan, the default) or cancelled
// (dibatalkan). On any problem — a session ending before it starts, an
// unparseable date, an unknown training, a duplicate code — it imports
// nothing and returns ImportErrors naming file, line and field.
//
// For sessions that existed already it returns what changed (rescheduled,
// moved, cancelled, reinstated), so that the caller can tell the enrolled
// ASN (see ChangeNotices).
func (s *Store) ImportSessions(ctx context.Context, r io.Reader, name string) (changes []SessionChange, err error) {
	err = s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		changes, err = s.ImportSessionsIn(ctx, tx, r, name)
		return err
	})
	return changes, err
}

// ImportSessionsIn is ImportSessions in tx, the caller's transaction (which
// also enqueues the change notices, say).
func (s *Store) ImportSessionsIn(ctx context.Context, tx *sqlx.Tx, r io.Reader, name string) ([]SessionChange, error) {
	now := utc(s.now())
	rows, p, err := parseSessions(r, name, now)
	if err != nil {
		return nil, err
	}
	var changes []SessionChange
	trainings, err := codeIDs(ctx, tx, `SELECT code, id FROM trainings`)
	if err != nil {
		return nil, err
	}
	var old []Session
	if err := tx.SelectContext(ctx, &old, `SELECT `+sessionSelect+` FROM training_sessions s JOIN trainings t ON t.id = s.training_id`); err != nil {
		return nil, fmt.Errorf("training: unable to read sessions: %w", err)
	}
	existing := make(map[string]Session, len(old))
	for _, o := range old {
		o.normalise()
		existing[o.Code] = o
	}
	for i := range rows {
		id, ok := trainings[rows[i].TrainingCode]
		if !ok && rows[i].TrainingCode != "" {
			p.add(rows[i].rec.at("training"), "training", "pelatihan %q tidak dikenal (impor katalog pelatihan terlebih dahulu)", rows[i].TrainingCode)
		}
		rows[i].TrainingID = id
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	ins := s.db.Rebind(`INSERT INTO training_sessions (code, training_id, starts_at, ends_at, place, online_url, time_zone, status, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (code) DO UPDATE SET training_id = excluded.training_id, starts_at = excluded.starts_at,
			ends_at = excluded.ends_at, place = excluded.place, online_url = excluded.online_url,
			time_zone = excluded.time_zone, status = excluded.status, updated_at = excluded.updated_at
		RETURNING id`)
	for _, r := range rows {
		n := r.Session
		if err := tx.GetContext(ctx, &n.ID, ins, n.Code, n.TrainingID, utc(n.Start), utc(n.End), n.Place, n.OnlineURL,
			n.TimeZone, string(n.Status), now); err != nil {
			return nil, fmt.Errorf("training: unable to save session of line %d: %w", r.rec.line, err)
		}
		if o, ok := existing[n.Code]; ok {
			n.Title = o.Title
			if n.TrainingID != o.TrainingID {
				n.Title = "" // filled below
			}
			diff := diffSession(o, n)
			if len(diff) > 0 {
				if err := s.countChange(ctx, tx, n.ID, now); err != nil {
					return nil, err
				}
			}
			changes = append(changes, diff...)
		}
	}
	if err := s.retractRounds(ctx, tx, changes, now); err != nil {
		return nil, err
	}
	for i := range changes {
		if changes[i].New.Title == "" {
			var title string
			if err := tx.GetContext(ctx, &title, s.db.Rebind(`SELECT title FROM trainings WHERE id = ?`), changes[i].New.TrainingID); err != nil {
				return nil, fmt.Errorf("training: unable to read training title: %w", err)
			}
			changes[i].New.Title = title
		}
	}
	return changes, nil
}

// retractRounds takes back the open survey rounds of sessions that, after
// changes, were cancelled or have not ended any more (moved to a later
// date: the date the round opened after was wrong), so that nobody is
// nudged about a training that did not take place. A round nobody has
// completed is deleted with its invitations and unfinished answers, and
// opens again after the session's new end; one with completed responses
// is closed, keeping them, and marked retracted under a key of its own
// ("post:<session>:ditarik:<round>"), so that a new round, which invites
// everyone who attends anew and counts only its own answers, opens after
// the session's new end too.
func (s *Store) retractRounds(ctx context.Context, tx *sqlx.Tx, changes []SessionChange, now time.Time) error {
	for _, c := range changes {
		if c.Kind != ChangeCancelled && (c.Kind != ChangeRescheduled || !c.New.End.After(now)) {
			continue
		}
		var rounds []struct {
			ID        int64  `db:"id"`
			Key       string `db:"round_key"`
			Completed int    `db:"completed"`
		}
		if err := tx.SelectContext(ctx, &rounds, s.db.Rebind(`SELECT r.id, r.round_key,
				(SELECT COUNT(*) FROM survey_responses x WHERE x.round_id = r.id AND x.completed = TRUE) AS completed
			FROM survey_rounds r WHERE r.session_id = ? AND r.status = 'open'`), c.Session); err != nil {
			return fmt.Errorf("training: unable to read the survey rounds of a changed session: %w", err)
		}
		for _, r := range rounds {
			type stmt struct {
				sql  string
				args []any
			}
			stmts := []stmt{
				{`DELETE FROM survey_answers WHERE round_id = ?`, []any{r.ID}},
				{`DELETE FROM survey_responses WHERE round_id = ?`, []any{r.ID}},
				{`DELETE FROM survey_invitations WHERE round_id = ?`, []any{r.ID}},
				{`DELETE FROM survey_withdrawals WHERE round_id = ?`, []any{r.ID}},
				{`DELETE FROM survey_rounds WHERE id = ?`, []any{r.ID}},
			}
			if r.Completed > 0 {
				stmts = []stmt{
					{`UPDATE survey_rounds SET status = 'closed', closed_at = ?, closes_at = ?, retracted_at = ?, round_key = ? WHERE id = ?`,
						[]any{now, now, now, r.Key + ":ditarik:" + strconv.FormatInt(r.ID, 10), r.ID}},
					{`UPDATE survey_invitations SET token = NULL, last_step_at = NULL WHERE round_id = ?`, []any{r.ID}},
				}
			}
			for _, st := range stmts {
				if _, err := tx.ExecContext(ctx, s.db.Rebind(st.sql), st.args...); err != nil {
					return fmt.Errorf("training: unable to take back the survey round of a changed session: %w", err)
				}
			}
		}
	}
	return nil
}

// countChange records in tx that session id changed at now in a way its
// enrolled ASN are told of (a change diffSession reports): its version
// goes up, so that the reminders and change notices that name an earlier
// one are not sent, and its reminders are planned anew from now on (see
// DueReminders).
func (s *Store) countChange(ctx context.Context, tx *sqlx.Tx, id int64, now time.Time) error {
	if _, err := tx.ExecContext(ctx, s.db.Rebind(`UPDATE training_sessions SET version = version + 1, changed_at = ? WHERE id = ?`), utc(now), id); err != nil {
		return fmt.Errorf("training: unable to count a change of session %d: %w", id, err)
	}
	return nil
}

func diffSession(o, n Session) []SessionChange {
	mk := func(k ChangeKind) SessionChange { return SessionChange{Session: o.ID, Kind: k, Old: o, New: n} }
	switch {
	case o.Status == Scheduled && n.Status == Cancelled:
		return []SessionChange{mk(ChangeCancelled)}
	case o.Status == Cancelled && n.Status == Scheduled:
		return []SessionChange{mk(ChangeReinstated)}
	case n.Status == Cancelled:
		return nil
	}
	var out []SessionChange
	if !o.Start.Equal(n.Start) || !o.End.Equal(n.End) {
		out = append(out, mk(ChangeRescheduled))
	}
	if o.Place != n.Place || o.OnlineURL != n.OnlineURL {
		out = append(out, mk(ChangeMoved))
	}
	return out
}

func codeIDs(ctx context.Context, tx *sqlx.Tx, query string) (map[string]int64, error) {
	var rows []struct {
		Code string `db:"code"`
		ID   int64  `db:"id"`
	}
	if err := tx.SelectContext(ctx, &rows, query); err != nil {
		return nil, fmt.Errorf("training: unable to read codes: %w", err)
	}
	out := make(map[string]int64, len(rows))
	for _, r := range rows {
		out[r.Code] = r.ID
	}
	return out, nil
}

// GetSession returns a session by id, or ErrNotFound.
func (s *Store) GetSession(ctx context.Context, id int64) (Session, error) {
	var out Session
	err := s.db.GetContext(ctx, &out, s.db.Rebind(`SELECT `+sessionSelect+` FROM training_sessions s JOIN trainings t ON t.id = s.training_id WHERE s.id = ?`), id)
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, ErrNotFound
	}
	if err != nil {
		return Session{}, fmt.Errorf("training: unable to fetch session %d: %w", id, err)
	}
	out.normalise()
	return out, nil
}

// Sessions returns the sessions of a training (all when trainingID is 0),
// ordered by start.
func (s *Store) Sessions(ctx context.Context, trainingID int64) ([]Session, error) {
	var out []Session
	q := `SELECT ` + sessionSelect + ` FROM training_sessions s JOIN trainings t ON t.id = s.training_id`
	var err error
	if trainingID == 0 {
		err = s.db.SelectContext(ctx, &out, q+` ORDER BY s.starts_at, s.code`)
	} else {
		err = s.db.SelectContext(ctx, &out, s.db.Rebind(q+` WHERE s.training_id = ? ORDER BY s.starts_at, s.code`), trainingID)
	}
	if err != nil {
		return nil, fmt.Errorf("training: unable to list sessions: %w", err)
	}
	for i := range out {
		out[i].normalise()
	}
	return out, nil
}

// enrolmentRow is an enrolment parsed from a file.
type enrolmentRow struct {
	session  string
	nip      string
	attended *bool
	rec      csvRecord
}

// ParsedEnrolment is one row of an enrolment file.
type ParsedEnrolment struct {
	Session  string
	NIP      string
	Attended *bool
}

// ParseEnrolments reads an enrolment file (see ImportEnrolments) and checks
// what does not need the database.
func ParseEnrolments(r io.Reader, name string) ([]ParsedEnrolment, error) {
	rows, p, err := parseEnrolments(r, name)
	if err != nil {
		return nil, err
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	out := make([]ParsedEnrolment, len(rows))
	for i, r := range rows {
		out[i] = ParsedEnrolment{Session: r.session, NIP: r.nip, Attended: r.attended}
	}
	return out, nil
}

func parseEnrolments(r io.Reader, name string) ([]enrolmentRow, *problems, error) {
	first := map[string]int{}
	return parseRows(r, name, EnrolmentColumns[:2], EnrolmentColumns[2:], func(rec csvRecord, p *problems) enrolmentRow {
		e := enrolmentRow{session: rec.cells["session"], rec: rec}
		if e.session == "" {
			p.add(rec.at("session"), "session", "kode sesi kosong")
		}
		var err error
		if e.nip, err = NormalizeNIP(rec.cells["nip"]); err != nil {
			p.add(rec.at("nip"), "nip", "%v", err)
		} else if e.session != "" {
			p.once(first, e.session+"\x00"+e.nip, rec, "nip", "pendaftaran NIP ini pada sesi "+e.session)
		}
		if a := rec.cells["attended"]; a != "" {
			v, ok := parseFlag(a, false)
			if !ok {
				p.add(rec.at("attended"), "attended", "attended %q: %s, atau kosong bila belum diketahui", a, flagHint)
			}
			e.attended = &v
		}
		return e
	})
}

// ImportEnrolments upserts enrolments from a CSV file, in one transaction,
// and returns how many rows it read. The header names the columns in any
// order:
//
//	session,nip,attended
//
// session is a session code, nip an ASN already imported; attended is
// optional ("ya"/"tidak", or empty while unknown) and, when given, records
// attendance after the session ("tidak" withdraws the person's unfinished
// invitations to the session's surveys). A re-import keeps each person's
// RSVP. On any problem — an unknown session or NIP, an invalid NIP, a
// duplicate row, an inactive ASN in a session not begun yet (as Enrol
// refuses) — it imports nothing and returns ImportErrors naming file,
// line and field.
func (s *Store) ImportEnrolments(ctx context.Context, r io.Reader, name string) (int, error) {
	rows, p, err := parseEnrolments(r, name)
	if err != nil {
		return 0, err
	}
	now := utc(s.now())
	err = s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		var list []struct {
			Code  string    `db:"code"`
			ID    int64     `db:"id"`
			Start time.Time `db:"starts_at"`
		}
		if err := tx.SelectContext(ctx, &list, `SELECT code, id, starts_at FROM training_sessions`); err != nil {
			return fmt.Errorf("training: unable to read sessions: %w", err)
		}
		sessions := make(map[string]int64, len(list))
		starts := make(map[string]time.Time, len(list))
		for _, l := range list {
			sessions[l.Code], starts[l.Code] = l.ID, l.Start.UTC()
		}
		var people []struct {
			NIP    string `db:"nip"`
			Name   string `db:"name"`
			Active bool   `db:"active"`
		}
		if err := tx.SelectContext(ctx, &people, `SELECT nip, name, active FROM asn`); err != nil {
			return fmt.Errorf("training: unable to read ASN: %w", err)
		}
		known := make(map[string]int, len(people))
		for i, a := range people {
			known[a.NIP] = i + 1
		}
		for _, r := range rows {
			_, ok := sessions[r.session]
			if !ok && r.session != "" {
				p.add(r.rec.at("session"), "session", "sesi %q tidak dikenal (impor sesi terlebih dahulu)", r.session)
			}
			if r.nip != "" && known[r.nip] == 0 {
				p.add(r.rec.at("nip"), "nip", "NIP tidak dikenal (impor data ASN terlebih dahulu)")
			}
			// As Enrol refuses them: an inactive ASN in a session not
			// begun would get no reminder and no survey, unseen. A session
			// that has begun takes them, to record what happened.
			if i := known[r.nip]; i > 0 && !people[i-1].Active && ok && starts[r.session].After(now) {
				p.add(r.rec.at("nip"), "nip", "%s (NIP %s) tidak aktif, sehingga tidak akan menerima pengingat maupun survei sesi %s; "+
					"hapus baris ini, atau aktifkan kembali ASN tersebut (di direktori ASN, atau kolom active pada data ASN) bila ia memang mengikuti sesi ini",
					people[i-1].Name, r.nip, r.session)
			}
			if start := starts[r.session]; ok && r.attended != nil && start.After(now) {
				p.add(r.rec.at("attended"), "attended", "sesi %s belum berlangsung (dimulai %s): catat kehadiran setelah sesi dimulai",
					r.session, FormatWIB(start))
			}
		}
		if err := p.err(); err != nil {
			return err
		}
		ins := s.db.Rebind(`INSERT INTO enrolments (session_id, nip, attended, created_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (session_id, nip) DO UPDATE SET attended = COALESCE(excluded.attended, enrolments.attended)`)
		touched := map[int64]bool{}
		for _, r := range rows {
			if _, err := tx.ExecContext(ctx, ins, sessions[r.session], r.nip, r.attended, now); err != nil {
				return fmt.Errorf("training: unable to save enrolment of line %d: %w", r.rec.line, err)
			}
			if r.attended != nil && !*r.attended {
				touched[sessions[r.session]] = true
			}
		}
		for id := range touched {
			if err := s.withdrawAbsent(ctx, tx, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return len(rows), nil
}

// Enrolments returns the enrolments of a session, ordered by NIP.
func (s *Store) Enrolments(ctx context.Context, sessionID int64) ([]Enrolment, error) {
	var out []Enrolment
	if err := s.db.SelectContext(ctx, &out, s.db.Rebind(`SELECT e.id, e.session_id, e.nip, a.name, a.unit_code, e.rsvp, e.rsvp_reason, e.rsvp_at, e.attended
		FROM enrolments e JOIN asn a ON a.nip = e.nip WHERE e.session_id = ? ORDER BY e.nip`), sessionID); err != nil {
		return nil, fmt.Errorf("training: unable to list enrolments: %w", err)
	}
	for i := range out {
		out[i].RSVPAt = utcPtr(out[i].RSVPAt)
	}
	return out, nil
}

package training

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// Unit is an organisational unit of the city government (OPD), such as
// "DISKOMINFO" — Dinas Komunikasi dan Informatika.
type Unit struct {
	Code string `db:"code"`
	Name string `db:"name"`
}

// ASN is one civil servant.
type ASN struct {
	NIP      string `db:"nip"`
	Name     string `db:"name"`
	UnitCode string `db:"unit_code"`
	Position string `db:"position"`
	// SupervisorNIP is empty when unknown.
	SupervisorNIP string    `db:"supervisor_nip"`
	Active        bool      `db:"active"`
	UpdatedAt     time.Time `db:"updated_at"`
}

var unitCodePattern = regexp.MustCompile(`^[A-Z0-9][A-Z0-9._-]{0,31}$`)

// UnitColumns and ASNColumns are the headers of the unit and ASN import
// files.
var (
	UnitColumns = []string{"code", "name"}
	ASNColumns  = []string{"nip", "name", "unit", "position", "supervisor_nip", "active"}
)

// ImportUnits upserts the units of a CSV file with the header code,name
// (code: letters, digits, ".", "_", "-", at most 32, stored upper-case) in
// one transaction, and returns how many rows it read. On any problem it
// imports nothing and returns ImportErrors naming file, line and field.
func (s *Store) ImportUnits(ctx context.Context, r io.Reader, name string) (int, error) {
	units, err := ParseUnits(r, name)
	if err != nil {
		return 0, err
	}
	err = s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		for _, u := range units {
			if _, err := tx.ExecContext(ctx, s.db.Rebind(`INSERT INTO opd_units (code, name) VALUES (?, ?)
				ON CONFLICT (code) DO UPDATE SET name = excluded.name`), u.Code, u.Name); err != nil {
				return fmt.Errorf("training: unable to save unit %s: %w", u.Code, err)
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return len(units), nil
}

// ParseUnits reads a unit file (see ImportUnits) without touching the
// database.
func ParseUnits(r io.Reader, name string) ([]Unit, error) {
	first := map[string]int{}
	units, p, err := parseRows(r, name, UnitColumns, nil, func(rec csvRecord, p *problems) Unit {
		u := Unit{Code: strings.ToUpper(rec.cells["code"]), Name: rec.cells["name"]}
		p.code(rec, first, unitCodePattern, 32, "OPD", u.Code)
		if u.Name == "" {
			p.add(rec.at("name"), "name", "nama OPD kosong")
		}
		return u
	})
	if err != nil {
		return nil, err
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	return units, nil
}

// Units returns every unit, ordered by code.
func (s *Store) Units(ctx context.Context) ([]Unit, error) {
	var out []Unit
	if err := s.db.SelectContext(ctx, &out, `SELECT code, name FROM opd_units ORDER BY code`); err != nil {
		return nil, fmt.Errorf("training: unable to list units: %w", err)
	}
	return out, nil
}

// asnRow is an ASN record parsed from a file, with the line of each field.
type asnRow struct {
	ASN
	rec csvRecord
}

// ParseASN reads an ASN file (see ImportASN) and checks everything that
// does not need the database: NIP rules, names, the active flag, duplicate
// NIPs.
func ParseASN(r io.Reader, name string) ([]ASN, error) {
	rows, p, err := parseASN(r, name)
	if err != nil {
		return nil, err
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	out := make([]ASN, len(rows))
	for i, r := range rows {
		out[i] = r.ASN
	}
	return out, nil
}

func parseASN(r io.Reader, name string) ([]asnRow, *problems, error) {
	first := map[string]int{}
	return parseRows(r, name, ASNColumns[:3], ASNColumns[3:], func(rec csvRecord, p *problems) asnRow {
		return asnOf(rec, p, first)
	})
}

// asnOf reads and checks one ASN record, from a file or a form; first
// finds NIPs repeated within one file.
func asnOf(rec csvRecord, p *problems, first map[string]int) asnRow {
	a := ASN{Name: rec.cells["name"], UnitCode: strings.ToUpper(rec.cells["unit"]), Position: rec.cells["position"]}
	nip, err := NormalizeNIP(rec.cells["nip"])
	if err != nil {
		p.add(rec.at("nip"), "nip", "%v", err)
	} else {
		a.NIP = nip
		p.once(first, nip, rec, "nip", "NIP")
	}
	if a.Name == "" {
		p.add(rec.at("name"), "name", "nama kosong")
	}
	if a.UnitCode == "" {
		p.add(rec.at("unit"), "unit", "kode OPD kosong")
	}
	if sup := rec.cells["supervisor_nip"]; sup != "" {
		if a.SupervisorNIP, err = NormalizeNIP(sup); err != nil {
			p.add(rec.at("supervisor_nip"), "supervisor_nip", "%v", err)
		} else if a.SupervisorNIP == a.NIP {
			p.add(rec.at("supervisor_nip"), "supervisor_nip", "ASN tidak dapat menjadi atasannya sendiri")
		}
	}
	var ok bool
	if a.Active, ok = parseFlag(rec.cells["active"], true); !ok {
		p.add(rec.at("active"), "active", "status aktif %q: %s", rec.cells["active"], flagHint)
	}
	return asnRow{ASN: a, rec: rec}
}

// ImportASN upserts the ASN of a CSV file by NIP, in one transaction, and
// returns how many rows it read. The header names the columns in any order:
//
//	nip,name,unit,position,supervisor_nip,active
//
// nip, name and unit are required (unit is the code of a known unit);
// position and supervisor_nip may be empty or left out; active is "ya" or
// "tidak" (also 1/0, true/false, aktif/nonaktif; empty means "ya"). NIPs may
// be written with spaces. A supervisor_nip names an ASN of the same file
// or one imported before. On any problem — an invalid NIP, an unknown unit
// or supervisor, a duplicate NIP, a bad active flag, a control character,
// line break or more than 200 characters in a cell — it imports nothing
// and returns ImportErrors naming file, line and field.
func (s *Store) ImportASN(ctx context.Context, r io.Reader, name string) (int, error) {
	rows, p, err := parseASN(r, name)
	if err != nil {
		return 0, err
	}
	now := utc(time.Now())
	err = s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		if err := checkASNReferences(ctx, tx, rows, p); err != nil {
			return err
		}
		if err := p.err(); err != nil {
			return err
		}
		q := s.db.Rebind(`INSERT INTO asn (nip, name, unit_code, position, supervisor_nip, active, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (nip) DO UPDATE SET name = excluded.name, unit_code = excluded.unit_code,
				position = excluded.position, supervisor_nip = excluded.supervisor_nip,
				active = excluded.active, updated_at = excluded.updated_at`)
		for _, r := range rows {
			if _, err := tx.ExecContext(ctx, q, r.NIP, r.Name, r.UnitCode, r.Position,
				nullString(r.SupervisorNIP), r.Active, now); err != nil {
				return fmt.Errorf("training: unable to save ASN of line %d: %w", r.rec.line, err)
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return len(rows), nil
}

// checkASNReferences adds to p each row whose unit is not a known unit
// or whose supervisor is neither an ASN of rows nor one stored before.
func checkASNReferences(ctx context.Context, tx *sqlx.Tx, rows []asnRow, p *problems) error {
	var codes []string
	if err := tx.SelectContext(ctx, &codes, `SELECT code FROM opd_units`); err != nil {
		return fmt.Errorf("training: unable to read units: %w", err)
	}
	known := make(map[string]bool, len(codes))
	for _, c := range codes {
		known[c] = true
	}
	// The NIP itself stays out of the message.
	var nips []string
	if err := tx.SelectContext(ctx, &nips, `SELECT nip FROM asn`); err != nil {
		return fmt.Errorf("training: unable to read ASN: %w", err)
	}
	staff := make(map[string]bool, len(nips)+len(rows))
	for _, n := range nips {
		staff[n] = true
	}
	for _, r := range rows {
		staff[r.NIP] = true
	}
	for _, r := range rows {
		if r.UnitCode != "" && !known[r.UnitCode] {
			p.add(r.rec.at("unit"), "unit", "OPD %q tidak dikenal (impor data OPD terlebih dahulu)", r.UnitCode)
		}
		if r.SupervisorNIP != "" && !staff[r.SupervisorNIP] {
			p.add(r.rec.at("supervisor_nip"), "supervisor_nip", "atasan tidak dikenal: tidak ada ASN dengan NIP ini di berkas maupun yang sudah diimpor")
		}
	}
	return nil
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

const asnSelect = `nip, name, unit_code, position, COALESCE(supervisor_nip, '') AS supervisor_nip, active, updated_at`

// GetASN returns the ASN with the given NIP, or ErrNotFound.
func (s *Store) GetASN(ctx context.Context, nip string) (ASN, error) {
	return getASN(ctx, s.db, s.db.Rebind, nip)
}

func getASN(ctx context.Context, q sqlx.QueryerContext, rebind func(string) string, nip string) (ASN, error) {
	var a ASN
	err := sqlx.GetContext(ctx, q, &a, rebind(`SELECT `+asnSelect+` FROM asn WHERE nip = ?`), nip)
	if errors.Is(err, sql.ErrNoRows) {
		return ASN{}, ErrNotFound
	}
	if err != nil {
		return ASN{}, fmt.Errorf("training: unable to fetch ASN: %w", err)
	}
	a.UpdatedAt = a.UpdatedAt.UTC()
	return a, nil
}

// ListASN returns the ASN of a unit (all units when unitCode is ""),
// ordered by unit and name.
func (s *Store) ListASN(ctx context.Context, unitCode string) ([]ASN, error) {
	var out []ASN
	var err error
	if unitCode == "" {
		err = s.db.SelectContext(ctx, &out, `SELECT `+asnSelect+` FROM asn ORDER BY unit_code, name, nip`)
	} else {
		err = s.db.SelectContext(ctx, &out, s.db.Rebind(`SELECT `+asnSelect+` FROM asn WHERE unit_code = ? ORDER BY name, nip`), strings.ToUpper(unitCode))
	}
	if err != nil {
		return nil, fmt.Errorf("training: unable to list ASN: %w", err)
	}
	for i := range out {
		out[i].UpdatedAt = out[i].UpdatedAt.UTC()
	}
	return out, nil
}

// InactiveEnrolment is an inactive ASN's enrolment in a session that has
// not begun: they will get no reminder and no survey for it.
type InactiveEnrolment struct {
	NIP     string    `db:"nip"`
	Name    string    `db:"name"`
	Session string    `db:"code"`
	Start   time.Time `db:"starts_at"`
}

// Warning says, in Indonesian, what the enrolment means and what to do.
func (e InactiveEnrolment) Warning() string {
	return fmt.Sprintf("%s (NIP %s) tidak aktif, tetapi masih terdaftar pada sesi %s (%s) dan tidak akan menerima pengingat maupun survei; "+
		"keluarkan dari sesi itu, atau aktifkan kembali bila ia tetap mengikutinya", e.Name, e.NIP, e.Session, FormatWIB(e.Start))
}

// InactiveEnrolments lists the inactive ASN still enrolled in a scheduled
// session that has not begun at now, by NIP and start, for the officer who
// deactivated them (hub asn import) to take them off the session, or to
// activate them again if they do take part.
func (s *Store) InactiveEnrolments(ctx context.Context, now time.Time) ([]InactiveEnrolment, error) {
	var out []InactiveEnrolment
	if err := s.db.SelectContext(ctx, &out, s.db.Rebind(`SELECT a.nip, a.name, s.code, s.starts_at
		FROM enrolments e JOIN asn a ON a.nip = e.nip JOIN training_sessions s ON s.id = e.session_id
		WHERE a.active = FALSE AND s.status = 'scheduled' AND s.starts_at > ?
		ORDER BY a.nip, s.starts_at, s.code`), utc(now)); err != nil {
		return nil, fmt.Errorf("training: unable to list inactive ASN's enrolments: %w", err)
	}
	for i := range out {
		out[i].Start = out[i].Start.UTC()
	}
	return out, nil
}

package training

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/tebingtinggi/hub/bots"
)

// DefaultJPTarget is the lesson hours (JP) of competency development a
// year the city aims at for every ASN unless an admin sets another.
const DefaultJPTarget = 20

// JPRight is the lesson hours of competency development a year every ASN
// has a right to by law (PP 11/2017 as amended by PP 17/2020). The city's
// target may be higher; only this minimum is a right.
const JPRight = 20

// targetSentence states the JP target to an ASN as the city's, naming the
// legal right only for its 20 JP minimum.
func targetSentence(target float64) string {
	s := fmt.Sprintf("Pemerintah Kota Tebingtinggi menargetkan setiap ASN mengikuti pengembangan kompetensi paling sedikit %s JP per tahun",
		strings.TrimSuffix(dec1(target), ",0"))
	switch {
	case target > JPRight:
		return s + fmt.Sprintf(" (hak setiap ASN menurut peraturan: paling sedikit %d JP per tahun).", JPRight)
	case target == JPRight:
		return s + ", sesuai hak setiap ASN menurut peraturan."
	}
	return s + "."
}

// MaxJPPerRecord bounds one externally recorded JP row: more in one
// certificate is a typo.
const MaxJPPerRecord = 200

// JPColumns is the header of a JP import file.
var JPColumns = []string{"nip", "date", "jp", "title", "provider"}

// jpRow is one row of a JP file.
type jpRow struct {
	NIP      string
	Date     string // YYYY-MM-DD
	JP       int
	Title    string
	Provider string
	rec      csvRecord
}

func (r jpRow) key() string {
	return r.NIP + "\x00" + r.Date + "\x00" + strings.ToLower(r.Title) + "\x00" + strings.ToLower(r.Provider)
}

// ImportJP records JP of competency development done outside the hub (an
// e-learning certificate, a course of another provider) from a CSV file
// with the header nip,date,jp,title,provider, in one transaction, and
// returns how many rows it recorded. date is 14/03/2026, 2026-03-14 or
// another form of ParseDate (WIB), jp a whole number from 1 to 200. A
// file with any bad row — an invalid or unknown NIP, a JP out of range, a
// date in the future, a row repeating another (same NIP, date, title and
// provider) in the file or already imported — records nothing and
// returns ImportErrors naming every problem.
func (s *Store) ImportJP(ctx context.Context, r io.Reader, name string) (int, error) {
	now := utc(s.now())
	today := now.In(WIB).Format(time.DateOnly)
	first := map[string]int{}
	rows, p, err := parseRows(r, name, JPColumns, nil, func(rec csvRecord, p *problems) jpRow {
		row := jpRow{Title: rec.cells["title"], Provider: rec.cells["provider"], rec: rec}
		nip, err := NormalizeNIP(rec.cells["nip"])
		if err != nil {
			p.add(rec.at("nip"), "nip", "%v", err)
		}
		row.NIP = nip
		if d, err := ParseDate(rec.cells["date"], WIB); err != nil {
			p.add(rec.at("date"), "date", "%v", err)
		} else if row.Date = d.Format(time.DateOnly); row.Date > today {
			p.add(rec.at("date"), "date", "tanggal %s ada di masa depan (hari ini %s)", row.Date, today)
		} else if d.Year() < earliestSessionYear {
			p.add(rec.at("date"), "date", "tanggal %s: isi tanggal mulai tahun %d", row.Date, earliestSessionYear)
		}
		if n, err := strconv.Atoi(rec.cells["jp"]); err != nil || n < 1 || n > MaxJPPerRecord {
			p.add(rec.at("jp"), "jp", "JP %q: isi bilangan bulat dari 1 sampai %d", rec.cells["jp"], MaxJPPerRecord)
		} else {
			row.JP = n
		}
		if row.Title == "" {
			p.add(rec.at("title"), "title", "judul kosong")
		}
		if row.Provider == "" {
			p.add(rec.at("provider"), "provider", "penyelenggara kosong")
		}
		if row.NIP != "" && row.Date != "" && row.Title != "" {
			p.once(first, row.key(), rec, "title", "catatan JP (NIP, tanggal, judul, dan penyelenggara sama)")
		}
		return row
	})
	if err != nil {
		return 0, err
	}
	err = s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		var nips []string
		if err := tx.SelectContext(ctx, &nips, `SELECT nip FROM asn`); err != nil {
			return fmt.Errorf("training: unable to read ASN: %w", err)
		}
		var existing []struct {
			NIP      string `db:"nip"`
			Date     string `db:"held_on"`
			Title    string `db:"title"`
			Provider string `db:"provider"`
		}
		if err := tx.SelectContext(ctx, &existing, `SELECT nip, held_on, title, provider FROM jp_records`); err != nil {
			return fmt.Errorf("training: unable to read JP records: %w", err)
		}
		known := make(map[string]bool, len(nips))
		for _, n := range nips {
			known[n] = true
		}
		imported := make(map[string]bool, len(existing))
		for _, e := range existing {
			imported[jpRow{NIP: e.NIP, Date: e.Date, Title: e.Title, Provider: e.Provider}.key()] = true
		}
		for _, r := range rows {
			if r.NIP != "" && !known[r.NIP] {
				p.add(r.rec.at("nip"), "nip", "NIP tidak dikenal (impor data ASN terlebih dahulu)")
			}
			if imported[r.key()] {
				p.add(r.rec.at("title"), "title", "sudah pernah diimpor (NIP, tanggal, judul, dan penyelenggara sama)")
			}
		}
		if err := p.err(); err != nil {
			return err
		}
		ins := s.db.Rebind(`INSERT INTO jp_records (nip, held_on, jp, title, provider, source, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?)`)
		for _, r := range rows {
			if _, err := tx.ExecContext(ctx, ins, r.NIP, r.Date, r.JP, r.Title, r.Provider, name, now); err != nil {
				return fmt.Errorf("training: unable to save JP record of line %d: %w", r.rec.line, err)
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return len(rows), nil
}

// ASNJP is one ASN's JP in a year.
type ASNJP struct {
	NIP      string
	Name     string
	Unit     string
	Sessions int // JP from attended sessions of the hub
	External int // JP recorded with ImportJP
	OnTrack  bool
}

// Total is the ASN's JP so far.
func (a ASNJP) Total() int { return a.Sessions + a.External }

// UnitJP sums a unit's ASN.
type UnitJP struct {
	Unit    string
	Name    string
	ASN     int
	OnTrack int
	// MeanJP is the unit's mean JP per ASN.
	MeanJP float64
}

// Share is the share of the unit's ASN on track (0 without ASN).
func (u UnitJP) Share() float64 {
	if u.ASN == 0 {
		return 0
	}
	return float64(u.OnTrack) / float64(u.ASN)
}

// JPReport is where the active ASN stand against the yearly JP target.
type JPReport struct {
	Year   int
	Target float64
	// YearShare is the share of the year gone at the report's moment (1 for
	// past years); Expected is Target × YearShare, the least JP to be on
	// track.
	YearShare, Expected float64
	At                  time.Time
	Units               []UnitJP // by unit code
	// People are by unit, then JP so far (the furthest behind first), then
	// name.
	People []ASNJP
}

// yearBounds returns the start of year y and of the next in WIB.
func yearBounds(y int) (time.Time, time.Time) {
	return time.Date(y, 1, 1, 0, 0, 0, 0, WIB), time.Date(y+1, 1, 1, 0, 0, 0, 0, WIB)
}

// YearShare is the share of WIB year y gone at now, from 0 to 1.
func YearShare(y int, now time.Time) float64 {
	from, to := yearBounds(y)
	switch {
	case !now.After(from):
		return 0
	case !now.Before(to):
		return 1
	}
	return float64(now.Sub(from)) / float64(to.Sub(from))
}

// JPReport counts each active ASN's JP in WIB year y (of a unit, or all
// when unit is ""): the hours of the trainings whose sessions of that year
// they attended (attendance recorded), each training once however many of
// its sessions (runs of the same course) they attended, plus JP imported with ImportJP
// dated in that year, against target (DefaultJPTarget when 0). An ASN is
// on track when their JP reach target × the share of the year gone at now.
func (s *Store) JPReport(ctx context.Context, y int, unit string, target float64, now time.Time) (JPReport, error) {
	rep := newJPReport(y, target, now)
	var people []struct {
		NIP      string `db:"nip"`
		Name     string `db:"name"`
		Unit     string `db:"unit_code"`
		UnitName string `db:"unit_name"`
		Sessions int    `db:"jp_sessions"`
		External int    `db:"jp_external"`
	}
	q, args := jpPerASN(y, unit)
	if err := s.db.SelectContext(ctx, &people, s.db.Rebind(q), args...); err != nil {
		return JPReport{}, fmt.Errorf("training: unable to count JP: %w", err)
	}
	units := map[string]*UnitJP{}
	for _, p := range people {
		a := ASNJP{NIP: p.NIP, Name: p.Name, Unit: p.Unit, Sessions: p.Sessions, External: p.External}
		a.OnTrack = float64(a.Total()) >= rep.Expected
		rep.People = append(rep.People, a)
		u := units[p.Unit]
		if u == nil {
			u = &UnitJP{Unit: p.Unit, Name: p.UnitName}
			units[p.Unit] = u
		}
		u.ASN++
		u.MeanJP += float64(a.Total())
		if a.OnTrack {
			u.OnTrack++
		}
	}
	for _, u := range units {
		u.MeanJP /= float64(u.ASN)
		rep.Units = append(rep.Units, *u)
	}
	slices.SortFunc(rep.Units, func(a, b UnitJP) int { return strings.Compare(a.Unit, b.Unit) })
	slices.SortFunc(rep.People, func(a, b ASNJP) int {
		if c := strings.Compare(a.Unit, b.Unit); c != 0 {
			return c
		}
		if a.Total() != b.Total() {
			return a.Total() - b.Total()
		}
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return strings.Compare(a.NIP, b.NIP)
	})
	return rep, nil
}

// newJPReport is the empty report of year y at now against target
// (DefaultJPTarget when 0).
func newJPReport(y int, target float64, now time.Time) JPReport {
	if target <= 0 {
		target = DefaultJPTarget
	}
	rep := JPReport{Year: y, Target: target, YearShare: YearShare(y, now), At: now}
	rep.Expected = target * rep.YearShare
	return rep
}

// jpPerASN is the query of each active ASN of the year's JP (of a unit,
// or all when unit is ""), with its arguments: one set-based query, the JP
// of the trainings whose sessions they attended (each training once: its
// sessions are runs of the same course) and of their outside records each
// summed per NIP before the join.
func jpPerASN(y int, unit string) (string, []any) {
	from, to := yearBounds(y)
	args := []any{utc(from), utc(to), from.Format(time.DateOnly), to.Format(time.DateOnly)}
	q := `SELECT a.nip, a.name, a.unit_code, COALESCE(u.name, '') AS unit_name,
			COALESCE(s.jp, 0) AS jp_sessions, COALESCE(x.jp, 0) AS jp_external
		FROM asn a
		LEFT JOIN opd_units u ON u.code = a.unit_code
		LEFT JOIN (SELECT d.nip, SUM(d.hours) AS jp FROM (SELECT DISTINCT e.nip, t.id, t.hours FROM enrolments e
				JOIN training_sessions ts ON ts.id = e.session_id JOIN trainings t ON t.id = ts.training_id
				WHERE e.attended = TRUE AND ts.status = 'scheduled' AND ts.starts_at >= ? AND ts.starts_at < ?) d
			GROUP BY d.nip) s ON s.nip = a.nip
		LEFT JOIN (SELECT nip, SUM(jp) AS jp FROM jp_records WHERE held_on >= ? AND held_on < ? GROUP BY nip) x ON x.nip = a.nip
		WHERE a.active = TRUE`
	if unit = strings.ToUpper(unit); unit != "" {
		q += ` AND a.unit_code = ?`
		args = append(args, unit)
	}
	return q, args
}

// JPUnits is JPReport without its People: the units' figures summed by
// the database, for a view of every unit that shows no one by name (with
// 10,000 ASN, reading each of them costs most of the report).
func (s *Store) JPUnits(ctx context.Context, y int, target float64, now time.Time) (JPReport, error) {
	rep := newJPReport(y, target, now)
	per, args := jpPerASN(y, "")
	// On track as JPReport has it: the ASN's JP reach Expected.
	q := `SELECT unit_code AS unit, unit_name AS name, COUNT(*) AS asn,
			SUM(CASE WHEN jp_sessions + jp_external >= CAST(? AS DOUBLE PRECISION) THEN 1 ELSE 0 END) AS on_track,
			AVG(CAST(jp_sessions + jp_external AS DOUBLE PRECISION)) AS mean_jp
		FROM (` + per + `) p GROUP BY unit_code, unit_name ORDER BY unit_code`
	var units []struct {
		Unit    string  `db:"unit"`
		Name    string  `db:"name"`
		ASN     int     `db:"asn"`
		OnTrack int     `db:"on_track"`
		MeanJP  float64 `db:"mean_jp"`
	}
	if err := s.db.SelectContext(ctx, &units, s.db.Rebind(q), append([]any{rep.Expected}, args...)...); err != nil {
		return JPReport{}, fmt.Errorf("training: unable to count JP per unit: %w", err)
	}
	for _, u := range units {
		rep.Units = append(rep.Units, UnitJP(u))
	}
	return rep, nil
}

// WriteText writes the report for a terminal (hub report jp), in
// Indonesian: per unit the share of ASN on track, then each ASN, the
// furthest behind first.
func (rep JPReport) WriteText(w io.Writer) error {
	ew := &errWriter{w: w}
	ew.printf("Capaian JP pengembangan kompetensi tahun %d (target %s JP per ASN), per %s\n", rep.Year, dec1(rep.Target), FormatWIB(rep.At))
	ew.printf("Tahun berjalan %s: ASN sesuai target bila sudah memiliki paling sedikit %s JP.\n", pct(rep.YearShare), dec1(rep.Expected))
	if len(rep.People) == 0 {
		ew.printf("\nTidak ada ASN aktif.\n")
		return ew.err
	}
	ew.printf("\n")
	tw := tabwriter.NewWriter(ew, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "OPD\tASN\tSESUAI TARGET\tRATA-RATA JP\n")
	for _, u := range rep.Units {
		fmt.Fprintf(tw, "%s\t%d\t%d (%s)\t%s\n", u.Unit, u.ASN, u.OnTrack, pct(u.Share()), dec1(u.MeanJP))
	}
	if err := tw.Flush(); err != nil && ew.err == nil {
		ew.err = err
	}
	unit := ""
	for _, a := range rep.People {
		if a.Unit != unit {
			if unit != "" {
				if err := tw.Flush(); err != nil && ew.err == nil {
					ew.err = err
				}
			}
			unit = a.Unit
			ew.printf("\n%s\n", a.Unit)
			tw = tabwriter.NewWriter(ew, 0, 4, 2, ' ', 0)
			fmt.Fprintf(tw, "  NIP\tNAMA\tJP SESI\tJP LUAR\tJUMLAH\tSTATUS\n")
		}
		status := "sesuai target"
		if !a.OnTrack {
			status = fmt.Sprintf("tertinggal %s JP", dec1(rep.Expected-float64(a.Total())))
		}
		fmt.Fprintf(tw, "  %s\t%s\t%d\t%d\t%d\t%s\n", a.NIP, a.Name, a.Sessions, a.External, a.Total(), status)
	}
	if err := tw.Flush(); err != nil && ew.err == nil {
		ew.err = err
	}
	return ew.err
}

// JPColumnsCSV is the header of the JP report's CSV export; README.md
// describes each column.
var JPColumnsCSV = []string{"year", "scope", "unit", "nip", "name", "jp_sessions", "jp_external", "jp", "on_track", "asn", "asn_on_track", "share_on_track", "expected_jp", "target_jp"}

// WriteCSV writes one "unit" row per unit and one "asn" row per ASN.
func (rep JPReport) WriteCSV(w io.Writer) error {
	y, exp, tgt := strconv.Itoa(rep.Year), strconv.FormatFloat(rep.Expected, 'f', 2, 64), strconv.FormatFloat(rep.Target, 'f', 2, 64)
	rows := [][]string{JPColumnsCSV}
	for _, u := range rep.Units {
		rows = append(rows, []string{y, "unit", u.Unit, "", u.Name, "", "", strconv.FormatFloat(u.MeanJP, 'f', 2, 64), "",
			strconv.Itoa(u.ASN), strconv.Itoa(u.OnTrack), ratio(u.Share()), exp, tgt})
	}
	for _, a := range rep.People {
		on := "tidak"
		if a.OnTrack {
			on = "ya"
		}
		rows = append(rows, []string{y, "asn", a.Unit, a.NIP, a.Name, strconv.Itoa(a.Sessions), strconv.Itoa(a.External),
			strconv.Itoa(a.Total()), on, "", "", "", exp, tgt})
	}
	return writeRecords(w, rows)
}

// dec1 writes f with one decimal and a decimal comma.
func dec1(f float64) string { return strings.Replace(strconv.FormatFloat(f, 'f', 1, 64), ".", ",", 1) }

// maxJPSuggestions bounds the sessions a JP reminder lists.
const maxJPSuggestions = 5

// sessionAhead is a scheduled session that has not started, with its
// training's hours.
type sessionAhead struct {
	Session
	Hours int `db:"hours"`
}

// sessionsAhead returns the scheduled sessions that have not started at
// now, soonest first, and the ids of those each ASN is enrolled in.
func (s *Store) sessionsAhead(ctx context.Context, now time.Time) ([]sessionAhead, map[string]map[int64]bool, error) {
	var ahead []sessionAhead
	if err := s.db.SelectContext(ctx, &ahead, s.db.Rebind(`SELECT `+sessionSelect+`, t.hours
		FROM training_sessions s JOIN trainings t ON t.id = s.training_id
		WHERE s.status = 'scheduled' AND s.starts_at > ? ORDER BY s.starts_at, s.id`), now); err != nil {
		return nil, nil, fmt.Errorf("training: unable to read sessions ahead: %w", err)
	}
	for i := range ahead {
		ahead[i].normalise()
	}
	var rows []struct {
		NIP     string `db:"nip"`
		Session int64  `db:"session_id"`
	}
	if err := s.db.SelectContext(ctx, &rows, s.db.Rebind(`SELECT e.nip, e.session_id
		FROM enrolments e JOIN training_sessions s ON s.id = e.session_id
		WHERE s.status = 'scheduled' AND s.starts_at > ?`), now); err != nil {
		return nil, nil, fmt.Errorf("training: unable to read enrolments ahead: %w", err)
	}
	enrolled := map[string]map[int64]bool{}
	for _, r := range rows {
		if enrolled[r.NIP] == nil {
			enrolled[r.NIP] = map[int64]bool{}
		}
		enrolled[r.NIP][r.Session] = true
	}
	return ahead, enrolled, nil
}

// writeSessionsAhead ends a JP message: the sessions ahead the person is
// enrolled in (mine), then at most maxJPSuggestions others to enrol in,
// none of a training they are enrolled in already, each soonest first.
func writeSessionsAhead(b *strings.Builder, ahead []sessionAhead, mine map[int64]bool) {
	taken := map[int64]bool{} // trainings of the sessions in mine
	for _, a := range ahead {
		if mine[a.ID] {
			taken[a.TrainingID] = true
		}
	}
	var enrolled, others strings.Builder
	var nEnrolled, nOthers int
	for _, a := range ahead {
		line := fmt.Sprintf("• %s (%d JP), %s\n", a.Title, a.Hours, FormatWIB(a.Start))
		switch {
		case mine[a.ID] && nEnrolled < maxJPSuggestions:
			enrolled.WriteString(line)
			nEnrolled++
		case !taken[a.TrainingID] && nOthers < maxJPSuggestions:
			others.WriteString(line)
			nOthers++
		}
	}
	if nEnrolled > 0 {
		b.WriteString("\nAnda sudah terdaftar pada pelatihan berikut:\n")
		b.WriteString(enrolled.String())
	}
	switch {
	case nOthers > 0 && nEnrolled > 0:
		b.WriteString("\nPelatihan lain terdekat yang dapat Anda ikuti:\n")
	case nOthers > 0:
		b.WriteString("\nPelatihan terdekat yang dapat Anda ikuti:\n")
	case nEnrolled > 0:
		b.WriteString("\nSilakan hubungi admin kepegawaian di unit Anda untuk pelatihan lain yang dapat diikuti, termasuk e-learning.")
		return
	default:
		b.WriteString("\nSilakan hubungi admin kepegawaian di unit Anda untuk pelatihan yang dapat diikuti, termasuk e-learning.")
		return
	}
	b.WriteString(others.String())
	b.WriteString("\nUntuk mendaftar, silakan hubungi admin kepegawaian di unit Anda.")
}

// JPReminders plans, for each active ASN with an unpaused chat link who is
// behind the JP target of the current WIB year at now (see JPReport), one
// message with their count, the sessions ahead they are enrolled in, and
// others they could take. Keys are
// "jp:<year>-<month>:<nip>", so a run planned twice in a month enqueues
// nothing twice.
func (s *Store) JPReminders(ctx context.Context, now time.Time, target float64) ([]Planned, error) {
	now = utc(now)
	year := now.In(WIB).Year()
	rep, err := s.JPReport(ctx, year, "", target, now)
	if err != nil {
		return nil, err
	}
	var links []struct {
		NIP      string `db:"nip"`
		Platform string `db:"platform"`
		ChatID   string `db:"chat_id"`
	}
	if err := s.db.SelectContext(ctx, &links, `SELECT nip, platform, chat_id FROM account_links WHERE paused = FALSE
		ORDER BY nip, chosen_at DESC, platform`); err != nil {
		return nil, fmt.Errorf("training: unable to read chat links: %w", err)
	}
	ahead, enrolled, err := s.sessionsAhead(ctx, now)
	if err != nil {
		return nil, err
	}
	linkOf := map[string]int{}
	for i := len(links) - 1; i >= 0; i-- {
		linkOf[links[i].NIP] = i // the first row per NIP is the most recent link
	}
	key := "jp:" + now.In(WIB).Format("2006-01") + ":"
	var out []Planned
	for _, a := range rep.People {
		i, linked := linkOf[a.NIP]
		if a.OnTrack || !linked {
			continue
		}
		var b strings.Builder
		fmt.Fprintf(&b, "Yth. Bapak/Ibu %s,\n\n", a.Name)
		b.WriteString(targetSentence(rep.Target))
		fmt.Fprintf(&b, " Capaian Anda tahun %d sampai saat ini: %d JP ", year, a.Total())
		fmt.Fprintf(&b, "(dari pelatihan %d JP, dari kegiatan lain %d JP); agar sesuai target, saat ini Anda seharusnya sudah mencapai %s JP.\n",
			a.Sessions, a.External, dec1(rep.Expected))
		writeSessionsAhead(&b, ahead, enrolled[a.NIP])
		l := links[i]
		p := Planned{Key: key + a.NIP, NIP: a.NIP, Platform: bots.Platform(l.Platform), ChatID: l.ChatID,
			NotBefore: now, ExpiresAt: now.Add(7 * 24 * time.Hour), Condition: condLinked}
		p.Out = bots.Outgoing{Platform: p.Platform, ChatID: p.ChatID, Text: b.String()}
		out = append(out, p)
	}
	return out, nil
}

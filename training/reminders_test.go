package training

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

func keys(ps []Planned) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Key)
	}
	slices.Sort(out)
	return out
}

func TestDueReminders(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		s := fixture(t, db)
		ctx := context.Background()
		linkedAt := wib("2026-11-01 10:00")
		link(t, s, nipBudi, linkedAt)
		link(t, s, nipSiti, linkedAt)
		anl := sessionByCode(t, s, "ANL-2026-01")
		spbe := sessionByCode(t, s, "SPBE-2026-02")
		key := func(nip string, sess Session, off string) string {
			return "reminder:" + nip + ":" + itoa(sess.ID) + ":" + itoa(enrolmentOf(t, s, sess.Code, nip).ID) + ":" + off + ":" +
				strconv.FormatInt(sess.Start.Unix(), 10)
		}
		due := func(now time.Time, window time.Duration) []Planned {
			t.Helper()
			ps, err := s.DueReminders(ctx, now, nil, window)
			if err != nil {
				t.Fatal(err)
			}
			return ps
		}
		steps := []struct {
			name   string
			now    string
			window time.Duration
			before func()
			want   []string
		}{
			{name: "too early", now: "2026-11-20 09:00"},
			{name: "window reaches the 7-day moment", now: "2026-11-26 08:50", window: 15 * time.Minute,
				want: []string{key(nipBudi, anl, "7d"), key(nipSiti, anl, "7d")}},
			{name: "paused person gets none", now: "2026-11-26 09:00",
				before: func() {
					if err := s.Pause(ctx, db, bots.Telegram, "tg-"+nipSiti); err != nil {
						t.Fatal(err)
					}
				},
				want: []string{key(nipBudi, anl, "7d")}},
			{name: "unlinked person gets none; 7-day moment of SPBE", now: "2026-11-30 08:30",
				want: []string{key(nipBudi, anl, "7d")}},
			{name: "linking brings the reminder", now: "2026-11-30 08:30",
				before: func() { link(t, s, nipAndi, linkedAt) },
				want:   []string{key(nipAndi, spbe, "7d"), key(nipBudi, anl, "7d")}},
			{name: "1-day reminder supersedes the 7-day one", now: "2026-12-02 09:30",
				want: []string{key(nipBudi, anl, "1d"), key(nipAndi, spbe, "7d")}},
			{name: "2 hours before", now: "2026-12-03 07:00",
				want: []string{key(nipBudi, anl, "2h"), key(nipAndi, spbe, "7d")}},
			{name: "session started", now: "2026-12-03 09:00",
				want: []string{key(nipAndi, spbe, "7d")}},
			{name: "berhalangan stops reminders", now: "2026-12-06 09:00",
				before: func() {
					e := enrolmentOf(t, s, "SPBE-2026-02", nipAndi)
					if _, err := storagetest.InTx(db, func(tx *sqlx.Tx) (Session, error) {
						return s.RecordRSVP(ctx, tx, e.ID, nipAndi, false, "dinas luar", wib("2026-12-05 10:00"))
					}); err != nil {
						t.Fatal(err)
					}
				}},
		}
		for _, st := range steps {
			if st.before != nil {
				st.before()
			}
			got := keys(due(wib(st.now), st.window))
			want := slices.Sorted(slices.Values(st.want))
			if !slices.Equal(got, want) {
				t.Errorf("%s (%s): keys\n got %q\nwant %q", st.name, st.now, got, want)
			}
		}
		// The message itself.
		ps := due(wib("2026-11-26 09:00"), 0)
		if len(ps) != 1 {
			t.Fatalf("%d planned", len(ps))
		}
		p := ps[0]
		if p.NIP != nipBudi || p.Platform != bots.Telegram || p.ChatID != "tg-"+nipBudi || p.Out.ChatID != p.ChatID {
			t.Errorf("addressing: %+v", p)
		}
		if !p.NotBefore.Equal(wib("2026-11-26 09:00")) || !p.ExpiresAt.Equal(anl.Start) {
			t.Errorf("NotBefore %v, ExpiresAt %v", p.NotBefore, p.ExpiresAt)
		}
		for _, want := range []string{"Budi Santoso", "Analisis Data untuk Pengambilan Keputusan", "7 hari lagi",
			"Kamis, 3 Desember 2026 pukul 09.00–16.00 WIB", "Aula Kantor Wali Kota", "BPSDM Provinsi Sumatera Utara"} {
			if !strings.Contains(p.Out.Text, want) {
				t.Errorf("text lacks %q:\n%s", want, p.Out.Text)
			}
		}
		if len(p.Out.Buttons) != 1 || len(p.Out.Buttons[0]) != 2 || p.Out.Buttons[0][0].Text != "Hadir" || p.Out.Buttons[0][1].Text != "Berhalangan" {
			t.Fatalf("buttons %+v", p.Out.Buttons)
		}
		id, yes, ok := ParseRSVPButton(p.Out.Buttons[0][0].Data)
		if !ok || !yes || id != enrolmentOf(t, s, "ANL-2026-01", nipBudi).ID || len(p.Out.Buttons[0][1].Data) > 64 {
			t.Errorf("button data %q → %d %v %v", p.Out.Buttons[0][0].Data, id, yes, ok)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestRecordRSVP(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		s := fixture(t, db)
		ctx := context.Background()
		e := enrolmentOf(t, s, "ANL-2026-01", nipSiti)
		now := wib("2026-12-01 10:00")
		if _, err := storagetest.InTx(db, func(tx *sqlx.Tx) (Session, error) { return s.RecordRSVP(ctx, tx, e.ID, nipBudi, true, "", now) }); !errors.Is(err, ErrNotYours) {
			t.Errorf("someone else's enrolment: %v", err)
		}
		if _, err := storagetest.InTx(db, func(tx *sqlx.Tx) (Session, error) { return s.RecordRSVP(ctx, tx, 999999, nipSiti, true, "", now) }); !errors.Is(err, ErrNotFound) {
			t.Errorf("unknown enrolment: %v", err)
		}
		sess, err := storagetest.InTx(db, func(tx *sqlx.Tx) (Session, error) {
			return s.RecordRSVP(ctx, tx, e.ID, nipSiti, false, "  Sakit \n", now)
		})
		if err != nil {
			t.Fatal(err)
		}
		got := enrolmentOf(t, s, "ANL-2026-01", nipSiti)
		if got.RSVP != RSVPNo || got.RSVPReason != "Sakit" || got.RSVPAt == nil || !got.RSVPAt.Equal(now) {
			t.Errorf("enrolment after RSVP: %+v", got)
		}
		if msg := RSVPConfirmation(sess, false, false); !strings.Contains(msg, "alasan") {
			t.Errorf("confirmation %q", msg)
		}
		// Berhalangan pressed again (an older reminder's button, or the
		// typed "tidak bisa") asks for the reason again; until one is
		// typed, the reason given before stays.
		if _, err := storagetest.InTx(db, func(tx *sqlx.Tx) (Session, error) {
			return s.RecordRSVP(ctx, tx, e.ID, nipSiti, false, "", now.Add(time.Hour))
		}); err != nil {
			t.Fatal(err)
		}
		if got := enrolmentOf(t, s, "ANL-2026-01", nipSiti); got.RSVP != RSVPNo || got.RSVPReason != "Sakit" {
			t.Errorf("after Berhalangan pressed again: %+v, want the reason kept", got)
		}
		if _, err := storagetest.InTx(db, func(tx *sqlx.Tx) (Session, error) { return s.RecordRSVP(ctx, tx, e.ID, nipSiti, true, "", now) }); err != nil {
			t.Fatal(err)
		}
		if got := enrolmentOf(t, s, "ANL-2026-01", nipSiti); got.RSVP != RSVPYes || got.RSVPReason != "" {
			t.Errorf("after changing to hadir: %+v", got)
		}
		if _, err := storagetest.InTx(db, func(tx *sqlx.Tx) (Session, error) {
			return s.RecordRSVP(ctx, tx, e.ID, nipSiti, true, "", wib("2026-12-03 09:00"))
		}); !errors.Is(err, ErrSessionClosed) {
			t.Errorf("after start: %v", err)
		}
		for _, data := range []string{"rsvp:12:x", "rsvp::y", "sv:1:start", "rsvp:-3:y", "rsvp:12"} {
			if _, _, ok := ParseRSVPButton(data); ok {
				t.Errorf("ParseRSVPButton(%q) accepted", data)
			}
		}
	})
}

func TestSessionChanges(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		s := fixture(t, db)
		ctx := context.Background()
		now := wib("2026-11-20 10:00")
		link(t, s, nipBudi, now)
		link(t, s, nipAndi, now)
		changes, err := s.ImportSessions(ctx, strings.NewReader(`code,training,start,end,place,online_url,status
ANL-2026-01,DIG-ANALITIK,2026-12-04 09:00,2026-12-04 16:00,Ruang Rapat Diskominfo,,
SPBE-2026-02,SPBE-DASAR,2026-12-07 08:30,2026-12-08 15:00,,https://elearning.lan.go.id/kelas/spbe-dasar,dibatalkan
`), "sessions2.csv")
		if err != nil {
			t.Fatal(err)
		}
		var kinds []string
		for _, c := range changes {
			kinds = append(kinds, string(c.Kind))
		}
		slices.Sort(kinds)
		if want := []string{"cancelled", "moved", "rescheduled"}; !slices.Equal(kinds, want) {
			t.Fatalf("changes %q, want %q", kinds, want)
		}
		ps, err := s.ChangeNotices(ctx, db, changes, now)
		if err != nil {
			t.Fatal(err)
		}
		texts := map[string]string{}
		for _, p := range ps {
			texts[p.Key] = p.Out.Text
		}
		// Budi: one notice of the new time and place; Andi: the
		// cancellation. Siti is not linked.
		if len(ps) != 2 {
			t.Fatalf("%d notices: %q", len(ps), keys(ps))
		}
		var sawCancel, sawBoth bool
		for k, txt := range texts {
			switch {
			case strings.Contains(k, ":cancelled:"):
				sawCancel = strings.Contains(txt, "dibatalkan") && strings.Contains(k, nipAndi)
				// Nothing records a replacement session: the notice
				// promises none.
				if !strings.HasSuffix(txt, `Pelatihan "Dasar-Dasar SPBE" yang dijadwalkan pada Senin, 7 Desember 2026 pukul 08.30 WIB dibatalkan. Mohon maaf atas perubahan ini. Bila ada jadwal pengganti, akan kami sampaikan.`) {
					t.Errorf("cancellation notice:\n%s\nwant it to promise no replacement", txt)
				}
			case strings.Contains(k, ":"+nipBudi+":rescheduled-moved:"):
				// What is in force now, and not the time it had before:
				// the person may never have been told it.
				sawBoth = true
				if !strings.Contains(txt, `Jadwal dan tempat pelatihan "Analisis Data untuk Pengambilan Keputusan" berubah. Waktu dan tempat yang berlaku sekarang:`) ||
					!strings.Contains(txt, "Waktu: Jumat, 4 Desember 2026 pukul 09.00") || !strings.Contains(txt, "Tempat: Ruang Rapat Diskominfo") ||
					strings.Contains(txt, "3 Desember") {
					t.Errorf("notice of a new time and place:\n%s\nwant both as they are now", txt)
				}
			}
		}
		if !sawCancel || !sawBoth {
			t.Errorf("notices: %v", texts)
		}

		// A notice holds until its session changes again: ANL is
		// cancelled after all, SPBE stays cancelled.
		holds := func(step string, want map[string]bool) {
			t.Helper()
			for _, p := range ps {
				if !strings.HasPrefix(p.Condition, "session:") || strings.Contains(p.Condition, p.NIP) {
					t.Fatalf("%s has condition %q; want a session condition naming no person", p.Key, p.Condition)
				}
				kind := strings.Split(p.Key, ":")[3]
				got, err := s.Holds(ctx, p.Condition)
				if err != nil || got != want[kind] {
					t.Errorf("%s: the %s notice holds = %v (%v), want %v", step, kind, got, err, want[kind])
				}
			}
		}
		holds("as planned", map[string]bool{"rescheduled-moved": true, "cancelled": true})
		if _, err := s.ImportSessions(ctx, strings.NewReader(`code,training,start,end,place,online_url,status
ANL-2026-01,DIG-ANALITIK,2026-12-04 09:00,2026-12-04 16:00,Ruang Rapat Diskominfo,,dibatalkan
SPBE-2026-02,SPBE-DASAR,2026-12-07 08:30,2026-12-08 15:00,,https://elearning.lan.go.id/kelas/spbe-dasar,dibatalkan
`), "sessions3.csv"); err != nil {
			t.Fatal(err)
		}
		holds("ANL cancelled", map[string]bool{"rescheduled-moved": false, "cancelled": true})
		// No reminders for the cancelled session.
		ps, err = s.DueReminders(ctx, wib("2026-12-07 07:00"), nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(ps) != 0 {
			t.Errorf("reminders for a cancelled session: %q", keys(ps))
		}
	})
}

var rsvpWordCases = []struct {
	text    string
	yes, ok bool
}{
	{"hadir", true, true},
	{"Bisa hadir!", true, true},
	{"  saya   HADIR. ", true, true},
	{"tidak bisa", false, true},
	{"gak bisa hadir", false, true},
	{"Berhalangan", false, true},
	{"jadi hadir", true, true},
	{"Ternyata bisa hadir", true, true},
	{"Ternyata saya bisa hadir.", true, true},
	{"tidak jadi hadir", false, true},
	{"batal hadir", false, true},
	{"hadir di kantor camat jam berapa?", false, false},
	{"bisa", false, false},
	{"", false, false},
}

// An ASN taken off a session by mistake and enrolled again presses Hadir
// on the reminder they already had: the old enrolment is gone, and the
// press answers for their enrolment now, rather than failing with
// ErrNotFound (which the handler answers "Anda tidak lagi terdaftar pada
// sesi pelatihan ini", though they are enrolled). Someone else pressing
// it gets ErrNotYours; taken off and not enrolled again, ErrNotFound.
func TestOldRSVPButtonAfterReenrolment(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		s := fixture(t, db)
		ctx := context.Background()
		now := wib("2026-12-01 10:00")
		s.opts.Now = func() time.Time { return now }
		anl := sessionByCode(t, s, "ANL-2026-01")
		rsvp := func(enrolment int64, nip string, yes bool) error {
			_, err := storagetest.InTx(db, func(tx *sqlx.Tx) (Session, error) {
				return s.RecordRSVP(ctx, tx, enrolment, nip, yes, "", now)
			})
			return err
		}
		old := enrolmentOf(t, s, anl.Code, nipBudi).ID
		if _, err := s.Unenrol(ctx, anl.ID, nipBudi); err != nil {
			t.Fatal(err)
		}
		if err := rsvp(old, nipBudi, true); !errors.Is(err, ErrNotFound) {
			t.Errorf("Hadir of someone taken off the session: %v, want ErrNotFound", err)
		}
		if _, err := s.Enrol(ctx, anl.ID, nipBudi); err != nil {
			t.Fatal(err)
		}
		if err := rsvp(old, nipBudi, true); errors.Is(err, ErrNotFound) || err != nil {
			t.Errorf("Hadir on the reminder of an ASN enrolled again: %v (handler says \"tidak lagi terdaftar\")", err)
		}
		if e := enrolmentOf(t, s, anl.Code, nipBudi); e.ID == old || e.RSVP != RSVPYes {
			t.Errorf("enrolment after the old Hadir: %+v, want the new one (not %d) answered Hadir", e, old)
		}
		if err := rsvp(old, nipSiti, false); !errors.Is(err, ErrNotYours) {
			t.Errorf("Siti pressing Budi's old button: %v, want ErrNotYours", err)
		}
		if e := enrolmentOf(t, s, anl.Code, nipSiti); e.RSVP != RSVPNone {
			t.Errorf("Siti's enrolment after pressing Budi's old button: %+v", e)
		}
	})
}

func TestParseRSVPWords(t *testing.T) {
	for _, c := range rsvpWordCases {
		yes, ok := ParseRSVPWords(c.text)
		if yes != c.yes || ok != c.ok {
			t.Errorf("ParseRSVPWords(%q) = %v, %v; want %v, %v", c.text, yes, ok, c.yes, c.ok)
		}
	}
}

// A reminder that goes out late says the time really left: enrolled three
// days ahead, the 7-day reminder goes out at once saying "3 hari lagi",
// then the 1-day and 2-hour reminders as usual.
func TestLateReminderStatesTimeLeft(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		s := fixture(t, db)
		ctx := context.Background()
		link(t, s, nipBudi, wib("2026-11-01 10:00"))
		anl := sessionByCode(t, s, "ANL-2026-01")
		for _, c := range []struct{ now, key, text string }{
			{"2026-11-30 09:05", "7d", "dimulai 3 hari lagi"},
			{"2026-12-02 09:00", "1d", "dimulai 1 hari lagi"},
			{"2026-12-03 07:00", "2h", "dimulai 2 jam lagi"},
		} {
			ps, err := s.DueReminders(ctx, wib(c.now), nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			var mine []Planned
			for _, p := range ps {
				if p.NIP == nipBudi {
					mine = append(mine, p)
				}
			}
			if len(mine) != 1 || mine[0].Key != "reminder:"+nipBudi+":"+itoa(anl.ID)+":"+itoa(enrolmentOf(t, s, anl.Code, nipBudi).ID)+":"+c.key+":"+strconv.FormatInt(anl.Start.Unix(), 10) ||
				!strings.Contains(mine[0].Out.Text, c.text) || !mine[0].NotBefore.Equal(wib(c.now)) {
				t.Errorf("%s: %+v", c.now, mine)
			}
		}
	})
}

var untilCases = []struct {
	d    time.Duration
	want string
}{
	{7 * 24 * time.Hour, "7 hari"},
	{3*24*time.Hour - 5*time.Minute, "3 hari"},
	{36*time.Hour + 5*time.Minute, "2 hari"},
	{36 * time.Hour, "2 hari"},
	{24 * time.Hour, "1 hari"},
	{25 * time.Hour, "1 hari"},
	{73 * time.Hour, "3 hari"},
	{167 * time.Hour, "7 hari"},
	{23 * time.Hour, "23 jam"},
	{2 * time.Hour, "2 jam"},
	{5*time.Hour + 20*time.Minute, "5 jam"},
	{90 * time.Minute, "90 menit"},
	{5 * time.Minute, "5 menit"},
	{20 * time.Second, "1 menit"},
}

func TestUntil(t *testing.T) {
	for _, c := range untilCases {
		if got := Until(c.d); got != c.want {
			t.Errorf("Until(%s) = %q, want %q", c.d, got, c.want)
		}
	}
}

// A late reminder states the time left in days from a day on: a whole
// number of hours (73) reads as its neighbour a minute shorter does.
func TestUntilDayOrMoreInDays(t *testing.T) {
	for _, d := range []time.Duration{25 * time.Hour, 73 * time.Hour, 73*time.Hour - time.Minute, 167 * time.Hour} {
		if got := Until(d); strings.HasSuffix(got, "jam") || got != Until(d-time.Minute) {
			t.Errorf("Until(%v) = %q; %v gives %q", d, got, d-time.Minute, Until(d-time.Minute))
		}
	}
}

// A reminder's condition holds while the reminder is still right to send:
// its person is enrolled and has not answered Berhalangan, and its session
// takes place at the time it names. The outbox asks before each attempt,
// so a reminder waiting for a retry is withdrawn by what changes that.
func TestReminderCondition(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		s := fixture(t, db)
		ctx := context.Background()
		now := wib("2026-12-01 09:00")
		// The sessions change at now, their people enrolled a month before.
		s.opts.Now = func() time.Time { return now }
		if _, err := db.ExecContext(ctx, db.Rebind(`UPDATE enrolments SET created_at = ?`), now.Add(-30*24*time.Hour)); err != nil {
			t.Fatal(err)
		}
		for _, nip := range []string{nipBudi, nipSiti, nipAndi} {
			link(t, s, nip, now)
		}
		at := now
		plan := func() map[string]Planned {
			t.Helper()
			ps, err := s.DueReminders(ctx, at, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]Planned{}
			for _, p := range ps {
				if p.Condition == "" || strings.Contains(p.Condition, p.NIP) {
					t.Fatalf("reminder %s has condition %q; want one naming no person", p.Key, p.Condition)
				}
				if m := OutboxMessages([]Planned{p}); m[0].Condition != p.Condition {
					t.Fatalf("the outbox message lost the condition: %+v", m[0])
				}
				out[p.NIP] = p
			}
			return out
		}
		planned := plan() // ANL-2026-01 for Budi and Siti, SPBE-2026-02 for Andi
		if len(planned) != 3 {
			t.Fatalf("planned %v; want a reminder for Budi, Siti and Andi", slices.Collect(maps.Keys(planned)))
		}
		check := func(step string, want map[string]bool) {
			t.Helper()
			for nip, w := range want {
				got, err := s.Holds(ctx, planned[nip].Condition)
				if err != nil || got != w {
					t.Errorf("%s: %s's reminder holds = %v (%v), want %v", step, nip, got, err, w)
				}
			}
		}
		check("as planned", map[string]bool{nipBudi: true, nipSiti: true, nipAndi: true})
		// A reminder queued before sessions had versions names none: it
		// was planned at version 0.
		if legacy := strings.TrimSuffix(planned[nipBudi].Condition, ":0"); legacy == planned[nipBudi].Condition {
			t.Errorf("a reminder of an unchanged session has condition %q; want one ending in version 0", legacy)
		} else if ok, err := s.Holds(ctx, legacy); !ok || err != nil {
			t.Errorf("the condition without a version %q holds = %v (%v)", legacy, ok, err)
		}

		enrolment, _, ok := ParseRSVPButton(planned[nipBudi].Out.Buttons[0][1].Data)
		if !ok {
			t.Fatal("no RSVP button on Budi's reminder")
		}
		if _, err := storagetest.InTx(db, func(tx *sqlx.Tx) (Session, error) {
			return s.RecordRSVP(ctx, tx, enrolment, nipBudi, false, "dinas luar", now)
		}); err != nil {
			t.Fatal(err)
		}
		check("Budi berhalangan", map[string]bool{nipBudi: false, nipSiti: true, nipAndi: true})

		importSessions := func(anlStatus, spbeStart string, anlPlace ...string) {
			t.Helper()
			place := "Aula"
			if len(anlPlace) > 0 {
				place = anlPlace[0]
			}
			if _, err := s.ImportSessions(ctx, strings.NewReader("code,training,start,end,place,online_url,status\n"+
				"ANL-2026-01,DIG-ANALITIK,2026-12-03 09:00,2026-12-03 16:00,"+place+",,"+anlStatus+"\n"+
				"SPBE-2026-02,SPBE-DASAR,"+spbeStart+",2026-12-08 15:00,,https://elearning.lan.go.id/kelas/spbe-dasar,\n"), "sessions.csv"); err != nil {
				t.Fatal(err)
			}
		}
		importSessions("dibatalkan", "2026-12-07 09:30")
		check("ANL cancelled, SPBE an hour later", map[string]bool{nipBudi: false, nipSiti: false, nipAndi: false})
		importSessions("dijadwalkan", "2026-12-07 09:30")
		// The reminder queued before the cancellation is not sent after the
		// reinstatement either: the session is reminded again, as it is now.
		check("ANL scheduled again", map[string]bool{nipBudi: false, nipSiti: false, nipAndi: false})
		// The late 7-day reminders planned at now are not planned again:
		// the notices of the changes went out instead. The next moments
		// are reminded: ANL's 1-day one (Siti), SPBE's (Andi).
		if again := plan(); len(again) != 0 {
			t.Errorf("reminders of moments passed before the change planned again: %v", slices.Collect(maps.Keys(again)))
		}
		again := map[string]Planned{}
		for nip, next := range map[string]time.Time{nipSiti: wib("2026-12-02 09:00"), nipAndi: wib("2026-12-06 09:30")} {
			at = next
			again[nip] = plan()[nip]
		}
		at = wib("2026-12-02 09:00")
		for _, nip := range []string{nipSiti, nipAndi} {
			if again[nip].Condition == planned[nip].Condition || again[nip].Key == planned[nip].Key {
				t.Errorf("%s's reminder after the change has the old key %q or condition %q", nip, again[nip].Key, again[nip].Condition)
			} else if ok, err := s.Holds(ctx, again[nip].Condition); !ok || err != nil {
				t.Errorf("%s's reminder planned after the change holds = %v (%v)", nip, ok, err)
			}
		}
		planned[nipSiti] = again[nipSiti]

		// ANL moves to another room: Siti's reminder names the old one.
		importSessions("dijadwalkan", "2026-12-07 09:30", "Ruang Rapat Lantai 2")
		check("ANL in another room", map[string]bool{nipSiti: false})
		if moved := plan()[nipSiti]; moved.Key == planned[nipSiti].Key || !strings.Contains(moved.Out.Text, "Tempat: Ruang Rapat Lantai 2") {
			t.Errorf("Siti's reminder after the move: %s\n%s\nwant a new key and the new room", moved.Key, moved.Out.Text)
		} else if ok, err := s.Holds(ctx, moved.Condition); !ok || err != nil {
			t.Errorf("Siti's reminder with the new room holds = %v (%v)", ok, err)
		} else {
			planned[nipSiti] = moved
		}

		anl := sessionByCode(t, s, "ANL-2026-01")
		if _, err := s.Unenrol(ctx, anl.ID, nipSiti); err != nil {
			t.Fatal(err)
		}
		check("Siti taken off ANL", map[string]bool{nipSiti: false})

		for _, c := range []string{"", "survey:x", "reminder:1", "reminder:x:1", "reminder:1:x", "reminder:1:2:x", "reminder:1:2:3:4"} {
			if _, err := s.Holds(ctx, c); err == nil {
				t.Errorf("condition %q: no error", c)
			}
		}
	})
}

// TestHoldsForNeedsTheChatStillLinked: a reminder, a JP reminder or any
// other message waiting in the outbox for a chat that is unlinked (/putus)
// or paused (/berhenti) is not sent there: the chat may no longer be the
// person's. Resuming sends it again.
func TestHoldsForNeedsTheChatStillLinked(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		s := fixture(t, db)
		ctx := context.Background()
		now := wib("2026-12-01 09:00")
		link(t, s, nipBudi, now)
		link(t, s, nipSiti, now)
		ps, err := s.DueReminders(ctx, now, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		var budi, siti Planned
		for _, p := range ps {
			switch p.NIP {
			case nipBudi:
				budi = p
			case nipSiti:
				siti = p
			}
		}
		if budi.Condition == "" || siti.Condition == "" {
			t.Fatalf("no reminders with conditions for Budi and Siti in %+v", ps)
		}
		holds := func(step string, p Planned, want bool) {
			t.Helper()
			for _, cond := range []string{p.Condition, condLinked} {
				got, err := s.HoldsFor(ctx, p.Platform, p.ChatID, cond)
				if err != nil || got != want {
					t.Errorf("%s: %s's message (%s) holds = %v (%v), want %v", step, p.NIP, cond, got, err, want)
				}
			}
		}
		holds("linked", budi, true)
		holds("linked", siti, true)
		inTx := func(f func(tx *sqlx.Tx) error) {
			t.Helper()
			if _, err := storagetest.InTx(db, func(tx *sqlx.Tx) (struct{}, error) { return struct{}{}, f(tx) }); err != nil {
				t.Fatal(err)
			}
		}
		inTx(func(tx *sqlx.Tx) error { return s.Unlink(ctx, tx, bots.Telegram, "tg-"+nipBudi) })
		inTx(func(tx *sqlx.Tx) error { return s.Pause(ctx, tx, bots.Telegram, "tg-"+nipSiti) })
		holds("Budi unlinked", budi, false)
		holds("Siti paused", siti, false)
		inTx(func(tx *sqlx.Tx) error { return s.Resume(ctx, tx, bots.Telegram, "tg-"+nipSiti) })
		holds("Siti resumed", siti, true)
		// A chat that was never linked gets nothing either.
		if ok, err := s.HoldsFor(ctx, bots.Telegram, "tg-stranger", condLinked); ok || err != nil {
			t.Errorf("a message to a chat never linked holds = %v (%v), want false", ok, err)
		}
	})
}

// A change notice ends with what the person's answer on record is and how
// to change it: a Hadir stays recorded (it is not asked for again, which
// would read as if it had been lost), a Berhalangan too, and only someone
// who has not answered is asked to.
func TestChangeNoticeStatesTheAnswerOnRecord(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		s := fixture(t, db)
		ctx := context.Background()
		now := wib("2026-11-20 10:00")
		s.opts.Now = func() time.Time { return now }
		for _, nip := range []string{nipBudi, nipSiti, nipAndi} {
			link(t, s, nip, now)
		}
		anl := sessionByCode(t, s, "ANL-2026-01")
		if _, err := s.Enrol(ctx, anl.ID, nipAndi); err != nil {
			t.Fatal(err)
		}
		for nip, yes := range map[string]bool{nipBudi: true, nipSiti: false} {
			e := enrolmentOf(t, s, "ANL-2026-01", nip)
			if _, err := storagetest.InTx(db, func(tx *sqlx.Tx) (Session, error) {
				return s.RecordRSVP(ctx, tx, e.ID, nip, yes, "dinas luar", now)
			}); err != nil {
				t.Fatal(err)
			}
		}
		for _, c := range []struct {
			name, file string
		}{
			{"a new time", "ANL-2026-01,DIG-ANALITIK,2026-12-04 09:00,2026-12-04 16:00,\"Aula Kantor Wali Kota Tebing Tinggi, Jl. Dr. Sutomo\",,\n"},
			{"a new place", "ANL-2026-01,DIG-ANALITIK,2026-12-04 09:00,2026-12-04 16:00,Ruang Rapat Diskominfo,,\n"},
		} {
			ps, err := storagetest.InTx(db, func(tx *sqlx.Tx) ([]Planned, error) {
				changes, err := s.ImportSessionsIn(ctx, tx, strings.NewReader("code,training,start,end,place,online_url,status\n"+c.file), "sessions.csv")
				if err != nil {
					return nil, err
				}
				return s.ChangeNotices(ctx, tx, changes, now)
			})
			if err != nil {
				t.Fatal(err)
			}
			texts := map[string]string{}
			for _, p := range ps {
				texts[p.NIP] = p.Out.Text
				if len(p.Out.Buttons) != 1 || len(p.Out.Buttons[0]) != 2 {
					t.Errorf("%s: notice to %s has buttons %+v; want Hadir and Berhalangan", c.name, p.NIP, p.Out.Buttons)
				}
			}
			for nip, want := range map[string]string{
				nipBudi: "\nKonfirmasi hadir Anda tetap tercatat. Bila dengan jadwal ini Anda berhalangan, tekan tombol Berhalangan.",
				nipSiti: "\nAnda tercatat berhalangan hadir. Bila dengan jadwal ini Anda bisa hadir, tekan tombol Hadir.",
				nipAndi: "\nMohon konfirmasi kehadiran Anda dengan menekan salah satu tombol di bawah.",
			} {
				if !strings.HasSuffix(texts[nip], want) {
					t.Errorf("%s: notice to %s:\n%s\nwant it to end with%s", c.name, nip, texts[nip], want)
				}
			}
		}
	})
}

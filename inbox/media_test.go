package inbox_test

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/inbox"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

// logLocation calls LogLocation in a transaction of its own.
func logLocation(db *storage.DB, s *inbox.Store, convID int64, l inbox.Location) (t inbox.Ticket, found bool, err error) {
	err = db.InTx(context.Background(), func(tx *sqlx.Tx) error {
		t, found, err = s.LogLocation(context.Background(), tx, convID, l)
		return err
	})
	return t, found, err
}

// logFile calls LogFile in a transaction of its own.
func logFile(db *storage.DB, s *inbox.Store, convID int64, f inbox.File) (t inbox.Ticket, found bool, err error) {
	err = db.InTx(context.Background(), func(tx *sqlx.Tx) error {
		t, found, err = s.LogFile(context.Background(), tx, convID, f)
		return err
	})
	return t, found, err
}

// TestVoiceAudioAndVideoAreKeptAsFiles: every kind of file the hub keeps
// joins the open ticket by its reference; a kind it does not keep is
// refused, naming what it wants.
func TestVoiceAudioAndVideoAreKeptAsFiles(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		now := wib(11, 27, 10, 0)
		s := newStore(db, &now)
		c, err := s.EnsureConversation(ctx, db, bots.Telegram, "31", "31", "Butet")
		if err != nil {
			t.Fatal(err)
		}
		tk, _, err := openTicket(db, s, c.ID, "(pesan suara tanpa keterangan)", inbox.NoMatch, now)
		if err != nil {
			t.Fatal(err)
		}
		for _, kind := range []string{"voice", "audio", "video", "video_note"} {
			got, found, err := logFile(db, s, c.ID, inbox.File{Kind: kind, ID: "id-" + kind, Caption: "tentang " + kind})
			if err != nil || !found || got.ID != tk.ID {
				t.Fatalf("LogFile(%s) = %+v, %v, %v; want ticket %d", kind, got, found, err, tk.ID)
			}
		}
		if _, _, err := logFile(db, s, c.ID, inbox.File{Kind: "sticker", ID: "s1"}); err == nil || !strings.Contains(err.Error(), "voice") {
			t.Errorf("LogFile(sticker) = %v, want a refusal naming the kinds kept", err)
		}
		det, err := s.Get(ctx, tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		var kept []string
		for _, m := range det.Messages {
			if m.FileKind != "" {
				kept = append(kept, m.FileKind+":"+m.FileID+":"+m.Text)
			}
			if m.Location() != nil {
				t.Errorf("message %d (%q) reads as a location", m.ID, m.Text)
			}
		}
		want := "voice:id-voice:tentang voice,audio:id-audio:tentang audio,video:id-video:tentang video,video_note:id-video_note:tentang video_note"
		if strings.Join(kept, ",") != want {
			t.Errorf("files with the ticket:\n%s\nwant\n%s", strings.Join(kept, ","), want)
		}
	})
}

// TestLocationsJoinTheTicketAsMessages: a shared place is logged as a
// message officers read ("📍 Lokasi: …", the venue below it), with its
// coordinates for a map link, joining the open ticket; without one, it is
// logged to the conversation alone. Coordinates off the globe are
// refused and nothing is written.
func TestLocationsJoinTheTicketAsMessages(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		now := wib(11, 27, 10, 0)
		s := newStore(db, &now)
		c, err := s.EnsureConversation(ctx, db, bots.Telegram, "32", "32", "Ucok")
		if err != nil {
			t.Fatal(err)
		}
		if _, found, err := logLocation(db, s, c.ID, inbox.Location{Latitude: 3.3285, Longitude: 99.1625}); err != nil || found {
			t.Fatalf("LogLocation without a ticket = %v, %v; want logged, no ticket", found, err)
		}
		tk, _, err := openTicket(db, s, c.ID, "jalan rusak di sini", inbox.NoMatch, now)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := storagetest.InTx(db, func(tx *sqlx.Tx) (inbox.Ticket, error) {
			return s.Reply(ctx, tx, tk.ID, "Ani", "Mohon kirim lokasinya.", now)
		}); err != nil {
			t.Fatal(err)
		}
		venue := inbox.Location{Latitude: -3.32851234, Longitude: 99.1625, Name: "Pasar Gambir,\n Jl. Iskandar Muda"}
		got, found, err := logLocation(db, s, c.ID, venue)
		if err != nil || !found || got.ID != tk.ID || got.Status != inbox.Open {
			t.Fatalf("LogLocation with an answered ticket = %+v, %v, %v; want ticket %d open again", got, found, err, tk.ID)
		}
		for _, bad := range []inbox.Location{{Latitude: 91, Longitude: 0}, {Latitude: 0, Longitude: -180.5}, {Latitude: math.NaN(), Longitude: 1},
			{Latitude: 93.3285123, Longitude: 99.1625987}} {
			_, _, err := logLocation(db, s, c.ID, bad)
			if err == nil || !strings.Contains(err.Error(), "latitude") {
				t.Errorf("LogLocation(%v) = %v, want a refusal", bad, err)
			}
			// Errors are logged, and a place is personal data.
			if err != nil && (strings.Contains(err.Error(), "3285123") || strings.Contains(err.Error(), "1625987")) {
				t.Errorf("LogLocation(%v) refused with %q, which gives the place away", bad, err)
			}
		}
		var n int
		if err := db.GetContext(ctx, &n, `SELECT COUNT(*) FROM messages WHERE latitude IS NOT NULL`); err != nil || n != 2 {
			t.Errorf("%d located messages, %v; want the 2 valid ones", n, err)
		}

		det, err := s.Get(ctx, tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		last := det.Messages[len(det.Messages)-1]
		l := last.Location()
		if last.Text != "📍 Lokasi: -3.328512, 99.1625\nPasar Gambir, Jl. Iskandar Muda" || last.FileKind != "" || last.AuthorKind != inbox.Citizen || l == nil {
			t.Fatalf("the location's message = %+v", last)
		}
		if l.Coordinates() != "-3.328512, 99.1625" || l.Name != "Pasar Gambir, Jl. Iskandar Muda" ||
			l.MapURL() != "https://www.google.com/maps?q=-3.328512,99.1625" {
			t.Errorf("Location() = %+v (%s, %s)", *l, l.Coordinates(), l.MapURL())
		}
		if det.Messages[0].Location() != nil {
			t.Errorf("the question reads as a location: %+v", det.Messages[0])
		}
		// The first location, logged without a ticket, reads back too.
		msgs, err := s.RecentMessages(ctx, db, c.ID, now.Add(-1), 1)
		if err != nil || len(msgs) != 1 {
			t.Fatalf("RecentMessages = %v, %v", msgs, err)
		}
		if first, _, _ := strings.Cut(msgs[0].Text, "\n"); first != "📍 Lokasi: -3.328512, 99.1625" {
			t.Errorf("newest message %q", msgs[0].Text)
		}
	})
}

// TestLocationWords: coordinates are written as officers paste them, to
// the sixth decimal, without trailing zeros or a minus zero.
func TestLocationWords(t *testing.T) {
	for _, c := range []struct {
		l          inbox.Location
		text, link string
	}{
		{inbox.Location{Latitude: 3.3285, Longitude: 99.1625}, "📍 Lokasi: 3.3285, 99.1625", "https://www.google.com/maps?q=3.3285,99.1625"},
		{inbox.Location{Latitude: -0.0000001, Longitude: 100, Name: "Balai Kota"}, "📍 Lokasi: 0, 100\nBalai Kota", "https://www.google.com/maps?q=0,100"},
		{inbox.Location{Latitude: -90, Longitude: 179.9999996}, "📍 Lokasi: -90, 180", "https://www.google.com/maps?q=-90,180"},
	} {
		if got := c.l.Text(); got != c.text {
			t.Errorf("%+v: Text() = %q, want %q", c.l, got, c.text)
		}
		if got := c.l.MapURL(); got != c.link {
			t.Errorf("%+v: MapURL() = %q, want %q", c.l, got, c.link)
		}
	}
}

// TestKeptFilesAndPlacesLeaveTheTicketAsItIs: KeepFile and KeepLocation
// record a file or a place as LogMessage records a text: with the ticket
// named (one of the conversation's own), or none, the ticket's status
// unchanged; they refuse what LogFile and LogLocation refuse.
func TestKeptFilesAndPlacesLeaveTheTicketAsItIs(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		now := wib(11, 27, 10, 0)
		s := newStore(db, &now)
		c, err := s.EnsureConversation(ctx, db, bots.Telegram, "41", "41", "Butet")
		if err != nil {
			t.Fatal(err)
		}
		other, err := s.EnsureConversation(ctx, db, bots.Telegram, "42", "42", "Ucok")
		if err != nil {
			t.Fatal(err)
		}
		tk, _, err := openTicket(db, s, c.ID, "jalan rusak", inbox.NoMatch, now)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.InTx(ctx, func(tx *sqlx.Tx) error {
			_, err := s.Reply(ctx, tx, tk.ID, "Petugas Ani", "Di mana lokasinya?", now)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		keep := func(convID, ticketID int64, f *inbox.File, l *inbox.Location) (m inbox.Message, err error) {
			err = db.InTx(ctx, func(tx *sqlx.Tx) error {
				if f != nil {
					m, err = s.KeepFile(ctx, tx, convID, ticketID, *f)
				} else {
					m, err = s.KeepLocation(ctx, tx, convID, ticketID, *l)
				}
				return err
			})
			return m, err
		}
		m, err := keep(c.ID, tk.ID, &inbox.File{Kind: "photo", ID: "AgACk3pt", Caption: "ini"}, nil)
		if err != nil || m.ID == 0 || m.FileKind != "photo" || m.FileID != "AgACk3pt" || m.Text != "ini" || m.TicketID == nil || *m.TicketID != tk.ID {
			t.Fatalf("KeepFile = %+v, %v", m, err)
		}
		m, err = keep(c.ID, tk.ID, nil, &inbox.Location{Latitude: 3.3285, Longitude: 99.1625, Name: "Pasar\nGambir"})
		if l := m.Location(); err != nil || l == nil || l.Name != "Pasar Gambir" || m.Text != "📍 Lokasi: 3.3285, 99.1625\nPasar Gambir" {
			t.Fatalf("KeepLocation = %+v, %v", m, err)
		}
		if m, err := keep(c.ID, 0, &inbox.File{Kind: "voice", ID: "AwACn0t1cket"}, nil); err != nil || m.TicketID != nil {
			t.Errorf("KeepFile without a ticket = %+v, %v", m, err)
		}
		for _, c := range []struct {
			name   string
			convID int64
			f      *inbox.File
			l      *inbox.Location
			want   string
		}{
			{"another conversation's ticket", other.ID, &inbox.File{Kind: "photo", ID: "x"}, nil, "is not one of conversation"},
			{"a sticker", c.ID, &inbox.File{Kind: "sticker", ID: "x"}, nil, "voice"},
			{"a file without an id", c.ID, &inbox.File{Kind: "photo", ID: " "}, nil, "with an id"},
			{"a place off the globe", c.ID, nil, &inbox.Location{Latitude: 91, Longitude: 0}, "±90"},
		} {
			if _, err := keep(c.convID, tk.ID, c.f, c.l); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s: %v, want an error saying %q", c.name, err, c.want)
			}
		}
		det, err := s.Get(ctx, tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		if det.Ticket.Status != inbox.Answered {
			t.Errorf("ticket %s after kept files, want it answered still", det.Ticket.Status)
		}
		if n := len(det.Messages); n != 4 {
			t.Errorf("%d messages with the ticket, want the question, the reply, the photo and the place", n)
		}
	})
}

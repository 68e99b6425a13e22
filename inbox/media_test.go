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
		for _, bad := range []inbox.Location{{Latitude: 91, Longitude: 0}, {Latitude: 0, Longitude: -180.5}, {Latitude: math.NaN(), Longitude: 1}} {
			if _, _, err := logLocation(db, s, c.ID, bad); err == nil || !strings.Contains(err.Error(), "latitude") {
				t.Errorf("LogLocation(%v) = %v, want a refusal", bad, err)
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

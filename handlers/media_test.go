package handlers_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/handlers"
	"github.com/tebingtinggi/hub/inbox"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

// TestVoiceNotesAndVideosGoToAnOfficer: the bot cannot listen to a voice
// note or watch a video; it keeps the reference with the citizen's
// ticket, opening one, and says so honestly: it was passed to an officer
// with ticket #N, and a typed question is answered at once.
func TestVoiceNotesAndVideosGoToAnOfficer(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		_, _, in, _, m := starterCitizen(t, db)
		send := func(media, fileID, caption string) string {
			t.Helper()
			outs, err := handleInTx(db, m, bots.Incoming{Platform: bots.Telegram, Kind: bots.File, Media: media, FileID: fileID, Text: caption,
				ChatID: "v1", ChatType: bots.Private, UserID: "v1", Addressed: true})
			if err != nil || len(outs) != 1 {
				t.Fatalf("%s: %v %v", media, outs, err)
			}
			return outs[0].Text
		}
		got := send("voice", "AwACv01ce", "")
		res, err := in.List(ctx, inbox.Filter{})
		if err != nil || len(res.Tickets) != 1 {
			t.Fatalf("tickets after a voice note: %+v, %v", res.Tickets, err)
		}
		tk := res.Tickets[0].Ticket
		for _, want := range []string{"belum bisa mendengarkan pesan suara", "teruskan kepada petugas", fmt.Sprintf("(tiket #%d)", tk.ID), "ketik pertanyaan"} {
			if !strings.Contains(got, want) {
				t.Errorf("reply to a voice note %q lacks %q", got, want)
			}
		}
		if tk.Subject != "(pesan suara tanpa keterangan)" {
			t.Errorf("ticket subject %q", tk.Subject)
		}
		for _, c := range []struct{ media, id, caption, says string }{
			{"video_note", "DQACr0und", "", "belum bisa menonton video"},
			{"video", "BAACv1de0", "banjir setinggi lutut", "belum bisa menonton video"},
			{"audio", "CQACaud10", "", "belum bisa mendengarkan rekaman audio"},
			{"voice", "AwACv01ce2", "", "belum bisa mendengarkan pesan suara"},
		} {
			got := send(c.media, c.id, c.caption)
			if !strings.Contains(got, c.says) || !strings.Contains(got, fmt.Sprintf("tiket #%d", tk.ID)) || !strings.Contains(got, "ketik pertanyaan") {
				t.Errorf("reply to a %s with the ticket open: %q", c.media, got)
			}
		}
		det, err := in.Get(ctx, tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		var files []string
		for _, msg := range det.Messages {
			if msg.FileKind != "" {
				files = append(files, msg.FileKind+":"+msg.FileID+":"+msg.Text)
			}
		}
		want := "voice:AwACv01ce:,video_note:DQACr0und:,video:BAACv1de0:banjir setinggi lutut,audio:CQACaud10:,voice:AwACv01ce2:"
		if strings.Join(files, ",") != want {
			t.Errorf("files with the ticket:\n%s\nwant\n%s", strings.Join(files, ","), want)
		}
	})
}

// TestSharedLocationsGoToAnOfficer: a location opens a ticket when there
// is none ("(lokasi tanpa keterangan)", and the citizen is asked what is
// happening there) or joins the open one; its message holds the
// coordinates and a venue's name. In a group, or moved as a live
// location (an edit), it is passed over.
func TestSharedLocationsGoToAnOfficer(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		_, _, in, _, m := starterCitizen(t, db)
		send := func(chat string, ct bots.ChatType, kind bots.Kind, media string, p bots.Place) []bots.Outgoing {
			t.Helper()
			outs, err := handleInTx(db, m, bots.Incoming{Platform: bots.Telegram, Kind: kind, Media: media, Place: &p,
				ChatID: chat, ChatType: ct, UserID: "l1", Addressed: ct == bots.Private})
			if err != nil {
				t.Fatalf("%s: %v", media, err)
			}
			return outs
		}
		outs := send("l1", bots.Private, bots.Location, "location", bots.Place{Latitude: 3.3285, Longitude: 99.1625})
		res, err := in.List(ctx, inbox.Filter{})
		if err != nil || len(res.Tickets) != 1 || len(outs) != 1 {
			t.Fatalf("after a location: tickets %+v, %v; replies %v", res.Tickets, err, outs)
		}
		tk := res.Tickets[0].Ticket
		if got := outs[0].Text; !strings.Contains(got, "Lokasi Anda sudah kami terima") || !strings.Contains(got, fmt.Sprintf("(tiket #%d)", tk.ID)) ||
			!strings.Contains(got, "apa yang terjadi di lokasi") {
			t.Errorf("reply to a location: %q", got)
		}
		if tk.Subject != "(lokasi tanpa keterangan)" {
			t.Errorf("ticket subject %q", tk.Subject)
		}
		outs = send("l1", bots.Private, bots.Location, "venue", bots.Place{Latitude: 3.3272, Longitude: 99.1588, Title: "Pasar Gambir", Address: "Jl. Iskandar Muda"})
		if len(outs) != 1 || !strings.Contains(outs[0].Text, fmt.Sprintf("Lokasi Anda sudah kami tambahkan ke tiket #%d", tk.ID)) {
			t.Errorf("reply to a venue with the ticket open: %v", outs)
		}
		// Passed over: a live location's move, and a place shared in a group.
		if outs := send("l1", bots.Private, bots.Edited, "location", bots.Place{Latitude: 3.3301, Longitude: 99.1634}); len(outs) != 0 {
			t.Errorf("a live location's move answered: %v", outs)
		}
		if outs := send("-100555", bots.Group, bots.Location, "location", bots.Place{Latitude: 3.1, Longitude: 99.2}); len(outs) != 0 {
			t.Errorf("a place in a group answered: %v", outs)
		}
		det, err := in.Get(ctx, tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		var places []string
		for _, msg := range det.Messages {
			if l := msg.Location(); l != nil {
				places = append(places, msg.Text+" | "+l.MapURL())
			}
		}
		want := []string{
			"📍 Lokasi: 3.3285, 99.1625 | https://www.google.com/maps?q=3.3285,99.1625",
			"📍 Lokasi: 3.3272, 99.1588\nPasar Gambir, Jl. Iskandar Muda | https://www.google.com/maps?q=3.3272,99.1588",
		}
		if strings.Join(places, "\n") != strings.Join(want, "\n") {
			t.Errorf("places with the ticket:\n%s\nwant\n%s", strings.Join(places, "\n"), strings.Join(want, "\n"))
		}
		var n int
		if err := db.GetContext(ctx, &n, `SELECT COUNT(*) FROM messages WHERE latitude IS NOT NULL`); err != nil || n != 2 {
			t.Errorf("%d located messages (%v), want the 2 of the private chat", n, err)
		}
	})
}

// TestUnreadMediaGetTextOnly: stickers, GIFs, dice, polls, games and
// shared contacts get the polite "text only" and leave nothing behind (a
// contact is a third person's data).
func TestUnreadMediaGetTextOnly(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		_, _, _, _, m := starterCitizen(t, db)
		for _, media := range []string{"sticker", "animation", "dice", "poll", "game", "contact"} {
			outs, err := handleInTx(db, m, bots.Incoming{Platform: bots.Telegram, Kind: bots.Unsupported, Media: media,
				ChatID: "u1", ChatType: bots.Private, UserID: "u1", Addressed: true})
			if err != nil || len(outs) != 1 || !strings.Contains(outs[0].Text, "hanya bisa membaca pesan teks") {
				t.Errorf("%s: %v, %v", media, outs, err)
			}
		}
		for _, table := range []string{"conversations", "messages", "tickets"} {
			var n int
			if err := db.GetContext(ctx, &n, `SELECT COUNT(*) FROM `+table); err != nil || n != 0 {
				t.Errorf("%d rows in %s (%v), want none", n, table, err)
			}
		}
	})
}

// TestForgetErasesVoiceNotesAndPlaces: /hapusdata forgets the files and
// places a citizen shared, as it forgets what they typed; someone else's
// stay.
func TestForgetErasesVoiceNotesAndPlaces(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		h := newHumanChat(t, db)
		share := func(user string, lat float64) {
			t.Helper()
			h.deliver(bots.Incoming{Platform: bots.Telegram, ChatID: user, ChatType: bots.Private, UserID: user, Addressed: true,
				Kind: bots.File, Media: "voice", FileID: "AwACvoice-" + user})
			h.deliver(bots.Incoming{Platform: bots.Telegram, ChatID: user, ChatType: bots.Private, UserID: user, Addressed: true,
				Kind: bots.Location, Media: "venue", Place: &bots.Place{Latitude: lat, Longitude: 99.1625, Title: "Gang Mawar " + user}})
		}
		share("siti", 3.318791)
		share("joko", 3.301234)
		located := func() int {
			t.Helper()
			var n int
			if err := db.GetContext(ctx, &n, `SELECT COUNT(*) FROM messages WHERE latitude IS NOT NULL OR longitude IS NOT NULL`); err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n := located(); n != 2 {
			t.Fatalf("%d located messages before the erasure; want 2", n)
		}
		in := text("", "siti", "/hapusdata")
		in.Command = "hapusdata"
		h.deliver(in)
		if out := h.press("siti", "del:yes"); !strings.Contains(out.Text, "sudah kami hapus") {
			t.Fatalf("erasure: %q", out.Text)
		}
		for _, gone := range []string{"AwACvoice-siti", "Gang Mawar siti", "3.318791"} {
			if where := storagetest.Containing(t, db, gone); len(where) > 0 {
				t.Errorf("%q is still in %v after /hapusdata", gone, where)
			}
		}
		if n := located(); n != 1 {
			t.Errorf("%d located messages after the erasure; want joko's alone", n)
		}
		if where := storagetest.Containing(t, db, "AwACvoice-joko"); len(where) == 0 {
			t.Error("someone else's voice note went with the erasure")
		}
	})
}

// TestWelcomeTellsOfPlacesAndFiles: the welcome (and /bantuan) tells
// citizens that a place is worth sending with a report, that files and
// voice notes reach an officer, and that they are kept.
func TestWelcomeTellsOfPlacesAndFiles(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		_, _, _, _, m := starterCitizen(t, db)
		for _, cmd := range []string{"start", "bantuan"} {
			outs, err := handleInTx(db, m, bots.Incoming{Platform: bots.Telegram, Kind: bots.Text, Command: cmd,
				ChatID: "w1", ChatType: bots.Private, UserID: "w1", Addressed: true})
			if err != nil || len(outs) != 1 {
				t.Fatalf("/%s: %v %v", cmd, outs, err)
			}
			for _, want := range []string{"Kirim juga lokasinya (📎 → Lokasi)", "pesan suara juga kami teruskan kepada petugas", "termasuk berkas dan lokasi yang Anda kirim"} {
				if !strings.Contains(outs[0].Text, want) {
					t.Errorf("/%s lacks %q:\n%s", cmd, want, outs[0].Text)
				}
			}
		}
	})
}

// TestRateLimitedFilesAndPlacesAreKept: files and places a citizen sends
// while over the per-person limit get no reply, but are kept as when the
// limit allows them (a file's id and caption, a place's coordinates and
// name), as a silenced text is: with the open ticket, whose status stays
// as it is, or in the conversation alone, nothing opened for them. From
// a group they leave nothing, as they do within the limit.
func TestRateLimitedFilesAndPlacesAreKept(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		_, _, in, c, m := starterCitizen(t, db)
		r := newRouter(t, handlers.Config{DB: db, Handler: m, RateLimit: 2, Dropped: handlers.HandlerFunc(c.Dropped)})
		n := 0
		deliver := func(msg bots.Incoming) {
			t.Helper()
			n++
			msg.UpdateID = fmt.Sprint("media-limited-", n)
			if err := r.Deliver(ctx, msg); err != nil {
				t.Fatal(err)
			}
		}
		file := func(user, media, id, caption string) bots.Incoming {
			msg := text("", user, caption)
			msg.Kind, msg.Media, msg.FileID = bots.File, media, id
			return msg
		}
		place := func(user, media string, p bots.Place) bots.Incoming {
			msg := text("", user, "")
			msg.Kind, msg.Media, msg.Place = bots.Location, media, &p
			return msg
		}
		replies := func(chat string) int {
			t.Helper()
			k := 0
			for _, row := range outboxRows(t, db) {
				if row.Chat == chat {
					k++
				}
			}
			return k
		}
		type kept struct {
			Ticket   *int64   `db:"ticket_id"`
			FileKind string   `db:"file_kind"`
			FileID   string   `db:"file_id"`
			Text     string   `db:"text"`
			Lat      *float64 `db:"latitude"`
		}
		keptBy := func(user string) []string {
			t.Helper()
			var rows []kept
			if err := db.SelectContext(ctx, &rows, db.Rebind(`SELECT m.ticket_id, m.file_kind, m.file_id, m.text, m.latitude
				FROM messages m JOIN conversations c ON c.id = m.conversation_id
				WHERE c.user_id = ? AND m.direction = 'in' ORDER BY m.id`), user); err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, k := range rows {
				s := fmt.Sprintf("%s:%s:%s", k.FileKind, k.FileID, k.Text)
				if k.Lat != nil {
					s += fmt.Sprintf(":%v", *k.Lat)
				}
				if k.Ticket == nil {
					s += " (no ticket)"
				}
				out = append(out, s)
			}
			return out
		}

		// 706 opens a ticket with a voice note and adds another; an
		// officer answers. Then the limit is reached.
		deliver(file("706", "voice", "AwACv1", ""))
		deliver(file("706", "voice", "AwACv2", ""))
		res, err := in.List(ctx, inbox.Filter{})
		if err != nil || len(res.Tickets) != 1 {
			t.Fatalf("tickets after two voice notes: %+v, %v", res.Tickets, err)
		}
		id := res.Tickets[0].Ticket.ID
		desk := &handlers.Desk{Inbox: in, DB: db}
		if _, err := desk.Reply(ctx, id, "Petugas Ani", "Mohon tulis keluhan Anda."); err != nil {
			t.Fatal(err)
		}
		before := replies("706")
		deliver(file("706", "photo", "AgACph0t0", "  jalan berlubang di sini "))
		deliver(file("706", "document", "BQACd0c", ""))
		deliver(file("706", "audio", "CQACaud10", ""))
		deliver(file("706", "video", "BAACv1de0", "banjir"))
		deliver(file("706", "video_note", "DQACr0und", ""))
		deliver(file("706", "voice", "AwACv3", ""))
		deliver(place("706", "location", bots.Place{Latitude: 3.3285, Longitude: 99.1625}))
		deliver(place("706", "venue", bots.Place{Latitude: 3.3272, Longitude: 99.1588, Title: "Pasar Gambir", Address: "Jl. Iskandar Muda"}))
		if got := replies("706") - before; got != 1 {
			t.Errorf("%d replies to 706 over the limit, want the one notice", got)
		}
		want := []string{
			":" + ":(pesan suara tanpa keterangan)", "voice:AwACv1:", "voice:AwACv2:",
			"photo:AgACph0t0:jalan berlubang di sini", "document:BQACd0c:", "audio:CQACaud10:", "video:BAACv1de0:banjir",
			"video_note:DQACr0und:", "voice:AwACv3:",
			"::📍 Lokasi: 3.3285, 99.1625:3.3285", "::📍 Lokasi: 3.3272, 99.1588\nPasar Gambir, Jl. Iskandar Muda:3.3272",
		}
		if got := keptBy("706"); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("706's messages:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		det, err := in.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if det.Ticket.Status != inbox.Answered {
			t.Errorf("ticket %s after silenced files; want it answered still, as after a silenced text", det.Ticket.Status)
		}
		var located int
		for _, msg := range det.Messages {
			if l := msg.Location(); l != nil && l.Latitude > 3 {
				located++
			}
		}
		if located != 2 {
			t.Errorf("%d places with the ticket, want 2", located)
		}

		// 707 has no ticket: small talk within the limit opens none,
		// nor do the file and the place over it.
		deliver(text("", "707", "halo"))
		deliver(text("", "707", "terima kasih"))
		deliver(file("707", "photo", "AgACsil3nt", "lihat ini"))
		deliver(place("707", "location", bots.Place{Latitude: -0.5, Longitude: 100.25}))
		want = []string{"photo:AgACsil3nt:lihat ini (no ticket)", "::📍 Lokasi: -0.5, 100.25:-0.5 (no ticket)"}
		if got := keptBy("707"); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("707's messages:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if ts, err := in.OpenTicketsFor(ctx, db, bots.Telegram, "707"); err != nil || len(ts) != 0 {
			t.Errorf("707's open tickets %+v (%v), want none", ts, err)
		}

		// 708 writes to the bot in a group: nothing is kept of files
		// there, within the limit or over it.
		for i := range 4 {
			msg := file("708", "photo", fmt.Sprint("AgACgr0up", i), "")
			msg.ChatID, msg.ChatType = "-100708", bots.Group
			deliver(msg)
		}
		if got := keptBy("708"); len(got) != 0 {
			t.Errorf("708's group photos kept: %q", got)
		}
	})
}

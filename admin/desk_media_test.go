package admin

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/inbox"
	"github.com/tebingtinggi/hub/knowledge"
	"github.com/tebingtinggi/hub/outbox"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

var (
	// ogg opens an Ogg stream, as Telegram's voice notes do.
	ogg = append([]byte("OggS\x00\x02"), make([]byte, 300)...)
	// mp4 opens an MP4 file (an ftyp box of brand mp42).
	mp4 = append([]byte{0, 0, 0, 0x18, 'f', 't', 'y', 'p', 'm', 'p', '4', '2', 0, 0, 0, 0, 'm', 'p', '4', '2', 'i', 's', 'o', 'm'}, make([]byte, 300)...)
)

// The desk plays a citizen's voice note and video in the page, served
// inline as sound or video, and still offers them as downloads; the same
// bytes sent as a document, or HTML sent as a voice note, are downloads
// only.
func TestDeskPlaysVoiceNotesAndVideos(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h, c := loggedIn(t, db, "vera", RoleViewer)
		tg := h.filesOnTelegram(t, 0)
		tg.AddFile("AwACvoice", "voice", ".oga", ogg)
		tg.AddFile("DQACround", "video_note", ".mp4", mp4)
		tg.AddFile("BQACogg", "document", ".ogg", ogg)
		tg.AddFile("AwAChtml", "voice", ".oga", page)
		voiceTicket, voiceMsg := h.citizenFile(t, "301", "(pesan suara tanpa keterangan)", inbox.File{Kind: "voice", ID: "AwACvoice"})
		roundTicket, roundMsg := h.citizenFile(t, "302", "(video bulat tanpa keterangan)", inbox.File{Kind: "video_note", ID: "DQACround"})
		docTicket, docMsg := h.citizenFile(t, "303", "rekaman", inbox.File{Kind: "document", ID: "BQACogg"})
		htmlTicket, htmlMsg := h.citizenFile(t, "304", "dengar ini", inbox.File{Kind: "voice", ID: "AwAChtml"})

		res, body := c.get(fmt.Sprintf("/admin/desk/%d", voiceTicket))
		wantStatus(t, "voice ticket", res, body, http.StatusOK)
		for _, want := range []string{
			fmt.Sprintf(`<audio controls preload="none" src="/admin/desk/%d/file/%d"></audio>`, voiceTicket, voiceMsg),
			fmt.Sprintf(`<a href="/admin/desk/%d/file/%d" download>Unduh pesan suara</a>`, voiceTicket, voiceMsg),
			"📎 Pesan suara dari warga",
		} {
			if !strings.Contains(body, want) {
				t.Errorf("the voice note's ticket page has no %s:\n%s", want, body)
			}
		}
		res, body = c.get(fmt.Sprintf("/admin/desk/%d", roundTicket))
		wantStatus(t, "video note ticket", res, body, http.StatusOK)
		if want := fmt.Sprintf(`<video controls preload="none" src="/admin/desk/%d/file/%d"></video>`, roundTicket, roundMsg); !strings.Contains(body, want) {
			t.Errorf("the video note's ticket page has no %s:\n%s", want, body)
		}
		if strings.Contains(body, "AwAC") || strings.Contains(body, "DQAC") || strings.Contains(body, tg.Token()) {
			t.Error("a ticket page shows a file id or the bot's token")
		}

		for _, tc := range []struct {
			name        string
			ticket, msg int64
			want        []byte
			ctype, disp string
			named       string
		}{
			{"voice note", voiceTicket, voiceMsg, ogg, "audio/ogg", "inline", "-pesan-suara.oga"},
			{"video note", roundTicket, roundMsg, mp4, "video/mp4", "inline", "-video-bulat.mp4"},
			{"sound sent as a document", docTicket, docMsg, ogg, "application/octet-stream", "attachment", "-dokumen.ogg"},
			{"HTML posing as a voice note", htmlTicket, htmlMsg, page, "application/octet-stream", "attachment", "-pesan-suara.oga"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				res, body := c.get(fmt.Sprintf("/admin/desk/%d/file/%d", tc.ticket, tc.msg))
				wantStatus(t, tc.name, res, "", http.StatusOK)
				if body != string(tc.want) {
					t.Errorf("served %d bytes; want the file's %d", len(body), len(tc.want))
				}
				hd := res.Header
				if hd.Get("Content-Type") != tc.ctype || !strings.HasPrefix(hd.Get("Content-Disposition"), tc.disp+";") ||
					!strings.Contains(hd.Get("Content-Disposition"), tc.named+`"`) {
					t.Errorf("Content-Type %q, Content-Disposition %q; want %q, %s, named …%s", hd.Get("Content-Type"), hd.Get("Content-Disposition"), tc.ctype, tc.disp, tc.named)
				}
				if hd.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(hd.Get("Content-Security-Policy"), "sandbox") {
					t.Errorf("headers %v; want nosniff and a sandboxing CSP", hd)
				}
			})
		}
	})
}

// The desk answers a byte-range request for a citizen's file with 206 and
// the bytes asked for, as Safari (every browser on an iPhone) needs
// before it plays a voice note or video, and any player to seek; the part
// keeps the whole file's type, disposition and sandbox, so a document is
// still a download.
func TestDeskMediaAnswersRangeRequests(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h, c := loggedIn(t, db, "vera", RoleViewer)
		tg := h.filesOnTelegram(t, 0)
		tg.AddFile("BAACvideo", "video", ".mp4", mp4)
		tg.AddFile("BQACpdf", "document", ".pdf", pdf)
		ticket, msg := h.citizenFile(t, "311", "(video tanpa keterangan)", inbox.File{Kind: "video", ID: "BAACvideo"})
		docTicket, docMsg := h.citizenFile(t, "312", "surat", inbox.File{Kind: "document", ID: "BQACpdf"})
		ranged := func(ticket, msg int64, byteRange string) (*http.Response, string) {
			t.Helper()
			req, err := http.NewRequest(http.MethodGet, fmt.Sprintf("%s/admin/desk/%d/file/%d", h.srv.URL, ticket, msg), nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Range", byteRange)
			return c.do(req)
		}

		res, body := ranged(ticket, msg, "bytes=0-1") // Safari's first probe of a media URL
		if res.StatusCode != http.StatusPartialContent || body != string(mp4[:2]) ||
			res.Header.Get("Content-Range") != fmt.Sprintf("bytes 0-1/%d", len(mp4)) {
			t.Errorf("range request for a video: status %d, %d bytes, Content-Range %q, Accept-Ranges %q; want 206 with bytes 0-1 of %d",
				res.StatusCode, len(body), res.Header.Get("Content-Range"), res.Header.Get("Accept-Ranges"), len(mp4))
		}
		res, body = ranged(ticket, msg, "bytes=100-") // a seek
		if res.StatusCode != http.StatusPartialContent || body != string(mp4[100:]) ||
			res.Header.Get("Content-Range") != fmt.Sprintf("bytes 100-%d/%d", len(mp4)-1, len(mp4)) {
			t.Errorf("seeking in a video: status %d, %d bytes, Content-Range %q; want 206 with bytes 100 to the end",
				res.StatusCode, len(body), res.Header.Get("Content-Range"))
		}
		hd := res.Header
		if hd.Get("Content-Type") != "video/mp4" || !strings.HasPrefix(hd.Get("Content-Disposition"), "inline;") ||
			hd.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(hd.Get("Content-Security-Policy"), "sandbox") {
			t.Errorf("part of a video served with headers %v; want video/mp4 inline, nosniff and a sandboxing CSP", hd)
		}

		res, body = c.get(fmt.Sprintf("/admin/desk/%d/file/%d", ticket, msg))
		if res.StatusCode != http.StatusOK || body != string(mp4) || res.Header.Get("Accept-Ranges") != "bytes" {
			t.Errorf("a video without a range: status %d, %d bytes, Accept-Ranges %q; want 200, the whole %d, and bytes",
				res.StatusCode, len(body), res.Header.Get("Accept-Ranges"), len(mp4))
		}

		res, body = ranged(docTicket, docMsg, "bytes=0-3")
		hd = res.Header
		if res.StatusCode != http.StatusPartialContent || body != string(pdf[:4]) ||
			hd.Get("Content-Type") != "application/octet-stream" || !strings.HasPrefix(hd.Get("Content-Disposition"), "attachment;") ||
			hd.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(hd.Get("Content-Security-Policy"), "sandbox") {
			t.Errorf("part of a document: status %d, %q, headers %v; want 206, its first 4 bytes, as a sandboxed download", res.StatusCode, body, hd)
		}

		res, _ = ranged(ticket, msg, fmt.Sprintf("bytes=%d-", len(mp4)+10))
		if res.StatusCode != http.StatusRequestedRangeNotSatisfiable {
			t.Errorf("a range past the video's end: status %d; want 416", res.StatusCode)
		}
	})
}

// The desk shows a shared location as words and a link to the map, the
// venue's name escaped; it is no file to fetch.
func TestDeskShowsSharedLocations(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		h, c := loggedIn(t, db, "vera", RoleViewer)
		conv, err := h.inbox.EnsureConversation(ctx, h.db, bots.Telegram, "401", "401", "Warga 401")
		if err != nil {
			t.Fatal(err)
		}
		var ticket int64
		err = h.db.InTx(ctx, func(tx *sqlx.Tx) error {
			tk, _, err := h.inbox.OpenTicket(ctx, tx, conv.ID, "", "(lokasi tanpa keterangan)", inbox.NoMatch, time.Now())
			if err != nil {
				return err
			}
			ticket = tk.ID
			_, _, err = h.inbox.LogLocation(ctx, tx, conv.ID, inbox.Location{Latitude: -3.3285, Longitude: 99.1625, Name: `Warung "Kopi" <script>alert(1)</script>`})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		res, body := c.get(fmt.Sprintf("/admin/desk/%d", ticket))
		wantStatus(t, "location ticket", res, body, http.StatusOK)
		for _, want := range []string{
			`📍 Lokasi: <a href="https://www.google.com/maps?q=-3.3285,99.1625" target="_blank" rel="noopener noreferrer">-3.3285, 99.1625</a>`,
			`Warung &#34;Kopi&#34; &lt;script&gt;alert(1)&lt;/script&gt;`,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("the ticket page has no %s:\n%s", want, body)
			}
		}
		if strings.Contains(body, "<script>alert") {
			t.Error("the venue's name is not escaped")
		}
		det, err := h.inbox.Get(ctx, ticket)
		if err != nil {
			t.Fatal(err)
		}
		located := det.Messages[len(det.Messages)-1].ID
		if res, _ := c.get(fmt.Sprintf("/admin/desk/%d/file/%d", ticket, located)); res.StatusCode != http.StatusNotFound {
			t.Errorf("the location's message served as a file: status %d", res.StatusCode)
		}
	})
}

// domisiliEntry is an entry whose words meet those the inbox writes for a
// file or place sent without words ("… tanpa keterangan").
var domisiliEntry = knowledge.Entry{Slug: "surat-keterangan-domisili", Category: "kependudukan",
	Question: "Bagaimana cara membuat surat keterangan domisili?", Answer: "Ajukan di kantor lurah dengan membawa KTP dan KK."}

// A ticket opened by a voice note, a photo or a place without words has no
// question to search for nor to learn from: its page suggests no FAQ
// answer and says why (the officer can still search), and a reply that
// would teach the bot with it is refused, saying so, nothing sent. A
// written question still gets its candidates.
func TestDeskOffersNothingForAFileOrPlaceWithoutWords(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h, c := loggedIn(t, db, "otto", RoleOfficer)
		h.publish(t, domisiliEntry)
		for i, kind := range []string{"voice", "photo", "location"} {
			question := inbox.NoCaption(kind)
			if len(h.index.Search(question).Candidates) == 0 {
				t.Fatalf("the bot has no candidate for %q: the test shows nothing", question)
			}
			id, _ := h.citizenFile(t, fmt.Sprint("61", i), question, inbox.File{Kind: "photo", ID: fmt.Sprint("AgACn0w0rds", i)})
			path := fmt.Sprintf("/admin/desk/%d", id)
			res, body := c.get(path)
			wantStatus(t, kind+" ticket", res, body, http.StatusOK)
			if strings.Contains(body, "?use=surat-keterangan-domisili") || strings.Contains(body, `value="surat-keterangan-domisili"`) {
				t.Errorf("%s: the page suggests the bot's candidate for %q:\n%s", kind, question, body)
			}
			if !strings.Contains(body, "bot tidak mencari kandidat") || !strings.Contains(body, "bot tidak bisa diajari darinya") {
				t.Errorf("%s: the page does not say why there are no candidates nor lessons:\n%s", kind, body)
			}
			_, body = c.get(path + "?find=" + url.QueryEscape("surat domisili"))
			if !strings.Contains(body, `class="candidates found"><li><a href="`+path+`?use=surat-keterangan-domisili"`) {
				t.Errorf("%s: the picker's search does not find the entry:\n%s", kind, body)
			}
			for _, lesson := range []url.Values{{"lesson": {"new"}}, {"lesson": {"alt"}, "alternate_other": {"surat-keterangan-domisili"}}} {
				lesson.Set("text", "Silakan tulis keperluan Anda.")
				res, body = c.post(path+"/reply", lesson)
				wantStatus(t, kind+" lesson", res, body, http.StatusUnprocessableEntity)
				if !strings.Contains(pageError(body), "bukan pertanyaan tertulis") || !strings.Contains(body, "di halaman Basis pengetahuan (Entri baru)") {
					t.Errorf("%s, lesson %q: the refusal reads %s", kind, lesson.Get("lesson"), pageError(body))
				}
			}
			if rows, err := outbox.New(db).List(context.Background(), "", 10); err != nil || len(rows) != 0 {
				t.Fatalf("outbox after refused lessons: %+v, %v", rows, err)
			}
		}
		e, err := h.kb.Get(context.Background(), "surat-keterangan-domisili")
		if err != nil || len(e.Alternates) != 0 {
			t.Errorf("the entry after the refused lessons: %+v, %v", e, err)
		}
		id := h.ticket(t, "Warga tertulis", "surat keterangan domisili untuk pindah sekolah")
		if _, body := c.get(fmt.Sprintf("/admin/desk/%d", id)); !strings.Contains(body, "?use=surat-keterangan-domisili") {
			t.Errorf("a written question lost its candidates:\n%s", body)
		}
	})
}

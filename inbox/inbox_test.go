package inbox_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/inbox"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

func TestMain(m *testing.M) { os.Exit(storagetest.Main(m)) }

// newStore returns a store whose clock reads *now.
func newStore(db *storage.DB, now *time.Time) *inbox.Store {
	s := inbox.New(db)
	s.Now = func() time.Time { return *now }
	return s
}

func TestTicketLifecycle(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		now := wib(11, 27, 14, 0) // Friday afternoon
		s := newStore(db, &now)

		c, err := s.EnsureConversation(ctx, db, bots.Telegram, "555", "555", "Siti")
		if err != nil {
			t.Fatal(err)
		}
		again, err := s.EnsureConversation(ctx, db, bots.Telegram, "555", "555", "Siti Aminah")
		if err != nil || again.ID != c.ID || again.DisplayName != "Siti Aminah" {
			t.Fatalf("EnsureConversation again = %+v, %v; want same id, new name", again, err)
		}
		if _, err := storagetest.InTx(db, func(tx *sqlx.Tx) (inbox.Message, error) {
			return s.LogMessage(ctx, tx, c.ID, 0, inbox.In, inbox.Author{Kind: inbox.Citizen}, "halo")
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := storagetest.InTx(db, func(tx *sqlx.Tx) (inbox.Message, error) {
			return s.LogMessage(ctx, tx, c.ID, 0, inbox.Out, inbox.Author{Kind: inbox.Officer}, "x")
		}); err == nil {
			t.Error("officer message without a name: want error")
		}

		question := "Bagaimana cara mengurus KTP yang hilang? " + strings.Repeat("Mohon dibantu. ", 20)
		tk, created, err := openTicket(db, s, c.ID, question, inbox.NoMatch, now)
		if err != nil || !created {
			t.Fatalf("OpenTicket = %v, %v", created, err)
		}
		if tk.Status != inbox.Open || tk.Reason != inbox.NoMatch || !strings.HasPrefix(tk.Subject, "Bagaimana cara") ||
			len([]rune(tk.Subject)) != inbox.SubjectLen || !strings.HasSuffix(tk.Subject, "…") {
			t.Errorf("new ticket = %+v", tk)
		}
		if want := wib(11, 30, 14, 0); !tk.DueAt.Equal(want) {
			t.Errorf("due %s, want 8 working hours later: %s", tk.DueAt, want)
		}
		if !tk.Overdue(wib(11, 30, 14, 1)) || tk.Overdue(wib(11, 30, 13, 59)) {
			t.Error("Overdue wrong around the due time")
		}

		// A second question joins the open ticket.
		now = now.Add(10 * time.Minute)
		joined, created, err := openTicket(db, s, c.ID, "Apakah perlu surat kehilangan dari polisi?", inbox.AskedHuman, now)
		if err != nil || created || joined.ID != tk.ID {
			t.Fatalf("second OpenTicket = %+v, %v, %v; want the same ticket", joined, created, err)
		}

		if _, err := s.Rate(ctx, db, tk.ID, 5, ""); !errors.Is(err, inbox.ErrNotClosed) {
			t.Errorf("Rate on open ticket = %v, want ErrNotClosed", err)
		}

		now = now.Add(time.Hour)
		replied, err := storagetest.InTx(db, func(tx *sqlx.Tx) (inbox.Ticket, error) {
			return s.Reply(ctx, tx, tk.ID, "Budi (Disdukcapil)", "Silakan datang ke kantor Disdukcapil.", now)
		})
		if err != nil {
			t.Fatal(err)
		}
		if replied.Status != inbox.Answered || replied.FirstResponseAt == nil || !replied.FirstResponseAt.Equal(now) ||
			replied.AnsweredBy != "Budi (Disdukcapil)" || replied.ConversationID != c.ID {
			t.Errorf("after Reply: %+v", replied)
		}
		firstResponse := now

		// The citizen writes back: the ticket waits for an officer again.
		now = now.Add(time.Hour)
		back, found, err := citizenReply(db, s, c.ID, "Terima kasih, jam berapa buka?", now)
		if err != nil || !found || back.ID != tk.ID || back.Status != inbox.Open {
			t.Fatalf("CitizenReply = %+v, %v, %v", back, found, err)
		}
		now = now.Add(time.Hour)
		// Budi's reply claimed the ticket; he hands it to Ani.
		if held, err := s.Release(ctx, tk.ID, "Budi (Disdukcapil)", false); err != nil || held != "Budi (Disdukcapil)" {
			t.Fatalf("Release = %q, %v", held, err)
		}
		if replied, err = storagetest.InTx(db, func(tx *sqlx.Tx) (inbox.Ticket, error) {
			return s.Reply(ctx, tx, tk.ID, "Ani", "Pukul 08.00 WIB.", now)
		}); err != nil || !replied.FirstResponseAt.Equal(firstResponse) || replied.AnsweredBy != "Ani" {
			t.Errorf("second Reply = %+v, %v; first response time must stay", replied, err)
		}

		closed, err := s.Close(ctx, db, tk.ID, "Ani", false, now)
		if err != nil || closed.Status != inbox.Closed || closed.ClosedBy != "Ani" || closed.ClosedAt == nil {
			t.Fatalf("Close = %+v, %v", closed, err)
		}
		if _, err := s.Close(ctx, db, tk.ID, "Ani", false, now); !errors.Is(err, inbox.ErrClosed) {
			t.Errorf("Close twice = %v, want ErrClosed", err)
		}
		if _, err := storagetest.InTx(db, func(tx *sqlx.Tx) (inbox.Ticket, error) { return s.Reply(ctx, tx, tk.ID, "Ani", "late", now) }); !errors.Is(err, inbox.ErrClosed) {
			t.Errorf("Reply on closed = %v, want ErrClosed", err)
		}
		if _, err := storagetest.InTx(db, func(tx *sqlx.Tx) (inbox.Ticket, error) { return s.Reply(ctx, tx, 9999, "Ani", "x", now) }); !errors.Is(err, inbox.ErrNotFound) {
			t.Errorf("Reply on missing ticket = %v, want ErrNotFound", err)
		}
		if _, found, err := citizenReply(db, s, c.ID, "halo lagi", now); err != nil || found {
			t.Errorf("CitizenReply after close = %v, %v; want not found", found, err)
		}

		for _, bad := range []int{0, 6, -1} {
			if _, err := s.Rate(ctx, db, tk.ID, bad, ""); !errors.Is(err, inbox.ErrInvalidRating) {
				t.Errorf("Rate(%d) = %v, want ErrInvalidRating", bad, err)
			}
		}
		rated, err := s.Rate(ctx, db, tk.ID, 4, "  Cepat dan jelas.  ")
		if err != nil || *rated.Rating != 4 || rated.RatingComment != "Cepat dan jelas." || rated.RatedAt == nil {
			t.Fatalf("Rate = %+v, %v", rated, err)
		}
		if _, err := s.Rate(ctx, db, tk.ID, 1, "changed my mind"); !errors.Is(err, inbox.ErrAlreadyRated) {
			t.Errorf("Rate twice = %v, want ErrAlreadyRated", err)
		}
		if _, err := s.Rate(ctx, db, 9999, 1, ""); !errors.Is(err, inbox.ErrNotFound) {
			t.Errorf("Rate missing = %v, want ErrNotFound", err)
		}

		d, err := s.Get(ctx, tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		var log []string
		for _, m := range d.Messages {
			log = append(log, fmt.Sprintf("%s/%s", m.Direction, m.AuthorKind))
		}
		if got := strings.Join(log, " "); got != "in/citizen in/citizen out/officer in/citizen out/officer" {
			t.Errorf("ticket messages = %s", got)
		}
		if d.Messages[0].Text != question || d.Conversation.ID != c.ID || *d.Ticket.Rating != 4 {
			t.Errorf("Get = %+v", d)
		}
		if _, err := s.Get(ctx, 9999); !errors.Is(err, inbox.ErrNotFound) {
			t.Errorf("Get missing = %v", err)
		}

		// After closing, a new question opens a new ticket.
		next, created, err := openTicket(db, s, c.ID, "Pertanyaan baru", inbox.UnhelpfulAnswer, now)
		if err != nil || !created || next.ID == tk.ID {
			t.Fatalf("OpenTicket after close = %+v, %v, %v", next, created, err)
		}
		open, err := s.OpenTicketsFor(ctx, db, bots.Telegram, "555")
		if err != nil || len(open) != 1 || open[0].ID != next.ID {
			t.Errorf("OpenTicketsFor = %+v, %v", open, err)
		}
		if _, _, err := openTicket(db, s, 9999, "?", inbox.NoMatch, now); !errors.Is(err, inbox.ErrNotFound) {
			t.Errorf("OpenTicket on missing conversation = %v", err)
		}
	})
}

// A message must belong to a conversation that exists, and its ticket to
// that conversation: SQLite's foreign keys check the first, on PostgreSQL
// (which has none on messages) the statement checks both.
func TestLogMessageRefusesUnknownConversationOrTicket(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		now := wib(11, 27, 14, 0)
		s := newStore(db, &now)
		a, err := s.EnsureConversation(ctx, db, bots.Telegram, "601", "601", "Rina")
		if err != nil {
			t.Fatal(err)
		}
		b, err := s.EnsureConversation(ctx, db, bots.Telegram, "602", "602", "Yusuf")
		if err != nil {
			t.Fatal(err)
		}
		tk, _, err := openTicket(db, s, b.ID, "Kapan posyandu buka?", inbox.NoMatch, now)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := storagetest.InTx(db, func(tx *sqlx.Tx) (inbox.Message, error) {
			return s.LogMessage(ctx, tx, b.ID+1000, 0, inbox.In, inbox.Author{Kind: inbox.Citizen}, "halo")
		}); err == nil {
			t.Error("a message of a conversation that does not exist was logged")
		}
		if db.Dialect == storage.Postgres {
			if _, err := storagetest.InTx(db, func(tx *sqlx.Tx) (inbox.Message, error) {
				return s.LogMessage(ctx, tx, a.ID, tk.ID, inbox.In, inbox.Author{Kind: inbox.Citizen}, "halo")
			}); err == nil {
				t.Error("a message was tied to another conversation's ticket")
			}
		}
		if _, err := storagetest.InTx(db, func(tx *sqlx.Tx) (inbox.Message, error) {
			return s.LogMessage(ctx, tx, b.ID, tk.ID, inbox.In, inbox.Author{Kind: inbox.Citizen}, "halo")
		}); err != nil {
			t.Errorf("a message of the ticket's own conversation: %v", err)
		}
		var n int
		if err := db.GetContext(ctx, &n, `SELECT COUNT(*) FROM messages`); err != nil || n != 2 {
			t.Errorf("messages logged: %d, %v; want 2 (the ticket's question and the last one)", n, err)
		}
	})
}

func TestConcurrentOpenTicketMakesOne(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		now := wib(11, 27, 10, 0)
		s := newStore(db, &now)
		c, err := s.EnsureConversation(ctx, db, bots.Telegram, "1", "1", "")
		if err != nil {
			t.Fatal(err)
		}
		const n = 8
		ids := make([]int64, n)
		var createdCount int
		var mu sync.Mutex
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				tk, created, err := openTicket(db, s, c.ID, fmt.Sprintf("pertanyaan %d", i), inbox.NoMatch, now)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				defer mu.Unlock()
				ids[i] = tk.ID
				if created {
					createdCount++
				}
			})
		}
		wg.Wait()
		if createdCount != 1 {
			t.Errorf("%d tickets created, want 1", createdCount)
		}
		for _, id := range ids {
			if id != ids[0] {
				t.Fatalf("questions went to different tickets: %v", ids)
			}
		}
		d, err := s.Get(ctx, ids[0])
		if err != nil || len(d.Messages) != n {
			t.Errorf("ticket has %d messages, want %d (%v)", len(d.Messages), n, err)
		}
	})
}

func TestListFiltersAndTotals(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		now := wib(11, 30, 9, 0)
		s := newStore(db, &now)
		var tickets []inbox.Ticket
		for i := range 7 {
			c, err := s.EnsureConversation(ctx, db, bots.Telegram, fmt.Sprint(i), fmt.Sprint(i), fmt.Sprintf("Warga %d", i))
			if err != nil {
				t.Fatal(err)
			}
			tk, _, err := openTicket(db, s, c.ID, fmt.Sprintf("q%d", i), inbox.NoMatch, now.Add(time.Duration(i)*time.Minute))
			if err != nil {
				t.Fatal(err)
			}
			tickets = append(tickets, tk)
		}
		// 0–2 stay open, 3–4 answered, 5–6 closed.
		for _, tk := range tickets[3:] {
			if _, err := storagetest.InTx(db, func(tx *sqlx.Tx) (inbox.Ticket, error) {
				return s.Reply(ctx, tx, tk.ID, "Ani", "ok", now.Add(time.Hour))
			}); err != nil {
				t.Fatal(err)
			}
		}
		for i, tk := range tickets[5:] {
			if _, err := s.Close(ctx, db, tk.ID, "Ani", false, now.Add(time.Duration(2+i)*time.Hour)); err != nil {
				t.Fatal(err)
			}
		}

		all, err := s.List(ctx, inbox.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if all.Total != 7 || len(all.Tickets) != 7 || all.Counts[inbox.Open] != 3 || all.Counts[inbox.Answered] != 2 || all.Counts[inbox.Closed] != 2 {
			t.Fatalf("List() total %d, %d rows, counts %v", all.Total, len(all.Tickets), all.Counts)
		}
		if all.Tickets[0].Ticket.ID != tickets[6].ID || all.Tickets[0].Conversation.DisplayName != "Warga 6" {
			t.Errorf("List() not newest first: %+v", all.Tickets[0])
		}

		open, err := s.List(ctx, inbox.Filter{Status: inbox.Open, Limit: 2})
		if err != nil {
			t.Fatal(err)
		}
		if open.Total != 3 || len(open.Tickets) != 2 || open.Tickets[0].Ticket.ID != tickets[0].ID || open.Tickets[1].Ticket.ID != tickets[1].ID {
			t.Errorf("List(open, 2) = total %d, %+v; want earliest due first", open.Total, open.Tickets)
		}
		page2, err := s.List(ctx, inbox.Filter{Status: inbox.Open, Limit: 2, Offset: 2})
		if err != nil || len(page2.Tickets) != 1 || page2.Tickets[0].Ticket.ID != tickets[2].ID {
			t.Errorf("List(open, page 2) = %+v, %v", page2.Tickets, err)
		}
		closed, err := s.List(ctx, inbox.Filter{Status: inbox.Closed})
		if err != nil || closed.Total != 2 || closed.Tickets[0].Ticket.ID != tickets[6].ID {
			t.Errorf("List(closed) = %+v, %v; want most recently closed first", closed, err)
		}
		if _, err := s.List(ctx, inbox.Filter{Status: "bogus"}); err == nil {
			t.Error("List(bogus): want error")
		}
	})
}

func TestPurgeMessagesBefore(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		old := wib(1, 5, 9, 0)
		now := old
		s := newStore(db, &now)
		c, err := s.EnsureConversation(ctx, db, bots.Telegram, "1", "1", "Rahmat")
		if err != nil {
			t.Fatal(err)
		}
		tk, _, err := openTicket(db, s, c.ID, "pertanyaan lama", inbox.NoMatch, old)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Close(ctx, db, tk.ID, "Ani", false, old.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Rate(ctx, db, tk.ID, 5, "mantap"); err != nil {
			t.Fatal(err)
		}
		for i := range 3 {
			if _, err := storagetest.InTx(db, func(tx *sqlx.Tx) (inbox.Message, error) {
				return s.LogMessage(ctx, tx, c.ID, 0, inbox.Out, inbox.Author{Kind: inbox.Bot}, fmt.Sprint("lama ", i))
			}); err != nil {
				t.Fatal(err)
			}
		}
		if _, _, err := logLocation(db, s, c.ID, inbox.Location{Latitude: 3.3285, Longitude: 99.1625}); err != nil {
			t.Fatal(err)
		}
		now = wib(11, 27, 10, 0)
		if _, err := storagetest.InTx(db, func(tx *sqlx.Tx) (inbox.Message, error) {
			return s.LogMessage(ctx, tx, c.ID, 0, inbox.In, inbox.Author{Kind: inbox.Citizen}, "baru")
		}); err != nil {
			t.Fatal(err)
		}

		n, err := s.PurgeMessagesBefore(ctx, now.Add(-inbox.DefaultRetention/2))
		if err != nil || n != 5 {
			t.Fatalf("PurgeMessagesBefore = %d, %v; want the 5 old messages (a location among them)", n, err)
		}
		if all := dump(t, db, "messages"); strings.Contains(all, "99.1625") {
			t.Errorf("an old location outlived the purge:\n%s", all)
		}
		var left int
		if err := db.GetContext(ctx, &left, `SELECT COUNT(*) FROM messages`); err != nil || left != 1 {
			t.Errorf("%d messages left, want 1", left)
		}
		d, err := s.Get(ctx, tk.ID)
		if err != nil || d.Ticket.Subject != "" || d.Ticket.RatingComment != "" || *d.Ticket.Rating != 5 {
			t.Errorf("old ticket after purge = %+v, %v; want text blanked, rating kept", d.Ticket, err)
		}
		// Nothing newer than the cutoff: everything goes; then nothing is left to go.
		for _, want := range []int64{1, 0} {
			if n, err := s.PurgeMessagesBefore(ctx, now.Add(time.Hour)); err != nil || n != want {
				t.Fatalf("PurgeMessagesBefore(after the last message) = %d, %v; want %d", n, err, want)
			}
		}
	})
}

// Retention reaches what the citizen wrote wherever it is: the subject of
// a ticket still open past the period, the names of idle conversations,
// and the ids of those with nothing left open (one with an open ticket
// keeps them, so that the officer's reply still reaches the citizen).
func TestPurgeReachesOpenTicketsAndIdleConversations(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		now := wib(1, 5, 9, 0)
		s := newStore(db, &now)
		conv := func(chat, name string) inbox.Conversation {
			t.Helper()
			c, err := s.EnsureConversation(ctx, db, bots.Telegram, chat, chat, name)
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		waiting, done := conv("501", "Rahmat Waiting"), conv("502", "Sari Done")
		open, _, err := openTicket(db, s, waiting.ID, "Rumah saya di Jalan Melati 7", inbox.NoMatch, now)
		if err != nil {
			t.Fatal(err)
		}
		closed, _, err := openTicket(db, s, done.ID, "Anak saya Putri", inbox.NoMatch, now)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Close(ctx, db, closed.ID, "Ani", false, now); err != nil {
			t.Fatal(err)
		}
		now = wib(11, 27, 10, 0)
		recent := conv("503", "Joko Recent")
		if _, _, err := openTicket(db, s, recent.ID, "Jam buka Jalan Melati", inbox.NoMatch, now); err != nil {
			t.Fatal(err)
		}
		for range 2 { // the second run finds nothing more to do
			if _, err := s.PurgeMessagesBefore(ctx, now.Add(-inbox.DefaultRetention/2)); err != nil {
				t.Fatal(err)
			}
			d, err := s.Get(ctx, open.ID)
			if err != nil || d.Ticket.Status != inbox.Open || d.Ticket.Subject != "" || d.Conversation.DisplayName != "" || d.Conversation.ChatID != "501" {
				t.Errorf("old open ticket after purge: %+v %+v %v; want it open, its subject and name blanked, its chat kept",
					d.Ticket, d.Conversation, err)
			}
			d, err = s.Get(ctx, closed.ID)
			if err != nil || d.Conversation.DisplayName != "" || !strings.HasPrefix(d.Conversation.ChatID, "forgotten:") ||
				!strings.HasPrefix(d.Conversation.UserID, "forgotten:") {
				t.Errorf("idle conversation with nothing open after purge: %+v %v; want it anonymous", d.Conversation, err)
			}
			all := dump(t, db, "conversations") + dump(t, db, "tickets")
			for _, gone := range []string{"Rahmat", "Sari", "Melati 7", "Putri", "502"} {
				if strings.Contains(all, gone) {
					t.Errorf("%q is still kept after the retention period", gone)
				}
			}
			for _, kept := range []string{"Joko Recent", "Jam buka Jalan Melati", "503"} {
				if !strings.Contains(all, kept) {
					t.Errorf("%q, within the retention period, was purged", kept)
				}
			}
		}
	})
}

// dump renders every column of every row of table, for searching.
func dump(t *testing.T, db *storage.DB, table string) string {
	t.Helper()
	rows, err := db.QueryxContext(context.Background(), `SELECT * FROM `+table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var sb strings.Builder
	for rows.Next() {
		vals, err := rows.SliceScan()
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range vals {
			if b, ok := v.([]byte); ok {
				v = string(b)
			}
			fmt.Fprintf(&sb, "%v|", v)
		}
		sb.WriteByte('\n')
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return sb.String()
}

func TestForgetErasesPersonalDataButKeepsCounts(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		now := wib(11, 27, 10, 0)
		s := newStore(db, &now)

		// The person writes privately and in a group; someone else too.
		private, err := s.EnsureConversation(ctx, db, bots.Telegram, "7771234", "7771234", "Nurhayati Siregar")
		if err != nil {
			t.Fatal(err)
		}
		group, err := s.EnsureConversation(ctx, db, bots.Telegram, "-1009998887", "7771234", "Nurhayati Siregar")
		if err != nil {
			t.Fatal(err)
		}
		other, err := s.EnsureConversation(ctx, db, bots.Telegram, "4242", "4242", "Joko")
		if err != nil {
			t.Fatal(err)
		}
		tk, _, err := openTicket(db, s, private.ID, "NIK saya 1271014404880001 tidak terdaftar", inbox.NoMatch, now)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := storagetest.InTx(db, func(tx *sqlx.Tx) (inbox.Ticket, error) {
			return s.Reply(ctx, tx, tk.ID, "Ani", "Baik Ibu Nurhayati, kami cek NIK 1271014404880001.", now)
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Close(ctx, db, tk.ID, "Ani", false, now); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Rate(ctx, db, tk.ID, 2, "Lambat, saya Nurhayati dari Rambung"); err != nil {
			t.Fatal(err)
		}
		groupTk, _, err := openTicket(db, s, group.ID, "Alamat saya Jl. Sudirman 12 Rambung", inbox.AskedHuman, now)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := storagetest.InTx(db, func(tx *sqlx.Tx) (inbox.Message, error) {
			return s.LogMessage(ctx, tx, group.ID, 0, inbox.In, inbox.Author{Kind: inbox.Citizen}, "Nurhayati di sini")
		}); err != nil {
			t.Fatal(err)
		}
		// A place and a voice note they shared with the open ticket.
		if _, _, err := logLocation(db, s, group.ID, inbox.Location{Latitude: 3.327911, Longitude: 99.162734, Name: "Rambung Dalam"}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := logFile(db, s, group.ID, inbox.File{Kind: "voice", ID: "AwACvoiceNurhayati"}); err != nil {
			t.Fatal(err)
		}
		otherTk, _, err := openTicket(db, s, other.ID, "Jam buka kantor camat?", inbox.NoMatch, now)
		if err != nil {
			t.Fatal(err)
		}

		before, err := s.List(ctx, inbox.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		theirs, err := s.TicketsOf(ctx, db, bots.Telegram, "7771234")
		if err != nil || fmt.Sprint(theirs) != fmt.Sprint([]int64{tk.ID, groupTk.ID}) {
			t.Errorf("TicketsOf = %v, %v; want the closed and the open ticket, %d and %d", theirs, err, tk.ID, groupTk.ID)
		}
		chats, err := storagetest.InTx(db, func(tx *sqlx.Tx) ([]string, error) { return s.Forget(ctx, tx, bots.Telegram, "7771234") })
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(chats, ",") != "7771234,-1009998887" {
			t.Errorf("Forget returned chats %v", chats)
		}

		for _, table := range []string{"conversations", "tickets", "messages"} {
			all := dump(t, db, table)
			for _, personal := range []string{"7771234", "9998887", "Nurhayati", "1271014404880001", "Rambung", "Sudirman", "Lambat", "3.327911", "99.162734"} {
				if strings.Contains(all, personal) {
					t.Errorf("table %s still holds %q after Forget:\n%s", table, personal, all)
				}
			}
		}
		after, err := s.List(ctx, inbox.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		// Every ticket of theirs is marked erased, the one closed before
		// too, wherever tickets are read; nobody else's is.
		for _, lt := range after.Tickets {
			if mine := lt.Ticket.ID != otherTk.ID; lt.Ticket.Erased != mine {
				t.Errorf("ticket %d listed erased %v, want %v", lt.Ticket.ID, lt.Ticket.Erased, mine)
			}
		}
		if theirs, err := s.TicketsOf(ctx, db, bots.Telegram, "7771234"); err != nil || len(theirs) != 0 {
			t.Errorf("TicketsOf after Forget = %v, %v; want none", theirs, err)
		}
		// The group's open ticket is closed: nobody is left to answer.
		want := maps.Clone(before.Counts)
		want[inbox.Open]--
		want[inbox.Closed]++
		if after.Total != before.Total || fmt.Sprint(after.Counts) != fmt.Sprint(want) {
			t.Errorf("counts: %v → %v, want %v", before.Counts, after.Counts, want)
		}
		d, err := s.Get(ctx, tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		if d.Ticket.Status != inbox.Closed || !d.Ticket.Erased || *d.Ticket.Rating != 2 || d.Ticket.ClosedAt == nil || len(d.Messages) != 0 ||
			!strings.HasPrefix(d.Conversation.UserID, "forgotten:") {
			t.Errorf("forgotten ticket = %+v", d)
		}
		// Someone else is untouched, and the person may start afresh.
		if d, err := s.Get(ctx, otherTk.ID); err != nil || d.Conversation.DisplayName != "Joko" || len(d.Messages) != 1 {
			t.Errorf("other person's ticket = %+v, %v", d, err)
		}
		if open, err := s.OpenTicketsFor(ctx, db, bots.Telegram, "7771234"); err != nil || len(open) != 0 {
			t.Errorf("OpenTicketsFor forgotten person = %v, %v", open, err)
		}
		c, err := s.EnsureConversation(ctx, db, bots.Telegram, "7771234", "7771234", "N")
		if err != nil || c.ID == private.ID {
			t.Errorf("returning person: %+v, %v; want a new conversation", c, err)
		}
	})
}

func TestEnsureConversationTicketAndLastMessage(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		now := wib(11, 27, 14, 0)
		s := newStore(db, &now)

		c, tk, err := s.EnsureConversationTicket(ctx, db, bots.Telegram, "777", "777", "Budi")
		if err != nil || tk != 0 {
			t.Fatalf("EnsureConversationTicket = %d, %v; want no ticket", tk, err)
		}
		opened, _, err := openTicket(db, s, c.ID, "Di mana kantor Disdukcapil?", inbox.NoMatch, now)
		if err != nil {
			t.Fatal(err)
		}
		if _, tk, err = s.EnsureConversationTicket(ctx, db, bots.Telegram, "777", "777", "Budi"); err != nil || tk != opened.ID {
			t.Fatalf("EnsureConversationTicket = %d, %v; want ticket %d", tk, err, opened.ID)
		}
		if _, err := s.Close(ctx, db, opened.ID, "Rina", false, now); err != nil {
			t.Fatal(err)
		}
		if _, tk, err = s.EnsureConversationTicket(ctx, db, bots.Telegram, "777", "777", "Budi"); err != nil || tk != 0 {
			t.Fatalf("after close: EnsureConversationTicket = %d, %v; want no ticket", tk, err)
		}

		// LogMessage moves last_message_at forward, never back, and a
		// transaction rolled back keeps nothing.
		now = now.Add(time.Hour)
		if _, err := storagetest.InTx(db, func(tx *sqlx.Tx) (inbox.Message, error) {
			return s.LogMessage(ctx, tx, c.ID, 0, inbox.In, inbox.Author{Kind: inbox.Citizen}, "halo")
		}); err != nil {
			t.Fatal(err)
		}
		later := now
		now = now.Add(-30 * time.Minute)
		errRollback := errors.New("rollback")
		err = db.InTx(ctx, func(tx *sqlx.Tx) error {
			if _, err := s.LogMessage(ctx, tx, c.ID, 0, inbox.Out, inbox.Author{Kind: inbox.Bot}, "earlier"); err != nil {
				return err
			}
			return errRollback
		})
		if !errors.Is(err, errRollback) {
			t.Fatalf("transaction = %v", err)
		}
		if _, err := storagetest.InTx(db, func(tx *sqlx.Tx) (inbox.Message, error) {
			return s.LogMessage(ctx, tx, c.ID, 0, inbox.Out, inbox.Author{Kind: inbox.Bot}, "earlier")
		}); err != nil {
			t.Fatal(err)
		}
		got, _, err := s.EnsureConversationTicket(ctx, db, bots.Telegram, "777", "777", "Budi")
		if err != nil || !got.LastMessageAt.Equal(later) {
			t.Fatalf("last_message_at = %s, %v; want %s", got.LastMessageAt, err, later)
		}
		var n int
		if err := db.GetContext(ctx, &n, db.Rebind(`SELECT COUNT(*) FROM messages WHERE conversation_id = ? AND text = 'earlier'`), c.ID); err != nil || n != 1 {
			t.Fatalf("messages = %d, %v; want 1 (the rolled back one is gone)", n, err)
		}
	})
}

func TestLogExchange(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		now := wib(11, 27, 14, 0)
		s := newStore(db, &now)
		c, err := s.EnsureConversation(ctx, db, bots.Telegram, "888", "888", "Ani")
		if err != nil {
			t.Fatal(err)
		}
		tk, _, err := openTicket(db, s, c.ID, "Kapan kantor buka?", inbox.NoMatch, now)
		if err != nil {
			t.Fatal(err)
		}
		now = now.Add(time.Hour)
		if c, err = s.EnsureConversation(ctx, db, bots.Telegram, "888", "888", "Ani"); err != nil {
			t.Fatal(err)
		}
		if err := logExchange(db, s, c, tk.ID, "Syarat KTP?", "Bawa KK."); err != nil {
			t.Fatal(err)
		}
		d, err := s.Get(ctx, tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		n := len(d.Messages)
		if n < 2 {
			t.Fatalf("messages = %+v", d.Messages)
		}
		q, a := d.Messages[n-2], d.Messages[n-1]
		if q.Direction != inbox.In || q.AuthorKind != inbox.Citizen || q.Text != "Syarat KTP?" ||
			a.Direction != inbox.Out || a.AuthorKind != inbox.Bot || a.Text != "Bawa KK." ||
			q.Decision != "" || a.Decision != "answer syarat-ktp" {
			t.Errorf("exchange = %+v, %+v", q, a)
		}
		if !q.CreatedAt.Equal(now.UTC()) || !a.CreatedAt.Equal(now.UTC()) {
			t.Errorf("exchange logged at %s and %s, want %s (the conversation's last message)", q.CreatedAt, a.CreatedAt, now.UTC())
		}
		got, err := s.EnsureConversation(ctx, db, bots.Telegram, "888", "888", "Ani")
		if err != nil || !got.LastMessageAt.Equal(now.UTC()) {
			t.Errorf("last_message_at = %s, %v; want %s", got.LastMessageAt, err, now.UTC())
		}
	})
}

// openTicket calls OpenTicket in a transaction of its own.
func openTicket(db *storage.DB, s *inbox.Store, convID int64, question string, reason inbox.Reason, now time.Time) (t inbox.Ticket, created bool, err error) {
	err = db.InTx(context.Background(), func(tx *sqlx.Tx) error {
		t, created, err = s.OpenTicket(context.Background(), tx, convID, "", question, reason, now)
		return err
	})
	return t, created, err
}

// citizenReply calls CitizenReply in a transaction of its own.
func citizenReply(db *storage.DB, s *inbox.Store, convID int64, text string, now time.Time) (t inbox.Ticket, found bool, err error) {
	err = db.InTx(context.Background(), func(tx *sqlx.Tx) error {
		t, found, err = s.CitizenReply(context.Background(), tx, convID, text, now)
		return err
	})
	return t, found, err
}

// logExchange calls LogExchange in a transaction of its own.
func logExchange(db *storage.DB, s *inbox.Store, conv inbox.Conversation, ticketID int64, question, reply string) error {
	return db.InTx(context.Background(), func(tx *sqlx.Tx) error {
		return s.LogExchange(context.Background(), tx, conv, ticketID, "", question, reply, "answer syarat-ktp")
	})
}

// LogChatExchange logs the question and the answer as EnsureConversationTicket
// and LogExchange would, at first contact and in a conversation with an
// open ticket; on PostgreSQL it is one round trip.
func TestLogChatExchange(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		now := wib(11, 27, 14, 0)
		s := newStore(db, &now)
		opened, err := s.EnsureConversation(ctx, db, bots.Telegram, "901", "901", "Ani")
		if err != nil {
			t.Fatal(err)
		}
		tk, _, err := openTicket(db, s, opened.ID, "Kapan kantor buka?", inbox.NoMatch, now)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			name, chat string
			ticket     *int64
		}{
			{"first contact", "902", nil},
			{"open ticket", "901", &tk.ID},
		} {
			t.Run(c.name, func(t *testing.T) {
				now = now.Add(time.Hour)
				var calls uint64
				err := db.InTx(ctx, func(tx *sqlx.Tx) error {
					if err := s.LogChatExchange(ctx, tx, bots.Telegram, c.chat, c.chat, "Ani", "", "Syarat KTP?", "Bawa KK.", "answer syarat-ktp"); err != nil {
						return err
					}
					// Once more on the same connection, its statement
					// prepared: then it costs only what it runs.
					before := db.Calls()
					err := s.LogChatExchange(ctx, tx, bots.Telegram, c.chat, c.chat, "Ani", "", "Syarat KTP?", "Bawa KK.", "answer syarat-ktp")
					calls = db.Calls() - before
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
				if db.Dialect == storage.Postgres && calls != 1 {
					t.Errorf("LogChatExchange made %d round trips on PostgreSQL, want 1", calls)
				}
				conv, err := s.EnsureConversation(ctx, db, bots.Telegram, c.chat, c.chat, "Ani")
				if err != nil || !conv.LastMessageAt.Equal(now.UTC()) {
					t.Errorf("last_message_at = %s, %v; want %s", conv.LastMessageAt, err, now.UTC())
				}
				var got []inbox.Message
				if err := db.SelectContext(ctx, &got, db.Rebind(`SELECT id, conversation_id, ticket_id, direction, author_kind, author_name, text, created_at, decision, file_kind, file_id
					FROM messages WHERE conversation_id = ? AND created_at = ? ORDER BY id`), conv.ID, now.UTC()); err != nil {
					t.Fatal(err)
				}
				if len(got) != 4 {
					t.Fatalf("messages = %+v, want the question and the answer twice", got)
				}
				q, a := got[0], got[1]
				if q.Direction != inbox.In || q.AuthorKind != inbox.Citizen || q.Text != "Syarat KTP?" || q.Decision != "" ||
					a.Direction != inbox.Out || a.AuthorKind != inbox.Bot || a.Text != "Bawa KK." || a.Decision != "answer syarat-ktp" {
					t.Errorf("exchange = %+v, %+v", q, a)
				}
				for _, m := range got {
					if !m.CreatedAt.Equal(now.UTC()) {
						t.Errorf("%q logged at %s, want %s", m.Text, m.CreatedAt, now.UTC())
					}
					if (m.TicketID == nil) != (c.ticket == nil) || (m.TicketID != nil && *m.TicketID != *c.ticket) {
						t.Errorf("%q has ticket %v, want %v", m.Text, m.TicketID, c.ticket)
					}
				}
			})
		}
	})
}

// TestRecentMessages: a conversation's messages since a time, oldest
// first, the newest when there are more than the limit; another
// conversation's are not among them.
func TestRecentMessages(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		now := wib(11, 27, 14, 0)
		s := newStore(db, &now)
		c, err := s.EnsureConversation(ctx, db, bots.Telegram, "931", "931", "Ani")
		if err != nil {
			t.Fatal(err)
		}
		other, err := s.EnsureConversation(ctx, db, bots.Telegram, "932", "932", "Budi")
		if err != nil {
			t.Fatal(err)
		}
		logAt := func(convID int64, text string) {
			t.Helper()
			err := db.InTx(ctx, func(tx *sqlx.Tx) error {
				_, err := s.LogMessage(ctx, tx, convID, 0, inbox.In, inbox.Author{Kind: inbox.Citizen}, text)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			now = now.Add(10 * time.Minute)
		}
		for _, text := range []string{"satu", "dua", "tiga", "empat"} {
			logAt(c.ID, text)
			logAt(other.ID, "lain")
		}
		texts := func(since time.Time, limit int) []string {
			t.Helper()
			msgs, err := s.RecentMessages(ctx, db, c.ID, since, limit)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, m := range msgs {
				if m.ConversationID != c.ID || m.CreatedAt.Before(since) {
					t.Errorf("message %+v, want conversation %d since %s", m, c.ID, since)
				}
				out = append(out, m.Text)
			}
			return out
		}
		start := wib(11, 27, 14, 0)
		if got, want := texts(start.Add(20*time.Minute), 10), []string{"dua", "tiga", "empat"}; !slices.Equal(got, want) {
			t.Errorf("since the second: %q, want %q", got, want)
		}
		if got, want := texts(start, 2), []string{"tiga", "empat"}; !slices.Equal(got, want) {
			t.Errorf("the newest two: %q, want %q", got, want)
		}
		if got := texts(now, 10); len(got) != 0 {
			t.Errorf("since now: %q, want none", got)
		}
		if _, err := s.RecentMessages(ctx, db, c.ID, start, 0); err == nil {
			t.Error("a limit of 0 is accepted")
		}
	})
}

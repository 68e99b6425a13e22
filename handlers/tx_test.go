package handlers_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/handlers"
	"github.com/tebingtinggi/hub/inbox"
	"github.com/tebingtinggi/hub/outbox"
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

// Two writes to one row within one update are both kept, on both
// backends: each statement of the update's transaction sees the ones
// before it.
func TestTwoWritesToOneRowInAnUpdateAreBothKept(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		if _, err := db.ExecContext(ctx, `CREATE TABLE two_writes (id INTEGER PRIMARY KEY, a INTEGER NOT NULL, b INTEGER NOT NULL)`); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, `INSERT INTO two_writes (id, a, b) VALUES (1, 0, 0)`); err != nil {
			t.Fatal(err)
		}
		h := handlers.HandlerFunc(func(ctx context.Context, in *handlers.Update) ([]bots.Outgoing, error) {
			for _, q := range []string{`UPDATE two_writes SET a = 1 WHERE id = 1`, `UPDATE two_writes SET b = 1 WHERE id = 1`} {
				if _, err := in.Tx.ExecContext(ctx, q); err != nil {
					return nil, err
				}
			}
			return echo(ctx, in)
		})
		r := newRouter(t, handlers.Config{DB: db, Handler: h, Waker: runningDispatcher(t, db)})
		if err := r.Deliver(ctx, text("two-writes", "401", "halo")); err != nil {
			t.Fatal(err)
		}
		var got struct {
			A int `db:"a"`
			B int `db:"b"`
		}
		if err := db.GetContext(ctx, &got, `SELECT a, b FROM two_writes WHERE id = 1`); err != nil {
			t.Fatal(err)
		}
		if got.A != 1 || got.B != 1 {
			t.Fatalf("a = %d, b = %d after two writes to the row; want both 1", got.A, got.B)
		}
	})
}

// wakeCounter is the dispatcher with its Wake calls counted.
type wakeCounter struct {
	*outbox.Dispatcher
	wakes atomic.Int32
}

func (w *wakeCounter) Wake() {
	w.wakes.Add(1)
	w.Dispatcher.Wake()
}

// A reply to a chat with nothing waiting is claimed as it is written and
// sent right after the commit: the dispatcher, which polls once an hour
// here, is never woken to claim it.
func TestRepliesAreSentWithoutTheDispatchersClaim(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		w := &wakeCounter{Dispatcher: runningDispatcher(t, db)}
		r := newRouter(t, handlers.Config{DB: db, Handler: echo, Waker: w})
		if err := r.Deliver(ctx, text("direct-1", "402", "halo")); err != nil {
			t.Fatal(err)
		}
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
			var n int
			if err := db.GetContext(ctx, &n, `SELECT COUNT(*) FROM outbox WHERE chat_id = '402' AND status = 'sent'`); err != nil {
				t.Fatal(err)
			}
			if n == 1 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the reply was not sent within 10s")
			}
		}
		if n := w.wakes.Load(); n != 0 {
			t.Fatalf("the dispatcher was woken %d times; the reply should have gone out directly", n)
		}
	})
}

// failOutbox makes every insert into the outbox fail until the returned
// function is called.
func failOutbox(t *testing.T, db *storage.DB) (restore func()) {
	t.Helper()
	ctx := context.Background()
	create := `CREATE TRIGGER outbox_down BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'outbox down'); END`
	drop := `DROP TRIGGER outbox_down`
	if db.Dialect == storage.Postgres {
		create = `CREATE FUNCTION outbox_down() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'outbox down'; END $$;
			CREATE TRIGGER outbox_down BEFORE INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION outbox_down()`
		drop = `DROP TRIGGER outbox_down ON outbox`
	}
	if _, err := db.ExecContext(ctx, create); err != nil {
		t.Fatal(err)
	}
	return func() {
		if _, err := db.ExecContext(ctx, drop); err != nil {
			t.Fatal(err)
		}
	}
}

// An officer's reply records the ticket's status, the message log and the
// outbox row together: when the enqueue fails nothing is recorded, and the
// retry logs the reply once. A ticket of a citizen who erased their data
// is refused before anything is written.
func TestDeskReplyIsOneTransaction(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		store := inbox.New(db)
		desk := &handlers.Desk{Inbox: store, DB: db}
		open := func(chat string) inbox.Ticket {
			t.Helper()
			c, err := store.EnsureConversation(ctx, db, bots.Telegram, chat, chat, "Warga")
			if err != nil {
				t.Fatal(err)
			}
			tk, err := storagetest.InTx(db, func(tx *sqlx.Tx) (inbox.Ticket, error) {
				tk, _, err := store.OpenTicket(ctx, tx, c.ID, "", "Kapan kantor buka?", inbox.NoMatch, time.Now())
				return tk, err
			})
			if err != nil {
				t.Fatal(err)
			}
			return tk
		}
		// state is the ticket's status, its officer messages and the
		// outbox rows of its chat.
		state := func(tk inbox.Ticket, chat string) (inbox.TicketStatus, int, int) {
			t.Helper()
			d, err := store.Get(ctx, tk.ID)
			if err != nil {
				t.Fatal(err)
			}
			officer := 0
			for _, m := range d.Messages {
				if m.AuthorKind == inbox.Officer {
					officer++
				}
			}
			var rows int
			if err := db.GetContext(ctx, &rows, db.Rebind(`SELECT COUNT(*) FROM outbox WHERE chat_id = ?`), chat); err != nil {
				t.Fatal(err)
			}
			return d.Ticket.Status, officer, rows
		}

		tk := open("301")
		restore := failOutbox(t, db)
		if _, err := desk.Reply(ctx, tk.ID, "Petugas Ani", "Buka pukul 08.00."); err == nil {
			t.Fatal("Reply with the outbox failing: want an error")
		}
		if st, msgs, rows := state(tk, "301"); st != inbox.Open || msgs != 0 || rows != 0 {
			t.Fatalf("after a failed enqueue: status %s, %d officer messages, %d outbox rows; want open, 0, 0", st, msgs, rows)
		}
		restore()
		if _, err := desk.Reply(ctx, tk.ID, "Petugas Ani", "Buka pukul 08.00."); err != nil {
			t.Fatal(err)
		}
		if st, msgs, rows := state(tk, "301"); st != inbox.Answered || msgs != 1 || rows != 1 {
			t.Fatalf("after the retry: status %s, %d officer messages, %d outbox rows; want answered, 1, 1", st, msgs, rows)
		}

		gone := open("302")
		if _, err := storagetest.InTx(db, func(tx *sqlx.Tx) ([]string, error) {
			return store.Forget(ctx, tx, bots.Telegram, "302")
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := desk.Reply(ctx, gone.ID, "Petugas Ani", "Halo?"); !errors.Is(err, handlers.ErrForgotten) {
			t.Fatalf("Reply to a forgotten citizen = %v, want ErrForgotten", err)
		}
		if st, msgs, _ := state(gone, "302"); st != inbox.Closed || msgs != 0 {
			t.Fatalf("after the refusal: status %s, %d officer messages; want closed (by the erasure) and none", st, msgs)
		}
	})
}

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
	"github.com/tebingtinggi/hub/storage"
	"github.com/tebingtinggi/hub/storage/storagetest"
)

// The web desk takes a ticket on ("Ambil tiket") and hands it back
// ("Lepas tiket"), as Slack's buttons do: one claim wins, only its holder
// (or an admin) releases it, and each step is in the audit log.
func TestDeskClaimAndRelease(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h, siti := loggedIn(t, db, "siti", RoleOfficer)
		h.user(t, "budi", RoleOfficer)
		h.user(t, "ani", RoleAdmin)
		h.user(t, "vera", RoleViewer)
		budi, ani, vera := h.login(t, "budi"), h.login(t, "ani"), h.login(t, "vera")
		ctx := context.Background()
		id := h.ticket(t, "Warga", "bagaimana cara mengurus izin keramaian")
		page := fmt.Sprintf("/admin/desk/%d", id)
		holder := func() string {
			t.Helper()
			by, err := h.inbox.ClaimedBy(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			return by
		}

		_, body := siti.get(page)
		if !strings.Contains(body, "Ambil tiket") || strings.Contains(body, "Lepas tiket") {
			t.Fatalf("an unclaimed ticket's page offers no \"Ambil tiket\" alone:\n%s", body)
		}
		if _, body := vera.get(page); strings.Contains(body, "Ambil tiket") {
			t.Errorf("a reader is offered \"Ambil tiket\"")
		}
		res, _ := vera.post(page+"/claim", url.Values{})
		wantStatus(t, "a reader claims", res, "", http.StatusForbidden)

		res, body = siti.post(page+"/claim", url.Values{})
		wantStatus(t, "siti claims", res, body, http.StatusSeeOther)
		if by := holder(); by != "siti" {
			t.Fatalf("claimed by %q, want siti", by)
		}
		if _, body := siti.get(page + "?ok=claimed"); !strings.Contains(body, "Lepas tiket") || !strings.Contains(body, "Tiket diambil") {
			t.Errorf("the holder's page after claiming:\n%s", body)
		}

		// Another officer can neither claim it nor release it.
		if _, body := budi.get(page); strings.Contains(body, "Lepas tiket") || strings.Contains(body, "Ambil tiket") {
			t.Errorf("another officer is offered to claim or release siti's ticket")
		}
		res, body = budi.post(page+"/claim", url.Values{})
		wantStatus(t, "budi claims siti's ticket", res, body, http.StatusConflict)
		if !strings.Contains(body, "sudah diambil siti") {
			t.Errorf("budi's refused claim does not name the holder:\n%s", body)
		}
		res, body = budi.post(page+"/release", url.Values{})
		wantStatus(t, "budi releases siti's ticket", res, body, http.StatusConflict)
		if !strings.Contains(body, "hanya siti atau admin") || holder() != "siti" {
			t.Errorf("budi's release: holder %q, page:\n%s", holder(), body)
		}

		// The holder releases; then budi may take it.
		res, body = siti.post(page+"/release", url.Values{})
		wantStatus(t, "siti releases", res, body, http.StatusSeeOther)
		if by := holder(); by != "" {
			t.Fatalf("released, still held by %q", by)
		}
		res, body = siti.post(page+"/release", url.Values{})
		wantStatus(t, "releasing an unclaimed ticket", res, body, http.StatusConflict)
		res, body = budi.post(page+"/claim", url.Values{})
		wantStatus(t, "budi claims", res, body, http.StatusSeeOther)

		// An admin may release anyone's claim.
		if _, body := ani.get(page); !strings.Contains(body, "Lepas tiket (diambil budi)") {
			t.Errorf("the admin is not offered to release budi's claim")
		}
		res, body = ani.post(page+"/release", url.Values{})
		wantStatus(t, "the admin releases budi's claim", res, body, http.StatusSeeOther)
		if by := holder(); by != "" {
			t.Fatalf("released by the admin, still held by %q", by)
		}

		entries, _, err := h.accounts.AuditLog(ctx, AuditFilter{Action: "desk."})
		if err != nil {
			t.Fatal(err)
		}
		count := map[string]int{}
		for _, e := range entries {
			count[e.Action]++
		}
		if count["desk.claim"] != 2 || count["desk.release"] != 2 {
			t.Errorf("audit log: %v, want 2 claims and 2 releases", count)
		}

		// A closed ticket is neither claimed nor offered to be.
		if _, err := h.inbox.Close(ctx, db, id, "siti", false, time.Now()); err != nil {
			t.Fatal(err)
		}
		res, body = siti.post(page+"/claim", url.Values{})
		wantStatus(t, "claiming a closed ticket", res, body, http.StatusConflict)
		if strings.Contains(body, "Ambil tiket") {
			t.Errorf("a closed ticket offers \"Ambil tiket\"")
		}
	})
}

// An officer takes tickets on the web desk, then an admin maps the
// account to its Slack name: the claims move to the new name, so the
// officer still answers the tickets they hold and sees them under
// "Milik saya".
func TestDeskSlackMappingKeepsOwnClaims(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h, budi := loggedIn(t, db, "budi", RoleOfficer)
		h.user(t, "siti", RoleAdmin)
		ctx := context.Background()
		id := h.ticket(t, "Warga", "bagaimana cara mengurus izin keramaian di lapangan merdeka")
		page := fmt.Sprintf("/admin/desk/%d", id)
		budi.get(page)
		res, body := budi.post(page+"/claim", url.Values{})
		wantStatus(t, "budi claims", res, body, http.StatusSeeOther)

		// The admin maps budi's account to his Slack name.
		u, err := h.accounts.user(ctx, db, `username = ?`, "budi")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := h.accounts.UpdateUser(ctx, u.ID, RoleOfficer, "@budi", true, "web:siti"); err != nil {
			t.Fatal(err)
		}
		if by, err := h.inbox.ClaimedBy(ctx, id); err != nil || by != "@budi" {
			t.Errorf("after the Slack mapping the ticket is claimed by %q (%v), want @budi", by, err)
		}

		if _, body := budi.get("/admin/desk?queue=mine"); !strings.Contains(body, page) {
			t.Errorf("after the Slack mapping, budi's own claimed ticket is missing from \"Milik saya\"")
		}
		budi.get(page)
		res, body = budi.post(page+"/reply", url.Values{"text": {"Silakan ajukan izin keramaian ke Polres dengan surat pengantar kelurahan."}})
		if res.StatusCode != http.StatusSeeOther {
			t.Errorf("budi answers the ticket he claimed himself: status %d, want 303; the page says: %s", res.StatusCode, pageError(body))
		}

		// Unmapped again, the claim comes back to the account's name.
		if _, err := h.accounts.UpdateUser(ctx, u.ID, RoleOfficer, "", true, "web:siti"); err != nil {
			t.Fatal(err)
		}
		if by, err := h.inbox.ClaimedBy(ctx, id); err != nil || by != "budi" {
			t.Errorf("after the Slack mapping is removed the ticket is claimed by %q (%v), want budi", by, err)
		}
	})
}

// An admin maps andi's web account to "@siti" by mistake; siti, in
// Slack, takes a ticket on under that name, and andi takes another on
// the web desk. The admin corrects andi's mapping to "@andi": andi's
// claim moves with his account, siti's stays hers, since a name shared
// with another says nothing about who took a claim.
func TestDeskFixingAWrongSlackMappingLeavesTheSlackOfficersClaims(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h, _ := loggedIn(t, db, "ani", RoleAdmin)
		h.user(t, "andi", RoleOfficer)
		ctx := t.Context()
		u, err := h.accounts.user(ctx, db, `username = ?`, "andi")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := h.accounts.UpdateUser(ctx, u.ID, RoleOfficer, "@siti", true, "web:ani"); err != nil {
			t.Fatal(err)
		}
		id := h.ticket(t, "Warga", "bagaimana cara mengurus izin keramaian di lapangan merdeka")
		if _, err := h.inbox.Claim(ctx, id, "@siti", time.Now()); err != nil { // siti presses Jawab in Slack
			t.Fatal(err)
		}
		andi := h.login(t, "andi")
		conv, err := h.inbox.EnsureConversation(ctx, h.db, bots.Telegram, "556", "778", "Warga Lain")
		if err != nil {
			t.Fatal(err)
		}
		var andis int64
		err = h.db.InTx(ctx, func(tx *sqlx.Tx) error {
			tk, _, err := h.inbox.OpenTicket(ctx, tx, conv.ID, "", "syarat membuat surat keterangan usaha di kelurahan", inbox.NoMatch, time.Now())
			andis = tk.ID
			return err
		})
		if err != nil || andis == id {
			t.Fatalf("a second ticket: %d, %v; want one of its own", andis, err)
		}
		page := fmt.Sprintf("/admin/desk/%d", andis)
		andi.get(page)
		res, body := andi.post(page+"/claim", url.Values{})
		wantStatus(t, "andi claims as @siti", res, body, http.StatusSeeOther)

		if _, err := h.accounts.UpdateUser(ctx, u.ID, RoleOfficer, "@andi", true, "web:ani"); err != nil {
			t.Fatal(err)
		}
		if by, err := h.inbox.ClaimedBy(ctx, id); err != nil || by != "@siti" {
			t.Errorf("after andi's mapping is corrected, the ticket siti took on in Slack is claimed by %q (%v); want @siti", by, err)
		}
		if by, err := h.inbox.ClaimedBy(ctx, andis); err != nil || by != "@andi" {
			t.Errorf("after andi's mapping is corrected, the ticket andi took on the web desk is claimed by %q (%v); want @andi", by, err)
		}
	})
}

// An officer whose web account is mapped to "@budi" answers a ticket on
// the web desk straight away (no "Ambil tiket" first): the reply takes
// the claim for "@budi". When his Slack name changes to "@budi2", that
// ticket, which only his account could have answered on the web, must
// move with him; otherwise he is refused on his own ticket.
func TestDeskSlackRemapMovesClaimsTakenByWebReply(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h, budi := loggedIn(t, db, "budi", RoleOfficer)
		h.user(t, "siti", RoleAdmin)
		ctx := t.Context()
		u, err := h.accounts.user(ctx, db, `username = ?`, "budi")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := h.accounts.UpdateUser(ctx, u.ID, RoleOfficer, "@budi", true, "web:siti"); err != nil {
			t.Fatal(err)
		}
		id := h.ticket(t, "Warga", "bagaimana cara mengurus izin keramaian di lapangan merdeka")
		page := fmt.Sprintf("/admin/desk/%d", id)
		budi.get(page)
		res, body := budi.post(page+"/reply", url.Values{"text": {"Silakan ajukan ke Polres dengan surat pengantar kelurahan."}})
		wantStatus(t, "budi replies", res, body, http.StatusSeeOther)
		if by, _ := h.inbox.ClaimedBy(ctx, id); by != "@budi" {
			t.Fatalf("after the web reply the claim is %q, want @budi", by)
		}
		if _, err := h.accounts.UpdateUser(ctx, u.ID, RoleOfficer, "@budi2", true, "web:siti"); err != nil {
			t.Fatal(err)
		}
		if by, err := h.inbox.ClaimedBy(ctx, id); err != nil || by != "@budi2" {
			t.Errorf("after the Slack name changed, the ticket budi answered on the web desk is claimed by %q (%v); want @budi2", by, err)
		}
		budi.get(page)
		res, body = budi.post(page+"/reply", url.Values{"text": {"Tambahan: bawa fotokopi KTP."}})
		if res.StatusCode != http.StatusSeeOther {
			t.Errorf("budi's follow-up on his own ticket: status %d, page says: %s", res.StatusCode, pageError(body))
		}
	})
}

// siti takes a ticket on and is typing her answer; budi, browsing the
// queue, presses "Tutup tiket" on it: refused, naming siti, and the
// ticket stays open. An admin may close it.
func TestDeskCloseRespectsColleaguesClaim(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h, siti := loggedIn(t, db, "siti", RoleOfficer)
		h.user(t, "budi", RoleOfficer)
		h.user(t, "ani", RoleAdmin)
		budi, ani := h.login(t, "budi"), h.login(t, "ani")
		id := h.ticket(t, "Warga", "bagaimana cara mengurus izin keramaian di lapangan merdeka")
		page := fmt.Sprintf("/admin/desk/%d", id)
		siti.get(page)
		res, body := siti.post(page+"/claim", url.Values{})
		wantStatus(t, "siti claims", res, body, http.StatusSeeOther)

		// Asked to confirm closing it unanswered or not, the refusal names
		// the holder.
		for _, form := range []url.Values{{}, {"unanswered": {"on"}}} {
			budi.get(page)
			res, body = budi.post(page+"/close", form)
			if res.StatusCode != http.StatusConflict {
				t.Errorf("budi closes siti's claimed, unanswered ticket (%v): status %d, want 409 naming siti", form, res.StatusCode)
			}
			if msg := pageError(body); !strings.Contains(msg, "siti") || !strings.Contains(msg, "menutupnya") {
				t.Errorf("the refusal reads %q; want it to name siti and say who may close", msg)
			}
		}
		det, err := h.inbox.Get(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if det.Ticket.ClosedBy == "budi" || det.Ticket.Status == inbox.Closed {
			t.Errorf("the ticket siti holds was closed by budi before anyone answered the citizen")
		}

		ani.get(page)
		res, body = ani.post(page+"/close", url.Values{"unanswered": {"on"}})
		wantStatus(t, "an admin closes siti's ticket", res, body, http.StatusSeeOther)
		if det, err := h.inbox.Get(context.Background(), id); err != nil || det.Ticket.ClosedBy != "ani" {
			t.Errorf("after the admin's close: closed by %q, %v", det.Ticket.ClosedBy, err)
		}
	})
}

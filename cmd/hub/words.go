package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/tebingtinggi/hub/admin"
	"github.com/tebingtinggi/hub/handlers"
	"github.com/tebingtinggi/hub/inbox"
	"github.com/tebingtinggi/hub/knowledge"
)

// The hub's identifiers as officers read them on the terminal: one
// Indonesian word per concept, shared by every command, and the same
// words as the web admin and the Slack desk use. Flags and machine
// output (JSON, CSV) keep the identifiers.

// ticketStatusWords names a ticket's status (the web desk's labels).
func ticketStatusWords(s inbox.TicketStatus) string {
	return wordOr(map[inbox.TicketStatus]string{
		inbox.Open: "menunggu petugas", inbox.Answered: "sudah dijawab", inbox.Closed: "selesai",
	}, s)
}

// statusFlag reads a --status value: the identifier or the word the tables
// print for it ("published" or "terbit"), in any case; "" is none. An
// unknown value is refused naming every choice.
func statusFlag[T ~string](v string, words func(T) string, all ...T) (T, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", nil
	}
	var choices []string
	for _, s := range all {
		if strings.EqualFold(v, string(s)) || strings.EqualFold(v, words(s)) {
			return s, nil
		}
		choices = append(choices, fmt.Sprintf("%s (%s)", s, words(s)))
	}
	last := len(choices) - 1
	return "", fmt.Errorf("%w: --status %q: isi %s atau %s", errUsage, v, strings.Join(choices[:last], ", "), choices[last])
}

// reasonWords says why a ticket was opened.
func reasonWords(r inbox.Reason) string {
	return wordOr(map[inbox.Reason]string{
		inbox.NoMatch: "bot tidak menemukan jawaban", inbox.AskedHuman: "warga meminta petugas",
		inbox.UnhelpfulAnswer: "jawaban bot tidak membantu",
	}, r)
}

// authorWords names who wrote a message.
func authorWords(k inbox.AuthorKind) string {
	return wordOr(map[inbox.AuthorKind]string{inbox.Citizen: "warga", inbox.Bot: "bot", inbox.Officer: "petugas"}, k)
}

// fileWords names the kind of file a citizen sent.
func fileWords(kind string) string {
	return wordOr(map[string]string{"photo": "foto", "document": "dokumen"}, kind)
}

// revisionWords names what a revision of an entry did.
func revisionWords(action string) string {
	return wordOr(map[string]string{
		knowledge.ActionCreate: "dibuat", knowledge.ActionUpdate: "diubah", knowledge.ActionStatus: "status diubah",
		knowledge.ActionAlternate: "variasi ditambahkan", knowledge.ActionRestore: "dipulihkan", knowledge.ActionImport: "diimpor",
	}, action)
}

// roleWords names a web admin account's role (the users page's labels).
func roleWords(r admin.Role) string {
	return wordOr(map[admin.Role]string{admin.RoleAdmin: "admin", admin.RoleOfficer: "petugas", admin.RoleViewer: "pembaca"}, r)
}

// decisionWords says what the bot did, from its decision and the entries
// concerned as the message log records them ("answer ktp-hilang",
// "clarify a,b", "handoff", "helpful ktp-hilang").
func decisionWords(logged string) string {
	kind, slugs, _ := strings.Cut(logged, " ")
	entries := strings.ReplaceAll(slugs, ",", ", ")
	if kind == handlers.DecisionHelpful {
		if entries != "" {
			return "berterima kasih: warga menandai jawaban entri " + entries + " sebagai terjawab"
		}
		return "berterima kasih: warga menandai jawabannya sebagai terjawab"
	}
	switch knowledge.Decision(kind) {
	case knowledge.Answer:
		if entries != "" {
			return "menjawab dengan entri " + entries
		}
		return "menjawab"
	case knowledge.Clarify:
		if entries != "" {
			return "bertanya balik dengan pilihan " + entries
		}
		return "bertanya balik"
	case knowledge.Handoff:
		return "diteruskan ke petugas"
	case knowledge.Decline:
		return "menolak karena di luar layanan"
	case knowledge.Smalltalk:
		return "membalas sapaan"
	}
	return logged
}

// decimal writes f with places decimals and the Indonesian decimal
// comma, as the reports do.
func decimal(f float64, places int) string {
	return strings.Replace(strconv.FormatFloat(f, 'f', places, 64), ".", ",", 1)
}

// wordOr is m's word for k, or k itself when m has none.
func wordOr[K ~string](m map[K]string, k K) string {
	if w, ok := m[k]; ok {
		return w
	}
	return string(k)
}

// ticketError says in the officer's words why ticket id could not be
// acted on; other errors come back as they are.
func ticketError(id int64, err error) error {
	var claimed *inbox.ClaimedError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, inbox.ErrNotFound):
		return fmt.Errorf("tidak ada tiket #%d (lihat hub inbox list)", id)
	case errors.Is(err, inbox.ErrClosed):
		return fmt.Errorf("tiket #%d sudah ditutup; tidak ada yang dikirim ke warga", id)
	case errors.As(err, &claimed):
		return fmt.Errorf("tiket #%d sudah diambil oleh %s; tidak ada yang dikirim ke warga", id, claimed.By)
	case errors.Is(err, handlers.ErrForgotten):
		return fmt.Errorf("warga pada tiket #%d sudah menghapus datanya; balasan tidak dapat dikirim", id)
	}
	return err
}

package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/tebingtinggi/hub/handlers"
	"github.com/tebingtinggi/hub/inbox"
	"github.com/tebingtinggi/hub/knowledge"
)

// The hub's identifiers as officers read them on the terminal are the
// words of the packages that own them (inbox.TicketStatus.Word,
// knowledge.Action.Word and the like), which the web admin and the Slack
// desk show too. Flags and machine output (JSON, CSV) keep the
// identifiers.

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
	d := knowledge.Decision(kind)
	switch {
	case d == knowledge.Answer && entries != "":
		return d.Word() + " dengan entri " + entries
	case d == knowledge.Clarify && entries != "":
		return d.Word() + " dengan pilihan " + entries
	case d.Word() != kind:
		return d.Word()
	}
	return logged
}

// decimal writes f with places decimals and the Indonesian decimal
// comma, as the reports do.
func decimal(f float64, places int) string {
	return strings.Replace(strconv.FormatFloat(f, 'f', places, 64), ".", ",", 1)
}

// ticketError says in the officer's words why ticket id could not be
// acted on by the inbox subcommand sub; other errors come back as they
// are. Only a reply would have sent something to the citizen.
func ticketError(sub string, id int64, err error) error {
	var claimed *inbox.ClaimedError
	nothingSent := ""
	if sub == "reply" {
		nothingSent = "; tidak ada yang dikirim ke warga"
	}
	switch {
	case err == nil:
		return nil
	case errors.Is(err, inbox.ErrNotFound):
		return fmt.Errorf("tidak ada tiket #%d (lihat hub inbox list)", id)
	case errors.Is(err, inbox.ErrClosed):
		return fmt.Errorf("tiket #%d sudah ditutup%s", id, nothingSent)
	case errors.As(err, &claimed):
		return fmt.Errorf("tiket #%d sudah diambil oleh %s%s", id, claimed.By, nothingSent)
	case errors.Is(err, handlers.ErrForgotten):
		return fmt.Errorf("warga pada tiket #%d sudah menghapus datanya; balasan tidak dapat dikirim", id)
	case errors.Is(err, inbox.ErrSameReply):
		return fmt.Errorf("balasan yang sama sudah dikirim, atau sedang dikirim, ke warga sebagai pesan terakhir tiket #%d, jadi tidak dikirim dua kali", id)
	}
	return err
}

package inbox

import (
	"testing"

	"github.com/tebingtinggi/hub/internal/consttest"
)

// TestEveryIdentifierHasAWord: every ticket status, reason, author kind
// and file kind the inbox defines has a word of its own, so that no
// surface shows an officer the identifier.
func TestEveryIdentifierHasAWord(t *testing.T) {
	consttest.Words(t, "TicketStatus", ticketStatusWords)
	consttest.Words(t, "Reason", reasonWords)
	consttest.Words(t, "AuthorKind", authorWords)
	consttest.Distinct(t, FileKinds, fileWords)
	for _, kind := range FileKinds {
		if FileWord(kind) == FileWord("sticker") {
			t.Errorf("FileWord(%q) = %q, the word for a kind the hub does not keep", kind, FileWord(kind))
		}
	}
}

// TestWordsOfUnknownIdentifiers: what the inbox has no word for is shown
// as it is, and a file of another kind is a file ("berkas").
func TestWordsOfUnknownIdentifiers(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{TicketStatus("weird").Word(), "weird"}, {Reason("urgent").Word(), "urgent"}, {AuthorKind("system").Word(), "system"},
		{FileWord("sticker"), "berkas"}, {FileWord(""), "berkas"}, {Answered.Word(), "sudah dijawab"}, {FileWord("photo"), "foto"},
		{FileWord("voice"), "pesan suara"}, {FileWord("audio"), "audio"}, {FileWord("video"), "video"}, {FileWord("video_note"), "video bulat"},
		{NoCaption("voice"), "(pesan suara tanpa keterangan)"}, {NoCaption("venue"), "(lokasi tanpa keterangan)"}, {NoCaption("video_note"), "(video bulat tanpa keterangan)"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

package slack

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"regexp"
	"strings"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/inbox"
)

// DefaultMaxFile is the largest file the adapter uploads to Slack; a
// larger one is shown as a note. Telegram lets a bot download up to 20
// MB; a send, download and upload included, must fit in the outbox's
// send time-out.
const DefaultMaxFile = 10 << 20

// sendFile shows out.Attachment in out.ChatID (in out.ReplyTo's thread):
// it fetches the file from the platform it was sent on and uploads it
// (see upload), with out.Text as its comment. A file over the limit is
// shown as a note saying so. Fetch failures keep the fetcher's
// classification (the outbox retries the temporary ones), and upload
// failures are classified as Send's.
func (a *Adapter) sendFile(ctx context.Context, out bots.Outgoing) (string, error) {
	att := out.Attachment
	fetcher := a.cfg.Files[att.Platform]
	if fetcher == nil {
		return "", permanent(fmt.Errorf("slack: no file fetcher for platform %q", att.Platform))
	}
	f, err := fetcher.FetchFile(ctx, att.ID, a.cfg.MaxFile)
	if errors.Is(err, bots.ErrFileTooLarge) {
		return a.tooLarge(ctx, out, f.Size)
	}
	if err != nil {
		return "", err
	}
	data, err := io.ReadAll(f.Body)
	f.Body.Close()
	if errors.Is(err, bots.ErrFileTooLarge) {
		return a.tooLarge(ctx, out, 0)
	}
	if err != nil {
		return "", &bots.SendError{Temporary: true, Err: err}
	}
	if len(data) == 0 {
		return a.sendNote(ctx, out, textFileEmpty)
	}
	return a.upload(ctx, out, uploadName(att.Kind, f.Name), data)
}

// tooLarge says that out's file (of size bytes; 0 when unknown) is not
// uploaded.
func (a *Adapter) tooLarge(ctx context.Context, out bots.Outgoing, size int64) (string, error) {
	limit := megabytes(a.cfg.MaxFile)
	told := megabytes(size)
	if size <= a.cfg.MaxFile {
		told = "lebih dari " + limit
	}
	return a.sendNote(ctx, out, fmt.Sprintf(textFileTooLarge, told, limit))
}

// sendNote sends out's text and note instead of its file.
func (a *Adapter) sendNote(ctx context.Context, out bots.Outgoing, note string) (string, error) {
	out.Attachment = nil
	out.Text = strings.TrimSpace(out.Text + "\n" + note)
	return a.Send(ctx, out)
}

// extension is a file name's extension worth keeping.
var extension = regexp.MustCompile(`^\.[A-Za-z0-9]{1,8}$`)

// uploadName names an uploaded file by its kind, with the extension of
// the platform's name so that Slack previews it: "foto.jpg",
// "pesan-suara.oga".
func uploadName(kind, platformName string) string {
	name := strings.ReplaceAll(inbox.FileWord(kind), " ", "-")
	if ext := path.Ext(platformName); extension.MatchString(ext) {
		name += strings.ToLower(ext)
	}
	return name
}

// megabytes writes a size as Indonesians read it: "12,5 MB", "10 MB",
// "5 KB" (rounded up) below a megabyte.
func megabytes(n int64) string {
	if n < 1<<20 {
		return fmt.Sprintf("%d KB", (n+1023)/1024)
	}
	s := fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	return strings.Replace(strings.Replace(s, ".", ",", 1), ",0 MB", " MB", 1)
}

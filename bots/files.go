package bots

import (
	"context"
	"errors"
	"io"
)

// Attachment is a file to show with an outgoing message: a photo,
// document, voice note, audio, video or video note a person sent on
// Platform, named by that platform's file id.
// The sending adapter fetches it from there (see FileFetcher) when it
// sends, so that nothing but the id is ever stored.
type Attachment struct {
	// Platform is where the file was sent (where to fetch it from).
	Platform Platform
	// Kind is the file's kind, as Incoming.Media names it ("photo",
	// "voice", …).
	Kind string
	// ID is the platform's file id (Telegram's file_id).
	ID string
}

// FileFetcher fetches a file a person sent, by the platform's file id
// (Incoming.FileID). The Telegram adapter's is the one there is; the Slack
// desk and the web desk use it to show citizens' files to officers.
type FileFetcher interface {
	// FetchFile fetches the file, refusing one larger than limit bytes
	// with ErrFileTooLarge (and the file's size in FetchedFile.Size).
	// Failures are *SendError, classified as a send's: ErrFileGone
	// (permanent) when the platform has no such file, RetryAfter when it
	// asks to wait, Temporary for server and network failures. Errors
	// never contain a token.
	FetchFile(ctx context.Context, fileID string, limit int64) (FetchedFile, error)
}

// FetchedFile is a fetched file. The caller closes Body.
type FetchedFile struct {
	// Name is the platform's name for it (such as "file_7.jpg"), which
	// tells its type by the extension; it is not the person's file name.
	Name string
	// Size is the file's size in bytes, as the platform told it; 0 when
	// unknown.
	Size int64
	// Body reads the file: never more than the limit, an error past it.
	Body io.ReadCloser
}

// Errors of FileFetcher.FetchFile, wrapped in a *SendError.
var (
	// ErrFileTooLarge: the file is larger than the limit asked for.
	ErrFileTooLarge = errors.New("bots: the file is larger than the limit")
	// ErrFileGone: the platform has no such file (any more).
	ErrFileGone = errors.New("bots: the file is not available from the platform")
)

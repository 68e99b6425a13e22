package telegram

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/bots/telegram/telegramtest"
)

// fetchAll fetches fileID and reads it whole.
func fetchAll(t *testing.T, f *Files, fileID string, limit int64) ([]byte, bots.FetchedFile, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	got, err := f.FetchFile(ctx, fileID, limit)
	if err != nil {
		return nil, got, err
	}
	defer got.Body.Close()
	b, err := io.ReadAll(got.Body)
	return b, got, err
}

func TestFilesFetch(t *testing.T) {
	srv := telegramtest.NewServer(t)
	photo := bytes.Repeat([]byte{0xff, 0xd8, 0xff, 0xe0}, 1000)
	srv.AddFile("ph1", "photo", ".jpg", photo)
	srv.AddFile("big", "document", ".pdf", make([]byte, 3000))
	srv.AddFile("huge", "document", ".zip", make([]byte, telegramtest.MaxDownload+1))
	f, err := NewFiles(srv.Token(), srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	b, got, err := fetchAll(t, f, "ph1", 1<<20)
	if err != nil {
		t.Fatalf("fetching a photo: %v", err)
	}
	if !bytes.Equal(b, photo) || got.Size != int64(len(photo)) || !strings.HasSuffix(got.Name, ".jpg") {
		t.Errorf("fetched %d bytes named %q of size %d; want the %d bytes of a .jpg", len(b), got.Name, got.Size, len(photo))
	}

	tests := []struct {
		name    string
		id      string
		limit   int64
		want    error
		size    int64
		retry   bool
		fault   telegramtest.Fault
		faultOn string
	}{
		{name: "over the caller's limit", id: "big", limit: 2999, want: bots.ErrFileTooLarge, size: 3000},
		{name: "over Telegram's limit", id: "huge", limit: 1 << 30, want: bots.ErrFileTooLarge},
		{name: "unknown file", id: "nope", limit: 1 << 20, want: bots.ErrFileGone},
		{name: "getFile rate limited", id: "ph1", limit: 1 << 20, retry: true,
			fault: telegramtest.Fault{Status: http.StatusTooManyRequests, RetryAfter: 7}, faultOn: "getFile"},
		{name: "getFile fails on the server", id: "ph1", limit: 1 << 20, retry: true,
			fault: telegramtest.Fault{Status: http.StatusBadGateway}, faultOn: "getFile"},
		{name: "download fails on the server", id: "ph1", limit: 1 << 20, retry: true,
			fault: telegramtest.Fault{Status: http.StatusInternalServerError}, faultOn: "file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv.SetFaults(func(method string, _ int64) telegramtest.Fault {
				if method == tc.faultOn {
					return tc.fault
				}
				return telegramtest.Fault{}
			})
			defer srv.SetFaults(nil)
			_, got, err := fetchAll(t, f, tc.id, tc.limit)
			if err == nil {
				t.Fatal("fetched; want a failure")
			}
			var se *bots.SendError
			if !errors.As(err, &se) {
				t.Fatalf("error %T %v; want a *bots.SendError", err, err)
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("error %v; want %v", err, tc.want)
			}
			if again, _ := bots.Retryable(err); again != tc.retry {
				t.Errorf("error %v retryable %v; want %v", err, again, tc.retry)
			}
			if tc.fault.RetryAfter > 0 && se.RetryAfter != time.Duration(tc.fault.RetryAfter)*time.Second {
				t.Errorf("retry after %s; want %ds", se.RetryAfter, tc.fault.RetryAfter)
			}
			if tc.size != 0 && got.Size != tc.size {
				t.Errorf("size %d; want %d", got.Size, tc.size)
			}
			if strings.Contains(err.Error(), srv.Token()) {
				t.Errorf("the token is in the error: %v", err)
			}
		})
	}
}

// A download that runs past the limit is cut off, and Telegram being
// unreachable is a temporary failure whose error does not hold the
// download URL's token.
func TestFilesLimitAndTokenInErrors(t *testing.T) {
	srv := telegramtest.NewServer(t)
	srv.AddFile("d1", "document", ".pdf", make([]byte, 5000))
	f, err := NewFiles(srv.Token(), srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	// getFile tells the size; a body longer than told is still cut at the
	// limit.
	ctx := context.Background()
	got, err := f.FetchFile(ctx, "d1", 8000)
	if err != nil {
		t.Fatal(err)
	}
	got.Body.(*limitedBody).left = 100
	n, err := io.Copy(io.Discard, got.Body)
	got.Body.Close()
	if !errors.Is(err, bots.ErrFileTooLarge) || n != 100 {
		t.Errorf("read %d bytes, error %v; want 100 bytes, then ErrFileTooLarge", n, err)
	}

	// The download URL holds the token; a failed download must not show it.
	srv.SetFaults(func(method string, _ int64) telegramtest.Fault {
		if method == "file" {
			return telegramtest.Fault{Delay: time.Minute}
		}
		return telegramtest.Fault{}
	})
	short, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	_, err = f.FetchFile(short, "d1", 8000)
	if err == nil {
		t.Fatal("fetched although the download never answered")
	}
	if again, _ := bots.Retryable(err); !again {
		t.Errorf("a timed-out download is not retried: %v", err)
	}
	if strings.Contains(err.Error(), srv.Token()) || !strings.Contains(err.Error(), "<token>") && strings.Contains(err.Error(), "/file/bot") {
		t.Errorf("the token is in the error: %v", err)
	}
	if _, err := NewFiles("not a token", srv.URL()); err == nil {
		t.Error("NewFiles accepted a malformed token")
	}
}

package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/tebingtinggi/hub/bots"
)

// MaxFileSize is the largest file the Bot API lets a bot download.
const MaxFileSize = 20 << 20

// Files fetches the files citizens sent, by file_id: getFile, then the
// download at <api>/file/bot<token>/<file_path>. It needs no connection
// to Telegram beforehand (no getMe), so the Slack desk and the web desk
// can share one whatever the adapter's state. It is a bots.FileFetcher.
//
// The download URL holds the token: no URL reaches an error or a log
// unscrubbed.
type Files struct {
	base   string
	token  string
	forms  *regexp.Regexp
	client *http.Client
}

var _ bots.FileFetcher = (*Files)(nil)

// NewFiles returns the file fetcher of the bot with token, on the Bot API
// at apiURL (DefaultAPIURL when empty).
func NewFiles(token, apiURL string) (*Files, error) {
	if !ValidToken(token) {
		return nil, errors.New("telegram: the token is not a bot token: want digits, a colon, then letters, digits, _ or -")
	}
	base := strings.TrimRight(apiURL, "/")
	if base == "" {
		base = DefaultAPIURL
	}
	if u, err := url.Parse(base); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errors.New("telegram: the API URL must be an absolute http(s) URL")
	}
	transport := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: DefaultHTTPTimeout,
		IdleConnTimeout:       90 * time.Second,
		MaxIdleConnsPerHost:   4,
	}
	// No overall time-out: a download takes as long as its size needs,
	// within the caller's context.
	return &Files{base: base, token: token, forms: tokenForms(token), client: &http.Client{Transport: transport}}, nil
}

// filePath is what getFile may answer as a file_path: relative, with no
// way out of the bot's files.
var filePath = regexp.MustCompile(`^[A-Za-z0-9_-]+(/[A-Za-z0-9_.-]+)*$`)

// FetchFile implements bots.FileFetcher.
func (f *Files) FetchFile(ctx context.Context, fileID string, limit int64) (bots.FetchedFile, error) {
	if strings.TrimSpace(fileID) == "" {
		return bots.FetchedFile{}, &bots.SendError{Err: fmt.Errorf("telegram: getFile: %w: empty file id", bots.ErrFileGone)}
	}
	limit = min(limit, MaxFileSize)
	info, err := f.getFile(ctx, fileID)
	if err != nil {
		return bots.FetchedFile{}, err
	}
	out := bots.FetchedFile{Name: path.Base(info.FilePath), Size: info.FileSize}
	if info.FileSize > limit {
		return out, &bots.SendError{Err: bots.ErrFileTooLarge}
	}
	if !filePath.MatchString(info.FilePath) || strings.Contains(info.FilePath, "..") {
		return out, &bots.SendError{Err: errors.New("telegram: getFile answered an unusable file_path")}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, f.base+"/file/bot"+f.token+"/"+info.FilePath, nil)
	if err != nil {
		return out, &bots.SendError{Err: scrubToken(err, f.forms)}
	}
	resp, err := f.client.Do(req)
	if err != nil {
		return out, &bots.SendError{Temporary: true, Err: fmt.Errorf("telegram: download: %w", scrubToken(err, f.forms))}
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return out, statusError("download", resp.StatusCode, resp.Header.Get("Retry-After"), "")
	}
	if resp.ContentLength > limit {
		resp.Body.Close()
		out.Size = resp.ContentLength
		return out, &bots.SendError{Err: bots.ErrFileTooLarge}
	}
	if out.Size == 0 && resp.ContentLength > 0 {
		out.Size = resp.ContentLength
	}
	out.Body = &limitedBody{r: resp.Body, left: limit, forms: f.forms}
	return out, nil
}

// fileInfo is getFile's result.
type fileInfo struct {
	FileSize int64  `json:"file_size"`
	FilePath string `json:"file_path"`
}

func (f *Files) getFile(ctx context.Context, fileID string) (fileInfo, error) {
	form := url.Values{"file_id": {fileID}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.base+"/bot"+f.token+"/getFile", strings.NewReader(form.Encode()))
	if err != nil {
		return fileInfo{}, &bots.SendError{Err: scrubToken(err, f.forms)}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := f.client.Do(req)
	if err != nil {
		return fileInfo{}, &bots.SendError{Temporary: true, Err: fmt.Errorf("telegram: getFile: %w", scrubToken(err, f.forms))}
	}
	defer resp.Body.Close()
	var body struct {
		OK          bool     `json:"ok"`
		Result      fileInfo `json:"result"`
		Description string   `json:"description"`
		Parameters  struct {
			RetryAfter int `json:"retry_after"`
		} `json:"parameters"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<16)).Decode(&body); err != nil && resp.StatusCode == http.StatusOK {
		return fileInfo{}, &bots.SendError{Temporary: true, Err: errors.New("telegram: getFile: unreadable answer")}
	}
	if resp.StatusCode == http.StatusOK && body.OK {
		if body.Result.FilePath == "" {
			// Telegram gives no path to a file it cannot serve.
			return fileInfo{}, &bots.SendError{Err: fmt.Errorf("telegram: getFile: %w: no file_path", bots.ErrFileGone)}
		}
		return body.Result, nil
	}
	retry := resp.Header.Get("Retry-After")
	if body.Parameters.RetryAfter > 0 {
		retry = strconv.Itoa(body.Parameters.RetryAfter)
	}
	return fileInfo{}, statusError("getFile", resp.StatusCode, retry, body.Description)
}

// statusError classifies a refused call. Telegram's descriptions name
// the file, never the token.
func statusError(call string, status int, retryAfter, desc string) error {
	err := fmt.Errorf("telegram: %s: HTTP %d %s", call, status, desc)
	switch {
	case status == http.StatusTooManyRequests:
		secs, _ := strconv.Atoi(retryAfter)
		return &bots.SendError{RetryAfter: time.Duration(max(secs, 1)) * time.Second, Err: err}
	case status >= 500 || status == http.StatusRequestTimeout:
		return &bots.SendError{Temporary: true, Err: err}
	case status == http.StatusBadRequest && strings.Contains(strings.ToLower(desc), "too big"):
		return &bots.SendError{Err: fmt.Errorf("%w: %w", bots.ErrFileTooLarge, err)}
	case status == http.StatusBadRequest, status == http.StatusNotFound:
		return &bots.SendError{Err: fmt.Errorf("%w: %w", bots.ErrFileGone, err)}
	}
	return &bots.SendError{Err: err}
}

// errBodyTooLarge ends a download that runs past its limit.
var errBodyTooLarge = fmt.Errorf("telegram: download: %w", bots.ErrFileTooLarge)

// limitedBody reads a download up to its limit, and fails past it; its
// errors are scrubbed of the token.
type limitedBody struct {
	r     io.ReadCloser
	left  int64
	forms *regexp.Regexp
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left < 0 {
		return 0, errBodyTooLarge
	}
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	if b.left < 0 {
		return n - 1, errBodyTooLarge
	}
	if err != nil && !errors.Is(err, io.EOF) {
		err = scrubToken(err, b.forms)
	}
	return n, err
}

func (b *limitedBody) Close() error { return b.r.Close() }

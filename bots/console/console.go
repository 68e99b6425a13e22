// Package console is a chat platform on a terminal: it reads a person's
// lines from an io.Reader and delivers them to the handler layer as
// bots.Incoming (platform console, a private chat), and renders outgoing
// messages to an io.Writer, with buttons as numbered options; typing an
// option's number, or its label, presses that button. `hub chat` uses it
// so that the bot can be tried without Telegram, on the same handlers and
// database.
package console

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tebingtinggi/hub/bots"
	"github.com/tebingtinggi/hub/internal/safetext"
)

// Sink receives the typed lines; the handler layer's Router implements it.
type Sink interface {
	Deliver(ctx context.Context, in bots.Incoming) error
}

// Config configures an Adapter; the zero value works.
type Config struct {
	// ChatID and UserID identify the person (default "local"); keep them
	// stable so that conversations and tickets continue across runs.
	ChatID, UserID string
	// UserName is the display name recorded for officers (default "Warga
	// (konsol)").
	UserName string
	// Settle, when set, is called after each delivered line and should
	// return once the replies to it were rendered, so that the prompt and
	// the button numbers follow the conversation.
	Settle func(ctx context.Context) error
	// Prompt is written before each line is read (default "> "; "-" for
	// none).
	Prompt string
}

// Adapter is the console platform: a receiver (Run) and a bots.Sender.
type Adapter struct {
	r   io.Reader
	cfg Config
	// session makes update ids unique across runs on one database.
	session string

	mu      sync.Mutex
	w       io.Writer
	nextMsg int
	options []bots.Button // the buttons of the last message, numbered from 1
}

// The bots.Sender contract.
var _ bots.Sender = (*Adapter)(nil)

// New returns an Adapter reading r and writing w.
func New(r io.Reader, w io.Writer, cfg Config) *Adapter {
	if cfg.ChatID == "" {
		cfg.ChatID = "local"
	}
	if cfg.UserID == "" {
		cfg.UserID = cfg.ChatID
	}
	if cfg.UserName == "" {
		cfg.UserName = "Warga (konsol)"
	}
	if cfg.Prompt == "" {
		cfg.Prompt = "> "
	}
	if cfg.Prompt == "-" {
		cfg.Prompt = ""
	}
	return &Adapter{r: r, w: w, cfg: cfg, session: strconv.FormatInt(time.Now().UnixNano(), 36)}
}

// Run reads lines until EOF or ctx ends and delivers each non-empty one.
// It returns nil at EOF.
func (a *Adapter) Run(ctx context.Context, sink Sink) error {
	lines := make(chan string)
	readErr := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(a.r)
		sc.Buffer(make([]byte, 64*1024), 1<<20)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-ctx.Done():
				return
			}
		}
		readErr <- sc.Err()
	}()
	for n := 1; ; n++ {
		a.prompt()
		var line string
		select {
		case <-ctx.Done():
			return nil
		case err := <-readErr:
			if err != nil {
				return fmt.Errorf("console: unable to read input: %w", err)
			}
			return nil
		case line = <-lines:
		}
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		in := a.incoming(n, line)
		if err := sink.Deliver(ctx, in); err != nil {
			return fmt.Errorf("console: unable to deliver: %w", err)
		}
		if a.cfg.Settle != nil {
			if err := a.cfg.Settle(ctx); err != nil && ctx.Err() == nil {
				return err
			}
		}
	}
}

func (a *Adapter) prompt() {
	if a.cfg.Prompt == "" {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	io.WriteString(a.w, a.cfg.Prompt)
}

// incoming turns the n-th line into an update: a number or a label naming
// one of the last message's buttons presses it; "/cmd args" is a command.
func (a *Adapter) incoming(n int, line string) bots.Incoming {
	in := bots.Incoming{
		Platform:  bots.Console,
		UpdateID:  a.session + "-" + strconv.Itoa(n),
		ChatID:    a.cfg.ChatID,
		ChatType:  bots.Private,
		UserID:    a.cfg.UserID,
		UserName:  a.cfg.UserName,
		MessageID: "in-" + strconv.Itoa(n),
		Kind:      bots.Text,
		Text:      line,
		Addressed: true,
		Time:      time.Now().UTC(),
	}
	a.mu.Lock()
	if btn, ok := a.chosen(line); ok {
		in.Kind, in.Data, in.Text = bots.Press, btn.Data, ""
		in.MessageID = strconv.Itoa(a.nextMsg)
		a.options = nil
	}
	a.mu.Unlock()
	if in.Kind == bots.Text && strings.HasPrefix(line, "/") {
		head, rest, _ := strings.Cut(line[1:], " ")
		head, _, _ = strings.Cut(head, "@")
		if head != "" {
			in.Command, in.Args = strings.ToLower(head), strings.TrimSpace(rest)
		}
	}
	return in
}

// chosen returns the button of the last message that line names, by its
// number or by its label (as on Telegram, where a button is only ever
// tapped: typing "Tanya petugas" must not send the label as a question).
// The caller holds a.mu.
func (a *Adapter) chosen(line string) (bots.Button, bool) {
	if k, err := strconv.Atoi(line); err == nil && k >= 1 && k <= len(a.options) {
		return a.options[k-1], true
	}
	typed := strings.Join(strings.Fields(line), " ")
	for _, btn := range a.options {
		if strings.EqualFold(typed, strings.Join(strings.Fields(btn.Text), " ")) {
			return btn, true
		}
	}
	return bots.Button{}, false
}

// Send renders out and returns its message id. It implements bots.Sender.
func (a *Adapter) Send(ctx context.Context, out bots.Outgoing) (string, error) {
	if out.Platform != "" && out.Platform != bots.Console {
		return "", &bots.SendError{Err: errors.New("console: not a console message")}
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	id := out.EditOf
	if id == "" {
		a.nextMsg++
		id = strconv.Itoa(a.nextMsg)
	}
	var b strings.Builder
	b.WriteString("\nbot: ")
	// Answers and officers' replies were typed by people: shown inert.
	b.WriteString(strings.ReplaceAll(safetext.Block(out.Text), "\n", "\n     "))
	b.WriteString("\n")
	var options []bots.Button
	for _, row := range out.Buttons {
		for _, btn := range row {
			options = append(options, btn)
			fmt.Fprintf(&b, "     [%d] %s\n", len(options), safetext.Line(btn.Text))
		}
	}
	if len(options) > 0 {
		b.WriteString("     (ketik nomor untuk memilih)\n")
		a.options = options
	}
	if _, err := io.WriteString(a.w, b.String()); err != nil {
		return "", &bots.SendError{Temporary: true, Err: fmt.Errorf("console: unable to write: %w", err)}
	}
	return id, nil
}

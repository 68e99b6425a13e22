package bench

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"time"

	"github.com/tebingtinggi/hub/bots/telegram"
)

// poster sends prepared webhook requests over at most a fixed number of
// keep-alive connections, as Telegram's servers do. It is a bare HTTP/1.1
// client: net/http's client spent about a tenth of the benchmark process's
// CPU time on request objects and the two goroutines it runs per
// connection, work that in production happens on Telegram's machines, not
// on the hub's two cores.
type poster struct {
	addr  string
	slots chan struct{}    // one per connection that may be open
	idle  chan *posterConn // open connections not in use
}

type posterConn struct {
	c net.Conn
	r *bufio.Reader
}

func newPoster(rawURL string, conns int) (*poster, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, err
	}
	return &poster{addr: u.Host, slots: make(chan struct{}, conns), idle: make(chan *posterConn, conns)}, nil
}

// request is the bytes of a webhook POST of body.
func (p *poster) request(body []byte) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "POST / HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n%s: %s\r\nContent-Length: %d\r\n\r\n",
		p.addr, telegram.SecretHeader, benchSecret, len(body))
	b.Write(body)
	return b.Bytes()
}

// post sends one prepared request and reads the answer, which must be a
// 200 with a Content-Length (what the hub's webhook answers).
func (p *poster) post(req []byte) error {
	var pc *posterConn
	select {
	case pc = <-p.idle:
	default:
		select {
		case pc = <-p.idle:
		case p.slots <- struct{}{}:
			c, err := net.Dial("tcp", p.addr)
			if err != nil {
				<-p.slots
				return err
			}
			pc = &posterConn{c: c, r: bufio.NewReader(c)}
		}
	}
	status, keep, err := pc.roundTrip(req)
	if err != nil || !keep {
		pc.c.Close()
		<-p.slots
	} else {
		p.idle <- pc
	}
	if err == nil && status != 200 {
		err = fmt.Errorf("webhook answered %d", status)
	}
	return err
}

func (pc *posterConn) roundTrip(req []byte) (status int, keep bool, err error) {
	if err := pc.c.SetDeadline(time.Now().Add(30 * time.Second)); err != nil {
		return 0, false, err
	}
	if _, err := pc.c.Write(req); err != nil {
		return 0, false, err
	}
	line, err := pc.r.ReadSlice('\n')
	if err != nil {
		return 0, false, err
	}
	// "HTTP/1.1 200 OK"
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.1 ")) {
		return 0, false, fmt.Errorf("bad status line %q", line)
	}
	if status, err = strconv.Atoi(string(line[9:12])); err != nil {
		return 0, false, fmt.Errorf("bad status line %q", line)
	}
	length, keep := -1, true
	for {
		line, err := pc.r.ReadSlice('\n')
		if err != nil {
			return 0, false, err
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 {
			break
		}
		name, value, _ := bytes.Cut(line, []byte(":"))
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			if length, err = strconv.Atoi(string(value)); err != nil {
				return 0, false, fmt.Errorf("bad Content-Length %q", value)
			}
		case bytes.EqualFold(name, []byte("Connection")) && bytes.EqualFold(value, []byte("close")):
			keep = false
		}
	}
	if length < 0 {
		return 0, false, errors.New("answer without a Content-Length")
	}
	if _, err := pc.r.Discard(length); err != nil {
		return 0, false, err
	}
	return status, keep, nil
}

// close closes the idle connections.
func (p *poster) close() {
	for {
		select {
		case pc := <-p.idle:
			pc.c.Close()
			<-p.slots
		default:
			return
		}
	}
}

package httpbench

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Getter is a lean HTTP/1.1 client of one server for the measured GETs
// and commands: each call takes a keep-alive connection of its own (at
// most as many as calls run at once), writes the request and reads the
// answer on the calling goroutine, and discards a 2xx answer's body unread
// by anything but the socket. Go's http.Transport hands every request to a writing
// and a reading goroutine of the connection and back; on cores shared
// with the server, that cost the load generator more CPU per request than
// the server spent answering it (25 against 20 µs for a cached status),
// CPU taken from the server it measures and latency added to its answers.
type Getter struct {
	addr string
	host string

	mu   sync.Mutex
	free []*getConn
}

// getConn is one keep-alive connection.
type getConn struct {
	c net.Conn
	r *bufio.Reader
	w *bufio.Writer
	// num formats the Content-Length.
	num [20]byte
}

// NewGetter returns a Getter of base (http://host:port).
func NewGetter(base string) (*Getter, error) {
	host, ok := strings.CutPrefix(base, "http://")
	if !ok || host == "" || strings.Contains(host, "/") {
		return nil, fmt.Errorf("httpbench: %q is not http://host:port", base)
	}
	return &Getter{addr: host, host: host}, nil
}

// getTimeout bounds one call (as Client's Timeout does).
const getTimeout = time.Minute

// Get GETs path (with its query) with the bearer token (none when empty),
// accepting gzip. It returns the status and, for any status but 2xx, the
// body; a 2xx answer's body is read to its end and dropped.
func (g *Getter) Get(ctx context.Context, path, token string) (int, []byte, error) {
	st, body, _, err := g.do(ctx, request{method: "GET", path: path, token: token})
	return st, body, err
}

// Post POSTs the JSON body to path with the bearer token and the headers
// hdr (name and value in turn), as the measured commands are sent. It
// returns the status, the body of an answer other than 2xx (a 2xx body is
// dropped) and the value of the answer's header named want ("" when not
// asked for or absent).
func (g *Getter) Post(ctx context.Context, path, token string, body []byte, hdr []string, want string) (int, []byte, string, error) {
	return g.do(ctx, request{method: "POST", path: path, token: token, body: body, hdr: hdr, want: want})
}

// request is one call of a Getter.
type request struct {
	method, path, token string
	body                []byte
	hdr                 []string
	want                string
}

// do sends r on an idle connection (or a new one) and reads its answer.
func (g *Getter) do(ctx context.Context, r request) (int, []byte, string, error) {
	gc, err := g.conn(ctx)
	if err != nil {
		return 0, nil, "", err
	}
	st, body, wanted, keep, err := gc.do(g.host, r)
	if err != nil || !keep {
		gc.c.Close()
		return st, body, wanted, err
	}
	g.mu.Lock()
	g.free = append(g.free, gc)
	g.mu.Unlock()
	return st, body, wanted, nil
}

// Close closes the idle connections.
func (g *Getter) Close() {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, gc := range g.free {
		gc.c.Close()
	}
	g.free = nil
}

// conn returns an idle connection or a new one.
func (g *Getter) conn(ctx context.Context) (*getConn, error) {
	g.mu.Lock()
	if n := len(g.free); n > 0 {
		gc := g.free[n-1]
		g.free = g.free[:n-1]
		g.mu.Unlock()
		return gc, nil
	}
	g.mu.Unlock()
	c, err := (&net.Dialer{Timeout: 5 * time.Second}).DialContext(ctx, "tcp", g.addr)
	if err != nil {
		return nil, err
	}
	return &getConn{c: c, r: bufio.NewReaderSize(c, 16<<10), w: bufio.NewWriterSize(c, 4<<10)}, nil
}

// do sends one request and reads its answer; keep tells whether the
// connection may serve another.
func (gc *getConn) do(host string, r request) (status int, body []byte, wanted string, keep bool, err error) {
	if err := gc.c.SetDeadline(time.Now().Add(getTimeout)); err != nil {
		return 0, nil, "", false, err
	}
	w := gc.w
	w.WriteString(r.method)
	w.WriteString(" ")
	w.WriteString(r.path)
	w.WriteString(" HTTP/1.1\r\nHost: ")
	w.WriteString(host)
	w.WriteString("\r\nUser-Agent: grants-bench\r\n")
	if r.body == nil {
		w.WriteString("Accept-Encoding: gzip\r\n")
	} else {
		w.WriteString("Content-Type: application/json\r\nContent-Length: ")
		w.Write(strconv.AppendInt(gc.num[:0], int64(len(r.body)), 10))
		w.WriteString("\r\n")
	}
	if r.token != "" {
		w.WriteString("Authorization: Bearer ")
		w.WriteString(r.token)
		w.WriteString("\r\n")
	}
	for i := 0; i+1 < len(r.hdr); i += 2 {
		w.WriteString(r.hdr[i])
		w.WriteString(": ")
		w.WriteString(r.hdr[i+1])
		w.WriteString("\r\n")
	}
	w.WriteString("\r\n")
	w.Write(r.body)
	if err := w.Flush(); err != nil {
		return 0, nil, "", false, err
	}
	line, err := gc.line()
	if err != nil {
		return 0, nil, "", false, err
	}
	// HTTP/1.1 200 OK
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) || line[8] != ' ' {
		return 0, nil, "", false, fmt.Errorf("httpbench: bad status line %q", line)
	}
	if status, err = strconv.Atoi(string(line[9:12])); err != nil {
		return 0, nil, "", false, fmt.Errorf("httpbench: bad status line %q", line)
	}
	length, chunked, keep := int64(-1), false, true
	for {
		line, err := gc.line()
		if err != nil {
			return 0, nil, "", false, err
		}
		if len(line) == 0 {
			break
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			return 0, nil, "", false, fmt.Errorf("httpbench: bad header line %q", line)
		}
		value = bytes.TrimSpace(value)
		switch {
		case asciiEqual(name, "Content-Length"):
			if length, err = strconv.ParseInt(string(value), 10, 64); err != nil || length < 0 {
				return 0, nil, "", false, fmt.Errorf("httpbench: bad Content-Length %q", value)
			}
		case asciiEqual(name, "Transfer-Encoding"):
			chunked = asciiEqual(value, "chunked")
			if !chunked {
				return 0, nil, "", false, fmt.Errorf("httpbench: Transfer-Encoding %q not supported", value)
			}
		case asciiEqual(name, "Connection"):
			keep = !asciiEqual(value, "close")
		case r.want != "" && asciiEqual(name, r.want):
			wanted = string(value)
		}
	}
	ok := status/100 == 2
	var dst io.Writer = io.Discard
	var b bytes.Buffer
	if !ok {
		dst = &b
	}
	switch {
	case chunked:
		err = gc.chunks(dst)
	case length >= 0:
		if ok {
			_, err = gc.r.Discard(int(length))
		} else {
			_, err = io.CopyN(dst, gc.r, length)
		}
	case status == 204 || status == 304 || status/100 == 1:
	default: // the body ends with the connection
		_, err = io.Copy(dst, gc.r)
		keep = false
	}
	if err != nil {
		return 0, nil, "", false, err
	}
	if !ok {
		body = b.Bytes()
	}
	return status, body, wanted, keep, nil
}

// line reads one line of the head without its CRLF.
func (gc *getConn) line() ([]byte, error) {
	l, err := gc.r.ReadSlice('\n')
	if err != nil {
		if errors.Is(err, bufio.ErrBufferFull) {
			return nil, errors.New("httpbench: header line too long")
		}
		return nil, err
	}
	return bytes.TrimRight(l, "\r\n"), nil
}

// chunks copies a chunked body to dst, trailers dropped.
func (gc *getConn) chunks(dst io.Writer) error {
	for {
		line, err := gc.line()
		if err != nil {
			return err
		}
		size, _, _ := bytes.Cut(line, []byte(";"))
		n, err := strconv.ParseInt(string(bytes.TrimSpace(size)), 16, 64)
		if err != nil || n < 0 {
			return fmt.Errorf("httpbench: bad chunk size %q", line)
		}
		if n == 0 {
			for { // trailers, up to the empty line
				l, err := gc.line()
				if err != nil {
					return err
				}
				if len(l) == 0 {
					return nil
				}
			}
		}
		if _, err := io.CopyN(dst, gc.r, n); err != nil {
			return err
		}
		if l, err := gc.line(); err != nil || len(l) != 0 {
			return fmt.Errorf("httpbench: chunk not followed by CRLF: %v", err)
		}
	}
}

// asciiEqual compares b with s, ignoring ASCII case.
func asciiEqual(b []byte, s string) bool {
	return len(b) == len(s) && bytes.EqualFold(b, []byte(s))
}

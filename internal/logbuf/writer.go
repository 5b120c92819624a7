package logbuf

import (
	"io"
	"sync"
	"time"
)

// DefaultDelay is how long a buffered line waits at most before it is
// written.
const DefaultDelay = 100 * time.Millisecond

// bufferLimit is the buffered size past which the lines are written at
// once.
const bufferLimit = 64 << 10

// Writer buffers what is written to it and writes it to the underlying
// writer within a delay. It is safe for concurrent use; each Write is
// kept whole (a slog handler writes one line per call), so the lines of
// concurrent writers never interleave.
type Writer struct {
	out   io.Writer
	delay time.Duration

	mu     sync.Mutex
	buf    []byte
	armed  bool // a timer will flush the buffer
	closed bool
	err    error // the first error of the underlying writer
}

// NewWriter returns a Writer to out whose lines wait at most delay
// (DefaultDelay when not positive).
func NewWriter(out io.Writer, delay time.Duration) *Writer {
	if delay <= 0 {
		delay = DefaultDelay
	}
	return &Writer{out: out, delay: delay, buf: make([]byte, 0, 4096)}
}

// Write buffers p. After Close it writes p through at once.
func (w *Writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return w.out.Write(p)
	}
	w.buf = append(w.buf, p...)
	switch {
	case len(w.buf) >= bufferLimit:
		w.flushLocked()
	case !w.armed:
		w.armed = true
		time.AfterFunc(w.delay, w.timed)
	}
	return len(p), nil
}

// timed is the timer's flush.
func (w *Writer) timed() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.armed = false
	w.flushLocked()
}

// Flush writes what is buffered now and returns the first error the
// underlying writer reported, if any.
func (w *Writer) Flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.flushLocked()
	return w.err
}

// Close writes what is buffered; later writes go through unbuffered.
func (w *Writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.flushLocked()
	w.closed = true
	return w.err
}

// flushLocked writes the buffer out; w.mu is held.
func (w *Writer) flushLocked() {
	if len(w.buf) == 0 {
		return
	}
	if _, err := w.out.Write(w.buf); err != nil && w.err == nil {
		w.err = err
	}
	if cap(w.buf) > 4*bufferLimit {
		w.buf = make([]byte, 0, 4096)
		return
	}
	w.buf = w.buf[:0]
}

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
// once (by a goroutine of their own, while later lines go on being
// buffered).
const bufferLimit = 64 << 10

// maxPending is the buffered size past which Write waits for the write
// under way to end: what a stalled output may hold in memory.
const maxPending = 4 * bufferLimit

// Writer buffers what is written to it and writes it to the underlying
// writer within a delay. It is safe for concurrent use; each Write is
// kept whole (a slog handler writes one line per call), so the lines of
// concurrent writers never interleave.
//
// A full buffer is written out by a goroutine of its own, outside the
// lock: the writers (the requests that log their line) go on appending to
// a second buffer instead of waiting for the underlying write (a pipe the
// reader drains when it gets the CPU), unless maxPending is reached.
type Writer struct {
	out   io.Writer
	delay time.Duration

	mu sync.Mutex
	// idle is signalled (on mu) when a write under way ends.
	idle sync.Cond
	buf  []byte
	// spare is the buffer the last write emptied, for reuse.
	spare   []byte
	armed   bool // a timer will flush the buffer
	writing bool // a write to out is under way, outside mu
	closed  bool
	err     error // the first error of the underlying writer
}

// NewWriter returns a Writer to out whose lines wait at most delay
// (DefaultDelay when not positive).
func NewWriter(out io.Writer, delay time.Duration) *Writer {
	if delay <= 0 {
		delay = DefaultDelay
	}
	w := &Writer{out: out, delay: delay, buf: make([]byte, 0, 4096)}
	w.idle.L = &w.mu
	return w
}

// Write buffers p. After Close it writes p through at once.
func (w *Writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return w.out.Write(p)
	}
	for w.writing && len(w.buf) >= maxPending {
		w.idle.Wait()
	}
	w.buf = append(w.buf, p...)
	switch {
	case len(w.buf) >= bufferLimit:
		if !w.writing {
			w.writing = true
			go w.drain()
		}
	case !w.armed:
		w.armed = true
		time.AfterFunc(w.delay, w.timed)
	}
	return len(p), nil
}

// drain writes the buffer out until it is empty, outside mu: lines
// written meanwhile go to the other buffer, and out after it. The caller
// has set w.writing.
func (w *Writer) drain() {
	w.mu.Lock()
	defer w.mu.Unlock()
	for len(w.buf) > 0 {
		b := w.buf
		w.buf, w.spare = w.spare[:0], nil
		w.mu.Unlock()
		_, err := w.out.Write(b)
		w.mu.Lock()
		if err != nil && w.err == nil {
			w.err = err
		}
		if cap(b) <= 2*maxPending {
			w.spare = b[:0]
		}
	}
	w.writing = false
	w.idle.Broadcast()
}

// timed is the timer's flush.
func (w *Writer) timed() {
	w.mu.Lock()
	w.armed = false
	if w.writing || len(w.buf) == 0 {
		w.mu.Unlock()
		return // the write under way takes these lines too
	}
	w.writing = true
	w.mu.Unlock()
	w.drain()
}

// Flush writes what is buffered now (after the write under way, if any)
// and returns the first error the underlying writer reported, if any.
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

// flushLocked waits for the write under way, then writes the buffer out;
// w.mu is held.
func (w *Writer) flushLocked() {
	for w.writing {
		w.idle.Wait()
	}
	if len(w.buf) == 0 {
		return
	}
	if _, err := w.out.Write(w.buf); err != nil && w.err == nil {
		w.err = err
	}
	if cap(w.buf) > 2*maxPending {
		w.buf = make([]byte, 0, 4096)
		return
	}
	w.buf = w.buf[:0]
}

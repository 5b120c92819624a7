package logbuf_test

import (
	"bytes"
	"context"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/erasmus-ledger/grants/internal/logbuf"
)

// sink is a concurrency-safe buffer that counts the writes it gets.
type sink struct {
	mu     sync.Mutex
	b      bytes.Buffer
	writes int
}

func (s *sink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.writes++
	return s.b.Write(p)
}

func (s *sink) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func (s *sink) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.writes
}

func newLogger(out *sink, delay time.Duration) (*slog.Logger, *logbuf.Writer) {
	w := logbuf.NewWriter(out, delay)
	return slog.New(logbuf.NewHandler(slog.NewJSONHandler(w, nil), w)), w
}

// Lines logged with Later wait in the buffer and go out together; Close
// writes them all, in order (no line lost at a clean stop).
func TestLaterLinesWaitAndCloseWritesThemAll(t *testing.T) {
	out := &sink{}
	log, w := newLogger(out, time.Hour)
	ctx := logbuf.Later(context.Background())
	for i := range 100 {
		log.InfoContext(ctx, "request", "i", i)
	}
	if got := out.String(); got != "" {
		t.Fatalf("routine lines were written before the delay: %q", got)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 100 || out.count() != 1 {
		t.Fatalf("Close wrote %d lines in %d writes, want 100 in 1", len(lines), out.count())
	}
	for i, l := range lines {
		if !strings.Contains(l, `"i":`+strconv.Itoa(i)+`}`) {
			t.Fatalf("line %d is %q", i, l)
		}
	}
	log.Info("after close")
	if !strings.Contains(out.String(), "after close") {
		t.Fatal("a line logged after Close was not written")
	}
}

// A line logged without Later (a warning, the ready line) goes out at once
// with the routine lines before it, in order.
func TestOtherLinesGoOutAtOnceWithTheBufferedOnes(t *testing.T) {
	out := &sink{}
	log, w := newLogger(out, time.Hour)
	defer w.Close()
	log.InfoContext(logbuf.Later(context.Background()), "request")
	log.Warn("something")
	got := out.String()
	if i, j := strings.Index(got, `"msg":"request"`), strings.Index(got, `"msg":"something"`); i < 0 || j < i {
		t.Fatalf("want the request line then the warning, got %q", got)
	}
}

// The routine lines are written within the delay without anything else
// logged.
func TestLaterLinesAreWrittenWithinTheDelay(t *testing.T) {
	out := &sink{}
	log, w := newLogger(out, time.Millisecond)
	defer w.Close()
	log.InfoContext(logbuf.Later(context.Background()), "request")
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(out.String(), `"msg":"request"`) {
		if time.Now().After(deadline) {
			t.Fatal("the routine line was not written within 10 s")
		}
		time.Sleep(time.Millisecond)
	}
}

// gate is an output whose writes wait until it is opened.
type gate struct {
	sink
	open    chan struct{}
	entered chan struct{}
	once    sync.Once
}

func (g *gate) Write(p []byte) (int, error) {
	g.once.Do(func() { close(g.entered) })
	<-g.open
	return g.sink.Write(p)
}

func TestAFullBufferIsWrittenWhileLaterLinesGoOnBeingBuffered(t *testing.T) {
	out := &gate{open: make(chan struct{}), entered: make(chan struct{})}
	w := logbuf.NewWriter(out, time.Hour)
	log := slog.New(logbuf.NewHandler(slog.NewJSONHandler(w, nil), w))
	ctx := logbuf.Later(context.Background())
	line := strings.Repeat("x", 200)
	// Lines past the buffer's limit start its write, which stalls; the
	// lines logged after it (100 more) must still be taken at once.
	logged := make(chan int, 1)
	go func() {
		n := 0
		for ; n < 300; n++ { // about 80 KB: past the limit, under maxPending
			log.InfoContext(ctx, "request", "i", n, "pad", line)
		}
		<-out.entered
		for ; n < 400; n++ {
			log.InfoContext(ctx, "request", "i", n, "pad", line)
		}
		logged <- n
	}()
	var n int
	select {
	case n = <-logged:
	case <-time.After(10 * time.Second):
		close(out.open)
		t.Fatal("the lines logged while the buffer's write was stalled waited for it")
	}
	close(out.open)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != n {
		t.Fatalf("%d lines written, want %d", len(lines), n)
	}
	for i, l := range lines {
		if !strings.Contains(l, `"i":`+strconv.Itoa(i)+`,`) {
			t.Fatalf("line %d is %q", i, l)
		}
	}
}

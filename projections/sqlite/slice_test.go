package sqlite

import (
	"context"
	"os"
	"path/filepath"
	"runtime/pprof"
	"syscall"
	"testing"
	"time"

	"github.com/erasmus-ledger/grants/events"
)

// sliceSource serves events from memory, to measure the projector alone.
type sliceSource []events.Envelope

func (s sliceSource) Events(ctx context.Context, from, to uint64, fn func(events.Envelope) error) error {
	if to == 0 || to > uint64(len(s)) {
		to = uint64(len(s))
	}
	for seq := max(from, 1); seq <= to; seq++ {
		if err := fn(s[seq-1]); err != nil {
			return err
		}
	}
	return nil
}

func (s sliceSource) Subscribe(ctx context.Context, from uint64, fn func(events.Envelope) error) error {
	if err := s.Events(ctx, from, 0, fn); err != nil {
		return err
	}
	<-ctx.Done()
	return ctx.Err()
}

func (s sliceSource) LastSequence(context.Context) (uint64, error) { return uint64(len(s)), nil }

// TestProjectorOnlyRate measures Rebuild from memory (GRANTS_BENCH_STORE
// must hold a generated history); it is skipped otherwise.
func TestProjectorOnlyRate(t *testing.T) {
	dir := os.Getenv("GRANTS_BENCH_STORE")
	if dir == "" {
		t.Skip("set GRANTS_BENCH_STORE to a generated history")
	}
	s := benchStore(t, dir)
	var src sliceSource
	if err := s.Events(context.Background(), 1, 0, func(e events.Envelope) error { src = append(src, e); return nil }); err != nil {
		t.Fatal(err)
	}
	if p := os.Getenv("GRANTS_CPU_PROFILE"); p != "" {
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	cpu0 := cpuTime()
	start := time.Now()
	if _, err := Rebuild(context.Background(), src, filepath.Join(t.TempDir(), "r.db"), Until{}, nil); err != nil {
		t.Fatal(err)
	}
	d := time.Since(start)
	cpu := cpuTime() - cpu0
	t.Logf("projector alone: %d events in %s: %.0f events/s; CPU %s = %.1f µs/event", len(src), d.Round(time.Millisecond),
		float64(len(src))/d.Seconds(), cpu.Round(time.Millisecond), float64(cpu.Microseconds())/float64(len(src)))
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

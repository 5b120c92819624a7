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
	"github.com/erasmus-ledger/grants/events/jetstream"
	"github.com/erasmus-ledger/grants/projections"
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

// TestProjectorOnlyRate measures Rebuild of the history in
// GRANTS_BENCH_STORE (skipped without it), from the store or, with
// GRANTS_BENCH_FROM_MEMORY, from memory (the projector alone), with a CPU
// profile into GRANTS_CPU_PROFILE if set.
func TestProjectorOnlyRate(t *testing.T) {
	dir := os.Getenv("GRANTS_BENCH_STORE")
	if dir == "" {
		t.Skip("set GRANTS_BENCH_STORE to a generated history")
	}
	s := benchStore(t, dir)
	var src projections.Source = s
	n, err := s.LastSequence(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if os.Getenv("GRANTS_BENCH_FROM_MEMORY") != "" {
		var mem sliceSource
		if err := s.Events(context.Background(), 1, 0, func(e events.Envelope) error { mem = append(mem, e); return nil }); err != nil {
			t.Fatal(err)
		}
		src = mem
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
	t.Logf("rebuild: %d events in %s: %.0f events/s; CPU %s = %.1f µs/event", n, d.Round(time.Millisecond),
		float64(n)/d.Seconds(), cpu.Round(time.Millisecond), float64(cpu.Microseconds())/float64(n))
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchStore opens a JetStream store whose replays read over a TCP
// loopback connection (faster than the in-process pipe).
func benchStore(t testing.TB, dir string) *jetstream.Store {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	e, err := jetstream.OpenEmbedded(context.Background(), jetstream.EmbeddedConfig{StoreDir: dir, Port: -1}, testRegistry, jetstream.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	return e.Store
}

package httpbench

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestLoadRunsNeverRepeatsAnOperation(t *testing.T) {
	var mu sync.Mutex
	seen := map[[2]int]bool{}
	repeats := 0
	r := LoadRuns(context.Background(), "op", 4, 3, 20*time.Millisecond, func(_ context.Context, w, i int) (time.Duration, error) {
		mu.Lock()
		defer mu.Unlock()
		if seen[[2]int{w, i}] {
			repeats++
		}
		seen[[2]int{w, i}] = true
		return time.Microsecond, nil
	})
	if len(r.Runs) != 3 {
		t.Fatalf("%d runs recorded, want 3", len(r.Runs))
	}
	if repeats > 0 {
		t.Fatalf("%d operations repeated an earlier run's (w, i)", repeats)
	}
	total := 0
	for _, run := range r.Runs {
		total += run.Requests
	}
	if total != len(seen) {
		t.Fatalf("runs counted %d operations, %d were performed", total, len(seen))
	}
	rates, _ := r.spread()
	if r.Rate != rates[1] {
		t.Fatalf("judged rate %.0f is not the median of %v", r.Rate, rates)
	}
}

// TestLoadRunsTheGeneratorOnTheProcessorsItIsGiven: with
// SetGeneratorProcs(1) the operations run under GOMAXPROCS 1, and the
// process's own value is back after the run (the raw baselines, which run
// in this process between the loads, are not bound).
func TestLoadRunsTheGeneratorOnTheProcessorsItIsGiven(t *testing.T) {
	before := runtime.GOMAXPROCS(0)
	SetGeneratorProcs(1)
	t.Cleanup(func() { SetGeneratorProcs(0) })
	var seen atomic.Int32
	Load(context.Background(), "procs", 4, 20*time.Millisecond, func(context.Context, int, int) (time.Duration, error) {
		seen.Store(int32(runtime.GOMAXPROCS(0)))
		return time.Microsecond, nil
	})
	if got := seen.Load(); got != 1 {
		t.Fatalf("GOMAXPROCS during the load: %d, want 1", got)
	}
	if got := runtime.GOMAXPROCS(0); got != before {
		t.Fatalf("GOMAXPROCS after the load: %d, want %d", got, before)
	}
}

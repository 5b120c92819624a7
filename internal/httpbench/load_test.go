package httpbench

import (
	"context"
	"sync"
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

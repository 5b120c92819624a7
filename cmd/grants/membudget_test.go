package main

import (
	"errors"
	"runtime/debug"
	"testing"
)

// TestMemoryBudgetLimit: Go's soft limit is the budget less the most the
// rest of the process held over the last measurements, never under the
// floor (--memory-limit-mb) nor over the budget.
func TestMemoryBudgetLimit(t *testing.T) {
	const mib = 1 << 20
	for _, tc := range []struct {
		name   string
		others []int64 // measurements of the memory outside Go, in MiB
		want   int64   // the limit after the last one, in MiB
	}{
		{"the heap has what the rest does not hold", []int64{40}, 335},
		{"the largest of the last measurements counts", []int64{40, 70, 45}, 305},
		{"a measurement older than the window no longer counts", []int64{70, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40}, 335},
		{"never under the floor", []int64{120}, 300},
		{"never over the budget", []int64{0}, 375},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newMemoryBudget(375, 300)
			var got int64
			for _, o := range tc.others {
				got = b.limit(o * mib)
			}
			if got != tc.want*mib {
				t.Fatalf("limit %d MiB, want %d MiB", got/mib, tc.want)
			}
		})
	}
}

// TestMemoryBudgetLeavesAForeignLimit: a limit the budget could not have
// set (a rebuild of the read models raises it while it runs) is left as it
// is; one within the budget's range follows the measurement.
func TestMemoryBudgetLeavesAForeignLimit(t *testing.T) {
	const mib = 1 << 20
	prev := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(prev) })
	b := newMemoryBudget(375, 300)
	b.rss = func() (int64, error) { return 340 * mib, nil }
	b.goMapped = func() int64 { return 300 * mib } // 40 MiB outside Go

	debug.SetMemoryLimit(4 << 30)
	if got, err := b.step(); err != nil || got != 4<<30 || debug.SetMemoryLimit(-1) != 4<<30 {
		t.Fatalf("a rebuild's limit: step %d MiB (%v), limit %d MiB, want it kept", got/mib, err, debug.SetMemoryLimit(-1)/mib)
	}
	debug.SetMemoryLimit(300 * mib)
	if got, err := b.step(); err != nil || got != 335*mib || debug.SetMemoryLimit(-1) != 335*mib {
		t.Fatalf("the budget's limit: step %d MiB (%v), limit %d MiB, want 335", got/mib, err, debug.SetMemoryLimit(-1)/mib)
	}
	// Go's mapped memory overstates its resident part: the process holds
	// 449 MiB with a 375 MiB limit, so the rest holds at least 74 MiB.
	b.rss = func() (int64, error) { return 449 * mib, nil }
	b.goMapped = func() int64 { return 449 * mib }
	debug.SetMemoryLimit(375 * mib)
	if got, err := b.step(); err != nil || got != 301*mib {
		t.Fatalf("over the budget: step %d MiB (%v), want 301 (the budget less what the process holds beyond the limit)", got/mib, err)
	}
	b.rss = func() (int64, error) { return 0, errors.New("no /proc") }
	if _, err := b.step(); err == nil {
		t.Fatal("a failed reading of the resident memory: no error")
	}
}

// TestResidentBytes: the process's resident memory is read (Linux).
func TestResidentBytes(t *testing.T) {
	n, err := residentBytes()
	if err != nil {
		t.Skipf("no /proc/self/statm: %v", err)
	}
	if n <= 0 || goMappedBytes() <= 0 {
		t.Fatalf("resident %d bytes, Go mapped %d", n, goMappedBytes())
	}
}

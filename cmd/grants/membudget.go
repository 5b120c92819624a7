package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// defaultMemoryBudgetMiB is grants serve's default --memory-budget-mb:
// the resident memory the process aims at, under issue 16's 400 MB with
// room for the soft limit's overshoot.
const defaultMemoryBudgetMiB = 375

// budgetInterval is how often the memory budget is followed.
const budgetInterval = time.Second

// budgetStep is the least change of Go's soft limit worth making: smaller
// ones are noise between two reads of the resident memory.
const budgetStep = 4 << 20

// budgetWindow is how many of the last measurements of the memory outside
// Go's heap are taken into account (their largest): a page cache that
// shrank for a moment does not lend its room to the heap.
const budgetWindow = 10

// memoryBudget keeps Go's soft memory limit at the resident memory budget
// less what the rest of the process holds: SQLite's page caches (C memory),
// the binary's pages and any other memory Go does not account for. A fixed
// limit has to leave room for the most these can hold (SQLite's caches
// full, about 77 MB beside a 300 MiB limit at the end of a million
// commands); measured, that room goes to the heap while they hold less, so
// the collector runs less often under the same resident memory. The limit
// never goes below floor (--memory-limit-mb) nor above budget.
type memoryBudget struct {
	budget, floor int64
	// rss reads the process's resident memory; goMapped what Go's soft
	// limit accounts for (memory the runtime mapped, less what it
	// released). Both can be replaced in tests.
	rss      func() (int64, error)
	goMapped func() int64
	// others holds the last budgetWindow measurements of the memory
	// outside Go's accounting, a ring.
	others []int64
	next   int
}

// newMemoryBudget follows a budget of budgetMiB with Go's soft limit
// never under floorMiB.
func newMemoryBudget(budgetMiB, floorMiB int) *memoryBudget {
	return &memoryBudget{budget: int64(budgetMiB) << 20, floor: int64(floorMiB) << 20, rss: residentBytes, goMapped: goMappedBytes}
}

// limit returns the soft limit for the memory outside Go measured now
// (the largest of the last budgetWindow measurements counts).
func (b *memoryBudget) limit(other int64) int64 {
	if len(b.others) < budgetWindow {
		b.others = append(b.others, other)
	} else {
		b.others[b.next] = other
		b.next = (b.next + 1) % budgetWindow
	}
	most := int64(0)
	for _, o := range b.others {
		most = max(most, o)
	}
	return min(max(b.budget-most, b.floor), b.budget)
}

// ours tells whether limit is one the budget could have set: a limit
// outside [floor, budget] was set by someone else (a rebuild of the read
// models raises it while it runs) and is left alone until it comes back.
func (b *memoryBudget) ours(limit int64) bool {
	return limit >= b.floor && limit <= b.budget
}

// step measures once and moves Go's soft limit if it should. It returns
// the limit in force.
func (b *memoryBudget) step() (int64, error) {
	cur := debug.SetMemoryLimit(-1)
	if !b.ours(cur) {
		return cur, nil
	}
	rss, err := b.rss()
	if err != nil {
		return cur, err
	}
	// What Go mapped overstates what it holds resident (pages mapped but
	// never touched, or freed and not yet returned), so the memory outside
	// it is also taken as at least what the process holds beyond Go's
	// limit in force: a heap that fills its limit then shows what the
	// rest really holds. (Measured without this, 1 000 000 commands ended
	// at 449 MiB resident with a budget of 375.)
	want := b.limit(max(rss-b.goMapped(), rss-cur, 0))
	if d := want - cur; d > -budgetStep && d < budgetStep {
		return cur, nil
	}
	if prev := debug.SetMemoryLimit(want); !b.ours(prev) {
		// Changed meanwhile by someone else: theirs stays.
		debug.SetMemoryLimit(prev)
		return prev, nil
	}
	return want, nil
}

// run follows the budget every budgetInterval until ctx ends. Without a
// reading of the resident memory (not Linux) it logs once and leaves the
// fixed limit.
func (b *memoryBudget) run(ctx context.Context, log *slog.Logger) {
	t := time.NewTicker(budgetInterval)
	defer t.Stop()
	for {
		if _, err := b.step(); err != nil {
			log.Warn("memory budget not followed: Go's memory limit stays fixed", "err", err, "limit_mib", debug.SetMemoryLimit(-1)>>20)
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// goMappedBytes is what Go's soft memory limit accounts for: the memory
// the runtime mapped less what it returned to the operating system.
func goMappedBytes() int64 {
	s := []metrics.Sample{{Name: "/memory/classes/total:bytes"}, {Name: "/memory/classes/heap/released:bytes"}}
	metrics.Read(s)
	return int64(s[0].Value.Uint64()) - int64(s[1].Value.Uint64())
}

// residentBytes reads the process's resident memory from /proc/self/statm.
func residentBytes() (int64, error) {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0, err
	}
	f := bytes.Fields(b)
	if len(f) < 2 {
		return 0, fmt.Errorf("/proc/self/statm: %q", b)
	}
	var pages int64
	if _, err := fmt.Sscan(string(f[1]), &pages); err != nil {
		return 0, fmt.Errorf("/proc/self/statm: %w", err)
	}
	return pages * int64(os.Getpagesize()), nil
}

package schedule_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/aggregates/command"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/schedule"
)

// fakeLease is held when held is set.
type fakeLease struct {
	held     atomic.Bool
	holds    atomic.Int64
	released atomic.Bool
}

func (l *fakeLease) Hold(context.Context) (bool, error) { l.holds.Add(1); return l.held.Load(), nil }
func (l *fakeLease) Release(context.Context) error      { l.released.Store(true); return nil }

// recorder counts the commands it is given and records nothing.
type recorder struct {
	mu  sync.Mutex
	ids []string
}

func (r *recorder) Handle(_ context.Context, req command.Request) (command.Result, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := req.Command.(aggregates.RaiseDeadlineFlags)
	if req.Actor != schedule.Actor {
		panic("the scheduler acts as someone else")
	}
	r.ids = append(r.ids, c.ProjectID)
	return command.Result{}, nil
}

func (r *recorder) count() int { r.mu.Lock(); defer r.mu.Unlock(); return len(r.ids) }

func poll(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestOnlyTheLeaseHolderScans: without the lease the scheduler keeps
// trying for it and issues nothing; with it, it asks about every candidate;
// stopped, it releases the lease.
func TestOnlyTheLeaseHolderScans(t *testing.T) {
	lease, rec := &fakeLease{}, &recorder{}
	cands := func(context.Context, aggregates.Date) ([]string, error) { return []string{"P1", "P2"}, nil }
	s := schedule.New(lease, cands, rec, schedule.Config{Clock: events.ClockFunc(time.Now), Interval: time.Millisecond, Renew: time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); s.Run(ctx) }()
	poll(t, "three tries for the lease", func() bool { return lease.holds.Load() >= 3 })
	if n := rec.count(); n != 0 {
		t.Fatalf("%d commands issued without the lease", n)
	}
	lease.held.Store(true)
	poll(t, "a scan of both candidates", func() bool { return rec.count() >= 2 })
	cancel()
	<-done
	if !lease.released.Load() {
		t.Fatal("the lease was not released on stop")
	}
}

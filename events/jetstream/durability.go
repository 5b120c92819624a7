package jetstream

import (
	"context"
	"fmt"
	"sync"

	"github.com/erasmus-ledger/grants/events/apperr"
)

// Durability says when the embedded server's appends count as written.
type Durability int

const (
	// DurabilityFsync (the default): an append returns only after an fsync
	// of the stream's files that began after the server acknowledged it.
	// Concurrent appends share one fsync (group commit), so the cost is
	// one fsync per round of appends, not per append.
	DurabilityFsync Durability = iota
	// DurabilityOSFlush: an append returns when the server has handed it
	// to the operating system; the server fsyncs every two minutes. A
	// power cut or kernel crash loses the appends of up to the last two
	// minutes, although they were acknowledged. A crash of the process
	// alone loses nothing.
	DurabilityOSFlush
	// DurabilitySyncAlways: the server fsyncs every write before it
	// acknowledges it (sync_interval always): as durable as
	// DurabilityFsync, one fsync per message and markedly slower.
	DurabilitySyncAlways
)

// String is the flag value of d.
func (d Durability) String() string {
	switch d {
	case DurabilityFsync:
		return "fsync"
	case DurabilityOSFlush:
		return "os-flush"
	case DurabilitySyncAlways:
		return "sync-always"
	}
	return fmt.Sprintf("Durability(%d)", int(d))
}

// ParseDurability reads a flag value: fsync, os-flush or sync-always.
func ParseDurability(s string) (Durability, error) {
	for _, d := range []Durability{DurabilityFsync, DurabilityOSFlush, DurabilitySyncAlways} {
		if s == d.String() {
			return d, nil
		}
	}
	return 0, fmt.Errorf("durability %q: want fsync, os-flush or sync-always", s)
}

// Syncer makes durable every write the operating system took before Sync
// was called.
type Syncer interface {
	Sync() error
}

// groupCommitter makes callers wait for a Sync that began after they
// called Commit. Callers that arrive while a Sync runs share the next one:
// one Sync covers every write acknowledged before it began.
type groupCommitter struct {
	syncer Syncer

	mu      sync.Mutex
	running bool
	// next is the round that starts when the running one ends; nil when
	// nobody waits for it yet.
	next *commitRound
	// failed is the first Sync error: after it, nothing counts as durable
	// (the kernel may have dropped the pages it could not write, and a
	// later fsync would not say so), until the process restarts.
	failed error
}

// commitRound is one Sync and everyone waiting for it.
type commitRound struct {
	done chan struct{}
	err  error
	// waiters is how many commits wait for it.
	waiters int
}

func newGroupCommitter(s Syncer) *groupCommitter { return &groupCommitter{syncer: s} }

// Commit returns once a Sync that began after the call has succeeded.
func (g *groupCommitter) Commit(ctx context.Context) error {
	g.mu.Lock()
	if g.failed != nil {
		err := g.failed
		g.mu.Unlock()
		return err
	}
	if g.next == nil {
		g.next = &commitRound{done: make(chan struct{})}
	}
	r := g.next
	r.waiters++
	if !g.running {
		g.running = true
		g.next = nil
		go g.run(r)
	}
	g.mu.Unlock()
	select {
	case <-r.done:
		return r.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// run syncs for round r, then for the rounds that gathered meanwhile.
func (g *groupCommitter) run(r *commitRound) {
	for {
		if err := g.syncer.Sync(); err != nil {
			g.mu.Lock()
			if g.failed == nil {
				g.failed = fmt.Errorf("making writes durable failed: %w (restart once the disk is fixed)", err)
			}
			r.err = g.failed
			g.mu.Unlock()
		}
		close(r.done)
		g.mu.Lock()
		r = g.next
		g.next = nil
		if r == nil {
			g.running = false
			g.mu.Unlock()
			return
		}
		if g.failed != nil {
			r.err = g.failed
			g.running = false
			g.mu.Unlock()
			close(r.done)
			return
		}
		g.mu.Unlock()
	}
}

// durable waits, when the store has a committer, until the append whose
// answer the caller holds is on disk.
func (s *Store) durable(ctx context.Context, what string) error {
	if s.commit == nil {
		return nil
	}
	ctx, cancel := s.bound(ctx)
	defer cancel()
	if err := s.commit.Commit(ctx); err != nil {
		return apperr.Wrap(apperr.Unavailable, err, "the event store took the append to %s but could not confirm it is on disk", what)
	}
	return nil
}

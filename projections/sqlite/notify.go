package sqlite

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/erasmus-ledger/grants/events/apperr"
)

// notifier holds the committed checkpoint in memory and wakes the waiters
// of WaitFor on every commit: one channel closed and replaced per advance.
// A waiter that has to wait says so on wanted, before each wait, so that
// the projector commits what it holds at once instead of grouping it
// (ProjectorConfig.CommitInterval): a read that waits for its own write
// is never kept waiting for the group.
type notifier struct {
	seq     atomic.Uint64
	mu      sync.Mutex
	ch      chan struct{}
	retired chan struct{}
	once    sync.Once
	wanted  chan struct{}
}

func newNotifier(seq uint64) *notifier {
	n := &notifier{ch: make(chan struct{}), retired: make(chan struct{}), wanted: make(chan struct{}, 1)}
	n.seq.Store(seq)
	return n
}

// advance publishes a committed checkpoint.
func (n *notifier) advance(seq uint64) {
	n.mu.Lock()
	n.seq.Store(seq)
	close(n.ch)
	n.ch = make(chan struct{})
	n.mu.Unlock()
}

// retire wakes every waiter for good: the database is closing or was
// swapped out.
func (n *notifier) retire() { n.once.Do(func() { close(n.retired) }) }

// errRetired tells a waiter that the database it waited on is gone.
var errRetired = apperr.New(apperr.Unavailable, "the read models were swapped or closed while waiting")

// wait blocks until the checkpoint reaches seq, ctx ends or the notifier is
// retired.
func (n *notifier) wait(ctx context.Context, seq uint64) error {
	for {
		if n.seq.Load() >= seq {
			return nil
		}
		n.mu.Lock()
		ch := n.ch
		n.mu.Unlock()
		if n.seq.Load() >= seq {
			return nil
		}
		select {
		case n.wanted <- struct{}{}:
		default: // already asked
		}
		select {
		case <-ch:
		case <-n.retired:
			if n.seq.Load() >= seq {
				return nil
			}
			return errRetired
		case <-ctx.Done():
			return apperr.Wrap(apperr.Unavailable, ctx.Err(),
				"the read models have not yet reached sequence %d (they are at %d); try again shortly", seq, n.seq.Load())
		}
	}
}

// Checkpoint is the stream sequence the committed read models include.
func (db *DB) Checkpoint() uint64 { return db.notes.seq.Load() }

// WaitFor waits, up to ctx's deadline, until the read models include stream
// sequence seq (read-your-writes). It returns at once when they already do
// and an Unavailable *apperr.Error when the wait times out.
func (db *DB) WaitFor(ctx context.Context, seq uint64) error { return db.notes.wait(ctx, seq) }

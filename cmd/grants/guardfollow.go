package main

import (
	"context"
	"errors"
	"sync"

	"github.com/erasmus-ledger/grants/events"
)

// liveFollow keeps a stream verifier up with the stream as the events are
// written (issue 16): one subscription checks each event moments after
// its append (hash, chain, and its signature unless this process made
// it), so that the guard's tail checkpoints cost the requests an even
// share of the CPU. Before, the guard read the last second's events every
// second, paced in slices of 20 ms: at 5 000 reports/s each second held
// about 100 ms in which one core checked events, and the requests in
// flight then waited twice as long (most of the reports slower than 20 ms
// fell in those windows).
type liveFollow struct {
	cancel context.CancelFunc
	done   chan struct{}
	// mu is held while an event is added to the verifier; readers of the
	// verifier (a tail checkpoint) take it too (with).
	mu sync.Mutex
	v  *events.StreamVerifier
	// err is why the subscription ended on its own (a lost connection),
	// set before done closes.
	err error
}

// errFollowStopped is the end of a follow that stop ended.
var errFollowStopped = errors.New("the follow was stopped")

// startLiveFollow subscribes to the stream after what v has read and
// follows it (events.StreamVerifier.Follow) until stop is called, ctx
// ends or the subscription fails (failed). v belongs to the follow from
// now until stop returns: read it only through with.
func startLiveFollow(ctx context.Context, store events.Store, v *events.StreamVerifier) *liveFollow {
	ctx, cancel := context.WithCancel(ctx)
	f := &liveFollow{cancel: cancel, done: make(chan struct{}), v: v}
	from := v.ReadTo() + 1
	go func() {
		defer close(f.done)
		err := store.Subscribe(ctx, from, func(e events.Envelope) error {
			f.mu.Lock()
			f.v.Follow(&e)
			f.mu.Unlock()
			return nil
		})
		if ctx.Err() != nil {
			err = errFollowStopped
		} else if err == nil {
			err = errors.New("the subscription ended")
		}
		f.err = err
	}()
	return f
}

// with calls fn with the verifier while no event is being added to it.
func (f *liveFollow) with(fn func(v *events.StreamVerifier)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f.v)
}

// failed returns why the subscription ended on its own, or nil while it
// follows.
func (f *liveFollow) failed() error {
	select {
	case <-f.done:
		return f.err
	default:
		return nil
	}
}

// stop ends the follow and waits until no event is added any more; the
// verifier is its caller's again.
func (f *liveFollow) stop() {
	f.cancel()
	<-f.done
}

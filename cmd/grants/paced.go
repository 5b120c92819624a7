package main

import (
	"context"
	"time"

	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/jetstream"
)

// guardDuty is the share of wall time grants serve's background ledger
// verification (at start and every --checkpoint-interval) may spend
// reading and checking events: it reads the whole stream, which on a
// large ledger takes many seconds of CPU, and without a pace it took both
// cores from the requests of the first minute after a restart (issue 16).
// Paced, it takes 1/guardDuty times longer and leaves the rest to them.
const guardDuty = 0.25

// pacedStore is the event store whose Events paces its reader to duty of
// the wall time (see pacer); everything else is the store's.
type pacedStore struct {
	*jetstream.Store
	duty float64
}

// Events implements events.Store, paced.
func (p pacedStore) Events(ctx context.Context, from, to uint64, fn func(events.Envelope) error) error {
	pace := newPacer(p.duty)
	return p.Store.Events(ctx, from, to, func(e events.Envelope) error {
		if err := pace.step(ctx); err != nil {
			return err
		}
		return fn(e)
	})
}

// pacer keeps a loop to a share of the wall time: after each slice of
// work it sleeps long enough that the work is duty of the time since it
// last slept.
type pacer struct {
	duty  float64
	slice time.Duration
	since time.Time
	n     int
	sleep func(ctx context.Context, d time.Duration) error
	now   func() time.Time
}

func newPacer(duty float64) *pacer {
	return &pacer{duty: duty, slice: 20 * time.Millisecond, sleep: sleepCtx, now: time.Now}
}

// step is called once per unit of work; every 64 units it checks the time
// worked since the last pause and pauses when a slice is used up.
func (p *pacer) step(ctx context.Context) error {
	if p.duty <= 0 || p.duty >= 1 {
		return nil
	}
	if p.since.IsZero() {
		p.since = p.now()
	}
	if p.n++; p.n%64 != 0 {
		return nil
	}
	worked := p.now().Sub(p.since)
	if worked < p.slice {
		return nil
	}
	if err := p.sleep(ctx, time.Duration(float64(worked)*(1-p.duty)/p.duty)); err != nil {
		return err
	}
	p.since = p.now()
	return nil
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

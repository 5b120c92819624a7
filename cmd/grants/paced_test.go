package main

import (
	"context"
	"testing"
	"time"
)

// TestPacerKeepsTheGuardToItsShare: the background verification's reader
// works at most its duty of the wall time, pausing for the rest.
func TestPacerKeepsTheGuardToItsShare(t *testing.T) {
	for _, duty := range []float64{0.25, 0.5} {
		p := newPacer(duty)
		clock := time.Unix(0, 0)
		var slept time.Duration
		p.now = func() time.Time { return clock }
		p.sleep = func(_ context.Context, d time.Duration) error {
			slept += d
			clock = clock.Add(d)
			return nil
		}
		const work = 100 * time.Microsecond
		for range 100_000 {
			if err := p.step(context.Background()); err != nil {
				t.Fatal(err)
			}
			clock = clock.Add(work)
		}
		worked := 100_000 * work
		got := float64(worked) / float64(worked+slept)
		if got > duty*1.05 || got < duty*0.9 {
			t.Errorf("duty %.2f: worked %.3f of the time (%s of work, %s asleep)", duty, got, worked, slept)
		}
	}
}

// TestPacerStopsWithItsContext: a paused verification ends with serve.
func TestPacerStopsWithItsContext(t *testing.T) {
	p := newPacer(0.01)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	clock := time.Unix(0, 0)
	p.now = func() time.Time { return clock }
	var err error
	for i := 0; i < 1000 && err == nil; i++ {
		clock = clock.Add(time.Millisecond)
		err = p.step(ctx)
	}
	if err == nil {
		t.Fatal("the pacer did not stop with its context")
	}
}

package events

import "time"

// Clock tells the time. The domain never reads the system clock: the time
// is injected so that tests and the recording of past events control it.
type Clock interface {
	Now() time.Time
}

// ClockFunc adapts a function to Clock; the program's entry point passes
// ClockFunc(time.Now).
type ClockFunc func() time.Time

// Now implements Clock.
func (f ClockFunc) Now() time.Time { return f() }

// FixedClock is a Clock that always says the same time, for tests.
type FixedClock time.Time

// Now implements Clock.
func (c FixedClock) Now() time.Time { return time.Time(c) }

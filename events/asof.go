package events

import (
	"strconv"
	"strings"
	"time"
)

// TimeAxis names one of the two clocks an event carries (rule ASOF-CLOCK).
// Every "as of" of the ledger (grants replay --until, the as-of routes, the
// statistics, the event export) takes either by name, with the same
// default, DefaultTimeAxis.
type TimeAxis string

const (
	// Recorded is the ledger's own clock: when the ledger recorded the
	// event (Envelope.RecordedAt, the CloudEvents "time"). An answer as of
	// a recorded time never changes afterwards, and stream sequences
	// follow it.
	Recorded TimeAxis = "recorded"
	// Effective is the business clock: when the event took effect
	// (Envelope.OccurredAt, "effectivetime"). The national office may
	// record the past (Grants-Effective-At), never the future, so an
	// event's effective time is never after its recorded time, and an
	// answer as of an effective time can change when the past is
	// recorded late.
	Effective TimeAxis = "effective"
)

// DefaultTimeAxis is the clock of every "as of" that names none: the
// recorded one (rule ASOF-CLOCK).
const DefaultTimeAxis = Recorded

// ParseTimeAxis reads a clock's name; "" is DefaultTimeAxis.
func ParseTimeAxis(s string) (TimeAxis, bool) {
	switch TimeAxis(strings.ToLower(strings.TrimSpace(s))) {
	case "":
		return DefaultTimeAxis, true
	case Recorded:
		return Recorded, true
	case Effective:
		return Effective, true
	}
	return "", false
}

// TimeOf returns env's time on the axis.
func (a TimeAxis) TimeOf(env *Envelope) time.Time {
	if a == Effective {
		return env.OccurredAt
	}
	return env.RecordedAt
}

// AsOf is a point in the history: a stream sequence, or a time on one of
// the two clocks. The zero AsOf is "now" (everything).
type AsOf struct {
	// Sequence, if not 0, is the last stream sequence included.
	Sequence uint64
	// At, if not zero, is the last instant included on Axis.
	At time.Time
	// Axis is the clock At is read on.
	Axis TimeAxis
}

// String describes a for messages and audit records.
func (a AsOf) String() string {
	switch {
	case a.Sequence != 0:
		return "sequence " + strconv.FormatUint(a.Sequence, 10)
	case !a.At.IsZero():
		return FormatTime(a.At) + " (" + string(a.axis()) + " time)"
	}
	return "now"
}

func (a AsOf) axis() TimeAxis {
	if a.Axis == "" {
		return DefaultTimeAxis
	}
	return a.Axis
}

// Cut decides, event by event in stream order, which events lie in the
// history as of a point. By sequence and on the recorded clock it is a
// prefix of the stream. On the effective clock it is, for each aggregate,
// the prefix of its events up to the first that took effect after At:
// an aggregate's events are folded in order, so an event is never applied
// without the ones before it (its chain stays whole), and a back-dated
// event recorded after an event of the future is left out with it.
type Cut struct {
	a   AsOf
	cut map[string]bool // aggregates cut on the effective clock
}

// NewCut starts a cut as of a.
func NewCut(a AsOf) *Cut { return &Cut{a: a} }

// Includes reports whether env belongs to the history as of the cut's
// point; call it for every event in stream order.
func (c *Cut) Includes(env *Envelope) bool {
	if c.a.Sequence != 0 && env.Sequence > c.a.Sequence {
		return false
	}
	if c.a.At.IsZero() {
		return true
	}
	if c.a.axis() == Recorded {
		return !env.RecordedAt.After(c.a.At)
	}
	key := env.Ref.Subject()
	if c.cut[key] {
		return false
	}
	if env.OccurredAt.After(c.a.At) {
		if c.cut == nil {
			c.cut = map[string]bool{}
		}
		c.cut[key] = true
		return false
	}
	return true
}

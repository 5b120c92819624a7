package projections

import (
	"context"

	"github.com/erasmus-ledger/grants/events"
)

// Source is the ordered event stream a projector consumes. events.Store
// satisfies it.
type Source interface {
	// Events calls fn for every event with from <= sequence <= to (to = 0:
	// up to the last event at the time of the call), in stream order.
	Events(ctx context.Context, from, to uint64, fn func(events.Envelope) error) error
	// Subscribe calls fn for every event from sequence from on, in order,
	// and keeps following new events until ctx ends or fn returns an error.
	Subscribe(ctx context.Context, from uint64, fn func(events.Envelope) error) error
	// LastSequence is the stream's last sequence (0 when empty).
	LastSequence(ctx context.Context) (uint64, error)
}

var _ Source = events.Store(nil)

// QuarantinedEvent is an event the projector refused to apply: one that
// failed its checks (see events.ChainState), listed for the national
// office with its sequence, subject and reason.
type QuarantinedEvent struct {
	Sequence   uint64     `json:"sequence"`
	Subject    string     `json:"subject"`
	Aggregate  events.Ref `json:"aggregate"`
	Type       string     `json:"type"`
	Version    uint64     `json:"version"`
	Kind       string     `json:"kind"`
	Reason     string     `json:"reason"`
	RecordedAt string     `json:"recorded_at"`
	// ResolvedBy is the sequence of the national office's resolution
	// event (0 while the damage is open).
	ResolvedBy uint64 `json:"resolved_by,omitempty"`
}

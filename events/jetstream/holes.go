package jetstream

import (
	"context"

	"github.com/erasmus-ledger/grants/events"
	"github.com/nats-io/nats.go/jetstream"
)

// Holes reads the sequences of the whole stream, headers only, and
// returns the runs the stream's state counts but that are not stored:
// records NATS dropped (a block file damaged on disk fails the record's
// checksum, and the server leaves the record out). It never waits for a
// record that is not there: see rangeEnd.
func (s *Store) Holes(ctx context.Context) ([]events.Hole, error) {
	last, err := s.LastSequence(ctx)
	if err != nil || last == 0 {
		return nil, err
	}
	gaps := events.NewGapFinder(1)
	err = s.consumeRaw(ctx, 1, true, s.rangeEnd(ctx, 1, last), func(_ jetstream.Msg, seq uint64) (bool, error) {
		if seq > last {
			return false, nil
		}
		gaps.See(seq)
		return seq < last, nil
	})
	if err != nil {
		return nil, err
	}
	gaps.End(last)
	return gaps.Holes(), nil
}

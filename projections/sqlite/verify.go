package sqlite

import (
	"context"
	"errors"
	"fmt"

	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/projections"
)

// ErrStreamMismatch is wrapped by the error of a projector whose read
// models were built from another event stream than the one it is given
// (for example after the stream's store was reset): they must be rebuilt,
// never mixed.
var ErrStreamMismatch = errors.New("the read models were built from another event stream")

// checkpointHash reads the hash recorded with the checkpoint ("" for files
// written before it was recorded).
func (db *DB) checkpointHash() (string, error) {
	var h string
	err := db.w.queryRow("SELECT hash FROM checkpoint WHERE id = 1", nil, &h)
	return h, err
}

// VerifyStream checks that src holds, at the checkpoint's sequence, the
// very event the read models were last built from. It returns an error
// wrapping ErrStreamMismatch when it does not.
func (db *DB) VerifyStream(ctx context.Context, src projections.Source) error {
	cp := db.Checkpoint()
	if cp == 0 {
		return nil
	}
	want, err := db.checkpointHash()
	if err != nil || want == "" {
		return err
	}
	var got *events.Envelope
	err = src.Events(ctx, cp, cp, func(e events.Envelope) error {
		if e.Sequence == cp {
			got = &e
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("reading the event at the checkpoint %d: %w", cp, err)
	}
	if got == nil {
		last, _ := src.LastSequence(ctx)
		if cp <= last {
			// The stream counts the event but does not hold it: a record
			// NATS dropped (a hole, reported as such), not another stream.
			return nil
		}
		return fmt.Errorf("%w: %s includes events up to sequence %d but the stream ends at %d; rebuild the read models (grants replay)",
			ErrStreamMismatch, db.path, cp, last)
	}
	if got.Hash != want {
		return fmt.Errorf("%w: the event at sequence %d of the stream is not the one %s was built from; rebuild the read models (grants replay)",
			ErrStreamMismatch, cp, db.path)
	}
	return nil
}

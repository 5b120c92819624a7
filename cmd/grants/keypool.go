package main

import (
	"context"
	"encoding/json"

	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/pii"
	"github.com/erasmus-ledger/grants/events/privacy"
)

// sealedBlocksFrom is the key pool's Scan (piijs.PoolConfig) over store:
// it calls fn with every sealed personal block of the events from stream
// sequence from on (none when from is 0) and returns the last sequence,
// so that the bindings of pooled keys a power cut lost are taken again
// from the events that name them.
func sealedBlocksFrom(store events.Store) func(context.Context, uint64, func(pii.Sealed) error) (uint64, error) {
	return func(ctx context.Context, from uint64, fn func(pii.Sealed) error) (uint64, error) {
		last, err := store.LastSequence(ctx)
		if err != nil || from == 0 || from > last {
			return last, err
		}
		return last, store.Events(ctx, from, last, func(e events.Envelope) error {
			// The disclosure's scan finds every sealed block; what it
			// would write instead (nothing here: "erased") is dropped.
			_, err := privacy.DisclosePersonal(e.Payload, func(sealed []byte) ([]byte, bool, error) {
				var b pii.Sealed
				if json.Unmarshal(sealed, &b) != nil || b.Alg != pii.AlgAES256GCM {
					return nil, true, nil
				}
				return nil, true, fn(b)
			})
			return err
		})
	}
}

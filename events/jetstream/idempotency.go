package jetstream

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/erasmus-ledger/grants/events"
	"github.com/nats-io/nats.go/jetstream"
)

// Idempotency keeps idempotency records in the bucket GRANTS_IDEMPOTENCY.
// Bucket keys are the SHA-256 of the caller's key, so any string is a
// valid key.
type Idempotency struct {
	kv jetstream.KeyValue
}

var _ events.IdempotencyStore = (*Idempotency)(nil)

// errNoBucket answers a store attached without the bucket.
var errNoBucket = errors.New("the idempotency records are not reachable on this connection")

func bucketKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// Get implements events.IdempotencyStore.
func (i *Idempotency) Get(ctx context.Context, key string) (events.IdempotencyRecord, bool, error) {
	if i.kv == nil {
		return events.IdempotencyRecord{}, false, errNoBucket
	}
	entry, err := i.kv.Get(ctx, bucketKey(key))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return events.IdempotencyRecord{}, false, nil
	}
	if err != nil {
		return events.IdempotencyRecord{}, false, fmt.Errorf("reading idempotency record: %w", err)
	}
	var rec events.IdempotencyRecord
	if err := json.Unmarshal(entry.Value(), &rec); err != nil {
		return events.IdempotencyRecord{}, false, fmt.Errorf("decoding idempotency record: %w", err)
	}
	return rec, true, nil
}

// Put implements events.IdempotencyStore.
func (i *Idempotency) Put(ctx context.Context, key string, rec events.IdempotencyRecord) error {
	if i.kv == nil {
		return errNoBucket
	}
	b, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("encoding idempotency record: %w", err)
	}
	if _, err := i.kv.Put(ctx, bucketKey(key), b); err != nil {
		return fmt.Errorf("writing idempotency record: %w", err)
	}
	return nil
}

// Create implements events.IdempotencyStore with the bucket's atomic
// create; only a caller that finds the key taken reads it back.
func (i *Idempotency) Create(ctx context.Context, key string, rec events.IdempotencyRecord) (events.IdempotencyRecord, bool, error) {
	b, err := json.Marshal(rec)
	if err != nil {
		return events.IdempotencyRecord{}, false, fmt.Errorf("encoding idempotency record: %w", err)
	}
	_, err = i.kv.Create(ctx, bucketKey(key), b)
	if err == nil {
		return events.IdempotencyRecord{}, true, nil
	}
	if !errors.Is(err, jetstream.ErrKeyExists) {
		return events.IdempotencyRecord{}, false, fmt.Errorf("creating idempotency record: %w", err)
	}
	old, ok, err := i.Get(ctx, key)
	if err != nil {
		return events.IdempotencyRecord{}, false, err
	}
	if !ok {
		// Deleted between the two calls: there is nothing to compare
		// with; the caller may try again.
		return events.IdempotencyRecord{}, false, fmt.Errorf("creating idempotency record: the record vanished while it was read")
	}
	return old, false, nil
}

package jetstream

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/erasmus-ledger/grants/events"
	"github.com/nats-io/nats.go/jetstream"
)

// TailsBucket keeps the tail checkpoints (events.TailCheckpoint): under
// base-<sequence>, the newest tail of the stream's checkpoint stored at
// that sequence. A tail counts only while its base is the stream's newest
// checkpoint, which a verification of the whole stream replaces at least
// every --checkpoint-interval while the stream moves: older keys expire.
const TailsBucket = "GRANTS_CHECKPOINT_TAILS"

// tailsTTL is how long a tail is kept after it was written.
const tailsTTL = 7 * 24 * time.Hour

// TailsBucketConfig is the configuration of TailsBucket.
func TailsBucketConfig(cfg Config) jetstream.KeyValueConfig {
	cfg = withDefaults(cfg)
	return jetstream.KeyValueConfig{
		Bucket:      TailsBucket,
		Description: "Tail checkpoints of the grant ledger: the newest signed checkpoint of the events after each checkpoint of the stream",
		History:     1,
		TTL:         tailsTTL,
		Storage:     jetstream.FileStorage,
		Replicas:    cfg.Replicas,
	}
}

var _ events.TailCheckpointer = (*Store)(nil)

func tailKey(baseAt uint64) string { return "base-" + strconv.FormatUint(baseAt, 10) }

// WriteTailCheckpoint implements events.TailCheckpointer.
func (s *Store) WriteTailCheckpoint(ctx context.Context, t events.TailCheckpoint) error {
	if s.tails == nil {
		return errors.New("the store is attached: it keeps no tail checkpoints")
	}
	ctx, cancel := s.bound(ctx)
	defer cancel()
	t.Heads = nil
	body, err := json.Marshal(t)
	if err != nil {
		return err
	}
	if _, err := s.tails.Put(ctx, tailKey(t.BaseAt), body); err != nil {
		return unavailable(err, "writing a tail checkpoint")
	}
	return nil
}

// TailCheckpoint implements events.TailCheckpointer.
func (s *Store) TailCheckpoint(ctx context.Context, baseAt uint64) (events.TailCheckpoint, bool, error) {
	if s.tails == nil {
		return events.TailCheckpoint{}, false, nil
	}
	ctx, cancel := s.bound(ctx)
	defer cancel()
	e, err := s.tails.Get(ctx, tailKey(baseAt))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return events.TailCheckpoint{}, false, nil
	}
	if err != nil {
		return events.TailCheckpoint{}, false, unavailable(err, "reading a tail checkpoint")
	}
	var t events.TailCheckpoint
	if err := json.Unmarshal(e.Value(), &t); err != nil {
		return events.TailCheckpoint{}, false, fmt.Errorf("the tail checkpoint of %d cannot be read: %w", baseAt, err)
	}
	return t, true, nil
}

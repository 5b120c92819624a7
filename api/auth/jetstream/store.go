// Package jetstream keeps the API's tokens in a JetStream key-value bucket
// (GRANTS_TOKENS), so that every API instance sees the same tokens and a
// revocation takes effect everywhere.
package jetstream

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/erasmus-ledger/grants/api/auth"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Bucket is the key-value bucket of the tokens.
const Bucket = "GRANTS_TOKENS"

// Store is an auth.Store on a JetStream key-value bucket. Keys are the
// tokens' hashes, values their JSON records.
type Store struct {
	kv    jetstream.KeyValue
	nc    *nats.Conn
	cache tokenCache
	// fence, when the bucket is shared with other instances (SetShared),
	// makes every look-up see every write acknowledged before it.
	fence *readFence
}

// SetShared makes the store read its bucket consistently with other
// grants serve instances that share it (an external NATS server or
// cluster): a token is taken from memory only when the watch has applied
// the bucket up to the leader's last sequence at a moment after the
// look-up began, and otherwise read from the leader, never from a replica
// that may lag. A revocation acknowledged through any instance is thus
// refused by every instance from the next request on. Call it before use.
func (s *Store) SetShared() { s.fence = newReadFence(s.nc, Bucket) }

// Open creates the bucket if it does not exist and returns the Store.
// replicas is the bucket's replication factor (1 for a single server).
func Open(ctx context.Context, js jetstream.JetStream, replicas int) (*Store, error) {
	if replicas < 1 {
		replicas = 1
	}
	kv, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:      Bucket,
		Description: "API bearer tokens of the grant ledger: SHA-256 of the secret -> token record",
		History:     5,
		Replicas:    replicas,
		Storage:     jetstream.FileStorage,
	})
	if err != nil {
		return nil, fmt.Errorf("opening key-value bucket %s: %w", Bucket, err)
	}
	return &Store{kv: kv, nc: js.Conn()}, nil
}

// Put implements auth.Store.
func (s *Store) Put(ctx context.Context, t auth.Token) error {
	b, err := json.Marshal(t)
	if err != nil {
		return err
	}
	rev, err := s.kv.Put(ctx, t.Hash, b)
	if err != nil {
		return fmt.Errorf("storing token %s: %w", t.ID, err)
	}
	s.remember(t, rev)
	return nil
}

// ByHash implements auth.Store: from memory when watching (see Watch), else
// (or for a token not in memory) from the bucket.
func (s *Store) ByHash(ctx context.Context, hash string) (auth.Token, error) {
	if s.fence != nil {
		return s.byHashShared(ctx, hash)
	}
	if t, found, trusted := s.cached(hash); trusted && found {
		return t, nil
	}
	var value []byte
	e, err := s.kv.Get(ctx, hash)
	switch {
	case errors.Is(err, jetstream.ErrInvalidKey):
		return auth.Token{}, auth.ErrNotFound
	case errors.Is(err, jetstream.ErrKeyNotFound):
		// A replica may not have the token issued a moment ago through
		// another instance: only the leader's miss is a miss.
		if value, err = leaderGet(ctx, s.nc, Bucket, hash); errors.Is(err, errLeaderNotFound) {
			return auth.Token{}, auth.ErrNotFound
		} else if err != nil {
			return auth.Token{}, fmt.Errorf("reading token: %w", err)
		}
	case err != nil:
		return auth.Token{}, fmt.Errorf("reading token: %w", err)
	default:
		value = e.Value()
	}
	var t auth.Token
	if err := json.Unmarshal(value, &t); err != nil {
		return auth.Token{}, fmt.Errorf("decoding token record: %w", err)
	}
	return t, nil
}

// byHashShared is ByHash on a bucket shared with other instances: from
// memory when the watch is current to a fence taken after the call
// began, else from the leader.
func (s *Store) byHashShared(ctx context.Context, hash string) (auth.Token, error) {
	if seq, err := s.fence.wait(ctx); err == nil {
		if t, found, trusted := s.cachedThrough(hash, seq); trusted && found {
			return t, nil
		}
	}
	value, err := leaderGet(ctx, s.nc, Bucket, hash)
	if errors.Is(err, errLeaderNotFound) {
		return auth.Token{}, auth.ErrNotFound
	} else if err != nil {
		return auth.Token{}, fmt.Errorf("reading token: %w", err)
	}
	var t auth.Token
	if err := json.Unmarshal(value, &t); err != nil {
		return auth.Token{}, fmt.Errorf("decoding token record: %w", err)
	}
	return t, nil
}

// List implements auth.Store.
func (s *Store) List(ctx context.Context) ([]auth.Token, error) {
	keys, err := s.kv.Keys(ctx)
	if errors.Is(err, jetstream.ErrNoKeysFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("listing tokens: %w", err)
	}
	out := make([]auth.Token, 0, len(keys))
	for _, k := range keys {
		t, err := s.ByHash(ctx, k)
		if errors.Is(err, auth.ErrNotFound) {
			continue // deleted meanwhile
		}
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

package jetstream

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/erasmus-ledger/grants/api/auth"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// SessionBucket is the key-value bucket of the web sessions.
const SessionBucket = "GRANTS_SESSIONS"

// SessionStore is an auth.SessionStore on a JetStream key-value bucket, so
// that every API instance on the stream sees the same sessions. Keys are
// the hashes of the session IDs; the bucket forgets a session once it is
// older than its TTL (the sessions' maximum lifetime).
type SessionStore struct {
	kv jetstream.KeyValue
	nc *nats.Conn
	// shared: read every session from the bucket's leader (SetShared).
	shared bool
}

// SetShared makes the store read its bucket consistently with other
// grants serve instances that share it (an external NATS server or
// cluster): every session is read from the stream's leader, never from a
// replica that may not have a sign-in or sign-out made through another
// instance a moment ago. Call it before use.
func (s *SessionStore) SetShared() { s.shared = true }

var _ auth.SessionStore = (*SessionStore)(nil)

// OpenSessions creates (or updates) the bucket with the given TTL and
// returns the store. replicas is the bucket's replication factor.
func OpenSessions(ctx context.Context, js jetstream.JetStream, replicas int, ttl time.Duration) (*SessionStore, error) {
	if replicas < 1 {
		replicas = 1
	}
	kv, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:      SessionBucket,
		Description: "Web sessions of the grant ledger: SHA-256 of the session ID -> session record",
		History:     1,
		TTL:         ttl,
		Replicas:    replicas,
		Storage:     jetstream.FileStorage,
	})
	if err != nil {
		return nil, fmt.Errorf("opening key-value bucket %s: %w", SessionBucket, err)
	}
	return &SessionStore{kv: kv, nc: js.Conn()}, nil
}

// Put implements auth.SessionStore.
func (s *SessionStore) Put(ctx context.Context, ses auth.Session) error {
	b, err := json.Marshal(ses)
	if err != nil {
		return err
	}
	if _, err := s.kv.Put(ctx, ses.Hash, b); err != nil {
		return fmt.Errorf("storing session %s: %w", ses.ID, err)
	}
	return nil
}

// Get implements auth.SessionStore.
func (s *SessionStore) Get(ctx context.Context, hash string) (auth.Session, error) {
	value, err := s.read(ctx, hash)
	if err != nil {
		return auth.Session{}, err
	}
	var ses auth.Session
	if err := json.Unmarshal(value, &ses); err != nil {
		return auth.Session{}, fmt.Errorf("decoding session record: %w", err)
	}
	return ses, nil
}

// read returns the record of hash: from the leader when shared, else by a
// direct get, confirmed by the leader when it finds nothing (a replica
// may not have a session opened a moment ago through another instance).
func (s *SessionStore) read(ctx context.Context, hash string) ([]byte, error) {
	if !s.shared {
		e, err := s.kv.Get(ctx, hash)
		if err == nil {
			return e.Value(), nil
		}
		if errors.Is(err, jetstream.ErrInvalidKey) {
			return nil, auth.ErrSessionNotFound
		}
		if !errors.Is(err, jetstream.ErrKeyNotFound) {
			return nil, fmt.Errorf("reading session: %w", err)
		}
	}
	value, err := leaderGet(ctx, s.nc, SessionBucket, hash)
	switch {
	case errors.Is(err, errLeaderNotFound):
		return nil, auth.ErrSessionNotFound
	case err != nil:
		return nil, fmt.Errorf("reading session: %w", err)
	}
	return value, nil
}

// Delete implements auth.SessionStore.
func (s *SessionStore) Delete(ctx context.Context, hash string) error {
	err := s.kv.Purge(ctx, hash)
	if err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) && !errors.Is(err, jetstream.ErrInvalidKey) {
		return fmt.Errorf("deleting session: %w", err)
	}
	return nil
}

// List implements auth.SessionStore.
func (s *SessionStore) List(ctx context.Context) ([]auth.Session, error) {
	keys, err := s.kv.Keys(ctx)
	if errors.Is(err, jetstream.ErrNoKeysFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("listing sessions: %w", err)
	}
	out := make([]auth.Session, 0, len(keys))
	for _, k := range keys {
		ses, err := s.Get(ctx, k)
		if errors.Is(err, auth.ErrSessionNotFound) {
			continue // ended meanwhile
		}
		if err != nil {
			return nil, err
		}
		out = append(out, ses)
	}
	return out, nil
}

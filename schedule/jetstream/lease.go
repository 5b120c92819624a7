// Package jetstream implements schedule.Lease on a JetStream key-value
// bucket (GRANTS_LEASES): the holder creates a key, renews it by revision,
// and the bucket's time to live removes it when the holder stops renewing.
package jetstream

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Bucket is the key-value bucket of the leases.
const Bucket = "GRANTS_LEASES"

// OpenBucket creates or updates the lease bucket, whose keys live ttl after
// their last renewal. replicas is the replication factor (1 for a single
// server). The bucket's time to live never shrinks: the jobs of grants
// serve (and the instances of a cluster) share it, each renewing its lease
// every third of its own ttl, so a shorter ttl asked by one must not
// expire the lease of another between two of its renewals; a dead
// holder's lease is then taken over after the longest ttl asked.
func OpenBucket(ctx context.Context, js jetstream.JetStream, replicas int, ttl time.Duration) (jetstream.KeyValue, error) {
	if replicas < 1 {
		replicas = 1
	}
	if ttl <= 0 {
		return nil, fmt.Errorf("lease time to live %v: want > 0", ttl)
	}
	if st, err := js.Stream(ctx, "KV_"+Bucket); err == nil {
		ttl = max(ttl, st.CachedInfo().Config.MaxAge)
	}
	kv, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:      Bucket,
		Description: "leases electing one instance of grants serve for a periodic task: task -> holder",
		History:     1,
		TTL:         ttl,
		Replicas:    replicas,
		Storage:     jetstream.FileStorage,
	})
	if err != nil {
		return nil, fmt.Errorf("opening key-value bucket %s: %w", Bucket, err)
	}
	return kv, nil
}

// Lease is one holder's view of the lease named key. It is safe for
// concurrent use.
type Lease struct {
	kv     jetstream.KeyValue
	key    string
	holder string

	mu  sync.Mutex
	rev uint64 // revision of our last write; 0 when not held
}

// New returns holder's lease on key in bucket kv. holder names the
// instance (unique per process).
func New(kv jetstream.KeyValue, key, holder string) *Lease {
	return &Lease{kv: kv, key: key, holder: holder}
}

// Hold implements schedule.Lease: it renews the key by revision when held
// (another writer or an expiry in between makes the renewal fail, and the
// lease is lost), else creates it, which succeeds only when no one holds it.
func (l *Lease) Hold(ctx context.Context) (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.rev != 0 {
		rev, err := l.kv.Update(ctx, l.key, []byte(l.holder), l.rev)
		if err == nil {
			l.rev = rev
			return true, nil
		}
		l.rev = 0
		if ctx.Err() != nil {
			return false, err
		}
	}
	rev, err := l.kv.Create(ctx, l.key, []byte(l.holder))
	switch {
	case err == nil:
		l.rev = rev
		return true, nil
	case errors.Is(err, jetstream.ErrKeyExists):
		// Ours still (a renewal whose answer was lost)? Take it up again.
		e, gerr := l.kv.Get(ctx, l.key)
		if gerr == nil && string(e.Value()) == l.holder {
			if rev, uerr := l.kv.Update(ctx, l.key, []byte(l.holder), e.Revision()); uerr == nil {
				l.rev = rev
				return true, nil
			}
		}
		return false, nil
	}
	return false, fmt.Errorf("taking lease %s: %w", l.key, err)
}

// Release implements schedule.Lease: it deletes the key if it is still the
// revision this holder wrote.
func (l *Lease) Release(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.rev == 0 {
		return nil
	}
	rev := l.rev
	l.rev = 0
	err := l.kv.Delete(ctx, l.key, jetstream.LastRevision(rev))
	if err != nil && !errors.Is(err, jetstream.ErrKeyExists) && !errors.Is(err, jetstream.ErrKeyNotFound) {
		return fmt.Errorf("releasing lease %s: %w", l.key, err)
	}
	return nil
}

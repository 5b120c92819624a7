// Package jetstream keeps the subject keys of events/pii in a JetStream
// key-value bucket, GRANTS_PII_KEYS: one wrapped key per data subject,
// written only by grants serve (the service and reader identities are
// denied every key-value subject, see events/jetstream/identity.go).
// A destroyed key is deleted with a secure delete, which overwrites its
// bytes in the bucket's block file, and replaced by a tombstone that holds
// no key material, so every instance learns of the erasure.
package jetstream

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/erasmus-ledger/grants/events/pii"
)

// Bucket is the key-value bucket of the subject keys.
const Bucket = "GRANTS_PII_KEYS"

// StreamName is the stream behind Bucket.
const StreamName = "KV_" + Bucket

// tombstone is the value of a destroyed key.
var tombstone = []byte("erased")

// Keys implements pii.KeyStore on the bucket. It follows the bucket with a
// watcher, so keys are read from memory and an erasure made by another
// instance is seen within moments. It is safe for concurrent use.
type Keys struct {
	kv     jetstream.KeyValue
	js     jetstream.JetStream
	w      jetstream.KeyWatcher
	cancel context.CancelFunc
	done   chan struct{}

	// mu guards cache and erased.
	mu sync.Mutex
	// cache holds the wrapped keys used or written lately, bounded in
	// number (keyCache): a key not in it is read from the bucket.
	cache keyCache
	// erased holds the keys this process saw destroyed: few, kept.
	erased map[string]struct{}

	// syncer, if set, makes a created key and an erasure durable before
	// Create and Destroy return (SetSyncer).
	syncer Syncer
}

// Syncer makes what the server stored of the bucket durable (an fsync of
// its block files; events/jetstream.NewStreamSyncer).
type Syncer interface{ Sync() error }

// SetSyncer makes Create and Destroy return only once the key (or its
// erasure) is on disk, so that no event is acknowledged whose key a power
// failure could lose. Call it before use.
func (k *Keys) SetSyncer(s Syncer) { k.syncer = s }

// sync makes what the bucket stored durable; all, for an erasure, also a
// change in an older block of the bucket (the key's message overwritten
// where it was), when the syncer tells them apart (SyncAll).
func (k *Keys) sync(what string, all bool) error {
	if k.syncer == nil {
		return nil
	}
	sync := k.syncer.Sync
	if a, ok := k.syncer.(interface{ SyncAll() error }); ok && all {
		sync = a.SyncAll
	}
	if err := sync(); err != nil {
		return fmt.Errorf("making %s durable: %w", what, err)
	}
	return nil
}

// CachedKeys is the bound grants serve opens its keys with (OpenBounded):
// two generations of at most this many keys
// each (about 150 bytes a key). A key not in memory costs one read of the
// bucket; a key being written or just written (a participant's reports,
// the projector opening what the handler sealed) is in memory. At 1 << 15
// the cache held 27 MB of live heap after 900 000 reports of new
// participants (heap profile; each value kept its whole message), keys
// that were never used again.
const CachedKeys = 1 << 13

// keyCache is a cache of wrapped keys in two generations: a key is looked
// up in the current one, then in the previous one (and moved back into
// the current); when the current one holds max keys it becomes the
// previous one and the older keys are forgotten. Memory is bounded by
// 2*max keys, whatever the bucket holds; max 0 keeps every key.
type keyCache struct {
	max       int
	cur, prev map[string][]byte
}

func (c *keyCache) get(id string) ([]byte, bool) {
	if b, ok := c.cur[id]; ok {
		return b, true
	}
	b, ok := c.prev[id]
	if ok {
		c.put(id, b)
	}
	return b, ok
}

func (c *keyCache) put(id string, b []byte) {
	if c.cur == nil || (c.max > 0 && len(c.cur) >= c.max) {
		c.prev, c.cur = c.cur, make(map[string][]byte, min(c.max, 1024))
	}
	c.cur[id] = b
}

// Open creates or updates the bucket with replicas replicas (those of the
// stream) and loads all its keys, for a replay that opens every sealed
// block.
func Open(ctx context.Context, js jetstream.JetStream, replicas int) (*Keys, error) {
	return open(ctx, js, replicas, 0)
}

// OpenBounded creates or updates the bucket as Open does but loads no key:
// it follows only the changes made from now on (a key written or destroyed
// by any instance) and keeps at most about 2*n keys in memory. A key not in
// memory costs one read of the bucket, which also finds a key destroyed
// before the start. grants serve opens its keys so:
// its read models keep the sealed blocks sealed and open one only when a
// participant is shown, so neither its start nor its memory grows with the
// number of participants.
func OpenBounded(ctx context.Context, js jetstream.JetStream, replicas, n int) (*Keys, error) {
	return open(ctx, js, replicas, max(1, n))
}

// open opens the bucket; bound 0 loads every key, else only the changes
// from now on are followed and about 2*bound keys kept.
func open(ctx context.Context, js jetstream.JetStream, replicas, bound int) (*Keys, error) {
	if replicas < 1 {
		replicas = 1
	}
	// The bucket's stream is made as a key-value bucket makes it, but
	// for DenyDelete: a bucket made by CreateKeyValue denies deleting one
	// message for good, and a key's purge only marks its message deleted,
	// leaving its bytes in the block file until compaction. PD-ERASE needs
	// the message overwritten (Stream.SecureDeleteMsg).
	_, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:              StreamName,
		Description:       "the participants' personal-data keys, each wrapped by the master key: subject key ID -> wrapped key (or a tombstone once erased, PD-ERASE)",
		Subjects:          []string{"$KV." + Bucket + ".>"},
		MaxMsgsPerSubject: 1,
		MaxBytes:          -1,
		MaxAge:            0,
		MaxMsgSize:        -1,
		Storage:           jetstream.FileStorage,
		Replicas:          replicas,
		Discard:           jetstream.DiscardNew,
		AllowRollup:       true,
		AllowDirect:       true,
		Duplicates:        2 * time.Minute,
	})
	if err != nil {
		return nil, fmt.Errorf("opening key-value bucket %s: %w", Bucket, err)
	}
	kv, err := js.KeyValue(ctx, Bucket)
	if err != nil {
		return nil, fmt.Errorf("opening key-value bucket %s: %w", Bucket, err)
	}
	wctx, cancel := context.WithCancel(context.Background())
	var opts []jetstream.WatchOpt
	if bound > 0 {
		opts = append(opts, jetstream.UpdatesOnly())
	}
	w, err := kv.WatchAll(wctx, opts...)
	if err != nil {
		cancel()
		return nil, fmt.Errorf("watching key-value bucket %s: %w", Bucket, err)
	}
	k := &Keys{kv: kv, js: js, w: w, cancel: cancel, done: make(chan struct{}),
		cache: keyCache{max: bound}, erased: map[string]struct{}{}}
	loaded := make(chan struct{})
	go k.follow(w, loaded)
	if bound > 0 {
		return k, nil // the watch sends changes only: nothing to load
	}
	select {
	case <-loaded:
	case <-ctx.Done():
		k.Close()
		return nil, ctx.Err()
	}
	return k, nil
}

// follow applies the watcher's updates (the keys at Open, then those
// written and destroyed by this instance or another one) to the cache
// until Close; loaded is closed once the keys at Open are in.
func (k *Keys) follow(w jetstream.KeyWatcher, loaded chan struct{}) {
	defer close(k.done)
	defer func() { _ = w.Stop() }()
	first := true
	for e := range w.Updates() {
		if e == nil {
			if first {
				close(loaded)
				first = false
			}
			continue
		}
		if e.Operation() == jetstream.KeyValuePut {
			k.remember(e.Key(), e.Value())
		} else {
			k.forget(e.Key())
		}
	}
	if first {
		close(loaded)
	}
}

// Close stops following the bucket.
func (k *Keys) Close() {
	k.cancel()
	_ = k.w.Stop()
	<-k.done
}

func value(b []byte) ([]byte, error) {
	if bytes.Equal(b, tombstone) {
		return nil, pii.ErrErased
	}
	return b, nil
}

// lookup returns the wrapped key id (or the tombstone) from memory.
func (k *Keys) lookup(id string) ([]byte, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if _, ok := k.erased[id]; ok {
		return tombstone, true
	}
	return k.cache.get(id)
}

// Cached implements pii.CachedKeyStore: ok is false for a key not in
// memory, which after OpenBounded may still be in the bucket (Create then
// finds it).
func (k *Keys) Cached(id string) ([]byte, bool, error) {
	b, ok := k.lookup(id)
	if !ok {
		return nil, false, nil
	}
	b, err := value(b)
	return b, true, err
}

// Get implements pii.KeyStore.
func (k *Keys) Get(ctx context.Context, id string) ([]byte, error) {
	if b, ok := k.lookup(id); ok {
		return value(b)
	}
	e, err := k.kv.Get(ctx, id)
	switch {
	case errors.Is(err, jetstream.ErrKeyNotFound), errors.Is(err, jetstream.ErrKeyDeleted):
		return nil, pii.ErrNoKey
	case err != nil:
		return nil, fmt.Errorf("reading subject key %s: %w", id, err)
	}
	k.remember(id, e.Value())
	return value(e.Value())
}

// remember keeps the wrapped key id (or its tombstone) in memory; a key
// known to be destroyed stays so. It keeps a copy of b: a value read from
// the bucket shares its buffer with the message's headers, which the
// cache would otherwise keep too, for each of its keys.
func (k *Keys) remember(id string, b []byte) {
	if bytes.Equal(b, tombstone) {
		k.forget(id)
		return
	}
	b = bytes.Clone(b)
	k.mu.Lock()
	defer k.mu.Unlock()
	if _, ok := k.erased[id]; !ok {
		k.cache.put(id, b)
	}
}

// Create implements pii.KeyStore: an atomic create, so that of two
// instances sealing for a new subject at once both use the one key.
func (k *Keys) Create(ctx context.Context, id string, wrapped []byte) ([]byte, error) {
	_, err := k.kv.Create(ctx, id, wrapped)
	if err == nil {
		if err := k.sync("subject key "+id, false); err != nil {
			return nil, err
		}
		k.remember(id, wrapped)
		return wrapped, nil
	}
	if !errors.Is(err, jetstream.ErrKeyExists) {
		return nil, fmt.Errorf("creating subject key %s: %w", id, err)
	}
	e, err := k.kv.Get(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("reading subject key %s: %w", id, err)
	}
	k.remember(id, e.Value())
	return value(e.Value())
}

// Destroy implements pii.KeyStore: the key's message is deleted with a
// secure delete (its bytes overwritten in the block file), then a
// tombstone is written so that every instance knows the subject is erased.
// Two instances destroying one key at once both succeed.
func (k *Keys) Destroy(ctx context.Context, id string) error {
	st, err := k.js.Stream(ctx, StreamName)
	if err != nil {
		return fmt.Errorf("opening stream %s: %w", StreamName, err)
	}
	for attempt := 0; ; attempt++ {
		e, err := k.kv.Get(ctx, id)
		if errors.Is(err, jetstream.ErrKeyNotFound) || errors.Is(err, jetstream.ErrKeyDeleted) {
			break
		}
		if err != nil {
			return fmt.Errorf("reading subject key %s: %w", id, err)
		}
		if bytes.Equal(e.Value(), tombstone) {
			k.forget(id)
			return nil // destroyed already
		}
		err = st.SecureDeleteMsg(ctx, e.Revision())
		if err == nil {
			break
		}
		if attempt >= 3 {
			return fmt.Errorf("destroying subject key %s: %w", id, err)
		}
		// Deleted or replaced meanwhile (another instance): look again.
	}
	if _, err := k.kv.Put(ctx, id, tombstone); err != nil {
		return fmt.Errorf("recording the erasure of subject key %s: %w", id, err)
	}
	k.forget(id)
	return k.sync("the erasure of subject key "+id, true)
}

// forget records that key id was destroyed.
func (k *Keys) forget(id string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.erased[id] = struct{}{}
	delete(k.cache.cur, id)
	delete(k.cache.prev, id)
}

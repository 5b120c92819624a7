// Package jetstream keeps the subject keys of events/pii in JetStream,
// written only by grants serve (the service and reader identities are
// denied every subject of them, see events/jetstream/identity.go).
//
// Since issue 16 a key is a message of the stream GRANTS_PII_SUBJECT_KEYS
// (keystream.go): its subjects are a bounded set of shards of the subject
// key IDs, never one subject per data subject, because nats-server keeps
// every subject of every stream in memory (about 150 bytes each: 107 MB
// at 600 000 participants in the key-value bucket before). A sealed block
// names its key by sequence (pii.Sealed.KeySeq): opening it is one direct
// get. A participant may have several keys; an erasure destroys them all
// with a secure delete, which overwrites their bytes in the block file.
//
// The keys made before issue 16 stay in the key-value bucket
// GRANTS_PII_KEYS, one per data subject, where the blocks that name no
// sequence find them; an erasure destroys such a key too (and leaves a
// tombstone that holds no key material).
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

// Bucket is the key-value bucket of the subject keys made before issue 16.
const Bucket = "GRANTS_PII_KEYS"

// StreamName is the stream behind Bucket.
const StreamName = "KV_" + Bucket

// tombstone is the value of a destroyed key in Bucket.
var tombstone = []byte("erased")

// Keys implements pii.KeyStore on the key stream and the bucket of older
// keys. It follows the erasures with a consumer of the key stream, so an
// erasure made by another instance is seen within moments; Add checks the
// erasures itself, so none is missed. It is safe for concurrent use.
type Keys struct {
	kv   jetstream.KeyValue
	js   jetstream.JetStream
	keys jetstream.Stream // KeysStream
	cc   jetstream.ConsumeContext

	// mu guards the caches, erased and seen.
	mu sync.Mutex
	// current holds the key each subject sealed with lately (Seal reuses
	// it), bySeq the wrapped keys by sequence, legacy the bucket's keys:
	// each bounded in number.
	current keyCache[string, seqKey]
	bySeq   keyCache[uint64, []byte]
	legacy  keyCache[string, []byte]
	// erased holds the subject key IDs this process knows erased.
	erased map[string]struct{}
	// seen[shard] is the sequence up to which every erasure notice of the
	// shard is in erased.
	seen map[string]uint64

	// syncer and bucketSyncer, if set, make a created key and an erasure
	// durable before Add and Destroy return (SetSyncer).
	syncer, bucketSyncer Syncer

	// pool, once started (StartPool), holds the keys made durable ahead.
	pool *pool
}

// seqKey is a wrapped key and its sequence.
type seqKey struct {
	seq     uint64
	wrapped []byte
}

// Syncer makes what the server stored of a stream durable (an fsync of
// its block files; events/jetstream.NewGroupSyncer).
type Syncer interface{ Sync() error }

// SetSyncer makes Add and Destroy return only once the key (or its
// erasure) is on disk, so that no event is acknowledged whose key a power
// failure could lose: keys syncs KeysStream, bucket StreamName (an
// erasure of an older key). Call it before use.
func (k *Keys) SetSyncer(keys, bucket Syncer) { k.syncer, k.bucketSyncer = keys, bucket }

// sync makes what s stored durable; all, for an erasure, also a change in
// an older block (a key's message overwritten where it was), when the
// syncer tells them apart (SyncAll).
func syncStream(s Syncer, what string, all bool) error {
	if s == nil {
		return nil
	}
	f := s.Sync
	if a, ok := s.(interface{ SyncAll() error }); ok && all {
		f = a.SyncAll
	}
	if err := f(); err != nil {
		return fmt.Errorf("making %s durable: %w", what, err)
	}
	return nil
}

// CachedKeys is the bound grants serve opens its keys with (OpenBounded):
// two generations of at most this many keys each, in each of the caches
// (about 150 bytes a key). A key not in memory costs one direct get; a key
// being written or just written (a participant's reports, the projector
// opening what the handler sealed) is in memory.
const CachedKeys = 1 << 13

// Open opens the key stream and the bucket (creating or updating them
// with replicas replicas, those of the event stream) and keeps every key
// it reads in memory, for a replay that opens every sealed block.
func Open(ctx context.Context, js jetstream.JetStream, replicas int) (*Keys, error) {
	return open(ctx, js, replicas, 0)
}

// OpenBounded opens the keys as Open does but keeps at most about 2*n keys
// in memory; a key not in memory costs one direct get. grants serve opens
// its keys so: its read models keep the sealed blocks sealed and open one
// only when a participant is shown, so neither its start nor its memory
// grows with the number of participants.
func OpenBounded(ctx context.Context, js jetstream.JetStream, replicas, n int) (*Keys, error) {
	return open(ctx, js, replicas, max(1, n))
}

// open opens the stream and the bucket; bound 0 keeps every key read.
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
		Description:       "the participants' personal-data keys made before issue 16, each wrapped by the master key: subject key ID -> wrapped key (or a tombstone once erased, PD-ERASE)",
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
	st, err := openKeyStream(ctx, js, replicas)
	if err != nil {
		return nil, err
	}
	k := &Keys{kv: kv, js: js, keys: st,
		current: keyCache[string, seqKey]{max: bound}, bySeq: keyCache[uint64, []byte]{max: bound}, legacy: keyCache[string, []byte]{max: bound},
		erased: map[string]struct{}{}, seen: map[string]uint64{}}
	if err := k.followErasures(ctx); err != nil {
		return nil, err
	}
	return k, nil
}

// Close stops following the erasures and the pool (StartPool).
func (k *Keys) Close() {
	k.StopPool()
	k.cc.Stop()
}

// Get implements pii.KeyStore: the one key of a subject made before issue
// 16, read from the bucket.
func (k *Keys) Get(ctx context.Context, id string) ([]byte, error) {
	k.mu.Lock()
	_, erased := k.erased[id]
	b, ok := k.legacy.get(id)
	k.mu.Unlock()
	switch {
	case erased:
		return nil, pii.ErrErased
	case ok:
		return b, nil
	}
	// Erased since issue 16: the notice tells (a subject with no key in
	// the bucket, whose personal data were written in plain text).
	if erased, err := k.isErased(ctx, id); err != nil {
		return nil, err
	} else if erased {
		return nil, pii.ErrErased
	}
	e, err := k.kv.Get(ctx, id)
	switch {
	case errors.Is(err, jetstream.ErrKeyNotFound), errors.Is(err, jetstream.ErrKeyDeleted):
		return nil, pii.ErrNoKey
	case err != nil:
		return nil, fmt.Errorf("reading subject key %s: %w", id, err)
	case bytes.Equal(e.Value(), tombstone):
		k.markErased(id)
		return nil, pii.ErrErased
	}
	// A copy: a value read from the bucket shares its buffer with the
	// message's headers, which the cache would otherwise keep too.
	b = bytes.Clone(e.Value())
	k.mu.Lock()
	if _, ok := k.erased[id]; !ok {
		k.legacy.put(id, b)
	}
	k.mu.Unlock()
	return b, nil
}

// destroyLegacy destroys id's key in the bucket, if it has one: its
// message is deleted with a secure delete (its bytes overwritten in the
// block file), then a tombstone is written, which an instance of the
// version before issue 16 reads as the erasure. Two instances destroying
// one key at once both succeed.
func (k *Keys) destroyLegacy(ctx context.Context, id string) error {
	st, err := k.js.Stream(ctx, StreamName)
	if err != nil {
		return fmt.Errorf("opening stream %s: %w", StreamName, err)
	}
	for attempt := 0; ; attempt++ {
		e, err := k.kv.Get(ctx, id)
		if errors.Is(err, jetstream.ErrKeyNotFound) || errors.Is(err, jetstream.ErrKeyDeleted) {
			return nil // none, or destroyed meanwhile by another instance
		}
		if err != nil {
			return fmt.Errorf("reading subject key %s: %w", id, err)
		}
		if bytes.Equal(e.Value(), tombstone) {
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
	return syncStream(k.bucketSyncer, "the erasure of subject key "+id, true)
}

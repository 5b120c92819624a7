package jetstream

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/erasmus-ledger/grants/events/pii"
)

// PoolBatch is how many keys one refill of the pool writes, made durable
// by one fsync; the pool refills when fewer are at hand, so it holds at
// most twice as many.
const PoolBatch = 256

// PoolConfig configures StartPool.
type PoolConfig struct {
	// NewKey returns a fresh wrapped key (pii.KeyVault.NewPoolKey).
	NewKey func() ([]byte, error)
	// Batch is how many keys a refill writes (PoolBatch if 0).
	Batch int
	// Acked returns the highest event stream sequence acknowledged to
	// this process (events/jetstream.Store.Acked); the bindings' mark
	// follows it (bindmark.go). Nil with no Syncer (SetSyncer): then a
	// binding is as durable as the server makes it.
	Acked func() uint64
	// Scan calls fn with every sealed block of the events from stream
	// sequence from on (none when from is 0) and returns the stream's
	// last sequence: the bindings of the events above the mark are taken
	// again from them (bindmark.go). Needed with Acked.
	Scan func(ctx context.Context, from uint64, fn func(pii.Sealed) error) (last uint64, err error)
	// MarkEvery is how often at most the mark moves (time.Second if 0).
	MarkEvery time.Duration
	// Logger receives the pool's warnings (slog.Default if nil).
	Logger *slog.Logger
}

// pool is the keys made durable ahead, not yet taken.
type pool struct {
	cfg PoolConfig
	// mu guards free, refilling and closed.
	mu        sync.Mutex
	free      []seqKey
	refilling bool
	closed    bool
	// wg counts the refill and the marker under way; stop ends them.
	wg   sync.WaitGroup
	stop chan struct{}
	// marked is the bindings' mark last written (the marker's alone).
	marked uint64
}

// StartPool starts the pool of keys made durable ahead (pii.KeyPool): a
// new subject takes one of them and publishes its binding, a message on
// its shard naming the subject key ID and the pooled key's sequence,
// without waiting for an fsync: the event it seals waits for its own
// round alone, and the key was on disk before it was taken. With a Syncer
// (SetSyncer, DurabilityFsync) the bindings are made durable behind the
// events, as the reservations of aggregate IDs are (bindmark.go): first
// the bindings of the events above the last mark are taken again from
// their sealed blocks, then the first batch is written. Call it once,
// after SetSyncer and before use; StopPool (or Close) stops it and deletes
// the keys never taken.
//
// A pooled key that no subject took (the process stopped, a refused
// command) holds nothing: random bytes no block names. Those of a clean
// stop are deleted; a crash leaves at most 2*Batch of them.
func (k *Keys) StartPool(ctx context.Context, cfg PoolConfig) error {
	if cfg.NewKey == nil {
		return fmt.Errorf("the pool of %s needs a maker of keys", KeysStream)
	}
	if cfg.Batch <= 0 {
		cfg.Batch = PoolBatch
	}
	if cfg.MarkEvery <= 0 {
		cfg.MarkEvery = time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if k.syncer != nil && (cfg.Acked == nil || cfg.Scan == nil) {
		return fmt.Errorf("the pool of %s on a synced stream needs Acked and Scan (its bindings' mark)", KeysStream)
	}
	p := &pool{cfg: cfg, stop: make(chan struct{})}
	if k.syncer != nil {
		if err := k.bindAfterCrash(ctx, p); err != nil {
			return err
		}
	}
	if err := k.fill(ctx, p); err != nil {
		return err
	}
	k.pool = p
	if k.syncer != nil {
		p.wg.Add(1)
		go k.markBindings(p)
	}
	return nil
}

// Take implements pii.KeyPool: it takes a pooled key and publishes its
// binding on id's shard, then checks the erasures as Add does (an erasure
// appends its notice, then destroys every key and binding of the subject
// stored before it: a binding stored after the notice finds it here, and
// the key is destroyed). It waits for no fsync: the key is on disk, and
// the binding is made durable behind the event (bindmark.go).
func (k *Keys) Take(ctx context.Context, id string) (uint64, []byte, bool, error) {
	key, ok := k.takePooled()
	if !ok {
		return 0, nil, false, nil
	}
	if err := k.bind(ctx, id, key.seq); err != nil {
		return 0, nil, false, err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if _, ok := k.erased[id]; !ok {
		k.current.put(id, key)
		k.bySeq.put(key.seq, key.wrapped)
	}
	return key.seq, key.wrapped, true, nil
}

// bind publishes the binding of pooled key seq on id's shard unless id
// was erased (publishUnlessErased: one round trip); if it was, the key is
// destroyed and bind returns pii.ErrErased. While erasures keep coming it
// binds and checks afterwards (bindChecked).
func (k *Keys) bind(ctx context.Context, id string, seq uint64) error {
	_, err := k.publishUnlessErased(ctx, id, bindingMsg(id, seq))
	switch {
	case err == nil:
		return nil
	case errors.Is(err, pii.ErrErased):
		// Nothing was bound; the key, taken from the pool, is destroyed.
		if err := k.secureDelete(ctx, seq); err != nil {
			return fmt.Errorf("destroying a key of erased subject key %s: %w", id, err)
		}
		return pii.ErrErased
	case errors.Is(err, errNoticesMoving):
		return k.bindChecked(ctx, id, seq)
	}
	return fmt.Errorf("binding pooled key %d to subject key %s: %w", seq, id, err)
}

// bindingMsg is the binding of pooled key seq to subject key id.
func bindingMsg(id string, seq uint64) *nats.Msg {
	return &nats.Msg{Subject: KeySubject(id), Header: nats.Header{
		KeyIDHeader:   []string{id},
		PoolKeyHeader: []string{strconv.FormatUint(seq, 10)},
	}}
}

// bindChecked publishes the binding of pooled key seq on id's shard, then
// checks the erasures (publishChecked): if id's came first, the binding
// and the key are destroyed and bindChecked returns pii.ErrErased.
func (k *Keys) bindChecked(ctx context.Context, id string, seq uint64) error {
	_, err := k.publishChecked(ctx, id, bindingMsg(id, seq), seq)
	return err
}

// takePooled pops a pooled key, if one is at hand, and starts a refill
// when fewer than a batch are left.
func (k *Keys) takePooled() (seqKey, bool) {
	p := k.pool
	if p == nil {
		return seqKey{}, false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return seqKey{}, false
	}
	var key seqKey
	n := len(p.free)
	if n > 0 {
		key = p.free[n-1]
		p.free = p.free[:n-1]
	}
	if len(p.free) < p.cfg.Batch && !p.refilling {
		p.refilling = true
		p.wg.Add(1)
		go k.refill(p)
	}
	return key, n > 0
}

// refill writes a batch of keys in the background.
func (k *Keys) refill(p *pool) {
	defer p.wg.Done()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := k.fill(ctx, p)
	p.mu.Lock()
	p.refilling = false
	p.mu.Unlock()
	if err != nil {
		p.cfg.Logger.Warn("refilling the pool of personal-data keys; new participants store keys of their own meanwhile", "stream", KeysStream, "err", err)
	}
}

// fill publishes a batch of fresh keys at once, makes them durable with
// one fsync and adds them to the pool.
func (k *Keys) fill(ctx context.Context, p *pool) error {
	keys := make([]seqKey, p.cfg.Batch)
	acks := make([]jetstream.PubAckFuture, p.cfg.Batch)
	for i := range keys {
		w, err := p.cfg.NewKey()
		if err != nil {
			return err
		}
		keys[i].wrapped = w
		if acks[i], err = k.js.PublishMsgAsync(&nats.Msg{Subject: poolSubject, Data: w}); err != nil {
			return fmt.Errorf("storing pooled keys: %w", err)
		}
	}
	for i, f := range acks {
		select {
		case ack := <-f.Ok():
			keys[i].seq = ack.Sequence
		case err := <-f.Err():
			return fmt.Errorf("storing pooled keys: %w", err)
		case <-ctx.Done():
			return fmt.Errorf("storing pooled keys: %w", ctx.Err())
		}
	}
	if err := syncStream(k.syncer, "a batch of pooled keys", false); err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.free = append(p.free, keys...)
	return nil
}

// destroyPooled destroys the pooled key binding m names, if m is a
// binding of id's (Destroy).
func (k *Keys) destroyPooled(ctx context.Context, id string, m *jetstream.RawStreamMsg) error {
	v := m.Header.Get(PoolKeyHeader)
	if v == "" {
		return nil
	}
	seq, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return fmt.Errorf("binding %d of subject key %s names no key (%q)", m.Sequence, id, v)
	}
	if err := k.secureDelete(ctx, seq); err != nil {
		return fmt.Errorf("destroying pooled key %d of subject key %s: %w", seq, id, err)
	}
	return nil
}

// StopPool stops the refill and the marker, moves the mark a last time
// and deletes the keys never taken; Close does too. Call it before the
// Syncer closes.
func (k *Keys) StopPool() {
	p := k.pool
	if p == nil {
		return
	}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.closed = true
	p.mu.Unlock()
	close(p.stop)
	p.wg.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if k.syncer != nil {
		if err := k.mark(ctx, p); err != nil {
			p.cfg.Logger.Warn("moving the mark of the pooled keys' bindings at close; the next start takes them again from the events", "stream", KeysStream, "err", err)
		}
	}
	p.mu.Lock()
	free := p.free
	p.free = nil
	p.mu.Unlock()
	for _, key := range free {
		if err := k.keys.DeleteMsg(ctx, key.seq); err != nil {
			p.cfg.Logger.Info("deleting the pooled keys never taken (they hold nothing a block names)", "stream", KeysStream, "left", len(free), "err", err)
			return
		}
	}
}

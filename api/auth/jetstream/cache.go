package jetstream

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/erasmus-ledger/grants/api/auth"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// tokenCache holds every token of the bucket in memory, kept current by a
// watch of the bucket: the server pushes each change (a revocation
// included) to every instance as it is written. It answers only while it
// can be trusted to be current: its watcher has delivered the bucket's
// values and runs, and the connection has stayed up since it started (a
// reconnection starts a new watch; until it has caught up, the bucket is
// read).
type tokenCache struct {
	// mu guards the fields below; a look-up takes it shared.
	mu     sync.RWMutex
	tokens map[string]cachedToken
	// live: the watcher delivered the initial values and still runs.
	live bool
	// changes counts the connection's status changes (a disconnection,
	// a reconnection, a close), as the connection reports them to the
	// listener Watch starts; started is its value when the watcher
	// started (notConnected if the connection was down then). A
	// look-up compares the two instead of asking the connection, whose
	// lock every publish takes: the look-up was the hottest holder of
	// that lock under load (issue 16).
	changes    atomic.Uint64
	started    atomic.Uint64
	listening  atomic.Bool
	restarting bool
	// watcher numbers the watchers started; only the newest (current)
	// marks the cache live or not, so that an older one ending after a
	// newer one caught up does not leave the cache untrusted for good.
	watcher uint64
	// ctx is Watch's: the watchers end with it.
	ctx context.Context
	// applied is the last stream sequence the watchers delivered.
	applied uint64
}

// cachedToken is a token with the bucket revision it was written at.
type cachedToken struct {
	t   auth.Token
	rev uint64
}

// Watch keeps every token in memory, so that authenticating a request
// reads no bucket: a watch of GRANTS_TOKENS brings each change (a
// revocation included) to this instance as the server stores it. A token
// not in memory (created a moment ago elsewhere) is still read from the
// bucket. The watch ends with ctx. Without Watch, every look-up reads the
// bucket.
func (s *Store) Watch(ctx context.Context) error {
	if s.nc == nil {
		return fmt.Errorf("watching %s: no connection", Bucket)
	}
	s.cache.mu.Lock()
	if s.cache.tokens == nil {
		s.cache.tokens = map[string]cachedToken{}
	}
	s.cache.ctx = ctx
	s.cache.mu.Unlock()
	if s.cache.listening.CompareAndSwap(false, true) {
		go s.followStatus(ctx, s.nc.StatusChanged())
	}
	return s.startWatch(ctx)
}

// notConnected is tokenCache.started for a watcher started while the
// connection was down: never trusted.
const notConnected = ^uint64(0)

// followStatus counts the connection's status changes until ctx ends.
// nats.go sends each change to ch as it makes it; ch holds ten, and
// this loop only counts, so none is dropped in practice. Once it ends,
// the cache is stale until the next Watch.
func (s *Store) followStatus(ctx context.Context, ch chan nats.Status) {
	defer func() {
		s.nc.RemoveStatusListener(ch)
		s.cache.changes.Add(1)
		s.cache.listening.Store(false)
	}()
	for {
		select {
		case <-ctx.Done():
			return
		case _, ok := <-ch:
			if !ok {
				return
			}
			s.cache.changes.Add(1)
		}
	}
}

// startWatch starts a watcher that fills the cache.
func (s *Store) startWatch(ctx context.Context) error {
	started := s.cache.changes.Load()
	if s.nc.Status() != nats.CONNECTED {
		started = notConnected
	}
	w, err := s.kv.WatchAll(ctx)
	if err != nil {
		return fmt.Errorf("watching %s: %w", Bucket, err)
	}
	s.cache.mu.Lock()
	s.cache.started.Store(started)
	s.cache.live, s.cache.restarting = false, false
	s.cache.watcher++
	n := s.cache.watcher
	s.cache.mu.Unlock()
	go s.follow(ctx, w, n)
	return nil
}

// follow applies the watcher's entries until it ends; n is the watcher's
// number (tokenCache.watcher).
func (s *Store) follow(ctx context.Context, w jetstream.KeyWatcher, n uint64) {
	defer func() {
		_ = w.Stop()
		s.cache.mu.Lock()
		if s.cache.watcher == n {
			s.cache.live = false
		}
		s.cache.mu.Unlock()
	}()
	for {
		select {
		case <-ctx.Done():
			return
		case e, ok := <-w.Updates():
			if !ok {
				return
			}
			s.cache.mu.Lock()
			if e == nil {
				s.cache.live = s.cache.live || s.cache.watcher == n // the initial values are in
			} else {
				s.cache.apply(e)
			}
			s.cache.mu.Unlock()
			if s.stale() {
				s.restart(ctx)
				return
			}
		}
	}
}

// apply takes one entry of the bucket in; c.mu is held.
func (c *tokenCache) apply(e jetstream.KeyValueEntry) {
	c.applied = max(c.applied, e.Revision())
	if old, ok := c.tokens[e.Key()]; ok && old.rev >= e.Revision() {
		return
	}
	if e.Operation() != jetstream.KeyValuePut {
		delete(c.tokens, e.Key())
		return
	}
	var t auth.Token
	if err := json.Unmarshal(e.Value(), &t); err != nil {
		delete(c.tokens, e.Key()) // unreadable: the bucket answers
		return
	}
	c.tokens[e.Key()] = cachedToken{t: t, rev: e.Revision()}
}

// stale reports whether the connection went down since the watcher
// started (or is down now).
func (s *Store) stale() bool {
	return !s.cache.listening.Load() || s.cache.changes.Load() != s.cache.started.Load()
}

// restart replaces a watcher that may have missed changes; until the new
// one has caught up, look-ups read the bucket.
func (s *Store) restart(ctx context.Context) {
	s.cache.mu.Lock()
	if s.cache.restarting {
		s.cache.mu.Unlock()
		return
	}
	s.cache.live, s.cache.restarting = false, true
	s.cache.mu.Unlock()
	go func() {
		for ctx.Err() == nil {
			if s.nc.Status() == nats.CONNECTED {
				if err := s.startWatch(ctx); err == nil {
					return
				}
			}
			select {
			case <-ctx.Done():
			case <-time.After(100 * time.Millisecond):
			}
		}
	}()
}

// cached returns the token of hash from memory; trusted is false when the
// cache cannot answer (not watching, not caught up, or the connection
// went down since).
func (s *Store) cached(hash string) (t auth.Token, found, trusted bool) {
	return s.cachedThrough(hash, 0)
}

// cachedThrough is cached, trusted only when the watch has applied the
// bucket up to sequence seq (a fence, see readFence).
func (s *Store) cachedThrough(hash string, seq uint64) (t auth.Token, found, trusted bool) {
	s.cache.mu.RLock()
	live := s.cache.live && s.cache.tokens != nil && s.cache.applied >= seq
	ct, found := s.cache.tokens[hash]
	wctx := s.cache.ctx
	s.cache.mu.RUnlock()
	if !live {
		return auth.Token{}, false, false
	}
	if s.stale() {
		s.restart(wctx)
		return auth.Token{}, false, false
	}
	return ct.t, found, true
}

// remember takes a token this instance wrote into memory at once (the
// watch brings it too, a moment later).
func (s *Store) remember(t auth.Token, rev uint64) {
	s.cache.mu.Lock()
	defer s.cache.mu.Unlock()
	if s.cache.tokens == nil {
		return
	}
	if old, ok := s.cache.tokens[t.Hash]; ok && old.rev >= rev {
		return
	}
	s.cache.tokens[t.Hash] = cachedToken{t: t, rev: rev}
}

package command

import (
	"container/list"
	"strings"
	"sync"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/events"
)

// entry is the decided state of one organisation, as far as it is known.
type entry struct {
	org       string
	portfolio aggregates.Portfolio
	// heads is the head of every aggregate whose events were applied,
	// keyed by kind + "/" + id.
	heads map[string]events.Head
	// orgSeq: every event of the organisation up to this stream sequence
	// has been applied (events above it may have been, per aggregate).
	orgSeq uint64
	// loaded is true once an organisation-wide catch-up succeeded: from
	// then on orgSeq says how far the entry holds every event of the
	// organisation (whole).
	loaded bool
	// headSeq is the highest sequence of the heads.
	headSeq uint64
	// keys maps scoped idempotency keys seen in applied events to the
	// aggregate they touched, so a retry after the stream's duplicate
	// window still finds its first answer without a read: the last
	// keysPerAggregate keys of each aggregate (keyOrder, oldest first,
	// keyed like heads).
	keys     map[string]keyUse
	keyOrder map[string][]string
	// spans indexes every key of the events applied (keySpans.go): the
	// stream sequences of its events, by a hash of the scoped key, so that
	// a retry whose key the entry has forgotten (keys) reads its own
	// events, not its aggregate's whole history.
	spans map[uint64]keySpan
	// chains follow each aggregate's chain (with a key ring): the last
	// valid event and the open problems, keyed like heads.
	chains map[string]*events.ChainState
	// bytes is the entry's approximate size in memory (see sizeOfEvent);
	// guarded by the lru's lock.
	bytes int64
	// grown is what apply added to bytes since the lru last counted it;
	// guarded by the organisation's lock.
	grown int64
	// full are the projects folded in full for the decision under way
	// (withRecords), until its events are folded onto them (foldFull).
	full []aggregates.Project
}

// Approximate sizes of what an entry keeps, for the byte bound of the
// cache: a folded event costs what it adds to the compact decided state
// (aggregates.SizeOf: a mobility's facts, or about the JSON payload of an
// event whose record is kept whole; TestCacheSizeEstimateIsNearTheHeap
// measures it) beside a fixed part; a head and a remembered key their
// strings beside map and struct overheads.
const (
	entryBytes     = 1 << 10
	eventBytes     = 16
	headBytes      = 112
	keyBytes       = 96
	minCacheBudget = 1 << 20
)

// sizeOfEvent is what folding ev, decoded from env, adds to an entry,
// approximately.
func sizeOfEvent(env *events.Envelope, ev aggregates.Event) int64 {
	return eventBytes + aggregates.SizeOf(ev, len(env.Payload))
}

// keyUse is what the entry knows of an idempotency key already written.
type keyUse struct {
	ref events.Ref
	// fingerprint is the request's, when this handler wrote it, or its
	// start that the events carry (eventKey); empty for a key learned from
	// events of an earlier release, which did not carry it.
	fingerprint string
}

func newEntry(org string) *entry {
	return &entry{org: org, portfolio: aggregates.NewCompactPortfolio(org), heads: map[string]events.Head{}, keys: map[string]keyUse{},
		keyOrder: map[string][]string{}, chains: map[string]*events.ChainState{}, spans: map[uint64]keySpan{}}
}

// keysPerAggregate is how many idempotency keys of each aggregate an entry
// remembers: a retry after the duplicate window is recognised from memory
// as long as fewer than this many keyed commands changed the aggregate
// since (beyond, a refused retry is looked up in the aggregate's events).
const keysPerAggregate = 64

// rememberKey records that key was written on aggregate agg (keyed like
// heads); a fingerprint learned later is kept, and the aggregate's oldest
// key is forgotten beyond keysPerAggregate.
func (e *entry) rememberKey(agg, key string, use keyUse) {
	if old, ok := e.keys[key]; ok {
		if use.fingerprint != "" && old.fingerprint == "" {
			e.keys[key] = use
		}
		return
	}
	e.keys[key] = use
	e.grown += keyBytes + int64(len(key)+len(use.fingerprint))
	q := append(e.keyOrder[agg], key)
	if len(q) > keysPerAggregate {
		e.grown -= keyBytes + int64(len(q[0])+len(e.keys[q[0]].fingerprint))
		delete(e.keys, q[0])
		q = append(q[:0], q[1:]...)
	}
	e.keyOrder[agg] = q
}

// chain returns the chain state of aggregate k.
func (e *entry) chain(k string) *events.ChainState {
	c := e.chains[k]
	if c == nil {
		c = &events.ChainState{}
		e.chains[k] = c
	}
	return c
}

func headKey(kind, id string) string { return kind + "/" + id }

// setHead moves aggregate k's head to env, keeping kept as its hash: a
// copy of env.Hash already made (the chain state's, which ChainState.Check
// copies), or "" for setHead to copy it (never a view into the stored
// message), and counts a new aggregate.
func (e *entry) setHead(k string, env events.Envelope, kept string) {
	if _, ok := e.heads[k]; !ok {
		e.grown += headBytes + int64(len(k)+len(env.Hash))
	}
	if kept == "" {
		kept = strings.Clone(env.Hash)
	}
	e.putHead(k, events.Head{Version: env.Version, Sequence: env.Sequence, Hash: kept})
}

// maxSeq is the highest stream sequence applied to the entry: kept as
// heads move (putHead), not found by walking them.
func (e *entry) maxSeq() uint64 { return max(e.orgSeq, e.headSeq) }

// whole reports whether the entry holds every event of its organisation
// up to the highest sequence it applied: it was caught up on the whole
// organisation, and nothing moved it past orgSeq since (a single-aggregate
// catch-up or append does, as it cannot tell what else the organisation
// received meanwhile). An organisation-wide command decided on a whole
// entry needs no catch-up first: its append expects grants.<org>.> to end
// at orgSeq, so the store refuses it if anything was written since, and
// the conflict catches up.
func (e *entry) whole() bool { return e.loaded && e.orgSeq >= e.headSeq }

// putHead sets aggregate k's head and follows the highest sequence.
func (e *entry) putHead(k string, h events.Head) {
	e.heads[k] = h
	e.headSeq = max(e.headSeq, h.Sequence)
}

// lru is a cache of entries bounded in number and in approximate bytes,
// least recently used first out.
type lru struct {
	mu       sync.Mutex
	max      int
	maxBytes int64
	bytes    int64
	order    *list.List
	items    map[string]*list.Element
}

func newLRU(max int, maxBytes int64) *lru {
	if max < 1 {
		max = 1
	}
	return &lru{max: max, maxBytes: max64(maxBytes, minCacheBudget), order: list.New(), items: map[string]*list.Element{}}
}

func max64(a, b int64) int64 {
	if a > b {
		return a
	}
	return b
}

// account adds what e grew by (under its organisation's lock) to the
// cache's bytes and evicts the least recently used entries beyond the
// bound; e itself, just used, stays even if it alone exceeds it.
func (c *lru) account(e *entry) {
	if e.grown == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	grown := e.grown
	e.grown = 0
	if el, ok := c.items[e.org]; !ok || el.Value.(*entry) != e {
		e.bytes += grown // evicted meanwhile: not counted any more
		return
	}
	e.bytes += grown
	c.bytes += grown
	c.evictLocked()
}

// evictLocked drops least recently used entries while the cache is over
// either bound, never the most recently used one.
func (c *lru) evictLocked() {
	for c.order.Len() > 1 && (c.order.Len() > c.max || c.bytes > c.maxBytes) {
		last := c.order.Back()
		c.order.Remove(last)
		old := last.Value.(*entry)
		delete(c.items, old.org)
		c.bytes -= old.bytes
	}
}

// size returns the number of entries and their approximate bytes.
func (c *lru) size() (int, int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len(), c.bytes
}

// get returns the entry of org, creating an empty one if none is cached.
func (c *lru) get(org string) *entry {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[org]; ok {
		c.order.MoveToFront(el)
		return el.Value.(*entry)
	}
	e := newEntry(org)
	e.bytes = entryBytes
	c.bytes += e.bytes
	c.items[org] = c.order.PushFront(e)
	c.evictLocked()
	return e
}

// drop forgets org, after a failure that may have left its entry half updated.
func (c *lru) drop(org string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[org]; ok {
		c.order.Remove(el)
		delete(c.items, org)
		c.bytes -= el.Value.(*entry).bytes
	}
}

// orgLocks serialise the commands of one organisation inside this
// process, and only them: a lock per organisation with a command under way
// (dropped when the last one leaves), not a stripe shared by every
// organisation whose name hashes alike, which made two busy organisations
// wait for each other's appends and fsync rounds. Other processes are kept
// honest by the store's optimistic concurrency.
type orgLocks struct {
	mu sync.Mutex
	m  map[string]*orgLock
}

// orgLock is one organisation's lock and how many commands hold or wait
// for it.
type orgLock struct {
	sync.Mutex
	users int
}

func (l *orgLocks) lock(org string) func() {
	l.mu.Lock()
	if l.m == nil {
		l.m = map[string]*orgLock{}
	}
	ol := l.m[org]
	if ol == nil {
		ol = &orgLock{}
		l.m[org] = ol
	}
	ol.users++
	l.mu.Unlock()
	ol.Lock()
	return func() {
		ol.Unlock()
		l.mu.Lock()
		if ol.users--; ol.users == 0 {
			delete(l.m, org)
		}
		l.mu.Unlock()
	}
}

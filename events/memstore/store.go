// Package memstore is an in-memory events.Store with the same semantics as
// the JetStream store: optimistic concurrency per aggregate and per
// organisation, atomic multi-event appends, the hash chain and idempotent
// retries (in the same order of checks as the JetStream server, with the
// duplicate window measured in recorded time). It keeps nothing on disk and
// is meant for fast domain and handler tests; it passes the shared suite of
// events/storetest and agrees with the JetStream store on random command
// sequences (see events/jetstream's differential test).
package memstore

import (
	"context"
	"sync"
	"time"

	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/apperr"
)

// DefaultDuplicateWindow is how long a retry with the same idempotency key
// is recognised, as the JetStream stream's duplicate window.
const DefaultDuplicateWindow = 30 * time.Second

// Config tunes a Store. The zero Config is usable.
type Config struct {
	// DuplicateWindow is how long (in recorded time) an idempotency key is
	// remembered; 0 means DefaultDuplicateWindow.
	DuplicateWindow time.Duration
	// Clock fills in Meta.RecordedAt when an append leaves it zero. Without
	// a clock such an append is refused.
	Clock events.Clock
	// Signer signs every appended event (see events.Build); nil appends
	// unsigned events.
	Signer events.Signer
}

// Store is the in-memory event store. It is safe for concurrent use.
type Store struct {
	reg    *events.Registry
	clock  events.Clock
	signer events.Signer
	window time.Duration

	mu        sync.Mutex
	log       []events.Envelope   // log[seq-1]
	msgIDs    []string            // msgIDs[seq-1]: the event's deduplication ID
	bySubject map[string][]uint64 // subject -> sequences
	byOrg     map[string][]uint64 // org -> sequences
	owner     map[string]string   // kind + "." + id -> org of its last event
	dedup     map[string]dedupEntry
	changed   chan struct{} // closed and replaced after every append
	// checkpoints are the signed checkpoints written, oldest first.
	checkpoints []events.StoredCheckpoint
	// tails are the tail checkpoints, by their base's At.
	tails map[uint64]events.TailCheckpoint
}

type dedupEntry struct {
	seqs []uint64
	at   time.Time
}

var _ events.Store = (*Store)(nil)

// New returns an empty store that encodes payloads with reg.
func New(reg *events.Registry, cfg Config) *Store {
	w := cfg.DuplicateWindow
	if w <= 0 {
		w = DefaultDuplicateWindow
	}
	return &Store{
		reg: reg, clock: cfg.Clock, signer: cfg.Signer, window: w,
		bySubject: map[string][]uint64{}, byOrg: map[string][]uint64{},
		owner: map[string]string{}, dedup: map[string]dedupEntry{},
		changed: make(chan struct{}),
	}
}

// Append implements events.Store.
func (s *Store) Append(_ context.Context, req events.AppendRequest) ([]events.Envelope, error) {
	envs, err := events.Build(s.reg, s.clock, s.signer, req)
	if err != nil {
		return nil, err
	}
	subject := req.Ref.Subject()
	key := req.Meta.IdempotencyKey
	firstID := events.DedupID(key, 0, envs[0].ID)

	s.mu.Lock()
	defer s.mu.Unlock()

	// IDs are global: an aggregate's first events bind its ID to its
	// organisation (checked first, as the JetStream store reserves it
	// before it publishes).
	// The binding stays even if the append then fails (a conflict), as
	// the JetStream store's reservation does.
	if req.Expected.Version == 0 {
		holder, ok := s.owner[req.Ref.Kind+"."+req.Ref.ID]
		if ok && holder != req.Ref.Org {
			return nil, &events.IDTakenError{Ref: req.Ref}
		}
		s.owner[req.Ref.Kind+"."+req.Ref.ID] = req.Ref.Org
	}

	// A retry within the duplicate window gets the events first stored.
	// As on the JetStream server, a batch (several events) is checked for
	// that before the head, a single event after.
	batch := len(envs) > 1
	if batch {
		if found, ok, err := s.duplicateLocked(req, firstID, envs[0].RecordedAt); ok {
			return found, err
		}
	}
	var last, want uint64
	if req.OrgWide {
		last, want = lastOf(s.byOrg[req.Ref.Org]), req.OrgSequence
	} else {
		last, want = lastOf(s.bySubject[subject]), req.Expected.Sequence
	}
	if last != want {
		if key != "" {
			// A retry of an append that went through, decided on the
			// head before it, gets its events back at any time.
			if found := s.withKeyLocked(subject, 0, key); len(found) > 0 {
				return sameRequest(req, found)
			}
		}
		return nil, req.Conflict(s.versionLocked(subject))
	}
	if !batch {
		if found, ok, err := s.duplicateLocked(req, firstID, envs[0].RecordedAt); ok {
			return found, err
		}
	}
	seqs := make([]uint64, len(envs))
	for i := range envs {
		seq := uint64(len(s.log)) + 1
		envs[i].Sequence = seq
		seqs[i] = seq
		s.log = append(s.log, cloneEnv(envs[i]))
		s.msgIDs = append(s.msgIDs, events.DedupID(key, i, envs[i].ID))
		s.bySubject[subject] = append(s.bySubject[subject], seq)
		s.byOrg[req.Ref.Org] = append(s.byOrg[req.Ref.Org], seq)
	}
	s.owner[req.Ref.Kind+"."+req.Ref.ID] = req.Ref.Org
	if key != "" {
		s.dedup[firstID] = dedupEntry{seqs: seqs, at: envs[0].RecordedAt}
	}
	close(s.changed)
	s.changed = make(chan struct{})
	return envs, nil
}

// duplicateLocked reports whether the append's first deduplication ID was
// stored within the window, and then answers it.
func (s *Store) duplicateLocked(req events.AppendRequest, firstID string, at time.Time) (found []events.Envelope, ok bool, err error) {
	if req.Meta.IdempotencyKey == "" {
		return nil, false, nil
	}
	d, ok := s.dedup[firstID]
	if !ok || at.Sub(d.at) >= s.window {
		return nil, false, nil
	}
	found, err = s.originalsLocked(req.Ref, d.seqs)
	if err != nil {
		return nil, true, err
	}
	found, err = sameRequest(req, found)
	return found, true, err
}

// sameRequest returns found, the events first stored under the scope of
// req's idempotency key, if they were written for req's request (they
// carry its whole key), else a *events.KeyReusedError.
func sameRequest(req events.AppendRequest, found []events.Envelope) ([]events.Envelope, error) {
	if found[0].IdempotencyKey != req.Meta.IdempotencyKey {
		return nil, &events.KeyReusedError{Ref: req.Ref, Used: found[0].Ref}
	}
	return found, nil
}

// originalsLocked returns the events first stored under a repeated
// idempotency key.
func (s *Store) originalsLocked(ref events.Ref, seqs []uint64) ([]events.Envelope, error) {
	out := make([]events.Envelope, len(seqs))
	for i, seq := range seqs {
		out[i] = cloneEnv(s.log[seq-1])
	}
	if out[0].Ref != ref {
		return nil, &events.KeyReusedError{Ref: ref, Used: out[0].Ref}
	}
	return out, nil
}

// withKeyLocked returns the events of the last append to subject after
// seq whose deduplication IDs derive from the idempotency key's scope.
func (s *Store) withKeyLocked(subject string, after uint64, key string) []events.Envelope {
	var out []events.Envelope
	first := events.DedupID(key, 0, "")
	for _, seq := range s.bySubject[subject] {
		if seq <= after {
			continue
		}
		switch id := s.msgIDs[seq-1]; {
		case id == first:
			out = out[:0]
		case len(out) > 0 && id == events.DedupID(key, len(out), ""):
		default:
			continue
		}
		out = append(out, cloneEnv(s.log[seq-1]))
	}
	return out
}

func (s *Store) versionLocked(subject string) uint64 {
	seqs := s.bySubject[subject]
	if len(seqs) == 0 {
		return 0
	}
	return s.log[seqs[len(seqs)-1]-1].Version
}

func lastOf(seqs []uint64) uint64 {
	if len(seqs) == 0 {
		return 0
	}
	return seqs[len(seqs)-1]
}

// cloneEnv copies e so that callers cannot change what the store holds.
func cloneEnv(e events.Envelope) events.Envelope {
	e.Payload = append([]byte(nil), e.Payload...)
	return e
}

// Load implements events.Store.
func (s *Store) Load(_ context.Context, ref events.Ref, afterSeq uint64) ([]events.Envelope, error) {
	if err := ref.Validate(); err != nil {
		return nil, apperr.Wrap(apperr.Invalid, err, "invalid aggregate reference: %v", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pickLocked(s.bySubject[ref.Subject()], afterSeq), nil
}

// LoadOrg implements events.Store.
func (s *Store) LoadOrg(_ context.Context, org string, afterSeq uint64) ([]events.Envelope, error) {
	if !events.ValidToken(org) {
		return nil, apperr.New(apperr.Invalid, "invalid organisation %q", org)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pickLocked(s.byOrg[org], afterSeq), nil
}

// ChangedSince implements events.OrgChanges.
func (s *Store) ChangedSince(_ context.Context, org string, afterSeq uint64) ([]events.LastOf, uint64, bool, error) {
	if !events.ValidToken(org) {
		return nil, 0, false, apperr.New(apperr.Invalid, "invalid organisation %q", org)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	at := map[events.Ref]int{}
	var out []events.LastOf
	for _, seq := range s.byOrg[org] {
		if seq <= afterSeq {
			continue
		}
		ref := s.log[seq-1].Ref
		if i, ok := at[ref]; ok {
			out[i].Sequence = seq
			continue
		}
		at[ref] = len(out)
		out = append(out, events.LastOf{Ref: ref, Sequence: seq})
	}
	return out, uint64(len(s.log)), true, nil
}

func (s *Store) pickLocked(seqs []uint64, after uint64) []events.Envelope {
	var out []events.Envelope
	for _, seq := range seqs {
		if seq > after {
			out = append(out, cloneEnv(s.log[seq-1]))
		}
	}
	return out
}

// Locate implements events.Store.
func (s *Store) Locate(_ context.Context, kind, id string) (string, error) {
	if !events.ValidToken(kind) || !events.ValidToken(id) {
		return "", apperr.New(apperr.Invalid, "invalid aggregate %q/%q", kind, id)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	org, ok := s.owner[kind+"."+id]
	if !ok {
		return "", events.ErrNotFound
	}
	return org, nil
}

// Events implements events.Store.
func (s *Store) Events(ctx context.Context, from, to uint64, fn func(events.Envelope) error) error {
	s.mu.Lock()
	snap := s.log
	s.mu.Unlock()
	if to == 0 || to > uint64(len(snap)) {
		to = uint64(len(snap))
	}
	if from == 0 {
		from = 1
	}
	for seq := from; seq <= to; seq++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(cloneEnv(snap[seq-1])); err != nil {
			return err
		}
	}
	return nil
}

// Subscribe implements events.Store. It returns ctx's error when ctx ends.
func (s *Store) Subscribe(ctx context.Context, from uint64, fn func(events.Envelope) error) error {
	if from == 0 {
		from = 1
	}
	next := from
	for {
		s.mu.Lock()
		snap, changed := s.log, s.changed
		s.mu.Unlock()
		for ; next <= uint64(len(snap)); next++ {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := fn(cloneEnv(snap[next-1])); err != nil {
				return err
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-changed:
		}
	}
}

// LastSequence implements events.Store.
func (s *Store) LastSequence(context.Context) (uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return uint64(len(s.log)), nil
}

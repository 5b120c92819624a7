package memstore

import (
	"context"
	"slices"

	"github.com/erasmus-ledger/grants/events"
)

var _ events.Checkpointer = (*Store)(nil)

// WriteCheckpoint implements events.Checkpointer. The in-memory store
// keeps checkpoints beside its events: a checkpoint takes no sequence of
// its own (At is the last event's sequence when it was written).
func (s *Store) WriteCheckpoint(_ context.Context, c events.Checkpoint) (uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c.Heads = nil
	at := uint64(len(s.log))
	s.checkpoints = append(s.checkpoints, events.StoredCheckpoint{Checkpoint: c, At: at})
	return at, nil
}

// Checkpoints implements events.Checkpointer.
func (s *Store) Checkpoints(context.Context) ([]events.StoredCheckpoint, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.checkpoints), nil
}

// LatestCheckpoint implements events.Checkpointer.
func (s *Store) LatestCheckpoint(context.Context) (events.StoredCheckpoint, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.checkpoints) == 0 {
		return events.StoredCheckpoint{}, false, nil
	}
	return s.checkpoints[len(s.checkpoints)-1], true, nil
}

// CheckpointAt implements events.Checkpointer: checkpoints take no
// sequence here.
func (s *Store) CheckpointAt(context.Context, uint64) (bool, error) { return false, nil }

// Missing implements events.Checkpointer: nothing is ever lost in memory.
func (s *Store) Missing(context.Context) ([]uint64, error) { return nil, nil }

// Inject stores e as it is, without checks or sealing: a test's stand-in
// for a message published on the stream by someone else than the store
// (a forger holding NATS credentials). It returns e's sequence.
func (s *Store) Inject(e events.Envelope) (uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	seq := uint64(len(s.log)) + 1
	e.Sequence = seq
	subject := e.Ref.Subject()
	s.log = append(s.log, e)
	s.msgIDs = append(s.msgIDs, e.ID)
	s.bySubject[subject] = append(s.bySubject[subject], seq)
	s.byOrg[e.Ref.Org] = append(s.byOrg[e.Ref.Org], seq)
	s.owner[e.Ref.Kind+"."+e.Ref.ID] = e.Ref.Org
	close(s.changed)
	s.changed = make(chan struct{})
	return seq, nil
}

var _ events.TailCheckpointer = (*Store)(nil)

// WriteTailCheckpoint implements events.TailCheckpointer.
func (s *Store) WriteTailCheckpoint(_ context.Context, t events.TailCheckpoint) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tails == nil {
		s.tails = map[uint64]events.TailCheckpoint{}
	}
	t.Heads = nil
	s.tails[t.BaseAt] = t
	return nil
}

// TailCheckpoint implements events.TailCheckpointer.
func (s *Store) TailCheckpoint(_ context.Context, baseAt uint64) (events.TailCheckpoint, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tails[baseAt]
	return t, ok, nil
}

package memstore

import (
	"context"
	"sync"

	"github.com/erasmus-ledger/grants/events"
)

// Idempotency is an in-memory events.IdempotencyStore.
type Idempotency struct {
	mu   sync.Mutex
	recs map[string]events.IdempotencyRecord
}

var _ events.IdempotencyStore = (*Idempotency)(nil)

// NewIdempotency returns an empty record store.
func NewIdempotency() *Idempotency {
	return &Idempotency{recs: map[string]events.IdempotencyRecord{}}
}

// Get implements events.IdempotencyStore.
func (m *Idempotency) Get(_ context.Context, key string) (events.IdempotencyRecord, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	rec, ok := m.recs[key]
	return cloneRecord(rec), ok, nil
}

// Put implements events.IdempotencyStore.
func (m *Idempotency) Put(_ context.Context, key string, rec events.IdempotencyRecord) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.recs[key] = cloneRecord(rec)
	return nil
}

// Create implements events.IdempotencyStore.
func (m *Idempotency) Create(_ context.Context, key string, rec events.IdempotencyRecord) (events.IdempotencyRecord, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if old, ok := m.recs[key]; ok {
		return cloneRecord(old), false, nil
	}
	m.recs[key] = cloneRecord(rec)
	return events.IdempotencyRecord{}, true, nil
}

func cloneRecord(r events.IdempotencyRecord) events.IdempotencyRecord {
	r.Sequences = append([]uint64(nil), r.Sequences...)
	r.Response = append([]byte(nil), r.Response...)
	return r
}

package pii

import (
	"bytes"
	"context"
	"sync"
)

// MemoryKeys is a KeyStore in memory, for tests.
type MemoryKeys struct {
	mu sync.Mutex
	// legacy holds the one key of a subject made before issue 16.
	legacy map[string][]byte
	// keys holds the keys by sequence, current the last one of each id.
	keys    map[uint64]memoryKey
	current map[string]uint64
	seq     uint64
	erased  map[string]bool
}

type memoryKey struct {
	id      string
	wrapped []byte
}

// NewMemoryKeys returns an empty MemoryKeys.
func NewMemoryKeys() *MemoryKeys {
	return &MemoryKeys{legacy: map[string][]byte{}, keys: map[uint64]memoryKey{}, current: map[string]uint64{}, erased: map[string]bool{}}
}

// Current implements KeyStore.
func (m *MemoryKeys) Current(id string) (uint64, []byte, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.erased[id] {
		return 0, nil, false, ErrErased
	}
	seq, ok := m.current[id]
	if !ok {
		return 0, nil, false, nil
	}
	return seq, bytes.Clone(m.keys[seq].wrapped), true, nil
}

// Add implements KeyStore.
func (m *MemoryKeys) Add(_ context.Context, id string, wrapped []byte) (uint64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.erased[id] {
		return 0, ErrErased
	}
	m.seq++
	m.keys[m.seq] = memoryKey{id: id, wrapped: bytes.Clone(wrapped)}
	m.current[id] = m.seq
	return m.seq, nil
}

// Key implements KeyStore.
func (m *MemoryKeys) Key(_ context.Context, id string, seq uint64) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	k, ok := m.keys[seq]
	if m.erased[id] || !ok || k.id != id {
		return nil, ErrErased
	}
	return bytes.Clone(k.wrapped), nil
}

// Get implements KeyStore.
func (m *MemoryKeys) Get(_ context.Context, id string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.erased[id] {
		return nil, ErrErased
	}
	k, ok := m.legacy[id]
	if !ok {
		return nil, ErrNoKey
	}
	return bytes.Clone(k), nil
}

// AddLegacy stores wrapped as subject key id's one key of before issue 16
// (the bucket GRANTS_PII_KEYS), for tests of blocks sealed then
// (piitest.LegacyBlock).
func (m *MemoryKeys) AddLegacy(id string, wrapped []byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.legacy[id] = bytes.Clone(wrapped)
}

// Destroy implements KeyStore.
func (m *MemoryKeys) Destroy(_ context.Context, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if k, ok := m.legacy[id]; ok {
		clear(k)
		delete(m.legacy, id)
	}
	for seq, k := range m.keys {
		if k.id == id {
			clear(k.wrapped)
			delete(m.keys, seq)
		}
	}
	delete(m.current, id)
	m.erased[id] = true
	return nil
}

// Len returns the number of live keys.
func (m *MemoryKeys) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.keys) + len(m.legacy)
}

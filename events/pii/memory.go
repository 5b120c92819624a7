package pii

import (
	"bytes"
	"context"
	"sync"
)

// MemoryKeys is a KeyStore in memory, for tests.
type MemoryKeys struct {
	mu     sync.Mutex
	keys   map[string][]byte
	erased map[string]bool
}

// NewMemoryKeys returns an empty MemoryKeys.
func NewMemoryKeys() *MemoryKeys {
	return &MemoryKeys{keys: map[string][]byte{}, erased: map[string]bool{}}
}

// Get implements KeyStore.
func (m *MemoryKeys) Get(_ context.Context, id string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.erased[id] {
		return nil, ErrErased
	}
	k, ok := m.keys[id]
	if !ok {
		return nil, ErrNoKey
	}
	return bytes.Clone(k), nil
}

// Create implements KeyStore.
func (m *MemoryKeys) Create(_ context.Context, id string, wrapped []byte) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.erased[id] {
		return nil, ErrErased
	}
	if k, ok := m.keys[id]; ok {
		return bytes.Clone(k), nil
	}
	m.keys[id] = bytes.Clone(wrapped)
	return wrapped, nil
}

// Destroy implements KeyStore.
func (m *MemoryKeys) Destroy(_ context.Context, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if k, ok := m.keys[id]; ok {
		clear(k)
		delete(m.keys, id)
	}
	m.erased[id] = true
	return nil
}

// Len returns the number of live keys.
func (m *MemoryKeys) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.keys)
}

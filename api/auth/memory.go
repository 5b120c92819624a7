package auth

import (
	"context"
	"sync"
)

// MemoryStore is a Store in memory, for tests and single-process tools.
type MemoryStore struct {
	mu     sync.Mutex
	tokens map[string]Token
}

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore { return &MemoryStore{tokens: map[string]Token{}} }

// Put implements Store.
func (m *MemoryStore) Put(_ context.Context, t Token) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.tokens[t.Hash] = t
	return nil
}

// ByHash implements Store.
func (m *MemoryStore) ByHash(_ context.Context, hash string) (Token, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, ok := m.tokens[hash]
	if !ok {
		return Token{}, ErrNotFound
	}
	return t, nil
}

// List implements Store.
func (m *MemoryStore) List(_ context.Context) ([]Token, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]Token, 0, len(m.tokens))
	for _, t := range m.tokens {
		out = append(out, t)
	}
	return out, nil
}

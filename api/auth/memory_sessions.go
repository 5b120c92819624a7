package auth

import (
	"context"
	"sync"
)

// MemorySessionStore is a SessionStore in memory, for tests and a single
// process.
type MemorySessionStore struct {
	mu       sync.Mutex
	sessions map[string]Session
}

// NewMemorySessionStore returns an empty MemorySessionStore.
func NewMemorySessionStore() *MemorySessionStore {
	return &MemorySessionStore{sessions: map[string]Session{}}
}

// Put implements SessionStore.
func (m *MemorySessionStore) Put(_ context.Context, s Session) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sessions[s.Hash] = s
	return nil
}

// Get implements SessionStore.
func (m *MemorySessionStore) Get(_ context.Context, hash string) (Session, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.sessions[hash]
	if !ok {
		return Session{}, ErrSessionNotFound
	}
	return s, nil
}

// Delete implements SessionStore.
func (m *MemorySessionStore) Delete(_ context.Context, hash string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.sessions, hash)
	return nil
}

// List implements SessionStore.
func (m *MemorySessionStore) List(_ context.Context) ([]Session, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]Session, 0, len(m.sessions))
	for _, s := range m.sessions {
		out = append(out, s)
	}
	return out, nil
}

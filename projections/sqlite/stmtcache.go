package sqlite

import (
	"context"
	"database/sql"
	"sync"
)

// maxCachedStmts bounds the statements a read pool keeps prepared: the
// readers build their SQL from a bounded set of filters, so a few hundred
// texts cover them; beyond that a query is prepared for its one use.
const maxCachedStmts = 512

// stmtCache keeps the read queries prepared: database/sql prepares a
// cached *sql.Stmt once on each pool connection it runs on and reuses it,
// where a plain QueryContext compiles the SQL again on every call.
type stmtCache struct {
	mu sync.RWMutex
	m  map[string]*sql.Stmt
}

// get returns the prepared statement of q on r (nil when the cache is
// full: the caller runs q unprepared).
func (c *stmtCache) get(ctx context.Context, r *sql.DB, q string) (*sql.Stmt, error) {
	c.mu.RLock()
	s := c.m[q]
	c.mu.RUnlock()
	if s != nil {
		return s, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if s := c.m[q]; s != nil {
		return s, nil
	}
	if len(c.m) >= maxCachedStmts {
		return nil, nil
	}
	s, err := r.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	if c.m == nil {
		c.m = map[string]*sql.Stmt{}
	}
	c.m[q] = s
	return s, nil
}

// close closes every cached statement.
func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range c.m {
		s.Close()
	}
	c.m = nil
}

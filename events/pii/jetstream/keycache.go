package jetstream

// keyCache is a cache in two generations: a key is looked up in the
// current one, then in the previous one (and moved back into the
// current); when the current one holds max entries it becomes the
// previous one and the older entries are forgotten. Memory is bounded by
// 2*max entries, whatever the store holds; max 0 keeps every entry.
type keyCache[K comparable, V any] struct {
	max       int
	cur, prev map[K]V
}

func (c *keyCache[K, V]) get(id K) (V, bool) {
	if b, ok := c.cur[id]; ok {
		return b, true
	}
	b, ok := c.prev[id]
	if ok {
		c.put(id, b)
	}
	return b, ok
}

func (c *keyCache[K, V]) put(id K, b V) {
	if c.cur == nil || (c.max > 0 && len(c.cur) >= c.max) {
		c.prev, c.cur = c.cur, make(map[K]V, min(c.max, 1024))
	}
	c.cur[id] = b
}

func (c *keyCache[K, V]) drop(id K) {
	delete(c.cur, id)
	delete(c.prev, id)
}

package jetstream

import (
	"fmt"
	"testing"
)

// TestKeyCacheIsBounded: however many keys pass through it, the cache
// holds at most two generations, and the keys used lately stay.
func TestKeyCacheIsBounded(t *testing.T) {
	c := keyCache[string, []byte]{max: 100}
	for i := range 10_000 {
		c.put(fmt.Sprint(i), []byte{byte(i)})
		if _, ok := c.get("0"); !ok {
			t.Fatalf("after %d keys the key used with each of them was forgotten", i)
		}
	}
	if n := len(c.cur) + len(c.prev); n > 2*c.max {
		t.Fatalf("the cache holds %d keys, want at most %d", n, 2*c.max)
	}
	for i := 9_950; i < 10_000; i++ {
		if b, ok := c.get(fmt.Sprint(i)); !ok || b[0] != byte(i) {
			t.Fatalf("a recent key %d is %v, %v", i, b, ok)
		}
	}
	if _, ok := c.get("5000"); ok {
		t.Fatal("an old key unused since is still held")
	}
}

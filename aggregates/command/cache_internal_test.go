package command

import (
	"testing"

	"github.com/erasmus-ledger/grants/events"
)

// TestCacheBoundedInBytesLeastRecentlyUsedFirstOut: entries count their
// approximate bytes as they grow; beyond the bound the least recently
// used go first once idle, the one just used never while an idle one is
// left.
func TestCacheBoundedInBytesLeastRecentlyUsedFirstOut(t *testing.T) {
	c := newLRU(100, 1<<20)
	grow := func(org string, n int64) *entry {
		e := c.get(org)
		e.grown += n
		c.account(e)
		return e
	}
	has := func(org string) bool { _, ok := c.items[org]; return ok }
	grow("A", 300<<10)
	grow("B", 300<<10)
	grow("C", 300<<10)
	if !has("A") || !has("B") || !has("C") {
		t.Fatal("under the bound an entry was evicted")
	}
	for range idle * 8 {
		c.get("A") // A is used again: B is now the least recently used, and idle
	}
	grow("D", 300<<10)
	if has("B") || !has("A") || !has("C") || !has("D") {
		t.Fatalf("want B evicted, A, C, D kept: %v", c.items)
	}
	if _, bytes := c.size(); bytes > 1<<20 {
		t.Fatalf("%d bytes counted, over the bound", bytes)
	}
	grow("E", 4<<20) // alone over the bound: idle C goes, then E itself, not the busy A and D
	if n, _ := c.size(); n != 2 || has("E") || has("C") || !has("A") || !has("D") {
		t.Fatalf("after a huge entry beside busy ones: %d entries %v", n, c.items)
	}
	for range idle * 4 {
		c.get("F") // A and D go idle
	}
	c.drop("F")
	grow("E", 4<<20) // alone over the bound, the others idle: kept alone
	if n, _ := c.size(); n != 1 || !has("E") {
		t.Fatalf("after a huge entry beside idle ones: %d entries %v", n, c.items)
	}
	c.drop("E")
	if n, bytes := c.size(); n != 0 || bytes != 0 {
		t.Fatalf("after drop: %d entries, %d bytes", n, bytes)
	}
}

// TestCacheKeepsPartOfTooManyOrganisationsTakingTurns: organisations used
// in turn that hold more than the bound do not each push out the next one
// to be used (plain LRU would miss on every use); a stable part of them
// stays cached, and the bound holds.
func TestCacheKeepsPartOfTooManyOrganisationsTakingTurns(t *testing.T) {
	const orgs, each = 10, 200 << 10 // 2 MiB in turn, 1 MiB of room
	c := newLRU(100, 1<<20)
	hits := 0
	for round := range 20 {
		for i := range orgs {
			org := string(rune('A' + i))
			_, cached := c.items[org]
			e := c.get(org)
			if cached {
				if round > 0 {
					hits++
				}
				continue
			}
			e.grown += each // loaded
			c.account(e)
		}
		if _, bytes := c.size(); bytes > 1<<20 {
			t.Fatalf("round %d: %d bytes counted, over the bound", round, bytes)
		}
	}
	if min := 19 * 3; hits < min {
		t.Fatalf("%d hits in 19 rounds of %d organisations, want at least %d", hits, orgs, min)
	}
}

// TestEntryGrowsWithWhatItHolds: folding events, heads and keys counts
// their sizes; a key forgotten beyond keysPerAggregate gives its bytes
// back.
func TestEntryGrowsWithWhatItHolds(t *testing.T) {
	e := newEntry("E1")
	env := events.Envelope{Ref: events.Ref{Org: "E1", Kind: "project", ID: "P"}, Version: 1, Sequence: 1, Hash: "h", Payload: make([]byte, 1000)}
	e.setHead("project/P", env)
	if e.grown <= 0 || sizeOfEvent(&env) < 1000 {
		t.Fatalf("a head counts %d, an event of 1000 bytes %d", e.grown, sizeOfEvent(&env))
	}
	before := e.grown
	for i := range keysPerAggregate {
		e.rememberKey("project/P", string(rune('a'+i%26))+string(rune('a'+i/26)), keyUse{})
	}
	full := e.grown
	e.rememberKey("project/P", "zz", keyUse{})
	if full <= before || e.grown != full || len(e.keys) != keysPerAggregate {
		t.Fatalf("keys: before %d, %d keys %d, one more %d (%d kept)", before, keysPerAggregate, full, e.grown, len(e.keys))
	}
}

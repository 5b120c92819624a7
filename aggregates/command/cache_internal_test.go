package command

import (
	"testing"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/events"
)

// TestCacheBoundedInBytesLeastRecentlyUsedFirstOut: entries count their
// approximate bytes as they grow; beyond the bound the least recently
// used go first, the one just used never.
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
	c.get("A") // A is used again: B is now the least recently used
	grow("D", 300<<10)
	if has("B") || !has("A") || !has("C") || !has("D") {
		t.Fatalf("want B evicted, A, C, D kept: %v", c.items)
	}
	if _, bytes := c.size(); bytes > 1<<20 {
		t.Fatalf("%d bytes counted, over the bound", bytes)
	}
	grow("E", 4<<20) // alone over the bound: kept, every other entry goes
	if n, _ := c.size(); n != 1 || !has("E") {
		t.Fatalf("after a huge entry: %d entries %v", n, c.items)
	}
	c.drop("E")
	if n, bytes := c.size(); n != 0 || bytes != 0 {
		t.Fatalf("after drop: %d entries, %d bytes", n, bytes)
	}
}

// TestEntryGrowsWithWhatItHolds: folding events, heads and keys counts
// their sizes; a key forgotten beyond keysPerAggregate gives its bytes
// back.
func TestEntryGrowsWithWhatItHolds(t *testing.T) {
	e := newEntry("E1")
	env := events.Envelope{Ref: events.Ref{Org: "E1", Kind: "project", ID: "P"}, Version: 1, Sequence: 1, Hash: "h", Payload: make([]byte, 1000)}
	e.setHead("project/P", env, "")
	if e.grown <= 0 || sizeOfEvent(&env, aggregates.PaymentRecorded{}) < 1000 {
		t.Fatalf("a head counts %d, an event of 1000 bytes %d", e.grown, sizeOfEvent(&env, aggregates.PaymentRecorded{}))
	}
	// A mobility's ID hash costs the same however long its event.
	mob := aggregates.MobilityReported{Mobility: aggregates.Mobility{MobilityID: "M1", ParticipantID: "P1"}}
	if n := sizeOfEvent(&env, mob); n >= 1000 || n < 16 {
		t.Fatalf("a reported mobility counts %d", n)
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
	// The span index keeps every key, each counted once.
	e.indexKey("k1", 10)
	e.indexKey("k1", 11)
	e.indexKey("k2", 12)
	if e.grown != full+2*spanBytes || e.spans[spanHash("k1")] != (keySpan{10, 11}) || !e.mayHaveKey("k2") || e.mayHaveKey("k3") {
		t.Fatalf("span index: grown %d (want %d), spans %v", e.grown, full+2*spanBytes, e.spans)
	}
}

package events

import (
	"testing"
	"time"

	"pgregory.net/rapid"
)

// TestHashMatchesAgreesWithComputeHash: the allocation-free check of a
// replay says what ComputeHash says, for any previous hash and content.
func TestHashMatchesAgreesWithComputeHash(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		e := Envelope{ID: "id", Ref: Ref{Org: "E1", Kind: "project", ID: "p"}, Version: 2, Type: "t",
			RecordedAt: time.Unix(1, 0), OccurredAt: time.Unix(2, 0), Payload: []byte(`{"a":1}`),
			Reason: rapid.String().Draw(t, "reason")}
		prev := rapid.OneOf(rapid.StringMatching(`[0-9a-f]{64}`), rapid.String(), rapid.StringMatching(`[0-9a-f]{63}`)).Draw(t, "prev")
		e.Seal(prev)
		if !e.HashMatches() {
			t.Fatalf("a sealed event does not match its hash (prev %q)", prev)
		}
		e.Reason += "x"
		if e.HashMatches() {
			t.Fatal("a changed event still matches its hash")
		}
	})
}

package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/erasmus-ledger/grants/events"
)

// idOfAnotherOrganisation: an aggregate ID is global. The first append of
// an aggregate whose kind and ID another organisation holds is refused
// with an *events.IDTakenError and writes nothing; the holder goes on.
func idOfAnotherOrganisation(t *testing.T, f Factory) {
	h := open(t, f)
	h.mustAppend(refP1, 1)
	before := h.last()
	other := events.Ref{Org: refQ1.Org, Kind: refP1.Kind, ID: refP1.ID}
	_, err := h.store.Append(h.ctx, events.AppendRequest{Ref: other, Meta: meta(""), Events: notes("taken", 1)})
	var taken *events.IDTakenError
	if !errors.As(err, &taken) || taken.Ref != other {
		t.Fatalf("append of %s held by %s: %v, want an IDTakenError", other, refP1.Org, err)
	}
	if got := h.last(); got != before {
		t.Fatalf("a refused append wrote: last sequence %d, was %d", got, before)
	}
	if org, err := h.store.Locate(h.ctx, refP1.Kind, refP1.ID); err != nil || org != refP1.Org {
		t.Fatalf("Locate = %q, %v, want %s", org, err, refP1.Org)
	}
	h.mustAppend(refP1, 1)
}

// concurrentCreationsOfOneID: organisations that create an aggregate of
// one ID at the same time: exactly one wins, the others are refused.
func concurrentCreationsOfOneID(t *testing.T, f Factory) {
	h := open(t, f)
	const orgs = 10
	var wg sync.WaitGroup
	errs := make([]error, orgs)
	for i := range orgs {
		wg.Go(func() {
			ref := events.Ref{Org: fmt.Sprintf("E9%07d", i), Kind: "project", ID: "2024-1-FI01-KA122-SCH-RACE"}
			_, errs[i] = h.store.Append(h.ctx, events.AppendRequest{Ref: ref, Meta: meta(""), Events: notes("race", 1)})
		})
	}
	wg.Wait()
	won := -1
	for i, err := range errs {
		var taken *events.IDTakenError
		switch {
		case err == nil && won < 0:
			won = i
		case err == nil:
			t.Fatalf("organisations %d and %d both created the ID", won, i)
		case !errors.As(err, &taken):
			t.Fatalf("organisation %d: %v, want an IDTakenError", i, err)
		}
	}
	if won < 0 {
		t.Fatal("no organisation created the ID")
	}
	org, err := h.store.Locate(h.ctx, "project", "2024-1-FI01-KA122-SCH-RACE")
	if want := fmt.Sprintf("E9%07d", won); err != nil || org != want {
		t.Fatalf("Locate = %q, %v, want the winner %s", org, err, want)
	}
}

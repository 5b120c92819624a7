package sqlite

import (
	"context"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/memstore"
	"github.com/erasmus-ledger/grants/events/storetest"
)

// countingOwn counts the events its RecentSigner recognises.
type countingOwn struct {
	rs *events.RecentSigner
	n  atomic.Int64
}

func (c *countingOwn) SignedHere(e *events.Envelope) bool {
	ok := c.rs.SignedHere(e)
	if ok {
		c.n.Add(1)
	}
	return ok
}

// TestProjectorSkipsOnlyItsOwnSignatures: the events this process signed
// are recognised (their signatures are not verified again), while an event
// carrying one of those signatures over another hash is still verified and
// quarantined.
func TestProjectorSkipsOnlyItsOwnSignatures(t *testing.T) {
	ctx := context.Background()
	reg := aggregates.Registry()
	rs := events.NewRecentSigner(storetest.Signer, 16)
	src := memstore.New(reg, memstore.Config{Signer: rs})
	db := openDB(t, filepath.Join(t.TempDir(), "grants.db"))
	own := &countingOwn{rs: rs}
	cfg := ProjectorConfig{Registry: reg, KeyRing: storetest.KeyRing(), OwnSignatures: own}
	ref := events.Ref{Org: "E10000001", Kind: aggregates.KindOrganisation, ID: "E10000001"}
	first, err := src.Append(ctx, events.AppendRequest{Ref: ref, Meta: events.Meta{RecordedAt: testTime},
		Events: []events.Draft{{Payload: aggregates.OrganisationRegistered{OID: "E10000001", LegalName: "Koulu", Country: "FI", City: "Oulu", Kind: "school"}}}})
	if err != nil {
		t.Fatal(err)
	}
	// The next event of the chain, built elsewhere and given the first
	// event's signature (one this process made, for another hash).
	replayed, err := events.Build(reg, nil, storetest.Signer, events.AppendRequest{Ref: ref, Expected: events.HeadOf(first[0]),
		Meta:   events.Meta{RecordedAt: testTime},
		Events: []events.Draft{{Payload: aggregates.OrganisationRegistered{OID: "E10000001", LegalName: "Forged Oy", Country: "FI", City: "Oulu", Kind: "school"}}}})
	if err != nil {
		t.Fatal(err)
	}
	replayed[0].Signature = first[0].Signature
	seq, _ := src.Inject(replayed[0])
	catchUp(t, db, nil, cfg, src)

	if n := own.n.Load(); n != 1 {
		t.Fatalf("the projector recognised %d of its own events, want 1", n)
	}
	if o, err := db.Organisation(ctx, "E10000001"); err != nil || o.Name != "Koulu" {
		t.Fatalf("organisation %+v %v", o, err)
	}
	q, err := db.Quarantine(ctx)
	if err != nil || len(q) != 1 || q[0].Sequence != seq || q[0].Kind != events.ProblemSignature {
		t.Fatalf("quarantine %+v %v", q, err)
	}
}

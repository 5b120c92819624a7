package sqlite

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"path/filepath"
	"testing"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/memstore"
	"github.com/erasmus-ledger/grants/events/storetest"
)

// TestProjectorQuarantinesAForgeryAndGoesOn: an event that no service key
// signed, correctly chained, is kept out of the read models and listed in
// the quarantine, while the events after it (another organisation's and,
// once the office resolved it, its own aggregate's) are applied, across
// restarts of the projector.
func TestProjectorQuarantinesAForgeryAndGoesOn(t *testing.T) {
	ctx := context.Background()
	reg := aggregates.Registry()
	src := memstore.New(reg, memstore.Config{Signer: storetest.Signer})
	db := openDB(t, filepath.Join(t.TempDir(), "grants.db"))
	cfg := ProjectorConfig{Registry: reg, KeyRing: storetest.KeyRing()}
	register := func(oid, name string, head events.Head) []events.Envelope {
		t.Helper()
		envs, err := src.Append(ctx, events.AppendRequest{Ref: events.Ref{Org: oid, Kind: aggregates.KindOrganisation, ID: oid}, Expected: head,
			Meta: events.Meta{RecordedAt: testTime}, Events: []events.Draft{{Payload: aggregates.OrganisationRegistered{OID: oid, LegalName: name, Country: "FI", City: "Oulu", Kind: "school"}}}})
		if err != nil {
			t.Fatal(err)
		}
		return envs
	}
	first := register("E10000001", "Koulu", events.Head{})
	// The forgery: the project's own builder, another key.
	sum := sha256.Sum256([]byte("forger"))
	forged, err := events.Build(reg, nil, events.NewEd25519Signer(ed25519.NewKeyFromSeed(sum[:])), events.AppendRequest{Ref: first[0].Ref,
		Expected: events.HeadOf(first[0]), Meta: events.Meta{RecordedAt: testTime},
		Events: []events.Draft{{Payload: aggregates.OrganisationRegistered{OID: "E10000001", LegalName: "Forged Oy", Country: "FI", City: "Oulu", Kind: "school"}}}})
	if err != nil {
		t.Fatal(err)
	}
	forgedSeq, _ := src.Inject(forged[0])
	register("E20000002", "Toinen", events.Head{})
	catchUp(t, db, nil, cfg, src)

	if o, err := db.Organisation(ctx, "E10000001"); err != nil || o.Name != "Koulu" {
		t.Fatalf("the forgery was applied: %+v %v", o, err)
	}
	if _, err := db.Organisation(ctx, "E20000002"); err != nil {
		t.Fatalf("another organisation after the forgery: %v", err)
	}
	q, err := db.Quarantine(ctx)
	if err != nil || len(q) != 1 || q[0].Sequence != forgedSeq || q[0].Kind != events.ProblemSignature || q[0].ResolvedBy != 0 ||
		q[0].Subject != "grants.E10000001.organisation.E10000001" {
		t.Fatalf("quarantine %+v %v", q, err)
	}

	// The office resolves it; the aggregate goes on from its last valid
	// event, and a new projector (restarted) follows the chain.
	res, err := src.Append(ctx, events.AppendRequest{Ref: first[0].Ref, Expected: events.Head{Version: 1, Hash: first[0].Hash, Sequence: forgedSeq},
		Meta: events.Meta{RecordedAt: testTime}, Events: []events.Draft{{Payload: events.DamageResolved{Sequence: forgedSeq, Resolution: "dismissed"}}}})
	if err != nil {
		t.Fatal(err)
	}
	register("E10000001", "Koulu Uusi", events.HeadOf(res[0]))
	catchUp(t, db, nil, cfg, src)
	q, err = db.Quarantine(ctx)
	if err != nil || len(q) != 1 || q[0].ResolvedBy != res[0].Sequence {
		t.Fatalf("quarantine after the resolution %+v %v", q, err)
	}
	if o, err := db.Organisation(ctx, "E10000001"); err != nil || o.Name != "Koulu Uusi" {
		t.Fatalf("the event after the resolution: %+v %v", o, err)
	}
}

package command_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/aggregates/command"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/apperr"
	"github.com/erasmus-ledger/grants/events/memstore"
	"github.com/erasmus-ledger/grants/events/storetest"
)

// ownCount counts the events a RecentSigner recognises as its own.
type ownCount struct {
	rs  *events.RecentSigner
	own atomic.Int64
}

func (o *ownCount) SignedHere(e *events.Envelope) bool {
	ok := o.rs.SignedHere(e)
	if ok {
		o.own.Add(1)
	}
	return ok
}

// TestOwnEventsAreNotVerifiedAgainButForgeriesStillAre: with the store's
// signer remembering its signatures, the handler folds the events it has
// just appended without verifying their signatures again (each one is
// recognised as its own); an event stored with a copy of one of those
// signatures but other content, or signed by another key, is still
// refused (LEDGER-DAMAGED).
func TestOwnEventsAreNotVerifiedAgainButForgeriesStillAre(t *testing.T) {
	ctx := context.Background()
	c := newClock("2024-03-01T10:00:00Z")
	reg := aggregates.Registry()
	rs := events.NewRecentSigner(storetest.Signer, 64)
	st := memstore.New(reg, memstore.Config{Signer: rs})
	own := &ownCount{rs: rs}
	h := command.New(st, domain(t), reg, c, command.Config{KeyRing: storetest.KeyRing(), OwnSignatures: own})
	first := mustHandle(t, h, office, register())
	apply := aggregates.ApplyForAccreditation{OID: org, AccreditationID: "ACC-1", Field: aggregates.FieldSchool, Kind: "single", StrategyAttached: true,
		Plan: aggregates.ErasmusPlan{FromYear: 2024, ToYear: 2027, Objectives: []aggregates.Objective{{Text: "languages", Indicators: []string{"CEFR"}}}}}
	second := mustHandle(t, h, office, apply)
	if n := own.own.Load(); n != 2 {
		t.Fatalf("%d of 2 own events recognised as own", n)
	}

	// A copy of the last event with other content under its signature.
	forged, err := events.Build(reg, c, nil, events.AppendRequest{Ref: first.Ref, Expected: events.HeadOf(second.Events[0]),
		Events: []events.Draft{{Payload: aggregates.OrganisationRegistered{OID: org, LegalName: "Forged Oy", Country: "FI", City: "Turku", Kind: aggregates.OrgSchool}}}})
	if err != nil {
		t.Fatal(err)
	}
	forged[0].KeyID, forged[0].Signature = second.Events[0].KeyID, second.Events[0].Signature
	if _, err := st.Inject(forged[0]); err != nil {
		t.Fatal(err)
	}
	fresh := command.New(st, domain(t), reg, c, command.Config{KeyRing: storetest.KeyRing(), OwnSignatures: own})
	_, err = fresh.Handle(ctx, command.Request{Command: aggregates.ApplyForAccreditation{OID: org, AccreditationID: "ACC-2", Field: aggregates.FieldVET, Kind: "single", StrategyAttached: true,
		Plan: apply.Plan}, Actor: office})
	if ae := apperr.As(err); err == nil || ae.Rule != command.RuleDamaged || !strings.Contains(ae.Message, "sequence 3") {
		t.Fatalf("a write after a forgery carrying a copied signature: %v", err)
	}
}

package command_test

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"strings"
	"testing"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/aggregates/command"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/apperr"
	"github.com/erasmus-ledger/grants/events/memstore"
	"github.com/erasmus-ledger/grants/events/storetest"
)

// TestLedgerDamagedRefusesWritesUntilResolved: a correctly chained event
// no service key signed is never decided on; its aggregate refuses every
// command (LEDGER-DAMAGED, naming the sequence) but the office's
// ResolveDamage, which needs the national office and a reason; after it
// the aggregate accepts writes, its chain going on from its last valid
// event.
func TestLedgerDamagedRefusesWritesUntilResolved(t *testing.T) {
	ctx := context.Background()
	c := newClock("2024-03-01T10:00:00Z")
	reg := aggregates.Registry()
	st := memstore.New(reg, memstore.Config{Signer: storetest.Signer})
	h := command.New(st, domain(t), reg, c, command.Config{KeyRing: storetest.KeyRing()})
	first := mustHandle(t, h, office, register())

	sum := sha256.Sum256([]byte("forger"))
	forged, err := events.Build(reg, c, events.NewEd25519Signer(ed25519.NewKeyFromSeed(sum[:])), events.AppendRequest{Ref: first.Ref,
		Expected: events.HeadOf(first.Events[0]),
		Events:   []events.Draft{{Payload: aggregates.OrganisationRegistered{OID: org, LegalName: "Forged Oy", Country: "FI", City: "Turku", Kind: aggregates.OrgSchool}}}})
	if err != nil {
		t.Fatal(err)
	}
	seq, _ := st.Inject(forged[0])

	// A fresh handler (nothing cached) loads the aggregate with the forgery.
	h = command.New(st, domain(t), reg, c, command.Config{KeyRing: storetest.KeyRing()})
	apply := aggregates.ApplyForAccreditation{OID: org, AccreditationID: "ACC-1", Field: aggregates.FieldSchool, Kind: "single", StrategyAttached: true,
		Plan: aggregates.ErasmusPlan{FromYear: 2024, ToYear: 2027, Objectives: []aggregates.Objective{{Text: "languages", Indicators: []string{"CEFR"}}}}}
	_, err = h.Handle(ctx, command.Request{Command: apply, Actor: office})
	if ae := apperr.As(err); ae == nil || ae.Rule != command.RuleDamaged || !strings.Contains(ae.Message, "sequence 2") {
		t.Fatalf("a write to the damaged aggregate: %v", err)
	}
	resolve := command.ResolveDamage{Kind: aggregates.KindOrganisation, ID: org, Sequence: seq, Resolution: command.ResolutionDismissed}
	for _, tc := range []struct {
		name  string
		req   command.Request
		field string
	}{
		{"a beneficiary may not resolve", command.Request{Command: resolve, Actor: school, Reason: "mine"}, ""},
		{"a resolution needs a reason", command.Request{Command: resolve, Actor: office}, "Grants-Reason"},
		{"only an open problem or a lost sequence", command.Request{Command: command.ResolveDamage{Kind: aggregates.KindOrganisation, ID: org, Sequence: 1, Resolution: "dismissed"}, Actor: office, Reason: "x"}, "sequence"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := h.Handle(ctx, tc.req); err == nil || apperr.As(err).Field != tc.field {
				t.Fatalf("%v, want a refusal naming %q", err, tc.field)
			}
		})
	}
	res, err := h.Handle(ctx, command.Request{Command: resolve, Actor: office, Reason: "forged by a process with NATS access"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Version != 2 || res.Events[0].PrevHash != first.Events[0].Hash {
		t.Fatalf("the resolution does not continue from the last valid event: %+v", res.Events[0])
	}
	done, err := h.Handle(ctx, command.Request{Command: apply, Actor: office})
	if err != nil || done.Version != 3 {
		t.Fatalf("a write after the resolution: %+v %v", done, err)
	}
	rep, _, err := events.VerifyStore(ctx, st, storetest.KeyRing(), events.VerifyOptions{})
	if err != nil || !rep.Valid || len(rep.Problems) != 1 || !rep.Problems[0].Resolved {
		t.Fatalf("verification after the resolution: %+v %v", rep, err)
	}
}

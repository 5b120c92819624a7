package sqlite

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/events"
)

// mysteryHappened is an event type this build's read models do not know.
type mysteryHappened struct {
	What string `json:"what"`
}

func TestUnknownEventTypeStopsTheProjectorAfterTheEventsBeforeIt(t *testing.T) {
	reg := aggregates.Registry()
	reg.Register("MysteryHappened", 1, mysteryHappened{}, nil)
	s := openStore(t, reg)
	ctx := testCtx(t)
	ref := events.Ref{Org: "E00000001", Kind: aggregates.KindOrganisation, ID: "E00000001"}
	meta := events.Meta{Actor: events.Actor{UserID: "u", Role: aggregates.RoleNationalOffice}, RecordedAt: testTime}
	envs, err := s.Append(ctx, events.AppendRequest{Ref: ref, Meta: meta, Events: []events.Draft{
		{Payload: aggregates.OrganisationRegistered{OID: ref.ID, LegalName: "Koulu", Country: "FI", City: "Oulu", Kind: aggregates.OrgSchool}, OccurredAt: testTime},
		{Payload: mysteryHappened{What: "?"}, OccurredAt: testTime},
		{Payload: aggregates.AccreditationApplied{OID: ref.ID, AccreditationID: "A1", Field: "school", Kind: "single"}, OccurredAt: testTime},
	}})
	if err != nil {
		t.Fatal(err)
	}
	db := openDB(t, filepath.Join(t.TempDir(), "grants.db"))
	p, err := NewProjector(db, ProjectorConfig{})
	if err != nil {
		t.Fatal(err)
	}
	// Live mode: Run must stop by itself, not wait for more events.
	err = p.Run(ctx, s)
	if !errors.Is(err, ErrUnknownEvent) || !strings.Contains(err.Error(), "MysteryHappened") || !strings.Contains(err.Error(), "sequence 2") {
		t.Fatalf("got %v, want an unknown-event error naming MysteryHappened at sequence 2", err)
	}
	if db.Checkpoint() != envs[0].Sequence {
		t.Fatalf("checkpoint %d, want %d (the event before the unknown one)", db.Checkpoint(), envs[0].Sequence)
	}
	if _, err := db.Organisation(context.Background(), ref.ID); err != nil {
		t.Fatalf("the event before the unknown one is not projected: %v", err)
	}
	// Restarting does not skip it either.
	if _, err := p.CatchUp(ctx, s, Until{}); !errors.Is(err, ErrUnknownEvent) {
		t.Fatalf("restart: got %v, want the unknown-event error again", err)
	}
}

func TestEveryRegisteredEventTypeHasAProjection(t *testing.T) {
	hs := handlers()
	for _, name := range aggregates.Registry().Names() {
		if hs[name] == nil {
			t.Errorf("event type %s has no projection", name)
		}
	}
	for name := range hs {
		if _, ok := aggregates.Registry().Lookup(name); !ok {
			t.Errorf("projection for %s, which is not a registered event type", name)
		}
	}
}

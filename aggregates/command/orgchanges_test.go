package command_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/aggregates/command"
	"github.com/erasmus-ledger/grants/events"
)

// changesStore is the real store, counting the events its loads return.
type changesStore struct {
	events.Store
	changes events.OrgChanges
	loaded  *atomic.Int64
	orgLoad *atomic.Int64
}

func (s changesStore) Load(ctx context.Context, ref events.Ref, after uint64) ([]events.Envelope, error) {
	envs, err := s.Store.Load(ctx, ref, after)
	s.loaded.Add(int64(len(envs)))
	return envs, err
}

func (s changesStore) LoadOrg(ctx context.Context, org string, after uint64) ([]events.Envelope, error) {
	envs, err := s.Store.LoadOrg(ctx, org, after)
	if org != aggregates.OfficeOrg {
		// (The national office's reference data is read on its own.)
		s.loaded.Add(int64(len(envs)))
		s.orgLoad.Add(1)
	}
	return envs, err
}

func (s changesStore) ChangedSince(ctx context.Context, org string, after uint64) ([]events.LastOf, uint64, bool, error) {
	return s.changes.ChangedSince(ctx, org, after)
}

// TestOrgWideCommandReadsOnlyWhatMoved: an organisation-wide command after
// many reports on a project this handler follows reads no event again
// (the store names the aggregates that moved, the handler has them all),
// and one after another instance's report reads that report alone; the
// organisation-wide append then goes through on the first attempt.
func TestOrgWideCommandReadsOnlyWhatMoved(t *testing.T) {
	js := jsStore(t)
	var loaded, orgLoads atomic.Int64
	st := changesStore{Store: js, changes: js, loaded: &loaded, orgLoad: &orgLoads}
	clk := newClock("2024-01-15T10:00:00Z")
	reg := aggregates.Registry()
	h := command.New(st, domain(t), reg, clk, command.Config{})
	id := projectID(1)
	mustHandle(t, h, office, register())
	mustHandle(t, h, office, ka122(id, 1))
	mustHandle(t, h, office, aggregates.AssessEligibility{ProjectID: id, Outcome: aggregates.OutcomeEligible})
	mustHandle(t, h, office, aggregates.DecideApplication{ProjectID: id, Outcome: aggregates.OutcomeApproved, AwardedCents: 5000000})
	mustHandle(t, h, office, aggregates.SignGrantAgreement{ProjectID: id})
	clk.set(clk.Now().AddDate(1, 5, 0))
	mob := func(i int) aggregates.Mobility {
		return aggregates.Mobility{MobilityID: fmt.Sprintf("M%03d", i), ParticipantID: fmt.Sprintf("P%03d", i),
			Activity: "OA-PREP-VISIT", StartDate: date("2024-09-02"), EndDate: date("2024-09-04"),
			SendingOrganisation: "Testikoulu", ReceivingOrganisation: "Schule Berlin", SendingCountry: "FI",
			ReceivingCountry: "DE", ReceivingCity: "Berlin", DistanceKm: 1100}
	}
	for i := range 60 {
		mustHandle(t, h, school, aggregates.ReportMobility{ProjectID: id, Mobility: mob(i)})
	}
	loaded.Store(0)
	orgLoads.Store(0)
	before, err := h.Portfolio(context.Background(), org)
	if err != nil {
		t.Fatal(err)
	}
	if n := loaded.Load(); n != 0 || orgLoads.Load() != 0 {
		t.Fatalf("the organisation-wide catch-up read %d events (%d LoadOrg) after reports it had folded", n, orgLoads.Load())
	}
	other := command.New(js, domain(t), reg, clk, command.Config{})
	mustHandle(t, other, school, aggregates.ReportMobility{ProjectID: id, Mobility: mob(60)})
	res, err := h.Handle(context.Background(), command.Request{Command: ka122(projectID(2), 2), Actor: office, EffectiveAt: date("2024-01-20").Time()})
	if err != nil {
		t.Fatal(err)
	}
	if n := loaded.Load(); n != 1 || orgLoads.Load() != 0 {
		t.Fatalf("the organisation-wide command read %d events (%d LoadOrg) after one report elsewhere", n, orgLoads.Load())
	}
	after, err := h.Portfolio(context.Background(), org)
	if err != nil {
		t.Fatal(err)
	}
	if after.Projects[id].ReportedCents <= before.Projects[id].ReportedCents || after.Projects[projectID(2)].ID == "" || res.Version != 1 {
		t.Fatalf("the other instance's report or the application is missing: %d then %d cents, %+v", before.Projects[id].ReportedCents, after.Projects[id].ReportedCents, res)
	}
}

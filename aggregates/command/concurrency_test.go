package command_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/aggregates/command"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/apperr"
)

// rounds are six KA122 rounds, each with an effective submission time
// before its deadline and a project period after it.
var rounds = []struct {
	year, round int
	submit      string
	start, end  string
}{
	{2022, 1, "2022-02-01T09:00:00Z", "2022-06-01", "2023-05-31"},
	{2022, 2, "2022-09-20T09:00:00Z", "2023-01-01", "2023-12-31"},
	{2023, 1, "2023-02-01T09:00:00Z", "2023-06-01", "2024-05-31"},
	{2023, 2, "2023-09-20T09:00:00Z", "2024-01-01", "2024-12-31"},
	{2024, 1, "2024-02-01T09:00:00Z", "2024-06-01", "2025-05-31"},
	{2024, 2, "2024-09-20T09:00:00Z", "2025-01-01", "2025-12-31"},
}

// TestKA122MaxProjectsHoldsUnderConcurrency proves KA122-MAX-PROJECTS across
// processes: six handlers with their own caches (as six instances of the
// service would have) approve six eligible KA122 applications of one
// organisation at the same time on the real event store. The
// organisation-wide consistency boundary lets exactly three through.
func TestKA122MaxProjectsHoldsUnderConcurrency(t *testing.T) {
	st := jsStore(t)
	reg := aggregates.Registry()
	clk := newClock("2025-01-10T10:00:00Z")
	setup := command.New(st, domain(t), reg, clk, command.Config{})
	ctx := context.Background()
	mustHandle(t, setup, school, register())
	for i, r := range rounds {
		eff, _ := time.Parse(time.RFC3339, r.submit)
		app := ka122(projectID(i), r.round)
		app.CallYear, app.StartDate, app.EndDate = r.year, date(r.start), date(r.end)
		if _, err := setup.Handle(ctx, command.Request{Command: app, Actor: office, EffectiveAt: eff, Reason: "migrated from the legacy register"}); err != nil {
			t.Fatalf("submit %d/%d: %v", r.year, r.round, err)
		}
		mustHandle(t, setup, office, aggregates.AssessEligibility{ProjectID: projectID(i), Outcome: aggregates.OutcomeEligible})
	}

	var wg sync.WaitGroup
	errs := make([]error, len(rounds))
	start := make(chan struct{})
	for i := range rounds {
		h := command.New(st, domain(t), reg, clk, command.Config{MaxRetries: 20})
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, errs[i] = h.Handle(ctx, command.Request{Command: aggregates.DecideApplication{ProjectID: projectID(i), Outcome: aggregates.OutcomeApproved, AwardedCents: 5000000}, Actor: office})
		}()
	}
	close(start)
	wg.Wait()

	approved, refused := 0, 0
	for i, err := range errs {
		switch {
		case err == nil:
			approved++
		case apperr.As(err).Rule == "KA122-MAX-PROJECTS":
			refused++
		default:
			t.Errorf("approval %d: unexpected error %v", i, err)
		}
	}
	if approved != 3 || refused != 3 {
		t.Fatalf("KA122-MAX-PROJECTS: %d approved and %d refused, want 3 and 3", approved, refused)
	}
	// The stored history agrees: a fresh handler sees exactly three.
	p, err := command.New(st, domain(t), reg, clk, command.Config{}).Portfolio(ctx, org)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, pr := range p.Projects {
		if pr.Approved {
			n++
		}
	}
	if n != 3 {
		t.Fatalf("the event history holds %d approved KA122 projects, want 3", n)
	}
}

// TestCallOnePerRoundHoldsUnderConcurrency proves CALL-ONE-PER-ROUND across
// processes: two instances submit two KA122 applications of the same round
// at once; one is refused.
func TestCallOnePerRoundHoldsUnderConcurrency(t *testing.T) {
	st := jsStore(t)
	reg := aggregates.Registry()
	clk := newClock("2024-01-15T10:00:00Z")
	mustHandle(t, command.New(st, domain(t), reg, clk, command.Config{}), school, register())
	const n = 4
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		h := command.New(st, domain(t), reg, clk, command.Config{MaxRetries: 20})
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, errs[i] = h.Handle(context.Background(), command.Request{Command: ka122(projectID(i), 1), Actor: school})
		}()
	}
	close(start)
	wg.Wait()
	ok := 0
	for i, err := range errs {
		switch {
		case err == nil:
			ok++
		case apperr.As(err).Rule != "CALL-ONE-PER-ROUND":
			t.Errorf("submission %d: unexpected error %v", i, err)
		}
	}
	if ok != 1 {
		t.Fatalf("CALL-ONE-PER-ROUND: %d of %d simultaneous KA122 applications of one round were accepted, want 1", ok, n)
	}
}

// TestConflictRetryAcrossInstances: two instances with stale caches report
// mobilities on one project in turn; each conflict is caught up and retried,
// and versions stay 1..N without gaps.
func TestConflictRetryAcrossInstances(t *testing.T) {
	st := jsStore(t)
	reg := aggregates.Registry()
	clk := newClock("2024-01-15T10:00:00Z")
	a := command.New(st, domain(t), reg, clk, command.Config{})
	b := command.New(st, domain(t), reg, clk, command.Config{})
	mustHandle(t, a, school, register())
	mustHandle(t, a, school, ka122(projectID(1), 1))
	// b caches the project at version 1.
	if _, err := b.Handle(context.Background(), command.Request{Command: aggregates.AssessEligibility{ProjectID: projectID(1), Outcome: aggregates.OutcomeEligible}, Actor: office}); err != nil {
		t.Fatal(err)
	}
	// a is now stale (version 1 cached, store at 2): its decision conflicts,
	// catches up and succeeds at version 3.
	res, err := a.Handle(context.Background(), command.Request{Command: aggregates.DecideApplication{ProjectID: projectID(1), Outcome: aggregates.OutcomeApproved, AwardedCents: 5000000}, Actor: office})
	if err != nil {
		t.Fatal(err)
	}
	if res.Version != 3 {
		t.Fatalf("version after the retried decision = %d, want 3", res.Version)
	}
	envs, err := st.Load(context.Background(), res.Ref, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := events.VerifyChain(envs); err != nil {
		t.Fatal(err)
	}
	if len(envs) != 3 {
		t.Fatalf("%d events, want 3", len(envs))
	}
	var conflict *events.ConflictError
	if errors.As(err, &conflict) {
		t.Fatal("conflict leaked to the caller")
	}
}

package command_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/aggregates/command"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/apperr"
)

// applicationOf is the KA122 application of project id by organisation oid.
func applicationOf(oid, id string) aggregates.SubmitApplication {
	app := ka122(id, 1)
	app.OID = oid
	return app
}

// registerOrg registers organisation oid.
func registerOrg(t testing.TB, h *command.Handler, oid string) {
	t.Helper()
	mustHandle(t, h, office, aggregates.RegisterOrganisation{OID: oid, LegalName: "Koulu", Country: "FI", City: "Oulu", Kind: aggregates.OrgSchool})
}

// TestOneProjectIDConcurrentlyOneOrganisationWins: organisations on two
// instances (handlers with their own caches and locks) apply at the same
// time with one project ID: exactly one application is recorded, the
// others are refused on project_id as a conflict, and the project is the
// winner's.
func TestOneProjectIDConcurrentlyOneOrganisationWins(t *testing.T) {
	st := jsStore(t)
	clk := newClock("2024-01-15T10:00:00Z")
	hs := []*command.Handler{
		command.New(st, domain(t), aggregates.Registry(), clk, command.Config{}),
		command.New(st, domain(t), aggregates.Registry(), clk, command.Config{}),
	}
	const orgs = 8
	for i := range orgs {
		registerOrg(t, hs[0], fmt.Sprintf("E7%07d", i))
	}
	id := projectID(42)
	errs := make([]error, orgs)
	var wg sync.WaitGroup
	for i := range orgs {
		wg.Go(func() {
			_, errs[i] = hs[i%2].Handle(context.Background(), command.Request{Command: applicationOf(fmt.Sprintf("E7%07d", i), id), Actor: office})
		})
	}
	wg.Wait()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner < 0:
			winner = i
		case err == nil:
			t.Fatalf("organisations %d and %d both hold project %s", winner, i, id)
		default:
			if e := apperr.As(err); e.Code != apperr.Conflict || e.Field != "project_id" {
				t.Fatalf("organisation %d: %v (%s %s), want a conflict on project_id", i, err, e.Code, e.Field)
			}
		}
	}
	if winner < 0 {
		t.Fatal("no application was recorded")
	}
	for _, h := range hs {
		if org, err := h.Locate(context.Background(), aggregates.KindProject, id); err != nil || org != fmt.Sprintf("E7%07d", winner) {
			t.Fatalf("project %s located in %q, %v; want the winner", id, org, err)
		}
	}
	for i := range orgs {
		envs, err := st.Load(context.Background(), events.Ref{Org: fmt.Sprintf("E7%07d", i), Kind: aggregates.KindProject, ID: id}, 0)
		if want := map[bool]int{true: 1, false: 0}[i == winner]; err != nil || len(envs) != want {
			t.Fatalf("organisation %d: %d events of the project, want %d (%v)", i, len(envs), want, err)
		}
	}
}

// BenchmarkSubmitApplication submits applications of new organisations
// (registered outside the timing) on the real store beside orgs other
// organisations: a new project ID is checked unique by one direct look-up,
// so the cost does not grow with the organisations.
func BenchmarkSubmitApplication(b *testing.B) {
	for _, orgs := range []int{100, 25000} {
		b.Run(fmt.Sprintf("organisations=%d", orgs), func(b *testing.B) {
			st := jsStore(b)
			clk := newClock("2024-01-15T10:00:00Z")
			h := command.New(st, domain(b), aggregates.Registry(), clk, command.Config{})
			ctx := context.Background()
			// The others: each registered with a project, written in
			// parallel (the group commit shares the fsyncs).
			var wg sync.WaitGroup
			for w := range 32 {
				wg.Go(func() {
					for i := w; i < orgs; i += 32 {
						oid := fmt.Sprintf("E5%07d", i)
						if _, err := h.Handle(ctx, command.Request{Command: aggregates.RegisterOrganisation{OID: oid, LegalName: "Koulu", Country: "FI", City: "Oulu", Kind: aggregates.OrgSchool}, Actor: office}); err != nil {
							b.Error(err)
							return
						}
						if _, err := h.Handle(ctx, command.Request{Command: applicationOf(oid, fmt.Sprintf("2024-1-FI01-KA122-SCH-5%08d", i)), Actor: office}); err != nil {
							b.Error(err)
							return
						}
					}
				})
			}
			wg.Wait()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				oid := fmt.Sprintf("E6%07d", i)
				registerOrg(b, h, oid)
				b.StartTimer()
				if _, err := h.Handle(ctx, command.Request{Command: applicationOf(oid, fmt.Sprintf("2024-1-FI01-KA122-SCH-6%08d", i)), Actor: office}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

package command_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/aggregates/command"
	"github.com/erasmus-ledger/grants/events/apperr"
)

// ka122Round2 is ka122 in the second round of call 2024.
func ka122Round2(id string) aggregates.SubmitApplication {
	c := ka122(id, 2)
	c.StartDate, c.EndDate = date("2024-09-01"), date("2025-08-31")
	return c
}

// TestWarmApplicationLoadsNothing: an organisation-wide command on a
// handler that holds the whole organisation (it caught up, and wrote every
// event since) reads nothing of the organisation before its append, whose
// expectation of grants.<org>.> stands for the catch-up; only the office's
// reference data is scanned.
func TestWarmApplicationLoadsNothing(t *testing.T) {
	st := jsStore(t)
	n := &calls{}
	clk := newClock("2024-01-15T10:00:00Z")
	h := command.New(countingStore{st, n}, domain(t), aggregates.Registry(), clk, command.Config{})
	mustHandle(t, h, school, register())
	mustHandle(t, h, school, ka122(projectID(1), 1))
	n.take()
	mustHandle(t, h, school, ka122Round2(projectID(2)))
	want := map[string]int{"Append": 1, "LoadOrg " + aggregates.OfficeOrg: 1}
	if got := n.take(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("warm application: calls %v, want %v", got, want)
	}
	// After a single-aggregate command the handler cannot tell what else
	// the organisation received meanwhile: the next application catches up.
	mustHandle(t, h, office, aggregates.AssessEligibility{ProjectID: projectID(1), Outcome: aggregates.OutcomeEligible})
	n.take()
	mustHandle(t, h, office, aggregates.DecideApplication{ProjectID: projectID(1), Outcome: aggregates.OutcomeApproved, AwardedCents: 5000000})
	if got := n.take(); got["LoadOrg "+org] != 1 {
		t.Fatalf("application after a single-aggregate command: calls %v, want one LoadOrg of %s", got, org)
	}
}

// TestWarmApplicationSeesAnotherInstance: CALL-ONE-PER-ROUND holds when
// another instance submitted for the round after this handler last caught
// up: the append, expecting the organisation unchanged, conflicts, and the
// decision taken again on the caught-up state refuses.
func TestWarmApplicationSeesAnotherInstance(t *testing.T) {
	st := jsStore(t)
	clk := newClock("2024-01-15T10:00:00Z")
	a := command.New(st, domain(t), aggregates.Registry(), clk, command.Config{})
	b := command.New(st, domain(t), aggregates.Registry(), clk, command.Config{})
	mustHandle(t, a, school, register())
	mustHandle(t, a, school, ka122(projectID(1), 1))
	mustHandle(t, b, school, ka122Round2(projectID(2)))
	_, err := a.Handle(context.Background(), command.Request{Command: ka122Round2(projectID(3)), Actor: school})
	if r := apperr.As(err).Rule; r != "CALL-ONE-PER-ROUND" {
		t.Fatalf("second KA122 application of round 2, on a stale instance: %v, want CALL-ONE-PER-ROUND", err)
	}
	// And the refusal the other way: a stale instance's refusal is
	// decided again on the current state (a withdrawal lifts it).
	mustHandle(t, b, school, aggregates.WithdrawApplication{ProjectID: projectID(2), Reason: "replaced"})
	if _, err := a.Handle(context.Background(), command.Request{Command: ka122Round2(projectID(3)), Actor: school}); err != nil {
		t.Fatalf("application after the round's only one was withdrawn elsewhere: %v", err)
	}
}

package command_test

import (
	"context"
	"testing"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/aggregates/command"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/apperr"
)

// A dry run decides like Handle and answers the events, but records
// nothing: the store's head does not move, and the real command after it
// still succeeds.
func TestDryRunDecidesWithoutAppending(t *testing.T) {
	h, st := memHandler(t, newClock("2024-01-15T10:00:00Z"))
	ctx := context.Background()
	mustHandle(t, h, school, register())
	cmd := ka122(projectID(1), 1)
	dr, err := h.DryRun(ctx, command.Request{Command: cmd, Actor: school})
	if err != nil || len(dr.Events) != 1 || dr.Head.Version != 0 {
		t.Fatalf("dry run: %+v, %v", dr, err)
	}
	if _, ok := dr.Events[0].Payload.(aggregates.ApplicationSubmitted); !ok {
		t.Fatalf("dry run event %T, want ApplicationSubmitted", dr.Events[0].Payload)
	}
	if _, err := st.Locate(ctx, aggregates.KindProject, projectID(1)); err == nil {
		t.Fatal("a dry run recorded the project")
	}
	if res := mustHandle(t, h, school, cmd); res.Version != 1 {
		t.Fatalf("the real command after the dry run: version %d", res.Version)
	}
	hist, err := h.History(ctx, events.Ref{Org: org, Kind: aggregates.KindProject, ID: projectID(1)})
	if err != nil || len(hist) != 1 {
		t.Fatalf("history after one dry run and one command: %d events, %v", len(hist), err)
	}
}

// A refused dry run names the rule at fault, exactly as the command would.
func TestDryRunNamesTheRuleAtFault(t *testing.T) {
	h, _ := memHandler(t, newClock("2024-01-15T10:00:00Z"))
	ctx := context.Background()
	mustHandle(t, h, school, register())
	mustHandle(t, h, school, ka122(projectID(1), 1))
	_, want := h.Handle(ctx, command.Request{Command: ka122(projectID(1), 1), Actor: school})
	_, got := h.DryRun(ctx, command.Request{Command: ka122(projectID(1), 1), Actor: school})
	if apperr.As(want) == nil || apperr.As(got) == nil || apperr.As(got).Code != apperr.As(want).Code || apperr.As(got).Rule != apperr.As(want).Rule {
		t.Fatalf("dry run refusal %v, command refusal %v", got, want)
	}
	_, err := h.DryRun(ctx, command.Request{Command: aggregates.AssessEligibility{ProjectID: projectID(1), Outcome: aggregates.OutcomeEligible}, Actor: school})
	if e := apperr.As(err); e == nil || e.Rule != "CORE-TASKS" {
		t.Fatalf("a school assessing its own application: %v, want CORE-TASKS", err)
	}
}

package command_test

import (
	"context"
	"testing"
	"time"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/aggregates/command"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/apperr"
)

func TestIdempotentRetryReturnsFirstAnswerAndWritesNothing(t *testing.T) {
	h, st := memHandler(t, newClock("2024-01-15T10:00:00Z"))
	ctx := context.Background()
	req := command.Request{Command: register(), Actor: school, IdempotencyKey: "reg-1"}
	first, err := h.Handle(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	again, err := h.Handle(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if !again.Replayed || again.Sequence != first.Sequence || again.Version != first.Version || len(again.Events) != 1 || again.Events[0].ID != first.Events[0].ID {
		t.Fatalf("retry = %+v, want the first answer %+v replayed", again, first)
	}
	if last, _ := st.LastSequence(ctx); last != 1 {
		t.Fatalf("stream holds %d events after a retried command, want 1", last)
	}
	// A fresh handler (a restarted process) still knows the key.
	h2 := command.New(st, domain(t), aggregates.Registry(), newClock("2024-01-15T10:00:00Z"), command.Config{})
	if res, err := h2.Handle(ctx, req); err != nil || !res.Replayed {
		t.Fatalf("retry after restart: %+v, %v", res, err)
	}
}

func TestIdempotencyKeyReusedForAnotherCommandIsRefused(t *testing.T) {
	h, _ := memHandler(t, newClock("2024-01-15T10:00:00Z"))
	ctx := context.Background()
	if _, err := h.Handle(ctx, command.Request{Command: register(), Actor: school, IdempotencyKey: "k"}); err != nil {
		t.Fatal(err)
	}
	_, err := h.Handle(ctx, command.Request{Command: ka122(projectID(1), 1), Actor: school, IdempotencyKey: "k"})
	if e := apperr.As(err); e == nil || e.Field != "Idempotency-Key" {
		t.Fatalf("reused key: %v, want an error on Idempotency-Key", err)
	}
}

func TestIdempotencyKeysAreScopedToTheirUser(t *testing.T) {
	h, _ := memHandler(t, newClock("2024-01-15T10:00:00Z"))
	ctx := context.Background()
	if _, err := h.Handle(ctx, command.Request{Command: register(), Actor: school, IdempotencyKey: "same"}); err != nil {
		t.Fatal(err)
	}
	other := aggregates.RegisterOrganisation{OID: "E10000002", LegalName: "Toinen", Country: "FI", City: "Turku", Kind: aggregates.OrgSchool}
	res, err := h.Handle(ctx, command.Request{Command: other, Actor: events.Actor{UserID: "x", Role: aggregates.RoleBeneficiary, Org: "E10000002"}, IdempotencyKey: "same"})
	if err != nil || res.Replayed {
		t.Fatalf("another user's equal key: %+v, %v; want a new command", res, err)
	}
}

func TestEffectiveDate(t *testing.T) {
	h, _ := memHandler(t, newClock("2024-01-15T10:00:00Z"))
	ctx := context.Background()
	past := time.Date(2021, 3, 1, 9, 0, 0, 0, time.UTC)
	if _, err := h.Handle(ctx, command.Request{Command: register(), Actor: school, EffectiveAt: past}); apperr.CodeOf(err) != apperr.Forbidden {
		t.Fatalf("beneficiary recording the past: %v, want forbidden", err)
	}
	if _, err := h.Handle(ctx, command.Request{Command: register(), Actor: office, EffectiveAt: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}); apperr.CodeOf(err) != apperr.Invalid {
		t.Fatalf("effective date in the future: %v, want invalid", err)
	}
	res, err := h.Handle(ctx, command.Request{Command: register(), Actor: office, EffectiveAt: past, Reason: "migration"})
	if err != nil {
		t.Fatal(err)
	}
	e := res.Events[0]
	if !e.OccurredAt.Equal(past) || !e.RecordedAt.Equal(time.Date(2024, 1, 15, 10, 0, 0, 0, time.UTC)) {
		t.Fatalf("occurred %s recorded %s: the effective date and the recording time must be kept apart", e.OccurredAt, e.RecordedAt)
	}
	// CALL-DEADLINE is judged at the effective date: a 2021 round-1 KA122
	// application recorded today with its real date (before 2021-05-11) passes.
	app := ka122("2021-1-FI01-KA122-SCH-000000009", 1)
	app.CallYear, app.StartDate, app.EndDate = 2021, date("2021-09-01"), date("2022-08-31")
	if _, err := h.Handle(ctx, command.Request{Command: app, Actor: office, EffectiveAt: time.Date(2021, 5, 10, 9, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatalf("recorded past application: %v", err)
	}
}

func TestBeneficiaryCannotSeeAnotherOrganisationsProject(t *testing.T) {
	h, _ := memHandler(t, newClock("2024-01-15T10:00:00Z"))
	ctx := context.Background()
	mustHandle(t, h, school, register())
	mustHandle(t, h, school, ka122(projectID(1), 1))
	stranger := events.Actor{UserID: "s", Role: aggregates.RoleBeneficiary, Org: "E99999999"}
	_, err := h.Handle(ctx, command.Request{Command: aggregates.WithdrawApplication{ProjectID: projectID(1)}, Actor: stranger})
	if apperr.CodeOf(err) != apperr.NotFound {
		t.Fatalf("foreign beneficiary: %v, want not-found (nothing leaks)", err)
	}
	_, err = h.Handle(ctx, command.Request{Command: aggregates.WithdrawApplication{ProjectID: "no-such-project"}, Actor: school})
	if apperr.CodeOf(err) != apperr.NotFound {
		t.Fatalf("unknown project: %v, want not-found", err)
	}
}

func TestIfMatch(t *testing.T) {
	h, _ := memHandler(t, newClock("2024-01-15T10:00:00Z"))
	ctx := context.Background()
	mustHandle(t, h, school, register())
	mustHandle(t, h, school, ka122(projectID(1), 1))
	stale := uint64(0)
	_, err := h.Handle(ctx, command.Request{Command: aggregates.AssessEligibility{ProjectID: projectID(1), Outcome: aggregates.OutcomeEligible}, Actor: office, IfMatch: &stale})
	if e := apperr.As(err); e == nil || e.Code != apperr.PreconditionFailed || e.Version != 1 {
		t.Fatalf("stale If-Match: %v, want precondition-failed at version 1", err)
	}
	cur := uint64(1)
	res, err := h.Handle(ctx, command.Request{Command: aggregates.AssessEligibility{ProjectID: projectID(1), Outcome: aggregates.OutcomeEligible}, Actor: office, IfMatch: &cur})
	if err != nil || res.Version != 2 {
		t.Fatalf("matching If-Match: %+v, %v", res, err)
	}
}

func TestProjectAsOfFoldsOnlyEventsInEffectBefore(t *testing.T) {
	clk := newClock("2024-01-15T10:00:00Z")
	h, _ := memHandler(t, clk)
	ctx := context.Background()
	mustHandle(t, h, school, register())
	mustHandle(t, h, school, ka122(projectID(1), 1))
	clk.set(time.Date(2024, 4, 1, 10, 0, 0, 0, time.UTC))
	mustHandle(t, h, office, aggregates.AssessEligibility{ProjectID: projectID(1), Outcome: aggregates.OutcomeEligible})
	before, head, err := h.ProjectAsOf(ctx, projectID(1), time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	now, _, err := h.ProjectAsOf(ctx, projectID(1), time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if head.Version != 1 || before.Status == now.Status {
		t.Fatalf("as of February: version %d status %q; as of May: status %q", head.Version, before.Status, now.Status)
	}
	if _, _, err := h.ProjectAsOf(ctx, projectID(1), time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)); apperr.CodeOf(err) != apperr.NotFound {
		t.Fatalf("before submission: %v, want not-found", err)
	}
}

func TestProjectIDsAreUniqueAcrossOrganisations(t *testing.T) {
	h, _ := memHandler(t, newClock("2024-01-15T10:00:00Z"))
	ctx := context.Background()
	mustHandle(t, h, school, register())
	mustHandle(t, h, school, ka122(projectID(1), 1))
	other := events.Actor{UserID: "o", Role: aggregates.RoleBeneficiary, Org: "E10000002"}
	mustHandle(t, h, other, aggregates.RegisterOrganisation{OID: "E10000002", LegalName: "Toinen", Country: "FI", City: "Turku", Kind: aggregates.OrgSchool})
	app := ka122(projectID(1), 1)
	app.OID = "E10000002"
	_, err := h.Handle(ctx, command.Request{Command: app, Actor: other})
	if e := apperr.As(err); e == nil || e.Code != apperr.Conflict || e.Field != "project_id" {
		t.Fatalf("a project ID taken by another organisation: %v, want a conflict on project_id", err)
	}
}

package sqlite

import (
	"path/filepath"
	"testing"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/projections"
)

// TestDeadlineFlagsAndConsortiumMembersAreProjected: a project flagged
// final-report-overdue is a deadline candidate and listed by
// ?overdue=true until its final report comes in (LIFE-REPORT-DUE); the
// consortium memberships land in consortium_members (CONS-MEMBER).
func TestDeadlineFlagsAndConsortiumMembersAreProjected(t *testing.T) {
	s := openStore(t, aggregates.Registry())
	ctx := testCtx(t)
	const org, id, aid = "E10000001", "2025-1-FI01-KA122-SCH-000000001", "ACC-2021-CONS"
	meta := events.Meta{Actor: events.Actor{UserID: "u", Role: aggregates.RoleNationalOffice}, RecordedAt: testTime}
	appendAll := func(ref events.Ref, evs ...aggregates.Event) {
		t.Helper()
		envs, err := s.Load(ctx, ref, 0)
		if err != nil {
			t.Fatal(err)
		}
		var h events.Head
		if len(envs) > 0 {
			h = events.HeadOf(envs[len(envs)-1])
		}
		drafts := make([]events.Draft, len(evs))
		for i, e := range evs {
			drafts[i] = events.Draft{Payload: e, OccurredAt: testTime}
		}
		if _, err := s.Append(ctx, events.AppendRequest{Ref: ref, Expected: h, Meta: meta, Events: drafts}); err != nil {
			t.Fatal(err)
		}
	}
	orgRef := events.Ref{Org: org, Kind: aggregates.KindOrganisation, ID: org}
	appendAll(orgRef,
		aggregates.OrganisationRegistered{OID: org, LegalName: "Koulu", Country: "FI", City: "Helsinki", Kind: aggregates.OrgSchool},
		aggregates.ConsortiumMemberAdded{OID: org, AccreditationID: aid, Field: aggregates.FieldSchool, MemberOID: "E10000002", AddedOn: aggregates.MustDate("2025-01-01")},
		aggregates.ConsortiumMemberRemoved{OID: org, AccreditationID: aid, Field: aggregates.FieldSchool, MemberOID: "E10000002", RemovedOn: aggregates.MustDate("2025-06-01"), Reason: "left"})
	prj := events.Ref{Org: org, Kind: aggregates.KindProject, ID: id}
	appendAll(prj,
		aggregates.ApplicationSubmitted{ProjectID: id, OID: org, Action: aggregates.ActionKA122, Field: aggregates.FieldSchool, CallYear: 2025, Round: 1,
			StartDate: aggregates.MustDate("2025-09-01"), EndDate: aggregates.MustDate("2026-06-30"), RequestedCents: 6000000, ApplicantCountry: "FI", SubmittedOn: aggregates.MustDate("2025-02-20")},
		aggregates.ApplicationDecided{ProjectID: id, OID: org, Outcome: aggregates.OutcomeApproved, AwardedCents: 6000000, DecidedOn: aggregates.MustDate("2025-06-01")},
		aggregates.GrantAgreementSigned{ProjectID: id, OID: org, AwardedCents: 6000000, SignedOn: aggregates.MustDate("2025-07-01")})
	db := openDB(t, filepath.Join(t.TempDir(), "grants.db"))
	catchUp(t, db, s, ProjectorConfig{})

	if ids, err := db.DeadlineCandidates(ctx, aggregates.MustDate("2026-08-13")); err != nil || len(ids) != 0 {
		t.Fatalf("candidates 16 days before the due date = %v, %v; want none", ids, err)
	}
	if ids, err := db.DeadlineCandidates(ctx, aggregates.MustDate("2026-08-15")); err != nil || len(ids) != 1 || ids[0] != id {
		t.Fatalf("candidates 14 days before the due date = %v, %v; want %s", ids, err, id)
	}
	overdue := func() int {
		t.Helper()
		page, err := db.Projects(ctx, projections.ProjectFilter{Overdue: true})
		if err != nil {
			t.Fatal(err)
		}
		return len(page.Items)
	}
	if n := overdue(); n != 0 {
		t.Fatalf("%d overdue projects before any flag, want 0", n)
	}
	appendAll(prj, aggregates.DeadlineFlagRaised{ProjectID: id, OID: org, Flag: aggregates.FlagFinalReportOverdue, Rule: "LIFE-REPORT-DUE",
		DueOn: aggregates.MustDate("2026-08-29"), RaisedOn: aggregates.MustDate("2026-08-30")})
	catchUp(t, db, s, ProjectorConfig{})
	if n := overdue(); n != 1 {
		t.Fatalf("%d overdue projects after the flag, want 1", n)
	}
	if d, err := db.Deadlines(ctx, id); err != nil || !d.Overdue || len(d.Flags) != 1 || d.Flags[0].Flag != aggregates.FlagFinalReportOverdue || d.Flags[0].DueOn != "2026-08-29" {
		t.Fatalf("deadlines = %+v, %v; want overdue with the final-report-overdue flag", d, err)
	}
	appendAll(prj, aggregates.FinalReportSubmitted{ProjectID: id, OID: org, SubmittedOn: aggregates.MustDate("2026-09-10"), Late: true})
	catchUp(t, db, s, ProjectorConfig{})
	if n := overdue(); n != 0 {
		t.Fatalf("%d overdue projects once the report came in, want 0", n)
	}
	if d, err := db.Deadlines(ctx, id); err != nil || d.Overdue || len(d.Flags) != 1 {
		t.Fatalf("deadlines once the report came in = %+v, %v; want the flag kept, not overdue", d, err)
	}

	ms, err := db.ConsortiumMembers(ctx, org)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 1 || ms[0].MemberOID != "E10000002" || ms[0].AddedOn != "2025-01-01" || ms[0].RemovedOn != "2025-06-01" || ms[0].Reason != "left" {
		t.Fatalf("consortium members = %+v", ms)
	}
}

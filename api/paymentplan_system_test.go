package api_test

import (
	"testing"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/api"
	"github.com/erasmus-ledger/grants/projections"
)

// TestPaymentPlanAndSupportRequests runs BUD-PAYMENTS and
// BUD-INCLUSION-REQ on the real server: the office sets the plan, the
// schedule shows an instalment overdue and then paid, the beneficiary's
// support request is pending until the office approves it, and only then
// may a mobility claim it.
func TestPaymentPlanAndSupportRequests(t *testing.T) {
	s := startSystem(t)
	own, office := s.token(t, "beneficiary", school, "rehtori"), s.token(t, "national-office", "", "virkailija")
	p := "/v1/projects/" + project
	s.clock.set("2022-01-10")
	s.must(t, 201, own, "POST", "/v1/organisations", map[string]any{"oid": school, "legal_name": "Oulun koulu", "country": "FI", "city": "Oulu", "kind": "school"})
	s.clock.set("2022-02-10")
	s.must(t, 201, own, "POST", "/v1/projects", map[string]any{"project_id": project, "oid": school, "action": "KA122", "field": "school", "call_year": 2022, "round": 1,
		"partners": []any{}, "start_date": "2022-06-01", "end_date": "2023-08-31", "requested_cents": 6_000_000,
		"inclusion_support_cents": 20_000, "support_justification": "a pupil with a disability"})
	s.clock.set("2022-04-01")
	s.must(t, 200, office, "POST", p+"/eligibility", map[string]any{"outcome": "eligible"})
	s.clock.set("2022-05-20")
	s.must(t, 200, office, "POST", p+"/decision", map[string]any{"outcome": "approved", "awarded_cents": 5_000_000, "inclusion_support_cents": 0})
	s.clock.set("2022-06-10")
	s.must(t, 200, own, "POST", p+"/agreement", map[string]any{"agreement_no": "GA-2022-1"})

	// The plan: the beneficiary may not set it; beyond the grant it is refused.
	plan := map[string]any{"instalments": []any{
		map[string]any{"id": "PF1", "kind": "pre-financing", "amount_cents": 4_000_000, "due_date": "2022-07-10"},
		map[string]any{"id": "PF2", "kind": "pre-financing", "amount_cents": 500_000, "due_date": "2023-01-31"}}}
	s.must(t, 403, own, "PUT", p+"/payment-plan", plan)
	over := map[string]any{"instalments": []any{map[string]any{"id": "PF1", "kind": "pre-financing", "amount_cents": 5_000_001, "due_date": "2022-07-10"}}}
	if pr := s.must(t, 422, office, "PUT", p+"/payment-plan", over).problem(t); pr.Rule != "BUD-GRANT-CAP" {
		t.Fatalf("plan beyond the grant: %+v", pr)
	}
	a := s.must(t, 200, office, "PUT", p+"/payment-plan", plan)

	var sch aggregates.PaymentSchedule
	s.clock.set("2022-07-11")
	s.must(t, 200, own, "GET", p+"/payment-plan", nil, api.HeaderMinSequence, a.seq()).json(t, &sch)
	if len(sch.Instalments) != 2 || sch.Instalments[0].Status != aggregates.InstalmentOverdue || sch.OverdueCents != 4_000_000 || sch.Instalments[1].Status != aggregates.InstalmentPlanned {
		t.Fatalf("schedule the day after PF1 fell due: %+v", sch)
	}
	s.must(t, 200, own, "GET", p+"/payment-plan?on=2022-07-10", nil).json(t, &sch)
	if sch.Instalments[0].Status != aggregates.InstalmentDue || sch.DueCents != 4_000_000 {
		t.Fatalf("schedule on PF1's due date: %+v", sch)
	}
	a = s.must(t, 200, office, "POST", p+"/payments", map[string]any{"payment_id": "P1", "kind": "pre-financing", "amount_cents": 4_000_000})
	s.must(t, 200, own, "GET", p+"/payment-plan", nil, api.HeaderMinSequence, a.seq()).json(t, &sch)
	if sch.Instalments[0].Status != aggregates.InstalmentPaid || sch.Instalments[0].PaidCents != 4_000_000 || sch.OverdueCents != 0 {
		t.Fatalf("schedule after PF1 was paid: %+v", sch)
	}
	if pr := s.must(t, 422, office, "POST", p+"/payments", map[string]any{"payment_id": "P2", "kind": "pre-financing", "amount_cents": 500_001}).problem(t); pr.Rule != "BUD-PAYMENTS" {
		t.Fatalf("payment over PF2: %+v", pr)
	}

	// Support requested while the project runs: pending, then approved.
	s.clock.set("2022-08-01")
	a = s.must(t, 200, own, "POST", p+"/support-requests", map[string]any{"request_id": "R1", "inclusion_support_cents": 30_000, "justification": "an assistant for a pupil in a wheelchair"})
	var reqs []projections.SupportRequestView
	s.must(t, 200, office, "GET", p+"/support-requests?status=pending", nil, api.HeaderMinSequence, a.seq()).json(t, &reqs)
	if len(reqs) != 1 || reqs[0].ID != "R1" || reqs[0].InclusionSupportCents != 30_000 {
		t.Fatalf("pending requests: %+v", reqs)
	}
	var ps api.ProjectStatus
	s.must(t, 200, own, "GET", p, nil).json(t, &ps)
	if len(ps.PendingSupportRequests) != 1 || ps.PendingSupportRequests[0].ID != "R1" || ps.Payments == nil || ps.Payments.Instalments[0].Status != aggregates.InstalmentPaid {
		t.Fatalf("project status without the pending request or the schedule: %+v %+v", ps.PendingSupportRequests, ps.Payments)
	}
	claim := map[string]any{"mobility_id": "M1", "participant_id": "PART-M1", "activity": "SM-JOB-SHDW",
		"personal": map[string]any{"first_name": "Aino", "last_name": "Virtanen"}, "start_date": "2022-09-05", "end_date": "2022-09-09",
		"sending_organisation": "Oulun koulu", "receiving_organisation": "Schule Berlin", "sending_country": "FI", "receiving_country": "DE",
		"receiving_city": "Berlin", "distance_km": 1100, "travel_days": 2, "fewer_opportunities": true, "inclusion_cents": 30_000}
	s.clock.set("2022-09-12")
	if pr := s.must(t, 422, own, "POST", p+"/mobilities", claim).problem(t); pr.Rule != "BUD-INCLUSION-REQ" {
		t.Fatalf("claim while the request is pending: %+v", pr)
	}
	s.must(t, 403, own, "POST", p+"/support-requests/R1/decision", map[string]any{"outcome": "approved", "inclusion_support_cents": 30_000})
	a = s.must(t, 200, office, "POST", p+"/support-requests/R1/decision", map[string]any{"outcome": "approved", "inclusion_support_cents": 30_000})
	s.must(t, 200, own, "GET", p+"/support-requests", nil, api.HeaderMinSequence, a.seq()).json(t, &reqs)
	if len(reqs) != 1 || reqs[0].Status != "approved" || reqs[0].GrantedInclusionCents != 30_000 {
		t.Fatalf("requests after the approval: %+v", reqs)
	}
	var after api.ProjectStatus
	if s.must(t, 200, own, "GET", p, nil).json(t, &after); len(after.PendingSupportRequests) != 0 {
		t.Fatalf("an approved request still pending: %+v", after.PendingSupportRequests)
	}
	s.must(t, 201, own, "POST", p+"/mobilities", claim)
}

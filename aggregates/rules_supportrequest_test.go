package aggregates

import "testing"

// supportRequestCases prove BUD-INCLUSION-REQ for requests made while the
// project runs: the beneficiary requests, the office approves (at most
// what was requested) or rejects, and only then may a mobility claim.
func supportRequestCases() []ruleCase {
	request := func(id string, inclusion, exceptional int64) RequestInclusionSupport {
		return RequestInclusionSupport{ProjectID: testProject, RequestID: id, InclusionSupportCents: inclusion, ExceptionalCostsCents: exceptional,
			Justification: "a participant in a wheelchair needs an assistant"}
	}
	requested := InclusionSupportRequested{ProjectID: testProject, OID: testOrg, RequestID: "R1", InclusionSupportCents: 30_000,
		Justification: "assistant", RequestedOn: MustDate("2022-09-01")}
	approve := func(v int64) DecideInclusionSupport {
		return DecideInclusionSupport{ProjectID: testProject, RequestID: "R1", Outcome: OutcomeApproved, InclusionSupportCents: v}
	}
	decided := InclusionSupportDecided{ProjectID: testProject, OID: testOrg, RequestID: "R1", Outcome: OutcomeApproved,
		GrantedInclusionCents: 30_000, TotalInclusionCents: 30_000, DecidedOn: MustDate("2022-09-05")}
	rejected := InclusionSupportDecided{ProjectID: testProject, OID: testOrg, RequestID: "R1", Outcome: OutcomeRejected,
		Reason: "no evidence", DecidedOn: MustDate("2022-09-05")}
	claim := func(v int64) ReportMobility {
		return report(with(jobShadow("M1"), func(m *Mobility) { m.FewerOpportunities, m.InclusionCents = true, v }))
	}
	return []ruleCase{
		{name: "BUD-INCLUSION-REQ/the application asks for inclusion support", now: "2022-02-01",
			given: registered(),
			cmd: func() Command {
				c := submitKA122(testProject, 1)
				c.InclusionSupportCents, c.SupportJustification = 30_000, "two participants with disabilities"
				return c
			}(),
			check: func(t *testing.T, ev Event) {
				if e := ev.(ApplicationSubmitted); e.InclusionSupportCents != 30_000 || e.SupportJustification == "" {
					t.Fatalf("request not recorded with the application: %+v", e)
				}
			}},
		{name: "BUD-INCLUSION-REQ/the application's request without justification invalid", now: "2022-02-01", code: "invalid",
			given: registered(),
			cmd: func() Command {
				c := submitKA122(testProject, 1)
				c.InclusionSupportCents = 30_000
				return c
			}()},
		{name: "BUD-INCLUSION-REQ/the beneficiary requests while the project runs", given: ka122Support(0, 0), now: "2022-09-01", actor: &beneficiary,
			cmd: request("R1", 30_000, 0)},
		{name: "BUD-INCLUSION-REQ/a request of nothing invalid", given: ka122Support(0, 0), now: "2022-09-01", actor: &beneficiary, code: "invalid",
			cmd: request("R1", 0, 0)},
		{name: "BUD-INCLUSION-REQ/a request after the final report refused (LIFE-REPORT-LOCKED)", now: "2023-09-20", actor: &beneficiary, rule: "LIFE-REPORT-LOCKED",
			given: ka122Support(0, 0, FinalReportSubmitted{ProjectID: testProject, OID: testOrg, SubmittedOn: MustDate("2023-09-10")}),
			cmd:   request("R1", 30_000, 0)},
		{name: "BUD-INCLUSION-REQ/a request ID used twice conflicts", given: ka122Support(0, 0, requested), now: "2022-09-02", actor: &beneficiary, code: "conflict",
			cmd: request("R1", 10_000, 0)},
		{name: "BUD-INCLUSION-REQ/the beneficiary deciding its own request forbidden (CORE-TASKS)", given: ka122Support(0, 0, requested), now: "2022-09-05",
			actor: &beneficiary, rule: "CORE-TASKS", cmd: approve(30_000)},
		{name: "BUD-INCLUSION-REQ/a request pending: the claim refused", given: ka122Support(0, 0, requested), now: "2023-01-01", rule: "BUD-INCLUSION-REQ",
			cmd: claim(30_000)},
		{name: "BUD-INCLUSION-REQ/the office approves what was requested", given: ka122Support(0, 0, requested), now: "2022-09-05",
			cmd: approve(30_000), check: func(t *testing.T, ev Event) {
				if e := ev.(InclusionSupportDecided); e.TotalInclusionCents != 30_000 || e.GrantedInclusionCents != 30_000 {
					t.Fatalf("decision totals wrong: %+v", e)
				}
			}},
		{name: "BUD-INCLUSION-REQ/approval adds to what the award decided", given: ka122Support(20_000, 5_000, requested), now: "2022-09-05",
			cmd: approve(10_000), check: func(t *testing.T, ev Event) {
				if e := ev.(InclusionSupportDecided); e.TotalInclusionCents != 30_000 || e.TotalExceptionalCents != 5_000 {
					t.Fatalf("decision totals wrong: %+v", e)
				}
			}},
		{name: "BUD-INCLUSION-REQ/approving a cent more than requested refused", given: ka122Support(0, 0, requested), now: "2022-09-05", rule: "BUD-INCLUSION-REQ",
			cmd: approve(30_001)},
		{name: "BUD-INCLUSION-REQ/a rejection without reason invalid", given: ka122Support(0, 0, requested), now: "2022-09-05", code: "invalid",
			cmd: DecideInclusionSupport{ProjectID: testProject, RequestID: "R1", Outcome: OutcomeRejected}},
		{name: "BUD-INCLUSION-REQ/deciding an unknown request not found", given: ka122Support(0, 0), now: "2022-09-05", code: "not-found",
			cmd: approve(1)},
		{name: "BUD-INCLUSION-REQ/deciding a request twice refused (LIFE-ORDER)", given: ka122Support(0, 0, requested, decided), now: "2022-09-06", rule: "LIFE-ORDER",
			cmd: approve(30_000)},
		{name: "BUD-INCLUSION-REQ/request then claim: allowed once approved", given: ka122Support(0, 0, requested, decided), now: "2023-01-01",
			cmd: claim(30_000)},
		{name: "BUD-INCLUSION-REQ/request then claim: a cent over the approval refused", given: ka122Support(0, 0, requested, decided), now: "2023-01-01",
			rule: "BUD-INCLUSION-REQ", cmd: claim(30_001)},
		{name: "BUD-INCLUSION-REQ/request then claim: refused after a rejection", given: ka122Support(0, 0, requested, rejected), now: "2023-01-01",
			rule: "BUD-INCLUSION-REQ", cmd: claim(1)},
	}
}

// TestSupportRequestPending shows a request pending in the project's state
// until the office decides it.
func TestSupportRequestPending(t *testing.T) {
	requested := InclusionSupportRequested{ProjectID: testProject, OID: testOrg, RequestID: "R1", InclusionSupportCents: 30_000, RequestedOn: MustDate("2022-09-01")}
	pr := fold(ka122Support(0, 0, requested)...).Projects[testProject]
	if p := pr.PendingSupportRequests(); len(p) != 1 || p[0].ID != "R1" || p[0].InclusionSupportCents != 30_000 {
		t.Fatalf("pending requests = %+v, want R1 of 300 EUR", p)
	}
	pr = fold(ka122Support(0, 0, requested, InclusionSupportDecided{ProjectID: testProject, OID: testOrg, RequestID: "R1", Outcome: OutcomeRejected, Reason: "no", DecidedOn: MustDate("2022-09-02")})...).Projects[testProject]
	if p := pr.PendingSupportRequests(); len(p) != 0 || pr.SupportRequests[0].Status != SupportRejected {
		t.Fatalf("after rejection: pending %+v, requests %+v", p, pr.SupportRequests)
	}
}

package aggregates

import "testing"

// ka122Support is the running KA122 project testProject whose approval
// decided inclusion support and exceptional costs (BUD-INCLUSION-REQ).
func ka122Support(inclusion, exceptional int64, extra ...Event) []Event {
	return cat(registered(),
		[]Event{submitted(testProject, ActionKA122, 2022, 1, "2022-06-01", "2023-08-31", 6_000_000),
			EligibilityAssessed{ProjectID: testProject, OID: testOrg, Outcome: OutcomeEligible, AssessedOn: MustDate("2022-05-20")},
			ApplicationDecided{ProjectID: testProject, OID: testOrg, Outcome: OutcomeApproved, AwardedCents: 5_000_000, DecidedOn: MustDate("2022-05-20"),
				SupportDecided: true, InclusionSupportCents: inclusion, ExceptionalCostsCents: exceptional},
			GrantAgreementSigned{ProjectID: testProject, OID: testOrg, AwardedCents: 5_000_000, SignedOn: MustDate("2022-05-20")}},
		extra)
}

func cents(v int64) *int64 { return &v }

// inclusionCases prove BUD-INCLUSION-REQ: inclusion support and
// exceptional costs are decided by the office (at the award, or by an
// amendment while the project runs) before a mobility claims them, and
// the claims of all the project's mobilities stay within the decision.
func inclusionCases() []ruleCase {
	inclusion := func(id string, v int64) ReportMobility {
		return report(with(jobShadow(id), func(m *Mobility) { m.FewerOpportunities, m.InclusionCents = true, v }))
	}
	// 1 100 km: the standard travel grant of 275 EUR covers under 70 % of
	// 1 000 EUR, so 800 EUR of exceptional costs are claimed.
	expensive := report(with(jobShadow("M1"), func(m *Mobility) { m.RealTravelCostCents = 100_000 }))
	claimed := mobEvent("M0", 100_000, func(m *Mobility) { m.FewerOpportunities, m.InclusionCents = true, 20_000 })
	amend := func(v int64) AmendProject {
		return AmendProject{ProjectID: testProject, AmendmentID: "AM-INC", InclusionSupportCents: cents(v), Justification: "a participant in a wheelchair"}
	}
	raised := ProjectAmended{ProjectID: testProject, OID: testOrg, AmendmentID: "AM-INC", StartDate: MustDate("2022-06-01"), EndDate: MustDate("2023-08-31"),
		AwardedCents: 5_000_000, InclusionSupportCents: cents(30_000), AmendedOn: MustDate("2022-10-01")}
	return append(supportRequestCases(), []ruleCase{
		{name: "BUD-INCLUSION-REQ/the award decides inclusion support and exceptional costs", now: "2022-05-20",
			given: cat(registered(), []Event{submitted("P1", ActionKA122, 2022, 1, "2022-06-01", "2023-08-31", 6_000_000), eligible("P1")}),
			cmd:   DecideApplication{ProjectID: "P1", Outcome: OutcomeApproved, AwardedCents: 5_000_000, InclusionSupportCents: 30_000, ExceptionalCostsCents: 80_000},
			check: func(t *testing.T, ev Event) {
				if d := ev.(ApplicationDecided); !d.SupportDecided || d.InclusionSupportCents != 30_000 || d.ExceptionalCostsCents != 80_000 {
					t.Fatalf("decision not recorded: %+v", d)
				}
			}},
		{name: "BUD-INCLUSION-REQ/support granted with a rejection invalid", now: "2022-05-20", code: "invalid",
			given: cat(registered(), []Event{submitted("P1", ActionKA122, 2022, 1, "2022-06-01", "2023-08-31", 6_000_000), eligible("P1")}),
			cmd:   DecideApplication{ProjectID: "P1", Outcome: OutcomeRejected, InclusionSupportCents: 30_000}},
		{name: "BUD-INCLUSION-REQ/inclusion costs not decided refused", given: ka122Support(0, 0), now: "2023-01-01", rule: "BUD-INCLUSION-REQ",
			cmd: inclusion("M1", 10_000)},
		{name: "BUD-INCLUSION-REQ/inclusion costs up to the decision allowed", given: ka122Support(30_000, 0), now: "2023-01-01",
			cmd: inclusion("M1", 30_000)},
		{name: "BUD-INCLUSION-REQ/the decision reached over two mobilities allowed", given: ka122Support(30_000, 0, claimed), now: "2023-01-01",
			cmd: inclusion("M1", 10_000)},
		{name: "BUD-INCLUSION-REQ/a cent over the decision over two mobilities refused", given: ka122Support(30_000, 0, claimed), now: "2023-01-01",
			rule: "BUD-INCLUSION-REQ", cmd: inclusion("M1", 10_001)},
		{name: "BUD-INCLUSION-REQ/correcting a mobility does not count it twice", given: ka122Support(20_000, 0, claimed), now: "2023-01-01",
			cmd: CorrectMobility{ProjectID: testProject, Mobility: inclusion("M0", 20_000).Mobility}},
		{name: "BUD-INCLUSION-REQ/the organisations' unit cost for fewer opportunities needs no decision", given: ka122Support(0, 0), now: "2023-01-01",
			cmd: inclusion("M1", 0)},
		{name: "BUD-INCLUSION-REQ/requested while the project runs: the office grants it by amendment", given: ka122Support(0, 0), now: "2022-10-01",
			cmd: amend(30_000)},
		{name: "BUD-INCLUSION-REQ/request then claim: allowed once the amendment is decided", given: ka122Support(0, 0, raised), now: "2023-01-01",
			cmd: inclusion("M1", 30_000)},
		{name: "BUD-INCLUSION-REQ/an amendment below what is claimed refused", given: ka122Support(30_000, 0, claimed), now: "2023-01-01",
			rule: "BUD-INCLUSION-REQ", cmd: amend(19_999)},
		{name: "BUD-INCLUSION-REQ/exceptional costs not decided refused", given: ka122Support(0, 0), now: "2023-01-01", rule: "BUD-INCLUSION-REQ",
			cmd: expensive},
		{name: "BUD-INCLUSION-REQ/exceptional costs up to the decision allowed", given: ka122Support(0, 80_000), now: "2023-01-01",
			cmd: expensive, check: wantLine("BUD-EXC-TRAVEL", -1)},
		{name: "BUD-INCLUSION-REQ/exceptional costs a cent over the decision refused", given: ka122Support(0, 79_999), now: "2023-01-01",
			rule: "BUD-INCLUSION-REQ", cmd: expensive},
		{name: "BUD-INCLUSION-REQ/a project approved before the rule is not limited", given: ka122(), now: "2023-01-01",
			cmd: inclusion("M1", 30_000)},
	}...)
}

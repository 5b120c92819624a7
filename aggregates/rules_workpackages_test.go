package aggregates

import "testing"

// ka210Reported is a KA210 project of call 2022 with two work packages
// (WP1 6 000 EUR, WP2 24 000 EUR of the 30 000 EUR lump sum), running and
// with its final report in; wps replaces the work packages (nil: none, as
// in events recorded before work packages existed).
func ka210Reported(wps []WorkPackage) []Event {
	s := submitted("KA210-2022", ActionKA210, 2022, 1, "2022-09-01", "2023-08-31", 3_000_000)
	s.Field, s.WorkPackages = FieldAdult, wps
	return cat(registered(), []Event{s}, running("KA210-2022", 3_000_000, "2022-08-01"),
		[]Event{FinalReportSubmitted{ProjectID: "KA210-2022", OID: testOrg, Summary: "done", SubmittedOn: MustDate("2023-09-15")}})
}

// workPackageCases prove KA2-WORK-PACKAGES: the lump sum is divided among
// work packages at the application, and at the final assessment each one
// is judged and incomplete ones are not funded.
func workPackageCases() []ruleCase {
	reg := registered()
	ka210 := func(f func(s *SubmitApplication)) SubmitApplication {
		return with(submitKA210("2022-09-01", "2023-08-31"), f)
	}
	withWPs := ka210Reported(workPackages(3_000_000))
	assess := func(outcome string, final int64, judged ...WorkPackageAssessment) AssessFinalReport {
		return AssessFinalReport{ProjectID: "KA210-2022", Outcome: outcome, FinalCents: final, WorkPackages: judged}
	}
	done := func(id string) WorkPackageAssessment { return WorkPackageAssessment{ID: id, Completed: true} }
	undone := func(id string) WorkPackageAssessment { return WorkPackageAssessment{ID: id} }
	return []ruleCase{
		{name: "KA2-WORK-PACKAGES/shares adding up to the lump sum allowed", given: reg, now: "2022-03-01", cmd: ka210(func(s *SubmitApplication) {})},
		{name: "KA2-WORK-PACKAGES/shares a cent short of the lump sum refused", given: reg, now: "2022-03-01", rule: "KA2-WORK-PACKAGES",
			cmd: ka210(func(s *SubmitApplication) { s.WorkPackages[1].ShareCents-- })},
		{name: "KA2-WORK-PACKAGES/KA210 without work packages refused", given: reg, now: "2022-03-01", rule: "KA2-WORK-PACKAGES",
			cmd: ka210(func(s *SubmitApplication) { s.WorkPackages = nil })},
		{name: "KA2-WORK-PACKAGES/work packages on a KA122 application invalid", given: reg, now: "2022-02-01", code: "invalid",
			cmd: with(submitKA122("P", 1), func(s *SubmitApplication) { s.WorkPackages = workPackages(6_000_000) })},
		{name: "KA2-WORK-PACKAGES/work package given twice invalid", given: reg, now: "2022-03-01", code: "invalid",
			cmd: ka210(func(s *SubmitApplication) { s.WorkPackages[1].ID = "WP1" })},

		{name: "KA2-WORK-PACKAGES/all work packages completed: the lump sum accepted", given: withWPs, now: "2023-10-01",
			cmd: assess(OutcomeAccepted, 3_000_000, done("WP1"), done("WP2"))},
		{name: "KA2-WORK-PACKAGES/incomplete WP2: the share of WP1 allowed", given: withWPs, now: "2023-10-01",
			cmd: assess(OutcomeReduced, 600_000, done("WP1"), undone("WP2"))},
		{name: "KA2-WORK-PACKAGES/incomplete WP2: a cent over the share of WP1 refused", given: withWPs, now: "2023-10-01", rule: "KA2-WORK-PACKAGES",
			cmd: assess(OutcomeReduced, 600_001, done("WP1"), undone("WP2"))},
		{name: "KA2-WORK-PACKAGES/quality cut below the completed shares allowed", given: withWPs, now: "2023-10-01",
			cmd: assess(OutcomeReduced, 2_500_000, done("WP1"), done("WP2"))},
		{name: "KA2-WORK-PACKAGES/incomplete work package with outcome accepted refused", given: withWPs, now: "2023-10-01", rule: "KA2-WORK-PACKAGES",
			cmd: assess(OutcomeAccepted, 600_000, done("WP1"), undone("WP2"))},
		{name: "KA2-WORK-PACKAGES/a work package not judged refused", given: withWPs, now: "2023-10-01", rule: "KA2-WORK-PACKAGES",
			cmd: assess(OutcomeAccepted, 3_000_000, done("WP1"))},
		{name: "KA2-WORK-PACKAGES/unknown work package invalid", given: withWPs, now: "2023-10-01", code: "invalid",
			cmd: assess(OutcomeAccepted, 3_000_000, done("WP1"), done("WP2"), done("WP9"))},
		{name: "KA2-WORK-PACKAGES/project recorded without work packages judged as a whole", given: ka210Reported(nil), now: "2023-10-01",
			cmd: assess(OutcomeAccepted, 3_000_000)},
	}
}

// TestScaleShare proves the scaling of KA2-WORK-PACKAGES when the grant
// awarded differs from the lump sum divided, at the largest amounts.
func TestScaleShare(t *testing.T) {
	for _, c := range []struct{ share, awarded, total, want int64 }{
		{600_000, 3_000_000, 3_000_000, 600_000},
		{600_000, 1_500_000, 3_000_000, 300_000},
		{3_000_000, 2_000_000, 3_000_000, 2_000_000},
		{5_000_000_000, 5_000_000_000, 5_000_000_000, 5_000_000_000},
		{4_999_999_999, 5_000_000_000, 5_000_000_000, 4_999_999_999},
	} {
		if got := scaleShare(c.share, c.awarded, c.total); got != c.want {
			t.Errorf("KA2-WORK-PACKAGES: share %d of %d scaled to %d = %d, want %d", c.share, c.total, c.awarded, got, c.want)
		}
	}
}

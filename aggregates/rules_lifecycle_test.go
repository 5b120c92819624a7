package aggregates

import (
	"testing"

	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/apperr"
)

func lifecycleCases() []ruleCase {
	reg := registered()
	locked := ka122(FinalReportSubmitted{ProjectID: testProject, OID: testOrg, SubmittedOn: MustDate("2023-09-10")})
	assessed := func(final int64, paid ...int64) []Event {
		evs := []Event{FinalReportSubmitted{ProjectID: testProject, OID: testOrg, SubmittedOn: MustDate("2023-09-10")}}
		net := int64(0)
		for i, p := range paid {
			net += p
			evs = append(evs, PaymentRecorded{ProjectID: testProject, OID: testOrg, PaymentID: "PAY" + string(rune('A'+i)), Kind: PaymentPreFinancing, AmountCents: p, NetPaidCents: net})
		}
		evs = append(evs, FinalReportAssessed{ProjectID: testProject, OID: testOrg, Outcome: OutcomeReduced, FinalCents: final})
		return ka122(evs...)
	}
	closed := append(assessed(0), ProjectClosed{ProjectID: testProject, OID: testOrg})
	terminated := ka122(ProjectTerminated{ProjectID: testProject, OID: testOrg, Reason: "bankrupt"})
	rejected := cat(reg, []Event{submitted(testProject, ActionKA122, 2022, 1, "2022-06-01", "2023-08-31", 6_000_000), eligible(testProject),
		ApplicationDecided{ProjectID: testProject, OID: testOrg, Outcome: OutcomeRejected}})
	ka220 := cat(reg, []Event{submitted("KA220-2023", ActionKA220, 2023, 1, "2023-11-01", "2025-10-31", 25_000_000)},
		running("KA220-2023", 25_000_000, "2023-08-01"))
	ka220of2022 := cat(reg, []Event{submitted("KA220-2022", ActionKA220, 2022, 1, "2022-11-01", "2024-10-31", 25_000_000)},
		running("KA220-2022", 25_000_000, "2022-08-01"))
	ka121 := cat(reg, accredited("ACC-SCH", FieldSchool, AccreditationSingle, "2021-01-15"),
		[]Event{submitted("KA121-2022", ActionKA121, 2022, 1, "2022-06-01", "2023-08-31", 6_000_000)},
		running("KA121-2022", 5_000_000, "2022-05-20"))
	interim := func(id string) SubmitInterimReport {
		return SubmitInterimReport{ProjectID: id, ReportID: "IR1", Summary: "halfway"}
	}
	plan := func(from, to int, indicators ...string) ApplyForAccreditation {
		return ApplyForAccreditation{OID: testOrg, AccreditationID: "ACC-NEW", Field: FieldAdult, Kind: AccreditationSingle,
			Plan: ErasmusPlan{FromYear: from, ToYear: to, Objectives: []Objective{{Text: "staff skills", Indicators: indicators}}}}
	}
	end := func(s string) AmendProject {
		return AmendProject{ProjectID: testProject, AmendmentID: "AM1", EndDate: MustDate(s), Justification: "shorter"}
	}
	cancel := CancelMobility{ProjectID: testProject, MobilityID: "M1", Reason: "did not travel"}
	return []ruleCase{
		{name: "ORG-REGISTERED/first registration allowed", now: "2022-01-10",
			cmd: RegisterOrganisation{OID: testOrg, LegalName: "Testikoulu", Country: "fi", City: "Helsinki", Kind: OrgSchool}},
		{name: "ORG-REGISTERED/second registration refused", given: reg, now: "2022-01-10", rule: "ORG-REGISTERED",
			cmd: RegisterOrganisation{OID: testOrg, LegalName: "Testikoulu", Country: "FI", City: "Helsinki", Kind: OrgSchool}},
		{name: "ORG-REGISTERED/application of an unregistered organisation refused", now: "2022-02-01", rule: "ORG-REGISTERED", cmd: submitKA122("P", 1)},

		{name: "ACC-PLAN/two-year plan allowed", given: reg, now: "2022-01-10", cmd: plan(2022, 2023, "mobilities a year")},
		{name: "ACC-PLAN/one-year plan refused", given: reg, now: "2022-01-10", rule: "ACC-PLAN", cmd: plan(2022, 2022, "mobilities a year")},
		{name: "ACC-PLAN/objective without indicator refused", given: reg, now: "2022-01-10", rule: "ACC-PLAN", cmd: plan(2022, 2027)},

		{name: "LIFE-ORDER/decision on an eligible application allowed", now: "2022-05-20",
			given: cat(reg, []Event{submitted(testProject, ActionKA122, 2022, 1, "2022-06-01", "2023-08-31", 6_000_000), eligible(testProject)}),
			cmd:   DecideApplication{ProjectID: testProject, Outcome: OutcomeApproved, AwardedCents: 5_000_000}},
		{name: "LIFE-ORDER/decision before the eligibility check refused", now: "2022-05-20", rule: "LIFE-ORDER",
			given: cat(reg, []Event{submitted(testProject, ActionKA122, 2022, 1, "2022-06-01", "2023-08-31", 6_000_000)}),
			cmd:   DecideApplication{ProjectID: testProject, Outcome: OutcomeApproved, AwardedCents: 5_000_000}},
		{name: "LIFE-ORDER/mobility on a rejected project refused", given: rejected, now: "2023-01-01", rule: "LIFE-ORDER", cmd: report(jobShadow("M1"))},
		{name: "LIFE-ORDER/agreement of a rejected project refused", given: rejected, now: "2023-01-01", rule: "LIFE-ORDER", cmd: SignGrantAgreement{ProjectID: testProject}},
		{name: "LIFE-ORDER/balance before the assessment refused", given: locked, now: "2023-10-01", rule: "LIFE-ORDER",
			cmd: RecordPayment{ProjectID: testProject, PaymentID: "BAL", Kind: PaymentBalance, AmountCents: 100}},
		{name: "LIFE-ORDER/withdrawal after approval refused", given: ka122(), now: "2022-07-01", rule: "LIFE-ORDER", cmd: WithdrawApplication{ProjectID: testProject}},
		{name: "LIFE-ORDER/exception decided without a request refused", given: ka122(), now: "2022-08-01", rule: "LIFE-ORDER",
			cmd: DecideUkraineException{ProjectID: testProject, Outcome: OutcomeApplied}},
		{name: "LIFE-ORDER/pre-financing dated on the signing day allowed", given: ka122(), now: "2022-05-20",
			cmd: RecordPayment{ProjectID: testProject, PaymentID: "PF", Kind: PaymentPreFinancing, AmountCents: 100}},
		{name: "LIFE-ORDER/pre-financing dated before the signing refused", given: ka122(), now: "2022-05-19", rule: "LIFE-ORDER",
			cmd: RecordPayment{ProjectID: testProject, PaymentID: "PF", Kind: PaymentPreFinancing, AmountCents: 100}},
		{name: "LIFE-ORDER/decision dated before the submission refused", now: "2022-01-01", rule: "LIFE-ORDER",
			given: cat(reg, []Event{submitted(testProject, ActionKA122, 2022, 1, "2022-06-01", "2023-08-31", 6_000_000), eligible(testProject)}),
			cmd:   DecideApplication{ProjectID: testProject, Outcome: OutcomeRejected}},
		{name: "LIFE-ORDER/withdrawing a granted accreditation allowed", now: "2022-01-10",
			given: cat(reg, accredited("ACC-SCH", FieldSchool, AccreditationSingle, "2021-01-15")),
			cmd:   WithdrawAccreditation{OID: testOrg, AccreditationID: "ACC-SCH", Reason: "quality review"}},
		{name: "LIFE-ORDER/withdrawing an accreditation still applied for refused", now: "2022-01-10", rule: "LIFE-ORDER",
			given: cat(reg, accredited("ACC-SCH", FieldSchool, AccreditationSingle, "2021-01-15")[:1]),
			cmd:   WithdrawAccreditation{OID: testOrg, AccreditationID: "ACC-SCH"}},
		{name: "LIFE-ORDER/deciding an accreditation twice refused", now: "2022-01-10", rule: "LIFE-ORDER",
			given: cat(reg, accredited("ACC-SCH", FieldSchool, AccreditationSingle, "2021-01-15")),
			cmd:   DecideAccreditation{OID: testOrg, AccreditationID: "ACC-SCH", Outcome: OutcomeRejected}},
		{name: "LIFE-ORDER/second application in a field already accredited refused", now: "2022-01-10", rule: "LIFE-ORDER",
			given: cat(reg, accredited("ACC-SCH", FieldSchool, AccreditationSingle, "2021-01-15")),
			cmd: ApplyForAccreditation{OID: testOrg, AccreditationID: "ACC-2", Field: FieldSchool, Kind: AccreditationSingle,
				Plan: ErasmusPlan{FromYear: 2022, ToYear: 2027, Objectives: []Objective{{Text: "x", Indicators: []string{"y"}}}}}},
		{name: "LIFE-ORDER/terminating an approved project allowed", given: ka122(), now: "2022-12-01", cmd: TerminateProject{ProjectID: testProject, Reason: "school closed"}},
		{name: "LIFE-ORDER/terminating a submitted application refused", now: "2022-03-01", rule: "LIFE-ORDER",
			given: cat(reg, []Event{submitted(testProject, ActionKA122, 2022, 1, "2022-06-01", "2023-08-31", 6_000_000)}),
			cmd:   TerminateProject{ProjectID: testProject, Reason: "x"}},
		{name: "LIFE-ENDED/terminating a terminated project refused", given: terminated, now: "2023-01-01", rule: "LIFE-ENDED",
			cmd: TerminateProject{ProjectID: testProject, Reason: "again"}},
		{name: "LIFE-ORDER/cancelling a mobility allowed", given: ka122(mobEvent("M1", 100_000, nil)), now: "2023-01-01", cmd: cancel},
		{name: "LIFE-ORDER/cancelling a cancelled mobility refused", now: "2023-01-01", rule: "LIFE-ORDER", cmd: cancel,
			given: ka122(mobEvent("M1", 100_000, nil), MobilityCancelled{ProjectID: testProject, OID: testOrg, MobilityID: "M1"})},

		{name: "LIFE-REPORT-LOCKED/mobility after the final report refused", given: locked, now: "2023-09-11", rule: "LIFE-REPORT-LOCKED", cmd: report(jobShadow("M1"))},
		{name: "LIFE-REPORT-LOCKED/cancellation after the final report refused", given: append(locked, mobEvent("M1", 100_000, nil)), now: "2023-09-11",
			rule: "LIFE-REPORT-LOCKED", cmd: cancel},
		{name: "LIFE-REPORT-LOCKED/amendment after the final report refused", given: locked, now: "2023-09-11", rule: "LIFE-REPORT-LOCKED", cmd: end("2023-08-30")},
		{name: "LIFE-REPORT-LOCKED/assessment after the final report allowed", given: locked, now: "2023-10-01",
			cmd: AssessFinalReport{ProjectID: testProject, Outcome: OutcomeAccepted, FinalCents: 0}},

		{name: "LIFE-FINAL-AFTER-END/final report on the end date allowed", given: ka122(), now: "2023-08-31", cmd: SubmitFinalReport{ProjectID: testProject}},
		{name: "LIFE-FINAL-AFTER-END/final report the day before the end refused", given: ka122(), now: "2023-08-30", rule: "LIFE-FINAL-AFTER-END",
			cmd: SubmitFinalReport{ProjectID: testProject}},
		{name: "LIFE-FINAL-AFTER-END/late final report is flagged", given: ka122(), now: "2023-10-31", cmd: SubmitFinalReport{ProjectID: testProject},
			check: func(t *testing.T, ev Event) {
				if !ev.(FinalReportSubmitted).Late {
					t.Fatalf("a report 61 days after the end is late")
				}
			}},

		{name: "LIFE-ENDED/mobility on a closed project refused", given: closed, now: "2024-01-01", rule: "LIFE-ENDED", cmd: report(jobShadow("M1"))},
		{name: "LIFE-ENDED/pre-financing of a terminated project refused", given: terminated, now: "2023-01-01", rule: "LIFE-ENDED",
			cmd: RecordPayment{ProjectID: testProject, PaymentID: "PF", Kind: PaymentPreFinancing, AmountCents: 100}},
		{name: "LIFE-ENDED/recovery from a terminated project allowed", now: "2023-01-01",
			given: append(ka122(PaymentRecorded{ProjectID: testProject, OID: testOrg, PaymentID: "PF", Kind: PaymentPreFinancing, AmountCents: 4_000_000, NetPaidCents: 4_000_000}),
				ProjectTerminated{ProjectID: testProject, OID: testOrg, Reason: "bankrupt"}),
			cmd: RecordPayment{ProjectID: testProject, PaymentID: "REC", Kind: PaymentRecovery, AmountCents: 4_000_000}},

		{name: "LIFE-INTERIM/KA121 interim report allowed", given: ka121, now: "2023-01-01", cmd: interim("KA121-2022")},
		{name: "LIFE-INTERIM/KA122 interim report refused", given: ka122(), now: "2023-01-01", rule: "LIFE-INTERIM", cmd: interim(testProject)},
		{name: "LIFE-INTERIM/KA220 of call 2023 allowed", given: ka220, now: "2024-06-01", cmd: interim("KA220-2023")},
		{name: "LIFE-INTERIM/KA220 of call 2022 refused", given: ka220of2022, now: "2023-06-01", rule: "LIFE-INTERIM", cmd: interim("KA220-2022")},

		{name: "LIFE-SETTLED/closing with the balance paid allowed", given: assessed(4_000_000, 4_000_000), now: "2023-12-01", cmd: CloseProject{ProjectID: testProject}},
		{name: "LIFE-SETTLED/closing with a balance due refused", given: assessed(4_000_000, 3_000_000), now: "2023-12-01", rule: "LIFE-SETTLED",
			cmd: CloseProject{ProjectID: testProject}},
		{name: "LIFE-SETTLED/closing with an overpayment refused", given: assessed(3_000_000, 4_000_000), now: "2023-12-01", rule: "LIFE-SETTLED",
			cmd: CloseProject{ProjectID: testProject}},
		{name: "LIFE-SETTLED/balance paid up to the final grant allowed", given: assessed(4_000_000, 3_000_000), now: "2023-12-01",
			cmd: RecordPayment{ProjectID: testProject, PaymentID: "BAL", Kind: PaymentBalance, AmountCents: 1_000_000}},

		{name: "MOB-ACTION/mobility in a KA220 partnership refused", given: ka220of2022, now: "2023-06-01", rule: "MOB-ACTION",
			cmd: ReportMobility{ProjectID: "KA220-2022", Mobility: with(jobShadow("M1"), func(m *Mobility) { m.StartDate, m.EndDate = MustDate("2023-01-02"), MustDate("2023-01-06") })}},
		{name: "MOB-ACTION/KA1 activity in a KA202 project refused", now: "2020-03-01", rule: "MOB-ACTION",
			given: cat(reg, []Event{submitted("KA202-2019", ActionKA202, 2019, 1, "2019-09-01", "2021-08-31", 30_000_000)}, running("KA202-2019", 30_000_000, "2019-08-01")),
			cmd:   ReportMobility{ProjectID: "KA202-2019", Mobility: with(jobShadow("M1"), func(m *Mobility) { m.StartDate, m.EndDate = MustDate("2020-02-03"), MustDate("2020-02-07") })}},
		{name: "MOB-COMPLETED/report on the end date allowed", given: ka122(), now: "2022-09-09", cmd: report(jobShadow("M1"))},
		{name: "MOB-COMPLETED/report at 00:30 Helsinki time on the end date allowed", given: ka122(), now: "2022-09-08T21:30:00Z", cmd: report(jobShadow("M1"))},
		{name: "MOB-COMPLETED/report at 23:30 Helsinki time the day before refused", given: ka122(), now: "2022-09-08T20:30:00Z", rule: "MOB-COMPLETED", cmd: report(jobShadow("M1"))},
		{name: "MOB-COMPLETED/report before the end date refused", given: ka122(), now: "2022-09-08", rule: "MOB-COMPLETED", cmd: report(jobShadow("M1"))},
		{name: "MOB-IN-PROJECT/mobility from the project's first day allowed", given: ka122(), now: "2023-01-01",
			cmd: report(with(jobShadow("M1"), func(m *Mobility) { m.StartDate, m.EndDate = MustDate("2022-06-01"), MustDate("2022-06-05") }))},
		{name: "MOB-IN-PROJECT/mobility starting the day before the project refused", given: ka122(), now: "2023-01-01", rule: "MOB-IN-PROJECT",
			cmd: report(with(jobShadow("M1"), func(m *Mobility) { m.StartDate, m.EndDate = MustDate("2022-05-31"), MustDate("2022-06-04") }))},
		{name: "MOB-IN-PROJECT/mobility ending on the project's last day allowed", given: ka122(), now: "2023-09-01",
			cmd: report(with(jobShadow("M1"), func(m *Mobility) { m.StartDate, m.EndDate = MustDate("2023-08-27"), MustDate("2023-08-31") }))},
		{name: "MOB-IN-PROJECT/mobility ending the day after the project refused", given: ka122(), now: "2023-09-02", rule: "MOB-IN-PROJECT",
			cmd: report(with(jobShadow("M1"), func(m *Mobility) { m.StartDate, m.EndDate = MustDate("2023-08-28"), MustDate("2023-09-01") }))},
		{name: "MOB-IN-PROJECT/amendment leaving a mobility outside refused", given: ka122(mobEvent("M1", 100_000, nil)), now: "2022-10-01", rule: "MOB-IN-PROJECT",
			cmd: AmendProject{ProjectID: testProject, AmendmentID: "AM1", StartDate: MustDate("2022-09-06"), Justification: "late start"}},
		{name: "MOB-ABROAD/mobility within Finland refused", given: ka122(), now: "2023-01-01", rule: "MOB-ABROAD",
			cmd: report(with(jobShadow("M1"), func(m *Mobility) { m.ReceivingCountry, m.ReceivingCity, m.DistanceKm = "FI", "Tampere", 170 }))},
		{name: "MOB-ABROAD/mobility to Sweden allowed", given: ka122(), now: "2023-01-01",
			cmd: report(with(jobShadow("M1"), func(m *Mobility) { m.ReceivingCountry, m.ReceivingCity, m.DistanceKm = "SE", "Stockholm", 400 }))},
	}
}

func roleCases() []ruleCase {
	other := events.Actor{UserID: "u-other", Role: RoleBeneficiary, Org: "E10000002"}
	return []ruleCase{
		{name: "CORE-TASKS/beneficiary reports for its own project", given: ka122(), now: "2023-01-01", actor: &beneficiary, cmd: report(jobShadow("M1"))},
		{name: "CORE-TASKS/beneficiary of another organisation refused", given: ka122(), now: "2023-01-01", actor: &other, rule: "CORE-TASKS",
			code: apperr.Forbidden, cmd: report(jobShadow("M1"))},
		{name: "CORE-TASKS/beneficiary applying for another organisation refused", given: registered(), now: "2022-02-01", actor: &other, rule: "CORE-TASKS",
			code: apperr.Forbidden, cmd: submitKA122("P", 1)},
		{name: "CORE-TASKS/beneficiary deciding its own application refused", now: "2022-05-20", actor: &beneficiary, rule: "CORE-TASKS", code: apperr.Forbidden,
			given: cat(registered(), []Event{submitted(testProject, ActionKA122, 2022, 1, "2022-06-01", "2023-08-31", 6_000_000), eligible(testProject)}),
			cmd:   DecideApplication{ProjectID: testProject, Outcome: OutcomeApproved, AwardedCents: 6_000_000}},
		{name: "CORE-TASKS/beneficiary recording a payment refused", given: ka122(), now: "2022-06-20", actor: &beneficiary, rule: "CORE-TASKS", code: apperr.Forbidden,
			cmd: RecordPayment{ProjectID: testProject, PaymentID: "PF", Kind: PaymentPreFinancing, AmountCents: 100}},
		{name: "CORE-TASKS/analyst refused", given: ka122(), now: "2023-01-01", actor: &analyst, rule: "CORE-TASKS", code: apperr.Forbidden, cmd: report(jobShadow("M1"))},
		{name: "CORE-TASKS/national office records for the beneficiary", given: ka122(), now: "2023-01-01", cmd: report(jobShadow("M1"))},
	}
}

package aggregates

// paymentCases prove the order of payments of BUD-PAYMENTS that the ledger
// enforces today (the refusals cite LIFE-ORDER and BUD-GRANT-CAP): the
// payment plan with its due dates is agreement data still to come.
func paymentCases() []ruleCase {
	pay := func(id, kind string, cents int64) RecordPayment {
		return RecordPayment{ProjectID: testProject, PaymentID: id, Kind: kind, AmountCents: cents}
	}
	unsigned := cat(registered(), []Event{submitted(testProject, ActionKA122, 2022, 1, "2022-06-01", "2023-08-31", 6_000_000)},
		approved(testProject, 5_000_000, "2022-05-20"))
	prefinanced := PaymentRecorded{ProjectID: testProject, OID: testOrg, PaymentID: "PF1", Kind: PaymentPreFinancing, AmountCents: 4_000_000,
		NetPaidCents: 4_000_000, PaidOn: MustDate("2022-06-20")}
	reported := FinalReportSubmitted{ProjectID: testProject, OID: testOrg, Summary: "done", SubmittedOn: MustDate("2023-09-10")}
	assessed := func(final int64) Event {
		return FinalReportAssessed{ProjectID: testProject, OID: testOrg, Outcome: OutcomeReduced, FinalCents: final,
			AssessedOn: MustDate("2023-10-01"), BalanceCents: final - 4_000_000}
	}
	return append(paymentPlanCases(), []ruleCase{
		{name: "BUD-PAYMENTS/pre-financing before the signature refused (LIFE-ORDER)", given: unsigned, now: "2022-05-25", rule: "LIFE-ORDER",
			cmd: pay("PF1", PaymentPreFinancing, 4_000_000)},
		{name: "BUD-PAYMENTS/pre-financing of 80 % after the signature allowed", given: ka122(), now: "2022-06-20",
			cmd: pay("PF1", PaymentPreFinancing, 4_000_000)},
		{name: "BUD-PAYMENTS/further pre-financing up to the grant allowed", given: ka122(prefinanced), now: "2023-01-20",
			cmd: pay("PF2", PaymentPreFinancing, 1_000_000)},
		{name: "BUD-PAYMENTS/further pre-financing beyond the grant refused (BUD-GRANT-CAP)", given: ka122(prefinanced), now: "2023-01-20",
			rule: "BUD-GRANT-CAP", cmd: pay("PF2", PaymentPreFinancing, 1_000_001)},
		{name: "BUD-PAYMENTS/balance before the final assessment refused (LIFE-ORDER)", given: ka122(prefinanced, reported), now: "2023-09-20",
			rule: "LIFE-ORDER", cmd: pay("BAL", PaymentBalance, 500_000)},
		{name: "BUD-PAYMENTS/balance after the final assessment allowed", given: ka122(prefinanced, reported, assessed(4_500_000)), now: "2023-10-20",
			cmd: pay("BAL", PaymentBalance, 500_000)},
		{name: "BUD-PAYMENTS/pre-financing after the final assessment refused (LIFE-ORDER)", given: ka122(prefinanced, reported, assessed(4_500_000)), now: "2023-10-20",
			rule: "LIFE-ORDER", cmd: pay("PF2", PaymentPreFinancing, 500_000)},
		{name: "BUD-PAYMENTS/recovery before the final assessment refused (LIFE-ORDER)", given: ka122(prefinanced, reported), now: "2023-09-20",
			rule: "LIFE-ORDER", cmd: pay("REC", PaymentRecovery, 500_000)},
		{name: "BUD-PAYMENTS/recovery after a reduced assessment allowed", given: ka122(prefinanced, reported, assessed(3_500_000)), now: "2023-10-20",
			cmd: pay("REC", PaymentRecovery, 500_000)},
	}...)
}
